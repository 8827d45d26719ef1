/*  broker_workers.h - the broker's worker registry: who is connected, how
    much work each asked for, which points each holds (its leases), and
    heartbeats. Internal to broker/.

    Shaped after mdbroker's: workers by routing id; a worker that says
    nothing for BROKER_WORKERS_LIVENESS heartbeats is gone, and its leased
    points go back to their sweeps' queues. Any message from a worker
    counts as a sign of life. Workers are few (one per machine), so the
    purge scans them all; an expiry-ordered list would pay off only with
    thousands.

    Leases are kept twice, per worker (to requeue a lost worker's points)
    and for the whole broker (to find who holds a point when its result
    arrives); both always change together here.

    Single-threaded: the broker's actor thread. Messages to workers
    (HEARTBEAT, DROP) go out on the router socket given at creation.
*/
#ifndef BROKER_WORKERS_H_INCLUDED
#define BROKER_WORKERS_H_INCLUDED

#include "broker_stats.h"
#include "broker_sweep.h"

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#define BROKER_WORKERS_LIVENESS 3 /* heartbeats a worker may miss */

/*  One connected worker. Fields are public for reading; only
    broker_workers.c writes them, but for credit (broker.c's dispatch). */
typedef struct {
    char *key;             /* routing id as hex */
    zframe_t *routing_id;  /* where its messages go */
    char name[256];        /* as it said in HELLO */
    uint64_t threads;      /* compute threads it has */
    uint64_t credit;       /* points it asked for and has not been sent */
    int64_t expiry;        /* mono ms after which it is gone */
    bool leaving;          /* said BYE: no new work */
    zhashx_t *leases;      /* "sweep:point" -> 1 (keys only) */
    zhashx_t *sweeps_sent; /* "sweep" keys whose definition it has */
} broker_worker_t;

typedef struct broker_workers_t broker_workers_t;

/*  A registry that sends on router and counts workers joined, lost and
    left and points requeued in *stats (both borrowed). */
broker_workers_t *broker_workers_new (zsock_t *router, int heartbeat_ms, broker_stats_t *stats);
void broker_workers_destroy (broker_workers_t **self_p);

/*  A worker said HELLO: registered (a session of the same routing id is
    replaced, its points requeued). Returns it, borrowed. */
broker_worker_t *broker_workers_hello (broker_workers_t *self, broker_sweeps_t *sweeps,
                                       zframe_t *routing_id, const char *name, uint64_t threads,
                                       const char *host);

/*  The worker of a routing id, or NULL. Borrowed. */
broker_worker_t *broker_workers_lookup (broker_workers_t *self, zframe_t *routing_id);

/*  A sign of life: its expiry moves a liveness span ahead. */
void broker_workers_alive (broker_workers_t *self, broker_worker_t *worker);

/*  Removes the workers whose expiry has passed (now: mono ms), their
    points back to their sweeps' queues, and sends heartbeats when one is
    due. Returns the mono ms of the next heartbeat. */
int64_t broker_workers_tick (broker_workers_t *self, broker_sweeps_t *sweeps, int64_t now);

/*  Records that worker now holds these points of sweep_id (just sent in
    one WORK) and takes them off its credit. */
void broker_workers_lease (broker_workers_t *self, broker_worker_t *worker, uint64_t sweep_id,
                           const uint64_t *points, size_t count);

/*  Ends the lease of a point whose result is committed, if any worker
    held it. Returns whether one did. */
bool broker_workers_unlease (broker_workers_t *self, uint64_t sweep_id, uint64_t point);

/*  The worker holding a point's lease, or NULL. */
broker_worker_t *broker_workers_holder (broker_workers_t *self, uint64_t sweep_id, uint64_t point);

/*  Points a worker holds now. */
size_t broker_workers_held (const broker_worker_t *worker);

/*  Ends a worker's session at once (its key was revoked): its points go
    back in line. */
void broker_workers_remove (broker_workers_t *self, broker_sweeps_t *sweeps,
                            broker_worker_t *worker, const char *why);

/*  A worker said BYE: the points it hands back (pairs sweeps[k],
    points[k]) that it really held go back in line, and it gets no more
    work. */
void broker_workers_bye (broker_workers_t *self, broker_sweeps_t *sweeps, broker_worker_t *worker,
                         const uint64_t *sweep_ids, const uint64_t *points, size_t count);

/*  A sweep was cancelled: every lease of it is forgotten, and each worker
    that held one gets a DROP (it forgets the sweep, so the definition is
    sent again with its next WORK of it). */
void broker_workers_release (broker_workers_t *self, uint64_t sweep_id);

/*  Whether worker already has sweep_id's definition; mark it as sent. */
bool broker_workers_has_sweep (const broker_worker_t *worker, uint64_t sweep_id);
void broker_workers_sent_sweep (broker_worker_t *worker, uint64_t sweep_id);

/*  Iteration over the workers (any order); NULL at the end. */
broker_worker_t *broker_workers_first (broker_workers_t *self);
broker_worker_t *broker_workers_next (broker_workers_t *self);

size_t broker_workers_size (const broker_workers_t *self);

#endif
