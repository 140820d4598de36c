#!/usr/bin/env bash
# Configures and builds one CMake preset (release, debug-asan, fuzz); see CMakePresets.json.
# Further arguments go to `cmake --build` (e.g. `--target fuzzers`).
set -euo pipefail
preset=${1:-release}
shift || true
cd "$(dirname "$0")/.."
cmake --preset "$preset" > /dev/null
cmake --build --preset "$preset" -j "$(nproc)" "$@"
