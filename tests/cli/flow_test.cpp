// The whole CLI flow against the real urne-server binary on 127.0.0.1, each
// step a separate run of the real `urne` binary, as the people of an
// election run them: the credential authority's letters, the trustees' key
// ceremony through an exchange directory with passphrase-protected files,
// the officer's setup and transitions, delegates checking in from their
// letters' links and voting (one Benaloh challenge, one retry), the
// trustees' decryption, the audit of the published board with a receipt,
// and the Wahlniederschrift. Then the bad inputs a person will make.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/server_process.hpp"
#include "crypto/credential.hpp"
#include "test_util.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using urne::test::TempDir;

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs the urne binary with `args` (no shell), stdout and stderr to files.
Run run_urne(const TempDir& dir, std::vector<std::string> args) {
  static int counter = 0;
  const fs::path out = dir / ("run-" + std::to_string(++counter) + ".out");
  const fs::path err = dir / ("run-" + std::to_string(counter) + ".err");
  args.insert(args.begin(), URNE_CLI_BINARY);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  Run r;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  posix_spawn_file_actions_destroy(&actions);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

#define REQUIRE_RUN(run)                                  \
  do {                                                    \
    const Run& r_ = (run);                                \
    INFO("stdout: " << r_.out << "\nstderr: " << r_.err); \
    REQUIRE(r_.exit_code == 0);                           \
  } while (false)

std::vector<std::string> links_of(const std::string& html) {
  std::vector<std::string> links;
  const std::regex re("class=\"voting-link\"[^>]*href=\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator();
       ++it) {
    std::string link = (*it)[1];
    // The HTML escapes '&' in attributes.
    for (std::size_t p = link.find("&amp;"); p != std::string::npos; p = link.find("&amp;", p)) {
      link.replace(p, 5, "&");
    }
    links.push_back(link);
  }
  return links;
}

}  // namespace

