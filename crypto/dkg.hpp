// Distributed key generation for the election key: joint-Feldman (Pedersen)
// DKG among n trustees with threshold k, over ristretto255 (design.md,
// "Trustees"; crypto-notes.md, "Distributed key generation").
//
// Message flow (every message is a fixed-layout byte string, see below; the
// board/transport authenticates who posted it, this unit does not):
//   0. Each trustee makes a BoxKeyPair (X25519) for the ceremony and publishes
//      its public key; the officer fixes DkgParams (ceremony id, n, k).
//   1. Each trustee i, as a Dealer, draws f_i of degree k-1, publishes its
//      DealerCommitment (C_{i,t} = a_{i,t}*G with a Schnorr proof of knowledge
//      of a_{i,0}) and sends each other trustee j an EncryptedShare of
//      s_{i->j} = f_i(j) (crypto_box, dealer -> recipient).
//   2. Each recipient j runs receive_share() for every dealer: a share that is
//      missing, malformed, undecryptable or inconsistent with the dealer's
//      commitments yields a Complaint, which j publishes.
//   3. Each dealer answers every complaint against it with a RevealedShare
//      (the plaintext s_{i->j}), which anyone checks against C_i.
//   4. Anyone runs resolve_ceremony() on the public messages: a dealer with no
//      commitment, or with a complaint that has no valid answer, is
//      disqualified; the rest is QUAL (at least k dealers) and defines the
//      ElectionKey Y = sum_{i in QUAL} C_{i,0} and the public shares
//      X_j = sum_{i in QUAL} sum_t C_{i,t} j^t. Each trustee then assembles its
//      SecretShare x_j = sum_{i in QUAL} s_{i->j} (taking the revealed share for
//      a complaint it made that was overruled).
// No function computes or returns the whole secret key sum_i a_{i,0}.
//
// Thread-safety: value types and pure functions; no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crypto/bytes.hpp"
#include "crypto/group.hpp"
#include "crypto/random.hpp"
#include "crypto/secret.hpp"
#include "crypto/status.hpp"

namespace urne {

inline constexpr unsigned kMaxTrustees = 16;
// A trustee's index: 1..n. Zero is never an index (f(0) is the secret).
using TrusteeIndex = unsigned;
using CeremonyId = FixedBytes<32>;

// Message type tags (first byte of every encoding below).
inline constexpr std::uint8_t kTagDealerCommitment = 0x01;
inline constexpr std::uint8_t kTagEncryptedShare = 0x02;
inline constexpr std::uint8_t kTagComplaint = 0x03;
inline constexpr std::uint8_t kTagRevealedShare = 0x04;
inline constexpr std::uint8_t kTagPartialDecryption = 0x05;
inline constexpr std::uint8_t kTagSecretShare = 0x10;
inline constexpr std::uint8_t kTagDealerSecret = 0x11;

// The fixed parameters of one ceremony.
class DkgParams {
 public:
  // 2 <= k <= n <= kMaxTrustees. Reason "bad_dkg_params".
  static Result<DkgParams> create(const CeremonyId& ceremony_id, unsigned n, unsigned k);
  // TEST ONLY: as create() but also allows k = 1 (and n = 1), where a single
  // trustee can decrypt alone. Never reachable from a manifest.
  static Result<DkgParams> create_test_only_allow_threshold_one(const CeremonyId& ceremony_id,
                                                                unsigned n, unsigned k);

  const CeremonyId& ceremony_id() const noexcept { return id_; }
  unsigned n() const noexcept { return n_; }
  unsigned k() const noexcept { return k_; }
  // 1 <= i <= n.
  bool is_trustee(unsigned i) const noexcept { return i >= 1 && i <= n_; }

