// Listener and sessions over Beast + Asio + OpenSSL. The only server TU that
// includes Beast's HTTP and SSL stream machinery (slow to compile).
//
// Shape follows Beast's advanced_server_flex example: listener accepts onto a
// fresh strand per connection; each session is a chain of do_x/on_x pairs
// bound to shared_from_this(), so it lives exactly as long as an operation is
// pending.
#include "server/listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "server/http_error.hpp"

namespace urne::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// Pending connections the kernel queues before accept().
constexpr int kListenBacklog = 128;
// Upper bound for any body while the header is read; the route's own limit
// (RouteOptions::body_limit) is applied once the route is known.
constexpr std::uint64_t kMaxAnyBodyLimit = std::uint64_t{16} * 1024 * 1024;

class Session;

// State shared by the listener, all sessions and Server::stop().
struct Shared {
  Shared(const Router& r, ServerLimits l, std::function<void(std::string_view)> lg)
      : router(r), limits(l), log(std::move(lg)) {}
  const Router& router;
  const ServerLimits limits;
  const std::function<void(std::string_view)> log;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};
  std::mutex mu;  // guards sessions
  std::map<const Session*, std::weak_ptr<Session>> sessions;
};

void default_log(std::string_view line) {
  std::string l(line);
  l += '\n';
  // One fwrite per line so that lines from several threads do not interleave.
  std::fwrite(l.data(), 1, l.size(), stderr);
}

