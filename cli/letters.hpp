// PLACEHOLDER: urne letters (credential authority)
#pragma once

#include "cli/command.hpp"

namespace urne::cli {

void add_letters_commands(CLI::App& app, Commands& commands);

}  // namespace urne::cli
