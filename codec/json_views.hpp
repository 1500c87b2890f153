// The JSON edge of urne: readable, documented views of the domain documents,
// the strict decoding helpers for request bodies, and the Unicode NFC check
// for human-readable text.
//
// JSON is a transport and a view here, never what is signed or hashed: every
// view carries `canonical`, the base64url of the document's canonical bytes
// (ballot/canonical.hpp), and whoever needs to trust a view parses those
// bytes, not the readable fields. check_board_view() ties the two together:
// the readable parts of a board view must be exactly what board_view() makes
// of its canonical bytes. docs/json.md documents every view field by field.
//
// One text form per value (bytes.hpp's strict encoders):
//   - 32-byte values (hashes, ids, Ed25519 and ristretto255 points, seeds)
//     and 64-byte Ed25519 signatures: lower-case hex;
//   - every other byte string (tokens, token requests, RSA public keys,
//     commitments, partial decryptions, canonical bytes): base64url without
//     padding (RFC 4648 §5);
//   - counts and indices: JSON numbers (unsigned integers);
//   - an absent optional value: the key is omitted (never null).
// Views are deterministic: the same document gives the same JSON (nlohmann's
// objects keep their keys sorted, so dump() is byte-for-byte stable too).
//
// Decoding helpers treat their input as hostile: no exception escapes, every
// failure is kInvalidArgument with one of the stable reasons
//   "bad_json", "missing_field", "wrong_type", "bad_encoding",
//   "field_too_large", "unknown_field", "bad_utf8", "not_nfc"
// and a message naming the field.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ballot/board.hpp"
#include "ballot/manifest.hpp"
#include "ballot/result.hpp"
#include "ballot/roster.hpp"
#include "crypto/bytes.hpp"
#include "crypto/status.hpp"

