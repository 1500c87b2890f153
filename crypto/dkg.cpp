#include "crypto/dkg.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>

#include "crypto/transcript.hpp"

namespace urne {

static_assert(crypto_box_PUBLICKEYBYTES == BoxPublicKey::kSize);
static_assert(crypto_box_SECRETKEYBYTES == 32);
static_assert(crypto_box_SEEDBYTES == 32);
static_assert(crypto_box_NONCEBYTES == 24);
static_assert(crypto_box_MACBYTES == 16);

namespace {

constexpr std::size_t kIdSize = 32;
// Plaintext inside an EncryptedShare: ceremony_id || dealer || recipient || s.
constexpr std::size_t kSharePlainSize = kIdSize + 1 + 1 + Scalar::kSize;
constexpr std::size_t kShareBoxSize = kSharePlainSize + crypto_box_MACBYTES;
static_assert(kShareBoxSize == 82);
static_assert(1 + kIdSize + 1 + 1 + crypto_box_NONCEBYTES + kShareBoxSize == EncryptedShare::kSize);

constexpr std::string_view kPokLabel = "urne/dkg-pok/v1";
constexpr std::string_view kPokNonceLabel = "urne/dkg-pok-nonce/v1";

std::size_t commitment_size(unsigned k) { return 1 + kIdSize + 1 + 1 + 32 * std::size_t{k} + 64; }
std::size_t dealer_secret_size(unsigned k) { return 1 + kIdSize + 3 + 32 * std::size_t{k}; }

Status bad_length(std::string_view what) {
  return invalid_argument("bad_length", std::string(what) + " has the wrong length");
}
Status bad_tag(std::string_view what) {
  return invalid_argument("bad_tag", std::string(what) + ": wrong message type");
}
Status wrong_ceremony() {
  return invalid_argument("wrong_ceremony", "message belongs to another key ceremony");
}

// Frames every message: exact size, type tag, and our ceremony id (public,
// so a plain comparison).
Status check_frame(ByteView b, std::size_t size, std::uint8_t tag, const DkgParams& params,
                   std::string_view what) {
  if (b.size() != size) return bad_length(what);
  if (b[0] != tag) return bad_tag(what);
  if (!std::equal(params.ceremony_id().begin(), params.ceremony_id().end(), b.begin() + 1)) {
    return wrong_ceremony();
  }
  return Status::ok();
}

Result<TrusteeIndex> parse_index(std::uint8_t b, const DkgParams& params) {
  if (!params.is_trustee(b)) {
    return invalid_argument("bad_index", "trustee index out of range 1..n");
  }
  return TrusteeIndex{b};
}

Bytes concat_points(std::span<const Point> pts) {
  Bytes out;
  out.reserve(pts.size() * Point::kSize);
  for (const Point& p : pts) append(out, p.bytes());
  return out;
}

// The Schnorr challenge of dealer i's proof of knowledge of a_{i,0}. It
// hashes the whole statement (ceremony, n, k, dealer index, every
// commitment), so a proof cannot be moved to another dealer index or
// ceremony, nor to other commitments (crypto-notes.md, "Fiat-Shamir").
Scalar pok_challenge(const DkgParams& params, TrusteeIndex dealer, std::span<const Point> c,
                     const Point& r) {
  Transcript t(kPokLabel);
  t.append("ceremony_id", params.ceremony_id());
  t.append_u64("n", params.n());
  t.append_u64("k", params.k());
  t.append_u64("dealer", dealer);
  t.append("commitments", concat_points(c));
  t.append_point("commit", r);
  return t.challenge();
}

// R = z*G - c*C_0 must hash back to c.
bool pok_valid(const DkgParams& params, TrusteeIndex dealer, std::span<const Point> c,
               const Scalar& pok_c, const Scalar& pok_z) {
  const Point r = double_mul_vartime(pok_z, -pok_c, c[0]);
  return pok_challenge(params, dealer, c, r) == pok_c;
}

// sum_t x_t * j^t by Horner's rule, for scalars (the dealer's polynomial) and
// points (the commitments).
template <class T>
T horner(std::span<const T> coeffs, TrusteeIndex j, T (*mul)(const T&, const Scalar&)) {
  const Scalar x = Scalar::from_u64(j);
  T acc = coeffs.back();
  for (std::size_t t = coeffs.size() - 1; t-- > 0;) acc = mul(acc, x) + coeffs[t];
  return acc;
}
Scalar mul_scalar(const Scalar& a, const Scalar& b) { return a * b; }
Point mul_point(const Point& a, const Scalar& b) { return a.mul(b); }

Status check_params(unsigned n, unsigned k, unsigned min_k) {
  if (n < min_k || n > kMaxTrustees || k < min_k || k > n) {
    return invalid_argument("bad_dkg_params", "need " + std::to_string(min_k) +
                                                  " <= k <= n <= " + std::to_string(kMaxTrustees));
  }
  return Status::ok();
}

}  // namespace

// Private access for the free functions of this file.
struct DkgInternal {
  static const SecretBytes& box_secret(const BoxKeyPair& kp) { return kp.sk_; }
  static const FixedBytes<24>& nonce(const EncryptedShare& es) { return es.nonce_; }
  static const FixedBytes<82>& box(const EncryptedShare& es) { return es.box_; }

