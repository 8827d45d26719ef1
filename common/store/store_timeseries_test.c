/*  store_timeseries_test.c - TimeSeriesRegion v5 files and the store_h5
    layer under them, checked attribute by attribute against TVB.md
    11.3-11.4 with store_h5read (and libhdf5 directly for storage layout).
    Also the other files of store_tvbfiles (11.5-11.7), which have no test
    target of their own.

    Every case that writes has a folder of its own (bsw_test_dir.h, through
    s_folder_fixture) and removes it after.
*/
#include "store_timeseries.h"
#include "store_timeseries_template.h"
#include "store_h5.h"
#include "store_h5read.h"
#include "store_tvbfiles.h"
#include "bsw_test.h"
#include "bsw_util.h"
#include "bsw_test_dir.h"

#include <hdf5.h>

#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define S_GID      "01234567-89ab-4cde-8f01-23456789abcd"
#define S_CONN_GID "fedcba98-7654-4321-8fed-cba987654321"
#define S_DATE     "2024-01-01,12-00-00.000000"

//  A small series: T=5 samples of 2 VOIs on 3 nodes, values i*0.25 - 1.
enum { S_T = 5, S_VOI = 2, S_N = 3 };
static double s_data[S_T * S_VOI * S_N];
static double s_time[S_T];
static const char *const s_voi[] = {"V", "W"};

static store_timeseries_t
s_series (void)
{
    for (size_t i = 0; i < S_T * S_VOI * S_N; i++)
        s_data[i] = (double) i * 0.25 - 1.0;
    for (size_t t = 0; t < S_T; t++)
        s_time[t] = 0.48828125 + (double) t * 0.9765625;
    store_timeseries_t ts = {
        .gid = S_GID,
        .connectivity_gid = S_CONN_GID,
        .monitor = "TemporalAverage",
        .voi_names = s_voi,
        .n_voi = S_VOI,
        .n_time = S_T,
        .n_nodes = S_N,
        .data = s_data,
        .time = s_time,
        .sample_period = 0.9765625,
        .create_date = S_DATE,
    };
    return ts;
}

//  The fixture of the cases that write: a new folder of their own into dir
//  (bsw_test_dir.h) and into path (BSW_TEST_DIR_PATH_MAX bytes) the file
//  `name` in it, not yet made. False when the folder cannot be made. The
//  case ends with bsw_test_dir_remove (dir).
static bool
s_folder_fixture (char *dir, char *path, const char *name)
{
    if (!bsw_test_dir_new (dir, "store_timeseries_test"))
        return false;
    snprintf (path, BSW_TEST_DIR_PATH_MAX, "%s/%s", dir, name);
    return true;
}

//  The folder fixture with s_series written to ts.h5 in it.
static int
s_written_fixture (char *dir, char *path)
{
    BSW_CHECK (s_folder_fixture (dir, path, "ts.h5"));
    store_timeseries_t ts = s_series ();
    bsw_error_t err;
    BSW_CHECK_MSG (store_timeseries_write (path, &ts, &err) == 0, "%s", err.text);
    return BSW_TEST_PASS;
}

//  Usage: write a series, read it back bit for bit.
static int
s_test_usage (void)
{
    char dir[BSW_TEST_DIR_MAX], path[BSW_TEST_DIR_PATH_MAX];
    BSW_CHECK (
        s_folder_fixture (dir, path, "TimeSeriesRegion_0123456789abcdef0123456789abcdef.h5"));

    store_timeseries_t ts = s_series ();
    bsw_error_t err;
    int rc = store_timeseries_write (path, &ts, &err);
    BSW_CHECK_MSG (rc == 0, "%s", err.text);
    BSW_CHECK_INT (bsw_test_dir_entries (dir), 1); // no temporary file left beside it

    double *data = NULL, *time = NULL;
    size_t dims[STORE_H5_MAX_RANK];
    int rank;
    BSW_CHECK (store_h5_read_doubles (path, "data", &data, dims, &rank, &err) == 0);
    BSW_CHECK_INT (rank, 4);
    BSW_CHECK_INT (dims[0], S_T);
    BSW_CHECK_INT (dims[1], S_VOI);
    BSW_CHECK_INT (dims[2], S_N);
    BSW_CHECK_INT (dims[3], 1);
    BSW_CHECK (memcmp (data, s_data, sizeof s_data) == 0);
    BSW_CHECK (store_h5_read_doubles (path, "time", &time, dims, &rank, &err) == 0);
    BSW_CHECK_INT (rank, 1);
    BSW_CHECK_INT (dims[0], S_T);
    BSW_CHECK (memcmp (time, s_time, sizeof s_time) == 0);
    free (data);
    free (time);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

//  One expected scalar attribute.
typedef struct {
    const char *name;
    store_h5_attr_kind_t kind;
    const char *text; /* for strings */
    double number;    /* for F64 and I64 */
} s_expect_t;

//  Checks every expected attribute's kind and value, then that the object
//  has exactly these attributes (the expectations are sorted by name, as
//  store_h5_attr_names lists them).
static int
s_check_attrs (const char *path, const char *object, const s_expect_t *expect, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char *text = NULL;
        double f64 = 0.0;
        int64_t i64 = 0;
        store_h5_attr_kind_t kind =
            store_h5_read_attr (path, object, expect[i].name, &text, &f64, &i64);
        BSW_CHECK_MSG (kind == expect[i].kind, "%s %s: kind %d, expected %d", object,
                       expect[i].name, (int) kind, (int) expect[i].kind);
        if (kind == STORE_H5_ATTR_STRING_VLEN_UTF8)
            BSW_CHECK_STR (text, expect[i].text);
        else if (kind == STORE_H5_ATTR_F64)
            BSW_CHECK_DOUBLE_EQ (f64, expect[i].number);
        else
            BSW_CHECK_INT (i64, (int64_t) expect[i].number);
        free (text);
    }
    char **names;
    size_t n;
    bsw_error_t err;
    BSW_CHECK (store_h5_attr_names (path, object, &names, &n, &err) == 0);
    BSW_CHECK_INT (n, count);
    for (size_t i = 0; i < n; i++) {
        BSW_CHECK_STR (names[i], expect[i].name);
        free (names[i]);
    }
    free (names);
    return BSW_TEST_PASS;
}

#define S_STR STORE_H5_ATTR_STRING_VLEN_UTF8
#define S_F64 STORE_H5_ATTR_F64
#define S_I64 STORE_H5_ATTR_I64

