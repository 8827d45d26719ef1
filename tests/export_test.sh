#!/bin/sh
# export_test.sh CASE - the export zip end to end (issue 10), with real
# processes: `brainsweep run` (embedded broker), brainsweep-broker,
# brainsweep-worker and `brainsweep fetch`, over loopback. Cases:
#   tiny_run_fetch   a 12-point sweep of tiny series (4 regions, 3 ms) by
#                    `run`, and by a broker and a worker fetched twice: once
#                    following it as it runs, once after it ended. Each zip
#                    is valid and has TVB's whole layout (TVB.md 11.1): the
#                    simulation files of point k in folder k+1, its metric
#                    files in folder P+k+1, the connectivity, metrics.csv
#                    (one row per point, each equal to `simulate --point K`
#                    digit for digit), sweep.json (the spec), pse.svg and
#                    pse.html; the files reference each other as TVB's
#                    importer needs (TVB.md 11.2); every series equals
#                    `simulate --point K` bit for bit; the zips hold the
#                    same entries (GIDs aside: they derive from each
#                    sweep's own UUID)
#   keep_metrics     the same sweep with "keep": "metrics", by run and by
#                    fetch: no simulation or metric folders, no series
#                    stored, a README saying so, and metrics.csv equal to
#                    the "keep": "all" sweep's
#   mixed_encodings  one sweep on the built-in 76 regions run by a worker
#                    with --deflate and one without: the points of each are
#                    exported compressed and not, and every series equals
#                    `simulate --point K` bit for bit; so does `run
#                    --deflate`'s, all compressed
#   designs          a sobol sample and a list of points (4 each, tiny4), by
#                    `run`: TVB's layout without the PSE view, README.txt
#                    saying the sweep is not a grid, every series equal to
#                    `simulate --point K`, metrics.csv's values the points'
#                    own (the first Sobol points: the box's lower corner,
#                    its centre, ...), TVB_range_values the same
#   million          a 1,000,000-point sweep (keep metrics): submit, status,
#                    list, cancel (dispatch stops), retry (it resumes), a
#                    fetch following it and one of its end agree, metrics.csv
#                    has a row per point (ok as many as done, the others
#                    pending), `plot` draws the zip and the sweep from the
#                    broker alike; the broker's memory
#                    stays under 150 MB
# States are asked of the broker (tests/lib.sh): every wait is a bounded
# poll; all processes are killed on exit. A failure prints the tail of
# every log; BSW_KEEP_LOGS=DIR also copies the logs there. Needs jq, zip,
# unzip and h5dump (scripts/install-deps.sh --test); skips without them.
set -u
case_name=${1:?case}
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
tools=${BSW_TOOLS_DIR:?}
: "${bin:?BSW_BIN_DIR}"
for tool in jq zip unzip h5dump; do need $tool; done
bsw_init export
HB=250
GID='[0-9a-f]\{32\}'

start_broker () {
  bsw_start_broker --heartbeat-ms "${1:-$HB}"
}

# start_worker NAME [OPTION...]: a worker of one thread; sets worker_pid.
start_worker () {
  name=$1
  shift
  "$bin/brainsweep-worker" --threads 1 --heartbeat-ms $HB --name "$name" "$@" \
    >> "$tmp/$name.log" 2>&1 &
  worker_pid=$!
  bsw_track $worker_pid
}

submit () {
  id=$("$bin/brainsweep" submit "$1" -q) || fail "submit $1"
}

# state_is ID STATE (for bsw_wait)
state_is () {
  [ "$(bsw_status "$1" .state)" = "$2" ]
}

wait_finished () {
  bsw_wait 120 "sweep $1 to finish" state_is "$1" finished
}

# status_at_least ID FIELD N: status ID's FIELD is N or more (for bsw_wait).
status_at_least () {
  [ "$(bsw_status "$1" ".$2")" -ge "$3" ] 2>/dev/null
}

# The 4-region connectivity of bench/run.sh.
make_tiny4 () {
  mkdir -p "$tmp/conn" || fail "mkdir"
  (
    cd "$tmp/conn" || exit 1
    printf '0 1 1 1\n1 0 1 1\n1 1 0 1\n1 1 1 0\n' > weights.txt
    printf '0 10 20 30\n10 0 10 20\n20 10 0 10\n30 20 10 0\n' > tract_lengths.txt
    printf 'r1 0 0 0\nr2 10 0 0\nr3 20 0 0\nr4 30 0 0\n' > centres.txt
    zip -q ../tiny4.zip weights.txt tract_lengths.txt centres.txt
  ) || fail "cannot build tiny4.zip"
}

