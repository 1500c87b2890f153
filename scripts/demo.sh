#!/usr/bin/env bash
# The demo: a whole election of the Netzwerk Migration Schwerin on loopback,
# every step a command a real participant runs, through urne-server's HTTPS
# API, audited at the end:
#
#   credential authority  50 letters (HTML + PDF, QR codes) and the roster
#   3 trustees            the distributed key ceremony through an exchange
#                         directory, each share sealed with a passphrase
#   officer               election of 12 candidates for 7 seats + 2
#                         substitutes; publish, open, close, count, publish
#   delegates             48 check in from their letters' links, one makes a
#                         Benaloh challenge, 45 vote (2 abstain, 1 invalid);
#                         the marks make a tie for the 7th seat: a lot
#   2 of 3 trustees       check the closed board and decrypt their part
#   auditor               `urne audit` of the published board with a receipt
#   minutes               the Wahlniederschrift (Markdown, HTML, PDF)
#
# urne-server also serves the web pages (web/, built here with Node): the
# voting page the letters' QR codes open, the officer's dashboard (signed in
# with the officer code in DIR/officer-code), the projector view and the
# results page, whose hash is in the manifest.
#
# It prints the result, where the letters, the board and the minutes are,
# and the audit verdict; it stops the server (with --serve it keeps it
# running for a look at the pages in a browser, until Ctrl-C) and exits 0
# only if the audit passed.
#
#   scripts/demo.sh [--verbose] [--serve] [--sanitize] [--out DIR]
#                                                  (default DIR: demo-output/)
#
# --sanitize runs the same election with urne and urne-server built with
# ASan+UBSan+LeakSanitizer (clang, build-asan/): the leak check of a whole
# election. Every process's report lands in DIR/sanitizer/; any report, or a
# server that does not exit 0 at the end, fails the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

verbose=0
serve=0
sanitize=0
out="$root/demo-output"
while (($#)); do
  case "$1" in
    --verbose) verbose=1 ;;
    --serve) serve=1 ;;
    --sanitize) sanitize=1 ;;
    --out) out=$(realpath -m "$2"); shift ;;
    -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
    *) echo "demo: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

# Chromium prints the letters and the minutes to PDF; Node builds the pages.
scripts/setup.sh --browser

# shellcheck source=scripts/common.sh
source scripts/common.sh
build_dir=build
build_args=()
if ((sanitize)); then
  build_dir=build-asan
  build_args=("${urne_sanitize_args[@]}")
fi
echo "== building urne and urne-server ($build_dir/) =="
cmake -S . -B "$build_dir" -G Ninja "${urne_launcher[@]}" "${build_args[@]}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target urne urne-server >/dev/null
urne_bin="$root/$build_dir/cli/urne"
server_bin="$root/$build_dir/server/urne-server"
echo "== building the web pages (web/dist) =="
(cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null && node tools/build.mjs >/dev/null)

rm -rf "$out"
mkdir -p "$out"
if ((sanitize)); then
  # Reports go to files (one per process that has one), so that a leak in
  # any of the ~200 processes is seen even where its output is discarded.
  mkdir -p "$out/sanitizer"
  urne_sanitizer_env "abort_on_error=0:log_path=$out/sanitizer/report"
  export UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$out/sanitizer/report"
fi
log="$out/demo.log"
: >"$log"
start=$(date +%s.%N)

# Every command's output goes to the log; --verbose also shows it.
run() {
  if ((verbose)); then
    echo "\$ urne $*" | tee -a "$log"
    "$urne_bin" "$@" 2>&1 | tee -a "$log"
    return "${PIPESTATUS[0]}"
  fi
  echo "\$ urne $*" >>"$log"
  if ! "$urne_bin" "$@" >>"$log" 2>&1; then
    echo "demo: 'urne $*' failed:" >&2
    tail -n 5 "$log" >&2
    return 1
  fi
}

server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

echo "== the election, in $out =="
officer_pub=$("$urne_bin" officer keygen --out "$out/officer.key" --code-out "$out/officer-code")
"$server_bin" --data-dir "$out/server-data" --listen 127.0.0.1:0 --web-dir "$root/web/dist" \
  --officer-key "$officer_pub" >"$out/server.out" 2>"$out/server.log" &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$out/server.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$out/server.log" >&2; exit 1; }
  sleep 0.1
done
line=$(grep "listening on" "$out/server.out") || { echo "urne-server did not start" >&2; exit 1; }
export URNE_SERVER URNE_FINGERPRINT
URNE_SERVER=$(sed -E 's/.*listening on (https:\/\/[^ ]+).*/\1/' <<<"$line")
URNE_FINGERPRINT=$(sed -E 's/.*SHA-256 ([0-9A-F:]{95}).*/\1/' <<<"$line")
echo "urne-server on $URNE_SERVER (certificate pinned by its SHA-256 fingerprint)"

