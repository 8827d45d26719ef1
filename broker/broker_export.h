/*  broker_export.h - one sweep as a TVB "TVB Format" DataTypeGroup zip (the
    v5 layout of shared/spec/TVB.md 11.1), which TVB's importer takes as one
    PSE: the time-series group and the metrics group. Or a family, a grid
    sweep and its refinements, as one zip of one such pair per sweep.

    The zip is written front to back through a sink (store_zip.h), entry
    by entry, so it can go to a file while a sweep runs (`brainsweep run`)
    or straight to a client as it is made (FETCH), with memory flat in the
    sweep's size. Layout (no directory entries; entries in the order
    written: connectivity, then the points, then the texts and plots).
    TimeSeriesRegion files are made here from each point's stored array
    (broker_store.h) and stored uncompressed, as TVB writes them (or
    shuffled and deflated inside the HDF5 file when the workers ran with
    --deflate N); the other .h5 files are deflated at level 1, the texts at
    zlib's default level:

        connectivity/Connectivity_<hex>.h5   the sweep's connectivity, alone
                                             in a folder with no view model,
                                             so TVB imports it first (11.7 b)
        <k+1>/TimeSeriesRegion_<hex>.h5      the point's series (TVB.md 11.3-11.4)
        <k+1>/SimulatorAdapterModel_<hex>.h5 main view model, group A
        <k+1>/<Model>_<hex>.h5               this point's model parameter values
        <k+1>/<Coupling>_<hex>.h5            and coupling parameter values
        <k+1>/HeunDeterministicViewModel_<hex>.h5, or
              HeunStochasticViewModel_ + AdditiveNoiseViewModel_
        <k+1>/<Monitor>ViewModel_<hex>.h5
        <P+k+1>/DatatypeMeasure_<hex>.h5     metrics of point k
        <P+k+1>/TimeseriesMetricsAdapterModel_<hex>.h5  main view model, group B
        metrics.csv                          one row per point of the sweep
        sweep.json                           the stored spec, as submitted
        pse.svg                              TVB's discrete PSE view (plot_pse.h)
        pse.html                             the same view, interactive, one file
        README.txt                           what TVB cannot show of this zip:
                                             a sweep that keeps metrics only
                                             ("keep": "metrics": no simulation
                                             or metric folders), a design that
                                             is not a grid, a family
    with one pair of folders for each point k (0-based) that has an ok
    result, and P the sweep's number of points. Every GID is
    bsw_uuid_derive (sweep uuid, "<ClassName>", k), so exporting twice gives
    the same datatypes. The group GIDs are bsw_uuid_derive (uuid,
    "OperationGroupA" / "OperationGroupB", 0).

    Import order: TVB imports folders by ascending TVB_create_date of their
    main view model. Simulation folder k is dated base + k us and metric
    folder k base + 1 h + k us (base = the sweep's submission, local wall
    clock), so every
    time series exists before the measure that references it.

    TVB_range_values of point k holds the point's own value of every range
    ({"model.I": 0.3, "model.a": 1.2}, spec_point_values), whatever the
    design. TVB_ranges lists every range of the spec as TVB's range JSON
    ["<name>", {"lo": lo, "step": step, "hi": hi}] (TVB.md 10.2), names as
    the spec gives them ("model.I"). A range given as lo/hi/step keeps
    those three numbers. A range given as an explicit "values" list has no
    such triple: it is written as lo = first value, hi = last value and
    step = (hi - lo) / (n - 1), or 0.0 for a single value, so the list
    itself is only exact in TVB_range_values. TVB_range_values holds every
    range in order; TVB uses the first two as the viewer's axes. A sweep
    that is not a grid (a "sampling" design or a "points" list) has no
    step: its ranges are written with the axis's bounds (spec ranges[r].lo
    and .hi: the sampled box [lo, hi), or the smallest and largest listed
    value) and step 0.0, which no grid has; README.txt says so, and names
    the design (sweep.json holds it whole). TVB imports such a zip whole;
    its PSE viewers expect a grid.

    metrics.csv: "point,<range names>,status,<metric names>", one row per
    point in index order; point is the 0-based index k; the range columns
    hold the point's values (spec_point_values), for any design; status is
    ok, failed or pending (no result yet); the metric columns are TVB's
    keys (GlobalVariance, KuramotoIndex when the sweep records two or more
    variables of interest, Metastability, Synchrony, VarianceNodeVariance),
    numbers in Python repr (NaN, Infinity), empty unless ok.

    pse.svg and pse.html: the default view of `brainsweep plot` (radius
    GlobalVariance, colour VarianceNodeVariance; failed and NaN points as
    crosses, points without a result as rings; a sweep that is no grid, or
    a family, as a scatter of its points at their values, a refinement's
    at its level). Only for a sweep with at least one range and at most
    BROKER_EXPORT_PLOT_MAX_POINTS points (at the limit the SVG is ~18 MB,
    built in ~150 MB of memory by cairo, and
    the page ~3 MB; larger sweeps are plotted with `brainsweep plot`, with
    --slice). More than two ranges make small multiples, and when those
    would be more than PLOT_PSE_MAX_PANELS the extra ranges are shown at
    their first values (the image says so; the page lets one choose). A
    sweep that is not a grid, and a family, get the scatter view instead
    (plot_pse_new_scatter: each point at its values, a family's levels
    drawn smaller).

    A family (broker_export_new_family): the parent (level 0, first) and
    its refinements (level 1, 2, ..., each a sweep of its own, usually a
    "points" list), in that order. Its points are numbered through the
    family: the parent's 0 .. P0-1, then the first refinement's from P0,
    and so on; point g of the family has folders g+1 and P+g+1, P the
    family's points. Each sweep keeps its own GIDs, groups and dates (as in
    its own zip), so TVB imports one pair of DataTypeGroups per sweep; each
    distinct connectivity is written once (connectivity/, then
    connectivity-2/, ...). metrics.csv is "point,<the parent's range
    names>,level,status,<metric names>", every sweep's rows in member
    order (a refinement must range over the parent's parameters, in any
    order); sweep.json is the parent's spec, refinements/level-L.json each
    refinement's (level-L-N.json, N = 1, 2, ..., when a level has several
    sweeps); README.txt describes the family.

    Threads: an export only reads the database and the series files, so
    it runs on its own (read-only) connection in a background thread while
    the broker keeps committing. A whole export (broker_export_add_all)
    reads one snapshot of the database (broker_db_snapshot_begin), so the
    zip is all of one moment; a live one (broker_export_add_points) takes
    points as the broker commits them and reads the rest at the finish.
*/
#ifndef BROKER_EXPORT_H_INCLUDED
#define BROKER_EXPORT_H_INCLUDED

