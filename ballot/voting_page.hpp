// The voting page's hash: one SHA-256 over the files of the built web client
// (web/dist) that urne-server serves, so that a manifest can commit to the
// exact code delegates run in their browsers and an auditor can rebuild the
// pages and compare (docs/protocol.md, "The voting page's hash").
//
//   voting_page_sha256 = SHA-256( lp16("urne/voting-page/v1") || u32(count)
//                          || for each file, sorted by the bytes of its path:
//                             lp16(path) || SHA-256(content) )
//
// A path is relative, '/'-separated, valid UTF-8, e.g. "vote/index.html".
// Which files count (regular files, no hidden ones, no symlinks) is the
// loader's rule (server/web_assets.hpp); this unit only hashes the list it is
// given. web/tools/page-hash.mjs computes the same value in Node.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "crypto/bytes.hpp"
#include "crypto/status.hpp"

namespace urne {

inline constexpr std::string_view kVotingPageLabel = "urne/voting-page/v1";
// Longest path accepted (bytes); a web client's paths are short.
inline constexpr std::size_t kMaxPagePathSize = 1024;

// One file of the page: its relative path and the SHA-256 of its content.
struct PageFile {
  std::string path;
  FixedBytes<32> content_sha256{};
};

// Whether `path` is a page path: 1..kMaxPagePathSize bytes of valid UTF-8,
// '/'-separated segments that are non-empty and do not start with '.'
// (no hidden files, no "." or ".."), no '\\' and no control characters.
// Error: invalid_argument "page_path_invalid" naming the problem.
[[nodiscard]] Status check_page_path(std::string_view path);

// The hash defined above over `files` in any order (sorted here by path
// bytes). Errors (invalid_argument): "page_path_invalid" (check_page_path),
// "page_path_duplicate" (two entries with the same path). An empty list is
// allowed (count 0) and has a hash of its own.
Result<FixedBytes<32>> voting_page_hash(std::span<const PageFile> files);

}  // namespace urne
