#include "cli/letters.hpp"

namespace urne::cli {

void add_letters_commands(CLI::App& /*app*/, Commands& /*commands*/) {}

}  // namespace urne::cli
