/*  broker_export_files.c - the view-model and measure files of one sweep
    point (TVB.md 11.5-11.6), the JSON texts in them (10.2), and the form a
    result's metrics are stored in.

    Two kinds of JSON meet here. The texts TVB reads (TVB_ranges,
    TVB_metrics, ...) are json.dumps style with bare NaN, through
    bsw_pyjson. The metrics stored per result are plain JSON through
    jansson, NaN as a string, so the export and the RESULTS reply read
    them with jansson alone; broker_db's schema 3 upgraded older rows.

    One file at a time: an in-memory store_h5 file, its content as a flat
    list of store_h5 calls (errors are sticky, so only the final image is
    checked), then the image added to the zip. GIDs come from
    bsw_uuid_derive (sweep, class name, point), so a main view model names
    its sub view models before they exist.

    Why not store_tvbfiles_view_model_begin and store_tvbfiles_measure_write:
    they write a file of their own each, with two fsyncs (file and
    folder), which a result needs and a zip entry made from memory does
    not. A sweep of 2000 points makes 16 000 such files; on a spinning
    disk that is minutes of flushes for nothing. The price is repeating
    their few lines of generic attributes here (s_begin) and the
    DatatypeMeasure's TVB_written_by string.
*/
#include "broker_export_files.h"
#include "broker_export.h"
#include "bsw_assert.h"

#include "bsw_pyjson.h"
#include "bsw_util.h"
#include "store_h5.h"
#include "store_tvbfiles.h"

#include <jansson.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define S_VIEW_MODEL      "tvb.core.entities.file.simulator.view_model."
#define S_MEASURE_H5      "tvb.core.entities.file.simulator.datatype_measure_h5.DatatypeMeasureH5"
#define S_METRICS_ADAPTER "tvb.adapters.analyzers.metrics_group_timeseries."
//  TVB's metric adapter always lists all four; KuramotoIndex skips itself
//  when there is one VOI (TVB.md 8.1).
static const char *const s_algorithms[] = {"GlobalVariance", "KuramotoIndex",
                                           "ProxyMetastabilitySynchrony", "VarianceNodeVariance"};

//  --------------------------------------------------------------------------
//  TVB's JSON texts (bsw_pyjson: json.dumps style, bare NaN)

//  One range JSON: ["model.I", {"lo": 0.0, "step": 0.5, "hi": 1.0}].
static char *
s_range_json (const spec_range_t *range, bool grid)
{
    double lo = range->lo, hi = range->hi, step = range->step;
    if (!grid)
        //  No grid, no step: the axis's bounds, and a step no grid has
        //  (broker_export.h).
        step = 0.0;
    else if (!range->from_lohistep) {
        //  An explicit list has no triple of its own; broker_export.h
        //  documents this stand-in (first, last, even step between).
        lo = range->values[0];
        hi = range->values[range->n_values - 1];
        step = range->n_values > 1 ? (hi - lo) / (double) (range->n_values - 1) : 0.0;
    }
    bsw_pyjson_t j;
    bsw_pyjson_init (&j);
    bsw_pyjson_list_begin (&j);
    bsw_pyjson_string (&j, range->parameter);
    bsw_pyjson_object_begin (&j);
    bsw_pyjson_key (&j, "lo");
    bsw_pyjson_double (&j, lo);
    bsw_pyjson_key (&j, "step");
    bsw_pyjson_double (&j, step);
    bsw_pyjson_key (&j, "hi");
    bsw_pyjson_double (&j, hi);
    bsw_pyjson_object_end (&j);
    bsw_pyjson_list_end (&j);
    return bsw_pyjson_take (&j);
}

char *
broker_export_ranges_json (const spec_t *spec)
{
    BSW_ASSERT (spec);
    bool grid = spec_is_grid (spec);
    bsw_pyjson_t j;
    bsw_pyjson_init (&j);
    bsw_pyjson_list_begin (&j);
    for (size_t r = 0; r < spec->n_ranges; r++) {
        //  Doubly encoded: TVB stores a list of range JSON *strings*.
        char *one = s_range_json (&spec->ranges[r], grid);
        bsw_pyjson_string (&j, one);
        free (one);
    }
    bsw_pyjson_list_end (&j);
    return bsw_pyjson_take (&j);
}

