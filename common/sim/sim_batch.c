/*  sim_batch.c - the lockstep integration loop (see sim_batch.h).

    Layout: state-shaped arrays are [state variable][x] with x = node * L +
    lane (lane fastest) over a row padded to `width`, a multiple of 8: the
    row is cut into tiles of 8 elements, one AVX-512 vector of doubles.
    Padding elements have no connections and are never read back.

    The coupling streams (issue "Speed"; measured in bench/bench_core):
    each node keeps its own past of each coupling channel (sim_coupling.h:
    a coupling variable, or a value the coupling computes from them)
    contiguous in time, hist[channel][node][slot][lane]. For a block of K steps the delayed input
    of every connection with delay d >= K - 1 only needs steps that are
    already computed, and it is one contiguous run of K*L values: the input
    of the whole block is summed connection by connection as unit-stride
    loops (sim_batch_far.c). K is the smallest delay of any connection but
    the zero-delay self-connections, plus one (capped), so those are the
    only input added step by step, and each element depends on no other
    within a block: the block then runs tile by tile, each tile through all
    its steps in registers (sim_tile.h, the model's tile kernel). A gather
    per connection per step, the ring alternative, measured 3.5x slower.

    Precision: the history of the coupling variables and the weights are
    stored in float32, exactly as TVB stores them (TVB.md 2.3, quirk Q5);
    products and sums are in double. Against TVB's own output this was
    closer than an all-double history (max data difference 8.5e-9 instead
    of 1.3e-8 on reference/grid_I+1.0_a+2.0, equal elsewhere) and it halves
    the memory the coupling streams through.

    Sum order, the same for every lane and batch size: the block ("far")
    connections of a target in ascending source order, then its zero-delay
    self-connection; for Linear coupling c = fma (a, sum, b), the others
    as sim_coupling.h says.

    The history is a ring of R = H + K slots per node (step q at q mod R),
    with slots 0..K-1 mirrored at R..R+K-1 so that a block's run never wraps.
*/
#include "sim_batch.h"
#include "bsw_util.h"
#include "sim_batch_far.h"
#include "sim_monitor.h"
#include "sim_rng.h"
#include "sim_tile.h"
#include "sim_transpose.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SIM_BATCH_MAX_BLOCK 512 /* K cap: the far block stays in L1/L2 */

/*  Tiles run side by side in one kernel call (sim_tile.h): each tile's
    steps are one long dependency chain, and five chains keep the vector
    units near their throughput (bench_kernel's cycles per tile-step for
    one to five tiles: bench/README.md, "Where the core's time goes now",
    tile kernel). */
#define S_TILES_PER_CALL SIM_MAX_TILES

struct sim_batch_t {
    const sim_connectivity_t *conn; /* borrowed */
    const sim_model_desc_t *model;
    sim_setup_t setup;  /* the first point's setup: shared settings */
    size_t n;           /* nodes */
    size_t lanes;       /* points */
    size_t width;       /* n * lanes rounded up to a multiple of 8 */
    size_t n_state;     /* model state variables */
    size_t n_chan;      /* coupling channels per node (sim_coupling.h) */
    size_t n_voi;       /* recorded variables of interest */
    uint64_t n_steps;   /* total steps */
    uint64_t step;      /* steps done */
    uint64_t n_samples; /* samples per point */
    uint64_t sample;    /* samples emitted */
    size_t horizon;     /* history slots H */
    size_t block;       /* K: steps whose far input is summed at once */
    size_t hist_len;    /* R = H + K: ring slots per node; step q at q mod R */
    size_t hist_stride; /* R + K: slots stored per node (the first K mirrored) */
    //  Sparse weights, CSR by target: the far edges (delay >= K-1).
    size_t *row_start;  /* n + 1: far edges of row i from here */
    size_t *row_end;    /* n: ... to here */
    size_t *col;        /* source nodes */
    size_t *delay;      /* delays in steps */
    double *weight;     /* weights, rounded to float32 as TVB's */
    double *row_weight; /* [width]: the sum of the element's far weights (Difference) */
    //  Per-lane parameters.
    double *params;      /* [n_params][period] (sim_dfun_t) */
    size_t param_period; /* 8 when lanes divide 8, else width */
    double *cpar;        /* [SIM_MAX_COUPLING_PARAMS][width] coupling parameters, per lane
                            (padding elements too) */
    double *noise_gain;  /* [n_state][lanes]: sqrt(2*nsig) */
    //  Work arrays.
    double *state;       /* [n_state][width] */
    double *noise;       /* [K][n_state][width] of the current chunk, or NULL */
    double *self_weight; /* [width]: zero-delay self-connection weight, or 0 */
    double *far;         /* far input of the current block, tile by tile: [n_chan][width/8][K][8] */
    double *acc;         /* [K][max(lanes, 8)] scratch of sim_far_block */
    float *hist;         /* [n_chan][n][R + K][lanes] channel history, float32 as TVB's */
    float *vhist;        /* [n_chan][S_TILES_PER_CALL][K][8]: a kernel call's new history values */
    float *vrows;        /* [8][K]: one tile's of them as rows of steps (one lane) */
    double *samples;     /* [max_samples][n_voi][width]: a chunk's samples */
    size_t max_samples;  /* samples one chunk can hold */
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
    int rc = sim_coupling_check (s0->coupling, s0->model, err);
    if (rc)
        return rc;
    for (size_t p = 1; p < n_points; p++)
        if (!sim_setup_batchable (s0, &setups[p]))
            return bsw_error_set (err, BSW_EINVAL,
                                  "point %zu differs from point 0 in a shared setting", p);
    return BSW_OK;
}

