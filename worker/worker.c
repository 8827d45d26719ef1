/*  worker.c - the worker actor (see worker.h for its contract).

    One actor thread owns the DEALER socket, the job queue and the outbox;
    N compute actors (threads) each run one job at a time and hand it back
    through their pipe. The actor never computes, so heartbeats go out on
    time however long a batch takes.

    Flow control is by credit: the worker keeps about two batches per
    compute thread in hand (running, queued, or promised by the broker
    through outstanding credit) and asks for the difference. Points that
    take well under a millisecond need more: the broker stops answering
    for the length of each group commit's fsync (a few ms), and two
    batches of tiny points would run dry long before it is back. So the
    worker also keeps S_IN_HAND_MS of work per thread in hand, by its
    running average time per point: a hundred or more tiny points, still
    about two batches of tutorial points (a long tail at a sweep's end
    would cost more than it saves). 10 ms measured best here: 50 ms
    doubled the broker's peak RSS (to ~60 MB at 20,000 tiny points) and was
    no faster; 5 ms was no faster either.

    Results awaiting their ACK always count as in hand, so a worker faster
    than the broker's commits waits rather than piling results up in both
    processes' memory; above outbox_bytes (S_OUTBOX_BYTES by default) of
    unacknowledged series it asks for nothing at all.

    A finished job's points go in one RESULT (a batch), which the broker
    commits in one transaction. Batches stay in the outbox until the broker
    ACKs them (which it does only after committing to disk); after a
    reconnect the outbox is sent again, and the broker stores duplicates
    once. A batch the broker refuses (a full disk) is offered again after a
    backoff, one batch first as a probe: the rest follow once it is
    acknowledged, so a broker that cannot store is not flooded.
*/
#include "worker.h"
#include "worker_job.h"
#include "worker_outbox.h"

#include "bsw_error.h"
#include "bsw_util.h"
#include "proto.h"
#include "proto_curve.h"

#include <inttypes.h>
#include <math.h>
#include <time.h>
#include <unistd.h>

#define S_BACKOFF_MAX_MS 30000
#define S_LIVENESS       3            /* heartbeats the broker may miss */
#define S_IN_HAND_MS     10           /* work per compute thread to keep in hand, ms */
#define S_IN_HAND_MAX    1024         /* points per compute thread in hand, at most */
#define S_CREDIT_MAX     65536        /* points one CREDIT may ask for (PROTOCOL.md) */
#define S_OUTBOX_BYTES   (256u << 20) /* default of worker_config_t.outbox_bytes */
#define S_RESEND_MIN_HB  5            /* heartbeats before a refused batch goes again */

typedef struct {
    zsock_t *pipe;              /* the actor's command pipe */
    zpoller_t *poller;          /* pipe, dealer, compute actors */
    zsock_t *dealer;            /* to the broker, or NULL while backing off */
    proto_curve_watch_t *watch; /* the dealer's handshake failures */
    char *broker_key;           /* CurveZMQ: the broker's public certificate, or NULL */
    char *key;                  /* CurveZMQ: this worker's secret certificate, or NULL */
    char *endpoint;             /* broker endpoint */
    char name[128];             /* for logs and HELLO */
    size_t threads;             /* compute threads */
    size_t lanes;               /* --lanes: points per batch, or 0 for each sweep's own choice */
    size_t job_points;          /* points per job of the latest sweep: sizes the credit */
    int heartbeat_ms;           /* heartbeat interval */
    int stop_grace_ms;          /* STOP's bound on waiting for ACKs */
    int deflate;                /* results' HDF5 deflate level, 0 = none */
    zactor_t **compute;         /* [threads] */
    worker_job_t **running;     /* [threads] job in each, or NULL */
    double *started;            /* [threads] when its job started, mono ms (fractional) */
    double point_ms;            /* running average wall time per point, ms; 0 until known */
    zlistx_t *queue;            /* worker_job_t * waiting for a thread */
    zhashx_t *sweeps;           /* "id" -> worker_sweep_t * */
    worker_outbox_t *outbox;    /* RESULT batches awaiting ACK */
    size_t outbox_bytes;        /* their series' bytes above which no work is asked */
    size_t promised;            /* points of credit the broker has not yet filled */
    int64_t broker_expiry;      /* when the broker counts as gone (mono ms) */
    int64_t heartbeat_at;       /* next heartbeat (mono ms) */
    int64_t reconnect_at;       /* while disconnected: next attempt (mono ms) */
    int64_t resend_at;          /* when to send the outbox again after a refused commit, or 0 */
    int resend_ms;              /* the current delay before that (doubles up to S_BACKOFF_MAX_MS) */
    bool probing;               /* after a refusal: one batch sent, the rest wait for its ACK */
    int backoff_ms;             /* current reconnect delay */
    unsigned session;           /* reconnect count, part of the socket identity */
    bool stopping;              /* STOP received */
    int64_t stop_deadline;      /* STOP gives up waiting then */
    bool terminated;            /* $TERM received */
} self_t;

