/*  broker_export_test.c - the DataTypeGroup zip of a sweep, read back with
    libzip and checked file by file against TVB.md 10.2 and 11.1-11.6.

    Each case makes a data folder of its own (bsw_test_dir.h), stores a
    small real sweep in it with broker_db, commits fake results (time-series
    images built by store_timeseries_image with the GID a worker would use),
    exports, and removes the folder after: most through the fixtures
    s_sweep_fixture and s_export_fixture.
*/
#include "broker_export.h"
#include "broker_export_files.h"
#include "broker_db.h"
#include "bsw_test.h"
#include "bsw_test_dir.h"
#include "bsw_util.h"
#include "sim_connectivity.h"
#include "store_connectivity.h"
#include "store_h5read.h"
#include "store_timeseries.h"

#include <sqlite3.h>
#include <zip.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

//  6 points: model.I in [0.0, 0.5] (hi excluded) times model.a in [1, 2, 3].
static const char s_spec[] =
    "{\"simulation_length\": 10, \"model\": {\"variables_of_interest\": [\"V\", \"W\"]},"
    " \"ranges\": [{\"parameter\": \"model.I\", \"lo\": 0, \"hi\": 1, \"step\": 0.5},"
    " {\"parameter\": \"model.a\", \"values\": [1.0, 2.0, 3.0]}]}";

#define S_RANGES                                                                                   \
    "[\"[\\\"model.I\\\", {\\\"lo\\\": 0.0, \\\"step\\\": 0.5, \\\"hi\\\": 1.0}]\", "              \
    "\"[\\\"model.a\\\", {\\\"lo\\\": 1.0, \\\"step\\\": 1.0, \\\"hi\\\": 3.0}]\"]"

enum { S_POINTS = 6 };

//  The metrics committed for point k, in TVB's key order; point 3 has a
//  NaN and point 1 infinities.
static void
s_metrics_of (uint64_t k, double values[5])
{
    for (int m = 0; m < 5; m++)
        values[m] = 0.1 * (double) (k + 1) + 0.01 * m;
    if (k == 3)
        values[3] = NAN;
    if (k == 1) {
        values[2] = INFINITY;
        values[4] = -INFINITY;
    }
}

static const char *const s_metric_names[] = {"GlobalVariance", "KuramotoIndex", "Metastability",
                                             "Synchrony", "VarianceNodeVariance"};

//  Point k's metrics as TVB_metrics must hold them: Python's json.dumps
//  text, bare NaN and Infinity tokens included, spelled out here.
static char *
s_metrics_json (uint64_t k)
{
    double v[5];
    s_metrics_of (k, v);
    char *text = bsw_malloc (512), num[BSW_DOUBLE_BUF];
    strcpy (text, "{");
    for (int m = 0; m < 5; m++) {
        char item[96];
        snprintf (item, sizeof item, "%s\"%s\": %s", m ? ", " : "", s_metric_names[m],
                  bsw_format_double (v[m], num));
        strcat (text, item);
    }
    strcat (text, "}");
    return text;
}

//  --------------------------------------------------------------------------
//  Files

static bool
s_exists (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0;
}

//  --------------------------------------------------------------------------
//  A sweep with results

//  Stores the sweep and commits, for each point, ok (status 'o'), failed
//  ('f') or nothing ('-').
static int
s_make_sweep (broker_db_t *db, const char *spec, uint64_t points, const char *status, uint64_t *id,
              char uuid[37])
{
    bsw_error_t err;
    int rc = broker_db_sweep_create (db, "test", spec, NULL, 0, NULL, points, id, uuid, &err);
    if (rc) {
        fprintf (stderr, "sweep_create: %s\n", err.text);
        return rc;
    }
    sim_connectivity_t *conn = sim_connectivity_new_default ();
    char conn_gid[37];
    sim_connectivity_gid (conn, conn_gid);
    sim_connectivity_destroy (&conn);
    for (uint64_t k = 0; k < points && rc == 0; k++) {
        if (status[k] == '-')
            continue;
        //  A small fake series: 4 samples, 2 VOIs, 3 nodes.
        double data[4 * 2 * 3], time[4];
        for (size_t i = 0; i < 24; i++)
            data[i] = (double) k + 0.5 * (double) i;
        for (size_t t = 0; t < 4; t++)
            time[t] = 0.48828125 + 0.9765625 * (double) t;
        char gid[37];
        bsw_uuid_derive (uuid, "TimeSeriesRegion", k, gid);
        static const char *const voi[] = {"V", "W"};
        store_timeseries_t ts = {gid,  conn_gid, "TemporalAverage", voi,  2, 4, 3,
                                 data, time,     0.9765625,         NULL, 0};
        void *image = NULL;
        size_t size = 0;
        bool ok = status[k] == 'o';
        double values[5];
        s_metrics_of (k, values);
        char *metrics = ok ? broker_export_metrics_json (s_metric_names, values, 5) : NULL;
        if (ok && (rc = store_timeseries_image (&ts, &image, &size, &err)))
            fprintf (stderr, "image: %s\n", err.text);
        broker_result_t result = {*id,  k,    ok,  ok ? NULL : "diverged", metrics, image,
                                  size, 12.5, "w1"};
        bool stored = false;
        if (!rc && (rc = broker_db_results_commit (db, &result, 1, &stored, &err)))
            fprintf (stderr, "commit: %s\n", err.text);
        free (image);
        free (metrics);
    }
    return rc;
}

//  --------------------------------------------------------------------------
//  Reading the zip back

static char *
s_entry_bytes (zip_t *za, const char *name, size_t *size_p)
{
    zip_stat_t st;
    if (zip_stat (za, name, 0, &st) != 0)
        return NULL;
    zip_file_t *zf = zip_fopen (za, name, 0);
    if (!zf)
        return NULL;
    char *buf = bsw_malloc (st.size + 1);
    zip_int64_t got = zip_fread (zf, buf, st.size);
    zip_fclose (zf);
    if (got != (zip_int64_t) st.size) {
        free (buf);
        return NULL;
    }
    buf[st.size] = '\0';
    *size_p = st.size;
    return buf;
}

//  Extracts entry `name` to dir/x_<n>.h5 (path out), for store_h5read.
static int
s_extract (zip_t *za, const char *name, const char *dir, char *path, size_t path_size)
{
    static int serial;
    size_t size;
    char *bytes = s_entry_bytes (za, name, &size);
    if (!bytes)
        return -1;
    snprintf (path, path_size, "%s/x_%d.h5", dir, serial++);
    FILE *f = fopen (path, "wb");
    int rc = f && fwrite (bytes, 1, size, f) == size ? 0 : -1;
    if (f && fclose (f) != 0)
        rc = -1;
    free (bytes);
    return rc;
}

//  A string attribute of the root, or "" (caller frees).
static char *
s_attr (const char *path, const char *name)
{
    char *text = NULL;
    double f64;
    int64_t i64;
    if (store_h5_read_attr (path, "/", name, &text, &f64, &i64) == STORE_H5_ATTR_STRING_VLEN_UTF8)
        return text;
    free (text);
    return bsw_strdup ("");
}

