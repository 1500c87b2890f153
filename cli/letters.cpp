#include "cli/letters.hpp"

#include <qrencode.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <unordered_set>
#include <utility>

#include "ballot/canonical.hpp"
#include "ballot/roster.hpp"
#include "cli/html.hpp"
#include "cli/pdf.hpp"
#include "codec/json_views.hpp"
#include "crypto/secret.hpp"

namespace urne::cli {
namespace {

// ---- CSV ------------------------------------------------------------------------------

// The widest row the header allows (id,name,contact); a longer row is an
// error as soon as its fourth field starts, so a hostile line cannot make
// us collect fields without bound.
constexpr std::size_t kMaxCsvColumns = 3;

Status csv_error(std::string reason, std::size_t line, const std::string& message) {
  return invalid_argument(std::move(reason),
                          "roster CSV line " + std::to_string(line) + ": " + message);
}

// A status from a field check, with the line in front of its message.
Status at_line(const Status& s, std::size_t line) {
  return Status(s.code(), s.reason(),
                "roster CSV line " + std::to_string(line) + ": " + s.message());
}

struct CsvRecord {
  std::vector<std::string> fields;
  std::size_t line = 0;
};

// Splits RFC 4180 text into records. Written by hand: the grammar is ten
// lines, and what matters here (a line number and a named reason for every
// fault, bounds on columns and rows) is not what a general CSV library
// offers.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  // The next non-empty record, nullopt at the end, or an error.
  Result<std::optional<CsvRecord>> next() {
    // Empty lines (also a final line end) are not records.
    while (pos_ < text_.size()) {
      if (text_[pos_] == '\n') {
        ++pos_;
        ++line_;
      } else if (text_.substr(pos_).starts_with("\r\n")) {
        pos_ += 2;
        ++line_;
      } else {
        break;
      }
    }
    if (pos_ >= text_.size()) return std::optional<CsvRecord>();
    CsvRecord record;
    record.line = line_;
    for (;;) {
      if (record.fields.size() == kMaxCsvColumns) {
        return csv_error("csv_column_count", record.line,
                         "more than " + std::to_string(kMaxCsvColumns) +
                             " fields (id,name,contact); a comma in a name needs the name in "
                             "double quotes");
      }
      URNE_ASSIGN_OR_RETURN(std::string field, read_field(record.line));
      record.fields.push_back(std::move(field));
      if (pos_ >= text_.size()) break;
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      // read_field stops only at ',', a line end or the end of the text.
      pos_ += text_[pos_] == '\n' ? 1 : 2;
      ++line_;
      break;
    }
    return std::optional<CsvRecord>(std::move(record));
  }

 private:
  bool at_line_end() const { return text_[pos_] == '\n' || text_.substr(pos_).starts_with("\r\n"); }

  Result<std::string> read_field(std::size_t record_line) {
    std::string field;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      const std::size_t opened = line_;
      ++pos_;
      for (;;) {
        if (pos_ >= text_.size()) {
          return csv_error("csv_unterminated_quote", opened,
                           "a quoted field is not closed before the end of the file");
        }
        const char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            field += '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          break;
        }
        if (c == '\n') ++line_;
        field += c;
        ++pos_;
      }
      if (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
        return csv_error("csv_stray_quote", record_line,
                         "text after the closing quote of a field (write a quote inside a "
                         "quoted field as \"\")");
      }
      return field;
    }
    while (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
      if (text_[pos_] == '"') {
        return csv_error("csv_stray_quote", record_line,
                         "a double quote inside an unquoted field (quote the whole field and "
                         "write the quote as \"\")");
      }
      field += text_[pos_];
      ++pos_;
    }
    return field;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

bool ascii_iequal(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    };
    return lower(x) == lower(y);
  });
}

// ---- the voting link ------------------------------------------------------------------

Status link_malformed(const std::string& message) {
  return invalid_argument("voting_link_malformed", "voting link: " + message);
}

