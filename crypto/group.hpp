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
// Verification path. Point keeps the canonical encoding, so every libsodium
// add or multiply decodes and re-encodes (~16 us per add). Verifiers, which do
// many additions and double multiplications on public data, use DecodedPoint
// (a point kept decoded), PointTable (precomputed multiples of a fixed point,
// the election key) and the variable-time double_mul_vartime(). They run on a
// second backend, Debian's libdecaf (decaf_255_*, byte-identical ristretto255
// encodings, cross-tested against libsodium in group_test.cpp), when the build
// finds it, else on libsodium; verify_backend_name() says which. Outside
// input still enters only through Point::parse (libsodium's strict checks).
//
// Thread-safety: value types; pure functions. A PointTable may be shared
// between threads (its table is immutable).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

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
  friend class DecodedPoint;  // encodes canonically without re-validation
  FixedBytes<kSize> b_{};
};

// a*G + b*P, for verification (variable time is acceptable there: all inputs
// are public).
Point double_mul_vartime(const Scalar& a, const Scalar& b, const Point& p) noexcept;

// A group element kept in the verify backend's decoded form, for fast
// arithmetic on public data (an add costs ~0.25 us instead of ~16 us with
// libdecaf). Built only from a Point, i.e. from an already validated
// encoding, so decoding cannot fail (a disagreement between the backends
// would be a bug and aborts).
class DecodedPoint {
 public:
  // The identity.
  DecodedPoint() noexcept;
  explicit DecodedPoint(const Point& p) noexcept;

  // The canonical encoding (~6 us with libdecaf: one inverse square root).
  Point encode() const noexcept;

  DecodedPoint operator+(const DecodedPoint& o) const noexcept;
  DecodedPoint operator-(const DecodedPoint& o) const noexcept;
  DecodedPoint& operator+=(const DecodedPoint& o) noexcept { return *this = *this + o; }
  DecodedPoint& operator-=(const DecodedPoint& o) noexcept { return *this = *this - o; }

  // Group-element equality (not representation equality); variable time.
  friend bool operator==(const DecodedPoint& a, const DecodedPoint& b) noexcept;

  // Size of the backend representation (libdecaf: 4 field elements of 64
  // bytes each, extended coordinates).
  static constexpr std::size_t kRepSize = 256;

 private:
  friend class PointTable;
  friend DecodedPoint double_mul_vartime(const Scalar&, const Scalar&,
                                         const DecodedPoint&) noexcept;
  alignas(32) std::array<std::uint8_t, kRepSize> rep_;
};

// a*G + b*X in variable time (verification only: a, b and X must be public).
DecodedPoint double_mul_vartime(const Scalar& a, const Scalar& b, const DecodedPoint& x) noexcept;

// Precomputed multiples of one fixed point (the election public key), for
// repeated multiplication by it: ~20 us per multiplication instead of ~60 us
// with libdecaf; building the table costs about three multiplications.
// Multiplication through the table is constant time. Copies share the
// (immutable) table.
class PointTable {
 public:
  explicit PointTable(const Point& p);

  // s * point(); the identity for s = 0 or point() = identity.
  DecodedPoint mul(const Scalar& s) const noexcept;
  const Point& point() const noexcept { return point_; }

 private:
  Point point_;
  std::shared_ptr<const std::uint8_t> table_;  // backend table; null on libsodium
};

// "libdecaf" or "libsodium": the backend of DecodedPoint, PointTable and
// double_mul_vartime in this build.
std::string_view verify_backend_name() noexcept;

}  // namespace urne
