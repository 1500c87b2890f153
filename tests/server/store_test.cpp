// The register's and the ballot box's SQLite stores, on real files in a
// fresh temporary directory per test.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <latch>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ballot/ballot.hpp"
#include "ballot/election_fixture.hpp"  // tests/ballot: manifest spec, token issuer
#include "ballot/manifest.hpp"
#include "ballot/roster.hpp"
#include "crypto/group.hpp"
#include "crypto/threshold.hpp"
#include "server/ballot_box_store.hpp"
#include "server/register_store.hpp"
#include "server/sqlite_util.hpp"
#include "test_util.hpp"

namespace urne::store {
namespace {

namespace fs = std::filesystem;
using test::must;
using test::reason_of;

using test::TempDir;

template <class T>
Code code_of(const Result<T>& r) {
  return r.ok() ? Code::kOk : r.status().code();
}

// Reads one integer PRAGMA through a separate connection.
std::int64_t pragma_of(const fs::path& file, const std::string& pragma) {
  SQLite::Database db(file.string(), SQLite::OPEN_READONLY);
  return db.execAndGet("PRAGMA " + pragma).getInt64();
}

unsigned file_mode(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777u;
}

// ---- domain values ----------------------------------------------------------

InstitutionPublicKey inst_key(std::uint8_t seed) {
  return must(InstitutionPublicKey::parse(test::ed25519_key(seed)));
}

const Roster& roster() {
  static const Roster r = must(
      Roster::create("Herbsttagung 2026", must(CredentialContext::parse(test::filled(0xc0))),
                     {Institution{"iz-schwerin", "Internationales Zentrum Schwerin", inst_key(10)},
                      Institution{"caritas", "Caritas Mecklenburg e.V.", inst_key(11)},
                      Institution{"afrika-forum", "Afrikanisches Forum MV", inst_key(12)}}));
  return r;
}

Manifest make_manifest(const std::string& title) {
  ManifestSpec s = test::base_spec(4);
  s.title = title;
  s.roster_fingerprint = roster().fingerprint();
  return must(Manifest::create(std::move(s)));
}

const Manifest& manifest_a() {
  static const Manifest m = make_manifest("Wahl des Sprecherrats 2026");
  return m;
}
const Manifest& manifest_b() {
  static const Manifest m = make_manifest("Stichwahl");
  return m;
}

// A fresh, valid token request for the manifest's election.
TokenRequest token_request(const Manifest& m, Rng& rng) {
  return must(create_token_request(test::fixture_issuer().public_key(), m.token_challenge(), rng))
      .request;
}

InstitutionSignature signature_of(std::uint8_t b) {
  InstitutionSignature s{};
  s.fill(b);
  return s;
}

CastBallot make_ballot(const Manifest& m, const Token& token, std::uint32_t candidate, Rng& rng) {
  return must(build_ballot(m, token, Choice::of_marks({candidate}), rng)).ballot;
}

// A transition as the officer would send it (the store does not check the
// signature: that is the service's job).
StateTransition step(ElectionState state, std::uint32_t sequence) {
  return StateTransition{state, sequence, signature_of(static_cast<std::uint8_t>(sequence))};
}

// A register with roster and manifest_a, in state `state`.
std::unique_ptr<RegisterStore> register_with_election(const fs::path& file, ElectionState state) {
  auto reg = must(RegisterStore::open(file));
  REQUIRE(reg->put_roster(roster()).is_ok());
  REQUIRE(reg->create_election(manifest_a(), test::fixture_issuer().secret_key()).is_ok());
  ElectionState at = ElectionState::kDraft;
  while (at != state) {
    const auto next = static_cast<ElectionState>(static_cast<int>(at) + 1);
    REQUIRE(reg->transition(manifest_a().election_id(),
                            step(next, static_cast<std::uint32_t>(next) - 1))
                .ok());
    at = next;
  }
  return reg;
}

RegisterStore::Signer real_signer(std::atomic<int>* calls = nullptr) {
  return [calls](const TokenRequest& req) -> Result<TokenResponse> {
    if (calls != nullptr) ++*calls;
    return test::fixture_issuer().evaluate(req);
  };
}

// ---- sqlite_util --------------------------------------------------------------

constexpr std::string_view kTestSchemaV1 =
    "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
    "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parent (id),"
    " v TEXT CHECK (length(v) < 4));";
constexpr std::string_view kTestSchemaV2 = "CREATE TABLE extra (k BLOB PRIMARY KEY) WITHOUT ROWID;";
constexpr std::string_view kTestMigrations[] = {kTestSchemaV1, kTestSchemaV2};
constexpr std::int32_t kTestAppId = 0x74657374;

TEST_CASE(
    "open_database sets WAL, synchronous FULL, foreign keys, mode 0600 and the schema version") {
  TempDir dir;
  const fs::path file = dir / "t.db";
  {
    auto db = must(open_database(file, SchemaSpec{kTestAppId, std::span(kTestMigrations, 1)}, {}));
    CHECK(db->execAndGet("PRAGMA journal_mode").getString() == "wal");
    CHECK(db->execAndGet("PRAGMA synchronous").getInt() == 2);
    CHECK(db->execAndGet("PRAGMA foreign_keys").getInt() == 1);
    CHECK(db->execAndGet("PRAGMA user_version").getInt() == 1);
    CHECK(db->execAndGet("PRAGMA application_id").getInt() == kTestAppId);
    CHECK(db->tableExists("child"));
    CHECK_FALSE(db->tableExists("extra"));
    db->exec("INSERT INTO parent (id) VALUES (7)");
    CHECK(file_mode(file) == 0600u);
    CHECK(file_mode(fs::path(file.string() + "-wal")) == 0600u);
  }
  // Reopening with a second migration applies only that one; data stays.
  auto db = must(open_database(file, SchemaSpec{kTestAppId, kTestMigrations}, {}));
  CHECK(db->execAndGet("PRAGMA user_version").getInt() == 2);
  CHECK(db->tableExists("extra"));
  CHECK(db->execAndGet("SELECT count(*) FROM parent WHERE id = 7").getInt() == 1);
}

TEST_CASE("a database file is tightened to mode 0600 when it is opened") {
  TempDir dir;
  const fs::path file = dir / "t.db";
  { std::ofstream(file).flush(); }
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                            fs::perms::others_read);
  REQUIRE(file_mode(file) == 0644u);
  auto db = must(open_database(file, SchemaSpec{kTestAppId, kTestMigrations}, {}));
  CHECK(file_mode(file) == 0600u);
}

TEST_CASE("a schema newer than this build and a file of another store are refused") {
  TempDir dir;
  const fs::path file = dir / "t.db";
  {
    auto db = must(open_database(file, SchemaSpec{kTestAppId, kTestMigrations}, {}));
    db->exec("PRAGMA user_version = 9");
  }
  auto newer = open_database(file, SchemaSpec{kTestAppId, kTestMigrations}, {});
  CHECK(code_of(newer) == Code::kFailedPrecondition);
  CHECK(reason_of(newer) == "schema_too_new");

  const fs::path reg_file = dir / "register.db";
  { auto reg = must(RegisterStore::open(reg_file)); }
  auto as_box = BallotBoxStore::open(reg_file);
  CHECK(code_of(as_box) == Code::kFailedPrecondition);
  CHECK(reason_of(as_box) == "wrong_store_file");
}

TEST_CASE("SQLite failures map to specific codes, never one generic error") {
  TempDir dir;
  auto db = must(open_database(dir / "t.db", SchemaSpec{kTestAppId, kTestMigrations}, {}));
  auto run = [&](const std::string& sql) {
    return guarded("test", [&]() -> Status {
      db->exec(sql);
      return Status::ok();
    });
  };
  db->exec("INSERT INTO parent (id) VALUES (1)");
  const Status dup = run("INSERT INTO parent (id) VALUES (1)");
  CHECK(dup.code() == Code::kAlreadyExists);
  CHECK(dup.reason() == "already_exists");
  const Status fk = run("INSERT INTO child (id, parent) VALUES (1, 99)");
  CHECK(fk.code() == Code::kFailedPrecondition);
  CHECK(fk.reason() == "foreign_key_violation");
  const Status check = run("INSERT INTO child (id, parent, v) VALUES (2, 1, 'toolong')");
  CHECK(check.code() == Code::kInvalidArgument);
  CHECK(check.reason() == "constraint_violation");
  const Status syntax = run("SELEKT 1");
  CHECK(syntax.code() == Code::kInternal);
  CHECK(syntax.reason() == "storage_error");

  // A full disk, made real by capping the file's size in pages.
  db->exec("CREATE TABLE big (b BLOB)");
  const int pages = db->execAndGet("PRAGMA page_count").getInt();
  db->exec("PRAGMA max_page_count = " + std::to_string(pages + 2));
  const Status full = run("INSERT INTO big (b) VALUES (zeroblob(1000000))");
  CHECK(full.code() == Code::kResourceExhausted);
  CHECK(full.reason() == "disk_full");

  const Status oom = guarded("test", []() -> Status { throw std::bad_alloc(); });
  CHECK(oom.code() == Code::kResourceExhausted);
  CHECK(oom.reason() == "out_of_memory");
}

// ---- register -------------------------------------------------------------------

TEST_CASE("a register keeps its rosters, elections, keys and issuances across a reopen") {
  TempDir dir;
  const fs::path file = dir / "register.db";
  const ElectionId& id = manifest_a().election_id();
  SeededRng rng(1);
  const TokenRequest req = token_request(manifest_a(), rng);
  Bytes response;
  {
    auto reg = register_with_election(file, ElectionState::kPublished);
    auto out = must(reg->record_issuance(id, "caritas", req, signature_of(5), real_signer()));
    CHECK(out.newly_issued);
    response.assign(out.response.bytes().begin(), out.response.bytes().end());
    CHECK(must(reg->record_failed_attempt(id, "caritas")) == 1);
  }
  CHECK(pragma_of(file, "user_version") == 3);
  {
    SQLite::Database raw(file.string(), SQLite::OPEN_READONLY);
    CHECK(raw.execAndGet("PRAGMA journal_mode").getString() == "wal");
  }
  auto reg = must(RegisterStore::open(file));
  CHECK(must(reg->roster(roster().fingerprint())).canonical_bytes() == roster().canonical_bytes());
  CHECK(must(reg->manifest(id)).canonical_bytes() == manifest_a().canonical_bytes());
  CHECK(must(reg->election_ids()) == std::vector<ElectionId>{id});
  const ElectionStatus st = must(reg->election_status(id));
  CHECK(st.state == ElectionState::kPublished);
  CHECK(st.sequence == 1);
  const BlindRsaSecretKey key = must(reg->token_secret_key(id));
  CHECK(key.public_key().spki() == manifest_a().token_public_key().spki());
  const auto rec = must(reg->find_issuance(id, "caritas"));
  REQUIRE(rec.has_value());
  CHECK(rec->request.bytes() == req.bytes());
  CHECK(rec->signature == signature_of(5));
  CHECK(Bytes(rec->response.bytes().begin(), rec->response.bytes().end()) == response);
  CHECK(must(reg->issued_count(id)) == 1);
  CHECK(must(reg->failed_attempts(id, "caritas")) == 1);
  CHECK(must(reg->failed_attempts(id, "iz-schwerin")) == 0);
  CHECK(file_mode(file) == 0600u);
}

TEST_CASE("a register refuses an unknown roster, a foreign token key and a second creation") {
  TempDir dir;
  auto reg = must(RegisterStore::open(dir / "register.db"));
  const Status no_roster = reg->create_election(manifest_a(), test::fixture_issuer().secret_key());
  CHECK(no_roster.code() == Code::kNotFound);
  CHECK(no_roster.reason() == "roster_not_found");
  REQUIRE(reg->put_roster(roster()).is_ok());
  REQUIRE(reg->put_roster(roster()).is_ok());  // idempotent

  const BlindRsaSecretKey other = must(BlindRsaSecretKey::generate(2048));
  const Status mismatch = reg->create_election(manifest_a(), other);
  CHECK(mismatch.code() == Code::kInvalidArgument);
  CHECK(mismatch.reason() == "token_key_mismatch");

  REQUIRE(reg->create_election(manifest_a(), test::fixture_issuer().secret_key()).is_ok());
  const Status again = reg->create_election(manifest_a(), test::fixture_issuer().secret_key());
  CHECK(again.code() == Code::kAlreadyExists);
  CHECK(again.reason() == "election_exists");

  CHECK(reason_of(reg->manifest(manifest_b().election_id())) == "election_not_found");
  CHECK(reason_of(reg->token_secret_key(manifest_b().election_id())) == "election_not_found");
  CHECK(reason_of(reg->roster(test::filled(0x99))) == "roster_not_found");
}

TEST_CASE("election transitions follow the line, are counted, stored and idempotent") {
  TempDir dir;
  auto reg = register_with_election(dir / "register.db", ElectionState::kDraft);
  const ElectionId& id = manifest_a().election_id();
  auto skip = reg->transition(id, step(ElectionState::kOpen, 1));
  CHECK(code_of(skip) == Code::kFailedPrecondition);
  CHECK(reason_of(skip) == "wrong_state");
  CHECK(reason_of(reg->transition(id, step(ElectionState::kPublished, 2))) == "wrong_state");
  const TransitionOutcome s1 = must(reg->transition(id, step(ElectionState::kPublished, 1)));
  CHECK(s1.newly_applied);
  CHECK(s1.status.state == ElectionState::kPublished);
  CHECK(s1.status.sequence == 1);
  // The same signed transition again (a retry): no change.
  const TransitionOutcome again = must(reg->transition(id, step(ElectionState::kPublished, 1)));
  CHECK_FALSE(again.newly_applied);
  CHECK(again.status.sequence == 1);
  // Another signature for a stored sequence is not the same transition.
  StateTransition other = step(ElectionState::kPublished, 1);
  other.signature[0] ^= 1;
  CHECK(reason_of(reg->transition(id, other)) == "wrong_state");
  CHECK(reason_of(reg->transition(id, step(ElectionState::kDraft, 2))) == "wrong_state");
  const TransitionOutcome s2 = must(reg->transition(id, step(ElectionState::kOpen, 2)));
  CHECK(s2.status.sequence == 2);
  const auto stored = must(reg->transitions(id));
  REQUIRE(stored.size() == 2);
  CHECK(stored[1].state == ElectionState::kOpen);
  CHECK(stored[1].signature == step(ElectionState::kOpen, 2).signature);
  CHECK(reason_of(reg->transition(manifest_b().election_id(),
                                  step(ElectionState::kPublished, 1))) == "election_not_found");
}

TEST_CASE("a token key made before its manifest becomes the election's key") {
  TempDir dir;
  auto reg = must(RegisterStore::open(dir / "register.db"));
  REQUIRE(reg->put_roster(roster()).is_ok());
  CHECK(reason_of(reg->create_election_from_pending(manifest_a())) == "token_key_not_found");
  REQUIRE(reg->add_pending_token_key(test::fixture_issuer().secret_key()).is_ok());
  REQUIRE(reg->add_pending_token_key(test::fixture_issuer().secret_key()).is_ok());  // no-op
  REQUIRE(reg->create_election_from_pending(manifest_a()).is_ok());
  const auto key = must(reg->token_secret_key(manifest_a().election_id()));
  CHECK(key.public_key().spki() == manifest_a().token_public_key().spki());
  // The key is no longer pending: a second election cannot take it, a retry
  // learns the election exists.
  CHECK(reason_of(reg->create_election_from_pending(manifest_a())) == "election_exists");
  CHECK(reason_of(reg->create_election_from_pending(manifest_b())) == "token_key_not_found");
}

TEST_CASE("the same token request again gets the same response, another request is refused") {
  TempDir dir;
  auto reg = register_with_election(dir / "register.db", ElectionState::kPublished);
  const ElectionId& id = manifest_a().election_id();
  SeededRng rng(2);
  const TokenRequest req = token_request(manifest_a(), rng);
  const TokenRequest other = token_request(manifest_a(), rng);
  std::atomic<int> calls{0};

  const auto first =
      must(reg->record_issuance(id, "caritas", req, signature_of(1), real_signer(&calls)));
  CHECK(first.newly_issued);
  const auto again =
      must(reg->record_issuance(id, "caritas", req, signature_of(1), real_signer(&calls)));
  CHECK_FALSE(again.newly_issued);
  CHECK(again.response.bytes() == first.response.bytes());
  CHECK(calls.load() == 1);  // the retry is answered from the log, not signed again

  const auto refused =
      reg->record_issuance(id, "caritas", other, signature_of(1), real_signer(&calls));
  CHECK(code_of(refused) == Code::kAlreadyExists);
  CHECK(reason_of(refused) == "already_issued_other_request");

  const auto another =
      must(reg->record_issuance(id, "iz-schwerin", other, signature_of(2), real_signer(&calls)));
  CHECK(another.newly_issued);
  CHECK(must(reg->issued_count(id)) == 2);
  const auto log = must(reg->issuances(id));
  REQUIRE(log.size() == 2);
  CHECK(log[0].institution_id == "caritas");  // ascending by institution id
  CHECK(log[1].institution_id == "iz-schwerin");
}

TEST_CASE("tokens are issued only while the election is published or open") {
  TempDir dir;
  auto reg = register_with_election(dir / "register.db", ElectionState::kDraft);
  const ElectionId& id = manifest_a().election_id();
  SeededRng rng(3);
  const TokenRequest req = token_request(manifest_a(), rng);
  std::atomic<int> calls{0};
  auto draft = reg->record_issuance(id, "caritas", req, signature_of(1), real_signer(&calls));
  CHECK(code_of(draft) == Code::kFailedPrecondition);
  CHECK(reason_of(draft) == "issuance_closed");
  CHECK(calls.load() == 0);  // refused before any signing

  REQUIRE(reg->transition(id, step(ElectionState::kPublished, 1)).ok());
  REQUIRE(reg->record_issuance(id, "caritas", req, signature_of(1), real_signer()).ok());
  REQUIRE(reg->transition(id, step(ElectionState::kOpen, 2)).ok());
  REQUIRE(reg->transition(id, step(ElectionState::kClosed, 3)).ok());
  auto late = reg->record_issuance(id, "iz-schwerin", token_request(manifest_a(), rng),
                                   signature_of(2), real_signer());
  CHECK(reason_of(late) == "issuance_closed");
  // A retry whose answer was lost still gets it after the close.
  CHECK(reg->record_issuance(id, "caritas", req, signature_of(1), real_signer()).ok());
  CHECK(reason_of(reg->record_issuance(manifest_b().election_id(), "caritas", req, signature_of(1),
                                       real_signer())) == "election_not_found");
}

TEST_CASE("a failing signer stores nothing") {
  TempDir dir;
  auto reg = register_with_election(dir / "register.db", ElectionState::kPublished);
  const ElectionId& id = manifest_a().election_id();
  SeededRng rng(4);
  auto r = reg->record_issuance(id, "caritas", token_request(manifest_a(), rng), signature_of(1),
                                [](const TokenRequest&) -> Result<TokenResponse> {
                                  return internal_error("signing_failure", "test");
                                });
  CHECK(reason_of(r) == "signing_failure");
  CHECK(must(reg->issued_count(id)) == 0);
  CHECK_FALSE(must(reg->find_issuance(id, "caritas")).has_value());
}

TEST_CASE("failed authorization attempts are counted per election and institution") {
  TempDir dir;
  auto reg = register_with_election(dir / "register.db", ElectionState::kPublished);
  const ElectionId& id = manifest_a().election_id();
  CHECK(must(reg->record_failed_attempt(id, "caritas")) == 1);
  CHECK(must(reg->record_failed_attempt(id, "caritas")) == 2);
  CHECK(must(reg->record_failed_attempt(id, "iz-schwerin")) == 1);
  CHECK(must(reg->failed_attempts(id, "caritas")) == 2);
  CHECK(reason_of(reg->record_failed_attempt(manifest_b().election_id(), "caritas")) ==
        "election_not_found");
  CHECK(reason_of(reg->record_failed_attempt(id, "")) == "institution_id_malformed");
}

TEST_CASE("100 simultaneous issuances for one institution make exactly one") {
  TempDir dir;
  auto reg = register_with_election(dir / "register.db", ElectionState::kPublished);
  const ElectionId& id = manifest_a().election_id();
  SeededRng rng(5);
  constexpr int kThreads = 100;

  SUBCASE("the same request: one row, every caller gets its response") {
    const TokenRequest req = token_request(manifest_a(), rng);
    std::vector<Result<IssuanceOutcome>> results(kThreads, Status(Code::kInternal, "unset", ""));
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        results[static_cast<std::size_t>(i)] =
            reg->record_issuance(id, "caritas", req, signature_of(1), real_signer());
      });
    }
    for (auto& t : threads) t.join();
    int fresh = 0;
    const auto stored = must(reg->find_issuance(id, "caritas"));
    REQUIRE(stored.has_value());
    for (const auto& r : results) {
      REQUIRE(r.ok());
      fresh += r->newly_issued ? 1 : 0;
      CHECK(r->response.bytes() == stored->response.bytes());
    }
    CHECK(fresh == 1);
  }
  SUBCASE("different requests: one issued, the others refused") {
    std::vector<TokenRequest> reqs;
    for (int i = 0; i < kThreads; ++i) reqs.push_back(token_request(manifest_a(), rng));
    std::vector<Result<IssuanceOutcome>> results(kThreads, Status(Code::kInternal, "unset", ""));
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        const auto k = static_cast<std::size_t>(i);
        results[k] = reg->record_issuance(id, "caritas", reqs[k], signature_of(1), real_signer());
      });
    }
    for (auto& t : threads) t.join();
    int issued = 0;
    int refused = 0;
    for (const auto& r : results) {
      if (r.ok()) {
        CHECK(r->newly_issued);
        ++issued;
      } else if (reason_of(r) == "already_issued_other_request") {
        ++refused;
      }
    }
    CHECK(issued == 1);
    CHECK(refused == kThreads - 1);
  }
  CHECK(must(reg->issued_count(id)) == 1);
}

