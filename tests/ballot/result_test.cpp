#include "ballot/result.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "ballot/audit.hpp"
#include "board_fixture.hpp"

namespace urne {
namespace {

using test::Election;
using test::ElectionConfig;
using test::failures_of;
using test::make_election;
using test::must;
using test::reason_of;
using Ids = std::vector<std::uint32_t>;

// Nine candidates, seven seats, two substitutes. Marks: candidates 0..5
// three each, 6 and 7 two each (tied for rank 7/8), 8 one.
ElectionConfig tie_config(TieRule rule) {
  ElectionConfig cfg;
  cfg.candidates = 9;
  cfg.max_marks = 7;
  cfg.tie_rule = rule;
  cfg.trustees = 2;
  cfg.threshold = 2;
  cfg.institutions = 5;
  cfg.checked_in = 4;
  cfg.choices = std::vector<Choice>{
      Choice::of_marks({0, 1, 2, 3, 4, 5, 6}),
      Choice::of_marks({0, 1, 2, 3, 4, 5, 7}),
      Choice::of_marks({0, 1, 2, 3, 4, 5, 8}),
      Choice::of_marks({6, 7}),
  };
  return cfg;
}

Election& lot_election() {
  static Election e = make_election(tie_config(TieRule::kLot), 0x7007);
  return e;
}

std::vector<FixedBytes<32>> hashes_of(const BoardContents& c) {
  std::vector<FixedBytes<32>> out;
  for (const CastBallot& b : c.ballots) out.push_back(b.ballot_hash());
  return out;
}

TEST_CASE("a tie at places 7 and 8 is drawn by the lot and reproduced by the audit") {
  Election& e = lot_election();
  const BoardContents& c = *e.contents;
  const ElectionResult& r = c.result->result;
  CHECK(r.totals().marks == std::vector<std::uint64_t>{3, 3, 3, 3, 3, 3, 2, 2, 1});
  CHECK(r.outcome().lot_drawn);
  REQUIRE(r.outcome().ties.size() == 2);  // 0..5 (all elected, not drawn) and {6, 7}
  CHECK(r.outcome().ties[0].resolution == TieResolution::kNotNeeded);
  const TieGroup& g = r.outcome().ties[1];
  CHECK(g.members == Ids{6, 7});
  CHECK(g.first_rank == 7);
  CHECK(g.last_rank == 8);
  CHECK(g.resolution == TieResolution::kLot);

  // The lower lot key wins place 7, the other becomes the first substitute.
  const LotInputs lot{e.seed, ballot_set_hash(c.ballots)};
  CHECK(r.lot().seed == e.seed);
  CHECK(r.lot().ballot_set_hash == lot.ballot_set_hash);
  const std::uint32_t first = lot_key(lot, 6) < lot_key(lot, 7) ? 6 : 7;
  const std::uint32_t second = first == 6 ? 7 : 6;
  CHECK(r.lot().keys ==
        std::vector<LotKey>{{first, lot_key(lot, first)}, {second, lot_key(lot, second)}});
  CHECK(r.outcome().elected == Ids{0, 1, 2, 3, 4, 5, first});
  CHECK(r.outcome().substitutes == Ids{second, 8});

  const AuditReport audit = audit_board(*e.board);
  INFO("failed: " << failures_of(audit));
  CHECK(audit.ok());

  // The report says how it was drawn.
  const ResultReport report = must(e.board->report());
  CHECK(report.lot_drawn);
  REQUIRE(report.ties.size() == 2);
  CHECK(report.ties[1].drawn_order == r.lot().keys);
  CHECK(report.lot.seed == e.seed);
  CHECK(report.runoff_among.empty());
  CHECK(report.candidates[first].rank == 7);
  CHECK(report.candidates[second].rank == 8);
}

TEST_CASE("a lot drawn the other way is caught by the audit") {
  Election& e = lot_election();
  BoardContents c = *e.contents;
  ResultData d = c.result->result.data();
  // Swap the tied pair everywhere, keys included: a consistent-looking lie.
  const std::uint32_t first = d.outcome.elected.back();
  const std::uint32_t second = d.outcome.substitutes.front();
  d.outcome.elected.back() = second;
  d.outcome.substitutes.front() = first;
  std::swap(d.outcome.ranking[6], d.outcome.ranking[7]);
  std::swap(d.lot.keys[0], d.lot.keys[1]);
  e.set_result(c, d);
  const AuditReport r = audit_board(e.sign(c));
  CHECK(r.failed("result.lot"));
  CHECK(r.failed("result.elected"));
  CHECK(r.failed("result.substitutes"));
  CHECK(r.failed("result.ranking"));
  CHECK(r.find("result.totals")->status == CheckStatus::kPass);

  // The same result under another ballot set (a ballot swapped after the
  // close would change the lot): the ballot set hash no longer matches.
  d = e.contents->result->result.data();
  d.lot.ballot_set_hash[0] ^= 0x01;
  e.set_result(c, d);
  const AuditReport r2 = audit_board(e.sign(c));
  CHECK(r2.failed("lot.ballot_set"));
  CHECK(r2.failed("result.lot"));
}

TEST_CASE("under the runoff rule the tie at places 7 and 8 is reported, not drawn") {
  const Election e = make_election(tie_config(TieRule::kRunoff), 0x2b0f);
  const ElectionResult& r = e.contents->result->result;
  CHECK_FALSE(r.outcome().lot_drawn);
  CHECK(r.lot().keys.empty());
  CHECK(r.outcome().undecided_ranks == Ids{7, 8});
  CHECK(r.outcome().elected == Ids{0, 1, 2, 3, 4, 5});
  CHECK(r.outcome().substitutes == Ids{8});
  REQUIRE(r.outcome().ties.size() == 2);
  CHECK(r.outcome().ties[1].resolution == TieResolution::kRunoff);

  const AuditReport audit = audit_board(*e.board);
  INFO("failed: " << failures_of(audit));
  CHECK(audit.ok());

  const ResultReport report = must(e.board->report());
  CHECK(report.runoff_among == Ids{6, 7});
  CHECK(report.undecided_ranks == Ids{7, 8});
  CHECK(report.tie_rule == TieRule::kRunoff);
  CHECK_FALSE(report.lot_drawn);
}

TEST_CASE("the report carries the figures of the Wahlniederschrift") {
  Election& e = lot_election();
  const ResultReport r = must(e.board->report());
  CHECK(r.title == e.m().title());
  CHECK(r.election_id == e.m().election_id());
  CHECK(r.entitled == 5);
  CHECK(r.checked_in == 4);
  CHECK(r.voting == 4);
  CHECK(r.ballots_cast == 4);
  CHECK(r.abstentions == 0);
  CHECK(r.invalid == 0);
  CHECK(r.valid == 4);
  CHECK(r.seats == 7);
  CHECK(r.substitute_places == 2);
  REQUIRE(r.candidates.size() == 9);
  CHECK(r.candidates[8].name == e.m().candidates()[8].name);
  CHECK(r.candidates[8].marks == 1);
  CHECK(r.candidates[8].rank == 9);
  CHECK(r.board_fingerprint == e.board->fingerprint());
  CHECK(r.board_fingerprint_short == e.board->short_fingerprint());

  // A board without a result has no report.
  BoardContents c = *e.contents;
  c.result.reset();
  CHECK(reason_of(e.sign(c).report()) == "no_result");
}

TEST_CASE("abstentions and invalid ballots are counted separately from the valid ones") {
  ElectionConfig cfg = tie_config(TieRule::kLot);
  cfg.institutions = 6;
  cfg.checked_in = 6;
  cfg.choices =
      std::vector<Choice>{Choice::of_marks({0, 1}), Choice::abstention(), Choice::invalid_ballot(),
                          Choice::invalid_ballot(), Choice::of_marks({1})};
  const Election e = make_election(cfg, 0xab5);
  const ResultReport r = must(e.board->report());
  CHECK(r.ballots_cast == 5);
  CHECK(r.abstentions == 1);
  CHECK(r.invalid == 2);
  CHECK(r.valid == 2);
  CHECK(r.checked_in == 6);
  CHECK(r.candidates[1].marks == 2);
  CHECK(r.elected == Ids{1, 0});
  CHECK(audit_board(*e.board).ok());
}

TEST_CASE("derive_result refuses inputs that no honest board has") {
  Election& e = lot_election();
  const BoardContents& c = *e.contents;
  const std::vector<FixedBytes<32>> hashes = hashes_of(c);
  const Totals totals = c.result->result.totals();
  const std::size_t issued = c.issuance.size();
  REQUIRE(derive_result(e.m(), c.roster, issued, hashes, totals, e.seed).ok());

  FixedBytes<32> other_seed = e.seed;
  other_seed[0] ^= 1;
  CHECK(reason_of(derive_result(e.m(), c.roster, issued, hashes, totals, other_seed)) ==
        "lot_seed_mismatch");
  const Roster other_roster =
      must(Roster::create("Andere Tagung", c.roster.credential_context(), c.roster.institutions()));
  CHECK(reason_of(derive_result(e.m(), other_roster, issued, hashes, totals, e.seed)) ==
        "roster_mismatch");
  CHECK(reason_of(derive_result(e.m(), c.roster, hashes.size() - 1, hashes, totals, e.seed)) ==
        "more_ballots_than_tokens");
  CHECK(reason_of(derive_result(e.m(), c.roster, c.roster.institutions().size() + 1, hashes, totals,
                                e.seed)) == "more_tokens_than_institutions");
  CHECK(reason_of(derive_result(e.m(), c.roster, issued, std::span(hashes).first(3), totals,
                                e.seed)) == "ballot_count_mismatch");
  Totals t = totals;
  t.marks.pop_back();
  CHECK(reason_of(derive_result(e.m(), c.roster, issued, hashes, t, e.seed)) ==
        "wrong_candidate_count");
  t = totals;
  t.abstentions = 3;
  t.invalid = 2;
  CHECK(reason_of(derive_result(e.m(), c.roster, issued, hashes, t, e.seed)) ==
        "inconsistent_totals");
  t = totals;
  t.marks[0] = 5;
  CHECK(reason_of(derive_result(e.m(), c.roster, issued, hashes, t, e.seed)) ==
        "inconsistent_totals");
}

TEST_CASE("derive_result refuses invalid ballots where the election offers none") {
  ElectionConfig cfg = tie_config(TieRule::kLot);
  cfg.invalid_offered = false;
  cfg.choices = std::vector<Choice>{Choice::of_marks({0})};
  const Election e = make_election(cfg, 0x1f);
  const BoardContents& c = *e.contents;
  Totals t = c.result->result.totals();
  t.marks[0] = 0;
  t.invalid = 1;
  CHECK(reason_of(derive_result(e.m(), c.roster, c.issuance.size(), hashes_of(c), t, e.seed)) ==
        "invalid_not_offered");
}

TEST_CASE("a result survives its canonical encoding and every truncation fails") {
  const ElectionResult& r = lot_election().contents->result->result;
  const Bytes& bytes = r.canonical_bytes();
  const ElectionResult parsed = must(ElectionResult::parse_canonical(bytes));
  CHECK(parsed.canonical_bytes() == bytes);
  CHECK(parsed.hash() == r.hash());
  CHECK(parsed.lot() == r.lot());
  CHECK(parsed.totals() == r.totals());
  CHECK(same_ranking(parsed.outcome(), r.outcome()));
  CHECK(same_ties(parsed.outcome(), r.outcome()));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CHECK_FALSE(ElectionResult::parse_canonical(ByteView(bytes).first(n)).ok());
  }
  Bytes longer = bytes;
  longer.push_back(0);
  CHECK(reason_of(ElectionResult::parse_canonical(longer)) == "trailing_bytes");
}

TEST_CASE("a result with an impossible structure is refused by name") {
  const ResultData good = lot_election().contents->result->result.data();
  REQUIRE(ElectionResult::create(good).ok());
  ResultData d = good;

  d.outcome.ranking[0] = d.outcome.ranking[1];
  CHECK(reason_of(ElectionResult::create(d)) == "bad_ranking");
  d = good;
  d.outcome.ranking.pop_back();
  CHECK(reason_of(ElectionResult::create(d)) == "bad_ranking");
  d = good;
  d.outcome.substitutes.push_back(d.outcome.elected[0]);
  CHECK(reason_of(ElectionResult::create(d)) == "bad_outcome");
  d = good;
  d.outcome.elected.push_back(99);
  CHECK(reason_of(ElectionResult::create(d)) == "bad_outcome");
  d = good;
  d.outcome.undecided_ranks = {8, 7};
  CHECK(reason_of(ElectionResult::create(d)) == "bad_outcome");
  d = good;
  std::swap(d.outcome.ties[1].members[0], d.outcome.ties[1].members[1]);
  CHECK(reason_of(ElectionResult::create(d)) == "bad_tie");
  d = good;
  d.outcome.ties[1].last_rank = 10;
  CHECK(reason_of(ElectionResult::create(d)) == "bad_tie");
  d = good;
  d.outcome.ties[1].resolution = static_cast<TieResolution>(7);
  CHECK(reason_of(ElectionResult::create(d)) == "bad_tie");
  d = good;
  d.lot.keys[1].candidate = d.lot.keys[0].candidate;
  CHECK(reason_of(ElectionResult::create(d)) == "bad_lot");
  d = good;
  d.totals.abstentions = 5;
  CHECK(reason_of(ElectionResult::create(d)) == "inconsistent_totals");
  d = good;
  d.totals.marks.clear();
  d.outcome = {};
  CHECK(reason_of(ElectionResult::create(d)) == "bad_candidate_count");
}

}  // namespace
}  // namespace urne
