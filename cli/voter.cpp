#include "cli/voter.hpp"

#include <algorithm>
#include <memory>
#include <set>
#include <system_error>

#include "ballot/board.hpp"
#include "cli/audit.hpp"
#include "cli/letters.hpp"
#include "codec/json_views.hpp"
#include "crypto/credential.hpp"
#include "crypto/privacy_pass.hpp"
#include "crypto/random.hpp"

namespace urne::cli {
namespace {

using codec::json;

constexpr std::size_t kMaxStateFile = 1 << 20;
constexpr std::string_view kTokenFormat = "urne-token/v1";
constexpr std::string_view kPendingFormat = "urne-token-request/v1";
constexpr std::string_view kBallotFormat = "urne-ballot/v1";
constexpr std::string_view kSpoiledFormat = "urne-spoiled-ballot/v1";

std::filesystem::path with_suffix(const std::filesystem::path& p, std::string_view suffix) {
  return std::filesystem::path(p.string() + std::string(suffix));
}

// One of this client's own files (token, pending request, ballot, spoiled
// ballot): JSON with a format tag and the election it belongs to. A file
// of another election is refused by name, so a delegate with two ballots
// (practice and real) cannot mix them up.
Result<json> read_own_file(const std::filesystem::path& file, std::string_view format,
                           const ElectionId& id) {
  URNE_ASSIGN_OR_RETURN(const std::string text, read_file(file, kMaxStateFile));
  Result<json> j = codec::parse_json_object(text);
  if (!j.ok()) {
    return invalid_argument("file_invalid", file.string() + ": " + j.status().to_string());
  }
  const auto f = j->find("format");
  if (f == j->end() || !f->is_string() || f->get<std::string>() != format) {
    return invalid_argument("file_invalid",
                            file.string() + " is not a " + std::string(format) + " file");
  }
  URNE_ASSIGN_OR_RETURN(const FixedBytes<32> election, codec::hex32_field(*j, "election_id"));
  if (election != id) {
    return Status(Code::kFailedPrecondition, "file_of_another_election",
                  file.string() + " belongs to election " + hex_encode(election).substr(0, 16) +
                      "…, not to this one");
  }
  return j;
}

Result<Token> read_token_file(const std::filesystem::path& file, const ElectionId& id) {
  URNE_ASSIGN_OR_RETURN(const json j, read_own_file(file, kTokenFormat, id));
  URNE_ASSIGN_OR_RETURN(const Bytes bytes, codec::b64url_field(j, "token", kTokenLength));
  return Token::parse(bytes);
}

std::string describe_choice(const Manifest& m, const Choice& c) {
  if (c.invalid) return "ungültig (invalid)";
  if (c.abstain) return "Enthaltung (abstention)";
  std::string s;
  for (std::uint32_t x : c.marks) {
    if (!s.empty()) s += "; ";
    s += std::to_string(x + 1) + ". " + m.spec().candidates.at(x).name;
  }
  return s.empty() ? std::string("keine Stimme (no mark)") : s;
}

// The roster the server serves for the election, checked against the
// letter's fingerprint and the manifest.
Result<Roster> checked_roster(client::ElectionClient& api, const Manifest& manifest,
                              const FixedBytes<32>& letter_fingerprint) {
  URNE_ASSIGN_OR_RETURN(
      const json view,
      api.get_json("/api/v1/elections/" + hex_encode(manifest.election_id()) + "/roster"));
  Result<Roster> roster = codec::roster_from_view(view);
  if (!roster.ok()) {
    return Status(Code::kDataLoss, "bad_server_answer",
                  "the server's roster does not parse: " + roster.status().to_string());
  }
  if (!ct_equal(roster->fingerprint(), letter_fingerprint)) {
    return Status(Code::kUnauthenticated, "roster_fingerprint_mismatch",
                  "WARNUNG: Das Wählerverzeichnis des Servers (" + roster->short_fingerprint() +
                      ") ist nicht das Ihres Briefes (" + short_fingerprint(letter_fingerprint) +
                      "). WARNING: the server's roster is not the one on your letter.");
  }
  if (!ct_equal(roster->fingerprint(), manifest.spec().roster_fingerprint)) {
    return Status(Code::kDataLoss, "bad_server_answer",
                  "the election names another roster than the one the server serves");
  }
  return roster;
}

// The manifest's token key must be the one the issuer directory publishes.
Status check_issuer_directory(client::ElectionClient& api, const Manifest& manifest) {
  URNE_ASSIGN_OR_RETURN(const json dir,
                        api.get_json("/api/v1/elections/" + hex_encode(manifest.election_id()) +
                                     "/token-issuer-directory"));
  const auto keys = dir.find("token-keys");
  if (keys == dir.end() || !keys->is_array() || keys->size() != 1 || !(*keys)[0].is_object()) {
    return Status(Code::kDataLoss, "bad_server_answer",
                  "the issuer directory must list exactly the election's one token key");
  }
  URNE_ASSIGN_OR_RETURN(const Bytes pk, codec::b64url_field((*keys)[0], "token-key", 1024));
  const Bytes& expected = manifest.token_public_key().spki();
  if (pk.size() != expected.size() || !ct_equal(pk, expected)) {
    return Status(Code::kUnauthenticated, "token_key_mismatch",
                  "WARNUNG: Der Token-Schlüssel des Servers ist nicht der der Wahl. WARNING: the "
                  "issuer directory's token key is not the manifest's");
  }
  return Status::ok();
}

// The pending request, written before it is sent.
struct Pending {
  std::string institution_id;
  Bytes request;
  std::string signature_b64;
  TokenRequestState state;
};

Status write_pending(const std::filesystem::path& file, const ElectionId& id,
                     std::string_view institution_id, const PendingTokenRequest& p,
                     std::string_view signature_b64) {
  const json j{{"format", kPendingFormat},
               {"election_id", hex_encode(id)},
               {"institution_id", institution_id},
               {"request", base64url_encode(p.request.bytes())},
               {"signature", signature_b64},
               {"token_input", base64url_encode(p.state.token_input())},
               {"blinding_inverse", base64url_encode(p.state.blinding_inverse().bytes())}};
  return write_new_file(file, j.dump() + "\n", 0600);
}

Result<Pending> read_pending(const std::filesystem::path& file, const ElectionId& id) {
  URNE_ASSIGN_OR_RETURN(const json j, read_own_file(file, kPendingFormat, id));
  Pending p;
  URNE_ASSIGN_OR_RETURN(p.institution_id, codec::string_field(j, "institution_id", 200));
  URNE_ASSIGN_OR_RETURN(p.request, codec::b64url_field(j, "request", kTokenRequestLength));
  URNE_ASSIGN_OR_RETURN(p.signature_b64, codec::string_field(j, "signature", 200));
  URNE_ASSIGN_OR_RETURN(const Bytes input, codec::b64url_field(j, "token_input", 1024));
  URNE_ASSIGN_OR_RETURN(const Bytes inv, codec::b64url_field(j, "blinding_inverse", 1024));
  if (input.size() != kTokenInputLength) {
    return invalid_argument("file_invalid", file.string() + ": bad token_input");
  }
  TokenInput ti{};
  std::copy(input.begin(), input.end(), ti.begin());
  p.state = TokenRequestState::restore(ti, BlindingInverse::from_bytes(inv));
  return p;
}

struct Connected {
  client::ElectionClient api;
  Manifest manifest;
};

Result<Connected> connect_election(const ServerOptions& server, std::string_view election) {
  URNE_ASSIGN_OR_RETURN(const ElectionId id, parse_election_id(election));
  URNE_ASSIGN_OR_RETURN(client::ElectionClient api, connect(server));
  URNE_ASSIGN_OR_RETURN(Manifest manifest, api.manifest(id));
  return Connected{std::move(api), std::move(manifest)};
}

void add_choice_options(CLI::App* cmd, ChoiceOptions& c) {
  cmd->add_option("--mark", c.marks,
                  "A candidate's number on the ballot (repeat, up to the limit)");
  cmd->add_flag("--abstain", c.abstain, "Enthaltung: abstain");
  cmd->add_flag("--invalid", c.invalid, "ungültig: an invalid ballot (where offered)");
}

}  // namespace

Result<Choice> choice_of(const Manifest& manifest, const ChoiceOptions& o) {
  const int kinds = (o.marks.empty() ? 0 : 1) + (o.abstain ? 1 : 0) + (o.invalid ? 1 : 0);
  if (kinds != 1) {
    return invalid_argument("choice_invalid",
                            "say exactly one of: --mark N (repeatable), --abstain, --invalid");
  }
  Choice c;
  c.abstain = o.abstain;
  c.invalid = o.invalid;
  const std::size_t n = manifest.spec().candidates.size();
  std::set<std::uint32_t> seen;
  for (std::uint32_t m : o.marks) {
    if (m < 1 || m > n) {
      return invalid_argument("choice_invalid", "candidate numbers are 1.." + std::to_string(n) +
                                                    ", not " + std::to_string(m));
    }
    if (!seen.insert(m - 1).second) {
      return invalid_argument("choice_invalid",
                              "candidate " + std::to_string(m) + " is marked twice");
    }
  }
  c.marks.assign(seen.begin(), seen.end());
  URNE_RETURN_IF_ERROR(check_choice(manifest, c));
  return c;
}

Status vote_checkin(const CheckinOptions& opt, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const VotingLink link, parse_voting_link(opt.link));
  URNE_ASSIGN_OR_RETURN(Connected c, connect_election(opt.server, opt.election));
  const Manifest& manifest = c.manifest;
  const ElectionId& id = manifest.election_id();
  std::error_code ec;
  if (std::filesystem::exists(opt.token_file, ec)) {
    URNE_RETURN_IF_ERROR(read_token_file(opt.token_file, id).status());
    out << "Sie haben Ihre Stimmberechtigung bereits: " << opt.token_file.string()
        << " (you are already checked in).\n";
    return Status::ok();
  }
  URNE_ASSIGN_OR_RETURN(const Roster roster,
                        checked_roster(c.api, manifest, link.roster_fingerprint));
  if (!(roster.credential_context() == link.context)) {
    return Status(Code::kUnauthenticated, "credential_context_mismatch",
                  "the letter belongs to another roster's credentials");
  }
  const Institution* entry = roster.find(link.institution_id);
  if (entry == nullptr) {
    return Status(Code::kNotFound, "institution_not_on_roster",
                  "the institution " + link.institution_id + " is not on the roster");
  }
  URNE_ASSIGN_OR_RETURN(const InstitutionSecretKey key,
                        InstitutionSecretKey::derive(link.code, link.context));
  if (Status s = check_listed_key(key.public_key(), entry->key); !s) {
    return Status(Code::kUnauthenticated, "credential_key_mismatch",
                  "WARNUNG: Der Code passt nicht zum Eintrag von " + entry->name +
                      " im Wählerverzeichnis. WARNING: the code's key is not the roster's entry");
  }
  URNE_RETURN_IF_ERROR(check_issuer_directory(c.api, manifest));

