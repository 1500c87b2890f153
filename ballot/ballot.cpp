#include "ballot/ballot.hpp"

#include <algorithm>

#include "ballot/canonical.hpp"
#include "crypto/hash.hpp"

namespace urne {

namespace {

constexpr std::size_t kZeroOneBranches = 2;
constexpr std::size_t kZeroOneProofSize = kZeroOneBranches * RangeProof::kBranchSize;  // 128

std::string slot_name(std::size_t j) { return "slot " + std::to_string(j); }

Status with_field(const Status& s, std::string_view field) {
  return Status(s.code(), s.reason(), std::string(field) + ": " + s.message());
}

// The statement every proof of a ballot is bound to: this election (id and
// key, both from the manifest) and this token.
BallotContext context_for(const Manifest& manifest, const Token& token) {
  const TokenInput input = token.token_input();
  return BallotContext{manifest.election_id(), Bytes(input.begin(), input.end()),
                       manifest.elgamal_public_key(), manifest.ballot_layout()};
}

Status token_status(const Manifest& manifest, const Token& token) {
  if (Status s = manifest.token_verifier().verify(token); !s) {
    // One stable reason for the API; crypto's reason leads the message so
    // that logs and the auditor's report still say which check failed.
    return unauthenticated("token_invalid", s.reason() + ": " + s.message());
  }
  return Status::ok();
}

}  // namespace

// ---- CastBallot -----------------------------------------------------------

CastBallot::CastBallot(const Token& token, ProvenBallot ballot)
    : token_(token), ballot_(std::move(ballot)) {
  CanonicalWriter w(kLabel);
  w.fixed(token_.bytes());
  w.count16(ballot_.ciphertexts.size());
  for (std::size_t j = 0; j < ballot_.ciphertexts.size(); ++j) {
    w.fixed(ballot_.ciphertexts[j].encode());
    w.fixed(ballot_.slot_proofs[j].encode());
  }
  w.u8(static_cast<std::uint8_t>(ballot_.range_proof.branches().size()));
  w.fixed(ballot_.range_proof.encode());
  bytes_ = std::move(w).take();
  hash_ = sha256(bytes_);
}

Result<CastBallot> CastBallot::create(const Token& token, ProvenBallot ballot) {
  const std::size_t slots = ballot.ciphertexts.size();
  if (slots < kMinSlots || slots > kMaxSlots) {
    return invalid_argument("count_out_of_range",
                            "a ballot has 2..102 slots, not " + std::to_string(slots));
  }
  if (ballot.slot_proofs.size() != slots) {
    return invalid_argument("wrong_proof_count", "one 0/1 proof per slot");
  }
  for (std::size_t j = 0; j < slots; ++j) {
    if (ballot.slot_proofs[j].branches().size() != kZeroOneBranches) {
      return invalid_argument("wrong_branch_count", slot_name(j) + ": a 0/1 proof has 2 branches");
    }
  }
  const std::size_t range_branches = ballot.range_proof.branches().size();
  if (range_branches < 1 || range_branches > kMaxMarks) {
    return invalid_argument("wrong_branch_count", "range proof: 1..16 branches");
  }
  return CastBallot(token, std::move(ballot));
}

Result<CastBallot> CastBallot::parse_canonical(ByteView bytes) {
  CanonicalReader r(bytes);
  URNE_RETURN_IF_ERROR(r.label(kLabel));
  URNE_ASSIGN_OR_RETURN(ByteView token_bytes, r.fixed(kTokenLength, "token"));
  auto token = Token::parse(token_bytes);
  if (!token.ok()) return with_field(token.status(), "token");

  URNE_ASSIGN_OR_RETURN(std::size_t slots, r.count16("slots", kMinSlots, kMaxSlots,
                                                     Ciphertext::kSize + kZeroOneProofSize));
  ProvenBallot ballot;
  ballot.ciphertexts.reserve(slots);
  ballot.slot_proofs.reserve(slots);
  for (std::size_t j = 0; j < slots; ++j) {
    const std::string field = slot_name(j);
    URNE_ASSIGN_OR_RETURN(ByteView ct_bytes, r.fixed(Ciphertext::kSize, field));
    auto ct = Ciphertext::parse(ct_bytes);
    if (!ct.ok()) return with_field(ct.status(), field + " ciphertext");
    URNE_ASSIGN_OR_RETURN(ByteView proof_bytes, r.fixed(kZeroOneProofSize, field));
    auto proof = RangeProof::parse(proof_bytes, kZeroOneBranches);
    if (!proof.ok()) return with_field(proof.status(), field + " proof");
    ballot.ciphertexts.push_back(*ct);
    ballot.slot_proofs.push_back(std::move(proof).value());
  }
  URNE_ASSIGN_OR_RETURN(std::uint8_t branches, r.u8("range_proof"));
  if (branches < 1 || branches > kMaxMarks) {
    return invalid_argument("count_out_of_range",
                            "range_proof: 1..16 branches, not " + std::to_string(branches));
  }
  URNE_ASSIGN_OR_RETURN(ByteView range_bytes,
                        r.fixed(std::size_t{branches} * RangeProof::kBranchSize, "range_proof"));
  auto range = RangeProof::parse(range_bytes, branches);
  if (!range.ok()) return with_field(range.status(), "range_proof");
  ballot.range_proof = std::move(range).value();
  URNE_RETURN_IF_ERROR(r.finish());

  URNE_ASSIGN_OR_RETURN(CastBallot cast, create(*token, std::move(ballot)));
  // Every part is fixed-size and strictly parsed, so this holds by
  // construction; checked because the ballot hash must be the hash of the
  // bytes that were received.
  if (cast.canonical_bytes().size() != bytes.size() ||
      !std::equal(bytes.begin(), bytes.end(), cast.canonical_bytes().begin())) {
    return invalid_argument("not_canonical", "the ballot does not re-encode to its input");
  }
  return cast;
}

// ---- the voter's side -------------------------------------------------------

Status check_choice(const Manifest& manifest, const Choice& choice) {
  const std::size_t n = manifest.candidates().size();
  for (std::uint32_t c : choice.marks) {
    if (c >= n) {
      return invalid_argument("candidate_out_of_range",
                              "candidate " + std::to_string(c) + " does not exist");
    }
  }
  std::vector<std::uint32_t> sorted = choice.marks;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return invalid_argument("duplicate_mark", "a candidate can be marked once");
  }
  if (choice.invalid && !manifest.invalid_offered()) {
    return invalid_argument("invalid_not_offered", "this ballot offers no \"ungültig\"");
  }
  if (choice.abstain && choice.invalid) {
    return invalid_argument("abstain_with_invalid", "Enthaltung and ungültig exclude each other");
  }
  if (choice.abstain && !choice.marks.empty()) {
    return invalid_argument("marks_with_abstain", "Enthaltung excludes marks");
  }
  if (choice.invalid && !choice.marks.empty()) {
    return invalid_argument("marks_with_invalid", "ungültig excludes marks");
  }
  if (choice.marks.size() > manifest.max_marks()) {
    return invalid_argument("too_many_marks", "at most " + std::to_string(manifest.max_marks()) +
                                                  " marks, not " +
                                                  std::to_string(choice.marks.size()));
  }
  if (choice.marks.empty() && !choice.abstain && !choice.invalid) {
    return invalid_argument("empty_ballot", "mark a candidate, abstain or vote invalid");
  }
  return Status::ok();
}