#include <stdint.h>

#include "broker_db.h"
#include "bsw_error.h"
#include "store_zip.h"

/*  Called now and then while points are added: done of total points, done
    rising to total. At most every BROKER_EXPORT_PROGRESS_MS, plus one at
    the end. */
typedef void (*broker_export_progress_fn) (void *arg, uint64_t done, uint64_t total);

#define BROKER_EXPORT_PROGRESS_MS     200
#define BROKER_EXPORT_PLOT_MAX_POINTS 50000 /* pse.svg and pse.html up to this size */
#define BROKER_EXPORT_FAMILY_MAX      64    /* sweeps in one family's zip */

typedef struct broker_export_t broker_export_t;

/*  One sweep of a family: the parent at level 0, a refinement at the level
    it refines (1: the parent's, 2: level 1's, ...). */
typedef struct {
    uint64_t sweep; /* the sweep's id */
    unsigned level; /* 0 for the parent */
} broker_export_member_t;

/*  Starts the zip of sweep `sweep` (read through db, which the export
    borrows) into sink: reads the sweep and parses its spec and
    connectivity exactly as a worker does, and writes the connectivity.
    Caller owns *self_p (broker_export_destroy). Returns 0, or with err's
    sentence: BSW_ENOTFOUND (no such sweep), BSW_EDB, BSW_EFORMAT (a
    stored spec or connectivity that no longer parses), or the sink's. */
