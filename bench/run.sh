#!/usr/bin/env bash
# Throughput and memory of `score` on 1,000,000 simulated respondents (5,000 organizations ×
# 200, one wave), and of `report` on 1,000 organizations. Prints the figures BENCHMARKS.md
# records. Usage: [RUNS=3] bash bench/run.sh [WORKDIR]   (default: a temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
cargo build --release --quiet
bin=target/release/partnerscope

measure() { # label, command...
  local label="$1"; shift
  # Flush the previous run's output first, so its write-back does not compete for the CPU.
  sync
  /usr/bin/time -v "$@" >"$work/out.txt" 2>"$work/time.txt" || { cat "$work/time.txt"; exit 1; }
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$work/time.txt" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$work/time.txt" | awk '{print $NF}')
  echo "$label: wall $wall, peak RSS $((rss / 1024)) MiB; $(tail -1 "$work/out.txt")"
  echo "$wall" >"$work/last_wall"
}

seconds() { # m:ss.ss → seconds
  awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }' <<<"$1"
}

echo "machine: $(nproc) cores, $(grep 'model name' /proc/cpuinfo | head -1 | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
if [ ! -f "$work/million.csv" ]; then
  "$bin" simulate --organizations 5000 --respondents 200 --waves 1 --seed 42 -o "$work/million.csv" --quiet
fi
size=$(stat -c %s "$work/million.csv")
rows=$(($(wc -l <"$work/million.csv") - 1))
echo "input: $rows rows, $((size / 1024 / 1024)) MiB"
# Each thread count RUNS times (default 3): a shared virtual machine varies from run to run.
for threads in 1 2; do
  for run in $(seq "${RUNS:-3}"); do
    RAYON_NUM_THREADS=$threads measure "score, $threads thread(s), run $run" "$bin" score "$work/million.csv" --out "$work/results" --quiet
    wall=$(seconds "$(cat "$work/last_wall")")
    awk -v r="$rows" -v w="$wall" 'BEGIN { printf "  %.0f rows/s\n", r / w }'
  done
done

"$bin" simulate --organizations 1000 --respondents 30 --waves 2 --seed 7 -o "$work/thousand.csv" --orgs-output "$work/thousand-orgs.csv" --quiet
measure "report, 1,000 organizations × 2 waves × 30" "$bin" report "$work/thousand.csv" --orgs "$work/thousand-orgs.csv" --out "$work/reports" --quiet
echo "pages: $(ls "$work/reports/orgs" | wc -l), total size $(du -sh "$work/reports" | cut -f1)"
