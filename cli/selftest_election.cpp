#include "cli/selftest_election.hpp"

#include "cli/simulation.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <iomanip>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ballot/audit.hpp"
#include "ballot/ballot.hpp"
#include "ballot/board.hpp"
#include "ballot/counting.hpp"
#include "ballot/manifest.hpp"
#include "ballot/result.hpp"
#include "ballot/roster.hpp"
#include "ballot/tally.hpp"
#include "crypto/blind_rsa.hpp"
#include "crypto/credential.hpp"
#include "crypto/dkg.hpp"
#include "crypto/hash.hpp"
#include "crypto/privacy_pass.hpp"
#include "crypto/random.hpp"
#include "crypto/threshold.hpp"
#include "server/files.hpp"

namespace urne::cli {

namespace {

using sim::below;
using sim::candidate;
using sim::CeremonyResult;
using sim::Clock;
using sim::describe;
using sim::fixed1;
using sim::institution_id;
using sim::ms_since;
using sim::random_choice;
using sim::short_hex;
using sim::sorted;

}  // namespace

Status selftest_election(const ElectionSelftestOptions& opt, std::ostream& out) {
  if (opt.institutions < 1 || opt.institutions > Roster::kMaxInstitutions) {
    return invalid_argument("bad_selftest_option", "--institutions must be 1..10000");
  }
  if (opt.candidates < 1 || opt.candidates > Manifest::kMaxCandidates) {
    return invalid_argument("bad_selftest_option", "--candidates must be 1..100");
  }
  std::optional<SeededRng> seeded;
  SystemRng system_rng;
  Rng& rng = opt.seed ? static_cast<Rng&>(seeded.emplace(*opt.seed)) : system_rng;
  const auto t_all = Clock::now();

  out << "Whole election in one process (" << opt.institutions << " institutions, "
      << opt.candidates << " candidates, " << opt.threshold << "-of-" << opt.trustees
      << " trustees, " << (opt.seed ? "seed " + std::to_string(*opt.seed) : "fresh randomness")
      << ")\n";

  // ---- 1. Credential authority: codes, keys, roster ----------------------------------
  const CredentialContext context = CredentialContext::generate(rng);
  std::vector<std::string> ids;
  std::vector<VotingCode> codes;  // the letters' contents; in memory only
  std::vector<Institution> institutions;
  for (std::uint32_t i = 0; i < opt.institutions; ++i) {
    ids.push_back(institution_id(i, opt.institutions));
    codes.push_back(VotingCode::generate(rng));
    URNE_ASSIGN_OR_RETURN(InstitutionSecretKey key,
                          InstitutionSecretKey::derive(codes.back(), context));
    institutions.push_back(
        Institution{ids.back(), "Einrichtung " + std::to_string(i + 1), key.public_key()});
  }
  URNE_ASSIGN_OR_RETURN(Roster roster,
                        Roster::create("Herbsttagung 2026 (Selbsttest)", context, institutions));
  out << "1. Credential authority: " << roster.institutions().size() << " institutions ("
      << ids.front() << " .. " << ids.back() << "), one 24-symbol voting code each; credential "
      << "context " << short_hex(context.bytes()) << "; roster fingerprint "
      << roster.short_fingerprint() << ".\n"
      << "   The codes stay in this process's memory (real letters come later); the roster "
         "lists only the public keys derived from them.\n";

  // ---- 2. Trustees: key ceremony --------------------------------------------------------
  URNE_ASSIGN_OR_RETURN(CeremonyResult ceremony,
                        sim::run_key_ceremony(opt.trustees, opt.threshold, rng, out, 2));

  // ---- 3. Officer and service: keys, lot seed, manifest ------------------------------
  auto t0 = Clock::now();
  URNE_ASSIGN_OR_RETURN(BlindRsaSecretKey rsa, BlindRsaSecretKey::generate(2048));
  const double rsa_ms = ms_since(t0);
  URNE_ASSIGN_OR_RETURN(TokenIssuer issuer, TokenIssuer::create(std::move(rsa)));
  const Ed25519SigningKey service = Ed25519SigningKey::generate(rng);
  const Ed25519SigningKey officer = Ed25519SigningKey::generate(rng);
  FixedBytes<32> lot_seed{};
  rng.fill(lot_seed);

  ManifestSpec spec;
  spec.title = "Wahl des Sprecherrats 2026 (Selbsttest)";
  spec.kind = "Probewahl";
  spec.roster_fingerprint = roster.fingerprint();
  for (std::uint32_t i = 0; i < opt.candidates; ++i) spec.candidates.push_back(candidate(i));
  spec.seats = 7;
  spec.substitutes = 2;
  spec.max_marks = std::min<std::uint32_t>(7, opt.candidates);
  spec.invalid_offered = true;
  spec.tie_rule = TieRule::kLot;
  spec.lot_seed_commitment = lot_seed_commitment(lot_seed);
  spec.token_issuer_name = "urne.localhost";
  spec.token_public_key = issuer.public_key().spki();
  spec.ceremony_id = ceremony.params.ceremony_id();
  spec.trustees = opt.trustees;
  spec.threshold = opt.threshold;
  spec.qual_commitments = ceremony.commitments;
  spec.service_key = service.public_key();
  spec.officer_key = officer.public_key();
  // No voting page exists in the self-test; a labelled stand-in hash.
  spec.page_hash = sha256(as_bytes("urne selftest: no voting page"));
  URNE_ASSIGN_OR_RETURN(Manifest manifest, Manifest::create(std::move(spec)));
  const ElectionId& election_id = manifest.election_id();
  const CountingRule rule = manifest.counting_rule();
  out << "3. Officer and service: 2048-bit token key in " << fixed1(rsa_ms) << " ms (key id "
      << short_hex(issuer.public_key().key_id()) << "); service key "
      << short_hex(service.public_key()) << ", officer key " << short_hex(officer.public_key())
      << " (Ed25519); lot seed committed (" << short_hex(manifest.spec().lot_seed_commitment)
      << ").\n"
      << "   Manifest: " << manifest.candidates().size() << " candidates, " << rule.seats
      << " seats, " << rule.substitutes << " substitutes, max marks " << manifest.max_marks()
      << ", invalid offered, tie rule lot; election id " << short_hex(election_id) << ".\n";

  std::vector<StateTransition> transitions;
  auto transition = [&](ElectionState s) -> Status {
    URNE_ASSIGN_OR_RETURN(StateTransition t,
                          sign_transition(officer, election_id, s,
                                          static_cast<std::uint32_t>(transitions.size() + 1)));
    transitions.push_back(t);
    return Status::ok();
  };
  URNE_RETURN_IF_ERROR(transition(ElectionState::kPublished));

  // ---- 4. Check-in: one token per institution ----------------------------------------
  t0 = Clock::now();
  std::vector<IssuanceEntry> issuance;
  std::vector<Token> tokens;  // [i] belongs to ids[i]
  const TokenPublicKey& token_pk = manifest.token_public_key();
  for (std::uint32_t i = 0; i < opt.institutions; ++i) {
    // The delegate types the code; the device derives the key and checks it
    // against the published roster before using it.
    URNE_ASSIGN_OR_RETURN(InstitutionSecretKey key,
                          InstitutionSecretKey::derive(codes[i], context));
    const Institution* listed = roster.find(ids[i]);
    if (listed == nullptr) return internal_error("selftest_roster", ids[i] + " not on the roster");
    URNE_RETURN_IF_ERROR(check_listed_key(key.public_key(), listed->key));
    URNE_ASSIGN_OR_RETURN(PendingTokenRequest pending,
                          create_token_request(token_pk, manifest.token_challenge(), rng));
    URNE_ASSIGN_OR_RETURN(
        InstitutionSignature sig,
        sign_token_request(key, election_id, ids[i], token_pk.key_id(), pending.request.bytes()));
    // The issuer: the institution's signature first, then the blind signature.
    URNE_RETURN_IF_ERROR(verify_token_request(listed->key, election_id, ids[i], token_pk.key_id(),
                                              pending.request.bytes(), sig));
    URNE_ASSIGN_OR_RETURN(TokenResponse response, issuer.evaluate(pending.request));
    URNE_ASSIGN_OR_RETURN(Token token, finalize_token(token_pk, pending.state, response));
    issuance.push_back(IssuanceEntry{ids[i], pending.request, sig});
    tokens.push_back(token);
  }
  out << "4. Check-in: " << tokens.size() << " of " << opt.institutions
      << " institutions derived their key from their code, matched it against the roster, "
         "sent a blinded token request signed with it; the issuer verified "
      << issuance.size() << " signatures and blind-signed; " << tokens.size()
      << " tokens finalized and verified (" << fixed1(ms_since(t0)) << " ms).\n";

  // ---- 5. Voting ---------------------------------------------------------------------------
  URNE_RETURN_IF_ERROR(transition(ElectionState::kOpen));
  std::vector<CastBallot> box;
  std::vector<Receipt> receipts;
  std::set<TokenInput> spent;
  Totals expected;
  expected.marks.assign(opt.candidates, 0);
  double build_ms = 0;
  double verify_ms = 0;

  // The ballot box's intake: verify token and proofs, spend the token once,
  // sign a receipt.
  auto accept = [&](const CastBallot& ballot) -> Result<Receipt> {
    const auto tv = Clock::now();
    URNE_RETURN_IF_ERROR(verify_cast_ballot(manifest, ballot));
    verify_ms += ms_since(tv);
    if (!spent.insert(ballot.token().token_input()).second) {
      return failed_precondition("token_already_spent", "this token has already voted");
    }
    URNE_ASSIGN_OR_RETURN(Receipt r, issue_receipt(service, election_id, ballot.ballot_hash()));
    box.push_back(ballot);
    return r;
  };

  // Benaloh challenge by the first institution: build, spoil, open, compare.
  {
    const Choice choice = random_choice(manifest, 0, rng);
    URNE_ASSIGN_OR_RETURN(BuiltBallot spoiled, build_ballot(manifest, tokens[0], choice, rng));
    URNE_ASSIGN_OR_RETURN(Choice opened,
                          open_spoiled_ballot(manifest, spoiled.ballot, spoiled.randomness));
    if (!(opened == sorted(choice))) {
      return internal_error("selftest_spoiled_ballot_mismatch",
                            "the spoiled ballot opened to another choice");
    }
    out << "5. Benaloh challenge: " << ids[0] << " built a ballot (" << describe(sorted(choice))
        << "), spoiled it and revealed its " << spoiled.randomness.size()
        << " randomness values; opening it gives the same choice. "
        << "It is discarded and a fresh ballot is built for casting.\n";
  }

  for (std::uint32_t v = 0; v < opt.institutions; ++v) {
    const Choice choice = random_choice(manifest, v, rng);
    const auto tb = Clock::now();
    URNE_ASSIGN_OR_RETURN(BuiltBallot built, build_ballot(manifest, tokens[v], choice, rng));
    build_ms += ms_since(tb);
    URNE_ASSIGN_OR_RETURN(Receipt receipt, accept(built.ballot));
    receipts.push_back(receipt);
    for (std::uint32_t x : choice.marks) ++expected.marks[x];
    expected.abstentions += choice.abstain ? 1 : 0;
    expected.invalid += choice.invalid ? 1 : 0;
  }
  expected.ballots_cast = box.size();
  // A second ballot on a spent token must be refused.
  {
    URNE_ASSIGN_OR_RETURN(BuiltBallot again,
                          build_ballot(manifest, tokens[0], Choice::abstention(), rng));
    Result<Receipt> refused = accept(again.ballot);
    if (refused.ok()) {
      return internal_error("selftest_accepted_double_spend", "a token voted twice");
    }
    out << "   Voting: " << box.size() << " ballots accepted (" << expected.abstentions
        << " abstentions, " << expected.invalid << " invalid), each with token, "
        << "0/1 and "
        << "range proofs verified and a signed receipt; build "
        << fixed1(build_ms / static_cast<double>(box.size())) << " ms, verify "
        << fixed1(verify_ms / static_cast<double>(box.size() + 1)) << " ms per ballot on average.\n"
        << "   A second ballot on " << ids[0] << "'s token was refused ("
        << refused.status().reason() << ").\n";
  }

  // ---- 6. Close ---------------------------------------------------------------------------
  URNE_RETURN_IF_ERROR(transition(ElectionState::kClosed));
  std::sort(box.begin(), box.end(), [](const CastBallot& a, const CastBallot& b) {
    return a.ballot_hash() < b.ballot_hash();
  });
  out << "6. Close: the officer signed the transitions";
  for (const StateTransition& t : transitions)
    out << " " << state_name(t.state) << " (#" << t.sequence << ")";
  out << "; the lot seed " << short_hex(lot_seed) << " is revealed and matches its commitment: "
      << (lot_seed_matches(lot_seed, manifest.spec().lot_seed_commitment) ? "yes" : "NO") << ".\n";

  // ---- 7. Tally -------------------------------------------------------------------------------
  t0 = Clock::now();
  URNE_ASSIGN_OR_RETURN(std::vector<CiphertextSum> sums, compute_sums(manifest, box));
  BoardContents contents{manifest, roster, issuance, transitions, box,
                         sums,     {},     lot_seed, std::nullopt};
  URNE_ASSIGN_OR_RETURN(Board closed_board, Board::sign(contents, service));

  // Any k trustees will do: a random k-subset, ascending.
  std::vector<TrusteeIndex> decrypting;
  for (TrusteeIndex j = 1; j <= opt.trustees; ++j) decrypting.push_back(j);
  for (std::size_t i = decrypting.size(); i > 1; --i) {
    std::swap(decrypting[i - 1], decrypting[below(rng, static_cast<std::uint32_t>(i))]);
  }
  decrypting.resize(opt.threshold);
  std::sort(decrypting.begin(), decrypting.end());

  std::vector<TrusteePartials> partials;
  const ElectionKey& key = manifest.election_key();
  for (TrusteeIndex j : decrypting) {
    // Each trustee's tool audits the closed board and decrypts only the sums
    // it computed itself from the ballots (crypto-notes.md).
    const AuditReport pre = audit_board(closed_board, std::nullopt, AuditScope::kClosed);
    if (!pre.ok() || !pre.recomputed_sums()) {
      return internal_error("selftest_audit_failed",
                            "trustee " + std::to_string(j) + ": closed board audit failed");
    }
    const std::vector<CiphertextSum>& own = *pre.recomputed_sums();
    if (!same_sums(own, sums)) {
      return internal_error("selftest_sums_mismatch", "published sum differs from recomputed");
    }
    URNE_ASSIGN_OR_RETURN(std::vector<PartialDecryption> p,
                          partial_decrypt_all(key, ceremony.shares[j - 1], election_id, own, rng));
    partials.push_back(TrusteePartials{j, std::move(p)});
  }
  URNE_ASSIGN_OR_RETURN(Totals totals, combine(manifest, sums, partials, box.size()));
  URNE_RETURN_IF_ERROR(transition(ElectionState::kTallied));
  std::string who;
  for (TrusteeIndex j : decrypting) who += (who.empty() ? "" : ", ") + std::to_string(j);
  out << "7. Tally: " << sums.size() << " encrypted sums (one per slot) computed from "
      << box.size() << " ballots; trustees " << who << " each audited the closed board, "
      << "recomputed the sums and published " << sums.size()
      << " partial decryptions with proofs; combined: all proofs verified, totals recovered ("
      << fixed1(ms_since(t0)) << " ms).\n";
  if (!(totals == expected)) {
    return internal_error("selftest_totals_mismatch",
                          "the decrypted totals differ from the plaintext sums of the choices");
  }
  out << "   The decrypted totals equal the plaintext sums this self-test recorded.\n";

  // ---- 8. Result ------------------------------------------------------------------------------
  std::vector<FixedBytes<32>> hashes;
  for (const CastBallot& b : box) hashes.push_back(b.ballot_hash());
  URNE_ASSIGN_OR_RETURN(ElectionResult result,
                        derive_result(manifest, roster, issuance.size(), hashes, totals, lot_seed));
  URNE_ASSIGN_OR_RETURN(SignedResult signed_result, sign_result(service, std::move(result)));
  URNE_RETURN_IF_ERROR(transition(ElectionState::kResultPublished));
  contents.partials = partials;
  contents.transitions = transitions;
  contents.result = signed_result;
  URNE_ASSIGN_OR_RETURN(Board board, Board::sign(std::move(contents), service));
  URNE_RETURN_IF_ERROR(sim::print_result(board, out, 8));

  // ---- 9. Audit ------------------------------------------------------------------------------
  t0 = Clock::now();
  const Receipt& receipt = receipts[below(rng, static_cast<std::uint32_t>(receipts.size()))];
  const AuditReport audit = audit_board(board, receipt);
  out << "9. Audit of the signed board with the receipt " << receipt.short_hash() << " ("
      << fixed1(ms_since(t0)) << " ms):\n";
  URNE_RETURN_IF_ERROR(sim::print_audit(audit, out, "selftest_audit_failed"));
  // Only a board that passed its audit is saved (scripts/bench.sh keeps it).
  if (opt.board_out) {
    const Bytes bytes = board.canonical_bytes();
    URNE_RETURN_IF_ERROR(server::write_file_atomically(
        *opt.board_out, std::string(bytes.begin(), bytes.end()), 0644, "board_write_failed"));
  }
  out << "; the election is verified end to end (" << fixed1(ms_since(t_all) / 1000.0)
      << " s in all).\n";
  return Status::ok();
}

}  // namespace urne::cli
