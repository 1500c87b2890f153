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
    // Storage faults: the delegate must learn that nothing was stored (so
    // the same request sent again later is the right move), not that the
    // vote was lost or refused for good.
    {kReasonDiskFull,
     "Der Speicher des Dienstes ist voll; die Anfrage wurde nicht gespeichert. Bitte versuchen "
     "Sie es gleich noch einmal.",
     "The service's storage is full; the request was not stored. Please try again shortly."},
    {"storage_unavailable",
     "Der Speicher des Dienstes ist nicht beschreibbar; die Anfrage wurde nicht gespeichert. "
     "Bitte versuchen Sie es gleich noch einmal.",
     "The service's storage cannot be written; the request was not stored. Please try again "
     "shortly."},
    {"storage_io_error",
     "Der Speicher des Dienstes meldet einen Fehler; die Anfrage wurde nicht gespeichert. Bitte "
     "versuchen Sie es gleich noch einmal.",
     "The service's storage reports an error; the request was not stored. Please try again "
     "shortly."},
    {kReasonInternal, "Interner Fehler des Dienstes.", "Internal service error."},
    // What a delegate can meet at check-in and at the ballot box.
    {"election_not_found", "Diese Wahl gibt es nicht.", "There is no such election."},
    {"not_entitled", "Diese Einrichtung ist in dieser Wahl nicht stimmberechtigt.",
     "This institution is not entitled to vote in this election."},
    {"institution_auth_missing", "Einrichtung und Unterschrift fehlen in der Anfrage.",
     "The request lacks the institution and its signature."},
    {"institution_signature_invalid",
     "Der Wahlcode passt nicht zu dieser Einrichtung. Bitte prüfen Sie den Code auf dem Brief.",
     "The voting code does not belong to this institution. Please check the code on the "
     "letter."},
    {"too_many_attempts",
     "Zu viele Versuche mit einem falschen Wahlcode. Bitte wenden Sie sich an die Wahlleitung.",
     "Too many attempts with a wrong voting code. Please ask the election officer."},
    {"already_issued_other_request",
     "Für diese Einrichtung wurde bereits ein Stimmzettel ausgegeben, an ein anderes Gerät.",
     "A voting token was already issued to this institution, to another device."},
    {"issuance_closed", "Stimmzettel werden zurzeit nicht ausgegeben.",
     "Voting tokens are not being issued at the moment."},
    {"ballot_not_open", "Die Wahl ist noch nicht eröffnet.", "The ballot is not open yet."},
    {"ballot_closed", "Die Wahl ist geschlossen; es wird keine Stimme mehr angenommen.",
     "The ballot is closed; no more votes are accepted."},
    {"token_already_used", "Mit diesem Stimmzettel wurde bereits gewählt.",
     "This voting token has already been used."},
    {"token_invalid", "Der Stimmzettel ist für diese Wahl nicht gültig.",
     "The voting token is not valid for this election."},
    {"proof_invalid", "Die Stimme ist fehlerhaft verschlüsselt und wurde nicht angenommen.",
     "The vote is not correctly encrypted and was not accepted."},
    {"wrong_slot_count", "Die Stimme passt nicht zu dieser Wahl.",
     "The vote does not fit this election."},
    {"result_not_published", "Das Ergebnis ist noch nicht veröffentlicht.",
     "The result has not been published yet."},
    {"ballot_not_closed", "Während die Wahl läuft, werden nur Zahlen veröffentlicht.",
     "While the ballot is open, only counts are published."},
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