  const std::filesystem::path pending_file = with_suffix(opt.token_file, ".pending");
  const TokenPublicKey& pk = manifest.token_public_key();
  Pending pending;
  if (std::filesystem::exists(pending_file, ec)) {
    // A request sent before whose answer was lost: the same bytes again.
    URNE_ASSIGN_OR_RETURN(pending, read_pending(pending_file, id));
    if (pending.institution_id != link.institution_id) {
      return Status(Code::kFailedPrecondition, "pending_of_another_institution",
                    pending_file.string() + " is another institution's request");
    }
    out << "Sende die gespeicherte Anfrage erneut (resending the saved request).\n";
  } else {
    SystemRng rng;
    URNE_ASSIGN_OR_RETURN(PendingTokenRequest p,
                          create_token_request(pk, manifest.token_challenge(), rng));
    URNE_ASSIGN_OR_RETURN(
        const InstitutionSignature sig,
        sign_token_request(key, id, link.institution_id, pk.key_id(), p.request.bytes()));
    const std::string sig_b64 = base64url_encode(sig);
    URNE_RETURN_IF_ERROR(write_pending(pending_file, id, link.institution_id, p, sig_b64));
    pending =
        Pending{link.institution_id, Bytes(p.request.bytes().begin(), p.request.bytes().end()),
                sig_b64, std::move(p.state)};
  }
  URNE_ASSIGN_OR_RETURN(
      const TokenResponse response,
      c.api.send_token_request(id, pending.institution_id, pending.signature_b64, pending.request));
  // finalize_token verifies the unblinded token with the manifest's key.
  URNE_ASSIGN_OR_RETURN(const Token token, finalize_token(pk, pending.state, response));
  const json j{{"format", kTokenFormat},
               {"election_id", hex_encode(id)},
               {"token", base64url_encode(token.bytes())}};
  URNE_RETURN_IF_ERROR(write_new_file(opt.token_file, j.dump() + "\n", 0600));
  std::filesystem::remove(pending_file, ec);
  out << "Eingecheckt: " << entry->name << " hat die Stimmberechtigung für \"" << manifest.title()
      << "\" (checked in; token verified and kept in " << opt.token_file.string()
      << "). Wer diese Datei hat, kann einmal wählen: gut aufbewahren.\n";
  return Status::ok();
}

