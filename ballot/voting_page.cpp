#include "ballot/voting_page.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "ballot/canonical.hpp"
#include "crypto/hash.hpp"

namespace urne {
namespace {

Status bad_path(std::string_view why) {
  return invalid_argument("page_path_invalid", "voting page path: " + std::string(why));
}

void update_u16(Sha256& h, std::size_t v) {
  const std::array<std::uint8_t, 2> b{static_cast<std::uint8_t>(v >> 8),
                                      static_cast<std::uint8_t>(v & 0xff)};
  h.update(b);
}

}  // namespace

Status check_page_path(std::string_view path) {
  if (path.empty() || path.size() > kMaxPagePathSize) return bad_path("empty or too long");
  if (!is_valid_utf8(path)) return bad_path("not UTF-8");
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\') return bad_path("control character or backslash");
  }
  std::size_t start = 0;
  while (true) {
    const auto slash = path.find('/', start);
    const std::string_view seg = path.substr(start, slash - start);
    // An empty segment would be an absolute path or "a//b"; a leading '.'
    // covers ".", ".." and hidden files, none of which the page may contain.
    if (seg.empty()) return bad_path("empty segment");
    if (seg.front() == '.') return bad_path("hidden or dot segment");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return Status::ok();
}

Result<FixedBytes<32>> voting_page_hash(std::span<const PageFile> files) {
  // Sorted by the path's bytes as unsigned values (std::string compares
  // chars through char_traits<char>::lt, which is unsigned): the order a
  // JavaScript rebuild gets by comparing the UTF-8 encodings byte by byte.
  std::vector<const PageFile*> sorted;
  sorted.reserve(files.size());
  for (const PageFile& f : files) {
    URNE_RETURN_IF_ERROR(check_page_path(f.path));
    sorted.push_back(&f);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const PageFile* a, const PageFile* b) { return a->path < b->path; });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i - 1]->path == sorted[i]->path) {
      return invalid_argument("page_path_duplicate", "voting page path listed twice");
    }
  }
  if (sorted.size() > 0xffffffffU) return invalid_argument("page_too_many_files", "too many files");

  Sha256 h;
  update_u16(h, kVotingPageLabel.size());
  h.update(as_bytes(kVotingPageLabel));
  Bytes count;
  append_u32(count, static_cast<std::uint32_t>(sorted.size()));
  h.update(count);
  for (const PageFile* f : sorted) {
    update_u16(h, f->path.size());  // <= kMaxPagePathSize, checked above
    h.update(as_bytes(f->path));
    h.update(f->content_sha256);
  }
  return h.finish();
}

}  // namespace urne
