// Threshold decryption of encrypted SUMS under the DKG's election key
// (design.md, "Trustees"; crypto-notes.md, "Distributed key generation").
//
// A sum is an exponential-ElGamal ciphertext (A, B) = (r*G, m*G + r*Y), the
// homomorphic combination of all accepted ballots' ciphertexts for one slot.
// Trustee j publishes D_j = x_j*A with a Chaum-Pedersen proof that
// log_G X_j = log_A D_j, where X_j is its PUBLISHED public share. Any k verified
// partials combine by Lagrange interpolation at 0 into
//   M = B - sum_j lambda_j * D_j = m*G,
// and m is recovered by small_dlog (dlog.hpp).
//
// Which ciphertexts get decrypted is the caller's policy and a security
// boundary: a trustee's tool passes only sums it recomputed itself from the
// whole verified board, never a single ballot (crypto-notes.md). Nothing here
// can tell a sum from a ballot.
//
// Partial-decryption proof (label "urne/partial-decryption/v1"), items in
// this order (Transcript encoding, see transcript.hpp):
//   election_id[32], ceremony_id[32], n u64, k u64, qual (u8 per dealer,
//   ascending), commitments (C_{i,0..k-1} for i in QUAL ascending, 32 each),
//   election_key Y, trustee j u64, public_share X_j, a A, b B, d D_j,
//   commit_g W1 = w*G, commit_a W2 = w*A  -> c;   z = w + c*x_j.
// Verification recomputes W1 = z*G - c*X_j, W2 = z*A - c*D_j and checks that
// they hash back to c.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/bytes.hpp"
#include "crypto/dkg.hpp"
#include "crypto/group.hpp"
#include "crypto/random.hpp"
#include "crypto/status.hpp"

namespace urne {

// An ElGamal ciphertext (A, B) that is a sum of ballots' ciphertexts.
// (To be unified with elgamal.hpp's Ciphertext.)
struct CiphertextSum {
  Point a;  // sum of r*G
  Point b;  // sum of m*G + r*Y
};

using ElectionIdBytes = FixedBytes<32>;

// Trustee j's partial decryption of one sum, with its proof.
//
// Layout (130 bytes):
//   0x05 || ceremony_id[32] || trustee u8 || D[32] || c[32] || z[32]
class PartialDecryption {
 public:
  static constexpr std::size_t kSize = 130;
  // Strict: size, tag, ceremony id, trustee in 1..n, canonical point and
  // scalars. The proof is checked by verify_partial_decryption(). Reasons:
  // "bad_length", "bad_tag", "wrong_ceremony", "bad_index", "bad_point",
  // "bad_scalar".
  static Result<PartialDecryption> parse(ByteView bytes, const DkgParams& params);
  Bytes encode() const;

  TrusteeIndex trustee() const noexcept { return trustee_; }
  const Point& d() const noexcept { return d_; }

 private:
  PartialDecryption() = default;
  friend struct ThresholdInternal;
  CeremonyId ceremony_id_{};
  TrusteeIndex trustee_ = 0;
  Point d_;
  Scalar c_;
  Scalar z_;
};

// D_j = x_j*A with a fresh proof, checked before it is returned. Reasons:
// "wrong_ceremony", "share_mismatch" (the share is not X_j's),
// "self_check_failed" (kInternal).
Result<PartialDecryption> partial_decrypt(const ElectionKey& key, const SecretShare& share,
                                          const ElectionIdBytes& election_id,
                                          const CiphertextSum& sum, Rng& rng);
// The same for every sum of an election, in order.
Result<std::vector<PartialDecryption>> partial_decrypt_all(const ElectionKey& key,
                                                           const SecretShare& share,
                                                           const ElectionIdBytes& election_id,
                                                           std::span<const CiphertextSum> sums,
                                                           Rng& rng);

// Checks the proof against the trustee's published public share in `key`.
// Reasons: "wrong_ceremony", "bad_index", "bad_proof" (kUnauthenticated).
[[nodiscard]] Status verify_partial_decryption(const ElectionKey& key,
                                               const ElectionIdBytes& election_id,
                                               const CiphertextSum& sum,
                                               const PartialDecryption& partial);

// lambda_j = prod_{m != j} m / (m - j) for each index, in order: the weights
// of f(0) = sum_j lambda_j f(j). Reasons: "zero_index", "duplicate_index",
// "no_indices".
Result<std::vector<Scalar>> lagrange_at_zero(std::span<const TrusteeIndex> indices);

// M = B - sum_j lambda_j D_j from at least k partials of distinct trustees,
// each verified first. Reasons: those of verify_partial_decryption and
// lagrange_at_zero, and "too_few_partials".
Result<Point> combine_partials(const ElectionKey& key, const ElectionIdBytes& election_id,
                               const CiphertextSum& sum,
                               std::span<const PartialDecryption> partials);

// The totals m_s (0 <= m_s <= bound) of all sums: by_trustee[t] holds one
// trustee's partial_decrypt_all() output for `sums`; at least k trustees.
// Reasons: those of combine_partials and small_dlog, "bad_partial_count",
// "inconsistent_partials".
Result<std::vector<std::uint64_t>> decrypt_totals(
    const ElectionKey& key, const ElectionIdBytes& election_id, std::span<const CiphertextSum> sums,
    std::span<const std::vector<PartialDecryption>> by_trustee, std::uint64_t bound);

}  // namespace urne
