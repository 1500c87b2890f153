// The canonical binary encoding of urne's documents, and its strict reader.
//
// Every document that is hashed or signed (roster, manifest, cast ballot,
// the board's parts) has exactly one byte string, produced by the domain type
// itself (canonical_bytes()) and parsed back by it (parse_canonical()), byte
// for byte. JSON is only a transport: the codecs above ballot/ convert, and
// ids, hashes and signatures always cover these bytes, never a
// re-serialization. The encoding is in the style of TLS's presentation
// language (RFC 8446 §3); docs/protocol.md, "Canonical encoding", is the
// normative text:
//   - a document starts with lp16(label), the label naming type and version,
//     e.g. "urne/manifest/v1";
//   - fields follow in a fixed order, without names or tags;
//   - integers are big-endian of fixed width (u8, u16, u32, u64);
//   - booleans are one byte, 0x00 or 0x01; anything else is rejected;
//   - a string is lp16(UTF-8 bytes), valid UTF-8 (checked here; Unicode NFC
//     is enforced at the JSON edge by the codec, not here: this layer compares
//     strings as bytes);
//   - a variable byte string is lp16 or lp32 (length prefix u16 / u32); a
//     value whose size the type fixes (a key, a hash, a ciphertext, a token)
//     is written raw;
//   - a list is a u16 or u32 count followed by its items;
//   - an optional is a u8 0x00 (absent) or 0x01 followed by the value.
//
// CanonicalWriter is fed only by validated domain types: a value it cannot
// encode (a string longer than 65535 bytes, invalid UTF-8) is a programmer's
// error and aborts. CanonicalReader parses outside input: every read is
// bounds-checked, a count is checked against its bounds and against the bytes
// that remain before anything is allocated, and finish() rejects trailing
// bytes. Every failure is kInvalidArgument with one of the reasons
//   "truncated", "trailing_bytes", "wrong_label", "bad_bool",
//   "bad_optional_flag", "bad_length", "count_out_of_range", "bad_utf8"
// and a message naming the field. It never aborts on any input (fuzz target).
//
// check_text() is the domain's rule for human-readable text fields (names,
// titles): valid UTF-8, a length in bytes within bounds, no control or
// bidirectional-formatting characters, no surrounding spaces.
//
// Thread-safety: the writer and the reader are single-threaded value types;
// the free functions are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/bytes.hpp"
#include "crypto/status.hpp"

namespace urne {

inline constexpr std::size_t kMaxLp16 = 0xffff;
inline constexpr std::size_t kMaxLp32 = 0xffffffff;

class CanonicalWriter {
 public:
  // Starts a document with lp16(label). Contract: label is 1..255 bytes of
  // printable ASCII.
  explicit CanonicalWriter(std::string_view label);

  void u8(std::uint8_t v) { append_u8(out_, v); }
  void u16(std::uint16_t v) { append_u16(out_, v); }
  void u32(std::uint32_t v) { append_u32(out_, v); }
  void u64(std::uint64_t v) { append_u64(out_, v); }
  void boolean(bool v) { append_u8(out_, v ? 1 : 0); }
  // The flag of an optional value (0x00 absent, 0x01 present); the caller
  // writes the value after a present flag.
  void presence(bool present) { boolean(present); }
  // A value of fixed size, raw.
  void fixed(ByteView b) { append(out_, b); }
  // lp16 / lp32 byte strings. Contract: the length fits the prefix.
  void bytes16(ByteView b);
  void bytes32(ByteView b);
  // lp16(UTF-8). Contract: valid UTF-8 and at most 65535 bytes.
  void text16(std::string_view s);
  // List counts. Contract: the count fits.
  void count16(std::size_t n);
  void count32(std::size_t n);

  const Bytes& bytes() const noexcept { return out_; }
  Bytes take() && { return std::move(out_); }

 private:
  Bytes out_;
};

class CanonicalReader {
 public:
  // Reads `in`, which must outlive the reader.
  explicit CanonicalReader(ByteView in) noexcept : in_(in) {}

