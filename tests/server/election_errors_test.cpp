// The election API's refusals and races over real TLS on 127.0.0.1 (the
// fixture of tests/server/api_fixture.hpp): every client mistake gets its
// documented HTTP status AND the stable code of the JSON error body
// (server/http_error.hpp), never a 500; concurrent requests of one token or
// one institution are decided exactly once.
//
// Hand-made requests go through HttpsClient directly (c.http().request), so
// that the tests see the status code, the headers and the raw body, not
// only ElectionClient's Status.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <latch>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "api_fixture.hpp"
#include "ballot/ballot.hpp"
#include "ballot/officer.hpp"
#include "ballot/tally.hpp"
#include "crypto/blind_rsa.hpp"
#include "crypto/privacy_pass.hpp"

namespace urne::test {
namespace {

using client::ElectionClient;
using client::HttpResponse;
using client::HttpsClient;
using client::json;

constexpr std::string_view kJsonType = "application/json";
constexpr std::string_view kTokenRequestType = "application/private-token-request";
constexpr std::string_view kTokenResponseType = "application/private-token-response";

// Few candidates: ballots are quicker to build and to verify.
constexpr std::size_t kCandidates = 3;

std::string path_of(const ElectionId& id, std::string_view rest = {}) {
  return "/api/v1/elections/" + hex_encode(id) + std::string(rest);
}

HttpResponse send(ElectionClient& c, std::string_view method, std::string_view target,
                  std::string_view body = {}, std::string_view content_type = {},
                  const HttpsClient::Headers& headers = {}) {
  return ok(c.http().request(method, target, body, content_type, headers));
}

// "<HTTP status> <code>" for an answer that carries the documented error
// body {"error":{"code","status","message":{"de","en"}}} (with the same
// status inside as on the wire); for anything else a description that no
// expectation of the form "409 some_code" can equal.
std::string error_of(const HttpResponse& r) {
  const std::string head = std::to_string(r.status);
  if (r.content_type.rfind("application/json", 0) != 0) {
    return head + " (content type \"" + r.content_type + "\")";
  }
  json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) {
    return head + " (no error body: " + r.body.substr(0, 200) + ")";
  }
  json& e = body["error"];
  const bool well_formed = e.contains("code") && e["code"].is_string() &&
                           !e["code"].get<std::string>().empty() && e.contains("status") &&
                           e["status"].is_number_integer() && e["status"] == r.status &&
                           e.contains("message") && e["message"].is_object() &&
                           e["message"].contains("de") && e["message"]["de"].is_string() &&
                           e["message"].contains("en") && e["message"]["en"].is_string();
  if (!well_formed) return head + " (malformed error body: " + r.body.substr(0, 200) + ")";
  return head + " " + e["code"].get<std::string>();
}

json json_of(const HttpResponse& r) {
  json j = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  REQUIRE_MESSAGE(j.is_object(), r.body);
  return j;
}

// ---- elections -------------------------------------------------------------------------

// An election set up by the officer on `c`, in draft, with few candidates.
Manifest draft(People& p, ElectionClient& c) { return p.set_up(c, kCandidates); }

Manifest published(People& p, ElectionClient& c) {
  Manifest m = draft(p, c);
  ok(c.transition(p.officer, m.election_id(), ElectionState::kPublished, 1));
  return m;
}

// Tokens of institutions 0..count-1 (the election must be published or open).
std::vector<Token> tokens_of(People& p, ElectionClient& c, const Manifest& m, std::size_t count) {
  std::vector<Token> out;
  for (std::size_t i = 0; i < count; ++i)
    out.push_back(ok(c.fetch_token(m, p.ids[i], p.keys[i], p.rng)));
  return out;
}

CastBallot ballot_of(People& p, const Manifest& m, const Token& t, std::uint32_t mark) {
  return ok(build_ballot(m, t, Choice::of_marks({mark % std::uint32_t{kCandidates}}), p.rng))
      .ballot;
}

std::uint64_t turnout_count(ElectionClient& c, const ElectionId& id, const char* key) {
  json t = ok(c.turnout(id));
  REQUIRE(t.contains(key));
  return t[key].get<std::uint64_t>();
}

// ---- token requests --------------------------------------------------------------------

struct SignedRequest {
  PendingTokenRequest pending;  // the client's state, to finalize the token
  std::string body;             // the RFC 9578 TokenRequest bytes
  std::string signature;        // base64url, for the Urne-Institution-Signature header
};

// A fresh token request for the election, signed with `key` as institution
// `institution` (a wrong key makes a wrong signature).
SignedRequest signed_request(const Manifest& m, const InstitutionSecretKey& key,
                             std::string_view institution, Rng& rng) {
  const TokenPublicKey& pk = m.token_public_key();
  PendingTokenRequest pending = ok(create_token_request(pk, m.token_challenge(), rng));
  const auto& wire = pending.request.bytes();
  const auto sig = ok(sign_token_request(key, m.election_id(), institution, pk.key_id(), wire));
  std::string body(wire.begin(), wire.end());
  return SignedRequest{std::move(pending), std::move(body), base64url_encode(sig)};
}

HttpResponse post_token(ElectionClient& c, const ElectionId& id, std::string_view institution,
                        std::string_view signature, std::string_view body,
                        std::string_view content_type = kTokenRequestType) {
  HttpsClient::Headers h;
  if (!institution.empty()) h.emplace_back("Urne-Institution", std::string(institution));
  if (!signature.empty()) h.emplace_back("Urne-Institution-Signature", std::string(signature));
  return send(c, "POST", path_of(id, "/token-request"), body, content_type, h);
}

// ---- ballots, officer requests, transitions, partials -----------------------------------

std::string ballot_body(const CastBallot& b) {
  return json{{"ballot", base64url_encode(b.canonical_bytes())}}.dump();
}

HttpResponse post_ballot(ElectionClient& c, const ElectionId& id, std::string_view body) {
  return send(c, "POST", path_of(id, "/ballots"), body, kJsonType);
}

// POST `body` to `target` with an officer signature made by `key` over
// `signed_body` (the same as `body` for an honest request).
HttpResponse officer_post(ElectionClient& c, const Ed25519SigningKey& key, std::string_view target,
                          std::string_view body, std::string_view signed_body) {
  const Bytes b(signed_body.begin(), signed_body.end());
  const std::string auth = ok(officer_auth_header(key, "POST", target, unix_now(), b));
  return send(c, "POST", target, body, body.empty() ? std::string_view() : kJsonType,
              {{std::string(kOfficerAuthHeader), auth}});
}

HttpResponse post_transition(ElectionClient& c, const ElectionId& id, const StateTransition& t,
                             const std::optional<FixedBytes<32>>& seed = std::nullopt) {
  json body{{"state", std::string(state_name(t.state))},
            {"sequence", t.sequence},
            {"signature", hex_encode(t.signature)}};
  if (seed) body["lot_seed"] = hex_encode(*seed);
  return send(c, "POST", path_of(id, "/transitions"), body.dump(), kJsonType);
}

std::string partials_body(const TrusteePartials& tp) {
  json list = json::array();
  for (const PartialDecryption& p : tp.partials) list.push_back(base64url_encode(p.encode()));
  return json{{"trustee", tp.trustee}, {"partials", list}}.dump();
}

// Runs job(client, i) for i in 0..count-1 on `count` threads, each with its
// own client, connected before a latch releases them all at once.
template <class F>
void all_at_once(const ApiServer& server, std::size_t count, F job) {
  std::latch ready(static_cast<std::ptrdiff_t>(count));
  std::vector<std::thread> pool;
  pool.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    pool.emplace_back([&, i] {
      auto c = ElectionClient::connect(server.url(), server.trust());
      ready.arrive_and_wait();
      if (c.ok()) job(*c, i);
    });
  }
  for (auto& t : pool) t.join();
}

