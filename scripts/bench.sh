#!/usr/bin/env bash
# The benchmark report: in one invocation on one machine, the machine's
# limits, urne over HTTPS under load, `urne audit` on large boards and the
# same election through Belenios, as one table of figures, ratios and goals,
# printed and written into docs/performance.md (between the markers
# <!-- bench.sh:begin --> and <!-- bench.sh:end -->).
#
#   scripts/bench.sh            the full form (10,000 institutions over HTTPS
#                               with 200 connections; boards of 1,000 and
#                               10,000 ballots; Belenios with 1,000 voters)
#   scripts/bench.sh --quick    everything at small sizes (a few minutes)
#   scripts/bench.sh --no-write print the table only, leave docs/ alone
#   options: --limit-seconds S (openssl speed per test, default 5; quick 2)
#            --keep-work (keep the temporary directory with logs and results)
#
# Builds into build-bench/ (RelWithDebInfo, as build/), installs what is
# missing (scripts/setup.sh; belenios-tool from Debian). The audit boards
# are made once by `urne selftest election --board-out` (the whole protocol
# in one process, every institution voting) and kept in
# build-bench/bench-data/ with a parameter file; a board whose parameters
# differ, or that no longer audits, is made again. Nothing here asserts a
# time: a missed goal is printed as "missed"; the script fails only when a
# step fails (a refused request, an audit or a verification that fails).
set -euo pipefail

# The whole script is one function, read before it runs: editing this file
# while a long run is under way cannot change the running one.
main() {
cd "$(dirname "$0")/.."
root=$(pwd)

quick=0
write=1
keep_work=0
limit_seconds=""
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --no-write) write=0 ;;
    --keep-work) keep_work=1 ;;
    --limit-seconds) limit_seconds=$2; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command_line="scripts/bench.sh"
((quick)) && command_line+=" --quick"
[[ -n "$limit_seconds" ]] && command_line+=" --limit-seconds $limit_seconds"

if ((quick)); then
  institutions=300 boards=(100 300) belenios_voters=100 speed_s=${limit_seconds:-2} limit_s=1
else
  institutions=10000 boards=(1000 10000) belenios_voters=1000 speed_s=${limit_seconds:-5} limit_s=2
fi
load_connections=200
bench_start=$(date +%s)

# ---- what it needs ----------------------------------------------------------------------
scripts/setup.sh
if ! dpkg-query -W -f='${Status}' belenios-tool 2>/dev/null | grep -q 'install ok installed'; then
  echo "bench: installing belenios-tool (Debian)"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends belenios-tool >/dev/null
fi
for tool in /usr/bin/time openssl belenios-tool; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done

build=build-bench
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
fi
echo "== building urne, urne-server and the benchmarks ($build/, RelWithDebInfo) =="
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
cmake --build "$build" --target urne urne-server urne_bench_ballot urne_bench_server >/dev/null
urne_bin="$root/$build/cli/urne"
data="$root/$build/bench-data"
mkdir -p "$data"

