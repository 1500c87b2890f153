#include "client/election_client.hpp"

#include <utility>

#include "ballot/officer.hpp"
#include "crypto/bytes.hpp"

namespace urne::client {
namespace {

constexpr std::string_view kJsonType = "application/json";

std::string election_path(const ElectionId& id, std::string_view rest = {}) {
  return "/api/v1/elections/" + hex_encode(id) + std::string(rest);
}

Status bad_answer(std::string_view what) {
  return Status(Code::kDataLoss, "bad_server_answer", std::string(what));
}

// The server's error body as a Status (reason = its stable code).
Status error_of(const HttpResponse& r) {
  const Code code = http_code_of(r.status);
  const json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const json& e = body["error"];
    std::string reason = e.value("code", std::string("http_") + std::to_string(r.status));
    std::string message;
    if (e.contains("message") && e["message"].is_object()) {
      message = e["message"].value("en", std::string());
    }
    return Status(code, std::move(reason), std::move(message));
  }
  return Status(code, "http_" + std::to_string(r.status), "HTTP " + std::to_string(r.status));
}

template <std::size_t N>
Result<FixedBytes<N>> hex_fixed(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return bad_answer(std::string("no ") + key);
  auto b = hex_decode(j[key].get<std::string>());
  if (!b.ok()) return bad_answer(std::string("bad ") + key);
  auto f = to_fixed<N>(*b, key);
  if (!f.ok()) return bad_answer(std::string("bad ") + key);
  return *f;
}

Result<Bytes> b64_of(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return bad_answer(std::string("no ") + key);
  auto b = base64url_decode(j[key].get<std::string>());
  if (!b.ok()) return bad_answer(std::string("bad ") + key);
  return *b;
}

Result<TransitionAnswer> transition_answer(const json& j) {
  TransitionAnswer a;
  const auto state = parse_state_name(j.value("state", std::string()));
  if (!state || !j.contains("sequence") || !j["sequence"].is_number_unsigned()) {
    return bad_answer("transition answer");
  }
  a.state = *state;
  a.sequence = j["sequence"].get<std::uint32_t>();
  a.newly_applied = j.value("newly_applied", false);
  return a;
}

}  // namespace

Code http_code_of(int http_status) noexcept {
  switch (http_status) {
    case 400:
    case 405:
    case 415:
      return Code::kInvalidArgument;
    case 401:
      return Code::kUnauthenticated;
    case 403:
      return Code::kPermissionDenied;
    case 404:
      return Code::kNotFound;
    case 409:
      return Code::kFailedPrecondition;
    case 413:
    case 429:
    case 431:
      return Code::kResourceExhausted;
    case 503:
      return Code::kUnavailable;
    default:
      return http_status >= 200 && http_status < 300 ? Code::kOk : Code::kInternal;
  }
}

Result<ElectionClient> ElectionClient::connect(const Url& url, const TrustConfig& trust,
                                               ClientOptions options) {
  URNE_ASSIGN_OR_RETURN(auto http, HttpsClient::connect(url, trust, options));
  return ElectionClient(std::move(http));
}

Result<HttpResponse> ElectionClient::call(std::string_view method, std::string_view target,
                                          std::string_view body, std::string_view content_type,
                                          const HttpsClient::Headers& headers) {
  URNE_ASSIGN_OR_RETURN(HttpResponse r,
                        http_->request(method, target, body, content_type, headers));
  if (r.status < 200 || r.status >= 300) return error_of(r);
  return r;
}

Result<json> ElectionClient::call_json(std::string_view method, std::string_view target,
                                       const json* body, const HttpsClient::Headers& headers) {
  const std::string text = body == nullptr ? std::string() : body->dump();
  URNE_ASSIGN_OR_RETURN(const HttpResponse r,
                        call(method, target, text, body == nullptr ? "" : kJsonType, headers));
  json j = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad_answer("the answer is not JSON");
  return j;
}

Result<json> ElectionClient::officer_call(const Ed25519SigningKey& officer, std::string_view target,
                                          const json* body, std::int64_t unix_time) {
  const std::string text = body == nullptr ? std::string() : body->dump();
  const Bytes bytes(text.begin(), text.end());
  URNE_ASSIGN_OR_RETURN(const std::string auth,
                        officer_auth_header(officer, "POST", target, unix_time, bytes));
  URNE_ASSIGN_OR_RETURN(const HttpResponse r,
                        call("POST", target, text, body == nullptr ? "" : kJsonType,
                             {{std::string(kOfficerAuthHeader), auth}}));
  json j = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad_answer("the answer is not JSON");
  return j;
}

Result<json> ElectionClient::get_json(std::string_view target) {
  return call_json("GET", target, nullptr);
}

