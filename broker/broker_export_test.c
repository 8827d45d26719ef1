/*  broker_export_test.c - the DataTypeGroup zip of a sweep, read back with
    libzip and checked file by file against TVB.md 10.2 and 11.1-11.6.

    Each case makes a data folder of its own (bsw_test_dir.h), stores a
    small real sweep in it with broker_db, commits results whose series
    are raw arrays of the exact shape the sweep's spec and connectivity
    make (store_series_encode, raw or shuffled and deflated, as a worker
    sends them), exports, and removes the folder after: most through the
    fixtures s_sweep_fixture and s_export_fixture. Every exported
    TimeSeriesRegion is read back and compared with the array committed
    and the time stamps sim_monitor_times gives (s_check_series).
*/
#include "broker_export.h"
#include "broker_export_files.h"
#include "broker_db.h"
#include "bsw_test.h"
#include "bsw_test_dir.h"
#include "bsw_util.h"
#include "sim_connectivity.h"
#include "sim_monitor.h"
#include "spec.h"
#include "store_connectivity.h"
#include "store_h5read.h"
#include "store_series.h"

#include <jansson.h>
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

static bool
s_write_file (const char *path, const void *bytes, size_t size)
{
    FILE *f = fopen (path, "wb");
    bool ok = f && fwrite (bytes, 1, size, f) == size;
    if (f && fclose (f) != 0)
        ok = false;
    return ok;
}

//  A connectivity zip of 3 regions into dir/conn3.zip; its bytes into
//  bytes (of room max) and *size.
static int
s_conn3_zip (const char *dir, char *bytes, size_t max, size_t *size)
{
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
    size_t n = 0;
    char *data = bsw_test_read_file (conn_zip, &n);
    BSW_CHECK (data && n > 0 && n < max);
    memcpy (bytes, data, n);
    free (data);
    *size = n;
    return BSW_TEST_PASS;
}

//  --------------------------------------------------------------------------
//  A sweep with results

//  Value i of point k's series (index in TVB's (T, nvoi, n, 1) order):
//  points 2, 5, 8, ... hold one constant, which deflates to almost
//  nothing; the others k plus noise in every mantissa bit, which hardly
//  deflates.
static double
s_value (uint64_t k, size_t i)
{
    if (k % 3 == 2)
        return 0.25 * (double) k;
    uint64_t x = (k + 1) * 0x9E3779B97F4A7C15ULL ^ ((uint64_t) i * 0xBF58476D1CE4E5B9ULL);
    x ^= x >> 31;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 29;
    return (double) k + (double) (x >> 11) / 9007199254740992.0;
}

//  The shape of a sweep's series, as the export works it out: the stored
//  spec and connectivity parsed. s_shape_fini frees it.
typedef struct {
    spec_t *spec;
    sim_connectivity_t *conn;
    char conn_gid[37];
    uint64_t samples; /* T */
    size_t values;    /* T * nvoi * n */
} s_shape_t;

static int
s_shape (broker_db_t *db, uint64_t id, s_shape_t *shape)
{
    memset (shape, 0, sizeof *shape);
    bsw_error_t err;
    char *spec_json = NULL, *conn_name = NULL;
    void *conn_zip = NULL;
    size_t conn_size = 0;
    BSW_CHECK_MSG (broker_db_sweep_definition (db, id, &spec_json, &conn_zip, &conn_size,
                                               &conn_name, &err) == 0,
                   "%s", err.text);
    BSW_CHECK_MSG (
        spec_load_string (&shape->spec, spec_json, strlen (spec_json), "spec", NULL, &err) == 0,
        "%s", err.text);
    if (conn_zip)
        BSW_CHECK_MSG (
            store_connectivity_load_buffer (&shape->conn, conn_zip, conn_size, "conn", &err) == 0,
            "%s", err.text);
    else
        shape->conn = sim_connectivity_new_default ();
    free (spec_json);
    free (conn_zip);
    free (conn_name);
    sim_connectivity_gid (shape->conn, shape->conn_gid);
    shape->samples = sim_setup_samples (&shape->spec->setup);
    shape->values = (size_t) shape->samples * shape->spec->setup.n_voi * shape->conn->n;
    return BSW_TEST_PASS;
}

static void
s_shape_fini (s_shape_t *shape)
{
    spec_destroy (&shape->spec);
    sim_connectivity_destroy (&shape->conn);
}

//  Commits, for each point, ok (status 'o'), failed ('f') or nothing
//  ('-'), one result per call in point order (so series lie in point order
//  in the file). An ok point's series is s_value's array of the sweep's
//  shape, raw or deflated at the level levels[k] gives ('0' raw, '1'-'9';
//  levels NULL: all raw), or none when the sweep keeps metrics only.
static int
s_commit_points (broker_db_t *db, uint64_t id, uint64_t points, const char *status,
                 const char *levels)
{
    bsw_error_t err;
    s_shape_t shape;
    BSW_CHECK (s_shape (db, id, &shape) == BSW_TEST_PASS);
    bool keep_all = shape.spec->keep == SPEC_KEEP_ALL;
    double *values = bsw_malloc ((shape.values + 1) * sizeof (double));
    int rc = 0;
    for (uint64_t k = 0; k < points && rc == 0; k++) {
        if (status[k] == '-')
            continue;
        bool ok = status[k] == 'o';
        double metric_values[5];
        s_metrics_of (k, metric_values);
        char *metrics = ok ? broker_export_metrics_json (s_metric_names, metric_values, 5) : NULL;
        int level = levels ? levels[k] - '0' : 0;
        void *series = NULL;
        size_t size = 0;
        for (size_t i = 0; i < shape.values; i++)
            values[i] = s_value (k, i);
        if (ok && keep_all &&
            (rc = store_series_encode (values, shape.values, level, &series, &size, &err)))
            fprintf (stderr, "encode: %s\n", err.text);
        broker_result_t result = {.sweep = id,
                                  .point = k,
                                  .ok = ok,
                                  .error = ok ? NULL : "diverged",
                                  .metrics_json = metrics,
                                  .series = series,
                                  .series_size = size,
                                  .series_encoding = level ? 1 : 0,
                                  .elapsed_ms = 12.5,
                                  .worker = "w1"};
        bool stored = false;
        if (!rc && (rc = broker_db_results_commit (db, &result, 1, &stored, &err)))
            fprintf (stderr, "commit: %s\n", err.text);
        free (series);
        free (metrics);
    }
    free (values);
    s_shape_fini (&shape);
    BSW_CHECK_INT (rc, 0);
    return BSW_TEST_PASS;
}

//  Stores the sweep (with its connectivity zip, or NULL for the default)
//  and commits its points (s_commit_points).
static int
s_make_sweep_with (broker_db_t *db, const char *spec, const void *conn, size_t conn_size,
                   uint64_t points, const char *status, const char *levels, uint64_t *id,
                   char uuid[37])
{
    bsw_error_t err;
    BSW_CHECK_MSG (broker_db_sweep_create (db, "test", NULL, spec, conn, conn_size,
                                           conn ? "conn3.zip" : NULL, points, id, uuid, &err) == 0,
                   "%s", err.text);
    return s_commit_points (db, *id, points, status, levels);
}

static int
s_make_sweep (broker_db_t *db, const char *spec, uint64_t points, const char *status, uint64_t *id,
              char uuid[37])
{
    return s_make_sweep_with (db, spec, NULL, 0, points, status, NULL, id, uuid) == BSW_TEST_PASS
               ? 0
               : -1;
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
//  An exported series, checked

//  Expected TVB dates of point k's folders: the sweep's submission (local
//  wall clock) plus k us, and an hour later for its metric folder.
static void
s_dates (broker_db_t *db, uint64_t id, uint64_t k, char sim[BROKER_EXPORT_DATE_BUF],
         char metric[BROKER_EXPORT_DATE_BUF])
{
    broker_sweep_info_t info;
    bsw_error_t err;
    double created = broker_db_sweep_info (db, id, &info, &err) == 0 ? info.created : 0.0;
    broker_sweep_info_fini (&info);
    int64_t base = broker_export_naive_us (created);
    broker_export_date (base + (int64_t) k, sim);
    broker_export_date (base + 3600000000LL + (int64_t) k, metric);
}

//  One expected scalar attribute of the root.
typedef struct {
    const char *name;
    store_h5_attr_kind_t kind;
    const char *text; /* for strings */
    double number;    /* for F64 and I64 */
} s_expect_t;

#define S_STR STORE_H5_ATTR_STRING_VLEN_UTF8
#define S_F64 STORE_H5_ATTR_F64
#define S_I64 STORE_H5_ATTR_I64

//  Every expected attribute's kind and value, and no other attribute (the
//  expectations sorted by name, as store_h5_attr_names lists them).
static int
s_check_attrs (const char *path, const s_expect_t *expect, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char *text = NULL;
        double f64 = 0.0;
        int64_t i64 = 0;
        store_h5_attr_kind_t kind =
            store_h5_read_attr (path, "/", expect[i].name, &text, &f64, &i64);
        BSW_CHECK_MSG (kind == expect[i].kind, "%s: kind %d, expected %d", expect[i].name,
                       (int) kind, (int) expect[i].kind);
        if (kind == S_STR)
            BSW_CHECK_STR (text, expect[i].text);
        else if (kind == S_F64)
            BSW_CHECK_DOUBLE_EQ (f64, expect[i].number);
        else
            BSW_CHECK_INT (i64, (int64_t) expect[i].number);
        free (text);
    }
    char **names;
    size_t n;
    bsw_error_t err;
    BSW_CHECK (store_h5_attr_names (path, "/", &names, &n, &err) == 0);
    BSW_CHECK_INT (n, count);
    for (size_t i = 0; i < n; i++) {
        BSW_CHECK_STR (names[i], expect[i].name);
        free (names[i]);
    }
    free (names);
    return BSW_TEST_PASS;
}

//  A dataset's TVB_Minimum, TVB_Maximum and TVB_Mean are those of values
//  (numpy's, the mean summed in long double as store_h5 does).
static int
s_check_stats (const char *path, const char *object, const double *values, size_t count)
{
    double lo = values[0], hi = values[0];
    long double sum = 0.0L;
    for (size_t i = 0; i < count; i++) {
        lo = values[i] < lo ? values[i] : lo;
        hi = values[i] > hi ? values[i] : hi;
        sum += values[i];
    }
    static const char *const names[] = {"TVB_Minimum", "TVB_Maximum", "TVB_Mean"};
    const double want[] = {lo, hi, (double) (sum / (long double) count)};
    for (size_t a = 0; a < 3; a++) {
        char *text = NULL;
        double f64 = NAN;
        int64_t i64;
        BSW_CHECK_INT (store_h5_read_attr (path, object, names[a], &text, &f64, &i64), S_F64);
        BSW_CHECK_DOUBLE_EQ (f64, want[a]);
    }
    return BSW_TEST_PASS;
}

/*  Point k's TimeSeriesRegion in the zip: its `data` is s_value's array of
    the sweep's shape (T, nvoi, n, 1), its `time` what sim_monitor_times
    gives, and its attributes those of TVB.md 11.4: the GID the workers
    derive, the sweep's connectivity, the monitor's title and period, the
    VOI names, the folder's date. */
