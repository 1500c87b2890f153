#include "crypto/dlog.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "crypto/random.hpp"

namespace urne {
namespace {

Point times_g(std::uint64_t m) { return Point::base_mul(Scalar::from_u64(m)); }

std::string reason_of(const Result<std::uint64_t>& r) {
  return r.ok() ? std::string("ok") : r.status().reason();
}

TEST_CASE("small_dlog recovers every total from 0 to 300 under a bound of 1000") {
  Point p = Point::identity();
  for (std::uint64_t m = 0; m <= 300; ++m) {
    auto r = small_dlog(p, 1000);
    REQUIRE(r.ok());
    CHECK(*r == m);
    p += Point::generator();
  }
}

TEST_CASE("small_dlog recovers totals at and near the bound, up to a million") {
  for (std::uint64_t bound : {0ULL, 1ULL, 2ULL, 3ULL, 99ULL, 100ULL, 1000ULL, 1'000'000ULL}) {
    CAPTURE(bound);
    for (std::uint64_t m : {bound, bound / 2, bound == 0 ? 0 : bound - 1}) {
      CAPTURE(m);
      auto r = small_dlog(times_g(m), bound);
      REQUIRE(r.ok());
      CHECK(*r == m);
    }
  }
  // Just past a giant step, and at a perfect square.
  CHECK(*small_dlog(times_g(1001), 1'000'000) == 1001);
  CHECK(*small_dlog(times_g(1002001), 1002001) == 1002001);
}

TEST_CASE("small_dlog reports a point outside 0..bound as not found") {
  for (std::uint64_t bound : {0ULL, 1ULL, 50ULL, 1000ULL, 1'000'000ULL}) {
    CAPTURE(bound);
    auto r = small_dlog(times_g(bound + 1), bound);
    CHECK(reason_of(r) == "dlog_not_found");
    CHECK(r.status().code() == Code::kNotFound);
  }
  CHECK(reason_of(small_dlog(-Point::generator(), 1000)) == "dlog_not_found");
  CHECK(reason_of(small_dlog(times_g(5000), 4999)) == "dlog_not_found");
  SeededRng rng(31);
  for (int i = 0; i < 3; ++i) {
    CHECK(reason_of(small_dlog(Point::base_mul(Scalar::random(rng)), 10'000)) == "dlog_not_found");
  }
}

TEST_CASE("small_dlog refuses a bound above the supported maximum") {
  auto r = small_dlog(Point::identity(), kMaxDlogBound + 1);
  CHECK(reason_of(r) == "dlog_bound_too_large");
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(*small_dlog(times_g(3), kMaxDlogBound) == 3);
}

}  // namespace
}  // namespace urne
