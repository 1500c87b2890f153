#include "server/register_store.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <utility>

namespace urne::store {
namespace {

// 'urnR': marks a register file (PRAGMA application_id).
constexpr std::int32_t kRegisterApplicationId = 0x75726e52;

// Schema version 1. WITHOUT ROWID everywhere: rows are found by their keys,
// and no hidden rowid records the order in which tokens were issued.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE rosters (
  fingerprint BLOB PRIMARY KEY CHECK (length(fingerprint) = 32),
  canonical   BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE elections (
  election_id        BLOB PRIMARY KEY CHECK (length(election_id) = 32),
  roster_fingerprint BLOB NOT NULL REFERENCES rosters (fingerprint),
  manifest           BLOB NOT NULL,
  state              INTEGER NOT NULL CHECK (state BETWEEN 1 AND 6),
  sequence           INTEGER NOT NULL CHECK (sequence >= 0)
) WITHOUT ROWID;
CREATE TABLE token_keys (
  election_id      BLOB PRIMARY KEY REFERENCES elections (election_id),
  secret_key_pkcs8 BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE issuances (
  election_id    BLOB NOT NULL REFERENCES elections (election_id),
  institution_id TEXT NOT NULL CHECK (length(institution_id) BETWEEN 1 AND 64),
  request        BLOB NOT NULL CHECK (length(request) = 259),
  signature      BLOB NOT NULL CHECK (length(signature) = 64),
  response       BLOB NOT NULL CHECK (length(response) = 256),
  PRIMARY KEY (election_id, institution_id)
) WITHOUT ROWID;
CREATE TABLE failed_attempts (
  election_id    BLOB NOT NULL REFERENCES elections (election_id),
  institution_id TEXT NOT NULL CHECK (length(institution_id) BETWEEN 1 AND 64),
  count          INTEGER NOT NULL CHECK (count > 0),
  PRIMARY KEY (election_id, institution_id)
) WITHOUT ROWID;
)sql";

// Version 3: token keys made before their election's manifest exists (the
// manifest publishes the public key, so the key comes first). Keyed by
// token_key_id = SHA-256(pkS).
constexpr std::string_view kSchemaV3 = R"sql(
CREATE TABLE pending_token_keys (
  token_key_id     BLOB PRIMARY KEY CHECK (length(token_key_id) = 32),
  secret_key_pkcs8 BLOB NOT NULL
) WITHOUT ROWID;
)sql";

// Version 2 adds the officer's signed transitions (kTransitionsTableSql).
constexpr std::array<std::string_view, 3> kMigrations = {kSchemaV1, kTransitionsTableSql,
                                                         kSchemaV3};

// Statements of the issuance path, prepared once (StatementCache).
constexpr const char* kSelectStatus = "SELECT state, sequence FROM elections WHERE election_id = ?";
constexpr const char* kSelectIssuance =
    "SELECT institution_id, request, signature, response FROM issuances "
    "WHERE election_id = ? AND institution_id = ?";
// Changes when another connection commits to the file (not for this
// connection's own commits).
constexpr const char* kDataVersion = "PRAGMA data_version";
constexpr const char* kInsertIssuance =
    "INSERT INTO issuances (election_id, institution_id, request, signature, response) "
    "VALUES (?, ?, ?, ?, ?)";

Status election_not_found() {
  return {Code::kNotFound, "election_not_found", "no such election in the register"};
}

Status check_institution_id(std::string_view id) {
  // Mirrors the schema's CHECK so that a caller gets invalid_argument, not a
  // constraint error.
  if (id.empty() || id.size() > 64) {
    return invalid_argument("institution_id_malformed", "institution id must be 1..64 bytes");
  }
  return Status::ok();
}

void bind_text(SQLite::Statement& st, int index, std::string_view s) {
  st.bind(index, std::string(s));
}

Result<IssuanceRecord> read_issuance(SQLite::Statement& st) {
  // Columns: institution_id, request, signature, response.
  const Bytes req = column_bytes(st.getColumn(1));
  auto request = TokenRequest::parse(req);
  if (!request.ok()) return stored_data_corrupt("stored token request", request.status());
  URNE_ASSIGN_OR_RETURN(auto sig, column_fixed<kInstitutionSignatureSize>(st.getColumn(2)));
  const Bytes resp = column_bytes(st.getColumn(3));
  auto response = TokenResponse::parse(resp);
  if (!response.ok()) return stored_data_corrupt("stored token response", response.status());
  return IssuanceRecord{st.getColumn(0).getString(), std::move(request).value(), sig,
                        std::move(response).value()};
}

bool issuance_allowed(ElectionState s) {
  return s == ElectionState::kPublished || s == ElectionState::kOpen;
}

}  // namespace

