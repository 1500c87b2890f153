#include "crypto/credential.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <span>
#include <utility>

#include "crypto/hash.hpp"

namespace urne {
namespace {

// ---------------------------------------------------------------------------
// GF(32) arithmetic for the voting code's check symbols.
//
// Hand-written because neither libsodium nor OpenSSL offers a small-field
// error-detecting code. The field is GF(2)[x] / (x^5 + x^2 + 1) (a primitive
// polynomial, so alpha = x has order 31 and alpha^0..alpha^23 are distinct).
// Multiplication is shift-and-add without branches or table look-ups on the
// operands, because the operands are symbols of a secret code.

constexpr unsigned kFieldPoly = 0x25;  // x^5 + x^2 + 1
constexpr std::uint8_t kAlpha = 2;     // x

constexpr std::uint8_t gf_mul(std::uint8_t a, std::uint8_t b) noexcept {
  unsigned acc = 0;
  unsigned aa = a;
  for (unsigned i = 0; i < 5; ++i) {
    acc ^= (0u - ((unsigned{b} >> i) & 1u)) & aa;  // add aa if bit i of b
    const unsigned carry = (aa >> 4) & 1u;
    aa = ((aa << 1) ^ ((0u - carry) & kFieldPoly)) & 0x1fu;  // aa *= x
  }
  return static_cast<std::uint8_t>(acc);
}

constexpr std::uint8_t gf_pow(std::uint8_t a, unsigned e) noexcept {
  std::uint8_t r = 1;
  for (unsigned i = 0; i < e; ++i) r = gf_mul(r, a);
  return r;
}

// a^-1 = a^30, since every non-zero a satisfies a^31 = 1.
constexpr std::uint8_t gf_inv(std::uint8_t a) noexcept { return gf_pow(a, 30); }

// alpha^i, the weight of position i in the second check equation.
constexpr std::array<std::uint8_t, kVotingCodeSymbols> kWeights = [] {
  std::array<std::uint8_t, kVotingCodeSymbols> w{};
  for (unsigned i = 0; i < kVotingCodeSymbols; ++i) w[i] = gf_pow(kAlpha, i);
  return w;
}();

static_assert(gf_pow(kAlpha, 31) == 1, "alpha has order dividing 31");
static_assert(gf_pow(kAlpha, 1) != 1, "alpha is not 1, hence has order 31");
static_assert(kVotingCodeSymbols <= 31,
              "positions must have distinct weights alpha^i (distance 3)");
static_assert(kVotingCodeEntropyBits >= 100, "design: >= 100 bits per code");
static_assert(kVotingCodeAlphabet.size() == 32, "5 bits per symbol");
static_assert(kVotingCodeSymbols % kVotingCodeGroupSize == 0, "whole groups");

// Why this detects every single substitution and every transposition (and
// in fact every error in at most two symbols): the code is the kernel of
//   H = [ 1    1    ...  1      ]
//       [ a^0  a^1  ...  a^23   ]   (a = alpha)
// and any two columns (1, a^j), (1, a^k) with j != k are linearly
// independent because a^j != a^k (a has order 31 > 23). So no non-zero
// error of weight <= 2 is a codeword: minimum distance 3. Concretely, a
// substitution by e != 0 at j changes S0 by e; a swap of c_j != c_k leaves S0
// alone and changes S1 by (a^j + a^k)(c_j + c_k) != 0.
//
// p = (B + alpha^23 A) / (alpha^22 + alpha^23): see compute_check_symbols.
constexpr std::uint8_t kCheckDenominatorInverse = gf_inv(static_cast<std::uint8_t>(
    kWeights[kVotingCodeDataSymbols] ^ kWeights[kVotingCodeDataSymbols + 1]));

// The two syndromes of a full 24-symbol code: S0 = sum c_i, S1 = sum
// alpha^i c_i. Returns S0 | S1 (zero iff the code is valid).
std::uint8_t syndrome(std::span<const std::uint8_t, kVotingCodeSymbols> c) noexcept {
  std::uint8_t s0 = 0;
  std::uint8_t s1 = 0;
  for (std::size_t i = 0; i < kVotingCodeSymbols; ++i) {
    s0 ^= c[i];
    s1 ^= gf_mul(kWeights[i], c[i]);
  }
  return static_cast<std::uint8_t>(s0 | s1);
}

// Fills c[22], c[23] from c[0..21] so that both syndromes vanish. With
// A = sum_{i<22} c_i and B = sum_{i<22} alpha^i c_i, the check symbols p, q
// solve  p + q = A  and  alpha^22 p + alpha^23 q = B  (characteristic 2, so
// minus is plus):  p = (B + alpha^23 A) / (alpha^22 + alpha^23),  q = A + p.
void compute_check_symbols(std::span<std::uint8_t, kVotingCodeSymbols> c) noexcept {
  std::uint8_t a = 0;
  std::uint8_t b = 0;
  for (std::size_t i = 0; i < kVotingCodeDataSymbols; ++i) {
    a ^= c[i];
    b ^= gf_mul(kWeights[i], c[i]);
  }
  const auto rhs = static_cast<std::uint8_t>(b ^ gf_mul(kWeights[kVotingCodeDataSymbols + 1], a));
  const std::uint8_t p = gf_mul(rhs, kCheckDenominatorInverse);
  c[kVotingCodeDataSymbols] = p;
  c[kVotingCodeDataSymbols + 1] = static_cast<std::uint8_t>(a ^ p);
}

// ---------------------------------------------------------------------------
// Constant-time character mapping.
//
// The typed text is a secret: map characters without secret-dependent
// branches or table indexing (cheap here, and a browser or a shared machine
// is where codes are typed).

// 0xff if a == b, else 0.
constexpr std::uint8_t ct_eq_mask(unsigned a, unsigned b) noexcept {
  const unsigned x = (a ^ b) & 0xffu;
  return static_cast<std::uint8_t>(((x - 1u) >> 8) & 0xffu);
}

// 0xff if lo <= c <= hi (all < 256), else 0.
constexpr std::uint8_t ct_range_mask(unsigned c, unsigned lo, unsigned hi) noexcept {
  // c - lo underflows (bit 8 set, as an unsigned) exactly when c < lo.
  const unsigned below = ((c - lo) >> 8) & 1u;
  const unsigned above = ((hi - c) >> 8) & 1u;
  return static_cast<std::uint8_t>((0u - (1u ^ (below | above))) & 0xffu);
}

struct Decoded {
  std::uint8_t value;
  std::uint8_t found;  // 0xff when the character is a symbol or a lookalike
};

// Lookalikes that Crockford's base32 maps back: none of O, I, L is in the
// alphabet, so the mapping can never turn one valid code into another.
constexpr std::array<std::pair<char, std::uint8_t>, 3> kLookalikes = {
    {{'O', 0}, {'I', 1}, {'L', 1}}};

Decoded decode_char(char ch) noexcept {
  unsigned c = static_cast<unsigned char>(ch);
  c ^= ct_range_mask(c, 'a', 'z') & 0x20u;  // to upper case, letters only
  unsigned value = 0;
  unsigned found = 0;
  for (unsigned v = 0; v < kVotingCodeAlphabet.size(); ++v) {
    const unsigned m = ct_eq_mask(c, static_cast<unsigned char>(kVotingCodeAlphabet[v]));
    value |= m & v;
    found |= m;
  }
  for (const auto& [look, v] : kLookalikes) {
    const unsigned m = ct_eq_mask(c, static_cast<unsigned char>(look));
    value |= m & v;
    found |= m;
  }
  return {static_cast<std::uint8_t>(value), static_cast<std::uint8_t>(found)};
}

// The alphabet character of a symbol value 0..31, without indexing by it.
std::uint8_t symbol_char(std::uint8_t value) noexcept {
  unsigned out = 0;
  for (unsigned v = 0; v < kVotingCodeAlphabet.size(); ++v) {
    out |= ct_eq_mask(value, v) & static_cast<unsigned char>(kVotingCodeAlphabet[v]);
  }
  return static_cast<std::uint8_t>(out);
}

// Wipes a local buffer of secret symbols on every exit path.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::span<std::uint8_t> s) noexcept : s_(s) {}
  ~WipeOnExit() { sodium_memzero(s_.data(), s_.size()); }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  std::span<std::uint8_t> s_;
};

SecretBytes chars_of(std::span<const std::uint8_t, kVotingCodeSymbols> values) {
  return SecretBytes::build(kVotingCodeSymbols, [&](std::span<std::uint8_t> out) {
    for (std::size_t i = 0; i < kVotingCodeSymbols; ++i) out[i] = symbol_char(values[i]);
  });
}

Status code_malformed() {
  return invalid_argument("voting_code_malformed",
                          "a voting code has 24 characters from 0-9 and A-Z without I, L, O, U, "
                          "in groups of 4 separated by '-'");
}

void append_u16_prefixed(Bytes& out, ByteView b) {
  // Callers bound b (labels, institution ids <= 64 bytes).
  if (b.size() > std::numeric_limits<std::uint16_t>::max()) std::abort();
  append_u16(out, static_cast<std::uint16_t>(b.size()));
  append(out, b);
}

}  // namespace