static void
s_sweep_free (void **item)
{
    worker_sweep_destroy ((worker_sweep_t **) item);
}

static void
s_job_free (void **item)
{
    worker_job_destroy ((worker_job_t **) item);
}

/*  A compute thread: run each job it is given, hand it back. */
static void
s_compute_actor (zsock_t *pipe, void *args)
{
    zsock_signal (pipe, 0);
    while (true) {
        char *command = NULL;
        void *job = NULL;
        if (zsock_recv (pipe, "sp", &command, &job) == -1)
            break;
        bool term = streq (command, "$TERM");
        if (!term && job) {
            worker_job_run ((worker_job_t *) job);
            zsock_send (pipe, "sp", "DONE", job);
        }
        zstr_free (&command);
        if (term)
            break;
    }
}

static size_t
s_points_in_hand (self_t *self)
{
    size_t count = self->promised;
    for (worker_job_t *job = zlistx_first (self->queue); job; job = zlistx_next (self->queue))
        count += job->n_points;
    for (size_t t = 0; t < self->threads; t++)
        if (self->running[t])
            count += self->running[t]->n_points;
    return count;
}

static void
s_send (self_t *self, proto_msg_t **msg_p)
{
    if (!self->dealer) {
        proto_msg_destroy (msg_p);
        return;
    }
    proto_msg_send (msg_p, self->dealer);
    self->heartbeat_at = bsw_clock_mono_ms () + self->heartbeat_ms;
}

/*  Whether an ERROR about a RESULT says the broker could not store it
    (then the batch is kept and offered again later), rather than that it
    refused some of its points (which it ACKs anyway). */
static bool
s_not_stored (int code)
{
    return code == BSW_ENOSPACE || code == BSW_EIO || code == BSW_EDB || code == BSW_EINTERNAL;
}

static void
s_ask_for_work (self_t *self)
{
    if (!self->dealer || self->stopping || self->terminated)
        return;
    if (self->probing)
        return;
    size_t want = self->threads * self->job_points * 2;
    if (self->point_ms > 0) {
        double by_time = S_IN_HAND_MS / self->point_ms;
        size_t per_thread = by_time > S_IN_HAND_MAX ? S_IN_HAND_MAX : (size_t) by_time;
        if (per_thread * self->threads > want)
            want = per_thread * self->threads;
    }
    //  Results awaiting their ACK count too, or a worker faster than the
    //  broker's commits would pile them up in both processes.
    size_t credit =
        worker_outbox_credit (self->outbox, s_points_in_hand (self), want, self->outbox_bytes);
    if (credit == 0)
        return;
    if (credit > S_CREDIT_MAX)
        credit = S_CREDIT_MAX; // a CREDIT's most; the rest next time
    proto_msg_t *msg = proto_msg_new (PROTO_CREDIT);
    proto_msg_set_uint (msg, "credit", credit);
    s_send (self, &msg);
    self->promised += credit;
}

//  Closes the dealer and its handshake watch.
static void
s_close (self_t *self)
{
    if (self->watch) {
        zpoller_remove (self->poller, proto_curve_watch_sock (self->watch));
        proto_curve_watch_destroy (&self->watch);
    }
    if (self->dealer) {
        zpoller_remove (self->poller, self->dealer);
        zsock_destroy (&self->dealer);
    }
}

