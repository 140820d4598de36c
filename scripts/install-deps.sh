#!/usr/bin/env bash
# Installs, by Debian package name, everything Tern's build and tests need. Idempotent:
# when every package is already installed it does nothing (no apt-get update).
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libboost-dev libboost-filesystem-dev
  libspdlog-dev libfmt-dev
  libdeflate-dev            # store-mmap: fast CRC-32 of message bodies
  zlib1g-dev                # sdk: zlib deflate of bodies over compressMsgBodyOverHowmuch
  libgtest-dev libgmock-dev
  clang libclang-rt-14-dev   # libFuzzer targets under tests/fuzz
  antlr4 libantlr4-runtime-dev   # filter-sql92: the selector grammar, generated at build time
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (or install them) and retry" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
