// Corpus replay: the main() that turns a libFuzzer target into a plain
// program for the normal (g++) build. It runs LLVMFuzzerTestOneInput over
// every file in the directories (or files) it is given, in sorted order, so
// that each corpus, with every crash reproducer kept in it, runs as a ctest
// test (fuzz_replay_<name>) in every test run. A failed check aborts, which
// fails the test; an empty corpus fails too (a test that cannot fail is no
// test).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::uint8_t> read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in),
                                   std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "replay: no input files (usage: %s DIR_OR_FILE...)\n", argv[0]);
    return 2;
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    const std::vector<std::uint8_t> data = read_all(file);
    // The file name first: if the input aborts, the log says which it was.
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.string().c_str(), data.size());
    std::fflush(stderr);
    // libFuzzer never passes a null pointer; neither do we for an empty file.
    static const std::uint8_t kEmpty = 0;
    LLVMFuzzerTestOneInput(data.empty() ? &kEmpty : data.data(), data.size());
  }
  std::printf("replay: %zu inputs, no failure\n", files.size());
  return 0;
}