  // Commitments and the proof of knowledge for coefficients a. The proof
  // nonce is SHA-512(label, ceremony, n, k, dealer, a_0..a_{k-1}) reduced:
  // derived like an EdDSA nonce, it is unpredictable to anyone without the
  // coefficients and is only ever used for this one statement (which the
  // coefficients determine), so no nonce is reused across two challenges;
  // and a reloaded dealer reproduces its published bytes exactly.
  static Result<DealerCommitment> commit(const DkgParams& params, TrusteeIndex dealer,
                                         std::span<const Scalar> a) {
    DealerCommitment out;
    out.ceremony_id_ = params.ceremony_id();
    out.n_ = params.n();
    out.dealer_ = dealer;
    out.c_.reserve(a.size());
    for (const Scalar& coeff : a) out.c_.push_back(Point::base_mul(coeff));

    crypto_hash_sha512_state st;
    crypto_hash_sha512_init(&st);
    const std::array<std::uint8_t, 1> label_len = {
        static_cast<std::uint8_t>(kPokNonceLabel.size())};
    crypto_hash_sha512_update(&st, label_len.data(), label_len.size());
    const ByteView label = as_bytes(kPokNonceLabel);
    crypto_hash_sha512_update(&st, label.data(), label.size());
    crypto_hash_sha512_update(&st, params.ceremony_id().data(), kIdSize);
    const std::array<std::uint8_t, 3> nkd = {static_cast<std::uint8_t>(params.n()),
                                             static_cast<std::uint8_t>(params.k()),
                                             static_cast<std::uint8_t>(dealer)};
    crypto_hash_sha512_update(&st, nkd.data(), nkd.size());
    for (const Scalar& coeff : a)
      crypto_hash_sha512_update(&st, coeff.bytes().data(), Scalar::kSize);
    FixedBytes<64> wide{};
    crypto_hash_sha512_final(&st, wide.data());
    sodium_memzero(&st, sizeof st);
    const Scalar w = Scalar::from_wide(wide);
    sodium_memzero(wide.data(), wide.size());

    const Point r = Point::base_mul(w);
    out.pok_c_ = pok_challenge(params, dealer, out.c_, r);
    out.pok_z_ = w + out.pok_c_ * a[0];
    // Self-check before publishing (style guide: crypto checks its output).
    if (!pok_valid(params, dealer, out.c_, out.pok_c_, out.pok_z_)) {
      return internal_error("self_check_failed", "fresh proof of knowledge does not verify");
    }
    return out;
  }

  static DealtShare dealt(TrusteeIndex dealer, TrusteeIndex recipient, const Scalar& s) {
    return DealtShare(dealer, recipient, s);
  }

