#include "crypto/signing.hpp"

#include <sodium.h>

#include <cstdlib>
#include <utility>

namespace urne {

Ed25519SigningKey Ed25519SigningKey::generate(Rng& rng) {
  const SecretBytes seed = SecretBytes::random(kSeedSize, rng);
  auto key = from_seed(seed.view());
  if (!key.ok()) std::abort();  // 32 bytes always make a key
  return std::move(key).value();
}

Result<Ed25519SigningKey> Ed25519SigningKey::from_seed(ByteView seed) {
  if (seed.size() != kSeedSize) {
    return invalid_argument("bad_seed", "an Ed25519 seed is 32 bytes");
  }
  Ed25519PublicKey pk{};
  SecretBytes sk = SecretBytes::build(crypto_sign_SECRETKEYBYTES, [&](std::span<std::uint8_t> out) {
    if (crypto_sign_seed_keypair(pk.data(), out.data(), seed.data()) != 0) std::abort();
  });
  return Ed25519SigningKey(std::move(sk), pk);
}

SecretBytes Ed25519SigningKey::export_seed() const {
  if (secret_key_.size() != crypto_sign_SECRETKEYBYTES) std::abort();  // moved-from
  // libsodium's secret key is seed || public key.
  return SecretBytes::copy_of(secret_key_.view().first(kSeedSize));
}

Result<Ed25519Signature> Ed25519SigningKey::sign(ByteView message) const {
  if (secret_key_.size() != crypto_sign_SECRETKEYBYTES) std::abort();  // moved-from
  Ed25519Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(),
                       secret_key_.view().data());
  // A signature is published and relied on by every auditor: check it with
  // the public half before it leaves (style guide, self-checks).
  if (!ed25519_verify(public_key_, message, sig)) {
    return internal_error("signature_self_check_failed", "a fresh Ed25519 signature failed");
  }
  return sig;
}

bool ed25519_verify(const Ed25519PublicKey& key, ByteView message,
                    const Ed25519Signature& signature) noexcept {
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     key.data()) == 0;
}

}  // namespace urne
