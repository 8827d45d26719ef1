/*  sim_models_test.c - every model under every coupling it accepts,
    against TVB's loop written naively: the coupling evaluated edge by edge
    as TVB's pre and post do it (sim_coupling.h's channels are a
    rearrangement of it, so agreement is to rounding, not to the bit), the
    history of the coupling variables in float32, the model's dfun and
    Heun with its boundaries. Also: the boundaries clamp and keep a NaN,
    and zero noise is the deterministic run for every model. */
#include "bsw_test.h"
#include "bsw_util.h"
#include "sim_batch.h"
#include "sim_test_ring.h"

#include <math.h>
#include <string.h>

#define S_LANES 3

/*  TVB's sum for receiver i, coupling variable k (or the one input of
    SigmoidalJansenRit), at step s, from the float32 history hist[step][cvar][node]
    (index step + H); then post. */
static double
s_naive_input (const sim_connectivity_t *conn, const sim_setup_t *setup, const float *hist,
               const int *delay, int H, uint64_t s, size_t i, size_t k)
{
    size_t n = conn->n, C = setup->model->n_cvar;
    const double *p = setup->coupling_params;
    //  The receiver's own value: the state after step s-1, as the history holds it.
    double xi = hist[((size_t) ((int64_t) s - 1 + H) * C + k) * n + i];
    double sum = 0.0;
    for (size_t j = 0; j < n; j++) {
        double w = (double) (float) conn->weights[i * n + j];
        if (w == 0.0)
            continue;
        size_t slot = (size_t) ((int64_t) s - 1 - delay[i * n + j] + H);
        const float *xj = hist + slot * C * n;
        switch (setup->coupling->kind) {
        case SIM_COUPLING_LINEAR:
            sum += w * (double) xj[k * n + j];
            break;
        case SIM_COUPLING_DIFFERENCE:
            sum += w * ((double) xj[k * n + j] - xi);
            break;
        case SIM_COUPLING_KURAMOTO:
            sum += w * sin ((double) xj[k * n + j] - xi);
            break;
        case SIM_COUPLING_SIGMOIDAL_JR: {
            double d = (double) (float) ((double) xj[j] - (double) xj[n + j]);
            sum += w * (p[SIM_CP_CMIN] + (p[SIM_CP_CMAX] - p[SIM_CP_CMIN]) /
                                             (1.0 + exp (p[SIM_CP_R] * (p[SIM_CP_MIDPOINT] - d))));
            break;
        }
        }
    }
    if (setup->coupling->kind == SIM_COUPLING_LINEAR)
        return p[SIM_CP_A] * sum + p[SIM_CP_B];
    return p[SIM_CP_A] * sum;
}

static double
s_bound (const sim_model_desc_t *m, size_t v, double x)
{
    if (!m->bounded)
        return x;
    return x < m->bound_lo[v] ? m->bound_lo[v] : x > m->bound_hi[v] ? m->bound_hi[v] : x;
}

/*  The run of TVB.md section 5 for one point with explicit initial
    conditions (constant history), TemporalAverage of the setup's VOIs:
    samples[sample][voi][node]. */
