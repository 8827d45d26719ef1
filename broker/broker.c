/*  broker.c - the broker actor: its loop, the messages of workers
    (registry in broker_workers.c), dispatch by credit, and durable
    results; clients' requests are answered by broker_client.c, sweeps'
    lives kept by broker_sweep.c, export zips built by broker_exporter.c.

    The loop follows CZMQ's zbeacon shape: a poller over the pipe, the
    ROUTER and any export actors, waking at least once per heartbeat for
    the periodic chores (heartbeats out, silent workers purged, sweep
    rates).

    Results are committed in groups: after the first RESULT the loop drains
    whatever else is already waiting (up to S_DRAIN messages), then commits
    every pending result in one transaction and only then sends the ACKs.
    One fsync of the WAL then covers many results.
*/
#include "broker.h"
#include "broker_auth.h"
#include "broker_client.h"
#include "broker_db.h"
#include "broker_exporter.h"
#include "broker_results.h"
#include "broker_sweep.h"
#include "broker_workers.h"

#include "bsw_assert.h"
#include "bsw_util.h"
#include "proto.h"

#include <inttypes.h>
#include <stdarg.h>

#define S_DRAIN           256   /* messages read before a group commit */
#define S_MAX_WORK_POINTS 65536 /* points in one WORK message */
//  Points one worker session may hold (leased or asked for): as many as a
//  worker asks for per compute thread at most (worker.c's S_IN_HAND_MAX,
//  twice), and never more than one CREDIT may ask for. A session that
//  claims many threads still cannot take a whole sweep of millions.
#define S_CREDIT_PER_THREAD 2048
#define S_CREDIT_MAX        65536
#define S_SNDHWM            1000  /* messages queued to one peer: a burst of ACKs and WORKs fits */
#define S_RCVHWM            64    /* messages queued from one peer */
#define S_FRAME_HEADROOM    65536 /* bytes a frame may exceed the limit by and be refused */
//  RESULTS replies not yet shown read (broker_receipts.h): 256 MB in all,
//  a receipt kept a minute.
#define S_UNREAD_BUDGET  (256ull << 20)
#define S_UNREAD_HOLD_MS 60000

//  A RESULT waiting for the group commit.
typedef struct {
    proto_msg_t *msg; /* the RESULT, owned */
    //  The sender's name, copied: a HELLO or expiry read in the same drain
    //  may free the worker before the commit.
    char worker[256];
    uint8_t *verdict; /* per point: broker_result_verdict_t */
    size_t fresh;     /* its points to commit (verdict NEW) */
} s_pending_t;

typedef struct {
    zsock_t *pipe;                 /* the actor's pipe */
    zsock_t *router;               /* workers and clients */
    zpoller_t *poller;             /* pipe, router, export actors */
    char *endpoint;                /* what the router bound */
    char *data_dir;                /* durable state folder */
    broker_db_t *db;               /* durable state */
    broker_auth_t *auth;           /* keys and roles (CURVE), or open */
    uint64_t max_message;          /* bytes of one blob frame */
    broker_sweeps_t *sweeps;       /* every sweep */
    broker_workers_t *workers;     /* connected workers and their leases */
    broker_exporters_t *exporters; /* export streams (FETCH) */
    broker_receipts_t *receipts;   /* RESULTS replies not yet shown read */
    broker_refine_t *refine;       /* refinement plans (broker_refine.h) */
    broker_client_t client;        /* what client requests work on (borrows the above) */
    zlistx_t *pending;             /* s_pending_t *, committed in groups */
    int64_t heartbeat_at;          /* mono ms of the next heartbeat */
    broker_stats_t stats;          /* counters since start, for STATS */
    bool terminated;               /* $TERM received */
} broker_t;

//  Routes a reply to the requester, echoing its "req", and sends it; an
//  ERROR is logged and counted by its code.
static void
s_send_reply (broker_t *self, zframe_t *routing_id, const proto_msg_t *request,
              proto_msg_t **reply_p)
{
    proto_msg_t *reply = *reply_p;
    if (request && proto_msg_has (request, "req"))
        proto_msg_set_uint (reply, "req", proto_msg_uint (request, "req"));
    if (proto_msg_type (reply) == PROTO_ERROR) {
        int64_t code = proto_msg_int (reply, "code");
        if (code < 0 && -code < BROKER_STATS_ERROR_CODES)
            self->stats.errors[-code]++;
        zsys_warning ("error %s to %s: %s", bsw_errname ((int) code),
                      request ? proto_type_name (proto_msg_type (request)) : "peer",
                      proto_msg_str (reply, "text"));
    }
    proto_msg_set_routing_id (reply, routing_id);
    proto_msg_send (reply_p, self->router);
}

