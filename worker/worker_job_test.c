/*  worker_job_test.c - the worker's lane choice per sweep, and points a
    worker cannot afford: failed with the reason, never an abort. */
#include "bsw_test.h"
#include "worker_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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

//  The spec that crash-looped a pool (a Raw monitor over 3e9 steps, 1.8 TB
//  a point) is refused when the worker reads the sweep; and a point over
//  the caps that gets to a job anyway fails with the reason.
static int
s_test_over_caps (void)
{
    worker_sweep_t *sweep = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (worker_sweep_new (&sweep, 1, NULL,
                                     "{\"monitor\": {\"type\": \"Raw\"}, "
                                     "\"simulation_length\": 3.6e7}",
                                     NULL, 0, &err),
                   BSW_ETOOBIG);
    BSW_CHECK (sweep == NULL);
    BSW_CHECK_MSG (strstr (err.text, "sweep 1: simulation_length: the series of one point"), "%s",
                   err.text);
    BSW_CHECK_INT (
        worker_sweep_new (&sweep, 1, NULL, "{\"monitor\": {\"type\": \"Raw\"}}", NULL, 0, &err), 0);
    sweep->spec->setup.simulation_length = 3.6e7;
    uint64_t points[2] = {0, 0};
    worker_job_t *job = worker_job_new (sweep, points, 2);
    worker_job_run (job);
    for (size_t k = 0; k < 2; k++) {
        BSW_CHECK_INT (job->results[k].code, BSW_ETOOBIG);
        BSW_CHECK_MSG (strstr (job->results[k].error, "the series of one point would be"), "%s",
                       job->results[k].error);
        BSW_CHECK (job->results[k].series == NULL);
    }
    worker_job_destroy (&job);
    worker_sweep_destroy (&sweep);
    return BSW_TEST_PASS;
}

//  A point within the caps whose memory is not there (an address-space
//  limit stands in for a small machine) fails with BSW_ENOMEM.
static int
s_test_no_memory (void)
{
#if defined(__SANITIZE_ADDRESS__)
    return BSW_TEST_SKIP; //  ASan's shadow memory does not live under an address-space limit
#else
    pid_t pid = fork ();
    BSW_CHECK (pid >= 0);
    if (pid == 0) {
        worker_sweep_t *sweep = NULL;
        bsw_error_t err;
        //  A series of 199 MB: within the output cap.
        if (worker_sweep_new (&sweep, 1, NULL,
                              "{\"monitor\": {\"type\": \"Raw\"}, \"simulation_length\": 2000, "
                              "\"model\": {\"variables_of_interest\": [\"V\", \"W\"]}}",
                              NULL, 0, &err))
            _exit (2);
        //  What the process has mapped now, plus 64 MiB.
        FILE *statm = fopen ("/proc/self/statm", "r");
        unsigned long pages = 0;
        if (!statm || fscanf (statm, "%lu", &pages) != 1)
            _exit (3);
        fclose (statm);
        struct rlimit limit;
        limit.rlim_cur = limit.rlim_max = pages * (rlim_t) sysconf (_SC_PAGESIZE) + (64u << 20);
        if (setrlimit (RLIMIT_AS, &limit))
            _exit (4);
        uint64_t point = 0;
        worker_job_t *job = worker_job_new (sweep, &point, 1);
        worker_job_run (job);
        int code = job->results[0].code;
        bool named = strstr (job->results[0].error, "cannot allocate") != NULL;
        if (code != BSW_ENOMEM || !named)
            fprintf (stderr, "code %d: %s\n", code, job->results[0].error);
        _exit (code == BSW_ENOMEM && named ? 0 : 5);
    }
    int status = 0;
    BSW_CHECK (waitpid (pid, &status, 0) == pid);
    BSW_CHECK_MSG (WIFEXITED (status) && WEXITSTATUS (status) == 0, "status %d", status);
    return BSW_TEST_PASS;
#endif
}

static const bsw_test_case_t s_cases[] = {{"lanes", s_test_lanes},
                                          {"over_caps", s_test_over_caps},
                                          {"no_memory", s_test_no_memory},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
