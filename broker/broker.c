/*  broker.c - the broker actor: its loop, the worker registry, dispatch by
    credit, and durable results (see broker.h).

    The loop follows CZMQ's zbeacon shape: a poller over the pipe, the
    ROUTER and any export actors, waking at least once per heartbeat for
    the periodic chores (heartbeats out, silent workers purged, sweep
    rates). Workers are few, so the purge scans them all; mdbroker's
    expiry-ordered list would pay off only with thousands of workers.

    Results are committed in groups: after the first RESULT the loop drains
    whatever else is already waiting (up to S_DRAIN messages), then commits
    every pending result in one transaction and only then sends the ACKs.
    One fsync of the WAL then covers many results.

    Dispatch state per running sweep is two bitmaps (finished, leased), a
    forward cursor and a requeue list: memory is a few bits per point, flat
    in everything else. Finished and cancelled sweeps keep no bitmaps.
*/
#include "broker_internal.h"
#include "broker_export.h"

#include "bsw_util.h"
#include "sim_connectivity.h"
#include "spec.h"

#include <inttypes.h>
#include <stdarg.h>

#define S_LIVENESS        3     /* heartbeats a worker may miss */
#define S_DRAIN           256   /* messages read before a group commit */
#define S_MAX_WORK_POINTS 65536 /* points in one WORK message */
#define S_RATE_WINDOW_MS  5000

static bool
s_bit (const uint8_t *bits, uint64_t k)
{
    return (bits[k / 8] >> (k % 8)) & 1;
}

static void
s_set_bit (uint8_t *bits, uint64_t k, bool on)
{
    if (on)
        bits[k / 8] |= (uint8_t) (1u << (k % 8));
    else
        bits[k / 8] &= (uint8_t) ~(1u << (k % 8));
}

static void
s_lease_key (uint64_t sweep, uint64_t point, char *key, size_t size)
{
    snprintf (key, size, "%" PRIu64 ":%" PRIu64, sweep, point);
}

static void
s_sweep_free (void **item)
{
    broker_sweep_t *sweep = *item;
    if (!sweep)
        return;
    zactor_destroy (&sweep->exporter);
    free (sweep->name);
    free (sweep->finished);
    free (sweep->leased);
    zlistx_destroy (&sweep->requeue);
    free (sweep->export_path);
    free (sweep->export_error);
    free (sweep);
    *item = NULL;
}

static void
s_worker_free (void **item)
{
    broker_worker_t *worker = *item;
    if (!worker)
        return;
    free (worker->key);
    zframe_destroy (&worker->routing_id);
    zhashx_destroy (&worker->leases);
    zhashx_destroy (&worker->sweeps_sent);
    free (worker);
    *item = NULL;
}

broker_sweep_t *
broker_sweep_find (broker_t *self, uint64_t id)
{
    char key[32];
    snprintf (key, sizeof key, "%" PRIu64, id);
    return zhashx_lookup (self->sweeps, key);
}

/*  Builds the in-memory dispatch state of a sweep from its db summary. */
broker_sweep_t *
broker_sweep_load (broker_t *self, const broker_sweep_info_t *info)
{
    broker_sweep_t *sweep = bsw_calloc (1, sizeof *sweep);
    sweep->id = info->id;
    memcpy (sweep->uuid, info->uuid, sizeof sweep->uuid);
    sweep->name = bsw_strdup (info->name ? info->name : "");
    sweep->state = info->state;
    sweep->points = info->points;
    sweep->done = info->done;
    sweep->failed = info->failed;
    sweep->created = info->created;
    //  A finished sweep's clock stops at its last result.
    if (info->state != BROKER_SWEEP_RUNNING)
        sweep->ended = info->last_result > 0 ? info->last_result : info->created;
    sweep->requeue = zlistx_new ();
    sweep->rate_t0 = bsw_clock_mono_ms ();
    sweep->rate_done0 = info->done + info->failed;
    char path[4096];
    snprintf (path, sizeof path, "%s/sweeps/%" PRIu64 "/export.zip", self->data_dir, info->id);
    sweep->export_path = bsw_strdup (path);
    if (sweep->state == BROKER_SWEEP_RUNNING) {
        size_t bytes = (size_t) ((info->points + 7) / 8);
        sweep->finished = bsw_calloc (bytes, 1);
        sweep->leased = bsw_calloc (bytes, 1);
        bsw_error_t err;
        if (broker_db_finished_bitmap (self->db, info->id, sweep->finished, info->points, &err))
            zsys_error ("sweep=%" PRIu64 " cannot read its results: %s", info->id, err.text);
    }
    char key[32];
    snprintf (key, sizeof key, "%" PRIu64, info->id);
    zhashx_insert (self->sweeps, key, sweep);
    zlistx_add_end (self->sweep_order, sweep);
    return sweep;
}