  static ReceivedShare complain(const DkgParams& params, TrusteeIndex dealer, TrusteeIndex self,
                                Status why) {
    return ReceivedShare{std::nullopt, Complaint::make(params, dealer, self), std::move(why)};
  }
};

// ---- DkgParams ----------------------------------------------------------------

Result<DkgParams> DkgParams::create(const CeremonyId& ceremony_id, unsigned n, unsigned k) {
  URNE_RETURN_IF_ERROR(check_params(n, k, 2));
  return DkgParams(ceremony_id, n, k);
}

Result<DkgParams> DkgParams::create_test_only_allow_threshold_one(const CeremonyId& ceremony_id,
                                                                  unsigned n, unsigned k) {
  URNE_RETURN_IF_ERROR(check_params(n, k, 1));
  return DkgParams(ceremony_id, n, k);
}

// ---- box keys ---------------------------------------------------------------------

Result<BoxPublicKey> BoxPublicKey::parse(ByteView bytes) {
  if (bytes.size() != kSize) return invalid_argument("bad_box_key", "a box key must be 32 bytes");
  BoxPublicKey pk;
  std::copy(bytes.begin(), bytes.end(), pk.b_.begin());
  if (sodium_is_zero(pk.b_.data(), pk.b_.size()) == 1) {
    return invalid_argument("bad_box_key", "the all-zero box key is not a key");
  }
  return pk;
}

BoxKeyPair BoxKeyPair::generate(Rng& rng) {
  // Through a seed so that the injected Rng is the only randomness.
  const SecretBytes seed = SecretBytes::random(crypto_box_SEEDBYTES, rng);
  BoxKeyPair kp;
  kp.sk_ = SecretBytes::build(crypto_box_SECRETKEYBYTES, [&](std::span<std::uint8_t> sk) {
    // Always returns 0 (hash of the seed, then a base-point multiplication).
    (void)crypto_box_seed_keypair(kp.pk_.b_.data(), sk.data(), seed.view().data());
  });
  return kp;
}

Result<BoxKeyPair> BoxKeyPair::load(ByteView secret_key) {
  if (secret_key.size() != crypto_box_SECRETKEYBYTES) {
    return invalid_argument("bad_box_key", "a box secret key must be 32 bytes");
  }
  BoxKeyPair kp;
  kp.sk_ = SecretBytes::copy_of(secret_key);
  if (crypto_scalarmult_base(kp.pk_.b_.data(), kp.sk_.view().data()) != 0) {
    return invalid_argument("bad_box_key", "unusable box secret key");
  }
  return kp;
}

// ---- DealerCommitment -------------------------------------------------------------

Result<DealerCommitment> DealerCommitment::parse(ByteView bytes, const DkgParams& params) {
  const unsigned k = params.k();
  URNE_RETURN_IF_ERROR(
      check_frame(bytes, commitment_size(k), kTagDealerCommitment, params, "dealer commitment"));
  std::size_t off = 1 + kIdSize;
  DealerCommitment out;
  out.ceremony_id_ = params.ceremony_id();
  out.n_ = params.n();
  URNE_ASSIGN_OR_RETURN(out.dealer_, parse_index(bytes[off++], params));
  if (bytes[off++] != k) return invalid_argument("bad_threshold", "commitment count is not k");
  out.c_.reserve(k);
  for (unsigned t = 0; t < k; ++t, off += Point::kSize) {
    const ByteView enc = bytes.subspan(off, Point::kSize);
    // C_0 = a_0*G = identity would mean a_0 = 0: a dealer contributing
    // nothing to the key. Honest dealers never do (probability 2^-252).
    URNE_ASSIGN_OR_RETURN(Point c, t == 0 ? Point::parse_non_identity(enc) : Point::parse(enc));
    out.c_.push_back(c);
  }
  URNE_ASSIGN_OR_RETURN(out.pok_c_, Scalar::parse(bytes.subspan(off, Scalar::kSize)));
  off += Scalar::kSize;
  URNE_ASSIGN_OR_RETURN(out.pok_z_, Scalar::parse(bytes.subspan(off, Scalar::kSize)));
  // The proof of knowledge of a_{i,0} stops a rogue-key attack: without it,
  // the last dealer could publish C_0 = T - sum(others' C_0) for a point T
  // whose logarithm it knows, and so own the whole election key alone.
  if (!pok_valid(params, out.dealer_, out.c_, out.pok_c_, out.pok_z_)) {
    return unauthenticated("bad_proof", "proof of knowledge of the dealer's secret fails");
  }
  return out;
}

Bytes DealerCommitment::encode() const {
  Bytes out;
  out.reserve(commitment_size(static_cast<unsigned>(c_.size())));
  append_u8(out, kTagDealerCommitment);
  append(out, ceremony_id_);
  append_u8(out, static_cast<std::uint8_t>(dealer_));
  append_u8(out, static_cast<std::uint8_t>(c_.size()));
  for (const Point& c : c_) append(out, c.bytes());
  append(out, pok_c_.bytes());
  append(out, pok_z_.bytes());
  return out;
}

Point DealerCommitment::evaluate(TrusteeIndex j) const { return horner<Point>(c_, j, &mul_point); }

// ---- EncryptedShare ----------------------------------------------------------------

Result<EncryptedShare> EncryptedShare::parse(ByteView bytes, const DkgParams& params) {
  URNE_RETURN_IF_ERROR(check_frame(bytes, kSize, kTagEncryptedShare, params, "encrypted share"));
  EncryptedShare out;
  out.ceremony_id_ = params.ceremony_id();
  std::size_t off = 1 + kIdSize;
  URNE_ASSIGN_OR_RETURN(out.dealer_, parse_index(bytes[off++], params));
  URNE_ASSIGN_OR_RETURN(out.recipient_, parse_index(bytes[off++], params));
  if (out.dealer_ == out.recipient_) {
    return invalid_argument("bad_index", "a dealer sends no share to itself");
  }
  std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(off), out.nonce_.size(),
              out.nonce_.begin());
  off += out.nonce_.size();
  std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(off), out.box_.size(), out.box_.begin());
  return out;
}