/*  (Re)connects with a fresh identity: a new session for the broker. */
static void
s_connect (self_t *self)
{
    s_close (self);
    self->dealer = zsock_new (ZMQ_DEALER);
    proto_curve_keys_t keys = {self->broker_key, self->key};
    bsw_error_t err;
    if (proto_curve_client (self->dealer, &keys, &err)) {
        //  The files changed since the start: try again later.
        zsys_error ("worker=%s %s", self->name, err.text);
        zsock_destroy (&self->dealer);
        self->reconnect_at = bsw_clock_mono_ms () + S_BACKOFF_MAX_MS;
        return;
    }
    self->watch = proto_curve_watch_new (self->dealer, proto_curve_keys_given (&keys));
    if (proto_curve_watch_sock (self->watch))
        zpoller_add (self->poller, proto_curve_watch_sock (self->watch));
    char identity[200];
    snprintf (identity, sizeof identity, "%s/%u", self->name, self->session++);
    zsock_set_identity (self->dealer, identity);
    zsock_set_linger (self->dealer, 0);
    zsock_set_sndhwm (self->dealer, 0);
    //  ZeroMQ's own reconnects (the broker down, a handshake failing) back
    //  off up to a few seconds instead of retrying ten times a second.
    zsock_set_reconnect_ivl_max (self->dealer, 5000);
    if (zsock_connect (self->dealer, "%s", self->endpoint) == -1) {
        zsys_error ("worker=%s cannot connect to %s", self->name, self->endpoint);
        zsock_destroy (&self->dealer);
        return;
    }
    zpoller_add (self->poller, self->dealer);
    int64_t now = bsw_clock_mono_ms ();
    self->broker_expiry = now + (int64_t) self->heartbeat_ms * S_LIVENESS;
    self->promised = 0;
    proto_msg_t *hello = proto_msg_new (PROTO_HELLO);
    proto_msg_set_str (hello, "worker", self->name);
    char host[256] = "";
    gethostname (host, sizeof host - 1);
    proto_msg_set_str (hello, "host", host);
    proto_msg_set_uint (hello, "pid", (uint64_t) getpid ());
    proto_msg_set_uint (hello, "threads", self->threads);
    proto_msg_set_str (hello, "version", BSW_VERSION_STRING);
    s_send (self, &hello);
    //  Results the broker may not have committed go again; it dedups.
    worker_outbox_send (self->outbox, self->dealer, false);
    self->probing = false;
    self->resend_at = 0;
    s_ask_for_work (self);
}

static void
s_disconnect (self_t *self, const char *why)
{
    zsys_warning ("worker=%s lost the broker (%s); reconnecting in %d ms", self->name, why,
                  self->backoff_ms);
    s_close (self);
    self->reconnect_at = bsw_clock_mono_ms () + self->backoff_ms;
    self->backoff_ms =
        self->backoff_ms * 2 > S_BACKOFF_MAX_MS ? S_BACKOFF_MAX_MS : self->backoff_ms * 2;
}

//  A finer clock than bsw_clock_mono_ms: a batch of tiny points takes a
//  fraction of a millisecond.
static double
s_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

static void
s_dispatch_jobs (self_t *self)
{
    for (size_t t = 0; t < self->threads && zlistx_size (self->queue); t++) {
        if (self->running[t])
            continue;
        worker_job_t *job = zlistx_first (self->queue);
        zlistx_detach_cur (self->queue);
        self->running[t] = job;
        self->started[t] = s_now_ms ();
        zsock_send (self->compute[t], "sp", "JOB", job);
    }
}

static void
s_sweep_release (self_t *self, worker_sweep_t *sweep)
{
    sweep->jobs--;
    if (sweep->dropped && sweep->jobs == 0) {
        char key[32];
        snprintf (key, sizeof key, "%llu", (unsigned long long) sweep->id);
        zhashx_delete (self->sweeps, key);
    }
}

/*  Sends a RESULT and keeps it until it is acknowledged. */
static void
s_post (self_t *self, proto_msg_t **msg_p)
{
    //  While probing after a refusal, new batches wait with the rest.
    if (self->dealer && !self->probing) {
        zmsg_t *wire = proto_msg_encode (*msg_p);
        zmsg_send (&wire, self->dealer);
    }
    worker_outbox_add (self->outbox, msg_p);
}

/*  One RESULT for every point of a finished job: statuses, errors and
    times per point, the metrics as one [point][metric] table, and the
    series of the ok points one after another in one blob. */
