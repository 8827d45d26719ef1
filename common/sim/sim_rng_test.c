/*  sim_rng_test.c - MT19937 and numpy's legacy conversions against
    published values. */
#include "bsw_test.h"
#include "sim_rng.h"

/*  Usage: the stream of point 0 is numpy's RandomState(seed). */
static int
s_test_numpy_random_state (void)
{
    sim_rng_t rng;
    sim_rng_init (&rng, 42, 0);
    //  numpy.random.RandomState(42).random_sample() -> 0.3745401188473625
    BSW_CHECK_DOUBLE_EQ (sim_rng_double (&rng), 0.3745401188473625);
    BSW_CHECK_DOUBLE_EQ (sim_rng_double (&rng), 0.9507143064099162);
    //  RandomState(42).standard_normal(2) -> 0.4967141530112327, -0.13826430117118466
    sim_rng_init (&rng, 42, 0);
    BSW_CHECK_DOUBLE_EQ (sim_rng_gauss (&rng), 0.4967141530112327);
    BSW_CHECK_DOUBLE_EQ (sim_rng_gauss (&rng), -0.13826430117118466);
    sim_rng_init (&rng, 0, 0);
    BSW_CHECK_DOUBLE_EQ (sim_rng_double (&rng), 0.5488135039273248);
    return BSW_TEST_PASS;
}

/*  The reference output of mt19937ar.c (init_by_array {0x123, 0x234,
    0x345, 0x456}) and of init_genrand(5489). */
static int
s_test_mt19937_vectors (void)
{
    sim_rng_t rng;
    uint32_t key[4] = {0x123, 0x234, 0x345, 0x456};
    sim_rng_init_by_array (&rng, key, 4);
    BSW_CHECK_INT (sim_rng_u32 (&rng), 1067595299U);
    BSW_CHECK_INT (sim_rng_u32 (&rng), 955945823U);
    BSW_CHECK_INT (sim_rng_u32 (&rng), 477289528U);
    sim_rng_init_genrand (&rng, 5489);
    BSW_CHECK_INT (sim_rng_u32 (&rng), 3499211612U);
    //  The 10000th output of the default seed is 4123659995.
    for (int k = 1; k < 9999; k++)
        sim_rng_u32 (&rng);
    BSW_CHECK_INT (sim_rng_u32 (&rng), 4123659995U);
    return BSW_TEST_PASS;
}

/*  Streams of different points differ; the same point repeats exactly. */
static int
s_test_point_streams (void)
{
    sim_rng_t a, b, c;
    sim_rng_init (&a, 42, 7);
    sim_rng_init (&b, 42, 7);
    sim_rng_init (&c, 42, 8);
    int same_c = 0;
    for (int k = 0; k < 100; k++) {
        double x = sim_rng_gauss (&a), y = sim_rng_gauss (&b), z = sim_rng_gauss (&c);
        BSW_CHECK_DOUBLE_EQ (x, y);
        same_c += x == z;
    }
    BSW_CHECK (same_c < 5);
    return BSW_TEST_PASS;
}

/*  The bulk fill gives exactly the values of successive sim_rng_double
    calls, across several regenerations of the state and odd chunk sizes,
    and leaves the stream where they would. */
static int
s_test_fill_matches_single_draws (void)
{
    sim_rng_t a, b;
    sim_rng_init (&a, 42, 3);
    sim_rng_init (&b, 42, 3);
    static double bulk[5000];
    size_t sizes[] = {1, 311, 623, 624, 1000, 2041};
    size_t done = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        sim_rng_fill_double (&a, bulk + done, sizes[s]);
        done += sizes[s];
    }
    for (size_t k = 0; k < done; k++)
        BSW_CHECK_MSG (bulk[k] == sim_rng_double (&b), "value %zu differs", k);
    BSW_CHECK_DOUBLE_EQ (sim_rng_double (&a), sim_rng_double (&b));
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {
    {"numpy_random_state", s_test_numpy_random_state},
    {"fill_matches_single_draws", s_test_fill_matches_single_draws},
    {"mt19937_vectors", s_test_mt19937_vectors},
    {"point_streams", s_test_point_streams},
    {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
