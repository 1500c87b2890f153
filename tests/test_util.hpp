// Helpers shared by the test suites: reading the RFC vector files, and
// temporary directories.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "crypto/bytes.hpp"

namespace urne::test {

// Parses tests/vectors/<name>; throws (failing the test) when missing.
inline nlohmann::json load_vectors(const std::string& name) {
  std::ifstream in(std::string(URNE_TEST_VECTORS_DIR) + "/" + name);
  if (!in) throw std::runtime_error("missing test vector file " + name);
  return nlohmann::json::parse(in);
}

// Hex from a vector file; throws on bad hex (a broken vector file).
inline Bytes unhex(const std::string& text) {
  auto r = hex_decode(text);
  if (!r.ok()) throw std::runtime_error("bad hex in vector: " + text.substr(0, 32));
  return std::move(r).value();
}

// A fresh directory under the system's temporary directory (mkdtemp: a new
// name nobody else holds), removed with everything in it when the object
// goes, also if a test made it read-only.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "urne-test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace urne::test
