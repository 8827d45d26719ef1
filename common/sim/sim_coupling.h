/*  sim_coupling.h - how nodes drive each other: TVB's coupling functions
    (TVB.md 2.3; coupling.py), each a description (TVB's class name, its
    parameters with defaults) and the arithmetic the batch needs.

    TVB computes, for receiving node i and each coupling variable k,
    c_ik = post (sum_j w_ij * pre (x_ik, x_jk(delayed))). The batch's fast
    path sums, per block, delayed values that depend on the source alone
    (sim_batch_far.c). So every coupling here is split into "channels",
    values of one node computed from its own coupling variables, which the
    batch stores in its float32 history and sums over delayed connections;
    and a receiver step that turns those sums, the receiving node's own
    current state and its zero-delay self-connection into the model's
    inputs:

        Linear        channels x_k             c_k = a * (F_k + w_ii x_ik) + b
        Difference    channels x_k             c_k = a * (F_k - rw_i x_ik)
        Kuramoto      channels sin x, cos x    c = a * (cos x_i F_sin - sin x_i F_cos)
        SigmoidalJR   channels hi, lo of S     c = a * (F_hi + F_lo + w_ii S_i)
                      (S = S(x_0 - x_1), hi = float32 (S), lo = float32 (S - hi))

    F_* is the far sum of a channel, w_ii the self weight, rw_i the sum of
    the row's far weights; Difference and Kuramoto need no self term (x_i -
    x_i and sin 0 are zero). These are TVB's sums rearranged exactly
    (sin(b - a) = sin b cos a - cos b sin a); where TVB rounds a value to
    float32 (its history) so do we, before the rearrangement. Where TVB
    keeps a value in double (SigmoidalJansenRit's sigmoid, computed after
    its history), the history stores it as two float32 values whose far
    sums add up to the double's to about 1e-16.

    Kuramoto's a is not divided by the node count: TVB's docstring says
    a / N, but its post step divides by the first dimension of the summed
    array, which in its sparse coupling is the number of coupling
    variables (1 for the Kuramoto model). kuramoto_default in
    shared/reference/models agrees with a * sum to 1e-12.
*/
#ifndef SIM_COUPLING_H_INCLUDED
#define SIM_COUPLING_H_INCLUDED

#include <math.h>
#include <stddef.h>

#include "bsw_error.h"
#include "sim_math.h"
#include "sim_model.h"

#define SIM_MAX_COUPLING_PARAMS 5
#define SIM_MAX_CHAN            4 /* channels of the largest coupling (Kuramoto on 2 cvars) */

typedef enum {
    SIM_COUPLING_LINEAR,
    SIM_COUPLING_DIFFERENCE,
    SIM_COUPLING_KURAMOTO,
    SIM_COUPLING_SIGMOIDAL_JR,
} sim_coupling_kind_t;

typedef struct {
    const char *name; /* TVB class name (tvb.simulator.coupling.<name>) */
    sim_coupling_kind_t kind;
    size_t n_params;
    const sim_param_desc_t *params; /* TVB's declaration order */
} sim_coupling_desc_t;

extern const sim_coupling_desc_t sim_coupling_linear;
extern const sim_coupling_desc_t sim_coupling_difference;
extern const sim_coupling_desc_t sim_coupling_kuramoto;
extern const sim_coupling_desc_t sim_coupling_sigmoidal_jr;

/*  The coupling of that TVB class name, or NULL. */
const sim_coupling_desc_t *sim_coupling_find (const char *name);

/*  The i-th registered coupling, or NULL past the last. */
const sim_coupling_desc_t *sim_coupling_at (size_t i);

/*  Index of a parameter by name, or -1. */
int sim_coupling_param_index (const sim_coupling_desc_t *coupling, const char *name);

/*  Channels the batch stores per node, and inputs the model receives. */
size_t sim_coupling_channels (const sim_coupling_desc_t *coupling, const sim_model_desc_t *model);
size_t sim_coupling_inputs (const sim_coupling_desc_t *coupling, const sim_model_desc_t *model);

/*  BSW_OK when the coupling can drive the model; else BSW_ESPEC with a
    sentence saying why (SigmoidalJansenRit reads two coupling variables). */
int sim_coupling_check (const sim_coupling_desc_t *coupling, const sim_model_desc_t *model,
                        bsw_error_t *err);

/*  Parameters of the couplings, in their tables' order. */
enum { SIM_CP_A = 0, SIM_CP_B = 1 };                                          /* Linear */
enum { SIM_CP_CMIN = 1, SIM_CP_CMAX = 2, SIM_CP_MIDPOINT = 3, SIM_CP_R = 4 }; /* SigmoidalJR */

/*  SigmoidalJansenRit's pre-synaptic sigmoid of a node whose coupling
    variables (float32, as TVB's history holds them) are x0 and x1; their
    difference is rounded to float32 as TVB's float32 arithmetic rounds
    it. p: the coupling's parameters (table order). */
SIM_INLINE double
sim_coupling_sigmoid (double cmin, double cmax, double midpoint, double r, float x0, float x1)
{
    double diff = (double) (float) ((double) x0 - (double) x1);
    return cmin + (cmax - cmin) / (1.0 + sim_exp (r * (midpoint - diff)));
}

/*  The channels of one node (sim_coupling_channels of them) from its
    coupling variables x[0 .. n_cvar) as the history holds them (float32);
    cpar: the coupling's parameters (table order). The tile kernels compute
    the same values in double and store them rounded as here. */
static inline void
sim_coupling_pre (sim_coupling_kind_t kind, const double *cpar, size_t n_cvar, const float *x,
                  float *chan)
{
    switch (kind) {
    case SIM_COUPLING_LINEAR:
    case SIM_COUPLING_DIFFERENCE:
        for (size_t k = 0; k < n_cvar; k++)
            chan[k] = x[k];
        break;
    case SIM_COUPLING_KURAMOTO:
        for (size_t k = 0; k < n_cvar; k++) {
            double sin_x, cos_x;
            sim_sincos ((double) x[k], &sin_x, &cos_x);
            chan[2 * k] = (float) sin_x;
            chan[2 * k + 1] = (float) cos_x;
        }
        break;
    case SIM_COUPLING_SIGMOIDAL_JR: {
        double sigm = sim_coupling_sigmoid (cpar[SIM_CP_CMIN], cpar[SIM_CP_CMAX],
                                            cpar[SIM_CP_MIDPOINT], cpar[SIM_CP_R], x[0], x[1]);
        chan[0] = (float) sigm;
        chan[1] = (float) (sigm - (double) chan[0]);
        break;
    }
    }
}

#endif
