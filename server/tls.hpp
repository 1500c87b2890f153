// TLS identity and policy for urne-server (no Asio, no Beast).
//
// A TlsIdentity is a certificate chain and its private key, both as PEM files
// on disk, plus the SHA-256 fingerprint of the leaf certificate's DER. It is
// either given by the operator (--cert/--key) or a self-signed ECDSA P-256
// certificate that this module generates once into the data directory
// (cert.pem, key.pem with mode 0600) and reuses on every later start, so that
// delegates who pinned the fingerprint keep trusting the server.
//
// configure_server_tls() applies the one TLS policy of the service to an
// OpenSSL SSL_CTX: TLS 1.2 and 1.3 only, ECDHE with AEAD ciphers only, no
// compression, no renegotiation.
//
// Thread-safety: free functions without shared state; callers must not use
// the same data directory from two processes at once.
#pragma once

#include <filesystem>
#include <string>

#include "crypto/random.hpp"
#include "crypto/status.hpp"

typedef struct ssl_ctx_st SSL_CTX;  // NOLINT: OpenSSL's own declaration

namespace urne::server {

struct TlsIdentity {
  std::filesystem::path cert_file;     // PEM, leaf first, then intermediates
  std::filesystem::path key_file;      // PEM private key
  std::string fingerprint_sha256;      // "AB:CD:..." of the leaf's DER
  bool self_signed_generated = false;  // true when created by this call
};

// Reads the operator's certificate and key, checks that they parse and
// belong together. Errors: kInvalidArgument "tls_certificate_invalid",
// "tls_key_invalid", "tls_key_mismatch"; kNotFound "tls_file_missing".
[[nodiscard]] Result<TlsIdentity> load_tls_identity(const std::filesystem::path& cert_file,
                                                    const std::filesystem::path& key_file);

// Loads <data_dir>/cert.pem + key.pem if both exist, otherwise generates a
// self-signed ECDSA P-256 certificate for 127.0.0.1 and localhost (SAN),
// valid for kSelfSignedValidityDays, and writes both (key 0600, written
// atomically). `rng` supplies the serial number. Errors: those of
// load_tls_identity, kFailedPrecondition "tls_identity_incomplete" (only one
// of the two files exists), "tls_key_permissions" (key readable by group or
// others), kInternal "tls_generate_failed", "tls_write_failed".
[[nodiscard]] Result<TlsIdentity> load_or_create_self_signed(const std::filesystem::path& data_dir,
                                                             Rng& rng);

// Applies the TLS policy and the identity to `ctx` (a server context).
// Errors: kInvalidArgument as in load_tls_identity, kInternal
// "tls_policy_failed".
[[nodiscard]] Status configure_server_tls(SSL_CTX* ctx, const TlsIdentity& identity);

// "AB:CD:.." SHA-256 of the first certificate in a PEM string; errors:
// kInvalidArgument "tls_certificate_invalid".
[[nodiscard]] Result<std::string> pem_certificate_fingerprint(const std::string& pem);

}  // namespace urne::server