int broker_export_new (broker_export_t **self_p, broker_db_t *db, uint64_t sweep,
                       store_zip_sink_fn sink, void *arg, bsw_error_t *err);
void broker_export_destroy (broker_export_t **self_p);

/*  The same for a family in one zip: members[0] the parent (level 0),
    then its refinements by rising level (at most BROKER_EXPORT_FAMILY_MAX
    sweeps in all; the layout above). The functions below then work on the
    whole family: a point number is the family's (g), add_new follows
    every member and ends when all have ended, the finish writes every
    member's rows. Same returns, and BSW_EINVAL for a member list out of
    that order or naming a sweep twice, BSW_EFORMAT for a refinement that
    does not range over its parent's parameters. */
int broker_export_new_family (broker_export_t **self_p, broker_db_t *db,
                              const broker_export_member_t *members, size_t count,
                              store_zip_sink_fn sink, void *arg, bsw_error_t *err);

/*  Adds the folders of these points (ok ones; failed ones have none;
    numbered through the family for a family), reading their rows now: for
    a live export, with points the broker has just committed. A point already added is skipped. Same returns, and
    BSW_EIO / BSW_EFORMAT for a series that cannot be read. */
int broker_export_add_points (broker_export_t *self, const uint64_t *points, size_t count,
                              bsw_error_t *err);

/*  Follows a running sweep: adds the folders of the ok points committed
    since the last call, reading the rows from the lowest point that has
    none yet. *ended becomes true once the sweep has ended (finished or
    cancelled) and everything it had then is added: time to finish. */
int broker_export_add_new (broker_export_t *self, bool *ended, bsw_error_t *err);

/*  Adds the folders of every ok point not added yet, in point order.
    progress may be NULL. */
int broker_export_add_all (broker_export_t *self, broker_export_progress_fn progress, void *arg,
                           bsw_error_t *err);

/*  Ends the zip: metrics.csv (every point, from the rows as they are now),
    sweep.json (and a family's refinements/), the PSE view, README.txt
    when there is something TVB cannot show, and the central directory.
    Same returns. */
int broker_export_finish (broker_export_t *self, bsw_error_t *err);

/*  The TimeSeriesRegion file of one ok point of a sweep, made from its
    stored series as the export makes it: *image_p (caller frees) and
    *size_p. BSW_ENOTFOUND when the point has no stored series (no result,
    failed, or a sweep that keeps metrics only); the errors above. */
int broker_export_series_image (broker_db_t *db, uint64_t sweep, uint64_t point, void **image_p,
                                size_t *size_p, bsw_error_t *err);

/*  Points whose folders are in the zip so far. */
uint64_t broker_export_points_added (const broker_export_t *self);

/*  Bytes the sink has been given. */
uint64_t broker_export_bytes (const broker_export_t *self);

/*  The whole zip of a sweep as one snapshot, written to "<zip_path>.tmp",
    fsync'ed and renamed to zip_path only when complete (an existing zip
    there is replaced atomically, and on failure left as it was).
    BSW_ENOSPACE for a full disk. progress may be NULL. */
int broker_export_build (broker_db_t *db, uint64_t sweep, const char *zip_path,
                         broker_export_progress_fn progress, void *arg, bsw_error_t *err);

/*  The same for a family (broker_export_new_family); progress counts the
    family's points. */
int broker_export_build_family (broker_db_t *db, const broker_export_member_t *members,
                                size_t count, const char *zip_path,
                                broker_export_progress_fn progress, void *arg, bsw_error_t *err);

/*  A sink for store_zip that writes to a file descriptor, starting the
    write-back every few MB so that the final fsync finds little left. */
typedef struct {
    int fd;             /* open for writing */
    const char *path;   /* for sentences */
    uint64_t written;   /* bytes so far */
    uint64_t synced_at; /* write-back started up to here */
} broker_export_file_sink_t;
int broker_export_file_sink (void *arg, const void *data, size_t size, bsw_error_t *err);

#endif
