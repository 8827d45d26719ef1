#!/bin/sh
# main-job.sh - the README's main-job command: installs what is missing,
# builds in Release, and runs the main job on the built-in connectivity.
# Writes its output into ./out/.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j "$(nproc)" >/dev/null
mkdir -p out
echo "brainsweep simulate examples/tutorial_point.json -o out/tutorial_point.h5"
build-release/bin/brainsweep simulate examples/tutorial_point.json -o out/tutorial_point.h5
echo "time series written to out/tutorial_point.h5"
