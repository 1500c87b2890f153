// Storage faults and interrupted clients against the real urne-server
// binary (client::ServerProcess), with elections set up over the API as in
// tests/server/api_fixture.hpp: a full disk and a read-only data directory
// (tmpfs mounts, fault_env.hpp), a trustee upload cut off halfway and
// clients that vanish between the commit and the answer (raw_tls.hpp).
//
// What every case holds the server to: a clear JSON error with a stable
// code, never a crash, nothing acknowledged that is not stored, and the
// same answer to a retry of the same request, so that a delegate whose
// answer was lost is never told that the vote was lost.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ballot/audit.hpp"
#include "ballot/ballot.hpp"
#include "ballot/board_fixture.hpp"
#include "fault_env.hpp"
#include "raw_tls.hpp"
#include "server/api_fixture.hpp"

namespace urne::test {
namespace {

using client::ElectionClient;
using client::json;

constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMiB = 1024 * kKiB;

// The real binary on `data_dir`, its output in `log` (outside the data
// directory: a full disk must not swallow the evidence).
class RunningServer {
 public:
  RunningServer(const fs::path& data_dir, const fs::path& log, const People& people)
      : process_(ok(client::ServerProcess::start(URNE_SERVER_BINARY, data_dir,
                                                 arguments(data_dir, people), log))) {}

  // The command line after --data-dir and --listen: the officer's key, and
  // no web pages (the API is what is tested; loading them costs time).
  static std::vector<std::string> arguments(const fs::path& data_dir, const People& people) {
    return {"--officer-key", hex_encode(people.officer.public_key()), "--web-dir",
            (data_dir.parent_path() / "no-web-pages").string()};
  }

  ElectionClient connect() const {
    return ok(ElectionClient::connect(ok(client::parse_url(process_->url())),
                                      ok(client::TrustConfig::pinned_sha256(fingerprint()))));
  }
  std::unique_ptr<RawTlsConnection> raw() const {
    return ok(RawTlsConnection::connect(process_->port(), fingerprint()));
  }
  const std::string& fingerprint() const { return process_->fingerprint(); }
  bool running() const { return child_running(process_->pid()); }
  // SIGTERM; true when the server shut down cleanly (exit 0).
  bool stop() {
    const int status = process_->stop(SIGTERM);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

 private:
  std::unique_ptr<client::ServerProcess> process_;
};

// The delegates' choices: institution i marks candidate i % 9; every fifth
// abstains.
Choice choice_of(std::size_t i) {
  if (i % 5 == 4) return Choice::abstention();
  return Choice::of_marks({static_cast<std::uint32_t>(i % 9)});
}

// One delegate's device: the token request and the ballot are made once and
// sent as the same bytes every time (what a client does after a lost answer).
struct Delegate {
  std::optional<PendingTokenRequest> pending;
  std::string signature;
  std::optional<Token> token;
  std::optional<CastBallot> ballot;
};

// One election over the API with its delegates, and the ledger of what the
// server acknowledged.
class Election {
 public:
  Election(People& people, ElectionClient& officer)
      : people_(people), manifest_(people.set_up(officer)), delegates_(people.ids.size()) {}

  const Manifest& manifest() const { return manifest_; }
  const ElectionId& id() const { return manifest_.election_id(); }
  std::string path(const std::string& rest) const {
    return "/api/v1/elections/" + hex_encode(id()) + rest;
  }

  void transition(ElectionClient& c, ElectionState s, std::uint32_t sequence) {
    std::optional<FixedBytes<32>> seed;
    if (s == ElectionState::kClosed) seed = people_.lot_seed;
    ok(c.transition(people_.officer, id(), s, sequence, seed));
  }