// ---------------------------------------------------------------------------
// VotingCode

VotingCode VotingCode::generate(Rng& rng) {
  std::array<std::uint8_t, kVotingCodeSymbols> values{};
  WipeOnExit wipe(values);
  // One rng byte per symbol, low 5 bits: 256 is a multiple of 32, so each
  // symbol is uniform and the 22 data symbols carry exactly 110 bits.
  rng.fill(std::span<std::uint8_t>(values.data(), kVotingCodeDataSymbols));
  for (std::size_t i = 0; i < kVotingCodeDataSymbols; ++i) values[i] &= 0x1fu;
  compute_check_symbols(values);
  // Self-check: the deterministic field arithmetic must produce a code that
  // parse() accepts; if it does not, the code is buggy, not the input.
  if (syndrome(values) != 0) std::abort();
  return VotingCode(chars_of(values));
}

Result<VotingCode> VotingCode::parse(std::string_view typed) {
  // Bound the work before scanning: a huge input is malformed, not parsed.
  if (typed.size() > kVotingCodeMaxTypedSize) return code_malformed();
  std::array<std::uint8_t, kVotingCodeSymbols> values{};
  WipeOnExit wipe(values);
  std::size_t n = 0;
  unsigned bad = 0;
  for (const char ch : typed) {
    // Separators carry no information and are not secret: skip them.
    if (ch == ' ' || ch == '-') continue;
    if (n == kVotingCodeSymbols) return code_malformed();  // too long
    const Decoded d = decode_char(ch);
    values[n++] = d.value;
    bad |= 0xffu ^ d.found;
  }
  // Distinguish "not a code" from "a typo": a typo has the right shape.
  if (n != kVotingCodeSymbols || bad != 0) return code_malformed();
  if (syndrome(values) != 0) {
    return invalid_argument("voting_code_checksum",
                            "the voting code contains a typo; please check it "
                            "against the letter");
  }
  return VotingCode(chars_of(values));
}

