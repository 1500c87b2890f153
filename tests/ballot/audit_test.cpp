#include "ballot/audit.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "board_fixture.hpp"

namespace urne {
namespace {

using test::Election;
using test::ElectionConfig;
using test::failures_of;
using test::make_election;
using test::must;

// Everyone checked in voted, so that one more ballot exceeds the tokens.
ElectionConfig shared_config() {
  ElectionConfig cfg;
  cfg.candidates = 9;
  cfg.trustees = 3;
  cfg.threshold = 2;
  cfg.institutions = 7;
  cfg.checked_in = 6;
  cfg.voters = 6;
  cfg.decrypting = {1, 3};
  return cfg;
}

// One honest election per test binary; tests edit copies of its contents.
Election& shared() {
  static Election e = make_election(shared_config(), 0xa0d17);
  return e;
}

AuditReport audit(const Board& b, const std::optional<Receipt>& receipt = std::nullopt,
                  AuditScope scope = AuditScope::kFinal) {
  return audit_board(b, receipt, scope);
}

// The board made from edited contents fails exactly on `expected` (at
// least) and still passes the checks in `still_pass`.
void expect_failures(const Board& board, const std::vector<std::string>& expected,
                     const std::vector<std::string>& still_pass = {"board.signature"}) {
  const AuditReport r = audit(board);
  INFO("failed: " << failures_of(r));
  CHECK_FALSE(r.ok());
  for (const std::string& name : expected) {
    INFO("check " << name);
    CHECK(r.failed(name));
  }
  for (const std::string& name : still_pass) {
    INFO("check " << name);
    REQUIRE(r.find(name) != nullptr);
    CHECK(r.find(name)->status == CheckStatus::kPass);
  }
}

TEST_CASE("honest boards of random elections pass every check and decrypt to the plaintext sums") {
  SeededRng pick(77);
  for (int round = 0; round < 14; ++round) {
    ElectionConfig cfg;
    cfg.candidates = 1 + test::below(pick, 20);
    cfg.invalid_offered = test::below(pick, 2) == 1;
    cfg.seats = 1 + test::below(pick, 8);
    cfg.substitutes = test::below(pick, 3);
    cfg.max_marks = 1 + test::below(pick, std::min<std::uint32_t>(cfg.candidates, cfg.seats));
    cfg.tie_rule = test::below(pick, 2) == 0 ? TieRule::kLot : TieRule::kRunoff;
    cfg.trustees = 2 + test::below(pick, 3);
    cfg.threshold = 2 + test::below(pick, cfg.trustees - 1);
    cfg.institutions = 1 + test::below(pick, 8);
    cfg.checked_in = test::below(pick, static_cast<std::uint32_t>(cfg.institutions) + 1);
    cfg.voters = test::below(pick, static_cast<std::uint32_t>(cfg.checked_in) + 1);
    INFO("round " << round << ": " << cfg.candidates << " candidates, " << cfg.threshold << "-of-"
                  << cfg.trustees << ", " << cfg.voters << " ballots");
    const Election e = make_election(cfg, 1000 + static_cast<std::uint64_t>(round));

    const AuditReport r = audit(*e.board);
    INFO("failed: " << failures_of(r));
    CHECK(r.ok());
    // Under kFinal without a receipt every check but the receipt's runs and passes.
    CHECK(r.checks().size() == kAuditChecks.size() - 2);
    for (std::size_t i = 0; i < r.checks().size(); ++i) {
      CHECK(r.checks()[i].name == kAuditChecks[i]);
      CHECK(r.checks()[i].status == CheckStatus::kPass);
    }
    REQUIRE(r.decrypted_totals().has_value());
    CHECK(*r.decrypted_totals() == e.expected);
    CHECK(e.board->contents().result->result.totals() == e.expected);
    for (const Receipt& receipt : e.receipts) CHECK(receipt_on_board(*e.board, receipt).is_ok());
    if (!e.receipts.empty()) {
      const AuditReport with_receipt = audit(*e.board, e.receipts.front());
      CHECK(with_receipt.ok());
      CHECK(with_receipt.checks().size() == kAuditChecks.size());
    }
  }
}

TEST_CASE("a board survives its canonical encoding and still audits") {
  const Board& b = *shared().board;
  const Bytes bytes = b.canonical_bytes();
  const Board parsed = must(Board::parse_canonical(bytes));
  CHECK(parsed.canonical_bytes() == bytes);
  CHECK(parsed.fingerprint() == b.fingerprint());
  CHECK(parsed.short_fingerprint().size() == 19);
  CHECK(audit(parsed).ok());

  Bytes truncated(bytes.begin(), bytes.end() - 1);
  CHECK_FALSE(Board::parse_canonical(truncated).ok());
  Bytes longer = bytes;
  longer.insert(longer.end() - 64, 0x00);
  CHECK(test::reason_of(Board::parse_canonical(longer)) == "trailing_bytes");
  CHECK_FALSE(Board::parse_canonical({}).ok());
}

TEST_CASE("a board with any byte changed fails to parse or fails the audit") {
  const Bytes bytes = shared().board->canonical_bytes();
  SeededRng rng(0xf1a9);
  int parsed = 0;
  for (int round = 0; round < 40; ++round) {
    Bytes changed = bytes;
    const std::size_t at = test::below(rng, static_cast<std::uint32_t>(bytes.size()));
    changed[at] ^= static_cast<std::uint8_t>(1 + test::below(rng, 255));
    auto board = Board::parse_canonical(changed);
    if (!board.ok()) continue;
    ++parsed;
    INFO("byte " << at);
    const AuditReport r = audit(*board);
    CHECK_FALSE(r.ok());
    CHECK(r.failed("board.signature"));
  }
  CHECK(parsed > 0);  // most bytes are ciphertexts, proofs and signatures
}

TEST_CASE("the board signature covers every byte of the contents") {
  const Election& e = shared();
  Bytes bytes = e.board->canonical_bytes();
  bytes.back() ^= 0x01;
  expect_failures(must(Board::parse_canonical(bytes)), {"board.signature"}, {"ballots.proofs"});

  // Other contents under the old signature.
  BoardContents c = *e.contents;
  c.lot_seed->at(0) ^= 0x01;
  Bytes forged = e.sign(c).contents_bytes();
  append(forged, e.board->signature());
  const AuditReport r = audit(must(Board::parse_canonical(forged)));
  CHECK(r.failed("board.signature"));
  CHECK(r.failed("lot.seed"));
}

TEST_CASE("a changed total is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  ResultData d = c.result->result.data();
  d.totals.marks[0] = d.totals.marks[0] > 0 ? d.totals.marks[0] - 1 : 1;
  e.set_result(c, d);
  expect_failures(e.sign(c), {"result.totals", "result.exact"},
                  {"board.signature", "result.signature", "totals.decrypted"});
}

TEST_CASE("a reordered result is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  ResultData d = c.result->result.data();
  REQUIRE(d.outcome.elected.size() >= 2);
  std::swap(d.outcome.elected[0], d.outcome.elected[1]);
  std::swap(d.outcome.ranking[0], d.outcome.ranking[1]);
  e.set_result(c, d);
  expect_failures(e.sign(c), {"result.elected", "result.ranking", "result.exact"},
                  {"board.signature", "result.totals", "result.signature"});

  // Substitutes swapped.
  d = e.contents->result->result.data();
  if (d.outcome.substitutes.size() == 2) {
    std::swap(d.outcome.substitutes[0], d.outcome.substitutes[1]);
    e.set_result(c, d);
    expect_failures(e.sign(c), {"result.substitutes"});
  }
}

TEST_CASE("a result not signed by the service is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  c.result->signature[7] ^= 0x02;
  expect_failures(e.sign(c), {"result.signature"}, {"board.signature", "result.exact"});
  CHECK(test::reason_of(verify_result_signature(e.m().spec().service_key, *c.result)) ==
        "result_signature_invalid");

  // Signed by the officer instead.
  c.result = must(sign_result(*e.officer, e.contents->result->result));
  expect_failures(e.sign(c), {"result.signature"});
}

TEST_CASE("signing keys come back from their seed and sign verifiably") {
  SeededRng rng(5);
  const Ed25519SigningKey k = Ed25519SigningKey::generate(rng);
  const SecretBytes seed = k.export_seed();
  const Ed25519SigningKey again = must(Ed25519SigningKey::from_seed(seed.view()));
  CHECK(again.public_key() == k.public_key());
  const Bytes msg = {1, 2, 3};
  const Ed25519Signature sig = must(k.sign(msg));
  CHECK(ed25519_verify(k.public_key(), msg, sig));
  CHECK(must(again.sign(msg)) == sig);  // Ed25519 is deterministic
  Ed25519Signature bad = sig;
  bad[63] ^= 0x01;
  CHECK_FALSE(ed25519_verify(k.public_key(), msg, bad));
  CHECK_FALSE(ed25519_verify(k.public_key(), Bytes{1, 2, 4}, sig));
  CHECK(test::reason_of(Ed25519SigningKey::from_seed(ByteView(seed.view()).first(31))) ==
        "bad_seed");
  // The service's key cannot sign a board of a manifest naming another key.
  CHECK(test::reason_of(Board::sign(*shared().contents, k)) == "wrong_service_key");
}

TEST_CASE("a lot seed that does not match its commitment is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  FixedBytes<32> other = e.seed;
  other[5] ^= 0x40;
  c.lot_seed = other;
  e.retally(c);  // the result consistently made with the other seed
  expect_failures(e.sign(c), {"lot.seed"}, {"board.signature", "result.exact", "result.lot"});

  // The seed withheld.
  c.lot_seed.reset();
  expect_failures(e.sign(c), {"lot.seed", "board.phase"});
}

TEST_CASE("fewer than k partial decryptions are caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  c.partials.resize(1);  // k = 2
  expect_failures(e.sign(c), {"partials.threshold", "totals.decrypted", "result.totals"},
                  {"board.signature", "partials.proofs", "result.ranking"});

  // No partials at all on a board that claims a result.
  c.partials.clear();
  expect_failures(e.sign(c), {"partials.threshold", "board.phase"});
}

TEST_CASE("a partial decryption of another sum or by a stranger is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  std::swap(c.partials[0].partials[0], c.partials[0].partials[1]);
  expect_failures(e.sign(c), {"partials.proofs", "partials.threshold"});

  c = *e.contents;
  c.partials[1].trustee = c.partials[0].trustee;  // listed twice, one list mislabelled
  expect_failures(e.sign(c), {"partials.order"});
}

TEST_CASE("a ballot counted twice is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  c.ballots.insert(c.ballots.begin() + 1, c.ballots[1]);
  e.retally(c);  // sums, partials and result all include it twice
  expect_failures(e.sign(c), {"ballots.unique", "ballots.tokens_spent_once", "ballots.count"},
                  {"board.signature", "ballots.order", "sums.recomputed", "result.exact"});
}

TEST_CASE("a ballot dropped from the sums is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  std::vector<CastBallot> fewer = c.ballots;
  fewer.erase(fewer.begin() + 2);
  e.retally(c, must(compute_sums(e.m(), fewer)));
  expect_failures(e.sign(c), {"sums.recomputed"},
                  {"board.signature", "ballots.proofs", "partials.proofs", "totals.decrypted",
                   "result.totals"});
}

TEST_CASE("a ballot whose proofs belong to another token is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  // Ballot 0's token with ballot 1's ciphertexts and proofs.
  c.ballots[0] = must(CastBallot::create(c.ballots[0].token(), c.ballots[1].proven()));
  std::sort(c.ballots.begin(), c.ballots.end(), [](const CastBallot& a, const CastBallot& b) {
    return a.ballot_hash() < b.ballot_hash();
  });
  e.retally(c);
  expect_failures(
      e.sign(c), {"ballots.proofs"},
      {"board.signature", "ballots.tokens", "ballots.tokens_spent_once", "sums.recomputed"});
}

TEST_CASE("a forged issuance signature is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  c.issuance[2].signature[10] ^= 0x01;
  expect_failures(e.sign(c), {"issuance.signatures", "ballots.count"},
                  {"board.signature", "issuance.entitled", "issuance.once_per_institution"});

  // A request signed by another institution under this one's name.
  c = *e.contents;
  c.issuance[2].signature = c.issuance[3].signature;
  expect_failures(e.sign(c), {"issuance.signatures"});
}

TEST_CASE("two issuances for one institution are caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  Election::Issued second = e.request_token(1);
  c.issuance.insert(c.issuance.begin() + 2, second.entry);
  e.retally(c);
  expect_failures(e.sign(c), {"issuance.once_per_institution"},
                  {"board.signature", "issuance.order", "issuance.signatures", "ballots.count",
                   "result.turnout"});
}

TEST_CASE("an issuance to a stranger or out of order is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  c.issuance[0].institution_id = "not-on-the-roster";
  expect_failures(e.sign(c), {"issuance.entitled", "issuance.order"});
}

TEST_CASE("more ballots than issued tokens are caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  REQUIRE(c.ballots.size() == c.issuance.size());
  // The service mints a token nobody asked for and casts a ballot with it.
  const Token extra = e.unlogged_token();
  BuiltBallot b = must(build_ballot(e.m(), extra, Choice::of_marks({0}), e.rng));
  c.ballots.push_back(std::move(b.ballot));
  std::sort(c.ballots.begin(), c.ballots.end(), [](const CastBallot& x, const CastBallot& y) {
    return x.ballot_hash() < y.ballot_hash();
  });
  e.retally(c);
  expect_failures(e.sign(c), {"ballots.count"},
                  {"board.signature", "ballots.tokens", "ballots.proofs", "sums.recomputed",
                   "result.exact", "result.turnout"});
}

TEST_CASE("ballots out of hash order are caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  std::swap(c.ballots[0], c.ballots[1]);
  e.retally(c);
  expect_failures(e.sign(c), {"ballots.order"}, {"ballots.unique", "result.exact"});
}

TEST_CASE("transitions must be the officer's and in order") {
  Election& e = shared();
  BoardContents c = *e.contents;
  c.transitions[1].signature[0] ^= 0x80;
  expect_failures(e.sign(c), {"transitions.signatures"}, {"transitions.order"});

  c = *e.contents;
  std::swap(c.transitions[1], c.transitions[2]);
  expect_failures(e.sign(c), {"transitions.order"}, {"transitions.signatures"});

  // Signed by the service instead of the officer.
  c = *e.contents;
  c.transitions[0] =
      must(sign_transition(*e.service, e.m().election_id(), ElectionState::kPublished, 1));
  expect_failures(e.sign(c), {"transitions.signatures"});
}

TEST_CASE("a board with another roster than the manifest's is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  c.roster = must(Roster::create("Eine andere Tagung", e.roster->credential_context(),
                                 e.roster->institutions()));
  expect_failures(e.sign(c), {"manifest.roster"}, {"issuance.signatures"});
}

