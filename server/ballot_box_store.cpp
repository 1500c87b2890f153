#include "server/ballot_box_store.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace urne::store {
namespace {

// 'urnB': marks a ballot box file (PRAGMA application_id).
constexpr std::int32_t kBallotBoxApplicationId = 0x75726e42;

// Schema version 1. No column holds a time, an address or a sequence, and
// WITHOUT ROWID removes SQLite's hidden rowid, which would otherwise record
// the order of arrival. The spent set's key is the token input alone: it
// already names the election (challenge digest, key id), and a global key
// means a token can never be spent twice anywhere.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE elections (
  election_id      BLOB PRIMARY KEY CHECK (length(election_id) = 32),
  manifest         BLOB NOT NULL,
  token_public_key BLOB NOT NULL,
  state            INTEGER NOT NULL CHECK (state BETWEEN 0 AND 2)
) WITHOUT ROWID;
CREATE TABLE ballots (
  election_id BLOB NOT NULL REFERENCES elections (election_id),
  ballot_hash BLOB NOT NULL CHECK (length(ballot_hash) = 32),
  ballot      BLOB NOT NULL,
  PRIMARY KEY (election_id, ballot_hash)
) WITHOUT ROWID;
CREATE TABLE spent_tokens (
  token_input BLOB PRIMARY KEY CHECK (length(token_input) = 98),
  election_id BLOB NOT NULL,
  ballot_hash BLOB NOT NULL,
  FOREIGN KEY (election_id, ballot_hash) REFERENCES ballots (election_id, ballot_hash)
) WITHOUT ROWID;
)sql";

// Version 3: what the box needs to publish the board after the close, all of
// it public: the roster, the revealed lot seed, the issuance log (copied from
// the register, or uploaded and verified when the two run apart; one row
// per institution, sorted by id: no issuance order), and the trustees'
// verified partial decryptions (PartialDecryption::encode() concatenated,
// slot order). Sums and the result are recomputed from these, never stored.
constexpr std::string_view kSchemaV3 = R"sql(
CREATE TABLE rosters (
  election_id BLOB PRIMARY KEY REFERENCES elections (election_id),
  canonical   BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE lot_seeds (
  election_id BLOB PRIMARY KEY REFERENCES elections (election_id),
  seed        BLOB NOT NULL CHECK (length(seed) = 32)
) WITHOUT ROWID;
CREATE TABLE issuance_logs (
  election_id BLOB PRIMARY KEY REFERENCES elections (election_id),
  entries     INTEGER NOT NULL CHECK (entries >= 0)
) WITHOUT ROWID;
CREATE TABLE issuance_entries (
  election_id    BLOB NOT NULL REFERENCES issuance_logs (election_id),
  institution_id TEXT NOT NULL CHECK (length(institution_id) BETWEEN 1 AND 64),
  request        BLOB NOT NULL CHECK (length(request) = 259),
  signature      BLOB NOT NULL CHECK (length(signature) = 64),
  PRIMARY KEY (election_id, institution_id)
) WITHOUT ROWID;
CREATE TABLE partials (
  election_id BLOB NOT NULL REFERENCES elections (election_id),
  trustee     INTEGER NOT NULL CHECK (trustee BETWEEN 1 AND 255),
  encoded     BLOB NOT NULL,
  PRIMARY KEY (election_id, trustee)
) WITHOUT ROWID;
)sql";

// Version 2 adds the officer's signed transitions (kTransitionsTableSql).
constexpr std::array<std::string_view, 3> kMigrations = {kSchemaV1, kTransitionsTableSql,
                                                         kSchemaV3};

// Statements of the casting path, prepared once (StatementCache).
constexpr const char* kSelectState = "SELECT state FROM elections WHERE election_id = ?";
constexpr const char* kSelectSpent = "SELECT ballot_hash FROM spent_tokens WHERE token_input = ?";
constexpr const char* kInsertBallot =
    "INSERT INTO ballots (election_id, ballot_hash, ballot) VALUES (?, ?, ?)";
constexpr const char* kInsertSpent =
    "INSERT INTO spent_tokens (token_input, election_id, ballot_hash) VALUES (?, ?, ?)";

Status election_not_found() {
  return {Code::kNotFound, "election_not_found", "no such election in the ballot box"};
}

}  // namespace

