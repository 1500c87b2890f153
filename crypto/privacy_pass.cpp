#include "crypto/privacy_pass.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "crypto/hash.hpp"

namespace urne {

struct PrivacyPassAccess {
  static FixedBytes<kTokenRequestLength>& wire(TokenRequest& r) { return r.wire_; }
  static FixedBytes<kTokenResponseLength>& wire(TokenResponse& r) { return r.wire_; }
  static FixedBytes<kTokenLength>& wire(Token& t) { return t.wire_; }
  static TokenInput& input(TokenRequestState& s) { return s.token_input_; }
  static BlindingInverse& inv(TokenRequestState& s) { return s.inv_; }
  static TokenRequest new_request() { return TokenRequest(); }
  static TokenResponse new_response() { return TokenResponse(); }
  static Token new_token() { return Token(); }
};

namespace {

constexpr std::size_t kKeyBits = 2048;  // token type 0x0002: Nk = 256

std::uint16_t read_u16(ByteView b, std::size_t off) {
  return static_cast<std::uint16_t>((b[off] << 8) | b[off + 1]);
}

Status bad_length(const char* what, std::size_t want) {
  return invalid_argument("bad_length",
                          std::string(what) + " must be " + std::to_string(want) + " bytes");
}

Status wrong_token_type(const char* what) {
  return invalid_argument("wrong_token_type", std::string(what) + " is not of token type 0x0002");
}

template <std::size_t N>
void copy_into(FixedBytes<N>& out, std::size_t off, ByteView in) {
  std::copy(in.begin(), in.end(), out.begin() + static_cast<std::ptrdiff_t>(off));
}

}  // namespace

// ---------------------------------------------------------------------------
// TokenPublicKey

Result<TokenPublicKey> TokenPublicKey::from_key(const BlindRsaPublicKey& key) {
  if (key.modulus_bits() != kKeyBits) {
    return invalid_argument("bad_key_size", "token type 0x0002 requires a 2048-bit RSA key");
  }
  // token_key_id hashes the exact published pkS bytes (RFC 9578 §6.5).
  return TokenPublicKey(key, sha256(key.spki()));
}

Result<TokenPublicKey> TokenPublicKey::parse(ByteView spki) {
  URNE_ASSIGN_OR_RETURN(BlindRsaPublicKey key, BlindRsaPublicKey::parse_spki(spki));
  return from_key(key);
}

// ---------------------------------------------------------------------------
// TokenChallenge

Result<TokenChallenge> TokenChallenge::create(ByteView issuer_name, ByteView redemption_context,
                                              ByteView origin_info) {
  if (issuer_name.empty()) {
    return invalid_argument("empty_issuer_name", "issuer_name must not be empty");
  }
  if (issuer_name.size() > 0xffff || origin_info.size() > 0xffff) {
    return invalid_argument("bad_length", "issuer_name and origin_info are at most 65535 bytes");
  }
  if (!redemption_context.empty() && redemption_context.size() != kRedemptionContextLength) {
    return invalid_argument("bad_redemption_context",
                            "redemption_context must be empty or 32 bytes");
  }
  Bytes b;
  append_u16(b, kTokenTypeBlindRsa);
  append_u16(b, static_cast<std::uint16_t>(issuer_name.size()));
  append(b, issuer_name);
  append_u8(b, static_cast<std::uint8_t>(redemption_context.size()));
  append(b, redemption_context);
  append_u16(b, static_cast<std::uint16_t>(origin_info.size()));
  append(b, origin_info);
  // Re-parse: one code path fills the offsets, and the encoder is checked by
  // the strict parser.
  return parse(b);
}

Result<TokenChallenge> TokenChallenge::for_election(ByteView issuer_name,
                                                    const FixedBytes<32>& election_id,
                                                    ByteView origin_info) {
  return create(issuer_name, election_id, origin_info);
}

Result<TokenChallenge> TokenChallenge::parse(ByteView b) {
  TokenChallenge c;
  std::size_t off = 0;
  auto need = [&](std::size_t n) { return b.size() - off >= n; };
  if (!need(2)) return invalid_argument("truncated", "TokenChallenge is truncated");
  if (read_u16(b, 0) != kTokenTypeBlindRsa) return wrong_token_type("TokenChallenge");
  off = 2;
  if (!need(2)) return invalid_argument("truncated", "TokenChallenge is truncated");
  c.issuer_len_ = read_u16(b, off);
  off += 2;
  c.issuer_off_ = off;
  if (c.issuer_len_ == 0) {
    return invalid_argument("empty_issuer_name", "issuer_name must not be empty");
  }
  if (!need(c.issuer_len_)) return invalid_argument("truncated", "TokenChallenge is truncated");
  off += c.issuer_len_;
  if (!need(1)) return invalid_argument("truncated", "TokenChallenge is truncated");
  c.context_len_ = b[off];
  off += 1;
  c.context_off_ = off;
  // RFC 9577 §2.1: redemption_context<0..32>, and it "MUST be either empty
  // or 32 bytes".
  if (c.context_len_ != 0 && c.context_len_ != kRedemptionContextLength) {
    return invalid_argument("bad_redemption_context",
                            "redemption_context must be empty or 32 bytes");
  }
  if (!need(c.context_len_)) return invalid_argument("truncated", "TokenChallenge is truncated");
  off += c.context_len_;
  if (!need(2)) return invalid_argument("truncated", "TokenChallenge is truncated");
  c.origin_len_ = read_u16(b, off);
  off += 2;
  c.origin_off_ = off;
  if (!need(c.origin_len_)) return invalid_argument("truncated", "TokenChallenge is truncated");
  off += c.origin_len_;
  if (off != b.size()) {
    return invalid_argument("trailing_bytes", "bytes after the TokenChallenge");
  }
  c.bytes_.assign(b.begin(), b.end());
  c.digest_ = sha256(c.bytes_);
  return c;
}

ByteView TokenChallenge::issuer_name() const noexcept {
  return ByteView(bytes_).subspan(issuer_off_, issuer_len_);
}
ByteView TokenChallenge::redemption_context() const noexcept {
  return ByteView(bytes_).subspan(context_off_, context_len_);
}
ByteView TokenChallenge::origin_info() const noexcept {
  return ByteView(bytes_).subspan(origin_off_, origin_len_);
}

// ---------------------------------------------------------------------------
// Wire structures

Result<TokenRequest> TokenRequest::parse(ByteView b) {
  if (b.size() != kTokenRequestLength) return bad_length("TokenRequest", kTokenRequestLength);
  if (read_u16(b, 0) != kTokenTypeBlindRsa) return wrong_token_type("TokenRequest");
  TokenRequest r;
  copy_into(r.wire_, 0, b);
  return r;
}

Result<TokenResponse> TokenResponse::parse(ByteView b) {
  if (b.size() != kTokenResponseLength) {
    return bad_length("TokenResponse", kTokenResponseLength);
  }
  TokenResponse r;
  copy_into(r.wire_, 0, b);
  return r;
}

Result<Token> Token::parse(ByteView b) {
  if (b.size() != kTokenLength) return bad_length("Token", kTokenLength);
  if (read_u16(b, 0) != kTokenTypeBlindRsa) return wrong_token_type("Token");
  Token t;
  copy_into(t.wire_, 0, b);
  return t;
}

TokenInput Token::token_input() const noexcept {
  TokenInput in{};
  std::copy_n(wire_.begin(), kTokenInputLength, in.begin());
  return in;
}

TokenNonce Token::nonce() const noexcept {
  TokenNonce n{};
  std::copy_n(wire_.begin() + 2, kTokenNonceLength, n.begin());
  return n;
}

// ---------------------------------------------------------------------------
// Client

namespace {

// The client's request for a token input: `blind` (which draws or is given
// r and the salt) blinds it; the request carries the truncated key id.
// token_input = 0x0002 || nonce || SHA-256(challenge) || token_key_id.
template <class Blind>
Result<PendingTokenRequest> build_token_request(const TokenPublicKey& key,
                                                const TokenChallenge& challenge, ByteView nonce,
                                                Blind&& blind) {
  PendingTokenRequest out{PrivacyPassAccess::new_request(), TokenRequestState()};
  TokenInput& input = PrivacyPassAccess::input(out.state);
  input[0] = 0x00;
  input[1] = 0x02;
  copy_into(input, 2, nonce);
  copy_into(input, 34, challenge.digest());
  copy_into(input, 66, key.key_id());
  // PrepareIdentity (RFC 9578 §6.1): the Deterministic variant signs
  // token_input itself.
  URNE_ASSIGN_OR_RETURN(BlindedMessage blinded, blind(ByteView(input)));
  auto& wire = PrivacyPassAccess::wire(out.request);
  wire[0] = 0x00;
  wire[1] = 0x02;
  wire[2] = key.truncated_key_id();
  copy_into(wire, 3, blinded.blinded_msg);
  PrivacyPassAccess::inv(out.state) = std::move(blinded.inv);
  return out;
}

}  // namespace

namespace privacy_pass_detail {

Result<PendingTokenRequest> create_token_request_with(const TokenPublicKey& key,
                                                      const TokenChallenge& challenge,
                                                      ByteView nonce, ByteView r, ByteView salt) {
  if (nonce.size() != kTokenNonceLength) std::abort();  // contract
  return build_token_request(key, challenge, nonce, [&](ByteView input) {
    return blind_rsa_detail::blind_with(key.key(), kTokenVariant, input, r, salt);
  });
}

}  // namespace privacy_pass_detail

Result<PendingTokenRequest> create_token_request(const TokenPublicKey& key,
                                                 const TokenChallenge& challenge, Rng& rng) {
  TokenNonce nonce{};
  rng.fill(nonce);
  // blind_rsa_blind draws the salt and r from rng and checks gcd(r, n) = 1.
  return build_token_request(key, challenge, nonce, [&](ByteView input) {
    return blind_rsa_blind(key.key(), kTokenVariant, input, rng);
  });
}

Result<Token> finalize_token(const TokenPublicKey& key, const TokenRequestState& state,
                             const TokenResponse& response) {
  // blind_rsa_finalize verifies the unblinded signature before returning it
  // (RFC 9474 §4.4): a token we keep always verifies.
  URNE_ASSIGN_OR_RETURN(Bytes authenticator,
                        blind_rsa_finalize(key.key(), kTokenVariant, state.token_input(),
                                           response.blind_sig(), state.blinding_inverse()));
  Token t = PrivacyPassAccess::new_token();
  auto& wire = PrivacyPassAccess::wire(t);
  copy_into(wire, 0, state.token_input());
  copy_into(wire, kTokenInputLength, authenticator);
  return t;
}

// ---------------------------------------------------------------------------
// Issuer

Result<TokenIssuer> TokenIssuer::create(BlindRsaSecretKey key) {
  URNE_ASSIGN_OR_RETURN(TokenPublicKey pk, TokenPublicKey::from_key(key.public_key()));
  return TokenIssuer(std::move(key), std::move(pk));
}

Result<TokenResponse> TokenIssuer::evaluate(const TokenRequest& request) const {
  // RFC 9578 §6.2: the request must name this issuer key. One key per
  // election, so there is nothing to look up, only to compare.
  if (request.truncated_token_key_id() != public_key_.truncated_key_id()) {
    return invalid_argument("unknown_token_key",
                            "truncated_token_key_id does not match the issuer key");
  }
  URNE_ASSIGN_OR_RETURN(Bytes blind_sig, secret_key_.blind_sign(request.blinded_msg()));
  TokenResponse response = PrivacyPassAccess::new_response();
  copy_into(PrivacyPassAccess::wire(response), 0, blind_sig);
  return response;
}

Result<TokenResponse> TokenIssuer::evaluate(ByteView request_bytes) const {
  URNE_ASSIGN_OR_RETURN(TokenRequest request, TokenRequest::parse(request_bytes));
  return evaluate(request);
}

// ---------------------------------------------------------------------------
// Verifier

Status TokenVerifier::verify(const Token& token) const {
  const auto& wire = token.bytes();
  if (wire[0] != 0x00 || wire[1] != 0x02) {
    return unauthenticated("wrong_token_type", "token is not of type 0x0002");
  }
  // The challenge digest binds the token to this election's challenge; a
  // token of another election (other redemption_context) fails here.
  if (!std::equal(challenge_digest_.begin(), challenge_digest_.end(),
                  token.challenge_digest().begin())) {
    return unauthenticated("challenge_mismatch", "token was issued for a different challenge");
  }
  const TokenKeyId& id = key_.key_id();
  if (!std::equal(id.begin(), id.end(), token.token_key_id().begin())) {
    return unauthenticated("token_key_id_mismatch", "token names a different issuer key");
  }
  // authenticator >= n would be a second byte form (s + n) of a valid token.
  const ByteView auth = token.authenticator();
  const ByteView n = key_.key().modulus();
  if (std::memcmp(auth.data(), n.data(), kTokenNk) >= 0) {
    return unauthenticated("authenticator_out_of_range",
                           "token authenticator is not smaller than the modulus");
  }
  const TokenInput input = token.token_input();
  if (Status st = blind_rsa_verify(key_.key(), kTokenVariant, input, auth); !st) {
    return unauthenticated("bad_signature", "token authenticator does not verify");
  }
  return Status::ok();
}

Status verify_token(const TokenPublicKey& key, const TokenChallenge& expected_challenge,
                    const Token& token) {
  return TokenVerifier(key, expected_challenge).verify(token);
}

}  // namespace urne