TEST_CASE("a receipt not on the board is caught") {
  Election& e = shared();
  FixedBytes<32> other{};
  other.fill(0x77);
  const Receipt missing = must(issue_receipt(*e.service, e.m().election_id(), other));
  AuditReport r = audit(*e.board, missing);
  CHECK(r.failed("receipt.on_board"));
  CHECK(r.find("receipt.signature")->status == CheckStatus::kPass);
  CHECK(r.failures() == std::vector<std::string>{"receipt.on_board"});
  CHECK(test::reason_of(receipt_on_board(*e.board, missing)) == "ballot_not_on_board");

  // A receipt the service did not sign.
  Receipt forged = e.receipts.front();
  forged.signature[3] ^= 0x10;
  r = audit(*e.board, forged);
  CHECK(r.failures() == std::vector<std::string>{"receipt.signature"});
  CHECK(test::reason_of(receipt_on_board(*e.board, forged)) == "receipt_signature_invalid");

  // A receipt of another election.
  ElectionId other_id = e.m().election_id();
  other_id[0] ^= 0x01;
  const Receipt elsewhere =
      must(issue_receipt(*e.service, other_id, e.receipts.front().ballot_hash));
  CHECK(audit(*e.board, elsewhere).failures() == std::vector<std::string>{"receipt.on_board"});
  CHECK(test::reason_of(receipt_on_board(*e.board, elsewhere)) == "wrong_election");
}