/*  Sends a reply to the requester, echoing its "req". */
void
broker_reply (broker_t *self, const proto_msg_t *request, proto_msg_t **reply_p)
{
    proto_msg_t *reply = *reply_p;
    proto_msg_set_routing_id (reply, proto_msg_routing_id (request));
    if (proto_msg_has (request, "req"))
        proto_msg_set_uint (reply, "req", proto_msg_uint (request, "req"));
    proto_msg_send (reply_p, self->router);
}

void
broker_reply_error (broker_t *self, zframe_t *routing_id, const proto_msg_t *request, int code,
                    const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (text, sizeof text, fmt, ap);
    va_end (ap);
    int type = request ? (int) proto_msg_type (request) : 0;
    proto_msg_t *reply = proto_msg_new_error (code, text, type);
    if (request && proto_msg_has (request, "req"))
        proto_msg_set_uint (reply, "req", proto_msg_uint (request, "req"));
    proto_msg_set_routing_id (reply, routing_id);
    proto_msg_send (&reply, self->router);
    if (code < 0 && -code < 32)
        self->errors[-code]++;
    zsys_warning ("error %s to %s: %s", bsw_errname (code),
                  request ? proto_type_name (type) : "peer", text);
}

static void
s_lease_drop (broker_t *self, const char *key, broker_worker_t *worker)
{
    zhashx_delete (self->leases, key);
    if (worker)
        zhashx_delete (worker->leases, key);
}

/*  Puts a leased point back in line (its worker is gone or handed it back). */
static void
s_requeue (broker_t *self, uint64_t sweep_id, uint64_t point)
{
    broker_sweep_t *sweep = broker_sweep_find (self, sweep_id);
    if (!sweep || !sweep->leased || point >= sweep->points || !s_bit (sweep->leased, point))
        return;
    s_set_bit (sweep->leased, point, false);
    sweep->leased_count--;
    if (!s_bit (sweep->finished, point) && sweep->state == BROKER_SWEEP_RUNNING) {
        zlistx_add_end (sweep->requeue, (void *) (uintptr_t) (point + 1));
        self->stats.points_requeued++;
    }
}

static void
s_worker_remove (broker_t *self, broker_worker_t *worker, const char *why)
{
    size_t requeued = 0;
    for (void *item = zhashx_first (worker->leases); item; item = zhashx_next (worker->leases)) {
        const char *key = zhashx_cursor (worker->leases);
        uint64_t sweep_id, point;
        if (sscanf (key, "%" SCNu64 ":%" SCNu64, &sweep_id, &point) == 2) {
            s_requeue (self, sweep_id, point);
            zhashx_delete (self->leases, key);
            requeued++;
        }
    }
    zsys_info ("worker=%s %s; %zu points requeued", worker->name, why, requeued);
    zhashx_delete (self->workers, worker->key);
}

void
broker_release_sweep_leases (broker_t *self, broker_sweep_t *sweep, bool drop)
{
    for (broker_worker_t *worker = zhashx_first (self->workers); worker;
         worker = zhashx_next (self->workers)) {
        bool held = false;
        zlistx_t *keys = zhashx_keys (worker->leases);
        for (const char *key = zlistx_first (keys); key; key = zlistx_next (keys)) {
            uint64_t sweep_id, point;
            if (sscanf (key, "%" SCNu64 ":%" SCNu64, &sweep_id, &point) == 2 &&
                sweep_id == sweep->id) {
                s_lease_drop (self, key, worker);
                held = true;
            }
        }
        zlistx_destroy (&keys);
        if (held && drop) {
            //  A worker forgets a dropped sweep, so the next WORK of it (after
            //  a retry) must carry the definition again.
            char sweep_key[32];
            snprintf (sweep_key, sizeof sweep_key, "%" PRIu64, sweep->id);
            zhashx_delete (worker->sweeps_sent, sweep_key);
            proto_msg_t *msg = proto_msg_new (PROTO_DROP);
            proto_msg_set_uint (msg, "sweep", sweep->id);
            proto_msg_set_routing_id (msg, worker->routing_id);
            proto_msg_send (&msg, self->router);
        }
    }
    if (sweep->leased)
        memset (sweep->leased, 0, (size_t) ((sweep->points + 7) / 8));
    sweep->leased_count = 0;
}