# ---- credential authority: 50 institutions ----
types=("Beratungsstelle" "Verein" "Initiative" "Sprachschule" "Begegnungszentrum")
{
  echo "id,name,contact"
  for i in $(seq -w 1 50); do
    echo "einrichtung-$i,\"${types[$((10#$i % 5))]} $i, Schwerin\",Delegierte*r $i"
  done
} >"$out/roster.csv"
run letters --roster-csv "$out/roster.csv" --title "Herbstversammlung 2026 des Netzwerks Migration Schwerin" \
  --vote-url "$URNE_SERVER/vote" --out "$out/letters"
mapfile -t links < <(grep -o 'class="voting-link"[^>]*href="[^"]*"' "$out/letters/letters.html" |
  sed -E 's/.*href="([^"]*)"/\1/; s/&amp;/\&/g')
((${#links[@]} == 50)) || { echo "demo: expected 50 letters, found ${#links[@]}" >&2; exit 1; }
echo "1. Credential authority: 50 letters with voting codes and QR codes; roster with public keys only."

# ---- trustees: 2 of 3, each with a passphrase ----
# (--kdf interactive keeps the demo fast; real trustees use the default.)
cer="$out/ceremony"
run trustee ceremony new --dir "$cer" --trustees 3 --threshold 2
for j in 1 2 3; do
  mkdir -p "$out/trustee-$j"
  printf 'Demo-Passphrase von Treuhänder*in %s\n' "$j" >"$out/trustee-$j/passphrase"
  chmod 600 "$out/trustee-$j/passphrase"
done
t() { # trustee J ROUND [args]
  local j=$1 round=$2; shift 2
  run trustee ceremony "$round" --dir "$cer" --state "$out/trustee-$j/state" \
    --passphrase-file "$out/trustee-$j/passphrase" "$@"
}
for j in 1 2 3; do t "$j" begin --index "$j" --kdf interactive; done
for j in 1 2 3; do t "$j" deal; done
for j in 1 2 3; do t "$j" check; done
for j in 1 2 3; do t "$j" finish --share "$out/trustee-$j/share"; done
echo "2. Trustees: distributed key generation, 2 of 3 needed to decrypt; no device ever held the whole key."

# ---- officer: the election ----
cat >"$out/election.json" <<'JSON'
{
  "title": "Wahl des Sprecherrats 2026",
  "kind": "Wahl",
  "description": "Sieben Sprecherinnen und Sprecher und zwei Nachrückende; bis zu 7 Stimmen.",
  "seats": 7, "substitutes": 2, "max_marks": 7, "invalid_offered": true, "tie_rule": "lot",
  "candidates": [
    {"name": "Amira Haddad", "affiliation": "Beratungsstelle 01"},
    {"name": "Bernd Krüger", "affiliation": "Verein 02"},
    {"name": "Chiara Russo", "affiliation": "Initiative 03"},
    {"name": "Dmytro Kovalenko", "affiliation": "Sprachschule 04"},
    {"name": "Elif Yılmaz", "affiliation": "Begegnungszentrum 05"},
    {"name": "Frieda Lange", "affiliation": "Beratungsstelle 06"},
    {"name": "Goran Petrović", "affiliation": "Verein 07"},
    {"name": "Hanna Schulz", "affiliation": "Initiative 08"},
    {"name": "Ibrahim Diallo", "affiliation": "Sprachschule 09"},
    {"name": "Jana Novak", "affiliation": "Begegnungszentrum 10"},
    {"name": "Karim Mansour", "affiliation": "Beratungsstelle 11"},
    {"name": "Lena Vogel", "affiliation": "Verein 12"}
  ]
}
JSON
run officer election create --key "$out/officer.key" --config "$out/election.json" \
  --roster "$out/letters/roster.json" --ceremony "$cer" --out "$out/election"
export URNE_ELECTION
URNE_ELECTION=$(grep -oE 'election id: +[0-9a-f]{64}' "$log" | tail -1 | awk '{print $3}')
run officer publish --key "$out/officer.key"
echo "3. Officer: election ${URNE_ELECTION:0:16}… created (12 candidates, 7 seats + 2 substitutes) and published; check-in is open."

# ---- check-in: 48 of 50 ----
for i in $(seq 0 47); do
  mkdir -p "$out/delegates/$i"
  run vote checkin --link "${links[$i]}" --token-out "$out/delegates/$i/token"
done
run officer open --key "$out/officer.key"
run officer turnout
echo "4. Check-in: 48 of 50 institutions fetched their blind token; the ballot box is open."

# ---- a Benaloh challenge ----
run vote challenge --token "$out/delegates/0/token" --mark 3 --mark 9 --out "$out/delegates/0/spoiled.json"
run vote check-spoiled --spoiled "$out/delegates/0/spoiled.json"
echo "5. Delegate 1 challenged a prepared ballot: it encrypted exactly the marks chosen (checked independently), then voted with a fresh one."

# ---- 45 ballots: 42 with marks, 2 abstentions, 1 invalid ----
# Candidates 1-4 get 42 marks, 5: 36, 6: 30, 7 and 8: 21 each (a tie for
# the 7th seat, drawn by lot), 9: 12, 10: 6, 11 and 12: none.
for i in $(seq 0 41); do
  marks=(--mark 1 --mark 2 --mark 3 --mark 4)
  ((i < 36)) && marks+=(--mark 5)
  ((i < 30)) && marks+=(--mark 6)
  if ((i % 2 == 0)); then marks+=(--mark 7); else marks+=(--mark 8); fi
  ((i >= 30)) && marks+=(--mark 9)
  ((i >= 36)) && marks+=(--mark 10)
  run vote cast --token "$out/delegates/$i/token" "${marks[@]}" --receipt-out "$out/delegates/$i/receipt"
done
run vote cast --token "$out/delegates/42/token" --abstain --receipt-out "$out/delegates/42/receipt"
run vote cast --token "$out/delegates/43/token" --abstain --receipt-out "$out/delegates/43/receipt"
run vote cast --token "$out/delegates/44/token" --invalid --receipt-out "$out/delegates/44/receipt"
run officer turnout
turnout=$(grep "^Stand" "$log" | tail -1)
echo "6. Voting: 45 ballots cast, each with a signed receipt. $turnout"

# ---- close, decrypt, count, publish ----
run officer close --key "$out/officer.key" --lot-seed "$out/election/lot-seed"
for j in 1 3; do
  run trustee decrypt --share "$out/trustee-$j/share" --passphrase-file "$out/trustee-$j/passphrase"
done
run officer count --key "$out/officer.key"
run officer publish-result --key "$out/officer.key"
echo "7. Closed (lot seed revealed); trustees 1 and 3 checked the board, decrypted the sums with proofs; result published."

# ---- audit, receipt, minutes ----
audit_ok=0
if run audit --save-board "$out/board.urne" --receipt "$out/delegates/7/receipt"; then audit_ok=1; fi
run report --board "$out/board.urne" --out "$out/wahlniederschrift" || true

elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
server_rc=0
if ((!serve)); then
  kill -TERM "$server_pid"
  wait "$server_pid" || server_rc=$?
  server_pid=""
fi
if ((sanitize)); then
  processes=$(($(grep -c '^\$ urne ' "$log") + 1))
  reports=("$out"/sanitizer/report*)
  [[ -e "${reports[0]}" ]] || reports=()
  echo "leak check: $processes processes (urne-server and every urne command) under" \
    "ASan+UBSan+LeakSanitizer: ${#reports[@]} reports, server exit status $server_rc"
  if ((${#reports[@]} > 0 || server_rc != 0)); then
    for r in "${reports[@]}"; do head -n 30 "$r" >&2; done
    echo "demo: leak check FAILED" >&2
    exit 1
  fi
fi

echo
echo "== Ergebnis / result =="
md="$out/wahlniederschrift/wahlniederschrift.md"
if [[ -f "$md" ]]; then
  sed -n '/^## Beteiligung/,/^## Gewählt/p' "$md" | grep '^|' | grep -v -- '---'
  echo
  sed -n '/^## Stimmen je/,/^## Gewählt/p' "$md" | grep '^|' | grep -v -- '---'
  echo
  sed -n '/^## Stimmengleichheit/,/^## /p' "$md" | grep '^- ' | cut -c1-200
fi
echo
echo "Letters:             $out/letters/letters.html, letters.pdf (print, then delete)"
echo "Bulletin board:      $out/board.urne"
echo "Wahlniederschrift:   $out/wahlniederschrift/"
echo "Log of every command: $log"
echo "Audit:               urne audit --board $out/board.urne --receipt $out/delegates/7/receipt"
echo "Web pages:           scripts/demo.sh --serve keeps urne-server running to look at them"
if ((audit_ok)); then
  grep -E "^Verdict" "$log" | tail -1 || true
  echo "demo: audit PASSED — the election is verified end to end (${elapsed} s after the build)."
  if ((serve)); then
    echo
    echo "urne-server keeps running (Ctrl-C stops it); its certificate is self-signed,"
    echo "SHA-256 $URNE_FINGERPRINT: the browser asks once."
    echo "  results page:      $URNE_SERVER/results?e=$URNE_ELECTION"
    echo "  projector view:    $URNE_SERVER/projector?e=$URNE_ELECTION"
    echo "  officer dashboard: $URNE_SERVER/officer  (code: $out/officer-code)"
    echo "  voting page:       the links in $out/letters/letters.html (this election is over:"
    echo "                     start a practice ballot from the dashboard to try it)"
    wait "$server_pid" || true
  fi
  exit 0
fi
grep -iE "fail" "$log" | tail -5 >&2 || true
echo "demo: audit FAILED" >&2
exit 1
