#include "cli/report.hpp"

#include <memory>
#include <string>
#include <system_error>

#include "ballot/audit.hpp"
#include "cli/audit.hpp"
#include "cli/pdf.hpp"

namespace urne::cli {

namespace {

constexpr std::string_view kMinutesName = "wahlniederschrift";

std::string failed_checks(const AuditReport& audit) {
  std::string out;
  for (const std::string& n : audit.failures()) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

Status write_report(const ReportOptions& opt, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const Board board, read_board_file(opt.board));
  // Minutes carry signature lines: they are made only from a board that
  // proves every number in them.
  const AuditReport audit = audit_board(board);
  if (!audit.ok()) {
    return Status(Code::kFailedPrecondition, "audit_failed",
                  "the board does not audit (" + failed_checks(audit) +
                      "); no minutes are written for it (urne audit --board " + opt.board.string() +
                      " shows why)");
  }
  URNE_ASSIGN_OR_RETURN(const Minutes minutes,
                        render_minutes(board, audit, opt.board.filename().string()));

  const std::filesystem::path md = opt.out / (std::string(kMinutesName) + ".md");
  const std::filesystem::path html = opt.out / (std::string(kMinutesName) + ".html");
  const std::filesystem::path pdf = opt.out / (std::string(kMinutesName) + ".pdf");
  // All or nothing: refuse before the first write rather than leave a
  // mixture of old and new minutes.
  for (const auto& f : {md, html, pdf}) {
    std::error_code ec;
    if (std::filesystem::exists(f, ec)) {
      return Status(Code::kAlreadyExists, "file_exists",
                    f.string() + " exists; it is not overwritten (move it away first)");
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(opt.out, ec);
  if (ec) {
    return Status(Code::kInternal, "file_write_failed",
                  "cannot create " + opt.out.string() + ": " + ec.message());
  }
  URNE_RETURN_IF_ERROR(write_new_file(md, minutes.markdown, 0644));
  URNE_RETURN_IF_ERROR(write_new_file(html, minutes.html, 0644));
  out << "Wahlniederschrift of board " << board.short_fingerprint() << " (every check passes):\n  "
      << md.string() << "\n  " << html.string() << "\n";
  if (!opt.pdf) {
    out << "  PDF skipped (--no-pdf): print " << html.filename().string()
        << " from a browser, A4\n";
    return Status::ok();
  }
  const Status printed = print_html_to_pdf(html, pdf);
  if (printed.reason() == "chromium_missing") {
    out << "  PDF skipped: " << printed.message() << "; print " << html.filename().string()
        << " from a browser, A4\n";
    return Status::ok();
  }
  URNE_RETURN_IF_ERROR(printed);
  // The printer makes every PDF owner-only (the letters' hold codes); the
  // minutes are public.
  std::filesystem::permissions(
      pdf,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
          std::filesystem::perms::group_read | std::filesystem::perms::others_read,
      ec);
  if (ec) return internal_error("pdf_permissions", pdf.string() + ": " + ec.message());
  out << "  " << pdf.string() << "\n";
  return Status::ok();
}

void add_report_commands(CLI::App& app, Commands& commands) {
  auto opts = std::make_shared<ReportOptions>();
  auto no_pdf = std::make_shared<bool>(false);
  CLI::App* report = app.add_subcommand(
      "report", "Write the Wahlniederschrift (minutes) of an audited board: Markdown, HTML, PDF");
  report->add_option("--board", opts->board, "The board with a result: board-….urne or JSON view")
      ->required();
  report->add_option("--out", opts->out, "Directory for wahlniederschrift.md/.html/.pdf")
      ->required();
  report->add_flag("--no-pdf", *no_pdf, "Write Markdown and HTML only");
  report->callback([opts, no_pdf, &commands] {
    opts->pdf = !*no_pdf;
    commands.action = [opts](std::ostream& out) { return write_report(*opts, out); };
  });
}

}  // namespace urne::cli