void
broker_sweep_check_finished (broker_t *self, broker_sweep_t *sweep)
{
    if (sweep->state != BROKER_SWEEP_RUNNING || sweep->done + sweep->failed < sweep->points)
        return;
    bsw_error_t err;
    if (broker_db_sweep_set_state (self->db, sweep->id, BROKER_SWEEP_FINISHED, &err)) {
        zsys_error ("sweep=%" PRIu64 " cannot record its end: %s", sweep->id, err.text);
        return;
    }
    sweep->state = BROKER_SWEEP_FINISHED;
    sweep->ended = (double) zclock_time () / 1000.0;
    free (sweep->finished);
    free (sweep->leased);
    sweep->finished = sweep->leased = NULL;
    zlistx_purge (sweep->requeue);
    zsys_info ("sweep=%" PRIu64 " finished: %" PRIu64 " done, %" PRIu64 " failed", sweep->id,
               sweep->done, sweep->failed);
}

/*  Picks up to `want` points of a running sweep: requeued ones first, then
    forward from the cursor. Returns how many were written to points. */
static size_t
s_take_points (broker_sweep_t *sweep, uint64_t *points, size_t want)
{
    size_t taken = 0;
    while (taken < want && zlistx_size (sweep->requeue)) {
        uint64_t point = (uint64_t) (uintptr_t) zlistx_first (sweep->requeue) - 1;
        zlistx_detach_cur (sweep->requeue);
        if (!s_bit (sweep->finished, point) && !s_bit (sweep->leased, point))
            points[taken++] = point;
    }
    while (taken < want && sweep->cursor < sweep->points) {
        uint64_t point = sweep->cursor++;
        if (!s_bit (sweep->finished, point) && !s_bit (sweep->leased, point))
            points[taken++] = point;
    }
    return taken;
}

static void
s_send_work (broker_t *self, broker_worker_t *worker, broker_sweep_t *sweep, const uint64_t *points,
             size_t count)
{
    proto_msg_t *msg = proto_msg_new (PROTO_WORK);
    proto_msg_set_uint (msg, "sweep", sweep->id);
    proto_msg_set_uints (msg, "points", points, count);
    char key[32];
    snprintf (key, sizeof key, "%" PRIu64, sweep->id);
    if (!zhashx_lookup (worker->sweeps_sent, key)) {
        char *spec = NULL, *conn_name = NULL;
        void *conn = NULL;
        size_t conn_size = 0;
        bsw_error_t err;
        if (broker_db_sweep_definition (self->db, sweep->id, &spec, &conn, &conn_size, &conn_name,
                                        &err)) {
            zsys_error ("sweep=%" PRIu64 " definition unreadable: %s", sweep->id, err.text);
            proto_msg_destroy (&msg);
            return;
        }
        proto_msg_set_str (msg, "uuid", sweep->uuid);
        proto_msg_set_str (msg, "spec", spec);
        if (conn) {
            uint64_t shape[1] = {conn_size};
            proto_msg_set_blob (msg, "connectivity", "u1", shape, 1, &conn, conn_size);
        }
        if (conn_name)
            proto_msg_set_str (msg, "connectivity_name", conn_name);
        free (spec);
        free (conn);
        free (conn_name);
        zhashx_insert (worker->sweeps_sent, key, (void *) 1);
    }
    proto_msg_set_routing_id (msg, worker->routing_id);
    proto_msg_send (&msg, self->router);
    for (size_t k = 0; k < count; k++) {
        char lease[64];
        s_lease_key (sweep->id, points[k], lease, sizeof lease);
        s_set_bit (sweep->leased, points[k], true);
        zhashx_update (self->leases, lease, worker);
        zhashx_update (worker->leases, lease, (void *) 1);
    }
    sweep->leased_count += count;
    worker->credit -= count;
}

