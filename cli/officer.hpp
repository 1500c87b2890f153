// `urne officer …`: the election officer's commands (PLACEHOLDER header, being written).
#pragma once

#include <filesystem>
#include <string>

#include "cli/command.hpp"

namespace urne::cli {

// `urne officer keygen --out FILE`: a fresh officer key (0600); returns the
// public key as 64 hex digits (what urne-server --officer-key takes).
Result<std::string> officer_keygen(const std::filesystem::path& file);

void add_officer_commands(CLI::App& app, Commands& commands);

}  // namespace urne::cli
