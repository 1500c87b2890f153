#include "crypto/blind_rsa.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "crypto/random.hpp"
#include "test_util.hpp"

namespace urne {
namespace {

using test::load_vectors;
using test::unhex;

BlindRsaVariant variant_named(const std::string& name) {
  for (auto v :
       {BlindRsaVariant::kSha384PssRandomized, BlindRsaVariant::kSha384PssZeroRandomized,
        BlindRsaVariant::kSha384PssDeterministic, BlindRsaVariant::kSha384PssZeroDeterministic}) {
    if (blind_rsa_variant_name(v) == name) return v;
  }
  throw std::runtime_error("unknown variant in vector file: " + name);
}

constexpr BlindRsaVariant kAllVariants[] = {
    BlindRsaVariant::kSha384PssRandomized, BlindRsaVariant::kSha384PssZeroRandomized,
    BlindRsaVariant::kSha384PssDeterministic, BlindRsaVariant::kSha384PssZeroDeterministic};

// One 2048-bit key for all round trips (generation is the slow part).
const BlindRsaSecretKey& shared_key() {
  static const BlindRsaSecretKey key = [] {
    auto k = BlindRsaSecretKey::generate(2048);
    if (!k.ok()) throw std::runtime_error(k.status().to_string());
    return std::move(k).value();
  }();
  return key;
}

const BlindRsaSecretKey& other_key() {
  static const BlindRsaSecretKey key = [] {
    auto k = BlindRsaSecretKey::generate(2048);
    if (!k.ok()) throw std::runtime_error(k.status().to_string());
    return std::move(k).value();
  }();
  return key;
}

// Big-endian a + b over the same length; returns false on carry out.
bool add_same_length(ByteView a, ByteView b, Bytes& out) {
  out.assign(a.size(), 0);
  unsigned carry = 0;
  for (std::size_t i = a.size(); i-- > 0;) {
    const unsigned sum = a[i] + b[i] + carry;
    out[i] = static_cast<std::uint8_t>(sum);
    carry = sum >> 8;
  }
  return carry == 0;
}

// Runs the whole protocol once; returns {prepared msg, signature}.
std::pair<Bytes, Bytes> sign_once(const BlindRsaSecretKey& sk, BlindRsaVariant v, ByteView msg,
                                  Rng& rng) {
  const Bytes input = blind_rsa_prepare(v, msg, rng);
  auto blinded = blind_rsa_blind(sk.public_key(), v, input, rng);
  REQUIRE(blinded.ok());
  auto blind_sig = sk.blind_sign(blinded->blinded_msg);
  REQUIRE(blind_sig.ok());
  auto sig = blind_rsa_finalize(sk.public_key(), v, input, *blind_sig, blinded->inv);
  REQUIRE(sig.ok());
  return {input, *sig};
}

// --------------------------------------------------------------------------
// Known answers

void check_rfc9474_vector(const nlohmann::json& vec) {
  const std::string name = vec.at("name");
  CAPTURE(name);
  const BlindRsaVariant v = variant_named(name);
  const Bytes n = unhex(vec.at("n")), e = unhex(vec.at("e"));
  auto sk = BlindRsaSecretKey::from_components(n, e, unhex(vec.at("d")), unhex(vec.at("p")),
                                               unhex(vec.at("q")));
  REQUIRE(sk.ok());
  const BlindRsaPublicKey& pk = sk->public_key();
  CHECK(pk.modulus_bits() == 4096);
  CHECK(pk.modulus_length() == 512);
  CHECK(Bytes(pk.modulus().begin(), pk.modulus().end()) == n);
  auto pk2 = BlindRsaPublicKey::from_components(n, e);
  REQUIRE(pk2.ok());
  CHECK(pk2->spki() == pk.spki());

  // Prepare (§4.1).
  const Bytes msg = unhex(vec.at("msg"));
  const Bytes prefix = unhex(vec.at("msg_prefix"));
  const Bytes prepared = unhex(vec.at("prepared_msg"));
  CHECK(blind_rsa_is_randomized(v) == !prefix.empty());
  if (blind_rsa_is_randomized(v)) {
    CHECK(blind_rsa_detail::prepare_with_prefix(msg, prefix) == prepared);
  } else {
    SeededRng rng(1);
    CHECK(blind_rsa_prepare(v, msg, rng) == prepared);
  }

  // EMSA-PSS encoding with the vector's salt.
  const Bytes salt = unhex(vec.at("salt"));
  CHECK(salt.size() == blind_rsa_salt_length(v));
  auto encoded = blind_rsa_detail::emsa_pss_encode(prepared, pk.modulus_bits() - 1, salt);
  REQUIRE(encoded.ok());
  CHECK(hex_encode(*encoded) == std::string(vec.at("encoded_msg")));

  // Blind (§4.2) with r = inv^-1.
  const Bytes inv = unhex(vec.at("inv"));
  auto r = blind_rsa_detail::invert_mod_n(pk, inv);
  REQUIRE(r.ok());
  auto blinded = blind_rsa_detail::blind_with(pk, v, prepared, *r, salt);
  REQUIRE(blinded.ok());
  CHECK(hex_encode(blinded->blinded_msg) == std::string(vec.at("blinded_msg")));
  CHECK(hex_encode(blinded->inv.bytes()) == std::string(vec.at("inv")));

  // BlindSign (§4.3).
  auto blind_sig = sk->blind_sign(blinded->blinded_msg);
  REQUIRE(blind_sig.ok());
  CHECK(hex_encode(*blind_sig) == std::string(vec.at("blind_sig")));

  // Finalize (§4.4) and verify (§4.5).
  auto sig = blind_rsa_finalize(pk, v, prepared, *blind_sig, blinded->inv);
  REQUIRE(sig.ok());
  CHECK(hex_encode(*sig) == std::string(vec.at("sig")));
  CHECK(blind_rsa_verify(pk, v, prepared, unhex(vec.at("sig"))).is_ok());
  CHECK(blind_rsa_verify(*pk2, v, prepared, unhex(vec.at("sig"))).is_ok());
}

TEST_CASE("rfc9474: all four variants reproduce the RFC test vectors step by step") {
  const auto file = load_vectors("rfc9474.json");
  REQUIRE(file.at("vectors").size() == 4);
  std::set<std::string> names;
  for (const auto& vec : file.at("vectors")) {
    names.insert(vec.at("name"));
    check_rfc9474_vector(vec);
  }
  CHECK(names.size() == 4);
}

TEST_CASE("rfc9474: the alternate PSSZERO-Deterministic vector set also matches") {
  const auto file = load_vectors("rfc9474.json");
  REQUIRE(!file.at("alt_vectors").empty());
  for (const auto& vec : file.at("alt_vectors")) check_rfc9474_vector(vec);
}

TEST_CASE("rfc9474: a flipped bit, another message or s + n fails verification") {
  const auto file = load_vectors("rfc9474.json");
  int tried_s_plus_n = 0;
  for (const auto& vec : file.at("vectors")) {
    const std::string name = vec.at("name");
    CAPTURE(name);
    const BlindRsaVariant v = variant_named(name);
    auto pk = BlindRsaPublicKey::from_components(unhex(vec.at("n")), unhex(vec.at("e")));
    REQUIRE(pk.ok());
    const Bytes prepared = unhex(vec.at("prepared_msg"));
    const Bytes sig = unhex(vec.at("sig"));
    REQUIRE(blind_rsa_verify(*pk, v, prepared, sig).is_ok());

    for (std::size_t byte : {std::size_t{0}, sig.size() / 2, sig.size() - 1}) {
      Bytes bad = sig;
      bad[byte] ^= 0x01;
      const Status st = blind_rsa_verify(*pk, v, prepared, bad);
      CHECK(st.code() == Code::kUnauthenticated);
    }
    Bytes other_msg = prepared;
    other_msg.back() ^= 0x80;
    CHECK(blind_rsa_verify(*pk, v, other_msg, sig).reason() == "bad_signature");

    // The other salt length (PSS vs PSSZERO) does not verify.
    const BlindRsaVariant other_salt = blind_rsa_salt_length(v) == 0
                                           ? BlindRsaVariant::kSha384PssDeterministic
                                           : BlindRsaVariant::kSha384PssZeroDeterministic;
    CHECK(blind_rsa_verify(*pk, other_salt, prepared, sig).reason() == "bad_signature");

    // s + n (where it fits in k bytes) and n itself are out of range.
    Bytes s_plus_n;
    if (add_same_length(sig, pk->modulus(), s_plus_n)) {
      ++tried_s_plus_n;
      CHECK(blind_rsa_verify(*pk, v, prepared, s_plus_n).reason() == "signature_out_of_range");
    }
    const Bytes n(pk->modulus().begin(), pk->modulus().end());
    CHECK(blind_rsa_verify(*pk, v, prepared, n).reason() == "signature_out_of_range");

    // Wrong lengths: truncated, or with a leading zero byte.
    CHECK(blind_rsa_verify(*pk, v, prepared, ByteView(sig).first(sig.size() - 1)).reason() ==
          "bad_length");
    Bytes padded{0};
    append(padded, sig);
    CHECK(blind_rsa_verify(*pk, v, prepared, padded).reason() == "bad_length");
  }
  CHECK(tried_s_plus_n > 0);
}

TEST_CASE("rfc9474: the signer rejects a blinded message that is n or larger") {
  const auto vec = load_vectors("rfc9474.json").at("vectors").at(0);
  auto sk =
      BlindRsaSecretKey::from_components(unhex(vec.at("n")), unhex(vec.at("e")), unhex(vec.at("d")),
                                         unhex(vec.at("p")), unhex(vec.at("q")));
  REQUIRE(sk.ok());
  const std::size_t k = sk->public_key().modulus_length();
  const Bytes n = unhex(vec.at("n"));
  CHECK(sk->blind_sign(n).status().reason() == "blinded_message_out_of_range");
  Bytes n_plus_one = n;
  n_plus_one.back() += 1;  // n is odd: no carry
  CHECK(sk->blind_sign(n_plus_one).status().reason() == "blinded_message_out_of_range");
  CHECK(sk->blind_sign(Bytes(k, 0xff)).status().reason() == "blinded_message_out_of_range");
  const Bytes blinded = unhex(vec.at("blinded_msg"));
  Bytes blinded_plus_n;
  if (add_same_length(blinded, n, blinded_plus_n)) {
    CHECK(sk->blind_sign(blinded_plus_n).status().reason() == "blinded_message_out_of_range");
  }
  CHECK(sk->blind_sign(ByteView(blinded).first(k - 1)).status().reason() == "bad_length");
  Bytes longer{0};
  append(longer, blinded);
  CHECK(sk->blind_sign(longer).status().reason() == "bad_length");
  // 0 and n - 1 are in range (RSASP1 accepts [0, n)).
  CHECK(sk->blind_sign(Bytes(k, 0)).ok());
  Bytes n_minus_one = n;
  n_minus_one.back() -= 1;
  CHECK(sk->blind_sign(n_minus_one).ok());
}

TEST_CASE("rfc9474: blinding rejects r = 0, r >= n and r sharing a factor with n") {
  const auto vec = load_vectors("rfc9474.json").at("vectors").at(2);
  auto pk = BlindRsaPublicKey::from_components(unhex(vec.at("n")), unhex(vec.at("e")));
  REQUIRE(pk.ok());
  const std::size_t k = pk->modulus_length();
  const Bytes prepared = unhex(vec.at("prepared_msg"));
  const Bytes salt = unhex(vec.at("salt"));
  const auto v = BlindRsaVariant::kSha384PssDeterministic;
  const Bytes n(pk->modulus().begin(), pk->modulus().end());

  CHECK(blind_rsa_detail::blind_with(*pk, v, prepared, Bytes(k, 0), salt).status().reason() ==
        "blinding_error");
  CHECK(blind_rsa_detail::blind_with(*pk, v, prepared, n, salt).status().reason() ==
        "blinding_error");
  // r = p (left-padded to k bytes): gcd(r, n) = p, not invertible.
  const Bytes p = unhex(vec.at("p"));
  Bytes r_p(k - p.size(), 0);
  append(r_p, p);
  CHECK(blind_rsa_detail::blind_with(*pk, v, prepared, r_p, salt).status().reason() ==
        "blinding_error");
  // A salt of the wrong length for the variant.
  CHECK(
      blind_rsa_detail::blind_with(*pk, v, prepared, unhex(vec.at("inv")), ByteView(salt).first(47))
          .status()
          .reason() == "bad_salt_length");
}

TEST_CASE("rfc9474: finalize rejects a wrong, corrupted or out-of-range blind signature") {
  const auto vec = load_vectors("rfc9474.json").at("vectors").at(0);
  const BlindRsaVariant v = variant_named(vec.at("name"));
  auto pk = BlindRsaPublicKey::from_components(unhex(vec.at("n")), unhex(vec.at("e")));
  REQUIRE(pk.ok());
  const Bytes prepared = unhex(vec.at("prepared_msg"));
  const auto inv = BlindingInverse::from_bytes(unhex(vec.at("inv")));
  const Bytes blind_sig = unhex(vec.at("blind_sig"));
  REQUIRE(blind_rsa_finalize(*pk, v, prepared, blind_sig, inv).ok());

  Bytes flipped = blind_sig;
  flipped.at(100) ^= 0x04;
  auto r1 = blind_rsa_finalize(*pk, v, prepared, flipped, inv);
  CHECK(r1.status().code() == Code::kUnauthenticated);
  CHECK(r1.status().reason() == "bad_signature");

  Bytes other_msg = prepared;
  other_msg[0] ^= 1;
  CHECK(blind_rsa_finalize(*pk, v, other_msg, blind_sig, inv).status().reason() == "bad_signature");

  const Bytes n(pk->modulus().begin(), pk->modulus().end());
  CHECK(blind_rsa_finalize(*pk, v, prepared, n, inv).status().reason() ==
        "blind_signature_out_of_range");
  CHECK(
      blind_rsa_finalize(*pk, v, prepared, ByteView(blind_sig).first(511), inv).status().reason() ==
      "bad_length");
}

// --------------------------------------------------------------------------
// Round trips with fresh keys

TEST_CASE("blind signatures round-trip for every variant with a fresh 2048-bit key") {
  const BlindRsaSecretKey& sk = shared_key();
  const BlindRsaPublicKey& pk = sk.public_key();
  CHECK(pk.modulus_bits() == 2048);
  CHECK(pk.modulus_length() == 256);
  SeededRng rng(42);
  for (BlindRsaVariant v : kAllVariants) {
    CAPTURE(blind_rsa_variant_name(v));
    for (int i = 0; i < 12; ++i) {
      Bytes msg(static_cast<std::size_t>(i) * 7, static_cast<std::uint8_t>(i));
      auto [input, sig] = sign_once(sk, v, msg, rng);
      CHECK(sig.size() == 256);
      CHECK(blind_rsa_verify(pk, v, input, sig).is_ok());
      // Another key does not accept it (bad_signature, or out of range when
      // sig >= the other modulus).
      CHECK(blind_rsa_verify(other_key().public_key(), v, input, sig).code() ==
            Code::kUnauthenticated);
    }
  }
}

TEST_CASE("the same message blinded twice gives unrelated blinded messages") {
  const BlindRsaPublicKey& pk = shared_key().public_key();
  SeededRng rng(7);
  const Bytes msg = {1, 2, 3};
  for (BlindRsaVariant v : kAllVariants) {
    CAPTURE(blind_rsa_variant_name(v));
    const Bytes input = blind_rsa_prepare(v, msg, rng);
    auto a = blind_rsa_blind(pk, v, input, rng);
    auto b = blind_rsa_blind(pk, v, input, rng);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->blinded_msg != b->blinded_msg);
    CHECK(!ct_equal(a->inv.bytes(), b->inv.bytes()));
  }
  // Randomized variants also prepare differently each time.
  CHECK(blind_rsa_prepare(BlindRsaVariant::kSha384PssRandomized, msg, rng) !=
        blind_rsa_prepare(BlindRsaVariant::kSha384PssRandomized, msg, rng));
}

TEST_CASE("a signature from another key's signer does not finalize") {
  SeededRng rng(9);
  const auto v = BlindRsaVariant::kSha384PssDeterministic;
  const BlindRsaPublicKey& pk = shared_key().public_key();
  const Bytes input = {9, 9, 9};
  auto blinded = blind_rsa_blind(pk, v, input, rng);
  REQUIRE(blinded.ok());
  auto wrong = other_key().blind_sign(blinded->blinded_msg);
  if (wrong.ok()) {  // fails only if blinded_msg >= the other modulus
    // bad_signature, or out of range if the other key's signature is >= n.
    const std::string reason =
        blind_rsa_finalize(pk, v, input, *wrong, blinded->inv).status().reason();
    CHECK((reason == "bad_signature" || reason == "blind_signature_out_of_range"));
  }
  // A blinding inverse from another request does not unblind this one.
  auto other = blind_rsa_blind(pk, v, input, rng);
  REQUIRE(other.ok());
  auto sig = shared_key().blind_sign(blinded->blinded_msg);
  REQUIRE(sig.ok());
  CHECK(blind_rsa_finalize(pk, v, input, *sig, other->inv).status().reason() == "bad_signature");
}

// --------------------------------------------------------------------------
// Keys

TEST_CASE("a secret key exported as PKCS#8 DER and PEM loads back to the same key") {
  const BlindRsaSecretKey& sk = shared_key();
  const SecretBytes der = sk.to_pkcs8_der();
  const SecretBytes pem = sk.to_pkcs8_pem();
  CHECK(der.view()[0] == 0x30);
  CHECK(to_string(pem.view()).rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
  auto from_der = BlindRsaSecretKey::from_pkcs8_der(der.view());
  auto from_pem = BlindRsaSecretKey::from_pkcs8_pem(pem.view());
  REQUIRE(from_der.ok());
  REQUIRE(from_pem.ok());
  CHECK(from_der->public_key().spki() == sk.public_key().spki());
  CHECK(from_pem->public_key().spki() == sk.public_key().spki());
  CHECK(ct_equal(from_der->to_pkcs8_der().view(), der.view()));
  // The reloaded key signs what the original's public key verifies.
  SeededRng rng(3);
  auto [input, sig] = sign_once(*from_pem, BlindRsaVariant::kSha384PssDeterministic, Bytes{1}, rng);
  CHECK(blind_rsa_verify(sk.public_key(), BlindRsaVariant::kSha384PssDeterministic, input, sig)
            .is_ok());
}

TEST_CASE("broken, truncated or foreign secret keys are rejected") {
  const SecretBytes der = shared_key().to_pkcs8_der();
  const ByteView d = der.view();
  CHECK(BlindRsaSecretKey::from_pkcs8_der(d.first(d.size() - 1)).status().reason() ==
        "bad_secret_key");
  Bytes trailing(d.begin(), d.end());
  trailing.push_back(0);
  CHECK(BlindRsaSecretKey::from_pkcs8_der(trailing).status().reason() == "bad_secret_key");
  CHECK(BlindRsaSecretKey::from_pkcs8_der(Bytes{}).status().reason() == "bad_secret_key");
  CHECK(BlindRsaSecretKey::from_pkcs8_pem(as_bytes("-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                                   "-----END PRIVATE KEY-----\n"))
            .status()
            .reason() == "bad_secret_key");
  // DER given as PEM and vice versa.
  CHECK(!BlindRsaSecretKey::from_pkcs8_pem(d).ok());
  CHECK(!BlindRsaSecretKey::from_pkcs8_der(shared_key().to_pkcs8_pem().view()).ok());

  // Inconsistent components: d of another key.
  const auto vec = load_vectors("rfc9474.json").at("vectors").at(0);
  Bytes d_bad = unhex(vec.at("d"));
  d_bad.back() ^= 0x02;
  CHECK(BlindRsaSecretKey::from_components(unhex(vec.at("n")), unhex(vec.at("e")), d_bad,
                                           unhex(vec.at("p")), unhex(vec.at("q")))
            .status()
            .reason() == "bad_secret_key");
}

TEST_CASE("keys smaller than 2048 bits or with e other than 65537 are refused") {
  CHECK(BlindRsaSecretKey::generate(1024).status().reason() == "bad_key_size");
  CHECK(BlindRsaSecretKey::generate(2047).status().reason() == "bad_key_size");
  CHECK(BlindRsaSecretKey::generate(16384).status().reason() == "bad_key_size");
  const ByteView n = shared_key().public_key().modulus();
  CHECK(BlindRsaPublicKey::from_components(n, Bytes{0x03}).status().reason() ==
        "unsupported_public_exponent");
  CHECK(BlindRsaPublicKey::from_components(n.subspan(1), Bytes{1, 0, 1}).status().reason() ==
        "bad_key_size");
  Bytes even(n.begin(), n.end());
  even.back() &= 0xfe;
  CHECK(BlindRsaPublicKey::from_components(even, Bytes{1, 0, 1}).status().reason() ==
        "bad_public_key");
}

// --------------------------------------------------------------------------
// SubjectPublicKeyInfo

// DER TLV for the test's own hand-made encodings.
Bytes tlv(std::uint8_t tag, ByteView content) {
  Bytes out{tag};
  if (content.size() < 0x80) {
    out.push_back(static_cast<std::uint8_t>(content.size()));
  } else if (content.size() < 0x100) {
    out.push_back(0x81);
    out.push_back(static_cast<std::uint8_t>(content.size()));
  } else {
    out.push_back(0x82);
    out.push_back(static_cast<std::uint8_t>(content.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(content.size()));
  }
  append(out, content);
  return out;
}

// SPKI from an AlgorithmIdentifier and raw INTEGER contents for n and e.
Bytes make_spki(ByteView alg_id, ByteView n_int, ByteView e_int) {
  Bytes ints = tlv(0x02, n_int);
  append(ints, tlv(0x02, e_int));
  Bytes bits{0x00};
  append(bits, tlv(0x30, ints));
  Bytes body(alg_id.begin(), alg_id.end());
  append(body, tlv(0x03, bits));
  return tlv(0x30, body);
}

const char* const kRfcAlgId =
    "303d06092a864886f70d01010a3030a00d300b0609608648016503040202a11a301806092a864886"
    "f70d010108300b0609608648016503040202a203020130";
// OpenSSL 3's own encoding of the same parameters: NULL hash parameters.
const char* const kOpenSslAlgId =
    "304106092a864886f70d01010a3034a00f300d06096086480165030402020500a11c301a06092a86"
    "4886f70d010108300d06096086480165030402020500a203020130";

TEST_CASE("rfc9578: the SPKI is built by hand in the RFC's exact form and round-trips") {
  const BlindRsaPublicKey& pk = shared_key().public_key();
  const Bytes& spki = pk.spki();
  CHECK(spki.size() == 342);
  CHECK(hex_encode(ByteView(spki).first(4)) == "30820152");
  Bytes n_int{0x00};
  append(n_int, pk.modulus());
  CHECK(spki == make_spki(unhex(kRfcAlgId), n_int, Bytes{1, 0, 1}));
  auto parsed = BlindRsaPublicKey::parse_spki(spki);
  REQUIRE(parsed.ok());
  CHECK(parsed->spki() == spki);
  CHECK(Bytes(parsed->modulus().begin(), parsed->modulus().end()) ==
        Bytes(pk.modulus().begin(), pk.modulus().end()));
}

TEST_CASE("rfc9578: SPKI parsing rejects every other encoding of the key") {
  const BlindRsaPublicKey& pk = shared_key().public_key();
  const Bytes& good = pk.spki();
  Bytes n_int{0x00};
  append(n_int, pk.modulus());
  const Bytes e_int{1, 0, 1};
  auto reason = [](ByteView der) { return BlindRsaPublicKey::parse_spki(der).status().reason(); };

  // OpenSSL's 346-byte form with NULL hash parameters: another key id.
  const Bytes openssl_form = make_spki(unhex(kOpenSslAlgId), n_int, e_int);
  CHECK(openssl_form.size() == 346);
  CHECK(reason(openssl_form) == "bad_public_key");
  // rsaEncryption instead of id-RSASSA-PSS.
  Bytes alg = unhex(kRfcAlgId);
  Bytes wrong_oid = alg;
  wrong_oid[12] = 0x01;
  CHECK(reason(make_spki(wrong_oid, n_int, e_int)) == "bad_public_key");
  // saltLength 32 instead of 48; SHA-256 instead of SHA-384.
  Bytes wrong_salt = alg;
  wrong_salt.back() = 0x20;
  CHECK(reason(make_spki(wrong_salt, n_int, e_int)) == "bad_public_key");
  Bytes wrong_hash = alg;
  wrong_hash[29] = 0x01;  // 2.16.840.1.101.3.4.2.1 = SHA-256
  CHECK(reason(make_spki(wrong_hash, n_int, e_int)) == "bad_public_key");
  // Non-minimal INTEGERs.
  Bytes e_padded{0, 1, 0, 1};
  CHECK(reason(make_spki(alg, n_int, e_padded)) == "bad_public_key");
  Bytes n_padded{0x00};
  append(n_padded, n_int);
  CHECK(reason(make_spki(alg, n_padded, e_int)) == "bad_public_key");
  // Negative modulus (missing leading zero).
  CHECK(reason(make_spki(alg, pk.modulus(), e_int)) == "bad_public_key");
  // e = 3.
  CHECK(reason(make_spki(alg, n_int, Bytes{3})) == "unsupported_public_exponent");
  // Truncated at every length, and with trailing bytes.
  for (std::size_t len = 0; len < good.size(); ++len) {
    CAPTURE(len);
    CHECK(!BlindRsaPublicKey::parse_spki(ByteView(good).first(len)).ok());
  }
  Bytes trailing = good;
  trailing.push_back(0);
  CHECK(reason(trailing) == "bad_public_key");
  // Long-form length where the short form fits (non-canonical DER).
  Bytes long_len = good;
  long_len.insert(long_len.begin() + 1, 0x82);  // 30 82 01 52 -> 30 83 00 01 52
  long_len[1] = 0x83;
  long_len[2] = 0x00;
  long_len[3] = 0x01;
  long_len[4] = 0x52;
  CHECK(reason(long_len) == "bad_public_key");
}

TEST_CASE("variant names and salt lengths follow RFC 9474 section 5") {
  CHECK(blind_rsa_variant_name(BlindRsaVariant::kSha384PssDeterministic) ==
        "RSABSSA-SHA384-PSS-Deterministic");
  CHECK(blind_rsa_salt_length(BlindRsaVariant::kSha384PssRandomized) == 48);
  CHECK(blind_rsa_salt_length(BlindRsaVariant::kSha384PssZeroRandomized) == 0);
  CHECK(blind_rsa_is_randomized(BlindRsaVariant::kSha384PssZeroRandomized));
  CHECK(!blind_rsa_is_randomized(BlindRsaVariant::kSha384PssDeterministic));
}

}  // namespace
}  // namespace urne
