// `urne audit`: the auditor's check of a published bulletin board, on this
// machine, trusting nothing the server says. It reads the board as the
// server publishes it — the canonical file (GET …/board.bin, `board-….urne`)
// or the JSON view (GET …/board, whose readable parts must agree with its
// `canonical` field: codec::check_board_view) — runs every named check of
// ballot/audit.hpp (the same code the service runs), optionally with a
// delegate's receipt, prints each check and the verdict, and fails unless
// every check passes.
//
// Thread-safety: single-threaded command.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>

#include "cli/command.hpp"
#include "crypto/status.hpp"

namespace urne::cli {

struct AuditOptions {
  std::filesystem::path board;                   // .urne (canonical) or .json (view)
  std::optional<std::filesystem::path> receipt;  // 145 canonical bytes or their base64url
  bool closed_only = false;                      // a board of the closed phase (before the tally)
};

// Errors: the file's ("file_missing", "file_too_large"), the board's
// parse reasons, "board_view_mismatch", Receipt parse reasons; kFailedPrecondition
// "audit_failed" naming the failed checks.
[[nodiscard]] Status audit_board_file(const AuditOptions& options, std::ostream& out);

// `urne audit`.
void add_audit_commands(CLI::App& app, Commands& commands);

}  // namespace urne::cli
