#include "cli/officer.hpp"

#include <chrono>
#include <csignal>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#include "ballot/board.hpp"
#include "ballot/counting.hpp"
#include "cli/trustee.hpp"
#include "codec/json_views.hpp"
#include "crypto/credential.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "crypto/signing.hpp"
#include "server/keys.hpp"

namespace urne::cli {
namespace {

using codec::json;

constexpr std::size_t kMaxConfigFile = std::size_t{256} * 1024;
constexpr std::size_t kMaxRosterFile = 16 << 20;

Status config_error(std::string_view field, const Status& why) {
  return invalid_argument("config_invalid", "election config, field \"" + std::string(field) +
                                                "\": " + why.to_string());
}

// The hash of the voting page's code goes into the manifest (issue 7); a
// manifest made without a page says so in the hash's input.
FixedBytes<32> default_page_hash() { return sha256(as_bytes("urne: no voting page")); }

Result<FixedBytes<32>> read_lot_seed(const std::filesystem::path& file) {
  URNE_ASSIGN_OR_RETURN(std::string text, read_file(file, 1024));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  Result<Bytes> bytes = hex_decode(text);
  if (!bytes.ok() || bytes->size() != 32) {
    return invalid_argument("lot_seed_malformed", file.string() + " is not a lot seed file");
  }
  FixedBytes<32> seed{};
  std::copy(bytes->begin(), bytes->end(), seed.begin());
  return seed;
}

// The election as the server has it: the manifest (checked to hash to the
// id) and the current state and sequence.
struct ElectionView {
  Manifest manifest;
  ElectionState state = ElectionState::kDraft;
  std::uint32_t sequence = 0;
};

Result<ElectionView> fetch_election(client::ElectionClient& api, const ElectionId& id) {
  URNE_ASSIGN_OR_RETURN(Manifest manifest, api.manifest(id));
  URNE_ASSIGN_OR_RETURN(const json view, api.get_json("/api/v1/elections/" + hex_encode(id)));
  URNE_ASSIGN_OR_RETURN(const std::string state_text, codec::string_field(view, "state", 40));
  URNE_ASSIGN_OR_RETURN(const std::uint64_t sequence, codec::uint_field(view, "sequence", 1000));
  const std::optional<ElectionState> state = parse_state_name(state_text);
  if (!state) return Status(Code::kDataLoss, "bad_server_answer", "unknown state " + state_text);
  return ElectionView{std::move(manifest), *state, static_cast<std::uint32_t>(sequence)};
}

std::string_view state_in_german(ElectionState s) {
  switch (s) {
    case ElectionState::kDraft:
      return "Entwurf";
    case ElectionState::kPublished:
      return "veröffentlicht (Check-in läuft)";
    case ElectionState::kOpen:
      return "Wahlgang geöffnet";
    case ElectionState::kClosed:
      return "Wahlgang geschlossen";
    case ElectionState::kTallied:
      return "ausgezählt";
    case ElectionState::kResultPublished:
      return "Ergebnis veröffentlicht";
  }
  return "?";
}

struct TurnoutOptions {
  ServerOptions server;
  std::string election;
  unsigned watch_seconds = 0;
  bool json_output = false;
};

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) { g_interrupted = 1; }

Status turnout(const TurnoutOptions& opt, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const ElectionId id, parse_election_id(opt.election));
  URNE_ASSIGN_OR_RETURN(client::ElectionClient api, connect(opt.server));
  if (opt.watch_seconds > 0) {
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
  }
  while (true) {
    URNE_ASSIGN_OR_RETURN(const json t, api.turnout(id));
    URNE_ASSIGN_OR_RETURN(const std::uint64_t institutions, codec::uint_field(t, "institutions"));
    URNE_ASSIGN_OR_RETURN(const std::uint64_t tokens, codec::uint_field(t, "tokens_issued"));
    URNE_ASSIGN_OR_RETURN(const std::uint64_t ballots, codec::uint_field(t, "ballots_cast"));
    URNE_ASSIGN_OR_RETURN(const std::string state_text, codec::string_field(t, "state", 40));
    const std::optional<ElectionState> state = parse_state_name(state_text);
    if (!state) return Status(Code::kDataLoss, "bad_server_answer", "unknown state");
    if (opt.json_output) {
      out << json{{"election_id", hex_encode(id)},
                  {"state", state_text},
                  {"institutions", institutions},
                  {"tokens_issued", tokens},
                  {"ballots_cast", ballots}}
                 .dump()
          << std::endl;
    } else {
      out << "Stand: " << state_in_german(*state) << " — Stimmberechtigungen abgeholt " << tokens
          << " von " << institutions << ", Stimmzettel abgegeben " << ballots << "  (state "
          << state_text << ": tokens issued " << tokens << "/" << institutions << ", ballots cast "
          << ballots << ")" << std::endl;
    }
    if (opt.watch_seconds == 0 || *state >= ElectionState::kClosed) break;
    for (unsigned i = 0; i < opt.watch_seconds * 10 && g_interrupted == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (g_interrupted != 0) break;
  }
  return Status::ok();
}

struct RosterUploadOptions {
  ServerOptions server;
  std::filesystem::path key_file;
  std::filesystem::path roster_file;
};

Status upload_roster(const RosterUploadOptions& opt, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const Ed25519SigningKey officer,
                        server::read_signing_key_file(opt.key_file));
  URNE_ASSIGN_OR_RETURN(const Roster roster, read_roster_file(opt.roster_file));
  URNE_ASSIGN_OR_RETURN(client::ElectionClient api, connect(opt.server));
  URNE_RETURN_IF_ERROR(api.upload_roster(officer, roster, unix_now()));
  out << "Roster \"" << roster.title() << "\" (" << roster.institutions().size()
      << " institutions, fingerprint " << roster.short_fingerprint() << ") is on the server.\n";
  return Status::ok();
}

