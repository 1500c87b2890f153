// Server: the HTTPS front of urne (Beast-free facade; Beast lives in
// listener.cpp only).
//
// listener -> session -> router: an acceptor hands each TCP connection to a
// session that runs on its own strand, performs the TLS handshake, reads one
// HTTP/1.1 request at a time (keep-alive, no pipelining queue), hands it to
// the Router and writes the response with HSTS. Every limit is a field of
// ServerLimits with a named default.
//
// Lifecycle: create() binds and listens (port 0 = ephemeral; port() tells
// which); run() serves on `threads` threads (the caller's included) until
// stop(); stop() may be called from any thread or from a signal handler set
// up by run() when handle_signals is true (SIGINT/SIGTERM): it stops
// accepting, closes idle connections, lets in-flight requests finish and
// then run() returns.
//
// Thread-safety: stop() and port() are thread-safe; run() once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "crypto/status.hpp"
#include "server/router.hpp"
#include "server/tls.hpp"

namespace urne::server {

// Headers of a request (request line included) beyond this are refused (431):
// our clients send a handful of short headers.
inline constexpr std::size_t kHeaderLimit = std::size_t{8} * 1024;
// Connections beyond this are closed right after accept: bounds memory and
// file descriptors against connection floods.
inline constexpr std::size_t kMaxConnections = 256;
// A client must finish the TLS handshake in this time.
inline constexpr std::chrono::milliseconds kHandshakeTimeout{10'000};
// A client must send a complete request header within this time after the
// previous response (keep-alive idle) or connecting: drops slowloris clients.
inline constexpr std::chrono::milliseconds kHeaderTimeout{15'000};
// The body (at most the route's limit) must arrive within this time.
inline constexpr std::chrono::milliseconds kBodyTimeout{30'000};
// A response must be taken by the client within this time.
inline constexpr std::chrono::milliseconds kWriteTimeout{30'000};
// Budget for the TLS close_notify exchange when closing a connection.
inline constexpr std::chrono::milliseconds kShutdownTimeout{2'000};
// After a 413 the rest of the refused body is read and discarded, up to this
// many bytes within kShutdownTimeout, so that the client sees the answer.
inline constexpr std::size_t kDrainLimit = std::size_t{4} << 20;
// Worker threads by default: twice the 2 cores of the assembly's machine,
// because a handler blocks while its store commits (fsync). With more
// threads than cores, issuances that arrive during a commit queue up and
// share the next one (the register's group commit), which lowered the CPU
// per issuance from 1.43-1.73x to 1.34x of an RSA operation at capacity
// (docs/performance.md).
inline constexpr unsigned kDefaultThreads = 4;
// Strict-Transport-Security on every response: one year.
inline constexpr std::string_view kHstsValue = "max-age=31536000";

struct ServerLimits {
  std::size_t header_limit = kHeaderLimit;
  std::size_t max_connections = kMaxConnections;
  std::chrono::milliseconds handshake_timeout = kHandshakeTimeout;
  std::chrono::milliseconds header_timeout = kHeaderTimeout;
  std::chrono::milliseconds body_timeout = kBodyTimeout;
  std::chrono::milliseconds write_timeout = kWriteTimeout;
};

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8443;  // 0: ephemeral
  unsigned threads = kDefaultThreads;
  ServerLimits limits;
  bool handle_signals = false;  // SIGINT/SIGTERM -> stop()
  // One line per request (no newline), e.g. for stderr. Default: stderr.
  std::function<void(std::string_view)> log;
};

class Server {
 public:
  // Errors: kInvalidArgument "bad_listen_address"; kUnavailable
  // "listen_failed" (port in use, no permission); TLS errors of
  // configure_server_tls().
  [[nodiscard]] static Result<std::unique_ptr<Server>> create(ServerOptions options,
                                                              const TlsIdentity& identity,
                                                              const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const noexcept;
  // Serves until stop(); returns after the last connection closed.
  void run();
  void stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace urne::server
