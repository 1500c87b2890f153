// `urne report`: the Wahlniederschrift (minutes of the election) of a
// published bulletin board written to files: Markdown, a printable
// self-contained HTML page and PDF (that page printed by headless Chromium,
// cli/pdf.hpp). The document itself comes from ballot/minutes.hpp, the same
// renderer the server's minutes routes use; it is made only from a board
// that passes the whole audit.
//
// Thread-safety: write_report is a single-threaded command.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>

#include "ballot/audit.hpp"
#include "ballot/board.hpp"
#include "ballot/minutes.hpp"
#include "cli/command.hpp"
#include "cli/html.hpp"  // cli::html_escape, as before
#include "crypto/status.hpp"

namespace urne::cli {

// The renderer moved to ballot/minutes.hpp (shared with the server); these
// names stay for the command and its tests.
using urne::markdown_escape;
using urne::Minutes;
using urne::render_minutes;

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
