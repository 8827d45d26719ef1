#!/bin/sh
# cli_options_test.sh - every program reads its command line through one
# table (common/util/bsw_opts.h), so the same kind of mistake gets the same
# sentence and exit status 2 in every command: a number out of range, a
# value that is not a number, a missing value, an unknown option, a
# missing required option. Nothing runs before the check: no broker, no
# file. --help exits 0 on stdout.
set -u
bindir="${BSW_BIN_DIR:?}"
bin="$bindir/brainsweep"
tmp=$(mktemp -d /tmp/bsw-opts-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0
unset BRAINSWEEP_BROKER

fail () { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_usage LINE COMMAND...: exit 2, and stderr's first line is exactly
# LINE (then the usage line); nothing on stdout.
expect_usage () {
  line=$1; shift
  timeout 20 "$@" > "$tmp/out" 2> "$tmp/err"
  rc=$?
  if [ $rc -ne 2 ]; then fail "$*: exit $rc, expected 2: $(cat "$tmp/err")"; return; fi
  first=$(head -n 1 "$tmp/err")
  if [ "$first" != "$line" ]; then fail "$*: said '$first', expected '$line'"; return; fi
  if ! sed -n 2p "$tmp/err" | grep -q '^usage: '; then fail "$*: no usage line: $(cat "$tmp/err")"; return; fi
  if [ -s "$tmp/out" ]; then fail "$*: printed to stdout"; return; fi
  passes=$((passes + 1))
}

printf '{"simulation_length": 5}' > "$tmp/spec.json"

# A number out of range: one shape in every program.
expect_usage "brainsweep run: --workers 0: must be between 1 and 4096" \
  "$bin" run "$tmp/spec.json" -o "$tmp/out.zip" --workers 0
expect_usage "brainsweep-worker: --threads 0: must be between 1 and 4096" \
  "$bindir/brainsweep-worker" --broker tcp://127.0.0.1:1 --threads 0
expect_usage "brainsweep-broker: --heartbeat-ms 0: must be between 1 and 600000" \
  "$bindir/brainsweep-broker" --data "$tmp/data" --heartbeat-ms 0
expect_usage "brainsweep status: ID 0: must be at least 1" "$bin" status 0
expect_usage "brainsweep run: --deflate 10: must be between 0 and 9" \
  "$bin" run "$tmp/spec.json" -o "$tmp/out.zip" --deflate 10
expect_usage "brainsweep-worker: --deflate 10: must be between 0 and 9" \
  "$bindir/brainsweep-worker" --broker tcp://127.0.0.1:1 --deflate 10
expect_usage "brainsweep run: --lanes 5000: must be between 1 and 4096" \
  "$bin" run "$tmp/spec.json" -o "$tmp/out.zip" --lanes 5000
expect_usage "brainsweep-worker: --lanes 5000: must be between 1 and 4096" \
  "$bindir/brainsweep-worker" --broker tcp://127.0.0.1:1 --lanes 5000

# A word that is not one of the choices.
expect_usage "brainsweep run: --keep series: must be all or metrics" \
  "$bin" run "$tmp/spec.json" -o "$tmp/out.zip" --keep series
expect_usage "brainsweep submit: --keep ALL: must be all or metrics" \
  "$bin" submit "$tmp/spec.json" --broker tcp://127.0.0.1:1 --keep ALL

# Not a number: the same shape again.
expect_usage "brainsweep status: ID abc: must be a whole number (at least 1)" "$bin" status abc
expect_usage "brainsweep cancel: ID -3: must be a whole number (at least 1)" "$bin" cancel -- -3
expect_usage "brainsweep run: --workers many: must be a whole number between 1 and 4096" \
  "$bin" run "$tmp/spec.json" -o "$tmp/out.zip" --workers many
expect_usage "brainsweep-worker: --threads 2.5: must be a whole number between 1 and 4096" \
  "$bindir/brainsweep-worker" --broker tcp://127.0.0.1:1 --threads 2.5
expect_usage "brainsweep-broker: --max-points lots: must be a whole number (at least 1)" \
  "$bindir/brainsweep-broker" --data "$tmp/data" --max-points lots
expect_usage "brainsweep simulate: --point x: must be a whole number" \
  "$bin" simulate "$tmp/spec.json" --point x
expect_usage "brainsweep plot: --point -1: must be a whole number between 0 and 18446744073709551614" \
  "$bin" plot "$tmp/x.zip" -o "$tmp/x.png" --point -1
expect_usage "brainsweep plot: --size-scale huge: must be auto, linear or log" \
  "$bin" plot "$tmp/x.zip" -o "$tmp/x.png" --size-scale huge

# A missing value, an unknown option, a missing required option or operand.
expect_usage "brainsweep fetch: --output needs a value (FILE.zip)" "$bin" fetch 1 -o
expect_usage "brainsweep-worker: --threads needs a value (N)" \
  "$bindir/brainsweep-worker" --broker tcp://127.0.0.1:1 --threads
expect_usage "brainsweep submit: unknown option '--bogus'" "$bin" submit "$tmp/spec.json" --bogus
expect_usage "brainsweep-broker: unknown option '-x'" "$bindir/brainsweep-broker" -x
expect_usage "brainsweep list: --broker needs a value (ENDPOINT)" "$bin" list --broker
expect_usage "brainsweep run: --output FILE.zip is required" "$bin" run "$tmp/spec.json"
expect_usage "brainsweep fetch: --output FILE.zip is required" "$bin" fetch 3
expect_usage "brainsweep-broker: --data DIR is required" "$bindir/brainsweep-broker"
expect_usage "brainsweep-worker: --broker ENDPOINT is required" "$bindir/brainsweep-worker"
expect_usage "brainsweep simulate: SPEC.json is required" "$bin" simulate
expect_usage "brainsweep watch: unexpected argument '2'" "$bin" watch 1 2

# None of those started anything or wrote a file.
if [ ! -e "$tmp/data" ] && [ ! -e "$tmp/out.zip" ]; then passes=$((passes + 1))
else fail "a usage mistake left files behind"; fi

# --help: exit 0, the help on stdout, every option of the table in it.
for cmd in "$bin run" "$bin simulate" "$bin submit" "$bin list" "$bin status" "$bin watch" \
           "$bin fetch" "$bin cancel" "$bin retry" "$bin plot" "$bindir/brainsweep-worker" \
           "$bindir/brainsweep-broker"; do
  # shellcheck disable=SC2086
  if $cmd --help > "$tmp/help" 2> "$tmp/err" && head -n 1 "$tmp/help" | grep -q '^usage: ' \
      && grep -q -- '-h, --help' "$tmp/help" && [ ! -s "$tmp/err" ]; then
    passes=$((passes + 1))
  else
    fail "$cmd --help"
  fi
done
if "$bindir/brainsweep-worker" --help | grep -q -- "--grace-ms N"; then passes=$((passes + 1))
else fail "worker --help lacks --grace-ms"; fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
