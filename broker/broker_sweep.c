/*  broker_sweep.c - one sweep's life in the broker, and the registry of
    every sweep (broker_sweep.h).

    Dispatch scans the finished and leased bitmaps forward from a cursor,
    after the requeue list: O(1) amortised per point handed out, and a few
    bits of memory per point, flat in everything else. A point taken off
    the requeue list may have got its result or a new lease meanwhile (a
    late result, a duplicate), so both bits are checked again there.
*/
#include "broker_sweep.h"

#include "bsw_assert.h"
#include "bsw_util.h"
#include "sim_connectivity.h"
#include "spec.h"
#include "store_connectivity.h"

#include <inttypes.h>

#define S_RATE_WINDOW_MS 5000 /* a status' recent rate spans this much */

static bool
s_bit (const uint8_t *bits, uint64_t k)
{
    return (bits[k / 8] >> (k % 8)) & 1;
}

static void
s_set_bit (uint8_t *bits, uint64_t k, bool on)
{
    if (on)
        bits[k / 8] |= (uint8_t) (1u << (k % 8));
    else
        bits[k / 8] &= (uint8_t) ~(1u << (k % 8));
}

static double
s_now_unix (void)
{
    return (double) zclock_time () / 1000.0;
}

//  The bitmaps of a running sweep, the finished one read from the results.
static void
s_dispatch_state_new (broker_sweep_t *self, broker_db_t *db)
{
    size_t bytes = (size_t) ((self->points + 7) / 8);
    self->finished = bsw_calloc (bytes, 1);
    self->leased = bsw_calloc (bytes, 1);
    self->leased_count = 0;
    self->cursor = 0;
    bsw_error_t err;
    if (broker_db_finished_bitmap (db, self->id, self->finished, self->points, &err))
        zsys_error ("sweep=%" PRIu64 " cannot read its results: %s", self->id, err.text);
}

//  An ended sweep keeps no dispatch state.
static void
s_dispatch_state_free (broker_sweep_t *self)
{
    free (self->finished);
    free (self->leased);
    self->finished = self->leased = NULL;
    self->leased_count = 0;
    zlistx_purge (self->requeue);
}

broker_sweep_t *
broker_sweep_new (broker_db_t *db, const broker_sweep_info_t *info)
{
    BSW_ASSERT (db);
    BSW_ASSERT (info);
    broker_sweep_t *self = bsw_calloc (1, sizeof *self);
    self->id = info->id;
    memcpy (self->uuid, info->uuid, sizeof self->uuid);
    self->name = bsw_strdup (info->name ? info->name : "");
    self->owner = info->owner ? bsw_strdup (info->owner) : NULL;
    self->state = info->state;
    self->points = info->points;
    self->done = info->done;
    self->failed = info->failed;
    self->created = info->created;
    self->parent = info->parent;
    self->level = info->level;
    //  A finished sweep's clock stops at its last result.
    if (info->state != BROKER_SWEEP_RUNNING)
        self->ended = info->last_result > 0 ? info->last_result : info->created;
    self->requeue = zlistx_new ();
    self->rate_t0 = bsw_clock_mono_ms ();
    self->rate_done0 = info->done + info->failed;
    if (self->state == BROKER_SWEEP_RUNNING)
        s_dispatch_state_new (self, db);
    return self;
}

void
broker_sweep_destroy (broker_sweep_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_sweep_t *self = *self_p;
    free (self->name);
    free (self->owner);
    free (self->finished);
    free (self->leased);
    zlistx_destroy (&self->requeue);
    free (self);
    *self_p = NULL;
}

size_t
broker_sweep_take (broker_sweep_t *self, uint64_t *points, size_t want)
{
    BSW_ASSERT (self);
    if (self->state != BROKER_SWEEP_RUNNING)
        return 0;
    size_t taken = 0;
    while (taken < want && zlistx_size (self->requeue)) {
        uint64_t point = (uint64_t) (uintptr_t) zlistx_first (self->requeue) - 1;
        zlistx_detach_cur (self->requeue);
        if (!s_bit (self->finished, point) && !s_bit (self->leased, point))
            points[taken++] = point;
    }
    while (taken < want && self->cursor < self->points) {
        uint64_t point = self->cursor++;
        if (!s_bit (self->finished, point) && !s_bit (self->leased, point))
            points[taken++] = point;
    }
    for (size_t k = 0; k < taken; k++)
        s_set_bit (self->leased, points[k], true);
    self->leased_count += taken;
    return taken;
}

