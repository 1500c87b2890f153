#!/usr/bin/env bash
# Runs urne's libFuzzer targets (fuzz/, docs/fuzzing.md) for a bounded time.
#
#   scripts/fuzz.sh [--seconds N] [--ci] [target...]
#
#   --seconds N   run each target N seconds (default 60)
#   --ci          the short run CI makes: 10 s per target
#   target...     some of: token_request ballot manifest board json_bodies
#                 roster_csv share_files election_config (default: all)
#
# Builds the fuzzers in build-asan/ (clang, ASan+UBSan, -O1, libFuzzer
# instrumentation: scripts/common.sh), then
# runs each target on a scratch copy of its corpus (fuzz/corpus/<name>/;
# the committed corpus is not changed: new inputs are counted, and kept
# only with FUZZ_KEEP). Prints per target: runs,
# execs/s, coverage (cov/ft), new corpus entries, crashes. Exits non-zero
# on a crash and prints the reproducer's path; to turn it into a regression
# test, see docs/fuzzing.md.
#
# Environment: FUZZ_JOBS (parallel fuzzing processes per target, default 1:
# the machine is shared), FUZZ_KEEP=DIR (keep each target's grown corpus
# under DIR/<name>/, e.g. to merge new inputs into fuzz/corpus with -merge=1).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

all_targets=(token_request ballot manifest board json_bodies roster_csv share_files election_config)
seconds=60
targets=()
while (($#)); do
  case "$1" in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --ci) seconds=10; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
done

# Per target: the largest input worth trying (bytes) and the time one
# input may take before it counts as a hang (seconds). The board's audit
# verifies every proof of a real small board; the others are parsers.
max_len() {
  case "$1" in
    board) echo 65536 ;;
    ballot|manifest|json_bodies|election_config) echo 16384 ;;
    *) echo 4096 ;;
  esac
}
# The dictionary of tokens libFuzzer splices in (fuzz/dict/), if any.
dict_of() {
  case "$1" in
    json_bodies|roster_csv) echo "$1.dict" ;;
    manifest|board|election_config|share_files) echo json.dict ;;
  esac
}
timeout_of() { case "$1" in board|json_bodies) echo 30 ;; *) echo 10 ;; esac; }

# shellcheck source=scripts/common.sh
source scripts/common.sh
build_start=$SECONDS
# The fuzzers live in the sanitizer build (build-asan/), which carries
# libFuzzer's instrumentation for this purpose (scripts/common.sh).
cmake -S . -B build-asan -G Ninja "${urne_launcher[@]}" -DURNE_WERROR=ON \
  "${urne_sanitize_args[@]}" >/dev/null
cmake --build build-asan -j "$(nproc)" --target "${targets[@]/#/urne_fuzz_}"
echo "build: $((SECONDS - build_start)) s"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/urne-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

failed=0
for t in "${targets[@]}"; do
  work="$scratch/$t"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -r "fuzz/corpus/$t/." "$work/corpus/"
  before=$(find "$work/corpus" -type f | wc -l)
  extra=()
  dict=$(dict_of "$t")
  [[ -n "$dict" ]] && extra+=(-dict="$root/fuzz/dict/$dict")
  # -jobs starts child processes that log to fuzz-N.log in the working
  # directory: only when asked for, and then in the scratch directory.
  if ((${FUZZ_JOBS:-1} > 1)); then
    extra+=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")
  fi
  log="$work/log"
  rc=0
  (cd "$work" && "$root/build-asan/fuzz/urne_fuzz_$t" "$work/corpus" "${extra[@]}" \
    -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout="$(timeout_of "$t")" \
    -rss_limit_mb=2048 -artifact_prefix="$work/artifacts/" -print_final_stats=1) \
    >"$log" 2>&1 || rc=$?
  after=$(find "$work/corpus" -type f | wc -l)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  crashes=$(find "$work/artifacts" -type f | wc -l)
  echo "$t: runs ${runs:-?}, execs/s ${speed:-?}, ${cov:-cov: ?}, new corpus entries $((after - before)), crashes: $crashes"
  if ((rc != 0 || crashes != 0)); then
    failed=1
    keep="build-asan/fuzz-crashes/$t"
    mkdir -p "$keep"
    cp "$work/artifacts/"* "$keep/" 2>/dev/null || true
    tail -n 60 "$log" >&2
    for f in "$keep"/*; do [[ -e "$f" ]] && echo "$t: reproducer $root/$f"; done
    echo "$t: replay with build-asan/fuzz/urne_fuzz_$t FILE" >&2
  fi
  if [[ -n "${FUZZ_KEEP:-}" ]]; then
    mkdir -p "$FUZZ_KEEP/$t"
    cp -r "$work/corpus/." "$FUZZ_KEEP/$t/"
  fi
done
if ((failed)); then
  echo "fuzz: a target crashed (reproducers above)"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds} s each, crashes: 0"