TEST_CASE("a whole election runs through the urne commands against the real server") {
  TempDir dir;
  const fs::path key = dir / "officer.key";
  const fs::path code_file = dir / "officer.code";
  const Run keygen =
      run_urne(dir, {"officer", "keygen", "--out", key.string(), "--code-out", code_file.string()});
  REQUIRE_RUN(keygen);
  const std::string officer_pk = keygen.out.substr(0, 64);
  {
    // The officer code re-derives the key that was printed (the dashboard's sign-in).
    std::string code_text = slurp(code_file);
    REQUIRE(code_text.size() == urne::kVotingCodeFormattedSize + 1);
    CHECK(code_text.back() == '\n');
    code_text.pop_back();
    const auto code = urne::VotingCode::parse(code_text);
    REQUIRE(code.ok());
    const auto derived = urne::derive_officer_key(*code);
    REQUIRE(derived.ok());
    CHECK(urne::hex_encode(derived->public_key()) == officer_pk);
  }

  // A small web client: the server serves it and reports its hash, which
  // `urne page-hash` computes alike and `election create` puts into the manifest.
  fs::create_directories(dir / "web" / "vote");
  write(dir / "web" / "index.html", "<!doctype html><title>urne</title>\n");
  write(dir / "web" / "vote" / "index.html", "<!doctype html><title>vote</title>\n");
  const Run page_hash = run_urne(dir, {"page-hash", "--web-dir", (dir / "web").string()});
  REQUIRE_RUN(page_hash);
  REQUIRE(page_hash.out.size() == 65);
  const std::string page_hash_hex = page_hash.out.substr(0, 64);

  fs::create_directories(dir / "data");
  auto server = urne::client::ServerProcess::start(
      URNE_SERVER_BINARY, dir / "data",
      {"--officer-key", officer_pk, "--web-dir", (dir / "web").string()}, dir / "server.log");
  REQUIRE(server.ok());
  const std::vector<std::string> srv = {"--server", (*server)->url(), "--fingerprint",
                                        (*server)->fingerprint()};
  auto with_server = [&](std::vector<std::string> args) {
    args.insert(args.end(), srv.begin(), srv.end());
    return args;
  };

  // ---- credential authority ----
  write(dir / "roster.csv",
        "id,name,contact\n"
        "caritas,Caritas Schwerin,Frau A.\n"
        "diakonie,\"Diakonie, Westmecklenburg\",\n"
        "fluechtlingsrat,Flüchtlingsrat MV,\n"
        "migra,Migra e.V.,\n"
        "awo,AWO Schwerin,\n"
        "vhs,Volkshochschule,\n");
  REQUIRE_RUN(
      run_urne(dir, {"letters", "--roster-csv", (dir / "roster.csv").string(), "--title",
                     "Herbstversammlung 2026 (Test)", "--vote-url", (*server)->url() + "/vote",
                     "--out", (dir / "letters").string(), "--no-pdf"}));
  const std::vector<std::string> links = links_of(slurp(dir / "letters" / "letters.html"));
  REQUIRE(links.size() == 6);

  // ---- trustees: 2 of 3 ----
  const fs::path ceremony = dir / "ceremony";
  REQUIRE_RUN(run_urne(dir, {"trustee", "ceremony", "new", "--dir", ceremony.string(), "--trustees",
                             "3", "--threshold", "2"}));
  for (int j = 1; j <= 3; ++j)
    write(dir / ("pass-" + std::to_string(j)),
          "Passwort Nr. " + std::to_string(j) + " lang genug\n");
  auto trustee_args = [&](int j, const std::string& round) {
    std::vector<std::string> a = {"trustee",
                                  "ceremony",
                                  round,
                                  "--dir",
                                  ceremony.string(),
                                  "--state",
                                  (dir / ("state-" + std::to_string(j))).string(),
                                  "--passphrase-file",
                                  (dir / ("pass-" + std::to_string(j))).string()};
    return a;
  };
  for (int j = 1; j <= 3; ++j) {
    auto a = trustee_args(j, "begin");
    a.insert(a.end(), {"--index", std::to_string(j), "--kdf", "interactive"});
    REQUIRE_RUN(run_urne(dir, a));
  }
  for (const char* round : {"deal", "check"}) {
    for (int j = 1; j <= 3; ++j) REQUIRE_RUN(run_urne(dir, trustee_args(j, round)));
  }
  for (int j = 1; j <= 3; ++j) {
    auto a = trustee_args(j, "finish");
    a.insert(a.end(), {"--share", (dir / ("share-" + std::to_string(j))).string()});
    REQUIRE_RUN(run_urne(dir, a));
  }

  // ---- officer ----
  write(dir / "election.json", R"json({
    "title": "Wahl des Sprecherrats (Test)", "kind": "Wahl",
    "seats": 2, "substitutes": 1, "max_marks": 2, "invalid_offered": true,
    "candidates": [{"name": "Anna Beispiel", "affiliation": "Caritas"},
                   {"name": "Bernd Muster", "affiliation": "AWO"},
                   {"name": "Cem Örnek"}, {"name": "Dana Probe"}]})json");
  const Run created =
      run_urne(dir, with_server({"officer", "election", "create", "--key", key.string(), "--config",
                                 (dir / "election.json").string(), "--roster",
                                 (dir / "letters" / "roster.json").string(), "--ceremony",
                                 ceremony.string(), "--out", (dir / "election").string()}));
  REQUIRE_RUN(created);
  CHECK(nlohmann::json::parse(slurp(dir / "election" / "manifest.json")).at("page_hash") ==
        page_hash_hex);
  std::smatch m;
  REQUIRE(std::regex_search(created.out, m, std::regex("election id: +([0-9a-f]{64})")));
  const std::string id = m[1];
  auto officer = [&](const std::string& step, std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {"officer", step, "--key", key.string(), "--election", id};
    a.insert(a.end(), extra.begin(), extra.end());
    return run_urne(dir, with_server(a));
  };
  REQUIRE_RUN(officer("publish"));
  // Opening before check-in is done is fine; skipping a step is not.
  const Run skip = officer("close", {"--lot-seed", (dir / "election" / "lot-seed").string()});
  CHECK(skip.exit_code != 0);
  CHECK(skip.err.find("wrong_state") != std::string::npos);

  // ---- delegates ----
  for (std::size_t i = 0; i < links.size(); ++i) {
    REQUIRE_RUN(run_urne(
        dir, with_server({"vote", "checkin", "--election", id, "--link", links[i], "--token-out",
                          (dir / ("token-" + std::to_string(i))).string()})));
  }
  REQUIRE_RUN(officer("open"));
  // A Benaloh challenge, checked "on another device".
  REQUIRE_RUN(run_urne(dir, with_server({"vote", "challenge", "--election", id, "--token",
                                         (dir / "token-0").string(), "--mark", "2", "--mark", "4",
                                         "--out", (dir / "spoiled.json").string()})));
  const Run spoiled = run_urne(dir, with_server({"vote", "check-spoiled", "--election", id,
                                                 "--spoiled", (dir / "spoiled.json").string()}));
  REQUIRE_RUN(spoiled);
  CHECK(spoiled.out.find("2. Bernd Muster; 4. Dana Probe") != std::string::npos);

  const std::vector<std::vector<std::string>> choices = {{"--mark", "1", "--mark", "2"},
                                                         {"--mark", "1"},
                                                         {"--mark", "1", "--mark", "3"},
                                                         {"--abstain"},
                                                         {"--invalid"}};
  for (std::size_t i = 0; i < choices.size(); ++i) {
    std::vector<std::string> a = {
        "vote",          "cast",
        "--election",    id,
        "--token",       (dir / ("token-" + std::to_string(i))).string(),
        "--receipt-out", (dir / ("receipt-" + std::to_string(i))).string()};
    a.insert(a.end(), choices[i].begin(), choices[i].end());
    REQUIRE_RUN(run_urne(dir, with_server(a)));
  }
  // A lost answer: the delegate runs cast again; the same ballot is sent
  // and the same receipt comes back.
  const std::string receipt0 = slurp(dir / "receipt-0");
  fs::remove(dir / "receipt-0");
  const Run retry = run_urne(
      dir,
      with_server({"vote", "cast", "--election", id, "--token", (dir / "token-0").string(),
                   "--receipt-out", (dir / "receipt-0").string(), "--mark", "1", "--mark", "2"}));
  REQUIRE_RUN(retry);
  CHECK(slurp(dir / "receipt-0") == receipt0);
  // Too many marks: refused before anything is sent.
  const Run too_many = run_urne(
      dir, with_server({"vote", "cast", "--election", id, "--token", (dir / "token-5").string(),
                        "--receipt-out", (dir / "receipt-5").string(), "--mark", "1", "--mark", "2",
                        "--mark", "3"}));
  CHECK(too_many.exit_code != 0);
  CHECK_FALSE(fs::exists(dir / "receipt-5"));

  const Run turnout =
      run_urne(dir, with_server({"officer", "turnout", "--election", id, "--json"}));
  REQUIRE_RUN(turnout);
  CHECK(turnout.out.find("\"ballots_cast\":5") != std::string::npos);
  CHECK(turnout.out.find("\"tokens_issued\":6") != std::string::npos);

  REQUIRE_RUN(officer("close", {"--lot-seed", (dir / "election" / "lot-seed").string()}));

  // ---- trustees decrypt (1 and 3); a wrong passphrase is refused first ----
  write(dir / "wrong-pass", "nicht das Passwort\n");
  const Run wrong = run_urne(dir, with_server({"trustee", "decrypt", "--election", id, "--share",
                                               (dir / "share-1").string(), "--passphrase-file",
                                               (dir / "wrong-pass").string()}));
  CHECK(wrong.exit_code != 0);
  CHECK(wrong.err.find("wrong_passphrase") != std::string::npos);
  for (int j : {1, 3}) {
    REQUIRE_RUN(run_urne(
        dir, with_server({"trustee", "decrypt", "--election", id, "--share",
                          (dir / ("share-" + std::to_string(j))).string(), "--passphrase-file",
                          (dir / ("pass-" + std::to_string(j))).string()})));
  }
  REQUIRE_RUN(officer("count"));
  REQUIRE_RUN(officer("publish-result"));

  // ---- audit and minutes ----
  const Run audit = run_urne(
      dir, with_server({"audit", "--election", id, "--save-board", (dir / "board.urne").string(),
                        "--receipt", (dir / "receipt-2").string()}));
  REQUIRE_RUN(audit);
  CHECK(audit.out.find("fail") == std::string::npos);
  const Run offline = run_urne(dir, {"audit", "--board", (dir / "board.urne").string(), "--json"});
  REQUIRE_RUN(offline);
  const auto report = nlohmann::json::parse(offline.out, nullptr, false);
  REQUIRE(report.is_object());
  CHECK(report.value("verdict", "") == "pass");
  REQUIRE_RUN(run_urne(dir, {"vote", "check-receipt", "--receipt", (dir / "receipt-3").string(),
                             "--board", (dir / "board.urne").string()}));
  REQUIRE_RUN(run_urne(dir, with_server({"vote", "check-receipt", "--election", id, "--receipt",
                                         (dir / "receipt-4").string()})));
  REQUIRE_RUN(run_urne(dir, {"report", "--board", (dir / "board.urne").string(), "--out",
                             (dir / "report").string(), "--no-pdf"}));
  const std::string minutes = slurp(dir / "report" / "wahlniederschrift.md");
  // Anna 3 marks, Bernd 1, Cem 1: Anna elected, then the tie of Bernd and
  // Cem for the second seat is drawn by lot.
  CHECK(minutes.find("Anna Beispiel") != std::string::npos);
  CHECK(minutes.find("Los") != std::string::npos);

  // ---- what a person gets wrong ----
  {  // a server presenting another certificate is refused
    const Run r = run_urne(dir, {"officer", "turnout", "--election", id, "--server",
                                 (*server)->url(), "--fingerprint", std::string(95, 'A')});
    CHECK(r.exit_code != 0);
  }
  {  // a server that is down is a clear error
    const Run r = run_urne(dir, {"officer", "turnout", "--election", id, "--server",
                                 "https://127.0.0.1:1", "--fingerprint", (*server)->fingerprint()});
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("connect") != std::string::npos);
  }
  {  // missing and corrupt files are named, nothing is written
    const Run missing = run_urne(dir, {"audit", "--board", (dir / "nope.urne").string()});
    CHECK(missing.exit_code != 0);
    CHECK(missing.err.find("file_missing") != std::string::npos);
    std::string corrupt = slurp(dir / "board.urne");
    corrupt.resize(corrupt.size() / 2);
    write(dir / "half.urne", corrupt);
    CHECK(run_urne(dir, {"audit", "--board", (dir / "half.urne").string()}).exit_code != 0);
    const Run bad_report = run_urne(dir, {"report", "--board", (dir / "half.urne").string(),
                                          "--out", (dir / "report2").string(), "--no-pdf"});
    CHECK(bad_report.exit_code != 0);
    CHECK_FALSE(fs::exists(dir / "report2" / "wahlniederschrift.md"));
  }
  {  // a share of another ceremony is refused by name
    const fs::path other = dir / "other-ceremony";
    REQUIRE_RUN(run_urne(dir, {"trustee", "ceremony", "new", "--dir", other.string(), "--trustees",
                               "2", "--threshold", "2"}));
    for (int j = 1; j <= 2; ++j) {
      std::vector<std::string> base = {"--dir",
                                       other.string(),
                                       "--state",
                                       (dir / ("ostate-" + std::to_string(j))).string(),
                                       "--passphrase-file",
                                       (dir / "pass-1").string()};
      std::vector<std::string> a = {"trustee",         "ceremony", "begin",      "--index",
                                    std::to_string(j), "--kdf",    "interactive"};
      a.insert(a.end(), base.begin(), base.end());
      REQUIRE_RUN(run_urne(dir, a));
    }
    for (const char* round : {"deal", "check", "finish"}) {
      for (int j = 1; j <= 2; ++j) {
        std::vector<std::string> a = {"trustee",
                                      "ceremony",
                                      round,
                                      "--dir",
                                      other.string(),
                                      "--state",
                                      (dir / ("ostate-" + std::to_string(j))).string(),
                                      "--passphrase-file",
                                      (dir / "pass-1").string()};
        if (std::string(round) == "finish") {
          a.insert(a.end(), {"--share", (dir / ("oshare-" + std::to_string(j))).string()});
        }
        REQUIRE_RUN(run_urne(dir, a));
      }
    }
    const Run r = run_urne(dir, with_server({"trustee", "decrypt", "--election", id, "--share",
                                             (dir / "oshare-1").string(), "--passphrase-file",
                                             (dir / "pass-1").string()}));
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("share_of_another_ceremony") != std::string::npos);
  }
}