static proto_msg_t *
s_result_new (uint64_t sweep, const worker_result_t *results, size_t count, int deflate)
{
    uint64_t *points = bsw_calloc (count, sizeof (uint64_t));
    const char **statuses = bsw_calloc (count, sizeof (char *));
    const char **errors = bsw_calloc (count, sizeof (char *));
    double *elapsed = bsw_calloc (count, sizeof (double));
    uint64_t *sizes = bsw_calloc (count, sizeof (uint64_t));
    size_t n_metrics = 0, total = 0;
    const char *const *names = NULL;
    for (size_t k = 0; k < count && !names; k++)
        if (results[k].code == 0) {
            names = results[k].metric_names;
            n_metrics = results[k].n_metrics;
        }
    double *values = bsw_calloc (count * n_metrics + 1, sizeof (double));
    for (size_t k = 0; k < count; k++) {
        const worker_result_t *r = &results[k];
        points[k] = r->point;
        statuses[k] = r->code == 0 ? "ok" : "failed";
        errors[k] = r->code == 0 ? "" : r->error;
        elapsed[k] = r->elapsed_ms;
        sizes[k] = r->code == 0 ? r->series_size : 0;
        total += sizes[k];
        for (size_t m = 0; m < n_metrics; m++)
            values[k * n_metrics + m] = r->code == 0 ? r->metric_values[m] : NAN;
    }
    proto_msg_t *msg = proto_msg_new (PROTO_RESULT);
    proto_msg_set_uint (msg, "sweep", sweep);
    proto_msg_set_uints (msg, "points", points, count);
    proto_msg_set_strs (msg, "statuses", statuses, count);
    proto_msg_set_strs (msg, "errors", errors, count);
    proto_msg_set_f64s (msg, "elapsed_ms", elapsed, count);
    if (n_metrics) {
        proto_msg_set_strs (msg, "metric_names", (const char **) names, n_metrics);
        proto_msg_set_f64s (msg, "metric_values", values, count * n_metrics);
    }
    if (total) {
        uint8_t *series = bsw_malloc (total);
        size_t at = 0;
        for (size_t k = 0; k < count; k++)
            if (sizes[k]) {
                memcpy (series + at, results[k].series, sizes[k]);
                at += sizes[k];
            }
        void *data = series;
        uint64_t shape[1] = {total};
        proto_msg_set_str (msg, "encoding", deflate ? "f8-shuffle-deflate" : "f8");
        proto_msg_set_uints (msg, "series_sizes", sizes, count);
        proto_msg_set_blob (msg, "series", "u1", shape, 1, &data, total);
    }
    free (points);
    free (statuses);
    free (errors);
    free (elapsed);
    free (sizes);
    free (values);
    return msg;
}

/*  A finished job: its points in RESULTs kept until ACKed, as few as the
    broker's blob limit allows (one, unless the series together exceed
    it). A point whose series alone exceeds it fails, saying so: the
    broker would refuse the RESULT, and the point would never end. */
static void
s_job_done (self_t *self, worker_job_t *job)
{
    worker_sweep_t *sweep = job->sweep;
    if (!job->cancelled && !sweep->dropped && job->n_points > 0) {
        uint64_t max = sweep->max_message ? sweep->max_message : UINT64_MAX;
        for (size_t k = 0; k < job->n_points; k++) {
            worker_result_t *r = &job->results[k];
            if (r->code == 0 && r->series_size > max) {
                r->code = BSW_ETOOBIG;
                snprintf (r->error, sizeof r->error,
                          "its time series of %zu bytes exceeds the broker's limit of %" PRIu64
                          " bytes (--max-message)",
                          r->series_size, max);
                free (r->series);
                r->series = NULL;
                r->series_size = 0;
            }
        }
        size_t first = 0;
        while (first < job->n_points) {
            uint64_t bytes = 0;
            size_t end = first;
            for (; end < job->n_points; end++) {
                size_t size = job->results[end].code == 0 ? job->results[end].series_size : 0;
                if (end > first && bytes + size > max)
                    break;
                bytes += size;
            }
            proto_msg_t *msg =
                s_result_new (sweep->id, job->results + first, end - first, sweep->deflate);
            s_post (self, &msg);
            first = end;
        }
    }
    s_sweep_release (self, sweep);
    worker_job_destroy (&job);
}