Result<Ed25519PublicKey> ElectionClient::service_key() {
  URNE_ASSIGN_OR_RETURN(const json j, get_json("/api/v1/service"));
  if (!j.contains("service_key")) {
    return Status(Code::kNotFound, "no_ballot_box", "this server runs no ballot box");
  }
  return hex_fixed<32>(j, "service_key");
}

Status ElectionClient::upload_roster(const Ed25519SigningKey& officer, const Roster& roster,
                                     std::int64_t unix_time) {
  const json body{{"roster", base64url_encode(roster.canonical_bytes())}};
  return officer_call(officer, "/api/v1/rosters", &body, unix_time).status();
}

Result<TokenPublicKey> ElectionClient::create_token_key(const Ed25519SigningKey& officer,
                                                        std::int64_t unix_time) {
  URNE_ASSIGN_OR_RETURN(const json j,
                        officer_call(officer, "/api/v1/token-keys", nullptr, unix_time));
  URNE_ASSIGN_OR_RETURN(const Bytes spki, b64_of(j, "token_public_key"));
  auto pk = TokenPublicKey::parse(spki);
  if (!pk.ok()) return bad_answer("token_public_key: " + pk.status().reason());
  return *pk;
}

Status ElectionClient::create_election(const Ed25519SigningKey& officer, const Manifest& manifest,
                                       const Roster* roster, std::int64_t unix_time) {
  json body{{"manifest", base64url_encode(manifest.canonical_bytes())}};
  if (roster != nullptr) body["roster"] = base64url_encode(roster->canonical_bytes());
  URNE_ASSIGN_OR_RETURN(const json j, officer_call(officer, "/api/v1/elections", &body, unix_time));
  if (j.value("election_id", std::string()) != hex_encode(manifest.election_id())) {
    return bad_answer("the server names another election id");
  }
  return Status::ok();
}

Result<TransitionAnswer> ElectionClient::transition(const Ed25519SigningKey& officer,
                                                    const ElectionId& id, ElectionState state,
                                                    std::uint32_t sequence,
                                                    const std::optional<FixedBytes<32>>& lot_seed) {
  URNE_ASSIGN_OR_RETURN(const StateTransition t, sign_transition(officer, id, state, sequence));
  return send_transition(id, t, lot_seed);
}

Result<TransitionAnswer> ElectionClient::send_transition(
    const ElectionId& id, const StateTransition& t, const std::optional<FixedBytes<32>>& lot_seed) {
  json body{{"state", std::string(state_name(t.state))},
            {"sequence", t.sequence},
            {"signature", hex_encode(t.signature)}};
  if (lot_seed) body["lot_seed"] = hex_encode(*lot_seed);
  URNE_ASSIGN_OR_RETURN(const json j, call_json("POST", election_path(id, "/transitions"), &body));
  return transition_answer(j);
}

Result<std::vector<IssuanceEntry>> ElectionClient::issuance_log(const ElectionId& id) {
  URNE_ASSIGN_OR_RETURN(const json j, get_json(election_path(id, "/issuance")));
  if (!j.contains("issuance") || !j["issuance"].is_array()) return bad_answer("issuance log");
  std::vector<IssuanceEntry> out;
  for (const json& e : j["issuance"]) {
    URNE_ASSIGN_OR_RETURN(const Bytes req, b64_of(e, "token_request"));
    auto request = TokenRequest::parse(req);
    if (!request.ok()) return bad_answer("token_request");
    URNE_ASSIGN_OR_RETURN(const auto sig, hex_fixed<64>(e, "signature"));
    out.push_back(IssuanceEntry{e.value("institution_id", std::string()), *request, sig});
  }
  return out;
}

Status ElectionClient::put_issuance_log(const ElectionId& id,
                                        const std::vector<IssuanceEntry>& log) {
  json list = json::array();
  for (const IssuanceEntry& e : log) {
    list.push_back(json{{"institution_id", e.institution_id},
                        {"token_request", base64url_encode(e.request.bytes())},
                        {"signature", hex_encode(e.signature)}});
  }
  const json body{{"issuance", list}};
  return call_json("PUT", election_path(id, "/issuance"), &body).status();
}

Result<Manifest> ElectionClient::manifest(const ElectionId& id) {
  URNE_ASSIGN_OR_RETURN(const json j, get_json(election_path(id)));
  if (!j.contains("manifest") || !j["manifest"].is_object()) return bad_answer("no manifest");
  URNE_ASSIGN_OR_RETURN(const Bytes bytes, b64_of(j["manifest"], "canonical"));
  auto m = Manifest::parse_canonical(bytes);
  if (!m.ok()) return bad_answer("manifest: " + m.status().reason());
  // The id is the hash of the bytes: a server cannot hand out another
  // election under this id.
  if (m->election_id() != id) return bad_answer("the manifest does not hash to the election id");
  return m;
}

