/*  broker_export_files.h - internal to the export (broker_export.c): the
    TVB v5 view-model and measure files of one sweep point (TVB.md 11.5,
    11.6), the JSON texts they carry (10.2), and the form a result's
    metrics are stored in.

    Each file is built in memory (store_h5_create_memory) and added to the
    export's zip at once as "<folder>/<name>" (store_zip.h), deflated at
    level 1: no file is made on disk for it.
*/
#ifndef BROKER_EXPORT_FILES_H_INCLUDED
#define BROKER_EXPORT_FILES_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bsw_error.h"
#include "proto.h"
#include "store_zip.h"
#include "sim_setup.h"
#include "spec.h"

/*  "TimeseriesMetricsAdapterModel_" + 32 hex + ".h5" fits with room. */
#define BROKER_EXPORT_NAME_MAX 80
/*  Files of a simulation folder we write (the time series is copied). */
#define BROKER_EXPORT_SIM_FILES_MAX 6
#define BROKER_EXPORT_METRIC_FILES  2
//  What the codec admits in a RESULT (proto.h), so every result the broker
//  stores can be exported.
#define BROKER_EXPORT_METRICS_MAX     PROTO_MAX_METRICS           /* keys in one record */
#define BROKER_EXPORT_METRIC_NAME_MAX (PROTO_MAX_METRIC_NAME + 1) /* bytes of a key, with NUL */
#define BROKER_EXPORT_DATE_BUF        32

typedef char broker_export_name_t[BROKER_EXPORT_NAME_MAX];

/*  One file added to the zip: its name in its folder. */
typedef struct {
    broker_export_name_t name; /* "<Class>_<hex>.h5" */
} broker_export_file_t;

/*  What the files of one point need. All borrowed. */
typedef struct {
    store_zip_t *zip;             /* where the files go */
    uint64_t sim_folder;          /* the simulation folder's number (k + 1) */
    uint64_t metric_folder;       /* the metric folder's number (P + k + 1) */
    const char *sweep_uuid;       /* seeds every GID (bsw_uuid_derive) */
    uint64_t point;               /* k, the point's 0-based index */
    const sim_setup_t *setup;     /* the point's setup (spec_point_setup) */
    const char *connectivity_gid; /* 36-char UUID */
    const char *ranges;           /* TVB_ranges, the same for every point */
    const char *range_values;     /* TVB_range_values of this point */
    const char *sim_date;         /* TVB_create_date of the simulation folder */
    const char *metric_date;      /* TVB_create_date of the metric folder */
} broker_export_point_t;

/*  One metrics record, keys in the order stored (TVB's, TVB.md 8.4). */
typedef struct {
    char names[BROKER_EXPORT_METRICS_MAX][BROKER_EXPORT_METRIC_NAME_MAX];
    double values[BROKER_EXPORT_METRICS_MAX]; /* NaN and infinities allowed */
    size_t count;
} broker_export_metrics_t;

/*  Appends the point's simulation view models (SimulatorAdapterModel and
    its sub view models, at most BROKER_EXPORT_SIM_FILES_MAX) to the zip;
    files[] receives their names and slices, *count their number. Returns
    0, or BSW_EIO / BSW_ENOSPACE / BSW_EINTERNAL (a model with no TVB
    class) with err. */
int broker_export_simulation_files (const broker_export_point_t *pt, broker_export_file_t *files,
                                    size_t *count, bsw_error_t *err);

/*  Appends DatatypeMeasure and TimeseriesMetricsAdapterModel of the point
    to the zip, named in files[0..1]. Same returns. */
int broker_export_metric_files (const broker_export_point_t *pt,
                                const broker_export_metrics_t *metrics, broker_export_file_t *files,
                                bsw_error_t *err);

/*  The metrics of one result as the broker stores them (results.metrics):
    plain JSON that jansson reads back, keys in the given order (TVB's),
    numbers that read back to the same double, NaN and the infinities as
    the strings "NaN", "Infinity", "-Infinity": {"GlobalVariance":
    1.5, "Synchrony": "NaN"}. Names must be valid UTF-8 (the codec admits
    identifiers only). Caller frees. */
char *broker_export_metrics_json (const char *const *names, const double *values, size_t count);

/*  Reads metrics stored by broker_export_metrics_json, keeping their key
    order. Returns 0, or BSW_EFORMAT with err's text saying why (the
    caller adds which point). */
int broker_export_metrics_parse (const char *json, broker_export_metrics_t *metrics,
                                 bsw_error_t *err);

/*  The value of metric `name`, or false when the record lacks it. */
bool broker_export_metrics_get (const broker_export_metrics_t *metrics, const char *name,
                                double *value);

/*  TVB_ranges of a spec (see broker_export.h): for a design that is not
    a grid, each axis's bounds with step 0.0. Caller frees. */
char *broker_export_ranges_json (const spec_t *spec);

/*  TVB_range_values of point k, its own values for any design:
    {"model.I": 0.5, ...}. Caller frees. */
char *broker_export_range_values_json (const spec_t *spec, uint64_t k);

/*  What README.txt says of one sweep of the zip. All borrowed. */
typedef struct {
    uint64_t sweep;     /* the sweep's id */
    unsigned level;     /* in a family: 0 the parent, 1, 2, ... its refinements */
    uint64_t points;    /* its points */
    const spec_t *spec; /* its spec: design, bounds, what it keeps */
} broker_export_readme_member_t;

/*  README.txt of a zip of these sweeps (one, or a family), saying what TVB
    can and cannot do with what it holds: a family's layout, each design
    that is not a grid, a sweep that keeps metrics only; `plotted` says
    whether pse.svg and pse.html are there. NULL when there is nothing to
    say: a lone grid sweep that keeps its series. Caller frees. */
char *broker_export_readme (const broker_export_readme_member_t *members, size_t count, bool family,
                            bool plotted);

/*  "<cls>_<uuid as 32 hex>.h5" into out. */
void broker_export_file_name (const char *cls, const char *uuid, broker_export_name_t out);

/*  A TVB date "YYYY-MM-DD,HH-MM-SS.ffffff" from microseconds since the
    epoch of a naive clock (local wall time read as if it were UTC, so
    adding microseconds never meets a daylight-saving jump). */
void broker_export_date (int64_t naive_us, char out[BROKER_EXPORT_DATE_BUF]);

/*  An instant (unix seconds), local wall clock, as naive microseconds for
    broker_export_date. */
int64_t broker_export_naive_us (double unix_s);

#endif
