#include "crypto/blind_rsa.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <string>
#include <utility>

#include "crypto/hash.hpp"

namespace urne {

// ---------------------------------------------------------------------------
// OpenSSL handles: owned by unique_ptr, never freed by hand.
namespace {

template <auto Fn>
struct OsslDeleter {
  template <class T>
  void operator()(T* p) const noexcept {
    Fn(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<EVP_PKEY_CTX_free>>;
// Every BIGNUM here may hold a secret (r, inv, d, p, q): always cleared.
using BnPtr = std::unique_ptr<BIGNUM, OsslDeleter<BN_clear_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, OsslDeleter<BN_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OsslDeleter<OSSL_PARAM_BLD_free>>;
// OSSL_PARAM_free clears the part of the block that holds BIGNUMs flagged
// BN_FLG_SECURE (see secure_bn_from), which is where secret components go.
using ParamPtr = std::unique_ptr<OSSL_PARAM, OsslDeleter<OSSL_PARAM_free>>;
using EncoderCtxPtr = std::unique_ptr<OSSL_ENCODER_CTX, OsslDeleter<OSSL_ENCODER_CTX_free>>;
using DecoderCtxPtr = std::unique_ptr<OSSL_DECODER_CTX, OsslDeleter<OSSL_DECODER_CTX_free>>;
using MdPtr = std::unique_ptr<EVP_MD, OsslDeleter<EVP_MD_free>>;

// A buffer allocated by OpenSSL, cleared and freed with OPENSSL_clear_free.
struct OsslBufferDeleter {
  std::size_t len = 0;
  void operator()(unsigned char* p) const noexcept { OPENSSL_clear_free(p, len); }
};
using OsslBuffer = std::unique_ptr<unsigned char, OsslBufferDeleter>;

constexpr std::size_t kHashLength = 48;  // SHA-384
constexpr std::size_t kPssSaltLength = 48;
constexpr std::array<std::uint8_t, 3> kExponent65537 = {0x01, 0x00, 0x01};

// OpenSSL reports failures through a thread-local error queue; leaving
// entries there would make a later, unrelated OpenSSL call in the same thread
// appear to fail. Clear it whenever we turn an OpenSSL failure into a Status.
Status openssl_failure(std::string reason, std::string message) {
  ERR_clear_error();
  return internal_error(std::move(reason), std::move(message));
}

[[noreturn]] void out_of_memory() { std::abort(); }

BnPtr new_bn() {
  BnPtr b(BN_new());
  if (!b) out_of_memory();
  return b;
}

BnPtr bn_from(ByteView bytes) {
  BnPtr b(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!b) out_of_memory();
  return b;
}

// A BIGNUM for a secret key component: BN_FLG_SECURE makes OpenSSL keep its
// copies (e.g. in OSSL_PARAM_BLD) in memory that is cleared when freed.
BnPtr new_secure_bn() {
  BnPtr b(BN_secure_new());
  if (!b) out_of_memory();
  return b;
}

BnPtr secure_bn_from(ByteView bytes) {
  BnPtr b = new_secure_bn();
  if (BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), b.get()) == nullptr) {
    out_of_memory();
  }
  return b;
}

BnCtxPtr new_bn_ctx() {
  BnCtxPtr c(BN_CTX_new());
  if (!c) out_of_memory();
  return c;
}

// I2OSP(x, k). Contract: x < 256^k (callers only pass values < n).
Bytes bn_to_bytes(const BIGNUM* x, std::size_t k) {
  Bytes out(k);
  if (BN_bn2binpad(x, out.data(), static_cast<int>(k)) != static_cast<int>(k)) {
    std::abort();
  }
  return out;
}

SecretBytes bn_to_secret(const BIGNUM* x, std::size_t k) {
  return SecretBytes::build(k, [&](std::span<std::uint8_t> out) {
    if (BN_bn2binpad(x, out.data(), static_cast<int>(k)) != static_cast<int>(k)) {
      std::abort();
    }
  });
}

// Big-endian integers of equal length compare like their bytes.
bool less_than(ByteView a, ByteView b) { return std::memcmp(a.data(), b.data(), a.size()) < 0; }

ByteView strip_leading_zeros(ByteView b) {
  std::size_t i = 0;
  while (i < b.size() && b[i] == 0) ++i;
  return b.subspan(i);
}

// --- DER (X.690) -----------------------------------------------------------
// OpenSSL cannot produce the RFC 9578 SPKI: its RSA-PSS key encoder writes the
// hash AlgorithmIdentifiers with explicit NULL parameters (346 bytes for 2048
// bits), and an RSA key encodes with the rsaEncryption OID. The RFC form is a
// fixed AlgorithmIdentifier followed by the RSAPublicKey {n, e}, so we write
// those few DER bytes here; parsing re-encodes and compares bytes, which
// makes the parser exactly as strict as the encoder.

// AlgorithmIdentifier { id-RSASSA-PSS, RSASSA-PSS-params {
//   [0] hashAlgorithm    { id-sha384 }            (parameters absent)
//   [1] maskGenAlgorithm { id-mgf1, { id-sha384 } }
//   [2] saltLength       48 } }
// clang-format off
constexpr std::array<std::uint8_t, 63> kRsaPssSha384AlgorithmId = {
    0x30, 0x3d,                                                  // SEQUENCE
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,  // PSS
    0x30, 0x30,                                                  // params
    0xa0, 0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
    0x04, 0x02, 0x02,                                            // sha384
    0xa1, 0x1a, 0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
    0x01, 0x01, 0x08,                                            // mgf1
    0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
    0x02,                                                        // sha384
    0xa2, 0x03, 0x02, 0x01, 0x30,                                // salt 48
};
// clang-format on

void der_append_length(Bytes& out, std::size_t len) {
  if (len < 0x80) {
    out.push_back(static_cast<std::uint8_t>(len));
    return;
  }
  std::uint8_t tmp[sizeof(std::size_t)];
  std::size_t n = 0;
  for (std::size_t v = len; v != 0; v >>= 8) tmp[n++] = static_cast<std::uint8_t>(v);
  out.push_back(static_cast<std::uint8_t>(0x80 | n));
  while (n > 0) out.push_back(tmp[--n]);
}

void der_append(Bytes& out, std::uint8_t tag, ByteView content) {
  out.push_back(tag);
  der_append_length(out, content.size());
  append(out, content);
}

// INTEGER from an unsigned big-endian value (minimal, non-negative).
void der_append_unsigned(Bytes& out, ByteView value) {
  ByteView v = strip_leading_zeros(value);
  Bytes content;
  if (v.empty() || (v[0] & 0x80) != 0) content.push_back(0);
  append(content, v);
  der_append(out, 0x02, content);
}

Bytes encode_spki(ByteView n, ByteView e) {
  Bytes rsa_public_key_body;
  der_append_unsigned(rsa_public_key_body, n);
  der_append_unsigned(rsa_public_key_body, e);
  Bytes bit_string_body{0x00};  // no unused bits
  der_append(bit_string_body, 0x30, rsa_public_key_body);
  Bytes spki_body(kRsaPssSha384AlgorithmId.begin(), kRsaPssSha384AlgorithmId.end());
  der_append(spki_body, 0x03, bit_string_body);
  Bytes spki;
  der_append(spki, 0x30, spki_body);
  return spki;
}

// A forgiving TLV reader; strictness comes from the re-encoding comparison.
struct DerReader {
  ByteView in;
  bool read(std::uint8_t tag, ByteView& content) {
    if (in.size() < 2 || in[0] != tag) return false;
    std::size_t len = in[1];
    std::size_t off = 2;
    if (len >= 0x80) {
      const std::size_t n = len & 0x7f;
      if (n == 0 || n > 4 || in.size() < 2 + n) return false;
      len = 0;
      for (std::size_t i = 0; i < n; ++i) len = (len << 8) | in[2 + i];
      off = 2 + n;
    }
    if (in.size() - off < len) return false;
    content = in.subspan(off, len);
    in = in.subspan(off + len);
    return true;
  }
};

Status bad_public_key(std::string message) {
  return invalid_argument("bad_public_key", std::move(message));
}

// Extracts n and e from an RFC 9578 SPKI (checked again by re-encoding).
Status decode_spki(ByteView der, ByteView& n, ByteView& e) {
  DerReader top{der};
  ByteView spki;
  if (!top.read(0x30, spki) || !top.in.empty()) {
    return bad_public_key("not a single DER SEQUENCE");
  }
  if (spki.size() < kRsaPssSha384AlgorithmId.size() ||
      !std::equal(kRsaPssSha384AlgorithmId.begin(), kRsaPssSha384AlgorithmId.end(), spki.begin())) {
    return bad_public_key(
        "algorithm must be id-RSASSA-PSS with SHA-384, MGF1-SHA-384, salt 48 "
        "(RFC 9578 form)");
  }
  DerReader body{spki.subspan(kRsaPssSha384AlgorithmId.size())};
  ByteView bits;
  if (!body.read(0x03, bits) || !body.in.empty() || bits.empty() || bits[0] != 0) {
    return bad_public_key("bad subjectPublicKey BIT STRING");
  }
  DerReader key_reader{bits.subspan(1)};
  ByteView key;
  if (!key_reader.read(0x30, key) || !key_reader.in.empty()) {
    return bad_public_key("bad RSAPublicKey");
  }
  DerReader ints{key};
  if (!ints.read(0x02, n) || !ints.read(0x02, e) || !ints.in.empty()) {
    return bad_public_key("bad RSAPublicKey integers");
  }
  return Status::ok();
}

// --- EMSA-PSS (RFC 8017 §9.1.1) -------------------------------------------
// Hand-written because OpenSSL 3 offers the encoding only through deprecated
// RSA* functions (RSA_padding_add_PKCS1_PSS_mgf1, PKCS1_MGF1) that draw the
// salt from OpenSSL's own RNG; urne draws every random value from the injected
// Rng and needs fixed salts for the RFC 9474 known-answer tests. The output
// is checked independently: finalize verifies the signature with OpenSSL's
// own RSASSA-PSS verification.

// MGF1 with SHA-384 (RFC 8017 §B.2.1).
Bytes mgf1_sha384(ByteView seed, std::size_t len) {
  Bytes mask;
  mask.reserve(len + kHashLength);
  Bytes block(seed.begin(), seed.end());
  for (std::uint32_t counter = 0; mask.size() < len; ++counter) {
    block.resize(seed.size());
    append_u32(block, counter);
    const FixedBytes<48> h = sha384(block);
    append(mask, h);
  }
  mask.resize(len);
  return mask;
}

// --- RSA parameters -------------------------------------------------------

Result<BnPtr> get_bn_param(const EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1 || raw == nullptr) {
    return openssl_failure("openssl_error", std::string("cannot read RSA ") + name);
  }
  return BnPtr(raw);
}

Status check_public_parameters(ByteView n, ByteView e) {
  if (e.size() != kExponent65537.size() ||
      !std::equal(e.begin(), e.end(), kExponent65537.begin())) {
    return invalid_argument("unsupported_public_exponent", "the RSA public exponent must be 65537");
  }
  if (n.empty() || (n.back() & 1) == 0) {
    return bad_public_key("the RSA modulus must be odd");
  }
  const std::size_t bits = 8 * n.size() - static_cast<std::size_t>(std::countl_zero(n[0]));
  if (bits < kBlindRsaMinBits || bits > kBlindRsaMaxBits) {
    return invalid_argument("bad_key_size", "RSA modulus must have 2048..8192 bits");
  }
  return Status::ok();
}

// RSASSA-PSS verification parameters: SHA-384, MGF1-SHA-384, exact salt
// length. `pad` and `salt_len` must outlive `p`.
void set_pss_params(std::array<OSSL_PARAM, 5>& p, int& pad, int& salt_len, std::size_t salt) {
  static char kSha384Name[] = "SHA384";
  pad = RSA_PKCS1_PSS_PADDING;
  salt_len = static_cast<int>(salt);
  p[0] = OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PAD_MODE, &pad);
  p[1] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, kSha384Name, 0);
  p[2] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, kSha384Name, 0);
  p[3] = OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, &salt_len);
  p[4] = OSSL_PARAM_construct_end();
}

