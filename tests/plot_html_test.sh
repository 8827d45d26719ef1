#!/bin/sh
# plot_html_test.sh - `brainsweep plot` end to end, as a person sees it: a
# small sweep run locally (12 points), its PSE view as a self-contained
# HTML page (and the export's own pse.html), opened in headless Chromium by
# plot_html_check.js: every point drawn, a hover shows the point's values,
# the screenshot is not blank. The SVG, PNG and PDF of the same sweep are
# checked for size and kind, and a time series is plotted from the zip.
# Then a dense view: a synthetic export of 300 x 300 = 90,000 points
# (plot_synthetic_zip.sh: what plot reads, no simulation), its page
# checked in Chromium for cells in the right colours, a tooltip per cell
# and working menus; its SVG holds one image and no marker. A range of
# 1,200 values is sliced with a number field instead of a menu. Then
# scatters (plot_scatter_zip.sh): a refinement family's 300 points as
# elements, and 20,000 as one canvas.
# Skips (77) without node, chromium, zip or unzip.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
: "${bin:?BSW_BIN_DIR}"
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
command -v node > /dev/null 2>&1 || { echo "skip: node is not installed"; exit 77; }
[ -x "$chromium" ] || { echo "skip: no chromium at $chromium"; exit 77; }
command -v unzip > /dev/null 2>&1 || { echo "skip: unzip is not installed"; exit 77; }
command -v zip > /dev/null 2>&1 || { echo "skip: zip is not installed"; exit 77; }
bsw_init plot-html

cat > "$tmp/spec.json" <<'JSON'
{"name": "plot test", "simulation_length": 600.0,
 "ranges": [{"parameter": "model.I", "values": [-2.0, 0.0, 2.0]},
            {"parameter": "model.a", "values": [-2.0, 0.0, 1.0, 2.0]}]}
JSON
"$bin/brainsweep" run "$tmp/spec.json" -o "$tmp/sweep.zip" > "$tmp/run.log" 2>&1 \
  || { cat "$tmp/run.log"; fail "brainsweep run"; }
unzip -p "$tmp/sweep.zip" metrics.csv > "$tmp/metrics.csv" || fail "no metrics.csv"
unzip -p "$tmp/sweep.zip" pse.html > "$tmp/export.html" || fail "no pse.html in the export"
unzip -p "$tmp/sweep.zip" pse.svg > "$tmp/export.svg" || fail "no pse.svg in the export"
[ "$(grep -c 'stroke-miterlimit:7;' "$tmp/export.svg")" -eq 12 ] || fail "export.svg: not 12 markers"

"$bin/brainsweep" plot "$tmp/sweep.zip" -o "$tmp/pse.html" 2> "$tmp/plot.log" \
  || { cat "$tmp/plot.log"; fail "brainsweep plot -o pse.html"; }
node "$here/plot_html_check.js" "$tmp/pse.html" "$tmp/metrics.csv" 12 "$tmp/shot.png" \
  || fail "pse.html"
node "$here/plot_html_check.js" "$tmp/export.html" "$tmp/metrics.csv" 12 "" \
  || fail "the export's pse.html"

# The images: the right kind of file, each point once in the SVG.
for ext in svg png pdf; do
  "$bin/brainsweep" plot "$tmp/sweep.zip" -o "$tmp/pse.$ext" 2> "$tmp/plot.log" \
    || { cat "$tmp/plot.log"; fail "brainsweep plot -o pse.$ext"; }
  grep -q "12 points in 1 panel" "$tmp/plot.log" || fail "pse.$ext: $(cat "$tmp/plot.log")"
done
[ "$(grep -c 'stroke-miterlimit:7;' "$tmp/pse.svg")" -eq 12 ] || fail "pse.svg: not 12 markers"
head -c 8 "$tmp/pse.png" | od -An -c | grep -q 'P   N   G' || fail "pse.png is not a PNG"
head -c 5 "$tmp/pse.pdf" | grep -q '%PDF-' || fail "pse.pdf is not a PDF"
"$bin/brainsweep" plot "$tmp/sweep.zip" --point 11 -o "$tmp/ts.png" 2> /dev/null || fail "--point 11"
[ -s "$tmp/ts.png" ] || fail "ts.png is empty"

# Mistakes answer with a sentence and exit 1 (2 for bad usage).
expect_fail 1 "no such metric; the sweep has GlobalVariance" "--colour Nope" \
  "$bin/brainsweep" plot "$tmp/sweep.zip" -o "$tmp/x.png" --colour Nope
expect_fail 1 "its values are -2, 0, 1, 2" "--slice model.a=7" \
  "$bin/brainsweep" plot "$tmp/sweep.zip" -o "$tmp/x.png" --slice model.a=7
expect_fail 2 "the output must end in .svg, .png, .pdf or .html" "x.gif" \
  "$bin/brainsweep" plot "$tmp/sweep.zip" -o "$tmp/x.gif"
expect_fail 1 "point 12 has no time series" "--point 12" \
  "$bin/brainsweep" plot "$tmp/sweep.zip" --point 12 -o "$tmp/x.png"

# Dense: 90,000 points, one cell each; the colour scale forced linear so
# the checker can compute each cell's colour from metrics.csv.
sh "$here/plot_synthetic_zip.sh" 300 300 "$tmp/dense.zip" || fail "plot_synthetic_zip.sh"
unzip -p "$tmp/dense.zip" metrics.csv > "$tmp/dense.csv" || fail "no metrics.csv in dense.zip"
"$bin/brainsweep" plot "$tmp/dense.zip" --colour-scale linear -o "$tmp/dense.html" 2> "$tmp/plot.log" \
  || { cat "$tmp/plot.log"; fail "brainsweep plot -o dense.html"; }
