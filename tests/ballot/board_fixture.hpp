// Test helper for the tally, result and audit tests: runs one whole election
// honestly and builds its bulletin board, the way the service, the
// institutions, the delegates and the trustees would:
//   - a roster of institutions whose keys are derived from fresh voting codes
//     and a credential context (crypto/credential.hpp);
//   - a k-of-n key ceremony (tests/crypto/dkg_fixture.hpp) whose QUAL
//     commitments go into the manifest, with the service's and officer's
//     Ed25519 keys and a committed lot seed;
//   - token issuance through crypto's Privacy Pass client and issuer, each
//     request signed by its institution, logged in institution order;
//   - ballots made with build_ballot from given or random choices, sorted by
//     hash, with receipts;
//   - sums, partial decryptions by a subset of >= k trustees, totals,
//     result, officer-signed transitions and the service's signatures.
// The plaintext totals of the choices are kept to check the decryption.
//
// Dishonest variants are made by editing a copy of `contents` and calling
// retally() (what a cheating service would recompute to stay consistent)
// and sign().
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ballot/audit.hpp"
#include "ballot/ballot.hpp"
#include "ballot/board.hpp"
#include "ballot/manifest.hpp"
#include "ballot/result.hpp"
#include "ballot/roster.hpp"
#include "ballot/tally.hpp"
#include "crypto/credential.hpp"
#include "crypto/dkg_fixture.hpp"
#include "crypto/privacy_pass.hpp"
#include "crypto/threshold.hpp"
#include "election_fixture.hpp"

namespace urne::test {

struct ElectionConfig {
  std::uint32_t candidates = 9;
  // The candidates' names and affiliations (their number is `candidates`);
  // unset: base_spec()'s numbered ones.
  std::optional<std::vector<Candidate>> candidate_names;
  std::string roster_title = "Herbsttagung 2026";
  bool invalid_offered = true;
  std::optional<std::uint32_t> max_marks;  // unset: min(seats, candidates)
  std::uint32_t seats = 7;
  std::uint32_t substitutes = 2;
  TieRule tie_rule = TieRule::kLot;
  unsigned trustees = 3;   // n
  unsigned threshold = 2;  // k
  std::size_t institutions = 6;
  std::size_t checked_in = 5;  // institutions that fetch a token (<= institutions)
  // The choices cast, one per voter (<= checked_in); unset: `voters` random
  // choices.
  std::optional<std::vector<Choice>> choices;
  std::size_t voters = 4;
  // Trustees that decrypt (ascending); empty: a random subset of >= k.
  std::vector<TrusteeIndex> decrypting;
  ElectionState last_state = ElectionState::kResultPublished;
};

inline std::uint32_t below(Rng& rng, std::uint32_t bound) {
  return static_cast<std::uint32_t>(rand_u64(rng) % bound);
}

// A random allowed choice: sometimes an abstention or (if offered) an invalid
// ballot, otherwise 1..max_marks distinct candidates.
inline Choice random_choice(const Manifest& m, Rng& rng) {
  const std::uint32_t roll = below(rng, 10);
  if (roll == 0) return Choice::abstention();
  if (roll == 1 && m.invalid_offered()) return Choice::invalid_ballot();
  const auto n = static_cast<std::uint32_t>(m.candidates().size());
  std::vector<std::uint32_t> all(n);
  for (std::uint32_t i = 0; i < n; ++i) all[i] = i;
  for (std::uint32_t i = n; i > 1; --i) std::swap(all[i - 1], all[below(rng, i)]);
  all.resize(1 + below(rng, m.max_marks()));
  return Choice::of_marks(all);
}

struct Election {
  ElectionConfig cfg;
  SeededRng rng;
  std::optional<Ed25519SigningKey> service;
  std::optional<Ed25519SigningKey> officer;
  std::vector<std::string> ids;            // roster order
  std::vector<InstitutionSecretKey> keys;  // [i] belongs to ids[i]
  std::optional<Roster> roster;
  FixedBytes<32> seed{};
  std::optional<Finished> dkg;
  std::optional<Manifest> manifest;
  std::vector<Token> tokens;  // of the checked-in institutions, in order
  std::vector<Choice> choices;
  Totals expected;  // plaintext sums of the choices
  std::optional<BoardContents> contents;
  std::optional<Board> board;
  std::vector<Receipt> receipts;

  const Manifest& m() const { return *manifest; }

  Election(ElectionConfig c, std::uint64_t rng_seed) : cfg(std::move(c)), rng(rng_seed) {}