Status vote_cast(const CastOptions& opt, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(Connected c, connect_election(opt.server, opt.election));
  const Manifest& manifest = c.manifest;
  const ElectionId& id = manifest.election_id();
  URNE_ASSIGN_OR_RETURN(const Choice choice, choice_of(manifest, opt.choice));
  URNE_ASSIGN_OR_RETURN(const Token token, read_token_file(opt.token_file, id));
  std::error_code ec;
  if (std::filesystem::exists(opt.receipt_file, ec)) {
    return Status(Code::kAlreadyExists, "file_exists",
                  opt.receipt_file.string() + " exists: is this ballot already cast?");
  }
  const std::filesystem::path ballot_file = with_suffix(opt.token_file, ".ballot");
  Result<CastBallot> ballot = invalid_argument("unset", "");
  if (std::filesystem::exists(ballot_file, ec)) {
    // A ballot built before and perhaps cast, with the answer lost: send the
    // very same bytes. Its choice is not stored anywhere (a file that says
    // how someone voted would let a coercer check them), so the marks given
    // now cannot be compared with it: say so plainly.
    URNE_ASSIGN_OR_RETURN(const json j, read_own_file(ballot_file, kBallotFormat, id));
    URNE_ASSIGN_OR_RETURN(const Bytes bytes,
                          codec::b64url_field(j, "ballot", std::size_t{1} << 20));
    ballot = CastBallot::parse_canonical(bytes);
    out << "Ein zuvor vorbereiteter Stimmzettel wird erneut gesendet; Ihre heutige Auswahl wird "
           "nicht verwendet (resending the ballot prepared before: a ballot can be cast only "
           "once, and the earlier one may already be in the box).\n";
  } else {
    SystemRng rng;
    URNE_ASSIGN_OR_RETURN(BuiltBallot built, build_ballot(manifest, token, choice, rng));
    // Only the encrypted ballot is kept (no choice, no randomness): enough
    // to resend the same bytes, nothing that proves the vote to anyone.
    const json j{{"format", kBallotFormat},
                 {"election_id", hex_encode(id)},
                 {"ballot", base64url_encode(built.ballot.canonical_bytes())}};
    URNE_RETURN_IF_ERROR(write_new_file(ballot_file, j.dump() + "\n", 0600));
    ballot = std::move(built.ballot);
  }
  if (!ballot.ok()) return ballot.status();
  URNE_ASSIGN_OR_RETURN(const client::CastAnswer answer, c.api.cast(manifest, *ballot));
  URNE_RETURN_IF_ERROR(write_new_file(
      opt.receipt_file, base64url_encode(answer.receipt.canonical_bytes()) + "\n", 0644));
  out << (answer.newly_accepted ? "Stimme abgegeben" : "Stimme war bereits abgegeben")
      << " (ballot " << (answer.newly_accepted ? "accepted" : "already accepted")
      << "). Quittung / receipt " << answer.receipt.short_hash() << " in "
      << opt.receipt_file.string() << "\n"
      << "Nach der Wahl prüfen / check after the close:  urne vote check-receipt --receipt "
      << opt.receipt_file.string() << " --election " << hex_encode(id) << "\n";
  return Status::ok();
}