static void
s_handle_compute (self_t *self, size_t t)
{
    char *command = NULL;
    void *job = NULL;
    if (zsock_recv (self->compute[t], "sp", &command, &job) == -1)
        return;
    zstr_free (&command);
    self->running[t] = NULL;
    worker_job_t *done = job;
    if (!done->cancelled && done->n_points > 0) {
        double ms = (s_now_ms () - self->started[t]) / (double) done->n_points;
        self->point_ms = self->point_ms > 0 ? 0.8 * self->point_ms + 0.2 * ms : ms;
        if (self->point_ms < 0.01)
            self->point_ms = 0.01;
    }
    s_job_done (self, (worker_job_t *) job);
    s_dispatch_jobs (self);
    s_ask_for_work (self);
}

static void
s_handle_work (self_t *self, proto_msg_t *msg)
{
    uint64_t id = proto_msg_uint (msg, "sweep");
    size_t count;
    const uint64_t *points = proto_msg_uints (msg, "points", &count);
    self->promised = self->promised > count ? self->promised - count : 0;
    char key[32];
    snprintf (key, sizeof key, "%llu", (unsigned long long) id);
    worker_sweep_t *sweep = zhashx_lookup (self->sweeps, key);
    if (!sweep && proto_msg_has (msg, "spec")) {
        size_t size = 0;
        const void *conn = proto_msg_has (msg, "connectivity")
                               ? proto_msg_blob (msg, "connectivity", &size, NULL, NULL, NULL)
                               : NULL;
        bsw_error_t err;
        bsw_error_clear (&err);
        if (worker_sweep_new (&sweep, id, proto_msg_str (msg, "uuid"), proto_msg_str (msg, "spec"),
                              conn, size, &err)) {
            //  The broker validated this sweep; if we cannot read it, every
            //  point fails with the reason rather than looping forever.
            char *text = bsw_text_escape (err.text);
            zsys_error ("worker=%s sweep=%llu unreadable: %s", self->name, (unsigned long long) id,
                        text);
            free (text);
            for (size_t k = 0; k < count; k += PROTO_MAX_BATCH) {
                size_t n = count - k < PROTO_MAX_BATCH ? count - k : PROTO_MAX_BATCH;
                worker_result_t *failed = bsw_calloc (n, sizeof *failed);
                for (size_t j = 0; j < n; j++) {
                    failed[j].point = points[k + j];
                    failed[j].code = err.code;
                    snprintf (failed[j].error, sizeof failed[j].error, "%s", err.text);
                }
                proto_msg_t *result = s_result_new (id, failed, n, 0);
                free (failed);
                s_post (self, &result);
            }
            return;
        }
        sweep->deflate = self->deflate;
        sweep->lanes = worker_sweep_lanes (sweep, self->lanes);
        //  Keep about two jobs per thread in hand, and at least 4 points.
        self->job_points = sweep->lanes > 4 ? sweep->lanes : 4;
        zhashx_insert (self->sweeps, key, sweep);
    }
    if (sweep && proto_msg_has (msg, "max_message"))
        sweep->max_message = proto_msg_uint (msg, "max_message");
    if (sweep && sweep->dropped) {
        //  Cancelled, then retried while a job of it was still winding down:
        //  the sweep is live again. The abandoned job keeps its own cancel
        //  flag; its points come back to us (or another worker) as new WORK.
        sweep->dropped = false;
    }
    if (!sweep) {
        //  A broker that thinks we know this sweep: start a new session so
        //  it sends the definition again; it requeues these points.
        zsys_warning ("worker=%s got points of unknown sweep %llu; new session", self->name,
                      (unsigned long long) id);
        s_disconnect (self, "unknown sweep");
        self->reconnect_at = bsw_clock_mono_ms ();
        return;
    }
    for (size_t k = 0; k < count; k += sweep->lanes) {
        size_t n = count - k < sweep->lanes ? count - k : sweep->lanes;
        worker_job_t *job = worker_job_new (sweep, points + k, n);
        sweep->jobs++;
        zlistx_add_end (self->queue, job);
    }
    s_dispatch_jobs (self);
}

//  The broker's sentence is a peer's text: escaped for the log.
static void
s_log_broker_error (self_t *self, const proto_msg_t *msg)
{
    char *text = bsw_text_escape (proto_msg_str (msg, "text"));
    zsys_warning ("worker=%s broker says: %s", self->name, text);
    free (text);
}

