/*  sim_tile_heun.h - a model's tile kernel and dfun, written once for every
    model and coupling (sim_tile.h says what a tile kernel does).

    A model file includes this header once, after defining:

        S_NSTATE            its number of state variables
        S_NCOEF             coefficients per element (from its parameters)
        S_BOUNDED           1 when some state variable has a boundary, else 0
        s_bound_lo[], s_bound_hi[]  (when bounded) per state variable,
                            -INFINITY / INFINITY on a free side
        S_NCVAR, s_cvar[]   its coupling variables (state indices)
        s_coefs (params, period, p, coef)   coef[S_NCOEF] of element p of a
                            [n_params][period] parameter block
        s_deriv (x, c, cf, dx, w)  dx[v][e] = f(x, c)[v] for elements e < w:
                            x[S_NSTATE][SIM_TILE_W], c[inputs][SIM_TILE_W] (the
                            coupling's inputs, sim_coupling.h), cf[S_NCOEF][SIM_TILE_W];
                            one flat loop over e, which the compiler vectorises
                            (so transcendental functions come from sim_math.h)
        S_OBS (optional)    a function (tile, w, x, obs) for VOIs that are not
                            plain state variables; by default VOI v is state
                            variable tile->voi[v]

    and gets `static void s_heun_tile (const sim_tile_t *)` and
    `static int s_heun_dfun (...)` (sim_dfun_t) for its descriptor. Both
    evaluate s_deriv on the same values in the same order, so the tests'
    naive loop over dfun and the batch agree bit for bit.

    Heun as TVB.md 3.2-3.5: k1 = f(x, c), xp = x + dt k1 (+ z), bounded;
    k2 = f(xp, c); x = x + (k1 + k2) dt/2 (+ z), bounded. Each x*y + z is
    one fma, as in the Generic 2D Oscillator's own kernel. A bound is
    `x < lo ? lo : x > hi ? hi : x`, never fmin/fmax: a NaN must survive
    it (numpy's X[X < lo] = lo keeps NaN too), or a diverging point would
    pass for a bounded one.
*/
#ifndef SIM_TILE_HEUN_H_INCLUDED
#define SIM_TILE_HEUN_H_INCLUDED

#include "sim_coupling.h"
#include "sim_math.h"
#include "sim_tile.h"

#include <math.h>
#include <string.h>

/*  The channels of the call's state (sim_coupling.h's table): what the
    history stores for it, and the receiver's own values for the next
    step's self term. w elements, e = u * SIM_TILE + t. */
SIM_INLINE void
s_heun_pre (const sim_tile_t *tile, size_t w, const double x[][SIM_TILE_W],
            double pre[][SIM_TILE_W])
{
    size_t X = tile->stride;
    switch (tile->coupling_kind) {
    case SIM_COUPLING_LINEAR:
    case SIM_COUPLING_DIFFERENCE:
        for (size_t k = 0; k < tile->n_chan; k++)
            for (size_t e = 0; e < w; e++)
                pre[k][e] = sim_f32 (x[s_cvar[k]][e]);
        break;
    case SIM_COUPLING_KURAMOTO:
        for (size_t k = 0; k < tile->n_chan / 2; k++)
            for (size_t e = 0; e < w; e++)
                sim_sincos (sim_f32 (x[s_cvar[k]][e]), &pre[2 * k][e], &pre[2 * k + 1][e]);
        break;
    case SIM_COUPLING_SIGMOIDAL_JR: {
        //  pre[0] is the whole value (the self term's); the history gets
        //  its float32 and, from pre[1], the float32 of the remainder.
        const double *p = tile->cpar;
        for (size_t e = 0; e < w; e++) {
            pre[0][e] = sim_coupling_sigmoid (p[SIM_CP_CMIN * X + e], p[SIM_CP_CMAX * X + e],
                                              p[SIM_CP_MIDPOINT * X + e], p[SIM_CP_R * X + e],
                                              sim_f32 (x[s_cvar[0]][e]), sim_f32 (x[s_cvar[1]][e]));
            pre[1][e] = pre[0][e] - sim_f32 (pre[0][e]);
        }
        break;
    }
    }
}

