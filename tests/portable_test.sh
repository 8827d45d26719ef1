#!/bin/sh
# portable_test.sh PROGRAM - runs a test program under valgrind, whose
# virtual CPU has no AVX-512: the core's portable kernels (what machines
# without AVX-512 run) then do the work that this machine's AVX-512
# kernels do in the plain run, and must pass the same checks (and valgrind
# must find no memory error). Skips without valgrind.
set -u
command -v valgrind >/dev/null 2>&1 || { echo "valgrind not installed: skipped"; exit 77; }
exec valgrind -q --error-exitcode=99 "$@"
