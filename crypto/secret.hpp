// SecretBytes: a move-only byte buffer for secrets (voting codes, seeds,
// shares, blinding factors, ballot randomness) that wipes itself.
//
// No operator==, no stream output, no mutable getter: a secret is created
// whole (copy_of, random, build) and read through view(). Compare with
// ct_equal. The buffer is wiped with sodium_memzero on destruction and when
// moved from.
//
// Thread-safety: a value type; one object is not shared between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/bytes.hpp"
#include "crypto/random.hpp"

namespace urne {

class SecretBytes {
 public:
  SecretBytes() noexcept = default;
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  static SecretBytes copy_of(ByteView b);
  static SecretBytes random(std::size_t n, Rng& rng);
  // Allocates n zero bytes and lets `fill` write them once.
  template <class Fill>
  static SecretBytes build(std::size_t n, Fill&& fill) {
    SecretBytes s(n);
    fill(std::span<std::uint8_t>(s.data_, s.size_));
    return s;
  }

  ByteView view() const noexcept { return {data_, size_}; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  explicit SecretBytes(std::size_t n);
  void wipe() noexcept;

  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace urne
