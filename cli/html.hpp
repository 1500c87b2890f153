// HTML text for the documents the CLI writes (letters, minutes): every text
// that comes from a roster, a manifest or a board goes through html_escape
// before it reaches a page.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace urne::cli {

// & < > " ' as character references: safe in element text and in quoted
// attribute values.
std::string html_escape(std::string_view text);

}  // namespace urne::cli