static void
s_naive_run (const sim_connectivity_t *conn, const sim_setup_t *setup, double *samples)
{
    const sim_model_desc_t *m = setup->model;
    size_t n = conn->n, S = m->n_state, C = m->n_cvar;
    uint64_t steps = sim_setup_steps (setup), istep = sim_setup_istep (setup);
    int delay[9], H = 0;
    for (size_t k = 0; k < n * n; k++) {
        delay[k] = (int) rint (conn->tract_lengths[k] / setup->conduction_speed / setup->dt);
        H = delay[k] > H ? delay[k] : H;
    }
    H += 1;
    float *hist = bsw_calloc ((size_t) (steps + (uint64_t) H + 1) * C * n, sizeof (float));
    double x[SIM_MAX_STATE * 3], k1[SIM_MAX_STATE * 3], k2[SIM_MAX_STATE * 3];
    double xp[SIM_MAX_STATE * 3], c[SIM_MAX_CVAR * 3], sum[SIM_MAX_VOI * 3];
    double params[SIM_MAX_PARAMS * 3];
    for (size_t v = 0; v < S; v++)
        for (size_t i = 0; i < n; i++)
            x[v * n + i] = s_bound (m, v, setup->initial[v * n + i]);
    for (int s = -(H - 1); s <= 0; s++)
        for (size_t k = 0; k < C; k++)
            for (size_t i = 0; i < n; i++)
                hist[((size_t) (s + H) * C + k) * n + i] = (float) x[m->cvar[k] * n + i];
    for (size_t q = 0; q < m->n_params; q++)
        for (size_t i = 0; i < n; i++)
            params[q * n + i] = setup->params[q];
    size_t sample = 0, V = setup->n_voi;
    for (uint64_t s = 1; s <= steps; s++) {
        memset (c, 0, sizeof c);
        size_t inputs = sim_coupling_inputs (setup->coupling, m);
        for (size_t k = 0; k < inputs; k++)
            for (size_t i = 0; i < n; i++)
                c[k * n + i] = s_naive_input (conn, setup, hist, delay, H, s, i, k);
        m->dfun (n, n, x, c, params, k1);
        for (size_t e = 0; e < S * n; e++)
            xp[e] = s_bound (m, e / n, fma (setup->dt, k1[e], x[e]));
        m->dfun (n, n, xp, c, params, k2);
        for (size_t e = 0; e < S * n; e++)
            x[e] = s_bound (m, e / n, fma (k1[e] + k2[e], setup->dt / 2.0, x[e]));
        for (size_t k = 0; k < C; k++)
            for (size_t i = 0; i < n; i++)
                hist[((size_t) (s + (uint64_t) H) * C + k) * n + i] = (float) x[m->cvar[k] * n + i];
        for (size_t v = 0; v < V; v++)
            for (size_t i = 0; i < n; i++) {
                double obs = x[(size_t) setup->voi[v] * n + i];
                sum[v * n + i] = s % istep == 1 ? obs : sum[v * n + i] + obs;
            }
        if (s % istep == 0) {
            for (size_t v = 0; v < V * n; v++)
                samples[sample * V * n + v] = sum[v] / (double) istep;
            sample++;
        }
    }
    free (hist);
}

typedef struct {
    const sim_model_desc_t *model;
    const sim_coupling_desc_t *coupling;
    const char *param; /* a model parameter set per case, or NULL */
    double value;      /* its value */
    double initial[6]; /* per state variable, scaled by node below */
    double coupling_a[S_LANES];
} s_case_t;

/*  Explicit initial conditions: a state variable's value, different per node. */
static void
s_initial (const s_case_t *tc, size_t n, double *initial)
{
    for (size_t v = 0; v < tc->model->n_state; v++)
        for (size_t i = 0; i < n; i++)
            initial[v * n + i] = tc->initial[v] * (1.0 + 0.3 * (double) i);
}

static void
s_case_setup (const s_case_t *tc, size_t lane, const double *initial, sim_setup_t *setup)
{
    sim_test_ring_setup (setup);
    sim_setup_set_model (setup, tc->model);
    sim_setup_set_coupling (setup, tc->coupling);
    setup->coupling_params[SIM_CP_A] = tc->coupling_a[lane];
    if (tc->coupling->kind == SIM_COUPLING_SIGMOIDAL_JR)
        setup->coupling_params[SIM_CP_MIDPOINT] = 2.0 + (double) lane;
    if (tc->param)
        setup->params[sim_model_param_index (tc->model, tc->param)] = tc->value;
    for (size_t v = 0; v < tc->model->n_voi && v < SIM_MAX_VOI; v++)
        setup->voi[v] = (int) v;
    setup->n_voi = tc->model == &sim_g2d_model ? 2 : tc->model->n_voi;
    setup->initial = initial;
}

/*  Usage: each model under each coupling TVB pairs with it and more, three
    lanes with different coupling parameters, against the naive loop. */
