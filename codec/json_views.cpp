#include "codec/json_views.hpp"

#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <new>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ballot/canonical.hpp"
#include "ballot/counting.hpp"

namespace urne::codec {
namespace {

// Upper bound on the canonical bytes a board view may carry. A board of
// Board::kMaxBallots ballots could in principle be larger; a JSON document of
// more than 1 GiB is not a sensible transport for it (design.md: JSON lines
// for large elections), so the view refuses it as "field_too_large".
constexpr std::size_t kMaxBoardViewBytes = std::size_t{1} << 30;
// ICU takes int32_t lengths; no text field of urne comes near this.
constexpr std::size_t kMaxNfcInput = std::size_t{1} << 24;

std::string hex(ByteView b) { return hex_encode(b); }
std::string b64(ByteView b) { return base64url_encode(b); }

std::string in_quotes(std::string_view name) { return "'" + std::string(name) + "'"; }

Status field_error(std::string reason, std::string_view name, std::string_view what) {
  return invalid_argument(std::move(reason), "field " + in_quotes(name) + ": " + std::string(what));
}

std::string_view tie_rule_name(TieRule r) {
  switch (r) {
    case TieRule::kLot:
      return "lot";
    case TieRule::kRunoff:
      return "runoff";
  }
  return "unknown";
}

std::string_view resolution_name(TieResolution r) {
  switch (r) {
    case TieResolution::kNotNeeded:
      return "not_needed";
    case TieResolution::kLot:
      return "lot";
    case TieResolution::kRunoff:
      return "runoff";
  }
  return "unknown";
}

template <class T>
json index_array(const std::vector<T>& v) {
  json out = json::array();
  for (const T& x : v) out.push_back(x);
  return out;
}

// The first top-level key (in key order) whose value differs between the two
// objects, or "" when they are equal; a non-object compares as a whole.
std::string first_difference(const json& expected, const json& given) {
  if (!expected.is_object() || !given.is_object()) return expected == given ? "" : "(document)";
  std::set<std::string> keys;
  for (const auto& [k, v] : expected.items()) keys.insert(k);
  for (const auto& [k, v] : given.items()) keys.insert(k);
  for (const std::string& k : keys) {
    const auto e = expected.find(k);
    const auto g = given.find(k);
    if (e == expected.end() || g == given.end() || *e != *g) return k;
  }
  return "";
}

Status check_view_matches(const json& expected, const json& given, std::string reason,
                          std::string_view what) {
  const std::string diff = first_difference(expected, given);
  if (diff.empty()) return Status::ok();
  return invalid_argument(std::move(reason), "the " + std::string(what) + " view's field " +
                                                 in_quotes(diff) +
                                                 " differs from its canonical bytes");
}

// Looks up a field: "wrong_type" if obj is not an object, nullptr if absent.
Result<const json*> find_field(const json& obj, std::string_view name) {
  if (!obj.is_object()) {
    return invalid_argument("wrong_type",
                            "expected a JSON object holding field " + in_quotes(name));
  }
  const auto it = obj.find(name);
  if (it == obj.end()) return static_cast<const json*>(nullptr);
  return &*it;
}

Result<const json*> require_field(const json& obj, std::string_view name) {
  URNE_ASSIGN_OR_RETURN(const json* f, find_field(obj, name));
  if (f == nullptr) return field_error("missing_field", name, "missing");
  return f;
}

// Readers of a present value.
Result<Bytes> read_b64url(const json& v, std::string_view name, std::size_t max_size) {
  if (!v.is_string()) return field_error("wrong_type", name, "must be a base64url string");
  const std::string& text = v.get_ref<const std::string&>();
  // ceil(4 max / 3) characters encode at most max bytes: refuse longer text
  // before decoding (and allocating) anything.
  if (max_size <= SIZE_MAX / 4 && text.size() > (max_size * 4 + 2) / 3) {
    return field_error("field_too_large", name,
                       "longer than " + std::to_string(max_size) + " bytes");
  }
  Result<Bytes> b = base64url_decode(text);
  if (!b.ok()) return field_error("bad_encoding", name, "not base64url without padding");
  if (b->size() > max_size) {
    return field_error("field_too_large", name,
                       "longer than " + std::to_string(max_size) + " bytes");
  }
  return b;
}

Result<Bytes> read_hex(const json& v, std::string_view name, std::size_t n) {
  if (!v.is_string()) return field_error("wrong_type", name, "must be a hex string");
  const std::string& text = v.get_ref<const std::string&>();
  if (text.size() != 2 * n) {
    return field_error("bad_encoding", name,
                       "must be " + std::to_string(n) + " bytes as " + std::to_string(2 * n) +
                           " lower-case hex digits");
  }
  // hex_decode also takes upper case; the one text form is lower case.
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return field_error("bad_encoding", name, "must be lower-case hex");
    }
  }
  Result<Bytes> b = hex_decode(text);
  if (!b.ok()) return field_error("bad_encoding", name, "must be lower-case hex");
  return b;
}

