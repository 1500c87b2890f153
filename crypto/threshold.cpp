#include "crypto/threshold.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>

#include "crypto/dlog.hpp"
#include "crypto/transcript.hpp"

namespace urne {

namespace {

constexpr std::string_view kPartialLabel = "urne/partial-decryption/v1";
constexpr std::size_t kIdSize = 32;

// The statement shared by all of trustee j's proofs in one election: it
// names the election, the ceremony, the whole key (QUAL and every
// commitment, from which Y and X_j follow) and the trustee, so a proof
// cannot be moved to another election, key or trustee (crypto-notes.md,
// "Fiat-Shamir"). The per-sum part is appended by challenge().
Transcript base_transcript(const ElectionKey& key, const ElectionIdBytes& election_id,
                           TrusteeIndex j) {
  const DkgParams& params = key.params();
  Transcript t(kPartialLabel);
  t.append("election_id", election_id);
  t.append("ceremony_id", params.ceremony_id());
  t.append_u64("n", params.n());
  t.append_u64("k", params.k());
  Bytes qual;
  for (TrusteeIndex i : key.qual()) append_u8(qual, static_cast<std::uint8_t>(i));
  t.append("qual", qual);
  Bytes commitments;
  for (const DealerCommitment& c : key.commitments()) {
    for (const Point& p : c.coefficients()) append(commitments, p.bytes());
  }
  t.append("commitments", commitments);
  t.append_point("election_key", key.election_key());
  t.append_u64("trustee", j);
  t.append_point("public_share", key.public_share(j));
  return t;
}

Scalar challenge(Transcript t, const CiphertextSum& sum, const Point& d, const Point& w1,
                 const Point& w2) {
  t.append_point("a", sum.a);
  t.append_point("b", sum.b);
  t.append_point("d", d);
  t.append_point("commit_g", w1);
  t.append_point("commit_a", w2);
  return t.challenge();
}

// Proof check with the statement's transcript prefix already absorbed.
bool proof_valid(const Transcript& base, const Point& x_j, const CiphertextSum& sum,
                 const Scalar& c, const Scalar& z, const Point& d) {
  const Point w1 = double_mul_vartime(z, -c, x_j);  // z*G - c*X_j
  const Point w2 = sum.a.mul(z) - d.mul(c);         // z*A - c*D_j
  return challenge(base, sum, d, w1, w2) == c;
}

Status check_partial_frame(const ElectionKey& key, const PartialDecryption& p,
                           const CeremonyId& id) {
  if (id != key.params().ceremony_id()) {
    return invalid_argument("wrong_ceremony", "partial decryption for another key");
  }
  if (!key.params().is_trustee(p.trustee())) {
    return invalid_argument("bad_index", "trustee index out of range 1..n");
  }
  return Status::ok();
}

}  // namespace

struct ThresholdInternal {
  static const Scalar& secret(const SecretShare& s) { return s.x_; }
  static const CeremonyId& id(const PartialDecryption& p) { return p.ceremony_id_; }

  static Status verify(const Transcript& base, const ElectionKey& key, const CiphertextSum& sum,
                       const PartialDecryption& p) {
    URNE_RETURN_IF_ERROR(check_partial_frame(key, p, p.ceremony_id_));
    if (!proof_valid(base, key.public_share(p.trustee_), sum, p.c_, p.z_, p.d_)) {
      return unauthenticated("bad_proof", "partial decryption proof fails");
    }
    return Status::ok();
  }

