#!/usr/bin/env bash
# Measures `mqbroker --standalone` from exec to "boot success", and its memory after it has
# idled for a few seconds. Prints both; docs/PERFORMANCE.md records the figures.
# Usage: scripts/measure-idle.sh [build-dir (default build/release)] [runs (default 5)]
set -euo pipefail
build=${1:-build/release}
runs=${2:-5}
broker=$(cd "$build" && pwd)/bin/mqbroker
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
total_ms=0
for i in $(seq 1 "$runs"); do
  rm -rf store logs out.txt
  t0=$(date +%s%N)
  "$broker" --standalone > out.txt 2>&1 &
  pid=$!
  until grep -q 'boot success' out.txt; do
    kill -0 "$pid" 2>/dev/null || { cat out.txt; exit 1; }
    sleep 0.001
  done
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  total_ms=$(( total_ms + ms ))
  if [ "$i" -eq "$runs" ]; then
    sleep 3
    rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
    hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
    threads=$(awk '/Threads/ {print $2}' /proc/$pid/status)
  fi
  kill -TERM "$pid"
  wait "$pid"
done
echo "start to ready: $(( total_ms / runs )) ms (mean of $runs, including the shell's polling)"
echo "idle RSS: $(( rss / 1024 )) MiB ($rss KiB), peak $(( hwm / 1024 )) MiB, $threads threads"
