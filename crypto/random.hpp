// Randomness, injected (house style: every effect comes in through an
// interface). Production code uses SystemRng (libsodium's randombytes, i.e.
// the kernel CSPRNG); tests and the published test vectors use SeededRng, a
// deterministic ChaCha20 stream, so that vectors are reproducible.
//
// Thread-safety: SystemRng may be shared; SeededRng is one per thread.
#pragma once

#include <cstdint>
#include <span>

#include "crypto/bytes.hpp"

namespace urne {

// Must be called once before any other urne crypto function (initializes
// libsodium; idempotent and thread-safe).
[[nodiscard]] Status init_crypto();

class Rng {
 public:
  virtual ~Rng() = default;
  // Fills `out` with uniformly random bytes.
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

class SystemRng final : public Rng {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

// Deterministic: the i-th fill() returns ChaCha20(SHA-256(seed || i)) bytes.
// Never for production keys or ballots.
class SeededRng final : public Rng {
 public:
  explicit SeededRng(ByteView seed);
  explicit SeededRng(std::uint64_t seed);
  void fill(std::span<std::uint8_t> out) override;

 private:
  FixedBytes<32> seed_{};
  std::uint64_t counter_ = 0;
};

}  // namespace urne
