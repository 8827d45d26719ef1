/*  broker_sweep.h - one sweep's life in the broker, and the registry of
    every sweep. Internal to broker/.

    A broker_sweep_t is the only owner of a sweep's dispatch state: its
    state (running, finished, cancelled), its counts, and while it runs two
    bitmaps (points with a result, points leased to a worker), a forward
    cursor and a requeue list. Every change of that state goes through the
    functions below, and the ones that change what survives a restart
    (the end of a sweep, a cancel, a retry) write the database first and
    change memory only once that succeeded.

    Memory: a running sweep costs 2 bits per point plus its requeue list;
    finished and cancelled sweeps keep no bitmaps.

    Which worker holds a lease is the worker registry's business
    (broker_workers.h); a sweep only knows that a point is leased.

    Fields are public for reading (status, list, export); only
    broker_sweep.c writes them. Single-threaded: the broker's actor thread.
*/
#ifndef BROKER_SWEEP_H_INCLUDED
#define BROKER_SWEEP_H_INCLUDED

#include "broker_db.h"

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t id;                /* 1, 2, ... */
    char uuid[37];              /* seed of the sweep's TVB GIDs */
    char *name;                 /* owned; "" when unnamed */
    char *owner;                /* owned; its client's Z85 key, NULL without CURVE */
    broker_sweep_state_t state; /* running, finished, cancelled */
    uint64_t points;            /* total */
    uint64_t done;              /* results ok */
    uint64_t failed;            /* results failed */
    uint64_t leased_count;      /* points running on workers now */
    uint64_t parent;            /* the grid a refinement level refines; 0: none */
    unsigned level;             /* its refinement level; 0: submitted */
    double created;             /* unix seconds */
    double ended;               /* unix seconds it finished or was cancelled; 0 while running */
    double rate;                /* points per second over the last rate window */
    int64_t rate_t0;            /* mono ms of the rate window's start */
    uint64_t rate_done0;        /* done + failed at rate_t0 */
    uint64_t series_values;     /* values in a point's series; 0: metrics only (if known) */
    bool series_known;          /* series_values was read from the definition */
    //  Dispatch state, running sweeps only (NULL otherwise).
    uint8_t *finished; /* bitmap: has a result */
    uint8_t *leased;   /* bitmap: leased now */
    uint64_t cursor;   /* dispatch scans forward from here */
    zlistx_t *requeue; /* points to run again first (uintptr_t point + 1) */
} broker_sweep_t;

/*  A sweep's counts as a status reply gives them. */
typedef struct {
    uint64_t pending;   /* waiting for a worker */
    uint64_t running;   /* leased to a worker */
    uint64_t cancelled; /* will not run (cancelled sweep) */
    double rate;        /* points per second: recent while running, average once ended */
    double elapsed_s;   /* since submission; the clock stops when the sweep ends */
} broker_sweep_counts_t;

/*  The sweep a database summary describes, with its dispatch state read
    back (results already committed count as finished). A failure to read
    the results is logged and leaves every point to run again: a duplicate
    result is stored once, so that costs time, never data. */
broker_sweep_t *broker_sweep_new (broker_db_t *db, const broker_sweep_info_t *info);
void broker_sweep_destroy (broker_sweep_t **self_p);

/*  Up to `want` points to dispatch, requeued ones first, then forward from
    the cursor; each is marked leased. Returns how many were written to
    points (0 unless the sweep runs). */
size_t broker_sweep_take (broker_sweep_t *self, uint64_t *points, size_t want);

/*  A leased point is no longer leased: with `again` it goes back in line
    (its worker went away or handed it back); without, its result came.
    Returns whether the point went back in line. */
bool broker_sweep_unlease (broker_sweep_t *self, uint64_t point, bool again);

/*  Every lease of the sweep is forgotten (its points will be dispatched
    again, unless the sweep ends). */
void broker_sweep_unlease_all (broker_sweep_t *self);

