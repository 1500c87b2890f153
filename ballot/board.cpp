#include "ballot/board.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "ballot/canonical.hpp"
#include "crypto/hash.hpp"

namespace urne {

namespace {

std::string at(std::string_view list, std::size_t i) {
  return std::string(list) + "[" + std::to_string(i) + "]";
}

// Prefixes a nested parser's message with the field it was parsing, keeping
// its code and reason.
Status in_field(const Status& s, const std::string& field) {
  return Status(s.code(), s.reason(), field + ": " + s.message());
}

bool is_state(std::uint8_t v) noexcept {
  return v >= static_cast<std::uint8_t>(ElectionState::kDraft) &&
         v <= static_cast<std::uint8_t>(ElectionState::kResultPublished);
}

Bytes encode_contents(const BoardContents& c) {
  CanonicalWriter w(Board::kLabel);
  w.bytes32(c.manifest.canonical_bytes());
  w.bytes32(c.roster.canonical_bytes());
  w.count32(c.issuance.size());
  for (const IssuanceEntry& e : c.issuance) {
    w.text16(e.institution_id);
    w.fixed(e.request.bytes());
    w.fixed(e.signature);
  }
  w.count16(c.transitions.size());
  for (const StateTransition& t : c.transitions) {
    w.u8(static_cast<std::uint8_t>(t.state));
    w.u32(t.sequence);
    w.fixed(t.signature);
  }
  w.count32(c.ballots.size());
  for (const CastBallot& b : c.ballots) w.bytes32(b.canonical_bytes());
  w.count16(c.sums.size());
  for (const CiphertextSum& s : c.sums) {
    w.fixed(s.a.bytes());
    w.fixed(s.b.bytes());
  }
  w.count16(c.partials.size());
  for (const TrusteePartials& t : c.partials) {
    // Contract: trustee indices are 1..16 (DkgParams), so they fit a u8.
    if (t.trustee > 0xff) std::abort();
    w.u8(static_cast<std::uint8_t>(t.trustee));
    w.count16(t.partials.size());
    for (const PartialDecryption& p : t.partials) w.fixed(p.encode());
  }
  w.presence(c.lot_seed.has_value());
  if (c.lot_seed) w.fixed(*c.lot_seed);
  w.presence(c.result.has_value());
  if (c.result) {
    w.bytes32(c.result->result.canonical_bytes());
    w.fixed(c.result->signature);
  }
  return std::move(w).take();
}

}  // namespace

// ---- issuance -----------------------------------------------------------------------

Status verify_issuance_entry(const Manifest& manifest, const Roster& roster,
                             const IssuanceEntry& entry) {
  const Institution* inst = roster.find(entry.institution_id);
  if (inst == nullptr) {
    return Status(Code::kPermissionDenied, "not_entitled",
                  "no institution \"" + entry.institution_id + "\" in the election's roster");
  }
  const TokenPublicKey& token_key = manifest.token_public_key();
  if (entry.request.truncated_token_key_id() != token_key.truncated_key_id()) {
    return invalid_argument("wrong_token_key", "the request names another token key");
  }
  if (Status s = verify_token_request(inst->key, manifest.election_id(), entry.institution_id,
                                      token_key.key_id(), entry.request.bytes(), entry.signature);
      !s) {
    return Status(Code::kUnauthenticated, "institution_signature_invalid",
                  "the request is not signed with " + entry.institution_id +
                      "'s voting code for this election (" + s.reason() + ")");
  }
  return Status::ok();
}

// ---- transitions -------------------------------------------------------------------

std::string_view state_name(ElectionState state) noexcept {
  switch (state) {
    case ElectionState::kDraft:
      return "draft";
    case ElectionState::kPublished:
      return "published";
    case ElectionState::kOpen:
      return "open";
    case ElectionState::kClosed:
      return "closed";
    case ElectionState::kTallied:
      return "tallied";
    case ElectionState::kResultPublished:
      return "result_published";
  }
  return "unknown";
}

std::optional<ElectionState> parse_state_name(std::string_view name) noexcept {
  for (int v = static_cast<int>(ElectionState::kDraft);
       v <= static_cast<int>(ElectionState::kResultPublished); ++v) {
    const auto s = static_cast<ElectionState>(v);
    if (state_name(s) == name) return s;
  }
  return std::nullopt;
}

std::optional<ElectionState> next_state(ElectionState state) noexcept {
  const int v = static_cast<int>(state);
  if (v < static_cast<int>(ElectionState::kDraft) ||
      v >= static_cast<int>(ElectionState::kResultPublished)) {
    return std::nullopt;
  }
  return static_cast<ElectionState>(v + 1);
}

Bytes transition_message(const ElectionId& election_id, ElectionState state,
                         std::uint32_t sequence) {
  CanonicalWriter w(kTransitionSignatureLabel);
  w.fixed(election_id);
  w.u8(static_cast<std::uint8_t>(state));
  w.u32(sequence);
  return std::move(w).take();
}

Result<StateTransition> sign_transition(const Ed25519SigningKey& officer,
                                        const ElectionId& election_id, ElectionState state,
                                        std::uint32_t sequence) {
  URNE_ASSIGN_OR_RETURN(Ed25519Signature sig,
                        officer.sign(transition_message(election_id, state, sequence)));
  return StateTransition{state, sequence, sig};
}

Status verify_transition(const Ed25519PublicKey& officer_key, const ElectionId& election_id,
                         const StateTransition& t) {
  if (!ed25519_verify(officer_key, transition_message(election_id, t.state, t.sequence),
                      t.signature)) {
    return unauthenticated("transition_signature_invalid",
                           "transition " + std::to_string(t.sequence) + " (" +
                               std::string(state_name(t.state)) +
                               ") is not signed by the officer's key");
  }
  return Status::ok();
}

// ---- result signature ----------------------------------------------------------------

Bytes result_message(const ElectionResult& result) {
  CanonicalWriter w(kResultSignatureLabel);
  w.fixed(result.election_id());
  w.fixed(result.hash());
  return std::move(w).take();
}

Status verify_result_signature(const Ed25519PublicKey& service_key, const SignedResult& r) {
  if (!ed25519_verify(service_key, result_message(r.result), r.signature)) {
    return unauthenticated("result_signature_invalid",
                           "the result is not signed by the service's key");
  }
  return Status::ok();
}

Result<SignedResult> sign_result(const Ed25519SigningKey& service, ElectionResult result) {
  URNE_ASSIGN_OR_RETURN(Ed25519Signature sig, service.sign(result_message(result)));
  return SignedResult{std::move(result), sig};
}

// ---- board ---------------------------------------------------------------------------------

Board::Board(BoardContents contents, Bytes contents_bytes, const Ed25519Signature& signature)
    : contents_(std::move(contents)),
      contents_bytes_(std::move(contents_bytes)),
      fingerprint_(sha256(contents_bytes_)),
      signature_(signature) {}

Bytes board_signature_message(const FixedBytes<32>& fingerprint) {
  CanonicalWriter w(Board::kSignatureLabel);
  w.fixed(fingerprint);
  return std::move(w).take();
}

Result<Board> Board::sign(BoardContents contents, const Ed25519SigningKey& service) {
  if (service.public_key() != contents.manifest.spec().service_key) {
    return invalid_argument("wrong_service_key", "the key is not the manifest's service key");
  }
  Bytes bytes = encode_contents(contents);
  URNE_ASSIGN_OR_RETURN(Ed25519Signature sig, service.sign(board_signature_message(sha256(bytes))));
  return Board(std::move(contents), std::move(bytes), sig);
}

Result<Board> Board::parse_canonical(ByteView bytes) {
  if (bytes.size() < 64) return invalid_argument("truncated", "a board ends with a signature");
  const ByteView body = bytes.first(bytes.size() - 64);
  CanonicalReader r(body);
  URNE_RETURN_IF_ERROR(r.label(kLabel));

  URNE_ASSIGN_OR_RETURN(ByteView manifest_bytes, r.bytes32("manifest", 1, kMaxManifestSize));
  auto manifest = Manifest::parse_canonical(manifest_bytes);
  if (!manifest.ok()) return in_field(manifest.status(), "manifest");
  URNE_ASSIGN_OR_RETURN(ByteView roster_bytes, r.bytes32("roster", 1, kMaxRosterSize));
  auto roster = Roster::parse_canonical(roster_bytes);
  if (!roster.ok()) return in_field(roster.status(), "roster");
  BoardContents c{std::move(manifest).value(),
                  std::move(roster).value(),
                  {},
                  {},
                  {},
                  {},
                  {},
                  std::nullopt,
                  std::nullopt};

  // Issuance: lp16 id (>= 1 byte), request, signature.
  constexpr std::size_t kMinEntry = 2 + 1 + kTokenRequestLength + 64;
  URNE_ASSIGN_OR_RETURN(std::size_t issued, r.count32("issuance", 0, kMaxIssuance, kMinEntry));
  c.issuance.reserve(issued);
  for (std::size_t i = 0; i < issued; ++i) {
    const std::string field = at("issuance", i);
    URNE_ASSIGN_OR_RETURN(std::string id,
                          r.text16(field + ".institution_id", 1, kInstitutionIdMaxSize));
    if (Status s = check_institution_id(id); !s) return in_field(s, field);
    URNE_ASSIGN_OR_RETURN(ByteView request, r.fixed(kTokenRequestLength, field + ".request"));
    auto parsed = TokenRequest::parse(request);
    if (!parsed.ok()) return in_field(parsed.status(), field + ".request");
    URNE_ASSIGN_OR_RETURN(InstitutionSignature sig, r.fixed<64>(field + ".signature"));
    c.issuance.push_back(IssuanceEntry{std::move(id), *parsed, sig});
  }

  URNE_ASSIGN_OR_RETURN(std::size_t transitions,
                        r.count16("transitions", 0, kMaxTransitions, 1 + 4 + 64));
  for (std::size_t i = 0; i < transitions; ++i) {
    StateTransition t;
    URNE_ASSIGN_OR_RETURN(std::uint8_t state, r.u8(at("transitions", i) + ".state"));
    if (!is_state(state)) {
      return invalid_argument("bad_state", at("transitions", i) + ": unknown election state");
    }
    t.state = static_cast<ElectionState>(state);
    URNE_ASSIGN_OR_RETURN(t.sequence, r.u32(at("transitions", i) + ".sequence"));
    URNE_ASSIGN_OR_RETURN(t.signature, r.fixed<64>(at("transitions", i) + ".signature"));
    c.transitions.push_back(t);
  }

  URNE_ASSIGN_OR_RETURN(std::size_t ballots, r.count32("ballots", 0, kMaxBallots, 4 + 1));
  c.ballots.reserve(ballots);
  for (std::size_t i = 0; i < ballots; ++i) {
    URNE_ASSIGN_OR_RETURN(ByteView b, r.bytes32(at("ballots", i), 1, kMaxBallotSize));
    auto ballot = CastBallot::parse_canonical(b);
    if (!ballot.ok()) return in_field(ballot.status(), at("ballots", i));
    c.ballots.push_back(std::move(ballot).value());
  }

  URNE_ASSIGN_OR_RETURN(std::size_t sums, r.count16("sums", 0, CastBallot::kMaxSlots, 64));
  for (std::size_t i = 0; i < sums; ++i) {
    URNE_ASSIGN_OR_RETURN(ByteView a, r.fixed(Point::kSize, at("sums", i) + ".a"));
    URNE_ASSIGN_OR_RETURN(ByteView b, r.fixed(Point::kSize, at("sums", i) + ".b"));
    auto pa = Point::parse(a);
    if (!pa.ok()) return in_field(pa.status(), at("sums", i) + ".a");
    auto pb = Point::parse(b);
    if (!pb.ok()) return in_field(pb.status(), at("sums", i) + ".b");
    c.sums.push_back(CiphertextSum{*pa, *pb});
  }

  const DkgParams& params = c.manifest.election_key().params();
  URNE_ASSIGN_OR_RETURN(std::size_t trustees, r.count16("partials", 0, kMaxTrustees, 1 + 2));
  for (std::size_t i = 0; i < trustees; ++i) {
    TrusteePartials t;
    URNE_ASSIGN_OR_RETURN(std::uint8_t index, r.u8(at("partials", i) + ".trustee"));
    t.trustee = index;
    URNE_ASSIGN_OR_RETURN(std::size_t count,
                          r.count16(at("partials", i) + ".partials", 0, CastBallot::kMaxSlots,
                                    PartialDecryption::kSize));
    for (std::size_t j = 0; j < count; ++j) {
      const std::string field = at(at("partials", i) + ".partials", j);
      URNE_ASSIGN_OR_RETURN(ByteView p, r.fixed(PartialDecryption::kSize, field));
      auto parsed = PartialDecryption::parse(p, params);
      if (!parsed.ok()) return in_field(parsed.status(), field);
      t.partials.push_back(*parsed);
    }
    c.partials.push_back(std::move(t));
  }

  URNE_ASSIGN_OR_RETURN(bool has_seed, r.presence("lot_seed"));
  if (has_seed) {
    URNE_ASSIGN_OR_RETURN(c.lot_seed, r.fixed<32>("lot_seed"));
  }
  URNE_ASSIGN_OR_RETURN(bool has_result, r.presence("result"));
  if (has_result) {
    URNE_ASSIGN_OR_RETURN(ByteView rb, r.bytes32("result", 1, kMaxLp32));
    auto result = ElectionResult::parse_canonical(rb);
    if (!result.ok()) return in_field(result.status(), "result");
    URNE_ASSIGN_OR_RETURN(Ed25519Signature sig, r.fixed<64>("result.signature"));
    c.result = SignedResult{std::move(result).value(), sig};
  }
  URNE_RETURN_IF_ERROR(r.finish());

  Ed25519Signature signature{};
  std::copy(bytes.end() - 64, bytes.end(), signature.begin());
  Bytes contents_bytes(body.begin(), body.end());
  // Every part was parsed by its own strict parser and re-encodes to its
  // input, and every frame is fixed or counted: the contents re-encode to
  // exactly what was read. Checked anyway, because the fingerprint read out
  // in the hall must be the hash of these very bytes.
  if (encode_contents(c) != contents_bytes) {
    return invalid_argument("not_canonical", "the board does not re-encode to its input");
  }
  return Board(std::move(c), std::move(contents_bytes), signature);
}

std::optional<ElectionState> Board::phase() const noexcept {
  if (contents_.transitions.empty()) return std::nullopt;
  return contents_.transitions.back().state;
}

BoardSummary Board::summary() const noexcept {
  return BoardSummary{phase().value_or(ElectionState::kDraft), contents_.issuance.size(),
                      contents_.ballots.size()};
}

Result<ResultReport> Board::report() const {
  if (!contents_.result) {
    return failed_precondition("no_result", "the board has no result yet");
  }
  const ElectionResult& r = contents_.result->result;
  if (r.election_id() != manifest().election_id() ||
      r.totals().marks.size() != manifest().candidates().size()) {
    return invalid_argument("result_mismatch", "the result is not this election's");
  }
  return make_report(manifest(), r, fingerprint_);
}

std::vector<FixedBytes<32>> Board::ballot_hashes() const {
  std::vector<FixedBytes<32>> out;
  out.reserve(contents_.ballots.size());
  for (const CastBallot& b : contents_.ballots) out.push_back(b.ballot_hash());
  return out;
}

Bytes Board::canonical_bytes() const {
  Bytes out = contents_bytes_;
  append(out, signature_);
  return out;
}

Status verify_board_signature(const Board& board) {
  if (!ed25519_verify(board.manifest().spec().service_key,
                      board_signature_message(board.fingerprint()), board.signature())) {
    return unauthenticated("board_signature_invalid",
                           "the board is not signed by the manifest's service key");
  }
  return Status::ok();
}

// ---- receipt ------------------------------------------------------------------------------

Bytes Receipt::canonical_bytes() const {
  CanonicalWriter w(kLabel);
  w.fixed(election_id);
  w.fixed(ballot_hash);
  w.fixed(signature);
  return std::move(w).take();
}

Result<Receipt> Receipt::parse_canonical(ByteView bytes) {
  CanonicalReader r(bytes);
  URNE_RETURN_IF_ERROR(r.label(kLabel));
  Receipt out;
  URNE_ASSIGN_OR_RETURN(out.election_id, r.fixed<32>("election_id"));
  URNE_ASSIGN_OR_RETURN(out.ballot_hash, r.fixed<32>("ballot_hash"));
  URNE_ASSIGN_OR_RETURN(out.signature, r.fixed<64>("signature"));
  URNE_RETURN_IF_ERROR(r.finish());
  return out;
}

Bytes receipt_message(const ElectionId& election_id, const FixedBytes<32>& ballot_hash) {
  CanonicalWriter w(Receipt::kSignatureLabel);
  w.fixed(election_id);
  w.fixed(ballot_hash);
  return std::move(w).take();
}

Result<Receipt> issue_receipt(const Ed25519SigningKey& service, const ElectionId& election_id,
                              const FixedBytes<32>& ballot_hash) {
  URNE_ASSIGN_OR_RETURN(Ed25519Signature sig,
                        service.sign(receipt_message(election_id, ballot_hash)));
  return Receipt{election_id, ballot_hash, sig};
}

Status verify_receipt(const Ed25519PublicKey& service_key, const Receipt& receipt) {
  if (!ed25519_verify(service_key, receipt_message(receipt.election_id, receipt.ballot_hash),
                      receipt.signature)) {
    return unauthenticated("receipt_signature_invalid",
                           "the receipt is not signed by the service's key");
  }
  return Status::ok();
}

Status receipt_on_board(const Board& board, const Receipt& receipt) {
  URNE_RETURN_IF_ERROR(verify_receipt(board.manifest().spec().service_key, receipt));
  if (receipt.election_id != board.manifest().election_id()) {
    return invalid_argument("wrong_election", "the receipt belongs to another election");
  }
  const auto& ballots = board.contents().ballots;
  const bool found = std::any_of(ballots.begin(), ballots.end(), [&](const CastBallot& b) {
    return b.ballot_hash() == receipt.ballot_hash;
  });
  if (!found) {
    return Status(Code::kNotFound, "ballot_not_on_board",
                  "the ballot " + receipt.short_hash() + " is not on this board");
  }
  return Status::ok();
}

}  // namespace urne
