// Institution credentials: the voting code printed on each institution's
// letter, the roster's credential context, the Ed25519 key pair derived from
// both, and the institution's signature that authorizes a token request.
//
// The flow (design.md, "Institution credentials"): the credential authority
// draws one CredentialContext per roster and one VotingCode per institution,
// prints both on the letter, publishes only the derived public keys with the
// roster and destroys the codes. The delegate types the code; the client
// parses it (typos are caught by the checksum, before any network round
// trip), derives the key pair, checks that the public key is the one the
// roster lists, and signs each RFC 9578 TokenRequest with it. The server and
// the auditor verify that signature with the listed public key.
//
// Voting code (the exact layout is in docs/protocol.md):
//   - 24 symbols from the 32-symbol Crockford base32 alphabet
//     "0123456789ABCDEFGHJKMNPQRSTVWXYZ" (no I, L, O, U: a printed 0 or 1 can
//     only be a digit, so lookalikes typed by a person are mapped back safely:
//     O -> 0, I/L -> 1; lower case is accepted);
//   - symbols 0..21 are random (22 x 5 = 110 bits of entropy), symbols 22 and
//     23 are check symbols over GF(32) (x^5 + x^2 + 1, alpha = x): with c_i
//     the symbol values, a code is valid iff
//       sum_i c_i = 0   and   sum_i alpha^i * c_i = 0   (i = 0..23).
//     This is a distance-3 (Reed-Solomon-like) code: EVERY error in one or two
//     symbols is detected, hence every single substitution and every
//     transposition (adjacent or not) of two different symbols;
//   - printed in 6 groups of 4 separated by '-':  XXXX-XXXX-XXXX-XXXX-XXXX-XXXX.
//
// Thread-safety: pure functions and value types; const objects may be read
// from several threads, a moved-from object must not be used (contract).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "crypto/bytes.hpp"
#include "crypto/random.hpp"
#include "crypto/secret.hpp"
#include "crypto/signing.hpp"
#include "crypto/status.hpp"

namespace urne {

// The 32-byte election id (SHA-256, design.md) and the 32-byte Privacy Pass
// token_key_id (RFC 9578: SHA-256 of the issuer's pkS). Plain aliases: an
// identical alias declared in another header is not a conflict.
using ElectionId = FixedBytes<32>;
using TokenKeyId = FixedBytes<32>;

// ---------------------------------------------------------------------------
// Voting code

inline constexpr std::string_view kVotingCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
inline constexpr std::size_t kVotingCodeDataSymbols = 22;
inline constexpr std::size_t kVotingCodeCheckSymbols = 2;
inline constexpr std::size_t kVotingCodeSymbols =
    kVotingCodeDataSymbols + kVotingCodeCheckSymbols;                              // 24
inline constexpr std::size_t kVotingCodeEntropyBits = kVotingCodeDataSymbols * 5;  // 110
inline constexpr std::size_t kVotingCodeGroupSize = 4;
// "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"
inline constexpr std::size_t kVotingCodeFormattedSize =
    kVotingCodeSymbols + kVotingCodeSymbols / kVotingCodeGroupSize - 1;  // 29
// Longest text parse() looks at: the code with a space or dash between every
// two symbols and some spaces around it fits; anything longer is malformed
// without being scanned.
inline constexpr std::size_t kVotingCodeMaxTypedSize = 100;

// A voting code: a secret. Move-only, wiped on destruction, no operator==.
class VotingCode {
 public:
  VotingCode(VotingCode&&) noexcept = default;
  VotingCode& operator=(VotingCode&&) noexcept = default;
  VotingCode(const VotingCode&) = delete;
  VotingCode& operator=(const VotingCode&) = delete;
  ~VotingCode() = default;

  // A fresh code: 22 uniformly random symbols (one rng byte each, low 5
  // bits) and the 2 check symbols. Aborts if its own checksum does not verify
  // (a bug, not an input error).
  static VotingCode generate(Rng& rng);