RegisterStore::RegisterStore(std::filesystem::path path, std::unique_ptr<SQLite::Database> db,
                             RegisterTestHooks hooks)
    : path_(std::move(path)), db_(std::move(db)), hooks_(std::move(hooks)) {}

Result<std::unique_ptr<RegisterStore>> RegisterStore::open(const std::filesystem::path& file,
                                                           const OpenOptions& options,
                                                           RegisterTestHooks hooks) {
  const SchemaSpec schema{kRegisterApplicationId, kMigrations};
  URNE_ASSIGN_OR_RETURN(auto db, open_database(file, schema, options));
  return std::unique_ptr<RegisterStore>(new RegisterStore(file, std::move(db), std::move(hooks)));
}

Status RegisterStore::put_roster(const Roster& roster) {
  return guarded("put_roster", [&]() -> Status {
    const std::lock_guard lock(db_mutex_);
    // The fingerprint is the hash of the bytes: an existing row holds the
    // same bytes, so IGNORE is exact idempotence.
    SQLite::Statement st(*db_,
                         "INSERT OR IGNORE INTO rosters (fingerprint, canonical) VALUES (?, ?)");
    bind_blob(st, 1, roster.fingerprint());
    bind_blob(st, 2, roster.canonical_bytes());
    st.exec();
    return Status::ok();
  });
}

Result<Roster> RegisterStore::roster(const FixedBytes<32>& fingerprint) const {
  return guarded("roster", [&]() -> Result<Roster> {
    Bytes bytes;
    {
      const std::lock_guard lock(db_mutex_);
      SQLite::Statement st(*db_, "SELECT canonical FROM rosters WHERE fingerprint = ?");
      bind_blob(st, 1, fingerprint);
      if (!st.executeStep()) {
        return Status(Code::kNotFound, "roster_not_found", "no such roster in the register");
      }
      bytes = column_bytes(st.getColumn(0));
    }
    auto r = Roster::parse_canonical(bytes);
    if (!r.ok()) return stored_data_corrupt("stored roster", r.status());
    if (r->fingerprint() != fingerprint) {
      return Status(Code::kDataLoss, "storage_corrupt", "stored roster has another fingerprint");
    }
    return r;
  });
}

Status RegisterStore::create_election(const Manifest& manifest,
                                      const BlindRsaSecretKey& token_key) {
  if (token_key.public_key().spki() != manifest.token_public_key().spki()) {
    return invalid_argument("token_key_mismatch",
                            "the token key is not the one the manifest publishes");
  }
  const SecretBytes der = token_key.to_pkcs8_der();
  return guarded("create_election", [&]() -> Status {
    const std::lock_guard lock(db_mutex_);
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    URNE_RETURN_IF_ERROR(insert_election_locked(manifest, der.view()));
    tx.commit();
    return Status::ok();
  });
}

Status RegisterStore::insert_election_locked(const Manifest& manifest, ByteView token_key_der) {
  {
    SQLite::Statement st(*db_, "SELECT 1 FROM rosters WHERE fingerprint = ?");
    bind_blob(st, 1, manifest.spec().roster_fingerprint);
    if (!st.executeStep()) {
      return Status(Code::kNotFound, "roster_not_found",
                    "the manifest's roster is not in the register");
    }
  }
  {
    SQLite::Statement st(*db_, "SELECT 1 FROM elections WHERE election_id = ?");
    bind_blob(st, 1, manifest.election_id());
    if (st.executeStep()) {
      return Status(Code::kAlreadyExists, "election_exists", "the election already exists");
    }
  }
  SQLite::Statement ins(*db_,
                        "INSERT INTO elections (election_id, roster_fingerprint, manifest, state, "
                        "sequence) VALUES (?, ?, ?, ?, 0)");
  bind_blob(ins, 1, manifest.election_id());
  bind_blob(ins, 2, manifest.spec().roster_fingerprint);
  bind_blob(ins, 3, manifest.canonical_bytes());
  ins.bind(4, static_cast<int>(ElectionState::kDraft));
  ins.exec();
  SQLite::Statement key(*db_,
                        "INSERT INTO token_keys (election_id, secret_key_pkcs8) VALUES (?, ?)");
  bind_blob(key, 1, manifest.election_id());
  bind_blob(key, 2, token_key_der);
  key.exec();
  return Status::ok();
}

