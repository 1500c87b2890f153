// Privacy Pass publicly verifiable tokens, token type 0x0002 (Blind RSA,
// 2048-bit): RFC 9578 §6 issuance and RFC 9577 §2 challenge and token, byte
// for byte, so that a standard Privacy Pass client can use urne's issuer and
// any RFC 9474 verifier accepts urne's tokens. urne's voting token is such a
// token; its challenge binds the election id as redemption context.
//
// Wire formats (all integers big-endian; Nk = 256, Nid = 32):
//   TokenChallenge (RFC 9577 §2.1)  u16 token_type = 0x0002
//                                   u16 len || issuer_name (1..65535 bytes)
//                                   u8  len || redemption_context (0 or 32)
//                                   u16 len || origin_info (0..65535 bytes)
//   TokenRequest (RFC 9578 §6.1)    u16 token_type = 0x0002
//                                   u8  truncated_token_key_id (= key_id[31])
//                                   blinded_msg[Nk]                 259 bytes
//   TokenResponse (RFC 9578 §6.2)   blind_sig[Nk]                   256 bytes
//   Token (RFC 9577 §2.2, 9578 §6.3) u16 token_type = 0x0002
//                                   nonce[32]
//                                   challenge_digest[32] = SHA-256(challenge)
//                                   token_key_id[32]
//                                   authenticator[Nk]               354 bytes
//   token_input = the Token's first 98 bytes
//               = 0x0002 || nonce || challenge_digest || token_key_id
//   token_key_id = SHA-256(pkS), pkS = the RFC 9578 §6.5 SPKI (342 bytes).
// The authenticator is an RSABSSA-SHA384-PSS-Deterministic signature (salt
// 48 bytes) over token_input; it must be < n.
//
// Parsers are strict: exact lengths, token_type 0x0002, no trailing bytes;
// failures are kInvalidArgument with reasons "bad_length", "truncated",
// "trailing_bytes", "wrong_token_type", "bad_redemption_context",
// "empty_issuer_name". Verification failures are kUnauthenticated.
//
// Thread-safety: all types are immutable values after construction, except
// the move-only client state; TokenIssuer and TokenVerifier are built once
// (per election) and their const methods may be called from many threads at
// once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "crypto/blind_rsa.hpp"
#include "crypto/bytes.hpp"
#include "crypto/random.hpp"
#include "crypto/status.hpp"

namespace urne {

inline constexpr std::uint16_t kTokenTypeBlindRsa = 0x0002;
inline constexpr std::size_t kTokenNk = 256;  // authenticator / blind_sig
inline constexpr std::size_t kTokenNid = 32;  // token_key_id
inline constexpr std::size_t kTokenNonceLength = 32;
inline constexpr std::size_t kTokenInputLength = 2 + 32 + 32 + kTokenNid;  // 98
inline constexpr std::size_t kTokenRequestLength = 2 + 1 + kTokenNk;       // 259
inline constexpr std::size_t kTokenResponseLength = kTokenNk;              // 256
inline constexpr std::size_t kTokenLength = kTokenInputLength + kTokenNk;  // 354
inline constexpr std::size_t kRedemptionContextLength = 32;
inline constexpr BlindRsaVariant kTokenVariant = BlindRsaVariant::kSha384PssDeterministic;

using TokenKeyId = FixedBytes<kTokenNid>;
using TokenNonce = FixedBytes<kTokenNonceLength>;
using TokenInput = FixedBytes<kTokenInputLength>;

// The issuer public key pkI of a type 2 issuer: a 2048-bit RSA key, its
// RFC 9578 §6.5 SPKI and token_key_id = SHA-256(SPKI).
class TokenPublicKey {
 public:
  // Parses pkS (BlindRsaPublicKey::parse_spki rules) and requires exactly
  // 2048 bits ("bad_key_size": type 0x0002 fixes Nk = 256).
  static Result<TokenPublicKey> parse(ByteView spki);
  static Result<TokenPublicKey> from_key(const BlindRsaPublicKey& key);

