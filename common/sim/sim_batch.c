/*  sim_batch.c - the lockstep integration loop (see sim_batch.h).

    Layout: every per-node array is [node][lane] with the lane fastest, and
    state-shaped arrays are [state variable][node][lane], so the model and
    the Heun update are unit-stride loops over lanes and nodes.

    The delayed coupling reads a ring of the coupling variable with H slots
    of [node][lane]; step s reads slot (s - 1 - d) mod H for delay d. Only
    non-zero weights are visited, in CSR order (target row by row, sources
    ascending, as TVB sums them).
*/
#include "sim_batch.h"
#include "bsw_util.h"
#include "sim_monitor.h"
#include "sim_rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct sim_batch_t {
    const sim_connectivity_t *conn;    /* borrowed */
    const sim_model_desc_t *model;
    sim_setup_t setup;                 /* the first point's setup: shared settings */
    size_t n;                          /* nodes */
    size_t lanes;                      /* points */
    size_t n_state;                    /* model state variables */
    size_t n_voi;                      /* recorded variables of interest */
    uint64_t n_steps;                  /* total steps */
    uint64_t step;                     /* steps done */
    uint64_t n_samples;                /* samples per point */
    uint64_t sample;                   /* samples emitted */
    size_t horizon;                    /* history slots H */
    size_t ring_pos;                   /* slot of step `step`: step mod H */
    //  Sparse weights, CSR by target.
    size_t *row_start;                 /* n + 1 */
    size_t *col;                       /* nnz source nodes */
    size_t *delay;                     /* nnz delays in steps */
    double *weight;                    /* nnz weights */
    //  Per-lane parameters.
    double *params;                    /* [n_params][lanes] */
    double *coupling_a;                /* [lanes] */
    double *coupling_b;                /* [lanes] */
    double *noise_gain;                /* [n_state][lanes]: sqrt(2*nsig) */
    //  Work arrays.
    double *state;                     /* [n_state][n][lanes] */
    double *predictor;                 /* [n_state][n][lanes] */
    double *k1, *k2;                   /* [n_state][n][lanes] */
    double *noise;                     /* [n_state][n][lanes] or NULL */
    double *coupling;                  /* [n][lanes] */
    double *acc;                       /* [lanes] */
    double *ring;                      /* [H][n][lanes] coupling variable history */
    double *obs;                       /* [n_voi][n][lanes] */
    sim_rng_t *rng;                    /* [lanes] per-point streams */
    sim_monitor_t monitor;
    //  Output binding.
    double **out;                      /* [lanes] caller's buffers, or NULL */
    double *time;                      /* caller's time stamps, or NULL */
    uint64_t *first_nonfinite;         /* [lanes] */
};

static int
s_check_setups (const sim_connectivity_t *conn, const sim_setup_t *setups, size_t n_points,
                bsw_error_t *err)
{
    if (n_points == 0)
        return bsw_error_set (err, BSW_EINVAL, "a batch needs at least one point");
    const sim_setup_t *s0 = &setups[0];
    if (!(s0->dt > 0.0) || !isfinite (s0->dt))
        return bsw_error_set (err, BSW_EINVAL, "dt must be positive");
    if (!(s0->conduction_speed > 0.0))
        return bsw_error_set (err, BSW_EINVAL, "conduction speed must be positive");
    if (!(s0->simulation_length > 0.0))
        return bsw_error_set (err, BSW_EINVAL, "simulation length must be positive");
    if (s0->n_voi == 0 || s0->n_voi > SIM_MAX_VOI)
        return bsw_error_set (err, BSW_EINVAL, "1 to %d variables of interest", SIM_MAX_VOI);
    if (s0->monitor != SIM_MONITOR_RAW && !(s0->period >= s0->dt))
        return bsw_error_set (err, BSW_EINVAL, "monitor period is shorter than dt");
    if (sim_setup_samples (s0) == 0)
        return bsw_error_set (err, BSW_EINVAL, "the run is too short for one monitor sample");
    if (conn->n < 1)
        return bsw_error_set (err, BSW_EINVAL, "empty connectivity");
    for (size_t p = 1; p < n_points; p++)
        if (!sim_setup_batchable (s0, &setups[p]))
            return bsw_error_set (err, BSW_EINVAL,
                                  "point %zu differs from point 0 in a shared setting", p);
    return BSW_OK;
}

