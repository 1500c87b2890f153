#include "ballot/manifest.hpp"

#include <algorithm>

#include "crypto/credential.hpp"
#include "crypto/hash.hpp"

namespace urne {

namespace {

std::string cand(std::size_t i, std::string_view what) {
  return "candidates[" + std::to_string(i) + "]." + std::string(what);
}

Status with_field(const Status& s, std::string_view field) {
  return Status(s.code(), s.reason(), std::string(field) + ": " + s.message());
}

bool all_zero(const FixedBytes<32>& b) {
  return std::all_of(b.begin(), b.end(), [](std::uint8_t x) { return x == 0; });
}

Status check_hash_set(const FixedBytes<32>& b, std::string_view field) {
  // All zeros is what a forgotten field looks like, never a real SHA-256.
  if (all_zero(b)) return invalid_argument("missing_hash", std::string(field) + " is unset");
  return Status::ok();
}

// RFC 9577 leaves issuer_name's syntax to the deployment; urne uses a host
// name or similar: printable ASCII, no space, so that it prints and compares
// unambiguously.
Status check_issuer_name(std::string_view name) {
  if (name.empty() || name.size() > Manifest::kMaxIssuerNameSize) {
    return invalid_argument("bad_issuer_name", "token_issuer_name must be 1..255 bytes");
  }
  for (char c : name) {
    if (c < 0x21 || c > 0x7e) {
      return invalid_argument("bad_issuer_name",
                              "token_issuer_name must be printable ASCII without spaces");
    }
  }
  return Status::ok();
}

// crypto/ has no type for a plain Ed25519 public key; InstitutionPublicKey
// performs exactly the check we need (canonical, prime-order subgroup).
Status check_ed25519_key(const FixedBytes<32>& key, std::string reason, std::string_view field) {
  auto k = InstitutionPublicKey::parse(key);
  if (!k.ok()) {
    return invalid_argument(std::move(reason),
                            std::string(field) + " is not a valid Ed25519 public key");
  }
  return Status::ok();
}

Status check_spec(const ManifestSpec& s) {
  URNE_RETURN_IF_ERROR(check_text("title", s.title, 1, Manifest::kMaxTitleSize));
  if (s.kind) URNE_RETURN_IF_ERROR(check_text("kind", *s.kind, 1, Manifest::kMaxKindSize));
  if (s.description) {
    URNE_RETURN_IF_ERROR(check_text("description", *s.description, 1, Manifest::kMaxDescriptionSize,
                                    TextKind::kParagraph));
  }
  URNE_RETURN_IF_ERROR(check_hash_set(s.roster_fingerprint, "roster_fingerprint"));

  const std::size_t n = s.candidates.size();
  if (n < 1 || n > Manifest::kMaxCandidates) {
    return invalid_argument("bad_candidate_count",
                            "a ballot lists 1..100 candidates, not " + std::to_string(n));
  }
  for (std::size_t i = 0; i < n; ++i) {
    URNE_RETURN_IF_ERROR(
        check_text(cand(i, "name"), s.candidates[i].name, 1, Manifest::kMaxNameSize));
    URNE_RETURN_IF_ERROR(check_text(cand(i, "affiliation"), s.candidates[i].affiliation, 0,
                                    Manifest::kMaxAffiliationSize));
  }
  std::vector<std::string_view> names;
  names.reserve(n);
  for (const Candidate& c : s.candidates) names.push_back(c.name);
  std::sort(names.begin(), names.end());
  if (auto it = std::adjacent_find(names.begin(), names.end()); it != names.end()) {
    return invalid_argument("duplicate_candidate",
                            "candidate \"" + std::string(*it) + "\" is listed twice");
  }

  if (s.seats < 1 || s.seats > Manifest::kMaxSeats) {
    return invalid_argument("bad_seats", "seats must be 1..100");
  }
  if (s.substitutes > Manifest::kMaxSubstitutes) {
    return invalid_argument("bad_substitutes", "substitutes must be 0..100");
  }
  // Contract of the caller: create() resolved an unset max_marks.
  const std::uint32_t max_marks = *s.max_marks;
  if (max_marks < 1 || max_marks > kMaxMarks || max_marks > n) {
    return invalid_argument(
        "bad_max_marks",
        "max_marks must be 1..min(16, number of candidates), not " + std::to_string(max_marks));
  }
  if (s.tie_rule != TieRule::kLot && s.tie_rule != TieRule::kRunoff) {
    return invalid_argument("bad_tie_rule", "tie_rule must be lot (1) or runoff (2)");
  }
  URNE_RETURN_IF_ERROR(check_hash_set(s.lot_seed_commitment, "lot_seed_commitment"));
  URNE_RETURN_IF_ERROR(check_issuer_name(s.token_issuer_name));
  URNE_RETURN_IF_ERROR(check_ed25519_key(s.service_key, "bad_service_key", "service_key"));
  URNE_RETURN_IF_ERROR(check_ed25519_key(s.officer_key, "bad_officer_key", "officer_key"));
  // The officer signs what the service must not be able to sign for him
  // (and vice versa); one key for both would blur who vouched for what.
  if (s.service_key == s.officer_key) {
    return invalid_argument("same_service_and_officer_key",
                            "the service and the officer need different keys");
  }
  URNE_RETURN_IF_ERROR(check_hash_set(s.page_hash, "page_hash"));
  return Status::ok();
}

Bytes encode(const ManifestSpec& s, const ElectionKey& key) {
  CanonicalWriter w(Manifest::kLabel);
  w.text16(s.title);
  w.presence(s.kind.has_value());
  if (s.kind) w.text16(*s.kind);
  w.presence(s.description.has_value());
  if (s.description) w.text16(*s.description);
  w.fixed(s.roster_fingerprint);
  w.count16(s.candidates.size());
  for (const Candidate& c : s.candidates) {
    w.text16(c.name);
    w.text16(c.affiliation);
  }
  w.u32(s.seats);
  w.u32(s.substitutes);
  w.u32(*s.max_marks);
  w.boolean(s.invalid_offered);
  w.u8(static_cast<std::uint8_t>(s.tie_rule));
  w.fixed(s.lot_seed_commitment);
  w.text16(s.token_issuer_name);
  w.bytes16(s.token_public_key);
  w.fixed(key.params().ceremony_id());
  w.u8(static_cast<std::uint8_t>(key.params().n()));
  w.u8(static_cast<std::uint8_t>(key.params().k()));
  // The commitments, not just the key: the auditor re-derives the key and
  // the trustees' public shares from them.
  w.count16(key.commitments().size());
  for (const DealerCommitment& c : key.commitments()) w.bytes16(c.encode());
  w.fixed(s.service_key);
  w.fixed(s.officer_key);
  w.fixed(s.page_hash);
  return std::move(w).take();
}

}  // namespace

Manifest::Manifest(ManifestSpec spec, TokenChallenge challenge, TokenVerifier verifier,
                   ElectionKey key, ElGamalPublicKey elgamal_key)
    : spec_(std::move(spec)),
      challenge_(std::move(challenge)),
      verifier_(std::move(verifier)),
      election_key_(std::move(key)),
      elgamal_key_(std::move(elgamal_key)) {}

Result<Manifest> Manifest::create(ManifestSpec spec) {
  if (!spec.max_marks) {
    spec.max_marks = std::min<std::uint32_t>(
        spec.seats,
        static_cast<std::uint32_t>(std::min<std::size_t>(spec.candidates.size(), 0xffffffffU)));
  }
  URNE_RETURN_IF_ERROR(check_spec(spec));

  auto token_key = TokenPublicKey::parse(spec.token_public_key);
  if (!token_key.ok()) return with_field(token_key.status(), "token_public_key");

  auto params = DkgParams::create(spec.ceremony_id, spec.trustees, spec.threshold);
  if (!params.ok()) return with_field(params.status(), "dkg");
  // Each commitment carries a proof checked when it was parsed, but under
  // the params it was parsed with: ElectionKey::derive checks the ceremony
  // id, the dealer index and k, not n, which the proof also covers. Parse
  // each one again under this manifest's params, so that create() accepts
  // exactly what parse_canonical() accepts.
  for (std::size_t i = 0; i < spec.qual_commitments.size(); ++i) {
    auto c = DealerCommitment::parse(spec.qual_commitments[i].encode(), *params);
    if (!c.ok()) {
      return with_field(c.status(), "qual_commitments[" + std::to_string(i) + "]");
    }
  }
  auto key = ElectionKey::derive(*params, spec.qual_commitments);
  if (!key.ok()) return with_field(key.status(), "qual_commitments");
  // Normalize: the canonical order of QUAL is ascending by dealer.
  spec.qual_commitments = key->commitments();
  URNE_ASSIGN_OR_RETURN(ElGamalPublicKey elgamal_key,
                        ElGamalPublicKey::from_point(key->election_key()));

  Bytes bytes = encode(spec, *key);
  const ElectionId id = sha256(bytes);
  // The token is bound to this election by its challenge: the redemption
  // context is the election id, the origin is left empty (one issuer per
  // election, no origin to name).
  auto challenge = TokenChallenge::for_election(as_bytes(spec.token_issuer_name), id, {});
  if (!challenge.ok()) return with_field(challenge.status(), "token_issuer_name");
  TokenVerifier verifier(*token_key, *challenge);

  Manifest m(std::move(spec), std::move(challenge).value(), std::move(verifier),
             std::move(key).value(), std::move(elgamal_key));
  m.bytes_ = std::move(bytes);
  m.id_ = id;
  return m;
}

Result<Manifest> Manifest::parse_canonical(ByteView bytes) {
  CanonicalReader r(bytes);
  ManifestSpec s;
  URNE_RETURN_IF_ERROR(r.label(kLabel));
  URNE_ASSIGN_OR_RETURN(s.title, r.text16("title", 1, kMaxTitleSize));
  URNE_ASSIGN_OR_RETURN(bool has_kind, r.presence("kind"));
  if (has_kind) {
    URNE_ASSIGN_OR_RETURN(s.kind, r.text16("kind", 1, kMaxKindSize));
  }
  URNE_ASSIGN_OR_RETURN(bool has_description, r.presence("description"));
  if (has_description) {
    URNE_ASSIGN_OR_RETURN(s.description, r.text16("description", 1, kMaxDescriptionSize));
  }
  URNE_ASSIGN_OR_RETURN(s.roster_fingerprint, r.fixed<32>("roster_fingerprint"));
  // Smallest candidate: lp16 name (>= 1 byte) and lp16 affiliation (>= 0).
  URNE_ASSIGN_OR_RETURN(std::size_t n, r.count16("candidates", 1, kMaxCandidates, 2 + 1 + 2));
  s.candidates.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    Candidate c;
    URNE_ASSIGN_OR_RETURN(c.name, r.text16(cand(i, "name"), 1, kMaxNameSize));
    URNE_ASSIGN_OR_RETURN(c.affiliation, r.text16(cand(i, "affiliation"), 0, kMaxAffiliationSize));
    s.candidates.push_back(std::move(c));
  }
  URNE_ASSIGN_OR_RETURN(s.seats, r.u32("seats"));
  URNE_ASSIGN_OR_RETURN(s.substitutes, r.u32("substitutes"));
  URNE_ASSIGN_OR_RETURN(s.max_marks, r.u32("max_marks"));
  URNE_ASSIGN_OR_RETURN(s.invalid_offered, r.boolean("invalid_offered"));
  URNE_ASSIGN_OR_RETURN(std::uint8_t tie_rule, r.u8("tie_rule"));
  if (tie_rule != static_cast<std::uint8_t>(TieRule::kLot) &&
      tie_rule != static_cast<std::uint8_t>(TieRule::kRunoff)) {
    return invalid_argument("bad_tie_rule", "tie_rule must be lot (1) or runoff (2)");
  }
  s.tie_rule = static_cast<TieRule>(tie_rule);
  URNE_ASSIGN_OR_RETURN(s.lot_seed_commitment, r.fixed<32>("lot_seed_commitment"));
  URNE_ASSIGN_OR_RETURN(s.token_issuer_name, r.text16("token_issuer_name", 1, kMaxIssuerNameSize));
  URNE_ASSIGN_OR_RETURN(ByteView spki, r.bytes16("token_public_key", 1, kMaxLp16));
  s.token_public_key.assign(spki.begin(), spki.end());
  URNE_ASSIGN_OR_RETURN(s.ceremony_id, r.fixed<32>("ceremony_id"));
  URNE_ASSIGN_OR_RETURN(std::uint8_t trustees, r.u8("trustees"));
  URNE_ASSIGN_OR_RETURN(std::uint8_t threshold, r.u8("threshold"));
  s.trustees = trustees;
  s.threshold = threshold;
  auto params = DkgParams::create(s.ceremony_id, s.trustees, s.threshold);
  if (!params.ok()) return with_field(params.status(), "dkg");
  // A commitment is 99 + 32k bytes (crypto/dkg.hpp).
  const std::size_t commitment_size = 99 + std::size_t{32} * params->k();
  URNE_ASSIGN_OR_RETURN(std::size_t q,
                        r.count16("qual_commitments", 1, params->n(), 2 + commitment_size));
  s.qual_commitments.reserve(q);
  for (std::size_t i = 0; i < q; ++i) {
    const std::string field = "qual_commitments[" + std::to_string(i) + "]";
    URNE_ASSIGN_OR_RETURN(ByteView c, r.bytes16(field, commitment_size, commitment_size));
    auto commitment = DealerCommitment::parse(c, *params);
    if (!commitment.ok()) return with_field(commitment.status(), field);
    s.qual_commitments.push_back(std::move(commitment).value());
  }
  URNE_ASSIGN_OR_RETURN(s.service_key, r.fixed<32>("service_key"));
  URNE_ASSIGN_OR_RETURN(s.officer_key, r.fixed<32>("officer_key"));
  URNE_ASSIGN_OR_RETURN(s.page_hash, r.fixed<32>("page_hash"));
  URNE_RETURN_IF_ERROR(r.finish());

  URNE_ASSIGN_OR_RETURN(Manifest m, create(std::move(s)));
  // The election id is the hash of these bytes only if they are the one
  // encoding of the manifest (e.g. QUAL in ascending order).
  if (m.canonical_bytes().size() != bytes.size() ||
      !std::equal(bytes.begin(), bytes.end(), m.canonical_bytes().begin())) {
    return invalid_argument("not_canonical", "the manifest does not re-encode to its input");
  }
  return m;
}

BallotLayout Manifest::ballot_layout() const noexcept {
  BallotLayout layout;
  layout.candidates = static_cast<std::uint32_t>(spec_.candidates.size());
  layout.has_invalid = spec_.invalid_offered;
  layout.max_marks = *spec_.max_marks;
  return layout;
}

}  // namespace urne