 private:
  DkgParams(const CeremonyId& id, unsigned n, unsigned k) : id_(id), n_(n), k_(k) {}
  CeremonyId id_;
  unsigned n_;
  unsigned k_;
};

// ---- transport keys ---------------------------------------------------------

// An X25519 public key for crypto_box (32 bytes). Public.
class BoxPublicKey {
 public:
  static constexpr std::size_t kSize = 32;
  // Exactly 32 bytes, not all zero. Reason "bad_box_key". (Other low-order
  // keys are caught when a box is made or opened with them.)
  static Result<BoxPublicKey> parse(ByteView bytes);
  const FixedBytes<kSize>& bytes() const noexcept { return b_; }
  friend bool operator==(const BoxPublicKey&, const BoxPublicKey&) = default;

 private:
  BoxPublicKey() = default;
  friend class BoxKeyPair;
  FixedBytes<kSize> b_{};
};

// A trustee's crypto_box key pair for one ceremony. Move-only; the secret
// key is wiped on destruction.
class BoxKeyPair {
 public:
  static BoxKeyPair generate(Rng& rng);
  // From the 32-byte secret key written by export_secret(). Reason
  // "bad_box_key".
  static Result<BoxKeyPair> load(ByteView secret_key);
  BoxKeyPair(BoxKeyPair&&) noexcept = default;
  BoxKeyPair& operator=(BoxKeyPair&&) noexcept = default;

  const BoxPublicKey& public_key() const noexcept { return pk_; }
  SecretBytes export_secret() const { return SecretBytes::copy_of(sk_.view()); }

 private:
  BoxKeyPair() = default;
  friend class Dealer;
  friend struct DkgInternal;
  BoxPublicKey pk_;
  SecretBytes sk_;
};

// ---- public messages --------------------------------------------------------

// Dealer i's commitments C_{i,0..k-1} with a proof of knowledge of a_{i,0}.
// Every object of this type carries a verified proof (parse() checks it).
//
// Layout (99 + 32k bytes):
//   0x01 || ceremony_id[32] || dealer u8 || k u8 || C_0..C_{k-1} [32 each]
//        || pok_c[32] || pok_z[32]
// Proof (Transcript label "urne/dkg-pok/v1"; items ceremony_id[32], n u64,
// k u64, dealer u64, commitments C_0..C_{k-1} (concatenated), commit R):
//   R = w*G, c = challenge, z = w + c*a_0; verified as R = z*G - c*C_0.
// w = SHA-512(u8 len(L) || L || ceremony_id || n u8 || k u8 || dealer u8 ||
//   a_0..a_{k-1}) mod l, L = "urne/dkg-pok-nonce/v1" (deterministic, see Dealer).
class DealerCommitment {
 public:
  // Strict: exact size for params.k(), tag, ceremony id, dealer in 1..n, k,
  // canonical points (C_0 not the identity), canonical scalars, valid proof.
  // Reasons: "bad_length", "bad_tag", "wrong_ceremony", "bad_index",
  // "bad_threshold", "bad_point", "identity_point", "bad_scalar", "bad_proof".
  static Result<DealerCommitment> parse(ByteView bytes, const DkgParams& params);
  Bytes encode() const;

  const CeremonyId& ceremony_id() const noexcept { return ceremony_id_; }
  TrusteeIndex dealer() const noexcept { return dealer_; }
  // The number of trustees the proof of knowledge was made and checked for.
  unsigned n() const noexcept { return n_; }
  std::span<const Point> coefficients() const noexcept { return c_; }
  // sum_t C_t * j^t = f_i(j)*G: what dealer i's share for trustee j must be.
  Point evaluate(TrusteeIndex j) const;

