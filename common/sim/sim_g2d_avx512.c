/*  sim_g2d_avx512.c - see sim_g2d_avx512.h. The equations are those of
    S_G2D_DERIV and S_G2D_HEUN in sim_g2d.c, operation for operation. */
#include "sim_g2d_avx512.h"
#include "sim_g2d_params.h"

#if SIM_HAVE_AVX512
#include <immintrin.h>

#define S_TARGET    __attribute__ ((target ("arch=x86-64-v4")))
#define S_INLINE    static inline __attribute__ ((always_inline)) S_TARGET
#define S_MAX_TILES 5 /* tiles side by side: sim_batch.c's S_TILES_PER_CALL at most */

typedef struct {
    __m512d c[C_COUNT]; /* sim_g2d_coefs, element by element */
} s_params_t;

/*  dV and dW at (v, w) with coupling cin, as S_G2D_DERIV. */
S_INLINE void
s_deriv (const s_params_t *p, __m512d v, __m512d w, __m512d cin, __m512d *dv, __m512d *dw)
{
    const __m512d *c = p->c;
    __m512d in = _mm512_fmadd_pd (c[C_ALPHA], w, c[C_GAMMA_I]);
    in = _mm512_fmadd_pd (c[C_GAMMA], cin, in);
    __m512d h = _mm512_fnmadd_pd (c[C_F], v, c[C_E]);
    h = _mm512_fmadd_pd (h, v, c[C_G]);
    *dv = _mm512_fmadd_pd (h, v, in);
    *dw = _mm512_fmadd_pd (_mm512_fmadd_pd (c[C_C], v, c[C_B]), v,
                           _mm512_fnmadd_pd (c[C_BETA], w, c[C_A]));
}

/*  The monitor of sim_tile_record, on registers. */
S_INLINE void
s_record (const sim_tile_t *tile, size_t offset, uint64_t phase, const __m512d *obs,
          size_t *sample_index)
{
    size_t X = tile->stride, V = tile->n_voi;
    double *out = tile->samples + *sample_index * V * X + offset;
    if (tile->monitor != SIM_MONITOR_TEMPORAL_AVERAGE) {
        if (tile->monitor == SIM_MONITOR_SUBSAMPLE && phase != 0)
            return;
        for (size_t v = 0; v < V; v++)
            _mm512_storeu_pd (out + v * X, obs[v]);
        ++*sample_index;
        return;
    }
    bool first = phase == 1 || tile->istep == 1;
    for (size_t v = 0; v < V; v++) {
        double *sum = tile->sum + v * X + offset;
        __m512d total = first ? obs[v] : _mm512_add_pd (_mm512_loadu_pd (sum), obs[v]);
        _mm512_storeu_pd (sum, total);
        if (phase == 0)
            _mm512_storeu_pd (out + v * X,
                              _mm512_div_pd (total, _mm512_set1_pd ((double) tile->istep)));
    }
    if (phase == 0)
        ++*sample_index;
}

/*  The VOIs of one tile's state. */
S_INLINE void
s_obs (const sim_tile_t *tile, __m512d V, __m512d W, __m512d *obs)
{
    for (size_t v = 0; v < tile->n_voi; v++)
        switch (tile->voi[v]) {
        case 0:
            obs[v] = V;
            break;
        case 1:
            obs[v] = W;
            break;
        case 2:
            obs[v] = _mm512_add_pd (V, W);
            break;
        default:
            obs[v] = _mm512_sub_pd (V, W);
            break;
        }
}

/*  M tiles side by side: each tile's steps are one long dependency chain
    (its latency per step: bench/README.md, "Where the core's time goes
    now", tile kernel), so several independent chains are interleaved to
    keep the vector units busy. `plain` is the common case compiled on its
    own: no noise, a TemporalAverage of V alone, so the step loop has no
    branch but the window's end. */
