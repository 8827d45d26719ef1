/*  sim_run.h - sweep points from their setups to their results: the time
    series, TVB's metrics, or why the point failed.

    This is the one path from a point to its result. `brainsweep simulate
    --point K` runs it with one point, a worker with a batch of points (one
    per lane, for speed); a point's numbers do not depend on its batch
    (sim_batch_test), so a point simulated alone equals the same point in
    a sweep by construction. Writing the series as a file is the caller's
    (common/store, store_timeseries_of_point).

    A run owns its batch and its output arrays (allocated in sim_run_new;
    advancing allocates nothing but the metrics' scratch at the end). The
    caller drives it in slices of steps, to show progress or to abandon it
    between slices. Pure: no I/O, no clocks; one run is used by one thread.
*/
#ifndef SIM_RUN_H_INCLUDED
#define SIM_RUN_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bsw_error.h"
#include "sim_connectivity.h"
#include "sim_metric.h"
#include "sim_setup.h"

typedef struct sim_run_t sim_run_t;

/*  What one point costs, in bytes, and the caps a run holds it to. The
    output cap keeps a point's series within one wire blob with room to
    spare (PROTO_MAX_BLOB_BYTES_DEFAULT is 512 MiB); the memory cap keeps a
    worker's compute thread within a small machine's share. A spec is
    checked against both before it is accepted (spec_check_connectivity),
    and sim_run_new checks them again, so a point above them fails with
    BSW_ETOOBIG instead of asking the machine for what it has not got. */
#define SIM_RUN_MAX_OUTPUT_BYTES (256ull << 20) /* one point's series */
#define SIM_RUN_MAX_MEMORY_BYTES (1ull << 30)   /* all one point holds while it runs */

typedef struct {
    uint64_t samples; /* monitor samples T */
    uint64_t horizon; /* history slots H = the longest delay in steps + 1 */
    uint64_t output;  /* the series: samples * n_voi * n_nodes * 8 */
    uint64_t history; /* the delay ring: n_nodes * (H + 2 * 512) floats */
    uint64_t state;   /* state, noise draws, far sums, monitor sums and due samples */
    uint64_t memory;  /* history + state + the time stamps + the series three times (the
                         run's array, the metrics' scratch, the worker's encoded copy) */
} sim_run_bytes_t;

/*  One point's costs for this connectivity and setup (an upper bound: the
    block K taken at its largest), saturating at UINT64_MAX. Returns 0, or
    BSW_ECONNECTIVITY when a delay does not fit (sim_connectivity_idelays). */
int sim_run_bytes (const sim_connectivity_t *conn, const sim_setup_t *setup, sim_run_bytes_t *out,
                   bsw_error_t *err);

/*  Checks b against the caps: 0, or BSW_ETOOBIG with a sentence naming
    what is too large and why ("the series of one point would be ..."). */
int sim_run_bytes_check (const sim_run_bytes_t *b, size_t n_voi, size_t n_nodes, bsw_error_t *err);

/*  One point's result. */
typedef struct {
    int code;                           /* 0, or BSW_ENUMERIC: the point diverged */
    char error[BSW_ERROR_TEXT_MAX];     /* why, when code != 0 (no file name) */
    const double *data;                 /* samples * n_voi * n_nodes, [time][voi][node] */
    const double *time;                 /* samples time stamps, ms (shared by the run's points) */
    uint64_t samples;                   /* monitor samples T */
    size_t n_voi;                       /* recorded variables of interest */
    size_t n_nodes;                     /* regions n */
    const char *voi_names[SIM_MAX_VOI]; /* n_voi names, the model's static strings */
    const char *monitor;                /* TVB's monitor class name, static */
    double sample_period;               /* ms */
    sim_metrics_t metrics;              /* every metric; only when code == 0 */
    size_t n_metrics;                   /* 4 or 5 when code == 0, else 0 */
    const char *metric_names[SIM_METRIC_MAX]; /* TVB's key order, static strings */
    double metric_values[SIM_METRIC_MAX];     /* in that order */
} sim_run_point_t;

/*  A run of n_points points, one lane each, whose setups must be
    sim_setup_batchable (sim_batch_new's rules). conn is borrowed and must
    outlive the run; setups are copied. Caller owns *self_p
    (sim_run_destroy). Returns 0, BSW_ETOOBIG when a point is over the caps
    above, BSW_ENOMEM when its buffers cannot be allocated, or
    sim_batch_new's errors, with err. */
int sim_run_new (sim_run_t **self_p, const sim_connectivity_t *conn, const sim_setup_t *setups,
                 size_t n_points, bsw_error_t *err);

void sim_run_destroy (sim_run_t **self_p);

size_t sim_run_points (const sim_run_t *self);
uint64_t sim_run_steps (const sim_run_t *self); /* total steps */
uint64_t sim_run_step (const sim_run_t *self);  /* steps done so far */

/*  Integrates up to max_steps more steps (0: all the rest); the call that
    takes the last step also makes every point's result (divergence,
    metrics). Returns the steps taken; 0 once finished. */
uint64_t sim_run_advance (sim_run_t *self, uint64_t max_steps);

bool sim_run_finished (const sim_run_t *self);

/*  Point p's result once the run has finished, else NULL. Borrowed: valid
    until sim_run_destroy. */
const sim_run_point_t *sim_run_point (const sim_run_t *self, size_t p);

#endif
