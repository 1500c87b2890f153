// `urne report`: the Wahlniederschrift of an audited board, as Markdown and
// HTML (the PDF is Chromium's print of the HTML, tested with cli/pdf).
#include "cli/report.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "ballot/board_fixture.hpp"
#include "cli/audit.hpp"
#include "test_util.hpp"

namespace urne::test {
namespace {

const std::vector<Candidate>& names() {
  static const std::vector<Candidate> n = {
      {"Anna Bergmann", "Stadtwerke"}, {"<script>alert(1)</script>", "Verein \"Ümit\" & Söhne"},
      {"Carla *Fett* | Dahl", ""},     {"Dieter Engel", "Kreis A"},
      {"Eva Fuchs", "Kreis B"},
  };
  return n;
}

// lot_election_config() with names that need escaping: candidate 0 first
// with 3 marks; 1 and 2 tie at 2 for the second seat (a lot decides), 3 has
// 1 mark, 4 none.
ElectionConfig report_config() {
  ElectionConfig cfg = lot_election_config({2, 3});
  cfg.candidate_names = names();
  cfg.roster_title = "Herbsttagung <2026> & Co";
  return cfg;
}

Election& shared() {
  static Election e = make_election(report_config(), 0x4e1d);
  return e;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void write(const std::filesystem::path& p, const Bytes& b) {
  std::ofstream(p, std::ios::binary) << std::string(b.begin(), b.end());
}

// Position of `needle` in `hay` after `from`, npos if absent.
std::size_t at(const std::string& hay, const std::string& needle, std::size_t from = 0) {
  return hay.find(needle, from);
}

TEST_CASE("the report board of these tests audits and its lot decides the second seat") {
  const AuditReport r = audit_board(*shared().board);
  INFO("failed: " << failures_of(r));
  REQUIRE(r.ok());
  CHECK(shared().board->contents().result->result.data().lot.keys.size() == 2);
}

TEST_CASE(
    "the Wahlniederschrift of a valid board has its numbers, the elected in order and the "
    "fingerprint") {
  Election& e = shared();
  TempDir dir("urne-report");
  write(dir / "board.urne", e.board->canonical_bytes());
  std::ostringstream out;
  REQUIRE(cli::write_report({dir / "board.urne", dir / "minutes", false}, out).is_ok());
  CHECK(out.str().find("PDF skipped (--no-pdf)") != std::string::npos);
  const std::string md = slurp(dir / "minutes" / "wahlniederschrift.md");
  const std::string html = slurp(dir / "minutes" / "wahlniederschrift.html");
  CHECK_FALSE(std::filesystem::exists(dir / "minutes" / "wahlniederschrift.pdf"));
  REQUIRE_FALSE(md.empty());
  REQUIRE_FALSE(html.empty());

  const ResultReport rep = must(e.board->report());
  CHECK(rep.entitled == 11);
  CHECK(rep.checked_in == 10);
  CHECK(rep.ballots_cast == 10);
  CHECK(rep.abstentions == 1);
  CHECK(rep.invalid == 1);
  CHECK(rep.valid == 8);

  // Turnout, in both forms.
  CHECK(at(md, "*(institutions entitled)* | 11 |") != std::string::npos);
  CHECK(at(md, "*(checked in, tokens issued)* | 10 |") != std::string::npos);
  CHECK(at(md, "*(ballots cast)* | 10 |") != std::string::npos);
  CHECK(at(md, "*(abstentions)* | 1 |") != std::string::npos);
  CHECK(at(md, "*(invalid)* | 1 |") != std::string::npos);
  CHECK(at(md, "*(valid)* | 8 |") != std::string::npos);
  CHECK(at(html, "data-key=\"entitled\">11<") != std::string::npos);
  CHECK(at(html, "data-key=\"checked_in\">10<") != std::string::npos);
  CHECK(at(html, "data-key=\"ballots_cast\">10<") != std::string::npos);
  CHECK(at(html, "data-key=\"abstentions\">1<") != std::string::npos);
  CHECK(at(html, "data-key=\"invalid\">1<") != std::string::npos);
  CHECK(at(html, "data-key=\"valid\">8<") != std::string::npos);

  // Marks per candidate: the table row of each (rank, escaped name, marks).
  for (const ReportCandidate& c : rep.candidates) {
    INFO(c.name);
    CHECK(at(md, "| " + std::to_string(c.rank) + " | " + cli::markdown_escape(c.name) + " | ") !=
          std::string::npos);
    CHECK(at(html, "<td class=\"name\">" + cli::html_escape(c.name) + "</td><td>" +
                       cli::html_escape(c.affiliation) + "</td><td class=\"n\">" +
                       std::to_string(c.marks) + "</td>") != std::string::npos);
  }
  CHECK(at(html, "<svg class=\"chart\"") != std::string::npos);
  CHECK(at(md, "<svg") == std::string::npos);

  // The elected in order, then the substitutes in order.
  REQUIRE(rep.elected.size() == 2);
  REQUIRE(rep.substitutes.size() == 2);
  CHECK(rep.elected[0] == 0);
  const std::size_t ol = at(html, "<ol class=\"elected\">");
  const std::size_t first = at(html, "<li>" + cli::html_escape(names()[rep.elected[0]].name), ol);
  const std::size_t second = at(html, "<li>" + cli::html_escape(names()[rep.elected[1]].name), ol);
  CHECK(ol < first);
  CHECK(first < second);
  CHECK(second < at(html, "</ol>", ol));
  CHECK(at(html, "<li>Nachrücker 1: " + cli::html_escape(names()[rep.substitutes[0]].name)) !=
        std::string::npos);
  CHECK(at(html, "<li>Nachrücker 2: " + cli::html_escape(names()[rep.substitutes[1]].name)) !=
        std::string::npos);
  CHECK(at(md, "1. " + cli::markdown_escape(names()[rep.elected[0]].name)) <
        at(md, "2. " + cli::markdown_escape(names()[rep.elected[1]].name)));
  CHECK(at(md, "- Nachrücker 1: " + cli::markdown_escape(names()[rep.substitutes[0]].name)) !=
        std::string::npos);
  CHECK(at(md, "- Nachrücker 2: " + cli::markdown_escape(names()[rep.substitutes[1]].name)) !=
        std::string::npos);

  // The lot, with how to reproduce it.
  CHECK(at(md, "durch Los entschieden") != std::string::npos);
  CHECK(at(html, "durch Los entschieden") != std::string::npos);
  CHECK(at(md, hex_encode(rep.lot.seed)) != std::string::npos);
  CHECK(at(html, cli::html_escape(kLotReproduction)) != std::string::npos);
  CHECK(at(md, "```text\n" + std::string(kLotReproduction) + "\n```") != std::string::npos);
  for (const LotKey& k : e.board->contents().result->result.lot().keys) {
    CHECK(at(md, hex_encode(k.key)) != std::string::npos);
  }

  // Fingerprint, audit command, the result's signature and the service key.
  const std::string fp = hex_encode(e.board->fingerprint());
  const std::string sig = hex_encode(e.board->contents().result->signature);
  const std::string key = hex_encode(e.m().spec().service_key);
  for (const std::string* doc : {&md, &html}) {
    CHECK(doc->find(fp) != std::string::npos);
    CHECK(doc->find(e.board->short_fingerprint()) != std::string::npos);
    CHECK(doc->find("urne audit --board board.urne") != std::string::npos);
    CHECK(doc->find(sig) != std::string::npos);
    CHECK(doc->find(key) != std::string::npos);
    CHECK(doc->find("Diese Niederschrift gilt nur") != std::string::npos);
    CHECK(doc->find("Wahlleitung") != std::string::npos);
    CHECK(doc->find("Protokollführung") != std::string::npos);
  }
  CHECK(at(html, "@page { size: A4;") != std::string::npos);
  // Self-contained: nothing fetched from anywhere.
  CHECK(at(html, "src=") == std::string::npos);
  CHECK(at(html, "href=") == std::string::npos);
  CHECK(at(html, "@import") == std::string::npos);
}

TEST_CASE("board text with markup is escaped in the HTML and the Markdown") {
  TempDir dir("urne-report");
  write(dir / "board.urne", shared().board->canonical_bytes());
  std::ostringstream out;
  REQUIRE(cli::write_report({dir / "board.urne", dir / "out", false}, out).is_ok());
  const std::string md = slurp(dir / "out" / "wahlniederschrift.md");
  const std::string html = slurp(dir / "out" / "wahlniederschrift.html");
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("Verein &quot;Ümit&quot; &amp; Söhne") != std::string::npos);
  CHECK(html.find("Herbsttagung &lt;2026&gt; &amp; Co") != std::string::npos);
  // No markup from the board in the Markdown: every < is escaped.
  for (std::size_t p = md.find('<'); p != std::string::npos; p = md.find('<', p + 1)) {
    INFO("at " << p << ": " << md.substr(p > 20 ? p - 20 : 0, 40));
    CHECK((p > 0 && md[p - 1] == '\\'));
  }
  CHECK(md.find("\\<script\\>alert(1)\\</script\\>") != std::string::npos);
  CHECK(md.find("Carla \\*Fett\\* \\| Dahl") != std::string::npos);
  CHECK(md.find("Herbsttagung \\<2026\\> \\& Co") != std::string::npos);

  CHECK(cli::html_escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&#39;");
  CHECK(cli::markdown_escape("x_y`z\n[l](u)") == "x\\_y\\`z \\[l\\](u)");
}

TEST_CASE("a board that does not audit gets no minutes and no file") {
  Election& e = shared();
  BoardContents c = *e.contents;
  ResultData d = c.result->result.data();
  std::swap(d.outcome.elected[0], d.outcome.elected[1]);
  std::swap(d.outcome.ranking[0], d.outcome.ranking[1]);
  e.set_result(c, d);  // re-signed by the service: only the audit finds it
  TempDir dir("urne-report");
  write(dir / "board.urne", e.sign(c).canonical_bytes());
  std::ostringstream out;
  const Status s = cli::write_report({dir / "board.urne", dir / "out", true}, out);
  CHECK(s.reason() == "audit_failed");
  CHECK(s.code() == Code::kFailedPrecondition);
  CHECK(s.message().find("result.elected") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "out"));
  CHECK(out.str().empty());

  // render_minutes() refuses a failed audit, and an audit of another board.
  const Board tampered = e.sign(c);
  CHECK(test::reason_of(cli::render_minutes(tampered, audit_board(tampered), "b.urne")) ==
        "audit_failed");
  CHECK(test::reason_of(cli::render_minutes(*e.board, audit_board(tampered), "b.urne")) ==
        "audit_failed");
}

TEST_CASE("a board without a result gets no minutes") {
  ElectionConfig cfg = report_config();
  cfg.last_state = ElectionState::kTallied;
  cfg.choices.reset();
  cfg.candidates = 3;
  cfg.candidate_names.reset();
  const Election e = make_election(cfg, 0x7a11);
  TempDir dir("urne-report");
  write(dir / "board.urne", e.board->canonical_bytes());
  std::ostringstream out;
  // Under the final audit a tallied board fails (no result) before anything
  // is rendered.
  CHECK(cli::write_report({dir / "board.urne", dir / "out", false}, out).reason() ==
        "audit_failed");
  CHECK_FALSE(std::filesystem::exists(dir / "out"));
}

TEST_CASE("urne report never overwrites minutes and says when the PDF is skipped") {
  TempDir dir("urne-report");
  write(dir / "board.urne", shared().board->canonical_bytes());
  std::filesystem::create_directories(dir / "out");
  { std::ofstream(dir / "out" / "wahlniederschrift.html") << "old"; }
  std::ostringstream out;
  CHECK(cli::write_report({dir / "board.urne", dir / "out", false}, out).reason() == "file_exists");
  CHECK_FALSE(std::filesystem::exists(dir / "out" / "wahlniederschrift.md"));
  CHECK(slurp(dir / "out" / "wahlniederschrift.html") == "old");

  // Without Chromium: Markdown and HTML are written, the PDF is skipped.
  const char* old = std::getenv("URNE_CHROMIUM");
  const std::string saved = old ? old : "";
  ::setenv("URNE_CHROMIUM", (dir / "no-such-chromium").c_str(), 1);
  const Status s = cli::write_report({dir / "board.urne", dir / "fresh", true}, out);
  if (old) {
    ::setenv("URNE_CHROMIUM", saved.c_str(), 1);
  } else {
    ::unsetenv("URNE_CHROMIUM");
  }
  CHECK(s.is_ok());
  CHECK(out.str().find("PDF skipped") != std::string::npos);
  CHECK(std::filesystem::exists(dir / "fresh" / "wahlniederschrift.md"));
  CHECK(std::filesystem::exists(dir / "fresh" / "wahlniederschrift.html"));
  CHECK_FALSE(std::filesystem::exists(dir / "fresh" / "wahlniederschrift.pdf"));

  CHECK(cli::write_report({dir / "missing.urne", dir / "x", false}, out).reason() ==
        "file_missing");
}

}  // namespace
}  // namespace urne::test
