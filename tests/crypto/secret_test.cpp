#include "crypto/secret.hpp"

#include <doctest/doctest.h>

#include <utility>

namespace urne {
namespace {

TEST_CASE("SecretBytes copies, moves and leaves the source empty") {
  const Bytes raw = {9, 8, 7};
  SecretBytes a = SecretBytes::copy_of(raw);
  CHECK(ct_equal(a.view(), raw));
  SecretBytes b = std::move(a);
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): checked on purpose
  CHECK(b.size() == 3);
  CHECK(ct_equal(b.view(), raw));
}

TEST_CASE("SecretBytes::build fills once and random draws from the rng") {
  SecretBytes s = SecretBytes::build(4, [](std::span<std::uint8_t> out) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(i);
  });
  const Bytes expect = {0, 1, 2, 3};
  CHECK(ct_equal(s.view(), expect));

  SeededRng r1(7), r2(7), r3(8);
  SecretBytes x = SecretBytes::random(32, r1);
  SecretBytes y = SecretBytes::random(32, r2);
  SecretBytes z = SecretBytes::random(32, r3);
  CHECK(ct_equal(x.view(), y.view()));  // same seed, same stream
  CHECK_FALSE(ct_equal(x.view(), z.view()));
}

TEST_CASE("SeededRng gives a different block on every call") {
  SeededRng r(1);
  FixedBytes<16> a{}, b{};
  r.fill(a);
  r.fill(b);
  CHECK(a != b);
}

}  // namespace
}  // namespace urne
