/*  broker_client.c - the broker's answers to clients: SUBMIT, LIST,
    STATUS, CANCEL, RETRY, FETCH (the export zip, chunk by chunk), RESULTS
    (per-point metrics, with the spec and one point's time series on
    request) and STATS (the broker's counters). See broker_client.h.

    A submission is validated as a worker would read it (the spec parsed,
    the connectivity zip read, node counts checked, points counted against
    the limit) before anything is stored, so a bad sweep is refused with a
    sentence and never reaches a worker.

    A FETCH is answered by an export stream (broker_exporter.h), whose
    actor makes the zip while the broker keeps serving; its replies come
    when the chunk is ready, so s_fetch may answer nothing now.
*/
#include "broker_client.h"
#include "broker_export.h"
#include "broker_export_files.h"
#include "broker_exporter.h"

#include "bsw_util.h"
#include "sim_connectivity.h"
#include "spec.h"
#include "store_connectivity.h"

#include <inttypes.h>
#include <math.h>

//  A POINTS page must stay under frame 0's 4 MiB limit: at ~53 bytes a
//  point with five metrics, 50,000 points.
#define S_RESULTS_PAGE_MAX 50000

bool
broker_client_may (const broker_client_peer_t *peer, const broker_sweep_t *sweep)
{
    return peer->all_sweeps || (peer->key && sweep->owner && streq (peer->key, sweep->owner));
}

//  The sweep a request names, or NULL with *reply_p an ERROR (also when
//  the sender may not act on it).
static broker_sweep_t *
s_sweep_or_error (broker_client_t *self, const proto_msg_t *request, proto_msg_t **reply_p)
{
    uint64_t id = proto_msg_uint (request, "sweep");
    broker_sweep_t *sweep = broker_sweeps_find (self->sweeps, id);
    if (!sweep)
        *reply_p = proto_msg_new_errorf (request, BSW_ENOTFOUND, "no sweep %" PRIu64, id);
    else if (!broker_client_may (self->peer, sweep)) {
        *reply_p = proto_msg_new_errorf (request, BSW_EDENIED,
                                         "sweep %" PRIu64 " belongs to another client", id);
        sweep = NULL;
    }
    return sweep;
}

static proto_msg_t *
s_done (uint64_t sweep, uint64_t count)
{
    proto_msg_t *reply = proto_msg_new (PROTO_DONE);
    proto_msg_set_uint (reply, "sweep", sweep);
    proto_msg_set_uint (reply, "count", count);
    return reply;
}

//  Parses and checks a submission as a worker would read it; returns 0
//  with its number of points and its name (caller frees), or an error.
static int
s_submit_check (broker_client_t *self, const proto_msg_t *msg, uint64_t *points, char **name,
                bsw_error_t *err)
{
    const char *text = proto_msg_str (msg, "spec");
    spec_t *spec = NULL;
    sim_connectivity_t *conn = NULL;
    int rc = proto_msg_has (msg, "name")
                 ? spec_check_name (proto_msg_str (msg, "name"), "name", err)
                 : 0;
    //  Capped by --max-points before any range is expanded (spec.h).
    if (rc == 0)
        rc = spec_load_string_max (&spec, text, strlen (text), "spec", NULL, self->max_points, err);
    if (rc == BSW_ETOOBIG) {
        char said[BSW_ERROR_TEXT_MAX];
        snprintf (said, sizeof said, "%s", err->text);
        bsw_error_set (err, rc, "%s; this broker takes at most %" PRIu64 " (its --max-points)",
                       said, self->max_points);
    }
    if (rc)
        return rc;
    if (proto_msg_has (msg, "connectivity")) {
        size_t size = 0;
        const void *bytes = proto_msg_blob (msg, "connectivity", &size, NULL, NULL, NULL);
        const char *conn_name = proto_msg_has (msg, "connectivity_name")
                                    ? proto_msg_str (msg, "connectivity_name")
                                    : "connectivity.zip";
        rc = store_connectivity_load_buffer (&conn, bytes, size, conn_name, err);
    } else
        conn = sim_connectivity_new_default ();
    if (rc == 0)
        rc = spec_check_connectivity (spec, conn, "spec", err);
    *points = rc == 0 ? spec_points (spec) : 0;
    if (rc == 0 && *points > self->max_points)
        rc = bsw_error_set (err, BSW_ETOOBIG,
                            "the sweep has %" PRIu64 " points; this broker takes at most %" PRIu64
                            " (its --max-points)",
                            *points, self->max_points);
    //  A copy: the spec's own name goes with the spec.
    if (rc == 0)
        *name = bsw_strdup (proto_msg_has (msg, "name") ? proto_msg_str (msg, "name")
                            : spec->name                ? spec->name
                                                        : "");
    spec_destroy (&spec);
    sim_connectivity_destroy (&conn);
    return rc;
}

