#!/bin/sh
# check_sim_purity.sh DIR - fails (exit 1, listing the lines) when the
# numerical core in DIR includes an I/O library or calls I/O, clocks,
# the environment or threads. Test files (*_test.c) are exempt.
set -u
dir=$1
files=""
for f in "$dir"/*.c "$dir"/*.h; do
  case $f in *_test.c) ;; *) files="$files $f" ;; esac
done
# shellcheck disable=SC2086
bad=$(grep -nE '#include *<(czmq|zmq|hdf5|H5[A-Za-z]*|zip|jansson|msgpack|sqlite3|syslog|pthread|unistd|fcntl|sys/socket)\.h>|\b(fopen|fprintf|printf|puts|fputs|perror|getenv|clock_gettime|gettimeofday|pthread_[a-z_]+|socket|exit|abort)[[:space:]]*\(' $files)
if [ -n "$bad" ]; then
  echo "the numerical core must stay pure; found:"
  echo "$bad"
  exit 1
fi
echo "common/sim is pure ($(echo "$files" | wc -w) files checked)"