namespace urne::codec {

using json = nlohmann::json;

// ---- views (domain -> JSON) ---------------------------------------------------------

// The manifest with its election id, every field in readable form, the
// derived election key and trustees' public shares, and `canonical`. What a
// voting page needs: election_id, candidates, max_marks, invalid_offered,
// election_key, token_public_key, token_issuer_name.
json manifest_view(const Manifest& manifest);
// The roster: fingerprint (full and short), title, credential context,
// institutions {id, name, public_key} in roster order, `canonical`.
json roster_view(const Roster& roster);
// A delegate's receipt: election id, ballot hash (full and short), the
// service's signature, `canonical` (the 145 receipt bytes).
json receipt_view(const Receipt& receipt);
// The counts-only view while the ballot is open: state, tokens_issued,
// ballots_cast.
json summary_view(const BoardSummary& summary);
// A signed result, with candidate names from `manifest`: per candidate
// marks, rank and status, the totals, the turnout, ties, the lot record,
// the result hash, the service's signature and `canonical`. Never aborts,
// also for a result that does not belong to the manifest (a parsed, not yet
// audited board): names are shown for indices the manifest has, and
// `matches_manifest` says whether election id and candidate count agree.
json result_view(const Manifest& manifest, const SignedResult& signed_result);
// The encrypted sums, one per slot in slot order: [{slot, a, b}] (the
// board's "sums" and GET .../sums).
json sums_view(std::span<const CiphertextSum> sums);
// The whole board: fingerprint, phase, signature, `canonical` (the full
// board: what `urne audit` verifies) and a readable view of every part in
// board order. Renders what the board holds; it does not verify anything.
json board_view(const Board& board);

// ---- views (JSON -> domain) ---------------------------------------------------------

// Whether `view` is exactly board_view() of the board in its `canonical`
// field. kInvalidArgument "board_view_mismatch" naming the first differing
// top-level key (in key order), or the field helpers' reasons for a missing
// or malformed `canonical`, or Board::parse_canonical's reasons. Says nothing
// about the board's signatures or contents: that is the audit's job.
[[nodiscard]] Status check_board_view(const json& view);
// The board of a view that passes check_board_view().
Result<Board> board_from_view(const json& view);
// The manifest / roster of a view: parses `canonical`, requires the view to
// equal manifest_view() / roster_view() of it ("manifest_view_mismatch",
// "roster_view_mismatch") and its text to be NFC (check_*_text).
Result<Manifest> manifest_from_view(const json& view);
Result<Roster> roster_from_view(const json& view);

// ---- request bodies (hostile input) -------------------------------------------------

// Parses a request body that must be one JSON object ("wrong_type"
// otherwise). Refuses syntax errors, invalid UTF-8 (also inside strings),
// unpaired surrogate escapes, trailing bytes, comments ("bad_json"),
// duplicate keys in any object ("bad_json": which of two values counts
// differs between parsers, so a body with two has no one meaning), and
// nesting deeper than `max_depth` containers, the top-level object counting
// as 1 ("bad_json"). The caller bounds the body's size before calling.
Result<json> parse_json_object(std::string_view body, std::size_t max_depth = 8);

// Every key of `obj` is one of `allowed`, else "unknown_field" naming the
// first other key; "wrong_type" when `obj` is not an object.
[[nodiscard]] Status only_keys(const json& obj, std::initializer_list<std::string_view> allowed);

// Field readers. `obj` must be an object ("wrong_type"); the field must be
// present ("missing_field") and of the JSON type the reader expects
// ("wrong_type"; null is a wrong type, not an absent field).
//
// base64url without padding of at most max_size decoded bytes: text longer
// than such a value can be is "field_too_large" before anything is decoded;
// padding, whitespace, characters outside the alphabet, non-zero unused
// bits: "bad_encoding".
Result<Bytes> b64url_field(const json& obj, std::string_view name, std::size_t max_size);
// Exactly n bytes as lower-case hex (2n characters). Upper-case hex is
// refused ("bad_encoding"): every value has exactly one text form, the one
// the views emit, so that a value can be compared and looked up as text.
// Wrong length: "bad_encoding".
Result<Bytes> hex_field(const json& obj, std::string_view name, std::size_t n);
Result<FixedBytes<32>> hex32_field(const json& obj, std::string_view name);
Result<FixedBytes<64>> hex64_field(const json& obj, std::string_view name);
// A string of at most max_size bytes ("field_too_large"), valid UTF-8
// ("bad_utf8") and in Unicode NFC ("not_nfc", see check_nfc).
Result<std::string> string_field(const json& obj, std::string_view name, std::size_t max_size);
// A non-negative integer <= max ("field_too_large" above it). Negative
// numbers, fractions and numbers written with an exponent or a fraction
// part (1.0, 1e3) are "wrong_type": integers have one text form too.
Result<std::uint64_t> uint_field(const json& obj, std::string_view name,
                                 std::uint64_t max = UINT64_MAX);
Result<bool> bool_field(const json& obj, std::string_view name);

// The same for an optional field: nullopt when the key is absent (a null
// value is still "wrong_type").
Result<std::optional<Bytes>> optional_b64url_field(const json& obj, std::string_view name,
                                                   std::size_t max_size);
Result<std::optional<FixedBytes<32>>> optional_hex32_field(const json& obj, std::string_view name);
Result<std::optional<std::string>> optional_string_field(const json& obj, std::string_view name,
                                                         std::size_t max_size);
Result<std::optional<std::uint64_t>> optional_uint_field(const json& obj, std::string_view name,
                                                         std::uint64_t max = UINT64_MAX);
Result<std::optional<bool>> optional_bool_field(const json& obj, std::string_view name);

// ---- Unicode NFC at the edge -----------------------------------------------------------

// `utf8` is valid UTF-8 ("bad_utf8") in Unicode Normalization Form C
// ("not_nfc"), checked with ICU. Why: the canonical layer compares text as
// bytes, and "Jürgen" with a precomposed ü (U+00FC) and with u + U+0308
// look identical on screen and on paper but are two byte strings: two
// candidates that look alike, a name that hashes differently from the one
// the printed list shows. Requiring NFC at the edge gives every name one
// byte form. kInvalidArgument; the message names `field`.
[[nodiscard]] Status check_nfc(std::string_view utf8, std::string_view field);
// check_nfc on every human-readable text of a manifest: title, kind,
// description, candidate names and affiliations.
[[nodiscard]] Status check_manifest_text(const Manifest& manifest);
// check_nfc on a roster's title and institution names (ids are ASCII by
// rule, so NFC).
[[nodiscard]] Status check_roster_text(const Roster& roster);

}  // namespace urne::codec
