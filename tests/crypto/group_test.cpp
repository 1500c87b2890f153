#include "crypto/group.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "test_util.hpp"

namespace urne {
namespace {

using test::load_vectors;
using test::unhex;

// l = 2^252 + 27742317777372353535851937790883648493, little-endian hex.
constexpr const char* kOrderHex =
    "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";

Point must_parse(const Bytes& b) {
  Result<Point> p = Point::parse(b);
  REQUIRE(p.ok());
  return *p;
}

Point random_point(Rng& rng) { return Point::base_mul(Scalar::random(rng)); }

TEST_CASE("generator multiples 0..15 match RFC 9496 via base_mul and repeated addition") {
  const auto v = load_vectors("rfc9496-ristretto255.json");
  const auto& multiples = v.at("generator_multiples");
  REQUIRE(multiples.size() == 16);
  Point sum;  // 0*G
  for (std::size_t i = 0; i < multiples.size(); ++i) {
    const Bytes expected = unhex(multiples[i].get<std::string>());
    CAPTURE(i);
    CHECK(Point::base_mul(Scalar::from_u64(i)).bytes() == must_parse(expected).bytes());
    CHECK(Bytes(sum.bytes().begin(), sum.bytes().end()) == expected);
    CHECK(Point::generator().mul(Scalar::from_u64(i)) == sum);
    // The verify backend decodes and re-encodes every multiple identically.
    CHECK(DecodedPoint(sum).encode() == sum);
    sum += Point::generator();
  }
  CHECK(must_parse(unhex(multiples[0].get<std::string>())).is_identity());
}

TEST_CASE("every invalid encoding of RFC 9496 is rejected by Point::parse") {
  const auto v = load_vectors("rfc9496-ristretto255.json");
  REQUIRE(!v.at("invalid_encodings").empty());
  for (const auto& item : v.at("invalid_encodings")) {
    const std::string hex = item.at("encoding").get<std::string>();
    CAPTURE(hex);
    Result<Point> p = Point::parse(unhex(hex));
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().reason() == "bad_point");
  }
}

TEST_CASE("a valid multiple with bit 255 set (its top-bit twin) is rejected") {
  const auto v = load_vectors("rfc9496-ristretto255.json");
  for (const auto& m : v.at("generator_multiples")) {
    Bytes twin = unhex(m.get<std::string>());
    REQUIRE(Point::parse(twin).ok());
    twin[31] |= 0x80;
    CAPTURE(m.get<std::string>());
    Result<Point> p = Point::parse(twin);
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().reason() == "bad_point");
  }
}

TEST_CASE("hash_to_group vectors of RFC 9496 match Point::from_hash") {
  const auto v = load_vectors("rfc9496-ristretto255.json");
  REQUIRE(!v.at("hash_to_group").empty());
  for (const auto& item : v.at("hash_to_group")) {
    const Bytes input = unhex(item.at("input").get<std::string>());
    REQUIRE(input.size() == 64);
    const Point p = Point::from_hash(std::span<const std::uint8_t, 64>(input.data(), 64));
    CHECK(hex_encode(p.bytes()) == item.at("output").get<std::string>());
  }
  const auto& same = v.at("hash_to_group_same_output");
  const Bytes first = unhex(same.at("inputs")[0].get<std::string>());
  const Point expected = Point::from_hash(std::span<const std::uint8_t, 64>(first.data(), 64));
  for (const auto& in : same.at("inputs")) {
    const Bytes input = unhex(in.get<std::string>());
    CHECK(Point::from_hash(std::span<const std::uint8_t, 64>(input.data(), 64)) == expected);
  }
}

TEST_CASE("Point::parse rejects wrong lengths and parse_non_identity rejects the identity") {
  CHECK_FALSE(Point::parse(Bytes(31, 0)).ok());
  CHECK_FALSE(Point::parse(Bytes(33, 0)).ok());
  CHECK(Point::parse(Bytes(32, 0)).ok());
  Result<Point> id = Point::parse_non_identity(Bytes(32, 0));
  REQUIRE_FALSE(id.ok());
  CHECK(id.status().reason() == "identity_point");
  const Point g = Point::generator();
  CHECK(Point::parse_non_identity(Bytes(g.bytes().begin(), g.bytes().end())).ok());
}

