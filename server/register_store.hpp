// The voter register's store: one SQLite file (sqlite_util.hpp: WAL,
// synchronous=FULL, mode 0600) holding the rosters, the elections (manifest,
// state and its transition sequence), each election's token issuing secret
// key, the issuance log and the failed-authorization counters.
//
// It never holds a ballot: the ballot box has its own store and file
// (ballot_box_store.hpp), so that the two can run on different hosts.
//
// Transitions carry the officer's signature and are kept in order
// (transitions table); the elections row caches state and sequence.
//
// The token issuing key is stored as unencrypted PKCS#8 DER; the file's
// mode 0600 is its only protection at rest.
//
// Values go in and out as domain types and are stored as their canonical
// bytes (Roster, Manifest, TokenRequest, TokenResponse); a stored value that
// no longer parses is kDataLoss "storage_corrupt". Every method returns the
// sqlite_util.hpp error mapping for storage failures in addition to the
// reasons it lists.
//
// One issuance per institution and election: record_issuance() looks up,
// signs outside the lock, then inserts under UNIQUE(election, institution)
// and re-checks inside the write transaction, so that concurrent requests of
// one institution produce exactly one row and all get its response.
//
// The look-ups of the issuance path are answered from memory: per election,
// its state and the set of institutions with a row, loaded once from the
// file and updated under the connection's lock after each commit that
// changes them. This object is meant to be the file's only writer; a commit
// by any other connection is noticed (PRAGMA data_version) inside the next
// issuance transaction, which then reloads the mirror before it decides.
// A new request needs no SQL look-up before its INSERT.
//
// Group commit: issuances of different requests that are ready while another
// transaction commits are written together in the next one (one fsync for
// all). A lone request commits at once; nothing waits for a timer. Every
// caller is answered only after the transaction holding its row has
// committed (synchronous=FULL). If a batch's transaction fails, it is rolled
// back and each of its issuances is retried alone in its own transaction, so
// that a failure tied to one request fails only that request; a storage
// fault that persists fails each of them, and none is acknowledged.
//
// Thread-safety: thread-safe. One connection, guarded by db_mutex_, which
// is held only for the duration of SQLite calls (never while signing, never
// across network I/O).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ballot/board.hpp"
#include "ballot/manifest.hpp"
#include "ballot/roster.hpp"
#include "crypto/blind_rsa.hpp"
#include "crypto/bytes.hpp"
#include "crypto/privacy_pass.hpp"
#include "crypto/status.hpp"
#include "server/sqlite_util.hpp"

namespace urne::store {

// The election state machine's states, in order (the values are stored).
// The election's state machine is the domain's (ballot/board.hpp); the
// register stores it as its integer value.
using urne::ElectionState;

struct ElectionStatus {
  ElectionState state = ElectionState::kDraft;
  // 0 at creation, +1 per transition: a stale dashboard can tell.
  std::uint64_t sequence = 0;
};

inline constexpr std::size_t kInstitutionSignatureSize = 64;  // Ed25519
using InstitutionSignature = FixedBytes<kInstitutionSignatureSize>;

struct TransitionOutcome {
  ElectionStatus status;       // after the call
  bool newly_applied = false;  // false: this very transition was stored before
};

struct IssuanceRecord {
  std::string institution_id;
  TokenRequest request;
  InstitutionSignature signature{};
  TokenResponse response;
};

struct IssuanceOutcome {
  TokenResponse response;
  bool newly_issued = false;  // false: the stored response to the same request
};

// Counts of the group commit, for tests and diagnostics.
struct GroupCommitStats {
  std::uint64_t transactions = 0;  // committed issuance transactions
  std::uint64_t issuances = 0;     // new rows they held
  std::size_t queued = 0;          // signed issuances waiting for a transaction now
};

// Effects a test injects into the write path (fault injection).
struct RegisterTestHooks {
  // Called inside the issuance write transaction just before each INSERT,
  // with the db lock held. It may throw what SQLite throws
  // (SQLite::Exception) to stand for a failing write, or block to hold a
  // transaction open while others queue.
  std::function<void(std::string_view institution_id)> before_issuance_insert;
};

class RegisterStore {
 public:
  // Computes the response to a request (the blind signature). Called
  // without any store lock held; may be called and its result discarded
  // when a concurrent identical request wins.
  using Signer = std::function<Result<TokenResponse>(const TokenRequest&)>;

