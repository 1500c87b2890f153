// `urne officer …`: the election officer's commands. The officer holds an
// Ed25519 key file (urne officer keygen) whose public key urne-server was
// started with (--officer-key); every setup request and every state
// transition is signed with it, and every transition is on the board.
//
//   keygen            a fresh key file (0600), prints the public key
//   roster upload     the credential authority's roster.json to the server
//   election create   manifest from a small config file, the roster, the
//                     trustees' ceremony outcome, a token key made by the
//                     register and the service key; commits to a fresh lot
//                     seed (kept in OUT/lot-seed, 0600, until the close)
//   publish / open / close / count / publish-result
//                     the signed transitions (close reveals the lot seed,
//                     checked against the manifest's commitment first)
//   turnout           counts only (tokens issued, ballots cast), --watch
//
// Nothing the server answers is trusted blindly: the manifest it stores must
// hash to the id made here, and a transition is only signed for a manifest
// that names this officer's key.
//
// Thread-safety: single-threaded commands.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "ballot/manifest.hpp"
#include "ballot/roster.hpp"
#include "cli/command.hpp"
#include "crypto/status.hpp"

namespace urne::cli {

// `urne officer keygen --out FILE [--code-out CODEFILE]`: a fresh officer
// key (0600); returns the public key as 64 hex digits (what urne-server
// --officer-key takes). Without a code file the key is random; with one, an
// officer code is drawn (crypto/credential.hpp, derive_officer_key), its
// printed form and a newline go to CODEFILE (0600) and the key derived from
// it to FILE. Refuses (already_exists "file_exists") if either file exists,
// before writing anything.
Result<std::string> officer_keygen(const std::filesystem::path& file,
                                   const std::optional<std::filesystem::path>& code_file = {});

// The election config file (JSON, strict: unknown keys refused):
//   {"title": "Wahl des Sprecherrats 2026", "kind": "Wahl",
//    "description": "…", "seats": 7, "substitutes": 2, "max_marks": 7,
//    "invalid_offered": true, "tie_rule": "lot" | "runoff",
//    "token_issuer_name": "wahl.example.org",
//    "candidates": [{"name": "…", "affiliation": "…"}, …]}
// Only title and candidates are required. Errors: the JSON reader's,
// invalid_argument "config_invalid" naming the field.
struct ElectionConfig {
  ManifestSpec spec;  // the fields the config sets; the rest is filled in by create
};
Result<ElectionConfig> parse_election_config(std::string_view text);

// A roster file as `urne letters` writes it (roster.json, the JSON view).
Result<Roster> read_roster_file(const std::filesystem::path& file);

struct ElectionCreateOptions {
  ServerOptions server;
  std::filesystem::path key_file;
  std::filesystem::path config_file;
  std::filesystem::path roster_file;
  std::filesystem::path ceremony_dir;
  std::filesystem::path out_dir;
  bool practice = false;  // a Probewahl with the same letters
  // The voting page's hash (64 hex digits); when absent, the server's
  // voting_page_sha256 (GET /api/v1/service), else "no voting page".
  std::optional<std::string> page_hash_hex;
};
// Returns the election id. Writes OUT/lot-seed (before anything is sent),
// OUT/manifest.urne (canonical) and OUT/manifest.json (view).
Result<ElectionId> create_election(const ElectionCreateOptions& options, std::ostream& out);

struct TransitionOptions {
  ServerOptions server;
  std::filesystem::path key_file;
  std::string election;
  std::optional<std::filesystem::path> lot_seed_file;  // for close
};
// Signs and sends the transition to `target` (the next state in order;
// sequence = the server's current sequence + 1). Errors: the server's,
// failed_precondition "wrong_state" (target is not the next state),
// "not_this_officer" (the manifest names another key), "lot_seed_mismatch".
[[nodiscard]] Status officer_transition(const TransitionOptions& options, ElectionState target,
                                        std::ostream& out);

void add_officer_commands(CLI::App& app, Commands& commands);

}  // namespace urne::cli