// ---- group commit of issuances -------------------------------------------------------

// Polls `done` every millisecond for up to a minute (a generous bound: the
// threads it waits for have only to reach a queue).
template <class F>
bool eventually(F done) {
  for (int i = 0; i < 60'000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

// Holds the write transaction of institution "first" open (in the store's
// test hook, before its INSERT) until released, so that other issuances
// queue behind it: what a slow fsync does in production, made
// deterministic. Institutions in `failing` throw SQLite's I/O error instead
// of being inserted, while `fail` is set.
class HeldCommit {
 public:
  explicit HeldCommit(std::set<std::string> failing = {}) : failing_(std::move(failing)) {}

  RegisterTestHooks hooks() {
    return RegisterTestHooks{[this](std::string_view inst) { on_insert(inst); }};
  }
  bool wait_until_held() {
    return eventually([&] {
      const std::lock_guard lock(mutex_);
      return held_;
    });
  }
  void release() {
    {
      const std::lock_guard lock(mutex_);
      released_ = true;
    }
    cv_.notify_all();
  }
  std::atomic<bool> fail{true};

 private:
  void on_insert(std::string_view inst) {
    if (fail && (failing_.contains(std::string(inst)) || failing_.contains("*")) &&
        inst != "first") {
      throw SQLite::Exception("injected I/O error", SQLITE_IOERR);
    }
    if (inst != "first") return;
    std::unique_lock lock(mutex_);
    held_ = true;
    cv_.wait(lock, [&] { return released_; });
  }
  const std::set<std::string> failing_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool held_ = false;
  bool released_ = false;
};

// Runs "first", then `others` (institution, request) once "first" holds
// its transaction, waits until all of them are queued, releases, and
// returns the results of `others` (first's result in *first_result).
std::vector<Result<IssuanceOutcome>> issue_behind_held_commit(
    RegisterStore& reg, HeldCommit& held, const TokenRequest& first_request,
    const std::vector<std::pair<std::string, TokenRequest>>& others,
    Result<IssuanceOutcome>* first_result) {
  const ElectionId& id = manifest_a().election_id();
  std::thread first([&] {
    *first_result = reg.record_issuance(id, "first", first_request, signature_of(1), real_signer());
  });
  const bool held_ok = held.wait_until_held();
  std::vector<Result<IssuanceOutcome>> results(others.size(), Status(Code::kInternal, "unset", ""));
  std::vector<std::thread> threads;
  if (held_ok) {
    for (std::size_t i = 0; i < others.size(); ++i) {
      threads.emplace_back([&, i] {
        results[i] = reg.record_issuance(id, others[i].first, others[i].second, signature_of(2),
                                         real_signer());
      });
    }
  }
  const bool queued_ok =
      eventually([&] { return reg.group_commit_stats().queued == threads.size(); });
  held.release();
  first.join();
  for (auto& t : threads) t.join();
  REQUIRE(held_ok);
  REQUIRE(queued_ok);
  return results;
}

std::vector<std::pair<std::string, TokenRequest>> requests_for(int n, Rng& rng) {
  std::vector<std::pair<std::string, TokenRequest>> out;
  for (int i = 0; i < n; ++i) {
    out.emplace_back("inst-" + std::to_string(i), token_request(manifest_a(), rng));
  }
  return out;
}

TEST_CASE("issuances of many institutions at once are all committed, durable and distinct") {
  TempDir dir;
  const fs::path file = dir / "register.db";
  auto reg = register_with_election(file, ElectionState::kPublished);
  const ElectionId& id = manifest_a().election_id();
  SeededRng rng(7);
  constexpr int kInstitutions = 40;
  const auto reqs = requests_for(kInstitutions, rng);
  std::vector<Result<IssuanceOutcome>> results(kInstitutions, Status(Code::kInternal, "unset", ""));
  std::latch start(kInstitutions);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] =
          reg->record_issuance(id, reqs[i].first, reqs[i].second, signature_of(3), real_signer());
    });
  }
  for (auto& t : threads) t.join();
  std::set<Bytes> responses;
  for (const auto& r : results) {
    REQUIRE(r.ok());
    CHECK(r->newly_issued);
    responses.emplace(r->response.bytes().begin(), r->response.bytes().end());
  }
  CHECK(responses.size() == static_cast<std::size_t>(kInstitutions));
  const GroupCommitStats stats = reg->group_commit_stats();
  CHECK(stats.issuances == static_cast<std::uint64_t>(kInstitutions));
  CHECK(stats.transactions >= 1);
  CHECK(stats.queued == 0);
  MESSAGE(kInstitutions << " issuances in " << stats.transactions << " transactions");

  reg.reset();  // every answer above followed its commit: all of it is in the file
  auto reopened = must(RegisterStore::open(file));
  CHECK(must(reopened->issued_count(id)) == static_cast<std::uint64_t>(kInstitutions));
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    const auto row = must(reopened->find_issuance(id, reqs[i].first));
    REQUIRE(row.has_value());
    CHECK(row->response.bytes() == results[i]->response.bytes());
  }
}

