#!/usr/bin/env bash
# Installs exactly the Debian packages urne needs that are missing, and
# nothing else. A machine that already has everything is not touched (no
# apt-get update, no network). Idempotent; safe to call from every script.
#
#   scripts/setup.sh            build + test dependencies
#   scripts/setup.sh --browser  also Chromium (browser tests, letter PDFs)
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build pkg-config ccache
  # libraries (see docs/architecture.md for why each was chosen)
  libboost1.81-dev libssl-dev libsodium-dev nlohmann-json3-dev
  libsqlitecpp-dev libsqlite3-dev doctest-dev libcli11-dev libdecaf-dev libicu-dev
  libqrencode-dev
  # sanitizer and fuzzer runtimes for clang
  clang libclang-rt-14-dev clang-format clang-tidy
  # `openssl speed` for the benchmark's reference figures
  openssl
)
if [[ "${1:-}" == "--browser" ]]; then
  packages+=(chromium)
  # Node.js may come from another source (nodesource bundles npm and
  # conflicts with Debian's npm package): install Debian's only if missing.
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# The web tests need Node.js 20 or newer (the test runner's
# --test-concurrency, a global WebCrypto); Debian 12's own nodejs is 18.
check_node() {
  [[ "${1:-}" == "--browser" ]] || return 0
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if ((major < 20)); then
    echo "setup: Node.js >= 20 is needed for web/ (found $(node --version 2>/dev/null || echo none));" \
      "install it from NodeSource or Debian backports" >&2
    return 1
  fi
}

if ((${#missing[@]} == 0)); then
  check_node "${1:-}"
  exit
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
check_node "${1:-}"
