#include "crypto/hash.hpp"

#include <doctest/doctest.h>

namespace urne {
namespace {

TEST_CASE("sha256, sha384 and sha512 of 'abc' match FIPS 180-4 examples") {
  CHECK(hex_encode(sha256(as_bytes("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex_encode(sha384(as_bytes("abc"))) ==
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
        "8086072ba1e7cc2358baeca134c825a7");
  CHECK(hex_encode(sha512(as_bytes("abc"))) ==
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST_CASE("incremental hashing equals one-shot hashing") {
  Sha256 h256;
  h256.update(as_bytes("a")).update(as_bytes("bc"));
  CHECK(h256.finish() == sha256(as_bytes("abc")));
  Sha512 h512;
  h512.update(as_bytes("ab")).update(as_bytes("c"));
  CHECK(h512.finish() == sha512(as_bytes("abc")));
}

}  // namespace
}  // namespace urne