static proto_msg_t *
s_submit (broker_client_t *self, const proto_msg_t *msg)
{
    bsw_error_t err;
    bsw_error_clear (&err);
    uint64_t points = 0, id = 0;
    char *name = NULL, uuid[37];
    int rc = s_submit_check (self, msg, &points, &name, &err);
    if (rc == 0) {
        size_t conn_size = 0;
        const void *conn = proto_msg_has (msg, "connectivity")
                               ? proto_msg_blob (msg, "connectivity", &conn_size, NULL, NULL, NULL)
                               : NULL;
        const char *conn_name = proto_msg_has (msg, "connectivity_name")
                                    ? proto_msg_str (msg, "connectivity_name")
                                : conn ? "connectivity.zip"
                                       : NULL;
        rc = broker_db_sweep_create (self->db, name, self->peer->key, proto_msg_str (msg, "spec"),
                                     conn, conn_size, conn_name, points, &id, uuid, &err);
    }
    if (rc) {
        free (name);
        return proto_msg_new_errorf (msg, rc, "%s", err.text);
    }
    broker_sweep_info_t info = {.id = id,
                                .name = name,
                                .owner = (char *) self->peer->key,
                                .state = BROKER_SWEEP_RUNNING,
                                .points = points,
                                .created = (double) zclock_time () / 1000.0};
    memcpy (info.uuid, uuid, sizeof info.uuid);
    broker_sweep_t *sweep = broker_sweep_new (self->db, &info);
    broker_sweeps_add (self->sweeps, &sweep);
    zsys_info ("sweep=%" PRIu64 " submitted: '%s', %" PRIu64 " points", id, name, points);
    free (name);
    proto_msg_t *reply = proto_msg_new (PROTO_SUBMITTED);
    proto_msg_set_uint (reply, "sweep", id);
    proto_msg_set_uint (reply, "points", points);
    proto_msg_set_str (reply, "uuid", uuid);
    return reply;
}

//  A sweep's name cut to SPEC_MAX_NAME bytes, at a character boundary (a
//  data folder older than that cap may hold longer ones). Caller frees.
static char *
s_name_cut (const broker_sweep_t *s)
{
    const char *name = s->name ? s->name : "";
    size_t len = strlen (name);
    if (len > SPEC_MAX_NAME) {
        len = SPEC_MAX_NAME;
        while (len > 0 && ((unsigned char) name[len] & 0xc0) == 0x80)
            len--; //  not inside a UTF-8 character
    }
    char *cut = bsw_malloc (len + 1);
    memcpy (cut, name, len);
    cut[len] = '\0';
    return cut;
}

