/*  broker_refine.c - a grid's refinement levels, one sweep after another
    (broker_refine.h). */
#include "broker_refine.h"
#include "broker_export_files.h"

#include "bsw_util.h"
#include "plot_pse.h"
#include "proto.h"
#include "sim_metric.h"
#include "spec.h"
#include "spec_refine.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>

#define S_RETRY_MS 10000   /* a plan whose store failed is tried again after this */
#define S_MAX_GRID 1000000 /* points of a grid that may be refined (all its metrics are read) */

//  A REFINE's levels, plus the grid's level 0, fit spec_refine_next's bound.
_Static_assert(PROTO_MAX_REFINE_LEVELS < SPEC_REFINE_MAX_LEVELS,
               "REFINE may ask for more levels than spec_refine_next makes");

struct broker_refine_t {
    broker_db_t *db;             /* borrowed */
    broker_sweeps_t *sweeps;     /* borrowed */
    uint64_t max_points;         /* most points of one level, as of a submission */
    broker_refine_plan_t *plans; /* every plan, by root */
    int64_t *retry_at;           /* per plan: mono ms before which a failed store waits */
    size_t count;
};

int
broker_refine_new (broker_refine_t **self_p, broker_db_t *db, broker_sweeps_t *sweeps,
                   uint64_t max_points, bsw_error_t *err)
{
    broker_refine_t *self = bsw_calloc (1, sizeof *self);
    self->db = db;
    self->sweeps = sweeps;
    self->max_points = max_points;
    int rc = broker_db_refine_list (db, &self->plans, &self->count, err);
    if (rc) {
        broker_refine_destroy (&self);
        *self_p = NULL;
        return rc;
    }
    self->retry_at = bsw_calloc (self->count + 1, sizeof (int64_t));
    //  What the database says is checked as any input: levels within what
    //  a REFINE may ask, a known state.
    for (size_t i = 0; i < self->count; i++) {
        broker_refine_plan_t *plan = &self->plans[i];
        if (plan->levels < 1 || plan->levels > PROTO_MAX_REFINE_LEVELS ||
            plan->state > BROKER_REFINE_FAILED || !(plan->threshold > 0)) {
            zsys_warning ("refine: sweep %" PRIu64 ": its stored plan is not valid (%u levels, "
                          "state %d); it is ended as failed",
                          plan->root, plan->levels, (int) plan->state);
            plan->levels = 1;
            if (plan->state == BROKER_REFINE_RUNNING || plan->state > BROKER_REFINE_FAILED)
                plan->state = BROKER_REFINE_FAILED;
        }
    }
    *self_p = self;
    return rc;
}

void
broker_refine_destroy (broker_refine_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_refine_plans_free ((*self_p)->plans, (*self_p)->count);
    free ((*self_p)->retry_at);
    free (*self_p);
    *self_p = NULL;
}

const char *
broker_refine_state_name (broker_refine_state_t state)
{
    switch (state) {
    case BROKER_REFINE_RUNNING:
        return "running";
    case BROKER_REFINE_DONE:
        return "done";
    case BROKER_REFINE_CANCELLED:
        return "cancelled";
    case BROKER_REFINE_FAILED:
        return "failed";
    }
    return "failed";
}

bool
broker_refine_running (const broker_refine_t *self, const broker_sweep_t *sweep)
{
    const broker_refine_plan_t *plan =
        broker_refine_plan (self, sweep->parent ? sweep->parent : sweep->id);
    return plan && plan->state == BROKER_REFINE_RUNNING;
}

const broker_refine_plan_t *
broker_refine_plan (const broker_refine_t *self, uint64_t root)
{
    for (size_t i = 0; i < self->count; i++)
        if (self->plans[i].root == root)
            return &self->plans[i];
    return NULL;
}

//  The grid's spec, parsed, and its definition as stored (conn, conn_size
//  and conn_name may be NULL: not read). Caller frees all.
static int
s_load_grid (broker_refine_t *self, uint64_t root, char **json, void **conn, size_t *conn_size,
             char **conn_name, spec_t **spec, bsw_error_t *err)
{
    *spec = NULL;
    int rc = broker_db_sweep_definition (self->db, root, json, conn, conn_size, conn_name, err);
    char label[48];
    snprintf (label, sizeof label, "sweep %" PRIu64, root);
    if (rc == 0)
        rc = spec_load_string (spec, *json, strlen (*json), label, NULL, err);
    return rc;
}

