#include "server/sqlite_util.hpp"

#include <SQLiteCpp/Backup.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace urne::store {
namespace {

Status unavailable(std::string reason, std::string message) {
  return {Code::kUnavailable, std::move(reason), std::move(message)};
}

std::string errno_text(int err) { return std::string(std::strerror(err)); }

// Creates the file with mode 0600 before SQLite sees it: SQLite would create
// it with 0644 (minus umask), and it copies the database file's mode to the
// -wal and -shm files, so this one call protects all three. An existing file
// is tightened to 0600 as well.
Status ensure_private_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kDatabaseFileMode);
  if (fd < 0) {
    const int err = errno;
    return unavailable("storage_unavailable",
                       "cannot open or create " + path.string() + ": " + errno_text(err));
  }
  const int rc = ::fchmod(fd, kDatabaseFileMode);
  const int err = errno;
  ::close(fd);
  if (rc != 0) {
    return unavailable("storage_unavailable",
                       "cannot set mode 0600 on " + path.string() + ": " + errno_text(err));
  }
  return Status::ok();
}

// fsync of a file or directory by path; used to make the backup's rename
// durable.
Status fsync_path(const std::filesystem::path& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return unavailable("storage_unavailable",
                       "cannot open " + path.string() + ": " + errno_text(err));
  }
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) {
    return unavailable("storage_io_error", "fsync of " + path.string() + ": " + errno_text(err));
  }
  return Status::ok();
}

Status check_quick(SQLite::Database& db, const std::string& name) {
  SQLite::Statement st(db, "PRAGMA quick_check");
  std::string first;
  if (st.executeStep()) first = st.getColumn(0).getString();
  if (first != "ok") {
    return Status(Code::kDataLoss, "storage_corrupt", name + " failed quick_check: " + first);
  }
  return Status::ok();
}

Result<std::unique_ptr<SQLite::Database>> open_impl(const std::filesystem::path& path,
                                                    const SchemaSpec& schema,
                                                    const OpenOptions& options) {
  const std::string name = path.string();
  if (!options.read_only) URNE_RETURN_IF_ERROR(ensure_private_file(path));
  // No OPEN_CREATE: the file exists (made above) or, read-only, must exist.
  const int flags = options.read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE;
  auto db = std::make_unique<SQLite::Database>(name, flags, options.busy_timeout_ms);

  // journal_mode returns the mode actually in force: a file system without
  // shared memory, or a read-only file not yet in WAL, stays in another
  // mode, and then the durability argument of this store does not hold.
  const std::string mode = db->execAndGet("PRAGMA journal_mode=WAL").getString();
  if (mode != "wal") {
    return unavailable("wal_unavailable", name + ": journal_mode is " + mode + ", not wal");
  }
  db->exec("PRAGMA synchronous=FULL");
  if (db->execAndGet("PRAGMA synchronous").getInt() != 2) {
    return internal_error("storage_error", name + ": synchronous=FULL did not take effect");
  }
  db->exec("PRAGMA foreign_keys=ON");
  if (db->execAndGet("PRAGMA foreign_keys").getInt() != 1) {
    return internal_error("storage_error", name + ": foreign_keys=ON did not take effect");
  }
  URNE_RETURN_IF_ERROR(check_quick(*db, name));

  const std::int32_t app_id = db->execAndGet("PRAGMA application_id").getInt();
  const std::int64_t version = db->execAndGet("PRAGMA user_version").getInt64();
  const auto known = static_cast<std::int64_t>(schema.migrations.size());
  if (version > known) {
    return failed_precondition("schema_too_new", name + " has schema version " +
                                                     std::to_string(version) +
                                                     ", this build knows " + std::to_string(known));
  }
  // A fresh file has application_id 0 and user_version 0; anything else
  // with another id belongs to another store (or program).
  if (app_id != schema.application_id && !(app_id == 0 && version == 0)) {
    return failed_precondition(
        "wrong_store_file",
        name + " belongs to another store (application_id " + std::to_string(app_id) + ")");
  }
  if (version < known && options.read_only) {
    return failed_precondition("schema_outdated",
                               name + " needs a migration and is opened read-only");
  }
  for (std::int64_t v = version; v < known; ++v) {
    // The version bump is in the same transaction as the migration: a crash
    // leaves either the old schema and version or the new ones.
    SQLite::Transaction tx(*db, SQLite::TransactionBehavior::IMMEDIATE);
    db->exec(std::string(schema.migrations[static_cast<std::size_t>(v)]));
    db->exec("PRAGMA application_id=" + std::to_string(schema.application_id));
    db->exec("PRAGMA user_version=" + std::to_string(v + 1));
    tx.commit();
  }
  return db;
}