static proto_msg_t *
s_list (broker_client_t *self, const proto_msg_t *msg)
{
    //  Bounded whatever the number of sweeps, so the reply always fits a
    //  client's limits: the newest `limit` rows the sender may see, and how
    //  many are left out; names cut to SPEC_MAX_NAME bytes.
    size_t total = 0, k = 0, skip = 0;
    for (broker_sweep_t *s = broker_sweeps_first (self->sweeps); s;
         s = broker_sweeps_next (self->sweeps))
        total += broker_client_may (self->peer, s);
    size_t limit =
        proto_msg_has (msg, "limit") ? (size_t) proto_msg_uint (msg, "limit") : PROTO_MAX_LIST;
    if (limit > PROTO_MAX_LIST)
        limit = PROTO_MAX_LIST;
    size_t count = total < limit ? total : limit;
    skip = total - count;
    uint64_t *ids = bsw_calloc (count, sizeof (uint64_t));
    uint64_t *points = bsw_calloc (count, sizeof (uint64_t));
    uint64_t *done = bsw_calloc (count, sizeof (uint64_t));
    uint64_t *failed = bsw_calloc (count, sizeof (uint64_t));
    uint64_t *parents = bsw_calloc (count, sizeof (uint64_t));
    uint64_t *levels = bsw_calloc (count, sizeof (uint64_t));
    char **names = bsw_calloc (count, sizeof (char *));
    const char **states = bsw_calloc (count, sizeof (char *));
    size_t seen = 0;
    for (broker_sweep_t *s = broker_sweeps_first (self->sweeps); s && k < count;
         s = broker_sweeps_next (self->sweeps)) {
        if (!broker_client_may (self->peer, s) || seen++ < skip)
            continue; //  id order: the oldest come first
        ids[k] = s->id;
        points[k] = s->points;
        done[k] = s->done;
        failed[k] = s->failed;
        parents[k] = s->parent;
        levels[k] = s->level;
        names[k] = s_name_cut (s);
        states[k] = broker_sweep_state_name (s->state);
        k++;
    }
    count = k;
    proto_msg_t *reply = proto_msg_new (PROTO_SWEEPS);
    proto_msg_set_uints (reply, "ids", ids, count);
    proto_msg_set_strs (reply, "names", (const char **) names, count);
    proto_msg_set_strs (reply, "states", states, count);
    proto_msg_set_uints (reply, "points", points, count);
    proto_msg_set_uints (reply, "done", done, count);
    proto_msg_set_uints (reply, "failed", failed, count);
    proto_msg_set_uints (reply, "parents", parents, count);
    proto_msg_set_uints (reply, "levels", levels, count);
    if (skip)
        proto_msg_set_uint (reply, "more", skip);
    for (size_t i = 0; i < count; i++)
        free (names[i]);
    free (ids);
    free (points);
    free (done);
    free (failed);
    free (parents);
    free (levels);
    free (names);
    free (states);
    return reply;
}

//  A refinement level names its grid; a refined grid its plan and levels.
static void
s_status_family (broker_client_t *self, const broker_sweep_t *s, proto_msg_t *reply)
{
    if (s->parent) {
        proto_msg_set_uint (reply, "parent", s->parent);
        proto_msg_set_uint (reply, "level", s->level);
    }
    const broker_refine_plan_t *plan = broker_refine_plan (self->refine, s->id);
    if (!plan)
        return;
    broker_sweep_t *levels[PROTO_MAX_REFINE_LEVELS + 1];
    unsigned count = broker_sweeps_levels (self->sweeps, s->id, levels, PROTO_MAX_REFINE_LEVELS);
    uint64_t family[PROTO_MAX_REFINE_LEVELS];
    for (unsigned l = 1; l <= count; l++)
        family[l - 1] = levels[l] ? levels[l]->id : 0;
    proto_msg_set_uints (reply, "family", family, count);
    proto_msg_set_str (reply, "refine_metric", plan->metric);
    proto_msg_set_f64 (reply, "refine_threshold", plan->threshold);
    proto_msg_set_uint (reply, "refine_levels", plan->levels);
    proto_msg_set_str (reply, "refine_state", broker_refine_state_name (plan->state));
    if (*plan->note)
        proto_msg_set_str (reply, "refine_note", plan->note);
}

