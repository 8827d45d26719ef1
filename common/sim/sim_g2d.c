/*  sim_g2d.c - TVB's Generic2dOscillator (TVB.md section 1).

        dV/dt = d*tau*(alpha*W - f*V^3 + e*V^2 + g*V + gamma*I + gamma*c)
        dW/dt = d*(a + b*V + c*V^2 - beta*W)/tau

    The terms of TVB's equations (TVB.md 1.2) with the polynomial in V in
    Horner form and each multiply-add fused (S_G2D_DERIV says why: a few
    ulps from TVB's order, far inside the reference tolerances, and half
    the latency). Parameters arrive as [param][period] (sim_model.h: one
    set, the lanes' eight, or one per element); the tile kernel turns them
    into coefficients once per call, so its loops over the tile's eight
    elements are flat and branch-free, kept in vector registers.
*/
#include "sim_model.h"
#include "sim_g2d_avx512.h"
#include "sim_g2d_params.h"
#include "sim_tile.h"

#include <math.h>
#include <stdbool.h>

static const sim_param_desc_t s_params[P_COUNT] = {
    {"tau", 1.0, 1.0, 5.0, 0.01},     {"I", 0.0, -5.0, 5.0, 0.01},
    {"a", -2.0, -5.0, 5.0, 0.01},     {"b", -10.0, -20.0, 15.0, 0.01},
    {"c", 0.0, -10.0, 10.0, 0.01},    {"d", 0.02, 0.0001, 1.0, 0.0001},
    {"e", 3.0, -5.0, 5.0, 0.0001},    {"f", 1.0, -5.0, 5.0, 0.0001},
    {"g", 0.0, -5.0, 5.0, 0.5},       {"alpha", 1.0, -5.0, 5.0, 0.0001},
    {"beta", 1.0, -5.0, 5.0, 0.0001}, {"gamma", 1.0, -1.0, 1.0, 0.1},
};

/*  The derivatives of one point from its coefficients cf[C_*][p]
    (sim_g2d_params.h): each step one fused multiply-add (explicit fma,
    never compiler contraction, so every machine rounds alike). The same
    terms as TVB's left-to-right order, with d*tau and d/tau multiplied
    into the coefficients and the polynomials in Horner form: a few ulps
    per step from TVB's rounding, far inside the reference tolerances, and
    a dependency chain of three operations from V instead of eight, which
    is what bounds the tile kernel (sim_g2d_avx512.c). */
#define S_G2D_DERIV(v, w, cin, cf, p, dv_out, dw_out)                                              \
    do {                                                                                           \
        double in_ = fma (cf[C_ALPHA][p], (w), cf[C_GAMMA_I][p]);                                  \
        in_ = fma (cf[C_GAMMA][p], (cin), in_);                                                    \
        double h_ = fma (-cf[C_F][p], (v), cf[C_E][p]);                                            \
        h_ = fma (h_, (v), cf[C_G][p]);                                                            \
        (dv_out) = fma (h_, (v), in_);                                                             \
        (dw_out) =                                                                                 \
            fma (fma (cf[C_C][p], (v), cf[C_B][p]), (v), fma (-cf[C_BETA][p], (w), cf[C_A][p]));   \
    } while (0)

/*  cf[C_*][t] for the SIM_TILE elements whose parameters start at params
    (one set when period is 1). */
static void
s_tile_coefs (const double *params, size_t period, double cf[C_COUNT][SIM_TILE])
{
    for (size_t t = 0; t < (period == 1 ? 1 : SIM_TILE); t++) {
        double one[C_COUNT];
        sim_g2d_coefs (params, period, t, one);
        for (int q = 0; q < C_COUNT; q++)
            cf[q][t] = one[q];
    }
}

SIM_HOT static int
s_dfun (size_t count, size_t period, const double *restrict state, const double *restrict coupling,
        const double *restrict params, double *restrict deriv)
{
    const double *restrict V = state;
    const double *restrict W = state + count;
    double *restrict dV = deriv;
    double *restrict dW = deriv + count;
    for (size_t k = 0; k < count; k++) {
        double cf[C_COUNT][1], one[C_COUNT];
        sim_g2d_coefs (params, period, k % period, one);
        for (int q = 0; q < C_COUNT; q++)
            cf[q][0] = one[q];
        S_G2D_DERIV (V[k], W[k], coupling[k], cf, 0, dV[k], dW[k]);
    }
    return 0;
}

