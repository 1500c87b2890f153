// The mapping from urne's error vocabulary (Status) to HTTP, and the JSON
// error body every failed request gets. This is the ONE place where an HTTP
// status code is derived from a urne::Code (style guide §2).
//
// Error body:
//   {"error":{"code":"<reason>","status":<http>,
//             "message":{"de":"...","en":"..."}}}
// `code` is the Status's stable reason; `message` comes from a table of German
// and English texts for the reasons delegates can see, and otherwise falls
// back to the Status's English message in both languages.
//
// Thread-safety: pure functions over constant tables.
#pragma once

#include <string>

#include "crypto/status.hpp"

namespace urne::server {

// HTTP status for a non-OK Status (200 for OK). Derived from the Code; a few
// reasons refine it where HTTP has a more precise answer (see the .cpp table).
int http_status(const Status& status) noexcept;

// The JSON error body for a non-OK Status, with status = http_status(s).
std::string error_body(const Status& status);

// Reasons produced by the HTTP layer itself (stable API strings).
inline constexpr const char* kReasonNotFound = "not_found";
inline constexpr const char* kReasonMethodNotAllowed = "method_not_allowed";
inline constexpr const char* kReasonUnsupportedMediaType = "unsupported_media_type";
inline constexpr const char* kReasonPayloadTooLarge = "payload_too_large";
inline constexpr const char* kReasonHeaderTooLarge = "header_too_large";
inline constexpr const char* kReasonBadRequest = "bad_request";
inline constexpr const char* kReasonBadPath = "bad_path";
inline constexpr const char* kReasonRateLimited = "rate_limited";
inline constexpr const char* kReasonDiskFull = "disk_full";
inline constexpr const char* kReasonInternal = "internal";

}  // namespace urne::server
