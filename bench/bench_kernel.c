/*  bench_kernel.c - the Generic 2D Oscillator's tile kernel alone: one
    coupling block of the tutorial (K = 418 steps, no noise, TemporalAverage
    of V, the model's defaults), for 1 to 5 tiles side by side, in ns and in
    cycles per tile-step. One tile alone shows the dependency chain of a
    step; five show the throughput the core gets (bench/README.md, "Where
    the core's time goes now"). The clock is estimated with a chain of
    dependent integer multiplies (3 cycles each). Prints a table; asserts
    nothing. Needs an AVX-512 machine (the kernel the core runs there).

    usage: bench_kernel
*/
#include "bsw_util.h"
#include "sim_g2d_avx512.h"
#include "sim_model.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_K      418 /* the tutorial's block */
#define S_TILES  5
#define S_BLOCKS 50

/*  GHz from 3 x 10^8 dependent 64-bit multiplies (3 cycles each). */
static double
s_clock_ghz (void)
{
    uint64_t x = 3, n = 100000000;
    double t0 = bsw_clock_mono_s ();
    for (uint64_t i = 0; i < n; i++)
        __asm__ volatile("imul %0, %0\n\timul %0, %0\n\timul %0, %0" : "+r"(x));
    return 9.0 * (double) n / (bsw_clock_mono_s () - t0) / 1e9;
}

int
main (void)
{
#if SIM_HAVE_AVX512
    if (!sim_avx512_usable ()) {
        puts ("bench_kernel: this CPU has no AVX-512; nothing to measure");
        return 0;
    }
    const sim_model_desc_t *model = &sim_g2d_model;
    enum { X = S_TILES * SIM_TILE };
    double *far = bsw_aligned_calloc (S_TILES * S_K * SIM_TILE * sizeof (double));
    float *vhist = bsw_aligned_calloc (S_TILES * S_K * SIM_TILE * sizeof (float));
    double params[SIM_MAX_PARAMS], sw[X], cpar[SIM_MAX_COUPLING_PARAMS * X], state[2 * X], sum[X],
        samples[16 * X];
    double *ca = cpar + SIM_CP_A * X, *cb = cpar + SIM_CP_B * X;
    for (size_t k = 0; k < S_TILES * S_K * SIM_TILE; k++)
        far[k] = 0.01 * (double) (k % 7);
    for (size_t q = 0; q < model->n_params; q++)
        params[q] = model->params[q].default_value;
    for (size_t x = 0; x < X; x++) {
        sw[x] = 0.5;
        ca[x] = 0.00390625;
        cb[x] = 0.0;
        state[x] = 0.1 * (double) (x % 5);
        state[X + x] = -0.2 * (double) (x % 3);
    }
    memset (sum, 0, sizeof sum);
    double ghz = s_clock_ghz ();
    printf ("tile kernel alone: block of %d steps, %d blocks, best of 20; clock ~%.2f GHz\n", S_K,
            S_BLOCKS, ghz);
    printf ("%6s %18s %22s\n", "tiles", "ns per tile-step", "cycles per tile-step");
    for (size_t tiles = 1; tiles <= S_TILES; tiles++) {
        sim_tile_t tile = {.k0 = 0,
                           .k1 = S_K,
                           .vectors = tiles,
                           .block = S_K,
                           .far = far,
                           .self_weight = sw,
                           .cpar = cpar,
                           .params = params,
                           .period = 1,
                           .dt = 0.01220703125,
                           .state = state,
                           .stride = X,
                           .vhist = vhist,
                           .monitor = SIM_MONITOR_TEMPORAL_AVERAGE,
                           .istep = 80,
                           .n_voi = 1,
                           .voi = {0},
                           .sum = sum,
                           .samples = samples};
        double best = 1e30;
        for (int r = 0; r < 20; r++) {
            double t0 = bsw_clock_mono_s ();
            for (int b = 0; b < S_BLOCKS; b++) {
                tile.step0 = 1 + (uint64_t) b * S_K;
                sim_g2d_tile_avx512 (&tile);
            }
            double t = bsw_clock_mono_s () - t0;
            best = t < best ? t : best;
        }
        double ns = best * 1e9 / ((double) S_BLOCKS * S_K * (double) tiles);
        printf ("%6zu %18.2f %22.1f\n", tiles, ns, ns * ghz);
    }
    free (far);
    free (vhist);
#else
    puts ("bench_kernel: built without the AVX-512 kernels; nothing to measure");
#endif
    return 0;
}
