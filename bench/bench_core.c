/*  bench_core.c - the numerical core's speed on the tutorial simulation
    (Generic 2D Oscillator, built-in 76-region connectivity, 1000 ms at
    dt 0.01220703125 = 81920 steps, TemporalAverage), on one thread:
    ms per simulation for one lane and for batches of 2, 4, 8 and 16 lanes,
    plus the batch's memory. Prints a table; asserts nothing.

    usage: bench_core [REPEATS [LANES]]   (default 3 repeats, the best run
    counts; LANES runs one lane count only)
*/
#include "bsw_util.h"
#include "sim_batch.h"
#include "sim_metric.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
s_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/*  Best wall time of `repeats` runs of a batch of `lanes` tutorial points. */
static double
s_time_batch (const sim_connectivity_t *conn, size_t lanes, int repeats, size_t *bytes)
{
    sim_setup_t *setups = bsw_calloc (lanes, sizeof (sim_setup_t));
    for (size_t l = 0; l < lanes; l++) {
        sim_setup_defaults (&setups[l]);
        setups[l].params[sim_model_param_index (setups[l].model, "I")] = -5.0 + 0.4 * (double) l;
        setups[l].params[sim_model_param_index (setups[l].model, "a")] = 2.0;
        setups[l].point_index = l;
    }
    double best = 1e30;
    for (int r = 0; r < repeats; r++) {
        sim_batch_t *batch;
        if (sim_batch_new (&batch, conn, setups, lanes, NULL))
            abort ();
        size_t size = sim_batch_output_size (batch);
        double **out = bsw_calloc (lanes, sizeof (double *));
        for (size_t l = 0; l < lanes; l++)
            out[l] = bsw_malloc (size * sizeof (double));
        sim_batch_set_output (batch, out, NULL);
        double t0 = s_now ();
        sim_batch_advance (batch, 0);
        double t = s_now () - t0;
        best = t < best ? t : best;
        *bytes = sim_batch_memory (batch) + lanes * size * sizeof (double);
        for (size_t l = 0; l < lanes; l++)
            free (out[l]);
        free (out);
        sim_batch_destroy (&batch);
    }
    free (setups);
    return best;
}

int
main (int argc, char **argv)
{
    int repeats = argc > 1 ? atoi (argv[1]) : 3;
    sim_connectivity_t *conn = sim_connectivity_new_default ();
    printf ("core: tutorial simulation (76 regions, 81920 steps), one thread, best of %d\n",
            repeats);
    printf ("%6s %14s %16s %14s\n", "lanes", "ms per batch", "ms per simulation", "batch MB");
    size_t lanes_list[] = {1, 2, 4, 8, 16};
    if (argc > 2) {
        lanes_list[0] = (size_t) atoi (argv[2]);
    }
    size_t count = argc > 2 ? 1 : sizeof lanes_list / sizeof *lanes_list;
    for (size_t k = 0; k < count; k++) {
        size_t bytes = 0;
        double t = s_time_batch (conn, lanes_list[k], repeats, &bytes);
        printf ("%6zu %14.1f %16.1f %14.1f\n", lanes_list[k], t * 1e3,
                t * 1e3 / (double) lanes_list[k], (double) bytes / 1e6);
    }
    sim_connectivity_destroy (&conn);
    return 0;
}