BallotBoxStore::BallotBoxStore(std::filesystem::path path, std::unique_ptr<SQLite::Database> db)
    : path_(std::move(path)), db_(std::move(db)) {}

Result<std::unique_ptr<BallotBoxStore>> BallotBoxStore::open(const std::filesystem::path& file,
                                                             const OpenOptions& options) {
  const SchemaSpec schema{kBallotBoxApplicationId, kMigrations};
  URNE_ASSIGN_OR_RETURN(auto db, open_database(file, schema, options));
  return std::unique_ptr<BallotBoxStore>(new BallotBoxStore(file, std::move(db)));
}

Status BallotBoxStore::add_election(const Manifest& manifest) {
  return guarded("add_election", [&]() -> Status {
    const std::lock_guard lock(db_mutex_);
    // The id is SHA-256 of the manifest bytes: an existing row holds the
    // same bytes, so IGNORE is exact idempotence (and never resets a state).
    SQLite::Statement st(*db_,
                         "INSERT OR IGNORE INTO elections (election_id, manifest, "
                         "token_public_key, state) VALUES (?, ?, ?, ?)");
    bind_blob(st, 1, manifest.election_id());
    bind_blob(st, 2, manifest.canonical_bytes());
    bind_blob(st, 3, manifest.token_public_key().spki());
    st.bind(4, static_cast<int>(BoxState::kNotOpen));
    st.exec();
    return Status::ok();
  });
}

Result<Manifest> BallotBoxStore::manifest(const ElectionId& election) const {
  return guarded("manifest", [&]() -> Result<Manifest> {
    return load_manifest(*db_, db_mutex_, election, election_not_found());
  });
}

Result<TokenPublicKey> BallotBoxStore::token_public_key(const ElectionId& election) const {
  return guarded("token_public_key", [&]() -> Result<TokenPublicKey> {
    Bytes spki;
    {
      const std::lock_guard lock(db_mutex_);
      SQLite::Statement st(*db_, "SELECT token_public_key FROM elections WHERE election_id = ?");
      bind_blob(st, 1, election);
      if (!st.executeStep()) return election_not_found();
      spki = column_bytes(st.getColumn(0));
    }
    auto k = TokenPublicKey::parse(spki);
    if (!k.ok()) return stored_data_corrupt("stored token public key", k.status());
    return k;
  });
}

Result<BoxState> BallotBoxStore::state_locked(const ElectionId& election) const {
  auto st = statements_.get(*db_, kSelectState);
  bind_blob(*st, 1, election);
  if (!st->executeStep()) return election_not_found();
  const int s = st->getColumn(0).getInt();
  if (s < 0 || s > static_cast<int>(BoxState::kClosed)) {
    return Status(Code::kDataLoss, "storage_corrupt", "stored ballot box state out of range");
  }
  return static_cast<BoxState>(s);
}

Result<BoxState> BallotBoxStore::state(const ElectionId& election) const {
  return guarded("state", [&]() -> Result<BoxState> {
    const std::lock_guard lock(db_mutex_);
    return state_locked(election);
  });
}

Status BallotBoxStore::open_box(const ElectionId& election) {
  return guarded("open_box", [&]() -> Status {
    const std::lock_guard lock(db_mutex_);
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    URNE_ASSIGN_OR_RETURN(const BoxState s, state_locked(election));
    if (s == BoxState::kOpen) return Status::ok();
    if (s == BoxState::kClosed) return failed_precondition("ballot_closed", "the ballot is closed");
    SQLite::Statement st(*db_, "UPDATE elections SET state = ? WHERE election_id = ?");
    st.bind(1, static_cast<int>(BoxState::kOpen));
    bind_blob(st, 2, election);
    st.exec();
    tx.commit();
    return Status::ok();
  });
}

Status BallotBoxStore::close_box(const ElectionId& election) {
  return guarded("close_box", [&]() -> Status {
    const std::lock_guard lock(db_mutex_);
    // A write transaction, like cast(): the two are serialized by SQLite's
    // write lock (and here by db_mutex_), so every cast is wholly before or
    // wholly after the close.
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    URNE_ASSIGN_OR_RETURN(const BoxState s, state_locked(election));
    if (s == BoxState::kClosed) return Status::ok();
    if (s == BoxState::kNotOpen) {
      return failed_precondition("ballot_not_open", "the ballot was never opened");
    }
    SQLite::Statement st(*db_, "UPDATE elections SET state = ? WHERE election_id = ?");
    st.bind(1, static_cast<int>(BoxState::kClosed));
    bind_blob(st, 2, election);
    st.exec();
    tx.commit();
    return Status::ok();
  });
}

