/*  worker_outbox.h - the results a worker has sent and the broker has not
    yet acknowledged. Internal to worker/.

    A RESULT carries a batch of points (one job's); the broker's ACK names
    points, usually all of one batch. A batch stays until every one of its
    points is acknowledged, so nothing computed is lost while the broker
    is away, restarting, or refusing results (a full disk): after a
    reconnect every batch goes again (the broker stores a duplicate once);
    after a refusal one batch goes again as a probe, and the rest once it
    is acknowledged (worker.c).

    The worker counts these points and bytes against what it asks for, so
    a broker that cannot keep up stops getting work rather than a growing
    pile of results.

    Single-threaded: the worker's actor thread.
*/
#ifndef WORKER_OUTBOX_H_INCLUDED
#define WORKER_OUTBOX_H_INCLUDED

#include "proto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct worker_outbox_t worker_outbox_t;

worker_outbox_t *worker_outbox_new (void);
void worker_outbox_destroy (worker_outbox_t **self_p);

/*  Takes a RESULT (sets *msg_p NULL); keeps it until its points are
    acknowledged. A point already waiting in another batch is acknowledged
    by the same ACK, whichever batch the broker stored. */
void worker_outbox_add (worker_outbox_t *self, proto_msg_t **msg_p);

/*  The broker committed these points of sweep: their batches shrink, and
    a batch with no point left goes. Unknown points are ignored. */
void worker_outbox_ack (worker_outbox_t *self, uint64_t sweep, const uint64_t *points,
                        size_t count);

/*  Sends the kept batches on dealer, oldest first: all of them, or only
    the oldest (`probe`). Returns how many were sent. */
size_t worker_outbox_send (worker_outbox_t *self, zsock_t *dealer, bool probe);

/*  How many more points to ask the broker for: none while the kept
    series exceed `budget` bytes, else what brings in_hand (points queued,
    running or promised) plus the points kept here up to `want`. */
size_t worker_outbox_credit (const worker_outbox_t *self, size_t in_hand, size_t want,
                             size_t budget);

size_t worker_outbox_points (const worker_outbox_t *self); /* points not acknowledged */
size_t worker_outbox_bytes (const worker_outbox_t *self);  /* their series' bytes */
size_t worker_outbox_batches (const worker_outbox_t *self);

#endif
