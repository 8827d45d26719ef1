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
        s_deriv (x, c, cf, dx)  dx[v][t] = f(x, c)[v] for a tile's SIM_TILE
                            elements: x[S_NSTATE][SIM_TILE], c[inputs][SIM_TILE]
                            (the coupling's inputs, sim_coupling.h), cf[S_NCOEF][SIM_TILE];
                            flat loops over t, so they stay in vector registers
        S_OBS (optional)    a function (tile, x, obs) for VOIs that are not
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
#include "sim_tile.h"

#include <math.h>
#include <string.h>

/*  The channels of a tile's state (sim_coupling.h's table): what the
    history stores for it, and the receiver's own values for the next
    step's self term. */
SIM_INLINE void
s_heun_pre (const sim_tile_t *tile, const double x[][SIM_TILE], double pre[][SIM_TILE])
{
    size_t X = tile->stride;
    switch (tile->coupling_kind) {
    case SIM_COUPLING_LINEAR:
    case SIM_COUPLING_DIFFERENCE:
        for (size_t k = 0; k < tile->n_chan; k++)
            for (size_t t = 0; t < SIM_TILE; t++)
                pre[k][t] = sim_f32 (x[s_cvar[k]][t]);
        break;
    case SIM_COUPLING_KURAMOTO:
        for (size_t k = 0; k < tile->n_chan / 2; k++)
            for (size_t t = 0; t < SIM_TILE; t++) {
                double theta = sim_f32 (x[s_cvar[k]][t]);
                pre[2 * k][t] = sin (theta);
                pre[2 * k + 1][t] = cos (theta);
            }
        break;
    case SIM_COUPLING_SIGMOIDAL_JR: {
        //  pre[0] is the whole value (the self term's); the history gets
        //  its float32 and, from pre[1], the float32 of the remainder.
        const double *p = tile->cpar;
        for (size_t t = 0; t < SIM_TILE; t++) {
            pre[0][t] = sim_coupling_sigmoid (p[SIM_CP_CMIN * X + t], p[SIM_CP_CMAX * X + t],
                                              p[SIM_CP_MIDPOINT * X + t], p[SIM_CP_R * X + t],
                                              (float) x[s_cvar[0]][t], (float) x[s_cvar[1]][t]);
            pre[1][t] = pre[0][t] - sim_f32 (pre[0][t]);
        }
        break;
    }
    }
}

/*  The model's inputs of step k from the channels' far sums and the
    receiver's own channels (sim_coupling.h). */
SIM_INLINE void
s_heun_inputs (const sim_tile_t *tile, size_t k, const double pre[][SIM_TILE], double c[][SIM_TILE])
{
    size_t X = tile->stride;
    const double *a = tile->cpar, *far = tile->far + k * SIM_TILE;
    switch (tile->coupling_kind) {
    case SIM_COUPLING_LINEAR:
        for (size_t ch = 0; ch < tile->n_chan; ch++) {
            const double *F = far + ch * tile->far_chan;
            for (size_t t = 0; t < SIM_TILE; t++)
                c[ch][t] =
                    fma (a[t], fma (tile->self_weight[t], pre[ch][t], F[t]), a[SIM_CP_B * X + t]);
        }
        break;
    case SIM_COUPLING_DIFFERENCE:
        for (size_t ch = 0; ch < tile->n_chan; ch++) {
            const double *F = far + ch * tile->far_chan;
            for (size_t t = 0; t < SIM_TILE; t++)
                c[ch][t] = a[t] * fma (-tile->row_weight[t], pre[ch][t], F[t]);
        }
        break;
    case SIM_COUPLING_KURAMOTO:
        for (size_t k2 = 0; k2 < tile->n_chan / 2; k2++) {
            const double *Fs = far + 2 * k2 * tile->far_chan, *Fc = Fs + tile->far_chan;
            for (size_t t = 0; t < SIM_TILE; t++)
                c[k2][t] = a[t] * fma (pre[2 * k2 + 1][t], Fs[t], -(pre[2 * k2][t] * Fc[t]));
        }
        break;
    case SIM_COUPLING_SIGMOIDAL_JR: {
        const double *lo = far + tile->far_chan;
        for (size_t t = 0; t < SIM_TILE; t++)
            c[0][t] = a[t] * fma (tile->self_weight[t], pre[0][t], far[t] + lo[t]);
        break;
    }
    }
}

SIM_INLINE void
s_heun_bound (double x[][SIM_TILE])
{
#if S_BOUNDED
    for (size_t v = 0; v < S_NSTATE; v++)
        for (size_t t = 0; t < SIM_TILE; t++)
            x[v][t] = x[v][t] < s_bound_lo[v]   ? s_bound_lo[v]
                      : x[v][t] > s_bound_hi[v] ? s_bound_hi[v]
                                                : x[v][t];
#else
    (void) x;
#endif
}

#ifndef S_OBS
SIM_INLINE void
s_heun_obs (const sim_tile_t *tile, const double x[][SIM_TILE], double obs[][SIM_TILE])
{
    for (size_t v = 0; v < tile->n_voi; v++)
        memcpy (obs[v], x[tile->voi[v]], sizeof obs[v]);
}
#define S_OBS s_heun_obs
#endif

/*  One tile (vectors == 1) through the block's steps k0 .. k1-1. */
SIM_HOT static void
s_heun_tile_one (const sim_tile_t *tile)
{
    size_t X = tile->stride, samples = 0;
    double dt = tile->dt, half_dt = dt / 2.0;
    double cf[S_NCOEF][SIM_TILE];
    for (size_t t = 0; t < SIM_TILE; t++) {
        double one[S_NCOEF];
        s_coefs (tile->params, tile->period, tile->period == 1 ? 0 : t, one);
        for (size_t q = 0; q < S_NCOEF; q++)
            cf[q][t] = one[q];
    }
    double x[S_NSTATE][SIM_TILE], xp[S_NSTATE][SIM_TILE], k1[S_NSTATE][SIM_TILE],
        k2[S_NSTATE][SIM_TILE];
    double pre[SIM_MAX_CHAN][SIM_TILE], c[SIM_MAX_CVAR][SIM_TILE] = {{0}},
                                        obs[SIM_MAX_VOI][SIM_TILE];
    for (size_t v = 0; v < S_NSTATE; v++)
        memcpy (x[v], tile->state + v * X, sizeof x[v]);
    s_heun_pre (tile, x, pre);
    for (size_t k = tile->k0; k < tile->k1; k++) {
        size_t j = k - tile->k0;
        const double *z = tile->noise ? tile->noise + j * S_NSTATE * X : NULL;
        s_heun_inputs (tile, k, pre, c);
        s_deriv (x, c, cf, k1);
        for (size_t v = 0; v < S_NSTATE; v++)
            for (size_t t = 0; t < SIM_TILE; t++)
                xp[v][t] = fma (dt, k1[v][t], x[v][t]);
        if (z)
            for (size_t v = 0; v < S_NSTATE; v++)
                for (size_t t = 0; t < SIM_TILE; t++)
                    xp[v][t] += z[v * X + t];
        s_heun_bound (xp);
        s_deriv (xp, c, cf, k2);
        for (size_t v = 0; v < S_NSTATE; v++)
            for (size_t t = 0; t < SIM_TILE; t++)
                x[v][t] = fma (k1[v][t] + k2[v][t], half_dt, x[v][t]);
        if (z)
            for (size_t v = 0; v < S_NSTATE; v++)
                for (size_t t = 0; t < SIM_TILE; t++)
                    x[v][t] += z[v * X + t];
        s_heun_bound (x);
        s_heun_pre (tile, x, pre);
        for (size_t ch = 0; ch < tile->n_chan; ch++)
            for (size_t t = 0; t < SIM_TILE; t++)
                tile->vhist[ch * tile->vhist_chan + j * SIM_TILE + t] = (float) pre[ch][t];
        S_OBS (tile, x, obs);
        sim_tile_record (tile, (tile->step0 + j) % tile->istep, obs, &samples);
    }
    for (size_t v = 0; v < S_NSTATE; v++)
        memcpy (tile->state + v * X, x[v], sizeof x[v]);
}

/*  The tiles of a call, one after the other. */
static void
s_heun_tile (const sim_tile_t *tile)
{
    for (size_t u = 0; u < tile->vectors; u++) {
        size_t shift = u * SIM_TILE;
        sim_tile_t one = *tile;
        one.vectors = 1;
        one.far += u * tile->block * SIM_TILE;
        one.vhist += u * tile->block * SIM_TILE;
        one.self_weight += shift;
        one.row_weight += shift;
        one.cpar += shift;
        if (tile->period == tile->stride)
            one.params += shift;
        if (one.noise)
            one.noise += shift;
        one.state += shift;
        if (one.sum)
            one.sum += shift;
        one.samples += shift;
        s_heun_tile_one (&one);
    }
}

/*  sim_dfun_t over s_deriv, SIM_TILE points at a time (the last chunk
    padded with copies of point 0, whose results are dropped). coupling
    holds one row per coupling variable; rows past the coupling's inputs
    are read but not used. */
__attribute__ ((unused)) static int
s_heun_dfun (size_t count, size_t period, const double *restrict state,
             const double *restrict coupling, const double *restrict params, double *restrict deriv)
{
    for (size_t k0 = 0; k0 < count; k0 += SIM_TILE) {
        double x[S_NSTATE][SIM_TILE], c[SIM_MAX_CVAR][SIM_TILE], dx[S_NSTATE][SIM_TILE];
        double cf[S_NCOEF][SIM_TILE];
        for (size_t t = 0; t < SIM_TILE; t++) {
            size_t k = k0 + t < count ? k0 + t : 0;
            for (size_t v = 0; v < S_NSTATE; v++)
                x[v][t] = state[v * count + k];
            for (size_t q = 0; q < SIM_MAX_CVAR; q++)
                c[q][t] = q < S_NCVAR ? coupling[q * count + k] : 0.0;
            double one[S_NCOEF];
            s_coefs (params, period, k % period, one);
            for (size_t q = 0; q < S_NCOEF; q++)
                cf[q][t] = one[q];
        }
        s_deriv (x, c, cf, dx);
        for (size_t t = 0; t < SIM_TILE && k0 + t < count; t++)
            for (size_t v = 0; v < S_NSTATE; v++)
                deriv[v * count + k0 + t] = dx[v][t];
    }
    return 0;
}

#endif
