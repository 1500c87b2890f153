#include "ballot/minutes.hpp"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "ballot/result.hpp"
#include "crypto/bytes.hpp"

namespace urne {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string markdown_escape(std::string_view text) {
  // CommonMark lets any ASCII punctuation be escaped with a backslash; these
  // are the ones that start markup inline (emphasis, code, links, raw HTML,
  // entities, GitHub's strikethrough and table cells). Block markers (#, -,
  // 1.) matter only at the start of a line, where board text never stands.
  constexpr std::string_view kSpecial = "\\`*_[]<>|&~#";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    if (ch == '\n' || ch == '\r' || ch == '\t') {
      out += ' ';
    } else {
      if (kSpecial.find(ch) != std::string_view::npos) out += '\\';
      out += ch;
    }
  }
  return out;
}

namespace {

// What one candidate came out as, in German and English.
struct Standing {
  std::string de;
  std::string en;
  int kind = 0;  // 2 elected, 1 substitute, 0 neither (the chart's colour)
};

// Everything the two renderers share: the report data, the names, and the
// bits of the board that the minutes quote.
struct MinutesData {
  ResultReport rep;
  std::string kind;         // the manifest's kind, may be empty
  std::string description;  // may be empty
  std::string assembly;     // the roster's title
  std::uint32_t max_marks = 0;
  bool invalid_offered = false;
  std::vector<ReportCandidate> by_rank;
  std::vector<Standing> standing;  // manifest order
  std::string board_fingerprint;
  std::string board_short;
  std::size_t board_bytes = 0;
  std::string result_hash;
  std::string result_signature;
  std::string service_key;
  std::string audit_command;
  std::size_t checks_passed = 0;
};

std::string name_with_affiliation(const ReportCandidate& c) {
  return c.affiliation.empty() ? c.name : c.name + " (" + c.affiliation + ")";
}

Result<MinutesData> gather(const Board& board, const AuditReport& audit,
                           std::string_view board_file) {
  URNE_ASSIGN_OR_RETURN(ResultReport rep, board.report());
  const Manifest& m = board.manifest();
  MinutesData d;
  d.kind = m.spec().kind.value_or("");
  d.description = m.spec().description.value_or("");
  d.assembly = board.roster().title();
  d.max_marks = m.max_marks();
  d.invalid_offered = m.invalid_offered();
  d.by_rank = rep.candidates;
  std::stable_sort(
      d.by_rank.begin(), d.by_rank.end(),
      [](const ReportCandidate& a, const ReportCandidate& b) { return a.rank < b.rank; });
  d.standing.assign(rep.candidates.size(), Standing{"—", "—", 0});
  for (std::size_t i = 0; i < rep.elected.size(); ++i) {
    d.standing.at(rep.elected[i]) =
        Standing{"gewählt (" + std::to_string(i + 1) + ")", "elected", 2};
  }
  for (std::size_t i = 0; i < rep.substitutes.size(); ++i) {
    d.standing.at(rep.substitutes[i]) =
        Standing{"Nachrücker " + std::to_string(i + 1), "substitute " + std::to_string(i + 1), 1};
  }
  for (const std::uint32_t r : rep.undecided_ranks) {
    for (const ReportCandidate& c : rep.candidates) {
      if (c.rank == r) d.standing.at(c.index) = Standing{"Stichwahl", "runoff", 0};
    }
  }
  d.board_fingerprint = hex_encode(board.fingerprint());
  d.board_short = board.short_fingerprint();
  d.board_bytes = board.canonical_bytes().size();
  const SignedResult& signed_result = *board.contents().result;
  d.result_hash = hex_encode(signed_result.result.hash());
  d.result_signature = hex_encode(signed_result.signature);
  d.service_key = hex_encode(m.spec().service_key);
  d.audit_command = "urne audit --board " + std::string(board_file);
  for (const AuditCheck& c : audit.checks()) d.checks_passed += c.status == CheckStatus::kPass;
  d.rep = std::move(rep);
  return d;
}

std::string tie_rule_de(TieRule r) { return r == TieRule::kLot ? "Los" : "Stichwahl"; }
std::string tie_rule_en(TieRule r) { return r == TieRule::kLot ? "lot" : "runoff"; }

// Names of candidate indices, joined ("A, B und C").
template <typename Escape>
std::string names_of(const MinutesData& d, const std::vector<std::uint32_t>& idx, Escape esc) {
  std::string out;
  for (std::size_t i = 0; i < idx.size(); ++i) {
    if (i > 0) out += i + 1 == idx.size() ? " und " : ", ";
    out += esc(d.rep.candidates.at(idx[i]).name);
  }
  return out;
}

std::string tie_text(const MinutesData& d, const ReportTie& t, bool html) {
  auto esc = [html](std::string_view s) { return html ? html_escape(s) : markdown_escape(s); };
  std::string out = "Gleichstand bei " + std::to_string(t.marks) + " Stimmen auf den Rängen " +
                    std::to_string(t.first_rank) + "–" + std::to_string(t.last_rank) +
                    " zwischen " + names_of(d, t.members, esc) + ": ";
  switch (t.resolution) {
    case TieResolution::kNotNeeded:
      out += "ohne Auswirkung auf Wahl und Nachrücker, kein Los (no effect, no lot drawn).";
      break;
    case TieResolution::kLot: {
      out += "durch Los entschieden (settled by lot). Gezogene Reihenfolge (drawn order): ";
      for (std::size_t i = 0; i < t.drawn_order.size(); ++i) {
        const LotKey& k = t.drawn_order[i];
        out += (i ? "; " : "") + std::to_string(i + 1) + ". " +
               esc(d.rep.candidates.at(k.candidate).name) + " (Schlüssel/key " +
               (html ? "<code>" + hex_encode(k.key) + "</code>" : "`" + hex_encode(k.key) + "`") +
               ")";
      }
      out += ".";
      break;
    }
    case TieResolution::kRunoff:
      out += "Stichwahl erforderlich (runoff needed).";
      break;
  }
  return out;
}

// ---- Markdown --------------------------------------------------------------------------

std::string render_markdown(const MinutesData& d) {
  const ResultReport& r = d.rep;
  auto esc = [](std::string_view s) { return markdown_escape(s); };
  std::ostringstream o;
  o << "# Wahlniederschrift\n\n*Minutes of the election*\n\n";
  o << "## Wahl *(Election)*\n\n";
  o << "- **Wahl** *(election)*: " << esc(r.title) << "\n";
  if (!d.kind.empty()) o << "- **Art** *(kind)*: " << esc(d.kind) << "\n";
  if (!d.description.empty())
    o << "- **Beschreibung** *(description)*: " << esc(d.description) << "\n";
  o << "- **Versammlung** *(assembly)*: " << esc(d.assembly) << "\n";
  o << "- **Wahl-ID** *(election id)*: `" << hex_encode(r.election_id) << "`\n";
  o << "- **Zu wählen** *(to elect)*: " << r.seats << " Sitze *(seats)*, " << r.substitute_places
    << " Nachrückerplätze *(substitutes)*; Stimmen je Stimmzettel *(marks per ballot)*: "
       "höchstens "
    << d.max_marks
    << "; bei Stimmengleichheit entscheidet *(ties settled by)*: " << tie_rule_de(r.tie_rule)
    << " *(" << tie_rule_en(r.tie_rule) << ")*\n\n";

  o << "## Beteiligung *(Turnout)*\n\n| | Anzahl |\n|---|---:|\n";
  o << "| Stimmberechtigte Einrichtungen *(institutions entitled)* | " << r.entitled << " |\n";
  o << "| Angemeldet, Wahlberechtigung abgerufen *(checked in, tokens issued)* | " << r.checked_in
    << " |\n";
  o << "| Abgegebene Stimmzettel *(ballots cast)* | " << r.ballots_cast << " |\n";
  o << "| davon Enthaltungen *(abstentions)* | " << r.abstentions << " |\n";
  if (d.invalid_offered) o << "| davon ungültig *(invalid)* | " << r.invalid << " |\n";
  o << "| davon gültig *(valid)* | " << r.valid << " |\n\n";

  o << "## Stimmen je Kandidat·in *(Marks per candidate)*\n\n";
  o << "| Rang | Kandidat·in | Zugehörigkeit | Stimmen | Ergebnis |\n";
  o << "|---:|---|---|---:|---|\n";
  for (const ReportCandidate& c : d.by_rank) {
    o << "| " << c.rank << " | " << esc(c.name) << " | " << esc(c.affiliation) << " | " << c.marks
      << " | " << d.standing.at(c.index).de << " |\n";
  }
  o << "\n## Gewählt *(Elected)*\n\n";
  if (r.elected.empty()) o << "Niemand *(nobody)*.\n";
  for (std::size_t i = 0; i < r.elected.size(); ++i) {
    o << i + 1 << ". " << esc(name_with_affiliation(r.candidates.at(r.elected[i]))) << "\n";
  }
  o << "\n## Nachrücker *(Substitutes)*\n\n";
  if (r.substitutes.empty()) o << "Keine *(none)*.\n";
  for (std::size_t i = 0; i < r.substitutes.size(); ++i) {
    o << "- Nachrücker " << i + 1 << ": "
      << esc(name_with_affiliation(r.candidates.at(r.substitutes[i]))) << "\n";
  }
  if (!r.undecided_ranks.empty()) {
    o << "\n**Stichwahl erforderlich** *(runoff needed)* zwischen "
      << names_of(d, r.runoff_among, esc) << " für die Ränge";
    for (const std::uint32_t x : r.undecided_ranks) o << " " << x;
    o << ".\n";
  }

  o << "\n## Stimmengleichheit und Los *(Ties and lot)*\n\n";
  if (r.ties.empty()) o << "Keine Stimmengleichheit *(no ties)*.\n";
  for (const ReportTie& t : r.ties) o << "- " << tie_text(d, t, false) << "\n";
  if (r.lot_drawn) {
    o << "\nLos-Saat *(lot seed, revealed at the close)*: `" << hex_encode(r.lot.seed)
      << "`  \nHash der Stimmzettelmenge *(ballot set hash)*: `"
      << hex_encode(r.lot.ballot_set_hash)
      << "`\n\nSo wird das Los nachvollzogen: Jede Schlüsselzahl ist der SHA-256-Hash aus Saat, "
         "Stimmzettelmenge und Nummer der Kandidat·in; die Gleichstehenden werden nach "
         "aufsteigendem Schlüssel gereiht. `urne audit` rechnet das nach (Prüfung "
         "`result.lot`).\n\n*How to reproduce the lot:*\n\n```text\n"
      << kLotReproduction << "\n```\n";
  }

  o << "\n## Prüfung *(Verification)*\n\n";
  o << "- Fingerabdruck der Anschlagtafel *(board fingerprint)*: **" << d.board_short << "**  \n  `"
    << d.board_fingerprint << "`\n";
  o << "- Prüfbefehl *(audit command)*: `" << d.audit_command << "` — bei Erstellung dieser "
    << "Niederschrift bestanden: alle " << d.checks_passed
    << " Prüfungen *(all checks passed when these minutes were made)*\n";
  o << "- Hash des Ergebnisses *(result hash)*: `" << d.result_hash << "`\n";
  o << "- Signatur des Dienstes über das Ergebnis *(service's result signature, Ed25519)*: `"
    << d.result_signature << "`\n";
  o << "- Schlüssel des Dienstes *(service key)*: `" << d.service_key << "`\n\n";
  o << "Diese Niederschrift gilt nur, wenn `urne audit` auf der Anschlagtafel mit diesem "
       "Fingerabdruck besteht und die Signatur des Ergebnisses mit diesem Schlüssel gültig ist. "
       "*(These minutes are valid only if `urne audit` passes on the board with this "
       "fingerprint and this signature verifies with this key.)*\n\n";

  o << "## Unterschriften *(Signatures)*\n\n";
  o << "Ort, Datum *(place, date)*: ______________________________\n\n";
  o << "Wahlleitung *(election officer)*: ______________________________\n\n";
  o << "Protokollführung *(minute-taker)*: ______________________________\n";
  return o.str();
}

// ---- HTML ------------------------------------------------------------------------------

// At most `max` code points of UTF-8 text, with an ellipsis if cut (never
// inside a multi-byte sequence).
std::string clip_utf8(std::string_view s, std::size_t max) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (points == max) return std::string(s.substr(0, i)) + "…";
      ++points;
    }
  }
  return std::string(s);
}

