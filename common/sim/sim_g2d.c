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
    {"tau", 1.0, 1.0, 5.0, 0.01},       {"I", 0.0, -5.0, 5.0, 0.01},
    {"a", -2.0, -5.0, 5.0, 0.01},       {"b", -10.0, -20.0, 15.0, 0.01},
    {"c", 0.0, -10.0, 10.0, 0.01},      {"d", 0.02, 0.0001, 1.0, 0.0001},
    {"e", 3.0, -5.0, 5.0, 0.0001},      {"f", 1.0, -5.0, 5.0, 0.0001},
    {"g", 0.0, -5.0, 5.0, 0.5},         {"alpha", 1.0, -5.0, 5.0, 0.0001},
    {"beta", 1.0, -5.0, 5.0, 0.0001},   {"gamma", 1.0, -1.0, 1.0, 0.1},
};

SIM_HOT static int
s_dfun (size_t n_nodes, size_t lanes, const double *restrict state,
        const double *restrict coupling, const double *restrict params, double *restrict deriv)
{
    //  One flat unit-stride loop over nodes and lanes together: parameters
    //  come per element, so any lane count vectorises.
    size_t count = n_nodes * lanes;
    const double *restrict V = state;
    const double *restrict W = state + count;
    double *restrict dV = deriv;
    double *restrict dW = deriv + count;
    const double *restrict tau = params + P_TAU * count;
    const double *restrict I = params + P_I * count;
    const double *restrict a = params + P_A * count;
    const double *restrict b = params + P_B * count;
    const double *restrict c = params + P_C * count;
    const double *restrict d = params + P_D * count;
    const double *restrict e = params + P_E * count;
    const double *restrict f = params + P_F * count;
    const double *restrict g = params + P_G * count;
    const double *restrict alpha = params + P_ALPHA * count;
    const double *restrict beta = params + P_BETA * count;
    const double *restrict gamma = params + P_GAMMA * count;
    //  x / 1.0 == x exactly, so with tau = 1 everywhere (TVB's default and
    //  the tutorial) the division, the loop's most expensive operation, is
    //  skipped without changing a bit.
    bool unit_tau = true;
    for (size_t k = 0; k < count; k++)
        unit_tau &= tau[k] == 1.0;
    if (unit_tau) {
        for (size_t k = 0; k < count; k++) {
            double v = V[k], w = W[k], cin = coupling[k];
            double v2 = v * v;
            double inner = alpha[k] * w - f[k] * v2 * v + e[k] * v2 + g[k] * v
                           + gamma[k] * I[k] + gamma[k] * cin;
            dV[k] = d[k] * 1.0 * inner;
            dW[k] = d[k] * (a[k] + b[k] * v + c[k] * v2 - beta[k] * w);
        }
        return 0;
    }
    for (size_t k = 0; k < count; k++) {
        double v = V[k], w = W[k], cin = coupling[k];
        double v2 = v * v;
        double inner = alpha[k] * w - f[k] * v2 * v + e[k] * v2 + g[k] * v + gamma[k] * I[k]
                       + gamma[k] * cin;
        dV[k] = d[k] * tau[k] * inner;
        dW[k] = d[k] * (a[k] + b[k] * v + c[k] * v2 - beta[k] * w) / tau[k];
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
