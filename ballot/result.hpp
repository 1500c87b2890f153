// The result of one election (Wahlgang): the decrypted totals, the outcome of
// the counting rule (ballot/counting.hpp), the lot's data, and the turnout
// figures of the result report (Wahlniederschrift).
//
// derive_result() is the only way the service makes a result: it checks the
// revealed lot seed against the manifest's commitment, computes the ballot
// set hash and runs count(). The auditor runs the same derivation on the
// board's data and compares the published result with it field by field and
// byte for byte (ballot/audit.hpp).
//
// ElectionResult holds structurally valid data only (create() and
// parse_canonical() check it); whether the data is *right* for a board is the
// audit's question. The structural rules (kInvalidArgument, reasons):
//   candidates   1..Manifest::kMaxCandidates marks ("bad_candidate_count")
//   totals       Totals::consistent() ("inconsistent_totals")
//   ranking      a permutation of the candidate indices ("bad_ranking")
//   elected, substitutes
//                indices of candidates, no candidate twice in or across the
//                two lists ("bad_outcome")
//   undecided    ranks 1..candidates, strictly ascending ("bad_outcome")
//   ties         >= 2 members, ascending, candidate indices; 1 <= first_rank
//                <= last_rank <= candidates; resolution 1..3 ("bad_tie")
//   lot keys     candidate indices, no candidate twice ("bad_lot")
//
// Canonical layout (ballot/canonical.hpp rules; candidate indices and ranks
// are u32, lists have a u16 count):
//   lp16 "urne/result/v1"
//   election_id[32]
//   u32  entitled            institutions on the roster
//   u32  checked_in          institutions that fetched a token (issuance log)
//   u64  ballots_cast
//   u64  abstentions
//   u64  invalid
//   u16  n (candidates), then n x u64 marks (manifest order)
//   n x u32 ranking          all candidates in final rank order
//   u16 + u32 elected        in rank order
//   u16 + u32 substitutes    in order (the first moves up first)
//   u16  tie groups, each:   u64 marks, u32 first_rank, u32 last_rank,
//                            u8 resolution (1 not needed, 2 lot, 3 runoff),
//                            u16 + u32 members (ascending)
//   u8   lot_drawn (0/1)
//   u16 + u32 undecided ranks (runoff rule)
//   seed[32]                 the revealed lot seed
//   ballot_set_hash[32]      ballot_set_hash() of the ballots on the board
//   u16  lot keys, each:     u32 candidate, key[32] (the tie groups settled by
//                            lot, group by group, in the order drawn)
// hash() = SHA-256(canonical bytes).
//
// Thread-safety: immutable values and pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ballot/counting.hpp"
#include "ballot/manifest.hpp"
#include "ballot/roster.hpp"
#include "ballot/tally.hpp"
#include "crypto/bytes.hpp"
#include "crypto/status.hpp"

namespace urne {

// One tied candidate's lot key (counting.hpp lot_key()).
struct LotKey {
  std::uint32_t candidate = 0;
  FixedBytes<32> key{};
  friend bool operator==(const LotKey&, const LotKey&) = default;
};

struct LotRecord {
  FixedBytes<32> seed{};             // revealed at the close
  FixedBytes<32> ballot_set_hash{};  // of the ballots frozen at the close
  // The keys of every candidate in a tie group settled by lot, group by
  // group (in rank order), each group in the order drawn (ascending key).
  // Empty when no lot was drawn.
  std::vector<LotKey> keys;
  friend bool operator==(const LotRecord&, const LotRecord&) = default;
};

// Everything a result holds (ElectionResult::create validates it).
struct ResultData {
  ElectionId election_id{};
  std::uint32_t entitled = 0;    // roster size
  std::uint32_t checked_in = 0;  // tokens issued (one per institution)
  Totals totals;
  CountOutcome outcome;
  LotRecord lot;
};

// Field-by-field equality of two outcomes (CountOutcome has no operator==).
bool same_ranking(const CountOutcome& a, const CountOutcome& b) noexcept;
bool same_ties(const CountOutcome& a, const CountOutcome& b) noexcept;

class ElectionResult {
 public:
  static constexpr std::string_view kLabel = "urne/result/v1";

  // Checks the structural rules above and encodes.
  static Result<ElectionResult> create(ResultData data);
  // Parses canonical bytes; canonical_bytes() of the result equal `bytes`.
  // Reasons: the reader's (canonical.hpp) and create()'s.
  static Result<ElectionResult> parse_canonical(ByteView bytes);

  const ResultData& data() const noexcept { return data_; }
  const ElectionId& election_id() const noexcept { return data_.election_id; }
  const Totals& totals() const noexcept { return data_.totals; }
  const CountOutcome& outcome() const noexcept { return data_.outcome; }
  const LotRecord& lot() const noexcept { return data_.lot; }

