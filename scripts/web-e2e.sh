#!/usr/bin/env bash
# The browser tests of the web pages (web/e2e/*.e2e.js): real elections on
# loopback made with the urne CLI, served by urne-server with web/dist, in
# headless Debian Chromium driven by playwright-core; accessibility scans
# with axe-core; screenshots in web/e2e-artifacts/.
#
#   scripts/web-e2e.sh [--perf] [--no-build] [FILE.e2e.js ...]
#
#   --perf       the performance figures with the median of 20 casts
#                (default: a short form of 5, so CI stays within its time)
#   --no-build   don't run `node web/tools/build.mjs` first
#
# It needs build/server/urne-server and build/cli/urne (or the paths in
# URNE_SERVER_BINARY / URNE_CLI_BINARY); it does not build C++. It installs
# Chromium (scripts/setup.sh --browser) and the npm packages of the lock file
# if missing. Prints `N passed, M failed` last; exits non-zero on a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

perf=0
build=1
files=()
while (($#)); do
  case "$1" in
    --perf) perf=1 ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "web-e2e: unknown option $1" >&2; exit 2 ;;
    *) files+=("$(realpath "$1")") ;;
  esac
  shift
done

scripts/setup.sh --browser
if ! (cd web && npm ls --depth=0 playwright-core axe-core >/dev/null 2>&1); then
  (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

server_bin=${URNE_SERVER_BINARY:-$root/build/server/urne-server}
cli_bin=${URNE_CLI_BINARY:-$root/build/cli/urne}
for b in "$server_bin" "$cli_bin"; do
  [[ -x "$b" ]] || { echo "web-e2e: $b missing: build it first (cmake --build build --target urne urne-server)" >&2; exit 2; }
done

if ((build)); then
  node web/tools/build.mjs >"$root/build/web-build.log" 2>&1 || { cat "$root/build/web-build.log" >&2; exit 1; }
fi

if ((${#files[@]} == 0)); then
  files=("$root"/web/e2e/*.e2e.js)
fi

rm -rf "$root/web/e2e-artifacts"
mkdir -p "$root/web/e2e-artifacts"
tap="$root/web/e2e-artifacts/e2e.tap"
export URNE_E2E_PERF=$perf
start=$(date +%s)
rc=0
# One file at a time (each is its own election and browser; 2 shared
# cores); every test is bounded, and so is the whole run.
timeout --kill-after=30 1800 node --test --test-concurrency=1 --test-timeout=600000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  "${files[@]}" || rc=$?

passed=$(grep -E '^# pass [0-9]+' "$tap" | tail -1 | awk '{print $3}')
failed=$(grep -E '^# fail [0-9]+' "$tap" | tail -1 | awk '{print $3}')
passed=${passed:-0}
failed=${failed:-0}
if ((rc != 0 && failed == 0)); then failed=1; fi # killed, timed out or crashed
echo "web e2e: $(($(date +%s) - start)) s; screenshots and logs in web/e2e-artifacts/"
echo "$passed passed, $failed failed"
((rc == 0 && failed == 0))
