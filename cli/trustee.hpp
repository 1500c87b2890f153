// PLACEHOLDER: urne trustee (key ceremony, decryption)
#pragma once

#include "cli/command.hpp"

namespace urne::cli {

void add_trustee_commands(CLI::App& app, Commands& commands);

}  // namespace urne::cli
