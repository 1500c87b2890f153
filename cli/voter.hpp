// PLACEHOLDER: urne vote
#pragma once

#include "cli/command.hpp"

namespace urne::cli {

void add_voter_commands(CLI::App& app, Commands& commands);

}  // namespace urne::cli
