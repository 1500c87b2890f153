#include "ballot/audit.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "ballot/canonical.hpp"
#include "crypto/dkg.hpp"

namespace urne {

// Appends checks to a report (a friend of AuditReport).
struct AuditBuilder {
  AuditReport report;

  void add(std::string_view name, CheckStatus status, std::string message) {
    report.checks_.push_back(AuditCheck{std::string(name), status, std::move(message)});
  }
  void pass(std::string_view name, std::string message) {
    add(name, CheckStatus::kPass, std::move(message));
  }
  void fail(std::string_view name, std::string message) {
    add(name, CheckStatus::kFail, std::move(message));
  }
  void not_applicable(std::string_view name, std::string message) {
    add(name, CheckStatus::kNotApplicable, std::move(message));
  }
  void set_fingerprint(const FixedBytes<32>& f) { report.fingerprint_ = f; }
  void set_sums(std::vector<CiphertextSum> sums) { report.sums_ = std::move(sums); }
  void set_totals(Totals totals) { report.totals_ = std::move(totals); }
  void status(std::string_view name, const Status& s, std::string pass_message) {
    if (s) {
      pass(name, std::move(pass_message));
    } else {
      fail(name, s.reason() + ": " + s.message());
    }
  }
};

namespace {

// The faults one check finds: all are counted, the first few are named in
// the message (a board with thousands of bad ballots should not produce a
// report of thousands of lines per check).
class Faults {
 public:
  void add(std::string what) {
    if (shown_.size() < kShown) shown_.push_back(std::move(what));
    ++count_;
  }
  bool any() const noexcept { return count_ > 0; }
  std::string message() const {
    std::string out;
    for (const std::string& s : shown_) out += (out.empty() ? "" : "; ") + s;
    if (count_ > shown_.size()) {
      out += "; and " + std::to_string(count_ - shown_.size()) + " more";
    }
    return out;
  }
  // Records the check: failed with the faults, or passed with `ok_message`.
  void conclude(AuditBuilder& b, std::string_view name, std::string ok_message) const {
    if (any()) {
      b.fail(name, message());
    } else {
      b.pass(name, std::move(ok_message));
    }
  }

