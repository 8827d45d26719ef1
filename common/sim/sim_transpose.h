/*  sim_transpose.h - the far input, summed per target as rows of steps,
    into the tiles' step-major layout (internal to the core: with one lane
    a tile's eight elements are eight targets, sim_batch_far.c).

    Pure data movement: the AVX-512 version (8x8 blocks in registers) and
    the portable loop give the same bytes.
*/
#ifndef SIM_TRANSPOSE_H_INCLUDED
#define SIM_TRANSPOSE_H_INCLUDED

#include <stddef.h>

/*  dst[k * 8 + t] = src[t * src_stride + k] for t < 8, k < count. */
void sim_transpose_rows_to_tile (double *dst, const double *src, size_t src_stride, size_t count);

#endif