Result<Manifest> RegisterStore::manifest(const ElectionId& election) const {
  return guarded("manifest", [&]() -> Result<Manifest> {
    return load_manifest(*db_, db_mutex_, election, election_not_found());
  });
}

Result<std::vector<ElectionId>> RegisterStore::election_ids() const {
  return guarded("election_ids", [&]() -> Result<std::vector<ElectionId>> {
    const std::lock_guard lock(db_mutex_);
    SQLite::Statement st(*db_, "SELECT election_id FROM elections ORDER BY election_id");
    std::vector<ElectionId> out;
    while (st.executeStep()) {
      URNE_ASSIGN_OR_RETURN(auto id, column_fixed<32>(st.getColumn(0)));
      out.push_back(id);
    }
    return out;
  });
}

Result<ElectionStatus> RegisterStore::status_locked(const ElectionId& election) const {
  auto st = statements_.get(*db_, kSelectStatus);
  bind_blob(*st, 1, election);
  if (!st->executeStep()) return election_not_found();
  const int state = st->getColumn(0).getInt();
  const std::int64_t seq = st->getColumn(1).getInt64();
  if (state < 0 || state > static_cast<int>(ElectionState::kResultPublished) || seq < 0) {
    return Status(Code::kDataLoss, "storage_corrupt", "stored election state out of range");
  }
  return ElectionStatus{static_cast<ElectionState>(state), static_cast<std::uint64_t>(seq)};
}

Result<ElectionStatus> RegisterStore::election_status(const ElectionId& election) const {
  return guarded("election_status", [&]() -> Result<ElectionStatus> {
    const std::lock_guard lock(db_mutex_);
    return status_locked(election);
  });
}

Result<TransitionOutcome> RegisterStore::transition(const ElectionId& election,
                                                    const StateTransition& t) {
  return guarded("transition", [&]() -> Result<TransitionOutcome> {
    const std::lock_guard lock(db_mutex_);
    // Read and write in one IMMEDIATE transaction: the check and the change
    // cannot interleave with an issuance's state check.
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    URNE_ASSIGN_OR_RETURN(const ElectionStatus current, status_locked(election));
    URNE_ASSIGN_OR_RETURN(const auto stored, load_transitions_locked(*db_, election));
    if (stored.size() != current.sequence || state_after(stored) != current.state) {
      return Status(Code::kDataLoss, "storage_corrupt",
                    "the election's state disagrees with its transitions");
    }
    URNE_ASSIGN_OR_RETURN(const bool appended, append_transition_locked(*db_, election, stored, t));
    if (!appended) return TransitionOutcome{current, false};
    SQLite::Statement st(*db_,
                         "UPDATE elections SET state = ?, sequence = sequence + 1 "
                         "WHERE election_id = ?");
    st.bind(1, static_cast<int>(t.state));
    bind_blob(st, 2, election);
    st.exec();
    tx.commit();
    const ElectionStatus after{t.state, current.sequence + 1};
    {
      // Still under db_mutex_: no issuance can check the old state between
      // the commit and this update.
      const std::lock_guard memo_lock(memo_mutex_);
      if (auto it = memos_.find(election); it != memos_.end()) it->second.status = after;
    }
    return TransitionOutcome{after, true};
  });
}

Result<std::vector<StateTransition>> RegisterStore::transitions(const ElectionId& election) const {
  return guarded("transitions", [&]() -> Result<std::vector<StateTransition>> {
    const std::lock_guard lock(db_mutex_);
    URNE_RETURN_IF_ERROR(status_locked(election).status());
    return load_transitions_locked(*db_, election);
  });
}

