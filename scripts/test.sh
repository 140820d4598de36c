#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: installs the packages, builds the
# Debug preset with AddressSanitizer + UndefinedBehaviorSanitizer, runs every ctest suite,
# then builds the libFuzzer targets and runs each briefly. Prints what failed; exits
# non-zero on any failure. TERN_FUZZ_SECONDS sets the time per fuzz target (default 8: a dozen
# targets and the ctest suites must fit the 15-minute CI budget; for a longer hunt run
# tests/fuzz/run_fuzzers.sh build/fuzz 600).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)

"$root/scripts/install-deps.sh"
"$root/scripts/install-interop.sh"  # node, npm and ali-ons for tests/interop (build/interop)

echo "=== build: debug-asan"
"$root/scripts/build.sh" debug-asan

echo "=== unit, integration and vendor tests (ctest, ASan + UBSan)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --preset debug-asan -j "$(nproc)" --timeout 600

echo "=== fuzz targets"
"$root/scripts/build.sh" fuzz --target fuzzers
"$root/tests/fuzz/run_fuzzers.sh" "$root/build/fuzz" "${TERN_FUZZ_SECONDS:-8}"

echo "=== all tests passed in $(( $(date +%s) - start )) s"