static void
s_build_csr (sim_batch_t *self, const int *idelays)
{
    const sim_connectivity_t *conn = self->conn;
    size_t n = self->n, nnz = sim_connectivity_nonzero (conn);
    self->row_start = bsw_calloc (n + 1, sizeof (size_t));
    self->col = bsw_calloc (nnz, sizeof (size_t));
    self->delay = bsw_calloc (nnz, sizeof (size_t));
    self->weight = bsw_calloc (nnz, sizeof (double));
    size_t e = 0;
    for (size_t i = 0; i < n; i++) {
        self->row_start[i] = e;
        for (size_t j = 0; j < n; j++) {
            double w = conn->weights[i * n + j];
            if (w != 0.0) {
                self->col[e] = j;
                self->delay[e] = (size_t) idelays[i * n + j];
                self->weight[e] = w;
                e++;
            }
        }
    }
    self->row_start[n] = e;
}

/*  Fills state (slot 0) and the whole ring, TVB.md 4.1: explicit values in
    every slot, or per-point uniform draws in state_variable_range, all of V
    (slot, node) first, then all of W. */
static void
s_initial_history (sim_batch_t *self)
{
    size_t n = self->n, L = self->lanes, H = self->horizon, S = self->n_state;
    const sim_model_desc_t *model = self->model;
    size_t cvar = model->cvar;
    if (self->setup.initial) {
        const double *init = self->setup.initial;
        for (size_t v = 0; v < S; v++)
            for (size_t i = 0; i < n; i++)
                for (size_t l = 0; l < L; l++)
                    self->state[(v * n + i) * L + l] = init[v * n + i];
        for (size_t k = 0; k < H; k++)
            for (size_t i = 0; i < n; i++)
                for (size_t l = 0; l < L; l++)
                    self->ring[(k * n + i) * L + l] = init[cvar * n + i];
        return;
    }
    for (size_t l = 0; l < L; l++) {
        sim_rng_t *rng = &self->rng[l];
        for (size_t v = 0; v < S; v++) {
            double lo = model->state_lo[v], range = model->state_hi[v] - model->state_lo[v];
            for (size_t k = 0; k < H; k++)
                for (size_t i = 0; i < n; i++) {
                    double value = lo + range * sim_rng_double (rng);
                    if (k == 0)
                        self->state[(v * n + i) * L + l] = value;
                    if (v == cvar)
                        self->ring[(k * n + i) * L + l] = value;
                }
        }
    }
}