Result<CastOutcome> BallotBoxStore::cast(const ElectionId& election, const CastBallot& ballot) {
  const TokenInput input = ballot.token().token_input();
  const FixedBytes<32>& hash = ballot.ballot_hash();
  return guarded("cast", [&]() -> Result<CastOutcome> {
    const std::lock_guard lock(db_mutex_);
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    URNE_ASSIGN_OR_RETURN(const BoxState s, state_locked(election));
    // The spent set first: a retry of a ballot that is in the box gets its
    // receipt even after the close.
    {
      auto st = statements_.get(*db_, kSelectSpent);
      bind_blob(*st, 1, input);
      if (st->executeStep()) {
        URNE_ASSIGN_OR_RETURN(const auto stored, column_fixed<32>(st->getColumn(0)));
        // Ballot hashes are public (receipts, board): plain comparison.
        if (stored == hash) return CastOutcome{hash, false};
        return Status(Code::kAlreadyExists, "token_already_used",
                      "this voting token has already been used for another ballot");
      }
    }
    if (s == BoxState::kNotOpen) {
      return failed_precondition("ballot_not_open", "the ballot is not open yet");
    }
    if (s == BoxState::kClosed) return failed_precondition("ballot_closed", "the ballot is closed");
    {
      auto ins_ballot = statements_.get(*db_, kInsertBallot);
      bind_blob(*ins_ballot, 1, election);
      bind_blob(*ins_ballot, 2, hash);
      bind_blob(*ins_ballot, 3, ballot.canonical_bytes());
      ins_ballot->exec();
      auto ins_spent = statements_.get(*db_, kInsertSpent);
      bind_blob(*ins_spent, 1, input);
      bind_blob(*ins_spent, 2, election);
      bind_blob(*ins_spent, 3, hash);
      ins_spent->exec();
    }
    // Only a commit that returned makes the ballot accepted; if it throws,
    // guarded() reports the storage error and the transaction is rolled back.
    tx.commit();
    return CastOutcome{hash, true};
  });
}

Result<std::uint64_t> BallotBoxStore::ballot_count(const ElectionId& election) const {
  return guarded("ballot_count", [&]() -> Result<std::uint64_t> {
    const std::lock_guard lock(db_mutex_);
    URNE_RETURN_IF_ERROR(state_locked(election).status());
    SQLite::Statement st(*db_, "SELECT count(*) FROM ballots WHERE election_id = ?");
    bind_blob(st, 1, election);
    st.executeStep();
    return static_cast<std::uint64_t>(st.getColumn(0).getInt64());
  });
}

Result<std::vector<CastBallot>> BallotBoxStore::ballots(const ElectionId& election) const {
  return guarded("ballots", [&]() -> Result<std::vector<CastBallot>> {
    std::vector<std::pair<FixedBytes<32>, Bytes>> rows;
    {
      const std::lock_guard lock(db_mutex_);
      URNE_ASSIGN_OR_RETURN(const BoxState s, state_locked(election));
      if (s != BoxState::kClosed) {
        return failed_precondition("ballot_not_closed", "ballots are listed only after the close");
      }
      SQLite::Statement st(*db_,
                           "SELECT ballot_hash, ballot FROM ballots WHERE election_id = ? "
                           "ORDER BY ballot_hash");
      bind_blob(st, 1, election);
      while (st.executeStep()) {
        URNE_ASSIGN_OR_RETURN(auto h, column_fixed<32>(st.getColumn(0)));
        rows.emplace_back(h, column_bytes(st.getColumn(1)));
      }
    }
    // Parsing outside the lock; each ballot must still hash to its key.
    std::vector<CastBallot> out;
    out.reserve(rows.size());
    for (const auto& [h, bytes] : rows) {
      auto b = CastBallot::parse_canonical(bytes);
      if (!b.ok()) return stored_data_corrupt("stored ballot", b.status());
      if (b->ballot_hash() != h) {
        return Status(Code::kDataLoss, "storage_corrupt", "stored ballot does not match its hash");
      }
      out.push_back(std::move(b).value());
    }
    return out;
  });
}

