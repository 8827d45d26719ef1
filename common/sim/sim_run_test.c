/*  sim_run_test.c - points from setups to results: the series is the
    batch's, the metrics are TVB's of it, a point alone equals the same
    point in a batch, slices change nothing, divergence fails one point. */
#include "bsw_test.h"
#include "bsw_util.h"
#include "sim_batch.h"
#include "sim_monitor.h"
#include "sim_run.h"
#include "sim_test_ring.h"

#include <string.h>

/*  The ring's run (sim_test_ring.h: 200 steps, 50 samples of V and W)
    for `point` with model a = `a`, random initial conditions keyed by the
    point index, metrics from 4 ms. */
static void
s_setup (sim_setup_t *setup, uint64_t point, double a)
{
    sim_test_ring_setup (setup);
    setup->params[sim_model_param_index (setup->model, "a")] = a;
    setup->metric_start_point = 4.0;
    setup->point_index = point;
}

static bool
s_same_metrics (const sim_run_point_t *a, const sim_run_point_t *b)
{
    if (a->n_metrics != b->n_metrics)
        return false;
    for (size_t m = 0; m < a->n_metrics; m++)
        if (strcmp (a->metric_names[m], b->metric_names[m]) != 0 ||
            memcmp (&a->metric_values[m], &b->metric_values[m], sizeof (double)) != 0)
            return false;
    return true;
}

/*  Usage: a run of one point, advanced to the end, gives the point's
    series (the batch's own numbers), its description and its metrics in
    TVB's order. */
