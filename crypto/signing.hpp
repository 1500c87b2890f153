// Ed25519 signing keys of the service and the officer (libsodium,
// RFC 8032 pure Ed25519). Institution keys are different: they exist only as
// credentials derived from a voting code (crypto/credential.hpp).
//
// Every message signed with these keys is a labelled canonical encoding
// (docs/protocol.md §9.5), so signatures of different kinds cannot be
// confused.
//
// Thread-safety: an Ed25519SigningKey's const methods may be called from
// several threads; ed25519_verify is a pure function.
#pragma once

#include <cstddef>

#include "crypto/bytes.hpp"
#include "crypto/random.hpp"
#include "crypto/secret.hpp"

namespace urne {

using Ed25519PublicKey = FixedBytes<32>;
using Ed25519Signature = FixedBytes<64>;

// An Ed25519 secret key (libsodium): move-only, wiped, no operator==.
class Ed25519SigningKey {
 public:
  static constexpr std::size_t kSeedSize = 32;

  // A fresh key from 32 bytes of the injected rng.
  static Ed25519SigningKey generate(Rng& rng);
  // From a stored 32-byte seed ("bad_seed", kInvalidArgument, otherwise).
  static Result<Ed25519SigningKey> from_seed(ByteView seed);

  Ed25519SigningKey(Ed25519SigningKey&&) noexcept = default;
  Ed25519SigningKey& operator=(Ed25519SigningKey&&) noexcept = default;
  Ed25519SigningKey(const Ed25519SigningKey&) = delete;
  Ed25519SigningKey& operator=(const Ed25519SigningKey&) = delete;

  const Ed25519PublicKey& public_key() const noexcept { return public_key_; }
  // The 32-byte seed, for the key file.
  SecretBytes export_seed() const;
  // Signs and verifies the signature before returning it (kInternal
  // "signature_self_check_failed" otherwise).
  Result<Ed25519Signature> sign(ByteView message) const;

 private:
  Ed25519SigningKey(SecretBytes sk, const Ed25519PublicKey& pk)
      : secret_key_(std::move(sk)), public_key_(pk) {}
  SecretBytes secret_key_;  // libsodium's 64-byte form: seed || public key
  Ed25519PublicKey public_key_{};
};

// Ed25519 verification (libsodium, which rejects non-canonical and
// small-order keys and non-canonical signatures).
[[nodiscard]] bool ed25519_verify(const Ed25519PublicKey& key, ByteView message,
                                  const Ed25519Signature& signature) noexcept;

}  // namespace urne
