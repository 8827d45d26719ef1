/*  sim_rww.c - TVB's ReducedWongWang (models/wong_wang.py), the mean
    field of NMDA gating in a recurrent network (Wong & Wang 2006, Deco
    et al. 2013):

        x  = w J_N S + I_o + J_N c
        H  = (a x - b) / (1 - exp(-d (a x - b)))
        dS/dt = -S / tau_s + (1 - S) H gamma

    S is bounded to [0, 1] after every Heun stage, as in TVB. At a x = b, H
    is 0/0 as in TVB; it is not mended. sigma_noise is one of TVB's
    parameters but enters no equation (the integrator's nsig is the
    noise); it is kept for its name and the export. The terms in TVB's
    order, without fused operations.
*/
#include "sim_model.h"
#include "sim_tile.h"

#include <math.h>

enum { P_A, P_B, P_D, P_GAMMA, P_TAU_S, P_W, P_J_N, P_I_O, P_SIGMA_NOISE, P_COUNT };

static const sim_param_desc_t s_params[P_COUNT] = {
    {"a", 0.270, 0.0, 0.270, 0.01},
    {"b", 0.108, 0.0, 1.0, 0.01},
    {"d", 154.0, 0.0, 200.0, 0.01},
    {"gamma", 0.641, 0.0, 1.0, 0.01},
    {"tau_s", 100.0, 50.0, 150.0, 1.0},
    {"w", 0.6, 0.0, 1.0, 0.01},
    {"J_N", 0.2609, 0.2609, 0.5, 0.001},
    {"I_o", 0.33, 0.0, 1.0, 0.01},
    {"sigma_noise", 1e-9, 0.0, 0.005, 0.0001},
};

#define S_NSTATE  1
#define S_NCOEF   P_COUNT
#define S_BOUNDED 1
#define S_NCVAR   1
static const size_t s_cvar[S_NCVAR] = {0};
static const double s_bound_lo[S_NSTATE] = {0.0};
static const double s_bound_hi[S_NSTATE] = {1.0};

SIM_INLINE void
s_coefs (const double *params, size_t period, size_t p, double coef[S_NCOEF])
{
    for (size_t q = 0; q < P_COUNT; q++)
        coef[q] = params[q * period + p];
    coef[P_W] = params[P_W * period + p] * params[P_J_N * period + p]; /* w J_N, once */
}

SIM_INLINE void
s_deriv (const double x[][SIM_TILE_W], const double c[][SIM_TILE_W], const double cf[][SIM_TILE_W],
         double dx[][SIM_TILE_W], size_t w)
{
    for (size_t t = 0; t < w; t++) {
        double S = x[0][t];
        double in = cf[P_W][t] * S + cf[P_I_O][t] + cf[P_J_N][t] * c[0][t];
        double u = cf[P_A][t] * in - cf[P_B][t];
        double H = u / (1.0 - sim_exp (-cf[P_D][t] * u));
        dx[0][t] = -(S / cf[P_TAU_S][t]) + (1.0 - S) * H * cf[P_GAMMA][t];
    }
}

#include "sim_tile_heun.h"

const sim_model_desc_t sim_rww_model = {
    .name = "ReducedWongWang",
    .tvb_module = "tvb.simulator.models.wong_wang",
    .n_state = 1,
    .state_names = {"S"},
    .state_lo = {0.0},
    .state_hi = {1.0},
    .bounded = true,
    .bound_lo = {0.0},
    .bound_hi = {1.0},
    .n_cvar = 1,
    .cvar = {0},
    .n_params = P_COUNT,
    .params = s_params,
    .n_voi = 1,
    .voi_names = {"S"},
    .n_default_voi = 1,
    .default_voi = {0},
    .dfun = s_heun_dfun,
    .tile = s_heun_tile,
};
