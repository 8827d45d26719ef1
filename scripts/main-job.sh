#!/bin/sh
# main-job.sh - the README's main-job command: installs what is missing,
# builds in Release, and runs the TVB tutorial PSE (I by 0.4 and a by 0.5
# over [-5, 5): 500 simulations of 1000 ms) on the built-in 76-region
# connectivity with an embedded broker and local workers. Ends with
# out/tutorial.zip (TVB export layout, metrics.csv, sweep.json) and a summary.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j "$(nproc)" >/dev/null
mkdir -p out
echo "brainsweep run examples/tutorial.json -o out/tutorial.zip"
build-release/bin/brainsweep run examples/tutorial.json -o out/tutorial.zip
