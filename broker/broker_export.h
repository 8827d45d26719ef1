/*  broker_export.h - one sweep as a TVB "TVB Format" DataTypeGroup zip (the
    v5 layout of shared/spec/TVB.md 11.1), which TVB's importer takes as one
    PSE: the time-series group and the metrics group.

    Layout of the zip (no directory entries). TimeSeriesRegion files are
    stored as they are (uncompressed, unless workers ran with --deflate N,
    which compresses inside the HDF5 file); the other .h5 files are
    deflated at level 1, the texts at zlib's default level:

        connectivity/Connectivity_<hex>.h5   the sweep's connectivity, alone
                                             in a folder with no view model,
                                             so TVB imports it first (11.7 b)
        <k+1>/TimeSeriesRegion_<hex>.h5      the stored result file, as is
        <k+1>/SimulatorAdapterModel_<hex>.h5 main view model, group A
        <k+1>/Generic2dOscillator_<hex>.h5   this point's parameter values
        <k+1>/Linear_<hex>.h5
        <k+1>/HeunDeterministicViewModel_<hex>.h5, or
              HeunStochasticViewModel_ + AdditiveNoiseViewModel_
        <k+1>/<Monitor>ViewModel_<hex>.h5
        <P+k+1>/DatatypeMeasure_<hex>.h5     metrics of point k
        <P+k+1>/TimeseriesMetricsAdapterModel_<hex>.h5  main view model, group B
        metrics.csv                          one row per point of the sweep
        sweep.json                           the stored spec, as submitted
        pse.svg                              TVB's discrete PSE view (plot_pse.h)
        pse.html                             the same view, interactive, one file

    with one pair of folders for each point k (0-based) that has an ok
    result, and P the sweep's number of points. Every GID is
    bsw_uuid_derive (sweep uuid, "<ClassName>", k), so exporting twice gives
    the same datatypes, and the TimeSeriesRegion's name matches the GID the
    worker wrote into it. The group GIDs are bsw_uuid_derive (uuid,
    "OperationGroupA" / "OperationGroupB", 0).

    Import order: TVB imports folders by ascending TVB_create_date of their
    main view model. Simulation folder k is dated base + k us and metric
    folder k base + 1 h + k us (base = now, local wall clock), so every
    time series exists before the measure that references it.

    TVB_ranges lists every range of the spec as TVB's range JSON
    ["<name>", {"lo": lo, "step": step, "hi": hi}] (TVB.md 10.2), names as
    the spec gives them ("model.I"). A range given as lo/hi/step keeps
    those three numbers. A range given as an explicit "values" list has no
    such triple: it is written as lo = first value, hi = last value and
    step = (hi - lo) / (n - 1), or 0.0 for a single value, so the list
    itself is only exact in TVB_range_values. TVB_range_values holds every
    range in order; TVB uses the first two as the viewer's axes.

    metrics.csv: "point,<range names>,status,<metric names>", one row per
    point in index order; point is the 0-based index k; status is ok,
    failed or pending (no result yet); the metric columns are TVB's keys
    (GlobalVariance, KuramotoIndex when the sweep records two or more
    variables of interest, Metastability, Synchrony, VarianceNodeVariance),
    numbers in Python repr (NaN, Infinity), empty unless ok.

    pse.svg and pse.html: the default view of `brainsweep plot` (radius
    GlobalVariance, colour VarianceNodeVariance; failed and NaN points as
    crosses, points without a result as rings). Only for a sweep with at
    least one range and at most BROKER_EXPORT_PLOT_MAX_POINTS points (at
    the limit the SVG is ~18 MB, built in ~150 MB of memory by cairo, and
    the page ~3 MB; larger sweeps are plotted with `brainsweep plot`, with
    --slice). More than two ranges make small multiples, and when those
    would be more than PLOT_PSE_MAX_PANELS the extra ranges are shown at
    their first values (the image says so; the page lets one choose).

    Threads: the build only reads the database and the result files, so
    it can run on its own (read-only) connection in a background thread
    while the broker keeps committing; a result committed during the build
    may or may not be in the zip.
*/
#ifndef BROKER_EXPORT_H_INCLUDED
#define BROKER_EXPORT_H_INCLUDED

#include <stdint.h>

#include "broker_db.h"
#include "bsw_error.h"

/*  Called now and then while a zip is built: done of total work units,
    done rising to total. The first half of the units is writing the
    points' files, one per point; the second half is libzip writing them
    into the archive (deflating all but the time series). Calls are at most every BROKER_EXPORT_PROGRESS_MS,
    plus one at the end of each half. */
typedef void (*broker_export_progress_fn) (void *arg, uint64_t done, uint64_t total);

#define BROKER_EXPORT_PROGRESS_MS     200
#define BROKER_EXPORT_PLOT_MAX_POINTS 50000 /* pse.svg and pse.html up to this size */

/*  Builds sweep `sweep`'s zip at zip_path. It is written to
    "<zip_path>.tmp", fsync'ed and renamed to zip_path only when complete,
    so an existing zip there is replaced atomically, and on failure left
    as it was. The view-model and measure files are made in a mkdtemp
    folder "<zip_path>.work-XXXXXX" beside it, removed at the end whatever
    happens. A time series over 64 KiB streams from its result file in
    the data folder into the zip and is never held in memory; a smaller
    one lives in SQLite and is copied into the work folder, one at a
    time. progress may be NULL.

    At most one build per zip_path may run at a time: a build removes the
    temporary zip and work folders a crashed build left at that path.

    Returns 0, or with err's sentence: BSW_ENOTFOUND (no such sweep),
    BSW_EDB (database), BSW_EIO (a file cannot be made, read or renamed,
    a result file is missing, zip_path's folder is missing), BSW_ENOSPACE
    (disk full), BSW_EFORMAT (stored spec, connectivity or metrics that
    no longer parse). A failure leaves neither the temporary zip nor the
    work folder behind. */
int broker_export_build (broker_db_t *db, uint64_t sweep, const char *zip_path,
                         broker_export_progress_fn progress, void *arg, bsw_error_t *err);

#endif