  const Bytes& canonical_bytes() const noexcept { return bytes_; }
  // SHA-256(canonical_bytes()).
  const FixedBytes<32>& hash() const noexcept { return hash_; }

 private:
  explicit ElectionResult(ResultData data);
  ResultData data_;
  Bytes bytes_;
  FixedBytes<32> hash_{};
};

// The service's (and the auditor's) derivation of the result. Checks, in
// this order: the roster is the manifest's ("roster_mismatch",
// kInvalidArgument); the seed matches the manifest's lot_seed_commitment
// ("lot_seed_mismatch", kFailedPrecondition); the totals fit the manifest
// the issuance ("more_ballots_than_tokens", "more_tokens_than_institutions"),
// the totals fit the manifest ("wrong_candidate_count",
// "invalid_not_offered", "inconsistent_totals") and the ballots
// ("ballot_count_mismatch": totals.ballots_cast differs from the number of
// ballot hashes). Then computes the ballot set hash,
// applies the manifest's counting rule with the lot inputs and records the
// lot keys of the groups it settled.
Result<ElectionResult> derive_result(const Manifest& manifest, const Roster& roster,
                                     std::uint64_t issuance_count,
                                     std::span<const FixedBytes<32>> ballot_hashes,
                                     const Totals& totals, const FixedBytes<32>& revealed_seed);

namespace result_detail {
// derive_result() without the roster, seed-commitment and issuance checks
// (the audit reports those by name): it tells what a board's own, possibly
// wrong, data gives, so that the result checks stay meaningful when an
// earlier check has failed. Never for making a result.
Result<ElectionResult> derive_with_any_seed(const Manifest& manifest, const Roster& roster,
                                            std::uint64_t issuance_count,
                                            std::span<const FixedBytes<32>> ballot_hashes,
                                            const Totals& totals, const FixedBytes<32>& seed);
}  // namespace result_detail

// ---- the result report (Wahlniederschrift) -----------------------------------

// How anyone reproduces the lot (printed in the report).
inline constexpr std::string_view kLotReproduction =
    "Each tied candidate's key is SHA-256(lp16(\"urne/lot/v1\") || seed || ballot_set_hash || "
    "u32be(candidate index, from 0 in the manifest's order)); the tied candidates are ranked "
    "by ascending key, and that order applies at every place they straddle. The seed's "
    "commitment SHA-256(lp16(\"urne/lot-seed/v1\") || seed) was published in the manifest "
    "before the ballot opened; ballot_set_hash is that of the ballots on the board.";

struct ReportCandidate {
  std::uint32_t index = 0;  // manifest order, from 0
  std::string name;
  std::string affiliation;
  std::uint64_t marks = 0;
  std::uint32_t rank = 0;  // 1-based final rank (ranking order)
};

struct ReportTie {
  std::uint64_t marks = 0;
  std::vector<std::uint32_t> members;  // candidate indices, ascending
  std::uint32_t first_rank = 0;
  std::uint32_t last_rank = 0;
  TieResolution resolution = TieResolution::kNotNeeded;
  std::vector<LotKey> drawn_order;  // resolution kLot: members in drawn order with keys
};

// The data of the Wahlniederschrift. The signature lines of the officer and
// the minute-taker are the document's, not data.
struct ResultReport {
  std::string title;
  ElectionId election_id{};
  std::uint64_t entitled = 0;    // institutions entitled (roster)
  std::uint64_t checked_in = 0;  // institutions checked in (tokens issued)
  std::uint64_t voting = 0;      // institutions voting (= ballots cast)
  std::uint64_t ballots_cast = 0;
  std::uint64_t abstentions = 0;
  std::uint64_t invalid = 0;
  std::uint64_t valid = 0;
  std::uint32_t seats = 0;
  std::uint32_t substitute_places = 0;
  TieRule tie_rule = TieRule::kLot;
  std::vector<ReportCandidate> candidates;  // manifest order
  std::vector<std::uint32_t> elected;       // in rank order
  std::vector<std::uint32_t> substitutes;   // in order
  std::vector<ReportTie> ties;
  bool lot_drawn = false;
  LotInputs lot;                            // seed and ballot set hash
  std::vector<std::uint32_t> runoff_among;  // members of groups left to a runoff, ascending
  std::vector<std::uint32_t> undecided_ranks;
  FixedBytes<32> board_fingerprint{};
  std::string board_fingerprint_short;  // short_fingerprint(), read out in the hall
};

// Assembles the report. Contract: `result` belongs to `manifest` (same
// election id and candidate count; aborts otherwise).
ResultReport make_report(const Manifest& manifest, const ElectionResult& result,
                         const FixedBytes<32>& board_fingerprint);

}  // namespace urne
