/*  broker_client.c - the broker's answers to clients: SUBMIT, LIST,
    STATUS, CANCEL, RETRY, FETCH (the export zip, chunk by chunk),
    RESULTS (per-point metrics, with the spec and one point's time series
    on request) and STATS (the broker's counters), plus the background
    export actors.

    A submission is validated as a worker would read it (the spec parsed,
    the connectivity zip read, node counts checked, points counted against
    the limit) before anything is stored, so a bad sweep is refused with a
    sentence and never reaches a worker.

    The export zip is built by a separate actor with its own read-only
    database connection, so the broker keeps serving (and heartbeating)
    while a large export is written; FETCH answers "preparing" meanwhile.
*/
#include "broker_internal.h"
#include "broker_export.h"
#include "broker_export_files.h"

#include "bsw_util.h"
#include "sim_connectivity.h"
#include "spec.h"
#include "store_connectivity.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <unistd.h>

#define S_CHUNK_DEFAULT (4u << 20)
#define S_CHUNK_MAX     (64u << 20)

static const char *
s_state_name (broker_sweep_state_t state)
{
    switch (state) {
    case BROKER_SWEEP_RUNNING:
        return "running";
    case BROKER_SWEEP_FINISHED:
        return "finished";
    case BROKER_SWEEP_CANCELLED:
        return "cancelled";
    }
    return "unknown";
}

static broker_sweep_t *
s_sweep_or_error (broker_t *self, proto_msg_t *msg)
{
    uint64_t id = proto_msg_uint (msg, "sweep");
    broker_sweep_t *sweep = broker_sweep_find (self, id);
    if (!sweep)
        broker_reply_error (self, proto_msg_routing_id (msg), msg, BSW_ENOTFOUND,
                            "no sweep %" PRIu64, id);
    return sweep;
}

static void
s_handle_submit (broker_t *self, proto_msg_t *msg)
{
    zframe_t *rid = proto_msg_routing_id (msg);
    const char *text = proto_msg_str (msg, "spec");
    bsw_error_t err;
    bsw_error_clear (&err);
    spec_t *spec = NULL;
    sim_connectivity_t *conn = NULL;
    if (spec_load_string (&spec, text, strlen (text), "spec", NULL, &err)) {
        broker_reply_error (self, rid, msg, err.code, "%s", err.text);
        return;
    }
    size_t conn_size = 0;
    const void *conn_bytes =
        proto_msg_has (msg, "connectivity")
            ? proto_msg_blob (msg, "connectivity", &conn_size, NULL, NULL, NULL)
            : NULL;
    const char *conn_name = proto_msg_has (msg, "connectivity_name")
                                ? proto_msg_str (msg, "connectivity_name")
                                : (conn_bytes ? "connectivity.zip" : NULL);
    int rc = 0;
    if (conn_bytes)
        rc = store_connectivity_load_buffer (&conn, conn_bytes, conn_size, conn_name, &err);
    else
        conn = sim_connectivity_new_default ();
    if (rc == 0)
        rc = spec_check_nodes (spec, conn->n, "spec", &err);
    uint64_t points = rc == 0 ? spec_points (spec) : 0;
    if (rc == 0 && points > self->max_points)
        rc = bsw_error_set (&err, BSW_ETOOBIG,
                            "the sweep has %" PRIu64 " points; this broker takes at most %" PRIu64
                            " (its --max-points)",
                            points, self->max_points);
    //  A copy: the spec's own name goes with the spec, freed below.
    char *name = bsw_strdup (proto_msg_has (msg, "name") ? proto_msg_str (msg, "name")
                             : spec->name                ? spec->name
                                                         : "");
    uint64_t id = 0;
    char uuid[37];
    if (rc == 0)
        rc = broker_db_sweep_create (self->db, name, text, conn_bytes, conn_size, conn_name, points,
                                     &id, uuid, &err);
    spec_destroy (&spec);
    sim_connectivity_destroy (&conn);
    if (rc) {
        free (name);
        broker_reply_error (self, rid, msg, rc, "%s", err.text);
        return;
    }
    broker_sweep_info_t info = {.id = id,
                                .name = name,
                                .state = BROKER_SWEEP_RUNNING,
                                .points = points,
                                .created = (double) zclock_time () / 1000.0};
    memcpy (info.uuid, uuid, sizeof info.uuid);
    broker_sweep_load (self, &info);
    zsys_info ("sweep=%" PRIu64 " submitted: '%s', %" PRIu64 " points", id, name, points);
    proto_msg_t *reply = proto_msg_new (PROTO_SUBMITTED);
    proto_msg_set_uint (reply, "sweep", id);
    proto_msg_set_uint (reply, "points", points);
    proto_msg_set_str (reply, "uuid", uuid);
    broker_reply (self, msg, &reply);
    free (name);
}