SecretBytes VotingCode::format() const {
  const ByteView c = canonical();
  if (c.size() != kVotingCodeSymbols) std::abort();  // contract: not moved from
  return SecretBytes::build(kVotingCodeFormattedSize, [&](std::span<std::uint8_t> out) {
    std::size_t o = 0;
    for (std::size_t i = 0; i < kVotingCodeSymbols; ++i) {
      if (i > 0 && i % kVotingCodeGroupSize == 0) out[o++] = '-';
      out[o++] = c[i];
    }
  });
}

// ---------------------------------------------------------------------------
// CredentialContext

CredentialContext CredentialContext::generate(Rng& rng) {
  FixedBytes<kSize> b{};
  rng.fill(b);
  return CredentialContext(b);
}

Result<CredentialContext> CredentialContext::parse(ByteView bytes) {
  if (bytes.size() != kSize) {
    return invalid_argument("credential_context_malformed", "a credential context is 32 bytes");
  }
  FixedBytes<kSize> b{};
  std::copy(bytes.begin(), bytes.end(), b.begin());
  return CredentialContext(b);
}

// ---------------------------------------------------------------------------
// Keys

Result<InstitutionPublicKey> InstitutionPublicKey::parse(ByteView bytes) {
  // libsodium 1.0.18's verify already refuses small-order and non-canonical
  // public keys; crypto_core_ed25519_is_valid_point additionally refuses
  // points with a small-order component (mixed order). A derived key is
  // always in the prime-order subgroup, so nothing honest is lost, and every
  // listed key then means the same to libsodium, to cofactored verifiers and
  // to the browser's implementation (no key accepted by one and not another).
  if (bytes.size() != kSize || crypto_core_ed25519_is_valid_point(bytes.data()) != 1) {
    return invalid_argument("institution_key_invalid",
                            "an institution key is a 32-byte Ed25519 point of "
                            "prime order");
  }
  FixedBytes<kSize> b{};
  std::copy(bytes.begin(), bytes.end(), b.begin());
  return InstitutionPublicKey(b);
}