// A context for the raw RSA operation (RSA_NO_PADDING) with `init` being
// EVP_PKEY_encrypt_init_ex (RSAVP1) or EVP_PKEY_decrypt_init_ex (RSASP1).
template <class Init>
PkeyCtxPtr new_raw_ctx(EVP_PKEY* pkey, Init init) {
  int pad = RSA_NO_PADDING;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_int(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, &pad),
                         OSSL_PARAM_construct_end()};
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || init(ctx.get(), params) != 1) return nullptr;
  return ctx;
}

// A private copy of a prototype context (see BlindRsaPublicKey::Impl).
PkeyCtxPtr dup_ctx(const EVP_PKEY_CTX* prototype) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_dup(prototype));
  if (!ctx) out_of_memory();
  return ctx;
}

}  // namespace

// ---------------------------------------------------------------------------
// Variants

std::string_view blind_rsa_variant_name(BlindRsaVariant v) noexcept {
  switch (v) {
    case BlindRsaVariant::kSha384PssRandomized:
      return "RSABSSA-SHA384-PSS-Randomized";
    case BlindRsaVariant::kSha384PssZeroRandomized:
      return "RSABSSA-SHA384-PSSZERO-Randomized";
    case BlindRsaVariant::kSha384PssDeterministic:
      return "RSABSSA-SHA384-PSS-Deterministic";
    case BlindRsaVariant::kSha384PssZeroDeterministic:
      return "RSABSSA-SHA384-PSSZERO-Deterministic";
  }
  std::abort();
}

