// The bulletin board: the model of everything published about one election
// (design.md, "The bulletin board"), its canonical bytes, fingerprint and the
// service's signature; the officer's signed state transitions; the
// delegate's receipt; and the small Ed25519 signing key of the service and
// the officer (crypto/ has no general-purpose Ed25519 wrapper: institution
// keys exist only as derived credentials).
//
// Phases. While the ballot is open nothing but counts is published
// (BoardSummary: no per-ballot hashes, whose order of appearance would leak).
// A Board exists from the close on; its phase is the state of its last
// officer-signed transition, and its contents follow the phase:
//   closed            ballots, sums and the revealed lot seed; no partial
//                     decryptions, no result
//   tallied           and the trustees' partial decryptions; no result
//   result_published  and the result with the service's signature over it
// The transitions on a board are exactly published, open, closed[, tallied[,
// result_published]] with sequence numbers 1, 2, 3, ... (the draft is not a
// transition: it is the manifest being prepared). The audit checks all of
// this by name (ballot/audit.hpp); a parsed Board is well-formed, not
// verified.
//
// Signed messages (Ed25519, all built with CanonicalWriter, so each starts
// with its lp16 label; nothing else is ever signed with these keys):
//   state transition  lp16 "urne/state-transition/v1" || election_id[32]
//                     || u8 state || u32 sequence            (officer key)
//   board             lp16 "urne/board-signature/v1" || fingerprint[32]
//                                                            (service key)
//   result            lp16 "urne/result-signature/v1" || election_id[32]
//                     || SHA-256(result canonical bytes)[32]  (service key)
//   receipt           lp16 "urne/receipt-signature/v1" || election_id[32]
//                     || ballot_hash[32]                      (service key)
//
// Canonical layout of a board (ballot/canonical.hpp rules). The signed part
// ("contents"):
//   lp16 "urne/board/v1"
//   lp32 manifest                  Manifest canonical bytes
//   lp32 roster                    Roster canonical bytes
//   u32  issuance count, each:     lp16 institution_id, token_request[259]
//                                  (RFC 9578 TokenRequest), signature[64]
//                                  (credential.hpp authorization)
//   u16  transition count, each:   u8 state, u32 sequence, signature[64]
//   u32  ballot count, each:       lp32 CastBallot canonical bytes
//   u16  sum count (0 = none), each: A[32] B[32]
//   u16  trustee count, each:      u8 trustee, u16 count, count x
//                                  PartialDecryption::encode() [130]
//   u8 flag [seed[32]]             the revealed lot seed
//   u8 flag [lp32 result, signature[64]]   ElectionResult canonical bytes and
//                                  the service's result signature
// The full board is the contents followed by the service's signature[64].
// fingerprint() = SHA-256(contents); short form as the roster's.
//
// Receipt layout: lp16 "urne/receipt/v1" || election_id[32] ||
// ballot_hash[32] || signature[64] (145 bytes).
//
// Thread-safety: immutable values (Board, Receipt) and pure functions; an
// Ed25519SigningKey's const methods may be called from several threads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ballot/ballot.hpp"
#include "ballot/manifest.hpp"
#include "ballot/result.hpp"
#include "ballot/roster.hpp"
#include "ballot/tally.hpp"
#include "crypto/bytes.hpp"
#include "crypto/credential.hpp"
#include "crypto/privacy_pass.hpp"
#include "crypto/random.hpp"
#include "crypto/secret.hpp"
#include "crypto/signing.hpp"
#include "crypto/status.hpp"
#include "crypto/threshold.hpp"

