#include "cli/simulation.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iomanip>
#include <string_view>
#include <utility>

#include "ballot/result.hpp"

namespace urne::cli::sim {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string short_hex(ByteView b) {
  return hex_encode(b.first(std::min<std::size_t>(8, b.size())));
}

std::uint32_t below(Rng& rng, std::uint32_t bound) {
  FixedBytes<8> b{};
  rng.fill(b);
  std::uint64_t v = 0;
  for (std::uint8_t x : b) v = (v << 8) | x;
  // The modulo bias is irrelevant for a self-test's choice of ballots.
  return static_cast<std::uint32_t>(v % bound);
}

namespace {

// Made-up candidates; beyond the list, numbered ones.
constexpr std::array<std::string_view, 16> kNames = {
    "Anna Bergmann",  "Mehmet Yılmaz",  "Sophie Laurent", "Jonas Weber",
    "Aylin Demir",    "Lukas Hoffmann", "Marta Kowalska", "Felix Braun",
    "Chiara Rossi",   "David Okafor",   "Lea Schmidt",    "Tomás García",
    "Hannah Fischer", "Nikolai Petrov", "Ines Wagner",    "Samuel Kim"};

}  // namespace

Candidate candidate(std::uint32_t i) {
  std::string name =
      i < kNames.size() ? std::string(kNames[i]) : "Kandidat:in " + std::to_string(i + 1);
  return Candidate{std::move(name), "Einrichtung " + std::to_string(i % 7 + 1)};
}

Result<SimulatedRoster> make_roster(std::uint32_t count, const std::string& title, Rng& rng) {
  const CredentialContext context = CredentialContext::generate(rng);
  std::vector<std::string> ids;
  std::vector<InstitutionSecretKey> keys;
  std::vector<Institution> institutions;
  for (std::uint32_t i = 0; i < count; ++i) {
    ids.push_back(institution_id(i, count));
    URNE_ASSIGN_OR_RETURN(InstitutionSecretKey key,
                          InstitutionSecretKey::derive(VotingCode::generate(rng), context));
    institutions.push_back(
        Institution{ids.back(), "Einrichtung " + std::to_string(i + 1), key.public_key()});
    keys.push_back(std::move(key));
  }
  URNE_ASSIGN_OR_RETURN(Roster roster, Roster::create(title, context, std::move(institutions)));
  return SimulatedRoster{std::move(roster), std::move(ids), std::move(keys)};
}

std::string institution_id(std::uint32_t i, std::uint32_t count) {
  // Zero-padded to one width so that the roster's bytewise order is the
  // numeric order (the issuance log must be ascending by id).
  const std::size_t width = std::max<std::size_t>(2, std::to_string(count).size());
  std::string n = std::to_string(i + 1);
  return "einrichtung-" + std::string(width - n.size(), '0') + n;
}

// Mostly marks for 1..max_marks random candidates, a few abstentions and
// invalid ballots (the second voter always votes invalid, so that the slot
// is exercised in every run).
Choice random_choice(const Manifest& m, std::size_t voter, Rng& rng) {
  if (voter == 1 && m.invalid_offered()) return Choice::invalid_ballot();
  const std::uint32_t roll = below(rng, 40);
  if (roll < 3) return Choice::abstention();
  if (roll == 3 && m.invalid_offered()) return Choice::invalid_ballot();
  const auto n = static_cast<std::uint32_t>(m.candidates().size());
  std::vector<std::uint32_t> all(n);
  for (std::uint32_t i = 0; i < n; ++i) all[i] = i;
  for (std::uint32_t i = n; i > 1; --i) std::swap(all[i - 1], all[below(rng, i)]);
  all.resize(1 + below(rng, m.max_marks()));
  return Choice::of_marks(std::move(all));
}

std::string describe(const Choice& c) {
  if (c.abstain) return "Enthaltung";
  if (c.invalid) return "ungültig";
  std::string s = "marks for candidates";
  for (std::uint32_t x : c.marks) s += " " + std::to_string(x + 1);
  return s;
}

Choice sorted(Choice c) {
  std::sort(c.marks.begin(), c.marks.end());
  return c;
}

namespace {

// One trustee of the ceremony: its box key pair and its dealer role.
struct TrusteeRole {
  BoxKeyPair box;
  Dealer dealer;
};

}  // namespace

Result<CeremonyResult> run_key_ceremony(unsigned n, unsigned k, Rng& rng, std::ostream& out,
                                        int step) {
  const auto t0 = Clock::now();
  CeremonyId ceremony_id{};
  rng.fill(ceremony_id);
  URNE_ASSIGN_OR_RETURN(DkgParams params, DkgParams::create(ceremony_id, n, k));

  std::vector<TrusteeRole> trustees;
  std::vector<DealerCommitment> commitments;
  for (TrusteeIndex i = 1; i <= n; ++i) {
    BoxKeyPair box = BoxKeyPair::generate(rng);
    URNE_ASSIGN_OR_RETURN(Dealer dealer, Dealer::generate(params, i, rng));
    URNE_ASSIGN_OR_RETURN(DealerCommitment published,
                          DealerCommitment::parse(dealer.commitment().encode(), params));
    commitments.push_back(std::move(published));
    trustees.push_back(TrusteeRole{std::move(box), std::move(dealer)});
  }

  // Every dealer boxes a share for every other trustee; every recipient
  // opens it and checks it against the dealer's commitments.
  std::vector<std::vector<DealtShare>> dealt(n);
  std::vector<Complaint> complaints;
  std::size_t delivered = 0;
  for (TrusteeIndex j = 1; j <= n; ++j) dealt[j - 1].push_back(trustees[j - 1].dealer.own_share());
  for (TrusteeIndex i = 1; i <= n; ++i) {
    for (TrusteeIndex j = 1; j <= n; ++j) {
      if (i == j) continue;
      URNE_ASSIGN_OR_RETURN(EncryptedShare enc,
                            trustees[i - 1].dealer.encrypt_share(
                                j, trustees[i - 1].box, trustees[j - 1].box.public_key(), rng));
      ReceivedShare r = receive_share(params, commitments[i - 1], enc.encode(), j,
                                      trustees[j - 1].box, trustees[i - 1].box.public_key());
      if (r.share) {
        dealt[j - 1].push_back(std::move(*r.share));
        ++delivered;
      } else if (r.complaint) {
        complaints.push_back(*r.complaint);
      }
    }
  }
  URNE_ASSIGN_OR_RETURN(CeremonyOutcome outcome,
                        resolve_ceremony(params, commitments, complaints, {}));
  if (!complaints.empty() || !outcome.disqualified.empty()) {
    return internal_error("selftest_ceremony_complaints",
                          std::to_string(complaints.size()) + " complaints in an honest ceremony");
  }
  std::vector<SecretShare> shares;
  for (TrusteeIndex j = 1; j <= n; ++j) {
    URNE_ASSIGN_OR_RETURN(SecretShare s, SecretShare::assemble(outcome.key, j, dealt[j - 1]));
    shares.push_back(std::move(s));
  }
  out << step << ". Trustees: " << n << " trustees ran the key ceremony (threshold " << k << " of "
      << n << ", ceremony " << short_hex(ceremony_id) << "). Each dealt a secret polynomial and "
      << "published its commitments; " << delivered
      << " shares were delivered encrypted (crypto_box), each checked against its dealer's "
         "commitments: 0 complaints, QUAL = all "
      << outcome.key.qual().size() << ".\n"
      << "   Election key " << short_hex(outcome.key.election_key().bytes()) << " and the " << n
      << " public shares follow from the commitments; each trustee assembled and checked its own "
         "share. Nobody holds the whole key. ("
      << fixed1(ms_since(t0)) << " ms)\n";
  return CeremonyResult{params, std::move(commitments), std::move(shares)};
}

Status print_result(const Board& board, std::ostream& out, int step) {
  URNE_ASSIGN_OR_RETURN(ResultReport rep, board.report());
  const Manifest& manifest = board.manifest();
  auto name_of = [&](std::uint32_t c) { return manifest.candidates()[c].name; };
  out << step << ". Result (Wahlniederschrift): " << rep.title << "\n"
      << "   institutions entitled " << rep.entitled << ", checked in " << rep.checked_in
      << ", ballots cast " << rep.ballots_cast << ", abstentions " << rep.abstentions
      << ", invalid " << rep.invalid << ", valid " << rep.valid << "\n"
      << "   marks per candidate, by rank:\n";
  std::vector<ReportCandidate> by_rank = rep.candidates;
  std::sort(by_rank.begin(), by_rank.end(),
            [](const ReportCandidate& a, const ReportCandidate& b) { return a.rank < b.rank; });
  for (const ReportCandidate& c : by_rank) {
    out << "     " << std::setw(3) << c.rank << ". " << c.name << " (" << c.affiliation
        << "): " << c.marks << "\n";
  }
  out << "   elected:";
  for (std::size_t i = 0; i < rep.elected.size(); ++i) {
    out << (i ? ", " : " ") << i + 1 << ". " << name_of(rep.elected[i]);
  }
  out << "\n   substitutes:";
  for (std::size_t i = 0; i < rep.substitutes.size(); ++i) {
    out << (i ? ", " : " ") << i + 1 << ". " << name_of(rep.substitutes[i]);
  }
  out << "\n";
  if (rep.ties.empty()) out << "   ties: none\n";
  for (const ReportTie& t : rep.ties) {
    out << "   tie at " << t.marks << " marks, ranks " << t.first_rank << ".." << t.last_rank
        << " among ";
    for (std::size_t i = 0; i < t.members.size(); ++i) {
      out << (i ? ", " : "") << name_of(t.members[i]);
    }
    out << ":";
    switch (t.resolution) {
      case TieResolution::kNotNeeded:
        out << " changes nothing, no lot\n";
        break;
      case TieResolution::kLot:
        out << " settled by lot, drawn order:";
        for (const LotKey& lk : t.drawn_order) {
          out << " " << name_of(lk.candidate) << " (" << short_hex(lk.key) << ")";
        }
        out << "\n";
        break;
      case TieResolution::kRunoff:
        out << " runoff needed\n";
        break;
    }
  }
  out << "   board fingerprint " << rep.board_fingerprint_short << " ("
      << board.contents().ballots.size() << " ballots, " << board.canonical_bytes().size()
      << " bytes, signed by the service)\n";

  return Status::ok();
}

Status print_audit(const AuditReport& audit, std::ostream& out, std::string_view failure_reason) {
  for (const AuditCheck& c : audit.checks()) {
    out << "   " << std::left << std::setw(31) << c.name << std::right << " "
        << (c.status == CheckStatus::kPass ? std::string_view("PASS")
                                           : check_status_name(c.status));
    if (c.status == CheckStatus::kFail) out << "  " << c.message;
    out << "\n";
  }
  if (!audit.ok()) {
    std::string failed;
    for (const std::string& n : audit.failures()) failed += (failed.empty() ? "" : ", ") + n;
    out << "Verdict: the audit FAILED (" << failed << ").\n";
    return internal_error(std::string(failure_reason), failed);
  }
  std::size_t passed = 0;
  for (const AuditCheck& c : audit.checks()) passed += c.status == CheckStatus::kPass ? 1 : 0;
  out << "Verdict: all " << passed << " of " << audit.checks().size() << " checks pass";
  return Status::ok();
}

}  // namespace urne::cli::sim
