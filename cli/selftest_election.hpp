// `urne selftest election`: one whole election in one process, every step
// of the protocol run through the real domain code (ballot/, crypto/) in the
// roles that will later talk over HTTPS: the credential authority, the
// trustees' key ceremony, the officer and the service, the institutions'
// check-in and voting, the close, the threshold tally, the result and the
// audit of the signed bulletin board. It says in plain words what each step
// did, with numbers, and fails (a non-OK Status) if any step, the audit, or
// the comparison of the decrypted totals with the plaintext sums it recorded
// itself goes wrong.
//
// Thread-safety: single-threaded command.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>

#include "crypto/status.hpp"

namespace urne::cli {

struct ElectionSelftestOptions {
  std::uint32_t institutions = 50;  // 1..Roster::kMaxInstitutions
  std::uint32_t candidates = 12;    // 1..Manifest::kMaxCandidates
  unsigned trustees = 3;            // n, 2..16
  unsigned threshold = 2;           // k, 2..n
  // Set: every random choice (codes, keys except the RSA token key, ballots)
  // comes from SeededRng(seed), so a run can be repeated. Unset: SystemRng.
  std::optional<std::uint64_t> seed;
  // Set: the final signed board is also written there (what `urne audit
  // --board` reads), so that scripts/bench.sh can time audits of boards of
  // any size without a server.
  std::optional<std::filesystem::path> board_out;
};

// Runs the election and writes the protocol of it to `out`. Errors: the
// domain code's Status of the step that failed; kInvalidArgument
// "bad_selftest_option" for options out of range; kInternal
// "selftest_totals_mismatch" / "selftest_audit_failed" /
// "selftest_spoiled_ballot_mismatch" / "selftest_accepted_double_spend"
// when the election does not come out as it must; kInternal
// "board_write_failed" when `board_out` cannot be written.
[[nodiscard]] Status selftest_election(const ElectionSelftestOptions& options, std::ostream& out);

}  // namespace urne::cli