Status BallotBoxStore::backup_to(const std::filesystem::path& dest) const {
  // No lock: the backup reads through its own connection (WAL snapshot).
  return backup_database(path_, dest);
}

// ---- after the close -------------------------------------------------------------

Status BallotBoxStore::put_roster(const ElectionId& election, const Roster& roster) {
  return guarded("put_roster", [&]() -> Status {
    const std::lock_guard lock(db_mutex_);
    URNE_RETURN_IF_ERROR(state_locked(election).status());
    SQLite::Statement m(*db_, "SELECT manifest FROM elections WHERE election_id = ?");
    bind_blob(m, 1, election);
    m.executeStep();
    auto manifest = Manifest::parse_canonical(column_bytes(m.getColumn(0)));
    if (!manifest.ok()) return stored_data_corrupt("stored manifest", manifest.status());
    if (manifest->spec().roster_fingerprint != roster.fingerprint()) {
      return invalid_argument("roster_mismatch", "this is not the roster the manifest names");
    }
    SQLite::Statement st(*db_,
                         "INSERT OR IGNORE INTO rosters (election_id, canonical) VALUES (?, ?)");
    bind_blob(st, 1, election);
    bind_blob(st, 2, roster.canonical_bytes());
    st.exec();
    return Status::ok();
  });
}

Result<Roster> BallotBoxStore::roster(const ElectionId& election) const {
  return guarded("roster", [&]() -> Result<Roster> {
    Bytes bytes;
    {
      const std::lock_guard lock(db_mutex_);
      URNE_RETURN_IF_ERROR(state_locked(election).status());
      SQLite::Statement st(*db_, "SELECT canonical FROM rosters WHERE election_id = ?");
      bind_blob(st, 1, election);
      if (!st.executeStep()) {
        return Status(Code::kNotFound, "roster_not_found",
                      "the ballot box has no roster for this election");
      }
      bytes = column_bytes(st.getColumn(0));
    }
    auto r = Roster::parse_canonical(bytes);
    if (!r.ok()) return stored_data_corrupt("stored roster", r.status());
    return r;
  });
}

Result<TransitionResult> BallotBoxStore::transition(const ElectionId& election,
                                                    const StateTransition& t,
                                                    const std::optional<FixedBytes<32>>& lot_seed) {
  if (t.state == ElectionState::kClosed && !lot_seed) {
    return invalid_argument("lot_seed_required", "the close reveals the lot seed");
  }
  return guarded("transition", [&]() -> Result<TransitionResult> {
    const std::lock_guard lock(db_mutex_);
    // One write transaction with the box state: a cast is wholly before or
    // wholly after the close (see cast()).
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    URNE_ASSIGN_OR_RETURN(const BoxState box, state_locked(election));
    URNE_ASSIGN_OR_RETURN(const auto stored, load_transitions_locked(*db_, election));
    URNE_ASSIGN_OR_RETURN(const bool appended, append_transition_locked(*db_, election, stored, t));
    if (!appended) {
      return TransitionResult{t.state == state_after(stored) ? t.state : state_after(stored),
                              static_cast<std::uint32_t>(stored.size()), false};
    }
    auto set_box = [&](BoxState to) {
      SQLite::Statement st(*db_, "UPDATE elections SET state = ? WHERE election_id = ?");
      st.bind(1, static_cast<int>(to));
      bind_blob(st, 2, election);
      st.exec();
    };
    if (t.state == ElectionState::kOpen && box == BoxState::kNotOpen) set_box(BoxState::kOpen);
    if (t.state == ElectionState::kClosed) {
      if (box == BoxState::kNotOpen) {
        return failed_precondition("ballot_not_open", "the ballot was never opened");
      }
      set_box(BoxState::kClosed);
      SQLite::Statement st(*db_,
                           "INSERT OR REPLACE INTO lot_seeds (election_id, seed) VALUES (?, ?)");
      bind_blob(st, 1, election);
      bind_blob(st, 2, *lot_seed);
      st.exec();
    }
    tx.commit();
    return TransitionResult{t.state, t.sequence, true};
  });
}

