/*  sim_jansenrit.c - TVB's JansenRit (models/jansen_rit.py), the cortical
    column of Jansen & Rit (1995): pyramidal cells, excitatory and
    inhibitory interneurons, as three second-order synaptic responses
    (y0..y2 and their derivatives y3..y5). With the sigmoid
    S(v) = 2 nu_max / (1 + exp(r (v0 - v))):

        dy0 = y3    dy1 = y4    dy2 = y5
        dy3 = A a S(y1 - y2) - 2 a y3 - a^2 y0
        dy4 = A a (mu + a_2 J S(a_1 J y0) + c) - 2 a y4 - a^2 y1
        dy5 = B b a_4 J S(a_3 J y0) - 2 b y5 - b^2 y2

    y1 and y2 are the coupling variables; TVB pairs the model with
    SigmoidalJansenRit coupling, whose one input (the sigmoid of y1 - y2
    at the other nodes, with the coupling's own r and midpoint) is c. p_min
    and p_max are TVB parameters that enter no equation; kept for their
    names and the export. The terms in TVB's order, without fused
    operations.
*/
#include "sim_model.h"
#include "sim_tile.h"

#include <math.h>

enum {
    P_A_GAIN, /* A */
    P_B_GAIN, /* B */
    P_A,
    P_B,
    P_V0,
    P_NU_MAX,
    P_R,
    P_J,
    P_A_1,
    P_A_2,
    P_A_3,
    P_A_4,
    P_P_MIN,
    P_P_MAX,
    P_MU,
    P_COUNT
};

static const sim_param_desc_t s_params[P_COUNT] = {
    {"A", 3.25, 2.6, 9.75, 0.05},       {"B", 22.0, 17.6, 110.0, 0.2},
    {"a", 0.1, 0.05, 0.15, 0.01},       {"b", 0.05, 0.025, 0.075, 0.005},
    {"v0", 5.52, 3.12, 6.0, 0.02},      {"nu_max", 0.0025, 0.00125, 0.00375, 0.00001},
    {"r", 0.56, 0.28, 0.84, 0.01},      {"J", 135.0, 65.0, 1350.0, 1.0},
    {"a_1", 1.0, 0.5, 1.5, 0.1},        {"a_2", 0.8, 0.4, 1.2, 0.1},
    {"a_3", 0.25, 0.125, 0.375, 0.005}, {"a_4", 0.25, 0.125, 0.375, 0.005},
    {"p_min", 0.12, 0.0, 0.12, 0.01},   {"p_max", 0.32, 0.0, 0.32, 0.01},
    {"mu", 0.22, 0.0, 0.22, 0.01},
};

#define S_NSTATE  6
#define S_NCOEF   P_COUNT
#define S_BOUNDED 0
#define S_NCVAR   2
static const size_t s_cvar[S_NCVAR] = {1, 2};

SIM_INLINE void
s_coefs (const double *params, size_t period, size_t p, double coef[S_NCOEF])
{
    for (size_t q = 0; q < P_COUNT; q++)
        coef[q] = params[q * period + p];
}

SIM_INLINE double
s_sigm (const double cf[][SIM_TILE], size_t t, double v)
{
    return 2.0 * cf[P_NU_MAX][t] / (1.0 + exp (cf[P_R][t] * (cf[P_V0][t] - v)));
}

SIM_INLINE void
s_deriv (const double x[][SIM_TILE], const double c[][SIM_TILE], const double cf[][SIM_TILE],
         double dx[][SIM_TILE])
{
    for (size_t t = 0; t < SIM_TILE; t++) {
        double a = cf[P_A][t], b = cf[P_B][t], J = cf[P_J][t];
        double s12 = s_sigm (cf, t, x[1][t] - x[2][t]);
        double s01 = s_sigm (cf, t, cf[P_A_1][t] * J * x[0][t]);
        double s03 = s_sigm (cf, t, cf[P_A_3][t] * J * x[0][t]);
        dx[0][t] = x[3][t];
        dx[1][t] = x[4][t];
        dx[2][t] = x[5][t];
        dx[3][t] = cf[P_A_GAIN][t] * a * s12 - 2.0 * a * x[3][t] - a * a * x[0][t];
        dx[4][t] = cf[P_A_GAIN][t] * a * (cf[P_MU][t] + cf[P_A_2][t] * J * s01 + c[0][t] + 0.0) -
                   2.0 * a * x[4][t] - a * a * x[1][t];
        dx[5][t] =
            cf[P_B_GAIN][t] * b * (cf[P_A_4][t] * J * s03) - 2.0 * b * x[5][t] - b * b * x[2][t];
    }
}

#include "sim_tile_heun.h"

const sim_model_desc_t sim_jansenrit_model = {
    .name = "JansenRit",
    .tvb_module = "tvb.simulator.models.jansen_rit",
    .n_state = 6,
    .state_names = {"y0", "y1", "y2", "y3", "y4", "y5"},
    .state_lo = {-1.0, -500.0, -50.0, -6.0, -20.0, -500.0},
    .state_hi = {1.0, 500.0, 50.0, 6.0, 20.0, 500.0},
    .n_cvar = 2,
    .cvar = {1, 2},
    .n_params = P_COUNT,
    .params = s_params,
    .n_voi = 6,
    .voi_names = {"y0", "y1", "y2", "y3", "y4", "y5"},
    .n_default_voi = 4,
    .default_voi = {0, 1, 2, 3},
    .dfun = s_heun_dfun,
    .tile = s_heun_tile,
};
