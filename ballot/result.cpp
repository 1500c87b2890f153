#include "ballot/result.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <string>

#include "ballot/canonical.hpp"
#include "crypto/hash.hpp"

namespace urne {

namespace {

Status bad(std::string reason, std::string message) {
  return invalid_argument(std::move(reason), std::move(message));
}

bool is_resolution(std::uint8_t v) noexcept {
  return v == static_cast<std::uint8_t>(TieResolution::kNotNeeded) ||
         v == static_cast<std::uint8_t>(TieResolution::kLot) ||
         v == static_cast<std::uint8_t>(TieResolution::kRunoff);
}

bool same_tie(const TieGroup& a, const TieGroup& b) noexcept {
  return a.marks == b.marks && a.members == b.members && a.first_rank == b.first_rank &&
         a.last_rank == b.last_rank && a.resolution == b.resolution;
}

Status check_data(const ResultData& d) {
  const std::size_t n = d.totals.marks.size();
  if (n < 1 || n > Manifest::kMaxCandidates) {
    return bad("bad_candidate_count", "a result has 1.." +
                                          std::to_string(Manifest::kMaxCandidates) +
                                          " candidates, not " + std::to_string(n));
  }
  if (!d.totals.consistent()) {
    return bad("inconsistent_totals",
               "abstentions and invalid ballots exceed the ballots cast, or a candidate has "
               "more marks than there are valid ballots");
  }
  const CountOutcome& o = d.outcome;
  // The ranking lists every candidate exactly once.
  if (o.ranking.size() != n) return bad("bad_ranking", "the ranking must list every candidate");
  std::vector<bool> seen(n, false);
  for (std::uint32_t c : o.ranking) {
    if (c >= n || seen[c]) return bad("bad_ranking", "the ranking is not a permutation");
    seen[c] = true;
  }
  // Elected and substitutes: distinct candidates, nobody in both lists.
  std::fill(seen.begin(), seen.end(), false);
  for (const auto* list : {&o.elected, &o.substitutes}) {
    for (std::uint32_t c : *list) {
      if (c >= n || seen[c]) {
        return bad("bad_outcome", "elected and substitutes must be distinct candidates");
      }
      seen[c] = true;
    }
  }
  for (std::size_t i = 0; i < o.undecided_ranks.size(); ++i) {
    const std::uint32_t r = o.undecided_ranks[i];
    if (r < 1 || r > n || (i > 0 && r <= o.undecided_ranks[i - 1])) {
      return bad("bad_outcome", "undecided ranks must be ascending ranks of candidates");
    }
  }
  for (const TieGroup& g : o.ties) {
    if (g.members.size() < 2) return bad("bad_tie", "a tie has at least two members");
    for (std::size_t i = 0; i < g.members.size(); ++i) {
      if (g.members[i] >= n || (i > 0 && g.members[i] <= g.members[i - 1])) {
        return bad("bad_tie", "tie members must be ascending candidate indices");
      }
    }
    if (g.first_rank < 1 || g.first_rank > g.last_rank || g.last_rank > n) {
      return bad("bad_tie", "a tie's ranks must lie within 1..candidates");
    }
    if (!is_resolution(static_cast<std::uint8_t>(g.resolution))) {
      return bad("bad_tie", "unknown tie resolution");
    }
  }
  std::fill(seen.begin(), seen.end(), false);
  for (const LotKey& k : d.lot.keys) {
    if (k.candidate >= n || seen[k.candidate]) {
      return bad("bad_lot", "lot keys must belong to distinct candidates");
    }
    seen[k.candidate] = true;
  }
  return Status::ok();
}

void write_indices(CanonicalWriter& w, const std::vector<std::uint32_t>& v) {
  w.count16(v.size());
  for (std::uint32_t x : v) w.u32(x);
}

Bytes encode(const ResultData& d) {
  CanonicalWriter w(ElectionResult::kLabel);
  w.fixed(d.election_id);
  w.u32(d.entitled);
  w.u32(d.checked_in);
  w.u64(d.totals.ballots_cast);
  w.u64(d.totals.abstentions);
  w.u64(d.totals.invalid);
  w.count16(d.totals.marks.size());
  for (std::uint64_t m : d.totals.marks) w.u64(m);
  for (std::uint32_t c : d.outcome.ranking) w.u32(c);
  write_indices(w, d.outcome.elected);
  write_indices(w, d.outcome.substitutes);
  w.count16(d.outcome.ties.size());
  for (const TieGroup& g : d.outcome.ties) {
    w.u64(g.marks);
    w.u32(g.first_rank);
    w.u32(g.last_rank);
    w.u8(static_cast<std::uint8_t>(g.resolution));
    write_indices(w, g.members);
  }
  w.boolean(d.outcome.lot_drawn);
  write_indices(w, d.outcome.undecided_ranks);
  w.fixed(d.lot.seed);
  w.fixed(d.lot.ballot_set_hash);
  w.count16(d.lot.keys.size());
  for (const LotKey& k : d.lot.keys) {
    w.u32(k.candidate);
    w.fixed(k.key);
  }
  return std::move(w).take();
}

// A u16-counted list of u32 indices, at most `max` long.
Result<std::vector<std::uint32_t>> read_indices(CanonicalReader& r, std::string_view field,
                                                std::size_t max) {
  URNE_ASSIGN_OR_RETURN(std::size_t count, r.count16(field, 0, max, 4));
  std::vector<std::uint32_t> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    URNE_ASSIGN_OR_RETURN(std::uint32_t v, r.u32(field));
    out.push_back(v);
  }
  return out;
}

}  // namespace

