/*  sim_metric_test.c - TVB's metrics on series small enough to work out by
    hand, the start-index rule, and TVB's key order. */
#include "bsw_test.h"
#include "sim_metric.h"

/*  Usage: node 0 alternates 0,1,0,1; node 1 stays 0 (T=4, 1 VOI, 2 nodes). */
static int
s_test_hand_worked (void)
{
    const double data[] = {0, 0, 1, 0, 0, 0, 1, 0}; /* [t][voi][node] */
    sim_metrics_t m;
    sim_metrics_compute (data, 4, 1, 2, 1.0, 0.0, 4, &m);
    BSW_CHECK_DOUBLE_EQ (m.global_variance, 0.125);
    BSW_CHECK_DOUBLE_EQ (m.variance_node_variance, 0.015625);
    BSW_CHECK_DOUBLE_EQ (m.metastability, 0.25);
    BSW_CHECK_DOUBLE_EQ (m.synchrony, 4.0);
    BSW_CHECK (!m.has_kuramoto);
    const char *names[SIM_METRIC_MAX];
    double values[SIM_METRIC_MAX];
    BSW_CHECK_INT (sim_metrics_list (&m, names, values), 4);
    BSW_CHECK_STR (names[0], "GlobalVariance");
    BSW_CHECK_STR (names[1], "Metastability");
    BSW_CHECK_STR (names[2], "Synchrony");
    BSW_CHECK_STR (names[3], "VarianceNodeVariance");
    return BSW_TEST_PASS;
}

static int
s_test_start_index (void)
{
    BSW_CHECK_INT (sim_metric_start_index (1024, 0.9765625, 500.0, 4), 512);
    //  start beyond the end: (segment-1) * (T div segment)
    BSW_CHECK_INT (sim_metric_start_index (1600, 0.0625, 500.0, 4), 1200);
    BSW_CHECK_INT (sim_metric_start_index (102, 0.9765625, 500.0, 4), 75);
    //  start == T is not "beyond": empty data (TVB quirk Q8)
    BSW_CHECK_INT (sim_metric_start_index (512, 0.9765625, 500.0, 4), 512);
    BSW_CHECK_INT (sim_metric_start_index (10, 1.0, 0.0, 4), 0);
    //  truncation: 2.5 -> 2
    BSW_CHECK_INT (sim_metric_start_index (10, 2.0, 5.0, 4), 2);
    return BSW_TEST_PASS;
}

/*  Empty retained data gives NaN like TVB (quirk Q8). */
static int
s_test_empty_is_nan (void)
{
    double data[4 * 2] = {0};
    sim_metrics_t m;
    sim_metrics_compute (data, 4, 1, 2, 1.0, 4.0, 4, &m);
    BSW_CHECK (isnan (m.global_variance));
    BSW_CHECK (isnan (m.metastability));
    BSW_CHECK (isnan (m.synchrony));
    BSW_CHECK (isnan (m.variance_node_variance));
    return BSW_TEST_PASS;
}

/*  Kuramoto: phases atan2(VOI 1, VOI 0) over all samples, ignoring start. */
static int
s_test_kuramoto (void)
{
    //  t0: both nodes at phase 0 (R = 1); t1: phases 0 and pi (R = 0).
    const double data[] = {1, 1, 0, 0, 1, -1, 0, 0}; /* [t][voi][node], T=2, nvoi=2, n=2 */
    sim_metrics_t m;
    sim_metrics_compute (data, 2, 2, 2, 1.0, 100.0, 4, &m);
    BSW_CHECK (m.has_kuramoto);
    BSW_CHECK_MSG (fabs (m.kuramoto_index - 0.5) < 1e-15, "%.17g", m.kuramoto_index);
    const char *names[SIM_METRIC_MAX];
    double values[SIM_METRIC_MAX];
    BSW_CHECK_INT (sim_metrics_list (&m, names, values), 5);
    BSW_CHECK_STR (names[1], "KuramotoIndex");
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"hand_worked", s_test_hand_worked},
                                          {"start_index", s_test_start_index},
                                          {"empty_is_nan", s_test_empty_is_nan},
                                          {"kuramoto", s_test_kuramoto},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
