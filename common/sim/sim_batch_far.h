/*  sim_batch_far.h - the streaming part of the coupling: the delayed input
    of a block of K steps, summed connection by connection (internal to
    sim_batch.c; see there for the layout and the sum order).
*/
#ifndef SIM_BATCH_FAR_H_INCLUDED
#define SIM_BATCH_FAR_H_INCLUDED

#include <stddef.h>

typedef struct {
    size_t n;                /* nodes */
    size_t lanes;            /* L */
    size_t width;            /* padded n * L, a multiple of 8 */
    size_t block;            /* K */
    size_t ring;             /* R: history slots per node; step q at q mod R */
    size_t stride;           /* R + K: slots allocated per node (K mirrored) */
    const size_t *row_start; /* n + 1: far edges of target i from here */
    const size_t *row_end;   /* n: ... to here (row_start[i + 1]; no near edges are stored) */
    const size_t *col;       /* source node of each edge */
    const size_t *delay;     /* delay of each edge, in steps (< R) */
    const double *weight;    /* weight of each edge, a float32 value */
    const float *hist;       /* [n][stride][L] */
    double *acc;             /* scratch: K * max(L, 8) doubles */
} sim_far_t;

/*  For element x = i*L + l and k < count, the sum over far edges (j, d, w)
    of target i, in their order, of w * V_j(first + k - 1 - d), lane l,
    stored tile by tile (sim_tile.h): at far[(x / 8) * K * 8 + k * 8 + x % 8].
    `base` is the ring slot of step first - 1. */
void sim_far_block (const sim_far_t *self, size_t base, size_t count, double *far);

#endif