static int
s_test_root_attributes (void)
{
    char dir[BSW_TEST_DIR_MAX], path[BSW_TEST_DIR_PATH_MAX];
    BSW_CHECK (s_written_fixture (dir, path) == BSW_TEST_PASS);

    //  Sorted by name in byte order (upper case first).
    const s_expect_t expect[] = {
        {"TVB_Data_version", S_I64, NULL, 5},
        {"TVB_connectivity", S_STR, "urn:uuid:" S_CONN_GID, 0},
        {"TVB_create_date", S_STR, S_DATE, 0},
        {"TVB_gid", S_STR, "urn:uuid:" S_GID, 0},
        {"TVB_invalid", S_STR, "bool:False", 0},
        {"TVB_is_nan", S_STR, "bool:False", 0},
        {"TVB_labels_dimensions", S_STR, "{\"State Variable\": [\"V\", \"W\"]}", 0},
        {"TVB_labels_ordering", S_STR, "[\"Time\", \"State Variable\", \"Region\", \"Mode\"]", 0},
        {"TVB_nr_dimensions", S_I64, NULL, 4},
        {"TVB_operation_tag", S_STR, "", 0},
        {"TVB_sample_period", S_F64, NULL, 0.9765625},
        {"TVB_sample_period_unit", S_STR, "ms", 0},
        {"TVB_sample_rate", S_F64, NULL, 1024.0},
        {"TVB_start_time", S_F64, NULL, 0.0},
        {"TVB_state", S_STR, "INTERMEDIATE", 0},
        {"TVB_subject", S_STR, "", 0},
        {"TVB_title", S_STR, "Regions TemporalAverage", 0},
        {"TVB_user_tag_1", S_STR, "", 0},
        {"TVB_user_tag_2", S_STR, "", 0},
        {"TVB_user_tag_3", S_STR, "", 0},
        {"TVB_user_tag_4", S_STR, "", 0},
        {"TVB_user_tag_5", S_STR, "", 0},
        {"TVB_visible", S_STR, "bool:True", 0},
        {"TVB_written_by", S_STR, "tvb.adapters.datatypes.h5.time_series_h5.TimeSeriesRegionH5", 0},
    };
    int rc = s_check_attrs (path, "/", expect, sizeof expect / sizeof expect[0]);
    bsw_test_dir_remove (dir);
    return rc;
}