Status backup_impl(const std::filesystem::path& source, const std::filesystem::path& dest) {
  std::filesystem::path partial = dest;
  partial += ".partial";
  std::error_code ec;
  std::filesystem::remove(partial, ec);  // a leftover of an interrupted backup
  URNE_RETURN_IF_ERROR(ensure_private_file(partial));
  {
    // A separate read-only connection: in WAL mode its read transaction sees
    // one snapshot for the whole single-step copy while the store's own
    // connection keeps committing.
    SQLite::Database src(source.string(), SQLite::OPEN_READONLY, kBusyTimeoutMs);
    SQLite::Database dst(partial.string(), SQLite::OPEN_READWRITE, kBusyTimeoutMs);
    SQLite::Backup backup(dst, src);
    const int rc = backup.executeStep(-1);  // all pages in one step: one snapshot
    if (rc != SQLITE_DONE) {
      return unavailable("storage_busy", "backup of " + source.string() +
                                             " did not complete (sqlite code " +
                                             std::to_string(rc) + ")");
    }
    URNE_RETURN_IF_ERROR(check_quick(dst, partial.string()));
  }  // both connections closed: the copy is a single self-contained file
  URNE_RETURN_IF_ERROR(fsync_path(partial, false));
  std::filesystem::rename(partial, dest, ec);
  if (ec) {
    return unavailable("storage_unavailable", "cannot rename " + partial.string() + " to " +
                                                  dest.string() + ": " + ec.message());
  }
  const std::filesystem::path dir =
      dest.has_parent_path() ? dest.parent_path() : std::filesystem::path(".");
  return fsync_path(dir, true);
}

}  // namespace

Status sqlite_status(const SQLite::Exception& e, std::string_view what) {
  const int extended = e.getExtendedErrorCode();
  const int primary = e.getErrorCode() & 0xff;
  std::string message = std::string(what) + ": " + e.what();
  switch (primary) {
    case SQLITE_FULL:
      return {Code::kResourceExhausted, "disk_full", std::move(message)};
    case SQLITE_NOMEM:
      return {Code::kResourceExhausted, "out_of_memory", std::move(message)};
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_NOLFS:
      return {Code::kUnavailable, "storage_unavailable", std::move(message)};
    case SQLITE_IOERR:
    case SQLITE_PROTOCOL:
      return {Code::kUnavailable, "storage_io_error", std::move(message)};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {Code::kUnavailable, "storage_busy", std::move(message)};
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return {Code::kDataLoss, "storage_corrupt", std::move(message)};
    case SQLITE_CONSTRAINT:
      if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return {Code::kAlreadyExists, "already_exists", std::move(message)};
      }
      if (extended == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return {Code::kFailedPrecondition, "foreign_key_violation", std::move(message)};
      }
      return {Code::kInvalidArgument, "constraint_violation", std::move(message)};
    case SQLITE_TOOBIG:
      return {Code::kInvalidArgument, "too_big", std::move(message)};
    default:
      return {Code::kInternal, "storage_error", std::move(message)};
  }
}

Result<std::unique_ptr<SQLite::Database>> open_database(const std::filesystem::path& path,
                                                        const SchemaSpec& schema,
                                                        const OpenOptions& options) {
  return guarded("open " + path.string(), [&] { return open_impl(path, schema, options); });
}

Status backup_database(const std::filesystem::path& source, const std::filesystem::path& dest) {
  return guarded("backup " + source.string(), [&] { return backup_impl(source, dest); });
}

void bind_blob(SQLite::Statement& st, int index, ByteView bytes) {
  // SQLiteCpp's bind(const void*, int) copies (SQLITE_TRANSIENT). An empty
  // span still binds a zero-length BLOB, not NULL.
  static const std::uint8_t kEmpty = 0;
  st.bind(index, bytes.empty() ? &kEmpty : bytes.data(), static_cast<int>(bytes.size()));
}

