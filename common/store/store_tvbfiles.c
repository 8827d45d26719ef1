/*  store_tvbfiles.c - DatatypeMeasure, Connectivity and view-model files
    (TVB.md 11.5-11.7) as short lists of store_h5 calls.

    Like store_timeseries, each writer checks its input first, so a bad call
    leaves no temporary file behind. It then issues its store_h5 calls
    unchecked, since errors are sticky, and lets the commit report the
    first failure.
*/
#include "store_tvbfiles.h"
#include "bsw_assert.h"
#include "bsw_pyjson.h"
#include "bsw_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  '{"GlobalVariance": 2.12e-11, "Metastability": NaN}' as TVB writes it,
//  bare NaN/Infinity tokens included, which TVB's json.loads accepts
//  (TVB.md 8.4). Caller frees.
static char *
s_metrics_json (const store_tvbfiles_measure_t *measure)
{
    bsw_pyjson_t j;
    bsw_pyjson_init (&j);
    bsw_pyjson_object_begin (&j);
    for (size_t i = 0; i < measure->count; i++) {
        bsw_pyjson_key (&j, measure->names[i]);
        bsw_pyjson_double (&j, measure->values[i]);
    }
    bsw_pyjson_object_end (&j);
    return bsw_pyjson_take (&j);
}

static int
s_check_gid (const char *path, const char *what, const char *gid, bsw_error_t *err)
{
    if (store_h5_uuid_valid (gid))
        return 0;
    return bsw_error_set (err, BSW_EINVAL, "%s: %s gid '%s' is not a lower-case UUID", path, what,
                          gid ? gid : "(null)");
}

int
store_tvbfiles_measure_write (const char *path, const store_tvbfiles_measure_t *measure,
                              bsw_error_t *err)
{
    BSW_ASSERT (path && measure);
    BSW_ASSERT (measure->count == 0 || (measure->names && measure->values));
    int rc = s_check_gid (path, "measure", measure->gid, err);
    if (!rc)
        rc = s_check_gid (path, "analyzed time series", measure->analyzed_gid, err);
    store_h5_t *h5;
    if (rc || (rc = store_h5_create (&h5, path, err)))
        return rc;
    store_h5_generic_t generic = {
        .gid = measure->gid,
        .written_by = "tvb.core.entities.file.simulator.datatype_measure_h5.DatatypeMeasureH5",
        .state = "INTERMEDIATE",
        .visible = false,
        .create_date = measure->create_date,
    };
    store_h5_write_generic (h5, &generic);
    char *metrics = s_metrics_json (measure);
    store_h5_attr_string (h5, "/", "TVB_metrics", metrics);
    free (metrics);
    store_h5_attr_urn (h5, "/", "TVB_analyzed_datatype", measure->analyzed_gid);
    return store_h5_commit (&h5, err);
}

//  The optional per-region arrays, each written only when present.
static void
s_connectivity_optional (store_h5_t *h5, const sim_connectivity_t *conn)
{
    size_t n = conn->n, n3[2] = {conn->n, 3};
    if (conn->hemispheres)
        store_h5_dataset_bools (h5, "hemispheres", conn->hemispheres, n);
    if (conn->cortical)
        store_h5_dataset_bools (h5, "cortical", conn->cortical, n);
    if (conn->orientations)
        store_h5_dataset_f64 (h5, "orientations", conn->orientations, n3, 2, 0);
    if (conn->areas)
        store_h5_dataset_f64 (h5, "areas", conn->areas, &n, 1, 0);
}

int
store_tvbfiles_connectivity_write (const char *path, const sim_connectivity_t *conn,
                                   const char *gid, const char *create_date, bsw_error_t *err)
{
    BSW_ASSERT (path && conn);
    int rc = s_check_gid (path, "connectivity", gid, err);
    if (rc)
        return rc;
    if (conn->n == 0 || conn->n > SIM_CONNECTIVITY_MAX_REGIONS)
        return bsw_error_set (err, BSW_EINVAL, "%s: connectivity has %zu regions", path, conn->n);
    store_h5_t *h5;
    if ((rc = store_h5_create (&h5, path, err)))
        return rc;
    store_h5_generic_t generic = {
        .gid = gid,
        .written_by = "tvb.adapters.datatypes.h5.connectivity_h5.ConnectivityH5",
        .state = "",
        .visible = true,
        .create_date = create_date,
    };
    store_h5_write_generic (h5, &generic);
    store_h5_attr_i64 (h5, "/", "TVB_number_of_regions", (int64_t) conn->n);
    store_h5_attr_i64 (h5, "/", "TVB_number_of_connections",
                       (int64_t) sim_connectivity_nonzero (conn));
    store_h5_attr_bool (h5, "/", "TVB_undirected", sim_connectivity_undirected (conn));
    store_h5_attr_string (h5, "/", "TVB_saved_selection", "[]");

    size_t nn[2] = {conn->n, conn->n}, n3[2] = {conn->n, 3};
    store_h5_dataset_f64 (h5, "weights", conn->weights, nn, 2, 0);
    store_h5_dataset_f64 (h5, "tract_lengths", conn->tract_lengths, nn, 2, 0);
    store_h5_dataset_f64 (h5, "centres", conn->centres, n3, 2, 0);
    store_h5_dataset_strings (h5, "region_labels", (const char *const *) conn->region_labels,
                              conn->n);
    s_connectivity_optional (h5, conn);
    return store_h5_commit (&h5, err);
}

int
store_tvbfiles_view_model_begin (store_h5_t **h5_p, const char *path,
                                 const store_tvbfiles_view_model_t *vm, bsw_error_t *err)
{
    BSW_ASSERT (h5_p && path && vm && vm->type && vm->state);
    *h5_p = NULL;
    int rc = s_check_gid (path, "view model", vm->gid, err);
    if (rc || (rc = store_h5_create (h5_p, path, err)))
        return rc;
    store_h5_generic_t generic = {
        .gid = vm->gid,
        .written_by = STORE_TVBFILES_VIEW_MODEL_H5,
        .state = vm->state,
        .visible = vm->visible,
        .create_date = vm->create_date,
    };
    store_h5_write_generic (*h5_p, &generic);
    store_h5_attr_string (*h5_p, "/", "TVB_type", vm->type);
    return 0;
}

int
store_tvbfiles_param (store_h5_t *h5, const char *name, double value)
{
    size_t one = 1;
    return store_h5_dataset_f64 (h5, name, &value, &one, 1, 0);
}
