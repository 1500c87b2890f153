// The Wahlniederschrift (minutes of the election) of a published bulletin
// board, rendered as Markdown and as a printable self-contained HTML page
// (A4 print CSS, an inline SVG bar chart, no script, no external resource).
// German first, English subtitles. Shared by `urne report` (cli/report.hpp:
// files and PDF) and the ballot box's minutes routes (server/api.cpp), so
// that both hand out the same document for the same board.
//
// The minutes are made only from a board that passes the whole audit
// (ballot/audit.hpp, AuditScope::kFinal): a document with signature lines
// for the officer and the minute-taker must not carry numbers that the board
// does not prove. They name the board's fingerprint, the command that
// audits it and the service's signature over the result, and say that they
// are valid only if that audit passes and that signature verifies.
//
// Everything read from the board (titles, names, affiliations, the board
// file's name) is text from outside: it is HTML-escaped in the page and
// backslash-escaped in the Markdown, so that a candidate called
// "<script>…" prints as such and runs nowhere.
//
// Pure: no I/O. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "ballot/audit.hpp"
#include "ballot/board.hpp"
#include "crypto/status.hpp"

namespace urne {

// & < > " ' as character references: safe in element text and in quoted
// attribute values.
std::string html_escape(std::string_view text);

// Every character Markdown (CommonMark with GitHub's tables) could read as
// markup — \ ` * _ [ ] < > | & ~ # — backslash-escaped; line breaks become
// spaces (the text always stands inline, never at the start of a line).
std::string markdown_escape(std::string_view text);

// The Content-Security-Policy a server sends with the HTML minutes: the page
// needs its inline <style> and nothing else (the chart is inline SVG
// markup, not an image; no script, nothing fetched, no form, no framing).
// The page's own <meta> policy says the same as far as a <meta> can
// (frame-ancestors works only as a header).
inline constexpr std::string_view kMinutesContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

struct Minutes {
  std::string markdown;
  std::string html;
};

// Renders the minutes of `board` from its audit (audit_board(board), which
// must pass: the minutes say so). `board_file` is the file name the audit
// command line names. Errors: kFailedPrecondition "audit_failed" (the audit
// failed or is of another board), "no_result" (a board without a result).
Result<Minutes> render_minutes(const Board& board, const AuditReport& audit,
                               std::string_view board_file);

}  // namespace urne