bool same_ranking(const CountOutcome& a, const CountOutcome& b) noexcept {
  return a.ranking == b.ranking;
}

bool same_ties(const CountOutcome& a, const CountOutcome& b) noexcept {
  return a.ties.size() == b.ties.size() &&
         std::equal(a.ties.begin(), a.ties.end(), b.ties.begin(), same_tie) &&
         a.undecided_ranks == b.undecided_ranks;
}

ElectionResult::ElectionResult(ResultData data) : data_(std::move(data)) {
  bytes_ = encode(data_);
  hash_ = sha256(bytes_);
}

Result<ElectionResult> ElectionResult::create(ResultData data) {
  URNE_RETURN_IF_ERROR(check_data(data));
  return ElectionResult(std::move(data));
}

Result<ElectionResult> ElectionResult::parse_canonical(ByteView bytes) {
  CanonicalReader r(bytes);
  URNE_RETURN_IF_ERROR(r.label(kLabel));
  ResultData d;
  URNE_ASSIGN_OR_RETURN(d.election_id, r.fixed<32>("election_id"));
  URNE_ASSIGN_OR_RETURN(d.entitled, r.u32("entitled"));
  URNE_ASSIGN_OR_RETURN(d.checked_in, r.u32("checked_in"));
  URNE_ASSIGN_OR_RETURN(d.totals.ballots_cast, r.u64("ballots_cast"));
  URNE_ASSIGN_OR_RETURN(d.totals.abstentions, r.u64("abstentions"));
  URNE_ASSIGN_OR_RETURN(d.totals.invalid, r.u64("invalid"));
  // Each candidate has at least its marks (u64) and its ranking entry (u32).
  URNE_ASSIGN_OR_RETURN(std::size_t n, r.count16("marks", 1, Manifest::kMaxCandidates, 8 + 4));
  d.totals.marks.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    URNE_ASSIGN_OR_RETURN(std::uint64_t m, r.u64("marks"));
    d.totals.marks.push_back(m);
  }
  d.outcome.ranking.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    URNE_ASSIGN_OR_RETURN(std::uint32_t c, r.u32("ranking"));
    d.outcome.ranking.push_back(c);
  }
  URNE_ASSIGN_OR_RETURN(d.outcome.elected, read_indices(r, "elected", n));
  URNE_ASSIGN_OR_RETURN(d.outcome.substitutes, read_indices(r, "substitutes", n));
  // A tie group: u64 marks, two u32 ranks, u8 resolution, a u16 count.
  URNE_ASSIGN_OR_RETURN(std::size_t ties, r.count16("ties", 0, n / 2, 8 + 4 + 4 + 1 + 2));
  d.outcome.ties.reserve(ties);
  for (std::size_t i = 0; i < ties; ++i) {
    TieGroup g;
    URNE_ASSIGN_OR_RETURN(g.marks, r.u64("ties.marks"));
    URNE_ASSIGN_OR_RETURN(g.first_rank, r.u32("ties.first_rank"));
    URNE_ASSIGN_OR_RETURN(g.last_rank, r.u32("ties.last_rank"));
    URNE_ASSIGN_OR_RETURN(std::uint8_t res, r.u8("ties.resolution"));
    if (!is_resolution(res)) return bad("bad_tie", "unknown tie resolution");
    g.resolution = static_cast<TieResolution>(res);
    URNE_ASSIGN_OR_RETURN(g.members, read_indices(r, "ties.members", n));
    d.outcome.ties.push_back(std::move(g));
  }
  URNE_ASSIGN_OR_RETURN(d.outcome.lot_drawn, r.boolean("lot_drawn"));
  URNE_ASSIGN_OR_RETURN(d.outcome.undecided_ranks, read_indices(r, "undecided_ranks", n));
  URNE_ASSIGN_OR_RETURN(d.lot.seed, r.fixed<32>("lot.seed"));
  URNE_ASSIGN_OR_RETURN(d.lot.ballot_set_hash, r.fixed<32>("lot.ballot_set_hash"));
  URNE_ASSIGN_OR_RETURN(std::size_t keys, r.count16("lot.keys", 0, n, 4 + 32));
  d.lot.keys.reserve(keys);
  for (std::size_t i = 0; i < keys; ++i) {
    LotKey k;
    URNE_ASSIGN_OR_RETURN(k.candidate, r.u32("lot.keys.candidate"));
    URNE_ASSIGN_OR_RETURN(k.key, r.fixed<32>("lot.keys.key"));
    d.lot.keys.push_back(k);
  }
  URNE_RETURN_IF_ERROR(r.finish());
  // Every field is fixed-width or counted, so a structurally valid result
  // re-encodes to exactly its input.
  return create(std::move(d));
}