std::size_t blind_rsa_salt_length(BlindRsaVariant v) noexcept {
  switch (v) {
    case BlindRsaVariant::kSha384PssRandomized:
    case BlindRsaVariant::kSha384PssDeterministic:
      return kPssSaltLength;
    case BlindRsaVariant::kSha384PssZeroRandomized:
    case BlindRsaVariant::kSha384PssZeroDeterministic:
      return 0;
  }
  std::abort();
}

bool blind_rsa_is_randomized(BlindRsaVariant v) noexcept {
  return v == BlindRsaVariant::kSha384PssRandomized ||
         v == BlindRsaVariant::kSha384PssZeroRandomized;
}

// ---------------------------------------------------------------------------
// Public key

// Speed: making and initializing an EVP_PKEY_CTX costs about 4.5 µs (provider
// and digest look-ups), a fifth of an RSA-2048 verification. So each key keeps
// fully initialized prototype contexts, and every call works on its own copy
// from EVP_PKEY_CTX_dup (~0.3 µs). EVP_PKEY_CTX_dup takes a const context and
// only reads it (and up-refs the key and digests), which openssl-threads(7)
// counts as thread-safe; the prototypes are never modified after
// construction, so a key can be used from many threads at once.
struct BlindRsaPublicKey::Impl {
  PkeyPtr pkey;  // public-only EVP_PKEY, used read-only
  BnPtr n;       // for the client's arithmetic (read-only)
  BnPtr e;
  Bytes n_bytes;  // exactly k bytes
  std::size_t bits = 0;
  Bytes spki;                  // RFC 9578 §6.5 form
  MdPtr sha384;                // fetched once (an implicit fetch per digest costs ~0.4 µs)
  PkeyCtxPtr verify_pss;       // RSASSA-PSS verify, SHA-384, salt 48
  PkeyCtxPtr verify_pss_zero;  // RSASSA-PSS verify, SHA-384, salt 0
  PkeyCtxPtr raw_public;       // RSAVP1 (RSA_NO_PADDING encrypt), self-check