//  One metric of every point of a sweep, NaN where a point failed or has
//  none. Caller frees *values.
static int
s_metric_values (broker_refine_t *self, uint64_t sweep, uint64_t points, const char *metric,
                 double **values, bsw_error_t *err)
{
    broker_result_row_t *rows = NULL;
    size_t count = 0;
    int rc = broker_db_result_rows (self->db, sweep, 0, 0, &rows, &count, err);
    if (rc)
        return rc;
    double *v = bsw_malloc ((points ? points : 1) * sizeof *v);
    for (uint64_t k = 0; k < points; k++)
        v[k] = NAN;
    for (size_t i = 0; i < count; i++) {
        broker_export_metrics_t record;
        double value;
        if (rows[i].point < points && rows[i].ok && rows[i].metrics_json &&
            broker_export_metrics_parse (rows[i].metrics_json, &record, NULL) == 0 &&
            broker_export_metrics_get (&record, metric, &value))
            v[rows[i].point] = value;
    }
    broker_result_rows_free (rows, count);
    *values = v;
    return BSW_OK;
}

//  The level's spec: the grid's, its ranges replaced by the points listed
//  (values written with 17 digits, so they read back to the same doubles).
static char *
s_level_spec (const char *grid_json, const spec_t *grid, const double *values, size_t n_new)
{
    json_t *root = json_loads (grid_json, JSON_REJECT_DUPLICATES, NULL);
    if (!root)
        return NULL;
    json_object_del (root, "ranges");
    json_t *points = json_array ();
    for (size_t k = 0; k < n_new; k++) {
        json_t *point = json_object ();
        for (size_t r = 0; r < grid->n_ranges; r++)
            json_object_set_new (point, grid->ranges[r].parameter,
                                 json_real (values[k * grid->n_ranges + r]));
        json_array_append_new (points, point);
    }
    json_object_set_new (root, "points", points);
    char *text = json_dumps (root, JSON_COMPACT | JSON_REAL_PRECISION (17));
    json_decref (root);
    return text;
}

static void s_end (broker_refine_t *self, broker_refine_plan_t *plan, broker_refine_state_t state,
                   const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));

static void
s_end (broker_refine_t *self, broker_refine_plan_t *plan, broker_refine_state_t state,
       const char *fmt, ...)
{
    char note[BSW_ERROR_TEXT_MAX];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (note, sizeof note, fmt, ap);
    va_end (ap);
    bsw_error_t err;
    //  Memory follows the database: a plan the disk does not know ended
    //  is tried again in a while, and ends the same way.
    if (broker_db_refine_end (self->db, plan->root, state, note, &err)) {
        zsys_warning ("refine: sweep %" PRIu64 ": cannot record its end: %s (trying again in %d s)",
                      plan->root, err.text, S_RETRY_MS / 1000);
        self->retry_at[plan - self->plans] = bsw_clock_mono_ms () + S_RETRY_MS;
        return;
    }
    plan->state = state;
    free (plan->note);
    plan->note = bsw_strdup (note);
    zsys_info ("refine: sweep %" PRIu64 " %s: %s", plan->root, broker_refine_state_name (state),
               note);
}