/*  The model's inputs of step k from the channels' far sums (tile u's at
    far + ch * sim_tile_far_chan + (u * K + k) * SIM_TILE) and the receiver's own
    channels (sim_coupling.h). */
SIM_INLINE void
s_heun_inputs (const sim_tile_t *tile, size_t w, size_t k, const double pre[][SIM_TILE_W],
               double c[][SIM_TILE_W])
{
    size_t X = tile->stride;
    const double *a = tile->cpar;
    double F[SIM_MAX_CHAN][SIM_TILE_W];
    for (size_t ch = 0; ch < tile->n_chan; ch++)
        for (size_t u = 0; u < tile->vectors; u++)
            memcpy (F[ch] + u * SIM_TILE,
                    tile->far + ch * sim_tile_far_chan (tile) + (u * tile->block + k) * SIM_TILE,
                    SIM_TILE * sizeof (double));
    switch (tile->coupling_kind) {
    case SIM_COUPLING_LINEAR:
        for (size_t ch = 0; ch < tile->n_chan; ch++)
            for (size_t e = 0; e < w; e++)
                c[ch][e] = fma (a[e], fma (tile->self_weight[e], pre[ch][e], F[ch][e]),
                                a[SIM_CP_B * X + e]);
        break;
    case SIM_COUPLING_DIFFERENCE:
        for (size_t ch = 0; ch < tile->n_chan; ch++)
            for (size_t e = 0; e < w; e++)
                c[ch][e] = a[e] * fma (-tile->row_weight[e], pre[ch][e], F[ch][e]);
        break;
    case SIM_COUPLING_KURAMOTO:
        for (size_t q = 0; q < tile->n_chan / 2; q++)
            for (size_t e = 0; e < w; e++)
                c[q][e] =
                    a[e] * fma (pre[2 * q + 1][e], F[2 * q][e], -(pre[2 * q][e] * F[2 * q + 1][e]));
        break;
    case SIM_COUPLING_SIGMOIDAL_JR:
        for (size_t e = 0; e < w; e++)
            c[0][e] = a[e] * fma (tile->self_weight[e], pre[0][e], F[0][e] + F[1][e]);
        break;
    }
}

SIM_INLINE void
s_heun_bound (double x[][SIM_TILE_W], size_t w)
{
#if S_BOUNDED
    //  Two selects, each a vector compare and blend (one nested select
    //  does not vectorise): lo <= hi, and a NaN fails both compares.
    for (size_t v = 0; v < S_NSTATE; v++) {
        double lo = s_bound_lo[v], hi = s_bound_hi[v];
        for (size_t e = 0; e < w; e++) {
            double y = x[v][e] < lo ? lo : x[v][e];
            x[v][e] = y > hi ? hi : y;
        }
    }
#else
    (void) x;
    (void) w;
#endif
}

#ifndef S_OBS
SIM_INLINE void
s_heun_obs (const sim_tile_t *tile, size_t w, const double x[][SIM_TILE_W],
            double obs[][SIM_TILE_W])
{
    for (size_t v = 0; v < tile->n_voi; v++)
        memcpy (obs[v], x[tile->voi[v]], w * sizeof (double));
}
#define S_OBS s_heun_obs
#endif

/*  The call's tiles (all `vectors` of them at once: their steps are
    independent chains the processor overlaps) through the block's steps
    k0 .. k1-1. Element e = u * SIM_TILE + t is tile u's t-th; the tiles
    are adjacent in every per-element array but far and vhist. */
