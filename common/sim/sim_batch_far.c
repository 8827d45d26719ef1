/*  sim_batch_far.c - see sim_batch_far.h.

    Each term w * V is the product of two float32 values, exact in double
    (24 + 24 significant bits), so sum + w * V rounds once whether or not
    the multiply and add are fused: this file alone is compiled with FMA
    contraction allowed (CMakeLists.txt), and every clone still gives the
    same bits.

    Per target node, the block's input is accumulated in a small scratch
    row (K * L doubles, in L1) while each source's history streams by as
    one contiguous run (the ring's first K slots are mirrored after its
    end, so a run never wraps): on AVX-512 every source of the row in
    registers (s_row_avx512), elsewhere eight sources per pass over the
    row. The rows of a tile's targets are then spread into `far`, step by
    step, which the tile kernel reads one vector per step (sim_tile.h).
*/
#include "sim_batch_far.h"
#include "sim_model.h" /* SIM_HOT */
#include "sim_transpose.h"

#include <stdbool.h>

/*  Where edge e's run starts: the slot of step first - 1 - d. */
SIM_INLINE const float *
s_run (const sim_far_t *self, size_t e, size_t base)
{
    size_t d = self->delay[e];
    size_t slot = base >= d ? base - d : base + self->ring - d;
    return self->hist + (self->col[e] * self->stride + slot) * self->lanes;
}

#if SIM_HAVE_AVX512
#include <immintrin.h>
#define S_ROW_CHUNK 64 /* edges whose runs are set up at once */
#define S_PREFETCH  64 /* floats ahead of the chunk being summed: two chunks of 32 */

/*  A whole row (edges e .. end of one target) with AVX-512 intrinsics:
    four vectors of outputs at a time, each summing every edge in order in
    a register, so the sums never go back to memory between edges, and
    four independent chains keep both FMA ports busy. Each float32 octet
    is converted straight from memory (vcvtps2pd zmm, m256). Same
    operations, same order as the portable loops. */
__attribute__ ((target ("arch=x86-64-v4"))) static void
s_row_avx512 (const sim_far_t *self, size_t e, size_t end, size_t base, size_t width,
              double *restrict acc)
{
    const float *r[S_ROW_CHUNK];
    __m512d w[S_ROW_CHUNK];
    for (bool first = true; e < end; first = false) {
        size_t n = end - e < S_ROW_CHUNK ? end - e : S_ROW_CHUNK;
        for (size_t m = 0; m < n; m++) {
            r[m] = s_run (self, e + m, base);
            w[m] = _mm512_set1_pd (self->weight[e + m]);
        }
        size_t x = 0;
        for (; x + 32 <= width; x += 32) {
            __m512d s0 = first ? _mm512_setzero_pd () : _mm512_loadu_pd (acc + x);
            __m512d s1 = first ? _mm512_setzero_pd () : _mm512_loadu_pd (acc + x + 8);
            __m512d s2 = first ? _mm512_setzero_pd () : _mm512_loadu_pd (acc + x + 16);
            __m512d s3 = first ? _mm512_setzero_pd () : _mm512_loadu_pd (acc + x + 24);
            for (size_t m = 0; m < n; m++) {
                const float *src = r[m] + x;
                //  The run's lines two chunks ahead into L1: the hardware
                //  prefetchers do not follow ~20 interleaved runs, and
                //  without this the loop waits on L2 (cycles per 8 values
                //  with and without it: bench/README.md, "Where the core's
                //  time goes now", far sums).
                _mm_prefetch ((const char *) (src + S_PREFETCH), _MM_HINT_T0);
                _mm_prefetch ((const char *) (src + S_PREFETCH + 16), _MM_HINT_T0);
                s0 = _mm512_fmadd_pd (w[m], _mm512_cvtps_pd (_mm256_loadu_ps (src)), s0);
                s1 = _mm512_fmadd_pd (w[m], _mm512_cvtps_pd (_mm256_loadu_ps (src + 8)), s1);
                s2 = _mm512_fmadd_pd (w[m], _mm512_cvtps_pd (_mm256_loadu_ps (src + 16)), s2);
                s3 = _mm512_fmadd_pd (w[m], _mm512_cvtps_pd (_mm256_loadu_ps (src + 24)), s3);
            }
            _mm512_storeu_pd (acc + x, s0);
            _mm512_storeu_pd (acc + x + 8, s1);
            _mm512_storeu_pd (acc + x + 16, s2);
            _mm512_storeu_pd (acc + x + 24, s3);
        }
        for (; x + 8 <= width; x += 8) {
            __m512d s0 = first ? _mm512_setzero_pd () : _mm512_loadu_pd (acc + x);
            for (size_t m = 0; m < n; m++)
                s0 = _mm512_fmadd_pd (w[m], _mm512_cvtps_pd (_mm256_loadu_ps (r[m] + x)), s0);
            _mm512_storeu_pd (acc + x, s0);
        }
        for (; x < width; x++) {
            double sum = first ? 0.0 : acc[x];
            for (size_t m = 0; m < n; m++)
                sum += self->weight[e + m] * (double) r[m][x];
            acc[x] = sum;
        }
        e += n;
    }
}
#endif

