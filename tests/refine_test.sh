#!/bin/sh
# refine_test.sh CASE - adaptive refinement (brainsweep refine) with real
# processes over loopback: brainsweep-broker, brainsweep-worker and the CLI.
# Cases:
#   run      a finished grid refined two levels: each level a sweep linked
#            to the grid, status and list show the family, fetch of the grid
#            writes the family in one zip (metrics.csv with a level column),
#            the same grid
#            refined again gives the same levels; every refusal (a level,
#            twice, an unknown metric, a sampled sweep, a cancelled one)
#            is one sentence and exit 1
#   restart  refine --detach, the broker SIGKILLed while level 1 waits for
#            a worker and restarted: the refinement goes on to its last
#            level, each level made once; meanwhile fetch of the family and
#            retry of a level are refused
#   too_big  a level too big for a spec ends the refinement as failed,
#            saying why
# Waits are bounded polls (tests/lib.sh); processes are killed on exit.
set -u
case_name=${1:?case}
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
: "${bin:?BSW_BIN_DIR}"
bsw_init refine
HB=250
worker=""

start_worker () {
  "$bin/brainsweep-worker" --threads 1 --lanes 4 --heartbeat-ms $HB --name "w$1" \
    >> "$tmp/worker$1.log" 2>&1 &
  worker=$!
  bsw_track $!
}

# The tutorial's model on a coarse 9 x 9 grid of I and a, short runs: the
# fixed-point / oscillation boundary crosses it, so GlobalVariance has
# sharp cells to halve. A point costs a few ms (tens under ASan).
cat > "$tmp/grid.json" <<'JSON'
{"name": "coarse", "simulation_length": 150.0, "metrics": {"start_point": 75.0},
 "seed": 42,
 "ranges": [{"parameter": "model.I", "lo": -4.0, "hi": 5.0, "step": 1.0},
            {"parameter": "model.a", "lo": -4.0, "hi": 5.0, "step": 1.0}]}
JSON

submit_grid () {
  id=$("$bin/brainsweep" submit "$tmp/grid.json" -q) || fail "submit"
  timeout 120 "$bin/brainsweep" watch "$id" > /dev/null 2>&1 || fail "the grid did not finish"
}

# level_points ID L: points of level L of grid ID.
level_points () {
  lid=$(bsw_status "$1" ".refinement.family[$(($2 - 1))]")
  bsw_status "$lid" .points
}

refined () {
  [ "$(bsw_status "$1" .refinement.state)" != running ]
}

