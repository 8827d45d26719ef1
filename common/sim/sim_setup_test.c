/*  sim_setup_test.c - defaults and derived counts (TVB.md 3.1, 6, 14.1). */
#include "bsw_test.h"
#include "sim_monitor.h"
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

/*  TemporalAverage: windows aligned on step 1, times (s - istep/2)*dt. */
static int
s_test_temporal_average (void)
{
    sim_monitor_t monitor;
    sim_monitor_init (&monitor, SIM_MONITOR_TEMPORAL_AVERAGE, 4, 0.5, 1);
    double time = -1, obs;
    const double *sample = NULL;
    int emitted = 0;
    for (uint64_t s = 1; s <= 9; s++) {
        obs = (double) s;
        sample = sim_monitor_record (&monitor, s, &obs, &time);
        if (sample) {
            emitted++;
            if (s == 4) {
                BSW_CHECK_DOUBLE_EQ (sample[0], 2.5);
                BSW_CHECK_DOUBLE_EQ (time, 1.0);
            }
            if (s == 8) {
                BSW_CHECK_DOUBLE_EQ (sample[0], 6.5);
                BSW_CHECK_DOUBLE_EQ (time, 3.0);
            }
        }
    }
    BSW_CHECK_INT (emitted, 2);
    sim_monitor_fini (&monitor);
    sim_monitor_init (&monitor, SIM_MONITOR_SUBSAMPLE, 3, 0.5, 1);
    obs = 7.0;
    BSW_CHECK (sim_monitor_record (&monitor, 2, &obs, &time) == NULL);
    sample = sim_monitor_record (&monitor, 3, &obs, &time);
    BSW_CHECK (sample && sample[0] == 7.0 && time == 1.5);
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
