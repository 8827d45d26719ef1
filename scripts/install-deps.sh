#!/bin/sh
# install-deps.sh - every Debian 12 package brainsweep needs to build, test
# and run (as root). Safe to run again: apt-get skips what is installed.
#   --test   also what the test suite and its tools need (jq: the shell
#            tests read `brainsweep status/stats --json` with it; yq: the
#            deploy tests read the compose config with it)
#   --fuzz   also clang and its runtime (libFuzzer, the sanitizers) for
#            scripts/fuzz.sh
set -eu

packages="build-essential cmake pkg-config
  libczmq-dev libzmq3-dev libmsgpack-dev libhdf5-dev libzip-dev zlib1g-dev
  libsqlite3-dev libjansson-dev libcairo2-dev fonts-dejavu-core"
test_packages="hdf5-tools zip unzip jq yq shellcheck docker-compose chromium fonts-dejavu-core systemd
  valgrind"

fuzz_packages="clang libclang-rt-dev"

if [ "${1:-}" = "--fuzz" ]; then
  packages="$packages $fuzz_packages"
fi
if [ "${1:-}" = "--test" ]; then
  packages="$packages $test_packages"
  # The browser test drives Chromium from node; any node will do, so
  # Debian's is installed only when there is none.
  command -v node >/dev/null 2>&1 || packages="$packages nodejs"
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: run as root (it calls apt-get)" >&2
  exit 1
fi

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "install-deps.sh: all packages present"
  exit 0
fi
echo "install-deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
