// The manifest: everything that defines one ballot (Wahlgang) of an
// assembly, fixed before the ballot opens, and its election id.
//
// A manifest names its roster (by fingerprint), lists the candidates, fixes
// the counting rule, the officer's commitment to the lot seed, the token
// issuer (name and RFC 9578 public key), the election key material (the DKG
// parameters and the qualified dealers' commitments, from which the election
// key and the trustees' public shares follow: ElectionKey::derive), the
// service's and the officer's Ed25519 public keys and the SHA-256 of the
// voting page's code.
//
// election_id() = SHA-256(canonical_bytes()): it is the Privacy Pass
// redemption context of every token (token_challenge()), it is hashed into
// every ballot proof, and any change to any field changes it.
//
// Rules (create() and parse_canonical() enforce them; reasons in brackets,
// all kInvalidArgument unless crypto's reason says otherwise):
//   title            1..200 bytes, one line (check_text reasons)
//   kind             optional, 1..100 bytes, one line (e.g. "Probewahl")
//   description      optional, 1..2000 bytes, line feeds allowed
//   roster_fingerprint, lot_seed_commitment, page_hash
//                    32 bytes, not all zero ("missing_hash": a field left
//                    unset, not a hash)
//   candidates       1..100 ("bad_candidate_count"); name 1..200 bytes,
//                    affiliation 0..200 bytes, one line each; names unique as
//                    bytes ("duplicate_candidate"; NFC is the codec's job)
//   seats            1..100 ("bad_seats"); may exceed the candidates (seats
//                    then stay empty, as the counting rule says)
//   substitutes      0..100 ("bad_substitutes")
//   max_marks        1..min(16, candidates) ("bad_max_marks"); 16 is
//                    crypto's kMaxMarks: the range proof has max_marks
//                    branches. Unset in the spec: min(seats, candidates).
//   invalid_offered  whether the ballot has an "ungültig" slot
//   tie_rule         TieRule::kLot or kRunoff ("bad_tie_rule")
//   token_issuer_name 1..255 bytes of printable ASCII without space
//                    ("bad_issuer_name"), the RFC 9577 issuer_name
//   token_public_key RFC 9578 pkS of a 2048-bit key (TokenPublicKey::parse
//                    reasons, e.g. "bad_public_key", "bad_key_size")
//   DKG              DkgParams::create(ceremony_id, trustees, threshold)
//                    ("bad_dkg_params": 2 <= k <= n <= 16), and the QUAL
//                    commitments: ElectionKey::derive reasons
//                    ("wrong_ceremony", "duplicate_dealer",
//                    "too_few_qualified", "identity_election_key", ...)
//   service_key, officer_key
//                    valid Ed25519 public keys ("bad_service_key",
//                    "bad_officer_key"), different from each other
//                    ("same_service_and_officer_key")
//
// Canonical layout (ballot/canonical.hpp rules):
//   lp16 "urne/manifest/v1"
//   lp16 title
//   u8 flag [lp16 kind]
//   u8 flag [lp16 description]
//   roster_fingerprint[32]
//   u16  candidate count, then per candidate: lp16 name, lp16 affiliation
//   u32  seats
//   u32  substitutes
//   u32  max_marks
//   u8   invalid_offered (0/1)
//   u8   tie_rule (1 = lot, 2 = runoff)
//   lot_seed_commitment[32]
//   lp16 token_issuer_name
//   lp16 token_public_key (pkS, 342 bytes for 2048 bits)
//   ceremony_id[32]
//   u8   trustees (n)
//   u8   threshold (k)
//   u16  QUAL count (1..16), then per dealer, ascending by dealer index:
//        lp16 DealerCommitment::encode() (crypto/dkg.hpp, 99 + 32k bytes)
//   service_key[32]
//   officer_key[32]
//   page_hash[32]
//
// Thread-safety: an immutable value after construction; const methods may be
// called from several threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ballot/canonical.hpp"
#include "ballot/counting.hpp"
#include "crypto/bytes.hpp"
#include "crypto/credential.hpp"
#include "crypto/dkg.hpp"
#include "crypto/elgamal.hpp"
#include "crypto/privacy_pass.hpp"
#include "crypto/proofs.hpp"
#include "crypto/status.hpp"

