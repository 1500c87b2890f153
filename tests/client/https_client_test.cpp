// urne_client against the real urne-server on 127.0.0.1 (ephemeral port,
// self-signed identity in a temporary directory), plus a scripted TLS server
// that drops connections at chosen points, for the retry rules.
#include "client/https_client.hpp"

#include <doctest/doctest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "crypto/bytes.hpp"
#include "crypto/random.hpp"
#include "server/listener.hpp"
#include "server/router.hpp"
#include "server/tls.hpp"
#include "test_util.hpp"

namespace {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace urne;
using namespace urne::client;
using urne::server::Request;
using urne::server::Response;

using test::TempDir;

server::TlsIdentity make_identity(const fs::path& dir) {
  SystemRng rng;
  auto id = server::load_or_create_self_signed(dir, rng);
  REQUIRE(id.ok());
  return *id;
}

server::ServerLimits short_limits() {
  server::ServerLimits l;
  l.header_timeout = std::chrono::milliseconds(1000);
  l.handshake_timeout = std::chrono::milliseconds(2000);
  l.body_timeout = std::chrono::milliseconds(2000);
  l.write_timeout = std::chrono::milliseconds(2000);
  return l;
}

// The real server with a few test routes, served on its own thread.
struct TestServer {
  TempDir dir;
  server::TlsIdentity identity;
  server::Router router;
  std::unique_ptr<server::Server> srv;
  std::thread thread;
  std::mutex mu;
  std::vector<std::string> log;
  std::atomic<bool> slow_release{false};

  explicit TestServer(server::ServerLimits limits = short_limits(),
                      std::string address = "127.0.0.1") {
    identity = make_identity(dir.path());
    fs::create_directories(dir.path() / "web");
    server::add_core_routes(router, dir.path() / "web");
    router.add("POST", "/api/v1/echo/{id}",
               [](const Request& r) {
                 Response res;
                 res.content_type = "text/plain";
                 res.body = r.params.at("id") + ":" + r.body;
                 auto h = r.headers.find("x-test");
                 if (h != r.headers.end()) res.headers.emplace_back("X-Echo", h->second);
                 return res;
               },
               {.content_type = "text/plain", .body_limit = 1024});
    router.add("GET", "/api/v1/big", [](const Request&) {
      Response res;
      res.content_type = "application/octet-stream";
      res.body = std::string(1000, 'x');
      return res;
    });
    router.add("GET", "/api/v1/slow", [this](const Request&) {
      while (!slow_release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return server::json_response(R"({"slow":true})");
    });
    server::ServerOptions o;
    o.address = std::move(address);
    o.port = 0;
    o.limits = limits;
    o.log = [this](std::string_view line) {
      std::lock_guard lock(mu);
      log.emplace_back(line);
    };
    auto s = server::Server::create(o, identity, router);
    REQUIRE(s.ok());
    srv = std::move(s).value();
    thread = std::thread([this] { srv->run(); });
  }
  ~TestServer() { stop(); }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;
  void stop() {
    slow_release = true;
    srv->stop();
    if (thread.joinable()) thread.join();
  }
  std::uint16_t port() const { return srv->port(); }
  Url url(const std::string& host = "127.0.0.1") const {
    auto u = parse_url("https://" + host + ":" + std::to_string(port()));
    REQUIRE(u.ok());
    return *u;
  }
  TrustConfig pin() const {
    auto t = TrustConfig::pinned_sha256(identity.fingerprint_sha256);
    REQUIRE(t.ok());
    return *t;
  }
  std::size_t log_lines() {
    std::lock_guard lock(mu);
    return log.size();
  }
};

// A TLS server that follows a script, for what the real server never does on
// purpose: per connection, answer `answers` requests (200, keep-alive), then
// read one more request and drop the connection without a response.
class DroppingServer {
 public:
  DroppingServer(const server::TlsIdentity& identity, std::vector<int> answers)
      : ctx_(ssl::context::tls_server),
        acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    REQUIRE(server::configure_server_tls(ctx_.native_handle(), identity).is_ok());
    thread_ = std::thread([this, answers = std::move(answers)] {
      for (int n : answers) serve(n);
    });
  }
  ~DroppingServer() { thread_.join(); }
  DroppingServer(const DroppingServer&) = delete;
  DroppingServer& operator=(const DroppingServer&) = delete;

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int requests_seen() const { return requests_seen_; }

