/*  sim_tile.h - one tile of a batch (8 elements x = node * L + lane, one
    AVX-512 vector of doubles) integrated over consecutive steps of one
    coupling block.

    Within a block the far input of every step is already summed, and the
    only other input, the zero-delay self-connection, is the element's own
    state: elements are independent for the whole block. So the batch runs
    the block tile by tile, each tile through all its steps with its state
    in registers, instead of every element through one step at a time: the
    coupling, the Heun step, the history value and the monitor of a step
    are one pass over eight registers, and nothing is transposed per step.

    A model provides the tile function (sim_model_desc_t.tile), built from
    its own derivatives by sim_tile_heun.h for any coupling, and may add a
    faster one for Linear coupling (tile_linear; the Generic 2D
    Oscillator's). Both read the fields below; the channel fields serve the
    couplings of sim_coupling.h.
*/
#ifndef SIM_TILE_H_INCLUDED
#define SIM_TILE_H_INCLUDED

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_coupling.h"
#include "sim_setup.h"

#define SIM_TILE      8 /* elements per tile */
#define SIM_MAX_TILES 5 /* tiles side by side in one kernel call, at most */
#define SIM_TILE_W    (SIM_TILE * SIM_MAX_TILES)

struct sim_tile_t {
    size_t k0, k1;             /* the block's steps k0 .. k1-1 */
    size_t vectors;            /* tiles side by side (1 to 5), each SIM_TILE elements further on */
    size_t block;              /* K: tile u's far input starts K * SIM_TILE after tile u-1's */
    uint64_t step0;            /* step number of k0 (steps count from 1) */
    const double *far;         /* tile u's far input of step k: far + (u * K + k) * SIM_TILE;
                          channel ch's far + ch * sim_tile_far_chan (tile) */
    const double *self_weight; /* SIM_TILE per tile */
    const double *row_weight;  /* SIM_TILE per tile: the sum of the element's far weights */
    sim_coupling_kind_t coupling_kind;
    size_t n_chan;        /* channels stored and summed per node (sim_coupling.h) */
    const double *cpar;   /* coupling parameter q of element t: cpar[q * stride + t]; per lane,
                           so when vectors > 1 (lanes divide 8) every tile's are the first's */
    const double *params; /* element t's parameter q: params[q * period + (period == 1 ? 0 : t)]
                             (period 1 or 8 when vectors > 1: the tiles share them) */
    size_t period;
    double dt;
    const double *noise; /* step k0 + j, variable v: noise + (j * n_state + v) * stride; or NULL */
    double *state;       /* variable v at state + v * stride */
    size_t stride;       /* the batch's row length */
    float *vhist;        /* out: tile u's channel 0 after step k0 + j at
                             vhist + (u * K + j) * SIM_TILE; channel ch's vhist +
                             ch * sim_tile_vhist_chan (tile) */
    sim_monitor_kind_t monitor;
    uint64_t istep; /* steps per sample */
    size_t n_voi;
    int voi[SIM_MAX_VOI];
    double *sum; /* TemporalAverage window sums: VOI v at sum + v * stride */
    double
        *samples; /* out: the chunk's j-th sample, VOI v, at samples + (j * n_voi + v) * stride */
};

/*  x rounded to float32 and back, as TVB's float32 history rounds it.
    A GCC 12 bug to know of: at -O3 its basic-block (SLP) vectoriser turns
    `p[k][t] = (double) (float) x[t]` over a fixed SIM_TILE t inside a loop
    over k into a plain copy, the rounding lost. The generic kernel
    (sim_tile_heun.h) loops to a width known only at run time, which the
    loop vectoriser compiles correctly; sim_batch_test's kernels_agree and
    sim_models_test fail if the rounding goes missing again. */
SIM_INLINE double
sim_f32 (double x)
{
    return (double) (float) x;
}

/*  The coupling of one element: its far input, then its zero-delay self-
    connection (the state rounded to float32 as the history stores it; the
    product of two float32 values is exact, so the fma rounds as
    sum + w * V would), then a * sum + b, one fma. */
SIM_INLINE double
sim_tile_coupling (const sim_tile_t *tile, const double *far, size_t t, double cvar)
{
    double sum = fma (tile->self_weight[t], (double) (float) cvar, far[t]);
    return fma (tile->cpar[SIM_CP_A * tile->stride + t], sum,
                tile->cpar[SIM_CP_B * tile->stride + t]);
}

/*  Distance between channels in a tile's far input: the batch's far input
    is [channel][tile][K][SIM_TILE], K * stride doubles per channel. */
SIM_INLINE size_t
sim_tile_far_chan (const sim_tile_t *tile)
{
    return tile->block * tile->stride;
}

/*  Distance between channels in vhist: [channel][SIM_MAX_TILES][K][SIM_TILE]. */
SIM_INLINE size_t
sim_tile_vhist_chan (const sim_tile_t *tile)
{
    return SIM_MAX_TILES * tile->block * SIM_TILE;
}

/*  Feeds the monitor the VOIs of step s of `width` elements (obs:
    [n_voi][obs_stride]); writes a due sample as the chunk's
    *sample_index-th and counts it. The rules of sim_monitor.h, element by
    element; phase is s % istep. */
SIM_INLINE void
sim_tile_record_n (const sim_tile_t *tile, uint64_t phase, const double *obs, size_t obs_stride,
                   size_t width, size_t *sample_index)
{
    size_t X = tile->stride, V = tile->n_voi;
    double *out = tile->samples + *sample_index * V * X;
    switch (tile->monitor) {
    case SIM_MONITOR_RAW:
        for (size_t v = 0; v < V; v++)
            for (size_t t = 0; t < width; t++)
                out[v * X + t] = obs[v * obs_stride + t];
        ++*sample_index;
        return;
    case SIM_MONITOR_SUBSAMPLE:
        if (phase != 0)
            return;
        for (size_t v = 0; v < V; v++)
            for (size_t t = 0; t < width; t++)
                out[v * X + t] = obs[v * obs_stride + t];
        ++*sample_index;
        return;
    case SIM_MONITOR_TEMPORAL_AVERAGE:
        break;
    }
    //  A window's first step starts from the value itself, as numpy's
    //  reduction starts from the first slot; then a sequential sum.
    bool first = phase == 1 || tile->istep == 1;
    for (size_t v = 0; v < V; v++) {
        double *sum = tile->sum + v * X;
        for (size_t t = 0; t < width; t++)
            sum[t] = first ? obs[v * obs_stride + t] : sum[t] + obs[v * obs_stride + t];
    }
    if (phase != 0)
        return;
    double count = (double) tile->istep;
    for (size_t v = 0; v < V; v++)
        for (size_t t = 0; t < width; t++)
            out[v * X + t] = tile->sum[v * X + t] / count;
    ++*sample_index;
}

/*  sim_tile_record_n of one tile (obs: [n_voi][SIM_TILE]). */
SIM_INLINE void
sim_tile_record (const sim_tile_t *tile, uint64_t phase, const double obs[][SIM_TILE],
                 size_t *sample_index)
{
    sim_tile_record_n (tile, phase, obs[0], SIM_TILE, SIM_TILE, sample_index);
}

#endif
