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
// Thread-safety: thread-safe. One connection, guarded by db_mutex_, which
// is held only for the duration of SQLite calls (never while signing, never
// across network I/O).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
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

class RegisterStore {
 public:
  // Computes the response to a request (the blind signature). Called
  // without any store lock held; may be called and its result discarded
  // when a concurrent identical request wins.
  using Signer = std::function<Result<TokenResponse>(const TokenRequest&)>;

  // Opens or creates the register at `file` (sqlite_util.hpp open_database).
  static Result<std::unique_ptr<RegisterStore>> open(const std::filesystem::path& file,
                                                     const OpenOptions& options = {});

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

 private:
  RegisterStore(std::filesystem::path path, std::unique_ptr<SQLite::Database> db);

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
};

}  // namespace urne::store