 private:
  void serve(int answers) {
    beast::error_code ec;
    tcp::socket socket(ioc_);
    acceptor_.accept(socket, ec);
    if (ec) return;
    beast::ssl_stream<tcp::socket> stream(std::move(socket), ctx_);
    stream.handshake(ssl::stream_base::server, ec);
    if (ec) return;
    beast::flat_buffer buffer;
    for (int i = 0;; ++i) {
      http::request<http::string_body> req;
      http::read(stream, buffer, req, ec);
      if (ec) return;
      ++requests_seen_;
      if (i == answers) return;  // drop: the socket closes, no close_notify
      http::response<http::string_body> res{http::status::ok, 11};
      res.set(http::field::content_type, "text/plain");
      res.body() = "answer " + std::to_string(requests_seen_);
      res.keep_alive(true);
      res.prepare_payload();
      http::write(stream, res, ec);
      if (ec) return;
    }
  }

  net::io_context ioc_;
  ssl::context ctx_;
  tcp::acceptor acceptor_;
  std::atomic<int> requests_seen_{0};
  std::thread thread_;
};

std::unique_ptr<HttpsClient> connect_ok(const Url& url, const TrustConfig& trust,
                                        ClientOptions options = {}) {
  auto c = HttpsClient::connect(url, trust, options);
  REQUIRE_MESSAGE(c.ok(), c.status().to_string());
  return std::move(c).value();
}

}  // namespace

// ---------------------------------------------------------------- parsing

TEST_CASE("parse_url accepts https URLs with DNS names, IPv4 and bracketed IPv6") {
  auto u = parse_url("https://127.0.0.1:8443");
  REQUIRE(u.ok());
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 8443);
  CHECK(u->host_is_ip);
  CHECK(u->to_string() == "https://127.0.0.1:8443");

  u = parse_url("HTTPS://Urne.Example.org/");
  REQUIRE(u.ok());
  CHECK(u->host == "urne.example.org");
  CHECK(u->port == 443);
  CHECK_FALSE(u->host_is_ip);

  u = parse_url("https://[::1]:9000");
  REQUIRE(u.ok());
  CHECK(u->host == "::1");
  CHECK(u->port == 9000);
  CHECK(u->host_is_ip);
  CHECK(u->to_string() == "https://[::1]:9000");
}

TEST_CASE("parse_url refuses http, user info, paths and malformed hosts or ports") {
  auto r = parse_url("http://127.0.0.1:8443");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().reason() == "url_not_https");
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(parse_url("ftp://host").status().reason() == "url_not_https");
  for (const char* bad : {"",
                          "127.0.0.1:8443",
                          "https://",
                          "https://user:pw@host",
                          "https://user@host:1",
                          "https://host/api",
                          "https://host?x=1",
                          "https://host#f",
                          "https://host:",
                          "https://host:0",
                          "https://host:65536",
                          "https://host:+80",
                          "https://host:80a",
                          "https://host:123456",
                          "https://[::1",
                          "https://[::1]x",
                          "https://[fe80::1%25eth0]:1",
                          "https://[127.0.0.1]",
                          "https://-host",
                          "https://host-.example",
                          "https://a..b",
                          "https://ho st",
                          "https://1.2.3",
                          "https://999.1.1.1",
                          "https://host\r\nx"}) {
    CAPTURE(bad);
    auto b = parse_url(bad);
    REQUIRE_FALSE(b.ok());
    CHECK(b.status().reason() == "bad_url");
  }
  // The password of a refused URL does not end up in the message.
  CHECK(parse_url("https://u:hunter2@host").status().message().find("hunter2") ==
        std::string::npos);
}

TEST_CASE("pins are accepted in the server's fingerprint format and as plain hex only") {
  TempDir dir;
  const auto id = make_identity(dir.path());
  auto colon = TrustConfig::pinned_sha256(id.fingerprint_sha256);
  REQUIRE(colon.ok());
  CHECK(colon->is_pinned());
  std::string plain;
  for (char c : id.fingerprint_sha256)
    if (c != ':') plain += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto hex = TrustConfig::pinned_sha256(plain);
  REQUIRE(hex.ok());
  CHECK(hex->pin() == colon->pin());

  std::string short_fp = id.fingerprint_sha256.substr(3);
  std::string bad_sep = id.fingerprint_sha256;
  bad_sep[2] = '-';
  std::string bad_digit = plain;
  bad_digit[0] = 'g';
  std::string moved_colon = plain.substr(0, 63) + ":" + plain.substr(63);
  for (const std::string& bad : {std::string(), short_fp, bad_sep, bad_digit, plain + "00",
                                 moved_colon, std::string(95, ':'), " " + plain.substr(1)}) {
    CAPTURE(bad);
    auto r = TrustConfig::pinned_sha256(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().reason() == "bad_fingerprint");
  }
  CHECK_FALSE(TrustConfig::ca_file(dir.path() / "cert.pem").is_pinned());
}

