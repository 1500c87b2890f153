// Loading the web client into memory (see web_assets.hpp for the rules).
#include "server/web_assets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "crypto/hash.hpp"

namespace urne::server {
namespace fs = std::filesystem;
namespace {

Status unreadable(const fs::path& p, std::string_view why) {
  return internal_error("web_dir_unreadable", p.string() + ": " + std::string(why));
}

// Closes a POSIX file descriptor on scope exit.
struct Fd {
  int fd = -1;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Reads one file, at most `max_size` bytes. O_NOFOLLOW and the fstat on the
// open descriptor make sure that what is read is the regular file the
// directory walk saw, not a symlink swapped in between (start-up only, but
// cheap to get right).
Result<std::string> read_regular_file(const fs::path& p, std::uintmax_t max_size) {
  Fd f(::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (f.fd < 0) return unreadable(p, std::strerror(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return unreadable(p, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return unreadable(p, "not a regular file");
  const auto size = static_cast<std::uintmax_t>(st.st_size);
  if (size > max_size) {
    return Status(Code::kResourceExhausted, "web_file_too_large",
                  p.string() + " is " + std::to_string(size) + " bytes, more than the " +
                      std::to_string(max_size) + " a web file may have");
  }
  std::string out(static_cast<std::size_t>(size), '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(f.fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unreadable(p, std::strerror(errno));
    if (n == 0) return unreadable(p, "the file shrank while it was read");
    got += static_cast<std::size_t>(n);
  }
  return out;
}

}  // namespace

std::string_view content_type_for(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".wasm", "application/wasm"},
      {".txt", "text/plain; charset=utf-8"},
  };
  const auto slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "application/octet-stream";
  std::string ext(name.substr(dot));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [e, t] : kTypes)
    if (e == ext) return t;
  return "application/octet-stream";
}

Result<WebAssets> WebAssets::load(const fs::path& dir, const WebLimits& limits) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status(Code::kNotFound, "web_dir_missing", dir.string() + " is not a directory");
  }
  WebAssets assets;
  // directory_options::none: symlinked directories are not descended into.
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  if (ec) return unreadable(dir, ec.message());
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return unreadable(dir, ec.message());
    const fs::directory_entry& entry = *it;
    const std::string name = entry.path().filename().string();
    const fs::file_status st = entry.symlink_status(ec);
    if (ec) return unreadable(entry.path(), ec.message());
    if (!name.empty() && name.front() == '.') {
      // Hidden (".git", ".env", editor files): never part of the page.
      if (fs::is_directory(st)) it.disable_recursion_pending();
      continue;
    }
    // Symlinks (to anything) and special files are skipped; directories are
    // walked into.
    if (!fs::is_regular_file(st)) continue;

    const std::string rel = entry.path().lexically_relative(dir).generic_string();
    URNE_RETURN_IF_ERROR(check_page_path(rel));
    if (assets.files_.size() >= limits.max_files) {
      return Status(Code::kResourceExhausted, "web_too_many_files",
                    dir.string() + " has more than " + std::to_string(limits.max_files) + " files");
    }
    URNE_ASSIGN_OR_RETURN(std::string content,
                          read_regular_file(entry.path(), limits.max_file_size));
    assets.total_size_ += content.size();
    if (assets.total_size_ > limits.max_total_size) {
      return Status(Code::kResourceExhausted, "web_dir_too_large",
                    dir.string() + " holds more than " + std::to_string(limits.max_total_size) +
                        " bytes of files");
    }
    WebAsset a;
    a.path = rel;
    a.content_type = std::string(content_type_for(rel));
    a.sha256 = sha256(as_bytes(content));
    a.etag = "\"" + hex_encode(a.sha256) + "\"";
    a.content = std::move(content);
    assets.files_.emplace(rel, std::move(a));
  }
  URNE_ASSIGN_OR_RETURN(assets.page_hash_, voting_page_hash(assets.page_files()));
  return assets;
}

std::vector<PageFile> WebAssets::page_files() const {
  std::vector<PageFile> out;
  out.reserve(files_.size());
  for (const auto& [path, a] : files_) out.push_back(PageFile{path, a.sha256});
  return out;
}

const WebAsset* WebAssets::find(std::string_view path) const {
  if (path.empty()) path = "index.html";
  if (auto it = files_.find(path); it != files_.end()) return &it->second;
  std::string index(path);
  index += "/index.html";
  if (auto it = files_.find(index); it != files_.end()) return &it->second;
  return nullptr;
}

}  // namespace urne::server