# A tiny sweep: 3 x 4 points of 3 ms on tiny4, two variables of interest
# (so KuramotoIndex too), random initial conditions (each point its own
# random stream). $1: the "keep" field, or empty for the default.
I_VALUES="-1.0 0.0 1.0"
A_VALUES="-1.0 0.5 2.0 3.0"
TINY_POINTS=12
tiny_spec () {
  keep=""
  [ -n "${1:-}" ] && keep="\"keep\": \"$1\", "
  cat <<JSON
{"name": "tiny export", "connectivity": "tiny4.zip", ${keep}"simulation_length": 3.0,
 "model": {"variables_of_interest": ["V", "W"]},
 "ranges": [{"parameter": "model.I", "values": [-1.0, 0.0, 1.0]},
            {"parameter": "model.a", "values": [-1.0, 0.5, 2.0, 3.0]}]}
JSON
}

# unpack ZIP DIR: unzip -t passes, and DIR holds the zip's files.
unpack () {
  unzip -tq "$1" > "$tmp/unzip.out" 2>&1 || fail "unzip -t $1: $(cat "$tmp/unzip.out")"
  rm -rf "$2"
  mkdir -p "$2" || fail "mkdir $2"
  (cd "$2" && unzip -q "$1") || fail "unzip $1"
}

# names ZIP: its entry names, sorted, every GID made "G". (The order of
# the points' entries is the order they were committed in, for a zip made
# while the sweep ran.)
names () {
  unzip -Z1 "$1" | sed "s/_${GID}\.h5\$/_G.h5/" | sort
}

# expect_names ZIP FILE: the zip's entries (GIDs aside) are exactly FILE's
# lines, in any order; and no two entries share a GID.
expect_names () {
  names "$1" > "$tmp/got.names"
  sort "$2" > "$tmp/want.names"
  cmp -s "$tmp/want.names" "$tmp/got.names" \
    || fail "$1: entries differ from TVB's layout (< expected, > in the zip):
$(diff "$tmp/want.names" "$tmp/got.names" | grep '^[<>]' | head -20)"
  dup=$(unzip -Z1 "$1" | grep -o "${GID}\.h5\$" | sort | uniq -d | head -3)
  [ -z "$dup" ] || fail "$1: GIDs used twice: $dup"
}

# layout_all POINTS > FILE: TVB's layout of a sweep keeping all, every
# point ok, with the default model, coupling, integrator and monitor.
layout_all () {
  echo "connectivity/Connectivity_G.h5"
  k=0
  while [ $k -lt "$1" ]; do
    for class in TimeSeriesRegion SimulatorAdapterModel Generic2dOscillator Linear \
                 HeunDeterministicViewModel TemporalAverageViewModel; do
      echo "$((k + 1))/${class}_G.h5"
    done
    echo "$(($1 + k + 1))/DatatypeMeasure_G.h5"
    echo "$(($1 + k + 1))/TimeseriesMetricsAdapterModel_G.h5"
    k=$((k + 1))
  done
  printf 'metrics.csv\nsweep.json\npse.svg\npse.html\n'
}

# simulate_points SPEC POINTS: $tmp/sim/pK.h5 and pK.csv (the metrics as
# metrics.csv writes them, from simulate's JSON text) for every point.
simulate_points () {
  mkdir -p "$tmp/sim" || fail "mkdir"
  k=0
  while [ $k -lt "$2" ]; do
    "$bin/brainsweep" simulate "$1" --point $k -o "$tmp/sim/p$k.h5" > "$tmp/sim/p$k.json" \
      || fail "simulate --point $k"
    sed 's/^{//; s/}$//; s/"[A-Za-z]*": //g; s/, /,/g' "$tmp/sim/p$k.json" > "$tmp/sim/p$k.csv"
    k=$((k + 1))
  done
}

# check_series DIR POINTS: every point's TimeSeriesRegion equals simulate's.
check_series () {
  k=0
  while [ $k -lt "$2" ]; do
    f=$(ls "$1/$((k + 1))"/TimeSeriesRegion_*.h5 2>/dev/null)
    [ -f "$f" ] || fail "$1: not one TimeSeriesRegion in folder $((k + 1))"
    "$tools/h5_same_series" "$f" "$tmp/sim/p$k.h5" 2> "$tmp/same.err" \
      || fail "$1: point $k differs from simulate --point $k: $(cat "$tmp/same.err")"
    k=$((k + 1))
  done
}

METRICS_HEADER="point,model.I,model.a,status,GlobalVariance,KuramotoIndex,Metastability,Synchrony,VarianceNodeVariance"

# check_tiny_csv DIR: metrics.csv has the header, one row per point in
# order, its parameter values, ok, and simulate's metrics digit for digit.
check_tiny_csv () {
  csv=$1/metrics.csv
  [ "$(head -1 "$csv")" = "$METRICS_HEADER" ] || fail "$csv header: $(head -1 "$csv")"
  rows=$(tail -n +2 "$csv" | wc -l)
  [ "$rows" -eq $TINY_POINTS ] || fail "$csv has $rows rows, expected $TINY_POINTS"
  k=0
  for i in $I_VALUES; do
    for a in $A_VALUES; do
      want="$k,$i,$a,ok,$(cat "$tmp/sim/p$k.csv")"
      got=$(sed -n "$((k + 2))p" "$csv")
      [ "$got" = "$want" ] || fail "$csv row of point $k: '$got', expected '$want'"
      k=$((k + 1))
    done
  done
}

