/*  client_run.c - `brainsweep run`: a whole sweep on this machine in one
    command, with an embedded broker and local workers as threads of this
    process (talking over inproc://), ending with the zip and a summary.

    It is the same broker and worker code as the distributed setup, so a
    sweep that runs here runs the same way on a cluster.
*/
#define _XOPEN_SOURCE 700 /* nftw */
#include "client.h"
#include "client_sweep.h"

#include "broker.h"
#include "bsw_opts.h"
#include "bsw_util.h"
#include "worker.h"

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char s_about[] =
    "Runs a whole sweep locally: an embedded broker and worker threads in this\n"
    "process, no set-up. Shows progress, writes the DataTypeGroup as one zip in\n"
    "TVB's export layout (with metrics.csv and sweep.json) and prints a summary.\n";

static int
s_remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

/*  min and max of one metric over the finished points (NaN skipped). */
static void
s_metric_summary (client_conn_t *conn, uint64_t sweep)
{
    proto_msg_t *request = proto_msg_new (PROTO_RESULTS), *reply = NULL;
    proto_msg_set_uint (request, "sweep", sweep);
    bsw_error_t err;
    if (client_conn_request (conn, &request, PROTO_POINTS, &reply, &err))
        return;
    size_t n_points, n_names = proto_msg_strs_count (reply, "metric_names");
    proto_msg_uints (reply, "points", &n_points);
    const double *values = proto_msg_f64s (reply, "values", NULL);
    for (size_t m = 0; m < n_names; m++) {
        double lo = INFINITY, hi = -INFINITY;
        size_t finite = 0;
        for (size_t k = 0; k < n_points; k++) {
            double v = values[k * n_names + m];
            if (isfinite (v)) {
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
                finite++;
            }
        }
        if (finite)
            printf ("  %-22s %.6g .. %.6g\n", proto_msg_strs_at (reply, "metric_names", m), lo, hi);
    }
    proto_msg_destroy (&reply);
}