Status vote_challenge(const ChallengeOptions& opt, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(Connected c, connect_election(opt.server, opt.election));
  const Manifest& manifest = c.manifest;
  const ElectionId& id = manifest.election_id();
  URNE_ASSIGN_OR_RETURN(const Choice choice, choice_of(manifest, opt.choice));
  URNE_ASSIGN_OR_RETURN(const Token token, read_token_file(opt.token_file, id));
  SystemRng rng;
  URNE_ASSIGN_OR_RETURN(BuiltBallot built, build_ballot(manifest, token, choice, rng));
  json randomness = json::array();
  for (const Randomness& r : built.randomness) {
    const SecretBytes revealed = r.reveal();
    randomness.push_back(base64url_encode(revealed.view()));
  }
  const json j{{"format", kSpoiledFormat},
               {"election_id", hex_encode(id)},
               {"ballot_hash", hex_encode(built.ballot.ballot_hash())},
               {"ballot", base64url_encode(built.ballot.canonical_bytes())},
               {"randomness", randomness}};
  URNE_RETURN_IF_ERROR(write_new_file(opt.spoiled_file, j.dump(2) + "\n", 0644));
  URNE_ASSIGN_OR_RETURN(const Choice opened,
                        open_spoiled_ballot(manifest, built.ballot, built.randomness));
  out << "Stimmzettel geprüft und verworfen (Benaloh challenge; this ballot is spoiled and will "
         "never be cast).\n  It encrypted: "
      << describe_choice(manifest, opened) << "\n  Check it on another device:  urne vote "
      << "check-spoiled --election " << hex_encode(id) << " --spoiled " << opt.spoiled_file.string()
      << "\n";
  if (!(opened == choice)) {
    return Status(Code::kDataLoss, "spoiled_ballot_mismatch",
                  "the ballot did not encrypt the choice made: do not vote with this device");
  }
  return Status::ok();
}