  // Parses what a person typed. Tolerant: ignores ' ' and '-' anywhere,
  // accepts lower case, maps O->0, I->1, L->1. Strict about everything else.
  // Errors (Code::kInvalidArgument):
  //   voting_code_malformed  not 24 symbols after removing separators, a
  //                          character outside the alphabet (e.g. 'U', '+',
  //                          a tab, non-ASCII), empty, or longer than
  //                          kVotingCodeMaxTypedSize;
  //   voting_code_checksum   24 valid symbols but the check symbols do not
  //                          match: a typo.
  // Messages never contain the code.
  static Result<VotingCode> parse(std::string_view typed);

  // The canonical printed form "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX" (29 ASCII
  // bytes, upper case), in a buffer that wipes itself. Keep the returned
  // object alive while its view() is in use (not `for (c : x.format().view())`).
  SecretBytes format() const;

 private:
  friend class InstitutionSecretKey;
  explicit VotingCode(SecretBytes chars) noexcept : chars_(std::move(chars)) {}
  // The 24 canonical upper-case ASCII characters, no separators.
  ByteView canonical() const noexcept { return chars_.view(); }

  SecretBytes chars_;
};

// ---------------------------------------------------------------------------
// Credential context: 32 random bytes per roster (per assembly), public,
// printed on the letter. Not an election id: one letter serves every ballot
// of an assembly, and the roster exists before any election does.

class CredentialContext {
 public:
  static constexpr std::size_t kSize = 32;

  static CredentialContext generate(Rng& rng);
  // Exactly 32 bytes, else invalid_argument "credential_context_malformed".
  static Result<CredentialContext> parse(ByteView bytes);

  const FixedBytes<kSize>& bytes() const noexcept { return bytes_; }
  bool operator==(const CredentialContext&) const = default;

 private:
  explicit CredentialContext(const FixedBytes<kSize>& b) noexcept : bytes_(b) {}
  FixedBytes<kSize> bytes_{};
};

// ---------------------------------------------------------------------------
// Institution keys (Ed25519, libsodium)

// A public key as listed in the roster: a plain value.
class InstitutionPublicKey {
 public:
  static constexpr std::size_t kSize = 32;

  // Exactly 32 bytes encoding a canonical point of the prime-order subgroup
  // (crypto_core_ed25519_is_valid_point): rejects small-order and
  // mixed-order points and non-canonical encodings. Error: invalid_argument
  // "institution_key_invalid".
  static Result<InstitutionPublicKey> parse(ByteView bytes);

  const FixedBytes<kSize>& bytes() const noexcept { return bytes_; }
  bool operator==(const InstitutionPublicKey&) const = default;

 private:
  friend class InstitutionSecretKey;
  explicit InstitutionPublicKey(const FixedBytes<kSize>& b) noexcept : bytes_(b) {}
  FixedBytes<kSize> bytes_{};
};

// An Ed25519 signature over an authorization message.
using InstitutionSignature = FixedBytes<64>;

// An institution's secret signing key: move-only, wiped, no operator==. Made
// only by derive().
class InstitutionSecretKey {
 public:
  InstitutionSecretKey(InstitutionSecretKey&&) noexcept = default;
  InstitutionSecretKey& operator=(InstitutionSecretKey&&) noexcept = default;
  InstitutionSecretKey(const InstitutionSecretKey&) = delete;
  InstitutionSecretKey& operator=(const InstitutionSecretKey&) = delete;
  ~InstitutionSecretKey() = default;

  // Deterministic: seed = BLAKE2b-256 keyed with the context over
  //   u16(len label) || "urne/credential/v1" || u16(24) || canonical code,
  // then crypto_sign_seed_keypair(seed). The same code and context always
  // give the same key; another context or code gives an unrelated one.
  // Checks that the derived public key is a valid point; a failure is
  // internal_error "credential_self_check_failed".
  static Result<InstitutionSecretKey> derive(const VotingCode& code,
                                             const CredentialContext& context);

