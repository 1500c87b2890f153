// Fuzz target: the Privacy Pass wire formats the register and the ballot box
// read from clients (crypto/privacy_pass.hpp): TokenRequest (the body of
// POST …/token-request), TokenResponse (what a client reads back), Token
// (inside every ballot), TokenChallenge and the issuer key's SPKI (from the
// issuer directory and the manifest). Each parser gets the same input; a
// parse that succeeds must give back exactly the input bytes (one byte form
// per value: a second form of a token could be spent twice), and a refusal
// must carry a reason.
#include <cstddef>
#include <cstdint>

#include "crypto/privacy_pass.hpp"
#include "crypto/random.hpp"
#include "fuzz/fuzz_util.hpp"

namespace {

using urne::fuzz::check;
using urne::fuzz::check_refusal;
using urne::fuzz::same_bytes;

template <class T>
void parse_round_trips(urne::ByteView input, const char* what) {
  const urne::Result<T> parsed = T::parse(input);
  if (parsed.ok()) {
    check(same_bytes(parsed->bytes(), input), what);
  } else {
    check_refusal(parsed, what);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool initialized = urne::init_crypto().is_ok();
  check(initialized, "init_crypto");
  const urne::ByteView input = urne::fuzz::view(data, size);

  parse_round_trips<urne::TokenRequest>(input, "TokenRequest round trip");
  parse_round_trips<urne::TokenResponse>(input, "TokenResponse round trip");
  parse_round_trips<urne::Token>(input, "Token round trip");

  const urne::Result<urne::TokenChallenge> challenge = urne::TokenChallenge::parse(input);
  if (challenge.ok()) {
    check(same_bytes(challenge->bytes(), input), "TokenChallenge round trip");
    // The parts must lie inside the bytes and rebuild the same challenge.
    const urne::Result<urne::TokenChallenge> again = urne::TokenChallenge::create(
        challenge->issuer_name(), challenge->redemption_context(), challenge->origin_info());
    check(again.ok() && same_bytes(again->bytes(), input), "TokenChallenge rebuilt");
  } else {
    check_refusal(challenge, "TokenChallenge refusal");
  }

  const urne::Result<urne::TokenPublicKey> key = urne::TokenPublicKey::parse(input);
  if (key.ok()) {
    // token_key_id hashes the exact published bytes (crypto-notes.md): the
    // key must keep them, not a re-encoding.
    check(same_bytes(key->spki(), input), "TokenPublicKey keeps its SPKI bytes");
  } else {
    check_refusal(key, "TokenPublicKey refusal");
  }
  return 0;
}
