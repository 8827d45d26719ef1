/*  sim_g2d_params.h - the Generic 2D Oscillator's parameter order (TVB.md
    1.3) and the coefficients its kernels evaluate (internal to
    sim_g2d*.c: one definition, so every kernel rounds them alike). */
#ifndef SIM_G2D_PARAMS_H_INCLUDED
#define SIM_G2D_PARAMS_H_INCLUDED

#include <stddef.h>

enum { P_TAU, P_I, P_A, P_B, P_C, P_D, P_E, P_F, P_G, P_ALPHA, P_BETA, P_GAMMA, P_COUNT };

/*  The coefficients of

        dV = s*alpha*W + s*gamma*I + s*gamma*c + V*(s*g + V*(s*e - s*f*V)),
        dW = r*a - r*beta*W + V*(r*b + r*c*V),

    s = d*tau and r = d/tau: TVB.md 1.2's equations with the outer factors
    multiplied into the parameters (once per run, not twice per step), and
    the polynomials in Horner form. */
enum { C_ALPHA, C_GAMMA, C_GAMMA_I, C_E, C_F, C_G, C_A, C_B, C_C, C_BETA, C_COUNT };

/*  coef[C_*] of element p of a [P_COUNT][period] parameter block. */
static inline void
sim_g2d_coefs (const double *params, size_t period, size_t p, double coef[C_COUNT])
{
#define S_P(q) params[(q) *period + p]
    double s = S_P (P_D) * S_P (P_TAU), r = S_P (P_D) / S_P (P_TAU);
    coef[C_ALPHA] = s * S_P (P_ALPHA);
    coef[C_GAMMA] = s * S_P (P_GAMMA);
    coef[C_GAMMA_I] = s * (S_P (P_GAMMA) * S_P (P_I));
    coef[C_E] = s * S_P (P_E);
    coef[C_F] = s * S_P (P_F);
    coef[C_G] = s * S_P (P_G);
    coef[C_A] = r * S_P (P_A);
    coef[C_B] = r * S_P (P_B);
    coef[C_C] = r * S_P (P_C);
    coef[C_BETA] = r * S_P (P_BETA);
#undef S_P
}

#endif
