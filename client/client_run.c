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
#include "bsw_util.h"
#include "worker.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char s_usage[] =
    "usage: brainsweep run SPEC.json -o FILE.zip [options]\n"
    "\n"
    "Runs a whole sweep locally: an embedded broker and worker threads in this\n"
    "process, no set-up. Shows progress, writes the DataTypeGroup as one zip in\n"
    "TVB's export layout (with metrics.csv and sweep.json) and prints a summary.\n"
    "\n"
    "  -o, --output FILE.zip          where to write the zip (required)\n"
    "  -w, --workers N                compute threads (default: all cores)\n"
    "      --lanes N                  points integrated together per batch (default:\n"
    "                                 by connectivity size, 1 for 76 regions)\n"
    "      --deflate LEVEL            compress the time series inside their HDF5 files\n"
    "                                 (1-9): a smaller zip for some CPU (default 0:\n"
    "                                 none, as TVB writes them)\n"
    "  -r, --range PARAM=lo:hi:step   add or replace a range; repeatable\n"
    "      --range PARAM=v1,v2,...\n"
    "  -n, --name N                   the sweep's name\n"
    "  -d, --data DIR                 keep the broker's state in DIR (default: a\n"
    "                                 temporary folder, removed at the end)\n"
    "  -q, --quiet                    no progress, only the summary\n"
    "  -v, --verbose                  show the broker's and workers' logs\n"
    "  -h, --help                     this text\n";

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
    static const struct option options[] = {{"output", required_argument, NULL, 'o'},
                                            {"workers", required_argument, NULL, 'w'},
                                            {"lanes", required_argument, NULL, 'L'},
                                            {"range", required_argument, NULL, 'r'},
                                            {"name", required_argument, NULL, 'n'},
                                            {"data", required_argument, NULL, 'd'},
                                            {"quiet", no_argument, NULL, 'q'},
                                            {"verbose", no_argument, NULL, 'v'},
                                            {"deflate", required_argument, NULL, 'D'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    const char *output = NULL, *name = NULL, *data_dir = NULL;
    const char **ranges = bsw_calloc ((size_t) argc + 1, sizeof (char *));
    size_t n_ranges = 0;
    long workers = 0, lanes = 0, deflate = 0;
    bool quiet = false, verbose = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long (argc, argv, "o:w:r:n:d:qvh", options, NULL)) != -1) {
        uint64_t level;
        switch (opt) {
        case 'o':
            output = optarg;
            break;
        case 'w':
        case 'L': {
            uint64_t value;
            if (bsw_parse_u64 (optarg, 1, 4096, &value)) {
                fprintf (stderr, "brainsweep run: --%s: '%s' is not a count from 1 to 4096\n",
                         opt == 'w' ? "workers" : "lanes", optarg);
                free (ranges);
                return 2;
            }
            *(opt == 'w' ? &workers : &lanes) = (long) value;
            break;
        }
        case 'D':
            if (bsw_parse_u64 (optarg, 0, 9, &level)) {
                fprintf (stderr, "brainsweep run: --deflate: '%s' is not a level from 0 to 9\n",
                         optarg);
                free (ranges);
                return 2;
            }
            deflate = (long) level;
            break;
        case 'r':
            ranges[n_ranges++] = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case 'd':
            data_dir = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            fputs (s_usage, stdout);
            free (ranges);
            return 0;
        default:
            fputs (s_usage, stderr);
            free (ranges);
            return 2;
        }
    }
    if (optind != argc - 1 || !output) {
        fprintf (stderr, "brainsweep run: %s\n%s",
                 !output ? "-o FILE.zip is required" : "expected one SPEC.json", s_usage);
        free (ranges);
        return 2;
    }
    const char *spec_path = argv[optind];
    bsw_error_t err;
    bsw_error_clear (&err);
    client_submission_t sub;
    int rc = client_prepare_submission (spec_path, ranges, n_ranges, name, &sub, &err);
    free (ranges);
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
                 workers ? workers : sysconf (_SC_NPROCESSORS_ONLN));
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
