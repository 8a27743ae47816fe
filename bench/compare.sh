#!/usr/bin/env bash
# Side by side: `score` on the 1M-respondent benchmark file and `report` on 1,000 organizations,
# with an earlier build (OLD) and this one, alternating runs so both see the same machine; then
# checks that both builds wrote byte-identical files (the manifest aside).
# Usage: [RUNS=3] bash bench/compare.sh OLD_BINARY [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
old="$1"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
cargo build --release --quiet
new="$PWD/target/release/partnerscope"
[ -f "$work/million.csv" ] || "$new" simulate --organizations 5000 --respondents 200 --waves 1 --seed 42 -o "$work/million.csv" --quiet
[ -f "$work/thousand.csv" ] || "$new" simulate --organizations 1000 --respondents 30 --waves 2 --seed 7 -o "$work/thousand.csv" --orgs-output "$work/thousand-orgs.csv" --quiet
measure() { # label, command...
  local label="$1"; shift
  sync
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>&1
  read -r wall user sys rss <"$work/time.txt"
  echo "$label: wall ${wall} s, cpu $(echo "$user + $sys" | bc) s, peak RSS $((rss / 1024)) MiB"
  echo "$label $wall $(echo "$user + $sys" | bc)" >>"$work/times.txt"
}
: >"$work/times.txt"
echo "machine: $(nproc) cores, $(grep 'model name' /proc/cpuinfo | head -1 | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "${RUNS:-3}"); do
  for build in old new; do
    bin=$old; [ "$build" = new ] && bin=$new
    rm -rf "$work/score-$build" "$work/report-$build"
    measure "score 1M, $build, run $run" "$bin" score "$work/million.csv" --out "$work/score-$build" --quiet
    measure "report 1,000 orgs, $build, run $run" "$bin" report "$work/thousand.csv" --orgs "$work/thousand-orgs.csv" --out "$work/report-$build" --quiet
  done
done
# Minimum and median of each case: on a shared machine the minimum is the run least disturbed.
stat() { # column (wall or cpu): prints "min median"
  sort -n | awk '{ v[NR] = $1 } END { printf "%.2f %.2f", v[1], v[int((NR + 1) / 2)] }'
}
for case in "score 1M" "report 1,000 orgs"; do
  for build in old new; do
    lines=$(grep "^$case, $build," "$work/times.txt")
    read -r wmin wmed <<<"$(awk '{ print $(NF - 1) }' <<<"$lines" | stat)"
    read -r cmin cmed <<<"$(awk '{ print $NF }' <<<"$lines" | stat)"
    echo "$case, $build: $(wc -l <<<"$lines") runs, wall min $wmin median $wmed s, cpu min $cmin median $cmed s"
  done
done
for kind in score report; do
  if diff -r -x partnerscope-manifest.json "$work/$kind-old" "$work/$kind-new" >/dev/null; then
    echo "$kind: every file byte-identical between the builds"
  else
    echo "$kind: FILES DIFFER"; diff -rq -x partnerscope-manifest.json "$work/$kind-old" "$work/$kind-new" | head
  fi
done
