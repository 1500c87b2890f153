#include "ballot/canonical.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "crypto/random.hpp"
#include "test_util.hpp"

namespace urne {
namespace {

using test::unhex;

std::string reason(const Status& s) { return s.is_ok() ? "ok" : s.reason(); }
template <class T>
std::string reason(const Result<T>& r) {
  return r.ok() ? "ok" : r.status().reason();
}

// A small document using every kind of field.
Bytes sample_document() {
  CanonicalWriter w("urne/test/v1");
  w.u8(0x01);
  w.u16(0x0203);
  w.u32(0x04050607);
  w.u64(0x08090a0b0c0d0e0fULL);
  w.boolean(true);
  w.presence(false);
  w.presence(true);
  w.text16("Ä");
  w.bytes16(unhex("aabb"));
  w.bytes32(unhex("cc"));
  w.count16(2);
  w.fixed(unhex("dd"));
  w.fixed(unhex("ee"));
  return std::move(w).take();
}

// Reads sample_document() back, field by field.
Status read_sample(ByteView bytes) {
  CanonicalReader r(bytes);
  URNE_RETURN_IF_ERROR(r.label("urne/test/v1"));
  URNE_ASSIGN_OR_RETURN(auto a, r.u8("a"));
  URNE_ASSIGN_OR_RETURN(auto b, r.u16("b"));
  URNE_ASSIGN_OR_RETURN(auto c, r.u32("c"));
  URNE_ASSIGN_OR_RETURN(auto d, r.u64("d"));
  URNE_ASSIGN_OR_RETURN(bool e, r.boolean("e"));
  URNE_ASSIGN_OR_RETURN(bool f, r.presence("f"));
  URNE_ASSIGN_OR_RETURN(bool g, r.presence("g"));
  URNE_ASSIGN_OR_RETURN(std::string h, r.text16("h", 1, 10));
  URNE_ASSIGN_OR_RETURN(ByteView i, r.bytes16("i", 0, 10));
  URNE_ASSIGN_OR_RETURN(ByteView j, r.bytes32("j", 0, 10));
  URNE_ASSIGN_OR_RETURN(std::size_t n, r.count16("list", 0, 5, 1));
  for (std::size_t k = 0; k < n; ++k) {
    URNE_ASSIGN_OR_RETURN(auto item, r.fixed<1>("item"));
    (void)item;
  }
  URNE_RETURN_IF_ERROR(r.finish());
  const bool same = a == 0x01 && b == 0x0203 && c == 0x04050607 && d == 0x08090a0b0c0d0e0fULL &&
                    e && !f && g && h == "Ä" && i.size() == 2 && j.size() == 1 && n == 2;
  if (!same) return internal_error("mismatch", "read values differ from the written ones");
  return Status::ok();
}

TEST_CASE("the writer lays out every kind of field as documented") {
  // clang-format off
  const Bytes expected = unhex(
      "000c" "75726e652f746573742f7631"  // lp16 "urne/test/v1"
      "01" "0203" "04050607" "08090a0b0c0d0e0f"  // u8 u16 u32 u64, big-endian
      "01" "00" "01"                             // bool, absent, present
      "0002" "c384"                              // lp16 UTF-8 "Ä"
      "0002" "aabb"                              // lp16 bytes
      "00000001" "cc"                            // lp32 bytes
      "0002" "dd" "ee");                         // u16 count, items
  // clang-format on
  CHECK(sample_document() == expected);
}

TEST_CASE("the reader reads back exactly what the writer wrote") {
  CHECK(read_sample(sample_document()).is_ok());
}

TEST_CASE("the reader rejects every truncation of a document") {
  const Bytes doc = sample_document();
  for (std::size_t len = 0; len < doc.size(); ++len) {
    const Status s = read_sample(ByteView(doc).first(len));
    CAPTURE(len);
    CHECK(reason(s) == "truncated");
  }
}

TEST_CASE("the reader rejects a trailing byte") {
  Bytes doc = sample_document();
  doc.push_back(0);
  CHECK(reason(read_sample(doc)) == "trailing_bytes");
}

TEST_CASE("the reader rejects another label") {
  Bytes doc = sample_document();
  doc[2 + 11] = '2';  // "urne/test/v2"
  const Status s = read_sample(doc);
  CHECK(reason(s) == "wrong_label");
  CHECK(s.message().find("urne/test/v2") != std::string::npos);
}

TEST_CASE("a boolean or an optional's flag other than 0 or 1 is rejected") {
  const std::size_t bool_at = 14 + 1 + 2 + 4 + 8;
  for (std::uint8_t bad : {std::uint8_t{2}, std::uint8_t{0x80}, std::uint8_t{0xff}}) {
    Bytes doc = sample_document();
    doc[bool_at] = bad;
    CHECK(reason(read_sample(doc)) == "bad_bool");
    doc = sample_document();
    doc[bool_at + 1] = bad;
    CHECK(reason(read_sample(doc)) == "bad_optional_flag");
  }
}

TEST_CASE("a byte string or text outside its length bounds is rejected") {
  CanonicalWriter w("x");
  w.bytes16(Bytes(11, 1));
  const Bytes doc = std::move(w).take();
  CanonicalReader r(doc);
  REQUIRE(r.label("x").is_ok());
  CHECK(reason(r.bytes16("b", 0, 10)) == "bad_length");

  CanonicalWriter w2("x");
  w2.text16("");
  const Bytes doc2 = std::move(w2).take();
  CanonicalReader r2(doc2);
  REQUIRE(r2.label("x").is_ok());
  CHECK(reason(r2.text16("t", 1, 10)) == "bad_length");
}

// clang-format off
TEST_CASE("an oversized count is rejected before anything is allocated") {
  // Above the bound.
  {
    const Bytes doc = unhex("0001" "78" "0006");
    CanonicalReader r(doc);
    REQUIRE(r.label("x").is_ok());
    CHECK(reason(r.count16("list", 0, 5, 1)) == "count_out_of_range");
  }
  // Within the bound but more items than the remaining bytes can hold.
  {
    const Bytes doc = unhex("0001" "78" "fff0" "00000000");
    CanonicalReader r(doc);
    REQUIRE(r.label("x").is_ok());
    CHECK(reason(r.count16("list", 0, 0xffff, 1)) == "truncated");
  }
  {
    const Bytes doc = unhex("0001" "78" "ffffffff" "00");
    CanonicalReader r(doc);
    REQUIRE(r.label("x").is_ok());
    CHECK(reason(r.count32("list", 0, 0xffffffff, 64)) == "truncated");
  }
  // Below the minimum.
  {
    const Bytes doc = unhex("0001" "78" "0000");
    CanonicalReader r(doc);
    REQUIRE(r.label("x").is_ok());
    CHECK(reason(r.count16("list", 1, 5, 1)) == "count_out_of_range");
  }
}

// clang-format on

TEST_CASE("ill-formed UTF-8 is rejected by the reader") {
  const char* bad[] = {
      "80",        // lone continuation byte
      "c080",      // overlong NUL
      "c1bf",      // overlong 2-byte form
      "e08080",    // overlong 3-byte form
      "eda080",    // surrogate U+D800
      "edbfbf",    // surrogate U+DFFF
      "f08f8080",  // overlong 4-byte form
      "f4908080",  // above U+10FFFF
      "f5808080",  // never a lead byte
      "e282",      // truncated sequence
      "41c3",      // truncated at the end
      "c341",      // continuation missing
      "ff",
  };
  for (const char* hex : bad) {
    CAPTURE(hex);
    const Bytes text = unhex(hex);
    CHECK_FALSE(is_valid_utf8(to_string(text)));
    CanonicalWriter w("x");
    w.bytes16(text);  // bytes, so that the writer's contract holds
    const Bytes doc = std::move(w).take();
    CanonicalReader r(doc);
    REQUIRE(r.label("x").is_ok());
    CHECK(reason(r.text16("name", 0, 100)) == "bad_utf8");
  }
}

TEST_CASE("well-formed UTF-8 up to four bytes is accepted") {
  for (const char* text : {"", "Anna", "Müller-Lüdenscheidt", "€ 5", "Ğül Şahin", "日本",
                           "\xf0\x9f\x97\xb3 urne", "\xf4\x8f\xbf\xbf", "\xee\x80\x80"}) {
    CAPTURE(text);
    CHECK(is_valid_utf8(text));
  }
}

// clang-format off
TEST_CASE("text fields refuse controls, bidi overrides and surrounding spaces") {
  CHECK(check_text("name", "Anna Schmidt", 1, 200).is_ok());
  CHECK(reason(check_text("name", "", 1, 200)) == "bad_length");
  CHECK(reason(check_text("name", std::string(201, 'a'), 1, 200)) == "bad_length");
  CHECK(check_text("name", std::string(200, 'a'), 1, 200).is_ok());
  CHECK(reason(check_text("name", "An\xc3", 1, 200)) == "bad_utf8");
  CHECK(reason(check_text("name", std::string("A\0B", 3), 1, 200)) == "forbidden_character");
  CHECK(reason(check_text("name", "A\tB", 1, 200)) == "forbidden_character");
  CHECK(reason(check_text("name", "A\x7f", 1, 200)) == "forbidden_character");
  CHECK(reason(check_text("name", "A\xc2\x85", 1, 200)) == "forbidden_character");      // NEL
  CHECK(reason(check_text("name", "A\xe2\x80\xae" "B", 1, 200)) == "forbidden_character");  // RLO
  CHECK(reason(check_text("name", "A\xe2\x81\xa6" "B", 1, 200)) == "forbidden_character");  // LRI
  CHECK(reason(check_text("name", "A\xe2\x80\xa8" "B", 1, 200)) == "forbidden_character");  // LS
  CHECK(reason(check_text("name", " Anna", 1, 200)) == "surrounding_space");
  CHECK(reason(check_text("name", "Anna ", 1, 200)) == "surrounding_space");
  CHECK(reason(check_text("name", "A\nB", 1, 200)) == "forbidden_character");
  CHECK(check_text("text", "A\nB", 1, 200, TextKind::kParagraph).is_ok());
  CHECK(reason(check_text("text", "A\r\nB", 1, 200, TextKind::kParagraph)) ==
        "forbidden_character");
  // The message names the field.
  CHECK(check_text("candidates[3].name", "", 1, 200).message().find("candidates[3].name") !=
        std::string::npos);
}

// clang-format on

TEST_CASE("the short fingerprint is the first 8 bytes in four groups of four hex digits") {
  FixedBytes<32> h{};
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(0x10 * i + i);
  CHECK(short_fingerprint(h) == "0011 2233 4455 6677");
}

TEST_CASE("the reader never fails other than with a status on random input") {
  SeededRng rng(7);
  for (int round = 0; round < 2000; ++round) {
    Bytes doc(static_cast<std::size_t>(round % 64));
    rng.fill(doc);
    if (round % 3 == 0 && doc.size() >= 14) {
      // Start with the right label so that the field readers are reached.
      const Bytes head = unhex(
          "000c"
          "75726e652f746573742f7631");
      std::copy(head.begin(), head.end(), doc.begin());
    }
    CHECK_FALSE(read_sample(doc).is_ok());
  }
}

}  // namespace
}  // namespace urne
