/*  sim_g2d_avx512.h - the Generic 2D Oscillator's tile kernel written with
    AVX-512 intrinsics (internal to sim_g2d.c, and its test).

    The portable kernel (sim_g2d.c) is what every other machine runs; GCC
    vectorises its eight-element loop only partly (256-bit halves and
    shuffles), so on AVX-512 machines this one runs instead. Both perform
    the same IEEE operations in the same order, so they give the same bits
    (sim_batch_test checks it).
*/
#ifndef SIM_G2D_AVX512_H_INCLUDED
#define SIM_G2D_AVX512_H_INCLUDED

#include "sim_tile.h"

#if SIM_HAVE_AVX512
/*  The kernel; call only where sim_avx512_usable () is true. */
void sim_g2d_tile_avx512 (const sim_tile_t *tile);
#endif

/*  The portable kernel (for tests that compare the two). */
void sim_g2d_tile_portable (const sim_tile_t *tile);

#endif
