#include "crypto/passphrase_box.hpp"

#include <doctest/doctest.h>

#include <sodium.h>

#include <string>
#include <string_view>

namespace urne {
namespace {

const std::string_view kPass = "correct horse battery staple";
const std::string_view kContext = "urne/test-file/v1 ceremony 42";

Bytes secret_bytes() {
  Bytes s(100);
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return s;
}

Bytes seal_for_test(std::uint64_t seed = 1) {
  SeededRng rng(seed);
  Result<Bytes> box = passphrase_seal(secret_bytes(), as_bytes(kPass), as_bytes(kContext),
                                      KdfStrength::kInteractive, rng);
  REQUIRE_MESSAGE(box.ok(), box.status().to_string());
  return std::move(box).value();
}

std::string reason_of(const Result<SecretBytes>& r) { return r.ok() ? "ok" : r.status().reason(); }

std::uint64_t read_be(ByteView b) {
  std::uint64_t v = 0;
  for (std::uint8_t x : b) v = (v << 8) | x;
  return v;
}

void write_be(Bytes& box, std::size_t offset, std::size_t size, std::uint64_t v) {
  for (std::size_t i = 0; i < size; ++i) {
    box[offset + size - 1 - i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
}

TEST_CASE("a passphrase box opens with its passphrase and context and gives the secret back") {
  const Bytes box = seal_for_test();
  CHECK(box.size() == kPassphraseBoxOverhead + 100);
  Result<SecretBytes> opened = passphrase_open(box, as_bytes(kPass), as_bytes(kContext));
  REQUIRE_MESSAGE(opened.ok(), opened.status().to_string());
  CHECK(ct_equal(opened->view(), secret_bytes()));
}

TEST_CASE("a passphrase box has the documented header layout") {
  const Bytes box = seal_for_test();
  CHECK(to_string(ByteView(box).first(22)) == "urne/passphrase-box/v1");
  CHECK(box[22] == crypto_pwhash_ALG_ARGON2ID13);
  CHECK(read_be(ByteView(box).subspan(23, 4)) == crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);
  CHECK(read_be(ByteView(box).subspan(27, 8)) == crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
  // Salt and nonce are drawn from the rng: another seed, other bytes.
  const Bytes other = seal_for_test(2);
  CHECK(Bytes(box.begin() + 35, box.begin() + 51) != Bytes(other.begin() + 35, other.begin() + 51));
  CHECK(Bytes(box.begin() + 51, box.begin() + 75) != Bytes(other.begin() + 51, other.begin() + 75));
  // The same seed gives the same box (nothing but the rng is random).
  CHECK(seal_for_test(1) == box);
}

TEST_CASE("the moderate strength is libsodium's MODERATE and stated in the header") {
  SeededRng rng(3);
  const Bytes secret = {1, 2, 3};
  Result<Bytes> box =
      passphrase_seal(secret, as_bytes(kPass), as_bytes(kContext), KdfStrength::kModerate, rng);
  REQUIRE(box.ok());
  CHECK(read_be(ByteView(*box).subspan(23, 4)) == crypto_pwhash_argon2id_OPSLIMIT_MODERATE);
  CHECK(read_be(ByteView(*box).subspan(27, 8)) == crypto_pwhash_argon2id_MEMLIMIT_MODERATE);
  CHECK(kdf_limits(KdfStrength::kModerate).memlimit == crypto_pwhash_argon2id_MEMLIMIT_MODERATE);
}

TEST_CASE("a wrong passphrase does not open a passphrase box") {
  const Bytes box = seal_for_test();
  const Result<SecretBytes> r =
      passphrase_open(box, as_bytes("correct horse battery stapler"), as_bytes(kContext));
  CHECK(reason_of(r) == "wrong_passphrase");
  CHECK(r.status().code() == Code::kUnauthenticated);
  CHECK(r.status().message().find("wrong passphrase or damaged file") != std::string::npos);
}

TEST_CASE("a passphrase box does not open under another context") {
  const Bytes box = seal_for_test();
  CHECK(
      reason_of(passphrase_open(box, as_bytes(kPass), as_bytes("urne/test-file/v1 ceremony 43"))) ==
      "wrong_passphrase");
  CHECK(reason_of(passphrase_open(box, as_bytes(kPass), {})) == "wrong_passphrase");
}

TEST_CASE("a flipped byte in any field of a passphrase box is refused") {
  const Bytes box = seal_for_test();
  struct Field {
    const char* name;
    std::size_t offset;
    std::uint8_t mask;
    const char* reason;
  };
  // Low bits of the limits keep them inside the bounds, so Argon2 runs and
  // the MAC must catch the change: for memlimit, 64 MiB + 1 byte rounds to
  // the same Argon2 cost, and only the header hash in the key tells it apart.
  const Field fields[] = {
      {"label", 3, 0x01, "passphrase_box_malformed"},
      {"alg", 22, 0x01, "passphrase_box_malformed"},
      {"opslimit, low bit", 26, 0x01, "wrong_passphrase"},
      {"opslimit, high byte", 23, 0x01, "passphrase_box_malformed"},
      {"memlimit, low bit", 34, 0x01, "wrong_passphrase"},
      {"memlimit, high byte", 27, 0x01, "passphrase_box_malformed"},
      {"salt", 40, 0x80, "wrong_passphrase"},
      {"nonce", 60, 0x04, "wrong_passphrase"},
      {"mac", 80, 0x10, "wrong_passphrase"},
      {"ciphertext", box.size() - 1, 0x01, "wrong_passphrase"},
  };
  for (const Field& f : fields) {
    CAPTURE(f.name);
    Bytes bad = box;
    bad[f.offset] ^= f.mask;
    CHECK(reason_of(passphrase_open(bad, as_bytes(kPass), as_bytes(kContext))) == f.reason);
  }
}

TEST_CASE("a truncated or extended passphrase box is refused") {
  const Bytes box = seal_for_test();
  for (std::size_t n : {std::size_t{0}, std::size_t{21}, std::size_t{75}, kPassphraseBoxOverhead}) {
    CAPTURE(n);
    const Bytes bad(box.begin(), box.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(reason_of(passphrase_open(bad, as_bytes(kPass), as_bytes(kContext))) ==
          "passphrase_box_malformed");
  }
  // One byte short of the whole box: long enough to try, the MAC fails.
  const Bytes shorter(box.begin(), box.end() - 1);
  CHECK(reason_of(passphrase_open(shorter, as_bytes(kPass), as_bytes(kContext))) ==
        "wrong_passphrase");
  Bytes longer = box;
  longer.push_back(0);
  CHECK(reason_of(passphrase_open(longer, as_bytes(kPass), as_bytes(kContext))) ==
        "wrong_passphrase");
  Bytes huge = box;
  huge.resize(kPassphraseBoxOverhead + kMaxPassphraseBoxSecret + 1);
  CHECK(reason_of(passphrase_open(huge, as_bytes(kPass), as_bytes(kContext))) ==
        "passphrase_box_malformed");
}

TEST_CASE("a passphrase box asking for too much Argon2 work is refused before any is done") {
  const Bytes box = seal_for_test();
  struct Limits {
    std::uint64_t ops;
    std::uint64_t mem;
  };
  const Limits bad_limits[] = {
      {kMaxOpslimit + 1, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE},
      {0, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE},
      {0xffffffff, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE},
      {2, kMaxMemlimit + 1024},
      {2, std::uint64_t{1} << 62},
      {2, crypto_pwhash_argon2id_MEMLIMIT_MIN - 1},
  };
  for (const Limits& l : bad_limits) {
    CAPTURE(l.ops);
    CAPTURE(l.mem);
    Bytes bad = box;
    write_be(bad, 23, 4, l.ops);
    write_be(bad, 27, 8, l.mem);
    const Result<SecretBytes> r = passphrase_open(bad, as_bytes(kPass), as_bytes(kContext));
    CHECK(reason_of(r) == "passphrase_box_malformed");
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("passphrases that are empty, too short or too long are refused") {
  SeededRng rng(4);
  const Bytes secret = {1};
  CHECK(passphrase_seal(secret, as_bytes("1234567"), {}, KdfStrength::kInteractive, rng)
            .status()
            .reason() == "passphrase_too_short");
  CHECK(passphrase_seal(secret, {}, {}, KdfStrength::kInteractive, rng).status().reason() ==
        "passphrase_too_short");
  const std::string long_pass(kMaxPassphraseSize + 1, 'x');
  CHECK(passphrase_seal(secret, as_bytes(long_pass), {}, KdfStrength::kInteractive, rng)
            .status()
            .reason() == "passphrase_too_long");
  CHECK(
      passphrase_seal({}, as_bytes(kPass), {}, KdfStrength::kInteractive, rng).status().reason() ==
      "secret_empty");
  const Bytes big(kMaxPassphraseBoxSecret + 1, 0);
  CHECK(
      passphrase_seal(big, as_bytes(kPass), {}, KdfStrength::kInteractive, rng).status().reason() ==
      "secret_too_large");

  const Bytes box = seal_for_test();
  CHECK(reason_of(passphrase_open(box, {}, as_bytes(kContext))) == "passphrase_empty");
  CHECK(reason_of(passphrase_open(box, as_bytes(long_pass), as_bytes(kContext))) ==
        "passphrase_too_long");
}

}  // namespace
}  // namespace urne
