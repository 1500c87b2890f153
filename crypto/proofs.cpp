#include "crypto/proofs.hpp"

#include <cstdlib>
#include <string>
#include <utility>

namespace urne {

namespace {

constexpr std::string_view kStatementLabel = "urne/ballot/v1";
constexpr std::string_view kRangeProofLabel = "urne/range-proof/v1";

void check_range_contract(std::uint64_t lo, std::uint64_t hi) {
  if (lo > hi || hi - lo >= kMaxRangeBranches) std::abort();  // contract
}

Status check_token_input(const Bytes& token_input) {
  if (token_input.empty() || token_input.size() > kMaxTokenInputSize) {
    return invalid_argument("bad_token_input", "the token input must be 1.." +
                                                   std::to_string(kMaxTokenInputSize) + " bytes");
  }
  return Status::ok();
}

// k*X for a small public k, by double-and-add on decoded points (a handful of
// 0.25 us additions instead of a 50 us multiplication).
DecodedPoint small_multiple(const DecodedPoint& x, std::uint64_t k) noexcept {
  DecodedPoint acc;
  DecodedPoint base = x;
  while (k != 0) {
    if ((k & 1U) != 0) acc += base;
    base += base;
    k >>= 1U;
  }
  return acc;
}

// The prover without its self-check (encrypt_ballot checks the whole ballot
// once instead). Witness: ct = (r*G, value*G + r*P).
//
// The order of the draws from rng is part of the published test vectors:
// branches in order of v; a simulated branch draws c_v then s_v, the real
// branch draws its nonce w.
//
// Every branch costs the same fixed sequence of operations whatever the
// witness, except that the real one is cheaper; the branch's position is not
// revealed by the total, and all group operations here are libsodium's
// constant-time ones (the nonce w and the witness r are secret).
RangeProof prove_unchecked(const BallotStatement& st, std::uint64_t slot, const Ciphertext& ct,
                           std::uint64_t value, const Scalar& r, std::uint64_t lo, std::uint64_t hi,
                           Rng& rng) {
  check_range_contract(lo, hi);
  if (value < lo || value > hi) std::abort();  // contract: callers check
  const Point& p = st.public_key().point();
  const std::size_t n = static_cast<std::size_t>(hi - lo + 1);
  const std::size_t real = static_cast<std::size_t>(value - lo);

  Transcript t = st.proof_transcript(slot, lo, hi, ct);
  std::vector<RangeProof::Branch> branches(n);
  Scalar w;  // fresh per proof: a reused nonce under two challenges reveals r
  Scalar simulated_sum;
  for (std::size_t i = 0; i < n; ++i) {
    Point a;
    Point b;
    if (i == real) {
      w = Scalar::random(rng);
      a = Point::base_mul(w);
      b = p.mul(w);
    } else {
      RangeProof::Branch& br = branches[i];
      br.challenge = Scalar::random(rng);
      br.response = Scalar::random(rng);
      const Point b_minus_vg = ct.b() - Point::base_mul(Scalar::from_u64(lo + i));
      a = Point::base_mul(br.response) - ct.a().mul(br.challenge);
      b = p.mul(br.response) - b_minus_vg.mul(br.challenge);
      simulated_sum += br.challenge;
    }
    t.append_point("a", a);
    t.append_point("b", b);
  }
  const Scalar c = t.challenge();
  branches[real].challenge = c - simulated_sum;
  branches[real].response = w + branches[real].challenge * r;
  return RangeProof(std::move(branches));
}

// The verifier on decoded points (a_point, b_point are ct's components).
// Per branch: two variable-time double multiplications, one multiplication
// through the key's table, one addition and two encodings (group.hpp).
Status verify_decoded(const BallotStatement& st, std::uint64_t slot, const Ciphertext& ct,
                      const DecodedPoint& a_point, const DecodedPoint& b_point, std::uint64_t lo,
                      std::uint64_t hi, const RangeProof& proof) {
  check_range_contract(lo, hi);
  const std::size_t n = static_cast<std::size_t>(hi - lo + 1);
  if (proof.branches().size() != n) {
    return invalid_argument("wrong_branch_count", "expected " + std::to_string(n) +
                                                      " branches, got " +
                                                      std::to_string(proof.branches().size()));
  }
  const PointTable& p = st.public_key().table();
  Transcript t = st.proof_transcript(slot, lo, hi, ct);
  Scalar sum;
  for (std::size_t i = 0; i < n; ++i) {
    const RangeProof::Branch& br = proof.branches()[i];
    const Scalar minus_c = -br.challenge;
    // a_v = s*G - c*A
    const DecodedPoint a = double_mul_vartime(br.response, minus_c, a_point);
    // b_v = s*P - c*(B - v*G) = s*P + (c*v)*G - c*B: the v*G term rides on
    // the double multiplication's free base-point scalar.
    const DecodedPoint b =
        p.mul(br.response) +
        double_mul_vartime(br.challenge * Scalar::from_u64(lo + i), minus_c, b_point);
    t.append_point("a", a.encode());
    t.append_point("b", b.encode());
    sum += br.challenge;
  }
  // The check a weak verifier forgets: without it every branch could be
  // simulated and any value "proved" (crypto-notes.md).
  if (!(sum == t.challenge())) {
    return invalid_argument("range_proof_invalid",
                            "the branch challenges do not sum to the Fiat-Shamir challenge");
  }
  return Status::ok();
}

// Counts marks and refuses a ballot that could not be counted.
Result<std::uint64_t> combined_value(const BallotLayout& layout,
                                     std::span<const std::uint8_t> values) {
  if (values.size() != layout.slot_count()) {
    return invalid_argument("wrong_slot_count", "expected " + std::to_string(layout.slot_count()) +
                                                    " slot values, got " +
                                                    std::to_string(values.size()));
  }
  std::uint64_t marks = 0;
  std::uint64_t special = 0;  // abstain + invalid
  for (std::size_t j = 0; j < values.size(); ++j) {
    if (values[j] > 1) {
      return invalid_argument("vote_value_not_binary",
                              "slot " + std::to_string(j) + " must be 0 or 1");
    }
    if (j < layout.candidates) {
      marks += values[j];
    } else {
      special += values[j];
    }
  }
  if (special > 0 && (marks > 0 || special > 1)) {
    return invalid_argument("conflicting_choices",
                            "an abstention or invalid ballot cannot carry anything else");
  }
  if (marks > layout.max_marks) {
    return invalid_argument("too_many_marks", "at most " + std::to_string(layout.max_marks) +
                                                  " candidates may be marked");
  }
  if (marks == 0 && special == 0) {
    return invalid_argument("empty_ballot", "mark a candidate, abstain, or vote invalid");
  }
  return marks + layout.max_marks * special;
}

}  // namespace

// ---- BallotLayout ------------------------------------------------------------

Status BallotLayout::check() const {
  if (candidates < 1 || candidates > kMaxCandidates || max_marks < 1 || max_marks > kMaxMarks) {
    return invalid_argument("bad_layout", "a ballot needs 1.." + std::to_string(kMaxCandidates) +
                                              " candidates and max_marks in 1.." +
                                              std::to_string(kMaxMarks));
  }
  return Status::ok();
}

// ---- RangeProof --------------------------------------------------------------

Result<RangeProof> RangeProof::parse(ByteView bytes, std::size_t branches) {
  // The expected count may come from a document under audit (a manifest's
  // max_marks), so an impossible count is an error, not a contract breach.
  if (branches < 1 || branches > kMaxRangeBranches || bytes.size() != branches * kBranchSize) {
    return invalid_argument("wrong_branch_count",
                            "a proof with " + std::to_string(branches) + " branches must be " +
                                std::to_string(branches * kBranchSize) + " bytes");
  }
  std::vector<Branch> out(branches);
  for (std::size_t i = 0; i < branches; ++i) {
    // Scalar::parse rejects >= l: a reduced alias would be a second byte form
    // of the same proof.
    URNE_ASSIGN_OR_RETURN(out[i].challenge, Scalar::parse(bytes.subspan(i * kBranchSize, 32)));
    URNE_ASSIGN_OR_RETURN(out[i].response, Scalar::parse(bytes.subspan(i * kBranchSize + 32, 32)));
  }
  return RangeProof(std::move(out));
}

Bytes RangeProof::encode() const {
  Bytes out;
  out.reserve(branches_.size() * kBranchSize);
  for (const Branch& b : branches_) {
    append(out, b.challenge.bytes());
    append(out, b.response.bytes());
  }
  return out;
}

// ---- BallotStatement ---------------------------------------------------------

Result<BallotStatement> BallotStatement::make(const BallotContext& ctx,
                                              std::span<const Ciphertext> ciphertexts) {
  URNE_RETURN_IF_ERROR(ctx.layout.check());
  URNE_RETURN_IF_ERROR(check_token_input(ctx.token_input));
  if (ciphertexts.size() != ctx.layout.slot_count()) {
    return invalid_argument("wrong_slot_count",
                            "expected " + std::to_string(ctx.layout.slot_count()) +
                                " ciphertexts, got " + std::to_string(ciphertexts.size()));
  }
  // The whole statement, so that no proof can be replayed under another
  // election, token, key, layout or set of ciphertexts.
  Transcript t(kStatementLabel);
  // The group and its generator (RFC 9496's ristretto255 and its standard
  // generator) are named, not implied (crypto-notes.md).
  t.append("group", as_bytes("ristretto255"));
  t.append("election_id", ctx.election_id);
  t.append("token_input", ctx.token_input);
  t.append_point("public_key", ctx.public_key.point());
  t.append_u64("candidates", ctx.layout.candidates);
  t.append_u64("has_invalid", ctx.layout.has_invalid ? 1 : 0);
  t.append_u64("max_marks", ctx.layout.max_marks);
  t.append_u64("slots", ciphertexts.size());
  for (const Ciphertext& ct : ciphertexts) t.append("ciphertext", ct.encode());
  return BallotStatement(t, ctx.public_key);
}

Transcript BallotStatement::proof_transcript(std::uint64_t slot, std::uint64_t lo, std::uint64_t hi,
                                             const Ciphertext& ct) const {
  Transcript t = t_;  // a copy of the absorbed statement
  t.append("proof", as_bytes(kRangeProofLabel));
  t.append_u64("slot", slot);
  t.append_u64("lo", lo);
  t.append_u64("hi", hi);
  t.append("ciphertext", ct.encode());
  return t;
}

// ---- Range proofs ------------------------------------------------------------

Result<RangeProof> prove_range(const BallotStatement& st, std::uint64_t slot, const Ciphertext& ct,
                               std::uint64_t value, const Randomness& r, std::uint64_t lo,
                               std::uint64_t hi, Rng& rng) {
  check_range_contract(lo, hi);
  if (value < lo || value > hi) {
    return invalid_argument("value_out_of_range", "the value is outside the proof's range");
  }
  RangeProof proof = prove_unchecked(st, slot, ct, value, r.scalar(), lo, hi, rng);
  if (Status s = verify_range(st, slot, ct, lo, hi, proof); !s) {
    return internal_error("self_check_failed", "the range proof does not verify: " + s.reason());
  }
  return proof;
}

Status verify_range(const BallotStatement& st, std::uint64_t slot, const Ciphertext& ct,
                    std::uint64_t lo, std::uint64_t hi, const RangeProof& proof) {
  return verify_decoded(st, slot, ct, DecodedPoint(ct.a()), DecodedPoint(ct.b()), lo, hi, proof);
}

// ---- Ballots -----------------------------------------------------------------

Ciphertext combined_ciphertext(const BallotLayout& layout, std::span<const Ciphertext> cts) {
  if (cts.size() != layout.slot_count()) std::abort();  // contract
  const Ciphertext marks = Ciphertext::sum(cts.first(layout.candidates));
  const Ciphertext special = Ciphertext::sum(cts.subspan(layout.candidates));
  return marks + special.times(layout.max_marks);
}

Result<BallotEncryption> encrypt_ballot(const BallotContext& ctx,
                                        std::span<const std::uint8_t> values, Rng& rng) {
  URNE_RETURN_IF_ERROR(ctx.layout.check());
  URNE_RETURN_IF_ERROR(check_token_input(ctx.token_input));
  URNE_ASSIGN_OR_RETURN(const std::uint64_t combined, combined_value(ctx.layout, values));
  const BallotLayout& layout = ctx.layout;
  const std::size_t n = layout.slot_count();

  BallotEncryption out;
  out.ballot.ciphertexts.reserve(n);
  out.randomness.reserve(n);
  for (std::size_t j = 0; j < n; ++j) {
    Encryption e = encrypt(ctx.public_key, values[j], rng);
    out.ballot.ciphertexts.push_back(e.ciphertext);
    out.randomness.push_back(std::move(e.randomness));
  }
  URNE_ASSIGN_OR_RETURN(const BallotStatement st,
                        BallotStatement::make(ctx, out.ballot.ciphertexts));

  out.ballot.slot_proofs.reserve(n);
  for (std::size_t j = 0; j < n; ++j) {
    out.ballot.slot_proofs.push_back(prove_unchecked(st, j, out.ballot.ciphertexts[j], values[j],
                                                     out.randomness[j].scalar(), 0, 1, rng));
  }

  // The combined ciphertext's randomness follows the same linear combination.
  Scalar marks_r;
  Scalar special_r;
  for (std::size_t j = 0; j < n; ++j) {
    (j < layout.candidates ? marks_r : special_r) += out.randomness[j].scalar();
  }
  const Scalar combined_r = marks_r + special_r * Scalar::from_u64(layout.max_marks);
  const Ciphertext c = combined_ciphertext(layout, out.ballot.ciphertexts);
  out.ballot.range_proof = prove_unchecked(st, layout.range_proof_slot(), c, combined, combined_r,
                                           1, layout.max_marks, rng);

  // The prover checks its own output (style guide; electionguard does too).
  if (Status s = verify_ballot(ctx, out.ballot); !s) {
    return internal_error("self_check_failed", "the new ballot does not verify: " + s.reason());
  }
  return out;
}

Status verify_ballot(const BallotContext& ctx, const ProvenBallot& ballot) {
  const BallotLayout& layout = ctx.layout;
  URNE_ASSIGN_OR_RETURN(const BallotStatement st, BallotStatement::make(ctx, ballot.ciphertexts));
  const std::size_t n = layout.slot_count();
  if (ballot.slot_proofs.size() != n) {
    return invalid_argument("wrong_proof_count", "expected " + std::to_string(n) +
                                                     " slot proofs, got " +
                                                     std::to_string(ballot.slot_proofs.size()));
  }

  // Structure first (cheap), then the group arithmetic.
  for (std::size_t j = 0; j < n; ++j) {
    // A = identity means r = 0 and B = m*G: the vote would be readable by
    // anyone. An honest client hits this with probability 2^-252, so such a
    // ciphertext can only come from a broken or malicious client; refuse it
    // rather than publish a readable ballot.
    if (ballot.ciphertexts[j].a().is_identity()) {
      return invalid_argument(
          "identity_ciphertext",
          "slot " + std::to_string(j) + ": ciphertext is not encrypted (A = identity)");
    }
    if (ballot.slot_proofs[j].branches().size() != 2) {
      return invalid_argument("wrong_branch_count",
                              "slot " + std::to_string(j) + ": a 0/1 proof has 2 branches");
    }
  }
  if (ballot.range_proof.branches().size() != layout.max_marks) {
    return invalid_argument(
        "wrong_branch_count",
        "range proof: expected " + std::to_string(layout.max_marks) + " branches");
  }

  // Decode every ciphertext once; the combined ciphertext is summed from
  // the same decoded points (its components must be the verifier's own).
  std::vector<DecodedPoint> as;
  std::vector<DecodedPoint> bs;
  as.reserve(n);
  bs.reserve(n);
  DecodedPoint marks_a, marks_b, special_a, special_b;
  for (std::size_t j = 0; j < n; ++j) {
    const Ciphertext& ct = ballot.ciphertexts[j];
    as.emplace_back(ct.a());
    bs.emplace_back(ct.b());
    (j < layout.candidates ? marks_a : special_a) += as.back();
    (j < layout.candidates ? marks_b : special_b) += bs.back();
  }

  for (std::size_t j = 0; j < n; ++j) {
    Status s =
        verify_decoded(st, j, ballot.ciphertexts[j], as[j], bs[j], 0, 1, ballot.slot_proofs[j]);
    if (!s) {
      const std::string reason =
          s.reason() == "range_proof_invalid" ? "zero_one_proof_invalid" : s.reason();
      return invalid_argument(reason, "slot " + std::to_string(j) + ": " + s.message());
    }
  }

  const DecodedPoint c_a = marks_a + small_multiple(special_a, layout.max_marks);
  const DecodedPoint c_b = marks_b + small_multiple(special_b, layout.max_marks);
  const Ciphertext c(c_a.encode(), c_b.encode());
  if (Status s = verify_decoded(st, layout.range_proof_slot(), c, c_a, c_b, 1, layout.max_marks,
                                ballot.range_proof);
      !s) {
    return invalid_argument(s.reason(), "range proof: " + s.message());
  }
  return Status::ok();
}

}  // namespace urne