  const EVP_PKEY_CTX* verify_ctx(BlindRsaVariant v) const {
    return blind_rsa_salt_length(v) == 0 ? verify_pss_zero.get() : verify_pss.get();
  }
};

struct BlindRsaKeyAccess {
  // Contract: not on a moved-from key.
  static const BlindRsaPublicKey::Impl& pub(const BlindRsaPublicKey& k) {
    if (!k.impl_) std::abort();
    return *k.impl_;
  }
  static const BlindRsaSecretKey::Impl& sec(const BlindRsaSecretKey& k) {
    if (!k.impl_) std::abort();
    return *k.impl_;
  }

  // Builds a public key from minimal big-endian n and e.
  static Result<BlindRsaPublicKey> make_public(ByteView n_in, ByteView e_in) {
    const ByteView n = strip_leading_zeros(n_in);
    const ByteView e = strip_leading_zeros(e_in);
    URNE_RETURN_IF_ERROR(check_public_parameters(n, e));

    auto impl = std::make_shared<BlindRsaPublicKey::Impl>();
    impl->n = bn_from(n);
    impl->e = bn_from(e);
    impl->bits = static_cast<std::size_t>(BN_num_bits(impl->n.get()));
    impl->n_bytes.assign(n.begin(), n.end());
    impl->spki = encode_spki(n, e);

    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld) out_of_memory();
    if (OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, impl->n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, impl->e.get()) != 1) {
      return openssl_failure("openssl_error", "cannot build RSA parameters");
    }
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
      return openssl_failure("openssl_error", "cannot build RSA public key");
    }
    impl->pkey.reset(raw);
    URNE_RETURN_IF_ERROR(init_contexts(*impl));
    // OpenSSL's SP 800-56B public-key check: n odd, composite, no small
    // factors. Cheap next to parsing frequency (once per election).
    PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, impl->pkey.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
      ERR_clear_error();
      return bad_public_key("the RSA modulus failed OpenSSL's public key check");
    }
    return BlindRsaPublicKey(std::move(impl));
  }

  static Result<BlindRsaSecretKey> make_secret(PkeyPtr pkey);

  static Status init_contexts(BlindRsaPublicKey::Impl& impl) {
    impl.sha384.reset(EVP_MD_fetch(nullptr, "SHA384", nullptr));
    if (!impl.sha384) return openssl_failure("openssl_error", "SHA-384 unavailable");
    for (std::size_t salt : {kPssSaltLength, std::size_t{0}}) {
      std::array<OSSL_PARAM, 5> params{};
      int pad = 0;
      int salt_len = 0;
      set_pss_params(params, pad, salt_len, salt);
      PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, impl.pkey.get(), nullptr));
      if (!ctx || EVP_PKEY_verify_init_ex(ctx.get(), params.data()) != 1) {
        return openssl_failure("openssl_error", "cannot set up RSA-PSS verification");
      }
      (salt == 0 ? impl.verify_pss_zero : impl.verify_pss) = std::move(ctx);
    }
    impl.raw_public = new_raw_ctx(impl.pkey.get(), EVP_PKEY_encrypt_init_ex);
    if (!impl.raw_public) return openssl_failure("openssl_error", "cannot set up RSAVP1");
    return Status::ok();
  }
};

BlindRsaPublicKey::BlindRsaPublicKey(std::shared_ptr<const Impl> impl) noexcept
    : impl_(std::move(impl)) {}

Result<BlindRsaPublicKey> BlindRsaPublicKey::parse_spki(ByteView der) {
  ByteView n;
  ByteView e;
  URNE_RETURN_IF_ERROR(decode_spki(der, n, e));
  // INTEGERs must be positive; a negative n or e is not an RSA key.
  if (n.empty() || e.empty() || (n[0] & 0x80) != 0 || (e[0] & 0x80) != 0) {
    return bad_public_key("RSA integers must be positive");
  }
  URNE_ASSIGN_OR_RETURN(BlindRsaPublicKey key, BlindRsaKeyAccess::make_public(n, e));
  // Only the one canonical DER form is accepted: everything that re-encodes
  // differently (long-form lengths, leading zeros, ...) is rejected, so one key
  // has one byte form and one token_key_id.
  if (!std::equal(der.begin(), der.end(), key.spki().begin(), key.spki().end())) {
    return bad_public_key("SubjectPublicKeyInfo is not in canonical DER");
  }
  return key;
}

Result<BlindRsaPublicKey> BlindRsaPublicKey::from_components(ByteView n, ByteView e) {
  return BlindRsaKeyAccess::make_public(n, e);
}

const Bytes& BlindRsaPublicKey::spki() const noexcept { return BlindRsaKeyAccess::pub(*this).spki; }
ByteView BlindRsaPublicKey::modulus() const noexcept {
  return BlindRsaKeyAccess::pub(*this).n_bytes;
}
std::size_t BlindRsaPublicKey::modulus_bits() const noexcept {
  return BlindRsaKeyAccess::pub(*this).bits;
}
std::size_t BlindRsaPublicKey::modulus_length() const noexcept {
  return BlindRsaKeyAccess::pub(*this).n_bytes.size();
}

// ---------------------------------------------------------------------------
// Secret key

struct BlindRsaSecretKey::Impl {
  PkeyPtr pkey;  // private EVP_PKEY, used read-only
  BlindRsaPublicKey pub;
  PkeyCtxPtr raw_private;  // RSASP1 prototype, copied per call (see above)
};