static void
s_handle_list (broker_t *self, proto_msg_t *msg)
{
    size_t count = zlistx_size (self->sweep_order), k = 0;
    uint64_t *ids = bsw_calloc (count, sizeof (uint64_t));
    uint64_t *points = bsw_calloc (count, sizeof (uint64_t));
    uint64_t *done = bsw_calloc (count, sizeof (uint64_t));
    uint64_t *failed = bsw_calloc (count, sizeof (uint64_t));
    const char **names = bsw_calloc (count, sizeof (char *));
    const char **states = bsw_calloc (count, sizeof (char *));
    for (broker_sweep_t *s = zlistx_first (self->sweep_order); s;
         s = zlistx_next (self->sweep_order), k++) {
        ids[k] = s->id;
        points[k] = s->points;
        done[k] = s->done;
        failed[k] = s->failed;
        names[k] = s->name;
        states[k] = s_state_name (s->state);
    }
    proto_msg_t *reply = proto_msg_new (PROTO_SWEEPS);
    proto_msg_set_uints (reply, "ids", ids, count);
    proto_msg_set_strs (reply, "names", names, count);
    proto_msg_set_strs (reply, "states", states, count);
    proto_msg_set_uints (reply, "points", points, count);
    proto_msg_set_uints (reply, "done", done, count);
    proto_msg_set_uints (reply, "failed", failed, count);
    broker_reply (self, msg, &reply);
    free (ids);
    free (points);
    free (done);
    free (failed);
    free (names);
    free (states);
}

static void
s_handle_status (broker_t *self, proto_msg_t *msg)
{
    broker_sweep_t *s = s_sweep_or_error (self, msg);
    if (!s)
        return;
    uint64_t finished = s->done + s->failed;
    uint64_t open = s->points - finished;
    uint64_t running = s->state == BROKER_SWEEP_RUNNING ? s->leased_count : 0;
    uint64_t pending = s->state == BROKER_SWEEP_RUNNING ? open - running : 0;
    uint64_t cancelled = s->state == BROKER_SWEEP_CANCELLED ? open : 0;
    //  The rate of the last window, or of the window in progress if the
    //  sweep is young.
    double rate = s->rate;
    int64_t span = bsw_clock_mono_ms () - s->rate_t0;
    if (rate == 0.0 && span > 0)
        rate = (double) (finished - s->rate_done0) * 1000.0 / (double) span;
    //  An ended sweep reports its average rate over its whole life.
    if (s->ended > s->created)
        rate = (double) finished / (s->ended - s->created);
    proto_msg_t *reply = proto_msg_new (PROTO_SWEEP_STATUS);
    proto_msg_set_uint (reply, "sweep", s->id);
    proto_msg_set_str (reply, "name", s->name);
    proto_msg_set_str (reply, "state", s_state_name (s->state));
    proto_msg_set_uint (reply, "points", s->points);
    proto_msg_set_uint (reply, "pending", pending);
    proto_msg_set_uint (reply, "running", running);
    proto_msg_set_uint (reply, "done", s->done);
    proto_msg_set_uint (reply, "failed", s->failed);
    proto_msg_set_uint (reply, "cancelled", cancelled);
    proto_msg_set_uint (reply, "workers", zhashx_size (self->workers));
    proto_msg_set_f64 (reply, "rate", rate);
    proto_msg_set_f64 (reply, "eta_s", rate > 0 ? (double) (pending + running) / rate : -1.0);
    //  The clock stops when the sweep ends.
    double until = s->ended > 0 ? s->ended : (double) zclock_time () / 1000.0;
    proto_msg_set_f64 (reply, "elapsed_s", until - s->created);
    broker_reply (self, msg, &reply);
}

static void
s_reply_done (broker_t *self, proto_msg_t *msg, uint64_t sweep, uint64_t count)
{
    proto_msg_t *reply = proto_msg_new (PROTO_DONE);
    proto_msg_set_uint (reply, "sweep", sweep);
    proto_msg_set_uint (reply, "count", count);
    broker_reply (self, msg, &reply);
}

