#include "cli/trustee.hpp"

namespace urne::cli {

void add_trustee_commands(CLI::App& /*app*/, Commands& /*commands*/) {}

}  // namespace urne::cli