namespace urne {

// ---- the officer's state transitions -------------------------------------------

enum class ElectionState : std::uint8_t {
  kDraft = 1,
  kPublished = 2,  // published for check-in: tokens may be fetched
  kOpen = 3,
  kClosed = 4,
  kTallied = 5,
  kResultPublished = 6,
};

// "draft", "published", "open", "closed", "tallied", "result_published";
// "unknown" for any other value.
std::string_view state_name(ElectionState state) noexcept;
// The inverse of state_name(); nullopt for any other text.
std::optional<ElectionState> parse_state_name(std::string_view name) noexcept;
// The state machine is a line: draft -> published -> open -> closed ->
// tallied -> result_published. The state after `state`; nullopt after the
// last one (and for unknown values).
std::optional<ElectionState> next_state(ElectionState state) noexcept;

struct StateTransition {
  ElectionState state = ElectionState::kDraft;
  std::uint32_t sequence = 0;  // 1, 2, 3, ... in the order of the transitions
  Ed25519Signature signature{};
};

inline constexpr std::string_view kTransitionSignatureLabel = "urne/state-transition/v1";
Bytes transition_message(const ElectionId& election_id, ElectionState state,
                         std::uint32_t sequence);
// The officer signs a transition.
Result<StateTransition> sign_transition(const Ed25519SigningKey& officer,
                                        const ElectionId& election_id, ElectionState state,
                                        std::uint32_t sequence);
// kUnauthenticated "transition_signature_invalid".
[[nodiscard]] Status verify_transition(const Ed25519PublicKey& officer_key,
                                       const ElectionId& election_id,
                                       const StateTransition& transition);

// ---- the board ----------------------------------------------------------------------

// One token issued: who asked (institution id), the exact RFC 9578
// TokenRequest, and the institution's signature over the authorization
// message (crypto/credential.hpp).
struct IssuanceEntry {
  std::string institution_id;
  TokenRequest request;
  InstitutionSignature signature{};
};

// The check of one issuance entry that the register makes before it issues
// and the ballot box makes when it receives the register's log, in this
// order: the institution is in the roster (kPermissionDenied
// "not_entitled"); the request names the manifest's token key
// (kInvalidArgument "wrong_token_key"); the institution's signature over the
// authorization message verifies (kUnauthenticated
// "institution_signature_invalid"). The audit reports the same three
// properties by name over the whole log (ballot/audit.hpp "issuance.*").
[[nodiscard]] Status verify_issuance_entry(const Manifest& manifest, const Roster& roster,
                                           const IssuanceEntry& entry);

struct SignedResult {
  ElectionResult result;
  Ed25519Signature signature{};  // the service's, over result_message()
};

inline constexpr std::string_view kResultSignatureLabel = "urne/result-signature/v1";
Bytes result_message(const ElectionResult& result);
// kUnauthenticated "result_signature_invalid".
[[nodiscard]] Status verify_result_signature(const Ed25519PublicKey& service_key,
                                             const SignedResult& signed_result);
Result<SignedResult> sign_result(const Ed25519SigningKey& service, ElectionResult result);

// What a board holds (see the phases above). Order matters and is the
// publisher's job: issuance ascending by institution id, ballots ascending by
// ballot hash, partials ascending by trustee, transitions by sequence.
struct BoardContents {
  Manifest manifest;
  Roster roster;
  std::vector<IssuanceEntry> issuance;
  std::vector<StateTransition> transitions;
  std::vector<CastBallot> ballots;
  std::vector<CiphertextSum> sums;        // one per slot; empty before they exist
  std::vector<TrusteePartials> partials;  // one entry per trustee that decrypted
  std::optional<FixedBytes<32>> lot_seed;
  std::optional<SignedResult> result;
};

// The counts-only public view while the ballot is open (and before).
struct BoardSummary {
  ElectionState state = ElectionState::kDraft;
  std::uint64_t tokens_issued = 0;
  std::uint64_t ballots_cast = 0;
};

class Board {
 public:
  static constexpr std::string_view kLabel = "urne/board/v1";
  static constexpr std::string_view kSignatureLabel = "urne/board-signature/v1";
  // Parser bounds.
  static constexpr std::size_t kMaxManifestSize = std::size_t{1} << 20;
  static constexpr std::size_t kMaxRosterSize = std::size_t{8} << 20;
  static constexpr std::size_t kMaxBallotSize = std::size_t{1} << 16;
  static constexpr std::size_t kMaxBallots = 1'000'000;
  // More entries than institutions is a fault that the audit reports by name
  // ("issuance.once_per_institution"), so the parser admits some.
  static constexpr std::size_t kMaxIssuance = 2 * Roster::kMaxInstitutions;
  static constexpr std::size_t kMaxTransitions = 16;

