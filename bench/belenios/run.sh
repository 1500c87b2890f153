#!/usr/bin/env bash
# The Belenios side of scripts/bench.sh: the same election as urne's audit
# boards (one question, 12 candidates, 1..7 marks or blank = Enthaltung;
# Belenios has no "ungültig" slot) run through Debian's belenios-tool 2.0:
# credentials, a 2-of-3 threshold key ceremony plus the mandatory server
# key (as Belenios's own demo-threshold.sh does), N ballots, the tally, the
# partial decryptions and the result; then `belenios-tool election verify`
# over the finished election, as an auditor runs it.
#
# Usage: bench/belenios/run.sh --voters N --work DIR --results FILE
#          [--group BELENIOS-2048] [--jobs J]
#
# Timed (GNU time, CPU = user + sys of every process, which the waited-for
# descendants' rusage includes):
#   ballot creation: N `election generate-ballot` processes, J at a time
#     (each one starts belenios-tool and loads the election: included);
#   verification: one `election verify` of the whole tallied election
#     (wall, CPU, max RSS), and the same on the empty election (fixed cost).
# Writes `belenios_*` key=value lines to FILE. The work directory is
# emptied first and left for inspection; scripts/bench.sh removes it.
set -euo pipefail

voters=1000
work=""
results=""
group="BELENIOS-2048"  # Debian's belenios-tool 2.0 has no Ed25519 group
jobs=$(nproc)
while (($#)); do
  case "$1" in
    --voters) voters=$2; shift ;;
    --work) work=$2; shift ;;
    --results) results=$2; shift ;;
    --group) group=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "belenios/run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -n "$work" && -n "$results" ]] || { echo "belenios/run.sh: --work and --results are required" >&2; exit 2; }
command -v belenios-tool >/dev/null || { echo "belenios/run.sh: belenios-tool is not installed" >&2; exit 1; }
template="$(cd "$(dirname "$0")" && pwd)/template.json"
export BELENIOS_USE_URANDOM=1

rm -rf "$work"
mkdir -p "$work/in" "$work/out"
cd "$work"
log="$work/belenios.log"
: >"$log"
bt() { belenios-tool "$@" 2>>"$log"; }
# Runs a command under GNU time; prints "wall cpu maxrss_kb".
timed() {
  local f
  f=$(mktemp -p "$work")
  /usr/bin/time -o "$f" -f "%e %U %S %M" "$@" >>"$log" 2>&1
  awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$f"
  rm -f "$f"
}