Result<std::vector<StateTransition>> BallotBoxStore::transitions(const ElectionId& election) const {
  return guarded("transitions", [&]() -> Result<std::vector<StateTransition>> {
    const std::lock_guard lock(db_mutex_);
    URNE_RETURN_IF_ERROR(state_locked(election).status());
    return load_transitions_locked(*db_, election);
  });
}

Result<std::optional<FixedBytes<32>>> BallotBoxStore::lot_seed(const ElectionId& election) const {
  return guarded("lot_seed", [&]() -> Result<std::optional<FixedBytes<32>>> {
    const std::lock_guard lock(db_mutex_);
    URNE_RETURN_IF_ERROR(state_locked(election).status());
    SQLite::Statement st(*db_, "SELECT seed FROM lot_seeds WHERE election_id = ?");
    bind_blob(st, 1, election);
    if (!st.executeStep()) return std::optional<FixedBytes<32>>();
    URNE_ASSIGN_OR_RETURN(auto seed, column_fixed<32>(st.getColumn(0)));
    return std::optional<FixedBytes<32>>(seed);
  });
}

namespace {

Result<std::vector<IssuanceEntry>> read_issuance_entries(SQLite::Database& db,
                                                         const ElectionId& election) {
  SQLite::Statement st(db,
                       "SELECT institution_id, request, signature FROM issuance_entries "
                       "WHERE election_id = ? ORDER BY institution_id");
  bind_blob(st, 1, election);
  std::vector<IssuanceEntry> out;
  while (st.executeStep()) {
    auto request = TokenRequest::parse(column_bytes(st.getColumn(1)));
    if (!request.ok()) return stored_data_corrupt("stored token request", request.status());
    URNE_ASSIGN_OR_RETURN(auto sig, column_fixed<64>(st.getColumn(2)));
    out.push_back(IssuanceEntry{st.getColumn(0).getString(), std::move(request).value(), sig});
  }
  return out;
}

bool same_entries(const std::vector<IssuanceEntry>& a, const std::vector<IssuanceEntry>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].institution_id != b[i].institution_id ||
        a[i].request.bytes() != b[i].request.bytes() || a[i].signature != b[i].signature) {
      return false;
    }
  }
  return true;
}

}  // namespace

Status BallotBoxStore::put_issuance_log(const ElectionId& election,
                                        std::vector<IssuanceEntry> entries) {
  std::sort(entries.begin(), entries.end(), [](const IssuanceEntry& a, const IssuanceEntry& b) {
    return a.institution_id < b.institution_id;
  });
  return guarded("put_issuance_log", [&]() -> Status {
    const std::lock_guard lock(db_mutex_);
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    URNE_ASSIGN_OR_RETURN(const BoxState box, state_locked(election));
    {
      SQLite::Statement st(*db_, "SELECT entries FROM issuance_logs WHERE election_id = ?");
      bind_blob(st, 1, election);
      if (st.executeStep()) {
        URNE_ASSIGN_OR_RETURN(const auto have, read_issuance_entries(*db_, election));
        if (same_entries(have, entries)) return Status::ok();
        return Status(Code::kAlreadyExists, "issuance_log_differs",
                      "another issuance log was already recorded for this election");
      }
    }
    if (box != BoxState::kClosed) {
      // While tokens may still be issued, a log would be incomplete.
      return failed_precondition("ballot_not_closed",
                                 "the issuance log is recorded after the close");
    }
    SQLite::Statement log(*db_, "INSERT INTO issuance_logs (election_id, entries) VALUES (?, ?)");
    bind_blob(log, 1, election);
    log.bind(2, static_cast<std::int64_t>(entries.size()));
    log.exec();
    for (const IssuanceEntry& e : entries) {
      SQLite::Statement ins(*db_,
                            "INSERT INTO issuance_entries (election_id, institution_id, request, "
                            "signature) VALUES (?, ?, ?, ?)");
      bind_blob(ins, 1, election);
      ins.bind(2, e.institution_id);
      bind_blob(ins, 3, e.request.bytes());
      bind_blob(ins, 4, e.signature);
      ins.exec();  // a duplicate institution violates the primary key
    }
    tx.commit();
    return Status::ok();
  });
}