// ------------------------------------------------------------ over TLS

TEST_CASE("GET and POST round trip on one keep-alive connection with a pinned fingerprint") {
  TestServer srv;
  auto c = connect_ok(srv.url(), srv.pin());
  auto r = c->request("GET", "/api/v1/health");
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  CHECK(r->status == 200);
  CHECK(r->content_type == "application/json");
  CHECK(r->body.find("\"status\":\"ok\"") != std::string::npos);
  CHECK(r->headers.at("strict-transport-security") == "max-age=31536000");

  r = c->request("POST", "/api/v1/echo/e1", "hello", "text/plain", {{"X-Test", "42"}});
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  CHECK(r->status == 200);
  CHECK(r->body == "e1:hello");
  CHECK(r->content_type == "text/plain");
  CHECK(r->headers.at("x-echo") == "42");

  // An HTTP error is a response, not a client error.
  r = c->request("GET", "/api/v1/nothing-here");
  REQUIRE(r.ok());
  CHECK(r->status == 404);
  r = c->request("POST", "/api/v1/echo/e1", "{}", "application/json");
  REQUIRE(r.ok());
  CHECK(r->status == 415);

  for (int i = 0; i < 5; ++i) {
    r = c->request("GET", "/api/v1/health");
    REQUIRE(r.ok());
    CHECK(r->status == 200);
  }
  CHECK(c->stats().connections == 1);  // keep-alive: the connect() connection throughout
  CHECK(c->stats().requests == 9);
  CHECK(c->stats().retries == 0);
  c.reset();  // closes
  srv.stop();
  CHECK(srv.log_lines() == 9);  // every request reached the server once
}

TEST_CASE("a wrong pinned fingerprint fails the handshake with certificate_mismatch") {
  TestServer srv;
  std::string fp = srv.identity.fingerprint_sha256;
  fp[0] = fp[0] == 'A' ? 'B' : 'A';
  auto wrong = TrustConfig::pinned_sha256(fp);
  REQUIRE(wrong.ok());
  auto c = HttpsClient::connect(srv.url(), *wrong);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Code::kUnauthenticated);
  CHECK(c.status().reason() == "certificate_mismatch");

  // Another server's (valid, self-signed) certificate is no better.
  TempDir other;
  auto other_pin = TrustConfig::pinned_sha256(make_identity(other.path()).fingerprint_sha256);
  REQUIRE(other_pin.ok());
  c = HttpsClient::connect(srv.url(), *other_pin);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().reason() == "certificate_mismatch");
  srv.stop();
  CHECK(srv.log_lines() == 0);  // no request was ever sent
}

TEST_CASE("CA-file trust accepts the server's certificate for its IP and DNS names only") {
  TestServer srv;
  const auto ca = TrustConfig::ca_file(srv.identity.cert_file);
  auto c = connect_ok(srv.url("127.0.0.1"), ca);
  auto r = c->request("GET", "/api/v1/health");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  // SAN DNS:localhost (resolved; may try ::1 first, where nobody listens).
  c = connect_ok(srv.url("localhost"), ca);
  r = c->request("GET", "/api/v1/health");
  REQUIRE(r.ok());
  CHECK(r->status == 200);

  // A hand-built Url is normalized: 127.0.0.1 is still checked as an IP.
  c = connect_ok(Url{.host = "127.0.0.1", .port = srv.port(), .host_is_ip = false}, ca);
  CHECK(c->url().host_is_ip);
  auto bad_url = HttpsClient::connect(Url{.host = "a b", .port = srv.port()}, ca);
  REQUIRE_FALSE(bad_url.ok());
  CHECK(bad_url.status().reason() == "bad_url");

  // A CA that did not issue the certificate.
  TempDir other;
  const auto other_id = make_identity(other.path());
  auto bad = HttpsClient::connect(srv.url(), TrustConfig::ca_file(other_id.cert_file));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kUnauthenticated);
  CHECK(bad.status().reason() == "certificate_untrusted");

  // A missing CA file.
  bad = HttpsClient::connect(srv.url(), TrustConfig::ca_file(other.path() / "nope.pem"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().reason() == "ca_file_invalid");
}

