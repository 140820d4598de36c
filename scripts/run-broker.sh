#!/usr/bin/env bash
# Sets everything up and runs the broker: installs the packages, builds the release preset
# and starts `mqbroker --standalone` (store under ./store, logs under ./logs) in the
# foreground. Extra arguments go to mqbroker, e.g. `-c conf/broker.properties`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" release
if [ $# -eq 0 ]; then set -- --standalone; fi
exec "$root/build/release/bin/mqbroker" "$@"
