#include "cli/letters.hpp"

#include <doctest/doctest.h>
#include <qrencode.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/pdf.hpp"
#include "codec/json_views.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using namespace urne;
using namespace urne::cli;

namespace {

std::string reason_of_csv(std::string_view text) {
  const auto r = parse_roster_csv(text);
  return r.ok() ? std::string("ok") : r.status().reason();
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const fs::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return static_cast<unsigned>(st.st_mode) & 0777U;
}

std::string html_unescape(std::string s) {
  const std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : kEntities) {
    std::string out;
    std::size_t at = 0;
    for (std::size_t hit; (hit = s.find(from, at)) != std::string::npos; at = hit + from.size()) {
      out.append(s, at, hit - at);
      out += to;
    }
    out.append(s, at);
    s = out;
  }
  return s;
}

// The text between `open` (after `from`) and the next `close`.
std::string between(const std::string& s, std::string_view open, std::string_view close,
                    std::size_t from = 0) {
  const std::size_t a = s.find(open, from);
  REQUIRE(a != std::string::npos);
  const std::size_t b = s.find(close, a + open.size());
  REQUIRE(b != std::string::npos);
  return s.substr(a + open.size(), b - a - open.size());
}

struct Letter {
  std::string institution;
  std::string link;
  std::string svg;
};

// What a delegate's device sees of each page: the data-institution, the
// link of <a class="voting-link">, and the QR code's SVG.
std::vector<Letter> letters_in(const std::string& html) {
  std::vector<Letter> out;
  const std::string_view kOpen = "<section class=\"letter\" data-institution=\"";
  for (std::size_t at = html.find(kOpen); at != std::string::npos; at = html.find(kOpen, at + 1)) {
    const std::size_t end = html.find("</section>", at);
    REQUIRE(end != std::string::npos);
    const std::string page = html.substr(at, end - at);
    Letter l;
    l.institution = html_unescape(between(page, kOpen, "\""));
    const std::size_t a = page.find("class=\"voting-link\"");
    REQUIRE(a != std::string::npos);
    l.link = html_unescape(between(page, "href=\"", "\"", a));
    l.svg = "<svg" + between(page, "<svg", "</svg>") + "</svg>";
    out.push_back(std::move(l));
  }
  return out;
}

struct QrFree {
  void operator()(QRcode* q) const { QRcode_free(q); }
};

// The module matrix drawn by the SVG path ("Mx yhNv1h-Nz" runs), without
// the quiet zone.
std::vector<std::vector<bool>> matrix_from_svg(const std::string& svg, int width) {
  std::vector<std::vector<bool>> m(static_cast<std::size_t>(width),
                                   std::vector<bool>(static_cast<std::size_t>(width), false));
  const std::string d = between(svg, " d=\"", "\"");
  std::size_t at = 0;
  while (at < d.size()) {
    int x = 0, y = 0, n = 0, back = 0;
    int used = 0;
    REQUIRE(std::sscanf(d.c_str() + at, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &back, &used) == 4);
    REQUIRE(n == back);
    for (int i = 0; i < n; ++i) {
      const int mx = x - 4 + i;
      const int my = y - 4;
      REQUIRE(mx >= 0);
      REQUIRE(my >= 0);
      REQUIRE(mx < width);
      REQUIRE(my < width);
      m[static_cast<std::size_t>(my)][static_cast<std::size_t>(mx)] = true;
    }
    at += static_cast<std::size_t>(used);
  }
  return m;
}

std::size_t count_pdf_pages(const std::string& pdf) {
  std::size_t n = 0;
  for (std::size_t at = pdf.find("/Type /Page"); at != std::string::npos;
       at = pdf.find("/Type /Page", at + 1)) {
    if (at + 11 >= pdf.size() || pdf[at + 11] != 's') ++n;
  }
  return n;
}

