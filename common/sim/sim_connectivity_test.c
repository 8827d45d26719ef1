/*  sim_connectivity_test.c - the in-memory connectivity: the built-in
    default connectome, checks, delays (TVB.md 2.2) and GIDs.

    The default's figures below (non-zeros, horizon, GID) are pinned: they
    change only if its documented rule in sim_connectivity.c changes, and
    then every stored result that names "default" changes meaning too.
*/
#include "sim_connectivity.h"
#include "bsw_test.h"

#include <stdbool.h>

#define S_DT_MS      0.01220703125 /* TVB's default dt, 2^-6 * 0.78125 */
#define S_SPEED_MMMS 3.0           /* TVB's Connectivity.speed */

//  Figures of the default connectome, pinned.
#define S_DEFAULT_NONZERO   1536
#define S_DEFAULT_DIAGONAL  64
#define S_DEFAULT_MAX_TRACT 154.20531850122754
#define S_DEFAULT_HORIZON   4212
#define S_DEFAULT_GID       "7db4bdc2-d788-5ac9-adba-363c3401578f"

//  Usage: build, check, summarise, compute delays, destroy.
static int
s_test_usage (void)
{
    sim_connectivity_t *conn = sim_connectivity_new_default ();
    bsw_error_t err;
    BSW_CHECK_INT (sim_connectivity_check (conn, &err), 0);
    BSW_CHECK_INT (conn->n, 76);
    BSW_CHECK_STR (conn->region_labels[0], "rR01");
    BSW_CHECK_STR (conn->region_labels[75], "lR38");

    int *idelays = malloc (conn->n * conn->n * sizeof (int));
    size_t horizon = sim_connectivity_idelays (conn, S_SPEED_MMMS, S_DT_MS, idelays, &err);
    BSW_CHECK (horizon > 1);

    char gid[37];
    sim_connectivity_gid (conn, gid);
    BSW_CHECK_INT (strlen (gid), 36);

    free (idelays);
    sim_connectivity_destroy (&conn);
    BSW_CHECK (conn == NULL);
    sim_connectivity_destroy (&conn); // harmless the second time
    sim_connectivity_destroy (NULL);
    return BSW_TEST_PASS;
}