grep -q '"values_f64":"' "$tmp/dense.html" || fail "dense.html: no values_f64"
node "$here/plot_html_check.js" "$tmp/dense.html" "$tmp/dense.csv" 90000 "$tmp/dense-shot.png" dense \
  || fail "dense.html"
"$bin/brainsweep" plot "$tmp/dense.zip" -o "$tmp/dense.svg" 2> "$tmp/plot.log" \
  || { cat "$tmp/plot.log"; fail "brainsweep plot -o dense.svg"; }
grep -q "90000 points in 1 panel, dense: one cell per point (89521 coloured, 179 failed or NaN, 300 pending" \
  "$tmp/plot.log" || fail "dense.svg: $(cat "$tmp/plot.log")"
[ "$(grep -c '<image ' "$tmp/dense.svg")" -eq 1 ] || fail "dense.svg: not one image"
[ "$(grep -c 'stroke-miterlimit:7;' "$tmp/dense.svg")" -eq 0 ] || fail "dense.svg: point markers"

# A range of 1,200 values is sliced by a number field, not 1,201 options.
sh "$here/plot_synthetic_zip.sh" 1200 3 "$tmp/long.zip" || fail "plot_synthetic_zip.sh 1200 3"
unzip -p "$tmp/long.zip" metrics.csv > "$tmp/long.csv" || fail "no metrics.csv in long.zip"
"$bin/brainsweep" plot "$tmp/long.zip" -o "$tmp/long.html" 2> "$tmp/plot.log" \
  || { cat "$tmp/plot.log"; fail "brainsweep plot -o long.html"; }
node "$here/plot_html_check.js" "$tmp/long.html" "$tmp/long.csv" 3 "" field || fail "long.html"

# A refinement family's zip (a level column): a scatter, every point an
# element with its tooltip (level included); its SVG one marker a point.
sh "$here/plot_scatter_zip.sh" 300 family "$tmp/family.zip" || fail "plot_scatter_zip.sh 300 family"
unzip -p "$tmp/family.zip" metrics.csv > "$tmp/family.csv" || fail "no metrics.csv in family.zip"
"$bin/brainsweep" plot "$tmp/family.zip" -o "$tmp/family.html" 2> "$tmp/plot.log" \
  || { cat "$tmp/plot.log"; fail "brainsweep plot -o family.html"; }
node "$here/plot_html_check.js" "$tmp/family.html" "$tmp/family.csv" 300 "" || fail "family.html"
for ext in svg png pdf; do
  "$bin/brainsweep" plot "$tmp/family.zip" -o "$tmp/family.$ext" 2> "$tmp/plot.log" \
    || { cat "$tmp/plot.log"; fail "brainsweep plot -o family.$ext"; }
  grep -q "a scatter: each point at its values" "$tmp/plot.log" || fail "family.$ext: $(cat "$tmp/plot.log")"
done
[ "$(grep -c 'stroke-miterlimit:7;' "$tmp/family.svg")" -eq 300 ] || fail "family.svg: not 300 markers"
expect_fail 1 "the sweep's points are no grid" "--slice on a scatter" \
  "$bin/brainsweep" plot "$tmp/family.zip" -o "$tmp/x.png" --slice model.I=0
expect_fail 1 "--x model.b: no such axis; the sweep's axes are model.I, model.a" "--x model.b" \
  "$bin/brainsweep" plot "$tmp/family.zip" -o "$tmp/x.png" --x model.b

# A sampled sweep's zip (random, no level column): a scatter too.
sh "$here/plot_scatter_zip.sh" 500 random "$tmp/random.zip" || fail "plot_scatter_zip.sh 500 random"
unzip -p "$tmp/random.zip" metrics.csv > "$tmp/random.csv" || fail "no metrics.csv in random.zip"
"$bin/brainsweep" plot "$tmp/random.zip" -o "$tmp/random.html" 2> "$tmp/plot.log" \
  || { cat "$tmp/plot.log"; fail "brainsweep plot -o random.html"; }
node "$here/plot_html_check.js" "$tmp/random.html" "$tmp/random.csv" 500 "" || fail "random.html"

# A dense scatter: 20,000 points, one canvas; a failed point is red where
# its values are, hovering it shows its tooltip, the x axis menu swaps.
sh "$here/plot_scatter_zip.sh" 20000 family "$tmp/scatter.zip" || fail "plot_scatter_zip.sh 20000"
unzip -p "$tmp/scatter.zip" metrics.csv > "$tmp/scatter.csv" || fail "no metrics.csv in scatter.zip"
"$bin/brainsweep" plot "$tmp/scatter.zip" -o "$tmp/scatter.html" 2> "$tmp/plot.log" \
  || { cat "$tmp/plot.log"; fail "brainsweep plot -o scatter.html"; }
node "$here/plot_html_check.js" "$tmp/scatter.html" "$tmp/scatter.csv" 20000 "" scatter || fail "scatter.html"
"$bin/brainsweep" plot "$tmp/scatter.zip" -o "$tmp/scatter.svg" 2> "$tmp/plot.log" \
  || { cat "$tmp/plot.log"; fail "brainsweep plot -o scatter.svg"; }
grep -q "20000 points in 1 panel, dense: one square per point" "$tmp/plot.log" \
  || fail "scatter.svg: $(cat "$tmp/plot.log")"
[ "$(grep -c '<image ' "$tmp/scatter.svg")" -eq 1 ] || fail "scatter.svg: not one image"
echo "ok"
