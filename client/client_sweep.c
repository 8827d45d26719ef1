/*  client_sweep.c - submit, list, status, watch, fetch, cancel, retry and
    stats: the CLI side of proto/PROTOCOL.md's client dialogue. */
#include "client.h"
#include "client_sweep.h"

#include "bsw_opts.h"
#include "bsw_assert.h"
#include "bsw_util.h"

#include <jansson.h>

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int
client_status (client_conn_t *conn, uint64_t sweep, proto_msg_t **reply, bsw_error_t *err)
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
        int rc = client_status (conn, sweep, &st, err);
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

//  One download of the zip: FETCH from 0, then from where each chunk ended,
//  into file, until the chunk that ends the zip. Returns 0, or an error
//  (*restart: the broker lost the export; start again from 0).
static int
s_download (client_conn_t *conn, uint64_t sweep, FILE *file, const char *tmp, bool quiet,
            uint64_t *size, bool *restart, bsw_error_t *err)
{
    bool tty = isatty (STDERR_FILENO);
    uint64_t offset = 0, export = 0;
    bool started = false;
    int64_t shown = 0;
    *restart = false;
    while (!zsys_interrupted) {
        proto_msg_t *request = proto_msg_new (PROTO_FETCH);
        proto_msg_set_uint (request, "sweep", sweep);
        proto_msg_set_uint (request, "offset", offset);
        if (started)
            proto_msg_set_uint (request, "export", export);
        proto_msg_t *chunk = NULL;
        int rc = client_conn_request (conn, &request, PROTO_CHUNK, &chunk, err);
        if (rc) {
            //  The export it was taking is gone: all of one export or none.
            *restart = started && (rc == BSW_ENOTFOUND || rc == BSW_ESTATE);
            return rc;
        }
        uint64_t id = proto_msg_uint (chunk, "export");
        if ((started && id != export) || proto_msg_uint (chunk, "offset") != offset) {
            proto_msg_destroy (&chunk);
            *restart = true;
            return bsw_error_set (err, BSW_EPROTO,
                                  "the broker answered with another export's bytes");
        }
        export = id;
        started = true;
        size_t bytes = 0;
        const void *data = proto_msg_has (chunk, "data")
                               ? proto_msg_blob (chunk, "data", &bytes, NULL, NULL, NULL)
                               : NULL;
        if (bytes && fwrite (data, 1, bytes, file) != bytes) {
            proto_msg_destroy (&chunk);
            return bsw_error_set (err, errno == ENOSPC ? BSW_ENOSPACE : BSW_EIO,
                                  "%s: write failed: %s", tmp, strerror (errno));
        }
        offset += bytes;
        bool last = proto_msg_bool (chunk, "last");
        double progress = proto_msg_has (chunk, "progress") ? proto_msg_f64 (chunk, "progress") : 0;
        proto_msg_destroy (&chunk);
        int64_t now = bsw_clock_mono_ms ();
        if (!quiet && tty && (last || now - shown >= 200)) {
            fprintf (stderr, "\rdownloading: %.1f MB, %3.0f%% of the points   ",
                     (double) offset / 1e6, 100.0 * progress);
            shown = now;
        }
        if (last) {
            *size = offset;
            return 0;
        }
    }
    return bsw_error_set (err, BSW_ESTATE, "interrupted");
}