//  Starts a grid's refinement; its levels run as sweeps of their own.
static proto_msg_t *
s_refine (broker_client_t *self, const proto_msg_t *msg)
{
    proto_msg_t *reply = NULL;
    broker_sweep_t *s = s_sweep_or_error (self, msg, &reply);
    if (!s)
        return reply;
    double threshold = proto_msg_has (msg, "threshold") ? proto_msg_f64 (msg, "threshold") : 0;
    if (proto_msg_has (msg, "threshold") && !(threshold > 0))
        return proto_msg_new_errorf (msg, BSW_EINVAL,
                                     "threshold %g is not positive (a share of the metric's "
                                     "range, in (0, 1])",
                                     threshold);
    unsigned levels = proto_msg_has (msg, "levels") ? (unsigned) proto_msg_uint (msg, "levels") : 1;
    bsw_error_t err;
    bsw_error_clear (&err);
    if (broker_refine_start (self->refine, s, proto_msg_str (msg, "metric"), threshold, levels,
                             &threshold, &err))
        return proto_msg_new_errorf (msg, err.code, "%s", err.text);
    reply = proto_msg_new (PROTO_REFINED);
    proto_msg_set_uint (reply, "sweep", s->id);
    proto_msg_set_str (reply, "metric", proto_msg_str (msg, "metric"));
    proto_msg_set_f64 (reply, "threshold", threshold);
    proto_msg_set_uint (reply, "levels", levels);
    return reply;
}

static proto_msg_t *
s_status (broker_client_t *self, const proto_msg_t *msg)
{
    proto_msg_t *reply = NULL;
    broker_sweep_t *s = s_sweep_or_error (self, msg, &reply);
    if (!s)
        return reply;
    broker_sweep_counts_t counts;
    broker_sweep_counts (s, bsw_clock_mono_ms (), &counts);
    reply = proto_msg_new (PROTO_SWEEP_STATUS);
    proto_msg_set_uint (reply, "sweep", s->id);
    char *name = s_name_cut (s);
    proto_msg_set_str (reply, "name", name);
    free (name);
    proto_msg_set_str (reply, "state", broker_sweep_state_name (s->state));
    proto_msg_set_uint (reply, "points", s->points);
    proto_msg_set_uint (reply, "pending", counts.pending);
    proto_msg_set_uint (reply, "running", counts.running);
    proto_msg_set_uint (reply, "done", s->done);
    proto_msg_set_uint (reply, "failed", s->failed);
    proto_msg_set_uint (reply, "cancelled", counts.cancelled);
    proto_msg_set_uint (reply, "workers", broker_workers_size (self->workers));
    proto_msg_set_f64 (reply, "rate", counts.rate);
    proto_msg_set_f64 (reply, "eta_s",
                       counts.rate > 0 ? (double) (counts.pending + counts.running) / counts.rate
                                       : -1.0);
    proto_msg_set_f64 (reply, "elapsed_s", counts.elapsed_s);
    s_status_family (self, s, reply);
    return reply;
}

static proto_msg_t *
s_cancel (broker_client_t *self, const proto_msg_t *msg)
{
    proto_msg_t *reply = NULL;
    broker_sweep_t *s = s_sweep_or_error (self, msg, &reply);
    if (!s)
        return reply;
    bool was_running = s->state == BROKER_SWEEP_RUNNING;
    uint64_t count = 0;
    bsw_error_t err;
    if (broker_sweep_cancel (s, self->db, &count, &err))
        return proto_msg_new_errorf (msg, err.code, "%s", err.text);
    if (was_running)
        broker_workers_release (self->workers, s->id);
    return s_done (s->id, count);
}

