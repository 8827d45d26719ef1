#!/bin/sh
# test.sh - the README's test command: installs what is missing, builds in
# ./build and runs the whole CTest suite. Extra arguments go to ctest
# (for example: scripts/test.sh -L unit).
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh --test
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)"
cd build
ctest --output-on-failure -j 2 "$@"
