// PLACEHOLDER: sealing secrets with a passphrase (Argon2id + XSalsa20-Poly1305).
#pragma once