//  Runs the failed points again; a cancelled sweep resumes as well.
static proto_msg_t *
s_retry (broker_client_t *self, const proto_msg_t *msg)
{
    proto_msg_t *reply = NULL;
    broker_sweep_t *s = s_sweep_or_error (self, msg, &reply);
    if (!s)
        return reply;
    if (broker_refine_running (self->refine, s))
        return proto_msg_new_errorf (
            msg, BSW_ESTATE,
            "sweep %" PRIu64 " is part of sweep %" PRIu64 "'s refinement, which is running: its "
            "next levels are made from these results; retry once the refinement has ended",
            s->id, s->parent ? s->parent : s->id);
    uint64_t count = 0;
    bsw_error_t err;
    if (broker_sweep_retry (s, self->db, &count, &err))
        return proto_msg_new_errorf (msg, err.code, "%s", err.text);
    return s_done (s->id, count);
}

//  The export stream answers, now or later (NULL).
static proto_msg_t *
s_fetch (broker_client_t *self, const proto_msg_t *msg)
{
    proto_msg_t *reply = NULL;
    broker_sweep_t *s = s_sweep_or_error (self, msg, &reply);
    if (!s)
        return reply;
    //  A refined grid's zip holds its whole family: the grid, then its
    //  levels in order; once its refinement has ended, so that no level is
    //  missing from it. A level alone can be fetched at any time.
    if (!s->parent && !proto_msg_has (msg, "export") && broker_refine_running (self->refine, s))
        return proto_msg_new_errorf (
            msg, BSW_ESTATE,
            "sweep %" PRIu64 "'s refinement is running, and its zip holds every level: fetch it "
            "once `brainsweep status %" PRIu64 "` says the refinement is done (a level's own "
            "sweep can be fetched now)",
            s->id, s->id);
    broker_export_member_t members[PROTO_MAX_REFINE_LEVELS + 1] = {{s->id, 0}};
    broker_exporters_family_t family = {.members = members,
                                        .count = 1,
                                        .follow = s->state == BROKER_SWEEP_RUNNING,
                                        .points = s->points};
    if (!s->parent && !proto_msg_has (msg, "export")) {
        broker_sweep_t *level[PROTO_MAX_REFINE_LEVELS + 1];
        broker_sweeps_levels (self->sweeps, s->id, level, PROTO_MAX_REFINE_LEVELS);
        for (unsigned l = 1; l <= PROTO_MAX_REFINE_LEVELS && level[l]; l++) {
            members[family.count++] = (broker_export_member_t){level[l]->id, l};
            family.follow |= level[l]->state == BROKER_SWEEP_RUNNING;
            family.points += level[l]->points;
        }
    }
    return broker_exporters_fetch (self->exporters, msg, s, family.count > 1 ? &family : NULL);
}

static int
s_attach_spec (broker_client_t *self, uint64_t sweep, proto_msg_t *reply, bsw_error_t *err)
{
    char *spec = NULL;
    int rc = broker_db_sweep_definition (self->db, sweep, &spec, NULL, NULL, NULL, err);
    if (rc == 0 && spec)
        proto_msg_set_str (reply, "spec", spec);
    free (spec);
    return rc;
}

//  A point's TimeSeriesRegion file, made from its stored series as the
//  export makes it: its array passed the broker's message limit on its
//  way in, so the file (a few KB more) fits one on its way out.
static int
s_attach_timeseries (broker_client_t *self, uint64_t sweep, uint64_t point, proto_msg_t *reply,
                     bsw_error_t *err)
{
    void *data = NULL;
    size_t size = 0;
    int rc = broker_export_series_image (self->db, sweep, point, &data, &size, err);
    if (rc)
        return rc;
    uint64_t shape[1] = {(uint64_t) size};
    proto_msg_set_blob (reply, "timeseries", "u1", shape, 1, &data, size);
    return 0;
}

