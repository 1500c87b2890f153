// The simulated people of a demonstration election and the printing of its
// outcome, shared by `urne selftest election` (everything in one process)
// and `urne demo election` (the same people talking to a real urne-server
// over HTTPS): made-up candidates and institutions, random choices, the
// trustees' key ceremony, the Wahlniederschrift and the audit verdict.
//
// These are demonstration helpers: the real credential authority, trustees
// and delegates use the CLI's own commands and the web pages.
//
// Thread-safety: single-threaded helpers.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "ballot/audit.hpp"
#include "ballot/ballot.hpp"
#include "ballot/board.hpp"
#include "ballot/manifest.hpp"
#include "ballot/roster.hpp"
#include "crypto/bytes.hpp"
#include "crypto/credential.hpp"
#include "crypto/dkg.hpp"
#include "crypto/random.hpp"
#include "crypto/status.hpp"

namespace urne::cli::sim {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0);
std::string fixed1(double v);
// The first 8 bytes in hex, for the protocol text.
std::string short_hex(ByteView b);
// A number below `bound` (> 0) from the rng.
std::uint32_t below(Rng& rng, std::uint32_t bound);

// Made-up candidate i (names from a fixed list, then numbered ones).
Candidate candidate(std::uint32_t i);
// "einrichtung-01" .. zero-padded so that bytewise order is numeric order.
std::string institution_id(std::uint32_t i, std::uint32_t count);

// A made-up roster of `count` institutions ("Einrichtung i"), each key
// derived from a fresh voting code as the credential authority does; the
// ids and secret keys in roster order, for the simulated delegates.
struct SimulatedRoster {
  Roster roster;
  std::vector<std::string> ids;
  std::vector<InstitutionSecretKey> keys;
};
Result<SimulatedRoster> make_roster(std::uint32_t count, const std::string& title, Rng& rng);
// Mostly marks for 1..max_marks random candidates, a few abstentions and
// invalid ballots (voter 1 always votes invalid when it is offered).
Choice random_choice(const Manifest& m, std::size_t voter, Rng& rng);
// "marks for candidates 1 4", "Enthaltung", "ungültig".
std::string describe(const Choice& c);
// The choice with its marks ascending (what opening a ballot gives).
Choice sorted(Choice c);

// The key ceremony's outcome: public parameters and commitments, and each
// trustee's secret share [j-1].
struct CeremonyResult {
  DkgParams params;
  std::vector<DealerCommitment> commitments;
  std::vector<SecretShare> shares;
};
// n trustees run the DKG, every message through its encoding as over the
// board; writes step `step` of the protocol text to `out`.
Result<CeremonyResult> run_key_ceremony(unsigned n, unsigned k, Rng& rng, std::ostream& out,
                                        int step);

// The Wahlniederschrift of a board with a result, as text (step `step`).
Status print_result(const Board& board, std::ostream& out, int step);
// Every audit check by name and the verdict line's start; kInternal
// `failure_reason` if any check failed.
Status print_audit(const AuditReport& audit, std::ostream& out, std::string_view failure_reason);

}  // namespace urne::cli::sim
