/*  sim_g2d_avx512.c - see sim_g2d_avx512.h. The equations are those of
    S_G2D_DERIV and S_G2D_HEUN in sim_g2d.c, operation for operation. */
#include "sim_g2d_avx512.h"
#include "sim_g2d_params.h"

#if SIM_HAVE_AVX512
#include <immintrin.h>

#define S_TARGET __attribute__ ((target ("arch=x86-64-v4")))
#define S_INLINE static inline __attribute__ ((always_inline)) S_TARGET

typedef struct {
    __m512d tau, I, a, b, c, d, e, f, g, alpha, beta, gamma;
    __m512d d_tau; /* d * tau, as (d * tau) * x in TVB's order */
    bool tau_div;
} s_params_t;

/*  dV and dW at (v, w) with coupling cin. */
S_INLINE void
s_deriv (const s_params_t *p, __m512d v, __m512d w, __m512d cin, __m512d *dv, __m512d *dw)
{
    __m512d v2 = _mm512_mul_pd (v, v);
    __m512d in = _mm512_mul_pd (p->alpha, w);
    in = _mm512_fnmadd_pd (_mm512_mul_pd (p->f, v2), v, in);
    in = _mm512_fmadd_pd (p->e, v2, in);
    in = _mm512_fmadd_pd (p->g, v, in);
    in = _mm512_fmadd_pd (p->gamma, p->I, in);
    in = _mm512_fmadd_pd (p->gamma, cin, in);
    *dv = _mm512_mul_pd (p->d_tau, in);
    __m512d x = _mm512_fmadd_pd (p->b, v, p->a);
    x = _mm512_fmadd_pd (p->c, v2, x);
    x = _mm512_fnmadd_pd (p->beta, w, x);
    x = _mm512_mul_pd (p->d, x);
    *dw = p->tau_div ? _mm512_div_pd (x, p->tau) : x;
}

S_INLINE __m512d
s_param (const sim_tile_t *tile, int q)
{
    const double *row = tile->params + (size_t) q * tile->period;
    return tile->period == 1 ? _mm512_set1_pd (row[0]) : _mm512_loadu_pd (row);
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

/*  M tiles side by side: each tile's steps are one long dependency chain
    (about 90 cycles of latency per step), so several independent chains
    are interleaved to keep the vector units busy. */
S_INLINE void
s_run (const sim_tile_t *tile, const s_params_t *p, const size_t M)
{
    size_t X = tile->stride, K = tile->block, samples = 0;
    __m512d dt = _mm512_set1_pd (tile->dt), half_dt = _mm512_set1_pd (tile->dt / 2.0);
    //  The coupling's a and b are per lane, so with parameters shared by the
    //  tiles (period 1 or 8, which vectors > 1 implies) they repeat from
    //  tile to tile: two registers instead of 2 * M (the kernel is tight
    //  on the 32 vector registers).
    __m512d ca = _mm512_loadu_pd (tile->coupling_a), cb = _mm512_loadu_pd (tile->coupling_b);
    __m512d sw[4], V[4], W[4], obs[SIM_MAX_VOI];
    __m256 Vf[4]; /* V rounded to float32: the history value, and the next step's self input */
    for (size_t u = 0; u < M; u++) {
        sw[u] = _mm512_loadu_pd (tile->self_weight + u * SIM_TILE);
        V[u] = _mm512_loadu_pd (tile->state + u * SIM_TILE);
        W[u] = _mm512_loadu_pd (tile->state + X + u * SIM_TILE);
        Vf[u] = _mm512_cvtpd_ps (V[u]);
    }
    //  The monitor's phase, step % istep, kept by counting (a division per
    //  step and tile showed in the profile).
    uint64_t phase = tile->step0 % tile->istep;
    for (size_t k = tile->k0; k < tile->k1; k++, phase = phase + 1 == tile->istep ? 0 : phase + 1) {
        size_t j = k - tile->k0;
        for (size_t u = 0; u < M; u++) {
            //  Coupling: far input, self-connection on V as float32, a*sum + b.
            __m512d vf = _mm512_cvtps_pd (Vf[u]);
            __m512d far = _mm512_loadu_pd (tile->far + (u * K + k) * SIM_TILE);
            __m512d cin = _mm512_fmadd_pd (ca, _mm512_fmadd_pd (sw[u], vf, far), cb);
            __m512d dv1, dw1, dv2, dw2;
            s_deriv (p, V[u], W[u], cin, &dv1, &dw1);
            __m512d vp = _mm512_fmadd_pd (dt, dv1, V[u]), wp = _mm512_fmadd_pd (dt, dw1, W[u]);
            __m512d zv = _mm512_setzero_pd (), zw = zv;
            if (tile->noise) {
                zv = _mm512_loadu_pd (tile->noise + j * 2 * X + u * SIM_TILE);
                zw = _mm512_loadu_pd (tile->noise + (j * 2 + 1) * X + u * SIM_TILE);
                vp = _mm512_add_pd (vp, zv);
                wp = _mm512_add_pd (wp, zw);
            }
            s_deriv (p, vp, wp, cin, &dv2, &dw2);
            V[u] = _mm512_fmadd_pd (_mm512_add_pd (dv1, dv2), half_dt, V[u]);
            W[u] = _mm512_fmadd_pd (_mm512_add_pd (dw1, dw2), half_dt, W[u]);
            if (tile->noise) {
                V[u] = _mm512_add_pd (V[u], zv);
                W[u] = _mm512_add_pd (W[u], zw);
            }
            Vf[u] = _mm512_cvtpd_ps (V[u]);
            _mm256_storeu_ps (tile->vhist + (u * K + j) * SIM_TILE, Vf[u]);
        }
        for (size_t u = 0; u < M; u++) {
            for (size_t v = 0; v < tile->n_voi; v++)
                switch (tile->voi[v]) {
                case 0:
                    obs[v] = V[u];
                    break;
                case 1:
                    obs[v] = W[u];
                    break;
                case 2:
                    obs[v] = _mm512_add_pd (V[u], W[u]);
                    break;
                default:
                    obs[v] = _mm512_sub_pd (V[u], W[u]);
                    break;
                }
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

S_TARGET void
sim_g2d_tile_avx512 (const sim_tile_t *tile)
{
    s_params_t p = {
        .tau = s_param (tile, P_TAU),
        .I = s_param (tile, P_I),
        .a = s_param (tile, P_A),
        .b = s_param (tile, P_B),
        .c = s_param (tile, P_C),
        .d = s_param (tile, P_D),
        .e = s_param (tile, P_E),
        .f = s_param (tile, P_F),
        .g = s_param (tile, P_G),
        .alpha = s_param (tile, P_ALPHA),
        .beta = s_param (tile, P_BETA),
        .gamma = s_param (tile, P_GAMMA),
    };
    p.d_tau = _mm512_mul_pd (p.d, p.tau);
    p.tau_div = _mm512_cmp_pd_mask (p.tau, _mm512_set1_pd (1.0), _CMP_NEQ_UQ) != 0;
    switch (tile->vectors) {
    case 4:
        s_run (tile, &p, 4);
        break;
    case 3:
        s_run (tile, &p, 3);
        break;
    case 2:
        s_run (tile, &p, 2);
        break;
    default:
        s_run (tile, &p, 1);
    }
}
#endif