/*  Forget a cancelled sweep: queued jobs go, running ones are abandoned. */
static void
s_handle_drop (self_t *self, uint64_t id)
{
    char key[32];
    snprintf (key, sizeof key, "%llu", (unsigned long long) id);
    worker_sweep_t *sweep = zhashx_lookup (self->sweeps, key);
    if (!sweep)
        return;
    sweep->dropped = true;
    //  Deleting the item under the cursor steps the cursor back, so the
    //  next zlistx_next gives the item after it. (Looking the job up again
    //  with zlistx_find moved the cursor and made a second job of the
    //  sweep be read after it was freed.) The count drops here without
    //  s_sweep_release, which would free the sweep read below.
    worker_job_t *job = zlistx_first (self->queue);
    while (job) {
        if (job->sweep == sweep) {
            zlistx_delete (self->queue, zlistx_cursor (self->queue));
            sweep->jobs--;
        }
        job = zlistx_next (self->queue);
    }
    for (size_t t = 0; t < self->threads; t++)
        if (self->running[t] && self->running[t]->sweep == sweep)
            atomic_store (&self->running[t]->cancel, 1);
    if (sweep->jobs == 0)
        zhashx_delete (self->sweeps, key);
    s_ask_for_work (self);
}

static void
s_handle_broker (self_t *self)
{
    //  Frame by frame, within the protocol's frame count (proto.h); blobs
    //  as large as the broker's own --max-message allows it to send.
    proto_msg_t *msg = NULL;
    bsw_error_t err;
    int rc = proto_msg_recv (self->dealer, UINT64_MAX, &msg, NULL, &err);
    if (rc == BSW_EIO)
        return; //  interrupted
    if (rc) {
        zsys_warning ("worker=%s bad message from broker: %s", self->name, err.text);
        return;
    }
    self->broker_expiry = bsw_clock_mono_ms () + (int64_t) self->heartbeat_ms * S_LIVENESS;
    self->backoff_ms = self->heartbeat_ms;
    switch (proto_msg_type (msg)) {
    case PROTO_WORK:
        s_handle_work (self, msg);
        break;
    case PROTO_ACK: {
        size_t count = 0;
        const uint64_t *points = proto_msg_uints (msg, "points", &count);
        worker_outbox_ack (self->outbox, proto_msg_uint (msg, "sweep"), points, count);
        if (self->probing && !self->resend_at) {
            //  The probe went in: the broker stores again; send the rest.
            self->probing = false;
            self->resend_ms = 0;
            worker_outbox_send (self->outbox, self->dealer, false);
        }
        s_ask_for_work (self);
        break;
    }
    case PROTO_DROP:
        s_handle_drop (self, proto_msg_uint (msg, "sweep"));
        break;
    case PROTO_HEARTBEAT:
        break;
    case PROTO_ERROR:
        s_log_broker_error (self, msg);
        if (proto_msg_int (msg, "code") == BSW_ESTATE) {
            //  The broker does not know this session (it restarted).
            s_connect (self);
        } else if (proto_msg_int (msg, "code") == BSW_EDENIED) {
            //  This key may not act as a worker (a client's key, or one
            //  revoked): nothing will change soon; ask again, slowly.
            self->backoff_ms = S_BACKOFF_MAX_MS;
            s_disconnect (self, "the broker refuses this worker's key");
        } else if (proto_msg_uint (msg, "to") == PROTO_RESULT && !self->resend_at &&
                   s_not_stored (proto_msg_int (msg, "code"))) {
            //  A result the broker could not store (a full disk, say): keep
            //  it, stop sending, and offer one batch again later, waiting
            //  longer each time it is refused again. (Points it refused as
            //  invalid, or of a sweep it does not know, come with an ACK:
            //  no reason to slow down.)
            self->probing = true;
            int least = S_RESEND_MIN_HB * self->heartbeat_ms;
            self->resend_ms = self->resend_ms < least ? least : self->resend_ms * 2;
            if (self->resend_ms > S_BACKOFF_MAX_MS)
                self->resend_ms = S_BACKOFF_MAX_MS;
            self->resend_at = bsw_clock_mono_ms () + self->resend_ms;
        }
        break;
    default:
        zsys_warning ("worker=%s unexpected %s from broker", self->name,
                      proto_type_name (proto_msg_type (msg)));
    }
    proto_msg_destroy (&msg);
}