static void
s_handle_cancel (broker_t *self, proto_msg_t *msg)
{
    broker_sweep_t *s = s_sweep_or_error (self, msg);
    if (!s)
        return;
    if (s->state != BROKER_SWEEP_RUNNING) {
        s_reply_done (self, msg, s->id, 0);
        return;
    }
    bsw_error_t err;
    if (broker_db_sweep_set_state (self->db, s->id, BROKER_SWEEP_CANCELLED, &err)) {
        broker_reply_error (self, proto_msg_routing_id (msg), msg, err.code, "%s", err.text);
        return;
    }
    uint64_t count = s->points - s->done - s->failed;
    broker_release_sweep_leases (self, s, true);
    s->state = BROKER_SWEEP_CANCELLED;
    s->ended = (double) zclock_time () / 1000.0;
    free (s->finished);
    free (s->leased);
    s->finished = s->leased = NULL;
    zlistx_purge (s->requeue);
    zsys_info ("sweep=%" PRIu64 " cancelled: %" PRIu64 " points not run", s->id, count);
    s_reply_done (self, msg, s->id, count);
}

/*  Runs the failed points again; a cancelled sweep resumes as well. */
static void
s_handle_retry (broker_t *self, proto_msg_t *msg)
{
    broker_sweep_t *s = s_sweep_or_error (self, msg);
    if (!s)
        return;
    zframe_t *rid = proto_msg_routing_id (msg);
    bsw_error_t err;
    uint64_t *points = NULL, count = 0;
    if (broker_db_retry_failed (self->db, s->id, &points, &count, &err)) {
        broker_reply_error (self, rid, msg, err.code, "%s", err.text);
        return;
    }
    if (s->state != BROKER_SWEEP_RUNNING) {
        if (s->state == BROKER_SWEEP_CANCELLED &&
            broker_db_sweep_set_state (self->db, s->id, BROKER_SWEEP_RUNNING, &err)) {
            free (points);
            broker_reply_error (self, rid, msg, err.code, "%s", err.text);
            return;
        }
        size_t bytes = (size_t) ((s->points + 7) / 8);
        s->finished = bsw_calloc (bytes, 1);
        s->leased = bsw_calloc (bytes, 1);
        broker_db_finished_bitmap (self->db, s->id, s->finished, s->points, NULL);
        s->cursor = 0;
        s->state = BROKER_SWEEP_RUNNING;
        s->ended = 0.0;
    } else {
        for (uint64_t k = 0; k < count; k++) {
            s->finished[points[k] / 8] &= (uint8_t) ~(1u << (points[k] % 8));
            zlistx_add_end (s->requeue, (void *) (uintptr_t) (points[k] + 1));
        }
    }
    s->failed -= count < s->failed ? count : s->failed;
    free (points);
    zsys_info ("sweep=%" PRIu64 " retry: %" PRIu64 " failed points run again", s->id, count);
    broker_sweep_check_finished (self, s);
    s_reply_done (self, msg, s->id, count);
}

typedef struct {
    char *data_dir;
    uint64_t sweep;
    char *zip_path;
} s_export_args_t;

static void
s_export_progress (void *arg, uint64_t done, uint64_t total)
{
    zsock_t *pipe = arg;
    zstr_sendf (pipe, "PROGRESS %.4f", total ? (double) done / (double) total : 0.0);
}

/*  Builds one sweep's zip with its own database connection. */
static void
s_export_actor (zsock_t *pipe, void *args)
{
    s_export_args_t *a = args;
    zsock_signal (pipe, 0);
    bsw_error_t err;
    bsw_error_clear (&err);
    broker_db_t *db = NULL;
    int rc = broker_db_open_readonly (&db, a->data_dir, &err);
    if (rc == 0)
        rc = broker_export_build (db, a->sweep, a->zip_path, s_export_progress, pipe, &err);
    broker_db_close (&db);
    if (rc)
        zstr_sendf (pipe, "FAILED %s", err.text);
    else
        zstr_send (pipe, "DONE");
    free (a->data_dir);
    free (a->zip_path);
    free (a);
    //  Wait for $TERM, as an actor must.
    while (true) {
        char *command = zstr_recv (pipe);
        bool term = !command || streq (command, "$TERM");
        zstr_free (&command);
        if (term)
            break;
    }
}

