// TLS identity (self-signed generation, loading) and the server TLS policy.
#include "server/tls.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

#include "crypto/bytes.hpp"
#include "crypto/hash.hpp"
#include "server/files.hpp"

namespace urne::server {
namespace {

// A self-signed certificate is reused across restarts (delegates may have
// pinned its fingerprint), so it lives longer than a CA-issued one would;
// the operator replaces it with --cert/--key for a real deployment.
constexpr long kSelfSignedValidityDays = 825;
// Serial numbers: 16 random bytes, top bit cleared to stay positive (RFC 5280
// allows at most 20 octets).
constexpr std::size_t kSerialBytes = 16;
// Upper bound for a PEM file we read (a chain of a few certificates).
constexpr std::uintmax_t kMaxPemFileSize = 1 << 20;

// TLS 1.2 suites: forward secrecy (ECDHE) and AEAD only. TLS 1.3 suites are
// all AEAD; we list them to pin the set.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";

struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct X509ExtFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, X509ExtFree>;

Result<std::string> read_file(const std::filesystem::path& p) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(p, ec);
  if (ec) return Status(Code::kNotFound, "tls_file_missing", "cannot read " + p.string());
  if (size > kMaxPemFileSize)
    return invalid_argument("tls_certificate_invalid", p.string() + " is too large");
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  if (!in && !in.eof())
    return Status(Code::kNotFound, "tls_file_missing", "cannot read " + p.string());
  return s.str();
}

BioPtr mem_bio(const std::string& s) {
  return BioPtr(BIO_new_mem_buf(s.data(), static_cast<int>(s.size())));
}

Result<X509Ptr> parse_cert(const std::string& pem) {
  BioPtr bio = mem_bio(pem);
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return invalid_argument("tls_certificate_invalid", "no PEM certificate found");
  return cert;
}

std::string fingerprint(X509* cert) {
  const int len = i2d_X509(cert, nullptr);
  if (len <= 0) return {};
  Bytes der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  if (i2d_X509(cert, &p) != len) return {};
  const auto digest = sha256(der);
  std::string hex = hex_encode(digest);
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (i) out += ':';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i])));
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i + 1])));
  }
  return out;
}

std::string pem_of(BIO* bio) {
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  return mem ? std::string(mem->data, mem->length) : std::string();
}

Status add_ext(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    return internal_error("tls_generate_failed", "cannot add certificate extension");
  return Status::ok();
}