Result<BlindRsaSecretKey> BlindRsaKeyAccess::make_secret(PkeyPtr pkey) {
  if (EVP_PKEY_is_a(pkey.get(), "RSA") != 1) {
    return invalid_argument("bad_secret_key", "not an RSA (rsaEncryption) key");
  }
  URNE_ASSIGN_OR_RETURN(BnPtr n, get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_N));
  URNE_ASSIGN_OR_RETURN(BnPtr e, get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_E));
  const std::size_t n_len = static_cast<std::size_t>(BN_num_bytes(n.get()));
  const std::size_t e_len = static_cast<std::size_t>(BN_num_bytes(e.get()));
  URNE_ASSIGN_OR_RETURN(BlindRsaPublicKey pub,
                        make_public(bn_to_bytes(n.get(), n_len), bn_to_bytes(e.get(), e_len)));
  // Full consistency check (primes, CRT values, d·e ≡ 1): a corrupted stored
  // key must fail here, not produce wrong signatures later.
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_check(check.get()) != 1) {
    ERR_clear_error();
    return invalid_argument("bad_secret_key", "RSA key failed OpenSSL's key check");
  }
  PkeyCtxPtr raw_private = new_raw_ctx(pkey.get(), EVP_PKEY_decrypt_init_ex);
  if (!raw_private) return openssl_failure("openssl_error", "cannot set up RSASP1");
  auto impl = std::make_unique<BlindRsaSecretKey::Impl>(
      BlindRsaSecretKey::Impl{std::move(pkey), std::move(pub), std::move(raw_private)});
  return BlindRsaSecretKey(std::move(impl));
}

BlindRsaSecretKey::BlindRsaSecretKey(std::unique_ptr<Impl> impl) noexcept
    : impl_(std::move(impl)) {}
BlindRsaSecretKey::BlindRsaSecretKey(BlindRsaSecretKey&&) noexcept = default;
BlindRsaSecretKey& BlindRsaSecretKey::operator=(BlindRsaSecretKey&&) noexcept = default;
BlindRsaSecretKey::~BlindRsaSecretKey() = default;

Result<BlindRsaSecretKey> BlindRsaSecretKey::generate(std::size_t bits) {
  if (bits < kBlindRsaMinBits || bits > kBlindRsaMaxBits || bits % 8 != 0) {
    return invalid_argument("bad_key_size", "RSA keys must have 2048..8192 bits, a multiple of 8");
  }
  // EVP_PKEY_Q_keygen uses e = 65537 and OpenSSL's DRBG (see the header).
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
  if (!pkey) return openssl_failure("openssl_error", "RSA key generation failed");
  return BlindRsaKeyAccess::make_secret(std::move(pkey));
}

namespace {

// A passphrase callback that refuses: encrypted keys are not accepted, and
// OpenSSL must never prompt on a terminal.
int refuse_passphrase(char*, size_t, size_t*, const OSSL_PARAM[], void*) { return 0; }

Result<BlindRsaSecretKey> decode_pkcs8(ByteView data, const char* input_type) {
  EVP_PKEY* raw = nullptr;
  DecoderCtxPtr ctx(OSSL_DECODER_CTX_new_for_pkey(&raw, input_type, "PrivateKeyInfo", "RSA",
                                                  EVP_PKEY_KEYPAIR, nullptr, nullptr));
  if (!ctx) return openssl_failure("openssl_error", "no PKCS#8 decoder");
  OSSL_DECODER_CTX_set_passphrase_cb(ctx.get(), refuse_passphrase, nullptr);
  const unsigned char* p = data.data();
  std::size_t len = data.size();
  const int ok = OSSL_DECODER_from_data(ctx.get(), &p, &len);
  PkeyPtr pkey(raw);
  if (ok != 1 || !pkey) {
    ERR_clear_error();
    return invalid_argument("bad_secret_key", "not an unencrypted PKCS#8 RSA private key");
  }
  if (len != 0 && std::string_view(input_type) == "DER") {
    return invalid_argument("bad_secret_key", "trailing bytes after the key");
  }
  return BlindRsaKeyAccess::make_secret(std::move(pkey));
}

SecretBytes encode_pkcs8(const EVP_PKEY* pkey, const char* output_type) {
  EncoderCtxPtr ctx(OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_KEYPAIR, output_type,
                                                  "PrivateKeyInfo", nullptr));
  unsigned char* raw = nullptr;
  std::size_t len = 0;
  if (!ctx || OSSL_ENCODER_to_data(ctx.get(), &raw, &len) != 1 || raw == nullptr) {
    // A loaded, checked key always encodes; failing here is a broken OpenSSL.
    std::abort();
  }
  OsslBuffer buf(raw, OsslBufferDeleter{len});
  return SecretBytes::copy_of(ByteView(buf.get(), len));
}

}  // namespace

Result<BlindRsaSecretKey> BlindRsaSecretKey::from_pkcs8_der(ByteView der) {
  return decode_pkcs8(der, "DER");
}

Result<BlindRsaSecretKey> BlindRsaSecretKey::from_pkcs8_pem(ByteView pem) {
  return decode_pkcs8(pem, "PEM");
}