 private:
  static constexpr std::size_t kShown = 5;
  std::vector<std::string> shown_;
  std::size_t count_ = 0;
};

std::string n_of(std::size_t n, std::string_view what) {
  return std::to_string(n) + " " + std::string(what);
}

std::string ballot_name(const CastBallot& b) {
  return "ballot " + short_fingerprint(b.ballot_hash());
}

std::string state_str(ElectionState s) { return std::string(state_name(s)); }

// ---- board and transitions --------------------------------------------------------

void check_phase(AuditBuilder& b, const Board& board, AuditScope scope) {
  const BoardContents& c = board.contents();
  const std::optional<ElectionState> phase = board.phase();
  if (!phase) {
    b.fail("board.phase", "the board has no state transitions");
    return;
  }
  const ElectionState p = *phase;
  Faults f;
  if (p < ElectionState::kClosed) {
    f.add("a board is published from the close on, its phase is " + state_str(p));
  }
  if (scope == AuditScope::kFinal && p != ElectionState::kResultPublished) {
    f.add("the board is not final: its phase is " + state_str(p));
  }
  if (p >= ElectionState::kClosed) {
    if (c.sums.empty()) f.add("no encrypted sums after the close");
    if (!c.lot_seed) f.add("the lot seed is not revealed after the close");
  }
  if (p == ElectionState::kClosed) {
    if (!c.partials.empty()) f.add("partial decryptions on a board that is not tallied");
    if (c.result) f.add("a result on a board that is not tallied");
  }
  if (p == ElectionState::kTallied) {
    if (c.partials.empty()) f.add("tallied without partial decryptions");
    if (c.result) f.add("a result before its publication");
  }
  if (p == ElectionState::kResultPublished) {
    if (c.partials.empty()) f.add("a published result without partial decryptions");
    if (!c.result) f.add("result_published without a result");
  }
  f.conclude(b, "board.phase", "phase " + state_str(p) + ", contents as required");
}

void check_transitions(AuditBuilder& b, const Manifest& m, const BoardContents& c) {
  if (c.transitions.empty()) {
    b.fail("transitions.signatures", "no state transitions on the board");
    b.fail("transitions.order", "no state transitions on the board");
    return;
  }
  Faults sig;
  for (const StateTransition& t : c.transitions) {
    if (Status s = verify_transition(m.spec().officer_key, m.election_id(), t); !s) {
      sig.add(s.message());
    }
  }
  sig.conclude(b, "transitions.signatures",
               n_of(c.transitions.size(), "transitions signed by the officer"));

  Faults order;
  for (std::size_t i = 0; i < c.transitions.size(); ++i) {
    const StateTransition& t = c.transitions[i];
    const auto expected =
        static_cast<ElectionState>(static_cast<std::size_t>(ElectionState::kPublished) + i);
    if (t.sequence != i + 1) {
      order.add("transition " + std::to_string(i + 1) + " has sequence " +
                std::to_string(t.sequence));
    }
    if (t.state != expected) {
      order.add("transition " + std::to_string(i + 1) + " is " + state_str(t.state) +
                ", expected " + state_str(expected));
    }
  }
  order.conclude(b, "transitions.order",
                 "published .. " + state_str(c.transitions.back().state) + " in order");
}

// ---- issuance -----------------------------------------------------------------------

// Returns the number of tokens justified by a valid entry: an institution of
// the roster, its first entry, this election's key, a valid signature.
std::size_t check_issuance(AuditBuilder& b, const Manifest& m, const BoardContents& c) {
  const std::vector<IssuanceEntry>& log = c.issuance;
  Faults order;
  for (std::size_t i = 1; i < log.size(); ++i) {
    if (log[i].institution_id < log[i - 1].institution_id) {
      order.add("entry " + std::to_string(i) + " (" + log[i].institution_id + ") after " +
                log[i - 1].institution_id);
    }
  }
  order.conclude(b, "issuance.order", n_of(log.size(), "entries in institution order"));

  Faults entitled;
  for (const IssuanceEntry& e : log) {
    if (c.roster.find(e.institution_id) == nullptr) {
      entitled.add(e.institution_id + " is not on the roster");
    }
  }
  entitled.conclude(b, "issuance.entitled", "every entry is an institution of the roster");

  Faults once;
  std::set<std::string> seen;
  std::vector<bool> first(log.size(), false);
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (seen.insert(log[i].institution_id).second) {
      first[i] = true;
    } else {
      once.add(log[i].institution_id + " got more than one token");
    }
  }
  once.conclude(b, "issuance.once_per_institution",
                n_of(seen.size(), "institutions, one token each"));

  const TokenPublicKey& token_key = m.token_public_key();
  Faults key;
  std::vector<bool> key_ok(log.size(), true);
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log[i].request.truncated_token_key_id() != token_key.truncated_key_id()) {
      key_ok[i] = false;
      key.add(log[i].institution_id + "'s request names another token key");
    }
  }
  key.conclude(b, "issuance.token_key", "every request names this election's token key");

  Faults sig;
  std::size_t checked = 0;
  std::size_t justified = 0;
  for (std::size_t i = 0; i < log.size(); ++i) {
    const IssuanceEntry& e = log[i];
    const Institution* inst = c.roster.find(e.institution_id);
    if (inst == nullptr) continue;  // issuance.entitled names it
    ++checked;
    const Status s = verify_token_request(inst->key, m.election_id(), e.institution_id,
                                          token_key.key_id(), e.request.bytes(), e.signature);
    if (!s) {
      sig.add(e.institution_id + ": " + s.reason());
    } else if (first[i] && key_ok[i]) {
      ++justified;
    }
  }
  sig.conclude(b, "issuance.signatures",
               n_of(checked, "requests signed by their institution for this election"));
  return justified;
}

// ---- ballots --------------------------------------------------------------------------

