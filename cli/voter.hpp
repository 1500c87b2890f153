// `urne vote …`: the delegate's reference client — an independent check of
// the web page and its accessible fallback. Every step checks what the
// server says before using it:
//
//   checkin        from the letter's voting link (code, credential context,
//                  roster fingerprint): the roster the server serves must
//                  have that fingerprint and be the manifest's; the code's
//                  derived key must be the roster's entry; the manifest's
//                  token key must be the one in the issuer directory. The
//                  blinded request and its blinding state are kept in
//                  TOKEN.pending (0600) before they are sent, so a lost
//                  answer is retried with the same request; the token is
//                  kept in TOKEN (0600).
//   cast           builds the ballot once and keeps it in TOKEN.ballot
//                  (0600) before sending, so a retry after a lost answer
//                  sends the same bytes and gets the same receipt; checks
//                  the receipt (service key, election, ballot hash).
//   challenge      a Benaloh challenge: builds a ballot, never casts it,
//                  reveals its randomness (spoiled.json) and shows what it
//                  encrypted. Casting afterwards makes a fresh ballot.
//   check-spoiled  opens a spoiled ballot (from here or from the web page)
//                  against the election's manifest and shows its content.
//   check-receipt  the receipt is signed by the service and its ballot is
//                  on the board (a board file, or downloaded).
//
// Thread-safety: single-threaded commands.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ballot/ballot.hpp"
#include "cli/command.hpp"
#include "crypto/status.hpp"

namespace urne::cli {

struct CheckinOptions {
  ServerOptions server;
  std::string election;
  std::string link;  // the voting link of the letter (QR code)
  std::filesystem::path token_file;
};
[[nodiscard]] Status vote_checkin(const CheckinOptions& options, std::ostream& out);

struct ChoiceOptions {
  std::vector<std::uint32_t> marks;  // 1-based, as numbered on the ballot
  bool abstain = false;
  bool invalid = false;
};
// The Choice for these options (0-based marks, ascending). Errors:
// invalid_argument "choice_invalid" (no option, several kinds, a number out
// of range, a repeated number), and check_choice's reasons.
Result<Choice> choice_of(const Manifest& manifest, const ChoiceOptions& options);

struct CastOptions {
  ServerOptions server;
  std::string election;
  std::filesystem::path token_file;
  ChoiceOptions choice;
  std::filesystem::path receipt_file;
};
[[nodiscard]] Status vote_cast(const CastOptions& options, std::ostream& out);

struct ChallengeOptions {
  ServerOptions server;
  std::string election;
  std::filesystem::path token_file;
  ChoiceOptions choice;
  std::filesystem::path spoiled_file;
};
[[nodiscard]] Status vote_challenge(const ChallengeOptions& options, std::ostream& out);

struct CheckSpoiledOptions {
  ServerOptions server;
  std::string election;
  std::filesystem::path spoiled_file;
};
[[nodiscard]] Status vote_check_spoiled(const CheckSpoiledOptions& options, std::ostream& out);

struct CheckReceiptOptions {
  ServerOptions server;
  std::string election;
  std::filesystem::path receipt_file;
  std::optional<std::filesystem::path> board_file;  // else downloaded
};
// The receipt is signed by the board's service key, the board's signature
// holds, and the receipt's ballot is on the board. Errors: the readers',
// the server's, verify_receipt's, "board_signature_invalid",
// receipt_on_board's ("receipt_not_on_board").
[[nodiscard]] Status vote_check_receipt(const CheckReceiptOptions& options, std::ostream& out);

void add_voter_commands(CLI::App& app, Commands& commands);

}  // namespace urne::cli
