#!/bin/sh
# sanitize.sh - the unit and net tests once more, built with AddressSanitizer
# and UBSan (-DBSW_SANITIZE=ON) in build/asan; any sanitizer report fails its
# test. Extra arguments go to ctest (for example: scripts/sanitize.sh -R proto).
# .ci/run runs it before the README's test command. Its time (the build and
# the tests) is in bench/README.md, "Fuzzing and sanitizers".
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh --test
cmake -S . -B build/asan -DBSW_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/asan -j "$(nproc)"
cd build/asan
# halt_on_error: a UBSan report stops the program (gcc's UBSan would print
# and carry on), so the test fails.
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:halt_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
  ctest --output-on-failure -j 2 -L 'unit|net' "$@"
