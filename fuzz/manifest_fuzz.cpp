// Fuzz target: the election's manifest and the roster, in both forms the
// server and the CLI read (ballot/manifest.hpp, ballot/roster.hpp canonical
// bytes: POST /api/v1/rosters and …/elections bodies, `urne` files; and the
// JSON views of codec/json_views.hpp, which `urne` reads from the server
// and from files). A canonical parse must give back the input bytes, and a
// view that is accepted must be exactly the view of what it carries.
#include <cstddef>
#include <cstdint>

#include "ballot/manifest.hpp"
#include "ballot/roster.hpp"
#include "codec/json_views.hpp"
#include "crypto/random.hpp"
#include "fuzz/fuzz_util.hpp"

namespace {

using urne::fuzz::check;
using urne::fuzz::check_refusal;
using urne::fuzz::same_bytes;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool initialized = urne::init_crypto().is_ok();
  check(initialized, "init_crypto");
  const urne::ByteView input = urne::fuzz::view(data, size);

  const urne::Result<urne::Manifest> manifest = urne::Manifest::parse_canonical(input);
  if (manifest.ok()) {
    check(same_bytes(manifest->canonical_bytes(), input), "Manifest round trip");
    // The server publishes its view: an accepted manifest must have one
    // that reads back as the same manifest (or is refused for its text).
    const urne::Result<urne::Manifest> back =
        urne::codec::manifest_from_view(urne::codec::manifest_view(*manifest));
    if (back.ok()) {
      check(same_bytes(back->canonical_bytes(), input), "Manifest view round trip");
    } else {
      check_refusal(back, "Manifest view refusal");
    }
  } else {
    check_refusal(manifest, "Manifest refusal");
  }

  const urne::Result<urne::Roster> roster = urne::Roster::parse_canonical(input);
  if (roster.ok()) {
    check(same_bytes(roster->canonical_bytes(), input), "Roster round trip");
    const urne::Result<urne::Roster> back =
        urne::codec::roster_from_view(urne::codec::roster_view(*roster));
    if (back.ok()) {
      check(same_bytes(back->canonical_bytes(), input), "Roster view round trip");
    } else {
      check_refusal(back, "Roster view refusal");
    }
  } else {
    check_refusal(roster, "Roster refusal");
  }

  // The JSON views, parsed as the server parses bodies.
  const urne::Result<urne::codec::json> json =
      urne::codec::parse_json_object(urne::fuzz::text(data, size));
  if (!json.ok()) {
    check_refusal(json, "parse_json_object refusal");
    return 0;
  }
  const urne::Result<urne::Manifest> from_view = urne::codec::manifest_from_view(*json);
  if (from_view.ok()) {
    check(urne::codec::manifest_view(*from_view) == *json,
          "manifest_from_view takes only its own view");
  } else {
    check_refusal(from_view, "manifest_from_view refusal");
  }
  const urne::Result<urne::Roster> roster_view = urne::codec::roster_from_view(*json);
  if (roster_view.ok()) {
    check(urne::codec::roster_view(*roster_view) == *json,
          "roster_from_view takes only its own view");
  } else {
    check_refusal(roster_view, "roster_from_view refusal");
  }
  return 0;
}