namespace result_detail {

Result<ElectionResult> derive_with_any_seed(const Manifest& manifest, const Roster& roster,
                                            std::uint64_t issuance_count,
                                            std::span<const FixedBytes<32>> ballot_hashes,
                                            const Totals& totals, const FixedBytes<32>& seed) {
  if (totals.marks.size() != manifest.candidates().size()) {
    return bad("wrong_candidate_count", "the totals have " + std::to_string(totals.marks.size()) +
                                            " candidates, the manifest " +
                                            std::to_string(manifest.candidates().size()));
  }
  if (!manifest.invalid_offered() && totals.invalid != 0) {
    return bad("invalid_not_offered", "invalid ballots counted where none can be cast");
  }
  if (!totals.consistent()) {
    return bad("inconsistent_totals", "the totals cannot come from the ballots cast");
  }
  if (totals.ballots_cast != ballot_hashes.size()) {
    return bad("ballot_count_mismatch", std::to_string(totals.ballots_cast) + " ballots counted, " +
                                            std::to_string(ballot_hashes.size()) + " on the board");
  }
  if (issuance_count > std::numeric_limits<std::uint32_t>::max()) {
    return bad("more_tokens_than_institutions", "more tokens issued than institutions entitled");
  }

  ResultData d;
  d.election_id = manifest.election_id();
  d.entitled = static_cast<std::uint32_t>(roster.institutions().size());
  d.checked_in = static_cast<std::uint32_t>(issuance_count);
  d.totals = totals;
  d.lot.seed = seed;
  d.lot.ballot_set_hash = ballot_set_hash(ballot_hashes);
  const LotInputs lot{d.lot.seed, d.lot.ballot_set_hash};
  URNE_ASSIGN_OR_RETURN(d.outcome, count(totals.marks, manifest.counting_rule(), lot));
  // Record each drawn group's keys in the order drawn (the ranking's order
  // inside the group), so that the report shows how the lot fell.
  for (const TieGroup& g : d.outcome.ties) {
    if (g.resolution != TieResolution::kLot) continue;
    for (std::uint32_t rank = g.first_rank; rank <= g.last_rank; ++rank) {
      const std::uint32_t c = d.outcome.ranking[rank - 1];
      d.lot.keys.push_back(LotKey{c, lot_key(lot, c)});
    }
  }
  return ElectionResult::create(std::move(d));
}

}  // namespace result_detail