//  A reply an export stream deferred (broker_exporters_reply_fn).
static void
s_send_deferred (void *arg, zframe_t *routing_id, proto_msg_t **reply_p)
{
    s_send_reply (arg, routing_id, NULL, reply_p);
}

static void s_send_error (broker_t *self, zframe_t *routing_id, const proto_msg_t *request,
                          int code, const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));

static void
s_send_error (broker_t *self, zframe_t *routing_id, const proto_msg_t *request, int code,
              const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (text, sizeof text, fmt, ap);
    va_end (ap);
    proto_msg_t *reply =
        proto_msg_new_error (code, text, request ? (int) proto_msg_type (request) : 0);
    s_send_reply (self, routing_id, request, &reply);
}

//  --------------------------------------------------------------------------
//  Dispatch

//  Adds the sweep's definition to a WORK (the first time a worker gets
//  the sweep). Returns 0, or the database's error.
static int
s_add_definition (broker_t *self, proto_msg_t *msg, const broker_sweep_t *sweep, bsw_error_t *err)
{
    char *spec = NULL, *conn_name = NULL;
    void *conn = NULL;
    size_t conn_size = 0;
    int rc =
        broker_db_sweep_definition (self->db, sweep->id, &spec, &conn, &conn_size, &conn_name, err);
    if (rc)
        return rc;
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
    return 0;
}

//  One WORK of points the sweep just leased; if it cannot be made, the
//  points go back in line.
static void
s_send_work (broker_t *self, broker_worker_t *worker, broker_sweep_t *sweep, const uint64_t *points,
             size_t count)
{
    proto_msg_t *msg = proto_msg_new (PROTO_WORK);
    proto_msg_set_uint (msg, "sweep", sweep->id);
    proto_msg_set_uints (msg, "points", points, count);
    //  So the worker fails a point whose series would not fit, rather
    //  than send a RESULT the broker must refuse.
    proto_msg_set_uint (msg, "max_message", self->max_message);
    bool first = !broker_workers_has_sweep (worker, sweep->id);
    bsw_error_t err;
    if (first && s_add_definition (self, msg, sweep, &err)) {
        zsys_error ("sweep=%" PRIu64 " definition unreadable: %s", sweep->id, err.text);
        proto_msg_destroy (&msg);
        for (size_t k = 0; k < count; k++)
            broker_sweep_unlease (sweep, points[k], true);
        return;
    }
    proto_msg_set_routing_id (msg, worker->routing_id);
    if (proto_msg_send (&msg, self->router)) {
        //  Its queue is full (it does not read) or it is gone: the points
        //  go back in line rather than to a lease nobody will ever end.
        for (size_t k = 0; k < count; k++)
            broker_sweep_unlease (sweep, points[k], true);
        return;
    }
    if (first)
        broker_workers_sent_sweep (worker, sweep->id);
    broker_workers_lease (self->workers, worker, sweep->id, points, count);
}

//  Hands out work to every worker with credit, oldest running sweep first.
static void
s_dispatch (broker_t *self)
{
    uint64_t *points = NULL;
    size_t capacity = 0;
    for (broker_worker_t *worker = broker_workers_first (self->workers); worker;
         worker = broker_workers_next (self->workers)) {
        if (worker->leaving)
            continue;
        for (broker_sweep_t *sweep = broker_sweeps_first (self->sweeps); sweep && worker->credit;
             sweep = broker_sweeps_next (self->sweeps)) {
            size_t want =
                worker->credit < S_MAX_WORK_POINTS ? (size_t) worker->credit : S_MAX_WORK_POINTS;
            if (want > capacity) {
                points = bsw_realloc (points, want * sizeof (uint64_t));
                capacity = want;
            }
            size_t got = broker_sweep_take (sweep, points, want);
            if (got)
                s_send_work (self, worker, sweep, points, got);
        }
    }
    free (points);
}

