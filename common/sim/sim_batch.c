/*  sim_batch.c - the lockstep integration loop (see sim_batch.h).

    Layout: state-shaped arrays are [state variable][x] with x = node * L +
    lane (lane fastest) over a row padded to `width`, a multiple of 8 (one
    AVX-512 vector of doubles): the model's fused Heun step, the coupling
    and the monitor are flat unit-stride loops without remainders. Padding
    elements have no connections and are never read back.

    The coupling streams (issue "Speed"; measured in bench/bench_core):
    each node keeps its own past of the coupling variable contiguous in
    time, hist[node][slot][lane]. For a block of K steps the delayed input
    of every connection with delay d >= K - 1 only needs steps that are
    already computed, and it is one contiguous run of K*L values: the input
    of the whole block is summed connection by connection as plain
    unit-stride loops (sim_batch_far.c). K is the smallest off-diagonal
    delay plus one (capped), so only the zero-delay self-connections (and
    any other short ones) are added step by step. A gather per connection
    per step, the ring alternative, measured 3.5x slower per simulation.

    Precision: the history of the coupling variable and the weights are
    stored in float32, exactly as TVB stores them (TVB.md 2.3, quirk Q5);
    products and sums are in double. Against TVB's own output this was
    closer than an all-double history (max data difference 8.5e-9 instead
    of 1.3e-8 on reference/grid_I+1.0_a+2.0, equal elsewhere) and it halves
    the memory the coupling streams through.

    Sum order, the same for every lane and batch size: the block ("far")
    connections of a target in ascending source order, then any "near"
    ones (delay 1 .. K-2) in ascending order, then its zero-delay
    self-connection; c = fma (a, sum, b).

    The history is a ring of R = H + K slots per node (step q at q mod R),
    with slots 0..K-1 mirrored at R..R+K-1 so that a block's run never wraps.
*/
#include "sim_batch.h"
#include "bsw_util.h"
#include "sim_batch_far.h"
#include "sim_monitor.h"
#include "sim_rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct sim_batch_t {
    const sim_connectivity_t *conn; /* borrowed */
    const sim_model_desc_t *model;
    sim_setup_t setup;  /* the first point's setup: shared settings */
    size_t n;           /* nodes */
    size_t lanes;       /* points */
    size_t width;       /* n * lanes rounded up to a multiple of 8 */
    size_t n_state;     /* model state variables */
    size_t n_voi;       /* recorded variables of interest */
    uint64_t n_steps;   /* total steps */
    uint64_t step;      /* steps done */
    uint64_t n_samples; /* samples per point */
    uint64_t sample;    /* samples emitted */
    size_t horizon;     /* history slots H */
    size_t block;       /* K: steps whose far input is summed at once */
    size_t hist_len;    /* R = H + K: ring slots per node; step q at q mod R */
    size_t hist_stride; /* R + K: slots stored per node (the first K mirrored) */
    //  Sparse weights, CSR by target, far edges (delay >= K-1) then near.
    size_t *row_start;  /* n + 1: far edges of row i */
    size_t *near_start; /* n + 1: near edges of row i */
    size_t *col;        /* nnz source nodes */
    size_t *delay;      /* nnz delays in steps */
    double *weight;     /* nnz weights, rounded to float32 as TVB's */
    bool has_near;      /* any near edge other than zero-delay self ones */
    //  Per-lane parameters.
    double *params;      /* [n_params][period] (sim_dfun_t) */
    size_t param_period; /* 8 when lanes divide 8, else width */
    double *coupling_a;  /* [width] */
    double *coupling_b;  /* [width] */
    double *noise_gain;  /* [n_state][lanes]: sqrt(2*nsig) */
    //  Work arrays.
    double *state;       /* [n_state][width] */
    double *noise;       /* [n_state][width] or NULL */
    double *coupling;    /* [width] */
    double *self_weight; /* [width]: zero-delay self-connection weight, or 0 */
    size_t *near_rest;   /* n: first near edge of row i after its self edge */
    double *far;         /* [K][width] far input of the current block */
    double *acc;         /* [K][max(lanes, 8)] scratch of sim_far_block */
    float *hist;         /* [n][R + K][lanes] coupling variable history, float32 as TVB's */
    double *obs;         /* [n_voi][width], when the VOIs are not state rows */
    size_t obs_row;      /* the VOIs are state rows obs_row.. in order, or SIZE_MAX */
    sim_rng_t *rng;      /* [lanes] per-point streams */
    sim_monitor_t monitor;
    //  Output binding.
    double **out;              /* [lanes] caller's buffers, or NULL */
    double *time;              /* caller's time stamps, or NULL */
    uint64_t *first_nonfinite; /* [lanes] */
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