Status RegisterStore::add_pending_token_key(const BlindRsaSecretKey& token_key) {
  const SecretBytes der = token_key.to_pkcs8_der();
  URNE_ASSIGN_OR_RETURN(const TokenPublicKey pk, TokenPublicKey::from_key(token_key.public_key()));
  const TokenKeyId key_id = pk.key_id();
  return guarded("add_pending_token_key", [&]() -> Status {
    const std::lock_guard lock(db_mutex_);
    SQLite::Statement st(*db_,
                         "INSERT OR IGNORE INTO pending_token_keys (token_key_id, "
                         "secret_key_pkcs8) VALUES (?, ?)");
    bind_blob(st, 1, key_id);
    bind_blob(st, 2, der.view());
    st.exec();
    return Status::ok();
  });
}

Status RegisterStore::create_election_from_pending(const Manifest& manifest) {
  const auto key_id = manifest.token_public_key().key_id();
  return guarded("create_election_from_pending", [&]() -> Status {
    const std::lock_guard lock(db_mutex_);
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SecretBytes der;
    {
      SQLite::Statement st(
          *db_, "SELECT secret_key_pkcs8 FROM pending_token_keys WHERE token_key_id = ?");
      bind_blob(st, 1, key_id);
      if (!st.executeStep()) {
        // Created already (a retry)? Then the election exists.
        SQLite::Statement e(*db_, "SELECT 1 FROM elections WHERE election_id = ?");
        bind_blob(e, 1, manifest.election_id());
        if (e.executeStep()) {
          return Status(Code::kAlreadyExists, "election_exists", "the election already exists");
        }
        return Status(Code::kNotFound, "token_key_not_found",
                      "the manifest's token key was not made by this register");
      }
      const SQLite::Column c = st.getColumn(0);
      const auto* p = static_cast<const std::uint8_t*>(c.getBlob());
      der = SecretBytes::copy_of(
          ByteView(p, p == nullptr ? 0 : static_cast<std::size_t>(c.getBytes())));
    }
    URNE_RETURN_IF_ERROR(insert_election_locked(manifest, der.view()));
    SQLite::Statement del(*db_, "DELETE FROM pending_token_keys WHERE token_key_id = ?");
    bind_blob(del, 1, key_id);
    del.exec();
    tx.commit();
    return Status::ok();
  });
}

Result<BlindRsaSecretKey> RegisterStore::token_secret_key(const ElectionId& election) const {
  return guarded("token_secret_key", [&]() -> Result<BlindRsaSecretKey> {
    SecretBytes der;
    {
      const std::lock_guard lock(db_mutex_);
      SQLite::Statement st(*db_, "SELECT secret_key_pkcs8 FROM token_keys WHERE election_id = ?");
      bind_blob(st, 1, election);
      if (!st.executeStep()) return election_not_found();
      const SQLite::Column c = st.getColumn(0);
      const auto* p = static_cast<const std::uint8_t*>(c.getBlob());
      // Copied straight into wiped memory: the key never sits in a plain
      // vector.
      der = SecretBytes::copy_of(
          ByteView(p, p == nullptr ? 0 : static_cast<std::size_t>(c.getBytes())));
    }
    auto key = BlindRsaSecretKey::from_pkcs8_der(der.view());
    if (!key.ok()) return stored_data_corrupt("stored token key", key.status());
    return key;
  });
}

Result<std::optional<IssuanceRecord>> RegisterStore::find_issuance_locked(
    const ElectionId& election, std::string_view institution_id) const {
  auto st = statements_.get(*db_, kSelectIssuance);
  bind_blob(*st, 1, election);
  bind_text(*st, 2, institution_id);
  if (!st->executeStep()) return std::optional<IssuanceRecord>();
  URNE_ASSIGN_OR_RETURN(auto rec, read_issuance(*st));
  return std::optional<IssuanceRecord>(std::move(rec));
}

Result<std::optional<IssuanceRecord>> RegisterStore::find_issuance(
    const ElectionId& election, std::string_view institution_id) const {
  return guarded("find_issuance", [&]() -> Result<std::optional<IssuanceRecord>> {
    const std::lock_guard lock(db_mutex_);
    return find_issuance_locked(election, institution_id);
  });
}

namespace {

// The answer for an existing row: its response if the request is the same,
// else the refusal. Request bytes are public (they go on the board), so a
// plain comparison is fine.
Result<IssuanceOutcome> outcome_for_existing(const IssuanceRecord& rec,
                                             const TokenRequest& request) {
  if (rec.request.bytes() != request.bytes()) {
    return Status(Code::kAlreadyExists, "already_issued_other_request",
                  "a token was already issued to this institution for this election, for "
                  "another request");
  }
  return IssuanceOutcome{rec.response, false};
}

}  // namespace

