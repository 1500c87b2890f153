// RawTlsConnection: one TLS connection to urne-server on 127.0.0.1 that a
// fault test drives by hand, for the clients HttpsClient is built never to
// be: one that stops in the middle of a request body, or one that resets the
// connection right after the last request byte without reading the answer.
// The server's certificate is pinned (its SHA-256, as urne-server prints
// it) before a single request byte is sent, like client::HttpsClient does.
//
// Thread-safety: one owner; connections share nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/status.hpp"

namespace urne::test {

class RawTlsConnection {
 public:
  // TCP connect to 127.0.0.1:port, TLS handshake, then the peer certificate
  // must hash to `fingerprint` ("AA:BB:..." or plain hex, any case).
  // Errors: kUnavailable "connect_failed" / "tls_handshake_failed";
  // kUnauthenticated "certificate_mismatch".
  [[nodiscard]] static Result<std::unique_ptr<RawTlsConnection>> connect(
      std::uint16_t port, std::string_view fingerprint);
  ~RawTlsConnection();  // closes (RST) if still open
  RawTlsConnection(const RawTlsConnection&) = delete;
  RawTlsConnection& operator=(const RawTlsConnection&) = delete;

  // Writes all of `bytes` as TLS application data. kUnavailable "write_failed".
  [[nodiscard]] Status write(std::string_view bytes);
  // Closes the TCP connection without a TLS close_notify: with a FIN
  // (`reset` false) or with a RST (SO_LINGER 0, `reset` true), without
  // reading anything the server sent.
  void drop(bool reset);

  struct Impl;

 private:
  explicit RawTlsConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// An HTTP/1.1 request as bytes: request line, Host, Content-Type (when not
// empty), `headers`, Content-Length: `content_length` (the body's own size
// unless given: a test announces more than it sends), the body.
std::string http_request_bytes(std::string_view method, std::string_view target,
                               std::string_view content_type, std::string_view body,
                               const std::vector<std::pair<std::string, std::string>>& headers = {},
                               std::size_t content_length = static_cast<std::size_t>(-1));

}  // namespace urne::test
