// The environment the storage-fault tests change under a running server: a
// tmpfs mounted on a temporary directory (a small disk that can be filled,
// and remounted read-only and back), a filler file that takes its space, and
// a look at whether the server child is still alive.
//
// Mounting needs root or CAP_SYS_ADMIN. Without it the test FAILS with a
// message saying so: a fault test that silently passes would hide that it
// never ran (CI runs as root).
//
// Thread-safety: one owner per object.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace urne::test {

// A tmpfs of a given size on `dir` (created if missing); unmounted by the
// destructor on every path, a failed test included (lazily, so that a file
// still open cannot keep it mounted).
class TmpfsMount {
 public:
  TmpfsMount(std::filesystem::path dir, std::size_t bytes) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    options_ = "size=" + std::to_string(bytes) + ",mode=0700";
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options_.c_str()) != 0) {
      const int err = errno;
      FAIL("mounting a tmpfs on " << dir_.string() << " failed (" << std::strerror(err)
                                  << "): this test needs root or CAP_SYS_ADMIN");
    }
    mounted_ = true;
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  // Remounts read-only (true) or read-write (false); returns 0 or the errno.
  int remount(bool read_only) {
    unsigned long flags = MS_REMOUNT;
    if (read_only) flags |= MS_RDONLY;
    return ::mount("tmpfs", dir_.c_str(), "tmpfs", flags, options_.c_str()) == 0 ? 0 : errno;
  }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::string options_;
  bool mounted_ = false;
};

// A file that fills the file system it is on until a write fails with
// ENOSPC; removed by release() or the destructor.
class Filler {
 public:
  explicit Filler(std::filesystem::path file) : file_(std::move(file)) {}
  ~Filler() { release(); }
  Filler(const Filler&) = delete;
  Filler& operator=(const Filler&) = delete;

  // Writes until the disk is full; returns the bytes written. REQUIREs
  // that the last write failed with ENOSPC (and not something else).
  std::size_t fill() {
    const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    REQUIRE_MESSAGE(fd >= 0, "cannot create " << file_.string());
    const std::vector<char> chunk(4096, 'x');
    int err = 0;
    for (;;) {
      const ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n > 0) {
        size_ += static_cast<std::size_t>(n);
        continue;
      }
      err = errno;
      break;
    }
    ::close(fd);
    REQUIRE_MESSAGE(err == ENOSPC, "filling stopped with " << std::strerror(err));
    return size_;
  }
  // Gives back `bytes` of the filler's space (tmpfs frees truncated pages).
  void give_back(std::size_t bytes) {
    size_ = bytes < size_ ? size_ - bytes : 0;
    REQUIRE(::truncate(file_.c_str(), static_cast<off_t>(size_)) == 0);
  }
  void release() {
    std::error_code ec;
    std::filesystem::remove(file_, ec);
    size_ = 0;
  }

 private:
  std::filesystem::path file_;
  std::size_t size_ = 0;
};

// Whether the child `pid` is still running (without reaping it, so that
// client::ServerProcess::stop still collects its exit status).
inline bool child_running(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return false;
  }
  return info.si_pid == 0;
}

}  // namespace urne::test
