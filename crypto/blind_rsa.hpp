// RSA blind signatures, RFC 9474 (RSABSSA), on OpenSSL 3.
//
// The four RFC 9474 §5 variants are supported, all with SHA-384 and
// MGF1-SHA-384: PSS (48-byte salt) or PSSZERO (empty salt), each Randomized
// (a 32-byte random prefix is prepended to the message, §4.1) or
// Deterministic (the message is used as is). Privacy Pass type 2 (and so
// urne's voting token, see privacy_pass.hpp) uses RSABSSA-SHA384-PSS-
// Deterministic.
//
// Protocol (RFC 9474 §4), k = modulus length in bytes:
//   client: input = prepare(variant, msg, rng)            §4.1
//           {blinded_msg, inv} = blind(pk, variant, input, rng)   §4.2
//   signer: blind_sig = sk.blind_sign(blinded_msg)         §4.3
//   client: sig = finalize(pk, variant, input, blind_sig, inv)  §4.4
//   anyone: verify(pk, variant, input, sig)                §4.5
// blinded_msg, blind_sig and sig are exactly k bytes, big-endian.
//
// Self-checks (RFC 9474 §4.3, §4.4, §7): blind_sign rejects a blinded message
// outside [0, n) and verifies s^e mod n == m before releasing s (Bellcore);
// blind checks gcd(r, n) = 1 and that the encoded message is coprime with n;
// finalize verifies the unblinded signature before returning it; every
// verifier rejects a signature s >= n, so s and s + n never both verify.
//
// Keys: the public exponent must be 65537 (what RFC 9578 issuers and
// OpenSSL's generator use; it keeps verification fast and predictable) and the
// modulus 2048..8192 bits. Key generation uses OpenSSL's DRBG (seeded from
// the OS), because OpenSSL's prime generation takes no outside randomness;
// every other random value (prefix, salt, blinding factor r) comes from the
// injected Rng.
//
// Calling any method on a moved-from key is a contract violation (abort).
//
// Thread-safety: BlindRsaPublicKey is an immutable, cheaply copyable value;
// BlindRsaSecretKey is move-only and its const methods (blind_sign, export,
// public_key) may be called concurrently from many threads (the OpenSSL key is
// used read-only; every call makes its own EVP_PKEY_CTX). Free functions are
// thread-safe given a thread-local Rng. BlindingInverse is a move-only value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "crypto/bytes.hpp"
#include "crypto/random.hpp"
#include "crypto/secret.hpp"
#include "crypto/status.hpp"

namespace urne {

enum class BlindRsaVariant {
  kSha384PssRandomized,         // RSABSSA-SHA384-PSS-Randomized
  kSha384PssZeroRandomized,     // RSABSSA-SHA384-PSSZERO-Randomized
  kSha384PssDeterministic,      // RSABSSA-SHA384-PSS-Deterministic
  kSha384PssZeroDeterministic,  // RSABSSA-SHA384-PSSZERO-Deterministic
};

// The RFC 9474 §5 name, e.g. "RSABSSA-SHA384-PSS-Deterministic".
std::string_view blind_rsa_variant_name(BlindRsaVariant v) noexcept;
// PSS salt length in bytes: 48 for PSS, 0 for PSSZERO.
std::size_t blind_rsa_salt_length(BlindRsaVariant v) noexcept;
// Whether prepare() adds a random 32-byte prefix.
bool blind_rsa_is_randomized(BlindRsaVariant v) noexcept;

inline constexpr std::size_t kBlindRsaPrefixLength = 32;  // RFC 9474 §4.1
inline constexpr std::size_t kBlindRsaMinBits = 2048;
inline constexpr std::size_t kBlindRsaMaxBits = 8192;

struct BlindRsaKeyAccess;  // internal (blind_rsa.cpp, privacy_pass.cpp)

// An RSA public key for RSABSSA-SHA384.
class BlindRsaPublicKey {
 public:
  // Parses the DER SubjectPublicKeyInfo in exactly the form of RFC 9578 §6.5
  // (and its Appendix A.2 pkS): algorithm id-RSASSA-PSS (1.2.840.113549.1.1.10)
  // with RSASSA-PSS-params {hashAlgorithm sha384 (parameters absent),
  // maskGenAlgorithm mgf1(sha384), saltLength 48}, subjectPublicKey an
  // RSAPublicKey {n, e}. Anything else fails ("bad_public_key"): another OID
  // or params (also OpenSSL's own form with NULL hash parameters), non-minimal
  // DER, trailing bytes; e != 65537 fails "unsupported_public_exponent", a
  // modulus outside 2048..8192 bits "bad_key_size".
  static Result<BlindRsaPublicKey> parse_spki(ByteView der);
  // From the big-endian modulus and exponent (as in the RFC 9474 vectors).
  // Same checks as parse_spki.
  static Result<BlindRsaPublicKey> from_components(ByteView n, ByteView e);