// =========================================================================================
// 1. Token issuance
// =========================================================================================

TEST_CASE(
    "a token request is refused by name: draft, stranger, wrong or missing signature, "
    "content type, size and election id") {
  ApiTempDir dir;
  People p(5, 3, 2, 0xE001);
  ApiServer server(dir.path(), {p.officer.public_key()});
  ElectionClient c = server.connect();
  const Manifest m = draft(p, c);
  const ElectionId& id = m.election_id();

  const SignedRequest good = signed_request(m, p.keys[0], p.ids[0], p.rng);
  // In draft nothing is issued yet: the election must be published first.
  CHECK(error_of(post_token(c, id, p.ids[0], good.signature, good.body)) == "409 issuance_closed");
  ok(c.transition(p.officer, id, ElectionState::kPublished, 1));

  // An institution that is not on the roster.
  CHECK(error_of(post_token(c, id, "inst-99", good.signature, good.body)) == "403 not_entitled");
  // Institution 1's request signed with institution 2's key.
  const SignedRequest forged = signed_request(m, p.keys[2], p.ids[1], p.rng);
  CHECK(error_of(post_token(c, id, p.ids[1], forged.signature, forged.body)) ==
        "401 institution_signature_invalid");
  // Institution 0's signature presented for institution 1.
  CHECK(error_of(post_token(c, id, p.ids[1], good.signature, good.body)) ==
        "401 institution_signature_invalid");
  // Missing headers.
  CHECK(error_of(post_token(c, id, "", good.signature, good.body)) ==
        "401 institution_auth_missing");
  CHECK(error_of(post_token(c, id, p.ids[0], "", good.body)) == "401 institution_auth_missing");
  CHECK(error_of(post_token(c, id, "", "", good.body)) == "401 institution_auth_missing");
  // Wrong content type, and a body one byte over the 259 of a TokenRequest.
  CHECK(error_of(post_token(c, id, p.ids[0], good.signature, good.body, kJsonType)) ==
        "415 unsupported_media_type");
  CHECK(error_of(post_token(c, id, p.ids[0], good.signature, good.body + "x")) ==
        "413 payload_too_large");
  // Election ids: unknown, upper-case hex of the real one, too short.
  FixedBytes<32> other{};
  p.rng.fill(other);
  const std::string upper = [&] {
    std::string s = hex_encode(id);
    for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s;
  }();
  REQUIRE(upper != hex_encode(id));
  const auto raw_post = [&](const std::string& id_text) {
    return send(c, "POST", "/api/v1/elections/" + id_text + "/token-request", good.body,
                kTokenRequestType,
                {{"Urne-Institution", p.ids[0]}, {"Urne-Institution-Signature", good.signature}});
  };
  CHECK(error_of(raw_post(hex_encode(other))) == "404 election_not_found");
  CHECK(error_of(raw_post(upper)) == "404 election_not_found");
  CHECK(error_of(raw_post(hex_encode(id).substr(0, 62))) == "404 election_not_found");

  // None of that issued anything; the honest request is served.
  CHECK(turnout_count(c, id, "tokens_issued") == 0);
  const HttpResponse served = post_token(c, id, p.ids[0], good.signature, good.body);
  CHECK(served.status == 200);
  CHECK(served.content_type == kTokenResponseType);
  CHECK(turnout_count(c, id, "tokens_issued") == 1);
}

