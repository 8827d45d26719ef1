#!/bin/sh
# models_test.sh CASE - TVB's other models (issue 12) through the CLI.
# Cases:
#   run       a 2 x 2 sweep of SupHopf with Difference coupling over
#             coupling.a and model.a by `brainsweep run` (embedded broker and
#             workers): metrics.csv has every point with finite metrics
#             (KuramotoIndex too: VOIs x and y), equal to `simulate --point
#             K` digit for digit; the zip holds one SupHopf_*.h5 and one
#             Difference_*.h5 per point and no Generic2dOscillator or Linear
#             file; `plot` draws the PSE view (axes coupling.a, model.a) and
#             a point's series; a JansenRit point's series has a panel per
#             default VOI (y0..y3), so its image is taller than a one-VOI one
#   examples  every examples/*.json runs (`simulate --point 0`), and each
#             model's example shows what README says it shows: two points
#             of it, simulated, differ in the metric named by orders of
#             magnitude
# Needs jq and unzip (scripts/install-deps.sh --test); skips without them.
set -u
case_name=${1:?case}
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
: "${bin:?BSW_BIN_DIR}"
examples=${BSW_EXAMPLES_DIR:?}
for tool in jq unzip; do need $tool; done
bsw_init models
B="$bin/brainsweep"

# png_height FILE: the height in pixels from the PNG's IHDR chunk.
png_height () {
  od -An -tu1 -j20 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }'
}

# digits LIST: five comma-separated numbers as doubles to 15 digits, so
# that jq's and the CSV's spellings of one double compare equal.
digits () {
  echo "$1" | awk -F, 'NF == 5 { printf "%.15g,%.15g,%.15g,%.15g,%.15g", $1, $2, $3, $4, $5 }'
}

# metric SPEC K NAME: metric NAME of point K of SPEC, by simulate.
metric () {
  "$B" simulate "$1" --point "$2" 2> "$tmp/err" | jq -r ".$3" \
    || fail "simulate $1 --point $2: $(cat "$tmp/err")"
}

# bigger SPEC NAME K_BIG K_SMALL FACTOR: metric NAME of point K_BIG is
# over FACTOR times that of point K_SMALL (both positive and finite).
bigger () {
  big=$(metric "$1" "$3" "$2")
  small=$(metric "$1" "$4" "$2")
  awk -v b="$big" -v s="$small" -v f="$5" 'BEGIN { exit !(b > 0 && s > 0 && b > f * s) }' \
    || fail "${1##*/}: $2 of point $3 ($big) is not over $5 x that of point $4 ($small)"
}

case $case_name in
run)
  cat > "$tmp/spec.json" <<'JSON'
{"name": "suphopf", "simulation_length": 50.0,
 "model": {"type": "SupHopf", "parameters": {"omega": 0.8}, "variables_of_interest": ["x", "y"]},
 "coupling": {"type": "Difference"},
 "ranges": [{"parameter": "coupling.a", "values": [0.05, 0.2]},
            {"parameter": "model.a", "values": [-0.2, 0.3]}]}
JSON
  "$B" run "$tmp/spec.json" -o "$tmp/run.zip" -w 2 -q > "$tmp/run.out" 2>&1 \
    || fail "run: $(cat "$tmp/run.out")"
  unzip -p "$tmp/run.zip" metrics.csv > "$tmp/metrics.csv" || fail "no metrics.csv"
  head -1 "$tmp/metrics.csv" | grep -qx \
    'point,coupling.a,model.a,status,GlobalVariance,KuramotoIndex,Metastability,Synchrony,VarianceNodeVariance' \
    || fail "metrics.csv header: $(head -1 "$tmp/metrics.csv")"
  [ "$(wc -l < "$tmp/metrics.csv")" -eq 5 ] || fail "metrics.csv rows: $(cat "$tmp/metrics.csv")"
  for k in 0 1 2 3; do
    row=$(grep "^$k," "$tmp/metrics.csv") || fail "no row for point $k"
    echo "$row" | awk -F, '{ for (i = 5; i <= 9; i++) if ($i !~ /^-?[0-9]/ || $i ~ /[Nn]a[Nn]|Inf/) exit 1; exit $4 != "ok" }' \
      || fail "point $k is not ok with finite metrics: $row"
    want=$("$B" simulate "$tmp/spec.json" --point "$k" | jq -r '[.GlobalVariance, .KuramotoIndex, .Metastability, .Synchrony, .VarianceNodeVariance] | map(tostring) | join(",")')
    got=$(echo "$row" | cut -d, -f5-)
    [ "$(digits "$got")" = "$(digits "$want")" ] || fail "point $k: metrics.csv $got, simulate --point $want"
  done
  grep -q '^1,0.05,0.3,ok,' "$tmp/metrics.csv" || fail "point 1's values: $(cat "$tmp/metrics.csv")"
  unzip -Z1 "$tmp/run.zip" > "$tmp/names"
  [ "$(grep -c '^[1-4]/SupHopf_[0-9a-f]\{32\}\.h5$' "$tmp/names")" -eq 4 ] || fail "SupHopf files: $(cat "$tmp/names")"
  [ "$(grep -c '^[1-4]/Difference_[0-9a-f]\{32\}\.h5$' "$tmp/names")" -eq 4 ] || fail "Difference files"
  ! grep -q 'Generic2dOscillator_\|/Linear_' "$tmp/names" || fail "a G2D or Linear file: $(cat "$tmp/names")"
  # The PSE view and a point's series.
  "$B" plot "$tmp/run.zip" -o "$tmp/pse.png" 2> "$tmp/err" || fail "plot: $(cat "$tmp/err")"
  grep -q '4 points in 1 panel (4 discs, 0 crosses, 0 pending)' "$tmp/err" || fail "plot: $(cat "$tmp/err")"
  "$B" plot "$tmp/run.zip" -o "$tmp/pse.html" 2> "$tmp/err" || fail "plot html: $(cat "$tmp/err")"
  grep -q 'coupling\.a' "$tmp/pse.html" || fail "the page lacks coupling.a"
  grep -q 'model\.a' "$tmp/pse.html" || fail "the page lacks model.a"
  "$B" plot "$tmp/run.zip" --point 3 -o "$tmp/p3.png" 2> "$tmp/err" || fail "plot --point: $(cat "$tmp/err")"
  two=$(png_height "$tmp/p3.png")
  # JansenRit's four default VOIs make four panels: taller than SupHopf's two.
  cat > "$tmp/jr.json" <<'JSON'
{"name": "jr", "simulation_length": 20.0, "model": {"type": "JansenRit"},
 "coupling": {"type": "SigmoidalJansenRit"}, "integrator": {"type": "HeunDeterministic", "dt": 0.1},
 "ranges": [{"parameter": "model.mu", "values": [0.1, 0.2]}]}
