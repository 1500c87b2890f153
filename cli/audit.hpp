// `urne audit`: the auditor's check of a published bulletin board, on this
// machine, trusting nothing the server says. It reads the board as the
// server publishes it — the canonical file (GET …/board.bin, `board-….urne`)
// or the JSON view (GET …/board, whose readable parts must agree with its
// `canonical` field: codec::check_board_view) — or downloads board.bin
// itself (--server … --election ID, optionally keeping the bytes with
// --save-board), runs every named check of ballot/audit.hpp (the same code
// the service runs), optionally with a delegate's receipt, prints each check
// and the verdict (or, with --json, one machine-readable JSON document and
// nothing else on stdout), and fails unless every check passes.
//
// Thread-safety: single-threaded command.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "ballot/audit.hpp"
#include "ballot/board.hpp"
#include "cli/command.hpp"
#include "codec/json_views.hpp"
#include "crypto/status.hpp"

namespace urne::cli {

struct AuditOptions {
  std::filesystem::path board;                   // .urne (canonical) or .json (view)
  std::optional<std::filesystem::path> receipt;  // 145 canonical bytes or their base64url
  bool closed_only = false;                      // a board of the closed phase (before the tally)
  bool json = false;                             // print only the JSON report (audit_json)
  // Where to show progress ("Prüfe Stimmzettel 1200/10000", overwritten in
  // place with \r); nullptr: none. The command sets it to stderr when stderr
  // is a terminal.
  std::ostream* progress = nullptr;
};

// Reads a board file: canonical bytes, or a JSON view (which must pass
// codec::check_board_view). Errors: the file's ("file_missing",
// "file_too_large"), "bad_json", "board_view_mismatch", the board's parse
// reasons (e.g. "truncated", "wrong_label").
Result<Board> read_board_file(const std::filesystem::path& file);

// Reads a delegate's receipt: the 145 canonical bytes, or their base64url
// (one line). Errors: the file's, "bad_encoding", Receipt parse reasons.
Result<Receipt> read_receipt_file(const std::filesystem::path& file);

// The machine report of an audit:
//   {"verdict": "pass"|"fail", "board_fingerprint": hex, "board_short": …,
//    "election_id": hex, "title": …, "phase": state name or null,
//    "ballots": n, "tokens_issued": n,
//    "checks": [{"name", "status": "pass"|"fail"|"skipped", "detail"}]}
// in kAuditChecks order ("skipped": the check does not apply).
codec::json audit_json(const Board& board, const AuditReport& report);

// Audits `board` (already read) as `options` say (receipt, scope, output
// form, progress) and writes the report to `out`. Errors: Receipt parse
// reasons; kFailedPrecondition "audit_failed" naming the failed checks.
[[nodiscard]] Status audit_loaded_board(const Board& board, const AuditOptions& options,
                                        std::ostream& out);

// read_board_file() and audit_loaded_board(). Errors: both's.
[[nodiscard]] Status audit_board_file(const AuditOptions& options, std::ostream& out);

// `urne audit`.
void add_audit_commands(CLI::App& app, Commands& commands);

}  // namespace urne::cli