int
sim_batch_new (sim_batch_t **self_p, const sim_connectivity_t *conn, const sim_setup_t *setups,
               size_t n_points, bsw_error_t *err)
{
    *self_p = NULL;
    int rc = s_check_setups (conn, setups, n_points, err);
    if (rc)
        return rc;
    const sim_setup_t *s0 = &setups[0];
    size_t n = conn->n;
    int *idelays = bsw_calloc (n * n, sizeof (int));
    size_t horizon = sim_connectivity_idelays (conn, s0->conduction_speed, s0->dt, idelays, err);
    if (horizon == 0) {
        free (idelays);
        return err ? err->code : BSW_ECONNECTIVITY;
    }
    sim_batch_t *self = bsw_calloc (1, sizeof *self);
    self->conn = conn;
    self->model = s0->model;
    self->setup = *s0;
    self->n = n;
    self->lanes = n_points;
    self->n_state = s0->model->n_state;
    self->n_voi = s0->n_voi;
    self->n_steps = sim_setup_steps (s0);
    self->n_samples = sim_setup_samples (s0);
    self->horizon = horizon;
    s_build_csr (self, idelays);
    free (idelays);

    size_t L = n_points, S = self->n_state, P = self->model->n_params;
    size_t block = S * n * L * sizeof (double);
    self->params = bsw_aligned_calloc (P * L * sizeof (double));
    self->coupling_a = bsw_aligned_calloc (L * sizeof (double));
    self->coupling_b = bsw_aligned_calloc (L * sizeof (double));
    self->noise_gain = bsw_aligned_calloc (S * L * sizeof (double));
    self->rng = bsw_calloc (L, sizeof (sim_rng_t));
    self->first_nonfinite = bsw_calloc (L, sizeof (uint64_t));
    for (size_t l = 0; l < L; l++) {
        const sim_setup_t *sl = &setups[l];
        for (size_t q = 0; q < P; q++)
            self->params[q * L + l] = sl->params[q];
        self->coupling_a[l] = sl->coupling_a;
        self->coupling_b[l] = sl->coupling_b;
        for (size_t v = 0; v < S; v++)
            self->noise_gain[v * L + l] = sqrt (2.0 * sl->nsig[v]);
        sim_rng_init (&self->rng[l], sl->seed, sl->point_index);
        self->first_nonfinite[l] = UINT64_MAX;
    }
    self->state = bsw_aligned_calloc (block);
    self->predictor = bsw_aligned_calloc (block);
    self->k1 = bsw_aligned_calloc (block);
    self->k2 = bsw_aligned_calloc (block);
    if (s0->integrator == SIM_INTEGRATOR_HEUN_STOCHASTIC)
        self->noise = bsw_aligned_calloc (block);
    self->coupling = bsw_aligned_calloc (n * L * sizeof (double));
    self->acc = bsw_aligned_calloc (L * sizeof (double));
    self->ring = bsw_aligned_calloc (horizon * n * L * sizeof (double));
    self->obs = bsw_aligned_calloc (self->n_voi * n * L * sizeof (double));
    self->out = bsw_calloc (L, sizeof (double *));
    sim_monitor_init (&self->monitor, s0->monitor, sim_setup_istep (s0), s0->dt,
                      self->n_voi * n * L);
    s_initial_history (self);
    *self_p = self;
    return BSW_OK;
}

void
sim_batch_destroy (sim_batch_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sim_batch_t *self = *self_p;
    free (self->row_start);
    free (self->col);
    free (self->delay);
    free (self->weight);
    free (self->params);
    free (self->coupling_a);
    free (self->coupling_b);
    free (self->noise_gain);
    free (self->rng);
    free (self->first_nonfinite);
    free (self->state);
    free (self->predictor);
    free (self->k1);
    free (self->k2);
    free (self->noise);
    free (self->coupling);
    free (self->acc);
    free (self->ring);
    free (self->obs);
    free (self->out);
    sim_monitor_fini (&self->monitor);
    free (self);
    *self_p = NULL;
}

size_t
sim_batch_points (const sim_batch_t *self)
{
    return self->lanes;
}

uint64_t
sim_batch_steps (const sim_batch_t *self)
{
    return self->n_steps;
}

uint64_t
sim_batch_step (const sim_batch_t *self)
{
    return self->step;
}

uint64_t
sim_batch_samples (const sim_batch_t *self)
{
    return self->n_samples;
}

size_t
sim_batch_horizon (const sim_batch_t *self)
{
    return self->horizon;
}

size_t
sim_batch_output_size (const sim_batch_t *self)
{
    return (size_t) self->n_samples * self->n_voi * self->n;
}

void
sim_batch_set_output (sim_batch_t *self, double *const *out, double *time)
{
    for (size_t l = 0; l < self->lanes; l++)
        self->out[l] = out ? out[l] : NULL;
    self->time = time;
}

bool
sim_batch_finished (const sim_batch_t *self)
{
    return self->step >= self->n_steps;
}

uint64_t
sim_batch_first_nonfinite (const sim_batch_t *self, size_t p)
{
    return p < self->lanes ? self->first_nonfinite[p] : UINT64_MAX;
}

/*  c[i] = a * sum_j w[i,j] * V_j(step s-1-d[i,j]) + b for the step about to
    be taken (s = self->step + 1); ring_pos is the slot of step s - 1. */
