/*  sim_math_test.c - sim_exp and sim_sincos against libm, over the ranges
    the models reach and the edges. */
#include "bsw_test.h"
#include "sim_math.h"

#include <math.h>

/*  Distance in units in the last place of `want`. */
static double
s_ulps (double got, double want)
{
    if (got == want)
        return 0.0;
    return fabs (got - want) / (nextafter (fabs (want), INFINITY) - fabs (want));
}

/*  A reproducible spread of values in [lo, hi]. */
static double
s_point (size_t k, size_t count, double lo, double hi)
{
    double u = (double) ((k * 2654435761u) % count) / (double) count;
    return lo + (hi - lo) * u;
}

static int
s_test_exp (void)
{
    double worst = 0.0;
    const double ranges[][2] = {{-1.0, 1.0}, {-50.0, 50.0}, {-700.0, 700.0}, {-1e-8, 1e-8}};
    for (size_t r = 0; r < 4; r++)
        for (size_t k = 0; k < 200000; k++) {
            double x = s_point (k, 200000, ranges[r][0], ranges[r][1]);
            double u = s_ulps (sim_exp (x), exp (x));
            worst = u > worst ? u : worst;
            BSW_CHECK_MSG (u <= 2.0, "exp(%.17g) = %.17g, libm %.17g", x, sim_exp (x), exp (x));
        }
    BSW_CHECK_DOUBLE_EQ (sim_exp (0.0), 1.0);
    BSW_CHECK (isinf (sim_exp (710.0)) && isinf (sim_exp (1e300)) && isinf (sim_exp (INFINITY)));
    BSW_CHECK (sim_exp (-746.0) == 0.0 && sim_exp (-1e300) == 0.0 && sim_exp (-INFINITY) == 0.0);
    BSW_CHECK (isnan (sim_exp (NAN)));
    //  Near the edges of the normal range.
    BSW_CHECK (s_ulps (sim_exp (709.7), exp (709.7)) <= 2.0);
    BSW_CHECK (s_ulps (sim_exp (-708.0), exp (-708.0)) <= 2.0);
    printf ("exp: worst %.2f ulp\n", worst);
    return BSW_TEST_PASS;
}

static int
s_test_sincos (void)
{
    double worst = 0.0;
    const double ranges[][2] = {{-1.0, 1.0}, {-7.0, 7.0}, {0.0, 2000.0}, {-1e6, 1e6}};
    for (size_t r = 0; r < 4; r++)
        for (size_t k = 0; k < 200000; k++) {
            double x = s_point (k, 200000, ranges[r][0], ranges[r][1]), s, c;
            sim_sincos (x, &s, &c);
            //  Absolute error in ulps of 1: sin and cos are at most 1, and
            //  near their zeros a relative measure says nothing useful.
            double es = fabs (s - sin (x)) / 0x1p-53, ec = fabs (c - cos (x)) / 0x1p-53;
            worst = es > worst ? es : worst;
            worst = ec > worst ? ec : worst;
            BSW_CHECK_MSG (es <= 2.0 && ec <= 2.0,
                           "sincos(%.17g) = %.17g, %.17g; libm %.17g, %.17g", x, s, c, sin (x),
                           cos (x));
        }
    double s, c;
    sim_sincos (0.0, &s, &c);
    BSW_CHECK (s == 0.0 && c == 1.0);
    sim_sincos (NAN, &s, &c);
    BSW_CHECK (isnan (s) && isnan (c));
    sim_sincos (INFINITY, &s, &c);
    BSW_CHECK (isnan (s) && isnan (c));
    printf ("sincos: worst %.2f x 2^-53\n", worst);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {
    {"exp", s_test_exp}, {"sincos", s_test_sincos}, {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