int
client_fetch (client_conn_t *conn, uint64_t sweep, const char *path, bool quiet, uint64_t *size,
              bsw_error_t *err)
{
    char tmp[4096];
    snprintf (tmp, sizeof tmp, "%s.tmp", path);
    int rc = 0;
    uint64_t total = 0;
    //  A broker that restarts mid-download loses the export: start over,
    //  a few times, rather than splice two exports.
    for (int attempt = 0; attempt < 3; attempt++) {
        FILE *file = fopen (tmp, "wb");
        if (!file)
            return bsw_error_set (err, BSW_EIO, "%s: cannot write: %s", tmp, strerror (errno));
        bool restart = false;
        rc = s_download (conn, sweep, file, tmp, quiet, &total, &restart, err);
        if (!quiet && isatty (STDERR_FILENO))
            fprintf (stderr, "\n");
        if ((fflush (file) != 0 || fsync (fileno (file)) != 0) && rc == 0)
            rc = bsw_error_set (err, errno == ENOSPC ? BSW_ENOSPACE : BSW_EIO,
                                "%s: write failed: %s", tmp, strerror (errno));
        fclose (file);
        if (rc == 0 || !restart)
            break;
        if (!quiet) {
            char *text = bsw_text_escape (err->text);
            fprintf (stderr, "brainsweep: %s; downloading again from the start\n", text);
            free (text);
        }
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

/*  The CurveZMQ keys of every command here (--broker-key, --key). */
proto_curve_keys_t client_keys;

/*  The broker option of every command here. */
bsw_opt_t
client_broker_row (const char **broker)
{
    return (bsw_opt_t){.name = "broker",
                       .letter = 'b',
                       .kind = BSW_OPT_STRING,
                       .dest = broker,
                       .arg = "ENDPOINT",
                       .help = "the broker (default: $BRAINSWEEP_BROKER)"};
}

/*  The sweep ID operand. */
bsw_opt_t
client_id_row (uint64_t *id)
{
    return (bsw_opt_t){.name = "ID",
                       .kind = BSW_OPT_U64,
                       .dest = id,
                       .help = "the sweep's ID (as submit and list print it)",
                       .positional = true,
                       .required = true,
                       .min = 1};
}

/*  The connection to --broker or $BRAINSWEEP_BROKER, or NULL after saying
    that there is none or that a key cannot be used (a usage mistake: exit
    2). */
client_conn_t *
client_connect (const char *command, const char *broker)
{
    const char *endpoint = client_broker_endpoint (broker);
    if (!endpoint) {
        fprintf (stderr,
                 "brainsweep %s: no broker: give --broker ENDPOINT or set BRAINSWEEP_BROKER "
                 "(or use `brainsweep run` to run locally)\n",
                 command);
        return NULL;
    }
    bsw_error_t err;
    client_conn_t *conn = client_conn_new (endpoint, 0, &client_keys, &err);
    if (!conn)
        fprintf (stderr, "brainsweep %s: %s\n", command, err.text);
    return conn;
}

//  An error's sentence may quote a peer (the broker's reply, a name):
//  escaped before it reaches the terminal.
int
client_fail (const char *command, const bsw_error_t *err)
{
    char *text = bsw_text_escape (err->text[0] ? err->text : bsw_strerror (err->code));
    fprintf (stderr, "brainsweep %s: %s\n", command, text);
    free (text);
    return 1;
}

int
client_submit_main (int argc, char **argv)
{
    const char *spec_path = NULL, *name = NULL, *broker = NULL, *keep = NULL;
    bsw_opts_list_t ranges = {.count = 0};
    bool quiet = false, anywhere = false;
    const bsw_opt_t options[] = {{.name = "SPEC.json",
                                  .kind = BSW_OPT_STRING,
                                  .dest = &spec_path,
                                  .positional = true,
                                  .required = true},
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
                                 {.name = "keep",
                                  .kind = BSW_OPT_CALL,
                                  .dest = &keep,
                                  .arg = "WHAT",
                                  .help = CLIENT_KEEP_HELP,
                                  .call = client_keep_arg,
                                  .expect = "all or metrics"},
                                 {.name = "connectivity-anywhere",
                                  .kind = BSW_OPT_FLAG,
                                  .dest = &anywhere,
                                  .help = CLIENT_ANYWHERE_HELP},
                                 {.name = "quiet",
                                  .letter = 'q',
                                  .kind = BSW_OPT_FLAG,
                                  .dest = &quiet,
                                  .help = "print only the ID"},
                                 client_broker_row (&broker),
                                 CLIENT_KEY_OPTIONS (&client_keys),
                                 {NULL}};
    const bsw_opts_t cmd = {
        "brainsweep submit",
        "Submits a sweep to the broker and prints its ID. The spec's connectivity\n"
        "file is read here and sent with the sweep (workers need no shared files).\n",
        options, NULL};
    int rc = bsw_opts_main (&cmd, argc, argv);
    if (rc != BSW_OPTS_GO)
        return rc;
    client_conn_t *conn = client_connect ("submit", broker);
    if (!conn)
        return 2;
    bsw_error_t err;
    bsw_error_clear (&err);
    client_submission_t sub;
    uint64_t id = 0;
    const client_overrides_t changes = {ranges.items, ranges.count, name, keep, anywhere};
    rc = client_prepare_submission (spec_path, &changes, &sub, &err);
    if (rc == 0)
        rc = client_submit (conn, &sub, &id, &err);
    if (rc == 0) {
        //  The ID alone on stdout, for scripts; the sentence on stderr.
        printf ("%" PRIu64 "\n", id);
        if (!quiet)
            fprintf (stderr, "sweep %" PRIu64 " submitted: %" PRIu64 " points\n", id, sub.points);
    }
    client_submission_fini (&sub);
    client_conn_destroy (&conn);
    return rc ? client_fail ("submit", &err) : 0;
}

int
client_list_main (int argc, char **argv)
{
    const char *broker = NULL;
    const bsw_opt_t options[] = {
        client_broker_row (&broker), CLIENT_KEY_OPTIONS (&client_keys), {NULL}};
    const bsw_opts_t cmd = {"brainsweep list",
                            "Lists the sweeps the broker holds, the newest 1000. With CurveZMQ\n"
                            "keys, a client key sees the sweeps it submitted, an admin key all.\n"
                            "FAMILY names a refinement's grid: \"3 grid\" is a refined grid,\n"
                            "\"3 level 1\" its first level (brainsweep refine).\n",
                            options, NULL};
    int rc = bsw_opts_main (&cmd, argc, argv);
    if (rc != BSW_OPTS_GO)
        return rc;
    client_conn_t *conn = client_connect ("list", broker);
    if (!conn)
        return 2;
    bsw_error_t err;
    proto_msg_t *request = proto_msg_new (PROTO_LIST), *reply = NULL;
    rc = client_conn_request (conn, &request, PROTO_SWEEPS, &reply, &err);
    client_conn_destroy (&conn);
    if (rc)
        return client_fail ("list", &err);
    size_t count;
    const uint64_t *ids = proto_msg_uints (reply, "ids", &count);
    const uint64_t *points = proto_msg_uints (reply, "points", NULL);
    const uint64_t *done = proto_msg_uints (reply, "done", NULL);
    const uint64_t *failed = proto_msg_uints (reply, "failed", NULL);
    const uint64_t *parents = proto_msg_uints (reply, "parents", NULL);
    const uint64_t *levels = proto_msg_uints (reply, "levels", NULL);
    printf ("%-6s %-10s %9s %9s %7s  %-12s %s\n", "ID", "STATE", "POINTS", "DONE", "FAILED",
            "FAMILY", "NAME");
    for (size_t k = 0; k < count; k++) {
        //  Names and states came from a peer: escaped before a terminal.
        char *state = bsw_text_escape (proto_msg_strs_at (reply, "states", k));
        char *name = bsw_text_escape (proto_msg_strs_at (reply, "names", k));
        //  A refinement level names its grid; a grid with levels says so.
        char family[40] = "-";
        if (parents[k])
            snprintf (family, sizeof family, "%" PRIu64 " level %" PRIu64, parents[k], levels[k]);
        for (size_t q = 0; q < count && !parents[k]; q++)
            if (parents[q] == ids[k])
                snprintf (family, sizeof family, "%" PRIu64 " grid", ids[k]);
        printf ("%-6" PRIu64 " %-10s %9" PRIu64 " %9" PRIu64 " %7" PRIu64 "  %-12s %s\n", ids[k],
                state, points[k], done[k], failed[k], family, name);
        free (state);
        free (name);
    }
    if (proto_msg_has (reply, "more"))
        printf ("(%" PRIu64 " older sweeps not shown: the broker lists the newest %zu)\n",
                proto_msg_uint (reply, "more"), count);
    proto_msg_destroy (&reply);
    return 0;
}

static const char *const s_status_counts[] = {"points", "pending",   "running", "done",
                                              "failed", "cancelled", "workers"};

//  A text from the broker as a JSON string: jansson takes UTF-8 only, and
//  the wire does not check it.
static json_t *
s_json_text (const char *s)
{
    char *valid = bsw_utf8_strdup (s);
    json_t *value = json_string (valid);
    free (valid);
    return value;
}

//  Plain JSON has no NaN or infinities (which only a broken broker sends).
static json_t *
s_json_number (double value)
{
    return isfinite (value) ? json_real (value) : json_null ();
}

static json_t *
s_json_count (uint64_t value)
{
    return value <= INT64_MAX ? json_integer ((json_int_t) value) : json_real ((double) value);
}

//  status --json: one object, keys in a fixed order, by jansson.
static void
s_print_status_json (uint64_t id, const proto_msg_t *st)
{
    json_t *root = json_object ();
    json_object_set_new (root, "sweep", s_json_count (id));
    json_object_set_new (root, "name", s_json_text (proto_msg_str (st, "name")));
    json_object_set_new (root, "state", s_json_text (proto_msg_str (st, "state")));
    for (size_t k = 0; k < sizeof s_status_counts / sizeof *s_status_counts; k++)
        json_object_set_new (root, s_status_counts[k],
                             s_json_count (proto_msg_uint (st, s_status_counts[k])));
    json_object_set_new (root, "rate", s_json_number (proto_msg_f64 (st, "rate")));
    json_object_set_new (root, "eta_s", s_json_number (proto_msg_f64 (st, "eta_s")));
    json_object_set_new (root, "elapsed_s", s_json_number (proto_msg_f64 (st, "elapsed_s")));
    if (proto_msg_has (st, "parent")) {
        json_object_set_new (root, "parent", s_json_count (proto_msg_uint (st, "parent")));
        json_object_set_new (root, "level", s_json_count (proto_msg_uint (st, "level")));
    }
    if (proto_msg_has (st, "refine_metric")) {
        json_t *refine = json_object ();
        json_object_set_new (refine, "metric", s_json_text (proto_msg_str (st, "refine_metric")));
        json_object_set_new (refine, "threshold",
                             s_json_number (proto_msg_f64 (st, "refine_threshold")));
        json_object_set_new (refine, "levels", s_json_count (proto_msg_uint (st, "refine_levels")));
        json_object_set_new (refine, "state", s_json_text (proto_msg_str (st, "refine_state")));
        if (proto_msg_has (st, "refine_note"))
            json_object_set_new (refine, "note", s_json_text (proto_msg_str (st, "refine_note")));
        json_t *family = json_array ();
        size_t count = 0;
        const uint64_t *ids =
            proto_msg_has (st, "family") ? proto_msg_uints (st, "family", &count) : NULL;
        for (size_t l = 0; l < count; l++)
            json_array_append_new (family, s_json_count (ids[l]));
        json_object_set_new (refine, "family", family);
        json_object_set_new (root, "refinement", refine);
    }
    //  ", " and ": " between items, as before; reals read back exactly.
    char *text = json_dumps (root, JSON_REAL_PRECISION (17));
    json_decref (root);
    BSW_ASSERT (text); // fails only without memory
    printf ("%s\n", text);
    free (text);
}

int
client_status_main (int argc, char **argv)
{
    const char *broker = NULL;
    uint64_t id = 0;
    bool json = false;
    const bsw_opt_t options[] = {
        client_id_row (&id),
        {.name = "json", .kind = BSW_OPT_FLAG, .dest = &json, .help = "print one JSON object"},
        client_broker_row (&broker),
        CLIENT_KEY_OPTIONS (&client_keys),
        {NULL}};
    const bsw_opts_t cmd = {
        "brainsweep status",
        "One sweep's progress: points pending, running, done, failed, cancelled;\n"
        "rate and ETA. For a refinement level, the grid it refines; for a refined\n"
        "grid, the refinement and each of its levels.\n",
        options, NULL};
    int rc = bsw_opts_main (&cmd, argc, argv);
    if (rc != BSW_OPTS_GO)
        return rc;
    client_conn_t *conn = client_connect ("status", broker);
    if (!conn)
        return 2;
    bsw_error_t err;
    proto_msg_t *st = NULL;
    rc = client_status (conn, id, &st, &err);
    if (rc) {
        client_conn_destroy (&conn);
        return client_fail ("status", &err);
    }
    if (json)
        s_print_status_json (id, st);
    else {
        char *name = bsw_text_escape (proto_msg_str (st, "name"));
        char *state = bsw_text_escape (proto_msg_str (st, "state"));
        printf ("sweep %" PRIu64 " '%s': %s\n", id, name, state);
        free (name);
        free (state);
        for (size_t k = 0; k < sizeof s_status_counts / sizeof *s_status_counts; k++)
            printf ("  %-10s %" PRIu64 "\n", s_status_counts[k],
                    proto_msg_uint (st, s_status_counts[k]));
        char eta_text[32], el_text[32];
        s_format_duration (proto_msg_f64 (st, "eta_s"), eta_text, sizeof eta_text);
        s_format_duration (proto_msg_f64 (st, "elapsed_s"), el_text, sizeof el_text);
        printf ("  %-10s %.1f points/s\n  %-10s %s\n  %-10s %s\n", "rate",
                proto_msg_f64 (st, "rate"), "eta", eta_text, "elapsed", el_text);
        client_print_family (conn, st);
    }
    client_conn_destroy (&conn);
    proto_msg_destroy (&st);
    return 0;
}

int
client_watch_main (int argc, char **argv)
{
    const char *broker = NULL;
    uint64_t id = 0;
    const bsw_opt_t options[] = {client_id_row (&id),
                                 client_broker_row (&broker),
                                 CLIENT_KEY_OPTIONS (&client_keys),
                                 {NULL}};
    const bsw_opts_t cmd = {
        "brainsweep watch",
        "A live progress bar (done, running, failed, rate, ETA) until the sweep\n"
        "ends. Exit status 0 when it finished, 1 when it was cancelled or on error.\n",
        options, NULL};
    int rc = bsw_opts_main (&cmd, argc, argv);
    if (rc != BSW_OPTS_GO)
        return rc;
    client_conn_t *conn = client_connect ("watch", broker);
    if (!conn)
        return 2;
    bsw_error_t err;
    client_status_t final;
    rc = client_watch (conn, id, false, &final, &err);
    client_conn_destroy (&conn);
    if (rc)
        return client_fail ("watch", &err);
    if (streq (final.state, "cancelled")) {
        fprintf (stderr, "sweep %" PRIu64 " was cancelled\n", id);
        return 1;
    }
    return 0;
}

int
client_fetch_main (int argc, char **argv)
{
    const char *broker = NULL, *output = NULL;
    uint64_t id = 0;
    const bsw_opt_t options[] = {client_id_row (&id),
                                 {.name = "output",
                                  .letter = 'o',
                                  .kind = BSW_OPT_STRING,
                                  .dest = &output,
                                  .arg = "FILE.zip",
                                  .help = "where to write it",
                                  .required = true},
                                 client_broker_row (&broker),
                                 CLIENT_KEY_OPTIONS (&client_keys),
                                 {NULL}};
    const bsw_opts_t cmd = {
        "brainsweep fetch",
        "Downloads the sweep's DataTypeGroup as one zip in TVB's export layout\n"
        "(plus metrics.csv and sweep.json), made by the broker as it is sent. A\n"
        "running sweep is followed: its points come in as they finish and the zip\n"
        "is complete when the sweep ends. A download is all of one export: one the\n"
        "broker loses (a restart) starts again from the beginning.\n",
        options, NULL};
    int rc = bsw_opts_main (&cmd, argc, argv);
    if (rc != BSW_OPTS_GO)
        return rc;
    client_conn_t *conn = client_connect ("fetch", broker);
    if (!conn)
        return 2;
    bsw_error_t err;
    uint64_t size = 0;
    rc = client_fetch (conn, id, output, false, &size, &err);
    client_conn_destroy (&conn);
    if (rc)
        return client_fail ("fetch", &err);
    fprintf (stderr, "%s: %" PRIu64 " bytes\n", output, size);
    return 0;
}

/*  cancel and retry: a request about one sweep answered by DONE. */
static int
s_done_command (int argc, char **argv, const char *command, const char *about, proto_type_t type,
                const char *verb)
{
    const char *broker = NULL;
    uint64_t id = 0;
    char program[64];
    snprintf (program, sizeof program, "brainsweep %s", command);
    const bsw_opt_t options[] = {client_id_row (&id),
                                 client_broker_row (&broker),
                                 CLIENT_KEY_OPTIONS (&client_keys),
                                 {NULL}};
    const bsw_opts_t cmd = {program, about, options, NULL};
    int rc = bsw_opts_main (&cmd, argc, argv);
    if (rc != BSW_OPTS_GO)
        return rc;
    client_conn_t *conn = client_connect (command, broker);
    if (!conn)
        return 2;
    bsw_error_t err;
    proto_msg_t *request = proto_msg_new (type), *reply = NULL;
    proto_msg_set_uint (request, "sweep", id);
    rc = client_conn_request (conn, &request, PROTO_DONE, &reply, &err);
    if (rc) {
        client_conn_destroy (&conn);
        return client_fail (command, &err);
    }
    printf ("sweep %" PRIu64 ": %" PRIu64 " points %s", id, proto_msg_uint (reply, "count"), verb);
    proto_msg_destroy (&reply);
    //  A retry also resumes a cancelled sweep, whose points are no failed
    //  ones: say what is left to run, or "0 queued" reads as nothing done.
    proto_msg_t *st = NULL;
    if (type == PROTO_RETRY && client_status (conn, id, &st, &err) == 0) {
        char *state = bsw_text_escape (proto_msg_str (st, "state"));
        printf ("; it is %s with %" PRIu64 " points to run", state,
                proto_msg_uint (st, "pending") + proto_msg_uint (st, "running"));
        free (state);
        proto_msg_destroy (&st);
    }
    printf ("\n");
    client_conn_destroy (&conn);
    return 0;
}

int
client_cancel_main (int argc, char **argv)
{
    return s_done_command (argc, argv, "cancel",
                           "Stops a sweep: no more points are dispatched; finished results are "
                           "kept\nand can be fetched. `retry ID` resumes it.\n",
                           PROTO_CANCEL, "cancelled");
}

int
client_retry_main (int argc, char **argv)
{
    return s_done_command (argc, argv, "retry",
                           "Runs the sweep's failed points again (and resumes it if it was "
                           "cancelled).\n",
                           PROTO_RETRY, "queued again");
}

//  The broker's counters, as BROKER_STATS names them, in the order printed.
static const char *const s_stats_counts[] = {
    "sweeps_running",  "sweeps_finished",   "sweeps_cancelled",  "workers",
    "workers_joined",  "workers_lost",      "workers_left",      "points_running",
    "points_requeued", "results_committed", "results_duplicate", "results_unleased"};

/*  {"version": ..., "uptime_s": ..., <counts>, "errors": {"PROTO": 3}}: the
    errors keyed by the code's name (its number when the name is unknown
    here, as from a newer broker). */
static char *
s_stats_json (const proto_msg_t *st)
{
    json_t *root = json_object ();
    json_object_set_new (root, "version", s_json_text (proto_msg_str (st, "version")));
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
    const char *broker = NULL;
    bool json = false;
    const bsw_opt_t options[] = {
        {.name = "json", .kind = BSW_OPT_FLAG, .dest = &json, .help = "print one JSON object"},
        client_broker_row (&broker),
        CLIENT_KEY_OPTIONS (&client_keys),
        {NULL}};
    const bsw_opts_t cmd = {
        "brainsweep stats",
        "The broker's counters: sweeps by state, workers connected, joined, lost\n"
        "(silent) and left, points running and requeued, results committed and\n"
        "duplicate, and error replies by code, since the broker started.\n",
        options, NULL};
    int rc = bsw_opts_main (&cmd, argc, argv);
    if (rc != BSW_OPTS_GO)
        return rc;
    client_conn_t *conn = client_connect ("stats", broker);
    if (!conn)
        return 2;
    bsw_error_t err;
    proto_msg_t *request = proto_msg_new (PROTO_STATS), *st = NULL;
    rc = client_conn_request (conn, &request, PROTO_BROKER_STATS, &st, &err);
    client_conn_destroy (&conn);
    if (rc)
        return client_fail ("stats", &err);
    if (json) {
        char *text = s_stats_json (st);
        puts (text);
        free (text);
        proto_msg_destroy (&st);
        return 0;
    }
    char uptime[32];
    s_format_duration (proto_msg_f64 (st, "uptime_s"), uptime, sizeof uptime);
    char *version = bsw_text_escape (proto_msg_str (st, "version"));
    printf ("broker %s, up %s\n", version, uptime);
    free (version);
    printf ("  %-8s %" PRIu64 " running, %" PRIu64 " finished, %" PRIu64 " cancelled\n", "sweeps",
            proto_msg_uint (st, "sweeps_running"), proto_msg_uint (st, "sweeps_finished"),
            proto_msg_uint (st, "sweeps_cancelled"));
    printf ("  %-8s %" PRIu64 " connected, %" PRIu64 " joined, %" PRIu64 " lost, %" PRIu64
            " left\n",
            "workers", proto_msg_uint (st, "workers"), proto_msg_uint (st, "workers_joined"),
            proto_msg_uint (st, "workers_lost"), proto_msg_uint (st, "workers_left"));
    printf ("  %-8s %" PRIu64 " running, %" PRIu64 " requeued\n", "points",
            proto_msg_uint (st, "points_running"), proto_msg_uint (st, "points_requeued"));
    printf ("  %-8s %" PRIu64 " committed, %" PRIu64 " duplicate, %" PRIu64 " refused (no lease)\n",
            "results", proto_msg_uint (st, "results_committed"),
            proto_msg_uint (st, "results_duplicate"), proto_msg_uint (st, "results_unleased"));
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
