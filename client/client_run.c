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

/*  What the command line asks for. */
typedef struct {
    const char *spec_path;  /* operand */
    const char *output;     /* -o */
    const char *name;       /* -n, or NULL */
    const char *keep;       /* --keep, or NULL */
    const char *data_dir;   /* -d, or NULL for a temporary folder */
    bsw_opts_list_t ranges; /* -r values */
    uint64_t workers;       /* compute threads; 0 = all cores */
    uint64_t lanes;         /* points per batch; 0 = by connectivity size */
    uint64_t deflate;       /* shuffle + deflate level of the series; 0 = none */
    bool quiet;             /* no progress */
    bool verbose;           /* broker and worker logs on stderr */
    bool anywhere;          /* --connectivity-anywhere */
} s_args_t;

/*  The range of one metric over the finished points. */
typedef struct {
    char name[64]; /* TVB's key name */
    double lo, hi; /* min and max of its finite values */
} s_metric_range_t;

#define S_MAX_METRICS 8

/*  What the run did, for the report. */
typedef struct {
    char *name;                              /* the sweep's name (owned) */
    client_status_t final;                   /* counts at the end */
    double compute_s;                        /* submit to the last point */
    double total_s;                          /* submit to the zip written */
    uint64_t size;                           /* zip bytes */
    s_metric_range_t metrics[S_MAX_METRICS]; /* metrics with a finite value */
    size_t n_metrics;                        /* used entries of metrics */
    bool progress;                           /* lines went to stderr (a bar) */
    bool metrics_only;                       /* "keep": "metrics" */
} s_summary_t;

//  Returns BSW_OPTS_GO to go on, or the exit status (0 after --help, 2 bad
//  usage).
static int
s_parse (int argc, char **argv, s_args_t *args)
{
    const bsw_opt_t options[] = {{.name = "SPEC.json",
                                  .kind = BSW_OPT_STRING,
                                  .dest = &args->spec_path,
                                  .positional = true,
                                  .required = true},
                                 {.name = "output",
                                  .letter = 'o',
                                  .kind = BSW_OPT_STRING,
                                  .dest = &args->output,
                                  .arg = "FILE.zip",
                                  .help = "where to write the zip (required)",
                                  .required = true},
                                 {.name = "workers",
                                  .letter = 'w',
                                  .kind = BSW_OPT_U64,
                                  .dest = &args->workers,
                                  .arg = "N",
                                  .help = "compute threads (default: all cores)",
                                  .min = 1,
                                  .max = 4096},
                                 {.name = "lanes",
                                  .kind = BSW_OPT_U64,
                                  .dest = &args->lanes,
                                  .arg = "N",
                                  .help = "points integrated together per batch (default:\n"
                                          "by connectivity size, 1 for 76 regions)",
                                  .min = 1,
                                  .max = 4096},
                                 {.name = "deflate",
                                  .kind = BSW_OPT_U64,
                                  .dest = &args->deflate,
                                  .arg = "LEVEL",
                                  .help = "compress the time series (shuffle + deflate,\n"
                                          "1-9): less to store and a smaller zip, its\n"
                                          "HDF5 files compressed inside, for some CPU\n"
                                          "(default 0: none, as TVB writes them)",
                                  .min = 0,
                                  .max = 9},
                                 {.name = "range",
                                  .letter = 'r',
                                  .kind = BSW_OPT_LIST,
                                  .dest = &args->ranges,
                                  .arg = "PARAM=lo:hi:step",
                                  .help = "add or replace a range (TVB's Range rules),\n"
                                          "or give its values: --range PARAM=v1,v2,...;\n"
                                          "repeatable"},
                                 {.name = "name",
                                  .letter = 'n',
                                  .kind = BSW_OPT_STRING,
                                  .dest = &args->name,
                                  .arg = "N",
                                  .help = "the sweep's name"},
                                 {.name = "keep",
                                  .kind = BSW_OPT_CALL,
                                  .dest = &args->keep,
                                  .arg = "WHAT",
                                  .help = CLIENT_KEEP_HELP,
                                  .call = client_keep_arg,
                                  .expect = "all or metrics"},
                                 {.name = "connectivity-anywhere",
                                  .kind = BSW_OPT_FLAG,
                                  .dest = &args->anywhere,
                                  .help = CLIENT_ANYWHERE_HELP},
                                 {.name = "data",
                                  .letter = 'd',
                                  .kind = BSW_OPT_STRING,
                                  .dest = &args->data_dir,
                                  .arg = "DIR",
                                  .help = "keep the broker's state in DIR (default: a\n"
                                          "temporary folder, removed at the end)"},
                                 {.name = "quiet",
                                  .letter = 'q',
                                  .kind = BSW_OPT_FLAG,
                                  .dest = &args->quiet,
                                  .help = "no progress, only the summary"},
                                 {.name = "verbose",
                                  .letter = 'v',
                                  .kind = BSW_OPT_FLAG,
                                  .dest = &args->verbose,
                                  .help = "show the broker's and workers' logs"},
                                 {NULL}};
    const bsw_opts_t cmd = {"brainsweep run", s_about, options, NULL};
    return bsw_opts_main (&cmd, argc, argv);
}

