// The prime-order group ristretto255 (RFC 9496) and its scalar field Z_l,
// on libsodium's crypto_core_ristretto255_* / crypto_scalarmult_ristretto255*.
//
// Scalar and Point are distinct value types that are only ever in canonical
// form: a Scalar is < l, a Point is a valid canonical ristretto255 encoding.
// Outside input enters only through parse(), which rejects
//   - scalars >= l (never reduced: a reduced alias would be a second byte form),
//   - non-canonical or invalid point encodings, including a set bit 255, which
//     libsodium 1.0.18 would otherwise accept as the same point
//     (crypto-notes.md).
// The identity element (32 zero bytes) is a valid Point on purpose: an
// encryption of 0 with r = 0 and an empty sum are identities. Code that must
// not see it (public keys) uses parse_non_identity() / is_identity().
//
// libsodium's scalarmult returns -1 when the result is the identity (e.g. a
// zero scalar); since our points are always valid, that -1 can only mean the
// identity, and mul()/base_mul() return it explicitly rather than ignore it.
//
// Scalars wipe themselves on destruction (they are often secrets: keys,
// shares, nonces); operator== on Scalar runs in constant time.
//
// Thread-safety: value types; pure functions.
#pragma once

#include <cstdint>
#include <span>

#include "crypto/bytes.hpp"
#include "crypto/random.hpp"

namespace urne {

class Scalar {
 public:
  static constexpr std::size_t kSize = 32;

  // Zero.
  Scalar() noexcept = default;
  ~Scalar();
  Scalar(const Scalar&) = default;
  Scalar& operator=(const Scalar&) = default;

  // Strict: exactly 32 bytes, little-endian, < l. Reason "bad_scalar".
  static Result<Scalar> parse(ByteView bytes);
  static Scalar zero() noexcept { return Scalar(); }
  static Scalar one() noexcept { return from_u64(1); }
  static Scalar from_u64(std::uint64_t v) noexcept;
  // Uniform in Z_l (64 random bytes reduced mod l).
  static Scalar random(Rng& rng);
  // Uniform in Z_l \ {0}.
  static Scalar random_nonzero(Rng& rng);
  // A 64-byte hash output reduced mod l (the only correct way to turn a hash
  // into a scalar: a 32-byte reduction would be biased).
  static Scalar from_wide(std::span<const std::uint8_t, 64> wide) noexcept;

  Scalar operator+(const Scalar& o) const noexcept;
  Scalar operator-(const Scalar& o) const noexcept;
  Scalar operator*(const Scalar& o) const noexcept;
  Scalar operator-() const noexcept;
  Scalar& operator+=(const Scalar& o) noexcept { return *this = *this + o; }
  Scalar& operator-=(const Scalar& o) noexcept { return *this = *this - o; }
  // Multiplicative inverse. Contract: not zero (aborts otherwise).
  Scalar inverse() const;

  bool is_zero() const noexcept;
  // Constant-time comparison.
  friend bool operator==(const Scalar& a, const Scalar& b) noexcept;

  const FixedBytes<kSize>& bytes() const noexcept { return b_; }

 private:
  FixedBytes<kSize> b_{};
};

class Point {
 public:
  static constexpr std::size_t kSize = 32;

  // The identity.
  Point() noexcept = default;

  // Strict canonical decoding (see above). Reason "bad_point".
  static Result<Point> parse(ByteView bytes);
  // As parse(), and also rejects the identity. Reason "identity_point".
  static Result<Point> parse_non_identity(ByteView bytes);

  static Point identity() noexcept { return Point(); }
  static Point generator() noexcept;
  // s * G; the identity for s = 0.
  static Point base_mul(const Scalar& s) noexcept;
  // RFC 9496 one-way map of 64 uniform bytes to a point.
  static Point from_hash(std::span<const std::uint8_t, 64> wide) noexcept;

  // s * P; the identity for s = 0 or P = identity.
  Point mul(const Scalar& s) const noexcept;
  Point operator+(const Point& o) const noexcept;
  Point operator-(const Point& o) const noexcept;
  Point operator-() const noexcept { return Point() - *this; }
  Point& operator+=(const Point& o) noexcept { return *this = *this + o; }
  Point& operator-=(const Point& o) noexcept { return *this = *this - o; }

  bool is_identity() const noexcept;
  // Points are public: byte comparison (encodings are canonical).
  friend bool operator==(const Point& a, const Point& b) noexcept { return a.b_ == b.b_; }

  const FixedBytes<kSize>& bytes() const noexcept { return b_; }

 private:
  FixedBytes<kSize> b_{};
};

// a*G + b*P, for verification (variable time is acceptable there: all inputs
// are public).
Point double_mul_vartime(const Scalar& a, const Scalar& b, const Point& p) noexcept;

}  // namespace urne
