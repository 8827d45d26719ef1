/*  worker.h - a brainsweep worker as a CZMQ actor.

    The worker connects a DEALER socket to the broker, says HELLO, asks for
    as many points as its compute threads can run (CREDIT), runs the WORK it
    gets on its threads, and sends each job's points in one RESULT, keeping
    it until the broker's ACK. Unacknowledged results count against what
    it asks for: above outbox_bytes of them it asks for nothing. It heartbeats while it computes, and when the broker falls
    silent for three heartbeats it reconnects with exponential backoff (a
    new session: HELLO again, unacknowledged results re-sent; the broker
    stores a duplicate once). It holds no state a restart would lose: a
    killed worker's points are requeued by the broker.

    Commands on the actor pipe:
        "STOP"   stop asking for work, finish the points in hand, send their
                 results, hand back queued points (BYE) and signal 0 when
                 done (the actor then waits for $TERM).
        "$TERM"  (zactor_destroy) abandon running points, hand everything
                 back (BYE) and exit at once.
*/
#ifndef WORKER_H_INCLUDED
#define WORKER_H_INCLUDED

#include <czmq.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *broker;  /* endpoint, e.g. "tcp://127.0.0.1:5555" */
    size_t threads;      /* compute threads; 0 = all cores */
    size_t lanes;        /* points per batch (one per lane); 0 = per sweep (worker_sweep_lanes) */
    const char *name;    /* worker name in logs; NULL = host:pid */
    int heartbeat_ms;    /* 0 = 1000 */
    int stop_grace_ms;   /* STOP waits this long for ACKs; 0 = 30000 */
    int deflate;         /* series' shuffle + deflate level 1-9 (store_series.h); 0 = raw */
    size_t outbox_bytes; /* unacknowledged series above which no work is asked; 0 = 256 MiB */
    const char *broker_key; /* the broker's public certificate (CurveZMQ), or NULL */
    const char *key;        /* this worker's secret certificate, or NULL */
} worker_config_t;

/*  The actor function: zactor_new (worker_actor, &config). The config is
    copied before the actor signals ready. */
void worker_actor (zsock_t *pipe, void *args);

#endif