//  The pinned figures of the default connectome.
static int
s_test_default_figures (void)
{
    sim_connectivity_t *conn = sim_connectivity_new_default ();
    size_t n = conn->n;
    BSW_CHECK_INT (sim_connectivity_nonzero (conn), S_DEFAULT_NONZERO);
    BSW_CHECK (!sim_connectivity_undirected (conn));

    size_t diagonal = 0, right = 0;
    double max_tract = 0, max_weight = 0;
    for (size_t i = 0; i < n; i++) {
        diagonal += conn->weights[i * n + i] != 0;
        right += conn->hemispheres[i];
        BSW_CHECK (conn->hemispheres[i] == (conn->region_labels[i][0] == 'r'));
        BSW_CHECK (conn->cortical[i]);
        BSW_CHECK_DOUBLE_EQ (conn->tract_lengths[i * n + i], 0.0);
        for (size_t j = 0; j < n; j++) {
            double w = conn->weights[i * n + j];
            BSW_CHECK (w >= 0 && w <= 3.0);
            BSW_CHECK_DOUBLE_EQ (conn->tract_lengths[i * n + j], conn->tract_lengths[j * n + i]);
            max_tract = fmax (max_tract, conn->tract_lengths[i * n + j]);
            max_weight = fmax (max_weight, w);
        }
    }
    BSW_CHECK_INT (diagonal, S_DEFAULT_DIAGONAL);
    BSW_CHECK_INT (right, 38);
    BSW_CHECK_DOUBLE_EQ (max_weight, 3.0);
    BSW_CHECK_MSG (fabs (max_tract - S_DEFAULT_MAX_TRACT) < 1e-9, "max tract %.17g", max_tract);

    //  Every row has some afferents and none is fully connected.
    for (size_t i = 0; i < n; i++) {
        size_t row = 0;
        for (size_t j = 0; j < n; j++)
            row += conn->weights[i * n + j] != 0;
        BSW_CHECK_MSG (row >= 8 && row <= 40, "row %zu has %zu links", i, row);
    }

    //  Region k+38 mirrors region k.
    for (size_t k = 0; k < 38; k++) {
        BSW_CHECK_DOUBLE_EQ (conn->centres[3 * (k + 38)], -conn->centres[3 * k]);
        BSW_CHECK_DOUBLE_EQ (conn->centres[3 * (k + 38) + 1], conn->centres[3 * k + 1]);
        BSW_CHECK (conn->centres[3 * k] > 0);
    }

    bsw_error_t err;
    int *idelays = malloc (n * n * sizeof (int));
    BSW_CHECK_INT (sim_connectivity_idelays (conn, S_SPEED_MMMS, S_DT_MS, idelays, &err),
                   S_DEFAULT_HORIZON);
    free (idelays);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

//  Two builds are identical, bit for bit, and so are their GIDs.
static int
s_test_default_deterministic (void)
{
    sim_connectivity_t *a = sim_connectivity_new_default ();
    sim_connectivity_t *b = sim_connectivity_new_default ();
    size_t n = a->n;
    BSW_CHECK (memcmp (a->weights, b->weights, n * n * sizeof (double)) == 0);
    BSW_CHECK (memcmp (a->tract_lengths, b->tract_lengths, n * n * sizeof (double)) == 0);
    BSW_CHECK (memcmp (a->centres, b->centres, n * 3 * sizeof (double)) == 0);
    char gid_a[37], gid_b[37];
    sim_connectivity_gid (a, gid_a);
    sim_connectivity_gid (b, gid_b);
    BSW_CHECK_STR (gid_a, gid_b);
    //  Pinned, so a change of the rule (or of a machine's arithmetic)
    //  shows up here rather than as a silently different GID in results.
    BSW_CHECK_STR (gid_a, S_DEFAULT_GID);

    //  Any change of content changes the GID.
    b->weights[5] += 0.125;
    sim_connectivity_gid (b, gid_b);
    BSW_CHECK (strcmp (gid_a, gid_b) != 0);
    b->weights[5] -= 0.125;
    free (b->region_labels[3]);
    b->region_labels[3] = strdup ("rR99");
    sim_connectivity_gid (b, gid_b);
    BSW_CHECK (strcmp (gid_a, gid_b) != 0);
    sim_connectivity_destroy (&a);
    sim_connectivity_destroy (&b);
    return BSW_TEST_PASS;
}

//  An empty connectivity: zeroed matrices, TVB's default labels.
static int
s_test_new (void)
{
    sim_connectivity_t *conn = sim_connectivity_new (3);
    BSW_CHECK_STR (conn->region_labels[0], "region_000");
    BSW_CHECK_STR (conn->region_labels[2], "region_002");
    BSW_CHECK (!conn->hemispheres && !conn->cortical && !conn->areas && !conn->orientations);
    BSW_CHECK_INT (sim_connectivity_nonzero (conn), 0);
    BSW_CHECK (sim_connectivity_undirected (conn));
    conn->weights[1] = 2.0; // 0 <- 1 only
    BSW_CHECK (!sim_connectivity_undirected (conn));
    conn->weights[3] = 2.0; // 1 <- 0 as well
    BSW_CHECK (sim_connectivity_undirected (conn));
    BSW_CHECK_INT (sim_connectivity_nonzero (conn), 2);
    bsw_error_t err;
    BSW_CHECK_INT (sim_connectivity_check (conn, &err), 0);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

//  rint is numpy's: exact halves go to the even neighbour.
static int
s_test_idelays_half_even (void)
{
    sim_connectivity_t *conn = sim_connectivity_new (2);
    //  tract / 3 / dt is exactly 2.5 and 3.5 steps: dt is dyadic, and
    //  7.5 dt and 10.5 dt are exact doubles, as are their thirds.
    conn->tract_lengths[1] = 2.5 * S_SPEED_MMMS * S_DT_MS;
    conn->tract_lengths[2] = 3.5 * S_SPEED_MMMS * S_DT_MS;
    BSW_CHECK_DOUBLE_EQ (conn->tract_lengths[1] / S_SPEED_MMMS / S_DT_MS, 2.5);
    BSW_CHECK_DOUBLE_EQ (conn->tract_lengths[2] / S_SPEED_MMMS / S_DT_MS, 3.5);
    int idelays[4] = {-1, -1, -1, -1};
    bsw_error_t err;
    size_t horizon = sim_connectivity_idelays (conn, S_SPEED_MMMS, S_DT_MS, idelays, &err);
    BSW_CHECK_INT (idelays[0], 0);
    BSW_CHECK_INT (idelays[1], 2); // 2.5 -> 2
    BSW_CHECK_INT (idelays[2], 4); // 3.5 -> 4
    BSW_CHECK_INT (idelays[3], 0);
    BSW_CHECK_INT (horizon, 5);

    //  0.5 -> 0, 1.5 -> 2 at speed 1, dt 1.
    conn->tract_lengths[1] = 0.5;
    conn->tract_lengths[2] = 1.5;
    BSW_CHECK_INT (sim_connectivity_idelays (conn, 1.0, 1.0, idelays, &err), 3);
    BSW_CHECK_INT (idelays[1], 0);
    BSW_CHECK_INT (idelays[2], 2);

    //  The horizon follows the longest tract even where the weight is 0.
    BSW_CHECK_INT (sim_connectivity_nonzero (conn), 0);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

//  Delays that do not fit an int are an error, not a wrap-around.
static int
s_test_idelays_overflow (void)
{
    sim_connectivity_t *conn = sim_connectivity_new (2);
    conn->tract_lengths[2] = 1e12;
    bsw_error_t err;
    bsw_error_clear (&err);
    int idelays[4];
    BSW_CHECK_INT (sim_connectivity_idelays (conn, 3.0, 0.001, idelays, &err), 0);
    BSW_CHECK_INT (err.code, BSW_ECONNECTIVITY);
    BSW_CHECK_MSG (strstr (err.text, "tract_lengths[1][0]") && strstr (err.text, "int"), "%s",
                   err.text);
    BSW_CHECK_INT (sim_connectivity_idelays (conn, 0.0, 0.001, idelays, &err), 0);
    BSW_CHECK_INT (err.code, BSW_ECONNECTIVITY);
    BSW_CHECK_MSG (strstr (err.text, "positive"), "%s", err.text);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

//  check() names the entry and the value.
static int
s_test_check_rejects (void)
{
    static const struct {
        const char *array;
        size_t index;
        double value;
        const char *message;
    } cases[] = {
        {"tract_lengths", 7, -1.0, "tract_lengths[2][1] = -1 is negative"},
        {"tract_lengths", 1, NAN, "tract_lengths[0][1] = nan is not finite"},
        {"weights", 4, NAN, "weights[1][1] = nan is not finite"},
        {"weights", 8, INFINITY, "weights[2][2] = inf is not finite"},
        {"centres", 5, -INFINITY, "centres[1][2] = -inf is not finite"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        sim_connectivity_t *conn = sim_connectivity_new (3);
        double *array = strcmp (cases[c].array, "weights") == 0   ? conn->weights
                        : strcmp (cases[c].array, "centres") == 0 ? conn->centres
                                                                  : conn->tract_lengths;
        array[cases[c].index] = cases[c].value;
        bsw_error_t err;
        BSW_CHECK_INT (sim_connectivity_check (conn, &err), BSW_ECONNECTIVITY);
        BSW_CHECK_STR (err.text, cases[c].message);
        sim_connectivity_destroy (&conn);
    }
    //  Negative weights are allowed (inhibitory connectomes); a lone
    //  region is not a network.
    sim_connectivity_t *conn = sim_connectivity_new (2);
    conn->weights[1] = -0.5;
    bsw_error_t err;
    BSW_CHECK_INT (sim_connectivity_check (conn, &err), 0);
    sim_connectivity_destroy (&conn);
    conn = sim_connectivity_new (1);
    BSW_CHECK_INT (sim_connectivity_check (conn, &err), BSW_ECONNECTIVITY);
    BSW_CHECK_STR (err.text, "1 region: a connectivity needs at least 2");
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"default_figures", s_test_default_figures},
                                          {"default_deterministic", s_test_default_deterministic},
                                          {"new", s_test_new},
                                          {"idelays_half_even", s_test_idelays_half_even},
                                          {"idelays_overflow", s_test_idelays_overflow},
                                          {"check_rejects", s_test_check_rejects},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
