/*  broker_refine.h - adaptive refinement of finished grids (issue 13):
    the broker runs a grid's refinement levels one after another, each a
    sweep of its own linked to the grid. Internal to broker/.

    A plan (broker_db.h, table refinements) says which metric, threshold
    and number of levels; the levels are sweeps whose `parent` is the grid
    (the family's root) and whose `level` is 1, 2, ... Each level's points
    come from spec_refine_next over the grid's and the earlier levels'
    metrics, and go into the level's spec as an explicit "points" list, so
    workers run a level like any other sweep.

    Durable by construction: a level and its link are one row, and the
    next level is derived from stored results alone, so after a restart
    the tick finds each running plan's newest level and goes on (a level
    made just before a crash is simply there; none is made twice, since a
    plan moves on only from its newest level).

    Single-threaded: the broker's actor thread.
*/
#ifndef BROKER_REFINE_H_INCLUDED
#define BROKER_REFINE_H_INCLUDED

#include "broker_db.h"
#include "broker_sweep.h"

typedef struct broker_refine_t broker_refine_t;

/*  Loads every plan. Returns 0, or BSW_EDB with err. */
int broker_refine_new (broker_refine_t **self_p, broker_db_t *db, broker_sweeps_t *sweeps,
                       uint64_t max_points, bsw_error_t *err);
void broker_refine_destroy (broker_refine_t **self_p);

/*  Starts refining `grid` by `metric` (threshold <= 0: the default) over
    `levels` levels, and makes level 1 at once. The grid must be a finished
    grid sweep with a range of two or more values, not itself a level, and
    not refined yet; the metric one of its metrics. Returns 0 with the
    threshold in use, or BSW_ESTATE / BSW_EINVAL / BSW_ENOTFOUND with a
    sentence; an error making level 1 ends the plan as failed but is not
    an error of this call (status says why). */
int broker_refine_start (broker_refine_t *self, broker_sweep_t *grid, const char *metric,
                         double threshold, unsigned levels, double *threshold_used,
                         bsw_error_t *err);

/*  Moves every running plan whose newest level has ended on: the next
    level, or the plan's end (all levels ran, no cell left to halve, a
    level cancelled, an error). Cheap when nothing ended: the broker calls
    it every tick. */
void broker_refine_tick (broker_refine_t *self);

/*  The plan of grid `root`, or NULL. Borrowed until the next call. */
const broker_refine_plan_t *broker_refine_plan (const broker_refine_t *self, uint64_t root);

/*  Whether sweep is the grid or a level of a refinement still running:
    RETRY and FETCH wait for its end (a retried member would change the
    metrics the next levels are derived from; a zip would miss levels). */
bool broker_refine_running (const broker_refine_t *self, const broker_sweep_t *sweep);

/*  "running", "done", "cancelled", "failed". */
const char *broker_refine_state_name (broker_refine_state_t state);

#endif
