#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy) over every project translation unit of a
# configured build directory (default: build/). Non-zero exit on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
[[ -f "$build/compile_commands.json" ]] || { echo "lint: configure $build first" >&2; exit 2; }
mapfile -t files < <(git ls-files 'crypto/*.cpp' 'ballot/*.cpp' 'codec/*.cpp' 'server/*.cpp' 'client/*.cpp' 'cli/*.cpp')
printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet 2>/dev/null
echo "lint: clang-tidy clean (${#files[@]} files)"