TEST_CASE(
    "more than kMaxFailedAttempts wrong signatures give 429 with Retry-After, and the "
    "institution's correct request is still served") {
  ApiTempDir dir;
  People p(5, 3, 2, 0xE002);
  ApiServer server(dir.path(), {p.officer.public_key()});
  ElectionClient c = server.connect();
  const Manifest m = published(p, c);
  const ElectionId& id = m.election_id();

  // Someone in the hall types wrong codes for institution 0.
  for (std::uint64_t i = 0; i < server::kMaxFailedAttempts; ++i) {
    const SignedRequest wrong = signed_request(m, p.keys[1], p.ids[0], p.rng);
    CHECK(error_of(post_token(c, id, p.ids[0], wrong.signature, wrong.body)) ==
          "401 institution_signature_invalid");
  }
  const SignedRequest wrong = signed_request(m, p.keys[1], p.ids[0], p.rng);
  const HttpResponse limited = post_token(c, id, p.ids[0], wrong.signature, wrong.body);
  CHECK(error_of(limited) == "429 too_many_attempts");
  REQUIRE(limited.headers.count("retry-after") == 1);
  CHECK(std::stoi(limited.headers.at("retry-after")) > 0);
  // The counter is per institution: institution 1 is not affected.
  const SignedRequest wrong1 = signed_request(m, p.keys[2], p.ids[1], p.rng);
  CHECK(error_of(post_token(c, id, p.ids[1], wrong1.signature, wrong1.body)) ==
        "401 institution_signature_invalid");

  // The counter is keyed on the institution, never on an address (the hall
  // shares one), so anyone could push it over the limit for any
  // institution by typing wrong codes: refusing the correct code after
  // that would let strangers lock an institution out of the election
  // (server/election_service.hpp, kMaxFailedAttempts). The real delegate's
  // request must still be served.
  SignedRequest right = signed_request(m, p.keys[0], p.ids[0], p.rng);
  const HttpResponse served = post_token(c, id, p.ids[0], right.signature, right.body);
  REQUIRE(served.status == 200);
  CHECK(served.content_type == kTokenResponseType);
  const TokenResponse response =
      ok(TokenResponse::parse(Bytes(served.body.begin(), served.body.end())));
  const Token token = ok(finalize_token(m.token_public_key(), right.pending.state, response));
  CHECK(verify_token(m.token_public_key(), m.token_challenge(), token).is_ok());
  CHECK(turnout_count(c, id, "tokens_issued") == 1);
}

TEST_CASE(
    "the same token request again gets the byte-identical response, another request of "
    "the institution gets 409") {
  ApiTempDir dir;
  People p(5, 3, 2, 0xE003);
  ApiServer server(dir.path(), {p.officer.public_key()});
  ElectionClient c = server.connect();
  const Manifest m = published(p, c);
  const ElectionId& id = m.election_id();

  const SignedRequest first = signed_request(m, p.keys[0], p.ids[0], p.rng);
  const HttpResponse a = post_token(c, id, p.ids[0], first.signature, first.body);
  const HttpResponse b = post_token(c, id, p.ids[0], first.signature, first.body);
  REQUIRE(a.status == 200);
  CHECK(b.status == 200);
  CHECK(b.content_type == kTokenResponseType);
  CHECK(a.body.size() == kTokenResponseLength);
  CHECK(b.body == a.body);

  const SignedRequest second = signed_request(m, p.keys[0], p.ids[0], p.rng);
  CHECK(error_of(post_token(c, id, p.ids[0], second.signature, second.body)) ==
        "409 already_issued_other_request");
  CHECK(turnout_count(c, id, "tokens_issued") == 1);
  // The first answer still makes a valid token.
  const TokenResponse response = ok(TokenResponse::parse(Bytes(a.body.begin(), a.body.end())));
  CHECK(finalize_token(m.token_public_key(), first.pending.state, response).ok());
}

TEST_CASE("the token issuer directory has the RFC 9578 shape") {
  ApiTempDir dir;
  People p(5, 3, 2, 0xE004);
  ApiServer server(dir.path(), {p.officer.public_key()});
  ElectionClient c = server.connect();
  const Manifest m = draft(p, c);
  const ElectionId& id = m.election_id();

  const HttpResponse r = send(c, "GET", path_of(id, "/token-issuer-directory"));
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "application/private-token-issuer-directory");
  json d = json_of(r);
  CHECK(d["issuer-request-uri"] == path_of(id, "/token-request"));
  REQUIRE(d["token-keys"].is_array());
  REQUIRE(d["token-keys"].size() == 1);
  json& key = d["token-keys"][0];
  CHECK(key["token-type"] == 2);
  // RFC 9578 §4: base64url of pkS "including padding"; the 342-byte SPKI
  // of a 2048-bit key needs none (342 = 3 * 114).
  CHECK(key["token-key"] == base64url_encode(m.token_public_key().spki()));
  const Bytes spki = ok(base64url_decode(key["token-key"].get<std::string>()));
  CHECK(ok(TokenPublicKey::parse(spki)).key_id() == m.token_public_key().key_id());

  FixedBytes<32> other{};
  p.rng.fill(other);
  CHECK(error_of(send(c, "GET", path_of(other, "/token-issuer-directory"))) ==
        "404 election_not_found");
}

// =========================================================================================
// 2. Ballots
// =========================================================================================

