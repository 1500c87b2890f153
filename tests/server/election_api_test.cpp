// The election API end to end over real TLS on 127.0.0.1: the real server,
// real SQLite files, a client that pins the server's certificate, and the
// domain code on the client side (tests/server/api_fixture.hpp).
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api_fixture.hpp"
#include "ballot/audit.hpp"
#include "ballot/ballot.hpp"
#include "ballot/board_fixture.hpp"
#include "ballot/minutes.hpp"
#include "ballot/tally.hpp"
#include "server/backup.hpp"

namespace urne::test {
namespace {

using client::ElectionClient;
using client::HttpResponse;
using client::json;

// The delegates' choices: institution i marks candidates i % 9 and
// (i + 3) % 9; every seventh abstains.
Choice choice_of(std::size_t i) {
  if (i % 7 == 6) return Choice::abstention();
  const auto a = static_cast<std::uint32_t>(i % 9);
  const auto b = static_cast<std::uint32_t>((i + 3) % 9);
  return Choice::of_marks({std::min(a, b), std::max(a, b)});
}

// Runs `count` jobs on `threads` threads, each thread with its own client.
template <class F>
void in_parallel(const ApiServer& server, std::size_t count, std::size_t threads, F job) {
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ElectionClient c = server.connect();
      SeededRng rng(1000 + t);
      for (std::size_t i = next++; i < count; i = next++) job(c, rng, i);
    });
  }
  for (auto& th : pool) th.join();
}