TEST_CASE("issuances that queue behind a commit are written together in the next transaction") {
  TempDir dir;
  const fs::path file = dir / "register.db";
  HeldCommit held;
  auto reg = register_with_election(file, ElectionState::kPublished);
  reg.reset();
  reg = must(RegisterStore::open(file, {}, held.hooks()));
  const ElectionId& id = manifest_a().election_id();
  SeededRng rng(8);
  auto others = requests_for(16, rng);
  // The same institution twice in one batch, with the same request: one row.
  others.emplace_back("twin", token_request(manifest_a(), rng));
  others.push_back(others.back());

  Result<IssuanceOutcome> first = Status(Code::kInternal, "unset", "");
  const auto results =
      issue_behind_held_commit(*reg, held, token_request(manifest_a(), rng), others, &first);
  REQUIRE(first.ok());
  CHECK(first->newly_issued);
  int fresh = 0;
  for (const auto& r : results) {
    REQUIRE(r.ok());
    fresh += r->newly_issued ? 1 : 0;
  }
  CHECK(fresh == 17);  // 16 + one of the twins
  CHECK(results[16]->response.bytes() == results[17]->response.bytes());
  const GroupCommitStats stats = reg->group_commit_stats();
  CHECK(stats.transactions == 2);  // "first" alone, then all that queued behind it
  CHECK(stats.issuances == 18);

  reg.reset();
  auto reopened = must(RegisterStore::open(file));
  CHECK(must(reopened->issued_count(id)) == 18);
}

