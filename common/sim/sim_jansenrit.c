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

/*  Coefficients: the parameter products of TVB's terms, computed once per
    call instead of every step; the same operations on the same values, so
    the same bits. */
enum {
    C_AA,     /* A a */
    C_TWO_A,  /* 2 a */
    C_A2,     /* a^2 */
    C_BB,     /* B b */
    C_TWO_B,  /* 2 b */
    C_B2,     /* b^2 */
    C_TWO_NU, /* 2 nu_max */
    C_R,
    C_V0,
    C_A1J, /* a_1 J */
    C_A2J, /* a_2 J */
    C_A3J, /* a_3 J */
    C_A4J, /* a_4 J */
    C_MU,
    C_COUNT
};

#define S_NSTATE  6
#define S_NCOEF   C_COUNT
#define S_BOUNDED 0
#define S_NCVAR   2
static const size_t s_cvar[S_NCVAR] = {1, 2};

SIM_INLINE void
s_coefs (const double *params, size_t period, size_t p, double coef[S_NCOEF])
{
#define S_P(q) params[(q) *period + p]
    double a = S_P (P_A), b = S_P (P_B), J = S_P (P_J);
    coef[C_AA] = S_P (P_A_GAIN) * a;
    coef[C_TWO_A] = 2.0 * a;
    coef[C_A2] = a * a;
    coef[C_BB] = S_P (P_B_GAIN) * b;
    coef[C_TWO_B] = 2.0 * b;
    coef[C_B2] = b * b;
    coef[C_TWO_NU] = 2.0 * S_P (P_NU_MAX);
    coef[C_R] = S_P (P_R);
    coef[C_V0] = S_P (P_V0);
    coef[C_A1J] = S_P (P_A_1) * J;
    coef[C_A2J] = S_P (P_A_2) * J;
    coef[C_A3J] = S_P (P_A_3) * J;
    coef[C_A4J] = S_P (P_A_4) * J;
    coef[C_MU] = S_P (P_MU);
#undef S_P
}

/*  The model's sigmoid, 2 nu_max / (1 + exp (r (v0 - v))). */
SIM_INLINE double
s_sigm (const double cf[][SIM_TILE_W], size_t t, double v)
{
    return cf[C_TWO_NU][t] / (1.0 + sim_exp (cf[C_R][t] * (cf[C_V0][t] - v)));
}

SIM_INLINE void
s_deriv (const double x[][SIM_TILE_W], const double c[][SIM_TILE_W], const double cf[][SIM_TILE_W],
         double dx[][SIM_TILE_W], size_t w)
{
    for (size_t t = 0; t < w; t++) {
        double s12 = s_sigm (cf, t, x[1][t] - x[2][t]);
        double s01 = s_sigm (cf, t, cf[C_A1J][t] * x[0][t]);
        double s03 = s_sigm (cf, t, cf[C_A3J][t] * x[0][t]);
        dx[0][t] = x[3][t];
        dx[1][t] = x[4][t];
        dx[2][t] = x[5][t];
        dx[3][t] = cf[C_AA][t] * s12 - cf[C_TWO_A][t] * x[3][t] - cf[C_A2][t] * x[0][t];
        dx[4][t] = cf[C_AA][t] * (cf[C_MU][t] + cf[C_A2J][t] * s01 + c[0][t] + 0.0) -
                   cf[C_TWO_A][t] * x[4][t] - cf[C_A2][t] * x[1][t];
        dx[5][t] =
            cf[C_BB][t] * (cf[C_A4J][t] * s03) - cf[C_TWO_B][t] * x[5][t] - cf[C_B2][t] * x[2][t];
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
