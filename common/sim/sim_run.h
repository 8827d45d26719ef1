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
    (sim_run_destroy). Returns 0, or sim_batch_new's errors with err. */
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
