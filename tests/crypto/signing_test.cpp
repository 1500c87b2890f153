#include "crypto/signing.hpp"

#include <doctest/doctest.h>

namespace urne {
namespace {

TEST_CASE("an Ed25519 signature verifies and fails for another message, key or flipped bit") {
  SeededRng rng(1);
  const Ed25519SigningKey key = Ed25519SigningKey::generate(rng);
  const Ed25519SigningKey other = Ed25519SigningKey::generate(rng);
  const auto msg = as_bytes("urne/receipt-signature/v1 test");
  auto sig = key.sign(msg);
  REQUIRE(sig.ok());
  CHECK(ed25519_verify(key.public_key(), msg, *sig));
  CHECK_FALSE(ed25519_verify(other.public_key(), msg, *sig));
  CHECK_FALSE(ed25519_verify(key.public_key(), as_bytes("another message"), *sig));
  Ed25519Signature flipped = *sig;
  flipped[10] ^= 0x01;
  CHECK_FALSE(ed25519_verify(key.public_key(), msg, flipped));
}

TEST_CASE("an Ed25519 key round-trips through its seed and refuses a wrong seed length") {
  SeededRng rng(2);
  const Ed25519SigningKey key = Ed25519SigningKey::generate(rng);
  const SecretBytes seed = key.export_seed();
  auto again = Ed25519SigningKey::from_seed(seed.view());
  REQUIRE(again.ok());
  CHECK(again->public_key() == key.public_key());
  const Bytes short_seed(31, 0x01);
  CHECK(Ed25519SigningKey::from_seed(short_seed).status().reason() == "bad_seed");
}

}  // namespace
}  // namespace urne