struct HandoverOptions {
  ServerOptions box;
  ServerOptions register_server;
  std::string election;
};

// Two processes (--role register / ballot-box): after the close the
// register's issuance log goes to the ballot box, which checks every entry
// against the roster and the manifest before it takes it.
Status handover(const HandoverOptions& opt, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const ElectionId id, parse_election_id(opt.election));
  URNE_ASSIGN_OR_RETURN(client::ElectionClient reg, connect(opt.register_server));
  URNE_ASSIGN_OR_RETURN(client::ElectionClient box, connect(opt.box));
  URNE_ASSIGN_OR_RETURN(const std::vector<IssuanceEntry> log, reg.issuance_log(id));
  URNE_RETURN_IF_ERROR(box.put_issuance_log(id, log));
  out << "Issuance log handed over: " << log.size()
      << " signed token requests from the register are now with the ballot box.\n";
  return Status::ok();
}

}  // namespace

Result<std::string> officer_keygen(const std::filesystem::path& file,
                                   const std::optional<std::filesystem::path>& code_file) {
  std::error_code ec;
  for (const auto* f : {&file, code_file ? &*code_file : nullptr}) {
    if (f != nullptr && std::filesystem::exists(*f, ec)) {
      return Status(Code::kAlreadyExists, "file_exists",
                    f->string() + " exists; an officer key is never overwritten");
    }
  }
  SystemRng rng;
  if (!code_file) {
    // No code wanted: a plain random key (256-bit seed), as before.
    const Ed25519SigningKey key = Ed25519SigningKey::generate(rng);
    URNE_RETURN_IF_ERROR(server::write_signing_key_file(file, key));
    return hex_encode(key.public_key());
  }
  // An officer code for the web dashboard: the key is derived from it
  // (crypto/credential.hpp), so the code alone signs in. The code file is
  // written first: if writing the key file then fails, the code still
  // yields the key, while a key file without its code would be useless to
  // the dashboard.
  const VotingCode code = VotingCode::generate(rng);
  URNE_ASSIGN_OR_RETURN(const Ed25519SigningKey key, derive_officer_key(code));
  const SecretBytes formatted = code.format();
  const SecretBytes line = SecretBytes::build(formatted.size() + 1, [&](std::span<std::uint8_t> o) {
    std::copy(formatted.view().begin(), formatted.view().end(), o.begin());
    o.back() = '\n';
  });
  URNE_RETURN_IF_ERROR(write_new_file(
      *code_file, std::string_view(reinterpret_cast<const char*>(line.view().data()), line.size()),
      0600));
  URNE_RETURN_IF_ERROR(server::write_signing_key_file(file, key));
  return hex_encode(key.public_key());
}

