// Helpers shared by the libFuzzer targets in fuzz/: the checks a target
// makes beyond "does not crash" (a failed parse must say why; a canonical
// form must round-trip), and a scratch file for parsers that read a path
// (`urne audit`, `urne trustee`), so that they are fuzzed as deployed.
//
// A failed check prints what broke and aborts: libFuzzer saves the input as
// a crash reproducer, and the corpus replay test (replay_main.cpp) fails.
//
// Thread-safety: single-threaded, like libFuzzer's default mode.
#pragma once

#include <unistd.h>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include "crypto/bytes.hpp"
#include "crypto/status.hpp"

namespace urne::fuzz {

[[noreturn]] inline void fail(std::string_view what) {
  std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

inline void check(bool condition, std::string_view what) {
  if (!condition) fail(what);
}

// Every refusal of outside input is a Status with a stable reason: an
// empty reason would reach a client as an error without a code.
inline void check_refusal(const Status& status, std::string_view what) {
  check(!status.is_ok(), what);
  check(!status.reason().empty(), what);
}

template <class T>
void check_refusal(const Result<T>& result, std::string_view what) {
  check_refusal(result.status(), what);
}

inline ByteView view(const std::uint8_t* data, std::size_t size) { return ByteView(data, size); }

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

template <class A, class B>
bool same_bytes(const A& a, const B& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// A private directory for this process's scratch files, removed at exit
// (libFuzzer leaves through exit(), which runs static destructors).
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "urne-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) fail("mkdtemp");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

  // Writes `data` to `name` in the directory (replacing it) and returns its path.
  std::filesystem::path write(std::string_view name, const std::uint8_t* data,
                              std::size_t size) const {
    const std::filesystem::path file = path_ / name;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) fail("cannot write the scratch file");
    return file;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace urne::fuzz
