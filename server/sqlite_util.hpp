// SQLite plumbing shared by the register's and the ballot box's stores:
// opening a database file durably, versioning its schema, the online backup,
// and turning SQLiteCpp's exceptions into urne Status values.
//
// Durability contract of a database opened here: journal_mode=WAL (checked,
// not assumed), synchronous=FULL (every COMMIT is fsync'ed before it
// returns, so a caller that answers "accepted" after a commit never loses
// it in a crash or power cut), foreign_keys=ON, a busy timeout, and a
// PRAGMA quick_check at open (corruption is reported at start-up as
// kDataLoss rather than in the middle of an election).
//
// Error mapping (sqlite_status): every SQLite failure becomes a specific
// code and reason, never one generic error:
//   SQLITE_FULL                          kResourceExhausted "disk_full"
//   SQLITE_NOMEM                         kResourceExhausted "out_of_memory"
//   SQLITE_READONLY, CANTOPEN, PERM,
//   AUTH, NOLFS                          kUnavailable "storage_unavailable"
//   SQLITE_IOERR, PROTOCOL               kUnavailable "storage_io_error"
//   SQLITE_BUSY, LOCKED                  kUnavailable "storage_busy"
//   SQLITE_CORRUPT, NOTADB               kDataLoss "storage_corrupt"
//   SQLITE_CONSTRAINT (UNIQUE/PK)        kAlreadyExists "already_exists"
//   SQLITE_CONSTRAINT (FOREIGNKEY)       kFailedPrecondition "foreign_key_violation"
//   SQLITE_CONSTRAINT (other)            kInvalidArgument "constraint_violation"
//   SQLITE_TOOBIG                        kInvalidArgument "too_big"
//   anything else (SQL errors, misuse)   kInternal "storage_error" (a bug)
// The stores check their preconditions before writing, so a constraint
// error reaching a caller means a race the store did not expect or a bug.
//
// Thread-safety: the free functions are thread-safe; a SQLite::Database
// they return is not shared by them and must be guarded by its owner.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ballot/board.hpp"
#include "ballot/manifest.hpp"
#include "crypto/bytes.hpp"
#include "crypto/status.hpp"

namespace urne::store {

// How long a statement waits for another connection's lock (the backup's,
// another process's) before failing with "storage_busy".
inline constexpr int kBusyTimeoutMs = 5000;
// Permissions of every database file (and, as SQLite copies them, of its
// -wal and -shm files): the register holds the token signing key.
inline constexpr unsigned kDatabaseFileMode = 0600;

struct OpenOptions {
  // Opens with SQLITE_OPEN_READONLY: every write fails with
  // "storage_unavailable" (what a read-only mount gives). The file must
  // exist and already be at the current schema version.
  bool read_only = false;
  int busy_timeout_ms = kBusyTimeoutMs;
};

// What a store's file must look like.
struct SchemaSpec {
  // PRAGMA application_id: tells a register file from a ballot box file, so
  // that one is never opened as the other ("wrong_store_file").
  std::int32_t application_id = 0;
  // migrations[i] takes the schema from user_version i to i + 1; each runs
  // in its own BEGIN IMMEDIATE transaction together with the version bump.
  std::span<const std::string_view> migrations;
};

// Opens (creating with mode 0600 if absent, unless read_only) the database
// at `path`, applies the durability pragmas and checks them, runs
// quick_check and the pending migrations. Errors: the mapping above;
// kFailedPrecondition "wrong_store_file" (another application_id),
// "schema_too_new" (a user_version this build does not know),
// "schema_outdated" (read_only and migrations pending); kUnavailable
// "wal_unavailable" (journal_mode did not become wal),
// "storage_unavailable" (the file cannot be created or opened).
Result<std::unique_ptr<SQLite::Database>> open_database(const std::filesystem::path& path,
                                                        const SchemaSpec& schema,
                                                        const OpenOptions& options);

// A consistent copy of the database at `source` (a file opened by
// open_database, possibly in use by this or another process) written to
// `dest` with SQLite's online backup API: a snapshot as of the moment the
// copy starts, taken through a separate read-only connection, so writers
// are not blocked (WAL). Written to "<dest>.partial" (mode 0600), checked
// with quick_check, fsync'ed and renamed over `dest`. Errors: the mapping
// above; "storage_busy" if the snapshot could not be taken.
Status backup_database(const std::filesystem::path& source, const std::filesystem::path& dest);

// The Status for a SQLite failure during `what` (e.g. "cast").
Status sqlite_status(const SQLite::Exception& e, std::string_view what);

// Runs f (returning Status or Result<T>) and turns any exception escaping
// it into a Status: SQLite's by sqlite_status, std::bad_alloc as
// kResourceExhausted "out_of_memory", anything else as kInternal
// "storage_error".
template <class F>
auto guarded(std::string_view what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const SQLite::Exception& e) {
    return sqlite_status(e, what);
  } catch (const std::bad_alloc&) {
    return Status(Code::kResourceExhausted, "out_of_memory", std::string(what) + ": out of memory");
  } catch (const std::exception& e) {
    return Status(Code::kInternal, "storage_error", std::string(what) + ": " + e.what());
  }
}