TEST_CASE(
    "a ballot is refused by name: bad JSON, unknown field, garbage, foreign token, not "
    "open, token used, token mismatch, closed") {
  ApiTempDir dir;
  People p(5, 3, 2, 0xE005);
  ApiServer server(dir.path(), {p.officer.public_key()});
  ElectionClient c = server.connect();
  const Manifest m = published(p, c);
  const ElectionId& id = m.election_id();
  const std::vector<Token> tokens = tokens_of(p, c, m, 3);
  const CastBallot b0 = ballot_of(p, m, tokens[0], 0);
  const CastBallot b0_other = ballot_of(p, m, tokens[0], 1);
  const CastBallot b1 = ballot_of(p, m, tokens[1], 2);
  const CastBallot b2 = ballot_of(p, m, tokens[2], 0);

  // Published, not yet open.
  CHECK(error_of(post_ballot(c, id, ballot_body(b0))) == "409 ballot_not_open");
  ok(c.transition(p.officer, id, ElectionState::kOpen, 2));

  CHECK(error_of(post_ballot(c, id, "{\"ballot\": ")) == "400 bad_json");
  CHECK(error_of(post_ballot(c, id, "ballot=abc")) == "400 bad_json");
  json extra{{"ballot", base64url_encode(b0.canonical_bytes())}, {"choice", 1}};
  CHECK(error_of(post_ballot(c, id, extra.dump())) == "400 unknown_field");
  // Base64url that decodes to garbage: refused by the ballot parser (its
  // own reason), a 400 that spends nothing.
  const HttpResponse garbage =
      post_ballot(c, id, json{{"ballot", base64url_encode(Bytes(500, 0xA5))}}.dump());
  CHECK(garbage.status == 400);
  CHECK(error_of(garbage).rfind("400 ", 0) == 0);
  // A ballot whose token is signed by a key that is not the election's.
  {
    const TokenIssuer rogue = ok(TokenIssuer::create(ok(BlindRsaSecretKey::generate(2048))));
    PendingTokenRequest pending =
        ok(create_token_request(rogue.public_key(), m.token_challenge(), p.rng));
    const TokenResponse resp = ok(rogue.evaluate(pending.request));
    const Token foreign = ok(finalize_token(rogue.public_key(), pending.state, resp));
    // build_ballot refuses such a token; the shape is all CastBallot checks.
    ProvenBallot proven = b2.proven();
    const CastBallot forged = ok(CastBallot::create(foreign, std::move(proven)));
    CHECK(error_of(post_ballot(c, id, ballot_body(forged))) == "401 token_invalid");
  }
  // A `token` field that is not the ballot's own token.
  {
    json body{{"ballot", base64url_encode(b1.canonical_bytes())},
              {"token", base64url_encode(tokens[0].bytes())}};
    CHECK(error_of(post_ballot(c, id, body.dump())) == "400 token_mismatch");
    body["token"] = base64url_encode(tokens[1].bytes());  // the right one is fine
    CHECK(post_ballot(c, id, body.dump()).status == 201);
  }
  CHECK(turnout_count(c, id, "ballots_cast") == 1);

  const HttpResponse accepted = post_ballot(c, id, ballot_body(b0));
  REQUIRE(accepted.status == 201);
  const json first = json_of(accepted);
  CHECK(first["status"] == "accepted");
  CHECK(error_of(post_ballot(c, id, ballot_body(b0_other))) == "409 token_already_used");
  const HttpResponse again = post_ballot(c, id, ballot_body(b0));
  CHECK(again.status == 200);
  CHECK(json_of(again)["status"] == "already_accepted");
  CHECK(json_of(again)["receipt"] == first["receipt"]);
  CHECK(turnout_count(c, id, "ballots_cast") == 2);

  ok(c.transition(p.officer, id, ElectionState::kClosed, 3, p.lot_seed));
  // Token 2 was never spent, but the box is closed.
  CHECK(error_of(post_ballot(c, id, ballot_body(b2))) == "409 ballot_closed");
  // A retry whose answer was lost still gets its receipt after the close.
  const HttpResponse late = post_ballot(c, id, ballot_body(b0));
  CHECK(late.status == 200);
  CHECK(json_of(late)["status"] == "already_accepted");
  CHECK(json_of(late)["receipt"] == first["receipt"]);
  CHECK(turnout_count(c, id, "ballots_cast") == 2);
}

// =========================================================================================
// 3. The officer
// =========================================================================================

TEST_CASE("officer setup requests need a known officer's signature over this very request") {
  ApiTempDir dir;
  People p(5, 3, 2, 0xE006);
  People other(5, 3, 2, 0xE0F6);  // another officer, unknown to this server
  ApiServer server(dir.path(), {p.officer.public_key()});
  ElectionClient c = server.connect();

  CHECK(error_of(send(c, "POST", "/api/v1/token-keys")) == "401 officer_auth_missing");
  CHECK(error_of(officer_post(c, other.officer, "/api/v1/token-keys", "", "")) ==
        "403 unknown_officer");
  // The officer's signature over another body (or another target).
  const std::string roster_body =
      json{{"roster", base64url_encode(p.roster->canonical_bytes())}}.dump();
  CHECK(error_of(officer_post(c, p.officer, "/api/v1/rosters", roster_body,
                              R"({"roster":"AAAA"})")) == "401 officer_signature_invalid");
  {
    const std::string auth =
        ok(officer_auth_header(p.officer, "POST", "/api/v1/rosters", unix_now(), Bytes{}));
    CHECK(error_of(send(c, "POST", "/api/v1/token-keys", "", "",
                        {{std::string(kOfficerAuthHeader), auth}})) ==
          "401 officer_signature_invalid");
  }
  CHECK(officer_post(c, p.officer, "/api/v1/rosters", roster_body, roster_body).status == 201);

  // A manifest naming another officer, sent by this server's officer.
  const TokenPublicKey token_key = ok(c.create_token_key(p.officer, unix_now()));
  const Ed25519PublicKey service = ok(c.service_key());
  const Manifest foreign = other.manifest(token_key, service, kCandidates);
  const std::string body = json{{"manifest", base64url_encode(foreign.canonical_bytes())}}.dump();
  CHECK(error_of(officer_post(c, p.officer, "/api/v1/elections", body, body)) ==
        "403 unknown_officer");
  CHECK(ok(c.get_json("/api/v1/elections"))["elections"].empty());
}