/*  Hands out work to every worker with credit, oldest running sweep first. */
void
broker_dispatch (broker_t *self)
{
    uint64_t *points = NULL;
    size_t capacity = 0;
    for (broker_worker_t *worker = zhashx_first (self->workers); worker;
         worker = zhashx_next (self->workers)) {
        if (worker->leaving)
            continue;
        for (broker_sweep_t *sweep = zlistx_first (self->sweep_order); sweep && worker->credit;
             sweep = zlistx_next (self->sweep_order)) {
            if (sweep->state != BROKER_SWEEP_RUNNING)
                continue;
            size_t want =
                worker->credit < S_MAX_WORK_POINTS ? (size_t) worker->credit : S_MAX_WORK_POINTS;
            if (want > capacity) {
                points = bsw_realloc (points, want * sizeof (uint64_t));
                capacity = want;
            }
            size_t got = s_take_points (sweep, points, want);
            if (got)
                s_send_work (self, worker, sweep, points, got);
        }
    }
    free (points);
}

static broker_worker_t *
s_worker_lookup (broker_t *self, zframe_t *routing_id)
{
    char *key = zframe_strhex (routing_id);
    broker_worker_t *worker = zhashx_lookup (self->workers, key);
    free (key);
    return worker;
}

static void
s_handle_hello (broker_t *self, proto_msg_t *msg)
{
    zframe_t *rid = proto_msg_routing_id (msg);
    broker_worker_t *old = s_worker_lookup (self, rid);
    if (old)
        s_worker_remove (self, old, "said HELLO again");
    broker_worker_t *worker = bsw_calloc (1, sizeof *worker);
    worker->key = zframe_strhex (rid);
    worker->routing_id = zframe_dup (rid);
    snprintf (worker->name, sizeof worker->name, "%s", proto_msg_str (msg, "worker"));
    worker->threads = proto_msg_uint (msg, "threads");
    worker->expiry = bsw_clock_mono_ms () + (int64_t) self->heartbeat_ms * S_LIVENESS;
    worker->leases = zhashx_new ();
    worker->sweeps_sent = zhashx_new ();
    zhashx_insert (self->workers, worker->key, worker);
    self->stats.workers_joined++;
    zsys_info ("worker=%s joined (%" PRIu64 " threads, host %s)", worker->name, worker->threads,
               proto_msg_has (msg, "host") ? proto_msg_str (msg, "host") : "?");
}

static void
s_handle_bye (broker_t *self, broker_worker_t *worker, proto_msg_t *msg)
{
    size_t n_sweeps = 0, n_points = 0;
    const uint64_t *sweeps = proto_msg_uints (msg, "sweeps", &n_sweeps);
    const uint64_t *points = proto_msg_uints (msg, "points", &n_points);
    for (size_t k = 0; k < n_points && k < n_sweeps; k++) {
        char key[64];
        s_lease_key (sweeps[k], points[k], key, sizeof key);
        if (zhashx_lookup (self->leases, key) == worker) {
            s_lease_drop (self, key, worker);
            s_requeue (self, sweeps[k], points[k]);
        }
    }
    worker->leaving = true;
    worker->credit = 0;
    zsys_info ("worker=%s leaving; handed back %zu points", worker->name, n_points);
}

/*  Checks a RESULT against the sweep; queues it for the group commit, or
    acknowledges a duplicate at once. */
