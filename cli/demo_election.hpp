// `urne demo election`: a whole election through a running urne-server's
// HTTPS API, with simulated people (cli/simulation.hpp) on this side: the
// credential authority makes the roster, the trustees run the key ceremony,
// the officer (with the key file whose public key the server was started
// with) sets the election up and moves it, every institution fetches its
// blind token and casts a ballot, the trustees check the sums against their
// own recomputation from the board and upload partial decryptions, and
// finally the board the server publishes is downloaded and audited here.
// Nothing the server says is taken on trust (client/election_client.hpp).
//
// Thread-safety: single-threaded command.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "crypto/status.hpp"

namespace urne::cli {

struct DemoElectionOptions {
  std::string server;                      // https://host:port
  std::string fingerprint;                 // the server certificate's SHA-256
  std::filesystem::path officer_key_file;  // urne officer keygen
  std::uint32_t institutions = 50;
  std::uint32_t candidates = 12;
  unsigned trustees = 3;
  unsigned threshold = 2;
  std::optional<std::filesystem::path> board_out;  // save the final board here
};

// Errors: transport and server errors (client reasons), the domain's, and
// kInternal "demo_totals_mismatch" / "demo_audit_failed".
[[nodiscard]] Status demo_election(const DemoElectionOptions& options, std::ostream& out);

}  // namespace urne::cli