  struct Issued {
    IssuanceEntry entry;
    Token token;
  };
  // A token for institution `i`, asked for with a signed request: the log
  // entry and the finalized token.
  Issued request_token(std::size_t i) {
    const TokenIssuer& issuer = fixture_issuer();
    PendingTokenRequest pending =
        must(create_token_request(issuer.public_key(), m().token_challenge(), rng));
    const InstitutionSignature sig = must(sign_token_request(
        keys[i], m().election_id(), ids[i], issuer.public_key().key_id(), pending.request.bytes()));
    TokenResponse response = must(issuer.evaluate(pending.request));
    Token token = must(finalize_token(issuer.public_key(), pending.state, response));
    return Issued{IssuanceEntry{ids[i], pending.request, sig}, token};
  }

  // A token issued without a log entry (what only the service could do).
  Token unlogged_token() { return issue_token(m(), rng); }

  std::vector<TrusteePartials> decrypt(const std::vector<CiphertextSum>& sums,
                                       const std::vector<TrusteeIndex>& trustees) {
    std::vector<TrusteePartials> out;
    for (TrusteeIndex j : trustees) {
      out.push_back(
          TrusteePartials{j, must(partial_decrypt_all(m().election_key(), dkg->shares[j - 1],
                                                      m().election_id(), sums, rng))});
    }
    return out;
  }

  // Recomputes everything after the ballots from `sums` (default: the sums
  // of c.ballots) with `trustees` (default: the configured ones), as a
  // service that wants a consistent-looking board would; the result is
  // derived without the service's own invariants (derive_with_any_seed),
  // so that dishonest boards can be built.
  void retally(BoardContents& c, std::optional<std::vector<CiphertextSum>> sums = std::nullopt,
               std::optional<std::vector<TrusteeIndex>> trustees = std::nullopt) {
    c.sums = sums ? *sums : must(compute_sums(m(), c.ballots));
    c.partials = decrypt(c.sums, trustees ? *trustees : cfg.decrypting);
    std::vector<FixedBytes<32>> hashes;
    for (const CastBallot& b : c.ballots) hashes.push_back(b.ballot_hash());
    const Totals totals = must(combine(m(), c.sums, c.partials, c.ballots.size()));
    ElectionResult r = must(result_detail::derive_with_any_seed(
        m(), c.roster, c.issuance.size(), hashes, totals, c.lot_seed.value_or(seed)));
    c.result = must(sign_result(*service, std::move(r)));
  }

  // Replaces the result by one made from edited data, signed by the service.
  void set_result(BoardContents& c, ResultData data) const {
    c.result = must(sign_result(*service, must(ElectionResult::create(std::move(data)))));
  }

  std::vector<StateTransition> transitions_up_to(ElectionState last) const {
    std::vector<StateTransition> out;
    std::uint32_t seq = 1;
    for (auto s = static_cast<std::uint8_t>(ElectionState::kPublished);
         s <= static_cast<std::uint8_t>(last); ++s, ++seq) {
      out.push_back(
          must(sign_transition(*officer, m().election_id(), static_cast<ElectionState>(s), seq)));
    }
    return out;
  }