bool
broker_sweep_unlease (broker_sweep_t *self, uint64_t point, bool again)
{
    BSW_ASSERT (self);
    if (!self->leased || point >= self->points || !s_bit (self->leased, point))
        return false;
    s_set_bit (self->leased, point, false);
    self->leased_count--;
    if (!again || s_bit (self->finished, point))
        return false;
    zlistx_add_end (self->requeue, (void *) (uintptr_t) (point + 1));
    return true;
}

void
broker_sweep_unlease_all (broker_sweep_t *self)
{
    BSW_ASSERT (self);
    if (self->leased)
        memset (self->leased, 0, (size_t) ((self->points + 7) / 8));
    self->leased_count = 0;
}

bool
broker_sweep_wants_result (const broker_sweep_t *self, uint64_t point)
{
    BSW_ASSERT (self);
    if (point >= self->points)
        return false;
    if (self->finished)
        return !s_bit (self->finished, point);
    return self->state == BROKER_SWEEP_CANCELLED;
}

bool
broker_sweep_record (broker_sweep_t *self, broker_db_t *db, uint64_t point, bool ok)
{
    BSW_ASSERT (self);
    if (!broker_sweep_wants_result (self, point))
        return false;
    if (self->finished)
        s_set_bit (self->finished, point, true);
    if (ok)
        self->done++;
    else
        self->failed++;
    broker_sweep_finish (self, db);
    return true;
}

void
broker_sweep_finish (broker_sweep_t *self, broker_db_t *db)
{
    BSW_ASSERT (self);
    if (self->state != BROKER_SWEEP_RUNNING || self->done + self->failed < self->points)
        return;
    bsw_error_t err;
    if (broker_db_sweep_set_state (db, self->id, BROKER_SWEEP_FINISHED, &err)) {
        zsys_error ("sweep=%" PRIu64 " cannot record its end: %s", self->id, err.text);
        return;
    }
    self->state = BROKER_SWEEP_FINISHED;
    self->ended = s_now_unix ();
    s_dispatch_state_free (self);
    zsys_info ("sweep=%" PRIu64 " finished: %" PRIu64 " done, %" PRIu64 " failed", self->id,
               self->done, self->failed);
}

int
broker_sweep_cancel (broker_sweep_t *self, broker_db_t *db, uint64_t *count, bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (count);
    *count = 0;
    if (self->state != BROKER_SWEEP_RUNNING)
        return 0;
    int rc = broker_db_sweep_set_state (db, self->id, BROKER_SWEEP_CANCELLED, err);
    if (rc)
        return rc;
    *count = self->points - self->done - self->failed;
    self->state = BROKER_SWEEP_CANCELLED;
    self->ended = s_now_unix ();
    s_dispatch_state_free (self);
    zsys_info ("sweep=%" PRIu64 " cancelled: %" PRIu64 " points not run", self->id, *count);
    return 0;
}

