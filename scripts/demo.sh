#!/usr/bin/env bash
# The demo: installs what is missing, builds urne and urne-server, starts the
# real server on loopback with a fresh data directory and runs a whole
# election of 50 institutions through its HTTPS API: credentials, key
# ceremony, check-in with blind tokens, voting, close, the trustees' tally,
# publication, and the audit of the board downloaded from the server. It
# says in plain words what happened and exits non-zero if anything failed.
#
#   scripts/demo.sh            the election over HTTPS (and the token round trip)
#   KEEP=1 scripts/demo.sh     keep the data directory and the board file
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/setup.sh

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
fi
echo "== building urne and urne-server (build/) =="
cmake -S . -B build -G Ninja "${launcher[@]}" >/dev/null
cmake --build build -j "$(nproc)" --target urne urne-server >/dev/null
echo

echo "== demo 1: one voting token, from the letter to the ballot box =="
build/cli/urne selftest token
echo

work=$(mktemp -d /tmp/urne-demo.XXXXXX)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -z "${KEEP:-}" ]]; then rm -rf "$work"; else echo "kept: $work"; fi
}
trap cleanup EXIT

echo "== demo 2: a whole election of 50 institutions through the HTTPS API =="
officer_pub=$(build/cli/urne officer keygen --out "$work/officer.key")
echo "The officer made a key: $officer_pub (file $work/officer.key, mode 0600)."

# Port 0: the server picks a free port and says which on its first line.
build/server/urne-server --data-dir "$work/data" --listen 127.0.0.1:0 \
  --officer-key "$officer_pub" >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/server.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
line=$(grep "listening on" "$work/server.out") || { echo "urne-server did not start" >&2; exit 1; }
echo "urne-server: $line"
url=$(sed -E 's/.*listening on (https:\/\/[^ ]+).*/\1/' <<<"$line")
fingerprint=$(sed -E 's/.*SHA-256 ([0-9A-F:]{95}).*/\1/' <<<"$line")
echo

build/cli/urne demo election --server "$url" --fingerprint "$fingerprint" \
  --officer-key "$work/officer.key" --institutions 50 --board-out "$work/board.urne"
echo

echo "== an auditor re-checks the board file the server published, on this machine =="
build/cli/urne audit --board "$work/board.urne" | sed -n '1,4p;$p'
echo

kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""
echo "urne-server stopped gracefully (SIGTERM); it logged $(grep -c "\"route\"" "$work/server.log") request lines, $(grep -c "/ballots" "$work/server.log" || true) of them for the ballot path."
echo "demo: finished, exit 0"
