/*  sim_mpr.c - TVB's MontbrioPazoRoxin (models/infinite_theta.py), the
    exact mean field of a population of quadratic integrate-and-fire
    neurons (Montbrio, Pazo & Roxin 2015): firing rate r, mean membrane
    potential V,

        dr/dt = 1/tau (Delta / (pi tau) + 2 V r)
        dV/dt = 1/tau (V^2 - pi^2 tau^2 r^2 + eta + J tau r + I + cr c_0 + cv c_1)

    r is bounded below by 0 after every Heun stage, as in TVB. Both r and V
    are coupled. Gamma is one of TVB's parameters but enters no equation;
    it is kept for its name and the export. The terms in TVB's order,
    without fused operations.
*/
#include "sim_model.h"
#include "sim_tile.h"

#include <math.h>

enum { P_TAU, P_I, P_DELTA, P_J, P_ETA, P_GAMMA, P_CR, P_CV, P_COUNT };

static const sim_param_desc_t s_params[P_COUNT] = {
    {"tau", 1.0, 0.001, 15.0, 0.01},    {"I", 0.0, -10.0, 10.0, 0.01},
    {"Delta", 1.0, 0.0, 10.0, 0.01},    {"J", 15.0, -25.0, 25.0, 0.0001},
    {"eta", -5.0, -10.0, 10.0, 0.0001}, {"Gamma", 0.0, 0.0, 10.0, 0.01},
    {"cr", 1.0, 0.0, 1.0, 0.1},         {"cv", 0.0, 0.0, 1.0, 0.1},
};

#define S_NSTATE  2
#define S_NCOEF   P_COUNT
#define S_BOUNDED 1
#define S_NCVAR   2
static const size_t s_cvar[S_NCVAR] = {0, 1};
static const double s_bound_lo[S_NSTATE] = {0.0, -INFINITY};
static const double s_bound_hi[S_NSTATE] = {INFINITY, INFINITY};

SIM_INLINE void
s_coefs (const double *params, size_t period, size_t p, double coef[S_NCOEF])
{
    for (size_t q = 0; q < P_COUNT; q++)
        coef[q] = params[q * period + p];
}

SIM_INLINE void
s_deriv (const double x[][SIM_TILE], const double c[][SIM_TILE], const double cf[][SIM_TILE],
         double dx[][SIM_TILE])
{
    const double pi = 3.141592653589793, pi2 = pi * pi;
    for (size_t t = 0; t < SIM_TILE; t++) {
        double r = x[0][t], V = x[1][t], tau = cf[P_TAU][t];
        dx[0][t] = 1.0 / tau * (cf[P_DELTA][t] / (pi * tau) + 2.0 * V * r);
        dx[1][t] = 1.0 / tau *
                   (V * V - pi2 * (tau * tau) * (r * r) + cf[P_ETA][t] + cf[P_J][t] * tau * r +
                    cf[P_I][t] + cf[P_CR][t] * c[0][t] + cf[P_CV][t] * c[1][t]);
    }
}

#include "sim_tile_heun.h"

const sim_model_desc_t sim_mpr_model = {
    .name = "MontbrioPazoRoxin",
    .tvb_module = "tvb.simulator.models.infinite_theta",
    .n_state = 2,
    .state_names = {"r", "V"},
    .state_lo = {0.0, -2.0},
    .state_hi = {2.0, 1.5},
    .bounded = true,
    .bound_lo = {0.0, -INFINITY},
    .bound_hi = {INFINITY, INFINITY},
    .n_cvar = 2,
    .cvar = {0, 1},
    .n_params = P_COUNT,
    .params = s_params,
    .n_voi = 2,
    .voi_names = {"r", "V"},
    .n_default_voi = 2,
    .default_voi = {0, 1},
    .dfun = s_heun_dfun,
    .tile = s_heun_tile,
};
