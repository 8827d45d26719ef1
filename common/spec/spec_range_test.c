/*  spec_range_test.c - TVB's Range value lists (TVB.md 7.3), bit for bit,
    and the range helpers around them (spec_range_add, spec_setup_set).

    Expected values are numpy.arange's, written as the shortest decimal that
    reads back to the same double, so == compares every bit.
*/
#include "spec.h"

#include "bsw_test.h"

//  Expands lo/hi/step and compares against `expected` exactly.
static int
s_expect (double lo, double hi, double step, const double *expected, size_t n)
{
    double *values = NULL;
    size_t n_values = 0;
    bsw_error_t err;
    int rc = spec_range_expand (lo, hi, step, "test", &values, &n_values, &err);
    BSW_CHECK_MSG (rc == 0, "(%g, %g, %g): %s", lo, hi, step, err.text);
    BSW_CHECK_MSG (n_values == n, "(%g, %g, %g): %zu values, expected %zu", lo, hi, step, n_values,
                   n);
    for (size_t i = 0; i < n; i++)
        BSW_CHECK_MSG (values[i] == expected[i], "(%g, %g, %g)[%zu] = %.17g, expected %.17g", lo,
                       hi, step, i, values[i], expected[i]);
    free (values);
    return BSW_TEST_PASS;
}

//  Usage: the tutorial's I axis, TVB's Range(-5, 5, 0.4).
static int
s_test_usage (void)
{
    double *values = NULL;
    size_t n = 0;
    bsw_error_t err;
    int rc = spec_range_expand (-5.0, 5.0, 0.4, "ranges[0]", &values, &n, &err);
    BSW_CHECK_INT (rc, 0);
    BSW_CHECK_INT (n, 25);
    BSW_CHECK_DOUBLE_EQ (values[0], -5.0);
    BSW_CHECK_DOUBLE_EQ (values[1], -4.6);
    //  The reference grid point: -5 + 15 * 0.4 is not 1.0 in floating point.
    BSW_CHECK_DOUBLE_EQ (values[15], 1.0000000000000053);
    BSW_CHECK_DOUBLE_EQ (values[24], 4.6000000000000085);
    free (values);
    return BSW_TEST_PASS;
}

//  Every row of TVB.md 7.3's table.
static int
s_test_tvb_table (void)
{
    static const double r0[] = {0.0, 0.1, 0.2};
    static const double r1[] = {0.1, 0.2, 0.30000000000000004, 0.4};
    static const double r2[] = {1.0, 1.1, 1.2000000000000002, 1.3000000000000003};
    static const double r3[] = {
        0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001,
        0.8, 0.9};
    int rc;
    if ((rc = s_expect (0.0, 0.3, 0.1, r0, 3)))
        return rc;
    //  (0.4 - 0.1) / 0.1 = 3.0000000000000004: hi is included.
    if ((rc = s_expect (0.1, 0.4, 0.1, r1, 4)))
        return rc;
    if ((rc = s_expect (1.0, 1.3, 0.1, r2, 4)))
        return rc;
    if ((rc = s_expect (0.0, 1.0, 0.1, r3, 10)))
        return rc;
    double *values = NULL;
    size_t n = 0;
    BSW_CHECK_INT (spec_range_expand (-5.0, 5.0, 0.01, "x", &values, &n, NULL), 0);
    BSW_CHECK_INT (n, 1000);
    BSW_CHECK_DOUBLE_EQ (values[1], -4.99);
    BSW_CHECK_DOUBLE_EQ (values[3], -4.970000000000001);
    BSW_CHECK_DOUBLE_EQ (values[500], -1.0658141036401503e-13);
    BSW_CHECK_DOUBLE_EQ (values[999], 4.989999999999787);
    free (values);
    return BSW_TEST_PASS;
}

//  The tutorial's a axis: 20 values, exact halves.
static int
s_test_tutorial_a (void)
{
    double expected[20];
    for (int i = 0; i < 20; i++)
        expected[i] = -5.0 + 0.5 * i;
    return s_expect (-5.0, 5.0, 0.5, expected, 20);
}

