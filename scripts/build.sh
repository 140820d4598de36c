#!/usr/bin/env bash
# Configures and builds one CMake preset (release, debug-asan, fuzz); see CMakePresets.json.
set -euo pipefail
preset=${1:-release}
cd "$(dirname "$0")/.."
cmake --preset "$preset" > /dev/null
cmake --build --preset "$preset" -j "$(nproc)"
