#include "crypto/credential.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

#include <array>
#include <cctype>
#include <set>
#include <string>
#include <utility>

#include "test_util.hpp"

namespace urne {
namespace {

using test::unhex;

// The canonical 24 characters of a code (its printed form without dashes).
std::string canonical_text(const VotingCode& code) {
  std::string out;
  const SecretBytes text = code.format();  // keep it alive across the loop
  for (const std::uint8_t ch : text.view()) {
    if (ch != '-') out.push_back(static_cast<char>(ch));
  }
  return out;
}

std::string printed(const VotingCode& code) { return to_string(code.format().view()); }

std::string reason_of(const Result<VotingCode>& r) { return r.status().reason(); }

// ---------------------------------------------------------------------------
// Known answers (see docs/protocol.md). How they were obtained: from this
// implementation, and cross-checked by an independent script (Python:
// check symbols by brute force over all 32 x 32 pairs with a separate GF(32)
// multiplication, hashlib.blake2b keyed with the context, and
// pyca/cryptography's Ed25519 from OpenSSL for the public key and the
// signature); the derivation is also recomputed step by step with the
// libsodium primitives in the test "key derivation matches ..." below.

constexpr const char* kKatCode = "0123-4567-89AB-CDEF-GHJK-MNJK";  // data 0..N, check "JK"
// Context: the bytes 00 01 02 ... 1f.
FixedBytes<32> kat_context_bytes() {
  FixedBytes<32> b{};
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i);
  return b;
}
constexpr const char* kKatHashInput =
    "001275726e652f63726564656e7469616c2f7631"           // u16(18) "urne/credential/v1"
    "0018"                                               // u16(24)
    "3031323334353637383941424344454647484a4b4d4e4a4b";  // the 24 characters
constexpr const char* kKatSeed = "b88e618d78c09fce167ff9846dd5e16b9ad24b9323c6ad4f9dc14ae497c802a9";
constexpr const char* kKatPublicKey =
    "a9bcf938c8d040ac8ee60a0e2326676261ade26051bafebafa2fffaab0f926b7";

// Authorization: election id 32 x 0x11, institution "einrichtung-07",
// token_key_id 32 x 0x22, request 00 02 7a 33 x 8 (short stand-in for a
// TokenRequest: this layer does not parse it).
constexpr const char* kKatInstitution = "einrichtung-07";
constexpr const char* kKatRequest = "00027a3333333333333333";
constexpr const char* kKatAuthMessage =
    "001a75726e652f746f6b656e2d726571756573742d617574682f7631"          // label
    "1111111111111111111111111111111111111111111111111111111111111111"  // election
    "000e65696e7269636874756e672d3037"                                  // institution
    "2222222222222222222222222222222222222222222222222222222222222222"  // token_key_id
    "0000000b00027a3333333333333333";                                   // request
constexpr const char* kKatSignature =
    "4b1f0b6f623551792f2ff534f958f302c8824c1fbdbf9b16e31c00e3fb34c0db"
    "36a9ff18e330791aa098b268ad86af72e9f6f2aab3fca506b3cfad35044bf00a";

ElectionId filled(std::uint8_t v) {
  ElectionId b{};
  b.fill(v);
  return b;
}

CredentialContext kat_context() { return CredentialContext::parse(kat_context_bytes()).value(); }

VotingCode kat_code() { return VotingCode::parse(kKatCode).value(); }

InstitutionSecretKey derive_ok(const VotingCode& code, const CredentialContext& ctx) {
  return InstitutionSecretKey::derive(code, ctx).value();
}

// ---------------------------------------------------------------------------
// Voting code

TEST_CASE("a generated voting code is 6 groups of 4 alphabet symbols carrying 110 bits") {
  CHECK(kVotingCodeEntropyBits == 110);
  CHECK(kVotingCodeEntropyBits >= 100);
  SeededRng rng(1);
  // Each data position must use the whole alphabet (5 bits per symbol): over
  // 2000 codes every one of the 32 symbols shows up at every data position.
  std::array<std::set<char>, kVotingCodeDataSymbols> seen;
  for (int n = 0; n < 2000; ++n) {
    const std::string text = printed(VotingCode::generate(rng));
    REQUIRE(text.size() == kVotingCodeFormattedSize);
    std::size_t symbol = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (i % 5 == 4) {
        CHECK(text[i] == '-');
        continue;
      }
      REQUIRE(kVotingCodeAlphabet.find(text[i]) != std::string_view::npos);
      if (symbol < kVotingCodeDataSymbols) seen[symbol].insert(text[i]);
      ++symbol;
    }
    CHECK(symbol == kVotingCodeSymbols);
  }
  for (const auto& s : seen) CHECK(s.size() == 32);
}