// Binding and reading BLOBs as bytes.
void bind_blob(SQLite::Statement& st, int index, ByteView bytes);
Bytes column_bytes(const SQLite::Column& column);
// A column that must hold exactly N bytes; otherwise kDataLoss
// "storage_corrupt" (the schema's CHECKs make that impossible unless the
// file was altered).
template <std::size_t N>
Result<FixedBytes<N>> column_fixed(const SQLite::Column& column) {
  const Bytes b = column_bytes(column);
  if (b.size() != N) {
    return Status(
        Code::kDataLoss, "storage_corrupt",
        "stored value has " + std::to_string(b.size()) + " bytes, expected " + std::to_string(N));
  }
  FixedBytes<N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = b[i];
  return out;
}

// kDataLoss "storage_corrupt" for stored bytes that no longer parse.
Status stored_data_corrupt(std::string_view what, const Status& parse_error);

// Loads the manifest of `election` from the `elections` table (both stores
// keep one: election_id BLOB PRIMARY KEY, manifest BLOB), under `mutex`, and
// checks that it parses and is that election's. `not_found` is returned when
// the row is missing. SQLiteCpp exceptions propagate (callers wrap this in
// guarded()).
Result<Manifest> load_manifest(SQLite::Database& db, std::mutex& mutex, const ElectionId& election,
                               const Status& not_found);

// ---- prepared statements kept for reuse ---------------------------------------------

// A statement from a StatementCache; when it goes out of scope it is reset
// (an unreset SELECT would keep its read transaction open) and its bindings
// cleared, ready for the next use.
class CachedStatement {
 public:
  explicit CachedStatement(SQLite::Statement& st) : st_(st) {}
  ~CachedStatement();
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  SQLite::Statement& operator*() { return st_; }
  SQLite::Statement* operator->() { return &st_; }

 private:
  SQLite::Statement& st_;
};

// The hot statements of one connection, prepared once (preparing costs
// about as much as running them). Keyed by the SQL literal's address: use
// named constants. Guarded by the store's connection mutex, like the
// connection itself; destroy it before the connection.
class StatementCache {
 public:
  CachedStatement get(SQLite::Database& db, const char* sql);

 private:
  std::map<const char*, std::unique_ptr<SQLite::Statement>> statements_;
};

// ---- the officer's transitions (both stores keep them) -----------------------------

// The table both stores create in a migration: one row per signed transition,
// keyed by (election, sequence).
inline constexpr std::string_view kTransitionsTableSql = R"sql(
CREATE TABLE transitions (
  election_id BLOB NOT NULL REFERENCES elections (election_id),
  sequence    INTEGER NOT NULL CHECK (sequence >= 1),
  state       INTEGER NOT NULL CHECK (state BETWEEN 2 AND 6),
  signature   BLOB NOT NULL CHECK (length(signature) = 64),
  PRIMARY KEY (election_id, sequence)
) WITHOUT ROWID;
)sql";

// The election's transitions by sequence (lock held by the caller).
Result<std::vector<StateTransition>> load_transitions_locked(SQLite::Database& db,
                                                             const ElectionId& election);

// Appends `t` after the election's `stored` transitions (lock held and a
// write transaction open by the caller; the caller verified the officer's
// signature). The rule of the line draft -> ... -> result_published:
//   t.sequence == stored.size() + 1 and t.state == next_state(current), where
//   current is the last stored state (draft when none)  -> inserted, true
//   the very same transition is already stored          -> false (a retry)
//   otherwise kFailedPrecondition "wrong_state" (with the current state
//   named in the message).
Result<bool> append_transition_locked(SQLite::Database& db, const ElectionId& election,
                                      const std::vector<StateTransition>& stored,
                                      const StateTransition& t);

// The state after the transitions (draft when there are none).
ElectionState state_after(const std::vector<StateTransition>& transitions) noexcept;

}  // namespace urne::store
