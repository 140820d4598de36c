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

# The fuzz targets build meanwhile at the lowest priority: the tests mostly wait on timers
# and sockets, and the build takes only the CPU they leave (CI's 2 cores, 15 minutes).
echo "=== fuzz targets: building in the background (nice 19, log in build/fuzz-build.log)"
mkdir -p "$root/build"
(nice -n 19 "$root/scripts/build.sh" fuzz --target fuzzers > "$root/build/fuzz-build.log" 2>&1) &
fuzz_build=$!

echo "=== unit, integration and vendor tests (ctest, ASan + UBSan)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest_rc=0
ctest --preset debug-asan -j "$(nproc)" --timeout 600 || ctest_rc=$?

fuzz_build_rc=0
wait "$fuzz_build" || fuzz_build_rc=$?
if [ "$ctest_rc" -ne 0 ]; then
  echo "=== ctest failed (exit $ctest_rc): the failing tests are listed above"
  exit "$ctest_rc"
fi
if [ "$fuzz_build_rc" -ne 0 ]; then
  echo "=== the fuzz build failed (exit $fuzz_build_rc); the end of build/fuzz-build.log:"
  tail -n 60 "$root/build/fuzz-build.log"
  exit "$fuzz_build_rc"
fi

echo "=== fuzz targets"
"$root/tests/fuzz/run_fuzzers.sh" "$root/build/fuzz" "${TERN_FUZZ_SECONDS:-8}"

echo "=== all tests passed in $(( $(date +%s) - start )) s"