//  Mean of the test data: values i*0.25 - 1 for i < 30.
static int
s_test_dataset_attributes (void)
{
    char dir[BSW_TEST_DIR_MAX], path[BSW_TEST_DIR_PATH_MAX];
    BSW_CHECK (s_written_fixture (dir, path) == BSW_TEST_PASS);

    const double n = S_T * S_VOI * S_N;
    const s_expect_t data[] = {
        {"TVB_HasComplex", S_STR, "bool:False", 0},
        {"TVB_IsFinite", S_STR, "bool:True", 0},
        {"TVB_Maximum", S_F64, NULL, (n - 1) * 0.25 - 1.0},
        {"TVB_Mean", S_F64, NULL, (n - 1) * 0.125 - 1.0},
        {"TVB_Minimum", S_F64, NULL, -1.0},
    };
    const s_expect_t time[] = {
        {"TVB_HasComplex", S_STR, "bool:False", 0},
        {"TVB_IsFinite", S_STR, "bool:True", 0},
        {"TVB_Maximum", S_F64, NULL, 0.48828125 + 4 * 0.9765625},
        {"TVB_Mean", S_F64, NULL, 0.48828125 + 2 * 0.9765625},
        {"TVB_Minimum", S_F64, NULL, 0.48828125},
    };
    int rc = s_check_attrs (path, "data", data, 5);
    if (rc == BSW_TEST_PASS)
        rc = s_check_attrs (path, "/time", time, 5);
    BSW_CHECK (rc == BSW_TEST_PASS);

    //  Storage as TVB's own files: float64 LE, chunked, unlimited first
    //  dimension, the chunk never longer than the series.
    hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
    BSW_CHECK (file >= 0);
    const char *names[] = {"data", "time"};
    for (int k = 0; k < 2; k++) {
        hid_t dset = H5Dopen2 (file, names[k], H5P_DEFAULT);
        hid_t type = H5Dget_type (dset);
        hid_t space = H5Dget_space (dset);
        hid_t dcpl = H5Dget_create_plist (dset);
        hsize_t cur[4], max[4], chunk[4];
        int rank = H5Sget_simple_extent_dims (space, cur, max);
        BSW_CHECK (H5Tequal (type, H5T_IEEE_F64LE) > 0);
        BSW_CHECK (H5Pget_layout (dcpl) == H5D_CHUNKED);
        BSW_CHECK_INT (H5Pget_chunk (dcpl, 4, chunk), rank);
        BSW_CHECK (max[0] == H5S_UNLIMITED);
        BSW_CHECK_INT (chunk[0], S_T);
        for (int i = 1; i < rank; i++) {
            BSW_CHECK_INT (max[i], cur[i]);
            BSW_CHECK_INT (chunk[i], cur[i]);
        }
        H5Pclose (dcpl);
        H5Sclose (space);
        H5Tclose (type);
        H5Dclose (dset);
    }
    H5Fclose (file);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

//  A NaN anywhere: numpy's min/max/mean are NaN, IsFinite is False.
static int
s_test_nan_data (void)
{
    char dir[BSW_TEST_DIR_MAX], path[BSW_TEST_DIR_PATH_MAX];
    BSW_CHECK (s_folder_fixture (dir, path, "ts.h5"));
    store_timeseries_t ts = s_series ();
    s_data[7] = NAN;
    bsw_error_t err;
    BSW_CHECK_MSG (store_timeseries_write (path, &ts, &err) == 0, "%s", err.text);
    char *text = NULL;
    double f64 = 0.0;
    BSW_CHECK (store_h5_read_attr (path, "data", "TVB_IsFinite", &text, NULL, NULL) == S_STR);
    BSW_CHECK_STR (text, "bool:False");
    free (text);
    const char *stats[] = {"TVB_Minimum", "TVB_Maximum", "TVB_Mean"};
    for (int i = 0; i < 3; i++) {
        BSW_CHECK (store_h5_read_attr (path, "data", stats[i], NULL, &f64, NULL) == S_F64);
        BSW_CHECK (isnan (f64));
    }
    BSW_CHECK (store_h5_read_attr (path, "time", "TVB_IsFinite", &text, NULL, NULL) == S_STR);
    BSW_CHECK_STR (text, "bool:True");
    free (text);

    //  The NaN itself survives the round trip.
    double *data;
    size_t dims[STORE_H5_MAX_RANK];
    int rank;
    BSW_CHECK (store_h5_read_doubles (path, "data", &data, dims, &rank, &err) == 0);
    BSW_CHECK (memcmp (data, s_data, sizeof s_data) == 0);
    free (data);

    //  An infinity without NaN: finite is False, min/max follow it.
    s_data[7] = -INFINITY;
    BSW_CHECK_MSG (store_timeseries_write (path, &ts, &err) == 0, "%s", err.text);
    BSW_CHECK (store_h5_read_attr (path, "data", "TVB_IsFinite", &text, NULL, NULL) == S_STR);
    BSW_CHECK_STR (text, "bool:False");
    free (text);
    BSW_CHECK (store_h5_read_attr (path, "data", "TVB_Minimum", NULL, &f64, NULL) == S_F64);
    BSW_CHECK (isinf (f64) && f64 < 0);
    BSW_CHECK_INT (bsw_test_dir_entries (dir), 1); // overwrote in place, nothing else left
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

//  VOI names are JSON-escaped; the title follows the monitor.
static int
s_test_labels_escaped (void)
{
    char dir[BSW_TEST_DIR_MAX], path[BSW_TEST_DIR_PATH_MAX];
    BSW_CHECK (s_folder_fixture (dir, path, "ts.h5"));
    store_timeseries_t ts = s_series ();
    const char *const odd[] = {"a\"b", "c\\d\n"};
    ts.voi_names = odd;
    ts.monitor = "Raw";
    ts.sample_period = 0.0625;
    bsw_error_t err;
    BSW_CHECK_MSG (store_timeseries_write (path, &ts, &err) == 0, "%s", err.text);
    char *text = NULL;
    double f64;
    BSW_CHECK (store_h5_read_attr (path, "/", "TVB_labels_dimensions", &text, NULL, NULL) == S_STR);
    BSW_CHECK_STR (text, "{\"State Variable\": [\"a\\\"b\", \"c\\\\d\\n\"]}");
    free (text);
    BSW_CHECK (store_h5_read_attr (path, "/", "TVB_title", &text, NULL, NULL) == S_STR);
    BSW_CHECK_STR (text, "Regions Raw");
    free (text);
    BSW_CHECK (store_h5_read_attr (path, "/", "TVB_sample_rate", NULL, &f64, NULL) == S_F64);
    BSW_CHECK_DOUBLE_EQ (f64, 16000.0);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

//  Bad input is refused before any file exists.
static int
s_test_rejects_bad_input (void)
{
    char dir[BSW_TEST_DIR_MAX], path[BSW_TEST_DIR_PATH_MAX];
    BSW_CHECK (s_folder_fixture (dir, path, "ts.h5"));
    bsw_error_t err;

    store_timeseries_t ts = s_series ();
    ts.n_time = 0;
    BSW_CHECK_INT (store_timeseries_write (path, &ts, &err), BSW_EINVAL);
    BSW_CHECK (strstr (err.text, path));
    ts = s_series ();
    ts.gid = "01234567-89AB-4CDE-8F01-23456789ABCD"; // upper case
    BSW_CHECK_INT (store_timeseries_write (path, &ts, &err), BSW_EINVAL);
    ts = s_series ();
    ts.connectivity_gid = "not-a-uuid";
    BSW_CHECK_INT (store_timeseries_write (path, &ts, &err), BSW_EINVAL);
    ts = s_series ();
    ts.sample_period = 0.0;
    BSW_CHECK_INT (store_timeseries_write (path, &ts, &err), BSW_EINVAL);
    BSW_CHECK_INT (bsw_test_dir_entries (dir), 0);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

//  Failed writes report the path and leave nothing at the target.
static int
s_test_failed_write_leaves_nothing (void)
{
    //  The folder does not exist.
    char dir[BSW_TEST_DIR_MAX], path[BSW_TEST_DIR_PATH_MAX];
    BSW_CHECK (s_folder_fixture (dir, path, "missing/ts.h5"));
    store_timeseries_t ts = s_series ();
    bsw_error_t err;
    BSW_CHECK_INT (store_timeseries_write (path, &ts, &err), BSW_EIO);
    BSW_CHECK_MSG (strstr (err.text, path), "%s", err.text);
    BSW_CHECK (access (path, F_OK) != 0);

    //  The target is a folder: the rename fails, the temporary file goes.
    snprintf (path, sizeof path, "%s/taken", dir);
    BSW_CHECK (mkdir (path, 0700) == 0);
    BSW_CHECK_INT (store_timeseries_write (path, &ts, &err), BSW_EIO);
    BSW_CHECK_MSG (strstr (err.text, path), "%s", err.text);
    struct stat st;
    BSW_CHECK (stat (path, &st) == 0 && S_ISDIR (st.st_mode));
    BSW_CHECK_INT (bsw_test_dir_entries (dir), 1);
    BSW_CHECK_INT (bsw_test_dir_entries (path), 0);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

//  A write that fails half-way (the file-size limit stands in for a full
//  disk: EFBIG rather than ENOSPC) leaves neither target nor temporary.
static int
s_test_failed_midway (void)
{
    char dir[BSW_TEST_DIR_MAX], path[BSW_TEST_DIR_PATH_MAX];
    BSW_CHECK (s_folder_fixture (dir, path, "big.h5"));
    enum { T = 4096, N = 76 };
    double *data = calloc ((size_t) T * N, sizeof (double));
    double *time = calloc (T, sizeof (double));
    BSW_CHECK (data && time);
    store_timeseries_t ts = s_series ();
    ts.n_time = T;
    ts.n_voi = 1;
    ts.n_nodes = N;
    ts.data = data;
    ts.time = time;

    struct rlimit old, small;
    BSW_CHECK (getrlimit (RLIMIT_FSIZE, &old) == 0);
    small = old;
    small.rlim_cur = 64 * 1024;
    void (*old_handler) (int) = signal (SIGXFSZ, SIG_IGN);
    BSW_CHECK (setrlimit (RLIMIT_FSIZE, &small) == 0);
    bsw_error_t err;
    int rc = store_timeseries_write (path, &ts, &err);
    setrlimit (RLIMIT_FSIZE, &old);
    signal (SIGXFSZ, old_handler);
    free (data);
    free (time);
    BSW_CHECK_INT (rc, BSW_EIO);
    BSW_CHECK_MSG (strstr (err.text, path), "%s", err.text);
    BSW_CHECK_INT (bsw_test_dir_entries (dir), 0);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

//  The writers later files need: strings, h5py bools, int64, plain f64,
//  attributes on datasets, and sticky errors.
static int
s_test_store_h5_writers (void)
{
    char dir[BSW_TEST_DIR_MAX], path[BSW_TEST_DIR_PATH_MAX];
    BSW_CHECK (s_folder_fixture (dir, path, "Connectivity.h5"));
    bsw_error_t err;
    store_h5_t *h5;
    BSW_CHECK (store_h5_create (&h5, path, &err) == 0);
    store_h5_generic_t generic = {
        S_CONN_GID, "tvb.adapters.datatypes.h5.connectivity_h5.ConnectivityH5", "", true, NULL};
    BSW_CHECK (store_h5_write_generic (h5, &generic) == 0);
    const char *labels[] = {"rA1", "lA1", "r\xc3\xa9"}; // UTF-8 passes through
    const bool hemispheres[] = {true, false, true};
    const int64_t voi[] = {0, 3};
    const double weights[] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    size_t dims[2] = {3, 3}, two = 2;
    BSW_CHECK (store_h5_dataset_strings (h5, "region_labels", labels, 3) == 0);
    BSW_CHECK (store_h5_dataset_bools (h5, "hemispheres", hemispheres, 3) == 0);
    BSW_CHECK (store_h5_dataset_i64 (h5, "variables_of_interest", voi, &two, 1) == 0);
    BSW_CHECK (store_h5_dataset_f64 (h5, "weights", weights, dims, 2, 0) == 0);
    BSW_CHECK (store_h5_attr_i64 (h5, "/", "TVB_number_of_regions", 3) == 0);
    BSW_CHECK (store_h5_attr_string (h5, "/", "TVB_saved_selection", "[]") == 0);
    BSW_CHECK (store_h5_attr_string (h5, "/", "TVB_saved_selection", "[1]") == 0); // replaces
    BSW_CHECK (store_h5_error (h5)->code == 0);
    BSW_CHECK (access (path, F_OK) != 0); // nothing at the target before commit
    BSW_CHECK_MSG (store_h5_commit (&h5, &err) == 0, "%s", err.text);
    BSW_CHECK (h5 == NULL);

    char *text = NULL;
    double f64;
    BSW_CHECK (store_h5_read_attr (path, "/", "TVB_saved_selection", &text, NULL, NULL) == S_STR);
    BSW_CHECK_STR (text, "[1]");
    free (text);
    BSW_CHECK (store_h5_read_attr (path, "/", "TVB_state", &text, NULL, NULL) == S_STR);
    BSW_CHECK_STR (text, "");
    free (text);
    BSW_CHECK (store_h5_read_attr (path, "/", "TVB_create_date", &text, NULL, NULL) == S_STR);
    BSW_CHECK_INT (strlen (text), 26); // "YYYY-MM-DD,HH-MM-SS.ffffff"
    BSW_CHECK (text[4] == '-' && text[10] == ',' && text[13] == '-' && text[19] == '.');
    free (text);
    BSW_CHECK (store_h5_read_attr (path, "region_labels", "TVB_Mean", &text, NULL, NULL) == S_STR);
    BSW_CHECK_STR (text, "");
    free (text);
    BSW_CHECK (store_h5_read_attr (path, "hemispheres", "TVB_Mean", NULL, &f64, NULL) == S_F64);
    BSW_CHECK_DOUBLE_EQ (f64, 2.0 / 3.0);
    BSW_CHECK (store_h5_read_attr (path, "variables_of_interest", "TVB_Maximum", NULL, &f64,
                                   NULL) == S_F64);
    BSW_CHECK_DOUBLE_EQ (f64, 3.0);
    BSW_CHECK (store_h5_read_attr (path, "weights", "TVB_Mean", NULL, &f64, NULL) == S_F64);
    BSW_CHECK_DOUBLE_EQ (f64, 4.0);

    int *ints;
    size_t rdims[STORE_H5_MAX_RANK];
    int rank;
    BSW_CHECK (store_h5_read_ints (path, "variables_of_interest", &ints, rdims, &rank, &err) == 0);
    BSW_CHECK (rank == 1 && rdims[0] == 2 && ints[0] == 0 && ints[1] == 3);
    free (ints);

    //  Types as h5py writes them, checked with libhdf5 directly.
    hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t dset = H5Dopen2 (file, "hemispheres", H5P_DEFAULT);
    hid_t type = H5Dget_type (dset);
    BSW_CHECK (H5Tget_class (type) == H5T_ENUM);
    BSW_CHECK_INT (H5Tget_size (type), 1);
    BSW_CHECK_INT (H5Tget_nmembers (type), 2);
    char name[8];
    signed char value = 1, got[3];
    BSW_CHECK (H5Tenum_nameof (type, &value, name, sizeof name) >= 0);
    BSW_CHECK_STR (name, "TRUE");
    BSW_CHECK (H5Dread (dset, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, got) >= 0);
    BSW_CHECK (got[0] == 1 && got[1] == 0 && got[2] == 1);
    H5Tclose (type);
    H5Dclose (dset);
    dset = H5Dopen2 (file, "region_labels", H5P_DEFAULT);
    type = H5Dget_type (dset);
    BSW_CHECK (H5Tis_variable_str (type) > 0 && H5Tget_cset (type) == H5T_CSET_UTF8);
    char *read[3];
    BSW_CHECK (H5Dread (dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, read) >= 0);
    BSW_CHECK_STR (read[2], labels[2]);
    for (int i = 0; i < 3; i++)
        H5free_memory (read[i]);
    H5Tclose (type);
    H5Dclose (dset);
    dset = H5Dopen2 (file, "variables_of_interest", H5P_DEFAULT);
    type = H5Dget_type (dset);
    BSW_CHECK (H5Tequal (type, H5T_STD_I64LE) > 0);
    H5Tclose (type);
    H5Dclose (dset);
    H5Fclose (file);

    //  Sticky errors: a bad urn fails the file; later calls do nothing;
    //  commit reports the first sentence and leaves nothing.
    snprintf (path, sizeof path, "%s/bad.h5", dir);
    BSW_CHECK (store_h5_create (&h5, path, &err) == 0);
    BSW_CHECK_INT (store_h5_attr_urn (h5, "/", "TVB_gid", "nope"), BSW_EINVAL);
    BSW_CHECK_INT (store_h5_attr_f64 (h5, "/", "TVB_dt", 0.1), BSW_EINVAL);
    BSW_CHECK_INT (store_h5_commit (&h5, &err), BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "TVB_gid") && strstr (err.text, path), "%s", err.text);
    //  An HDF5 failure: attributes of an object that does not exist.
    BSW_CHECK (store_h5_create (&h5, path, &err) == 0);
    BSW_CHECK_INT (store_h5_attr_f64 (h5, "nothing", "TVB_x", 1.0), BSW_EIO);
    BSW_CHECK_MSG (strstr (store_h5_error (h5)->text, "nothing"), "%s", store_h5_error (h5)->text);
    store_h5_destroy (&h5);
    store_h5_destroy (&h5); // harmless the second time
    BSW_CHECK_INT (bsw_test_dir_entries (dir), 1);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

static int
s_test_date_format (void)
{
    char date[STORE_H5_DATE_BUF];
    store_h5_date_now (date);
    BSW_CHECK_INT (strlen (date), 26);
    for (int i = 0; i < 26; i++) {
        char c = date[i];
        if (i == 4 || i == 7 || i == 13 || i == 16)
            BSW_CHECK_MSG (c == '-', "%s", date);
        else if (i == 10)
            BSW_CHECK_MSG (c == ',', "%s", date);
        else if (i == 19)
            BSW_CHECK_MSG (c == '.', "%s", date);
        else
            BSW_CHECK_MSG (c >= '0' && c <= '9', "%s", date);
    }
    return BSW_TEST_PASS;
}

//  A simulated point's series: every field from the point (sim_run.h), the
//  GIDs from the caller, the date now and no deflate.
static int
s_test_of_point (void)
{
    double data[5 * 2 * 3], time[5] = {1, 2, 3, 4, 5};
    sim_run_point_t point = {.data = data,
                             .time = time,
                             .samples = 5,
                             .n_voi = 2,
                             .n_nodes = 3,
                             .voi_names = {"V", "W"},
                             .monitor = "SubSample",
                             .sample_period = 0.5};
    store_timeseries_t ts = store_timeseries_of_point (&point, S_GID, S_CONN_GID);
    BSW_CHECK_STR (ts.gid, S_GID);
    BSW_CHECK_STR (ts.connectivity_gid, S_CONN_GID);
    BSW_CHECK_STR (ts.monitor, "SubSample");
    BSW_CHECK (ts.voi_names == point.voi_names);
    BSW_CHECK_INT (ts.n_voi, 2);
    BSW_CHECK_INT (ts.n_time, 5);
    BSW_CHECK_INT (ts.n_nodes, 3);
    BSW_CHECK (ts.data == data && ts.time == time);
    BSW_CHECK_DOUBLE_EQ (ts.sample_period, 0.5);
    BSW_CHECK (ts.create_date == NULL);
    BSW_CHECK_INT (ts.deflate, 0);
    return BSW_TEST_PASS;
}

//  The TVB reference output: gzip-compressed, int32 idelays.
static int
s_test_reference_output (void)
{
    const char *shared = bsw_test_shared_dir ();
    if (!shared)
        return BSW_TEST_SKIP;
    char path[4096];
    snprintf (path, sizeof path, "%s/reference/default/output.h5", shared);
    double *data;
    int *idelays;
    size_t dims[STORE_H5_MAX_RANK];
    int rank;
    bsw_error_t err;
    BSW_CHECK_MSG (store_h5_read_doubles (path, "data", &data, dims, &rank, &err) == 0, "%s",
                   err.text);
    BSW_CHECK_INT (rank, 4);
    BSW_CHECK (dims[0] == 1024 && dims[1] == 2 && dims[2] == 76 && dims[3] == 1);
    for (size_t i = 0; i < 1024 * 2 * 76; i++)
        BSW_CHECK (isfinite (data[i]));
    free (data);
    BSW_CHECK_MSG (store_h5_read_ints (path, "idelays", &idelays, dims, &rank, &err) == 0, "%s",
                   err.text);
    BSW_CHECK (rank == 2 && dims[0] == 76 && dims[1] == 76);
    int positive = 0;
    for (size_t i = 0; i < 76 * 76; i++) {
        BSW_CHECK (idelays[i] >= 0);
        positive += idelays[i] > 0;
    }
    BSW_CHECK (positive > 0);
    free (idelays);
    double period = 0.0;
    BSW_CHECK (store_h5_read_attr (path, "/", "sample_period", NULL, &period, NULL) == S_F64);
    BSW_CHECK_DOUBLE_EQ (period, 0.9765625);
    BSW_CHECK (store_h5_read_attr (path, "/", "no_such", NULL, NULL, NULL) ==
               STORE_H5_ATTR_MISSING);
    BSW_CHECK (store_h5_read_doubles (path, "no_such", &data, dims, &rank, &err) == BSW_EFORMAT);
    BSW_CHECK (strstr (err.text, "no_such"));
    return BSW_TEST_PASS;
}

//  The generic attributes (TVB.md 11.3) with a file's own written_by,
//  state and visible, merged by name into `extra` (sorted) for an exact
//  set check.
static size_t
s_with_generic (s_expect_t *out, const char *written_by, const char *state, bool visible,
                const char *gid_urn, const s_expect_t *extra, size_t n_extra)
{
    const s_expect_t generic[] = {
        {"TVB_Data_version", S_I64, NULL, 5},
        {"TVB_create_date", S_STR, S_DATE, 0},
        {"TVB_gid", S_STR, gid_urn, 0},
        {"TVB_invalid", S_STR, "bool:False", 0},
        {"TVB_is_nan", S_STR, "bool:False", 0},
        {"TVB_operation_tag", S_STR, "", 0},
        {"TVB_state", S_STR, state, 0},
        {"TVB_subject", S_STR, "", 0},
        {"TVB_user_tag_1", S_STR, "", 0},
        {"TVB_user_tag_2", S_STR, "", 0},
        {"TVB_user_tag_3", S_STR, "", 0},
        {"TVB_user_tag_4", S_STR, "", 0},
        {"TVB_user_tag_5", S_STR, "", 0},
        {"TVB_visible", S_STR, visible ? "bool:True" : "bool:False", 0},
        {"TVB_written_by", S_STR, written_by, 0},
    };
    size_t n_generic = sizeof generic / sizeof generic[0], i = 0, j = 0, k = 0;
    while (i < n_generic || j < n_extra) {
        if (j == n_extra || (i < n_generic && strcmp (generic[i].name, extra[j].name) < 0))
            out[k++] = generic[i++];
        else
            out[k++] = extra[j++];
    }
    return k;
}

static int
s_test_tvbfiles_measure (void)
{
    char dir[BSW_TEST_DIR_MAX], path[BSW_TEST_DIR_PATH_MAX];
    BSW_CHECK (s_folder_fixture (dir, path, "DatatypeMeasure_0123456789abcdef.h5"));
    const char *names[] = {"GlobalVariance", "Metastability", "Synchrony", "VarianceNodeVariance"};
    const double values[] = {2.12e-11, NAN, 1020.8, 7.18e-22};
    store_tvbfiles_measure_t measure = {S_GID, S_CONN_GID, names, values, 4, S_DATE};
    bsw_error_t err;
    BSW_CHECK_MSG (store_tvbfiles_measure_write (path, &measure, &err) == 0, "%s", err.text);

    const s_expect_t extra[] = {
        {"TVB_analyzed_datatype", S_STR, "urn:uuid:" S_CONN_GID, 0},
        {"TVB_metrics", S_STR,
         "{\"GlobalVariance\": 2.12e-11, \"Metastability\": NaN, \"Synchrony\": 1020.8, "
         "\"VarianceNodeVariance\": 7.18e-22}",
         0},
    };
    s_expect_t expect[32];
    const char *written_by =
        "tvb.core.entities.file.simulator.datatype_measure_h5.DatatypeMeasureH5";
    size_t n =
        s_with_generic (expect, written_by, "INTERMEDIATE", false, "urn:uuid:" S_GID, extra, 2);
    BSW_CHECK (s_check_attrs (path, "/", expect, n) == BSW_TEST_PASS);

    //  No datasets at all.
    hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
    H5G_info_t info;
    BSW_CHECK (file >= 0 && H5Gget_info (file, &info) >= 0);
    BSW_CHECK_INT (info.nlinks, 0);
    H5Fclose (file);

    measure.analyzed_gid = "bad";
    BSW_CHECK_INT (store_tvbfiles_measure_write (path, &measure, &err), BSW_EINVAL);
    BSW_CHECK_INT (bsw_test_dir_entries (dir), 1);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

static int
s_test_tvbfiles_connectivity (void)
{
    char dir[BSW_TEST_DIR_MAX], path[BSW_TEST_DIR_PATH_MAX];
    BSW_CHECK (s_folder_fixture (dir, path, "Connectivity_fedcba98.h5"));
    sim_connectivity_t *conn = sim_connectivity_new (3);
    //  Symmetric, four non-zero weights.
    conn->weights[1] = conn->weights[3] = 0.5;
    conn->weights[5] = conn->weights[7] = 2.0;
    for (size_t i = 0; i < 9; i++)
        conn->tract_lengths[i] = (double) i;
    for (size_t i = 0; i < 9; i++)
        conn->centres[i] = 0.1 * (double) i;
    conn->hemispheres = calloc (3, sizeof (bool));
    conn->hemispheres[0] = true;
    bsw_error_t err;
    int rc = store_tvbfiles_connectivity_write (path, conn, S_CONN_GID, S_DATE, &err);
    BSW_CHECK_MSG (rc == 0, "%s", err.text);

    const s_expect_t extra[] = {
        {"TVB_number_of_connections", S_I64, NULL, 4},
        {"TVB_number_of_regions", S_I64, NULL, 3},
        {"TVB_saved_selection", S_STR, "[]", 0},
        {"TVB_undirected", S_STR, "bool:True", 0},
    };
    s_expect_t expect[32];
    size_t n = s_with_generic (expect, "tvb.adapters.datatypes.h5.connectivity_h5.ConnectivityH5",
                               "", true, "urn:uuid:" S_CONN_GID, extra, 4);
    BSW_CHECK (s_check_attrs (path, "/", expect, n) == BSW_TEST_PASS);

    double *values;
    size_t dims[STORE_H5_MAX_RANK];
    int rank;
    BSW_CHECK (store_h5_read_doubles (path, "weights", &values, dims, &rank, &err) == 0);
    BSW_CHECK (rank == 2 && dims[0] == 3 && dims[1] == 3);
    BSW_CHECK (memcmp (values, conn->weights, 9 * sizeof (double)) == 0);
    free (values);
    BSW_CHECK (store_h5_read_doubles (path, "centres", &values, dims, &rank, &err) == 0);
    BSW_CHECK (rank == 2 && dims[0] == 3 && dims[1] == 3);
    BSW_CHECK (memcmp (values, conn->centres, 9 * sizeof (double)) == 0);
    free (values);
    BSW_CHECK (store_h5_read_doubles (path, "tract_lengths", &values, dims, &rank, &err) == 0);
    BSW_CHECK_DOUBLE_EQ (values[8], 8.0);
    free (values);
    int *ints;
    BSW_CHECK (store_h5_read_ints (path, "hemispheres", &ints, dims, &rank, &err) == 0);
    BSW_CHECK (rank == 1 && dims[0] == 3 && ints[0] == 1 && ints[1] == 0 && ints[2] == 0);
    free (ints);
    char *text = NULL;
    BSW_CHECK (store_h5_read_attr (path, "region_labels", "TVB_Minimum", &text, NULL, NULL) ==
               S_STR);
    BSW_CHECK_STR (text, "");
    free (text);
    //  Optional arrays that are absent are not written.
    BSW_CHECK (store_h5_read_doubles (path, "cortical", &values, dims, &rank, &err) == BSW_EFORMAT);
    BSW_CHECK (store_h5_read_doubles (path, "areas", &values, dims, &rank, &err) == BSW_EFORMAT);

    //  A directed one.
    conn->weights[1] = 0.25;
    BSW_CHECK (store_tvbfiles_connectivity_write (path, conn, S_CONN_GID, NULL, &err) == 0);
    BSW_CHECK (store_h5_read_attr (path, "/", "TVB_undirected", &text, NULL, NULL) == S_STR);
    BSW_CHECK_STR (text, "bool:False");
    free (text);
    sim_connectivity_destroy (&conn);
    BSW_CHECK_INT (bsw_test_dir_entries (dir), 1);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

static int
s_test_tvbfiles_view_model (void)
{
    char dir[BSW_TEST_DIR_MAX], path[BSW_TEST_DIR_PATH_MAX];
    BSW_CHECK (s_folder_fixture (dir, path, "Linear_0123.h5"));
    store_h5_t *h5;
    store_tvbfiles_view_model_t vm = {S_GID, "tvb.simulator.coupling.Linear", "", true, S_DATE};
    bsw_error_t err;
    BSW_CHECK (store_tvbfiles_view_model_begin (&h5, path, &vm, &err) == 0);
    store_tvbfiles_param (h5, "a", 0.0152);
    store_tvbfiles_param (h5, "b", 0.0);
    BSW_CHECK_MSG (store_h5_commit (&h5, &err) == 0, "%s", err.text);

    const s_expect_t extra[] = {{"TVB_type", S_STR, "tvb.simulator.coupling.Linear", 0}};
    s_expect_t expect[32];
    size_t n = s_with_generic (expect, STORE_TVBFILES_VIEW_MODEL_H5, "", true, "urn:uuid:" S_GID,
                               extra, 1);
    BSW_CHECK (s_check_attrs (path, "/", expect, n) == BSW_TEST_PASS);
    const s_expect_t a_attrs[] = {
        {"TVB_HasComplex", S_STR, "bool:False", 0}, {"TVB_IsFinite", S_STR, "bool:True", 0},
        {"TVB_Maximum", S_F64, NULL, 0.0152},       {"TVB_Mean", S_F64, NULL, 0.0152},
        {"TVB_Minimum", S_F64, NULL, 0.0152},
    };
    BSW_CHECK (s_check_attrs (path, "a", a_attrs, 5) == BSW_TEST_PASS);
    double *values;
    size_t dims[STORE_H5_MAX_RANK];
    int rank;
    BSW_CHECK (store_h5_read_doubles (path, "a", &values, dims, &rank, &err) == 0);
    BSW_CHECK (rank == 1 && dims[0] == 1);
    BSW_CHECK_DOUBLE_EQ (values[0], 0.0152);
    free (values);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

//  A series of shape (t, voi, n) with values that differ with `seed`.
static store_timeseries_t
s_shaped (size_t t, size_t voi, size_t n, double seed, double *data, double *time)
{
    static const char *const names[] = {"V", "W"};
    for (size_t i = 0; i < t * voi * n; i++)
        data[i] = sin ((double) i * 0.37 + seed) * (1.0 + seed);
    for (size_t k = 0; k < t; k++)
        time[k] = (double) k * 0.0122 + seed;
    store_timeseries_t ts = s_series ();
    ts.n_time = t;
    ts.n_voi = voi;
    ts.n_nodes = n;
    ts.voi_names = names;
    ts.monitor = "Raw";
    ts.data = data;
    ts.time = time;
    ts.sample_period = 0.0122;
    return ts;
}

//  The patched image of ts equals the file libhdf5 writes for it, byte for
//  byte. The datasets' creation times are whole seconds, so a pair made
//  across a second boundary is made again.
static int
s_check_same_image (const store_timeseries_template_t *tmpl, const store_timeseries_t *ts)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        void *fresh = NULL, *patched = NULL;
        size_t fresh_size = 0, patched_size = 0;
        bsw_error_t err;
        int64_t t0 = bsw_clock_wall_s ();
        BSW_CHECK_MSG (store_timeseries_image (ts, &fresh, &fresh_size, &err) == 0, "%s", err.text);
        BSW_CHECK_MSG (store_timeseries_template_image (tmpl, ts, &patched, &patched_size, &err) ==
                           0,
                       "%s", err.text);
        bool crossed = bsw_clock_wall_s () != t0;
        bool same = fresh_size == patched_size && memcmp (fresh, patched, fresh_size) == 0;
        if (same) {
            free (fresh);
            free (patched);
            return BSW_TEST_PASS;
        }
        free (fresh);
        free (patched);
        BSW_CHECK_MSG (crossed, "patched image differs from libhdf5's (%zu / %zu bytes)",
                       patched_size, fresh_size);
    }
    return BSW_TEST_FAIL;
}

static int
s_test_template_image (void)
{
    //  Shapes: tiny points (2 chunks, the last partly fill), one exact
    //  chunk, a single value, two VOIs, and the tutorial's (16 chunks).
    static const size_t shapes[][3] = {{82, 1, 4}, {64, 1, 4}, {1, 1, 1}, {5, 2, 3}, {1024, 1, 76}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t t = shapes[s][0], voi = shapes[s][1], n = shapes[s][2];
        double *data = calloc (t * voi * n, sizeof (double));
        double *time_ = calloc (t, sizeof (double));
        store_timeseries_t ts = s_shaped (t, voi, n, 0.5, data, time_);
        store_timeseries_template_t *tmpl = NULL;
        bsw_error_t err;
        BSW_CHECK_MSG (store_timeseries_template_new (&tmpl, &ts, &err) == 0, "%s", err.text);
        BSW_CHECK (store_timeseries_template_fits (tmpl, &ts));
        //  Other values, another GID, other dates.
        ts = s_shaped (t, voi, n, 1.75, data, time_);
        ts.gid = "aaaabbbb-cccc-4ddd-8eee-ffff00001111";
        BSW_CHECK (s_check_same_image (tmpl, &ts) == BSW_TEST_PASS);
        ts.create_date = "2031-12-31,23-59-59.999999";
        BSW_CHECK (s_check_same_image (tmpl, &ts) == BSW_TEST_PASS);
        //  A non-finite value is not in the template (TVB_IsFinite): the
        //  image comes from libhdf5, still the same file.
        data[t * voi * n - 1] = NAN;
        ts.create_date = S_DATE;
        BSW_CHECK (s_check_same_image (tmpl, &ts) == BSW_TEST_PASS);
        store_timeseries_template_destroy (&tmpl);
        BSW_CHECK (tmpl == NULL);
        free (data);
        free (time_);
    }
    return BSW_TEST_PASS;
}

//  What a template does not fit, and reading a patched file back.
static int
s_test_template_fits (void)
{
    double data[82 * 4], time_[82];
    store_timeseries_t ts = s_shaped (82, 1, 4, 0.5, data, time_);
    store_timeseries_template_t *tmpl = NULL;
    bsw_error_t err;
    BSW_CHECK (store_timeseries_template_new (&tmpl, &ts, &err) == 0);
    store_timeseries_t other = ts;
    other.n_time = 81;
    BSW_CHECK (!store_timeseries_template_fits (tmpl, &other));
    other = ts;
    other.monitor = "TemporalAverage";
    BSW_CHECK (!store_timeseries_template_fits (tmpl, &other));
    other = ts;
    other.sample_period = 0.5;
    BSW_CHECK (!store_timeseries_template_fits (tmpl, &other));
    other = ts;
    other.connectivity_gid = S_GID;
    BSW_CHECK (!store_timeseries_template_fits (tmpl, &other));
    other = ts;
    other.deflate = 1;
    BSW_CHECK (!store_timeseries_template_fits (tmpl, &other));
    store_timeseries_template_t *none = NULL;
    BSW_CHECK (store_timeseries_template_new (&none, &other, &err) == BSW_EINVAL && !none);

    //  The patched bytes read back as the values given.
    ts = s_shaped (82, 1, 4, 2.5, data, time_);
    void *image;
    size_t size;
    BSW_CHECK (store_timeseries_template_image (tmpl, &ts, &image, &size, &err) == 0);
    char dir[BSW_TEST_DIR_MAX], path[BSW_TEST_DIR_PATH_MAX];
    BSW_CHECK (s_folder_fixture (dir, path, "patched.h5"));
    FILE *f = fopen (path, "wb");
    BSW_CHECK (f && fwrite (image, 1, size, f) == size && fclose (f) == 0);
    free (image);
    double *values;
    size_t dims[STORE_H5_MAX_RANK];
    int rank;
    BSW_CHECK_MSG (store_h5_read_doubles (path, "data", &values, dims, &rank, &err) == 0, "%s",
                   err.text);
    BSW_CHECK (rank == 4 && dims[0] == 82 && dims[1] == 1 && dims[2] == 4 && dims[3] == 1);
    BSW_CHECK (memcmp (values, data, sizeof data) == 0);
    free (values);
    store_h5_stats_t stats = store_h5_stats_f64 (data, 82 * 4);
    const s_expect_t attrs[] = {{"TVB_HasComplex", S_STR, "bool:False", 0},
                                {"TVB_IsFinite", S_STR, "bool:True", 0},
                                {"TVB_Maximum", S_F64, NULL, stats.max},
                                {"TVB_Mean", S_F64, NULL, stats.mean},
                                {"TVB_Minimum", S_F64, NULL, stats.min}};
    BSW_CHECK (s_check_attrs (path, "data", attrs, 5) == BSW_TEST_PASS);
    bsw_test_dir_remove (dir);
    store_timeseries_template_destroy (&tmpl);
    return BSW_TEST_PASS;
}

//  A file that makes HDF5 open another one is refused by the readers (an
//  old data folder's series or a user's file may come from anywhere): an
//  external link, a dataset with external storage, a virtual dataset.
//  Each would otherwise read target.h5's (or raw.bin's) numbers.
static int
s_test_read_refuses_other_files (void)
{
    char dir[BSW_TEST_DIR_MAX], path[BSW_TEST_DIR_PATH_MAX], raw[BSW_TEST_DIR_PATH_MAX];
    BSW_CHECK (s_folder_fixture (dir, path, "target.h5"));
    const double four[4] = {1, 2, 3, 4};
    hsize_t n = 4;
    hid_t space = H5Screate_simple (1, &n, NULL);
    hid_t file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t dset =
        H5Dcreate2 (file, "data", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    BSW_CHECK (H5Dwrite (dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, four) >= 0);
    H5Dclose (dset);
    H5Fclose (file);
    snprintf (raw, sizeof raw, "%s/raw.bin", dir);
    FILE *f = fopen (raw, "wb");
    BSW_CHECK (f && fwrite (four, sizeof four, 1, f) == 1);
    fclose (f);
    static const struct {
        const char *file, *needle;
    } bad[] = {
        {"elink.h5", "'data' is an external link (to another file): refused"},
        {"external.h5", "dataset 'data' keeps its data in external files: refused"},
        {"virtual.h5", "dataset 'data' is a virtual dataset (its data are in other files)"},
    };
    for (size_t k = 0; k < 3; k++) {
        char name[BSW_TEST_DIR_PATH_MAX];
        snprintf (name, sizeof name, "%s/%s", dir, bad[k].file);
        file = H5Fcreate (name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        hid_t dcpl = H5Pcreate (H5P_DATASET_CREATE);
        if (k == 0)
            BSW_CHECK (H5Lcreate_external ("target.h5", "/data", file, "data", H5P_DEFAULT,
                                           H5P_DEFAULT) >= 0);
        else {
            if (k == 1)
                BSW_CHECK (H5Pset_external (dcpl, "raw.bin", 0, sizeof four) >= 0);
            else
                BSW_CHECK (H5Pset_virtual (dcpl, space, "target.h5", "/data", space) >= 0);
            dset = H5Dcreate2 (file, "data", H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
            BSW_CHECK (dset >= 0);
            H5Dclose (dset);
        }
        H5Pclose (dcpl);
        H5Fclose (file);
        //  HDF5 resolves the relative names against the current folder.
        char cwd[4096];
        BSW_CHECK (getcwd (cwd, sizeof cwd) && chdir (dir) == 0);
        double *values = NULL;
        size_t dims[STORE_H5_MAX_RANK];
        int rank = 0;
        bsw_error_t err;
        int rc = store_h5_read_doubles (bad[k].file, "data", &values, dims, &rank, &err);
        BSW_CHECK (chdir (cwd) == 0);
        free (values);
        BSW_CHECK_MSG (rc == BSW_EFORMAT, "%s: rc %d (read %d dimensions)", bad[k].file, rc, rank);
        BSW_CHECK_MSG (strstr (err.text, bad[k].needle), "%s: %s", bad[k].file, err.text);
    }
    H5Sclose (space);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {
    {"usage", s_test_usage},
    {"read_refuses_other_files", s_test_read_refuses_other_files},
    {"root_attributes", s_test_root_attributes},
    {"dataset_attributes", s_test_dataset_attributes},
    {"nan_data", s_test_nan_data},
    {"labels_escaped", s_test_labels_escaped},
    {"rejects_bad_input", s_test_rejects_bad_input},
    {"failed_write_leaves_nothing", s_test_failed_write_leaves_nothing},
    {"failed_midway", s_test_failed_midway},
    {"store_h5_writers", s_test_store_h5_writers},
    {"date_format", s_test_date_format},
    {"of_point", s_test_of_point},
    {"reference_output", s_test_reference_output},
    {"tvbfiles_measure", s_test_tvbfiles_measure},
    {"tvbfiles_connectivity", s_test_tvbfiles_connectivity},
    {"tvbfiles_view_model", s_test_tvbfiles_view_model},
    {"template_image", s_test_template_image},
    {"template_fits", s_test_template_fits},
    {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
