// The election service: the register and the ballot box as two components
// over their stores, with every check the protocol asks for. Beast-free and
// JSON-free: server/api.cpp translates HTTP to these calls and back, and
// nothing else (design.md, "Architecture").
//
// RegisterService (voter register): rosters, token issuing keys, elections
// in the register, token issuance (one per institution and election,
// authorized by the institution's credential signature), the officer's
// transitions, the issuance log once the ballot is closed.
//
// BallotBoxService (ballot box): elections in the box, casting (token,
// spent set, proofs, receipt), the officer's transitions with the lot seed,
// the issuance log for the board, the sums, the trustees' partial
// decryptions, the tally, the signed result and the bulletin board. It holds
// the service's Ed25519 key (receipts, board, result) and never a token
// signing key.
//
// The two run in one process by default (both services over one data
// directory, and the api layer calls both where an operation concerns both)
// or in two processes on two hosts (server --role): the officer's tool then
// sends the same signed transitions to both and hands the register's
// issuance log to the box after the close; every item of it is signed by an
// institution, so the box verifies it rather than trusts it.
//
// What the officer signs (the state transitions, ballot/board.hpp) is
// checked here against the manifest's officer key; the officer's setup
// requests (roster, token key, election) are authenticated by the api layer
// (server/officer_auth.hpp) before they reach these methods.
//
// Thread-safety: both services are thread-safe (the stores are; the caches
// here are guarded by a mutex that is never held during crypto or storage
// calls, except each election's minutes lock, held through the one audit
// that makes its minutes so that no second request repeats it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ballot/board.hpp"
#include "ballot/manifest.hpp"
#include "ballot/minutes.hpp"
#include "ballot/result.hpp"
#include "ballot/roster.hpp"
#include "crypto/blind_rsa.hpp"
#include "crypto/privacy_pass.hpp"
#include "crypto/signing.hpp"
#include "crypto/status.hpp"
#include "server/ballot_box_store.hpp"
#include "server/register_store.hpp"

namespace urne::server {

// Parsed per-election documents, loaded once: a manifest and a roster are
// immutable (each is named by its hash), and parsing them costs more than
// the requests that need them (a 10,000-institution roster checks 10,000
// public keys; a manifest derives the election key).
template <class V>
class DocumentCache {
 public:
  template <class Load>
  Result<std::shared_ptr<const V>> get(const ElectionId& id, Load&& load) {
    {
      const std::lock_guard lock(mutex_);
      if (auto it = map_.find(id); it != map_.end()) return it->second;
    }
    // Loaded without the lock; two threads may both load, one result stays.
    Result<V> loaded = load();
    if (!loaded.ok()) return loaded.status();
    auto value = std::make_shared<const V>(std::move(loaded).value());
    const std::lock_guard lock(mutex_);
    return map_.try_emplace(id, std::move(value)).first->second;
  }

 private:
  std::mutex mutex_;
  std::map<ElectionId, std::shared_ptr<const V>> map_;
};

// Failed authorization attempts of one institution in one election after
// which further failures are answered with kResourceExhausted
// "too_many_attempts" (HTTP 429) instead of "institution_signature_invalid".
// A valid signature is always served: the counter is keyed on the
// institution (never on an address: the hall shares one), so refusing
// valid requests after N failures would let anyone in the hall lock an
// institution out by typing wrong codes for it; and the 110-bit code is not
// guessable, so the counter is not what protects it. It tells the delegate
// to ask the officer, and shows the officer which institution struggles.
inline constexpr std::uint64_t kMaxFailedAttempts = 10;

// The RSA modulus of token issuing keys (RFC 9474 RSABSSA-SHA384-PSS-
// Deterministic with 2048 bits, as the manifest requires).
inline constexpr std::size_t kTokenKeyBits = 2048;

struct ElectionOverview {
  ElectionId election_id{};
  std::string title;
  std::optional<std::string> kind;
  ElectionState state = ElectionState::kDraft;
  std::uint32_t sequence = 0;
};

class RegisterService {
 public:
  // `officer_keys`: who may set up elections here (the manifest's officer
  // key must be one of them).
  RegisterService(store::RegisterStore& store, std::vector<Ed25519PublicKey> officer_keys);