mkdir -p "$tmp/data"
case $case_name in
run)
  bsw_start_broker --heartbeat-ms $HB
  start_worker 1; start_worker 2
  submit_grid
  grid=$id
  timeout 120 "$bin/brainsweep" refine "$grid" --metric GlobalVariance --levels 2 \
    > "$tmp/refine.out" 2> "$tmp/refine.log" || fail "refine exited $?"
  grep -q "^  refinement by GlobalVariance, threshold 0.05, 2 levels: done$" "$tmp/refine.out" \
    || fail "refine said: $(cat "$tmp/refine.out")"
  grep -q "^  level 1 .*sweep [0-9]*, [0-9]* points, [0-9]* done, 0 failed, finished$" \
    "$tmp/refine.out" || fail "no level 1 line: $(cat "$tmp/refine.out")"
  grep -q "^level 2: sweep " "$tmp/refine.log" || fail "no level 2 progress: $(cat "$tmp/refine.log")"
  [ "$(bsw_status "$grid" '.refinement.family | length')" = 2 ] || fail "family: $("$bin/brainsweep" status "$grid" --json)"
  l1=$(bsw_status "$grid" '.refinement.family[0]')
  l2=$(bsw_status "$grid" '.refinement.family[1]')
  [ "$(bsw_status "$l1" '[.parent, .level, .state] | join(" ")')" = "$grid 1 finished" ] \
    || fail "level 1: $("$bin/brainsweep" status "$l1" --json)"
  [ "$(bsw_status "$l2" '[.parent, .level, .state] | join(" ")')" = "$grid 2 finished" ] \
    || fail "level 2: $("$bin/brainsweep" status "$l2" --json)"
  n1=$(level_points "$grid" 1); n2=$(level_points "$grid" 2)
  # Two levels of a 9 x 9 grid reach a 33 x 33 lattice (1089 points); a
  # boundary needs far fewer, and each level has some.
  [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ $((81 + n1 + n2)) -lt 1089 ] \
    || fail "levels of $n1 and $n2 points"
  # fetch of the grid: the whole family in one zip, a level column.
  "$bin/brainsweep" fetch "$grid" -o "$tmp/family.zip" 2> /dev/null || fail "fetch of the family"
  unzip -p "$tmp/family.zip" metrics.csv > "$tmp/metrics.csv" || fail "no metrics.csv"
  head -1 "$tmp/metrics.csv" | grep -q "^point,model.I,model.a,level,status,GlobalVariance," \
    || fail "family metrics.csv header: $(head -1 "$tmp/metrics.csv")"
  [ "$(tail -n +2 "$tmp/metrics.csv" | cut -d, -f4 | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')" \
    = "0:81 1:$n1 2:$n2 " ] || fail "family rows by level: $(tail -n +2 "$tmp/metrics.csv" | cut -d, -f4 | sort | uniq -c)"
  [ "$(unzip -l "$tmp/family.zip" | grep -c 'TimeSeriesRegion_.*\.h5$')" = $((81 + n1 + n2)) ] \
    || fail "the family zip lacks time series"
  unzip -l "$tmp/family.zip" | grep -q " refinements/level-2.json$" || fail "no refinements/level-2.json"
  "$bin/brainsweep" list > "$tmp/list.out" || fail "list"
  grep -q "^$grid .* $grid grid  *coarse$" "$tmp/list.out" || fail "list: $(cat "$tmp/list.out")"
  grep -q "^$l2 .* $grid level 2  *coarse, level 2$" "$tmp/list.out" || fail "list: $(cat "$tmp/list.out")"
  # Same seed, same refinement: the same points in each level.
  submit_grid
  timeout 120 "$bin/brainsweep" refine "$id" -m GlobalVariance -l 2 -q > /dev/null || fail "second refine"
  [ "$(level_points "$id" 1) $(level_points "$id" 2)" = "$n1 $n2" ] \
    || fail "the same grid refined again: $(level_points "$id" 1) $(level_points "$id" 2), first $n1 $n2"
  "$bin/brainsweep" fetch "$id" -o "$tmp/again.zip" 2> /dev/null || fail "fetch of the second family"
  for l in 1 2; do
    unzip -p "$tmp/family.zip" "refinements/level-$l.json" | jq -c .points > "$tmp/first.json"
    unzip -p "$tmp/again.zip" "refinements/level-$l.json" | jq -c .points > "$tmp/again.json"
    [ "$(jq length "$tmp/first.json")" -gt 0 ] || fail "level $l lists no points"
    cmp -s "$tmp/first.json" "$tmp/again.json" || fail "level $l's points differ between two refinements"
  done
  # Refusals.
  expect_fail 1 "is level 1 of sweep $grid's refinement; refine the grid" "refine of a level" \
    "$bin/brainsweep" refine "$l1" --metric GlobalVariance
  expect_fail 1 "sweep $grid is refined already (done: all 2 levels ran" "refine twice" \
    "$bin/brainsweep" refine "$grid" --metric GlobalVariance
  submit_grid
  expect_fail 1 "unknown metric \"Nonsense\" (sweep $id has GlobalVariance, Metastability, Synchrony, VarianceNodeVariance)" \
    "unknown metric" "$bin/brainsweep" refine "$id" --metric Nonsense
  # A name from a peer is escaped in the reply and in the broker's log.
  esc=$(printf 'x\033[31m')
  expect_fail 1 'unknown metric "x\x1b[31m"' "a metric with a control character" \
    "$bin/brainsweep" refine "$id" --metric "$esc"
  grep -q "$(printf '\033')" "$tmp/broker.log" && fail "a raw escape reached the broker's log"
  expect_fail 2 "--threshold" "threshold above 1" \
    "$bin/brainsweep" refine "$id" --metric GlobalVariance --threshold 2
  printf '{"simulation_length": 50.0, "ranges": [{"parameter": "model.I", "lo": 0, "hi": 1}], "sampling": {"method": "sobol", "points": 4}}' > "$tmp/sobol.json"
  sid=$("$bin/brainsweep" submit "$tmp/sobol.json" -q) || fail "submit sobol"
  timeout 120 "$bin/brainsweep" watch "$sid" > /dev/null 2>&1 || fail "the sobol sweep did not finish"
  expect_fail 1 "sweep $sid samples its points (sobol), it is not a grid" "refine of a sampled sweep" \
    "$bin/brainsweep" refine "$sid" --metric GlobalVariance
  # A cancelled grid (far too big to finish before the cancel).
  sed 's/"step": 1.0}/"step": 0.01}/' "$tmp/grid.json" > "$tmp/big.json"
  bid=$("$bin/brainsweep" submit "$tmp/big.json" -q) || fail "submit big"
  "$bin/brainsweep" cancel "$bid" > /dev/null || fail "cancel"
  expect_fail 1 "sweep $bid is cancelled; only a finished grid can be refined" "refine of a cancelled sweep" \
    "$bin/brainsweep" refine "$bid" --metric GlobalVariance
  expect_fail 1 "no sweep 999" "refine of no sweep" "$bin/brainsweep" refine 999 --metric GlobalVariance
  ;;