# check_texts DIR SPEC STATUSES: sweep.json is the spec; the plots are
# there, the page with one status letter per point (o: ok).
check_texts () {
  [ "$(jq -S . "$1/sweep.json")" = "$(jq -S . "$2")" ] \
    || fail "$1/sweep.json is not the submitted spec: $(cat "$1/sweep.json")"
  grep -q '<svg' "$1/pse.svg" || fail "$1/pse.svg is not an SVG"
  grep -q "\"status\":\"$3\"" "$1/pse.html" \
    || fail "$1/pse.html statuses: $(grep -o '"status":"[a-z]*"' "$1/pse.html")"
}

# What TVB's importer needs of the files (TVB.md 11.2-11.3), through
# h5dump: every file is TVB_Data_version 5 and its TVB_gid is the GID of
# its name; per point, the SimulatorAdapterModel references the files of
# its folder and the connectivity, and names the point's range values;
# the series references the connectivity; the measure and its view model
# reference the series, the measure holding simulate's metrics; each
# group has one operation group GID; every simulation view model is dated
# before every metric one (TVB imports folders in that order).
# check_tvb_files DIR POINTS [VALUES]: VALUES has line k the
# TVB_range_values of point k (default: the tiny grid's I x a).
check_tvb_files () {
  rvfile=${3:-}
  # One h5dump for every file: "FILE<tab>NAME<tab>VALUE" per root attribute.
  (cd "$1" && h5dump --onlyattr=1 ./*/*.h5) 2> "$tmp/h5dump.err" | awk '
    /^HDF5 "/ { file = $2; gsub(/"/, "", file); sub(/^\.\//, "", file); root = 1; next }
    /^   *DATASET / || (/^   *GROUP / && !/GROUP "\/"/) { root = 0 }
    !root { next }
    /ATTRIBUTE "/ { name = $2; gsub(/"/, "", name) }
    /^ *\(0\): / { v = $0; sub(/^ *\(0\): */, "", v); gsub(/^"|"$/, "", v)
                  printf "%s\t%s\t%s\n", file, name, v }' > "$tmp/attrs.tsv"
  find "$1" -name '*.h5' | sed "s|^$1/||" | sort > "$tmp/h5.list"
  awk -F '\t' -v points="$2" -v ivalues="$I_VALUES" -v avalues="$A_VALUES" -v sim="$tmp/sim" \
    -v rvfile="$rvfile" '
    function urn(h) {
      return "urn:uuid:" substr(h, 1, 8) "-" substr(h, 9, 4) "-" substr(h, 13, 4) "-" \
             substr(h, 17, 4) "-" substr(h, 21, 12)
    }
    function bad(text) { print text; failed = 1; exit 1 }
    # The one file of CLASS in FOLDER.
    function file_of(folder, class) {
      if (n_of[folder, class] != 1) bad(folder "/: " n_of[folder, class] + 0 " " class " files")
      return path[folder, class]
    }
    function gid(folder, class) { return urn(hex[file_of(folder, class)]) }
    function want(file, name, value) {
      if (attr[file, name] != value)
        bad(file ": " name " is \"" attr[file, name] "\", expected \"" value "\"")
    }
    FILENAME ~ /h5.list$/ {
      f = $0; folder = f; sub(/\/.*/, "", folder); base = f; sub(/^.*\//, "", base)
      class = base; sub(/_[0-9a-f]*\.h5$/, "", class)
      h = base; sub(/^.*_/, "", h); sub(/\.h5$/, "", h)
      hex[f] = h; path[folder, class] = f; n_of[folder, class]++; files[f] = 1
      next
    }
    { attr[$1, $2] = $3; seen[$1] = 1 }
    END {
      if (failed) exit 1
      for (f in files) {
        if (!seen[f]) bad(f ": h5dump read nothing")
        want(f, "TVB_Data_version", "5")
        want(f, "TVB_gid", urn(hex[f]))
      }
      conn = gid("connectivity", "Connectivity")
      ni = split(ivalues, iv, " "); na = split(avalues, av, " ")
      last_sim = ""; first_metric = ""
      for (k = 0; k < points; k++) {
        s = k + 1; m = points + k + 1
        sam = file_of(s, "SimulatorAdapterModel"); tsr = file_of(s, "TimeSeriesRegion")
        want(sam, "TVB_connectivity", conn)
        want(sam, "TVB_model", gid(s, "Generic2dOscillator"))
        want(sam, "TVB_coupling", gid(s, "Linear"))
        want(sam, "TVB_integrator", gid(s, "HeunDeterministicViewModel"))
        want(sam, "TVB_monitors", "[\"" hex[file_of(s, "TemporalAverageViewModel")] "\"]")
        if (rvfile != "") { rv = ""; getline rv < rvfile; want(sam, "TVB_range_values", rv) }
        else want(sam, "TVB_range_values", "{\"model.I\": " iv[int(k / na) + 1] ", \"model.a\": " av[k % na + 1] "}")
        want(sam, "TVB_state", "INTERMEDIATE")
        want(tsr, "TVB_connectivity", conn)
        dm = file_of(m, "DatatypeMeasure"); tm = file_of(m, "TimeseriesMetricsAdapterModel")
        want(dm, "TVB_analyzed_datatype", urn(hex[tsr]))
        json = ""; getline json < (sim "/p" k ".json"); close(sim "/p" k ".json")
        want(dm, "TVB_metrics", json)
        want(tm, "TVB_time_series", urn(hex[tsr]))
        want(tm, "TVB_range_values", attr[sam, "TVB_range_values"])
        if (k == 0) { group_a = attr[sam, "TVB_operation_group_gid"]; group_b = attr[tm, "TVB_operation_group_gid"] }
        want(sam, "TVB_operation_group_gid", group_a)
        want(tm, "TVB_operation_group_gid", group_b)
        d = attr[sam, "TVB_create_date"]; if (d > last_sim) last_sim = d
        d = attr[tm, "TVB_create_date"]; if (first_metric == "" || d < first_metric) first_metric = d
      }
      if (group_a !~ /^urn:uuid:/ || group_b !~ /^urn:uuid:/ || group_a == group_b)
        bad("operation groups \"" group_a "\" and \"" group_b "\"")
      if (!(last_sim < first_metric))
        bad("a simulation view model is dated " last_sim ", not before the first metric one " first_metric)
    }' "$tmp/h5.list" "$tmp/attrs.tsv" > "$tmp/tvb.err" \
    || fail "$1: $(cat "$tmp/tvb.err") $(head -3 "$tmp/h5dump.err")"
}

