#include "ballot/tally.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <string>

#include "crypto/dlog.hpp"
#include "crypto/hash.hpp"

namespace urne {

std::uint64_t Totals::valid() const {
  if (!consistent()) std::abort();  // contract: only on consistent totals
  return ballots_cast - abstentions - invalid;
}

bool Totals::consistent() const noexcept {
  if (abstentions > ballots_cast || invalid > ballots_cast - abstentions) return false;
  const std::uint64_t v = ballots_cast - abstentions - invalid;
  // A valid ballot marks a candidate at most once (0/1 proof per slot), and
  // abstentions and invalid ballots mark nobody (range proof).
  return std::all_of(marks.begin(), marks.end(), [v](std::uint64_t m) { return m <= v; });
}

bool same_sum(const CiphertextSum& x, const CiphertextSum& y) noexcept {
  return x.a == y.a && x.b == y.b;
}

bool same_sums(std::span<const CiphertextSum> x, std::span<const CiphertextSum> y) noexcept {
  return std::equal(x.begin(), x.end(), y.begin(), y.end(), same_sum);
}

Result<std::vector<CiphertextSum>> compute_sums(const Manifest& manifest,
                                                std::span<const CastBallot> ballots) {
  const std::size_t slots = manifest.ballot_layout().slot_count();
  for (std::size_t i = 0; i < ballots.size(); ++i) {
    if (ballots[i].slot_count() != slots) {
      return invalid_argument("wrong_slot_count", "ballot " + std::to_string(i) + " has " +
                                                      std::to_string(ballots[i].slot_count()) +
                                                      " slots, the manifest " +
                                                      std::to_string(slots));
    }
  }
  // Slot by slot through Ciphertext::sum, which adds in decoded form; the
  // empty sum is the identity pair on purpose (an election without ballots
  // still has sums, and their decryption is 0).
  std::vector<CiphertextSum> sums;
  sums.reserve(slots);
  std::vector<Ciphertext> column;
  column.reserve(ballots.size());
  for (std::size_t s = 0; s < slots; ++s) {
    column.clear();
    for (const CastBallot& b : ballots) column.push_back(b.proven().ciphertexts[s]);
    const Ciphertext total = Ciphertext::sum(column);
    sums.push_back(CiphertextSum{total.a(), total.b()});
  }
  return sums;
}

FixedBytes<32> ballot_set_hash(std::span<const FixedBytes<32>> ballot_hashes) {
  if (ballot_hashes.size() > std::numeric_limits<std::uint32_t>::max()) std::abort();
  // Sorted here so that the value depends on the set only, not on the order
  // in which a caller happens to hold the ballots.
  std::vector<FixedBytes<32>> sorted(ballot_hashes.begin(), ballot_hashes.end());
  std::sort(sorted.begin(), sorted.end());
  Sha256 h;
  Bytes head;
  append_u16(head, static_cast<std::uint16_t>(kBallotSetLabel.size()));
  append(head, as_bytes(kBallotSetLabel));
  append_u32(head, static_cast<std::uint32_t>(sorted.size()));
  h.update(head);
  for (const FixedBytes<32>& x : sorted) h.update(x);
  return h.finish();
}

FixedBytes<32> ballot_set_hash(std::span<const CastBallot> ballots) {
  std::vector<FixedBytes<32>> hashes;
  hashes.reserve(ballots.size());
  for (const CastBallot& b : ballots) hashes.push_back(b.ballot_hash());
  return ballot_set_hash(hashes);
}

Result<Totals> combine(const Manifest& manifest, std::span<const CiphertextSum> sums,
                       std::span<const TrusteePartials> by_trustee, std::uint64_t ballots_cast) {
  const BallotLayout layout = manifest.ballot_layout();
  const ElectionKey& key = manifest.election_key();
  if (sums.size() != layout.slot_count()) {
    return invalid_argument("wrong_sum_count", "expected " + std::to_string(layout.slot_count()) +
                                                   " sums, got " + std::to_string(sums.size()));
  }
  if (ballots_cast > kMaxDlogBound) {
    return invalid_argument("too_many_ballots", "more ballots than a total can be recovered for");
  }
  std::vector<TrusteeIndex> seen;
  for (const TrusteePartials& t : by_trustee) {
    const std::string who = "trustee " + std::to_string(t.trustee);
    if (t.partials.size() != sums.size()) {
      return invalid_argument("bad_partial_count", who + " gave " +
                                                       std::to_string(t.partials.size()) +
                                                       " partial decryptions for " +
                                                       std::to_string(sums.size()) + " sums");
    }
    for (const PartialDecryption& p : t.partials) {
      if (p.trustee() != t.trustee) {
        return invalid_argument(
            "inconsistent_partials",
            who + "'s list holds a partial of trustee " + std::to_string(p.trustee()));
      }
    }
    if (std::find(seen.begin(), seen.end(), t.trustee) != seen.end()) {
      return invalid_argument("duplicate_trustee", who + " is listed twice");
    }
    seen.push_back(t.trustee);
  }
  if (seen.size() < key.params().k()) {
    return failed_precondition("too_few_partials",
                               std::to_string(seen.size()) + " trustees decrypted, " +
                                   std::to_string(key.params().k()) + " are needed");
  }
  // Every partial is checked against the trustee's published public share
  // before any is combined, and a failure names the trustee and the slot, so
  // that the officer knows whose upload to refuse.
  for (const TrusteePartials& t : by_trustee) {
    for (std::size_t s = 0; s < sums.size(); ++s) {
      if (Status st =
              verify_partial_decryption(key, manifest.election_id(), sums[s], t.partials[s]);
          !st) {
        return unauthenticated("partial_decryption_invalid",
                               "trustee " + std::to_string(t.trustee) + ", slot " +
                                   std::to_string(s) + ": " + st.reason());
      }
    }
  }
  std::vector<std::vector<PartialDecryption>> columns;
  columns.reserve(by_trustee.size());
  for (const TrusteePartials& t : by_trustee) columns.push_back(t.partials);
  auto decrypted = decrypt_totals(key, manifest.election_id(), sums, columns, ballots_cast);
  if (!decrypted.ok()) {
    if (decrypted.status().reason() == "dlog_not_found") {
      return invalid_argument("totals_out_of_range",
                              "a decrypted total is not in 0.." + std::to_string(ballots_cast) +
                                  ": these are not the sums of the ballots cast");
    }
    return decrypted.status();
  }
  const std::vector<std::uint64_t>& slot_totals = *decrypted;

  Totals totals;
  totals.marks.assign(slot_totals.begin(), slot_totals.begin() + layout.candidates);
  totals.abstentions = slot_totals[layout.abstain_slot()];
  totals.invalid = layout.has_invalid ? slot_totals[layout.abstain_slot() + 1] : 0;
  totals.ballots_cast = ballots_cast;
  if (!totals.consistent()) {
    return invalid_argument(
        "inconsistent_totals",
        "the decrypted totals cannot come from " + std::to_string(ballots_cast) + " valid ballots");
  }
  return totals;
}

}  // namespace urne
