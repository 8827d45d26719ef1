#!/bin/sh
# cli_simulate_test.sh - `brainsweep simulate` end to end: a good run
# writes a file and prints TVB-ordered metrics; every malformed spec or
# connectivity exits 1 with one sentence naming the problem and leaves no
# output file (for every model and coupling; `run` likewise, before its
# broker starts); bad usage exits 2; --help tells the truth.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
bsw_init cli
# This test counts its checks and goes on after a failed one (miss), where
# lib.sh's fail stops at the first.
bin="${BSW_BIN_DIR:?}/brainsweep"
failures=0
passes=0

miss () { echo "FAIL: $*"; failures=$((failures + 1)); }
pass () { passes=$((passes + 1)); }

# expect_error NAME SPEC_TEXT NEEDLE: the run fails (1), says NEEDLE, no file.
expect_error () {
  name=$1; text=$2; needle=$3
  printf '%s' "$text" > "$tmp/$name.json"
  "$bin" simulate "$tmp/$name.json" -o "$tmp/$name.h5" > "$tmp/out" 2> "$tmp/err"
  rc=$?
  if [ $rc -ne 1 ]; then miss "$name: exit $rc, expected 1"; return; fi
  if ! grep -qF -- "$needle" "$tmp/err"; then miss "$name: stderr lacks '$needle': $(cat "$tmp/err")"; return; fi
  for left in "$tmp/$name.h5" "$tmp/$name.h5".tmp*; do
    if [ -e "$left" ]; then miss "$name: left an output file"; return; fi
  done
  if [ -s "$tmp/out" ]; then miss "$name: printed to stdout"; return; fi
  pass
}

# A good short run.
cat > "$tmp/good.json" <<'JSON'
{"simulation_length": 20.0, "model": {"parameters": {"a": 2.0}, "variables_of_interest": ["V", "W"]}}
JSON
if "$bin" simulate "$tmp/good.json" -o "$tmp/good.h5" > "$tmp/out" 2> "$tmp/err"; then
  grep -q '^{"GlobalVariance": [-0-9.e]*, "KuramotoIndex": [-0-9.e]*, "Metastability": .*, "Synchrony": .*, "VarianceNodeVariance": .*}$' "$tmp/out" \
    && [ -s "$tmp/good.h5" ] && pass || miss "good run: output $(cat "$tmp/out")"
else
  miss "good run exited non-zero: $(cat "$tmp/err")"
fi
# Without -o: metrics only, no file anywhere.
(cd "$tmp" && "$bin" simulate good.json > out2) && grep -q GlobalVariance "$tmp/out2" && pass || miss "run without -o"
# --point selects a sweep point; out of range is an error.
cat > "$tmp/sweep.json" <<'JSON'
{"simulation_length": 10.0, "ranges": [{"parameter": "model.a", "values": [1.0, 2.0]}]}
JSON
"$bin" simulate "$tmp/sweep.json" --point 1 > /dev/null 2>&1 && pass || miss "--point 1"
"$bin" simulate "$tmp/sweep.json" --point 2 -o "$tmp/p2.h5" > /dev/null 2> "$tmp/err"
[ $? -eq 1 ] && [ ! -e "$tmp/p2.h5" ] && pass || miss "--point 2 of 2 points"

# Malformed specs.
expect_error syntax '{"dt": ' "line 1"
expect_error not_object '[1, 2]' "JSON object is expected"
expect_error unknown_field '{"simulaton_length": 100}' "simulaton_length"
expect_error unknown_param '{"model": {"parameters": {"zeta": 1}}}' "zeta"
expect_error param_string '{"model": {"parameters": {"a": "3.0"}}}' "model.parameters.a"
expect_error dt_zero '{"integrator": {"type": "HeunDeterministic", "dt": 0}}' "integrator.dt"
expect_error dt_negative '{"integrator": {"type": "HeunDeterministic", "dt": -0.1}}' "integrator.dt"
expect_error length_zero '{"simulation_length": 0}' "simulation_length"
expect_error period_long '{"simulation_length": 10, "monitor": {"type": "TemporalAverage", "period": 20}}' "period"
expect_error voi_unknown '{"model": {"variables_of_interest": ["X"]}}' "variables_of_interest"
expect_error voi_empty '{"model": {"variables_of_interest": []}}' "variables_of_interest"
expect_error integrator_unknown '{"integrator": {"type": "Euler"}}' "integrator.type"
expect_error monitor_unknown '{"monitor": {"type": "Bold"}}' "monitor.type"
expect_error model_unknown '{"model": {"type": "Wilson"}}' \
  'model.type: "Wilson" is not a known model (expected one of Generic2dOscillator, Kuramoto, SupHopf, ReducedWongWang, MontbrioPazoRoxin, JansenRit)'
expect_error seed_negative '{"seed": -1}' "seed"
expect_error seed_fraction '{"seed": 4.5}' "seed"
expect_error segment_zero '{"metrics": {"segment": 0}}' "metrics.segment"
expect_error ic_short '{"initial_conditions": {"V": [0.1], "W": [0.1]}}' "initial_conditions"
expect_error range_step_zero '{"ranges": [{"parameter": "model.a", "lo": 0, "hi": 1, "step": 0}]}' "ranges[0].step"
expect_error range_empty '{"ranges": [{"parameter": "model.a", "lo": 1, "hi": 1, "step": 0.1}]}' "ranges[0]"
expect_error range_unknown '{"ranges": [{"parameter": "model.q", "values": [1]}]}' "model.q"
expect_error noise_deterministic '{"integrator": {"type": "HeunDeterministic", "noise": {"nsig": 1}}}' "noise"
expect_error speed_zero '{"conduction_speed": 0}' "conduction_speed"
expect_error missing_connectivity '{"connectivity": "no-such.zip"}' "no-such.zip"

