// Printing an HTML file to PDF with headless Chromium (the browser the web
// tests need anyway), for the letters and the Wahlniederschrift: the PDF is
// exactly what the HTML prints like, without a second layout engine.
//
// Chromium is found as $URNE_CHROMIUM, else /usr/bin/chromium; it runs with
// a throw-away profile directory, no network access to anything but the
// local file, and a time limit.
//
// Thread-safety: runs a child process; call from one thread.
#pragma once

#include <filesystem>

#include "crypto/status.hpp"

namespace urne::cli {

// True if a Chromium binary is there to print with.
bool pdf_printer_available();

// Prints `html` (a local file) to `pdf` (written atomically: a failed run
// leaves no file). Errors: unavailable "chromium_missing" (with the package
// to install), internal "pdf_print_failed" (exit status, time limit).
[[nodiscard]] Status print_html_to_pdf(const std::filesystem::path& html,
                                       const std::filesystem::path& pdf);

}  // namespace urne::cli