# check_tiny_all ZIP DIR: the whole check of a tiny keep=all export.
check_tiny_all () {
  unpack "$1" "$2"
  expect_names "$1" "$tmp/layout.txt"
  check_tiny_csv "$2"
  check_texts "$2" "$tmp/spec.json" oooooooooooo
  check_series "$2" $TINY_POINTS
  check_tvb_files "$2" $TINY_POINTS
}

# broker_threads: the broker's threads. Nothing but export streams adds
# threads to a broker once it answers (broker_exporter.c: an actor per
# stream; STATS does not count streams), so more threads than before a
# FETCH say that the broker has made its stream.
broker_threads () {
  find "/proc/$broker_pid/task" -mindepth 1 -maxdepth 1 | wc -l
}
threads_above () {
  [ "$(broker_threads)" -gt "$1" ]
}

# follow_fetch ID FILE: `fetch ID -o FILE` in the background (fetch_pid),
# returning once the broker has made its export stream: of a sweep running
# then, so one that follows the sweep to its end (broker_exporter.h).
follow_fetch () {
  before=$(broker_threads)
  "$bin/brainsweep" fetch "$1" -o "$2" > "$2.out" 2>&1 &
  fetch_pid=$!
  bsw_track $fetch_pid
  bsw_wait 60 "the broker to start the export of sweep $1" threads_above "$before"
}

# A sweep's results through a broker and a worker: $tmp/NAME.zip fetched
# as the sweep runs (the fetch starts before the worker) and
# $tmp/NAME-end.zip fetched after it finished. Sets id.
broker_sweep () {
  submit "$1"
  follow_fetch "$id" "$tmp/$2.zip"
  start_worker "w-$2"
  wait_finished "$id"
  bsw_wait 60 "the following fetch to end" sh -c "! kill -0 $fetch_pid 2>/dev/null"
  wait $fetch_pid || fail "the fetch that followed sweep $id: $(cat "$tmp/$2.zip.out")"
  "$bin/brainsweep" fetch "$id" -o "$tmp/$2-end.zip" > "$tmp/$2-end-fetch.out" 2>&1 \
    || fail "fetch of the finished sweep $id: $(cat "$tmp/$2-end-fetch.out")"
  kill "$worker_pid" 2>/dev/null
}

mkdir -p "$tmp/data"
case $case_name in
tiny_run_fetch)
  make_tiny4
  tiny_spec > "$tmp/spec.json"
  layout_all $TINY_POINTS > "$tmp/layout.txt"
  simulate_points "$tmp/spec.json" $TINY_POINTS
  # The embedded broker: run's zip.
  "$bin/brainsweep" run "$tmp/spec.json" -o "$tmp/run.zip" -w 2 -q > "$tmp/run.out" 2>&1 \
    || fail "run: $(cat "$tmp/run.out")"
  check_tiny_all "$tmp/run.zip" "$tmp/run"
  # A broker and a worker: the zip followed and the one after the end.
  start_broker
  broker_sweep "$tmp/spec.json" fetch
  for z in fetch fetch-end; do
    check_tiny_all "$tmp/$z.zip" "$tmp/$z"
    # The same entries as run's, and the same metrics.
    names "$tmp/run.zip" > "$tmp/run.names"
    names "$tmp/$z.zip" > "$tmp/$z.names"
    cmp -s "$tmp/run.names" "$tmp/$z.names" \
      || fail "run.zip and $z.zip entries differ: $(diff "$tmp/run.names" "$tmp/$z.names" | head -5)"
    cmp -s "$tmp/run/metrics.csv" "$tmp/$z/metrics.csv" || fail "metrics.csv of run and $z differ"
  done
  # Two exports of one sweep: the same datatypes (the GIDs derive from
  # the sweep's UUID), so the same names, GIDs included.
  unzip -Z1 "$tmp/fetch.zip" | sort > "$tmp/a.names"
  unzip -Z1 "$tmp/fetch-end.zip" | sort > "$tmp/b.names"
  cmp -s "$tmp/a.names" "$tmp/b.names" || fail "two exports of sweep $id name their files differently"
  ;;
