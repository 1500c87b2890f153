// HttpsClient: a small synchronous HTTPS/1.1 client for urne-server (the
// `urne` CLI, the integration tests and the server benchmark). Transport only:
// it moves bytes and never parses JSON; callers decode bodies themselves.
//
// Trust is always explicit (TrustConfig): either the SHA-256 fingerprint of
// the server's certificate is pinned (the form urne-server prints, see
// server::TlsIdentity::fingerprint_sha256), or a CA file verifies the chain
// and the URL's host name or IP address. There is no "don't verify" mode.
//
// One HttpsClient is one keep-alive connection (TLS 1.2 or 1.3 only), opened
// by connect() and reopened when needed:
//   - Before a request on a connection that has served a response, the
//     client checks without blocking whether the server has closed it
//     meanwhile (e.g. its idle timeout); if so it reconnects before sending
//     anything. This is safe for every method: nothing has been sent yet.
//   - If a reused connection still turns out to be lost after the request
//     was sent (the close raced with it) and before any response byte
//     arrived, a GET or HEAD is retried once on a fresh connection; any other
//     method fails with kUnavailable "connection_lost", since the server may
//     or may not have acted on it. The urne API's POSTs are idempotent by
//     design (a repeated token request or ballot gets the same answer), so
//     its callers may resend such a POST themselves.
//
// Errors are Status values with stable reasons:
//   kInvalidArgument   bad_url, url_not_https, bad_fingerprint,
//                      bad_request (method, target or header not sendable),
//                      ca_file_invalid
//   kUnavailable       connect_failed, tls_handshake_failed, timeout,
//                      connection_lost, bad_response
//   kUnauthenticated   certificate_mismatch (pinned fingerprint differs),
//                      certificate_untrusted (CA chain or host name check
//                      failed)
// No request byte is sent before the server's certificate has passed.
//   kResourceExhausted response_too_large
// An HTTP error status (4xx/5xx) is not an error here: it is a response.
//
// Thread-safety: an HttpsClient is not thread-safe; use one client per
// thread (clients share nothing; distinct clients may run concurrently).
// parse_url and TrustConfig are value types. No global state is kept beyond
// what OpenSSL initializes itself.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/status.hpp"

namespace urne::client {

// The largest response body accepted by default: the whole bulletin board of
// a large election still fits, a misbehaving server cannot exhaust memory.
inline constexpr std::size_t kMaxResponseBody = std::size_t{64} * 1024 * 1024;
// Response headers beyond this size are refused (urne-server sends a few).
inline constexpr std::size_t kMaxResponseHeader = std::size_t{64} * 1024;
// Name resolution, TCP connect and TLS handshake together must finish
// within this time.
inline constexpr std::chrono::milliseconds kDefaultConnectTimeout{10'000};
// Sending a request and receiving its whole response must finish within this
// time (a 64 MiB board over a slow link included).
inline constexpr std::chrono::milliseconds kDefaultRequestTimeout{60'000};
// Budget for the polite TLS close_notify exchange when a client closes.
inline constexpr std::chrono::milliseconds kCloseTimeout{1'000};

// An https URL naming a server: "https://host[:port][/]". The host is a DNS
// name, an IPv4 address or an IPv6 address in brackets; no user info, path,
// query or fragment (targets are given per request).
struct Url {
  std::string host;  // lower-case name or IP address, no brackets
  std::uint16_t port = 443;
  bool host_is_ip = false;  // IPv4 or IPv6 literal

  // "https://host:port" (brackets around IPv6), for messages and logs.
  std::string to_string() const;
};

// Errors: kInvalidArgument "url_not_https" (another scheme, e.g. http://),
// "bad_url" (anything else malformed: user info, path, bad port or host).
[[nodiscard]] Result<Url> parse_url(std::string_view text);

// How the server's certificate is verified. Built only by the factories.
class TrustConfig {
 public:
  // Pins the SHA-256 of the leaf certificate's DER: "AB:CD:..." (32 hex
  // pairs separated by ':', as urne-server prints it) or 64 hex digits;
  // either case. Host name and validity dates are not checked: the pin is
  // the whole trust decision. Errors: kInvalidArgument "bad_fingerprint".
  [[nodiscard]] static Result<TrustConfig> pinned_sha256(std::string_view fingerprint);
  // Verifies the chain against the PEM certificates in `ca_file` (read at
  // connect) and the URL's host against the certificate (DNS name or IP
  // address SAN). Errors at connect: kInvalidArgument "ca_file_invalid".
  [[nodiscard]] static TrustConfig ca_file(std::filesystem::path ca_file);

  bool is_pinned() const noexcept { return pinned_; }
  // Contract: only when is_pinned().
  const std::array<std::uint8_t, 32>& pin() const;
  // Contract: only when !is_pinned().
  const std::filesystem::path& ca_path() const;

 private:
  TrustConfig() = default;
  bool pinned_ = false;
  std::array<std::uint8_t, 32> pin_{};
  std::filesystem::path ca_file_;
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout = kDefaultConnectTimeout;
  std::chrono::milliseconds request_timeout = kDefaultRequestTimeout;
  std::size_t max_response_body = kMaxResponseBody;
};

struct HttpResponse {
  int status = 0;
  std::string content_type;  // Content-Type header, empty if none
  std::string body;
  // All response headers, lower-case names; repeated headers joined by ", ".
  std::map<std::string, std::string> headers;
};

// Counters of one client, for tests and the benchmark.
struct ClientStats {
  std::uint64_t connections = 0;  // TLS connections opened (connect() included)
  std::uint64_t requests = 0;     // responses received
  std::uint64_t retries = 0;      // GET/HEAD resent after a lost connection
};

class HttpsClient {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  // Opens the connection and verifies the server now, so that trust errors
  // show up before the first request. `url` is re-checked as parse_url
  // would (kInvalidArgument "bad_url"). Errors: see the file comment.
  [[nodiscard]] static Result<std::unique_ptr<HttpsClient>> connect(const Url& url,
                                                                    const TrustConfig& trust,
                                                                    ClientOptions options = {});
  // Sends close_notify (bounded by kCloseTimeout) and closes.
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // Sends one request and reads its response. `method` is an upper-case
  // token ("GET", "POST", ...); `target` an origin-form target starting with
  // '/' (already percent-encoded; no spaces or control characters);
  // `content_type` is sent when not empty; `headers` are extra request
  // headers (not Host, Content-Length, Transfer-Encoding or Connection,
  // which the client sets). Errors: see the file comment; after an error
  // the connection is closed and the next request opens a new one.
  [[nodiscard]] Result<HttpResponse> request(std::string_view method, std::string_view target,
                                             std::string_view body = {},
                                             std::string_view content_type = {},
                                             const Headers& headers = {});

  const Url& url() const noexcept;
  const ClientStats& stats() const noexcept;

  struct Impl;

 private:
  explicit HttpsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace urne::client
