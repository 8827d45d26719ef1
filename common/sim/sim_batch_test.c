/*  sim_batch_test.c - the integration loop against a naive re-derivation,
    lane independence, random streams and per-lane failure. */
#include "bsw_test.h"
#include "bsw_util.h"
#include "sim_batch.h"
#include "sim_g2d_avx512.h"
#include "sim_test_ring.h"
#include "sim_transpose.h"

#include <string.h>

/*  The ring's run (sim_test_ring.h) with coupling b 0.01, a = 2 and the
    given initial conditions (NULL: random, keyed by the point index). */
static void
s_small_setup (sim_setup_t *setup, const double *initial)
{
    sim_test_ring_setup (setup);
    setup->coupling_params[SIM_CP_B] = 0.01;
    setup->params[sim_model_param_index (setup->model, "a")] = 2.0;
    setup->initial = initial;
}

/*  The loop of TVB.md section 5 written the slow, obvious way: the whole
    history kept per step, so no ring arithmetic is shared with the core;
    the model's own dfun, and Heun with each multiply-add fused as the core
    fuses it (the coupling sum needs no fma: its products are exact). */
static void
s_naive_run (const sim_connectivity_t *conn, const sim_setup_t *setup, double *samples)
{
    size_t n = conn->n;
    uint64_t steps = sim_setup_steps (setup), istep = sim_setup_istep (setup);
    int delay[9];
    for (size_t k = 0; k < n * n; k++)
        delay[k] = (int) rint (conn->tract_lengths[k] / setup->conduction_speed / setup->dt);
    int H = 0;
    for (size_t k = 0; k < n * n; k++)
        H = delay[k] > H ? delay[k] : H;
    H += 1;
    //  V history by step number s in [-(H-1), steps], index s + H; kept in
    //  float32 with float32 weights, as TVB keeps them (TVB.md 2.3).
    float *Vh = bsw_calloc ((size_t) (steps + (uint64_t) H + 1) * n, sizeof (float));
    double X[2][3], k1[2][3], k2[2][3], Xp[2][3], c[3], sum[2][3];
    for (size_t i = 0; i < n; i++) {
        X[0][i] = setup->initial[i];
        X[1][i] = setup->initial[n + i];
        for (int s = -(H - 1); s <= 0; s++)
            Vh[(size_t) (s + H) * n + i] = (float) setup->initial[i];
    }
    double params[SIM_MAX_PARAMS * 3]; /* per element: [param][node] */
    for (size_t q = 0; q < setup->model->n_params; q++)
        for (size_t i = 0; i < n; i++)
            params[q * n + i] = setup->params[q];
    size_t sample = 0;
    for (uint64_t s = 1; s <= steps; s++) {
        for (size_t i = 0; i < n; i++) {
            double acc = 0.0;
            for (size_t j = 0; j < n; j++)
                if (conn->weights[i * n + j] != 0.0)
                    acc += (double) (float) conn->weights[i * n + j] *
                           (double) Vh[(size_t) ((int64_t) s - 1 - delay[i * n + j] + H) * n + j];
            c[i] = fma (setup->coupling_params[SIM_CP_A], acc, setup->coupling_params[SIM_CP_B]);
        }
        setup->model->dfun (n, n, &X[0][0], c, params, &k1[0][0]);
        for (size_t i = 0; i < n; i++)
            for (int v = 0; v < 2; v++)
                Xp[v][i] = fma (setup->dt, k1[v][i], X[v][i]);
        setup->model->dfun (n, n, &Xp[0][0], c, params, &k2[0][0]);
        for (size_t i = 0; i < n; i++)
            for (int v = 0; v < 2; v++) {
                X[v][i] = fma (k1[v][i] + k2[v][i], setup->dt / 2.0, X[v][i]);
                sum[v][i] = s % istep == 1 ? X[v][i] : sum[v][i] + X[v][i];
            }
        for (size_t i = 0; i < n; i++)
            Vh[(size_t) (s + (uint64_t) H) * n + i] = (float) X[0][i];
        if (s % istep == 0) {
            for (int v = 0; v < 2; v++)
                for (size_t i = 0; i < n; i++)
                    samples[(sample * 2 + (size_t) v) * n + i] = sum[v][i] / (double) istep;
            sample++;
        }
    }
    free (Vh);
}

