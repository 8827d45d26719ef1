#!/bin/sh
# sweep_test.sh CASE - the distributed sweep over loopback, with real
# processes: brainsweep-broker, brainsweep-worker and the brainsweep CLI.
# Cases:
#   complete      broker + 3 workers run a sweep; every point's time series
#                 equals `brainsweep simulate --point K` bit for bit, and
#                 its metrics equal the simulate output's to the last digit
#   worker_faults one worker SIGKILLed and one SIGSTOPped past the heartbeat
#                 limit mid-sweep: the sweep completes, every point once
#   broker_kill   the broker SIGKILLed mid-sweep and restarted: nothing
#                 finished is lost and the sweep completes
#   cancel_retry  cancel stops dispatch and keeps results; retry resumes;
#                 cancel and retry back to back mid-job still finish;
#                 failed points run again
#   disk_full     results refused on a full disk are kept by the workers and
#                 stored once space is back
# States are asked of the broker (tests/lib.sh): every wait is a bounded
# poll; all processes are killed on exit. A failure prints the tail of
# every log; BSW_KEEP_LOGS=DIR also copies the logs there. The broker binds
# this test's own port (BSW_TEST_PORT), so a restart finds it free.
set -u
case_name=${1:?case}
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
tools=${BSW_TOOLS_DIR:?}
: "${bin:?BSW_BIN_DIR}"
bsw_init sweep
HB=250
worker1=""; worker2=""

start_broker () {
  bsw_start_broker --heartbeat-ms $HB
}

start_worker () {
  "$bin/brainsweep-worker" --threads 1 --lanes 2 --heartbeat-ms $HB --name "w$1" \
    >> "$tmp/worker$1.log" 2>&1 &
  case $1 in
    1) worker1=$! ;;
    2) worker2=$! ;;
    *) ;;
  esac
  bsw_track $!
}

# A sweep of 48 points of 3 s on the built-in connectivity, with random
# initial conditions, so the per-point random streams count too. A point
# costs about 55 ms of one core: the sweep lasts seconds for one worker, far
# longer than a test takes to see progress and act on it (the cancel below
# must come before the end), and the 10 ms monitor period keeps each series
# at 300 samples.
cat > "$tmp/spec.json" <<'JSON'
{"name": "test sweep", "simulation_length": 3000.0,
 "monitor": {"type": "TemporalAverage", "period": 10.0},
 "model": {"variables_of_interest": ["V", "W"]},
 "ranges": [{"parameter": "model.I", "lo": -1.0, "hi": 1.0, "step": 0.25},
            {"parameter": "model.a", "values": [-1.0, 0.5, 1.0, 2.0, 2.5, 3.0]}]}
JSON
POINTS=48

submit () {
  id=$("$bin/brainsweep" submit "$tmp/spec.json" -q) || fail "submit"
}

wait_done () {
  timeout 120 "$bin/brainsweep" watch "$id" > /dev/null 2>&1 || fail "watch did not end well"
}

done_count () {
  bsw_status "$id" .done
}

# done_at_least N: the sweep has N points done (for bsw_wait).
done_at_least () {
  [ "$(done_count)" -ge "$1" ] 2>/dev/null
}

wait_for_done_at_least () {
  bsw_wait 120 "$1 points done" done_at_least "$1"
}

# barrier: a one-point sweep submitted and finished. The one worker then
# has received every message the broker sent it before (a DROP included)
# and has nothing of an older sweep left to run: dispatch serves the
# oldest running sweep first.
barrier () {
  printf '{"simulation_length": 10.0, "name": "barrier"}' > "$tmp/barrier.json"
  b=$("$bin/brainsweep" submit "$tmp/barrier.json" -q) || fail "submit barrier"
  timeout 120 "$bin/brainsweep" watch "$b" > /dev/null 2>&1 || fail "barrier sweep $b did not finish"
}

