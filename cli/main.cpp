// urne: the companion command line. main() only wires things up: parse the
// command, run it, turn its Status into a message and an exit code.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/selftest.hpp"
#include "crypto/random.hpp"

namespace {

// The one place where a Status becomes an exit code.
int exit_code(const urne::Status& s) {
  if (s.is_ok()) return 0;
  switch (s.code()) {
    case urne::Code::kInvalidArgument:
      return 2;
    case urne::Code::kUnauthenticated:
    case urne::Code::kPermissionDenied:
      return 3;
    case urne::Code::kUnavailable:
      return 4;
    default:
      return 1;
  }
}

int report(const urne::Status& s) {
  if (!s.is_ok()) std::cerr << "urne: " << s.to_string() << "\n";
  return exit_code(s);
}

}  // namespace

static int run(int argc, char** argv) {
  if (urne::Status s = urne::init_crypto(); !s) return report(s);

  CLI::App app{"urne — verifiable secret-ballot elections (companion CLI)"};
  app.require_subcommand(1);

  CLI::App* selftest = app.add_subcommand(
      "selftest", "Run the protocol's building blocks end to end with fresh keys");
  selftest->require_subcommand(1);
  CLI::App* selftest_token = selftest->add_subcommand(
      "token", "Blind token round trip: issue, finalize, verify, refuse forgeries");

  CLI11_PARSE(app, argc, argv);

  if (selftest_token->parsed()) return report(urne::cli::selftest_token(std::cout));
  return 0;
}

int main(int argc, char** argv) {
  // Nothing below is expected to throw (errors are Status values); this is
  // the last line of defence for allocation failures and library exceptions.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "urne: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "urne: internal error\n";
  }
  return 1;
}