static void
s_coupling (sim_batch_t *self)
{
    size_t n = self->n, L = self->lanes, H = self->horizon, pos = self->ring_pos;
    double *restrict acc = self->acc;
    const double *restrict ring = self->ring;
    for (size_t i = 0; i < n; i++) {
        for (size_t l = 0; l < L; l++)
            acc[l] = 0.0;
        for (size_t e = self->row_start[i]; e < self->row_start[i + 1]; e++) {
            size_t d = self->delay[e];
            size_t slot = pos >= d ? pos - d : pos + H - d;
            const double *restrict src = ring + (slot * n + self->col[e]) * L;
            double w = self->weight[e];
            for (size_t l = 0; l < L; l++)
                acc[l] += w * src[l];
        }
        double *restrict c = self->coupling + i * L;
        for (size_t l = 0; l < L; l++)
            c[l] = self->coupling_a[l] * acc[l] + self->coupling_b[l];
    }
}

/*  z = sqrt(dt) * N(0,1) * sqrt(2*nsig), drawn per point as one block of
    n_state * n normals in C order (TVB.md 3.4). */
static void
s_draw_noise (sim_batch_t *self)
{
    size_t n = self->n, L = self->lanes, S = self->n_state;
    double sqrt_dt = sqrt (self->setup.dt);
    for (size_t l = 0; l < L; l++)
        for (size_t v = 0; v < S; v++)
            for (size_t i = 0; i < n; i++) {
                double z = sqrt_dt * sim_rng_gauss (&self->rng[l]);
                self->noise[(v * n + i) * L + l] = z * self->noise_gain[v * L + l];
            }
}

/*  One Heun step with coupling fixed during the step (TVB.md 3.2-3.4). */
static void
s_heun (sim_batch_t *self)
{
    size_t n = self->n, L = self->lanes, count = self->n_state * n * L;
    double dt = self->setup.dt;
    double *restrict X = self->state, *restrict Xp = self->predictor;
    double *restrict k1 = self->k1, *restrict k2 = self->k2;
    sim_dfun_t dfun = self->model->dfun;
    dfun (n, L, X, self->coupling, self->params, k1);
    if (self->noise) {
        const double *restrict z = self->noise;
        for (size_t k = 0; k < count; k++)
            Xp[k] = X[k] + dt * k1[k] + z[k];
        dfun (n, L, Xp, self->coupling, self->params, k2);
        for (size_t k = 0; k < count; k++)
            X[k] = X[k] + (k1[k] + k2[k]) * dt / 2.0 + z[k];
    } else {
        for (size_t k = 0; k < count; k++)
            Xp[k] = X[k] + dt * k1[k];
        dfun (n, L, Xp, self->coupling, self->params, k2);
        for (size_t k = 0; k < count; k++)
            X[k] = X[k] + (k1[k] + k2[k]) * dt / 2.0;
    }
}

static void
s_emit (sim_batch_t *self, const double *restrict sample, double time)
{
    size_t n = self->n, L = self->lanes, width = self->n_voi * n;
    uint64_t index = self->sample++;
    if (index >= self->n_samples)
        return;
    if (self->time)
        self->time[index] = time;
    for (size_t l = 0; l < L; l++) {
        double *out = self->out[l] ? self->out[l] + index * width : NULL;
        bool finite = true;
        for (size_t k = 0; k < width; k++) {
            double value = sample[k * L + l];
            finite &= isfinite (value) != 0;
            if (out)
                out[k] = value;
        }
        if (!finite && self->first_nonfinite[l] == UINT64_MAX)
            self->first_nonfinite[l] = index;
    }
}

uint64_t
sim_batch_advance (sim_batch_t *self, uint64_t max_steps)
{
    size_t n = self->n, L = self->lanes, H = self->horizon;
    size_t cvar_offset = self->model->cvar * n * L;
    uint64_t taken = 0;
    while (self->step < self->n_steps && (max_steps == 0 || taken < max_steps)) {
        s_coupling (self);
        if (self->noise)
            s_draw_noise (self);
        s_heun (self);
        self->step++;
        taken++;
        self->ring_pos = self->ring_pos + 1 == H ? 0 : self->ring_pos + 1;
        memcpy (self->ring + self->ring_pos * n * L, self->state + cvar_offset,
                n * L * sizeof (double));
        for (size_t v = 0; v < self->n_voi; v++)
            self->model->voi (self->setup.voi[v], n * L, self->state, self->obs + v * n * L);
        double time;
        const double *sample = sim_monitor_record (&self->monitor, self->step, self->obs, &time);
        if (sample)
            s_emit (self, sample, time);
    }
    return taken;
}
