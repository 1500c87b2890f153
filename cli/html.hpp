// HTML text for the documents the CLI writes (letters, minutes): every text
// that comes from a roster, a manifest or a board goes through html_escape
// before it reaches a page. The function itself lives in ballot/minutes.hpp
// (pure, shared with the server's minutes); this header keeps its CLI name.
//
// Thread-safety: pure functions.
#pragma once

#include "ballot/minutes.hpp"

namespace urne::cli {

// & < > " ' as character references: safe in element text and in quoted
// attribute values.
using urne::html_escape;

}  // namespace urne::cli