Status RegisterStore::load_memo_locked(const ElectionId& election) {
  {
    const std::lock_guard memo_lock(memo_mutex_);
    if (memos_.contains(election)) return Status::ok();
  }
  // Only elections that exist get a memo: an attacker choosing election
  // ids cannot grow the map.
  URNE_ASSIGN_OR_RETURN(const ElectionStatus status, status_locked(election));
  if (!memo_data_version_) memo_data_version_ = data_version_locked();
  IssuanceMemo memo{status, {}};
  SQLite::Statement st(*db_, "SELECT institution_id FROM issuances WHERE election_id = ?");
  bind_blob(st, 1, election);
  while (st.executeStep()) memo.issued.insert(st.getColumn(0).getString());
  const std::lock_guard memo_lock(memo_mutex_);
  memos_.try_emplace(election, std::move(memo));
  return Status::ok();
}

Result<RegisterStore::MemoAnswer> RegisterStore::memo_answer(const ElectionId& election,
                                                             std::string_view institution_id) {
  const auto lookup = [&]() -> std::optional<MemoAnswer> {
    const std::lock_guard memo_lock(memo_mutex_);
    const auto it = memos_.find(election);
    if (it == memos_.end()) return std::nullopt;
    return MemoAnswer{it->second.status, it->second.issued.contains(institution_id)};
  };
  if (auto answer = lookup()) return *answer;
  URNE_RETURN_IF_ERROR(guarded("record_issuance", [&]() -> Status {
    const std::lock_guard lock(db_mutex_);
    return load_memo_locked(election);
  }));
  return *lookup();
}

Result<IssuanceOutcome> RegisterStore::record_issuance(const ElectionId& election,
                                                       std::string_view institution_id,
                                                       const TokenRequest& request,
                                                       const InstitutionSignature& signature,
                                                       const Signer& sign) {
  URNE_RETURN_IF_ERROR(check_institution_id(institution_id));
  // 1. Look up in memory: a retry gets its stored response without a second
  //    signature; a new request costs no SQL before its INSERT.
  URNE_ASSIGN_OR_RETURN(const MemoAnswer pre, memo_answer(election, institution_id));
  if (pre.issued) {
    return guarded("record_issuance", [&]() -> Result<IssuanceOutcome> {
      const std::lock_guard lock(db_mutex_);
      URNE_ASSIGN_OR_RETURN(auto existing, find_issuance_locked(election, institution_id));
      if (!existing) {
        return Status(Code::kDataLoss, "storage_corrupt", "an issuance row went missing");
      }
      return outcome_for_existing(*existing, request);
    });
  }
  if (!issuance_allowed(pre.status.state)) {
    return failed_precondition("issuance_closed",
                               "tokens are issued only while the election is published or open");
  }
  // 2. Sign without any lock: ~1 ms of RSA must not serialize the store.
  URNE_ASSIGN_OR_RETURN(const TokenResponse response, sign(request));
  // 3. Insert by group commit, re-checking inside the write transaction;
  //    the loser of a race reads the winner's row.
  PendingIssuance pending{election, institution_id, request, signature, response, std::nullopt};
  return commit_issuance(pending);
}

Result<IssuanceOutcome> RegisterStore::commit_issuance(PendingIssuance& p) {
  std::unique_lock queue_lock(queue_mutex_);
  queue_.push_back(&p);
  // Leader/follower: wait while another thread writes a batch (which may
  // hold this entry); when nobody writes and this entry is still unwritten,
  // write everything queued so far.
  queue_cv_.wait(queue_lock, [&] { return p.outcome.has_value() || !leader_active_; });
  if (p.outcome) return std::move(*p.outcome);
  leader_active_ = true;
  std::vector<PendingIssuance*> batch;
  batch.swap(queue_);
  queue_lock.unlock();

  std::vector<Result<IssuanceOutcome>> results;
  try {
    results = write_batch(batch);
  } catch (const std::exception&) {
    // Only allocation can throw here (write_batch maps storage failures):
    // the batch must still be answered and the leadership released, or
    // every later issuance would wait for ever.
    results.clear();
  }
  if (results.size() != batch.size()) {
    results.assign(batch.size(), Status(Code::kResourceExhausted, "out_of_memory",
                                        "record_issuance: out of memory"));
  }

  queue_lock.lock();
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->outcome = std::move(results[i]);
  leader_active_ = false;
  queue_lock.unlock();
  // Wakes the followers of this batch, and one of those queued meanwhile
  // to lead the next batch.
  queue_cv_.notify_all();
  return std::move(*p.outcome);
}

