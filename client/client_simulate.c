/*  client_simulate.c - `brainsweep simulate SPEC.json [-o OUT.h5] [--point
    K]`: one simulation, its time series as a TVB v5 TimeSeriesRegion file
    and its metrics as one JSON object on standard output.

    The point runs through sim_run, the path a worker's points take (here
    with one lane), and its file is described by store_timeseries_of_point,
    as a worker's is: `simulate --point K` gives sweep point K's numbers by
    construction (sweep_complete_test checks it bit for bit). Everything is validated before anything runs; a failure at any point
    leaves nothing at OUT (the store writes to a temporary name and renames).
*/
#include "client.h"
#include "client_sweep.h"

#include "bsw_opts.h"
#include "bsw_pyjson.h"
#include "bsw_util.h"
#include "sim_metric.h"
#include "sim_run.h"
#include "spec.h"
#include "store_connectivity.h"
#include "store_timeseries.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char s_about[] =
    "Runs one simulation of SPEC.json (shared/spec/SWEEP-SPEC.md) and prints its\n"
    "metrics as one JSON object on standard output, in TVB's key order\n"
    "(GlobalVariance, KuramotoIndex when two or more variables of interest are\n"
    "recorded, Metastability, Synchrony, VarianceNodeVariance; NaN as NaN).\n";

static const char s_epilog[] =
    "The connectivity is the spec's \"connectivity\": \"default\" (built in) or a\n"
    "TVB connectivity zip, relative to the spec file. Exit status: 0 on success,\n"
    "1 on a bad spec, connectivity, diverged simulation or write failure, 2 on\n"
    "bad usage.\n";

/*  Loads the spec's connectivity: the built-in default or a TVB zip. */
int
client_load_connectivity (const spec_t *spec, sim_connectivity_t **conn_p, bsw_error_t *err)
{
    if (!spec->connectivity) {
        *conn_p = sim_connectivity_new_default ();
        return BSW_OK;
    }
    return store_connectivity_load (conn_p, spec->connectivity, err);
}

static void
s_print_metrics (const sim_metrics_t *metrics)
{
    const char *names[SIM_METRIC_MAX];
    double values[SIM_METRIC_MAX];
    size_t count = sim_metrics_list (metrics, names, values);
    //  As TVB's Python would print them (SWEEP-SPEC.md): bare NaN.
    bsw_pyjson_t j;
    bsw_pyjson_init (&j);
    bsw_pyjson_object_begin (&j);
    for (size_t k = 0; k < count; k++) {
        bsw_pyjson_key (&j, names[k]);
        bsw_pyjson_double (&j, values[k]);
    }
    bsw_pyjson_object_end (&j);
    char *text = bsw_pyjson_take (&j);
    printf ("%s\n", text);
    free (text);
}

/*  Runs to the end; on a terminal, shows a percentage on stderr once the
    run has taken more than a second. */
static void
s_run_with_progress (sim_run_t *run)
{
    bool tty = isatty (STDERR_FILENO);
    uint64_t total = sim_run_steps (run), chunk = total / 100 + 1;
    int64_t started = bsw_clock_mono_ms ();
    bool shown = false;
    while (!sim_run_finished (run)) {
        sim_run_advance (run, chunk);
        if (tty && bsw_clock_mono_ms () - started > 1000) {
            fprintf (stderr, "\rsimulating: %3.0f%%",
                     100.0 * (double) sim_run_step (run) / (double) total);
            shown = true;
        }
    }
    if (shown)
        fprintf (stderr, "\r                \r");
}

/*  The point's series as a TimeSeriesRegion file with a fresh GID. */
static int
s_write (const char *output, const sim_run_point_t *result, const sim_connectivity_t *conn,
         bsw_error_t *err)
{
    char gid[37], conn_gid[37];
    if (bsw_uuid_random (gid))
        return bsw_error_set (err, BSW_EIO, "cannot draw a random GID");
    sim_connectivity_gid (conn, conn_gid);
    store_timeseries_t ts = store_timeseries_of_point (result, gid, conn_gid);
    return store_timeseries_write (output, &ts, err);
}

/*  Point `point` of the spec through the same path as a worker's points
    (sim_run), its series written to output when given; *metrics gets its
    metrics. Everything is checked before anything runs. */
static int
s_simulate (const char *spec_path, uint64_t point, const char *output, bool anywhere,
            sim_metrics_t *metrics, bsw_error_t *err)
{
    spec_t *spec = NULL;
    sim_connectivity_t *conn = NULL;
    sim_run_t *run = NULL;
    sim_setup_t setup;
    int rc = spec_load_file (&spec, spec_path, err);
    if (rc == 0)
        rc = client_check_connectivity_path (spec, spec_path, anywhere, err);
    if (rc == 0)
        rc = client_load_connectivity (spec, &conn, err);
    if (rc == 0)
        rc = spec_check_connectivity (spec, conn, spec_path, err);
    if (rc == 0 && (rc = spec_point_setup (spec, point, &setup, err)) != 0)
        bsw_error_prefix (err, "%s: --point %" PRIu64, spec_path, point);
    if (rc == 0 && (rc = sim_run_new (&run, conn, &setup, 1, err)) != 0)
        bsw_error_prefix (err, "%s", spec_path);
    if (rc == 0) {
        s_run_with_progress (run);
        const sim_run_point_t *result = sim_run_point (run, 0);
        if (result->code)
            rc = bsw_error_set (err, result->code, "%s: %s", spec_path, result->error);
        if (rc == 0 && output)
            rc = s_write (output, result, conn, err);
        if (rc == 0)
            *metrics = result->metrics;
    }
    sim_run_destroy (&run);
    sim_connectivity_destroy (&conn);
    spec_destroy (&spec);
    return rc;
}

int
client_simulate_main (int argc, char **argv)
{
    const char *spec_path = NULL, *output = NULL;
    uint64_t point = 0;
    bool anywhere = false;
    const bsw_opt_t options[] = {{.name = "SPEC.json",
                                  .kind = BSW_OPT_STRING,
                                  .dest = &spec_path,
                                  .positional = true,
                                  .required = true},
                                 {.name = "output",
                                  .letter = 'o',
                                  .kind = BSW_OPT_STRING,
                                  .dest = &output,
                                  .arg = "OUT.h5",
                                  .help =
                                      "also write the time series as a TVB v5\n"
                                      "TimeSeriesRegion HDF5 file (data (T, nvoi, n, 1), time)"},
                                 {.name = "point",
                                  .kind = BSW_OPT_U64,
                                  .dest = &point,
                                  .arg = "K",
                                  .help = "run point K of the spec's sweep (row-major over its\n"
                                          "ranges, first range outermost; default 0). Point K\n"
                                          "draws the same random numbers as in a sweep."},
                                 {.name = "connectivity-anywhere",
                                  .kind = BSW_OPT_FLAG,
                                  .dest = &anywhere,
                                  .help = CLIENT_ANYWHERE_HELP},
                                 {NULL}};
    const bsw_opts_t cmd = {"brainsweep simulate", s_about, options, s_epilog};
    int parsed = bsw_opts_main (&cmd, argc, argv);
    if (parsed != BSW_OPTS_GO)
        return parsed;

    bsw_error_t err;
    bsw_error_clear (&err);
    sim_metrics_t metrics;
    if (s_simulate (spec_path, point, output, anywhere, &metrics, &err)) {
        char *text = bsw_text_escape (err.text[0] ? err.text : bsw_strerror (err.code));
        fprintf (stderr, "brainsweep simulate: %s\n", text);
        free (text);
        return 1;
    }
    s_print_metrics (&metrics);
    return 0;
}
