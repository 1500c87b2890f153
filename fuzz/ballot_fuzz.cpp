// Fuzz target: a cast ballot as the ballot box reads it (CastBallot's
// canonical bytes, ballot/ballot.hpp) and then verifies it, and a delegate's
// receipt (Receipt, ballot/board.hpp) as `urne vote check-receipt` and
// `urne audit --receipt` read it.
//
// Ballots that parse are verified against a fixed manifest, that of a
// small real election (data/manifest.urne, data/README.md). Why a file and
// not one made at start-up from a seed: the manifest holds the RSA token
// key, which OpenSSL cannot make from a seed, and the corpus holds real
// ballots of that election, which must get through the token and proof
// checks.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>

#include "ballot/ballot.hpp"
#include "ballot/board.hpp"
#include "ballot/manifest.hpp"
#include "crypto/random.hpp"
#include "fuzz/fuzz_util.hpp"

namespace {

using urne::fuzz::check;
using urne::fuzz::check_refusal;
using urne::fuzz::same_bytes;

urne::Manifest load_manifest() {
  check(urne::init_crypto().is_ok(), "init_crypto");
  std::ifstream in(URNE_FUZZ_DATA_DIR "/manifest.urne", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const urne::Bytes bytes(text.begin(), text.end());
  urne::Result<urne::Manifest> m = urne::Manifest::parse_canonical(bytes);
  check(m.ok(), "the fixed manifest " URNE_FUZZ_DATA_DIR "/manifest.urne does not parse");
  return std::move(m).value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const urne::Manifest manifest = load_manifest();
  const urne::ByteView input = urne::fuzz::view(data, size);

  const urne::Result<urne::CastBallot> ballot = urne::CastBallot::parse_canonical(input);
  if (ballot.ok()) {
    check(same_bytes(ballot->canonical_bytes(), input), "CastBallot round trip");
    const urne::Status verified = urne::verify_cast_ballot(manifest, *ballot);
    if (!verified.is_ok()) check_refusal(verified, "verify_cast_ballot refusal");
  } else {
    check_refusal(ballot, "CastBallot refusal");
  }

  const urne::Result<urne::Receipt> receipt = urne::Receipt::parse_canonical(input);
  if (receipt.ok()) {
    check(same_bytes(receipt->canonical_bytes(), input), "Receipt round trip");
  } else {
    check_refusal(receipt, "Receipt refusal");
  }
  return 0;
}
