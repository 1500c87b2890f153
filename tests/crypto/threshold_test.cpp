#include "crypto/threshold.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "crypto/dkg_fixture.hpp"
#include "crypto/dlog.hpp"

namespace urne {
namespace {

using test::params;
using test::rand_in;

template <class T>
std::string reason_of(const Result<T>& r) {
  return r.ok() ? std::string("ok") : r.status().reason();
}

ElectionIdBytes election_id(std::uint8_t tag) {
  ElectionIdBytes id{};
  id.fill(tag);
  return id;
}

Bytes replaced(Bytes b, std::size_t off, ByteView with) {
  std::copy(with.begin(), with.end(), b.begin() + static_cast<std::ptrdiff_t>(off));
  return b;
}
Bytes with_byte(Bytes b, std::size_t off, std::uint8_t v) {
  b[off] = v;
  return b;
}

Scalar scalar_at(ByteView b, std::size_t off) {
  auto s = Scalar::parse(b.subspan(off, 32));
  REQUIRE(s.ok());
  return *s;
}

// Re-parses a partial decryption after changing its bytes.
PartialDecryption reparsed(const Bytes& b, const DkgParams& p) {
  auto r = PartialDecryption::parse(b, p);
  REQUIRE(r.ok());
  return *r;
}

TEST_CASE("any k of n trustees decrypt the totals of random 0/1 ballots and k-1 cannot") {
  SeededRng rng(0x7a11);
  const ElectionIdBytes eid = election_id(0x42);
  for (int round = 0; round < 24; ++round) {
    const unsigned n = rand_in(rng, 2, 16);
    const unsigned k = rand_in(rng, 2, n);
    CAPTURE(n);
    CAPTURE(k);
    const DkgParams p = params(n, k, static_cast<std::uint8_t>(round));
    const test::Ceremony c = test::start_ceremony(p, rng);
    const test::Finished f = test::finish_honest(c);
    const Point& y = f.key.election_key();

    // Three slots, a random number of ballots each marking 0 or 1 per slot.
    constexpr std::size_t kSlots = 3;
    const unsigned ballots = rand_in(rng, 0, 20);
    std::vector<CiphertextSum> sums(kSlots);
    std::vector<std::uint64_t> expected(kSlots, 0);
    for (unsigned b = 0; b < ballots; ++b) {
      for (std::size_t s = 0; s < kSlots; ++s) {
        const std::uint64_t vote = test::rand_u64(rng) & 1;
        expected[s] += vote;
        sums[s] = test::add(sums[s], test::encrypt(y, vote, rng));
      }
    }

    // A random set of k trustees, each publishing its partials as bytes.
    const std::vector<TrusteeIndex> subset = test::random_subset(rng, n, k);
    std::vector<std::vector<PartialDecryption>> published;
    for (TrusteeIndex j : subset) {
      auto mine = partial_decrypt_all(f.key, f.shares[j - 1], eid, sums, rng);
      REQUIRE(mine.ok());
      std::vector<PartialDecryption> received;
      for (const PartialDecryption& pd : *mine) {
        CHECK(pd.trustee() == j);
        received.push_back(reparsed(pd.encode(), p));
      }
      published.push_back(std::move(received));
    }
    auto totals = decrypt_totals(f.key, eid, sums, published, ballots);
    REQUIRE(totals.ok());
    CHECK(*totals == expected);

    // k-1 of them: the API refuses, and interpolating anyway gives a point
    // that is not the total.
    for (std::size_t s = 0; s < kSlots; ++s) {
      std::vector<PartialDecryption> fewer;
      std::vector<TrusteeIndex> idx;
      std::vector<Point> ds;
      for (std::size_t t = 0; t + 1 < k; ++t) {
        fewer.push_back(published[t][s]);
        idx.push_back(subset[t]);
        ds.push_back(published[t][s].d());
      }
      CHECK(reason_of(combine_partials(f.key, eid, sums[s], fewer)) == "too_few_partials");
      const Point wrong = test::combine_in_test(sums[s], idx, ds);
      CHECK(!(wrong == Point::base_mul(Scalar::from_u64(expected[s]))));
    }
    // All n together give the same totals.
    if (n > k) {
      std::vector<std::vector<PartialDecryption>> all;
      for (TrusteeIndex j = 1; j <= n; ++j) {
        all.push_back(*partial_decrypt_all(f.key, f.shares[j - 1], eid, sums, rng));
      }
      auto again = decrypt_totals(f.key, eid, sums, all, ballots);
      REQUIRE(again.ok());
      CHECK(*again == expected);
    }
  }
}

TEST_CASE("an empty sum decrypts to zero") {
  SeededRng rng(21);
  const DkgParams p = params(3, 2);
  const test::Finished f = test::finish_honest(test::start_ceremony(p, rng));
  const std::vector<CiphertextSum> empty(1);  // (identity, identity)
  std::vector<std::vector<PartialDecryption>> parts;
  for (TrusteeIndex j : {3U, 1U}) {
    auto pd = partial_decrypt_all(f.key, f.shares[j - 1], election_id(1), empty, rng);
    REQUIRE(pd.ok());
    CHECK(pd->front().d().is_identity());
    parts.push_back(*pd);
  }
  auto totals = decrypt_totals(f.key, election_id(1), empty, parts, 10);
  REQUIRE(totals.ok());
  CHECK(*totals == std::vector<std::uint64_t>{0});
}

TEST_CASE("forged partial decryptions are rejected") {
  SeededRng rng(22);
  const DkgParams p = params(4, 3);
  const test::Finished f = test::finish_honest(test::start_ceremony(p, rng));
  const ElectionIdBytes eid = election_id(7);
  const CiphertextSum sum = test::add(test::encrypt(f.key.election_key(), 1, rng),
                                      test::encrypt(f.key.election_key(), 1, rng));
  const CiphertextSum other = test::encrypt(f.key.election_key(), 1, rng);

  std::vector<PartialDecryption> good;
  for (TrusteeIndex j = 1; j <= 4; ++j) {
    auto pd = partial_decrypt(f.key, f.shares[j - 1], eid, sum, rng);
    REQUIRE(pd.ok());
    CHECK(verify_partial_decryption(f.key, eid, sum, *pd).is_ok());
    good.push_back(*pd);
  }
  const Bytes g = good[1].encode();  // trustee 2
  REQUIRE(g.size() == PartialDecryption::kSize);
  const auto verdict = [&](const PartialDecryption& pd, const CiphertextSum& s,
                           const ElectionIdBytes& e) {
    return verify_partial_decryption(f.key, e, s, pd).reason();
  };
  CHECK(verdict(reparsed(g, p), sum, eid) == "");

  // A wrong D_j with the original proof.
  const Point d_plus = good[1].d() + Point::generator();
  CHECK(verdict(reparsed(replaced(g, 34, d_plus.bytes()), p), sum, eid) == "bad_proof");
  // Another trustee's proof claimed by trustee 2 (and 2's claimed by 3).
  CHECK(verdict(reparsed(with_byte(good[0].encode(), 33, 2), p), sum, eid) == "bad_proof");
  CHECK(verdict(reparsed(with_byte(g, 33, 3), p), sum, eid) == "bad_proof");
  // A proof for another ciphertext, or another election.
  CHECK(verdict(good[1], other, eid) == "bad_proof");
  CHECK(verdict(good[1], CiphertextSum{sum.a, sum.b + Point::generator()}, eid) == "bad_proof");
  CHECK(verdict(good[1], sum, election_id(8)) == "bad_proof");
  // Flipped scalars.
  CHECK(verdict(reparsed(replaced(g, 66, (scalar_at(g, 66) + Scalar::one()).bytes()), p), sum,
                eid) == "bad_proof");
  CHECK(verdict(reparsed(replaced(g, 98, (scalar_at(g, 98) + Scalar::one()).bytes()), p), sum,
                eid) == "bad_proof");
  // The honest D_j with a proof for another ciphertext.
  auto for_other = partial_decrypt(f.key, f.shares[1], eid, other, rng);
  REQUIRE(for_other.ok());
  CHECK(verdict(reparsed(replaced(for_other->encode(), 34, good[1].d().bytes()), p), sum, eid) ==
        "bad_proof");

  // combine_partials verifies each partial before it combines.
  auto ok = combine_partials(f.key, eid, sum, std::span(good).first(3));
  REQUIRE(ok.ok());
  CHECK(*ok == Point::base_mul(Scalar::from_u64(2)));
  std::vector<PartialDecryption> forged = {good[0], reparsed(replaced(g, 34, d_plus.bytes()), p),
                                           good[2]};
  CHECK(reason_of(combine_partials(f.key, eid, sum, forged)) == "bad_proof");
  // A partial of another ceremony's key is refused as such.
  const DkgParams q = params(4, 3, 9);
  const test::Finished f2 = test::finish_honest(test::start_ceremony(q, rng));
  auto alien = partial_decrypt(f2.key, f2.shares[0], eid, sum, rng);
  REQUIRE(alien.ok());
  CHECK(verdict(*alien, sum, eid) == "wrong_ceremony");
}

TEST_CASE("duplicate and zero trustee indices are rejected") {
  CHECK(reason_of(lagrange_at_zero(std::vector<TrusteeIndex>{1, 2, 1})) == "duplicate_index");
  CHECK(reason_of(lagrange_at_zero(std::vector<TrusteeIndex>{0, 2})) == "zero_index");
  CHECK(reason_of(lagrange_at_zero(std::vector<TrusteeIndex>{})) == "no_indices");

  // lambda for {1, 2}: 2/(2-1) = 2 and 1/(1-2) = -1.
  auto l = lagrange_at_zero(std::vector<TrusteeIndex>{1, 2});
  REQUIRE(l.ok());
  CHECK((*l)[0] == Scalar::from_u64(2));
  CHECK((*l)[1] == -Scalar::one());
  // For {2, 5, 7}: lambda_2 = 5*7/((5-2)(7-2)) = 7/3, and the weights sum to 1.
  auto l3 = lagrange_at_zero(std::vector<TrusteeIndex>{2, 5, 7});
  REQUIRE(l3.ok());
  CHECK((*l3)[0] * Scalar::from_u64(3) == Scalar::from_u64(7));
  CHECK((*l3)[0] + (*l3)[1] + (*l3)[2] == Scalar::one());

  SeededRng rng(23);
  const DkgParams p = params(3, 2);
  const test::Finished f = test::finish_honest(test::start_ceremony(p, rng));
  const CiphertextSum sum = test::encrypt(f.key.election_key(), 1, rng);
  auto p1 = partial_decrypt(f.key, f.shares[0], election_id(1), sum, rng);
  REQUIRE(p1.ok());
  // The same trustee twice does not count as two.
  CHECK(reason_of(combine_partials(f.key, election_id(1), sum,
                                   std::vector<PartialDecryption>{*p1, *p1})) == "duplicate_index");
  const std::vector<std::vector<PartialDecryption>> twice = {{*p1}, {*p1}};
  CHECK(reason_of(decrypt_totals(f.key, election_id(1), std::span(&sum, 1), twice, 5)) ==
        "duplicate_index");
  // Index 0 (and n+1) cannot even be parsed.
  CHECK(reason_of(PartialDecryption::parse(with_byte(p1->encode(), 33, 0), p)) == "bad_index");
  CHECK(reason_of(PartialDecryption::parse(with_byte(p1->encode(), 33, 4), p)) == "bad_index");
}

TEST_CASE("the partial decryption parser rejects malformed and non-canonical encodings") {
  SeededRng rng(24);
  const DkgParams p = params(2, 2);
  const test::Finished f = test::finish_honest(test::start_ceremony(p, rng));
  const CiphertextSum sum = test::encrypt(f.key.election_key(), 0, rng);
  auto pd = partial_decrypt(f.key, f.shares[1], election_id(3), sum, rng);
  REQUIRE(pd.ok());
  const Bytes g = pd->encode();
  const auto why = [&](const Bytes& b) { return reason_of(PartialDecryption::parse(b, p)); };
  CHECK(why(g) == "ok");
  CHECK(PartialDecryption::parse(g, p)->encode() == g);
  CHECK(why(Bytes(g.begin(), g.end() - 1)) == "bad_length");
  CHECK(why(Bytes()) == "bad_length");
  Bytes longer = g;
  longer.push_back(0);
  CHECK(why(longer) == "bad_length");
  CHECK(why(with_byte(g, 0, kTagComplaint)) == "bad_tag");
  CHECK(why(with_byte(g, 17, g[17] ^ 1)) == "wrong_ceremony");
  CHECK(why(with_byte(g, 65, g[65] | 0x80)) == "bad_point");  // bit 255 of D
  Bytes p_field(32, 0xff);
  p_field[0] = 0xed;
  p_field[31] = 0x7f;
  CHECK(why(replaced(g, 34, p_field)) == "bad_point");
  CHECK(why(replaced(g, 66, Bytes(32, 0xff))) == "bad_scalar");
  CHECK(why(replaced(g, 98, Bytes(32, 0xff))) == "bad_scalar");
  // c + l: the same value in a second byte form.
  Bytes c_plus_l(g.begin() + 66, g.begin() + 98);
  const std::uint8_t order[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                  0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                  0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const unsigned v = c_plus_l[i] + order[i] + carry;
    c_plus_l[i] = static_cast<std::uint8_t>(v);
    carry = v >> 8;
  }
  CHECK(why(replaced(g, 66, c_plus_l)) == "bad_scalar");
}

TEST_CASE("a trustee cannot decrypt with a share that is not its published public share") {
  SeededRng rng(25);
  const DkgParams p = params(3, 2);
  const test::Finished f = test::finish_honest(test::start_ceremony(p, rng));
  // Same ceremony id and indices, different polynomials.
  const test::Finished g = test::finish_honest(test::start_ceremony(p, rng));
  const CiphertextSum sum = test::encrypt(f.key.election_key(), 1, rng);
  CHECK(reason_of(partial_decrypt(f.key, g.shares[0], election_id(1), sum, rng)) ==
        "share_mismatch");
  const test::Finished h = test::finish_honest(test::start_ceremony(params(3, 2, 6), rng));
  CHECK(reason_of(partial_decrypt(f.key, h.shares[0], election_id(1), sum, rng)) ==
        "wrong_ceremony");
}

TEST_CASE("decrypting totals needs one partial per sum from each trustee") {
  SeededRng rng(26);
  const DkgParams p = params(3, 2);
  const test::Finished f = test::finish_honest(test::start_ceremony(p, rng));
  const std::vector<CiphertextSum> sums = {test::encrypt(f.key.election_key(), 1, rng),
                                           test::encrypt(f.key.election_key(), 0, rng)};
  const ElectionIdBytes eid = election_id(2);
  auto a = partial_decrypt_all(f.key, f.shares[0], eid, sums, rng);
  auto b = partial_decrypt_all(f.key, f.shares[1], eid, sums, rng);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*decrypt_totals(f.key, eid, sums, std::vector{*a, *b}, 1) ==
        std::vector<std::uint64_t>{1, 0});
  std::vector<PartialDecryption> short_b = {(*b)[0]};
  CHECK(reason_of(decrypt_totals(f.key, eid, sums, std::vector{*a, short_b}, 1)) ==
        "bad_partial_count");
  std::vector<PartialDecryption> mixed = {(*b)[0], (*a)[1]};
  CHECK(reason_of(decrypt_totals(f.key, eid, sums, std::vector{*a, mixed}, 1)) ==
        "inconsistent_partials");
  // Partials in the wrong order (sum 1's for sum 0) fail their proofs.
  std::vector<PartialDecryption> swapped = {(*b)[1], (*b)[0]};
  CHECK(reason_of(decrypt_totals(f.key, eid, sums, std::vector{*a, swapped}, 1)) == "bad_proof");
  // A total above the bound is reported, not guessed.
  CHECK(reason_of(decrypt_totals(f.key, eid, sums, std::vector{*a, *b}, 0)) == "dlog_not_found");
}

TEST_CASE("threshold one is reachable only through the test-only parameters") {
  CHECK(!DkgParams::create(test::ceremony_id(1), 3, 1).ok());
  SeededRng rng(27);
  const DkgParams p = params(3, 1);
  const test::Finished f = test::finish_honest(test::start_ceremony(p, rng));
  const CiphertextSum sum = test::add(test::encrypt(f.key.election_key(), 1, rng),
                                      test::encrypt(f.key.election_key(), 1, rng));
  for (TrusteeIndex j = 1; j <= 3; ++j) {
    auto pd = partial_decrypt_all(f.key, f.shares[j - 1], election_id(1), std::span(&sum, 1), rng);
    REQUIRE(pd.ok());
    auto totals = decrypt_totals(f.key, election_id(1), std::span(&sum, 1),
                                 std::vector<std::vector<PartialDecryption>>{*pd}, 5);
    REQUIRE(totals.ok());
    CHECK(*totals == std::vector<std::uint64_t>{2});
  }
  // A single trustee ceremony (n = k = 1) works too.
  const DkgParams one = params(1, 1, 3);
  const test::Finished g = test::finish_honest(test::start_ceremony(one, rng));
  const CiphertextSum s1 = test::encrypt(g.key.election_key(), 1, rng);
  auto pd = partial_decrypt_all(g.key, g.shares[0], election_id(1), std::span(&s1, 1), rng);
  REQUIRE(pd.ok());
  CHECK(*decrypt_totals(g.key, election_id(1), std::span(&s1, 1),
                        std::vector<std::vector<PartialDecryption>>{*pd},
                        1) == std::vector<std::uint64_t>{1});
}

}  // namespace
}  // namespace urne