bool id_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Every byte outside the id alphabet as %XX (upper-case hex). Valid ids
// never need it; encoding anyway keeps the link well-formed whatever the
// id rules become.
std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    if (id_char(ch)) {
      out += ch;
    } else {
      const auto c = static_cast<unsigned char>(ch);
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_value(s[i + 1]);
    const int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// ---- HTML -----------------------------------------------------------------------------

// Overwrites a string that held codes before it is freed. Best effort: the
// letters file on disk holds the codes anyway until it is deleted, but
// nothing in this process needs to keep them in freed memory.
void wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

struct QrFree {
  void operator()(QRcode* q) const {
    // The matrix encodes the link, code included.
    if (q->data != nullptr)
      sodium_memzero(q->data,
                     static_cast<std::size_t>(q->width) * static_cast<std::size_t>(q->width));
    QRcode_free(q);
  }
};

// About the size of one letter page in HTML (the QR path is most of it).
constexpr std::size_t kLetterPageReserve = std::size_t{16} * 1024;

// The QR code's quiet zone: four modules on every side (ISO/IEC 18004).
constexpr int kQuietZone = 4;

// The link as a QR code (level M, 8-bit, case-sensitive: the context is
// base64url), drawn as one SVG path: a run of dark modules in a row is one
// rectangle "M x y h n v1 h-n z", so a page stays small.
Result<std::string> qr_svg(const std::string& text) {
  const std::unique_ptr<QRcode, QrFree> qr(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!qr)
    return internal_error("qr_encode_failed", "libqrencode could not encode the voting link");
  const int width = qr->width;
  const int size = width + 2 * kQuietZone;
  std::string svg = "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
                    std::to_string(size) + " " + std::to_string(size) +
                    "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR-Code\" "
                    "data-modules=\"" +
                    std::to_string(width) + "\"><rect width=\"" + std::to_string(size) +
                    "\" height=\"" + std::to_string(size) +
                    "\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
  for (int y = 0; y < width; ++y) {
    int x = 0;
    while (x < width) {
      const auto dark = [&](int at) {
        return (qr->data[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                         static_cast<std::size_t>(at)] &
                1) != 0;
      };
      if (!dark(x)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < width && dark(x + run)) ++run;
      svg += "M" + std::to_string(x + kQuietZone) + " " + std::to_string(y + kQuietZone) + "h" +
             std::to_string(run) + "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  }
  svg += "\"/></svg>";
  return svg;
}

constexpr std::string_view kStyle = R"css(
@page { size: A4; margin: 15mm 18mm 14mm 18mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: #000; background: #fff;
  font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif;
  font-size: 9.3pt; line-height: 1.33; }
section.letter { page-break-after: always; break-after: page; page-break-inside: avoid; }
section.letter:last-of-type { page-break-after: auto; break-after: auto; }
.to { min-height: 24mm; margin: 0 0 6mm 0; font-size: 10.5pt; }
.to .id { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 8.5pt; }
h1 { font-size: 13.5pt; margin: 0 0 1mm 0; }
.subtitle { font-size: 10.5pt; margin: 0 0 3mm 0; }
h2 { font-size: 10.5pt; margin: 3.5mm 0 1.2mm 0; }
p { margin: 0 0 1.5mm 0; }
.credential { display: flex; align-items: center; gap: 6mm; border: 0.4mm solid #000;
  padding: 3mm 4mm; margin: 2mm 0 2mm 0; page-break-inside: avoid; }
svg.qr { width: 46mm; height: 46mm; flex: none; }
.credential .label { font-size: 8.5pt; margin: 0; }
.code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 14.5pt;
  font-weight: bold; white-space: nowrap; margin: 0.5mm 0 3mm 0; }
a.voting-link { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 7pt;
  line-height: 1.25; word-break: break-all; overflow-wrap: anywhere; color: #000;
  text-decoration: none; }
.fp { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-weight: bold;
  white-space: nowrap; }
footer { margin-top: 3mm; border-top: 0.2mm solid #000; padding-top: 1.5mm; font-size: 7pt; }
footer .full { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace;
  word-break: break-all; }
@media screen {
  body { background: #eee; }
  section.letter { width: 210mm; margin: 8mm auto; padding: 15mm 18mm; background: #fff; }
}
)css";

struct LetterInput {
  const RosterCsvRow* row;
  const std::string* link;
  const VotingCode* code;
};

// One letter page. Every roster text is escaped; the link is escaped too
// (its '&' become "&amp;"), so nothing from the CSV or the command line can
// open a tag or an attribute.
Status append_letter(std::string& html, const LetterInput& in, const std::string& title,
                     const std::string& vote_url, const Roster& roster) {
  URNE_ASSIGN_OR_RETURN(std::string svg, qr_svg(*in.link));
  const std::string id = html_escape(in.row->id);
  const std::string name = html_escape(in.row->name);
  const std::string t = html_escape(title);
  const std::string url = html_escape(vote_url);
  const std::string fp_short = html_escape(roster.short_fingerprint());
  const std::string fp_full = hex_encode(roster.fingerprint());
  std::string link = html_escape(*in.link);
  const SecretBytes code = in.code->format();

  html += "<section class=\"letter\" data-institution=\"" + id + "\">\n";
  html += "<div class=\"to\"><strong>" + name + "</strong><br>\n";
  if (!in.row->contact.empty()) html += html_escape(in.row->contact) + "<br>\n";
  html += "<span class=\"id\">Kennung / ID: " + id + "</span></div>\n";

  html += "<h1 lang=\"de\">Ihr Abstimmungscode</h1>\n";
  html +=
      "<p class=\"subtitle\"><span lang=\"en\">Your voting code</span> &middot; " + t + "</p>\n";

  // Appended piece by piece: no temporary copy of the code's link or QR code
  // outlives this function unwiped.
  html += "<div class=\"credential\">";
  html += svg;
  html += "<div>\n";
  html += "<p class=\"label\">Abstimmungscode / Voting code</p>\n<p class=\"code\">";
  html.append(code.view().begin(), code.view().end());
  html += "</p>\n<p class=\"label\">Link zur Abstimmung / Voting link</p>\n";
  html += "<a class=\"voting-link\" rel=\"noreferrer\" href=\"";
  html += link;
  html += "\">";
  html += link;
  html += "</a>\n";
  html += "</div></div>\n";

  html += "<div lang=\"de\">\n<h2>Deutsch</h2>\n";
  html +=
      "<p>Mit diesem Code gibt die oder der Delegierte Ihrer Institution deren Stimme in der "
      "Versammlung &bdquo;" +
      t +
      "&ldquo; ab. Die Abstimmung ist geheim: Der Code weist nach, "
      "dass Ihre Institution stimmberechtigt ist; wie sie abgestimmt hat, kann niemand "
      "erfahren.</p>\n";
  html +=
      "<p>Der Code gilt f&uuml;r jede Abstimmung dieser Versammlung: die Probeabstimmung, "
      "die Wahl und eine etwaige Stichwahl. Bewahren Sie diesen Brief bis zum Ende der "
      "Versammlung auf.</p>\n";
  html +=
      "<p><strong>So stimmen Sie ab:</strong> Scannen Sie den QR-Code mit einem Smartphone "
      "oder &ouml;ffnen Sie den Link darunter. Oder &ouml;ffnen Sie die Abstimmungsseite <span "
      "class=\"fp\">" +
      url +
      "</span> und geben Sie den Code ein (Bindestriche sowie Gro&szlig;- "
      "und Kleinschreibung spielen keine Rolle).</p>\n";
  html +=
      "<p><strong>Halten Sie den Code geheim.</strong> Wer ihn kennt, kann f&uuml;r Ihre "
      "Institution abstimmen. Geben Sie diesen Brief nur Ihrer oder Ihrem Delegierten. Von "
      "diesem Code gibt es keine Kopie.</p>\n";
  html +=
      "<p><strong>Pr&uuml;fen Sie vor der Abstimmung:</strong> Die Abstimmungsseite zeigt den "
      "Pr&uuml;fwert des Verzeichnisses der stimmberechtigten Institutionen. Er muss mit diesem "
      "&uuml;bereinstimmen: <span class=\"fp\">" +
      fp_short + "</span></p>\n</div>\n";

  html += "<div lang=\"en\">\n<h2>English</h2>\n";
  html +=
      "<p>With this code, your institution&#39;s delegate casts its vote at the assembly "
      "&ldquo;" +
      t +
      "&rdquo;. The ballot is secret: the code proves that your institution "
      "may vote; nobody can learn how it voted.</p>\n";
  html +=
      "<p>The code serves every ballot of this assembly: the practice ballot, the election "
      "and a runoff, if there is one. Keep this letter until the end of the assembly.</p>\n";
  html +=
      "<p><strong>How to vote:</strong> scan the QR code with a smartphone or open the link "
      "below it. Or open the voting page <span class=\"fp\">" +
      url +
      "</span> and type the "
      "code (dashes and upper or lower case do not matter).</p>\n";
  html +=
      "<p><strong>Keep the code secret.</strong> Whoever knows it can vote for your "
      "institution. Give this letter only to your delegate. There is no copy of this "
      "code.</p>\n";
  html +=
      "<p><strong>Check before you vote:</strong> the voting page shows the fingerprint of "
      "the roster of institutions entitled to vote. It must be the same as this one: <span "
      "class=\"fp\">" +
      fp_short + "</span></p>\n</div>\n";

  html +=
      "<footer>Pr&uuml;fwert vollst&auml;ndig / full fingerprint (SHA-256): <span "
      "class=\"full\">" +
      fp_full + "</span></footer>\n";
  html += "</section>\n";
  wipe(link);
  wipe(svg);
  return Status::ok();
}

std::string html_head(const std::string& title) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n";
  // Self-contained: the page may load nothing (no fonts, images or scripts
  // from anywhere), so printing it reveals nothing to any server.
  html +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">\n";
  html += "<meta name=\"referrer\" content=\"no-referrer\">\n";
  html += "<meta name=\"robots\" content=\"noindex\">\n";
  html += "<title>Abstimmungscodes / Voting codes &ndash; " + html_escape(title) + "</title>\n";
  html += "<style>";
  html += kStyle;
  html += "</style>\n</head>\n<body>\n";
  return html;
}

}  // namespace

// ---- CSV ------------------------------------------------------------------------------

Result<std::vector<RosterCsvRow>> parse_roster_csv(std::string_view text) {
  if (text.size() > kMaxRosterCsvSize) {
    return invalid_argument("csv_too_large", "the roster CSV is larger than " +
                                                 std::to_string(kMaxRosterCsvSize >> 20) + " MiB");
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a spreadsheet's BOM
  CsvReader reader(text);

  URNE_ASSIGN_OR_RETURN(std::optional<CsvRecord> header, reader.next());
  if (!header) return invalid_argument("csv_empty", "the roster CSV is empty");
  const std::vector<std::string>& h = header->fields;
  const bool header_ok = (h.size() == 2 || h.size() == 3) && ascii_iequal(h[0], "id") &&
                         ascii_iequal(h[1], "name") &&
                         (h.size() == 2 || ascii_iequal(h[2], "contact"));
  if (!header_ok) {
    return csv_error("csv_header_missing", header->line,
                     "the first line must be the header id,name or id,name,contact");
  }
  const std::size_t columns = h.size();

  std::vector<RosterCsvRow> rows;
  std::unordered_set<std::string> ids;
  for (;;) {
    URNE_ASSIGN_OR_RETURN(std::optional<CsvRecord> record, reader.next());
    if (!record) break;
    const std::size_t line = record->line;
    if (rows.size() == Roster::kMaxInstitutions) {
      return csv_error("csv_too_many_rows", line,
                       "more than " + std::to_string(Roster::kMaxInstitutions) + " institutions");
    }
    if (record->fields.size() != columns) {
      return csv_error("csv_column_count", line,
                       std::to_string(record->fields.size()) + " fields, the header has " +
                           std::to_string(columns));
    }
    RosterCsvRow row;
    row.line = line;
    row.id = std::move(record->fields[0]);
    row.name = std::move(record->fields[1]);
    if (columns == 3) row.contact = std::move(record->fields[2]);

    if (Status s = check_institution_id(row.id); !s) return at_line(s, line);
    if (!ids.insert(row.id).second) {
      return csv_error("duplicate_institution_id", line, "the id " + row.id + " appears twice");
    }
    if (Status s = check_text("name", row.name, 1, Roster::kMaxNameSize); !s)
      return at_line(s, line);
    if (Status s = codec::check_nfc(row.name, "name"); !s) return at_line(s, line);
    if (!row.contact.empty()) {
      if (Status s = check_text("contact", row.contact, 0, kMaxContactSize); !s)
        return at_line(s, line);
      if (Status s = codec::check_nfc(row.contact, "contact"); !s) return at_line(s, line);
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) {
    return invalid_argument("csv_no_rows", "the roster CSV lists no institution below its header");
  }
  return rows;
}

// ---- the voting link ------------------------------------------------------------------

Status check_vote_url(std::string_view vote_url) {
  const auto malformed = [](const std::string& why) {
    return invalid_argument("vote_url_malformed", "--vote-url: " + why);
  };
  if (vote_url.empty() || vote_url.size() > kMaxVoteUrlSize) {
    return malformed("1 to " + std::to_string(kMaxVoteUrlSize) + " characters");
  }
  for (const char c : vote_url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '#' || c == '"' || c == '\'' || c == '<' || c == '>' ||
        c == '\\' || c == '`') {
      return malformed("printable ASCII without spaces, '#', quotes, '<', '>', '\\' or '`'");
    }
  }
  if (vote_url.starts_with("https://")) {
    const std::string_view rest = vote_url.substr(8);
    if (rest.empty() || rest.front() == '/' || rest.front() == ':' || rest.front() == '?') {
      return malformed("the https:// URL names no host");
    }
    return Status::ok();
  }
  // Plain HTTP only where nothing travels over a network: the page holds
  // the code (from the fragment) and could be altered on the way otherwise.
  for (const std::string_view local : {"http://localhost", "http://127.0.0.1", "http://[::1]"}) {
    if (vote_url.starts_with(local)) {
      const std::string_view rest = vote_url.substr(local.size());
      if (rest.empty() || rest.front() == ':' || rest.front() == '/' || rest.front() == '?') {
        return Status::ok();
      }
    }
  }
  return malformed("the voting page must be an https:// URL (http:// only on localhost)");
}

std::string make_voting_link(std::string_view vote_url, std::string_view id, const VotingCode& code,
                             const CredentialContext& context, const FixedBytes<32>& fp) {
  if (!check_vote_url(vote_url) || !check_institution_id(id)) std::abort();  // contract
  const SecretBytes formatted = code.format();
  std::string link(vote_url);
  link += "#i=";
  link += percent_encode(id);
  link += "&c=";
  link.append(formatted.view().begin(), formatted.view().end());
  link += "&x=";
  link += base64url_encode(context.bytes());
  link += "&r=";
  link += hex_encode(fp);
  return link;
}

Result<VotingLink> parse_voting_link(std::string_view link) {
  if (link.size() > kMaxVotingLinkSize) {
    return link_malformed("longer than " + std::to_string(kMaxVotingLinkSize) + " characters");
  }
  for (const char c : link) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return link_malformed("not printable ASCII");
  }
  const std::size_t hash = link.find('#');
  if (hash == std::string_view::npos || hash == 0) return link_malformed("no '#' parameters");
  std::string_view fragment = link.substr(hash + 1);
  if (fragment.find('#') != std::string_view::npos) return link_malformed("a second '#'");

  // Exactly i, c, x, r in this order.
  static constexpr std::array<std::string_view, 4> kKeys = {"i=", "c=", "x=", "r="};
  std::array<std::string_view, 4> values;
  for (std::size_t k = 0; k < kKeys.size(); ++k) {
    const std::size_t amp = fragment.find('&');
    const std::string_view part = fragment.substr(0, amp);
    if (!part.starts_with(kKeys[k])) {
      return link_malformed("expected the parameter " + std::string(kKeys[k].substr(0, 1)) +
                            " in place " + std::to_string(k + 1) + " (i, c, x, r)");
    }
    values[k] = part.substr(2);
    if (k + 1 < kKeys.size()) {
      if (amp == std::string_view::npos) return link_malformed("fewer than four parameters");
      fragment.remove_prefix(amp + 1);
    } else if (amp != std::string_view::npos) {
      return link_malformed("more than four parameters");
    }
  }

  const std::optional<std::string> id = percent_decode(values[0]);
  if (!id || percent_encode(*id) != values[0] || !check_institution_id(*id)) {
    return link_malformed("the institution id (i) is not valid");
  }

  // The code: VotingCode::parse checks alphabet and check symbols; a link
  // is made by a machine, so it must also be exactly the printed form.
  Result<VotingCode> code = VotingCode::parse(values[1]);
  if (!code.ok()) {
    return link_malformed(code.status().reason() == "voting_code_checksum"
                              ? "the code's (c) check symbols do not match"
                              : "the code (c) is not a voting code");
  }
  {
    const SecretBytes formatted = code->format();
    if (formatted.size() != values[1].size() || !ct_equal(formatted.view(), as_bytes(values[1]))) {
      return link_malformed(
          "the code (c) is not in its printed form XXXX-XXXX-XXXX-XXXX-XXXX-XXXX");
    }
  }

  const Result<Bytes> context_bytes = base64url_decode(values[2]);
  if (!context_bytes.ok()) return link_malformed("the credential context (x) is not base64url");
  Result<CredentialContext> context = CredentialContext::parse(*context_bytes);
  if (!context.ok()) return link_malformed("the credential context (x) is not 32 bytes");

  if (values[3].size() != 64 || !is_lower_hex(values[3])) {
    return link_malformed("the roster fingerprint (r) is not 64 lower-case hex digits");
  }
  const Result<Bytes> fp_bytes = hex_decode(values[3]);
  if (!fp_bytes.ok()) return link_malformed("the roster fingerprint (r) is not hex");
  FixedBytes<32> fp{};
  std::copy(fp_bytes->begin(), fp_bytes->end(), fp.begin());

  return VotingLink{*id, std::move(code).value(), *context, fp};
}

// ---- the command ----------------------------------------------------------------------

Status write_letters(const LettersOptions& options, Rng& rng, std::ostream& out_text) {
  // Everything is checked before anything is drawn or written.
  URNE_ASSIGN_OR_RETURN(const std::string csv, read_file(options.roster_csv, kMaxRosterCsvSize));
  URNE_ASSIGN_OR_RETURN(const std::vector<RosterCsvRow> rows, parse_roster_csv(csv));
  URNE_RETURN_IF_ERROR(check_vote_url(options.vote_url));
  URNE_RETURN_IF_ERROR(check_text("--title", options.title, 1, Roster::kMaxTitleSize));
  URNE_RETURN_IF_ERROR(codec::check_nfc(options.title, "--title"));

  namespace fs = std::filesystem;
  const fs::path roster_file = options.out / "roster.json";
  const fs::path html_file = options.out / "letters.html";
  const fs::path pdf_file = options.out / "letters.pdf";
  std::error_code ec;
  const bool out_exists = fs::exists(options.out, ec);
  if (out_exists && !fs::is_directory(options.out, ec)) {
    return invalid_argument("out_not_directory", options.out.string() + " is not a directory");
  }
  for (const fs::path& f : {roster_file, html_file, pdf_file}) {
    if (fs::exists(f, ec) || fs::is_symlink(f, ec)) {
      return Status(Code::kAlreadyExists, "file_exists",
                    f.string() + " exists; letters are never overwritten (choose another --out)");
    }
  }

  // Draw the context and the codes; derive the public keys.
  const CredentialContext context = CredentialContext::generate(rng);
  std::vector<VotingCode> codes;
  std::vector<Institution> institutions;
  codes.reserve(rows.size());
  institutions.reserve(rows.size());
  for (const RosterCsvRow& row : rows) {
    VotingCode code = VotingCode::generate(rng);
    URNE_ASSIGN_OR_RETURN(const InstitutionSecretKey key,
                          InstitutionSecretKey::derive(code, context));
    institutions.push_back(Institution{row.id, row.name, key.public_key()});
    codes.push_back(std::move(code));
  }
  URNE_ASSIGN_OR_RETURN(const Roster roster,
                        Roster::create(options.title, context, std::move(institutions)));
  URNE_RETURN_IF_ERROR(codec::check_roster_text(roster));

  // The links, each checked the way a delegate's device will read it: it
  // parses, names this institution, context and roster, and its code
  // derives the key the roster lists. A letter that fails this would be
  // useless in the hall, so none is written.
  std::vector<std::string> links;
  links.reserve(rows.size());
  const auto wipe_links = [&links] {
    for (std::string& l : links) wipe(l);
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    links.push_back(
        make_voting_link(options.vote_url, rows[i].id, codes[i], context, roster.fingerprint()));
    const Result<VotingLink> parsed = parse_voting_link(links.back());
    const Institution* listed = roster.find(rows[i].id);
    bool good = parsed.ok() && listed != nullptr && parsed->institution_id == rows[i].id &&
                parsed->context == context && parsed->roster_fingerprint == roster.fingerprint();
    if (good) {
      const Result<InstitutionSecretKey> key =
          InstitutionSecretKey::derive(parsed->code, parsed->context);
      good = key.ok() && check_listed_key(key->public_key(), listed->key).is_ok();
    }
    if (!good) {
      wipe_links();
      return internal_error("letters_self_check_failed",
                            "the voting link of " + rows[i].id + " does not give its listed key");
    }
  }

  // Reserved up front (a page is about 14 KB) so that growing the buffer
  // leaves few copies of codes in freed memory.
  std::string html;
  html.reserve((rows.size() + 1) * kLetterPageReserve);
  html += html_head(options.title);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Status s = append_letter(html, LetterInput{&rows[i], &links[i], &codes[i]}, options.title,
                             options.vote_url, roster);
    if (!s) {
      wipe(html);
      wipe_links();
      return s;
    }
  }
  html += "</body>\n</html>\n";
  wipe_links();

  // The directory holds the codes until the letters are printed: private.
  if (!out_exists) {
    fs::create_directories(options.out, ec);
    if (!ec) fs::permissions(options.out, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) {
      wipe(html);
      return Status(Code::kInternal, "file_write_failed",
                    "cannot create " + options.out.string() + ": " + ec.message());
    }
  }
  // The letters first: a roster.json without its letters would be a roster
  // nobody can vote with.
  Status written = write_new_file(html_file, html, 0600);
  wipe(html);
  URNE_RETURN_IF_ERROR(written);
  const std::string roster_json = codec::roster_view(roster).dump(2) + "\n";
  URNE_RETURN_IF_ERROR(write_new_file(roster_file, roster_json, 0644));

  out_text << "Roster " << roster.short_fingerprint() << "  (" << hex_encode(roster.fingerprint())
           << ")\n  " << roster.title() << ": " << roster.institutions().size()
           << " institutions\n  " << roster_file.string()
           << "   public keys, for the election officer\n  " << html_file.string()
           << "  the letters (secret)\n";

  Status pdf_status = Status::ok();
  if (!options.pdf) {
    out_text << "  letters.pdf: not made (--no-pdf)\n";
  } else if (!pdf_printer_available()) {
    out_text << "  letters.pdf: not made, Chromium is missing (install the Debian package "
                "chromium); print letters.html from a browser\n";
  } else {
    pdf_status = print_html_to_pdf(html_file, pdf_file);
    if (pdf_status) out_text << "  " << pdf_file.string() << "   the letters (secret)\n";
  }
  out_text << "\nDrucken Sie die Briefe aus und l\xC3\xB6schen Sie danach letters.html und "
              "letters.pdf.\nDie Codes gibt es nirgends sonst.\n"
              "Print the letters, then delete letters.html and letters.pdf.\n"
              "The codes exist nowhere else.\n";
  if (!pdf_status) {
    return Status(pdf_status.code(), pdf_status.reason(),
                  pdf_status.message() +
                      " (roster.json and letters.html are complete; print "
                      "letters.html from a browser)");
  }
  return Status::ok();
}

void add_letters_commands(CLI::App& app, Commands& commands) {
  auto opts = std::make_shared<LettersOptions>();
  auto no_pdf = std::make_shared<bool>(false);
  CLI::App* letters = app.add_subcommand(
      "letters",
      "Credential authority: draw the voting codes, write the roster (public keys) and the "
      "letters to print");
  letters
      ->add_option("--roster-csv", opts->roster_csv,
                   "The institutions: CSV with the header id,name[,contact] (UTF-8)")
      ->required();
  letters->add_option("--title", opts->title, "The assembly, e.g. \"Herbsttagung 2026\"")
      ->required();
  letters
      ->add_option("--vote-url", opts->vote_url,
                   "The voting page the letters link to (https://...)")
      ->required();
  letters->add_option("--out", opts->out, "Directory for roster.json, letters.html and letters.pdf")
      ->required();
  letters->add_flag("--no-pdf", *no_pdf, "Write letters.html only (no Chromium needed)");
  letters->callback([opts, no_pdf, &commands] {
    opts->pdf = !*no_pdf;
    commands.action = [opts](std::ostream& out) -> Status {
      SystemRng rng;
      return write_letters(*opts, rng, out);
    };
  });
}

}  // namespace urne::cli