//  The POINTS reply's metric table: names from the first ok row (TVB's
//  order), each row read with the export's parser of our stored metrics.
static void
s_set_metrics (proto_msg_t *reply, const broker_result_row_t *rows, size_t count)
{
    broker_export_metrics_t first = {.count = 0};
    for (size_t k = 0; k < count && first.count == 0; k++)
        if (rows[k].ok)
            broker_export_metrics_parse (rows[k].metrics_json, &first, NULL);
    size_t n_names = first.count;
    uint64_t *points = bsw_calloc (count, sizeof (uint64_t));
    const char **statuses = bsw_calloc (count, sizeof (char *));
    double *values = bsw_calloc (count * n_names + 1, sizeof (double));
    for (size_t k = 0; k < count; k++) {
        points[k] = rows[k].point;
        statuses[k] = rows[k].ok ? "ok" : "failed";
        broker_export_metrics_t row = {.count = 0};
        if (rows[k].ok)
            broker_export_metrics_parse (rows[k].metrics_json, &row, NULL);
        for (size_t m = 0; m < n_names; m++)
            if (!broker_export_metrics_get (&row, first.names[m], &values[k * n_names + m]))
                values[k * n_names + m] = NAN;
    }
    const char *name_ptrs[BROKER_EXPORT_METRICS_MAX];
    for (size_t m = 0; m < n_names; m++)
        name_ptrs[m] = first.names[m];
    proto_msg_set_uints (reply, "points", points, count);
    proto_msg_set_strs (reply, "statuses", statuses, count);
    proto_msg_set_strs (reply, "metric_names", name_ptrs, n_names);
    proto_msg_set_f64s (reply, "values", values, count * n_names);
    free (points);
    free (statuses);
    free (values);
}

static proto_msg_t *
s_results (broker_client_t *self, const proto_msg_t *msg)
{
    proto_msg_t *reply = NULL;
    broker_sweep_t *s = s_sweep_or_error (self, msg, &reply);
    if (!s)
        return reply;
    //  One unread reply per connection at most (broker_receipts.h).
    int64_t now = bsw_clock_mono_ms ();
    bsw_error_t err;
    if (broker_receipts_check (self->receipts, msg, &err))
        return proto_msg_new_errorf (msg, err.code, "%s", err.text);
    uint64_t offset = proto_msg_uint (msg, "offset"), limit = proto_msg_uint (msg, "limit");
    if (limit == 0 || limit > S_RESULTS_PAGE_MAX)
        limit = S_RESULTS_PAGE_MAX;
    //  A spec (up to PROTO_MAX_SPEC) shares frame 0 with the page.
    bool with_spec = proto_msg_has (msg, "with_spec") && proto_msg_bool (msg, "with_spec");
    if (with_spec && limit > S_RESULTS_PAGE_MAX / 2)
        limit = S_RESULTS_PAGE_MAX / 2;
    broker_result_row_t *rows = NULL;
    size_t count = 0;
    if (broker_db_result_rows (self->db, s->id, offset, limit, &rows, &count, &err))
        return proto_msg_new_errorf (msg, err.code, "%s", err.text);
    reply = proto_msg_new (PROTO_POINTS);
    proto_msg_set_uint (reply, "sweep", s->id);
    proto_msg_set_uint (reply, "total", s->points);
    s_set_metrics (reply, rows, count);
    bool with_timeseries =
        proto_msg_has (msg, "with_timeseries") && proto_msg_bool (msg, "with_timeseries");
    int rc = 0;
    if (with_spec)
        rc = s_attach_spec (self, s->id, reply, &err);
    if (rc == 0 && with_timeseries && count > 0 && rows[0].ok)
        rc = s_attach_timeseries (self, s->id, rows[0].point, reply, &err);
    broker_result_rows_free (rows, count);
    if (rc) {
        proto_msg_destroy (&reply);
        return proto_msg_new_errorf (msg, rc, "%s", err.text);
    }
    //  Its size, near enough: the blobs and arrays are nearly all of it.
    size_t n_values = 0, series = 0;
    proto_msg_f64s (reply, "values", &n_values);
    if (proto_msg_has (reply, "timeseries"))
        proto_msg_blob (reply, "timeseries", &series, NULL, NULL, NULL);
    uint64_t bytes = 1024 + 16 * (uint64_t) count + 8 * (uint64_t) n_values + series +
                     (proto_msg_has (reply, "spec") ? strlen (proto_msg_str (reply, "spec")) : 0);
    broker_receipts_issue (self->receipts, msg, reply, bytes, now);
    return reply;
}