#define SIM_BATCH_MAX_BLOCK 512 /* K cap: the far block stays in L1/L2 */

/*  Chooses K and splits the edges into far (summed per block) and near
    (summed per step), each in ascending source order per target. */
static void
s_build_csr (sim_batch_t *self, const int *idelays)
{
    const sim_connectivity_t *conn = self->conn;
    size_t n = self->n, nnz = sim_connectivity_nonzero (conn);
    size_t min_delay = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j && conn->weights[i * n + j] != 0.0 &&
                (size_t) idelays[i * n + j] < min_delay)
                min_delay = (size_t) idelays[i * n + j];
    size_t K = min_delay + 1 >= SIM_BATCH_MAX_BLOCK ? SIM_BATCH_MAX_BLOCK : min_delay + 1;
    self->block = K;
    self->row_start = bsw_calloc (n + 1, sizeof (size_t));
    self->near_start = bsw_calloc (n + 1, sizeof (size_t));
    self->col = bsw_calloc (nnz, sizeof (size_t));
    self->delay = bsw_calloc (nnz, sizeof (size_t));
    self->weight = bsw_calloc (nnz, sizeof (double));
    size_t e = 0;
    for (size_t i = 0; i < n; i++) {
        self->row_start[i] = e;
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1)
                self->near_start[i] = e;
            for (size_t j = 0; j < n; j++) {
                double w = conn->weights[i * n + j];
                size_t d = (size_t) idelays[i * n + j];
                bool far = d + 1 >= K;
                if (w != 0.0 && far == (pass == 0)) {
                    self->col[e] = j;
                    self->delay[e] = d;
                    self->weight[e] = (double) (float) w;
                    e++;
                }
            }
        }
    }
    self->row_start[n] = e;
    self->near_start[n] = e;
    //  The zero-delay self-connection is the state itself: one flat loop per
    //  step instead of a history read per node.
    self->near_rest = bsw_calloc (n, sizeof (size_t));
    for (size_t i = 0; i < n; i++) {
        self->near_rest[i] = self->near_start[i];
        if (self->near_start[i] < self->row_start[i + 1] && self->col[self->near_start[i]] == i &&
            self->delay[self->near_start[i]] == 0)
            self->near_rest[i]++;
    }
}

/*  Ring index of step q (q >= -(H-1)). */
static inline size_t
s_slot (const sim_batch_t *self, int64_t q)
{
    int64_t R = (int64_t) self->hist_len, r = q % R;
    return (size_t) (r < 0 ? r + R : r);
}

/*  Copies ring slots 0..K-1 of every node to R..R+K-1 (see the top). */
static void
s_mirror_all (sim_batch_t *self)
{
    size_t L = self->lanes, R = self->hist_len, K = self->block;
    for (size_t i = 0; i < self->n; i++) {
        float *node = self->hist + i * self->hist_stride * L;
        memcpy (node + R * L, node, K * L * sizeof (float));
    }
}

/*  Fills state (slot 0) and the whole ring, TVB.md 4.1: explicit values in
    every slot, or per-point uniform draws in state_variable_range, all of V
    (slot, node) first, then all of W. */
