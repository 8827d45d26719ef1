/*  sim_g2d.c - TVB's Generic2dOscillator (TVB.md section 1).

        dV/dt = d*tau*(alpha*W - f*V^3 + e*V^2 + g*V + gamma*I + gamma*c)
        dW/dt = d*(a + b*V + c*V^2 - beta*W)/tau

    Evaluated in TVB's compiled kernel order (TVB.md 1.2), with V2 = V*V and
    V^3 as V2*V (not pow), and each multiply-add of that order fused (one
    rounding; TVB rounds twice, a difference of at most an ulp per operation,
    far inside the reference tolerances). Parameters arrive per element
    ([param][node][lane]), so the loops are flat unit-stride loops the
    compiler vectorises, with no branches.
*/
#include "sim_model.h"

#include <math.h>
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

/*  The derivatives of one point, in TVB's kernel order, with every
    "x * y + z" of that order fused (fma): one rounding instead of two, the
    same on every machine (explicit fma, never compiler contraction).
    p indexes the parameters; tau_div divides dW by tau (skipped when tau
    is 1: x / 1.0 == x exactly, and the division is the most expensive
    operation of the loop). */
#define S_G2D_DERIV(v, w, cin, p, tau_div, dv_out, dw_out)                                         \
    do {                                                                                           \
        double v2_ = (v) * (v);                                                                    \
        double in_ = alpha[p] * (w);                                                               \
        in_ = fma (-(f[p] * v2_), (v), in_);                                                       \
        in_ = fma (e[p], v2_, in_);                                                                \
        in_ = fma (g[p], (v), in_);                                                                \
        in_ = fma (gamma[p], I[p], in_);                                                           \
        in_ = fma (gamma[p], (cin), in_);                                                          \
        (dv_out) = d[p] * tau[p] * in_;                                                            \
        double dw_ = fma (b[p], (v), a[p]);                                                        \
        dw_ = fma (c[p], v2_, dw_);                                                                \
        dw_ = fma (-beta[p], (w), dw_);                                                            \
        dw_ = d[p] * dw_;                                                                          \
        (dw_out) = (tau_div) ? dw_ / tau[p] : dw_;                                                 \
    } while (0)

/*  The twelve parameter rows of a [param][period] block. */
#define S_G2D_PARAMS(params, period)                                                               \
    const double *restrict tau = (params) + P_TAU * (period);                                      \
    const double *restrict I = (params) + P_I * (period);                                          \
    const double *restrict a = (params) + P_A * (period);                                          \
    const double *restrict b = (params) + P_B * (period);                                          \
    const double *restrict c = (params) + P_C * (period);                                          \
    const double *restrict d = (params) + P_D * (period);                                          \
    const double *restrict e = (params) + P_E * (period);                                          \
    const double *restrict f = (params) + P_F * (period);                                          \
    const double *restrict g = (params) + P_G * (period);                                          \
    const double *restrict alpha = (params) + P_ALPHA * (period);                                  \
    const double *restrict beta = (params) + P_BETA * (period);                                    \
    const double *restrict gamma = (params) + P_GAMMA * (period)

static int
s_other_tau (const double *params, size_t period)
{
    int other_tau = 0; /* an integer OR reduction: it vectorises */
    for (size_t k = 0; k < period; k++)
        other_tau |= params[P_TAU * period + k] != 1.0;
    return other_tau;
}

#define S_G2D_POINT(k, p, tau_div) S_G2D_DERIV (V[k], W[k], coupling[k], p, tau_div, dV[k], dW[k])

SIM_HOT static int
s_dfun (size_t count, size_t period, const double *restrict state, const double *restrict coupling,
        const double *restrict params, double *restrict deriv)
{
    const double *restrict V = state;
    const double *restrict W = state + count;
    double *restrict dV = deriv;
    double *restrict dW = deriv + count;
    S_G2D_PARAMS (params, period);
    int other_tau = s_other_tau (params, period);
    for (size_t k = 0; k < count; k++)
        S_G2D_POINT (k, k % period, other_tau);
    return 0;
}

/*  One Heun step of one point (TVB.md 3.2-3.4), the derivatives never
    leaving registers: predictor X + dt*k1 (+ z), corrector
    X + (k1 + k2)*dt/2 (+ z), each "x * y + z" fused. */
#define S_G2D_HEUN_POINT(k, p, tau_div, noisy)                                                     \
    do {                                                                                           \
        double v = V[k], w = W[k], cin = coupling[k], dv1, dw1, dv2, dw2;                          \
        S_G2D_DERIV (v, w, cin, p, tau_div, dv1, dw1);                                             \
        double vp = fma (dt, dv1, v), wp = fma (dt, dw1, w);                                       \
        if (noisy) {                                                                               \
            vp += zV[k];                                                                           \
            wp += zW[k];                                                                           \
        }                                                                                          \
        S_G2D_DERIV (vp, wp, cin, p, tau_div, dv2, dw2);                                           \
        double vn = fma (dv1 + dv2, half_dt, v), wn = fma (dw1 + dw2, half_dt, w);                 \
        if (noisy) {                                                                               \
            vn += zV[k];                                                                           \
            wn += zW[k];                                                                           \
        }                                                                                          \
        V[k] = vn;                                                                                 \
        W[k] = wn;                                                                                 \
    } while (0)

/*  Every variant is a flat loop without branches; period 8 runs eight
    points per round with the same eight parameter values, which the
    compiler keeps in registers. */
#define S_G2D_HEUN_LOOP(tau_div, noisy)                                                            \
    do {                                                                                           \
        size_t k = 0;                                                                              \
        if (period == 1)                                                                           \
            for (; k < count; k++)                                                                 \
                S_G2D_HEUN_POINT (k, 0, tau_div, noisy);                                           \
        else if (period == 8)                                                                      \
            for (; k + 8 <= count; k += 8)                                                         \
                for (size_t j = 0; j < 8; j++)                                                     \
                    S_G2D_HEUN_POINT (k + j, j, tau_div, noisy);                                   \
        for (; k < count; k++)                                                                     \
            S_G2D_HEUN_POINT (k, k % period, tau_div, noisy);                                      \
    } while (0)

SIM_HOT static void
s_heun (size_t count, size_t period, const double *restrict params, double dt,
        const double *restrict coupling, const double *restrict noise, double *restrict state)
{
    double *restrict V = state;
    double *restrict W = state + count;
    const double *restrict zV = noise;
    const double *restrict zW = noise ? noise + count : NULL;
    double half_dt = dt / 2.0;
    S_G2D_PARAMS (params, period);
    int other_tau = s_other_tau (params, period);
    if (noise) {
        if (other_tau)
            S_G2D_HEUN_LOOP (true, true);
        else
            S_G2D_HEUN_LOOP (false, true);
    } else {
        if (other_tau)
            S_G2D_HEUN_LOOP (true, false);
        else
            S_G2D_HEUN_LOOP (false, false);
    }
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
    .heun = s_heun,
    .voi = s_voi,
};
