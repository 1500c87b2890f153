// doctest's main, in its own translation unit (compiled once). Initializes
// libsodium before any test runs.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "crypto/random.hpp"

int main(int argc, char** argv) {
  if (urne::Status s = urne::init_crypto(); !s) {
    std::fprintf(stderr, "%s\n", s.to_string().c_str());
    return 1;
  }
  doctest::Context context(argc, argv);
  return context.run();
}