TEST_CASE("a whole election of 50 institutions with 2-of-3 trustees runs over HTTPS and audits") {
  ApiTempDir dir;
  People people(50, 3, 2, 0xE1EC);
  ApiServer server(dir.path(), {people.officer.public_key()});
  ElectionClient officer = server.connect();
  const Manifest m = people.set_up(officer);
  const ElectionId& id = m.election_id();
  CHECK(ok(officer.manifest(id)).canonical_bytes() == m.canonical_bytes());

  // Check-in before the ballot opens: all 50 institutions at once.
  ok(officer.transition(people.officer, id, ElectionState::kPublished, 1));
  std::vector<std::optional<Token>> tokens(50);
  std::mutex mu;
  in_parallel(server, 50, 10, [&](ElectionClient& c, Rng& rng, std::size_t i) {
    Token t = ok(c.fetch_token(m, people.ids[i], people.keys[i], rng));
    const std::lock_guard lock(mu);
    tokens[i] = t;
  });
  json turnout = ok(officer.turnout(id));
  CHECK(turnout["tokens_issued"] == 50);
  CHECK(turnout["ballots_cast"] == 0);
  CHECK(turnout["institutions"] == 50);

  // Voting: 45 of them, all at once; the tally must give back what they chose.
  ok(officer.transition(people.officer, id, ElectionState::kOpen, 2));
  std::vector<std::optional<Receipt>> receipts(45);
  Totals expected;
  expected.marks.assign(9, 0);
  for (std::size_t i = 0; i < 45; ++i) {
    const Choice c = choice_of(i);
    for (auto x : c.marks) ++expected.marks[x];
    expected.abstentions += c.abstain ? 1 : 0;
  }
  expected.ballots_cast = 45;
  in_parallel(server, 45, 10, [&](ElectionClient& c, Rng& rng, std::size_t i) {
    const BuiltBallot b = ok(build_ballot(m, *tokens[i], choice_of(i), rng));
    const client::CastAnswer a = ok(c.cast(m, b.ballot));
    CHECK(a.newly_accepted);
    const std::lock_guard lock(mu);
    receipts[i] = a.receipt;
  });

  // While open: counts only, no board, no sums, no result.
  const json open_board = ok(officer.get_json("/api/v1/elections/" + hex_encode(id) + "/board"));
  CHECK(open_board["phase"] == "open");
  CHECK(open_board["summary"]["ballots_cast"] == 45);
  CHECK(open_board["summary"]["tokens_issued"] == 50);
  CHECK_FALSE(open_board.contains("ballots"));
  CHECK(reason(officer.board(id)) == "ballot_not_closed");
  CHECK(reason(officer.sums(id)) == "ballot_not_closed");
  CHECK(reason(officer.result(id)) == "result_not_published");

  // The close reveals the seed; the trustees check the sums and decrypt.
  ok(officer.transition(people.officer, id, ElectionState::kClosed, 3, people.lot_seed));
  const Board closed = ok(officer.board(id));
  CHECK(closed.phase() == ElectionState::kClosed);
  CHECK(closed.contents().ballots.size() == 45);
  CHECK(closed.contents().issuance.size() == 50);
  const AuditReport closed_audit = audit_board(closed, std::nullopt, AuditScope::kClosed);
  CHECK_MESSAGE(closed_audit.ok(), failures_of(closed_audit));
  const auto sums = ok(officer.sums(id));
  // Too early: one trustee is not enough.
  const client::PartialsAnswer p1 =
      ok(officer.upload_partials(id, people.decrypt(m, closed, sums, 1)));
  CHECK(p1.newly_stored);
  CHECK(p1.trustees == 1);
  CHECK(reason(officer.transition(people.officer, id, ElectionState::kTallied, 4)) ==
        "too_few_partials");
  const client::PartialsAnswer p3 =
      ok(officer.upload_partials(id, people.decrypt(m, closed, sums, 3)));
  CHECK(p3.trustees == 2);
  CHECK(p3.threshold == 2);
  ok(officer.transition(people.officer, id, ElectionState::kTallied, 4));
  CHECK(reason(officer.result(id)) == "result_not_published");
  ok(officer.transition(people.officer, id, ElectionState::kResultPublished, 5));

  // The auditor: the board's every check passes, the totals are the
  // delegates' choices, every receipt is on it.
  const Board board = ok(officer.board(id));
  const AuditReport report = audit_board(board, receipts[7], AuditScope::kFinal);
  CHECK_MESSAGE(report.ok(), failures_of(report));
  REQUIRE(board.contents().result.has_value());
  CHECK(board.contents().result->result.totals() == expected);
  for (const auto& r : receipts) CHECK(receipt_on_board(board, *r).is_ok());
  const json result = ok(officer.result(id));
  CHECK(result["board_fingerprint"] == hex_encode(board.fingerprint()));
  // The request log: one line per request, route patterns only, and not a
  // single line for the ballot path.
  std::size_t token_lines = 0;
  for (const std::string& line : server.log()) {
    CHECK(line.find("/ballots") == std::string::npos);
    CHECK(line.find(hex_encode(id)) == std::string::npos);
    CHECK(line.find("127.0.0.1") == std::string::npos);
    if (line.find("/token-request") != std::string::npos) ++token_lines;
  }
  CHECK(token_lines == 50);
  const json turnout_end = ok(officer.turnout(id));
  CHECK(turnout_end["state"] == "result_published");
  CHECK(turnout_end["ballots_cast"] == 45);
}

// Sets up and runs an election of `n` institutions up to the open ballot
// with every token fetched; returns the manifest and the tokens.
struct OpenElection {
  Manifest manifest;
  std::vector<Token> tokens;
};

OpenElection open_election(ElectionClient& c, People& people) {
  const Manifest m = people.set_up(c);
  ok(c.transition(people.officer, m.election_id(), ElectionState::kPublished, 1));
  std::vector<Token> tokens;
  for (std::size_t i = 0; i < people.ids.size(); ++i) {
    tokens.push_back(ok(c.fetch_token(m, people.ids[i], people.keys[i], people.rng)));
  }
  ok(c.transition(people.officer, m.election_id(), ElectionState::kOpen, 2));
  return OpenElection{m, std::move(tokens)};
}

// Close, trustees 1 and 2, tally, publish; returns the final board.
Board close_and_tally(ElectionClient& box, People& people, const Manifest& m,
                      ElectionClient* register_client = nullptr) {
  const ElectionId& id = m.election_id();
  auto both = [&](ElectionState s, std::uint32_t seq, std::optional<FixedBytes<32>> seed = {}) {
    const StateTransition t = ok(sign_transition(people.officer, id, s, seq));
    if (register_client != nullptr) ok(register_client->send_transition(id, t));
    ok(box.send_transition(id, t, seed));
  };
  both(ElectionState::kClosed, 3, people.lot_seed);
  if (register_client != nullptr) {
    // Two processes: the officer hands the register's log to the box.
    ok(box.put_issuance_log(id, ok(register_client->issuance_log(id))));
  }
  const Board closed = ok(box.board(id));
  const auto sums = ok(box.sums(id));
  for (TrusteeIndex j : {1, 2}) ok(box.upload_partials(id, people.decrypt(m, closed, sums, j)));
  both(ElectionState::kTallied, 4);
  both(ElectionState::kResultPublished, 5);
  return ok(box.board(id));
}