Result<ElectionConfig> parse_election_config(std::string_view text) {
  URNE_ASSIGN_OR_RETURN(const json j, codec::parse_json_object(text));
  if (Status s =
          codec::only_keys(j, {"title", "kind", "description", "seats", "substitutes", "max_marks",
                               "invalid_offered", "tie_rule", "token_issuer_name", "candidates"});
      !s) {
    return config_error("(top level)", s);
  }
  ElectionConfig config;
  ManifestSpec& spec = config.spec;
  {
    auto v = codec::string_field(j, "title", Manifest::kMaxTitleSize);
    if (!v.ok()) return config_error("title", v.status());
    spec.title = *v;
  }
  {
    auto v = codec::optional_string_field(j, "kind", Manifest::kMaxKindSize);
    if (!v.ok()) return config_error("kind", v.status());
    spec.kind = *v;
  }
  {
    auto v = codec::optional_string_field(j, "description", Manifest::kMaxDescriptionSize);
    if (!v.ok()) return config_error("description", v.status());
    spec.description = *v;
  }
  {
    auto v = codec::optional_uint_field(j, "seats", Manifest::kMaxSeats);
    if (!v.ok()) return config_error("seats", v.status());
    if (*v) spec.seats = static_cast<std::uint32_t>(**v);
  }
  {
    auto v = codec::optional_uint_field(j, "substitutes", Manifest::kMaxSubstitutes);
    if (!v.ok()) return config_error("substitutes", v.status());
    if (*v) spec.substitutes = static_cast<std::uint32_t>(**v);
  }
  {
    auto v = codec::optional_uint_field(j, "max_marks", Manifest::kMaxCandidates);
    if (!v.ok()) return config_error("max_marks", v.status());
    if (*v) spec.max_marks = static_cast<std::uint32_t>(**v);
  }
  {
    auto v = codec::optional_bool_field(j, "invalid_offered");
    if (!v.ok()) return config_error("invalid_offered", v.status());
    spec.invalid_offered = v->value_or(false);
  }
  {
    auto v = codec::optional_string_field(j, "tie_rule", 20);
    if (!v.ok()) return config_error("tie_rule", v.status());
    if (!*v || **v == "lot") {
      spec.tie_rule = TieRule::kLot;
    } else if (**v == "runoff") {
      spec.tie_rule = TieRule::kRunoff;
    } else {
      return config_error("tie_rule",
                          invalid_argument("unknown_tie_rule", "\"lot\" or \"runoff\""));
    }
  }
  {
    auto v = codec::optional_string_field(j, "token_issuer_name", Manifest::kMaxIssuerNameSize);
    if (!v.ok()) return config_error("token_issuer_name", v.status());
    spec.token_issuer_name = v->value_or("");
  }
  const auto c = j.find("candidates");
  if (c == j.end() || !c->is_array() || c->empty() || c->size() > Manifest::kMaxCandidates) {
    return config_error("candidates",
                        invalid_argument("wrong_type", "a list of 1..100 candidates"));
  }
  for (const json& entry : *c) {
    const std::string where = "candidates[" + std::to_string(spec.candidates.size()) + "]";
    if (!entry.is_object()) return config_error(where, invalid_argument("wrong_type", "object"));
    if (Status s = codec::only_keys(entry, {"name", "affiliation"}); !s) {
      return config_error(where, s);
    }
    auto name = codec::string_field(entry, "name", Manifest::kMaxNameSize);
    if (!name.ok()) return config_error(where + ".name", name.status());
    auto affiliation =
        codec::optional_string_field(entry, "affiliation", Manifest::kMaxAffiliationSize);
    if (!affiliation.ok()) return config_error(where + ".affiliation", affiliation.status());
    spec.candidates.push_back(Candidate{*name, affiliation->value_or("")});
  }
  return config;
}