constexpr std::string_view kCsv =
    "\xEF\xBB\xBFid,name,contact\r\n"
    "kv-nord,Kreisverband Nord,\"Hauptstra\xC3\x9F"
    "e 1, 12345 Nordstadt\"\r\n"
    "kv-sued,\"Kreisverband \"\"S\xC3\xBC"
    "d\"\"\",\"<b>&amp; \"\"x\"\"</b>\"\r\n"
    "lv.berlin_2,Landesverband Berlin,\r\n";

LettersOptions options_for(const test::TempDir& dir, const std::string& out, bool pdf) {
  write_text(dir / "roster.csv", kCsv);
  LettersOptions o;
  o.roster_csv = dir / "roster.csv";
  o.title = "Herbsttagung 2026";
  o.vote_url = "https://wahl.example.org/vote";
  o.out = dir / out;
  o.pdf = pdf;
  return o;
}

// Scoped setenv for URNE_CHROMIUM.
class ChromiumEnv {
 public:
  explicit ChromiumEnv(const char* value) {
    if (const char* old = std::getenv("URNE_CHROMIUM")) old_ = old;
    ::setenv("URNE_CHROMIUM", value, 1);
  }
  ~ChromiumEnv() {
    if (old_) {
      ::setenv("URNE_CHROMIUM", old_->c_str(), 1);
    } else {
      ::unsetenv("URNE_CHROMIUM");
    }
  }
  ChromiumEnv(const ChromiumEnv&) = delete;
  ChromiumEnv& operator=(const ChromiumEnv&) = delete;

 private:
  std::optional<std::string> old_;
};

}  // namespace

// ---- CSV -----------------------------------------------------------------------------------

TEST_CASE("the roster CSV reader reads quotes, doubled quotes, CRLF and a BOM") {
  const auto rows = parse_roster_csv(kCsv);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].id == "kv-nord");
  CHECK((*rows)[0].name == "Kreisverband Nord");
  CHECK((*rows)[0].contact ==
        "Hauptstra\xC3\x9F"
        "e 1, 12345 Nordstadt");
  CHECK((*rows)[0].line == 2);
  CHECK((*rows)[1].name ==
        "Kreisverband \"S\xC3\xBC"
        "d\"");
  CHECK((*rows)[1].contact == "<b>&amp; \"x\"</b>");
  CHECK((*rows)[2].id == "lv.berlin_2");
  CHECK((*rows)[2].contact.empty());
  CHECK((*rows)[2].line == 4);
}

TEST_CASE(
    "the roster CSV reader takes LF line ends, two columns, any header case and blank lines") {
  const auto rows = parse_roster_csv("ID,Name\n\nA,Alpha\n\n\"B\",\"\"\nC,Gamma");
  // The empty quoted name of B is a named error, on its line.
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.status().reason() == "bad_length");
  CHECK(rows.status().message().find("line 5") != std::string::npos);

  const auto ok = parse_roster_csv("ID,Name\n\nA,Alpha\n\nC,Gamma");
  REQUIRE(ok.ok());
  REQUIRE(ok->size() == 2);
  CHECK((*ok)[1].line == 5);
  CHECK((*ok)[1].name == "Gamma");
}