  const InstitutionPublicKey& public_key() const noexcept { return public_key_; }

 private:
  InstitutionSecretKey(SecretBytes sk, const InstitutionPublicKey& pk) noexcept
      : secret_key_(std::move(sk)), public_key_(pk) {}

  friend Result<Ed25519SigningKey> derive_officer_key(const VotingCode& code);
  friend Result<InstitutionSignature> sign_token_request(const InstitutionSecretKey& key,
                                                         const ElectionId& election_id,
                                                         std::string_view institution_id,
                                                         const TokenKeyId& token_key_id,
                                                         ByteView request);

  SecretBytes secret_key_;  // libsodium's 64-byte form: seed || public key
  InstitutionPublicKey public_key_;
};

// Constant-time check that a key derived from a typed code is the one the
// roster lists for the institution. Error: unauthenticated
// "credential_key_mismatch" (a well-formed code of another institution or
// roster).
[[nodiscard]] Status check_listed_key(const InstitutionPublicKey& derived,
                                      const InstitutionPublicKey& listed);

// ---------------------------------------------------------------------------
// Officer credential (docs/protocol.md §3.5)
//
// The election officer may sign in to the web dashboard with an officer code
// instead of a key file: a code in the voting code's format (generate(),
// parse()), from which the officer's Ed25519 key is derived exactly like an
// institution key, with a fixed public context in place of a roster's. The
// code is as strong as the key file's seed for an attacker who only sees
// the public key (110 bits), and the browser needs no file.

inline constexpr std::string_view kOfficerContextLabel = "urne/officer-context/v1";

// The officer codes' credential context: SHA-256("urne/officer-context/v1").
CredentialContext officer_credential_context();

// The officer's signing key for `code`: the seed of
// InstitutionSecretKey::derive(code, officer_credential_context()) as an
// Ed25519SigningKey (what `urne officer keygen` writes to the key file).
// Checks that the signing key's public key equals the derived institution
// public key; a failure is internal_error "credential_self_check_failed".
Result<Ed25519SigningKey> derive_officer_key(const VotingCode& code);

// ---------------------------------------------------------------------------
// Authorization of a token request

inline constexpr std::string_view kCredentialLabel = "urne/credential/v1";
inline constexpr std::string_view kTokenRequestAuthLabel = "urne/token-request-auth/v1";
inline constexpr std::size_t kInstitutionIdMaxSize = 64;

// An institution id is 1..64 bytes of [A-Za-z0-9._-]. Error: invalid_argument
// "institution_id_malformed".
[[nodiscard]] Status check_institution_id(std::string_view institution_id);

// The exact bytes an institution signs (all integers big-endian):
//   u16(26) || "urne/token-request-auth/v1"
//   || election_id (32)
//   || u16(len id) || institution_id (1..64 bytes)
//   || token_key_id (32)
//   || u32(len request) || request   (the unchanged RFC 9578 TokenRequest)
// Error: institution_id_malformed.
Result<Bytes> authorization_message(const ElectionId& election_id, std::string_view institution_id,
                                    const TokenKeyId& token_key_id, ByteView request);

// Signs the authorization message of a token request with the institution's
// key (Ed25519, deterministic) and verifies the signature with the key's
// public half before returning it. Errors: institution_id_malformed;
// internal_error "signature_self_check_failed".
Result<InstitutionSignature> sign_token_request(const InstitutionSecretKey& key,
                                                const ElectionId& election_id,
                                                std::string_view institution_id,
                                                const TokenKeyId& token_key_id, ByteView request);

// Verifies an institution's signature on a token request. Errors:
// institution_id_malformed (invalid_argument); request_signature_invalid
// (unauthenticated) for a signature that is not 64 bytes or does not verify.
[[nodiscard]] Status verify_token_request(const InstitutionPublicKey& key,
                                          const ElectionId& election_id,
                                          std::string_view institution_id,
                                          const TokenKeyId& token_key_id, ByteView request,
                                          ByteView signature);

}  // namespace urne