TEST_CASE("the alphabet has no ambiguous characters") {
  for (const char bad : {'I', 'L', 'O', 'U'}) {
    CHECK(kVotingCodeAlphabet.find(bad) == std::string_view::npos);
  }
  CHECK(std::set<char>(kVotingCodeAlphabet.begin(), kVotingCodeAlphabet.end()).size() == 32);
}

TEST_CASE("voting code generation is driven only by the injected rng") {
  SeededRng a(42), b(42), c(43);
  CHECK(printed(VotingCode::generate(a)) == printed(VotingCode::generate(b)));
  SeededRng a2(42);
  CHECK(printed(VotingCode::generate(a2)) != printed(VotingCode::generate(c)));
}

TEST_CASE("parsing the printed form gives back the same code") {
  SeededRng rng(2);
  for (int n = 0; n < 200; ++n) {
    const VotingCode code = VotingCode::generate(rng);
    const SecretBytes text = code.format();
    auto back = VotingCode::parse(to_string(text.view()));
    REQUIRE(back.ok());
    CHECK(ct_equal(back->format().view(), text.view()));
  }
}

TEST_CASE("parsing tolerates lower case, spaces, missing dashes and lookalikes") {
  const std::string want = kKatCode;
  auto same = [&](std::string_view typed) {
    auto r = VotingCode::parse(typed);
    REQUIRE_MESSAGE(r.ok(), std::string(typed));
    CHECK(printed(*r) == want);
  };
  same("0123-4567-89AB-CDEF-GHJK-MNJK");
  same("0123-4567-89ab-cdef-ghjk-mnjk");     // lower case
  same("0123456789ABCDEFGHJKMNJK");          // no dashes
  same("0123 4567 89AB CDEF GHJK MNJK");     // spaces
  same("  0123-4567 89abCDEF--ghjk mnjk ");  // a mix
  same("o123-4567-89AB-CDEF-GHJK-MNJK");     // o for 0
  same("O123-4567-89AB-CDEF-GHJK-MNJK");     // O for 0
  same("0I23-4567-89AB-CDEF-GHJK-MNJK");     // I for 1
  same("0l23-4567-89AB-CDEF-GHJK-MNJK");     // l for 1
  same("0L23-4567-89AB-CDEF-GHJK-MNJK");     // L for 1
  same("0i23-4567-89AB-CDEF-GHJK-MNJK");     // i for 1
}

TEST_CASE("every single-character substitution is caught as a typo") {
  SeededRng rng(3);
  for (int n = 0; n < 200; ++n) {
    const std::string code = canonical_text(VotingCode::generate(rng));
    for (std::size_t pos = 0; pos < code.size(); ++pos) {
      for (const char sub : kVotingCodeAlphabet) {
        if (sub == code[pos]) continue;
        std::string typo = code;
        typo[pos] = sub;
        const auto r = VotingCode::parse(typo);
        REQUIRE_MESSAGE(reason_of(r) == "voting_code_checksum", typo);
      }
      // Characters outside the alphabet are not typos but malformed input.
      for (const char sub : {'U', 'u', '+', '_', '.', '\t', '\0'}) {
        std::string typo = code;
        typo[pos] = sub;
        REQUIRE(reason_of(VotingCode::parse(typo)) == "voting_code_malformed");
      }
    }
  }
}

