#!/bin/sh
# fuzz.sh [SECONDS] [TARGET...] - a bounded libFuzzer session of each fuzz
# target in turn (default: all of fuzz/, SECONDS = 60 each), one at a time.
# Builds build-fuzz/ with clang, -DBSW_FUZZ=ON (ASan + UBSan); installs clang
# when it is missing. New inputs the fuzzer finds go to
# build-fuzz/fuzz-work/TARGET/corpus/ (the seeds in fuzz/corpus/ are only
# read); a crash is saved as build-fuzz/fuzz-work/TARGET/crash-* and makes
# this script exit 1 after the last target. Each target's line of the
# summary gives its runs and executions per second (bench/README.md,
# "Fuzzing and sanitizers"). DEVELOPING.md, "Fuzzing", says how a crash
# becomes a regression file.
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-proto spec connectivity h5read series}

if ! command -v clang >/dev/null 2>&1 ||
  ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  sh scripts/install-deps.sh --fuzz
fi

cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DBSW_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
for t in $targets; do
  cmake --build build-fuzz -j "$(nproc)" --target "fuzz_$t"
done

# Largest input per target: a few times its largest seed, small enough to
# keep each run fast (the HDF5 seeds are 16 KB files).
s_max_len () {
  case $1 in
  h5read) echo 32768 ;;
  *) echo 8192 ;;
  esac
}

# The inputs libFuzzer saved in a folder: crashes, leaks, memory and time
# limits exceeded.
s_findings () {
  n=0
  for f in "$1"/crash-* "$1"/leak-* "$1"/oom-* "$1"/timeout-*; do
    [ -e "$f" ] && n=$((n + 1))
  done
  echo "$n"
}

summary=""
found=0
for t in $targets; do
  work=build-fuzz/fuzz-work/$t
  mkdir -p "$work/corpus"
  dict=""
  [ -f "fuzz/dict/$t.dict" ] && dict="-dict=fuzz/dict/$t.dict"
  regressions=""
  [ -d "fuzz/regressions/$t" ] && regressions="fuzz/regressions/$t"
  before=$(s_findings "$work")
  echo "fuzz.sh: $t for ${seconds}s (log: $work/log)"
  # -rss_limit_mb and -malloc_limit_mb bound memory (an input asking for
  # more is a finding), -timeout one input's time.
  # libhdf5 allocates megabytes per open: a small quarantine lets ASan
  # reuse them instead of faulting in fresh pages each run (fuzz_h5read.c).
  # It also asks for absurd sizes on damaged files and handles the NULL,
  # and leaks on its own error paths: neither is ours to find there.
  asan="${ASAN_OPTIONS:-}"
  leaks=""
  if [ "$t" = h5read ]; then
    asan="quarantine_size_mb=16:allocator_may_return_null=1${asan:+:$asan}"
    leaks="-detect_leaks=0"
  fi
  # shellcheck disable=SC2086
  ASAN_OPTIONS="$asan" build-fuzz/fuzz/fuzz_"$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -malloc_limit_mb=1024 -max_len="$(s_max_len "$t")" -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$work/" $dict $leaks \
    "$work/corpus" "fuzz/corpus/$t" $regressions >"$work/log" 2>&1 || true
  after=$(s_findings "$work")
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -n 1)
  new=$((after - before))
  [ "$new" -gt 0 ] && found=1
  line=$(printf '%-13s %10s runs %7s exec/s  %-10s %d new crash(es)' "$t" "${runs:-?}" \
    "${rate:-?}" "${cov:-cov: ?}" "$new")
  echo "$line"
  summary="$summary$line
"
done
printf '\nfuzz.sh: %ss per target\n%s' "$seconds" "$summary"
if [ "$found" -ne 0 ]; then
  echo "fuzz.sh: crashes saved in build-fuzz/fuzz-work/*/ (see the logs there)" >&2
  exit 1
fi