work=$(mktemp -d "${TMPDIR:-/tmp}/urne-bench.XXXXXX")
results="$work/results.txt"
: >"$results"
cleanup() {
  if ((keep_work)); then echo "bench: work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

put() { echo "$1=$2" >>"$results"; }
get() { # KEY -> value (empty if not measured)
  awk -F= -v k="$1" '$1 == k { v = substr($0, length(k) + 2) } END { print v }' "$results"
}
# Runs a command under GNU time (stdout and stderr to LOG); prints
# "wall_s cpu_s maxrss_kb".
timed() {
  local log=$1 f
  shift
  f="$work/time.$$"
  /usr/bin/time -o "$f" -f "%e %U %S %M" "$@" >"$log" 2>&1 || {
    echo "bench: failed: $* (last lines of $log:)" >&2
    tail -n 15 "$log" >&2
    return 1
  }
  awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$f"
}

# ---- 1. the machine ---------------------------------------------------------------------
cpus=$(nproc)
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
ram_gb=$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
machine="$cpus CPUs ($cpu_model), ${ram_gb} GiB RAM, Linux $(uname -r), Debian $(cat /etc/debian_version)"
run_date=$(date -u +"%Y-%m-%d %H:%M UTC")
load_start=$(cut -d' ' -f1 /proc/loadavg)
echo "== machine: $machine; $run_date; load average $load_start =="

# ---- 2. the machine's limits ------------------------------------------------------------
rsa_speed() { # ARGS... -> "sign/s verify/s" (the summary line of openssl speed)
  openssl speed "$@" rsa2048 2>/dev/null | awk '/^rsa +2048 bits/ { s = $(NF - 1); v = $NF } END { print s, v }'
}
echo "== limits: openssl speed rsa2048, ${speed_s} s per test, on $cpus cores and on one =="
read -r rsa_sign_all rsa_verify_all < <(rsa_speed -multi "$cpus" -seconds "$speed_s")
read -r rsa_sign_one rsa_verify_one < <(rsa_speed -seconds "$speed_s")
[[ -n "$rsa_sign_all" && -n "$rsa_sign_one" ]] || { echo "bench: openssl speed printed no rsa 2048 line" >&2; exit 1; }
put rsa_sign_all "$rsa_sign_all"; put rsa_verify_all "$rsa_verify_all"
put rsa_sign_one "$rsa_sign_one"; put rsa_verify_one "$rsa_verify_one"
echo "RSA-2048 sign/s: $rsa_sign_all ($cpus cores), $rsa_sign_one (1 core); verify/s: $rsa_verify_all, $rsa_verify_one"

echo "== limits: libsodium ristretto255 and one ballot verification (urne_bench_ballot, 1 core) =="
"$build/bench/urne_bench_ballot" >"$work/ballot_bench.txt"
awk '
  /libsodium: base_mul/ { for (i = 1; i < NF; i++) { if ($i == "base_mul") b = $(i + 1); if ($i == "mul") m = $(i + 1) } }
  /^verify: +[0-9.]+ ms\/ballot/ { v = $2 }
  /^create: +[0-9.]+ ms\/ballot/ { c = $2 }
  END { printf "sodium_base_per_s=%.0f\nsodium_mul_per_s=%.0f\nballot_verify_ms=%s\nballot_create_ms=%s\n", 1e6 / b, 1e6 / m, v, c }
' "$work/ballot_bench.txt" >>"$results"
echo "ristretto255 scalar mult/s: $(get sodium_base_per_s) (base), $(get sodium_mul_per_s) (variable base);" \
  "ballot verification $(get ballot_verify_ms) ms, creation $(get ballot_create_ms) ms"

# ---- 3. urne over HTTPS under load -------------------------------------------------------
echo "== urne-server over HTTPS: $institutions institutions check in and vote; $load_connections" \
  "open-loop connections (urne_bench_server) =="
# A fifth of the requests measure the capacity (closed loop, 4 connections);
# the other four fifths are the load: fixed-rate open loop at half of it.
{
  server_status=0
  "$build/bench/urne_bench_server" --institutions "$institutions" \
    --open-connections "$load_connections" --arrivals fixed --capacity-share 0.2 \
    --load-fraction 0.5 --limit-seconds "$limit_s" --data-parent "$work" \
    --results "$work/server.txt" 2>&1 || server_status=$?
  echo "$server_status" >"$work/server.rc"
} | tee "$work/server_bench.txt"
server_status=$(cat "$work/server.rc")
sed 's/^/server_/' "$work/server.txt" >>"$results"
((server_status == 0)) || { echo "bench: urne_bench_server failed (exit $server_status)" >&2; exit 1; }

# ---- 4. urne audit on boards of N ballots --------------------------------------------------
make_board() { # N FILE: a whole election of N institutions, every one voting
  local n=$1 file=$2 t0=$SECONDS
  echo "   making the board of $n ballots (urne selftest election; once, then kept) ..."
  "$urne_bin" selftest election --institutions "$n" --candidates 12 --trustees 3 --threshold 2 \
    --board-out "$file" >"$work/selftest-$n.log" 2>&1 ||
    { tail -n 15 "$work/selftest-$n.log" >&2; return 1; }
  echo "   made in $((SECONDS - t0)) s"
}
for n in "${boards[@]}"; do
  board="$data/board-$n.urne"
  params="institutions=$n candidates=12 seats=7 max_marks=7 trustees=3 threshold=2"
  echo "== urne audit, board of $n ballots (12 candidates, up to 7 marks) =="
  if [[ ! -s "$board" || "$(cat "$board.params" 2>/dev/null)" != "$params" ]]; then
    make_board "$n" "$board"
    echo "$params" >"$board.params"
  fi
  if ! audit=$(timed "$work/audit-$n.log" "$urne_bin" audit --board "$board"); then
    echo "   the kept board does not audit (made by an older urne?): making it again"
    make_board "$n" "$board"
    echo "$params" >"$board.params"
    audit=$(timed "$work/audit-$n.log" "$urne_bin" audit --board "$board")
  fi
  read -r a_wall a_cpu a_rss <<<"$audit"
  put "audit${n}_wall_s" "$a_wall"; put "audit${n}_cpu_s" "$a_cpu"
  put "audit${n}_rss_mb" "$(awk -v k="$a_rss" 'BEGIN { printf "%.1f", k / 1024 }')"
  put "audit${n}_rate" "$(awk -v n="$n" -v w="$a_wall" 'BEGIN { printf "%.1f", n / w }')"
  put "audit${n}_ms" "$(awk -v n="$n" -v c="$a_cpu" 'BEGIN { printf "%.2f", c * 1000 / n }')"
  echo "   $a_wall s wall, $a_cpu s CPU, max RSS $(get "audit${n}_rss_mb") MB:" \
    "$(get "audit${n}_rate") ballots/s, $(get "audit${n}_ms") ms CPU per ballot"
done

# ---- 5. Belenios: the same election ---------------------------------------------------------
echo "== Belenios 2.0 (belenios-tool): $belenios_voters ballots, 12 candidates, 1..7 marks or blank =="
bench/belenios/run.sh --voters "$belenios_voters" --work "$work/belenios" --results "$results"

# ---- 6. the table -----------------------------------------------------------------------
small=${boards[0]}
large=${boards[1]}
elapsed=$(($(date +%s) - bench_start))
load_end=$(cut -d' ' -f1 /proc/loadavg)
table="$work/table.md"
awk -F= -v small="$small" -v large="$large" -v inst="$institutions" -v conns="$load_connections" \
  -v bvoters="$belenios_voters" -v cpus="$cpus" '
  { v[$1] = substr($0, length($1) + 2) }
  function n(k) { if (!(k in v) || v[k] == "") { missing = missing " " k; return 0 } return v[k] + 0 }
  function row(fig, urne, ref, ratio, goal, verdict) {
    printf "| %s | %s | %s | %s | %s | %s |\n", fig, urne, ref, ratio, goal, verdict
  }
  function verdict(ok) { return ok ? "met" : "**missed**" }
  function f(fmt, x) { return sprintf(fmt, x) }
  END {
    rsa_ms = n("server_rsa_op_ms"); ver_ms = n("server_verify_ms")
    print "| figure | urne | reference | ratio | goal | |"
    print "| --- | --- | --- | --- | --- | --- |"
    row("RSA-2048 sign/s, all " cpus " cores (`openssl speed -multi`)", "–", f("%.0f /s", n("rsa_sign_all")), "", "", "limit")
    row("RSA-2048 sign/s, one core (`openssl speed`)", "–", f("%.0f /s", n("rsa_sign_one")), "", "", "limit")
    row("RSA-2048 verify/s, all cores / one core", "–", f("%.0f", n("rsa_verify_all")) " / " f("%.0f /s", n("rsa_verify_one")), "", "", "limit")
    row("ristretto255 scalar mult/s, fixed base / variable base (libsodium, one core)", "–", f("%.0f", n("sodium_base_per_s")) " / " f("%.0f /s", n("sodium_mul_per_s")), "", "", "limit")
    row("one ballot verification, one core (`urne_bench_ballot`)", "–", f("%.2f ms", n("ballot_verify_ms")), "", "", "limit")
    row("issuances/s, capacity (closed loop, 4 connections)", f("%.0f /s", n("server_issue_cap_rate")), f("%.0f /s RSA sign, all cores", n("rsa_sign_all")), f("%.2f", n("server_issue_cap_rate") / n("rsa_sign_all")), "–", "")
    r = n("server_issue_cap_cpu_ms") / rsa_ms
    row("server CPU per issuance, capacity", f("%.3f ms", n("server_issue_cap_cpu_ms")), f("%.3f ms (one RSA private op)", rsa_ms), f("%.2f×", r), "≤ 1.4×", verdict(r <= 1.4))
    r = n("server_issue_load_cpu_ms") / rsa_ms
    row("server CPU per issuance, under load", f("%.3f ms", n("server_issue_load_cpu_ms")), f("%.3f ms", rsa_ms), f("%.2f×", r), "≤ 1.4×", verdict(r <= 1.4))
    row("issuance load: " f("%.0f", n("server_issue_load_requests")) " requests, " conns " connections, fixed rate", f("%.0f /s", n("server_issue_load_rate")), f("%.0f /s offered", n("server_issue_load_offered")), f("%.2f", n("server_issue_load_rate") / n("server_issue_load_offered")), "", "")
    row("issuance latency p50 / p99 / max under load", f("%.1f", n("server_issue_load_p50_ms")) " / " f("%.1f", n("server_issue_load_p99_ms")) " / " f("%.1f ms", n("server_issue_load_max_ms")), "", "", "p99 < 100 ms", verdict(n("server_issue_load_p99_ms") < 100))
    row("ballots/s, capacity (closed loop, 4 connections)", f("%.0f /s", n("server_ballot_cap_rate")), f("%.0f /s verifications, all cores", cpus * 1000 / ver_ms), f("%.2f", n("server_ballot_cap_rate") * ver_ms / (cpus * 1000)), "–", "")
    r = n("server_ballot_cap_cpu_ms") / ver_ms
    row("server CPU per ballot, capacity", f("%.3f ms", n("server_ballot_cap_cpu_ms")), f("%.3f ms (one ballot verification)", ver_ms), f("%.2f×", r), "≤ 1.6×", verdict(r <= 1.6))
    r = n("server_ballot_load_cpu_ms") / ver_ms
    row("server CPU per ballot, under load", f("%.3f ms", n("server_ballot_load_cpu_ms")), f("%.3f ms", ver_ms), f("%.2f×", r), "≤ 1.6×", verdict(r <= 1.6))
    row("ballot load: " f("%.0f", n("server_ballot_load_requests")) " requests, " conns " connections, fixed rate", f("%.0f /s", n("server_ballot_load_rate")), f("%.0f /s offered", n("server_ballot_load_offered")), f("%.2f", n("server_ballot_load_rate") / n("server_ballot_load_offered")), "", "")
    row("ballot latency p50 / p99 / max under load", f("%.1f", n("server_ballot_load_p50_ms")) " / " f("%.1f", n("server_ballot_load_p99_ms")) " / " f("%.1f ms", n("server_ballot_load_max_ms")), "", "", "p99 < 100 ms", verdict(n("server_ballot_load_p99_ms") < 100))
    errors = n("server_issue_cap_errors") + n("server_issue_load_errors") + n("server_ballot_cap_errors") + n("server_ballot_load_errors")
    resent = n("server_issue_cap_resent") + n("server_issue_load_resent") + n("server_ballot_cap_resent") + n("server_ballot_load_resent")
    row("errors (all " inst " check-ins and " inst " ballots; POSTs resent once after the server closed an idle connection: " resent ")", f("%d", errors), "", "", "none", verdict(errors == 0))
    row("server RSS at start / after check-in / at the end (peak)", f("%.1f", n("server_rss_start_mb")) " / " f("%.1f", n("server_rss_issued_mb")) " / " f("%.1f MB", n("server_rss_end_mb")) f(" (%.1f)", n("server_hwm_end_mb")), "", "", "< 64 MB", verdict(n("server_hwm_end_mb") < 64))
    row("load generator: its CPU (cores) / max send lag, issuance · ballots", f("%.2f", n("server_issue_load_bench_cores")) " / " f("%.1f ms", n("server_issue_load_max_lag_ms")) " · " f("%.2f", n("server_ballot_load_bench_cores")) " / " f("%.1f ms", n("server_ballot_load_max_lag_ms")), "", "", "not the bottleneck", "")
    for (i = 0; i < 2; i++) {
      b = i == 0 ? small : large
      row("`urne audit`, " b " ballots: ballots/s (wall) / CPU per ballot", f("%.0f /s", n("audit" b "_rate")) " / " f("%.2f ms", n("audit" b "_ms")), f("%.2f ms (one ballot verification)", n("ballot_verify_ms")), f("%.2f×", n("audit" b "_ms") / n("ballot_verify_ms")), "", "")
      row("`urne audit`, " b " ballots: wall / max RSS", f("%.1f s", n("audit" b "_wall_s")) " / " f("%.1f MB", n("audit" b "_rss_mb")), "", "", "", "")
    }
    row("ballot creation, CPU per ballot (urne: `build_ballot`; Belenios: `generate-ballot`, one process each)", f("%.1f ms", n("ballot_create_ms")), f("%.1f ms (Belenios)", n("belenios_gen_ms")), f("%.1f× faster", n("belenios_gen_ms") / n("ballot_create_ms")), "", "")
    row("Belenios: `election verify`, " bvoters " ballots: CPU per ballot / max RSS", "", f("%.2f ms", n("belenios_verify_ms")) " / " f("%.1f MB", n("belenios_verify_rss_mb")), "", "", "")
    r = n("belenios_verify_ms") / n("audit" small "_ms")
    row("audit speed per ballot vs Belenios (" small " vs " bvoters " ballots)", f("%.2f ms", n("audit" small "_ms")), f("%.2f ms", n("belenios_verify_ms")), f("%.1f× faster", r), "≥ 10×", verdict(r >= 10))
    r = n("audit" small "_rss_mb") / n("belenios_verify_rss_mb")
    row("audit memory vs Belenios (max RSS)", f("%.1f MB", n("audit" small "_rss_mb")), f("%.1f MB", n("belenios_verify_rss_mb")), f("%.2f", r), "< 0.5", verdict(r < 0.5))
    if (missing != "") print "bench: figures missing:" missing > "/dev/stderr"
  }' "$results" >"$table"

{
  echo "Measured $run_date by \`$command_line\` (took $((elapsed / 60)) min $((elapsed % 60)) s;"
  echo "load average $load_start at the start, $load_end at the end) on: $machine."
  echo "urne: RelWithDebInfo build (\`build-bench/\`), urne-server --threads 4 (its default) with SQLite WAL,"
  echo "\`synchronous=FULL\`, on $(df -T "$work" | awk 'NR == 2 { print $2 }'); the load generator"
  echo "runs on the same machine. \`openssl speed\` on one core divides by CPU time, with -multi by wall"
  echo "time (so other load on the machine lowers it). Belenios: Debian's belenios-tool $(dpkg-query -W -f='${Version}' belenios-tool),"
  echo "group $(get belenios_group), 2-of-3 threshold trustees plus its mandatory server key."
  echo
  cat "$table"
} >"$work/report.md"
echo
echo "== the table =="
cat "$work/report.md"

if ((write)); then
  doc=docs/performance.md
  begin='<!-- bench.sh:begin -->'
  end='<!-- bench.sh:end -->'
  grep -qF "$begin" "$doc" && grep -qF "$end" "$doc" ||
    { echo "bench: $doc lacks the markers $begin / $end" >&2; exit 1; }
  awk -v begin="$begin" -v end="$end" -v report="$work/report.md" '
    $0 == begin { print; while ((getline line < report) > 0) print line; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }
  ' "$doc" >"$work/performance.md"
  cat "$work/performance.md" >"$doc"
  echo "bench: the table is in $doc"
fi
echo "bench: done in $((elapsed / 60)) min $((elapsed % 60)) s"
}

main "$@"
