// The officer's authenticated setup requests.
//
// State transitions carry their own signature (ballot/board.hpp). The few
// requests that come before an election exists (upload a roster, make a
// token key, create the election) are authenticated by an Ed25519 signature
// of one of the server's officer keys over the request itself, sent in the
// header
//
//   Urne-Officer-Auth: key=<64 hex>, time=<unix seconds>, sig=<base64url>
//
// over the message (ballot/canonical.hpp rules)
//
//   lp16 "urne/officer-request/v1" || lp16 method || lp16 target
//   || u64 time || SHA-256(body)[32]
//
// The time bounds replays to kOfficerAuthWindow either side of the server's
// clock; every request it protects is idempotent or harmless when replayed
// within it (a second pending token key at most), so no nonce store is
// needed.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "crypto/bytes.hpp"
#include "crypto/signing.hpp"
#include "crypto/status.hpp"

namespace urne {

inline constexpr std::string_view kOfficerRequestLabel = "urne/officer-request/v1";
inline constexpr std::string_view kOfficerAuthHeader = "Urne-Officer-Auth";
inline constexpr std::chrono::seconds kOfficerAuthWindow{300};

Bytes officer_request_message(std::string_view method, std::string_view target,
                              std::int64_t unix_time, ByteView body);

// The header value for a request.
Result<std::string> officer_auth_header(const Ed25519SigningKey& officer, std::string_view method,
                                        std::string_view target, std::int64_t unix_time,
                                        ByteView body);

// The server's check, in this order: header present and well-formed
// (kUnauthenticated "officer_auth_missing", "officer_auth_malformed"), the
// key is one of `officer_keys` (kPermissionDenied "unknown_officer"), the
// time within the window of `now` (kUnauthenticated "officer_auth_expired"),
// the signature (kUnauthenticated "officer_signature_invalid"). Returns the
// officer's key.
Result<Ed25519PublicKey> verify_officer_request(std::span<const Ed25519PublicKey> officer_keys,
                                                std::string_view header, std::string_view method,
                                                std::string_view target, ByteView body,
                                                std::int64_t now);

}  // namespace urne
