/*  sim_g2d.c - TVB's Generic2dOscillator (TVB.md section 1).

        dV/dt = d*tau*(alpha*W - f*V^3 + e*V^2 + g*V + gamma*I + gamma*c)
        dW/dt = d*(a + b*V + c*V^2 - beta*W)/tau

    Evaluated in TVB's compiled kernel order (TVB.md 1.2), with V2 = V*V and
    V^3 as V2*V (not pow), so that the last bits agree. Parameters arrive per
    element ([param][node][lane]), so the loop is one flat unit-stride loop
    the compiler vectorises, with no branches.
*/
#include "sim_model.h"

#include <stdbool.h>

enum { P_TAU, P_I, P_A, P_B, P_C, P_D, P_E, P_F, P_G, P_ALPHA, P_BETA, P_GAMMA, P_COUNT };

static const sim_param_desc_t s_params[P_COUNT] = {
    {"tau", 1.0, 1.0, 5.0, 0.01},     {"I", 0.0, -5.0, 5.0, 0.01},
    {"a", -2.0, -5.0, 5.0, 0.01},     {"b", -10.0, -20.0, 15.0, 0.01},
    {"c", 0.0, -10.0, 10.0, 0.01},    {"d", 0.02, 0.0001, 1.0, 0.0001},
    {"e", 3.0, -5.0, 5.0, 0.0001},    {"f", 1.0, -5.0, 5.0, 0.0001},
    {"g", 0.0, -5.0, 5.0, 0.5},       {"alpha", 1.0, -5.0, 5.0, 0.0001},
    {"beta", 1.0, -5.0, 5.0, 0.0001}, {"gamma", 1.0, -1.0, 1.0, 0.1},
};

/*  One point: the equations in TVB's kernel order. tau_div: divide by
    tau (false when tau is 1: x / 1.0 == x exactly, and the division is the
    most expensive operation of the loop). */
#define S_G2D_POINT(k, p, tau_div)                                                                 \
    do {                                                                                           \
        double v = V[k], w = W[k], cin = coupling[k];                                              \
        double v2 = v * v;                                                                         \
        double inner = alpha[p] * w - f[p] * v2 * v + e[p] * v2 + g[p] * v + gamma[p] * I[p] +     \
                       gamma[p] * cin;                                                             \
        dV[k] = d[p] * tau[p] * inner;                                                             \
        double dw = d[p] * (a[p] + b[p] * v + c[p] * v2 - beta[p] * w);                            \
        dW[k] = tau_div ? dw / tau[p] : dw;                                                        \
    } while (0)

SIM_HOT static int
s_dfun (size_t count, size_t period, const double *restrict state, const double *restrict coupling,
        const double *restrict params, double *restrict deriv)
{
    const double *restrict V = state;
    const double *restrict W = state + count;
    double *restrict dV = deriv;
    double *restrict dW = deriv + count;
    const double *restrict tau = params + P_TAU * period;
    const double *restrict I = params + P_I * period;
    const double *restrict a = params + P_A * period;
    const double *restrict b = params + P_B * period;
    const double *restrict c = params + P_C * period;
    const double *restrict d = params + P_D * period;
    const double *restrict e = params + P_E * period;
    const double *restrict f = params + P_F * period;
    const double *restrict g = params + P_G * period;
    const double *restrict alpha = params + P_ALPHA * period;
    const double *restrict beta = params + P_BETA * period;
    const double *restrict gamma = params + P_GAMMA * period;
    int other_tau = 0; /* an integer OR reduction: it vectorises */
    for (size_t k = 0; k < period; k++)
        other_tau |= tau[k] != 1.0;
    if (period == 8) {
        //  Eight points per round with the same eight parameter values:
        //  the compiler keeps them in registers.
        size_t k = 0;
        if (other_tau)
            for (; k + 8 <= count; k += 8)
                for (size_t j = 0; j < 8; j++)
                    S_G2D_POINT (k + j, j, true);
        else
            for (; k + 8 <= count; k += 8)
                for (size_t j = 0; j < 8; j++)
                    S_G2D_POINT (k + j, j, false);
        for (; k < count; k++)
            S_G2D_POINT (k, k % 8, other_tau);
    } else if (other_tau) {
        for (size_t k = 0; k < count; k++)
            S_G2D_POINT (k, k % period, true);
    } else {
        for (size_t k = 0; k < count; k++)
            S_G2D_POINT (k, k % period, false);
    }
    return 0;
}

static void
s_voi (int voi, size_t count, const double *restrict state, double *restrict out)
{
    const double *restrict V = state;
    const double *restrict W = state + count;
    switch (voi) {
    case 0:
        for (size_t k = 0; k < count; k++)
            out[k] = V[k];
        break;
    case 1:
        for (size_t k = 0; k < count; k++)
            out[k] = W[k];
        break;
    case 2:
        for (size_t k = 0; k < count; k++)
            out[k] = V[k] + W[k];
        break;
    default:
        for (size_t k = 0; k < count; k++)
            out[k] = V[k] - W[k];
        break;
    }
}

const sim_model_desc_t sim_g2d_model = {
    .name = "Generic2dOscillator",
    .n_state = 2,
    .state_names = {"V", "W"},
    .state_lo = {-2.0, -6.0},
    .state_hi = {4.0, 6.0},
    .cvar = 0,
    .n_params = P_COUNT,
    .params = s_params,
    .n_voi = 4,
    .voi_names = {"V", "W", "V + W", "V - W"},
    .dfun = s_dfun,
    .voi = s_voi,
};
