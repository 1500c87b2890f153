// Test helpers for the DKG and threshold tests: runs a key ceremony among
// simulated trustees, every message passing through encode()/parse() as it
// would over the board, and makes ElGamal encryptions with plain group
// operations (independent of elgamal.hpp).
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "crypto/dkg.hpp"
#include "crypto/group.hpp"
#include "crypto/random.hpp"
#include "crypto/threshold.hpp"

namespace urne::test {

inline std::uint64_t rand_u64(Rng& rng) {
  FixedBytes<8> b{};
  rng.fill(b);
  std::uint64_t v = 0;
  for (std::uint8_t x : b) v = (v << 8) | x;
  return v;
}
// Uniform enough in [lo, hi] for test configurations.
inline unsigned rand_in(Rng& rng, unsigned lo, unsigned hi) {
  return lo + static_cast<unsigned>(rand_u64(rng) % (hi - lo + 1));
}

inline CeremonyId ceremony_id(std::uint8_t tag) {
  CeremonyId id{};
  id.fill(tag);
  id[0] = 0xce;
  return id;
}

inline DkgParams params(unsigned n, unsigned k, std::uint8_t tag = 1) {
  auto p = DkgParams::create_test_only_allow_threshold_one(ceremony_id(tag), n, k);
  REQUIRE(p.ok());
  return *p;
}

// Trustee i's secret share x_i as a scalar, read through the export layout
// (0x10 || ceremony_id[32] || index || x[32]). Tests only: to reconstruct
// the key and check k-of-n properties.
inline Scalar share_value(const SecretShare& s) {
  const SecretBytes b = s.export_secret();
  auto x = Scalar::parse(b.view().subspan(34, 32));
  REQUIRE(x.ok());
  return *x;
}

// Lagrange interpolation at 0, written here independently of
// lagrange_at_zero(): sum_j x_j prod_{m != j} m / (m - j).
inline Scalar interpolate_at_zero(const std::vector<TrusteeIndex>& idx,
                                  const std::vector<Scalar>& ys) {
  Scalar acc;
  for (std::size_t a = 0; a < idx.size(); ++a) {
    Scalar w = Scalar::one();
    for (std::size_t b = 0; b < idx.size(); ++b) {
      if (a == b) continue;
      const Scalar m = Scalar::from_u64(idx[b]);
      w = w * m * (m - Scalar::from_u64(idx[a])).inverse();
    }
    acc += w * ys[a];
  }
  return acc;
}

// The same interpolation "in the exponent": B - sum lambda_j D_j.
inline Point combine_in_test(const CiphertextSum& sum, const std::vector<TrusteeIndex>& idx,
                             const std::vector<Point>& ds) {
  Point acc;
  for (std::size_t a = 0; a < idx.size(); ++a) {
    Scalar w = Scalar::one();
    for (std::size_t b = 0; b < idx.size(); ++b) {
      if (a == b) continue;
      const Scalar m = Scalar::from_u64(idx[b]);
      w = w * m * (m - Scalar::from_u64(idx[a])).inverse();
    }
    acc += ds[a].mul(w);
  }
  return sum.b - acc;
}

// Exponential ElGamal with plain group operations: (r*G, m*G + r*Y).
inline CiphertextSum encrypt(const Point& y, std::uint64_t m, Rng& rng) {
  const Scalar r = Scalar::random(rng);
  return {Point::base_mul(r), Point::base_mul(Scalar::from_u64(m)) + y.mul(r)};
}
inline CiphertextSum add(const CiphertextSum& x, const CiphertextSum& y) {
  return {x.a + y.a, x.b + y.b};
}

// Round 1 of a ceremony: every trustee's box key, dealer, published
// commitment and encrypted shares (as bytes). Indices are 1-based.
struct Ceremony {
  DkgParams params;
  std::vector<BoxKeyPair> boxes;              // [i-1]
  std::vector<Dealer> dealers;                // [i-1]
  std::vector<DealerCommitment> commitments;  // [i-1], parsed from bytes
  std::vector<std::vector<Bytes>> enc;        // [i-1][j-1]: from i to j

  const BoxPublicKey& box_pk(TrusteeIndex i) const { return boxes[i - 1].public_key(); }
};

inline Ceremony start_ceremony(const DkgParams& p, Rng& rng) {
  Ceremony c{p, {}, {}, {}, {}};
  for (TrusteeIndex i = 1; i <= p.n(); ++i) {
    c.boxes.push_back(BoxKeyPair::generate(rng));
    auto d = Dealer::generate(p, i, rng);
    REQUIRE(d.ok());
    auto parsed = DealerCommitment::parse(d->commitment().encode(), p);
    REQUIRE(parsed.ok());
    c.commitments.push_back(*parsed);
    c.dealers.push_back(std::move(d).value());
  }
  c.enc.assign(p.n(), std::vector<Bytes>(p.n()));
  for (TrusteeIndex i = 1; i <= p.n(); ++i) {
    for (TrusteeIndex j = 1; j <= p.n(); ++j) {
      if (i == j) continue;
      auto e = c.dealers[i - 1].encrypt_share(j, c.boxes[i - 1], c.box_pk(j), rng);
      REQUIRE(e.ok());
      c.enc[i - 1][j - 1] = e->encode();
    }
  }
  return c;
}

// Round 2 for trustee j: its own share and every dealer's share opened; the
// complaints (if any) it would publish are returned in `complaints`.
inline std::vector<DealtShare> receive_all(const Ceremony& c, TrusteeIndex j,
                                           std::vector<Complaint>& complaints) {
  std::vector<DealtShare> shares;
  shares.push_back(c.dealers[j - 1].own_share());
  for (TrusteeIndex i = 1; i <= c.params.n(); ++i) {
    if (i == j) continue;
    ReceivedShare r = receive_share(c.params, c.commitments[i - 1], c.enc[i - 1][j - 1], j,
                                    c.boxes[j - 1], c.box_pk(i));
    if (r.share) {
      shares.push_back(std::move(*r.share));
    } else {
      REQUIRE(r.complaint.has_value());
      complaints.push_back(*r.complaint);
    }
  }
  return shares;
}

struct Finished {
  ElectionKey key;
  std::vector<SecretShare> shares;  // [j-1]
};

// Rounds 2-4 when nobody complains.
inline Finished finish_honest(const Ceremony& c) {
  std::vector<std::vector<DealtShare>> dealt;
  for (TrusteeIndex j = 1; j <= c.params.n(); ++j) {
    std::vector<Complaint> complaints;
    dealt.push_back(receive_all(c, j, complaints));
    REQUIRE(complaints.empty());
  }
  auto outcome = resolve_ceremony(c.params, c.commitments, {}, {});
  REQUIRE(outcome.ok());
  REQUIRE(outcome->disqualified.empty());
  std::vector<SecretShare> shares;
  for (TrusteeIndex j = 1; j <= c.params.n(); ++j) {
    auto s = SecretShare::assemble(outcome->key, j, dealt[j - 1]);
    REQUIRE(s.ok());
    shares.push_back(std::move(s).value());
  }
  return Finished{outcome->key, std::move(shares)};
}

// A random subset of `count` distinct indices of 1..n, in random order.
inline std::vector<TrusteeIndex> random_subset(Rng& rng, unsigned n, unsigned count) {
  std::vector<TrusteeIndex> all;
  for (TrusteeIndex i = 1; i <= n; ++i) all.push_back(i);
  for (std::size_t i = all.size(); i > 1; --i) {
    std::swap(all[i - 1], all[rand_u64(rng) % i]);
  }
  all.resize(count);
  return all;
}

}  // namespace urne::test
