// `urne report`: the Wahlniederschrift (minutes of the election) of a
// published bulletin board, as Markdown, as a printable self-contained HTML
// page (A4 print CSS, an inline SVG bar chart, no external resources) and as
// PDF (that page printed by headless Chromium, cli/pdf.hpp). German first,
// English subtitles.
//
// The minutes are made only from a board that passes the whole audit
// (ballot/audit.hpp, AuditScope::kFinal): a document with signature lines
// for the officer and the minute-taker must not carry numbers that the board
// does not prove. They name the board's fingerprint, the command that
// audits it and the service's signature over the result, and say that they
// are valid only if that audit passes and that signature verifies.
//
// Everything read from the board (titles, names, affiliations, the board
// file's name) is text from outside: it is HTML-escaped in the page and
// backslash-escaped in the Markdown, so that a candidate called
// "<script>…" prints as such and runs nowhere.
//
// Thread-safety: pure renderers; write_report is a single-threaded command.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>

#include "ballot/audit.hpp"
#include "ballot/board.hpp"
#include "cli/command.hpp"
#include "cli/html.hpp"
#include "crypto/status.hpp"

namespace urne::cli {

// Every character Markdown (CommonMark with GitHub's tables) could read as
// markup — \ ` * _ [ ] < > | & ~ # — backslash-escaped; line breaks become
// spaces (the text always stands inline, never at the start of a line).
std::string markdown_escape(std::string_view text);

struct Minutes {
  std::string markdown;
  std::string html;
};

// Renders the minutes of `board` from its audit (audit_board(board), which
// must pass: the minutes say so). `board_file` is the file name the audit
// command line names. Errors: kFailedPrecondition "audit_failed" (the audit
// failed or is of another board), "no_result" (a board without a result).
Result<Minutes> render_minutes(const Board& board, const AuditReport& audit,
                               std::string_view board_file);

struct ReportOptions {
  std::filesystem::path board;  // canonical board file or its JSON view
  std::filesystem::path out;    // directory (created if missing)
  bool pdf = true;              // false: --no-pdf
};

// Reads and audits the board, then writes out/wahlniederschrift.md, .html
// and (unless !pdf, or Chromium is missing: then it says so) .pdf, each
// with write_new_file (never over an existing file; all three names are
// checked before anything is written). Prints the files and the board's
// fingerprint to `out`. Errors: read_board_file()'s; kFailedPrecondition
// "audit_failed" naming the failed checks (nothing is written);
// "no_result"; already_exists "file_exists"; print_html_to_pdf()'s except
// "chromium_missing".
[[nodiscard]] Status write_report(const ReportOptions& options, std::ostream& out);

// `urne report`.
void add_report_commands(CLI::App& app, Commands& commands);

}  // namespace urne::cli
