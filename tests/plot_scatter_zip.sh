#!/bin/sh
# plot_scatter_zip.sh N KIND OUT.zip - a synthetic export of points that
# are no grid, for `brainsweep plot`: only sweep.json and metrics.csv, no
# simulation. N points in model.I x model.a, [-5, 5) x [-3, 3), from awk's
# seeded generator. KIND:
#   family  sweep.json a 3 x 3 grid over the box, metrics.csv with a level
#           column: every point k has level k mod 3 (as a refinement
#           family's zip has)
#   random  sweep.json a random sampling design of N points over the box
#           (the values in metrics.csv are awk's, not the spec's: plot
#           reads them from metrics.csv), no level column
# GlobalVariance = VarianceNodeVariance = exp(-(I^2 + a^2) / 8); every
# point k with k mod 97 = 13 failed, k mod 101 = 7 has a NaN
# VarianceNodeVariance, k mod 89 = 5 is pending. Needs awk and zip.
set -eu
[ $# -eq 3 ] || { echo "usage: plot_scatter_zip.sh N family|random OUT.zip" >&2; exit 2; }
n=$1 kind=$2 out=$3
case $kind in family | random) ;; *) echo "plot_scatter_zip.sh: KIND is family or random" >&2; exit 2 ;; esac
dir=$(mktemp -d "${TMPDIR:-/tmp}/bsw-scatter-XXXXXX")
trap 'rm -rf "$dir"' EXIT
if [ "$kind" = family ]; then
  cat > "$dir/sweep.json" <<'JSON'
{"name": "synthetic family", "simulation_length": 100.0,
 "ranges": [{"parameter": "model.I", "values": [-5.0, 0.0, 5.0]},
            {"parameter": "model.a", "values": [-3.0, 0.0, 3.0]}]}
JSON
else
  printf '{"name": "synthetic random", "simulation_length": 100.0,\n "ranges": [{"parameter": "model.I", "lo": -5.0, "hi": 5.0}, {"parameter": "model.a", "lo": -3.0, "hi": 3.0}],\n "sampling": {"method": "random", "points": %d, "seed": 3}}\n' "$n" > "$dir/sweep.json"
fi
awk -v n="$n" -v kind="$kind" 'BEGIN {
  srand(3)
  level = kind == "family" ? ",level" : ""
  print "point,model.I,model.a" level ",status,GlobalVariance,Metastability,Synchrony,VarianceNodeVariance"
  for (k = 0; k < n; k++) {
    x = sprintf("%.10g", -5 + 10 * rand()); y = sprintf("%.10g", -3 + 6 * rand())
    lv = kind == "family" ? "," (k % 3) : ""
    if (k % 89 == 5) printf "%d,%s,%s%s,pending,,,,\n", k, x, y, lv
    else if (k % 97 == 13) printf "%d,%s,%s%s,failed,,,,\n", k, x, y, lv
    else {
      v = exp(-(x * x + y * y) / 8)
      vnv = k % 101 == 7 ? "nan" : sprintf("%.17g", v)
      printf "%d,%s,%s%s,ok,%.17g,0.25,0.5,%s\n", k, x, y, lv, v, vnv
    }
  }
}' > "$dir/metrics.csv"
rm -f "$out"
zip -q -j "$out" "$dir/sweep.json" "$dir/metrics.csv"