Result<Roster> read_roster_file(const std::filesystem::path& file) {
  URNE_ASSIGN_OR_RETURN(const std::string text, read_file(file, kMaxRosterFile));
  Result<json> view = codec::parse_json_object(text, 16);
  if (!view.ok()) {
    return invalid_argument("roster_file_invalid",
                            file.string() + " is not a roster file: " + view.status().to_string());
  }
  Result<Roster> roster = codec::roster_from_view(*view);
  if (!roster.ok()) {
    return invalid_argument("roster_file_invalid", file.string() + " is not a valid roster: " +
                                                       roster.status().to_string());
  }
  return roster;
}

Result<ElectionId> create_election(const ElectionCreateOptions& opt, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const Ed25519SigningKey officer,
                        server::read_signing_key_file(opt.key_file));
  URNE_ASSIGN_OR_RETURN(const std::string config_text, read_file(opt.config_file, kMaxConfigFile));
  URNE_ASSIGN_OR_RETURN(ElectionConfig config, parse_election_config(config_text));
  URNE_ASSIGN_OR_RETURN(const Roster roster, read_roster_file(opt.roster_file));
  URNE_ASSIGN_OR_RETURN(const CeremonyOutcomeFile ceremony,
                        read_ceremony_outcome(opt.ceremony_dir));
  std::optional<FixedBytes<32>> page_hash;
  std::string page_hash_source = "--page-hash";
  if (opt.page_hash_hex) {
    Result<Bytes> b = hex_decode(*opt.page_hash_hex);
    if (!b.ok() || b->size() != 32) {
      return invalid_argument("page_hash_malformed", "--page-hash takes 64 hex digits");
    }
    page_hash.emplace();
    std::copy(b->begin(), b->end(), page_hash->begin());
  }
  std::error_code ec;
  const std::filesystem::path seed_file = opt.out_dir / "lot-seed";
  const std::filesystem::path manifest_bin = opt.out_dir / "manifest.urne";
  const std::filesystem::path manifest_json = opt.out_dir / "manifest.json";
  for (const auto& f : {seed_file, manifest_bin, manifest_json}) {
    if (std::filesystem::exists(f, ec)) {
      return Status(Code::kAlreadyExists, "file_exists",
                    f.string() + " exists: one directory per election (choose another --out)");
    }
  }
  std::filesystem::create_directories(opt.out_dir, ec);
  if (ec) return internal_error("out_dir_failed", opt.out_dir.string() + ": " + ec.message());

  URNE_ASSIGN_OR_RETURN(client::ElectionClient api, connect(opt.server));
  URNE_ASSIGN_OR_RETURN(const Ed25519PublicKey service_key, api.service_key());
  if (!page_hash) {
    // The pages this server serves (GET /api/v1/service); a server without
    // pages leaves the manifest's "no voting page" hash.
    URNE_ASSIGN_OR_RETURN(const json service, api.get_json("/api/v1/service"));
    URNE_ASSIGN_OR_RETURN(page_hash, codec::optional_hex32_field(service, "voting_page_sha256"));
    page_hash_source = page_hash ? "the server's web pages" : "no web pages on the server";
  }
  // The roster first (idempotent), then a fresh token key the register
  // keeps until this manifest names it.
  URNE_RETURN_IF_ERROR(api.upload_roster(officer, roster, unix_now()));
  URNE_ASSIGN_OR_RETURN(const TokenPublicKey token_key, api.create_token_key(officer, unix_now()));

  // The lot seed is drawn here and only its commitment goes into the
  // manifest; it is written (0600) before the manifest exists so that no
  // crash can leave an election whose seed is lost.
  SystemRng rng;
  FixedBytes<32> seed{};
  rng.fill(seed);
  URNE_RETURN_IF_ERROR(write_new_file(seed_file, hex_encode(seed) + "\n", 0600));

  ManifestSpec spec = std::move(config.spec);
  if (opt.practice) {
    spec.kind = "Probewahl (practice ballot)";
    spec.title = "Probewahl: " + spec.title;
    if (spec.title.size() > Manifest::kMaxTitleSize) spec.title.resize(Manifest::kMaxTitleSize);
  }
  spec.roster_fingerprint = roster.fingerprint();
  spec.lot_seed_commitment = lot_seed_commitment(seed);
  if (spec.token_issuer_name.empty()) {
    URNE_ASSIGN_OR_RETURN(const client::Url url, client::parse_url(opt.server.server));
    spec.token_issuer_name = url.host;
  }
  spec.token_public_key = Bytes(token_key.spki().begin(), token_key.spki().end());
  spec.ceremony_id = ceremony.params.ceremony_id();
  spec.trustees = ceremony.params.n();
  spec.threshold = ceremony.params.k();
  spec.qual_commitments = ceremony.commitments;
  spec.service_key = service_key;
  spec.officer_key = officer.public_key();
  spec.page_hash = page_hash.value_or(default_page_hash());
  URNE_ASSIGN_OR_RETURN(const Manifest manifest, Manifest::create(std::move(spec)));
  URNE_RETURN_IF_ERROR(codec::check_manifest_text(manifest));
  const Bytes& canonical = manifest.canonical_bytes();
  URNE_RETURN_IF_ERROR(
      write_new_file(manifest_bin, std::string(canonical.begin(), canonical.end()), 0644));
  URNE_RETURN_IF_ERROR(
      write_new_file(manifest_json, codec::manifest_view(manifest).dump(2) + "\n", 0644));
  URNE_RETURN_IF_ERROR(api.create_election(officer, manifest, &roster, unix_now()));
  // What the server now serves must be this manifest.
  URNE_RETURN_IF_ERROR(api.manifest(manifest.election_id()).status());

  out << "Wahl angelegt / election created: " << manifest.title() << "\n"
      << "  election id:  " << hex_encode(manifest.election_id()) << "\n"
      << "  roster:       " << roster.short_fingerprint() << " (" << roster.institutions().size()
      << " institutions)\n"
      << "  candidates:   " << manifest.spec().candidates.size() << ", seats "
      << manifest.spec().seats << " + " << manifest.spec().substitutes << " substitutes\n"
      << "  trustees:     " << manifest.spec().threshold << " of " << manifest.spec().trustees
      << "\n"
      << "  token key:    " << hex_encode(token_key.key_id()).substr(0, 16) << "…\n"
      << "  voting page:  " << hex_encode(manifest.spec().page_hash) << " (" << page_hash_source
      << ")\n"
      << "  files:        " << manifest_json.string() << ", " << seed_file.string()
      << " (secret until the close: keep it, it is needed to close the ballot)\n"
      << "Next: urne officer publish --election " << hex_encode(manifest.election_id())
      << "  (check-in opens)\n";
  return manifest.election_id();
}