Result<BuiltBallot> build_ballot(const Manifest& manifest, const Token& token, const Choice& choice,
                                 Rng& rng) {
  URNE_RETURN_IF_ERROR(check_choice(manifest, choice));
  // A token of another election or key would make a ballot that the box
  // refuses after the voter has left; say so now.
  URNE_RETURN_IF_ERROR(token_status(manifest, token));

  const BallotLayout layout = manifest.ballot_layout();
  std::vector<std::uint8_t> values(layout.slot_count(), 0);
  for (std::uint32_t c : choice.marks) values[c] = 1;
  if (choice.abstain) values[layout.abstain_slot()] = 1;
  if (choice.invalid) values[layout.abstain_slot() + 1] = 1;

  URNE_ASSIGN_OR_RETURN(BallotEncryption enc,
                        encrypt_ballot(context_for(manifest, token), values, rng));
  URNE_ASSIGN_OR_RETURN(CastBallot cast, CastBallot::create(token, std::move(enc.ballot)));
  return BuiltBallot{std::move(cast), std::move(enc.randomness)};
}

// ---- the ballot box's and the auditor's side ----------------------------------

Status verify_cast_ballot(const Manifest& manifest, const CastBallot& ballot) {
  URNE_RETURN_IF_ERROR(token_status(manifest, ballot.token()));
  const BallotLayout layout = manifest.ballot_layout();
  if (ballot.slot_count() != layout.slot_count()) {
    return invalid_argument("wrong_slot_count",
                            "the ballot has " + std::to_string(ballot.slot_count()) +
                                " slots, the manifest " + std::to_string(layout.slot_count()));
  }
  // The context comes from the manifest and the ballot's own token: proofs
  // made for another election, key or token do not verify against it.
  if (Status s = verify_ballot(context_for(manifest, ballot.token()), ballot.proven()); !s) {
    return invalid_argument("proof_invalid", s.reason() + ": " + s.message());
  }
  return Status::ok();
}

Result<Choice> open_spoiled_ballot(const Manifest& manifest, const CastBallot& ballot,
                                   std::span<const Randomness> randomness) {
  const BallotLayout layout = manifest.ballot_layout();
  if (ballot.slot_count() != layout.slot_count()) {
    return invalid_argument("wrong_slot_count", "the ballot does not fit the manifest");
  }
  if (randomness.size() != layout.slot_count()) {
    return invalid_argument("wrong_randomness_count", "one revealed randomness per slot");
  }
  Choice choice;
  for (std::size_t j = 0; j < layout.slot_count(); ++j) {
    auto v = open_with_randomness(ballot.proven().ciphertexts[j], manifest.elgamal_public_key(),
                                  randomness[j], 1);
    if (!v.ok()) return with_field(v.status(), slot_name(j));
    if (*v == 0) continue;
    if (j < layout.candidates) {
      choice.marks.push_back(static_cast<std::uint32_t>(j));
    } else if (j == layout.abstain_slot()) {
      choice.abstain = true;
    } else {
      choice.invalid = true;
    }
  }
  return choice;
}

}  // namespace urne
