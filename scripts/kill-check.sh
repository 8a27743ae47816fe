#!/usr/bin/env bash
# Kills `report` on 300,000 respondents with SIGKILL at 17 moments and checks that the
# output folder is, every time, byte for byte the complete old output or the complete new one
# (SPEC §14). Usage: bash scripts/kill-check.sh [WORKDIR]   (default: a temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${1:-}" ]; then
  work="$1"
else
  # A folder of its own, removed at the end (the outputs take about 1 GB).
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
cargo build --release --quiet
bin="$PWD/target/release/partnerscope"
cd "$work"
[ -f big.csv ] || "$bin" simulate --organizations 7500 --respondents 40 --waves 1 --seed 9 -o big.csv --quiet
[ -f small.csv ] || "$bin" simulate --organizations 30 --respondents 20 --waves 1 --seed 4 -o small.csv --quiet
digest() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16); }
rm -rf new out .out.partnerscope-staging-* 2>/dev/null || true
start=$(date +%s.%N)
"$bin" report big.csv --out new --quiet >/dev/null
full=$(echo "$(date +%s.%N) - $start" | bc)
echo "complete report of $(($(wc -l <big.csv) - 1)) rows: ${full} s"
new=$(digest new)
"$bin" report small.csv --out out --quiet >/dev/null
old=$(digest out)
fails=0
olds=0
news=0
# Moments spread over the whole run, thickest around publishing at the end. A run after a
# killed one first removes the killed run's staging folder (thousands of pages), so it takes
# longer than the timed one: hence the moments past 1, up to where runs complete.
for share in 0.02 0.1 0.3 0.5 0.7 0.85 0.93 0.97 0.99 1.0 1.03 1.06 1.1 1.2 1.35 1.5 2.0; do
  delay=$(echo "$full * $share" | bc)
  # Start from the old output every time.
  if [ "$(digest out)" != "$old" ]; then "$bin" report small.csv --out out --quiet >/dev/null; fi
  "$bin" report big.csv --out out --quiet >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  now=$(digest out)
  if [ "$now" = "$old" ]; then state=old; olds=$((olds + 1)); elif [ "$now" = "$new" ]; then state=new; news=$((news + 1)); else state=MIXED; fails=$((fails + 1)); fi
  echo "killed after ${delay} s (${share} of a run): $state ($(ls -d .out.partnerscope-staging-* 2>/dev/null | wc -l) staging folder(s) left for the next run)"
done
echo "$olds old, $news new, $fails mixed folder(s)"
# The next complete run removes what the killed ones left beside the folder.
"$bin" report small.csv --out out --quiet >/dev/null
left=$(find . -maxdepth 1 -name ".out.partnerscope-staging-*" | wc -l)
echo "after one more run: $left staging folder(s) left"
[ "$fails" -eq 0 ] && [ "$left" -eq 0 ]