Result<TokenResponse> ElectionClient::send_token_request(const ElectionId& id,
                                                         std::string_view institution_id,
                                                         std::string_view signature_b64,
                                                         ByteView request) {
  const std::string body(request.begin(), request.end());
  URNE_ASSIGN_OR_RETURN(
      const HttpResponse r,
      call("POST", election_path(id, "/token-request"), body, "application/private-token-request",
           {{"Urne-Institution", std::string(institution_id)},
            {"Urne-Institution-Signature", std::string(signature_b64)}}));
  if (r.content_type != "application/private-token-response") {
    return bad_answer("the answer is not a private-token-response");
  }
  const Bytes bytes(r.body.begin(), r.body.end());
  auto resp = TokenResponse::parse(bytes);
  if (!resp.ok()) return bad_answer("token response: " + resp.status().reason());
  return *resp;
}

Result<Token> ElectionClient::fetch_token(const Manifest& manifest, std::string_view institution_id,
                                          const InstitutionSecretKey& key, Rng& rng) {
  const TokenPublicKey& pk = manifest.token_public_key();
  URNE_ASSIGN_OR_RETURN(PendingTokenRequest pending,
                        create_token_request(pk, manifest.token_challenge(), rng));
  URNE_ASSIGN_OR_RETURN(const InstitutionSignature sig,
                        sign_token_request(key, manifest.election_id(), institution_id, pk.key_id(),
                                           pending.request.bytes()));
  URNE_ASSIGN_OR_RETURN(const TokenResponse response,
                        send_token_request(manifest.election_id(), institution_id,
                                           base64url_encode(sig), pending.request.bytes()));
  // finalize_token verifies the unblinded token: a server that signed with
  // another key (to tag this institution) is caught here.
  return finalize_token(pk, pending.state, response);
}

Result<CastAnswer> ElectionClient::cast(const Manifest& manifest, const CastBallot& ballot) {
  const json body{{"ballot", base64url_encode(ballot.canonical_bytes())}};
  URNE_ASSIGN_OR_RETURN(
      const json j, call_json("POST", election_path(manifest.election_id(), "/ballots"), &body));
  if (!j.contains("receipt") || !j["receipt"].is_object()) return bad_answer("no receipt");
  URNE_ASSIGN_OR_RETURN(const Bytes bytes, b64_of(j["receipt"], "canonical"));
  auto receipt = Receipt::parse_canonical(bytes);
  if (!receipt.ok()) return bad_answer("receipt: " + receipt.status().reason());
  if (Status s = verify_receipt(manifest.spec().service_key, *receipt); !s) {
    return bad_answer("the receipt is not signed by the manifest's service key");
  }
  if (receipt->election_id != manifest.election_id() ||
      receipt->ballot_hash != ballot.ballot_hash()) {
    return bad_answer("the receipt is for another ballot");
  }
  return CastAnswer{*receipt, j.value("status", std::string()) == "accepted"};
}

Result<std::vector<CiphertextSum>> ElectionClient::sums(const ElectionId& id) {
  URNE_ASSIGN_OR_RETURN(const json j, get_json(election_path(id, "/sums")));
  if (!j.contains("sums") || !j["sums"].is_array()) return bad_answer("no sums");
  std::vector<CiphertextSum> out;
  for (const json& s : j["sums"]) {
    URNE_ASSIGN_OR_RETURN(const auto a, hex_fixed<32>(s, "a"));
    URNE_ASSIGN_OR_RETURN(const auto b, hex_fixed<32>(s, "b"));
    auto pa = Point::parse(a);
    auto pb = Point::parse(b);
    if (!pa.ok() || !pb.ok()) return bad_answer("a sum is not a group element");
    out.push_back(CiphertextSum{*pa, *pb});
  }
  return out;
}

Result<PartialsAnswer> ElectionClient::upload_partials(const ElectionId& id,
                                                       const TrusteePartials& partials) {
  json list = json::array();
  for (const PartialDecryption& p : partials.partials) list.push_back(base64url_encode(p.encode()));
  const json body{{"trustee", partials.trustee}, {"partials", list}};
  URNE_ASSIGN_OR_RETURN(const json j, call_json("POST", election_path(id, "/partials"), &body));
  return PartialsAnswer{j.value("status", std::string()) == "stored",
                        j.value("trustees", std::size_t{0}), j.value("threshold", std::size_t{0})};
}

Result<Board> ElectionClient::board(const ElectionId& id) {
  URNE_ASSIGN_OR_RETURN(const HttpResponse r, call("GET", election_path(id, "/board.bin")));
  const Bytes bytes(r.body.begin(), r.body.end());
  auto b = Board::parse_canonical(bytes);
  if (!b.ok()) return bad_answer("board: " + b.status().reason());
  return b;
}

Result<json> ElectionClient::result(const ElectionId& id) {
  return get_json(election_path(id, "/result"));
}

Result<json> ElectionClient::turnout(const ElectionId& id) {
  return get_json(election_path(id, "/turnout"));
}

}  // namespace urne::client