SIM_HOT static void
s_heun_tile (const sim_tile_t *tile)
{
    size_t X = tile->stride, samples = 0, w = tile->vectors * SIM_TILE;
    double dt = tile->dt, half_dt = dt / 2.0;
    double cf[S_NCOEF][SIM_TILE_W];
    for (size_t e = 0; e < w; e++) {
        double one[S_NCOEF];
        s_coefs (tile->params, tile->period, tile->period == 1 ? 0 : e % SIM_TILE, one);
        for (size_t q = 0; q < S_NCOEF; q++)
            cf[q][e] = one[q];
    }
    double x[S_NSTATE][SIM_TILE_W], xp[S_NSTATE][SIM_TILE_W], k1[S_NSTATE][SIM_TILE_W],
        k2[S_NSTATE][SIM_TILE_W];
    double pre[SIM_MAX_CHAN][SIM_TILE_W], c[SIM_MAX_CVAR][SIM_TILE_W] = {{0}},
                                          obs[SIM_MAX_VOI][SIM_TILE_W];
    for (size_t v = 0; v < S_NSTATE; v++)
        memcpy (x[v], tile->state + v * X, w * sizeof (double));
    s_heun_pre (tile, w, x, pre);
    for (size_t k = tile->k0; k < tile->k1; k++) {
        size_t j = k - tile->k0;
        const double *z = tile->noise ? tile->noise + j * S_NSTATE * X : NULL;
        s_heun_inputs (tile, w, k, pre, c);
        s_deriv (x, c, cf, k1, w);
        for (size_t v = 0; v < S_NSTATE; v++)
            for (size_t e = 0; e < w; e++)
                xp[v][e] = fma (dt, k1[v][e], x[v][e]);
        if (z)
            for (size_t v = 0; v < S_NSTATE; v++)
                for (size_t e = 0; e < w; e++)
                    xp[v][e] += z[v * X + e];
        s_heun_bound (xp, w);
        s_deriv (xp, c, cf, k2, w);
        for (size_t v = 0; v < S_NSTATE; v++)
            for (size_t e = 0; e < w; e++)
                x[v][e] = fma (k1[v][e] + k2[v][e], half_dt, x[v][e]);
        if (z)
            for (size_t v = 0; v < S_NSTATE; v++)
                for (size_t e = 0; e < w; e++)
                    x[v][e] += z[v * X + e];
        s_heun_bound (x, w);
        s_heun_pre (tile, w, x, pre);
        for (size_t ch = 0; ch < tile->n_chan; ch++)
            for (size_t u = 0; u < tile->vectors; u++)
                for (size_t t = 0; t < SIM_TILE; t++)
                    tile->vhist[ch * sim_tile_vhist_chan (tile) + (u * tile->block + j) * SIM_TILE +
                                t] = (float) pre[ch][u * SIM_TILE + t];
        S_OBS (tile, w, x, obs);
        sim_tile_record_n (tile, (tile->step0 + j) % tile->istep, obs[0], SIM_TILE_W, w, &samples);
    }
    for (size_t v = 0; v < S_NSTATE; v++)
        memcpy (tile->state + v * X, x[v], w * sizeof (double));
}

/*  sim_dfun_t over s_deriv, SIM_TILE_W points at a time. coupling holds
    one row per coupling variable; rows past the coupling's inputs are
    read but not used. */
__attribute__ ((unused)) static int
s_heun_dfun (size_t count, size_t period, const double *restrict state,
             const double *restrict coupling, const double *restrict params, double *restrict deriv)
{
    for (size_t k0 = 0; k0 < count; k0 += SIM_TILE_W) {
        size_t w = count - k0 < SIM_TILE_W ? count - k0 : SIM_TILE_W;
        double x[S_NSTATE][SIM_TILE_W], c[SIM_MAX_CVAR][SIM_TILE_W] = {{0}},
                                        dx[S_NSTATE][SIM_TILE_W];
        double cf[S_NCOEF][SIM_TILE_W];
        for (size_t e = 0; e < w; e++) {
            size_t k = k0 + e;
            for (size_t v = 0; v < S_NSTATE; v++)
                x[v][e] = state[v * count + k];
            for (size_t q = 0; q < S_NCVAR; q++)
                c[q][e] = coupling[q * count + k];
            double one[S_NCOEF];
            s_coefs (params, period, k % period, one);
            for (size_t q = 0; q < S_NCOEF; q++)
                cf[q][e] = one[q];
        }
        s_deriv (x, c, cf, dx, w);
        for (size_t e = 0; e < w; e++)
            for (size_t v = 0; v < S_NSTATE; v++)
                deriv[v * count + k0 + e] = dx[v][e];
    }
    return 0;
}

#endif
