#include "crypto/status.hpp"

#include <doctest/doctest.h>

#include <string>

namespace urne {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return invalid_argument("not_positive", "value must be positive");
  return v;
}

Result<int> doubled(int v) {
  URNE_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return 2 * x;
}

TEST_CASE("an OK status has code ok and converts to true") {
  Status s;
  CHECK(s.is_ok());
  CHECK(static_cast<bool>(s));
  CHECK(code_name(s.code()) == "ok");
}

TEST_CASE("an error status keeps its code, stable reason and message") {
  Status s = invalid_argument("bad_hex", "text is not hex");
  CHECK_FALSE(s.is_ok());
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.reason() == "bad_hex");
  CHECK(s.to_string() == "bad_hex: text is not hex");
  CHECK(code_name(Code::kResourceExhausted) == "resource_exhausted");
}

TEST_CASE("URNE_ASSIGN_OR_RETURN passes values through and propagates errors") {
  Result<int> good = doubled(21);
  REQUIRE(good.ok());
  CHECK(*good == 42);
  Result<int> bad = doubled(-1);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().reason() == "not_positive");
}

}  // namespace
}  // namespace urne