Bytes column_bytes(const SQLite::Column& column) {
  const auto* p = static_cast<const std::uint8_t*>(column.getBlob());
  const int n = column.getBytes();
  if (p == nullptr || n <= 0) return {};
  return Bytes(p, p + n);
}

Status stored_data_corrupt(std::string_view what, const Status& parse_error) {
  return {Code::kDataLoss, "storage_corrupt",
          std::string(what) + " no longer parses: " + parse_error.to_string()};
}

Result<Manifest> load_manifest(SQLite::Database& db, std::mutex& mutex, const ElectionId& election,
                               const Status& not_found) {
  Bytes bytes;
  {
    const std::lock_guard lock(mutex);
    SQLite::Statement st(db, "SELECT manifest FROM elections WHERE election_id = ?");
    bind_blob(st, 1, election);
    if (!st.executeStep()) return not_found;
    bytes = column_bytes(st.getColumn(0));
  }
  auto m = Manifest::parse_canonical(bytes);
  if (!m.ok()) return stored_data_corrupt("stored manifest", m.status());
  if (m->election_id() != election) {
    return Status(Code::kDataLoss, "storage_corrupt", "stored manifest has another election id");
  }
  return m;
}

Result<std::vector<StateTransition>> load_transitions_locked(SQLite::Database& db,
                                                             const ElectionId& election) {
  SQLite::Statement st(db,
                       "SELECT sequence, state, signature FROM transitions WHERE election_id = ? "
                       "ORDER BY sequence");
  bind_blob(st, 1, election);
  std::vector<StateTransition> out;
  while (st.executeStep()) {
    const std::int64_t seq = st.getColumn(0).getInt64();
    const int state = st.getColumn(1).getInt();
    URNE_ASSIGN_OR_RETURN(auto sig, column_fixed<64>(st.getColumn(2)));
    // The rows must form the line 1, 2, 3, ... with states in order: anything
    // else was not written by append_transition_locked().
    const auto expected = next_state(state_after(out));
    if (seq != static_cast<std::int64_t>(out.size()) + 1 || !expected ||
        static_cast<int>(*expected) != state) {
      return Status(Code::kDataLoss, "storage_corrupt", "stored transitions are out of order");
    }
    out.push_back(StateTransition{*expected, static_cast<std::uint32_t>(seq), sig});
  }
  return out;
}

ElectionState state_after(const std::vector<StateTransition>& transitions) noexcept {
  return transitions.empty() ? ElectionState::kDraft : transitions.back().state;
}

Result<bool> append_transition_locked(SQLite::Database& db, const ElectionId& election,
                                      const std::vector<StateTransition>& stored,
                                      const StateTransition& t) {
  if (t.sequence >= 1 && t.sequence <= stored.size()) {
    const StateTransition& have = stored[t.sequence - 1];
    // Signatures are public (they go on the board): plain comparison.
    if (have.state == t.state && have.signature == t.signature) return false;
  }
  const ElectionState current = state_after(stored);
  const auto next = next_state(current);
  if (!next || t.state != *next || t.sequence != stored.size() + 1) {
    return Status(Code::kFailedPrecondition, "wrong_state",
                  "the election is " + std::string(state_name(current)) + " (transition " +
                      std::to_string(stored.size()) + "); " +
                      (next ? "the next transition is " + std::string(state_name(*next)) + " #" +
                                  std::to_string(stored.size() + 1)
                            : std::string("no transition follows")));
  }
  SQLite::Statement ins(db,
                        "INSERT INTO transitions (election_id, sequence, state, signature) "
                        "VALUES (?, ?, ?, ?)");
  bind_blob(ins, 1, election);
  ins.bind(2, static_cast<std::int64_t>(t.sequence));
  ins.bind(3, static_cast<int>(t.state));
  bind_blob(ins, 4, t.signature);
  ins.exec();
  return true;
}

CachedStatement::~CachedStatement() {
  try {
    st_.reset();
    st_.clearBindings();
  } catch (...) {  // NOLINT(bugprone-empty-catch): reset reports the last step's error again
  }
}

CachedStatement StatementCache::get(SQLite::Database& db, const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    it = statements_.emplace(sql, std::make_unique<SQLite::Statement>(db, sql)).first;
  }
  return CachedStatement(*it->second);
}

}  // namespace urne::store
