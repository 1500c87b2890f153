#include "ballot/manifest.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "crypto/hash.hpp"
#include "election_fixture.hpp"
#include "test_util.hpp"

namespace urne {
namespace {

using test::base_spec;
using test::ed25519_key;
using test::filled;
using test::must;
using test::reason_of;

void append_lp16(Bytes& out, ByteView b) {
  append_u16(out, static_cast<std::uint16_t>(b.size()));
  append(out, b);
}
void append_lp16(Bytes& out, std::string_view s) { append_lp16(out, as_bytes(s)); }

const Manifest& base() {
  static const Manifest m = must(Manifest::create(base_spec()));
  return m;
}

TEST_CASE("the manifest's canonical bytes follow the documented layout") {
  const ManifestSpec s = base_spec();
  Bytes e;
  append_lp16(e, "urne/manifest/v1");
  append_lp16(e, s.title);
  append_u8(e, 1);
  append_lp16(e, *s.kind);
  append_u8(e, 1);
  append_lp16(e, *s.description);
  append(e, s.roster_fingerprint);
  append_u16(e, 9);
  for (const Candidate& c : s.candidates) {
    append_lp16(e, c.name);
    append_lp16(e, c.affiliation);
  }
  append_u32(e, 7);  // seats
  append_u32(e, 2);  // substitutes
  append_u32(e, 7);  // max_marks defaults to min(seats, candidates)
  append_u8(e, 1);   // invalid_offered
  append_u8(e, 1);   // tie rule: lot
  append(e, s.lot_seed_commitment);
  append_lp16(e, s.token_issuer_name);
  append_lp16(e, s.token_public_key);
  append(e, s.ceremony_id);
  append_u8(e, 2);
  append_u8(e, 2);
  append_u16(e, 2);
  for (const DealerCommitment& c : test::fixture_commitments()) append_lp16(e, c.encode());
  append(e, s.service_key);
  append(e, s.officer_key);
  append(e, s.page_hash);

  CHECK(base().canonical_bytes() == e);
  CHECK(base().election_id() == sha256(e));
  CHECK(s.token_public_key.size() == 342);
}

TEST_CASE("a manifest parses from its canonical bytes, byte for byte") {
  const Manifest back = must(Manifest::parse_canonical(base().canonical_bytes()));
  CHECK(back.canonical_bytes() == base().canonical_bytes());
  CHECK(back.election_id() == base().election_id());
  CHECK(back.spec().candidates == base().spec().candidates);
  CHECK(back.max_marks() == 7);
  CHECK(back.election_key().election_key() == base().election_key().election_key());

  // Without the optional fields too.
  ManifestSpec s = base_spec(1);
  s.kind.reset();
  s.description.reset();
  s.invalid_offered = false;
  s.tie_rule = TieRule::kRunoff;
  const Manifest m = must(Manifest::create(s));
  CHECK(m.max_marks() == 1);
  const Manifest m2 = must(Manifest::parse_canonical(m.canonical_bytes()));
  CHECK(m2.canonical_bytes() == m.canonical_bytes());
  CHECK_FALSE(m2.spec().kind.has_value());
  CHECK(m2.counting_rule().tie_rule == TieRule::kRunoff);
}

TEST_CASE("the election key, layout and token challenge follow from the manifest") {
  const Manifest& m = base();
  const DkgParams p = must(DkgParams::create(test::fixture_ceremony_id(), 2, 2));
  CHECK(verify_election_key(p, test::fixture_commitments(), m.election_key().election_key(),
                            m.election_key().public_shares())
            .is_ok());
  CHECK(m.elgamal_public_key().point() == m.election_key().election_key());
  CHECK(m.election_key().qual() == std::vector<TrusteeIndex>{1, 2});

  const BallotLayout layout = m.ballot_layout();
  CHECK(layout.candidates == 9);
  CHECK(layout.has_invalid);
  CHECK(layout.max_marks == 7);
  CHECK(layout.slot_count() == 11);

  const TokenChallenge& c = m.token_challenge();
  CHECK(to_string(c.issuer_name()) == "urne.example");
  CHECK(Bytes(c.redemption_context().begin(), c.redemption_context().end()) ==
        Bytes(m.election_id().begin(), m.election_id().end()));
  CHECK(c.origin_info().empty());
  CHECK(m.token_public_key().spki() == base_spec().token_public_key);

  SeededRng rng(3);
  const Token t = test::issue_token(m, rng);
  CHECK(m.token_verifier().verify(t).is_ok());
}

TEST_CASE("the election id changes with every field of the manifest") {
  using Mutation = std::function<void(ManifestSpec&)>;
  const std::vector<std::pair<const char*, Mutation>> mutations = {
      {"title", [](ManifestSpec& s) { s.title += "!"; }},
      {"kind", [](ManifestSpec& s) { s.kind = "Probewahl"; }},
      {"kind absent", [](ManifestSpec& s) { s.kind.reset(); }},
      {"description", [](ManifestSpec& s) { s.description = "Anders."; }},
      {"description absent", [](ManifestSpec& s) { s.description.reset(); }},
      {"roster", [](ManifestSpec& s) { s.roster_fingerprint[31] ^= 1; }},
      {"candidate name", [](ManifestSpec& s) { s.candidates[3].name += "a"; }},
      {"affiliation", [](ManifestSpec& s) { s.candidates[3].affiliation = "IZ"; }},
      {"candidate order", [](ManifestSpec& s) { std::swap(s.candidates[0], s.candidates[1]); }},
      {"candidate added",
       [](ManifestSpec& s) {
         s.candidates.push_back({"Neu", ""});
       }},
      {"candidate removed", [](ManifestSpec& s) { s.candidates.pop_back(); }},
      {"seats",
       [](ManifestSpec& s) {
         s.seats = 6;
         s.max_marks = 7;
       }},
      {"substitutes", [](ManifestSpec& s) { s.substitutes = 3; }},
      {"max_marks", [](ManifestSpec& s) { s.max_marks = 6; }},
      {"invalid_offered", [](ManifestSpec& s) { s.invalid_offered = false; }},
      {"tie_rule", [](ManifestSpec& s) { s.tie_rule = TieRule::kRunoff; }},
      {"lot seed", [](ManifestSpec& s) { s.lot_seed_commitment[0] ^= 1; }},
      {"issuer", [](ManifestSpec& s) { s.token_issuer_name = "urne2.example"; }},
      {"token key",
       [](ManifestSpec& s) {
         BlindRsaSecretKey sk = must(BlindRsaSecretKey::generate(2048));
         s.token_public_key = sk.public_key().spki();
       }},
      {"ceremony",
       [](ManifestSpec& s) {
         SeededRng rng(11);
         CeremonyId id = test::fixture_ceremony_id();
         id[0] ^= 1;
         const DkgParams p = must(DkgParams::create(id, 2, 2));
         s.ceremony_id = id;
         s.qual_commitments.clear();
         for (TrusteeIndex i = 1; i <= 2; ++i)
           s.qual_commitments.push_back(must(Dealer::generate(p, i, rng)).commitment());
       }},
      {"trustees",
       [](ManifestSpec& s) {
         // n = 3, k = 2 with dealers 1 and 2 qualified.
         SeededRng rng(12);
         const DkgParams p = must(DkgParams::create(s.ceremony_id, 3, 2));
         s.trustees = 3;
         s.qual_commitments.clear();
         for (TrusteeIndex i = 1; i <= 2; ++i)
           s.qual_commitments.push_back(must(Dealer::generate(p, i, rng)).commitment());
       }},
      {"service key", [](ManifestSpec& s) { s.service_key = ed25519_key(3); }},
      {"officer key", [](ManifestSpec& s) { s.officer_key = ed25519_key(4); }},
      {"page hash", [](ManifestSpec& s) { s.page_hash[5] ^= 0x40; }},
  };
  std::set<ElectionId> seen = {base().election_id()};
  for (const auto& entry : mutations) {
    const std::string name = entry.first;
    const Mutation& mutate = entry.second;
    ManifestSpec s = base_spec();
    mutate(s);
    CAPTURE(name);
    auto m = Manifest::create(std::move(s));
    REQUIRE(m.ok());
    CHECK(seen.insert(m->election_id()).second);
    CHECK(m->election_id() == sha256(m->canonical_bytes()));
    // The challenge follows the id.
    CHECK(m->token_challenge().digest() != base().token_challenge().digest());
  }
}

TEST_CASE("the order of the QUAL commitments given does not change the manifest") {
  ManifestSpec s = base_spec();
  std::swap(s.qual_commitments[0], s.qual_commitments[1]);
  CHECK(must(Manifest::create(s)).election_id() == base().election_id());
}

TEST_CASE("manifest fields outside their bounds are refused with their reason") {
  using Mutation = std::function<void(ManifestSpec&)>;
  const std::vector<std::pair<std::string, Mutation>> cases = {
      {"bad_length", [](ManifestSpec& s) { s.title = ""; }},
      {"bad_length", [](ManifestSpec& s) { s.title = std::string(201, 't'); }},
      {"forbidden_character", [](ManifestSpec& s) { s.title = "Wahl\n2026"; }},
      {"bad_length", [](ManifestSpec& s) { s.kind = ""; }},
      {"bad_length", [](ManifestSpec& s) { s.kind = std::string(101, 'k'); }},
      {"bad_length", [](ManifestSpec& s) { s.description = std::string(2001, 'd'); }},
      {"forbidden_character", [](ManifestSpec& s) { s.description = "a\tb"; }},
      {"missing_hash", [](ManifestSpec& s) { s.roster_fingerprint = {}; }},
      {"bad_candidate_count", [](ManifestSpec& s) { s.candidates.clear(); }},
      {"bad_candidate_count", [](ManifestSpec& s) { s.candidates.resize(101); }},
      {"bad_length", [](ManifestSpec& s) { s.candidates[2].name = ""; }},
      {"bad_length", [](ManifestSpec& s) { s.candidates[2].name = std::string(201, 'n'); }},
      {"bad_length", [](ManifestSpec& s) { s.candidates[2].affiliation = std::string(201, 'a'); }},
      {"surrounding_space", [](ManifestSpec& s) { s.candidates[2].name += " "; }},
      {"duplicate_candidate", [](ManifestSpec& s) { s.candidates[4].name = s.candidates[7].name; }},
      {"bad_seats", [](ManifestSpec& s) { s.seats = 0; }},
      {"bad_seats",
       [](ManifestSpec& s) {
         s.seats = 101;
         s.max_marks = 7;
       }},
      {"bad_substitutes", [](ManifestSpec& s) { s.substitutes = 101; }},
      {"bad_max_marks", [](ManifestSpec& s) { s.max_marks = 0; }},
      {"bad_max_marks", [](ManifestSpec& s) { s.max_marks = 10; }},  // > 9 candidates
      {"bad_max_marks",
       [](ManifestSpec& s) {
         s.candidates.resize(20);
         for (std::size_t i = 9; i < 20; ++i) s.candidates[i].name = "C" + std::to_string(i);
         s.max_marks = 17;
       }},
      {"bad_max_marks",
       [](ManifestSpec& s) {  // default min(seats, n) = 20 > 16
         s.candidates.resize(20);
         for (std::size_t i = 9; i < 20; ++i) s.candidates[i].name = "C" + std::to_string(i);
         s.seats = 20;
       }},
      {"bad_tie_rule", [](ManifestSpec& s) { s.tie_rule = static_cast<TieRule>(3); }},
      {"missing_hash", [](ManifestSpec& s) { s.lot_seed_commitment = {}; }},
      {"bad_issuer_name", [](ManifestSpec& s) { s.token_issuer_name = ""; }},
      {"bad_issuer_name", [](ManifestSpec& s) { s.token_issuer_name = "urne example"; }},
      {"bad_issuer_name", [](ManifestSpec& s) { s.token_issuer_name = std::string(256, 'u'); }},
      {"bad_public_key", [](ManifestSpec& s) { s.token_public_key[0] ^= 1; }},
      {"bad_public_key", [](ManifestSpec& s) { s.token_public_key.clear(); }},
      {"bad_dkg_params", [](ManifestSpec& s) { s.threshold = 1; }},
      {"bad_dkg_params", [](ManifestSpec& s) { s.trustees = 17; }},
      {"too_few_qualified", [](ManifestSpec& s) { s.qual_commitments.pop_back(); }},
      {"duplicate_dealer", [](ManifestSpec& s) { s.qual_commitments[1] = s.qual_commitments[0]; }},
      {"wrong_ceremony", [](ManifestSpec& s) { s.ceremony_id[3] ^= 1; }},
      {"bad_service_key", [](ManifestSpec& s) { s.service_key = {}; }},
      {"bad_officer_key", [](ManifestSpec& s) { s.officer_key = {}; }},
      {"same_service_and_officer_key", [](ManifestSpec& s) { s.officer_key = s.service_key; }},
      {"missing_hash", [](ManifestSpec& s) { s.page_hash = {}; }},
  };
  for (const auto& entry : cases) {
    const std::string& reason = entry.first;
    const Mutation& mutate = entry.second;
    ManifestSpec s = base_spec();
    mutate(s);
    CAPTURE(reason);
    CHECK(reason_of(Manifest::create(std::move(s))) == reason);
  }
}

TEST_CASE("commitments made for another number of trustees are refused") {
  // Same ceremony id and k, but the proofs were made for n = 3: such a
  // manifest could never be parsed back, so it cannot be created.
  SeededRng rng(13);
  const DkgParams p3 = must(DkgParams::create(test::fixture_ceremony_id(), 3, 2));
  ManifestSpec s = base_spec();
  s.qual_commitments.clear();
  for (TrusteeIndex i = 1; i <= 2; ++i)
    s.qual_commitments.push_back(must(Dealer::generate(p3, i, rng)).commitment());
  CHECK(reason_of(Manifest::create(s)) == "bad_proof");
  s.trustees = 3;
  CHECK(Manifest::create(s).ok());
}

TEST_CASE("manifest bounds are inclusive at their limits") {
  ManifestSpec s = base_spec(100);
  s.max_marks = 16;
  s.seats = 100;
  s.substitutes = 100;
  s.title = std::string(200, 't');
  s.token_issuer_name = std::string(255, 'u');
  const Manifest m = must(Manifest::create(s));
  CHECK(must(Manifest::parse_canonical(m.canonical_bytes())).election_id() == m.election_id());
  ManifestSpec one = base_spec(1);
  one.seats = 7;  // more seats than candidates is allowed; max_marks becomes 1
  CHECK(must(Manifest::create(one)).max_marks() == 1);
}

TEST_CASE("parse_canonical rejects truncation, trailing bytes and malformed fields") {
  const Bytes good = base().canonical_bytes();
  // Every truncation (a sample of lengths: each parse verifies DKG proofs).
  for (std::size_t len = 0; len < good.size(); len += (len < 64 ? 1 : 37)) {
    CAPTURE(len);
    CHECK(reason_of(Manifest::parse_canonical(ByteView(good).first(len))) == "truncated");
  }
  CHECK(reason_of(Manifest::parse_canonical(ByteView(good).first(good.size() - 1))) == "truncated");
  Bytes longer = good;
  longer.push_back(0);
  CHECK(reason_of(Manifest::parse_canonical(longer)) == "trailing_bytes");

  // Offsets into the base manifest.
  const ManifestSpec s = base_spec();
  std::size_t at = 2 + 16 + 2 + s.title.size();
  Bytes b = good;
  b[at] = 2;  // kind's flag
  CHECK(reason_of(Manifest::parse_canonical(b)) == "bad_optional_flag");

  at += 1 + 2 + s.kind->size() + 1 + 2 + s.description->size() + 32 + 2;
  for (const Candidate& c : s.candidates) at += 4 + c.name.size() + c.affiliation.size();
  const std::size_t invalid_offered_at = at + 12;
  b = good;
  b[invalid_offered_at] = 2;
  CHECK(reason_of(Manifest::parse_canonical(b)) == "bad_bool");
  b = good;
  b[invalid_offered_at + 1] = 0;
  CHECK(reason_of(Manifest::parse_canonical(b)) == "bad_tie_rule");

  // Bad UTF-8 in the title ("Wahl" -> "\xffahl").
  b = good;
  b[2 + 16 + 2] = 0xff;
  CHECK(reason_of(Manifest::parse_canonical(b)) == "bad_utf8");

  // QUAL in the other order: a second encoding of the same manifest.
  const std::size_t commitment_size = 2 + 99 + 64;
  const std::size_t qual_at = good.size() - 96 - 2 * commitment_size;
  b = good;
  std::swap_ranges(b.begin() + qual_at, b.begin() + qual_at + commitment_size,
                   b.begin() + qual_at + commitment_size);
  CHECK(reason_of(Manifest::parse_canonical(b)) == "not_canonical");
  // A garbled commitment fails its own parser (here: its proof).
  b = good;
  b[qual_at + commitment_size - 1] ^= 1;
  CHECK(reason_of(Manifest::parse_canonical(b)) != "ok");
  // QUAL count above n.
  b = good;
  b[qual_at - 1] = 3;
  CHECK(reason_of(Manifest::parse_canonical(b)) == "count_out_of_range");
}

TEST_CASE("byte changes in a manifest's encoding are rejected or give another election id") {
  const Bytes good = base().canonical_bytes();
  SeededRng rng(5);
  for (int round = 0; round < 150; ++round) {
    FixedBytes<3> r{};
    rng.fill(r);
    Bytes b = good;
    const std::size_t i = ((std::size_t{r[0]} << 8) | r[1]) % b.size();
    b[i] ^= static_cast<std::uint8_t>(r[2] | 1);
    auto parsed = Manifest::parse_canonical(b);
    if (parsed.ok()) {
      CAPTURE(i);
      CHECK(parsed->canonical_bytes() == b);
      CHECK(parsed->election_id() != base().election_id());
    }
  }
}

}  // namespace
}  // namespace urne
