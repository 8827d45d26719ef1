/*  store_timeseries.c - TVB v5 TimeSeriesRegion HDF5 files (TVB.md 11.4),
    written through store_h5.

    The file is one flat list of store_h5 calls: the generic attributes, the
    time-series attributes, then `data` and `time`. store_h5's sticky error
    means only the commit is checked. The input is checked before the file
    is created, so a bad call leaves no temporary file behind.

    Chunking: TVB appends one sample per chunk, and we write the whole
    series at once. Rows of up to STORE_TIMESERIES_CHUNK_ROWS samples,
    capped by store_h5 at 1 MiB per chunk, keep the chunk index small.
    The first dimension stays unlimited, as in TVB's own files.

    Images from a template (store_timeseries_template.c) must stay byte
    for byte what store_timeseries_image writes: both go through s_fill.
*/
#include "store_timeseries.h"
#include "bsw_assert.h"
#include "store_timeseries_private.h"
#include "bsw_pyjson.h"
#include "bsw_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STORE_TIMESERIES_CHUNK_ROWS 64

//  '{"State Variable": ["V", "W"]}' as TVB writes it. Caller frees.
static char *
s_labels_dimensions (const char *const *names, size_t count)
{
    bsw_pyjson_t j;
    bsw_pyjson_init (&j);
    bsw_pyjson_object_begin (&j);
    bsw_pyjson_key (&j, "State Variable");
    bsw_pyjson_strings (&j, names, count);
    bsw_pyjson_object_end (&j);
    return bsw_pyjson_take (&j);
}

//  '["Time", "State Variable", "Region", "Mode"]'. Caller frees.
static char *
s_labels_ordering (void)
{
    static const char *const labels[] = {"Time", "State Variable", "Region", "Mode"};
    bsw_pyjson_t j;
    bsw_pyjson_init (&j);
    bsw_pyjson_strings (&j, labels, sizeof labels / sizeof *labels);
    return bsw_pyjson_take (&j);
}

//  Everything a caller can get wrong, checked before any file exists.
static int
s_check (const char *path, const store_timeseries_t *ts, bsw_error_t *err)
{
    if (!ts->data || !ts->time || !ts->monitor || !ts->voi_names)
        return bsw_error_set (err, BSW_EINVAL,
                              "%s: time series lacks data, time, monitor or VOI names", path);
    if (ts->n_time == 0 || ts->n_voi == 0 || ts->n_nodes == 0)
        return bsw_error_set (err, BSW_EINVAL,
                              "%s: time series shape (%zu, %zu, %zu, 1) has an empty dimension",
                              path, ts->n_time, ts->n_voi, ts->n_nodes);
    if (ts->n_voi > SIZE_MAX / sizeof (double) / ts->n_nodes ||
        ts->n_time > SIZE_MAX / sizeof (double) / (ts->n_voi * ts->n_nodes))
        return bsw_error_set (err, BSW_EINVAL,
                              "%s: time series shape (%zu, %zu, %zu, 1) is too large", path,
                              ts->n_time, ts->n_voi, ts->n_nodes);
    for (size_t i = 0; i < ts->n_voi; i++)
        if (!ts->voi_names[i])
            return bsw_error_set (err, BSW_EINVAL, "%s: VOI name %zu is missing", path, i);
    if (!store_h5_uuid_valid (ts->gid))
        return bsw_error_set (err, BSW_EINVAL, "%s: time series gid '%s' is not a lower-case UUID",
                              path, ts->gid ? ts->gid : "(null)");
    if (!store_h5_uuid_valid (ts->connectivity_gid))
        return bsw_error_set (err, BSW_EINVAL, "%s: connectivity gid '%s' is not a lower-case UUID",
                              path, ts->connectivity_gid ? ts->connectivity_gid : "(null)");
    if (!(ts->sample_period > 0.0) || !isfinite (ts->sample_period))
        return bsw_error_set (err, BSW_EINVAL, "%s: sample period %g ms is not positive", path,
                              ts->sample_period);
    return 0;
}