TEST_CASE("CA-file trust refuses a host the certificate does not name") {
  // The certificate names 127.0.0.1 and localhost; this server answers on
  // 127.0.0.2 (all of 127/8 is loopback on Linux).
  TestServer srv(short_limits(), "127.0.0.2");
  auto bad =
      HttpsClient::connect(srv.url("127.0.0.2"), TrustConfig::ca_file(srv.identity.cert_file));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kUnauthenticated);
  CHECK(bad.status().reason() == "certificate_untrusted");
  // The pin does not depend on the name.
  auto c = connect_ok(srv.url("127.0.0.2"), srv.pin());
  auto r = c->request("GET", "/api/v1/health");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
}

TEST_CASE("a stopped server gives connect_failed, to new and to existing clients") {
  auto srv = std::make_unique<TestServer>();
  const Url url = srv->url();
  const TrustConfig pin = srv->pin();
  auto c = connect_ok(url, pin);
  REQUIRE(c->request("GET", "/api/v1/health").ok());
  srv.reset();  // stops; closes the idle connection; the port is free again

  auto fresh = HttpsClient::connect(url, pin);
  REQUIRE_FALSE(fresh.ok());
  CHECK(fresh.status().code() == Code::kUnavailable);
  CHECK(fresh.status().reason() == "connect_failed");

  auto r = c->request("GET", "/api/v1/health");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().reason() == "connect_failed");
  r = c->request("POST", "/api/v1/echo/x", "a", "text/plain");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().reason() == "connect_failed");
}

TEST_CASE("after the server dropped an idle connection the next request reconnects") {
  server::ServerLimits limits = short_limits();
  limits.header_timeout = std::chrono::milliseconds(200);
  TestServer srv(limits);
  auto c = connect_ok(srv.url(), srv.pin());
  REQUIRE(c->request("GET", "/api/v1/health").ok());
  // Well past the server's idle timeout, so that it has closed by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto r = c->request("GET", "/api/v1/health");
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  CHECK(r->status == 200);
  CHECK(c->stats().connections == 2);
  // Found closed before sending: a POST reconnects just as safely.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  r = c->request("POST", "/api/v1/echo/p", "body", "text/plain");
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  CHECK(r->body == "p:body");
  CHECK(c->stats().connections == 3);
  CHECK(c->stats().retries == 0);  // nothing was ever sent twice
}

TEST_CASE("a connection lost after the request was sent: GET is retried once, POST is not") {
  TempDir dir;
  const auto id = make_identity(dir.path());
  auto pin = TrustConfig::pinned_sha256(id.fingerprint_sha256);
  REQUIRE(pin.ok());
  SUBCASE("GET") {
    // First connection: one answer, then dropped; the second serves the retry.
    DroppingServer fake(id, {1, 1});
    auto url = parse_url("https://127.0.0.1:" + std::to_string(fake.port()));
    REQUIRE(url.ok());
    auto c = connect_ok(*url, *pin);
    auto r = c->request("GET", "/a");
    REQUIRE(r.ok());
    CHECK(r->body == "answer 1");
    r = c->request("GET", "/b");
    REQUIRE_MESSAGE(r.ok(), r.status().to_string());
    CHECK(r->body == "answer 3");  // the dropped one was request 2
    CHECK(c->stats().retries == 1);
    CHECK(c->stats().connections == 2);
    c.reset();
    CHECK(fake.requests_seen() == 3);
  }
  SUBCASE("POST") {
    DroppingServer fake(id, {1});
    auto url = parse_url("https://127.0.0.1:" + std::to_string(fake.port()));
    REQUIRE(url.ok());
    auto c = connect_ok(*url, *pin);
    REQUIRE(c->request("POST", "/a", "x", "text/plain").ok());
    auto r = c->request("POST", "/b", "y", "text/plain");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kUnavailable);
    CHECK(r.status().reason() == "connection_lost");
    CHECK(c->stats().retries == 0);
    CHECK(fake.requests_seen() == 2);  // the server did get it: only the caller may resend
  }
  SUBCASE("a GET is retried once only") {
    // connect() opens connection 1, which is dropped at the first request;
    // the retry opens connection 2, which is dropped too: no third try.
    DroppingServer fake(id, {0, 0});
    auto url = parse_url("https://127.0.0.1:" + std::to_string(fake.port()));
    REQUIRE(url.ok());
    auto c = connect_ok(*url, *pin);
    auto r = c->request("GET", "/a");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().reason() == "connection_lost");
    CHECK(c->stats().retries == 1);
    CHECK(c->stats().connections == 2);
    CHECK(fake.requests_seen() == 2);
  }
}

