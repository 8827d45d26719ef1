/*  worker_job.c - runs a job's points through the core and packs results.

    A batch is a sim_run, the path `brainsweep simulate --point K` takes
    with one lane, so a sweep's point K and simulate's are the same numbers
    by construction. A result carries the series as its raw array (or
    shuffled and deflated, worker --deflate), not a file: the broker stores
    what a point is, and TVB's files are made once, at export. Points of one job
    share a batch when their setups are batchable (the usual case: model
    and coupling parameters differ per lane); otherwise
    they run one batch per group. A point's numbers do not depend on its
    batch (sim_batch_test proves it), so grouping is free to change.
*/
#include "worker_job.h"

#include "bsw_util.h"
#include "sim_run.h"
#include "store_connectivity.h"
#include "store_series.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*  Steps between checks of the cancel flag: a fortieth of the tutorial's
    81,920 steps, so well under a millisecond of one lane there
    (bench/README.md, row 1); proportionally longer for larger
    connectivities. */
#define WORKER_JOB_CANCEL_STEPS 2048

int
worker_sweep_new (worker_sweep_t **sweep_p, uint64_t id, const char *uuid, const char *spec_json,
                  const void *connectivity, size_t connectivity_size, bsw_error_t *err)
{
    *sweep_p = NULL;
    char label[64];
    snprintf (label, sizeof label, "sweep %llu", (unsigned long long) id);
    spec_t *spec = NULL;
    int rc = spec_load_string (&spec, spec_json, strlen (spec_json), label, NULL, err);
    if (rc)
        return rc;
    sim_connectivity_t *conn = NULL;
    if (connectivity)
        rc = store_connectivity_load_buffer (&conn, connectivity, connectivity_size, label, err);
    else
        conn = sim_connectivity_new_default ();
    if (rc == 0)
        rc = spec_check_connectivity (spec, conn, label, err);
    if (rc) {
        spec_destroy (&spec);
        sim_connectivity_destroy (&conn);
        return rc;
    }
    worker_sweep_t *sweep = bsw_calloc (1, sizeof *sweep);
    sweep->id = id;
    snprintf (sweep->uuid, sizeof sweep->uuid, "%s", uuid ? uuid : "");
    sweep->spec = spec;
    sweep->conn = conn;
    sim_connectivity_gid (conn, sweep->connectivity_gid);
    //  Size lanes by the base setup's history (a ranged speed changes H a
    //  little; the budget has room for that).
    int *idelays = bsw_calloc (conn->n * conn->n, sizeof (int));
    size_t horizon = sim_connectivity_idelays (conn, spec->setup.conduction_speed, spec->setup.dt,
                                               idelays, NULL);
    free (idelays);
    //  H + 2K history slots per node and coupling channel, K <= 512
    //  (WORKER_BATCH_BYTES).
    size_t channels = sim_coupling_channels (spec->setup.coupling, spec->setup.model);
    size_t per_lane =
        channels * conn->n * (horizon + 2 * 512) * sizeof (float) + conn->n * 16 * sizeof (double) +
        (size_t) sim_setup_samples (&spec->setup) * conn->n * spec->setup.n_voi * sizeof (double);
    sweep->max_lanes = per_lane ? WORKER_BATCH_BYTES / per_lane : 1;
    if (sweep->max_lanes < 1)
        sweep->max_lanes = 1;
    *sweep_p = sweep;
    return BSW_OK;
}

size_t
worker_sweep_lanes (const worker_sweep_t *sweep, size_t requested)
{
    size_t lanes = requested;
    if (lanes == 0)
        for (lanes = 1; lanes < 8 && sweep->conn->n * lanes < WORKER_AUTO_ROW;)
            lanes *= 2;
    return lanes < sweep->max_lanes ? lanes : sweep->max_lanes;
}

void
worker_sweep_destroy (worker_sweep_t **sweep_p)
{
    if (!sweep_p || !*sweep_p)
        return;
    worker_sweep_t *sweep = *sweep_p;
    spec_destroy (&sweep->spec);
    sim_connectivity_destroy (&sweep->conn);
    free (sweep);
    *sweep_p = NULL;
}

