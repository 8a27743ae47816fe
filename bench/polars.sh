#!/usr/bin/env bash
# `score` on the 1M benchmark file side by side with bench/polars_score.py (the same scoring in
# polars, without validation and disclosure control: see its docstring). First checks on the
# first 100,000 rows that both compute the same figures (bench/polars_check.py), then runs the
# two alternately, RUNS times each (default 3), `sync` before each run, and prints the min and
# median wall time, CPU time (user + sys) and peak RSS of each, and the ratio ours/polars of
# the median wall times.
# Usage: [RUNS=3] [BIN=path/to/partnerscope] bash bench/polars.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/partnerscope
fi
python3 -c 'import polars, yaml' || { echo "needs python3 with polars and pyyaml" >&2; exit 2; }
polars_version=$(python3 -c 'import polars; print(polars.__version__)')

echo "machine: $(nproc) cores, $(grep 'model name' /proc/cpuinfo | head -1 | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB; polars $polars_version"
if [ ! -f "$work/million.csv" ]; then
  "$BIN" simulate --organizations 5000 --respondents 200 --waves 1 --seed 42 -o "$work/million.csv" --quiet
fi
echo "input: $(($(wc -l <"$work/million.csv") - 1)) rows, $(($(stat -c %s "$work/million.csv") / 1024 / 1024)) MiB"

head -100001 "$work/million.csv" >"$work/hundredk.csv"
"$BIN" score "$work/hundredk.csv" --out "$work/check_ours" --force --quiet >/dev/null
python3 bench/polars_score.py "$work/hundredk.csv" "$work/check_polars"
python3 bench/polars_check.py "$work/check_ours" "$work/check_polars"

run() { # name, command...: appends "wall user sys maxrss_kib" to $work/NAME.times
  local name="$1"; shift
  sync
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" ||
    { cat "$work/err.txt"; exit 1; }
  cat "$work/time.txt" >>"$work/$name.times"
  echo "$name: $(cat "$work/time.txt")  (wall s, user s, sys s, peak KiB; load $(cut -d' ' -f1 /proc/loadavg))"
}

rm -f "$work/ours.times" "$work/polars.times"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "${RUNS:-3}"); do
  run ours "$BIN" score "$work/million.csv" --out "$work/ours" --force --quiet
  run polars python3 "$repo/bench/polars_score.py" "$work/million.csv" "$work/polars"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

summary() { # name → "min_wall median_wall min_cpu median_cpu min_rss max_rss"
  awk '{ wall[NR] = $1; cpu[NR] = $2 + $3; rss[NR] = $4 }
    function median(a, n,   i, j, t) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
      n = NR; w = median(wall, n); minw = wall[1]; c = median(cpu, n); minc = cpu[1]
      r = median(rss, n); minr = rss[1]; maxr = rss[n]
      printf "%.2f %.2f %.2f %.2f %d %d\n", minw, w, minc, c, minr / 1024, maxr / 1024
    }' "$work/$1.times"
}
read -r ow_min ow_med oc_min oc_med or_min or_max <<<"$(summary ours)"
read -r pw_min pw_med pc_min pc_med pr_min pr_max <<<"$(summary polars)"
echo
echo "| program | wall min | wall median | CPU min | CPU median | peak RSS |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| partnerscope score | $ow_min s | $ow_med s | $oc_min s | $oc_med s | $or_min–$or_max MiB |"
echo "| polars $polars_version | $pw_min s | $pw_med s | $pc_min s | $pc_med s | $pr_min–$pr_max MiB |"
awk -v o="$ow_med" -v p="$pw_med" -v oc="$oc_med" -v pc="$pc_med" \
  'BEGIN { printf "\nratio ours/polars: median wall %.2f, median CPU %.2f\n", o / p, oc / pc }'