JSON
  "$B" run "$tmp/jr.json" -o "$tmp/jr.zip" -w 2 -q > "$tmp/run.out" 2>&1 || fail "run jr: $(cat "$tmp/run.out")"
  unzip -Z1 "$tmp/jr.zip" | grep -q '^2/SigmoidalJansenRit_' || fail "no SigmoidalJansenRit file"
  "$B" plot "$tmp/jr.zip" --point 1 -o "$tmp/jr1.png" 2> "$tmp/err" || fail "plot jr: $(cat "$tmp/err")"
  four=$(png_height "$tmp/jr1.png")
  [ "$four" -gt "$two" ] \
    || fail "JansenRit's plot is $four px tall, SupHopf's (2 VOIs) $two px"
  "$B" plot "$tmp/jr.zip" -o "$tmp/jr.svg" 2> "$tmp/err" || fail "plot jr pse: $(cat "$tmp/err")"
  ;;
examples)
  n=0
  for spec in "$examples"/*.json; do
    "$B" simulate "$spec" --point 0 > "$tmp/out" 2> "$tmp/err" || fail "${spec##*/}: $(cat "$tmp/err")"
    jq -e '.GlobalVariance | numbers' "$tmp/out" > /dev/null || fail "${spec##*/}: $(cat "$tmp/out")"
    n=$((n + 1))
  done
  [ "$n" -ge 7 ] || fail "only $n examples in $examples"
  # Each model's example shows its effect (point numbers as in metrics.csv).
  e=$examples
  # Kuramoto: below a critical coupling the phases run free (GlobalVariance
  # of the unwrapped phase ~ (omega 500 ms)^2 / 12); above it they lock.
  bigger "$e/kuramoto_sync.json" GlobalVariance 3 27 1000  # a 0.01 vs 5, omega 0.5
  bigger "$e/kuramoto_sync.json" GlobalVariance 10 9 1000  # omega 1 vs 0.5, a 0.05
  # SupHopf: oscillations only past a = 0; coupling phase-locks them.
  bigger "$e/suphopf_bifurcation.json" GlobalVariance 30 10 1000   # a 0.5 vs -0.5, uncoupled
  bigger "$e/suphopf_bifurcation.json" KuramotoIndex 33 30 3       # a 0.5, coupled 0.1 vs 0
  # ReducedWongWang: the slowest relaxation moves to weaker coupling as w grows.
  bigger "$e/rww_w_coupling.json" GlobalVariance 40 0 100   # w 0.3: c 0.0125 vs 0
  bigger "$e/rww_w_coupling.json" GlobalVariance 7 47 1000  # w 1.0: c 0 vs 0.0125
  # JansenRit: alpha oscillations for mu in the middle band, none with strong coupling.
  bigger "$e/jansenrit_mu.json" GlobalVariance 20 0 1000   # mu 0.2 vs 0, uncoupled
  bigger "$e/jansenrit_mu.json" GlobalVariance 20 24 1000  # mu 0.2, c 0 vs 10
  # MontbrioPazoRoxin: bistable nodes split at eta -5 uncoupled; coupling 0.2 oscillates.
  bigger "$e/mpr_eta.json" Synchrony 0 25 1000          # eta -10 vs -5, uncoupled
  bigger "$e/mpr_eta.json" GlobalVariance 29 26 1000    # eta -5: c 0.2 vs 0.05
  ;;
*) fail "unknown case $case_name" ;;
esac
echo "PASS: $case_name"
