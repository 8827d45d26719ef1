/*  sim_transpose.h - the far input, summed per target as rows of steps,
    into the tiles' step-major layout, and a tile's new history values back
    into rows of steps (internal to the core: with one lane a tile's eight
    elements are eight nodes, sim_batch_far.c, sim_batch.c).

    Pure data movement: the AVX-512 version (8x8 blocks in registers) and
    the portable loop give the same bytes.
*/
#ifndef SIM_TRANSPOSE_H_INCLUDED
#define SIM_TRANSPOSE_H_INCLUDED

#include <stddef.h>

/*  dst[k * 8 + t] = src[t * src_stride + k] for t < 8, k < count. */
void sim_transpose_rows_to_tile (double *dst, const double *src, size_t src_stride, size_t count);

/*  The other way, for a tile's new float32 history values:
    dst[t * dst_stride + k] = src[k * 8 + t] for t < 8, k < count. */
void sim_transpose_tile_to_rows_f32 (float *dst, size_t dst_stride, const float *src, size_t count);

#endif