static int
s_test_usage (void)
{
    sim_connectivity_t *conn = sim_test_ring_new ();
    sim_setup_t setup;
    s_setup (&setup, 3, 2.0);
    sim_run_t *run = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (sim_run_new (&run, conn, &setup, 1, &err), 0);
    BSW_CHECK_INT (sim_run_points (run), 1);
    BSW_CHECK_INT (sim_run_steps (run), 200);
    BSW_CHECK (sim_run_point (run, 0) == NULL); /* nothing before the end */
    sim_run_advance (run, 0);
    BSW_CHECK (sim_run_finished (run));
    const sim_run_point_t *point = sim_run_point (run, 0);
    BSW_CHECK (point);
    BSW_CHECK_INT (point->code, 0);
    BSW_CHECK_INT (point->samples, 50);
    BSW_CHECK_INT (point->n_voi, 2);
    BSW_CHECK_INT (point->n_nodes, 3);
    BSW_CHECK_STR (point->voi_names[0], "V");
    BSW_CHECK_STR (point->voi_names[1], "W");
    BSW_CHECK_STR (point->monitor, "TemporalAverage");
    BSW_CHECK_DOUBLE_EQ (point->sample_period, 0.4);
    //  Two variables of interest: KuramotoIndex too, in TVB's key order.
    BSW_CHECK_INT (point->n_metrics, 5);
    const char *names[] = {"GlobalVariance", "KuramotoIndex", "Metastability", "Synchrony",
                           "VarianceNodeVariance"};
    for (int m = 0; m < 5; m++)
        BSW_CHECK_STR (point->metric_names[m], names[m]);
    BSW_CHECK_DOUBLE_EQ (point->metric_values[0], point->metrics.global_variance);

    //  The same point through a bare batch: the same series and metrics.
    sim_batch_t *batch = NULL;
    BSW_CHECK_INT (sim_batch_new (&batch, conn, &setup, 1, &err), 0);
    size_t size = sim_batch_output_size (batch);
    double *data = bsw_calloc (size, sizeof (double)), time[50];
    sim_batch_set_output (batch, &data, time);
    sim_batch_advance (batch, 0);
    BSW_CHECK (memcmp (data, point->data, size * sizeof (double)) == 0);
    BSW_CHECK (memcmp (time, point->time, sizeof time) == 0);
    sim_metrics_t metrics;
    sim_metrics_compute (data, 50, 2, 3, 0.4, 4.0, setup.metric_segment, &metrics);
    BSW_CHECK_DOUBLE_EQ (metrics.global_variance, point->metrics.global_variance);
    BSW_CHECK_DOUBLE_EQ (metrics.kuramoto_index, point->metrics.kuramoto_index);
    BSW_CHECK_DOUBLE_EQ (metrics.metastability, point->metrics.metastability);
    BSW_CHECK_DOUBLE_EQ (metrics.synchrony, point->metrics.synchrony);
    BSW_CHECK_DOUBLE_EQ (metrics.variance_node_variance, point->metrics.variance_node_variance);
    BSW_CHECK (metrics.has_kuramoto && point->metrics.has_kuramoto);
    free (data);
    sim_batch_destroy (&batch);
    sim_run_destroy (&run);
    sim_run_destroy (&run); /* harmless twice */
    BSW_CHECK (run == NULL);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

/*  A point alone and the same point in the middle lane of a batch, the
    run advanced in uneven slices: the same bits and the same metrics. */
static int
s_test_alone_equals_batched (void)
{
    sim_connectivity_t *conn = sim_test_ring_new ();
    sim_setup_t setups[3];
    s_setup (&setups[0], 0, 1.0);
    s_setup (&setups[1], 1, 2.0);
    s_setup (&setups[2], 2, 3.0);
    sim_run_t *batched = NULL, *alone = NULL;
    BSW_CHECK_INT (sim_run_new (&batched, conn, setups, 3, NULL), 0);
    BSW_CHECK_INT (sim_run_new (&alone, conn, &setups[1], 1, NULL), 0);
    while (!sim_run_finished (batched))
        BSW_CHECK (sim_run_advance (batched, 7) > 0 || sim_run_finished (batched));
    BSW_CHECK_INT (sim_run_advance (batched, 7), 0); /* finished: nothing more */
    sim_run_advance (alone, 0);
    const sim_run_point_t *a = sim_run_point (alone, 0), *b = sim_run_point (batched, 1);
    BSW_CHECK (a && b && a->code == 0 && b->code == 0);
    BSW_CHECK_INT (a->samples, b->samples);
    BSW_CHECK (memcmp (a->data, b->data, 50 * 2 * 3 * sizeof (double)) == 0);
    BSW_CHECK (memcmp (a->time, b->time, 50 * sizeof (double)) == 0);
    BSW_CHECK (s_same_metrics (a, b));
    //  ...and the batch's other points are other numbers.
    BSW_CHECK (memcmp (sim_run_point (batched, 0)->data, b->data, 50 * 2 * 3 * sizeof (double)));
    BSW_CHECK (sim_run_point (batched, 3) == NULL);
    sim_run_destroy (&batched);
    sim_run_destroy (&alone);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

/*  A diverging point fails with a sentence and no metrics; its companion
    in the batch is complete. */
static int
s_test_divergence (void)
{
    sim_connectivity_t *conn = sim_test_ring_new ();
    sim_setup_t setups[2];
    s_setup (&setups[0], 0, 2.0);
    s_setup (&setups[1], 1, 2.0);
    //  f = -5 turns -f*V^3 into runaway growth.
    setups[1].params[sim_model_param_index (setups[1].model, "f")] = -5.0;
    setups[1].params[sim_model_param_index (setups[1].model, "d")] = 1.0;
    sim_run_t *run = NULL;
    BSW_CHECK_INT (sim_run_new (&run, conn, setups, 2, NULL), 0);
    sim_run_advance (run, 0);
    const sim_run_point_t *ok = sim_run_point (run, 0), *bad = sim_run_point (run, 1);
    BSW_CHECK_INT (ok->code, 0);
    BSW_CHECK_INT (ok->n_metrics, 5);
    BSW_CHECK_INT (bad->code, BSW_ENUMERIC);
    BSW_CHECK_INT (bad->n_metrics, 0);
    BSW_CHECK_MSG (
        strncmp (bad->error, "the simulation diverged: non-finite state in sample ", 52) == 0 &&
            strstr (bad->error, " ms)"),
        "%s", bad->error);
    sim_run_destroy (&run);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

/*  Setups that cannot share a batch: an error, no run. */
static int
s_test_rejects_mixed (void)
{
    sim_connectivity_t *conn = sim_test_ring_new ();
    sim_setup_t setups[2];
    s_setup (&setups[0], 0, 2.0);
    s_setup (&setups[1], 1, 2.0);
    setups[1].dt = 0.05;
    sim_run_t *run = (sim_run_t *) &setups; /* overwritten on failure */
    bsw_error_t err;
    BSW_CHECK_INT (sim_run_new (&run, conn, setups, 2, &err), BSW_EINVAL);
    BSW_CHECK (run == NULL);
    BSW_CHECK (err.text[0]);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

/*  The time stamps an export writes for a stored series
    (sim_monitor_times) are the ones a run records, for every monitor. */
static int
s_test_sample_times (void)
{
    sim_connectivity_t *conn = sim_test_ring_new ();
    const sim_monitor_kind_t kinds[] = {SIM_MONITOR_TEMPORAL_AVERAGE, SIM_MONITOR_SUBSAMPLE,
                                        SIM_MONITOR_RAW};
    for (size_t m = 0; m < 3; m++) {
        sim_setup_t setup;
        sim_test_ring_setup (&setup);
        setup.monitor = kinds[m];
        if (kinds[m] == SIM_MONITOR_RAW)
            setup.period = setup.dt;
        setup.initial = NULL;
        sim_run_t *run = NULL;
        bsw_error_t err;
        BSW_CHECK_INT (sim_run_new (&run, conn, &setup, 1, &err), 0);
        sim_run_advance (run, 0);
        const sim_run_point_t *point = sim_run_point (run, 0);
        BSW_CHECK (point);
        size_t n = (size_t) point->samples;
        BSW_CHECK_INT (n, sim_setup_samples (&setup));
        double *times = bsw_calloc (n, sizeof (double));
        sim_monitor_times (&setup, times, n);
        for (size_t k = 0; k < n; k++)
            BSW_CHECK_DOUBLE_EQ (times[k], point->time[k]);
        free (times);
        sim_run_destroy (&run);
    }
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"alone_equals_batched", s_test_alone_equals_batched},
                                          {"divergence", s_test_divergence},
                                          {"rejects_mixed", s_test_rejects_mixed},
                                          {"sample_times", s_test_sample_times},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