Bytes EncryptedShare::encode() const {
  Bytes out;
  out.reserve(kSize);
  append_u8(out, kTagEncryptedShare);
  append(out, ceremony_id_);
  append_u8(out, static_cast<std::uint8_t>(dealer_));
  append_u8(out, static_cast<std::uint8_t>(recipient_));
  append(out, nonce_);
  append(out, box_);
  return out;
}

// ---- Complaint ------------------------------------------------------------------------

Complaint Complaint::make(const DkgParams& params, TrusteeIndex dealer, TrusteeIndex complainer) {
  if (!params.is_trustee(dealer) || !params.is_trustee(complainer) || dealer == complainer) {
    std::abort();  // contract
  }
  Complaint c;
  c.ceremony_id_ = params.ceremony_id();
  c.dealer_ = dealer;
  c.complainer_ = complainer;
  return c;
}

Result<Complaint> Complaint::parse(ByteView bytes, const DkgParams& params) {
  URNE_RETURN_IF_ERROR(check_frame(bytes, kSize, kTagComplaint, params, "complaint"));
  URNE_ASSIGN_OR_RETURN(TrusteeIndex dealer, parse_index(bytes[1 + kIdSize], params));
  URNE_ASSIGN_OR_RETURN(TrusteeIndex complainer, parse_index(bytes[2 + kIdSize], params));
  if (dealer == complainer)
    return invalid_argument("bad_index", "a dealer cannot complain about itself");
  return make(params, dealer, complainer);
}

Bytes Complaint::encode() const {
  Bytes out;
  out.reserve(kSize);
  append_u8(out, kTagComplaint);
  append(out, ceremony_id_);
  append_u8(out, static_cast<std::uint8_t>(dealer_));
  append_u8(out, static_cast<std::uint8_t>(complainer_));
  return out;
}

// ---- RevealedShare ------------------------------------------------------------------

Result<RevealedShare> RevealedShare::parse(ByteView bytes, const DkgParams& params) {
  URNE_RETURN_IF_ERROR(check_frame(bytes, kSize, kTagRevealedShare, params, "revealed share"));
  RevealedShare out;
  out.ceremony_id_ = params.ceremony_id();
  URNE_ASSIGN_OR_RETURN(out.dealer_, parse_index(bytes[1 + kIdSize], params));
  URNE_ASSIGN_OR_RETURN(out.recipient_, parse_index(bytes[2 + kIdSize], params));
  if (out.dealer_ == out.recipient_) {
    return invalid_argument("bad_index", "a dealer reveals no share to itself");
  }
  URNE_ASSIGN_OR_RETURN(out.s_, Scalar::parse(bytes.subspan(3 + kIdSize, Scalar::kSize)));
  return out;
}

Bytes RevealedShare::encode() const {
  Bytes out;
  out.reserve(kSize);
  append_u8(out, kTagRevealedShare);
  append(out, ceremony_id_);
  append_u8(out, static_cast<std::uint8_t>(dealer_));
  append_u8(out, static_cast<std::uint8_t>(recipient_));
  append(out, s_.bytes());
  return out;
}

bool RevealedShare::matches(const DealerCommitment& commitment) const {
  return commitment.ceremony_id() == ceremony_id_ && commitment.dealer() == dealer_ &&
         Point::base_mul(s_) == commitment.evaluate(recipient_);
}

// ---- DealtShare -----------------------------------------------------------------------

Result<DealtShare> DealtShare::from_revealed(const DealerCommitment& commitment,
                                             const RevealedShare& revealed) {
  if (!revealed.matches(commitment)) {
    return invalid_argument("share_mismatch", "revealed share does not match the commitments");
  }
  return DealtShare(revealed.dealer(), revealed.recipient(), revealed.share());
}