TEST_CASE("every transposition of two different characters is caught as a typo") {
  SeededRng rng(4);
  int adjacent = 0;
  for (int n = 0; n < 200; ++n) {
    const std::string code = canonical_text(VotingCode::generate(rng));
    // Adjacent swaps (the guarantee asked for) and, because the code has
    // distance 3, every other swap of two positions as well.
    for (std::size_t i = 0; i < code.size(); ++i) {
      for (std::size_t j = i + 1; j < code.size(); ++j) {
        if (code[i] == code[j]) continue;
        std::string typo = code;
        std::swap(typo[i], typo[j]);
        REQUIRE_MESSAGE(reason_of(VotingCode::parse(typo)) == "voting_code_checksum", typo);
        if (j == i + 1) ++adjacent;
      }
    }
  }
  CHECK(adjacent > 200 * 20);  // the loop really ran over adjacent pairs
}

TEST_CASE("malformed voting codes are rejected as voting_code_malformed") {
  const std::string good = "0123456789ABCDEFGHJKMNJK";
  const std::string cases[] = {
      "",
      "----    ---",
      good.substr(0, 23),  // too short
      good + "0",          // too long
      good.substr(0, 20),
      good + good,
      "0123-4567-89AB-CDEF-GHJK-MNJU",  // U is not in the alphabet
      "0123-4567-89AB-CDEF-GHJK-MN+K",
      "0123_4567_89AB_CDEF_GHJK_MNJK",  // '_' is no separator
      "0123-4567-89AB-CDEF-GHJK-MNJK\n",
      "0123\t4567-89AB-CDEF-GHJK-MNJK",
      "0123-4567-89AB-CDEF-GHJK-MNJ\xc3\x89",  // non-ASCII
      std::string(good.data(), 10) + std::string(1, '\0') + good.substr(11),
      std::string(100000, 'A'),                              // huge
      std::string(kVotingCodeMaxTypedSize + 1, ' ') + good,  // over the bound
  };
  for (const auto& text : cases) {
    const auto r = VotingCode::parse(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK_MESSAGE(r.status().reason() == "voting_code_malformed", text.substr(0, 40));
    // The message never repeats what was typed.
    CHECK(r.status().message().find("0123") == std::string::npos);
  }
}

TEST_CASE("the check symbols of a fixed code are the known answer") {
  // Data symbols 0123456789ABCDEFGHJKMN (values 0..21) get the check symbols
  // "JK" (values 18, 19): sum c_i = 0 and sum alpha^i c_i = 0 in GF(32).
  auto r = VotingCode::parse("0123456789ABCDEFGHJKMNJK");
  REQUIRE(r.ok());
  CHECK(printed(*r) == kKatCode);
  CHECK(reason_of(VotingCode::parse("0123456789ABCDEFGHJKMNJM")) == "voting_code_checksum");
}

// ---------------------------------------------------------------------------
// Context and keys

TEST_CASE("a credential context is exactly 32 bytes") {
  SeededRng rng(5);
  const CredentialContext c = CredentialContext::generate(rng);
  auto back = CredentialContext::parse(c.bytes());
  REQUIRE(back.ok());
  CHECK(*back == c);
  CHECK(CredentialContext::parse(Bytes(31)).status().reason() == "credential_context_malformed");
  CHECK(CredentialContext::parse(Bytes(33)).status().reason() == "credential_context_malformed");
  CHECK(CredentialContext::parse(Bytes{}).status().reason() == "credential_context_malformed");
}

TEST_CASE("key derivation is deterministic and depends on the code and the context") {
  SeededRng rng(6);
  const VotingCode code = VotingCode::generate(rng);
  const VotingCode other_code = VotingCode::generate(rng);
  const CredentialContext ctx = CredentialContext::generate(rng);
  const CredentialContext other_ctx = CredentialContext::generate(rng);

  const InstitutionPublicKey pk = derive_ok(code, ctx).public_key();
  CHECK(derive_ok(code, ctx).public_key() == pk);
  // The same code re-typed in lower case gives the same key.
  std::string lower = printed(code);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  CHECK(derive_ok(VotingCode::parse(lower).value(), ctx).public_key() == pk);

  CHECK_FALSE(derive_ok(other_code, ctx).public_key() == pk);
  CHECK_FALSE(derive_ok(code, other_ctx).public_key() == pk);
}

TEST_CASE("key derivation matches the known answer and the libsodium primitives step by step") {
  const VotingCode code = kat_code();
  const CredentialContext ctx = kat_context();
  const InstitutionSecretKey key = derive_ok(code, ctx);
  CHECK(hex_encode(key.public_key().bytes()) == kKatPublicKey);

  // By hand: the documented hash input, BLAKE2b-256 keyed with the context,
  // then crypto_sign_seed_keypair.
  Bytes input;
  append_u16(input, static_cast<std::uint16_t>(kCredentialLabel.size()));
  append(input, as_bytes(kCredentialLabel));
  append_u16(input, 24);
  append(input, as_bytes(canonical_text(code)));
  CHECK(hex_encode(input) == kKatHashInput);

  FixedBytes<32> seed{};
  REQUIRE(crypto_generichash(seed.data(), seed.size(), input.data(), input.size(),
                             ctx.bytes().data(), ctx.bytes().size()) == 0);
  CHECK(hex_encode(seed) == kKatSeed);
  FixedBytes<32> pk{};
  FixedBytes<64> sk{};
  REQUIRE(crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data()) == 0);
  CHECK(hex_encode(pk) == kKatPublicKey);
}