//  --------------------------------------------------------------------------
//  Results

//  Acknowledges every point of a RESULT (committed, duplicate or refused).
static void
s_send_ack (broker_t *self, const proto_msg_t *msg)
{
    size_t count = 0;
    const uint64_t *points = proto_msg_uints (msg, "points", &count);
    proto_msg_t *ack = proto_msg_new (PROTO_ACK);
    proto_msg_set_uint (ack, "sweep", proto_msg_uint (msg, "sweep"));
    proto_msg_set_uints (ack, "points", points, count);
    proto_msg_set_routing_id (ack, proto_msg_routing_id (msg));
    proto_msg_send (&ack, self->router);
}

static void
s_pending_free (s_pending_t **p_p)
{
    s_pending_t *p = *p_p;
    if (!p)
        return;
    proto_msg_destroy (&p->msg);
    free (p->verdict);
    free (p);
    *p_p = NULL;
}

/*  Checks a RESULT point by point (broker_results.h): one with new points
    waits for the group commit; one without is acknowledged at once. A
    refused point runs again, and the worker is told why. Only the session
    holding a point's lease may deliver its result: any other (a forger,
    or a worker whose lease ended: it went silent, the sweep was
    cancelled, the broker restarted) is acknowledged and not stored, and
    the point keeps its lease or its place in line. */
static void
s_handle_result (broker_t *self, broker_worker_t *worker, proto_msg_t **msg_p)
{
    proto_msg_t *msg = *msg_p;
    zframe_t *rid = proto_msg_routing_id (msg);
    uint64_t sweep_id = proto_msg_uint (msg, "sweep");
    broker_sweep_t *sweep = broker_sweeps_find (self->sweeps, sweep_id);
    if (!sweep) {
        //  Nothing could ever store it: acknowledged, so it is not sent again.
        s_send_error (self, rid, msg, BSW_ENOTFOUND, "RESULT for unknown sweep %" PRIu64, sweep_id);
        s_send_ack (self, msg);
        return;
    }
    size_t count = 0;
    const uint64_t *points = proto_msg_uints (msg, "points", &count);
    s_pending_t *pending = bsw_calloc (1, sizeof *pending);
    pending->verdict = bsw_calloc (count, 1);
    bsw_error_t err;
    bsw_error_clear (&err);
    size_t invalid = broker_results_check (msg, sweep, self->db, pending->verdict, &err);
    size_t unleased = 0;
    for (size_t k = 0; k < count; k++) {
        bool holder = worker && points[k] < sweep->points &&
                      broker_workers_holder (self->workers, sweep_id, points[k]) == worker;
        if (pending->verdict[k] == BROKER_RESULT_DUPLICATE)
            self->stats.results_duplicate++;
        else if (!holder) {
            if (pending->verdict[k] == BROKER_RESULT_NEW)
                unleased++;
            pending->verdict[k] = BROKER_RESULT_UNLEASED;
        } else if (pending->verdict[k] == BROKER_RESULT_NEW)
            pending->fresh++;
        else if (broker_workers_unlease (self->workers, sweep_id, points[k]) &&
                 broker_sweep_unlease (sweep, points[k], true))
            self->stats.points_requeued++;
    }
    self->stats.results_unleased += unleased;
    if (unleased)
        zsys_warning ("worker=%s sent %zu results of sweep %" PRIu64
                      " for points it does not hold; not stored",
                      worker ? worker->name : "(no session)", unleased, sweep_id);
    if (invalid)
        s_send_error (self, rid, msg, err.code ? err.code : BSW_EPROTO,
                      "%s (%zu of %zu points refused; they run again)", err.text, invalid, count);
    if (pending->fresh == 0) {
        s_send_ack (self, msg);
        s_pending_free (&pending);
        return;
    }
    pending->msg = msg;
    snprintf (pending->worker, sizeof pending->worker, "%s", worker ? worker->name : "unknown");
    *msg_p = NULL;
    zlistx_add_end (self->pending, pending);
}