TEST_CASE("the roster CSV reader names the reason and line of every malformed input") {
  CHECK(reason_of_csv("") == "csv_empty");
  CHECK(reason_of_csv("\xEF\xBB\xBF") == "csv_empty");
  CHECK(reason_of_csv("\r\n\n") == "csv_empty");
  CHECK(reason_of_csv("id,name\n") == "csv_no_rows");
  CHECK(reason_of_csv("A,Alpha\nB,Beta\n") == "csv_header_missing");
  CHECK(reason_of_csv("id,name,phone\nA,Alpha,1\n") == "csv_header_missing");
  CHECK(reason_of_csv("id\nA\n") == "csv_header_missing");
  CHECK(reason_of_csv("id,name\nA,Alpha\nA,Again\n") == "duplicate_institution_id");
  CHECK(reason_of_csv("id,name\nA B,Alpha\n") == "institution_id_malformed");
  CHECK(reason_of_csv("id,name\n,Alpha\n") == "institution_id_malformed");
  CHECK(reason_of_csv("id,name\n" + std::string(65, 'a') + ",Alpha\n") ==
        "institution_id_malformed");
  CHECK(reason_of_csv("id,name\nA,Alpha,extra\n") == "csv_column_count");
  CHECK(reason_of_csv("id,name,contact\nA,Alpha,x,y,z,w\n") == "csv_column_count");
  CHECK(reason_of_csv("id,name,contact\nA,Alpha\n") == "csv_column_count");
  CHECK(reason_of_csv("id,name\nA,\"Alpha\n") == "csv_unterminated_quote");
  CHECK(reason_of_csv("id,name\nA,Al\"pha\n") == "csv_stray_quote");
  CHECK(reason_of_csv("id,name\nA,\"Alpha\"x\n") == "csv_stray_quote");
  CHECK(reason_of_csv("id,name\nA, Alpha\n") == "surrounding_space");
  CHECK(reason_of_csv("id,name\nA,\"Al\npha\"\n") == "forbidden_character");
  CHECK(reason_of_csv("id,name\nA,Al\tpha\n") == "forbidden_character");
  CHECK(reason_of_csv("id,name\nA,Alpha\rBeta\n") == "forbidden_character");
  CHECK(reason_of_csv("id,name\nA,Al\xC3pha\n") == "bad_utf8");
  CHECK(reason_of_csv("id,name\nA," + std::string(201, 'x') + "\n") == "bad_length");
  // "Jürgen" with u + U+0308 instead of the precomposed ü.
  CHECK(reason_of_csv("id,name\nA,Ju\xCC\x88rgen\n") == "not_nfc");
  CHECK(reason_of_csv("id,name,contact\nA,Alpha,Ju\xCC\x88rgen\n") == "not_nfc");
  CHECK(reason_of_csv("id,name,contact\nA,Alpha,\"x\" \n") == "csv_stray_quote");

  const auto dup = parse_roster_csv("id,name\r\nA,Alpha\r\nB,Beta\r\nA,Again\r\n");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.status().message().find("line 4") != std::string::npos);
  const auto quote = parse_roster_csv("id,name\nA,Alpha\nB,\"Be\nta");
  REQUIRE_FALSE(quote.ok());
  CHECK(quote.status().reason() == "csv_unterminated_quote");
  CHECK(quote.status().message().find("line 3") != std::string::npos);
}

TEST_CASE("the roster CSV reader bounds the file size and the number of rows") {
  CHECK(reason_of_csv(std::string(kMaxRosterCsvSize + 1, 'a')) == "csv_too_large");
  std::string many = "id,name\n";
  for (std::size_t i = 0; i <= Roster::kMaxInstitutions; ++i) {
    many += "i" + std::to_string(i) + ",Name " + std::to_string(i) + "\n";
  }
  CHECK(reason_of_csv(many) == "csv_too_many_rows");
  const std::size_t last = many.rfind('i');
  many.erase(last);  // exactly kMaxInstitutions rows
  const auto rows = parse_roster_csv(many);
  REQUIRE(rows.ok());
  CHECK(rows->size() == Roster::kMaxInstitutions);
}

// ---- the voting link ------------------------------------------------------------------------

TEST_CASE("a voting link parses back to its institution, code, context and roster") {
  SeededRng rng(7);
  const VotingCode code = VotingCode::generate(rng);
  const CredentialContext context = CredentialContext::generate(rng);
  FixedBytes<32> fp{};
  rng.fill(fp);
  const std::string link =
      make_voting_link("https://wahl.example.org/vote?x=1", "kv.nord_2-a", code, context, fp);
  const SecretBytes formatted = code.format();
  CHECK(link == "https://wahl.example.org/vote?x=1#i=kv.nord_2-a&c=" + to_string(formatted.view()) +
                    "&x=" + base64url_encode(context.bytes()) + "&r=" + hex_encode(fp));
  const auto parsed = parse_voting_link(link);
  REQUIRE(parsed.ok());
  CHECK(parsed->institution_id == "kv.nord_2-a");
  CHECK(parsed->context == context);
  CHECK(parsed->roster_fingerprint == fp);
  const SecretBytes again = parsed->code.format();
  CHECK(ct_equal(again.view(), formatted.view()));
}