 private:
  DealerCommitment() = default;
  friend class Dealer;
  friend struct DkgInternal;
  CeremonyId ceremony_id_{};
  unsigned n_ = 0;
  TrusteeIndex dealer_ = 0;
  std::vector<Point> c_;
  Scalar pok_c_;
  Scalar pok_z_;
};

// The share s_{i->j} encrypted from dealer i to recipient j.
//
// Layout (141 bytes):
//   0x02 || ceremony_id[32] || dealer u8 || recipient u8 || nonce[24] || box[82]
// where box = crypto_box_easy(plaintext, nonce, pk_recipient, sk_dealer) and
//   plaintext[66] = ceremony_id[32] || dealer u8 || recipient u8 || s[32].
class EncryptedShare {
 public:
  static constexpr std::size_t kSize = 141;
  // Strict framing only (the box is checked by receive_share()). Reasons:
  // "bad_length", "bad_tag", "wrong_ceremony", "bad_index".
  static Result<EncryptedShare> parse(ByteView bytes, const DkgParams& params);
  Bytes encode() const;
  const CeremonyId& ceremony_id() const noexcept { return ceremony_id_; }
  TrusteeIndex dealer() const noexcept { return dealer_; }
  TrusteeIndex recipient() const noexcept { return recipient_; }

 private:
  EncryptedShare() = default;
  friend class Dealer;
  friend struct DkgInternal;
  CeremonyId ceremony_id_{};
  TrusteeIndex dealer_ = 0;
  TrusteeIndex recipient_ = 0;
  FixedBytes<24> nonce_{};
  FixedBytes<82> box_{};
};

// "My share from `dealer` is missing or wrong", published by `complainer`.
//
// Layout (35 bytes): 0x03 || ceremony_id[32] || dealer u8 || complainer u8
class Complaint {
 public:
  static constexpr std::size_t kSize = 35;
  // Contract: both are trustees of params and differ (aborts otherwise).
  static Complaint make(const DkgParams& params, TrusteeIndex dealer, TrusteeIndex complainer);
  // Reasons: "bad_length", "bad_tag", "wrong_ceremony", "bad_index".
  static Result<Complaint> parse(ByteView bytes, const DkgParams& params);
  Bytes encode() const;
  const CeremonyId& ceremony_id() const noexcept { return ceremony_id_; }
  TrusteeIndex dealer() const noexcept { return dealer_; }
  TrusteeIndex complainer() const noexcept { return complainer_; }

 private:
  Complaint() = default;
  CeremonyId ceremony_id_{};
  TrusteeIndex dealer_ = 0;
  TrusteeIndex complainer_ = 0;
};

// A dealer's public answer to a complaint: the plaintext share s_{i->j}.
// (Once revealed, that share is public; that is the price of a public
// resolution and only ever concerns a complainer's share.)
//
// Layout (67 bytes): 0x04 || ceremony_id[32] || dealer u8 || recipient u8 || s[32]
class RevealedShare {
 public:
  static constexpr std::size_t kSize = 67;
  // Framing and a canonical scalar; whether it matches the commitments is
  // judged by resolve_ceremony(). Reasons: "bad_length", "bad_tag",
  // "wrong_ceremony", "bad_index", "bad_scalar".
  static Result<RevealedShare> parse(ByteView bytes, const DkgParams& params);
  Bytes encode() const;
  const CeremonyId& ceremony_id() const noexcept { return ceremony_id_; }
  TrusteeIndex dealer() const noexcept { return dealer_; }
  TrusteeIndex recipient() const noexcept { return recipient_; }
  const Scalar& share() const noexcept { return s_; }
  // s*G == commitment.evaluate(recipient), and the dealers agree.
  [[nodiscard]] bool matches(const DealerCommitment& commitment) const;

 private:
  RevealedShare() = default;
  friend class Dealer;
  CeremonyId ceremony_id_{};
  TrusteeIndex dealer_ = 0;
  TrusteeIndex recipient_ = 0;
  Scalar s_;
};

// ---- secrets held by a trustee -----------------------------------------------

// A share s_{i->j} that trustee j received and checked against dealer i's
// commitments. Move-only, wiped; no accessor for the value.
class DealtShare {
 public:
  DealtShare(DealtShare&&) noexcept = default;
  DealtShare& operator=(DealtShare&&) noexcept = default;
  DealtShare(const DealtShare&) = delete;
  DealtShare& operator=(const DealtShare&) = delete;

  // For a complaint of ours that the dealer answered: the revealed share,
  // checked against the commitments. Reason "share_mismatch".
  static Result<DealtShare> from_revealed(const DealerCommitment& commitment,
                                          const RevealedShare& revealed);

