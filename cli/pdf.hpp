// Printing an HTML file to PDF with headless Chromium (the browser the web
// tests need anyway), for the letters and the Wahlniederschrift: the PDF is
// exactly what the HTML prints like, without a second layout engine.
//
// Chromium is found as $URNE_CHROMIUM, else /usr/bin/chromium; it runs with
// a throw-away profile directory (also its HOME and XDG directories), host
// names resolving to nothing (the page is a local, self-contained file), in
// its own process group, and a time limit of 60 s after which the whole group
// is killed. No shell is involved: the arguments go to posix_spawn as they
// are.
//
// Thread-safety: runs a child process; call from one thread.
#pragma once

#include <filesystem>

#include "crypto/status.hpp"

namespace urne::cli {

// True if a Chromium binary is there to print with.
bool pdf_printer_available();

// Prints `html` (a local file) to `pdf` (written atomically: a failed run
// leaves no file; an existing `pdf` is replaced, callers that must not
// overwrite check first). The PDF is created owner-only (0600), since a
// printout may hold secrets (the letters); widen it if it is public. The
// output is checked to be a PDF ("%PDF-") before it is moved into place.
// Errors: unavailable "chromium_missing" (with the package to install),
// not_found "file_missing" (no `html`), internal "pdf_print_failed" (exit
// status, time limit, no or no valid output; the message ends with the tail
// of Chromium's log).
[[nodiscard]] Status print_html_to_pdf(const std::filesystem::path& html,
                                       const std::filesystem::path& pdf);

}  // namespace urne::cli