TEST_CASE(
    "transitions are refused by name: stranger, skipped state, seed missing or wrong, "
    "bogus state; a repeat is a no-op") {
  ApiTempDir dir;
  People p(5, 3, 2, 0xE007);
  ApiServer server(dir.path(), {p.officer.public_key()});
  ElectionClient c = server.connect();
  const Manifest m = draft(p, c);
  const ElectionId& id = m.election_id();
  const Ed25519SigningKey stranger = Ed25519SigningKey::generate(p.rng);
  const auto signed_by = [&](const Ed25519SigningKey& k, ElectionState s, std::uint32_t seq) {
    return ok(sign_transition(k, id, s, seq));
  };

  CHECK(error_of(post_transition(c, id, signed_by(stranger, ElectionState::kPublished, 1))) ==
        "401 transition_signature_invalid");
  // Draft -> open skips "published".
  CHECK(error_of(post_transition(c, id, signed_by(p.officer, ElectionState::kOpen, 1))) ==
        "409 wrong_state");
  CHECK(error_of(post_transition(c, id, signed_by(p.officer, ElectionState::kOpen, 2))) ==
        "409 wrong_state");

  const StateTransition publish = signed_by(p.officer, ElectionState::kPublished, 1);
  const HttpResponse first = post_transition(c, id, publish);
  REQUIRE(first.status == 200);
  CHECK(json_of(first)["newly_applied"] == true);
  const HttpResponse repeat = post_transition(c, id, publish);
  CHECK(repeat.status == 200);
  CHECK(json_of(repeat)["newly_applied"] == false);
  // Published -> closed skips "open" (with the right seed).
  CHECK(error_of(post_transition(c, id, signed_by(p.officer, ElectionState::kClosed, 2),
                                 p.lot_seed)) == "409 wrong_state");

  const Token token = ok(c.fetch_token(m, p.ids[0], p.keys[0], p.rng));
  ok(c.transition(p.officer, id, ElectionState::kOpen, 2));

  const StateTransition close = signed_by(p.officer, ElectionState::kClosed, 3);
  CHECK(error_of(post_transition(c, id, close)) == "400 lot_seed_required");
  FixedBytes<32> wrong_seed = p.lot_seed;
  wrong_seed[0] ^= 1;
  CHECK(error_of(post_transition(c, id, close, wrong_seed)) == "409 lot_seed_mismatch");
  // Nothing moved: both components are still open, a ballot is taken.
  json t = ok(c.turnout(id));
  CHECK(t["state"] == "open");
  CHECK(t["sequence"] == 2);
  CHECK(post_ballot(c, id, ballot_body(ballot_of(p, m, token, 0))).status == 201);

  json bogus{{"state", "bogus"}, {"sequence", 3}, {"signature", hex_encode(close.signature)}};
  CHECK(error_of(send(c, "POST", path_of(id, "/transitions"), bogus.dump(), kJsonType)) ==
        "400 bad_state");
  bogus["state"] = "draft";  // never a transition's target
  CHECK(error_of(send(c, "POST", path_of(id, "/transitions"), bogus.dump(), kJsonType)) ==
        "400 bad_state");

  CHECK(post_transition(c, id, close, p.lot_seed).status == 200);
  CHECK(turnout_count(c, id, "ballots_cast") == 1);
}

// =========================================================================================
// 4. Trustees
// =========================================================================================

TEST_CASE(
    "partial decryptions are refused before the close, with a broken proof, and "
    "too few of them cannot be tallied") {
  ApiTempDir dir;
  People p(5, 3, 2, 0xE008);
  ApiServer server(dir.path(), {p.officer.public_key()});
  ElectionClient c = server.connect();
  const Manifest m = published(p, c);
  const ElectionId& id = m.election_id();
  const std::vector<Token> tokens = tokens_of(p, c, m, 4);
  ok(c.transition(p.officer, id, ElectionState::kOpen, 2));
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    ok(c.cast(m, ballot_of(p, m, tokens[i], static_cast<std::uint32_t>(i))));
  }

  const auto post_partials = [&](std::string_view body) {
    return send(c, "POST", path_of(id, "/partials"), body, kJsonType);
  };
  CHECK(error_of(post_partials(R"({"trustee":1,"partials":[]})")) == "409 ballot_not_closed");

  ok(c.transition(p.officer, id, ElectionState::kClosed, 3, p.lot_seed));
  const Board board = ok(c.board(id));
  const auto sums = ok(c.sums(id));
  REQUIRE(sums.size() >= 2);
  TrusteePartials good = p.decrypt(m, board, sums, 1);

  // Valid partials, each for another sum than the one of its slot.
  TrusteePartials swapped = p.decrypt(m, board, sums, 1);
  std::swap(swapped.partials[0], swapped.partials[1]);
  CHECK(error_of(post_partials(partials_body(swapped))) == "401 partial_decryption_invalid");
  // Trustee 2's partials sent as trustee 3's.
  TrusteePartials two = p.decrypt(m, board, sums, 2);
  json relabeled = json::parse(partials_body(two));
  relabeled["trustee"] = 3;
  CHECK(error_of(post_partials(relabeled.dump())) == "400 inconsistent_partials");

  const HttpResponse stored = post_partials(partials_body(good));
  REQUIRE(stored.status == 201);
  CHECK(json_of(stored)["status"] == "stored");
  const HttpResponse again = post_partials(partials_body(good));
  CHECK(again.status == 200);
  CHECK(json_of(again)["status"] == "already_stored");
  CHECK(json_of(again)["trustees"] == 1);

  // One of k = 2.
  CHECK(error_of(post_transition(c, id,
                                 ok(sign_transition(p.officer, id, ElectionState::kTallied, 4)))) ==
        "409 too_few_partials");
  CHECK(ok(c.turnout(id))["state"] == "closed");
}