/*  Commits every pending result in one go, then acknowledges them. */
static void
s_commit_pending (broker_t *self)
{
    size_t total = 0;
    for (s_pending_t *p = zlistx_first (self->pending); p; p = zlistx_next (self->pending))
        total += p->fresh;
    if (total == 0)
        return;
    broker_result_t *results = bsw_calloc (total, sizeof (broker_result_t));
    char **metrics = bsw_calloc (total, sizeof (char *));
    bool *stored = bsw_calloc (total, sizeof (bool));
    size_t n = 0;
    for (s_pending_t *p = zlistx_first (self->pending); p; p = zlistx_next (self->pending))
        n += broker_results_rows (p->msg, p->verdict, p->worker, results + n, metrics + n);
    BSW_ASSERT (n == total);
    bsw_error_t err;
    bsw_error_clear (&err);
    int rc = broker_db_results_commit (self->db, results, total, stored, &err);
    for (size_t k = 0; rc == 0 && k < total; k++) {
        const broker_result_t *r = &results[k];
        if (stored[k])
            self->stats.results_committed++;
        else
            self->stats.results_duplicate++;
        broker_sweep_t *sweep = broker_sweeps_find (self->sweeps, r->sweep);
        if (broker_workers_unlease (self->workers, r->sweep, r->point) && sweep)
            broker_sweep_unlease (sweep, r->point, false);
        if (stored[k] && sweep && broker_sweep_record (sweep, self->db, r->point, r->ok) && !r->ok)
            zsys_warning ("sweep=%" PRIu64 " point=%" PRIu64 " failed: %s", r->sweep, r->point,
                          r->error ? r->error : "?");
    }
    s_pending_t *p;
    while ((p = zlistx_first (self->pending))) {
        zlistx_detach_cur (self->pending);
        if (rc)
            //  Not committed: no ACK. The worker keeps the results and
            //  sends them again; tell it why.
            s_send_error (self, proto_msg_routing_id (p->msg), p->msg, rc, "result not stored: %s",
                          err.text);
        else
            s_send_ack (self, p->msg);
        s_pending_free (&p);
    }
    for (size_t k = 0; k < total; k++)
        free (metrics[k]);
    free (results);
    free (metrics);
    free (stored);
}

//  --------------------------------------------------------------------------
//  Messages

static void
s_handle_worker_msg (broker_t *self, proto_msg_t **msg_p)
{
    proto_msg_t *msg = *msg_p;
    zframe_t *rid = proto_msg_routing_id (msg);
    proto_type_t type = proto_msg_type (msg);
    if (type == PROTO_HELLO) {
        broker_workers_hello (self->workers, self->sweeps, rid, proto_msg_str (msg, "worker"),
                              proto_msg_uint (msg, "threads"),
                              proto_msg_has (msg, "host") ? proto_msg_str (msg, "host") : NULL);
        return;
    }
    broker_worker_t *worker = broker_workers_lookup (self->workers, rid);
    if (worker)
        broker_workers_alive (self->workers, worker);
    if (type == PROTO_RESULT) {
        //  Answered even without a session (a worker of a previous broker
        //  run): acknowledged, and stored only for the lease holder.
        s_handle_result (self, worker, msg_p);
        return;
    }
    if (!worker) {
        s_send_error (self, rid, msg, BSW_ESTATE, "unknown worker session: send HELLO");
        return;
    }
    if (type == PROTO_CREDIT && !worker->leaving) {
        //  Capped: credit plus leases held stay within the session's share.
        uint64_t threads = worker->threads ? worker->threads : 1;
        uint64_t cap = threads > S_CREDIT_MAX / S_CREDIT_PER_THREAD ? S_CREDIT_MAX
                                                                    : threads * S_CREDIT_PER_THREAD;
        uint64_t held = broker_workers_held (worker) + worker->credit;
        uint64_t room = cap > held ? cap - held : 0;
        uint64_t asked = proto_msg_uint (msg, "credit");
        worker->credit += asked < room ? asked : room;
    } else if (type == PROTO_BYE) {
        size_t n_sweeps = 0, n_points = 0;
        const uint64_t *sweeps = proto_msg_uints (msg, "sweeps", &n_sweeps);
        const uint64_t *points = proto_msg_uints (msg, "points", &n_points);
        broker_workers_bye (self->workers, self->sweeps, worker, sweeps, points,
                            n_points < n_sweeps ? n_points : n_sweeps);
    }
}

static bool
s_is_worker_type (proto_type_t type)
{
    return type == PROTO_HELLO || type == PROTO_HEARTBEAT || type == PROTO_CREDIT ||
           type == PROTO_RESULT || type == PROTO_BYE;
}

