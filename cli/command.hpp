// The CLI's command plumbing, shared by every command module: how a module
// adds its subcommands (add_*_commands(app, commands) registers options and
// a callback that stores the action; main() runs the one action parsed and
// turns its Status into a message and an exit code), how a command reaches
// urne-server (--server plus a pinned --fingerprint or a --ca file), and the
// few file helpers every command needs (never overwrite silently, never
// leave a half-written file).
//
// Thread-safety: single-threaded; a CLI process runs one command.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "client/election_client.hpp"
#include "crypto/bytes.hpp"
#include "crypto/status.hpp"

namespace urne::cli {

// The action of the subcommand that was parsed (set by its callback).
struct Commands {
  std::function<Status(std::ostream& out)> action;
};

// How to reach urne-server. Defaults come from the environment
// (URNE_SERVER, URNE_FINGERPRINT, URNE_CA_FILE) so that a session of
// commands need not repeat them.
struct ServerOptions {
  std::string server;                            // https://host:port
  std::string fingerprint;                       // SHA-256 of the certificate (pinned)
  std::optional<std::filesystem::path> ca_file;  // or: a CA bundle (real certificates)
};
// Adds --server, --fingerprint and --ca to `cmd`.
void add_server_options(CLI::App* cmd, ServerOptions& options);
// Connects: exactly one of fingerprint / CA file must be given. Errors:
// invalid_argument "server_missing" / "trust_missing" / the URL's reasons,
// and the transport's (unavailable, certificate mismatch).
Result<client::ElectionClient> connect(const ServerOptions& options);

// Adds --election ID (64 hex digits) to `cmd`; env URNE_ELECTION.
void add_election_option(CLI::App* cmd, std::string& election_hex);
// Errors: invalid_argument "election_id_malformed".
Result<ElectionId> parse_election_id(std::string_view hex);

std::int64_t unix_now();

// Writes `data` to `file` atomically (temp + fsync + rename) with `mode`,
// refusing to replace an existing file unless `overwrite`. Errors:
// already_exists "file_exists", the file layer's.
[[nodiscard]] Status write_new_file(const std::filesystem::path& file, std::string_view data,
                                    unsigned mode, bool overwrite = false);
// Reads a file of at most `max_size` bytes. Errors: not_found "file_missing",
// invalid_argument "file_too_large", io.
Result<std::string> read_file(const std::filesystem::path& file, std::size_t max_size);

}  // namespace urne::cli
