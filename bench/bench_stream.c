/*  bench_stream.c - the far input's inner loop alone: eight runs of history
    values multiplied by their weights and summed in double into one row,
    the shape of sim_batch_far.c, streamed over working sets from L1 size
    to several MB. Two variants: float32 history converted on the fly (what
    the core does, TVB's storage) and a double history (twice the bytes, no
    conversion). Prints GB/s of history read and values per nanosecond;
    asserts nothing. It tells where the core's far sums stand against this
    machine's limits (bench/README.md, "Where the core's time goes now",
    far sums).

    usage: bench_stream
*/
#include "bsw_util.h"
#include "sim_model.h" /* SIM_HOT */

#include <stdio.h>
#include <stdlib.h>

#define S_RUN     418 /* K of the tutorial: one block's run per connection */
#define S_SOURCES 8

/*  One pass: groups of eight runs, at offsets like a ring's, into acc. */
SIM_HOT static void
s_pass_float (const float *hist, size_t values, double *restrict acc)
{
    for (size_t base = 0; base + S_SOURCES * S_RUN + 16 <= values; base += S_SOURCES * S_RUN) {
        const float *r[S_SOURCES];
        for (size_t m = 0; m < S_SOURCES; m++)
            r[m] = hist + base + m * S_RUN + (m * 5) % 16; /* unaligned, as delays make them */
        for (size_t x = 0; x < S_RUN; x++) {
            double sum = acc[x];
            for (size_t m = 0; m < S_SOURCES; m++)
                sum += 0.75 * (double) r[m][x];
            acc[x] = sum;
        }
    }
}

SIM_HOT static void
s_pass_double (const double *hist, size_t values, double *restrict acc)
{
    for (size_t base = 0; base + S_SOURCES * S_RUN + 16 <= values; base += S_SOURCES * S_RUN) {
        const double *r[S_SOURCES];
        for (size_t m = 0; m < S_SOURCES; m++)
            r[m] = hist + base + m * S_RUN + (m * 5) % 16;
        for (size_t x = 0; x < S_RUN; x++) {
            double sum = acc[x];
            for (size_t m = 0; m < S_SOURCES; m++)
                sum += 0.75 * r[m][x];
            acc[x] = sum;
        }
    }
}

int
main (void)
{
    const size_t sizes_kb[] = {32, 256, 1024, 1536, 3072, 8192};
    double *acc = bsw_calloc (S_RUN, sizeof (double));
    printf ("far-sum loop, 8 sources per pass, runs of %d values, best of 5\n", S_RUN);
    printf ("%10s %22s %22s\n", "set (KB)", "float32 GB/s (val/ns)", "double GB/s (val/ns)");
    for (size_t s = 0; s < sizeof sizes_kb / sizeof *sizes_kb; s++) {
        size_t bytes = sizes_kb[s] * 1024;
        double rate[2];
        for (int kind = 0; kind < 2; kind++) {
            size_t width = kind ? sizeof (double) : sizeof (float);
            size_t values = bytes / width;
            void *hist = bsw_calloc (values, width);
            for (size_t k = 0; k < values; k++)
                if (kind)
                    ((double *) hist)[k] = (double) (k % 97) * 1e-3;
                else
                    ((float *) hist)[k] = (float) (k % 97) * 1e-3f;
            size_t passes = 400u * 1024 * 1024 / bytes + 1; /* ~400 MB read per timing */
            double best = 1e30;
            for (int r = 0; r < 5; r++) {
                double t0 = bsw_clock_mono_s ();
                for (size_t p = 0; p < passes; p++)
                    if (kind)
                        s_pass_double (hist, values, acc);
                    else
                        s_pass_float (hist, values, acc);
                double t = bsw_clock_mono_s () - t0;
                best = t < best ? t : best;
            }
            size_t groups = (values - 16) / (S_SOURCES * S_RUN);
            rate[kind] =
                (double) passes * (double) (groups * S_SOURCES * S_RUN) / best; /* values/s */
            free (hist);
            if (kind)
                printf (" %10.1f (%4.1f)\n", rate[1] * 8 / 1e9, rate[1] / 1e9);
            else
                printf ("%10zu %14.1f (%4.1f)", sizes_kb[s], rate[0] * 4 / 1e9, rate[0] / 1e9);
        }
    }
    printf ("(checksum %g)\n", acc[7]);
    free (acc);
    return 0;
}