TEST_CASE("receipts survive their canonical encoding and refuse other lengths") {
  const Receipt& r = shared().receipts.front();
  const Bytes bytes = r.canonical_bytes();
  CHECK(bytes.size() == Receipt::kSize);
  const Receipt parsed = must(Receipt::parse_canonical(bytes));
  CHECK(parsed.canonical_bytes() == bytes);
  CHECK(verify_receipt(shared().m().spec().service_key, parsed).is_ok());
  CHECK(test::reason_of(Receipt::parse_canonical(ByteView(bytes).first(bytes.size() - 1))) ==
        "truncated");
  Bytes longer = bytes;
  longer.push_back(0);
  CHECK(test::reason_of(Receipt::parse_canonical(longer)) == "trailing_bytes");
}

TEST_CASE("a closed board passes the trustees' audit and is not final") {
  ElectionConfig cfg = shared_config();
  cfg.last_state = ElectionState::kClosed;
  const Election e = make_election(cfg, 0xc105ed);
  CHECK(e.board->phase() == ElectionState::kClosed);

  const AuditReport closed = audit(*e.board, std::nullopt, AuditScope::kClosed);
  INFO("failed: " << failures_of(closed));
  CHECK(closed.ok());
  CHECK(closed.find("partials.proofs")->status == CheckStatus::kNotApplicable);
  CHECK(closed.find("result.exact")->status == CheckStatus::kNotApplicable);
  CHECK(closed.find("sums.recomputed")->status == CheckStatus::kPass);
  // What a trustee decrypts: the sums it recomputed, equal to the published.
  REQUIRE(closed.recomputed_sums().has_value());
  REQUIRE(closed.recomputed_sums()->size() == e.contents->sums.size());
  for (std::size_t i = 0; i < e.contents->sums.size(); ++i) {
    CHECK(same_sum((*closed.recomputed_sums())[i], e.contents->sums[i]));
  }

  const AuditReport final_audit = audit(*e.board);
  CHECK(final_audit.failed("board.phase"));
  CHECK(final_audit.failed("partials.threshold"));
  CHECK(final_audit.failed("result.exact"));

  const BoardSummary summary = e.board->summary();
  CHECK(summary.state == ElectionState::kClosed);
  CHECK(summary.tokens_issued == cfg.checked_in);
  CHECK(summary.ballots_cast == cfg.voters);
}