  // Stores a roster (text checks are the codec's job at the edge).
  Status put_roster(const Roster& roster);
  // Makes a fresh token issuing key and keeps it until an election's
  // manifest names it; returns its public key (RFC 9578 pkS, key id).
  Result<TokenPublicKey> create_token_key();
  // Creates the election in draft with the pending key the manifest names.
  // kPermissionDenied "unknown_officer" when the manifest's officer key is
  // not one of this server's; create_election_from_pending()'s reasons.
  // Creating the same manifest again: ok (idempotent).
  Status create_election(const Manifest& manifest);

  Result<std::vector<ElectionOverview>> elections() const;
  // Parses every election's manifest, roster and token key now (at start
  // and after creating an election), so that the first delegate's request
  // does not wait for a 10,000-institution roster to be checked.
  Status warm_caches();
  Result<Manifest> manifest(const ElectionId& id) const;
  Result<store::ElectionStatus> status(const ElectionId& id) const;
  Result<Roster> roster(const ElectionId& id) const;
  Result<std::vector<StateTransition>> transitions(const ElectionId& id) const;

  // One token per institution and election (RFC 9578 request bytes in, the
  // response out). In this order:
  //   unknown election                       kNotFound "election_not_found"
  //   institution not in the roster          kPermissionDenied "not_entitled"
  //   request not parseable                  kInvalidArgument (crypto reasons)
  //   request for another token key          kInvalidArgument "wrong_token_key"
  //   bad signature                          kUnauthenticated
  //                                          "institution_signature_invalid",
  //                                          counted; after kMaxFailedAttempts
  //                                          kResourceExhausted "too_many_attempts"
  //   then RegisterStore::record_issuance (the same request again: the same
  //   response; another: "already_issued_other_request"; wrong state:
  //   "issuance_closed").
  Result<store::IssuanceOutcome> issue_token(const ElectionId& id, std::string_view institution_id,
                                             ByteView signature, ByteView request_bytes);
  Result<std::uint64_t> tokens_issued(const ElectionId& id) const;

  // The officer's transition, verified against the manifest's officer key
  // (kUnauthenticated "transition_signature_invalid"), then
  // RegisterStore::transition.
  Result<store::TransitionOutcome> transition(const ElectionId& id, const StateTransition& t);

  // The issuance log (sorted by institution id), published only from the
  // close on (kFailedPrecondition "ballot_not_closed" before: while tokens
  // are issued only counts are public).
  Result<std::vector<IssuanceEntry>> issuance_log(const ElectionId& id) const;

 private:
  Result<std::shared_ptr<const TokenIssuer>> issuer(const ElectionId& id);
  Result<std::shared_ptr<const Manifest>> cached_manifest(const ElectionId& id);
  Result<std::shared_ptr<const Roster>> cached_roster(const ElectionId& id);

  store::RegisterStore& store_;
  DocumentCache<Manifest> manifests_;
  DocumentCache<Roster> rosters_;
  const std::vector<Ed25519PublicKey> officer_keys_;
  std::mutex cache_mutex_;  // guards issuers_; never held while signing
  std::map<ElectionId, std::shared_ptr<const TokenIssuer>> issuers_;
};

// The Wahlniederschrift of a published election and the short fingerprint
// (without spaces) of the board it was made from: the download's file name.
struct PublishedMinutes {
  Minutes minutes;
  std::string board_short;  // e.g. "1a2b3c4d5e6f7a8b"
};

// "board-<short fingerprint without spaces>.urne": the file name the ballot
// box gives its canonical board, and the one the minutes' audit command names.
std::string board_file_name(const Board& board);

struct CastReceipt {
  Receipt receipt;
  bool newly_accepted = false;  // false: this very ballot was in the box already
};

struct PartialsOutcome {
  bool newly_stored = false;  // false: the same partials were given before
  std::size_t trustees = 0;   // trustees whose partials are stored now
  std::size_t threshold = 0;  // k
};

class BallotBoxService {
 public:
  BallotBoxService(store::BallotBoxStore& store, Ed25519SigningKey service_key);

  const Ed25519PublicKey& service_key() const noexcept { return service_key_.public_key(); }

  // Registers the election with its roster (the roster the manifest
  // names). kInvalidArgument "wrong_service_key" when the manifest names
  // another service key (receipts and board would not verify); again: ok.
  Status add_election(const Manifest& manifest, const Roster& roster);

