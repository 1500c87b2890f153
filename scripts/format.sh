#!/usr/bin/env bash
# Applies .clang-format to every C++ file of the project (or, with --check,
# fails when a file is not formatted; CI runs the check through ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [[ "${1:-}" == "--check" ]]; then
  exec clang-format --dry-run -Werror "${files[@]}"
fi
clang-format -i "${files[@]}"