Result<ElectionResult> derive_result(const Manifest& manifest, const Roster& roster,
                                     std::uint64_t issuance_count,
                                     std::span<const FixedBytes<32>> ballot_hashes,
                                     const Totals& totals, const FixedBytes<32>& revealed_seed) {
  if (roster.fingerprint() != manifest.spec().roster_fingerprint) {
    return bad("roster_mismatch", "the manifest names another roster");
  }
  // A seed chosen after the ballots are known could pick the lot's winner:
  // only the seed committed to before the ballot opened is accepted.
  if (!lot_seed_matches(revealed_seed, manifest.spec().lot_seed_commitment)) {
    return failed_precondition("lot_seed_mismatch",
                               "the revealed seed does not match the manifest's commitment");
  }
  // The service's own invariants (the audit reports them by name on a
  // board; here they stop a result that no honest board can carry).
  if (ballot_hashes.size() > issuance_count) {
    return bad("more_ballots_than_tokens", "more ballots than issued tokens");
  }
  if (issuance_count > roster.institutions().size()) {
    return bad("more_tokens_than_institutions", "more tokens issued than institutions entitled");
  }
  return result_detail::derive_with_any_seed(manifest, roster, issuance_count, ballot_hashes,
                                             totals, revealed_seed);
}

ResultReport make_report(const Manifest& manifest, const ElectionResult& result,
                         const FixedBytes<32>& board_fingerprint) {
  const ResultData& d = result.data();
  if (d.election_id != manifest.election_id() ||
      d.totals.marks.size() != manifest.candidates().size()) {
    std::abort();  // contract: the result belongs to the manifest
  }
  ResultReport r;
  r.title = manifest.title();
  r.election_id = d.election_id;
  r.entitled = d.entitled;
  r.checked_in = d.checked_in;
  r.voting = d.totals.ballots_cast;  // one token, hence one ballot, per institution
  r.ballots_cast = d.totals.ballots_cast;
  r.abstentions = d.totals.abstentions;
  r.invalid = d.totals.invalid;
  r.valid = d.totals.valid();
  const CountingRule rule = manifest.counting_rule();
  r.seats = rule.seats;
  r.substitute_places = rule.substitutes;
  r.tie_rule = rule.tie_rule;
  for (std::uint32_t i = 0; i < manifest.candidates().size(); ++i) {
    ReportCandidate c;
    c.index = i;
    c.name = manifest.candidates()[i].name;
    c.affiliation = manifest.candidates()[i].affiliation;
    c.marks = d.totals.marks[i];
    r.candidates.push_back(std::move(c));
  }
  for (std::uint32_t rank = 1; rank <= d.outcome.ranking.size(); ++rank) {
    r.candidates[d.outcome.ranking[rank - 1]].rank = rank;
  }
  r.elected = d.outcome.elected;
  r.substitutes = d.outcome.substitutes;
  for (const TieGroup& g : d.outcome.ties) {
    ReportTie t;
    t.marks = g.marks;
    t.members = g.members;
    t.first_rank = g.first_rank;
    t.last_rank = g.last_rank;
    t.resolution = g.resolution;
    if (g.resolution == TieResolution::kLot) {
      for (const LotKey& k : d.lot.keys) {
        if (std::find(g.members.begin(), g.members.end(), k.candidate) != g.members.end()) {
          t.drawn_order.push_back(k);
        }
      }
    }
    if (g.resolution == TieResolution::kRunoff) {
      r.runoff_among.insert(r.runoff_among.end(), g.members.begin(), g.members.end());
    }
    r.ties.push_back(std::move(t));
  }
  std::sort(r.runoff_among.begin(), r.runoff_among.end());
  r.lot_drawn = d.outcome.lot_drawn;
  r.lot = LotInputs{d.lot.seed, d.lot.ballot_set_hash};
  r.undecided_ranks = d.outcome.undecided_ranks;
  r.board_fingerprint = board_fingerprint;
  r.board_fingerprint_short = short_fingerprint(board_fingerprint);
  return r;
}

}  // namespace urne
