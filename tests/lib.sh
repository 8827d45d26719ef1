# shellcheck shell=sh
# lib.sh - what the shell tests share; sourced, never run:
#   . "$(dirname "$0")/lib.sh"
#
# A test asks brainsweep for the states it waits on (`brainsweep list`
# answering, `status ID --json`, `stats --json`, exit codes) and never
# reads them from a log: logs are for people, and only shown on failure.
# JSON is read with jq (scripts/install-deps.sh --test installs it).
#
# Every wait is a bounded poll of a state (bsw_wait); nothing sleeps for a
# time it hopes is long enough. A broker binds the port CTest gave the
# test (BSW_TEST_PORT, tests/CMakeLists.txt): a port no other test of the
# suite uses, outside the kernel's ephemeral range and CZMQ's wildcard
# range, so a restarted broker finds its port free.
#
# Globals: tmp (the test's scratch folder), bin (BSW_BIN_DIR), pids
# (processes killed on exit), broker_pid, endpoint; bsw_on_exit may be set
# to a command run at clean-up before the folder is removed.

bin=${BSW_BIN_DIR:-}
pids=""
broker_pid=""
endpoint=""
bsw_on_exit=""

# bsw_init NAME: a scratch folder and the clean-up trap.
bsw_init () {
  tmp=$(mktemp -d "/tmp/bsw-$1-XXXXXX") || { echo "FAIL: mktemp"; exit 1; }
  trap bsw_cleanup EXIT
  trap 'exit 1' INT TERM HUP
}

# Kills (and reaps) everything tracked, keeps the logs when
# BSW_KEEP_LOGS=DIR is set, removes the scratch folder.
bsw_cleanup () {
  for p in $pids; do kill -CONT "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "$bsw_on_exit" ] && eval "$bsw_on_exit"
  if [ -n "${BSW_KEEP_LOGS:-}" ]; then cp "$tmp"/*.log "$BSW_KEEP_LOGS"/ 2>/dev/null; fi
  rm -rf "$tmp"
}

bsw_track () { pids="$pids $*"; }

# fail MESSAGE: says why, shows the tail of every log, exits 1.
fail () {
  echo "FAIL: $*"
  for log in "$tmp"/*.log "$tmp"/*.out; do
    [ -f "$log" ] && { echo "--- ${log##*/}"; tail -20 "$log"; }
  done
  exit 1
}

skip () { echo "SKIP: $*"; exit 77; }

# need TOOL: skips when TOOL is missing.
need () {
  command -v "$1" > /dev/null 2>&1 || skip "$1 is not installed (scripts/install-deps.sh --test)"
}

# expect_fail STATUS NEEDLE WHAT CMD...: CMD exits with STATUS and says NEEDLE.
expect_fail () {
  want=$1 needle=$2 what=$3
  shift 3
  "$@" 2> "$tmp/err"
  got=$?
  [ "$got" -eq "$want" ] || fail "$what: exit $got, expected $want: $(cat "$tmp/err")"
  grep -qF -- "$needle" "$tmp/err" || fail "$what: $(cat "$tmp/err")"
}

# bsw_wait SECONDS WHAT CMD...: runs CMD every 0.1 s until it succeeds;
# fails the test naming WHAT after SECONDS. The bounds are generous: they
# only matter when something is broken, never on the path that passes.
bsw_wait () {
  limit=$1 what=$2
  shift 2
  deadline=$(($(date +%s) + limit))
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "waited ${limit} s for $what"
    sleep 0.1
  done
}

# bsw_port [K]: port K (0..3) of the block CTest gave this test.
bsw_port () {
  [ -n "${BSW_TEST_PORT:-}" ] || fail "BSW_TEST_PORT is not set (run the test through ctest)"
  echo $((BSW_TEST_PORT + ${1:-0}))
}

# bsw_broker_answers: the broker's process is alive and it answers LIST.
# The process is checked after the answer too, so that another broker on
# the same port (a stale one, or another build tree's) cannot answer for
# ours: ours would have failed to bind and exited.
bsw_broker_answers () {
  kill -0 "$broker_pid" 2>/dev/null || fail "the broker exited (is port ${endpoint##*:} taken?)"
  "$bin/brainsweep" list > /dev/null 2>&1 && kill -0 "$broker_pid" 2>/dev/null
}

# bsw_start_broker [OPTION...]: a broker on this test's port with its data
# in $tmp/data and its log in $tmp/broker.log (appended across restarts);
# returns once it answers. Sets broker_pid, endpoint and BRAINSWEEP_BROKER.
bsw_start_broker () {
  command -v jq > /dev/null 2>&1 || fail "jq is not installed (scripts/install-deps.sh --test)"
  endpoint=tcp://127.0.0.1:$(bsw_port 0)
  "$bin/brainsweep-broker" --bind "$endpoint" --data "$tmp/data" "$@" >> "$tmp/broker.log" 2>&1 &
  broker_pid=$!
  bsw_track "$broker_pid"
  export BRAINSWEEP_BROKER="$endpoint"
  bsw_wait 60 "the broker to answer on $endpoint" bsw_broker_answers
}

# bsw_kill_broker: SIGKILL, and reaped, so its port is free again.
bsw_kill_broker () {
  kill -KILL "$broker_pid" 2>/dev/null
  wait "$broker_pid" 2>/dev/null
}

# bsw_status ID FILTER: a jq filter over `brainsweep status ID --json`
# (empty when the broker does not answer).
bsw_status () {
  "$bin/brainsweep" status "$1" --json 2>/dev/null | jq -r "$2"
}

# bsw_stats FILTER: a jq filter over `brainsweep stats --json`; for
# example bsw_stats .workers_joined, or bsw_stats '.errors.NOSPACE // 0'.
bsw_stats () {
  "$bin/brainsweep" stats --json 2>/dev/null | jq -r "$1"
}

# bsw_true FILTER [ID]: the jq FILTER holds for `stats --json`, or for
# `status ID --json` when an ID is given; for bsw_wait.
bsw_true () {
  if [ $# -gt 1 ]; then
    [ "$(bsw_status "$2" "$1")" = true ]
  else
    [ "$(bsw_stats "$1")" = true ]
  fi
}
