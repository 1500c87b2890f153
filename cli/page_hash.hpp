// `urne page-hash --web-dir DIR`: the voting page's hash of a built web
// client, with the very loader and hash urne-server uses
// (server/web_assets.hpp, ballot/voting_page.hpp), so that an auditor who
// rebuilds the pages from the published sources can compare the result with
// the hash in an election's manifest.
//
// Thread-safety: single-threaded command.
#pragma once

#include <filesystem>
#include <ostream>

#include "cli/command.hpp"
#include "crypto/status.hpp"

namespace urne::cli {

// Prints the hash as 64 hex digits and a newline to `out` (only that, for
// scripts); with `verbose`, first one line per file "<sha256 hex>  <path>"
// (sha256sum's format) and a summary. Errors: the loader's
// (web_dir_missing, web_too_many_files, ...).
[[nodiscard]] Status print_page_hash(const std::filesystem::path& web_dir, bool verbose,
                                     std::ostream& out);

void add_page_hash_command(CLI::App& app, Commands& commands);

}  // namespace urne::cli
