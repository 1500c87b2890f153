#include "ballot/counting.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace urne {
namespace {

using Marks = std::vector<std::uint64_t>;
using Ids = std::vector<std::uint32_t>;

LotInputs lot_from(std::uint8_t seed_byte, std::uint8_t set_byte) {
  LotInputs lot;
  lot.seed.fill(seed_byte);
  lot.ballot_set_hash.fill(set_byte);
  return lot;
}

CountOutcome must_count(const Marks& marks, const CountingRule& rule,
                        const std::optional<LotInputs>& lot) {
  auto r = count(marks, rule, lot);
  REQUIRE(r.ok());
  return std::move(r).value();
}

bool contains(const Ids& v, std::uint32_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

TEST_CASE("without ties the top seven are elected and the next two are substitutes in order") {
  const Marks m = {50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40};
  const CountOutcome o = must_count(m, {}, std::nullopt);
  CHECK(o.elected == Ids{0, 1, 2, 3, 4, 5, 6});
  CHECK(o.substitutes == Ids{7, 8});
  CHECK(o.ties.empty());
  CHECK_FALSE(o.lot_drawn);
}

TEST_CASE("a tie inside the elected ranks is reported and not drawn") {
  const Marks m = {30, 30, 30, 20, 19, 18, 17, 16, 15, 14};
  const CountOutcome o = must_count(m, {}, std::nullopt);  // no lot inputs needed
  REQUIRE(o.ties.size() == 1);
  CHECK(o.ties[0].resolution == TieResolution::kNotNeeded);
  CHECK(o.ties[0].members == Ids{0, 1, 2});
  CHECK(o.elected.size() == 7);
  CHECK(o.substitutes == Ids{7, 8});
}

TEST_CASE("a tie beyond the last substitute place is reported and not drawn") {
  const Marks m = {20, 19, 18, 17, 16, 15, 14, 13, 12, 5, 5};
  const CountOutcome o = must_count(m, {}, std::nullopt);
  REQUIRE(o.ties.size() == 1);
  CHECK(o.ties[0].first_rank == 10);
  CHECK(o.ties[0].resolution == TieResolution::kNotNeeded);
  CHECK(o.substitutes == Ids{7, 8});
}

TEST_CASE("a tie at the last seat (7/8) is settled by the lot") {
  const Marks m = {20, 19, 18, 17, 16, 15, 10, 10, 5, 4};
  const LotInputs lot = lot_from(1, 2);
  const CountOutcome o = must_count(m, {}, lot);
  REQUIRE(o.ties.size() == 1);
  CHECK(o.ties[0].resolution == TieResolution::kLot);
  CHECK(o.lot_drawn);
  // The lower lot key wins the seat; the other becomes first substitute.
  const bool six_first = lot_key(lot, 6) < lot_key(lot, 7);
  const std::uint32_t winner = six_first ? 6 : 7;
  const std::uint32_t loser = six_first ? 7 : 6;
  CHECK(o.elected.back() == winner);
  CHECK(o.substitutes == Ids{loser, 8});
}

TEST_CASE("without lot inputs a tie that matters cannot be counted") {
  const Marks m = {20, 19, 18, 17, 16, 15, 10, 10, 5};
  auto r = count(m, {}, std::nullopt);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().reason() == "lot_inputs_missing");
}

TEST_CASE("ties at 9/10 and between substitutes 8 and 9 are drawn") {
  const LotInputs lot = lot_from(3, 4);
  SUBCASE("9/10") {
    const Marks m = {20, 19, 18, 17, 16, 15, 14, 13, 9, 9, 1};
    const CountOutcome o = must_count(m, {}, lot);
    REQUIRE(o.ties.size() == 1);
    CHECK(o.ties[0].resolution == TieResolution::kLot);
    CHECK(o.substitutes.size() == 2);
    CHECK(o.substitutes[0] == 7);
    const std::uint32_t second = lot_key(lot, 8) < lot_key(lot, 9) ? 8 : 9;
    CHECK(o.substitutes[1] == second);
  }
  SUBCASE("8/9") {
    const Marks m = {20, 19, 18, 17, 16, 15, 14, 9, 9, 1};
    const CountOutcome o = must_count(m, {}, lot);
    REQUIRE(o.ties.size() == 1);
    CHECK(o.ties[0].resolution == TieResolution::kLot);
    const bool seven_first = lot_key(lot, 7) < lot_key(lot, 8);
    CHECK(o.substitutes == (seven_first ? Ids{7, 8} : Ids{8, 7}));
  }
}

TEST_CASE("a three-way tie across ranks 7, 8 and 9 is ordered by one lot") {
  const Marks m = {20, 19, 18, 17, 16, 15, 10, 10, 10, 2};
  const LotInputs lot = lot_from(5, 6);
  const CountOutcome o = must_count(m, {}, lot);
  REQUIRE(o.ties.size() == 1);
  CHECK(o.ties[0].first_rank == 7);
  CHECK(o.ties[0].last_rank == 9);
  Ids tied = {6, 7, 8};
  std::sort(tied.begin(), tied.end(),
            [&](std::uint32_t a, std::uint32_t b) { return lot_key(lot, a) < lot_key(lot, b); });
  CHECK(o.elected.back() == tied[0]);
  CHECK(o.substitutes == Ids{tied[1], tied[2]});
}

TEST_CASE("under the runoff rule a tie that matters leaves its places undecided") {
  CountingRule rule;
  rule.tie_rule = TieRule::kRunoff;
  const Marks m = {20, 19, 18, 17, 16, 15, 10, 10, 10, 2};
  const CountOutcome o = must_count(m, rule, std::nullopt);
  REQUIRE(o.ties.size() == 1);
  CHECK(o.ties[0].resolution == TieResolution::kRunoff);
  CHECK(o.ties[0].members == Ids{6, 7, 8});
  CHECK(o.undecided_ranks == Ids{7, 8, 9});
  CHECK(o.elected == Ids{0, 1, 2, 3, 4, 5});
  CHECK(o.substitutes.empty());
  CHECK_FALSE(o.lot_drawn);
}

TEST_CASE("when all abstain or no ballot is cast nobody is elected") {
  const Marks m(12, 0);
  const CountOutcome o = must_count(m, {}, std::nullopt);
  CHECK(o.elected.empty());
  CHECK(o.substitutes.empty());
  CHECK(o.ties.empty());  // zero-mark candidates form no tie that counts
}

TEST_CASE("one ballot elects exactly the candidates it marks") {
  Marks m(12, 0);
  m[3] = m[5] = m[11] = 1;
  const CountOutcome o = must_count(m, {}, std::nullopt);
  CHECK(o.elected == Ids{3, 5, 11});  // a tie, but all of them are elected
  CHECK(o.substitutes.empty());
  REQUIRE(o.ties.size() == 1);
  CHECK(o.ties[0].resolution == TieResolution::kNotNeeded);
}

TEST_CASE("with fewer candidates than seats every marked candidate is elected") {
  const Marks m = {3, 0, 2, 1};
  const CountOutcome o = must_count(m, {}, std::nullopt);
  CHECK(o.elected == Ids{0, 2, 3});
  CHECK(o.substitutes.empty());
}

TEST_CASE("candidates with zero marks are neither elected nor substitutes") {
  const Marks m = {9, 8, 7, 6, 5, 4, 3, 2, 0, 0, 0};
  const CountOutcome o = must_count(m, {}, std::nullopt);
  CHECK(o.elected.size() == 7);
  CHECK(o.substitutes == Ids{7});
  CHECK_FALSE(contains(o.substitutes, 8));
}

TEST_CASE("the lot is reproducible and changes with the seed or the ballot set") {
  const LotInputs a = lot_from(7, 8);
  CHECK(lot_key(a, 3) == lot_key(lot_from(7, 8), 3));
  CHECK(lot_key(a, 3) != lot_key(lot_from(9, 8), 3));
  CHECK(lot_key(a, 3) != lot_key(lot_from(7, 9), 3));
  CHECK(lot_key(a, 3) != lot_key(a, 4));
  // Over many seeds, both orders of a two-way tie occur: the lot decides.
  const Marks m = {20, 19, 18, 17, 16, 15, 10, 10, 5};
  int first_wins = 0;
  for (int s = 0; s < 64; ++s) {
    const CountOutcome o = must_count(m, {}, lot_from(static_cast<std::uint8_t>(s), 1));
    if (o.elected.back() == 6) ++first_wins;
  }
  CHECK(first_wins > 0);
  CHECK(first_wins < 64);
}

TEST_CASE("a revealed seed must match its commitment") {
  FixedBytes<32> seed{};
  seed.fill(0x42);
  const FixedBytes<32> c = lot_seed_commitment(seed);
  CHECK(lot_seed_matches(seed, c));
  FixedBytes<32> other = seed;
  other[0] ^= 1;
  CHECK_FALSE(lot_seed_matches(other, c));
  CHECK(hex_encode(c) == hex_encode(lot_seed_commitment(seed)));
}

TEST_CASE("the lot's commitment and keys match the published vectors") {
  // docs/protocol.md §9.2; the expected values were recomputed independently
  // with Python's hashlib from the documented layout.
  LotInputs lot;
  lot.seed.fill(0x42);
  lot.ballot_set_hash.fill(0x17);
  CHECK(hex_encode(lot_seed_commitment(lot.seed)) ==
        "59b4c436d0f05e475f4370a94fba9403ab8f89f0d274d1be91a5a78355396dee");
  CHECK(hex_encode(lot_key(lot, 3)) ==
        "8e2ddfe9cc9fcc307df8a0f49634e5b1432526e905fa28985969fe4002e3d3ea");
}

}  // namespace
}  // namespace urne