S_INLINE void
s_run (const sim_tile_t *tile, const s_params_t *p, const size_t M, const bool plain)
{
    size_t X = tile->stride, K = tile->block, samples = 0;
    const double *far = tile->far, *noise = tile->noise;
    float *vhist = tile->vhist;
    double *sum = tile->sum;
    uint64_t istep = tile->istep;
    bool noisy = !plain && noise != NULL;
    __m512d dt = _mm512_set1_pd (tile->dt), half_dt = _mm512_set1_pd (tile->dt / 2.0);
    __m512d count = _mm512_set1_pd ((double) istep);
    //  The coupling's a and b are per lane, so with parameters shared by the
    //  tiles (period 1 or 8, which vectors > 1 implies) they repeat from
    //  tile to tile: two registers instead of 2 * M (the kernel is tight
    //  on the 32 vector registers).
    __m512d ca = _mm512_loadu_pd (tile->cpar + SIM_CP_A * X),
            cb = _mm512_loadu_pd (tile->cpar + SIM_CP_B * X);
    __m512d sw[S_MAX_TILES], V[S_MAX_TILES], W[S_MAX_TILES], obs[SIM_MAX_VOI];
    __m256 Vf[S_MAX_TILES]; /* V rounded to float32: the history value, and the next step's
                               self input */
    for (size_t u = 0; u < M; u++) {
        sw[u] = _mm512_loadu_pd (tile->self_weight + u * SIM_TILE);
        V[u] = _mm512_loadu_pd (tile->state + u * SIM_TILE);
        W[u] = _mm512_loadu_pd (tile->state + X + u * SIM_TILE);
        Vf[u] = _mm512_cvtpd_ps (V[u]);
    }
    //  The monitor's phase, step % istep, kept by counting (a division per
    //  step and tile showed in the profile).
    uint64_t phase = tile->step0 % istep;
    for (size_t k = tile->k0; k < tile->k1; k++, phase = phase + 1 == istep ? 0 : phase + 1) {
        size_t j = k - tile->k0;
        for (size_t u = 0; u < M; u++) {
            //  Coupling: far input, self-connection on V as float32, a*sum + b.
            __m512d vf = _mm512_cvtps_pd (Vf[u]);
            __m512d in = _mm512_loadu_pd (far + (u * K + k) * SIM_TILE);
            __m512d cin = _mm512_fmadd_pd (ca, _mm512_fmadd_pd (sw[u], vf, in), cb);
            __m512d dv1, dw1, dv2, dw2;
            s_deriv (p, V[u], W[u], cin, &dv1, &dw1);
            __m512d vp = _mm512_fmadd_pd (dt, dv1, V[u]), wp = _mm512_fmadd_pd (dt, dw1, W[u]);
            __m512d zv = _mm512_setzero_pd (), zw = zv;
            if (noisy) {
                zv = _mm512_loadu_pd (noise + j * 2 * X + u * SIM_TILE);
                zw = _mm512_loadu_pd (noise + (j * 2 + 1) * X + u * SIM_TILE);
                vp = _mm512_add_pd (vp, zv);
                wp = _mm512_add_pd (wp, zw);
            }
            s_deriv (p, vp, wp, cin, &dv2, &dw2);
            V[u] = _mm512_fmadd_pd (_mm512_add_pd (dv1, dv2), half_dt, V[u]);
            W[u] = _mm512_fmadd_pd (_mm512_add_pd (dw1, dw2), half_dt, W[u]);
            if (noisy) {
                V[u] = _mm512_add_pd (V[u], zv);
                W[u] = _mm512_add_pd (W[u], zw);
            }
            Vf[u] = _mm512_cvtpd_ps (V[u]);
            _mm256_storeu_ps (vhist + (u * K + j) * SIM_TILE, Vf[u]);
        }
        if (plain) {
            //  sim_tile_record's TemporalAverage of V, inline.
            bool first = phase == 1 || istep == 1;
            for (size_t u = 0; u < M; u++) {
                double *s = sum + u * SIM_TILE;
                __m512d total = first ? V[u] : _mm512_add_pd (_mm512_loadu_pd (s), V[u]);
                _mm512_storeu_pd (s, total);
            }
            if (phase == 0) {
                double *out = tile->samples + samples * X;
                for (size_t u = 0; u < M; u++)
                    _mm512_storeu_pd (out + u * SIM_TILE,
                                      _mm512_div_pd (_mm512_loadu_pd (sum + u * SIM_TILE), count));
                samples++;
            }
            continue;
        }
        for (size_t u = 0; u < M; u++) {
            s_obs (tile, V[u], W[u], obs);
            size_t index = samples;
            s_record (tile, u * SIM_TILE, phase, obs, &index);
            if (u + 1 == M)
                samples = index;
        }
    }
    for (size_t u = 0; u < M; u++) {
        _mm512_storeu_pd (tile->state + u * SIM_TILE, V[u]);
        _mm512_storeu_pd (tile->state + X + u * SIM_TILE, W[u]);
    }
}

/*  s_run for M = tile->vectors, the plain case apart. */
S_INLINE void
s_run_any (const sim_tile_t *tile, const s_params_t *p, const bool plain)
{
    switch (tile->vectors) {
    case 5:
        s_run (tile, p, 5, plain);
        break;
    case 4:
        s_run (tile, p, 4, plain);
        break;
    case 3:
        s_run (tile, p, 3, plain);
        break;
    case 2:
        s_run (tile, p, 2, plain);
        break;
    default:
        s_run (tile, p, 1, plain);
    }
}

S_TARGET void
sim_g2d_tile_avx512 (const sim_tile_t *tile)
{
    //  The coefficients of the tile's eight elements (one set when the
    //  parameters are shared), computed by the portable kernel's function.
    double cf[C_COUNT][SIM_TILE];
    size_t elements = tile->period == 1 ? 1 : SIM_TILE;
    for (size_t t = 0; t < elements; t++) {
        double one[C_COUNT];
        sim_g2d_coefs (tile->params, tile->period, t, one);
        for (int q = 0; q < C_COUNT; q++)
            cf[q][t] = one[q];
    }
    s_params_t p;
    for (int q = 0; q < C_COUNT; q++)
        p.c[q] = elements == 1 ? _mm512_set1_pd (cf[q][0]) : _mm512_loadu_pd (cf[q]);
    bool plain = tile->noise == NULL && tile->monitor == SIM_MONITOR_TEMPORAL_AVERAGE &&
                 tile->n_voi == 1 && tile->voi[0] == 0;
    if (plain)
        s_run_any (tile, &p, true);
    else
        s_run_any (tile, &p, false);
}
#endif