static void
s_export_start (broker_t *self, broker_sweep_t *s)
{
    //  The zip goes into the sweep's folder, which a sweep whose series
    //  all live in the database never needed until now.
    char folder[4096];
    bsw_error_t err;
    free (s->export_error);
    s->export_error = NULL;
    if (broker_db_sweep_folder (self->db, s->id, folder, sizeof folder, &err)) {
        s->export_error = bsw_strdup (err.text);
        zsys_error ("sweep=%" PRIu64 " export failed: %s", s->id, err.text);
        return;
    }
    s_export_args_t *a = bsw_calloc (1, sizeof *a);
    a->data_dir = bsw_strdup (self->data_dir);
    a->sweep = s->id;
    a->zip_path = bsw_strdup (s->export_path);
    s->export_results = s->done + s->failed;
    s->export_state = s->state;
    s->export_ready = false;
    s->export_progress = 0.0;
    s->exporter = zactor_new (s_export_actor, a);
    zpoller_add (self->poller, s->exporter);
    zsys_info ("sweep=%" PRIu64 " export started (%" PRIu64 " results)", s->id, s->export_results);
}

void
broker_handle_exporter (broker_t *self, broker_sweep_t *s)
{
    char *line = zstr_recv (s->exporter);
    if (!line)
        return;
    if (strncmp (line, "PROGRESS ", 9) == 0)
        s->export_progress = atof (line + 9);
    else {
        bool ok = streq (line, "DONE");
        s->export_ready = ok;
        if (!ok)
            s->export_error = bsw_strdup (line + 7);
        zpoller_remove (self->poller, s->exporter);
        zactor_destroy (&s->exporter);
        if (ok)
            zsys_info ("sweep=%" PRIu64 " export ready: %s", s->id, s->export_path);
        else
            zsys_error ("sweep=%" PRIu64 " export failed: %s", s->id, s->export_error);
    }
    zstr_free (&line);
}

static void
s_reply_chunk (broker_t *self, proto_msg_t *msg, broker_sweep_t *s, const char *state,
               uint64_t offset, uint64_t total, void **data_p, size_t size)
{
    proto_msg_t *reply = proto_msg_new (PROTO_CHUNK);
    proto_msg_set_uint (reply, "sweep", s->id);
    proto_msg_set_str (reply, "state", state);
    proto_msg_set_uint (reply, "offset", offset);
    proto_msg_set_uint (reply, "total", total);
    proto_msg_set_f64 (reply, "progress", streq (state, "ready") ? 1.0 : s->export_progress);
    if (data_p && *data_p) {
        uint64_t shape[1] = {size};
        proto_msg_set_blob (reply, "data", "u1", shape, 1, data_p, size);
    }
    broker_reply (self, msg, &reply);
}

static void
s_handle_fetch (broker_t *self, proto_msg_t *msg)
{
    broker_sweep_t *s = s_sweep_or_error (self, msg);
    if (!s)
        return;
    zframe_t *rid = proto_msg_routing_id (msg);
    uint64_t offset = proto_msg_uint (msg, "offset");
    bool stale =
        !s->export_ready || s->export_results != s->done + s->failed || s->export_state != s->state;
    if (s->exporter) {
        if (offset == 0 && stale)
            s->export_requested = true;
        s_reply_chunk (self, msg, s, "preparing", 0, 0, NULL, 0);
        return;
    }
    if (offset == 0 && stale) {
        if (s->export_error && !s->export_requested) {
            //  Report the failure once; the next FETCH tries again.
            broker_reply_error (self, rid, msg, BSW_EIO, "export of sweep %" PRIu64 " failed: %s",
                                s->id, s->export_error);
            free (s->export_error);
            s->export_error = NULL;
            s->export_requested = true;
            return;
        }
        s->export_requested = false;
        s_export_start (self, s);
        s_reply_chunk (self, msg, s, "preparing", 0, 0, NULL, 0);
        return;
    }
    if (!s->export_ready) {
        broker_reply_error (self, rid, msg, BSW_ESTATE,
                            "the export of sweep %" PRIu64 " is not ready: fetch from offset 0",
                            s->id);
        return;
    }
    int fd = open (s->export_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        s->export_ready = false;
        broker_reply_error (self, rid, msg, BSW_EIO, "%s: %s", s->export_path, strerror (errno));
        return;
    }
    off_t total = lseek (fd, 0, SEEK_END);
    uint64_t max = proto_msg_has (msg, "max") ? proto_msg_uint (msg, "max") : S_CHUNK_DEFAULT;
    if (max > S_CHUNK_MAX)
        max = S_CHUNK_MAX;
    size_t size = offset >= (uint64_t) total ? 0 : (size_t) ((uint64_t) total - offset);
    if (size > max)
        size = (size_t) max;
    void *data = size ? bsw_malloc (size) : NULL;
    ssize_t got = size ? pread (fd, data, size, (off_t) offset) : 0;
    close (fd);
    if (got < 0 || (size_t) got != size) {
        free (data);
        broker_reply_error (self, rid, msg, BSW_EIO, "%s: short read", s->export_path);
        return;
    }
    s_reply_chunk (self, msg, s, "ready", offset, (uint64_t) total, &data, size);
    free (data);
}