Result<BlindRsaSecretKey> BlindRsaSecretKey::from_components(ByteView n, ByteView e, ByteView d,
                                                             ByteView p, ByteView q) {
  BnPtr bn_n = bn_from(n), bn_e = bn_from(e), bn_d = secure_bn_from(d), bn_p = secure_bn_from(p),
        bn_q = secure_bn_from(q);
  BN_set_flags(bn_d.get(), BN_FLG_CONSTTIME);
  BN_set_flags(bn_p.get(), BN_FLG_CONSTTIME);
  BN_set_flags(bn_q.get(), BN_FLG_CONSTTIME);
  BnCtxPtr ctx = new_bn_ctx();
  BnPtr p1 = new_secure_bn(), q1 = new_secure_bn(), dmp1 = new_secure_bn(), dmq1 = new_secure_bn(),
        iqmp = new_secure_bn();
  if (BN_mod_inverse(iqmp.get(), bn_q.get(), bn_p.get(), ctx.get()) == nullptr ||
      BN_sub(p1.get(), bn_p.get(), BN_value_one()) != 1 ||
      BN_sub(q1.get(), bn_q.get(), BN_value_one()) != 1 ||
      BN_mod(dmp1.get(), bn_d.get(), p1.get(), ctx.get()) != 1 ||
      BN_mod(dmq1.get(), bn_d.get(), q1.get(), ctx.get()) != 1) {
    ERR_clear_error();
    return invalid_argument("bad_secret_key", "inconsistent RSA components");
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) out_of_memory();
  const std::pair<const char*, const BIGNUM*> fields[] = {
      {OSSL_PKEY_PARAM_RSA_N, bn_n.get()},         {OSSL_PKEY_PARAM_RSA_E, bn_e.get()},
      {OSSL_PKEY_PARAM_RSA_D, bn_d.get()},         {OSSL_PKEY_PARAM_RSA_FACTOR1, bn_p.get()},
      {OSSL_PKEY_PARAM_RSA_FACTOR2, bn_q.get()},   {OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1.get()},
      {OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1.get()}, {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp.get()},
  };
  for (const auto& [name, value] : fields) {
    if (OSSL_PARAM_BLD_push_BN(bld.get(), name, value) != 1) {
      return openssl_failure("openssl_error", "cannot build RSA parameters");
    }
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !pctx || EVP_PKEY_fromdata_init(pctx.get()) != 1 ||
      EVP_PKEY_fromdata(pctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    ERR_clear_error();
    return invalid_argument("bad_secret_key", "OpenSSL rejected the RSA components");
  }
  return BlindRsaKeyAccess::make_secret(PkeyPtr(raw));
}

SecretBytes BlindRsaSecretKey::to_pkcs8_der() const {
  return encode_pkcs8(BlindRsaKeyAccess::sec(*this).pkey.get(), "DER");
}

SecretBytes BlindRsaSecretKey::to_pkcs8_pem() const {
  return encode_pkcs8(BlindRsaKeyAccess::sec(*this).pkey.get(), "PEM");
}

const BlindRsaPublicKey& BlindRsaSecretKey::public_key() const noexcept {
  return BlindRsaKeyAccess::sec(*this).pub;
}

Result<Bytes> BlindRsaSecretKey::blind_sign(ByteView blinded_msg) const {
  const auto& self = BlindRsaKeyAccess::sec(*this);
  const auto& pub = BlindRsaKeyAccess::pub(self.pub);
  const std::size_t k = pub.n_bytes.size();
  if (blinded_msg.size() != k) {
    return invalid_argument("bad_length",
                            "blinded message must be " + std::to_string(k) + " bytes");
  }
  // RFC 9474 §4.3 / RSASP1: m must lie in [0, n). OpenSSL would refuse too,
  // but hostile input gets its own stable reason.
  if (!less_than(blinded_msg, pub.n_bytes)) {
    return invalid_argument("blinded_message_out_of_range",
                            "blinded message is not smaller than the modulus");
  }

  // The raw private-key operation through EVP: OpenSSL uses CRT, its own
  // base blinding against timing attacks, and constant-time exponentiation.
  // Each call works on its own copy of the prototype context, so the shared
  // EVP_PKEY stays read-only and one key serves many threads.
  Bytes sig(k);
  std::size_t sig_len = k;
  {
    PkeyCtxPtr ctx = dup_ctx(self.raw_private.get());
    if (EVP_PKEY_decrypt(ctx.get(), sig.data(), &sig_len, blinded_msg.data(), k) != 1 ||
        sig_len != k) {
      return openssl_failure("signing_failure", "RSA private-key operation failed");
    }
  }
  // Bellcore / Lenstra: a fault in one CRT half yields a signature that
  // reveals a factor of n. RFC 9474 §4.3 step 3: check s^e mod n == m before
  // releasing s (a public-key operation, ~3 % of the cost).
  Bytes check(k);
  std::size_t check_len = k;
  {
    PkeyCtxPtr ctx = dup_ctx(pub.raw_public.get());
    if (EVP_PKEY_encrypt(ctx.get(), check.data(), &check_len, sig.data(), k) != 1 ||
        check_len != k) {
      return openssl_failure("signing_failure", "RSA signature self-check failed");
    }
  }
  if (CRYPTO_memcmp(check.data(), blinded_msg.data(), k) != 0) {
    return internal_error("signing_failure",
                          "RSA signature self-check failed (s^e != m); not released");
  }
  return sig;
}

// ---------------------------------------------------------------------------
// Client and verifier

namespace blind_rsa_detail {

Bytes prepare_with_prefix(ByteView msg, ByteView prefix) {
  if (prefix.size() != kBlindRsaPrefixLength) std::abort();  // contract
  Bytes out(prefix.begin(), prefix.end());
  append(out, msg);
  return out;
}

Result<Bytes> emsa_pss_encode(ByteView msg, std::size_t em_bits, ByteView salt) {
  const std::size_t em_len = (em_bits + 7) / 8;
  const std::size_t s_len = salt.size();
  if (em_len < kHashLength + s_len + 2) {
    return invalid_argument("encoding_error", "modulus too small for EMSA-PSS");
  }
  const FixedBytes<48> m_hash = sha384(msg);
  Bytes m_prime(8, 0);  // M' = 0x00 * 8 || mHash || salt
  append(m_prime, m_hash);
  append(m_prime, salt);
  const FixedBytes<48> h = sha384(m_prime);

  const std::size_t db_len = em_len - kHashLength - 1;
  Bytes em = mgf1_sha384(h, db_len);  // dbMask, xored with DB in place
  // DB = PS (zeros) || 0x01 || salt
  const std::size_t one_at = db_len - s_len - 1;
  em[one_at] ^= 0x01;
  for (std::size_t i = 0; i < s_len; ++i) em[one_at + 1 + i] ^= salt[i];
  // Clear the leftmost 8·emLen − emBits bits.
  em[0] &= static_cast<std::uint8_t>(0xff >> (8 * em_len - em_bits));
  append(em, h);
  em.push_back(0xbc);
  return em;
}

Result<BlindedMessage> blind_with(const BlindRsaPublicKey& pk, BlindRsaVariant v,
                                  ByteView prepared_msg, ByteView r_bytes, ByteView salt) {
  const auto& pub = BlindRsaKeyAccess::pub(pk);
  const std::size_t k = pub.n_bytes.size();
  if (salt.size() != blind_rsa_salt_length(v)) {
    return invalid_argument("bad_salt_length", "salt length does not match the variant");
  }
  URNE_ASSIGN_OR_RETURN(Bytes encoded, emsa_pss_encode(prepared_msg, pub.bits - 1, salt));

  BnCtxPtr ctx = new_bn_ctx();
  BnPtr m = bn_from(encoded);
  BnPtr g = new_bn();
  // RFC 9474 §4.2 step 3: m must be coprime with n (fails only for a key
  // whose factors are tiny, i.e. a malicious key).
  if (BN_gcd(g.get(), m.get(), pub.n.get(), ctx.get()) != 1 || !BN_is_one(g.get())) {
    return invalid_argument("message_not_coprime",
                            "encoded message is not coprime with the modulus");
  }

  if (r_bytes.size() != k) {
    return invalid_argument("blinding_error", "blinding factor must be k bytes");
  }
  BnPtr r = secure_bn_from(r_bytes);
  BN_set_flags(r.get(), BN_FLG_CONSTTIME);
  if (BN_is_zero(r.get()) || BN_cmp(r.get(), pub.n.get()) >= 0) {
    return invalid_argument("blinding_error", "blinding factor outside [1, n)");
  }
  // gcd(r, n) = 1, i.e. r is invertible: otherwise inv does not exist and
  // r would reveal a factor of n (RFC 9474 §4.2 step 6).
  if (BN_gcd(g.get(), r.get(), pub.n.get(), ctx.get()) != 1 || !BN_is_one(g.get())) {
    ERR_clear_error();
    return invalid_argument("blinding_error", "blinding factor is not invertible");
  }
  BnPtr inv(BN_mod_inverse(nullptr, r.get(), pub.n.get(), ctx.get()));
  if (!inv) {
    ERR_clear_error();
    return invalid_argument("blinding_error", "blinding factor is not invertible");
  }
  // x = r^e mod n; r is secret, so use the constant-time exponentiation.
  BnPtr x = new_bn();
  BnPtr z = new_bn();
  if (BN_mod_exp_mont_consttime(x.get(), r.get(), pub.e.get(), pub.n.get(), ctx.get(), nullptr) !=
          1 ||
      BN_mod_mul(z.get(), m.get(), x.get(), pub.n.get(), ctx.get()) != 1) {
    return openssl_failure("openssl_error", "blinding arithmetic failed");
  }
  BlindedMessage out;
  out.blinded_msg = bn_to_bytes(z.get(), k);
  const SecretBytes inv_bytes = bn_to_secret(inv.get(), k);
  out.inv = BlindingInverse::from_bytes(inv_bytes.view());
  return out;
}

Result<Bytes> invert_mod_n(const BlindRsaPublicKey& pk, ByteView x_bytes) {
  const auto& pub = BlindRsaKeyAccess::pub(pk);
  if (x_bytes.size() > pub.n_bytes.size()) {
    return invalid_argument("bad_length", "value longer than the modulus");
  }
  BnCtxPtr ctx = new_bn_ctx();
  BnPtr x = bn_from(x_bytes);
  BnPtr inv(BN_mod_inverse(nullptr, x.get(), pub.n.get(), ctx.get()));
  if (!inv) {
    ERR_clear_error();
    return invalid_argument("not_invertible", "value has no inverse modulo n");
  }
  return bn_to_bytes(inv.get(), pub.n_bytes.size());
}

}  // namespace blind_rsa_detail

Bytes blind_rsa_prepare(BlindRsaVariant v, ByteView msg, Rng& rng) {
  if (!blind_rsa_is_randomized(v)) return Bytes(msg.begin(), msg.end());
  FixedBytes<kBlindRsaPrefixLength> prefix{};
  rng.fill(prefix);
  return blind_rsa_detail::prepare_with_prefix(msg, prefix);
}

Result<BlindedMessage> blind_rsa_blind(const BlindRsaPublicKey& pk, BlindRsaVariant v,
                                       ByteView prepared_msg, Rng& rng) {
  const auto& pub = BlindRsaKeyAccess::pub(pk);
  const std::size_t k = pub.n_bytes.size();
  Bytes salt(blind_rsa_salt_length(v));
  // PSSZERO has no salt; an empty fill would hand the Rng a null pointer.
  if (!salt.empty()) rng.fill(salt);
  // r uniform in [1, n) by rejection sampling (RFC 9474 §4.2
  // random_integer_uniform): draw bits(n) bits, retry when 0 or >= n. Each try
  // succeeds with probability > 1/2; 128 failures mean a broken Rng.
  const unsigned excess = static_cast<unsigned>(8 * k - pub.bits);
  const auto top_mask = static_cast<std::uint8_t>(0xff >> excess);
  for (int attempt = 0; attempt < 128; ++attempt) {
    SecretBytes r = SecretBytes::build(k, [&](std::span<std::uint8_t> b) {
      rng.fill(b);
      b[0] &= top_mask;
    });
    const ByteView rv = r.view();
    const bool zero = std::all_of(rv.begin(), rv.end(), [](std::uint8_t c) { return c == 0; });
    if (zero || !less_than(rv, pub.n_bytes)) continue;
    auto blinded = blind_rsa_detail::blind_with(pk, v, prepared_msg, rv, salt);
    // A non-invertible r (it would reveal a factor of n) is drawn again.
    if (!blinded.ok() && blinded.status().reason() == "blinding_error") continue;
    return blinded;
  }
  return internal_error("rng_failure", "could not draw a blinding factor");
}

Result<Bytes> blind_rsa_finalize(const BlindRsaPublicKey& pk, BlindRsaVariant v,
                                 ByteView prepared_msg, ByteView blind_sig,
                                 const BlindingInverse& inv) {
  const auto& pub = BlindRsaKeyAccess::pub(pk);
  const std::size_t k = pub.n_bytes.size();
  if (blind_sig.size() != k) {
    return invalid_argument("bad_length",
                            "blind signature must be " + std::to_string(k) + " bytes");
  }
  if (!less_than(blind_sig, pub.n_bytes)) {
    return invalid_argument("blind_signature_out_of_range",
                            "blind signature is not smaller than the modulus");
  }
  if (inv.bytes().size() != k) {
    return invalid_argument("bad_blinding_inverse", "blinding inverse has the wrong size");
  }
  BnCtxPtr ctx = new_bn_ctx();
  BnPtr z = bn_from(blind_sig);
  BnPtr inv_bn = bn_from(inv.bytes());
  BN_set_flags(inv_bn.get(), BN_FLG_CONSTTIME);
  BnPtr s = new_bn();
  if (BN_mod_mul(s.get(), z.get(), inv_bn.get(), pub.n.get(), ctx.get()) != 1) {
    return openssl_failure("openssl_error", "unblinding arithmetic failed");
  }
  Bytes sig = bn_to_bytes(s.get(), k);
  // RFC 9474 §4.4 step 4: the client trusts the signature only after
  // verifying it (a wrong key or a cheating signer is caught here).
  if (Status st = blind_rsa_verify(pk, v, prepared_msg, sig); !st) {
    return unauthenticated("bad_signature",
                           "the signer's response does not finalize to a valid "
                           "signature under this key");
  }
  return sig;
}

Status blind_rsa_verify(const BlindRsaPublicKey& pk, BlindRsaVariant v, ByteView prepared_msg,
                        ByteView sig) {
  const auto& pub = BlindRsaKeyAccess::pub(pk);
  const std::size_t k = pub.n_bytes.size();
  if (sig.size() != k) {
    return invalid_argument("bad_length", "signature must be " + std::to_string(k) + " bytes");
  }
  // s and s + n would both pass RSAVP1 if it reduced mod n; RFC 8017 §5.2.2
  // requires s < n. Checked here so that no verifier depends on OpenSSL's
  // internal range check for this.
  if (!less_than(sig, pub.n_bytes)) {
    return unauthenticated("signature_out_of_range", "signature is not smaller than the modulus");
  }
  FixedBytes<48> digest{};
  unsigned int digest_len = 0;
  if (EVP_Digest(prepared_msg.data(), prepared_msg.size(), digest.data(), &digest_len,
                 pub.sha384.get(), nullptr) != 1 ||
      digest_len != digest.size()) {
    return openssl_failure("openssl_error", "SHA-384 failed");
  }
  PkeyCtxPtr ctx = dup_ctx(pub.verify_ctx(v));
  if (EVP_PKEY_verify(ctx.get(), sig.data(), k, digest.data(), digest.size()) != 1) {
    ERR_clear_error();
    return unauthenticated("bad_signature", "RSA-PSS signature does not verify");
  }
  return Status::ok();
}

}  // namespace urne
