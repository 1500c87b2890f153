// ElectionClient: the election API (docs/api.md) as typed calls, for the
// CLI, the integration tests, the demo and the server benchmark. It does the
// client side of every step with the domain code (ballot/, crypto/): it
// blinds and unblinds tokens, signs officer requests and transitions,
// parses and checks what the server returns (a receipt must verify with the
// manifest's service key; a board must parse; a token must verify), so a
// caller never trusts the server's word for it.
//
// Errors: transport errors of HttpsClient; an error answer of the server
// becomes a Status whose reason is the body's `code` and whose message is
// the English message (http_code_of maps the HTTP status back to a Code);
// kDataLoss "bad_server_answer" for a success answer that does not parse or
// does not verify.
//
// Thread-safety: like HttpsClient, one ElectionClient per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ballot/ballot.hpp"
#include "ballot/board.hpp"
#include "ballot/manifest.hpp"
#include "ballot/roster.hpp"
#include "client/https_client.hpp"
#include "crypto/credential.hpp"
#include "crypto/privacy_pass.hpp"
#include "crypto/random.hpp"
#include "crypto/signing.hpp"
#include "crypto/status.hpp"
#include "crypto/threshold.hpp"

namespace urne::client {

using json = nlohmann::json;

// The Code for an HTTP error status (the inverse of the server's mapping).
Code http_code_of(int http_status) noexcept;

struct TransitionAnswer {
  ElectionState state = ElectionState::kDraft;
  std::uint32_t sequence = 0;
  bool newly_applied = false;
};

struct CastAnswer {
  Receipt receipt;
  bool newly_accepted = false;
};

struct PartialsAnswer {
  bool newly_stored = false;
  std::size_t trustees = 0;
  std::size_t threshold = 0;
};

class ElectionClient {
 public:
  explicit ElectionClient(std::unique_ptr<HttpsClient> http) : http_(std::move(http)) {}
  static Result<ElectionClient> connect(const Url& url, const TrustConfig& trust,
                                        ClientOptions options = {});

  HttpsClient& http() { return *http_; }

  // Any GET whose answer is JSON.
  Result<json> get_json(std::string_view target);
  // The service's Ed25519 key (GET /api/v1/service); kNotFound when this
  // server runs no ballot box.
  Result<Ed25519PublicKey> service_key();

  // ---- the officer ----
  Status upload_roster(const Ed25519SigningKey& officer, const Roster& roster,
                       std::int64_t unix_time);
  Result<TokenPublicKey> create_token_key(const Ed25519SigningKey& officer, std::int64_t unix_time);
  // `roster` is sent along for a server that runs the ballot box alone.
  Status create_election(const Ed25519SigningKey& officer, const Manifest& manifest,
                         const Roster* roster, std::int64_t unix_time);
  // Signs and sends the transition to `state` with the given sequence number.
  Result<TransitionAnswer> transition(const Ed25519SigningKey& officer, const ElectionId& id,
                                      ElectionState state, std::uint32_t sequence,
                                      const std::optional<FixedBytes<32>>& lot_seed = {});
  // The same with a transition signed elsewhere (sent as is).
  Result<TransitionAnswer> send_transition(const ElectionId& id, const StateTransition& t,
                                           const std::optional<FixedBytes<32>>& lot_seed = {});
  // Two processes: the register's log (GET .../issuance) and its hand-over
  // to the box (PUT .../issuance).
  Result<std::vector<IssuanceEntry>> issuance_log(const ElectionId& id);
  Status put_issuance_log(const ElectionId& id, const std::vector<IssuanceEntry>& log);

  // ---- the delegate ----
  // The manifest as the server has it, checked to hash to `id`.
  Result<Manifest> manifest(const ElectionId& id);
  // Blinds, signs with the institution's key, sends, unblinds and verifies:
  // a token the institution can use.
  Result<Token> fetch_token(const Manifest& manifest, std::string_view institution_id,
                            const InstitutionSecretKey& key, Rng& rng);
  // The raw exchange (tests send their own requests and signatures).
  Result<TokenResponse> send_token_request(const ElectionId& id, std::string_view institution_id,
                                           std::string_view signature_b64, ByteView request);
  // Casts and checks the receipt (service key of the manifest, election id,
  // ballot hash).
  Result<CastAnswer> cast(const Manifest& manifest, const CastBallot& ballot);

  // ---- trustees ----
  Result<std::vector<CiphertextSum>> sums(const ElectionId& id);
  Result<PartialsAnswer> upload_partials(const ElectionId& id, const TrusteePartials& partials);

  // ---- everyone ----
  // The board's canonical bytes (board.bin), parsed.
  Result<Board> board(const ElectionId& id);
  Result<json> result(const ElectionId& id);
  Result<json> turnout(const ElectionId& id);

 private:
  Result<HttpResponse> call(std::string_view method, std::string_view target,
                            std::string_view body = {}, std::string_view content_type = {},
                            const HttpsClient::Headers& headers = {});
  Result<json> call_json(std::string_view method, std::string_view target, const json* body,
                         const HttpsClient::Headers& headers = {});
  Result<json> officer_call(const Ed25519SigningKey& officer, std::string_view target,
                            const json* body, std::int64_t unix_time);

  std::unique_ptr<HttpsClient> http_;
};

}  // namespace urne::client
