// urne trustee: the key ceremony over an exchange directory, run through the
// command functions (not the binary), with passphrase files and the
// interactive KDF.
#include "cli/trustee.hpp"

#include <doctest/doctest.h>

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ballot/audit.hpp"
#include "ballot/ballot.hpp"
#include "codec/json_views.hpp"
#include "crypto/dkg_fixture.hpp"
#include "crypto/threshold.hpp"
#include "server/api_fixture.hpp"
#include "test_util.hpp"

namespace urne::test {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& data) {
  std::ofstream(p, std::ios::binary) << data;
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
#define REQUIRE_OK(expr)                         \
  do {                                           \
    const ::urne::Status s_ = (expr);            \
    REQUIRE_MESSAGE(s_.is_ok(), s_.to_string()); \
  } while (false)

// One ceremony's directory and its trustees' files.
struct Trustees {
  TempDir tmp{"urne-trustee-test"};
  unsigned n;
  unsigned k;
  SeededRng rng;
  std::ostringstream out;

  Trustees(unsigned n_, unsigned k_, std::uint64_t seed) : n(n_), k(k_), rng(seed) {
    for (unsigned j = 1; j <= n; ++j) {
      write(pass(j), "passphrase of trustee " + std::to_string(j) + "\nsecond line ignored\n");
    }
    REQUIRE_OK(cli::ceremony_new({dir(), n, k}, rng, out));
  }
  fs::path dir() const { return tmp.path() / "exchange"; }
  fs::path pass(unsigned j) const { return tmp / ("pass-" + std::to_string(j) + ".txt"); }
  fs::path state(unsigned j) const { return tmp / ("state-" + std::to_string(j) + ".json"); }
  fs::path share(unsigned j) const { return tmp / ("share-" + std::to_string(j) + ".json"); }
  cli::CeremonyOptions opts(unsigned j) const {
    cli::CeremonyOptions o;
    o.dir = dir();
    o.state = state(j);
    o.passphrase_file = pass(j);
    o.index = j;
    o.kdf = KdfStrength::kInteractive;
    o.share = share(j);
    return o;
  }
  void begin_all() {
    for (unsigned j = 1; j <= n; ++j) REQUIRE_OK(cli::ceremony_begin(opts(j), rng, out));
  }
  void deal_all() {
    for (unsigned j = 1; j <= n; ++j) REQUIRE_OK(cli::ceremony_deal(opts(j), rng, out));
  }
  void check_all() {
    for (unsigned j = 1; j <= n; ++j) REQUIRE_OK(cli::ceremony_check(opts(j), out));
  }
  void answer_all() {
    for (unsigned j = 1; j <= n; ++j) REQUIRE_OK(cli::ceremony_answer(opts(j), out));
  }
  // Finishes every trustee; returns outcome.json's bytes after each finish.
  std::vector<std::string> finish_all() {
    std::vector<std::string> outcomes;
    for (unsigned j = 1; j <= n; ++j) {
      REQUIRE_OK(cli::ceremony_finish(opts(j), rng, out));
      outcomes.push_back(slurp(dir() / "outcome.json"));
    }
    return outcomes;
  }
  ElectionKey key() const {
    Result<cli::CeremonyOutcomeFile> o = cli::read_ceremony_outcome(dir());
    REQUIRE_MESSAGE(o.ok(), o.status().to_string());
    Result<ElectionKey> key = ElectionKey::derive(o->params, o->commitments);
    REQUIRE(key.ok());
    return *key;
  }
  SecretShare load(unsigned j, const ElectionKey& key) const {
    Result<SecretShare> s = cli::load_share_file(share(j), pass(j), key);
    REQUIRE_MESSAGE(s.ok(), s.status().to_string());
    return std::move(s).value();
  }
};

// Every pair of trustees decrypts an encryption of 5 under the key.
void check_pairs_decrypt(Trustees& t, const std::vector<TrusteeIndex>& who) {
  const ElectionKey key = t.key();
  const CiphertextSum sum = encrypt(key.election_key(), 5, t.rng);
  const ElectionIdBytes election{};
  std::vector<PartialDecryption> partials;
  for (TrusteeIndex j : who) {
    const SecretShare s = t.load(j, key);
    CHECK(s.index() == j);
    Result<PartialDecryption> p = partial_decrypt(key, s, election, sum, t.rng);
    REQUIRE(p.ok());
    partials.push_back(*p);
  }
  for (std::size_t a = 0; a < partials.size(); ++a) {
    for (std::size_t b = a + 1; b < partials.size(); ++b) {
      const std::vector<PartialDecryption> two = {partials[a], partials[b]};
      Result<Point> m = combine_partials(key, election, sum, two);
      REQUIRE(m.ok());
      CHECK(*m == Point::base_mul(Scalar::from_u64(5)));
    }
  }
}

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST_CASE("three trustees run a 2-of-3 key ceremony over a directory and any two decrypt") {
  Trustees t(3, 2, 0x7301);
  t.begin_all();
  t.deal_all();
  t.check_all();
  t.answer_all();
  const std::vector<std::string> outcomes = t.finish_all();
  // The first finisher writes outcome.json, the others find the same bytes.
  CHECK(outcomes[0] == outcomes[1]);
  CHECK(outcomes[1] == outcomes[2]);
  CHECK(t.out.str().find("outcome.json written") != std::string::npos);
  // deal and finish show every trustee the same box keys fingerprint.
  const std::string log = t.out.str();
  const std::size_t at = log.find("Box keys fingerprint ");
  REQUIRE(at != std::string::npos);
  const std::string fp = log.substr(at + 21, 16);
  std::size_t seen = 0;
  for (std::size_t p = log.find(fp); p != std::string::npos; p = log.find(fp, p + 1)) ++seen;
  CHECK(seen == 6);
  CHECK(t.out.str().find("outcome.json matches") != std::string::npos);

  const Result<cli::CeremonyOutcomeFile> o = cli::read_ceremony_outcome(t.dir());
  REQUIRE(o.ok());
  CHECK(o->params.n() == 3);
  CHECK(o->params.k() == 2);
  CHECK(o->commitments.size() == 3);
  for (unsigned j = 1; j <= 3; ++j) {
    CAPTURE(j);
    CHECK_FALSE(fs::exists(t.state(j)));  // removed by finish
    struct stat st {};
    REQUIRE(::stat(t.share(j).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(slurp(t.share(j)).find("\"kind\": \"urne-trustee-share\"") != std::string::npos);
  }
  CHECK(files_in(t.dir()) ==
        std::vector<std::string>{
            "box-1.pub", "box-2.pub", "box-3.pub", "ceremony.json", "checked-1.bin",
            "checked-2.bin", "checked-3.bin", "commitment-1.bin", "commitment-2.bin",
            "commitment-3.bin", "outcome.json", "share-1-to-2.bin", "share-1-to-3.bin",
            "share-2-to-1.bin", "share-2-to-3.bin", "share-3-to-1.bin", "share-3-to-2.bin"});
  check_pairs_decrypt(t, {1, 2, 3});
}

TEST_CASE("a corrupted share brings a complaint and an answer, and every trustee still finishes") {
  Trustees t(3, 2, 0x7302);
  t.begin_all();
  t.deal_all();
  const fs::path bad = t.dir() / "share-1-to-2.bin";
  std::string bytes = slurp(bad);
  bytes[100] = static_cast<char>(bytes[100] ^ 0x01);  // inside the box
  write(bad, bytes);
  t.check_all();
  CHECK(fs::exists(t.dir() / "complaint-1-by-2.bin"));
  CHECK(t.out.str().find("share from trustee 1: COMPLAINT") != std::string::npos);
  // Trustee 1 cannot answer before everyone has checked: nothing missing here.
  t.answer_all();
  CHECK(fs::exists(t.dir() / "answer-1-to-2.bin"));
  const std::vector<std::string> outcomes = t.finish_all();
  CHECK(outcomes[0] == outcomes[2]);
  const Result<cli::CeremonyOutcomeFile> o = cli::read_ceremony_outcome(t.dir());
  REQUIRE(o.ok());
  CHECK(o->commitments.size() == 3);  // the complaint was overruled: QUAL is everyone
  check_pairs_decrypt(t, {1, 2, 3});
}

TEST_CASE("a dealer whose answer does not match its commitments is disqualified by everyone") {
  Trustees t(3, 2, 0x7303);
  t.begin_all();
  t.deal_all();
  const fs::path bad = t.dir() / "share-1-to-3.bin";
  std::string bytes = slurp(bad);
  bytes[120] = static_cast<char>(bytes[120] ^ 0x40);
  write(bad, bytes);
  t.check_all();
  t.answer_all();
  // The revealed share is changed in its lowest bit: still a canonical
  // scalar, no longer f_1(3).
  const fs::path answer = t.dir() / "answer-1-to-3.bin";
  std::string a = slurp(answer);
  a[35] = static_cast<char>(a[35] ^ 0x01);
  write(answer, a);
  const std::vector<std::string> outcomes = t.finish_all();
  CHECK(outcomes[0] == outcomes[1]);
  CHECK(outcomes[1] == outcomes[2]);
  CHECK(t.out.str().find("DISQUALIFIED: 1") != std::string::npos);
  const Result<cli::CeremonyOutcomeFile> o = cli::read_ceremony_outcome(t.dir());
  REQUIRE(o.ok());
  REQUIRE(o->commitments.size() == 2);
  CHECK(o->commitments[0].dealer() == 2);
  CHECK(o->commitments[1].dealer() == 3);
  check_pairs_decrypt(t, {1, 2, 3});
}

TEST_CASE("each round names the messages it is still waiting for") {
  Trustees t(3, 2, 0x7304);
  REQUIRE_OK(cli::ceremony_begin(t.opts(1), t.rng, t.out));
  REQUIRE_OK(cli::ceremony_begin(t.opts(2), t.rng, t.out));
  Status s = cli::ceremony_deal(t.opts(1), t.rng, t.out);
  CHECK(reason(s) == "ceremony_waiting");
  CHECK(s.message().find("trustee 3's box key (box-3.pub)") != std::string::npos);
  CHECK(files_in(t.dir()).size() == 5);  // ceremony, 2 box keys, 2 commitments: nothing dealt

  REQUIRE_OK(cli::ceremony_begin(t.opts(3), t.rng, t.out));
  REQUIRE_OK(cli::ceremony_deal(t.opts(1), t.rng, t.out));
  s = cli::ceremony_check(t.opts(1), t.out);
  CHECK(reason(s) == "ceremony_waiting");
  CHECK(s.message().find("trustee 2's share for you (share-2-to-1.bin)") != std::string::npos);
  CHECK(s.message().find("trustee 3's share for you (share-3-to-1.bin)") != std::string::npos);

  REQUIRE_OK(cli::ceremony_deal(t.opts(2), t.rng, t.out));
  REQUIRE_OK(cli::ceremony_deal(t.opts(3), t.rng, t.out));
  REQUIRE_OK(cli::ceremony_check(t.opts(1), t.out));
  s = cli::ceremony_answer(t.opts(1), t.out);
  CHECK(reason(s) == "ceremony_waiting");
  CHECK(s.message().find("trustee 2's check of its shares") != std::string::npos);
  s = cli::ceremony_finish(t.opts(1), t.rng, t.out);
  CHECK(reason(s) == "ceremony_waiting");
  CHECK(s.message().find("trustee 3's check of its shares") != std::string::npos);
  CHECK_FALSE(fs::exists(t.share(1)));
  CHECK_FALSE(fs::exists(t.dir() / "outcome.json"));

  // A step run again redoes nothing and agrees with itself.
  REQUIRE_OK(cli::ceremony_deal(t.opts(1), t.rng, t.out));
  CHECK(t.out.str().find("(2 were dealt before)") != std::string::npos);
  REQUIRE_OK(cli::ceremony_check(t.opts(1), t.out));
}

TEST_CASE("begin refuses an index already taken and an existing state file") {
  Trustees t(3, 2, 0x7305);
  REQUIRE_OK(cli::ceremony_begin(t.opts(1), t.rng, t.out));
  const std::string state = slurp(t.state(1));
  CHECK(reason(cli::ceremony_begin(t.opts(1), t.rng, t.out)) == "file_exists");
  CHECK(slurp(t.state(1)) == state);
  cli::CeremonyOptions other = t.opts(2);
  other.index = 1;
  CHECK(reason(cli::ceremony_begin(other, t.rng, t.out)) == "index_taken");
  CHECK_FALSE(fs::exists(t.state(2)));
  other.index = 4;
  CHECK(reason(cli::ceremony_begin(other, t.rng, t.out)) == "bad_index");
  struct stat st {};
  REQUIRE(::stat(t.state(1).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // The state is sealed: no secret in the clear, the kind and index are.
  CHECK(state.find("\"kind\": \"urne-trustee-state\"") != std::string::npos);
  CHECK(reason(cli::ceremony_new({t.dir(), 3, 2}, t.rng, t.out)) == "file_exists");
  CHECK(reason(cli::ceremony_new({t.tmp / "x", 3, 1}, t.rng, t.out)) == "bad_dkg_params");
}

TEST_CASE("a wrong passphrase opens nothing and writes nothing") {
  Trustees t(3, 2, 0x7306);
  t.begin_all();
  write(t.tmp / "wrong.txt", "not the passphrase\n");
  cli::CeremonyOptions wrong = t.opts(1);
  wrong.passphrase_file = t.tmp / "wrong.txt";
  const auto before = files_in(t.dir());
  CHECK(reason(cli::ceremony_deal(wrong, t.rng, t.out)) == "wrong_passphrase");
  CHECK(files_in(t.dir()) == before);

  t.deal_all();
  t.check_all();
  t.answer_all();
  CHECK(reason(cli::ceremony_finish(wrong, t.rng, t.out)) == "wrong_passphrase");
  CHECK_FALSE(fs::exists(t.share(1)));
  CHECK_FALSE(fs::exists(t.dir() / "outcome.json"));
  CHECK(fs::exists(t.state(1)));
  t.finish_all();

  // The share file too: wrong passphrase, and a passphrase file that is missing.
  const ElectionKey key = t.key();
  CHECK(reason(cli::load_share_file(t.share(1), t.tmp / "wrong.txt", key)) == "wrong_passphrase");
  CHECK(reason(cli::load_share_file(t.share(1), t.tmp / "nope.txt", key)) == "file_missing");
  // A renamed share file is still trustee 2's (the index travels inside).
  fs::copy_file(t.share(2), t.tmp / "copy.json");
  Result<SecretShare> two = cli::load_share_file(t.tmp / "copy.json", t.pass(2), key);
  REQUIRE(two.ok());
  CHECK(two->index() == 2);
}

TEST_CASE("a share file of another ceremony is refused by name") {
  Trustees t(3, 2, 0x7307);
  t.begin_all();
  t.deal_all();
  t.check_all();
  t.answer_all();
  t.finish_all();
  // Another ceremony's key (the DKG test fixture).
  SeededRng rng(0x7308);
  const Finished other = finish_honest(start_ceremony(params(3, 2, 0x42), rng));
  CHECK(reason(cli::load_share_file(t.share(1), t.pass(1), other.key)) ==
        "share_of_another_ceremony");
  // A state file is not a share file.
  cli::CeremonyOptions o = t.opts(1);
  write(t.tmp / "state-copy.json", slurp(t.share(2)));
  o.state = t.tmp / "state-copy.json";
  CHECK(reason(cli::ceremony_check(o, t.out)) == "wrong_file_kind");
  // A share whose clear ceremony id was edited to match: the box is bound to
  // the real one and does not open.
  std::string text = slurp(t.share(1));
  const std::string mine = hex_encode(t.key().params().ceremony_id());
  const std::string theirs = hex_encode(other.key.params().ceremony_id());
  text.replace(text.find(mine), mine.size(), theirs);
  write(t.tmp / "edited.json", text);
  CHECK(reason(cli::load_share_file(t.tmp / "edited.json", t.pass(1), other.key)) ==
        "wrong_passphrase");
}

TEST_CASE("outcome.json that disagrees with the messages stops finish") {
  Trustees t(3, 2, 0x7309);
  t.begin_all();
  t.deal_all();
  t.check_all();
  t.answer_all();
  REQUIRE_OK(cli::ceremony_finish(t.opts(1), t.rng, t.out));
  std::string outcome = slurp(t.dir() / "outcome.json");
  outcome.replace(outcome.find("\"threshold\": 2"), 14, "\"threshold\": 3");
  fs::remove(t.dir() / "outcome.json");
  write(t.dir() / "outcome.json", outcome);
  CHECK(reason(cli::ceremony_finish(t.opts(2), t.rng, t.out)) == "outcome_mismatch");
  CHECK_FALSE(fs::exists(t.share(2)));
  CHECK(fs::exists(t.state(2)));
}

TEST_CASE("a passphrase is the first line of its file, or URNE_PASSPHRASE, never empty") {
  TempDir tmp("urne-trustee-test");
  write(tmp / "p1", "secret phrase\r\nnext\n");
  Result<SecretBytes> p = cli::read_passphrase(tmp / "p1", true);
  REQUIRE(p.ok());
  CHECK(to_string(p->view()) == "secret phrase");
  write(tmp / "p2", "no newline");
  p = cli::read_passphrase(tmp / "p2", false);
  REQUIRE(p.ok());
  CHECK(to_string(p->view()) == "no newline");
  write(tmp / "p3", "\nsecond line is not read\n");
  CHECK(reason(cli::read_passphrase(tmp / "p3", false)) == "passphrase_empty");
  CHECK(reason(cli::read_passphrase(tmp / "missing", false)) == "file_missing");

  REQUIRE(::setenv("URNE_PASSPHRASE", "from the environment", 1) == 0);
  p = cli::read_passphrase(std::nullopt, true);
  CHECK(::unsetenv("URNE_PASSPHRASE") == 0);
  REQUIRE(p.ok());
  CHECK(to_string(p->view()) == "from the environment");
}

TEST_CASE("urne trustee decrypt audits the closed board, decrypts once and refuses other sums") {
  Trustees t(3, 2, 0x730A);
  t.begin_all();
  t.deal_all();
  t.check_all();
  t.answer_all();
  t.finish_all();
  const Result<cli::CeremonyOutcomeFile> outcome = cli::read_ceremony_outcome(t.dir());
  REQUIRE(outcome.ok());

  // An election whose key is this ceremony's.
  ApiTempDir data;
  People people(6, 3, 2, 0x730B);
  people.params = outcome->params;
  people.commitments = outcome->commitments;
  ApiServer server(data.path(), {people.officer.public_key()});
  client::ElectionClient api = server.connect();
  const Manifest m = people.set_up(api, 4);
  const ElectionId& id = m.election_id();
  ok(api.transition(people.officer, id, ElectionState::kPublished, 1));
  std::vector<Token> tokens;
  for (std::size_t i = 0; i < 5; ++i) {
    tokens.push_back(ok(api.fetch_token(m, people.ids[i], people.keys[i], people.rng)));
  }
  ok(api.transition(people.officer, id, ElectionState::kOpen, 2));
  std::vector<std::uint64_t> marks(4, 0);
  for (std::size_t i = 0; i < 5; ++i) {
    const auto c = static_cast<std::uint32_t>(i % 4);
    ++marks[c];
    const BuiltBallot b = ok(build_ballot(m, tokens[i], Choice::of_marks({c}), people.rng));
    ok(api.cast(m, b.ballot));
  }

  // Before the close there is no board to decrypt.
  std::ostringstream out;
  CHECK(reason(cli::trustee_decrypt_with(api, id, t.share(1), t.pass(1), t.rng, out)) ==
        "ballot_not_closed");
  CHECK_FALSE(fs::exists(t.tmp / "share-1.json.decrypted"));

  ok(api.transition(people.officer, id, ElectionState::kClosed, 3, people.lot_seed));
  // A wrong passphrase: nothing recorded, nothing uploaded.
  write(t.tmp / "wrong.txt", "not the passphrase\n");
  CHECK(reason(cli::trustee_decrypt_with(api, id, t.share(1), t.tmp / "wrong.txt", t.rng, out)) ==
        "wrong_passphrase");
  CHECK_FALSE(fs::exists(t.tmp / "share-1.json.decrypted"));

  ok(cli::trustee_decrypt_with(api, id, t.share(1), t.pass(1), t.rng, out));
  CHECK(fs::exists(t.tmp / "share-1.json.decrypted"));
  CHECK(out.str().find("uploaded 6 partial decryptions") != std::string::npos);
  // The same sums again: a retry, accepted.
  ok(cli::trustee_decrypt_with(api, id, t.share(1), t.pass(1), t.rng, out));
  CHECK(out.str().find("the same sums as recorded before") != std::string::npos);
  // A record of other sums for this election: refused before anything is sent.
  const std::string record = slurp(t.tmp / "share-1.json.decrypted");
  codec::json changed = codec::json::parse(record);
  changed[hex_encode(id)]["sums"] = std::string(64, '0');
  write(t.tmp / "share-1.json.decrypted", changed.dump());
  CHECK(reason(cli::trustee_decrypt_with(api, id, t.share(1), t.pass(1), t.rng, out)) ==
        "different_sums_already_decrypted");
  write(t.tmp / "share-1.json.decrypted", record);

  ok(cli::trustee_decrypt_with(api, id, t.share(3), t.pass(3), t.rng, out));
  ok(api.transition(people.officer, id, ElectionState::kTallied, 4));
  ok(api.transition(people.officer, id, ElectionState::kResultPublished, 5));
  const Board board = ok(api.board(id));
  const AuditReport final_audit = audit_board(board);
  CHECK(final_audit.ok());
  REQUIRE(final_audit.decrypted_totals().has_value());
  CHECK(final_audit.decrypted_totals()->marks == marks);
}

}  // namespace
}  // namespace urne::test
