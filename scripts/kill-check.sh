#!/usr/bin/env bash
# Kills `report` on 300,000 respondents with SIGKILL at many moments and checks that the output
# folder is, every time, byte for byte the complete old output or the complete new one
# (SPEC §14), on every way of publishing:
#   swap    a folder of partnerscope's, replaced by an atomic exchange (17 moments);
#   force   --force into a folder holding a file of the user's, placed file by file (10 moments);
#   inside  a run from inside the output folder (`--out .`), placed file by file (10 moments).
# A file-by-file update is journalled: after each kill, one more run on the folder (one that
# then fails: its response file does not exist) completes it, as any later run does, and only
# then is the folder compared. Its moments are counted from when the journal appears (`j+0.3`:
# 0.3 s after), so that they fall while files are being placed, plus one in the middle of the
# work. KILL_CHECK_ORGS (default 7500, 40 respondents each) makes the data smaller for a quick
# run.
# Usage: bash scripts/kill-check.sh [WORKDIR] [PATHS]   (default: a temporary folder; all paths)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${1:-}" ]; then
  work="$1"
else
  # A folder of its own, removed at the end (the outputs take about 1 GB).
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
paths="${2:-swap force inside}"
mkdir -p "$work"
cargo build --release --quiet
# A copy of its own: a build during the check must not change the program half way (every run
# after it would write another "new" output).
cp target/release/partnerscope "$work/partnerscope"
bin="$work/partnerscope"
cd "$work"
[ -f big.csv ] || "$bin" simulate --organizations "${KILL_CHECK_ORGS:-7500}" --respondents 40 --waves 1 --seed 9 -o big.csv --quiet
[ -f small.csv ] || "$bin" simulate --organizations 30 --respondents 20 --waves 1 --seed 4 -o small.csv --quiet
# The lock file of a run in place is never removed (SPEC §14): not part of the output.
listing() { (cd "$1" && find . -type f ! -name .partnerscope-lock -print0 | sort -z | xargs -0 sha256sum); }
digest() { listing "$1" | sha256sum | cut -c1-16; }
total_fails=0

# check NAME DIR RUNFROM OUTARG FLAGS SHARES…: kills `report big.csv` into DIR at each share of
# a complete run's time, starting each time from `report small.csv`'s output.
check() {
  local name=$1 dir=$2 from=$3 outarg=$4 flags=$5
  shift 5
  local shares="$*"
  run() { (cd "$from" && "$bin" report "$work/$1" --out "$outarg" $flags --quiet >/dev/null 2>&1); }
  # Any run on the folder first completes a journalled update; this one then fails.
  settle() { (cd "$from" && "$bin" report "$work/missing.csv" --out "$outarg" --quiet >/dev/null 2>&1) || true; }
  rm -rf "$dir" ".$dir.partnerscope-"* 2>/dev/null || true
  mkdir -p "$dir"
  [ "$name" != force ] || echo "the user's own file" >"$dir/mine.txt"
  local start full new old fails=0 olds=0 news=0
  start=$(date +%s.%N)
  run big.csv
  full=$(echo "$(date +%s.%N) - $start" | bc)
  new=$(digest "$dir")
  listing "$dir" >"$name-new.txt"
  echo "$name: complete report of $(($(wc -l <big.csv) - 1)) rows: ${full} s"
  run small.csv
  old=$(digest "$dir")
  listing "$dir" >"$name-old.txt"
  for share in $shares; do
    # Start from the old output every time.
    if [ "$(digest "$dir")" != "$old" ]; then
      run small.csv
      if [ "$(digest "$dir")" != "$old" ]; then
        echo "$name: the old output could not be restored before ${share}"
        listing "$dir" | diff "$name-old.txt" - | grep '^[<>]' | head -5 | sed "s/^/$name:   /" || true
      fi
    fi
    (cd "$from" && exec "$bin" report "$work/big.csv" --out "$outarg" $flags --quiet >/dev/null 2>&1) &
    pid=$!
    case $share in
      j+*)
        delay=${share#j+}
        while kill -0 "$pid" 2>/dev/null && [ ! -e ".$dir.partnerscope-journal" ]; do sleep 0.01; done
        ;;
      *) delay=$(echo "$full * $share" | bc) ;;
    esac
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if [ -e ".$dir.partnerscope-journal" ]; then journal=yes; else journal=no; fi
    # An exchange leaves the old or the new folder at every moment, for any reader; a
    # file-by-file update does once the next run has completed its journal.
    [ "$name" = swap ] || settle
    now=$(digest "$dir")
    if [ "$now" = "$old" ]; then state=old; olds=$((olds + 1)); elif [ "$now" = "$new" ]; then state=new; news=$((news + 1)); else state=MIXED; fails=$((fails + 1)); fi
    echo "$name: killed at ${share} (${delay} s): $state (journal left: $journal)"
    if [ "$state" = MIXED ]; then
      # Which files differ from the complete new output, and how.
      listing "$dir" >"$name-mixed-$share.txt"
      diff "$name-new.txt" "$name-mixed-$share.txt" | grep '^[<>]' | head -5 | sed "s/^/$name:   /" || true
    fi
  done
  echo "$name: $olds old, $news new, $fails mixed folder(s)"
  # The next complete run removes what the killed ones left beside the folder.
  run small.csv
  left=$(find . -maxdepth 1 -name ".$dir.partnerscope-staging-*" -o -maxdepth 1 -name ".$dir.partnerscope-journal" | wc -l)
  echo "$name: after one more run: $left staging folder(s) or journal left"
  total_fails=$((total_fails + fails + left))
}

for path in $paths; do
  case $path in
    # Moments spread over the whole run, thickest around publishing at the end. A run after a
    # killed one first removes the killed run's staging folder (thousands of pages), so it
    # takes longer than the timed one: hence the moments past 1, up to where runs complete.
    swap) check swap out . out "" 0.02 0.1 0.3 0.5 0.7 0.85 0.93 0.97 0.99 1.0 1.03 1.06 1.1 1.2 1.35 1.5 2.0 ;;
    force) check force fout . fout --force 0.2 0.5 j+0 j+0.02 j+0.1 j+0.3 j+0.6 j+1 j+2 j+4 ;;
    inside) check inside iout iout . "" 0.2 0.5 j+0 j+0.02 j+0.1 j+0.3 j+0.6 j+1 j+2 j+4 ;;
    *) echo "unknown path $path (swap, force, inside)"; exit 2 ;;
  esac
done
[ "$total_fails" -eq 0 ]
