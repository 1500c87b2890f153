#include "server/election_service.hpp"

#include <algorithm>
#include <set>
#include <span>
#include <utility>

#include "ballot/audit.hpp"
#include "ballot/ballot.hpp"
#include "ballot/counting.hpp"
#include "ballot/tally.hpp"
#include "crypto/credential.hpp"

namespace urne::server {
namespace {

Status verify_officer_transition(const Manifest& manifest, const StateTransition& t) {
  return verify_transition(manifest.spec().officer_key, manifest.election_id(), t);
}

// Combines the trustees' partials and applies the counting rule: the result
// that "tallied" freezes and "result_published" signs.
Result<ElectionResult> tally_result(const Manifest& manifest, const Roster& roster,
                                    std::size_t tokens_issued,
                                    const std::vector<CastBallot>& ballots,
                                    std::span<const CiphertextSum> sums,
                                    std::span<const TrusteePartials> partials,
                                    const FixedBytes<32>& seed) {
  URNE_ASSIGN_OR_RETURN(const Totals totals, combine(manifest, sums, partials, ballots.size()));
  std::vector<FixedBytes<32>> hashes;
  hashes.reserve(ballots.size());
  for (const CastBallot& b : ballots) hashes.push_back(b.ballot_hash());
  return derive_result(manifest, roster, tokens_issued, hashes, totals, seed);
}

}  // namespace

// ---- register ----------------------------------------------------------------------

RegisterService::RegisterService(store::RegisterStore& store,
                                 std::vector<Ed25519PublicKey> officer_keys)
    : store_(store), officer_keys_(std::move(officer_keys)) {}

Status RegisterService::put_roster(const Roster& roster) { return store_.put_roster(roster); }

Result<TokenPublicKey> RegisterService::create_token_key() {
  // OpenSSL's DRBG draws the primes (its key generation takes no outside
  // randomness; crypto/blind_rsa.hpp).
  URNE_ASSIGN_OR_RETURN(const BlindRsaSecretKey key, BlindRsaSecretKey::generate(kTokenKeyBits));
  URNE_ASSIGN_OR_RETURN(TokenPublicKey pk, TokenPublicKey::from_key(key.public_key()));
  URNE_RETURN_IF_ERROR(store_.add_pending_token_key(key));
  return pk;
}

Status RegisterService::create_election(const Manifest& manifest) {
  const Ed25519PublicKey& officer = manifest.spec().officer_key;
  if (std::find(officer_keys_.begin(), officer_keys_.end(), officer) == officer_keys_.end()) {
    return Status(Code::kPermissionDenied, "unknown_officer",
                  "the manifest's officer key is not an officer key of this server");
  }
  Status s = store_.create_election_from_pending(manifest);
  if (s.reason() == "election_exists") return Status::ok();  // a retry: same id, same bytes
  URNE_RETURN_IF_ERROR(s);
  return warm_caches();
}

Status RegisterService::warm_caches() {
  URNE_ASSIGN_OR_RETURN(const auto ids, store_.election_ids());
  for (const ElectionId& id : ids) {
    URNE_RETURN_IF_ERROR(cached_roster(id).status());
    URNE_RETURN_IF_ERROR(issuer(id).status());
  }
  return Status::ok();
}

Result<std::vector<ElectionOverview>> RegisterService::elections() const {
  URNE_ASSIGN_OR_RETURN(const auto ids, store_.election_ids());
  std::vector<ElectionOverview> out;
  for (const ElectionId& id : ids) {
    URNE_ASSIGN_OR_RETURN(const Manifest m, store_.manifest(id));
    URNE_ASSIGN_OR_RETURN(const store::ElectionStatus st, store_.election_status(id));
    out.push_back(ElectionOverview{id, m.title(), m.spec().kind, st.state,
                                   static_cast<std::uint32_t>(st.sequence)});
  }
  return out;
}

Result<Manifest> RegisterService::manifest(const ElectionId& id) const {
  return store_.manifest(id);
}

Result<store::ElectionStatus> RegisterService::status(const ElectionId& id) const {
  return store_.election_status(id);
}

Result<Roster> RegisterService::roster(const ElectionId& id) const {
  URNE_ASSIGN_OR_RETURN(const Manifest m, store_.manifest(id));
  return store_.roster(m.spec().roster_fingerprint);
}

Result<std::shared_ptr<const Manifest>> RegisterService::cached_manifest(const ElectionId& id) {
  return manifests_.get(id, [&] { return store_.manifest(id); });
}

Result<std::shared_ptr<const Roster>> RegisterService::cached_roster(const ElectionId& id) {
  return rosters_.get(id, [&]() -> Result<Roster> {
    URNE_ASSIGN_OR_RETURN(const auto m, cached_manifest(id));
    return store_.roster(m->spec().roster_fingerprint);
  });
}

Result<std::vector<StateTransition>> RegisterService::transitions(const ElectionId& id) const {
  return store_.transitions(id);
}

Result<store::IssuanceOutcome> RegisterService::issue_token(const ElectionId& id,
                                                            std::string_view institution_id,
                                                            ByteView signature,
                                                            ByteView request_bytes) {
  URNE_ASSIGN_OR_RETURN(const auto manifest_ptr, cached_manifest(id));
  const Manifest& manifest = *manifest_ptr;
  URNE_ASSIGN_OR_RETURN(const auto roster_ptr, cached_roster(id));
  const Roster& roster = *roster_ptr;
  // Entitlement first: only roster institutions reach the failure counter
  // (an attacker choosing ids would otherwise grow its table).
  if (roster.find(institution_id) == nullptr) {
    return Status(Code::kPermissionDenied, "not_entitled",
                  "this institution is not entitled to vote in this election");
  }
  URNE_ASSIGN_OR_RETURN(TokenRequest request, TokenRequest::parse(request_bytes));
  if (signature.size() != store::kInstitutionSignatureSize) {
    return invalid_argument("bad_signature_encoding", "the signature must be 64 bytes");
  }
  store::InstitutionSignature sig{};
  std::copy(signature.begin(), signature.end(), sig.begin());
  const IssuanceEntry entry{std::string(institution_id), request, sig};
  if (Status s = verify_issuance_entry(manifest, roster, entry); !s) {
    if (s.code() != Code::kUnauthenticated) return s;
    URNE_ASSIGN_OR_RETURN(const std::uint64_t failures,
                          store_.record_failed_attempt(id, institution_id));
    if (failures > kMaxFailedAttempts) {
      return Status(Code::kResourceExhausted, "too_many_attempts",
                    "too many requests with a wrong voting code for this institution; ask the "
                    "election officer");
    }
    return s;
  }
  URNE_ASSIGN_OR_RETURN(const auto issuer, this->issuer(id));
  return store_.record_issuance(
      id, institution_id, request, sig,
      [&issuer](const TokenRequest& r) -> Result<TokenResponse> { return issuer->evaluate(r); });
}

Result<std::shared_ptr<const TokenIssuer>> RegisterService::issuer(const ElectionId& id) {
  {
    const std::lock_guard lock(cache_mutex_);
    if (auto it = issuers_.find(id); it != issuers_.end()) return it->second;
  }
  // Parsed once per election: the key never changes, and parsing the PKCS#8
  // key on every request would add to the RSA operation's cost.
  URNE_ASSIGN_OR_RETURN(BlindRsaSecretKey key, store_.token_secret_key(id));
  URNE_ASSIGN_OR_RETURN(TokenIssuer issuer, TokenIssuer::create(std::move(key)));
  auto shared = std::make_shared<const TokenIssuer>(std::move(issuer));
  const std::lock_guard lock(cache_mutex_);
  return issuers_.try_emplace(id, std::move(shared)).first->second;
}

Result<std::uint64_t> RegisterService::tokens_issued(const ElectionId& id) const {
  return store_.issued_count(id);
}

Result<store::TransitionOutcome> RegisterService::transition(const ElectionId& id,
                                                             const StateTransition& t) {
  URNE_ASSIGN_OR_RETURN(const auto manifest_ptr, cached_manifest(id));
  const Manifest& manifest = *manifest_ptr;
  URNE_RETURN_IF_ERROR(verify_officer_transition(manifest, t));
  return store_.transition(id, t);
}

Result<std::vector<IssuanceEntry>> RegisterService::issuance_log(const ElectionId& id) const {
  URNE_ASSIGN_OR_RETURN(const store::ElectionStatus st, store_.election_status(id));
  if (static_cast<int>(st.state) < static_cast<int>(ElectionState::kClosed)) {
    return failed_precondition("ballot_not_closed",
                               "the issuance log is published from the close on");
  }
  URNE_ASSIGN_OR_RETURN(const auto records, store_.issuances(id));
  std::vector<IssuanceEntry> out;
  out.reserve(records.size());
  for (const auto& r : records)
    out.push_back(IssuanceEntry{r.institution_id, r.request, r.signature});
  return out;
}

// ---- ballot box ---------------------------------------------------------------------

struct BallotBoxService::Tally {
  std::vector<CastBallot> ballots;  // ascending by hash (the board's order)
  std::vector<CiphertextSum> sums;
};

BallotBoxService::BallotBoxService(store::BallotBoxStore& store, Ed25519SigningKey service_key)
    : store_(store), service_key_(std::move(service_key)) {}

Status BallotBoxService::add_election(const Manifest& manifest, const Roster& roster) {
  if (manifest.spec().service_key != service_key_.public_key()) {
    return invalid_argument("wrong_service_key",
                            "the manifest names another service key than this ballot box's");
  }
  if (manifest.spec().roster_fingerprint != roster.fingerprint()) {
    return invalid_argument("roster_mismatch", "this is not the roster the manifest names");
  }
  URNE_RETURN_IF_ERROR(store_.add_election(manifest));
  return store_.put_roster(manifest.election_id(), roster);
}

Result<Manifest> BallotBoxService::manifest(const ElectionId& id) const {
  return store_.manifest(id);
}

Result<std::shared_ptr<const Manifest>> BallotBoxService::cached_manifest(const ElectionId& id) {
  return manifests_.get(id, [&] { return store_.manifest(id); });
}

Result<std::shared_ptr<const Roster>> BallotBoxService::cached_roster(const ElectionId& id) {
  return rosters_.get(id, [&] { return store_.roster(id); });
}

Result<std::vector<StateTransition>> BallotBoxService::transitions(const ElectionId& id) const {
  return store_.transitions(id);
}

Result<std::uint64_t> BallotBoxService::ballots_cast(const ElectionId& id) const {
  return store_.ballot_count(id);
}

Result<CastReceipt> BallotBoxService::cast(const ElectionId& id, ByteView ballot_bytes) {
  URNE_ASSIGN_OR_RETURN(const auto manifest_ptr, cached_manifest(id));
  const Manifest& manifest = *manifest_ptr;
  URNE_ASSIGN_OR_RETURN(const CastBallot ballot, CastBallot::parse_canonical(ballot_bytes));
  // The same verification the audit runs (ballot/ballot.hpp), before the
  // store: a ballot that is not valid never spends a token.
  URNE_RETURN_IF_ERROR(verify_cast_ballot(manifest, ballot));
  URNE_ASSIGN_OR_RETURN(const store::CastOutcome outcome, store_.cast(id, ballot));
  // The receipt is signed only after the commit: "accepted" means on disk.
  URNE_ASSIGN_OR_RETURN(Receipt receipt, issue_receipt(service_key_, id, outcome.ballot_hash));
  return CastReceipt{receipt, outcome.newly_accepted};
}

Status BallotBoxService::check_transition(const ElectionId& id, const StateTransition& t,
                                          const std::optional<FixedBytes<32>>& lot_seed) {
  URNE_ASSIGN_OR_RETURN(const auto manifest_ptr, cached_manifest(id));
  const Manifest& manifest = *manifest_ptr;
  URNE_RETURN_IF_ERROR(verify_officer_transition(manifest, t));
  if (t.state == ElectionState::kClosed) {
    if (!lot_seed) return invalid_argument("lot_seed_required", "the close reveals the lot seed");
    if (!lot_seed_matches(*lot_seed, manifest.spec().lot_seed_commitment)) {
      return failed_precondition("lot_seed_mismatch",
                                 "the seed does not match the manifest's commitment");
    }
  } else if (lot_seed) {
    return invalid_argument("unexpected_lot_seed", "the lot seed is revealed with the close");
  }
  if (t.state != ElectionState::kTallied) return Status::ok();
  URNE_ASSIGN_OR_RETURN(const auto stored, store_.transitions(id));
  if (stored.size() >= t.sequence && stored[t.sequence - 1].state == t.state) {
    return Status::ok();  // a retry of the stored transition: the store decides
  }
  if (store::state_after(stored) != ElectionState::kClosed) {
    return Status::ok();  // the store reports the wrong state by name
  }
  // The tally must be complete before the officer can declare it: the
  // result that "tallied" freezes is computed here, from the box alone.
  URNE_ASSIGN_OR_RETURN(const auto tally_data, tally(id));
  URNE_ASSIGN_OR_RETURN(const auto log, store_.issuance_log(id));
  if (!log) {
    return failed_precondition("issuance_log_missing",
                               "the ballot box has not received the issuance log");
  }
  URNE_ASSIGN_OR_RETURN(const auto partials, store_.partials(id));
  URNE_ASSIGN_OR_RETURN(const auto seed, store_.lot_seed(id));
  URNE_ASSIGN_OR_RETURN(const auto roster_ptr, cached_roster(id));
  const Roster& roster = *roster_ptr;
  return tally_result(manifest, roster, log->size(), tally_data->ballots, tally_data->sums,
                      partials, *seed)
      .status();
}

Result<store::TransitionResult> BallotBoxService::transition(
    const ElectionId& id, const StateTransition& t, const std::optional<FixedBytes<32>>& lot_seed) {
  URNE_RETURN_IF_ERROR(check_transition(id, t, lot_seed));
  return store_.transition(id, t, lot_seed);
}

Status BallotBoxService::put_issuance_log(const ElectionId& id,
                                          std::vector<IssuanceEntry> entries) {
  URNE_ASSIGN_OR_RETURN(const auto manifest_ptr, cached_manifest(id));
  const Manifest& manifest = *manifest_ptr;
  URNE_ASSIGN_OR_RETURN(const auto roster_ptr, cached_roster(id));
  const Roster& roster = *roster_ptr;
  std::set<std::string> seen;
  for (const IssuanceEntry& e : entries) {
    if (!seen.insert(e.institution_id).second) {
      return invalid_argument("duplicate_institution",
                              e.institution_id + " appears twice in the issuance log");
    }
    URNE_RETURN_IF_ERROR(verify_issuance_entry(manifest, roster, e));
  }
  return store_.put_issuance_log(id, std::move(entries));
}

Result<std::shared_ptr<const BallotBoxService::Tally>> BallotBoxService::tally(
    const ElectionId& id) {
  {
    const std::lock_guard lock(cache_mutex_);
    if (auto it = tallies_.find(id); it != tallies_.end()) return it->second;
  }
  URNE_ASSIGN_OR_RETURN(const auto manifest_ptr, cached_manifest(id));
  const Manifest& manifest = *manifest_ptr;
  // ballots() answers only once the box is closed; after that nothing can
  // change, so the result may be cached for good.
  URNE_ASSIGN_OR_RETURN(std::vector<CastBallot> ballots, store_.ballots(id));
  URNE_ASSIGN_OR_RETURN(std::vector<CiphertextSum> sums, compute_sums(manifest, ballots));
  auto t = std::make_shared<const Tally>(Tally{std::move(ballots), std::move(sums)});
  const std::lock_guard lock(cache_mutex_);
  return tallies_.try_emplace(id, std::move(t)).first->second;
}

Result<std::vector<CiphertextSum>> BallotBoxService::sums(const ElectionId& id) {
  URNE_ASSIGN_OR_RETURN(const auto t, tally(id));
  return t->sums;
}

Result<PartialsOutcome> BallotBoxService::add_partials(const ElectionId& id,
                                                       const TrusteePartials& partials) {
  URNE_ASSIGN_OR_RETURN(const auto manifest_ptr, cached_manifest(id));
  const Manifest& manifest = *manifest_ptr;
  URNE_ASSIGN_OR_RETURN(const auto t, tally(id));
  const ElectionKey& key = manifest.election_key();
  if (!key.params().is_trustee(partials.trustee)) {
    return invalid_argument("bad_index", "no such trustee in this election");
  }
  if (partials.partials.size() != t->sums.size()) {
    return invalid_argument("bad_partial_count", "one partial decryption per sum is required");
  }
  for (std::size_t s = 0; s < t->sums.size(); ++s) {
    const PartialDecryption& p = partials.partials[s];
    if (p.trustee() != partials.trustee) {
      return invalid_argument("inconsistent_partials",
                              "a partial decryption names another trustee");
    }
    if (Status st = verify_partial_decryption(key, id, t->sums[s], p); !st) {
      return Status(Code::kUnauthenticated, "partial_decryption_invalid",
                    "trustee " + std::to_string(partials.trustee) + ", slot " + std::to_string(s) +
                        ": " + st.reason());
    }
  }
  URNE_ASSIGN_OR_RETURN(const bool stored, store_.add_partials(id, partials));
  URNE_ASSIGN_OR_RETURN(const auto all, store_.partials(id));
  return PartialsOutcome{stored, all.size(), key.params().k()};
}

Result<std::shared_ptr<const Board>> BallotBoxService::board(const ElectionId& id) {
  URNE_ASSIGN_OR_RETURN(const auto transitions, store_.transitions(id));
  const ElectionState phase = store::state_after(transitions);
  if (static_cast<int>(phase) < static_cast<int>(ElectionState::kClosed)) {
    return failed_precondition("ballot_not_closed",
                               "while the ballot is open only counts are published");
  }
  // What can still change after the close: the transitions (closed ->
  // tallied -> result_published). Partials enter the board only from
  // "tallied" on, and are frozen then; the issuance log is taken once. So a
  // cached board of this phase is the board: answer it before reading the
  // log (10,000 rows) again for every auditor's download.
  const std::string cache_key = std::to_string(transitions.size());
  {
    const std::lock_guard lock(cache_mutex_);
    if (auto it = boards_.find(id); it != boards_.end() && it->second.first == cache_key) {
      return it->second.second;
    }
  }
  URNE_ASSIGN_OR_RETURN(auto log, store_.issuance_log(id));
  if (!log) {
    return failed_precondition("issuance_log_missing",
                               "the ballot box has not received the issuance log yet");
  }
  URNE_ASSIGN_OR_RETURN(const auto manifest_ptr, cached_manifest(id));
  const Manifest& manifest = *manifest_ptr;
  URNE_ASSIGN_OR_RETURN(const auto roster_ptr, cached_roster(id));
  const Roster& roster = *roster_ptr;
  URNE_ASSIGN_OR_RETURN(const auto t, tally(id));
  URNE_ASSIGN_OR_RETURN(const auto seed, store_.lot_seed(id));
  BoardContents contents{manifest, roster, std::move(*log), transitions, t->ballots, t->sums,
                         {},       seed,   std::nullopt};
  if (phase == ElectionState::kTallied || phase == ElectionState::kResultPublished) {
    URNE_ASSIGN_OR_RETURN(contents.partials, store_.partials(id));
  }
  if (phase == ElectionState::kResultPublished) {
    URNE_ASSIGN_OR_RETURN(ElectionResult r,
                          tally_result(manifest, roster, contents.issuance.size(), t->ballots,
                                       t->sums, contents.partials, *seed));
    // Ed25519 is deterministic: the same result signed again gives the
    // same signature, so nothing but the inputs needs storing.
    URNE_ASSIGN_OR_RETURN(SignedResult signed_result, sign_result(service_key_, std::move(r)));
    contents.result = std::move(signed_result);
  }
  URNE_ASSIGN_OR_RETURN(Board b, Board::sign(std::move(contents), service_key_));
  auto shared = std::make_shared<const Board>(std::move(b));
  const std::lock_guard lock(cache_mutex_);
  boards_[id] = {cache_key, shared};
  return shared;
}

Result<SignedResult> BallotBoxService::result(const ElectionId& id) {
  URNE_ASSIGN_OR_RETURN(const auto transitions, store_.transitions(id));
  if (store::state_after(transitions) != ElectionState::kResultPublished) {
    return failed_precondition("result_not_published", "the result has not been published yet");
  }
  URNE_ASSIGN_OR_RETURN(const auto b, board(id));
  return *b->contents().result;
}

namespace {

// The short fingerprint without its grouping spaces: they are for reading
// aloud; in a file name they would need quoting on every command line that
// names the file.
std::string compact_short_fingerprint(const Board& board) {
  std::string short_fp = board.short_fingerprint();
  std::erase(short_fp, ' ');
  return short_fp;
}

}  // namespace

std::string board_file_name(const Board& board) {
  return "board-" + compact_short_fingerprint(board) + ".urne";
}

Result<std::shared_ptr<const PublishedMinutes>> BallotBoxService::minutes(const ElectionId& id) {
  URNE_ASSIGN_OR_RETURN(const auto transitions, store_.transitions(id));
  if (store::state_after(transitions) != ElectionState::kResultPublished) {
    return failed_precondition("result_not_published", "the result has not been published yet");
  }
  std::shared_ptr<MinutesSlot> slot;
  {
    const std::lock_guard lock(cache_mutex_);
    auto& s = minutes_[id];
    if (!s) s = std::make_shared<MinutesSlot>();
    slot = s;
  }
  // Held through the audit (seconds for a large board): the first request
  // audits, the others wait and take its minutes. cache_mutex_ is not held,
  // so other elections and other routes are not held up.
  const std::lock_guard lock(slot->mutex);
  if (slot->minutes) return slot->minutes;
  // From result_published on nothing changes: this board is the final one.
  URNE_ASSIGN_OR_RETURN(const auto board, this->board(id));
  const AuditReport audit = audit_board(*board, std::nullopt, AuditScope::kFinal);
  if (!audit.ok()) {
    std::string failed;
    for (const std::string& n : audit.failures()) failed += (failed.empty() ? "" : ", ") + n;
    return Status(Code::kInternal, "audit_failed",
                  "the service's own board does not audit (" + failed + "); no minutes");
  }
  Result<Minutes> rendered = render_minutes(*board, audit, board_file_name(*board));
  if (!rendered.ok()) {
    // Only a board without a result or one that fails its audit gets here:
    // after the checks above, a fault of this service, not of the request.
    return Status(Code::kInternal, rendered.status().reason(), rendered.status().message());
  }
  slot->minutes = std::make_shared<const PublishedMinutes>(
      PublishedMinutes{std::move(rendered).value(), compact_short_fingerprint(*board)});
  return slot->minutes;
}

}  // namespace urne::server