TEST_CASE(
    "a batch whose transaction fails is retried one by one: only the failing one is refused") {
  TempDir dir;
  const fs::path file = dir / "register.db";
  HeldCommit held({"poison"});
  auto reg = register_with_election(file, ElectionState::kPublished);
  reg.reset();
  reg = must(RegisterStore::open(file, {}, held.hooks()));
  const ElectionId& id = manifest_a().election_id();
  SeededRng rng(9);
  auto others = requests_for(8, rng);
  others.emplace_back("poison", token_request(manifest_a(), rng));

  Result<IssuanceOutcome> first = Status(Code::kInternal, "unset", "");
  const auto results =
      issue_behind_held_commit(*reg, held, token_request(manifest_a(), rng), others, &first);
  REQUIRE(first.ok());
  for (std::size_t i = 0; i + 1 < results.size(); ++i) {
    REQUIRE(results[i].ok());
    CHECK(results[i]->newly_issued);
  }
  // Not acknowledged, and nothing of it stored.
  CHECK(reason_of(results.back()) == "storage_io_error");
  CHECK_FALSE(must(reg->find_issuance(id, "poison")).has_value());
  CHECK(must(reg->issued_count(id)) == 9);

  // Its client's retry, once the fault is gone, is issued as new.
  held.fail = false;
  const auto retry = must(
      reg->record_issuance(id, "poison", others.back().second, signature_of(2), real_signer()));
  CHECK(retry.newly_issued);
  reg.reset();
  auto reopened = must(RegisterStore::open(file));
  CHECK(must(reopened->issued_count(id)) == 10);
}

