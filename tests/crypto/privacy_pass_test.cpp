#include "crypto/privacy_pass.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "test_util.hpp"

namespace urne {
namespace {

using test::load_vectors;
using test::unhex;

// All RFC 9578 Appendix A.2 vectors plus the extra sets, flattened.
std::vector<nlohmann::json> all_type2_vectors() {
  const auto file = load_vectors("rfc9578-type2.json");
  std::vector<nlohmann::json> out(file.at("vectors").begin(), file.at("vectors").end());
  for (const auto& set : file.at("extra_sets")) {
    for (const auto& v : set.at("vectors")) out.push_back(v);
  }
  return out;
}

TokenIssuer issuer_from_vector(const nlohmann::json& vec) {
  auto sk = BlindRsaSecretKey::from_pkcs8_pem(unhex(vec.at("skS")));
  REQUIRE(sk.ok());
  auto issuer = TokenIssuer::create(std::move(sk).value());
  REQUIRE(issuer.ok());
  return std::move(issuer).value();
}

// One issuer with a fresh 2048-bit key for the round trips.
const TokenIssuer& shared_issuer() {
  static const TokenIssuer issuer = [] {
    auto sk = BlindRsaSecretKey::generate(2048);
    if (!sk.ok()) throw std::runtime_error(sk.status().to_string());
    auto i = TokenIssuer::create(std::move(sk).value());
    if (!i.ok()) throw std::runtime_error(i.status().to_string());
    return std::move(i).value();
  }();
  return issuer;
}

FixedBytes<32> election_id(std::uint8_t tag) {
  const Bytes label = {'e', 'l', 'e', 'c', 't', 'i', 'o', 'n', tag};
  return sha256(label);
}

TokenChallenge election_challenge(std::uint8_t tag) {
  auto c = TokenChallenge::for_election(as_bytes("urne.example"), election_id(tag),
                                        as_bytes("urne.example"));
  REQUIRE(c.ok());
  return std::move(c).value();
}

// Issues one token end to end.
Token issue(const TokenIssuer& issuer, const TokenChallenge& challenge, Rng& rng) {
  auto pending = create_token_request(issuer.public_key(), challenge, rng);
  REQUIRE(pending.ok());
  auto response = issuer.evaluate(pending->request);
  REQUIRE(response.ok());
  auto token = finalize_token(issuer.public_key(), pending->state, *response);
  REQUIRE(token.ok());
  return std::move(token).value();
}

Token with_byte_flipped(const Token& t, std::size_t at, std::uint8_t mask) {
  Bytes b(t.bytes().begin(), t.bytes().end());
  b[at] ^= mask;
  auto parsed = Token::parse(b);
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

// --------------------------------------------------------------------------
// Known answers

TEST_CASE("rfc9578: every type 2 vector reproduces pkS, key id, request, response and token") {
  const auto vectors = all_type2_vectors();
  REQUIRE(vectors.size() == 10);
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    const auto& vec = vectors[i];
    CAPTURE(i);
    const TokenIssuer issuer = issuer_from_vector(vec);
    const TokenPublicKey& pk = issuer.public_key();

    // pkS from skS, byte for byte, and token_key_id = SHA-256(pkS).
    const Bytes pks = unhex(vec.at("pkS"));
    CHECK(pks.size() == 342);
    CHECK(hex_encode(ByteView(pks).first(4)) == "30820152");
    CHECK(pk.spki() == pks);
    CHECK(pk.key_id() == sha256(pks));
    auto parsed_pk = TokenPublicKey::parse(pks);
    REQUIRE(parsed_pk.ok());
    CHECK(parsed_pk->key_id() == pk.key_id());

    // The challenge parses and re-encodes to the same bytes.
    auto challenge = TokenChallenge::parse(unhex(vec.at("token_challenge")));
    REQUIRE(challenge.ok());
    auto rebuilt = TokenChallenge::create(challenge->issuer_name(), challenge->redemption_context(),
                                          challenge->origin_info());
    REQUIRE(rebuilt.ok());
    CHECK(rebuilt->bytes() == challenge->bytes());

    // Client request from the vector's nonce, blind (r) and salt.
    const Bytes nonce = unhex(vec.at("nonce"));
    auto pending = privacy_pass_detail::create_token_request_with(
        *parsed_pk, *challenge, nonce, unhex(vec.at("blind")), unhex(vec.at("salt")));
    REQUIRE(pending.ok());
    CHECK(hex_encode(pending->request.bytes()) == std::string(vec.at("token_request")));

    // Issuer response.
    auto request = TokenRequest::parse(unhex(vec.at("token_request")));
    REQUIRE(request.ok());
    auto response = issuer.evaluate(*request);
    REQUIRE(response.ok());
    CHECK(hex_encode(response->bytes()) == std::string(vec.at("token_response")));

    // Client finalization.
    auto token = finalize_token(*parsed_pk, pending->state, *response);
    REQUIRE(token.ok());
    CHECK(hex_encode(token->bytes()) == std::string(vec.at("token")));

    // Verification of the vector's token.
    auto vec_token = Token::parse(unhex(vec.at("token")));
    REQUIRE(vec_token.ok());
    CHECK(verify_token(pk, *challenge, *vec_token).is_ok());
    const TokenNonce token_nonce = vec_token->nonce();
    CHECK(Bytes(token_nonce.begin(), token_nonce.end()) == nonce);
    const TokenInput input = vec_token->token_input();
    CHECK(input == pending->state.token_input());
    CHECK(input[0] == 0x00);
    CHECK(input[1] == 0x02);
    // Any RFC 9474 verifier accepts the authenticator over token_input.
    CHECK(blind_rsa_verify(pk.key(), BlindRsaVariant::kSha384PssDeterministic, input,
                           vec_token->authenticator())
              .is_ok());
  }
}

TEST_CASE("rfc9578: a vector token fails with a flipped bit, another key or another challenge") {
  const auto vectors = all_type2_vectors();
  const auto& vec = vectors.at(0);
  auto pk = TokenPublicKey::parse(unhex(vec.at("pkS")));
  auto other_pk = TokenPublicKey::parse(unhex(vectors.at(5).at("pkS")));
  REQUIRE(pk.ok());
  REQUIRE(other_pk.ok());
  REQUIRE(pk->key_id() != other_pk->key_id());
  auto challenge = TokenChallenge::parse(unhex(vec.at("token_challenge")));
  auto other_challenge = TokenChallenge::parse(unhex(vectors.at(1).at("token_challenge")));
  REQUIRE(challenge.ok());
  REQUIRE(other_challenge.ok());
  auto token = Token::parse(unhex(vec.at("token")));
  REQUIRE(token.ok());
  REQUIRE(verify_token(*pk, *challenge, *token).is_ok());

  // Flipped bits: in the authenticator, the nonce, the digest, the key id.
  CHECK(verify_token(*pk, *challenge, with_byte_flipped(*token, 353, 0x01)).reason() ==
        "bad_signature");
  CHECK(verify_token(*pk, *challenge, with_byte_flipped(*token, 200, 0x10)).reason() ==
        "bad_signature");
  CHECK(verify_token(*pk, *challenge, with_byte_flipped(*token, 5, 0x01)).reason() ==
        "bad_signature");
  CHECK(verify_token(*pk, *challenge, with_byte_flipped(*token, 40, 0x01)).reason() ==
        "challenge_mismatch");
  CHECK(verify_token(*pk, *challenge, with_byte_flipped(*token, 70, 0x01)).reason() ==
        "token_key_id_mismatch");
  // Wrong key, wrong challenge.
  const Status wrong_key = verify_token(*other_pk, *challenge, *token);
  CHECK(wrong_key.code() == Code::kUnauthenticated);
  CHECK(wrong_key.reason() == "token_key_id_mismatch");
  CHECK(verify_token(*pk, *other_challenge, *token).reason() == "challenge_mismatch");
  // The right key id spliced in for another key still fails the signature.
  Bytes spliced(token->bytes().begin(), token->bytes().end());
  std::copy(other_pk->key_id().begin(), other_pk->key_id().end(), spliced.begin() + 66);
  auto spliced_token = Token::parse(spliced);
  REQUIRE(spliced_token.ok());
  CHECK(verify_token(*other_pk, *challenge, *spliced_token).reason() == "bad_signature");
}

TEST_CASE("rfc9578: an authenticator of n or s + n is rejected, so a token has one byte form") {
  int tried_s_plus_n = 0;
  for (const auto& vec : all_type2_vectors()) {
    auto pk = TokenPublicKey::parse(unhex(vec.at("pkS")));
    auto challenge = TokenChallenge::parse(unhex(vec.at("token_challenge")));
    REQUIRE(pk.ok());
    REQUIRE(challenge.ok());
    const Bytes token = unhex(vec.at("token"));
    const ByteView n = pk->key().modulus();

    Bytes with_n = token;
    std::copy(n.begin(), n.end(), with_n.begin() + kTokenInputLength);
    auto t_n = Token::parse(with_n);
    REQUIRE(t_n.ok());
    CHECK(verify_token(*pk, *challenge, *t_n).reason() == "authenticator_out_of_range");

    // s + n, where it fits in Nk bytes.
    Bytes sum = token;
    unsigned carry = 0;
    for (std::size_t i = kTokenNk; i-- > 0;) {
      const unsigned v = token[kTokenInputLength + i] + n[i] + carry;
      sum[kTokenInputLength + i] = static_cast<std::uint8_t>(v);
      carry = v >> 8;
    }
    if (carry == 0) {
      ++tried_s_plus_n;
      auto t_sum = Token::parse(sum);
      REQUIRE(t_sum.ok());
      CHECK(t_sum->nonce() == Token::parse(token)->nonce());  // same spent-set key
      CHECK(verify_token(*pk, *challenge, *t_sum).reason() == "authenticator_out_of_range");
    }
  }
  CHECK(tried_s_plus_n > 0);
}

// --------------------------------------------------------------------------
// Wire formats

TEST_CASE("rfc9578: truncated and oversized wire messages are rejected") {
  const auto vec = all_type2_vectors().at(0);
  const Bytes request = unhex(vec.at("token_request"));
  const Bytes response = unhex(vec.at("token_response"));
  const Bytes token = unhex(vec.at("token"));
  const Bytes challenge = unhex(vec.at("token_challenge"));
  REQUIRE(request.size() == kTokenRequestLength);
  REQUIRE(response.size() == kTokenResponseLength);
  REQUIRE(token.size() == kTokenLength);

  auto longer = [](const Bytes& b) {
    Bytes out = b;
    out.push_back(0);
    return out;
  };
  auto shorter = [](const Bytes& b) { return ByteView(b).first(b.size() - 1); };

  CHECK(TokenRequest::parse(shorter(request)).status().reason() == "bad_length");
  CHECK(TokenRequest::parse(longer(request)).status().reason() == "bad_length");
  CHECK(TokenRequest::parse(Bytes{}).status().reason() == "bad_length");
  CHECK(TokenResponse::parse(shorter(response)).status().reason() == "bad_length");
  CHECK(TokenResponse::parse(longer(response)).status().reason() == "bad_length");
  CHECK(Token::parse(shorter(token)).status().reason() == "bad_length");
  CHECK(Token::parse(longer(token)).status().reason() == "bad_length");
  CHECK(Token::parse(Bytes{0, 2}).status().reason() == "bad_length");

  // Every proper prefix of a challenge is truncated; one more byte is trailing.
  for (std::size_t len = 0; len < challenge.size(); ++len) {
    CAPTURE(len);
    auto r = TokenChallenge::parse(ByteView(challenge).first(len));
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
  CHECK(TokenChallenge::parse(longer(challenge)).status().reason() == "trailing_bytes");

  // The issuer rejects raw requests of the wrong size too.
  const TokenIssuer issuer = issuer_from_vector(vec);
  CHECK(issuer.evaluate(shorter(request)).status().reason() == "bad_length");
  CHECK(issuer.evaluate(ByteView(longer(request))).status().reason() == "bad_length");
  CHECK(issuer.evaluate(ByteView(request)).ok());
}

TEST_CASE("rfc9578: messages of another token type are rejected") {
  const auto vec = all_type2_vectors().at(0);
  Bytes request = unhex(vec.at("token_request"));
  Bytes token = unhex(vec.at("token"));
  Bytes challenge = unhex(vec.at("token_challenge"));
  for (std::uint8_t type : {std::uint8_t{0x01}, std::uint8_t{0x03}}) {
    request[1] = token[1] = challenge[1] = type;
    CHECK(TokenRequest::parse(request).status().reason() == "wrong_token_type");
    CHECK(Token::parse(token).status().reason() == "wrong_token_type");
    CHECK(TokenChallenge::parse(challenge).status().reason() == "wrong_token_type");
  }
  request[0] = 0x02;  // 0x0202
  request[1] = 0x02;
  CHECK(TokenRequest::parse(request).status().reason() == "wrong_token_type");
}

TEST_CASE("rfc9578: the issuer rejects a wrong truncated key id and a blinded message >= n") {
  const auto vec = all_type2_vectors().at(0);
  const TokenIssuer issuer = issuer_from_vector(vec);
  Bytes request = unhex(vec.at("token_request"));
  REQUIRE(request[2] == issuer.public_key().truncated_key_id());
  REQUIRE(issuer.public_key().truncated_key_id() == issuer.public_key().key_id()[31]);

  Bytes wrong_id = request;
  wrong_id[2] ^= 0x01;
  auto r1 = issuer.evaluate(ByteView(wrong_id));
  CHECK(r1.status().code() == Code::kInvalidArgument);
  CHECK(r1.status().reason() == "unknown_token_key");

  const ByteView n = issuer.public_key().key().modulus();
  Bytes with_n = request;
  std::copy(n.begin(), n.end(), with_n.begin() + 3);
  CHECK(issuer.evaluate(ByteView(with_n)).status().reason() == "blinded_message_out_of_range");
  Bytes all_ff = request;
  std::fill(all_ff.begin() + 3, all_ff.end(), 0xff);
  CHECK(issuer.evaluate(ByteView(all_ff)).status().reason() == "blinded_message_out_of_range");
}

TEST_CASE("rfc9578: challenges encode the RFC 9577 layout and reject bad fields") {
  const FixedBytes<32> id = election_id(1);
  auto c = TokenChallenge::for_election(as_bytes("issuer"), id, as_bytes("origin"));
  REQUIRE(c.ok());
  Bytes expected = {0x00, 0x02, 0x00, 0x06, 'i', 's', 's', 'u', 'e', 'r', 0x20};
  append(expected, id);
  append(expected, Bytes{0x00, 0x06, 'o', 'r', 'i', 'g', 'i', 'n'});
  CHECK(c->bytes() == expected);
  CHECK(Bytes(c->redemption_context().begin(), c->redemption_context().end()) ==
        Bytes(id.begin(), id.end()));
  CHECK(c->digest() == sha256(expected));

  auto empty_ctx = TokenChallenge::create(as_bytes("issuer"), {}, {});
  REQUIRE(empty_ctx.ok());
  CHECK(empty_ctx->bytes() ==
        Bytes({0x00, 0x02, 0x00, 0x06, 'i', 's', 's', 'u', 'e', 'r', 0x00, 0x00, 0x00}));

  CHECK(TokenChallenge::create({}, id, {}).status().reason() == "empty_issuer_name");
  CHECK(TokenChallenge::create(as_bytes("i"), Bytes(16, 1), {}).status().reason() ==
        "bad_redemption_context");
  Bytes ctx16 = {0x00, 0x02, 0x00, 0x01, 'i', 0x10};
  append(ctx16, Bytes(16, 7));
  append(ctx16, Bytes{0x00, 0x00});
  CHECK(TokenChallenge::parse(ctx16).status().reason() == "bad_redemption_context");
  CHECK(TokenChallenge::parse(Bytes{0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00}).status().reason() ==
        "empty_issuer_name");
}

TEST_CASE("rfc9578: a 4096-bit key cannot be a type 2 issuer key") {
  const auto vec = load_vectors("rfc9474.json").at("vectors").at(0);
  auto pk = BlindRsaPublicKey::from_components(unhex(vec.at("n")), unhex(vec.at("e")));
  REQUIRE(pk.ok());
  CHECK(TokenPublicKey::from_key(*pk).status().reason() == "bad_key_size");
  CHECK(TokenPublicKey::parse(pk->spki()).status().reason() == "bad_key_size");
}

// --------------------------------------------------------------------------
// Round trips and election binding

TEST_CASE("tokens round-trip many times with one fresh key and distinct nonces") {
  const TokenIssuer& issuer = shared_issuer();
  CHECK(issuer.public_key().spki().size() == 342);
  const TokenChallenge challenge = election_challenge(1);
  const TokenVerifier verifier(issuer.public_key(), challenge);
  SeededRng rng(2024);
  std::set<Bytes> nonces;
  for (int i = 0; i < 30; ++i) {
    const Token token = issue(issuer, challenge, rng);
    CHECK(verifier.verify(token).is_ok());
    const TokenNonce nonce = token.nonce();
    nonces.insert(Bytes(nonce.begin(), nonce.end()));
    // Serialized and parsed again, it still verifies.
    auto again = Token::parse(token.bytes());
    REQUIRE(again.ok());
    CHECK(verifier.verify(*again).is_ok());
  }
  CHECK(nonces.size() == 30);
}

TEST_CASE("a token of another election is refused") {
  const TokenIssuer& issuer = shared_issuer();
  SeededRng rng(5);
  const TokenChallenge a = election_challenge(1);
  const TokenChallenge b = election_challenge(2);
  const Token token = issue(issuer, a, rng);
  CHECK(verify_token(issuer.public_key(), a, token).is_ok());
  const Status st = verify_token(issuer.public_key(), b, token);
  CHECK(st.code() == Code::kUnauthenticated);
  CHECK(st.reason() == "challenge_mismatch");
  // Nor does a challenge without redemption context accept it.
  auto plain = TokenChallenge::create(as_bytes("urne.example"), {}, as_bytes("urne.example"));
  REQUIRE(plain.ok());
  CHECK(verify_token(issuer.public_key(), *plain, token).reason() == "challenge_mismatch");
}

TEST_CASE("the same challenge requested twice gives different blinded requests") {
  const TokenIssuer& issuer = shared_issuer();
  SeededRng rng(11);
  const TokenChallenge c = election_challenge(3);
  auto a = create_token_request(issuer.public_key(), c, rng);
  auto b = create_token_request(issuer.public_key(), c, rng);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->request.bytes() != b->request.bytes());
  CHECK(a->state.token_input() != b->state.token_input());
  CHECK(a->request.truncated_token_key_id() == issuer.public_key().truncated_key_id());
}

TEST_CASE("finalize refuses a response for another request or from another key") {
  const TokenIssuer& issuer = shared_issuer();
  const TokenIssuer other = issuer_from_vector(all_type2_vectors().at(0));
  SeededRng rng(13);
  const TokenChallenge c = election_challenge(4);
  auto a = create_token_request(issuer.public_key(), c, rng);
  auto b = create_token_request(issuer.public_key(), c, rng);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto response_b = issuer.evaluate(b->request);
  REQUIRE(response_b.ok());
  auto wrong = finalize_token(issuer.public_key(), a->state, *response_b);
  CHECK(wrong.status().code() == Code::kUnauthenticated);
  CHECK(wrong.status().reason() == "bad_signature");

  // The other issuer refuses a request for a different key id (the chance of
  // a colliding last byte is 1/256 and would just reach the signature check).
  auto cross = other.evaluate(a->request);
  if (other.public_key().truncated_key_id() != issuer.public_key().truncated_key_id()) {
    CHECK(cross.status().reason() == "unknown_token_key");
  }

  // A response signed by another key does not finalize: blind-sign directly.
  auto forged = other.secret_key().blind_sign(a->request.blinded_msg());
  if (forged.ok()) {
    auto forged_response = TokenResponse::parse(*forged);
    REQUIRE(forged_response.ok());
    // Rejected as a bad signature, or (when the other key's signature is >= this
    // modulus) as out of range; which one depends on the random keys.
    const std::string reason =
        finalize_token(issuer.public_key(), a->state, *forged_response).status().reason();
    CHECK((reason == "bad_signature" || reason == "blind_signature_out_of_range"));
  }
  // A corrupted response.
  auto good = issuer.evaluate(a->request);
  REQUIRE(good.ok());
  Bytes corrupted(good->bytes().begin(), good->bytes().end());
  corrupted[10] ^= 0x01;
  auto corrupted_response = TokenResponse::parse(corrupted);
  REQUIRE(corrupted_response.ok());
  CHECK(!finalize_token(issuer.public_key(), a->state, *corrupted_response).ok());
  CHECK(finalize_token(issuer.public_key(), a->state, *good).ok());
}

TEST_CASE("a client can finalize from a saved request state") {
  const TokenIssuer& issuer = shared_issuer();
  SeededRng rng(17);
  const TokenChallenge c = election_challenge(5);
  auto pending = create_token_request(issuer.public_key(), c, rng);
  REQUIRE(pending.ok());
  const TokenInput saved_input = pending->state.token_input();
  const Bytes saved_inv(pending->state.blinding_inverse().bytes().begin(),
                        pending->state.blinding_inverse().bytes().end());
  auto response = issuer.evaluate(pending->request);
  REQUIRE(response.ok());
  const TokenRequestState restored =
      TokenRequestState::restore(saved_input, BlindingInverse::from_bytes(saved_inv));
  auto token = finalize_token(issuer.public_key(), restored, *response);
  REQUIRE(token.ok());
  CHECK(verify_token(issuer.public_key(), c, *token).is_ok());
  // A wrong saved inverse does not produce a token.
  Bytes wrong_inv = saved_inv;
  wrong_inv.back() ^= 1;
  const TokenRequestState broken =
      TokenRequestState::restore(saved_input, BlindingInverse::from_bytes(wrong_inv));
  CHECK(finalize_token(issuer.public_key(), broken, *response).status().reason() ==
        "bad_signature");
}

TEST_CASE("one issuer and one verifier serve several threads at once") {
  const TokenIssuer& issuer = shared_issuer();
  const TokenChallenge c = election_challenge(6);
  const TokenVerifier verifier(issuer.public_key(), c);
  std::atomic<int> verified{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (std::uint64_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      SeededRng rng(100 + t);
      for (int i = 0; i < 5; ++i) {
        auto pending = create_token_request(issuer.public_key(), c, rng);
        if (!pending.ok()) {
          ++failures;
          continue;
        }
        auto response = issuer.evaluate(pending->request);
        if (!response.ok()) {
          ++failures;
          continue;
        }
        auto token = finalize_token(issuer.public_key(), pending->state, *response);
        if (!token.ok()) {
          ++failures;
          continue;
        }
        if (verifier.verify(*token).is_ok()) ++verified;
        // No doctest assertions off the main thread: count instead.
        Bytes flipped(token->bytes().begin(), token->bytes().end());
        flipped[300] ^= 1;
        auto bad = Token::parse(flipped);
        if (!bad.ok() || verifier.verify(*bad).is_ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures.load() == 0);
  CHECK(verified.load() == 20);
}

TEST_CASE("an issuer needs a 2048-bit key") {
  const auto vec = load_vectors("rfc9474.json").at("vectors").at(0);  // RSA-4096
  auto sk =
      BlindRsaSecretKey::from_components(unhex(vec.at("n")), unhex(vec.at("e")), unhex(vec.at("d")),
                                         unhex(vec.at("p")), unhex(vec.at("q")));
  REQUIRE(sk.ok());
  CHECK(TokenIssuer::create(std::move(sk).value()).status().reason() == "bad_key_size");
}

}  // namespace
}  // namespace urne
