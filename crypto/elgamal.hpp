// Exponential ElGamal on ristretto255: the encryption of ballot slots.
//
// With the election public key P = x*G (x is shared among the trustees and
// never exists in one place), a value m is encrypted with fresh randomness r
// as Ciphertext {A = r*G, B = m*G + r*P}. Ciphertexts add component-wise and
// the plaintexts add with them, so the tally is the decryption of a sum.
//
// Deliberately absent: any function that decrypts one ciphertext with a key
// or key share. Only sums are ever decrypted, by the trustees' threshold
// protocol (crypto/threshold.hpp). What this unit offers instead is the
// Benaloh check: given the randomness r that a voter reveals for a spoiled
// ballot, open_with_randomness() tells which small value a ciphertext holds,
// with the public key only.
//
// Identities are handled on purpose: an encryption of 0 is (r*G, r*P); the
// empty sum is (identity, identity); a Ciphertext may hold the identity in
// either component (it is a valid group element; the proofs decide whether a
// ciphertext is acceptable in a ballot). The public key may not be the
// identity (it would make every B equal to m*G).
//
// Thread-safety: value types and pure functions; an ElGamalPublicKey may be
// shared between threads.
#pragma once

#include <cstdint>
#include <span>

#include "crypto/bytes.hpp"
#include "crypto/group.hpp"
#include "crypto/random.hpp"
#include "crypto/secret.hpp"

namespace urne {

// The election public key. Carries a precomputed table of its multiples for
// the verifiers (PointTable); copies share it.
class ElGamalPublicKey {
 public:
  // Rejects the identity: reason "identity_public_key".
  static Result<ElGamalPublicKey> from_point(const Point& p);
  // Strict 32-byte decoding (Point::parse) and not the identity.
  static Result<ElGamalPublicKey> parse(ByteView bytes);

  const Point& point() const noexcept { return table_.point(); }
  const PointTable& table() const noexcept { return table_; }
  FixedBytes<Point::kSize> encode() const noexcept { return point().bytes(); }

 private:
  explicit ElGamalPublicKey(const Point& p) : table_(p) {}
  PointTable table_;
};

class Ciphertext {
 public:
  static constexpr std::size_t kSize = 2 * Point::kSize;  // A || B

  // (identity, identity): the encryption of 0 with r = 0, the empty sum.
  Ciphertext() noexcept = default;
  Ciphertext(const Point& a, const Point& b) noexcept : a_(a), b_(b) {}

  // Strict: exactly 64 bytes, A || B, each a canonical point (bit 255 clear).
  // Reasons "bad_ciphertext" (length) or "bad_point".
  static Result<Ciphertext> parse(ByteView bytes);
  FixedBytes<kSize> encode() const noexcept;

  const Point& a() const noexcept { return a_; }
  const Point& b() const noexcept { return b_; }

  // Homomorphic addition: encrypts the sum of the plaintexts.
  Ciphertext operator+(const Ciphertext& o) const noexcept;
  Ciphertext& operator+=(const Ciphertext& o) noexcept { return *this = *this + o; }
  // k times this ciphertext: encrypts k*m (the identity pair for k = 0).
  Ciphertext times(std::uint64_t k) const noexcept;
  // Sum of any number of ciphertexts; the empty sum is (identity, identity).
  static Ciphertext sum(std::span<const Ciphertext> cts) noexcept;

  friend bool operator==(const Ciphertext&, const Ciphertext&) noexcept = default;

 private:
  Point a_;
  Point b_;
};

// The randomness r of one encryption. Secret until the voter reveals it in a
// Benaloh challenge (the ballot is then spoiled). Move-only, wiped on
// destruction, no comparison operators.
class Randomness {
 public:
  Randomness(Randomness&&) noexcept = default;
  Randomness& operator=(Randomness&&) noexcept = default;
  Randomness(const Randomness&) = delete;
  Randomness& operator=(const Randomness&) = delete;
  ~Randomness() = default;  // Scalar wipes itself

  // Uniform in Z_l \ {0}.
  static Randomness random(Rng& rng);
  // A revealed r (e.g. typed into the checker): strict, 32 bytes, < l.
  // Reason "bad_randomness".
  static Result<Randomness> parse(ByteView bytes);

  // The 32 bytes to reveal when the ballot is spoiled.
  SecretBytes reveal() const;
  const Scalar& scalar() const noexcept { return r_; }

 private:
  explicit Randomness(const Scalar& r) : r_(r) {}
  Scalar r_;
};

struct Encryption {
  Ciphertext ciphertext;
  Randomness randomness;
};

// Encrypts m with fresh randomness from rng; returns r along with the
// ciphertext (the prover and the Benaloh challenge need it).
Encryption encrypt(const ElGamalPublicKey& pk, std::uint64_t m, Rng& rng);
// Encrypts m with the given randomness (deterministic).
Ciphertext encrypt_with_randomness(const ElGamalPublicKey& pk, std::uint64_t m,
                                   const Randomness& r) noexcept;

// Largest `max` that open_with_randomness accepts (the search is linear).
inline constexpr std::uint64_t kMaxOpenValue = 1U << 16;

// Benaloh check: with the revealed randomness r, tells which m in 0..max the
// ciphertext encrypts under pk: A == r*G and B - r*P == m*G. Fails with
// "randomness_mismatch" (A != r*G: not this ciphertext's r) or
// "value_out_of_range" (no m in 0..max: a larger value, or another key). Contract: max <=
// kMaxOpenValue.
[[nodiscard]] Result<std::uint64_t> open_with_randomness(const Ciphertext& ct,
                                                         const ElGamalPublicKey& pk,
                                                         const Randomness& r, std::uint64_t max);

}  // namespace urne
