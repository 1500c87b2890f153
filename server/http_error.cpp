// Code -> HTTP status and the bilingual JSON error body.
#include "server/http_error.hpp"

#include <nlohmann/json.hpp>

#include <string_view>

namespace urne::server {
namespace {

struct Message {
  std::string_view reason;
  std::string_view de;
  std::string_view en;
};

// Texts for the reasons a delegate's browser may show. Other reasons fall
// back to the Status's own (English) message.
constexpr Message kMessages[] = {
    {kReasonNotFound, "Die angeforderte Ressource gibt es nicht.",
     "The requested resource does not exist."},
    {kReasonMethodNotAllowed, "Diese Methode ist für diese Ressource nicht erlaubt.",
     "This method is not allowed for this resource."},
    {kReasonUnsupportedMediaType, "Der Inhaltstyp der Anfrage wird nicht unterstützt.",
     "The request's content type is not supported."},
    {kReasonPayloadTooLarge, "Die Anfrage ist zu groß.", "The request is too large."},
    {kReasonHeaderTooLarge, "Die Kopfzeilen der Anfrage sind zu groß.",
     "The request headers are too large."},
    {kReasonBadRequest, "Die Anfrage ist fehlerhaft.", "The request is malformed."},
    {kReasonBadPath, "Der angeforderte Pfad ist ungültig.", "The requested path is invalid."},
    {kReasonRateLimited, "Zu viele Anfragen. Bitte versuchen Sie es gleich noch einmal.",
     "Too many requests. Please try again shortly."},
    {kReasonDiskFull, "Der Dienst ist vorübergehend nicht verfügbar.",
     "The service is temporarily unavailable."},
    {kReasonInternal, "Interner Fehler des Dienstes.", "Internal service error."},
};

}  // namespace

int http_status(const Status& status) noexcept {
  const std::string& r = status.reason();
  switch (status.code()) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      // The HTTP layer's own refinements of "your request is wrong".
      if (r == kReasonMethodNotAllowed) return 405;
      if (r == kReasonUnsupportedMediaType) return 415;
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
    case Code::kFailedPrecondition:
      return 409;
    case Code::kResourceExhausted:
      // A request over a size limit will never succeed as is (413/431); a
      // full disk is the server's problem, not the client's rate (503);
      // everything else is a rate or quota limit (429).
      if (r == kReasonPayloadTooLarge) return 413;
      if (r == kReasonHeaderTooLarge) return 431;
      if (r == kReasonDiskFull) return 503;
      return 429;
    case Code::kUnavailable:
      return 503;
    case Code::kDataLoss:
    case Code::kInternal:
      return 500;
  }
  return 500;
}

std::string error_body(const Status& status) {
  const int http = http_status(status);
  std::string_view de = status.message();
  std::string_view en = status.message();
  // Internal details (file names, SQL) never leave the server.
  if (http >= 500) de = en = "Internal service error.";
  bool found = false;
  for (const Message& m : kMessages) {
    if (m.reason == status.reason()) {
      de = m.de;
      en = m.en;
      found = true;
      break;
    }
  }
  if (!found && http >= 500) {
    de = "Interner Fehler des Dienstes.";
    if (http == 503) {
      de = "Der Dienst ist vorübergehend nicht verfügbar.";
      en = "The service is temporarily unavailable.";
    }
  }
  // ordered_json: the documented key order (code, status, message).
  const nlohmann::ordered_json body = {
      {"error",
       {{"code", status.reason()},
        {"status", http},
        {"message", {{"de", std::string(de)}, {"en", std::string(en)}}}}}};
  // error_handler::replace: a message with invalid UTF-8 must not throw.
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace urne::server