TEST_CASE("a storage fault that persists fails every issuance of the batch and stores none") {
  TempDir dir;
  const fs::path file = dir / "register.db";
  HeldCommit held({"*"});
  auto reg = register_with_election(file, ElectionState::kPublished);
  reg.reset();
  reg = must(RegisterStore::open(file, {}, held.hooks()));
  const ElectionId& id = manifest_a().election_id();
  SeededRng rng(10);
  const auto others = requests_for(6, rng);

  Result<IssuanceOutcome> first = Status(Code::kInternal, "unset", "");
  const auto results =
      issue_behind_held_commit(*reg, held, token_request(manifest_a(), rng), others, &first);
  REQUIRE(first.ok());
  for (const auto& r : results) CHECK(reason_of(r) == "storage_io_error");
  CHECK(must(reg->issued_count(id)) == 1);
  CHECK(reg->group_commit_stats().transactions == 1);
  reg.reset();
  auto reopened = must(RegisterStore::open(file));
  CHECK(must(reopened->issued_count(id)) == 1);
}

TEST_CASE("the issuance path sees what another connection committed to the same file") {
  // One register object per file is the deployment; a second writer (say a
  // second server on the same data directory) must still not get a token
  // issued after the close or an institution's row answered as missing.
  TempDir dir;
  const fs::path file = dir / "register.db";
  auto a = register_with_election(file, ElectionState::kPublished);
  auto b = must(RegisterStore::open(file));
  const ElectionId& id = manifest_a().election_id();
  SeededRng rng(11);
  REQUIRE(must(a->record_issuance(id, "first", token_request(manifest_a(), rng), signature_of(1),
                                  real_signer()))
              .newly_issued);  // a's memo of the election is loaded now

  const TokenRequest req = token_request(manifest_a(), rng);
  const auto by_b = must(b->record_issuance(id, "caritas", req, signature_of(1), real_signer()));
  const auto by_a = must(a->record_issuance(id, "caritas", req, signature_of(1), real_signer()));
  CHECK_FALSE(by_a.newly_issued);  // b's row, answered as stored
  CHECK(by_a.response.bytes() == by_b.response.bytes());

  REQUIRE(b->transition(id, step(ElectionState::kOpen, 2)).ok());
  REQUIRE(b->transition(id, step(ElectionState::kClosed, 3)).ok());
  const auto late = a->record_issuance(id, "iz-schwerin", token_request(manifest_a(), rng),
                                       signature_of(2), real_signer());
  CHECK(reason_of(late) == "issuance_closed");
  CHECK(must(a->issued_count(id)) == 2);
}

TEST_CASE("an online backup taken during writes holds every row committed before it began") {
  TempDir dir;
  const fs::path file = dir / "register.db";
  auto reg = register_with_election(file, ElectionState::kPublished);
  const ElectionId& id = manifest_a().election_id();
  SeededRng rng(6);
  constexpr int kWrites = 200;
  std::vector<TokenRequest> reqs;
  for (int i = 0; i < kWrites; ++i) reqs.push_back(token_request(manifest_a(), rng));
  // The writer signs nothing (a fixed response): the point is the writes.
  const TokenResponse fixed = must(TokenResponse::parse(Bytes(kTokenResponseLength, 0x42)));
  auto cheap = [&fixed](const TokenRequest&) -> Result<TokenResponse> { return fixed; };

  std::mutex m;
  std::condition_variable cv;
  std::vector<std::string> committed;  // guarded by m
  std::atomic<bool> writer_failed{false};
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "inst-%03d", i);
      if (!reg->record_issuance(id, name, reqs[static_cast<std::size_t>(i)], signature_of(1), cheap)
               .ok()) {
        writer_failed = true;
      }
      {
        const std::lock_guard lock(m);
        committed.emplace_back(name);
      }
      cv.notify_one();
    }
  });
  std::vector<std::string> before;
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return committed.size() >= 20; });
    before = committed;  // all of these returned from their commit
  }
  const fs::path copy = dir / "backup.db";
  const Status backed_up = reg->backup_to(copy);
  writer.join();
  REQUIRE(backed_up.is_ok());
  CHECK_FALSE(writer_failed.load());
  CHECK_FALSE(fs::exists(dir / "backup.db.partial"));
  CHECK(file_mode(copy) == 0600u);

  // Restore = open the copy as a register.
  auto restored = must(RegisterStore::open(copy));
  for (const auto& name : before) {
    CHECK(must(restored->find_issuance(id, name)).has_value());
  }
  const auto n = must(restored->issued_count(id));
  CHECK(n >= before.size());
  CHECK(n <= static_cast<std::uint64_t>(kWrites));
  CHECK(must(restored->token_secret_key(id)).public_key().spki() ==
        manifest_a().token_public_key().spki());
  CHECK(must(reg->issued_count(id)) == static_cast<std::uint64_t>(kWrites));
}