TEST_CASE("the Wahlniederschrift is served once the result is published, as urne report makes it") {
  ApiTempDir dir;
  People people(6, 3, 2, 0x4D17);
  ApiServer server(dir.path(), {people.officer.public_key()});
  ElectionClient c = server.connect();
  // people.set_up() with hostile text in the candidates' names.
  ok(c.upload_roster(people.officer, *people.roster, unix_now()));
  const TokenPublicKey token_key = ok(c.create_token_key(people.officer, unix_now()));
  ManifestSpec spec = people.manifest(token_key, ok(c.service_key()), 3).spec();
  spec.candidates[0].name = "<script>alert(1)</script>";
  spec.candidates[1].affiliation = "A & B <i>";
  const Manifest m = ok(Manifest::create(std::move(spec)));
  ok(c.create_election(people.officer, m, nullptr, unix_now()));
  const ElectionId& id = m.election_id();
  const std::string base = "/api/v1/elections/" + hex_encode(id);
  auto get = [&](ElectionClient& client, const std::string& rest) {
    return ok(client.http().request("GET", base + rest, "", "", {}));
  };

  ok(c.transition(people.officer, id, ElectionState::kPublished, 1));
  std::vector<Token> tokens;
  for (std::size_t i = 0; i < people.ids.size(); ++i) {
    tokens.push_back(ok(c.fetch_token(m, people.ids[i], people.keys[i], people.rng)));
  }
  ok(c.transition(people.officer, id, ElectionState::kOpen, 2));
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Choice choice = Choice::of_marks({static_cast<std::uint32_t>(i % 2)});
    ok(c.cast(m, ok(build_ballot(m, tokens[i], choice, people.rng)).ballot));
  }
  // Before the publication: like the result, refused.
  for (const char* rest : {"/minutes.html", "/minutes.md"}) {
    const HttpResponse early = get(c, rest);
    CHECK(early.status == 409);
    CHECK(json::parse(early.body)["error"]["code"] == "result_not_published");
  }

  close_and_tally(c, people, m);
  // The board the server serves, as an auditor downloads it.
  const HttpResponse bin = get(c, "/board.bin");
  REQUIRE(bin.status == 200);
  const Board board = ok(Board::parse_canonical(
      ByteView(reinterpret_cast<const std::uint8_t*>(bin.body.data()), bin.body.size())));
  std::string short_fp = board.short_fingerprint();
  std::erase(short_fp, ' ');
  const std::string board_file = "board-" + short_fp + ".urne";
  CHECK(bin.headers.at("content-disposition") == "attachment; filename=\"" + board_file + "\"");
  const AuditReport audit = audit_board(board, std::nullopt, AuditScope::kFinal);
  REQUIRE_MESSAGE(audit.ok(), failures_of(audit));
  const Minutes expected = ok(render_minutes(board, audit, board_file));

  // Four first requests at once: one audit, the same document for all.
  std::vector<HttpResponse> first(4);
  {
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < first.size(); ++t) {
      pool.emplace_back([&, t] {
        ElectionClient own = server.connect();
        first[t] = get(own, t % 2 == 0 ? "/minutes.html" : "/minutes.md");
      });
    }
    for (auto& th : pool) th.join();
  }
  for (std::size_t t = 0; t < first.size(); ++t) {
    CHECK(first[t].status == 200);
    CHECK(first[t].body == (t % 2 == 0 ? expected.html : expected.markdown));
  }

  const HttpResponse html = get(c, "/minutes.html");
  REQUIRE(html.status == 200);
  CHECK(html.content_type == "text/html; charset=utf-8");
  CHECK(html.headers.at("content-disposition") ==
        "attachment; filename=\"wahlniederschrift-" + short_fp + ".html\"");
  CHECK(html.headers.at("content-security-policy") == kMinutesContentSecurityPolicy);
  CHECK(html.headers.at("x-content-type-options") == "nosniff");
  CHECK(html.body == expected.html);
  CHECK(html.body.find("<td class=\"name\">&lt;script&gt;alert(1)&lt;/script&gt;</td>") !=
        std::string::npos);
  CHECK(html.body.find("A &amp; B &lt;i&gt;") != std::string::npos);
  CHECK(html.body.find("<script") == std::string::npos);
  CHECK(html.body.find("urne audit --board " + board_file) != std::string::npos);

  const HttpResponse md = get(c, "/minutes.md");
  REQUIRE(md.status == 200);
  CHECK(md.content_type == "text/markdown; charset=utf-8");
  CHECK(md.headers.at("content-disposition") ==
        "attachment; filename=\"wahlniederschrift-" + short_fp + ".md\"");
  CHECK(md.headers.count("content-security-policy") == 0);
  CHECK(md.body == expected.markdown);
  CHECK(md.body.find("| \\<script\\>alert(1)\\</script\\> |") != std::string::npos);
  CHECK(md.body.find("`urne audit --board " + board_file + "`") != std::string::npos);
}