/*  Usage: one point, explicit initial conditions, matched bit for bit by
    the naive loop. */
static int
s_test_matches_naive_loop (void)
{
    sim_connectivity_t *conn = sim_test_ring_new ();
    const double initial[6] = {0.1, -0.4, 0.9, 0.1, 0.2, -0.3};
    sim_setup_t setup;
    s_small_setup (&setup, initial);
    sim_batch_t *batch;
    bsw_error_t err;
    BSW_CHECK_MSG (sim_batch_new (&batch, conn, &setup, 1, &err) == 0, "%s", err.text);
    //  The horizon the batch's history spans (sim_batch_new takes it from here).
    int idelays[9];
    BSW_CHECK_INT (sim_connectivity_idelays (conn, setup.conduction_speed, setup.dt, idelays, &err),
                   6);
    BSW_CHECK_INT (sim_batch_steps (batch), 200);
    BSW_CHECK_INT (sim_batch_samples (batch), 50);
    size_t size = sim_batch_output_size (batch);
    BSW_CHECK_INT (size, 50 * 2 * 3);
    double *out = bsw_calloc (size, sizeof (double)), *time = bsw_calloc (50, sizeof (double));
    sim_batch_set_output (batch, &out, time);
    //  In pieces, as a worker does between heartbeats.
    BSW_CHECK_INT (sim_batch_advance (batch, 7), 7);
    BSW_CHECK (!sim_batch_finished (batch));
    BSW_CHECK_INT (sim_batch_advance (batch, 0), 193);
    BSW_CHECK (sim_batch_finished (batch));
    BSW_CHECK_INT (sim_batch_advance (batch, 0), 0);
    BSW_CHECK (sim_batch_first_nonfinite (batch, 0) == UINT64_MAX);
    double *expected = bsw_calloc (size, sizeof (double));
    s_naive_run (conn, &setup, expected);
    for (size_t k = 0; k < size; k++)
        BSW_CHECK_DOUBLE_EQ (out[k], expected[k]);
    BSW_CHECK_DOUBLE_EQ (time[0], (4 - 2.0) * 0.1);
    BSW_CHECK_DOUBLE_EQ (time[49], (200 - 2.0) * 0.1);
    free (expected);
    free (out);
    free (time);
    sim_batch_destroy (&batch);
    sim_batch_destroy (&batch);
    BSW_CHECK (batch == NULL);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

/*  Runs `count` points with I = 0.1*k and random ICs; returns outputs. */
static double **
s_run_points (const sim_connectivity_t *conn, const uint64_t *indices, size_t count,
              sim_integrator_kind_t integrator, size_t *size_out)
{
    sim_setup_t *setups = bsw_calloc (count, sizeof (sim_setup_t));
    for (size_t p = 0; p < count; p++) {
        s_small_setup (&setups[p], NULL);
        setups[p].integrator = integrator;
        setups[p].nsig[0] = setups[p].nsig[1] = 0.01;
        setups[p].point_index = indices[p];
        setups[p].params[sim_model_param_index (setups[p].model, "I")] = 0.1 * (double) indices[p];
    }
    sim_batch_t *batch;
    if (sim_batch_new (&batch, conn, setups, count, NULL)) {
        free (setups);
        return NULL;
    }
    size_t size = sim_batch_output_size (batch);
    double **out = bsw_calloc (count, sizeof (double *));
    for (size_t p = 0; p < count; p++)
        out[p] = bsw_calloc (size, sizeof (double));
    sim_batch_set_output (batch, out, NULL);
    sim_batch_advance (batch, 0);
    sim_batch_destroy (&batch);
    free (setups);
    *size_out = size;
    return out;
}

/*  A point's numbers do not depend on its lane or its batch companions,
    for both integrators (random ICs and noise keyed by point index), for
    every lane count the batch treats differently (1; dividing 8: 2, 4, 8;
    neither: 3, 5; beyond 8: 16) and on a connectivity of a few tiles as
    well as on the 76-region default (several kernel calls per block). */
static int
s_test_lane_independence (void)
{
    sim_connectivity_t *conns[2] = {sim_test_ring_new (), sim_connectivity_new_default ()};
    const size_t lanes[] = {2, 3, 4, 5, 8, 16};
    for (int c = 0; c < 2; c++)
        for (int kind = 0; kind < 2; kind++) {
            size_t size;
            uint64_t five = 5;
            double **alone = s_run_points (conns[c], &five, 1, (sim_integrator_kind_t) kind, &size);
            BSW_CHECK (alone);
            for (size_t b = 0; b < sizeof lanes / sizeof lanes[0]; b++) {
                //  Points 20, 21, ... with point 5 in the middle lane.
                uint64_t points[16];
                for (size_t p = 0; p < lanes[b]; p++)
                    points[p] = p == lanes[b] / 2 ? 5 : 20 + p;
                double **out =
                    s_run_points (conns[c], points, lanes[b], (sim_integrator_kind_t) kind, &size);
                BSW_CHECK (out);
                BSW_CHECK_MSG (memcmp (alone[0], out[lanes[b] / 2], size * sizeof (double)) == 0,
                               "connectivity %d, integrator %d: point 5 in lane %zu of %zu differs "
                               "from point 5 alone",
                               c, kind, lanes[b] / 2, lanes[b]);
                BSW_CHECK (memcmp (out[0], out[lanes[b] / 2], size * sizeof (double)) != 0);
                for (size_t p = 0; p < lanes[b]; p++)
                    free (out[p]);
                free (out);
            }
            free (alone[0]);
            free (alone);
        }
    sim_connectivity_destroy (&conns[0]);
    sim_connectivity_destroy (&conns[1]);
    return BSW_TEST_PASS;
}

static int
s_test_stochastic_zero_noise (void)
{
    sim_connectivity_t *conn = sim_test_ring_new ();
    const double initial[6] = {0.1, -0.4, 0.9, 0.1, 0.2, -0.3};
    sim_setup_t setups[2];
    s_small_setup (&setups[0], initial);
    s_small_setup (&setups[1], initial);
    setups[1].integrator = SIM_INTEGRATOR_HEUN_STOCHASTIC;
    setups[1].nsig[0] = setups[1].nsig[1] = 0.0;
    double *out[2];
    for (int k = 0; k < 2; k++) {
        sim_batch_t *batch;
        BSW_CHECK (sim_batch_new (&batch, conn, &setups[k], 1, NULL) == 0);
        out[k] = bsw_calloc (sim_batch_output_size (batch), sizeof (double));
        sim_batch_set_output (batch, &out[k], NULL);
        sim_batch_advance (batch, 0);
        sim_batch_destroy (&batch);
    }
    BSW_CHECK (memcmp (out[0], out[1], 50 * 2 * 3 * sizeof (double)) == 0);
    free (out[0]);
    free (out[1]);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

/*  A diverging point is flagged; its lane companion is untouched. */
static int
s_test_divergence_is_per_lane (void)
{
    sim_connectivity_t *conn = sim_test_ring_new ();
    const double initial[6] = {3.0, 3.0, 3.0, 0.1, 0.2, -0.3};
    sim_setup_t setups[2];
    s_small_setup (&setups[0], initial);
    s_small_setup (&setups[1], initial);
    //  f = -5 turns -f*V^3 into runaway growth.
    setups[1].params[sim_model_param_index (setups[1].model, "f")] = -5.0;
    setups[1].params[sim_model_param_index (setups[1].model, "d")] = 1.0;
    sim_batch_t *batch;
    BSW_CHECK (sim_batch_new (&batch, conn, setups, 2, NULL) == 0);
    size_t size = sim_batch_output_size (batch);
    double *out[2] = {bsw_calloc (size, sizeof (double)), bsw_calloc (size, sizeof (double))};
    sim_batch_set_output (batch, out, NULL);
    sim_batch_advance (batch, 0);
    BSW_CHECK (sim_batch_first_nonfinite (batch, 0) == UINT64_MAX);
    BSW_CHECK (sim_batch_first_nonfinite (batch, 1) < 50);
    sim_batch_destroy (&batch);
    free (out[0]);
    free (out[1]);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

static int
s_test_rejects_mixed_batches (void)
{
    sim_connectivity_t *conn = sim_test_ring_new ();
    sim_setup_t setups[2];
    s_small_setup (&setups[0], NULL);
    s_small_setup (&setups[1], NULL);
    setups[1].dt = 0.05;
    sim_batch_t *batch = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (sim_batch_new (&batch, conn, setups, 2, &err), BSW_EINVAL);
    BSW_CHECK (batch == NULL);
    BSW_CHECK (strstr (err.text, "point 1"));
    BSW_CHECK_INT (sim_batch_new (&batch, conn, setups, 0, &err), BSW_EINVAL);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

/*  The Generic 2D Oscillator's kernels give the same bits under Linear
    coupling: the portable one, the AVX-512 one (where the machine has it)
    and the one every model gets from sim_tile_heun.h (which therefore
    computes what the reference-checked kernels compute), for every
    monitor, with and without noise, per-lane or shared parameters, tau 1
    or not, one tile or several side by side. */
static int
s_test_kernels_agree (void)
{
    enum { K = 37, X = 40, VECTORS = 5, KERNELS = 3 };
    const size_t P = sim_g2d_model.n_params;
    int kernels = sim_avx512_usable () ? KERNELS : KERNELS - 1;
    double far[VECTORS * K * SIM_TILE], sw[X], cpar[SIM_MAX_COUPLING_PARAMS * X], noise[K * 2 * X];
    double *ca = cpar, *cb = cpar + X;
    double params[SIM_MAX_PARAMS * X], state0[2 * X];
    for (size_t k = 0; k < VECTORS * K * SIM_TILE; k++)
        far[k] = 0.01 * sin ((double) k);
    for (size_t x = 0; x < X; x++) {
        sw[x] = x % 3 ? 0.5 : 0.0;
        ca[x] = 0.0152;
        cb[x] = 0.001 * (double) (x % 8); /* per lane: repeats from tile to tile */
        state0[x] = -1.0 + 0.07 * (double) x;
        state0[X + x] = 0.5 - 0.03 * (double) x;
    }
    for (size_t k = 0; k < K * 2 * X; k++)
        noise[k] = 1e-3 * cos ((double) k);
    for (int variant = 0; variant < 48; variant++) {
        size_t period = variant % 3 == 0 ? 1 : variant % 3 == 1 ? 8 : X;
        bool noisy = (variant / 3) % 2, tau_one = (variant / 6) % 2;
        sim_monitor_kind_t monitor =
            (sim_monitor_kind_t) ((variant / 12) % 2 ? SIM_MONITOR_RAW
                                                     : SIM_MONITOR_TEMPORAL_AVERAGE);
        //  V alone is the AVX-512 kernel's branch-free case (with a
        //  TemporalAverage and no noise); 3 and 5 tiles side by side.
        bool v_only = (variant / 24) % 2;
        size_t vectors = period == X ? 1 : variant % 2 ? VECTORS : 3;
        for (size_t q = 0; q < P; q++)
            for (size_t x = 0; x < period; x++)
                params[q * period + x] =
                    sim_g2d_model.params[q].default_value + 0.01 * (double) (x % 8);
        params[sim_model_param_index (&sim_g2d_model, "a") * period] = 2.0;
        for (size_t x = 0; x < period; x++)
            params[x] = tau_one ? 1.0 : 1.0 + 0.25 * (double) (x % 8); /* tau is parameter 0 */
        double state[KERNELS][2 * X], sum[KERNELS][2 * X], samples[KERNELS][K * 2 * X];
        float vhist[KERNELS][VECTORS * K * SIM_TILE];
        for (int which = 0; which < kernels; which++) {
            memcpy (state[which], state0, sizeof state0);
            memset (sum[which], 0, sizeof sum[which]);
            memset (samples[which], 0, sizeof samples[which]);
            memset (vhist[which], 0, sizeof vhist[which]);
            sim_tile_t tile = {.k0 = 3,
                               .k1 = K,
                               .vectors = vectors,
                               .block = K,
                               .step0 = 5,
                               .far = far,
                               .self_weight = sw,
                               .row_weight = sw,
                               .coupling_kind = SIM_COUPLING_LINEAR,
                               .n_chan = 1,
                               .cpar = cpar,
                               .params = params,
                               .period = period,
                               .dt = 0.05,
                               .noise = noisy ? noise : NULL,
                               .state = state[which],
                               .stride = X,
                               .vhist = vhist[which],
                               .monitor = monitor,
                               .istep = 4,
                               .n_voi = v_only ? 1 : 2,
                               .voi = {v_only ? 0 : 2, 1},
                               .sum = sum[which],
                               .samples = samples[which]};
            if (which == 0)
                sim_g2d_tile_portable (&tile);
            else if (which == 1)
                sim_g2d_model.tile (&tile);
            else
                sim_g2d_tile_avx512 (&tile);
        }
        for (int which = 1; which < kernels; which++) {
            BSW_CHECK_MSG (memcmp (state[0], state[which], sizeof state[0]) == 0,
                           "variant %d, kernel %d: state", variant, which);
            BSW_CHECK_MSG (memcmp (vhist[0], vhist[which], sizeof vhist[0]) == 0,
                           "variant %d, kernel %d: history", variant, which);
            BSW_CHECK_MSG (memcmp (sum[0], sum[which], sizeof sum[0]) == 0,
                           "variant %d, kernel %d: sums", variant, which);
            BSW_CHECK_MSG (memcmp (samples[0], samples[which], sizeof samples[0]) == 0,
                           "variant %d, kernel %d: samples", variant, which);
        }
        BSW_CHECK_MSG (state[0][0] != state0[0], "variant %d: nothing ran", variant);
    }
    return BSW_TEST_PASS;
}

/*  The far input's transpose and the history values' transpose back,
    block and tail, against their definitions (the AVX-512 paths here; the
    portable ones under valgrind). */
static int
s_test_transpose_rows_to_tile (void)
{
    enum { STRIDE = 45 };
    double src[8 * STRIDE], dst[STRIDE * 8 + 8];
    for (size_t k = 0; k < 8 * STRIDE; k++)
        src[k] = (double) k;
    const size_t counts[] = {0, 1, 7, 8, 9, 16, 23, 40};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        size_t count = counts[c];
        for (size_t k = 0; k < STRIDE * 8 + 8; k++)
            dst[k] = -1.0;
        sim_transpose_rows_to_tile (dst, src, STRIDE, count);
        for (size_t k = 0; k < count; k++)
            for (size_t t = 0; t < 8; t++)
                BSW_CHECK_MSG (dst[k * 8 + t] == src[t * STRIDE + k], "count %zu: [%zu][%zu]",
                               count, k, t);
        BSW_CHECK_MSG (dst[count * 8] == -1.0, "count %zu: wrote past the end", count);
        //  And back, float32, into rows of STRIDE (a tile's history values).
        float tile[STRIDE * 8], rows[8 * STRIDE];
        for (size_t k = 0; k < STRIDE * 8; k++)
            tile[k] = (float) k + 0.5f;
        for (size_t k = 0; k < 8 * STRIDE; k++)
            rows[k] = -1.0f;
        sim_transpose_tile_to_rows_f32 (rows, STRIDE, tile, count);
        for (size_t t = 0; t < 8; t++) {
            for (size_t k = 0; k < count; k++)
                BSW_CHECK_MSG (rows[t * STRIDE + k] == tile[k * 8 + t], "f32 count %zu: [%zu][%zu]",
                               count, t, k);
            if (count < STRIDE)
                BSW_CHECK_MSG (rows[t * STRIDE + count] == -1.0f, "f32 count %zu: past the end",
                               count);
        }
    }
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"matches_naive_loop", s_test_matches_naive_loop},
                                          {"lane_independence", s_test_lane_independence},
                                          {"stochastic_zero_noise", s_test_stochastic_zero_noise},
                                          {"divergence_is_per_lane", s_test_divergence_is_per_lane},
                                          {"rejects_mixed_batches", s_test_rejects_mixed_batches},
                                          {"kernels_agree", s_test_kernels_agree},
                                          {"transpose_rows_to_tile", s_test_transpose_rows_to_tile},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
