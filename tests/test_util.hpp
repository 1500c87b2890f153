// Helpers shared by the test suites: reading the RFC vector files.
#pragma once

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

}  // namespace urne::test