TEST_CASE("a restart in the middle of voting loses no accepted ballot and no issued token") {
  ApiTempDir dir;
  People people(10, 3, 2, 0x5EED);
  ApiServer server(dir.path(), {people.officer.public_key()});
  OpenElection e = [&] {
    ElectionClient c = server.connect();
    return open_election(c, people);
  }();
  const ElectionId& id = e.manifest.election_id();
  std::vector<BuiltBallot> ballots;
  std::vector<Receipt> receipts;
  {
    ElectionClient c = server.connect();
    for (std::size_t i = 0; i < 10; ++i) {
      ballots.push_back(ok(build_ballot(e.manifest, e.tokens[i], choice_of(i), people.rng)));
    }
    for (std::size_t i = 0; i < 5; ++i)
      receipts.push_back(ok(c.cast(e.manifest, ballots[i].ballot)).receipt);
  }
  server.stop();
  server.start();  // same data directory, same port, stores reopened
  ElectionClient c = server.connect();
  const json t = ok(c.turnout(id));
  CHECK(t["state"] == "open");
  CHECK(t["tokens_issued"] == 10);
  CHECK(t["ballots_cast"] == 5);
  // A delegate whose answer was lost in the restart retries: same receipt.
  const client::CastAnswer again = ok(c.cast(e.manifest, ballots[2].ballot));
  CHECK_FALSE(again.newly_accepted);
  CHECK(again.receipt.canonical_bytes() == receipts[2].canonical_bytes());
  for (std::size_t i = 5; i < 10; ++i)
    receipts.push_back(ok(c.cast(e.manifest, ballots[i].ballot)).receipt);
  const Board board = close_and_tally(c, people, e.manifest);
  const AuditReport report = audit_board(board, receipts[0], AuditScope::kFinal);
  CHECK_MESSAGE(report.ok(), failures_of(report));
  CHECK(board.contents().ballots.size() == 10);
  for (const Receipt& r : receipts) CHECK(receipt_on_board(board, r).is_ok());
}