keep_metrics)
  make_tiny4
  tiny_spec > "$tmp/spec-all.json"
  tiny_spec metrics > "$tmp/spec.json"
  "$bin/brainsweep" run "$tmp/spec-all.json" -o "$tmp/all.zip" -w 2 -q > "$tmp/run.out" 2>&1 \
    || fail "run (keep all): $(cat "$tmp/run.out")"
  unpack "$tmp/all.zip" "$tmp/all"
  "$bin/brainsweep" run "$tmp/spec.json" -o "$tmp/run.zip" -w 2 -q > "$tmp/run.out" 2>&1 \
    || fail "run (keep metrics): $(cat "$tmp/run.out")"
  start_broker
  broker_sweep "$tmp/spec.json" fetch
  # No series came to the broker's store.
  series="$tmp/data/sweeps/$id/series.bin"
  [ ! -s "$series" ] || fail "a sweep keeping metrics stored $(stat -c %s "$series") bytes of series"
  printf 'connectivity/Connectivity_G.h5\nmetrics.csv\nsweep.json\npse.svg\npse.html\nREADME.txt\n' \
    > "$tmp/layout.txt"
  for z in run fetch fetch-end; do
    unpack "$tmp/$z.zip" "$tmp/$z"
    expect_names "$tmp/$z.zip" "$tmp/layout.txt"
    unzip -Z1 "$tmp/$z.zip" | grep -q -e '^[0-9]' -e TimeSeriesRegion \
      && fail "$z.zip of a sweep keeping metrics has simulation or metric folders"
    grep -q "no time series were sent, stored or exported" "$tmp/$z/README.txt" \
      || fail "$z.zip README.txt: $(cat "$tmp/$z/README.txt")"
    [ "$(jq -r .keep "$tmp/$z/sweep.json")" = metrics ] || fail "$z.zip sweep.json: no keep"
    check_texts "$tmp/$z" "$tmp/spec.json" oooooooooooo
    # The same metrics as the sweep that kept everything, to the digit.
    [ "$(head -1 "$tmp/$z/metrics.csv")" = "$METRICS_HEADER" ] || fail "$z metrics.csv header"
    cmp -s "$tmp/all/metrics.csv" "$tmp/$z/metrics.csv" \
      || fail "$z metrics.csv differs from keep=all's: $(diff "$tmp/all/metrics.csv" "$tmp/$z/metrics.csv" | head -4)"
  done
  # --keep metrics on the command line overrides the spec's (default) all.
  "$bin/brainsweep" run "$tmp/spec-all.json" --keep metrics -o "$tmp/flag.zip" -w 2 -q \
    > "$tmp/flag.out" 2>&1 || fail "run --keep metrics: $(cat "$tmp/flag.out")"
  grep -q "(metrics only" "$tmp/flag.out" || fail "run --keep metrics said: $(cat "$tmp/flag.out")"
  unpack "$tmp/flag.zip" "$tmp/flag"
  expect_names "$tmp/flag.zip" "$tmp/layout.txt"
  [ "$(jq -r .keep "$tmp/flag/sweep.json")" = metrics ] || fail "run --keep metrics: sweep.json"
  cmp -s "$tmp/all/metrics.csv" "$tmp/flag/metrics.csv" || fail "run --keep metrics: metrics.csv"
  ;;
mixed_encodings)
  # 24 points of 20 ms on the built-in 76 regions. Worker A (--deflate)
  # joins and is stopped before the submit, so the points dispatched to it
  # at once wait there; worker B (raw) runs all the others; then A runs
  # its own. A long heartbeat keeps the stopped A from being declared lost
  # meanwhile (3 x 5 s).
  cat > "$tmp/spec.json" <<'JSON'
{"name": "mixed encodings", "simulation_length": 20.0,
 "model": {"variables_of_interest": ["V", "W"]},
 "ranges": [{"parameter": "model.I", "values": [-2.0, -1.0, 0.0, 0.5, 1.0, 2.0]},
            {"parameter": "model.a", "values": [-1.0, 0.5, 2.0, 3.0]}]}