// ---- ballot box -------------------------------------------------------------------

TEST_CASE("a ballot box has no table for a signing key, no rowid table and no time column") {
  TempDir dir;
  const fs::path file = dir / "box.db";
  { auto box = must(BallotBoxStore::open(file)); }
  SQLite::Database raw(file.string(), SQLite::OPEN_READONLY);
  SQLite::Statement st(raw, "SELECT name, sql FROM sqlite_schema WHERE type = 'table'");
  std::set<std::string> tables;
  while (st.executeStep()) {
    const std::string name = st.getColumn(0).getString();
    std::string sql = st.getColumn(1).getString();
    std::transform(sql.begin(), sql.end(), sql.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    tables.insert(name);
    CHECK_MESSAGE(sql.find("without rowid") != std::string::npos, name);
    CHECK(sql.find("time") == std::string::npos);
    CHECK(sql.find("secret") == std::string::npos);
    CHECK(sql.find("autoincrement") == std::string::npos);
  }
  CHECK(tables == std::set<std::string>{"ballots", "elections", "issuance_entries", "issuance_logs",
                                        "lot_seeds", "partials", "rosters", "spent_tokens",
                                        "transitions"});
  CHECK(pragma_of(file, "user_version") == 3);
}

TEST_CASE("casting: accepted, the same again, another ballot on the same token, and the close") {
  TempDir dir;
  const fs::path file = dir / "box.db";
  const Manifest& m = manifest_a();
  const ElectionId& id = m.election_id();
  SeededRng rng(7);
  const Token token = test::issue_token(m, rng);
  const CastBallot ballot = make_ballot(m, token, 0, rng);
  const CastBallot other_bytes = make_ballot(m, token, 1, rng);
  const CastBallot second = make_ballot(m, test::issue_token(m, rng), 2, rng);
  {
    auto box = must(BallotBoxStore::open(file));
    REQUIRE(box->add_election(m).is_ok());
    REQUIRE(box->add_election(m).is_ok());  // idempotent
    CHECK(must(box->state(id)) == BoxState::kNotOpen);
    auto early = box->cast(id, ballot);
    CHECK(code_of(early) == Code::kFailedPrecondition);
    CHECK(reason_of(early) == "ballot_not_open");
    CHECK(reason_of(box->close_box(id)) == "ballot_not_open");
    REQUIRE(box->open_box(id).is_ok());

    const CastOutcome first = must(box->cast(id, ballot));
    CHECK(first.newly_accepted);
    CHECK(first.ballot_hash == ballot.ballot_hash());
    const CastOutcome again = must(box->cast(id, ballot));
    CHECK_FALSE(again.newly_accepted);
    CHECK(again.ballot_hash == ballot.ballot_hash());
    auto reused = box->cast(id, other_bytes);
    CHECK(code_of(reused) == Code::kAlreadyExists);
    CHECK(reason_of(reused) == "token_already_used");
    CHECK(must(box->ballot_count(id)) == 1);
    CHECK(reason_of(box->ballots(id)) == "ballot_not_closed");
    CHECK(reason_of(box->cast(manifest_b().election_id(), second)) == "election_not_found");
  }
  // Everything survives a reopen.
  auto box = must(BallotBoxStore::open(file));
  CHECK(must(box->manifest(id)).canonical_bytes() == m.canonical_bytes());
  CHECK(must(box->token_public_key(id)).spki() == m.token_public_key().spki());
  CHECK(must(box->state(id)) == BoxState::kOpen);
  CHECK(must(box->cast(id, second)).newly_accepted);
  REQUIRE(box->close_box(id).is_ok());
  REQUIRE(box->close_box(id).is_ok());  // idempotent
  CHECK(reason_of(box->open_box(id)) == "ballot_closed");

  const CastBallot late = make_ballot(m, test::issue_token(m, rng), 3, rng);
  auto closed = box->cast(id, late);
  CHECK(code_of(closed) == Code::kFailedPrecondition);
  CHECK(reason_of(closed) == "ballot_closed");
  // A retry of a ballot that is in the box still gets its receipt.
  const CastOutcome retry = must(box->cast(id, ballot));
  CHECK_FALSE(retry.newly_accepted);
  CHECK(reason_of(box->cast(id, other_bytes)) == "token_already_used");

  const auto listed = must(box->ballots(id));
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].ballot_hash() < listed[1].ballot_hash());
  std::set<FixedBytes<32>> hashes{listed[0].ballot_hash(), listed[1].ballot_hash()};
  CHECK(hashes == std::set<FixedBytes<32>>{ballot.ballot_hash(), second.ballot_hash()});
  CHECK(must(box->ballot_count(id)) == 2);
}

TEST_CASE("100 simultaneous casts of one token make exactly one ballot") {
  TempDir dir;
  const Manifest& m = manifest_a();
  const ElectionId& id = m.election_id();
  auto box = must(BallotBoxStore::open(dir / "box.db"));
  REQUIRE(box->add_election(m).is_ok());
  REQUIRE(box->open_box(id).is_ok());
  SeededRng rng(8);
  const Token token = test::issue_token(m, rng);
  constexpr int kThreads = 100;
  std::vector<Result<CastOutcome>> results(kThreads, Status(Code::kInternal, "unset", ""));

  SUBCASE("the same ballot bytes: one new, all others the same receipt") {
    const CastBallot ballot = make_ballot(m, token, 0, rng);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        results[static_cast<std::size_t>(i)] = box->cast(id, ballot);
      });
    }
    for (auto& t : threads) t.join();
    int fresh = 0;
    for (const auto& r : results) {
      REQUIRE(r.ok());
      CHECK(r->ballot_hash == ballot.ballot_hash());
      fresh += r->newly_accepted ? 1 : 0;
    }
    CHECK(fresh == 1);
  }
  SUBCASE("different ballot bytes: one accepted, all others token_already_used") {
    std::vector<CastBallot> ballots;
    for (int i = 0; i < kThreads; ++i) {
      ballots.push_back(make_ballot(m, token, static_cast<std::uint32_t>(i % 4), rng));
    }
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        const auto k = static_cast<std::size_t>(i);
        results[k] = box->cast(id, ballots[k]);
      });
    }
    for (auto& t : threads) t.join();
    int accepted = 0;
    int used = 0;
    for (const auto& r : results) {
      if (r.ok()) {
        CHECK(r->newly_accepted);
        ++accepted;
      } else if (reason_of(r) == "token_already_used") {
        ++used;
      }
    }
    CHECK(accepted == 1);
    CHECK(used == kThreads - 1);
  }
  CHECK(must(box->ballot_count(id)) == 1);
}

