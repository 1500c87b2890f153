#include "crypto/random.hpp"

#include <sodium.h>

#include "crypto/hash.hpp"

namespace urne {

Status init_crypto() {
  // sodium_init returns 0 on first success, 1 if already initialized.
  if (sodium_init() < 0) {
    return internal_error("sodium_init_failed", "libsodium could not be initialized");
  }
  return Status::ok();
}

void SystemRng::fill(std::span<std::uint8_t> out) {
  if (out.empty()) return;
  randombytes_buf(out.data(), out.size());
}

SeededRng::SeededRng(ByteView seed) : seed_(sha256(seed)) {}

SeededRng::SeededRng(std::uint64_t seed) {
  Bytes b;
  append_u64(b, seed);
  seed_ = sha256(b);
}

void SeededRng::fill(std::span<std::uint8_t> out) {
  if (out.empty()) return;  // libsodium's buffer must not be null
  Bytes input(seed_.begin(), seed_.end());
  append_u64(input, counter_++);
  const FixedBytes<32> key = sha256(input);
  randombytes_buf_deterministic(out.data(), out.size(), key.data());
}

}  // namespace urne