/*  Chooses K and orders the edges: per target, the far ones (summed per
    block) in ascending source order; its zero-delay self-connection, if
    any, is no edge but a weight in self_weight (added per step from the
    state, after the far sum). K is the smallest delay of any
    other edge plus one, so every other edge is far and, within a block,
    no element reads another's current values (sim_tile.h). */
static void
s_build_csr (sim_batch_t *self, const int *idelays)
{
    const sim_connectivity_t *conn = self->conn;
    size_t n = self->n, nnz = sim_connectivity_nonzero (conn);
    size_t min_delay = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            size_t d = (size_t) idelays[i * n + j];
            if (conn->weights[i * n + j] != 0.0 && (i != j || d > 0) && d < min_delay)
                min_delay = d;
        }
    size_t K = min_delay + 1 >= SIM_BATCH_MAX_BLOCK ? SIM_BATCH_MAX_BLOCK : min_delay + 1;
    self->block = K;
    self->row_start = bsw_calloc (n + 1, sizeof (size_t));
    self->row_end = bsw_calloc (n, sizeof (size_t));
    self->col = bsw_calloc (nnz, sizeof (size_t));
    self->delay = bsw_calloc (nnz, sizeof (size_t));
    self->weight = bsw_calloc (nnz, sizeof (double));
    self->self_weight = bsw_aligned_calloc (self->width * sizeof (double));
    self->row_weight = bsw_aligned_calloc (self->width * sizeof (double));
    size_t e = 0;
    for (size_t i = 0; i < n; i++) {
        self->row_start[i] = e;
        for (size_t j = 0; j < n; j++) {
            double w = conn->weights[i * n + j];
            size_t d = (size_t) idelays[i * n + j];
            if (w == 0.0)
                continue;
            if (d + 1 < K) { /* only a zero-delay self-connection */
                for (size_t l = 0; l < self->lanes; l++)
                    self->self_weight[i * self->lanes + l] = (double) (float) w;
                continue;
            }
            self->col[e] = j;
            self->delay[e] = d;
            self->weight[e] = (double) (float) w;
            e++;
        }
        self->row_end[i] = e;
        double total = 0.0;
        for (size_t f = self->row_start[i]; f < e; f++)
            total += self->weight[f];
        for (size_t l = 0; l < self->lanes; l++)
            self->row_weight[i * self->lanes + l] = total;
    }
    self->row_start[n] = e;
}

/*  Ring index of step q (q >= -(H-1)). */
static inline size_t
s_slot (const sim_batch_t *self, int64_t q)
{
    int64_t R = (int64_t) self->hist_len, r = q % R;
    return (size_t) (r < 0 ? r + R : r);
}

/*  Copies ring slots 0..K-1 of every node and channel to R..R+K-1 (see
    the top). */
static void
s_mirror_all (sim_batch_t *self)
{
    size_t L = self->lanes, R = self->hist_len, K = self->block;
    for (size_t row = 0; row < self->n_chan * self->n; row++) {
        float *node = self->hist + row * self->hist_stride * L;
        memcpy (node + R * L, node, K * L * sizeof (float));
    }
}

