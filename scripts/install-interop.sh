#!/usr/bin/env bash
# Installs the third-party clients the interop tests drive (tests/interop/): Node.js and
# npm from Debian by package name when missing, then npm's ali-ons (the RocketMQ remoting
# client) into DIR/node_modules.
#   scripts/install-interop.sh [DIR]      (default: build/interop under the repository)
# Idempotent and quick: when node, npm and the pinned ali-ons are already there it only
# checks and exits. node_modules/ stays out of git (.gitignore).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/build/interop}

# Pinned versions of the npm packages (name@version), one per client the tests use.
npm_packages=(ali-ons@3.12.0)

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-interop: node/npm missing; run as root (or install nodejs and npm) and retry" >&2
    exit 1
  fi
  echo "install-interop: installing nodejs npm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm
fi

mkdir -p "$dir"
missing=()
for spec in "${npm_packages[@]}"; do
  name=${spec%@*}
  version=${spec##*@}
  manifest="$dir/node_modules/$name/package.json"
  have=""
  if [ -f "$manifest" ]; then
    have=$(node -e 'process.stdout.write(String(require(process.argv[1]).version || ""))' "$manifest" 2>/dev/null || true)
  fi
  [ "$have" = "$version" ] || missing+=("$spec")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-interop: ${npm_packages[*]} present in $dir/node_modules"
  exit 0
fi

# A package.json of our own so npm installs here and not in a parent folder's project.
[ -f "$dir/package.json" ] || printf '{ "name": "tern-interop", "private": true }\n' >"$dir/package.json"
echo "install-interop: npm install ${missing[*]} into $dir"
(cd "$dir" && npm install --no-audit --no-fund --save-exact --loglevel=error "${missing[@]}")