/*  Whether the sender's key may send this message; if not, it is told
    (DENIED) and logged with the key's name, and a worker session of a key
    no longer allowed to be a worker (revoked) ends. */
static bool
s_allowed (broker_t *self, const broker_peer_t *peer, const proto_msg_t *msg)
{
    proto_type_t type = proto_msg_type (msg);
    bool as_worker = s_is_worker_type (type);
    unsigned need = as_worker ? BROKER_ROLE_WORKER : BROKER_ROLE_CLIENT;
    if (peer->roles & need)
        return true;
    zframe_t *rid = proto_msg_routing_id (msg);
    broker_worker_t *worker = broker_workers_lookup (self->workers, rid);
    if (worker)
        broker_workers_remove (self->workers, self->sweeps, worker,
                               "lost its key's worker role (revoked)");
    //  s_send_error logs it, with the key's name.
    s_send_error (self, rid, msg, BSW_EDENIED, "this key (%s, %s) may not send %s: %s", peer->name,
                  broker_auth_roles_name (peer->roles), proto_type_name (type),
                  peer->roles == 0 ? "it is no longer allowed"
                  : as_worker      ? "it is not a worker's key"
                                   : "it is not a client's key");
    return false;
}

/*  A RESULT whose series is over --max-message (a worker that did not
    know the limit): the same points as failed, saying why, to be judged
    and committed as any RESULT. Refused and sent again, or left unanswered,
    it would hold its points' leases, and the sweep would run for ever. */
static proto_msg_t *
s_result_too_big (proto_msg_t **over_p, const char *why)
{
    proto_msg_t *over = *over_p;
    size_t count = 0;
    const uint64_t *points = proto_msg_uints (over, "points", &count);
    char text[BSW_ERROR_TEXT_MAX + 128];
    snprintf (text, sizeof text,
              "its result was not stored: %s (the broker's --max-message); run it again "
              "after raising it",
              why);
    const char **statuses = bsw_calloc (count, sizeof (char *));
    const char **errors = bsw_calloc (count, sizeof (char *));
    for (size_t k = 0; k < count; k++) {
        statuses[k] = "failed";
        errors[k] = text;
    }
    proto_msg_t *failed = proto_msg_new (PROTO_RESULT);
    proto_msg_set_uint (failed, "sweep", proto_msg_uint (over, "sweep"));
    proto_msg_set_uints (failed, "points", points, count);
    proto_msg_set_strs (failed, "statuses", statuses, count);
    proto_msg_set_strs (failed, "errors", errors, count);
    proto_msg_set_routing_id (failed, proto_msg_routing_id (over));
    free (statuses);
    free (errors);
    zsys_warning ("sweep=%" PRIu64 ": a RESULT of %zu points failed: %s",
                  proto_msg_uint (over, "sweep"), count, why);
    proto_msg_destroy (over_p);
    return failed;
}

static void
s_handle_router (broker_t *self)
{
    char user_id[PROTO_USER_ID_SIZE];
    proto_msg_t *msg = NULL;
    zframe_t *routing_id = NULL;
    bsw_error_t err;
    bsw_error_clear (&err);
    //  Frame by frame, within the protocol's count (proto.h).
    proto_msg_t *over = NULL;
    if (proto_msg_recv_over (self->router, self->max_message, &msg, &routing_id, &over, user_id,
                             &err)) {
        if (over && proto_msg_type (over) == PROTO_RESULT)
            msg = s_result_too_big (&over, err.text);
        else if (over)
            s_send_error (self, proto_msg_routing_id (over), over, err.code, "%s", err.text);
        else if (routing_id)
            s_send_error (self, routing_id, NULL, err.code, "%s", err.text);
        proto_msg_destroy (&over);
        zframe_destroy (&routing_id);
        if (!msg)
            return;
    }
    //  The sender's key, as zauth gave its connection.
    broker_peer_t peer;
    broker_auth_peer (self->auth, user_id, &peer);
    if (!s_allowed (self, &peer, msg))
        ;
    else if (s_is_worker_type (proto_msg_type (msg)))
        s_handle_worker_msg (self, &msg);
    else {
        //  A client's request, or a type the broker does not serve (the
        //  answer says so).
        broker_client_peer_t client = {.key = peer.key[0] ? peer.key : NULL,
                                       .all_sweeps = !broker_auth_enabled (self->auth) ||
                                                     (peer.roles & BROKER_ROLE_ADMIN)};
        proto_msg_t *reply = broker_client_answer (&self->client, msg, &client);
        if (reply)
            s_send_reply (self, proto_msg_routing_id (msg), msg, &reply);
    }
    proto_msg_destroy (&msg);
}

