/*  sim_setup_test.c - defaults and derived counts (TVB.md 3.1, 6, 14.1). */
#include "bsw_test.h"
#include "sim_monitor.h"
#include "sim_tile.h"
#include "sim_setup.h"

#include <string.h>

/*  Usage: TVB's defaults give 81920 steps and 1024 TemporalAverage samples. */
static int
s_test_defaults (void)
{
    sim_setup_t setup;
    sim_setup_defaults (&setup);
    BSW_CHECK_INT (sim_setup_steps (&setup), 81920);
    BSW_CHECK_INT (sim_setup_istep (&setup), 80);
    BSW_CHECK_INT (sim_setup_samples (&setup), 1024);
    BSW_CHECK_DOUBLE_EQ (sim_setup_sample_period (&setup), 0.9765625);
    BSW_CHECK_STR (sim_monitor_name (setup.monitor), "TemporalAverage");
    BSW_CHECK_DOUBLE_EQ (setup.params[sim_model_param_index (setup.model, "a")], -2.0);
    BSW_CHECK_DOUBLE_EQ (setup.params[sim_model_param_index (setup.model, "d")], 0.02);
    BSW_CHECK_INT (sim_model_param_index (setup.model, "zeta"), -1);
    BSW_CHECK_INT (sim_model_voi_index (setup.model, "V - W"), 3);
    BSW_CHECK (sim_model_find ("Generic2dOscillator") == &sim_g2d_model);
    BSW_CHECK (sim_model_find ("Kuramoto") == &sim_kuramoto_model);
    BSW_CHECK (sim_model_find ("Hopf") == NULL);
    BSW_CHECK (setup.coupling == &sim_coupling_linear);
    BSW_CHECK_DOUBLE_EQ (setup.coupling_params[SIM_CP_A], 0.00390625);
    //  Another model or coupling brings TVB's defaults (JansenRit: four VOIs).
    sim_setup_set_model (&setup, &sim_jansenrit_model);
    BSW_CHECK_INT (setup.n_voi, 4);
    BSW_CHECK_INT (setup.voi[3], 3);
    BSW_CHECK_DOUBLE_EQ (setup.params[sim_model_param_index (setup.model, "J")], 135.0);
    sim_setup_set_coupling (&setup, &sim_coupling_sigmoidal_jr);
    BSW_CHECK_DOUBLE_EQ (setup.coupling_params[SIM_CP_CMAX], 0.005);
    BSW_CHECK_DOUBLE_EQ (setup.coupling_params[SIM_CP_R], 0.56);
    return BSW_TEST_PASS;
}

/*  Every registered model and coupling is a consistent description: what
    the spec, the batch and the export rely on without checking again. */
static int
s_test_descriptors (void)
{
    size_t models = 0;
    for (size_t m = 0; sim_model_at (m); m++, models++) {
        const sim_model_desc_t *d = sim_model_at (m);
        BSW_CHECK_MSG (sim_model_find (d->name) == d, "%s: found under its name", d->name);
        BSW_CHECK (d->tvb_module && strncmp (d->tvb_module, "tvb.simulator.models.", 21) == 0);
        BSW_CHECK (d->n_state >= 1 && d->n_state <= SIM_MAX_STATE);
        BSW_CHECK (d->n_params <= SIM_MAX_PARAMS && d->n_voi >= 1 && d->n_voi <= SIM_MAX_VOI);
        BSW_CHECK (d->n_cvar >= 1 && d->n_cvar <= SIM_MAX_CVAR);
        BSW_CHECK (d->dfun && d->tile);
        for (size_t c = 0; c < d->n_cvar; c++)
            BSW_CHECK_MSG (d->cvar[c] < d->n_state, "%s: cvar %zu", d->name, c);
        for (size_t v = 0; v < d->n_state; v++) {
            BSW_CHECK_MSG (d->state_lo[v] < d->state_hi[v], "%s: range of %s", d->name,
                           d->state_names[v]);
            BSW_CHECK_MSG (sim_model_state_index (d, d->state_names[v]) == (int) v,
                           "%s: state names unique", d->name);
            if (d->bounded)
                BSW_CHECK_MSG (d->bound_lo[v] <= d->state_lo[v] && d->state_hi[v] <= d->bound_hi[v],
                               "%s: range of %s inside its boundaries", d->name, d->state_names[v]);
        }
        for (size_t i = 0; i < d->n_params; i++) {
            const sim_param_desc_t *p = &d->params[i];
            BSW_CHECK_MSG (p->lo <= p->default_value && p->default_value <= p->hi,
                           "%s.%s: default inside its domain", d->name, p->name);
            BSW_CHECK_MSG (sim_model_param_index (d, p->name) == (int) i, "%s.%s: unique", d->name,
                           p->name);
        }
        for (size_t i = 0; d->tvb_attrs && d->tvb_attrs[i]; i += 2)
            BSW_CHECK_MSG (strncmp (d->tvb_attrs[i], "TVB_", 4) == 0 && d->tvb_attrs[i + 1] &&
                               (d->tvb_attrs[i + 1][0] == '[' || d->tvb_attrs[i + 1][0] == '{'),
                           "%s: tvb_attrs are (TVB_name, JSON) pairs", d->name);
        BSW_CHECK (d->n_default_voi >= 1 && d->n_default_voi <= d->n_voi);
        for (size_t v = 0; v < d->n_default_voi; v++)
            BSW_CHECK (d->default_voi[v] >= 0 && (size_t) d->default_voi[v] < d->n_voi);
        //  Besides G2D's expressions, a VOI is the state variable of its index.
        if (d != &sim_g2d_model)
            for (size_t v = 0; v < d->n_voi; v++)
                BSW_CHECK_STR (d->voi_names[v], d->state_names[v]);
    }
    BSW_CHECK_INT (models, 6);
    size_t couplings = 0;
    for (size_t c = 0; sim_coupling_at (c); c++, couplings++) {
        const sim_coupling_desc_t *d = sim_coupling_at (c);
        BSW_CHECK (sim_coupling_find (d->name) == d);
        BSW_CHECK (d->n_params >= 1 && d->n_params <= SIM_MAX_COUPLING_PARAMS);
        for (size_t m = 0; sim_model_at (m); m++) {
            bsw_error_t err;
            int rc = sim_coupling_check (d, sim_model_at (m), &err);
            //  Only SigmoidalJansenRit needs two coupling variables.
            bool fits = d->kind != SIM_COUPLING_SIGMOIDAL_JR || sim_model_at (m)->n_cvar == 2;
            BSW_CHECK_MSG ((rc == 0) == fits, "%s on %s", d->name, sim_model_at (m)->name);
        }
    }
    BSW_CHECK_INT (couplings, 4);
    return BSW_TEST_PASS;
}

