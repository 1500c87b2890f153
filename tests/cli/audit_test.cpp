// `urne audit` on board files as the server publishes them.
#include "cli/audit.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "ballot/board_fixture.hpp"
#include "cli/demo_election.hpp"
#include "client/server_process.hpp"
#include "codec/json_views.hpp"
#include "server/keys.hpp"
#include "test_util.hpp"

namespace urne::test {
namespace {

void write(const std::filesystem::path& p, const std::string& data) {
  std::ofstream(p, std::ios::binary) << data;
}

std::string as_text(const Bytes& b) { return std::string(b.begin(), b.end()); }

TEST_CASE("urne audit passes an honest board, as canonical file or JSON view, with a receipt") {
  const Election e = make_election({}, 0xA0D1);
  TempDir dir("urne-cli-test");
  write(dir / "board.urne", as_text(e.board->canonical_bytes()));
  write(dir / "board.json", codec::board_view(*e.board).dump());
  write(dir / "receipt.bin", as_text(e.receipts.front().canonical_bytes()));
  write(dir / "receipt.txt", base64url_encode(e.receipts.back().canonical_bytes()) + "\n");
  std::ostringstream out;
  CHECK(cli::audit_board_file({dir / "board.urne", dir / "receipt.bin"}, out).is_ok());
  CHECK(out.str().find("receipt.on_board                PASS") != std::string::npos);
  CHECK(cli::audit_board_file({dir / "board.json", dir / "receipt.txt"}, out).is_ok());
  CHECK(out.str().find("Verdict: all") != std::string::npos);
}

TEST_CASE("urne audit fails a changed board by name and a lying JSON view before auditing") {
  const Election e = make_election({}, 0xA0D2);
  TempDir dir("urne-cli-test");
  Bytes bytes = e.board->canonical_bytes();
  bytes[bytes.size() - 100] ^= 1;  // inside the service's signature
  write(dir / "changed.urne", as_text(bytes));
  std::ostringstream out;
  const Status changed = cli::audit_board_file({dir / "changed.urne", std::nullopt}, out);
  CHECK(changed.reason() == "audit_failed");
  CHECK(changed.message().find("board.signature") != std::string::npos);
  CHECK(out.str().find("Verdict: the audit FAILED") != std::string::npos);

  codec::json view = codec::board_view(*e.board);
  view["phase"] = "closed";  // the readable part says something else
  write(dir / "lying.json", view.dump());
  CHECK(cli::audit_board_file({dir / "lying.json", std::nullopt}, out).reason() ==
        "board_view_mismatch");
  CHECK(cli::audit_board_file({dir / "missing.urne", std::nullopt}, out).reason() ==
        "file_missing");
}

// Parses `urne audit ARGS…` with the real command registration and runs
// the action it sets.
Status run_audit_command(std::vector<std::string> args, std::ostream& out) {
  CLI::App app;
  cli::Commands commands;
  cli::add_audit_commands(app, commands);
  args.insert(args.begin(), {"urne", "audit"});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    return invalid_argument("cli_parse", e.what());
  }
  REQUIRE(commands.action);
  return commands.action(out);
}

TEST_CASE("urne audit needs one board source and refuses --save-board with a board file") {
  std::ostringstream out;
  CHECK(run_audit_command({}, out).reason() == "board_source");
  CHECK(run_audit_command({"--board", "b.urne", "--save-board", "c.urne"}, out).reason() ==
        "board_source");
  CHECK(run_audit_command({"--election", "abc"}, out).reason() == "election_id_malformed");
  CHECK(run_audit_command({"--board", "/nonexistent/b.urne"}, out).reason() == "file_missing");
}

TEST_CASE("urne audit downloads the board from the server, keeps it and audits it") {
  TempDir dir("urne-cli-test");
  SeededRng rng(0xd0a1);
  const Ed25519SigningKey officer = Ed25519SigningKey::generate(rng);
  REQUIRE(server::write_signing_key_file(dir / "officer.key", officer).is_ok());
  auto server = client::ServerProcess::start(URNE_SERVER_BINARY, dir / "data",
                                             {"--officer-key", hex_encode(officer.public_key())},
                                             dir / "server.log");
  REQUIRE(server.ok());
  cli::DemoElectionOptions demo;
  demo.server = (*server)->url();
  demo.fingerprint = (*server)->fingerprint();
  demo.officer_key_file = dir / "officer.key";
  demo.institutions = 4;
  demo.candidates = 3;
  demo.board_out = dir / "demo-board.urne";
  std::ostringstream demo_out;
  REQUIRE(cli::demo_election(demo, demo_out).is_ok());
  const Board board = must(cli::read_board_file(dir / "demo-board.urne"));
  const std::string id = hex_encode(board.manifest().election_id());

  std::ostringstream out;
  const std::vector<std::string> srv = {"--server", (*server)->url(), "--fingerprint",
                                        (*server)->fingerprint()};
  std::vector<std::string> args = srv;
  args.insert(args.end(),
              {"--election", id, "--save-board", (dir / "saved.urne").string(), "--json"});
  REQUIRE(run_audit_command(args, out).is_ok());
  const codec::json j = codec::json::parse(out.str(), nullptr, false);
  REQUIRE_FALSE(j.is_discarded());  // --json: nothing but the report, not even "Saved"
  CHECK(j["verdict"] == "pass");
  CHECK(j["election_id"] == id);
  std::ifstream saved(dir / "saved.urne", std::ios::binary);
  const std::string saved_bytes((std::istreambuf_iterator<char>(saved)), {});
  const Bytes canonical = board.canonical_bytes();
  CHECK(saved_bytes == std::string(canonical.begin(), canonical.end()));

  // Never over an existing file; another election's id is not found.
  CHECK(run_audit_command(args, out).reason() == "file_exists");
  std::string other = id;
  other[0] = other[0] == '0' ? '1' : '0';
  std::vector<std::string> missing = srv;
  missing.insert(missing.end(), {"--election", other});
  const Status s = run_audit_command(missing, out);
  CHECK_FALSE(s.is_ok());
  CHECK(s.reason() != "audit_failed");
}

}  // namespace
}  // namespace urne::test
