/*  worker_job.h - what a compute thread does: run a batch of points of one
    sweep and turn each into a result (metrics and, unless the sweep keeps
    metrics only, the series as the wire carries it: store_series.h).

    No sockets here: the worker actor hands a job to a compute thread and
    gets it back filled in. A job's sweep is shared read-only by every
    thread working on that sweep.
*/
#ifndef WORKER_JOB_H_INCLUDED
#define WORKER_JOB_H_INCLUDED

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bsw_error.h"
#include "sim_connectivity.h"
#include "sim_metric.h"
#include "spec.h"

/*  A sweep as a worker knows it: parsed once, shared by its jobs. */
typedef struct {
    uint64_t id;               /* the broker's sweep id */
    char uuid[37];             /* the sweep's uuid: seeds its TVB GIDs */
    spec_t *spec;              /* owned */
    sim_connectivity_t *conn;  /* owned */
    char connectivity_gid[37]; /* TVB GID of conn */
    size_t max_lanes;          /* lanes one batch may have within WORKER_BATCH_BYTES */
    size_t lanes;              /* points per job and batch (worker_sweep_lanes) */
    int deflate;               /* series' shuffle + deflate level (store_series.h); 0 = raw */
    size_t jobs;               /* jobs referencing it (actor thread only) */
    bool dropped;              /* cancelled: free when jobs reaches 0 */
    uint64_t max_message;      /* the broker's blob limit (its latest WORK's); 0: unknown */
} worker_sweep_t;

/*  Memory one batch may take: the history of a lane is n * (H + 2K)
    floats (a ring of H + K slots per node and K of them mirrored; K <=
    512, sim_batch.c), so a large connectivity runs fewer lanes per batch
    (issue target: under 64 MB per thread). */
#define WORKER_BATCH_BYTES (48u << 20)

/*  Lanes per batch when the user sets none: the fewest that give the
    model's step loop at least WORKER_AUTO_ROW doubles per state row (a
    power of two, at most 8), so small connectivities still fill vectors
    while large ones run one lane. On the tutorial (76 regions) one lane
    is fastest (bench_core's line of lane counts: bench/README.md, row 1
    and "Lanes"): more lanes only add history that no longer fits the
    core's L2 cache. */
#define WORKER_AUTO_ROW 64

/*  The lane count for `sweep`: `requested` (the --lanes option) when not
    0, else the automatic choice above; never above sweep->max_lanes. */
size_t worker_sweep_lanes (const worker_sweep_t *sweep, size_t requested);

/*  Parses a sweep definition (spec JSON, connectivity zip bytes or NULL for
    the built-in default). Caller owns *sweep_p (worker_sweep_destroy). */
int worker_sweep_new (worker_sweep_t **sweep_p, uint64_t id, const char *uuid,
                      const char *spec_json, const void *connectivity, size_t connectivity_size,
                      bsw_error_t *err);
void worker_sweep_destroy (worker_sweep_t **sweep_p);

typedef struct {
    uint64_t point;                 /* index in the sweep */
    int code;                       /* 0 ok, else a BSW_E* code */
    char error[BSW_ERROR_TEXT_MAX]; /* why it failed */
    size_t n_metrics;
    const char *metric_names[SIM_METRIC_MAX]; /* static strings */
    double metric_values[SIM_METRIC_MAX];
    void *series;       /* the series, encoded (malloc), or NULL: failed or keep=metrics */
    size_t series_size; /* bytes of series */
    uint64_t samples;   /* time samples */
    double elapsed_ms;  /* compute time (steps and metrics) of its batch, shared */
} worker_result_t;

typedef struct {
    worker_sweep_t *sweep; /* borrowed */
    uint64_t *points;      /* n_points point indices (owned) */
    size_t n_points;
    worker_result_t *results; /* n_points, filled by worker_job_run */
    atomic_int cancel;        /* set non-zero (any thread) to abandon the run */
    bool cancelled;           /* the run was abandoned: results invalid */
} worker_job_t;

/*  A job for `count` points (copied). Caller owns it. */
worker_job_t *worker_job_new (worker_sweep_t *sweep, const uint64_t *points, size_t count);
void worker_job_destroy (worker_job_t **job_p);

/*  Runs every point of the job in lockstep batches (points whose setups
    cannot share a batch run in separate ones) and fills job->results. */
void worker_job_run (worker_job_t *job);

#endif