//  Every attribute and dataset of the file into an open store_h5_t. The
//  statistics attributes are computed from the values unless given.
static void
s_fill (store_h5_t *h5, const store_timeseries_t *ts, const store_h5_stats_t *data_stats,
        const store_h5_stats_t *time_stats)
{
    store_h5_set_deflate (h5, ts->deflate);
    store_h5_generic_t generic = {
        .gid = ts->gid,
        .written_by = "tvb.adapters.datatypes.h5.time_series_h5.TimeSeriesRegionH5",
        .state = "INTERMEDIATE",
        .visible = true,
        .create_date = ts->create_date,
    };
    store_h5_write_generic (h5, &generic);

    char title[256];
    snprintf (title, sizeof title, "Regions %s", ts->monitor);
    char *dimensions = s_labels_dimensions (ts->voi_names, ts->n_voi);
    char *ordering = s_labels_ordering ();
    store_h5_attr_string (h5, "/", "TVB_title", title);
    store_h5_attr_string (h5, "/", "TVB_labels_ordering", ordering);
    store_h5_attr_string (h5, "/", "TVB_labels_dimensions", dimensions);
    store_h5_attr_f64 (h5, "/", "TVB_start_time", 0.0);
    store_h5_attr_f64 (h5, "/", "TVB_sample_period", ts->sample_period);
    store_h5_attr_string (h5, "/", "TVB_sample_period_unit", "ms");
    store_h5_attr_f64 (h5, "/", "TVB_sample_rate", 1000.0 / ts->sample_period);
    store_h5_attr_i64 (h5, "/", "TVB_nr_dimensions", 4);
    store_h5_attr_urn (h5, "/", "TVB_connectivity", ts->connectivity_gid);
    free (dimensions);
    free (ordering);

    size_t data_dims[4] = {ts->n_time, ts->n_voi, ts->n_nodes, 1};
    store_h5_dataset_f64_stats (h5, "data", ts->data, data_dims, 4, STORE_TIMESERIES_CHUNK_ROWS,
                                data_stats);
    store_h5_dataset_f64_stats (h5, "time", ts->time, &ts->n_time, 1, STORE_TIMESERIES_CHUNK_ROWS,
                                time_stats);
}

int
store_timeseries_write (const char *path, const store_timeseries_t *ts, bsw_error_t *err)
{
    BSW_ASSERT (path && ts);
    int rc = s_check (path, ts, err);
    if (rc)
        return rc;
    store_h5_t *h5;
    rc = store_h5_create (&h5, path, err);
    if (rc)
        return rc;
    s_fill (h5, ts, NULL, NULL);
    return store_h5_commit (&h5, err);
}

int
store_timeseries_image (const store_timeseries_t *ts, void **image_p, size_t *size_p,
                        bsw_error_t *err)
{
    BSW_ASSERT (ts && image_p && size_p);
    *image_p = NULL;
    *size_p = 0;
    int rc = s_check ("TimeSeriesRegion", ts, err);
    if (rc)
        return rc;
    store_h5_t *h5;
    rc = store_h5_create_memory (&h5, "TimeSeriesRegion", err);
    if (rc)
        return rc;
    s_fill (h5, ts, NULL, NULL);
    return store_h5_commit_image (&h5, image_p, size_p, err);
}

int
store_timeseries_fill (store_h5_t *h5, const store_timeseries_t *ts,
                       const store_h5_stats_t *data_stats, const store_h5_stats_t *time_stats,
                       bsw_error_t *err)
{
    int rc = s_check ("TimeSeriesRegion", ts, err);
    if (rc == 0)
        s_fill (h5, ts, data_stats, time_stats);
    return rc;
}

store_timeseries_t
store_timeseries_of_point (const sim_run_point_t *point, const char *gid,
                           const char *connectivity_gid)
{
    BSW_ASSERT (point && gid && connectivity_gid);
    return (store_timeseries_t){.gid = gid,
                                .connectivity_gid = connectivity_gid,
                                .monitor = point->monitor,
                                .voi_names = point->voi_names,
                                .n_voi = point->n_voi,
                                .n_time = (size_t) point->samples,
                                .n_nodes = point->n_nodes,
                                .data = point->data,
                                .time = point->time,
                                .sample_period = point->sample_period,
                                .create_date = NULL,
                                .deflate = 0};
}
