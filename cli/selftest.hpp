// `urne selftest`: runs the protocol's building blocks end to end with fresh
// keys on this machine and says in plain words what happened. An auditor can
// use it to check that their build of urne computes what the protocol says;
// scripts/demo.sh uses it until the whole election runs over HTTPS.
//
// Thread-safety: single-threaded command.
#pragma once

#include <ostream>

#include "crypto/status.hpp"

namespace urne::cli {

// The token round trip: an issuer key for one election, a client that blinds
// a token request signed with an institution's credential, the issuer's blind
// signature, the client's finalization, a verifier's check, and the checks
// that a second spend form and another election's token are refused.
[[nodiscard]] Status selftest_token(std::ostream& out);

}  // namespace urne::cli