//  Makes level `level` from the grid and levels 1 .. level - 1
//  (members[1..]), or ends the plan when nothing is left to halve.
static int
s_make_level (broker_refine_t *self, broker_refine_plan_t *plan, broker_sweep_t *grid,
              broker_sweep_t **members, unsigned level, bsw_error_t *err)
{
    char *json = NULL, *conn_name = NULL, *level_json = NULL, *name = NULL;
    void *conn = NULL;
    size_t conn_size = 0, n_new = 0;
    spec_t *spec = NULL;
    double *metrics[SPEC_REFINE_MAX_LEVELS] = {NULL}, *values = NULL;
    size_t n_metrics[SPEC_REFINE_MAX_LEVELS] = {0};
    int rc = s_load_grid (self, grid->id, &json, &conn, &conn_size, &conn_name, &spec, err);
    for (unsigned l = 0; rc == 0 && l < level; l++) {
        broker_sweep_t *s = l == 0 ? grid : members[l];
        n_metrics[l] = (size_t) s->points;
        rc = s_metric_values (self, s->id, s->points, plan->metric, &metrics[l], err);
    }
    spec_refine_opts_t opts = {.threshold = plan->threshold, .log_scale = plan->log_scale};
    //  A level's spec lists its points and travels whole (PROTO_MAX_SPEC):
    //  at least 24 bytes a value, so this many points can fit, and no more
    //  is worth computing.
    uint64_t most = rc == 0 ? PROTO_MAX_SPEC / (24 * (uint64_t) spec->n_ranges + 8) : 0;
    if (most > self->max_points)
        most = self->max_points;
    if (rc == 0)
        rc = spec_refine_next (spec, &opts, (const double *const *) metrics, n_metrics, level, most,
                               &values, &n_new, err);
    if (rc == BSW_ETOOBIG && most < self->max_points)
        bsw_error_set (err, rc,
                       "more than %" PRIu64 " points, the most a level's spec can list in its "
                       "%u bytes; a higher threshold halves fewer cells",
                       most, PROTO_MAX_SPEC);
    else if (rc == BSW_ETOOBIG)
        bsw_error_set (err, rc,
                       "more than %" PRIu64 " points, this broker's --max-points; a higher "
                       "threshold halves fewer cells",
                       most);
    if (rc == 0 && n_new == 0)
        s_end (self, plan, BROKER_REFINE_DONE,
               "level %u: no cell changes by more than %g of %s's range; nothing left to halve",
               level, plan->threshold, plan->metric);
    if (rc == 0 && n_new > 0) {
        level_json = s_level_spec (json, spec, values, n_new);
        if (!level_json)
            rc = bsw_error_set (err, BSW_EINTERNAL, "sweep %" PRIu64 ": its spec cannot be read",
                                grid->id);
        else if (strlen (level_json) > PROTO_MAX_SPEC)
            rc = bsw_error_set (err, BSW_ETOOBIG,
                                "its %zu points make a spec of %zu bytes, over the %u a sweep's "
                                "spec may have (a higher threshold halves fewer cells)",
                                n_new, strlen (level_json), PROTO_MAX_SPEC);
    }
    if (rc == 0 && n_new > 0) {
        size_t size = strlen (grid->name) + 48;
        name = bsw_malloc (size);
        if (*grid->name)
            snprintf (name, size, "%s, level %u", grid->name, level);
        else
            snprintf (name, size, "sweep %" PRIu64 ", level %u", grid->id, level);
        uint64_t id = 0;
        char uuid[37];
        rc = broker_db_sweep_create_level (self->db, name, grid->owner, level_json, conn, conn_size,
                                           conn_name, n_new, grid->id, level, &id, uuid, err);
        if (rc == 0) {
            broker_sweep_info_t info = {.id = id,
                                        .name = name,
                                        .owner = grid->owner,
                                        .state = BROKER_SWEEP_RUNNING,
                                        .points = n_new,
                                        .created = (double) zclock_time () / 1000.0,
                                        .parent = grid->id,
                                        .level = level};
            memcpy (info.uuid, uuid, sizeof info.uuid);
            broker_sweep_t *sweep = broker_sweep_new (self->db, &info);
            broker_sweeps_add (self->sweeps, &sweep);
            zsys_info ("refine: sweep %" PRIu64 " level %u is sweep %" PRIu64 ", %zu points",
                       grid->id, level, id, n_new);
        }
    }
    for (unsigned l = 0; l < level; l++)
        free (metrics[l]);
    free (values);
    free (level_json);
    free (name);
    free (json);
    free (conn);
    free (conn_name);
    spec_destroy (&spec);
    return rc;
}

