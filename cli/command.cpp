#include "cli/command.hpp"

#include <chrono>
#include <system_error>

#include "server/files.hpp"

namespace urne::cli {

void add_server_options(CLI::App* cmd, ServerOptions& options) {
  cmd->add_option("--server", options.server, "urne-server's address, https://HOST:PORT")
      ->envname("URNE_SERVER");
  cmd->add_option("--fingerprint", options.fingerprint,
                  "SHA-256 fingerprint of the server's certificate, as urne-server prints it")
      ->envname("URNE_FINGERPRINT");
  cmd->add_option("--ca", options.ca_file,
                  "Verify the server's certificate against this CA bundle instead (PEM)")
      ->envname("URNE_CA_FILE");
}

Result<client::ElectionClient> connect(const ServerOptions& options) {
  if (options.server.empty()) {
    return invalid_argument("server_missing",
                            "say which urne-server to use: --server https://HOST:PORT "
                            "(or URNE_SERVER)");
  }
  if (options.fingerprint.empty() == !options.ca_file.has_value()) {
    return invalid_argument("trust_missing",
                            "give exactly one of --fingerprint (the certificate's SHA-256 as "
                            "urne-server prints it) and --ca (a CA bundle)");
  }
  URNE_ASSIGN_OR_RETURN(const client::Url url, client::parse_url(options.server));
  client::TrustConfig trust = client::TrustConfig::ca_file(options.ca_file.value_or(""));
  if (!options.fingerprint.empty()) {
    URNE_ASSIGN_OR_RETURN(trust, client::TrustConfig::pinned_sha256(options.fingerprint));
  }
  return client::ElectionClient::connect(url, trust);
}

void add_election_option(CLI::App* cmd, std::string& election_hex) {
  cmd->add_option("--election", election_hex, "The election id (64 hex digits)")
      ->envname("URNE_ELECTION");
}

Result<ElectionId> parse_election_id(std::string_view hex) {
  Result<Bytes> bytes = hex_decode(hex);
  if (!bytes.ok() || bytes->size() != 32) {
    return invalid_argument("election_id_malformed",
                            "an election id is 64 hex digits (urne officer election create "
                            "prints it)");
  }
  ElectionId id{};
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status write_new_file(const std::filesystem::path& file, std::string_view data, unsigned mode,
                      bool overwrite) {
  std::error_code ec;
  if (!overwrite && std::filesystem::exists(file, ec)) {
    return Status(Code::kAlreadyExists, "file_exists",
                  file.string() + " exists; it is not overwritten (move it away first)");
  }
  return server::write_file_atomically(file, data, static_cast<mode_t>(mode), "file_write_failed");
}

Result<std::string> read_file(const std::filesystem::path& file, std::size_t max_size) {
  return server::read_small_file(file, max_size);
}

}  // namespace urne::cli