int
broker_sweep_retry (broker_sweep_t *self, broker_db_t *db, uint64_t *count, bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (count);
    uint64_t *points = NULL, failed = 0;
    *count = 0;
    //  The database deletes the failed rows (and reopens a finished sweep)
    //  in one transaction; memory follows only once that is committed.
    int rc = broker_db_retry_failed (db, self->id, &points, &failed, err);
    if (rc == 0 && self->state == BROKER_SWEEP_CANCELLED)
        rc = broker_db_sweep_set_state (db, self->id, BROKER_SWEEP_RUNNING, err);
    if (rc) {
        free (points);
        return rc;
    }
    if (self->state == BROKER_SWEEP_FINISHED && failed == 0) {
        free (points);
        return 0; // nothing failed: it stays finished, its clock stopped
    }
    if (self->state != BROKER_SWEEP_RUNNING) {
        //  Fresh bitmaps from the database, which no longer lists the
        //  failed points: they run again with every point never run.
        s_dispatch_state_new (self, db);
        self->state = BROKER_SWEEP_RUNNING;
        self->ended = 0.0;
    } else {
        for (uint64_t k = 0; k < failed; k++) {
            s_set_bit (self->finished, points[k], false);
            zlistx_add_end (self->requeue, (void *) (uintptr_t) (points[k] + 1));
        }
    }
    self->failed -= failed < self->failed ? failed : self->failed;
    free (points);
    *count = failed;
    zsys_info ("sweep=%" PRIu64 " retry: %" PRIu64 " failed points run again", self->id, failed);
    broker_sweep_finish (self, db);
    return 0;
}

int
broker_sweep_series_values (broker_sweep_t *self, broker_db_t *db, uint64_t *values,
                            bsw_error_t *err)
{
    BSW_ASSERT (self && values);
    if (self->series_known) {
        *values = self->series_values;
        return 0;
    }
    char *text = NULL, *conn_name = NULL;
    void *conn_zip = NULL;
    size_t conn_size = 0;
    int rc =
        broker_db_sweep_definition (db, self->id, &text, &conn_zip, &conn_size, &conn_name, err);
    spec_t *spec = NULL;
    sim_connectivity_t *conn = NULL;
    char label[64];
    snprintf (label, sizeof label, "sweep %" PRIu64, self->id);
    if (rc == 0)
        rc = spec_load_string (&spec, text, strlen (text), label, NULL, err);
    if (rc == 0 && conn_zip)
        rc = store_connectivity_load_buffer (&conn, conn_zip, conn_size, label, err);
    else if (rc == 0)
        conn = sim_connectivity_new_default ();
    if (rc == 0) {
        self->series_values =
            spec->keep == SPEC_KEEP_METRICS
                ? 0
                : sim_setup_samples (&spec->setup) * spec->setup.n_voi * (uint64_t) conn->n;
        self->series_known = true;
        *values = self->series_values;
    }
    //  Accepted when it was submitted: failing now is stored data gone bad.
    if (rc == BSW_ESPEC || rc == BSW_ECONNECTIVITY)
        rc = err ? (err->code = BSW_EFORMAT) : BSW_EFORMAT;
    spec_destroy (&spec);
    sim_connectivity_destroy (&conn);
    free (text);
    free (conn_zip);
    free (conn_name);
    return rc;
}

void
broker_sweep_tick (broker_sweep_t *self, int64_t now)
{
    BSW_ASSERT (self);
    int64_t span = now - self->rate_t0;
    if (span < S_RATE_WINDOW_MS)
        return;
    uint64_t finished = self->done + self->failed;
    self->rate = (double) (finished - self->rate_done0) * 1000.0 / (double) span;
    self->rate_t0 = now;
    self->rate_done0 = finished;
}

void
broker_sweep_counts (const broker_sweep_t *self, int64_t now, broker_sweep_counts_t *counts)
{
    BSW_ASSERT (self);
    BSW_ASSERT (counts);
    uint64_t finished = self->done + self->failed;
    uint64_t open = self->points - finished;
    bool running = self->state == BROKER_SWEEP_RUNNING;
    counts->running = running ? self->leased_count : 0;
    counts->pending = running ? open - counts->running : 0;
    counts->cancelled = self->state == BROKER_SWEEP_CANCELLED ? open : 0;
    //  The rate of the last window, or of the window in progress if the
    //  sweep is young; an ended sweep's average over its whole life.
    counts->rate = self->rate;
    int64_t span = now - self->rate_t0;
    if (counts->rate == 0.0 && span > 0)
        counts->rate = (double) (finished - self->rate_done0) * 1000.0 / (double) span;
    if (self->ended > self->created)
        counts->rate = (double) finished / (self->ended - self->created);
    double until = self->ended > 0 ? self->ended : s_now_unix ();
    counts->elapsed_s = until - self->created;
}

