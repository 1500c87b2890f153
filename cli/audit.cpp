#include "cli/audit.hpp"

#include <memory>
#include <string>

#include "ballot/audit.hpp"
#include "ballot/board.hpp"
#include "cli/simulation.hpp"
#include "codec/json_views.hpp"
#include "crypto/bytes.hpp"
#include "server/files.hpp"

namespace urne::cli {
namespace {

// A board of 10,000 ballots of 100 candidates is ~200 MB as canonical bytes.
constexpr std::size_t kMaxBoardFile = std::size_t{512} << 20;

Result<Board> read_board(const std::filesystem::path& file) {
  const Result<std::string> read = server::read_small_file(file, kMaxBoardFile);
  if (!read.ok()) return read.status();
  const std::string& text = *read;
  if (text.starts_with('{')) {
    // The JSON view: its readable parts must say what its canonical bytes say.
    const codec::json view = codec::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (view.is_discarded()) return invalid_argument("bad_json", file.string() + " is not JSON");
    URNE_RETURN_IF_ERROR(codec::check_board_view(view));
    return codec::board_from_view(view);
  }
  const Bytes bytes(text.begin(), text.end());
  return Board::parse_canonical(bytes);
}

Result<Receipt> read_receipt(const std::filesystem::path& file) {
  URNE_ASSIGN_OR_RETURN(std::string text, server::read_small_file(file, 4096));
  if (text.size() == Receipt::kSize)
    return Receipt::parse_canonical(Bytes(text.begin(), text.end()));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  URNE_ASSIGN_OR_RETURN(const Bytes bytes, base64url_decode(text));
  return Receipt::parse_canonical(bytes);
}

}  // namespace

Status audit_board_file(const AuditOptions& opt, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const Board board, read_board(opt.board));
  std::optional<Receipt> receipt;
  if (opt.receipt) {
    URNE_ASSIGN_OR_RETURN(Receipt r, read_receipt(*opt.receipt));
    receipt = r;
  }
  const auto phase = board.phase();
  out << "Board " << board.short_fingerprint() << " (" << hex_encode(board.fingerprint())
      << ")\n  election: " << board.manifest().title()
      << "\n  phase: " << (phase ? state_name(*phase) : std::string_view("none")) << ", "
      << board.contents().ballots.size() << " ballots, " << board.contents().issuance.size()
      << " tokens issued\n";
  if (receipt) out << "  receipt: " << receipt->short_hash() << "\n";
  const AuditReport report =
      audit_board(board, receipt, opt.closed_only ? AuditScope::kClosed : AuditScope::kFinal);
  Status s = sim::print_audit(report, out, "audit_failed");
  if (!s) return Status(Code::kFailedPrecondition, "audit_failed", s.message());
  out << ".\n";
  return Status::ok();
}

void add_audit_commands(CLI::App& app, Commands& commands) {
  auto opts = std::make_shared<AuditOptions>();
  auto receipt = std::make_shared<std::string>();
  CLI::App* audit = app.add_subcommand(
      "audit", "Check a published bulletin board: every signature, token, proof and the result");
  audit->add_option("--board", opts->board, "The board: board-….urne or the JSON view")
      ->required();
  CLI::Option* receipt_opt =
      audit->add_option("--receipt", *receipt, "A delegate's receipt to find on the board");
  audit->add_flag("--closed", opts->closed_only, "The board of a closed ballot, before the tally");
  audit->callback([opts, receipt, receipt_opt, &commands] {
    if (receipt_opt->count() > 0) opts->receipt = *receipt;
    commands.action = [opts](std::ostream& out) { return audit_board_file(*opts, out); };
  });
}

}  // namespace urne::cli
