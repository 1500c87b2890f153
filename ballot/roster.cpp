#include "ballot/roster.hpp"

#include <algorithm>

#include "crypto/hash.hpp"

namespace urne {

namespace {

std::string at(std::size_t i, std::string_view what) {
  return "institutions[" + std::to_string(i) + "]." + std::string(what);
}

// Smallest encoded institution: lp16 id (>= 1 byte), lp16 name (>= 1), key.
constexpr std::size_t kMinInstitutionSize = 2 + 1 + 2 + 1 + InstitutionPublicKey::kSize;

Status check_fields(const std::string& title, const std::vector<Institution>& institutions) {
  URNE_RETURN_IF_ERROR(check_text("title", title, 1, Roster::kMaxTitleSize));
  if (institutions.empty() || institutions.size() > Roster::kMaxInstitutions) {
    return invalid_argument("bad_institution_count",
                            "a roster lists 1.." + std::to_string(Roster::kMaxInstitutions) +
                                " institutions, not " + std::to_string(institutions.size()));
  }
  for (std::size_t i = 0; i < institutions.size(); ++i) {
    const Institution& inst = institutions[i];
    if (Status s = check_institution_id(inst.id); !s) {
      return Status(s.code(), s.reason(), at(i, "id") + ": " + s.message());
    }
    URNE_RETURN_IF_ERROR(check_text(at(i, "name"), inst.name, 1, Roster::kMaxNameSize));
  }
  return Status::ok();
}

// Contract: sorted by id.
Status check_unique(const std::vector<Institution>& institutions) {
  for (std::size_t i = 1; i < institutions.size(); ++i) {
    if (institutions[i - 1].id == institutions[i].id) {
      return invalid_argument("duplicate_institution_id",
                              "institution id \"" + institutions[i].id + "\" is listed twice");
    }
  }
  // Two institutions with one key would be one credential with two votes.
  std::vector<FixedBytes<InstitutionPublicKey::kSize>> keys;
  keys.reserve(institutions.size());
  for (const Institution& inst : institutions) keys.push_back(inst.key.bytes());
  std::sort(keys.begin(), keys.end());
  if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) {
    return invalid_argument("duplicate_institution_key",
                            "two institutions list the same credential public key");
  }
  return Status::ok();
}

}  // namespace

Roster::Roster(std::string title, const CredentialContext& context,
               std::vector<Institution> institutions)
    : title_(std::move(title)), context_(context), institutions_(std::move(institutions)) {
  CanonicalWriter w(kLabel);
  w.text16(title_);
  w.fixed(context_.bytes());
  w.count16(institutions_.size());
  for (const Institution& inst : institutions_) {
    w.text16(inst.id);
    w.text16(inst.name);
    w.fixed(inst.key.bytes());
  }
  bytes_ = std::move(w).take();
  fingerprint_ = sha256(bytes_);
}

Result<Roster> Roster::create(std::string title, const CredentialContext& context,
                              std::vector<Institution> institutions) {
  URNE_RETURN_IF_ERROR(check_fields(title, institutions));
  // Ids are ASCII, so byte order is the order any implementation gets.
  std::sort(institutions.begin(), institutions.end(),
            [](const Institution& a, const Institution& b) { return a.id < b.id; });
  URNE_RETURN_IF_ERROR(check_unique(institutions));
  return Roster(std::move(title), context, std::move(institutions));
}

Result<Roster> Roster::parse_canonical(ByteView bytes) {
  CanonicalReader r(bytes);
  URNE_RETURN_IF_ERROR(r.label(kLabel));
  URNE_ASSIGN_OR_RETURN(std::string title, r.text16("title", 1, kMaxTitleSize));
  URNE_ASSIGN_OR_RETURN(ByteView context_bytes,
                        r.fixed(CredentialContext::kSize, "credential_context"));
  URNE_ASSIGN_OR_RETURN(CredentialContext context, CredentialContext::parse(context_bytes));
  URNE_ASSIGN_OR_RETURN(std::size_t n,
                        r.count16("institutions", 1, kMaxInstitutions, kMinInstitutionSize));
  std::vector<Institution> institutions;
  institutions.reserve(n);  // bounded by the bytes present (count16)
  for (std::size_t i = 0; i < n; ++i) {
    URNE_ASSIGN_OR_RETURN(std::string id, r.text16(at(i, "id"), 1, kInstitutionIdMaxSize));
    URNE_ASSIGN_OR_RETURN(std::string name, r.text16(at(i, "name"), 1, kMaxNameSize));
    URNE_ASSIGN_OR_RETURN(ByteView key_bytes, r.fixed(InstitutionPublicKey::kSize, at(i, "key")));
    auto key = InstitutionPublicKey::parse(key_bytes);
    if (!key.ok()) {
      return Status(key.status().code(), key.status().reason(),
                    at(i, "key") + ": " + key.status().message());
    }
    if (!institutions.empty() && !(institutions.back().id < id)) {
      if (institutions.back().id == id) {
        return invalid_argument("duplicate_institution_id",
                                "institution id \"" + id + "\" is listed twice");
      }
      // Only one order is canonical; accepting another would give the same
      // roster a second fingerprint.
      return invalid_argument("not_canonical", "institutions are not in ascending id order");
    }
    institutions.push_back(Institution{std::move(id), std::move(name), *key});
  }
  URNE_RETURN_IF_ERROR(r.finish());
  URNE_ASSIGN_OR_RETURN(Roster roster, create(std::move(title), context, std::move(institutions)));
  // Belt and braces: the parsed roster must re-encode to exactly the input,
  // or the fingerprint would not be the hash of what was read.
  if (roster.canonical_bytes().size() != bytes.size() ||
      !std::equal(bytes.begin(), bytes.end(), roster.canonical_bytes().begin())) {
    return invalid_argument("not_canonical", "the roster does not re-encode to its input");
  }
  return roster;
}

const Institution* Roster::find(std::string_view id) const noexcept {
  auto it = std::lower_bound(institutions_.begin(), institutions_.end(), id,
                             [](const Institution& a, std::string_view b) { return a.id < b; });
  if (it == institutions_.end() || it->id != id) return nullptr;
  return &*it;
}

}  // namespace urne
