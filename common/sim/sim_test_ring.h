/*  sim_test_ring.h - the small network the core's tests share
    (sim_batch_test, sim_run_test).

    Three nodes with delays of 0 (self), 2 and 5 steps at dt 0.1 and speed
    1, run for 20 ms (200 steps) with a TemporalAverage every 0.4 ms (50
    samples of V and W): small enough to follow by hand and to re-derive
    naively, with delays long enough to reach into the history. Each test
    sets the rest (initial conditions, parameters, point index) itself.

    Header-only, for tests; pure like the core it serves.
*/
#ifndef SIM_TEST_RING_H_INCLUDED
#define SIM_TEST_RING_H_INCLUDED

#include "sim_connectivity.h"
#include "sim_setup.h"

/*  The 3-node network. Caller owns it; destroy with
    sim_connectivity_destroy. */
static inline sim_connectivity_t *
sim_test_ring_new (void)
{
    sim_connectivity_t *conn = sim_connectivity_new (3);
    const double w[9] = {0.5, 0.0, 1.5, 2.0, 0.0, 0.0, 0.0, 1.0, 0.25};
    const double t[9] = {0.0, 0.3, 0.5, 0.2, 0.0, 0.4, 0.1, 0.5, 0.0};
    for (int k = 0; k < 9; k++) {
        conn->weights[k] = w[k];
        conn->tract_lengths[k] = t[k];
    }
    return conn;
}

/*  TVB's defaults (sim_setup_defaults) set to the run above: dt 0.1 ms,
    speed 1 mm/ms, 20 ms, a TemporalAverage every 0.4 ms, coupling a 0.1,
    V and W recorded. */
static inline void
sim_test_ring_setup (sim_setup_t *setup)
{
    sim_setup_defaults (setup);
    setup->dt = 0.1;
    setup->conduction_speed = 1.0;
    setup->simulation_length = 20.0;
    setup->period = 0.4;
    setup->coupling_params[SIM_CP_A] = 0.1;
    setup->voi[0] = 0;
    setup->voi[1] = 1;
    setup->n_voi = 2;
}

#endif
