/*  sim_suphopf.c - TVB's SupHopf, the normal form of a supercritical Hopf
    bifurcation (models/oscillator.py):

        dx/dt = (a - x^2 - y^2) x - omega y + c_0
        dy/dt = (a - x^2 - y^2) y + omega x + c_1

    a < 0: a damped focus; a > 0: a limit cycle of radius sqrt(a). Both
    state variables are coupled (TVB pairs it with Difference coupling).
    The terms in TVB's order, without fused operations.
*/
#include "sim_model.h"
#include "sim_tile.h"

enum { P_A, P_OMEGA, P_COUNT };

static const sim_param_desc_t s_params[P_COUNT] = {
    {"a", -0.5, -10.0, 10.0, 0.01},
    {"omega", 1.0, 0.05, 630.0, 0.01},
};

#define S_NSTATE  2
#define S_NCOEF   P_COUNT
#define S_BOUNDED 0
#define S_NCVAR   2
static const size_t s_cvar[S_NCVAR] = {0, 1};

SIM_INLINE void
s_coefs (const double *params, size_t period, size_t p, double coef[S_NCOEF])
{
    for (size_t q = 0; q < P_COUNT; q++)
        coef[q] = params[q * period + p];
}

SIM_INLINE void
s_deriv (const double x[][SIM_TILE_W], const double c[][SIM_TILE_W], const double cf[][SIM_TILE_W],
         double dx[][SIM_TILE_W], size_t w)
{
    for (size_t t = 0; t < w; t++) {
        double q = cf[P_A][t] - x[0][t] * x[0][t] - x[1][t] * x[1][t];
        dx[0][t] = q * x[0][t] - cf[P_OMEGA][t] * x[1][t] + c[0][t];
        dx[1][t] = q * x[1][t] + cf[P_OMEGA][t] * x[0][t] + c[1][t];
    }
}

#include "sim_tile_heun.h"

const sim_model_desc_t sim_suphopf_model = {
    .name = "SupHopf",
    .tvb_module = "tvb.simulator.models.oscillator",
    .n_state = 2,
    .state_names = {"x", "y"},
    .state_lo = {-5.0, -5.0},
    .state_hi = {5.0, 5.0},
    .n_cvar = 2,
    .cvar = {0, 1},
    .n_params = P_COUNT,
    .params = s_params,
    .n_voi = 2,
    .voi_names = {"x", "y"},
    .n_default_voi = 1,
    .default_voi = {0},
    .dfun = s_heun_dfun,
    .tile = s_heun_tile,
};
