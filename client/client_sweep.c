/*  client_sweep.c - submit, list, status, watch, fetch, cancel, retry and
    stats: the CLI side of proto/PROTOCOL.md's client dialogue. */
#include "client.h"
#include "client_sweep.h"

#include "bsw_util.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char s_broker_help[] =
    "  -b, --broker ENDPOINT  the broker (default: $BRAINSWEEP_BROKER)\n";

static void
s_format_duration (double seconds, char *out, size_t size)
{
    if (!(seconds >= 0) || seconds > 1e8)
        snprintf (out, size, "?");
    else if (seconds < 60)
        snprintf (out, size, "%.0fs", seconds);
    else if (seconds < 3600)
        snprintf (out, size, "%dm%02ds", (int) seconds / 60, (int) seconds % 60);
    else
        snprintf (out, size, "%dh%02dm", (int) seconds / 3600, (int) seconds % 3600 / 60);
}

static int
s_status (client_conn_t *conn, uint64_t sweep, proto_msg_t **reply, bsw_error_t *err)
{
    proto_msg_t *request = proto_msg_new (PROTO_STATUS);
    proto_msg_set_uint (request, "sweep", sweep);
    return client_conn_request (conn, &request, PROTO_SWEEP_STATUS, reply, err);
}

int
client_watch (client_conn_t *conn, uint64_t sweep, bool quiet, client_status_t *final,
              bsw_error_t *err)
{
    bool tty = isatty (STDERR_FILENO);
    int64_t last_line = 0;
    while (true) {
        proto_msg_t *st = NULL;
        int rc = s_status (conn, sweep, &st, err);
        if (rc)
            return rc;
        const char *state = proto_msg_str (st, "state");
        uint64_t points = proto_msg_uint (st, "points"), done = proto_msg_uint (st, "done");
        uint64_t failed = proto_msg_uint (st, "failed"), running = proto_msg_uint (st, "running");
        double rate = proto_msg_f64 (st, "rate"), eta = proto_msg_f64 (st, "eta_s");
        bool over = !streq (state, "running");
        int64_t now = bsw_clock_mono_ms ();
        if (!quiet && (tty || over || now - last_line >= 5000)) {
            int width = 30;
            int filled = points ? (int) ((double) (done + failed) / (double) points * width) : 0;
            char bar[64], eta_text[32];
            for (int k = 0; k < width; k++)
                bar[k] = k < filled ? '#' : '.';
            bar[width] = '\0';
            s_format_duration (eta, eta_text, sizeof eta_text);
            fprintf (stderr,
                     "%s[%s] %" PRIu64 "/%" PRIu64 " done, %" PRIu64 " running, %" PRIu64
                     " failed, %.1f points/s, ETA %s  %s",
                     tty ? "\r" : "", bar, done, points, running, failed, rate,
                     over ? "0s" : eta_text, tty && !over ? "" : "\n");
            fflush (stderr);
            last_line = now;
        }
        if (over) {
            if (final) {
                snprintf (final->state, sizeof final->state, "%s", state);
                final->points = points;
                final->done = done;
                final->failed = failed;
                final->cancelled = proto_msg_uint (st, "cancelled");
                final->elapsed_s = proto_msg_f64 (st, "elapsed_s");
            }
            proto_msg_destroy (&st);
            return BSW_OK;
        }
        proto_msg_destroy (&st);
        for (int k = 0; k < 5 && !zsys_interrupted; k++)
            zclock_sleep (100);
        if (zsys_interrupted)
            return bsw_error_set (err, BSW_ESTATE, "interrupted");
    }
}

