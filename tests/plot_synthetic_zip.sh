#!/bin/sh
# plot_synthetic_zip.sh NX NY OUT.zip - a synthetic export for `brainsweep
# plot`: only what plot reads of an export, sweep.json (model.I x model.a,
# NX x NY values, -5 and -3 upwards in steps of 1/32, exact in binary) and
# metrics.csv (one row per point), without running a simulation. So a
# test or a benchmark can plot a sweep of 90,000 or 1,000,000 points in
# seconds. The metrics are made up and deterministic: GlobalVariance =
# VarianceNodeVariance = (i + 2 j) / (NX + 2 NY) + (7 i + 3 j mod 10) / 1000
# for the point at (i, j); every point k with k mod 997 = 13 failed, every
# k mod 1009 = 7 has a NaN VarianceNodeVariance, the last NY points (the
# last model.I value) are pending. Needs awk and zip.
set -eu
[ $# -eq 3 ] || { echo "usage: plot_synthetic_zip.sh NX NY OUT.zip" >&2; exit 2; }
nx=$1 ny=$2 out=$3
dir=$(mktemp -d "${TMPDIR:-/tmp}/bsw-synthetic-XXXXXX")
trap 'rm -rf "$dir"' EXIT
awk -v nx="$nx" -v ny="$ny" 'BEGIN {
  printf "{\"name\": \"synthetic %dx%d\", \"simulation_length\": 100.0,\n \"ranges\": [", nx, ny
  printf "{\"parameter\": \"model.I\", \"values\": ["
  for (i = 0; i < nx; i++) printf "%s%.10g", (i ? ", " : ""), -5 + i / 32
  printf "]},\n  {\"parameter\": \"model.a\", \"values\": ["
  for (j = 0; j < ny; j++) printf "%s%.10g", (j ? ", " : ""), -3 + j / 32
  printf "]}]}\n"
}' > "$dir/sweep.json"
awk -v nx="$nx" -v ny="$ny" 'BEGIN {
  print "point,model.I,model.a,status,GlobalVariance,Metastability,Synchrony,VarianceNodeVariance"
  k = 0
  for (i = 0; i < nx; i++)
    for (j = 0; j < ny; j++) {
      x = sprintf("%.10g", -5 + i / 32); y = sprintf("%.10g", -3 + j / 32)
      if (i == nx - 1) printf "%d,%s,%s,pending,,,,\n", k, x, y
      else if (k % 997 == 13) printf "%d,%s,%s,failed,,,,\n", k, x, y
      else {
        v = (i + 2 * j) / (nx + 2 * ny) + ((7 * i + 3 * j) % 10) / 1000
        vnv = k % 1009 == 7 ? "nan" : sprintf("%.17g", v)
        printf "%d,%s,%s,ok,%.17g,0.25,0.5,%s\n", k, x, y, v, vnv
      }
      k++
    }
}' > "$dir/metrics.csv"
rm -f "$out"
zip -q -j "$out" "$dir/sweep.json" "$dir/metrics.csv"
