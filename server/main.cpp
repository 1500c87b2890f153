// urne-server: parses the command line, builds the TLS identity, the router
// and the server, and serves until SIGINT/SIGTERM (exit 0 after a graceful
// shutdown). All logic lives in urne_server; this file only wires it.
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "crypto/bytes.hpp"
#include "crypto/random.hpp"
#include "server/api.hpp"
#include "server/backup.hpp"
#include "server/ballot_box_store.hpp"
#include "server/election_service.hpp"
#include "server/keys.hpp"
#include "server/listener.hpp"
#include "server/register_store.hpp"
#include "server/router.hpp"
#include "server/tls.hpp"
#include "server/web_assets.hpp"

namespace {

int report(const urne::Status& s) {
  std::cerr << "urne-server: " << s.to_string() << "\n";
  return 1;
}

int run(int argc, char** argv) {
  if (urne::Status s = urne::init_crypto(); !s) return report(s);

  std::string data_dir;
  std::string listen = "127.0.0.1:8443";
  std::string cert;
  std::string key;
  std::string web_dir = URNE_DEFAULT_WEB_DIR;
  unsigned threads = urne::server::kDefaultThreads;
  std::string role_text = "both";
  std::vector<std::string> officer_key_texts;
  CLI::App app{"urne-server — the HTTPS election service"};
  app.add_option("--data-dir", data_dir, "Directory for the stores and the self-signed certificate")
      ->required();
  app.add_option("--listen", listen, "ADDRESS:PORT to listen on")->capture_default_str();
  auto* cert_opt = app.add_option("--cert", cert, "PEM certificate chain (default: self-signed)");
  auto* key_opt = app.add_option("--key", key, "PEM private key for --cert");
  cert_opt->needs(key_opt);
  key_opt->needs(cert_opt);
  app.add_option("--web-dir", web_dir, "Static files of the web client")->capture_default_str();
  app.add_option("--threads", threads, "Worker threads")
      ->check(CLI::Range(1u, 64u))
      ->capture_default_str();
  app.add_option("--role", role_text,
                 "Components to run: both, register (voter register and token issuer) or "
                 "ballot-box")
      ->check(CLI::IsMember({"both", "register", "ballot-box"}))
      ->capture_default_str();
  app.add_option("--officer-key", officer_key_texts,
                 "An election officer's Ed25519 public key (64 hex digits); kept in "
                 "DATA_DIR/officer-keys");
  std::string backup_to;
  app.add_option("--backup-to", backup_to,
                 "Take a consistent backup of DATA_DIR into this new directory while the "
                 "service runs (SQLite online backup), then exit");
  CLI11_PARSE(app, argc, argv);
  if (!backup_to.empty()) {
    const urne::Status s = urne::server::backup_data_dir(data_dir, backup_to, std::cout);
    return s.is_ok() ? 0 : report(s);
  }

  urne::server::ServerOptions options;
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return report(urne::invalid_argument("bad_listen_address", "expected ADDRESS:PORT"));
  options.address = listen.substr(0, colon);
  if (options.address.size() > 2 && options.address.front() == '[' && options.address.back() == ']')
    options.address = options.address.substr(1, options.address.size() - 2);  // [::1]:8443
  try {
    const unsigned long port = std::stoul(listen.substr(colon + 1));
    if (port > 65535) throw std::out_of_range("port");
    options.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    return report(urne::invalid_argument("bad_listen_address", "bad port in " + listen));
  }
  options.threads = threads;
  options.handle_signals = true;

  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return report(urne::failed_precondition("data_dir_unusable", ec.message()));
  // A directory that cannot be written (a read-only mount, wrong owner) is
  // refused here, naming the directory and the reason, before a key file or
  // a store is touched: otherwise the first failed write names a temporary
  // file and no reason. access() reports EROFS for root too.
  if (::access(data_dir.c_str(), W_OK) != 0) {
    const int err = errno;
    return report(urne::failed_precondition(
        "data_dir_unusable", "cannot write to " + data_dir + ": " + std::strerror(err)));
  }
  // The web client is loaded once, served from memory and hashed; without
  // it the API still runs (no pages, no voting_page_sha256). A directory
  // that exists but breaks the loader's rules is a configuration error.
  std::shared_ptr<const urne::server::WebAssets> web_assets;
  if (!std::filesystem::is_directory(web_dir, ec)) {
    std::cerr << "urne-server: warning: web directory " << web_dir
              << " does not exist: no web pages (build them with node web/tools/build.mjs)\n";
  } else {
    auto loaded = urne::server::WebAssets::load(web_dir);
    if (!loaded.ok()) return report(loaded.status());
    web_assets = std::make_shared<const urne::server::WebAssets>(std::move(loaded).value());
    std::cout << "urne-server: web pages from " << web_dir << ": " << web_assets->file_count()
              << " files, " << web_assets->total_size() << " bytes, voting page SHA-256 "
              << urne::hex_encode(web_assets->page_hash()) << std::endl;
  }

  urne::SystemRng rng;
  auto identity = cert.empty() ? urne::server::load_or_create_self_signed(data_dir, rng)
                               : urne::server::load_tls_identity(cert, key);
  if (!identity.ok()) return report(identity.status());

  std::vector<urne::Ed25519PublicKey> add_keys;
  for (const std::string& t : officer_key_texts) {
    auto b = urne::hex_decode(t);
    if (!b.ok() || b->size() != 32)
      return report(urne::invalid_argument("bad_officer_key", "--officer-key needs 64 hex digits"));
    add_keys.push_back(urne::to_fixed<32>(*b, "officer key").value());
  }
  auto officer_keys = urne::server::update_officer_keys(data_dir, add_keys);
  if (!officer_keys.ok()) return report(officer_keys.status());
  if (officer_keys->empty())
    std::cerr
        << "urne-server: warning: no officer key (--officer-key): no election can be set up\n";

  using urne::server::Role;
  const Role role = role_text == "register"     ? Role::kRegister
                    : role_text == "ballot-box" ? Role::kBallotBox
                                                : Role::kBoth;
  std::unique_ptr<urne::store::RegisterStore> register_store;
  std::unique_ptr<urne::store::BallotBoxStore> box_store;
  std::unique_ptr<urne::server::RegisterService> register_service;
  std::unique_ptr<urne::server::BallotBoxService> box_service;
  if (role != Role::kBallotBox) {
    auto st = urne::store::RegisterStore::open(std::filesystem::path(data_dir) / "register.db");
    if (!st.ok()) return report(st.status());
    register_store = std::move(st).value();
    register_service =
        std::make_unique<urne::server::RegisterService>(*register_store, *officer_keys);
    if (urne::Status s = register_service->warm_caches(); !s) return report(s);
  }
  if (role != Role::kRegister) {
    auto st = urne::store::BallotBoxStore::open(std::filesystem::path(data_dir) / "ballot-box.db");
    if (!st.ok()) return report(st.status());
    box_store = std::move(st).value();
    auto service_key = urne::server::load_or_create_service_key(data_dir, rng);
    if (!service_key.ok()) return report(service_key.status());
    std::cout << "urne-server: service key " << urne::hex_encode(service_key->key.public_key())
              << (service_key->generated ? " (newly generated)" : "") << std::endl;
    box_service =
        std::make_unique<urne::server::BallotBoxService>(*box_store, std::move(service_key->key));
  }
  urne::server::ApiServices services;
  services.role = role;
  services.register_service = register_service.get();
  services.ballot_box = box_service.get();
  services.officer_keys = *officer_keys;
  if (web_assets) services.voting_page_sha256 = web_assets->page_hash();
  services.now = [] {
    return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
  };

  urne::server::Router router;
  urne::server::add_election_routes(router, services);
  urne::server::add_core_routes(router, web_assets);

  auto server = urne::server::Server::create(options, *identity, router);
  if (!server.ok()) return report(server.status());
  std::cout << "urne-server (" << urne::server::role_name(role) << ") listening on https://"
            << listen.substr(0, colon) << ":" << (*server)->port() << " (certificate SHA-256 "
            << identity->fingerprint_sha256
            << (identity->self_signed_generated ? ", newly generated" : "") << ")" << std::endl;
  (*server)->run();
  std::cerr << "urne-server: stopped\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Errors are Status values; this is the last line of defence for
  // allocation failures and library exceptions.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "urne-server: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "urne-server: internal error\n";
  }
  return 1;
}
