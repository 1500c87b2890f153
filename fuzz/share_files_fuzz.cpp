// Fuzz target: the files and messages of the trustees' key ceremony and
// tally as `urne trustee` reads them: the ceremony's published messages
// (crypto/dkg.hpp DealerCommitment, EncryptedShare, Complaint,
// RevealedShare, BoxPublicKey), a partial decryption (crypto/threshold.hpp,
// also what POST …/partials carries), outcome.json (cli/trustee.hpp
// read_ceremony_outcome, through a real file) and the passphrase box that
// seals a trustee's state and share (crypto/passphrase_box.hpp).
//
// The messages are parsed under the parameters of the demo's ceremony
// (3 trustees, threshold 2: demo-output/ceremony/ceremony.json), so the
// corpus's real messages get through to their proof checks. A message that
// parses must encode back to the input.
//
// Why the passphrase box's cost fields are rewritten: the header is parsed
// before any Argon2 work, but a well-formed header then runs Argon2 with
// the cost it names (64 MiB and more), which would make every exec take
// a tenth of a second. Inputs whose header names a cost inside the bounds
// get the minimum cost instead (1 pass, 8 KiB), so the KDF and the MAC
// check still run, cheaply; out-of-bounds costs are left for the parser to
// refuse.
#include <sodium.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cli/trustee.hpp"
#include "crypto/dkg.hpp"
#include "crypto/passphrase_box.hpp"
#include "crypto/random.hpp"
#include "crypto/threshold.hpp"
#include "fuzz/fuzz_util.hpp"

namespace {

using urne::fuzz::check;
using urne::fuzz::check_refusal;
using urne::fuzz::same_bytes;

// Layout of the box header (crypto/passphrase_box.hpp): label, alg, u32
// opslimit, u64 memlimit.
constexpr std::size_t kOpsOffset = urne::kPassphraseBoxLabel.size() + 1;
constexpr std::size_t kMemOffset = kOpsOffset + 4;

std::uint64_t read_be(const std::uint8_t* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

void write_be(std::uint8_t* p, std::size_t n, std::uint64_t v) {
  for (std::size_t i = n; i-- > 0;) {
    p[i] = static_cast<std::uint8_t>(v & 0xff);
    v >>= 8;
  }
}

urne::DkgParams demo_params() {
  check(urne::init_crypto().is_ok(), "init_crypto");
  const auto id =
      urne::hex_decode("d0a70980911c4ce1212e70dbda2f1754f1c7c9b754caece201c93b43a3011e4e");
  check(id.ok() && id->size() == 32, "ceremony id");
  urne::CeremonyId ceremony{};
  std::copy(id->begin(), id->end(), ceremony.begin());
  auto params = urne::DkgParams::create(ceremony, 3, 2);
  check(params.ok(), "DkgParams");
  return std::move(params).value();
}

template <class T>
void parse_round_trips(urne::ByteView input, const urne::DkgParams& params, const char* what) {
  const urne::Result<T> parsed = T::parse(input, params);
  if (parsed.ok()) {
    check(same_bytes(parsed->encode(), input), what);
  } else {
    check_refusal(parsed, what);
  }
}

void open_box(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> box(data, data + size);
  if (box.size() >= kMemOffset + 8) {
    const std::uint64_t ops = read_be(box.data() + kOpsOffset, 4);
    const std::uint64_t mem = read_be(box.data() + kMemOffset, 8);
    if (ops >= crypto_pwhash_argon2id_OPSLIMIT_MIN && ops <= urne::kMaxOpslimit &&
        mem >= crypto_pwhash_argon2id_MEMLIMIT_MIN && mem <= urne::kMaxMemlimit) {
      write_be(box.data() + kOpsOffset, 4, crypto_pwhash_argon2id_OPSLIMIT_MIN);
      write_be(box.data() + kMemOffset, 8, crypto_pwhash_argon2id_MEMLIMIT_MIN);
    }
  }
  static const std::uint8_t kPassphrase[] = "correct horse battery";
  static const std::uint8_t kContext[] = "urne/fuzz";
  const auto opened =
      urne::passphrase_open(box, urne::ByteView(kPassphrase, sizeof kPassphrase - 1),
                            urne::ByteView(kContext, sizeof kContext - 1));
  if (!opened.ok()) check_refusal(opened, "passphrase_open refusal");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const urne::DkgParams params = demo_params();
  static const urne::fuzz::ScratchDir scratch;
  const urne::ByteView input = urne::fuzz::view(data, size);

  parse_round_trips<urne::DealerCommitment>(input, params, "DealerCommitment round trip");
  parse_round_trips<urne::EncryptedShare>(input, params, "EncryptedShare round trip");
  parse_round_trips<urne::Complaint>(input, params, "Complaint round trip");
  parse_round_trips<urne::RevealedShare>(input, params, "RevealedShare round trip");
  parse_round_trips<urne::PartialDecryption>(input, params, "PartialDecryption round trip");

  const auto box_key = urne::BoxPublicKey::parse(input);
  if (box_key.ok()) {
    check(same_bytes(box_key->bytes(), input), "BoxPublicKey round trip");
  } else {
    check_refusal(box_key, "BoxPublicKey refusal");
  }

  open_box(data, size);

  scratch.write("outcome.json", data, size);
  const auto outcome = urne::cli::read_ceremony_outcome(scratch.path());
  if (outcome.ok()) {
    check(outcome->commitments.size() <= outcome->params.n(), "at most n commitments");
  } else {
    check_refusal(outcome, "read_ceremony_outcome refusal");
  }
  return 0;
}