Status vote_check_spoiled(const CheckSpoiledOptions& opt, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(Connected c, connect_election(opt.server, opt.election));
  const Manifest& manifest = c.manifest;
  URNE_ASSIGN_OR_RETURN(const json j,
                        read_own_file(opt.spoiled_file, kSpoiledFormat, manifest.election_id()));
  URNE_ASSIGN_OR_RETURN(const Bytes bytes, codec::b64url_field(j, "ballot", std::size_t{1} << 20));
  URNE_ASSIGN_OR_RETURN(const CastBallot ballot, CastBallot::parse_canonical(bytes));
  // The proofs and the token too: a spoiled ballot must be one the ballot
  // box would have accepted, or the check proves nothing about the device.
  URNE_RETURN_IF_ERROR(verify_cast_ballot(manifest, ballot));
  const auto r = j.find("randomness");
  if (r == j.end() || !r->is_array() || r->size() > CastBallot::kMaxSlots) {
    return invalid_argument("file_invalid", "randomness: a list of base64url values");
  }
  std::vector<Randomness> randomness;
  for (const json& item : *r) {
    if (!item.is_string()) return invalid_argument("file_invalid", "randomness entry");
    URNE_ASSIGN_OR_RETURN(const Bytes rb, base64url_decode(item.get<std::string>()));
    URNE_ASSIGN_OR_RETURN(Randomness one, Randomness::parse(rb));
    randomness.push_back(std::move(one));
  }
  URNE_ASSIGN_OR_RETURN(const Choice opened, open_spoiled_ballot(manifest, ballot, randomness));
  out << "Verworfener Stimmzettel " << short_fingerprint(ballot.ballot_hash())
      << " (spoiled ballot, proofs valid) enthielt / encrypted: "
      << describe_choice(manifest, opened)
      << "\nStimmt das mit Ihrer Auswahl überein? Wenn nicht: Gerät nicht benutzen und die "
         "Wahlleitung informieren. (If this is not what you chose, do not vote with that device "
         "and tell the officer.)\n";
  return Status::ok();
}