static int
s_attach_spec (broker_t *self, uint64_t sweep, proto_msg_t *reply, bsw_error_t *err)
{
    char *spec = NULL, *conn_name = NULL;
    void *conn = NULL;
    size_t conn_size = 0;
    int rc =
        broker_db_sweep_definition (self->db, sweep, &spec, &conn, &conn_size, &conn_name, err);
    if (rc == 0 && spec)
        proto_msg_set_str (reply, "spec", spec);
    free (spec);
    free (conn);
    free (conn_name);
    return rc;
}

//  A point's stored TimeSeriesRegion file, read whole (from the database or
//  its file): it passed the broker's message limit on its way in, so it
//  fits one on its way out.
static int
s_attach_timeseries (broker_t *self, uint64_t sweep, uint64_t point, proto_msg_t *reply,
                     bsw_error_t *err)
{
    void *data = NULL;
    size_t size = 0;
    int rc = broker_db_result_timeseries (self->db, sweep, point, &data, &size, err);
    if (rc)
        return rc;
    uint64_t shape[1] = {(uint64_t) size};
    proto_msg_set_blob (reply, "timeseries", "u1", shape, 1, &data, size);
    return 0;
}

static void
s_handle_results (broker_t *self, proto_msg_t *msg)
{
    broker_sweep_t *s = s_sweep_or_error (self, msg);
    if (!s)
        return;
    uint64_t offset = proto_msg_uint (msg, "offset"), limit = proto_msg_uint (msg, "limit");
    //  At ~53 bytes a point a page must stay under frame 0's 4 MiB limit.
    if (limit == 0 || limit > 50000)
        limit = 50000;
    broker_result_row_t *rows = NULL;
    size_t count = 0;
    bsw_error_t err;
    if (broker_db_result_rows (self->db, s->id, offset, limit, &rows, &count, &err)) {
        broker_reply_error (self, proto_msg_routing_id (msg), msg, err.code, "%s", err.text);
        return;
    }
    //  The metric names (TVB's order) come from the first ok row; each row
    //  is read with the export's parser of our stored metrics.
    broker_export_metrics_t first = {.count = 0};
    for (size_t k = 0; k < count && first.count == 0; k++)
        if (rows[k].ok)
            broker_export_metrics_parse (rows[k].metrics_json, &first, NULL);
    size_t n_names = first.count;
    uint64_t *points = bsw_calloc (count, sizeof (uint64_t));
    const char **statuses = bsw_calloc (count, sizeof (char *));
    double *values = bsw_calloc (count * n_names + 1, sizeof (double));
    for (size_t k = 0; k < count; k++) {
        points[k] = rows[k].point;
        statuses[k] = rows[k].ok ? "ok" : "failed";
        broker_export_metrics_t row = {.count = 0};
        if (rows[k].ok)
            broker_export_metrics_parse (rows[k].metrics_json, &row, NULL);
        for (size_t m = 0; m < n_names; m++)
            if (!broker_export_metrics_get (&row, first.names[m], &values[k * n_names + m]))
                values[k * n_names + m] = NAN;
    }
    const char *name_ptrs[BROKER_EXPORT_METRICS_MAX];
    for (size_t m = 0; m < n_names; m++)
        name_ptrs[m] = first.names[m];
    proto_msg_t *reply = proto_msg_new (PROTO_POINTS);
    proto_msg_set_uint (reply, "sweep", s->id);
    proto_msg_set_uint (reply, "total", s->points);
    proto_msg_set_uints (reply, "points", points, count);
    proto_msg_set_strs (reply, "statuses", statuses, count);
    proto_msg_set_strs (reply, "metric_names", name_ptrs, n_names);
    proto_msg_set_f64s (reply, "values", values, count * n_names);
    free (points);
    free (statuses);
    free (values);
    bool with_timeseries =
        proto_msg_has (msg, "with_timeseries") && proto_msg_bool (msg, "with_timeseries");
    int rc = 0;
    if (proto_msg_has (msg, "with_spec") && proto_msg_bool (msg, "with_spec"))
        rc = s_attach_spec (self, s->id, reply, &err);
    if (rc == 0 && with_timeseries && count > 0 && rows[0].ok)
        rc = s_attach_timeseries (self, s->id, rows[0].point, reply, &err);
    broker_result_rows_free (rows, count);
    if (rc) {
        proto_msg_destroy (&reply);
        broker_reply_error (self, proto_msg_routing_id (msg), msg, rc, "%s", err.text);
        return;
    }
    broker_reply (self, msg, &reply);
}

