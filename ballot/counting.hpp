// The counting rule: totals -> elected in rank order, ranked substitutes,
// ties, and the lot.
//
// Candidates are ranked by marks, highest first. Ranks 1..seats are elected;
// the next `substitutes` ranks are the substitutes, in order. A candidate
// with no mark is neither, whatever places are left (so seats can stay
// empty). Candidates with equal marks form a tie group. A tie group
// *matters* when the order inside it changes who is elected, who is a
// substitute, or the order of the substitutes, i.e. unless all its members
// are elected or all of them are beyond the last substitute place. Ties that
// do not matter are reported, not drawn.
//
// A tie that matters is settled, per the manifest, either by one lot that
// orders all tied candidates at once (each candidate's lot key is a hash of
// the revealed seed, the hash of the ballot set frozen at the close and the
// candidate's index; ties are broken by ascending key, and the same order
// applies at every boundary a group straddles) or reported as "runoff needed
// among ..." with the places that stay undecided.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "crypto/bytes.hpp"

namespace urne {

enum class TieRule : std::uint8_t { kLot = 1, kRunoff = 2 };

struct CountingRule {
  std::uint32_t seats = 7;
  std::uint32_t substitutes = 2;
  TieRule tie_rule = TieRule::kLot;
};

// The inputs of the lot, both 32 bytes (see docs/protocol.md, "Lot").
struct LotInputs {
  FixedBytes<32> seed{};             // revealed by the officer at the close
  FixedBytes<32> ballot_set_hash{};  // hash of the ballots frozen at the close
};

// Commitment published before the ballot opens:
//   SHA-256(lp16("urne/lot-seed/v1") || seed)
FixedBytes<32> lot_seed_commitment(const FixedBytes<32>& seed);
// Constant-time check of a revealed seed against the commitment.
[[nodiscard]] bool lot_seed_matches(const FixedBytes<32>& seed, const FixedBytes<32>& commitment);
// A candidate's lot key: SHA-256(lp16("urne/lot/v1") || seed ||
// ballot_set_hash || u32be(candidate index)). Lower keys rank first.
FixedBytes<32> lot_key(const LotInputs& lot, std::uint32_t candidate);

enum class TieResolution : std::uint8_t {
  kNotNeeded = 1,  // the order inside the group changes nothing
  kLot = 2,        // ordered by the lot
  kRunoff = 3,     // places stay undecided: a runoff among the members
};

struct TieGroup {
  std::uint64_t marks = 0;
  std::vector<std::uint32_t> members;  // candidate indices, ascending
  std::uint32_t first_rank = 0;        // 1-based ranks the group occupies
  std::uint32_t last_rank = 0;
  TieResolution resolution = TieResolution::kNotNeeded;
};

struct CountOutcome {
  // All candidates in final rank order (ties broken by the lot where drawn,
  // otherwise by candidate index, which is then only a listing order).
  std::vector<std::uint32_t> ranking;
  std::vector<std::uint32_t> elected;      // in rank order
  std::vector<std::uint32_t> substitutes;  // in order: first moves up first
  std::vector<TieGroup> ties;              // every group of >= 2 with marks > 0
  bool lot_drawn = false;
  // Places (1-based ranks) left undecided under the runoff rule; the tie
  // groups with resolution kRunoff name who is in the runoff.
  std::vector<std::uint32_t> undecided_ranks;
};

// Applies the rule. `marks[i]` is candidate i's total. `lot` is needed only
// when a tie matters and the rule is kLot; if it is missing then, the result
// is a FailedPrecondition ("lot_inputs_missing").
Result<CountOutcome> count(const std::vector<std::uint64_t>& marks, const CountingRule& rule,
                           const std::optional<LotInputs>& lot);

}  // namespace urne
