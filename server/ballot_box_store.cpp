#include "server/ballot_box_store.hpp"

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

constexpr std::array<std::string_view, 1> kMigrations = {kSchemaV1};

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
  SQLite::Statement st(*db_, "SELECT state FROM elections WHERE election_id = ?");
  bind_blob(st, 1, election);
  if (!st.executeStep()) return election_not_found();
  const int s = st.getColumn(0).getInt();
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
      SQLite::Statement st(*db_, "SELECT ballot_hash FROM spent_tokens WHERE token_input = ?");
      bind_blob(st, 1, input);
      if (st.executeStep()) {
        URNE_ASSIGN_OR_RETURN(const auto stored, column_fixed<32>(st.getColumn(0)));
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
    SQLite::Statement ins_ballot(
        *db_, "INSERT INTO ballots (election_id, ballot_hash, ballot) VALUES (?, ?, ?)");
    bind_blob(ins_ballot, 1, election);
    bind_blob(ins_ballot, 2, hash);
    bind_blob(ins_ballot, 3, ballot.canonical_bytes());
    ins_ballot.exec();
    SQLite::Statement ins_spent(
        *db_, "INSERT INTO spent_tokens (token_input, election_id, ballot_hash) VALUES (?, ?, ?)");
    bind_blob(ins_spent, 1, input);
    bind_blob(ins_spent, 2, election);
    bind_blob(ins_spent, 3, hash);
    ins_spent.exec();
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

}  // namespace urne::store
