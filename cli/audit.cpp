#include "cli/audit.hpp"

#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include "cli/simulation.hpp"
#include "crypto/bytes.hpp"
#include "server/files.hpp"

namespace urne::cli {
namespace {

// A board of 10,000 ballots of 100 candidates is ~200 MB as canonical bytes.
constexpr std::size_t kMaxBoardFile = std::size_t{512} << 20;

std::string_view json_status(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPass:
      return "pass";
    case CheckStatus::kFail:
      return "fail";
    case CheckStatus::kNotApplicable:
      return "skipped";
  }
  return "fail";
}

// A progress line on a terminal: rewritten in place, at most ~200 times per
// check, so that a board of 10,000 ballots does not spend its time printing.
class ProgressLine {
 public:
  explicit ProgressLine(std::ostream* out) : out_(out) {}
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void show(std::string_view text) {
    if (out_ == nullptr) return;
    *out_ << "\r\033[K" << text << std::flush;
    shown_ = true;
  }
  void clear() {
    if (out_ == nullptr || !shown_) return;
    *out_ << "\r\033[K" << std::flush;
    shown_ = false;
  }
  AuditProgress hook() {
    if (out_ == nullptr) return {};
    return [this](std::string_view check, std::size_t done, std::size_t total) {
      const std::size_t step = total / 200 + 1;
      if (done != 0 && done != total && done % step != 0) return;
      const std::string what = check == "ballots.proofs" ? std::string("Prüfe Stimmzettel")
                                                         : "Prüfe " + std::string(check);
      show(what + " " + std::to_string(done) + "/" + std::to_string(total));
    };
  }

 private:
  std::ostream* out_;
  bool shown_ = false;
};

}  // namespace

Result<Receipt> read_receipt_file(const std::filesystem::path& file) {
  URNE_ASSIGN_OR_RETURN(std::string text, server::read_small_file(file, 4096));
  if (text.size() == Receipt::kSize)
    return Receipt::parse_canonical(Bytes(text.begin(), text.end()));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  URNE_ASSIGN_OR_RETURN(const Bytes bytes, base64url_decode(text));
  return Receipt::parse_canonical(bytes);
}

