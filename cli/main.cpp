// urne: the companion command line. main() only wires things up: parse the
// command, run it, turn its Status into a message and an exit code.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>

#include "cli/audit.hpp"
#include "cli/command.hpp"
#include "cli/demo_election.hpp"
#include "cli/letters.hpp"
#include "cli/officer.hpp"
#include "cli/page_hash.hpp"
#include "cli/report.hpp"
#include "cli/selftest.hpp"
#include "cli/selftest_election.hpp"
#include "cli/trustee.hpp"
#include "cli/voter.hpp"
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

  urne::cli::ElectionSelftestOptions election_opts;
  std::uint64_t seed = 0;
  CLI::App* selftest_election = selftest->add_subcommand(
      "election",
      "A whole election in one process: credentials, key ceremony, check-in, "
      "voting, tally, result and audit of the signed board");
  selftest_election
      ->add_option("--institutions", election_opts.institutions,
                   "Institutions on the roster, all of which vote")
      ->capture_default_str();
  selftest_election->add_option("--candidates", election_opts.candidates, "Candidates")
      ->capture_default_str();
  selftest_election->add_option("--trustees", election_opts.trustees, "Trustees n")
      ->capture_default_str();
  selftest_election->add_option("--threshold", election_opts.threshold, "Threshold k")
      ->capture_default_str();
  CLI::Option* seed_opt = selftest_election->add_option(
      "--seed", seed, "Deterministic run (SeededRng); default: fresh system randomness");
  std::filesystem::path selftest_board_out;
  CLI::Option* selftest_board_opt = selftest_election->add_option(
      "--board-out", selftest_board_out, "Also save the final signed board here (urne audit)");

  urne::cli::Commands commands;
  urne::cli::add_letters_commands(app, commands);
  urne::cli::add_trustee_commands(app, commands);
  urne::cli::add_officer_commands(app, commands);
  urne::cli::add_page_hash_command(app, commands);
  urne::cli::add_voter_commands(app, commands);
  urne::cli::add_audit_commands(app, commands);
  urne::cli::add_report_commands(app, commands);

  CLI::App* demo = app.add_subcommand("demo", "Demonstrations against a running urne-server");
  demo->require_subcommand(1);
  urne::cli::DemoElectionOptions demo_opts;
  std::string board_out;
  CLI::App* demo_election = demo->add_subcommand(
      "election", "A whole election with simulated participants through the server's HTTPS API");
  demo_election->add_option("--server", demo_opts.server, "https://HOST:PORT")->required();
  demo_election
      ->add_option("--fingerprint", demo_opts.fingerprint,
                   "SHA-256 fingerprint of the server certificate (as urne-server prints it)")
      ->required();
  demo_election->add_option("--officer-key", demo_opts.officer_key_file, "Officer key file")
      ->required();
  demo_election->add_option("--institutions", demo_opts.institutions)->capture_default_str();
  demo_election->add_option("--candidates", demo_opts.candidates)->capture_default_str();
  demo_election->add_option("--trustees", demo_opts.trustees)->capture_default_str();
  demo_election->add_option("--threshold", demo_opts.threshold)->capture_default_str();
  CLI::Option* board_out_opt =
      demo_election->add_option("--board-out", board_out, "Save the final board here");

  CLI11_PARSE(app, argc, argv);

  if (commands.action) return report(commands.action(std::cout));
  if (demo_election->parsed()) {
    if (board_out_opt->count() > 0) demo_opts.board_out = board_out;
    return report(urne::cli::demo_election(demo_opts, std::cout));
  }

  if (selftest_token->parsed()) return report(urne::cli::selftest_token(std::cout));
  if (selftest_election->parsed()) {
    if (seed_opt->count() > 0) election_opts.seed = seed;
    if (selftest_board_opt->count() > 0) election_opts.board_out = selftest_board_out;
    return report(urne::cli::selftest_election(election_opts, std::cout));
  }
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
