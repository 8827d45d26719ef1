/*  broker_db_test.c - the broker's durable state: sweeps, results and
    their series in the sweep's series file, duplicates, reopening, a
    broker killed mid-commit, retry of failed points, error codes, a reader
    beside the writer, a full disk (tmpfs, root only), the commit rate
    (printed, not asserted) and the upgrades of older schemas, whose
    TimeSeriesRegion files become raw arrays.

    Every case works in its own scratch folder (bsw_test_dir.h; most open a
    database in it with s_db_fresh) and removes it.
*/
#include "broker_db.h"
#include "broker_export_files.h"
#include "bsw_test.h"
#include "bsw_test_dir.h"
#include "bsw_util.h"
#include "store_timeseries.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define S_SPEC "{\"model\": \"Generic2dOscillator\", \"ranges\": []}"

//  --------------------------------------------------------------------------
//  Helpers

//  The fixture of most cases: a fresh folder (bsw_test_dir.h) with the
//  broker's database open in it. Aborts when the folder cannot be made;
//  returns the code of broker_db_open (0) otherwise.
static int
s_db_fresh (char dir[BSW_TEST_DIR_MAX], broker_db_t **db_p, bsw_error_t *err)
{
    if (!bsw_test_dir_new (dir, "broker_db_test"))
        abort ();
    return broker_db_open (db_p, dir, err);
}

//  Its end: the database closed (harmless if it is already) and the
//  folder removed.
static void
s_db_end (char dir[BSW_TEST_DIR_MAX], broker_db_t **db_p)
{
    broker_db_close (db_p);
    bsw_test_dir_remove (dir);
}

//  Deterministic series bytes of a point (the database stores them as they
//  come, whatever they encode): the size varies with the point so a
//  truncated or swapped series shows. Points 3, 13, 23, ... are small, the
//  others a little over 64 KiB (the old limit of series kept in the
//  database), and odd points say they are deflated, so every case stores
//  both sizes and both encodings.
#define S_BLOB_MAX (65536 + 16)
static size_t
s_blob_size (uint64_t point)
{
    return (point % 10 == 3 ? 2048 : 65536 + 1) + (size_t) (point % 13);
}

static int
s_blob_encoding (uint64_t point)
{
    return (int) (point % 2);
}

static void
s_blob_fill (uint64_t point, uint8_t *buf, size_t size)
{
    uint64_t x = point * 0x9E3779B97F4A7C15ULL + 1;
    for (size_t i = 0; i < size; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (uint8_t) x;
    }
}

//  Whether the point's stored series is exactly its blob, with its
//  encoding (broker_db_result_series).
static bool
s_stored_is_blob (broker_db_t *db, uint64_t sweep, uint64_t point)
{
    void *data = NULL;
    size_t size = 0;
    int encoding = -1;
    bsw_error_t err;
    if (broker_db_result_series (db, sweep, point, &data, &size, &encoding, &err) != 0) {
        fprintf (stderr, "sweep %" PRIu64 " point %" PRIu64 ": %s\n", sweep, point, err.text);
        return false;
    }
    uint8_t *want = malloc (s_blob_size (point));
    s_blob_fill (point, want, s_blob_size (point));
    bool same = data && size == s_blob_size (point) && memcmp (want, data, size) == 0 &&
                encoding == s_blob_encoding (point);
    free (want);
    free (data);
    return same;
}

//  The same through the rows and broker_db_series_read, as the export reads.
static bool
s_row_is_blob (broker_db_t *db, uint64_t sweep, const broker_result_row_t *row)
{
    if (!row->has_series || row->series_size != s_blob_size (row->point) ||
        row->series_encoding != s_blob_encoding (row->point))
        return false;
    uint8_t *got = malloc (row->series_size), *want = malloc (row->series_size);
    s_blob_fill (row->point, want, row->series_size);
    bsw_error_t err;
    bool same = broker_db_series_read (db, sweep, row, got, &err) == 0 &&
                memcmp (got, want, row->series_size) == 0;
    free (got);
    free (want);
    return same;
}

//  A result for the point: ok with its blob (which buf must hold), or
//  failed with a reason.
static broker_result_t
s_result (uint64_t sweep, uint64_t point, bool ok, uint8_t *buf)
{
    broker_result_t r = {
        .sweep = sweep, .point = point, .ok = ok, .elapsed_ms = 1.5, .worker = "w1"};
    if (ok) {
        r.series_size = s_blob_size (point);
        s_blob_fill (point, buf, r.series_size);
        r.series = buf;
        r.series_encoding = s_blob_encoding (point);
        r.metrics_json = "{\"GlobalVariance\": 0.5}";
    } else
        r.error = "NaN in state variable V";
    return r;
}

static bool
s_exists (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0;
}

//  DIR/sweeps/<sweep>/<name> into out.
static void
s_sweep_path (char *out, size_t size, const char *dir, uint64_t sweep, const char *name)
{
    snprintf (out, size, "%s/sweeps/%" PRIu64 "%s%s", dir, sweep, *name ? "/" : "", name);
}

//  Bytes of the sweep's series file; 0 and *exists false when it has none.
static uint64_t
s_series_file_size (const char *dir, uint64_t sweep, bool *exists)
{
    char path[4096];
    s_sweep_path (path, sizeof path, dir, sweep, "series.bin");
    struct stat st;
    bool there = stat (path, &st) == 0;
    if (exists)
        *exists = there;
    return there ? (uint64_t) st.st_size : 0;
}

typedef struct {
    uint64_t offset, size;
} s_range_t;

static int
s_range_compare (const void *a, const void *b)
{
    const s_range_t *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/*  What the rows of a sweep name in its series file: every series lies
    within the file, no byte is named twice, only ok rows have one. *named:
    the bytes named (the sum of the series), *end: the end of the last one,
    *file: the file's size, *with: rows with a series. */
typedef struct {
    uint64_t named, end, file;
    size_t with, rows;
} s_layout_t;

static int
s_layout (broker_db_t *db, const char *dir, uint64_t sweep, s_layout_t *out)
{
    memset (out, 0, sizeof *out);
    bsw_error_t err;
    broker_result_row_t *rows = NULL;
    size_t count = 0;
    BSW_CHECK_MSG (broker_db_result_rows (db, sweep, 0, 0, &rows, &count, &err) == 0, "%s",
                   err.text);
    s_range_t *ranges = calloc (count + 1, sizeof *ranges);
    for (size_t k = 0; k < count; k++) {
        if (!rows[k].has_series)
            continue;
        BSW_CHECK_MSG (rows[k].ok, "failed point %" PRIu64 " has a series", rows[k].point);
        BSW_CHECK (rows[k].series_size > 0);
        BSW_CHECK (rows[k].series_encoding == 0 || rows[k].series_encoding == 1);
        ranges[out->with++] = (s_range_t){rows[k].series_offset, rows[k].series_size};
        out->named += rows[k].series_size;
    }
    out->rows = count;
    broker_result_rows_free (rows, count);
    qsort (ranges, out->with, sizeof *ranges, s_range_compare);
    for (size_t k = 0; k + 1 < out->with; k++)
        BSW_CHECK_MSG (ranges[k].offset + ranges[k].size <= ranges[k + 1].offset,
                       "bytes %" PRIu64 "+%" PRIu64 " named twice", ranges[k + 1].offset,
                       ranges[k].offset + ranges[k].size - ranges[k + 1].offset);
    out->end = out->with ? ranges[out->with - 1].offset + ranges[out->with - 1].size : 0;
    free (ranges);
    bool exists;
    out->file = s_series_file_size (dir, sweep, &exists);
    BSW_CHECK_MSG (out->end <= out->file, "series named up to %" PRIu64 ", file of %" PRIu64,
                   out->end, out->file);
    BSW_CHECK (exists || out->with == 0);
    return BSW_TEST_PASS;
}

//  After a run that never failed: the series file is the committed series
//  end to end, nothing more, and the sweep's folder holds nothing else.
static int
s_layout_clean (broker_db_t *db, const char *dir, uint64_t sweep, size_t with)
{
    s_layout_t l;
    BSW_CHECK (s_layout (db, dir, sweep, &l) == BSW_TEST_PASS);
    BSW_CHECK_INT (l.with, with);
    BSW_CHECK_INT (l.named, l.file);
    BSW_CHECK_INT (l.end, l.file);
    char folder[4096];
    s_sweep_path (folder, sizeof folder, dir, sweep, "");
    BSW_CHECK_INT (bsw_test_dir_entries (folder), with ? 1 : 0); // series.bin alone
    return BSW_TEST_PASS;
}

//  --------------------------------------------------------------------------
//  Cases

/*  Usage: open a data folder, register a sweep, commit finished points
    (series appended first, then rows), read the progress back, close. */
static int
s_test_usage (void)
{
    char dir[BSW_TEST_DIR_MAX];
    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (s_db_fresh (dir, &db, &err), 0);

    uint64_t sweep;
    char uuid[37];
    BSW_CHECK_INT (
        broker_db_sweep_create (db, "demo", NULL, S_SPEC, NULL, 0, NULL, 4, &sweep, uuid, &err), 0);

    static uint8_t blob[S_BLOB_MAX];
    broker_result_t results[2] = {s_result (sweep, 0, true, blob),
                                  s_result (sweep, 1, false, NULL)};
    bool stored[2];
    BSW_CHECK_INT (broker_db_results_commit (db, results, 2, stored, &err), 0);
    BSW_CHECK (stored[0] && stored[1]); // now the broker may acknowledge both

    BSW_CHECK (s_stored_is_blob (db, sweep, 0));
    bool exists;
    BSW_CHECK_INT (s_series_file_size (dir, sweep, &exists), s_blob_size (0));
    BSW_CHECK (exists);

    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (db, sweep, &info, &err), 0);
    BSW_CHECK_STR (info.name, "demo");
    BSW_CHECK_STR (info.uuid, uuid);
    BSW_CHECK_INT (info.points, 4);
    BSW_CHECK_INT (info.done, 1);
    BSW_CHECK_INT (info.failed, 1);
    BSW_CHECK_INT (info.state, BROKER_SWEEP_RUNNING);
    broker_sweep_info_fini (&info);

    broker_db_close (&db);
    BSW_CHECK (db == NULL);
    broker_db_close (&db); // harmless the second time
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

static int
s_test_definition (void)
{
    char dir[BSW_TEST_DIR_MAX];
    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (s_db_fresh (dir, &db, &err), 0);

    const uint8_t zip[] = {'P', 'K', 3, 4, 0, 0xff, 0, 7};
    uint64_t a, b;
    char uuid_a[37], uuid_b[37];
    BSW_CHECK_INT (broker_db_sweep_create (db, "with zip", NULL, S_SPEC, zip, sizeof zip, "c76.zip",
                                           10, &a, uuid_a, &err),
                   0);
    BSW_CHECK_INT (
        broker_db_sweep_create (db, NULL, NULL, "{}", NULL, 0, NULL, 3, &b, uuid_b, &err), 0);
    BSW_CHECK (a >= 1 && b > a);
    BSW_CHECK_INT (strlen (uuid_a), 36);
    BSW_CHECK (strcmp (uuid_a, uuid_b) != 0);

    char *spec = NULL, *conn_name = NULL;
    void *conn = NULL;
    size_t conn_size = 99;
    BSW_CHECK_INT (broker_db_sweep_definition (db, a, &spec, &conn, &conn_size, &conn_name, &err),
                   0);
    BSW_CHECK_STR (spec, S_SPEC);
    BSW_CHECK_INT (conn_size, sizeof zip);
    BSW_CHECK (conn && memcmp (conn, zip, sizeof zip) == 0);
    BSW_CHECK_STR (conn_name, "c76.zip");
    free (spec);
    free (conn);
    free (conn_name);

    BSW_CHECK_INT (broker_db_sweep_definition (db, b, &spec, &conn, &conn_size, &conn_name, &err),
                   0);
    BSW_CHECK_STR (spec, "{}");
    BSW_CHECK (conn == NULL); // the built-in default
    BSW_CHECK_INT (conn_size, 0);
    BSW_CHECK (conn_name == NULL);
    free (spec);

    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (db, b, &info, &err), 0);
    BSW_CHECK_STR (info.name, "");
    BSW_CHECK (info.created > 1.6e9);
    broker_sweep_info_fini (&info);
    broker_sweep_info_fini (&info); // NULL-safe again

    BSW_CHECK_INT (broker_db_sweep_definition (db, 999, &spec, NULL, NULL, NULL, &err),
                   BSW_ENOTFOUND);
    BSW_CHECK (strstr (err.text, "999") != NULL);
    s_db_end (dir, &db);
    return BSW_TEST_PASS;
}

