// The tamper suite of `urne audit`: a valid published board of a small
// election (2-of-3 trustees, a lot that decides who is elected), changed in
// many ways, each written to a file and audited as an auditor would. The
// attacker is the server's operator: it holds the service key, so every
// changed board (and result) is re-signed where that key suffices — the
// suite tests the deep checks, not only the board signature. It cannot sign
// as the officer, an institution or a trustee.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ballot/board_fixture.hpp"
#include "cli/audit.hpp"
#include "codec/json_views.hpp"
#include "test_util.hpp"

namespace urne::test {
namespace {

// lot_election_config(): a lot decides who is elected and who is the first
// substitute.
ElectionConfig tamper_config() { return lot_election_config({1, 3}); }

Election& shared() {
  static Election e = make_election(tamper_config(), 0x7a3b);
  return e;
}

void sort_ballots(BoardContents& c) {
  std::sort(c.ballots.begin(), c.ballots.end(), [](const CastBallot& a, const CastBallot& b) {
    return a.ballot_hash() < b.ballot_hash();
  });
}

std::string as_text(const Bytes& b) { return std::string(b.begin(), b.end()); }

void write(const std::filesystem::path& p, const std::string& data) {
  std::ofstream(p, std::ios::binary) << data;
}

// What one tamper produced: the board file's bytes, and the receipt of the
// delegate who checks (if any).
struct Tampered {
  Bytes board;
  std::optional<Receipt> receipt;
};

Tampered signed_board(const BoardContents& c, std::optional<Receipt> receipt = std::nullopt) {
  return Tampered{shared().sign(c).canonical_bytes(), std::move(receipt)};
}

// Writes the board (and receipt) to files, runs `urne audit` on them in
// text and in JSON form, and requires both to fail and to name every
// expected check as failed.
void expect_caught(const Tampered& t, const std::vector<std::string>& expected) {
  TempDir dir("urne-tamper");
  write(dir / "board.urne", as_text(t.board));
  cli::AuditOptions opt{dir / "board.urne", std::nullopt};
  if (t.receipt) {
    write(dir / "receipt.bin", as_text(t.receipt->canonical_bytes()));
    opt.receipt = dir / "receipt.bin";
  }
  std::ostringstream text;
  const Status s = cli::audit_board_file(opt, text);
  INFO("audit output:\n" << text.str());
  CHECK(s.reason() == "audit_failed");
  CHECK(s.code() == Code::kFailedPrecondition);
  CHECK(text.str().find("Verdict: the audit FAILED") != std::string::npos);
  for (const std::string& name : expected) {
    INFO("expected to fail: " << name);
    REQUIRE(std::find(kAuditChecks.begin(), kAuditChecks.end(), name) != kAuditChecks.end());
    CHECK(s.message().find(name) != std::string::npos);
  }

  opt.json = true;
  std::ostringstream json_out;
  CHECK(cli::audit_board_file(opt, json_out).reason() == "audit_failed");
  const codec::json j = codec::json::parse(json_out.str(), nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["verdict"] == "fail");
  for (const std::string& name : expected) {
    INFO("expected to fail in JSON: " << name);
    const auto it = std::find_if(j["checks"].begin(), j["checks"].end(),
                                 [&](const codec::json& c) { return c["name"] == name; });
    REQUIRE(it != j["checks"].end());
    CHECK((*it)["status"] == "fail");
    CHECK_FALSE((*it)["detail"].get<std::string>().empty());
  }
}

// A manifest like the election's with one change, and the rest of the board
// moved over to it as far as the service key reaches: the result names the
// new election id and is re-signed, the board is re-signed.
Tampered with_manifest(const std::function<void(ManifestSpec&)>& edit) {
  Election& e = shared();
  BoardContents c = *e.contents;
  ManifestSpec spec = e.m().spec();
  edit(spec);
  c.manifest = must(Manifest::create(std::move(spec)));
  ResultData d = c.result->result.data();
  d.election_id = c.manifest.election_id();
  e.set_result(c, d);
  return signed_board(c);
}

// ---- the honest board -----------------------------------------------------------

TEST_CASE("the untampered board of the tamper suite passes and its lot decides a seat") {
  Election& e = shared();
  const AuditReport r = audit_board(*e.board);
  INFO("failed: " << failures_of(r));
  REQUIRE(r.ok());
  const ElectionResult& result = e.board->contents().result->result;
  CHECK(result.data().lot.keys.size() == 2);  // candidates 1 and 2 drew lots
  CHECK(result.outcome().elected.size() == 2);
  CHECK(result.outcome().substitutes.size() == 2);
  CHECK(e.board->contents().partials.size() == 2);

  TempDir dir("urne-tamper");
  write(dir / "board.urne", as_text(e.board->canonical_bytes()));
  std::ostringstream out;
  CHECK(cli::audit_board_file({dir / "board.urne", std::nullopt}, out).is_ok());
  CHECK(out.str().find("Verdict: all 34 of 34 checks pass") != std::string::npos);
}

// ---- ballots --------------------------------------------------------------------

TEST_CASE("a ballot dropped and the tally redone is caught by its delegate's receipt") {
  Election& e = shared();
  BoardContents c = *e.contents;
  c.ballots.erase(c.ballots.begin() + 3);
  e.retally(c);  // a consistent board without that ballot: only the receipt shows it
  REQUIRE(audit_board(e.sign(c)).ok());
  expect_caught(signed_board(c, e.receipts[3]), {"receipt.on_board"});
}

TEST_CASE("a ballot left out of the published sums is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  std::vector<CastBallot> fewer = c.ballots;
  fewer.erase(fewer.begin() + 1);
  e.retally(c, must(compute_sums(e.m(), fewer)));
  expect_caught(signed_board(c), {"sums.recomputed"});
}

TEST_CASE("two ballots with the same token are caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  BuiltBallot second =
      must(build_ballot(e.m(), c.ballots[0].token(), Choice::of_marks({4}), e.rng));
  c.ballots.push_back(std::move(second.ballot));
  sort_ballots(c);
  e.retally(c);
  expect_caught(signed_board(c), {"ballots.tokens_spent_once", "ballots.count"});
}

TEST_CASE("a ballot with a forged token is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  const Token real = e.unlogged_token();
  BuiltBallot built = must(build_ballot(e.m(), real, Choice::of_marks({4}), e.rng));
  FixedBytes<kTokenLength> bytes = real.bytes();
  bytes[bytes.size() - 1] ^= 0x01;  // the RSA signature no longer verifies
  const Token forged = must(Token::parse(bytes));
  c.ballots.push_back(must(CastBallot::create(forged, built.ballot.proven())));
  sort_ballots(c);
  e.retally(c);
  expect_caught(signed_board(c), {"ballots.tokens", "ballots.count"});
}

TEST_CASE("a ballot with a token minted outside the issuance log is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  BuiltBallot built = must(build_ballot(e.m(), e.unlogged_token(), Choice::of_marks({2}), e.rng));
  c.ballots.push_back(std::move(built.ballot));
  sort_ballots(c);
  e.retally(c);
  expect_caught(signed_board(c), {"ballots.count"});
}

TEST_CASE("a changed ballot proof is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  ProvenBallot proven = c.ballots[2].proven();
  std::swap(proven.slot_proofs[0], proven.slot_proofs[1]);
  c.ballots[2] = must(CastBallot::create(c.ballots[2].token(), std::move(proven)));
  sort_ballots(c);
  e.retally(c);
  expect_caught(signed_board(c), {"ballots.proofs"});
}

TEST_CASE("two ballots' ciphertexts swapped between their tokens are caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  const CastBallot a = c.ballots[0];
  const CastBallot b = c.ballots[1];
  c.ballots[0] = must(CastBallot::create(a.token(), b.proven()));
  c.ballots[1] = must(CastBallot::create(b.token(), a.proven()));
  sort_ballots(c);
  e.retally(c);
  expect_caught(signed_board(c), {"ballots.proofs"});
}

TEST_CASE("a ballot counted twice is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  c.ballots.insert(c.ballots.begin() + 4, c.ballots[4]);
  e.retally(c);
  expect_caught(signed_board(c), {"ballots.unique", "ballots.tokens_spent_once"});
}

TEST_CASE("ballots out of hash order are caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  std::swap(c.ballots[5], c.ballots[6]);
  e.retally(c);
  expect_caught(signed_board(c), {"ballots.order"});
}

// ---- issuance and transitions ---------------------------------------------------

TEST_CASE("a forged issuance entry is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  // A token for the institution that never checked in, its signature forged.
  Election::Issued forged = e.request_token(10);
  forged.entry.signature[3] ^= 0x01;
  c.issuance.push_back(forged.entry);
  e.retally(c);
  expect_caught(signed_board(c), {"issuance.signatures"});
}

TEST_CASE("an issuance to an institution not on the roster is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  Election::Issued stranger = e.request_token(10);
  stranger.entry.institution_id = "zz-nicht-im-verzeichnis";
  c.issuance.push_back(stranger.entry);
  e.retally(c);
  expect_caught(signed_board(c), {"issuance.entitled"});
}

TEST_CASE("a state transition the officer did not sign is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  c.transitions[2] =
      must(sign_transition(*e.service, e.m().election_id(), ElectionState::kClosed, 3));
  expect_caught(signed_board(c), {"transitions.signatures"});
}

// ---- tally ----------------------------------------------------------------------

TEST_CASE("a changed sum is caught even when the trustees decrypted it") {
  Election& e = shared();
  BoardContents c = *e.contents;
  std::vector<CiphertextSum> sums = c.sums;
  std::swap(sums[0], sums[1]);
  e.retally(c, sums);
  expect_caught(signed_board(c), {"sums.recomputed"});
}

TEST_CASE("a changed partial decryption is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  std::swap(c.partials[1].partials[0], c.partials[1].partials[2]);
  expect_caught(signed_board(c), {"partials.proofs", "partials.threshold"});
}

TEST_CASE("a partial decryption withheld below the threshold is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  c.partials.pop_back();
  expect_caught(signed_board(c), {"partials.threshold", "totals.decrypted"});
}

TEST_CASE("a changed DKG commitment in the manifest is caught") {
  Election& e = shared();
  // Dealer 1's commitment from another run of the same ceremony: a key the
  // trustees never held.
  const Ceremony other = start_ceremony(e.m().election_key().params(), e.rng);
  expect_caught(
      with_manifest([&](ManifestSpec& s) { s.qual_commitments[0] = other.commitments[0]; }),
      {"transitions.signatures", "issuance.signatures", "ballots.proofs", "partials.proofs"});
}

TEST_CASE("a candidate renamed in the manifest is caught") {
  expect_caught(
      with_manifest([](ManifestSpec& s) { s.candidates[1].name = "Jemand Anderes"; }),
      {"transitions.signatures", "issuance.signatures", "ballots.tokens", "ballots.proofs"});
}

// ---- result ---------------------------------------------------------------------

TEST_CASE("a changed total in the result is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  ResultData d = c.result->result.data();
  d.totals.marks[3] += 1;
  d.totals.abstentions -= 1;
  e.set_result(c, d);
  expect_caught(signed_board(c), {"result.totals", "result.exact"});
}

TEST_CASE("the elected in another order are caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  ResultData d = c.result->result.data();
  std::swap(d.outcome.elected[0], d.outcome.elected[1]);
  std::swap(d.outcome.ranking[0], d.outcome.ranking[1]);
  e.set_result(c, d);
  expect_caught(signed_board(c), {"result.elected", "result.ranking"});
}

TEST_CASE("a changed substitute is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  ResultData d = c.result->result.data();
  d.outcome.substitutes[1] = 4;  // the candidate without a mark moves up
  e.set_result(c, d);
  expect_caught(signed_board(c), {"result.substitutes"});
}

TEST_CASE("a changed lot seed is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  FixedBytes<32> other = e.seed;
  other[0] ^= 0x80;
  c.lot_seed = other;
  e.retally(c);  // the lot drawn again with the other seed
  expect_caught(signed_board(c), {"lot.seed"});
}

TEST_CASE("a lot drawn over another ballot set is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  ResultData d = c.result->result.data();
  d.lot.ballot_set_hash[7] ^= 0x10;
  e.set_result(c, d);
  expect_caught(signed_board(c), {"lot.ballot_set", "result.lot"});
}

TEST_CASE("changed turnout figures are caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  ResultData d = c.result->result.data();
  d.checked_in += 1;
  e.set_result(c, d);
  expect_caught(signed_board(c), {"result.turnout"});
}

// ---- signatures -----------------------------------------------------------------

TEST_CASE("a board whose service signature was removed is caught") {
  Bytes bytes = shared().board->contents_bytes();
  bytes.resize(bytes.size() + 64, 0);  // the signature's place, zeroed
  expect_caught(Tampered{bytes, std::nullopt}, {"board.signature"});
}

TEST_CASE("an altered service signature over the board is caught") {
  Bytes bytes = shared().board->canonical_bytes();
  bytes[bytes.size() - 10] ^= 0x04;
  expect_caught(Tampered{bytes, std::nullopt}, {"board.signature"});
}

TEST_CASE("changed contents under the old board signature are caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  ResultData d = c.result->result.data();
  std::swap(d.outcome.elected[0], d.outcome.elected[1]);
  e.set_result(c, d);
  Bytes bytes = e.sign(c).contents_bytes();
  append(bytes, e.board->signature());
  expect_caught(Tampered{bytes, std::nullopt}, {"board.signature", "result.elected"});
}

TEST_CASE("an altered service signature over the result is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  c.result->signature[5] ^= 0x01;
  expect_caught(signed_board(c), {"result.signature"});
}

TEST_CASE("a result signed by the officer instead of the service is caught") {
  Election& e = shared();
  BoardContents c = *e.contents;
  c.result = must(sign_result(*e.officer, e.contents->result->result));
  expect_caught(signed_board(c), {"result.signature"});
}

// ---- what is not a board --------------------------------------------------------

TEST_CASE("urne audit names why a file is missing, corrupt or not a board") {
  TempDir dir("urne-tamper");
  std::ostringstream out;
  auto audit = [&](const std::string& name) {
    return cli::audit_board_file({dir / name, std::nullopt}, out);
  };
  CHECK(audit("missing.urne").reason() == "file_missing");

  const Bytes bytes = shared().board->canonical_bytes();
  // The signature cut off: not a board any more.
  write(dir / "cut.urne", as_text(Bytes(bytes.begin(), bytes.end() - 64)));
  CHECK(audit("cut.urne").reason() == "truncated");
  write(dir / "longer.urne", as_text(bytes) + "x");
  CHECK(audit("longer.urne").reason() == "trailing_bytes");
  write(dir / "text.urne", "Dies ist keine Anschlagtafel.\n");
  const Status text = audit("text.urne");
  CHECK_FALSE(text.is_ok());
  CHECK(text.reason() != "audit_failed");
  write(dir / "empty.urne", "");
  CHECK(audit("empty.urne").reason() == "truncated");
  write(dir / "broken.json", "{\"canonical\": ");
  CHECK(audit("broken.json").reason() == "bad_json");
  write(dir / "other.json", R"({"title": "kein Board"})");
  CHECK(audit("other.json").reason() == "missing_field");
  CHECK(out.str().empty());  // nothing was audited
}

// ---- the JSON report and the progress display ------------------------------------

TEST_CASE("the JSON report of a valid board says pass for every check and nothing else") {
  Election& e = shared();
  TempDir dir("urne-tamper");
  write(dir / "board.urne", as_text(e.board->canonical_bytes()));
  write(dir / "receipt.bin", as_text(e.receipts[0].canonical_bytes()));
  cli::AuditOptions opt{dir / "board.urne", dir / "receipt.bin"};
  opt.json = true;
  std::ostringstream out;
  REQUIRE(cli::audit_board_file(opt, out).is_ok());
  const codec::json j = codec::json::parse(out.str(), nullptr, false);
  REQUIRE_FALSE(j.is_discarded());  // only JSON on the stream
  CHECK(j["verdict"] == "pass");
  CHECK(j["board_fingerprint"] == hex_encode(e.board->fingerprint()));
  CHECK(j["election_id"] == hex_encode(e.m().election_id()));
  CHECK(j["phase"] == "result_published");
  CHECK(j["ballots"] == 10);
  CHECK(j["tokens_issued"] == 10);
  REQUIRE(j["checks"].size() == kAuditChecks.size());
  for (std::size_t i = 0; i < kAuditChecks.size(); ++i) {
    CHECK(j["checks"][i]["name"] == kAuditChecks[i]);
    CHECK(j["checks"][i]["status"] == "pass");
  }

  // A closed board audited as closed: the tally's checks are skipped.
  ElectionConfig cfg = tamper_config();
  cfg.last_state = ElectionState::kClosed;
  const Election closed = make_election(cfg, 0xc1);
  write(dir / "closed.urne", as_text(closed.board->canonical_bytes()));
  cli::AuditOptions copt{dir / "closed.urne", std::nullopt};
  copt.json = true;
  copt.closed_only = true;
  std::ostringstream cout_;
  REQUIRE(cli::audit_board_file(copt, cout_).is_ok());
  const codec::json cj = codec::json::parse(cout_.str(), nullptr, false);
  CHECK(cj["verdict"] == "pass");
  CHECK(cj["phase"] == "closed");
  const auto skipped = std::count_if(cj["checks"].begin(), cj["checks"].end(),
                                     [](const auto& c) { return c["status"] == "skipped"; });
  CHECK(skipped > 0);
}

TEST_CASE("urne audit shows its progress on the progress stream, apart from the report") {
  TempDir dir("urne-tamper");
  write(dir / "board.urne", as_text(shared().board->canonical_bytes()));
  std::ostringstream progress;
  cli::AuditOptions opt{dir / "board.urne", std::nullopt};
  opt.progress = &progress;
  opt.json = true;
  std::ostringstream out;
  REQUIRE(cli::audit_board_file(opt, out).is_ok());
  CHECK(progress.str().find("Prüfe Stimmzettel 10/10") != std::string::npos);
  CHECK(progress.str().find("Lese ") != std::string::npos);
  CHECK(out.str().find("Prüfe") == std::string::npos);
  CHECK(codec::json::parse(out.str(), nullptr, false)["verdict"] == "pass");
}

// The binary: --json puts only JSON on stdout, and the exit code says the verdict.
std::string run(const std::string& command, int& status) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  status = ::pclose(p);
  return out;
}

TEST_CASE("urne audit --json prints only JSON on stdout and exits non-zero on a failed audit") {
  Election& e = shared();
  TempDir dir("urne-tamper");
  write(dir / "good.urne", as_text(e.board->canonical_bytes()));
  BoardContents c = *e.contents;
  c.result->signature[0] ^= 0x01;
  write(dir / "bad.urne", as_text(e.sign(c).canonical_bytes()));
  const std::string bin = URNE_CLI_BINARY;
  int status = -1;
  const std::string good =
      run(bin + " audit --json --board " + (dir / "good.urne").string() + " 2>/dev/null", status);
  CHECK(status == 0);
  CHECK(codec::json::parse(good, nullptr, false)["verdict"] == "pass");
  const std::string bad = run(bin + " audit --json --board " + (dir / "bad.urne").string() + " 2>" +
                                  (dir / "err.txt").string(),
                              status);
  CHECK(status != 0);
  const codec::json j = codec::json::parse(bad, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["verdict"] == "fail");
  std::ifstream err(dir / "err.txt");
  const std::string err_text((std::istreambuf_iterator<char>(err)), {});
  CHECK(err_text.find("audit_failed") != std::string::npos);
  CHECK(err_text.find("result.signature") != std::string::npos);
}

}  // namespace
}  // namespace urne::test