namespace urne {

struct Candidate {
  std::string name;
  std::string affiliation;  // institution or other affiliation; may be empty
  friend bool operator==(const Candidate&, const Candidate&) = default;
};

// The officer's input to Manifest::create (and what parse_canonical reads).
struct ManifestSpec {
  std::string title;
  std::optional<std::string> kind;
  std::optional<std::string> description;
  FixedBytes<32> roster_fingerprint{};
  std::vector<Candidate> candidates;
  std::uint32_t seats = 7;
  std::uint32_t substitutes = 2;
  std::optional<std::uint32_t> max_marks;  // unset: min(seats, candidates)
  bool invalid_offered = false;
  TieRule tie_rule = TieRule::kLot;
  FixedBytes<32> lot_seed_commitment{};  // lot_seed_commitment(seed)
  std::string token_issuer_name;
  Bytes token_public_key;  // RFC 9578 pkS
  CeremonyId ceremony_id{};
  unsigned trustees = 0;                           // n
  unsigned threshold = 0;                          // k
  std::vector<DealerCommitment> qual_commitments;  // any order
  FixedBytes<32> service_key{};                    // Ed25519
  FixedBytes<32> officer_key{};                    // Ed25519
  FixedBytes<32> page_hash{};                      // SHA-256 of the voting page's code
};

class Manifest {
 public:
  static constexpr std::string_view kLabel = "urne/manifest/v1";
  static constexpr std::size_t kMaxTitleSize = 200;
  static constexpr std::size_t kMaxKindSize = 100;
  static constexpr std::size_t kMaxDescriptionSize = 2000;
  static constexpr std::size_t kMaxCandidates = 100;
  static constexpr std::size_t kMaxNameSize = 200;
  static constexpr std::size_t kMaxAffiliationSize = 200;
  static constexpr std::uint32_t kMaxSeats = 100;
  static constexpr std::uint32_t kMaxSubstitutes = 100;
  static constexpr std::size_t kMaxIssuerNameSize = 255;

  // Validates the spec (rules above), derives the election key and the
  // token challenge, and computes the canonical bytes and the election id.
  static Result<Manifest> create(ManifestSpec spec);
  // Parses canonical bytes; the result's canonical_bytes() equal `bytes`
  // (another order of the QUAL commitments: "not_canonical"). Reasons: the
  // reader's (canonical.hpp) and create()'s.
  static Result<Manifest> parse_canonical(ByteView bytes);

  // The normalized spec: max_marks set, QUAL commitments ascending by dealer.
  const ManifestSpec& spec() const noexcept { return spec_; }
  const std::string& title() const noexcept { return spec_.title; }
  const std::vector<Candidate>& candidates() const noexcept { return spec_.candidates; }
  std::uint32_t max_marks() const noexcept { return *spec_.max_marks; }
  bool invalid_offered() const noexcept { return spec_.invalid_offered; }
  CountingRule counting_rule() const noexcept {
    return CountingRule{spec_.seats, spec_.substitutes, spec_.tie_rule};
  }

  const Bytes& canonical_bytes() const noexcept { return bytes_; }
  // SHA-256(canonical_bytes()).
  const ElectionId& election_id() const noexcept { return id_; }

  // RFC 9577 challenge of this election's tokens: issuer_name, redemption
  // context = election_id(), empty origin_info.
  const TokenChallenge& token_challenge() const noexcept { return challenge_; }
  const TokenPublicKey& token_public_key() const noexcept { return verifier_.public_key(); }
  // Checks tokens against this election's key and challenge.
  const TokenVerifier& token_verifier() const noexcept { return verifier_; }

  // The DKG outcome: QUAL, commitments, election key, public shares.
  const ElectionKey& election_key() const noexcept { return election_key_; }
  const ElGamalPublicKey& elgamal_public_key() const noexcept { return elgamal_key_; }
  // The crypto layout: one slot per candidate, Enthaltung, and ungültig if
  // offered; max_marks().
  BallotLayout ballot_layout() const noexcept;

 private:
  Manifest(ManifestSpec spec, TokenChallenge challenge, TokenVerifier verifier, ElectionKey key,
           ElGamalPublicKey elgamal_key);
  ManifestSpec spec_;
  TokenChallenge challenge_;
  TokenVerifier verifier_;
  ElectionKey election_key_;
  ElGamalPublicKey elgamal_key_;
  Bytes bytes_;
  ElectionId id_{};
};

}  // namespace urne
