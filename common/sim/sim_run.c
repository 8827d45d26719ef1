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

int
sim_run_new (sim_run_t **self_p, const sim_connectivity_t *conn, const sim_setup_t *setups,
             size_t n_points, bsw_error_t *err)
{
    BSW_ASSERT (self_p && conn && setups && n_points > 0);
    *self_p = NULL;
    sim_batch_t *batch = NULL;
    int rc = sim_batch_new (&batch, conn, setups, n_points, err);
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
    for (size_t p = 0; p < n_points; p++)
        self->out[p] = bsw_malloc ((size ? size : 1) * sizeof (double));
    self->time = bsw_malloc (((size_t) sim_batch_samples (batch) + 1) * sizeof (double));
    sim_batch_set_output (batch, self->out, self->time);
    self->results = bsw_calloc (n_points, sizeof (sim_run_point_t));
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
