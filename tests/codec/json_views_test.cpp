#include "codec/json_views.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ballot/board_fixture.hpp"
#include "ballot/counting.hpp"

namespace urne::codec {
namespace {

using test::Election;
using test::ElectionConfig;
using test::make_election;
using test::must;
using test::reason_of;

Bytes unb64(const json& v) { return must(base64url_decode(v.get<std::string>())); }

// One honest election with a published result, and one stopped at the
// close, made once per binary (RSA and the DKG make them slow-ish).
const Election& final_election() {
  static const Election e = make_election(ElectionConfig{}, 0xc0de);
  return e;
}
const Election& closed_election() {
  static const Election e = [] {
    ElectionConfig cfg;
    cfg.last_state = ElectionState::kClosed;
    return make_election(cfg, 0xc105);
  }();
  return e;
}

// Three candidates, one seat, one substitute, three ballots with one mark
// each: a three-way tie for rank 1..3 that decides everything.
Election tie_election(TieRule rule) {
  ElectionConfig cfg;
  cfg.candidates = 3;
  cfg.seats = 1;
  cfg.substitutes = 1;
  cfg.tie_rule = rule;
  cfg.trustees = 2;
  cfg.threshold = 2;
  cfg.institutions = 4;
  cfg.checked_in = 3;
  cfg.choices =
      std::vector<Choice>{Choice::of_marks({0}), Choice::of_marks({1}), Choice::of_marks({2})};
  return make_election(cfg, 0x71e);
}

const std::string kNfc = "J\xc3\xbcrgen";   // J, U+00FC, rgen
const std::string kNfd = "Ju\xcc\x88rgen";  // J, u, U+0308, rgen

// ---- views ---------------------------------------------------------------------------

TEST_CASE("manifest_view shows every manifest field in its one text form") {
  const Manifest& m = final_election().m();
  const ManifestSpec& s = m.spec();
  const json v = manifest_view(m);

  CHECK(v["election_id"] == hex_encode(m.election_id()));
  CHECK(v["title"] == s.title);
  CHECK(v["kind"] == *s.kind);
  CHECK(v["description"] == *s.description);
  CHECK(v["roster_fingerprint"] == hex_encode(s.roster_fingerprint));
  REQUIRE(v["candidates"].size() == s.candidates.size());
  for (std::size_t i = 0; i < s.candidates.size(); ++i) {
    CHECK(v["candidates"][i]["index"] == i);
    CHECK(v["candidates"][i]["name"] == s.candidates[i].name);
    CHECK(v["candidates"][i]["affiliation"] == s.candidates[i].affiliation);
  }
  CHECK(v["seats"] == s.seats);
  CHECK(v["substitutes"] == s.substitutes);
  CHECK(v["max_marks"] == m.max_marks());
  CHECK(v["invalid_offered"] == s.invalid_offered);
  CHECK(v["slot_count"] == m.ballot_layout().slot_count());
  CHECK(v["tie_rule"] == "lot");
  CHECK(v["lot_seed_commitment"] == hex_encode(s.lot_seed_commitment));
  CHECK(v["token_issuer_name"] == s.token_issuer_name);
  CHECK(unb64(v["token_public_key"]) == m.token_public_key().spki());
  CHECK(v["token_key_id"] == hex_encode(m.token_public_key().key_id()));
  CHECK(v["ceremony_id"] == hex_encode(s.ceremony_id));
  CHECK(v["trustees"] == s.trustees);
  CHECK(v["threshold"] == s.threshold);
  REQUIRE(v["dealer_commitments"].size() == m.election_key().commitments().size());
  CHECK(unb64(v["dealer_commitments"][0]["commitment"]) ==
        m.election_key().commitments()[0].encode());
  CHECK(v["election_key"] == hex_encode(m.elgamal_public_key().encode()));
  REQUIRE(v["public_shares"].size() == s.trustees);
  CHECK(v["public_shares"][1]["trustee"] == 2);
  CHECK(v["public_shares"][1]["public_share"] ==
        hex_encode(m.election_key().public_share(2).bytes()));
  CHECK(v["service_key"] == hex_encode(s.service_key));
  CHECK(v["officer_key"] == hex_encode(s.officer_key));
  CHECK(v["page_hash"] == hex_encode(s.page_hash));
  CHECK(unb64(v["canonical"]) == m.canonical_bytes());
  // Deterministic, and read back from its canonical bytes.
  CHECK(manifest_view(m).dump() == v.dump());
  CHECK(must(manifest_from_view(v)).election_id() == m.election_id());
}

TEST_CASE("manifest_view omits an absent kind and description") {
  ManifestSpec s = test::base_spec(3);
  s.kind.reset();
  s.description.reset();
  const json v = manifest_view(must(Manifest::create(s)));
  CHECK_FALSE(v.contains("kind"));
  CHECK_FALSE(v.contains("description"));
}

TEST_CASE("manifest_from_view refuses an edited name and a name not in NFC") {
  const Manifest& m = final_election().m();
  json v = manifest_view(m);
  v["candidates"][0]["name"] = "Someone else";
  const auto r = manifest_from_view(v);
  CHECK(reason_of(r) == "manifest_view_mismatch");
  CHECK(r.status().message().find("'candidates'") != std::string::npos);

  ManifestSpec s = test::base_spec(3);
  s.candidates[1].name = kNfd;
  const Manifest nfd = must(Manifest::create(s));
  CHECK(reason_of(manifest_from_view(manifest_view(nfd))) == "not_nfc");
}

TEST_CASE("roster_view shows the fingerprint, context and every institution") {
  const Roster& r = *final_election().roster;
  const json v = roster_view(r);
  CHECK(v["fingerprint"] == hex_encode(r.fingerprint()));
  CHECK(v["short_fingerprint"] == r.short_fingerprint());
  CHECK(v["title"] == r.title());
  CHECK(v["credential_context"] == hex_encode(r.credential_context().bytes()));
  REQUIRE(v["institutions"].size() == r.institutions().size());
  for (std::size_t i = 0; i < r.institutions().size(); ++i) {
    CHECK(v["institutions"][i]["id"] == r.institutions()[i].id);
    CHECK(v["institutions"][i]["name"] == r.institutions()[i].name);
    CHECK(v["institutions"][i]["public_key"] == hex_encode(r.institutions()[i].key.bytes()));
  }
  CHECK(unb64(v["canonical"]) == r.canonical_bytes());
  CHECK(must(roster_from_view(v)).fingerprint() == r.fingerprint());
  json edited = v;
  edited["title"] = "Frühjahrstagung";
  CHECK(reason_of(roster_from_view(edited)) == "roster_view_mismatch");
}

TEST_CASE("receipt_view carries the 145 receipt bytes and the short hash") {
  const Receipt& r = final_election().receipts.at(0);
  const json v = receipt_view(r);
  CHECK(v["election_id"] == hex_encode(r.election_id));
  CHECK(v["ballot_hash"] == hex_encode(r.ballot_hash));
  CHECK(v["short_hash"] == r.short_hash());
  CHECK(v["signature"] == hex_encode(r.signature));
  const Bytes bytes = unb64(v["canonical"]);
  CHECK(bytes.size() == 145);
  CHECK(must(Receipt::parse_canonical(bytes)).ballot_hash == r.ballot_hash);
}

TEST_CASE("summary_view shows the state by name and the counts") {
  const json v = summary_view(BoardSummary{ElectionState::kOpen, 12, 7});
  CHECK(v == json{{"state", "open"}, {"tokens_issued", 12}, {"ballots_cast", 7}});
}

TEST_CASE("result_view shows totals, ranks and statuses of the published result") {
  const Election& e = final_election();
  const SignedResult& sr = *e.board->contents().result;
  const ResultData& d = sr.result.data();
  const json v = result_view(e.m(), sr);

  CHECK(v["matches_manifest"] == true);
  CHECK(v["election_id"] == hex_encode(e.m().election_id()));
  CHECK(v["entitled"] == e.cfg.institutions);
  CHECK(v["checked_in"] == e.cfg.checked_in);
  CHECK(v["ballots_cast"] == e.expected.ballots_cast);
  CHECK(v["abstentions"] == e.expected.abstentions);
  CHECK(v["invalid"] == e.expected.invalid);
  CHECK(v["valid"] == e.expected.valid());
  CHECK(v["seats"] == 7);
  CHECK(v["substitute_places"] == 2);
  REQUIRE(v["candidates"].size() == e.m().candidates().size());
  std::size_t elected = 0;
  for (std::uint32_t i = 0; i < e.m().candidates().size(); ++i) {
    const json& c = v["candidates"][i];
    CHECK(c["name"] == e.m().candidates()[i].name);
    CHECK(c["marks"] == e.expected.marks[i]);
    CHECK(v["ranking"][c["rank"].get<std::size_t>() - 1] == i);
    const bool is_elected =
        std::find(d.outcome.elected.begin(), d.outcome.elected.end(), i) != d.outcome.elected.end();
    CHECK((c["status"] == "elected") == is_elected);
    elected += is_elected ? 1 : 0;
  }
  CHECK(elected == d.outcome.elected.size());
  for (std::size_t p = 0; p < d.outcome.substitutes.size(); ++p) {
    const json& c = v["candidates"][d.outcome.substitutes[p]];
    CHECK(c["status"] == "substitute");
    CHECK(c["substitute_place"] == p + 1);
  }
  CHECK(v["lot"]["seed"] == hex_encode(e.seed));
  CHECK(v["lot"]["ballot_set_hash"] == hex_encode(ballot_set_hash(e.board->contents().ballots)));
  CHECK(v["result_hash"] == hex_encode(sr.result.hash()));
  CHECK(v["signature"] == hex_encode(sr.signature));
  CHECK(unb64(v["canonical"]) == sr.result.canonical_bytes());
}

TEST_CASE("result_view records a lot: who was tied, the keys and the drawn order") {
  const Election e = tie_election(TieRule::kLot);
  const SignedResult& sr = *e.board->contents().result;
  const json v = result_view(e.m(), sr);
  CHECK(v["lot"]["drawn"] == true);
  REQUIRE(v["lot"]["keys"].size() == 3);
  REQUIRE(v["ties"].size() == 1);
  CHECK(v["ties"][0]["resolution"] == "lot");
  CHECK(v["ties"][0]["members"] == json::array({0, 1, 2}));
  CHECK(v["ties"][0]["first_rank"] == 1);
  CHECK(v["ties"][0]["last_rank"] == 3);
  const LotInputs lot{e.seed, ballot_set_hash(e.board->contents().ballots)};
  const json& drawn = v["ties"][0]["drawn_order"];
  REQUIRE(drawn.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto c = drawn[i].get<std::uint32_t>();
    CHECK(v["lot"]["keys"][i]["candidate"] == c);
    CHECK(v["lot"]["keys"][i]["key"] == hex_encode(lot_key(lot, c)));
    CHECK(v["candidates"][c]["rank"] == i + 1);
  }
  CHECK(v["candidates"][drawn[0].get<std::size_t>()]["status"] == "elected");
  CHECK(v["candidates"][drawn[1].get<std::size_t>()]["status"] == "substitute");
  CHECK(v["candidates"][drawn[2].get<std::size_t>()]["status"] == "not_elected");
}

TEST_CASE("result_view marks the candidates of a runoff as undecided") {
  const Election e = tie_election(TieRule::kRunoff);
  const json v = result_view(e.m(), *e.board->contents().result);
  CHECK(v["lot"]["drawn"] == false);
  CHECK(v["ties"][0]["resolution"] == "runoff");
  CHECK_FALSE(v["ties"][0].contains("drawn_order"));
  CHECK(v["undecided_ranks"] == json::array({1, 2}));
  for (std::size_t i = 0; i < 3; ++i) CHECK(v["candidates"][i]["status"] == "undecided");
}

TEST_CASE("result_view of another election's result says it does not match, without aborting") {
  const Election& e = final_election();
  const json v = result_view(tie_election(TieRule::kLot).m(), *e.board->contents().result);
  CHECK(v["matches_manifest"] == false);
  CHECK(v["candidates"].size() == e.m().candidates().size());
  CHECK_FALSE(v["candidates"][5].contains("name"));  // the other manifest has 3 candidates
}

TEST_CASE("board_view of a final board shows every part in board order") {
  const Election& e = final_election();
  const Board& b = *e.board;
  const BoardContents& c = b.contents();
  const json v = board_view(b);

  CHECK(v["fingerprint"] == hex_encode(b.fingerprint()));
  CHECK(v["short_fingerprint"] == b.short_fingerprint());
  CHECK(v["phase"] == "result_published");
  CHECK(v["signature"] == hex_encode(b.signature()));
  CHECK(unb64(v["canonical"]) == b.canonical_bytes());
  CHECK(v["summary"] == summary_view(b.summary()));
  CHECK(v["manifest"] == manifest_view(b.manifest()));
  CHECK(v["roster"] == roster_view(b.roster()));
  REQUIRE(v["issuance"].size() == c.issuance.size());
  for (std::size_t i = 0; i < c.issuance.size(); ++i) {
    CHECK(v["issuance"][i]["institution_id"] == c.issuance[i].institution_id);
    CHECK(unb64(v["issuance"][i]["token_request"]) ==
          Bytes(c.issuance[i].request.bytes().begin(), c.issuance[i].request.bytes().end()));
    CHECK(v["issuance"][i]["signature"] == hex_encode(c.issuance[i].signature));
  }
  REQUIRE(v["transitions"].size() == 5);
  CHECK(v["transitions"][0]["state"] == "published");
  CHECK(v["transitions"][4]["state"] == "result_published");
  CHECK(v["transitions"][4]["sequence"] == 5);
  CHECK(v["transitions"][4]["signature"] == hex_encode(c.transitions[4].signature));
  REQUIRE(v["ballots"].size() == c.ballots.size());
  for (std::size_t i = 0; i < c.ballots.size(); ++i) {
    CHECK(v["ballots"][i]["ballot_hash"] == hex_encode(c.ballots[i].ballot_hash()));
    CHECK(unb64(v["ballots"][i]["canonical"]) == c.ballots[i].canonical_bytes());
  }
  REQUIRE(v["sums"].size() == e.m().ballot_layout().slot_count());
  CHECK(v["sums"][2]["slot"] == 2);
  CHECK(v["sums"][2]["a"] == hex_encode(c.sums[2].a.bytes()));
  CHECK(v["sums"][2]["b"] == hex_encode(c.sums[2].b.bytes()));
  REQUIRE(v["partials"].size() == c.partials.size());
  CHECK(v["partials"][0]["trustee"] == c.partials[0].trustee);
  REQUIRE(v["partials"][0]["partials"].size() == c.sums.size());
  CHECK(unb64(v["partials"][0]["partials"][1]) == c.partials[0].partials[1].encode());
  CHECK(v["lot_seed"] == hex_encode(e.seed));
  CHECK(v["result"] == result_view(b.manifest(), *c.result));
}

TEST_CASE("board_view of a closed board has no partials and no result") {
  const Board& b = *closed_election().board;
  const json v = board_view(b);
  CHECK(v["phase"] == "closed");
  CHECK(v["transitions"].size() == 3);
  CHECK(v["partials"] == json::array());
  CHECK_FALSE(v.contains("result"));
  CHECK(v["lot_seed"] == hex_encode(closed_election().seed));
  CHECK(v["ballots"].size() == b.contents().ballots.size());
  CHECK(check_board_view(v).is_ok());
}

TEST_CASE("check_board_view accepts the rendered view, also after a trip through text") {
  const json v = board_view(*final_election().board);
  CHECK(check_board_view(v).is_ok());
  const json reparsed = must(parse_json_object(v.dump(), 16));
  CHECK(check_board_view(reparsed).is_ok());
  CHECK(must(board_from_view(reparsed)).fingerprint() == final_election().board->fingerprint());
}

TEST_CASE("check_board_view names the part that differs from the canonical bytes") {
  const json good = board_view(*final_election().board);
  const auto differs_at = [](const json& v, const std::string& key) {
    const Status s = check_board_view(v);
    CHECK(reason_of(s) == "board_view_mismatch");
    CHECK(s.message().find("'" + key + "'") != std::string::npos);
  };
  SUBCASE("a ballot hash") {
    json v = good;
    std::string h = v["ballots"][0]["ballot_hash"];
    h[0] = h[0] == '0' ? '1' : '0';
    v["ballots"][0]["ballot_hash"] = h;
    differs_at(v, "ballots");
  }
  SUBCASE("a total") {
    json v = good;
    v["result"]["candidates"][0]["marks"] = v["result"]["candidates"][0]["marks"].get<int>() + 1;
    differs_at(v, "result");
    json w = good;
    w["result"]["ballots_cast"] = 99;
    differs_at(w, "result");
  }
  SUBCASE("a candidate name") {
    json v = good;
    v["manifest"]["candidates"][1]["name"] = "Jemand anderes";
    differs_at(v, "manifest");
  }
  SUBCASE("an extra or a missing key") {
    json v = good;
    v["comment"] = "trust me";
    differs_at(v, "comment");
    json w = good;
    w.erase("lot_seed");
    differs_at(w, "lot_seed");
  }
  SUBCASE("the canonical bytes: the signature") {
    json v = good;
    Bytes b = unb64(v["canonical"]);
    b.back() ^= 0x01;
    v["canonical"] = base64url_encode(b);
    // The bytes parse; the view they give has another signature.
    differs_at(v, "signature");
  }
  SUBCASE("the canonical bytes: another board") {
    json v = good;
    v["canonical"] = board_view(*closed_election().board)["canonical"];
    CHECK(reason_of(check_board_view(v)) == "board_view_mismatch");
    CHECK(reason_of(board_from_view(v)) == "board_view_mismatch");
  }
  SUBCASE("the canonical bytes: truncated or not base64url") {
    json v = good;
    Bytes b = unb64(v["canonical"]);
    b.resize(b.size() - 70);
    v["canonical"] = base64url_encode(b);
    CHECK(reason_of(check_board_view(v)) != "ok");
    v["canonical"] = "not base64!";
    CHECK(reason_of(check_board_view(v)) == "bad_encoding");
    v.erase("canonical");
    CHECK(reason_of(check_board_view(v)) == "missing_field");
    CHECK(reason_of(check_board_view(json::array())) == "wrong_type");
  }
}

// ---- request bodies -----------------------------------------------------------------------

TEST_CASE("parse_json_object accepts an object and refuses everything else by name") {
  CHECK(must(parse_json_object(R"({"a":1,"b":{"a":2}})"))["b"]["a"] == 2);
  CHECK(reason_of(parse_json_object("[1,2]")) == "wrong_type");
  CHECK(reason_of(parse_json_object("\"text\"")) == "wrong_type");
  CHECK(reason_of(parse_json_object("null")) == "wrong_type");
  CHECK(reason_of(parse_json_object("")) == "bad_json");
  CHECK(reason_of(parse_json_object("{")) == "bad_json");
  CHECK(reason_of(parse_json_object("{} {}")) == "bad_json");
  CHECK(reason_of(parse_json_object(R"({"a":1} // comment)")) == "bad_json");
  CHECK(reason_of(parse_json_object("{'a':1}")) == "bad_json");
  // nlohmann would stop at a NUL byte and ignore what follows.
  CHECK(reason_of(parse_json_object(std::string("{\"a\":1}\0", 8))) == "bad_json");
  CHECK(reason_of(parse_json_object(std::string("{\"a\":1}\0{\"a\":2}", 15))) == "bad_json");
  CHECK(reason_of(parse_json_object(std::string("{\"a\":\"x\0y\"}", 11))) == "bad_json");
}

TEST_CASE("parse_json_object refuses duplicate keys at any depth, not in sibling objects") {
  const auto r = parse_json_object(R"({"a":1,"a":2})");
  CHECK(reason_of(r) == "bad_json");
  CHECK(r.status().message().find("duplicate key 'a'") != std::string::npos);
  CHECK(reason_of(parse_json_object(R"({"x":[{"k":1,"k":1}]})")) == "bad_json");
  CHECK(parse_json_object(R"({"x":{"k":1},"y":{"k":2},"k":3})").ok());
}

TEST_CASE("parse_json_object bounds the nesting depth") {
  CHECK(parse_json_object(R"({"a":[[[[[[[1]]]]]]]})").ok());                        // 8 levels
  CHECK(reason_of(parse_json_object(R"({"a":[[[[[[[[1]]]]]]]]})")) == "bad_json");  // 9
  CHECK(reason_of(parse_json_object(R"({"a":[[[[[[[{}]]]]]]]})")) == "bad_json");
  CHECK(parse_json_object(R"({"a":{"b":1}})", 2).ok());
  CHECK(reason_of(parse_json_object(R"({"a":{"b":1}})", 1)) == "bad_json");
  // Far deeper than any stack would allow for a recursive reader.
  const std::string deep = "{\"a\":" + std::string(200000, '[') + std::string(200000, ']') + "}";
  CHECK(reason_of(parse_json_object(deep)) == "bad_json");
}

TEST_CASE("parse_json_object refuses invalid UTF-8 and lone surrogates in strings") {
  CHECK(reason_of(parse_json_object("{\"a\":\"\xff\"}")) == "bad_json");
  CHECK(reason_of(parse_json_object("{\"a\":\"\xc0\xaf\"}")) == "bad_json");      // overlong '/'
  CHECK(reason_of(parse_json_object("{\"a\":\"\xed\xa0\x80\"}")) == "bad_json");  // surrogate
  CHECK(reason_of(parse_json_object(R"({"a":"\ud800"})")) == "bad_json");
  CHECK(must(parse_json_object(R"({"a":"\u00fc"})"))["a"] == "\xc3\xbc");
}

TEST_CASE("b64url_field decodes strict base64url within a size limit") {
  const json o = must(parse_json_object(
      R"({"ok":"AAEC","pad":"AAE=","bits":"AAF","space":"AA EC","alpha":"AA+C","n":5})"));
  CHECK(must(b64url_field(o, "ok", 3)) == Bytes{0, 1, 2});
  CHECK(reason_of(b64url_field(o, "ok", 2)) == "field_too_large");
  CHECK(reason_of(b64url_field(o, "pad", 10)) == "bad_encoding");
  CHECK(reason_of(b64url_field(o, "bits", 10)) == "bad_encoding");
  CHECK(reason_of(b64url_field(o, "space", 10)) == "bad_encoding");
  CHECK(reason_of(b64url_field(o, "alpha", 10)) == "bad_encoding");
  CHECK(reason_of(b64url_field(o, "n", 10)) == "wrong_type");
  const auto missing = b64url_field(o, "token", 10);
  CHECK(reason_of(missing) == "missing_field");
  CHECK(missing.status().message().find("'token'") != std::string::npos);
  CHECK(reason_of(b64url_field(json::array(), "ok", 10)) == "wrong_type");
  // Oversize text is refused before it is decoded.
  const json big = {{"x", std::string(1000, '!')}};
  CHECK(reason_of(b64url_field(big, "x", 10)) == "field_too_large");
}

TEST_CASE("hex32_field takes exactly 64 lower-case hex digits") {
  const std::string lower(64, 'a');
  const std::string upper(64, 'A');
  const json o = {{"h", lower},
                  {"u", upper},
                  {"short", std::string(62, 'a')},
                  {"x", std::string(63, 'a') + "g"},
                  {"n", 1},
                  {"z", nullptr}};
  CHECK(must(hex32_field(o, "h")) == test::filled(0xaa));
  CHECK(reason_of(hex32_field(o, "u")) == "bad_encoding");
  CHECK(reason_of(hex32_field(o, "short")) == "bad_encoding");
  CHECK(reason_of(hex32_field(o, "x")) == "bad_encoding");
  CHECK(reason_of(hex32_field(o, "n")) == "wrong_type");
  CHECK(reason_of(hex32_field(o, "z")) == "wrong_type");
  CHECK(reason_of(hex32_field(o, "absent")) == "missing_field");
  CHECK(must(hex64_field(json{{"s", std::string(128, '0')}}, "s")) == FixedBytes<64>{});
}

TEST_CASE("string_field takes bounded NFC text") {
  const json o = {{"s", kNfc}, {"nfd", kNfd}, {"bad", std::string("a\xff")}, {"n", 1}};
  CHECK(must(string_field(o, "s", 100)) == kNfc);
  CHECK(reason_of(string_field(o, "s", 3)) == "field_too_large");
  CHECK(reason_of(string_field(o, "nfd", 100)) == "not_nfc");
  CHECK(reason_of(string_field(o, "bad", 100)) == "bad_utf8");
  CHECK(reason_of(string_field(o, "n", 100)) == "wrong_type");
  CHECK(reason_of(string_field(o, "none", 100)) == "missing_field");
}

TEST_CASE("uint_field takes a non-negative integer in its one text form") {
  const json o = must(parse_json_object(
      R"({"a":7,"max":18446744073709551615,"neg":-1,"negzero":-0,"frac":1.0,"exp":1e3,)"
      R"("huge":18446744073709551616,"s":"7","b":true})"));
  CHECK(must(uint_field(o, "a")) == 7);
  CHECK(must(uint_field(o, "max")) == UINT64_MAX);
  CHECK(reason_of(uint_field(o, "a", 6)) == "field_too_large");
  for (const char* k : {"neg", "negzero", "frac", "exp", "huge", "s", "b"}) {
    CAPTURE(k);
    CHECK(reason_of(uint_field(o, k)) == "wrong_type");
  }
  CHECK(reason_of(uint_field(o, "none")) == "missing_field");
}

TEST_CASE("bool_field takes true or false only") {
  const json o = must(parse_json_object(R"({"t":true,"one":1,"s":"true"})"));
  CHECK(must(bool_field(o, "t")));
  CHECK(reason_of(bool_field(o, "one")) == "wrong_type");
  CHECK(reason_of(bool_field(o, "s")) == "wrong_type");
}

TEST_CASE("optional fields are nullopt when absent and checked when present") {
  const json o =
      must(parse_json_object(R"({"b":"AAEC","h":"zz","s":"x","u":3,"t":false,"nul":null})"));
  CHECK(must(optional_b64url_field(o, "b", 3)) == Bytes{0, 1, 2});
  CHECK_FALSE(must(optional_b64url_field(o, "absent", 3)).has_value());
  CHECK(reason_of(optional_b64url_field(o, "b", 2)) == "field_too_large");
  CHECK(reason_of(optional_hex32_field(o, "h")) == "bad_encoding");
  CHECK_FALSE(must(optional_hex32_field(o, "absent")).has_value());
  CHECK(must(optional_string_field(o, "s", 5)) == std::optional<std::string>("x"));
  CHECK_FALSE(must(optional_string_field(o, "absent", 5)).has_value());
  CHECK(must(optional_uint_field(o, "u")) == std::optional<std::uint64_t>(3));
  CHECK_FALSE(must(optional_uint_field(o, "absent")).has_value());
  CHECK(must(optional_bool_field(o, "t")) == std::optional<bool>(false));
  // null is a value of the wrong type, not an absent field.
  CHECK(reason_of(optional_uint_field(o, "nul")) == "wrong_type");
  CHECK(reason_of(optional_string_field(o, "nul", 5)) == "wrong_type");
  CHECK(reason_of(optional_bool_field(json::array(), "t")) == "wrong_type");
}

TEST_CASE("only_keys names the first unknown field") {
  const json o = must(parse_json_object(R"({"token":"x","ballot":"y","extra":1})"));
  CHECK(only_keys(o, {"token", "ballot", "extra"}).is_ok());
  CHECK(only_keys(o, {"token", "ballot", "extra", "more"}).is_ok());
  const Status s = only_keys(o, {"token", "ballot"});
  CHECK(reason_of(s) == "unknown_field");
  CHECK(s.message().find("'extra'") != std::string::npos);
  CHECK(reason_of(only_keys(json(5), {"a"})) == "wrong_type");
}

// ---- NFC ------------------------------------------------------------------------------------

TEST_CASE("check_nfc accepts NFC and refuses NFD and invalid UTF-8") {
  CHECK(check_nfc(kNfc, "name").is_ok());
  CHECK(check_nfc("plain ascii", "name").is_ok());
  CHECK(check_nfc("", "name").is_ok());
  CHECK(check_nfc("\xc3\x85ngstr\xc3\xb6m \xe2\x82\xac", "name").is_ok());  // Ångström €
  const Status nfd = check_nfc(kNfd, "candidates[0].name");
  CHECK(reason_of(nfd) == "not_nfc");
  CHECK(nfd.message().find("candidates[0].name") != std::string::npos);
  CHECK(reason_of(check_nfc("A\xe2\x84\xab", "x")) == "not_nfc");  // U+212B ANGSTROM SIGN
  CHECK(reason_of(check_nfc("\xc3", "x")) == "bad_utf8");
  CHECK(reason_of(check_nfc("\xc0\xaf", "x")) == "bad_utf8");
  CHECK(reason_of(check_nfc("\xed\xa0\x80", "x")) == "bad_utf8");
}

TEST_CASE("check_manifest_text and check_roster_text find a name not in NFC") {
  CHECK(check_manifest_text(final_election().m()).is_ok());
  CHECK(check_roster_text(*final_election().roster).is_ok());

  ManifestSpec s = test::base_spec(3);
  s.candidates[2].affiliation = "Verein " + kNfd;
  const Status st = check_manifest_text(must(Manifest::create(s)));
  CHECK(reason_of(st) == "not_nfc");
  CHECK(st.message().find("candidates[2].affiliation") != std::string::npos);
  ManifestSpec t = test::base_spec(3);
  t.title = kNfd + "s Wahl";
  CHECK(reason_of(check_manifest_text(must(Manifest::create(t)))) == "not_nfc");

  const Roster& r = *final_election().roster;
  std::vector<Institution> institutions = r.institutions();
  institutions[1].name = "Treff " + kNfd;
  const Roster bad = must(Roster::create(r.title(), r.credential_context(), institutions));
  const Status rs = check_roster_text(bad);
  CHECK(reason_of(rs) == "not_nfc");
  CHECK(rs.message().find("institutions[1].name") != std::string::npos);
  CHECK(reason_of(roster_from_view(roster_view(bad))) == "not_nfc");
}

}  // namespace
}  // namespace urne::codec