  const BlindRsaPublicKey& key() const noexcept { return key_; }
  const Bytes& spki() const noexcept { return key_.spki(); }
  const TokenKeyId& key_id() const noexcept { return key_id_; }
  // The last byte of key_id (RFC 9578 §6.1 truncated_token_key_id).
  std::uint8_t truncated_key_id() const noexcept { return key_id_[kTokenNid - 1]; }

 private:
  TokenPublicKey(BlindRsaPublicKey key, const TokenKeyId& id) : key_(std::move(key)), key_id_(id) {}
  BlindRsaPublicKey key_;
  TokenKeyId key_id_{};
};

// RFC 9577 §2.1 TokenChallenge of token type 0x0002.
class TokenChallenge {
 public:
  // redemption_context must be empty or 32 bytes; issuer_name non-empty; both
  // names at most 65535 bytes.
  static Result<TokenChallenge> create(ByteView issuer_name, ByteView redemption_context,
                                       ByteView origin_info);
  // urne's challenge for one election: redemption_context = the election id
  // (a 32-byte SHA-256), so a token is good for that election only.
  static Result<TokenChallenge> for_election(ByteView issuer_name,
                                             const FixedBytes<32>& election_id,
                                             ByteView origin_info);
  static Result<TokenChallenge> parse(ByteView bytes);

  const Bytes& bytes() const noexcept { return bytes_; }
  ByteView issuer_name() const noexcept;
  ByteView redemption_context() const noexcept;
  ByteView origin_info() const noexcept;
  // SHA-256 of bytes(): the Token's challenge_digest.
  const FixedBytes<32>& digest() const noexcept { return digest_; }

 private:
  TokenChallenge() = default;
  Bytes bytes_;
  std::size_t issuer_off_ = 0, issuer_len_ = 0;
  std::size_t context_off_ = 0, context_len_ = 0;
  std::size_t origin_off_ = 0, origin_len_ = 0;
  FixedBytes<32> digest_{};
};

// RFC 9578 §6.1 TokenRequest (259 bytes).
class TokenRequest {
 public:
  // Exactly 259 bytes ("bad_length"), token_type 0x0002 ("wrong_token_type").
  static Result<TokenRequest> parse(ByteView bytes);
  const FixedBytes<kTokenRequestLength>& bytes() const noexcept { return wire_; }
  std::uint8_t truncated_token_key_id() const noexcept { return wire_[2]; }
  ByteView blinded_msg() const noexcept { return ByteView(wire_).subspan(3); }

 private:
  friend struct PrivacyPassAccess;
  TokenRequest() = default;
  FixedBytes<kTokenRequestLength> wire_{};
};

// RFC 9578 §6.2 TokenResponse (256 bytes: the blind signature).
class TokenResponse {
 public:
  static Result<TokenResponse> parse(ByteView bytes);  // exactly 256 bytes
  const FixedBytes<kTokenResponseLength>& bytes() const noexcept { return wire_; }
  ByteView blind_sig() const noexcept { return wire_; }

 private:
  friend struct PrivacyPassAccess;
  TokenResponse() = default;
  FixedBytes<kTokenResponseLength> wire_{};
};

// RFC 9577 §2.2 Token of type 0x0002 (354 bytes). Parsing checks only the
// form; use TokenVerifier to check it.
class Token {
 public:
  static Result<Token> parse(ByteView bytes);  // exactly 354, token_type 2
  const FixedBytes<kTokenLength>& bytes() const noexcept { return wire_; }
  // The signed part, 0x0002 || nonce || challenge_digest || token_key_id.
  // The ballot box keys its spent set on this (not on the token bytes).
  TokenInput token_input() const noexcept;
  TokenNonce nonce() const noexcept;
  ByteView challenge_digest() const noexcept { return ByteView(wire_).subspan(34, 32); }
  ByteView token_key_id() const noexcept { return ByteView(wire_).subspan(66, 32); }
  ByteView authenticator() const noexcept {
    return ByteView(wire_).subspan(kTokenInputLength, kTokenNk);
  }