  TrusteeIndex dealer() const noexcept { return dealer_; }
  TrusteeIndex recipient() const noexcept { return recipient_; }

 private:
  DealtShare(TrusteeIndex dealer, TrusteeIndex recipient, const Scalar& s)
      : dealer_(dealer), recipient_(recipient), s_(s) {}
  friend class Dealer;
  friend class SecretShare;
  friend struct DkgInternal;
  TrusteeIndex dealer_;
  TrusteeIndex recipient_;
  Scalar s_;
};

// Trustee i's role as a dealer: its secret polynomial f_i. Move-only; the
// coefficients are wiped on destruction.
class Dealer {
 public:
  // Draws f_i (a_{i,0} != 0) and proves knowledge of a_{i,0}; the proof
  // nonce is derived from the coefficients and the statement (as in EdDSA),
  // so a dealer reloaded from export_secret() publishes byte-identical
  // commitments. Contract: params.is_trustee(self).
  // Reason "self_check_failed" (kInternal) if the fresh proof does not verify.
  static Result<Dealer> generate(const DkgParams& params, TrusteeIndex self, Rng& rng);
  // Layout of the export (36 + 32k bytes, secret):
  //   0x11 || ceremony_id[32] || dealer u8 || n u8 || k u8 || a_0..a_{k-1}[32 each]
  // Reasons: "bad_length", "bad_tag", "wrong_ceremony", "bad_index",
  // "bad_dkg_params", "bad_scalar", "zero_secret".
  static Result<Dealer> load(const DkgParams& params, ByteView secret);
  SecretBytes export_secret() const;

  Dealer(Dealer&&) noexcept = default;
  Dealer& operator=(Dealer&&) noexcept = default;
  Dealer(const Dealer&) = delete;
  Dealer& operator=(const Dealer&) = delete;

  TrusteeIndex index() const noexcept { return self_; }
  const DealerCommitment& commitment() const noexcept { return commitment_; }

  // The share for `recipient`, boxed from `mine` to `theirs` with a fresh
  // random nonce; the box is reopened and compared before it is returned.
  // Contract: recipient is a trustee other than index(). Reason "bad_box_key"
  // when crypto_box refuses the key pair.
  Result<EncryptedShare> encrypt_share(TrusteeIndex recipient, const BoxKeyPair& mine,
                                       const BoxPublicKey& theirs, Rng& rng) const;
  // f_i(i): the dealer's share to itself (never sent).
  DealtShare own_share() const;
  // The answer to a complaint against this dealer. Reasons "wrong_ceremony",
  // "not_my_complaint" (another dealer's).
  Result<RevealedShare> answer(const Complaint& complaint) const;

 private:
  explicit Dealer(const DkgParams& params) : params_(params) {}
  Scalar evaluate(TrusteeIndex j) const;
  DkgParams params_;
  TrusteeIndex self_ = 0;
  std::vector<Scalar> a_;
  DealerCommitment commitment_;
};

// What a recipient makes of one dealer's message: either the checked share,
// or the complaint to publish (and why, for the trustee's own log).
struct ReceivedShare {
  std::optional<DealtShare> share;
  std::optional<Complaint> complaint;
  Status reason;  // OK iff share is set
};

// Trustee `self` opens the share dealt by `commitment.dealer()`.
// `encrypted` is the raw message as received (empty if none arrived): a
// missing, malformed, misaddressed, undecryptable, out-of-context or
// inconsistent share all produce a complaint. Contract: self is a trustee of
// params other than the dealer.
ReceivedShare receive_share(const DkgParams& params, const DealerCommitment& commitment,
                            ByteView encrypted, TrusteeIndex self, const BoxKeyPair& mine,
                            const BoxPublicKey& dealer_box_key);

// ---- results ------------------------------------------------------------------

// The public outcome of a ceremony: QUAL, its commitments, the election key Y
// and every trustee's public share X_1..X_n, all derived from public data
// (there is no other way to build one). Copyable.
class ElectionKey {
 public:
  // From the commitments of the qualified dealers (any order). Reasons:
  // "wrong_ceremony", "duplicate_dealer", "too_few_qualified" (fewer than k:
  // then no honest dealer need be among them), "identity_election_key".
  static Result<ElectionKey> derive(const DkgParams& params,
                                    std::span<const DealerCommitment> qual_commitments);