Result<std::string> read_string(const json& v, std::string_view name, std::size_t max_size) {
  if (!v.is_string()) return field_error("wrong_type", name, "must be a string");
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() > max_size) {
    return field_error("field_too_large", name,
                       "longer than " + std::to_string(max_size) + " bytes");
  }
  URNE_RETURN_IF_ERROR(check_nfc(s, name));
  return s;
}

Result<std::uint64_t> read_uint(const json& v, std::string_view name, std::uint64_t max) {
  // nlohmann parses a non-negative integer literal as number_unsigned; a
  // negative one (also "-0") as number_integer and anything with a fraction
  // or exponent as number_float. Only the first is an unsigned integer in
  // its one text form.
  if (!v.is_number_unsigned()) {
    return field_error("wrong_type", name, "must be a non-negative integer");
  }
  const auto x = v.get<std::uint64_t>();
  if (x > max) {
    return field_error("field_too_large", name, "greater than " + std::to_string(max));
  }
  return x;
}

Result<bool> read_bool(const json& v, std::string_view name) {
  if (!v.is_boolean()) return field_error("wrong_type", name, "must be true or false");
  return v.get<bool>();
}

template <class T, class Read>
Result<std::optional<T>> read_optional(const json& obj, std::string_view name, Read read) {
  URNE_ASSIGN_OR_RETURN(const json* f, find_field(obj, name));
  if (f == nullptr) return std::optional<T>();
  URNE_ASSIGN_OR_RETURN(T v, read(*f));
  return std::optional<T>(std::move(v));
}

// Thrown by the parser callback and caught in parse_json_object only: the
// callback has no other way to stop nlohmann's parser.
struct ParseRefusal {
  std::string message;
};

}  // namespace

// ---- views ---------------------------------------------------------------------------