  // Encodes the contents and signs them with the service key. Fails with
  // "wrong_service_key" (kInvalidArgument) if the key is not the manifest's,
  // or with the key's self-check error. Does not audit the contents.
  static Result<Board> sign(BoardContents contents, const Ed25519SigningKey& service);
  // Parses a full board (contents and signature). Checks the form of every
  // part (the parsers of Manifest, Roster, CastBallot, TokenRequest,
  // PartialDecryption, ElectionResult, points; institution ids; states are
  // known values ("bad_state"); list counts within the bounds above and
  // CastBallot::kMaxSlots sums ("count_out_of_range")),
  // not signatures, order or consistency: that is audit_board()'s job.
  static Result<Board> parse_canonical(ByteView bytes);

  const BoardContents& contents() const noexcept { return contents_; }
  const Manifest& manifest() const noexcept { return contents_.manifest; }
  const Roster& roster() const noexcept { return contents_.roster; }

  // The state of the last transition; nullopt for a board without any.
  std::optional<ElectionState> phase() const noexcept;
  // The board's counts (state: phase(), or kDraft without transitions).
  BoardSummary summary() const noexcept;
  // The result report of a board with a result; "no_result"
  // (kFailedPrecondition) otherwise.
  Result<ResultReport> report() const;
  // The ballot hashes in board order.
  std::vector<FixedBytes<32>> ballot_hashes() const;

  // The signed part and its hash.
  const Bytes& contents_bytes() const noexcept { return contents_bytes_; }
  const FixedBytes<32>& fingerprint() const noexcept { return fingerprint_; }
  std::string short_fingerprint() const { return urne::short_fingerprint(fingerprint_); }
  const Ed25519Signature& signature() const noexcept { return signature_; }
  // contents_bytes() || signature().
  Bytes canonical_bytes() const;

 private:
  Board(BoardContents contents, Bytes contents_bytes, const Ed25519Signature& signature);
  BoardContents contents_;
  Bytes contents_bytes_;
  FixedBytes<32> fingerprint_{};
  Ed25519Signature signature_{};
};

Bytes board_signature_message(const FixedBytes<32>& fingerprint);
// kUnauthenticated "board_signature_invalid" unless the signature verifies
// with the manifest's service key.
[[nodiscard]] Status verify_board_signature(const Board& board);

// ---- the receipt ----------------------------------------------------------------------

struct Receipt {
  static constexpr std::string_view kLabel = "urne/receipt/v1";
  static constexpr std::string_view kSignatureLabel = "urne/receipt-signature/v1";
  static constexpr std::size_t kSize = 2 + kLabel.size() + 32 + 32 + 64;

  ElectionId election_id{};
  FixedBytes<32> ballot_hash{};
  Ed25519Signature signature{};

  Bytes canonical_bytes() const;
  // Exactly kSize bytes in the layout above (reader reasons).
  static Result<Receipt> parse_canonical(ByteView bytes);
  // The short prefix shown to the delegate (short_fingerprint of the hash).
  std::string short_hash() const { return short_fingerprint(ballot_hash); }
};

Bytes receipt_message(const ElectionId& election_id, const FixedBytes<32>& ballot_hash);
// The ballot box signs a receipt for an accepted ballot.
Result<Receipt> issue_receipt(const Ed25519SigningKey& service, const ElectionId& election_id,
                              const FixedBytes<32>& ballot_hash);
// kUnauthenticated "receipt_signature_invalid".
[[nodiscard]] Status verify_receipt(const Ed25519PublicKey& service_key, const Receipt& receipt);
// The delegate's check against a downloaded board, in this order:
// "receipt_signature_invalid" (not signed by this board's service key),
// "wrong_election" (kInvalidArgument: a receipt of another election),
// "ballot_not_on_board" (kNotFound).
[[nodiscard]] Status receipt_on_board(const Board& board, const Receipt& receipt);

}  // namespace urne