 private:
  friend struct PrivacyPassAccess;
  Token() = default;
  FixedBytes<kTokenLength> wire_{};
};

// ---- client (RFC 9578 §6.1, §6.3) -----------------------------------------

// What the client keeps between request and response: token_input and the
// blinding inverse. Move-only; drop it once the token is finalized.
class TokenRequestState {
 public:
  TokenRequestState() = default;
  // Rebuilds a state saved by a client (token_input() and
  // blinding_inverse().bytes()), e.g. to finalize after a lost response.
  static TokenRequestState restore(const TokenInput& token_input, BlindingInverse inv) {
    TokenRequestState s;
    s.token_input_ = token_input;
    s.inv_ = std::move(inv);
    return s;
  }
  const TokenInput& token_input() const noexcept { return token_input_; }
  const BlindingInverse& blinding_inverse() const noexcept { return inv_; }

 private:
  friend struct PrivacyPassAccess;
  TokenInput token_input_{};
  BlindingInverse inv_;
};

struct PendingTokenRequest {
  TokenRequest request;     // sent to the issuer
  TokenRequestState state;  // kept by the client
};

// nonce = 32 random bytes; token_input = 0x0002 || nonce ||
// SHA-256(challenge) || token_key_id; blinded with a fresh salt and r.
Result<PendingTokenRequest> create_token_request(const TokenPublicKey& key,
                                                 const TokenChallenge& challenge, Rng& rng);

// Unblinds the response, verifies the authenticator (fails kUnauthenticated
// "bad_signature" if the issuer cheated or used another key) and builds the
// Token.
Result<Token> finalize_token(const TokenPublicKey& key, const TokenRequestState& state,
                             const TokenResponse& response);

// ---- issuer (RFC 9578 §6.2) ------------------------------------------------

// The signing side of one election's token key: built once, shared by all
// request handlers (thread-safe const methods).
class TokenIssuer {
 public:
  // The key must be 2048 bits ("bad_key_size").
  static Result<TokenIssuer> create(BlindRsaSecretKey key);

  const TokenPublicKey& public_key() const noexcept { return public_key_; }
  const BlindRsaSecretKey& secret_key() const noexcept { return secret_key_; }

  // Checks truncated_token_key_id ("unknown_token_key", kInvalidArgument: the
  // RFC's HTTP 400) and blind-signs (BlindRsaSecretKey::blind_sign: m < n,
  // CRT, self-check). The token_type was checked by TokenRequest::parse.
  Result<TokenResponse> evaluate(const TokenRequest& request) const;
  // Parses and evaluates raw request bytes.
  Result<TokenResponse> evaluate(ByteView request_bytes) const;

 private:
  TokenIssuer(BlindRsaSecretKey sk, TokenPublicKey pk)
      : secret_key_(std::move(sk)), public_key_(std::move(pk)) {}
  BlindRsaSecretKey secret_key_;
  TokenPublicKey public_key_;
};

// ---- verifier (RFC 9578 §6.4) ----------------------------------------------

// Checks tokens against one issuer key and one expected challenge (the
// election's). Built once; verify() is thread-safe.
class TokenVerifier {
 public:
  TokenVerifier(TokenPublicKey key, const TokenChallenge& expected_challenge)
      : key_(std::move(key)), challenge_digest_(expected_challenge.digest()) {}

  // kUnauthenticated with reason "wrong_token_type", "challenge_mismatch"
  // (e.g. a token of another election), "token_key_id_mismatch",
  // "authenticator_out_of_range" (authenticator >= n, e.g. s + n), or
  // "bad_signature" (RSASSA-PSS-VERIFY, SHA-384, MGF1-SHA-384, salt 48).
  [[nodiscard]] Status verify(const Token& token) const;

  const TokenPublicKey& public_key() const noexcept { return key_; }

 private:
  TokenPublicKey key_;
  FixedBytes<32> challenge_digest_{};
};

// One-shot form of TokenVerifier::verify.
[[nodiscard]] Status verify_token(const TokenPublicKey& key,
                                  const TokenChallenge& expected_challenge, const Token& token);

// Known-answer-test entry point: create_token_request with the nonce,
// blinding factor r (k bytes) and 48-byte salt given. Never in production.
namespace privacy_pass_detail {
Result<PendingTokenRequest> create_token_request_with(const TokenPublicKey& key,
                                                      const TokenChallenge& challenge,
                                                      ByteView nonce, ByteView r, ByteView salt);
}  // namespace privacy_pass_detail

}  // namespace urne