// ---- Dealer -----------------------------------------------------------------------------

Result<Dealer> Dealer::generate(const DkgParams& params, TrusteeIndex self, Rng& rng) {
  if (!params.is_trustee(self)) std::abort();  // contract
  Dealer d(params);
  d.self_ = self;
  d.a_.reserve(params.k());  // no reallocation: no unwiped copies left behind
  d.a_.push_back(Scalar::random_nonzero(rng));
  for (unsigned t = 1; t < params.k(); ++t) d.a_.push_back(Scalar::random(rng));
  URNE_ASSIGN_OR_RETURN(d.commitment_, DkgInternal::commit(params, self, d.a_));
  return d;
}

Result<Dealer> Dealer::load(const DkgParams& params, ByteView secret) {
  const unsigned k = params.k();
  URNE_RETURN_IF_ERROR(
      check_frame(secret, dealer_secret_size(k), kTagDealerSecret, params, "dealer secret"));
  std::size_t off = 1 + kIdSize;
  Dealer d(params);
  URNE_ASSIGN_OR_RETURN(d.self_, parse_index(secret[off++], params));
  if (secret[off++] != params.n() || secret[off++] != k) {
    return invalid_argument("bad_dkg_params", "dealer secret is for other n or k");
  }
  d.a_.reserve(k);
  for (unsigned t = 0; t < k; ++t, off += Scalar::kSize) {
    URNE_ASSIGN_OR_RETURN(Scalar a, Scalar::parse(secret.subspan(off, Scalar::kSize)));
    d.a_.push_back(a);
  }
  if (d.a_[0].is_zero()) return invalid_argument("zero_secret", "a_0 must not be zero");
  URNE_ASSIGN_OR_RETURN(d.commitment_, DkgInternal::commit(params, d.self_, d.a_));
  return d;
}

SecretBytes Dealer::export_secret() const {
  return SecretBytes::build(dealer_secret_size(params_.k()), [&](std::span<std::uint8_t> out) {
    std::size_t off = 0;
    out[off++] = kTagDealerSecret;
    std::copy(params_.ceremony_id().begin(), params_.ceremony_id().end(), out.begin() + 1);
    off += kIdSize;
    out[off++] = static_cast<std::uint8_t>(self_);
    out[off++] = static_cast<std::uint8_t>(params_.n());
    out[off++] = static_cast<std::uint8_t>(params_.k());
    for (const Scalar& a : a_) {
      std::copy(a.bytes().begin(), a.bytes().end(), out.begin() + static_cast<std::ptrdiff_t>(off));
      off += Scalar::kSize;
    }
  });
}

Scalar Dealer::evaluate(TrusteeIndex j) const { return horner<Scalar>(a_, j, &mul_scalar); }

Result<EncryptedShare> Dealer::encrypt_share(TrusteeIndex recipient, const BoxKeyPair& mine,
                                             const BoxPublicKey& theirs, Rng& rng) const {
  if (!params_.is_trustee(recipient) || recipient == self_) std::abort();  // contract

  EncryptedShare out;
  out.ceremony_id_ = params_.ceremony_id();
  out.dealer_ = self_;
  out.recipient_ = recipient;
  rng.fill(out.nonce_);  // fresh and random: 192 bits, no collision in practice

  // The box key is X25519(dealer, recipient), the same in both directions,
  // so a box from j to i would also open as a box "from i to j". Binding the
  // ceremony id, dealer and recipient inside the authenticated plaintext
  // stops such reflection and any replay into another ceremony.
  FixedBytes<kSharePlainSize> plain{};
  std::copy(params_.ceremony_id().begin(), params_.ceremony_id().end(), plain.begin());
  plain[kIdSize] = static_cast<std::uint8_t>(self_);
  plain[kIdSize + 1] = static_cast<std::uint8_t>(recipient);
  {
    const Scalar s = evaluate(recipient);
    std::copy(s.bytes().begin(), s.bytes().end(), plain.begin() + kIdSize + 2);
  }
  const int rc = crypto_box_easy(out.box_.data(), plain.data(), plain.size(), out.nonce_.data(),
                                 theirs.bytes().data(), mine.sk_.view().data());
  if (rc != 0) {
    sodium_memzero(plain.data(), plain.size());
    return invalid_argument("bad_box_key", "crypto_box refused the recipient's key");
  }
  // Self-check: the shared key is symmetric, so the dealer can reopen its box.
  FixedBytes<kSharePlainSize> check{};
  const int rc2 =
      crypto_box_open_easy(check.data(), out.box_.data(), out.box_.size(), out.nonce_.data(),
                           theirs.bytes().data(), mine.sk_.view().data());
  const bool same = rc2 == 0 && sodium_memcmp(check.data(), plain.data(), plain.size()) == 0;
  sodium_memzero(plain.data(), plain.size());
  sodium_memzero(check.data(), check.size());
  if (!same) return internal_error("self_check_failed", "encrypted share does not reopen");
  return out;
}