int
client_fetch (client_conn_t *conn, uint64_t sweep, const char *path, bool quiet, uint64_t *size,
              bsw_error_t *err)
{
    char tmp[4096];
    snprintf (tmp, sizeof tmp, "%s.tmp", path);
    FILE *file = NULL;
    uint64_t offset = 0, total = 0;
    int rc = 0;
    bool tty = isatty (STDERR_FILENO);
    while (!zsys_interrupted) {
        proto_msg_t *request = proto_msg_new (PROTO_FETCH);
        proto_msg_set_uint (request, "sweep", sweep);
        proto_msg_set_uint (request, "offset", offset);
        proto_msg_t *chunk = NULL;
        rc = client_conn_request (conn, &request, PROTO_CHUNK, &chunk, err);
        if (rc)
            break;
        if (streq (proto_msg_str (chunk, "state"), "preparing")) {
            if (!quiet && tty)
                fprintf (stderr, "\rpreparing the export: %3.0f%%",
                         100.0 * proto_msg_f64 (chunk, "progress"));
            proto_msg_destroy (&chunk);
            zclock_sleep (200);
            continue;
        }
        if (!file) {
            file = fopen (tmp, "wb");
            if (!file) {
                proto_msg_destroy (&chunk);
                rc = bsw_error_set (err, BSW_EIO, "%s: cannot write: %s", tmp, strerror (errno));
                break;
            }
        }
        total = proto_msg_uint (chunk, "total");
        size_t bytes = 0;
        const void *data = proto_msg_has (chunk, "data")
                               ? proto_msg_blob (chunk, "data", &bytes, NULL, NULL, NULL)
                               : NULL;
        if (bytes && fwrite (data, 1, bytes, file) != bytes) {
            proto_msg_destroy (&chunk);
            rc = bsw_error_set (err, errno == ENOSPC ? BSW_ENOSPACE : BSW_EIO,
                                "%s: write failed: %s", tmp, strerror (errno));
            break;
        }
        offset += bytes;
        proto_msg_destroy (&chunk);
        if (!quiet && tty)
            fprintf (stderr, "\rdownloading: %" PRIu64 " of %" PRIu64 " bytes   ", offset, total);
        if (offset >= total || bytes == 0)
            break;
    }
    if (!quiet && tty)
        fprintf (stderr, "\n");
    if (rc == 0 && zsys_interrupted)
        rc = bsw_error_set (err, BSW_ESTATE, "interrupted");
    if (rc == 0 && offset != total)
        rc =
            bsw_error_set (err, BSW_EIO, "the download stopped at %" PRIu64 " of %" PRIu64 " bytes",
                           offset, total);
    if (file) {
        if ((fflush (file) != 0 || fsync (fileno (file)) != 0) && rc == 0)
            rc = bsw_error_set (err, errno == ENOSPC ? BSW_ENOSPACE : BSW_EIO,
                                "%s: write failed: %s", tmp, strerror (errno));
        fclose (file);
    }
    if (rc == 0 && rename (tmp, path) != 0)
        rc = bsw_error_set (err, BSW_EIO, "%s: cannot rename into place: %s", path,
                            strerror (errno));
    if (rc)
        unlink (tmp);
    else if (size)
        *size = total;
    return rc;
}

/*  Parses "[--broker E] [--json] [ID]" style options shared by the simple
    commands; returns the connection or NULL after printing why. */
typedef struct {
    const char *broker;
    bool json;
    bool quiet;
    const char *output;
    const char *name;
    const char **ranges;
    size_t n_ranges;
    int timeout_ms;
} s_opts_t;

