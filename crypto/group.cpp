#include "crypto/group.hpp"

#include <sodium.h>

#include <cstdlib>

namespace urne {

static_assert(crypto_core_ristretto255_BYTES == Point::kSize);
static_assert(crypto_core_ristretto255_SCALARBYTES == Scalar::kSize);
static_assert(crypto_core_ristretto255_NONREDUCEDSCALARBYTES == 64);

namespace {

// l = 2^252 + 27742317777372353535851937790883648493, little-endian.
constexpr FixedBytes<32> kOrder = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
    0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

// Little-endian a < b, in constant time over the bytes (scalars may be
// secret when they are parsed, e.g. from a trustee's share file).
bool less_than(const FixedBytes<32>& a, const FixedBytes<32>& b) noexcept {
  unsigned int lt = 0;
  unsigned int eq = 1;
  for (int i = 31; i >= 0; --i) {
    const unsigned int x = a[static_cast<std::size_t>(i)];
    const unsigned int y = b[static_cast<std::size_t>(i)];
    lt |= eq & ((x - y) >> 8) & 1U;  // x < y  <=> borrow
    eq &= ((x ^ y) - 1U) >> 8 & 1U;  // x == y
  }
  return lt == 1;
}

}  // namespace

// ---- Scalar ----------------------------------------------------------------

Scalar::~Scalar() { sodium_memzero(b_.data(), b_.size()); }

Result<Scalar> Scalar::parse(ByteView bytes) {
  if (bytes.size() != kSize) {
    return invalid_argument("bad_scalar", "a scalar must be 32 bytes");
  }
  Scalar s;
  std::copy(bytes.begin(), bytes.end(), s.b_.begin());
  // Reject, never reduce: a value >= l would be a second byte form of a
  // smaller scalar (crypto-notes.md: "Scalars from outside must be < l").
  if (!less_than(s.b_, kOrder)) {
    return invalid_argument("bad_scalar", "a scalar must be less than the group order");
  }
  return s;
}

Scalar Scalar::from_u64(std::uint64_t v) noexcept {
  Scalar s;
  for (std::size_t i = 0; i < 8; ++i) s.b_[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return s;  // < 2^64 < l
}

Scalar Scalar::random(Rng& rng) {
  FixedBytes<64> wide{};
  rng.fill(wide);
  Scalar s = from_wide(wide);
  sodium_memzero(wide.data(), wide.size());
  return s;
}

Scalar Scalar::random_nonzero(Rng& rng) {
  for (;;) {
    Scalar s = random(rng);
    if (!s.is_zero()) return s;  // probability 2^-252 of a second round
  }
}

Scalar Scalar::from_wide(std::span<const std::uint8_t, 64> wide) noexcept {
  Scalar s;
  crypto_core_ristretto255_scalar_reduce(s.b_.data(), wide.data());
  return s;
}

Scalar Scalar::operator+(const Scalar& o) const noexcept {
  Scalar r;
  crypto_core_ristretto255_scalar_add(r.b_.data(), b_.data(), o.b_.data());
  return r;
}
Scalar Scalar::operator-(const Scalar& o) const noexcept {
  Scalar r;
  crypto_core_ristretto255_scalar_sub(r.b_.data(), b_.data(), o.b_.data());
  return r;
}
Scalar Scalar::operator*(const Scalar& o) const noexcept {
  Scalar r;
  crypto_core_ristretto255_scalar_mul(r.b_.data(), b_.data(), o.b_.data());
  return r;
}
Scalar Scalar::operator-() const noexcept {
  Scalar r;
  crypto_core_ristretto255_scalar_negate(r.b_.data(), b_.data());
  return r;
}

Scalar Scalar::inverse() const {
  Scalar r;
  if (crypto_core_ristretto255_scalar_invert(r.b_.data(), b_.data()) != 0) {
    std::abort();  // contract: callers never invert zero
  }
  return r;
}

bool Scalar::is_zero() const noexcept { return sodium_is_zero(b_.data(), b_.size()) == 1; }

bool operator==(const Scalar& a, const Scalar& b) noexcept {
  return sodium_memcmp(a.b_.data(), b.b_.data(), Scalar::kSize) == 0;
}

// ---- Point -----------------------------------------------------------------

Result<Point> Point::parse(ByteView bytes) {
  if (bytes.size() != kSize) {
    return invalid_argument("bad_point", "a group element must be 32 bytes");
  }
  // libsodium 1.0.18 ignores bit 255; RFC 9496 requires rejecting it.
  if ((bytes[31] & 0x80) != 0) {
    return invalid_argument("bad_point", "non-canonical group element (bit 255 set)");
  }
  Point p;
  std::copy(bytes.begin(), bytes.end(), p.b_.begin());
  // is_valid_point rejects non-canonical field encodings, negative s and
  // encodings of non-ristretto points; it accepts the identity.
  if (crypto_core_ristretto255_is_valid_point(p.b_.data()) != 1) {
    return invalid_argument("bad_point", "invalid group element encoding");
  }
  return p;
}

Result<Point> Point::parse_non_identity(ByteView bytes) {
  URNE_ASSIGN_OR_RETURN(Point p, parse(bytes));
  if (p.is_identity()) {
    return invalid_argument("identity_point", "the identity element is not allowed here");
  }
  return p;
}

Point Point::generator() noexcept { return base_mul(Scalar::one()); }

Point Point::base_mul(const Scalar& s) noexcept {
  Point p;
  // -1 means the result is the identity (s = 0): p stays the identity.
  if (crypto_scalarmult_ristretto255_base(p.b_.data(), s.bytes().data()) != 0) {
    p.b_.fill(0);
  }
  return p;
}

Point Point::from_hash(std::span<const std::uint8_t, 64> wide) noexcept {
  Point p;
  crypto_core_ristretto255_from_hash(p.b_.data(), wide.data());
  return p;
}

Point Point::mul(const Scalar& s) const noexcept {
  Point p;
  // Our points are always valid, so -1 can only mean an identity result
  // (s = 0 or this = identity), which we return explicitly.
  if (crypto_scalarmult_ristretto255(p.b_.data(), s.bytes().data(), b_.data()) != 0) {
    p.b_.fill(0);
  }
  return p;
}

Point Point::operator+(const Point& o) const noexcept {
  Point r;
  // add/sub only fail on invalid inputs, which a Point never holds.
  if (crypto_core_ristretto255_add(r.b_.data(), b_.data(), o.b_.data()) != 0) std::abort();
  return r;
}

Point Point::operator-(const Point& o) const noexcept {
  Point r;
  if (crypto_core_ristretto255_sub(r.b_.data(), b_.data(), o.b_.data()) != 0) std::abort();
  return r;
}

bool Point::is_identity() const noexcept { return sodium_is_zero(b_.data(), b_.size()) == 1; }

Point double_mul_vartime(const Scalar& a, const Scalar& b, const Point& p) noexcept {
  return Point::base_mul(a) + p.mul(b);
}

}  // namespace urne