  Delegate& delegate(std::size_t i) {
    Delegate& d = delegates_.at(i);
    if (!d.pending) {
      const TokenPublicKey& pk = manifest_.token_public_key();
      d.pending = ok(create_token_request(pk, manifest_.token_challenge(), people_.rng));
      const InstitutionSignature sig = ok(sign_token_request(
          people_.keys[i], id(), people_.ids[i], pk.key_id(), d.pending->request.bytes()));
      d.signature = base64url_encode(sig);
    }
    return d;
  }
  // The raw token request of delegate i.
  std::string token_request_bytes(std::size_t i) {
    Delegate& d = delegate(i);
    const auto& b = d.pending->request.bytes();
    return http_request_bytes(
        "POST", path("/token-request"), "application/private-token-request",
        std::string(b.begin(), b.end()),
        {{"Urne-Institution", people_.ids[i]}, {"Urne-Institution-Signature", d.signature}});
  }
  // Sends delegate i's token request; on success the token is finalized
  // (and verified) and the request counts as acknowledged.
  Result<TokenResponse> request_token(ElectionClient& c, std::size_t i) {
    Delegate& d = delegate(i);
    auto r = c.send_token_request(id(), people_.ids[i], d.signature, d.pending->request.bytes());
    if (!r.ok()) return r;
    d.token = ok(finalize_token(manifest_.token_public_key(), d.pending->state, *r));
    issued_.insert(i);
    return r;
  }

  const CastBallot& ballot(std::size_t i) {
    Delegate& d = delegates_.at(i);
    REQUIRE(d.token.has_value());
    if (!d.ballot)
      d.ballot = ok(build_ballot(manifest_, *d.token, choice_of(i), people_.rng)).ballot;
    return *d.ballot;
  }
  std::string cast_bytes(std::size_t i) {
    const json body{{"ballot", base64url_encode(ballot(i).canonical_bytes())}};
    return http_request_bytes("POST", path("/ballots"), "application/json", body.dump());
  }
  // Casts delegate i's ballot (the same bytes every time).
  Result<client::CastAnswer> cast(ElectionClient& c, std::size_t i) {
    auto a = c.cast(manifest_, ballot(i));
    if (a.ok()) cast_.insert(i);
    return a;
  }

  // Trustee j's partial decryptions, made once from the closed board (a
  // trustee's tool that sent them keeps them: a new decryption would carry
  // other proofs, and the server refuses other partials for a trustee).
  const TrusteePartials& partials(ElectionClient& c, TrusteeIndex j) {
    auto it = partials_.find(j);
    if (it == partials_.end()) {
      const Board closed = ok(c.board(id()));
      it = partials_.emplace(j, people_.decrypt(manifest_, closed, ok(c.sums(id())), j)).first;
    }
    return it->second;
  }

  // The server's counts are exactly the acknowledged requests.
  void check_counts(ElectionClient& c) {
    const json t = ok(c.turnout(id()));
    CHECK(t["tokens_issued"] == issued_.size());
    CHECK(t["ballots_cast"] == cast_.size());
  }

  // Close, trustees 1 and 2, tally, publish, the auditor's checks; then the
  // board must hold exactly the acknowledged ballots and token requests.
  Board close_tally_audit(ElectionClient& c, bool close_first = true) {
    if (close_first) transition(c, ElectionState::kClosed, 3);
    for (TrusteeIndex j : {1, 2}) ok(c.upload_partials(id(), partials(c, j)));
    transition(c, ElectionState::kTallied, 4);
    transition(c, ElectionState::kResultPublished, 5);
    const Board board = ok(c.board(id()));
    const AuditReport report = audit_board(board, std::nullopt, AuditScope::kFinal);
    CHECK_MESSAGE(report.ok(), failures_of(report));
    std::set<std::string> on_board;
    std::set<std::string> acknowledged;
    for (const CastBallot& b : board.contents().ballots)
      on_board.insert(hex_encode(b.ballot_hash()));
    for (std::size_t i : cast_)
      acknowledged.insert(hex_encode(delegates_[i].ballot->ballot_hash()));
    CHECK(board.contents().ballots.size() == cast_.size());
    CHECK(on_board == acknowledged);
    std::set<std::string> issued_on_board;
    std::set<std::string> issued;
    for (const IssuanceEntry& e : board.contents().issuance)
      issued_on_board.insert(e.institution_id);
    for (std::size_t i : issued_) issued.insert(people_.ids[i]);
    CHECK(board.contents().issuance.size() == issued_.size());
    CHECK(issued_on_board == issued);
    return board;
  }

