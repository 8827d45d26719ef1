/*  store_timeseries.h - TVB v5 TimeSeriesRegion HDF5 files (TVB.md 11.3-11.4).

    Every attribute of section 11.4 with its exact HDF5 type: vlen UTF-8
    strings, float64, int64, "bool:True" strings, "urn:uuid:" GIDs. Datasets
    `data` (T, nvoi, n, 1) and `time` (T,), float64, chunked with an
    unlimited first dimension, each with TVB_Minimum/Maximum/Mean (the true
    mean), TVB_IsFinite and TVB_HasComplex.

    Files are written to a temporary name beside the target and renamed into
    place only when complete: a failure leaves nothing at `path`.
*/
#ifndef STORE_TIMESERIES_H_INCLUDED
#define STORE_TIMESERIES_H_INCLUDED

#include <stddef.h>

#include "bsw_error.h"
#include "sim_run.h"

typedef struct {
    const char *gid;              /* 36-char UUID of this time series (no "urn:uuid:") */
    const char *connectivity_gid; /* 36-char UUID of its connectivity */
    const char *monitor; /* "TemporalAverage", "SubSample", "Raw": title "Regions <monitor>" */
    const char *const *voi_names; /* names of the recorded VOIs, n_voi of them */
    size_t n_voi;
    size_t n_time;           /* T */
    size_t n_nodes;          /* n */
    const double *data;      /* T*n_voi*n_nodes values, [time][voi][node] */
    const double *time;      /* T values, ms */
    double sample_period;    /* ms */
    const char *create_date; /* "YYYY-MM-DD,HH-MM-SS.ffffff", or NULL for now */
    int deflate;             /* 0: uncompressed (TVB's way); 1-9: shuffle + deflate */
} store_timeseries_t;

/*  The series of a simulated point (sim_run.h) with its GIDs: shape,
    variable names, monitor, sample period and the arrays all come from the
    point, so a point written by `simulate -o` and the same point packed by
    a worker describe themselves alike. create_date NULL (now), deflate 0;
    the arrays stay the point's (valid while its run lives). */
store_timeseries_t store_timeseries_of_point (const sim_run_point_t *point, const char *gid,
                                              const char *connectivity_gid);

/*  Writes the file atomically (temp + rename). Returns 0, or BSW_EIO /
    BSW_ENOSPACE with err naming the path. */
int store_timeseries_write (const char *path, const store_timeseries_t *ts, bsw_error_t *err);

/*  Builds the same file in memory only: *image_p receives its bytes
    (caller frees with free()), ready to be stored or sent as they are.
    Returns 0, or BSW_EINVAL / BSW_EIO with err. */
int store_timeseries_image (const store_timeseries_t *ts, void **image_p, size_t *size_p,
                            bsw_error_t *err);

#endif