std::vector<Result<IssuanceOutcome>> RegisterStore::write_batch(
    const std::vector<PendingIssuance*>& batch) {
  const std::lock_guard lock(db_mutex_);
  auto all = guarded("record_issuance", [&]() -> Result<std::vector<Result<IssuanceOutcome>>> {
    return write_batch_locked(batch);
  });
  if (all.ok()) return std::move(all).value();
  // The batch's transaction failed and was rolled back: nothing of it is
  // stored. Each entry is tried again alone, so that a failure tied to one
  // request does not fail the others; one that fails again gets its error.
  std::vector<Result<IssuanceOutcome>> results;
  results.reserve(batch.size());
  for (PendingIssuance* p : batch) {
    if (batch.size() == 1) {
      results.emplace_back(all.status());
      continue;
    }
    auto one = guarded("record_issuance", [&]() -> Result<std::vector<Result<IssuanceOutcome>>> {
      return write_batch_locked({p});
    });
    if (one.ok()) {
      results.push_back(std::move(one.value().front()));
    } else {
      results.emplace_back(one.status());
    }
  }
  return results;
}

std::vector<Result<IssuanceOutcome>> RegisterStore::write_batch_locked(
    const std::vector<PendingIssuance*>& batch) {
  std::vector<Result<IssuanceOutcome>> results;
  results.reserve(batch.size());
  std::vector<const PendingIssuance*> inserted;  // by this transaction, not yet in the memo
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  // The memo mirrors this connection's own writes. Another connection's
  // commit (a second process on the same file: a deployment error, but the
  // rules must hold anyway) shows in data_version: then the memo is
  // reloaded inside this transaction, which holds the write lock.
  if (const std::int64_t version = data_version_locked(); version != memo_data_version_) {
    {
      const std::lock_guard memo_lock(memo_mutex_);
      memos_.clear();
    }
    memo_data_version_ = version;
  }
  for (const PendingIssuance* p : batch) {
    if (Status loaded = load_memo_locked(p->election); !loaded) {
      results.emplace_back(std::move(loaded));
      continue;
    }
    std::optional<MemoAnswer> memo;
    {
      const std::lock_guard memo_lock(memo_mutex_);
      const auto it = memos_.find(p->election);
      // Loaded just above.
      if (it != memos_.end()) {
        memo = MemoAnswer{it->second.status, it->second.issued.contains(p->institution_id)};
      }
    }
    if (!memo) {
      results.emplace_back(Status(Code::kInternal, "storage_error", "issuance memo missing"));
      continue;
    }
    const bool has_row =
        memo->issued || std::any_of(inserted.begin(), inserted.end(), [&](const auto* q) {
          return q->election == p->election && q->institution_id == p->institution_id;
        });
    if (has_row) {
      // A concurrent request of the same institution won (committed, or
      // earlier in this very transaction, which this connection reads).
      auto existing = find_issuance_locked(p->election, p->institution_id);
      if (!existing.ok()) {
        results.emplace_back(existing.status());
      } else if (!existing.value()) {
        results.emplace_back(
            Status(Code::kDataLoss, "storage_corrupt", "an issuance row went missing"));
      } else {
        results.push_back(outcome_for_existing(**existing, p->request));
      }
      continue;
    }
    if (!issuance_allowed(memo->status.state)) {
      results.emplace_back(failed_precondition(
          "issuance_closed", "tokens are issued only while the election is published or open"));
      continue;
    }
    if (hooks_.before_issuance_insert) hooks_.before_issuance_insert(p->institution_id);
    auto ins = statements_.get(*db_, kInsertIssuance);
    bind_blob(*ins, 1, p->election);
    bind_text(*ins, 2, p->institution_id);
    bind_blob(*ins, 3, p->request.bytes());
    bind_blob(*ins, 4, p->signature);
    bind_blob(*ins, 5, p->response.bytes());
    ins->exec();
    inserted.push_back(p);
    results.push_back(IssuanceOutcome{p->response, true});
  }
  if (inserted.empty()) return results;  // nothing written: the transaction rolls back
  tx.commit();  // synchronous=FULL: on disk before any answer of the batch leaves
  {
    const std::lock_guard memo_lock(memo_mutex_);
    for (const PendingIssuance* p : inserted) {
      memos_[p->election].issued.emplace(p->institution_id);
    }
  }
  const std::lock_guard queue_lock(queue_mutex_);
  ++stats_.transactions;
  stats_.issuances += inserted.size();
  return results;
}