JSON
  POINTS=24
  HB=5000
  simulate_points "$tmp/spec.json" $POINTS
  start_broker $HB
  start_worker wa --deflate 6
  worker_a=$worker_pid
  bsw_wait 60 "worker A to join" bsw_true '.workers == 1'
  kill -STOP $worker_a
  submit "$tmp/spec.json"
  bsw_wait 60 "points dispatched to the stopped worker A" status_at_least "$id" running 1
  held=$(bsw_status "$id" .running)
  start_worker wb
  bsw_wait 120 "worker B to run the other points" status_at_least "$id" "done" $((POINTS - held))
  [ "$(bsw_status "$id" .done)" -eq $((POINTS - held)) ] || fail "B ran points A holds"
  kill -CONT $worker_a
  wait_finished "$id"
  [ "$(bsw_stats .workers_lost)" = 0 ] || fail "a worker was declared lost: $(bsw_stats .)"
  "$bin/brainsweep" fetch "$id" -o "$tmp/mixed.zip" > "$tmp/fetch.out" 2>&1 \
    || fail "fetch: $(cat "$tmp/fetch.out")"
  unpack "$tmp/mixed.zip" "$tmp/mixed"
  layout_all $POINTS > "$tmp/layout.txt"
  expect_names "$tmp/mixed.zip" "$tmp/layout.txt"
  check_series "$tmp/mixed" $POINTS
  # A's points are exported deflated inside the HDF5 file, B's are not.
  deflated=0
  for f in "$tmp"/mixed/*/TimeSeriesRegion_*.h5; do
    h5dump -p -H -d /data "$f" > "$tmp/h5.out" 2>&1 || fail "h5dump $f: $(cat "$tmp/h5.out")"
    grep -q 'COMPRESSION DEFLATE' "$tmp/h5.out" && deflated=$((deflated + 1))
  done
  [ $deflated -eq "$held" ] \
    || fail "$deflated series exported deflated, expected the $held points of worker A"
  # run --deflate: every series deflated, the same numbers.
  "$bin/brainsweep" run "$tmp/spec.json" -o "$tmp/run.zip" --deflate 6 -w 2 -q > "$tmp/run.out" 2>&1 \
    || fail "run --deflate: $(cat "$tmp/run.out")"
  unpack "$tmp/run.zip" "$tmp/run"
  expect_names "$tmp/run.zip" "$tmp/layout.txt"
  check_series "$tmp/run" $POINTS
  for f in "$tmp"/run/*/TimeSeriesRegion_*.h5; do
    h5dump -p -H -d /data "$f" > "$tmp/h5.out" 2>&1 || fail "h5dump $f: $(cat "$tmp/h5.out")"
    grep -q 'COMPRESSION DEFLATE' "$tmp/h5.out" || fail "run --deflate: $f is not deflated"
  done
  ;;
designs)
  # Point k's values, and TVB_range_values as the export writes them.
  make_tiny4
  base='"connectivity": "tiny4.zip", "simulation_length": 3.0, "model": {"variables_of_interest": ["V", "W"]}'
  # The first 4 unscrambled Sobol points of 2 dimensions are (0, 0),
  # (0.5, 0.5), (0.75, 0.25), (0.25, 0.75): exact in binary once scaled.
  cat > "$tmp/sobol.json" <<JSON
{"name": "sobol export", $base,
 "ranges": [{"parameter": "model.I", "lo": -1.0, "hi": 1.0},
            {"parameter": "model.a", "lo": -1.0, "hi": 3.0}],
 "sampling": {"method": "sobol", "points": 4}}
JSON
  printf -- '-1.0 -1.0\n0.0 1.0\n0.5 0.0\n-0.5 2.0\n' > "$tmp/sobol.values"
  cat > "$tmp/points.json" <<JSON
{"name": "points export", $base,
 "points": [{"model.I": 0.25, "model.a": 1.5}, {"model.I": -0.75, "model.a": 2.5},
            {"model.I": 1.0, "model.a": -1.0}, {"model.I": 0.0, "model.a": 0.5}]}
JSON
  printf '0.25 1.5\n-0.75 2.5\n1.0 -1.0\n0.0 0.5\n' > "$tmp/points.values"
  layout_all 4 > "$tmp/layout.txt"
  echo README.txt >> "$tmp/layout.txt"
  for d in sobol points; do
    rm -rf "$tmp/sim"
    simulate_points "$tmp/$d.json" 4
    "$bin/brainsweep" run "$tmp/$d.json" -o "$tmp/$d.zip" -w 2 -q > "$tmp/run.out" 2>&1 \
      || fail "run $d: $(cat "$tmp/run.out")"
    unpack "$tmp/$d.zip" "$tmp/$d"
    expect_names "$tmp/$d.zip" "$tmp/layout.txt"
    check_series "$tmp/$d" 4
    [ "$(jq -S . "$tmp/$d/sweep.json")" = "$(jq -S . "$tmp/$d.json")" ] || fail "$d: sweep.json"
    grep -q "This sweep is not a grid" "$tmp/$d/README.txt" \
      || fail "$d README.txt: $(cat "$tmp/$d/README.txt")"
    csv=$tmp/$d/metrics.csv
    [ "$(head -1 "$csv")" = "$METRICS_HEADER" ] || fail "$d metrics.csv header: $(head -1 "$csv")"
    [ "$(tail -n +2 "$csv" | wc -l)" -eq 4 ] || fail "$d metrics.csv: not 4 rows"
    k=0
    : > "$tmp/$d.rv"
    while read -r i a; do
      want="$k,$i,$a,ok,$(cat "$tmp/sim/p$k.csv")"
      got=$(sed -n "$((k + 2))p" "$csv")
      [ "$got" = "$want" ] || fail "$d metrics.csv row of point $k: '$got', expected '$want'"
      echo "{\"model.I\": $i, \"model.a\": $a}" >> "$tmp/$d.rv"
      k=$((k + 1))
    done < "$tmp/$d.values"
    check_tvb_files "$tmp/$d" 4 "$tmp/$d.rv"
  done
  ;;