Status officer_transition(const TransitionOptions& opt, ElectionState target, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const ElectionId id, parse_election_id(opt.election));
  URNE_ASSIGN_OR_RETURN(const Ed25519SigningKey officer,
                        server::read_signing_key_file(opt.key_file));
  URNE_ASSIGN_OR_RETURN(client::ElectionClient api, connect(opt.server));
  URNE_ASSIGN_OR_RETURN(const ElectionView view, fetch_election(api, id));
  if (!ct_equal(view.manifest.spec().officer_key, officer.public_key())) {
    return Status(Code::kPermissionDenied, "not_this_officer",
                  "the election names another officer key than " + opt.key_file.string());
  }
  std::optional<FixedBytes<32>> seed;
  if (target == ElectionState::kClosed) {
    if (!opt.lot_seed_file) {
      return invalid_argument("lot_seed_missing",
                              "closing reveals the lot seed: give --lot-seed OUT/lot-seed "
                              "(written by urne officer election create)");
    }
    URNE_ASSIGN_OR_RETURN(const FixedBytes<32> s, read_lot_seed(*opt.lot_seed_file));
    if (!ct_equal(lot_seed_commitment(s), view.manifest.spec().lot_seed_commitment)) {
      return Status(Code::kFailedPrecondition, "lot_seed_mismatch",
                    opt.lot_seed_file->string() + " is not the seed this election committed to");
    }
    seed = s;
  }
  std::uint32_t sequence = view.sequence + 1;
  if (view.state == target) {
    // A retry after a lost answer: the same transition again.
    sequence = view.sequence;
  } else if (next_state(view.state) != target) {
    return Status(Code::kFailedPrecondition, "wrong_state",
                  "the election is " + std::string(state_name(view.state)) + "; the next step is " +
                      std::string(next_state(view.state) ? state_name(*next_state(view.state))
                                                         : std::string_view("none")));
  }
  URNE_ASSIGN_OR_RETURN(const client::TransitionAnswer a,
                        api.transition(officer, id, target, sequence, seed));
  out << (a.newly_applied ? "" : "(already done) ") << state_in_german(a.state) << " — "
      << view.manifest.title() << " (state " << state_name(a.state) << ", sequence " << a.sequence
      << ")\n";
  return Status::ok();
}

