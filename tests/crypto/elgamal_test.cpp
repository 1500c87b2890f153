#include "crypto/elgamal.hpp"

#include <doctest/doctest.h>

#include <vector>

namespace urne {
namespace {

ElGamalPublicKey test_key(Rng& rng) {
  Result<ElGamalPublicKey> pk =
      ElGamalPublicKey::from_point(Point::base_mul(Scalar::random_nonzero(rng)));
  REQUIRE(pk.ok());
  return *pk;
}

Randomness scalar_randomness(const Scalar& s) {
  Result<Randomness> r = Randomness::parse(s.bytes());
  REQUIRE(r.ok());
  return std::move(r).value();
}

TEST_CASE("the election key rejects the identity and bad encodings") {
  Result<ElGamalPublicKey> id = ElGamalPublicKey::from_point(Point::identity());
  REQUIRE_FALSE(id.ok());
  CHECK(id.status().reason() == "identity_public_key");
  Result<ElGamalPublicKey> id2 = ElGamalPublicKey::parse(Bytes(32, 0));
  REQUIRE_FALSE(id2.ok());
  CHECK(id2.status().reason() == "identity_public_key");
  const Point g_point = Point::generator();
  Bytes top(g_point.bytes().begin(), g_point.bytes().end());
  top[31] |= 0x80;
  CHECK(ElGamalPublicKey::parse(top).status().reason() == "bad_point");
  CHECK(ElGamalPublicKey::parse(Bytes(31, 1)).status().reason() == "bad_point");
  Result<ElGamalPublicKey> g = ElGamalPublicKey::parse(Point::generator().bytes());
  REQUIRE(g.ok());
  CHECK(g->encode() == Point::generator().bytes());
}

TEST_CASE("encryptions open to their value with their randomness, for many random cases") {
  SeededRng rng(10);
  const ElGamalPublicKey pk = test_key(rng);
  for (std::uint64_t i = 0; i < 300; ++i) {
    const std::uint64_t m = i % 17;
    const Encryption e = encrypt(pk, m, rng);
    CAPTURE(m);
    Result<std::uint64_t> opened = open_with_randomness(e.ciphertext, pk, e.randomness, 16);
    REQUIRE(opened.ok());
    CHECK(*opened == m);
    CHECK(encrypt_with_randomness(pk, m, e.randomness) == e.ciphertext);
  }
}

TEST_CASE("an encryption of 0 is (r*G, r*P) and is built without libsodium refusing it") {
  SeededRng rng(11);
  const ElGamalPublicKey pk = test_key(rng);
  const Encryption e = encrypt(pk, 0, rng);
  CHECK(e.ciphertext.a() == Point::base_mul(e.randomness.scalar()));
  CHECK(e.ciphertext.b() == pk.point().mul(e.randomness.scalar()));
  CHECK_FALSE(e.ciphertext.a().is_identity());
  Result<std::uint64_t> opened = open_with_randomness(e.ciphertext, pk, e.randomness, 0);
  REQUIRE(opened.ok());
  CHECK(*opened == 0);
}

TEST_CASE("opening fails with the wrong randomness, a larger value or another key") {
  SeededRng rng(12);
  const ElGamalPublicKey pk = test_key(rng);
  const ElGamalPublicKey other = test_key(rng);
  const Encryption e = encrypt(pk, 3, rng);
  const Randomness wrong = Randomness::random(rng);
  CHECK(open_with_randomness(e.ciphertext, pk, wrong, 16).status().reason() ==
        "randomness_mismatch");
  CHECK(open_with_randomness(e.ciphertext, pk, e.randomness, 2).status().reason() ==
        "value_out_of_range");
  CHECK(open_with_randomness(e.ciphertext, other, e.randomness, 16).status().reason() ==
        "value_out_of_range");
  // A ciphertext whose B was changed no longer opens in range.
  const Ciphertext changed(e.ciphertext.a(),
                           e.ciphertext.b() + Point::generator().mul(Scalar::from_u64(1000)));
  CHECK(open_with_randomness(changed, pk, e.randomness, 16).status().reason() ==
        "value_out_of_range");
}

TEST_CASE("homomorphic sums decrypt to plaintext sums, for many random cases") {
  SeededRng rng(13);
  const ElGamalPublicKey pk = test_key(rng);
  for (int round = 0; round < 100; ++round) {
    std::vector<Ciphertext> cts;
    Scalar r_sum;
    std::uint64_t m_sum = 0;
    Ciphertext running;
    const std::size_t count = static_cast<std::size_t>(round % 12);
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint64_t m = (static_cast<std::uint64_t>(round) * 7 + i) % 3;
      const Encryption e = encrypt(pk, m, rng);
      cts.push_back(e.ciphertext);
      r_sum += e.randomness.scalar();
      m_sum += m;
      running += e.ciphertext;
    }
    const Ciphertext total = Ciphertext::sum(cts);
    CHECK(total == running);
    CAPTURE(count);
    if (count == 0) {
      // The empty sum is (identity, identity) on purpose.
      CHECK(total.a().is_identity());
      CHECK(total.b().is_identity());
      CHECK(total == Ciphertext());
      continue;
    }
    Result<std::uint64_t> opened =
        open_with_randomness(total, pk, scalar_randomness(r_sum), 2 * count);
    REQUIRE(opened.ok());
    CHECK(*opened == m_sum);
  }
}

TEST_CASE("times(k) encrypts k times the value and times(0) is the identity pair") {
  SeededRng rng(14);
  const ElGamalPublicKey pk = test_key(rng);
  const Encryption e = encrypt(pk, 2, rng);
  const Ciphertext seven = e.ciphertext.times(7);
  CHECK(seven == Ciphertext::sum(std::vector<Ciphertext>(7, e.ciphertext)));
  Result<std::uint64_t> opened = open_with_randomness(
      seven, pk, scalar_randomness(e.randomness.scalar() * Scalar::from_u64(7)), 20);
  REQUIRE(opened.ok());
  CHECK(*opened == 14);
  CHECK(e.ciphertext.times(0) == Ciphertext());
}

TEST_CASE("ciphertext encoding round-trips and parsing is strict") {
  SeededRng rng(15);
  const ElGamalPublicKey pk = test_key(rng);
  const Encryption e = encrypt(pk, 1, rng);
  const FixedBytes<64> enc = e.ciphertext.encode();
  Result<Ciphertext> back = Ciphertext::parse(enc);
  REQUIRE(back.ok());
  CHECK(*back == e.ciphertext);
  CHECK(Ciphertext::parse(Ciphertext().encode()).ok());  // identities are valid points

  CHECK(Ciphertext::parse(ByteView(enc).first(63)).status().reason() == "bad_ciphertext");
  Bytes longer(enc.begin(), enc.end());
  longer.push_back(0);
  CHECK(Ciphertext::parse(longer).status().reason() == "bad_ciphertext");
  for (const std::size_t top : {std::size_t{31}, std::size_t{63}}) {
    Bytes twin(enc.begin(), enc.end());
    twin[top] |= 0x80;  // the non-canonical twin libsodium 1.0.18 would accept
    CAPTURE(top);
    CHECK(Ciphertext::parse(twin).status().reason() == "bad_point");
  }
  Bytes invalid(enc.begin(), enc.end());
  invalid[32] = 0x01;  // a negative field element: not a valid encoding
  for (std::size_t i = 33; i < 64; ++i) invalid[i] = 0;
  CHECK(Ciphertext::parse(invalid).status().reason() == "bad_point");
}

TEST_CASE("revealed randomness parses strictly and reveals its own bytes") {
  SeededRng rng(16);
  const Randomness r = Randomness::random(rng);
  const SecretBytes revealed = r.reveal();
  Result<Randomness> back = Randomness::parse(revealed.view());
  REQUIRE(back.ok());
  CHECK(back->scalar() == r.scalar());
  CHECK(Randomness::parse(Bytes(32, 0xff)).status().reason() == "bad_randomness");
  CHECK(Randomness::parse(Bytes(31, 0)).status().reason() == "bad_randomness");
}

}  // namespace
}  // namespace urne