TEST_CASE("casts racing with the close are either in the box or refused as ballot_closed") {
  TempDir dir;
  const Manifest& m = manifest_a();
  const ElectionId& id = m.election_id();
  auto box = must(BallotBoxStore::open(dir / "box.db"));
  REQUIRE(box->add_election(m).is_ok());
  REQUIRE(box->open_box(id).is_ok());
  SeededRng rng(9);
  constexpr int kThreads = 20;
  std::vector<CastBallot> ballots;
  for (int i = 0; i < kThreads; ++i)
    ballots.push_back(make_ballot(m, test::issue_token(m, rng), 0, rng));
  std::vector<Result<CastOutcome>> results(kThreads, Status(Code::kInternal, "unset", ""));
  std::latch start(kThreads + 1);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      const auto k = static_cast<std::size_t>(i);
      results[k] = box->cast(id, ballots[k]);
    });
  }
  start.arrive_and_wait();
  const Status closed = box->close_box(id);
  for (auto& t : threads) t.join();
  REQUIRE(closed.is_ok());
  std::set<FixedBytes<32>> accepted;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].ok()) {
      accepted.insert(results[i]->ballot_hash);
    } else {
      CHECK(reason_of(results[i]) == "ballot_closed");
    }
  }
  // Exactly the accepted ballots are in the box: nothing in between.
  std::set<FixedBytes<32>> stored;
  for (const auto& b : must(box->ballots(id))) stored.insert(b.ballot_hash());
  CHECK(stored == accepted);
}

TEST_CASE("a ballot box backup opens as a ballot box with the ballots cast before it") {
  TempDir dir;
  const Manifest& m = manifest_a();
  const ElectionId& id = m.election_id();
  auto box = must(BallotBoxStore::open(dir / "box.db"));
  REQUIRE(box->add_election(m).is_ok());
  REQUIRE(box->open_box(id).is_ok());
  SeededRng rng(10);
  const CastBallot b1 = make_ballot(m, test::issue_token(m, rng), 0, rng);
  const CastBallot b2 = make_ballot(m, test::issue_token(m, rng), 1, rng);
  REQUIRE(box->cast(id, b1).ok());
  REQUIRE(box->backup_to(dir / "copy.db").is_ok());
  REQUIRE(box->cast(id, b2).ok());
  auto copy = must(BallotBoxStore::open(dir / "copy.db"));
  CHECK(must(copy->ballot_count(id)) == 1);
  CHECK(must(copy->cast(id, b1)).ballot_hash == b1.ballot_hash());  // still spent there
  CHECK_FALSE(must(copy->cast(id, b1)).newly_accepted);
}

TEST_CASE(
    "a process killed in the middle of casting loses no accepted ballot and no token is "
    "half-spent") {
  TempDir dir;
  const fs::path file = dir / "box.db";
  const Manifest& m = manifest_a();
  const ElectionId& id = m.election_id();
  {
    auto box = must(BallotBoxStore::open(file));
    REQUIRE(box->add_election(m).is_ok());
    REQUIRE(box->open_box(id).is_ok());
  }
  SeededRng rng(13);
  constexpr int kBallots = 40;
  std::vector<CastBallot> ballots;
  for (int i = 0; i < kBallots; ++i) {
    ballots.push_back(make_ballot(m, test::issue_token(m, rng), 0, rng));
  }
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child casts and reports each accepted ballot's index only after
    // cast() returned, as the HTTP layer would answer "accepted".
    ::close(fds[0]);
    auto box = BallotBoxStore::open(file);
    if (!box.ok()) ::_exit(2);
    for (int i = 0; i < kBallots; ++i) {
      if (!(*box)->cast(id, ballots[static_cast<std::size_t>(i)]).ok()) ::_exit(3);
      const auto b = static_cast<unsigned char>(i);
      if (::write(fds[1], &b, 1) != 1) ::_exit(4);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::set<int> acknowledged;
  unsigned char b = 0;
  while (acknowledged.size() < 10 && ::read(fds[0], &b, 1) == 1) acknowledged.insert(b);
  ::kill(child, SIGKILL);  // mid-run: the child is casting ballot 11 or later
  int wstatus = 0;
  ::waitpid(child, &wstatus, 0);
  while (::read(fds[0], &b, 1) == 1) acknowledged.insert(b);  // acks sent before the kill
  ::close(fds[0]);
  REQUIRE(acknowledged.size() >= 10);
  MESSAGE("child " << std::string(WIFSIGNALED(wstatus) ? "killed" : "finished") << " after "
                   << acknowledged.size() << " acknowledged casts");

  auto box = must(BallotBoxStore::open(file));  // recovers the WAL, passes quick_check
  for (int i : acknowledged) {
    const CastOutcome again = must(box->cast(id, ballots[static_cast<std::size_t>(i)]));
    CHECK_FALSE(again.newly_accepted);  // it was on disk
  }
  // Spent tokens and ballots match one to one: no token spent without its
  // ballot, no ballot without its spent token.
  SQLite::Database raw(file.string(), SQLite::OPEN_READONLY);
  const int spent = raw.execAndGet("SELECT count(*) FROM spent_tokens").getInt();
  const int stored = raw.execAndGet("SELECT count(*) FROM ballots").getInt();
  const int matched = raw.execAndGet(
                             "SELECT count(*) FROM spent_tokens s JOIN ballots b ON "
                             "b.election_id = s.election_id AND b.ballot_hash = s.ballot_hash")
                          .getInt();
  CHECK(spent == stored);
  CHECK(matched == stored);
  CHECK(static_cast<std::size_t>(stored) >= acknowledged.size());
}

// ---- failures of the storage ------------------------------------------------------

TEST_CASE("a read-only ballot box answers storage_unavailable and never accepted") {
  // Tests run as root, which ignores file permissions; a read-only mount is
  // simulated by opening the file with SQLITE_OPEN_READONLY, which fails
  // every write with SQLITE_READONLY exactly as a read-only file system does.
  TempDir dir;
  const fs::path file = dir / "box.db";
  const Manifest& m = manifest_a();
  const ElectionId& id = m.election_id();
  SeededRng rng(11);
  {
    auto box = must(BallotBoxStore::open(file));
    REQUIRE(box->add_election(m).is_ok());
    REQUIRE(box->open_box(id).is_ok());
  }
  const CastBallot ballot = make_ballot(m, test::issue_token(m, rng), 0, rng);
  {
    auto ro = must(BallotBoxStore::open(file, OpenOptions{.read_only = true}));
    CHECK(must(ro->state(id)) == BoxState::kOpen);  // reads still work
    auto r = ro->cast(id, ballot);
    CHECK(code_of(r) == Code::kUnavailable);
    CHECK(reason_of(r) == "storage_unavailable");
    CHECK(reason_of(ro->close_box(id)) == "storage_unavailable");
  }
  if (::geteuid() != 0) {
    // Not root: a real read-only directory and file.
    fs::permissions(file, fs::perms::owner_read);
    fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec);
    auto opened = BallotBoxStore::open(file);
    if (opened.ok()) {
      auto r = (*opened)->cast(id, ballot);
      CHECK(code_of(r) == Code::kUnavailable);
    } else {
      CHECK(code_of(opened) == Code::kUnavailable);
    }
    fs::permissions(dir.path(), fs::perms::owner_all);
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  } else {
    MESSAGE("running as root: the chmod variant is skipped (root ignores permissions)");
  }
  // Nothing was stored by the refused cast.
  auto box = must(BallotBoxStore::open(file));
  CHECK(must(box->ballot_count(id)) == 0);
}

