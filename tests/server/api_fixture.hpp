// Integration-test fixture: the real urne server (TLS, router, services,
// SQLite stores in a temporary directory) on 127.0.0.1, started on a
// thread, and the people of an election talking to it through
// client/election_client.hpp with a client that pins the server's
// certificate.
#pragma once

#include <doctest/doctest.h>

#include <signal.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ballot/board.hpp"
#include "ballot/counting.hpp"
#include "ballot/manifest.hpp"
#include "ballot/roster.hpp"
#include "client/election_client.hpp"
#include "client/server_process.hpp"
#include "crypto/credential.hpp"
#include "crypto/dkg.hpp"
#include "crypto/dkg_fixture.hpp"
#include "crypto/random.hpp"
#include "crypto/signing.hpp"
#include "server/api.hpp"
#include "server/ballot_box_store.hpp"
#include "server/election_service.hpp"
#include "server/keys.hpp"
#include "server/listener.hpp"
#include "server/register_store.hpp"
#include "server/router.hpp"
#include "server/tls.hpp"
#include "test_util.hpp"

namespace urne::test {

namespace fs = std::filesystem;

template <class T>
T ok(Result<T> r) {
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  return std::move(r).value();
}
inline void ok(const Status& s) { REQUIRE_MESSAGE(s.is_ok(), s.to_string()); }

template <class T>
std::string reason(const Result<T>& r) {
  return r.ok() ? "ok" : r.status().reason();
}
inline std::string reason(const Status& s) { return s.is_ok() ? "ok" : s.reason(); }

inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using ApiTempDir = TempDir;

// The server of one data directory: stop() and start() again is a restart
// (stores closed and reopened, keys read back from the files).
class ApiServer {
 public:
  ApiServer(fs::path data_dir, std::vector<Ed25519PublicKey> officer_keys,
            server::Role role = server::Role::kBoth)
      : dir_(std::move(data_dir)), officer_keys_(std::move(officer_keys)), role_(role) {
    start();
  }
  ~ApiServer() { stop(); }
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  void start() {
    SystemRng rng;
    identity_ = ok(server::load_or_create_self_signed(dir_, rng));
    const auto keys = ok(server::update_officer_keys(dir_, officer_keys_));
    if (role_ != server::Role::kBallotBox) {
      register_store_ = ok(store::RegisterStore::open(dir_ / "register.db"));
      register_ = std::make_unique<server::RegisterService>(*register_store_, keys);
    }
    if (role_ != server::Role::kRegister) {
      box_store_ = ok(store::BallotBoxStore::open(dir_ / "ballot-box.db"));
      auto key = ok(server::load_or_create_service_key(dir_, rng));
      box_ = std::make_unique<server::BallotBoxService>(*box_store_, std::move(key.key));
    }
    services_ = server::ApiServices{role_, register_.get(),           box_.get(),
                                    keys,  [] { return unix_now(); }, {}};
    router_ = std::make_unique<server::Router>();
    server::add_election_routes(*router_, services_);
    server::ServerOptions o;
    o.port = port_;  // 0 at first, then the same port again after a restart
    o.threads = 4;
    o.log = [this](std::string_view line) {
      const std::lock_guard lock(log_mutex_);
      log_.emplace_back(line);
    };
    server_ = ok(server::Server::create(o, identity_, *router_));
    port_ = server_->port();
    thread_ = std::thread([this] { server_->run(); });
  }

  void stop() {
    if (!server_) return;
    server_->stop();
    thread_.join();
    server_.reset();
    router_.reset();
    box_.reset();
    register_.reset();
    box_store_.reset();
    register_store_.reset();
  }

  client::Url url() const {
    return ok(client::parse_url("https://127.0.0.1:" + std::to_string(port_)));
  }
  client::TrustConfig trust() const {
    return ok(client::TrustConfig::pinned_sha256(identity_.fingerprint_sha256));
  }
  client::ElectionClient connect() const {
    return ok(client::ElectionClient::connect(url(), trust()));
  }
  const fs::path& dir() const { return dir_; }
  // The request log lines so far.
  std::vector<std::string> log() {
    const std::lock_guard lock(log_mutex_);
    return log_;
  }
  std::uint16_t port() const { return port_; }

