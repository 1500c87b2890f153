// Fuzz target: HTTP requests as urne-server handles them after Beast has
// read them: the real router (server/router.hpp) with every election route
// of server/api.hpp over real register and ballot-box services on SQLite
// files in a scratch directory, so that every request-body decoder (the
// JSON bodies through codec::parse_json_object and the field helpers, the
// token request, the ballot, the issuance log, the partial decryptions)
// and the path and parameter decoding run exactly as deployed.
//
// Input: a request in a small text form,
//   METHOD TARGET\n
//   name: value\n ...      (headers, until an empty line)
//   \n
//   body
// Why the harness signs: the officer's routes check the officer's request
// signature before they read the body, and a fuzzer cannot forge an Ed25519
// signature. Unless the input brings its own Urne-Officer-Auth header, the
// request is signed with the one officer key the services trust, at the
// services' fixed clock, so the bodies behind that check are fuzzed too.
//
// One election is set up at start: the small election of data/ (its
// manifest and roster put into the ballot box, the box opened directly in
// the store, since the officer's signed transitions would need its lot
// seed), so that the corpus's real ballots are verified and stored, and
// mutations of them reach every check of the ballot path.
//
// Checks: no handler throws (a 500 "internal" is a bug for any input while
// the storage works), and every error is the JSON body of docs/api.md
// "Errors" with a stable lower_snake_case code, its status and a message in
// German and English.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ballot/manifest.hpp"
#include "ballot/officer.hpp"
#include "ballot/roster.hpp"
#include "codec/json_views.hpp"
#include "crypto/random.hpp"
#include "crypto/signing.hpp"
#include "fuzz/fuzz_util.hpp"
#include "server/api.hpp"
#include "server/ballot_box_store.hpp"
#include "server/election_service.hpp"
#include "server/register_store.hpp"
#include "server/router.hpp"

namespace {

using urne::fuzz::check;

// The services' clock: fixed, so that a signed request stays valid.
constexpr std::int64_t kNow = 1'800'000'000;

urne::Ed25519SigningKey key_from(std::uint8_t byte) {
  const std::vector<std::uint8_t> seed(urne::Ed25519SigningKey::kSeedSize, byte);
  auto key = urne::Ed25519SigningKey::from_seed(seed);
  check(key.ok(), "Ed25519 key from seed");
  return std::move(key).value();
}

std::string read_data(const char* name) {
  std::ifstream in(std::string(URNE_FUZZ_DATA_DIR "/") + name, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  check(!text.empty(), name);
  return text;
}

urne::Bytes data_bytes(const char* name) {
  const std::string text = read_data(name);
  return urne::Bytes(text.begin(), text.end());
}

// The key the small election's manifest names as its service key.
urne::Ed25519SigningKey service_key() {
  std::string hex = read_data("service-key.hex");
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.pop_back();
  const auto seed = urne::hex_decode(hex);
  check(seed.ok(), "service-key.hex");
  auto key = urne::Ed25519SigningKey::from_seed(*seed);
  check(key.ok(), "service key");
  return std::move(key).value();
}

// The server as main.cpp wires it (role "both"), minus the listener.
class Service {
 public:
  Service() : officer_(key_from(0x0f)) {
    check(urne::init_crypto().is_ok(), "init_crypto");
    auto reg = urne::store::RegisterStore::open(scratch_.path() / "register.db");
    check(reg.ok(), "open the register");
    register_store_ = std::move(reg).value();
    auto box = urne::store::BallotBoxStore::open(scratch_.path() / "ballot-box.db");
    check(box.ok(), "open the ballot box");
    box_store_ = std::move(box).value();
    std::vector<urne::Ed25519PublicKey> officers{officer_.public_key()};
    register_service_ = std::make_unique<urne::server::RegisterService>(*register_store_, officers);
    box_service_ = std::make_unique<urne::server::BallotBoxService>(*box_store_, service_key());
    auto manifest = urne::Manifest::parse_canonical(data_bytes("manifest.urne"));
    auto roster = urne::Roster::parse_canonical(data_bytes("roster.urne"));
    check(manifest.ok() && roster.ok(), "the small election's manifest and roster");
    check(box_service_->add_election(*manifest, *roster).is_ok(), "add the election");
    check(box_store_->open_box(manifest->election_id()).is_ok(), "open the ballot box");
    services_.register_service = register_service_.get();
    services_.ballot_box = box_service_.get();
    services_.officer_keys = officers;
    services_.now = [] { return kNow; };
    urne::server::add_election_routes(router_, services_);
  }

  const urne::server::Router& router() const noexcept { return router_; }
  const urne::Ed25519SigningKey& officer() const noexcept { return officer_; }

 private:
  urne::fuzz::ScratchDir scratch_;  // first in, last out: the files outlive the stores
  urne::Ed25519SigningKey officer_;
  std::unique_ptr<urne::store::RegisterStore> register_store_;
  std::unique_ptr<urne::store::BallotBoxStore> box_store_;
  std::unique_ptr<urne::server::RegisterService> register_service_;
  std::unique_ptr<urne::server::BallotBoxService> box_service_;
  urne::server::ApiServices services_;
  urne::server::Router router_;
};

std::string_view next_line(std::string_view& rest) {
  const auto end = rest.find('\n');
  const std::string_view line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return line;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

urne::server::Request parse_request(std::string_view input) {
  urne::server::Request req;
  const std::string_view first = next_line(input);
  const auto space = first.find(' ');
  req.method = std::string(first.substr(0, space));
  req.target = space == std::string_view::npos ? "/" : std::string(first.substr(space + 1));
  while (!input.empty()) {
    const std::string_view line = next_line(input);
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers[lower(line.substr(0, colon))] = std::string(value);
  }
  req.body = std::string(input);
  if (const auto it = req.headers.find("content-type"); it != req.headers.end()) {
    req.content_type = it->second;
  }
  return req;
}

bool is_error_code(const std::string& code) {
  if (code.empty()) return false;
  for (const char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Service service;
  urne::server::Request req = parse_request(urne::fuzz::text(data, size));

  const std::string auth = lower(urne::kOfficerAuthHeader);
  if (req.headers.find(auth) == req.headers.end()) {
    const urne::Bytes body(req.body.begin(), req.body.end());
    auto header = urne::officer_auth_header(service.officer(), req.method, req.target, kNow, body);
    if (header.ok()) req.headers[auth] = *header;
  }

  const urne::server::Response resp = service.router().dispatch(std::move(req));
  // URNE_FUZZ_VERBOSE=1: what each request got (to see how deep a corpus
  // file reaches when replaying it).
  static const bool verbose = std::getenv("URNE_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "%d %.200s\n", resp.status, resp.body.c_str());
  }
  check(resp.status >= 200 && resp.status <= 599, "an HTTP status");
  check(resp.status != 500, "a handler failed (500) on a request");
  if (resp.status >= 400) {
    check(resp.content_type == "application/json", "an error is JSON");
    // docs/api.md "Errors": {"error": {"code", "status", "message": {"de", "en"}}}.
    const auto body = urne::codec::json::parse(resp.body, nullptr, false);
    check(body.is_object() && body.contains("error") && body["error"].is_object(),
          "an error body is {\"error\": {...}}");
    const auto& error = body["error"];
    check(error.contains("code") && error["code"].is_string() &&
              is_error_code(error["code"].get<std::string>()),
          "an error code is lower_snake_case");
    check(error.contains("status") && error["status"] == resp.status,
          "an error body names its status");
    check(error.contains("message") && error["message"].is_object() &&
              error["message"].contains("de") && error["message"].contains("en"),
          "an error has a German and an English message");
  }
  return 0;
}