DealtShare Dealer::own_share() const { return DealtShare(self_, self_, evaluate(self_)); }

Result<RevealedShare> Dealer::answer(const Complaint& complaint) const {
  if (complaint.ceremony_id() != params_.ceremony_id()) return wrong_ceremony();
  if (complaint.dealer() != self_) {
    return invalid_argument("not_my_complaint", "the complaint is about another dealer");
  }
  RevealedShare out;
  out.ceremony_id_ = params_.ceremony_id();
  out.dealer_ = self_;
  out.recipient_ = complaint.complainer();
  out.s_ = evaluate(complaint.complainer());
  if (!out.matches(commitment_)) {
    return internal_error("self_check_failed", "revealed share does not match own commitments");
  }
  return out;
}

// ---- receiving ------------------------------------------------------------------------

ReceivedShare receive_share(const DkgParams& params, const DealerCommitment& commitment,
                            ByteView encrypted, TrusteeIndex self, const BoxKeyPair& mine,
                            const BoxPublicKey& dealer_box_key) {
  const TrusteeIndex dealer = commitment.dealer();
  if (!params.is_trustee(self) || !params.is_trustee(dealer) || self == dealer) std::abort();
  const auto complain = [&](Status why) {
    return DkgInternal::complain(params, dealer, self, std::move(why));
  };
  if (commitment.ceremony_id() != params.ceremony_id()) return complain(wrong_ceremony());
  if (encrypted.empty()) {
    return complain(invalid_argument("missing_share", "no share arrived from the dealer"));
  }
  auto parsed = EncryptedShare::parse(encrypted, params);
  if (!parsed.ok()) return complain(parsed.status());
  const EncryptedShare& es = *parsed;
  if (es.dealer() != dealer) {
    return complain(invalid_argument("wrong_dealer", "share is from another dealer"));
  }
  if (es.recipient() != self) {
    return complain(invalid_argument("wrong_recipient", "share is for another trustee"));
  }

  FixedBytes<kSharePlainSize> plain{};
  if (crypto_box_open_easy(plain.data(), DkgInternal::box(es).data(), kShareBoxSize,
                           DkgInternal::nonce(es).data(), dealer_box_key.bytes().data(),
                           DkgInternal::box_secret(mine).view().data()) != 0) {
    sodium_memzero(plain.data(), plain.size());
    return complain(unauthenticated("share_decryption_failed",
                                    "the share does not open with the dealer's key"));
  }
  const bool context_ok =
      std::equal(params.ceremony_id().begin(), params.ceremony_id().end(), plain.begin()) &&
      plain[kIdSize] == dealer && plain[kIdSize + 1] == self;
  auto s = Scalar::parse(ByteView(plain).subspan(kIdSize + 2, Scalar::kSize));
  sodium_memzero(plain.data(), plain.size());
  if (!context_ok) {
    return complain(invalid_argument("share_context_mismatch",
                                     "the share was boxed for another ceremony or pair"));
  }
  if (!s.ok()) return complain(s.status());
  // Feldman check: s*G == sum_t C_{i,t} j^t.
  if (!(Point::base_mul(*s) == commitment.evaluate(self))) {
    return complain(invalid_argument("share_mismatch", "the share does not match the commitments"));
  }
  return ReceivedShare{DkgInternal::dealt(dealer, self, *s), std::nullopt, Status::ok()};
}

// ---- ElectionKey --------------------------------------------------------------------------