Request to_request(http::request<http::string_body>&& req) {
  Request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.content_type = std::string(req[http::field::content_type]);
  for (const auto& f : req) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
  r.body = std::move(req.body());
  return r;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, ssl::context& ctx, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket), ctx), shared_(std::move(shared)) {
    ++shared_->connections;
  }
  ~Session() {
    {
      std::lock_guard lock(shared_->mu);
      shared_->sessions.erase(this);
    }
    --shared_->connections;
  }

  void run() {
    {
      std::lock_guard lock(shared_->mu);
      shared_->sessions[this] = weak_from_this();
    }
    // Continue on the connection's strand (the socket's executor).
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::do_handshake, shared_from_this()));
  }

  // Server::stop(): an idle or handshaking connection is closed now; a
  // request being handled finishes (send() then closes instead of reading).
  void stop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->state_ == State::kHandshake || self->state_ == State::kIdle)
        beast::get_lowest_layer(self->stream_).cancel();
    });
  }

 private:
  enum class State { kHandshake, kIdle, kBusy, kClosing };

  void do_handshake() {
    if (shared_->stopping) return;  // dropping the last reference closes
    beast::get_lowest_layer(stream_).expires_after(shared_->limits.handshake_timeout);
    stream_.async_handshake(ssl::stream_base::server,
                            beast::bind_front_handler(&Session::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return;  // failed TLS (old version, untrusted, timeout): just drop
    do_read();
  }

  void do_read() {
    if (shared_->stopping) return do_close();
    state_ = State::kIdle;
    parser_.emplace();
    route_ = "-";
    method_.clear();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->limits.header_limit));
    parser_->body_limit(kMaxAnyBodyLimit);
    // One deadline for idle time plus the whole header: slow clients go.
    beast::get_lowest_layer(stream_).expires_after(shared_->limits.header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Session::on_read_header, shared_from_this()));
  }

  void on_read_header(beast::error_code ec, std::size_t) {
    state_ = State::kBusy;
    if (ec) return on_read_error(ec);
    started_ = Clock::now();
    const auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    method_ = std::string(req.method_string());
    // Only "chunked" is decoded; a body in another transfer coding (gzip,
    // ...) would otherwise be taken as plain bytes (RFC 9112 §6.1).
    if (const auto te = req.count(http::field::transfer_encoding);
        te != 0 && (te != 1 || !beast::iequals(req[http::field::transfer_encoding], "chunked"))) {
      keep_alive_ = false;
      drain_after_write_ = true;
      return send(
          error_response(invalid_argument(kReasonBadRequest, "unsupported transfer coding")));
    }
    const std::size_t limit =
        shared_->router.body_limit(req.method_string(), req.target(), &route_);
    // Refuse an announced oversized body before reading any of it.
    if (parser_->content_length() && *parser_->content_length() > limit)
      return on_read_error(http::error::body_limit);
    parser_->body_limit(limit);
    if (parser_->is_done()) return on_read({}, 0);
    beast::get_lowest_layer(stream_).expires_after(shared_->limits.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    send(shared_->router.dispatch(to_request(parser_->release())));
  }

  // Broken or over-limit requests: answer if HTTP still makes sense, then
  // close (the rest of the stream cannot be trusted to be in sync).
  void on_read_error(beast::error_code ec) {
    if (started_ == Clock::time_point{}) started_ = Clock::now();
    keep_alive_ = false;
    if (ec == http::error::header_limit)
      return send(error_response(
          Status(Code::kResourceExhausted, kReasonHeaderTooLarge, "request header too large")));
    if (ec == http::error::body_limit) {
      // The client is still sending the body: read it away after the 413
      // (bounded) so that closing does not reset the connection under the
      // answer (a TCP reset can destroy a response the client has not read).
      drain_after_write_ = true;
      return send(with_route(error_response(
          Status(Code::kResourceExhausted, kReasonPayloadTooLarge, "request body too large"))));
    }
    if (ec == http::error::end_of_stream) return do_close();  // client closed
    if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::partial_message)
      return send(error_response(invalid_argument(kReasonBadRequest, "malformed request")));
    // Timeouts (slow clients), resets, cancellation by stop(): drop, no
    // close_notify (the peer is gone or not cooperating).
  }

  Response with_route(Response r) const {
    r.route = route_;
    return r;
  }

  void send(Response r) {
    const bool keep_alive = keep_alive_ && !shared_->stopping;
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    res->set(http::field::content_type, r.content_type);
    res->set(http::field::strict_transport_security, kHstsValue);
    for (auto& [name, value] : r.headers) res->set(name, value);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    if (r.log) log(r.status, r.route);
    res_ = res;
    state_ = State::kBusy;
    beast::get_lowest_layer(stream_).expires_after(shared_->limits.write_timeout);
    http::async_write(
        stream_, *res_,
        beast::bind_front_handler(&Session::on_write, shared_from_this(), keep_alive));
  }

  void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    res_.reset();
    if (ec) return;
    if (!keep_alive && drain_after_write_) return do_drain(0);
    if (!keep_alive) return do_close();
    started_ = Clock::time_point{};
    do_read();
  }

  // Discards what the client still sends, up to kDrainLimit bytes or
  // kShutdownTimeout, then closes.
  void do_drain(std::size_t drained) {
    state_ = State::kClosing;
    if (drained >= kDrainLimit) return do_close();
    if (drained == 0) beast::get_lowest_layer(stream_).expires_after(kShutdownTimeout);
    stream_.async_read_some(net::buffer(drain_buffer_), [self = shared_from_this(), drained](
                                                            beast::error_code ec, std::size_t n) {
      if (ec) return self->do_close();
      self->do_drain(drained + n);
    });
  }

  void do_close() {
    state_ = State::kClosing;
    beast::get_lowest_layer(stream_).expires_after(kShutdownTimeout);
    stream_.async_shutdown(beast::bind_front_handler(&Session::on_shutdown, shared_from_this()));
  }

  void on_shutdown(beast::error_code) {
    // Whatever the peer did, we are done; the socket closes with us.
  }

  // One line per request; no client address, no body, no raw target (it may
  // hold ids or tokens): the route pattern instead.
  void log(int status, const std::string& route) {
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
    char ts[32];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char line[512];
    std::snprintf(line, sizeof line,
                  "{\"t\":\"%s\",\"method\":\"%.16s\",\"route\":\"%.200s\",\"status\":%d,"
                  "\"ms\":%.2f}",
                  ts, method_.empty() ? "-" : method_.c_str(), route.empty() ? "-" : route.c_str(),
                  status, ms);
    shared_->log(line);
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  std::shared_ptr<Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> res_;
  State state_ = State::kHandshake;
  bool keep_alive_ = false;
  std::string method_;
  std::string route_;  // pattern of the request being read, for the log
  bool drain_after_write_ = false;
  std::array<char, std::size_t{16} * 1024> drain_buffer_{};
  Clock::time_point started_{};
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, ssl::context& ctx, std::shared_ptr<Shared> shared)
      : ioc_(ioc), ctx_(ctx), acceptor_(net::make_strand(ioc)), shared_(std::move(shared)) {}

  Status open(const tcp::endpoint& ep) {
    beast::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(kListenBacklog, ec);
    if (ec) return Status(Code::kUnavailable, "listen_failed", ec.message());
    port_ = acceptor_.local_endpoint(ec).port();
    return Status::ok();
  }
  std::uint16_t port() const { return port_; }

  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (shared_->stopping || !acceptor_.is_open()) return;
    if (!ec) {
      if (shared_->connections.load() >= shared_->limits.max_connections) {
        socket.close(ec);  // over the cap: refuse before any TLS work
      } else {
        std::make_shared<Session>(std::move(socket), ctx_, shared_)->run();
      }
    }
    do_accept();
  }

  net::io_context& ioc_;
  ssl::context& ctx_;
  tcp::acceptor acceptor_;
  std::shared_ptr<Shared> shared_;
  std::uint16_t port_ = 0;
};

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, const Router& router)
      : options(std::move(o)),
        ctx(ssl::context::tls_server),
        ioc(static_cast<int>(options.threads == 0 ? 1 : options.threads)),
        shared(std::make_shared<Shared>(router, options.limits,
                                        options.log ? options.log : default_log)) {}
  ServerOptions options;
  // Declared before ioc: sessions still queued in ioc when it is destroyed
  // refer to the context.
  ssl::context ctx;
  net::io_context ioc;
  std::shared_ptr<Shared> shared;
  std::shared_ptr<Listener> listener;
  std::optional<net::signal_set> signals;
  std::atomic<bool> stopped{false};
};

