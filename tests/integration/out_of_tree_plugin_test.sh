#!/usr/bin/env bash
# The vendors' story, end to end: install Tern to a temporary prefix, build
# examples/vendor-filter-plugin against the installed headers alone (no source tree on
# the include path), and start the installed mqbroker with that plugin loaded.
# Usage: out_of_tree_plugin_test.sh <tern-build-dir> <tern-source-dir>
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
broker_pid=
cleanup() {
  if [ -n "$broker_pid" ] && kill -0 "$broker_pid" 2>/dev/null; then kill -9 "$broker_pid"; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done >&2; exit 1; }

echo "installing Tern to $work/prefix"
cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log" || fail "cmake --install failed"
[ -f "$work/prefix/include/tern/plugin.h" ] || fail "headers not installed"

# Build flags follow the broker's: a sanitized broker needs a sanitized plugin to share its runtime.
flags=$(grep -E '^CMAKE_CXX_FLAGS:' "$build_dir/CMakeCache.txt" | cut -d= -f2- || true)
if grep -q '^TERN_SANITIZE:BOOL=ON' "$build_dir/CMakeCache.txt"; then flags="$flags -fsanitize=address,undefined"; fi
cxx=$(grep -E '^CMAKE_CXX_COMPILER:' "$build_dir/CMakeCache.txt" | cut -d= -f2-)

echo "building the example plugin out of tree"
cmake -S "$source_dir/examples/vendor-filter-plugin" -B "$work/plugin" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="$flags -Wall -Wextra -Werror" > "$work/configure.log" 2>&1 \
  || fail "configuring the example plugin failed"
cmake --build "$work/plugin" > "$work/build.log" 2>&1 || fail "building the example plugin failed"
[ -f "$work/plugin/filter-keys.so" ] || fail "filter-keys.so not built"
# It must not have seen the source tree's headers.
if grep -rq "$source_dir/kernel/include" "$work/plugin/CMakeFiles" 2>/dev/null; then fail "built against the source tree"; fi

cat > "$work/broker.properties" <<PROPS
brokerName=vendor-test
storePathRootDir=$work/store
logDir=$work/logs
pluginDir=$work/plugin
plugins=filter-keys
keys.caseSensitive=false
PROPS

echo "printing the config with the plugin's keys"
"$work/prefix/bin/mqbroker" -c "$work/broker.properties" -p > "$work/print.log" 2>&1 || fail "mqbroker -p failed"
grep -qx 'keys.caseSensitive=false' "$work/print.log" || fail "plugin key not in the effective config"

echo "starting the installed broker with the plugin"
"$work/prefix/bin/mqbroker" -c "$work/broker.properties" > "$work/broker.log" 2>&1 &
broker_pid=$!
for _ in $(seq 1 100); do
  grep -q 'boot success' "$work/broker.log" && break
  kill -0 "$broker_pid" 2>/dev/null || fail "mqbroker exited during start"
  sleep 0.1
done
grep -q 'filter-keys ready: expression type KEYS, caseSensitive=false' "$work/broker.log" || fail "plugin did not start"
grep -q 'boot success.*plugins: filter-keys 1.0.0' "$work/broker.log" || fail "broker did not report the plugin"
kill -TERM "$broker_pid"
status=0
wait "$broker_pid" || status=$?
broker_pid=
[ "$status" -eq 0 ] || fail "mqbroker exited with $status after SIGTERM"
echo "PASS: out-of-tree plugin built against installed headers and loaded"