Result<InstitutionSecretKey> InstitutionSecretKey::derive(const VotingCode& code,
                                                          const CredentialContext& context) {
  const ByteView chars = code.canonical();
  if (chars.size() != kVotingCodeSymbols) std::abort();  // contract: not moved from

  // seed = BLAKE2b-256(key = context, u16(18) || label || u16(24) || code).
  // Keying with the roster's context makes keys per roster (the same code in
  // another roster gives an unrelated key, and no table can be precomputed
  // for all rosters); the label separates this hash from any other use of
  // the context; the length prefixes make the input unambiguous.
  // No slow KDF: the code has 110 bits of entropy, beyond any guessing
  // attack on the public key; a KDF would only slow down the browser.
  Bytes prefix;
  append_u16_prefixed(prefix, as_bytes(kCredentialLabel));
  append_u16(prefix, static_cast<std::uint16_t>(kVotingCodeSymbols));

  // libsodium only fails here on wrong sizes (fixed above); rc still
  // collects every return value so that nothing is silently ignored.
  int rc = 0;
  crypto_generichash_state st;
  SecretBytes seed = SecretBytes::build(crypto_sign_SEEDBYTES, [&](std::span<std::uint8_t> out) {
    rc |= crypto_generichash_init(&st, context.bytes().data(), context.bytes().size(), out.size());
    rc |= crypto_generichash_update(&st, prefix.data(), prefix.size());
    rc |= crypto_generichash_update(&st, chars.data(), chars.size());
    rc |= crypto_generichash_final(&st, out.data(), out.size());
  });
  sodium_memzero(&st, sizeof st);  // the state holds the code

  FixedBytes<InstitutionPublicKey::kSize> pk{};
  SecretBytes sk = SecretBytes::build(crypto_sign_SECRETKEYBYTES, [&](std::span<std::uint8_t> out) {
    rc |= crypto_sign_seed_keypair(pk.data(), out.data(), seed.view().data());
  });
  // Self-check: the public key is a valid prime-order point and matches the
  // public half libsodium stores in the secret key.
  if (rc != 0 || crypto_core_ed25519_is_valid_point(pk.data()) != 1 ||
      !ct_equal(pk, sk.view().subspan(crypto_sign_SEEDBYTES))) {
    return internal_error("credential_self_check_failed",
                          "the derived institution key failed its self-check");
  }
  return InstitutionSecretKey(std::move(sk), InstitutionPublicKey(pk));
}

CredentialContext officer_credential_context() {
  // A constant context: officer keys are not per roster (one officer serves
  // every election of a server), and hashing a label keeps the context from
  // colliding with a random roster context by anything but chance.
  Result<CredentialContext> c = CredentialContext::parse(sha256(as_bytes(kOfficerContextLabel)));
  if (!c.ok()) std::abort();  // 32 bytes by construction
  return std::move(c).value();
}