Result<std::unique_ptr<Server>> Server::create(ServerOptions options, const TlsIdentity& identity,
                                               const Router& router) {
  beast::error_code ec;
  const auto addr = net::ip::make_address(options.address, ec);
  if (ec) return invalid_argument("bad_listen_address", "cannot parse " + options.address);
  auto impl = std::make_unique<Impl>(std::move(options), router);
  URNE_RETURN_IF_ERROR(configure_server_tls(impl->ctx.native_handle(), identity));
  impl->listener = std::make_shared<Listener>(impl->ioc, impl->ctx, impl->shared);
  URNE_RETURN_IF_ERROR(impl->listener->open(tcp::endpoint(addr, impl->options.port)));
  if (impl->options.handle_signals) impl->signals.emplace(impl->ioc, SIGINT, SIGTERM);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

std::uint16_t Server::port() const noexcept { return impl_->listener->port(); }

void Server::run() {
  if (impl_->signals)
    impl_->signals->async_wait([this](beast::error_code ec, int) {
      if (!ec) stop();
    });
  impl_->listener->do_accept();
  std::vector<std::thread> threads;
  const unsigned n = impl_->options.threads == 0 ? 1 : impl_->options.threads;
  threads.reserve(n - 1);
  for (unsigned i = 1; i < n; ++i) threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->shared->stopping = true;
  impl_->listener->stop();
  if (impl_->signals)
    net::post(impl_->ioc, [this] {
      beast::error_code ec;
      impl_->signals->cancel(ec);
    });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(impl_->shared->mu);
    for (auto& [ptr, weak] : impl_->shared->sessions)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->stop();
}

}  // namespace urne::server