/*  One Heun step of one point in place (TVB.md 3.2-3.4), the derivatives
    never leaving registers: predictor X + dt*k1 (+ z), corrector
    X + (k1 + k2)*dt/2 (+ z), each "x * y + z" fused. */
#define S_G2D_HEUN(v, w, cin, cf, p, noisy, zv, zw)                                                \
    do {                                                                                           \
        double dv1_, dw1_, dv2_, dw2_;                                                             \
        S_G2D_DERIV (v, w, cin, cf, p, dv1_, dw1_);                                                \
        double vp_ = fma (dt, dv1_, v), wp_ = fma (dt, dw1_, w);                                   \
        if (noisy) {                                                                               \
            vp_ += (zv);                                                                           \
            wp_ += (zw);                                                                           \
        }                                                                                          \
        S_G2D_DERIV (vp_, wp_, cin, cf, p, dv2_, dw2_);                                            \
        v = fma (dv1_ + dv2_, half_dt, v);                                                         \
        w = fma (dw1_ + dw2_, half_dt, w);                                                         \
        if (noisy) {                                                                               \
            v += (zv);                                                                             \
            w += (zw);                                                                             \
        }                                                                                          \
    } while (0)

/*  The VOIs of a tile's state (TVB.md 1.4). */
SIM_INLINE void
s_tile_obs (const sim_tile_t *tile, const double *V, const double *W, double obs[][SIM_TILE])
{
    for (size_t v = 0; v < tile->n_voi; v++)
        switch (tile->voi[v]) {
        case 0:
            for (size_t t = 0; t < SIM_TILE; t++)
                obs[v][t] = V[t];
            break;
        case 1:
            for (size_t t = 0; t < SIM_TILE; t++)
                obs[v][t] = W[t];
            break;
        case 2:
            for (size_t t = 0; t < SIM_TILE; t++)
                obs[v][t] = V[t] + W[t];
            break;
        default:
            for (size_t t = 0; t < SIM_TILE; t++)
                obs[v][t] = V[t] - W[t];
            break;
        }
}

/*  The tile's steps: pidx is the parameter index of element t. Every
    variant is a flat loop over the tile's eight elements, which the
    compiler keeps in vector registers from step to step. */
#define S_G2D_TILE_LOOP(pidx, noisy)                                                               \
    for (size_t k = tile->k0; k < tile->k1; k++) {                                                 \
        size_t j = k - tile->k0;                                                                   \
        const double *far = tile->far + k * SIM_TILE;                                              \
        const double *zV = noisy ? tile->noise + j * 2 * X : NULL;                                 \
        const double *zW = noisy ? zV + X : NULL;                                                  \
        for (size_t t = 0; t < SIM_TILE; t++) {                                                    \
            double v = Vt[t], w = Wt[t];                                                           \
            double cin = sim_tile_coupling (tile, far, t, v);                                      \
            S_G2D_HEUN (v, w, cin, cf, pidx, noisy, zV[t], zW[t]);                                 \
            Vt[t] = v;                                                                             \
            Wt[t] = w;                                                                             \
        }                                                                                          \
        for (size_t t = 0; t < SIM_TILE; t++)                                                      \
            tile->vhist[j * SIM_TILE + t] = (float) Vt[t];                                         \
        s_tile_obs (tile, Vt, Wt, obs);                                                            \
        sim_tile_record (tile, (tile->step0 + j) % tile->istep, obs, &samples);                    \
    }