  // The document's lp16 label must be exactly `expected` ("wrong_label").
  [[nodiscard]] Status label(std::string_view expected);

  // `field` names the value in error messages (e.g. "candidates[3].name").
  Result<std::uint8_t> u8(std::string_view field);
  Result<std::uint16_t> u16(std::string_view field);
  Result<std::uint32_t> u32(std::string_view field);
  Result<std::uint64_t> u64(std::string_view field);
  // 0x00 or 0x01, else "bad_bool".
  Result<bool> boolean(std::string_view field);
  // An optional's flag: 0x00 or 0x01, else "bad_optional_flag".
  Result<bool> presence(std::string_view field);
  // `n` raw bytes (a view into the input).
  Result<ByteView> fixed(std::size_t n, std::string_view field);
  template <std::size_t N>
  Result<FixedBytes<N>> fixed(std::string_view field) {
    URNE_ASSIGN_OR_RETURN(ByteView v, fixed(N, field));
    FixedBytes<N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = v[i];
    return out;
  }
  // lp16 / lp32 byte string of min..max bytes ("bad_length" outside).
  Result<ByteView> bytes16(std::string_view field, std::size_t min, std::size_t max);
  Result<ByteView> bytes32(std::string_view field, std::size_t min, std::size_t max);
  // lp16 UTF-8 string of min..max bytes ("bad_length", "bad_utf8"). The
  // domain type applies its own text rules (check_text) afterwards.
  Result<std::string> text16(std::string_view field, std::size_t min, std::size_t max);
  // A list count within min..max ("count_out_of_range"), and small enough
  // that `count` items of at least `min_item_size` bytes fit in what is left
  // ("truncated"), so that a caller may reserve `count` items safely.
  Result<std::size_t> count16(std::string_view field, std::size_t min, std::size_t max,
                              std::size_t min_item_size);
  Result<std::size_t> count32(std::string_view field, std::size_t min, std::size_t max,
                              std::size_t min_item_size);

  std::size_t remaining() const noexcept { return in_.size() - pos_; }
  // Everything was read, else "trailing_bytes".
  [[nodiscard]] Status finish() const;

 private:
  Result<ByteView> take(std::size_t n, std::string_view field);
  Result<std::size_t> check_count(std::size_t n, std::string_view field, std::size_t min,
                                  std::size_t max, std::size_t min_item_size) const;
  ByteView in_;
  std::size_t pos_ = 0;
};

// Well-formed UTF-8 (Unicode Table 3-7): no overlong forms, no surrogates,
// nothing above U+10FFFF, no truncated sequence.
[[nodiscard]] bool is_valid_utf8(std::string_view s) noexcept;

// The short human form of a document's SHA-256 (a roster's fingerprint on
// the letters, a board's read out in the hall): its first 8 bytes as four
// groups of four lower-case hex digits, e.g. "3f2a 9c01 77b4 e0d5" (64 bits:
// enough to notice a different document, not a replacement for the full
// hash in a signature).
std::string short_fingerprint(const FixedBytes<32>& hash);

enum class TextKind : std::uint8_t {
  kLine = 1,       // one line: no line feed, no leading or trailing space
  kParagraph = 2,  // may contain line feeds (U+000A); otherwise as kLine
};

// The domain's rule for a human-readable text field, checked on every
// document built or parsed: valid UTF-8 ("bad_utf8"), min..max bytes
// ("bad_length"), no C0/C1 control character or DEL (except a line feed in
// kParagraph), no U+2028/U+2029, and no bidirectional embedding, override or
// isolate controls (U+202A..U+202E, U+2066..U+2069), which could make a
// printed name read differently from its bytes ("forbidden_character"); no
// leading or trailing ASCII space ("surrounding_space": "Anna" and "Anna "
// would otherwise be two different candidates that look alike).
// kInvalidArgument; the message names `field`.
[[nodiscard]] Status check_text(std::string_view field, std::string_view text, std::size_t min,
                                std::size_t max, TextKind kind = TextKind::kLine);

}  // namespace urne
