/*  sim_g2d_params.h - the Generic 2D Oscillator's parameter order (TVB.md
    1.3), shared by its kernels (internal to sim_g2d*.c). */
#ifndef SIM_G2D_PARAMS_H_INCLUDED
#define SIM_G2D_PARAMS_H_INCLUDED

enum { P_TAU, P_I, P_A, P_B, P_C, P_D, P_E, P_F, P_G, P_ALPHA, P_BETA, P_GAMMA, P_COUNT };

#endif
