/*  client_simulate.c - `brainsweep simulate SPEC.json [-o OUT.h5]`: one
    simulation, its time series as a TVB v5 TimeSeriesRegion file and its
    metrics as one JSON object on standard output.

    Everything is validated before anything runs; a failure at any point
    leaves nothing at OUT (the store writes to a temporary name and renames).
*/
#include "client.h"

#include "bsw_pyjson.h"
#include "bsw_util.h"
#include "sim_batch.h"
#include "sim_metric.h"
#include "spec.h"
#include "store_connectivity.h"
#include "store_timeseries.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char s_usage[] =
    "usage: brainsweep simulate SPEC.json [-o OUT.h5] [--point K]\n"
    "\n"
    "Runs one simulation of SPEC.json (shared/spec/SWEEP-SPEC.md) and prints its\n"
    "metrics as one JSON object on standard output, in TVB's key order\n"
    "(GlobalVariance, KuramotoIndex when two or more variables of interest are\n"
    "recorded, Metastability, Synchrony, VarianceNodeVariance; NaN as NaN).\n"
    "\n"
    "  -o, --output OUT.h5  also write the time series as a TVB v5\n"
    "                       TimeSeriesRegion HDF5 file (data (T, nvoi, n, 1), time)\n"
    "      --point K        run point K of the spec's sweep (row-major over its\n"
    "                       ranges, first range outermost; default 0). Point K\n"
    "                       draws the same random numbers as in a sweep.\n"
    "  -h, --help           this text\n"
    "\n"
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

/*  Runs the batch to the end; on a terminal, shows a percentage on stderr
    once the run has taken more than a second. */
static void
s_run_with_progress (sim_batch_t *batch)
{
    bool tty = isatty (STDERR_FILENO);
    uint64_t total = sim_batch_steps (batch), chunk = total / 100 + 1;
    int64_t started = bsw_clock_mono_ms ();
    bool shown = false;
    while (!sim_batch_finished (batch)) {
        sim_batch_advance (batch, chunk);
        if (tty && bsw_clock_mono_ms () - started > 1000) {
            fprintf (stderr, "\rsimulating: %3.0f%%",
                     100.0 * (double) sim_batch_step (batch) / (double) total);
            shown = true;
        }
    }
    if (shown)
        fprintf (stderr, "\r                \r");
}

int
client_simulate_main (int argc, char **argv)
{
    static const struct option options[] = {{"output", required_argument, NULL, 'o'},
                                            {"point", required_argument, NULL, 'p'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    const char *output = NULL;
    uint64_t point = 0;
    int opt;
    optind = 1;
    while ((opt = getopt_long (argc, argv, "o:h", options, NULL)) != -1) {
        switch (opt) {
        case 'o':
            output = optarg;
            break;
        case 'p':
            if (bsw_parse_u64 (optarg, 0, UINT64_MAX, &point)) {
                fprintf (stderr, "brainsweep simulate: --point: '%s' is not a point index\n",
                         optarg);
                return 2;
            }
            break;
        case 'h':
            fputs (s_usage, stdout);
            return 0;
        default:
            fputs (s_usage, stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf (stderr, "brainsweep simulate: expected one SPEC.json\n%s", s_usage);
        return 2;
    }
    const char *spec_path = argv[optind];

    bsw_error_t err;
    bsw_error_clear (&err);
    spec_t *spec = NULL;
    sim_connectivity_t *conn = NULL;
    sim_batch_t *batch = NULL;
    double *data = NULL, *time = NULL;
    int status = 1;

    if (spec_load_file (&spec, spec_path, &err))
        goto fail;
    if (client_load_connectivity (spec, &conn, &err))
        goto fail;
    if (spec_check_nodes (spec, conn->n, spec_path, &err))
        goto fail;
    sim_setup_t setup;
    if (spec_point_setup (spec, point, &setup, &err)) {
        bsw_error_prefix (&err, "%s: --point %" PRIu64, spec_path, point);
        goto fail;
    }
    if (sim_batch_new (&batch, conn, &setup, 1, &err)) {
        bsw_error_prefix (&err, "%s", spec_path);
        goto fail;
    }
    size_t samples = sim_batch_samples (batch);
    data = bsw_malloc (sim_batch_output_size (batch) * sizeof (double));
    time = bsw_malloc (samples * sizeof (double));
    sim_batch_set_output (batch, &data, time);
    s_run_with_progress (batch);
    uint64_t bad = sim_batch_first_nonfinite (batch, 0);
    if (bad != UINT64_MAX) {
        bsw_error_set (&err, BSW_ENUMERIC,
                       "%s: the simulation diverged: non-finite state in sample %" PRIu64
                       " (t = %g ms)",
                       spec_path, bad, time[bad]);
        goto fail;
    }
    sim_metrics_t metrics;
    sim_metrics_compute (data, samples, setup.n_voi, conn->n, sim_setup_sample_period (&setup),
                         setup.metric_start_point, setup.metric_segment, &metrics);
    if (output) {
        const char *voi_names[SIM_MAX_VOI];
        for (size_t v = 0; v < setup.n_voi; v++)
            voi_names[v] = setup.model->voi_names[setup.voi[v]];
        char gid[37], conn_gid[37];
        if (bsw_uuid_random (gid)) {
            bsw_error_set (&err, BSW_EIO, "cannot draw a random GID");
            goto fail;
        }
        sim_connectivity_gid (conn, conn_gid);
        store_timeseries_t ts = {.gid = gid,
                                 .connectivity_gid = conn_gid,
                                 .monitor = sim_monitor_name (setup.monitor),
                                 .voi_names = voi_names,
                                 .n_voi = setup.n_voi,
                                 .n_time = samples,
                                 .n_nodes = conn->n,
                                 .data = data,
                                 .time = time,
                                 .sample_period = sim_setup_sample_period (&setup),
                                 .create_date = NULL};
        if (store_timeseries_write (output, &ts, &err))
            goto fail;
    }
    s_print_metrics (&metrics);
    status = 0;
    goto done;
fail:
    fprintf (stderr, "brainsweep simulate: %s\n", err.text[0] ? err.text : bsw_strerror (err.code));
done:
    free (data);
    free (time);
    sim_batch_destroy (&batch);
    sim_connectivity_destroy (&conn);
    spec_destroy (&spec);
    return status;
}
