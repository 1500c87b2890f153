// The credential authority's command, `urne letters`: from a roster CSV
// (id,name[,contact]) it draws the assembly's credential context and one
// voting code per institution, and writes
//   DIR/roster.json   the roster with public keys only (codec::roster_view),
//                     for the election officer (0644);
//   DIR/letters.html  one A4 page per institution, German then English: the
//                     code, the voting link as QR code (inline SVG) and as
//                     text, the roster's fingerprint (0600: it holds the
//                     codes);
//   DIR/letters.pdf   the same, printed by headless Chromium (0600).
// The codes exist nowhere else: print the letters, then delete both files.
//
// The voting link (what the QR code holds; the fragment never reaches a
// server):
//   <vote-url>#i=<institution id, percent-encoded>&c=<XXXX-XXXX-…-XXXX>
//             &x=<credential context, base64url>&r=<roster fingerprint, hex>
// Each value has exactly one text form; parse_voting_link() accepts only
// that form, with the four parameters in this order.
//
// Thread-safety: plain functions; the command writes files, run it once.
#pragma once

#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.hpp"
#include "crypto/bytes.hpp"
#include "crypto/credential.hpp"
#include "crypto/random.hpp"
#include "crypto/status.hpp"

namespace urne::cli {

// ---- the roster CSV ------------------------------------------------------------------

// A roster of 10,000 institutions with long names and contacts fits easily.
inline constexpr std::size_t kMaxRosterCsvSize = std::size_t{4} << 20;
// The optional contact line printed on the letter (e.g. a postal address).
inline constexpr std::size_t kMaxContactSize = 200;

struct RosterCsvRow {
  std::string id;
  std::string name;
  std::string contact;   // empty when the CSV has no contact column
  std::size_t line = 0;  // the line the row starts on (1-based, header = 1)
};

// Parses the roster CSV (RFC 4180): UTF-8, an optional BOM, CRLF or LF line
// ends, fields optionally in double quotes with "" for a quote inside; the
// header is `id,name` or `id,name,contact` (ASCII case ignored); empty lines
// are skipped. Every row is checked: the id (check_institution_id), unique;
// the name 1..200 bytes and the contact 0..200 bytes of one line of text
// (check_text) in Unicode NFC (check_nfc). At most Roster::kMaxInstitutions
// rows, at least one. Errors (invalid_argument; the message names the line):
//   csv_too_large, csv_empty, csv_header_missing, csv_unterminated_quote,
//   csv_stray_quote (a quote inside an unquoted field or text after a
//   closing quote), csv_column_count, csv_too_many_rows, csv_no_rows,
//   institution_id_malformed, duplicate_institution_id, and check_text's /
//   check_nfc's reasons for a name or contact (bad_utf8, bad_length,
//   forbidden_character, surrounding_space, not_nfc).
Result<std::vector<RosterCsvRow>> parse_roster_csv(std::string_view text);

// ---- the voting link -----------------------------------------------------------------

inline constexpr std::size_t kMaxVotingLinkSize = 2048;
inline constexpr std::size_t kMaxVoteUrlSize = 1000;

struct VotingLink {
  std::string institution_id;
  VotingCode code;
  CredentialContext context;
  FixedBytes<32> roster_fingerprint;
};

// The URL of the voting page that the letters link to: https://, or http://
// only for localhost / 127.0.0.1 / [::1] (a page served over plain HTTP
// could be altered on the way to read the code the fragment holds); at most
// kMaxVoteUrlSize bytes of printable ASCII, no '#', no quotes, '<', '>' or
// '\'. Error: invalid_argument "vote_url_malformed".
[[nodiscard]] Status check_vote_url(std::string_view vote_url);

// The link printed on the letter. Contract: check_vote_url(vote_url) and
// check_institution_id(id) pass. The result holds the code: a secret.
std::string make_voting_link(std::string_view vote_url, std::string_view id, const VotingCode& code,
                             const CredentialContext& context, const FixedBytes<32>& fp);

// Parses a link made by make_voting_link (the part before '#' is not
// looked at beyond being printable ASCII). Strict: exactly the four
// parameters i, c, x, r in this order, each in its one text form: the id
// percent-encoded exactly as make_voting_link does it and valid; the code in
// its canonical printed form with valid check symbols (VotingCode::parse);
// the context 32 bytes of base64url; the fingerprint 64 lower-case hex
// digits. Error: invalid_argument "voting_link_malformed"; the message says
// which part and never contains the code.
Result<VotingLink> parse_voting_link(std::string_view link);

// ---- the command ---------------------------------------------------------------------

struct LettersOptions {
  std::filesystem::path roster_csv;
  std::string title;     // the assembly, e.g. "Herbsttagung 2026"
  std::string vote_url;  // the voting page
  std::filesystem::path out;
  bool pdf = true;
};

// Makes the roster and the letters (see the top of this file) with codes and
// context drawn from `rng`, after checking that every link parses back and
// derives the key the roster lists. Refuses (already_exists "file_exists")
// if any of the files exists already (before writing anything); creates
// `out` (0700) if it is missing. Prints the roster fingerprint, the count,
// the paths and what to do next to `out_text`. Without Chromium the PDF is
// skipped with a message and the command still succeeds. Errors: the CSV's,
// check_vote_url's, the title's (check_text / check_nfc reasons),
// Roster::create's, file errors, print_html_to_pdf's "pdf_print_failed"
// (roster.json and letters.html are complete then).
[[nodiscard]] Status write_letters(const LettersOptions& options, Rng& rng, std::ostream& out_text);

// Registers `urne letters`.
void add_letters_commands(CLI::App& app, Commands& commands);

}  // namespace urne::cli