 private:
  fs::path dir_;
  std::vector<Ed25519PublicKey> officer_keys_;
  server::Role role_;
  std::uint16_t port_ = 0;
  server::TlsIdentity identity_;
  std::unique_ptr<store::RegisterStore> register_store_;
  std::unique_ptr<store::BallotBoxStore> box_store_;
  std::unique_ptr<server::RegisterService> register_;
  std::unique_ptr<server::BallotBoxService> box_;
  server::ApiServices services_;
  std::unique_ptr<server::Router> router_;
  std::unique_ptr<server::Server> server_;
  std::thread thread_;
  std::mutex log_mutex_;
  std::vector<std::string> log_;
};

// The real urne-server binary as a child process (two-process tests).
class ServerProcess {
 public:
  ServerProcess(const fs::path& data_dir, const std::vector<std::string>& args)
      : process_(ok(client::ServerProcess::start(URNE_SERVER_BINARY, data_dir, args))) {}
  int stop(int signal) { return process_->stop(signal); }
  client::ElectionClient connect() const {
    return ok(client::ElectionClient::connect(
        ok(client::parse_url(process_->url())),
        ok(client::TrustConfig::pinned_sha256(process_->fingerprint()))));
  }

 private:
  std::unique_ptr<client::ServerProcess> process_;
};

// Everyone of one election outside the server: the credential authority's
// roster and the institutions' keys, the trustees' shares, the officer's
// key and lot seed.
struct People {
  SeededRng rng;
  Ed25519SigningKey officer;
  std::vector<std::string> ids;
  std::vector<InstitutionSecretKey> keys;
  std::optional<Roster> roster;
  std::optional<Finished> trustees;
  std::vector<DealerCommitment> commitments;
  DkgParams params;
  FixedBytes<32> lot_seed{};

  People(std::size_t institutions, unsigned n, unsigned k, std::uint64_t seed)
      : rng(seed),
        officer(Ed25519SigningKey::generate(rng)),
        params(ok(DkgParams::create(ceremony_id(0x51), n, k))) {
    const CredentialContext context = CredentialContext::generate(rng);
    std::vector<Institution> list;
    for (std::size_t i = 0; i < institutions; ++i) {
      const std::string id = "inst-" + std::string(i < 10 ? "0" : "") + std::to_string(i);
      keys.push_back(ok(InstitutionSecretKey::derive(VotingCode::generate(rng), context)));
      ids.push_back(id);
      list.push_back(Institution{id, "Einrichtung " + std::to_string(i), keys.back().public_key()});
    }
    roster = ok(Roster::create("Herbsttagung 2026", context, std::move(list)));
    const Ceremony ceremony = start_ceremony(params, rng);
    commitments = ceremony.commitments;
    trustees = finish_honest(ceremony);
    rng.fill(lot_seed);
  }

  // The manifest for this server's token key and service key.
  Manifest manifest(const TokenPublicKey& token_key, const Ed25519PublicKey& service_key,
                    std::size_t candidates = 9) const {
    ManifestSpec s;
    s.title = "Wahl des Sprecherrats 2026";
    s.kind = "Sprecherratswahl";
    s.roster_fingerprint = roster->fingerprint();
    for (std::size_t i = 0; i < candidates; ++i) {
      s.candidates.push_back(Candidate{"Kandidat*in " + std::to_string(i + 1), ""});
    }
    s.invalid_offered = true;
    s.lot_seed_commitment = lot_seed_commitment(lot_seed);
    s.token_issuer_name = "urne.test";
    s.token_public_key = Bytes(token_key.spki().begin(), token_key.spki().end());
    s.ceremony_id = params.ceremony_id();
    s.trustees = params.n();
    s.threshold = params.k();
    s.qual_commitments = commitments;
    s.service_key = service_key;
    s.officer_key = officer.public_key();
    s.page_hash = sha256(Bytes{'p', 'a', 'g', 'e'});
    return ok(Manifest::create(std::move(s)));
  }

  // Sets the election up on `c` (one process: both components) and returns
  // its manifest, in draft.
  Manifest set_up(client::ElectionClient& c, std::size_t candidates = 9) {
    ok(c.upload_roster(officer, *roster, unix_now()));
    const TokenPublicKey token_key = ok(c.create_token_key(officer, unix_now()));
    const Ed25519PublicKey service = ok(c.service_key());
    Manifest m = manifest(token_key, service, candidates);
    ok(c.create_election(officer, m, nullptr, unix_now()));
    return m;
  }

  // Trustee j's partial decryptions of the sums its own tool computed from
  // the board's ballots, after checking that the server's sums agree.
  TrusteePartials decrypt(const Manifest& m, const Board& board,
                          const std::vector<CiphertextSum>& server_sums, TrusteeIndex j) {
    const auto own = ok(compute_sums(m, board.contents().ballots));
    REQUIRE(same_sums(own, server_sums));
    TrusteePartials tp;
    tp.trustee = j;
    tp.partials = ok(
        partial_decrypt_all(m.election_key(), trustees->shares[j - 1], m.election_id(), own, rng));
    return tp;
  }
};

}  // namespace urne::test
