// The cast ballot: what a delegate's device sends to the ballot box and what
// the board publishes, {token, ciphertexts, 0/1 proofs, range proof}; how the
// voter's side builds it from a choice, how the ballot box and the auditor
// verify it, and how a spoiled ballot is opened (Benaloh challenge).
//
// A ballot's proofs (crypto/proofs.hpp) are bound to the manifest's election
// id and election key and to the token's token_input, so a ballot verifies
// only for its own election and only together with its own token: a ballot
// moved to another token or another election fails verify_cast_ballot.
// The spent set (one ballot per token_input) is the ballot box's job, not
// this unit's.
//
// Canonical layout of a CastBallot (ballot/canonical.hpp rules):
//   lp16 "urne/cast-ballot/v1"
//   token[354]                       RFC 9577 Token, type 0x0002
//   u16  slot count (2..102)         candidates + Enthaltung (+ ungültig)
//   per slot, in slot order:
//        ciphertext[64]              A || B (crypto/elgamal.hpp)
//        zero_one_proof[128]         2 branches of c || s (crypto/proofs.hpp)
//   u8   range-proof branches (1..16) = the manifest's max_marks
//   range_proof[64 x branches]
// ballot_hash() = SHA-256(canonical bytes): the board is keyed and sorted by
// it and the receipt carries it.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ballot/manifest.hpp"
#include "crypto/bytes.hpp"
#include "crypto/elgamal.hpp"
#include "crypto/privacy_pass.hpp"
#include "crypto/proofs.hpp"
#include "crypto/random.hpp"
#include "crypto/status.hpp"

namespace urne {

class CastBallot {
 public:
  static constexpr std::string_view kLabel = "urne/cast-ballot/v1";
  static constexpr std::size_t kMinSlots = 2;  // one candidate and Enthaltung
  static constexpr std::size_t kMaxSlots = Manifest::kMaxCandidates + 2;

  // Checks the shape only (whether it fits a manifest is verify's job):
  // kMinSlots..kMaxSlots ciphertexts ("count_out_of_range"), one 0/1 proof
  // of 2 branches per slot ("wrong_proof_count", "wrong_branch_count") and a
  // range proof of 1..kMaxMarks branches ("wrong_branch_count").
  static Result<CastBallot> create(const Token& token, ProvenBallot ballot);
  // Parses canonical bytes (the reader's reasons, and crypto's
  // "wrong_token_type", "bad_point", "bad_scalar" with the field named in
  // the message); canonical_bytes() of the result equal `bytes`.
  static Result<CastBallot> parse_canonical(ByteView bytes);

  const Token& token() const noexcept { return token_; }
  const ProvenBallot& proven() const noexcept { return ballot_; }
  std::size_t slot_count() const noexcept { return ballot_.ciphertexts.size(); }

  const Bytes& canonical_bytes() const noexcept { return bytes_; }
  // SHA-256(canonical_bytes()).
  const FixedBytes<32>& ballot_hash() const noexcept { return hash_; }

 private:
  CastBallot(const Token& token, ProvenBallot ballot);
  Token token_;
  ProvenBallot ballot_;
  Bytes bytes_;
  FixedBytes<32> hash_{};
};

// What a delegate chose. Every combination is representable, so that a
// wrong one can be refused by name (check_choice).
struct Choice {
  std::vector<std::uint32_t> marks;  // candidate indices (manifest order)
  bool abstain = false;              // Enthaltung
  bool invalid = false;              // ungültig

  static Choice of_marks(std::vector<std::uint32_t> candidates) {
    Choice c;
    c.marks = std::move(candidates);
    return c;
  }
  static Choice abstention() {
    Choice c;
    c.abstain = true;
    return c;
  }
  static Choice invalid_ballot() {
    Choice c;
    c.invalid = true;
    return c;
  }
  friend bool operator==(const Choice&, const Choice&) = default;
};

// Whether the manifest allows the choice. kInvalidArgument, checked in this
// order: "candidate_out_of_range", "duplicate_mark", "invalid_not_offered",
// "abstain_with_invalid", "marks_with_abstain", "marks_with_invalid",
// "too_many_marks" (more than max_marks), "empty_ballot" (no mark, no
// Enthaltung, no ungültig).
[[nodiscard]] Status check_choice(const Manifest& manifest, const Choice& choice);

struct BuiltBallot {
  CastBallot ballot;
  // Per slot, secret: kept by the device until the ballot is cast, or
  // revealed to spoil it (Benaloh challenge). Never logged, never sent
  // with a ballot that is cast.
  std::vector<Randomness> randomness;
};

// The voter's side: refuses a choice that check_choice() refuses, and a
// token that does not verify for this election ("token_invalid", crypto's
// reason in the message: it would be refused by the ballot box anyway);
// then encrypts with crypto's encrypt_ballot, bound to the election id, the
// election key and the token's token_input.
Result<BuiltBallot> build_ballot(const Manifest& manifest, const Token& token, const Choice& choice,
                                 Rng& rng);

// The ballot box's and the auditor's check, in this order (the first failure
// is returned):
//   1. the token verifies for this election: key id, challenge (redemption
//      context = election id), authenticator < n, RSA-PSS signature
//      (kUnauthenticated "token_invalid"; the message starts with crypto's
//      reason, e.g. "challenge_mismatch: ...");
//   2. the number of slots is the manifest's (kInvalidArgument
//      "wrong_slot_count");
//   3. every proof verifies against the manifest's election id and key and
//      this token's token_input (kInvalidArgument "proof_invalid"; the
//      message gives crypto's reason and names the slot or the range proof).
// The cheap RSA check (~25 us) runs before the proofs (measured: ~4 ms for 9
// candidates, ~29 ms for 100), so a ballot without a valid token costs little.
[[nodiscard]] Status verify_cast_ballot(const Manifest& manifest, const CastBallot& ballot);

// Benaloh check of a spoiled ballot: with the randomness revealed for every
// slot (in slot order), tells what the ballot encrypts. Does not verify the
// token or the proofs (verify_cast_ballot does). kInvalidArgument:
// "wrong_slot_count", "wrong_randomness_count", and crypto's
// "randomness_mismatch" / "value_out_of_range" (message names the slot).
// The returned choice is what was encrypted, whether or not check_choice
// accepts it; marks ascending.
[[nodiscard]] Result<Choice> open_spoiled_ballot(const Manifest& manifest, const CastBallot& ballot,
                                                 std::span<const Randomness> randomness);

}  // namespace urne
