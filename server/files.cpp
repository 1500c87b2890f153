#include "server/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace urne::server {

Status write_file_atomically(const std::filesystem::path& path, std::string_view data, mode_t mode,
                             std::string_view reason) {
  const std::string tmp = path.string() + ".tmp";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return internal_error(std::string(reason), "cannot create " + tmp);
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return internal_error(std::string(reason), "cannot write " + tmp);
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return internal_error(std::string(reason), "cannot write " + path.string());
  }
  // The rename is durable only once the directory entry is.
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::ok();
}

Result<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_size) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status(Code::kNotFound, "file_missing", "cannot read " + path.string());
  if (size > max_size) return invalid_argument("file_too_large", path.string() + " is too large");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  if (!in && !in.eof()) return internal_error("file_unreadable", "cannot read " + path.string());
  return s.str();
}

Status check_owner_only(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) != 0) {
    return failed_precondition("file_permissions",
                               path.string() + " must be readable by its owner only (0600)");
  }
  return Status::ok();
}

}  // namespace urne::server
