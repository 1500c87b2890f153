#include "ballot/canonical.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>

namespace urne {

namespace {

Status malformed(std::string reason, std::string_view field, std::string_view what) {
  return invalid_argument(std::move(reason), std::string(field) + ": " + std::string(what));
}

bool is_label(std::string_view label) {
  if (label.empty() || label.size() > 255) return false;
  for (char c : label) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// Decodes one well-formed UTF-8 sequence at s[i] (Unicode Table 3-7) and
// advances i, or returns nullopt. Hand-written: neither libsodium nor
// OpenSSL offers a UTF-8 validator, and the rule is short and exact.
std::optional<char32_t> next_code_point(std::string_view s, std::size_t& i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t len = 0;
  std::uint8_t lo = 0x80;  // bounds of the second byte
  std::uint8_t hi = 0xbf;
  char32_t cp = 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2;
    cp = b0 & 0x1fU;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3;
    cp = b0 & 0x0fU;
    if (b0 == 0xe0) lo = 0xa0;  // no overlong 3-byte forms
    if (b0 == 0xed) hi = 0x9f;  // no surrogates U+D800..U+DFFF
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4;
    cp = b0 & 0x07U;
    if (b0 == 0xf0) lo = 0x90;  // no overlong 4-byte forms
    if (b0 == 0xf4) hi = 0x8f;  // nothing above U+10FFFF
  } else {
    return std::nullopt;  // continuation byte, C0/C1 (overlong 2-byte), F5..FF
  }
  if (s.size() - i < len) return std::nullopt;
  for (std::size_t k = 1; k < len; ++k) {
    const std::uint8_t b = byte(i + k);
    const std::uint8_t min = k == 1 ? lo : 0x80;
    const std::uint8_t max = k == 1 ? hi : 0xbf;
    if (b < min || b > max) return std::nullopt;
    cp = (cp << 6) | (b & 0x3fU);
  }
  i += len;
  return cp;
}

bool is_forbidden(char32_t cp, TextKind kind) noexcept {
  if (cp == U'\n') return kind != TextKind::kParagraph;
  if (cp < 0x20 || cp == 0x7f) return true;       // C0 controls, DEL
  if (cp >= 0x80 && cp <= 0x9f) return true;      // C1 controls
  if (cp == 0x2028 || cp == 0x2029) return true;  // line/paragraph separators
  if (cp >= 0x202a && cp <= 0x202e) return true;  // bidi embeddings, overrides
  if (cp >= 0x2066 && cp <= 0x2069) return true;  // bidi isolates
  return false;
}

}  // namespace

// ---- writer -------------------------------------------------------------

CanonicalWriter::CanonicalWriter(std::string_view label) {
  if (!is_label(label)) std::abort();  // contract
  text16(label);
}

void CanonicalWriter::bytes16(ByteView b) {
  if (b.size() > kMaxLp16) std::abort();  // contract: validated before
  append_u16(out_, static_cast<std::uint16_t>(b.size()));
  append(out_, b);
}

void CanonicalWriter::bytes32(ByteView b) {
  if (b.size() > kMaxLp32) std::abort();  // contract
  append_u32(out_, static_cast<std::uint32_t>(b.size()));
  append(out_, b);
}

void CanonicalWriter::text16(std::string_view s) {
  // Contract: a domain type validated its text; a document with invalid
  // UTF-8 must never be hashed or signed.
  if (!is_valid_utf8(s)) std::abort();
  bytes16(as_bytes(s));
}

void CanonicalWriter::count16(std::size_t n) {
  if (n > 0xffff) std::abort();  // contract
  append_u16(out_, static_cast<std::uint16_t>(n));
}

void CanonicalWriter::count32(std::size_t n) {
  if (n > 0xffffffff) std::abort();  // contract
  append_u32(out_, static_cast<std::uint32_t>(n));
}

// ---- reader -------------------------------------------------------------

Result<ByteView> CanonicalReader::take(std::size_t n, std::string_view field) {
  // Compare with what remains (no pos_ + n, which could overflow).
  if (n > remaining()) {
    return malformed(
        "truncated", field,
        "needs " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left");
  }
  ByteView v = in_.subspan(pos_, n);
  pos_ += n;
  return v;
}

Status CanonicalReader::label(std::string_view expected) {
  auto got = bytes16("label", 0, kMaxLp16);
  if (!got.ok()) return got.status();
  if (!std::equal(got->begin(), got->end(), as_bytes(expected).begin(), as_bytes(expected).end())) {
    // The label is public: printing it helps whoever fed the wrong document.
    std::string shown;
    for (std::uint8_t c : got->first(std::min<std::size_t>(got->size(), 64))) {
      shown += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
    }
    return malformed("wrong_label", "label",
                     "expected \"" + std::string(expected) + "\", got \"" + shown + "\"");
  }
  return Status::ok();
}

Result<std::uint8_t> CanonicalReader::u8(std::string_view field) {
  URNE_ASSIGN_OR_RETURN(ByteView v, take(1, field));
  return v[0];
}

Result<std::uint16_t> CanonicalReader::u16(std::string_view field) {
  URNE_ASSIGN_OR_RETURN(ByteView v, take(2, field));
  return static_cast<std::uint16_t>((v[0] << 8) | v[1]);
}

Result<std::uint32_t> CanonicalReader::u32(std::string_view field) {
  URNE_ASSIGN_OR_RETURN(ByteView v, take(4, field));
  std::uint32_t x = 0;
  for (std::uint8_t b : v) x = (x << 8) | b;
  return x;
}

Result<std::uint64_t> CanonicalReader::u64(std::string_view field) {
  URNE_ASSIGN_OR_RETURN(ByteView v, take(8, field));
  std::uint64_t x = 0;
  for (std::uint8_t b : v) x = (x << 8) | b;
  return x;
}

Result<bool> CanonicalReader::boolean(std::string_view field) {
  URNE_ASSIGN_OR_RETURN(std::uint8_t b, u8(field));
  // Only 0 and 1: any other byte would be a second encoding of "true".
  if (b > 1) return malformed("bad_bool", field, "a boolean must be 0x00 or 0x01");
  return b == 1;
}

Result<bool> CanonicalReader::presence(std::string_view field) {
  URNE_ASSIGN_OR_RETURN(std::uint8_t b, u8(field));
  if (b > 1)
    return malformed("bad_optional_flag", field, "an optional's flag must be 0x00 or 0x01");
  return b == 1;
}

Result<ByteView> CanonicalReader::fixed(std::size_t n, std::string_view field) {
  return take(n, field);
}

Result<ByteView> CanonicalReader::bytes16(std::string_view field, std::size_t min,
                                          std::size_t max) {
  URNE_ASSIGN_OR_RETURN(std::uint16_t n, u16(field));
  if (n < min || n > max) {
    return malformed("bad_length", field,
                     "length " + std::to_string(n) + " outside " + std::to_string(min) + ".." +
                         std::to_string(max));
  }
  return take(n, field);
}

Result<ByteView> CanonicalReader::bytes32(std::string_view field, std::size_t min,
                                          std::size_t max) {
  URNE_ASSIGN_OR_RETURN(std::uint32_t n, u32(field));
  if (n < min || n > max) {
    return malformed("bad_length", field,
                     "length " + std::to_string(n) + " outside " + std::to_string(min) + ".." +
                         std::to_string(max));
  }
  return take(n, field);
}

Result<std::string> CanonicalReader::text16(std::string_view field, std::size_t min,
                                            std::size_t max) {
  URNE_ASSIGN_OR_RETURN(ByteView v, bytes16(field, min, max));
  std::string s = to_string(v);
  if (!is_valid_utf8(s)) return malformed("bad_utf8", field, "not well-formed UTF-8");
  return s;
}

Result<std::size_t> CanonicalReader::check_count(std::size_t n, std::string_view field,
                                                 std::size_t min, std::size_t max,
                                                 std::size_t min_item_size) const {
  if (n < min || n > max) {
    return malformed("count_out_of_range", field,
                     "count " + std::to_string(n) + " outside " + std::to_string(min) + ".." +
                         std::to_string(max));
  }
  // Checked before the caller allocates: n items need at least
  // n * min_item_size bytes (max bounds n, so the product cannot overflow
  // for any sane max; divide instead to be safe for every input).
  if (min_item_size > 0 && n > remaining() / min_item_size) {
    return malformed("truncated", field,
                     std::to_string(n) + " items cannot fit in the " + std::to_string(remaining()) +
                         " bytes left");
  }
  return n;
}

Result<std::size_t> CanonicalReader::count16(std::string_view field, std::size_t min,
                                             std::size_t max, std::size_t min_item_size) {
  URNE_ASSIGN_OR_RETURN(std::uint16_t n, u16(field));
  return check_count(n, field, min, max, min_item_size);
}

Result<std::size_t> CanonicalReader::count32(std::string_view field, std::size_t min,
                                             std::size_t max, std::size_t min_item_size) {
  URNE_ASSIGN_OR_RETURN(std::uint32_t n, u32(field));
  return check_count(n, field, min, max, min_item_size);
}

Status CanonicalReader::finish() const {
  if (remaining() != 0) {
    // A second byte form (the document plus anything) must not parse: ids
    // and hashes are over exact bytes.
    return invalid_argument("trailing_bytes",
                            std::to_string(remaining()) + " bytes after the end of the document");
  }
  return Status::ok();
}

std::string short_fingerprint(const FixedBytes<32>& hash) {
  const std::string hex = hex_encode(ByteView(hash).first(8));
  return hex.substr(0, 4) + " " + hex.substr(4, 4) + " " + hex.substr(8, 4) + " " +
         hex.substr(12, 4);
}

// ---- text ---------------------------------------------------------------

bool is_valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    if (!next_code_point(s, i)) return false;
  }
  return true;
}

Status check_text(std::string_view field, std::string_view text, std::size_t min, std::size_t max,
                  TextKind kind) {
  if (text.size() < min || text.size() > max) {
    return malformed("bad_length", field,
                     "length " + std::to_string(text.size()) + " bytes outside " +
                         std::to_string(min) + ".." + std::to_string(max));
  }
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t at = i;
    const std::optional<char32_t> cp = next_code_point(text, i);
    if (!cp)
      return malformed("bad_utf8", field, "not well-formed UTF-8 at byte " + std::to_string(at));
    if (is_forbidden(*cp, kind)) {
      return malformed(
          "forbidden_character", field,
          "control or bidirectional-formatting character at byte " + std::to_string(at));
    }
  }
  if (!text.empty() && (text.front() == ' ' || text.back() == ' ')) {
    return malformed("surrounding_space", field, "leading or trailing space");
  }
  return Status::ok();
}

}  // namespace urne
