/*  sim_transpose.c - see sim_transpose.h. Three shuffles per eight values
    on AVX-512 machines, where the element-by-element loop costs a load and
    a store per value (7% of the tutorial core before, 5% after). */
#include "sim_transpose.h"
#include "sim_model.h" /* SIM_HAVE_AVX512 */

#if SIM_HAVE_AVX512
#include <immintrin.h>
#define S_TARGET __attribute__ ((target ("arch=x86-64-v4")))

/*  r[t] = row t of an 8x8 block of doubles -> r[k] = column k. */
static inline __attribute__ ((always_inline)) S_TARGET void
s_transpose8_pd (__m512d r[8])
{
    __m512d t[8], s[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm512_unpacklo_pd (r[2 * i], r[2 * i + 1]);     /* columns 0 2 4 6 */
        t[2 * i + 1] = _mm512_unpackhi_pd (r[2 * i], r[2 * i + 1]); /* columns 1 3 5 7 */
    }
    //  Pairs of 128-bit lanes: rows 0-3 of columns (0, 4), (2, 6), ...
    const __m512i lo = _mm512_set_epi64 (13, 12, 5, 4, 9, 8, 1, 0);
    const __m512i hi = _mm512_set_epi64 (15, 14, 7, 6, 11, 10, 3, 2);
    for (int i = 0; i < 2; i++) {
        s[4 * i] = _mm512_permutex2var_pd (t[4 * i], lo, t[4 * i + 2]);
        s[4 * i + 1] = _mm512_permutex2var_pd (t[4 * i + 1], lo, t[4 * i + 3]);
        s[4 * i + 2] = _mm512_permutex2var_pd (t[4 * i], hi, t[4 * i + 2]);
        s[4 * i + 3] = _mm512_permutex2var_pd (t[4 * i + 1], hi, t[4 * i + 3]);
    }
    //  s[0..3]: rows 0-3 of columns (0|4), (1|5), (2|6), (3|7); s[4..7]:
    //  rows 4-7 of the same. Halves of 256 bits make whole columns.
    for (int k = 0; k < 4; k++) {
        r[k] = _mm512_shuffle_f64x2 (s[k], s[k + 4], 0x44);
        r[k + 4] = _mm512_shuffle_f64x2 (s[k], s[k + 4], 0xEE);
    }
}

static S_TARGET void
s_rows_to_tile_avx512 (double *dst, const double *src, size_t src_stride, size_t count)
{
    size_t k = 0;
    for (; k + 8 <= count; k += 8) {
        __m512d r[8];
        for (int t = 0; t < 8; t++)
            r[t] = _mm512_loadu_pd (src + t * src_stride + k);
        s_transpose8_pd (r);
        for (int j = 0; j < 8; j++)
            _mm512_storeu_pd (dst + (k + j) * 8, r[j]);
    }
    for (; k < count; k++)
        for (size_t t = 0; t < 8; t++)
            dst[k * 8 + t] = src[t * src_stride + k];
}

/*  An 8x8 block of floats, r[k] = row k -> r[t] = column t. */
static inline __attribute__ ((always_inline)) S_TARGET void
s_transpose8_ps (__m256 r[8])
{
    __m256 t[8], s[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps (r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps (r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 2; i++) {
        s[4 * i] = _mm256_shuffle_ps (t[4 * i], t[4 * i + 2], 0x44);
        s[4 * i + 1] = _mm256_shuffle_ps (t[4 * i], t[4 * i + 2], 0xEE);
        s[4 * i + 2] = _mm256_shuffle_ps (t[4 * i + 1], t[4 * i + 3], 0x44);
        s[4 * i + 3] = _mm256_shuffle_ps (t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int k = 0; k < 4; k++) {
        r[k] = _mm256_permute2f128_ps (s[k], s[k + 4], 0x20);
        r[k + 4] = _mm256_permute2f128_ps (s[k], s[k + 4], 0x31);
    }
}

static S_TARGET void
s_tile_to_rows_avx512 (float *dst, size_t dst_stride, const float *src, size_t count)
{
    size_t k = 0;
    for (; k + 8 <= count; k += 8) {
        __m256 r[8];
        for (int j = 0; j < 8; j++)
            r[j] = _mm256_loadu_ps (src + (k + j) * 8);
        s_transpose8_ps (r);
        for (int t = 0; t < 8; t++)
            _mm256_storeu_ps (dst + t * dst_stride + k, r[t]);
    }
    for (; k < count; k++)
        for (size_t t = 0; t < 8; t++)
            dst[t * dst_stride + k] = src[k * 8 + t];
}

#endif

void
sim_transpose_tile_to_rows_f32 (float *dst, size_t dst_stride, const float *src, size_t count)
{
#if SIM_HAVE_AVX512
    if (sim_avx512_usable ()) {
        s_tile_to_rows_avx512 (dst, dst_stride, src, count);
        return;
    }
#endif
    for (size_t k = 0; k < count; k++)
        for (size_t t = 0; t < 8; t++)
            dst[t * dst_stride + k] = src[k * 8 + t];
}

void
sim_transpose_rows_to_tile (double *dst, const double *src, size_t src_stride, size_t count)
{
#if SIM_HAVE_AVX512
    if (sim_avx512_usable ()) {
        s_rows_to_tile_avx512 (dst, src, src_stride, count);
        return;
    }
#endif
    for (size_t k = 0; k < count; k++)
        for (size_t t = 0; t < 8; t++)
            dst[k * 8 + t] = src[t * src_stride + k];
}