  static Result<PartialDecryption> prove(const Transcript& base, const ElectionKey& key,
                                         const SecretShare& share, const CiphertextSum& sum,
                                         Rng& rng) {
    const Scalar& x = share.x_;
    PartialDecryption out;
    out.ceremony_id_ = key.params().ceremony_id();
    out.trustee_ = share.index();
    out.d_ = sum.a.mul(x);
    const Scalar w = Scalar::random_nonzero(rng);  // fresh per proof: never reused
    const Point w1 = Point::base_mul(w);
    const Point w2 = sum.a.mul(w);
    out.c_ = challenge(base, sum, out.d_, w1, w2);
    out.z_ = w + out.c_ * x;
    // The prover checks its own proof before publishing it.
    if (!proof_valid(base, key.public_share(out.trustee_), sum, out.c_, out.z_, out.d_)) {
      return internal_error("self_check_failed", "fresh partial decryption proof fails");
    }
    return out;
  }
};

// ---- PartialDecryption -------------------------------------------------------

Result<PartialDecryption> PartialDecryption::parse(ByteView bytes, const DkgParams& params) {
  if (bytes.size() != kSize) {
    return invalid_argument("bad_length", "partial decryption has the wrong length");
  }
  if (bytes[0] != kTagPartialDecryption) {
    return invalid_argument("bad_tag", "partial decryption: wrong message type");
  }
  if (!std::equal(params.ceremony_id().begin(), params.ceremony_id().end(), bytes.begin() + 1)) {
    return invalid_argument("wrong_ceremony", "partial decryption for another key");
  }
  PartialDecryption out;
  out.ceremony_id_ = params.ceremony_id();
  std::size_t off = 1 + kIdSize;
  if (!params.is_trustee(bytes[off])) {
    return invalid_argument("bad_index", "trustee index out of range 1..n");
  }
  out.trustee_ = bytes[off++];
  URNE_ASSIGN_OR_RETURN(out.d_, Point::parse(bytes.subspan(off, Point::kSize)));
  off += Point::kSize;
  URNE_ASSIGN_OR_RETURN(out.c_, Scalar::parse(bytes.subspan(off, Scalar::kSize)));
  off += Scalar::kSize;
  URNE_ASSIGN_OR_RETURN(out.z_, Scalar::parse(bytes.subspan(off, Scalar::kSize)));
  return out;
}

Bytes PartialDecryption::encode() const {
  Bytes out;
  out.reserve(kSize);
  append_u8(out, kTagPartialDecryption);
  append(out, ceremony_id_);
  append_u8(out, static_cast<std::uint8_t>(trustee_));
  append(out, d_.bytes());
  append(out, c_.bytes());
  append(out, z_.bytes());
  return out;
}

// ---- decryption ----------------------------------------------------------------

Result<std::vector<PartialDecryption>> partial_decrypt_all(const ElectionKey& key,
                                                           const SecretShare& share,
                                                           const ElectionIdBytes& election_id,
                                                           std::span<const CiphertextSum> sums,
                                                           Rng& rng) {
  if (share.ceremony_id() != key.params().ceremony_id()) {
    return invalid_argument("wrong_ceremony", "the share belongs to another key");
  }
  const TrusteeIndex j = share.index();
  // A share that is not log_G X_j would make proofs that fail everywhere;
  // refuse early and say why.
  if (!key.params().is_trustee(j) ||
      !(Point::base_mul(ThresholdInternal::secret(share)) == key.public_share(j))) {
    return invalid_argument("share_mismatch", "the secret share does not match its public share");
  }
  const Transcript base = base_transcript(key, election_id, j);
  std::vector<PartialDecryption> out;
  out.reserve(sums.size());
  for (const CiphertextSum& sum : sums) {
    URNE_ASSIGN_OR_RETURN(PartialDecryption p,
                          ThresholdInternal::prove(base, key, share, sum, rng));
    out.push_back(std::move(p));
  }
  return out;
}

Result<PartialDecryption> partial_decrypt(const ElectionKey& key, const SecretShare& share,
                                          const ElectionIdBytes& election_id,
                                          const CiphertextSum& sum, Rng& rng) {
  URNE_ASSIGN_OR_RETURN(std::vector<PartialDecryption> v,
                        partial_decrypt_all(key, share, election_id, std::span(&sum, 1), rng));
  return std::move(v.front());
}

Status verify_partial_decryption(const ElectionKey& key, const ElectionIdBytes& election_id,
                                 const CiphertextSum& sum, const PartialDecryption& partial) {
  URNE_RETURN_IF_ERROR(check_partial_frame(key, partial, ThresholdInternal::id(partial)));
  return ThresholdInternal::verify(base_transcript(key, election_id, partial.trustee()), key, sum,
                                   partial);
}

Result<std::vector<Scalar>> lagrange_at_zero(std::span<const TrusteeIndex> indices) {
  if (indices.empty()) return invalid_argument("no_indices", "no trustee indices");
  for (std::size_t a = 0; a < indices.size(); ++a) {
    // Index 0 is where the secret lives; an x-coordinate there (or twice the
    // same one) would make a denominator zero.
    if (indices[a] == 0) return invalid_argument("zero_index", "trustee index 0");
    for (std::size_t b = 0; b < a; ++b) {
      if (indices[a] == indices[b]) {
        return invalid_argument("duplicate_index", "trustee index given twice");
      }
    }
  }
  std::vector<Scalar> out;
  out.reserve(indices.size());
  for (const TrusteeIndex j : indices) {
    Scalar num = Scalar::one();
    Scalar den = Scalar::one();
    const Scalar xj = Scalar::from_u64(j);
    for (const TrusteeIndex m : indices) {
      if (m == j) continue;
      const Scalar xm = Scalar::from_u64(m);
      num = num * xm;
      den = den * (xm - xj);  // distinct indices < l: never zero
    }
    out.push_back(num * den.inverse());
  }
  return out;
}

Result<Point> combine_partials(const ElectionKey& key, const ElectionIdBytes& election_id,
                               const CiphertextSum& sum,
                               std::span<const PartialDecryption> partials) {
  std::vector<TrusteeIndex> indices;
  indices.reserve(partials.size());
  for (const PartialDecryption& p : partials) indices.push_back(p.trustee());
  // Index checks first, so that duplicates are reported as such.
  URNE_ASSIGN_OR_RETURN(std::vector<Scalar> lambda, lagrange_at_zero(indices));
  if (partials.size() < key.params().k()) {
    return failed_precondition("too_few_partials", "fewer than k partial decryptions");
  }
  // Only partials proven against the published public shares are combined.
  for (const PartialDecryption& p : partials) {
    URNE_RETURN_IF_ERROR(verify_partial_decryption(key, election_id, sum, p));
  }
  Point acc;
  for (std::size_t i = 0; i < partials.size(); ++i) acc += partials[i].d().mul(lambda[i]);
  return sum.b - acc;
}

Result<std::vector<std::uint64_t>> decrypt_totals(
    const ElectionKey& key, const ElectionIdBytes& election_id, std::span<const CiphertextSum> sums,
    std::span<const std::vector<PartialDecryption>> by_trustee, std::uint64_t bound) {
  for (const std::vector<PartialDecryption>& v : by_trustee) {
    if (v.size() != sums.size()) {
      return invalid_argument("bad_partial_count", "need one partial decryption per sum");
    }
    for (const PartialDecryption& p : v) {
      if (p.trustee() != v.front().trustee()) {
        return invalid_argument("inconsistent_partials", "one trustee's list mixes trustees");
      }
    }
  }
  std::vector<std::uint64_t> totals;
  totals.reserve(sums.size());
  std::vector<PartialDecryption> column;
  for (std::size_t s = 0; s < sums.size(); ++s) {
    column.clear();
    for (const std::vector<PartialDecryption>& v : by_trustee) column.push_back(v[s]);
    URNE_ASSIGN_OR_RETURN(const Point m, combine_partials(key, election_id, sums[s], column));
    URNE_ASSIGN_OR_RETURN(const std::uint64_t total, small_dlog(m, bound));
    totals.push_back(total);
  }
  return totals;
}

}  // namespace urne