static void
s_handle_result (broker_t *self, broker_worker_t *worker, proto_msg_t **msg_p)
{
    proto_msg_t *msg = *msg_p;
    uint64_t sweep_id = proto_msg_uint (msg, "sweep"), point = proto_msg_uint (msg, "point");
    broker_sweep_t *sweep = broker_sweep_find (self, sweep_id);
    if (!sweep || point >= sweep->points) {
        broker_reply_error (self, proto_msg_routing_id (msg), msg, BSW_ENOTFOUND,
                            "RESULT for unknown sweep %" PRIu64 " point %" PRIu64, sweep_id, point);
        return;
    }
    //  A finished sweep has every point; a cancelled one still takes the
    //  results that were under way when it was cancelled (the commit skips
    //  any it already has), so no computed result is thrown away.
    bool duplicate =
        sweep->finished ? s_bit (sweep->finished, point) : sweep->state != BROKER_SWEEP_CANCELLED;
    if (!duplicate && proto_msg_has (msg, "timeseries")) {
        size_t size;
        const unsigned char *bytes = proto_msg_blob (msg, "timeseries", &size, NULL, NULL, NULL);
        if (size < 8 || memcmp (bytes, "\x89HDF\r\n\x1a\n", 8) != 0) {
            broker_reply_error (self, proto_msg_routing_id (msg), msg, BSW_EPROTO,
                                "RESULT sweep %" PRIu64 " point %" PRIu64
                                ": timeseries is not an HDF5 file",
                                sweep_id, point);
            return;
        }
    }
    if (duplicate) {
        self->stats.results_duplicate++;
        proto_msg_t *ack = proto_msg_new (PROTO_ACK);
        proto_msg_set_uint (ack, "sweep", sweep_id);
        proto_msg_set_uint (ack, "point", point);
        proto_msg_set_routing_id (ack, proto_msg_routing_id (msg));
        proto_msg_send (&ack, self->router);
        return;
    }
    broker_pending_t *pending = bsw_calloc (1, sizeof *pending);
    pending->msg = msg;
    pending->worker = worker;
    *msg_p = NULL;
    zlistx_add_end (self->pending, pending);
}

/*  {"GlobalVariance": 1.5, ...} in the order the worker sent (TVB's). */
static char *
s_metrics_json (const proto_msg_t *msg)
{
    size_t count = 0;
    const double *values = proto_msg_f64s (msg, "metric_values", &count);
    //  The codec admits only names (no character needs escaping) of at
    //  most PROTO_MAX_METRIC_NAME bytes; size the text from them anyway.
    size_t size = 3;
    for (size_t k = 0; k < count; k++)
        size += strlen (proto_msg_strs_at (msg, "metric_names", k)) + 6 + BSW_DOUBLE_BUF;
    char *json = bsw_malloc (size), *p = json;
    *p++ = '{';
    for (size_t k = 0; k < count; k++) {
        char number[BSW_DOUBLE_BUF];
        p += snprintf (p, size - (size_t) (p - json), "%s\"%s\": %s", k ? ", " : "",
                       proto_msg_strs_at (msg, "metric_names", k),
                       bsw_format_double (values[k], number));
    }
    snprintf (p, size - (size_t) (p - json), "}");
    return json;
}