  // The RFC 9578 §6.5 SPKI DER of this key (342 bytes for 2048 bits).
  // parse_spki(spki()) gives the same key; spki() of a parsed key equals the
  // parsed bytes.
  const Bytes& spki() const noexcept;
  // n as exactly modulus_length() big-endian bytes.
  ByteView modulus() const noexcept;
  std::size_t modulus_bits() const noexcept;
  // k = ceil(modulus_bits / 8): the length of blinded messages and signatures.
  std::size_t modulus_length() const noexcept;

 private:
  friend struct BlindRsaKeyAccess;
  struct Impl;
  explicit BlindRsaPublicKey(std::shared_ptr<const Impl> impl) noexcept;
  std::shared_ptr<const Impl> impl_;
};

// An RSA secret key (CRT form) for the signer. Move-only; wiped by OpenSSL
// (BN_clear_free) when destroyed. No copy, no comparison, no printing.
class BlindRsaSecretKey {
 public:
  BlindRsaSecretKey(BlindRsaSecretKey&&) noexcept;
  BlindRsaSecretKey& operator=(BlindRsaSecretKey&&) noexcept;
  BlindRsaSecretKey(const BlindRsaSecretKey&) = delete;
  BlindRsaSecretKey& operator=(const BlindRsaSecretKey&) = delete;
  ~BlindRsaSecretKey();

  // A fresh key of `bits` (2048..8192, a multiple of 8; production: 2048),
  // e = 65537, from OpenSSL's DRBG. Fails "bad_key_size" otherwise.
  static Result<BlindRsaSecretKey> generate(std::size_t bits);
  // PKCS#8 PrivateKeyInfo (rsaEncryption) as DER or as PEM
  // (PEM label "PRIVATE KEY"). The key is checked (OpenSSL's
  // EVP_PKEY_check: primes, CRT values, d·e ≡ 1) and must satisfy the public
  // key rules above. Fails "bad_secret_key" / "unsupported_public_exponent" /
  // "bad_key_size". Encrypted PEM and RSA-PSS-restricted keys are rejected.
  static Result<BlindRsaSecretKey> from_pkcs8_der(ByteView der);
  static Result<BlindRsaSecretKey> from_pkcs8_pem(ByteView pem);
  // From big-endian n, e, d, p, q (the RFC 9474 vectors); the CRT exponents
  // and coefficient are computed. Same checks as the PKCS#8 loaders.
  static Result<BlindRsaSecretKey> from_components(ByteView n, ByteView e, ByteView d, ByteView p,
                                                   ByteView q);

  // PKCS#8 PrivateKeyInfo (unencrypted) for storage; wiped when dropped.
  SecretBytes to_pkcs8_der() const;
  SecretBytes to_pkcs8_pem() const;  // the PEM text as bytes

  const BlindRsaPublicKey& public_key() const noexcept;

  // RFC 9474 §4.3 BlindSign. `blinded_msg` must be exactly k bytes
  // ("bad_length") and, as an integer, < n ("blinded_message_out_of_range").
  // Uses OpenSSL's CRT private-key operation (RSA_NO_PADDING) and verifies
  // s^e mod n == m before returning s (failure: kInternal "signing_failure").
  // Returns k bytes.
  Result<Bytes> blind_sign(ByteView blinded_msg) const;