  // Opens or creates the register at `file` (sqlite_util.hpp open_database).
  static Result<std::unique_ptr<RegisterStore>> open(const std::filesystem::path& file,
                                                     const OpenOptions& options = {},
                                                     RegisterTestHooks hooks = {});

  RegisterStore(const RegisterStore&) = delete;
  RegisterStore& operator=(const RegisterStore&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

  // Stores a roster under its fingerprint; storing it again is a no-op.
  Status put_roster(const Roster& roster);
  // kNotFound "roster_not_found".
  Result<Roster> roster(const FixedBytes<32>& fingerprint) const;

  // Creates the election in kDraft, sequence 0, with its token issuing key.
  // The manifest's roster must be stored (kNotFound "roster_not_found"); the
  // key must be the manifest's token key (kInvalidArgument
  // "token_key_mismatch"); an existing election: kAlreadyExists
  // "election_exists".
  Status create_election(const Manifest& manifest, const BlindRsaSecretKey& token_key);
  // kNotFound "election_not_found" (also for the getters below).
  Result<Manifest> manifest(const ElectionId& election) const;
  // All elections, ascending by id.
  Result<std::vector<ElectionId>> election_ids() const;
  Result<ElectionStatus> election_status(const ElectionId& election) const;
  // Appends the officer's signed transition (the caller verified the
  // signature against the manifest's officer key) in one transaction, by the
  // rule of sqlite_util.hpp append_transition_locked(): the next state with
  // the next sequence number, or the very same transition again (a retry:
  // newly_applied = false); else kFailedPrecondition "wrong_state".
  Result<TransitionOutcome> transition(const ElectionId& election, const StateTransition& t);
  // The election's transitions by sequence.
  Result<std::vector<StateTransition>> transitions(const ElectionId& election) const;

  // Keeps a token issuing key made before its election's manifest (the
  // manifest publishes the public key). Adding the same key again: no-op.
  Status add_pending_token_key(const BlindRsaSecretKey& token_key);
  // create_election() with the pending key whose public key the manifest
  // publishes; the key leaves the pending table in the same transaction.
  // kNotFound "token_key_not_found" when no such pending key exists, and
  // create_election()'s reasons.
  Status create_election_from_pending(const Manifest& manifest);
  // The election's token issuing secret key.
  Result<BlindRsaSecretKey> token_secret_key(const ElectionId& election) const;

  // One issuance per (election, institution). If a row exists: the same
  // request bytes return its stored response (newly_issued = false), other
  // bytes give kAlreadyExists "already_issued_other_request". Otherwise
  // the election must be kPublished or kOpen (kFailedPrecondition
  // "issuance_closed"; checked again inside the insert's transaction), then
  // `sign` runs outside the lock and the row (request, signature, response)
  // is inserted; a concurrent winner's row is re-read and treated as above.
  // The caller has checked the institution's entitlement and signature.
  // The row is written by group commit (see the top of this file); a
  // storage failure of its transaction returns the storage error and
  // stores nothing for this request.
  Result<IssuanceOutcome> record_issuance(const ElectionId& election,
                                          std::string_view institution_id,
                                          const TokenRequest& request,
                                          const InstitutionSignature& signature,
                                          const Signer& sign);
  Result<std::optional<IssuanceRecord>> find_issuance(const ElectionId& election,
                                                      std::string_view institution_id) const;
  // The issuance log, ascending by institution id (the board's order).
  Result<std::vector<IssuanceRecord>> issuances(const ElectionId& election) const;
  // Tokens issued for the election (turnout).
  Result<std::uint64_t> issued_count(const ElectionId& election) const;

  // Failed authorization attempts per (election, institution), never per
  // client address. Increments and returns the new count. The caller counts
  // only institutions of the election's roster (an attacker choosing ids
  // would otherwise grow the table).
  Result<std::uint64_t> record_failed_attempt(const ElectionId& election,
                                              std::string_view institution_id);
  Result<std::uint64_t> failed_attempts(const ElectionId& election,
                                        std::string_view institution_id) const;

  // A consistent copy of the whole register (sqlite_util.hpp
  // backup_database), taken while the store stays in use. The copy holds
  // the token keys: keep it as private as the original.
  Status backup_to(const std::filesystem::path& dest) const;

  GroupCommitStats group_commit_stats() const;

 private:
  // What the issuance path asks on every request, per election (see the
  // top of this file).
  struct IssuanceMemo {
    ElectionStatus status;
    std::set<std::string, std::less<>> issued;  // institutions with a committed row
  };
  // One signed issuance waiting for its transaction. Lives on the stack of
  // the request's thread until `outcome` is set (under queue_mutex_).
  struct PendingIssuance {
    const ElectionId& election;
    std::string_view institution_id;
    const TokenRequest& request;
    const InstitutionSignature& signature;
    const TokenResponse& response;
    std::optional<Result<IssuanceOutcome>> outcome;
  };

  RegisterStore(std::filesystem::path path, std::unique_ptr<SQLite::Database> db,
                RegisterTestHooks hooks);

  // The election's state and whether the institution has a row, from the
  // memo (loaded on first use; db_mutex_ must NOT be held by the caller).
  struct MemoAnswer {
    ElectionStatus status;
    bool issued = false;
  };
  Result<MemoAnswer> memo_answer(const ElectionId& election, std::string_view institution_id);
  // Loads the election's memo if absent (db_mutex_ held by the caller).
  Status load_memo_locked(const ElectionId& election);
  // PRAGMA data_version (db_mutex_ held by the caller).
  std::int64_t data_version_locked() const;
  // Queues `p` and returns once a transaction holding it has committed or
  // failed; the caller may become the leader that writes a batch.
  Result<IssuanceOutcome> commit_issuance(PendingIssuance& p);
  // Writes `batch` in one transaction, else each alone (db_mutex_ not held).
  std::vector<Result<IssuanceOutcome>> write_batch(const std::vector<PendingIssuance*>& batch);
  // One transaction over `batch` (db_mutex_ held); throws on storage failure.
  std::vector<Result<IssuanceOutcome>> write_batch_locked(
      const std::vector<PendingIssuance*>& batch);

  // Reads the row, if any (db_mutex_ held by the caller).
  Result<std::optional<IssuanceRecord>> find_issuance_locked(const ElectionId& election,
                                                             std::string_view institution_id) const;
  Result<ElectionStatus> status_locked(const ElectionId& election) const;
  // The checks and inserts of create_election (lock and transaction held).
  Status insert_election_locked(const Manifest& manifest, ByteView token_key_der);

  const std::filesystem::path path_;
  // Guards db_ and every statement prepared on it.
  mutable std::mutex db_mutex_;
  std::unique_ptr<SQLite::Database> db_;
  // Declared after db_: destroyed before the connection it prepared on.
  mutable StatementCache statements_;
  const RegisterTestHooks hooks_;

  // Guards memos_. Taken after db_mutex_ when both are held; held only for
  // in-memory work.
  mutable std::mutex memo_mutex_;
  std::map<ElectionId, IssuanceMemo> memos_;
  // data_version when the memos were (re)started; guarded by db_mutex_.
  std::optional<std::int64_t> memo_data_version_;

  // Guards queue_, leader_active_, stats_ and every queued entry's outcome.
  // Never held while writing: the leader releases it for the transaction.
  mutable std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::vector<PendingIssuance*> queue_;
  bool leader_active_ = false;
  GroupCommitStats stats_;
};

}  // namespace urne::store