/*  Commits every pending result in one go, then acknowledges them. */
static void
s_commit_pending (broker_t *self)
{
    size_t count = zlistx_size (self->pending);
    if (count == 0)
        return;
    broker_result_t *results = bsw_calloc (count, sizeof (broker_result_t));
    broker_pending_t **items = bsw_calloc (count, sizeof (broker_pending_t *));
    char **metrics = bsw_calloc (count, sizeof (char *));
    bool *stored = bsw_calloc (count, sizeof (bool));
    size_t k = 0;
    for (broker_pending_t *p = zlistx_first (self->pending); p; p = zlistx_next (self->pending)) {
        proto_msg_t *msg = p->msg;
        items[k] = p;
        broker_result_t *r = &results[k];
        r->sweep = proto_msg_uint (msg, "sweep");
        r->point = proto_msg_uint (msg, "point");
        r->ok = streq (proto_msg_str (msg, "status"), "ok");
        r->error = proto_msg_has (msg, "error") ? proto_msg_str (msg, "error") : NULL;
        if (r->ok) {
            metrics[k] = s_metrics_json (msg);
            r->metrics_json = metrics[k];
            r->timeseries =
                proto_msg_blob (msg, "timeseries", &r->timeseries_size, NULL, NULL, NULL);
        }
        r->elapsed_ms = proto_msg_f64 (msg, "elapsed_ms");
        r->worker = p->worker ? p->worker->name : "unknown";
        k++;
    }
    bsw_error_t err;
    bsw_error_clear (&err);
    int rc = broker_db_results_commit (self->db, results, count, stored, &err);
    for (k = 0; k < count; k++) {
        broker_pending_t *p = items[k];
        if (rc) {
            //  Not committed: no ACK. The worker keeps the result and
            //  sends it again; tell it why.
            broker_reply_error (self, proto_msg_routing_id (p->msg), p->msg, rc,
                                "result not stored: %s", err.text);
            continue;
        }
        if (stored[k])
            self->stats.results_committed++;
        else
            self->stats.results_duplicate++;
        broker_sweep_t *sweep = broker_sweep_find (self, results[k].sweep);
        uint64_t point = results[k].point;
        bool counts = stored[k] && sweep &&
                      (sweep->finished ? !s_bit (sweep->finished, point)
                                       : sweep->state == BROKER_SWEEP_CANCELLED);
        if (counts) {
            if (sweep->finished)
                s_set_bit (sweep->finished, point, true);
            if (results[k].ok)
                sweep->done++;
            else
                sweep->failed++;
            if (!results[k].ok)
                zsys_warning ("sweep=%" PRIu64 " point=%" PRIu64 " failed: %s", sweep->id, point,
                              results[k].error ? results[k].error : "?");
        }
        char key[64];
        s_lease_key (results[k].sweep, point, key, sizeof key);
        broker_worker_t *holder = zhashx_lookup (self->leases, key);
        if (holder) {
            s_lease_drop (self, key, holder);
            if (sweep && sweep->leased && s_bit (sweep->leased, point)) {
                s_set_bit (sweep->leased, point, false);
                sweep->leased_count--;
            }
        }
        proto_msg_t *ack = proto_msg_new (PROTO_ACK);
        proto_msg_set_uint (ack, "sweep", results[k].sweep);
        proto_msg_set_uint (ack, "point", point);
        proto_msg_set_routing_id (ack, proto_msg_routing_id (p->msg));
        proto_msg_send (&ack, self->router);
        if (sweep)
            broker_sweep_check_finished (self, sweep);
    }
    for (k = 0; k < count; k++) {
        proto_msg_destroy (&items[k]->msg);
        free (items[k]);
        free (metrics[k]);
    }
    zlistx_purge (self->pending);
    free (results);
    free (items);
    free (metrics);
    free (stored);
}

static void
s_handle_worker_msg (broker_t *self, proto_msg_t **msg_p)
{
    proto_msg_t *msg = *msg_p;
    proto_type_t type = proto_msg_type (msg);
    if (type == PROTO_HELLO) {
        s_handle_hello (self, msg);
        return;
    }
    broker_worker_t *worker = s_worker_lookup (self, proto_msg_routing_id (msg));
    if (worker)
        worker->expiry = bsw_clock_mono_ms () + (int64_t) self->heartbeat_ms * S_LIVENESS;
    if (type == PROTO_RESULT) {
        //  Results are valid from anyone (a worker of a previous broker
        //  run, or one we purged while it was stopped).
        s_handle_result (self, worker, msg_p);
        return;
    }
    if (!worker) {
        broker_reply_error (self, proto_msg_routing_id (msg), msg, BSW_ESTATE,
                            "unknown worker session: send HELLO");
        return;
    }
    switch (type) {
    case PROTO_HEARTBEAT:
        break;
    case PROTO_CREDIT:
        if (!worker->leaving)
            worker->credit += proto_msg_uint (msg, "credit");
        break;
    case PROTO_BYE:
        s_handle_bye (self, worker, msg);
        break;
    default:
        break;
    }
}