/*  A state variable's value within its boundaries (TVB.md 3.5); a NaN
    stays NaN. */
static double
s_bound (const sim_model_desc_t *model, size_t v, double x)
{
    if (!model->bounded)
        return x;
    return x < model->bound_lo[v]   ? model->bound_lo[v]
           : x > model->bound_hi[v] ? model->bound_hi[v]
                                    : x;
}

/*  Fills state (slot 0) and the whole ring, TVB.md 4.1: explicit values in
    every slot, or per-point uniform draws in state_variable_range, all of
    the first variable (slot, node), then all of the next; every value
    within the model's boundaries. The ring holds the coupling's channels
    of the coupling variables (sim_coupling_pre), lane by lane, since a
    channel may depend on the lane's coupling parameters. */
static void
s_initial_history (sim_batch_t *self)
{
    size_t n = self->n, L = self->lanes, H = self->horizon, S = self->n_state;
    size_t X = self->width, stride = self->hist_stride, R = self->hist_len;
    const sim_model_desc_t *model = self->model;
    size_t C = model->n_cvar;
    int cvar_of[SIM_MAX_STATE]; /* which coupling variable a state variable is, or -1 */
    for (size_t v = 0; v < S; v++)
        cvar_of[v] = -1;
    for (size_t c = 0; c < C; c++)
        cvar_of[model->cvar[c]] = (int) c;
    //  The coupling variables of every slot (slot 0: step 0; slot k >= 1:
    //  step k - H), as the history rounds them.
    float *xs = bsw_malloc (C * H * n * sizeof (float));
    double *draws = bsw_malloc (n * sizeof (double));
    const double *init = self->setup.initial;
    for (size_t l = 0; l < L; l++) {
        sim_rng_t *rng = &self->rng[l];
        for (size_t v = 0; v < S; v++) {
            int c = cvar_of[v];
            if (init) {
                for (size_t i = 0; i < n; i++) {
                    double value = s_bound (model, v, init[v * n + i]);
                    self->state[v * X + i * L + l] = value;
                    for (size_t k = 0; c >= 0 && k < H; k++)
                        xs[((size_t) c * H + k) * n + i] = (float) value;
                }
                continue;
            }
            double lo = model->state_lo[v], range = model->state_hi[v] - model->state_lo[v];
            //  Only slot 0 of a non-coupled variable is ever used; its other
            //  slots are drawn only to keep later draws (more variables, or
            //  noise) where TVB's stream has them.
            bool later_draws = v + 1 < S || self->noise != NULL;
            size_t slots = c >= 0 || later_draws ? H : 1;
            for (size_t k = 0; k < slots; k++) {
                sim_rng_fill_double (rng, draws, n);
                for (size_t i = 0; i < n; i++) {
                    double value = s_bound (model, v, lo + range * draws[i]);
                    if (k == 0)
                        self->state[v * X + i * L + l] = value;
                    if (c >= 0)
                        xs[((size_t) c * H + k) * n + i] = (float) value;
                }
            }
        }
        double cpar[SIM_MAX_COUPLING_PARAMS];
        for (size_t q = 0; q < SIM_MAX_COUPLING_PARAMS; q++)
            cpar[q] = self->cpar[q * X + l];
        sim_coupling_kind_t kind = self->setup.coupling->kind;
        for (size_t k = 0; k < H; k++) {
            size_t ring = k == 0 ? 0 : k + R - H;
            //  Linear and Difference store the variables themselves.
            if (kind == SIM_COUPLING_LINEAR || kind == SIM_COUPLING_DIFFERENCE) {
                for (size_t c = 0; c < C; c++)
                    for (size_t i = 0; i < n; i++)
                        self->hist[((c * n + i) * stride + ring) * L + l] = xs[(c * H + k) * n + i];
                continue;
            }
            for (size_t i = 0; i < n; i++) {
                float x[SIM_MAX_CVAR], chan[SIM_MAX_CHAN];
                for (size_t c = 0; c < C; c++)
                    x[c] = xs[(c * H + k) * n + i];
                sim_coupling_pre (kind, cpar, C, x, chan);
                for (size_t ch = 0; ch < self->n_chan; ch++)
                    self->hist[((ch * n + i) * stride + ring) * L + l] = chan[ch];
            }
        }
    }
    free (draws);
    free (xs);
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
    self->n_chan = sim_coupling_channels (s0->coupling, s0->model);
    self->n_voi = s0->n_voi;
    self->n_steps = sim_setup_steps (s0);
    self->n_samples = sim_setup_samples (s0);
    self->horizon = horizon;
    size_t L = n_points, S = self->n_state, P = self->model->n_params;
    size_t X = (n * L + 7) / 8 * 8;
    self->width = X;
    s_build_csr (self, idelays);
    free (idelays);

    size_t block = S * X * sizeof (double);
    self->param_period = L == 1 ? 1 : 8 % L == 0 ? 8 : X;
    self->params = bsw_aligned_calloc (P * self->param_period * sizeof (double));
    self->cpar = bsw_aligned_calloc (SIM_MAX_COUPLING_PARAMS * X * sizeof (double));
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
        for (size_t x = l; x < X; x += L)
            for (size_t q = 0; q < SIM_MAX_COUPLING_PARAMS; q++)
                self->cpar[q * X + x] = sl->coupling_params[q];
        for (size_t v = 0; v < S; v++)
            self->noise_gain[v * L + l] = sqrt (2.0 * sl->nsig[v]);
        sim_rng_init (&self->rng[l], sl->seed, sl->point_index);
        self->first_nonfinite[l] = UINT64_MAX;
    }
    size_t K = self->block, C = self->n_chan;
    //  The buffers whose size the spec and the connectivity decide (nodes,
    //  delays, lanes) are allocated checked: a run that cannot have them
    //  fails with BSW_ENOMEM instead of taking its process down.
    self->state = bsw_aligned_calloc_try (block);
    if (s0->integrator == SIM_INTEGRATOR_HEUN_STOCHASTIC)
        self->noise = bsw_aligned_calloc_try (K * block);
    self->far = bsw_aligned_calloc_try (C * K * X * sizeof (double));
    self->acc = bsw_aligned_calloc (K * (L < 8 ? 8 : L) * sizeof (double));
    //  A ring of H + K slots: a block writes K steps while reading back H.
    self->hist_len = horizon + K;
    self->hist_stride = self->hist_len + K;
    self->hist = bsw_aligned_calloc_try (C * n * self->hist_stride * L * sizeof (float));
    self->vhist = bsw_aligned_calloc (C * S_TILES_PER_CALL * K * SIM_TILE * sizeof (float));
    self->vrows = bsw_aligned_calloc (SIM_TILE * K * sizeof (float));
    uint64_t istep = sim_setup_istep (s0);
    self->max_samples = s0->monitor == SIM_MONITOR_RAW ? K : (size_t) (K / istep + 1);
    self->samples = bsw_aligned_calloc_try (self->max_samples * self->n_voi * X * sizeof (double));
    self->out = bsw_calloc (L, sizeof (double *));
    if (!self->state || (s0->integrator == SIM_INTEGRATOR_HEUN_STOCHASTIC && !self->noise) ||
        !self->far || !self->hist || !self->samples) {
        size_t bytes = sim_batch_memory (self);
        sim_batch_destroy (&self);
        return bsw_error_set (err, BSW_ENOMEM,
                              "cannot allocate the run's %zu MiB (%zu nodes, %zu lanes, a "
                              "history of %zu steps)",
                              bytes >> 20, n, L, horizon);
    }
    sim_monitor_init (&self->monitor, s0->monitor, istep, s0->dt, self->n_voi * X);
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
    free (self->row_end);
    free (self->col);
    free (self->delay);
    free (self->weight);
    free (self->row_weight);
    free (self->params);
    free (self->cpar);
    free (self->noise_gain);
    free (self->rng);
    free (self->first_nonfinite);
    free (self->state);
    free (self->noise);
    free (self->self_weight);
    free (self->far);
    free (self->acc);
    free (self->hist);
    free (self->vhist);
    free (self->vrows);
    free (self->samples);
    free (self->out);
    sim_monitor_fini (&self->monitor);
    free (self);
    *self_p = NULL;
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
sim_batch_memory (const sim_batch_t *self)
{
    size_t n = self->n, L = self->lanes, S = self->n_state, X = self->width, K = self->block;
    size_t C = self->n_chan;
    size_t doubles = (S + 2 + SIM_MAX_COUPLING_PARAMS + C * K + (self->noise ? K * S : 0)) * X +
                     K * (L < 8 ? 8 : L) + self->max_samples * self->n_voi * X +
                     (self->monitor.sum ? self->n_voi * X : 0);
    return (C * (self->hist_stride * n * L + S_TILES_PER_CALL * K * SIM_TILE) + SIM_TILE * K) *
               sizeof (float) +
           doubles * sizeof (double);
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

/*  Sums the far input of the block starting at step `first`, channel by
    channel. */
static void
s_far_input (sim_batch_t *self, uint64_t first, size_t count)
{
    size_t chan_hist = self->n * self->hist_stride * self->lanes;
    size_t chan_far = self->block * self->width;
    sim_far_t far = {
        .n = self->n,
        .lanes = self->lanes,
        .width = self->width,
        .block = self->block,
        .ring = self->hist_len,
        .stride = self->hist_stride,
        .row_start = self->row_start,
        .row_end = self->row_end,
        .col = self->col,
        .delay = self->delay,
        .weight = self->weight,
        .acc = self->acc,
    };
    for (size_t ch = 0; ch < self->n_chan; ch++) {
        far.hist = self->hist + ch * chan_hist;
        sim_far_block (&far, s_slot (self, (int64_t) first - 1), count, self->far + ch * chan_far);
    }
}

/*  z = sqrt(dt) * N(0,1) * sqrt(2*nsig) for `count` steps, drawn per point
    and step as one block of n_state * n normals in C order (TVB.md 3.4):
    noise[step][variable][x]. */
static void
s_draw_noise (sim_batch_t *self, size_t count)
{
    size_t n = self->n, L = self->lanes, S = self->n_state, X = self->width;
    double sqrt_dt = sqrt (self->setup.dt);
    for (size_t l = 0; l < L; l++)
        for (size_t j = 0; j < count; j++)
            for (size_t v = 0; v < S; v++)
                for (size_t i = 0; i < n; i++) {
                    double z = sqrt_dt * sim_rng_gauss (&self->rng[l]);
                    self->noise[(j * S + v) * X + i * L + l] = z * self->noise_gain[v * L + l];
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

/*  ring[0 .. count) = column t of vhist ([j][8]): a transpose; L1-resident
    source, contiguous destination. */
SIM_HOT static void
s_column (float *restrict ring, size_t L, const float *restrict vhist, size_t t, size_t count)
{
    if (L == 1)
        for (size_t j = 0; j < count; j++)
            ring[j] = vhist[j * SIM_TILE + t];
    else
        for (size_t j = 0; j < count; j++)
            ring[j * L] = vhist[j * SIM_TILE + t];
}

/*  Copies a tile's new history values (vhist: [j][8], steps s ..
    s+count-1) into the rings of its nodes and lanes, the mirror included:
    per element at most three contiguous runs (up to the ring's end, the
    wrap, the mirror of slots below K). */
static void
s_tile_history (sim_batch_t *self, float *hist, size_t x0, const float *vhist, uint64_t s,
                size_t count)
{
    size_t L = self->lanes, R = self->hist_len, K = self->block, real = self->n * L;
    size_t first = s_slot (self, (int64_t) s);
    size_t head = R - first < count ? R - first : count; /* steps before the wrap */
    if (L == 1) {
        //  One lane: a node's slots are contiguous, so the tile is turned
        //  into eight rows of steps once (8x8 blocks) and copied as runs.
        sim_transpose_tile_to_rows_f32 (self->vrows, K, vhist, count);
        for (size_t t = 0; t < SIM_TILE && x0 + t < real; t++) {
            float *ring = hist + (x0 + t) * self->hist_stride;
            const float *row = self->vrows + t * K;
            memcpy (ring + first, row, head * sizeof (float));
            if (head < count)
                memcpy (ring, row + head, (count - head) * sizeof (float));
            if (first < K)
                memcpy (ring + first + R, row,
                        (K - first < head ? K - first : head) * sizeof (float));
            if (head < count)
                memcpy (ring + R, row + head,
                        (count - head < K ? count - head : K) * sizeof (float));
        }
        return;
    }
    for (size_t t = 0; t < SIM_TILE && x0 + t < real; t++) {
        size_t x = x0 + t, i = x / L, l = x % L;
        float *ring = hist + i * self->hist_stride * L + l;
        s_column (ring + first * L, L, vhist, t, head);
        if (head < count)
            s_column (ring, L, vhist + head * SIM_TILE, t, count - head);
        //  Slots below K again at R + slot: from `first` when it is below
        //  K, and from 0 after a wrap.
        if (first < K) {
            size_t n = K - first < head ? K - first : head;
            s_column (ring + (first + R) * L, L, vhist, t, n);
        }
        if (head < count) {
            size_t n = count - head < K ? count - head : K;
            s_column (ring + R * L, L, vhist + head * SIM_TILE, t, n);
        }
    }
}

/*  Runs steps k0 .. k1-1 of the current block, tiles a few at a time,
    then emits the samples that fell due, in order. */
static void
s_run_chunk (sim_batch_t *self, size_t k0, size_t k1)
{
    size_t X = self->width, K = self->block, count = k1 - k0;
    uint64_t s = self->step + 1; /* the step number of k0 */
    if (self->noise)
        s_draw_noise (self, count);
    //  Parameters per element (period X) differ from tile to tile: one
    //  tile per call then.
    size_t per_call = self->param_period == X && X > SIM_TILE ? 1 : S_TILES_PER_CALL;
    sim_tile_t tile = {
        .k0 = k0,
        .k1 = k1,
        .block = K,
        .step0 = s,
        .period = self->param_period,
        .dt = self->setup.dt,
        .stride = X,
        .vhist = self->vhist,
        .coupling_kind = self->setup.coupling->kind,
        .n_chan = self->n_chan,
        .monitor = self->setup.monitor,
        .istep = self->monitor.istep,
        .n_voi = self->n_voi,
    };
    for (size_t v = 0; v < self->n_voi; v++)
        tile.voi[v] = self->setup.voi[v];
    //  The model's Linear-only kernel where it has one (sim_model.h).
    sim_tile_fun_t kernel = self->model->tile;
    if (tile.coupling_kind == SIM_COUPLING_LINEAR && self->model->tile_linear)
        kernel = self->model->tile_linear;
    size_t chan_hist = self->n * self->hist_stride * self->lanes;
    for (size_t x0 = 0; x0 < X; x0 += tile.vectors * SIM_TILE) {
        //  Spread the tiles evenly over the calls (13 tiles: 5, 4, 4, not
        //  5, 5, 3): a call with few tiles has few chains to overlap.
        size_t left = (X - x0) / SIM_TILE, calls = (left + per_call - 1) / per_call;
        tile.vectors = (left + calls - 1) / calls;
        tile.far = self->far + x0 * K;
        tile.self_weight = self->self_weight + x0;
        tile.row_weight = self->row_weight + x0;
        tile.cpar = self->cpar + x0;
        tile.params = self->params + (self->param_period == X ? x0 : 0);
        tile.noise = self->noise ? self->noise + x0 : NULL;
        tile.state = self->state + x0;
        tile.sum = self->monitor.sum ? self->monitor.sum + x0 : NULL;
        tile.samples = self->samples + x0;
        kernel (&tile);
        for (size_t ch = 0; ch < self->n_chan; ch++)
            for (size_t u = 0; u < tile.vectors; u++)
                s_tile_history (self, self->hist + ch * chan_hist, x0 + u * SIM_TILE,
                                self->vhist + ch * sim_tile_vhist_chan (&tile) + u * K * SIM_TILE,
                                s, count);
    }
    //  The steps whose samples fell due, in order.
    uint64_t every = sim_monitor_every (&self->monitor);
    size_t j = 0;
    for (uint64_t q = (s + every - 1) / every * every; q < s + count; q += every)
        s_emit (self, self->samples + j++ * self->n_voi * X, sim_monitor_time (&self->monitor, q));
}

uint64_t
sim_batch_advance (sim_batch_t *self, uint64_t max_steps)
{
    size_t K = self->block;
    uint64_t taken = 0;
    while (self->step < self->n_steps && (max_steps == 0 || taken < max_steps)) {
        //  A block starts at a multiple of K (counting from step 1), so the
        //  blocks are the same however the caller slices the run.
        uint64_t s = self->step + 1, left = self->n_steps - self->step;
        size_t k = (size_t) ((s - 1) % K);
        if (k == 0)
            s_far_input (self, s, left < K ? (size_t) left : K);
        uint64_t chunk = K - k;
        chunk = chunk < left ? chunk : left;
        if (max_steps && chunk > max_steps - taken)
            chunk = max_steps - taken;
        s_run_chunk (self, k, k + (size_t) chunk);
        self->step += chunk;
        taken += chunk;
    }
    return taken;
}