Result<Board> read_board_file(const std::filesystem::path& file) {
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

codec::json audit_json(const Board& board, const AuditReport& report) {
  codec::json checks = codec::json::array();
  for (const AuditCheck& c : report.checks()) {
    checks.push_back({{"name", c.name}, {"status", json_status(c.status)}, {"detail", c.message}});
  }
  const auto phase = board.phase();
  return codec::json{
      {"verdict", report.ok() ? "pass" : "fail"},
      {"board_fingerprint", hex_encode(board.fingerprint())},
      {"board_short", board.short_fingerprint()},
      {"election_id", hex_encode(board.manifest().election_id())},
      {"title", board.manifest().title()},
      {"phase", phase ? codec::json(state_name(*phase)) : codec::json(nullptr)},
      {"ballots", board.contents().ballots.size()},
      {"tokens_issued", board.contents().issuance.size()},
      {"checks", std::move(checks)},
  };
}

Status audit_loaded_board(const Board& board, const AuditOptions& opt, std::ostream& out) {
  std::optional<Receipt> receipt;
  if (opt.receipt) {
    URNE_ASSIGN_OR_RETURN(Receipt r, read_receipt_file(*opt.receipt));
    receipt = r;
  }
  const auto phase = board.phase();
  if (!opt.json) {
    out << "Board " << board.short_fingerprint() << " (" << hex_encode(board.fingerprint())
        << ")\n  election: " << board.manifest().title()
        << "\n  phase: " << (phase ? state_name(*phase) : std::string_view("none")) << ", "
        << board.contents().ballots.size() << " ballots, " << board.contents().issuance.size()
        << " tokens issued\n";
    if (receipt) out << "  receipt: " << receipt->short_hash() << "\n";
  }
  AuditReport report = [&] {
    ProgressLine line(opt.progress);
    line.show("Prüfe Signaturen, Ausgabeprotokoll und Stimmzettel …");
    return audit_board(board, receipt, opt.closed_only ? AuditScope::kClosed : AuditScope::kFinal,
                       line.hook());
  }();
  if (opt.json) {
    codec::json j = audit_json(board, report);
    if (receipt) j["receipt"] = hex_encode(receipt->ballot_hash);
    out << j.dump(2) << "\n";
    if (report.ok()) return Status::ok();
    std::string failed;
    for (const std::string& n : report.failures()) failed += (failed.empty() ? "" : ", ") + n;
    return Status(Code::kFailedPrecondition, "audit_failed", failed);
  }
  Status s = sim::print_audit(report, out, "audit_failed");
  if (!s) return Status(Code::kFailedPrecondition, "audit_failed", s.message());
  out << ".\n";
  return Status::ok();
}

Status audit_board_file(const AuditOptions& opt, std::ostream& out) {
  Result<Board> board = [&] {
    ProgressLine line(opt.progress);
    line.show("Lese " + opt.board.string() + " …");
    return read_board_file(opt.board);
  }();
  if (!board.ok()) return board.status();
  return audit_loaded_board(*board, opt, out);
}

namespace {

struct AuditCommand {
  AuditOptions audit;
  std::string board;
  std::string receipt;
  ServerOptions server;
  std::string election;
  std::string save_board;
};

// --election: download board.bin, keep it if asked (before the verdict: a
// board that fails is the evidence), check it is the election asked for,
// and audit it.
Status audit_download(const AuditCommand& cmd, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const ElectionId id, parse_election_id(cmd.election));
  URNE_ASSIGN_OR_RETURN(client::ElectionClient api, connect(cmd.server));
  Result<Board> board = [&] {
    ProgressLine line(cmd.audit.progress);
    line.show("Lade board.bin …");
    return api.board(id);
  }();
  if (!board.ok()) return board.status();
  if (!cmd.save_board.empty()) {
    const Bytes bytes = board->canonical_bytes();
    URNE_RETURN_IF_ERROR(write_new_file(
        cmd.save_board, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
        0644));
    if (!cmd.audit.json) out << "Saved the board to " << cmd.save_board << "\n";
  }
  if (board->manifest().election_id() != id) {
    return Status(Code::kFailedPrecondition, "board_election_mismatch",
                  "the server answered with the board of election " +
                      hex_encode(board->manifest().election_id()));
  }
  return audit_loaded_board(*board, cmd.audit, out);
}

}  // namespace

void add_audit_commands(CLI::App& app, Commands& commands) {
  auto cmd = std::make_shared<AuditCommand>();
  CLI::App* audit = app.add_subcommand(
      "audit", "Check a published bulletin board: every signature, token, proof and the result");
  CLI::Option* board_opt =
      audit->add_option("--board", cmd->board, "The board: board-….urne or the JSON view");
  add_server_options(audit, cmd->server);
  add_election_option(audit, cmd->election);
  audit->add_option("--save-board", cmd->save_board,
                    "Keep the downloaded board (canonical bytes) in this file");
  CLI::Option* receipt_opt =
      audit->add_option("--receipt", cmd->receipt, "A delegate's receipt to find on the board");
  audit->add_flag("--closed", cmd->audit.closed_only,
                  "The board of a closed ballot, before the tally");
  audit->add_flag("--json", cmd->audit.json, "Print only a JSON report on stdout");
  audit->callback([cmd, board_opt, receipt_opt, &commands] {
    if (receipt_opt->count() > 0) cmd->audit.receipt = cmd->receipt;
    // Progress only for a person watching: not into a log file or a pipe.
    if (isatty(STDERR_FILENO) == 1) cmd->audit.progress = &std::cerr;
    const bool from_file = board_opt->count() > 0;
    commands.action = [cmd, from_file](std::ostream& out) -> Status {
      // --board wins over an --election that may come from URNE_ELECTION.
      if (!from_file && cmd->election.empty()) {
        return invalid_argument("board_source",
                                "give --board FILE, or --election ID (with --server) to "
                                "download the board");
      }
      if (from_file) {
        if (!cmd->save_board.empty()) {
          return invalid_argument("board_source",
                                  "--save-board keeps a downloaded board; "
                                  "with --board the file is already there");
        }
        cmd->audit.board = cmd->board;
        return audit_board_file(cmd->audit, out);
      }
      return audit_download(*cmd, out);
    };
  });
}

}  // namespace urne::cli