void check_ballots(AuditBuilder& b, const Manifest& m, const BoardContents& c,
                   std::size_t tokens_issued, const AuditProgress& progress) {
  const std::vector<CastBallot>& ballots = c.ballots;
  Faults order;
  for (std::size_t i = 1; i < ballots.size(); ++i) {
    if (ballots[i].ballot_hash() < ballots[i - 1].ballot_hash()) {
      order.add(ballot_name(ballots[i]) + " after " + ballot_name(ballots[i - 1]));
    }
  }
  order.conclude(b, "ballots.order", n_of(ballots.size(), "ballots in hash order"));

  Faults unique;
  std::vector<FixedBytes<32>> hashes;
  hashes.reserve(ballots.size());
  for (const CastBallot& x : ballots) hashes.push_back(x.ballot_hash());
  std::sort(hashes.begin(), hashes.end());
  for (std::size_t i = 1; i < hashes.size(); ++i) {
    if (hashes[i] == hashes[i - 1] && (i == 1 || hashes[i - 1] != hashes[i - 2])) {
      unique.add("ballot " + short_fingerprint(hashes[i]) + " is on the board more than once");
    }
  }
  unique.conclude(b, "ballots.unique", "no ballot twice");

  if (ballots.size() <= tokens_issued) {
    b.pass("ballots.count", n_of(ballots.size(), "ballots, ") +
                                n_of(tokens_issued, "tokens issued by valid entries"));
  } else {
    b.fail("ballots.count", n_of(ballots.size(), "ballots but only ") +
                                n_of(tokens_issued, "tokens issued by valid entries"));
  }

  Faults tokens;
  for (const CastBallot& x : ballots) {
    if (Status s = m.token_verifier().verify(x.token()); !s) {
      tokens.add(ballot_name(x) + ": " + s.reason());
    }
  }
  tokens.conclude(b, "ballots.tokens", "every token is valid for this election");

  Faults spent;
  std::set<TokenInput> inputs;
  for (const CastBallot& x : ballots) {
    if (!inputs.insert(x.token().token_input()).second) {
      spent.add(ballot_name(x) + " spends a token already spent");
    }
  }
  spent.conclude(b, "ballots.tokens_spent_once", "every token spent once");

  // The same function the ballot box runs before it accepts a ballot.
  Faults proofs;
  if (progress) progress("ballots.proofs", 0, ballots.size());
  for (std::size_t i = 0; i < ballots.size(); ++i) {
    const CastBallot& x = ballots[i];
    if (Status s = verify_cast_ballot(m, x); !s) {
      proofs.add(ballot_name(x) + ": " + s.reason() + " (" + s.message() + ")");
    }
    if (progress) progress("ballots.proofs", i + 1, ballots.size());
  }
  proofs.conclude(b, "ballots.proofs", n_of(ballots.size(), "ballots verify"));
}

void check_sums(AuditBuilder& b, const Manifest& m, const BoardContents& c) {
  auto recomputed = compute_sums(m, c.ballots);
  if (!recomputed.ok()) {
    b.fail("sums.recomputed", "cannot sum the ballots: " + recomputed.status().message());
    return;
  }
  b.set_sums(*recomputed);
  if (c.sums.empty()) {
    b.fail("sums.recomputed", "no sums are published");
    return;
  }
  if (c.sums.size() != recomputed->size()) {
    b.fail("sums.recomputed", n_of(c.sums.size(), "sums published, the ballot has ") +
                                  n_of(recomputed->size(), "slots"));
    return;
  }
  Faults f;
  for (std::size_t s = 0; s < c.sums.size(); ++s) {
    if (!same_sum(c.sums[s], (*recomputed)[s])) {
      f.add("slot " + std::to_string(s) + " is not the sum of the ballots on the board");
    }
  }
  f.conclude(b, "sums.recomputed",
             n_of(c.sums.size(), "sums equal the sums of ") + n_of(c.ballots.size(), "ballots"));
}

// ---- partial decryptions and totals -----------------------------------------------------