json manifest_view(const Manifest& m) {
  const ManifestSpec& s = m.spec();
  json v = json::object();
  v["election_id"] = hex(m.election_id());
  v["title"] = s.title;
  if (s.kind) v["kind"] = *s.kind;
  if (s.description) v["description"] = *s.description;
  v["roster_fingerprint"] = hex(s.roster_fingerprint);
  json candidates = json::array();
  for (std::size_t i = 0; i < s.candidates.size(); ++i) {
    candidates.push_back({{"index", i},
                          {"name", s.candidates[i].name},
                          {"affiliation", s.candidates[i].affiliation}});
  }
  v["candidates"] = std::move(candidates);
  v["seats"] = s.seats;
  v["substitutes"] = s.substitutes;
  v["max_marks"] = m.max_marks();
  v["invalid_offered"] = s.invalid_offered;
  v["slot_count"] = m.ballot_layout().slot_count();
  v["tie_rule"] = tie_rule_name(s.tie_rule);
  v["lot_seed_commitment"] = hex(s.lot_seed_commitment);
  v["token_issuer_name"] = s.token_issuer_name;
  v["token_public_key"] = b64(m.token_public_key().spki());
  v["token_key_id"] = hex(m.token_public_key().key_id());
  v["ceremony_id"] = hex(s.ceremony_id);
  v["trustees"] = s.trustees;
  v["threshold"] = s.threshold;
  const ElectionKey& key = m.election_key();
  json commitments = json::array();
  for (const DealerCommitment& c : key.commitments()) {
    commitments.push_back({{"dealer", c.dealer()}, {"commitment", b64(c.encode())}});
  }
  v["dealer_commitments"] = std::move(commitments);
  v["election_key"] = hex(key.election_key().bytes());
  json shares = json::array();
  for (std::size_t j = 0; j < key.public_shares().size(); ++j) {
    shares.push_back({{"trustee", j + 1}, {"public_share", hex(key.public_shares()[j].bytes())}});
  }
  v["public_shares"] = std::move(shares);
  v["service_key"] = hex(s.service_key);
  v["officer_key"] = hex(s.officer_key);
  v["page_hash"] = hex(s.page_hash);
  v["canonical"] = b64(m.canonical_bytes());
  return v;
}

json roster_view(const Roster& r) {
  json v = json::object();
  v["fingerprint"] = hex(r.fingerprint());
  v["short_fingerprint"] = r.short_fingerprint();
  v["title"] = r.title();
  v["credential_context"] = hex(r.credential_context().bytes());
  json institutions = json::array();
  for (const Institution& i : r.institutions()) {
    institutions.push_back({{"id", i.id}, {"name", i.name}, {"public_key", hex(i.key.bytes())}});
  }
  v["institutions"] = std::move(institutions);
  v["canonical"] = b64(r.canonical_bytes());
  return v;
}

json receipt_view(const Receipt& r) {
  return json{{"election_id", hex(r.election_id)},
              {"ballot_hash", hex(r.ballot_hash)},
              {"short_hash", r.short_hash()},
              {"signature", hex(r.signature)},
              {"canonical", b64(r.canonical_bytes())}};
}

json summary_view(const BoardSummary& s) {
  return json{{"state", state_name(s.state)},
              {"tokens_issued", s.tokens_issued},
              {"ballots_cast", s.ballots_cast}};
}