static void
s_handle_router (broker_t *self)
{
    zmsg_t *wire = zmsg_recv (self->router);
    if (!wire)
        return;
    proto_msg_t *msg = NULL;
    zframe_t *routing_id = NULL;
    bsw_error_t err;
    bsw_error_clear (&err);
    if (proto_msg_decode (&wire, true, self->max_message, &msg, &routing_id, &err)) {
        if (routing_id)
            broker_reply_error (self, routing_id, NULL, err.code, "%s", err.text);
        zframe_destroy (&routing_id);
        return;
    }
    switch (proto_msg_type (msg)) {
    case PROTO_HELLO:
    case PROTO_HEARTBEAT:
    case PROTO_CREDIT:
    case PROTO_RESULT:
    case PROTO_BYE:
        s_handle_worker_msg (self, &msg);
        break;
    case PROTO_SUBMIT:
    case PROTO_LIST:
    case PROTO_STATUS:
    case PROTO_CANCEL:
    case PROTO_RETRY:
    case PROTO_FETCH:
    case PROTO_RESULTS:
    case PROTO_STATS:
        broker_handle_client (self, msg);
        break;
    default:
        broker_reply_error (self, proto_msg_routing_id (msg), msg, BSW_EPROTO,
                            "%s is not a request the broker serves",
                            proto_type_name (proto_msg_type (msg)));
    }
    proto_msg_destroy (&msg);
}

/*  Heartbeats out, silent workers purged, sweep rates updated. */
static void
s_tick (broker_t *self)
{
    int64_t now = bsw_clock_mono_ms ();
    zlistx_t *gone = zlistx_new ();
    for (broker_worker_t *worker = zhashx_first (self->workers); worker;
         worker = zhashx_next (self->workers))
        if (now >= worker->expiry)
            zlistx_add_end (gone, worker);
    for (broker_worker_t *worker = zlistx_first (gone); worker; worker = zlistx_next (gone)) {
        self->stats.workers_lost += !worker->leaving;
        self->stats.workers_left += worker->leaving;
        s_worker_remove (self, worker, worker->leaving ? "left" : "went silent");
    }
    zlistx_destroy (&gone);
    if (now >= self->heartbeat_at) {
        for (broker_worker_t *worker = zhashx_first (self->workers); worker;
             worker = zhashx_next (self->workers)) {
            proto_msg_t *hb = proto_msg_new (PROTO_HEARTBEAT);
            proto_msg_set_routing_id (hb, worker->routing_id);
            proto_msg_send (&hb, self->router);
        }
        self->heartbeat_at = now + self->heartbeat_ms;
    }
    for (broker_sweep_t *sweep = zlistx_first (self->sweep_order); sweep;
         sweep = zlistx_next (self->sweep_order)) {
        int64_t span = now - sweep->rate_t0;
        if (span >= S_RATE_WINDOW_MS) {
            uint64_t finished = sweep->done + sweep->failed;
            sweep->rate = (double) (finished - sweep->rate_done0) * 1000.0 / (double) span;
            sweep->rate_t0 = now;
            sweep->rate_done0 = finished;
        }
    }
}

static broker_t *
s_broker_new (zsock_t *pipe, const broker_config_t *config, bsw_error_t *err)
{
    broker_t *self = bsw_calloc (1, sizeof *self);
    self->pipe = pipe;
    self->stats.started = bsw_clock_mono_ms ();
    self->heartbeat_ms = config->heartbeat_ms > 0 ? config->heartbeat_ms : 1000;
    self->max_points = config->max_points ? config->max_points : BROKER_DEFAULT_MAX_POINTS;
    self->max_message = config->max_message ? config->max_message : BROKER_DEFAULT_MAX_MESSAGE;
    self->data_dir = bsw_strdup (config->data_dir);
    self->sweeps = zhashx_new ();
    zhashx_set_destructor (self->sweeps, s_sweep_free);
    self->sweep_order = zlistx_new ();
    self->workers = zhashx_new ();
    zhashx_set_destructor (self->workers, s_worker_free);
    self->leases = zhashx_new ();
    self->pending = zlistx_new ();
    self->poller = zpoller_new (pipe, NULL);
    zpoller_set_nonstop (self->poller, true);
    if (broker_db_open (&self->db, config->data_dir, err))
        return self;
    self->router = zsock_new (ZMQ_ROUTER);
    zsock_set_router_mandatory (self->router, 0);
    zsock_set_sndhwm (self->router, 0);
    zsock_set_rcvhwm (self->router, 0);
    zsock_set_linger (self->router, 0);
    if (zsock_bind (self->router, "%s", config->bind) == -1) {
        bsw_error_set (err, BSW_EIO, "cannot bind %s: %s", config->bind,
                       zmq_strerror (zmq_errno ()));
        return self;
    }
    self->endpoint = bsw_strdup (zsock_endpoint (self->router));
    zpoller_add (self->poller, self->router);
    broker_sweep_info_t *list = NULL;
    size_t count = 0;
    if (broker_db_sweep_list (self->db, &list, &count, err))
        return self;
    uint64_t resumed = 0;
    for (size_t k = 0; k < count; k++) {
        broker_sweep_t *sweep = broker_sweep_load (self, &list[k]);
        if (sweep->state == BROKER_SWEEP_RUNNING) {
            resumed++;
            broker_sweep_check_finished (self, sweep);
        }
    }
    broker_sweep_list_free (list, count);
    zsys_info ("broker listening on %s, data in %s: %zu sweeps, %" PRIu64 " resumed",
               self->endpoint, self->data_dir, count, resumed);
    return self;
}