std::int64_t RegisterStore::data_version_locked() const {
  auto st = statements_.get(*db_, kDataVersion);
  st->executeStep();
  return st->getColumn(0).getInt64();
}

GroupCommitStats RegisterStore::group_commit_stats() const {
  const std::lock_guard queue_lock(queue_mutex_);
  GroupCommitStats out = stats_;
  out.queued = queue_.size();
  return out;
}

Result<std::vector<IssuanceRecord>> RegisterStore::issuances(const ElectionId& election) const {
  return guarded("issuances", [&]() -> Result<std::vector<IssuanceRecord>> {
    const std::lock_guard lock(db_mutex_);
    URNE_RETURN_IF_ERROR(status_locked(election).status());
    SQLite::Statement st(*db_,
                         "SELECT institution_id, request, signature, response FROM issuances "
                         "WHERE election_id = ? ORDER BY institution_id");
    bind_blob(st, 1, election);
    std::vector<IssuanceRecord> out;
    while (st.executeStep()) {
      URNE_ASSIGN_OR_RETURN(auto rec, read_issuance(st));
      out.push_back(std::move(rec));
    }
    return out;
  });
}

Result<std::uint64_t> RegisterStore::issued_count(const ElectionId& election) const {
  return guarded("issued_count", [&]() -> Result<std::uint64_t> {
    const std::lock_guard lock(db_mutex_);
    URNE_RETURN_IF_ERROR(status_locked(election).status());
    SQLite::Statement st(*db_, "SELECT count(*) FROM issuances WHERE election_id = ?");
    bind_blob(st, 1, election);
    st.executeStep();
    return static_cast<std::uint64_t>(st.getColumn(0).getInt64());
  });
}

Result<std::uint64_t> RegisterStore::record_failed_attempt(const ElectionId& election,
                                                           std::string_view institution_id) {
  URNE_RETURN_IF_ERROR(check_institution_id(institution_id));
  return guarded("record_failed_attempt", [&]() -> Result<std::uint64_t> {
    const std::lock_guard lock(db_mutex_);
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    URNE_RETURN_IF_ERROR(status_locked(election).status());
    SQLite::Statement up(*db_,
                         "INSERT INTO failed_attempts (election_id, institution_id, count) "
                         "VALUES (?, ?, 1) ON CONFLICT (election_id, institution_id) "
                         "DO UPDATE SET count = count + 1");
    bind_blob(up, 1, election);
    bind_text(up, 2, institution_id);
    up.exec();
    SQLite::Statement st(*db_,
                         "SELECT count FROM failed_attempts WHERE election_id = ? AND "
                         "institution_id = ?");
    bind_blob(st, 1, election);
    bind_text(st, 2, institution_id);
    st.executeStep();
    const auto n = static_cast<std::uint64_t>(st.getColumn(0).getInt64());
    tx.commit();
    return n;
  });
}

Result<std::uint64_t> RegisterStore::failed_attempts(const ElectionId& election,
                                                     std::string_view institution_id) const {
  return guarded("failed_attempts", [&]() -> Result<std::uint64_t> {
    const std::lock_guard lock(db_mutex_);
    URNE_RETURN_IF_ERROR(status_locked(election).status());
    SQLite::Statement st(*db_,
                         "SELECT count FROM failed_attempts WHERE election_id = ? AND "
                         "institution_id = ?");
    bind_blob(st, 1, election);
    bind_text(st, 2, institution_id);
    if (!st.executeStep()) return std::uint64_t{0};
    return static_cast<std::uint64_t>(st.getColumn(0).getInt64());
  });
}

Status RegisterStore::backup_to(const std::filesystem::path& dest) const {
  // No lock: the backup reads through its own connection (WAL snapshot).
  return backup_database(path_, dest);
}

}  // namespace urne::store
