/*  sim_kuramoto.c - TVB's Kuramoto phase oscillator (models/oscillator.py):

        dtheta/dt = omega + c

    c is the coupling's input (TVB pairs it with the Kuramoto coupling,
    a * sum_j w_ij sin(theta_j - theta_i)); TVB's local-coupling term
    sin(0 * theta) is zero without a surface. theta is not wrapped: it
    grows by about omega per ms, as in TVB.
*/
#include "sim_model.h"
#include "sim_tile.h"

static const sim_param_desc_t s_params[] = {{"omega", 1.0, 0.01, 200.0, 0.1}};

#define S_NSTATE  1
#define S_NCOEF   1
#define S_BOUNDED 0
#define S_NCVAR   1
static const size_t s_cvar[S_NCVAR] = {0};

SIM_INLINE void
s_coefs (const double *params, size_t period, size_t p, double coef[S_NCOEF])
{
    coef[0] = params[p]; /* omega */
    (void) period;
}

SIM_INLINE void
s_deriv (const double x[][SIM_TILE_W], const double c[][SIM_TILE_W], const double cf[][SIM_TILE_W],
         double dx[][SIM_TILE_W], size_t w)
{
    (void) x;
    for (size_t t = 0; t < w; t++)
        dx[0][t] = cf[0][t] + c[0][t];
}

#include "sim_tile_heun.h"

const sim_model_desc_t sim_kuramoto_model = {
    .name = "Kuramoto",
    .tvb_module = "tvb.simulator.models.oscillator",
    .n_state = 1,
    .state_names = {"theta"},
    .state_lo = {0.0},
    .state_hi = {6.283185307179586}, /* 2 pi */
    .n_cvar = 1,
    .cvar = {0},
    .n_params = 1,
    .params = s_params,
    .n_voi = 1,
    .voi_names = {"theta"},
    .n_default_voi = 1,
    .default_voi = {0},
    .dfun = s_heun_dfun,
    .tile = s_heun_tile,
};
