/*  worker_job_test.c - the worker's lane choice per sweep. */
#include "bsw_test.h"
#include "worker_job.h"

#include <string.h>

static worker_sweep_t *
s_sweep_of (size_t nodes)
{
    //  The built-in default connectivity has 76 regions; others come as
    //  a zip, which the choice does not need: only conn->n matters.
    worker_sweep_t *sweep = NULL;
    bsw_error_t err;
    if (worker_sweep_new (&sweep, 1, NULL, "{}", NULL, 0, &err))
        return NULL;
    sim_connectivity_destroy (&sweep->conn);
    sweep->conn = sim_connectivity_new (nodes);
    return sweep;
}

/*  Usage: large connectivities run one lane, small ones fill a vector row,
    --lanes wins, and the memory cap wins over everything. */
static int
s_test_lanes (void)
{
    const struct {
        size_t nodes, requested, max_lanes, expected;
    } cases[] = {
        {76, 0, 100, 1},  {998, 0, 100, 1}, {64, 0, 100, 1}, {63, 0, 100, 2},
        {20, 0, 100, 4},  {4, 0, 100, 8},   {1, 0, 100, 8},  {76, 3, 100, 3},
        {4, 16, 100, 16}, {4, 0, 2, 2},     {76, 8, 5, 5},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        worker_sweep_t *sweep = s_sweep_of (cases[k].nodes);
        BSW_CHECK (sweep);
        sweep->max_lanes = cases[k].max_lanes;
        BSW_CHECK_MSG (worker_sweep_lanes (sweep, cases[k].requested) == cases[k].expected,
                       "%zu nodes, --lanes %zu, cap %zu: got %zu, expected %zu", cases[k].nodes,
                       cases[k].requested, cases[k].max_lanes,
                       worker_sweep_lanes (sweep, cases[k].requested), cases[k].expected);
        worker_sweep_destroy (&sweep);
    }
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"lanes", s_test_lanes}, {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
