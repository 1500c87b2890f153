#include "crypto/bytes.hpp"

#include <doctest/doctest.h>

namespace urne {
namespace {

TEST_CASE("hex round-trips and rejects odd length, bad digits and separators") {
  const Bytes b = {0x00, 0x01, 0xab, 0xff};
  CHECK(hex_encode(b) == "0001abff");
  auto back = hex_decode("0001ABff");
  REQUIRE(back.ok());
  CHECK(*back == b);
  CHECK_FALSE(hex_decode("abc").ok());
  CHECK_FALSE(hex_decode("zz").ok());
  CHECK_FALSE(hex_decode("ab cd").ok());
  CHECK_FALSE(hex_decode("ab:c").ok());
  CHECK(hex_decode("").ok());
}

TEST_CASE("base64url matches RFC 4648 test vectors without padding") {
  // RFC 4648 section 10 vectors, in the URL-safe alphabet without '='.
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* enc[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CHECK(base64url_encode(as_bytes(plain[i])) == enc[i]);
    auto d = base64url_decode(enc[i]);
    REQUIRE(d.ok());
    CHECK(to_string(*d) == plain[i]);
  }
  const Bytes url = {0xfb, 0xff};
  CHECK(base64url_encode(url) == "-_8");
}

TEST_CASE("base64url decoding is strict: one text form per value") {
  CHECK_FALSE(base64url_decode("Zg==").ok());    // padding
  CHECK_FALSE(base64url_decode("Zh").ok());      // non-zero unused bits
  CHECK_FALSE(base64url_decode("Z").ok());       // impossible length
  CHECK_FALSE(base64url_decode("Zm9v\n").ok());  // whitespace
  CHECK_FALSE(base64url_decode("+/8").ok());     // standard alphabet
}

TEST_CASE("ct_equal compares content and length") {
  const Bytes a = {1, 2, 3};
  const Bytes b = {1, 2, 3};
  const Bytes c = {1, 2, 4};
  const Bytes d = {1, 2};
  CHECK(ct_equal(a, b));
  CHECK_FALSE(ct_equal(a, c));
  CHECK_FALSE(ct_equal(a, d));
}

TEST_CASE("big-endian appenders write network byte order") {
  Bytes out;
  append_u16(out, 0x0102);
  append_u32(out, 0x03040506);
  append_u64(out, 0x0708090a0b0c0d0eULL);
  CHECK(hex_encode(out) == "0102030405060708090a0b0c0d0e");
}

}  // namespace
}  // namespace urne
