#include "ballot/ballot.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "crypto/hash.hpp"
#include "election_fixture.hpp"
#include "test_util.hpp"

namespace urne {
namespace {

using test::base_spec;
using test::issue_token;
using test::must;
using test::reason_of;

std::uint32_t rand_below(Rng& rng, std::uint32_t bound) {
  FixedBytes<4> b{};
  rng.fill(b);
  const std::uint32_t v =
      (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
  return v % bound;
}

Manifest make_manifest(std::size_t candidates, bool invalid_offered, std::uint32_t max_marks,
                       std::string title = "Wahl des Sprecherrats 2026") {
  ManifestSpec s = base_spec(candidates);
  s.title = std::move(title);
  s.invalid_offered = invalid_offered;
  s.max_marks = max_marks;
  return must(Manifest::create(std::move(s)));
}

// Manifest A: 5 candidates, up to 3 marks, ungültig offered. B differs only
// in its title (same keys and layout), C in its number of candidates.
const Manifest& manifest_a() {
  static const Manifest m = make_manifest(5, true, 3);
  return m;
}
const Manifest& manifest_b() {
  static const Manifest m = make_manifest(5, true, 3, "Stichwahl");
  return m;
}
const Manifest& manifest_c() {
  static const Manifest m = make_manifest(4, true, 3);
  return m;
}

BuiltBallot build(const Manifest& m, const Choice& c, Rng& rng) {
  const Token t = issue_token(m, rng);
  return must(build_ballot(m, t, c, rng));
}

// A ballot's proofs made directly with crypto for any election id and token.
ProvenBallot prove_for(const ElectionId& id, const Token& token, const Manifest& layout_of,
                       const std::vector<std::uint8_t>& values, Rng& rng) {
  const TokenInput input = token.token_input();
  const BallotContext ctx{id, Bytes(input.begin(), input.end()), layout_of.elgamal_public_key(),
                          layout_of.ballot_layout()};
  return must(encrypt_ballot(ctx, values, rng)).ballot;
}

Choice sorted(Choice c) {
  std::sort(c.marks.begin(), c.marks.end());
  return c;
}

TEST_CASE("honest ballots of random manifests and choices verify, round-trip and open") {
  SeededRng rng(2026);
  for (int round = 0; round < 24; ++round) {
    const std::uint32_t n = 1 + rand_below(rng, 20);
    const bool offered = rand_below(rng, 2) == 1;
    const std::uint32_t max_marks = 1 + rand_below(rng, std::min<std::uint32_t>(n, kMaxMarks));
    const Manifest m = make_manifest(n, offered, max_marks);

    Choice choice;
    switch (rand_below(rng, 4)) {
      case 0:
        choice = Choice::abstention();
        break;
      case 1:
        if (offered) {
          choice = Choice::invalid_ballot();
          break;
        }
        [[fallthrough]];
      default: {
        std::vector<std::uint32_t> all(n);
        std::iota(all.begin(), all.end(), 0U);
        for (std::uint32_t i = n - 1; i > 0; --i) std::swap(all[i], all[rand_below(rng, i + 1)]);
        all.resize(1 + rand_below(rng, max_marks));
        choice = Choice::of_marks(all);
      }
    }
    CAPTURE(round);
    CAPTURE(n);
    CAPTURE(max_marks);
    const BuiltBallot b = build(m, choice, rng);
    CHECK(verify_cast_ballot(m, b.ballot).is_ok());
    CHECK(b.ballot.slot_count() == m.ballot_layout().slot_count());

    const CastBallot back = must(CastBallot::parse_canonical(b.ballot.canonical_bytes()));
    CHECK(back.canonical_bytes() == b.ballot.canonical_bytes());
    CHECK(back.ballot_hash() == b.ballot.ballot_hash());
    CHECK(back.ballot_hash() == sha256(b.ballot.canonical_bytes()));
    CHECK(verify_cast_ballot(m, back).is_ok());

    const Choice opened = must(open_spoiled_ballot(m, back, b.randomness));
    CHECK(opened == sorted(choice));
  }
}

TEST_CASE("the cast ballot's canonical bytes follow the documented layout") {
  SeededRng rng(1);
  const BuiltBallot b = build(manifest_a(), Choice::of_marks({4, 0}), rng);
  const ProvenBallot& p = b.ballot.proven();
  Bytes e;
  append_u16(e, 19);
  append(e, as_bytes("urne/cast-ballot/v1"));
  append(e, b.ballot.token().bytes());
  append_u16(e, 7);  // 5 candidates, Enthaltung, ungültig
  for (std::size_t j = 0; j < 7; ++j) {
    append(e, p.ciphertexts[j].encode());
    const Bytes proof = p.slot_proofs[j].encode();
    CHECK(proof.size() == 128);
    append(e, proof);
  }
  append_u8(e, 3);
  append(e, p.range_proof.encode());
  CHECK(b.ballot.canonical_bytes() == e);
  CHECK(e.size() == 21 + 354 + 2 + 7 * 192 + 1 + 3 * 64);
  CHECK(b.ballot.ballot_hash() == sha256(e));
}

TEST_CASE("every malformed choice is refused with its reason, before any encryption") {
  const Manifest& m = manifest_a();  // 5 candidates, max 3, ungültig offered
  const Manifest no_invalid = make_manifest(5, false, 3);
  SeededRng rng(9);
  const Token t = issue_token(m, rng);

  const std::vector<std::pair<std::string, Choice>> cases = {
      {"too_many_marks", Choice::of_marks({0, 1, 2, 3})},
      {"marks_with_abstain", Choice{{1}, true, false}},
      {"marks_with_invalid", Choice{{1}, false, true}},
      {"abstain_with_invalid", Choice{{}, true, true}},
      {"empty_ballot", Choice{}},
      {"candidate_out_of_range", Choice::of_marks({5})},
      {"candidate_out_of_range", Choice::of_marks({0, 0xffffffffU})},
      {"duplicate_mark", Choice::of_marks({2, 2})},
  };
  for (const auto& entry : cases) {
    const std::string& reason = entry.first;
    const Choice& choice = entry.second;
    CAPTURE(reason);
    CHECK(reason_of(check_choice(m, choice)) == reason);
    CHECK(reason_of(build_ballot(m, t, choice, rng)) == reason);
  }
  const Token t2 = issue_token(no_invalid, rng);
  CHECK(reason_of(check_choice(no_invalid, Choice::invalid_ballot())) == "invalid_not_offered");
  CHECK(reason_of(build_ballot(no_invalid, t2, Choice::invalid_ballot(), rng)) ==
        "invalid_not_offered");
  // The limits themselves are fine.
  CHECK(check_choice(m, Choice::of_marks({0, 2, 4})).is_ok());
  CHECK(check_choice(m, Choice::abstention()).is_ok());
  CHECK(check_choice(m, Choice::invalid_ballot()).is_ok());
  CHECK(check_choice(no_invalid, Choice::abstention()).is_ok());
}

TEST_CASE("a ballot for another election is rejected") {
  SeededRng rng(10);
  const BuiltBallot b = build(manifest_a(), Choice::of_marks({1}), rng);
  REQUIRE(verify_cast_ballot(manifest_a(), b.ballot).is_ok());
  const Status s = verify_cast_ballot(manifest_b(), b.ballot);
  CHECK(reason_of(s) == "token_invalid");
  CHECK(s.code() == Code::kUnauthenticated);
  CHECK(s.message().rfind("challenge_mismatch", 0) == 0);
}

TEST_CASE("a ballot whose token belongs to another election is rejected") {
  SeededRng rng(11);
  const Token token_b = issue_token(manifest_b(), rng);
  // Proofs made for A's election id, bound to B's token.
  ProvenBallot p =
      prove_for(manifest_a().election_id(), token_b, manifest_a(), {0, 1, 0, 0, 0, 0, 0}, rng);
  const CastBallot cast = must(CastBallot::create(token_b, std::move(p)));
  CHECK(reason_of(verify_cast_ballot(manifest_a(), cast)) == "token_invalid");
  // The voter's side refuses to build it at all.
  CHECK(reason_of(build_ballot(manifest_a(), token_b, Choice::of_marks({1}), rng)) ==
        "token_invalid");
}

TEST_CASE("proofs made for another election fail even with a valid token") {
  SeededRng rng(12);
  const Token token_a = issue_token(manifest_a(), rng);
  // A and B share key and layout: only the election id in the proofs differs.
  ProvenBallot p =
      prove_for(manifest_b().election_id(), token_a, manifest_a(), {0, 0, 1, 0, 0, 0, 0}, rng);
  const CastBallot cast = must(CastBallot::create(token_a, std::move(p)));
  const Status s = verify_cast_ballot(manifest_a(), cast);
  CHECK(reason_of(s) == "proof_invalid");
  CHECK(s.message().find("slot") != std::string::npos);
}

TEST_CASE("a ballot moved to another token is rejected") {
  SeededRng rng(13);
  const BuiltBallot b = build(manifest_a(), Choice::abstention(), rng);
  const Token other = issue_token(manifest_a(), rng);
  const CastBallot moved = must(CastBallot::create(other, b.ballot.proven()));
  CHECK(reason_of(verify_cast_ballot(manifest_a(), moved)) == "proof_invalid");
  CHECK(moved.ballot_hash() != b.ballot.ballot_hash());
}

TEST_CASE("a changed ciphertext is rejected") {
  SeededRng rng(14);
  const BuiltBallot b = build(manifest_a(), Choice::of_marks({0, 3}), rng);
  const ElGamalPublicKey& pk = manifest_a().elgamal_public_key();
  for (std::size_t j : {std::size_t{0}, std::size_t{3}, std::size_t{6}}) {
    ProvenBallot p = b.ballot.proven();
    // Re-randomized: the same vote, another ciphertext.
    p.ciphertexts[j] += encrypt(pk, 0, rng).ciphertext;
    const CastBallot changed = must(CastBallot::create(b.ballot.token(), std::move(p)));
    CAPTURE(j);
    CHECK(reason_of(verify_cast_ballot(manifest_a(), changed)) == "proof_invalid");
  }
  ProvenBallot swapped = b.ballot.proven();
  std::swap(swapped.ciphertexts[0], swapped.ciphertexts[1]);
  std::swap(swapped.slot_proofs[0], swapped.slot_proofs[1]);
  const CastBallot c = must(CastBallot::create(b.ballot.token(), std::move(swapped)));
  CHECK(reason_of(verify_cast_ballot(manifest_a(), c)) == "proof_invalid");
}

TEST_CASE("a ballot with another number of slots than the manifest is rejected") {
  SeededRng rng(15);
  const BuiltBallot b = build(manifest_a(), Choice::of_marks({2}), rng);
  const Token token_c = issue_token(manifest_c(), rng);
  const CastBallot cast = must(CastBallot::create(token_c, b.ballot.proven()));
  CHECK(reason_of(verify_cast_ballot(manifest_c(), cast)) == "wrong_slot_count");
}

TEST_CASE("a cast ballot of the wrong shape cannot be made") {
  SeededRng rng(16);
  const BuiltBallot b = build(manifest_a(), Choice::of_marks({2}), rng);
  ProvenBallot p = b.ballot.proven();
  p.slot_proofs.pop_back();
  CHECK(reason_of(CastBallot::create(b.ballot.token(), p)) == "wrong_proof_count");
  p = b.ballot.proven();
  p.slot_proofs[2] = p.range_proof;  // 3 branches
  CHECK(reason_of(CastBallot::create(b.ballot.token(), p)) == "wrong_branch_count");
  p = b.ballot.proven();
  p.range_proof = RangeProof();
  CHECK(reason_of(CastBallot::create(b.ballot.token(), p)) == "wrong_branch_count");
  p = b.ballot.proven();
  p.ciphertexts.resize(1);
  p.slot_proofs.resize(1);
  CHECK(reason_of(CastBallot::create(b.ballot.token(), p)) == "count_out_of_range");
}

TEST_CASE("a truncated or garbled cast ballot encoding is rejected") {
  SeededRng rng(17);
  const BuiltBallot b = build(manifest_a(), Choice::of_marks({1, 4}), rng);
  const Bytes good = b.ballot.canonical_bytes();
  for (std::size_t len = 0; len < good.size(); ++len) {
    CAPTURE(len);
    CHECK(reason_of(CastBallot::parse_canonical(ByteView(good).first(len))) == "truncated");
  }
  Bytes longer = good;
  longer.push_back(0);
  CHECK(reason_of(CastBallot::parse_canonical(longer)) == "trailing_bytes");

  const std::size_t token_at = 21;
  const std::size_t slots_at = token_at + 354;
  Bytes bad = good;
  bad[token_at + 1] = 0x01;  // token type 0x0001
  CHECK(reason_of(CastBallot::parse_canonical(bad)) == "wrong_token_type");
  bad = good;
  bad[slots_at + 2 + 31] |= 0x80;  // bit 255 of slot 0's A
  CHECK(reason_of(CastBallot::parse_canonical(bad)) == "bad_point");
  bad = good;
  bad[slots_at + 2 + 64 + 31] = 0xff;  // slot 0's first challenge >= l
  CHECK(reason_of(CastBallot::parse_canonical(bad)) == "bad_scalar");
  bad = good;
  bad[slots_at + 1] = 9;  // 9 slots announced, 7 present
  CHECK(reason_of(CastBallot::parse_canonical(bad)) == "truncated");
  bad = good;
  bad[slots_at] = 0xff;  // far above 102 slots
  CHECK(reason_of(CastBallot::parse_canonical(bad)) == "count_out_of_range");
  bad = good;
  bad[good.size() - 3 * 64 - 1] = 17;  // range proof branches above 16
  CHECK(reason_of(CastBallot::parse_canonical(bad)) == "count_out_of_range");
  bad = good;
  bad[good.size() - 3 * 64 - 1] = 2;  // fewer branches: the rest is trailing
  CHECK(reason_of(CastBallot::parse_canonical(bad)) == "trailing_bytes");

  // Random single-byte changes anywhere: refused by the parser or the verifier.
  for (int round = 0; round < 48; ++round) {
    FixedBytes<3> r{};
    rng.fill(r);
    Bytes g = good;
    const std::size_t i = ((std::size_t{r[0]} << 8) | r[1]) % g.size();
    g[i] ^= static_cast<std::uint8_t>(r[2] | 1);
    auto parsed = CastBallot::parse_canonical(g);
    CAPTURE(i);
    if (parsed.ok()) CHECK_FALSE(verify_cast_ballot(manifest_a(), *parsed).is_ok());
  }
}

TEST_CASE("the revealed randomness opens a spoiled ballot to its choice, and only its own") {
  SeededRng rng(18);
  const BuiltBallot marks = build(manifest_a(), Choice::of_marks({3, 1}), rng);
  CHECK(must(open_spoiled_ballot(manifest_a(), marks.ballot, marks.randomness)) ==
        Choice::of_marks({1, 3}));
  const BuiltBallot invalid = build(manifest_a(), Choice::invalid_ballot(), rng);
  CHECK(must(open_spoiled_ballot(manifest_a(), invalid.ballot, invalid.randomness)) ==
        Choice::invalid_ballot());
  const BuiltBallot abstain = build(manifest_a(), Choice::abstention(), rng);
  CHECK(must(open_spoiled_ballot(manifest_a(), abstain.ballot, abstain.randomness)) ==
        Choice::abstention());

  // Another ballot's randomness does not open it.
  const auto wrong = open_spoiled_ballot(manifest_a(), marks.ballot, invalid.randomness);
  CHECK(reason_of(wrong) == "randomness_mismatch");
  CHECK(wrong.status().message().find("slot 0") != std::string::npos);
  CHECK(reason_of(open_spoiled_ballot(manifest_a(), marks.ballot,
                                      std::span(marks.randomness).first(6))) ==
        "wrong_randomness_count");
  CHECK(reason_of(open_spoiled_ballot(manifest_c(), marks.ballot, marks.randomness)) ==
        "wrong_slot_count");
}

TEST_CASE("two ballots with the same choice and token differ") {
  SeededRng rng(19);
  const Token t = issue_token(manifest_a(), rng);
  const BuiltBallot x = must(build_ballot(manifest_a(), t, Choice::of_marks({0}), rng));
  const BuiltBallot y = must(build_ballot(manifest_a(), t, Choice::of_marks({0}), rng));
  CHECK(x.ballot.ballot_hash() != y.ballot.ballot_hash());
  CHECK(verify_cast_ballot(manifest_a(), x.ballot).is_ok());
  CHECK(verify_cast_ballot(manifest_a(), y.ballot).is_ok());
}

}  // namespace
}  // namespace urne
