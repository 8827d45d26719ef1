/*  bench_batch.h - one timed run of a batch, shared by the core's
    benchmarks (bench_core, bench_models). Header-only. */
#ifndef BENCH_BATCH_H_INCLUDED
#define BENCH_BATCH_H_INCLUDED

#include "bsw_util.h"
#include "sim_batch.h"

#include <stdlib.h>

/*  Wall time of sim_batch_advance over the whole run of `lanes` points,
    their outputs bound (the batch's construction is not timed). Sets
    *bytes to the batch's memory with its outputs and *steps to its step
    count, when given. Aborts if the batch cannot be made. */
static inline double
bench_time_batch (const sim_connectivity_t *conn, const sim_setup_t *setups, size_t lanes,
                  size_t *bytes, uint64_t *steps)
{
    sim_batch_t *batch;
    if (sim_batch_new (&batch, conn, setups, lanes, NULL))
        abort ();
    size_t size = sim_batch_output_size (batch);
    double **out = bsw_calloc (lanes, sizeof (double *));
    for (size_t l = 0; l < lanes; l++)
        out[l] = bsw_malloc (size * sizeof (double));
    sim_batch_set_output (batch, out, NULL);
    double t0 = bsw_clock_mono_s ();
    sim_batch_advance (batch, 0);
    double t = bsw_clock_mono_s () - t0;
    if (bytes)
        *bytes = sim_batch_memory (batch) + lanes * size * sizeof (double);
    if (steps)
        *steps = sim_batch_steps (batch);
    for (size_t l = 0; l < lanes; l++)
        free (out[l]);
    free (out);
    sim_batch_destroy (&batch);
    return t;
}

#endif
