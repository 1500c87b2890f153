#include "cli/demo_election.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "ballot/audit.hpp"
#include "ballot/ballot.hpp"
#include "ballot/board.hpp"
#include "ballot/counting.hpp"
#include "ballot/manifest.hpp"
#include "ballot/roster.hpp"
#include "ballot/tally.hpp"
#include "cli/simulation.hpp"
#include "client/election_client.hpp"
#include "crypto/credential.hpp"
#include "crypto/hash.hpp"
#include "server/files.hpp"
#include "server/keys.hpp"

namespace urne::cli {
namespace {

using sim::Clock;
using sim::fixed1;
using sim::ms_since;
using sim::short_hex;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Status demo_election(const DemoElectionOptions& opt, std::ostream& out) {
  if (opt.institutions < 1 || opt.institutions > Roster::kMaxInstitutions || opt.candidates < 1 ||
      opt.candidates > Manifest::kMaxCandidates) {
    return invalid_argument("bad_demo_option", "institutions 1..10000, candidates 1..100");
  }
  SystemRng rng;
  const auto t_all = Clock::now();
  URNE_ASSIGN_OR_RETURN(const Ed25519SigningKey officer,
                        server::read_signing_key_file(opt.officer_key_file));
  URNE_ASSIGN_OR_RETURN(const client::Url url, client::parse_url(opt.server));
  URNE_ASSIGN_OR_RETURN(const client::TrustConfig trust,
                        client::TrustConfig::pinned_sha256(opt.fingerprint));
  URNE_ASSIGN_OR_RETURN(client::ElectionClient api, client::ElectionClient::connect(url, trust));
  URNE_ASSIGN_OR_RETURN(const Ed25519PublicKey service_key, api.service_key());
  out << "Whole election through " << url.to_string() << " (certificate pinned; "
      << opt.institutions << " institutions, " << opt.candidates << " candidates, " << opt.threshold
      << "-of-" << opt.trustees << " trustees)\n";

  // ---- 1. Credential authority ----
  // The keys are derived from the letters' codes.
  URNE_ASSIGN_OR_RETURN(sim::SimulatedRoster sim_roster,
                        sim::make_roster(opt.institutions, "Herbsttagung 2026 (Demo)", rng));
  const Roster& roster = sim_roster.roster;
  const std::vector<std::string>& ids = sim_roster.ids;
  const std::vector<InstitutionSecretKey>& keys = sim_roster.keys;
  out << "1. Credential authority: " << roster.institutions().size() << " voting codes; roster "
      << roster.short_fingerprint() << " with the public keys only.\n";

  // ---- 2. Trustees ----
  URNE_ASSIGN_OR_RETURN(const sim::CeremonyResult ceremony,
                        sim::run_key_ceremony(opt.trustees, opt.threshold, rng, out, 2));

  // ---- 3. Officer: roster, token key, manifest, publication ----
  auto t0 = Clock::now();
  URNE_RETURN_IF_ERROR(api.upload_roster(officer, roster, unix_now()));
  URNE_ASSIGN_OR_RETURN(const TokenPublicKey token_key, api.create_token_key(officer, unix_now()));
  FixedBytes<32> lot_seed{};
  rng.fill(lot_seed);
  ManifestSpec spec;
  spec.title = "Wahl des Sprecherrats 2026 (Demo)";
  spec.kind = "Probewahl";
  spec.roster_fingerprint = roster.fingerprint();
  for (std::uint32_t i = 0; i < opt.candidates; ++i) spec.candidates.push_back(sim::candidate(i));
  spec.max_marks = std::min<std::uint32_t>(7, opt.candidates);
  spec.invalid_offered = true;
  spec.lot_seed_commitment = lot_seed_commitment(lot_seed);
  spec.token_issuer_name = "urne.localhost";
  spec.token_public_key = Bytes(token_key.spki().begin(), token_key.spki().end());
  spec.ceremony_id = ceremony.params.ceremony_id();
  spec.trustees = opt.trustees;
  spec.threshold = opt.threshold;
  spec.qual_commitments = ceremony.commitments;
  spec.service_key = service_key;
  spec.officer_key = officer.public_key();
  spec.page_hash = sha256(as_bytes("urne demo: no voting page"));
  URNE_ASSIGN_OR_RETURN(const Manifest manifest, Manifest::create(std::move(spec)));
  const ElectionId& id = manifest.election_id();
  URNE_RETURN_IF_ERROR(api.create_election(officer, manifest, nullptr, unix_now()));
  std::uint32_t sequence = 0;
  auto move_to = [&](ElectionState s, std::optional<FixedBytes<32>> seed = {}) -> Status {
    return api.transition(officer, id, s, ++sequence, seed).status();
  };
  URNE_RETURN_IF_ERROR(move_to(ElectionState::kPublished));
  out << "3. Officer: roster uploaded, token key " << short_hex(token_key.key_id())
      << " made by the register, manifest with service key " << short_hex(service_key)
      << " created (election " << short_hex(id) << ") and published for check-in ("
      << fixed1(ms_since(t0)) << " ms).\n";

  // ---- 4. Check-in ----
  t0 = Clock::now();
  std::vector<Token> tokens;
  for (std::uint32_t i = 0; i < opt.institutions; ++i) {
    URNE_ASSIGN_OR_RETURN(Token t, api.fetch_token(manifest, ids[i], keys[i], rng));
    tokens.push_back(t);
  }
  out << "4. Check-in: " << tokens.size()
      << " institutions sent blinded requests signed with their code's key; every token "
         "unblinded and verified ("
      << fixed1(ms_since(t0)) << " ms).\n";

  // ---- 5. Voting ----
  URNE_RETURN_IF_ERROR(move_to(ElectionState::kOpen));
  t0 = Clock::now();
  {
    const Choice choice = sim::random_choice(manifest, 0, rng);
    URNE_ASSIGN_OR_RETURN(BuiltBallot spoiled, build_ballot(manifest, tokens[0], choice, rng));
    URNE_ASSIGN_OR_RETURN(Choice opened,
                          open_spoiled_ballot(manifest, spoiled.ballot, spoiled.randomness));
    if (!(opened == sim::sorted(choice))) {
      return internal_error("demo_spoiled_ballot_mismatch", "a spoiled ballot opened wrongly");
    }
  }
  Totals expected;
  expected.marks.assign(opt.candidates, 0);
  std::vector<Receipt> receipts;
  for (std::uint32_t v = 0; v < opt.institutions; ++v) {
    const Choice choice = sim::random_choice(manifest, v, rng);
    URNE_ASSIGN_OR_RETURN(BuiltBallot built, build_ballot(manifest, tokens[v], choice, rng));
    URNE_ASSIGN_OR_RETURN(const client::CastAnswer a, api.cast(manifest, built.ballot));
    receipts.push_back(a.receipt);
    for (std::uint32_t x : choice.marks) ++expected.marks[x];
    expected.abstentions += choice.abstain ? 1 : 0;
    expected.invalid += choice.invalid ? 1 : 0;
  }
  expected.ballots_cast = receipts.size();
  URNE_ASSIGN_OR_RETURN(const client::json open_board,
                        api.get_json("/api/v1/elections/" + hex_encode(id) + "/board"));
  out << "5. Voting: one Benaloh challenge opened correctly; " << receipts.size()
      << " ballots cast, each receipt verified with the service key (" << fixed1(ms_since(t0))
      << " ms). While open the board shows counts only: " << open_board["summary"].dump() << ".\n";

  // ---- 6. Close and tally ----
  t0 = Clock::now();
  URNE_RETURN_IF_ERROR(move_to(ElectionState::kClosed, lot_seed));
  URNE_ASSIGN_OR_RETURN(const Board closed, api.board(id));
  URNE_ASSIGN_OR_RETURN(const std::vector<CiphertextSum> sums, api.sums(id));
  std::vector<TrusteeIndex> decrypting;
  for (TrusteeIndex j = 1; j <= opt.trustees; ++j) decrypting.push_back(j);
  for (std::size_t i = decrypting.size(); i > 1; --i) {
    std::swap(decrypting[i - 1], decrypting[sim::below(rng, static_cast<std::uint32_t>(i))]);
  }
  decrypting.resize(opt.threshold);
  std::sort(decrypting.begin(), decrypting.end());
  for (TrusteeIndex j : decrypting) {
    // Each trustee audits the closed board and decrypts only the sums it
    // recomputed itself, after checking that the server's agree.
    const AuditReport pre = audit_board(closed, std::nullopt, AuditScope::kClosed);
    if (!pre.ok() || !pre.recomputed_sums()) {
      return internal_error("demo_audit_failed", "the closed board does not audit");
    }
    const auto& own = *pre.recomputed_sums();
    if (!same_sums(own, sums)) {
      return internal_error("demo_sums_mismatch", "the server's sums differ from the board's");
    }
    URNE_ASSIGN_OR_RETURN(
        std::vector<PartialDecryption> p,
        partial_decrypt_all(manifest.election_key(), ceremony.shares[j - 1], id, own, rng));
    URNE_RETURN_IF_ERROR(api.upload_partials(id, TrusteePartials{j, std::move(p)}).status());
  }
  URNE_RETURN_IF_ERROR(move_to(ElectionState::kTallied));
  URNE_RETURN_IF_ERROR(move_to(ElectionState::kResultPublished));
  out << "6. Close and tally: the seed revealed with the close; " << decrypting.size()
      << " trustees audited the closed board (" << closed.contents().ballots.size()
      << " ballots), recomputed the " << sums.size()
      << " sums, found the server's equal and uploaded partial decryptions; the officer signed "
         "tallied and result_published ("
      << fixed1(ms_since(t0)) << " ms).\n";

  // ---- 7. Result and audit ----
  URNE_ASSIGN_OR_RETURN(const Board board, api.board(id));
  if (opt.board_out) {
    const Bytes bytes = board.canonical_bytes();
    URNE_RETURN_IF_ERROR(server::write_file_atomically(
        *opt.board_out, std::string(bytes.begin(), bytes.end()), 0644, "board_write_failed"));
  }
  URNE_RETURN_IF_ERROR(sim::print_result(board, out, 7));
  if (!board.contents().result || !(board.contents().result->result.totals() == expected)) {
    return internal_error("demo_totals_mismatch",
                          "the published totals differ from the choices the delegates made");
  }
  out << "   The published totals equal the plaintext sums of the choices made here.\n";
  t0 = Clock::now();
  const Receipt& receipt = receipts[sim::below(rng, static_cast<std::uint32_t>(receipts.size()))];
  const AuditReport audit = audit_board(board, receipt);
  out << "8. Audit of the downloaded board " << board.short_fingerprint() << " with the receipt "
      << receipt.short_hash() << " (" << fixed1(ms_since(t0)) << " ms):\n";
  URNE_RETURN_IF_ERROR(sim::print_audit(audit, out, "demo_audit_failed"));
  out << "; the election over HTTPS is verified end to end (" << fixed1(ms_since(t_all) / 1000.0)
      << " s in all).\n";
  return Status::ok();
}

}  // namespace urne::cli