json result_view(const Manifest& manifest, const SignedResult& signed_result) {
  const ElectionResult& result = signed_result.result;
  const ResultData& d = result.data();
  const std::vector<Candidate>& names = manifest.candidates();
  const std::size_t n = d.totals.marks.size();
  const CountOutcome& o = d.outcome;

  json v = json::object();
  v["election_id"] = hex(d.election_id);
  v["matches_manifest"] = d.election_id == manifest.election_id() && n == names.size();
  v["title"] = manifest.title();
  v["entitled"] = d.entitled;
  v["checked_in"] = d.checked_in;
  v["ballots_cast"] = d.totals.ballots_cast;
  v["abstentions"] = d.totals.abstentions;
  v["invalid"] = d.totals.invalid;
  // ElectionResult::create checked Totals::consistent(), so valid() holds.
  v["valid"] = d.totals.valid();
  v["seats"] = manifest.counting_rule().seats;
  v["substitute_places"] = manifest.counting_rule().substitutes;
  v["tie_rule"] = tie_rule_name(manifest.counting_rule().tie_rule);

  // Ranks from the ranking (a permutation of 0..n-1: checked by create()).
  std::vector<std::uint32_t> rank(n, 0);
  for (std::size_t r = 0; r < o.ranking.size() && r < n; ++r) {
    if (o.ranking[r] < n) rank[o.ranking[r]] = static_cast<std::uint32_t>(r + 1);
  }
  std::vector<bool> in_runoff(n, false);
  for (const TieGroup& g : o.ties) {
    if (g.resolution != TieResolution::kRunoff) continue;
    for (std::uint32_t c : g.members) {
      if (c < n) in_runoff[c] = true;
    }
  }
  const auto contains = [](const std::vector<std::uint32_t>& list, std::uint32_t x) {
    return std::find(list.begin(), list.end(), x) != list.end();
  };
  json candidates = json::array();
  for (std::uint32_t i = 0; i < n; ++i) {
    json c = {{"index", i}, {"marks", d.totals.marks[i]}, {"rank", rank[i]}};
    if (i < names.size()) {
      c["name"] = names[i].name;
      c["affiliation"] = names[i].affiliation;
    }
    if (contains(o.elected, i)) {
      c["status"] = "elected";
    } else if (contains(o.substitutes, i)) {
      c["status"] = "substitute";
      const auto place = std::find(o.substitutes.begin(), o.substitutes.end(), i);
      c["substitute_place"] = static_cast<std::uint64_t>(place - o.substitutes.begin()) + 1;
    } else if (in_runoff[i]) {
      c["status"] = "undecided";
    } else {
      c["status"] = "not_elected";
    }
    candidates.push_back(std::move(c));
  }
  v["candidates"] = std::move(candidates);
  v["ranking"] = index_array(o.ranking);
  v["elected"] = index_array(o.elected);
  v["substitutes"] = index_array(o.substitutes);

  json ties = json::array();
  for (const TieGroup& g : o.ties) {
    json t = {{"marks", g.marks},
              {"members", index_array(g.members)},
              {"first_rank", g.first_rank},
              {"last_rank", g.last_rank},
              {"resolution", resolution_name(g.resolution)}};
    if (g.resolution == TieResolution::kLot) {
      json drawn = json::array();
      for (const LotKey& k : d.lot.keys) {
        if (contains(g.members, k.candidate)) drawn.push_back(k.candidate);
      }
      t["drawn_order"] = std::move(drawn);
    }
    ties.push_back(std::move(t));
  }
  v["ties"] = std::move(ties);
  v["undecided_ranks"] = index_array(o.undecided_ranks);

  json keys = json::array();
  for (const LotKey& k : d.lot.keys) {
    keys.push_back({{"candidate", k.candidate}, {"key", hex(k.key)}});
  }
  v["lot"] = json{{"drawn", o.lot_drawn},
                  {"seed", hex(d.lot.seed)},
                  {"ballot_set_hash", hex(d.lot.ballot_set_hash)},
                  {"keys", std::move(keys)}};

  v["result_hash"] = hex(result.hash());
  v["signature"] = hex(signed_result.signature);
  v["canonical"] = b64(result.canonical_bytes());
  return v;
}

json sums_view(std::span<const CiphertextSum> sums) {
  json out = json::array();
  for (std::size_t i = 0; i < sums.size(); ++i) {
    out.push_back({{"slot", i}, {"a", hex(sums[i].a.bytes())}, {"b", hex(sums[i].b.bytes())}});
  }
  return out;
}

json board_view(const Board& board) {
  const BoardContents& c = board.contents();
  json v = json::object();
  v["fingerprint"] = hex(board.fingerprint());
  v["short_fingerprint"] = board.short_fingerprint();
  if (const auto phase = board.phase()) v["phase"] = state_name(*phase);
  v["signature"] = hex(board.signature());
  v["canonical"] = b64(board.canonical_bytes());
  v["summary"] = summary_view(board.summary());
  v["manifest"] = manifest_view(c.manifest);
  v["roster"] = roster_view(c.roster);

  json issuance = json::array();
  for (const IssuanceEntry& e : c.issuance) {
    issuance.push_back({{"institution_id", e.institution_id},
                        {"token_request", b64(e.request.bytes())},
                        {"signature", hex(e.signature)}});
  }
  v["issuance"] = std::move(issuance);

  json transitions = json::array();
  for (const StateTransition& t : c.transitions) {
    transitions.push_back({{"state", state_name(t.state)},
                           {"sequence", t.sequence},
                           {"signature", hex(t.signature)}});
  }
  v["transitions"] = std::move(transitions);

  json ballots = json::array();
  for (const CastBallot& b : c.ballots) {
    ballots.push_back(
        {{"ballot_hash", hex(b.ballot_hash())}, {"canonical", b64(b.canonical_bytes())}});
  }
  v["ballots"] = std::move(ballots);

  v["sums"] = sums_view(c.sums);

  json partials = json::array();
  for (const TrusteePartials& t : c.partials) {
    json list = json::array();
    for (const PartialDecryption& p : t.partials) list.push_back(b64(p.encode()));
    partials.push_back({{"trustee", t.trustee}, {"partials", std::move(list)}});
  }
  v["partials"] = std::move(partials);

  if (c.lot_seed) v["lot_seed"] = hex(*c.lot_seed);
  if (c.result) v["result"] = result_view(c.manifest, *c.result);
  return v;
}