static int
s_remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

/*  min and max of each metric over the finished points (NaN skipped);
    nothing when the broker cannot say. */
static void
s_metric_ranges (client_conn_t *conn, uint64_t sweep, s_summary_t *summary)
{
    proto_msg_t *request = proto_msg_new (PROTO_RESULTS), *reply = NULL;
    proto_msg_set_uint (request, "sweep", sweep);
    bsw_error_t err;
    if (client_conn_request (conn, &request, PROTO_POINTS, &reply, &err))
        return;
    size_t n_points, n_names = proto_msg_strs_count (reply, "metric_names");
    proto_msg_uints (reply, "points", &n_points);
    const double *values = proto_msg_f64s (reply, "values", NULL);
    for (size_t m = 0; m < n_names && summary->n_metrics < S_MAX_METRICS; m++) {
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
        if (finite) {
            s_metric_range_t *range = &summary->metrics[summary->n_metrics++];
            snprintf (range->name, sizeof range->name, "%s",
                      proto_msg_strs_at (reply, "metric_names", m));
            range->lo = lo;
            range->hi = hi;
        }
    }
    proto_msg_destroy (&reply);
}

/*  What the download thread needs; its outcome comes back on its pipe. */
typedef struct {
    const char *endpoint; /* the embedded broker */
    uint64_t sweep;       /* whose zip */
    const char *output;   /* where it goes */
} s_fetch_args_t;

/*  Downloads the zip while the sweep runs (the broker follows the sweep,
    so the zip is complete soon after its last point), on a connection of
    its own; sends "<rc> <size> <sentence>" when done. */
static void
s_fetch_actor (zsock_t *pipe, void *args)
{
    const s_fetch_args_t *a = args;
    zsock_signal (pipe, 0);
    bsw_error_t err;
    bsw_error_clear (&err);
    //  The embedded broker is on inproc: no keys, whatever the environment.
    client_conn_t *conn = client_conn_new (a->endpoint, 0, NULL, &err);
    uint64_t size = 0;
    int rc = client_fetch (conn, a->sweep, a->output, true, &size, &err);
    client_conn_destroy (&conn);
    zstr_sendf (pipe, "%d %" PRIu64 " %s", rc, size, err.text);
    char *command = zstr_recv (pipe); // $TERM
    zstr_free (&command);
}

/*  Submits, then watches the sweep while a second thread downloads its
    zip as the points come in. */
static int
s_sweep (client_conn_t *conn, const char *endpoint, const s_args_t *args, client_submission_t *sub,
         s_summary_t *summary, bsw_error_t *err)
{
    int64_t started = bsw_clock_mono_ms ();
    uint64_t id = 0;
    int rc = client_submit (conn, sub, &id, err);
    if (rc)
        return rc;
    summary->progress = !args->quiet;
    if (!args->quiet)
        fprintf (stderr, "running %" PRIu64 " points on %ld threads\n", sub->points,
                 args->workers ? (long) args->workers : sysconf (_SC_NPROCESSORS_ONLN));
    s_fetch_args_t fetch_args = {endpoint, id, args->output};
    bsw_signals_block (); // the main thread alone takes SIGINT
    zactor_t *fetch = zactor_new (s_fetch_actor, &fetch_args);
    bsw_signals_unblock ();
    rc = client_watch (conn, id, args->quiet, &summary->final, err);
    int64_t computed = bsw_clock_mono_ms ();
    if (rc) {
        //  The download follows a sweep that will not end now: cancel it so
        //  the download ends too, then report the first failure.
        proto_msg_t *cancel = proto_msg_new (PROTO_CANCEL), *done = NULL;
        proto_msg_set_uint (cancel, "sweep", id);
        bsw_error_t ignored;
        client_conn_request (conn, &cancel, PROTO_DONE, &done, &ignored);
        proto_msg_destroy (&done);
    }
    char *outcome = zstr_recv (fetch);
    zactor_destroy (&fetch);
    int fetch_rc = BSW_EINTERNAL;
    unsigned long long size = 0;
    int used = 0;
    if (outcome && sscanf (outcome, "%d %llu %n", &fetch_rc, &size, &used) >= 2) {
        summary->size = size;
        if (rc == 0 && fetch_rc)
            rc = bsw_error_set (err, fetch_rc, "%s", outcome + used);
    } else if (rc == 0)
        rc = bsw_error_set (err, BSW_EINTERNAL, "the download thread ended without a word");
    zstr_free (&outcome);
    if (rc)
        return rc;
    summary->compute_s = (double) (computed - started) / 1000.0;
    summary->total_s = (double) (bsw_clock_mono_ms () - started) / 1000.0;
    s_metric_ranges (conn, id, summary);
    return BSW_OK;
}

