// Fuzz target: the bulletin board as `urne audit` reads it (cli/audit.hpp
// read_board_file: the canonical board.bin, or the JSON view whose readable
// parts must agree with its canonical bytes), and for a board that parses,
// the audit itself (ballot/audit.hpp through audit_loaded_board, as the
// command runs it, with the JSON report). The input goes through a real
// file so that the file-reading path is the deployed one.
//
// The audit verifies every ballot proof and signature: inputs above
// kMaxAuditedInput are only parsed, so that an exec stays in milliseconds
// (the small real boards of the corpus are below it).
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "ballot/board.hpp"
#include "cli/audit.hpp"
#include "crypto/random.hpp"
#include "fuzz/fuzz_util.hpp"

namespace {

using urne::fuzz::check;
using urne::fuzz::check_refusal;
using urne::fuzz::same_bytes;

constexpr std::size_t kMaxAuditedInput = std::size_t{64} * 1024;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool initialized = urne::init_crypto().is_ok();
  check(initialized, "init_crypto");
  static const urne::fuzz::ScratchDir scratch;
  const auto file = scratch.write("board", data, size);

  const urne::Result<urne::Board> board = urne::cli::read_board_file(file);
  if (!board.ok()) {
    check_refusal(board, "read_board_file refusal");
    return 0;
  }
  if (size == 0 || data[0] != '{') {
    // The canonical form: one byte form per board (its fingerprint is read
    // out in the hall).
    check(same_bytes(board->canonical_bytes(), urne::fuzz::view(data, size)), "Board round trip");
  }
  if (size > kMaxAuditedInput) return 0;
  urne::cli::AuditOptions options;
  options.board = file;
  options.json = true;
  std::ostringstream out;
  const urne::Status audited = urne::cli::audit_loaded_board(*board, options, out);
  if (!audited.is_ok()) check_refusal(audited, "audit refusal");
  check(!out.str().empty(), "the audit wrote no report");
  return 0;
}
