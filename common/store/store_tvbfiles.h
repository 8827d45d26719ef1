/*  store_tvbfiles.h - the other TVB v5 files of an export zip, written
    through store_h5: DatatypeMeasure (TVB.md 11.5), Connectivity (11.7),
    and the building blocks of view models (11.6).

    View models differ only in their TVB_type and a few attributes and
    (1,) parameter datasets, so there is no writer per class. A caller
    opens one with store_tvbfiles_view_model_begin, adds its content with
    store_h5 calls and commits:

        store_h5_t *h5;
        store_tvbfiles_view_model_t vm = {gid, "tvb.simulator.coupling.Linear", "", true, date};
        if (store_tvbfiles_view_model_begin (&h5, path, &vm, err))
            return err->code;
        store_tvbfiles_param (h5, "a", point_a);
        store_tvbfiles_param (h5, "b", 0.0);
        return store_h5_commit (&h5, err);

    All files are written atomically, as store_h5 describes.

    The export uses store_tvbfiles_connectivity_write and
    store_tvbfiles_param only: it builds its measure and view-model files
    in memory, into the pack, without a file and two fsyncs each
    (broker_export_files.c says why, and repeats their generic
    attributes). store_tvbfiles_measure_write and
    store_tvbfiles_view_model_begin are therefore used by tests only
    (store_timeseries_test checks the layouts they write).
*/
#ifndef STORE_TVBFILES_H_INCLUDED
#define STORE_TVBFILES_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "bsw_error.h"
#include "sim_connectivity.h"
#include "store_h5.h"

/*  One metric result of one time series (TVB.md 11.5). */
typedef struct {
    const char *gid;          /* 36-char UUID of this DatatypeMeasure */
    const char *analyzed_gid; /* 36-char UUID of the TimeSeriesRegion it measures */
    const char *const *names; /* metric names, in TVB's key order (TVB.md 8.4) */
    const double *values;     /* one per name; NaN and infinities allowed */
    size_t count;             /* number of metrics */
    const char *create_date;  /* TVB date string, or NULL for now */
} store_tvbfiles_measure_t;

/*  Writes DatatypeMeasure_<hex>.h5: generic attributes (INTERMEDIATE,
    visible False), TVB_metrics as a JSON dict with NaN/Infinity tokens,
    TVB_analyzed_datatype urn. No datasets. Returns 0, BSW_EINVAL (bad gid),
    or BSW_EIO / BSW_ENOSPACE with err naming the path. */
int store_tvbfiles_measure_write (const char *path, const store_tvbfiles_measure_t *measure,
                                  bsw_error_t *err);

/*  Writes Connectivity_<hex>.h5 (TVB.md 11.7): state '', visible True,
    number_of_regions, number_of_connections (non-zero weights),
    undirected, saved_selection "[]"; datasets weights, tract_lengths,
    centres, region_labels, and hemispheres, cortical, orientations and
    areas when present. gid is usually sim_connectivity_gid's. Same returns. */
int store_tvbfiles_connectivity_write (const char *path, const sim_connectivity_t *conn,
                                       const char *gid, const char *create_date, bsw_error_t *err);

/*  The attributes every view-model file starts with (TVB.md 11.6). */
typedef struct {
    const char *gid;         /* 36-char UUID of this view model */
    const char *type;        /* TVB_type: fully qualified class name */
    const char *state;       /* "INTERMEDIATE" for main view models, "" for sub view models */
    bool visible;            /* false for the metric adapter's view model */
    const char *create_date; /* TVB date string, or NULL for now; orders the import */
} store_tvbfiles_view_model_t;

#define STORE_TVBFILES_VIEW_MODEL_H5 "tvb.core.neotraits._h5core.ViewModelH5"

/*  Creates a view-model file with the generic attributes (written_by
    ViewModelH5) and TVB_type. The caller owns *h5_p: add content with
    store_h5 calls, then store_h5_commit (or store_h5_destroy). Returns 0,
    or the store_h5_create / BSW_EINVAL failure with err filled. */
int store_tvbfiles_view_model_begin (store_h5_t **h5_p, const char *path,
                                     const store_tvbfiles_view_model_t *vm, bsw_error_t *err);

/*  A length-1 parameter array: dataset `name` of shape (1,) float64 with
    the dataset attributes. Returns 0 or the sticky code. */
int store_tvbfiles_param (store_h5_t *h5, const char *name, double value);

#endif