static int
s_test_couplings_match_naive (void)
{
    const s_case_t cases[] = {
        {&sim_g2d_model, &sim_coupling_difference, "a", 2.0, {0.1, 0.2}, {0.5, 1.0, 2.0}},
        {&sim_g2d_model, &sim_coupling_kuramoto, "a", 2.0, {0.1, 0.2}, {0.5, 1.0, 2.0}},
        {&sim_kuramoto_model, &sim_coupling_kuramoto, NULL, 0, {1.0}, {0.5, 1.0, 4.0}},
        {&sim_kuramoto_model, &sim_coupling_linear, NULL, 0, {1.0}, {0.5, 1.0, 4.0}},
        {&sim_suphopf_model, &sim_coupling_difference, "a", 0.2, {0.5, -0.3}, {0.05, 0.5, 2.0}},
        {&sim_suphopf_model, &sim_coupling_kuramoto, "a", 0.2, {0.5, -0.3}, {0.05, 0.5, 2.0}},
        {&sim_rww_model, &sim_coupling_linear, NULL, 0, {0.3}, {0.1, 1.0, 5.0}},
        {&sim_mpr_model, &sim_coupling_linear, NULL, 0, {0.5, -1.0}, {0.1, 0.5, 1.0}},
        {&sim_mpr_model, &sim_coupling_difference, NULL, 0, {0.5, -1.0}, {0.1, 0.5, 1.0}},
        {&sim_jansenrit_model,
         &sim_coupling_sigmoidal_jr,
         NULL,
         0,
         {0.1, 5.0, 3.0, 0.5, 1.0, -2.0},
         {1.0, 50.0, 200.0}},
        {&sim_jansenrit_model,
         &sim_coupling_linear,
         NULL,
         0,
         {0.1, 5.0, 3.0, 0.5, 1.0, -2.0},
         {0.01, 0.1, 1.0}},
    };
    sim_connectivity_t *conn = sim_test_ring_new ();
    size_t n = conn->n;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const s_case_t *tc = &cases[k];
        double initial[SIM_MAX_STATE * 3];
        s_initial (tc, n, initial);
        sim_setup_t setups[S_LANES];
        for (size_t l = 0; l < S_LANES; l++)
            s_case_setup (tc, l, initial, &setups[l]);
        sim_batch_t *batch;
        bsw_error_t err;
        BSW_CHECK_MSG (sim_batch_new (&batch, conn, setups, S_LANES, &err) == 0, "%s", err.text);
        size_t size = sim_batch_output_size (batch);
        double *out[S_LANES], *expected = bsw_calloc (size, sizeof (double));
        for (size_t l = 0; l < S_LANES; l++)
            out[l] = bsw_calloc (size, sizeof (double));
        sim_batch_set_output (batch, out, NULL);
        sim_batch_advance (batch, 0);
        for (size_t l = 0; l < S_LANES; l++) {
            BSW_CHECK_MSG (sim_batch_first_nonfinite (batch, l) == UINT64_MAX, "%s/%s lane %zu",
                           tc->model->name, tc->coupling->name, l);
            s_naive_run (conn, &setups[l], expected);
            double worst = 0.0;
            for (size_t e = 0; e < size; e++) {
                double diff = fabs (out[l][e] - expected[e]) / (1.0 + fabs (expected[e]));
                worst = diff > worst ? diff : worst;
            }
            //  Kuramoto's channels are sin and cos rounded to float32 (TVB
            //  rounds its sin(x_j - x_i) to float32 too); the naive loop's
            //  are exact. Elsewhere only the order of the sums differs.
            double tolerance = tc->coupling->kind == SIM_COUPLING_KURAMOTO ? 1e-7 : 1e-12;
            BSW_CHECK_MSG (worst < tolerance, "%s with %s coupling, lane %zu: differs by %.3g",
                           tc->model->name, tc->coupling->name, l, worst);
            //  The lanes' coupling differs, and so must their runs.
            if (l > 0)
                BSW_CHECK_MSG (memcmp (out[l], out[0], size * sizeof (double)) != 0,
                               "%s with %s coupling: lane %zu as lane 0", tc->model->name,
                               tc->coupling->name, l);
        }
        for (size_t l = 0; l < S_LANES; l++)
            free (out[l]);
        free (expected);
        sim_batch_destroy (&batch);
    }
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

/*  Runs one ReducedWongWang point with Raw monitoring; returns S. */
static double *
s_rww_run (const sim_connectivity_t *conn, double tau_s, double a, double b, double dt,
           uint64_t *first_nonfinite)
{
    sim_setup_t setup;
    sim_test_ring_setup (&setup);
    sim_setup_set_model (&setup, &sim_rww_model);
    setup.monitor = SIM_MONITOR_RAW;
    setup.dt = dt;
    setup.simulation_length = 20.0 * dt;
    setup.params[sim_model_param_index (&sim_rww_model, "tau_s")] = tau_s;
    setup.params[sim_model_param_index (&sim_rww_model, "a")] = a;
    setup.params[sim_model_param_index (&sim_rww_model, "b")] = b;
    static const double initial[3] = {0.9, 0.5, 1.0};
    setup.initial = initial;
    sim_batch_t *batch;
    if (sim_batch_new (&batch, conn, &setup, 1, NULL))
        return NULL;
    double *out = bsw_calloc (sim_batch_output_size (batch), sizeof (double));
    sim_batch_set_output (batch, &out, NULL);
    sim_batch_advance (batch, 0);
    *first_nonfinite = sim_batch_first_nonfinite (batch, 0);
    sim_batch_destroy (&batch);
    return out;
}

