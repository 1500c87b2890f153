#include "crypto/dkg.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "crypto/dkg_fixture.hpp"

namespace urne {
namespace {

using test::Ceremony;
using test::params;
using test::rand_in;
using test::start_ceremony;

// l, little-endian: adding it to a canonical scalar gives a second,
// non-canonical byte form of the same value.
constexpr FixedBytes<32> kOrder = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                   0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

Bytes plus_order(ByteView s) {
  Bytes out(32);
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const unsigned v = s[i] + kOrder[i] + carry;
    out[i] = static_cast<std::uint8_t>(v);
    carry = v >> 8;
  }
  return out;
}

// A field element >= p: 2^255 - 19 itself, never a canonical encoding.
const Bytes kNonCanonicalPoint = [] {
  Bytes b(32, 0xff);
  b[0] = 0xed;
  b[31] = 0x7f;
  return b;
}();

Bytes replaced(Bytes b, std::size_t off, ByteView with) {
  std::copy(with.begin(), with.end(), b.begin() + static_cast<std::ptrdiff_t>(off));
  return b;
}
Bytes with_byte(Bytes b, std::size_t off, std::uint8_t v) {
  b[off] = v;
  return b;
}
Bytes point_bit255(Bytes b, std::size_t off) {
  b[off + 31] |= 0x80;
  return b;
}

template <class T>
std::string reason_of(const Result<T>& r) {
  return r.ok() ? std::string("ok") : r.status().reason();
}

Scalar scalar_at(ByteView b, std::size_t off) {
  auto s = Scalar::parse(b.subspan(off, 32));
  REQUIRE(s.ok());
  return *s;
}

TEST_CASE("DKG parameters accept 2 <= k <= n <= 16 and nothing else outside the test-only path") {
  const CeremonyId id = test::ceremony_id(1);
  CHECK(DkgParams::create(id, 2, 2).ok());
  CHECK(DkgParams::create(id, 16, 16).ok());
  CHECK(DkgParams::create(id, 5, 3).ok());
  for (const auto& nk : {std::pair{3U, 1U}, {1U, 1U}, {2U, 3U}, {17U, 2U}, {0U, 0U}, {16U, 17U}}) {
    const unsigned n = nk.first;
    const unsigned k = nk.second;
    CAPTURE(n);
    CAPTURE(k);
    CHECK(reason_of(DkgParams::create(id, n, k)) == "bad_dkg_params");
  }
  CHECK(DkgParams::create_test_only_allow_threshold_one(id, 3, 1).ok());
  CHECK(DkgParams::create_test_only_allow_threshold_one(id, 1, 1).ok());
  CHECK(!DkgParams::create_test_only_allow_threshold_one(id, 3, 0).ok());
  CHECK(!DkgParams::create_test_only_allow_threshold_one(id, 17, 1).ok());
}

TEST_CASE("an honest ceremony gives a key whose secret any k shares reconstruct and k-1 do not") {
  SeededRng rng(0xd1c0);
  for (int round = 0; round < 8; ++round) {
    const unsigned n = rand_in(rng, 2, 16);
    const unsigned k = rand_in(rng, 2, n);
    CAPTURE(n);
    CAPTURE(k);
    const DkgParams p = params(n, k);
    const Ceremony c = start_ceremony(p, rng);
    const test::Finished f = test::finish_honest(c);
    CHECK(f.key.qual().size() == n);
    CHECK(!f.key.election_key().is_identity());
    CHECK(
        verify_election_key(p, c.commitments, f.key.election_key(), f.key.public_shares()).is_ok());

    for (TrusteeIndex j = 1; j <= n; ++j) {
      CHECK(Point::base_mul(test::share_value(f.shares[j - 1])) == f.key.public_share(j));
    }
    const auto subset = test::random_subset(rng, n, k);
    std::vector<Scalar> ys;
    for (TrusteeIndex j : subset) ys.push_back(test::share_value(f.shares[j - 1]));
    CHECK(Point::base_mul(test::interpolate_at_zero(subset, ys)) == f.key.election_key());

    const std::vector<TrusteeIndex> fewer(subset.begin(), subset.end() - 1);
    ys.pop_back();
    CHECK(!(Point::base_mul(test::interpolate_at_zero(fewer, ys)) == f.key.election_key()));
  }
}

TEST_CASE("the key verifier rejects a tampered election key, public share or commitment set") {
  SeededRng rng(2);
  const DkgParams p = params(4, 3);
  const Ceremony c = start_ceremony(p, rng);
  const test::Finished f = test::finish_honest(c);
  const Point& y = f.key.election_key();
  const std::vector<Point>& xs = f.key.public_shares();
  REQUIRE(verify_election_key(p, c.commitments, y, xs).is_ok());

  CHECK(verify_election_key(p, c.commitments, y + Point::generator(), xs).reason() ==
        "election_key_mismatch");
  for (std::size_t j = 0; j < xs.size(); ++j) {
    std::vector<Point> bad = xs;
    bad[j] += Point::generator();
    CHECK(verify_election_key(p, c.commitments, y, bad).reason() == "public_share_mismatch");
  }
  std::vector<Point> swapped = xs;
  std::swap(swapped[0], swapped[1]);
  CHECK(verify_election_key(p, c.commitments, y, swapped).reason() == "public_share_mismatch");
  CHECK(verify_election_key(p, c.commitments, y, std::span(xs).first(3)).reason() ==
        "bad_share_count");

  // Another valid commitment in dealer 2's place (a different polynomial).
  std::vector<DealerCommitment> other = c.commitments;
  auto d2 = Dealer::generate(p, 2, rng);
  REQUIRE(d2.ok());
  other[1] = d2->commitment();
  CHECK(verify_election_key(p, other, y, xs).reason() == "election_key_mismatch");
  // A dealer left out of QUAL.
  CHECK(verify_election_key(p, std::span(c.commitments).first(3), y, xs).reason() ==
        "election_key_mismatch");
  // Fewer than k dealers, or a dealer twice.
  CHECK(verify_election_key(p, std::span(c.commitments).first(2), y, xs).reason() ==
        "too_few_qualified");
  std::vector<DealerCommitment> dup = {c.commitments[0], c.commitments[1], c.commitments[1]};
  CHECK(verify_election_key(p, dup, y, xs).reason() == "duplicate_dealer");
  // Commitments of another ceremony.
  const DkgParams q = params(4, 3, 2);
  const Ceremony c2 = start_ceremony(q, rng);
  CHECK(verify_election_key(p, c2.commitments, y, xs).reason() == "wrong_ceremony");
}

TEST_CASE("a commitment whose points or dealer index were changed fails its proof of knowledge") {
  SeededRng rng(3);
  const DkgParams p = params(3, 3);
  auto d = Dealer::generate(p, 1, rng);
  REQUIRE(d.ok());
  const Bytes good = d->commitment().encode();
  REQUIRE(good.size() == 99 + 32 * 3);
  REQUIRE(DealerCommitment::parse(good, p).ok());
  CHECK(DealerCommitment::parse(good, p)->encode() == good);

  const Point other = Point::base_mul(Scalar::random_nonzero(rng));
  for (std::size_t t = 0; t < 3; ++t) {
    CAPTURE(t);
    CHECK(reason_of(DealerCommitment::parse(replaced(good, 35 + 32 * t, other.bytes()), p)) ==
          "bad_proof");
  }
  // Rogue key: the proof cannot be claimed by another dealer index...
  CHECK(reason_of(DealerCommitment::parse(with_byte(good, 33, 2), p)) == "bad_proof");
  // ...nor moved to a ceremony with other n under the same id.
  CHECK(reason_of(DealerCommitment::parse(good, params(4, 3))) == "bad_proof");
  // The response and the challenge are checked.
  const Scalar z = scalar_at(good, 35 + 96 + 32);
  CHECK(reason_of(DealerCommitment::parse(replaced(good, 35 + 96 + 32, (z + Scalar::one()).bytes()),
                                          p)) == "bad_proof");
  const Scalar c = scalar_at(good, 35 + 96);
  CHECK(reason_of(DealerCommitment::parse(replaced(good, 35 + 96, (c + Scalar::one()).bytes()),
                                          p)) == "bad_proof");
}

TEST_CASE("the commitment parser rejects malformed and non-canonical encodings") {
  SeededRng rng(4);
  const DkgParams p = params(3, 2);
  auto d = Dealer::generate(p, 3, rng);
  REQUIRE(d.ok());
  const Bytes good = d->commitment().encode();
  REQUIRE(good.size() == 99 + 64);
  const auto why = [&](const Bytes& b) { return reason_of(DealerCommitment::parse(b, p)); };
  CHECK(why(good) == "ok");
  CHECK(why(Bytes(good.begin(), good.end() - 1)) == "bad_length");
  Bytes longer = good;
  longer.push_back(0);
  CHECK(why(longer) == "bad_length");
  CHECK(why({}) == "bad_length");
  CHECK(why(with_byte(good, 0, kTagRevealedShare)) == "bad_tag");
  CHECK(why(with_byte(good, 5, good[5] ^ 1)) == "wrong_ceremony");
  CHECK(why(with_byte(good, 33, 0)) == "bad_index");
  CHECK(why(with_byte(good, 33, 4)) == "bad_index");
  CHECK(why(with_byte(good, 34, 3)) == "bad_threshold");
  for (std::size_t off : {std::size_t{35}, std::size_t{67}}) {
    CAPTURE(off);
    CHECK(why(point_bit255(good, off)) == "bad_point");
    CHECK(why(replaced(good, off, kNonCanonicalPoint)) == "bad_point");
  }
  CHECK(why(replaced(good, 35, Bytes(32, 0))) == "identity_point");
  for (std::size_t off : {std::size_t{99}, std::size_t{131}}) {
    CAPTURE(off);
    CHECK(why(replaced(good, off, plus_order(ByteView(good).subspan(off, 32)))) == "bad_scalar");
    CHECK(why(replaced(good, off, Bytes(32, 0xff))) == "bad_scalar");
  }
}

TEST_CASE("the share, complaint and revealed-share parsers reject malformed encodings") {
  SeededRng rng(5);
  const DkgParams p = params(3, 2);
  const Ceremony c = start_ceremony(p, rng);

  const Bytes es = c.enc[0][2];  // from 1 to 3
  REQUIRE(es.size() == EncryptedShare::kSize);
  const auto es_why = [&](const Bytes& b) { return reason_of(EncryptedShare::parse(b, p)); };
  CHECK(es_why(es) == "ok");
  CHECK(EncryptedShare::parse(es, p)->encode() == es);
  CHECK(EncryptedShare::parse(es, p)->dealer() == 1);
  CHECK(EncryptedShare::parse(es, p)->recipient() == 3);
  CHECK(es_why(Bytes(es.begin(), es.end() - 1)) == "bad_length");
  CHECK(es_why(with_byte(es, 0, kTagComplaint)) == "bad_tag");
  CHECK(es_why(with_byte(es, 32, es[32] ^ 0x80)) == "wrong_ceremony");
  CHECK(es_why(with_byte(es, 33, 0)) == "bad_index");
  CHECK(es_why(with_byte(es, 34, 4)) == "bad_index");
  CHECK(es_why(with_byte(es, 34, 1)) == "bad_index");  // to itself

  const Bytes cp = Complaint::make(p, 2, 3).encode();
  REQUIRE(cp.size() == Complaint::kSize);
  const auto cp_why = [&](const Bytes& b) { return reason_of(Complaint::parse(b, p)); };
  CHECK(cp_why(cp) == "ok");
  CHECK(Complaint::parse(cp, p)->encode() == cp);
  CHECK(Complaint::parse(cp, p)->dealer() == 2);
  CHECK(Complaint::parse(cp, p)->complainer() == 3);
  CHECK(cp_why(Bytes(cp.begin(), cp.end() - 1)) == "bad_length");
  CHECK(cp_why(with_byte(cp, 0, kTagEncryptedShare)) == "bad_tag");
  CHECK(cp_why(with_byte(cp, 1, 0)) == "wrong_ceremony");
  CHECK(cp_why(with_byte(cp, 33, 0)) == "bad_index");
  CHECK(cp_why(with_byte(cp, 34, 9)) == "bad_index");
  CHECK(cp_why(with_byte(cp, 34, 2)) == "bad_index");

  auto ans = c.dealers[1].answer(Complaint::make(p, 2, 3));
  REQUIRE(ans.ok());
  const Bytes rs = ans->encode();
  REQUIRE(rs.size() == RevealedShare::kSize);
  const auto rs_why = [&](const Bytes& b) { return reason_of(RevealedShare::parse(b, p)); };
  CHECK(rs_why(rs) == "ok");
  CHECK(RevealedShare::parse(rs, p)->encode() == rs);
  CHECK(rs_why(Bytes(rs.begin(), rs.end() - 1)) == "bad_length");
  CHECK(rs_why(with_byte(rs, 0, kTagDealerCommitment)) == "bad_tag");
  CHECK(rs_why(with_byte(rs, 10, rs[10] ^ 4)) == "wrong_ceremony");
  CHECK(rs_why(with_byte(rs, 33, 0)) == "bad_index");
  CHECK(rs_why(with_byte(rs, 34, 4)) == "bad_index");
  CHECK(rs_why(with_byte(rs, 34, 2)) == "bad_index");
  CHECK(rs_why(replaced(rs, 35, plus_order(ByteView(rs).subspan(35, 32)))) == "bad_scalar");
}

TEST_CASE(
    "a share that is missing, tampered, misaddressed, reflected or from elsewhere yields a "
    "complaint") {
  SeededRng rng(6);
  const DkgParams p = params(3, 2);
  Ceremony c = start_ceremony(p, rng);
  const DealerCommitment& c1 = c.commitments[0];
  const BoxKeyPair& box2 = c.boxes[1];
  const Bytes good = c.enc[0][1];  // from 1 to 2

  const auto outcome = [&](ByteView b, const BoxPublicKey& dealer_pk) {
    ReceivedShare r = receive_share(p, c1, b, 2, box2, dealer_pk);
    if (r.share) {
      CHECK(!r.complaint.has_value());
      CHECK(r.reason.is_ok());
      CHECK(r.share->dealer() == 1);
      CHECK(r.share->recipient() == 2);
      return std::string("ok");
    }
    REQUIRE(r.complaint.has_value());
    CHECK(r.complaint->dealer() == 1);
    CHECK(r.complaint->complainer() == 2);
    CHECK(r.complaint->ceremony_id() == p.ceremony_id());
    CHECK(!r.reason.is_ok());
    return r.reason.reason();
  };
  const BoxPublicKey& pk1 = c.box_pk(1);
  CHECK(outcome(good, pk1) == "ok");
  CHECK(outcome({}, pk1) == "missing_share");
  CHECK(outcome(Bytes(good.begin(), good.end() - 1), pk1) == "bad_length");
  CHECK(outcome(with_byte(good, 100, good[100] ^ 1), pk1) == "share_decryption_failed");  // box
  CHECK(outcome(with_byte(good, 40, good[40] ^ 1), pk1) == "share_decryption_failed");    // nonce
  CHECK(outcome(good, c.box_pk(3)) == "share_decryption_failed");  // not the dealer's key
  // Trustee 3's share shown to trustee 2, as is and with the header rewritten.
  const Bytes for3 = c.enc[0][2];
  CHECK(outcome(for3, pk1) == "wrong_recipient");
  CHECK(outcome(with_byte(for3, 34, 2), pk1) == "share_decryption_failed");
  // Dealer 3's share to trustee 2, offered as dealer 1's.
  CHECK(outcome(c.enc[2][1], pk1) == "wrong_dealer");
  // Reflection: trustee 2's own box to dealer 1, relabelled "1 -> 2", opens
  // under the symmetric X25519 key but names the wrong pair inside.
  Bytes reflected = c.enc[1][0];
  reflected[33] = 1;
  reflected[34] = 2;
  CHECK(outcome(reflected, pk1) == "share_context_mismatch");
  // The same trustees' box from another ceremony, relabelled as ours.
  {
    const DkgParams q = params(3, 2, 7);
    auto other = Dealer::generate(q, 1, rng);
    REQUIRE(other.ok());
    auto e = other->encrypt_share(2, c.boxes[0], c.box_pk(2), rng);
    REQUIRE(e.ok());
    const Bytes foreign = e->encode();
    CHECK(outcome(foreign, pk1) == "wrong_ceremony");
    CHECK(outcome(replaced(foreign, 1, p.ceremony_id()), pk1) == "share_context_mismatch");
  }
  // A correctly boxed share of another polynomial: the Feldman check fails.
  {
    auto rogue = Dealer::generate(p, 1, rng);
    REQUIRE(rogue.ok());
    auto e = rogue->encrypt_share(2, c.boxes[0], c.box_pk(2), rng);
    REQUIRE(e.ok());
    CHECK(outcome(e->encode(), pk1) == "share_mismatch");
  }
}

TEST_CASE("a dealer that answers a complaint with a wrong share, or not at all, is disqualified") {
  SeededRng rng(7);
  const DkgParams p = params(4, 2);
  Ceremony c = start_ceremony(p, rng);
  // Dealer 1 sends trustee 2 a share of another polynomial.
  auto rogue = Dealer::generate(p, 1, rng);
  REQUIRE(rogue.ok());
  c.enc[0][1] = rogue->encrypt_share(2, c.boxes[0], c.box_pk(2), rng)->encode();

  std::vector<Complaint> complaints;
  std::vector<std::vector<DealtShare>> dealt;
  for (TrusteeIndex j = 1; j <= 4; ++j) dealt.push_back(test::receive_all(c, j, complaints));
  REQUIRE(complaints.size() == 1);
  CHECK(complaints[0].dealer() == 1);
  CHECK(complaints[0].complainer() == 2);
  // The complaint travels as bytes.
  auto published = Complaint::parse(complaints[0].encode(), p);
  REQUIRE(published.ok());

  // What dealer 1 would have to reveal: the share that it actually dealt
  // (of the rogue polynomial) does not match its commitments.
  auto rogue_answer = rogue->answer(*published);
  REQUIRE(rogue_answer.ok());
  auto wrong = RevealedShare::parse(rogue_answer->encode(), p);
  REQUIRE(wrong.ok());
  CHECK(!wrong->matches(c.commitments[0]));

  for (int answered = 0; answered < 2; ++answered) {
    CAPTURE(answered);
    std::vector<RevealedShare> answers;
    if (answered == 1) answers.push_back(*wrong);
    auto outcome = resolve_ceremony(p, c.commitments, std::vector<Complaint>{*published}, answers);
    REQUIRE(outcome.ok());
    CHECK(outcome->disqualified == std::vector<TrusteeIndex>{1});
    CHECK(outcome->key.qual() == std::vector<TrusteeIndex>{2, 3, 4});
    const ElectionKey& key = outcome->key;
    CHECK(key.election_key() == c.commitments[1].coefficients()[0] +
                                    c.commitments[2].coefficients()[0] +
                                    c.commitments[3].coefficients()[0]);
    CHECK(verify_election_key(p, std::span(c.commitments).subspan(1), key.election_key(),
                              key.public_shares())
              .is_ok());
    // Every trustee, dealer 1 included, still gets a working share; shares
    // from the disqualified dealer are ignored.
    std::vector<Scalar> xs;
    for (TrusteeIndex j = 1; j <= 4; ++j) {
      auto s = SecretShare::assemble(key, j, dealt[j - 1]);
      REQUIRE(s.ok());
      xs.push_back(test::share_value(*s));
    }
    CHECK(Point::base_mul(test::interpolate_at_zero({1, 4}, {xs[0], xs[3]})) == key.election_key());
    CHECK(Point::base_mul(test::interpolate_at_zero({2, 3}, {xs[1], xs[2]})) == key.election_key());
  }
  // A revealed share of another value (s + 1) is just as wrong.
  Scalar s = wrong->share() + Scalar::one();
  auto tweaked = RevealedShare::parse(replaced(wrong->encode(), 35, s.bytes()), p);
  REQUIRE(tweaked.ok());
  auto outcome = resolve_ceremony(p, c.commitments, std::vector<Complaint>{*published},
                                  std::vector<RevealedShare>{*tweaked});
  REQUIRE(outcome.ok());
  CHECK(outcome->disqualified == std::vector<TrusteeIndex>{1});
  CHECK(reason_of(DealtShare::from_revealed(c.commitments[0], *tweaked)) == "share_mismatch");
}

TEST_CASE("a complaint is overruled when the dealer reveals a share that matches its commitments") {
  SeededRng rng(8);
  const DkgParams p = params(3, 2);
  for (int mangled = 0; mangled < 2; ++mangled) {
    CAPTURE(mangled);
    Ceremony c = start_ceremony(p, rng);
    // Either the share was damaged in transit (the dealer is honest but its
    // message broke) or the complainer lies about a good share.
    if (mangled == 1) c.enc[1][2][120] ^= 0x10;  // from 2 to 3
    std::vector<Complaint> complaints;
    std::vector<std::vector<DealtShare>> dealt;
    for (TrusteeIndex j = 1; j <= 3; ++j) dealt.push_back(test::receive_all(c, j, complaints));
    if (mangled == 0) {
      REQUIRE(complaints.empty());
      complaints.push_back(Complaint::make(p, 2, 3));  // false complaint
      // The liar keeps no share from dealer 2 of its own: it will take the revealed one.
      std::erase_if(dealt[2], [](const DealtShare& s) { return s.dealer() == 2; });
    }
    REQUIRE(complaints.size() == 1);
    auto answer = c.dealers[1].answer(complaints[0]);
    REQUIRE(answer.ok());
    auto published = RevealedShare::parse(answer->encode(), p);
    REQUIRE(published.ok());
    CHECK(published->matches(c.commitments[1]));

    auto outcome =
        resolve_ceremony(p, c.commitments, complaints, std::vector<RevealedShare>{*published});
    REQUIRE(outcome.ok());
    CHECK(outcome->disqualified.empty());
    CHECK(outcome->key.qual() == std::vector<TrusteeIndex>{1, 2, 3});

    auto adopted = DealtShare::from_revealed(c.commitments[1], *published);
    REQUIRE(adopted.ok());
    dealt[2].push_back(std::move(adopted).value());
    std::vector<Scalar> xs;
    for (TrusteeIndex j = 1; j <= 3; ++j) {
      auto s = SecretShare::assemble(outcome->key, j, dealt[j - 1]);
      REQUIRE(s.ok());
      xs.push_back(test::share_value(*s));
    }
    CHECK(Point::base_mul(test::interpolate_at_zero({1, 3}, {xs[0], xs[2]})) ==
          outcome->key.election_key());
  }
}

TEST_CASE("a dealer answers only complaints about itself in its own ceremony") {
  SeededRng rng(9);
  const DkgParams p = params(3, 2);
  auto d = Dealer::generate(p, 1, rng);
  REQUIRE(d.ok());
  CHECK(reason_of(d->answer(Complaint::make(p, 2, 1))) == "not_my_complaint");
  CHECK(reason_of(d->answer(Complaint::make(params(3, 2, 9), 1, 2))) == "wrong_ceremony");
  CHECK(d->answer(Complaint::make(p, 1, 3)).ok());
}

TEST_CASE(
    "resolving a ceremony refuses duplicates and unsolicited answers and disqualifies a silent "
    "dealer") {
  SeededRng rng(10);
  const DkgParams p = params(3, 2);
  const Ceremony c = start_ceremony(p, rng);
  const std::vector<DealerCommitment> two = {c.commitments[2], c.commitments[0]};
  auto silent = resolve_ceremony(p, two, {}, {});
  REQUIRE(silent.ok());
  CHECK(silent->disqualified == std::vector<TrusteeIndex>{2});
  CHECK(silent->key.qual() == std::vector<TrusteeIndex>{1, 3});
  // A complaint about the silent dealer changes nothing.
  auto also = resolve_ceremony(p, two, std::vector<Complaint>{Complaint::make(p, 2, 1)}, {});
  REQUIRE(also.ok());
  CHECK(also->disqualified == std::vector<TrusteeIndex>{2});

  const std::vector<DealerCommitment> dup = {c.commitments[0], c.commitments[1], c.commitments[0]};
  CHECK(reason_of(resolve_ceremony(p, dup, {}, {})) == "duplicate_commitment");
  const Complaint k12 = Complaint::make(p, 1, 2);
  CHECK(reason_of(resolve_ceremony(p, c.commitments, std::vector<Complaint>{k12, k12}, {})) ==
        "duplicate_complaint");
  auto a12 = c.dealers[0].answer(k12);
  REQUIRE(a12.ok());
  CHECK(reason_of(resolve_ceremony(p, c.commitments, {}, std::vector<RevealedShare>{*a12})) ==
        "unsolicited_answer");
  CHECK(reason_of(resolve_ceremony(p, c.commitments, std::vector<Complaint>{k12},
                                   std::vector<RevealedShare>{*a12, *a12})) == "duplicate_answer");
  CHECK(reason_of(resolve_ceremony(p, c.commitments,
                                   std::vector<Complaint>{Complaint::make(params(3, 2, 4), 1, 2)},
                                   {})) == "wrong_ceremony");

  // With k = 3, losing one dealer leaves too few.
  const DkgParams p3 = params(3, 3);
  const Ceremony c3 = start_ceremony(p3, rng);
  CHECK(reason_of(resolve_ceremony(p3, std::span(c3.commitments).first(2), {}, {})) ==
        "too_few_qualified");
  CHECK(reason_of(resolve_ceremony(p3, c3.commitments,
                                   std::vector<Complaint>{Complaint::make(p3, 3, 1)}, {})) ==
        "too_few_qualified");
}

TEST_CASE("an election key equal to the identity is refused") {
  SeededRng rng(11);
  const DkgParams p = params(2, 2);
  auto d1 = Dealer::generate(p, 1, rng);
  REQUIRE(d1.ok());
  const SecretBytes e1 = d1->export_secret();
  REQUIRE(e1.size() == 36 + 64);
  // Dealer 2 with a_0 = -a_{1,0}, built through the export layout.
  Bytes e2(e1.view().begin(), e1.view().end());
  e2[33] = 2;
  e2 = replaced(e2, 36, (-scalar_at(e1.view(), 36)).bytes());
  auto d2 = Dealer::load(p, e2);
  REQUIRE(d2.ok());
  const std::vector<DealerCommitment> cs = {d1->commitment(), d2->commitment()};
  CHECK(reason_of(ElectionKey::derive(p, cs)) == "identity_election_key");
  CHECK(reason_of(resolve_ceremony(p, cs, {}, {})) == "identity_election_key");
  CHECK(verify_election_key(p, cs, Point::identity(), std::vector<Point>(2)).reason() ==
        "identity_election_key");
}

TEST_CASE("a dealer reloaded from its exported secret publishes byte-identical messages") {
  SeededRng rng(12);
  const DkgParams p = params(5, 3);
  auto d = Dealer::generate(p, 4, rng);
  REQUIRE(d.ok());
  const SecretBytes e = d->export_secret();
  REQUIRE(e.size() == 36 + 96);
  auto again = Dealer::load(p, e.view());
  REQUIRE(again.ok());
  CHECK(again->index() == 4);
  CHECK(again->commitment().encode() == d->commitment().encode());
  const Complaint k = Complaint::make(p, 4, 2);
  CHECK(again->answer(k)->encode() == d->answer(k)->encode());

  const Bytes b(e.view().begin(), e.view().end());
  const auto why = [&](const Bytes& x) { return reason_of(Dealer::load(p, x)); };
  CHECK(why(Bytes(b.begin(), b.end() - 1)) == "bad_length");
  CHECK(why(with_byte(b, 0, kTagSecretShare)) == "bad_tag");
  CHECK(why(with_byte(b, 2, b[2] ^ 1)) == "wrong_ceremony");
  CHECK(why(with_byte(b, 33, 0)) == "bad_index");
  CHECK(why(with_byte(b, 33, 6)) == "bad_index");
  CHECK(why(with_byte(b, 34, 4)) == "bad_dkg_params");
  CHECK(why(with_byte(b, 35, 2)) == "bad_dkg_params");
  CHECK(why(replaced(b, 68, plus_order(ByteView(b).subspan(68, 32)))) == "bad_scalar");
  CHECK(why(replaced(b, 36, Bytes(32, 0))) == "zero_secret");
}

TEST_CASE(
    "a secret share survives export and load, and a share of another trustee or key is refused") {
  SeededRng rng(13);
  const DkgParams p = params(3, 2);
  const Ceremony c = start_ceremony(p, rng);
  const test::Finished f = test::finish_honest(c);
  const SecretBytes e = f.shares[0].export_secret();
  REQUIRE(e.size() == 66);
  auto back = SecretShare::load(f.key, e.view());
  REQUIRE(back.ok());
  CHECK(back->index() == 1);
  CHECK(back->ceremony_id() == p.ceremony_id());
  CHECK(test::share_value(*back) == test::share_value(f.shares[0]));

  const Bytes b(e.view().begin(), e.view().end());
  const auto why = [&](const Bytes& x) { return reason_of(SecretShare::load(f.key, x)); };
  CHECK(why(with_byte(b, 33, 2)) == "share_mismatch");
  CHECK(why(with_byte(b, 33, 0)) == "bad_index");
  CHECK(why(with_byte(b, 33, 4)) == "bad_index");
  CHECK(why(Bytes(b.begin(), b.end() - 1)) == "bad_length");
  CHECK(why(with_byte(b, 0, kTagDealerSecret)) == "bad_tag");
  CHECK(why(replaced(b, 34, plus_order(ByteView(b).subspan(34, 32)))) == "bad_scalar");
  CHECK(why(with_byte(b, 34, b[34] ^ 1)) == "share_mismatch");

  // Another ceremony's key.
  const Ceremony c2 = start_ceremony(params(3, 2, 5), rng);
  const test::Finished f2 = test::finish_honest(c2);
  CHECK(reason_of(SecretShare::load(f2.key, e.view())) == "wrong_ceremony");

  // assemble(): the dealt shares must be ours, one per qualified dealer, and
  // add up to the public share.
  std::vector<Complaint> none;
  const std::vector<DealtShare> mine = test::receive_all(c, 1, none);
  CHECK(SecretShare::assemble(f.key, 1, mine).ok());
  CHECK(reason_of(SecretShare::assemble(f.key, 2, mine)) == "wrong_recipient");
  CHECK(reason_of(SecretShare::assemble(f.key, 1, std::span(mine).first(2))) == "missing_share");
  std::vector<DealtShare> twice = test::receive_all(c, 1, none);
  twice.push_back(c.dealers[0].own_share());
  CHECK(reason_of(SecretShare::assemble(f.key, 1, twice)) == "duplicate_dealer");
  // Same indices and ceremony id, other polynomials.
  const Ceremony c3 = start_ceremony(p, rng);
  CHECK(reason_of(SecretShare::assemble(f.key, 1, test::receive_all(c3, 1, none))) ==
        "share_mismatch");
  CHECK(none.empty());
  CHECK(reason_of(SecretShare::assemble(f.key, 0, mine)) == "bad_index");
}

TEST_CASE("box key pairs reload from their secret, and unusable box keys are refused") {
  SeededRng rng(14);
  const BoxKeyPair kp = BoxKeyPair::generate(rng);
  const SecretBytes sk = kp.export_secret();
  auto back = BoxKeyPair::load(sk.view());
  REQUIRE(back.ok());
  CHECK(back->public_key() == kp.public_key());
  CHECK(reason_of(BoxKeyPair::load(sk.view().first(31))) == "bad_box_key");

  auto pk = BoxPublicKey::parse(kp.public_key().bytes());
  REQUIRE(pk.ok());
  CHECK(*pk == kp.public_key());
  CHECK(reason_of(BoxPublicKey::parse(Bytes(32, 0))) == "bad_box_key");
  CHECK(reason_of(BoxPublicKey::parse(Bytes(33, 1))) == "bad_box_key");

  // A low-order X25519 point (u = 1): crypto_box refuses it, and so do we.
  Bytes low(32, 0);
  low[0] = 1;
  auto bad = BoxPublicKey::parse(low);
  REQUIRE(bad.ok());
  const DkgParams p = params(2, 2);
  auto d = Dealer::generate(p, 1, rng);
  REQUIRE(d.ok());
  CHECK(reason_of(d->encrypt_share(2, kp, *bad, rng)) == "bad_box_key");
}

TEST_CASE("commitments made for another number of trustees do not derive a key") {
  // Same ceremony id and k, but the proofs of knowledge hashed n = 3.
  SeededRng rng(12);
  const DkgParams p3 = params(3, 2);
  const DkgParams p2 = params(2, 2);
  auto d1 = Dealer::generate(p3, 1, rng);
  auto d2 = Dealer::generate(p3, 2, rng);
  REQUIRE(d1.ok());
  REQUIRE(d2.ok());
  const std::vector<DealerCommitment> cs = {d1->commitment(), d2->commitment()};
  CHECK(reason_of(ElectionKey::derive(p2, cs)) == "bad_dkg_params");
  // Parsed under n = 2 their proofs fail outright.
  CHECK(reason_of(DealerCommitment::parse(d1->commitment().encode(), p2)) == "bad_proof");
}

}  // namespace
}  // namespace urne
