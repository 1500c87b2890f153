// Ballot proofs: non-interactive disjunctive Chaum-Pedersen proofs that
// exponential-ElGamal ciphertexts (elgamal.hpp) encrypt allowed values, and
// the ballot-level encrypt/verify built from them.
//
// A ballot has slots: `candidates` mark slots, then one abstain slot
// (Enthaltung), then, if the election allows it, one invalid slot (ungueltig).
// Each slot's ciphertext carries a 0/1 proof, and one more proof shows that
// the combined ciphertext C = sum(marks) + max*(abstain + invalid), which the
// verifier computes itself, encrypts a value in 1..max: a ballot is exactly
// one of 1..max marks, an abstention, or invalid, and never empty.
//
// Proof system (CDS disjunction of Chaum-Pedersen proofs). To prove that
// (A, B) encrypts one of v = lo..hi under P, with witness r (A = r*G,
// B = m*G + r*P), the prover simulates every branch v != m with a random
// challenge c_v and response s_v, commits to the real branch with a fresh
// nonce w (a_m = w*G, b_m = w*P), hashes everything into c (Fiat-Shamir,
// below), sets c_m = c - sum of the simulated challenges, s_m = w + c_m*r.
// The proof is the list of (c_v, s_v); the verifier recomputes
//   a_v = s_v*G - c_v*A,   b_v = s_v*P - c_v*(B - v*G)
// hashes them the same way and checks that sum(c_v) == c (without that sum
// check a proof could simulate every branch and prove anything).
// A 0/1 proof is the range proof with lo = 0, hi = 1.
//
// Fiat-Shamir (crypto/transcript.hpp, SHA-512 reduced mod l) hashes the whole
// statement, so a proof cannot be moved to another slot, ballot, token,
// election or key (crypto-notes.md, "weak Fiat-Shamir"):
//   Transcript("urne/ballot/v1")
//     group "ristretto255" | election_id (32) | token_input | public_key | candidates, has_invalid,
//     max_marks, slots (u64 each) | ciphertext (A||B) for every slot, in order
//   then, per proof (the statement's state is copied, not rehashed):
//     proof "urne/range-proof/v1" | slot (u64; the range proof uses
//     slot = number of slots) | lo | hi (u64) | ciphertext (A||B) proved |
//     a, b for every branch in order of v
//   c = challenge().
//
// Encodings are strict and fixed-size: a proof with n branches is exactly
// n * 64 bytes, c_v || s_v per branch, scalars little-endian and < l.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/bytes.hpp"
#include "crypto/elgamal.hpp"
#include "crypto/group.hpp"
#include "crypto/random.hpp"
#include "crypto/transcript.hpp"

namespace urne {

// Limits of a ballot layout (BallotLayout::check enforces them).
inline constexpr std::uint32_t kMaxCandidates = 1000;
inline constexpr std::uint32_t kMaxMarks = 16;  // range-proof branches grow linearly
// Limits of the token input a ballot is bound to.
inline constexpr std::size_t kMaxTokenInputSize = 4096;
// Largest number of branches (hi - lo + 1) of a range proof.
inline constexpr std::uint64_t kMaxRangeBranches = 64;

struct BallotLayout {
  std::uint32_t candidates = 0;  // mark slots, 1..kMaxCandidates
  bool has_invalid = false;      // an "ungueltig" slot after the abstain slot
  std::uint32_t max_marks = 0;   // 1..kMaxMarks

  std::size_t slot_count() const noexcept {
    return std::size_t{candidates} + 1 + (has_invalid ? 1 : 0);
  }
  std::size_t abstain_slot() const noexcept { return candidates; }
  // Slot index that the range proof is bound to (no 0/1 proof has it).
  std::uint64_t range_proof_slot() const noexcept { return slot_count(); }
  // Within the limits above; reason "bad_layout".
  Status check() const;
};

// Everything a ballot's proofs are bound to besides its ciphertexts.
struct BallotContext {
  FixedBytes<32> election_id{};
  Bytes token_input;  // the ballot's token identity, 1..kMaxTokenInputSize bytes
  ElGamalPublicKey public_key;
  BallotLayout layout;
};

// A disjunctive proof that a ciphertext encrypts a value in lo..hi: one
// (challenge, response) per value.
class RangeProof {
 public:
  struct Branch {
    Scalar challenge;
    Scalar response;
  };
  static constexpr std::size_t kBranchSize = 2 * Scalar::kSize;

