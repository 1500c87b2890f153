#include "cli/pdf.hpp"

namespace urne::cli {

bool pdf_printer_available() { return false; }

Status print_html_to_pdf(const std::filesystem::path& /*html*/,
                         const std::filesystem::path& /*pdf*/) {
  return Status(Code::kUnavailable, "chromium_missing", "not yet implemented");
}

}  // namespace urne::cli
