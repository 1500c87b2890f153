#!/usr/bin/env bash
# Builds urne and runs every test: ctest, the web pages' tests in Node and
# in a real browser.
#
#   scripts/test.sh              setup, build (warnings are errors), all tests
#   scripts/test.sh --sanitize   the same under ASan+UBSan (clang, -O1), in
#                                build-asan/; all tests
#   scripts/test.sh --sanitize-pure
#                                ASan+UBSan over the Beast-free libraries and
#                                the SQLite stores (labels "pure", "store");
#                                CI runs this before the suite
#
# In CI (CI=true) the sanitizer run of the pure libraries comes first, with
# short fuzzer runs, then the build, the sanitized server under the
# hostile-client test, the format and clang-tidy checks, and the full suite
# last (with the short crash test, the storage-fault tests and the
# hostile-client test against the normal server), so the last line printed
# is ctest's summary of all tests.
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Chromium: the letters' and the minutes' PDF tests (and the browser tests).
scripts/setup.sh --browser

jobs=$(nproc)
# shellcheck source=scripts/common.sh
source scripts/common.sh

configure_and_build() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "${urne_launcher[@]}" -DURNE_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

# ASan+UBSan build in build-asan/. With --pure, only the Beast-free test
# binaries (with the corpus replays of the Beast-free fuzzers), the stores'
# tests, urne-server (for the server smoke test) and the fuzzers CI runs are
# built (Beast code costs ~10x to compile under ASan); the Beast-free and
# store tests run.
ci_fuzzers=(token_request ballot manifest json_bodies)
run_sanitized() {
  local targets=() labels=()
  if [[ "${1:-}" == "--pure" ]]; then
    targets=(--target urne_crypto_tests urne_ballot_tests urne_codec_tests urne_store_tests
      urne-server "${ci_fuzzers[@]/#/urne_fuzz_}")
    labels=(-L 'pure|store')
  fi
  cmake -S . -B build-asan -G Ninja "${urne_launcher[@]}" -DURNE_WERROR=ON \
    "${urne_sanitize_args[@]}" >/dev/null
  cmake --build build-asan -j "$jobs" "${targets[@]}"
  (urne_sanitizer_env && ctest --test-dir build-asan --output-on-failure -j "$jobs" "${labels[@]}")
}

case "${1:-}" in
  --sanitize) run_sanitized; exit ;;
  --sanitize-pure) run_sanitized --pure; exit ;;
  "") ;;
  *) echo "usage: scripts/test.sh [--sanitize|--sanitize-pure]" >&2; exit 2 ;;
esac

if [[ "${CI:-}" == "true" ]]; then
  echo "== ASan+UBSan: Beast-free libraries, the stores, the fuzz corpora =="
  run_sanitized --pure
  # libFuzzer, briefly (docs/fuzzing.md); a crash fails CI with its reproducer.
  echo "== fuzz: short runs =="
  scripts/fuzz.sh --ci "${ci_fuzzers[@]}"
fi

echo "== build =="
configure_and_build build

if [[ "${CI:-}" == "true" ]]; then
  # The server smoke test under the sanitizers: the hostile-client test
  # (tests/hostile/) against build-asan's urne-server; any ASan/UBSan report
  # in the server fails it.
  echo "== ASan+UBSan: urne-server under the hostile-client test =="
  build/tests/hostile/urne_hostile_test --server-binary build-asan/server/urne-server
fi

if [[ "${CI:-}" == "true" ]]; then
  echo "== static analysis: clang-format, clang-tidy =="
  scripts/format.sh --check
  scripts/lint.sh build
fi

# The browser's crypto (web/): byte-compatible with the C++ code, checked
# against the same vectors, in Node (packages from the lock file).
echo "== web: JavaScript crypto against the vectors =="
web_rc=0
(cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null &&
  node --test >"$root/build/web-tests.log" 2>&1) || web_rc=$?
grep -E "^# (pass|fail) |^not ok" "$root/build/web-tests.log" || true
if ((web_rc != 0)); then
  echo "web tests failed (build/web-tests.log):" >&2
  tail -n 40 "$root/build/web-tests.log" >&2
  exit 1
fi

# The pages in a real browser: headless Debian Chromium driven by
# playwright-core against urne-server on loopback (web/e2e/, screenshots in
# web/e2e-artifacts/); prints "N passed, M failed".
echo "== web: the pages in headless Chromium =="
scripts/web-e2e.sh

echo "== test =="
ctest --test-dir build --output-on-failure -j "$jobs"