/*  Whether a result for point is new: false for a point that already has
    one (a duplicate, acknowledged without storing). A cancelled sweep
    still takes the results that were under way when it was cancelled (the
    commit skips any it already has), so no computed result is lost. */
bool broker_sweep_wants_result (const broker_sweep_t *self, uint64_t point);

/*  A committed result: counts it (ok or failed) unless the point had one.
    Returns true when it counted. Then ends the sweep when it is complete
    (broker_sweep_finish). */
bool broker_sweep_record (broker_sweep_t *self, broker_db_t *db, uint64_t point, bool ok);

/*  Ends a running sweep whose every point has a result: the state is
    written to the database, then the bitmaps go. A database failure is
    logged and the sweep stays running (the next result or restart tries
    again). */
void broker_sweep_finish (broker_sweep_t *self, broker_db_t *db);

/*  Stops dispatching a running sweep: writes the state, then drops the
    bitmaps and leases; *count gets the points that will not run. The
    caller then tells the workers (broker_workers_release). Returns 0 (also
    for a sweep that is not running: *count 0) or a database error, after
    which nothing changed. */
int broker_sweep_cancel (broker_sweep_t *self, broker_db_t *db, uint64_t *count, bsw_error_t *err);

/*  Deletes the failed results so those points run again, and resumes a
    cancelled sweep; *count gets the failed points requeued. */
int broker_sweep_retry (broker_sweep_t *self, broker_db_t *db, uint64_t *count, bsw_error_t *err);

/*  The number of values in one point's series (samples x variables of
    interest x regions), or 0 when the sweep keeps metrics only: what every
    stored series must decode to. Read from the sweep's definition the
    first time (the spec and connectivity parsed as a worker does), then
    kept. Returns 0, or the definition's error (BSW_EFORMAT when it no
    longer parses). */
int broker_sweep_series_values (broker_sweep_t *self, broker_db_t *db, uint64_t *values,
                                bsw_error_t *err);

/*  Closes the rate window when it is S_RATE_WINDOW_MS old. now: mono ms. */
void broker_sweep_tick (broker_sweep_t *self, int64_t now);

/*  The status counts at mono ms `now`. */
void broker_sweep_counts (const broker_sweep_t *self, int64_t now, broker_sweep_counts_t *counts);

/*  "running", "finished" or "cancelled". Static string. */
const char *broker_sweep_state_name (broker_sweep_state_t state);

//  --------------------------------------------------------------------------
//  The registry: every sweep the broker knows, by id and in id order (the
//  dispatch order: oldest running sweep first).

typedef struct broker_sweeps_t broker_sweeps_t;

/*  Every sweep of the database; *resumed gets how many were running.
    Returns 0, or the database's error (the registry is then empty). */
int broker_sweeps_load (broker_sweeps_t **self_p, broker_db_t *db, uint64_t *resumed,
                        bsw_error_t *err);
void broker_sweeps_destroy (broker_sweeps_t **self_p);

/*  Takes a new sweep (ids rise, so it goes last). */
void broker_sweeps_add (broker_sweeps_t *self, broker_sweep_t **sweep_p);

/*  The sweep with this id, or NULL. Borrowed: valid while the registry. */
broker_sweep_t *broker_sweeps_find (broker_sweeps_t *self, uint64_t id);

/*  Iteration in id order; NULL at the end. One iteration at a time. */
broker_sweep_t *broker_sweeps_first (broker_sweeps_t *self);
broker_sweep_t *broker_sweeps_next (broker_sweeps_t *self);

size_t broker_sweeps_size (const broker_sweeps_t *self);

/*  The refinement levels of grid `root` (sweeps whose parent it is):
    levels[l] for l = 1 .. max, NULL where none; returns the highest level
    found (0: none). levels has max + 1 entries. Iterates the registry. */
unsigned broker_sweeps_levels (broker_sweeps_t *self, uint64_t root, broker_sweep_t **levels,
                               unsigned max);

#endif
