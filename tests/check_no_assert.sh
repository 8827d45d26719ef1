#!/bin/sh
# check_no_assert.sh SOURCE_DIR - fails (exit 1, listing the lines) when any
# C file uses <assert.h>'s assert, which NDEBUG (set by Release and
# RelWithDebInfo) compiles out; BSW_ASSERT (bsw_assert.h) stays on.
set -u
cd "$1" || exit 2
bad=$(grep -rnE '#include *<assert\.h>|(^|[^A-Za-z_])assert[[:space:]]*\(' \
  --include='*.c' --include='*.h' common proto broker worker client plot bench tests)
if [ -n "$bad" ]; then
  echo "use BSW_ASSERT (bsw_assert.h), which stays on in release builds; found:"
  echo "$bad"
  exit 1
fi
echo "no plain assert in the tree"