TEST_CASE("a data directory that cannot exist gives storage_unavailable") {
  TempDir dir;
  { std::ofstream(dir / "not-a-dir").put('x'); }
  auto reg = RegisterStore::open(dir / "not-a-dir" / "register.db");
  CHECK(code_of(reg) == Code::kUnavailable);
  CHECK(reason_of(reg) == "storage_unavailable");
  auto ro = BallotBoxStore::open(dir / "missing.db", OpenOptions{.read_only = true});
  CHECK(code_of(ro) == Code::kUnavailable);
  CHECK(reason_of(ro) == "storage_unavailable");
}

void overwrite(const fs::path& file, std::uintmax_t offset, std::size_t n, char byte) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f.good());
  f.seekp(static_cast<std::streamoff>(offset));
  const std::string junk(n, byte);
  f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  REQUIRE(f.good());
}

TEST_CASE("a corrupted database file gives data_loss") {
  TempDir dir;
  const fs::path file = dir / "box.db";
  const Manifest& m = manifest_a();
  SeededRng rng(12);
  {
    auto box = must(BallotBoxStore::open(file));
    REQUIRE(box->add_election(m).is_ok());
    REQUIRE(box->open_box(m.election_id()).is_ok());
    for (std::uint32_t i = 0; i < 3; ++i) {
      REQUIRE(box->cast(m.election_id(), make_ballot(m, test::issue_token(m, rng), i, rng)).ok());
    }
  }  // closed: the WAL is checkpointed into the file and removed
  REQUIRE_FALSE(fs::exists(dir / "box.db-wal"));
  const auto page_size = static_cast<std::uintmax_t>(pragma_of(file, "page_size"));
  REQUIRE(fs::file_size(file) >= 3 * page_size);

  SUBCASE("a damaged b-tree page") {
    // Page 2 onwards holds the tables; garbage in one of them is what a
    // torn or bit-rotted write leaves.
    overwrite(file, page_size + 8, 64, '\xa5');
  }
  SUBCASE("a damaged header") { overwrite(file, 0, 100, '\x5a'); }
  auto box = BallotBoxStore::open(file);
  CHECK(code_of(box) == Code::kDataLoss);
  CHECK(reason_of(box) == "storage_corrupt");
}

}  // namespace
// A parseable partial decryption of `trustee` (the store does not verify
// proofs; the service does).
TrusteePartials fake_partials(const Manifest& m, TrusteeIndex trustee, std::size_t slots,
                              std::uint8_t z) {
  TrusteePartials tp;
  tp.trustee = trustee;
  for (std::size_t s = 0; s < slots; ++s) {
    Bytes b{0x05};
    append(b, m.spec().ceremony_id);
    b.push_back(static_cast<std::uint8_t>(trustee));
    append(b, Point::generator().bytes());
    b.insert(b.end(), 32, 0);  // c
    Bytes zs(32, 0);
    zs[0] = z;  // a small canonical scalar
    append(b, zs);
    tp.partials.push_back(must(PartialDecryption::parse(b, m.election_key().params())));
  }
  return tp;
}

TEST_CASE("the box keeps the officer's transitions, the seed, the issuance log and partials") {
  TempDir dir;
  const fs::path file = dir / "box.db";
  const Manifest& m = manifest_a();
  const ElectionId& id = m.election_id();
  SeededRng rng(11);
  FixedBytes<32> seed{};
  seed.fill(0x5e);
  {
    auto box = must(BallotBoxStore::open(file));
    REQUIRE(box->add_election(m).is_ok());
    const Roster other =
        must(Roster::create("Frühjahrstagung", must(CredentialContext::parse(test::filled(0xc1))),
                            {Institution{"caritas", "Caritas Mecklenburg e.V.", inst_key(11)}}));
    CHECK(reason_of(box->put_roster(id, other)) == "roster_mismatch");
    REQUIRE(box->put_roster(id, roster()).is_ok());
    CHECK(must(box->roster(id)).fingerprint() == roster().fingerprint());
    CHECK(reason_of(box->transition(id, step(ElectionState::kOpen, 1))) == "wrong_state");
    CHECK(must(box->transition(id, step(ElectionState::kPublished, 1))).newly_applied);
    CHECK(must(box->state(id)) == BoxState::kNotOpen);
    CHECK(must(box->transition(id, step(ElectionState::kOpen, 2))).newly_applied);
    CHECK(must(box->state(id)) == BoxState::kOpen);
    CHECK_FALSE(must(box->transition(id, step(ElectionState::kOpen, 2))).newly_applied);
    // Before the close: no log, no partials.
    CHECK(reason_of(box->put_issuance_log(id, {})) == "ballot_not_closed");
    CHECK(reason_of(box->add_partials(id, fake_partials(m, 1, 3, 1))) == "wrong_state");
    CHECK(reason_of(box->transition(id, step(ElectionState::kClosed, 3))) == "lot_seed_required");
    CHECK_FALSE(must(box->lot_seed(id)).has_value());
    REQUIRE(box->transition(id, step(ElectionState::kClosed, 3), seed).ok());
    CHECK(must(box->state(id)) == BoxState::kClosed);

    // The log: once; the same again is a no-op, another is refused.
    std::vector<IssuanceEntry> log = {{"iz-schwerin", token_request(m, rng), signature_of(2)},
                                      {"caritas", token_request(m, rng), signature_of(1)}};
    REQUIRE(box->put_issuance_log(id, log).is_ok());
    REQUIRE(box->put_issuance_log(id, log).is_ok());
    std::vector<IssuanceEntry> shorter = {log[0]};
    CHECK(reason_of(box->put_issuance_log(id, shorter)) == "issuance_log_differs");

    CHECK(must(box->add_partials(id, fake_partials(m, 2, 3, 1))));
    CHECK_FALSE(must(box->add_partials(id, fake_partials(m, 2, 3, 1))));
    CHECK(reason_of(box->add_partials(id, fake_partials(m, 2, 3, 2))) == "partials_differ");
  }
  // Everything survives a reopen, in the board's order.
  auto box = must(BallotBoxStore::open(file));
  const auto ts = must(box->transitions(id));
  REQUIRE(ts.size() == 3);
  CHECK(ts[2].state == ElectionState::kClosed);
  CHECK(must(box->lot_seed(id)) == seed);
  const auto log = must(box->issuance_log(id));
  REQUIRE(log.has_value());
  REQUIRE(log->size() == 2);
  CHECK((*log)[0].institution_id == "caritas");  // sorted by id, not by arrival
  const auto partials = must(box->partials(id));
  REQUIRE(partials.size() == 1);
  CHECK(partials[0].trustee == 2);
  CHECK(partials[0].partials.size() == 3);
  // Once tallied, the set of partials is frozen: a late trustee is refused.
  REQUIRE(box->transition(id, step(ElectionState::kTallied, 4)).ok());
  CHECK(reason_of(box->add_partials(id, fake_partials(m, 1, 3, 1))) == "wrong_state");
}

}  // namespace urne::store