Result<ElectionKey> ElectionKey::derive(const DkgParams& params,
                                        std::span<const DealerCommitment> qual_commitments) {
  ElectionKey key(params);
  key.commitments_.assign(qual_commitments.begin(), qual_commitments.end());
  for (const DealerCommitment& c : key.commitments_) {
    if (c.ceremony_id() != params.ceremony_id()) return wrong_ceremony();
    // A commitment parsed under other params with the same id: refuse. Its
    // proof of knowledge hashed n, so it is only valid for the n it was
    // checked under.
    if (!params.is_trustee(c.dealer()) || c.coefficients().size() != params.k() ||
        c.n() != params.n()) {
      return invalid_argument("bad_dkg_params", "commitment does not fit the ceremony's n and k");
    }
  }
  std::sort(
      key.commitments_.begin(), key.commitments_.end(),
      [](const DealerCommitment& a, const DealerCommitment& b) { return a.dealer() < b.dealer(); });
  for (std::size_t i = 0; i < key.commitments_.size(); ++i) {
    if (i > 0 && key.commitments_[i].dealer() == key.commitments_[i - 1].dealer()) {
      return invalid_argument("duplicate_dealer", "two commitments from one dealer");
    }
    key.qual_.push_back(key.commitments_[i].dealer());
  }
  // With at most k-1 dishonest trustees, k qualified dealers include an
  // honest one, whose uniformly random a_0 hides the key from the others.
  if (key.qual_.size() < params.k()) {
    return failed_precondition("too_few_qualified", "fewer than k dealers qualified");
  }

  // The joint polynomial's commitments A_t = sum_i C_{i,t}; then Y = A_0 and
  // X_j = sum_t A_t j^t (n*(k-1) multiplications instead of n*|QUAL|*k).
  std::vector<Point> agg(params.k());
  for (const DealerCommitment& c : key.commitments_) {
    for (unsigned t = 0; t < params.k(); ++t) agg[t] += c.coefficients()[t];
  }
  key.y_ = agg[0];
  if (key.y_.is_identity()) {
    return invalid_argument("identity_election_key", "the election key is the identity");
  }
  key.x_.reserve(params.n());
  for (TrusteeIndex j = 1; j <= params.n(); ++j)
    key.x_.push_back(horner<Point>(agg, j, &mul_point));
  return key;
}

const Point& ElectionKey::public_share(TrusteeIndex j) const {
  if (!params_.is_trustee(j)) std::abort();  // contract
  return x_[j - 1];
}

Status verify_election_key(const DkgParams& params,
                           std::span<const DealerCommitment> qual_commitments,
                           const Point& claimed_election_key,
                           std::span<const Point> claimed_public_shares) {
  URNE_ASSIGN_OR_RETURN(const ElectionKey key, ElectionKey::derive(params, qual_commitments));
  if (!(key.election_key() == claimed_election_key)) {
    return invalid_argument("election_key_mismatch",
                            "the election key does not follow from the commitments");
  }
  if (claimed_public_shares.size() != params.n()) {
    return invalid_argument("bad_share_count", "need one public share per trustee");
  }
  for (TrusteeIndex j = 1; j <= params.n(); ++j) {
    if (!(key.public_share(j) == claimed_public_shares[j - 1])) {
      return invalid_argument(
          "public_share_mismatch",
          "public share of trustee " + std::to_string(j) + " does not follow from the commitments");
    }
  }
  return Status::ok();
}

// ---- resolve_ceremony -----------------------------------------------------------------------