// ---- views back to the domain ----------------------------------------------------------

Status check_board_view(const json& view) {
  URNE_ASSIGN_OR_RETURN(Bytes bytes, b64url_field(view, "canonical", kMaxBoardViewBytes));
  URNE_ASSIGN_OR_RETURN(Board board, Board::parse_canonical(bytes));
  return check_view_matches(board_view(board), view, "board_view_mismatch", "board");
}

Result<Board> board_from_view(const json& view) {
  URNE_ASSIGN_OR_RETURN(Bytes bytes, b64url_field(view, "canonical", kMaxBoardViewBytes));
  URNE_ASSIGN_OR_RETURN(Board board, Board::parse_canonical(bytes));
  URNE_RETURN_IF_ERROR(check_view_matches(board_view(board), view, "board_view_mismatch", "board"));
  return board;
}

Result<Manifest> manifest_from_view(const json& view) {
  URNE_ASSIGN_OR_RETURN(Bytes bytes, b64url_field(view, "canonical", Board::kMaxManifestSize));
  URNE_ASSIGN_OR_RETURN(Manifest m, Manifest::parse_canonical(bytes));
  URNE_RETURN_IF_ERROR(
      check_view_matches(manifest_view(m), view, "manifest_view_mismatch", "manifest"));
  URNE_RETURN_IF_ERROR(check_manifest_text(m));
  return m;
}

Result<Roster> roster_from_view(const json& view) {
  URNE_ASSIGN_OR_RETURN(Bytes bytes, b64url_field(view, "canonical", Board::kMaxRosterSize));
  URNE_ASSIGN_OR_RETURN(Roster r, Roster::parse_canonical(bytes));
  URNE_RETURN_IF_ERROR(check_view_matches(roster_view(r), view, "roster_view_mismatch", "roster"));
  URNE_RETURN_IF_ERROR(check_roster_text(r));
  return r;
}

// ---- request bodies --------------------------------------------------------------------

