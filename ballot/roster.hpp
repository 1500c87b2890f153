// The roster: the institutions entitled to vote at one assembly
// (Herbsttagung), with the public keys of their credentials.
//
// The credential authority fixes it per assembly, before any election of that
// assembly exists: the assembly's title, the credential context printed on
// every letter (crypto/credential.hpp), and per institution its id, name and
// Ed25519 credential public key. Every manifest of the assembly names the
// roster by its fingerprint, SHA-256 of the canonical bytes, which is also
// printed on the letters (in the short form below) so that a delegate can
// check that the roster published online is the one the letters were made
// for.
//
// Rules (create() and parse_canonical() enforce them, reasons in brackets):
//   title                 1..200 bytes, one line of text (check_text reasons)
//   institutions          1..10000 ("bad_institution_count")
//   institution id        check_institution_id: 1..64 of [A-Za-z0-9._-]
//                         ("institution_id_malformed"), unique
//                         ("duplicate_institution_id")
//   institution name      1..200 bytes, one line of text
//   institution key       a valid Ed25519 key (InstitutionPublicKey), unique
//                         ("duplicate_institution_key": two institutions with
//                         one key could share a letter and vote twice)
// create() accepts the institutions in any order and sorts them by id
// (bytewise); the canonical form lists them in that order, and
// parse_canonical() rejects any other order ("not_canonical").
//
// Canonical layout (ballot/canonical.hpp rules):
//   lp16 "urne/roster/v1"
//   lp16 title
//   credential_context[32]
//   u16  count (1..10000)
//   count x { lp16 id, lp16 name, public_key[32] }   ascending by id
//
// Thread-safety: an immutable value after construction; const methods may be
// called from several threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ballot/canonical.hpp"
#include "crypto/bytes.hpp"
#include "crypto/credential.hpp"
#include "crypto/status.hpp"

namespace urne {

struct Institution {
  std::string id;
  std::string name;
  InstitutionPublicKey key;
};

class Roster {
 public:
  static constexpr std::string_view kLabel = "urne/roster/v1";
  static constexpr std::size_t kMaxTitleSize = 200;
  static constexpr std::size_t kMaxNameSize = 200;
  static constexpr std::size_t kMaxInstitutions = 10000;

  // Validates (see above) and sorts the institutions by id.
  static Result<Roster> create(std::string title, const CredentialContext& context,
                               std::vector<Institution> institutions);
  // Parses the canonical bytes; the result's canonical_bytes() equal `bytes`.
  // Reasons: the reader's (canonical.hpp), the rules above, crypto's
  // "institution_key_invalid", and "not_canonical" (institutions not in
  // ascending id order).
  static Result<Roster> parse_canonical(ByteView bytes);

  const std::string& title() const noexcept { return title_; }
  const CredentialContext& credential_context() const noexcept { return context_; }
  // Ascending by id.
  const std::vector<Institution>& institutions() const noexcept { return institutions_; }
  // The institution with this id, or nullptr.
  const Institution* find(std::string_view id) const noexcept;

  const Bytes& canonical_bytes() const noexcept { return bytes_; }
  // SHA-256(canonical_bytes()).
  const FixedBytes<32>& fingerprint() const noexcept { return fingerprint_; }
  // short_fingerprint(fingerprint()).
  std::string short_fingerprint() const { return urne::short_fingerprint(fingerprint_); }

 private:
  Roster(std::string title, const CredentialContext& context,
         std::vector<Institution> institutions);
  std::string title_;
  CredentialContext context_;
  std::vector<Institution> institutions_;
  Bytes bytes_;
  FixedBytes<32> fingerprint_{};
};

}  // namespace urne