echo "[belenios] setup: $voters credentials, 2-of-3 threshold trustees + server key, group $group"
uuid=$(bt setup generate-token)
bt setup generate-credentials --uuid "$uuid" --group "$group" --count "$voters" >/dev/null
mv ./*.pubcreds public_creds.json
mv ./*.privcreds private_creds.txt
tk() { bt setup generate-trustee-key-threshold --group "$group" "$@"; }
for _ in 1 2 3; do tk --step 1 >/dev/null; done
cat ./*.cert >certs.jsons
tk --certs certs.jsons --step 2 >/dev/null
for k in ./*.key; do tk --certs certs.jsons --key "$k" --step 3 --threshold 2; done >polynomials.jsons
tk --certs certs.jsons --step 4 --polynomials polynomials.jsons >/dev/null
for k in ./*.key; do tk --certs certs.jsons --key "$k" --step 5 <"${k%.key}.vinput" >"${k%.key}.voutput"; done
cat ./*.voutput | tk --certs certs.jsons --step 6 --polynomials polynomials.jsons >threshold.json
bt setup generate-trustee-key --group "$group" >/dev/null
cat ./*.pubkey >public_keys.jsons
bt setup make-trustees
rm threshold.json
bt setup make-election --uuid "$uuid" --group "$group" --template "$template"
bt archive init
rm -f election.json trustees.json public_creds.json

read -r wall0 cpu0 rss0 < <(timed belenios-tool election verify)
echo "[belenios] verify of the empty election (fixed cost): ${cpu0} s CPU, max RSS ${rss0} kB"

# The voters' choices, as urne's simulated delegates (cli/simulation.cpp):
# mostly 1..7 marks for random candidates, about 1 in 20 blank. Fixed seed.
awk -v n="$voters" 'BEGIN {
  srand(2026)
  for (v = 1; v <= n; v++) {
    for (i = 1; i <= 12; i++) mark[i] = 0
    blank = (rand() < 0.05)
    if (!blank) {
      k = 1 + int(rand() * 7)
      for (m = 0; m < k;) { c = 1 + int(rand() * 12); if (!mark[c]) { mark[c] = 1; m++ } }
    }
    line = "[[" blank
    for (i = 1; i <= 12; i++) line = line "," mark[i]
    print line "]]" > ("in/" v ".vote")
  }
}'
i=0
while read -r _ cred; do
  i=$((i + 1))
  printf '%s\n' "$cred" >"in/$i.cred"
done <private_creds.txt
((i == voters)) || { echo "belenios/run.sh: expected $voters credentials, found $i" >&2; exit 1; }

echo "[belenios] creating $voters ballots, $jobs at a time ..."
export work
read -r gen_wall gen_cpu gen_rss < <(timed bash -c "seq 1 $voters | xargs -P $jobs -I{} \
  sh -c 'belenios-tool election generate-ballot --dir \"\$work\" --privcred in/{}.cred \
    --ballot in/{}.vote >out/{}.json 2>/dev/null'")
for v in $(seq 1 "$voters"); do
  [[ -s "out/$v.json" ]] || { echo "belenios/run.sh: ballot $v was not created (see $log)" >&2; exit 1; }
done
echo "[belenios] ballots created: ${gen_wall} s wall, ${gen_cpu} s CPU ($(awk -v c="$gen_cpu" -v n="$voters" 'BEGIN { printf "%.1f", c * 1000 / n }') ms CPU per ballot)"

echo "[belenios] casting, tally, 2 partial decryptions + the server key's, result ..."
for v in $(seq 1 "$voters"); do bt archive add-event --type=Ballot <"out/$v.json"; done
bt archive add-event --type=EndBallots </dev/null
bt election compute-encrypted-tally | bt archive add-event --type=EncryptedTally
trustee_id=2
for k in $(ls ./*.key | head -n 2); do
  bt election decrypt-threshold --key "$k" --decryption-key "${k%.key}.dkey" --trustee-id "$trustee_id" |
    bt archive add-event --type=PartialDecryption
  trustee_id=$((trustee_id + 1))
done
for k in ./*.privkey; do
  bt election decrypt --privkey "$k" --trustee-id 1 | bt archive add-event --type=PartialDecryption
done
bt election compute-result | bt archive add-event --type=Result

echo "[belenios] election verify over the tallied election of $voters ballots ..."
before=$(wc -l <"$log")
read -r ver_wall ver_cpu ver_rss < <(timed belenios-tool election verify)
tail -n "+$((before + 1))" "$log" | grep -q "all checks passed" || { echo "belenios/run.sh: verify did not pass (see $log)" >&2; exit 1; }
echo "[belenios] verify: ${ver_wall} s wall, ${ver_cpu} s CPU, max RSS ${ver_rss} kB"

{
  echo "belenios_group=$group"
  echo "belenios_voters=$voters"
  echo "belenios_gen_wall_s=$gen_wall"
  echo "belenios_gen_cpu_s=$gen_cpu"
  echo "belenios_gen_ms=$(awk -v c="$gen_cpu" -v n="$voters" 'BEGIN { printf "%.2f", c * 1000 / n }')"
  echo "belenios_verify0_cpu_s=$cpu0"
  echo "belenios_verify_wall_s=$ver_wall"
  echo "belenios_verify_cpu_s=$ver_cpu"
  echo "belenios_verify_ms=$(awk -v c="$ver_cpu" -v n="$voters" 'BEGIN { printf "%.2f", c * 1000 / n }')"
  echo "belenios_verify_rss_mb=$(awk -v k="$ver_rss" 'BEGIN { printf "%.1f", k / 1024 }')"
  echo "belenios_board_mb=$(du -m --apparent-size "$uuid.bel" | cut -f1)"
} >>"$results"
