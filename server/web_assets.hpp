// The web client's files in memory: loaded once from --web-dir at start-up,
// served from memory (never re-read from disk per request, so what is served
// is exactly what was hashed), and hashed into the voting page's hash of
// ballot/voting_page.hpp that GET /api/v1/service reports and the officer
// puts into the manifest.
//
// Which files belong to the page: every regular file under the directory
// whose relative path has no segment starting with '.' (hidden files and
// directories are skipped, not descended into). Symbolic links are never
// followed, neither to files nor to directories, so nothing outside the
// directory can be served or hashed. Sockets, FIFOs and devices are skipped.
// Loading is bounded (WebLimits) and fails with a clear Status rather than
// serving a partial page.
//
// Beast-free (shared with the CLI's `urne page-hash`).
//
// Thread-safety: load() builds an immutable value; const member functions
// may run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ballot/voting_page.hpp"
#include "crypto/bytes.hpp"
#include "crypto/status.hpp"

namespace urne::server {

// Bounds of a web directory: a built web client is a few hundred KiB in a
// few dozen files; these leave ample room and stop a wrong --web-dir (a home
// directory, a disk image) from filling the server's memory.
struct WebLimits {
  std::size_t max_files = 2000;
  std::uintmax_t max_total_size = std::uintmax_t{32} << 20;  // 32 MiB
  std::uintmax_t max_file_size = std::uintmax_t{8} << 20;    // 8 MiB
};

// One served file.
struct WebAsset {
  std::string path;          // relative, '/'-separated: "vote/index.html"
  std::string content;       // the exact bytes served and hashed
  std::string content_type;  // from the extension (content_type_for)
  FixedBytes<32> sha256{};   // of content
  std::string etag;          // "\"<sha256 hex>\"" (a strong validator)
};

class WebAssets {
 public:
  // Loads `dir` as described above. Errors:
  //   not_found "web_dir_missing"               not a directory;
  //   internal "web_dir_unreadable"             a directory or file cannot be read;
  //   resource_exhausted "web_too_many_files"   more than limits.max_files;
  //   resource_exhausted "web_file_too_large"   a file over limits.max_file_size;
  //   resource_exhausted "web_dir_too_large"    all files over limits.max_total_size;
  //   invalid_argument "page_path_invalid"      a file name that is not UTF-8 or has
  //                                             control characters (check_page_path).
  // Every message names the offending path.
  static Result<WebAssets> load(const std::filesystem::path& dir, const WebLimits& limits = {});

  // The asset for a decoded URL path without its leading '/' ("" is the
  // root): the file of that path, else that directory's index.html; nullptr
  // when there is none.
  const WebAsset* find(std::string_view path) const;

  // The voting page's hash of all loaded files (ballot/voting_page.hpp).
  const FixedBytes<32>& page_hash() const noexcept { return page_hash_; }
  std::size_t file_count() const noexcept { return files_.size(); }
  std::uintmax_t total_size() const noexcept { return total_size_; }
  // Paths and content hashes, sorted by path (what the hash covers).
  std::vector<PageFile> page_files() const;

 private:
  std::map<std::string, WebAsset, std::less<>> files_;
  FixedBytes<32> page_hash_{};
  std::uintmax_t total_size_ = 0;
};

// The Content-Type for a path's extension (case-insensitive); unknown ones
// are application/octet-stream (served with nosniff, so never run).
std::string_view content_type_for(std::string_view path);

}  // namespace urne::server