/*  Hands back every point not yet finished (queued, and running when
    `running_too`), in one BYE. */
static void
s_hand_back (self_t *self, bool running_too)
{
    size_t count = 0;
    uint64_t *sv = NULL, *pv = NULL;
    //  Pass 0 counts the points, pass 1 fills the arrays.
    for (int pass = 0; pass < 2; pass++) {
        count = 0;
        for (worker_job_t *job = zlistx_first (self->queue); job; job = zlistx_next (self->queue))
            for (size_t k = 0; k < job->n_points; k++, count++)
                if (pass) {
                    sv[count] = job->sweep->id;
                    pv[count] = job->points[k];
                }
        if (running_too)
            for (size_t t = 0; t < self->threads; t++)
                if (self->running[t])
                    for (size_t k = 0; k < self->running[t]->n_points; k++, count++)
                        if (pass) {
                            sv[count] = self->running[t]->sweep->id;
                            pv[count] = self->running[t]->points[k];
                        }
        if (!pass) {
            sv = bsw_calloc (count, sizeof (uint64_t));
            pv = bsw_calloc (count, sizeof (uint64_t));
        }
    }
    proto_msg_t *bye = proto_msg_new (PROTO_BYE);
    proto_msg_set_uints (bye, "sweeps", sv, count);
    proto_msg_set_uints (bye, "points", pv, count);
    s_send (self, &bye);
    free (sv);
    free (pv);
    //  Queued jobs are gone to the broker now.
    worker_job_t *job;
    while ((job = zlistx_first (self->queue))) {
        zlistx_detach_cur (self->queue);
        s_sweep_release (self, job->sweep);
        worker_job_destroy (&job);
    }
}

static bool
s_idle (self_t *self)
{
    for (size_t t = 0; t < self->threads; t++)
        if (self->running[t])
            return false;
    return zlistx_size (self->queue) == 0;
}

static void
s_handle_pipe (self_t *self)
{
    zmsg_t *msg = zmsg_recv (self->pipe);
    if (!msg)
        return;
    char *command = zmsg_popstr (msg);
    if (streq (command, "$TERM")) {
        self->terminated = true;
    } else if (streq (command, "STOP") && !self->stopping) {
        self->stopping = true;
        self->stop_deadline = bsw_clock_mono_ms () + self->stop_grace_ms;
        s_hand_back (self, false);
        zsys_info ("worker=%s stopping: finishing %zu running points", self->name,
                   s_points_in_hand (self) - self->promised);
    }
    zstr_free (&command);
    zmsg_destroy (&msg);
}

static self_t *
s_self_new (zsock_t *pipe, const worker_config_t *config)
{
    self_t *self = bsw_calloc (1, sizeof *self);
    self->pipe = pipe;
    self->endpoint = bsw_strdup (config->broker);
    self->broker_key = config->broker_key ? bsw_strdup (config->broker_key) : NULL;
    self->key = config->key ? bsw_strdup (config->key) : NULL;
    self->threads = config->threads ? config->threads : (size_t) sysconf (_SC_NPROCESSORS_ONLN);
    if (self->threads < 1)
        self->threads = 1;
    self->lanes = config->lanes;
    self->job_points = config->lanes > 4 ? config->lanes : 4;
    self->heartbeat_ms = config->heartbeat_ms > 0 ? config->heartbeat_ms : 1000;
    self->stop_grace_ms = config->stop_grace_ms > 0 ? config->stop_grace_ms : 30000;
    self->backoff_ms = self->heartbeat_ms;
    self->deflate = config->deflate;
    if (config->name)
        snprintf (self->name, sizeof self->name, "%s", config->name);
    else {
        char host[100] = "worker";
        gethostname (host, sizeof host - 1);
        snprintf (self->name, sizeof self->name, "%s:%d", host, (int) getpid ());
    }
    self->poller = zpoller_new (pipe, NULL);
    zpoller_set_nonstop (self->poller, true);
    self->compute = bsw_calloc (self->threads, sizeof (zactor_t *));
    self->running = bsw_calloc (self->threads, sizeof (worker_job_t *));
    self->started = bsw_calloc (self->threads, sizeof (double));
    for (size_t t = 0; t < self->threads; t++) {
        self->compute[t] = zactor_new (s_compute_actor, NULL);
        zpoller_add (self->poller, self->compute[t]);
    }
    self->queue = zlistx_new ();
    zlistx_set_destructor (self->queue, s_job_free);
    self->sweeps = zhashx_new ();
    zhashx_set_destructor (self->sweeps, s_sweep_free);
    self->outbox = worker_outbox_new ();
    self->outbox_bytes = config->outbox_bytes ? config->outbox_bytes : S_OUTBOX_BYTES;
    return self;
}

