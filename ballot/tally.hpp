// The tally: the homomorphic sums of the accepted ballots, the frozen ballot
// set the lot uses, and the totals decrypted from the trustees' partial
// decryptions.
//
// A sum is taken per ballot slot (crypto/proofs.hpp layout: one slot per
// candidate, then Enthaltung, then ungültig if the manifest offers it), over
// every ballot on the board. The trustees' tool, the server and the auditor
// all compute the sums with compute_sums() from the verified ballots; a
// trustee decrypts only sums its own tool computed (crypto-notes.md), and
// combine() turns the trustees' partial decryptions of those sums into
// Totals.
//
// ballot_set_hash(), the lot's second input (ballot/counting.hpp):
//   SHA-256( lp16("urne/ballot-set/v1") || u32be(count)
//            || the 32-byte ballot hashes, sorted ascending )
// It is a function of the set: the order in which the hashes are given does
// not matter (they are sorted here), duplicates are hashed as given (the
// board's audit rejects a board with duplicates by name).
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ballot/ballot.hpp"
#include "ballot/manifest.hpp"
#include "crypto/bytes.hpp"
#include "crypto/dkg.hpp"
#include "crypto/status.hpp"
#include "crypto/threshold.hpp"

namespace urne {

inline constexpr std::string_view kBallotSetLabel = "urne/ballot-set/v1";

// The decrypted totals of one election.
struct Totals {
  std::vector<std::uint64_t> marks;  // per candidate, manifest order
  std::uint64_t abstentions = 0;     // Enthaltung
  std::uint64_t invalid = 0;         // ungültig (0 when not offered)
  std::uint64_t ballots_cast = 0;

  // ballots_cast - abstentions - invalid. Contract: abstentions + invalid
  // <= ballots_cast (consistent() holds; aborts otherwise).
  std::uint64_t valid() const;
  // abstentions + invalid <= ballots_cast without overflow, and every
  // candidate's marks <= valid().
  bool consistent() const noexcept;

  friend bool operator==(const Totals&, const Totals&) = default;
};

// One trustee's published partial decryptions: one per sum, in slot order.
struct TrusteePartials {
  TrusteeIndex trustee = 0;
  std::vector<PartialDecryption> partials;
};

// Compares two sums as group elements (encodings are canonical).
bool same_sum(const CiphertextSum& x, const CiphertextSum& y) noexcept;
// The same number of sums, each the same (a trustee's check of the server's
// sums against the ones it recomputed from the board's ballots).
bool same_sums(std::span<const CiphertextSum> x, std::span<const CiphertextSum> y) noexcept;

// The per-slot homomorphic sums of `ballots` (manifest.ballot_layout()
// slots; for no ballots, every sum is the identity pair). The caller passes
// only ballots it verified (verify_cast_ballot): this function does not check
// proofs or tokens, only the slot count of every ballot
// ("wrong_slot_count", kInvalidArgument).
Result<std::vector<CiphertextSum>> compute_sums(const Manifest& manifest,
                                                std::span<const CastBallot> ballots);

// The ballot-set hash (layout above). Contract: at most 2^32 - 1 hashes.
FixedBytes<32> ballot_set_hash(std::span<const FixedBytes<32>> ballot_hashes);
// The same for ballots (their ballot_hash()).
FixedBytes<32> ballot_set_hash(std::span<const CastBallot> ballots);

// The totals from the sums (one per slot) and the partial decryptions of at
// least k distinct trustees. Every partial of every given trustee is
// verified against the published public share before anything is combined;
// each total is recovered with the bound `ballots_cast` (no slot can exceed
// the number of ballots). Reasons:
//   "wrong_sum_count"             sums.size() is not the slot count
//   "too_many_ballots"            ballots_cast > kMaxDlogBound (crypto/dlog.hpp)
//   "bad_partial_count"           a trustee did not give one partial per sum
//   "inconsistent_partials"       a partial names another trustee than its list
//   "duplicate_trustee"           a trustee listed twice
//   "too_few_partials"            fewer than k trustees (kFailedPrecondition)
//   "partial_decryption_invalid"  a proof fails (kUnauthenticated; the message
//                                 names trustee and slot, and crypto's reason)
//   "totals_out_of_range"         a total is not in 0..ballots_cast (crypto's
//                                 "dlog_not_found": these are not the sums of
//                                 ballots_cast ballots)
//   "inconsistent_totals"         abstentions + invalid > ballots_cast, or a
//                                 candidate has more marks than valid ballots
Result<Totals> combine(const Manifest& manifest, std::span<const CiphertextSum> sums,
                       std::span<const TrusteePartials> by_trustee, std::uint64_t ballots_cast);

}  // namespace urne
