/*  sim_setup_test.c - defaults and derived counts (TVB.md 3.1, 6, 14.1). */
#include "bsw_test.h"
#include "sim_monitor.h"
#include "sim_tile.h"
#include "sim_setup.h"

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
    BSW_CHECK (sim_model_find ("Kuramoto") == NULL);
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
                                          {"counts", s_test_counts},
                                          {"temporal_average", s_test_temporal_average},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
