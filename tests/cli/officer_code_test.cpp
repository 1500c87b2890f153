// `urne officer keygen --code-out` and `urne page-hash`, in process: the
// officer code file re-derives the key file's key, nothing is overwritten,
// and the page hash printed is the loader's and the definition's.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cli/officer.hpp"
#include "cli/page_hash.hpp"
#include "crypto/credential.hpp"
#include "crypto/hash.hpp"
#include "server/keys.hpp"
#include "test_util.hpp"

namespace {

namespace fs = std::filesystem;
using namespace urne;
using test::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777U;
}

TEST_CASE("officer keygen with a code file writes a code that re-derives the key file's key") {
  TempDir dir;
  const fs::path key = dir.path() / "officer.key";
  const fs::path code = dir.path() / "officer.code";
  const Result<std::string> pk = cli::officer_keygen(key, code);
  REQUIRE(pk.ok());
  const std::string text = slurp(code);
  REQUIRE(text.size() == kVotingCodeFormattedSize + 1);
  CHECK(text.back() == '\n');
  CHECK(text[4] == '-');
  CHECK(mode_of(code) == 0600);
  CHECK(mode_of(key) == 0600);
  const Result<VotingCode> parsed = VotingCode::parse(text.substr(0, text.size() - 1));
  REQUIRE(parsed.ok());
  const Result<Ed25519SigningKey> derived = derive_officer_key(*parsed);
  REQUIRE(derived.ok());
  CHECK(hex_encode(derived->public_key()) == *pk);
  const Result<Ed25519SigningKey> stored = server::read_signing_key_file(key);
  REQUIRE(stored.ok());
  CHECK(stored->public_key() == derived->public_key());
  CHECK(ct_equal(stored->export_seed().view(), derived->export_seed().view()));

  // Two runs draw two different codes.
  const Result<std::string> pk2 =
      cli::officer_keygen(dir.path() / "second.key", dir.path() / "second.code");
  REQUIRE(pk2.ok());
  CHECK(*pk2 != *pk);
  CHECK(slurp(dir.path() / "second.code") != text);
}

TEST_CASE("officer keygen never overwrites a key or a code file and writes nothing then") {
  TempDir dir;
  const fs::path key = dir.path() / "officer.key";
  const fs::path code = dir.path() / "officer.code";
  write_file(code, "old code\n");
  CHECK(cli::officer_keygen(key, code).status().reason() == "file_exists");
  CHECK_FALSE(fs::exists(key));
  CHECK(slurp(code) == "old code\n");
  fs::remove(code);
  write_file(key, "old key\n");
  CHECK(cli::officer_keygen(key, code).status().reason() == "file_exists");
  CHECK_FALSE(fs::exists(code));
  CHECK(slurp(key) == "old key\n");
  // Without a code file: a random key as before.
  const Result<std::string> pk = cli::officer_keygen(dir.path() / "plain.key");
  REQUIRE(pk.ok());
  CHECK(pk->size() == 64);
}

TEST_CASE("page-hash prints the loader's hash of a built web directory") {
  TempDir dir;
  // The known answer of tests/server/web_assets_test.cpp (computed with Python there).
  write_file(dir.path() / "index.html", "<!doctype html><title>urne</title>\n");
  write_file(dir.path() / "vote" / "index.html", "<!doctype html><title>vote</title>\n");
  write_file(dir.path() / "assets" / "vote.js", "console.log(1);\n");
  write_file(dir.path() / "assets" / "style.css", "body{margin:0}\n");
  write_file(dir.path() / "i18n" / "de" / "common.json", "{\"title\":\"Wahl\"}\n");
  write_file(dir.path() / ".hidden", "not part of the page");
  std::ostringstream out;
  REQUIRE(cli::print_page_hash(dir.path(), false, out).is_ok());
  CHECK(out.str() == "b858b18ca07a3d700279ee4c7d57551ee143a0dc4ed3aa6fca8fb5739fe54f09\n");
  std::ostringstream verbose;
  REQUIRE(cli::print_page_hash(dir.path(), true, verbose).is_ok());
  const std::string v = verbose.str();
  CHECK(v.find(hex_encode(sha256(as_bytes("console.log(1);\n"))) + "  assets/vote.js\n") !=
        std::string::npos);
  CHECK(v.find("5 files, 118 bytes\n") != std::string::npos);
  CHECK(v.size() > out.str().size());
  CHECK(v.substr(v.size() - out.str().size()) == out.str());
  std::ostringstream none;
  CHECK(cli::print_page_hash(dir.path() / "missing", false, none).reason() == "web_dir_missing");
  CHECK(none.str().empty());
}

}  // namespace