Result<std::optional<std::vector<IssuanceEntry>>> BallotBoxStore::issuance_log(
    const ElectionId& election) const {
  return guarded("issuance_log", [&]() -> Result<std::optional<std::vector<IssuanceEntry>>> {
    const std::lock_guard lock(db_mutex_);
    URNE_RETURN_IF_ERROR(state_locked(election).status());
    SQLite::Statement st(*db_, "SELECT entries FROM issuance_logs WHERE election_id = ?");
    bind_blob(st, 1, election);
    if (!st.executeStep()) return std::optional<std::vector<IssuanceEntry>>();
    const std::int64_t n = st.getColumn(0).getInt64();
    URNE_ASSIGN_OR_RETURN(auto entries, read_issuance_entries(*db_, election));
    if (static_cast<std::int64_t>(entries.size()) != n) {
      return Status(Code::kDataLoss, "storage_corrupt", "stored issuance log is incomplete");
    }
    return std::optional<std::vector<IssuanceEntry>>(std::move(entries));
  });
}

Result<bool> BallotBoxStore::add_partials(const ElectionId& election,
                                          const TrusteePartials& partials) {
  Bytes encoded;
  for (const PartialDecryption& p : partials.partials) {
    const Bytes e = p.encode();
    encoded.insert(encoded.end(), e.begin(), e.end());
  }
  return guarded("add_partials", [&]() -> Result<bool> {
    const std::lock_guard lock(db_mutex_);
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    URNE_RETURN_IF_ERROR(state_locked(election).status());
    {
      SQLite::Statement st(*db_,
                           "SELECT encoded FROM partials WHERE election_id = ? AND trustee = ?");
      bind_blob(st, 1, election);
      st.bind(2, static_cast<int>(partials.trustee));
      if (st.executeStep()) {
        if (column_bytes(st.getColumn(0)) == encoded) return false;
        return Status(Code::kAlreadyExists, "partials_differ",
                      "this trustee already gave other partial decryptions");
      }
    }
    URNE_ASSIGN_OR_RETURN(const auto stored, load_transitions_locked(*db_, election));
    if (state_after(stored) != ElectionState::kClosed) {
      return failed_precondition("wrong_state",
                                 "partial decryptions are taken while the election is closed");
    }
    SQLite::Statement ins(*db_,
                          "INSERT INTO partials (election_id, trustee, encoded) VALUES (?, ?, ?)");
    bind_blob(ins, 1, election);
    ins.bind(2, static_cast<int>(partials.trustee));
    bind_blob(ins, 3, encoded);
    ins.exec();
    tx.commit();
    return true;
  });
}

Result<std::vector<TrusteePartials>> BallotBoxStore::partials(const ElectionId& election) const {
  return guarded("partials", [&]() -> Result<std::vector<TrusteePartials>> {
    std::vector<std::pair<int, Bytes>> rows;
    {
      const std::lock_guard lock(db_mutex_);
      URNE_RETURN_IF_ERROR(state_locked(election).status());
      SQLite::Statement st(*db_,
                           "SELECT trustee, encoded FROM partials WHERE election_id = ? "
                           "ORDER BY trustee");
      bind_blob(st, 1, election);
      while (st.executeStep()) {
        rows.emplace_back(st.getColumn(0).getInt(), column_bytes(st.getColumn(1)));
      }
    }
    URNE_ASSIGN_OR_RETURN(const Manifest manifest, this->manifest(election));
    const DkgParams& params = manifest.election_key().params();
    std::vector<TrusteePartials> out;
    for (const auto& [trustee, bytes] : rows) {
      if (bytes.size() % PartialDecryption::kSize != 0) {
        return Status(Code::kDataLoss, "storage_corrupt", "stored partials have a bad length");
      }
      TrusteePartials tp;
      tp.trustee = static_cast<TrusteeIndex>(trustee);
      for (std::size_t off = 0; off < bytes.size(); off += PartialDecryption::kSize) {
        auto p = PartialDecryption::parse(ByteView(bytes).subspan(off, PartialDecryption::kSize),
                                          params);
        if (!p.ok()) return stored_data_corrupt("stored partial decryption", p.status());
        tp.partials.push_back(std::move(p).value());
      }
      out.push_back(std::move(tp));
    }
    return out;
  });
}

}  // namespace urne::store