TEST_CASE("a closed board carrying a result is out of phase") {
  Election& e = shared();
  BoardContents c = *e.contents;
  c.transitions = e.transitions_up_to(ElectionState::kClosed);
  const AuditReport r = audit(e.sign(c), std::nullopt, AuditScope::kClosed);
  CHECK(r.failures() == std::vector<std::string>{"board.phase"});
}

TEST_CASE("the check names are stable, distinct and dotted lower case") {
  std::vector<std::string_view> names(kAuditChecks.begin(), kAuditChecks.end());
  std::sort(names.begin(), names.end());
  CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
  for (std::string_view n : kAuditChecks) {
    INFO(n);
    CHECK(n.find('.') != std::string_view::npos);
    CHECK(std::all_of(n.begin(), n.end(),
                      [](char ch) { return (ch >= 'a' && ch <= 'z') || ch == '.' || ch == '_'; }));
  }
  CHECK(check_status_name(CheckStatus::kFail) == "FAIL");
}

TEST_CASE("the state machine is a line and every state name parses back") {
  std::optional<ElectionState> s = ElectionState::kDraft;
  std::vector<std::string> names;
  while (s) {
    names.emplace_back(state_name(*s));
    CHECK(parse_state_name(state_name(*s)) == s);
    s = next_state(*s);
  }
  CHECK(names == std::vector<std::string>{"draft", "published", "open", "closed", "tallied",
                                          "result_published"});
  CHECK_FALSE(parse_state_name("Open").has_value());
  CHECK_FALSE(parse_state_name("").has_value());
  CHECK_FALSE(next_state(static_cast<ElectionState>(0)).has_value());
  CHECK_FALSE(next_state(static_cast<ElectionState>(7)).has_value());
}

}  // namespace
}  // namespace urne