//  Checks one string attribute's exact value.
#define S_CHECK_ATTR(path, name, expected)                                                         \
    do {                                                                                           \
        char *v_ = s_attr ((path), (name));                                                        \
        int same_ = strcmp (v_, (expected)) == 0;                                                  \
        if (!same_)                                                                                \
            fprintf (stderr, "%s: %s = '%s', expected '%s'\n", (path), (name), v_, (expected));    \
        free (v_);                                                                                 \
        BSW_CHECK (same_);                                                                         \
    } while (0)

static double
s_attr_f64 (const char *path, const char *name)
{
    char *text = NULL;
    double f64 = NAN;
    int64_t i64;
    if (store_h5_read_attr (path, "/", name, &text, &f64, &i64) != STORE_H5_ATTR_F64)
        f64 = NAN;
    free (text);
    return f64;
}

static int64_t
s_attr_i64 (const char *path, const char *name)
{
    char *text = NULL;
    double f64;
    int64_t i64 = -1;
    if (store_h5_read_attr (path, "/", name, &text, &f64, &i64) != STORE_H5_ATTR_I64)
        i64 = -1;
    free (text);
    return i64;
}

//  A (n,) dataset's values into out; returns n, or 0 when unreadable.
static size_t
s_dataset (const char *path, const char *name, double *out, size_t max)
{
    double *values = NULL;
    size_t dims[STORE_H5_MAX_RANK];
    int rank = 0;
    bsw_error_t err;
    if (store_h5_read_doubles (path, name, &values, dims, &rank, &err) != 0 || rank != 1 ||
        dims[0] > max) {
        free (values);
        return 0;
    }
    memcpy (out, values, dims[0] * sizeof (double));
    free (values);
    return dims[0];
}

//  The zip entry "<folder>/<cls>_<hex of derive(uuid, cls, k)>.h5".
static void
s_entry_name (char *out, size_t size, uint64_t folder, const char *cls, const char *uuid,
              uint64_t k)
{
    char gid[37], hex[33];
    bsw_uuid_derive (uuid, cls, k, gid);
    size_t n = 0;
    for (const char *c = gid; *c; c++)
        if (*c != '-')
            hex[n++] = *c;
    hex[n] = '\0';
    snprintf (out, size, "%" PRIu64 "/%s_%s.h5", folder, cls, hex);
}

static char *
s_urn (const char *uuid, const char *cls, uint64_t k)
{
    char gid[37];
    bsw_uuid_derive (uuid, cls, k, gid);
    char *urn = bsw_malloc (48);
    snprintf (urn, 48, "urn:uuid:%s", gid);
    return urn;
}