static int
s_test_commit (void)
{
    char dir[BSW_TEST_DIR_MAX];
    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (s_db_fresh (dir, &db, &err), 0);
    uint64_t s1, s2;
    BSW_CHECK_INT (
        broker_db_sweep_create (db, "one", NULL, S_SPEC, NULL, 0, NULL, 20, &s1, NULL, &err), 0);
    BSW_CHECK_INT (
        broker_db_sweep_create (db, "two", NULL, S_SPEC, NULL, 0, NULL, 5, &s2, NULL, &err), 0);

    //  Points 0..9 of s1 (every third failed, in shuffled order) and two of s2.
    static uint8_t blobs[12][S_BLOB_MAX];
    broker_result_t results[12];
    const uint64_t order[10] = {7, 2, 9, 0, 4, 1, 8, 3, 6, 5};
    for (int k = 0; k < 10; k++)
        results[k] = s_result (s1, order[k], order[k] % 3 != 0, blobs[k]);
    results[10] = s_result (s2, 4, true, blobs[10]);
    results[11] = s_result (s2, 0, false, NULL);
    bool stored[12];
    BSW_CHECK_INT (broker_db_results_commit (db, results, 12, stored, &err), 0);
    for (int k = 0; k < 12; k++)
        BSW_CHECK (stored[k]);

    //  Series: exact bytes for ok points, none for failed ones; each sweep's
    //  file holds its own series end to end and nothing else.
    for (uint64_t p = 0; p < 10; p++)
        if (p % 3 != 0)
            BSW_CHECK_MSG (s_stored_is_blob (db, s1, p), "point %" PRIu64, p);
    BSW_CHECK (s_stored_is_blob (db, s2, 4));
    BSW_CHECK (s_layout_clean (db, dir, s1, 6) == BSW_TEST_PASS);
    BSW_CHECK (s_layout_clean (db, dir, s2, 1) == BSW_TEST_PASS);
    char want[4096];
    s_sweep_path (want, sizeof want, dir, s2, "series.bin");
    BSW_CHECK (s_exists (want));
    BSW_CHECK_INT (s_series_file_size (dir, s2, NULL), s_blob_size (4));

    //  Counts, per sweep and in the list.
    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (db, s1, &info, &err), 0);
    BSW_CHECK_INT (info.done, 6);
    BSW_CHECK_INT (info.failed, 4);
    broker_sweep_info_fini (&info);
    broker_sweep_info_t *list;
    size_t count;
    BSW_CHECK_INT (broker_db_sweep_list (db, &list, &count, &err), 0);
    BSW_CHECK_INT (count, 2);
    BSW_CHECK_INT (list[0].id, s1);
    BSW_CHECK_STR (list[0].name, "one");
    BSW_CHECK_INT (list[0].done, 6);
    BSW_CHECK_INT (list[0].failed, 4);
    BSW_CHECK_INT (list[1].id, s2);
    BSW_CHECK_INT (list[1].points, 5);
    BSW_CHECK_INT (list[1].done, 1);
    BSW_CHECK_INT (list[1].failed, 1);
    broker_sweep_list_free (list, count);
    broker_sweep_list_free (NULL, 0);

    //  Bitmap: points 0..9 of 20 finished, ok or failed.
    uint8_t bits[3] = {0};
    BSW_CHECK_INT (broker_db_finished_bitmap (db, s1, bits, 20, &err), 0);
    BSW_CHECK_INT (bits[0], 0xff);
    BSW_CHECK_INT (bits[1], 0x03);
    BSW_CHECK_INT (bits[2], 0x00);
    uint8_t small[1] = {0}; // a shorter bitmap ignores the points past it
    BSW_CHECK_INT (broker_db_finished_bitmap (db, s1, small, 8, &err), 0);
    BSW_CHECK_INT (small[0], 0xff);

    //  Rows, paged by point index; each ok row names its series, which
    //  reads back through the row.
    broker_result_row_t *rows;
    BSW_CHECK_INT (broker_db_result_rows (db, s1, 0, 4, &rows, &count, &err), 0);
    BSW_CHECK_INT (count, 4);
    for (size_t k = 0; k < 4; k++)
        BSW_CHECK_INT (rows[k].point, k);
    BSW_CHECK (!rows[0].ok);
    BSW_CHECK_STR (rows[0].error, "NaN in state variable V");
    BSW_CHECK (rows[0].metrics_json == NULL);
    BSW_CHECK (!rows[0].has_series);
    BSW_CHECK (rows[1].ok && rows[1].error == NULL);
    BSW_CHECK_STR (rows[1].metrics_json, "{\"GlobalVariance\": 0.5}");
    BSW_CHECK_DOUBLE_EQ (rows[1].elapsed_ms, 1.5);
    BSW_CHECK (rows[1].has_series);
    BSW_CHECK_INT (rows[1].series_size, s_blob_size (1));
    BSW_CHECK_INT (rows[1].series_encoding, 1);
    BSW_CHECK_INT (rows[2].series_encoding, 0);
    BSW_CHECK (s_row_is_blob (db, s1, &rows[1]));
    BSW_CHECK (s_row_is_blob (db, s1, &rows[2]));
    BSW_CHECK_INT (broker_db_series_read (db, s1, &rows[0], want, &err), BSW_ENOTFOUND);
    broker_result_rows_free (rows, count);
    BSW_CHECK_INT (broker_db_result_rows (db, s1, 4, 4, &rows, &count, &err), 0);
    BSW_CHECK_INT (count, 4);
    BSW_CHECK_INT (rows[0].point, 4);
    BSW_CHECK_INT (rows[3].point, 7);
    broker_result_rows_free (rows, count);
    BSW_CHECK_INT (broker_db_result_rows (db, s1, 8, 0, &rows, &count, &err), 0);
    BSW_CHECK_INT (count, 2); // limit 0: the rest
    BSW_CHECK_INT (rows[1].point, 9);
    broker_result_rows_free (rows, count);
    BSW_CHECK_INT (broker_db_result_rows (db, s1, 10, 0, &rows, &count, &err), 0);
    BSW_CHECK_INT (count, 0);
    broker_result_rows_free (rows, count);
    broker_result_rows_free (NULL, 0);

    BSW_CHECK_INT (broker_db_results_commit (db, results, 0, NULL, &err), 0);
    BSW_CHECK (s_layout_clean (db, dir, s1, 6) == BSW_TEST_PASS); // nothing appended
    s_db_end (dir, &db);
    return BSW_TEST_PASS;
}

static int
s_test_duplicates (void)
{
    char dir[BSW_TEST_DIR_MAX];
    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (s_db_fresh (dir, &db, &err), 0);
    uint64_t sweep;
    BSW_CHECK_INT (
        broker_db_sweep_create (db, "d", NULL, S_SPEC, NULL, 0, NULL, 10, &sweep, NULL, &err), 0);

    //  Point 3 twice in one call (first wins), point 5 ok and then failed.
    static uint8_t blobs[4][S_BLOB_MAX];
    broker_result_t first[4] = {s_result (sweep, 3, true, blobs[0]),
                                s_result (sweep, 5, true, blobs[1]),
                                s_result (sweep, 3, false, NULL), s_result (sweep, 5, false, NULL)};
    bool stored[4];
    BSW_CHECK_INT (broker_db_results_commit (db, first, 4, stored, &err), 0);
    BSW_CHECK (stored[0] && stored[1] && !stored[2] && !stored[3]);
    BSW_CHECK_INT (s_series_file_size (dir, sweep, NULL), s_blob_size (3) + s_blob_size (5));

    //  A later call: 3 again (with other bytes, which must not land), 6 new.
    static uint8_t other[S_BLOB_MAX];
    memset (other, 0xAB, sizeof other);
    broker_result_t later[2] = {s_result (sweep, 3, true, blobs[2]),
                                s_result (sweep, 6, false, NULL)};
    later[0].series = other;
    BSW_CHECK_INT (broker_db_results_commit (db, later, 2, stored, &err), 0);
    BSW_CHECK (!stored[0] && stored[1]);

    //  Stored once: the duplicate's bytes were not even appended.
    BSW_CHECK (s_stored_is_blob (db, sweep, 3));
    BSW_CHECK (s_stored_is_blob (db, sweep, 5));
    BSW_CHECK (s_layout_clean (db, dir, sweep, 2) == BSW_TEST_PASS);
    BSW_CHECK_INT (s_series_file_size (dir, sweep, NULL), s_blob_size (3) + s_blob_size (5));
    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (db, sweep, &info, &err), 0);
    BSW_CHECK_INT (info.done, 2);
    BSW_CHECK_INT (info.failed, 1);
    broker_sweep_info_fini (&info);
    s_db_end (dir, &db);
    return BSW_TEST_PASS;
}