/*  The input of target i for the block, into acc (count * L values). */
SIM_INLINE void
s_target (const sim_far_t *self, size_t i, size_t base, size_t count, double *restrict acc,
          int avx512)
{
    size_t width = count * self->lanes;
    size_t e = i < self->n ? self->row_start[i] : 0, end = i < self->n ? self->row_end[i] : 0;
#if SIM_HAVE_AVX512
    if (avx512 && e < end) {
        s_row_avx512 (self, e, end, base, width, acc);
        return;
    }
#endif
    for (size_t x = 0; x < width; x++)
        acc[x] = 0.0;
    for (; e + 8 <= end; e += 8) {
        const float *restrict r0 = s_run (self, e, base), *restrict r1 = s_run (self, e + 1, base);
        const float *restrict r2 = s_run (self, e + 2, base), *restrict r3 =
                                                                  s_run (self, e + 3, base);
        const float *restrict r4 = s_run (self, e + 4, base), *restrict r5 =
                                                                  s_run (self, e + 5, base);
        const float *restrict r6 = s_run (self, e + 6, base), *restrict r7 =
                                                                  s_run (self, e + 7, base);
        const double *w = self->weight + e;
        double w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4], w5 = w[5], w6 = w[6],
               w7 = w[7];
        for (size_t x = 0; x < width; x++) {
            double sum = acc[x];
            sum += w0 * (double) r0[x];
            sum += w1 * (double) r1[x];
            sum += w2 * (double) r2[x];
            sum += w3 * (double) r3[x];
            sum += w4 * (double) r4[x];
            sum += w5 * (double) r5[x];
            sum += w6 * (double) r6[x];
            sum += w7 * (double) r7[x];
            acc[x] = sum;
        }
    }
    for (; e < end; e++) {
        const float *restrict r0 = s_run (self, e, base);
        double w0 = self->weight[e];
        for (size_t x = 0; x < width; x++)
            acc[x] += w0 * (double) r0[x];
    }
}

/*  Spreads the 8 / L targets of one tile (acc: [target][k][lane]) into
    the tile's far input, one vector of eight per step. L is a constant at
    each call, so the index arithmetic folds away. */
SIM_INLINE void
s_spread_tile (const double *restrict acc, size_t K, size_t count, double *restrict far,
               const size_t L)
{
    for (size_t k = 0; k < count; k++)
        for (size_t j = 0; j < 8; j++)
            far[k * 8 + j] = acc[(j / L) * K * L + k * L + j % L];
}

SIM_HOT void
sim_far_block (const sim_far_t *self, size_t base, size_t count, double *far)
{
    size_t L = self->lanes, K = self->block, X = self->width;
    int avx512 = sim_avx512_usable ();
    if (8 % L != 0) {
        //  Lanes not dividing 8: targets straddle tiles; element by element.
        for (size_t i = 0; i < self->n; i++) {
            s_target (self, i, base, count, self->acc, avx512);
            for (size_t l = 0; l < L; l++) {
                size_t x = i * L + l;
                double *out = far + (x / 8) * K * 8 + x % 8;
                for (size_t k = 0; k < count; k++)
                    out[k * 8] = self->acc[k * L + l];
            }
        }
        return;
    }
    //  Tiles of T = 8 / L whole targets. Targets past n sum to 0 and land
    //  in the padding.
    size_t T = 8 / L;
    for (size_t i0 = 0; i0 * L < X; i0 += T) {
        for (size_t t = 0; t < T; t++)
            s_target (self, i0 + t, base, count, self->acc + t * K * L, avx512);
        double *tile = far + (i0 * L / 8) * K * 8;
        switch (L) {
        case 1:
            sim_transpose_rows_to_tile (tile, self->acc, K, count);
            break;
        case 2:
            s_spread_tile (self->acc, K, count, tile, 2);
            break;
        case 4:
            s_spread_tile (self->acc, K, count, tile, 4);
            break;
        default: /* 8 */
            s_spread_tile (self->acc, K, count, tile, 8);
        }
    }
}