  const DkgParams& params() const noexcept { return params_; }
  // Ascending dealer indices.
  const std::vector<TrusteeIndex>& qual() const noexcept { return qual_; }
  // Ascending by dealer.
  const std::vector<DealerCommitment>& commitments() const noexcept { return commitments_; }
  const Point& election_key() const noexcept { return y_; }
  // X_j. Contract: params().is_trustee(j).
  const Point& public_share(TrusteeIndex j) const;
  // X_1..X_n.
  const std::vector<Point>& public_shares() const noexcept { return x_; }

 private:
  ElectionKey(const DkgParams& params) : params_(params) {}
  DkgParams params_;
  std::vector<TrusteeIndex> qual_;
  std::vector<DealerCommitment> commitments_;
  Point y_;
  std::vector<Point> x_;
};

// The auditor's check: the claimed election key and public shares X_1..X_n
// follow from the published commitments of QUAL. Reasons as derive(), and
// "election_key_mismatch", "bad_share_count", "public_share_mismatch".
[[nodiscard]] Status verify_election_key(const DkgParams& params,
                                         std::span<const DealerCommitment> qual_commitments,
                                         const Point& claimed_election_key,
                                         std::span<const Point> claimed_public_shares);

struct CeremonyOutcome {
  std::vector<TrusteeIndex> disqualified;  // ascending
  ElectionKey key;
};

// Judges the ceremony from its public messages (any order): a dealer without
// a commitment, or with a complaint not answered by a revealed share that
// matches its commitments, is disqualified; a complaint answered correctly is
// overruled. Reasons: "wrong_ceremony", "duplicate_commitment",
// "duplicate_complaint", "duplicate_answer", "unsolicited_answer", and those of
// ElectionKey::derive.
Result<CeremonyOutcome> resolve_ceremony(const DkgParams& params,
                                         std::span<const DealerCommitment> commitments,
                                         std::span<const Complaint> complaints,
                                         std::span<const RevealedShare> answers);

// Trustee j's share x_j = F(j) of the election key. Move-only, wiped; the
// value is only used by threshold decryption and written to the trustee's
// (passphrase-protected, elsewhere) file.
class SecretShare {
 public:
  // x_j = sum over QUAL of the dealt shares (shares from dealers outside QUAL
  // are ignored), checked against X_j. Reasons: "wrong_recipient",
  // "duplicate_dealer", "missing_share", "share_mismatch".
  static Result<SecretShare> assemble(const ElectionKey& key, TrusteeIndex self,
                                      std::span<const DealtShare> shares);
  // Layout (66 bytes, secret): 0x10 || ceremony_id[32] || index u8 || x[32].
  // load() checks x*G == X_index. Reasons: "bad_length", "bad_tag",
  // "wrong_ceremony", "bad_index", "bad_scalar", "share_mismatch".
  static Result<SecretShare> load(const ElectionKey& key, ByteView secret);
  SecretBytes export_secret() const;

  SecretShare(SecretShare&&) noexcept = default;
  SecretShare& operator=(SecretShare&&) noexcept = default;
  SecretShare(const SecretShare&) = delete;
  SecretShare& operator=(const SecretShare&) = delete;

  TrusteeIndex index() const noexcept { return index_; }
  const CeremonyId& ceremony_id() const noexcept { return ceremony_id_; }

 private:
  SecretShare(const CeremonyId& id, TrusteeIndex index, const Scalar& x)
      : ceremony_id_(id), index_(index), x_(x) {}
  friend struct ThresholdInternal;
  CeremonyId ceremony_id_;
  TrusteeIndex index_;
  Scalar x_;
};

}  // namespace urne