// =========================================================================================
// 5. Concurrency (the issue's numbers)
// =========================================================================================

TEST_CASE("one token cast 100 times at once with 100 different ballots is accepted exactly once") {
  ApiTempDir dir;
  People p(5, 3, 2, 0xE009);
  ApiServer server(dir.path(), {p.officer.public_key()});
  ElectionClient c = server.connect();
  const Manifest m = published(p, c);
  const ElectionId& id = m.election_id();
  const Token token = ok(c.fetch_token(m, p.ids[0], p.keys[0], p.rng));
  ok(c.transition(p.officer, id, ElectionState::kOpen, 2));

  constexpr std::size_t kTries = 100;
  std::vector<std::string> bodies;
  std::set<std::string> distinct;
  for (std::size_t i = 0; i < kTries; ++i) {
    const CastBallot b = ballot_of(p, m, token, static_cast<std::uint32_t>(i));
    distinct.insert(hex_encode(b.ballot_hash()));
    bodies.push_back(ballot_body(b));
  }
  REQUIRE(distinct.size() == kTries);

  std::vector<std::optional<HttpResponse>> answers(kTries);
  all_at_once(server, kTries, [&](ElectionClient& tc, std::size_t i) {
    auto r = tc.http().request("POST", path_of(id, "/ballots"), bodies[i], kJsonType);
    if (r.ok()) answers[i] = std::move(r).value();
  });

  std::size_t accepted = 0;
  std::size_t used = 0;
  for (std::size_t i = 0; i < kTries; ++i) {
    REQUIRE_MESSAGE(answers[i].has_value(), "request ", i, " got no answer");
    if (answers[i]->status == 201) {
      ++accepted;
    } else {
      CHECK(error_of(*answers[i]) == "409 token_already_used");
      ++used;
    }
  }
  CHECK(accepted == 1);
  CHECK(used == kTries - 1);
  CHECK(turnout_count(c, id, "ballots_cast") == 1);
}

TEST_CASE(
    "one institution asking 100 times at once with the same request gets 100 identical "
    "responses and one token") {
  ApiTempDir dir;
  People p(5, 3, 2, 0xE00A);
  ApiServer server(dir.path(), {p.officer.public_key()});
  ElectionClient c = server.connect();
  const Manifest m = published(p, c);
  const ElectionId& id = m.election_id();
  SignedRequest req = signed_request(m, p.keys[0], p.ids[0], p.rng);

  constexpr std::size_t kTries = 100;
  std::vector<std::optional<HttpResponse>> answers(kTries);
  all_at_once(server, kTries, [&](ElectionClient& tc, std::size_t i) {
    auto r = tc.http().request(
        "POST", path_of(id, "/token-request"), req.body, kTokenRequestType,
        {{"Urne-Institution", p.ids[0]}, {"Urne-Institution-Signature", req.signature}});
    if (r.ok()) answers[i] = std::move(r).value();
  });

  REQUIRE(answers[0].has_value());
  REQUIRE(answers[0]->status == 200);
  for (std::size_t i = 0; i < kTries; ++i) {
    REQUIRE_MESSAGE(answers[i].has_value(), "request ", i, " got no answer");
    CHECK(answers[i]->status == 200);
    CHECK(answers[i]->body == answers[0]->body);
  }
  CHECK(turnout_count(c, id, "tokens_issued") == 1);
  const TokenResponse response =
      ok(TokenResponse::parse(Bytes(answers[0]->body.begin(), answers[0]->body.end())));
  CHECK(finalize_token(m.token_public_key(), req.pending.state, response).ok());
}

TEST_CASE(
    "one institution sending 100 different requests at once gets exactly one token, the "
    "other 99 requests get 409") {
  ApiTempDir dir;
  People p(5, 3, 2, 0xE00B);
  ApiServer server(dir.path(), {p.officer.public_key()});
  ElectionClient c = server.connect();
  const Manifest m = published(p, c);
  const ElectionId& id = m.election_id();

  constexpr std::size_t kTries = 100;
  std::vector<SignedRequest> reqs;
  for (std::size_t i = 0; i < kTries; ++i)
    reqs.push_back(signed_request(m, p.keys[0], p.ids[0], p.rng));

  std::vector<std::optional<HttpResponse>> answers(kTries);
  all_at_once(server, kTries, [&](ElectionClient& tc, std::size_t i) {
    auto r = tc.http().request(
        "POST", path_of(id, "/token-request"), reqs[i].body, kTokenRequestType,
        {{"Urne-Institution", p.ids[0]}, {"Urne-Institution-Signature", reqs[i].signature}});
    if (r.ok()) answers[i] = std::move(r).value();
  });

  std::optional<std::size_t> winner;
  std::size_t refused = 0;
  for (std::size_t i = 0; i < kTries; ++i) {
    REQUIRE_MESSAGE(answers[i].has_value(), "request ", i, " got no answer");
    if (answers[i]->status == 200) {
      CHECK_FALSE(winner.has_value());
      winner = i;
    } else {
      CHECK(error_of(*answers[i]) == "409 already_issued_other_request");
      ++refused;
    }
  }
  REQUIRE(winner.has_value());
  CHECK(refused == kTries - 1);
  CHECK(turnout_count(c, id, "tokens_issued") == 1);
  // The winner's answer makes its token; its request is the one stored.
  const HttpResponse& w = *answers[*winner];
  const TokenResponse response = ok(TokenResponse::parse(Bytes(w.body.begin(), w.body.end())));
  CHECK(finalize_token(m.token_public_key(), reqs[*winner].pending.state, response).ok());
  const HttpResponse again =
      post_token(c, id, p.ids[0], reqs[*winner].signature, reqs[*winner].body);
  CHECK(again.status == 200);
  CHECK(again.body == w.body);
}