static void
s_self_destroy (self_t **self_p)
{
    self_t *self = *self_p;
    for (size_t t = 0; t < self->threads; t++) {
        if (self->running[t])
            atomic_store (&self->running[t]->cancel, 1);
        zactor_destroy (&self->compute[t]);
        worker_job_destroy (&self->running[t]);
    }
    free (self->compute);
    free (self->running);
    free (self->started);
    zlistx_destroy (&self->queue);
    worker_outbox_destroy (&self->outbox);
    zhashx_destroy (&self->sweeps);
    s_close (self);
    zpoller_destroy (&self->poller);
    free (self->endpoint);
    free (self->broker_key);
    free (self->key);
    free (self);
    *self_p = NULL;
}

/*  Heartbeats, broker liveness, reconnects, and the end of a STOP. */
static void
s_tick (self_t *self)
{
    int64_t now = bsw_clock_mono_ms ();
    if (!self->dealer) {
        if (now >= self->reconnect_at)
            s_connect (self);
        return;
    }
    if (now >= self->broker_expiry) {
        s_disconnect (self, "no heartbeat");
        return;
    }
    if (self->resend_at && now >= self->resend_at) {
        self->resend_at = 0;
        worker_outbox_send (self->outbox, self->dealer, true);
    }
    if (now >= self->heartbeat_at) {
        proto_msg_t *hb = proto_msg_new (PROTO_HEARTBEAT);
        s_send (self, &hb);
    }
}

void
worker_actor (zsock_t *pipe, void *args)
{
    self_t *self = s_self_new (pipe, (const worker_config_t *) args);
    s_connect (self);
    zsock_signal (pipe, 0);
    char lanes[32] = "automatic";
    if (self->lanes)
        snprintf (lanes, sizeof lanes, "%zu", self->lanes);
    zsys_info ("worker=%s started: %zu threads, lanes %s, broker %s", self->name, self->threads,
               lanes, self->endpoint);
    bool stop_signalled = false;
    while (!self->terminated) {
        int64_t now = bsw_clock_mono_ms ();
        int64_t next = self->dealer ? self->heartbeat_at : self->reconnect_at;
        int timeout = (int) (next > now ? next - now : 0);
        if (timeout > self->heartbeat_ms)
            timeout = self->heartbeat_ms;
        void *which = zpoller_wait (self->poller, timeout);
        if (which == pipe)
            s_handle_pipe (self);
        else if (which && which == self->dealer)
            s_handle_broker (self);
        else if (which && which == proto_curve_watch_sock (self->watch)) {
            bsw_error_t err;
            if (proto_curve_watch_read (self->watch, self->endpoint, &err)) {
                zsys_error ("worker=%s %s", self->name, err.text);
                self->backoff_ms = S_BACKOFF_MAX_MS;
                s_disconnect (self, "handshake refused");
            }
        } else if (which)
            for (size_t t = 0; t < self->threads; t++)
                if (which == self->compute[t])
                    s_handle_compute (self, t);
        s_tick (self);
        if (self->stopping && !stop_signalled) {
            bool drained = s_idle (self) && worker_outbox_points (self->outbox) == 0;
            if (drained || bsw_clock_mono_ms () >= self->stop_deadline) {
                if (!drained)
                    s_hand_back (self, true);
                zsys_info ("worker=%s stopped%s", self->name,
                           drained ? "" : " (grace period over; points handed back)");
                zsock_signal (pipe, 0);
                stop_signalled = true;
            }
        }
    }
    if (!stop_signalled && self->dealer)
        s_hand_back (self, true);
    s_self_destroy (&self);
}
