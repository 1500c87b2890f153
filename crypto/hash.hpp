// SHA-2 helpers (FIPS 180-4).
//
// SHA-256 and SHA-512 come from libsodium, SHA-384 from OpenSSL (libsodium
// has none). Pure functions; the incremental hashers are plain value types
// (one object per thread).
#pragma once

#include <sodium.h>

#include "crypto/bytes.hpp"

namespace urne {

FixedBytes<32> sha256(ByteView data) noexcept;
FixedBytes<48> sha384(ByteView data);
FixedBytes<64> sha512(ByteView data) noexcept;

// Incremental SHA-256.
class Sha256 {
 public:
  Sha256() noexcept;
  Sha256& update(ByteView data) noexcept;
  FixedBytes<32> finish() noexcept;  // contract: call once

 private:
  crypto_hash_sha256_state st_;
};

// Incremental SHA-512.
class Sha512 {
 public:
  Sha512() noexcept;
  Sha512& update(ByteView data) noexcept;
  FixedBytes<64> finish() noexcept;  // contract: call once

 private:
  crypto_hash_sha512_state st_;
};

}  // namespace urne