static void
s_broker_destroy (broker_t **self_p)
{
    broker_t *self = *self_p;
    if (!self)
        return;
    broker_pending_t *p;
    while ((p = zlistx_first (self->pending))) {
        zlistx_detach_cur (self->pending);
        proto_msg_destroy (&p->msg);
        free (p);
    }
    zlistx_destroy (&self->pending);
    zlistx_destroy (&self->sweep_order);
    zhashx_destroy (&self->sweeps);
    zhashx_destroy (&self->workers);
    zhashx_destroy (&self->leases);
    zpoller_destroy (&self->poller);
    zsock_destroy (&self->router);
    broker_db_close (&self->db);
    free (self->endpoint);
    free (self->data_dir);
    free (self);
    *self_p = NULL;
}

static void
s_handle_pipe (broker_t *self)
{
    zmsg_t *msg = zmsg_recv (self->pipe);
    if (!msg)
        return;
    char *command = zmsg_popstr (msg);
    if (streq (command, "$TERM"))
        self->terminated = true;
    else if (streq (command, "ENDPOINT"))
        zstr_send (self->pipe, self->endpoint);
    zstr_free (&command);
    zmsg_destroy (&msg);
}

void
broker_actor (zsock_t *pipe, void *args)
{
    bsw_error_t err;
    bsw_error_clear (&err);
    broker_t *self = s_broker_new (pipe, (const broker_config_t *) args, &err);
    zsock_signal (pipe, 0);
    if (err.code) {
        //  Stay an actor until told to go, answering ENDPOINT with "" so
        //  broker_start can tell the failure.
        zsys_error ("broker cannot start: %s", err.text);
        s_broker_destroy (&self);
        while (true) {
            char *command = zstr_recv (pipe);
            bool term = !command || streq (command, "$TERM");
            if (!term && streq (command, "ENDPOINT"))
                zstr_send (pipe, "");
            zstr_free (&command);
            if (term)
                return;
        }
    }
    self->heartbeat_at = bsw_clock_mono_ms () + self->heartbeat_ms;
    while (!self->terminated) {
        int64_t now = bsw_clock_mono_ms ();
        int timeout = (int) (self->heartbeat_at > now ? self->heartbeat_at - now : 0);
        void *which = zpoller_wait (self->poller, timeout);
        if (which == pipe)
            s_handle_pipe (self);
        else if (which == self->router) {
            s_handle_router (self);
            for (int k = 0; k < S_DRAIN && (zsock_events (self->router) & ZMQ_POLLIN); k++)
                s_handle_router (self);
            s_commit_pending (self);
        } else if (which) {
            for (broker_sweep_t *sweep = zlistx_first (self->sweep_order); sweep;
                 sweep = zlistx_next (self->sweep_order))
                if (sweep->exporter && which == sweep->exporter) {
                    broker_handle_exporter (self, sweep);
                    break;
                }
        }
        s_tick (self);
        broker_dispatch (self);
    }
    s_commit_pending (self);
    zsys_info ("broker stopped");
    s_broker_destroy (&self);
}

zactor_t *
broker_start (const broker_config_t *config)
{
    zactor_t *actor = zactor_new (broker_actor, (void *) config);
    if (!actor)
        return NULL;
    zstr_send (actor, "ENDPOINT");
    char *endpoint = zstr_recv (actor);
    bool ok = endpoint && *endpoint;
    zstr_free (&endpoint);
    if (!ok)
        zactor_destroy (&actor);
    return actor;
}
