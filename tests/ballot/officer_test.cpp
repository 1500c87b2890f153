#include "ballot/officer.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <string>
#include <vector>

#include "crypto/random.hpp"

namespace urne {
namespace {

struct Officer {
  SeededRng rng{41};
  Ed25519SigningKey key = Ed25519SigningKey::generate(rng);
  std::vector<Ed25519PublicKey> allowed{key.public_key()};
};

constexpr std::int64_t kNow = 1'795'000'000;
const Bytes kBody = {'{', '}'};

std::string reason_of(const Result<Ed25519PublicKey>& r) {
  return r.ok() ? "" : r.status().reason();
}

TEST_CASE("an officer request signed for this method, target, time and body verifies") {
  Officer o;
  const std::string h =
      officer_auth_header(o.key, "POST", "/api/v1/token-keys", kNow, kBody).value();
  auto ok = verify_officer_request(o.allowed, h, "POST", "/api/v1/token-keys", kBody, kNow + 299);
  REQUIRE(ok.ok());
  CHECK(*ok == o.key.public_key());
}

TEST_CASE("an officer request is refused for any other method, target, body, key or time") {
  Officer o;
  const std::string h = officer_auth_header(o.key, "POST", "/api/v1/rosters", kNow, kBody).value();
  CHECK(reason_of(verify_officer_request(o.allowed, h, "PUT", "/api/v1/rosters", kBody, kNow)) ==
        "officer_signature_invalid");
  CHECK(reason_of(verify_officer_request(o.allowed, h, "POST", "/api/v1/elections", kBody, kNow)) ==
        "officer_signature_invalid");
  CHECK(reason_of(verify_officer_request(o.allowed, h, "POST", "/api/v1/rosters", Bytes{'[', ']'},
                                         kNow)) == "officer_signature_invalid");
  CHECK(reason_of(verify_officer_request(o.allowed, h, "POST", "/api/v1/rosters", kBody,
                                         kNow + 301)) == "officer_auth_expired");
  CHECK(reason_of(verify_officer_request(o.allowed, h, "POST", "/api/v1/rosters", kBody,
                                         kNow - 301)) == "officer_auth_expired");
  SeededRng rng(3);
  const Ed25519SigningKey stranger = Ed25519SigningKey::generate(rng);
  const std::string hs =
      officer_auth_header(stranger, "POST", "/api/v1/rosters", kNow, kBody).value();
  CHECK(reason_of(verify_officer_request(o.allowed, hs, "POST", "/api/v1/rosters", kBody, kNow)) ==
        "unknown_officer");
}

TEST_CASE("a request target that is not UTF-8 is refused, not a crash (fuzz/json_bodies)") {
  // Bug found by fuzzing: the message builder aborts on invalid UTF-8, and
  // the server built it from the client's target after a well-formed header.
  Officer o;
  const std::string h = officer_auth_header(o.key, "POST", "/api/v1/rosters", kNow, kBody).value();
  CHECK(reason_of(verify_officer_request(o.allowed, h, "POST", "/api/v1/rosters?\xff", kBody,
                                         kNow)) == "officer_signature_invalid");
  CHECK(officer_auth_header(o.key, "POST", "/api/v1/rosters?\xff", kNow, kBody).status().reason() ==
        "request_not_signable");
}

TEST_CASE("a malformed officer header is refused by name") {
  Officer o;
  const std::string h = officer_auth_header(o.key, "POST", "/x", kNow, kBody).value();
  auto check = [&](const std::string& header) {
    return reason_of(verify_officer_request(o.allowed, header, "POST", "/x", kBody, kNow));
  };
  CHECK(check("") == "officer_auth_missing");
  CHECK(check("Bearer abc") == "officer_auth_malformed");
  std::string upper = h;
  for (std::size_t i = 4; i < 68; ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  CHECK(check(upper) == "officer_auth_malformed");
  const auto t = h.find("time=");
  const std::string lead_zero = h.substr(0, t + 5) + "0" + h.substr(t + 5);
  CHECK(check(lead_zero) == "officer_auth_malformed");
  CHECK(check(h.substr(0, h.size() - 2)) == "officer_auth_malformed");  // short signature
  CHECK(check(h + " ") == "officer_auth_malformed");
}

}  // namespace
}  // namespace urne
