// Fuzz target: the officer's files that `urne election create` reads
// (cli/officer.hpp): the election config JSON (parse_election_config) and
// the roster file roster.json written by `urne letters`
// (read_roster_file, through a real file as the command reads it).
#include <cstddef>
#include <cstdint>

#include "cli/officer.hpp"
#include "codec/json_views.hpp"
#include "crypto/random.hpp"
#include "fuzz/fuzz_util.hpp"

namespace {

using urne::fuzz::check;
using urne::fuzz::check_refusal;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool initialized = urne::init_crypto().is_ok();
  check(initialized, "init_crypto");
  static const urne::fuzz::ScratchDir scratch;

  const auto config = urne::cli::parse_election_config(urne::fuzz::text(data, size));
  if (config.ok()) {
    check(!config->spec.title.empty(), "a config has a title");
    check(!config->spec.candidates.empty(), "a config has candidates");
  } else {
    check_refusal(config, "parse_election_config refusal");
  }

  const auto roster = urne::cli::read_roster_file(scratch.write("roster.json", data, size));
  if (roster.ok()) {
    // What the officer reads must be exactly the view of what it uploads.
    check(urne::codec::roster_view(*roster) ==
              urne::codec::json::parse(urne::fuzz::text(data, size), nullptr, false),
          "a roster file is the view of its roster");
  } else {
    check_refusal(roster, "read_roster_file refusal");
  }
  return 0;
}