/*  The whole sweep: spec checked, broker and workers started in this
    process, the sweep run and exported, everything stopped and the
    temporary folder removed. */
static int
s_run (const s_args_t *args, s_summary_t *summary, bsw_error_t *err)
{
    memset (summary, 0, sizeof *summary);
    client_submission_t sub;
    const client_overrides_t changes = {args->ranges.items, args->ranges.count, args->name,
                                        args->keep, args->anywhere};
    int rc = client_prepare_submission (args->spec_path, &changes, &sub, err);
    if (rc)
        return rc;
    summary->name = bsw_strdup (sub.name);
    summary->metrics_only = sub.metrics_only;
    const char *data_dir = args->data_dir;
    char temp_dir[4096] = "";
    if (!data_dir) {
        const char *tmp = getenv ("TMPDIR");
        snprintf (temp_dir, sizeof temp_dir, "%s/brainsweep-run-XXXXXX",
                  tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp (temp_dir)) {
            client_submission_fini (&sub);
            return bsw_error_set (err, BSW_EIO, "cannot create %s: %s", temp_dir, strerror (errno));
        }
        data_dir = temp_dir;
    }
    bsw_signals_block ();
    zsys_init ();
    zsys_set_logident ("brainsweep");
    zsys_set_logstream (args->verbose ? stderr : NULL);
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "inproc://brainsweep-run-%d", (int) getpid ());
    broker_config_t bconf = {.bind = endpoint, .data_dir = data_dir};
    zactor_t *broker = broker_start (&bconf);
    worker_config_t wconf = {.broker = endpoint,
                             .threads = (size_t) args->workers,
                             .lanes = (size_t) args->lanes,
                             .name = "local",
                             .deflate = (int) args->deflate};
    zactor_t *worker = broker ? zactor_new (worker_actor, &wconf) : NULL;
    bsw_signals_unblock ();
    if (broker) {
        client_conn_t *conn = client_conn_new (endpoint, 0, NULL, err);
        rc = s_sweep (conn, endpoint, args, &sub, summary, err);
        client_conn_destroy (&conn);
    } else
        rc = bsw_error_set (err, BSW_EIO, "cannot start the embedded broker in %s", data_dir);
    zactor_destroy (&worker);
    zactor_destroy (&broker);
    client_submission_fini (&sub);
    if (temp_dir[0])
        nftw (temp_dir, s_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}

static void
s_report (const s_args_t *args, const s_summary_t *summary)
{
    const client_status_t *final = &summary->final;
    printf ("sweep '%s': %" PRIu64 " points, %" PRIu64 " done, %" PRIu64 " failed\n", summary->name,
            final->points, final->done, final->failed);
    printf ("  simulations in %.2f s (%.1f points/s), export in %.2f s, total %.2f s\n",
            summary->compute_s,
            summary->compute_s > 0 ? (double) final->done / summary->compute_s : 0.0,
            summary->total_s - summary->compute_s, summary->total_s);
    for (size_t m = 0; m < summary->n_metrics; m++)
        printf ("  %-22s %.6g .. %.6g\n", summary->metrics[m].name, summary->metrics[m].lo,
                summary->metrics[m].hi);
    printf ("  %s: %.1f MB (%s)\n", args->output, (double) summary->size / 1e6,
            summary->metrics_only ? "metrics only, no time series: metrics.csv, sweep.json"
                                  : "TVB export layout, metrics.csv, sweep.json");
    if (final->failed)
        fprintf (stderr,
                 "brainsweep run: %" PRIu64 " points failed; see the status column "
                 "of metrics.csv\n",
                 final->failed);
}

int
client_run_main (int argc, char **argv)
{
    s_args_t args = {.spec_path = NULL};
    int status = s_parse (argc, argv, &args);
    if (status != BSW_OPTS_GO)
        return status;
    s_summary_t summary;
    bsw_error_t err;
    bsw_error_clear (&err);
    int rc = s_run (&args, &summary, &err);
    if (rc == 0)
        s_report (&args, &summary);
    else {
        //  After a progress bar, start on a line of its own; the sentence
        //  may quote a file's contents, so it is escaped.
        char *text = bsw_text_escape (err.text[0] ? err.text : bsw_strerror (err.code));
        fprintf (stderr, "%sbrainsweep run: %s\n", summary.progress ? "\n" : "", text);
        free (text);
    }
    free (summary.name);
    return rc ? 1 : 0;
}
