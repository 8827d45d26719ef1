#!/bin/sh
# plot_broker_test.sh - `brainsweep plot ID` against a real broker over
# loopback: a sweep with no worker yet is all pending rings; once a worker
# has run it, every point is a disc, and `--point K` draws the series the
# broker sends (RESULTS with_timeseries), the same picture as from the
# fetched zip. A sampled sweep is a scatter. Every wait is a bounded poll of a state (tests/lib.sh); the
# processes are killed on exit.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
: "${bin:?BSW_BIN_DIR}"
bsw_init plot-broker
bsw_start_broker --heartbeat-ms 250

cat > "$tmp/spec.json" <<'JSON'
{"name": "plot broker", "simulation_length": 300.0,
 "ranges": [{"parameter": "model.I", "values": [-1.0, 0.0, 1.0]},
            {"parameter": "model.a", "values": [-1.0, 1.0]},
            {"parameter": "coupling.a", "values": [0.001, 0.004]}]}
JSON
id=$("$bin/brainsweep" submit "$tmp/spec.json" -q) || fail "submit"

# No worker yet: 12 pending rings in 2 panels (coupling.a makes them).
"$bin/brainsweep" plot "$id" -o "$tmp/pending.svg" 2> "$tmp/plot.log" \
  || { cat "$tmp/plot.log"; fail "plot of a sweep without results"; }
grep -q "12 points in 2 panels (0 discs, 0 crosses, 12 pending)" "$tmp/plot.log" \
  || fail "pending: $(cat "$tmp/plot.log")"
[ "$(grep -c 'stroke-miterlimit:7;' "$tmp/pending.svg")" -eq 12 ] || fail "pending.svg markers"
expect_fail 1 "point 3 has no result yet (pending)" "--point 3" \
  "$bin/brainsweep" plot "$id" --point 3 -o "$tmp/x.png"

"$bin/brainsweep-worker" --threads 1 --heartbeat-ms 250 --name w1 > "$tmp/worker.log" 2>&1 &
bsw_track $!
timeout 120 "$bin/brainsweep" watch "$id" > /dev/null 2>&1 || fail "watch"

"$bin/brainsweep" plot "$id" -o "$tmp/done.png" --slice coupling.a=0.004 2> "$tmp/plot.log" \
  || { cat "$tmp/plot.log"; fail "plot of the finished sweep"; }
grep -q "6 points in 1 panel (6 discs, 0 crosses, 0 pending)" "$tmp/plot.log" \
  || fail "finished: $(cat "$tmp/plot.log")"
"$bin/brainsweep" plot "$id" -o "$tmp/done.html" 2> /dev/null || fail "html from the broker"
grep -q '"status":"oooooooooooo"' "$tmp/done.html" || fail "done.html statuses"

# The series from the broker is the series from the zip.
"$bin/brainsweep" plot "$id" --point 7 -o "$tmp/broker.svg" 2> /dev/null || fail "--point 7"
"$bin/brainsweep" fetch "$id" -o "$tmp/sweep.zip" > /dev/null 2>&1 || fail "fetch"
"$bin/brainsweep" plot "$tmp/sweep.zip" --point 7 -o "$tmp/zip.svg" 2> /dev/null || fail "--point 7 (zip)"
cmp -s "$tmp/broker.svg" "$tmp/zip.svg" || fail "the broker's and the zip's series of point 7 differ"
# Refined: the grid and its level drawn together as one scatter, from the
# broker and from the family's zip alike.
"$bin/brainsweep" refine "$id" -m GlobalVariance -q > "$tmp/refine.log" 2>&1 \
  || { cat "$tmp/refine.log"; fail "refine"; }
"$bin/brainsweep" plot "$id" -o "$tmp/family.svg" 2> "$tmp/plot.log" \
  || { cat "$tmp/plot.log"; fail "plot of a refined grid"; }
