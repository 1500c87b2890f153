#include "cli/report.hpp"

namespace urne::cli {

void add_report_commands(CLI::App& /*app*/, Commands& /*commands*/) {}

}  // namespace urne::cli
