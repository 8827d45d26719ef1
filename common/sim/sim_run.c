/*  sim_run.c - a batch of points from setups to results (see sim_run.h).

    The step loop is sim_batch's, untouched: this file only binds the
    output arrays before it and turns each lane into its result after it,
    so wrapping a batch in a run costs nothing per step. Metrics are made
    once, for every point, by the advance that finishes the batch: a
    point's result is complete or absent, never half made.
*/
#include "sim_run.h"

#include "bsw_assert.h"
#include "bsw_util.h"
#include "sim_batch.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_run_t {
    sim_batch_t *batch;       /* owned */
    sim_setup_t *setups;      /* [n_points], copied: each point's own values */
    size_t n_points;          /* lanes */
    size_t n_nodes;           /* regions */
    double **out;             /* [n_points] output arrays, owned */
    double *time;             /* [samples] time stamps, ms, owned */
    sim_run_point_t *results; /* [n_points], made when the batch finishes */
    bool done;                /* results are made */
};

//  Products of outside-sized counts, in double so they cannot wrap.
static uint64_t
s_saturate (double bytes)
{
    return bytes >= 1.8e19 ? UINT64_MAX : (uint64_t) bytes;
}

int
sim_run_bytes (const sim_connectivity_t *conn, const sim_setup_t *setup, sim_run_bytes_t *out,
               bsw_error_t *err)
{
    BSW_ASSERT (conn && setup && out);
    memset (out, 0, sizeof *out);
    size_t n = conn->n;
    int *idelays = bsw_calloc (n > 0 ? n * n : 1, sizeof (int));
    size_t horizon =
        sim_connectivity_idelays (conn, setup->conduction_speed, setup->dt, idelays, err);
    free (idelays);
    if (horizon == 0)
        return err ? err->code : BSW_ECONNECTIVITY;
    //  sim_batch_new's buffers for one lane, with K = 512 (its largest):
    //  state, self and row weights, coupling parameters, C channels' far
    //  input, noise, samples, sums, and the far sums' scratch.
    double K = 512, S = (double) setup->model->n_state, V = (double) setup->n_voi;
    double C = (double) sim_coupling_channels (setup->coupling, setup->model);
    double X = (double) ((n + 7) / 8 * 8), T = (double) sim_setup_samples (setup);
    double noise = setup->integrator == SIM_INTEGRATOR_HEUN_STOCHASTIC ? K * S : 0;
    double output = T * V * (double) n * 8.0;
    double history = C * (double) n * ((double) horizon + 2 * K) * 4.0;
    double state =
        ((S + 2 + SIM_MAX_COUPLING_PARAMS + C * K + noise) * X + (K + 1) * V * X + V * X + 8 * K) *
        8.0;
    out->samples = (uint64_t) T;
    out->horizon = horizon;
    out->output = s_saturate (output);
    out->history = s_saturate (history);
    out->state = s_saturate (state);
    out->memory = s_saturate (history + state + (T + 1) * 8.0 + 3 * output);
    return BSW_OK;
}

int
sim_run_bytes_check (const sim_run_bytes_t *b, size_t n_voi, size_t n_nodes, bsw_error_t *err)
{
    if (b->output > SIM_RUN_MAX_OUTPUT_BYTES)
        return bsw_error_set (err, BSW_ETOOBIG,
                              "the series of one point would be %.3g MB (%" PRIu64
                              " samples x %zu variables of interest x %zu nodes x 8 bytes); the "
                              "limit is %llu MiB",
                              (double) b->output / 1e6, b->samples, n_voi, n_nodes,
                              SIM_RUN_MAX_OUTPUT_BYTES >> 20);
    if (b->memory > SIM_RUN_MAX_MEMORY_BYTES)
        return bsw_error_set (err, BSW_ETOOBIG,
                              "one point would need %.3g MB of memory (a history of %" PRIu64
                              " steps x %zu nodes, a series of %.3g MB); the limit is %llu MiB",
                              (double) b->memory / 1e6, b->horizon, n_nodes,
                              (double) b->output / 1e6, SIM_RUN_MAX_MEMORY_BYTES >> 20);
    return BSW_OK;
}