grep -q "a scatter: each point at its values" "$tmp/plot.log" || fail "family: $(cat "$tmp/plot.log")"
drawn=$(sed -n 's/.*: \([0-9]*\) points in 1 panel.*/\1/p' "$tmp/plot.log")
[ "${drawn:-0}" -gt 12 ] || fail "family: $(cat "$tmp/plot.log")"
"$bin/brainsweep" plot "$id" -o "$tmp/family.html" 2> /dev/null || fail "the family's page"
grep -q 'with 1 refinement level' "$tmp/family.html" || fail "family.html: no refinement in its title"
grep -q '"levels":\[0,' "$tmp/family.html" || fail "family.html: no levels"
"$bin/brainsweep" fetch "$id" -o "$tmp/family.zip" > /dev/null 2>&1 || fail "fetch the family"
"$bin/brainsweep" plot "$tmp/family.zip" -o "$tmp/family-zip.svg" 2> "$tmp/plot.log" \
  || { cat "$tmp/plot.log"; fail "plot of the family's zip"; }
grep -q "$drawn points in 1 panel ($drawn discs" "$tmp/plot.log" \
  || fail "family zip: $(cat "$tmp/plot.log"), expected $drawn discs"
expect_fail 1 "has 12 points (0 to 11): there is no point 12" "--point 12" \
  "$bin/brainsweep" plot "$id" --point 12 -o "$tmp/x.png"
expect_fail 1 "no sweep 999" "sweep 999" "$bin/brainsweep" plot 999 -o "$tmp/x.png"
# A sampled sweep (a Latin hypercube of 8 points) is a scatter, each
# point at its values, from the broker and from its zip; --point K works.
# A refined grid is a scatter of the grid and its level.
cat > "$tmp/lhs.json" <<'JSON'
{"name": "plot lhs", "simulation_length": 300.0,
 "ranges": [{"parameter": "model.I", "lo": -1.0, "hi": 1.0},
            {"parameter": "model.a", "lo": -1.0, "hi": 1.0},
            {"parameter": "coupling.a", "lo": 0.001, "hi": 0.004}],
 "sampling": {"method": "lhs", "points": 8, "seed": 3}}
JSON
lhs=$("$bin/brainsweep" submit "$tmp/lhs.json" -q) || fail "submit lhs"
timeout 120 "$bin/brainsweep" watch "$lhs" > /dev/null 2>&1 || fail "watch lhs"
"$bin/brainsweep" plot "$lhs" -o "$tmp/lhs.svg" --y coupling.a 2> "$tmp/plot.log" \
  || { cat "$tmp/plot.log"; fail "plot of a sampled sweep"; }
grep -q "8 points in 1 panel (8 discs, 0 crosses, 0 pending)" "$tmp/plot.log" \
  || fail "lhs: $(cat "$tmp/plot.log")"
grep -q "a scatter: each point at its values" "$tmp/plot.log" || fail "lhs: not a scatter"
[ "$(grep -c 'stroke-miterlimit:7;' "$tmp/lhs.svg")" -eq 8 ] || fail "lhs.svg markers"
"$bin/brainsweep" plot "$lhs" -o "$tmp/lhs.html" 2> /dev/null || fail "html of a sampled sweep"
grep -q '"scatter":true' "$tmp/lhs.html" || fail "lhs.html is not a scatter"
"$bin/brainsweep" plot "$lhs" --point 3 -o "$tmp/lhs-ts.svg" 2> /dev/null || fail "--point 3 of lhs"
[ -s "$tmp/lhs-ts.svg" ] || fail "lhs-ts.svg is empty"
"$bin/brainsweep" fetch "$lhs" -o "$tmp/lhs.zip" > /dev/null 2>&1 || fail "fetch lhs"
"$bin/brainsweep" plot "$tmp/lhs.zip" -o "$tmp/lhs-zip.svg" --y coupling.a 2> "$tmp/plot.log" \
  || { cat "$tmp/plot.log"; fail "plot of the lhs zip"; }
grep -q "8 points in 1 panel (8 discs, 0 crosses, 0 pending)" "$tmp/plot.log" \
  || fail "lhs zip: $(cat "$tmp/plot.log")"
expect_fail 1 "--x model.b: no such axis; the sweep's axes are model.I, model.a, coupling.a" \
  "--x model.b" "$bin/brainsweep" plot "$lhs" -o "$tmp/x.png" --x model.b
unset BRAINSWEEP_BROKER
expect_fail 2 "is a sweep ID but there is no broker" "no broker" \
  "$bin/brainsweep" plot "$id" -o "$tmp/x.png"
echo "ok"