Result<json> parse_json_object(std::string_view body, std::size_t max_depth) {
  // Keys seen so far in each open object (innermost last); arrays push
  // nothing, so object_end always pops the set of the object it closes.
  std::vector<std::set<std::string>> open_objects;
  const auto depth_limit = static_cast<int>(std::min<std::size_t>(max_depth, INT_MAX));
  const json::parser_callback_t callback = [&](int depth, json::parse_event_t event,
                                               json& parsed) -> bool {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        // `depth` counts the containers around this one; nlohmann's parser
        // is iterative, but every handler walks the document recursively,
        // so the depth is bounded here.
        if (depth >= depth_limit) {
          throw ParseRefusal{"nested deeper than " + std::to_string(max_depth) + " levels"};
        }
        if (event == json::parse_event_t::object_start) open_objects.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case json::parse_event_t::key:
        // nlohmann keeps the last of two equal keys, other parsers the
        // first or refuse: a body with a duplicate key means different
        // things to different readers, so it means nothing.
        if (!open_objects.empty() &&
            !open_objects.back().insert(parsed.get<std::string>()).second) {
          throw ParseRefusal{"duplicate key " + in_quotes(parsed.get<std::string>())};
        }
        break;
      default:
        break;
    }
    return true;
  };
  // nlohmann's lexer reads a NUL byte as the end of the input and would
  // accept "{}\0anything". JSON has no raw NUL anywhere (inside a string it
  // must be escaped as \u0000), so a body with one is refused outright.
  if (body.find('\0') != std::string_view::npos) {
    return invalid_argument("bad_json", "the body contains a NUL byte");
  }
  try {
    json j = json::parse(body.begin(), body.end(), callback, /*allow_exceptions=*/true,
                         /*ignore_comments=*/false);
    if (!j.is_object()) return invalid_argument("wrong_type", "the body must be a JSON object");
    return j;
  } catch (const ParseRefusal& e) {
    return invalid_argument("bad_json", "the body is not acceptable JSON: " + e.message);
  } catch (const json::parse_error& e) {
    // The message gives the byte position; it contains no body text beyond
    // the last token read.
    return invalid_argument("bad_json", std::string("the body is not valid JSON: ") + e.what());
  } catch (const json::exception& e) {
    return invalid_argument("bad_json",
                            std::string("the body is not acceptable JSON: ") + e.what());
  } catch (const std::bad_alloc&) {
    return Status(Code::kResourceExhausted, "out_of_memory", "the body is too large to parse");
  }
}

Status only_keys(const json& obj, std::initializer_list<std::string_view> allowed) {
  if (!obj.is_object()) return invalid_argument("wrong_type", "expected a JSON object");
  for (const auto& [key, value] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end()) {
      return field_error("unknown_field", key, "not a field of this document");
    }
  }
  return Status::ok();
}

Result<Bytes> b64url_field(const json& obj, std::string_view name, std::size_t max_size) {
  URNE_ASSIGN_OR_RETURN(const json* f, require_field(obj, name));
  return read_b64url(*f, name, max_size);
}

Result<Bytes> hex_field(const json& obj, std::string_view name, std::size_t n) {
  URNE_ASSIGN_OR_RETURN(const json* f, require_field(obj, name));
  return read_hex(*f, name, n);
}

Result<FixedBytes<32>> hex32_field(const json& obj, std::string_view name) {
  URNE_ASSIGN_OR_RETURN(Bytes b, hex_field(obj, name, 32));
  return to_fixed<32>(b, name);
}

Result<FixedBytes<64>> hex64_field(const json& obj, std::string_view name) {
  URNE_ASSIGN_OR_RETURN(Bytes b, hex_field(obj, name, 64));
  return to_fixed<64>(b, name);
}

Result<std::string> string_field(const json& obj, std::string_view name, std::size_t max_size) {
  URNE_ASSIGN_OR_RETURN(const json* f, require_field(obj, name));
  return read_string(*f, name, max_size);
}

Result<std::uint64_t> uint_field(const json& obj, std::string_view name, std::uint64_t max) {
  URNE_ASSIGN_OR_RETURN(const json* f, require_field(obj, name));
  return read_uint(*f, name, max);
}

Result<bool> bool_field(const json& obj, std::string_view name) {
  URNE_ASSIGN_OR_RETURN(const json* f, require_field(obj, name));
  return read_bool(*f, name);
}

Result<std::optional<Bytes>> optional_b64url_field(const json& obj, std::string_view name,
                                                   std::size_t max_size) {
  return read_optional<Bytes>(obj, name,
                              [&](const json& v) { return read_b64url(v, name, max_size); });
}

Result<std::optional<FixedBytes<32>>> optional_hex32_field(const json& obj, std::string_view name) {
  return read_optional<FixedBytes<32>>(obj, name, [&](const json& v) -> Result<FixedBytes<32>> {
    URNE_ASSIGN_OR_RETURN(Bytes b, read_hex(v, name, 32));
    return to_fixed<32>(b, name);
  });
}

