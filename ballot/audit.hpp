// The audit of a bulletin board: what `urne audit` and the trustees' tool
// run (design.md, "The bulletin board"). Every check has a stable dotted
// lower-case name (API: the CLI prints it, tests and scripts match on it)
// and passes, fails or does not apply, with a message. The audit never stops
// at the first failure: each check runs on what it needs, and a check whose
// input was already found faulty still runs on the board's own data where
// that tells something (e.g. the ranking is re-derived from the published
// totals when the partial decryptions do not decrypt).
//
// The checks, in report order (kAuditChecks):
//   board.signature              the service's signature over the contents
//   board.phase                  the board's contents fit the phase of its
//                                last transition (board.hpp); with
//                                AuditScope::kFinal the result is published
//   transitions.signatures       every transition signed by the officer key
//   transitions.order            published, open, closed[, tallied[,
//                                result_published]], sequence 1, 2, 3, ...
//   manifest.roster              the manifest names this roster (fingerprint)
//   key.commitments              the election key and every public share
//                                follow from the DKG commitments
//                                (verify_election_key)
//   issuance.order               the log is ascending by institution id
//   issuance.entitled            every entry is an institution of the roster
//   issuance.once_per_institution  no institution got two tokens
//   issuance.token_key           every request names this election's key
//   issuance.signatures          every request is signed by its institution
//                                for this election and token key
//   ballots.order                ballots ascending by ballot hash
//   ballots.unique               no ballot twice
//   ballots.count                ballots <= tokens issued by valid entries
//   ballots.tokens               every token valid for this election
//   ballots.tokens_spent_once    no token input used by two ballots
//   ballots.proofs               every ballot verifies (verify_cast_ballot,
//                                the ballot box's own check)
//   sums.recomputed              the published sums are the sums of the
//                                ballots on the board
//   partials.order               one entry per trustee, ascending, each with
//                                one partial per sum, of that trustee
//   partials.proofs              every partial decryption's proof verifies
//                                against the published sum and public share
//   partials.threshold           at least k trustees with valid partials
//   totals.decrypted             the totals decrypt from those partials
//   lot.seed                     the revealed seed matches its commitment
//   lot.ballot_set               the result's ballot set hash is that of the
//                                ballots on the board
//   result.election              the result is this election's
//   result.turnout               entitled, checked in and ballots cast are
//                                the roster's, the log's and the board's
//   result.totals                the published totals are the decrypted ones
//   result.ranking               the ranking reproduces
//   result.elected               the elected reproduce, in rank order
//   result.substitutes           the substitutes reproduce, in order
//   result.ties                  the tie groups, their resolution and the
//                                undecided places reproduce
//   result.lot                   lot drawn or not, seed and lot keys reproduce
//   result.exact                 the result's bytes equal the derived result's
//   result.signature             the service's signature over the result
//   receipt.signature            (with a receipt) signed by the service
//   receipt.on_board             (with a receipt) this election's, and its
//                                ballot is on the board
// Checks of data that the board's phase does not have yet (partials and
// result on a closed board audited with AuditScope::kClosed) do not apply;
// the receipt checks are listed only when a receipt is given.
//
// Thread-safety: pure functions; the report is a value.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ballot/board.hpp"
#include "ballot/tally.hpp"
#include "crypto/threshold.hpp"

namespace urne {

inline constexpr std::array<std::string_view, 36> kAuditChecks = {
    "board.signature",
    "board.phase",
    "transitions.signatures",
    "transitions.order",
    "manifest.roster",
    "key.commitments",
    "issuance.order",
    "issuance.entitled",
    "issuance.once_per_institution",
    "issuance.token_key",
    "issuance.signatures",
    "ballots.order",
    "ballots.unique",
    "ballots.count",
    "ballots.tokens",
    "ballots.tokens_spent_once",
    "ballots.proofs",
    "sums.recomputed",
    "partials.order",
    "partials.proofs",
    "partials.threshold",
    "totals.decrypted",
    "lot.seed",
    "lot.ballot_set",
    "result.election",
    "result.turnout",
    "result.totals",
    "result.ranking",
    "result.elected",
    "result.substitutes",
    "result.ties",
    "result.lot",
    "result.exact",
    "result.signature",
    "receipt.signature",
    "receipt.on_board",
};

enum class CheckStatus : std::uint8_t { kPass = 1, kFail = 2, kNotApplicable = 3 };

// "pass", "FAIL", "n/a".
std::string_view check_status_name(CheckStatus status) noexcept;

struct AuditCheck {
  std::string name;  // one of kAuditChecks
  CheckStatus status = CheckStatus::kFail;
  std::string message;  // what was found; on failure, what is wrong and where
};

enum class AuditScope : std::uint8_t {
  // `urne audit` of a published board: the result must be there.
  kFinal = 1,
  // The trustees' tool before decrypting: a board from the close on; checks
  // of partials and result run only where the board has them.
  kClosed = 2,
};

class AuditReport {
 public:
  // In kAuditChecks order.
  const std::vector<AuditCheck>& checks() const noexcept { return checks_; }
  // True iff no check failed (a check that does not apply is not a failure;
  // under AuditScope::kFinal every check except the receipt's applies).
  bool ok() const noexcept;
  // The check of that name, or nullptr when it was not run (receipt checks
  // without a receipt).
  const AuditCheck* find(std::string_view name) const noexcept;
  // Whether the named check ran and failed.
  bool failed(std::string_view name) const noexcept;
  // Names of the failed checks, in report order.
  std::vector<std::string> failures() const;

  // The board's fingerprint and phase, as audited.
  const FixedBytes<32>& fingerprint() const noexcept { return fingerprint_; }
  // The sums the auditor computed from the board's ballots (what a trustee
  // decrypts when the audit is ok), if every ballot fits the layout.
  const std::optional<std::vector<CiphertextSum>>& recomputed_sums() const noexcept {
    return sums_;
  }
  // The totals decrypted from the board's partials, if they decrypt.
  const std::optional<Totals>& decrypted_totals() const noexcept { return totals_; }

 private:
  friend struct AuditBuilder;
  std::vector<AuditCheck> checks_;
  FixedBytes<32> fingerprint_{};
  std::optional<std::vector<CiphertextSum>> sums_;
  std::optional<Totals> totals_;
};

// Progress of a long audit, for a display: called with the check at work
// (a name of kAuditChecks; today "ballots.proofs", the one that grows with
// the board) and how many of its `total` items are done, first with done =
// 0, then after each item. Called on the auditing thread; must not throw.
using AuditProgress =
    std::function<void(std::string_view check, std::size_t done, std::size_t total)>;

// Runs every check on the board (and the receipt, if given), reporting
// progress to `progress` if set.
AuditReport audit_board(const Board& board, const std::optional<Receipt>& receipt = std::nullopt,
                        AuditScope scope = AuditScope::kFinal, const AuditProgress& progress = {});

}  // namespace urne