// A horizontal bar per candidate in rank order; elected dark, substitutes
// mid, others light. Plain SVG: no script, no external reference.
std::string bar_chart(const MinutesData& d) {
  constexpr int kRow = 22;
  constexpr int kLabel = 250;
  constexpr int kBars = 330;
  constexpr int kWidth = 660;
  std::uint64_t max = 1;
  for (const ReportCandidate& c : d.by_rank) max = std::max(max, c.marks);
  const int height = kRow * static_cast<int>(d.by_rank.size()) + 8;
  std::ostringstream o;
  o << "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << kWidth << ' '
    << height << "\" width=\"100%\" role=\"img\" aria-label=\"Stimmen je Kandidat·in (marks per "
    << "candidate)\">\n";
  int y = 4;
  for (const ReportCandidate& c : d.by_rank) {
    const int kind = d.standing.at(c.index).kind;
    const char* fill = kind == 2 ? "#1f4e79" : kind == 1 ? "#6f9fca" : "#c9d6e3";
    const auto w = static_cast<int>(static_cast<double>(kBars) * static_cast<double>(c.marks) /
                                    static_cast<double>(max));
    o << "  <text x=\"" << kLabel - 6 << "\" y=\"" << y + 15
      << "\" text-anchor=\"end\" font-size=\"12\">" << c.rank << ". "
      << html_escape(clip_utf8(c.name, 32)) << "</text>\n";
    o << "  <rect x=\"" << kLabel << "\" y=\"" << y + 3 << "\" width=\"" << std::max(w, 1)
      << "\" height=\"" << kRow - 6 << "\" fill=\"" << fill << "\"/>\n";
    o << "  <text x=\"" << kLabel + std::max(w, 1) + 5 << "\" y=\"" << y + 15
      << "\" font-size=\"12\">" << c.marks << "</text>\n";
    y += kRow;
  }
  o << "</svg>\n";
  return o.str();
}

