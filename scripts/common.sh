# Sourced by the scripts (not run): what they share about building urne.
#   urne_launcher         cmake arguments for ccache, when it is installed
#   urne_sanitize_args    cmake arguments of the ASan+UBSan build (clang, -O1,
#                         libFuzzer instrumentation): build-asan/
#   urne_sanitizer_env    exports ASAN_OPTIONS/UBSAN_OPTIONS for that build:
#                         leaks are errors, the first UB report stops the run
# Expects the caller to be in the repository's root.

urne_launcher=()
if command -v ccache >/dev/null; then
  urne_launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Fresh clones in other directories (CI) still hit the cache.
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
fi

# Debug with -O1: ASan's documented setting, fast enough for the integration
# tests; the benchmarks are not built (their figures would mean nothing).
# The same build carries libFuzzer's coverage instrumentation and builds the
# fuzzers (fuzz/, scripts/fuzz.sh), so that one ASan build of the Beast code
# serves the sanitizer tests, the sanitized server and the fuzzers.
urne_sanitize_args=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++
  "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" -DURNE_SANITIZE=ON -DURNE_FUZZ=ON -DURNE_BUILD_BENCH=OFF)

urne_sanitizer_env() {  # [extra ASAN_OPTIONS, colon-separated]
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1${1:+:$1}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
}