worker_job_t *
worker_job_new (worker_sweep_t *sweep, const uint64_t *points, size_t count)
{
    worker_job_t *job = bsw_calloc (1, sizeof *job);
    job->sweep = sweep;
    job->points = bsw_calloc (count, sizeof (uint64_t));
    memcpy (job->points, points, count * sizeof (uint64_t));
    job->n_points = count;
    job->results = bsw_calloc (count, sizeof (worker_result_t));
    atomic_init (&job->cancel, 0);
    for (size_t k = 0; k < count; k++)
        job->results[k].point = points[k];
    return job;
}

void
worker_job_destroy (worker_job_t **job_p)
{
    if (!job_p || !*job_p)
        return;
    worker_job_t *job = *job_p;
    for (size_t k = 0; k < job->n_points; k++)
        free (job->results[k].series);
    free (job->results);
    free (job->points);
    free (job);
    *job_p = NULL;
}

static double
s_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

static void
s_fail (worker_result_t *result, int code, const char *text)
{
    result->code = code ? code : BSW_EINTERNAL;
    snprintf (result->error, sizeof result->error, "%s", text);
}

/*  A finished point's metrics and, unless the sweep keeps metrics only,
    its series encoded for the wire (a copy: the run's arrays go with it). */
static void
s_pack (worker_job_t *job, worker_result_t *result, const sim_run_point_t *point)
{
    result->samples = point->samples;
    if (point->code) {
        s_fail (result, point->code, point->error);
        return;
    }
    result->n_metrics = point->n_metrics;
    memcpy (result->metric_names, point->metric_names, sizeof result->metric_names);
    memcpy (result->metric_values, point->metric_values, sizeof result->metric_values);
    if (job->sweep->spec->keep == SPEC_KEEP_METRICS)
        return;
    //  Compressed here when asked (worker --deflate), in parallel on every
    //  worker, so the broker only ever checks and copies bytes.
    bsw_error_t err;
    bsw_error_clear (&err);
    size_t count = (size_t) point->samples * point->n_voi * point->n_nodes;
    if (store_series_encode (point->data, count, job->sweep->deflate, &result->series,
                             &result->series_size, &err))
        s_fail (result, err.code, err.text);
}

/*  Runs results[first..first+count) as one batch (sim_run, as simulate
    does), checking the cancel flag between slices of steps. */
static void
s_run_batch (worker_job_t *job, size_t first, size_t count, const sim_setup_t *setups)
{
    double started = s_now_ms ();
    sim_run_t *run = NULL;
    bsw_error_t err;
    bsw_error_clear (&err);
    if (sim_run_new (&run, job->sweep->conn, setups + first, count, &err)) {
        for (size_t k = 0; k < count; k++)
            s_fail (&job->results[first + k], err.code, err.text);
        return;
    }
    while (!sim_run_finished (run)) {
        if (atomic_load (&job->cancel)) {
            job->cancelled = true;
            break;
        }
        sim_run_advance (run, WORKER_JOB_CANCEL_STEPS);
    }
    if (!job->cancelled) {
        double elapsed = s_now_ms () - started;
        for (size_t k = 0; k < count; k++) {
            worker_result_t *result = &job->results[first + k];
            result->elapsed_ms = elapsed / (double) count;
            s_pack (job, result, sim_run_point (run, k));
        }
    }
    sim_run_destroy (&run);
}

void
worker_job_run (worker_job_t *job)
{
    size_t n = job->n_points;
    sim_setup_t *setups = bsw_calloc (n, sizeof (sim_setup_t));
    bool *usable = bsw_calloc (n, sizeof (bool));
    for (size_t k = 0; k < n; k++) {
        bsw_error_t err;
        bsw_error_clear (&err);
        if (spec_point_setup (job->sweep->spec, job->points[k], &setups[k], &err))
            s_fail (&job->results[k], err.code, err.text);
        else
            usable[k] = true;
    }
    //  Group consecutive batchable points; compact usable ones to the front
    //  of each group so s_run_batch sees a dense range.
    size_t k = 0;
    while (k < n && !job->cancelled) {
        if (!usable[k]) {
            k++;
            continue;
        }
        size_t end = k + 1;
        while (end < n && end - k < job->sweep->max_lanes && usable[end] &&
               sim_setup_batchable (&setups[k], &setups[end]))
            end++;
        s_run_batch (job, k, end - k, setups);
        k = end;
    }
    free (usable);
    free (setups);
}