//  Moves one running plan on, if its newest level has ended.
static void
s_advance (broker_refine_t *self, broker_refine_plan_t *plan)
{
    //  A store that failed a moment ago (a full disk) is not tried every tick.
    int64_t *retry_at = &self->retry_at[plan - self->plans];
    if (bsw_clock_mono_ms () < *retry_at)
        return;
    broker_sweep_t *grid = broker_sweeps_find (self->sweeps, plan->root);
    if (!grid) {
        s_end (self, plan, BROKER_REFINE_FAILED, "sweep %" PRIu64 " is gone", plan->root);
        return;
    }
    broker_sweep_t *members[SPEC_REFINE_MAX_LEVELS + 1];
    unsigned newest =
        broker_sweeps_levels (self->sweeps, plan->root, members, SPEC_REFINE_MAX_LEVELS);
    broker_sweep_t *last = newest ? members[newest] : grid;
    if (last->state == BROKER_SWEEP_RUNNING || grid->state == BROKER_SWEEP_RUNNING)
        return; //  not yet (a retried grid runs again first)
    if (last->state == BROKER_SWEEP_CANCELLED) {
        s_end (self, plan, BROKER_REFINE_CANCELLED, "level %u (sweep %" PRIu64 ") was cancelled",
               newest, last->id);
        return;
    }
    for (unsigned l = 1; l < newest; l++)
        if (!members[l]) {
            s_end (self, plan, BROKER_REFINE_FAILED, "level %u's sweep is missing", l);
            return;
        }
    if (newest >= plan->levels) {
        uint64_t points = grid->points;
        for (unsigned l = 1; l <= newest; l++)
            points += members[l]->points;
        s_end (self, plan, BROKER_REFINE_DONE,
               "all %u levels ran: %" PRIu64 " points with the grid's", newest, points);
        return;
    }
    bsw_error_t err;
    bsw_error_clear (&err);
    if (s_make_level (self, plan, grid, members, newest + 1, &err)) {
        //  A store that failed (a full disk) is tried again in a while; a
        //  refinement that cannot be made ends.
        if (err.code == BSW_ENOSPACE || err.code == BSW_EIO || err.code == BSW_EDB) {
            zsys_warning ("refine: sweep %" PRIu64 " level %u: %s (trying again in %d s)",
                          plan->root, newest + 1, err.text, S_RETRY_MS / 1000);
            *retry_at = bsw_clock_mono_ms () + S_RETRY_MS;
        } else
            s_end (self, plan, BROKER_REFINE_FAILED, "level %u: %s", newest + 1, err.text);
    }
}

void
broker_refine_tick (broker_refine_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        if (self->plans[i].state == BROKER_REFINE_RUNNING)
            s_advance (self, &self->plans[i]);
}

//  Whether the metric is drawn on a log scale by the plot: the size metric
//  is linear (TVB's), any other one as a colour, log when its positive
//  values span PLOT_SCALE_AUTO_DECADES or more.
static int
s_log_scale (broker_refine_t *self, const broker_sweep_t *grid, const char *metric, bool *log,
             bsw_error_t *err)
{
    *log = false;
    if (strcmp (metric, PLOT_PSE_DEFAULT_SIZE) == 0)
        return BSW_OK;
    double *values = NULL;
    int rc = s_metric_values (self, grid->id, grid->points, metric, &values, err);
    plot_scale_t scale;
    if (rc == 0 && plot_scale_fit (&scale, values, (size_t) grid->points, 1, PLOT_SCALE_AUTO,
                                   metric, err) == 0)
        *log = scale.log;
    free (values);
    return rc;
}