 private:
  People& people_;
  Manifest manifest_;
  std::vector<Delegate> delegates_;
  std::set<std::size_t> issued_;  // token requests answered with a token
  std::set<std::size_t> cast_;    // ballots answered with a receipt
  std::map<TrusteeIndex, TrusteePartials> partials_;
};

constexpr const char* kNotStoredMessage =
    "The service's storage is full; the request was not stored. Please try again shortly.";

// A refusal for lack of storage: 503 with one of the storage codes, never a
// 4xx that blames the delegate or a 500 "internal".
void check_storage_refusal(const Status& s, const std::set<std::string>& codes) {
  CHECK(s.code() == Code::kUnavailable);  // HTTP 503
  CHECK_MESSAGE(codes.count(s.reason()) == 1, s.to_string());
  // The delegate reads that nothing was stored and that sending it again is
  // right (ElectionClient keeps the English message).
  CHECK(s.message() == kNotStoredMessage);
}

bool health_answers(ElectionClient& c) {
  const auto r = c.http().request("GET", "/api/v1/health");
  return r.ok() && r->status == 200;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const std::set<std::string> kFullCodes = {"disk_full"};

TEST_CASE(
    "a full disk refuses token requests and ballots with disk_full, acknowledges nothing it did "
    "not store, and the service recovers without a restart") {
  TempDir tmp("urne-faults");
  TmpfsMount disk(tmp / "data", 24 * kMiB);
  People people(24, 3, 2, 0xF011);
  RunningServer server(disk.dir(), tmp / "server.log", people);
  ElectionClient c = server.connect();
  Election e(people, c);
  e.transition(c, ElectionState::kPublished, 1);
  for (std::size_t i = 0; i < 12; ++i) ok(e.request_token(c, i).status());
  e.transition(c, ElectionState::kOpen, 2);
  for (std::size_t i = 0; i < 4; ++i) CHECK(ok(e.cast(c, i)).newly_accepted);

  Filler filler(disk.dir() / "filler");
  MESSAGE("filled the disk with " << filler.fill() / kKiB << " KiB");
  std::vector<std::size_t> refused_tokens;
  std::vector<std::size_t> refused_ballots;
  for (std::size_t i = 12; i < 16; ++i) {
    const auto r = e.request_token(c, i);
    if (!r.ok()) {
      check_storage_refusal(r.status(), kFullCodes);
      refused_tokens.push_back(i);
    }
  }
  for (std::size_t i = 4; i < 8; ++i) {
    const auto r = e.cast(c, i);
    if (!r.ok()) {
      check_storage_refusal(r.status(), kFullCodes);
      refused_ballots.push_back(i);
    }
  }
  MESSAGE("full disk: " << refused_tokens.size() << " of 4 token requests and "
                        << refused_ballots.size() << " of 4 ballots refused");
  CHECK_FALSE(refused_tokens.empty());
  CHECK_FALSE(refused_ballots.empty());
  CHECK(health_answers(c));
  CHECK(server.running());
  e.check_counts(c);

  // Space returns: the same server takes new requests and the refused ones
  // sent again, byte for byte.
  filler.release();
  e.check_counts(c);
  ok(e.request_token(c, 16).status());
  CHECK(ok(e.cast(c, 8)).newly_accepted);
  for (std::size_t i : refused_tokens) ok(e.request_token(c, i).status());
  for (std::size_t i : refused_ballots) CHECK(ok(e.cast(c, i)).newly_accepted);
  e.check_counts(c);

  // A few KiB left: the commits that still fit are taken, the one whose
  // write-ahead log cannot grow fails in the middle of its write.
  constexpr std::size_t kLeftKiB = 64;
  filler.fill();
  filler.give_back(kLeftKiB * kKiB);
  refused_tokens.clear();
  refused_ballots.clear();
  for (std::size_t i = 9; i < 16; ++i) {
    const auto r = e.cast(c, i);
    if (!r.ok()) {
      check_storage_refusal(r.status(), kFullCodes);
      refused_ballots.push_back(i);
    }
  }
  for (std::size_t i = 17; i < 24; ++i) {
    const auto r = e.request_token(c, i);
    if (!r.ok()) {
      check_storage_refusal(r.status(), kFullCodes);
      refused_tokens.push_back(i);
    }
  }
  MESSAGE(kLeftKiB << " KiB left: " << refused_tokens.size() << " of 7 token requests and "
                   << refused_ballots.size() << " of 7 ballots refused");
  CHECK_FALSE(refused_ballots.empty());
  CHECK_FALSE(refused_tokens.empty());
  CHECK(health_answers(c));
  e.check_counts(c);
  filler.release();
  for (std::size_t i : refused_tokens) ok(e.request_token(c, i).status());
  for (std::size_t i : refused_ballots) CHECK(ok(e.cast(c, i)).newly_accepted);
  e.check_counts(c);

  e.close_tally_audit(c);
  CHECK(server.running());
  CHECK(server.stop());
}

TEST_CASE(
    "a server does not start on a read-only data directory, says why, and the election goes on "
    "once the directory is writable again") {
  TempDir tmp("urne-faults");
  TmpfsMount disk(tmp / "data", 16 * kMiB);
  People people(6, 3, 2, 0x0F0F);
  auto server = std::make_unique<RunningServer>(disk.dir(), tmp / "server.log", people);
  ElectionClient c = server->connect();
  Election e(people, c);
  e.transition(c, ElectionState::kPublished, 1);
  for (std::size_t i = 0; i < 4; ++i) ok(e.request_token(c, i).status());
  e.transition(c, ElectionState::kOpen, 2);
  for (std::size_t i = 0; i < 2; ++i) ok(e.cast(c, i).status());

  // While the server holds its databases open for writing, Linux refuses
  // to remount their file system read-only: a running server's data
  // directory cannot be turned read-only under it (only a file system
  // error can, and then every write fails with a storage error).
  CHECK(disk.remount(true) == EBUSY);
  CHECK(server->stop());
  server.reset();
  REQUIRE(disk.remount(true) == 0);

  // The operator's same command line on the read-only directory.
  std::string command = "timeout 60 " + std::string(URNE_SERVER_BINARY) + " --data-dir " +
                        disk.dir().string() + " --listen 127.0.0.1:0";
  for (const std::string& a : RunningServer::arguments(disk.dir(), people)) command += " " + a;
  const fs::path log = tmp / "read-only.log";
  const int status = std::system((command + " >" + log.string() + " 2>&1").c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) != 0);
  CHECK(WEXITSTATUS(status) != 124);  // it did not hang
  const std::string said = read_file(log);
  MESSAGE("on a read-only data directory urne-server says: " << said);
  CHECK(said.find("urne-server: ") != std::string::npos);
  CHECK(said.find("data_dir_unusable") != std::string::npos);
  CHECK(said.find("Read-only file system") != std::string::npos);
  CHECK(said.find("listening") == std::string::npos);

  REQUIRE(disk.remount(false) == 0);
  server = std::make_unique<RunningServer>(disk.dir(), tmp / "server2.log", people);
  ElectionClient c2 = server->connect();
  e.check_counts(c2);
  for (std::size_t i = 2; i < 4; ++i) ok(e.cast(c2, i).status());
  e.close_tally_audit(c2);
  CHECK(server->stop());
}

TEST_CASE(
    "a trustee upload cut off halfway stores nothing, and the complete upload then is stored "
    "once") {
  TempDir tmp("urne-faults");
  People people(4, 3, 2, 0x7257);
  RunningServer server(tmp / "data", tmp / "server.log", people);
  ElectionClient c = server.connect();
  Election e(people, c);
  e.transition(c, ElectionState::kPublished, 1);
  for (std::size_t i = 0; i < 4; ++i) ok(e.request_token(c, i).status());
  e.transition(c, ElectionState::kOpen, 2);
  for (std::size_t i = 0; i < 4; ++i) ok(e.cast(c, i).status());
  e.transition(c, ElectionState::kClosed, 3);

  const TrusteePartials& p1 = e.partials(c, 1);
  json list = json::array();
  for (const PartialDecryption& p : p1.partials) list.push_back(base64url_encode(p.encode()));
  const std::string body = json{{"trustee", 1}, {"partials", list}}.dump();
  // The whole length announced, half the body sent, then the connection
  // ends: once with a FIN, once with a RST.
  for (const bool reset : {false, true}) {
    auto conn = server.raw();
    ok(conn->write(http_request_bytes("POST", e.path("/partials"), "application/json",
                                      body.substr(0, body.size() / 2), {}, body.size())));
    conn->drop(reset);
  }
  CHECK(health_answers(c));
  CHECK(server.running());

  // Had any of the half uploads been stored, this would be already_stored
  // (or partials_differ).
  const client::PartialsAnswer first = ok(c.upload_partials(e.id(), p1));
  CHECK(first.newly_stored);
  CHECK(first.trustees == 1);
  const client::PartialsAnswer again = ok(c.upload_partials(e.id(), p1));
  CHECK_FALSE(again.newly_stored);
  CHECK(again.trustees == 1);
  CHECK(again.threshold == first.threshold);

  const Board board = e.close_tally_audit(c, false);
  CHECK(board.contents().partials.size() == 2);
  CHECK(server.stop());
}

TEST_CASE(
    "a client that vanishes right after sending its token request or ballot gets the same answer "
    "when it sends it again") {
  constexpr std::size_t kDelegates = 20;
  TempDir tmp("urne-faults");
  People people(kDelegates + 1, 3, 2, 0xD15C);
  RunningServer server(tmp / "data", tmp / "server.log", people);
  ElectionClient c = server.connect();
  Election e(people, c);
  e.transition(c, ElectionState::kPublished, 1);

  // Token requests: sent, then the connection reset before any answer is
  // read. The retry gets a token response, and the same one again.
  for (std::size_t i = 0; i < kDelegates; ++i) {
    auto conn = server.raw();
    ok(conn->write(e.token_request_bytes(i)));
    conn->drop(true);
  }
  for (std::size_t i = 0; i < kDelegates; ++i) {
    const TokenResponse first = ok(e.request_token(c, i));
    const TokenResponse second = ok(e.request_token(c, i));
    CHECK(first.bytes() == second.bytes());
  }
  e.check_counts(c);
  ok(e.request_token(c, kDelegates).status());
  e.transition(c, ElectionState::kOpen, 2);

  // Ballots: the same, over fresh connections.
  for (std::size_t i = 0; i < kDelegates; ++i) {
    auto conn = server.raw();
    ok(conn->write(e.cast_bytes(i)));
    conn->drop(true);
  }
  std::size_t already = 0;
  for (std::size_t i = 0; i < kDelegates; ++i) {
    const client::CastAnswer first = ok(e.cast(c, i));
    const client::CastAnswer second = ok(e.cast(c, i));
    already += first.newly_accepted ? 0 : 1;
    CHECK_FALSE(second.newly_accepted);
    CHECK(first.receipt.canonical_bytes() == second.receipt.canonical_bytes());
  }
  MESSAGE(already << " of " << kDelegates
                  << " ballots whose sender vanished were in the box before the retry");
  e.check_counts(c);

  // Another ballot with a spent token: refused by name, the first ballot
  // untouched (its retry still gets its receipt).
  const CastBallot other =
      ok(build_ballot(e.manifest(), *e.delegate(0).token, Choice::invalid_ballot(), people.rng))
          .ballot;
  const auto refused = c.cast(e.manifest(), other);
  CHECK(reason(refused) == "token_already_used");
  CHECK(refused.status().code() == Code::kFailedPrecondition);  // HTTP 409
  CHECK(ok(e.cast(c, 0)).receipt.ballot_hash == e.ballot(0).ballot_hash());
  CHECK(ok(e.cast(c, kDelegates)).newly_accepted);
  e.check_counts(c);

  e.close_tally_audit(c);
  CHECK(server.running());
  CHECK(server.stop());
}

}  // namespace
}  // namespace urne::test
