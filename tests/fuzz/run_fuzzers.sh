#!/usr/bin/env bash
# Runs every libFuzzer target in <fuzz-build>/bin for <seconds> each, starting from the
# seed corpus in tests/fuzz/corpus/<target> when there is one. Fails, naming the target
# and keeping the crashing input, when a target finds a crash.
set -euo pipefail
build=$1
seconds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
failed=()
shopt -s nullglob
targets=("$build"/bin/fuzz_*)
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets in $build/bin" >&2; exit 1; }
for target in "${targets[@]}"; do
  name=$(basename "$target")
  corpus=$(mktemp -d)
  [ -d "$here/corpus/$name" ] && cp "$here/corpus/$name"/* "$corpus"/ 2>/dev/null || true
  artifacts="$build/fuzz-artifacts/$name/"
  mkdir -p "$artifacts"
  echo "--- $name for ${seconds}s"
  if "$target" "$corpus" -max_total_time="$seconds" -artifact_prefix="$artifacts" -print_final_stats=1 \
      > "$build/$name.log" 2>&1; then
    grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$build/$name.log" | tail -1 || true
  else
    echo "FAILED: $name (log: $build/$name.log, crashing input under $artifacts)"
    tail -40 "$build/$name.log"
    failed+=("$name")
  fi
  rm -rf "$corpus"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz targets that failed: ${failed[*]}"
  exit 1
fi
echo "${#targets[@]} fuzz targets ran clean"