Result<std::optional<std::string>> optional_string_field(const json& obj, std::string_view name,
                                                         std::size_t max_size) {
  return read_optional<std::string>(obj, name,
                                    [&](const json& v) { return read_string(v, name, max_size); });
}

Result<std::optional<std::uint64_t>> optional_uint_field(const json& obj, std::string_view name,
                                                         std::uint64_t max) {
  return read_optional<std::uint64_t>(obj, name,
                                      [&](const json& v) { return read_uint(v, name, max); });
}

Result<std::optional<bool>> optional_bool_field(const json& obj, std::string_view name) {
  return read_optional<bool>(obj, name, [&](const json& v) { return read_bool(v, name); });
}

// ---- NFC ------------------------------------------------------------------------------------

Status check_nfc(std::string_view utf8, std::string_view field) {
  // Our own strict check first (canonical.hpp: no overlong forms, no
  // surrogates), so that ICU only ever sees well-formed input.
  if (!is_valid_utf8(utf8)) return field_error("bad_utf8", field, "not valid UTF-8");
  // ASCII text is always NFC; most fields (ids, many names) are ASCII.
  if (std::all_of(utf8.begin(), utf8.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return Status::ok();
  }
  if (utf8.size() > kMaxNfcInput) return field_error("field_too_large", field, "text too long");
  // UTF-8 -> UTF-16: never more code units than bytes.
  std::vector<UChar> u16(utf8.size());
  UErrorCode err = U_ZERO_ERROR;
  std::int32_t len = 0;
  u_strFromUTF8(u16.data(), static_cast<std::int32_t>(u16.size()), &len, utf8.data(),
                static_cast<std::int32_t>(utf8.size()), &err);
  if (U_FAILURE(err)) return field_error("bad_utf8", field, "not valid UTF-8");
  const UNormalizer2* nfc = unorm2_getNFCInstance(&err);
  if (U_FAILURE(err) || nfc == nullptr) {
    return internal_error("icu_unavailable",
                          std::string("ICU's NFC data is unavailable: ") + u_errorName(err));
  }
  const UBool normalized = unorm2_isNormalized(nfc, u16.data(), len, &err);
  if (U_FAILURE(err)) {
    return internal_error("icu_failed", std::string("ICU's NFC check failed: ") + u_errorName(err));
  }
  if (!normalized) {
    return field_error("not_nfc", field, "not in Unicode Normalization Form C (NFC)");
  }
  return Status::ok();
}

Status check_manifest_text(const Manifest& manifest) {
  const ManifestSpec& s = manifest.spec();
  URNE_RETURN_IF_ERROR(check_nfc(s.title, "title"));
  if (s.kind) URNE_RETURN_IF_ERROR(check_nfc(*s.kind, "kind"));
  if (s.description) URNE_RETURN_IF_ERROR(check_nfc(*s.description, "description"));
  for (std::size_t i = 0; i < s.candidates.size(); ++i) {
    const std::string at = "candidates[" + std::to_string(i) + "]";
    URNE_RETURN_IF_ERROR(check_nfc(s.candidates[i].name, at + ".name"));
    URNE_RETURN_IF_ERROR(check_nfc(s.candidates[i].affiliation, at + ".affiliation"));
  }
  return Status::ok();
}

Status check_roster_text(const Roster& roster) {
  URNE_RETURN_IF_ERROR(check_nfc(roster.title(), "title"));
  for (std::size_t i = 0; i < roster.institutions().size(); ++i) {
    const Institution& inst = roster.institutions()[i];
    const std::string at = "institutions[" + std::to_string(i) + "]";
    URNE_RETURN_IF_ERROR(check_nfc(inst.id, at + ".id"));
    URNE_RETURN_IF_ERROR(check_nfc(inst.name, at + ".name"));
  }
  return Status::ok();
}

}  // namespace urne::codec