constexpr std::string_view kCss = R"(
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Serif", Georgia, serif; font-size: 11pt; line-height: 1.4;
       color: #000; max-width: 180mm; margin: 1em auto; }
h1 { font-size: 20pt; margin: 0 0 .1em 0; }
h2 { font-size: 13pt; margin: 1.2em 0 .4em 0; border-bottom: 1px solid #888; }
.en { color: #555; font-style: italic; font-weight: normal; }
.sub { color: #555; font-style: italic; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .4em 0; }
th, td { border: 1px solid #999; padding: .2em .5em; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code, .hex { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt;
             word-break: break-all; }
dl { display: grid; grid-template-columns: 13em 1fr; gap: .2em 1em; }
dt { font-weight: bold; } dd { margin: 0; }
.chart { max-width: 170mm; }
.validity { border: 1px solid #000; padding: .5em .8em; }
.signatures { margin-top: 2em; }
.line { display: flex; gap: 2em; margin-top: 3.2em; }
.line div { flex: 1; border-top: 1px solid #000; padding-top: .2em; font-size: 10pt; }
table, .chart, .validity, .signatures, li { page-break-inside: avoid; break-inside: avoid; }
h2 { page-break-after: avoid; break-after: avoid; }
@media print { body { margin: 0; max-width: none; } }
)";

std::string render_html(const MinutesData& d) {
  const ResultReport& r = d.rep;
  auto esc = [](std::string_view s) { return html_escape(s); };
  auto en = [](std::string_view s) { return "<span class=\"en\">(" + std::string(s) + ")</span>"; };
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    << "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n"
    << "<title>Wahlniederschrift — " << esc(r.title) << "</title>\n<style>" << kCss
    << "</style>\n</head>\n<body>\n";
  o << "<h1>Wahlniederschrift</h1>\n<p class=\"sub\">Minutes of the election</p>\n";

  o << "<h2>Wahl " << en("Election") << "</h2>\n<dl>\n";
  o << "<dt>Wahl</dt><dd class=\"title\">" << esc(r.title) << "</dd>\n";
  if (!d.kind.empty()) o << "<dt>Art</dt><dd>" << esc(d.kind) << "</dd>\n";
  if (!d.description.empty()) {
    std::string desc = esc(d.description);
    for (std::size_t p = desc.find('\n'); p != std::string::npos; p = desc.find('\n', p + 5)) {
      desc.replace(p, 1, "<br>\n");
    }
    o << "<dt>Beschreibung</dt><dd>" << desc << "</dd>\n";
  }
  o << "<dt>Versammlung " << en("assembly") << "</dt><dd class=\"assembly\">" << esc(d.assembly)
    << "</dd>\n";
  o << "<dt>Wahl-ID " << en("election id") << "</dt><dd class=\"hex\">" << hex_encode(r.election_id)
    << "</dd>\n";
  o << "<dt>Zu wählen " << en("to elect") << "</dt><dd>" << r.seats << " Sitze, "
    << r.substitute_places << " Nachrückerplätze; Stimmen je Stimmzettel: höchstens " << d.max_marks
    << "; bei Stimmengleichheit: " << tie_rule_de(r.tie_rule) << " "
    << en(std::to_string(r.seats) + " seats, " + std::to_string(r.substitute_places) +
          " substitutes, ties settled by " + tie_rule_en(r.tie_rule))
    << "</dd>\n</dl>\n";

  o << "<h2>Beteiligung " << en("Turnout") << "</h2>\n<table class=\"turnout\">\n";
  auto row = [&](std::string_view de, std::string_view en_text, std::uint64_t n,
                 std::string_view key) {
    o << "<tr><td>" << de << " " << en(en_text) << "</td><td class=\"n\" data-key=\"" << key
      << "\">" << n << "</td></tr>\n";
  };
  row("Stimmberechtigte Einrichtungen", "institutions entitled", r.entitled, "entitled");
  row("Angemeldet, Wahlberechtigung abgerufen", "checked in, tokens issued", r.checked_in,
      "checked_in");
  row("Abgegebene Stimmzettel", "ballots cast", r.ballots_cast, "ballots_cast");
  row("davon Enthaltungen", "abstentions", r.abstentions, "abstentions");
  if (d.invalid_offered) row("davon ungültig", "invalid", r.invalid, "invalid");
  row("davon gültig", "valid", r.valid, "valid");
  o << "</table>\n";

  o << "<h2>Stimmen je Kandidat·in " << en("Marks per candidate") << "</h2>\n"
    << "<table class=\"marks\">\n<tr><th class=\"n\">Rang</th><th>Kandidat·in</th>"
    << "<th>Zugehörigkeit</th><th class=\"n\">Stimmen</th><th>Ergebnis</th></tr>\n";
  for (const ReportCandidate& c : d.by_rank) {
    o << "<tr><td class=\"n\">" << c.rank << "</td><td class=\"name\">" << esc(c.name)
      << "</td><td>" << esc(c.affiliation) << "</td><td class=\"n\">" << c.marks << "</td><td>"
      << d.standing.at(c.index).de << "</td></tr>\n";
  }
  o << "</table>\n" << bar_chart(d);

  o << "<h2>Gewählt " << en("Elected") << "</h2>\n";
  if (r.elected.empty()) o << "<p>Niemand " << en("nobody") << "</p>\n";
  o << "<ol class=\"elected\">\n";
  for (const std::uint32_t i : r.elected) {
    o << "<li>" << esc(name_with_affiliation(r.candidates.at(i))) << "</li>\n";
  }
  o << "</ol>\n<h2>Nachrücker " << en("Substitutes") << "</h2>\n";
  if (r.substitutes.empty()) o << "<p>Keine " << en("none") << "</p>\n";
  o << "<ul class=\"substitutes\">\n";
  for (std::size_t i = 0; i < r.substitutes.size(); ++i) {
    o << "<li>Nachrücker " << i + 1 << ": "
      << esc(name_with_affiliation(r.candidates.at(r.substitutes[i]))) << "</li>\n";
  }
  o << "</ul>\n";
  if (!r.undecided_ranks.empty()) {
    o << "<p><strong>Stichwahl erforderlich</strong> " << en("runoff needed") << " zwischen "
      << names_of(d, r.runoff_among, esc) << " für die Ränge";
    for (const std::uint32_t x : r.undecided_ranks) o << " " << x;
    o << ".</p>\n";
  }

  o << "<h2>Stimmengleichheit und Los " << en("Ties and lot") << "</h2>\n";
  if (r.ties.empty()) o << "<p>Keine Stimmengleichheit " << en("no ties") << "</p>\n";
  if (!r.ties.empty()) {
    o << "<ul class=\"ties\">\n";
    for (const ReportTie& t : r.ties) o << "<li>" << tie_text(d, t, true) << "</li>\n";
    o << "</ul>\n";
  }
  if (r.lot_drawn) {
    o << "<dl>\n<dt>Los-Saat " << en("lot seed") << "</dt><dd class=\"hex\">"
      << hex_encode(r.lot.seed) << "</dd>\n<dt>Stimmzettelmenge " << en("ballot set hash")
      << "</dt><dd class=\"hex\">" << hex_encode(r.lot.ballot_set_hash) << "</dd>\n</dl>\n"
      << "<p>So wird das Los nachvollzogen: Jede Schlüsselzahl ist der SHA-256-Hash aus Saat, "
         "Stimmzettelmenge und Nummer der Kandidat·in; die Gleichstehenden werden nach "
         "aufsteigendem Schlüssel gereiht. <code>urne audit</code> rechnet das nach (Prüfung "
         "<code>result.lot</code>).</p>\n<p class=\"en lot-reproduction\">"
      << esc(kLotReproduction) << "</p>\n";
  }

  o << "<h2>Prüfung " << en("Verification") << "</h2>\n<dl>\n";
  o << "<dt>Fingerabdruck der Anschlagtafel " << en("board fingerprint") << "</dt><dd><strong>"
    << d.board_short << "</strong><br><span class=\"hex fingerprint\">" << d.board_fingerprint
    << "</span></dd>\n";
  o << "<dt>Prüfbefehl " << en("audit command") << "</dt><dd><code>" << esc(d.audit_command)
    << "</code><br>bei Erstellung bestanden: alle " << d.checks_passed << " Prüfungen "
    << en("all checks passed when these minutes were made") << "</dd>\n";
  o << "<dt>Hash des Ergebnisses " << en("result hash") << "</dt><dd class=\"hex\">"
    << d.result_hash << "</dd>\n";
  o << "<dt>Signatur des Dienstes " << en("service's result signature, Ed25519")
    << "</dt><dd class=\"hex result-signature\">" << d.result_signature << "</dd>\n";
  o << "<dt>Schlüssel des Dienstes " << en("service key") << "</dt><dd class=\"hex\">"
    << d.service_key << "</dd>\n</dl>\n";
  o << "<p class=\"validity\">Diese Niederschrift gilt nur, wenn <code>urne audit</code> auf der "
       "Anschlagtafel mit diesem Fingerabdruck besteht und die Signatur des Ergebnisses mit "
       "diesem Schlüssel gültig ist. "
    << en("These minutes are valid only if urne audit passes on the board with this "
          "fingerprint and this signature verifies with this key.")
    << "</p>\n";

  o << "<section class=\"signatures\">\n<h2>Unterschriften " << en("Signatures") << "</h2>\n"
    << "<div class=\"line\"><div>Ort, Datum " << en("place, date") << "</div><div>Wahlleitung "
    << en("election officer") << "</div></div>\n"
    << "<div class=\"line\"><div>Ort, Datum " << en("place, date") << "</div><div>Protokollführung "
    << en("minute-taker") << "</div></div>\n</section>\n";
  o << "</body>\n</html>\n";
  return o.str();
}

std::string failed_checks(const AuditReport& audit) {
  std::string out;
  for (const std::string& n : audit.failures()) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

Result<Minutes> render_minutes(const Board& board, const AuditReport& audit,
                               std::string_view board_file) {
  if (!audit.ok() || audit.fingerprint() != board.fingerprint()) {
    return Status(Code::kFailedPrecondition, "audit_failed",
                  "minutes only of a board that audits (" + failed_checks(audit) + ")");
  }
  URNE_ASSIGN_OR_RETURN(const MinutesData d, gather(board, audit, board_file));
  return Minutes{render_markdown(d), render_html(d)};
}

}  // namespace urne