# Every point once, all ok, each equal to simulate --point K.
check_results () {
  want_same=$1
  "$bin/brainsweep" fetch "$id" -o "$tmp/out.zip" 2>/dev/null || fail "fetch"
  mkdir -p "$tmp/zip" || fail "mkdir"
  (cd "$tmp/zip" && unzip -q -o ../out.zip) || fail "unzip"
  rows=$(tail -n +2 "$tmp/zip/metrics.csv" | wc -l)
  [ "$rows" -eq $POINTS ] || fail "metrics.csv has $rows rows, expected $POINTS"
  okrows=$(tail -n +2 "$tmp/zip/metrics.csv" | cut -d, -f4 | grep -c '^ok$')
  [ "$okrows" -eq $POINTS ] || fail "$okrows points ok, expected $POINTS"
  # No point twice: the point column is 0..N-1 exactly.
  seq 0 $((POINTS - 1)) > "$tmp/expect"
  tail -n +2 "$tmp/zip/metrics.csv" | cut -d, -f1 > "$tmp/got"
  cmp -s "$tmp/expect" "$tmp/got" || fail "points column is not 0..$((POINTS - 1)) once each"
  ts=$(find "$tmp/zip" -name 'TimeSeriesRegion_*.h5' | wc -l)
  [ "$ts" -eq $POINTS ] || fail "$ts time series in the zip, expected $POINTS"
  [ "$want_same" = yes ] || return 0
  k=0
  while [ $k -lt $POINTS ]; do
    "$bin/brainsweep" simulate "$tmp/spec.json" --point $k -o "$tmp/p.h5" > "$tmp/p.json" || fail "simulate --point $k"
    folder=$((k + 1))
    f=$(ls "$tmp/zip/$folder"/TimeSeriesRegion_*.h5)
    "$tools/h5_same_series" "$f" "$tmp/p.h5" || fail "point $k differs from simulate --point $k"
    # metrics.csv row equals the simulate output, digit for digit.
    want=$(sed 's/.*"GlobalVariance": \([^,]*\),.*"VarianceNodeVariance": \([^}]*\)}/\1 \2/' "$tmp/p.json")
    got=$(sed -n "$((k + 2))p" "$tmp/zip/metrics.csv" | awk -F, '{print $5, $NF}')
    [ "$want" = "$got" ] || fail "point $k metrics: csv '$got' vs simulate '$want'"
    k=$((k + 1))
  done
}

mkdir -p "$tmp/data"
case $case_name in
complete)
  start_broker; start_worker 1; start_worker 2; start_worker 3
  submit; wait_done; check_results yes
  ;;
worker_faults)
  start_broker; start_worker 1; start_worker 2; start_worker 3
  submit
  wait_for_done_at_least 4
  kill -KILL "$worker1"
  kill -STOP "$worker2"
  # Both fall silent past 3 heartbeats: the broker declares them lost.
  bsw_wait 60 "both silent workers declared lost" bsw_true '.workers_lost >= 2'
  kill -CONT "$worker2"
  wait_done; check_results yes
  ;;
broker_kill)
  start_broker; start_worker 1; start_worker 2
  submit
  wait_for_done_at_least 10
  before=$(done_count)
  bsw_kill_broker
  start_broker
  after=$(done_count)
  [ "$after" -ge "$before" ] || fail "restart lost results: $before done before, $after after"
  # The restarted broker knows the sweep as unfinished business and runs
  # it to the end (it was far from done: 48 points, 10 done).
  [ "$(bsw_stats '.sweeps_running + .sweeps_finished')" = 1 ] \
    || fail "the restarted broker did not resume the sweep: $(bsw_stats .)"
  wait_done; check_results yes
  ;;
