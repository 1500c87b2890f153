#include "ballot/counting.hpp"

#include <algorithm>
#include <numeric>

#include "crypto/hash.hpp"

namespace urne {

namespace {

void append_label(Bytes& out, std::string_view label) {
  append_u16(out, static_cast<std::uint16_t>(label.size()));
  append(out, as_bytes(label));
}

}  // namespace

FixedBytes<32> lot_seed_commitment(const FixedBytes<32>& seed) {
  Bytes in;
  append_label(in, "urne/lot-seed/v1");
  append(in, seed);
  return sha256(in);
}

bool lot_seed_matches(const FixedBytes<32>& seed, const FixedBytes<32>& commitment) {
  return ct_equal(lot_seed_commitment(seed), commitment);
}

FixedBytes<32> lot_key(const LotInputs& lot, std::uint32_t candidate) {
  Bytes in;
  append_label(in, "urne/lot/v1");
  append(in, lot.seed);
  append(in, lot.ballot_set_hash);
  append_u32(in, candidate);
  return sha256(in);
}

Result<CountOutcome> count(const std::vector<std::uint64_t>& marks, const CountingRule& rule,
                           const std::optional<LotInputs>& lot) {
  const auto n = static_cast<std::uint32_t>(marks.size());
  // Ranks 1..seats elected, then the substitutes' places.
  const std::uint64_t last_place = std::uint64_t{rule.seats} + rule.substitutes;

  // Order by marks, then by index: a provisional listing order.
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return marks[a] > marks[b]; });

  CountOutcome out;
  // Walk the groups of equal marks; decide for each whether its inner order
  // matters, and settle it.
  for (std::uint32_t begin = 0; begin < n;) {
    std::uint32_t end = begin + 1;
    while (end < n && marks[order[end]] == marks[order[begin]]) ++end;
    const std::uint64_t group_marks = marks[order[begin]];
    const std::uint32_t first_rank = begin + 1;
    const std::uint32_t last_rank = end;
    if (end - begin >= 2 && group_marks > 0) {
      TieGroup g;
      g.marks = group_marks;
      g.members.assign(order.begin() + begin, order.begin() + end);
      std::sort(g.members.begin(), g.members.end());
      g.first_rank = first_rank;
      g.last_rank = last_rank;
      const bool all_elected = last_rank <= rule.seats;
      const bool all_beyond = first_rank > last_place;
      if (all_elected || all_beyond) {
        g.resolution = TieResolution::kNotNeeded;
      } else if (rule.tie_rule == TieRule::kRunoff) {
        g.resolution = TieResolution::kRunoff;
        for (std::uint32_t r = first_rank; r <= last_rank && r <= last_place; ++r) {
          out.undecided_ranks.push_back(r);
        }
      } else {
        if (!lot) {
          return Status(Code::kFailedPrecondition, "lot_inputs_missing",
                        "a tie decides a place and the lot's seed is not revealed");
        }
        g.resolution = TieResolution::kLot;
        out.lot_drawn = true;
        // One lot orders every tied candidate at once: sort by key.
        std::vector<std::pair<FixedBytes<32>, std::uint32_t>> keyed;
        for (std::uint32_t c : g.members) keyed.emplace_back(lot_key(*lot, c), c);
        std::sort(keyed.begin(), keyed.end());
        for (std::uint32_t i = 0; i < keyed.size(); ++i) order[begin + i] = keyed[i].second;
      }
      out.ties.push_back(std::move(g));
    }
    begin = end;
  }

  out.ranking = order;
  // Assign places; a candidate without marks gets none, and places inside an
  // undecided runoff group are left empty.
  const auto undecided = [&](std::uint32_t rank) {
    return std::find(out.undecided_ranks.begin(), out.undecided_ranks.end(), rank) !=
           out.undecided_ranks.end();
  };
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t rank = i + 1;
    const std::uint32_t c = order[i];
    if (marks[c] == 0 || undecided(rank)) continue;
    if (rank <= rule.seats) {
      out.elected.push_back(c);
    } else if (rank <= last_place) {
      out.substitutes.push_back(c);
    }
  }
  return out;
}

}  // namespace urne