 private:
  friend struct BlindRsaKeyAccess;
  struct Impl;
  explicit BlindRsaSecretKey(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

// The client's blinding secret inv = r^-1 mod n (RFC 9474 §4.2), k bytes.
// Move-only and wiped; keep it only until the response is finalized.
class BlindingInverse {
 public:
  BlindingInverse() = default;
  // Restores a saved inverse (e.g. a client resuming after a lost response).
  // Contract-free: a wrong value simply makes finalize fail.
  static BlindingInverse from_bytes(ByteView inv) {
    BlindingInverse b;
    b.inv_ = SecretBytes::copy_of(inv);
    return b;
  }
  ByteView bytes() const noexcept { return inv_.view(); }

 private:
  SecretBytes inv_;
};

struct BlindedMessage {
  Bytes blinded_msg;    // k bytes, sent to the signer
  BlindingInverse inv;  // kept by the client
};

// RFC 9474 §4.1 Prepare: for a Randomized variant, 32 random bytes || msg;
// otherwise a copy of msg (PrepareIdentity).
Bytes blind_rsa_prepare(BlindRsaVariant v, ByteView msg, Rng& rng);

// RFC 9474 §4.2 Blind of the prepared message: EMSA-PSS encoding with a
// salt from `rng`, r uniform in [1, n) from `rng`. Fails "encoding_error"
// (the PSS encoding does not fit), "message_not_coprime" (m shares a factor
// with n: only a bad key can cause this) or "blinding_error".
Result<BlindedMessage> blind_rsa_blind(const BlindRsaPublicKey& pk, BlindRsaVariant v,
                                       ByteView prepared_msg, Rng& rng);

// RFC 9474 §4.4 Finalize: s = blind_sig · inv mod n, then verify(s). Fails
// "bad_length" (blind_sig not k bytes), "blind_signature_out_of_range"
// (>= n) or kUnauthenticated "bad_signature" (the signer did not sign this
// message with this key). Returns the k-byte signature.
Result<Bytes> blind_rsa_finalize(const BlindRsaPublicKey& pk, BlindRsaVariant v,
                                 ByteView prepared_msg, ByteView blind_sig,
                                 const BlindingInverse& inv);

// RFC 9474 §4.5 verification: RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with
// SHA-384, MGF1-SHA-384 and the variant's exact salt length, done by
// OpenSSL. Rejects a signature that is not exactly k bytes ("bad_length") or
// is >= n ("signature_out_of_range"); otherwise kUnauthenticated
// "bad_signature" unless valid.
[[nodiscard]] Status blind_rsa_verify(const BlindRsaPublicKey& pk, BlindRsaVariant v,
                                      ByteView prepared_msg, ByteView sig);

// Known-answer-test entry points: the same algorithms with the random values
// given explicitly. Never use them with fixed values in production; the
// public functions above draw these from the Rng.
namespace blind_rsa_detail {

// Prepare with the given 32-byte prefix (Randomized variants only).
Bytes prepare_with_prefix(ByteView msg, ByteView prefix);

// EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with SHA-384 / MGF1-SHA-384, emBits =
// modulus_bits - 1, and the given salt. Fails "encoding_error".
Result<Bytes> emsa_pss_encode(ByteView msg, std::size_t em_bits, ByteView salt);

// Blind with a given blinding factor r (k bytes big-endian, 1 <= r < n,
// gcd(r, n) = 1, else "blinding_error") and salt (exactly the variant's salt
// length, else "bad_salt_length").
Result<BlindedMessage> blind_with(const BlindRsaPublicKey& pk, BlindRsaVariant v,
                                  ByteView prepared_msg, ByteView r, ByteView salt);

// x^-1 mod n as k bytes ("not_invertible" if none): turns the vectors' inv
// into r and back.
Result<Bytes> invert_mod_n(const BlindRsaPublicKey& pk, ByteView x);

}  // namespace blind_rsa_detail

}  // namespace urne