static int
s_check_series_in (zip_t *za, const char *dir, broker_db_t *db, uint64_t id, uint64_t k,
                   uint64_t folder)
{
    broker_sweep_info_t info;
    bsw_error_t err;
    BSW_CHECK (broker_db_sweep_info (db, id, &info, &err) == 0);
    char name[160], path[256];
    s_entry_name (name, sizeof name, folder, "TimeSeriesRegion", info.uuid, k);
    BSW_CHECK_MSG (s_extract (za, name, dir, path, sizeof path) == 0, "%s", name);
    s_shape_t shape;
    BSW_CHECK (s_shape (db, id, &shape) == BSW_TEST_PASS);
    const sim_setup_t *s = &shape.spec->setup;

    double *data = NULL, *time = NULL;
    size_t dims[STORE_H5_MAX_RANK];
    int rank = 0;
    BSW_CHECK_MSG (store_h5_read_doubles (path, "data", &data, dims, &rank, &err) == 0, "%s",
                   err.text);
    BSW_CHECK_INT (rank, 4);
    BSW_CHECK_INT (dims[0], shape.samples);
    BSW_CHECK_INT (dims[1], s->n_voi);
    BSW_CHECK_INT (dims[2], shape.conn->n);
    BSW_CHECK_INT (dims[3], 1);
    double *want = bsw_malloc (shape.values * sizeof (double));
    for (size_t i = 0; i < shape.values; i++) {
        want[i] = s_value (k, i);
        BSW_CHECK_MSG (data[i] == want[i], "point %" PRIu64 " value %zu: %.17g, expected %.17g", k,
                       i, data[i], want[i]);
    }
    BSW_CHECK (s_check_stats (path, "/data", want, shape.values) == BSW_TEST_PASS);
    BSW_CHECK (store_h5_read_doubles (path, "time", &time, dims, &rank, &err) == 0);
    BSW_CHECK_INT (rank, 1);
    BSW_CHECK_INT (dims[0], shape.samples);
    double *times = bsw_calloc ((size_t) shape.samples + 1, sizeof (double));
    sim_monitor_times (s, times, (size_t) shape.samples);
    for (size_t t = 0; t < shape.samples; t++)
        BSW_CHECK_DOUBLE_EQ (time[t], times[t]);
    BSW_CHECK (s_check_stats (path, "/time", times, (size_t) shape.samples) == BSW_TEST_PASS);
    free (data);
    free (time);
    free (want);
    free (times);

    char gid[48] = "urn:uuid:", conn[48] = "urn:uuid:", title[64], dimensions[256] = "";
    bsw_uuid_derive (info.uuid, "TimeSeriesRegion", k, gid + 9);
    snprintf (conn + 9, sizeof conn - 9, "%s", shape.conn_gid);
    snprintf (title, sizeof title, "Regions %s", sim_monitor_name (s->monitor));
    strcat (dimensions, "{\"State Variable\": [");
    for (size_t v = 0; v < s->n_voi; v++) {
        strcat (dimensions, v ? ", \"" : "\"");
        strcat (dimensions, s->model->voi_names[s->voi[v]]);
        strcat (dimensions, "\"");
    }
    strcat (dimensions, "]}");
    char sim_date[BROKER_EXPORT_DATE_BUF], metric_date[BROKER_EXPORT_DATE_BUF];
    s_dates (db, id, k, sim_date, metric_date);
    double period = sim_setup_sample_period (s);
    const s_expect_t expect[] = {
        {"TVB_Data_version", S_I64, NULL, 5},
        {"TVB_connectivity", S_STR, conn, 0},
        {"TVB_create_date", S_STR, sim_date, 0},
        {"TVB_gid", S_STR, gid, 0},
        {"TVB_invalid", S_STR, "bool:False", 0},
        {"TVB_is_nan", S_STR, "bool:False", 0},
        {"TVB_labels_dimensions", S_STR, dimensions, 0},
        {"TVB_labels_ordering", S_STR, "[\"Time\", \"State Variable\", \"Region\", \"Mode\"]", 0},
        {"TVB_nr_dimensions", S_I64, NULL, 4},
        {"TVB_operation_tag", S_STR, "", 0},
        {"TVB_sample_period", S_F64, NULL, period},
        {"TVB_sample_period_unit", S_STR, "ms", 0},
        {"TVB_sample_rate", S_F64, NULL, 1000.0 / period},
        {"TVB_start_time", S_F64, NULL, 0.0},
        {"TVB_state", S_STR, "INTERMEDIATE", 0},
        {"TVB_subject", S_STR, "", 0},
        {"TVB_title", S_STR, title, 0},
        {"TVB_user_tag_1", S_STR, "", 0},
        {"TVB_user_tag_2", S_STR, "", 0},
        {"TVB_user_tag_3", S_STR, "", 0},
        {"TVB_user_tag_4", S_STR, "", 0},
        {"TVB_user_tag_5", S_STR, "", 0},
        {"TVB_visible", S_STR, "bool:True", 0},
        {"TVB_written_by", S_STR, "tvb.adapters.datatypes.h5.time_series_h5.TimeSeriesRegionH5", 0},
    };
    BSW_CHECK_MSG (s_check_attrs (path, expect, sizeof expect / sizeof expect[0]) == BSW_TEST_PASS,
                   "point %" PRIu64, k);
    unlink (path);
    s_shape_fini (&shape);
    broker_sweep_info_fini (&info);
    return BSW_TEST_PASS;
}

//  Point k of a lone sweep: folder k + 1.
static int
s_check_series (zip_t *za, const char *dir, broker_db_t *db, uint64_t id, uint64_t k)
{
    return s_check_series_in (za, dir, db, id, k, k + 1);
}

//  The zip's entry names in the order written. Caller frees each and the
//  array.
static char **
s_entries (zip_t *za, size_t *count)
{
    zip_int64_t n = zip_get_num_entries (za, 0);
    char **names = bsw_calloc ((size_t) n + 1, sizeof (char *));
    for (zip_int64_t i = 0; i < n; i++)
        names[i] = bsw_strdup (zip_get_name (za, (zip_uint64_t) i, 0));
    *count = (size_t) n;
    return names;
}

static void
s_entries_free (char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free (names[i]);
    free (names);
}

/*  The order of a zip's entries: the connectivity first; then the points'
    folders, each point's simulation folder (its TimeSeriesRegion first)
    before its metric folder, the points in the order `points` lists them
    (count of them, P points in the sweep); then the `tail` names, exactly. */
static int
s_check_order (zip_t *za, uint64_t P, const uint64_t *points, size_t count, const char *const *tail,
               size_t n_tail)
{
    size_t n;
    char **names = s_entries (za, &n);
    BSW_CHECK (n >= 1 + n_tail);
    BSW_CHECK_MSG (strncmp (names[0], "connectivity/Connectivity_", 26) == 0, "%s", names[0]);
    size_t at = 1, p = 0;
    for (; at < n - n_tail; at++) {
        uint64_t folder = strtoull (names[at], NULL, 10);
        BSW_CHECK_MSG (folder >= 1 && folder <= 2 * P, "%s", names[at]);
        bool metric = folder > P;
        uint64_t k = metric ? folder - P - 1 : folder - 1;
        //  A new point starts with its series; its metric folder follows.
        bool first = at == 1 || strtoull (names[at - 1], NULL, 10) != folder;
        if (first && !metric) {
            BSW_CHECK_MSG (p < count && points[p] == k, "%s: point %zu of the order", names[at], p);
            BSW_CHECK_MSG (strstr (names[at], "/TimeSeriesRegion_"), "%s", names[at]);
            p++;
        } else
            BSW_CHECK_MSG (p > 0 && points[p - 1] == k, "%s", names[at]);
    }
    BSW_CHECK_INT (p, count);
    for (size_t t = 0; t < n_tail; t++)
        BSW_CHECK_STR (names[at + t], tail[t]);
    s_entries_free (names, n);
    return BSW_TEST_PASS;
}

static const char *const s_tail[] = {"metrics.csv", "sweep.json", "pse.svg", "pse.html"};

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

//  Exports ex's sweep to zip_path and opens the zip (flags: zip_open's).
static int
s_export_open (s_export_t *ex, int flags)
{
    bsw_error_t err;
    BSW_CHECK_MSG (broker_export_build (ex->db, ex->id, ex->zip_path, NULL, NULL, &err) == 0, "%s",
                   err.text);
    ex->za = zip_open (ex->zip_path, flags, NULL);
    BSW_CHECK (ex->za);
    return BSW_TEST_PASS;
}

