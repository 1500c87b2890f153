// HttpsClient: Beast over OpenSSL, driven synchronously.
//
// Every network step is an asynchronous Beast/Asio operation run to
// completion on the client's own io_context: Beast's tcp_stream enforces
// deadlines only on asynchronous operations, and a deadline is what makes a
// hung server an error instead of a hung CLI.
#include "client/https_client.hpp"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cstdlib>
#include <optional>

#include "crypto/bytes.hpp"

namespace urne::client {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// TLS 1.2 suites: forward secrecy and AEAD only (TLS 1.3's are all AEAD).
// Mirrors the server's policy, plus the RSA-certificate variants for a
// CA-issued certificate in front of the service.
constexpr const char* kTls12Ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20";

Status unavailable(std::string reason, std::string message) {
  return {Code::kUnavailable, std::move(reason), std::move(message)};
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return ::inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& s) {
  in6_addr a{};
  return ::inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

// A DNS name of letters, digits and hyphens (RFC 1123). A name whose last
// label is all digits ("1.2.3", "0x7f.1" aside) is refused: resolvers read
// such names as legacy IPv4 forms, so what is checked would not be what is
// dialed.
bool is_dns_name(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  std::size_t start = 0;
  bool last_all_digits = false;
  while (true) {
    const std::size_t dot = h.find('.', start);
    const std::string_view label =
        h.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    last_all_digits = true;
    for (char c : label) {
      const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!alpha && !is_digit(c) && c != '-') return false;
      if (!is_digit(c)) last_all_digits = false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return !last_all_digits;
}

// RFC 7230 tchar: what a method or header name may contain.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

// A header value that cannot split or end the header block.
bool is_header_value(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

// An origin-form target: '/' then visible ASCII only (no space, no control
// character), so that a caller's id cannot inject a header or a second
// request line.
bool is_origin_target(std::string_view t) {
  if (t.empty() || t.front() != '/') return false;
  for (char c : t) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  return true;
}

bool is_lost_connection(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == net::error::eof || ec == ssl::error::stream_truncated ||
         ec == net::error::connection_reset || ec == net::error::connection_aborted ||
         ec == net::error::broken_pipe || ec == net::error::not_connected ||
         ec == net::error::bad_descriptor || ec == net::error::shut_down;
}

}  // namespace

// ------------------------------------------------------------------- Url

std::string Url::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return "https://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<Url> parse_url(std::string_view text) {
  // Messages never echo the URL: a rejected one may carry a password.
  auto bad = [](const std::string& why) { return invalid_argument("bad_url", why); };
  const std::size_t sep = text.find("://");
  if (sep == std::string_view::npos) return bad("expected https://host[:port]");
  if (lower(text.substr(0, sep)) != "https")
    return invalid_argument("url_not_https", "only https:// URLs are accepted");
  std::string_view rest = text.substr(sep + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('@') != std::string_view::npos) return bad("user info is not allowed in the URL");
  if (rest.find_first_of("/?#\\") != std::string_view::npos)
    return bad("a server URL has no path, query or fragment");

  Url url;
  std::string_view host;
  std::optional<std::string_view> port;
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    host = rest.substr(1, close - 1);
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected text after the IPv6 address");
      port = after.substr(1);
    }
    // inet_pton refuses zone ids ("%eth0"): link-local scoping has no use here.
    if (!is_ipv6(std::string(host))) return bad("not an IPv6 address in brackets");
    url.host = lower(host);
    url.host_is_ip = true;
  } else {
    const std::size_t colon = rest.find(':');
    host = rest.substr(0, colon);
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
    url.host = lower(host);
    if (is_ipv4(url.host)) {
      url.host_is_ip = true;
    } else if (!is_dns_name(url.host)) {
      return bad("the host is neither a DNS name nor an IP address");
    }
  }
  if (port) {
    if (port->empty() || port->size() > 5) return bad("bad port");
    unsigned value = 0;
    for (char c : *port) {
      if (!is_digit(c)) return bad("bad port");
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return bad("port out of range");
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

// ----------------------------------------------------------- TrustConfig

Result<TrustConfig> TrustConfig::pinned_sha256(std::string_view fingerprint) {
  auto bad = [] {
    return invalid_argument("bad_fingerprint",
                            "expected a SHA-256 fingerprint: 32 hex pairs separated by ':' "
                            "or 64 hex digits");
  };
  std::string hex;
  if (fingerprint.size() == 32 * 3 - 1) {
    // "AB:CD:...": a ':' after every pair but the last, nowhere else.
    for (std::size_t i = 0; i < fingerprint.size(); ++i) {
      if (i % 3 == 2) {
        if (fingerprint[i] != ':') return bad();
      } else {
        hex += fingerprint[i];
      }
    }
  } else if (fingerprint.size() == 64) {
    hex = fingerprint;
  } else {
    return bad();
  }
  auto bytes = hex_decode(hex);  // strict: hex digits only, either case
  if (!bytes.ok() || bytes->size() != 32) return bad();
  TrustConfig t;
  t.pinned_ = true;
  std::copy(bytes->begin(), bytes->end(), t.pin_.begin());
  return t;
}

TrustConfig TrustConfig::ca_file(std::filesystem::path ca_file) {
  TrustConfig t;
  t.ca_file_ = std::move(ca_file);
  return t;
}

const std::array<std::uint8_t, 32>& TrustConfig::pin() const {
  if (!pinned_) std::abort();  // contract
  return pin_;
}

const std::filesystem::path& TrustConfig::ca_path() const {
  if (pinned_) std::abort();  // contract
  return ca_file_;
}

// ------------------------------------------------------------ HttpsClient

struct HttpsClient::Impl {
  Impl(Url u, TrustConfig t, ClientOptions o)
      : url(std::move(u)), trust(std::move(t)), options(o), ctx(ssl::context::tls_client) {}

  Url url;
  TrustConfig trust;
  ClientOptions options;
  ClientStats stats;
  // Order matters: the io_context and the SSL context outlive the stream.
  net::io_context ioc;
  ssl::context ctx;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
  std::uint64_t responses_on_connection = 0;
  // Set by the pin check during a handshake, read after it failed.
  bool pin_mismatch = false;

  // ---- setup

  Status configure() {
    SSL_CTX* c = ctx.native_handle();
    SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1)
      return internal_error("tls_policy_failed", "cannot apply the client TLS policy");
    // Verification is always on: a failed check aborts the handshake before
    // a single request byte is sent.
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
    if (trust.is_pinned()) {
      // The pin replaces chain building entirely (a self-signed certificate
      // has no chain to build): OpenSSL calls us with the peer's leaf and
      // our answer is the verification result.
      SSL_CTX_set_cert_verify_callback(c, &Impl::verify_pin, this);
    } else {
      beast::error_code ec;
      ctx.load_verify_file(trust.ca_path().string(), ec);
      if (ec)
        return invalid_argument("ca_file_invalid",
                                "cannot read PEM certificates from " + trust.ca_path().string());
    }
    return Status::ok();
  }

  static bool leaf_matches(X509* cert, const std::array<std::uint8_t, 32>& pin) {
    if (cert == nullptr) return false;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    // X509_digest hashes the certificate's DER encoding: the same bytes
    // urne-server's fingerprint covers.
    if (X509_digest(cert, EVP_sha256(), md, &len) != 1 || len != pin.size()) return false;
    return ct_equal(ByteView(md, len), pin);
  }

  static int verify_pin(X509_STORE_CTX* store, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    if (leaf_matches(X509_STORE_CTX_get0_cert(store), self->trust.pin())) return 1;
    self->pin_mismatch = true;
    X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }

  // ---- running asynchronous operations to completion

  // Runs the io_context until `done`. Handlers left over from earlier
  // operations (cancelled timers) run here too; they are harmless.
  void drive(const bool& done) {
    int idle_rounds = 0;
    while (!done) {
      if (ioc.stopped()) ioc.restart();
      if (ioc.run_one() == 0 && ++idle_rounds > 1) std::abort();  // a bug: nothing can finish
    }
  }

  template <class Start>
  beast::error_code run(Start&& start) {
    bool done = false;
    beast::error_code result;
    std::forward<Start>(start)([&done, &result](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    drive(done);
    return result;
  }

  // ---- connection

  void close_now() {
    stream.reset();
    buffer.clear();
    responses_on_connection = 0;
  }

  // close_notify, bounded; the server does the same on its side.
  void close_gracefully() {
    if (!stream) return;
    beast::get_lowest_layer(*stream).expires_after(kCloseTimeout);
    run([this](auto handler) { stream->async_shutdown(std::move(handler)); });
    close_now();
  }

  Result<std::vector<tcp::endpoint>> endpoints(Clock::time_point deadline) {
    if (url.host_is_ip) {
      beast::error_code ec;
      auto address = net::ip::make_address(url.host, ec);
      if (ec) return unavailable("connect_failed", "bad address " + url.host);
      return std::vector<tcp::endpoint>{{address, url.port}};
    }
    tcp::resolver resolver(ioc);
    bool done = false;
    beast::error_code ec;
    std::vector<tcp::endpoint> eps;
    resolver.async_resolve(url.host, std::to_string(url.port),
                           [&](beast::error_code e, const tcp::resolver::results_type& r) {
                             ec = e;
                             for (const auto& entry : r) eps.push_back(entry.endpoint());
                             done = true;
                           });
    while (!done && Clock::now() < deadline) {
      if (ioc.stopped()) ioc.restart();
      ioc.run_one_until(deadline);
    }
    if (!done) {
      resolver.cancel();
      drive(done);
      return unavailable("timeout", "resolving " + url.host + " timed out");
    }
    if (ec || eps.empty())
      return unavailable("connect_failed", "cannot resolve " + url.host + ": " + ec.message());
    return eps;
  }

  Status open() {
    close_now();
    const Clock::time_point deadline = Clock::now() + options.connect_timeout;
    URNE_ASSIGN_OR_RETURN(auto eps, endpoints(deadline));

    stream.emplace(ioc, ctx);
    SSL* ssl = stream->native_handle();
    if (!trust.is_pinned()) {
      // The certificate must name what the user typed: the IP address for
      // an IP URL (a DNS SAN "127.0.0.1" would not do), the DNS name
      // otherwise, without partial wildcards.
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      const int set = url.host_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str())
                                     : SSL_set1_host(ssl, url.host.c_str());
      if (set != 1) return internal_error("tls_policy_failed", "cannot set the expected host");
    }
    // SNI for names only (RFC 6066 forbids IP literals there).
    if (!url.host_is_ip &&
        SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(url.host.c_str())) != 1)  // NOLINT: OpenSSL's ctrl API
      return internal_error("tls_policy_failed", "cannot set the server name");

    auto& tcp_layer = beast::get_lowest_layer(*stream);
    tcp_layer.expires_at(deadline);  // connect and handshake share one budget
    beast::error_code ec = run([&](auto handler) {
      tcp_layer.async_connect(
          eps,
          [h = std::move(handler)](beast::error_code e, const tcp::endpoint&) mutable { h(e); });
    });
    if (ec) {
      close_now();
      if (ec == beast::error::timeout)
        return unavailable("timeout", "connecting to " + url.to_string() + " timed out");
      return unavailable("connect_failed",
                         "cannot connect to " + url.to_string() + ": " + ec.message());
    }

    pin_mismatch = false;
    ec = run([&](auto handler) {
      stream->async_handshake(ssl::stream_base::client, std::move(handler));
    });
    if (ec) {
      const long verify = SSL_get_verify_result(ssl);
      close_now();
      if (trust.is_pinned() && pin_mismatch)
        return unauthenticated("certificate_mismatch",
                               "the server's certificate does not have the pinned fingerprint");
      if (!trust.is_pinned() && verify != X509_V_OK)
        return unauthenticated("certificate_untrusted",
                               "the server's certificate is not valid for " + url.host + ": " +
                                   X509_verify_cert_error_string(verify));
      if (ec == beast::error::timeout)
        return unavailable("timeout", "the TLS handshake with " + url.to_string() + " timed out");
      return unavailable("tls_handshake_failed",
                         "TLS handshake with " + url.to_string() + " failed: " + ec.message());
    }
    // Belt and braces: the certificate the session ended up with is the
    // pinned one (also covers any future session resumption path).
    if (trust.is_pinned() && !leaf_matches(SSL_get0_peer_certificate(ssl), trust.pin())) {
      close_now();
      return unauthenticated("certificate_mismatch",
                             "the server's certificate does not have the pinned fingerprint");
    }
    tcp_layer.expires_never();
    ++stats.connections;
    return Status::ok();
  }

  // Whether a connection that has served a response was closed (or sent
  // something unasked) while idle. Only asked after a response: before the
  // first one, TLS 1.3 session tickets may still be unread on the socket.
  bool stale() {
    if (!stream) return true;
    if (responses_on_connection == 0) return false;
    if (buffer.size() != 0) return true;  // unsolicited bytes: out of sync
    pollfd p{};
    p.fd = beast::get_lowest_layer(*stream).socket().native_handle();
    p.events = POLLIN;
    // Readable while idle means EOF, an alert or garbage: unusable either way.
    return ::poll(&p, 1, 0) != 0;
  }

  // ---- one exchange

  struct Outcome {
    Result<HttpResponse> response = HttpResponse{};
    bool lost_before_response = false;  // lost, and no response byte arrived
  };

  Status io_error(const beast::error_code& ec, bool got_some) {
    if (ec == beast::error::timeout)
      return unavailable("timeout", "no complete response from " + url.to_string() + " in time");
    if (ec == http::error::body_limit || ec == http::error::header_limit ||
        ec == http::error::buffer_overflow)
      return Status(Code::kResourceExhausted, "response_too_large",
                    "the response exceeds the client's limit");
    if (is_lost_connection(ec))
      return unavailable("connection_lost",
                         std::string("the connection to ") + url.to_string() + " was lost" +
                             (got_some ? " during the response" : "") + ": " + ec.message());
    if (ec.category() == http::make_error_code(http::error::bad_target).category())
      return unavailable("bad_response", "malformed HTTP response: " + ec.message());
    return unavailable("connection_lost",
                       "I/O error with " + url.to_string() + ": " + ec.message());
  }

  Outcome exchange(http::request<http::string_body>& req, bool head) {
    Outcome out;
    auto& tcp_layer = beast::get_lowest_layer(*stream);
    tcp_layer.expires_after(options.request_timeout);  // write and read share it
    beast::error_code ec =
        run([&](auto handler) { http::async_write(*stream, req, std::move(handler)); });
    if (ec) {
      out.lost_before_response = is_lost_connection(ec);
      out.response = io_error(ec, false);
      return out;
    }
    http::response_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(kMaxResponseHeader));
    parser.body_limit(options.max_response_body);
    if (head) parser.skip(true);  // a HEAD response announces a body it does not send
    ec = run([&](auto handler) { http::async_read(*stream, buffer, parser, std::move(handler)); });
    if (ec) {
      out.lost_before_response = is_lost_connection(ec) && !parser.got_some();
      out.response = io_error(ec, parser.got_some());
      return out;
    }
    tcp_layer.expires_never();
    auto msg = parser.release();
    HttpResponse r;
    r.status = static_cast<int>(msg.result_int());
    for (const auto& field : msg) {
      std::string name = lower(field.name_string());
      auto [it, fresh] = r.headers.emplace(name, std::string(field.value()));
      if (!fresh) it->second += ", " + std::string(field.value());
    }
    if (auto it = r.headers.find("content-type"); it != r.headers.end())
      r.content_type = it->second;
    r.body = std::move(msg.body());
    ++responses_on_connection;
    ++stats.requests;
    if (!msg.keep_alive()) close_gracefully();
    out.response = std::move(r);
    return out;
  }

  Result<HttpResponse> request(std::string_view method, std::string_view target,
                               std::string_view body, std::string_view content_type,
                               const Headers& headers) {
    if (!is_token(method) ||
        method.find_first_of("abcdefghijklmnopqrstuvwxyz") != std::string_view::npos)
      return invalid_argument("bad_request", "the method must be an upper-case token");
    if (!is_origin_target(target))
      return invalid_argument("bad_request",
                              "the target must start with '/' and hold visible ASCII only");
    if (!content_type.empty() && !is_header_value(content_type))
      return invalid_argument("bad_request", "bad content type");
    http::request<http::string_body> req;
    req.version(11);
    req.method_string(method);
    req.target(target);
    const bool v6 = url.host.find(':') != std::string::npos;
    std::string host = v6 ? "[" + url.host + "]" : url.host;
    if (url.port != 443) host += ":" + std::to_string(url.port);
    req.set(http::field::host, host);
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    for (const auto& [name, value] : headers) {
      const std::string n = lower(name);
      if (!is_token(name) || !is_header_value(value))
        return invalid_argument("bad_request", "a request header is malformed");
      // The client owns framing and routing headers: a second Host or
      // Content-Length would let the two ends disagree about the request.
      if (n == "host" || n == "content-length" || n == "transfer-encoding" || n == "connection" ||
          n == "content-type" || n == "te" || n == "upgrade")
        return invalid_argument("bad_request", "header " + n + " is set by the client itself");
      req.insert(name, value);
    }
    req.body() = std::string(body);
    req.keep_alive(true);
    req.prepare_payload();
    const bool head = method == "HEAD";
    const bool safe = method == "GET" || head;

    for (int attempt = 0;; ++attempt) {
      bool fresh = false;
      if (stale()) {
        // Nothing has been sent on this request yet: reconnecting is safe
        // for every method.
        URNE_RETURN_IF_ERROR(open());
        fresh = true;
      }
      Outcome out = exchange(req, head);
      if (out.response.ok()) return std::move(out.response);
      close_now();  // after any error the stream cannot be trusted to be in sync
      // A connection we did not just open may have been closed by the
      // server while idle, racing with our request. Only a request that
      // changes nothing may be sent again; the others report the loss.
      if (out.lost_before_response && !fresh && safe && attempt == 0) {
        ++stats.retries;
        continue;
      }
      return out.response.status();
    }
  }
};

Result<std::unique_ptr<HttpsClient>> HttpsClient::connect(const Url& url, const TrustConfig& trust,
                                                          ClientOptions options) {
  // Url is a plain struct: a hand-built one goes through the parser too, so
  // that host and host_is_ip cannot disagree (which name gets verified).
  URNE_ASSIGN_OR_RETURN(Url checked, parse_url(url.to_string()));
  auto impl = std::make_unique<Impl>(std::move(checked), trust, options);
  URNE_RETURN_IF_ERROR(impl->configure());
  URNE_RETURN_IF_ERROR(impl->open());
  return std::unique_ptr<HttpsClient>(new HttpsClient(std::move(impl)));
}

HttpsClient::HttpsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpsClient::~HttpsClient() {
  // A destructor must not throw; a failed close_notify only means the
  // server does not get one (the socket closes with impl_ either way).
  try {
    if (impl_) impl_->close_gracefully();
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing left to do here
  }
}

Result<HttpResponse> HttpsClient::request(std::string_view method, std::string_view target,
                                          std::string_view body, std::string_view content_type,
                                          const Headers& headers) {
  return impl_->request(method, target, body, content_type, headers);
}

const Url& HttpsClient::url() const noexcept { return impl_->url; }
const ClientStats& HttpsClient::stats() const noexcept { return impl_->stats; }

}  // namespace urne::client