TEST_CASE("a backup taken while voting goes on restores into a server that continues from it") {
  ApiTempDir dir;
  ApiTempDir elsewhere;
  People people(6, 3, 2, 0xBAC);
  ApiServer server(dir.path(), {people.officer.public_key()});
  ElectionClient c = server.connect();
  OpenElection e = open_election(c, people);
  std::vector<BuiltBallot> ballots;
  for (std::size_t i = 0; i < 6; ++i) {
    ballots.push_back(ok(build_ballot(e.manifest, e.tokens[i], choice_of(i), people.rng)));
  }
  for (std::size_t i = 0; i < 3; ++i) ok(c.cast(e.manifest, ballots[i].ballot));
  std::ostringstream said;
  const fs::path backup = elsewhere.path() / "backup";
  ok(server::backup_data_dir(dir.path(), backup, said));
  CHECK(said.str().find("backed up register.db") != std::string::npos);
  CHECK(said.str().find("backed up ballot-box.db") != std::string::npos);
  CHECK((fs::status(backup / "service.key").permissions() & fs::perms::group_all) ==
        fs::perms::none);
  CHECK(reason(server::backup_data_dir(dir.path(), backup, said)) == "backup_exists");
  server.stop();
  // The restored server: same keys, same election, the three ballots.
  ApiServer restored(backup, {});
  ElectionClient r = restored.connect();
  CHECK(ok(r.service_key()) == e.manifest.spec().service_key);
  CHECK(ok(r.turnout(e.manifest.election_id()))["ballots_cast"] == 3);
  for (std::size_t i = 3; i < 6; ++i) ok(r.cast(e.manifest, ballots[i].ballot));
  const Board board = close_and_tally(r, people, e.manifest);
  CHECK(audit_board(board, std::nullopt, AuditScope::kFinal).ok());
  CHECK(board.contents().ballots.size() == 6);
}

TEST_CASE("the register and the ballot box run as two processes, and the box survives a SIGKILL") {
  ApiTempDir reg_dir;
  ApiTempDir box_dir;
  People people(8, 3, 2, 0x2FF);
  const std::string officer = hex_encode(people.officer.public_key());
  ServerProcess reg(reg_dir.path(), {"--role", "register", "--officer-key", officer});
  auto box = std::make_unique<ServerProcess>(
      box_dir.path(), std::vector<std::string>{"--role", "ballot-box", "--officer-key", officer});
  ElectionClient r = reg.connect();
  ElectionClient b = box->connect();

  // Each serves its own part only.
  CHECK(reason(r.service_key()) == "no_ballot_box");
  ok(r.upload_roster(people.officer, *people.roster, unix_now()));
  const TokenPublicKey token_key = ok(r.create_token_key(people.officer, unix_now()));
  CHECK(reason(b.create_token_key(people.officer, unix_now())) == "not_served_here");
  const Manifest m = people.manifest(token_key, ok(b.service_key()));
  const ElectionId& id = m.election_id();
  ok(r.create_election(people.officer, m, nullptr, unix_now()));
  ok(b.create_election(people.officer, m, &*people.roster, unix_now()));
  // The box never holds a token signing key: it has no register file.
  CHECK_FALSE(fs::exists(box_dir.path() / "register.db"));
  CHECK_FALSE(fs::exists(reg_dir.path() / "ballot-box.db"));

  for (auto [s, q] : {std::pair{ElectionState::kPublished, 1u}, {ElectionState::kOpen, 2u}}) {
    const StateTransition t = ok(sign_transition(people.officer, id, s, q));
    ok(r.send_transition(id, t));
    ok(b.send_transition(id, t));
  }
  std::vector<Receipt> receipts;
  for (std::size_t i = 0; i < 8; ++i) {
    const Token token = ok(r.fetch_token(m, people.ids[i], people.keys[i], people.rng));
    CHECK(reason(b.send_token_request(id, people.ids[i], "AA", token.bytes())) ==
          "not_served_here");
    const BuiltBallot ballot = ok(build_ballot(m, token, choice_of(i), people.rng));
    receipts.push_back(ok(b.cast(m, ballot.ballot)).receipt);
    if (i == 3) {
      // A crash of the ballot box: everything acknowledged is on disk.
      box->stop(SIGKILL);
      box = std::make_unique<ServerProcess>(box_dir.path(),
                                            std::vector<std::string>{"--role", "ballot-box"});
      b = box->connect();
      CHECK(ok(b.turnout(id))["ballots_cast"] == 4);
    }
  }
  const Board board = close_and_tally(b, people, m, &r);
  const AuditReport report = audit_board(board, receipts[5], AuditScope::kFinal);
  CHECK_MESSAGE(report.ok(), failures_of(report));
  CHECK(board.contents().issuance.size() == 8);
  CHECK(board.contents().ballots.size() == 8);
  CHECK(ok(r.turnout(id))["state"] == "result_published");
}

}  // namespace
}  // namespace urne::test
