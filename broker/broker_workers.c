/*  broker_workers.c - the broker's worker registry (broker_workers.h).

    Lease keys are "sweep:point" strings in two CZMQ hashes; a lease costs
    about a hundred bytes, and a broker holds at most the workers' credit
    of them (a few times the compute threads connected), so a denser
    encoding would not pay for itself.
*/
#include "broker_workers.h"

#include "bsw_assert.h"
#include "bsw_util.h"
#include "proto.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct broker_workers_t {
    zsock_t *router;       /* borrowed: where HEARTBEAT and DROP go */
    broker_stats_t *stats; /* borrowed: the broker's counters */
    int heartbeat_ms;      /* interval of our heartbeats, ms */
    zhashx_t *workers;     /* key -> broker_worker_t, owned */
    zhashx_t *leases;      /* "sweep:point" -> broker_worker_t * (borrowed) */
    int64_t heartbeat_at;  /* mono ms of the next heartbeat */
};

static void
s_lease_key (uint64_t sweep, uint64_t point, char key[64])
{
    snprintf (key, 64, "%" PRIu64 ":%" PRIu64, sweep, point);
}

static bool
s_lease_parse (const char *key, uint64_t *sweep, uint64_t *point)
{
    return sscanf (key, "%" SCNu64 ":%" SCNu64, sweep, point) == 2;
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

broker_workers_t *
broker_workers_new (zsock_t *router, int heartbeat_ms, broker_stats_t *stats)
{
    BSW_ASSERT (router);
    BSW_ASSERT (stats);
    BSW_ASSERT (heartbeat_ms > 0);
    broker_workers_t *self = bsw_calloc (1, sizeof *self);
    self->router = router;
    self->stats = stats;
    self->heartbeat_ms = heartbeat_ms;
    self->workers = zhashx_new ();
    zhashx_set_destructor (self->workers, s_worker_free);
    self->leases = zhashx_new ();
    self->heartbeat_at = bsw_clock_mono_ms () + heartbeat_ms;
    return self;
}

void
broker_workers_destroy (broker_workers_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_workers_t *self = *self_p;
    zhashx_destroy (&self->leases);
    zhashx_destroy (&self->workers);
    free (self);
    *self_p = NULL;
}

//  The worker is gone: its leased points go back to their sweeps' queues.
static void
s_remove (broker_workers_t *self, broker_sweeps_t *sweeps, broker_worker_t *worker, const char *why)
{
    size_t requeued = 0;
    for (void *item = zhashx_first (worker->leases); item; item = zhashx_next (worker->leases)) {
        const char *key = zhashx_cursor (worker->leases);
        uint64_t sweep_id, point;
        if (!s_lease_parse (key, &sweep_id, &point))
            continue;
        broker_sweep_t *sweep = broker_sweeps_find (sweeps, sweep_id);
        if (sweep && broker_sweep_unlease (sweep, point, true)) {
            self->stats->points_requeued++;
            requeued++;
        }
        zhashx_delete (self->leases, key);
    }
    zsys_info ("worker=%s %s; %zu points requeued", worker->name, why, requeued);
    zhashx_delete (self->workers, worker->key);
}

broker_worker_t *
broker_workers_hello (broker_workers_t *self, broker_sweeps_t *sweeps, zframe_t *routing_id,
                      const char *name, uint64_t threads, const char *host)
{
    BSW_ASSERT (self);
    broker_worker_t *old = broker_workers_lookup (self, routing_id);
    if (old)
        s_remove (self, sweeps, old, "said HELLO again");
    broker_worker_t *worker = bsw_calloc (1, sizeof *worker);
    worker->key = zframe_strhex (routing_id);
    worker->routing_id = zframe_dup (routing_id);
    //  The name and host go to the log (and name the worker in every line
    //  about it): escaped, so a peer cannot forge lines or drive a terminal.
    //  Cut to fit at a character's boundary (escaped text is valid UTF-8).
    char *shown = bsw_text_escape (name);
    size_t keep = 0, step;
    uint32_t cp;
    while (shown[keep] && (step = bsw_utf8_next (shown + keep, &cp)) > 0 &&
           keep + step < sizeof worker->name)
        keep += step;
    memcpy (worker->name, shown, keep);
    worker->name[keep] = '\0';
    free (shown);
    worker->threads = threads;
    worker->leases = zhashx_new ();
    worker->sweeps_sent = zhashx_new ();
    broker_workers_alive (self, worker);
    zhashx_insert (self->workers, worker->key, worker);
    self->stats->workers_joined++;
    char *host_shown = bsw_text_escape (host ? host : "?");
    zsys_info ("worker=%s joined (%" PRIu64 " threads, host %s)", worker->name, threads,
               host_shown);
    free (host_shown);
    return worker;
}

broker_worker_t *
broker_workers_lookup (broker_workers_t *self, zframe_t *routing_id)
{
    BSW_ASSERT (self);
    char *key = zframe_strhex (routing_id);
    broker_worker_t *worker = zhashx_lookup (self->workers, key);
    free (key);
    return worker;
}

void
broker_workers_alive (broker_workers_t *self, broker_worker_t *worker)
{
    BSW_ASSERT (self && worker);
    worker->expiry = bsw_clock_mono_ms () + (int64_t) self->heartbeat_ms * BROKER_WORKERS_LIVENESS;
}

int64_t
broker_workers_tick (broker_workers_t *self, broker_sweeps_t *sweeps, int64_t now)
{
    BSW_ASSERT (self);
    //  Collected first: removing while iterating would break the cursor.
    zlistx_t *gone = zlistx_new ();
    for (broker_worker_t *w = zhashx_first (self->workers); w; w = zhashx_next (self->workers))
        if (now >= w->expiry)
            zlistx_add_end (gone, w);
    for (broker_worker_t *w = zlistx_first (gone); w; w = zlistx_next (gone)) {
        if (w->leaving)
            self->stats->workers_left++;
        else
            self->stats->workers_lost++;
        s_remove (self, sweeps, w, w->leaving ? "left" : "went silent");
    }
    zlistx_destroy (&gone);
    if (now >= self->heartbeat_at) {
        for (broker_worker_t *w = zhashx_first (self->workers); w;
             w = zhashx_next (self->workers)) {
            proto_msg_t *hb = proto_msg_new (PROTO_HEARTBEAT);
            proto_msg_set_routing_id (hb, w->routing_id);
            proto_msg_send (&hb, self->router);
        }
        self->heartbeat_at = now + self->heartbeat_ms;
    }
    return self->heartbeat_at;
}

void
broker_workers_lease (broker_workers_t *self, broker_worker_t *worker, uint64_t sweep_id,
                      const uint64_t *points, size_t count)
{
    BSW_ASSERT (self && worker);
    BSW_ASSERT (count <= worker->credit);
    for (size_t k = 0; k < count; k++) {
        char key[64];
        s_lease_key (sweep_id, points[k], key);
        zhashx_update (self->leases, key, worker);
        zhashx_update (worker->leases, key, (void *) 1);
    }
    worker->credit -= count;
}

bool
broker_workers_unlease (broker_workers_t *self, uint64_t sweep_id, uint64_t point)
{
    BSW_ASSERT (self);
    char key[64];
    s_lease_key (sweep_id, point, key);
    broker_worker_t *holder = zhashx_lookup (self->leases, key);
    if (!holder)
        return false;
    zhashx_delete (self->leases, key);
    zhashx_delete (holder->leases, key);
    return true;
}

broker_worker_t *
broker_workers_holder (broker_workers_t *self, uint64_t sweep_id, uint64_t point)
{
    BSW_ASSERT (self);
    char key[64];
    s_lease_key (sweep_id, point, key);
    return zhashx_lookup (self->leases, key);
}

size_t
broker_workers_held (const broker_worker_t *worker)
{
    BSW_ASSERT (worker);
    return zhashx_size (worker->leases);
}

void
broker_workers_remove (broker_workers_t *self, broker_sweeps_t *sweeps, broker_worker_t *worker,
                       const char *why)
{
    BSW_ASSERT (self && worker);
    self->stats->workers_lost++;
    s_remove (self, sweeps, worker, why);
}

void
broker_workers_bye (broker_workers_t *self, broker_sweeps_t *sweeps, broker_worker_t *worker,
                    const uint64_t *sweep_ids, const uint64_t *points, size_t count)
{
    BSW_ASSERT (self && worker);
    for (size_t k = 0; k < count; k++) {
        char key[64];
        s_lease_key (sweep_ids[k], points[k], key);
        //  Only points it really holds: a BYE cannot take another's lease.
        if (zhashx_lookup (self->leases, key) != worker)
            continue;
        broker_workers_unlease (self, sweep_ids[k], points[k]);
        broker_sweep_t *sweep = broker_sweeps_find (sweeps, sweep_ids[k]);
        if (sweep && broker_sweep_unlease (sweep, points[k], true))
            self->stats->points_requeued++;
    }
    worker->leaving = true;
    worker->credit = 0;
    zsys_info ("worker=%s leaving; handed back %zu points", worker->name, count);
}

void
broker_workers_release (broker_workers_t *self, uint64_t sweep_id)
{
    BSW_ASSERT (self);
    for (broker_worker_t *w = zhashx_first (self->workers); w; w = zhashx_next (self->workers)) {
        bool held = false;
        zlistx_t *keys = zhashx_keys (w->leases);
        for (const char *key = zlistx_first (keys); key; key = zlistx_next (keys)) {
            uint64_t sweep, point;
            if (s_lease_parse (key, &sweep, &point) && sweep == sweep_id) {
                zhashx_delete (self->leases, key);
                zhashx_delete (w->leases, key);
                held = true;
            }
        }
        zlistx_destroy (&keys);
        if (!held)
            continue;
        char sweep_key[32];
        snprintf (sweep_key, sizeof sweep_key, "%" PRIu64, sweep_id);
        zhashx_delete (w->sweeps_sent, sweep_key);
        proto_msg_t *msg = proto_msg_new (PROTO_DROP);
        proto_msg_set_uint (msg, "sweep", sweep_id);
        proto_msg_set_routing_id (msg, w->routing_id);
        proto_msg_send (&msg, self->router);
    }
}

bool
broker_workers_has_sweep (const broker_worker_t *worker, uint64_t sweep_id)
{
    char key[32];
    snprintf (key, sizeof key, "%" PRIu64, sweep_id);
    return zhashx_lookup (worker->sweeps_sent, key) != NULL;
}

void
broker_workers_sent_sweep (broker_worker_t *worker, uint64_t sweep_id)
{
    char key[32];
    snprintf (key, sizeof key, "%" PRIu64, sweep_id);
    zhashx_update (worker->sweeps_sent, key, (void *) 1);
}

broker_worker_t *
broker_workers_first (broker_workers_t *self)
{
    BSW_ASSERT (self);
    return zhashx_first (self->workers);
}

broker_worker_t *
broker_workers_next (broker_workers_t *self)
{
    BSW_ASSERT (self);
    return zhashx_next (self->workers);
}

size_t
broker_workers_size (const broker_workers_t *self)
{
    BSW_ASSERT (self);
    return zhashx_size (self->workers);
}