int
sim_run_new (sim_run_t **self_p, const sim_connectivity_t *conn, const sim_setup_t *setups,
             size_t n_points, bsw_error_t *err)
{
    BSW_ASSERT (self_p && conn && setups && n_points > 0);
    *self_p = NULL;
    //  Batchable setups share everything the costs depend on: point 0's
    //  are every point's.
    sim_run_bytes_t bytes;
    int rc = sim_run_bytes (conn, &setups[0], &bytes, err);
    if (rc == 0)
        rc = sim_run_bytes_check (&bytes, setups[0].n_voi, conn->n, err);
    if (rc)
        return rc;
    sim_batch_t *batch = NULL;
    rc = sim_batch_new (&batch, conn, setups, n_points, err);
    if (rc)
        return rc;
    sim_run_t *self = bsw_calloc (1, sizeof *self);
    self->batch = batch;
    self->n_points = n_points;
    self->n_nodes = conn->n;
    self->setups = bsw_calloc (n_points, sizeof (sim_setup_t));
    memcpy (self->setups, setups, n_points * sizeof (sim_setup_t));
    size_t size = sim_batch_output_size (batch);
    self->out = bsw_calloc (n_points, sizeof (double *));
    bool missing = false;
    for (size_t p = 0; p < n_points; p++)
        missing |= !(self->out[p] = malloc ((size ? size : 1) * sizeof (double)));
    self->time = malloc (((size_t) sim_batch_samples (batch) + 1) * sizeof (double));
    self->results = bsw_calloc (n_points, sizeof (sim_run_point_t));
    if (missing || !self->time) {
        sim_run_destroy (&self);
        return bsw_error_set (err, BSW_ENOMEM,
                              "cannot allocate the series of %zu points (%.3g MB each)", n_points,
                              (double) bytes.output / 1e6);
    }
    sim_batch_set_output (batch, self->out, self->time);
    *self_p = self;
    return BSW_OK;
}

void
sim_run_destroy (sim_run_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sim_run_t *self = *self_p;
    sim_batch_destroy (&self->batch);
    for (size_t p = 0; p < self->n_points; p++)
        free (self->out[p]);
    free (self->out);
    free (self->time);
    free (self->setups);
    free (self->results);
    free (self);
    *self_p = NULL;
}

size_t
sim_run_points (const sim_run_t *self)
{
    return self->n_points;
}

uint64_t
sim_run_steps (const sim_run_t *self)
{
    return sim_batch_steps (self->batch);
}

uint64_t
sim_run_step (const sim_run_t *self)
{
    return sim_batch_step (self->batch);
}

bool
sim_run_finished (const sim_run_t *self)
{
    return self->done;
}

/*  Point p's result from its lane: what it is, then whether it diverged,
    then its metrics. */
static void
s_result (sim_run_t *self, size_t p)
{
    const sim_setup_t *setup = &self->setups[p];
    sim_run_point_t *r = &self->results[p];
    r->data = self->out[p];
    r->time = self->time;
    r->samples = sim_batch_samples (self->batch);
    r->n_voi = setup->n_voi;
    r->n_nodes = self->n_nodes;
    for (size_t v = 0; v < setup->n_voi; v++)
        r->voi_names[v] = setup->model->voi_names[setup->voi[v]];
    r->monitor = sim_monitor_name (setup->monitor);
    r->sample_period = sim_setup_sample_period (setup);
    uint64_t bad = sim_batch_first_nonfinite (self->batch, p);
    if (bad != UINT64_MAX) {
        r->code = BSW_ENUMERIC;
        snprintf (r->error, sizeof r->error,
                  "the simulation diverged: non-finite state in sample %llu (t = %g ms)",
                  (unsigned long long) bad, self->time[bad]);
        return;
    }
    sim_metrics_compute (r->data, (size_t) r->samples, r->n_voi, r->n_nodes, r->sample_period,
                         setup->metric_start_point, setup->metric_segment, &r->metrics);
    r->n_metrics = sim_metrics_list (&r->metrics, r->metric_names, r->metric_values);
}

uint64_t
sim_run_advance (sim_run_t *self, uint64_t max_steps)
{
    uint64_t taken = sim_batch_advance (self->batch, max_steps);
    if (!self->done && sim_batch_finished (self->batch)) {
        for (size_t p = 0; p < self->n_points; p++)
            s_result (self, p);
        self->done = true;
    }
    return taken;
}

const sim_run_point_t *
sim_run_point (const sim_run_t *self, size_t p)
{
    return self->done && p < self->n_points ? &self->results[p] : NULL;
}