Result<CeremonyOutcome> resolve_ceremony(const DkgParams& params,
                                         std::span<const DealerCommitment> commitments,
                                         std::span<const Complaint> complaints,
                                         std::span<const RevealedShare> answers) {
  constexpr std::size_t kSlots = kMaxTrustees + 1;
  std::array<const DealerCommitment*, kSlots> by_dealer{};
  for (const DealerCommitment& c : commitments) {
    if (c.ceremony_id() != params.ceremony_id() || !params.is_trustee(c.dealer())) {
      return wrong_ceremony();
    }
    if (by_dealer[c.dealer()] != nullptr) {
      return invalid_argument("duplicate_commitment", "two commitments from one dealer");
    }
    by_dealer[c.dealer()] = &c;
  }
  // complained[i][j]: j complained about i; answer[i][j]: i's revealed share.
  std::array<std::array<bool, kSlots>, kSlots> complained{};
  std::array<std::array<const RevealedShare*, kSlots>, kSlots> answer{};
  for (const Complaint& c : complaints) {
    if (c.ceremony_id() != params.ceremony_id() || !params.is_trustee(c.dealer()) ||
        !params.is_trustee(c.complainer())) {
      return wrong_ceremony();
    }
    if (complained[c.dealer()][c.complainer()]) {
      return invalid_argument("duplicate_complaint", "the same complaint twice");
    }
    complained[c.dealer()][c.complainer()] = true;
  }
  for (const RevealedShare& a : answers) {
    if (a.ceremony_id() != params.ceremony_id() || !params.is_trustee(a.dealer()) ||
        !params.is_trustee(a.recipient())) {
      return wrong_ceremony();
    }
    if (!complained[a.dealer()][a.recipient()]) {
      return invalid_argument("unsolicited_answer", "a revealed share without a complaint");
    }
    if (answer[a.dealer()][a.recipient()] != nullptr) {
      return invalid_argument("duplicate_answer", "two answers to one complaint");
    }
    answer[a.dealer()][a.recipient()] = &a;
  }

  std::vector<TrusteeIndex> disqualified;
  std::vector<DealerCommitment> qual;
  for (TrusteeIndex i = 1; i <= params.n(); ++i) {
    bool guilty = by_dealer[i] == nullptr;  // no commitment, no contribution
    for (TrusteeIndex j = 1; j <= params.n() && !guilty; ++j) {
      // A complaint is overruled only by a revealed share that anyone can
      // check against the dealer's commitments; silence or a wrong share
      // disqualifies the dealer.
      if (complained[i][j] && (answer[i][j] == nullptr || !answer[i][j]->matches(*by_dealer[i]))) {
        guilty = true;
      }
    }
    if (guilty) {
      disqualified.push_back(i);
    } else {
      qual.push_back(*by_dealer[i]);
    }
  }
  URNE_ASSIGN_OR_RETURN(ElectionKey key, ElectionKey::derive(params, qual));
  return CeremonyOutcome{std::move(disqualified), std::move(key)};
}

// ---- SecretShare ------------------------------------------------------------------------------

Result<SecretShare> SecretShare::assemble(const ElectionKey& key, TrusteeIndex self,
                                          std::span<const DealtShare> shares) {
  const DkgParams& params = key.params();
  if (!params.is_trustee(self)) return invalid_argument("bad_index", "not a trustee of this key");
  std::array<bool, kMaxTrustees + 1> in_qual{};
  for (TrusteeIndex i : key.qual()) in_qual[i] = true;
  std::array<bool, kMaxTrustees + 1> seen{};
  Scalar x;
  for (const DealtShare& s : shares) {
    if (s.recipient() != self) {
      return invalid_argument("wrong_recipient", "a share dealt to another trustee");
    }
    if (!params.is_trustee(s.dealer()) || !in_qual[s.dealer()]) continue;  // disqualified dealer
    if (seen[s.dealer()]) return invalid_argument("duplicate_dealer", "two shares from one dealer");
    seen[s.dealer()] = true;
    x += s.s_;
  }
  for (TrusteeIndex i : key.qual()) {
    if (!seen[i])
      return invalid_argument("missing_share",
                              "no share from qualified dealer " + std::to_string(i));
  }
  // Self-check: the secret share must match the public share everyone sees.
  if (!(Point::base_mul(x) == key.public_share(self))) {
    return invalid_argument("share_mismatch", "the shares do not add up to the public share");
  }
  return SecretShare(params.ceremony_id(), self, x);
}

Result<SecretShare> SecretShare::load(const ElectionKey& key, ByteView secret) {
  const DkgParams& params = key.params();
  URNE_RETURN_IF_ERROR(check_frame(secret, 1 + kIdSize + 1 + Scalar::kSize, kTagSecretShare, params,
                                   "secret share"));
  URNE_ASSIGN_OR_RETURN(TrusteeIndex index, parse_index(secret[1 + kIdSize], params));
  URNE_ASSIGN_OR_RETURN(Scalar x, Scalar::parse(secret.subspan(2 + kIdSize, Scalar::kSize)));
  if (!(Point::base_mul(x) == key.public_share(index))) {
    return invalid_argument("share_mismatch", "the secret share does not match its public share");
  }
  return SecretShare(params.ceremony_id(), index, x);
}

SecretBytes SecretShare::export_secret() const {
  return SecretBytes::build(1 + kIdSize + 1 + Scalar::kSize, [&](std::span<std::uint8_t> out) {
    out[0] = kTagSecretShare;
    std::copy(ceremony_id_.begin(), ceremony_id_.end(), out.begin() + 1);
    out[1 + kIdSize] = static_cast<std::uint8_t>(index_);
    std::copy(x_.bytes().begin(), x_.bytes().end(), out.begin() + 2 + kIdSize);
  });
}

}  // namespace urne
