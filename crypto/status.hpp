// Status and Result<T>: urne's one error vocabulary.
//
// A Status is a canonical code (modelled on absl::StatusCode), a stable
// machine-readable reason (lower_snake_case, part of the API: clients and
// tests match on it) and a human message in English. HTTP status codes and CLI
// exit codes are derived from Code in exactly one place each (server/, cli/).
//
// Hostile input is always reported through Status; a programmer's misuse of an
// API (wrong buffer size, calling on a moved-from object) is a contract
// violation and aborts.
//
// Thread-safety: value types; distinct objects may be used concurrently.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace urne {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // malformed or out-of-range input
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // a second, different attempt at a once-only action
  kFailedPrecondition,  // not allowed in the current state (e.g. ballot closed)
  kPermissionDenied,    // authenticated, but not entitled
  kUnauthenticated,     // signature or credential missing or wrong
  kResourceExhausted,   // limits, rate limits, full disk
  kUnavailable,         // transient; retrying may help
  kDataLoss,            // stored data is corrupt
  kInternal,            // a bug or a failed self-check
};

// Stable lower-case name of a code, e.g. "invalid_argument".
std::string_view code_name(Code code) noexcept;

class [[nodiscard]] Status {
 public:
  // The OK status.
  Status() = default;
  // A failure. `code` must not be kOk; `reason` is a stable identifier.
  Status(Code code, std::string reason, std::string message)
      : code_(code), reason_(std::move(reason)), message_(std::move(message)) {
    if (code_ == Code::kOk) std::abort();  // contract: errors carry a code
  }

  static Status ok() { return {}; }

  bool is_ok() const noexcept { return code_ == Code::kOk; }
  explicit operator bool() const noexcept { return is_ok(); }
  Code code() const noexcept { return code_; }
  const std::string& reason() const noexcept { return reason_; }
  const std::string& message() const noexcept { return message_; }

  // "reason: message" for logs and CLI output.
  std::string to_string() const;

  // Marks a status as deliberately ignored.
  void ignore() const noexcept {}

 private:
  Code code_ = Code::kOk;
  std::string reason_;
  std::string message_;
};

// Shorthands for the common codes.
inline Status invalid_argument(std::string reason, std::string message) {
  return {Code::kInvalidArgument, std::move(reason), std::move(message)};
}
inline Status unauthenticated(std::string reason, std::string message) {
  return {Code::kUnauthenticated, std::move(reason), std::move(message)};
}
inline Status internal_error(std::string reason, std::string message) {
  return {Code::kInternal, std::move(reason), std::move(message)};
}
inline Status failed_precondition(std::string reason, std::string message) {
  return {Code::kFailedPrecondition, std::move(reason), std::move(message)};
}

// Either a T or a non-OK Status.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {    // NOLINT: implicit by design
    if (std::get<Status>(v_).is_ok()) std::abort();  // contract: no OK without value
  }

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  // The error; for an OK result, the OK status.
  Status status() const { return ok() ? Status::ok() : std::get<Status>(v_); }

  // Contract: only on an OK result.
  T& value() & {
    check();
    return std::get<T>(v_);
  }
  const T& value() const& {
    check();
    return std::get<T>(v_);
  }
  T&& value() && {
    check();
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  void check() const {
    if (!ok()) std::abort();
  }
  std::variant<T, Status> v_;
};

}  // namespace urne

// Propagates a failed Status from an expression returning Status.
#define URNE_RETURN_IF_ERROR(expr)                                 \
  do {                                                             \
    if (::urne::Status urne_s_ = (expr); !urne_s_) return urne_s_; \
  } while (false)

#define URNE_CONCAT_INNER_(a, b) a##b
#define URNE_CONCAT_(a, b) URNE_CONCAT_INNER_(a, b)
// `URNE_ASSIGN_OR_RETURN(auto x, f());` declares x from an OK Result or
// returns its Status.
#define URNE_ASSIGN_OR_RETURN(decl, expr) \
  URNE_ASSIGN_OR_RETURN_IMPL_(URNE_CONCAT_(urne_r_, __LINE__), decl, expr)
#define URNE_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  decl = std::move(tmp).value()