int
broker_refine_start (broker_refine_t *self, broker_sweep_t *grid, const char *metric,
                     double threshold, unsigned levels, double *threshold_used, bsw_error_t *err)
{
    const broker_refine_plan_t *had = broker_refine_plan (self, grid->id);
    if (had)
        return bsw_error_set (err, BSW_ESTATE,
                              "sweep %" PRIu64 " is refined already (%s%s%s); its levels are "
                              "in `brainsweep status %" PRIu64 "`",
                              grid->id, broker_refine_state_name (had->state),
                              *had->note ? ": " : "", had->note, grid->id);
    if (grid->parent)
        return bsw_error_set (err, BSW_ESTATE,
                              "sweep %" PRIu64 " is level %u of sweep %" PRIu64
                              "'s refinement; refine the grid, sweep %" PRIu64,
                              grid->id, grid->level, grid->parent, grid->parent);
    if (grid->state != BROKER_SWEEP_FINISHED)
        return bsw_error_set (err, BSW_ESTATE,
                              "sweep %" PRIu64 " is %s; only a finished grid can be refined",
                              grid->id, broker_sweep_state_name (grid->state));
    if (grid->points > S_MAX_GRID)
        return bsw_error_set (err, BSW_ETOOBIG,
                              "sweep %" PRIu64 " has %" PRIu64 " points; a grid of at most %d "
                              "can be refined (refine a coarser grid)",
                              grid->id, grid->points, S_MAX_GRID);
    if (!(threshold > 0) && !(threshold <= 0))
        return bsw_error_set (err, BSW_EINVAL, "threshold NaN is not a number");
    if (threshold <= 0)
        threshold = SPEC_REFINE_DEFAULT_THRESHOLD;
    if (threshold > 1)
        return bsw_error_set (err, BSW_EINVAL,
                              "threshold %g is above 1: no cell can change by more than the "
                              "metric's whole range",
                              threshold);
    if (levels < 1 || levels >= SPEC_REFINE_MAX_LEVELS)
        return bsw_error_set (err, BSW_EINVAL, "levels %u is not within 1..%d", levels,
                              SPEC_REFINE_MAX_LEVELS - 1);
    //  The spec alone: the connectivity (up to the message limit) is read
    //  when a level is made.
    char *json = NULL;
    spec_t *spec = NULL;
    int rc = s_load_grid (self, grid->id, &json, NULL, NULL, NULL, &spec, err);
    free (json);
    if (rc) {
        spec_destroy (&spec);
        return rc;
    }
    size_t axes = 0;
    for (size_t r = 0; spec_is_grid (spec) && r < spec->n_ranges; r++)
        axes += spec->ranges[r].n_values >= 2;
    const char *names[SIM_METRIC_MAX];
    size_t n_names = sim_metric_names (spec->setup.n_voi, names), known = n_names;
    for (size_t i = 0; i < n_names; i++)
        if (strcmp (names[i], metric) == 0)
            known = i;
    if (!spec_is_grid (spec))
        rc = bsw_error_set (err, BSW_ESTATE,
                            "sweep %" PRIu64 " samples its points (%s), it is not a grid: "
                            "refinement halves a grid's cells",
                            grid->id, spec_design_name (spec->design));
    else if (axes > SPEC_REFINE_MAX_DIMS)
        rc = bsw_error_set (err, BSW_EINVAL,
                            "sweep %" PRIu64 " sweeps %zu parameters; a grid of at most %d can be "
                            "refined (each sharp cell would add 3^d points: sample it instead)",
                            grid->id, axes, SPEC_REFINE_MAX_DIMS);
    else if (axes == 0)
        rc = bsw_error_set (err, BSW_ESTATE,
                            "sweep %" PRIu64 " has no range of two or more values: no cell to "
                            "halve",
                            grid->id);
    else if (known == n_names) {
        char list[256] = "";
        for (size_t i = 0; i < n_names; i++)
            snprintf (list + strlen (list), sizeof list - strlen (list), "%s%s", i ? ", " : "",
                      names[i]);
        //  The name came from a peer: escaped before a sentence (and the
        //  broker's log line) quotes it.
        char *shown = bsw_text_escape (metric);
        rc = bsw_error_set (err, BSW_EINVAL, "unknown metric \"%s\" (sweep %" PRIu64 " has %s)",
                            shown, grid->id, list);
        free (shown);
    }
    spec_destroy (&spec);
    broker_refine_plan_t plan = {
        .root = grid->id, .metric = (char *) metric, .threshold = threshold, .levels = levels};
    if (rc == 0)
        rc = s_log_scale (self, grid, metric, &plan.log_scale, err);
    if (rc == 0)
        rc = broker_db_refine_create (self->db, &plan, err);
    if (rc)
        return rc;
    self->plans = bsw_realloc (self->plans, (self->count + 1) * sizeof *self->plans);
    self->retry_at = bsw_realloc (self->retry_at, (self->count + 1) * sizeof *self->retry_at);
    self->retry_at[self->count] = 0;
    plan.metric = bsw_strdup (metric);
    plan.note = bsw_strdup ("");
    self->plans[self->count++] = plan;
    zsys_info ("refine: sweep %" PRIu64 " by %s (threshold %g, %u levels, %s scale)", grid->id,
               metric, threshold, levels, plan.log_scale ? "log" : "linear");
    *threshold_used = threshold;
    s_advance (self, &self->plans[self->count - 1]);
    return BSW_OK;
}
