#!/usr/bin/env bash
# The crash test, long form: an election of 1,000 institutions under the load
# of 64 concurrent clients (token requests and ballots, every step retried
# across broken connections), with urne-server killed by SIGKILL at 100
# random moments and restarted on the same data directory each time; then
# close, tally, publish and the checks (docs/crash-test.md): every
# acknowledged ballot on the board, every acknowledged issuance in the log,
# no token spent twice, totals equal to the choices, `urne audit` passes.
# ctest runs the short form (label "crash": 60 institutions, 16 clients,
# 20 kills).
#
#   scripts/crash-test.sh [--build-dir DIR] [any urne_crash_test option]
#       --build-dir DIR   build and run from DIR (default build/, configured
#                         as scripts/test.sh does, warnings are errors)
#       options after it override the long form's, e.g. --kills 200 --seed 7
#                         --keep-data (keep the data dir, logs and board)
#
# Prints the program's figures (one per line) and its verdict, and exits
# with its status. The program stops every server it started; the trap
# below covers an interrupted build or run.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
source scripts/common.sh

build=build
if [[ "${1:-}" == "--build-dir" ]]; then
  build=$2
  shift 2
fi

pid=""
cleanup() {
  # The program's own child servers end with it: stop the program only.
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
}
trap cleanup EXIT INT TERM

echo "crash-test: building $build/ (urne-server, urne_crash_test)"
cmake -S . -B "$build" -G Ninja "${urne_launcher[@]}" -DURNE_WERROR=ON >/dev/null
cmake --build "$build" --target urne-server urne_crash_test >/dev/null

start=$(date +%s)
"$build/tests/crash/urne_crash_test" --institutions 1000 --clients 64 --kills 100 \
  --min-ms 50 --max-ms 600 --seed "$(date +%s)" "$@" &
pid=$!
status=0
wait "$pid" || status=$?
pid=""
echo "crash-test: wall time $(($(date +%s) - start)) s, exit status $status"
exit "$status"
