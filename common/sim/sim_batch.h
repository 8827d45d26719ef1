/*  sim_batch.h - several sweep points integrated in lockstep, one per lane.

    The batch owns every per-run buffer (allocated in sim_batch_new; the step
    loop allocates nothing and takes no locks) and writes monitor samples
    into buffers its caller binds with sim_batch_set_output. All points of a
    batch share the connectivity, its delays and one coupling pass; their
    setups must be sim_setup_batchable with the first one.

    The loop is TVB's (TVB.md section 5): history slot 0 is step 0 (the
    initial state), slot k >= 1 is step k - H; for s = 1..n_steps the Linear
    coupling is computed once from V delayed by idelays, a Heun step uses it
    for predictor and corrector, V goes into the history, and the monitor
    sees the variables of interest of the new state.

    Pure: no I/O, no globals, no clocks. One batch is used by one thread.
*/
#ifndef SIM_BATCH_H_INCLUDED
#define SIM_BATCH_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bsw_error.h"
#include "sim_connectivity.h"
#include "sim_setup.h"

typedef struct sim_batch_t sim_batch_t;

/*  A batch of n_points points (one lane each). conn is borrowed and must
    outlive the batch; setups are copied (setup.initial, when set, must hold
    [n_state][conn->n] values and outlive the batch). Returns 0, or
    BSW_EINVAL with err when setups are not batchable or out of domain,
    BSW_ECONNECTIVITY when delays do not fit. */
int sim_batch_new (sim_batch_t **self_p, const sim_connectivity_t *conn, const sim_setup_t *setups,
                   size_t n_points, bsw_error_t *err);

void sim_batch_destroy (sim_batch_t **self_p);

uint64_t sim_batch_steps (const sim_batch_t *self);   /* total steps */
uint64_t sim_batch_step (const sim_batch_t *self);    /* steps done so far */
uint64_t sim_batch_samples (const sim_batch_t *self); /* samples each point yields */

/*  Bytes the batch holds (history, state, work arrays), for sizing lanes. */
size_t sim_batch_memory (const sim_batch_t *self);

/*  Doubles of one point's output: samples * n_voi * n_nodes, laid out
    [time][voi][node] (TVB's (T, nvoi, n, 1) with the mode axis dropped). */
size_t sim_batch_output_size (const sim_batch_t *self);

/*  Binds the output: out[p] receives point p's samples (output_size doubles
    each); time (samples doubles) receives the time stamps, or is NULL. The
    arrays stay the caller's; the pointer array is copied. */
void sim_batch_set_output (sim_batch_t *self, double *const *out, double *time);

/*  Integrates up to max_steps more steps (0: all the rest). Returns the
    steps taken; 0 once finished. */
uint64_t sim_batch_advance (sim_batch_t *self, uint64_t max_steps);

bool sim_batch_finished (const sim_batch_t *self);

/*  The index of point p's first sample holding a non-finite value (the
    point diverged), or UINT64_MAX when every sample so far is finite. */
uint64_t sim_batch_first_nonfinite (const sim_batch_t *self, size_t p);

#endif
