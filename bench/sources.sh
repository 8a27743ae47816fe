#!/usr/bin/env bash
# Reading a survey tool's export against reading partnerscope's own CSV (SPEC §11): the 1M
# respondents of bench/run.sh, once as the canonical CSV and once rewritten as a Qualtrics-style
# export (3 header rows, 17 metadata columns, choice text, CRLF, BOM), each scored RUNS times.
# Usage: [RUNS=3] bash bench/sources.sh [WORKDIR]   (default: a temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
cargo build --release --quiet
bin=target/release/partnerscope

measure() { # label, command...
  local label="$1"; shift
  sync
  /usr/bin/time -v "$@" >"$work/out.txt" 2>"$work/time.txt" || { cat "$work/time.txt"; exit 1; }
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$work/time.txt" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$work/time.txt" | awk '{print $NF}')
  echo "$label: wall $wall, peak RSS $((rss / 1024)) MiB; $(tail -1 "$work/out.txt")"
}

if [ ! -f "$work/million.csv" ]; then
  "$bin" simulate --organizations 5000 --respondents 200 --waves 1 --seed 42 -o "$work/million.csv" --quiet
fi
if [ ! -f "$work/qualtrics.csv" ]; then
  python3 bench/qualtrics_export.py surveys/hr-sales-partnership.yaml "$work/million.csv" \
    "$work/qualtrics.csv" "$work/qualtrics.profile.yaml"
fi
echo "canonical: $(($(stat -c %s "$work/million.csv") / 1024 / 1024)) MiB; qualtrics-style: $(($(stat -c %s "$work/qualtrics.csv") / 1024 / 1024)) MiB"
for run in $(seq "${RUNS:-3}"); do
  measure "canonical CSV, run $run" "$bin" score "$work/million.csv" --out "$work/results-csv" --quiet
  measure "qualtrics-style export, run $run" "$bin" score "$work/qualtrics.csv" \
    --profile "$work/qualtrics.profile.yaml" --out "$work/results-qualtrics" --quiet
done
