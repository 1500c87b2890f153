#include "crypto/hash.hpp"

#include <openssl/evp.h>

#include <cstdlib>

namespace urne {

FixedBytes<32> sha256(ByteView data) noexcept {
  FixedBytes<32> out{};
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

FixedBytes<48> sha384(ByteView data) {
  FixedBytes<48> out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha384(), nullptr) != 1 ||
      len != out.size()) {
    std::abort();  // only fails on allocation failure or a broken OpenSSL
  }
  return out;
}

FixedBytes<64> sha512(ByteView data) noexcept {
  FixedBytes<64> out{};
  crypto_hash_sha512(out.data(), data.data(), data.size());
  return out;
}

Sha256::Sha256() noexcept { crypto_hash_sha256_init(&st_); }
Sha256& Sha256::update(ByteView data) noexcept {
  crypto_hash_sha256_update(&st_, data.data(), data.size());
  return *this;
}
FixedBytes<32> Sha256::finish() noexcept {
  FixedBytes<32> out{};
  crypto_hash_sha256_final(&st_, out.data());
  return out;
}

Sha512::Sha512() noexcept { crypto_hash_sha512_init(&st_); }
Sha512& Sha512::update(ByteView data) noexcept {
  crypto_hash_sha512_update(&st_, data.data(), data.size());
  return *this;
}
FixedBytes<64> Sha512::finish() noexcept {
  FixedBytes<64> out{};
  crypto_hash_sha512_final(&st_, out.data());
  return out;
}

}  // namespace urne