static int
s_compare_names (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

//  Every entry name, sorted, joined by '\n'. Caller frees.
static char *
s_listing (zip_t *za)
{
    zip_int64_t n = zip_get_num_entries (za, 0);
    char **names = bsw_calloc ((size_t) n + 1, sizeof (char *));
    size_t total = 1;
    for (zip_int64_t i = 0; i < n; i++) {
        names[i] = bsw_strdup (zip_get_name (za, (zip_uint64_t) i, 0));
        total += strlen (names[i]) + 1;
    }
    qsort (names, (size_t) n, sizeof (char *), s_compare_names);
    char *text = bsw_calloc (total, 1);
    for (zip_int64_t i = 0; i < n; i++) {
        strcat (text, names[i]);
        strcat (text, "\n");
        free (names[i]);
    }
    free (names);
    return text;
}

//  --------------------------------------------------------------------------
//  Cases

typedef struct {
    uint64_t calls, done, total;
    bool monotonic;
} s_progress_t;

static void
s_on_progress (void *arg, uint64_t done, uint64_t total)
{
    s_progress_t *p = arg;
    if (done < p->done || done > total)
        p->monotonic = false;
    p->calls++;
    p->done = done;
    p->total = total;
}

/*  The set-up the cases share. s_sweep_fixture: a data folder of the
    case's own (bsw_test_dir.h) with the broker's database open in it, a
    sweep stored and its results committed (s_make_sweep), and out, an
    empty folder for the zip, so that a case can count what a build leaves
    beside it. s_export_fixture goes on to export the sweep to zip_path and
    open the zip, as most cases want it. s_export_end ends either. */
typedef struct {
    char dir[BSW_TEST_DIR_MAX]; /* the data folder */
    broker_db_t *db;            /* its database */
    uint64_t id;                /* the sweep */
    char uuid[37];              /* its UUID */
    char out[128];              /* <dir>/out, where the zip goes */
    char zip_path[160];         /* <out>/export.zip, unless a case points it elsewhere */
    zip_t *za;                  /* the zip opened; NULL before export or once a case closed it */
} s_export_t;

static int
s_sweep_fixture (s_export_t *ex, const char *spec, uint64_t points, const char *status)
{
    memset (ex, 0, sizeof *ex);
    bsw_error_t err;
    BSW_CHECK (bsw_test_dir_new (ex->dir, "broker_export_test"));
    BSW_CHECK_MSG (broker_db_open (&ex->db, ex->dir, &err) == 0, "%s", err.text);
    BSW_CHECK (s_make_sweep (ex->db, spec, points, status, &ex->id, ex->uuid) == 0);
    snprintf (ex->out, sizeof ex->out, "%s/out", ex->dir);
    BSW_CHECK (mkdir (ex->out, 0755) == 0);
    snprintf (ex->zip_path, sizeof ex->zip_path, "%s/export.zip", ex->out);
    return BSW_TEST_PASS;
}

static int
s_export_fixture (s_export_t *ex, const char *spec, uint64_t points, const char *status)
{
    BSW_CHECK (s_sweep_fixture (ex, spec, points, status) == BSW_TEST_PASS);
    bsw_error_t err;
    BSW_CHECK_MSG (broker_export_build (ex->db, ex->id, ex->zip_path, NULL, NULL, &err) == 0, "%s",
                   err.text);
    ex->za = zip_open (ex->zip_path, ZIP_RDONLY, NULL);
    BSW_CHECK (ex->za);
    return BSW_TEST_PASS;
}

static void
s_export_end (s_export_t *ex)
{
    if (ex->za)
        zip_close (ex->za);
    broker_db_close (&ex->db);
    bsw_test_dir_remove (ex->dir);
}

//  Usage: a sweep with 4 ok, 1 failed and 1 pending point becomes one zip
//  of one connectivity folder, 4 simulation folders, 4 metric folders,
//  metrics.csv and sweep.json.
static int
s_test_usage (void)
{
    s_export_t ex;
    BSW_CHECK (s_sweep_fixture (&ex, s_spec, S_POINTS, "oofoo-") == BSW_TEST_PASS);
    bsw_error_t err;
    s_progress_t progress = {0, 0, 0, true};
    int rc = broker_export_build (ex.db, ex.id, ex.zip_path, s_on_progress, &progress, &err);
    BSW_CHECK_MSG (rc == 0, "%s", err.text);
    BSW_CHECK_INT (bsw_test_dir_entries (ex.out), 1); // the zip, no temporary file or folder
    BSW_CHECK (progress.calls >= 2 && progress.monotonic);
    BSW_CHECK_INT (progress.total, 2 * S_POINTS);
    BSW_CHECK_INT (progress.done, progress.total);

    int zerr = 0;
    zip_t *za = zip_open (ex.zip_path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    BSW_CHECK (za);

    //  The exact list of entries.
    sim_connectivity_t *conn = sim_connectivity_new_default ();
    char conn_gid[37], name[160];
    sim_connectivity_gid (conn, conn_gid);
    sim_connectivity_destroy (&conn);
    char *expected = bsw_calloc (8192, 1);
    static const char *const sim_classes[] = {
        "TimeSeriesRegion", "SimulatorAdapterModel",      "Generic2dOscillator",
        "Linear",           "HeunDeterministicViewModel", "TemporalAverageViewModel"};
    static const uint64_t ok_points[] = {0, 1, 3, 4};
    char **list = bsw_calloc (64, sizeof (char *));
    size_t n_list = 0;
    char conn_hex[33];
    size_t h = 0;
    for (const char *c = conn_gid; *c; c++)
        if (*c != '-')
            conn_hex[h++] = *c;
    conn_hex[h] = '\0';
    snprintf (name, sizeof name, "connectivity/Connectivity_%s.h5", conn_hex);
    list[n_list++] = bsw_strdup (name);
    for (size_t p = 0; p < 4; p++) {
        uint64_t k = ok_points[p];
        for (size_t c = 0; c < 6; c++) {
            s_entry_name (name, sizeof name, k + 1, sim_classes[c], ex.uuid, k);
            list[n_list++] = bsw_strdup (name);
        }
        s_entry_name (name, sizeof name, S_POINTS + k + 1, "DatatypeMeasure", ex.uuid, k);
        list[n_list++] = bsw_strdup (name);
        s_entry_name (name, sizeof name, S_POINTS + k + 1, "TimeseriesMetricsAdapterModel", ex.uuid,
                      k);
        list[n_list++] = bsw_strdup (name);
    }
    list[n_list++] = bsw_strdup ("metrics.csv");
    list[n_list++] = bsw_strdup ("sweep.json");
    list[n_list++] = bsw_strdup ("pse.svg");
    list[n_list++] = bsw_strdup ("pse.html");
    qsort (list, n_list, sizeof (char *), s_compare_names);
    for (size_t i = 0; i < n_list; i++) {
        strcat (expected, list[i]);
        strcat (expected, "\n");
        free (list[i]);
    }
    free (list);
    char *listing = s_listing (za);
    BSW_CHECK_STR (listing, expected);
    free (listing);
    free (expected);
    BSW_CHECK_INT (n_list, 37);

    //  Every entry is deflated but the time series (stored as the workers
    //  wrote them: uncompressed unless they ran with --deflate N); every
    //  .h5 carries TVB_Data_version 5.
    char path[256];
    for (zip_int64_t i = 0; i < zip_get_num_entries (za, 0); i++) {
        const char *entry = zip_get_name (za, (zip_uint64_t) i, 0);
        zip_stat_t st;
        BSW_CHECK (zip_stat_index (za, (zip_uint64_t) i, 0, &st) == 0);
        BSW_CHECK_INT (st.comp_method,
                       strstr (entry, "TimeSeriesRegion_") ? ZIP_CM_STORE : ZIP_CM_DEFLATE);
        if (!strstr (entry, ".h5"))
            continue;
        BSW_CHECK (s_extract (za, entry, ex.dir, path, sizeof path) == 0);
        BSW_CHECK_MSG (s_attr_i64 (path, "TVB_Data_version") == 5, "%s", entry);
        unlink (path);
    }

    //  The time series is the stored one (in the database), byte for byte.
    s_entry_name (name, sizeof name, 5, "TimeSeriesRegion", ex.uuid, 4);
    size_t size = 0;
    char *bytes = s_entry_bytes (za, name, &size);
    BSW_CHECK (bytes);
    void *stored_bytes = NULL;
    size_t stored_size = 0;
    BSW_CHECK (broker_db_result_timeseries (ex.db, ex.id, 4, &stored_bytes, &stored_size, &err) ==
               0);
    BSW_CHECK_INT (stored_size, size);
    BSW_CHECK (memcmp (bytes, stored_bytes, size) == 0);
    free (bytes);
    free (stored_bytes);

    //  sweep.json is the stored spec as it is.
    bytes = s_entry_bytes (za, "sweep.json", &size);
    BSW_CHECK_STR (bytes, s_spec);
    free (bytes);
    zip_close (za);
    s_export_end (&ex);
    return BSW_TEST_PASS;
}

//  The simulation folder of point 4 (I = 0.5, a = 2.0): main view model
//  and its sub view models, attribute by attribute.
static int
s_test_simulation_files (void)
{
    s_export_t ex;
    BSW_CHECK (s_export_fixture (&ex, s_spec, S_POINTS, "oofoo-") == BSW_TEST_PASS);
    char name[160], path[256];

    s_entry_name (name, sizeof name, 5, "SimulatorAdapterModel", ex.uuid, 4);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    char *urn = s_urn (ex.uuid, "SimulatorAdapterModel", 4);
    S_CHECK_ATTR (path, "TVB_gid", urn);
    free (urn);
    S_CHECK_ATTR (path, "TVB_written_by", "tvb.core.neotraits._h5core.ViewModelH5");
    S_CHECK_ATTR (path, "TVB_type",
                  "tvb.core.entities.file.simulator.view_model.SimulatorAdapterModel");
    S_CHECK_ATTR (path, "TVB_state", "INTERMEDIATE");
    S_CHECK_ATTR (path, "TVB_visible", "bool:True");
    S_CHECK_ATTR (path, "TVB_invalid", "bool:False");
    S_CHECK_ATTR (path, "TVB_is_nan", "bool:False");
    S_CHECK_ATTR (path, "TVB_user_tag_1", "");
    S_CHECK_ATTR (path, "TVB_is_metric_operation", "bool:False");
    S_CHECK_ATTR (path, "TVB_ranges", S_RANGES);
    S_CHECK_ATTR (path, "TVB_range_values", "{\"model.I\": 0.5, \"model.a\": 2.0}");
    urn = s_urn (ex.uuid, "OperationGroupA", 0);
    S_CHECK_ATTR (path, "TVB_operation_group_gid", urn);
    free (urn);
    sim_connectivity_t *conn = sim_connectivity_new_default ();
    char conn_urn[48] = "urn:uuid:";
    sim_connectivity_gid (conn, conn_urn + 9);
    sim_connectivity_destroy (&conn);
    S_CHECK_ATTR (path, "TVB_connectivity", conn_urn);
    static const struct {
        const char *attr, *cls;
    } refs[] = {{"TVB_model", "Generic2dOscillator"},
                {"TVB_coupling", "Linear"},
                {"TVB_integrator", "HeunDeterministicViewModel"}};
    for (size_t i = 0; i < 3; i++) {
        urn = s_urn (ex.uuid, refs[i].cls, 4);
        S_CHECK_ATTR (path, refs[i].attr, urn);
        free (urn);
    }
    char monitors[48], gid[37];
    bsw_uuid_derive (ex.uuid, "TemporalAverageViewModel", 4, gid);
    snprintf (monitors, sizeof monitors, "[\"%.8s%.4s%.4s%.4s%.12s\"]", gid, gid + 9, gid + 14,
              gid + 19, gid + 24);
    S_CHECK_ATTR (path, "TVB_monitors", monitors);
    BSW_CHECK_DOUBLE_EQ (s_attr_f64 (path, "TVB_conduction_speed"), 3.0);
    BSW_CHECK_DOUBLE_EQ (s_attr_f64 (path, "TVB_simulation_length"), 10.0);
    char *sim_date = s_attr (path, "TVB_create_date");
    BSW_CHECK_INT (strlen (sim_date), 26); // YYYY-MM-DD,HH-MM-SS.ffffff
    BSW_CHECK (sim_date[10] == ',' && sim_date[19] == '.');
    free (sim_date);
    unlink (path);

    //  The model: this point's I and a, the rest TVB's defaults.
    s_entry_name (name, sizeof name, 5, "Generic2dOscillator", ex.uuid, 4);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    S_CHECK_ATTR (path, "TVB_type", "tvb.simulator.models.oscillator.Generic2dOscillator");
    S_CHECK_ATTR (path, "TVB_state", "");
    S_CHECK_ATTR (path, "TVB_state_variable_range", "{\"V\": [-2.0, 4.0], \"W\": [-6.0, 6.0]}");
    S_CHECK_ATTR (path, "TVB_variables_of_interest", "[\"V\", \"W\"]");
    char *text = NULL;
    double f64;
    int64_t i64;
    BSW_CHECK_INT (store_h5_read_attr (path, "/", "TVB_is_metric_operation", &text, &f64, &i64),
                   STORE_H5_ATTR_MISSING);
    double v[4];
    BSW_CHECK_INT (s_dataset (path, "I", v, 4), 1);
    BSW_CHECK_DOUBLE_EQ (v[0], 0.5);
    BSW_CHECK_INT (s_dataset (path, "a", v, 4), 1);
    BSW_CHECK_DOUBLE_EQ (v[0], 2.0);
    BSW_CHECK_INT (s_dataset (path, "b", v, 4), 1);
    BSW_CHECK_DOUBLE_EQ (v[0], -10.0);
    static const char *const params[] = {"tau", "c", "d", "e", "f", "g", "alpha", "beta", "gamma"};
    for (size_t i = 0; i < 9; i++)
        BSW_CHECK_MSG (s_dataset (path, params[i], v, 4) == 1, "%s", params[i]);
    unlink (path);

    s_entry_name (name, sizeof name, 5, "Linear", ex.uuid, 4);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    S_CHECK_ATTR (path, "TVB_type", "tvb.simulator.coupling.Linear");
    BSW_CHECK_INT (s_dataset (path, "a", v, 4), 1);
    BSW_CHECK_DOUBLE_EQ (v[0], 0.00390625);
    BSW_CHECK_INT (s_dataset (path, "b", v, 4), 1);
    BSW_CHECK_DOUBLE_EQ (v[0], 0.0);
    unlink (path);

    s_entry_name (name, sizeof name, 5, "HeunDeterministicViewModel", ex.uuid, 4);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    S_CHECK_ATTR (path, "TVB_type",
                  "tvb.core.entities.file.simulator.view_model.HeunDeterministicViewModel");
    S_CHECK_ATTR (path, "TVB_is_metric_operation", "bool:False");
    BSW_CHECK_DOUBLE_EQ (s_attr_f64 (path, "TVB_dt"), 0.01220703125);
    unlink (path);

    s_entry_name (name, sizeof name, 5, "TemporalAverageViewModel", ex.uuid, 4);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    S_CHECK_ATTR (path, "TVB_type",
                  "tvb.core.entities.file.simulator.view_model.TemporalAverageViewModel");
    BSW_CHECK_DOUBLE_EQ (s_attr_f64 (path, "TVB_period"), 0.9765625);
    unlink (path);

    s_export_end (&ex);
    return BSW_TEST_PASS;
}

//  The metric folders: measure, metric view model, groups and dates.
static int
s_test_metric_files (void)
{
    s_export_t ex;
    BSW_CHECK (s_export_fixture (&ex, s_spec, S_POINTS, "oofoo-") == BSW_TEST_PASS);
    char name[160], path[256];

    //  Point 3: its measure holds the stored metrics, NaN included.
    s_entry_name (name, sizeof name, S_POINTS + 4, "DatatypeMeasure", ex.uuid, 3);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    char *json = s_metrics_json (3);
    BSW_CHECK (strstr (json, "\"Synchrony\": NaN"));
    S_CHECK_ATTR (path, "TVB_metrics", json);
    free (json);
    char *ts_urn = s_urn (ex.uuid, "TimeSeriesRegion", 3);
    S_CHECK_ATTR (path, "TVB_analyzed_datatype", ts_urn);
    S_CHECK_ATTR (path, "TVB_written_by",
                  "tvb.core.entities.file.simulator.datatype_measure_h5.DatatypeMeasureH5");
    S_CHECK_ATTR (path, "TVB_state", "INTERMEDIATE");
    S_CHECK_ATTR (path, "TVB_visible", "bool:False");
    unlink (path);
    //  Point 1's infinities come back as Python's tokens.
    s_entry_name (name, sizeof name, S_POINTS + 2, "DatatypeMeasure", ex.uuid, 1);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    json = s_metrics_json (1);
    BSW_CHECK (strstr (json, "-Infinity"));
    S_CHECK_ATTR (path, "TVB_metrics", json);
    free (json);
    unlink (path);

    s_entry_name (name, sizeof name, S_POINTS + 4, "TimeseriesMetricsAdapterModel", ex.uuid, 3);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    S_CHECK_ATTR (path, "TVB_type",
                  "tvb.adapters.analyzers.metrics_group_timeseries."
                  "TimeseriesMetricsAdapterModel");
    S_CHECK_ATTR (path, "TVB_time_series", ts_urn);
    free (ts_urn);
    S_CHECK_ATTR (path, "TVB_algorithms",
                  "[\"GlobalVariance\", \"KuramotoIndex\", "
                  "\"ProxyMetastabilitySynchrony\", \"VarianceNodeVariance\"]");
    BSW_CHECK_DOUBLE_EQ (s_attr_f64 (path, "TVB_start_point"), 500.0);
    BSW_CHECK_INT (s_attr_i64 (path, "TVB_segment"), 4);
    S_CHECK_ATTR (path, "TVB_is_metric_operation", "bool:True");
    S_CHECK_ATTR (path, "TVB_visible", "bool:False");
    S_CHECK_ATTR (path, "TVB_state", "INTERMEDIATE");
    S_CHECK_ATTR (path, "TVB_ranges", S_RANGES);
    S_CHECK_ATTR (path, "TVB_range_values", "{\"model.I\": 0.5, \"model.a\": 1.0}");
    unlink (path);

    //  One group for all simulations, another for all metrics; every
    //  simulation dated before every metric.
    char *group_a = NULL, *group_b = NULL, *last_sim = NULL, *first_metric = NULL;
    static const uint64_t ok_points[] = {0, 1, 3, 4};
    for (size_t p = 0; p < 4; p++) {
        uint64_t k = ok_points[p];
        s_entry_name (name, sizeof name, k + 1, "SimulatorAdapterModel", ex.uuid, k);
        BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
        char *group = s_attr (path, "TVB_operation_group_gid");
        char *date = s_attr (path, "TVB_create_date");
        unlink (path);
        if (!group_a)
            group_a = bsw_strdup (group);
        BSW_CHECK_STR (group, group_a);
        BSW_CHECK (!last_sim || strcmp (date, last_sim) > 0);
        free (last_sim);
        last_sim = date;
        free (group);

        s_entry_name (name, sizeof name, S_POINTS + k + 1, "TimeseriesMetricsAdapterModel", ex.uuid,
                      k);
        BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
        group = s_attr (path, "TVB_operation_group_gid");
        date = s_attr (path, "TVB_create_date");
        unlink (path);
        if (!group_b)
            group_b = bsw_strdup (group);
        BSW_CHECK_STR (group, group_b);
        if (!first_metric)
            first_metric = bsw_strdup (date);
        BSW_CHECK (strcmp (date, first_metric) >= 0);
        free (date);
        free (group);
    }
    BSW_CHECK (strncmp (group_a, "urn:uuid:", 9) == 0 && strcmp (group_a, group_b) != 0);
    BSW_CHECK_MSG (strcmp (last_sim, first_metric) < 0, "%s !< %s", last_sim, first_metric);
    free (group_a);
    free (group_b);
    free (last_sim);
    free (first_metric);
    s_export_end (&ex);
    return BSW_TEST_PASS;
}

//  metrics.csv: one row per point with its status; numbers read back
//  exactly.
static int
s_test_metrics_csv (void)
{
    s_export_t ex;
    BSW_CHECK (s_export_fixture (&ex, s_spec, S_POINTS, "oofoo-") == BSW_TEST_PASS);
    size_t size;
    char *csv = s_entry_bytes (ex.za, "metrics.csv", &size);
    BSW_CHECK (csv);
    zip_close (ex.za);
    ex.za = NULL;

    static const char *const status[] = {"ok", "ok", "failed", "ok", "ok", "pending"};
    static const double I[] = {0.0, 0.0, 0.0, 0.5, 0.5, 0.5}, a[] = {1.0, 2.0, 3.0, 1.0, 2.0, 3.0};
    char *save = NULL, *line = strtok_r (csv, "\n", &save);
    BSW_CHECK_STR (line, "point,model.I,model.a,status,GlobalVariance,KuramotoIndex,"
                         "Metastability,Synchrony,VarianceNodeVariance");
    for (uint64_t k = 0; k < S_POINTS; k++) {
        line = strtok_r (NULL, "\n", &save);
        BSW_CHECK (line);
        //  Split on ',' keeping empty fields.
        char *fields[16];
        size_t n = 0;
        for (char *p = line; n < 16;) {
            fields[n++] = p;
            char *comma = strchr (p, ',');
            if (!comma)
                break;
            *comma = '\0';
            p = comma + 1;
        }
        BSW_CHECK_INT (n, 9);
        BSW_CHECK_INT (strtoull (fields[0], NULL, 10), k);
        BSW_CHECK_DOUBLE_EQ (strtod (fields[1], NULL), I[k]);
        BSW_CHECK_DOUBLE_EQ (strtod (fields[2], NULL), a[k]);
        BSW_CHECK_STR (fields[3], status[k]);
        double values[5];
        s_metrics_of (k, values);
        for (size_t m = 0; m < 5; m++) {
            if (strcmp (status[k], "ok") != 0) {
                BSW_CHECK_STR (fields[4 + m], "");
                continue;
            }
            //  strtod reads NaN and (-)Infinity too.
            BSW_CHECK_DOUBLE_EQ (strtod (fields[4 + m], NULL), values[m]);
        }
        if (k == 3)
            BSW_CHECK_STR (fields[7], "NaN");
        if (k == 1)
            BSW_CHECK_STR (fields[8], "-Infinity");
    }
    BSW_CHECK (strtok_r (NULL, "\n", &save) == NULL);
    free (csv);
    s_export_end (&ex);
    return BSW_TEST_PASS;
}

//  HeunStochastic exports the stochastic integrator and its noise; a
//  "values" range gets first/last/even step in TVB_ranges; one VOI drops
//  KuramotoIndex from metrics.csv.
static int
s_test_stochastic (void)
{
    static const char spec[] =
        "{\"simulation_length\": 10, \"seed\": 7, \"monitor\": {\"type\": \"Raw\"},"
        " \"integrator\": {\"type\": \"HeunStochastic\", \"dt\": 0.1,"
        " \"noise\": {\"nsig\": [0.001, 0.002]}},"
        " \"ranges\": [{\"parameter\": \"coupling.a\", \"values\": [0.1, 0.2, 0.4]},"
        " {\"parameter\": \"model.a\", \"values\": [2.5]}]}";
    s_export_t ex;
    BSW_CHECK (s_export_fixture (&ex, spec, 3, "-o-") == BSW_TEST_PASS);
    char name[160], path[256];
    bsw_error_t err;
    BSW_CHECK_INT (zip_get_num_entries (ex.za, 0), 1 + 7 + 2 + 2 + 2);
    s_entry_name (name, sizeof name, 2, "HeunDeterministicViewModel", ex.uuid, 1);
    BSW_CHECK (zip_name_locate (ex.za, name, 0) < 0);

    s_entry_name (name, sizeof name, 2, "SimulatorAdapterModel", ex.uuid, 1);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    char *urn = s_urn (ex.uuid, "HeunStochasticViewModel", 1);
    S_CHECK_ATTR (path, "TVB_integrator", urn);
    free (urn);
    S_CHECK_ATTR (path, "TVB_ranges",
                  "[\"[\\\"coupling.a\\\", {\\\"lo\\\": 0.1, \\\"step\\\": 0.15000000000000002, "
                  "\\\"hi\\\": 0.4}]\", "
                  "\"[\\\"model.a\\\", {\\\"lo\\\": 2.5, \\\"step\\\": 0.0, \\\"hi\\\": 2.5}]\"]");
    S_CHECK_ATTR (path, "TVB_range_values", "{\"coupling.a\": 0.2, \"model.a\": 2.5}");
    unlink (path);

    s_entry_name (name, sizeof name, 2, "HeunStochasticViewModel", ex.uuid, 1);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    S_CHECK_ATTR (path, "TVB_type",
                  "tvb.core.entities.file.simulator.view_model.HeunStochasticViewModel");
    BSW_CHECK_DOUBLE_EQ (s_attr_f64 (path, "TVB_dt"), 0.1);
    urn = s_urn (ex.uuid, "AdditiveNoiseViewModel", 1);
    S_CHECK_ATTR (path, "TVB_noise", urn);
    free (urn);
    unlink (path);

    s_entry_name (name, sizeof name, 2, "AdditiveNoiseViewModel", ex.uuid, 1);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    S_CHECK_ATTR (path, "TVB_type",
                  "tvb.core.entities.file.simulator.view_model.AdditiveNoiseViewModel");
    S_CHECK_ATTR (path, "TVB_state", "");
    BSW_CHECK_INT (s_attr_i64 (path, "TVB_noise_seed"), 7);
    BSW_CHECK_DOUBLE_EQ (s_attr_f64 (path, "TVB_ntau"), 0.0);
    double v[4];
    BSW_CHECK_INT (s_dataset (path, "nsig", v, 4), 2);
    BSW_CHECK_DOUBLE_EQ (v[0], 0.001);
    BSW_CHECK_DOUBLE_EQ (v[1], 0.002);
    unlink (path);

    s_entry_name (name, sizeof name, 2, "RawViewModel", ex.uuid, 1);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    BSW_CHECK_DOUBLE_EQ (s_attr_f64 (path, "TVB_period"), 0.0);
    unlink (path);

    s_entry_name (name, sizeof name, 2, "Linear", ex.uuid, 1);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    BSW_CHECK_INT (s_dataset (path, "a", v, 4), 1);
    BSW_CHECK_DOUBLE_EQ (v[0], 0.2);
    unlink (path);

    size_t size;
    char *csv = s_entry_bytes (ex.za, "metrics.csv", &size);
    BSW_CHECK (csv);
    BSW_CHECK (strncmp (csv,
                        "point,coupling.a,model.a,status,GlobalVariance,Metastability,"
                        "Synchrony,VarianceNodeVariance\n0,0.1,2.5,pending,,,,\n1,0.2,2.5,ok,",
                        strlen ("point,coupling.a,model.a,status,GlobalVariance,Metastability,"
                                "Synchrony,VarianceNodeVariance\n0,0.1,2.5,pending,,,,\n1,0.2,2.5,"
                                "ok,")) == 0);
    free (csv);
    zip_close (ex.za);
    ex.za = NULL;

    //  The same nsig for both state variables is TVB's usual (1,) array.
    static const char spec1[] =
        "{\"simulation_length\": 10, \"integrator\": {\"type\": \"HeunStochastic\","
        " \"noise\": {\"nsig\": 0.003}}}";
    BSW_CHECK (s_make_sweep (ex.db, spec1, 1, "o", &ex.id, ex.uuid) == 0);
    BSW_CHECK_MSG (broker_export_build (ex.db, ex.id, ex.zip_path, NULL, NULL, &err) == 0, "%s",
                   err.text);
    ex.za = zip_open (ex.zip_path, ZIP_RDONLY, NULL);
    BSW_CHECK (ex.za);
    s_entry_name (name, sizeof name, 1, "AdditiveNoiseViewModel", ex.uuid, 0);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    BSW_CHECK_INT (s_dataset (path, "nsig", v, 4), 1);
    BSW_CHECK_DOUBLE_EQ (v[0], 0.003);
    BSW_CHECK_INT (s_attr_i64 (path, "TVB_noise_seed"), 42);
    unlink (path);
    s_entry_name (name, sizeof name, 1, "SimulatorAdapterModel", ex.uuid, 0);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    S_CHECK_ATTR (path, "TVB_ranges", "[]");
    S_CHECK_ATTR (path, "TVB_range_values", "{}");
    unlink (path);
    s_export_end (&ex);
    return BSW_TEST_PASS;
}

//  A sweep with its own connectivity zip exports that connectivity, under
//  the GID the workers compute from the same bytes.
static int
s_test_connectivity (void)
{
    char dir[BSW_TEST_DIR_MAX];
    BSW_CHECK (bsw_test_dir_new (dir, "broker_export_test"));
    bsw_error_t err;
    sim_connectivity_t *conn = sim_connectivity_new (3);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++)
            if (i != j) {
                conn->weights[i * 3 + j] = 1.0 + (double) i;
                conn->tract_lengths[i * 3 + j] = 10.0 * (double) (i + j);
            }
    char conn_zip[128];
    snprintf (conn_zip, sizeof conn_zip, "%s/conn3.zip", dir);
    BSW_CHECK_MSG (store_connectivity_save_zip (conn, conn_zip, &err) == 0, "%s", err.text);
    sim_connectivity_destroy (&conn);
    FILE *f = fopen (conn_zip, "rb");
    BSW_CHECK (f);
    char bytes[65536];
    size_t size = fread (bytes, 1, sizeof bytes, f);
    fclose (f);
    BSW_CHECK (size > 0 && size < sizeof bytes);
    BSW_CHECK (store_connectivity_load_buffer (&conn, bytes, size, "conn3.zip", &err) == 0);
    char gid[37], hex[33];
    sim_connectivity_gid (conn, gid);
    sim_connectivity_destroy (&conn);
    size_t h = 0;
    for (const char *c = gid; *c; c++)
        if (*c != '-')
            hex[h++] = *c;
    hex[h] = '\0';

    broker_db_t *db = NULL;
    BSW_CHECK (broker_db_open (&db, dir, &err) == 0);
    uint64_t id;
    char uuid[37];
    BSW_CHECK (broker_db_sweep_create (db, "c", "{\"connectivity\": \"conn3.zip\"}", bytes, size,
                                       "conn3.zip", 1, &id, uuid, &err) == 0);
    char zip_path[160], name[160], path[256];
    snprintf (zip_path, sizeof zip_path, "%s/export.zip", dir);
    //  No results yet: a zip of the connectivity, metrics.csv and sweep.json.
    BSW_CHECK_MSG (broker_export_build (db, id, zip_path, NULL, NULL, &err) == 0, "%s", err.text);
    zip_t *za = zip_open (zip_path, ZIP_RDONLY, NULL);
    BSW_CHECK (za);
    char *listing = s_listing (za);
    snprintf (name, sizeof name, "connectivity/Connectivity_%s.h5\nmetrics.csv\nsweep.json\n", hex);
    BSW_CHECK_STR (listing, name);
    free (listing);
    snprintf (name, sizeof name, "connectivity/Connectivity_%s.h5", hex);
    BSW_CHECK (s_extract (za, name, dir, path, sizeof path) == 0);
    BSW_CHECK_INT (s_attr_i64 (path, "TVB_number_of_regions"), 3);
    BSW_CHECK_INT (s_attr_i64 (path, "TVB_number_of_connections"), 6);
    char urn[48];
    snprintf (urn, sizeof urn, "urn:uuid:%s", gid);
    S_CHECK_ATTR (path, "TVB_gid", urn);
    unlink (path);
    size_t csv_size;
    char *csv = s_entry_bytes (za, "metrics.csv", &csv_size);
    BSW_CHECK_STR (csv, "point,status,GlobalVariance,Metastability,Synchrony,"
                        "VarianceNodeVariance\n0,pending,,,,\n");
    free (csv);
    zip_close (za);
    broker_db_close (&db);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

//  Moves a point's series from the database into its file, as a series
//  over BROKER_DB_INLINE_MAX is stored.
static int
s_move_to_file (broker_db_t *db, const char *dir, uint64_t id, uint64_t point)
{
    void *data = NULL;
    size_t size = 0;
    bsw_error_t err;
    BSW_CHECK (broker_db_result_inline (db, id, point, &data, &size, &err) == 0 && data);
    char path[512];
    snprintf (path, sizeof path, "%s/sweeps", dir);
    mkdir (path, 0755);
    snprintf (path, sizeof path, "%s/sweeps/%" PRIu64, dir, id);
    mkdir (path, 0755);
    snprintf (path, sizeof path, "%s/sweeps/%" PRIu64 "/ts", dir, id);
    mkdir (path, 0755);
    broker_db_result_path (db, id, point, path, sizeof path);
    FILE *f = fopen (path, "wb");
    BSW_CHECK (f && fwrite (data, 1, size, f) == size && fclose (f) == 0);
    free (data);
    snprintf (path, sizeof path, "%s/brainsweep.db", dir);
    sqlite3 *raw = NULL;
    char sql[128];
    snprintf (sql, sizeof sql,
              "DELETE FROM timeseries WHERE sweep = %" PRIu64 " AND point = %" PRIu64, id, point);
    BSW_CHECK (sqlite3_open (path, &raw) == SQLITE_OK);
    BSW_CHECK (sqlite3_exec (raw, sql, NULL, NULL, NULL) == SQLITE_OK);
    BSW_CHECK (sqlite3_changes (raw) == 1);
    sqlite3_close (raw);
    return BSW_TEST_PASS;
}

//  Failures leave no zip and nothing temporary; an older zip survives.
static int
s_test_failures (void)
{
    s_export_t ex;
    BSW_CHECK (s_sweep_fixture (&ex, s_spec, S_POINTS, "oofoo-") == BSW_TEST_PASS);
    bsw_error_t err;

    //  Unknown sweep.
    BSW_CHECK_INT (broker_export_build (ex.db, ex.id + 100, ex.zip_path, NULL, NULL, &err),
                   BSW_ENOTFOUND);
    BSW_CHECK (strstr (err.text, "no such sweep"));
    BSW_CHECK_INT (bsw_test_dir_entries (ex.out), 0);

    //  The zip's folder does not exist.
    char missing[200];
    snprintf (missing, sizeof missing, "%s/missing/export.zip", ex.out);
    BSW_CHECK_INT (broker_export_build (ex.db, ex.id, missing, NULL, NULL, &err), BSW_EIO);
    BSW_CHECK (strstr (err.text, "missing"));
    BSW_CHECK_INT (bsw_test_dir_entries (ex.out), 0);

    //  A result file vanished after its row was committed: the failure
    //  comes midway, after files were written and added. (Point 3's series
    //  is moved to a file first, where a large one, or one stored by a
    //  broker of schema 1, would be.)
    char stored[512];
    BSW_CHECK (s_move_to_file (ex.db, ex.dir, ex.id, 3) == BSW_TEST_PASS);
    broker_db_result_path (ex.db, ex.id, 3, stored, sizeof stored);
    char moved[520];
    snprintf (moved, sizeof moved, "%s.away", stored);
    BSW_CHECK (rename (stored, moved) == 0);
    BSW_CHECK_INT (broker_export_build (ex.db, ex.id, ex.zip_path, NULL, NULL, &err), BSW_EIO);
    BSW_CHECK_MSG (strstr (err.text, "point 3"), "%s", err.text);
    BSW_CHECK_INT (bsw_test_dir_entries (ex.out), 0);

    //  A built zip stays in place when a later build fails.
    BSW_CHECK (rename (moved, stored) == 0);
    BSW_CHECK_MSG (broker_export_build (ex.db, ex.id, ex.zip_path, NULL, NULL, &err) == 0, "%s",
                   err.text);
    struct stat before;
    BSW_CHECK (stat (ex.zip_path, &before) == 0);
    BSW_CHECK (rename (stored, moved) == 0);
    BSW_CHECK_INT (broker_export_build (ex.db, ex.id, ex.zip_path, NULL, NULL, &err), BSW_EIO);
    BSW_CHECK_INT (bsw_test_dir_entries (ex.out), 1);
    struct stat after;
    BSW_CHECK (stat (ex.zip_path, &after) == 0);
    BSW_CHECK_INT (after.st_size, before.st_size);
    BSW_CHECK (rename (moved, stored) == 0);

    //  Leftovers of a crashed build go.
    char stale[256];
    snprintf (stale, sizeof stale, "%s.work-Ab12Cd", ex.zip_path);
    BSW_CHECK (mkdir (stale, 0700) == 0);
    strcat (stale, "/pack");
    FILE *f = fopen (stale, "w");
    BSW_CHECK (f);
    fclose (f);
    snprintf (stale, sizeof stale, "%s.tmp", ex.zip_path);
    f = fopen (stale, "w");
    BSW_CHECK (f);
    fputs ("not a zip", f);
    fclose (f);
    BSW_CHECK_INT (bsw_test_dir_entries (ex.out), 3);

    //  A read-only connection is enough.
    broker_db_t *reader = NULL;
    BSW_CHECK_MSG (broker_db_open_readonly (&reader, ex.dir, &err) == 0, "%s", err.text);
    BSW_CHECK_MSG (broker_export_build (reader, ex.id, ex.zip_path, NULL, NULL, &err) == 0, "%s",
                   err.text);
    broker_db_close (&reader);
    BSW_CHECK (s_exists (ex.zip_path));
    BSW_CHECK_INT (bsw_test_dir_entries (ex.out), 1);

    s_export_end (&ex);
    return BSW_TEST_PASS;
}

//  pse.svg and pse.html: the default view of the 6 points "oofoo-". With
//  radius GlobalVariance and colour VarianceNodeVariance, point 1 (VNV
//  -Infinity) is a cross like the failed point 2, point 3 (NaN only in
//  Synchrony, not drawn) a disc, point 5 a pending ring. A sweep without
//  ranges gets neither file.
static int
s_test_pse_view (void)
{
    s_export_t ex;
    BSW_CHECK (s_export_fixture (&ex, s_spec, S_POINTS, "oofoo-") == BSW_TEST_PASS);
    bsw_error_t err;
    size_t size;
    char *svg = s_entry_bytes (ex.za, "pse.svg", &size);
    char *html = s_entry_bytes (ex.za, "pse.html", &size);
    zip_close (ex.za);
    ex.za = NULL;
    BSW_CHECK (svg && html);
    BSW_CHECK (strncmp (svg, "<?xml", 5) == 0 && strstr (svg, "</svg>"));
    //  Every marker is one path tagged by its miter limit (plot_pse_draw.c).
    size_t markers = 0, rounds = 0, fills = 0;
    for (const char *p = svg; (p = strstr (p, "<path ")); p++) {
        const char *end = strchr (p, '>');
        size_t n = (size_t) (end - p);
        char *tag = bsw_malloc (n + 1);
        memcpy (tag, p, n);
        tag[n] = '\0';
        if (strstr (tag, "stroke-miterlimit:7;")) {
            markers++;
            rounds += strstr (tag, "stroke-linecap:round") != NULL;
            fills += strstr (tag, "fill:rgb(") != NULL;
        }
        free (tag);
    }
    BSW_CHECK_INT (markers, 6);
    BSW_CHECK_INT (rounds, 2); // crosses: point 1 and point 2
    BSW_CHECK_INT (fills, 3);  // discs: points 0, 3, 4
    BSW_CHECK (strstr (svg, "<symbol overflow=\"visible\" id=\"glyph")); // labels drawn
    //  The page: self-contained, every point's status and values in it.
    BSW_CHECK (strstr (html, "<!DOCTYPE html>") && strstr (html, "id=\"pse-data\""));
    BSW_CHECK (strstr (html, "\"status\":\"oofoop\""));
    BSW_CHECK (strstr (html, "\"-Infinity\"") && strstr (html, "\"NaN\""));
    BSW_CHECK (strstr (html, "\"metrics\":[\"GlobalVariance\",\"KuramotoIndex\""));
    BSW_CHECK (!strstr (html, "<script src") && !strstr (html, "<link "));
    free (svg);
    free (html);

    //  No ranges: no view.
    uint64_t single;
    BSW_CHECK (s_make_sweep (ex.db, "{\"simulation_length\": 10}", 1, "o", &single, ex.uuid) == 0);
    snprintf (ex.zip_path, sizeof ex.zip_path, "%s/single.zip", ex.dir);
    BSW_CHECK_MSG (broker_export_build (ex.db, single, ex.zip_path, NULL, NULL, &err) == 0, "%s",
                   err.text);
    ex.za = zip_open (ex.zip_path, ZIP_RDONLY, NULL);
    BSW_CHECK (ex.za);
    BSW_CHECK (zip_name_locate (ex.za, "pse.svg", 0) < 0 &&
               zip_name_locate (ex.za, "pse.html", 0) < 0);
    BSW_CHECK (zip_name_locate (ex.za, "metrics.csv", 0) >= 0);
    s_export_end (&ex);
    return BSW_TEST_PASS;
}

//  The form a result's metrics are stored in: plain JSON, NaN and the
//  infinities as strings, read back by jansson alone, bit for bit and in
//  order; the bare tokens of the old form (schema 2) are refused.
static int
s_test_stored_metrics (void)
{
    static const char *const names[] = {"GlobalVariance", "KuramotoIndex",        "Metastability",
                                        "Synchrony",      "VarianceNodeVariance", "Zero"};
    const double values[] = {1.5, NAN, INFINITY, -INFINITY, 0.1, -0.0};
    char *json = broker_export_metrics_json (names, values, 6);
    BSW_CHECK_STR (json, "{\"GlobalVariance\": 1.5, \"KuramotoIndex\": \"NaN\", \"Metastability\": "
                         "\"Infinity\", \"Synchrony\": \"-Infinity\", \"VarianceNodeVariance\": "
                         "0.10000000000000001, \"Zero\": -0.0}");
    broker_export_metrics_t m;
    bsw_error_t err;
    BSW_CHECK_INT (broker_export_metrics_parse (json, &m, &err), 0);
    free (json);
    BSW_CHECK_INT (m.count, 6);
    for (size_t i = 0; i < 6; i++) {
        BSW_CHECK_STR (m.names[i], names[i]);
        BSW_CHECK_DOUBLE_EQ (m.values[i], values[i]);
    }
    //  17 significant digits read back exactly, whatever the double.
    double x = 1.0 / 3.0, back;
    for (int k = 0; k < 1000; k++) {
        x = x * 1.7 + 1e-9;
        json = broker_export_metrics_json (names, &x, 1);
        BSW_CHECK_INT (broker_export_metrics_parse (json, &m, &err), 0);
        free (json);
        BSW_CHECK (broker_export_metrics_get (&m, "GlobalVariance", &back) && back == x);
    }
    json = broker_export_metrics_json (names, values, 0);
    BSW_CHECK_STR (json, "{}");
    free (json);
    //  What the parser refuses, saying why.
    BSW_CHECK_INT (broker_export_metrics_parse ("{\"Synchrony\": NaN}", &m, &err), BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "metrics are not JSON"), "%s", err.text);
    BSW_CHECK_INT (broker_export_metrics_parse ("{\"Synchrony\": \"nan\"}", &m, &err), BSW_EFORMAT);
    BSW_CHECK_STR (err.text, "metrics: 'Synchrony' is not a number");
    BSW_CHECK_INT (broker_export_metrics_parse ("[1.5]", &m, &err), BSW_EFORMAT);
    BSW_CHECK_STR (err.text, "metrics are not a JSON object");
    BSW_CHECK_INT (broker_export_metrics_parse ("{\"a\": 1, \"a\": 2}", &m, &err), BSW_EFORMAT);
    BSW_CHECK_INT (broker_export_metrics_parse (NULL, &m, &err), BSW_EFORMAT);
    return BSW_TEST_PASS;
}

//  A data folder from before schema 3 holds Python's bare NaN tokens in
//  results.metrics; once the broker opens it, its export's metrics.csv is
//  byte for byte that of the same results stored today, and TVB_metrics
//  still has the bare tokens TVB writes.
static int
s_test_old_metrics (void)
{
    s_export_t ex;
    BSW_CHECK (s_export_fixture (&ex, s_spec, S_POINTS, "oofoo-") == BSW_TEST_PASS);
    size_t size, old_size;
    char *csv = s_entry_bytes (ex.za, "metrics.csv", &size);
    BSW_CHECK (csv);
    zip_close (ex.za);
    ex.za = NULL;
    broker_db_close (&ex.db);

    //  Back to schema 2, each ok row's metrics as the old broker wrote them.
    char db_path[128], sql[1024];
    snprintf (db_path, sizeof db_path, "%s/brainsweep.db", ex.dir);
    sqlite3 *raw = NULL;
    BSW_CHECK_INT (sqlite3_open (db_path, &raw), SQLITE_OK);
    for (uint64_t k = 0; k < S_POINTS; k++) {
        char *old = s_metrics_json (k);
        snprintf (sql, sizeof sql,
                  "UPDATE results SET metrics = '%s' WHERE sweep = %" PRIu64 " AND point = %" PRIu64
                  " AND ok = 1",
                  old, ex.id, k);
        free (old);
        BSW_CHECK_INT (sqlite3_exec (raw, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    BSW_CHECK_INT (sqlite3_exec (raw, "PRAGMA user_version = 2", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (raw);

    bsw_error_t err;
    BSW_CHECK (broker_db_open (&ex.db, ex.dir, &err) == 0);
    snprintf (ex.zip_path, sizeof ex.zip_path, "%s/old.zip", ex.dir);
    BSW_CHECK_MSG (broker_export_build (ex.db, ex.id, ex.zip_path, NULL, NULL, &err) == 0, "%s",
                   err.text);
    ex.za = zip_open (ex.zip_path, ZIP_RDONLY, NULL);
    BSW_CHECK (ex.za);
    char *old_csv = s_entry_bytes (ex.za, "metrics.csv", &old_size);
    BSW_CHECK (old_csv && old_size == size && memcmp (old_csv, csv, size) == 0);
    BSW_CHECK (strstr (csv, ",NaN,") && strstr (csv, ",-Infinity\n"));
    free (csv);
    free (old_csv);
    char name[160], path[256];
    s_entry_name (name, sizeof name, S_POINTS + 2, "DatatypeMeasure", ex.uuid, 1);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    char *json = s_metrics_json (1);
    S_CHECK_ATTR (path, "TVB_metrics", json);
    free (json);
    unlink (path);
    s_export_end (&ex);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"simulation_files", s_test_simulation_files},
                                          {"metric_files", s_test_metric_files},
                                          {"metrics_csv", s_test_metrics_csv},
                                          {"stochastic", s_test_stochastic},
                                          {"connectivity", s_test_connectivity},
                                          {"failures", s_test_failures},
                                          {"pse_view", s_test_pse_view},
                                          {"stored_metrics", s_test_stored_metrics},
                                          {"old_metrics", s_test_old_metrics},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
