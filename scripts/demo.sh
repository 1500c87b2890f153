#!/usr/bin/env bash
# The demo: installs what is missing, builds urne, and runs what urne can do
# today end to end, saying in plain words what happened.
#
# Today: the blind voting token round trip (RFC 9474 / RFC 9578) with an
# institution's credential, and a whole election of 50 institutions run in
# one process through the domain code, ending with the audit of the signed
# board. It grows into the same election over HTTPS on loopback, audited.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/setup.sh

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
fi
echo "== building urne (build/) =="
cmake -S . -B build -G Ninja "${launcher[@]}" >/dev/null
cmake --build build -j "$(nproc)" --target urne >/dev/null
echo

echo "== demo: one voting token, from the letter to the ballot box =="
build/cli/urne selftest token
echo

echo "== demo: a whole election of 50 institutions in one process, audited =="
build/cli/urne selftest election --institutions 50
echo
echo "demo: finished, exit 0"