static int
s_export_fixture (s_export_t *ex, const char *spec, uint64_t points, const char *status)
{
    BSW_CHECK (s_sweep_fixture (ex, spec, points, status) == BSW_TEST_PASS);
    return s_export_open (ex, ZIP_RDONLY);
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
//  metrics.csv, sweep.json and the PSE view, in that order; every series
//  is the array stored for its point.
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
    //  Points added of the sweep's points, at least the final call.
    BSW_CHECK (progress.calls >= 1 && progress.monotonic);
    BSW_CHECK_INT (progress.total, S_POINTS);
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
    static const uint64_t order[] = {0, 1, 3, 4};
    BSW_CHECK (s_check_order (za, S_POINTS, order, 4, s_tail, 4) == BSW_TEST_PASS);

    //  Every entry is deflated but the time series (stored, as TVB writes
    //  them: uncompressed unless the workers ran with --deflate N); every
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

    //  Each series is the stored array, its time stamps the monitor's.
    for (size_t p = 0; p < 4; p++)
        BSW_CHECK (s_check_series (za, ex.dir, ex.db, ex.id, ok_points[p]) == BSW_TEST_PASS);
    void *stored_bytes = NULL;
    size_t stored_size = 0, size = 0;
    int encoding = -1;
    BSW_CHECK (broker_db_result_series (ex.db, ex.id, 4, &stored_bytes, &stored_size, &encoding,
                                        &err) == 0);
    BSW_CHECK_INT (encoding, STORE_SERIES_F8);
    s_shape_t shape;
    BSW_CHECK (s_shape (ex.db, ex.id, &shape) == BSW_TEST_PASS);
    BSW_CHECK_INT (stored_size, shape.values * sizeof (double));
    for (size_t i = 0; i < shape.values; i++) {
        double v;
        memcpy (&v, (char *) stored_bytes + i * sizeof v, sizeof v);
        BSW_CHECK_DOUBLE_EQ (v, s_value (4, i));
    }
    free (stored_bytes);

    //  The same file alone (broker_export_series_image), for an ok point
    //  only.
    void *image = NULL;
    BSW_CHECK_MSG (broker_export_series_image (ex.db, ex.id, 4, &image, &size, &err) == 0, "%s",
                   err.text);
    snprintf (path, sizeof path, "%s/image.h5", ex.dir);
    BSW_CHECK (s_write_file (path, image, size));
    free (image);
    double *data = NULL;
    size_t dims[STORE_H5_MAX_RANK];
    int rank = 0;
    BSW_CHECK (store_h5_read_doubles (path, "data", &data, dims, &rank, &err) == 0);
    BSW_CHECK (rank == 4 && dims[0] * dims[1] * dims[2] == shape.values);
    for (size_t i = 0; i < shape.values; i++)
        BSW_CHECK_DOUBLE_EQ (data[i], s_value (4, i));
    free (data);
    unlink (path);
    s_shape_fini (&shape);
    for (uint64_t k = 2; k < S_POINTS; k += 3) { // failed, pending
        BSW_CHECK_INT (broker_export_series_image (ex.db, ex.id, k, &image, &size, &err),
                       BSW_ENOTFOUND);
        BSW_CHECK (image == NULL);
    }
    char *bytes;

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
    //  Dated from the sweep's submission, not the export: base + k us.
    char want_sim[BROKER_EXPORT_DATE_BUF], want_metric[BROKER_EXPORT_DATE_BUF];
    s_dates (ex.db, ex.id, 4, want_sim, want_metric);
    S_CHECK_ATTR (path, "TVB_create_date", want_sim);
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
    //  simulation dated before every metric, each at its date from the
    //  sweep's submission.
    char *group_a = NULL, *group_b = NULL, *last_sim = NULL, *first_metric = NULL;
    static const uint64_t ok_points[] = {0, 1, 3, 4};
    for (size_t p = 0; p < 4; p++) {
        uint64_t k = ok_points[p];
        s_entry_name (name, sizeof name, k + 1, "SimulatorAdapterModel", ex.uuid, k);
        BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
        char *group = s_attr (path, "TVB_operation_group_gid");
        char *date = s_attr (path, "TVB_create_date");
        char want_sim[BROKER_EXPORT_DATE_BUF], want_metric[BROKER_EXPORT_DATE_BUF];
        s_dates (ex.db, ex.id, k, want_sim, want_metric);
        BSW_CHECK_STR (date, want_sim);
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
        BSW_CHECK_STR (date, want_metric);
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

//  The other models: the view model is the model's TVB class with its
//  parameters (this point's ranged values, the rest TVB's defaults), state
//  ranges and VOIs; the coupling's is its TVB class with its parameters;
//  the simulator's urns name both files' GIDs. Bounded models alone carry
//  TVB_state_variable_boundaries.

//  Extracts folder's entry of cls for point k into path; checks TVB_type
//  and that the simulator's urn attr (NULL: none) names the file's GID.
static int
s_open_view_model (s_export_t *ex, uint64_t k, const char *cls, const char *type, const char *attr,
                   char *path, size_t size)
{
    char name[160], sim[256];
    if (attr) {
        s_entry_name (name, sizeof name, k + 1, "SimulatorAdapterModel", ex->uuid, k);
        BSW_CHECK (s_extract (ex->za, name, ex->dir, sim, sizeof sim) == 0);
        char *urn = s_urn (ex->uuid, cls, k);
        S_CHECK_ATTR (sim, attr, urn);
        free (urn);
        unlink (sim);
    }
    s_entry_name (name, sizeof name, k + 1, cls, ex->uuid, k);
    BSW_CHECK_MSG (s_extract (ex->za, name, ex->dir, path, size) == 0, "%s", name);
    char *urn = s_urn (ex->uuid, cls, k);
    S_CHECK_ATTR (path, "TVB_gid", urn);
    free (urn);
    S_CHECK_ATTR (path, "TVB_type", type);
    return BSW_TEST_PASS;
}

//  A (1,) parameter dataset's value, or NAN.
static double
s_param (const char *path, const char *name)
{
    double v[2];
    return s_dataset (path, name, v, 2) == 1 ? v[0] : NAN;
}

static bool
s_has_attr (const char *path, const char *name)
{
    char *text = NULL;
    double f64;
    int64_t i64;
    store_h5_attr_kind_t kind = store_h5_read_attr (path, "/", name, &text, &f64, &i64);
    free (text);
    return kind != STORE_H5_ATTR_MISSING;
}

static int
s_test_other_models (void)
{
    //  SupHopf with Difference: 2 x 2 points over coupling.a and model.a.
    static const char suphopf[] =
        "{\"simulation_length\": 10, \"model\": {\"type\": \"SupHopf\"},"
        " \"coupling\": {\"type\": \"Difference\"},"
        " \"ranges\": [{\"parameter\": \"coupling.a\", \"values\": [0.1, 0.3]},"
        " {\"parameter\": \"model.a\", \"values\": [-0.5, 0.25]}]}";
    s_export_t ex;
    BSW_CHECK (s_export_fixture (&ex, suphopf, 4, "oooo") == BSW_TEST_PASS);
    char path[256];
    //  Point 2: coupling.a = 0.3, model.a = -0.5.
    BSW_CHECK (s_open_view_model (&ex, 2, "SupHopf", "tvb.simulator.models.oscillator.SupHopf",
                                  "TVB_model", path, sizeof path) == BSW_TEST_PASS);
    BSW_CHECK_DOUBLE_EQ (s_param (path, "a"), -0.5);
    BSW_CHECK_DOUBLE_EQ (s_param (path, "omega"), 1.0);
    S_CHECK_ATTR (path, "TVB_state_variable_range", "{\"x\": [-5.0, 5.0], \"y\": [-5.0, 5.0]}");
    S_CHECK_ATTR (path, "TVB_variables_of_interest", "[\"x\"]");
    BSW_CHECK (!s_has_attr (path, "TVB_state_variable_boundaries"));
    unlink (path);
    BSW_CHECK (s_open_view_model (&ex, 2, "Difference", "tvb.simulator.coupling.Difference",
                                  "TVB_coupling", path, sizeof path) == BSW_TEST_PASS);
    BSW_CHECK_DOUBLE_EQ (s_param (path, "a"), 0.3);
    BSW_CHECK (!s_has_attr (path, "b"));
    unlink (path);
    //  Point 1: coupling.a = 0.1, model.a = 0.25; no Linear file anywhere.
    BSW_CHECK (s_open_view_model (&ex, 1, "SupHopf", "tvb.simulator.models.oscillator.SupHopf",
                                  NULL, path, sizeof path) == BSW_TEST_PASS);
    BSW_CHECK_DOUBLE_EQ (s_param (path, "a"), 0.25);
    unlink (path);
    BSW_CHECK (s_open_view_model (&ex, 1, "Difference", "tvb.simulator.coupling.Difference", NULL,
                                  path, sizeof path) == BSW_TEST_PASS);
    BSW_CHECK_DOUBLE_EQ (s_param (path, "a"), 0.1);
    unlink (path);
    char *listing = s_listing (ex.za);
    BSW_CHECK_MSG (!strstr (listing, "Linear_") && !strstr (listing, "Generic2dOscillator_"), "%s",
                   listing);
    free (listing);
    for (uint64_t k = 0; k < 4; k++)
        BSW_CHECK (s_check_series (ex.za, ex.dir, ex.db, ex.id, k) == BSW_TEST_PASS);
    size_t size;
    char *csv = s_entry_bytes (ex.za, "metrics.csv", &size);
    BSW_CHECK (csv && strstr (csv, "point,coupling.a,model.a,status,") == csv &&
               strstr (csv, "\n2,0.3,-0.5,ok,"));
    free (csv);
    zip_close (ex.za);
    ex.za = NULL;

    //  JansenRit with SigmoidalJansenRit: six states, four default VOIs.
    static const char jansenrit[] =
        "{\"simulation_length\": 10, \"model\": {\"type\": \"JansenRit\"},"
        " \"coupling\": {\"type\": \"SigmoidalJansenRit\", \"cmax\": 0.01},"
        " \"ranges\": [{\"parameter\": \"model.mu\", \"values\": [0.1, 0.2]}]}";
    BSW_CHECK (s_make_sweep (ex.db, jansenrit, 2, "oo", &ex.id, ex.uuid) == 0);
    BSW_CHECK (s_export_open (&ex, ZIP_RDONLY) == BSW_TEST_PASS);
    BSW_CHECK (s_check_series (ex.za, ex.dir, ex.db, ex.id, 1) == BSW_TEST_PASS);
    BSW_CHECK (s_open_view_model (&ex, 1, "JansenRit", "tvb.simulator.models.jansen_rit.JansenRit",
                                  "TVB_model", path, sizeof path) == BSW_TEST_PASS);
    BSW_CHECK_DOUBLE_EQ (s_param (path, "mu"), 0.2);
    BSW_CHECK_DOUBLE_EQ (s_param (path, "A"), 3.25);
    BSW_CHECK_DOUBLE_EQ (s_param (path, "nu_max"), 0.0025);
    S_CHECK_ATTR (path, "TVB_state_variable_range",
                  "{\"y0\": [-1.0, 1.0], \"y1\": [-500.0, 500.0], \"y2\": [-50.0, 50.0], "
                  "\"y3\": [-6.0, 6.0], \"y4\": [-20.0, 20.0], \"y5\": [-500.0, 500.0]}");
    S_CHECK_ATTR (path, "TVB_variables_of_interest", "[\"y0\", \"y1\", \"y2\", \"y3\"]");
    unlink (path);
    BSW_CHECK (s_open_view_model (&ex, 1, "SigmoidalJansenRit",
                                  "tvb.simulator.coupling.SigmoidalJansenRit", "TVB_coupling", path,
                                  sizeof path) == BSW_TEST_PASS);
    static const struct {
        const char *name;
        double value;
    } cpar[] = {{"a", 1.0}, {"cmin", 0.0}, {"cmax", 0.01}, {"midpoint", 6.0}, {"r", 0.56}};
    for (size_t i = 0; i < 5; i++)
        BSW_CHECK_MSG (s_param (path, cpar[i].name) == cpar[i].value, "%s", cpar[i].name);
    unlink (path);
    zip_close (ex.za);
    ex.za = NULL;

    //  The bounded models: TVB's Final dict of boundaries, a free side as
    //  numpy.inf is written.
    static const struct {
        const char *spec, *cls, *type, *bounds;
    } bounded[] = {
        {"{\"simulation_length\": 10, \"model\": {\"type\": \"ReducedWongWang\"}}",
         "ReducedWongWang", "tvb.simulator.models.wong_wang.ReducedWongWang",
         "{\"S\": [0.0, 1.0]}"},
        {"{\"simulation_length\": 10, \"model\": {\"type\": \"MontbrioPazoRoxin\"}}",
         "MontbrioPazoRoxin", "tvb.simulator.models.infinite_theta.MontbrioPazoRoxin",
         "{\"r\": [0.0, Infinity]}"},
    };
    for (size_t i = 0; i < 2; i++) {
        BSW_CHECK (s_make_sweep (ex.db, bounded[i].spec, 1, "o", &ex.id, ex.uuid) == 0);
        BSW_CHECK (s_export_open (&ex, ZIP_RDONLY) == BSW_TEST_PASS);
        BSW_CHECK (s_open_view_model (&ex, 0, bounded[i].cls, bounded[i].type, "TVB_model", path,
                                      sizeof path) == BSW_TEST_PASS);
        S_CHECK_ATTR (path, "TVB_state_variable_boundaries", bounded[i].bounds);
        //  MontbrioPazoRoxin's class declares more fields its loader reads.
        if (i == 1)
            S_CHECK_ATTR (path, "TVB_parameter_names",
                          "[\"tau\", \"Delta\", \"eta\", \"J\", \"I\", \"cr\", \"cv\"]");
        BSW_CHECK ((i == 1) == s_has_attr (path, "TVB_coupling_terms"));
        BSW_CHECK ((i == 1) == s_has_attr (path, "TVB_state_variable_dfuns"));
        unlink (path);
        BSW_CHECK (s_open_view_model (&ex, 0, "Linear", "tvb.simulator.coupling.Linear",
                                      "TVB_coupling", path, sizeof path) == BSW_TEST_PASS);
        unlink (path);
        zip_close (ex.za);
        ex.za = NULL;
    }
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
    BSW_CHECK_INT (zip_get_num_entries (ex.za, 0), 1 + 7 + 2 + 2 + 2);
    s_entry_name (name, sizeof name, 2, "HeunDeterministicViewModel", ex.uuid, 1);
    BSW_CHECK (zip_name_locate (ex.za, name, 0) < 0);
    //  Raw monitor, one VOI: a sample per step of 0.1 ms.
    BSW_CHECK (s_check_series (ex.za, ex.dir, ex.db, ex.id, 1) == BSW_TEST_PASS);

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
    BSW_CHECK (s_export_open (&ex, ZIP_RDONLY) == BSW_TEST_PASS);
    BSW_CHECK (s_check_series (ex.za, ex.dir, ex.db, ex.id, 0) == BSW_TEST_PASS);
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
//  the GID the workers compute from the same bytes, and series of its
//  shape: 3 regions.
static int
s_test_connectivity (void)
{
    char dir[BSW_TEST_DIR_MAX];
    BSW_CHECK (bsw_test_dir_new (dir, "broker_export_test"));
    bsw_error_t err;
    static char bytes[65536];
    size_t size = 0;
    BSW_CHECK (s_conn3_zip (dir, bytes, sizeof bytes, &size) == BSW_TEST_PASS);
    sim_connectivity_t *conn = NULL;
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
    BSW_CHECK (broker_db_sweep_create (db, "c", NULL, "{\"connectivity\": \"conn3.zip\"}", bytes,
                                       size, "conn3.zip", 1, &id, uuid, &err) == 0);
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

    //  Its point done: a series of 3 regions, on this connectivity.
    BSW_CHECK (s_commit_points (db, id, 1, "o", "1") == BSW_TEST_PASS);
    BSW_CHECK_MSG (broker_export_build (db, id, zip_path, NULL, NULL, &err) == 0, "%s", err.text);
    za = zip_open (zip_path, ZIP_RDONLY | ZIP_CHECKCONS, NULL);
    BSW_CHECK (za);
    BSW_CHECK_INT (zip_get_num_entries (za, 0), 1 + 6 + 2 + 2);
    BSW_CHECK (s_check_series (za, dir, db, id, 0) == BSW_TEST_PASS);
    zip_close (za);
    broker_db_close (&db);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

//  $TMPDIR pointed at a folder of the case's own, to see what an export
//  leaves there; s_tmpdir_end puts it back.
typedef struct {
    char path[160];
    char *saved; /* the caller's $TMPDIR, or NULL */
} s_tmpdir_t;

static int
s_tmpdir_begin (s_tmpdir_t *t, const char *dir)
{
    const char *old = getenv ("TMPDIR");
    t->saved = old ? bsw_strdup (old) : NULL;
    snprintf (t->path, sizeof t->path, "%s/tmp", dir);
    BSW_CHECK (mkdir (t->path, 0700) == 0);
    setenv ("TMPDIR", t->path, 1);
    return BSW_TEST_PASS;
}

static void
s_tmpdir_end (s_tmpdir_t *t)
{
    if (t->saved)
        setenv ("TMPDIR", t->saved, 1);
    else
        unsetenv ("TMPDIR");
    free (t->saved);
    t->saved = NULL;
}

//  Failures leave no zip and nothing temporary, beside the zip or in
//  $TMPDIR; an older zip survives.
static int
s_test_failures (void)
{
    s_export_t ex;
    BSW_CHECK (s_sweep_fixture (&ex, s_spec, S_POINTS, "oofoo-") == BSW_TEST_PASS);
    bsw_error_t err;
    s_tmpdir_t tmp;
    BSW_CHECK (s_tmpdir_begin (&tmp, ex.dir) == BSW_TEST_PASS);

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
    BSW_CHECK_INT (bsw_test_dir_entries (tmp.path), 0);

    //  The series file lost its end after the rows were committed: the
    //  failure comes midway, at point 3, after the connectivity and points
    //  0 and 1 went into the zip (and the scratch folder was made).
    broker_result_row_t *rows;
    size_t count;
    BSW_CHECK (broker_db_result_rows (ex.db, ex.id, 3, 1, &rows, &count, &err) == 0 && count == 1);
    uint64_t cut = rows[0].series_offset + 8;
    broker_result_rows_free (rows, count);
    char series[256];
    snprintf (series, sizeof series, "%s/sweeps/%" PRIu64 "/series.bin", ex.dir, ex.id);
    size_t whole_size = 0;
    char *whole = bsw_test_read_file (series, &whole_size);
    BSW_CHECK (whole && whole_size > cut);
    BSW_CHECK (truncate (series, (off_t) cut) == 0);
    BSW_CHECK_INT (broker_export_build (ex.db, ex.id, ex.zip_path, NULL, NULL, &err), BSW_EIO);
    BSW_CHECK_MSG (strstr (err.text, "point 3") && strstr (err.text, "series.bin"), "%s", err.text);
    BSW_CHECK_INT (bsw_test_dir_entries (ex.out), 0);
    BSW_CHECK_INT (bsw_test_dir_entries (tmp.path), 0);

    //  A built zip stays in place when a later build fails.
    BSW_CHECK (s_write_file (series, whole, whole_size));
    BSW_CHECK_MSG (broker_export_build (ex.db, ex.id, ex.zip_path, NULL, NULL, &err) == 0, "%s",
                   err.text);
    BSW_CHECK_INT (bsw_test_dir_entries (tmp.path), 0);
    struct stat before;
    BSW_CHECK (stat (ex.zip_path, &before) == 0);
    BSW_CHECK (truncate (series, (off_t) cut) == 0);
    BSW_CHECK_INT (broker_export_build (ex.db, ex.id, ex.zip_path, NULL, NULL, &err), BSW_EIO);
    BSW_CHECK_INT (bsw_test_dir_entries (ex.out), 1);
    struct stat after;
    BSW_CHECK (stat (ex.zip_path, &after) == 0);
    BSW_CHECK_INT (after.st_size, before.st_size);
    BSW_CHECK (s_write_file (series, whole, whole_size));
    free (whole);

    //  The leftover of a crashed build goes.
    char stale[256];
    snprintf (stale, sizeof stale, "%s.tmp", ex.zip_path);
    FILE *f = fopen (stale, "w");
    BSW_CHECK (f);
    fputs ("not a zip", f);
    fclose (f);
    BSW_CHECK_INT (bsw_test_dir_entries (ex.out), 2);

    //  A read-only connection is enough.
    broker_db_t *reader = NULL;
    BSW_CHECK_MSG (broker_db_open_readonly (&reader, ex.dir, &err) == 0, "%s", err.text);
    BSW_CHECK_MSG (broker_export_build (reader, ex.id, ex.zip_path, NULL, NULL, &err) == 0, "%s",
                   err.text);
    broker_db_close (&reader);
    BSW_CHECK (s_exists (ex.zip_path));
    BSW_CHECK_INT (bsw_test_dir_entries (ex.out), 1);
    BSW_CHECK_INT (bsw_test_dir_entries (tmp.path), 0);
    s_tmpdir_end (&tmp);
    ex.za = zip_open (ex.zip_path, ZIP_RDONLY | ZIP_CHECKCONS, NULL);
    BSW_CHECK (ex.za);
    BSW_CHECK (s_check_series (ex.za, ex.dir, ex.db, ex.id, 3) == BSW_TEST_PASS);

    s_export_end (&ex);
    return BSW_TEST_PASS;
}

//  Stored series that the sweep's shape cannot make are refused, naming
//  the point, and no zip is left: too few bytes, too many, a deflated one
//  that is corrupt, an encoding that does not exist, an ok point with no
//  series at all. Each in turn, the point then taken away again.
static int
s_test_bad_series (void)
{
    s_export_t ex;
    static const char spec[] =
        "{\"simulation_length\": 10, \"ranges\": [{\"parameter\": \"model.a\", \"lo\": 1,"
        " \"hi\": 8, \"step\": 1}]}";
    BSW_CHECK (s_sweep_fixture (&ex, spec, 7, "o------") == BSW_TEST_PASS);
    s_shape_t shape;
    BSW_CHECK (s_shape (ex.db, ex.id, &shape) == BSW_TEST_PASS);
    size_t raw_size = shape.values * sizeof (double);
    s_shape_fini (&shape);
    uint8_t *bytes = bsw_calloc (2 * raw_size, 1);
    //  code: of the build, which says why; image_code: of
    //  broker_export_series_image.
    const struct {
        size_t size;
        int encoding;
        int code, image_code;
        const char *says;
    } bad[] = {
        {8, STORE_SERIES_F8, BSW_EFORMAT, BSW_EFORMAT, "point 1: series of 8 bytes"},
        {raw_size - 8, STORE_SERIES_F8, BSW_EFORMAT, BSW_EFORMAT, "point 2: series of"},
        {2 * raw_size, STORE_SERIES_F8, BSW_EFORMAT, BSW_EFORMAT, "point 3: a stored series of"},
        {100, STORE_SERIES_F8_SHUFFLE_DEFLATE, BSW_EFORMAT, BSW_EFORMAT,
         "point 4: deflated series is corrupt"},
        {raw_size, 7, BSW_EFORMAT, BSW_EFORMAT, "point 5: unknown series encoding 7"},
        //  None at all, as an upgrade leaves a series it could not read
        //  (the build's code is broker_db_series_read's).
        {0, STORE_SERIES_F8, BSW_ENOTFOUND, BSW_ENOTFOUND, "point 6: no time series stored"},
    };
    bsw_error_t err;
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        uint64_t k = b + 1;
        broker_result_t r = {.sweep = ex.id,
                             .point = k,
                             .ok = true,
                             .metrics_json = "{\"GlobalVariance\": 1.0}",
                             .series = bad[b].size ? bytes : NULL,
                             .series_size = bad[b].size,
                             .series_encoding = bad[b].encoding,
                             .worker = "w1"};
        BSW_CHECK_MSG (broker_db_results_commit (ex.db, &r, 1, NULL, &err) == 0, "%s", err.text);
        int rc = broker_export_build (ex.db, ex.id, ex.zip_path, NULL, NULL, &err);
        BSW_CHECK_MSG (rc == bad[b].code, "point %" PRIu64 ": %s: %s", k, bsw_errname (rc),
                       err.text);
        BSW_CHECK_MSG (strstr (err.text, bad[b].says), "%s", err.text);
        BSW_CHECK_INT (bsw_test_dir_entries (ex.out), 0);
        void *image = NULL;
        size_t size = 0;
        BSW_CHECK_INT (broker_export_series_image (ex.db, ex.id, k, &image, &size, &err),
                       bad[b].image_code);
        BSW_CHECK_MSG (strstr (err.text, bad[b].says), "%s", err.text);
        BSW_CHECK (image == NULL);
        //  Out of the way for the next one.
        uint64_t *points = NULL, count = 0;
        char db_path[160], sql[160];
        snprintf (db_path, sizeof db_path, "%s/brainsweep.db", ex.dir);
        snprintf (sql, sizeof sql, "UPDATE results SET ok = 0 WHERE point = %" PRIu64, k);
        sqlite3 *raw = NULL;
        BSW_CHECK_INT (sqlite3_open (db_path, &raw), SQLITE_OK);
        BSW_CHECK_INT (sqlite3_exec (raw, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close (raw);
        BSW_CHECK_INT (broker_db_retry_failed (ex.db, ex.id, &points, &count, &err), 0);
        BSW_CHECK_INT (count, 1);
        free (points);
    }
    free (bytes);
    //  What is left exports.
    BSW_CHECK (s_export_open (&ex, ZIP_RDONLY | ZIP_CHECKCONS) == BSW_TEST_PASS);
    BSW_CHECK (s_check_series (ex.za, ex.dir, ex.db, ex.id, 0) == BSW_TEST_PASS);
    s_export_end (&ex);
    return BSW_TEST_PASS;
}

//  A sweep of tiny points (3 regions, one VOI, 2 samples: 48 bytes a
//  series, raw or deflated): every ok point's series exported whole, in a
//  complete TVB layout.
static int
s_test_tiny (void)
{
    s_export_t ex;
    memset (&ex, 0, sizeof ex);
    BSW_CHECK (bsw_test_dir_new (ex.dir, "broker_export_test"));
    bsw_error_t err;
    BSW_CHECK_MSG (broker_db_open (&ex.db, ex.dir, &err) == 0, "%s", err.text);
    static char conn[65536];
    size_t conn_size = 0;
    BSW_CHECK (s_conn3_zip (ex.dir, conn, sizeof conn, &conn_size) == BSW_TEST_PASS);
    static const char spec[] =
        "{\"simulation_length\": 2, \"connectivity\": \"conn3.zip\","
        " \"model\": {\"variables_of_interest\": [\"V\"]},"
        " \"ranges\": [{\"parameter\": \"model.I\", \"values\": [0.0, 0.5, 1.0, 1.5, 2.0]}]}";
    BSW_CHECK (s_make_sweep_with (ex.db, spec, conn, conn_size, 5, "oofoo", "09010", &ex.id,
                                  ex.uuid) == BSW_TEST_PASS);
    s_shape_t shape;
    BSW_CHECK (s_shape (ex.db, ex.id, &shape) == BSW_TEST_PASS);
    BSW_CHECK_INT (shape.values * sizeof (double), 48);
    s_shape_fini (&shape);
    broker_result_row_t *rows;
    size_t count;
    BSW_CHECK (broker_db_result_rows (ex.db, ex.id, 0, 0, &rows, &count, &err) == 0);
    uint64_t stored = 0;
    for (size_t i = 0; i < count; i++)
        stored += rows[i].series_size;
    BSW_CHECK_INT (rows[1].series_encoding, 1);
    BSW_CHECK_INT (rows[0].series_size, 48);
    broker_result_rows_free (rows, count);
    BSW_CHECK (stored < 4 * 64);

    snprintf (ex.zip_path, sizeof ex.zip_path, "%s/export.zip", ex.dir);
    BSW_CHECK (s_export_open (&ex, ZIP_RDONLY | ZIP_CHECKCONS) == BSW_TEST_PASS);
    static const uint64_t ok_points[] = {0, 1, 3, 4};
    BSW_CHECK_INT (zip_get_num_entries (ex.za, 0), 1 + 4 * 8 + 4);
    BSW_CHECK (s_check_order (ex.za, 5, ok_points, 4, s_tail, 4) == BSW_TEST_PASS);
    static const char *const classes[] = {"TimeSeriesRegion",           "SimulatorAdapterModel",
                                          "Generic2dOscillator",        "Linear",
                                          "HeunDeterministicViewModel", "TemporalAverageViewModel"};
    char name[160];
    for (size_t p = 0; p < 4; p++) {
        uint64_t k = ok_points[p];
        BSW_CHECK (s_check_series (ex.za, ex.dir, ex.db, ex.id, k) == BSW_TEST_PASS);
        for (size_t c = 0; c < 6; c++) {
            s_entry_name (name, sizeof name, k + 1, classes[c], ex.uuid, k);
            BSW_CHECK_MSG (zip_name_locate (ex.za, name, 0) >= 0, "%s", name);
        }
        s_entry_name (name, sizeof name, 5 + k + 1, "DatatypeMeasure", ex.uuid, k);
        BSW_CHECK_MSG (zip_name_locate (ex.za, name, 0) >= 0, "%s", name);
        s_entry_name (name, sizeof name, 5 + k + 1, "TimeseriesMetricsAdapterModel", ex.uuid, k);
        BSW_CHECK_MSG (zip_name_locate (ex.za, name, 0) >= 0, "%s", name);
    }
    size_t size;
    char *csv = s_entry_bytes (ex.za, "metrics.csv", &size);
    BSW_CHECK (csv && strncmp (csv, "point,model.I,status,GlobalVariance,Metastability,", 50) == 0);
    BSW_CHECK (strstr (csv, "\n2,1.0,failed,,,,\n") && strstr (csv, "\n4,2.0,ok,0.5,"));
    free (csv);
    s_export_end (&ex);
    return BSW_TEST_PASS;
}

//  Series of mixed stored sizes in one sweep (76 regions, 2 VOIs, ~100
//  samples: ~124 KB raw): raw, deflated at levels 1 and 9, noisy data that
//  hardly shrinks and constant data that shrinks to almost nothing. Each
//  exports to its array, in a file shuffled and deflated inside when it
//  was stored deflated (as TVB reads one written with --deflate), raw
//  otherwise; the zip stores them all as they are.
static int
s_test_mixed (void)
{
    static const char spec[] =
        "{\"simulation_length\": 100, \"model\": {\"variables_of_interest\": [\"V\", \"W\"]},"
        " \"ranges\": [{\"parameter\": \"model.a\", \"lo\": 1, \"hi\": 7, \"step\": 1}]}";
    static const char levels[] = "019090";
    s_export_t ex;
    memset (&ex, 0, sizeof ex);
    BSW_CHECK (bsw_test_dir_new (ex.dir, "broker_export_test"));
    bsw_error_t err;
    BSW_CHECK_MSG (broker_db_open (&ex.db, ex.dir, &err) == 0, "%s", err.text);
    BSW_CHECK (s_make_sweep_with (ex.db, spec, NULL, 0, 6, "oooooo", levels, &ex.id, ex.uuid) ==
               BSW_TEST_PASS);
    s_shape_t shape;
    BSW_CHECK (s_shape (ex.db, ex.id, &shape) == BSW_TEST_PASS);
    size_t raw_size = shape.values * sizeof (double);
    s_shape_fini (&shape);
    BSW_CHECK (raw_size > 65536);
    broker_result_row_t *rows;
    size_t count;
    BSW_CHECK (broker_db_result_rows (ex.db, ex.id, 0, 0, &rows, &count, &err) == 0);
    BSW_CHECK_INT (count, 6);
    uint64_t smallest = UINT64_MAX, largest = 0;
    for (size_t k = 0; k < count; k++) {
        BSW_CHECK_INT (rows[k].series_encoding, levels[k] != '0');
        if (levels[k] == '0')
            BSW_CHECK_INT (rows[k].series_size, raw_size);
        smallest = rows[k].series_size < smallest ? rows[k].series_size : smallest;
        largest = rows[k].series_size > largest ? rows[k].series_size : largest;
    }
    broker_result_rows_free (rows, count);
    fprintf (stderr, "mixed: stored series of %" PRIu64 " to %" PRIu64 " bytes\n", smallest,
             largest);
    BSW_CHECK (smallest < 4096 && largest > 65536);

    snprintf (ex.zip_path, sizeof ex.zip_path, "%s/export.zip", ex.dir);
    BSW_CHECK (s_export_open (&ex, ZIP_RDONLY | ZIP_CHECKCONS) == BSW_TEST_PASS);
    static const uint64_t all[] = {0, 1, 2, 3, 4, 5};
    BSW_CHECK (s_check_order (ex.za, 6, all, 6, s_tail, 4) == BSW_TEST_PASS);
    for (uint64_t k = 0; k < 6; k++) {
        BSW_CHECK (s_check_series (ex.za, ex.dir, ex.db, ex.id, k) == BSW_TEST_PASS);
        char name[160];
        s_entry_name (name, sizeof name, k + 1, "TimeSeriesRegion", ex.uuid, k);
        zip_stat_t st;
        BSW_CHECK (zip_stat (ex.za, name, 0, &st) == 0);
        BSW_CHECK_INT (st.comp_method, ZIP_CM_STORE);
        //  Point 2 is constant and deflated: its file shrinks to a few KB;
        //  point 5 is constant too but raw, so its file is the whole array.
        if (k == 2)
            BSW_CHECK_MSG (st.size < raw_size / 4, "%" PRIu64 " bytes", (uint64_t) st.size);
        if (k == 5)
            BSW_CHECK_MSG (st.size > raw_size, "%" PRIu64 " bytes", (uint64_t) st.size);
    }
    s_export_end (&ex);
    return BSW_TEST_PASS;
}

//  A sweep that keeps metrics only ("keep": "metrics") stores no series
//  and exports the connectivity, metrics.csv, sweep.json, the PSE view and
//  README.txt, which says why there are no simulation or metric folders.
static int
s_test_keep_metrics (void)
{
    static const char spec[] =
        "{\"simulation_length\": 10, \"keep\": \"metrics\","
        " \"ranges\": [{\"parameter\": \"model.I\", \"lo\": 0, \"hi\": 2, \"step\": 0.5}]}";
    s_export_t ex;
    BSW_CHECK (s_export_fixture (&ex, spec, 4, "ofo-") == BSW_TEST_PASS);
    bsw_error_t err;
    size_t n;
    char **names = s_entries (ex.za, &n);
    BSW_CHECK_INT (n, 6);
    BSW_CHECK (strncmp (names[0], "connectivity/Connectivity_", 26) == 0);
    static const char *const tail[] = {"metrics.csv", "sweep.json", "pse.svg", "pse.html",
                                       "README.txt"};
    for (size_t i = 0; i < 5; i++)
        BSW_CHECK_STR (names[1 + i], tail[i]);
    for (size_t i = 0; i < n; i++)
        BSW_CHECK_MSG (names[i][0] < '0' || names[i][0] > '9', "%s", names[i]);
    s_entries_free (names, n);
    size_t size;
    char *readme = s_entry_bytes (ex.za, "README.txt", &size);
    BSW_CHECK (readme && strstr (readme, "\"keep\": \"metrics\"") &&
               strstr (readme, "no time series were sent"));
    free (readme);
    char *csv = s_entry_bytes (ex.za, "metrics.csv", &size);
    double v[5];
    s_metrics_of (0, v);
    char row[256], num[BSW_DOUBLE_BUF];
    snprintf (row, sizeof row, "\n0,0.0,ok,%s,", bsw_format_double (v[0], num));
    BSW_CHECK_MSG (csv && strstr (csv, row), "%s", csv);
    BSW_CHECK (strstr (csv, "\n1,0.5,failed,,,,\n") && strstr (csv, "\n3,1.5,pending,,,,\n"));
    free (csv);
    //  Nothing stored, nothing to show for a point.
    char series[256];
    snprintf (series, sizeof series, "%s/sweeps/%" PRIu64 "/series.bin", ex.dir, ex.id);
    BSW_CHECK (!s_exists (series));
    void *image = NULL;
    BSW_CHECK_INT (broker_export_series_image (ex.db, ex.id, 0, &image, &size, &err),
                   BSW_ENOTFOUND);
    BSW_CHECK (image == NULL);
    s_export_end (&ex);
    return BSW_TEST_PASS;
}

//  A sink into memory.
typedef struct {
    char *data;
    size_t size, alloc;
    size_t calls;
} s_memory_t;

static int
s_memory_sink (void *arg, const void *data, size_t size, bsw_error_t *err)
{
    s_memory_t *m = arg;
    if (m->size + size > m->alloc) {
        m->alloc = 2 * (m->size + size);
        m->data = bsw_realloc (m->data, m->alloc);
    }
    memcpy (m->data + m->size, data, size);
    m->size += size;
    m->calls++;
    return 0;
}

/*  A zip made while the sweep runs (broker_export_new, add_points,
    add_new, finish): points in the order they are added, each once, the
    ones committed after the export began too, metrics.csv of the rows at
    the finish; then a whole one (add_all) after a point added first. */
static int
s_test_live (void)
{
    s_export_t ex;
    BSW_CHECK (s_sweep_fixture (&ex, s_spec, S_POINTS, "oofo--") == BSW_TEST_PASS);
    bsw_error_t err;
    s_memory_t mem = {0};
    broker_export_t *live = NULL;
    BSW_CHECK_MSG (broker_export_new (&live, ex.db, ex.id, s_memory_sink, &mem, &err) == 0, "%s",
                   err.text);
    BSW_CHECK_INT (broker_export_bytes (live), mem.size);
    //  As the broker reports commits: 3, then 0, the failed 2 and 3 again.
    const uint64_t first[] = {3, 0, 2, 3};
    BSW_CHECK_INT (broker_export_add_points (live, first, 4, &err), 0);
    BSW_CHECK_INT (broker_export_points_added (live), 2);
    bool ended = true;
    BSW_CHECK_INT (broker_export_add_new (live, &ended, &err), 0);
    BSW_CHECK (!ended);
    BSW_CHECK_INT (broker_export_points_added (live), 3); // point 1
    //  Point 5, then 4, finish while the export follows.
    BSW_CHECK (s_commit_points (ex.db, ex.id, S_POINTS, "-----o", NULL) == BSW_TEST_PASS);
    BSW_CHECK_INT (broker_export_add_new (live, &ended, &err), 0);
    BSW_CHECK (!ended);
    BSW_CHECK_INT (broker_export_points_added (live), 4);
    BSW_CHECK (s_commit_points (ex.db, ex.id, S_POINTS, "----o-", NULL) == BSW_TEST_PASS);
    BSW_CHECK_INT (broker_db_sweep_set_state (ex.db, ex.id, BROKER_SWEEP_FINISHED, &err), 0);
    BSW_CHECK_INT (broker_export_add_new (live, &ended, &err), 0);
    BSW_CHECK (ended);
    BSW_CHECK_INT (broker_export_points_added (live), 5);
    BSW_CHECK_INT (broker_export_finish (live, &err), 0);
    BSW_CHECK_INT (broker_export_bytes (live), mem.size);
    broker_export_destroy (&live);
    broker_export_destroy (&live); // harmless the second time
    BSW_CHECK (live == NULL);
    BSW_CHECK (s_write_file (ex.zip_path, mem.data, mem.size));
    ex.za = zip_open (ex.zip_path, ZIP_RDONLY | ZIP_CHECKCONS, NULL);
    BSW_CHECK (ex.za);
    const uint64_t order[] = {3, 0, 1, 5, 4};
    BSW_CHECK (s_check_order (ex.za, S_POINTS, order, 5, s_tail, 4) == BSW_TEST_PASS);
    for (size_t p = 0; p < 5; p++)
        BSW_CHECK (s_check_series (ex.za, ex.dir, ex.db, ex.id, order[p]) == BSW_TEST_PASS);
    size_t size;
    char *csv = s_entry_bytes (ex.za, "metrics.csv", &size);
    BSW_CHECK (csv && strstr (csv, "\n4,0.5,2.0,ok,") && strstr (csv, "\n5,0.5,3.0,ok,"));
    free (csv);
    zip_close (ex.za);
    ex.za = NULL;

    //  A whole export after one point added on its own.
    mem.size = 0;
    BSW_CHECK_INT (broker_export_new (&live, ex.db, ex.id, s_memory_sink, &mem, &err), 0);
    const uint64_t four = 4;
    BSW_CHECK_INT (broker_export_add_points (live, &four, 1, &err), 0);
    BSW_CHECK_INT (broker_export_add_all (live, NULL, NULL, &err), 0);
    BSW_CHECK_INT (broker_export_points_added (live), 5);
    BSW_CHECK_INT (broker_export_finish (live, &err), 0);
    broker_export_destroy (&live);
    BSW_CHECK (s_write_file (ex.zip_path, mem.data, mem.size));
    free (mem.data);
    ex.za = zip_open (ex.zip_path, ZIP_RDONLY | ZIP_CHECKCONS, NULL);
    BSW_CHECK (ex.za);
    const uint64_t order2[] = {4, 0, 1, 3, 5};
    BSW_CHECK (s_check_order (ex.za, S_POINTS, order2, 5, s_tail, 4) == BSW_TEST_PASS);
    BSW_CHECK (s_check_series (ex.za, ex.dir, ex.db, ex.id, 4) == BSW_TEST_PASS);
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
//  results.metrics, and (before schema 4) each series as the worker's
//  TimeSeriesRegion file, small ones in the database, others in ts/ files.
//  Once the broker opens it, its export's metrics.csv is byte for byte
//  that of the same results stored today, TVB_metrics still has the bare
//  tokens TVB writes, and every series exports to the same array.
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
    //  The files the workers of then sent: the export's own.
    static const uint64_t ok_points[] = {0, 1, 3, 4};
    void *images[4];
    size_t image_sizes[4];
    bsw_error_t err;
    for (size_t p = 0; p < 4; p++)
        BSW_CHECK_MSG (broker_export_series_image (ex.db, ex.id, ok_points[p], &images[p],
                                                   &image_sizes[p], &err) == 0,
                       "%s", err.text);
    broker_db_close (&ex.db);

    //  Back to schema 2: points 0 and 1 in the database, 3 and 4 as files,
    //  no series file, each ok row's metrics as the old broker wrote them.
    char db_path[128], sql[1024], path[256];
    snprintf (db_path, sizeof db_path, "%s/brainsweep.db", ex.dir);
    sqlite3 *raw = NULL;
    BSW_CHECK_INT (sqlite3_open (db_path, &raw), SQLITE_OK);
    BSW_CHECK_INT (sqlite3_exec (raw,
                                 "CREATE TABLE timeseries (sweep INTEGER NOT NULL, point INTEGER"
                                 " NOT NULL, data BLOB NOT NULL, PRIMARY KEY (sweep, point))"
                                 " WITHOUT ROWID;"
                                 "ALTER TABLE results DROP COLUMN series_offset;"
                                 "ALTER TABLE results DROP COLUMN series_size;"
                                 "ALTER TABLE results DROP COLUMN series_encoding;"
                                 "ALTER TABLE sweeps DROP COLUMN owner;"
                                 "ALTER TABLE sweeps DROP COLUMN parent;"
                                 "ALTER TABLE sweeps DROP COLUMN level;"
                                 "DROP TABLE refinements;",
                                 NULL, NULL, NULL),
                   SQLITE_OK);
    snprintf (path, sizeof path, "%s/sweeps/%" PRIu64 "/ts", ex.dir, ex.id);
    BSW_CHECK (mkdir (path, 0755) == 0);
    for (size_t p = 0; p < 4; p++) {
        uint64_t k = ok_points[p];
        if (k < 2) {
            sqlite3_stmt *st = NULL;
            BSW_CHECK_INT (sqlite3_prepare_v2 (raw, "INSERT INTO timeseries VALUES (?1, ?2, ?3)",
                                               -1, &st, NULL),
                           SQLITE_OK);
            sqlite3_bind_int64 (st, 1, (int64_t) ex.id);
            sqlite3_bind_int64 (st, 2, (int64_t) k);
            sqlite3_bind_blob (st, 3, images[p], (int) image_sizes[p], SQLITE_STATIC);
            BSW_CHECK_INT (sqlite3_step (st), SQLITE_DONE);
            sqlite3_finalize (st);
        } else {
            snprintf (path, sizeof path, "%s/sweeps/%" PRIu64 "/ts/%" PRIu64 ".h5", ex.dir, ex.id,
                      k);
            BSW_CHECK (s_write_file (path, images[p], image_sizes[p]));
        }
        free (images[p]);
    }
    snprintf (path, sizeof path, "%s/sweeps/%" PRIu64 "/series.bin", ex.dir, ex.id);
    BSW_CHECK (unlink (path) == 0);
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

    BSW_CHECK_MSG (broker_db_open (&ex.db, ex.dir, &err) == 0, "%s", err.text);
    snprintf (path, sizeof path, "%s/sweeps/%" PRIu64 "/ts", ex.dir, ex.id);
    BSW_CHECK (!s_exists (path));
    snprintf (ex.zip_path, sizeof ex.zip_path, "%s/old.zip", ex.dir);
    BSW_CHECK (s_export_open (&ex, ZIP_RDONLY) == BSW_TEST_PASS);
    char *old_csv = s_entry_bytes (ex.za, "metrics.csv", &old_size);
    BSW_CHECK (old_csv && old_size == size && memcmp (old_csv, csv, size) == 0);
    BSW_CHECK (strstr (csv, ",NaN,") && strstr (csv, ",-Infinity\n"));
    free (csv);
    free (old_csv);
    char name[160];
    s_entry_name (name, sizeof name, S_POINTS + 2, "DatatypeMeasure", ex.uuid, 1);
    BSW_CHECK (s_extract (ex.za, name, ex.dir, path, sizeof path) == 0);
    char *json = s_metrics_json (1);
    S_CHECK_ATTR (path, "TVB_metrics", json);
    free (json);
    unlink (path);
    for (size_t p = 0; p < 4; p++)
        BSW_CHECK (s_check_series (ex.za, ex.dir, ex.db, ex.id, ok_points[p]) == BSW_TEST_PASS);
    s_export_end (&ex);
    return BSW_TEST_PASS;
}

//  --------------------------------------------------------------------------
//  Designs that are not grids, and families

//  A metrics.csv line split on ',' keeping empty fields; returns the count.
static size_t
s_csv_fields (char *line, char **fields, size_t max)
{
    size_t n = 0;
    for (char *p = line; n < max;) {
        fields[n++] = p;
        char *comma = strchr (p, ',');
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

//  The view models of point k of the sweep `uuid` in folder `folder` (and
//  its metric folder) record the point's own values: TVB_range_values
//  holds spec_point_values' numbers exactly, keys in the spec's order, and
//  the model's view model each model.<name> value; TVB_ranges is `ranges`.
static int
s_check_point_values (zip_t *za, const char *dir, const char *uuid, const spec_t *spec, uint64_t k,
                      uint64_t folder, uint64_t metric_folder, const char *ranges)
{
    double values[8];
    BSW_CHECK (spec->n_ranges <= 8);
    spec_point_values (spec, k, values);
    char name[160], path[256];
    for (int metric = 0; metric < 2; metric++) {
        s_entry_name (name, sizeof name, metric ? metric_folder : folder,
                      metric ? "TimeseriesMetricsAdapterModel" : "SimulatorAdapterModel", uuid, k);
        BSW_CHECK_MSG (s_extract (za, name, dir, path, sizeof path) == 0, "%s", name);
        S_CHECK_ATTR (path, "TVB_ranges", ranges);
        char *text = s_attr (path, "TVB_range_values");
        json_error_t jerr;
        json_t *root = json_loads (text, JSON_REJECT_DUPLICATES, &jerr);
        BSW_CHECK_MSG (root && json_object_size (root) == spec->n_ranges, "%s", text);
        const char *key;
        json_t *value;
        size_t r = 0;
        json_object_foreach (root, key, value)
        {
            BSW_CHECK_STR (key, spec->ranges[r].parameter);
            BSW_CHECK_MSG (json_number_value (value) == values[r], "%s: %s", name, text);
            r++;
        }
        json_decref (root);
        free (text);
        unlink (path);
    }
    s_entry_name (name, sizeof name, folder, "Generic2dOscillator", uuid, k);
    BSW_CHECK (s_extract (za, name, dir, path, sizeof path) == 0);
    for (size_t r = 0; r < spec->n_ranges; r++)
        if (!strncmp (spec->ranges[r].parameter, "model.", 6))
            BSW_CHECK_DOUBLE_EQ (s_param (path, spec->ranges[r].parameter + 6), values[r]);
    unlink (path);
    return BSW_TEST_PASS;
}

//  6 points over model.I in [-1, 1) and model.a in [0.5, 3), or listed.
#define S_DESIGN_BASE                                                                              \
    "{\"simulation_length\": 10, \"model\": {\"variables_of_interest\": [\"V\", \"W\"]},"
#define S_BOX                                                                                      \
    " \"ranges\": [{\"parameter\": \"model.I\", \"lo\": -1, \"hi\": 1},"                           \
    " {\"parameter\": \"model.a\", \"lo\": 0.5, \"hi\": 3}]"
#define S_BOX_RANGES                                                                               \
    "[\"[\\\"model.I\\\", {\\\"lo\\\": -1.0, \\\"step\\\": 0.0, \\\"hi\\\": 1.0}]\", "             \
    "\"[\\\"model.a\\\", {\\\"lo\\\": 0.5, \\\"step\\\": 0.0, \\\"hi\\\": 3.0}]\"]"
//  The listed points' bounds: I from -0.7 to 0.9, a from 1.0 to 2.75.
#define S_POINTS_RANGES                                                                            \
    "[\"[\\\"model.I\\\", {\\\"lo\\\": -0.7, \\\"step\\\": 0.0, \\\"hi\\\": 0.9}]\", "             \
    "\"[\\\"model.a\\\", {\\\"lo\\\": 1.0, \\\"step\\\": 0.0, \\\"hi\\\": 2.75}]\"]"

/*  A sweep that is not a grid (random, lhs and sobol samples, a list of
    points) exports every ok point's series and view models as a grid's,
    with the point's own values in TVB_range_values and the model's view
    model; TVB_ranges holds the bounds with step 0.0; metrics.csv has the
    grid's header and spec_point_values' numbers; sweep.json parses back to
    the same points; README.txt says what TVB makes of it, and there is no
    PSE view yet. */
static int
s_test_designs (void)
{
    static const struct {
        const char *spec, *method, *ranges;
    } designs[] = {
        {S_DESIGN_BASE S_BOX ", \"sampling\": {\"method\": \"sobol\", \"points\": 6}}", "sobol",
         S_BOX_RANGES},
        {S_DESIGN_BASE S_BOX
         ", \"sampling\": {\"method\": \"random\", \"points\": 6, \"seed\": 3}}",
         "random", S_BOX_RANGES},
        {S_DESIGN_BASE S_BOX ", \"sampling\": {\"method\": \"lhs\", \"points\": 6, \"seed\": 3}}",
         "lhs", S_BOX_RANGES},
        {S_DESIGN_BASE
         " \"points\": [{\"model.I\": 0.3, \"model.a\": 1.2},"
         " {\"model.I\": -0.7, \"model.a\": 2.5}, {\"model.I\": 0.9, \"model.a\": 1.0},"
         " {\"model.I\": 0.1, \"model.a\": 2.75}, {\"model.I\": 0.30000000000000004,"
         " \"model.a\": 1.2}, {\"model.I\": 0.0, \"model.a\": 2.0}]}",
         "points", S_POINTS_RANGES},
    };
    static const uint64_t ok_points[] = {0, 1, 3, 4};
    static const char *const status[] = {"ok", "ok", "failed", "ok", "ok", "pending"};
    static const char *const tail[] = {"metrics.csv", "sweep.json", "pse.svg", "pse.html",
                                       "README.txt"};
    for (size_t d = 0; d < sizeof designs / sizeof designs[0]; d++) {
        s_export_t ex;
        BSW_CHECK (s_sweep_fixture (&ex, designs[d].spec, S_POINTS, "oofoo-") == BSW_TEST_PASS);
        BSW_CHECK (s_export_open (&ex, ZIP_RDONLY | ZIP_CHECKCONS) == BSW_TEST_PASS);
        bsw_error_t err;
        spec_t *spec = NULL;
        BSW_CHECK_MSG (spec_load_string (&spec, designs[d].spec, strlen (designs[d].spec), "spec",
                                         NULL, &err) == 0,
                       "%s", err.text);
        BSW_CHECK (!spec_is_grid (spec));
        BSW_CHECK_STR (spec_design_name (spec->design), designs[d].method);
        BSW_CHECK_INT (spec_points (spec), S_POINTS);

        //  The grid's layout; the PSE view a scatter of every point.
        BSW_CHECK (s_check_order (ex.za, S_POINTS, ok_points, 4, tail, 5) == BSW_TEST_PASS);
        size_t view_size;
        char *svg = s_entry_bytes (ex.za, "pse.svg", &view_size);
        char *html = s_entry_bytes (ex.za, "pse.html", &view_size);
        BSW_CHECK (svg && html);
        size_t markers = 0;
        for (const char *at = svg; (at = strstr (at, "stroke-miterlimit:7;")); at++)
            markers++;
        BSW_CHECK_INT (markers, S_POINTS);
        BSW_CHECK (strstr (html, "\"scatter\":true") && strstr (html, "\"coords\":["));
        free (svg);
        free (html);
        for (size_t p = 0; p < 4; p++) {
            uint64_t k = ok_points[p];
            BSW_CHECK (s_check_series (ex.za, ex.dir, ex.db, ex.id, k) == BSW_TEST_PASS);
            BSW_CHECK_MSG (s_check_point_values (ex.za, ex.dir, ex.uuid, spec, k, k + 1,
                                                 S_POINTS + k + 1,
                                                 designs[d].ranges) == BSW_TEST_PASS,
                           "%s point %" PRIu64, designs[d].method, k);
        }

        //  metrics.csv: the grid's header, each point's values.
        size_t size;
        char *csv = s_entry_bytes (ex.za, "metrics.csv", &size);
        BSW_CHECK (csv);
        char *save = NULL, *line = strtok_r (csv, "\n", &save);
        BSW_CHECK_STR (line, "point,model.I,model.a,status,GlobalVariance,KuramotoIndex,"
                             "Metastability,Synchrony,VarianceNodeVariance");
        for (uint64_t k = 0; k < S_POINTS; k++) {
            line = strtok_r (NULL, "\n", &save);
            BSW_CHECK (line);
            char *fields[16];
            BSW_CHECK_INT (s_csv_fields (line, fields, 16), 9);
            double values[2], metrics[5];
            spec_point_values (spec, k, values);
            s_metrics_of (k, metrics);
            BSW_CHECK_INT (strtoull (fields[0], NULL, 10), k);
            BSW_CHECK_DOUBLE_EQ (strtod (fields[1], NULL), values[0]);
            BSW_CHECK_DOUBLE_EQ (strtod (fields[2], NULL), values[1]);
            BSW_CHECK_STR (fields[3], status[k]);
            if (!strcmp (status[k], "ok"))
                BSW_CHECK_DOUBLE_EQ (strtod (fields[4], NULL), metrics[0]);
            else
                BSW_CHECK_STR (fields[4], "");
        }
        BSW_CHECK (strtok_r (NULL, "\n", &save) == NULL);
        free (csv);

        //  sweep.json: the spec as submitted, the same points again.
        char *json = s_entry_bytes (ex.za, "sweep.json", &size);
        BSW_CHECK_STR (json, designs[d].spec);
        spec_t *again = NULL;
        BSW_CHECK (spec_load_string (&again, json, size, "sweep.json", NULL, &err) == 0);
        BSW_CHECK_INT (spec_points (again), S_POINTS);
        for (uint64_t k = 0; k < S_POINTS; k++) {
            double a[2], b[2];
            spec_point_values (spec, k, a);
            spec_point_values (again, k, b);
            BSW_CHECK (a[0] == b[0] && a[1] == b[1]);
        }
        spec_destroy (&again);
        free (json);

        //  README.txt names the design and what TVB cannot do with it.
        char *readme = s_entry_bytes (ex.za, "README.txt", &size);
        BSW_CHECK (readme && strstr (readme, "This sweep is not a grid") &&
                   strstr (readme, designs[d].method) && strstr (readme, "step 0.0") &&
                   strstr (readme, "PSE viewers are made for grids") &&
                   strstr (readme, "pse.svg and pse.html show the metrics"));
        free (readme);
        spec_destroy (&spec);
        s_export_end (&ex);
    }
    return BSW_TEST_PASS;
}

//  A family: the 6-point grid s_spec (level 0), a refinement ranging over
//  the same parameters in the other order (level 1, a "values" grid of 2
//  points), and a list of 3 points (level 2).
static const char s_level1[] =
    "{\"simulation_length\": 10, \"model\": {\"variables_of_interest\": [\"V\", \"W\"]},"
    " \"ranges\": [{\"parameter\": \"model.a\", \"values\": [1.5, 2.5]},"
    " {\"parameter\": \"model.I\", \"values\": [0.25]}]}";
static const char s_level2[] =
    "{\"simulation_length\": 10, \"model\": {\"variables_of_interest\": [\"V\", \"W\"]},"
    " \"points\": [{\"model.I\": 0.125, \"model.a\": 1.25},"
    " {\"model.I\": 0.375, \"model.a\": 1.75},"
    " {\"model.I\": 0.125, \"model.a\": 2.25}]}";

typedef struct {
    const char *spec;
    unsigned level;
    uint64_t points;
    const char *status;
    uint64_t id;
    char uuid[37];
} s_member_fixture_t;

/*  The family's zip (broker_export_build_family): each member's ok points
    in folders numbered through the family, with the member's own GIDs,
    series and values; one connectivity; metrics.csv with the level column
    and every member's rows, values in the parent's column order;
    sweep.json the parent's spec and refinements/level-L.json the others';
    README.txt on the family. Then the order and axes a family must have,
    and a live family export (add_points by family number, add_new until
    every member has ended). */
static int
s_test_family (void)
{
    s_export_t ex;
    BSW_CHECK (s_sweep_fixture (&ex, s_spec, S_POINTS, "oofoo-") == BSW_TEST_PASS);
    s_member_fixture_t fam[] = {{s_spec, 0, S_POINTS, "oofoo-", ex.id, ""},
                                {s_level1, 1, 2, "fo", 0, ""},
                                {s_level2, 2, 3, "o-o", 0, ""}};
    memcpy (fam[0].uuid, ex.uuid, 37);
    for (size_t i = 1; i < 3; i++)
        BSW_CHECK (s_make_sweep (ex.db, fam[i].spec, fam[i].points, fam[i].status, &fam[i].id,
                                 fam[i].uuid) == 0);
    broker_export_member_t members[3];
    for (size_t i = 0; i < 3; i++)
        members[i] = (broker_export_member_t){fam[i].id, fam[i].level};
    bsw_error_t err;
    s_progress_t progress = {0, 0, 0, true};
    BSW_CHECK_MSG (broker_export_build_family (ex.db, members, 3, ex.zip_path, s_on_progress,
                                               &progress, &err) == 0,
                   "%s", err.text);
    enum { P = 11 };
    BSW_CHECK (progress.monotonic && progress.done == P && progress.total == P);
    ex.za = zip_open (ex.zip_path, ZIP_RDONLY | ZIP_CHECKCONS, NULL);
    BSW_CHECK (ex.za);

    //  Every ok point's folders, numbered through the family.
    size_t n_ok = 0;
    uint64_t first = 0;
    for (size_t i = 0; i < 3; i++) {
        spec_t *spec = NULL;
        BSW_CHECK (
            spec_load_string (&spec, fam[i].spec, strlen (fam[i].spec), "spec", NULL, &err) == 0);
        char *ranges = broker_export_ranges_json (spec);
        for (uint64_t k = 0; k < fam[i].points; k++) {
            if (fam[i].status[k] != 'o')
                continue;
            uint64_t g = first + k;
            BSW_CHECK (s_check_series_in (ex.za, ex.dir, ex.db, fam[i].id, k, g + 1) ==
                       BSW_TEST_PASS);
            BSW_CHECK (s_check_point_values (ex.za, ex.dir, fam[i].uuid, spec, k, g + 1, P + g + 1,
                                             ranges) == BSW_TEST_PASS);
            char name[160];
            s_entry_name (name, sizeof name, P + g + 1, "DatatypeMeasure", fam[i].uuid, k);
            BSW_CHECK_MSG (zip_name_locate (ex.za, name, 0) >= 0, "%s", name);
            n_ok++;
        }
        free (ranges);
        spec_destroy (&spec);
        first += fam[i].points;
    }
    BSW_CHECK_INT (n_ok, 4 + 1 + 2);
    size_t n;
    char **names = s_entries (ex.za, &n);
    //  6 files per simulation folder, 2 per metric folder; 1 connectivity,
    //  metrics.csv, sweep.json, 2 refinements, pse.svg, pse.html, README.txt.
    BSW_CHECK_INT (n, n_ok * 8 + 8);
    BSW_CHECK (strncmp (names[0], "connectivity/Connectivity_", 26) == 0);
    static const char *const tail[] = {"metrics.csv",
                                       "sweep.json",
                                       "refinements/level-1.json",
                                       "refinements/level-2.json",
                                       "pse.svg",
                                       "pse.html",
                                       "README.txt"};
    for (size_t t = 0; t < 7; t++)
        BSW_CHECK_STR (names[n - 7 + t], tail[t]);
    s_entries_free (names, n);
    size_t size;
    for (size_t i = 0; i < 3; i++) {
        char *json = s_entry_bytes (ex.za, i ? tail[1 + i] : "sweep.json", &size);
        BSW_CHECK_STR (json, fam[i].spec);
        free (json);
    }
    char *readme = s_entry_bytes (ex.za, "README.txt", &size);
    BSW_CHECK_MSG (readme && strstr (readme, "a family of sweeps") &&
                       strstr (readme, "refinements/level-L.json") &&
                       strstr (readme, "Sweep 3 is not a grid"),
                   "%s", readme);
    free (readme);
    //  The PSE view: every point of the family at its level.
    char *html = s_entry_bytes (ex.za, "pse.html", &size);
    BSW_CHECK (html && strstr (html, "\"scatter\":true") &&
               strstr (html, "\"levels\":[0,0,0,0,0,0,1,1,2,2,2]"));
    free (html);

    //  metrics.csv: every point of every member, values in the parent's
    //  order (I, a) whatever the member's.
    static const double values[P][2] = {{0.0, 1.0},    {0.0, 2.0},    {0.0, 3.0},   {0.5, 1.0},
                                        {0.5, 2.0},    {0.5, 3.0},    {0.25, 1.5},  {0.25, 2.5},
                                        {0.125, 1.25}, {0.375, 1.75}, {0.125, 2.25}};
    char *csv = s_entry_bytes (ex.za, "metrics.csv", &size);
    BSW_CHECK (csv);
    char *save = NULL, *line = strtok_r (csv, "\n", &save);
    BSW_CHECK_STR (line, "point,model.I,model.a,level,status,GlobalVariance,KuramotoIndex,"
                         "Metastability,Synchrony,VarianceNodeVariance");
    uint64_t g = 0;
    for (size_t i = 0; i < 3; i++)
        for (uint64_t k = 0; k < fam[i].points; k++, g++) {
            line = strtok_r (NULL, "\n", &save);
            BSW_CHECK (line);
            char *fields[16];
            BSW_CHECK_INT (s_csv_fields (line, fields, 16), 10);
            BSW_CHECK_INT (strtoull (fields[0], NULL, 10), g);
            BSW_CHECK_DOUBLE_EQ (strtod (fields[1], NULL), values[g][0]);
            BSW_CHECK_DOUBLE_EQ (strtod (fields[2], NULL), values[g][1]);
            BSW_CHECK_INT (strtoul (fields[3], NULL, 10), fam[i].level);
            char c = fam[i].status[k];
            BSW_CHECK_STR (fields[4], c == 'o' ? "ok" : c == 'f' ? "failed" : "pending");
            double metrics[5];
            s_metrics_of (k, metrics);
            if (c == 'o')
                BSW_CHECK_DOUBLE_EQ (strtod (fields[5], NULL), metrics[0]);
            else
                BSW_CHECK_STR (fields[5], "");
        }
    BSW_CHECK (strtok_r (NULL, "\n", &save) == NULL);
    free (csv);
    zip_close (ex.za);
    ex.za = NULL;

    //  The parent first, then rising levels, each sweep once; refinements
    //  over the parent's parameters. Nothing is left behind.
    static const char other[] =
        "{\"simulation_length\": 10, \"ranges\": [{\"parameter\": \"model.b\", \"values\": [1.0]},"
        " {\"parameter\": \"model.I\", \"values\": [0.25]}]}";
    uint64_t other_id;
    char other_uuid[37];
    BSW_CHECK (s_make_sweep (ex.db, other, 1, "o", &other_id, other_uuid) == 0);
    unlink (ex.zip_path);
    const struct {
        broker_export_member_t members[3];
        size_t count;
        int code;
    } bad[] = {
        {{{fam[1].id, 1}, {fam[0].id, 0}}, 2, BSW_EINVAL},
        {{{fam[0].id, 0}, {fam[2].id, 2}, {fam[1].id, 1}}, 3, BSW_EINVAL},
        {{{fam[0].id, 0}, {fam[1].id, 1}, {fam[1].id, 1}}, 3, BSW_EINVAL},
        {{{fam[0].id, 0}, {fam[1].id, 0}}, 2, BSW_EINVAL},
        {{{fam[0].id, 0}}, 0, BSW_EINVAL},
        {{{fam[0].id, 0}, {other_id, 1}}, 2, BSW_EFORMAT},
        {{{fam[0].id, 0}, {9999, 1}}, 2, BSW_ENOTFOUND},
    };
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        BSW_CHECK_MSG (broker_export_build_family (ex.db, bad[b].members, bad[b].count, ex.zip_path,
                                                   NULL, NULL, &err) == bad[b].code,
                       "case %zu: %s", b, err.text);
        BSW_CHECK_MSG (bsw_test_dir_entries (ex.out) == 0, "case %zu", b);
    }
    BSW_CHECK (strstr (err.text, "sweep 9999"));

    //  Live: point 7 (level 1's point 1) by its family number, then
    //  whatever is new until every member has ended.
    s_memory_t mem = {0};
    broker_export_t *live = NULL;
    BSW_CHECK_MSG (broker_export_new_family (&live, ex.db, members, 3, s_memory_sink, &mem, &err) ==
                       0,
                   "%s", err.text);
    const uint64_t seven = 7;
    BSW_CHECK_INT (broker_export_add_points (live, &seven, 1, &err), 0);
    BSW_CHECK_INT (broker_export_points_added (live), 1);
    for (size_t i = 0; i < 2; i++)
        BSW_CHECK_INT (broker_db_sweep_set_state (ex.db, fam[i].id, BROKER_SWEEP_FINISHED, &err),
                       0);
    bool ended = true;
    BSW_CHECK_INT (broker_export_add_new (live, &ended, &err), 0);
    BSW_CHECK (!ended); // level 2 runs
    BSW_CHECK_INT (broker_export_points_added (live), n_ok);
    BSW_CHECK (s_commit_points (ex.db, fam[2].id, 3, "-o-", NULL) == BSW_TEST_PASS);
    BSW_CHECK_INT (broker_db_sweep_set_state (ex.db, fam[2].id, BROKER_SWEEP_FINISHED, &err), 0);
    BSW_CHECK_INT (broker_export_add_new (live, &ended, &err), 0);
    BSW_CHECK (ended);
    BSW_CHECK_INT (broker_export_points_added (live), n_ok + 1);
    BSW_CHECK_INT (broker_export_finish (live, &err), 0);
    broker_export_destroy (&live);
    BSW_CHECK (s_write_file (ex.zip_path, mem.data, mem.size));
    free (mem.data);
    ex.za = zip_open (ex.zip_path, ZIP_RDONLY | ZIP_CHECKCONS, NULL);
    BSW_CHECK (ex.za);
    names = s_entries (ex.za, &n);
    char want[160];
    s_entry_name (want, sizeof want, 8, "TimeSeriesRegion", fam[1].uuid, 1);
    BSW_CHECK_STR (names[1], want); // point 7 first
    s_entries_free (names, n);
    BSW_CHECK (s_check_series_in (ex.za, ex.dir, ex.db, fam[2].id, 1, 6 + 2 + 1 + 1) ==
               BSW_TEST_PASS);
    csv = s_entry_bytes (ex.za, "metrics.csv", &size);
    BSW_CHECK (csv && strstr (csv, "\n9,0.375,1.75,2,ok,"));
    free (csv);
    s_export_end (&ex);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"simulation_files", s_test_simulation_files},
                                          {"metric_files", s_test_metric_files},
                                          {"metrics_csv", s_test_metrics_csv},
                                          {"stochastic", s_test_stochastic},
                                          {"other_models", s_test_other_models},
                                          {"connectivity", s_test_connectivity},
                                          {"failures", s_test_failures},
                                          {"bad_series", s_test_bad_series},
                                          {"tiny", s_test_tiny},
                                          {"mixed", s_test_mixed},
                                          {"keep_metrics", s_test_keep_metrics},
                                          {"live", s_test_live},
                                          {"pse_view", s_test_pse_view},
                                          {"stored_metrics", s_test_stored_metrics},
                                          {"old_metrics", s_test_old_metrics},
                                          {"designs", s_test_designs},
                                          {"family", s_test_family},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