TEST_CASE("public key parsing accepts derived keys and rejects invalid points") {
  const InstitutionPublicKey pk = derive_ok(kat_code(), kat_context()).public_key();
  auto back = InstitutionPublicKey::parse(pk.bytes());
  REQUIRE(back.ok());
  CHECK(*back == pk);

  // An order-8 point (from libsodium's list of small-order encodings).
  const Bytes order8 = unhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
  // The same key plus that order-8 point: on the curve, not of prime order
  // (libsodium's verify alone would take it).
  Bytes mixed(32);
  REQUIRE(crypto_core_ed25519_add(mixed.data(), pk.bytes().data(), order8.data()) == 0);
  const Bytes identity = unhex("0100000000000000000000000000000000000000000000000000000000000000");
  // y = p + 1: a non-canonical encoding of the identity.
  const Bytes non_canonical =
      unhex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  const Bytes all_ff(32, 0xff);  // y >= p
  // y = 2 gives no x on the curve.
  const Bytes off_curve = unhex("0200000000000000000000000000000000000000000000000000000000000000");
  Bytes longer(pk.bytes().begin(), pk.bytes().end());
  longer.push_back(0);
  const Bytes shorter(pk.bytes().begin(), pk.bytes().end() - 1);

  for (const Bytes& bad : {order8, mixed, identity, non_canonical, all_ff, off_curve, longer,
                           shorter, Bytes{}, Bytes(32, 0)}) {
    const auto r = InstitutionPublicKey::parse(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().reason() == "institution_key_invalid");
  }
}

TEST_CASE("check_listed_key accepts the listed key and rejects another institution's") {
  SeededRng rng(7);
  const CredentialContext ctx = CredentialContext::generate(rng);
  const auto mine = derive_ok(VotingCode::generate(rng), ctx).public_key();
  const auto theirs = derive_ok(VotingCode::generate(rng), ctx).public_key();
  CHECK(check_listed_key(mine, mine).is_ok());
  const Status s = check_listed_key(mine, theirs);
  CHECK(s.code() == Code::kUnauthenticated);
  CHECK(s.reason() == "credential_key_mismatch");
}

// ---------------------------------------------------------------------------
// Authorization of token requests

