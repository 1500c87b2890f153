#include "ballot/officer.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "ballot/canonical.hpp"
#include "crypto/hash.hpp"

namespace urne {
namespace {

Status malformed(std::string_view why) {
  return Status(Code::kUnauthenticated, "officer_auth_malformed",
                std::string(kOfficerAuthHeader) + ": " + std::string(why));
}

// The signed message holds the method and the target as UTF-8 text of at
// most 64 KiB (CanonicalWriter::text16, whose contract aborts otherwise).
// Both come from the client, so they are checked here, before the message
// is built: a request target with a byte 0xff must be refused, not crash
// the server (found by fuzz/json_bodies).
bool signable(std::string_view method, std::string_view target) {
  constexpr std::size_t kMaxText16 = 0xffff;
  return method.size() <= kMaxText16 && target.size() <= kMaxText16 && is_valid_utf8(method) &&
         is_valid_utf8(target);
}

// "name=value" parts separated by ", ", exactly key, time, sig in this
// order: one accepted form, so nothing needs normalizing.
std::optional<std::string_view> take_field(std::string_view& rest, std::string_view name,
                                           bool last) {
  if (rest.substr(0, name.size() + 1) != std::string(name) + "=") return std::nullopt;
  rest.remove_prefix(name.size() + 1);
  const std::size_t end = last ? rest.size() : rest.find(", ");
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view value = rest.substr(0, end);
  rest.remove_prefix(last ? end : end + 2);
  return value;
}

}  // namespace

Bytes officer_request_message(std::string_view method, std::string_view target,
                              std::int64_t unix_time, ByteView body) {
  CanonicalWriter w(kOfficerRequestLabel);
  w.text16(method);
  w.text16(target);
  w.u64(static_cast<std::uint64_t>(unix_time));
  w.fixed(sha256(body));
  return std::move(w).take();
}

Result<std::string> officer_auth_header(const Ed25519SigningKey& officer, std::string_view method,
                                        std::string_view target, std::int64_t unix_time,
                                        ByteView body) {
  if (!signable(method, target)) {
    return invalid_argument("request_not_signable",
                            "the method and target of a signed request must be UTF-8 text");
  }
  URNE_ASSIGN_OR_RETURN(const Ed25519Signature sig,
                        officer.sign(officer_request_message(method, target, unix_time, body)));
  return "key=" + hex_encode(officer.public_key()) + ", time=" + std::to_string(unix_time) +
         ", sig=" + base64url_encode(sig);
}

Result<Ed25519PublicKey> verify_officer_request(std::span<const Ed25519PublicKey> officer_keys,
                                                std::string_view header, std::string_view method,
                                                std::string_view target, ByteView body,
                                                std::int64_t now) {
  if (header.empty()) {
    return Status(Code::kUnauthenticated, "officer_auth_missing",
                  "this request needs the election officer's signature");
  }
  std::string_view rest = header;
  const auto key_text = take_field(rest, "key", false);
  const auto time_text = key_text ? take_field(rest, "time", false) : std::nullopt;
  const auto sig_text = time_text ? take_field(rest, "sig", true) : std::nullopt;
  if (!sig_text) return malformed("expected key=..., time=..., sig=...");
  auto key_bytes = hex_decode(*key_text);
  if (!key_bytes.ok() || key_bytes->size() != 32 || hex_encode(*key_bytes) != *key_text) {
    return malformed("key must be 64 lower-case hex digits");
  }
  std::int64_t time = 0;
  const auto [end, ec] =
      std::from_chars(time_text->data(), time_text->data() + time_text->size(), time);
  if (ec != std::errc() || end != time_text->data() + time_text->size() || time < 0 ||
      (time_text->size() > 1 && time_text->front() == '0')) {
    return malformed("time must be unix seconds");
  }
  auto sig_bytes = base64url_decode(*sig_text);
  if (!sig_bytes.ok() || sig_bytes->size() != 64) return malformed("sig must be 64 bytes");
  Ed25519PublicKey key{};
  std::copy(key_bytes->begin(), key_bytes->end(), key.begin());
  if (std::find(officer_keys.begin(), officer_keys.end(), key) == officer_keys.end()) {
    return Status(Code::kPermissionDenied, "unknown_officer",
                  "this key is not an officer key of this server");
  }
  const std::int64_t window = kOfficerAuthWindow.count();
  if (time < now - window || time > now + window) {
    return Status(
        Code::kUnauthenticated, "officer_auth_expired",
        "the request's time is more than " + std::to_string(window) + " s from the server's clock");
  }
  if (!signable(method, target)) {
    return Status(Code::kUnauthenticated, "officer_signature_invalid",
                  "no officer signature covers a request target that is not UTF-8 text");
  }
  Ed25519Signature sig{};
  std::copy(sig_bytes->begin(), sig_bytes->end(), sig.begin());
  if (!ed25519_verify(key, officer_request_message(method, target, time, body), sig)) {
    return Status(Code::kUnauthenticated, "officer_signature_invalid",
                  "the officer's signature does not verify for this request");
  }
  return key;
}

}  // namespace urne
