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

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SIM_G2D_HAVE_AVX512 1
/*  The kernel; call only where sim_g2d_avx512_usable () is true. */
void sim_g2d_tile_avx512 (const sim_tile_t *tile);
#else
#define SIM_G2D_HAVE_AVX512 0
#endif

/*  Whether this machine can run sim_g2d_tile_avx512. */
int sim_g2d_avx512_usable (void);

/*  The portable kernel (for tests that compare the two). */
void sim_g2d_tile_portable (const sim_tile_t *tile);

#endif