TEST_CASE("the authorization message has exactly the documented layout") {
  auto m = authorization_message(filled(0x11), kKatInstitution, filled(0x22), unhex(kKatRequest));
  REQUIRE(m.ok());
  CHECK(hex_encode(*m) == kKatAuthMessage);
  // Field by field: 2 + 26 + 32 + 2 + 14 + 32 + 4 + 11 bytes.
  CHECK(m->size() == 2 + 26 + 32 + 2 + 14 + 32 + 4 + 11);
  // An empty request still gets its (zero) length.
  auto empty = authorization_message(filled(0x11), "a", filled(0x22), {});
  REQUIRE(empty.ok());
  CHECK(hex_encode(ByteView(*empty).last(4)) == "00000000");
}

TEST_CASE("institution ids are 1 to 64 characters of A-Z a-z 0-9 . _ -") {
  CHECK(check_institution_id("a").is_ok());
  CHECK(check_institution_id("Einrichtung_07.sn-1").is_ok());
  CHECK(check_institution_id(std::string(64, 'x')).is_ok());
  for (const std::string& bad :
       {std::string(), std::string(65, 'x'), std::string("a b"), std::string("a/b"),
        std::string("m\xc3\xa4nner"), std::string("a\0b", 3), std::string("a:b")}) {
    CHECK(check_institution_id(bad).reason() == "institution_id_malformed");
    CHECK(authorization_message(filled(1), bad, filled(2), {}).status().reason() ==
          "institution_id_malformed");
  }
}

TEST_CASE("a signed token request verifies and the signature is the known answer") {
  const InstitutionSecretKey key = derive_ok(kat_code(), kat_context());
  const Bytes request = unhex(kKatRequest);
  auto sig = sign_token_request(key, filled(0x11), kKatInstitution, filled(0x22), request);
  REQUIRE(sig.ok());
  // Ed25519 is deterministic: the same key and message give this signature.
  CHECK(hex_encode(*sig) == kKatSignature);
  CHECK(verify_token_request(key.public_key(), filled(0x11), kKatInstitution, filled(0x22), request,
                             *sig)
            .is_ok());
  // It is a plain Ed25519 signature over the documented message.
  const Bytes m = unhex(kKatAuthMessage);
  CHECK(crypto_sign_verify_detached(sig->data(), m.data(), m.size(),
                                    key.public_key().bytes().data()) == 0);
}

