#include "crypto/proofs.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "crypto/hash.hpp"

namespace urne {
namespace {

// ---- helpers -----------------------------------------------------------------

ElGamalPublicKey key_from_seed(std::string_view seed) {
  const FixedBytes<64> wide = sha512(as_bytes(seed));
  Result<ElGamalPublicKey> pk =
      ElGamalPublicKey::from_point(Point::base_mul(Scalar::from_wide(wide)));
  REQUIRE(pk.ok());
  return *pk;
}

BallotContext make_context(const BallotLayout& layout, std::string_view election = "election-1",
                           std::string_view token = "token-1", std::string_view key = "key-1") {
  const ByteView token_view = as_bytes(token);
  const Bytes token_bytes(token_view.begin(), token_view.end());
  return BallotContext{sha256(as_bytes(election)), token_bytes, key_from_seed(key), layout};
}

const BallotLayout kSmall{3, false, 2};    // 3 candidates + abstain, max 2
const BallotLayout kCouncil{12, true, 7};  // 12 candidates + abstain + invalid, max 7

std::uint32_t pick(Rng& rng, std::uint32_t n) {
  FixedBytes<4> b{};
  rng.fill(b);
  const std::uint32_t v = std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 |
                          std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
  return v % n;
}

// A random valid ballot: 1..max distinct marks, or an abstention, or invalid.
std::vector<std::uint8_t> random_values(const BallotLayout& layout, Rng& rng) {
  std::vector<std::uint8_t> v(layout.slot_count(), 0);
  const std::uint32_t kind = pick(rng, 6);
  if (kind == 0) {
    v[layout.abstain_slot()] = 1;
  } else if (kind == 1 && layout.has_invalid) {
    v[layout.abstain_slot() + 1] = 1;
  } else {
    const std::uint32_t limit = std::min(layout.max_marks, layout.candidates);
    const std::uint32_t marks = 1 + pick(rng, limit);
    for (std::uint32_t m = 0; m < marks;) {
      const std::uint32_t c = pick(rng, layout.candidates);
      if (v[c] == 0) {
        v[c] = 1;
        ++m;
      }
    }
  }
  return v;
}

BallotEncryption must_encrypt(const BallotContext& ctx, const std::vector<std::uint8_t>& values,
                              Rng& rng) {
  Result<BallotEncryption> e = encrypt_ballot(ctx, values, rng);
  REQUIRE(e.ok());
  return std::move(e).value();
}

BallotStatement must_statement(const BallotContext& ctx, const std::vector<Ciphertext>& cts) {
  Result<BallotStatement> st = BallotStatement::make(ctx, cts);
  REQUIRE(st.ok());
  return std::move(st).value();
}

// A cheating prover: runs the honest algorithm (proofs.hpp) but takes the
// branch for `claim` as the real one, whatever ct really encrypts. Its proof
// verifies only if ct = (r*G, claim*G + r*P).
// With zero_simulated, every simulated branch gets the challenge 0 (legal:
// nothing stops a prover from choosing it).
RangeProof cheat(const BallotStatement& st, std::uint64_t slot, const Ciphertext& ct,
                 const Scalar& r, std::uint64_t claim, std::uint64_t lo, std::uint64_t hi, Rng& rng,
                 bool zero_simulated = false) {
  const Point& p = st.public_key().point();
  Transcript t = st.proof_transcript(slot, lo, hi, ct);
  std::vector<RangeProof::Branch> br(hi - lo + 1);
  Scalar w;
  Scalar simulated;
  for (std::uint64_t v = lo; v <= hi; ++v) {
    RangeProof::Branch& b = br[v - lo];
    if (v == claim) {
      w = Scalar::random(rng);
      t.append_point("a", Point::base_mul(w));
      t.append_point("b", p.mul(w));
    } else {
      b.challenge = zero_simulated ? Scalar::zero() : Scalar::random(rng);
      b.response = Scalar::random(rng);
      simulated += b.challenge;
      t.append_point("a", Point::base_mul(b.response) - ct.a().mul(b.challenge));
      t.append_point("b", p.mul(b.response) -
                              (ct.b() - Point::base_mul(Scalar::from_u64(v))).mul(b.challenge));
    }
  }
  RangeProof::Branch& real = br[claim - lo];
  real.challenge = t.challenge() - simulated;
  real.response = w + real.challenge * r;
  return RangeProof(std::move(br));
}

// The forgery a verifier without the sum check accepts: every branch
// simulated, so every branch's equations hold, for any ciphertext.
RangeProof simulate_all(std::uint64_t lo, std::uint64_t hi, Rng& rng) {
  std::vector<RangeProof::Branch> br(hi - lo + 1);
  for (RangeProof::Branch& b : br) {
    b.challenge = Scalar::random(rng);
    b.response = Scalar::random(rng);
  }
  return RangeProof(std::move(br));
}

Scalar combined_randomness(const BallotLayout& layout, const std::vector<Randomness>& rs) {
  Scalar marks, special;
  for (std::size_t j = 0; j < rs.size(); ++j) {
    (j < layout.candidates ? marks : special) += rs[j].scalar();
  }
  return marks + special * Scalar::from_u64(layout.max_marks);
}

// A ballot with the given slot values, each slot encrypted honestly, with
// honest 0/1 proofs where the value is 0 or 1 and cheating ones otherwise
// (claiming 1), and a range proof claiming `range_claim`.
ProvenBallot forge(const BallotContext& ctx, const std::vector<std::int64_t>& values,
                   std::uint64_t range_claim, Rng& rng) {
  ProvenBallot b;
  std::vector<Randomness> rs;
  for (const std::int64_t v : values) {
    Randomness r = Randomness::random(rng);
    const Point vg = v >= 0 ? Point::base_mul(Scalar::from_u64(static_cast<std::uint64_t>(v)))
                            : -Point::base_mul(Scalar::from_u64(static_cast<std::uint64_t>(-v)));
    b.ciphertexts.emplace_back(Point::base_mul(r.scalar()),
                               vg + ctx.public_key.point().mul(r.scalar()));
    rs.push_back(std::move(r));
  }
  const BallotStatement st = must_statement(ctx, b.ciphertexts);
  for (std::size_t j = 0; j < values.size(); ++j) {
    const std::uint64_t claim = values[j] == 0 ? 0 : 1;
    b.slot_proofs.push_back(cheat(st, j, b.ciphertexts[j], rs[j].scalar(), claim, 0, 1, rng));
  }
  const Ciphertext c = combined_ciphertext(ctx.layout, b.ciphertexts);
  b.range_proof = cheat(st, ctx.layout.range_proof_slot(), c, combined_randomness(ctx.layout, rs),
                        range_claim, 1, ctx.layout.max_marks, rng);
  return b;
}

void check_fails(const Status& s, const std::string& reason, const std::string& where = "") {
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.reason() == reason);
  if (!where.empty()) CHECK(s.message().find(where) != std::string::npos);
}

// ---- honest ballots ----------------------------------------------------------

TEST_CASE("honest ballots of several layouts verify and open slot by slot with their randomness") {
  SeededRng rng(100);
  const std::vector<BallotLayout> layouts = {
      kSmall, kCouncil, {1, false, 1}, {5, true, 5}, {2, true, 16}};
  for (const BallotLayout& layout : layouts) {
    const BallotContext ctx = make_context(layout);
    for (int i = 0; i < 8; ++i) {
      const std::vector<std::uint8_t> values = random_values(layout, rng);
      const BallotEncryption e = must_encrypt(ctx, values, rng);
      CAPTURE(layout.candidates);
      CAPTURE(i);
      CHECK(verify_ballot(ctx, e.ballot).is_ok());
      REQUIRE(e.ballot.ciphertexts.size() == layout.slot_count());
      REQUIRE(e.randomness.size() == layout.slot_count());
      CHECK(e.ballot.range_proof.branches().size() == layout.max_marks);
      for (std::size_t j = 0; j < values.size(); ++j) {
        CHECK(e.ballot.slot_proofs[j].branches().size() == 2);
        // The Benaloh check: the revealed randomness shows each slot's value.
        Result<std::uint64_t> m =
            open_with_randomness(e.ballot.ciphertexts[j], ctx.public_key, e.randomness[j], 1);
        REQUIRE(m.ok());
        CHECK(*m == values[j]);
      }
    }
  }
}

TEST_CASE("a ciphertext that is not encrypted (A = identity) is refused before any proof") {
  SeededRng rng(150);
  const BallotContext ctx = make_context(kSmall);
  BallotEncryption e = must_encrypt(ctx, {1, 0, 0, 0}, rng);
  // r = 0 would publish B = m*G, readable by anyone: refuse the ballot.
  FixedBytes<Ciphertext::kSize> raw = e.ballot.ciphertexts[0].encode();
  std::fill(raw.begin(), raw.begin() + 32, std::uint8_t{0});
  Result<Ciphertext> bare = Ciphertext::parse(raw);
  REQUIRE(bare.ok());
  e.ballot.ciphertexts[0] = *bare;
  check_fails(verify_ballot(ctx, e.ballot), "identity_ciphertext", "slot 0");
}

TEST_CASE("the prover refuses ballots that could not be counted") {
  SeededRng rng(101);
  const BallotContext ctx = make_context(kSmall);
  auto reason = [&](const std::vector<std::uint8_t>& v) {
    Result<BallotEncryption> e = encrypt_ballot(ctx, v, rng);
    return e.ok() ? std::string("ok") : e.status().reason();
  };
  CHECK(reason({0, 0, 0, 0}) == "empty_ballot");
  CHECK(reason({1, 1, 1, 0}) == "too_many_marks");
  CHECK(reason({1, 0, 0, 1}) == "conflicting_choices");
  CHECK(reason({0, 2, 0, 0}) == "vote_value_not_binary");
  CHECK(reason({1, 0, 0}) == "wrong_slot_count");
  CHECK(reason({1, 0, 0, 0, 0}) == "wrong_slot_count");
  CHECK(reason({0, 0, 0, 1}) == "ok");
  CHECK(reason({1, 1, 0, 0}) == "ok");

  const BallotContext council = make_context(kCouncil);
  std::vector<std::uint8_t> both(kCouncil.slot_count(), 0);
  both[12] = 1;
  both[13] = 1;  // abstain and invalid at once
  Result<BallotEncryption> e = encrypt_ballot(council, both, rng);
  CHECK(e.status().reason() == "conflicting_choices");

  BallotContext bad = make_context({0, false, 1});
  CHECK(encrypt_ballot(bad, std::vector<std::uint8_t>{1}, rng).status().reason() == "bad_layout");
  bad = make_context({3, false, kMaxMarks + 1});
  CHECK(encrypt_ballot(bad, std::vector<std::uint8_t>{1, 0, 0, 0}, rng).status().reason() ==
        "bad_layout");
  bad = make_context(kSmall, "election-1", "");
  CHECK(encrypt_ballot(bad, std::vector<std::uint8_t>{1, 0, 0, 0}, rng).status().reason() ==
        "bad_token_input");
}

TEST_CASE("the 0/1 proofs of one ballot use fresh randomness in every slot") {
  SeededRng rng(102);
  const BallotContext ctx = make_context(kCouncil);
  std::vector<std::uint8_t> values(kCouncil.slot_count(), 0);
  values[0] = 1;
  const BallotEncryption e = must_encrypt(ctx, values, rng);
  std::vector<std::string> seen;
  for (const RangeProof& p : e.ballot.slot_proofs) {
    for (const RangeProof::Branch& b : p.branches()) {
      seen.push_back(hex_encode(b.challenge.bytes()));
      seen.push_back(hex_encode(b.response.bytes()));
    }
  }
  std::sort(seen.begin(), seen.end());
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
}

// ---- forgeries ---------------------------------------------------------------

TEST_CASE("the cheating prover's own proofs verify when its claim is true") {
  // Guards the forgery tests below: they fail because of the lie, not
  // because the cheater is built differently from the real prover.
  SeededRng rng(103);
  const BallotContext ctx = make_context(kSmall);
  const ProvenBallot b = forge(ctx, {1, 0, 1, 0}, 2, rng);
  CHECK(verify_ballot(ctx, b).is_ok());
  const ProvenBallot abstain = forge(ctx, {0, 0, 0, 1}, 2, rng);
  CHECK(verify_ballot(ctx, abstain).is_ok());
}

TEST_CASE("a 0/1 proof for an encryption of 2 or of -1 fails") {
  SeededRng rng(104);
  const BallotContext ctx = make_context(kSmall);
  // Two votes for candidate 1: the combined value 2 is in range, so only
  // the 0/1 proof can catch it.
  const ProvenBallot two = forge(ctx, {0, 2, 0, 0}, 2, rng);
  check_fails(verify_ballot(ctx, two), "zero_one_proof_invalid", "slot 1");
  // -1 for candidate 0 and +1 for candidates 1 and 2: total 1.
  const ProvenBallot minus = forge(ctx, {-1, 1, 1, 0}, 1, rng);
  check_fails(verify_ballot(ctx, minus), "zero_one_proof_invalid", "slot 0");

  // The same on the bare range proof, claiming either branch.
  const Randomness r = Randomness::random(rng);
  const Ciphertext ct2 = encrypt_with_randomness(ctx.public_key, 2, r);
  const std::vector<Ciphertext> cts = {ct2, ct2, ct2, ct2};
  const BallotStatement st = must_statement(ctx, cts);
  for (std::uint64_t claim : {0, 1}) {
    check_fails(verify_range(st, 0, ct2, 0, 1, cheat(st, 0, ct2, r.scalar(), claim, 0, 1, rng)),
                "range_proof_invalid");
  }
  // The honest prover refuses outright.
  CHECK(prove_range(st, 0, ct2, 2, r, 0, 1, rng).status().reason() == "value_out_of_range");
  CHECK(prove_range(st, 0, ct2, 1, r, 0, 1, rng).status().reason() == "self_check_failed");
}

TEST_CASE("a true proof whose simulated branches have zero challenges verifies") {
  // The verifier must compute s*G - 0*A exactly; libdecaf 1.0.2's double
  // multiplication gets a zero second scalar wrong (group.cpp), which would
  // make this server reject what every other verifier accepts.
  SeededRng rng(112);
  const BallotContext ctx = make_context(kCouncil);
  const Randomness r = Randomness::random(rng);
  const Ciphertext ct = encrypt_with_randomness(ctx.public_key, 3, r);
  const std::vector<Ciphertext> cts(kCouncil.slot_count(), ct);
  const BallotStatement st = must_statement(ctx, cts);
  const RangeProof p = cheat(st, 99, ct, r.scalar(), 3, 1, 7, rng, true);
  REQUIRE(p.branches()[0].challenge.is_zero());
  CHECK(verify_range(st, 99, ct, 1, 7, p).is_ok());
  const RangeProof zo = cheat(st, 0, cts[0], r.scalar(), 1, 0, 1, rng, true);
  CHECK_FALSE(verify_range(st, 0, cts[0], 0, 1, zo).is_ok());  // 3 is not 0 or 1
}

TEST_CASE("a range proof for hi+1 or lo-1 fails") {
  SeededRng rng(105);
  const BallotContext ctx = make_context(kCouncil);
  const Randomness r = Randomness::random(rng);
  const Ciphertext over = encrypt_with_randomness(ctx.public_key, 8, r);   // max + 1
  const Ciphertext under = encrypt_with_randomness(ctx.public_key, 0, r);  // lo - 1
  const Ciphertext ok = encrypt_with_randomness(ctx.public_key, 7, r);
  const std::vector<Ciphertext> cts(kCouncil.slot_count(), ok);
  const BallotStatement st = must_statement(ctx, cts);
  const std::uint64_t slot = kCouncil.range_proof_slot();
  check_fails(verify_range(st, slot, over, 1, 7, cheat(st, slot, over, r.scalar(), 7, 1, 7, rng)),
              "range_proof_invalid");
  check_fails(verify_range(st, slot, under, 1, 7, cheat(st, slot, under, r.scalar(), 1, 1, 7, rng)),
              "range_proof_invalid");
  // Control: the true claim verifies.
  CHECK(verify_range(st, slot, ok, 1, 7, cheat(st, slot, ok, r.scalar(), 7, 1, 7, rng)).is_ok());
  Result<RangeProof> honest = prove_range(st, slot, ok, 7, r, 1, 7, rng);
  REQUIRE(honest.ok());
  CHECK(verify_range(st, slot, ok, 1, 7, *honest).is_ok());
  CHECK(prove_range(st, slot, over, 8, r, 1, 7, rng).status().reason() == "value_out_of_range");
}

TEST_CASE("a forged empty ballot and a forged ballot with too many marks fail verification") {
  SeededRng rng(106);
  const BallotContext ctx = make_context(kSmall);
  check_fails(verify_ballot(ctx, forge(ctx, {0, 0, 0, 0}, 1, rng)), "range_proof_invalid",
              "range proof");
  check_fails(verify_ballot(ctx, forge(ctx, {1, 1, 1, 0}, 2, rng)), "range_proof_invalid");
  check_fails(verify_ballot(ctx, forge(ctx, {1, 0, 0, 1}, 2, rng)), "range_proof_invalid");
  const BallotContext council = make_context(kCouncil);
  std::vector<std::int64_t> both(kCouncil.slot_count(), 0);
  both[12] = 1;
  both[13] = 1;
  check_fails(verify_ballot(council, forge(council, both, 7, rng)), "range_proof_invalid");
}

TEST_CASE("a proof whose branch challenges do not sum to the hash fails") {
  SeededRng rng(107);
  const BallotContext ctx = make_context(kSmall);
  const BallotEncryption e = must_encrypt(ctx, {1, 0, 0, 0}, rng);

  // Every branch simulated: each branch's equations hold, the sum does not.
  ProvenBallot b = e.ballot;
  b.slot_proofs[1] = simulate_all(0, 1, rng);
  check_fails(verify_ballot(ctx, b), "zero_one_proof_invalid", "slot 1");
  b = e.ballot;
  b.range_proof = simulate_all(1, 2, rng);
  check_fails(verify_ballot(ctx, b), "range_proof_invalid");

  // One challenge shifted: the sum is off.
  b = e.ballot;
  std::vector<RangeProof::Branch> br = b.slot_proofs[2].branches();
  br[0].challenge += Scalar::one();
  b.slot_proofs[2] = RangeProof(br);
  check_fails(verify_ballot(ctx, b), "zero_one_proof_invalid", "slot 2");

  // Sum kept, one challenge moved to the other branch: the commitments change.
  br = e.ballot.slot_proofs[2].branches();
  br[0].challenge += Scalar::one();
  br[1].challenge -= Scalar::one();
  b.slot_proofs[2] = RangeProof(br);
  check_fails(verify_ballot(ctx, b), "zero_one_proof_invalid", "slot 2");

  // A changed response.
  b = e.ballot;
  br = b.range_proof.branches();
  br[1].response += Scalar::one();
  b.range_proof = RangeProof(br);
  check_fails(verify_ballot(ctx, b), "range_proof_invalid");
}

TEST_CASE("a proof moved to another slot fails") {
  SeededRng rng(108);
  const BallotContext ctx = make_context(kSmall);
  const BallotEncryption e = must_encrypt(ctx, {0, 0, 1, 0}, rng);
  ProvenBallot b = e.ballot;
  std::swap(b.slot_proofs[0], b.slot_proofs[1]);
  check_fails(verify_ballot(ctx, b), "zero_one_proof_invalid", "slot 0");

  // The same ciphertext and statement, only the slot index differs.
  const BallotStatement st = must_statement(ctx, e.ballot.ciphertexts);
  CHECK(verify_range(st, 0, e.ballot.ciphertexts[0], 0, 1, e.ballot.slot_proofs[0]).is_ok());
  check_fails(verify_range(st, 1, e.ballot.ciphertexts[0], 0, 1, e.ballot.slot_proofs[0]),
              "range_proof_invalid");
  // The last slot's 0/1 proof is not valid at the range proof's slot index.
  check_fails(verify_range(st, ctx.layout.range_proof_slot(), e.ballot.ciphertexts[3], 0, 1,
                           e.ballot.slot_proofs[3]),
              "range_proof_invalid");
}

TEST_CASE("proofs do not carry over to other ciphertexts, tokens, elections or keys") {
  SeededRng rng(109);
  const BallotContext ctx = make_context(kSmall);
  const BallotEncryption e = must_encrypt(ctx, {1, 0, 0, 0}, rng);
  const BallotEncryption other = must_encrypt(ctx, {1, 0, 0, 0}, rng);
  REQUIRE(verify_ballot(ctx, e.ballot).is_ok());

  // Another ballot's ciphertexts with these proofs.
  ProvenBallot b = e.ballot;
  b.ciphertexts = other.ballot.ciphertexts;
  check_fails(verify_ballot(ctx, b), "zero_one_proof_invalid", "slot 0");
  // Only one other slot changed: slot 0's proof fails too (all ciphertexts
  // are hashed).
  b = e.ballot;
  b.ciphertexts[3] = other.ballot.ciphertexts[3];
  check_fails(verify_ballot(ctx, b), "zero_one_proof_invalid", "slot 0");
  // A changed ciphertext: re-randomized, still an encryption of the same.
  b = e.ballot;
  b.ciphertexts[2] += encrypt(ctx.public_key, 0, rng).ciphertext;
  check_fails(verify_ballot(ctx, b), "zero_one_proof_invalid", "slot 0");

  check_fails(verify_ballot(make_context(kSmall, "election-1", "token-2"), e.ballot),
              "zero_one_proof_invalid", "slot 0");
  check_fails(verify_ballot(make_context(kSmall, "election-2"), e.ballot), "zero_one_proof_invalid",
              "slot 0");
  check_fails(verify_ballot(make_context(kSmall, "election-1", "token-1", "key-2"), e.ballot),
              "zero_one_proof_invalid", "slot 0");
  // Another layout with the same slot count (max_marks differs).
  check_fails(verify_ballot(make_context({3, false, 3}), e.ballot), "wrong_branch_count",
              "range proof");
  check_fails(verify_ballot(make_context({2, true, 2}), e.ballot), "zero_one_proof_invalid",
              "slot 0");
}

TEST_CASE("verification rejects wrong counts of slots, proofs and branches") {
  SeededRng rng(110);
  const BallotContext ctx = make_context(kSmall);
  const BallotEncryption e = must_encrypt(ctx, {0, 1, 0, 0}, rng);
  ProvenBallot b = e.ballot;
  b.ciphertexts.pop_back();
  check_fails(verify_ballot(ctx, b), "wrong_slot_count");
  b = e.ballot;
  b.slot_proofs.pop_back();
  check_fails(verify_ballot(ctx, b), "wrong_proof_count");
  b = e.ballot;
  std::vector<RangeProof::Branch> br = b.slot_proofs[1].branches();
  br.push_back(br[0]);
  b.slot_proofs[1] = RangeProof(br);
  check_fails(verify_ballot(ctx, b), "wrong_branch_count", "slot 1");
  b = e.ballot;
  br = b.range_proof.branches();
  br.pop_back();
  b.range_proof = RangeProof(br);
  check_fails(verify_ballot(ctx, b), "wrong_branch_count", "range proof");
  b = e.ballot;
  b.range_proof = RangeProof();
  check_fails(verify_ballot(ctx, b), "wrong_branch_count", "range proof");
  check_fails(verify_ballot(make_context({3, false, 0}), e.ballot), "bad_layout");
  check_fails(verify_ballot(make_context(kSmall, "election-1", ""), e.ballot), "bad_token_input");
}

TEST_CASE("proof encodings round-trip and parsing is strict") {
  SeededRng rng(111);
  const BallotContext ctx = make_context(kCouncil);
  std::vector<std::uint8_t> values(kCouncil.slot_count(), 0);
  values[4] = 1;
  const BallotEncryption e = must_encrypt(ctx, values, rng);
  const Bytes zo = e.ballot.slot_proofs[4].encode();
  const Bytes range = e.ballot.range_proof.encode();
  CHECK(zo.size() == 128);
  CHECK(range.size() == 7 * 64);

  Result<RangeProof> zo_back = RangeProof::parse(zo, 2);
  REQUIRE(zo_back.ok());
  CHECK(zo_back->encode() == zo);
  Result<RangeProof> range_back = RangeProof::parse(range, 7);
  REQUIRE(range_back.ok());
  ProvenBallot b = e.ballot;
  b.slot_proofs[4] = *zo_back;
  b.range_proof = *range_back;
  CHECK(verify_ballot(ctx, b).is_ok());

  // Wrong branch counts and lengths.
  CHECK(RangeProof::parse(zo, 3).status().reason() == "wrong_branch_count");
  CHECK(RangeProof::parse(Bytes{}, 0).status().reason() == "wrong_branch_count");
  CHECK(RangeProof::parse(Bytes(65 * 64, 0), 65).status().reason() == "wrong_branch_count");
  CHECK(RangeProof::parse(range, 6).status().reason() == "wrong_branch_count");
  CHECK(RangeProof::parse(ByteView(zo).first(127), 2).status().reason() == "wrong_branch_count");
  Bytes longer = zo;
  longer.push_back(0);
  CHECK(RangeProof::parse(longer, 2).status().reason() == "wrong_branch_count");

  // Non-canonical scalars: c + l (the same challenge mod l) and a set top
  // bit, in a challenge and in a response.
  const Bytes order =
      *hex_decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  for (const std::size_t offset : {std::size_t{0}, std::size_t{32}, std::size_t{96}}) {
    Bytes alias = zo;
    unsigned carry = 0;
    for (std::size_t i = 0; i < 32; ++i) {
      const unsigned s = unsigned{alias[offset + i]} + order[i] + carry;
      alias[offset + i] = static_cast<std::uint8_t>(s);
      carry = s >> 8;
    }
    REQUIRE(carry == 0);  // c < l < 2^253, so c + l < 2^254 fits
    CAPTURE(offset);
    CHECK(RangeProof::parse(alias, 2).status().reason() == "bad_scalar");
    Bytes top = zo;
    top[offset + 31] |= 0x80;
    CHECK(RangeProof::parse(top, 2).status().reason() == "bad_scalar");
  }
  // And in ciphertexts (top bit of A and of B).
  for (const std::size_t byte : {std::size_t{31}, std::size_t{63}}) {
    FixedBytes<64> ct = e.ballot.ciphertexts[0].encode();
    ct[byte] |= 0x80;
    CHECK(Ciphertext::parse(ct).status().reason() == "bad_point");
  }
}

// ---- published test vectors -------------------------------------------------

// Expected values were produced by this implementation once (2026-11-22) and
// are frozen here; docs/protocol.md copies them so that the browser's
// implementation can be checked against them. Inputs:
//   election_id = SHA-256("urne test election")
//   token_input = "urne test token input" (ASCII)
//   secret key x = SHA-512("urne test election key") reduced mod l, P = x*G
//   layout: 3 candidates + abstain, no invalid slot, max_marks = 2
//   values: 1, 0, 1, 0
//   rng: SeededRng("urne ballot test vector v1"); draws in this order: the
//   randomness of every slot (64 bytes each, reduced mod l), then per proof
//   (slots in order, then the range proof) per branch in order of v: a
//   simulated branch draws challenge then response, the real one its nonce.
constexpr const char* kVectorPublicKey =
    "002d8b46f19c928678dbe5bee454084d4de26e6c5d078a17044e7d62154b980b";
constexpr const char* kVectorRandomness[4] = {
    "9e89178d91b1e9045236da20ef90691393bfb547bd45177936b5cd0ad91d3702",
    "ff3d65a9d510f6734972323c4211aba04f46b931f39661c6310483cd6b76540d",
    "78b49dffb985c278ade89cfbae251259056c83e7b39584adbdfe4c46979f0b04",
    "7fcab6a9ded055d00239dbd810b3b24f5c07ffa7be361c5f72c146a31f80d10f"};
constexpr const char* kVectorCiphertexts[4] = {
    "441c2c63c2ad73917a216a79308b97be2a9e3456a0718b4c3bea28f920b14a07"
    "fe83980526f3675a9655304a0e1c291e740ac312d1704c190c17d08e356b4d4e",
    "e660676e7d46ae04fccf90cc87f69b12580bc2dad6c9d877ad27e8dbf79a1f51"
    "3c976dc6a878c87b3c72efaff1530955aa7a6750d78c790e52a45ffc2a9cef49",
    "22d7c9af011cdcaeac432cb8ad2d634a6f2e11337ecb5a84de90b47b7aead215"
    "9838c9472c33e667d3d0810b1778dded7f8b204b125a004ee149fd5133b5cd2e",
    "044ab581714992ed50cc22edd03a1afc7fd5d07d7f498de4c9cff23842e8f34b"
    "48d6888b6321a7728dca0ba5fd948d04b013a5981bfdf868494f573bb732cf71"};
constexpr const char* kVectorSlotProofs[4] = {
    "f3ea2a256b2f14a3bdd5d8f2a62b0ffe997ff5398d516f438b68acce61e61708"
    "4f5787bdaf07e11ea4f6d992415d790feb2b6edb8bd1aed1ad8f506f49a9550e"
    "dca139554a1019eefa19f182fe898f914e914df1202d16ddc7739aa8911d710c"
    "545992ac85964ed7b31a52e4b00734e927a60cd5a3ba0af2842fb64be8826709",
    "54900727eb1e74c5398d71b0f2e707fc870001fde493c820d732956a1721fd0e"
    "61954a91378f8436ca26bb6e10058e81003e64e8714d8c70a107ffcc24251200"
    "1512b6225d04ac13a44082418f76f5739755ac29649a92cc5c6307907dd0eb06"
    "a9a58e98c63a832506db4358fdb9935143f3323341e7a28c89a69e4ca2ace907",
    "baac221522731f4fb601a93c56b08581c890ade3e9e5740727e3c117b2fe960f"
    "450ba20cbb8e303498b05e4e1b171f43daa7e14a6067b41c2335c634fe204b09"
    "af7746920310ac535e672546c1d581fafb7eb4d49f0df16dbf796dcf006cb90f"
    "f0d30b8489784bce5b50aee43c345fb43a14aaf6e380c8e4c13ff7316f3f1d0f",
    "89307118eea4921c95385fc78d2c29cf31a70eee58793cc211d2f507b7e6af02"
    "c798cea7140a8b70bca712cd7e4c660eca1bf77ed5c0fed4bcb2bf7e77f6df02"
    "ac687e4177b3605ad6afea5db6e9be6b6ed369b6f7e08fe8f8d847582ea03c0f"
    "dca76e4c9a8bb1709dd1e2ad78401a4e58f39aa772243f1c41303ab10ac3a006"};
constexpr const char* kVectorRangeProof =
    "cbc7e9a0a060d1510e5f15bb0e13c00550d4c6de990dcb79a9cbc8bd61ebd001"
    "8b1e0410df5aa4c1344a0e736bccf6d28c2d1262d2ac20d997e02f4dfe591d01"
    "d6cf7defc3b32ffd2dc0afc1849e83f6ba1f5e47877aedd26bf213681b2b8806"
    "0088da0dc17a474d89e6b7d7f13c6b40fd54191f58d8e3baf281b8b34589fe01";

TEST_CASE("a fixed-seed ballot reproduces the published test vector") {
  SeededRng rng(as_bytes("urne ballot test vector v1"));
  const ByteView token_view = as_bytes("urne test token input");
  const Bytes token(token_view.begin(), token_view.end());
  const BallotContext ctx{sha256(as_bytes("urne test election")), token,
                          key_from_seed("urne test election key"), kSmall};
  const BallotEncryption e = must_encrypt(ctx, {1, 0, 1, 0}, rng);

  CHECK(hex_encode(ctx.public_key.encode()) == kVectorPublicKey);
  for (std::size_t j = 0; j < 4; ++j) {
    CAPTURE(j);
    CHECK(hex_encode(e.randomness[j].scalar().bytes()) == kVectorRandomness[j]);
    CHECK(hex_encode(e.ballot.ciphertexts[j].encode()) == kVectorCiphertexts[j]);
    CHECK(hex_encode(e.ballot.slot_proofs[j].encode()) == kVectorSlotProofs[j]);
  }
  CHECK(hex_encode(e.ballot.range_proof.encode()) == kVectorRangeProof);
}

}  // namespace
}  // namespace urne