TEST_CASE("a response over the configured limit fails with response_too_large") {
  TestServer srv;
  auto c = connect_ok(srv.url(), srv.pin(), {.max_response_body = 999});
  auto r = c->request("GET", "/api/v1/big");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kResourceExhausted);
  CHECK(r.status().reason() == "response_too_large");
  // The client recovers on a new connection.
  r = c->request("GET", "/api/v1/health");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(c->stats().connections == 2);

  auto exact = connect_ok(srv.url(), srv.pin(), {.max_response_body = 1000});
  r = exact->request("GET", "/api/v1/big");
  REQUIRE(r.ok());
  CHECK(r->body.size() == 1000);
}

TEST_CASE("a response that does not come in time fails with timeout") {
  TestServer srv;
  auto c = connect_ok(srv.url(), srv.pin(), {.request_timeout = std::chrono::milliseconds(200)});
  auto r = c->request("GET", "/api/v1/slow");  // the handler waits for slow_release
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnavailable);
  CHECK(r.status().reason() == "timeout");
  srv.slow_release = true;
  r = c->request("GET", "/api/v1/health");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
}

TEST_CASE("requests that could smuggle headers or lines are refused before sending") {
  TestServer srv;
  auto c = connect_ok(srv.url(), srv.pin());
  const std::vector<std::pair<std::string, std::string>> no_headers;
  struct Case {
    const char* method;
    std::string target;
    std::string content_type;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  const std::vector<Case> cases = {
      {"get", "/api/v1/health", "", {}},
      {"GE T", "/api/v1/health", "", {}},
      {"", "/api/v1/health", "", {}},
      {"GET", "api/v1/health", "", {}},
      {"GET", "", "", {}},
      {"GET", "/a b", "", {}},
      {"GET", "/a\r\nX-Evil: 1", "", {}},
      {"GET", std::string("/a\0b", 4), "", {}},
      {"POST", "/api/v1/echo/x", "text/plain\r\nX-Evil: 1", {}},
      {"GET", "/api/v1/health", "", {{"X-Ok", "a\r\nX-Evil: 1"}}},
      {"GET", "/api/v1/health", "", {{"Bad Name", "1"}}},
      {"GET", "/api/v1/health", "", {{"Host", "evil.example"}}},
      {"GET", "/api/v1/health", "", {{"content-length", "5"}}},
      {"GET", "/api/v1/health", "", {{"Transfer-Encoding", "chunked"}}},
  };
  for (const auto& k : cases) {
    CAPTURE(k.method);
    CAPTURE(k.target);
    auto r = c->request(k.method, k.target, "", k.content_type, k.headers);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().reason() == "bad_request");
  }
  // The connection was never touched.
  REQUIRE(c->request("GET", "/api/v1/health").ok());
  CHECK(c->stats().connections == 1);
  c.reset();
  srv.stop();
  CHECK(srv.log_lines() == 1);
}

TEST_CASE("clients on many threads, one client each, keep their own connection") {
  TestServer srv;
  constexpr int kThreads = 8;
  constexpr int kRequests = 20;
  const Url url = srv.url();
  const TrustConfig pin = srv.pin();
  std::atomic<int> ok{0};
  std::atomic<int> single_connection{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto c = HttpsClient::connect(url, pin);
      if (!c.ok()) return;
      for (int i = 0; i < kRequests; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        auto r = (*c)->request("POST", "/api/v1/echo/" + id, "b", "text/plain");
        if (r.ok() && r->status == 200 && r->body == id + ":b") ++ok;
      }
      if ((*c)->stats().connections == 1) ++single_connection;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == kThreads * kRequests);
  CHECK(single_connection == kThreads);
}