//  Heartbeats out, silent workers purged, sweep rates updated.
static void
s_tick (broker_t *self)
{
    int64_t now = bsw_clock_mono_ms ();
    broker_auth_poll (self->auth, now);
    self->heartbeat_at = broker_workers_tick (self->workers, self->sweeps, now);
    broker_exporters_tick (self->exporters, now);
    broker_receipts_tick (self->receipts, now);
    for (broker_sweep_t *s = broker_sweeps_first (self->sweeps); s;
         s = broker_sweeps_next (self->sweeps))
        broker_sweep_tick (s, now);
    //  A refinement's next level once its newest one has ended.
    broker_refine_tick (self->refine);
}

//  --------------------------------------------------------------------------
//  The actor

static broker_t *
s_broker_new (zsock_t *pipe, const broker_config_t *config, bsw_error_t *err)
{
    broker_t *self = bsw_calloc (1, sizeof *self);
    self->pipe = pipe;
    self->stats.started = bsw_clock_mono_ms ();
    int heartbeat_ms = config->heartbeat_ms > 0 ? config->heartbeat_ms : 1000;
    self->max_message = config->max_message ? config->max_message : BROKER_DEFAULT_MAX_MESSAGE;
    self->data_dir = bsw_strdup (config->data_dir);
    self->pending = zlistx_new ();
    self->poller = zpoller_new (pipe, NULL);
    zpoller_set_nonstop (self->poller, true);
    self->router = zsock_new (ZMQ_ROUTER);
    //  Bounded queues (they were unlimited): a peer that never reads
    //  holds at most S_SNDHWM messages in the broker. Not fewer: one group
    //  commit ACKs up to S_DRAIN results of one worker at once, and with
    //  16 the export tests' workers lost WORKs and DROPs in such bursts.
    //  Beyond them a send fails at once (never
    //  blocks: mandatory routing with a zero send timeout; a WORK that
    //  fails goes back in line, anything else is dropped: the worker
    //  resends a result that gets no ACK, a client asks again), and a
    //  peer that floods is held back by TCP after S_RCVHWM. No frame may
    //  be larger than a blob of --max-message, or frame 0, plus headroom:
    //  libzmq drops the connection of a peer sending one, before the
    //  broker reads a byte of it.
    zsock_set_router_mandatory (self->router, 1);
    zsock_set_sndtimeo (self->router, 0);
    zsock_set_sndhwm (self->router, S_SNDHWM);
    zsock_set_rcvhwm (self->router, S_RCVHWM);
    uint64_t frame_max =
        self->max_message > PROTO_MAX_HEADER_BYTES ? self->max_message : PROTO_MAX_HEADER_BYTES;
    zmq_setsockopt (zsock_resolve (self->router), ZMQ_MAXMSGSIZE,
                    &(int64_t){(int64_t) (frame_max + S_FRAME_HEADROOM)}, sizeof (int64_t));
    zsock_set_linger (self->router, 0);
    self->workers = broker_workers_new (self->router, heartbeat_ms, &self->stats);
    self->exporters = broker_exporters_new (self->data_dir, self->poller, s_send_deferred, self);
    self->receipts = broker_receipts_new (S_UNREAD_BUDGET, S_UNREAD_HOLD_MS);
    uint64_t resumed = 0;
    if (!config->key && !config->insecure && !broker_endpoint_is_local (config->bind)) {
        bsw_error_set (err, BSW_EINVAL,
                       "refusing to bind %s without CurveZMQ: anyone who reaches it could submit, "
                       "read and forge results. Give --key, --allow-workers and --allow-clients "
                       "(see brainsweep keygen), bind a loopback address, or accept the risk "
                       "with --insecure",
                       config->bind);
        return self;
    }
    broker_auth_config_t auth = {.key = config->key,
                                 .allow_workers = config->allow_workers,
                                 .allow_clients = config->allow_clients,
                                 .allow_admins = config->allow_admins};
    if (broker_db_open (&self->db, config->data_dir, err) ||
        broker_sweeps_load (&self->sweeps, self->db, &resumed, err) ||
        broker_refine_new (&self->refine, self->db, self->sweeps,
                           config->max_points ? config->max_points : BROKER_DEFAULT_MAX_POINTS,
                           err) ||
        broker_auth_new (&self->auth, &auth, config->data_dir, err))
        return self;
    broker_auth_apply (self->auth, self->router);
    self->client = (broker_client_t){
        .db = self->db,
        .sweeps = self->sweeps,
        .workers = self->workers,
        .stats = &self->stats,
        .exporters = self->exporters,
        .max_points = config->max_points ? config->max_points : BROKER_DEFAULT_MAX_POINTS,
        .receipts = self->receipts,
        .refine = self->refine,
    };
    if (zsock_bind (self->router, "%s", config->bind) == -1) {
        bsw_error_set (err, BSW_EIO, "cannot bind %s: %s", config->bind,
                       zmq_strerror (zmq_errno ()));
        return self;
    }
    self->endpoint = bsw_strdup (zsock_endpoint (self->router));
    zpoller_add (self->poller, self->router);
    if (!config->key && !broker_endpoint_is_local (config->bind))
        zsys_warning ("INSECURE: %s is served without CurveZMQ (--insecure): anyone who reaches "
                      "it can submit, cancel and read every sweep and forge results, and anyone "
                      "on the path can read them",
                      self->endpoint);
    zsys_info ("broker listening on %s, data in %s: %zu sweeps, %" PRIu64 " resumed",
               self->endpoint, self->data_dir, broker_sweeps_size (self->sweeps), resumed);
    return self;
}

