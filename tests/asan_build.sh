#!/bin/sh
# asan_build.sh SOURCE_DIR BUILD_DIR TARGET... - configures a second build
# tree with AddressSanitizer and UBSan (BSW_SANITIZE) and builds only the
# named test targets in it, for the hostile-input tests to run there too.
# A CTest fixture (tests/CMakeLists.txt) runs it before those tests.
set -eu
src=$1
dir=$2
shift 2
cmake -S "$src" -B "$dir" -DBSW_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$dir" -j "$(nproc)" --target "$@"