/*  The broker's counters and present counts; error replies as parallel
    arrays of the codes sent and how often. */
static proto_msg_t *
s_stats (broker_client_t *self)
{
    uint64_t by_state[3] = {0, 0, 0}, running = 0;
    for (broker_sweep_t *s = broker_sweeps_first (self->sweeps); s;
         s = broker_sweeps_next (self->sweeps)) {
        by_state[s->state == BROKER_SWEEP_RUNNING    ? 0
                 : s->state == BROKER_SWEEP_FINISHED ? 1
                                                     : 2]++;
        running += s->state == BROKER_SWEEP_RUNNING ? s->leased_count : 0;
    }
    const broker_stats_t *st = self->stats;
    int64_t codes[BROKER_STATS_ERROR_CODES];
    uint64_t counts[BROKER_STATS_ERROR_CODES];
    size_t n = 0;
    for (size_t k = 1; k < BROKER_STATS_ERROR_CODES; k++)
        if (st->errors[k]) {
            codes[n] = -(int64_t) k;
            counts[n++] = st->errors[k];
        }
    proto_msg_t *reply = proto_msg_new (PROTO_BROKER_STATS);
    proto_msg_set_str (reply, "version", BSW_VERSION_STRING);
    proto_msg_set_f64 (reply, "uptime_s", (double) (bsw_clock_mono_ms () - st->started) / 1000.0);
    proto_msg_set_uint (reply, "sweeps_running", by_state[0]);
    proto_msg_set_uint (reply, "sweeps_finished", by_state[1]);
    proto_msg_set_uint (reply, "sweeps_cancelled", by_state[2]);
    proto_msg_set_uint (reply, "workers", broker_workers_size (self->workers));
    proto_msg_set_uint (reply, "workers_joined", st->workers_joined);
    proto_msg_set_uint (reply, "workers_lost", st->workers_lost);
    proto_msg_set_uint (reply, "workers_left", st->workers_left);
    proto_msg_set_uint (reply, "points_running", running);
    proto_msg_set_uint (reply, "points_requeued", st->points_requeued);
    proto_msg_set_uint (reply, "results_committed", st->results_committed);
    proto_msg_set_uint (reply, "results_duplicate", st->results_duplicate);
    proto_msg_set_uint (reply, "results_unleased", st->results_unleased);
    proto_msg_set_ints (reply, "error_codes", codes, n);
    proto_msg_set_uints (reply, "error_counts", counts, n);
    return reply;
}

proto_msg_t *
broker_client_answer (broker_client_t *self, const proto_msg_t *request,
                      const broker_client_peer_t *peer)
{
    self->peer = peer;
    switch (proto_msg_type (request)) {
    case PROTO_SUBMIT:
        return s_submit (self, request);
    case PROTO_LIST:
        return s_list (self, request);
    case PROTO_STATUS:
        return s_status (self, request);
    case PROTO_CANCEL:
        return s_cancel (self, request);
    case PROTO_RETRY:
        return s_retry (self, request);
    case PROTO_FETCH:
        return s_fetch (self, request);
    case PROTO_RESULTS:
        return s_results (self, request);
    case PROTO_STATS:
        return s_stats (self);
    case PROTO_REFINE:
        return s_refine (self, request);
    default:
        return proto_msg_new_errorf (request, BSW_EPROTO, "%s is not a request the broker serves",
                                     proto_type_name (proto_msg_type (request)));
    }
}