# The other models (issue 12): one sentence naming the field, before anything runs.
expect_error coupling_unknown '{"model": {"type": "SupHopf"}, "coupling": {"type": "Sigmoid"}}' \
  'coupling.type: "Sigmoid" is not a known coupling (expected one of Linear, Difference, Kuramoto, SigmoidalJansenRit)'
expect_error model_param '{"model": {"type": "SupHopf", "parameters": {"I": 1}}}' \
  'model.parameters.I: unknown parameter of SupHopf (expected one of a, omega)'
expect_error model_voi '{"model": {"type": "JansenRit", "variables_of_interest": ["V"]}, "coupling": {"type": "SigmoidalJansenRit"}}' \
  'model.variables_of_interest[0]: "V" is not a variable of interest of JansenRit (expected one of y0, y1, y2, y3, y4, y5)'
expect_error model_ic '{"model": {"type": "Kuramoto"}, "initial_conditions": {"theta": [0.1], "V": [0.1]}}' \
  'initial_conditions.V: "V" is not a state variable of Kuramoto (expected theta)'
expect_error model_range '{"model": {"type": "ReducedWongWang"}, "ranges": [{"parameter": "model.I", "values": [1]}]}' \
  'ranges[0]: unknown parameter "model.I" (rangeable: model.a, model.b'
expect_error coupling_param '{"model": {"type": "Kuramoto"}, "coupling": {"type": "Difference", "b": 1}}' \
  'coupling.b: unknown field of Difference coupling (expected one of type, a)'
expect_error coupling_cvars '{"model": {"type": "Kuramoto"}, "coupling": {"type": "SigmoidalJansenRit"}}' \
  'coupling.type: SigmoidalJansenRit reads two coupling variables (the first minus the second), but Kuramoto has 1'
# run refuses the same before its broker and workers start: no zip, no data.
expect_run_error () {
  name=$1; text=$2; needle=$3
  printf '%s' "$text" > "$tmp/$name.json"
  "$bin" run "$tmp/$name.json" -o "$tmp/$name.zip" -d "$tmp/$name.data" -q > "$tmp/out" 2> "$tmp/err"
  rc=$?
  if [ $rc -ne 1 ]; then miss "run $name: exit $rc, expected 1"; return; fi
  if ! grep -qF -- "$needle" "$tmp/err"; then miss "run $name: stderr lacks '$needle': $(cat "$tmp/err")"; return; fi
  if [ -e "$tmp/$name.zip" ] || [ -e "$tmp/$name.data" ]; then miss "run $name: left a zip or data"; return; fi
  pass
}
expect_run_error run_model '{"model": {"type": "Wilson"}, "ranges": [{"parameter": "model.a", "values": [1]}]}' \
  'brainsweep run: '"$tmp"'/run_model.json: model.type: "Wilson" is not a known model'
expect_run_error run_coupling '{"model": {"type": "SupHopf"}, "coupling": {"type": "Linear", "a": 0.1, "c": 1}}' \
  'coupling.c: unknown field of Linear coupling (expected one of type, a, b)'
expect_run_error run_voi '{"model": {"type": "MontbrioPazoRoxin", "variables_of_interest": ["r", "W"]}}' \
  'model.variables_of_interest[1]: "W" is not a variable of interest of MontbrioPazoRoxin (expected one of r, V)'
expect_run_error run_ic '{"model": {"type": "SupHopf"}, "initial_conditions": {"x": [0.1], "y": [0.1], "z": [0]}}' \
  'initial_conditions.z: "z" is not a state variable of SupHopf (expected x, y)'

# Malformed connectivity zips (built here with zip(1)).
mkconn () {
  dir="$tmp/conn-$1"; mkdir -p "$dir"; shift
  while [ $# -gt 1 ]; do printf '%b' "$2" > "$dir/$1"; shift 2; done
  (cd "$dir" && zip -q ../conn.zip ./*) ; mv "$tmp/conn.zip" "$tmp/$(basename "$dir").zip"
}
conn_error () {
  name=$1; needle=$2
  expect_error "$name" "{\"connectivity\": \"conn-$name.zip\", \"simulation_length\": 5}" "$needle"
}
mkconn noweights centres.txt 'a 0 0 0\nb 1 1 1\n'
conn_error noweights "weight"
mkconn shortrow weights.txt '0 1\n1\n' centres.txt 'a 0 0 0\nb 1 1 1\n'
conn_error shortrow "weights"
mkconn notnumber weights.txt '0 x\n1 0\n' centres.txt 'a 0 0 0\nb 1 1 1\n'
conn_error notnumber "'x'"
mkconn negtract weights.txt '0 1\n1 0\n' centres.txt 'a 0 0 0\nb 1 1 1\n' tract_lengths.txt '0 -1\n1 0\n'
conn_error negtract "negative"
printf 'not a zip' > "$tmp/conn-garbage.zip"
conn_error garbage "zip"

# Usage errors exit 2; --help exits 0 and documents the options.
"$bin" simulate > /dev/null 2>&1; [ $? -eq 2 ] && pass || miss "no spec: expected exit 2"
"$bin" simulate a.json --bogus > /dev/null 2>&1; [ $? -eq 2 ] && pass || miss "unknown option: expected exit 2"
"$bin" frobnicate > /dev/null 2>&1; [ $? -eq 2 ] && pass || miss "unknown command: expected exit 2"
"$bin" simulate --help > "$tmp/help" && grep -q -- "--output" "$tmp/help" && grep -q -- "--point" "$tmp/help" \
  && pass || miss "simulate --help"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