char *
broker_export_range_values_json (const spec_t *spec, uint64_t k)
{
    BSW_ASSERT (spec);
    double *values = bsw_calloc (spec->n_ranges + 1, sizeof (double));
    spec_point_values (spec, k, values);
    bsw_pyjson_t j;
    bsw_pyjson_init (&j);
    bsw_pyjson_object_begin (&j);
    for (size_t r = 0; r < spec->n_ranges; r++) {
        bsw_pyjson_key (&j, spec->ranges[r].parameter);
        bsw_pyjson_double (&j, values[r]);
    }
    bsw_pyjson_object_end (&j);
    free (values);
    return bsw_pyjson_take (&j);
}

//  TVB_metrics: {"GlobalVariance": 2.12e-11, "Synchrony": NaN}, bare NaN
//  tokens as Python writes them, which TVB's json.loads reads (TVB.md 8.4).
static char *
s_metrics_json (const broker_export_metrics_t *metrics)
{
    bsw_pyjson_t j;
    bsw_pyjson_init (&j);
    bsw_pyjson_object_begin (&j);
    for (size_t i = 0; i < metrics->count; i++) {
        bsw_pyjson_key (&j, metrics->names[i]);
        bsw_pyjson_double (&j, metrics->values[i]);
    }
    bsw_pyjson_object_end (&j);
    return bsw_pyjson_take (&j);
}

//  A list of names: ["V", "W"].
static char *
s_names_json (const char *const *names, size_t count)
{
    bsw_pyjson_t j;
    bsw_pyjson_init (&j);
    bsw_pyjson_strings (&j, names, count);
    return bsw_pyjson_take (&j);
}

//  --------------------------------------------------------------------------
//  The metrics of a result as the broker stores them (plain JSON, jansson)

//  Plain JSON has no NaN or infinities, so they are stored as strings.
static const char *const s_nonfinite[] = {"NaN", "Infinity", "-Infinity"};

char *
broker_export_metrics_json (const char *const *names, const double *values, size_t count)
{
    BSW_ASSERT (names || count == 0);
    json_t *root = json_object ();
    BSW_ASSERT (root);
    for (size_t i = 0; i < count; i++) {
        double v = values[i];
        json_t *value = isfinite (v) ? json_real (v)
                                     : json_string (s_nonfinite[isnan (v) ? 0
                                                                : v > 0   ? 1
                                                                          : 2]);
        //  Fails only without memory, or for a name that is not UTF-8,
        //  which the header rules out. A repeated name keeps its last value.
        int rc = value ? json_object_set_new (root, names[i], value) : -1;
        BSW_ASSERT (rc == 0);
    }
    //  Keys stay in insertion order (jansson >= 2.8), which is TVB's. Reals
    //  are written with 17 significant digits, which read back exactly.
    char *text = json_dumps (root, JSON_REAL_PRECISION (17));
    json_decref (root);
    BSW_ASSERT (text);
    return text;
}

static bool
s_number (const json_t *value, double *out)
{
    if (json_is_number (value)) {
        *out = json_number_value (value);
        return true;
    }
    const char *s = json_string_value (value);
    if (!s)
        return false;
    if (!strcmp (s, s_nonfinite[0]))
        *out = NAN;
    else if (!strcmp (s, s_nonfinite[1]))
        *out = INFINITY;
    else if (!strcmp (s, s_nonfinite[2]))
        *out = -INFINITY;
    else
        return false;
    return true;
}

