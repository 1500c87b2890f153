// Fuzz target: what the credential authority and a delegate's device read
// as text (cli/letters.hpp): the roster CSV `urne letters` takes from the
// network's office, and the voting link printed on a letter (its QR code
// is scanned from paper, so it is outside input too), with the voting-page
// URL check. A link that parses must be the very link make_voting_link
// prints for its parts (one text form per letter).
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "cli/letters.hpp"
#include "crypto/random.hpp"
#include "fuzz/fuzz_util.hpp"

namespace {

using urne::fuzz::check;
using urne::fuzz::check_refusal;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool initialized = urne::init_crypto().is_ok();
  check(initialized, "init_crypto");
  const std::string_view text = urne::fuzz::text(data, size);

  const auto rows = urne::cli::parse_roster_csv(text);
  if (rows.ok()) {
    check(!rows->empty(), "a roster CSV that parses has rows");
    std::set<std::string> ids;
    std::size_t previous_line = 1;  // the header
    for (const urne::cli::RosterCsvRow& row : *rows) {
      check(!row.id.empty() && !row.name.empty(), "a row has an id and a name");
      check(row.line > previous_line, "rows are in file order after the header");
      previous_line = row.line;
      check(ids.insert(row.id).second, "ids are unique");
    }
  } else {
    check_refusal(rows, "parse_roster_csv refusal");
  }

  const auto link = urne::cli::parse_voting_link(text);
  if (link.ok()) {
    const std::string_view url = text.substr(0, text.find('#'));
    if (urne::cli::check_vote_url(url).is_ok()) {
      const std::string again = urne::cli::make_voting_link(
          url, link->institution_id, link->code, link->context, link->roster_fingerprint);
      check(again == text, "a voting link has one text form");
    }
  } else {
    check_refusal(link, "parse_voting_link refusal");
  }

  const urne::Status url = urne::cli::check_vote_url(text);
  if (!url.is_ok()) check_refusal(url, "check_vote_url refusal");
  return 0;
}