static void
s_initial_history (sim_batch_t *self)
{
    size_t n = self->n, L = self->lanes, H = self->horizon, S = self->n_state;
    size_t X = self->width, stride = self->hist_stride;
    const sim_model_desc_t *model = self->model;
    size_t cvar = model->cvar;
    if (self->setup.initial) {
        const double *init = self->setup.initial;
        for (size_t v = 0; v < S; v++)
            for (size_t i = 0; i < n; i++)
                for (size_t l = 0; l < L; l++)
                    self->state[v * X + i * L + l] = init[v * n + i];
        //  The same value in every slot of the ring (mirror included).
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < stride; k++)
                for (size_t l = 0; l < L; l++)
                    self->hist[(i * stride + k) * L + l] = (float) init[cvar * n + i];
        return;
    }
    size_t R = self->hist_len;
    double *draws = bsw_malloc (n * sizeof (double));
    for (size_t l = 0; l < L; l++) {
        sim_rng_t *rng = &self->rng[l];
        for (size_t v = 0; v < S; v++) {
            double lo = model->state_lo[v], range = model->state_hi[v] - model->state_lo[v];
            //  Only slot 0 of a non-coupled variable is ever used; its other
            //  slots are drawn only to keep later draws (more variables, or
            //  noise) where TVB's stream has them.
            bool later_draws = v + 1 < S || self->noise != NULL;
            size_t slots = v == cvar || later_draws ? H : 1;
            for (size_t k = 0; k < slots; k++) {
                //  Slot 0 is step 0 (ring slot 0); slot k >= 1 is step k - H,
                //  ring slot k - H + R.
                size_t ring = k == 0 ? 0 : k + R - H;
                sim_rng_fill_double (rng, draws, n);
                for (size_t i = 0; i < n; i++) {
                    double value = lo + range * draws[i];
                    if (k == 0)
                        self->state[v * X + i * L + l] = value;
                    if (v == cvar)
                        self->hist[(i * stride + ring) * L + l] = (float) value;
                }
            }
        }
    }
    free (draws);
    s_mirror_all (self);
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
    size_t X = (n * L + 7) / 8 * 8;
    self->width = X;
    size_t block = S * X * sizeof (double);
    self->param_period = L == 1 ? 1 : 8 % L == 0 ? 8 : X;
    self->params = bsw_aligned_calloc (P * self->param_period * sizeof (double));
    self->coupling_a = bsw_aligned_calloc (X * sizeof (double));
    self->coupling_b = bsw_aligned_calloc (X * sizeof (double));
    self->noise_gain = bsw_aligned_calloc (S * L * sizeof (double));
    self->rng = bsw_calloc (L, sizeof (sim_rng_t));
    self->first_nonfinite = bsw_calloc (L, sizeof (uint64_t));
    for (size_t l = 0; l < L; l++) {
        const sim_setup_t *sl = &setups[l];
        //  Element x of a period belongs to lane x % L either way (padding
        //  elements too, so their parameters are a real point's).
        for (size_t k = l; k < self->param_period; k += L)
            for (size_t q = 0; q < P; q++)
                self->params[q * self->param_period + k] = sl->params[q];
        for (size_t i = 0; i < n; i++) {
            self->coupling_a[i * L + l] = sl->coupling_a;
            self->coupling_b[i * L + l] = sl->coupling_b;
        }
        for (size_t v = 0; v < S; v++)
            self->noise_gain[v * L + l] = sqrt (2.0 * sl->nsig[v]);
        sim_rng_init (&self->rng[l], sl->seed, sl->point_index);
        self->first_nonfinite[l] = UINT64_MAX;
    }
    self->state = bsw_aligned_calloc (block);
    if (s0->integrator == SIM_INTEGRATOR_HEUN_STOCHASTIC)
        self->noise = bsw_aligned_calloc (block);
    self->coupling = bsw_aligned_calloc (X * sizeof (double));
    self->self_weight = bsw_aligned_calloc (X * sizeof (double));
    for (size_t i = 0; i < n; i++) {
        if (self->near_rest[i] > self->near_start[i])
            for (size_t l = 0; l < L; l++)
                self->self_weight[i * L + l] = self->weight[self->near_start[i]];
        self->has_near |= self->near_rest[i] < self->row_start[i + 1];
    }
    self->far = bsw_aligned_calloc (self->block * X * sizeof (double));
    self->acc = bsw_aligned_calloc (self->block * (L < 8 ? 8 : L) * sizeof (double));
    //  A ring of H + K slots: a block writes K steps while reading back H.
    self->hist_len = horizon + self->block;
    self->hist_stride = self->hist_len + self->block;
    self->hist = bsw_aligned_calloc (n * self->hist_stride * L * sizeof (float));
    //  VOIs that are consecutive state variables in order are read in
    //  place; others are computed into obs each step.
    self->obs_row = self->setup.voi[0] < (int) S ? (size_t) self->setup.voi[0] : SIZE_MAX;
    for (size_t v = 1; v < self->n_voi && self->obs_row != SIZE_MAX; v++)
        if (self->setup.voi[v] != self->setup.voi[0] + (int) v)
            self->obs_row = SIZE_MAX;
    if (self->obs_row == SIZE_MAX)
        self->obs = bsw_aligned_calloc (self->n_voi * X * sizeof (double));
    self->out = bsw_calloc (L, sizeof (double *));
    sim_monitor_init (&self->monitor, s0->monitor, sim_setup_istep (s0), s0->dt, self->n_voi * X);
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
    free (self->near_start);
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
    free (self->noise);
    free (self->coupling);
    free (self->self_weight);
    free (self->near_rest);
    free (self->far);
    free (self->acc);
    free (self->hist);
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
sim_batch_memory (const sim_batch_t *self)
{
    size_t n = self->n, L = self->lanes, S = self->n_state, X = self->width;
    size_t doubles = (2 * S + 4 + self->block + (self->obs ? self->n_voi : 0)) * X +
                     self->block * (L < 8 ? 8 : L) + (self->monitor.sum ? 2 * self->n_voi * X : 0);
    return self->hist_stride * n * L * sizeof (float) + doubles * sizeof (double);
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

/*  Sums the far input of the block starting at step `first`. */
static void
s_far_input (sim_batch_t *self, uint64_t first, size_t count)
{
    sim_far_t far = {
        .n = self->n,
        .lanes = self->lanes,
        .width = self->width,
        .block = self->block,
        .ring = self->hist_len,
        .stride = self->hist_stride,
        .row_start = self->row_start,
        .row_end = self->near_start,
        .col = self->col,
        .delay = self->delay,
        .weight = self->weight,
        .hist = self->hist,
        .acc = self->acc,
    };
    sim_far_block (&far, s_slot (self, (int64_t) first - 1), count, self->far);
}

/*  Adds the near edges (delay 1..K-2, read back from the ring) of step s
    to row k of the far input. Rare: none in TVB's connectivities at the
    default speed and dt. */
static void
s_near_input (sim_batch_t *self, uint64_t s, size_t k)
{
    size_t L = self->lanes, stride = self->hist_stride;
    double *restrict row = self->far + k * self->width;
    for (size_t i = 0; i < self->n; i++)
        for (size_t e = self->near_rest[i]; e < self->row_start[i + 1]; e++) {
            size_t slot = s_slot (self, (int64_t) s - 1 - (int64_t) self->delay[e]);
            const float *restrict src = self->hist + (self->col[e] * stride + slot) * L;
            double w = self->weight[e];
            for (size_t l = 0; l < L; l++)
                row[i * L + l] += w * (double) src[l];
        }
}

/*  The coupling of the k-th step of its block: its far (and near) input,
    then the zero-delay self-connection (the state itself, rounded to
    float32 as the history is; the product is exact, so the fma rounds as
    sum + w * V would), then c = a * sum + b in one fma. */
SIM_HOT static void
s_coupling (sim_batch_t *self, size_t k)
{
    size_t X = self->width;
    const double *restrict far = self->far + k * X;
    const double *restrict V = self->state + self->model->cvar * X;
    const double *restrict sw = self->self_weight;
    const double *restrict a = self->coupling_a, *restrict b = self->coupling_b;
    double *restrict c = self->coupling;
    for (size_t x = 0; x < X; x++)
        c[x] = fma (a[x], fma (sw[x], (double) (float) V[x], far[x]), b[x]);
}

/*  z = sqrt(dt) * N(0,1) * sqrt(2*nsig), drawn per point as one block of
    n_state * n normals in C order (TVB.md 3.4). */
static void
s_draw_noise (sim_batch_t *self)
{
    size_t n = self->n, L = self->lanes, S = self->n_state, X = self->width;
    double sqrt_dt = sqrt (self->setup.dt);
    for (size_t l = 0; l < L; l++)
        for (size_t v = 0; v < S; v++)
            for (size_t i = 0; i < n; i++) {
                double z = sqrt_dt * sim_rng_gauss (&self->rng[l]);
                self->noise[v * X + i * L + l] = z * self->noise_gain[v * L + l];
            }
}

static void
s_emit (sim_batch_t *self, const double *restrict sample, double time)
{
    size_t n = self->n, L = self->lanes, X = self->width;
    size_t width = self->n_voi * n;
    uint64_t index = self->sample++;
    if (index >= self->n_samples)
        return;
    if (self->time)
        self->time[index] = time;
    for (size_t l = 0; l < L; l++) {
        double *out = self->out[l] ? self->out[l] + index * width : NULL;
        bool finite = true;
        for (size_t v = 0; v < self->n_voi; v++)
            for (size_t i = 0; i < n; i++) {
                double value = sample[v * X + i * L + l];
                finite &= isfinite (value) != 0;
                if (out)
                    out[v * n + i] = value;
            }
        if (!finite && self->first_nonfinite[l] == UINT64_MAX)
            self->first_nonfinite[l] = index;
    }
}

/*  Stores the new state's coupling variable as step s in each history
    (twice for the first K slots: the mirror). One float per node and lane,
    each to its own node's ring: a strided scatter, so the one-lane case,
    the common one for large connectivities, gets its own loop. */
SIM_HOT static void
s_hist_store (sim_batch_t *self, uint64_t s)
{
    size_t n = self->n, L = self->lanes, stride = self->hist_stride;
    const double *restrict V = self->state + self->model->cvar * self->width;
    size_t slot = s_slot (self, (int64_t) s);
    float *restrict hist = self->hist + slot * L;
    size_t mirror = slot < self->block ? self->hist_len * L : 0;
    if (L == 1) {
        for (size_t i = 0; i < n; i++)
            hist[i * stride] = (float) V[i];
        if (mirror)
            for (size_t i = 0; i < n; i++)
                hist[i * stride + mirror] = (float) V[i];
        return;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t l = 0; l < L; l++)
            hist[i * stride * L + l] = (float) V[i * L + l];
    if (mirror)
        for (size_t i = 0; i < n; i++)
            for (size_t l = 0; l < L; l++)
                hist[i * stride * L + mirror + l] = (float) V[i * L + l];
}

uint64_t
sim_batch_advance (sim_batch_t *self, uint64_t max_steps)
{
    size_t X = self->width, K = self->block;
    const sim_model_desc_t *model = self->model;
    uint64_t taken = 0;
    while (self->step < self->n_steps && (max_steps == 0 || taken < max_steps)) {
        //  A block starts at a multiple of K (counting from step 1), so the
        //  blocks are the same however the caller slices the run.
        uint64_t s = self->step + 1;
        size_t k = (size_t) ((s - 1) % K);
        if (k == 0) {
            uint64_t left = self->n_steps - self->step;
            size_t count = left < K ? (size_t) left : K;
            s_far_input (self, s, count);
        }
        if (self->has_near)
            s_near_input (self, s, k);
        s_coupling (self, k);
        if (self->noise)
            s_draw_noise (self);
        model->heun (X, self->param_period, self->params, self->setup.dt, self->coupling,
                     self->noise, self->state);
        self->step = s;
        taken++;
        s_hist_store (self, s);
        const double *obs = self->obs;
        if (obs)
            for (size_t v = 0; v < self->n_voi; v++)
                model->voi (self->setup.voi[v], X, self->state, self->obs + v * X);
        else
            obs = self->state + self->obs_row * X;
        double time;
        const double *sample = sim_monitor_record (&self->monitor, s, obs, &time);
        if (sample)
            s_emit (self, sample, time);
    }
    return taken;
}

size_t
sim_batch_block_steps (const sim_batch_t *self)
{
    return self->block;
}