TEST_CASE("scalar parsing rejects l, l+1 and 2^256-1 and accepts l-1") {
  const Bytes order = unhex(kOrderHex);
  Result<Scalar> at_order = Scalar::parse(order);
  REQUIRE_FALSE(at_order.ok());
  CHECK(at_order.status().reason() == "bad_scalar");

  Bytes plus_one = order;
  plus_one[0] += 1;
  CHECK_FALSE(Scalar::parse(plus_one).ok());

  CHECK_FALSE(Scalar::parse(Bytes(32, 0xff)).ok());

  Bytes minus_one = order;
  minus_one[0] -= 1;
  Result<Scalar> below = Scalar::parse(minus_one);
  REQUIRE(below.ok());
  CHECK(*below == -Scalar::one());
  CHECK((*below + Scalar::one()).is_zero());

  CHECK_FALSE(Scalar::parse(Bytes(31, 0)).ok());
  CHECK_FALSE(Scalar::parse(Bytes(33, 0)).ok());
}

TEST_CASE("the identity is produced, not refused, for zero scalars and identity points") {
  SeededRng rng(1);
  const Point p = random_point(rng);
  CHECK(Point::base_mul(Scalar::zero()).is_identity());
  CHECK(p.mul(Scalar::zero()).is_identity());
  CHECK(Point::identity().mul(Scalar::random(rng)).is_identity());
  CHECK((p - p).is_identity());
  CHECK(p + Point::identity() == p);
  CHECK(double_mul_vartime(Scalar::zero(), Scalar::zero(), p).is_identity());
  CHECK(DecodedPoint().encode().is_identity());
  CHECK(DecodedPoint(Point::identity()) == DecodedPoint());
  CHECK(PointTable(p).mul(Scalar::zero()).encode().is_identity());
  CHECK(PointTable(Point::identity()).mul(Scalar::random(rng)).encode().is_identity());
}

TEST_CASE("scalar arithmetic obeys the field laws on random values") {
  SeededRng rng(2);
  for (int i = 0; i < 50; ++i) {
    const Scalar a = Scalar::random(rng);
    const Scalar b = Scalar::random_nonzero(rng);
    CHECK((a + b) - b == a);
    CHECK(a * b * b.inverse() == a);
    CHECK(a + (-a) == Scalar::zero());
    // Group law: (a+b)G = aG + bG, (ab)G = a(bG).
    CHECK(Point::base_mul(a + b) == Point::base_mul(a) + Point::base_mul(b));
    CHECK(Point::base_mul(a * b) == Point::base_mul(b).mul(a));
  }
}

// The verify backend (libdecaf when built with it) must agree byte for byte
// with libsodium on every operation the verifiers use.
TEST_CASE("the verify backend agrees with libsodium on random points and scalars") {
  MESSAGE("verify backend: " << std::string(verify_backend_name()));
  SeededRng rng(3);
  for (int i = 0; i < 100; ++i) {
    CAPTURE(i);
    const Point p = random_point(rng);
    const Point q = random_point(rng);
    const Scalar a = Scalar::random(rng);
    const Scalar b = Scalar::random(rng);
    const DecodedPoint dp(p);
    const DecodedPoint dq(q);
    // decode/encode round trip
    CHECK(dp.encode() == p);
    // add, sub
    CHECK((dp + dq).encode() == p + q);
    CHECK((dp - dq).encode() == p - q);
    CHECK((dp - dp).encode().is_identity());
    // double multiplication, on decoded and on encoded points
    const Point expected = Point::base_mul(a) + p.mul(b);
    CHECK(double_mul_vartime(a, b, dp).encode() == expected);
    CHECK(double_mul_vartime(a, b, p) == expected);
    // multiplication through a precomputed table
    CHECK(PointTable(p).mul(a).encode() == p.mul(a));
    // group-element equality of decoded points
    CHECK(dp + dq == dq + dp);
    CHECK_FALSE(dp == dq);
    // from_hash outputs are valid inputs for the backend too
    FixedBytes<64> wide{};
    rng.fill(wide);
    const Point h = Point::from_hash(wide);
    CHECK(DecodedPoint(h).encode() == h);
  }
}

TEST_CASE("the verify backend agrees with libsodium on edge scalars") {
  SeededRng rng(4);
  const Point p = random_point(rng);
  const Scalar minus_one = -Scalar::one();
  const std::vector<Scalar> edges = {Scalar::zero(), Scalar::one(), minus_one, Scalar::from_u64(2),
                                     Scalar::from_u64(~std::uint64_t{0})};
  const PointTable table(p);
  for (const Scalar& a : edges) {
    for (const Scalar& b : edges) {
      CHECK(double_mul_vartime(a, b, DecodedPoint(p)).encode() == Point::base_mul(a) + p.mul(b));
    }
    CHECK(table.mul(a).encode() == p.mul(a));
  }
  CHECK((DecodedPoint(p) + DecodedPoint(p.mul(minus_one))).encode().is_identity());
}

}  // namespace
}  // namespace urne