void add_officer_commands(CLI::App& app, Commands& commands) {
  CLI::App* officer = app.add_subcommand("officer", "The election officer's commands");
  officer->require_subcommand(1);

  auto keygen_out = std::make_shared<std::string>();
  auto keygen_code_out = std::make_shared<std::string>();
  CLI::App* keygen = officer->add_subcommand(
      "keygen", "Make the officer's Ed25519 key file (mode 0600) and print its public key");
  keygen->add_option("--out", *keygen_out, "Key file to create")->required();
  CLI::Option* code_out_opt = keygen->add_option(
      "--code-out", *keygen_code_out,
      "Also make an officer code (for the web dashboard's sign-in) and write it to this new "
      "file (mode 0600); the key is then derived from the code");
  keygen->callback([keygen_out, keygen_code_out, code_out_opt, &commands] {
    std::optional<std::filesystem::path> code_file;
    if (code_out_opt->count() > 0) code_file = *keygen_code_out;
    commands.action = [keygen_out, code_file](std::ostream& out) -> Status {
      URNE_ASSIGN_OR_RETURN(const std::string pk, officer_keygen(*keygen_out, code_file));
      out << pk << "\n";
      return Status::ok();
    };
  });

  CLI::App* roster = officer->add_subcommand("roster", "The roster of the assembly");
  roster->require_subcommand(1);
  auto up = std::make_shared<RosterUploadOptions>();
  CLI::App* upload = roster->add_subcommand(
      "upload", "Upload roster.json (from urne letters) to the server, signed by the officer");
  add_server_options(upload, up->server);
  upload->add_option("--key", up->key_file, "The officer's key file")->required();
  upload->add_option("--roster", up->roster_file, "roster.json from urne letters")->required();
  upload->callback([up, &commands] {
    commands.action = [up](std::ostream& out) { return upload_roster(*up, out); };
  });

  CLI::App* election = officer->add_subcommand("election", "Elections of the assembly");
  election->require_subcommand(1);
  auto create = std::make_shared<ElectionCreateOptions>();
  auto page_hash = std::make_shared<std::string>();
  CLI::App* create_cmd = election->add_subcommand(
      "create",
      "Create an election (or with --practice a practice ballot; a runoff is another config "
      "with the tied candidates) from a config file, the roster and the trustees' ceremony");
  add_server_options(create_cmd, create->server);
  create_cmd->add_option("--key", create->key_file, "The officer's key file")->required();
  create_cmd->add_option("--config", create->config_file, "election.json (title, candidates, …)")
      ->required();
  create_cmd->add_option("--roster", create->roster_file, "roster.json from urne letters")
      ->required();
  create_cmd
      ->add_option("--ceremony", create->ceremony_dir,
                   "The trustees' exchange directory (outcome.json)")
      ->required();
  create_cmd
      ->add_option("--out", create->out_dir,
                   "Directory for manifest.json and the secret lot-seed file")
      ->required();
  create_cmd->add_flag("--practice", create->practice,
                       "A practice ballot (Probewahl) with the same letters");
  CLI::Option* page_hash_opt = create_cmd->add_option(
      "--page-hash", *page_hash,
      "The voting page's hash (64 hex digits, see urne page-hash); default: the one the "
      "server reports for the pages it serves");
  create_cmd->callback([create, page_hash, page_hash_opt, &commands] {
    if (page_hash_opt->count() > 0) create->page_hash_hex = *page_hash;
    commands.action = [create](std::ostream& out) {
      return create_election(*create, out).status();
    };
  });

  struct Step {
    const char* name;
    ElectionState state;
    const char* help;
  };
  static constexpr Step kSteps[] = {
      {"publish", ElectionState::kPublished,
       "Publish the election: check-in opens (delegates fetch their tokens)"},
      {"open", ElectionState::kOpen, "Open the ballot box"},
      {"close", ElectionState::kClosed,
       "Close the ballot box and reveal the lot seed (--lot-seed)"},
      {"count", ElectionState::kTallied,
       "Declare the count done once k trustees have decrypted (the server checks the tally)"},
      {"publish-result", ElectionState::kResultPublished,
       "Publish the signed result and the final board"},
  };
  for (const Step& step : kSteps) {
    auto t = std::make_shared<TransitionOptions>();
    auto seed_file = std::make_shared<std::string>();
    CLI::App* cmd = officer->add_subcommand(step.name, step.help);
    add_server_options(cmd, t->server);
    add_election_option(cmd, t->election);
    cmd->add_option("--key", t->key_file, "The officer's key file")->required();
    CLI::Option* seed_opt = nullptr;
    if (step.state == ElectionState::kClosed) {
      seed_opt =
          cmd->add_option("--lot-seed", *seed_file, "OUT/lot-seed of election create")->required();
    }
    const ElectionState target = step.state;
    cmd->callback([t, seed_file, seed_opt, target, &commands] {
      if (seed_opt != nullptr && seed_opt->count() > 0) t->lot_seed_file = *seed_file;
      commands.action = [t, target](std::ostream& out) {
        return officer_transition(*t, target, out);
      };
    });
  }

  auto ho = std::make_shared<HandoverOptions>();
  CLI::App* handover_cmd = officer->add_subcommand(
      "handover",
      "Two processes: after the close, hand the register's issuance log to the ballot box "
      "(--server = the ballot box)");
  add_server_options(handover_cmd, ho->box);
  add_election_option(handover_cmd, ho->election);
  handover_cmd->add_option("--register", ho->register_server.server, "The register's address")
      ->required();
  handover_cmd->add_option("--register-fingerprint", ho->register_server.fingerprint,
                           "The register's certificate fingerprint");
  handover_cmd->add_option("--register-ca", ho->register_server.ca_file,
                           "Or: a CA bundle for the register's certificate");
  handover_cmd->callback([ho, &commands] {
    commands.action = [ho](std::ostream& out) { return handover(*ho, out); };
  });

  auto turn = std::make_shared<TurnoutOptions>();
  CLI::App* turnout_cmd = officer->add_subcommand(
      "turnout", "Tokens issued and ballots cast (counts only), for announcing in the hall");
  add_server_options(turnout_cmd, turn->server);
  add_election_option(turnout_cmd, turn->election);
  turnout_cmd->add_option("--watch", turn->watch_seconds,
                          "Repeat every SECONDS until the close (Ctrl-C stops)");
  turnout_cmd->add_flag("--json", turn->json_output, "One JSON object per line");
  turnout_cmd->callback([turn, &commands] {
    commands.action = [turn](std::ostream& out) { return turnout(*turn, out); };
  });
}

}  // namespace urne::cli