void check_partials(AuditBuilder& b, const Manifest& m, const BoardContents& c, bool applies) {
  constexpr std::string_view kNames[] = {"partials.order", "partials.proofs", "partials.threshold",
                                         "totals.decrypted"};
  if (!applies) {
    for (std::string_view n : kNames) b.not_applicable(n, "the board is not tallied yet");
    return;
  }
  const ElectionKey& key = m.election_key();
  const DkgParams& params = key.params();
  const std::size_t slots = m.ballot_layout().slot_count();

  Faults order;
  if (c.partials.empty()) order.add("no partial decryptions on the board");
  std::vector<bool> well_formed(c.partials.size(), true);
  for (std::size_t i = 0; i < c.partials.size(); ++i) {
    const TrusteePartials& t = c.partials[i];
    const std::string who = "trustee " + std::to_string(t.trustee);
    if (!params.is_trustee(t.trustee)) {
      order.add(who + " is not a trustee of this election");
      well_formed[i] = false;
    }
    if (i > 0 && t.trustee <= c.partials[i - 1].trustee) {
      order.add(who + " listed after trustee " + std::to_string(c.partials[i - 1].trustee));
      well_formed[i] = false;
    }
    if (t.partials.size() != slots) {
      order.add(who + " gave " + n_of(t.partials.size(), "partials for ") + n_of(slots, "sums"));
      well_formed[i] = false;
    }
    for (const PartialDecryption& p : t.partials) {
      if (p.trustee() != t.trustee) {
        order.add(who + "'s list holds a partial of trustee " + std::to_string(p.trustee()));
        well_formed[i] = false;
        break;
      }
    }
  }
  order.conclude(b, "partials.order", n_of(c.partials.size(), "trustees, in order"));

  // Each proof against the published sum of its slot and the trustee's
  // published public share (verify_partial_decryption looks X_j up in the
  // manifest's key). Whether the published sums are the ballots' own is
  // sums.recomputed's question.
  Faults proofs;
  std::vector<TrusteePartials> valid;
  std::size_t verified = 0;
  for (std::size_t i = 0; i < c.partials.size(); ++i) {
    const TrusteePartials& t = c.partials[i];
    bool all_ok = well_formed[i];
    const std::size_t n = std::min(t.partials.size(), c.sums.size());
    if (c.sums.size() != t.partials.size()) all_ok = false;
    for (std::size_t s = 0; s < n; ++s) {
      if (Status st = verify_partial_decryption(key, m.election_id(), c.sums[s], t.partials[s]);
          !st) {
        proofs.add("trustee " + std::to_string(t.trustee) + ", slot " + std::to_string(s) + ": " +
                   st.reason());
        all_ok = false;
      } else {
        ++verified;
      }
    }
    if (all_ok) valid.push_back(t);
  }
  proofs.conclude(b, "partials.proofs", n_of(verified, "partial decryption proofs verify"));

  if (valid.size() >= params.k()) {
    b.pass("partials.threshold",
           n_of(valid.size(), "trustees decrypted, ") + std::to_string(params.k()) + " needed");
  } else {
    b.fail("partials.threshold", n_of(valid.size(), "trustees with valid partials, ") +
                                     std::to_string(params.k()) + " needed");
  }

  auto totals = combine(m, c.sums, valid, c.ballots.size());
  if (!totals.ok()) {
    b.fail("totals.decrypted", totals.status().reason() + ": " + totals.status().message());
    return;
  }
  b.set_totals(*totals);
  b.pass("totals.decrypted", "the totals of " + n_of(c.ballots.size(), "ballots") +
                                 " decrypt from " + n_of(valid.size(), "trustees' partials"));
}

// ---- lot and result ----------------------------------------------------------------------