Result<std::pair<std::string, std::string>> generate_self_signed(Rng& rng) {
  // The key comes from OpenSSL's DRBG (EVP_EC_gen has no RNG parameter); the
  // serial, which must be unpredictable but is not secret, from the injected
  // Rng so tests stay reproducible where they need to.
  PkeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr cert(X509_new());
  if (!key || !cert) return internal_error("tls_generate_failed", "key generation failed");
  std::array<std::uint8_t, kSerialBytes> serial{};
  rng.fill(serial);
  serial[0] &= 0x7f;
  serial[0] |= 0x01;  // never zero, never negative
  BnPtr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  const char* cn = "urne-server self-signed";
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!bn || X509_set_version(cert.get(), 2) != 1 ||
      !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) ||
      !X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||  // clock skew
      !X509_time_adj_ex(X509_getm_notAfter(cert.get()), kSelfSignedValidityDays, 0, nullptr) ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(cn), -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1)
    return internal_error("tls_generate_failed", "cannot fill certificate");
  // An end-entity certificate (CA:FALSE): a client that trusts exactly this
  // certificate accepts it, but it cannot sign others.
  URNE_RETURN_IF_ERROR(add_ext(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  URNE_RETURN_IF_ERROR(add_ext(cert.get(), NID_key_usage, "critical,digitalSignature"));
  URNE_RETURN_IF_ERROR(add_ext(cert.get(), NID_ext_key_usage, "serverAuth"));
  URNE_RETURN_IF_ERROR(add_ext(cert.get(), NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"));
  URNE_RETURN_IF_ERROR(add_ext(cert.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
    return internal_error("tls_generate_failed", "cannot sign certificate");
  // Self-check: the certificate verifies under its own key.
  if (X509_verify(cert.get(), key.get()) != 1)
    return internal_error("tls_generate_failed", "self-check of the certificate failed");

  BioPtr cbio(BIO_new(BIO_s_mem()));
  BioPtr kbio(BIO_new(BIO_s_mem()));
  if (!cbio || !kbio || PEM_write_bio_X509(cbio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(kbio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return internal_error("tls_generate_failed", "cannot encode PEM");
  return std::pair{pem_of(cbio.get()), pem_of(kbio.get())};
}

}  // namespace

Result<std::string> pem_certificate_fingerprint(const std::string& pem) {
  URNE_ASSIGN_OR_RETURN(X509Ptr cert, parse_cert(pem));
  std::string fp = fingerprint(cert.get());
  if (fp.empty()) return invalid_argument("tls_certificate_invalid", "cannot encode certificate");
  return fp;
}

Result<TlsIdentity> load_tls_identity(const std::filesystem::path& cert_file,
                                      const std::filesystem::path& key_file) {
  URNE_ASSIGN_OR_RETURN(std::string cert_pem, read_file(cert_file));
  URNE_ASSIGN_OR_RETURN(std::string key_pem, read_file(key_file));
  URNE_ASSIGN_OR_RETURN(X509Ptr cert, parse_cert(cert_pem));
  BioPtr kbio = mem_bio(key_pem);
  PkeyPtr key(kbio ? PEM_read_bio_PrivateKey(kbio.get(), nullptr, nullptr, nullptr) : nullptr);
  // Wipe the key's PEM text before it goes back to the allocator.
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  if (!key)
    return invalid_argument("tls_key_invalid", "no usable PEM private key in " + key_file.string());
  if (X509_check_private_key(cert.get(), key.get()) != 1)
    return invalid_argument("tls_key_mismatch", "the key does not belong to the certificate");
  TlsIdentity id;
  id.cert_file = cert_file;
  id.key_file = key_file;
  id.fingerprint_sha256 = fingerprint(cert.get());
  return id;
}

Result<TlsIdentity> load_or_create_self_signed(const std::filesystem::path& data_dir, Rng& rng) {
  const auto cert_file = data_dir / "cert.pem";
  const auto key_file = data_dir / "key.pem";
  std::error_code ec;
  const bool have_cert = std::filesystem::exists(cert_file, ec);
  const bool have_key = std::filesystem::exists(key_file, ec);
  if (have_cert != have_key)
    return failed_precondition("tls_identity_incomplete",
                               "only one of cert.pem and key.pem exists in " + data_dir.string());
  if (!have_cert) {
    URNE_ASSIGN_OR_RETURN(auto pems, generate_self_signed(rng));
    // Key first: if we crash in between, the next start sees an incomplete
    // identity and refuses instead of silently making a new one.
    Status s = write_file_atomically(key_file, pems.second, 0600, "tls_write_failed");
    OPENSSL_cleanse(pems.second.data(), pems.second.size());
    URNE_RETURN_IF_ERROR(s);
    URNE_RETURN_IF_ERROR(write_file_atomically(cert_file, pems.first, 0644, "tls_write_failed"));
    URNE_ASSIGN_OR_RETURN(TlsIdentity id, load_tls_identity(cert_file, key_file));
    id.self_signed_generated = true;
    return id;
  }
  if (Status s = check_owner_only(key_file); !s) {
    return failed_precondition("tls_key_permissions", s.message());
  }
  return load_tls_identity(cert_file, key_file);
}

Status configure_server_tls(SSL_CTX* ctx, const TlsIdentity& identity) {
  // Compression (CRIME) and renegotiation (DoS, historic MITM) off; the
  // server's cipher order wins so a client cannot steer to a weaker suite.
  // (OpenSSL 3 already refuses client-initiated renegotiation unless
  // SSL_OP_ALLOW_CLIENT_RENEGOTIATION is set; NO_RENEGOTIATION covers both.)
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1 ||
      SSL_CTX_set1_groups_list(ctx, kGroups) != 1)
    return internal_error("tls_policy_failed", "cannot apply the TLS policy");
  if (SSL_CTX_use_certificate_chain_file(ctx, identity.cert_file.c_str()) != 1)
    return invalid_argument("tls_certificate_invalid",
                            "cannot load " + identity.cert_file.string());
  if (SSL_CTX_use_PrivateKey_file(ctx, identity.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return invalid_argument("tls_key_invalid", "cannot load " + identity.key_file.string());
  if (SSL_CTX_check_private_key(ctx) != 1)
    return invalid_argument("tls_key_mismatch", "the key does not belong to the certificate");
  return Status::ok();
}

}  // namespace urne::server