//  A step wider than the range gives [lo] (TVB.md 7.3 step 1).
static int
s_test_step_correction (void)
{
    static const double zero[] = {0.0};
    static const double two[] = {2.0};
    int rc;
    if ((rc = s_expect (0.0, 0.05, 0.1, zero, 1)))
        return rc;
    if ((rc = s_expect (0.0, 0.1, 0.1, zero, 1)))
        return rc;
    return s_expect (2.0, 3.0, 100.0, two, 1);
}

static int
s_test_expand_errors (void)
{
    static const struct {
        double lo, hi, step;
        const char *needle;
    } bad[] = {
        {0.0, 1.0, 0.0, "ranges[1]: step 0.0 is not positive"},
        {0.0, 1.0, -0.1, "step -0.1 is not positive"},
        {1.0, 1.0, 0.1, "empty range: hi 1.0 is not above lo 1.0"},
        {5.0, -5.0, 0.4, "empty range"},
        {0.0, INFINITY, 0.1, "not all finite"},
        {0.0, NAN, 0.1, "not all finite"},
        {0.0, 1.0, 1e-9, "more than 100000000"},
        {-1e308, 1e308, 1.0, "more than 100000000"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double *values = (double *) &bad; //  must come back NULL
        size_t n = 99;
        bsw_error_t err;
        int rc =
            spec_range_expand (bad[i].lo, bad[i].hi, bad[i].step, "ranges[1]", &values, &n, &err);
        BSW_CHECK_INT (rc, BSW_ESPEC);
        BSW_CHECK (values == NULL && n == 0);
        BSW_CHECK_MSG (strstr (err.text, bad[i].needle), "case %zu: \"%s\" lacks \"%s\"", i,
                       err.text, bad[i].needle);
        BSW_CHECK (strncmp (err.text, "ranges[1]: ", 11) == 0);
    }
    return BSW_TEST_PASS;
}

//  spec_setup_set: every rangeable name, and the domains.
static int
s_test_setup_set (void)
{
    sim_setup_t setup;
    sim_setup_defaults (&setup);
    bsw_error_t err;
    BSW_CHECK_INT (spec_setup_set (&setup, "model.a", 1.5, &err), 0);
    BSW_CHECK_DOUBLE_EQ (setup.params[sim_model_param_index (setup.model, "a")], 1.5);
    BSW_CHECK_INT (spec_setup_set (&setup, "model.gamma", -0.5, &err), 0);
    BSW_CHECK_DOUBLE_EQ (setup.params[sim_model_param_index (setup.model, "gamma")], -0.5);
    BSW_CHECK_INT (spec_setup_set (&setup, "coupling.a", 0.25, &err), 0);
    BSW_CHECK_DOUBLE_EQ (setup.coupling_params[SIM_CP_A], 0.25);
    BSW_CHECK_INT (spec_setup_set (&setup, "coupling.b", -1.0, &err), 0);
    BSW_CHECK_DOUBLE_EQ (setup.coupling_params[SIM_CP_B], -1.0);
    BSW_CHECK_INT (spec_setup_set (&setup, "conduction_speed", 7.0, &err), 0);
    BSW_CHECK_DOUBLE_EQ (setup.conduction_speed, 7.0);

    BSW_CHECK_INT (spec_setup_set (&setup, "conduction_speed", 0.0, &err), BSW_ESPEC);
    BSW_CHECK (strstr (err.text, "0.0 is not positive"));
    BSW_CHECK_DOUBLE_EQ (setup.conduction_speed, 7.0);
    BSW_CHECK_INT (spec_setup_set (&setup, "model.zeta", 1.0, &err), BSW_ESPEC);
    BSW_CHECK (strstr (err.text, "unknown parameter \"model.zeta\""));
    BSW_CHECK (strstr (err.text, "model.tau"));
    BSW_CHECK_INT (spec_setup_set (&setup, "dt", 0.1, &err), BSW_ESPEC);
    BSW_CHECK_INT (spec_setup_set (&setup, "model.a", NAN, &err), BSW_ESPEC);
    BSW_CHECK (strstr (err.text, "not finite"));
    //  nsig only where there is noise.
    BSW_CHECK_INT (spec_setup_set (&setup, "integrator.noise.nsig", 0.5, &err), BSW_ESPEC);
    BSW_CHECK (strstr (err.text, "HeunStochastic"));
    setup.integrator = SIM_INTEGRATOR_HEUN_STOCHASTIC;
    BSW_CHECK_INT (spec_setup_set (&setup, "integrator.noise.nsig", 0.5, &err), 0);
    BSW_CHECK_DOUBLE_EQ (setup.nsig[0], 0.5);
    BSW_CHECK_DOUBLE_EQ (setup.nsig[1], 0.5);
    BSW_CHECK_INT (spec_setup_set (&setup, "integrator.noise.nsig", -0.1, &err), BSW_ESPEC);
    BSW_CHECK (strstr (err.text, "-0.1 is negative"));
    return BSW_TEST_PASS;
}

//  spec_range_add: appends, replaces, refuses duplicates and huge sweeps.
static int
s_test_range_add (void)
{
    spec_t *spec = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (spec_load_string (&spec, "{}", 2, "t.json", NULL, &err), 0);
    double v1[] = {1.0, 2.0, 3.0};
    spec_range_t range = {.parameter = "model.a", .values = v1, .n_values = 3};
    BSW_CHECK_INT (spec_range_add (spec, &range, false, "r", &err), 0);
    BSW_CHECK (spec->ranges[0].values != v1); //  copied
    BSW_CHECK_INT (spec_points (spec), 3);
    BSW_CHECK_INT (spec_range_add (spec, &range, false, "ranges[1]", &err), BSW_ESPEC);
    BSW_CHECK (strstr (err.text, "ranges[1]: model.a is already ranged by ranges[0]"));
    range.n_values = 2;
    BSW_CHECK_INT (spec_range_add (spec, &range, true, "r", &err), 0);
    BSW_CHECK_INT (spec->n_ranges, 1);
    BSW_CHECK_INT (spec_points (spec), 2);
    //  A value out of its parameter's domain names the field and the index.
    double speeds[] = {1.0, 0.0};
    spec_range_t speed = {.parameter = "conduction_speed", .values = speeds, .n_values = 2};
    BSW_CHECK_INT (spec_range_add (spec, &speed, false, "ranges[3]", &err), BSW_ESPEC);
    BSW_CHECK_STR (err.text, "ranges[3]: values[1]: 0.0 is not positive (conduction_speed)");
    spec_range_t none = {.parameter = "coupling.a", .values = speeds, .n_values = 0};
    BSW_CHECK_INT (spec_range_add (spec, &none, false, "r", &err), BSW_ESPEC);
    //  20000 x 10000 passes the hard cap of 1e8 points.
    size_t big = 20000;
    double *many = calloc (big, sizeof *many);
    BSW_CHECK (many);
    spec_range_t wide = {.parameter = "model.a", .values = many, .n_values = big};
    BSW_CHECK_INT (spec_range_add (spec, &wide, true, "r", &err), 0);
    wide.parameter = "coupling.b";
    wide.n_values = big / 2;
    BSW_CHECK_INT (spec_range_add (spec, &wide, false, "ranges[2]", &err), BSW_ESPEC);
    BSW_CHECK (strstr (err.text, "more than 100000000 points"));
    BSW_CHECK_INT (spec->n_ranges, 1);
    wide.n_values = 5000;
    BSW_CHECK_INT (spec_range_add (spec, &wide, false, "ranges[2]", &err), 0);
    BSW_CHECK_INT (spec_points (spec), 100000000);
    free (many);
    spec_destroy (&spec);
    BSW_CHECK (spec == NULL);
    spec_destroy (&spec);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"tvb_table", s_test_tvb_table},
                                          {"tutorial_a", s_test_tutorial_a},
                                          {"step_correction", s_test_step_correction},
                                          {"expand_errors", s_test_expand_errors},
                                          {"setup_set", s_test_setup_set},
                                          {"range_add", s_test_range_add},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