TEST_CASE("every malformed voting link is rejected without showing the code") {
  SeededRng rng(8);
  const VotingCode code = VotingCode::generate(rng);
  const CredentialContext context = CredentialContext::generate(rng);
  FixedBytes<32> fp{};
  rng.fill(fp);
  const std::string c = to_string(code.format().view());
  const std::string x = base64url_encode(context.bytes());
  const std::string r = hex_encode(fp);
  const std::string base = "https://v.example/";
  const auto link = [&](std::string i, std::string cc, std::string xx, std::string rr) {
    return base + "#i=" + i + "&c=" + cc + "&x=" + xx + "&r=" + rr;
  };
  REQUIRE(parse_voting_link(link("A", c, x, r)).ok());

  std::string lower = c;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string typo = c;
  typo[0] = typo[0] == '2' ? '3' : '2';
  std::string no_dashes;
  for (const char ch : c) {
    if (ch != '-') no_dashes += ch;
  }
  std::string upper_r = r;
  for (char& ch : upper_r) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const std::string x31 = base64url_encode(ByteView(context.bytes()).first(31));

  const std::vector<std::string> bad = {
      "",
      "#i=A&c=" + c + "&x=" + x + "&r=" + r,  // nothing before '#'
      base + "?i=A&c=" + c + "&x=" + x + "&r=" + r,
      link("A", c, x, r) + "#",
      link("A", c, x, r) + "&z=1",
      link("A", c, x, r) + "&",
      base + "#i=A&c=" + c + "&x=" + x,
      base + "#c=" + c + "&i=A&x=" + x + "&r=" + r,
      base + "#i=A&c=" + c + "&r=" + r + "&x=" + x,
      base + "#I=A&c=" + c + "&x=" + x + "&r=" + r,
      link("", c, x, r),
      link("a%20b", c, x, r),
      link("%41", c, x, r),
      link("%4", c, x, r),
      link("A%", c, x, r),
      link("%G1", c, x, r),
      link(std::string(65, 'a'), c, x, r),
      link("A", lower, x, r),
      link("A", no_dashes, x, r),
      link("A", typo, x, r),
      link("A", "", x, r),
      link("A", c + "-", x, r),
      link("A", c, x31, r),
      link("A", c, x + "=", r),
      link("A", c, x.substr(0, 42) + "+", r),
      link("A", c, "", r),
      link("A", c, x, upper_r),
      link("A", c, x, r.substr(1)),
      link("A", c, x, r + "0"),
      link("A", c, x, r.substr(0, 63) + "g"),
      link("A", c, x, r) + " ",
      "https://v.example/\xC3\xA4#i=A&c=" + c + "&x=" + x + "&r=" + r,
      std::string(kMaxVotingLinkSize - link("A", c, x, r).size() + 1, 'h') + link("A", c, x, r),
  };
  for (const std::string& l : bad) {
    CAPTURE(l);
    const auto parsed = parse_voting_link(l);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().reason() == "voting_link_malformed");
    CHECK(parsed.status().message().find(c) == std::string::npos);
    CHECK(parsed.status().message().find(no_dashes.substr(0, 8)) == std::string::npos);
  }
}