million)
  # 1000 x 1000 points of 1 ms on tiny4, metrics only.
  make_tiny4
  values () {
    awk -v lo="$1" -v step="$2" -v n="$3" 'BEGIN {
      printf "["
      for (k = 0; k < n; k++) printf "%s%.6g", (k ? ", " : ""), lo + step * k
      printf "]" }' < /dev/null
  }
  cat > "$tmp/spec.json" <<JSON
{"name": "million", "connectivity": "tiny4.zip", "keep": "metrics", "simulation_length": 1.0,
 "ranges": [{"parameter": "model.I", "values": $(values -5 0.01 1000)},
            {"parameter": "model.a", "values": $(values -5 0.01 1000)}]}
JSON
  POINTS=1000000
  MB150=$((150 * 1024))
  # Under ASan the broker's memory is mostly the sanitizer's own (shadow,
  # quarantine): the bound holds for the plain build only.
  if [ "${BSW_SANITIZED:-OFF}" = ON ]; then
    echo "memory bounds not checked: a sanitizer build (BSW_SANITIZE)"
    MB150=$((1 << 40))
  fi
  # vm KEY: the broker's VmRSS or VmHWM in kB.
  vm () {
    awk -v key="$1:" '$1 == key { print $2 }' "/proc/$broker_pid/status"
  }
  # barrier: a one-point sweep submitted and finished (sweep_test.sh): the
  # worker has then had every message sent to it before, and nothing of
  # an older sweep is left for it to run.
  barrier () {
    printf '{"simulation_length": 1.0, "connectivity": "tiny4.zip", "name": "barrier"}' \
      > "$tmp/barrier.json"
    b=$("$bin/brainsweep" submit "$tmp/barrier.json" -q) || fail "submit barrier"
    wait_finished "$b"
  }
  start_broker
  submit "$tmp/spec.json"
  rss=$(vm VmRSS)
  echo "broker VmRSS after submitting $POINTS points: $((rss / 1024)) MB"
  [ "$rss" -lt $MB150 ] || fail "broker VmRSS $rss kB after the submit, over 150 MB"
  [ "$(bsw_status "$id" '[.points, .pending, .done, .state] | join(" ")')" = "$POINTS $POINTS 0 running" ] \
    || fail "status: $("$bin/brainsweep" status "$id" --json)"
  "$bin/brainsweep" list > "$tmp/list.out" || fail "list"
  awk -v id="$id" '$1 == id && $2 == "running" && $3 == 1000000 && $NF == "million"' \
    "$tmp/list.out" | grep -q . || fail "list does not show the sweep: $(cat "$tmp/list.out")"
  # One worker for a while; then cancel.
  start_worker w1
  bsw_wait 60 "2000 points done" status_at_least "$id" "done" 2000
  "$bin/brainsweep" cancel "$id" > "$tmp/cancel.out" || fail "cancel"
  grep -q "points cancelled" "$tmp/cancel.out" || fail "cancel said: $(cat "$tmp/cancel.out")"
  barrier
  d1=$(bsw_status "$id" .done)
  barrier
  d2=$(bsw_status "$id" .done)
  [ "$d1" -eq "$d2" ] || fail "points still finishing after cancel ($d1 -> $d2)"
  [ "$(bsw_status "$id" '[.state, .running, .pending] | join(" ")')" = "cancelled 0 0" ] \
    || fail "after cancel: $("$bin/brainsweep" status "$id" --json)"
  [ "$(bsw_status "$id" '.done + .failed + .cancelled')" -eq $POINTS ] \
    || fail "after cancel the counts do not add up: $("$bin/brainsweep" status "$id" --json)"
  # Retry resumes it; a fetch follows it from there.
  "$bin/brainsweep" retry "$id" > "$tmp/retry.out" || fail "retry"
  [ "$(bsw_status "$id" .state)" = running ] || fail "retry did not resume: $(bsw_status "$id" .)"
  follow_fetch "$id" "$tmp/follow.zip"
  bsw_wait 60 "points done after retry" status_at_least "$id" "done" $((d2 + 2000))
  # The worker stops (its results all acknowledged: committed), then the
  # sweep is cancelled: nothing more can come, and the fetch ends.
  kill -TERM $worker_pid
  bsw_wait 60 "the worker to stop" sh -c "! kill -0 $worker_pid 2>/dev/null"
  wait $worker_pid || fail "the worker exited with $? on SIGTERM"
  "$bin/brainsweep" cancel "$id" > /dev/null || fail "cancel (2)"
  bsw_wait 60 "the following fetch to end" sh -c "! kill -0 $fetch_pid 2>/dev/null"
  wait $fetch_pid || fail "the fetch that followed: $(cat "$tmp/follow.zip.out")"
  status=$("$bin/brainsweep" status "$id" --json)
  done_n=$(echo "$status" | jq .done)
  failed_n=$(echo "$status" | jq .failed)
  [ "$done_n" -gt "$d2" ] || fail "retry did not resume: $status"
  "$bin/brainsweep" fetch "$id" -o "$tmp/end.zip" > "$tmp/end-fetch.out" 2>&1 \
    || fail "fetch: $(cat "$tmp/end-fetch.out")"
  # Both zips: metrics only, no plots at this size (the export draws them
  # up to 50,000 points; `plot` does the rest).
  printf 'connectivity/Connectivity_G.h5\nmetrics.csv\nsweep.json\nREADME.txt\n' > "$tmp/layout.txt"
  for z in follow end; do
    unpack "$tmp/$z.zip" "$tmp/$z"
    expect_names "$tmp/$z.zip" "$tmp/layout.txt"
  done
  cmp -s "$tmp/follow/metrics.csv" "$tmp/end/metrics.csv" \
    || fail "metrics.csv of the fetch that followed differs from the one after the end"
  # One row per point in order: ok as many as done, failed as failed, the
  # rest pending (cancelled points have no result).
  csv="$tmp/end/metrics.csv"
  head -1 "$csv" | grep -qx 'point,model.I,model.a,status,GlobalVariance,Metastability,Synchrony,VarianceNodeVariance' \
    || fail "metrics.csv header: $(head -1 "$csv")"
  awk -F, 'NR > 1 && $1 != NR - 2 { print "row " NR ": point " $1; exit 1 }' "$csv" > "$tmp/awk.out" \
    || fail "metrics.csv points out of order: $(cat "$tmp/awk.out")"
  counts=$(awk -F, 'NR > 1 { n[$4]++ } END { printf "%d %d %d %d", NR - 1, n["ok"], n["failed"], n["pending"] }' "$csv")
  [ "$counts" = "$POINTS $done_n $failed_n $((POINTS - done_n - failed_n))" ] \
    || fail "metrics.csv rows, ok, failed, pending: $counts; status: $status"
  # Some done points' metrics are simulate --point K's, to the digit.
  awk -F, 'NR > 1 && $4 == "ok" { print $1 }' "$csv" | sed -n '1p; 1000p; $p' > "$tmp/some.txt"
  [ "$(wc -l < "$tmp/some.txt")" -eq 3 ] || fail "fewer than 1000 ok rows in metrics.csv"
  while read -r k; do
    "$bin/brainsweep" simulate "$tmp/spec.json" --point "$k" > "$tmp/p.json" || fail "simulate --point $k"
    want=$(sed 's/^{//; s/}$//; s/"[A-Za-z]*": //g; s/, /,/g' "$tmp/p.json")
    got=$(sed -n "$((k + 2))p" "$csv" | cut -d, -f5-)
    [ "$got" = "$want" ] || fail "point $k metrics: csv '$got', simulate '$want'"
  done < "$tmp/some.txt"
  # plot draws the zip: one cell per point, coloured as many as are ok with
  # a finite colour metric (VarianceNodeVariance, the last column).
  "$bin/brainsweep" plot "$tmp/end.zip" -o "$tmp/million.png" 2> "$tmp/plot.log" \
    || fail "plot of the zip: $(cat "$tmp/plot.log")"
  want=$(awk -F, 'NR > 1 { if ($4 == "ok" && $NF != "NaN") c++; else if ($4 == "pending") p++; else x++ }
    END { printf "%d coloured, %d failed or NaN, %d pending", c, x, p }' "$csv")
  grep -qF "1000000 points in 1 panel, dense: one cell per point ($want" "$tmp/plot.log" \
    || fail "plot said: $(cat "$tmp/plot.log"); expected ($want"
  [ "$(head -c 8 "$tmp/million.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
    || fail "million.png is not a PNG"
  # And the broker's view of the sweep, the same.
  "$bin/brainsweep" plot "$id" -o "$tmp/broker.png" 2> "$tmp/plot.log" \
    || fail "plot $id: $(cat "$tmp/plot.log")"
  grep -qF "1000000 points in 1 panel, dense: one cell per point ($want" "$tmp/plot.log" \
    || fail "plot $id said: $(cat "$tmp/plot.log"); expected ($want"
  hwm=$(vm VmHWM)
  echo "broker VmHWM (peak RSS) over the whole case: $((hwm / 1024)) MB"
  [ "$hwm" -lt $MB150 ] || fail "broker peak RSS $hwm kB, over 150 MB"
  ;;
*)
  echo "unknown case $case_name"; exit 2
  ;;
esac
echo "1 passed, 0 failed"