  RangeProof() = default;  // no branches: verifies nothing
  explicit RangeProof(std::vector<Branch> branches) : branches_(std::move(branches)) {}

  // Strict: exactly `branches` * 64 bytes with 1 <= branches <=
  // kMaxRangeBranches (else "wrong_branch_count"), each scalar < l (else
  // "bad_scalar").
  static Result<RangeProof> parse(ByteView bytes, std::size_t branches);
  Bytes encode() const;

  const std::vector<Branch>& branches() const noexcept { return branches_; }

 private:
  std::vector<Branch> branches_;
};

// The hashed statement of one ballot: the context and all its ciphertexts,
// absorbed once; each proof continues from a copy.
class BallotStatement {
 public:
  // Fails with "bad_layout", "bad_token_input" or "wrong_slot_count".
  static Result<BallotStatement> make(const BallotContext& ctx,
                                      std::span<const Ciphertext> ciphertexts);

  // The transcript of one proof up to (not including) its commitments.
  Transcript proof_transcript(std::uint64_t slot, std::uint64_t lo, std::uint64_t hi,
                              const Ciphertext& ct) const;
  const ElGamalPublicKey& public_key() const noexcept { return pk_; }

 private:
  BallotStatement(const Transcript& t, ElGamalPublicKey pk) : t_(t), pk_(std::move(pk)) {}
  Transcript t_;
  ElGamalPublicKey pk_;
};

// Proves that ct = encrypt_with_randomness(pk, value, r) encrypts a value in
// lo..hi, as proof number `slot` of the statement; checks its own output.
// Fails with "value_out_of_range" if value is not in lo..hi, and with
// "self_check_failed" if the proof does not verify (e.g. r or value do not
// belong to ct). Contract: lo <= hi, hi - lo < kMaxRangeBranches.
Result<RangeProof> prove_range(const BallotStatement& st, std::uint64_t slot, const Ciphertext& ct,
                               std::uint64_t value, const Randomness& r, std::uint64_t lo,
                               std::uint64_t hi, Rng& rng);

// Verifies a range proof made by prove_range with the same statement, slot,
// ciphertext and range. Reasons "wrong_branch_count", "range_proof_invalid".
// Contract as for prove_range.
[[nodiscard]] Status verify_range(const BallotStatement& st, std::uint64_t slot,
                                  const Ciphertext& ct, std::uint64_t lo, std::uint64_t hi,
                                  const RangeProof& proof);

// A ballot as it is cast (without its token): ciphertexts, 0/1 proofs (one
// per slot, in slot order) and the range proof of the combined ciphertext.
struct ProvenBallot {
  std::vector<Ciphertext> ciphertexts;
  std::vector<RangeProof> slot_proofs;
  RangeProof range_proof;
};

struct BallotEncryption {
  ProvenBallot ballot;
  // Per slot, secret: revealed only to spoil the ballot (Benaloh challenge).
  std::vector<Randomness> randomness;
};

// sum(mark slots) + max_marks * (abstain + invalid). Contract: the number of
// ciphertexts is layout.slot_count() and the layout passes check().
Ciphertext combined_ciphertext(const BallotLayout& layout, std::span<const Ciphertext> cts);

// Encrypts one ballot: values[j] is 0 or 1 for slot j (layout order). Refuses
// ballots that could not be counted: "bad_layout", "bad_token_input",
// "wrong_slot_count", "vote_value_not_binary", "empty_ballot" (nothing
// marked), "too_many_marks" (more than max_marks), "conflicting_choices"
// (abstain or invalid together with anything else). Verifies the ballot
// before returning it ("self_check_failed" if that fails).
Result<BallotEncryption> encrypt_ballot(const BallotContext& ctx,
                                        std::span<const std::uint8_t> values, Rng& rng);

// Verifies every proof of a ballot. Reasons: "bad_layout", "bad_token_input",
// "wrong_slot_count", "wrong_proof_count", "wrong_branch_count" (message names
// the slot or "range proof"), "zero_one_proof_invalid" (message names the
// slot), "range_proof_invalid".
[[nodiscard]] Status verify_ballot(const BallotContext& ctx, const ProvenBallot& ballot);

}  // namespace urne