  Board sign(BoardContents c) const { return must(Board::sign(std::move(c), *service)); }
};

inline Election make_election(ElectionConfig cfg, std::uint64_t seed) {
  REQUIRE(cfg.checked_in <= cfg.institutions);
  Election e(cfg, seed);
  Rng& rng = e.rng;
  e.service = Ed25519SigningKey::generate(rng);
  e.officer = Ed25519SigningKey::generate(rng);

  // Roster: ids sort as generated, keys from fresh codes.
  const CredentialContext context = CredentialContext::generate(rng);
  std::vector<Institution> institutions;
  for (std::size_t i = 0; i < cfg.institutions; ++i) {
    const std::string id = "inst-" + std::string(i < 10 ? "0" : "") + std::to_string(i);
    const VotingCode code = VotingCode::generate(rng);
    e.keys.push_back(must(InstitutionSecretKey::derive(code, context)));
    e.ids.push_back(id);
    institutions.push_back(
        Institution{id, "Einrichtung " + std::to_string(i), e.keys.back().public_key()});
  }
  e.roster = must(Roster::create(cfg.roster_title, context, std::move(institutions)));

  // Key ceremony among n trustees.
  const DkgParams p = must(DkgParams::create(ceremony_id(0x42), cfg.trustees, cfg.threshold));
  const Ceremony ceremony = start_ceremony(p, rng);
  e.dkg = finish_honest(ceremony);
  if (e.cfg.decrypting.empty()) {
    const unsigned count = rand_in(rng, cfg.threshold, cfg.trustees);
    e.cfg.decrypting = random_subset(rng, cfg.trustees, count);
  }
  std::sort(e.cfg.decrypting.begin(), e.cfg.decrypting.end());

  rng.fill(e.seed);
  ManifestSpec s = base_spec(cfg.candidates);
  if (cfg.candidate_names) {
    REQUIRE(cfg.candidate_names->size() == cfg.candidates);
    s.candidates = *cfg.candidate_names;
  }
  s.roster_fingerprint = e.roster->fingerprint();
  s.seats = cfg.seats;
  s.substitutes = cfg.substitutes;
  s.max_marks = cfg.max_marks;
  s.invalid_offered = cfg.invalid_offered;
  s.tie_rule = cfg.tie_rule;
  s.lot_seed_commitment = lot_seed_commitment(e.seed);
  s.ceremony_id = p.ceremony_id();
  s.trustees = cfg.trustees;
  s.threshold = cfg.threshold;
  s.qual_commitments = ceremony.commitments;
  s.service_key = e.service->public_key();
  s.officer_key = e.officer->public_key();
  e.manifest = must(Manifest::create(std::move(s)));

  BoardContents c{*e.manifest, *e.roster, {}, {}, {}, {}, {}, e.seed, std::nullopt};
  for (std::size_t i = 0; i < cfg.checked_in; ++i) {
    Election::Issued issued = e.request_token(i);
    c.issuance.push_back(issued.entry);
    e.tokens.push_back(issued.token);
  }

  if (cfg.choices) {
    e.choices = *cfg.choices;
  } else {
    for (std::size_t v = 0; v < cfg.voters; ++v) e.choices.push_back(random_choice(e.m(), rng));
  }
  REQUIRE(e.choices.size() <= e.tokens.size());
  e.expected.marks.assign(cfg.candidates, 0);
  for (std::size_t v = 0; v < e.choices.size(); ++v) {
    const Choice& ch = e.choices[v];
    BuiltBallot built = must(build_ballot(e.m(), e.tokens[v], ch, rng));
    c.ballots.push_back(std::move(built.ballot));
    for (std::uint32_t x : ch.marks) ++e.expected.marks[x];
    e.expected.abstentions += ch.abstain ? 1 : 0;
    e.expected.invalid += ch.invalid ? 1 : 0;
  }
  e.expected.ballots_cast = e.choices.size();
  std::sort(c.ballots.begin(), c.ballots.end(), [](const CastBallot& a, const CastBallot& b) {
    return a.ballot_hash() < b.ballot_hash();
  });
  for (const CastBallot& b : c.ballots) {
    e.receipts.push_back(must(issue_receipt(*e.service, e.m().election_id(), b.ballot_hash())));
  }

  c.sums = must(compute_sums(e.m(), c.ballots));
  if (cfg.last_state >= ElectionState::kTallied) {
    c.partials = e.decrypt(c.sums, e.cfg.decrypting);
  }
  if (cfg.last_state == ElectionState::kResultPublished) {
    const Totals totals = must(combine(e.m(), c.sums, c.partials, c.ballots.size()));
    std::vector<FixedBytes<32>> hashes;
    for (const CastBallot& b : c.ballots) hashes.push_back(b.ballot_hash());
    c.result = must(sign_result(*e.service, must(derive_result(e.m(), c.roster, c.issuance.size(),
                                                               hashes, totals, e.seed))));
  }
  c.transitions = e.transitions_up_to(cfg.last_state);
  e.contents = c;
  e.board = e.sign(c);
  return e;
}

// Ten voters of eleven institutions, 5 candidates for 2 seats + 2
// substitutes, one mark each; candidates 1 and 2 (0-based) tie at 2 marks
// for the second seat, so the lot decides who is elected and who is the
// first substitute. One abstention, one invalid ballot; trustees
// `decrypting` (2 of 3) decrypt.
inline ElectionConfig lot_election_config(std::vector<TrusteeIndex> decrypting) {
  ElectionConfig cfg;
  cfg.candidates = 5;
  cfg.seats = 2;
  cfg.substitutes = 2;
  cfg.max_marks = 1;
  cfg.trustees = 3;
  cfg.threshold = 2;
  cfg.institutions = 11;
  cfg.checked_in = 10;
  cfg.choices = std::vector<Choice>{
      Choice::of_marks({0}), Choice::of_marks({0}),   Choice::of_marks({0}), Choice::of_marks({1}),
      Choice::of_marks({1}), Choice::of_marks({2}),   Choice::of_marks({2}), Choice::of_marks({3}),
      Choice::abstention(),  Choice::invalid_ballot()};
  cfg.decrypting = std::move(decrypting);
  return cfg;
}

// The names of the failed checks, for messages.
inline std::string failures_of(const AuditReport& r) {
  std::string out;
  for (const std::string& n : r.failures()) {
    const AuditCheck* c = r.find(n);
    out += n + " (" + c->message + ")\n";
  }
  return out.empty() ? "none" : out;
}

}  // namespace urne::test