Status vote_check_receipt(const CheckReceiptOptions& opt, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const Receipt receipt, read_receipt_file(opt.receipt_file));
  Result<Board> board = invalid_argument("unset", "");
  if (opt.board_file) {
    board = read_board_file(*opt.board_file);
  } else {
    URNE_ASSIGN_OR_RETURN(const ElectionId id, parse_election_id(opt.election));
    URNE_ASSIGN_OR_RETURN(client::ElectionClient api, connect(opt.server));
    board = api.board(id);
  }
  if (!board.ok()) return board.status();
  if (Status s = verify_board_signature(*board); !s) {
    return Status(Code::kDataLoss, "board_signature_invalid",
                  "the board is not signed by its service key: " + s.to_string());
  }
  URNE_RETURN_IF_ERROR(verify_receipt(board->manifest().spec().service_key, receipt));
  URNE_RETURN_IF_ERROR(receipt_on_board(*board, receipt));
  out << "Quittung " << receipt.short_hash() << " geprüft: vom Dienst signiert, und Ihr "
      << "Stimmzettel steht auf der Anschlagtafel " << board->short_fingerprint()
      << " (receipt verified: signed by the service, and your ballot is on the board).\n";
  return Status::ok();
}

void add_voter_commands(CLI::App& app, Commands& commands) {
  CLI::App* vote = app.add_subcommand("vote", "The delegate's reference client");
  vote->require_subcommand(1);

  auto ci = std::make_shared<CheckinOptions>();
  CLI::App* checkin = vote->add_subcommand(
      "checkin", "Check in with the letter's voting link: fetch and keep the voting token");
  add_server_options(checkin, ci->server);
  add_election_option(checkin, ci->election);
  checkin->add_option("--link", ci->link, "The voting link of the letter (its QR code)")
      ->required()
      ->envname("URNE_VOTING_LINK");
  checkin->add_option("--token-out", ci->token_file, "Where to keep the token (0600)")->required();
  checkin->callback([ci, &commands] {
    commands.action = [ci](std::ostream& out) { return vote_checkin(*ci, out); };
  });

  auto cast = std::make_shared<CastOptions>();
  CLI::App* cast_cmd = vote->add_subcommand("cast", "Cast the ballot and keep the receipt");
  add_server_options(cast_cmd, cast->server);
  add_election_option(cast_cmd, cast->election);
  cast_cmd->add_option("--token", cast->token_file, "The token file of vote checkin")->required();
  add_choice_options(cast_cmd, cast->choice);
  cast_cmd->add_option("--receipt-out", cast->receipt_file, "Where to keep the receipt")
      ->required();
  cast_cmd->callback([cast, &commands] {
    commands.action = [cast](std::ostream& out) { return vote_cast(*cast, out); };
  });

  auto ch = std::make_shared<ChallengeOptions>();
  CLI::App* challenge = vote->add_subcommand(
      "challenge", "Benaloh challenge: make a ballot, spoil it and show what it encrypted");
  add_server_options(challenge, ch->server);
  add_election_option(challenge, ch->election);
  challenge->add_option("--token", ch->token_file, "The token file of vote checkin")->required();
  add_choice_options(challenge, ch->choice);
  challenge->add_option("--out", ch->spoiled_file, "Where to write the spoiled ballot")->required();
  challenge->callback([ch, &commands] {
    commands.action = [ch](std::ostream& out) { return vote_challenge(*ch, out); };
  });

  auto cs = std::make_shared<CheckSpoiledOptions>();
  CLI::App* check_spoiled = vote->add_subcommand(
      "check-spoiled", "Show what a spoiled ballot (from here or the web page) encrypted");
  add_server_options(check_spoiled, cs->server);
  add_election_option(check_spoiled, cs->election);
  check_spoiled->add_option("--spoiled", cs->spoiled_file, "The spoiled ballot file")->required();
  check_spoiled->callback([cs, &commands] {
    commands.action = [cs](std::ostream& out) { return vote_check_spoiled(*cs, out); };
  });

  auto cr = std::make_shared<CheckReceiptOptions>();
  auto board_file = std::make_shared<std::string>();
  CLI::App* check_receipt = vote->add_subcommand(
      "check-receipt", "Check that a receipt's ballot is on the published board");
  add_server_options(check_receipt, cr->server);
  add_election_option(check_receipt, cr->election);
  check_receipt->add_option("--receipt", cr->receipt_file, "The receipt file of vote cast")
      ->required();
  CLI::Option* board_opt =
      check_receipt->add_option("--board", *board_file, "A board file instead of the server's");
  check_receipt->callback([cr, board_file, board_opt, &commands] {
    if (board_opt->count() > 0) cr->board_file = *board_file;
    commands.action = [cr](std::ostream& out) { return vote_check_receipt(*cr, out); };
  });
}

}  // namespace urne::cli