int
broker_export_metrics_parse (const char *json, broker_export_metrics_t *metrics, bsw_error_t *err)
{
    BSW_ASSERT (metrics);
    metrics->count = 0;
    if (!json)
        return bsw_error_set (err, BSW_EFORMAT, "no metrics stored");
    json_error_t jerr;
    //  jansson keeps an object's keys in insertion order (since 2.8), which
    //  is TVB's key order as stored.
    json_t *root = json_loads (json, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return bsw_error_set (err, BSW_EFORMAT, "metrics are not JSON: %s", jerr.text);
    int rc = 0;
    if (!json_is_object (root))
        rc = bsw_error_set (err, BSW_EFORMAT, "metrics are not a JSON object");
    const char *key;
    json_t *value;
    json_object_foreach (root, key, value)
    {
        if (rc)
            break;
        size_t i = metrics->count;
        if (i == BROKER_EXPORT_METRICS_MAX || strlen (key) >= BROKER_EXPORT_METRIC_NAME_MAX)
            rc = bsw_error_set (err, BSW_EFORMAT, "metrics: more than %d keys, or a key too long",
                                BROKER_EXPORT_METRICS_MAX);
        else if (!s_number (value, &metrics->values[i]))
            rc = bsw_error_set (err, BSW_EFORMAT, "metrics: '%s' is not a number", key);
        else {
            snprintf (metrics->names[i], BROKER_EXPORT_METRIC_NAME_MAX, "%s", key);
            metrics->count++;
        }
    }
    json_decref (root);
    return rc;
}

bool
broker_export_metrics_get (const broker_export_metrics_t *metrics, const char *name, double *value)
{
    for (size_t i = 0; i < metrics->count; i++)
        if (!strcmp (metrics->names[i], name)) {
            *value = metrics->values[i];
            return true;
        }
    return false;
}

//  --------------------------------------------------------------------------
//  Names and dates

//  A GID as TVB writes it in file names and the monitors list: 32 hex
//  digits, no dashes.
static void
s_hex (const char *uuid, char out[33])
{
    size_t n = 0;
    for (const char *c = uuid; *c && n < 32; c++)
        if (*c != '-')
            out[n++] = *c;
    out[n] = '\0';
}

void
broker_export_file_name (const char *cls, const char *uuid, broker_export_name_t out)
{
    char hex[33];
    s_hex (uuid, hex);
    snprintf (out, BROKER_EXPORT_NAME_MAX, "%s_%s.h5", cls, hex);
}

int64_t
broker_export_naive_us (double unix_s)
{
    time_t seconds = (time_t) floor (unix_s);
    int64_t us = (int64_t) llround ((unix_s - (double) seconds) * 1e6);
    if (us >= 1000000) {
        seconds++;
        us -= 1000000;
    }
    struct tm tm;
    localtime_r (&seconds, &tm);
    return (int64_t) timegm (&tm) * 1000000 + us;
}

void
broker_export_date (int64_t naive_us, char out[BROKER_EXPORT_DATE_BUF])
{
    time_t seconds = (time_t) (naive_us / 1000000);
    struct tm tm;
    gmtime_r (&seconds, &tm);
    char base[24];
    strftime (base, sizeof base, "%Y-%m-%d,%H-%M-%S", &tm);
    snprintf (out, BROKER_EXPORT_DATE_BUF, "%s.%06d", base, (int) (naive_us % 1000000));
}

//  --------------------------------------------------------------------------
//  Writing one folder's files

//  The folder being written and its files so far.
typedef struct {
    const broker_export_point_t *pt; /* the point, and the zip */
    uint64_t folder;                 /* the folder the files go to */
    broker_export_file_t *files;     /* out: the files, in writing order */
    size_t count;                    /* files written */
    bsw_error_t *err;                /* the first failure */
} s_folder_t;

static void
s_gid (const s_folder_t *f, const char *cls, char out[37])
{
    bsw_uuid_derive (f->pt->sweep_uuid, cls, f->pt->point, out);
}

//  An in-memory file of class cls with the generic attributes (TVB.md
//  11.3); its name is recorded as the folder's next file.
static int
s_begin (s_folder_t *f, store_h5_t **h5_p, const char *cls, const char *written_by,
         const char *state, bool visible, const char *date)
{
    char gid[37];
    s_gid (f, cls, gid);
    broker_export_file_name (cls, gid, f->files[f->count].name);
    int rc = store_h5_create_memory (h5_p, f->files[f->count].name, f->err);
    if (rc)
        return rc;
    store_h5_generic_t generic = {gid, written_by, state, visible, date};
    return store_h5_write_generic (*h5_p, &generic);
}

//  A view model: the generic attributes as store_tvbfiles_view_model_begin
//  writes them, plus TVB_type.
static int
s_begin_view_model (s_folder_t *f, store_h5_t **h5_p, const char *cls, const char *type,
                    const char *state, bool visible, const char *date)
{
    int rc = s_begin (f, h5_p, cls, STORE_TVBFILES_VIEW_MODEL_H5, state, visible, date);
    if (*h5_p)
        store_h5_attr_string (*h5_p, "/", "TVB_type", type);
    return rc;
}

//  Takes the image and adds it to the zip. HDF5 float data gains little
//  from more effort than deflate's level 1.
static int
s_finish (s_folder_t *f, store_h5_t **h5_p)
{
    void *image = NULL;
    size_t size = 0;
    int rc = store_h5_commit_image (h5_p, &image, &size, f->err);
    if (rc)
        return rc;
    char entry[BROKER_EXPORT_NAME_MAX + 32];
    snprintf (entry, sizeof entry, "%" PRIu64 "/%s", f->folder, f->files[f->count].name);
    rc = store_zip_add (f->pt->zip, entry, image, size, 1, f->err);
    free (image);
    if (rc == 0)
        f->count++;
    return rc;
}

//  {"S": [0.0, 1.0]}: each state's [lo, hi] from the descriptor's pair of
//  arrays; bounded_only skips states free on both sides. Caller frees.
static char *
s_state_pairs_json (const sim_model_desc_t *model, const double *lo, const double *hi,
                    bool bounded_only)
{
    bsw_pyjson_t j;
    bsw_pyjson_init (&j);
    bsw_pyjson_object_begin (&j);
    for (size_t i = 0; i < model->n_state; i++) {
        if (bounded_only && !isfinite (lo[i]) && !isfinite (hi[i]))
            continue;
        bsw_pyjson_key (&j, model->state_names[i]);
        bsw_pyjson_list_begin (&j);
        bsw_pyjson_double (&j, lo[i]);
        bsw_pyjson_double (&j, hi[i]);
        bsw_pyjson_list_end (&j);
    }
    bsw_pyjson_object_end (&j);
    return bsw_pyjson_take (&j);
}

//  The model's view model: TVB keeps model classes per family module,
//  which the model's descriptor names. A bounded model's class declares
//  state_variable_boundaries as a Final dict, which TVB's ViewModelH5
//  writes as JSON beside state_variable_range and its loader requires
//  (a free side is numpy.inf there, json.dumps' Infinity); the other
//  classes have no such field, so their files have no such attribute.
//  Other fields a class declares come from the descriptor (tvb_attrs).
static int
s_model (s_folder_t *f)
{
    const sim_setup_t *s = f->pt->setup;
    const sim_model_desc_t *model = s->model;
    char type[160] = "";
    if (model->tvb_module)
        snprintf (type, sizeof type, "%s.%s", model->tvb_module, model->name);
    if (!type[0])
        return bsw_error_set (f->err, BSW_EINTERNAL, "model %s has no TVB class to export",
                              model->name);
    store_h5_t *h5 = NULL;
    int rc = s_begin_view_model (f, &h5, model->name, type, "", true, f->pt->sim_date);
    if (!h5)
        return rc;
    for (size_t i = 0; i < model->n_params; i++)
        store_tvbfiles_param (h5, model->params[i].name, s->params[i]);
    char *json = s_state_pairs_json (model, model->state_lo, model->state_hi, false);
    store_h5_attr_string (h5, "/", "TVB_state_variable_range", json);
    free (json);
    if (model->bounded) {
        json = s_state_pairs_json (model, model->bound_lo, model->bound_hi, true);
        store_h5_attr_string (h5, "/", "TVB_state_variable_boundaries", json);
        free (json);
    }
    for (size_t i = 0; model->tvb_attrs && model->tvb_attrs[i]; i += 2)
        store_h5_attr_string (h5, "/", model->tvb_attrs[i], model->tvb_attrs[i + 1]);
    const char *voi[SIM_MAX_VOI];
    for (size_t v = 0; v < s->n_voi; v++)
        voi[v] = model->voi_names[s->voi[v]];
    char *voi_json = s_names_json (voi, s->n_voi);
    store_h5_attr_string (h5, "/", "TVB_variables_of_interest", voi_json);
    free (voi_json);
    return s_finish (f, &h5);
}

static int
s_coupling (s_folder_t *f)
{
    const sim_setup_t *s = f->pt->setup;
    const sim_coupling_desc_t *coupling = s->coupling;
    char type[128];
    snprintf (type, sizeof type, "tvb.simulator.coupling.%s", coupling->name);
    store_h5_t *h5 = NULL;
    int rc = s_begin_view_model (f, &h5, coupling->name, type, "", true, f->pt->sim_date);
    if (!h5)
        return rc;
    for (size_t i = 0; i < coupling->n_params; i++)
        store_tvbfiles_param (h5, coupling->params[i].name, s->coupling_params[i]);
    return s_finish (f, &h5);
}

//  A sub view model of the simulator ("...ViewModel" classes carry
//  is_metric_operation, TVB.md 11.6), opened for its specific content.
static int
s_begin_sub (s_folder_t *f, store_h5_t **h5_p, const char *cls)
{
    char type[160];
    snprintf (type, sizeof type, S_VIEW_MODEL "%s", cls);
    int rc = s_begin_view_model (f, h5_p, cls, type, "", true, f->pt->sim_date);
    if (*h5_p)
        store_h5_attr_bool (*h5_p, "/", "TVB_is_metric_operation", false);
    return rc;
}

//  AdditiveNoise: one nsig when every state variable has the same (TVB's
//  usual length-1 array), else one per state variable.
static int
s_noise (s_folder_t *f)
{
    const sim_setup_t *s = f->pt->setup;
    store_h5_t *h5 = NULL;
    int rc = s_begin_sub (f, &h5, "AdditiveNoiseViewModel");
    if (!h5)
        return rc;
    store_h5_attr_i64 (h5, "/", "TVB_noise_seed", (int64_t) s->seed);
    store_h5_attr_f64 (h5, "/", "TVB_ntau", 0.0);
    size_t n = 1;
    for (size_t i = 1; i < s->model->n_state; i++)
        if (s->nsig[i] != s->nsig[0])
            n = s->model->n_state;
    store_h5_dataset_f64 (h5, "nsig", s->nsig, &n, 1, 0);
    return s_finish (f, &h5);
}

static int
s_integrator (s_folder_t *f)
{
    const sim_setup_t *s = f->pt->setup;
    bool stochastic = s->integrator == SIM_INTEGRATOR_HEUN_STOCHASTIC;
    int rc = stochastic ? s_noise (f) : 0;
    if (rc)
        return rc;
    store_h5_t *h5 = NULL;
    rc =
        s_begin_sub (f, &h5, stochastic ? "HeunStochasticViewModel" : "HeunDeterministicViewModel");
    if (!h5)
        return rc;
    store_h5_attr_f64 (h5, "/", "TVB_dt", s->dt);
    if (stochastic) {
        char noise[37];
        s_gid (f, "AdditiveNoiseViewModel", noise);
        store_h5_attr_urn (h5, "/", "TVB_noise", noise);
    }
    return s_finish (f, &h5);
}

//  TVB.md 11.6 gives RawViewModel a period of 0.0 (Raw samples every step).
static int
s_monitor (s_folder_t *f, const char *cls)
{
    const sim_setup_t *s = f->pt->setup;
    store_h5_t *h5 = NULL;
    int rc = s_begin_sub (f, &h5, cls);
    if (!h5)
        return rc;
    store_h5_attr_f64 (h5, "/", "TVB_period", s->monitor == SIM_MONITOR_RAW ? 0.0 : s->period);
    return s_finish (f, &h5);
}

//  The attributes both main view models carry (TVB.md 11.2): the group
//  that makes them one DataTypeGroup, and the point's place in the grid.
static void
s_group (s_folder_t *f, store_h5_t *h5, bool metric)
{
    char group[37];
    bsw_uuid_derive (f->pt->sweep_uuid, metric ? "OperationGroupB" : "OperationGroupA", 0, group);
    store_h5_attr_bool (h5, "/", "TVB_is_metric_operation", metric);
    store_h5_attr_urn (h5, "/", "TVB_operation_group_gid", group);
    store_h5_attr_string (h5, "/", "TVB_ranges", f->pt->ranges);
    store_h5_attr_string (h5, "/", "TVB_range_values", f->pt->range_values);
}

static int
s_simulator (s_folder_t *f, const char *model_cls, const char *integrator_cls,
             const char *monitor_cls)
{
    const sim_setup_t *s = f->pt->setup;
    store_h5_t *h5 = NULL;
    int rc =
        s_begin_view_model (f, &h5, "SimulatorAdapterModel", S_VIEW_MODEL "SimulatorAdapterModel",
                            "INTERMEDIATE", true, f->pt->sim_date);
    if (!h5)
        return rc;
    char model[37], coupling[37], integrator[37], monitor[37];
    s_gid (f, model_cls, model);
    s_gid (f, s->coupling->name, coupling);
    s_gid (f, integrator_cls, integrator);
    s_gid (f, monitor_cls, monitor);
    //  The monitors list holds bare 32-hex GIDs, not urns.
    char hex[33];
    s_hex (monitor, hex);
    const char *hexes[] = {hex};
    char *monitors = s_names_json (hexes, 1);
    store_h5_attr_urn (h5, "/", "TVB_connectivity", f->pt->connectivity_gid);
    store_h5_attr_f64 (h5, "/", "TVB_conduction_speed", s->conduction_speed);
    store_h5_attr_f64 (h5, "/", "TVB_simulation_length", s->simulation_length);
    store_h5_attr_urn (h5, "/", "TVB_model", model);
    store_h5_attr_urn (h5, "/", "TVB_coupling", coupling);
    store_h5_attr_urn (h5, "/", "TVB_integrator", integrator);
    store_h5_attr_string (h5, "/", "TVB_monitors", monitors);
    free (monitors);
    s_group (f, h5, false);
    return s_finish (f, &h5);
}

int
broker_export_simulation_files (const broker_export_point_t *pt, broker_export_file_t *files,
                                size_t *count, bsw_error_t *err)
{
    BSW_ASSERT (pt && pt->setup && pt->zip && files && count);
    s_folder_t f = {pt, pt->sim_folder, files, 0, err};
    const sim_setup_t *s = pt->setup;
    const char *integrator = s->integrator == SIM_INTEGRATOR_HEUN_STOCHASTIC
                                 ? "HeunStochasticViewModel"
                                 : "HeunDeterministicViewModel";
    char monitor[64];
    snprintf (monitor, sizeof monitor, "%sViewModel", sim_monitor_name (s->monitor));
    int rc = s_simulator (&f, s->model->name, integrator, monitor);
    if (!rc)
        rc = s_model (&f);
    if (!rc)
        rc = s_coupling (&f);
    if (!rc)
        rc = s_integrator (&f);
    if (!rc)
        rc = s_monitor (&f, monitor);
    *count = f.count;
    return rc;
}

int
broker_export_metric_files (const broker_export_point_t *pt, const broker_export_metrics_t *metrics,
                            broker_export_file_t *files, bsw_error_t *err)
{
    BSW_ASSERT (pt && pt->setup && pt->zip && metrics && files);
    s_folder_t f = {pt, pt->metric_folder, files, 0, err};
    char series[37];
    s_gid (&f, "TimeSeriesRegion", series);

    store_h5_t *h5 = NULL;
    int rc =
        s_begin (&f, &h5, "DatatypeMeasure", S_MEASURE_H5, "INTERMEDIATE", false, pt->metric_date);
    if (!h5)
        return rc;
    char *json = s_metrics_json (metrics);
    store_h5_attr_string (h5, "/", "TVB_metrics", json);
    free (json);
    store_h5_attr_urn (h5, "/", "TVB_analyzed_datatype", series);
    if ((rc = s_finish (&f, &h5)))
        return rc;

    rc = s_begin_view_model (&f, &h5, "TimeseriesMetricsAdapterModel",
                             S_METRICS_ADAPTER "TimeseriesMetricsAdapterModel", "INTERMEDIATE",
                             false, pt->metric_date);
    if (!h5)
        return rc;
    store_h5_attr_urn (h5, "/", "TVB_time_series", series);
    char *algorithms = s_names_json (s_algorithms, sizeof s_algorithms / sizeof *s_algorithms);
    store_h5_attr_string (h5, "/", "TVB_algorithms", algorithms);
    free (algorithms);
    store_h5_attr_f64 (h5, "/", "TVB_start_point", pt->setup->metric_start_point);
    store_h5_attr_i64 (h5, "/", "TVB_segment", pt->setup->metric_segment);
    s_group (&f, h5, true);
    return s_finish (&f, &h5);
}

//  --------------------------------------------------------------------------
//  README.txt

//  "sweep 12 (level 1, 84 points, a \"points\" list)"
static void
s_readme_sweep (FILE *f, const broker_export_readme_member_t *m, bool family)
{
    fprintf (f, "sweep %" PRIu64 " (", m->sweep);
    if (family)
        fprintf (f, "level %u, ", m->level);
    fprintf (f, "%" PRIu64 " points, ", m->points);
    if (spec_is_grid (m->spec))
        fprintf (f, "a grid)");
    else if (m->spec->design == SPEC_DESIGN_POINTS)
        fprintf (f, "a \"points\" list)");
    else
        fprintf (f, "a \"%s\" sample)", spec_design_name (m->spec->design));
}

static void
s_readme_family (FILE *f, const broker_export_readme_member_t *members, size_t count)
{
    fprintf (f, "This zip holds a family of sweeps: the parent, ");
    s_readme_sweep (f, &members[0], true);
    fprintf (f, ",\nand its refinements:");
    for (size_t i = 1; i < count; i++) {
        fprintf (f, "%s\n  ", i > 1 ? "," : "");
        s_readme_sweep (f, &members[i], true);
    }
    fprintf (f, "%s\n", count > 1 ? "." : " none.");
    fprintf (f, "metrics.csv has one row per point of every sweep, numbered through the\n"
                "family (the parent's points first, then each refinement's in turn), with\n"
                "its level (0 for the parent). sweep.json is the parent's spec as submitted,\n"
                "refinements/level-L.json each refinement's. Folders g+1 and P+g+1 hold the\n"
                "simulation and the metrics of point g (P: the family's points). Each sweep\n"
                "keeps its own operation groups, so TVB imports the zip as one pair of\n"
                "DataTypeGroups (time series, measures) per sweep, the parent's as any\n"
                "grid's.\n\n");
}

//  The sweeps that are not grids, and what TVB makes of them.
static void
s_readme_designs (FILE *f, const broker_export_readme_member_t *members, size_t count, bool family)
{
    for (size_t i = 0; i < count; i++) {
        const spec_t *spec = members[i].spec;
        if (spec_is_grid (spec))
            continue;
        if (family)
            fprintf (f, "Sweep %" PRIu64, members[i].sweep);
        else
            fprintf (f, "This sweep");
        bool points = spec->design == SPEC_DESIGN_POINTS;
        if (points)
            fprintf (f, " is not a grid: its %" PRIu64 " points are listed (\"points\")\nwithin",
                     members[i].points);
        else
            fprintf (f, " is not a grid: its %" PRIu64 " points are sampled by \"%s\" in",
                     members[i].points, spec_design_name (spec->design));
        //  "model.I in [-1.0, 1.0)" (sampled: hi excluded), or "model.I
        //  from -0.7 to 0.9" (listed: the least and greatest value).
        for (size_t r = 0; r < spec->n_ranges; r++) {
            char lo[BSW_DOUBLE_BUF], hi[BSW_DOUBLE_BUF];
            bsw_format_double (spec->ranges[r].lo, lo);
            bsw_format_double (spec->ranges[r].hi, hi);
            if (points)
                fprintf (f, "%s\n  %s from %s to %s", r ? "," : "", spec->ranges[r].parameter, lo,
                         hi);
            else
                fprintf (f, "%s\n  %s in [%s, %s)", r ? "," : "", spec->ranges[r].parameter, lo,
                         hi);
        }
        fprintf (f, ".\n");
    }
    //  A sweep that keeps metrics only has no folders for TVB: metrics.csv
    //  alone holds its values (s_readme_metrics_only says the rest).
    bool series = false;
    for (size_t i = 0; i < count; i++)
        series =
            series || (!spec_is_grid (members[i].spec) && members[i].spec->keep == SPEC_KEEP_ALL);
    if (!series) {
        fprintf (f, "metrics.csv holds each point's own values. The design itself is in the\n"
                    "sweep's spec (sweep.json).\n\n");
        return;
    }
    fprintf (f,
             "Every point is exported as a grid's is: its TimeSeriesRegion, its simulator\n"
             "view models with the point's own parameter values, and its DatatypeMeasure;\n"
             "each operation's TVB_range_values holds the point's values, as metrics.csv\n"
             "does. TVB_ranges, which in TVB describes a grid, holds each parameter's\n"
             "bounds (the sampled box [lo, hi), or the smallest and largest listed value)\n"
             "with step 0.0: such a sweep has no grid step. The design itself is in the\n"
             "sweep's spec (%s).\n"
             "TVB imports all of it: the time series, view models and measures come in as\n"
             "DataTypeGroups as any PSE's do, and open in TVB's time series viewers. What\n"
             "TVB cannot do with it: its PSE viewers are made for grids (the discrete one\n"
             "takes its axes from the distinct values of the first two parameters and\n"
             "shows at most 512 results; the isocline one interpolates over a grid), so\n"
             "they are not made for scattered points, and TVB cannot rebuild or extend\n"
             "the design from TVB_ranges.\n\n",
             family ? "sweep.json, refinements/" : "sweep.json");
}

static void
s_readme_metrics_only (FILE *f, const broker_export_readme_member_t *members, size_t count,
                       bool family)
{
    for (size_t i = 0; i < count; i++) {
        if (members[i].spec->keep != SPEC_KEEP_METRICS)
            continue;
        if (family)
            fprintf (f, "Sweep %" PRIu64 " kept its metrics only (\"keep\": \"metrics\"):\n",
                     members[i].sweep);
        else
            fprintf (f,
                     "This sweep kept its metrics only (\"keep\": \"metrics\" in sweep.json):\n");
        fprintf (f,
                 "no time series were sent, stored or exported, so this zip holds no\n"
                 "simulation or metric folders for TVB to import%s. metrics.csv has one row\n"
                 "per point (its parameter values, its status and TVB's metrics);\n"
                 "connectivity/ holds the sweep's connectivity.",
                 family ? " of it" : "");
        fprintf (f, " Run the points you want to\n"
                    "look at again with \"keep\": \"all\" (or `brainsweep simulate --point K`)\n"
                    "for their time series.\n\n");
    }
}

_Static_assert(BROKER_EXPORT_PLOT_MAX_POINTS == 50000, "README.txt names the plots' limit");

char *
broker_export_readme (const broker_export_readme_member_t *members, size_t count, bool family,
                      bool plotted)
{
    BSW_ASSERT (members && count > 0);
    bool grid = true, metrics_only = false;
    for (size_t i = 0; i < count; i++) {
        grid = grid && spec_is_grid (members[i].spec);
        metrics_only = metrics_only || members[i].spec->keep == SPEC_KEEP_METRICS;
    }
    if (!family && grid && !metrics_only)
        return NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream (&text, &size);
    BSW_ASSERT (f);
    if (family)
        s_readme_family (f, members, count);
    if (!grid)
        s_readme_designs (f, members, count, family);
    if (metrics_only)
        s_readme_metrics_only (f, members, count, family);
    if (plotted || (grid && !family))
        fprintf (f, "Up to 50,000 points, pse.svg and pse.html show the metrics as TVB's PSE\n"
                    "view; `brainsweep plot FILE.zip -o OUT.png` draws a sweep of any size.\n");
    else
        fprintf (f, "This zip has no pse.svg or pse.html (over 50,000 points):\n"
                    "`brainsweep plot FILE.zip -o OUT.png` draws every point at its values.\n");
    int rc = fclose (f);
    BSW_ASSERT (rc == 0 && text);
    return text;
}
