// The ballot box's store: one SQLite file (sqlite_util.hpp: WAL,
// synchronous=FULL, mode 0600), separate from the register's, holding per
// election the manifest, the token public key (SPKI), the box's state
// (not yet open / open / closed), the spent token inputs and the ballots.
//
// What it never holds: the token signing key (there is no table for it), an
// address, a time stamp, or anything that records the order of arrival.
// Ballots and spent tokens are WITHOUT ROWID tables keyed by ballot hash
// and token input; listings are sorted by hash.
//
// Casting spends the token and stores the ballot in ONE write transaction;
// cast() returns "accepted" only after that transaction has committed
// (synchronous=FULL: it is on disk). The spent set is keyed on the token
// input (98 bytes), not the token bytes.
//
// A cast racing with the close is decided by the order of the two
// transactions: a cast that commits before the close's transaction is in
// the box; one whose transaction starts after the close gets
// kFailedPrecondition "ballot_closed". Nothing is in between: a cast sees
// the state inside its own transaction.
//
// Every method returns the sqlite_util.hpp error mapping for storage
// failures in addition to the reasons it lists; a storage failure during
// cast() means "not accepted".
//
// Thread-safety: thread-safe. One connection, guarded by db_mutex_, held
// only for the duration of SQLite calls (never across network I/O).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "ballot/ballot.hpp"
#include "ballot/board.hpp"
#include "ballot/manifest.hpp"
#include "ballot/roster.hpp"
#include "ballot/tally.hpp"
#include "crypto/bytes.hpp"
#include "crypto/privacy_pass.hpp"
#include "crypto/status.hpp"
#include "server/sqlite_util.hpp"

namespace urne::store {

enum class BoxState : std::uint8_t {
  kNotOpen = 0,
  kOpen = 1,
  kClosed = 2,
};

struct TransitionResult {
  ElectionState state = ElectionState::kDraft;  // after the call
  std::uint32_t sequence = 0;
  bool newly_applied = false;
};

struct CastOutcome {
  FixedBytes<32> ballot_hash{};  // the receipt's hash
  bool newly_accepted = false;   // false: this very ballot was already in the box
};

class BallotBoxStore {
 public:
  // Opens or creates the ballot box at `file` (sqlite_util.hpp).
  static Result<std::unique_ptr<BallotBoxStore>> open(const std::filesystem::path& file,
                                                      const OpenOptions& options = {});

  BallotBoxStore(const BallotBoxStore&) = delete;
  BallotBoxStore& operator=(const BallotBoxStore&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

  // Registers the election (state kNotOpen) with its manifest and the
  // manifest's token public key. Adding it again is a no-op (the id is the
  // manifest's hash, so the bytes are the same).
  Status add_election(const Manifest& manifest);
  // kNotFound "election_not_found" (also for every per-election method).
  Result<Manifest> manifest(const ElectionId& election) const;
  Result<TokenPublicKey> token_public_key(const ElectionId& election) const;
  Result<BoxState> state(const ElectionId& election) const;

  // kNotOpen -> kOpen. Already open: no-op. Closed: kFailedPrecondition
  // "ballot_closed".
  Status open_box(const ElectionId& election);
  // kOpen -> kClosed, in one write transaction (see the race rule above).
  // Already closed: no-op. Never opened: kFailedPrecondition
  // "ballot_not_open".
  Status close_box(const ElectionId& election);

  // Spends ballot.token().token_input() and stores the ballot, atomically.
  // The caller has verified the ballot (verify_cast_ballot) for this
  // election. Outcomes, decided inside one write transaction:
  //   token unspent, box open   -> stored, {hash, newly_accepted = true}
  //   token spent by this very ballot (same hash), whatever the state
  //                             -> {hash, newly_accepted = false} (a retry
  //                                whose answer was lost gets its receipt)
  //   token spent by another ballot -> kAlreadyExists "token_already_used"
  //   box not yet open          -> kFailedPrecondition "ballot_not_open"
  //   box closed                -> kFailedPrecondition "ballot_closed"
  Result<CastOutcome> cast(const ElectionId& election, const CastBallot& ballot);

  // The officer's signed transitions (the caller verified the signature),
  // by the rule of sqlite_util.hpp append_transition_locked(), in one write
  // transaction with the box's state: open opens the box; closed closes it
  // (see the race rule above) and stores the revealed lot seed, which the
  // caller checked against the manifest's commitment (required:
  // kInvalidArgument "lot_seed_required"; a box never opened:
  // kFailedPrecondition "ballot_not_open"). The same transition again:
  // newly_applied = false.
  Result<TransitionResult> transition(const ElectionId& election, const StateTransition& t,
                                      const std::optional<FixedBytes<32>>& lot_seed = {});
  Result<std::vector<StateTransition>> transitions(const ElectionId& election) const;
  // The seed revealed with the close; nullopt before.
  Result<std::optional<FixedBytes<32>>> lot_seed(const ElectionId& election) const;

  // The election's roster, for the board. Must be the one the manifest
  // names (kInvalidArgument "roster_mismatch"); again: no-op.
  Status put_roster(const ElectionId& election, const Roster& roster);
  // kNotFound "roster_not_found".
  Result<Roster> roster(const ElectionId& election) const;

  // The register's issuance log for the board, recorded once after the close
  // (kFailedPrecondition "ballot_not_closed" before), verified by the caller.
  // The same log again: no-op; another: kAlreadyExists
  // "issuance_log_differs". Stored sorted by institution id.
  Status put_issuance_log(const ElectionId& election, std::vector<IssuanceEntry> entries);
  // nullopt until recorded.
  Result<std::optional<std::vector<IssuanceEntry>>> issuance_log(const ElectionId& election) const;

  // A trustee's partial decryptions of the sums, verified by the caller;
  // taken only while the election is closed (kFailedPrecondition
  // "wrong_state"). The same again: false; other ones for the same trustee:
  // kAlreadyExists "partials_differ". Returns true when stored.
  Result<bool> add_partials(const ElectionId& election, const TrusteePartials& partials);
  // Ascending by trustee.
  Result<std::vector<TrusteePartials>> partials(const ElectionId& election) const;

  // Ballots in the box (turnout; counts may be shown while open).
  Result<std::uint64_t> ballot_count(const ElectionId& election) const;
  // All ballots, ascending by ballot hash. Only once the box is closed
  // (kFailedPrecondition "ballot_not_closed"): while open, nothing but
  // counts leaves the box.
  Result<std::vector<CastBallot>> ballots(const ElectionId& election) const;

  // A consistent copy of the whole ballot box (sqlite_util.hpp
  // backup_database), taken while the store stays in use.
  Status backup_to(const std::filesystem::path& dest) const;

 private:
  BallotBoxStore(std::filesystem::path path, std::unique_ptr<SQLite::Database> db);
  Result<BoxState> state_locked(const ElectionId& election) const;

  const std::filesystem::path path_;
  // Guards db_ and every statement prepared on it.
  mutable std::mutex db_mutex_;
  std::unique_ptr<SQLite::Database> db_;
  // Declared after db_: destroyed before the connection it prepared on.
  mutable StatementCache statements_;
};

}  // namespace urne::store
