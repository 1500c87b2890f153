// PassphraseBox: a secret sealed with a passphrase, for the files a person
// keeps (a trustee's ceremony state and key share). Argon2id (libsodium's
// crypto_pwhash, ALG_ARGON2ID13) stretches the passphrase with a random
// salt; XSalsa20-Poly1305 (crypto_secretbox_easy) seals the secret with a
// random nonce. The header and the caller's associated context are bound
// to the key, so a changed header field, or a box presented under another
// context (another file kind, another ceremony), does not open.
//
// Canonical layout (all integers big-endian):
//   label      22 bytes  "urne/passphrase-box/v1"
//   alg        u8        2 (crypto_pwhash_ALG_ARGON2ID13)
//   opslimit   u32       Argon2 passes
//   memlimit   u64       Argon2 memory in bytes
//   salt       16 bytes  random
//   nonce      24 bytes  random
//   box        16 + len(secret) bytes: crypto_secretbox_easy (MAC first)
// The first 75 bytes are the header. The key is derived as
//   k0  = Argon2id(passphrase, salt, opslimit, memlimit)          [32 bytes]
//   key = BLAKE2b-256(key = k0, message = header || u32(len(ctx)) || ctx)
// (crypto_generichash). Why BLAKE2b over the header: Argon2 itself only sees
// the salt and the limits, and libsodium rounds memlimit down to KiB, so
// two byte forms of one limit would derive the same k0; hashing the exact
// header bytes makes every header byte (label, alg, limits, nonce) matter,
// and the context binds the box to what the caller says it is.
//
// A wrong passphrase, a tampered field and a wrong context all look the same
// (the MAC fails): kUnauthenticated "wrong_passphrase" ("wrong passphrase
// or damaged file"). A box that cannot be a box (short, wrong label or alg,
// limits out of bounds, too large) is kInvalidArgument
// "passphrase_box_malformed", found before any Argon2 work: a hostile file
// must not make us allocate more than kMaxMemlimit or spend more than
// kMaxOpslimit passes.
//
// Passphrases: at least kMinPassphraseSize bytes to seal (8: a floor against
// an accidental empty or one-word passphrase; Argon2 does the rest), at most
// kMaxPassphraseSize. open() only refuses an empty passphrase (a shorter one
// simply does not open anything sealed here).
//
// Thread-safety: pure functions (libsodium must be initialized: init_crypto).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/bytes.hpp"
#include "crypto/random.hpp"
#include "crypto/secret.hpp"
#include "crypto/status.hpp"

namespace urne {

inline constexpr std::string_view kPassphraseBoxLabel = "urne/passphrase-box/v1";
inline constexpr std::size_t kPassphraseBoxHeaderSize = 75;
inline constexpr std::size_t kPassphraseBoxOverhead = kPassphraseBoxHeaderSize + 16;
inline constexpr std::size_t kMinPassphraseSize = 8;
inline constexpr std::size_t kMaxPassphraseSize = 4096;
// The largest secret a box holds (trustee files are well under 1 KiB).
inline constexpr std::size_t kMaxPassphraseBoxSecret = std::size_t{64} * 1024;
// Bounds on what open() will run: a box asking for more is malformed.
inline constexpr std::uint64_t kMaxOpslimit = 16;
inline constexpr std::uint64_t kMaxMemlimit = std::uint64_t{1} << 30;  // 1 GiB

// The two KDF strengths a box is sealed with.
enum class KdfStrength : std::uint8_t {
  // libsodium's MODERATE (3 passes, 256 MiB): the default for real files.
  kModerate = 1,
  // libsodium's INTERACTIVE (2 passes, 64 MiB): tests and demos.
  kInteractive = 2,
};

struct KdfLimits {
  std::uint32_t opslimit = 0;
  std::uint64_t memlimit = 0;
};
KdfLimits kdf_limits(KdfStrength strength) noexcept;

// Seals `secret` (1..kMaxPassphraseBoxSecret bytes) under `passphrase`
// (a secret the caller wipes) and `context` (public associated bytes that
// open() must be given again; not stored in the box). Salt and nonce come
// from `rng`. The box is opened again with the derived key before it is
// returned. Errors: kInvalidArgument "passphrase_too_short",
// "passphrase_too_long", "secret_empty", "secret_too_large"; kResourceExhausted
// "kdf_failed" (Argon2 could not get its memory); kInternal
// "self_check_failed".
Result<Bytes> passphrase_seal(ByteView secret, ByteView passphrase, ByteView context,
                              KdfStrength strength, Rng& rng);

// Opens a box made by passphrase_seal with the same passphrase and context.
// Errors: kInvalidArgument "passphrase_empty", "passphrase_too_long",
// "passphrase_box_malformed"; kUnauthenticated "wrong_passphrase";
// kResourceExhausted "kdf_failed".
[[nodiscard]] Result<SecretBytes> passphrase_open(ByteView box, ByteView passphrase,
                                                  ByteView context);

}  // namespace urne
