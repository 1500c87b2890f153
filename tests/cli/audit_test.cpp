// `urne audit` on board files as the server publishes them.
#include "cli/audit.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "ballot/board_fixture.hpp"
#include "codec/json_views.hpp"
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

}  // namespace
}  // namespace urne::test