/*  The broker's counters (broker_stats_t) and present counts; error
    replies as parallel arrays of the codes sent and how often. */
static void
s_handle_stats (broker_t *self, proto_msg_t *msg)
{
    uint64_t by_state[3] = {0, 0, 0}, running = 0;
    for (broker_sweep_t *s = zlistx_first (self->sweep_order); s;
         s = zlistx_next (self->sweep_order)) {
        by_state[s->state == BROKER_SWEEP_RUNNING    ? 0
                 : s->state == BROKER_SWEEP_FINISHED ? 1
                                                     : 2]++;
        running += s->state == BROKER_SWEEP_RUNNING ? s->leased_count : 0;
    }
    const size_t slots = sizeof self->errors / sizeof self->errors[0];
    int64_t codes[sizeof self->errors / sizeof self->errors[0]];
    uint64_t counts[sizeof self->errors / sizeof self->errors[0]];
    size_t n = 0;
    for (size_t k = 1; k < slots; k++)
        if (self->errors[k]) {
            codes[n] = -(int64_t) k;
            counts[n++] = self->errors[k];
        }
    const broker_stats_t *st = &self->stats;
    proto_msg_t *reply = proto_msg_new (PROTO_BROKER_STATS);
    proto_msg_set_str (reply, "version", BSW_VERSION_STRING);
    proto_msg_set_f64 (reply, "uptime_s", (double) (bsw_clock_mono_ms () - st->started) / 1000.0);
    proto_msg_set_uint (reply, "sweeps_running", by_state[0]);
    proto_msg_set_uint (reply, "sweeps_finished", by_state[1]);
    proto_msg_set_uint (reply, "sweeps_cancelled", by_state[2]);
    proto_msg_set_uint (reply, "workers", zhashx_size (self->workers));
    proto_msg_set_uint (reply, "workers_joined", st->workers_joined);
    proto_msg_set_uint (reply, "workers_lost", st->workers_lost);
    proto_msg_set_uint (reply, "workers_left", st->workers_left);
    proto_msg_set_uint (reply, "points_running", running);
    proto_msg_set_uint (reply, "points_requeued", st->points_requeued);
    proto_msg_set_uint (reply, "results_committed", st->results_committed);
    proto_msg_set_uint (reply, "results_duplicate", st->results_duplicate);
    proto_msg_set_ints (reply, "error_codes", codes, n);
    proto_msg_set_uints (reply, "error_counts", counts, n);
    broker_reply (self, msg, &reply);
}

void
broker_handle_client (broker_t *self, proto_msg_t *msg)
{
    switch (proto_msg_type (msg)) {
    case PROTO_SUBMIT:
        s_handle_submit (self, msg);
        break;
    case PROTO_LIST:
        s_handle_list (self, msg);
        break;
    case PROTO_STATUS:
        s_handle_status (self, msg);
        break;
    case PROTO_CANCEL:
        s_handle_cancel (self, msg);
        break;
    case PROTO_RETRY:
        s_handle_retry (self, msg);
        break;
    case PROTO_FETCH:
        s_handle_fetch (self, msg);
        break;
    case PROTO_RESULTS:
        s_handle_results (self, msg);
        break;
    case PROTO_STATS:
        s_handle_stats (self, msg);
        break;
    default:
        break;
    }
}