/*  S stays in [0, 1] where a step would overshoot (dt > tau_s: the decay
    alone jumps below 0), as TVB clamps it; and a NaN (a = b = 0 makes H
    0/0, as in TVB) stays NaN through the clamp, so the point is reported
    as diverged instead of passing for one pinned at a boundary. */
static int
s_test_boundaries (void)
{
    sim_connectivity_t *conn = sim_test_ring_new ();
    uint64_t bad;
    double *out = s_rww_run (conn, 50.0, 0.001, 0.108, 200.0, &bad);
    BSW_CHECK (out);
    BSW_CHECK (bad == UINT64_MAX);
    size_t zeros = 0;
    for (size_t e = 0; e < 20 * 3; e++) {
        BSW_CHECK_MSG (out[e] >= 0.0 && out[e] <= 1.0, "S[%zu] = %g", e, out[e]);
        zeros += out[e] == 0.0;
    }
    BSW_CHECK_MSG (zeros > 0, "no step reached the lower boundary");
    free (out);
    out = s_rww_run (conn, 100.0, 0.0, 0.0, 0.1, &bad);
    BSW_CHECK (out);
    BSW_CHECK_INT (bad, 0);
    BSW_CHECK (isnan (out[0]));
    free (out);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

/*  HeunStochastic with nsig 0 for every state variable is the
    deterministic run, bit for bit, for every model; with noise it differs. */
static int
s_test_zero_noise_every_model (void)
{
    sim_connectivity_t *conn = sim_test_ring_new ();
    size_t n = conn->n;
    for (size_t m = 0; sim_model_at (m); m++) {
        const sim_model_desc_t *model = sim_model_at (m);
        //  Within each state variable's range, different per node.
        double initial[SIM_MAX_STATE * 3];
        for (size_t v = 0; v < model->n_state; v++)
            for (size_t i = 0; i < n; i++)
                initial[v * n + i] =
                    model->state_lo[v] +
                    (0.3 + 0.2 * (double) i) * (model->state_hi[v] - model->state_lo[v]);
        double *out[3];
        size_t size = 0;
        for (int k = 0; k < 3; k++) {
            sim_setup_t setup;
            sim_test_ring_setup (&setup);
            sim_setup_set_model (&setup, model);
            if (model == &sim_jansenrit_model)
                sim_setup_set_coupling (&setup, &sim_coupling_sigmoidal_jr);
            setup.integrator =
                k ? SIM_INTEGRATOR_HEUN_STOCHASTIC : SIM_INTEGRATOR_HEUN_DETERMINISTIC;
            for (size_t v = 0; v < SIM_MAX_STATE; v++)
                setup.nsig[v] = k == 2 ? 1e-4 * (double) (v + 1) : 0.0;
            setup.initial = initial;
            sim_batch_t *batch;
            bsw_error_t err;
            BSW_CHECK_MSG (sim_batch_new (&batch, conn, &setup, 1, &err) == 0, "%s", err.text);
            size = sim_batch_output_size (batch);
            out[k] = bsw_calloc (size, sizeof (double));
            sim_batch_set_output (batch, &out[k], NULL);
            sim_batch_advance (batch, 0);
            BSW_CHECK_MSG (sim_batch_first_nonfinite (batch, 0) == UINT64_MAX, "%s, run %d",
                           model->name, k);
            sim_batch_destroy (&batch);
        }
        BSW_CHECK_MSG (memcmp (out[0], out[1], size * sizeof (double)) == 0,
                       "%s: zero noise is not the deterministic run", model->name);
        BSW_CHECK_MSG (memcmp (out[1], out[2], size * sizeof (double)) != 0,
                       "%s: noise had no effect", model->name);
        for (int k = 0; k < 3; k++)
            free (out[k]);
    }
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"couplings_match_naive", s_test_couplings_match_naive},
                                          {"boundaries", s_test_boundaries},
                                          {"zero_noise_every_model", s_test_zero_noise_every_model},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
