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

/*  Coefficients: the parameter products of TVB's terms, computed once per
    call instead of every step; the same operations on the same values, so
    the same bits. */
enum { C_INV_TAU, C_DELTA_PI_TAU, C_PI2_TAU2, C_J_TAU, C_ETA, C_I, C_CR, C_CV, C_COUNT };

#define S_NSTATE  2
#define S_NCOEF   C_COUNT
#define S_BOUNDED 1
#define S_NCVAR   2
static const size_t s_cvar[S_NCVAR] = {0, 1};
static const double s_bound_lo[S_NSTATE] = {0.0, -INFINITY};
static const double s_bound_hi[S_NSTATE] = {INFINITY, INFINITY};

SIM_INLINE void
s_coefs (const double *params, size_t period, size_t p, double coef[S_NCOEF])
{
    const double pi = 3.141592653589793;
#define S_P(q) params[(q) *period + p]
    double tau = S_P (P_TAU);
    coef[C_INV_TAU] = 1.0 / tau;
    coef[C_DELTA_PI_TAU] = S_P (P_DELTA) / (pi * tau);
    coef[C_PI2_TAU2] = pi * pi * (tau * tau);
    coef[C_J_TAU] = S_P (P_J) * tau;
    coef[C_ETA] = S_P (P_ETA);
    coef[C_I] = S_P (P_I);
    coef[C_CR] = S_P (P_CR);
    coef[C_CV] = S_P (P_CV);
#undef S_P
}

SIM_INLINE void
s_deriv (const double x[][SIM_TILE_W], const double c[][SIM_TILE_W], const double cf[][SIM_TILE_W],
         double dx[][SIM_TILE_W], size_t w)
{
    for (size_t t = 0; t < w; t++) {
        double r = x[0][t], V = x[1][t];
        dx[0][t] = cf[C_INV_TAU][t] * (cf[C_DELTA_PI_TAU][t] + 2.0 * V * r);
        dx[1][t] = cf[C_INV_TAU][t] *
                   (V * V - cf[C_PI2_TAU2][t] * (r * r) + cf[C_ETA][t] + cf[C_J_TAU][t] * r +
                    cf[C_I][t] + cf[C_CR][t] * c[0][t] + cf[C_CV][t] * c[1][t]);
    }
}

#include "sim_tile_heun.h"

/*  TVB's class also declares, for its code generators, the names of its
    coupling terms, its drift functions as strings and its parameter names;
    its loader reads them back from an export. Their default values. */
static const char *const s_tvb_attrs[] = {
    "TVB_coupling_terms",
    "[\"Coupling_Term_r\", \"Coupling_Term_V\"]",
    "TVB_state_variable_dfuns",
    "{\"r\": \"1/tau * ( Delta / (pi * tau) + 2 * V * r)\", \"V\": \"1/tau * ( V*V - "
    "pi*pi*tau*tau*r*r + eta + J * tau * r + I + cr * Coupling_Term_r + cv * Coupling_Term_V)\"}",
    "TVB_parameter_names",
    "[\"tau\", \"Delta\", \"eta\", \"J\", \"I\", \"cr\", \"cv\"]",
    NULL,
};

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
    .tvb_attrs = s_tvb_attrs,
    .dfun = s_heun_dfun,
    .tile = s_heun_tile,
};
