#include "cli/voter.hpp"

namespace urne::cli {

void add_voter_commands(CLI::App& /*app*/, Commands& /*commands*/) {}

}  // namespace urne::cli
