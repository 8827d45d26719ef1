/*  bench_core.c - the numerical core's speed on the tutorial simulation
    (Generic 2D Oscillator, built-in 76-region connectivity, 1000 ms at
    dt 0.01220703125 = 81920 steps, TemporalAverage), on one thread:
    ms per simulation for one lane and for batches of 2, 4, 8 and 16 lanes,
    plus the batch's memory. Prints a table; asserts nothing.

    The repeats go round the lane counts (1, 2, 4, ..., 1, 2, 4, ...), so a
    few seconds when the machine is slower (a VM's neighbours) touch every
    lane count alike; the table gives each one's best run and its median.

    usage: bench_core [REPEATS [LANES]]   (default 3 repeats; LANES runs one
    lane count only)
*/
#include "bench_batch.h"
#include "sim_metric.h"

#include <stdio.h>
#include <stdlib.h>

/*  Wall time of one run of a batch of `lanes` tutorial points. */
static double
s_time_batch (const sim_connectivity_t *conn, size_t lanes, size_t *bytes)
{
    sim_setup_t *setups = bsw_calloc (lanes, sizeof (sim_setup_t));
    for (size_t l = 0; l < lanes; l++) {
        sim_setup_defaults (&setups[l]);
        setups[l].params[sim_model_param_index (setups[l].model, "I")] = -5.0 + 0.4 * (double) l;
        setups[l].params[sim_model_param_index (setups[l].model, "a")] = 2.0;
        setups[l].point_index = l;
    }
    double t = bench_time_batch (conn, setups, lanes, bytes, NULL);
    free (setups);
    return t;
}

static int
s_compare (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
    int repeats = argc > 1 ? atoi (argv[1]) : 3;
    if (repeats < 1)
        repeats = 1;
    sim_connectivity_t *conn = sim_connectivity_new_default ();
    size_t lanes_list[] = {1, 2, 4, 8, 16};
    if (argc > 2)
        lanes_list[0] = (size_t) atoi (argv[2]);
    size_t count = argc > 2 ? 1 : sizeof lanes_list / sizeof *lanes_list;
    double *times = bsw_calloc (count * (size_t) repeats, sizeof (double));
    size_t bytes[sizeof lanes_list / sizeof *lanes_list] = {0};
    for (int r = 0; r < repeats; r++)
        for (size_t k = 0; k < count; k++)
            times[k * (size_t) repeats + (size_t) r] =
                s_time_batch (conn, lanes_list[k], &bytes[k]);
    printf ("core: tutorial simulation (76 regions, 81920 steps), one thread, %d repeats\n",
            repeats);
    printf ("%6s %14s %16s %16s %10s\n", "lanes", "ms per batch", "ms per simulation",
            "median ms/sim", "batch MB");
    for (size_t k = 0; k < count; k++) {
        double *t = times + k * (size_t) repeats, lanes = (double) lanes_list[k];
        qsort (t, (size_t) repeats, sizeof *t, s_compare);
        double median = repeats % 2 ? t[repeats / 2] : (t[repeats / 2 - 1] + t[repeats / 2]) / 2;
        printf ("%6zu %14.1f %16.1f %16.1f %10.1f\n", lanes_list[k], t[0] * 1e3, t[0] * 1e3 / lanes,
                median * 1e3 / lanes, (double) bytes[k] / 1e6);
    }
    free (times);
    sim_connectivity_destroy (&conn);
    return 0;
}