TEST_CASE("the voting page must be https, or http on the local machine") {
  CHECK(check_vote_url("https://wahl.example.org/vote").is_ok());
  CHECK(check_vote_url("https://10.0.0.5:8443").is_ok());
  CHECK(check_vote_url("http://localhost:8443/vote").is_ok());
  CHECK(check_vote_url("http://127.0.0.1/").is_ok());
  CHECK(check_vote_url("http://[::1]:80/vote").is_ok());
  for (const std::string_view bad :
       {"", "http://wahl.example.org/", "http://localhost.evil.example/", "https://",
        "https:///path", "ftp://x/", "https://a b/", "https://x/#frag", "https://x/\"",
        "https://x/<script>", "javascript:alert(1)", "HTTPS://x/"}) {
    CAPTURE(bad);
    CHECK(check_vote_url(bad).reason() == "vote_url_malformed");
  }
  CHECK(check_vote_url("https://x/" + std::string(kMaxVoteUrlSize, 'a')).reason() ==
        "vote_url_malformed");
}

// ---- the command ----------------------------------------------------------------------------

TEST_CASE("urne letters writes a roster whose keys the codes in the letters derive") {
  test::TempDir dir("urne-letters");
  const LettersOptions o = options_for(dir, "out", /*pdf=*/false);
  SeededRng rng(42);
  std::ostringstream text;
  REQUIRE(write_letters(o, rng, text).is_ok());

  const auto roster = codec::roster_from_view(codec::json::parse(read_all(o.out / "roster.json")));
  REQUIRE(roster.ok());
  CHECK(roster->title() == "Herbsttagung 2026");
  REQUIRE(roster->institutions().size() == 3);

  CHECK(mode_of(o.out) == 0700U);
  CHECK(mode_of(o.out / "letters.html") == 0600U);
  CHECK(mode_of(o.out / "roster.json") == 0644U);
  CHECK_FALSE(fs::exists(o.out / "letters.pdf"));

  const std::string html = read_all(o.out / "letters.html");
  const std::vector<Letter> letters = letters_in(html);
  REQUIRE(letters.size() == 3);
  std::map<std::string, int> seen;
  for (const Letter& l : letters) {
    CAPTURE(l.institution);
    const auto link = parse_voting_link(l.link);
    REQUIRE(link.ok());
    CHECK(l.link.starts_with("https://wahl.example.org/vote#i="));
    CHECK(link->institution_id == l.institution);
    CHECK(link->roster_fingerprint == roster->fingerprint());
    CHECK(link->context == roster->credential_context());
    const Institution* listed = roster->find(l.institution);
    REQUIRE(listed != nullptr);
    const auto key = InstitutionSecretKey::derive(link->code, link->context);
    REQUIRE(key.ok());
    CHECK(key->public_key() == listed->key);
    // The code is printed on the page as well.
    CHECK(html.find(to_string(link->code.format().view())) != std::string::npos);
    ++seen[l.institution];
  }
  CHECK(seen == std::map<std::string, int>{{"kv-nord", 1}, {"kv-sued", 1}, {"lv.berlin_2", 1}});
  // Letters in the CSV's order; roster texts escaped; nothing loaded from outside.
  CHECK(letters[0].institution == "kv-nord");
  CHECK(html.find("<b>&amp;") == std::string::npos);
  CHECK(html.find("&lt;b&gt;&amp;amp; &quot;x&quot;&lt;/b&gt;") != std::string::npos);
  CHECK(html.find("Kreisverband &quot;S\xC3\xBC"
                  "d&quot;") != std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  CHECK(html.find("default-src 'none'") != std::string::npos);
  CHECK(html.find(roster->short_fingerprint()) != std::string::npos);
  CHECK(html.find(hex_encode(roster->fingerprint())) != std::string::npos);
  CHECK(html.find("Stichwahl") != std::string::npos);
  CHECK(html.find("runoff") != std::string::npos);

  const std::string out = text.str();
  CHECK(out.find(roster->short_fingerprint()) != std::string::npos);
  CHECK(out.find(hex_encode(roster->fingerprint())) != std::string::npos);
  CHECK(out.find("3 institutions") != std::string::npos);
  CHECK(out.find("delete letters.html and letters.pdf") != std::string::npos);
  CHECK(out.find("l\xC3\xB6schen") != std::string::npos);
  CHECK(out.find("--no-pdf") != std::string::npos);
}

TEST_CASE("the QR code on each letter draws exactly libqrencode's matrix of the link") {
  test::TempDir dir("urne-letters");
  const LettersOptions o = options_for(dir, "out", /*pdf=*/false);
  SeededRng rng(43);
  std::ostringstream text;
  REQUIRE(write_letters(o, rng, text).is_ok());
  for (const Letter& l : letters_in(read_all(o.out / "letters.html"))) {
    const std::unique_ptr<QRcode, QrFree> qr(
        QRcode_encodeString(l.link.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
    REQUIRE(qr);
    // ~200 characters of link at level M: version 9 or 10, 53 or 57 modules.
    CHECK(qr->version >= 8);
    CHECK(qr->version <= 11);
    CHECK(qr->width == 17 + 4 * qr->version);
    const int size = qr->width + 8;  // quiet zone of 4 on each side
    CHECK(l.svg.find("viewBox=\"0 0 " + std::to_string(size) + " " + std::to_string(size) + "\"") !=
          std::string::npos);
    const auto drawn = matrix_from_svg(l.svg, qr->width);
    std::size_t dark = 0;
    std::size_t dark_drawn = 0;
    bool same = true;
    for (int y = 0; y < qr->width; ++y) {
      for (int x = 0; x < qr->width; ++x) {
        const bool d = (qr->data[y * qr->width + x] & 1) != 0;
        const bool s = drawn[static_cast<std::size_t>(y)][static_cast<std::size_t>(x)];
        dark += d ? 1 : 0;
        dark_drawn += s ? 1 : 0;
        same = same && d == s;
      }
    }
    CHECK(dark > 0);
    CHECK(dark_drawn == dark);
    CHECK(same);
  }
}

TEST_CASE("urne letters never overwrites letters or a roster and writes nothing on bad input") {
  test::TempDir dir("urne-letters");
  LettersOptions o = options_for(dir, "out", /*pdf=*/false);
  SeededRng rng(44);
  std::ostringstream text;
  REQUIRE(write_letters(o, rng, text).is_ok());
  const std::string before = read_all(o.out / "letters.html");
  const Status again = write_letters(o, rng, text);
  CHECK(again.reason() == "file_exists");
  CHECK(read_all(o.out / "letters.html") == before);

  // An existing directory with other files is fine; a letters.pdf in it is not.
  const fs::path other = dir / "other";
  fs::create_directory(other);
  write_text(other / "letters.pdf", "old");
  o.out = other;
  CHECK(write_letters(o, rng, text).reason() == "file_exists");
  CHECK_FALSE(fs::exists(other / "letters.html"));
  CHECK_FALSE(fs::exists(other / "roster.json"));

  // Bad input: nothing is created.
  o.out = dir / "fresh";
  write_text(dir / "bad.csv", "id,name\nA,Alpha\nA,Again\n");
  o.roster_csv = dir / "bad.csv";
  CHECK(write_letters(o, rng, text).reason() == "duplicate_institution_id");
  o.roster_csv = dir / "roster.csv";
  o.vote_url = "http://wahl.example.org/";
  CHECK(write_letters(o, rng, text).reason() == "vote_url_malformed");
  o.vote_url = "https://wahl.example.org/";
  o.title = " Herbsttagung";
  CHECK(write_letters(o, rng, text).reason() == "surrounding_space");
  o.title = "Ju\xCC\x88rgen";
  CHECK(write_letters(o, rng, text).reason() == "not_nfc");
  o.roster_csv = dir / "missing.csv";
  o.title = "Herbsttagung";
  CHECK(write_letters(o, rng, text).reason() == "file_missing");
  CHECK_FALSE(fs::exists(dir / "fresh"));
}

TEST_CASE("urne letters is registered with its options") {
  test::TempDir dir("urne-letters");
  write_text(dir / "roster.csv", kCsv);
  CLI::App app;
  Commands commands;
  add_letters_commands(app, commands);
  app.parse("letters --roster-csv " + (dir / "roster.csv").string() +
                " --title Herbsttagung --vote-url https://v.example/ --out " +
                (dir / "out").string() + " --no-pdf",
            /*program_name_included=*/false);
  REQUIRE(commands.action);
  std::ostringstream text;
  REQUIRE(commands.action(text).is_ok());
  CHECK(fs::exists(dir / "out" / "roster.json"));
  CHECK(fs::exists(dir / "out" / "letters.html"));
  CHECK_FALSE(fs::exists(dir / "out" / "letters.pdf"));

  CLI::App missing;
  Commands none;
  add_letters_commands(missing, none);
  CHECK_THROWS_AS(missing.parse("letters --title T --vote-url https://v/ --out x", false),
                  CLI::RequiredError);
}

// ---- PDF ------------------------------------------------------------------------------------

TEST_CASE("the PDF printer reports a missing Chromium, a missing page and a failed run") {
  test::TempDir dir("urne-pdf");
  write_text(dir / "page.html", "<!DOCTYPE html><p>x</p>");
  {
    ChromiumEnv env("/nonexistent/chromium");
    CHECK_FALSE(pdf_printer_available());
    CHECK(print_html_to_pdf(dir / "page.html", dir / "page.pdf").reason() == "chromium_missing");

    // urne letters still succeeds, with the HTML, and says why there is no PDF.
    const LettersOptions o = options_for(dir, "out", /*pdf=*/true);
    SeededRng rng(45);
    std::ostringstream text;
    REQUIRE(write_letters(o, rng, text).is_ok());
    CHECK(fs::exists(o.out / "letters.html"));
    CHECK_FALSE(fs::exists(o.out / "letters.pdf"));
    CHECK(text.str().find("Chromium is missing") != std::string::npos);
  }
  {
    // A "browser" that fails: an error, and no file left behind.
    ChromiumEnv env("/bin/false");
    REQUIRE(pdf_printer_available());
    CHECK(print_html_to_pdf(dir / "missing.html", dir / "page.pdf").reason() == "file_missing");
    const Status s = print_html_to_pdf(dir / "page.html", dir / "page.pdf");
    CHECK(s.reason() == "pdf_print_failed");
    CHECK(s.message().find("status 1") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "page.pdf"));
  }
  {
    // A "browser" that exits 0 without printing a PDF.
    ChromiumEnv env("/bin/true");
    CHECK(print_html_to_pdf(dir / "page.html", dir / "page.pdf").reason() == "pdf_print_failed");
    CHECK_FALSE(fs::exists(dir / "page.pdf"));
  }
  // No staging directory is left next to the target.
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    CAPTURE(e.path());
    CHECK_FALSE(e.path().filename().string().starts_with("."));
    ++entries;
  }
  CHECK(entries == 3);  // page.html, roster.csv, out
}

TEST_CASE("urne letters prints one A4 page per institution to a private PDF with Chromium") {
  if (!pdf_printer_available()) {
    MESSAGE("no Chromium: the PDF is not tested");
    return;
  }
  test::TempDir dir("urne-letters");
  const LettersOptions o = options_for(dir, "out with space #1", /*pdf=*/true);
  SeededRng rng(46);
  std::ostringstream text;
  const Status s = write_letters(o, rng, text);
  REQUIRE_MESSAGE(s.is_ok(), s.to_string());
  const fs::path pdf = o.out / "letters.pdf";
  REQUIRE(fs::exists(pdf));
  CHECK(mode_of(pdf) == 0600U);
  const std::string bytes = read_all(pdf);
  CHECK(bytes.starts_with("%PDF-"));
  CHECK(count_pdf_pages(bytes) == 3);
  // A4 is 595 x 842 points.
  CHECK(bytes.find("/MediaBox [0 0 594.95996 841.91998]") != std::string::npos);
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(o.out)) {
    CAPTURE(e.path());
    ++entries;
  }
  CHECK(entries == 3);
  CHECK(text.str().find("letters.pdf   the letters (secret)") != std::string::npos);
}