TEST_CASE("a token request signature fails for anything else than what was signed") {
  SeededRng rng(8);
  const CredentialContext ctx = CredentialContext::generate(rng);
  const InstitutionSecretKey key = derive_ok(VotingCode::generate(rng), ctx);
  const InstitutionSecretKey other_key = derive_ok(VotingCode::generate(rng), ctx);
  const InstitutionPublicKey& pk = key.public_key();
  const ElectionId election = filled(0x11);
  const TokenKeyId token_key = filled(0x22);
  Bytes request(259);
  rng.fill(request);
  const std::string inst = "einrichtung-07";
  const InstitutionSignature sig =
      sign_token_request(key, election, inst, token_key, request).value();
  REQUIRE(verify_token_request(pk, election, inst, token_key, request, sig).is_ok());

  auto rejected = [](const Status& s) {
    return !s.is_ok() && s.reason() == "request_signature_invalid" &&
           s.code() == Code::kUnauthenticated;
  };
  ElectionId other_election = election;
  other_election[31] ^= 1;
  CHECK(rejected(verify_token_request(pk, other_election, inst, token_key, request, sig)));
  CHECK(rejected(verify_token_request(pk, election, "einrichtung-08", token_key, request, sig)));
  CHECK(rejected(verify_token_request(pk, election, "einrichtung-0", token_key, request, sig)));
  TokenKeyId other_token_key = token_key;
  other_token_key[0] ^= 0x80;
  CHECK(rejected(verify_token_request(pk, election, inst, other_token_key, request, sig)));
  for (std::size_t bit : {0u, 1000u, 259u * 8 - 1}) {
    Bytes flipped = request;
    flipped[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    CHECK(rejected(verify_token_request(pk, election, inst, token_key, flipped, sig)));
  }
  const Bytes truncated(request.begin(), request.end() - 1);
  CHECK(rejected(verify_token_request(pk, election, inst, token_key, truncated, sig)));
  Bytes extended = request;
  extended.push_back(0);
  CHECK(rejected(verify_token_request(pk, election, inst, token_key, extended, sig)));
  for (std::size_t bit : {0u, 255u, 256u, 511u}) {
    InstitutionSignature bad = sig;
    bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    CHECK(rejected(verify_token_request(pk, election, inst, token_key, request, bad)));
  }
  const ByteView sig_view(sig);
  CHECK(rejected(verify_token_request(pk, election, inst, token_key, request, sig_view.first(63))));
  CHECK(rejected(verify_token_request(pk, election, inst, token_key, request, {})));
  CHECK(rejected(
      verify_token_request(other_key.public_key(), election, inst, token_key, request, sig)));
  // A malformed institution id is reported as such, not as a bad signature.
  CHECK(verify_token_request(pk, election, "bad id", token_key, request, sig).reason() ==
        "institution_id_malformed");
}

// ---------------------------------------------------------------------------
// Officer credential (docs/protocol.md §3.5). Known answers for the code
// kKatCode, computed independently with Python (hashlib.sha256 for the
// context, hashlib.blake2b(key=context, digest_size=32) over the documented
// input, pyca/cryptography's Ed25519PrivateKey.from_private_bytes for the
// public key); the JavaScript dashboard tests the same vector.

constexpr const char* kOfficerContext =
    "e54c8c9f79ddb2033faf0c8b73f54957bb6c77b21dacfc5554b04f1c5106d1d0";
constexpr const char* kOfficerSeed =
    "63a0be34f67fac381b74ffa725da928f1ddade93a8db29d7aede4dbfe045fceb";
constexpr const char* kOfficerPublicKey =
    "8e40ca139901a310f48e551066deb389136f0336858c173ac47808affab45895";

TEST_CASE("the officer context is SHA-256 of its label") {
  CHECK(hex_encode(officer_credential_context().bytes()) == kOfficerContext);
  FixedBytes<32> h{};
  REQUIRE(crypto_hash_sha256(h.data(),
                             reinterpret_cast<const unsigned char*>(kOfficerContextLabel.data()),
                             kOfficerContextLabel.size()) == 0);
  CHECK(officer_credential_context().bytes() == h);
}

TEST_CASE(
    "the officer key of a code is the known answer and the institution key of the officer "
    "context") {
  const Result<Ed25519SigningKey> key = derive_officer_key(kat_code());
  REQUIRE(key.ok());
  CHECK(hex_encode(key->public_key()) == kOfficerPublicKey);
  CHECK(hex_encode(key->export_seed().view()) == kOfficerSeed);
  const InstitutionSecretKey inst = derive_ok(kat_code(), officer_credential_context());
  CHECK(inst.public_key().bytes() == key->public_key());
  // It signs like any Ed25519 key: the signature verifies with the public key.
  const auto msg = as_bytes("urne officer");
  const Result<Ed25519Signature> sig = key->sign(msg);
  REQUIRE(sig.ok());
  CHECK(crypto_sign_verify_detached(sig->data(), msg.data(), msg.size(),
                                    key->public_key().data()) == 0);
}

TEST_CASE("another officer code gives an unrelated key, and a roster context another one") {
  SeededRng rng(7);
  const VotingCode other = VotingCode::generate(rng);
  const Result<Ed25519SigningKey> a = derive_officer_key(kat_code());
  const Result<Ed25519SigningKey> b = derive_officer_key(other);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->public_key() != b->public_key());
  // The same code under a roster's context is not the officer key.
  CHECK(derive_ok(kat_code(), kat_context()).public_key().bytes() != a->public_key());
}

}  // namespace
}  // namespace urne