static int
s_parse_opts (int argc, char **argv, s_opts_t *opts, const char *usage, int *first_arg)
{
    static const struct option options[] = {
        {"broker", required_argument, NULL, 'b'}, {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},        {"output", required_argument, NULL, 'o'},
        {"name", required_argument, NULL, 'n'},   {"range", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    memset (opts, 0, sizeof *opts);
    opts->ranges = bsw_calloc ((size_t) argc + 1, sizeof (char *));
    optind = 1;
    int opt;
    while ((opt = getopt_long (argc, argv, "b:qo:n:r:h", options, NULL)) != -1) {
        switch (opt) {
        case 'b':
            opts->broker = optarg;
            break;
        case 'j':
            opts->json = true;
            break;
        case 'q':
            opts->quiet = true;
            break;
        case 'o':
            opts->output = optarg;
            break;
        case 'n':
            opts->name = optarg;
            break;
        case 'r':
            opts->ranges[opts->n_ranges++] = optarg;
            break;
        case 'h':
            fputs (usage, stdout);
            return 0;
        default:
            fputs (usage, stderr);
            return 2;
        }
    }
    *first_arg = optind;
    return -1;
}

static client_conn_t *
s_connect (const char *command, const s_opts_t *opts)
{
    const char *endpoint = client_broker_endpoint (opts->broker);
    if (!endpoint) {
        fprintf (stderr,
                 "brainsweep %s: no broker: give --broker ENDPOINT or set BRAINSWEEP_BROKER "
                 "(or use `brainsweep run` to run locally)\n",
                 command);
        return NULL;
    }
    return client_conn_new (endpoint, opts->timeout_ms);
}

static int
s_fail (const char *command, const bsw_error_t *err)
{
    fprintf (stderr, "brainsweep %s: %s\n", command,
             err->text[0] ? err->text : bsw_strerror (err->code));
    return 1;
}

/*  Shared frame of the commands that take exactly one sweep ID. */
static int
s_one_id (int argc, char **argv, const char *usage, s_opts_t *opts, uint64_t *id,
          client_conn_t **conn)
{
    int first;
    int rc = s_parse_opts (argc, argv, opts, usage, &first);
    if (rc >= 0)
        return rc;
    if (first != argc - 1 || bsw_parse_u64 (argv[first], 1, UINT64_MAX, id)) {
        fprintf (stderr, "brainsweep %s: expected one sweep ID (a positive number)\n%s", argv[0],
                 usage);
        return 2;
    }
    *conn = s_connect (argv[0], opts);
    return *conn ? -1 : 2;
}

int
client_submit_main (int argc, char **argv)
{
    static const char usage[] =
        "usage: brainsweep submit SPEC.json [--range PARAM=lo:hi:step]... [--name N]\n"
        "\n"
        "Submits a sweep to the broker and prints its ID. The spec's connectivity\n"
        "file is read here and sent with the sweep (workers need no shared files).\n"
        "\n"
        "  -r, --range PARAM=lo:hi:step  add or replace a range (TVB's Range rules);\n"
        "      --range PARAM=v1,v2,...   or give its values; repeatable\n"
        "  -n, --name N                  the sweep's name\n"
        "  -q, --quiet                   print only the ID\n";
    char full[2048];
    snprintf (full, sizeof full, "%s%s", usage, s_broker_help);
    s_opts_t opts;
    int first, rc = s_parse_opts (argc, argv, &opts, full, &first);
    if (rc < 0 && first != argc - 1) {
        fprintf (stderr, "brainsweep submit: expected one SPEC.json\n%s", full);
        rc = 2;
    }
    client_conn_t *conn = rc < 0 ? s_connect ("submit", &opts) : NULL;
    if (rc < 0 && !conn)
        rc = 2;
    if (rc >= 0) {
        free (opts.ranges);
        return rc;
    }
    bsw_error_t err;
    bsw_error_clear (&err);
    client_submission_t sub;
    uint64_t id = 0;
    rc = client_prepare_submission (argv[first], opts.ranges, opts.n_ranges, opts.name, &sub, &err);
    if (rc == 0)
        rc = client_submit (conn, &sub, &id, &err);
    if (rc == 0) {
        //  The ID alone on stdout, for scripts; the sentence on stderr.
        printf ("%" PRIu64 "\n", id);
        if (!opts.quiet)
            fprintf (stderr, "sweep %" PRIu64 " submitted: %" PRIu64 " points\n", id, sub.points);
    }
    client_submission_fini (&sub);
    client_conn_destroy (&conn);
    free (opts.ranges);
    return rc ? s_fail ("submit", &err) : 0;
}

int
client_list_main (int argc, char **argv)
{
    char usage[1024];
    snprintf (usage, sizeof usage,
              "usage: brainsweep list\n\nLists every sweep the broker holds.\n\n%s", s_broker_help);
    s_opts_t opts;
    int first, rc = s_parse_opts (argc, argv, &opts, usage, &first);
    free (opts.ranges);
    if (rc >= 0)
        return rc;
    if (first != argc) {
        fprintf (stderr, "brainsweep list: unexpected argument\n%s", usage);
        return 2;
    }
    client_conn_t *conn = s_connect ("list", &opts);
    if (!conn)
        return 2;
    bsw_error_t err;
    proto_msg_t *request = proto_msg_new (PROTO_LIST), *reply = NULL;
    rc = client_conn_request (conn, &request, PROTO_SWEEPS, &reply, &err);
    client_conn_destroy (&conn);
    if (rc)
        return s_fail ("list", &err);
    size_t count;
    const uint64_t *ids = proto_msg_uints (reply, "ids", &count);
    const uint64_t *points = proto_msg_uints (reply, "points", NULL);
    const uint64_t *done = proto_msg_uints (reply, "done", NULL);
    const uint64_t *failed = proto_msg_uints (reply, "failed", NULL);
    printf ("%-6s %-10s %9s %9s %7s  %s\n", "ID", "STATE", "POINTS", "DONE", "FAILED", "NAME");
    for (size_t k = 0; k < count; k++)
        printf ("%-6" PRIu64 " %-10s %9" PRIu64 " %9" PRIu64 " %7" PRIu64 "  %s\n", ids[k],
                proto_msg_strs_at (reply, "states", k), points[k], done[k], failed[k],
                proto_msg_strs_at (reply, "names", k));
    proto_msg_destroy (&reply);
    return 0;
}

int
client_status_main (int argc, char **argv)
{
    char usage[1024];
    snprintf (usage, sizeof usage,
              "usage: brainsweep status ID [--json]\n\nOne sweep's progress: points pending, "
              "running, done, failed, cancelled;\nrate and ETA.\n\n"
              "      --json             print one JSON object\n%s",
              s_broker_help);
    s_opts_t opts;
    uint64_t id;
    client_conn_t *conn = NULL;
    int rc = s_one_id (argc, argv, usage, &opts, &id, &conn);
    free (opts.ranges);
    if (rc >= 0)
        return rc;
    bsw_error_t err;
    proto_msg_t *st = NULL;
    rc = s_status (conn, id, &st, &err);
    client_conn_destroy (&conn);
    if (rc)
        return s_fail ("status", &err);
    static const char *counts[] = {"points", "pending",   "running", "done",
                                   "failed", "cancelled", "workers"};
    char rate[BSW_DOUBLE_BUF], eta[BSW_DOUBLE_BUF], elapsed[BSW_DOUBLE_BUF];
    bsw_format_double (proto_msg_f64 (st, "rate"), rate);
    bsw_format_double (proto_msg_f64 (st, "eta_s"), eta);
    bsw_format_double (proto_msg_f64 (st, "elapsed_s"), elapsed);
    if (opts.json) {
        printf ("{\"sweep\": %" PRIu64 ", \"name\": \"", id);
        for (const char *p = proto_msg_str (st, "name"); *p; p++)
            if (*p == '"' || *p == '\\')
                printf ("\\%c", *p);
            else if ((unsigned char) *p < 0x20)
                printf ("\\u%04x", *p);
            else
                putchar (*p);
        printf ("\", \"state\": \"%s\"", proto_msg_str (st, "state"));
        for (size_t k = 0; k < sizeof counts / sizeof *counts; k++)
            printf (", \"%s\": %" PRIu64, counts[k], proto_msg_uint (st, counts[k]));
        printf (", \"rate\": %s, \"eta_s\": %s, \"elapsed_s\": %s}\n", rate, eta, elapsed);
    } else {
        printf ("sweep %" PRIu64 " '%s': %s\n", id, proto_msg_str (st, "name"),
                proto_msg_str (st, "state"));
        for (size_t k = 0; k < sizeof counts / sizeof *counts; k++)
            printf ("  %-10s %" PRIu64 "\n", counts[k], proto_msg_uint (st, counts[k]));
        char eta_text[32], el_text[32];
        s_format_duration (proto_msg_f64 (st, "eta_s"), eta_text, sizeof eta_text);
        s_format_duration (proto_msg_f64 (st, "elapsed_s"), el_text, sizeof el_text);
        printf ("  %-10s %.1f points/s\n  %-10s %s\n  %-10s %s\n", "rate",
                proto_msg_f64 (st, "rate"), "eta", eta_text, "elapsed", el_text);
    }
    proto_msg_destroy (&st);
    return 0;
}

int
client_watch_main (int argc, char **argv)
{
    char usage[1024];
    snprintf (usage, sizeof usage,
              "usage: brainsweep watch ID\n\nA live progress bar (done, running, failed, rate, "
              "ETA) until the sweep\nends. Exit status 0 when it finished, 1 when it was "
              "cancelled or on error.\n\n%s",
              s_broker_help);
    s_opts_t opts;
    uint64_t id;
    client_conn_t *conn = NULL;
    int rc = s_one_id (argc, argv, usage, &opts, &id, &conn);
    free (opts.ranges);
    if (rc >= 0)
        return rc;
    bsw_error_t err;
    client_status_t final;
    rc = client_watch (conn, id, false, &final, &err);
    client_conn_destroy (&conn);
    if (rc)
        return s_fail ("watch", &err);
    if (streq (final.state, "cancelled")) {
        fprintf (stderr, "sweep %" PRIu64 " was cancelled\n", id);
        return 1;
    }
    return 0;
}

int
client_fetch_main (int argc, char **argv)
{
    char usage[1024];
    snprintf (usage, sizeof usage,
              "usage: brainsweep fetch ID -o FILE.zip\n\nDownloads the sweep's DataTypeGroup as "
              "one zip in TVB's export layout\n(plus metrics.csv and sweep.json). A running "
              "sweep is waited for first.\n\n  -o, --output FILE.zip  where to write it\n%s",
              s_broker_help);
    s_opts_t opts;
    uint64_t id;
    client_conn_t *conn = NULL;
    int rc = s_one_id (argc, argv, usage, &opts, &id, &conn);
    free (opts.ranges);
    if (rc >= 0)
        return rc;
    if (!opts.output) {
        client_conn_destroy (&conn);
        fprintf (stderr, "brainsweep fetch: -o FILE.zip is required\n%s", usage);
        return 2;
    }
    bsw_error_t err;
    client_status_t final;
    uint64_t size = 0;
    rc = client_watch (conn, id, false, &final, &err);
    if (rc == 0)
        rc = client_fetch (conn, id, opts.output, false, &size, &err);
    client_conn_destroy (&conn);
    if (rc)
        return s_fail ("fetch", &err);
    fprintf (stderr, "%s: %" PRIu64 " bytes\n", opts.output, size);
    return 0;
}

static int
s_done_command (int argc, char **argv, proto_type_t type, const char *usage, const char *verb)
{
    s_opts_t opts;
    uint64_t id;
    client_conn_t *conn = NULL;
    int rc = s_one_id (argc, argv, usage, &opts, &id, &conn);
    free (opts.ranges);
    if (rc >= 0)
        return rc;
    bsw_error_t err;
    proto_msg_t *request = proto_msg_new (type), *reply = NULL;
    proto_msg_set_uint (request, "sweep", id);
    rc = client_conn_request (conn, &request, PROTO_DONE, &reply, &err);
    client_conn_destroy (&conn);
    if (rc)
        return s_fail (argv[0], &err);
    printf ("sweep %" PRIu64 ": %" PRIu64 " points %s\n", id, proto_msg_uint (reply, "count"),
            verb);
    proto_msg_destroy (&reply);
    return 0;
}

int
client_cancel_main (int argc, char **argv)
{
    char usage[1024];
    snprintf (usage, sizeof usage,
              "usage: brainsweep cancel ID\n\nStops a sweep: no more points are dispatched; "
              "finished results are kept\nand can be fetched. `retry ID` resumes it.\n\n%s",
              s_broker_help);
    return s_done_command (argc, argv, PROTO_CANCEL, usage, "cancelled");
}

int
client_retry_main (int argc, char **argv)
{
    char usage[1024];
    snprintf (usage, sizeof usage,
              "usage: brainsweep retry ID\n\nRuns the sweep's failed points again (and resumes "
              "it if it was cancelled).\n\n%s",
              s_broker_help);
    return s_done_command (argc, argv, PROTO_RETRY, usage, "queued again");
}

//  The broker's counters, as BROKER_STATS names them, in the order printed.
static const char *const s_stats_counts[] = {
    "sweeps_running",  "sweeps_finished",   "sweeps_cancelled", "workers",
    "workers_joined",  "workers_lost",      "workers_left",     "points_running",
    "points_requeued", "results_committed", "results_duplicate"};

/*  {"version": ..., "uptime_s": ..., <counts>, "errors": {"PROTO": 3}}: the
    errors keyed by the code's name (its number when the name is unknown
    here, as from a newer broker). */
static char *
s_stats_json (const proto_msg_t *st)
{
    json_t *root = json_object ();
    json_object_set_new (root, "version", json_string (proto_msg_str (st, "version")));
    json_object_set_new (root, "uptime_s", json_real (proto_msg_f64 (st, "uptime_s")));
    for (size_t k = 0; k < sizeof s_stats_counts / sizeof *s_stats_counts; k++)
        json_object_set_new (root, s_stats_counts[k],
                             json_integer ((json_int_t) proto_msg_uint (st, s_stats_counts[k])));
    json_t *errors = json_object ();
    size_t n = 0;
    const int64_t *codes = proto_msg_ints (st, "error_codes", &n);
    const uint64_t *counts = proto_msg_uints (st, "error_counts", NULL);
    for (size_t k = 0; k < n; k++) {
        char key[32];
        const char *name = bsw_errname ((int) codes[k]);
        if (codes[k] < INT32_MIN || streq (name, "UNKNOWN"))
            snprintf (key, sizeof key, "%" PRId64, codes[k]);
        else
            snprintf (key, sizeof key, "%s", name);
        json_object_set_new (errors, key, json_integer ((json_int_t) counts[k]));
    }
    json_object_set_new (root, "errors", errors);
    char *text = json_dumps (root, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION (10));
    json_decref (root);
    return text;
}

int
client_stats_main (int argc, char **argv)
{
    char usage[1024];
    snprintf (usage, sizeof usage,
              "usage: brainsweep stats [--json]\n\nThe broker's counters: sweeps by state, "
              "workers connected, joined, lost\n(silent) and left, points running and requeued, "
              "results committed and duplicate,\nand error replies by code, since the broker "
              "started.\n\n      --json             print one JSON object\n%s",
              s_broker_help);
    s_opts_t opts;
    int first, rc = s_parse_opts (argc, argv, &opts, usage, &first);
    free (opts.ranges);
    if (rc >= 0)
        return rc;
    if (first != argc) {
        fprintf (stderr, "brainsweep stats: unexpected argument\n%s", usage);
        return 2;
    }
    client_conn_t *conn = s_connect ("stats", &opts);
    if (!conn)
        return 2;
    bsw_error_t err;
    proto_msg_t *request = proto_msg_new (PROTO_STATS), *st = NULL;
    rc = client_conn_request (conn, &request, PROTO_BROKER_STATS, &st, &err);
    client_conn_destroy (&conn);
    if (rc)
        return s_fail ("stats", &err);
    if (opts.json) {
        char *text = s_stats_json (st);
        puts (text);
        free (text);
        proto_msg_destroy (&st);
        return 0;
    }
    char uptime[32];
    s_format_duration (proto_msg_f64 (st, "uptime_s"), uptime, sizeof uptime);
    printf ("broker %s, up %s\n", proto_msg_str (st, "version"), uptime);
    printf ("  %-8s %" PRIu64 " running, %" PRIu64 " finished, %" PRIu64 " cancelled\n", "sweeps",
            proto_msg_uint (st, "sweeps_running"), proto_msg_uint (st, "sweeps_finished"),
            proto_msg_uint (st, "sweeps_cancelled"));
    printf ("  %-8s %" PRIu64 " connected, %" PRIu64 " joined, %" PRIu64 " lost, %" PRIu64
            " left\n",
            "workers", proto_msg_uint (st, "workers"), proto_msg_uint (st, "workers_joined"),
            proto_msg_uint (st, "workers_lost"), proto_msg_uint (st, "workers_left"));
    printf ("  %-8s %" PRIu64 " running, %" PRIu64 " requeued\n", "points",
            proto_msg_uint (st, "points_running"), proto_msg_uint (st, "points_requeued"));
    printf ("  %-8s %" PRIu64 " committed, %" PRIu64 " duplicate\n", "results",
            proto_msg_uint (st, "results_committed"), proto_msg_uint (st, "results_duplicate"));
    size_t n = 0;
    const int64_t *codes = proto_msg_ints (st, "error_codes", &n);
    const uint64_t *counts = proto_msg_uints (st, "error_counts", NULL);
    printf ("  %-8s %s", "errors", n ? "" : "none");
    for (size_t k = 0; k < n; k++)
        printf ("%s%" PRIu64 " %s (%" PRId64 ")", k ? ", " : "", counts[k],
                bsw_errname ((int) codes[k]), codes[k]);
    printf ("\n");
    proto_msg_destroy (&st);
    return 0;
}
