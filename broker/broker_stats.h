/*  broker_stats.h - what the broker counts since it started, for STATS
    (proto/PROTOCOL.md). Internal to broker/.

    A restart starts the counts again: the durable state is the sweeps,
    not these. broker.c owns the struct; the worker registry and the
    message loop add to it, and the STATS answer reads it.
*/
#ifndef BROKER_STATS_H_INCLUDED
#define BROKER_STATS_H_INCLUDED

#include <stdint.h>

#define BROKER_STATS_ERROR_CODES 32 /* error replies are counted by -code below this */

typedef struct {
    int64_t started;            /* mono ms at start */
    uint64_t workers_joined;    /* HELLOs that started a session */
    uint64_t workers_lost;      /* sessions purged for silence (not after a BYE) */
    uint64_t workers_left;      /* sessions purged after a BYE */
    uint64_t points_requeued;   /* leased points put back in line */
    uint64_t results_committed; /* results stored */
    uint64_t results_duplicate; /* results for a point that had one: ACKed, not stored */
    uint64_t results_unleased;  /* results from a session without the point's lease: not stored */
    uint64_t errors[BROKER_STATS_ERROR_CODES]; /* error replies sent, by -code */
} broker_stats_t;

#endif