Result<Ed25519SigningKey> derive_officer_key(const VotingCode& code) {
  // The very derivation of institution keys (no second code path that
  // could drift from the browser's deriveInstitutionKey), then the seed half
  // of libsodium's secret key becomes a plain signing key.
  URNE_ASSIGN_OR_RETURN(const InstitutionSecretKey k,
                        InstitutionSecretKey::derive(code, officer_credential_context()));
  URNE_ASSIGN_OR_RETURN(
      Ed25519SigningKey key,
      Ed25519SigningKey::from_seed(k.secret_key_.view().first(crypto_sign_SEEDBYTES)));
  if (!ct_equal(key.public_key(), k.public_key().bytes())) {
    return internal_error("credential_self_check_failed",
                          "the derived officer key failed its self-check");
  }
  return key;
}

Status check_listed_key(const InstitutionPublicKey& derived, const InstitutionPublicKey& listed) {
  if (!ct_equal(derived.bytes(), listed.bytes())) {
    return unauthenticated("credential_key_mismatch",
                           "this voting code does not belong to this "
                           "institution in this roster");
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------
// Authorization

Status check_institution_id(std::string_view institution_id) {
  const auto malformed = [] {
    return invalid_argument("institution_id_malformed",
                            "an institution id is 1 to 64 characters from "
                            "A-Z, a-z, 0-9, '.', '_', '-'");
  };
  if (institution_id.empty() || institution_id.size() > kInstitutionIdMaxSize) {
    return malformed();
  }
  for (const char ch : institution_id) {
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
    if (!ok) return malformed();
  }
  return Status::ok();
}

Result<Bytes> authorization_message(const ElectionId& election_id, std::string_view institution_id,
                                    const TokenKeyId& token_key_id, ByteView request) {
  URNE_RETURN_IF_ERROR(check_institution_id(institution_id));
  if (request.size() > std::numeric_limits<std::uint32_t>::max()) {
    return invalid_argument("token_request_malformed", "the token request is too large");
  }
  // Every variable-length field is length-prefixed and every fixed-size field
  // has a size fixed by this format, so two different inputs never give the
  // same message; the label and version separate it from every other
  // signature made with this key.
  Bytes m;
  m.reserve(2 + kTokenRequestAuthLabel.size() + 32 + 2 + institution_id.size() + 32 + 4 +
            request.size());
  append_u16_prefixed(m, as_bytes(kTokenRequestAuthLabel));
  append(m, election_id);
  append_u16_prefixed(m, as_bytes(institution_id));
  append(m, token_key_id);
  append_u32(m, static_cast<std::uint32_t>(request.size()));
  append(m, request);
  return m;
}

Result<InstitutionSignature> sign_token_request(const InstitutionSecretKey& key,
                                                const ElectionId& election_id,
                                                std::string_view institution_id,
                                                const TokenKeyId& token_key_id, ByteView request) {
  URNE_ASSIGN_OR_RETURN(const Bytes m,
                        authorization_message(election_id, institution_id, token_key_id, request));
  const ByteView sk = key.secret_key_.view();
  if (sk.size() != crypto_sign_SECRETKEYBYTES) std::abort();  // contract: not moved from
  InstitutionSignature sig{};
  const int rc = crypto_sign_detached(sig.data(), nullptr, m.data(), m.size(), sk.data());
  // The signer verifies before releasing (house rule): a fault while signing
  // must not put a bad signature into the issuance log.
  if (rc != 0 || crypto_sign_verify_detached(sig.data(), m.data(), m.size(),
                                             key.public_key().bytes().data()) != 0) {
    return internal_error("signature_self_check_failed",
                          "the token request signature failed its self-check");
  }
  return sig;
}

Status verify_token_request(const InstitutionPublicKey& key, const ElectionId& election_id,
                            std::string_view institution_id, const TokenKeyId& token_key_id,
                            ByteView request, ByteView signature) {
  URNE_ASSIGN_OR_RETURN(const Bytes m,
                        authorization_message(election_id, institution_id, token_key_id, request));
  // libsodium 1.0.18 rejects S >= L and a small-order R, and compares R
  // byte for byte, so a signature has one accepted byte form.
  if (signature.size() != crypto_sign_BYTES ||
      crypto_sign_verify_detached(signature.data(), m.data(), m.size(), key.bytes().data()) != 0) {
    return unauthenticated("request_signature_invalid",
                           "the token request is not signed by this institution");
  }
  return Status::ok();
}

}  // namespace urne