cancel_retry)
  start_broker; start_worker 1
  submit
  wait_for_done_at_least 2
  "$bin/brainsweep" cancel "$id" > "$tmp/cancel.out" || fail "cancel"
  grep -q "points cancelled" "$tmp/cancel.out" || fail "cancel output: $(cat "$tmp/cancel.out")"
  # Results under way at the cancel are acknowledged and dropped (the
  # cancel ended their leases); after a barrier nothing of the sweep is
  # left on the worker, and after a second one nothing more has come:
  # dispatch stopped.
  barrier
  d1=$(done_count); barrier; d2=$(done_count)
  [ "$d1" -eq "$d2" ] || fail "points still finishing after cancel ($d1 -> $d2)"
  [ "$(bsw_status "$id" .state)" = cancelled ] || fail "state not cancelled"
  [ "$d2" -lt $POINTS ] || fail "sweep finished before cancel took effect"
  timeout 10 "$bin/brainsweep" watch "$id" > /dev/null 2>&1 && fail "watch of a cancelled sweep exited 0"
  "$bin/brainsweep" retry "$id" > /dev/null || fail "retry"
  wait_done; check_results no
  # Cancel and retry back to back, several times, while points are running:
  # the worker may still hold a job of the dropped sweep when the retried
  # points arrive, and must neither discard them nor stall.
  submit
  for round in 1 2 3; do
    wait_for_done_at_least $((round * 2))
    "$bin/brainsweep" cancel "$id" > /dev/null || fail "cancel (round $round)"
    "$bin/brainsweep" retry "$id" > /dev/null || fail "retry (round $round)"
  done
  timeout 60 "$bin/brainsweep" watch "$id" > /dev/null 2>&1 || fail "back-to-back cancel/retry: the sweep did not finish"
  rm -rf "$tmp/zip"; check_results no
  # A sweep with failing points: a diverging parameter value fails its
  # points; retry runs them again (and they fail again, counted once).
  cat > "$tmp/spec.json" <<'JSON'
{"simulation_length": 50.0, "initial_conditions": {"V": [3.0], "W": [0.0]},
 "model": {"parameters": {"d": 1.0}},
 "ranges": [{"parameter": "model.f", "values": [1.0, -5.0]}]}
JSON
  # one value per node is needed: build it for the 76-node default.
  v=$(yes 3.0 | head -76 | paste -sd, -); w=$(yes 0.0 | head -76 | paste -sd, -)
  sed -i "s/\"V\": \[3.0\]/\"V\": [$v]/; s/\"W\": \[0.0\]/\"W\": [$w]/" "$tmp/spec.json"
  submit; wait_done
  [ "$(bsw_status "$id" .failed)" = 1 ] || fail "expected 1 failed point: $("$bin/brainsweep" status "$id" --json)"
  "$bin/brainsweep" retry "$id" > "$tmp/retry.out" || fail "retry failed"
  grep -q "^sweep $id: 1 points queued again; it is [a-z]* with [0-9]* points to run$" "$tmp/retry.out" || fail "retry said: $(cat "$tmp/retry.out")"
  wait_done
  [ "$(bsw_status "$id" .failed)" = 1 ] || fail "after retry: expected 1 failed point"
  ;;
disk_full)
  # The broker's data folder on a small tmpfs, filled up: results that
  # cannot be stored are refused (no ACK), the broker keeps serving, and
  # once space is freed the workers' kept results go in and the sweep
  # completes with every point once. Needs root (mount); skips otherwise.
  # The disk is filled after the submit and before any worker starts: a
  # sweep this short can finish between any two steps of a test, so no
  # result may be possible before the disk is full.
  mkdir -p "$tmp/small"
  mount -t tmpfs -o size=64m tmpfs "$tmp/small" 2>/dev/null || { echo "cannot mount a tmpfs: skipped"; exit 77; }
  bsw_on_exit='umount "$tmp/small"'
  rmdir "$tmp/data" && ln -s "$tmp/small" "$tmp/data"
  start_broker
  submit
  # Fill what is left of the disk.
  dd if=/dev/zero of="$tmp/small/filler" bs=64k 2>/dev/null
  start_worker 1; start_worker 2
  # A result refused for the full disk is answered with NOSPACE.
  bsw_wait 120 "a result refused for the full disk" bsw_true '(.errors.NOSPACE // 0) >= 1'
  kill -0 "$broker_pid" || fail "the broker died on a full disk"
  "$bin/brainsweep" list > /dev/null || fail "the broker stopped answering on a full disk"
  rm -f "$tmp/small/filler"
  wait_done; check_results no
  ;;
*)
  echo "unknown case $case_name"; exit 2
  ;;
esac
echo "1 passed, 0 failed"