void check_result(AuditBuilder& b, const Board& board, bool applies) {
  const BoardContents& c = board.contents();
  const Manifest& m = c.manifest;
  constexpr std::string_view kNames[] = {"lot.ballot_set",     "result.election", "result.turnout",
                                         "result.totals",      "result.ranking",  "result.elected",
                                         "result.substitutes", "result.ties",     "result.lot",
                                         "result.exact",       "result.signature"};
  if (!applies) {
    for (std::string_view n : kNames) b.not_applicable(n, "the result is not published yet");
    return;
  }
  if (!c.result) {
    for (std::string_view n : kNames) b.fail(n, "the board has no result");
    return;
  }
  const ElectionResult& r = c.result->result;
  const std::vector<FixedBytes<32>> hashes = board.ballot_hashes();

  if (r.lot().ballot_set_hash == ballot_set_hash(hashes)) {
    b.pass("lot.ballot_set",
           "the lot used the hash of the " + n_of(hashes.size(), "ballots") + " on the board");
  } else {
    b.fail("lot.ballot_set", "the result's ballot set hash is not that of the board's ballots");
  }

  Faults election;
  if (r.election_id() != m.election_id()) election.add("the result names another election id");
  if (r.totals().marks.size() != m.candidates().size()) {
    election.add("the result has " + n_of(r.totals().marks.size(), "candidates, the manifest ") +
                 std::to_string(m.candidates().size()));
  }
  election.conclude(b, "result.election", "the result is this election's");

  Faults turnout;
  if (r.data().entitled != c.roster.institutions().size()) {
    turnout.add(n_of(r.data().entitled, "entitled in the result, ") +
                n_of(c.roster.institutions().size(), "on the roster"));
  }
  if (r.data().checked_in != c.issuance.size()) {
    turnout.add(n_of(r.data().checked_in, "checked in according to the result, ") +
                n_of(c.issuance.size(), "entries in the issuance log"));
  }
  if (r.totals().ballots_cast != c.ballots.size()) {
    turnout.add(n_of(r.totals().ballots_cast, "ballots cast according to the result, ") +
                n_of(c.ballots.size(), "on the board"));
  }
  turnout.conclude(b, "result.turnout",
                   std::to_string(r.data().entitled) + " entitled, " +
                       std::to_string(r.data().checked_in) + " checked in, " +
                       n_of(r.totals().ballots_cast, "ballots cast"));

  const std::optional<Totals>& decrypted = b.report.decrypted_totals();
  if (!decrypted) {
    b.fail("result.totals", "the totals could not be decrypted from the board's partials");
  } else if (!(*decrypted == r.totals())) {
    Faults f;
    const Totals& d = *decrypted;
    const Totals& p = r.totals();
    if (d.marks.size() == p.marks.size()) {
      for (std::size_t i = 0; i < d.marks.size(); ++i) {
        if (d.marks[i] != p.marks[i]) {
          f.add("candidate " + std::to_string(i) + ": " + std::to_string(p.marks[i]) +
                " published, " + std::to_string(d.marks[i]) + " decrypted");
        }
      }
    } else {
      f.add("a different number of candidates");
    }
    if (d.abstentions != p.abstentions) f.add("abstentions differ");
    if (d.invalid != p.invalid) f.add("invalid ballots differ");
    if (d.ballots_cast != p.ballots_cast) f.add("ballots cast differ");
    b.fail("result.totals", f.message());
  } else {
    b.pass("result.totals", "the published totals are the decrypted ones");
  }

  // Re-derive with what the board says: the decrypted totals if there are
  // any (else the published marks, counted against the board's ballots, so
  // that the counting rule is still checked), the board's revealed seed
  // (else the result's own), the board's ballots and issuance log.
  Totals totals = decrypted ? *decrypted : r.totals();
  totals.ballots_cast = c.ballots.size();
  const FixedBytes<32>& seed = c.lot_seed ? *c.lot_seed : r.lot().seed;
  auto derived =
      result_detail::derive_with_any_seed(m, c.roster, c.issuance.size(), hashes, totals, seed);
  if (!derived.ok()) {
    const std::string why = "cannot reproduce the result: " + derived.status().reason() + ": " +
                            derived.status().message();
    for (std::string_view n : {"result.ranking", "result.elected", "result.substitutes",
                               "result.ties", "result.lot", "result.exact"}) {
      b.fail(n, why);
    }
  } else {
    const CountOutcome& want = derived->outcome();
    const CountOutcome& got = r.outcome();
    if (same_ranking(want, got)) {
      b.pass("result.ranking", "the ranking reproduces");
    } else {
      b.fail("result.ranking", "the published ranking differs from the counting rule's");
    }
    if (want.elected == got.elected) {
      b.pass("result.elected", n_of(got.elected.size(), "elected reproduce in rank order"));
    } else {
      b.fail("result.elected", "the published elected differ from the counting rule's");
    }
    if (want.substitutes == got.substitutes) {
      b.pass("result.substitutes", n_of(got.substitutes.size(), "substitutes reproduce in order"));
    } else {
      b.fail("result.substitutes", "the published substitutes differ from the counting rule's");
    }
    if (same_ties(want, got)) {
      b.pass("result.ties", n_of(got.ties.size(), "tie groups reproduce"));
    } else {
      b.fail("result.ties", "the published ties or undecided places differ");
    }
    if (want.lot_drawn == got.lot_drawn && derived->lot() == r.lot()) {
      b.pass("result.lot", got.lot_drawn ? "the lot reproduces" : "no lot was needed");
    } else {
      b.fail("result.lot",
             "the published lot (drawn flag, seed, ballot set or keys) does not "
             "reproduce");
    }
    if (derived->canonical_bytes() == r.canonical_bytes()) {
      b.pass("result.exact", "the result is byte for byte the derived one");
    } else {
      b.fail("result.exact", "the result's bytes differ from the derived result's");
    }
  }

  b.status("result.signature", verify_result_signature(m.spec().service_key, *c.result),
           "the result is signed by the service key");
}

}  // namespace

