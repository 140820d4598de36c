#!/usr/bin/env bash
# The send benchmarks of docs/PERFORMANCE.md: starts `mqbroker --standalone` (Release) on
# free loopback ports with a fresh store, then runs producer_bench in sync, async and batch
# modes (each beside the echo limit from the same program, and again at half load), each
# followed by consumer_bench draining what it sent; prints every interval line and the
# comparison tables.
# Usage: scripts/bench-send.sh [build-dir (default build/release)] [seconds per run (10)]
#        [extra broker properties, e.g. flushDiskType=SYNC_FLUSH]
# Run it on a quiet machine: nothing else building or testing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
seconds=${2:-10}
shift $(( $# > 2 ? 2 : $# ))
[ -x "$build/bin/producer_bench" ] || "$root/scripts/build.sh" release
bin=$(cd "$build" && pwd)/bin
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); ns_port=$(free_port)
{
  echo "listenPort=$port"; echo "bindIP=127.0.0.1"; echo "brokerIP1=127.0.0.1"
  echo "embeddedNamesrvPort=$ns_port"; echo "storePathRootDir=$work/store"; echo "logDir=$work/logs"
  for kv in "$@"; do echo "$kv"; done
} > "$work/broker.properties"
"$bin/mqbroker" --standalone -c "$work/broker.properties" > "$work/broker.out" 2>&1 &
broker=$!
trap 'kill -TERM $broker 2>/dev/null; wait $broker 2>/dev/null; rm -rf "$work"' EXIT
until grep -q 'boot success' "$work/broker.out"; do
  kill -0 $broker 2>/dev/null || { cat "$work/broker.out"; exit 1; }
  sleep 0.05
done
ns=127.0.0.1:$ns_port
echo "=== broker pid $broker on 127.0.0.1:$port, name server $ns, store $work/store, extra: ${*:-none}"
tables=()
consumed=()
for mode in sync async batch; do
  echo "=== producer_bench --mode $mode"
  # The topic exists before anyone uses it (a client looks for a missing topic's route
  # again only every 30 s, as RocketMQ's does).
  "$bin/mqadmin" updateTopic -n "$ns" -b "127.0.0.1:$port" -t "Bench_$mode" -r 4 -w 4 > /dev/null
  "$bin/producer_bench" --namesrv "$ns" --topic "Bench_$mode" --mode "$mode" --threads 8 --size 1024 \
    --duration "$seconds" --interval 2 --warmup $(( seconds < 5 ? 1 : 2 )) --half-load | tee "$work/producer_$mode.out"
  tables+=("$(grep -A3 '^=== producer_bench' "$work/producer_$mode.out" | tail -n +2)")
  # Alone, afterwards: the consumer drains what was sent (throughput from a backlog; its RT
  # column is birth to listener, so it includes the time the message waited).
  echo "--- consumer_bench: draining Bench_$mode from its first message"
  "$bin/consumer_bench" --namesrv "$ns" --topic "Bench_$mode" --group "bench_consumer_$mode" --from-first \
    --duration $(( seconds < 5 ? 5 : seconds )) --interval "$seconds" > "$work/consumer_$mode.out" 2>&1 \
    || { cat "$work/consumer_$mode.out"; echo "consumer_bench failed"; exit 1; }
  grep summary "$work/consumer_$mode.out"
  consumed+=("$mode: $(grep summary "$work/consumer_$mode.out" | sed 's/.*: \([0-9]* msg\/s\).*/\1/')")
done
echo
echo "=== summary (ratio = our msg/s over the echo limit's req/s from the same program and run)"
printf '%s\n' "${tables[@]}"
lines=$(printf '%s\n' "${tables[@]}" | grep -cE ' [1-9][0-9]* msg/s .* ratio ' || true)
[ "$lines" -eq 6 ] || { echo "expected 6 result lines with a non-zero rate, got $lines"; exit 1; }
echo "consumer_bench draining each topic: ${consumed[*]}"
echo "broker RSS after the runs: $(awk '/VmRSS/ {print $2}' /proc/$broker/status) KiB"