restart)
  bsw_start_broker --heartbeat-ms $HB
  start_worker 1
  submit_grid
  grid=$id
  # No worker from here: level 1 waits, made but not run.
  kill -KILL "$worker"
  "$bin/brainsweep" refine "$grid" --metric GlobalVariance --levels 2 --detach > "$tmp/detach.out" \
    || fail "refine --detach"
  [ "$(cat "$tmp/detach.out")" = "$grid" ] || fail "refine --detach printed: $(cat "$tmp/detach.out")"
  [ "$(bsw_status "$grid" '.refinement | [.state, (.family | length)] | join(" ")')" = "running 1" ] \
    || fail "after --detach: $("$bin/brainsweep" status "$grid" --json)"
  l1=$(bsw_status "$grid" '.refinement.family[0]')
  # While it runs: the family's zip would miss levels, and a retried member
  # would change what the next levels are made from.
  expect_fail 1 "sweep $grid's refinement is running, and its zip holds every level" \
    "fetch of a running family" "$bin/brainsweep" fetch "$grid" -o "$tmp/early.zip"
  [ ! -e "$tmp/early.zip" ] || fail "a refused fetch left a file"
  expect_fail 1 "sweep $l1 is part of sweep $grid's refinement, which is running" \
    "retry of a running family's level" "$bin/brainsweep" retry "$l1"
  bsw_kill_broker
  bsw_start_broker --heartbeat-ms $HB
  [ "$(bsw_status "$grid" '.refinement | [.state, (.family | length)] | join(" ")')" = "running 1" ] \
    || fail "after the restart: $("$bin/brainsweep" status "$grid" --json)"
  start_worker 2
  bsw_wait 120 "the refinement to end" refined "$grid"
  [ "$(bsw_status "$grid" .refinement.state)" = "done" ] || fail "$("$bin/brainsweep" status "$grid" --json)"
  [ "$(bsw_status "$grid" '.refinement.family[0]')" = "$l1" ] || fail "level 1 was made again"
  [ "$(bsw_status "$grid" '.refinement.family | length')" = 2 ] || fail "$("$bin/brainsweep" status "$grid" --json)"
  # One sweep per level: the grid and two levels, nothing else.
  [ "$("$bin/brainsweep" list | tail -n +2 | wc -l)" = 3 ] || fail "list: $("$bin/brainsweep" list)"
  "$bin/brainsweep" status "$grid" > "$tmp/status.out" || fail "status"
  grep -q "^  ended      all 2 levels ran: [0-9]* points with the grid's$" "$tmp/status.out" \
    || fail "status: $(cat "$tmp/status.out")"
  ;;
too_big)
  # A level whose spec could not list its points: 7 parameters of 3 values
  # (2,187 short points), a threshold that halves nearly every cell (up to
  # 5^7 - 3^7 = 75,938 new points, where a spec lists some 12,000): the
  # refinement ends as failed, saying why, and the broker goes on serving.
  bsw_start_broker --heartbeat-ms $HB
  start_worker 1; start_worker 2
  cat > "$tmp/grid.json" <<'JSON'
{"simulation_length": 20.0, "metrics": {"start_point": 10.0}, "keep": "metrics",
 "ranges": [{"parameter": "model.I", "values": [0, 1, 2]},
            {"parameter": "model.a", "values": [0, 1, 2]},
            {"parameter": "model.b", "values": [-10, -9, -8]},
            {"parameter": "model.c", "values": [0, 0.1, 0.2]},
            {"parameter": "model.d", "values": [0.02, 0.03, 0.04]},
            {"parameter": "model.e", "values": [3, 3.5, 4]},
            {"parameter": "coupling.a", "values": [0, 0.005, 0.01]}]}
JSON
  submit_grid
  timeout 60 "$bin/brainsweep" refine "$id" -m GlobalVariance -t 1e-9 > "$tmp/refine.out" 2> "$tmp/refine.log"
  rc=$?
  [ $rc -eq 1 ] || fail "refine of a too big level exited $rc: $(cat "$tmp/refine.out")"
  grep -q "^  ended      level 1: more than [0-9]* points, the most a level's spec can list" \
    "$tmp/refine.out" || fail "refine said: $(cat "$tmp/refine.out")"
  [ "$(bsw_status "$id" '.refinement | [.state, (.family | length)] | join(" ")')" = "failed 0" ] \
    || fail "$("$bin/brainsweep" status "$id" --json)"
  "$bin/brainsweep" list > /dev/null || fail "the broker stopped answering"
  ;;
*)
  echo "unknown case $case_name"; exit 2
  ;;
esac
echo "1 passed, 0 failed"
