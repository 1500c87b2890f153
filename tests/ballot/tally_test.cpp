#include "ballot/tally.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "board_fixture.hpp"
#include "crypto/hash.hpp"

namespace urne {
namespace {

using test::Election;
using test::ElectionConfig;
using test::make_election;
using test::must;
using test::reason_of;

ElectionConfig small_config() {
  ElectionConfig cfg;
  cfg.candidates = 5;
  cfg.max_marks = 3;
  cfg.trustees = 3;
  cfg.threshold = 2;
  cfg.institutions = 5;
  cfg.checked_in = 5;
  cfg.voters = 5;
  cfg.decrypting = {1, 2};
  cfg.last_state = ElectionState::kClosed;
  return cfg;
}

Election& shared() {
  static Election e = make_election(small_config(), 0x7a11);
  return e;
}

FixedBytes<32> h(std::uint8_t b) {
  FixedBytes<32> x{};
  x.fill(b);
  return x;
}

TEST_CASE("decrypted totals equal the plaintext sums for random elections and trustee subsets") {
  SeededRng pick(4242);
  for (int round = 0; round < 16; ++round) {
    ElectionConfig cfg;
    cfg.candidates = 1 + test::below(pick, 20);
    cfg.invalid_offered = test::below(pick, 2) == 1;
    cfg.max_marks = 1 + test::below(pick, std::min<std::uint32_t>(cfg.candidates, 7));
    cfg.trustees = 2 + test::below(pick, 3);
    cfg.threshold = 2 + test::below(pick, cfg.trustees - 1);
    cfg.institutions = 1 + test::below(pick, 8);
    cfg.checked_in = cfg.institutions;
    cfg.voters = test::below(pick, static_cast<std::uint32_t>(cfg.institutions) + 1);
    cfg.last_state = ElectionState::kClosed;
    INFO("round " << round << ": " << cfg.candidates << " candidates, " << cfg.threshold << "-of-"
                  << cfg.trustees << ", " << cfg.voters << " ballots");
    Election e = make_election(cfg, 500 + static_cast<std::uint64_t>(round));
    const BoardContents& c = *e.contents;

    // Every subset of exactly k trustees, and all n, decrypt the same totals.
    std::vector<std::vector<TrusteeIndex>> subsets;
    subsets.push_back(test::random_subset(e.rng, cfg.trustees, cfg.threshold));
    subsets.push_back(test::random_subset(e.rng, cfg.trustees, cfg.trustees));
    for (std::vector<TrusteeIndex>& s : subsets) {
      std::sort(s.begin(), s.end());
      const Totals t = must(combine(e.m(), c.sums, e.decrypt(c.sums, s), c.ballots.size()));
      CHECK(t == e.expected);
      CHECK(t.valid() == e.expected.ballots_cast - e.expected.abstentions - e.expected.invalid);
    }
  }
}

TEST_CASE("the sums are the slot-wise homomorphic sums of the ballots") {
  Election& e = shared();
  const BoardContents& c = *e.contents;
  const std::vector<CiphertextSum> sums = must(compute_sums(e.m(), c.ballots));
  REQUIRE(sums.size() == e.m().ballot_layout().slot_count());
  for (std::size_t s = 0; s < sums.size(); ++s) {
    Ciphertext acc;
    for (const CastBallot& b : c.ballots) acc += b.proven().ciphertexts[s];
    CHECK(sums[s].a == acc.a());
    CHECK(sums[s].b == acc.b());
  }
  // Order does not matter; a missing ballot does.
  std::vector<CastBallot> reversed(c.ballots.rbegin(), c.ballots.rend());
  const std::vector<CiphertextSum> again = must(compute_sums(e.m(), reversed));
  CHECK(same_sums(again, sums));
  reversed.pop_back();
  const std::vector<CiphertextSum> fewer = must(compute_sums(e.m(), reversed));
  CHECK_FALSE(same_sum(fewer[0], sums[0]));
  CHECK_FALSE(same_sums(fewer, sums));
  CHECK_FALSE(same_sums(std::span(sums).first(sums.size() - 1), sums));  // one sum fewer
}

TEST_CASE("no ballots sum to identities that decrypt to zero") {
  Election& e = shared();
  const std::vector<CiphertextSum> sums = must(compute_sums(e.m(), {}));
  for (const CiphertextSum& s : sums) {
    CHECK(s.a.is_identity());
    CHECK(s.b.is_identity());
  }
  const Totals t = must(combine(e.m(), sums, e.decrypt(sums, {2, 3}), 0));
  CHECK(t.ballots_cast == 0);
  CHECK(t.valid() == 0);
  CHECK(std::all_of(t.marks.begin(), t.marks.end(), [](std::uint64_t m) { return m == 0; }));
}

TEST_CASE("a ballot of another layout cannot be summed") {
  Election& e = shared();
  ElectionConfig other = small_config();
  other.candidates = 4;
  other.voters = 1;
  other.checked_in = 1;
  const Election f = make_election(other, 0x0b);
  std::vector<CastBallot> mixed = e.contents->ballots;
  mixed.push_back(f.contents->ballots.front());
  CHECK(reason_of(compute_sums(e.m(), mixed)) == "wrong_slot_count");
}

TEST_CASE("combine refuses what does not decrypt the sums of the ballots") {
  Election& e = shared();
  const BoardContents& c = *e.contents;
  const std::uint64_t cast = c.ballots.size();
  const std::vector<TrusteePartials> good = e.decrypt(c.sums, {1, 3});
  REQUIRE(combine(e.m(), c.sums, good, cast).ok());

  SUBCASE("too few trustees") {
    CHECK(reason_of(combine(e.m(), c.sums, std::span(good).first(1), cast)) == "too_few_partials");
  }
  SUBCASE("a trustee twice") {
    std::vector<TrusteePartials> twice = {good[0], good[0]};
    CHECK(reason_of(combine(e.m(), c.sums, twice, cast)) == "duplicate_trustee");
  }
  SUBCASE("a partial missing") {
    std::vector<TrusteePartials> short_list = good;
    short_list[1].partials.pop_back();
    CHECK(reason_of(combine(e.m(), c.sums, short_list, cast)) == "bad_partial_count");
  }
  SUBCASE("a list mislabelled") {
    std::vector<TrusteePartials> wrong = good;
    wrong[1].trustee = 2;
    CHECK(reason_of(combine(e.m(), c.sums, wrong, cast)) == "inconsistent_partials");
  }
  SUBCASE("a partial of another sum") {
    std::vector<TrusteePartials> swapped = good;
    std::swap(swapped[0].partials[0], swapped[0].partials[1]);
    const auto r = combine(e.m(), c.sums, swapped, cast);
    CHECK(reason_of(r) == "partial_decryption_invalid");
    CHECK(r.status().message().find("trustee 1, slot 0") != std::string::npos);
  }
  SUBCASE("a sum missing") {
    CHECK(reason_of(combine(e.m(), std::span(c.sums).first(c.sums.size() - 1), good, cast)) ==
          "wrong_sum_count");
  }
  SUBCASE("fewer ballots than a total") {
    // Some candidate has at least one mark; claim there were no ballots.
    REQUIRE(std::any_of(e.expected.marks.begin(), e.expected.marks.end(),
                        [](std::uint64_t m) { return m > 0; }));
    CHECK(reason_of(combine(e.m(), c.sums, good, 0)) == "totals_out_of_range");
  }
}

TEST_CASE("the ballot set hash is that of the sorted set with its count") {
  const std::vector<FixedBytes<32>> set = {h(3), h(1), h(2)};
  Bytes in;
  append_u16(in, 18);
  append(in, as_bytes("urne/ballot-set/v1"));
  append_u32(in, 3);
  for (int b = 1; b <= 3; ++b) append(in, h(static_cast<std::uint8_t>(b)));
  CHECK(ballot_set_hash(set) == sha256(in));

  const std::vector<FixedBytes<32>> reordered = {h(2), h(3), h(1)};
  CHECK(ballot_set_hash(reordered) == ballot_set_hash(set));
  const std::vector<FixedBytes<32>> fewer = {h(2), h(3)};
  CHECK(ballot_set_hash(fewer) != ballot_set_hash(set));
  const std::vector<FixedBytes<32>> doubled = {h(1), h(2), h(3), h(3)};
  CHECK(ballot_set_hash(doubled) != ballot_set_hash(set));
  CHECK(ballot_set_hash(std::span<const FixedBytes<32>>{}) != ballot_set_hash(fewer));

  // The CastBallot overload hashes the ballots' hashes.
  const std::vector<CastBallot>& ballots = shared().contents->ballots;
  std::vector<FixedBytes<32>> hashes;
  for (const CastBallot& b : ballots) hashes.push_back(b.ballot_hash());
  CHECK(ballot_set_hash(ballots) == ballot_set_hash(hashes));
}

TEST_CASE("totals are consistent only when abstentions, invalid and marks fit the ballots") {
  Totals t;
  t.marks = {2, 0, 1};
  t.ballots_cast = 4;
  t.abstentions = 1;
  t.invalid = 1;
  CHECK(t.consistent());
  CHECK(t.valid() == 2);
  t.marks[0] = 3;  // more marks than valid ballots
  CHECK_FALSE(t.consistent());
  t.marks[0] = 2;
  t.invalid = 4;
  CHECK_FALSE(t.consistent());
  t.invalid = ~std::uint64_t{0};  // no overflow
  CHECK_FALSE(t.consistent());
}

TEST_CASE("the ballot-set hash matches the published vector") {
  // docs/protocol.md §9.2, recomputed independently with Python's hashlib.
  FixedBytes<32> a{};
  FixedBytes<32> b{};
  a.fill(0x01);
  b.fill(0x02);
  const std::vector<FixedBytes<32>> hashes = {b, a};  // sorted by the function
  CHECK(hex_encode(ballot_set_hash(hashes)) ==
        "45aa76190e4e2c27a059829477ef5c88afc7a8b7850131f83194ff01211a8a77");
}

}  // namespace
}  // namespace urne