/*  One tile (vectors == 1). */
SIM_HOT static void
s_tile_one (const sim_tile_t *tile)
{
    size_t X = tile->stride, samples = 0;
    double dt = tile->dt, half_dt = dt / 2.0;
    double cf[C_COUNT][SIM_TILE];
    s_tile_coefs (tile->params, tile->period, cf);
    double Vt[SIM_TILE], Wt[SIM_TILE], obs[SIM_MAX_VOI][SIM_TILE];
    for (size_t t = 0; t < SIM_TILE; t++) {
        Vt[t] = tile->state[t];
        Wt[t] = tile->state[X + t];
    }
    bool noisy = tile->noise != NULL;
    if (tile->period == 1) {
        if (noisy)
            S_G2D_TILE_LOOP (0, true)
        else
            S_G2D_TILE_LOOP (0, false)
    } else {
        if (noisy)
            S_G2D_TILE_LOOP (t, true)
        else
            S_G2D_TILE_LOOP (t, false)
    }
    for (size_t t = 0; t < SIM_TILE; t++) {
        tile->state[t] = Vt[t];
        tile->state[X + t] = Wt[t];
    }
}

void
sim_g2d_tile_portable (const sim_tile_t *tile)
{
    for (size_t u = 0; u < tile->vectors; u++) {
        size_t shift = u * SIM_TILE;
        sim_tile_t one = *tile;
        one.vectors = 1;
        one.far += u * tile->block * SIM_TILE;
        one.vhist += u * tile->block * SIM_TILE;
        one.self_weight += shift;
        one.cpar += shift;
        if (tile->period == tile->stride)
            one.params += shift;
        if (one.noise)
            one.noise += shift;
        one.state += shift;
        if (one.sum)
            one.sum += shift;
        one.samples += shift;
        s_tile_one (&one);
    }
}

/*  The AVX-512 kernel where the machine has it, else the portable one. */
static void
s_tile (const sim_tile_t *tile)
{
#if SIM_HAVE_AVX512
    if (sim_avx512_usable ()) {
        sim_g2d_tile_avx512 (tile);
        return;
    }
#endif
    sim_g2d_tile_portable (tile);
}

/*  The kernel for every other coupling, from the same equations
    (sim_tile_heun.h); under Linear coupling it gives the fast kernels'
    bits (sim_batch_test's kernels_agree). */
#define S_NSTATE  2
#define S_NCOEF   C_COUNT
#define S_BOUNDED 0
#define S_NCVAR   1
static const size_t s_cvar[S_NCVAR] = {0};

SIM_INLINE void
s_coefs (const double *params, size_t period, size_t p, double coef[C_COUNT])
{
    sim_g2d_coefs (params, period, p, coef);
}

SIM_INLINE void
s_deriv (const double x[][SIM_TILE_W], const double c[][SIM_TILE_W], const double cf[][SIM_TILE_W],
         double dx[][SIM_TILE_W], size_t w)
{
    for (size_t e = 0; e < w; e++)
        S_G2D_DERIV (x[0][e], x[1][e], c[0][e], cf, e, dx[0][e], dx[1][e]);
}

/*  The VOIs of w elements (TVB.md 1.4), as s_tile_obs. */
SIM_INLINE void
s_obs (const sim_tile_t *tile, size_t w, const double x[][SIM_TILE_W], double obs[][SIM_TILE_W])
{
    for (size_t v = 0; v < tile->n_voi; v++)
        for (size_t e = 0; e < w; e++) {
            int which = tile->voi[v];
            obs[v][e] = which == 0   ? x[0][e]
                        : which == 1 ? x[1][e]
                        : which == 2 ? x[0][e] + x[1][e]
                                     : x[0][e] - x[1][e];
        }
}
#define S_OBS s_obs

#include "sim_tile_heun.h"

const sim_model_desc_t sim_g2d_model = {
    .name = "Generic2dOscillator",
    .tvb_module = "tvb.simulator.models.oscillator",
    .n_state = 2,
    .state_names = {"V", "W"},
    .state_lo = {-2.0, -6.0},
    .state_hi = {4.0, 6.0},
    .n_cvar = 1,
    .cvar = {0},
    .n_params = P_COUNT,
    .params = s_params,
    .n_voi = 4,
    .voi_names = {"V", "W", "V + W", "V - W"},
    .n_default_voi = 1,
    .default_voi = {0},
    .dfun = s_dfun,
    .tile = s_heun_tile,
    .tile_linear = s_tile,
};