static int
s_test_counts (void)
{
    sim_setup_t setup;
    sim_setup_defaults (&setup);
    //  100 ms at the default TA gives 102 samples (a partial window dropped).
    setup.simulation_length = 100.0;
    BSW_CHECK_INT (sim_setup_samples (&setup), 102);
    //  Raw at dt 0.0625 over 100 ms: 1600 samples, period dt.
    setup.monitor = SIM_MONITOR_RAW;
    setup.dt = 0.0625;
    BSW_CHECK_INT (sim_setup_samples (&setup), 1600);
    BSW_CHECK_DOUBLE_EQ (sim_setup_sample_period (&setup), 0.0625);
    //  dt 0.1: istep rint(9.765625) = 10.
    setup.monitor = SIM_MONITOR_TEMPORAL_AVERAGE;
    setup.dt = 0.1;
    BSW_CHECK_INT (sim_setup_istep (&setup), 10);
    //  Round half to even: period/dt = 2.5 -> 2, 3.5 -> 4.
    setup.dt = 1.0;
    setup.period = 2.5;
    BSW_CHECK_INT (sim_setup_istep (&setup), 2);
    setup.period = 3.5;
    BSW_CHECK_INT (sim_setup_istep (&setup), 4);
    return BSW_TEST_PASS;
}

/*  TemporalAverage: windows aligned on step 1, times (s - istep/2)*dt;
    SubSample: every istep-th value, time s*dt. Fed through the tile
    monitor the batch uses, element by element. */
static int
s_test_temporal_average (void)
{
    sim_monitor_t monitor;
    sim_monitor_init (&monitor, SIM_MONITOR_TEMPORAL_AVERAGE, 4, 0.5, SIM_TILE);
    double samples[3 * SIM_TILE] = {0}, obs[1][SIM_TILE];
    sim_tile_t tile = {.monitor = SIM_MONITOR_TEMPORAL_AVERAGE,
                       .istep = 4,
                       .n_voi = 1,
                       .stride = SIM_TILE,
                       .sum = monitor.sum,
                       .samples = samples};
    size_t emitted = 0;
    for (uint64_t s = 1; s <= 9; s++) {
        for (size_t t = 0; t < SIM_TILE; t++)
            obs[0][t] = (double) s + 10.0 * (double) t;
        sim_tile_record (&tile, s % tile.istep, obs, &emitted);
    }
    BSW_CHECK_INT (sim_monitor_every (&monitor), 4);
    BSW_CHECK_INT (emitted, 2);
    for (size_t t = 0; t < SIM_TILE; t++) {
        BSW_CHECK_DOUBLE_EQ (samples[t], 2.5 + 10.0 * (double) t);
        BSW_CHECK_DOUBLE_EQ (samples[SIM_TILE + t], 6.5 + 10.0 * (double) t);
    }
    BSW_CHECK_DOUBLE_EQ (sim_monitor_time (&monitor, 4), 1.0);
    BSW_CHECK_DOUBLE_EQ (sim_monitor_time (&monitor, 8), 3.0);
    sim_monitor_fini (&monitor);

    sim_monitor_init (&monitor, SIM_MONITOR_SUBSAMPLE, 3, 0.5, SIM_TILE);
    tile.monitor = SIM_MONITOR_SUBSAMPLE;
    tile.istep = 3;
    emitted = 0;
    for (size_t t = 0; t < SIM_TILE; t++)
        obs[0][t] = 7.0;
    sim_tile_record (&tile, 2 % tile.istep, obs, &emitted);
    BSW_CHECK_INT (emitted, 0);
    sim_tile_record (&tile, 3 % tile.istep, obs, &emitted);
    BSW_CHECK_INT (emitted, 1);
    BSW_CHECK_INT (sim_monitor_every (&monitor), 3);
    BSW_CHECK_DOUBLE_EQ (samples[0], 7.0);
    BSW_CHECK_DOUBLE_EQ (sim_monitor_time (&monitor, 3), 1.5);
    sim_monitor_fini (&monitor);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"defaults", s_test_defaults},
                                          {"descriptors", s_test_descriptors},
                                          {"counts", s_test_counts},
                                          {"temporal_average", s_test_temporal_average},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
