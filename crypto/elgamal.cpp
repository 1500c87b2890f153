#include "crypto/elgamal.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>

namespace urne {

// ---- ElGamalPublicKey --------------------------------------------------------

Result<ElGamalPublicKey> ElGamalPublicKey::from_point(const Point& p) {
  // With P = identity every B would be m*G in the clear.
  if (p.is_identity()) {
    return invalid_argument("identity_public_key", "the election key must not be the identity");
  }
  return ElGamalPublicKey(p);
}

Result<ElGamalPublicKey> ElGamalPublicKey::parse(ByteView bytes) {
  URNE_ASSIGN_OR_RETURN(Point p, Point::parse(bytes));
  return from_point(p);
}

// ---- Ciphertext --------------------------------------------------------------

Result<Ciphertext> Ciphertext::parse(ByteView bytes) {
  if (bytes.size() != kSize) {
    return invalid_argument("bad_ciphertext", "a ciphertext must be 64 bytes (A || B)");
  }
  // Point::parse is strict (canonical, bit 255 clear), so a ciphertext has
  // exactly one byte form and ballots can be compared and hashed as bytes.
  URNE_ASSIGN_OR_RETURN(Point a, Point::parse(bytes.first(Point::kSize)));
  URNE_ASSIGN_OR_RETURN(Point b, Point::parse(bytes.last(Point::kSize)));
  return Ciphertext(a, b);
}

FixedBytes<Ciphertext::kSize> Ciphertext::encode() const noexcept {
  FixedBytes<kSize> out{};
  std::copy(a_.bytes().begin(), a_.bytes().end(), out.begin());
  std::copy(b_.bytes().begin(), b_.bytes().end(), out.begin() + Point::kSize);
  return out;
}

Ciphertext Ciphertext::operator+(const Ciphertext& o) const noexcept {
  return {a_ + o.a_, b_ + o.b_};
}

Ciphertext Ciphertext::times(std::uint64_t k) const noexcept {
  // Point::mul returns the identity for k = 0 (libsodium's -1 is handled).
  const Scalar s = Scalar::from_u64(k);
  return {a_.mul(s), b_.mul(s)};
}

Ciphertext Ciphertext::sum(std::span<const Ciphertext> cts) noexcept {
  // Summed in decoded form: the tally adds thousands of ciphertexts and an
  // encoded add costs a decode and an encode each time (group.hpp).
  DecodedPoint a;
  DecodedPoint b;
  for (const Ciphertext& c : cts) {
    a += DecodedPoint(c.a_);
    b += DecodedPoint(c.b_);
  }
  return {a.encode(), b.encode()};
}

// ---- Randomness --------------------------------------------------------------

Randomness Randomness::random(Rng& rng) {
  // r = 0 would make A the identity and B = m*G readable by anyone.
  return Randomness(Scalar::random_nonzero(rng));
}

Result<Randomness> Randomness::parse(ByteView bytes) {
  Result<Scalar> s = Scalar::parse(bytes);
  if (!s.ok()) {
    return invalid_argument("bad_randomness", "randomness must be 32 bytes encoding a scalar < l");
  }
  return Randomness(*s);
}

SecretBytes Randomness::reveal() const { return SecretBytes::copy_of(r_.bytes()); }

// ---- Encryption --------------------------------------------------------------

Ciphertext encrypt_with_randomness(const ElGamalPublicKey& pk, std::uint64_t m,
                                   const Randomness& r) noexcept {
  // base_mul(0) is the identity (group.hpp), so m = 0 gives B = r*P: the zero
  // vote is not a special case that libsodium could refuse.
  const Point a = Point::base_mul(r.scalar());
  const Point b = Point::base_mul(Scalar::from_u64(m)) + pk.point().mul(r.scalar());
  return {a, b};
}

Encryption encrypt(const ElGamalPublicKey& pk, std::uint64_t m, Rng& rng) {
  Randomness r = Randomness::random(rng);
  const Ciphertext ct = encrypt_with_randomness(pk, m, r);
  return {ct, std::move(r)};
}

Result<std::uint64_t> open_with_randomness(const Ciphertext& ct, const ElGamalPublicKey& pk,
                                           const Randomness& r, std::uint64_t max) {
  if (max > kMaxOpenValue) std::abort();  // contract: a bounded search
  if (!(Point::base_mul(r.scalar()) == ct.a())) {
    return invalid_argument("randomness_mismatch",
                            "the revealed randomness does not match this ciphertext");
  }
  const DecodedPoint m_g(ct.b() - pk.point().mul(r.scalar()));
  const DecodedPoint g(Point::generator());
  DecodedPoint candidate;  // 0*G
  for (std::uint64_t m = 0; m <= max; ++m) {
    if (candidate == m_g) return m;
    candidate += g;
  }
  return invalid_argument("value_out_of_range",
                          "the ciphertext does not encrypt a value in 0.." + std::to_string(max));
}

}  // namespace urne