  Result<Manifest> manifest(const ElectionId& id) const;
  Result<std::vector<StateTransition>> transitions(const ElectionId& id) const;
  Result<std::uint64_t> ballots_cast(const ElectionId& id) const;

  // Parses and verifies the ballot (verify_cast_ballot: token, slots,
  // proofs), then BallotBoxStore::cast, then the signed receipt. Reasons:
  // CastBallot::parse_canonical's (kInvalidArgument), "token_invalid",
  // "wrong_slot_count", "proof_invalid", and the store's
  // "token_already_used", "ballot_not_open", "ballot_closed".
  Result<CastReceipt> cast(const ElectionId& id, ByteView ballot_bytes);

  // The officer's transition, verified against the manifest's officer key;
  // the close must reveal the seed of the manifest's commitment
  // (kInvalidArgument "lot_seed_required", kFailedPrecondition
  // "lot_seed_mismatch"); "tallied" needs the issuance log and a tally that
  // combines (kFailedPrecondition "issuance_log_missing", "too_few_partials"
  // and combine()'s and derive_result()'s reasons).
  Result<store::TransitionResult> transition(const ElectionId& id, const StateTransition& t,
                                             const std::optional<FixedBytes<32>>& lot_seed);
  // transition()'s checks without the change: a server running both
  // components checks the box before the register moves.
  [[nodiscard]] Status check_transition(const ElectionId& id, const StateTransition& t,
                                        const std::optional<FixedBytes<32>>& lot_seed);

  // The register's log, after the close: every entry verified
  // (verify_issuance_entry), at most one per institution ("duplicate_institution").
  Status put_issuance_log(const ElectionId& id, std::vector<IssuanceEntry> entries);

  // The sums of the ballots in the box, per slot; from the close on
  // (kFailedPrecondition "ballot_not_closed").
  Result<std::vector<CiphertextSum>> sums(const ElectionId& id);

  // A trustee's partial decryptions of the sums, verified on arrival
  // against the trustee's public share (kInvalidArgument "bad_partial_count",
  // "inconsistent_partials"; kUnauthenticated "partial_decryption_invalid"
  // naming the slot); taken while closed.
  Result<PartialsOutcome> add_partials(const ElectionId& id, const TrusteePartials& partials);

  // The board: kFailedPrecondition "ballot_not_closed" before the close (then
  // only counts are public), "issuance_log_missing" before the box has the
  // log. Its contents follow the phase (ballot/board.hpp).
  Result<std::shared_ptr<const Board>> board(const ElectionId& id);
  // The signed result, once published (kFailedPrecondition
  // "result_not_published").
  Result<SignedResult> result(const ElectionId& id);
  // The Wahlniederschrift (ballot/minutes.hpp) of the final board, once the
  // result is published (kFailedPrecondition "result_not_published"): the
  // board() this service serves, audited with AuditScope::kFinal as
  // `urne report` does (kInternal "audit_failed" if the service's own board
  // does not pass: it never should), rendered once per election and kept.
  // Concurrent first requests wait for the one audit (single flight).
  Result<std::shared_ptr<const PublishedMinutes>> minutes(const ElectionId& id);

 private:
  struct Tally;  // sums, partials, totals and result of a closed election
  Result<std::shared_ptr<const Tally>> tally(const ElectionId& id);
  Result<std::shared_ptr<const Manifest>> cached_manifest(const ElectionId& id);
  Result<std::shared_ptr<const Roster>> cached_roster(const ElectionId& id);

  store::BallotBoxStore& store_;
  const Ed25519SigningKey service_key_;
  DocumentCache<Manifest> manifests_;
  DocumentCache<Roster> rosters_;
  // Caches of what is recomputed from the store after the close (the box is
  // then frozen; entries are keyed by what can still change).
  mutable std::mutex cache_mutex_;
  std::map<ElectionId, std::shared_ptr<const Tally>> tallies_;
  std::map<ElectionId, std::pair<std::string, std::shared_ptr<const Board>>> boards_;
  // One slot per election asked for its minutes (created under cache_mutex_);
  // the slot's own mutex is held through the audit, so only one request
  // audits and the others wait for its answer.
  struct MinutesSlot {
    std::mutex mutex;
    std::shared_ptr<const PublishedMinutes> minutes;  // guarded by mutex
  };
  std::map<ElectionId, std::shared_ptr<MinutesSlot>> minutes_;
};

}  // namespace urne::server