const char *
broker_sweep_state_name (broker_sweep_state_t state)
{
    switch (state) {
    case BROKER_SWEEP_RUNNING:
        return "running";
    case BROKER_SWEEP_FINISHED:
        return "finished";
    case BROKER_SWEEP_CANCELLED:
        return "cancelled";
    }
    return "unknown";
}

//  --------------------------------------------------------------------------
//  The registry

struct broker_sweeps_t {
    zhashx_t *by_id; /* "id" -> broker_sweep_t *, owns them */
    zlistx_t *order; /* broker_sweep_t *, by id: dispatch order; borrowed */
};

static void
s_sweep_free (void **item)
{
    broker_sweep_destroy ((broker_sweep_t **) item);
}

static void
s_key (uint64_t id, char key[32])
{
    snprintf (key, 32, "%" PRIu64, id);
}

int
broker_sweeps_load (broker_sweeps_t **self_p, broker_db_t *db, uint64_t *resumed, bsw_error_t *err)
{
    BSW_ASSERT (self_p);
    broker_sweeps_t *self = bsw_calloc (1, sizeof *self);
    self->by_id = zhashx_new ();
    zhashx_set_destructor (self->by_id, s_sweep_free);
    self->order = zlistx_new ();
    *self_p = self;
    *resumed = 0;
    broker_sweep_info_t *list = NULL;
    size_t count = 0;
    int rc = broker_db_sweep_list (db, &list, &count, err);
    for (size_t k = 0; rc == 0 && k < count; k++) {
        broker_sweep_t *sweep = broker_sweep_new (db, &list[k]);
        if (sweep->state == BROKER_SWEEP_RUNNING) {
            (*resumed)++;
            //  A broker that died between the last result and recording
            //  the end finishes the sweep now.
            broker_sweep_finish (sweep, db);
        }
        broker_sweeps_add (self, &sweep);
    }
    broker_sweep_list_free (list, count);
    return rc;
}

void
broker_sweeps_destroy (broker_sweeps_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_sweeps_t *self = *self_p;
    zlistx_destroy (&self->order);
    zhashx_destroy (&self->by_id);
    free (self);
    *self_p = NULL;
}

void
broker_sweeps_add (broker_sweeps_t *self, broker_sweep_t **sweep_p)
{
    BSW_ASSERT (self);
    BSW_ASSERT (sweep_p && *sweep_p);
    broker_sweep_t *sweep = *sweep_p;
    char key[32];
    s_key (sweep->id, key);
    BSW_ASSERT (!zhashx_lookup (self->by_id, key));
    zhashx_insert (self->by_id, key, sweep);
    zlistx_add_end (self->order, sweep);
    *sweep_p = NULL;
}

broker_sweep_t *
broker_sweeps_find (broker_sweeps_t *self, uint64_t id)
{
    BSW_ASSERT (self);
    char key[32];
    s_key (id, key);
    return zhashx_lookup (self->by_id, key);
}

unsigned
broker_sweeps_levels (broker_sweeps_t *self, uint64_t root, broker_sweep_t **levels, unsigned max)
{
    BSW_ASSERT (self && levels);
    unsigned newest = 0;
    for (unsigned l = 0; l <= max; l++)
        levels[l] = NULL;
    for (broker_sweep_t *s = zlistx_first (self->order); s; s = zlistx_next (self->order))
        if (s->parent == root && s->level >= 1 && s->level <= max) {
            levels[s->level] = s;
            newest = s->level > newest ? s->level : newest;
        }
    return newest;
}

broker_sweep_t *
broker_sweeps_first (broker_sweeps_t *self)
{
    BSW_ASSERT (self);
    return zlistx_first (self->order);
}

broker_sweep_t *
broker_sweeps_next (broker_sweeps_t *self)
{
    BSW_ASSERT (self);
    return zlistx_next (self->order);
}

size_t
broker_sweeps_size (const broker_sweeps_t *self)
{
    BSW_ASSERT (self);
    return zlistx_size (self->order);
}
