// The election API (docs/api.md): HTTP routes that translate requests into
// calls of the register and ballot-box services (server/election_service.hpp)
// and their results into JSON (codec/json_views.hpp) or the Privacy Pass
// wire format. No protocol decision is made here.
//
// A server runs the register, the ballot box or both (--role). Routes of a
// component that does not run here answer 404 "not_served_here" with a
// message saying which component serves them. Where an operation concerns
// both components (create an election, a transition, turnout), a server
// running both does both, in the order that keeps them consistent on a
// retry: the register first, then the box; at the close the box also takes
// the register's issuance log.
//
// Thread-safety: the routes may run concurrently (the services are
// thread-safe); ApiServices must outlive the router.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crypto/signing.hpp"
#include "server/election_service.hpp"
#include "server/router.hpp"

namespace urne::server {

// Request body limits per route (named here, documented in docs/api.md).
inline constexpr std::size_t kRosterBodyLimit = std::size_t{4} << 20;    // 10,000 institutions
inline constexpr std::size_t kManifestBodyLimit = std::size_t{2} << 20;  // with the roster
inline constexpr std::size_t kBallotBodyLimit = std::size_t{96} * 1024;  // 100 candidates
inline constexpr std::size_t kIssuanceBodyLimit = std::size_t{8} << 20;
inline constexpr std::size_t kPartialsBodyLimit = std::size_t{64} * 1024;
// RFC 9578 TokenRequest for a 2048-bit key: 2 + 1 + 256 bytes.
inline constexpr std::size_t kTokenRequestBodyLimit = 259;

// Institution headers of a token request (RFC 9578 leaves authorization to
// the deployment): the institution's id and its signature (base64url) over
// the authorization message of crypto/credential.hpp.
inline constexpr const char* kInstitutionHeader = "urne-institution";
inline constexpr const char* kInstitutionSignatureHeader = "urne-institution-signature";

enum class Role { kBoth, kRegister, kBallotBox };
std::string_view role_name(Role role) noexcept;

struct ApiServices {
  Role role = Role::kBoth;
  RegisterService* register_service = nullptr;  // set unless role is kBallotBox
  BallotBoxService* ballot_box = nullptr;       // set unless role is kRegister
  std::vector<Ed25519PublicKey> officer_keys;
  // Unix seconds, for the officer's request signatures (tests inject a clock).
  std::function<std::int64_t()> now;
  // The hash of the web client this server serves (server/web_assets.hpp);
  // reported by GET /api/v1/service, absent when no pages are served.
  std::optional<FixedBytes<32>> voting_page_sha256;
};

// Registers every /api/v1 election route on `router`.
void add_election_routes(Router& router, const ApiServices& services);

}  // namespace urne::server
