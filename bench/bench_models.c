/*  bench_models.c - every model's cost on the 76-region built-in
    connectivity (issue 12's targets): a 1000 ms simulation at the dt of
    its TVB reference case (shared/reference/models; the Generic 2D
    Oscillator's tutorial), with the coupling and parameters of that case,
    random initial conditions, one thread, one lane and a batch of 8.
    Prints ms per simulation, ns per node per step and per node, step and
    state variable, and that last figure over the Generic 2D Oscillator's
    (issue 12: at most 2). Asserts nothing.

    usage: bench_models [REPEATS [MODEL]]   (default 3 repeats, the best run
    counts; MODEL: that model alone, after the Generic 2D Oscillator)
*/
#include "bench_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const sim_model_desc_t *model;
    const sim_coupling_desc_t *coupling;
    double dt;
    const char *param[2]; /* model parameters of the reference case */
    double value[2];
    double coupling_a;
} s_case_t;

/*  Wall time of one 1000 ms run of `lanes` points of the case. */
static double
s_time (const sim_connectivity_t *conn, const s_case_t *c, size_t lanes, uint64_t *steps)
{
    sim_setup_t *setups = bsw_calloc (lanes, sizeof (sim_setup_t));
    for (size_t l = 0; l < lanes; l++) {
        sim_setup_t *s = &setups[l];
        sim_setup_defaults (s);
        sim_setup_set_model (s, c->model);
        sim_setup_set_coupling (s, c->coupling);
        s->coupling_params[SIM_CP_A] = c->coupling_a;
        s->dt = c->dt;
        for (int k = 0; k < 2; k++)
            if (c->param[k])
                s->params[sim_model_param_index (c->model, c->param[k])] = c->value[k];
        s->point_index = l;
    }
    double t = bench_time_batch (conn, setups, lanes, NULL, steps);
    free (setups);
    return t;
}

int
main (int argc, char **argv)
{
    int repeats = argc > 1 ? atoi (argv[1]) : 3;
    if (repeats < 1)
        repeats = 1;
    const double dt = 0.01220703125;
    const s_case_t cases[] = {
        {&sim_g2d_model, &sim_coupling_linear, dt, {"a"}, {2.0}, 0.00390625},
        {&sim_kuramoto_model, &sim_coupling_kuramoto, dt, {NULL}, {0}, 1.0},
        {&sim_suphopf_model, &sim_coupling_difference, dt, {"a", "omega"}, {0.2, 0.8}, 0.05},
        {&sim_rww_model, &sim_coupling_linear, dt, {NULL}, {0}, 0.00390625},
        {&sim_mpr_model, &sim_coupling_linear, dt, {NULL}, {0}, 0.00390625},
        {&sim_jansenrit_model, &sim_coupling_sigmoidal_jr, 0.1, {NULL}, {0}, 1.0},
    };
    const size_t lanes[] = {1, 8};
    sim_connectivity_t *conn = sim_connectivity_new_default ();
    double n = (double) conn->n, g2d_per_state[2] = {0, 0};
    printf ("models: 1000 ms on the built-in 76 regions at each reference case's dt, one thread, "
            "best of %d\n",
            repeats);
    printf ("%-18s %-18s %7s %6s %11s %11s %13s %9s\n", "model", "coupling", "dt", "lanes",
            "ms per sim", "ns/node-step", "ns/node-step/var", "vs G2D");
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (size_t b = 0; b < 2; b++) {
            if (k > 0 && argc > 2 && strcmp (argv[2], cases[k].model->name) != 0)
                continue;
            double best = 1e30;
            uint64_t steps = 0;
            for (int r = 0; r < repeats; r++) {
                double t = s_time (conn, &cases[k], lanes[b], &steps);
                best = t < best ? t : best;
            }
            double per_sim = best / (double) lanes[b];
            double per_node_step = per_sim / (n * (double) steps) * 1e9;
            double per_state = per_node_step / (double) cases[k].model->n_state;
            if (k == 0)
                g2d_per_state[b] = per_state;
            printf ("%-18s %-18s %7.4g %6zu %11.1f %11.2f %13.2f %9.2f\n", cases[k].model->name,
                    cases[k].coupling->name, cases[k].dt, lanes[b], per_sim * 1e3, per_node_step,
                    per_state, per_state / g2d_per_state[b]);
        }
    sim_connectivity_destroy (&conn);
    return 0;
}
