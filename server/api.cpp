#include "server/api.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "ballot/officer.hpp"
#include "codec/json_views.hpp"
#include "crypto/bytes.hpp"

namespace urne::server {
namespace {

using codec::json;

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kTokenRequestType = "application/private-token-request";
constexpr std::string_view kTokenResponseType = "application/private-token-response";
constexpr std::string_view kIssuerDirectoryType = "application/private-token-issuer-directory";

Response json_ok(const json& j, int status = 200) {
  Response r = json_response(j.dump(), status);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response binary_ok(Bytes bytes, std::string_view content_type) {
  Response r;
  r.content_type = std::string(content_type);
  r.body.assign(bytes.begin(), bytes.end());
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// Turns a handler body that returns Result<Response> into a Handler: every
// error becomes the JSON error body (http_error.hpp), with Retry-After on
// 429 so that a client backs off.
template <class F>
Handler handler(F f) {
  return [f = std::move(f)](const Request& req) -> Response {
    Result<Response> r = f(req);
    if (r.ok()) return std::move(r).value();
    Response e = error_response(r.status());
    if (e.status == 429) e.headers.emplace_back("Retry-After", "60");
    return e;
  };
}

Status not_served(std::string_view component) {
  return Status(
      Code::kNotFound, "not_served_here",
      "this server does not run the " + std::string(component) + "; ask the server that does");
}

Result<ElectionId> election_param(const Request& req) {
  const auto it = req.params.find("id");
  if (it == req.params.end()) return invalid_argument("bad_election_id", "no election id");
  auto bytes = hex_decode(it->second);
  // One text form: 64 lower-case hex digits.
  if (!bytes.ok() || bytes->size() != 32 || hex_encode(*bytes) != it->second) {
    return Status(Code::kNotFound, "election_not_found",
                  "an election id is 64 lower-case hex digits");
  }
  return to_fixed<32>(*bytes, "election id");
}

std::string header(const Request& req, const char* name) {
  const auto it = req.headers.find(name);
  return it == req.headers.end() ? std::string() : it->second;
}

// The officer's setup requests carry a request signature (ballot/officer.hpp).
Status check_officer(const ApiServices& s, const Request& req) {
  std::string lower(kOfficerAuthHeader);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string h = header(req, lower.c_str());
  const Bytes body(req.body.begin(), req.body.end());
  return verify_officer_request(s.officer_keys, h, req.method, req.target, body, s.now()).status();
}

Result<json> body_object(const Request& req) { return codec::parse_json_object(req.body); }

json transition_view(const StateTransition& t) {
  return json{{"state", std::string(state_name(t.state))},
              {"sequence", t.sequence},
              {"signature", hex_encode(t.signature)}};
}

json transitions_view(const std::vector<StateTransition>& ts) {
  json out = json::array();
  for (const StateTransition& t : ts) out.push_back(transition_view(t));
  return out;
}

json issuance_view(const std::vector<IssuanceEntry>& log) {
  json out = json::array();
  for (const IssuanceEntry& e : log) {
    out.push_back(json{{"institution_id", e.institution_id},
                       {"token_request", base64url_encode(e.request.bytes())},
                       {"signature", hex_encode(e.signature)}});
  }
  return out;
}

Result<std::vector<IssuanceEntry>> parse_issuance(const json& body) {
  URNE_RETURN_IF_ERROR(codec::only_keys(body, {"issuance"}));
  const auto it = body.find("issuance");
  if (it == body.end()) return invalid_argument("missing_field", "issuance: missing");
  if (!it->is_array()) return invalid_argument("wrong_type", "issuance must be an array");
  const json& list = *it;
  if (list.size() > Roster::kMaxInstitutions) {
    return invalid_argument("field_too_large", "more entries than a roster can have");
  }
  std::vector<IssuanceEntry> out;
  for (const json& e : list) {
    URNE_RETURN_IF_ERROR(codec::only_keys(e, {"institution_id", "token_request", "signature"}));
    URNE_ASSIGN_OR_RETURN(std::string id, codec::string_field(e, "institution_id", 64));
    URNE_ASSIGN_OR_RETURN(Bytes req, codec::b64url_field(e, "token_request", 259));
    URNE_ASSIGN_OR_RETURN(TokenRequest request, TokenRequest::parse(req));
    URNE_ASSIGN_OR_RETURN(const FixedBytes<64> sig, codec::hex64_field(e, "signature"));
    out.push_back(IssuanceEntry{std::move(id), request, sig});
  }
  return out;
}

// ---- turnout: counts only, from whichever component runs here ------------------------

Result<json> turnout(const ApiServices& s, const ElectionId& id) {
  json out = json::object();
  if (s.register_service != nullptr) {
    URNE_ASSIGN_OR_RETURN(const auto st, s.register_service->status(id));
    URNE_ASSIGN_OR_RETURN(const auto issued, s.register_service->tokens_issued(id));
    URNE_ASSIGN_OR_RETURN(const Roster roster, s.register_service->roster(id));
    out["state"] = std::string(state_name(st.state));
    out["sequence"] = st.sequence;
    out["tokens_issued"] = issued;
    out["institutions"] = roster.institutions().size();
  }
  if (s.ballot_box != nullptr) {
    URNE_ASSIGN_OR_RETURN(const auto ts, s.ballot_box->transitions(id));
    URNE_ASSIGN_OR_RETURN(const auto cast, s.ballot_box->ballots_cast(id));
    if (s.register_service == nullptr) {
      out["state"] = std::string(state_name(store::state_after(ts)));
      out["sequence"] = ts.size();
    }
    out["ballots_cast"] = cast;
  }
  return out;
}

// ---- routes ----------------------------------------------------------------------------

void add_public_routes(Router& router, const ApiServices& s) {
  router.add("GET", "/api/v1/service", handler([&s](const Request&) -> Result<Response> {
               json out{{"role", std::string(role_name(s.role))}};
               json officers = json::array();
               for (const auto& k : s.officer_keys) officers.push_back(hex_encode(k));
               out["officer_keys"] = officers;
               if (s.ballot_box != nullptr)
                 out["service_key"] = hex_encode(s.ballot_box->service_key());
               if (s.voting_page_sha256)
                 out["voting_page_sha256"] = hex_encode(*s.voting_page_sha256);
               return json_ok(out);
             }));

  router.add("GET", "/api/v1/elections", handler([&s](const Request&) -> Result<Response> {
               if (s.register_service == nullptr) return not_served("register");
               URNE_ASSIGN_OR_RETURN(const auto list, s.register_service->elections());
               json out = json::array();
               for (const ElectionOverview& e : list) {
                 json j{{"election_id", hex_encode(e.election_id)},
                        {"title", e.title},
                        {"state", std::string(state_name(e.state))},
                        {"sequence", e.sequence}};
                 if (e.kind) j["kind"] = *e.kind;
                 out.push_back(std::move(j));
               }
               return json_ok(json{{"elections", out}});
             }));

  router.add("GET", "/api/v1/elections/{id}", handler([&s](const Request& req) -> Result<Response> {
               URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
               URNE_ASSIGN_OR_RETURN(const Manifest m, s.register_service != nullptr
                                                           ? s.register_service->manifest(id)
                                                           : s.ballot_box->manifest(id));
               URNE_ASSIGN_OR_RETURN(json counts, turnout(s, id));
               json transitions;
               if (s.register_service != nullptr) {
                 URNE_ASSIGN_OR_RETURN(const auto ts, s.register_service->transitions(id));
                 transitions = transitions_view(ts);
               } else {
                 URNE_ASSIGN_OR_RETURN(const auto ts, s.ballot_box->transitions(id));
                 transitions = transitions_view(ts);
               }
               return json_ok(json{{"election_id", hex_encode(id)},
                                   {"state", counts["state"]},
                                   {"sequence", counts["sequence"]},
                                   {"transitions", transitions},
                                   {"manifest", codec::manifest_view(m)}});
             }));

  router.add("GET", "/api/v1/elections/{id}/turnout",
             handler([&s](const Request& req) -> Result<Response> {
               URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
               URNE_ASSIGN_OR_RETURN(json counts, turnout(s, id));
               return json_ok(counts);
             }));
}

void add_register_routes(Router& router, const ApiServices& s) {
  RegisterService* reg = s.register_service;
  if (reg == nullptr) return;

  router.add("POST", "/api/v1/rosters", handler([&s, reg](const Request& req) -> Result<Response> {
               URNE_RETURN_IF_ERROR(check_officer(s, req));
               URNE_ASSIGN_OR_RETURN(const json body, body_object(req));
               URNE_RETURN_IF_ERROR(codec::only_keys(body, {"roster"}));
               URNE_ASSIGN_OR_RETURN(const Bytes bytes,
                                     codec::b64url_field(body, "roster", kRosterBodyLimit));
               URNE_ASSIGN_OR_RETURN(const Roster roster, Roster::parse_canonical(bytes));
               URNE_RETURN_IF_ERROR(codec::check_roster_text(roster));
               URNE_RETURN_IF_ERROR(reg->put_roster(roster));
               return json_ok(codec::roster_view(roster), 201);
             }),
             {.content_type = std::string(kJson), .body_limit = kRosterBodyLimit * 4 / 3 + 64});

  router.add("POST", "/api/v1/token-keys",
             handler([&s, reg](const Request& req) -> Result<Response> {
               URNE_RETURN_IF_ERROR(check_officer(s, req));
               URNE_ASSIGN_OR_RETURN(const TokenPublicKey pk, reg->create_token_key());
               return json_ok(json{{"token_public_key", base64url_encode(pk.spki())},
                                   {"token_key_id", hex_encode(pk.key_id())}},
                              201);
             }),
             {.content_type = "", .body_limit = 0});

  router.add("GET", "/api/v1/elections/{id}/roster",
             handler([reg](const Request& req) -> Result<Response> {
               URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
               URNE_ASSIGN_OR_RETURN(const Roster roster, reg->roster(id));
               return json_ok(codec::roster_view(roster));
             }));

  // RFC 9578 §4: the issuer directory of this election's token key.
  router.add(
      "GET", "/api/v1/elections/{id}/token-issuer-directory",
      handler([reg](const Request& req) -> Result<Response> {
        URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
        URNE_ASSIGN_OR_RETURN(const Manifest m, reg->manifest(id));
        const json dir{
            {"issuer-request-uri", "/api/v1/elections/" + hex_encode(id) + "/token-request"},
            {"token-keys",
             json::array({json{{"token-type", 2},
                               {"token-key", base64url_encode(m.token_public_key().spki())}}})}};
        Response r = json_ok(dir);
        r.content_type = std::string(kIssuerDirectoryType);
        return r;
      }));

  router.add(
      "POST", "/api/v1/elections/{id}/token-request",
      handler([reg](const Request& req) -> Result<Response> {
        URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
        const std::string institution = header(req, kInstitutionHeader);
        const std::string sig_text = header(req, kInstitutionSignatureHeader);
        if (institution.empty() || sig_text.empty()) {
          return Status(Code::kUnauthenticated, "institution_auth_missing",
                        "a token request needs the institution and its signature");
        }
        auto sig = base64url_decode(sig_text);
        if (!sig.ok()) {
          return Status(Code::kUnauthenticated, "institution_signature_invalid",
                        "the signature header is not base64url");
        }
        const Bytes body(req.body.begin(), req.body.end());
        URNE_ASSIGN_OR_RETURN(const store::IssuanceOutcome out,
                              reg->issue_token(id, institution, *sig, body));
        const auto& b = out.response.bytes();
        return binary_ok(Bytes(b.begin(), b.end()), kTokenResponseType);
      }),
      {.content_type = std::string(kTokenRequestType), .body_limit = kTokenRequestBodyLimit});

  router.add("GET", "/api/v1/elections/{id}/issuance",
             handler([reg](const Request& req) -> Result<Response> {
               URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
               URNE_ASSIGN_OR_RETURN(const auto log, reg->issuance_log(id));
               return json_ok(json{{"issuance", issuance_view(log)}});
             }));
}

void add_ballot_box_routes(Router& router, const ApiServices& s) {
  BallotBoxService* box = s.ballot_box;
  if (box == nullptr) return;

  router.add(
      "POST", "/api/v1/elections/{id}/ballots",
      handler([box](const Request& req) -> Result<Response> {
        URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
        URNE_ASSIGN_OR_RETURN(const json body, body_object(req));
        URNE_RETURN_IF_ERROR(codec::only_keys(body, {"ballot", "token"}));
        URNE_ASSIGN_OR_RETURN(const Bytes ballot,
                              codec::b64url_field(body, "ballot", kBallotBodyLimit));
        // The ballot carries its token (docs/protocol.md §8); a
        // client may repeat it separately, then it must be the same.
        URNE_ASSIGN_OR_RETURN(const auto token, codec::optional_b64url_field(body, "token", 512));
        if (token) {
          const std::size_t header_len = 2 + CastBallot::kLabel.size();
          if (ballot.size() < header_len + token->size() ||
              !std::equal(token->begin(), token->end(), ballot.begin() + header_len)) {
            return invalid_argument("token_mismatch", "the token is not the one inside the ballot");
          }
        }
        URNE_ASSIGN_OR_RETURN(const CastReceipt r, box->cast(id, ballot));
        return json_ok(json{{"status", r.newly_accepted ? "accepted" : "already_accepted"},
                            {"receipt", codec::receipt_view(r.receipt)}},
                       r.newly_accepted ? 201 : 200);
      }),
      {.content_type = std::string(kJson),
       .body_limit = kBallotBodyLimit * 4 / 3 + 1024,
       .log_requests = false});

  router.add("GET", "/api/v1/elections/{id}/board",
             handler([&s, box](const Request& req) -> Result<Response> {
               URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
               URNE_ASSIGN_OR_RETURN(const auto ts, box->transitions(id));
               const ElectionState phase = store::state_after(ts);
               if (static_cast<int>(phase) < static_cast<int>(ElectionState::kClosed)) {
                 // While the ballot is open: counts only (design.md).
                 BoardSummary summary;
                 summary.state = phase;
                 URNE_ASSIGN_OR_RETURN(summary.ballots_cast, box->ballots_cast(id));
                 if (s.register_service != nullptr) {
                   URNE_ASSIGN_OR_RETURN(summary.tokens_issued,
                                         s.register_service->tokens_issued(id));
                 }
                 json out{{"election_id", hex_encode(id)},
                          {"phase", std::string(state_name(phase))},
                          {"summary", codec::summary_view(summary)}};
                 if (s.register_service == nullptr) out["summary"].erase("tokens_issued");
                 return json_ok(out);
               }
               URNE_ASSIGN_OR_RETURN(const auto board, box->board(id));
               return json_ok(codec::board_view(*board));
             }));

  router.add("GET", "/api/v1/elections/{id}/board.bin",
             handler([box](const Request& req) -> Result<Response> {
               URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
               URNE_ASSIGN_OR_RETURN(const auto board, box->board(id));
               Response r = binary_ok(board->canonical_bytes(), "application/octet-stream");
               r.headers.emplace_back("Content-Disposition",
                                      "attachment; filename=\"" + board_file_name(*board) + "\"");
               return r;
             }));

  // The Wahlniederschrift of the published result, from the board above
  // (BallotBoxService::minutes: audited once, kept). Downloads, not pages of
  // this site: the HTML gets its own policy (inline style, no script) and
  // an attachment disposition, so that it is saved and printed, never run
  // in the site's origin with the site's permissions.
  const auto minutes_route = [box](bool html) {
    return handler([box, html](const Request& req) -> Result<Response> {
      URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
      URNE_ASSIGN_OR_RETURN(const auto m, box->minutes(id));
      Response r;
      r.content_type = html ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8";
      r.body = html ? m->minutes.html : m->minutes.markdown;
      r.headers.emplace_back("Content-Disposition", "attachment; filename=\"wahlniederschrift-" +
                                                        m->board_short +
                                                        (html ? ".html\"" : ".md\""));
      r.headers.emplace_back("X-Content-Type-Options", "nosniff");
      if (html) {
        r.headers.emplace_back("Content-Security-Policy",
                               std::string(kMinutesContentSecurityPolicy));
      }
      r.headers.emplace_back("Cache-Control", "no-store");
      return r;
    });
  };
  router.add("GET", "/api/v1/elections/{id}/minutes.html", minutes_route(true));
  router.add("GET", "/api/v1/elections/{id}/minutes.md", minutes_route(false));

  router.add(
      "GET", "/api/v1/elections/{id}/sums", handler([box](const Request& req) -> Result<Response> {
        URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
        URNE_ASSIGN_OR_RETURN(const auto sums, box->sums(id));
        return json_ok(json{{"election_id", hex_encode(id)}, {"sums", codec::sums_view(sums)}});
      }));

  router.add("POST", "/api/v1/elections/{id}/partials",
             handler([box](const Request& req) -> Result<Response> {
               URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
               URNE_ASSIGN_OR_RETURN(const json body, body_object(req));
               URNE_RETURN_IF_ERROR(codec::only_keys(body, {"trustee", "partials"}));
               URNE_ASSIGN_OR_RETURN(const std::uint64_t trustee,
                                     codec::uint_field(body, "trustee", 255));
               const auto list = body.find("partials");
               if (list == body.end()) {
                 return invalid_argument("missing_field", "partials: missing");
               }
               if (!list->is_array() || list->size() > CastBallot::kMaxSlots) {
                 return invalid_argument("wrong_type", "partials must be an array of slots");
               }
               URNE_ASSIGN_OR_RETURN(const Manifest m, box->manifest(id));
               TrusteePartials tp;
               tp.trustee = static_cast<TrusteeIndex>(trustee);
               for (const json& p : *list) {
                 if (!p.is_string()) return invalid_argument("wrong_type", "a partial is a string");
                 URNE_ASSIGN_OR_RETURN(const Bytes bytes,
                                       base64url_decode(p.get_ref<const std::string&>()));
                 URNE_ASSIGN_OR_RETURN(PartialDecryption pd,
                                       PartialDecryption::parse(bytes, m.election_key().params()));
                 tp.partials.push_back(std::move(pd));
               }
               URNE_ASSIGN_OR_RETURN(const PartialsOutcome out, box->add_partials(id, tp));
               return json_ok(json{{"status", out.newly_stored ? "stored" : "already_stored"},
                                   {"trustees", out.trustees},
                                   {"threshold", out.threshold}},
                              out.newly_stored ? 201 : 200);
             }),
             {.content_type = std::string(kJson), .body_limit = kPartialsBodyLimit});

  router.add("PUT", "/api/v1/elections/{id}/issuance",
             handler([box](const Request& req) -> Result<Response> {
               URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
               URNE_ASSIGN_OR_RETURN(const json body, body_object(req));
               URNE_ASSIGN_OR_RETURN(auto entries, parse_issuance(body));
               const std::size_t n = entries.size();
               URNE_RETURN_IF_ERROR(box->put_issuance_log(id, std::move(entries)));
               return json_ok(json{{"entries", n}});
             }),
             {.content_type = std::string(kJson), .body_limit = kIssuanceBodyLimit});

  router.add("GET", "/api/v1/elections/{id}/result",
             handler([box](const Request& req) -> Result<Response> {
               URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
               URNE_ASSIGN_OR_RETURN(const SignedResult r, box->result(id));
               URNE_ASSIGN_OR_RETURN(const Manifest m, box->manifest(id));
               URNE_ASSIGN_OR_RETURN(const auto board, box->board(id));
               json out = codec::result_view(m, r);
               out["board_fingerprint"] = hex_encode(board->fingerprint());
               out["board_short_fingerprint"] = board->short_fingerprint();
               return json_ok(out);
             }));
}

// Routes that concern both components.
void add_shared_routes(Router& router, const ApiServices& s) {
  router.add(
      "POST", "/api/v1/elections", handler([&s](const Request& req) -> Result<Response> {
        URNE_RETURN_IF_ERROR(check_officer(s, req));
        URNE_ASSIGN_OR_RETURN(const json body, body_object(req));
        URNE_RETURN_IF_ERROR(codec::only_keys(body, {"manifest", "roster"}));
        URNE_ASSIGN_OR_RETURN(const Bytes mbytes,
                              codec::b64url_field(body, "manifest", kManifestBodyLimit));
        URNE_ASSIGN_OR_RETURN(const Manifest manifest, Manifest::parse_canonical(mbytes));
        URNE_RETURN_IF_ERROR(codec::check_manifest_text(manifest));
        const ElectionId& id = manifest.election_id();
        if (s.register_service != nullptr) {
          URNE_RETURN_IF_ERROR(s.register_service->create_election(manifest));
        }
        if (s.ballot_box != nullptr) {
          // The box needs the roster for the board: from the register
          // running here, or from the body (two processes).
          URNE_ASSIGN_OR_RETURN(const auto rbytes,
                                codec::optional_b64url_field(body, "roster", kRosterBodyLimit));
          Result<Roster> roster = Status(Code::kInvalidArgument, "missing_field",
                                         "roster: the ballot box needs the election's roster");
          if (rbytes) {
            roster = Roster::parse_canonical(*rbytes);
          } else if (s.register_service != nullptr) {
            roster = s.register_service->roster(id);
          }
          if (!roster.ok()) return roster.status();
          URNE_RETURN_IF_ERROR(codec::check_roster_text(*roster));
          URNE_RETURN_IF_ERROR(s.ballot_box->add_election(manifest, *roster));
        }
        return json_ok(json{{"election_id", hex_encode(id)}, {"state", "draft"}}, 201);
      }),
      {.content_type = std::string(kJson),
       .body_limit = (kManifestBodyLimit + kRosterBodyLimit) * 4 / 3 + 1024});

  router.add(
      "POST", "/api/v1/elections/{id}/transitions",
      handler([&s](const Request& req) -> Result<Response> {
        URNE_ASSIGN_OR_RETURN(const ElectionId id, election_param(req));
        URNE_ASSIGN_OR_RETURN(const json body, body_object(req));
        URNE_RETURN_IF_ERROR(
            codec::only_keys(body, {"state", "sequence", "signature", "lot_seed"}));
        URNE_ASSIGN_OR_RETURN(const std::string state_text, codec::string_field(body, "state", 32));
        const auto state = parse_state_name(state_text);
        if (!state || *state == ElectionState::kDraft) {
          return invalid_argument("bad_state", "unknown state \"" + state_text + "\"");
        }
        URNE_ASSIGN_OR_RETURN(const std::uint64_t sequence,
                              codec::uint_field(body, "sequence", 16));
        URNE_ASSIGN_OR_RETURN(const FixedBytes<64> sig, codec::hex64_field(body, "signature"));
        URNE_ASSIGN_OR_RETURN(const auto seed, codec::optional_hex32_field(body, "lot_seed"));
        const StateTransition t{*state, static_cast<std::uint32_t>(sequence), sig};
        bool newly = false;
        json out{{"election_id", hex_encode(id)}};
        // Both components here: the box checks first (signature, seed, a
        // complete tally), so that a refused transition moves neither; on a
        // failure in between, the same request again completes it (each
        // component takes the very same transition again as a no-op).
        if (s.ballot_box != nullptr) {
          URNE_RETURN_IF_ERROR(s.ballot_box->check_transition(id, t, seed));
        }
        if (s.register_service != nullptr) {
          URNE_ASSIGN_OR_RETURN(const auto r, s.register_service->transition(id, t));
          newly = r.newly_applied;
        }
        if (s.ballot_box != nullptr) {
          URNE_ASSIGN_OR_RETURN(const auto r, s.ballot_box->transition(id, t, seed));
          newly = newly || r.newly_applied;
          if (s.register_service != nullptr && t.state == ElectionState::kClosed) {
            // One process: the box takes the register's log at the close.
            URNE_ASSIGN_OR_RETURN(auto log, s.register_service->issuance_log(id));
            URNE_RETURN_IF_ERROR(s.ballot_box->put_issuance_log(id, std::move(log)));
          }
        }
        out["state"] = std::string(state_name(t.state));
        out["sequence"] = t.sequence;
        out["newly_applied"] = newly;
        return json_ok(out);
      }));
}

}  // namespace

std::string_view role_name(Role role) noexcept {
  switch (role) {
    case Role::kBoth:
      return "both";
    case Role::kRegister:
      return "register";
    case Role::kBallotBox:
      return "ballot-box";
  }
  return "unknown";
}

void add_election_routes(Router& router, const ApiServices& services) {
  add_public_routes(router, services);
  add_register_routes(router, services);
  add_ballot_box_routes(router, services);
  add_shared_routes(router, services);
  // Routes of the component that does not run here: a clear 404.
  const auto absent = [](std::string_view component) {
    return handler(
        [component](const Request&) -> Result<Response> { return not_served(component); });
  };
  if (services.register_service == nullptr) {
    for (const char* p : {"/api/v1/elections/{id}/token-request"})
      router.add("POST", p, absent("register"));
    for (const char* p : {"/api/v1/elections/{id}/roster", "/api/v1/elections/{id}/issuance",
                          "/api/v1/elections/{id}/token-issuer-directory"}) {
      router.add("GET", p, absent("register"));
    }
    router.add("POST", "/api/v1/rosters", absent("register"));
    router.add("POST", "/api/v1/token-keys", absent("register"));
  }
  if (services.ballot_box == nullptr) {
    for (const char* p : {"/api/v1/elections/{id}/ballots", "/api/v1/elections/{id}/partials"}) {
      router.add("POST", p, absent("ballot box"));
    }
    for (const char* p :
         {"/api/v1/elections/{id}/board", "/api/v1/elections/{id}/board.bin",
          "/api/v1/elections/{id}/sums", "/api/v1/elections/{id}/result",
          "/api/v1/elections/{id}/minutes.html", "/api/v1/elections/{id}/minutes.md"}) {
      router.add("GET", p, absent("ballot box"));
    }
    router.add("PUT", "/api/v1/elections/{id}/issuance", absent("ballot box"));
  }
}

}  // namespace urne::server