static int
s_test_reopen (void)
{
    char dir[BSW_TEST_DIR_MAX];
    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (s_db_fresh (dir, &db, &err), 0);
    uint64_t sweep;
    char uuid[37];
    BSW_CHECK_INT (
        broker_db_sweep_create (db, "r", NULL, S_SPEC, "ZIP", 3, "z.zip", 6, &sweep, uuid, &err),
        0);
    static uint8_t blobs[3][S_BLOB_MAX];
    broker_result_t results[3] = {s_result (sweep, 0, true, blobs[0]),
                                  s_result (sweep, 1, true, blobs[1]),
                                  s_result (sweep, 2, false, NULL)};
    BSW_CHECK_INT (broker_db_results_commit (db, results, 3, NULL, &err), 0);
    BSW_CHECK_INT (broker_db_sweep_set_state (db, sweep, BROKER_SWEEP_CANCELLED, &err), 0);
    broker_result_row_t *before, *after;
    size_t n_before, n_after;
    BSW_CHECK_INT (broker_db_result_rows (db, sweep, 0, 0, &before, &n_before, &err), 0);
    broker_db_close (&db);

    BSW_CHECK_INT (broker_db_open (&db, dir, &err), 0);
    BSW_CHECK_STR (broker_db_dir (db), dir);
    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (db, sweep, &info, &err), 0);
    BSW_CHECK_STR (info.uuid, uuid);
    BSW_CHECK_STR (info.name, "r");
    BSW_CHECK_INT (info.state, BROKER_SWEEP_CANCELLED);
    BSW_CHECK_INT (info.points, 6);
    BSW_CHECK_INT (info.done, 2);
    BSW_CHECK_INT (info.failed, 1);
    broker_sweep_info_fini (&info);
    char *spec, *conn_name;
    void *conn;
    size_t conn_size;
    BSW_CHECK_INT (
        broker_db_sweep_definition (db, sweep, &spec, &conn, &conn_size, &conn_name, &err), 0);
    BSW_CHECK_STR (spec, S_SPEC);
    BSW_CHECK (conn_size == 3 && memcmp (conn, "ZIP", 3) == 0);
    BSW_CHECK_STR (conn_name, "z.zip");
    free (spec);
    free (conn);
    free (conn_name);
    //  The series are where the rows said before the close.
    BSW_CHECK (s_stored_is_blob (db, sweep, 0));
    BSW_CHECK (s_stored_is_blob (db, sweep, 1));
    BSW_CHECK_INT (broker_db_result_rows (db, sweep, 0, 0, &after, &n_after, &err), 0);
    BSW_CHECK_INT (n_after, n_before);
    for (size_t k = 0; k < n_after; k++) {
        BSW_CHECK_INT (after[k].has_series, before[k].has_series);
        BSW_CHECK_INT (after[k].series_offset, before[k].series_offset);
        BSW_CHECK_INT (after[k].series_size, before[k].series_size);
    }
    broker_result_rows_free (before, n_before);
    broker_result_rows_free (after, n_after);
    //  And the old results still count as duplicates.
    bool stored[1];
    BSW_CHECK_INT (broker_db_results_commit (db, results, 1, stored, &err), 0);
    BSW_CHECK (!stored[0]);
    //  New series go after the old ones.
    results[2] = s_result (sweep, 3, true, blobs[2]);
    BSW_CHECK_INT (broker_db_results_commit (db, &results[2], 1, stored, &err), 0);
    BSW_CHECK (stored[0] && s_stored_is_blob (db, sweep, 3));
    BSW_CHECK (s_layout_clean (db, dir, sweep, 3) == BSW_TEST_PASS);
    s_db_end (dir, &db);
    return BSW_TEST_PASS;
}

//  The child of the crash case: commits batches of 50 forever, and after
//  each commit writes the number of points now acknowledged to the pipe.
static void
s_crash_child (const char *dir, uint64_t sweep, int fd)
{
    broker_db_t *db = NULL;
    if (broker_db_open (&db, dir, NULL) != 0)
        _exit (3);
    static uint8_t blobs[50][S_BLOB_MAX];
    broker_result_t batch[50];
    for (uint64_t next = 0;; next += 50) {
        for (int k = 0; k < 50; k++)
            batch[k] =
                s_result (sweep, next + (uint64_t) k, (next + (uint64_t) k) % 10 != 7, blobs[k]);
        if (broker_db_results_commit (db, batch, 50, NULL, NULL) != 0)
            _exit (4);
        uint64_t acked = next + 50;
        if (write (fd, &acked, sizeof acked) != sizeof acked)
            _exit (5);
    }
}

//  Bytes of the series of points [from, to) that are ok in the crash case.
static uint64_t
s_crash_bytes (uint64_t from, uint64_t to)
{
    uint64_t sum = 0;
    for (uint64_t p = from; p < to; p++)
        sum += p % 10 != 7 ? s_blob_size (p) : 0;
    return sum;
}