int
client_run_main (int argc, char **argv)
{
    const char *spec_path = NULL, *output = NULL, *name = NULL, *data_dir = NULL;
    bsw_opts_list_t ranges = {.count = 0};
    uint64_t workers = 0, lanes = 0, deflate = 0;
    bool quiet = false, verbose = false;
    const bsw_opt_t options[] = {{.name = "SPEC.json",
                                  .kind = BSW_OPT_STRING,
                                  .dest = &spec_path,
                                  .positional = true,
                                  .required = true},
                                 {.name = "output",
                                  .letter = 'o',
                                  .kind = BSW_OPT_STRING,
                                  .dest = &output,
                                  .arg = "FILE.zip",
                                  .help = "where to write the zip (required)",
                                  .required = true},
                                 {.name = "workers",
                                  .letter = 'w',
                                  .kind = BSW_OPT_U64,
                                  .dest = &workers,
                                  .arg = "N",
                                  .help = "compute threads (default: all cores)",
                                  .min = 1,
                                  .max = 4096},
                                 {.name = "lanes",
                                  .kind = BSW_OPT_U64,
                                  .dest = &lanes,
                                  .arg = "N",
                                  .help = "points integrated together per batch (default:\n"
                                          "by connectivity size, 1 for 76 regions)",
                                  .min = 1,
                                  .max = 4096},
                                 {.name = "deflate",
                                  .kind = BSW_OPT_U64,
                                  .dest = &deflate,
                                  .arg = "LEVEL",
                                  .help = "compress the time series inside their HDF5 files\n"
                                          "(1-9): a smaller zip for some CPU (default 0:\n"
                                          "none, as TVB writes them)",
                                  .min = 0,
                                  .max = 9},
                                 {.name = "range",
                                  .letter = 'r',
                                  .kind = BSW_OPT_LIST,
                                  .dest = &ranges,
                                  .arg = "PARAM=lo:hi:step",
                                  .help = "add or replace a range (TVB's Range rules),\n"
                                          "or give its values: --range PARAM=v1,v2,...;\n"
                                          "repeatable"},
                                 {.name = "name",
                                  .letter = 'n',
                                  .kind = BSW_OPT_STRING,
                                  .dest = &name,
                                  .arg = "N",
                                  .help = "the sweep's name"},
                                 {.name = "data",
                                  .letter = 'd',
                                  .kind = BSW_OPT_STRING,
                                  .dest = &data_dir,
                                  .arg = "DIR",
                                  .help = "keep the broker's state in DIR (default: a\n"
                                          "temporary folder, removed at the end)"},
                                 {.name = "quiet",
                                  .letter = 'q',
                                  .kind = BSW_OPT_FLAG,
                                  .dest = &quiet,
                                  .help = "no progress, only the summary"},
                                 {.name = "verbose",
                                  .letter = 'v',
                                  .kind = BSW_OPT_FLAG,
                                  .dest = &verbose,
                                  .help = "show the broker's and workers' logs"},
                                 {NULL}};
    const bsw_opts_t cmd = {"brainsweep run", s_about, options, NULL};
    int parsed = bsw_opts_main (&cmd, argc, argv);
    if (parsed != BSW_OPTS_GO)
        return parsed;
    bsw_error_t err;
    bsw_error_clear (&err);
    client_submission_t sub;
    int rc = client_prepare_submission (spec_path, ranges.items, ranges.count, name, &sub, &err);
    if (rc) {
        fprintf (stderr, "brainsweep run: %s\n", err.text);
        return 1;
    }
    char temp_dir[4096] = "";
    if (!data_dir) {
        const char *tmp = getenv ("TMPDIR");
        snprintf (temp_dir, sizeof temp_dir, "%s/brainsweep-run-XXXXXX",
                  tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp (temp_dir)) {
            fprintf (stderr, "brainsweep run: cannot create %s: %s\n", temp_dir, strerror (errno));
            client_submission_fini (&sub);
            return 1;
        }
        data_dir = temp_dir;
    }
    bsw_signals_block ();
    zsys_init ();
    zsys_set_logident ("brainsweep");
    zsys_set_logstream (verbose ? stderr : NULL);
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "inproc://brainsweep-run-%d", (int) getpid ());
    broker_config_t bconf = {.bind = endpoint, .data_dir = data_dir};
    zactor_t *broker = broker_start (&bconf);
    worker_config_t wconf = {.broker = endpoint,
                             .threads = (size_t) workers,
                             .lanes = (size_t) lanes,
                             .name = "local",
                             .deflate = (int) deflate};
    zactor_t *worker = broker ? zactor_new (worker_actor, &wconf) : NULL;
    bsw_signals_unblock ();
    if (!broker) {
        fprintf (stderr, "brainsweep run: cannot start the embedded broker in %s\n", data_dir);
        rc = 1;
        goto done;
    }
    int64_t started = bsw_clock_mono_ms ();
    client_conn_t *conn = client_conn_new (endpoint, 0);
    uint64_t id = 0, size = 0;
    client_status_t final;
    memset (&final, 0, sizeof final);
    rc = client_submit (conn, &sub, &id, &err);
    if (rc == 0 && !quiet)
        fprintf (stderr, "running %" PRIu64 " points on %ld threads\n", sub.points,
                 workers ? (long) workers : sysconf (_SC_NPROCESSORS_ONLN));
    if (rc == 0)
        rc = client_watch (conn, id, quiet, &final, &err);
    int64_t computed = bsw_clock_mono_ms ();
    if (rc == 0)
        rc = client_fetch (conn, id, output, quiet, &size, &err);
    double total_s = (double) (bsw_clock_mono_ms () - started) / 1000.0;
    if (rc == 0) {
        double compute_s = (double) (computed - started) / 1000.0;
        printf ("sweep '%s': %" PRIu64 " points, %" PRIu64 " done, %" PRIu64 " failed\n", sub.name,
                final.points, final.done, final.failed);
        printf ("  simulations in %.2f s (%.1f points/s), export in %.2f s, total %.2f s\n",
                compute_s, compute_s > 0 ? (double) final.done / compute_s : 0.0,
                total_s - compute_s, total_s);
        s_metric_summary (conn, id);
        printf ("  %s: %.1f MB (TVB export layout, metrics.csv, sweep.json)\n", output,
                (double) size / 1e6);
        if (final.failed)
            fprintf (stderr,
                     "brainsweep run: %" PRIu64 " points failed; see the status column "
                     "of metrics.csv\n",
                     final.failed);
    } else
        fprintf (stderr, "\nbrainsweep run: %s\n", err.text);
    client_conn_destroy (&conn);
done:
    zactor_destroy (&worker);
    zactor_destroy (&broker);
    client_submission_fini (&sub);
    if (temp_dir[0])
        nftw (temp_dir, s_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc ? 1 : 0;
}
