// RawTlsConnection over Boost.Asio's ssl::stream (synchronous: a test drives
// one step at a time) with the certificate pin checked on OpenSSL's peer
// certificate after the handshake and before any write.
#include "raw_tls.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <cctype>

namespace urne::test {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

struct RawTlsConnection::Impl {
  asio::io_context io;
  ssl::context ctx{ssl::context::tls_client};
  ssl::stream<asio::ip::tcp::socket> stream{io, ctx};
  bool open = false;
};

namespace {

struct X509Deleter {
  void operator()(X509* x) const noexcept { X509_free(x); }
};

// The pin in plain lower-case hex (colons dropped).
std::string normalized_pin(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c != ':') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace

RawTlsConnection::RawTlsConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RawTlsConnection::~RawTlsConnection() {
  if (impl_->open) drop(true);
}

Result<std::unique_ptr<RawTlsConnection>> RawTlsConnection::connect(std::uint16_t port,
                                                                    std::string_view fingerprint) {
  auto impl = std::make_unique<Impl>();
  // Trust is the pin checked below, as in client::TrustConfig::pinned_sha256.
  impl->ctx.set_verify_mode(ssl::verify_none);
  boost::system::error_code ec;
  impl->stream.next_layer().connect(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port),
                                    ec);
  if (ec) return Status(Code::kUnavailable, "connect_failed", ec.message());
  impl->open = true;
  std::unique_ptr<RawTlsConnection> conn(new RawTlsConnection(std::move(impl)));
  Impl& i = *conn->impl_;
  i.stream.handshake(ssl::stream_base::client, ec);
  if (ec) return Status(Code::kUnavailable, "tls_handshake_failed", ec.message());
  const std::unique_ptr<X509, X509Deleter> cert(
      SSL_get1_peer_certificate(i.stream.native_handle()));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!cert || X509_digest(cert.get(), EVP_sha256(), md, &len) != 1) {
    return Status(Code::kUnauthenticated, "certificate_mismatch", "no peer certificate");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string got;
  for (unsigned int k = 0; k < len; ++k) {
    got.push_back(kHex[md[k] >> 4]);
    got.push_back(kHex[md[k] & 0x0f]);
  }
  if (got != normalized_pin(fingerprint)) {
    return Status(Code::kUnauthenticated, "certificate_mismatch",
                  "the server's certificate is not the pinned one");
  }
  return conn;
}

Status RawTlsConnection::write(std::string_view bytes) {
  boost::system::error_code ec;
  asio::write(impl_->stream, asio::buffer(bytes.data(), bytes.size()), ec);
  if (ec) return Status(Code::kUnavailable, "write_failed", ec.message());
  return Status::ok();
}

void RawTlsConnection::drop(bool reset) {
  if (!impl_->open) return;
  impl_->open = false;
  auto& socket = impl_->stream.next_layer();
  boost::system::error_code ec;
  // SO_LINGER with a zero timeout makes close() send a RST and discard
  // whatever is unsent or unread: the abrupt end of a client that vanished.
  if (reset) socket.set_option(asio::socket_base::linger(true, 0), ec);
  if (!reset) socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

std::string http_request_bytes(std::string_view method, std::string_view target,
                               std::string_view content_type, std::string_view body,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               std::size_t content_length) {
  if (content_length == static_cast<std::size_t>(-1)) content_length = body.size();
  std::string out;
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  if (!content_type.empty()) out.append("Content-Type: ").append(content_type).append("\r\n");
  for (const auto& [name, value] : headers)
    out.append(name).append(": ").append(value).append("\r\n");
  out.append("Content-Length: ").append(std::to_string(content_length)).append("\r\n\r\n");
  out.append(body);
  return out;
}

}  // namespace urne::test