static void
s_broker_destroy (broker_t **self_p)
{
    broker_t *self = *self_p;
    if (!self)
        return;
    s_pending_t *p;
    while ((p = zlistx_first (self->pending))) {
        zlistx_detach_cur (self->pending);
        s_pending_free (&p);
    }
    zlistx_destroy (&self->pending);
    //  Before the poller, which their actors leave.
    broker_exporters_destroy (&self->exporters);
    broker_receipts_destroy (&self->receipts);
    broker_refine_destroy (&self->refine);
    broker_sweeps_destroy (&self->sweeps);
    broker_workers_destroy (&self->workers);
    zpoller_destroy (&self->poller);
    zsock_destroy (&self->router);
    broker_auth_destroy (&self->auth);
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
    else if (streq (command, "RELOAD")) {
        bool changed = false;
        bsw_error_t err;
        bsw_error_clear (&err);
        if (broker_auth_reload (self->auth, &changed, &err))
            zsys_error ("keys not reloaded (the keys in force stay): %s", err.text);
        else if (!changed)
            zsys_info ("keys reloaded: no change");
        zstr_send (self->pipe, err.code ? err.text : "OK");
    }
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
    s_tick (self);
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
        } else if (which && broker_exporters_owns (self->exporters, which))
            broker_exporters_handle (self->exporters, which);
        s_tick (self);
        s_dispatch (self);
    }
    s_commit_pending (self);
    zsys_info ("broker stopped");
    s_broker_destroy (&self);
}

bool
broker_endpoint_is_local (const char *endpoint)
{
    if (!endpoint)
        return false;
    if (strncmp (endpoint, "inproc://", 9) == 0 || strncmp (endpoint, "ipc://", 6) == 0)
        return true;
    if (strncmp (endpoint, "tcp://", 6) != 0)
        return false;
    const char *host = endpoint + 6;
    //  The host part ends at the port's colon (IPv6 addresses are in [ ]).
    size_t n = host[0] == '[' ? strcspn (host, "]") + 1 : strcspn (host, ":");
    if (n == 0)
        return false;
    char h[64];
    if (n >= sizeof h)
        return false;
    memcpy (h, host, n);
    h[n] = '\0';
    if (streq (h, "localhost") || streq (h, "[::1]") || streq (h, "lo"))
        return true;
    unsigned a, b, c, d;
    char extra;
    return sscanf (h, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) == 4 && a == 127 && b < 256 &&
           c < 256 && d < 256;
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