std::string_view check_status_name(CheckStatus status) noexcept {
  switch (status) {
    case CheckStatus::kPass:
      return "pass";
    case CheckStatus::kFail:
      return "FAIL";
    case CheckStatus::kNotApplicable:
      return "n/a";
  }
  return "FAIL";
}

bool AuditReport::ok() const noexcept {
  return !checks_.empty() && std::none_of(checks_.begin(), checks_.end(), [](const AuditCheck& c) {
    return c.status == CheckStatus::kFail;
  });
}

const AuditCheck* AuditReport::find(std::string_view name) const noexcept {
  for (const AuditCheck& c : checks_) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

bool AuditReport::failed(std::string_view name) const noexcept {
  const AuditCheck* c = find(name);
  return c != nullptr && c->status == CheckStatus::kFail;
}

std::vector<std::string> AuditReport::failures() const {
  std::vector<std::string> out;
  for (const AuditCheck& c : checks_) {
    if (c.status == CheckStatus::kFail) out.push_back(c.name);
  }
  return out;
}

AuditReport audit_board(const Board& board, const std::optional<Receipt>& receipt, AuditScope scope,
                        const AuditProgress& progress) {
  AuditBuilder b;
  b.set_fingerprint(board.fingerprint());
  const BoardContents& c = board.contents();
  const Manifest& m = c.manifest;
  const std::optional<ElectionState> phase = board.phase();

  b.status("board.signature", verify_board_signature(board),
           "signed by the service key " + short_fingerprint(m.spec().service_key));
  check_phase(b, board, scope);
  check_transitions(b, m, c);

  if (m.spec().roster_fingerprint == c.roster.fingerprint()) {
    b.pass("manifest.roster",
           "the manifest names this roster (" + c.roster.short_fingerprint() + ")");
  } else {
    b.fail("manifest.roster", "the manifest names another roster than the board's");
  }

  const ElectionKey& key = m.election_key();
  b.status(
      "key.commitments",
      verify_election_key(key.params(), key.commitments(), key.election_key(), key.public_shares()),
      "the election key and " + n_of(key.public_shares().size(), "public shares") +
          " follow from the commitments of " + n_of(key.qual().size(), "dealers"));

  const std::size_t tokens_issued = check_issuance(b, m, c);
  check_ballots(b, m, c, tokens_issued, progress);
  check_sums(b, m, c);

  const bool partials_apply = scope == AuditScope::kFinal || !c.partials.empty() ||
                              (phase && *phase >= ElectionState::kTallied);
  check_partials(b, m, c, partials_apply);

  if (!c.lot_seed) {
    b.fail("lot.seed", "the lot seed is not revealed");
  } else if (lot_seed_matches(*c.lot_seed, m.spec().lot_seed_commitment)) {
    b.pass("lot.seed", "the revealed seed matches the manifest's commitment");
  } else {
    b.fail("lot.seed", "the revealed seed does not match the manifest's commitment");
  }

  const bool result_applies = scope == AuditScope::kFinal || c.result.has_value() ||
                              (phase && *phase == ElectionState::kResultPublished);
  check_result(b, board, result_applies);

  if (receipt) {
    b.status("receipt.signature", verify_receipt(m.spec().service_key, *receipt),
             "the receipt is signed by the service key");
    Faults f;
    if (receipt->election_id != m.election_id()) f.add("the receipt is of another election");
    const bool on_board = std::any_of(c.ballots.begin(), c.ballots.end(), [&](const CastBallot& x) {
      return x.ballot_hash() == receipt->ballot_hash;
    });
    if (!on_board) f.add("ballot " + receipt->short_hash() + " is not on the board");
    f.conclude(b, "receipt.on_board", "ballot " + receipt->short_hash() + " is on the board");
  }
  return std::move(b.report);
}

}  // namespace urne