static int
s_test_crash (void)
{
    char dir[BSW_TEST_DIR_MAX];
    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (s_db_fresh (dir, &db, &err), 0);
    uint64_t sweep;
    const uint64_t points = 1000000;
    BSW_CHECK_INT (
        broker_db_sweep_create (db, "c", NULL, S_SPEC, NULL, 0, NULL, points, &sweep, NULL, &err),
        0);
    broker_db_close (&db); // no SQLite connection crosses fork()

    int pipefd[2];
    BSW_CHECK (pipe (pipefd) == 0);
    pid_t pid = fork ();
    BSW_CHECK (pid >= 0);
    if (pid == 0) {
        close (pipefd[0]);
        s_crash_child (dir, sweep, pipefd[1]);
    }
    close (pipefd[1]);
    //  Wait for the first acknowledged batch, let it run ~200 ms, kill it.
    uint64_t acked = 0, value;
    bool started = read (pipefd[0], &value, sizeof value) == sizeof value;
    acked = started ? value : 0;
    struct timespec pause = {0, 200 * 1000 * 1000};
    nanosleep (&pause, NULL);
    kill (pid, SIGKILL); // in every case: no child outlives the test
    int status;
    BSW_CHECK (waitpid (pid, &status, 0) == pid);
    BSW_CHECK_MSG (started, "the child committed nothing");
    BSW_CHECK_MSG (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL,
                   "child ended by itself, status %d", status);
    while (read (pipefd[0], &value, sizeof value) == sizeof value)
        acked = value;
    close (pipefd[0]);

    //  Reopen: every acknowledged point is there, every ok row reads its
    //  whole series and no failed row has one.
    BSW_CHECK_INT (broker_db_open (&db, dir, &err), 0);
    broker_result_row_t *rows;
    size_t count;
    BSW_CHECK_INT (broker_db_result_rows (db, sweep, 0, 0, &rows, &count, &err), 0);
    BSW_CHECK_MSG (count >= acked, "%zu rows, %llu acknowledged", count,
                   (unsigned long long) acked);
    for (size_t k = 0; k < count; k++) {
        BSW_CHECK_INT (rows[k].point, k); // contiguous: batches commit whole
        BSW_CHECK_INT (rows[k].ok, rows[k].point % 10 != 7);
        BSW_CHECK_INT (rows[k].has_series, rows[k].ok);
        if (rows[k].ok)
            BSW_CHECK_MSG (s_row_is_blob (db, sweep, &rows[k]), "point %llu",
                           (unsigned long long) rows[k].point);
    }
    BSW_CHECK_INT (count % 50, 0);
    broker_result_rows_free (rows, count);
    //  The committed series fill the file's start, each named once; bytes
    //  past them (a batch appended but not committed at the kill) are at
    //  most one batch, and no row names them.
    s_layout_t l;
    BSW_CHECK (s_layout (db, dir, sweep, &l) == BSW_TEST_PASS);
    BSW_CHECK_INT (l.named, s_crash_bytes (0, count));
    BSW_CHECK_INT (l.end, l.named);
    uint64_t litter = l.file - l.named;
    BSW_CHECK_MSG (litter <= s_crash_bytes (count, count + 50), "%" PRIu64 " bytes of litter",
                   litter);
    //  The leftovers do no harm: committing those points again works, and
    //  their series go after the litter.
    static uint8_t blobs[50][S_BLOB_MAX];
    broker_result_t batch[50];
    for (int k = 0; k < 50; k++)
        batch[k] =
            s_result (sweep, count + (uint64_t) k, (count + (uint64_t) k) % 10 != 7, blobs[k]);
    BSW_CHECK_INT (broker_db_results_commit (db, batch, 50, NULL, &err), 0);
    for (int k = 0; k < 50; k++)
        BSW_CHECK (batch[k].ok ? s_stored_is_blob (db, sweep, count + (uint64_t) k) : true);
    uint64_t file_before = l.file;
    BSW_CHECK (s_layout (db, dir, sweep, &l) == BSW_TEST_PASS);
    BSW_CHECK_INT (l.named, s_crash_bytes (0, count + 50));
    BSW_CHECK_INT (l.file, file_before + s_crash_bytes (count, count + 50));
    BSW_CHECK_INT (l.end, l.file);
    broker_db_close (&db);
    fprintf (stderr,
             "crash: %zu rows committed, %llu acknowledged, %" PRIu64
             " bytes of litter at the kill\n",
             count, (unsigned long long) acked, litter);

    //  SQLite's own check, on a connection of our own.
    char db_path[4096];
    snprintf (db_path, sizeof db_path, "%s/brainsweep.db", dir);
    sqlite3 *raw = NULL;
    BSW_CHECK_INT (sqlite3_open_v2 (db_path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    BSW_CHECK_INT (sqlite3_prepare_v2 (raw, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    BSW_CHECK_INT (sqlite3_step (st), SQLITE_ROW);
    BSW_CHECK_STR ((const char *) sqlite3_column_text (st, 0), "ok");
    sqlite3_finalize (st);
    sqlite3_close (raw);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

static int
s_test_retry_failed (void)
{
    char dir[BSW_TEST_DIR_MAX];
    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (s_db_fresh (dir, &db, &err), 0);
    uint64_t sweep;
    BSW_CHECK_INT (
        broker_db_sweep_create (db, "f", NULL, S_SPEC, NULL, 0, NULL, 6, &sweep, NULL, &err), 0);
    static uint8_t blobs[6][S_BLOB_MAX];
    broker_result_t results[6];
    for (uint64_t p = 0; p < 6; p++)
        results[p] = s_result (sweep, p, p == 0 || p == 3, blobs[p]);
    BSW_CHECK_INT (broker_db_results_commit (db, results, 6, NULL, &err), 0);
    BSW_CHECK_INT (broker_db_sweep_set_state (db, sweep, BROKER_SWEEP_FINISHED, &err), 0);

    uint64_t *points = NULL, count = 0;
    BSW_CHECK_INT (broker_db_retry_failed (db, sweep, &points, &count, &err), 0);
    BSW_CHECK_INT (count, 4);
    BSW_CHECK (points[0] == 1 && points[1] == 2 && points[2] == 4 && points[3] == 5);
    free (points);
    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (db, sweep, &info, &err), 0);
    BSW_CHECK_INT (info.state, BROKER_SWEEP_RUNNING);
    BSW_CHECK_INT (info.done, 2);
    BSW_CHECK_INT (info.failed, 0);
    broker_sweep_info_fini (&info);
    uint8_t bits[1] = {0};
    BSW_CHECK_INT (broker_db_finished_bitmap (db, sweep, bits, 6, &err), 0);
    BSW_CHECK_INT (bits[0], 0x09);
    //  The ok points keep their series.
    BSW_CHECK (s_stored_is_blob (db, sweep, 0) && s_stored_is_blob (db, sweep, 3));

    //  The retried points can be committed again; nothing left to retry.
    results[1] = s_result (sweep, 1, true, blobs[1]);
    bool stored[1];
    BSW_CHECK_INT (broker_db_results_commit (db, &results[1], 1, stored, &err), 0);
    BSW_CHECK (stored[0]);
    BSW_CHECK (s_stored_is_blob (db, sweep, 1));
    BSW_CHECK (s_layout_clean (db, dir, sweep, 3) == BSW_TEST_PASS);
    BSW_CHECK_INT (broker_db_sweep_set_state (db, sweep, BROKER_SWEEP_FINISHED, &err), 0);
    BSW_CHECK_INT (broker_db_retry_failed (db, sweep, &points, &count, &err), 0);
    BSW_CHECK_INT (count, 0);
    BSW_CHECK (points == NULL);
    BSW_CHECK_INT (broker_db_sweep_info (db, sweep, &info, &err), 0);
    BSW_CHECK_INT (info.state, BROKER_SWEEP_FINISHED); // nothing to rerun
    broker_sweep_info_fini (&info);
    s_db_end (dir, &db);
    return BSW_TEST_PASS;
}

static int
s_test_errors (void)
{
    char dir[BSW_TEST_DIR_MAX];
    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (s_db_fresh (dir, &db, &err), 0);
    uint64_t sweep;
    BSW_CHECK_INT (
        broker_db_sweep_create (db, "e", NULL, S_SPEC, NULL, 0, NULL, 4, &sweep, NULL, &err), 0);

    //  Unknown sweep: everywhere BSW_ENOTFOUND, and nothing written.
    static uint8_t blobs[2][S_BLOB_MAX];
    broker_result_t results[2] = {s_result (sweep, 0, true, blobs[0]),
                                  s_result (sweep + 7, 0, true, blobs[1])};
    bool stored[2] = {true, true};
    BSW_CHECK_INT (broker_db_results_commit (db, results, 2, stored, &err), BSW_ENOTFOUND);
    BSW_CHECK (strstr (err.text, "no such sweep") != NULL);
    BSW_CHECK (!stored[0] && !stored[1]);
    char folder[4096];
    snprintf (folder, sizeof folder, "%s/sweeps", dir);
    BSW_CHECK (!s_exists (folder)); // no series file, not even a folder
    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (db, 77, &info, &err), BSW_ENOTFOUND);
    BSW_CHECK_INT (broker_db_sweep_set_state (db, 77, BROKER_SWEEP_FINISHED, &err), BSW_ENOTFOUND);
    uint8_t bits[1];
    BSW_CHECK_INT (broker_db_finished_bitmap (db, 77, bits, 8, &err), BSW_ENOTFOUND);
    uint64_t *points, count;
    BSW_CHECK_INT (broker_db_retry_failed (db, 77, &points, &count, &err), BSW_ENOTFOUND);
    broker_result_row_t *rows;
    size_t n;
    BSW_CHECK_INT (broker_db_result_rows (db, 77, 0, 0, &rows, &n, &err), BSW_ENOTFOUND);
    BSW_CHECK_INT (broker_db_sweep_info (db, sweep, &info, &err), 0);
    BSW_CHECK_INT (info.done, 0);
    broker_sweep_info_fini (&info);

    //  A point past the sweep's end, an invalid state: nothing appended.
    results[1] = s_result (sweep, 4, false, NULL);
    BSW_CHECK_INT (broker_db_results_commit (db, results, 2, stored, &err), BSW_EINVAL);
    BSW_CHECK (!s_exists (folder));
    BSW_CHECK_INT (broker_db_sweep_set_state (db, sweep, (broker_sweep_state_t) 9, &err),
                   BSW_EINVAL);
    BSW_CHECK_INT (broker_db_results_commit (db, results, 1, NULL, NULL), 0); // err may be NULL
    BSW_CHECK_INT (s_series_file_size (dir, sweep, NULL), s_blob_size (0));

    //  Reading a series: a row without one, bytes past the file's end, a
    //  sweep without a file, a size no result may have.
    broker_result_row_t row = {.point = 2};
    uint8_t buf[64];
    BSW_CHECK_INT (broker_db_series_read (db, sweep, &row, buf, &err), BSW_ENOTFOUND);
    BSW_CHECK_MSG (strstr (err.text, "point 2: no time series stored"), "%s", err.text);
    row = (broker_result_row_t){
        .point = 2, .has_series = true, .series_offset = s_blob_size (0) - 8, .series_size = 16};
    BSW_CHECK_INT (broker_db_series_read (db, sweep, &row, buf, &err), BSW_EIO);
    BSW_CHECK_MSG (strstr (err.text, "series.bin") && strstr (err.text, "past its end"), "%s",
                   err.text);
    row.series_offset = 0;
    BSW_CHECK_INT (broker_db_series_read (db, sweep + 1, &row, buf, &err), BSW_EIO);
    BSW_CHECK_MSG (strstr (err.text, "series.bin") != NULL, "%s", err.text);
    char db_path[128];
    snprintf (db_path, sizeof db_path, "%s/brainsweep.db", dir);
    sqlite3 *raw = NULL;
    char sql[256];
    snprintf (sql, sizeof sql,
              "UPDATE results SET series_size = %llu WHERE sweep = %" PRIu64 " AND point = 0",
              (unsigned long long) BROKER_DB_SERIES_MAX + 1, sweep);
    BSW_CHECK_INT (sqlite3_open_v2 (db_path, &raw, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    BSW_CHECK_INT (sqlite3_exec (raw, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (raw);
    void *bytes = NULL;
    size_t size = 0;
    int encoding;
    BSW_CHECK_INT (broker_db_result_series (db, sweep, 0, &bytes, &size, &encoding, &err),
                   BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "more than a result may carry"), "%s", err.text);
    BSW_CHECK (bytes == NULL);
    broker_db_close (&db);

    //  A data folder that is a file, or below a file.
    char file[128];
    snprintf (file, sizeof file, "%s/plain", dir);
    FILE *f = fopen (file, "w");
    BSW_CHECK (f && fclose (f) == 0);
    BSW_CHECK_INT (broker_db_open (&db, file, &err), BSW_EIO);
    BSW_CHECK (db == NULL);
    BSW_CHECK_MSG (strstr (err.text, file) != NULL, "%s", err.text);
    char below[160];
    snprintf (below, sizeof below, "%s/sub", file);
    BSW_CHECK_INT (broker_db_open (&db, below, &err), BSW_EIO);
    BSW_CHECK_MSG (strstr (err.text, file) != NULL, "%s", err.text);

    //  A read-only connection needs an existing database and cannot commit.
    char missing[128];
    snprintf (missing, sizeof missing, "%s/none", dir);
    BSW_CHECK_INT (broker_db_open_readonly (&db, missing, &err), BSW_EIO);
    BSW_CHECK (strstr (err.text, "brainsweep.db") != NULL);
    BSW_CHECK_INT (broker_db_open_readonly (&db, dir, &err), 0);
    BSW_CHECK_INT (broker_db_results_commit (db, results, 1, NULL, &err), BSW_ESTATE);
    broker_db_close (&db);

    //  Not writable (root ignores permissions, so only as another user).
    if (geteuid () != 0) {
        char locked[128];
        snprintf (locked, sizeof locked, "%s/locked", dir);
        BSW_CHECK (mkdir (locked, 0500) == 0);
        BSW_CHECK_INT (broker_db_open (&db, locked, &err), BSW_EIO);
        BSW_CHECK (strstr (err.text, "not writable") != NULL);
        chmod (locked, 0700);
    }

    //  A database from a newer brainsweep is refused, not guessed at.
    BSW_CHECK_INT (sqlite3_open_v2 (db_path, &raw, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    BSW_CHECK_INT (sqlite3_exec (raw, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (raw);
    BSW_CHECK_INT (broker_db_open (&db, dir, &err), BSW_EDB);
    BSW_CHECK_MSG (strstr (err.text, "version 99") != NULL, "%s", err.text);
    BSW_CHECK_INT (broker_db_open_readonly (&db, dir, &err), BSW_EDB);

    //  Not a database at all.
    f = fopen (db_path, "w");
    BSW_CHECK (f &&
               fputs ("this is not SQLite, just text long enough to be read as a header\n"
                      "..............................................................\n",
                      f) >= 0 &&
               fclose (f) == 0);
    char wal[160];
    snprintf (wal, sizeof wal, "%s-wal", db_path);
    unlink (wal);
    snprintf (wal, sizeof wal, "%s-shm", db_path);
    unlink (wal);
    BSW_CHECK_INT (broker_db_open (&db, dir, &err), BSW_EDB);
    BSW_CHECK (db == NULL);
    BSW_CHECK (strstr (err.text, "brainsweep.db") != NULL);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

static int
s_test_readonly (void)
{
    char dir[BSW_TEST_DIR_MAX];
    BSW_CHECK (bsw_test_dir_new (dir, "broker_db_test"));
    bsw_error_t err;
    broker_db_t *writer = NULL, *reader = NULL;
    BSW_CHECK_INT (broker_db_open (&writer, dir, &err), 0);
    uint64_t sweep;
    BSW_CHECK_INT (
        broker_db_sweep_create (writer, "ro", NULL, S_SPEC, NULL, 0, NULL, 8, &sweep, NULL, &err),
        0);
    BSW_CHECK_INT (broker_db_open_readonly (&reader, dir, &err), 0);
    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (reader, sweep, &info, &err), 0);
    BSW_CHECK_INT (info.done, 0);
    broker_sweep_info_fini (&info);

    //  The reader keeps its connection while the writer commits.
    static uint8_t blobs[4][S_BLOB_MAX];
    broker_result_t results[3] = {s_result (sweep, 2, true, blobs[0]),
                                  s_result (sweep, 5, true, blobs[1]),
                                  s_result (sweep, 6, false, NULL)};
    BSW_CHECK_INT (broker_db_results_commit (writer, results, 3, NULL, &err), 0);
    BSW_CHECK_INT (broker_db_sweep_info (reader, sweep, &info, &err), 0);
    BSW_CHECK_INT (info.done, 2);
    BSW_CHECK_INT (info.failed, 1);
    broker_sweep_info_fini (&info);
    broker_result_row_t *rows;
    size_t count;
    BSW_CHECK_INT (broker_db_result_rows (reader, sweep, 3, 0, &rows, &count, &err), 0);
    BSW_CHECK_INT (count, 2);
    BSW_CHECK_INT (rows[0].point, 5);
    BSW_CHECK (s_row_is_blob (reader, sweep, &rows[0]));
    BSW_CHECK (!rows[1].has_series);
    broker_result_rows_free (rows, count);
    BSW_CHECK (s_stored_is_blob (reader, sweep, 5));
    BSW_CHECK_INT (broker_db_sweep_set_state (reader, sweep, BROKER_SWEEP_CANCELLED, &err),
                   BSW_EDB); // SQLite refuses writes on this connection

    //  The reader has the series file open now; what the writer appends
    //  after is read too, and a snapshot sees the rows of its moment only.
    BSW_CHECK_INT (broker_db_snapshot_begin (reader, &err), 0);
    results[0] = s_result (sweep, 7, true, blobs[2]);
    BSW_CHECK_INT (broker_db_results_commit (writer, results, 1, NULL, &err), 0);
    BSW_CHECK_INT (broker_db_result_rows (reader, sweep, 7, 0, &rows, &count, &err), 0);
    BSW_CHECK_INT (count, 0);
    broker_result_rows_free (rows, count);
    broker_db_snapshot_end (reader);
    BSW_CHECK_INT (broker_db_result_rows (reader, sweep, 7, 0, &rows, &count, &err), 0);
    BSW_CHECK_INT (count, 1);
    BSW_CHECK (s_row_is_blob (reader, sweep, &rows[0]));
    broker_result_rows_free (rows, count);
    BSW_CHECK (s_stored_is_blob (reader, sweep, 7));
    broker_db_close (&reader);
    broker_db_close (&writer);

    //  And with no writer open.
    BSW_CHECK_INT (broker_db_open_readonly (&reader, dir, &err), 0);
    broker_sweep_info_t *list;
    BSW_CHECK_INT (broker_db_sweep_list (reader, &list, &count, &err), 0);
    BSW_CHECK_INT (count, 1);
    BSW_CHECK_INT (list[0].done, 3);
    broker_sweep_list_free (list, count);
    BSW_CHECK (s_stored_is_blob (reader, sweep, 2));
    BSW_CHECK (s_layout_clean (reader, dir, sweep, 3) == BSW_TEST_PASS);
    broker_db_close (&reader);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

//  Fills the data folder dir (on a 1 MB tmpfs) twice: with series, then
//  with database rows. Each time the failing call commits nothing, says
//  "no space left on device", and leaves in the series file no more than
//  its own batch (none when the file's own write failed: it is cut back).
static int
s_fill_up (const char *dir)
{
    bsw_error_t err;
    broker_db_t *db = NULL;
    uint64_t sweep, committed = 0;
    BSW_CHECK_INT (broker_db_open (&db, dir, &err), 0);
    BSW_CHECK_INT (broker_db_sweep_create (db, "full", NULL, S_SPEC, NULL, 0, NULL, 100000, &sweep,
                                           NULL, &err),
                   0);
    static uint8_t big[S_BLOB_MAX];
    memset (big, 0x5A, sizeof big);
    broker_result_t batch[8];
    int rc = 0;
    for (uint64_t next = 0; rc == 0 && next < 1000; next += 8) {
        for (int k = 0; k < 8; k++) {
            batch[k] = s_result (sweep, next + (uint64_t) k, false, NULL);
            batch[k].ok = true;
            batch[k].error = NULL;
            batch[k].series = big;
            batch[k].series_size = sizeof big;
        }
        rc = broker_db_results_commit (db, batch, 8, NULL, &err);
        committed += rc == 0 ? 8 : 0;
    }
    fprintf (stderr, "nospace: %llu series fit, then: %s\n", (unsigned long long) committed,
             err.text);
    BSW_CHECK_INT (rc, BSW_ENOSPACE);
    BSW_CHECK (strncmp (err.text, dir, strlen (dir)) == 0);
    BSW_CHECK (strstr (err.text, ": no space left on device") != NULL);
    BSW_CHECK (committed > 0);
    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (db, sweep, &info, &err), 0);
    BSW_CHECK_INT (info.done, committed);
    broker_sweep_info_fini (&info);
    s_layout_t l;
    BSW_CHECK (s_layout (db, dir, sweep, &l) == BSW_TEST_PASS);
    BSW_CHECK_INT (l.with, committed);
    BSW_CHECK_INT (l.named, committed * sizeof big);
    BSW_CHECK_INT (l.end, l.named);
    if (strstr (err.text, "series.bin"))
        BSW_CHECK_INT (l.file, l.named); // its own write failed: cut back
    else
        BSW_CHECK (l.file - l.named <= 8 * sizeof big);
    uint64_t file = l.file;

    //  Now rows only (failed results with long reasons): SQLite's SQLITE_FULL.
    static char reason[8 * 1024];
    memset (reason, 'x', sizeof reason - 1);
    uint64_t failed = 0;
    rc = 0;
    for (uint64_t next = 50000; rc == 0 && next < 60000; next += 8) {
        for (int k = 0; k < 8; k++) {
            batch[k] = s_result (sweep, next + (uint64_t) k, false, NULL);
            batch[k].error = reason;
        }
        rc = broker_db_results_commit (db, batch, 8, NULL, &err);
        failed += rc == 0 ? 8 : 0;
    }
    fprintf (stderr, "nospace: %llu more rows fit, then: %s\n", (unsigned long long) failed,
             err.text);
    BSW_CHECK_INT (rc, BSW_ENOSPACE);
    BSW_CHECK (strstr (err.text, "brainsweep.db: no space left on device") != NULL);
    BSW_CHECK_INT (broker_db_sweep_info (db, sweep, &info, &err), 0);
    BSW_CHECK_INT (info.done, committed);
    BSW_CHECK_INT (info.failed, failed);
    broker_sweep_info_fini (&info);
    BSW_CHECK_INT (s_series_file_size (dir, sweep, NULL), file); // rows only
    //  What was committed still reads back.
    BSW_CHECK (s_layout (db, dir, sweep, &l) == BSW_TEST_PASS);
    BSW_CHECK_INT (l.named, committed * sizeof big);
    void *data = NULL;
    size_t size = 0;
    int encoding;
    BSW_CHECK_INT (
        broker_db_result_series (db, sweep, committed - 1, &data, &size, &encoding, &err), 0);
    BSW_CHECK (data && size == sizeof big && memcmp (data, big, size) == 0);
    free (data);
    broker_db_close (&db);
    return BSW_TEST_PASS;
}

//  Needs root and mount(2); skipped otherwise.
static int
s_test_nospace (void)
{
    char mnt[BSW_TEST_DIR_MAX];
    BSW_CHECK (bsw_test_dir_new (mnt, "broker_db_test"));
    if (mount ("tmpfs", mnt, "tmpfs", 0, "size=1m") != 0) {
        fprintf (stderr, "nospace: cannot mount a tmpfs (%s), skipped\n", strerror (errno));
        rmdir (mnt);
        return BSW_TEST_SKIP;
    }
    char dir[BSW_TEST_DIR_MAX + 8];
    snprintf (dir, sizeof dir, "%s/data", mnt);
    int result = s_fill_up (dir);
    //  Lazy unmount: works even if a failed check left the database open.
    if (umount2 (mnt, MNT_DETACH) != 0)
        perror ("umount");
    rmdir (mnt);
    return result;
}

//  Throughput of the durable path, batches of 100 results whose series are
//  mostly ~64 KB. Printed, not asserted: it measures the disk as much as
//  the code.
static int
s_test_rate (void)
{
    char dir[BSW_TEST_DIR_MAX];
    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (s_db_fresh (dir, &db, &err), 0);
    const uint64_t total = 5000, per_batch = 100;
    uint64_t sweep;
    BSW_CHECK_INT (
        broker_db_sweep_create (db, "rate", NULL, S_SPEC, NULL, 0, NULL, total, &sweep, NULL, &err),
        0);
    static uint8_t blobs[100][S_BLOB_MAX];
    broker_result_t batch[100];
    uint64_t bytes = 0;
    int64_t start = bsw_clock_mono_ms ();
    for (uint64_t next = 0; next < total; next += per_batch) {
        for (uint64_t k = 0; k < per_batch; k++) {
            batch[k] = s_result (sweep, next + k, true, blobs[k]);
            bytes += batch[k].series_size;
        }
        BSW_CHECK_INT (broker_db_results_commit (db, batch, per_batch, NULL, &err), 0);
    }
    int64_t elapsed = bsw_clock_mono_ms () - start;
    fprintf (stderr,
             "rate: %llu results in %lld ms: %.0f results/s (batches of %llu, %.0f MB of series, "
             "9 in 10 of ~64 KB)\n",
             (unsigned long long) total, (long long) elapsed,
             (double) total * 1000.0 / (double) (elapsed > 0 ? elapsed : 1),
             (unsigned long long) per_batch, (double) bytes / 1e6);
    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (db, sweep, &info, &err), 0);
    BSW_CHECK_INT (info.done, total);
    broker_sweep_info_fini (&info);
    BSW_CHECK (s_layout_clean (db, dir, sweep, total) == BSW_TEST_PASS);
    BSW_CHECK_INT (s_series_file_size (dir, sweep, NULL), bytes);
    BSW_CHECK (s_stored_is_blob (db, sweep, 0) && s_stored_is_blob (db, sweep, total - 1));
    s_db_end (dir, &db);
    return BSW_TEST_PASS;
}

/*  Series of every size go to the one file: 1 byte, a tiny point's 48,
    exactly 64 KiB (the old limit of series kept in the database), one byte
    more, and 1 MiB, in one commit with an ok result that keeps none. Each
    reads back whole, with its encoding, by the writer and by a reader
    beside it, after a reopen too; a point with no series (failed, kept
    none, or no result) reads back as none. */
static int
s_test_series (void)
{
    char dir[BSW_TEST_DIR_MAX];
    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (s_db_fresh (dir, &db, &err), 0);
    uint64_t sweep;
    BSW_CHECK_INT (
        broker_db_sweep_create (db, "i", NULL, S_SPEC, NULL, 0, NULL, 9, &sweep, NULL, &err), 0);
    enum { S_SIZES = 5 };
    static const size_t sizes[S_SIZES] = {1, 48, 65536, 65537, 1 << 20};
    uint8_t *blobs[S_SIZES];
    broker_result_t results[S_SIZES + 2];
    uint64_t total = 0;
    for (size_t k = 0; k < S_SIZES; k++) {
        blobs[k] = malloc (sizes[k]);
        for (size_t i = 0; i < sizes[k]; i++)
            blobs[k][i] = (uint8_t) (k * 31 + i * 7 + (i >> 9));
        results[k] = s_result (sweep, k, false, NULL);
        results[k].ok = true;
        results[k].error = NULL;
        results[k].series = blobs[k];
        results[k].series_size = sizes[k];
        results[k].series_encoding = (int) (k % 2);
        total += sizes[k];
    }
    results[S_SIZES] = s_result (sweep, 5, false, NULL);     // failed
    results[S_SIZES + 1] = s_result (sweep, 6, false, NULL); // ok, keeps metrics only
    results[S_SIZES + 1].ok = true;
    results[S_SIZES + 1].error = NULL;
    results[S_SIZES + 1].metrics_json = "{\"GlobalVariance\": 0.5}";
    BSW_CHECK_INT (broker_db_results_commit (db, results, S_SIZES + 2, NULL, &err), 0);
    BSW_CHECK (s_layout_clean (db, dir, sweep, S_SIZES) == BSW_TEST_PASS);
    BSW_CHECK_INT (s_series_file_size (dir, sweep, NULL), total);

    for (int round = 0; round < 2; round++) {
        broker_db_t *reader = NULL;
        BSW_CHECK_INT (broker_db_open_readonly (&reader, dir, &err), 0);
        broker_db_t *both[2] = {db, reader};
        for (int b = 0; b < 2; b++) {
            for (size_t k = 0; k < S_SIZES; k++) {
                void *data = NULL;
                size_t size = 0;
                int encoding = -1;
                BSW_CHECK_INT (
                    broker_db_result_series (both[b], sweep, k, &data, &size, &encoding, &err), 0);
                BSW_CHECK_MSG (data && size == sizes[k] && memcmp (data, blobs[k], size) == 0,
                               "point %zu", k);
                BSW_CHECK_INT (encoding, k % 2);
                free (data);
            }
            broker_result_row_t *rows;
            size_t count;
            BSW_CHECK_INT (broker_db_result_rows (both[b], sweep, 0, 0, &rows, &count, &err), 0);
            BSW_CHECK_INT (count, S_SIZES + 2);
            for (size_t k = 0; k < S_SIZES; k++) {
                BSW_CHECK (rows[k].has_series && rows[k].series_size == sizes[k]);
                uint8_t *buf = malloc (sizes[k]);
                BSW_CHECK_INT (broker_db_series_read (both[b], sweep, &rows[k], buf, &err), 0);
                BSW_CHECK (memcmp (buf, blobs[k], sizes[k]) == 0);
                free (buf);
            }
            BSW_CHECK (!rows[S_SIZES].ok && !rows[S_SIZES].has_series);
            BSW_CHECK (rows[S_SIZES + 1].ok && !rows[S_SIZES + 1].has_series);
            broker_result_rows_free (rows, count);
        }
        broker_db_close (&reader);
        broker_db_close (&db);
        BSW_CHECK_INT (broker_db_open (&db, dir, &err), 0);
    }
    //  A duplicate with other bytes changes nothing.
    memset (blobs[1], 0x33, sizes[1]);
    bool stored[1];
    BSW_CHECK_INT (broker_db_results_commit (db, &results[1], 1, stored, &err), 0);
    BSW_CHECK (!stored[0]);
    BSW_CHECK_INT (s_series_file_size (dir, sweep, NULL), total);
    void *data = NULL;
    size_t size = 0;
    int encoding;
    BSW_CHECK_INT (broker_db_result_series (db, sweep, 1, &data, &size, &encoding, &err), 0);
    BSW_CHECK (data && size == 48 && ((uint8_t *) data)[0] == 31);
    free (data);
    for (size_t k = 0; k < S_SIZES; k++)
        free (blobs[k]);
    //  No series: a failed point, one that kept none, one with no result
    //  (broker_db.h: 0, and *bytes_p NULL).
    for (uint64_t p = 5; p < 8; p++) {
        data = &size;
        size = 99;
        int rc = broker_db_result_series (db, sweep, p, &data, &size, &encoding, &err);
        BSW_CHECK_MSG (rc == 0, "point %" PRIu64 ": %s: %s", p, bsw_errname (rc), err.text);
        BSW_CHECK (data == NULL && size == 0);
    }
    s_db_end (dir, &db);
    return BSW_TEST_PASS;
}

//  --------------------------------------------------------------------------
//  Upgrades of older data folders

//  The fixture of the upgrade cases: a fresh folder holding a database as
//  an older brainsweep left it: schema 1's tables, then `sql` (more tables,
//  rows, its user_version).
#define S_SCHEMA_1_SQL                                                                             \
    "PRAGMA journal_mode = WAL;"                                                                   \
    "CREATE TABLE sweeps (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL,"                             \
    " name TEXT NOT NULL, spec TEXT NOT NULL, connectivity BLOB,"                                  \
    " connectivity_name TEXT, points INTEGER NOT NULL, state INTEGER NOT NULL,"                    \
    " created REAL NOT NULL);"                                                                     \
    "CREATE TABLE results (sweep INTEGER NOT NULL REFERENCES sweeps(id),"                          \
    " point INTEGER NOT NULL, ok INTEGER NOT NULL, error TEXT, metrics TEXT,"                      \
    " elapsed_ms REAL, worker TEXT, finished REAL NOT NULL,"                                       \
    " PRIMARY KEY (sweep, point)) WITHOUT ROWID;"
//  Schema 2's table of small series.
#define S_TIMESERIES_SQL                                                                           \
    "CREATE TABLE timeseries (sweep INTEGER NOT NULL, point INTEGER NOT NULL,"                     \
    " data BLOB NOT NULL, PRIMARY KEY (sweep, point)) WITHOUT ROWID;"

static bool
s_db_old (char dir[BSW_TEST_DIR_MAX], char db_path[128], const char *sql)
{
    if (!bsw_test_dir_new (dir, "broker_db_test"))
        return false;
    snprintf (db_path, 128, "%s/brainsweep.db", dir);
    sqlite3 *raw = NULL;
    bool ok = sqlite3_open (db_path, &raw) == SQLITE_OK &&
              sqlite3_exec (raw, S_SCHEMA_1_SQL, NULL, NULL, NULL) == SQLITE_OK &&
              sqlite3_exec (raw, sql, NULL, NULL, NULL) == SQLITE_OK;
    if (!ok)
        fprintf (stderr, "%s: %s\n", db_path, raw ? sqlite3_errmsg (raw) : "cannot open");
    sqlite3_close (raw);
    return ok;
}

//  The series an old worker sent for a point: a TimeSeriesRegion file of
//  (3 + point % 5) samples, 2 variables, 3 nodes, whose `data` holds
//  s_old_value (sweep, point, i); shuffled and deflated inside the file
//  when `deflate` (worker --deflate 1).
#define S_OLD_VOI      2
#define S_OLD_NODES    3
#define S_OLD_MAX_TIME 8
static size_t
s_old_count (uint64_t point)
{
    return (3 + (size_t) (point % 5)) * S_OLD_VOI * S_OLD_NODES;
}

static double
s_old_value (uint64_t sweep, uint64_t point, size_t i)
{
    return (double) sweep * 1000.0 + (double) point * 10.0 + 0.125 * (double) i - 2.0;
}

static store_timeseries_t
s_old_ts (uint64_t sweep, uint64_t point, double *data, double *time)
{
    static const char *const voi[] = {"V", "W"};
    size_t n_time = s_old_count (point) / (S_OLD_VOI * S_OLD_NODES);
    for (size_t i = 0; i < s_old_count (point); i++)
        data[i] = s_old_value (sweep, point, i);
    for (size_t t = 0; t < n_time; t++)
        time[t] = 0.9765625 * (double) (t + 1);
    return (store_timeseries_t){.gid = "01234567-89ab-4cde-8f01-23456789abcd",
                                .connectivity_gid = "11111111-2222-4333-8444-555555555555",
                                .monitor = "TemporalAverage",
                                .voi_names = voi,
                                .n_voi = S_OLD_VOI,
                                .n_time = n_time,
                                .n_nodes = S_OLD_NODES,
                                .data = data,
                                .time = time,
                                .sample_period = 0.9765625};
}

//  Stores the point's old series in the database (schema 2's table).
static int
s_old_inline (const char *db_path, uint64_t sweep, uint64_t point, int deflate)
{
    double data[S_OLD_MAX_TIME * S_OLD_VOI * S_OLD_NODES], time[S_OLD_MAX_TIME];
    store_timeseries_t ts = s_old_ts (sweep, point, data, time);
    ts.deflate = deflate;
    void *image = NULL;
    size_t size = 0;
    bsw_error_t err;
    BSW_CHECK_MSG (store_timeseries_image (&ts, &image, &size, &err) == 0, "%s", err.text);
    sqlite3 *raw = NULL;
    sqlite3_stmt *st = NULL;
    BSW_CHECK_INT (sqlite3_open (db_path, &raw), SQLITE_OK);
    BSW_CHECK_INT (
        sqlite3_prepare_v2 (raw, "INSERT INTO timeseries VALUES (?1, ?2, ?3)", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int64 (st, 1, (int64_t) sweep);
    sqlite3_bind_int64 (st, 2, (int64_t) point);
    sqlite3_bind_blob (st, 3, image, (int) size, SQLITE_TRANSIENT);
    BSW_CHECK_INT (sqlite3_step (st), SQLITE_DONE);
    sqlite3_finalize (st);
    sqlite3_close (raw);
    free (image);
    return BSW_TEST_PASS;
}

//  The point's old series as its file DIR/sweeps/<sweep>/ts/<point>.h5.
static int
s_old_file (const char *dir, uint64_t sweep, uint64_t point, int deflate)
{
    char path[4096];
    s_sweep_path (path, sizeof path, dir, sweep, "");
    mkdir (path, 0755); // with DIR/sweeps made by the caller
    s_sweep_path (path, sizeof path, dir, sweep, "ts");
    mkdir (path, 0755);
    snprintf (path + strlen (path), sizeof path - strlen (path), "/%" PRIu64 ".h5", point);
    double data[S_OLD_MAX_TIME * S_OLD_VOI * S_OLD_NODES], time[S_OLD_MAX_TIME];
    store_timeseries_t ts = s_old_ts (sweep, point, data, time);
    ts.deflate = deflate;
    bsw_error_t err;
    BSW_CHECK_MSG (store_timeseries_write (path, &ts, &err) == 0, "%s", err.text);
    return BSW_TEST_PASS;
}

//  Other bytes than a series where an old series file would be.
static int
s_old_junk (const char *dir, uint64_t sweep, const char *name, const char *text)
{
    char path[4096];
    s_sweep_path (path, sizeof path, dir, sweep, name);
    FILE *f = fopen (path, "wb");
    BSW_CHECK (f && fputs (text, f) >= 0 && fclose (f) == 0);
    return BSW_TEST_PASS;
}

//  Whether the point's stored series is the raw float64 array of its old
//  file's `data`.
static bool
s_stored_is_old (broker_db_t *db, uint64_t sweep, uint64_t point)
{
    void *bytes = NULL;
    size_t size = 0;
    int encoding = -1;
    bsw_error_t err;
    if (broker_db_result_series (db, sweep, point, &bytes, &size, &encoding, &err) != 0) {
        fprintf (stderr, "sweep %" PRIu64 " point %" PRIu64 ": %s\n", sweep, point, err.text);
        return false;
    }
    size_t count = s_old_count (point);
    bool same = bytes && encoding == 0 && size == count * sizeof (double);
    for (size_t i = 0; same && i < count; i++) {
        double v;
        memcpy (&v, (const char *) bytes + i * sizeof v, sizeof v);
        same = v == s_old_value (sweep, point, i);
    }
    if (!same)
        fprintf (stderr, "sweep %" PRIu64 " point %" PRIu64 ": %zu bytes, encoding %d\n", sweep,
                 point, size, encoding);
    free (bytes);
    return same;
}

//  Whether the point has a row without a series.
static bool
s_row_without_series (broker_db_t *db, uint64_t sweep, uint64_t point)
{
    broker_result_row_t *rows = NULL;
    size_t count = 0;
    bsw_error_t err;
    bool none = broker_db_result_rows (db, sweep, point, 1, &rows, &count, &err) == 0 &&
                count == 1 && rows[0].point == point && !rows[0].has_series;
    broker_result_rows_free (rows, count);
    return none;
}

//  What an upgrade leaves: no ts/ folder of any sweep, no scratch file,
//  no table of series, the current user_version (6: refinement families),
//  and the tables and columns of the newest schema.
static int
s_upgraded (const char *dir, const char *db_path, uint64_t sweeps)
{
    char path[4096];
    for (uint64_t s = 1; s <= sweeps; s++) {
        s_sweep_path (path, sizeof path, dir, s, "ts");
        BSW_CHECK_MSG (!s_exists (path), "%s", path);
    }
    snprintf (path, sizeof path, "%s/upgrade.h5.tmp", dir);
    BSW_CHECK (!s_exists (path));
    sqlite3 *raw = NULL;
    sqlite3_stmt *st = NULL;
    BSW_CHECK_INT (sqlite3_open_v2 (db_path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    BSW_CHECK_INT (sqlite3_prepare_v2 (raw,
                                       "SELECT (SELECT COUNT(*) FROM sqlite_master WHERE name ="
                                       " 'timeseries'), (SELECT user_version FROM"
                                       " pragma_user_version)",
                                       -1, &st, NULL),
                   SQLITE_OK);
    BSW_CHECK_INT (sqlite3_step (st), SQLITE_ROW);
    BSW_CHECK_INT (sqlite3_column_int (st, 0), 0);
    BSW_CHECK_INT (sqlite3_column_int (st, 1), 6);
    sqlite3_finalize (st);
    BSW_CHECK_INT (sqlite3_exec (raw,
                                 "SELECT parent, level FROM sweeps;"
                                 " SELECT root, metric, threshold, levels, log_scale, state, note"
                                 " FROM refinements",
                                 NULL, NULL, NULL),
                   SQLITE_OK);
    sqlite3_close (raw);
    return BSW_TEST_PASS;
}

/*  A data folder of schema 1 (every series a TimeSeriesRegion file) is
    upgraded when the broker opens it: each readable file becomes its raw
    array in the sweep's series file and the ts/ folder goes; a file that
    is not HDF5 leaves its point without a series and is kept as
    sweeps/ID/unreadable-POINT.h5; a reader refuses the
    folder until then, saying why. */
static int
s_test_migrate (void)
{
    char dir[BSW_TEST_DIR_MAX], db_path[128];
    BSW_CHECK (s_db_old (dir, db_path,
                         "INSERT INTO sweeps VALUES (1, '01234567-89ab-4cde-8f01-23456789abcd', "
                         "'old', '{}', NULL, NULL, 4, 0, 0);"
                         "INSERT INTO results VALUES (1, 0, 1, NULL, '{}', 1, 'w', 0);"
                         "INSERT INTO results VALUES (1, 1, 0, 'diverged', NULL, 1, 'w', 0);"
                         "INSERT INTO results VALUES (1, 2, 1, NULL, '{}', 1, 'w', 0);"
                         "PRAGMA user_version = 1;"));
    char folder[128];
    bsw_error_t err;
    snprintf (folder, sizeof folder, "%s/sweeps", dir);
    BSW_CHECK (mkdir (folder, 0755) == 0);
    BSW_CHECK (s_old_file (dir, 1, 0, 0) == BSW_TEST_PASS);
    BSW_CHECK (s_old_junk (dir, 1, "ts/2.h5", "old series") == BSW_TEST_PASS);
    BSW_CHECK (s_old_file (dir, 1, 3, 0) == BSW_TEST_PASS); // no row: the batch in flight

    broker_db_t *db = NULL;
    BSW_CHECK_INT (broker_db_open_readonly (&db, dir, &err), BSW_EDB);
    BSW_CHECK_MSG (strstr (err.text, "older") != NULL, "%s", err.text);
    BSW_CHECK_INT (broker_db_open (&db, dir, &err), 0);
    BSW_CHECK (s_stored_is_old (db, 1, 0));
    BSW_CHECK (s_row_without_series (db, 1, 1));
    BSW_CHECK (s_row_without_series (db, 1, 2));
    //  The file that is not HDF5 is kept beside the store, as it was.
    char kept[160], text[32] = "";
    snprintf (kept, sizeof kept, "%s/sweeps/1/unreadable-2.h5", dir);
    FILE *f = fopen (kept, "rb");
    BSW_CHECK_MSG (f, "%s not kept", kept);
    BSW_CHECK (fgets (text, sizeof text, f));
    fclose (f);
    BSW_CHECK_STR (text, "old series");
    BSW_CHECK (unlink (kept) == 0); // then the folder is as clean as any
    BSW_CHECK (s_layout_clean (db, dir, 1, 1) == BSW_TEST_PASS);
    BSW_CHECK_INT (s_series_file_size (dir, 1, NULL), s_old_count (0) * sizeof (double));
    BSW_CHECK (s_upgraded (dir, db_path, 1) == BSW_TEST_PASS);

    //  New results go after the converted ones.
    static uint8_t blob[S_BLOB_MAX];
    broker_result_t r = s_result (1, 3, true, blob);
    BSW_CHECK_INT (broker_db_results_commit (db, &r, 1, NULL, &err), 0);
    BSW_CHECK (s_stored_is_blob (db, 1, 3));
    BSW_CHECK (s_stored_is_old (db, 1, 0));
    BSW_CHECK (s_layout_clean (db, dir, 1, 2) == BSW_TEST_PASS);
    broker_db_close (&db);
    BSW_CHECK_INT (broker_db_open_readonly (&db, dir, &err), 0);
    BSW_CHECK (s_stored_is_old (db, 1, 0));
    s_db_end (dir, &db);
    return BSW_TEST_PASS;
}

/*  A data folder of schema 2 stored metrics as Python writes them, bare
    NaN and infinities that jansson refuses; opening it rewrites them as
    strings (schema 3), so the export's parser reads the same values, and
    its series (small ones in the database, the others in ts/ files)
    become raw arrays (schema 4). A reader refuses it until then; opening
    again changes nothing. */
static int
s_test_migrate_metrics (void)
{
    char dir[BSW_TEST_DIR_MAX], db_path[128];
    BSW_CHECK (
        s_db_old (dir, db_path,
                  S_TIMESERIES_SQL
                  "INSERT INTO sweeps VALUES (1, '01234567-89ab-4cde-8f01-23456789abcd', 'old',"
                  " '{}', NULL, NULL, 4, 0, 0);"
                  "INSERT INTO results VALUES (1, 0, 1, NULL, '{\"GlobalVariance\": 1.5, "
                  "\"KuramotoIndex\": NaN, \"Metastability\": Infinity, \"Synchrony\": -Infinity, "
                  "\"VarianceNodeVariance\": 1e-07}', 1, 'w', 0);"
                  "INSERT INTO results VALUES (1, 1, 0, 'diverged', NULL, 1, 'w', 0);"
                  "INSERT INTO results VALUES (1, 2, 1, NULL, '{\"GlobalVariance\": -2.5e+300, "
                  "\"Synchrony\": NaN}', 1, 'w', 0);"
                  "PRAGMA user_version = 2;"));
    char folder[128];
    snprintf (folder, sizeof folder, "%s/sweeps", dir);
    BSW_CHECK (mkdir (folder, 0755) == 0);
    BSW_CHECK (s_old_inline (db_path, 1, 0, 0) == BSW_TEST_PASS);
    BSW_CHECK (s_old_file (dir, 1, 2, 1) == BSW_TEST_PASS);
    sqlite3 *raw = NULL;

    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (broker_db_open_readonly (&db, dir, &err), BSW_EDB);
    BSW_CHECK_MSG (strstr (err.text, "schema version 2 is older"), "%s", err.text);
    static const char *const migrated[] = {
        "{\"GlobalVariance\": 1.5, \"KuramotoIndex\": \"NaN\", \"Metastability\": \"Infinity\", "
        "\"Synchrony\": \"-Infinity\", \"VarianceNodeVariance\": 1e-07}",
        NULL, "{\"GlobalVariance\": -2.5e+300, \"Synchrony\": \"NaN\"}"};
    uint64_t offsets[2] = {0, 0};
    for (int open = 0; open < 2; open++) {
        BSW_CHECK_INT (broker_db_open (&db, dir, &err), 0);
        broker_result_row_t *rows;
        size_t count = 0;
        BSW_CHECK_INT (broker_db_result_rows (db, 1, 0, 0, &rows, &count, &err), 0);
        BSW_CHECK_INT (count, 3);
        BSW_CHECK (rows[1].metrics_json == NULL && !rows[1].ok);
        BSW_CHECK_STR (rows[0].metrics_json, migrated[0]);
        BSW_CHECK_STR (rows[2].metrics_json, migrated[2]);
        broker_export_metrics_t m;
        BSW_CHECK_INT (broker_export_metrics_parse (rows[0].metrics_json, &m, &err), 0);
        BSW_CHECK_INT (m.count, 5);
        BSW_CHECK_STR (m.names[1], "KuramotoIndex");
        BSW_CHECK_DOUBLE_EQ (m.values[0], 1.5);
        BSW_CHECK (isnan (m.values[1]));
        BSW_CHECK_DOUBLE_EQ (m.values[2], INFINITY);
        BSW_CHECK_DOUBLE_EQ (m.values[3], -INFINITY);
        BSW_CHECK_DOUBLE_EQ (m.values[4], 1e-07);
        BSW_CHECK_INT (broker_export_metrics_parse (rows[2].metrics_json, &m, &err), 0);
        BSW_CHECK_INT (m.count, 2);
        BSW_CHECK_DOUBLE_EQ (m.values[0], -2.5e+300);
        BSW_CHECK (isnan (m.values[1]));
        //  The series: converted once, where the first open put them.
        BSW_CHECK (rows[0].has_series && rows[2].has_series && !rows[1].has_series);
        if (open == 0) {
            offsets[0] = rows[0].series_offset;
            offsets[1] = rows[2].series_offset;
        }
        BSW_CHECK_INT (rows[0].series_offset, offsets[0]);
        BSW_CHECK_INT (rows[2].series_offset, offsets[1]);
        broker_result_rows_free (rows, count);
        BSW_CHECK (s_stored_is_old (db, 1, 0));
        BSW_CHECK (s_stored_is_old (db, 1, 2));
        BSW_CHECK (s_layout_clean (db, dir, 1, 2) == BSW_TEST_PASS);
        BSW_CHECK (s_upgraded (dir, db_path, 1) == BSW_TEST_PASS);
        broker_db_close (&db);
    }
    BSW_CHECK_INT (broker_db_open_readonly (&db, dir, &err), 0);
    BSW_CHECK (s_stored_is_old (db, 1, 2));
    broker_db_close (&db);

    //  A version no brainsweep wrote is refused, not taken for a new file.
    BSW_CHECK_INT (sqlite3_open (db_path, &raw), SQLITE_OK);
    BSW_CHECK_INT (sqlite3_exec (raw, "PRAGMA user_version = -1", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (raw);
    BSW_CHECK_INT (broker_db_open (&db, dir, &err), BSW_EDB);
    BSW_CHECK_MSG (strstr (err.text, "schema version -1 is not a brainsweep one"), "%s", err.text);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

/*  A data folder of schema 3, two sweeps, series in the database and in
    ts/ files, raw and deflated inside HDF5, some unreadable, and a series
    file that a crashed upgrade left (named by no row): opening it makes
    every readable series its raw array, end to end in its sweep's file,
    leaves the others without one (their bytes kept as
    sweeps/ID/unreadable-POINT.h5), and removes the ts/ folders, the old
    table and the crashed attempt's bytes. A reader refuses it until then. */
static int
s_test_migrate_series (void)
{
    char dir[BSW_TEST_DIR_MAX], db_path[128];
    BSW_CHECK (
        s_db_old (dir, db_path,
                  S_TIMESERIES_SQL
                  "INSERT INTO sweeps VALUES (1, '01234567-89ab-4cde-8f01-23456789abcd', 'one',"
                  " '{}', NULL, NULL, 6, 1, 0);"
                  "INSERT INTO sweeps VALUES (2, '11234567-89ab-4cde-8f01-23456789abcd', 'two',"
                  " '{}', NULL, NULL, 3, 0, 0);"
                  "INSERT INTO results VALUES (1, 0, 1, NULL, '{}', 1, 'w', 0);"
                  "INSERT INTO results VALUES (1, 1, 1, NULL, '{}', 1, 'w', 0);"
                  "INSERT INTO results VALUES (1, 2, 0, 'diverged', NULL, 1, 'w', 0);"
                  "INSERT INTO results VALUES (1, 3, 1, NULL, '{}', 1, 'w', 0);"
                  "INSERT INTO results VALUES (1, 4, 1, NULL, '{}', 1, 'w', 0);"
                  "INSERT INTO results VALUES (2, 0, 1, NULL, '{}', 1, 'w', 0);"
                  "INSERT INTO results VALUES (2, 2, 1, NULL, '{}', 1, 'w', 0);"
                  "INSERT INTO timeseries VALUES (1, 3, x'89484446');" // an HDF5 file's start only
                  "PRAGMA user_version = 3;"));
    char folder[128];
    snprintf (folder, sizeof folder, "%s/sweeps", dir);
    BSW_CHECK (mkdir (folder, 0755) == 0);
    BSW_CHECK (s_old_inline (db_path, 1, 0, 0) == BSW_TEST_PASS);
    BSW_CHECK (s_old_file (dir, 1, 1, 1) == BSW_TEST_PASS);
    //  Point 4 of sweep 1 has neither; point 5 a file but no row.
    BSW_CHECK (s_old_file (dir, 1, 5, 0) == BSW_TEST_PASS);
    BSW_CHECK (s_old_file (dir, 2, 0, 0) == BSW_TEST_PASS);
    BSW_CHECK (s_old_inline (db_path, 2, 2, 1) == BSW_TEST_PASS);
    BSW_CHECK (s_old_junk (dir, 1, "series.bin", "bytes of an upgrade that crashed") ==
               BSW_TEST_PASS);

    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (broker_db_open_readonly (&db, dir, &err), BSW_EDB);
    BSW_CHECK_MSG (strstr (err.text, "schema version 3 is older"), "%s", err.text);
    BSW_CHECK (db == NULL);
    BSW_CHECK_INT (broker_db_open (&db, dir, &err), 0);
    BSW_CHECK (s_stored_is_old (db, 1, 0));
    BSW_CHECK (s_stored_is_old (db, 1, 1));
    BSW_CHECK (s_row_without_series (db, 1, 2));
    BSW_CHECK (s_row_without_series (db, 1, 3));
    BSW_CHECK (s_row_without_series (db, 1, 4));
    BSW_CHECK (s_stored_is_old (db, 2, 0));
    BSW_CHECK (s_stored_is_old (db, 2, 2));
    //  The unreadable inline series is kept, not deleted with the rest.
    char kept[160];
    snprintf (kept, sizeof kept, "%s/sweeps/1/unreadable-3.h5", dir);
    struct stat st;
    BSW_CHECK_MSG (stat (kept, &st) == 0 && st.st_size == 4, "%s not kept", kept);
    BSW_CHECK (unlink (kept) == 0); // then the folder is as clean as any
    BSW_CHECK (s_layout_clean (db, dir, 1, 2) == BSW_TEST_PASS);
    BSW_CHECK (s_layout_clean (db, dir, 2, 2) == BSW_TEST_PASS);
    BSW_CHECK_INT (s_series_file_size (dir, 1, NULL),
                   (s_old_count (0) + s_old_count (1)) * sizeof (double));
    BSW_CHECK_INT (s_series_file_size (dir, 2, NULL),
                   (s_old_count (0) + s_old_count (2)) * sizeof (double));
    BSW_CHECK (s_upgraded (dir, db_path, 2) == BSW_TEST_PASS);
    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (db, 1, &info, &err), 0);
    BSW_CHECK_INT (info.done, 4);
    BSW_CHECK_INT (info.failed, 1);
    BSW_CHECK_INT (info.state, BROKER_SWEEP_FINISHED);
    broker_sweep_info_fini (&info);

    //  A reader beside the writer reads them now; the point whose file had
    //  no row can be committed.
    broker_db_t *reader = NULL;
    BSW_CHECK_INT (broker_db_open_readonly (&reader, dir, &err), 0);
    BSW_CHECK (s_stored_is_old (reader, 1, 1));
    BSW_CHECK (s_stored_is_old (reader, 2, 2));
    static uint8_t blob[S_BLOB_MAX];
    broker_result_t r = s_result (1, 5, true, blob);
    BSW_CHECK_INT (broker_db_results_commit (db, &r, 1, NULL, &err), 0);
    BSW_CHECK (s_stored_is_blob (reader, 1, 5));
    BSW_CHECK (s_layout_clean (reader, dir, 1, 3) == BSW_TEST_PASS);
    broker_db_close (&reader);
    s_db_end (dir, &db);
    return BSW_TEST_PASS;
}

/*  A refinement family: a level sweep names its grid and level in the same
    row, and a plan per grid records the refinement and how it ended; both
    survive a reopen. */
static int
s_test_family (void)
{
    char dir[BSW_TEST_DIR_MAX];
    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (s_db_fresh (dir, &db, &err), 0);
    uint64_t grid, level1;
    char uuid[37];
    BSW_CHECK_INT (
        broker_db_sweep_create (db, "grid", NULL, S_SPEC, NULL, 0, NULL, 4, &grid, uuid, &err), 0);
    BSW_CHECK_INT (broker_db_sweep_create_level (db, "grid, level 1", NULL, "{}", NULL, 0, NULL, 5,
                                                 grid, 1, &level1, uuid, &err),
                   0);
    broker_refine_plan_t plan = {
        .root = grid, .metric = "GlobalVariance", .threshold = 0.05, .levels = 2};
    BSW_CHECK_INT (broker_db_refine_create (db, &plan, &err), 0);
    BSW_CHECK_INT (broker_db_refine_create (db, &plan, &err), BSW_ESTATE);
    BSW_CHECK_STR (err.text, "sweep 1 is refined already");
    broker_db_close (&db);
    BSW_CHECK_INT (broker_db_open (&db, dir, &err), 0);

    broker_sweep_info_t *list = NULL;
    size_t count = 0;
    BSW_CHECK_INT (broker_db_sweep_list (db, &list, &count, &err), 0);
    BSW_CHECK_INT (count, 2);
    BSW_CHECK (list[0].parent == 0 && list[0].level == 0);
    BSW_CHECK (list[1].parent == grid && list[1].level == 1);
    broker_sweep_list_free (list, count);
    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (db, level1, &info, &err), 0);
    BSW_CHECK (info.parent == grid && info.level == 1 && info.points == 5);
    broker_sweep_info_fini (&info);

    broker_refine_plan_t *plans = NULL;
    BSW_CHECK_INT (broker_db_refine_list (db, &plans, &count, &err), 0);
    BSW_CHECK_INT (count, 1);
    BSW_CHECK (plans[0].root == grid && plans[0].levels == 2 && plans[0].threshold == 0.05);
    BSW_CHECK_STR (plans[0].metric, "GlobalVariance");
    BSW_CHECK_INT (plans[0].state, BROKER_REFINE_RUNNING);
    BSW_CHECK_STR (plans[0].note, "");
    broker_refine_plans_free (plans, count);
    BSW_CHECK_INT (broker_db_refine_end (db, grid, BROKER_REFINE_DONE, "no cell to halve", &err),
                   0);
    BSW_CHECK_INT (broker_db_refine_list (db, &plans, &count, &err), 0);
    BSW_CHECK_INT (plans[0].state, BROKER_REFINE_DONE);
    BSW_CHECK_STR (plans[0].note, "no cell to halve");
    broker_refine_plans_free (plans, count);
    s_db_end (dir, &db);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"definition", s_test_definition},
                                          {"commit", s_test_commit},
                                          {"duplicates", s_test_duplicates},
                                          {"reopen", s_test_reopen},
                                          {"crash", s_test_crash},
                                          {"retry_failed", s_test_retry_failed},
                                          {"errors", s_test_errors},
                                          {"readonly", s_test_readonly},
                                          {"nospace", s_test_nospace},
                                          {"rate", s_test_rate},
                                          {"series", s_test_series},
                                          {"migrate", s_test_migrate},
                                          {"migrate_metrics", s_test_migrate_metrics},
                                          {"migrate_series", s_test_migrate_series},
                                          {"family", s_test_family},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