// =========================================================================================
// 6. No 500 for a client's mistake
// =========================================================================================

struct Hostile {
  const char* what;
  std::string method;
  std::string target;
  std::string body;
  std::string content_type;
  HttpsClient::Headers headers;
  std::string expected;  // "<status> <code>", or "4xx" when only the class is fixed
  // The server answers before reading the whole header and closes: the
  // client may see the connection reset before it reads the answer (only
  // a 413's body is read away, bounded, before the close).
  bool may_drop = false;
};

TEST_CASE("hostile requests each get a 4xx with a JSON error body, never a 500") {
  ApiTempDir dir;
  People p(5, 3, 2, 0xE00C);
  ApiServer server(dir.path(), {p.officer.public_key()});
  ElectionClient c = server.connect();
  const Manifest m = published(p, c);
  const ElectionId& id = m.election_id();
  const std::string ballots = path_of(id, "/ballots");
  const std::string transitions = path_of(id, "/transitions");
  const std::string token_request = path_of(id, "/token-request");
  const std::string sig(128, 'a');
  const std::string deep_arrays =
      "{\"ballot\":" + std::string(20000, '[') + std::string(20000, ']') + "}";
  std::string deep_objects = "{\"ballot\":\"AA\",\"x\":";
  for (int i = 0; i < 5000; ++i) deep_objects += "{\"a\":";
  deep_objects += "1" + std::string(5000, '}') + "}";
  const SignedRequest good = signed_request(m, p.keys[0], p.ids[0], p.rng);

  const std::vector<Hostile> table = {
      {"wrong method on ballots", "DELETE", ballots, "", "", {}, "405 method_not_allowed"},
      {"wrong method on token-request",
       "PUT",
       token_request,
       good.body,
       std::string(kTokenRequestType),
       {},
       "405 method_not_allowed"},
      {"GET on transitions", "GET", transitions, "", "", {}, "405 method_not_allowed"},
      {"path traversal with dots",
       "GET",
       "/api/v1/elections/../../../etc/passwd",
       "",
       "",
       {},
       "400 bad_path"},
      {"path traversal, encoded slash",
       "GET",
       "/api/v1/elections/..%2f..%2fetc%2fpasswd",
       "",
       "",
       {},
       "400 bad_path"},
      {"path traversal, encoded backslash",
       "GET",
       "/api/v1/elections/..%5c..%5cboot.ini",
       "",
       "",
       {},
       "400 bad_path"},
      {"encoded NUL in the id", "GET", path_of(id) + "%00", "", "", {}, "400 bad_path"},
      {"bad percent escape", "GET", "/api/v1/elections/%zz", "", "", {}, "400 bad_path"},
      {"1000-digit election id",
       "GET",
       "/api/v1/elections/" + std::string(1000, 'a'),
       "",
       "",
       {},
       "404 election_not_found"},
      {"20000 nested arrays", "POST", ballots, deep_arrays, "application/json", {}, "400 bad_json"},
      {"5000 nested objects",
       "POST",
       ballots,
       deep_objects,
       "application/json",
       {},
       "400 bad_json"},
      {"invalid UTF-8 in a string",
       "POST",
       ballots,
       "{\"ballot\":\"\xff\xfe\"}",
       "application/json",
       {},
       "400 bad_json"},
      {"invalid UTF-8 in a key",
       "POST",
       transitions,
       "{\"st\xc3\x28te\":\"open\"}",
       "application/json",
       {},
       "400 bad_json"},
      {"overlong UTF-8 in the state",
       "POST",
       transitions,
       "{\"state\":\"\xc0\xafopen\",\"sequence\":2,\"signature\":\"" + sig + "\"}",
       "application/json",
       {},
       "400 bad_json"},
      {"unpaired surrogate escape",
       "POST",
       ballots,
       R"({"ballot":"\ud800"})",
       "application/json",
       {},
       "400 bad_json"},
      {"empty body on POST ballots", "POST", ballots, "", "application/json", {}, "400 bad_json"},
      {"empty body without content type",
       "POST",
       ballots,
       "",
       "",
       {},
       "415 unsupported_media_type"},
      {"NUL after the object",
       "POST",
       ballots,
       std::string("{}\0{\"x\":1}", 10),
       "application/json",
       {},
       "400 bad_json"},
      {"duplicate key",
       "POST",
       ballots,
       R"({"ballot":"AA","ballot":"AB"})",
       "application/json",
       {},
       "400 bad_json"},
      {"array instead of object", "POST", ballots, "[]", "application/json", {}, "400 wrong_type"},
      {"ballot is a number",
       "POST",
       ballots,
       R"({"ballot":5})",
       "application/json",
       {},
       "400 wrong_type"},
      {"ballot is null",
       "POST",
       ballots,
       R"({"ballot":null})",
       "application/json",
       {},
       "400 wrong_type"},
      {"ballot is not base64url",
       "POST",
       ballots,
       R"({"ballot":"===="})",
       "application/json",
       {},
       "400 bad_encoding"},
      {"ballot body over the limit",
       "POST",
       ballots,
       "{\"ballot\":\"" + std::string(200 * 1024, 'A') + "\"}",
       "application/json",
       {},
       "413 payload_too_large"},  // the server reads the refused body away: no reset
      {"sequence 1e400",
       "POST",
       transitions,
       "{\"state\":\"open\",\"sequence\":1e400,\"signature\":\"" + sig + "\"}",
       "application/json",
       {},
       "400 bad_json"},
      {"sequence -1",
       "POST",
       transitions,
       "{\"state\":\"open\",\"sequence\":-1,\"signature\":\"" + sig + "\"}",
       "application/json",
       {},
       "400 wrong_type"},
      {"sequence 2^64",
       "POST",
       transitions,
       "{\"state\":\"open\",\"sequence\":18446744073709551616,\"signature\":\"" + sig + "\"}",
       "application/json",
       {},
       "400 wrong_type"},
      {"lot seed not hex",
       "POST",
       transitions,
       "{\"state\":\"closed\",\"sequence\":3,\"signature\":\"" + sig + "\",\"lot_seed\":\"zz\"}",
       "application/json",
       {},
       "400 bad_encoding"},
      {"state of 10000 characters",
       "POST",
       transitions,
       "{\"state\":\"" + std::string(10000, 'o') + "\",\"sequence\":2,\"signature\":\"" + sig +
           "\"}",
       "application/json",
       {},
       "400 field_too_large"},
      // Which of "no such trustee" and "not closed" comes first is not
      // documented: either is a 4xx.
      {"trustee 0",
       "POST",
       path_of(id, "/partials"),
       R"({"trustee":0,"partials":[]})",
       "application/json",
       {},
       "4xx"},
      {"trustee 256",
       "POST",
       path_of(id, "/partials"),
       R"({"trustee":256,"partials":[]})",
       "application/json",
       {},
       "400 field_too_large"},
      // A const json's operator[] on this missing key once reached
      // nlohmann's JSON_ASSERT (an abort where asserts are on).
      {"partials field missing",
       "POST",
       path_of(id, "/partials"),
       R"({"trustee":1})",
       "application/json",
       {},
       "400 missing_field"},
      {"partials not an array",
       "POST",
       path_of(id, "/partials"),
       R"({"trustee":1,"partials":7})",
       "application/json",
       {},
       "400 wrong_type"},
      {"token request, signature not base64url",
       "POST",
       token_request,
       good.body,
       std::string(kTokenRequestType),
       {{"Urne-Institution", p.ids[0]}, {"Urne-Institution-Signature", "!!!"}},
       "401 institution_signature_invalid"},
      {"token request, 10-byte signature",
       "POST",
       token_request,
       good.body,
       std::string(kTokenRequestType),
       {{"Urne-Institution", p.ids[0]}, {"Urne-Institution-Signature", "AAAAAAAAAAAAAA"}},
       "400 bad_signature_encoding"},
      {"token request, 259 bytes of garbage",
       "POST",
       token_request,
       std::string(259, '\x07'),
       std::string(kTokenRequestType),
       {{"Urne-Institution", p.ids[0]}, {"Urne-Institution-Signature", good.signature}},
       "400 wrong_token_type"},
      {"token request, empty body",
       "POST",
       token_request,
       "",
       std::string(kTokenRequestType),
       {{"Urne-Institution", p.ids[0]}, {"Urne-Institution-Signature", good.signature}},
       "400 bad_length"},
      {"token request, institution id of 5000 bytes",
       "POST",
       token_request,
       good.body,
       std::string(kTokenRequestType),
       {{"Urne-Institution", std::string(5000, 'i')},
        {"Urne-Institution-Signature", good.signature}},
       "403 not_entitled"},
      {"token request, 16 KiB header",
       "POST",
       token_request,
       good.body,
       std::string(kTokenRequestType),
       {{"Urne-Institution", std::string(16 * 1024, 'i')},
        {"Urne-Institution-Signature", good.signature}},
       "431 header_too_large",
       true},
      {"officer auth header malformed",
       "POST",
       "/api/v1/token-keys",
       "",
       "",
       {{std::string(kOfficerAuthHeader), "key=zz, time=x, sig=!"}},
       "401 officer_auth_malformed"},
  };

  for (const Hostile& h : table) {
    const std::string what = h.what;
    CAPTURE(what);
    // A fresh connection per request: some answers close the connection.
    ElectionClient fresh = server.connect();
    auto sent = fresh.http().request(h.method, h.target, h.body, h.content_type, h.headers);
    if (!sent.ok() && h.may_drop) {
      MESSAGE("connection closed before the answer was read: ", sent.status().to_string());
      continue;
    }
    REQUIRE_MESSAGE(sent.ok(), sent.status().to_string());
    const HttpResponse& r = *sent;
    const std::string got = error_of(r);
    CHECK_MESSAGE(r.status >= 400, got);
    CHECK_MESSAGE(r.status < 500, got);
    if (h.expected == "4xx") {
      // The class is what matters; the code must still be a well-formed body.
      CHECK_MESSAGE(got.find('(') == std::string::npos, got);
    } else {
      CHECK(got == h.expected);
    }
    if (r.status == 405) CHECK(r.headers.count("allow") == 1);
  }
  // None of that changed anything, and the server still serves.
  CHECK(turnout_count(c, id, "tokens_issued") == 0);
  CHECK(turnout_count(c, id, "ballots_cast") == 0);
  CHECK(post_token(c, id, p.ids[0], good.signature, good.body).status == 200);
}

}  // namespace
}  // namespace urne::test
