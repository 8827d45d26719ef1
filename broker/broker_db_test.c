/*  broker_db_test.c - the broker's durable state: sweeps, results and
    their files, duplicates, reopening, a broker killed mid-commit, retry of
    failed points, error codes, a reader beside the writer, a full disk
    (tmpfs, root only), the commit rate (printed, not asserted) and the
    upgrades of older schemas.

    Every case works in its own scratch folder (bsw_test_dir.h; most open a
    database in it with s_db_fresh) and removes it.
*/
#include "broker_db.h"
#include "broker_export_files.h"
#include "bsw_test.h"
#include "bsw_test_dir.h"
#include "bsw_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

//  Deterministic time-series bytes of a point: size varies with the point
//  so a truncated or swapped file shows. Points 3, 13, 23, ... are small
//  and kept in the database; the others are over BROKER_DB_INLINE_MAX and
//  get a file each, so every case runs through both.
#define S_BLOB_MAX (BROKER_DB_INLINE_MAX + 16)
static size_t
s_blob_size (uint64_t point)
{
    return (point % 10 == 3 ? 2048 : BROKER_DB_INLINE_MAX + 1) + (size_t) (point % 13);
}

static bool
s_inline (uint64_t point)
{
    return s_blob_size (point) <= BROKER_DB_INLINE_MAX;
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

//  Whether the file at path holds exactly the blob of point.
static bool
s_file_is_blob (const char *path, uint64_t point)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return false;
    size_t size = s_blob_size (point);
    uint8_t *want = malloc (size), *got = malloc (size + 1);
    s_blob_fill (point, want, size);
    size_t n = fread (got, 1, size + 1, f);
    fclose (f);
    bool same = n == size && memcmp (want, got, size) == 0;
    free (want);
    free (got);
    return same;
}

//  Whether the point's stored series, wherever it is, is exactly its blob.
static bool
s_stored_is_blob (broker_db_t *db, uint64_t sweep, uint64_t point)
{
    void *data = NULL;
    size_t size = 0;
    if (broker_db_result_timeseries (db, sweep, point, &data, &size, NULL) != 0)
        return false;
    uint8_t *want = malloc (s_blob_size (point));
    s_blob_fill (point, want, s_blob_size (point));
    bool same = size == s_blob_size (point) && memcmp (want, data, size) == 0;
    free (want);
    free (data);
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
        r.timeseries_size = s_blob_size (point);
        s_blob_fill (point, buf, r.timeseries_size);
        r.timeseries = buf;
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

//  Counts the files of a sweep's ts folder; *temps counts the "*.tmp" ones.
static int
s_count_files (const char *dir, uint64_t sweep, int *temps)
{
    char folder[4096];
    snprintf (folder, sizeof folder, "%s/sweeps/%llu/ts", dir, (unsigned long long) sweep);
    DIR *d = opendir (folder);
    int n = 0;
    *temps = 0;
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        n++;
        size_t len = strlen (e->d_name);
        if (len > 4 && strcmp (e->d_name + len - 4, ".tmp") == 0)
            (*temps)++;
    }
    closedir (d);
    return n;
}

//  --------------------------------------------------------------------------
//  Cases

/*  Usage: open a data folder, register a sweep, commit finished points
    (files first, then rows), read the progress back, close. */
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
        broker_db_sweep_create (db, "demo", S_SPEC, NULL, 0, NULL, 4, &sweep, uuid, &err), 0);

    static uint8_t blob[S_BLOB_MAX];
    broker_result_t results[2] = {s_result (sweep, 0, true, blob),
                                  s_result (sweep, 1, false, NULL)};
    bool stored[2];
    BSW_CHECK_INT (broker_db_results_commit (db, results, 2, stored, &err), 0);
    BSW_CHECK (stored[0] && stored[1]); // now the broker may acknowledge both

    char path[4096];
    broker_db_result_path (db, sweep, 0, path, sizeof path);
    BSW_CHECK (s_file_is_blob (path, 0));

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
    BSW_CHECK_INT (broker_db_sweep_create (db, "with zip", S_SPEC, zip, sizeof zip, "c76.zip", 10,
                                           &a, uuid_a, &err),
                   0);
    BSW_CHECK_INT (broker_db_sweep_create (db, NULL, "{}", NULL, 0, NULL, 3, &b, uuid_b, &err), 0);
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
    BSW_CHECK_INT (broker_db_sweep_create (db, "one", S_SPEC, NULL, 0, NULL, 20, &s1, NULL, &err),
                   0);
    BSW_CHECK_INT (broker_db_sweep_create (db, "two", S_SPEC, NULL, 0, NULL, 5, &s2, NULL, &err),
                   0);

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

    //  Files: exact bytes for ok points, none for failed ones, no temps.
    char path[4096];
    for (uint64_t p = 0; p < 10; p++) {
        broker_db_result_path (db, s1, p, path, sizeof path);
        if (p % 3 != 0)
            BSW_CHECK_MSG (s_file_is_blob (path, p), "%s", path);
        else
            BSW_CHECK (!s_exists (path));
    }
    broker_db_result_path (db, s2, 4, path, sizeof path);
    BSW_CHECK (s_file_is_blob (path, 4));
    char want[4096];
    snprintf (want, sizeof want, "%s/sweeps/%llu/ts/4.h5", dir, (unsigned long long) s2);
    BSW_CHECK_STR (path, want);
    int temps;
    BSW_CHECK_INT (s_count_files (dir, s1, &temps), 6);
    BSW_CHECK_INT (temps, 0);

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

    //  Rows, paged by point index.
    broker_result_row_t *rows;
    BSW_CHECK_INT (broker_db_result_rows (db, s1, 0, 4, &rows, &count, &err), 0);
    BSW_CHECK_INT (count, 4);
    for (size_t k = 0; k < 4; k++)
        BSW_CHECK_INT (rows[k].point, k);
    BSW_CHECK (!rows[0].ok);
    BSW_CHECK_STR (rows[0].error, "NaN in state variable V");
    BSW_CHECK (rows[0].metrics_json == NULL);
    BSW_CHECK (rows[1].ok && rows[1].error == NULL);
    BSW_CHECK_STR (rows[1].metrics_json, "{\"GlobalVariance\": 0.5}");
    BSW_CHECK_DOUBLE_EQ (rows[1].elapsed_ms, 1.5);
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
    BSW_CHECK_INT (broker_db_sweep_create (db, "d", S_SPEC, NULL, 0, NULL, 10, &sweep, NULL, &err),
                   0);

    //  Point 3 twice in one call (first wins), point 5 ok and then failed.
    static uint8_t blobs[4][S_BLOB_MAX];
    broker_result_t first[4] = {s_result (sweep, 3, true, blobs[0]),
                                s_result (sweep, 5, true, blobs[1]),
                                s_result (sweep, 3, false, NULL), s_result (sweep, 5, false, NULL)};
    bool stored[4];
    BSW_CHECK_INT (broker_db_results_commit (db, first, 4, stored, &err), 0);
    BSW_CHECK (stored[0] && stored[1] && !stored[2] && !stored[3]);

    //  A later call: 3 again (with other bytes, which must not land), 6 new.
    static uint8_t other[S_BLOB_MAX];
    memset (other, 0xAB, sizeof other);
    broker_result_t later[2] = {s_result (sweep, 3, true, blobs[2]),
                                s_result (sweep, 6, false, NULL)};
    later[0].timeseries = other;
    BSW_CHECK_INT (broker_db_results_commit (db, later, 2, stored, &err), 0);
    BSW_CHECK (!stored[0] && stored[1]);

    char path[4096];
    broker_db_result_path (db, sweep, 3, path, sizeof path);
    BSW_CHECK (!s_exists (path)); // small: in the database
    BSW_CHECK (s_stored_is_blob (db, sweep, 3));
    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (db, sweep, &info, &err), 0);
    BSW_CHECK_INT (info.done, 2);
    BSW_CHECK_INT (info.failed, 1);
    broker_sweep_info_fini (&info);
    int temps;
    BSW_CHECK_INT (s_count_files (dir, sweep, &temps), 1);
    BSW_CHECK_INT (temps, 0);
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
        broker_db_sweep_create (db, "r", S_SPEC, "ZIP", 3, "z.zip", 6, &sweep, uuid, &err), 0);
    static uint8_t blobs[3][S_BLOB_MAX];
    broker_result_t results[3] = {s_result (sweep, 0, true, blobs[0]),
                                  s_result (sweep, 1, true, blobs[1]),
                                  s_result (sweep, 2, false, NULL)};
    BSW_CHECK_INT (broker_db_results_commit (db, results, 3, NULL, &err), 0);
    BSW_CHECK_INT (broker_db_sweep_set_state (db, sweep, BROKER_SWEEP_CANCELLED, &err), 0);
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
    char path[4096];
    broker_db_result_path (db, sweep, 1, path, sizeof path);
    BSW_CHECK (s_file_is_blob (path, 1));
    //  And the old results still count as duplicates.
    bool stored[1];
    BSW_CHECK_INT (broker_db_results_commit (db, results, 1, stored, &err), 0);
    BSW_CHECK (!stored[0]);
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
        broker_db_sweep_create (db, "c", S_SPEC, NULL, 0, NULL, points, &sweep, NULL, &err), 0);
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

    //  Reopen: every acknowledged point is there and every ok row has its
    //  whole file. Files without a row (temp files, or renamed just before
    //  the kill) are at most the one batch in flight, past the last row.
    BSW_CHECK_INT (broker_db_open (&db, dir, &err), 0);
    broker_result_row_t *rows;
    size_t count;
    BSW_CHECK_INT (broker_db_result_rows (db, sweep, 0, 0, &rows, &count, &err), 0);
    BSW_CHECK_MSG (count >= acked, "%zu rows, %llu acknowledged", count,
                   (unsigned long long) acked);
    size_t ok_rows = 0; // with a file
    char path[4096];
    for (size_t k = 0; k < count; k++) {
        BSW_CHECK_INT (rows[k].point, k); // contiguous: batches commit whole
        broker_db_result_path (db, sweep, rows[k].point, path, sizeof path);
        BSW_CHECK_INT (rows[k].ok, rows[k].point % 10 != 7);
        if (rows[k].ok) {
            ok_rows += !s_inline (rows[k].point);
            BSW_CHECK_MSG (s_stored_is_blob (db, sweep, rows[k].point), "point %llu",
                           (unsigned long long) rows[k].point);
        }
        if (!rows[k].ok || s_inline (rows[k].point))
            BSW_CHECK (!s_exists (path));
    }
    BSW_CHECK_INT (count % 50, 0);
    broker_result_rows_free (rows, count);
    int temps, files = s_count_files (dir, sweep, &temps);
    BSW_CHECK_MSG ((size_t) files >= ok_rows && (size_t) files <= ok_rows + 50,
                   "%d files for %zu ok rows", files, ok_rows);
    for (uint64_t p = count + 50; p < count + 100; p++) {
        broker_db_result_path (db, sweep, p, path, sizeof path);
        BSW_CHECK (!s_exists (path)); // nothing beyond the batch in flight
    }
    //  The leftovers do no harm: committing those points again works.
    static uint8_t blobs[50][S_BLOB_MAX];
    broker_result_t batch[50];
    for (int k = 0; k < 50; k++)
        batch[k] =
            s_result (sweep, count + (uint64_t) k, (count + (uint64_t) k) % 10 != 7, blobs[k]);
    BSW_CHECK_INT (broker_db_results_commit (db, batch, 50, NULL, &err), 0);
    for (int k = 0; k < 50; k++)
        BSW_CHECK (batch[k].ok ? s_stored_is_blob (db, sweep, count + (uint64_t) k) : true);
    broker_db_close (&db);
    fprintf (stderr, "crash: %zu rows committed, %llu acknowledged, %d files (%d temp) at kill\n",
             count, (unsigned long long) acked, files, temps);

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
    BSW_CHECK_INT (broker_db_sweep_create (db, "f", S_SPEC, NULL, 0, NULL, 6, &sweep, NULL, &err),
                   0);
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

    //  The retried points can be committed again; nothing left to retry.
    results[1].ok = true;
    results[1].timeseries = blobs[1];
    results[1].timeseries_size = s_blob_size (1);
    s_blob_fill (1, blobs[1], s_blob_size (1));
    bool stored[1];
    BSW_CHECK_INT (broker_db_results_commit (db, &results[1], 1, stored, &err), 0);
    BSW_CHECK (stored[0]);
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
    BSW_CHECK_INT (broker_db_sweep_create (db, "e", S_SPEC, NULL, 0, NULL, 4, &sweep, NULL, &err),
                   0);

    //  Unknown sweep: everywhere BSW_ENOTFOUND, and nothing written.
    static uint8_t blobs[2][S_BLOB_MAX];
    broker_result_t results[2] = {s_result (sweep, 0, true, blobs[0]),
                                  s_result (sweep + 7, 0, true, blobs[1])};
    bool stored[2] = {true, true};
    BSW_CHECK_INT (broker_db_results_commit (db, results, 2, stored, &err), BSW_ENOTFOUND);
    BSW_CHECK (strstr (err.text, "no such sweep") != NULL);
    BSW_CHECK (!stored[0] && !stored[1]);
    int temps;
    BSW_CHECK_INT (s_count_files (dir, sweep, &temps), 0);
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

    //  A point past the sweep's end, an invalid state.
    results[1] = s_result (sweep, 4, false, NULL);
    BSW_CHECK_INT (broker_db_results_commit (db, results, 2, stored, &err), BSW_EINVAL);
    BSW_CHECK_INT (broker_db_sweep_set_state (db, sweep, (broker_sweep_state_t) 9, &err),
                   BSW_EINVAL);
    BSW_CHECK_INT (broker_db_results_commit (db, results, 1, NULL, NULL), 0); // err may be NULL
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
    char db_path[128];
    snprintf (db_path, sizeof db_path, "%s/brainsweep.db", dir);
    sqlite3 *raw = NULL;
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
        broker_db_sweep_create (writer, "ro", S_SPEC, NULL, 0, NULL, 8, &sweep, NULL, &err), 0);
    BSW_CHECK_INT (broker_db_open_readonly (&reader, dir, &err), 0);
    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (reader, sweep, &info, &err), 0);
    BSW_CHECK_INT (info.done, 0);
    broker_sweep_info_fini (&info);

    //  The reader keeps its connection while the writer commits.
    static uint8_t blobs[3][S_BLOB_MAX];
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
    broker_result_rows_free (rows, count);
    char path[4096];
    broker_db_result_path (reader, sweep, 5, path, sizeof path);
    BSW_CHECK (s_file_is_blob (path, 5));
    BSW_CHECK_INT (broker_db_sweep_set_state (reader, sweep, BROKER_SWEEP_CANCELLED, &err),
                   BSW_EDB); // SQLite refuses writes on this connection
    broker_db_close (&reader);
    broker_db_close (&writer);

    //  And with no writer open.
    BSW_CHECK_INT (broker_db_open_readonly (&reader, dir, &err), 0);
    broker_sweep_info_t *list;
    BSW_CHECK_INT (broker_db_sweep_list (reader, &list, &count, &err), 0);
    BSW_CHECK_INT (count, 1);
    BSW_CHECK_INT (list[0].done, 2);
    broker_sweep_list_free (list, count);
    broker_db_close (&reader);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

//  Fills the data folder dir (on a 1 MB tmpfs) twice: with result files,
//  then with database rows. Each time the failing call commits nothing,
//  leaves no file and says "no space left on device".
static int
s_fill_up (const char *dir)
{
    bsw_error_t err;
    broker_db_t *db = NULL;
    uint64_t sweep, committed = 0;
    BSW_CHECK_INT (broker_db_open (&db, dir, &err), 0);
    BSW_CHECK_INT (
        broker_db_sweep_create (db, "full", S_SPEC, NULL, 0, NULL, 100000, &sweep, NULL, &err), 0);
    static uint8_t big[S_BLOB_MAX];
    memset (big, 0x5A, sizeof big);
    broker_result_t batch[8];
    int rc = 0;
    for (uint64_t next = 0; rc == 0 && next < 1000; next += 8) {
        for (int k = 0; k < 8; k++) {
            batch[k] = s_result (sweep, next + (uint64_t) k, false, NULL);
            batch[k].ok = true;
            batch[k].error = NULL;
            batch[k].timeseries = big;
            batch[k].timeseries_size = sizeof big;
        }
        rc = broker_db_results_commit (db, batch, 8, NULL, &err);
        committed += rc == 0 ? 8 : 0;
    }
    fprintf (stderr, "nospace: %llu files fit, then: %s\n", (unsigned long long) committed,
             err.text);
    BSW_CHECK_INT (rc, BSW_ENOSPACE);
    BSW_CHECK (strncmp (err.text, dir, strlen (dir)) == 0);
    BSW_CHECK (strstr (err.text, ": no space left on device") != NULL);
    BSW_CHECK (committed > 0);
    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (db, sweep, &info, &err), 0);
    BSW_CHECK_INT (info.done, committed);
    broker_sweep_info_fini (&info);
    int temps, files = s_count_files (dir, sweep, &temps);
    BSW_CHECK_INT (files, committed);
    BSW_CHECK_INT (temps, 0);

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

//  Throughput of the durable path, batches of 100 results with 2 KB blobs.
//  Printed, not asserted: it measures the disk as much as the code.
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
        broker_db_sweep_create (db, "rate", S_SPEC, NULL, 0, NULL, total, &sweep, NULL, &err), 0);
    static uint8_t blobs[100][S_BLOB_MAX];
    broker_result_t batch[100];
    int64_t start = bsw_clock_mono_ms ();
    for (uint64_t next = 0; next < total; next += per_batch) {
        for (uint64_t k = 0; k < per_batch; k++)
            batch[k] = s_result (sweep, next + k, true, blobs[k]);
        BSW_CHECK_INT (broker_db_results_commit (db, batch, per_batch, NULL, &err), 0);
    }
    int64_t elapsed = bsw_clock_mono_ms () - start;
    fprintf (stderr,
             "rate: %llu results in %lld ms: %.0f results/s (batches of %llu, 9 in 10 of them "
             "files of ~64 KB)\n",
             (unsigned long long) total, (long long) elapsed,
             (double) total * 1000.0 / (double) (elapsed > 0 ? elapsed : 1),
             (unsigned long long) per_batch);
    broker_sweep_info_t info;
    BSW_CHECK_INT (broker_db_sweep_info (db, sweep, &info, &err), 0);
    BSW_CHECK_INT (info.done, total);
    broker_sweep_info_fini (&info);
    s_db_end (dir, &db);
    return BSW_TEST_PASS;
}

/*  Small series are kept in the database: no file, read back whole by
    broker_db_result_timeseries and by a reader beside the writer, after a
    reopen too; a large one in the same commit still gets its file. */
static int
s_test_inline (void)
{
    char dir[BSW_TEST_DIR_MAX];
    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (s_db_fresh (dir, &db, &err), 0);
    uint64_t sweep;
    BSW_CHECK_INT (broker_db_sweep_create (db, "i", S_SPEC, NULL, 0, NULL, 4, &sweep, NULL, &err),
                   0);
    static uint8_t small[BROKER_DB_INLINE_MAX], large[S_BLOB_MAX];
    memset (small, 0x11, sizeof small);
    memset (large, 0x22, sizeof large);
    broker_result_t results[3] = {s_result (sweep, 0, false, NULL),
                                  s_result (sweep, 1, false, NULL),
                                  s_result (sweep, 2, true, large)};
    results[0].ok = true;
    results[0].error = NULL;
    results[0].timeseries = small;
    results[0].timeseries_size = sizeof small; // exactly the limit: inline
    results[2].timeseries_size = sizeof large;
    BSW_CHECK_INT (broker_db_results_commit (db, results, 3, NULL, &err), 0);
    int temps;
    BSW_CHECK_INT (s_count_files (dir, sweep, &temps), 1);
    char path[4096];
    broker_db_result_path (db, sweep, 0, path, sizeof path);
    BSW_CHECK (!s_exists (path));

    for (int round = 0; round < 2; round++) {
        broker_db_t *reader = NULL;
        BSW_CHECK_INT (broker_db_open_readonly (&reader, dir, &err), 0);
        broker_db_t *both[2] = {db, reader};
        for (int b = 0; b < 2; b++) {
            void *data = NULL;
            size_t size = 0;
            BSW_CHECK_INT (broker_db_result_timeseries (both[b], sweep, 0, &data, &size, &err), 0);
            BSW_CHECK (size == sizeof small && memcmp (data, small, size) == 0);
            free (data);
            BSW_CHECK_INT (broker_db_result_inline (both[b], sweep, 2, &data, &size, &err), 0);
            BSW_CHECK (data == NULL);
            BSW_CHECK_INT (broker_db_result_timeseries (both[b], sweep, 2, &data, &size, &err), 0);
            BSW_CHECK (size == sizeof large && memcmp (data, large, size) == 0);
            free (data);
            //  A failed point and a point without a result have no series.
            BSW_CHECK_INT (broker_db_result_timeseries (both[b], sweep, 1, &data, &size, &err),
                           BSW_EIO);
            BSW_CHECK_INT (broker_db_result_timeseries (both[b], sweep, 3, &data, &size, &err),
                           BSW_EIO);
        }
        broker_db_close (&reader);
        broker_db_close (&db);
        BSW_CHECK_INT (broker_db_open (&db, dir, &err), 0);
    }
    //  A duplicate with other bytes changes nothing.
    memset (small, 0x33, 16);
    bool stored[1];
    BSW_CHECK_INT (broker_db_results_commit (db, results, 1, stored, &err), 0);
    BSW_CHECK (!stored[0]);
    void *data = NULL;
    size_t size = 0;
    BSW_CHECK_INT (broker_db_result_timeseries (db, sweep, 0, &data, &size, &err), 0);
    BSW_CHECK (((uint8_t *) data)[0] == 0x11);
    free (data);
    s_db_end (dir, &db);
    return BSW_TEST_PASS;
}

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

/*  A data folder of schema 1 (every series a file) is upgraded when the
    broker opens it: its results keep their files, new small ones go into
    the database; a reader refuses it until then, saying why. */
static int
s_test_migrate (void)
{
    char dir[BSW_TEST_DIR_MAX], db_path[128];
    BSW_CHECK (s_db_old (dir, db_path,
                         "INSERT INTO sweeps VALUES (1, '01234567-89ab-4cde-8f01-23456789abcd', "
                         "'old', '{}', NULL, NULL, 3, 0, 0);"
                         "INSERT INTO results VALUES (1, 0, 1, NULL, '{}', 1, 'w', 0);"
                         "PRAGMA user_version = 1;"));
    char folder[128], file[160];
    snprintf (folder, sizeof folder, "%s/sweeps/1/ts", dir);
    bsw_error_t err;
    BSW_CHECK (mkdir (folder, 0755) != 0); // parents missing: made below
    snprintf (folder, sizeof folder, "%s/sweeps", dir);
    BSW_CHECK (mkdir (folder, 0755) == 0);
    snprintf (folder, sizeof folder, "%s/sweeps/1", dir);
    BSW_CHECK (mkdir (folder, 0755) == 0);
    snprintf (folder, sizeof folder, "%s/sweeps/1/ts", dir);
    BSW_CHECK (mkdir (folder, 0755) == 0);
    snprintf (file, sizeof file, "%s/0.h5", folder);
    FILE *f = fopen (file, "wb");
    BSW_CHECK (f && fputs ("old series", f) >= 0 && fclose (f) == 0);

    broker_db_t *db = NULL;
    BSW_CHECK_INT (broker_db_open_readonly (&db, dir, &err), BSW_EDB);
    BSW_CHECK_MSG (strstr (err.text, "older") != NULL, "%s", err.text);
    BSW_CHECK_INT (broker_db_open (&db, dir, &err), 0);
    void *data = NULL;
    size_t size = 0;
    BSW_CHECK_INT (broker_db_result_timeseries (db, 1, 0, &data, &size, &err), 0);
    BSW_CHECK (size == 10 && memcmp (data, "old series", 10) == 0);
    free (data);
    uint8_t blob[64];
    memset (blob, 7, sizeof blob);
    broker_result_t r = s_result (1, 1, false, NULL);
    r.ok = true;
    r.error = NULL;
    r.timeseries = blob;
    r.timeseries_size = sizeof blob;
    BSW_CHECK_INT (broker_db_results_commit (db, &r, 1, NULL, &err), 0);
    BSW_CHECK_INT (broker_db_result_timeseries (db, 1, 1, &data, &size, &err), 0);
    BSW_CHECK (size == sizeof blob && memcmp (data, blob, size) == 0);
    free (data);
    broker_db_close (&db);
    BSW_CHECK_INT (broker_db_open_readonly (&db, dir, &err), 0);
    s_db_end (dir, &db);
    return BSW_TEST_PASS;
}

/*  A data folder of schema 2 stored metrics as Python writes them, bare
    NaN and infinities that jansson refuses; opening it rewrites them as
    strings (schema 3), so the export's parser reads the same values. A
    reader refuses it until then; opening again changes nothing. */
static int
s_test_migrate_metrics (void)
{
    char dir[BSW_TEST_DIR_MAX], db_path[128];
    BSW_CHECK (
        s_db_old (dir, db_path,
                  "CREATE TABLE timeseries (sweep INTEGER NOT NULL, point INTEGER NOT NULL,"
                  " data BLOB NOT NULL, PRIMARY KEY (sweep, point)) WITHOUT ROWID;"
                  "INSERT INTO sweeps VALUES (1, '01234567-89ab-4cde-8f01-23456789abcd', 'old',"
                  " '{}', NULL, NULL, 4, 0, 0);"
                  "INSERT INTO results VALUES (1, 0, 1, NULL, '{\"GlobalVariance\": 1.5, "
                  "\"KuramotoIndex\": NaN, \"Metastability\": Infinity, \"Synchrony\": -Infinity, "
                  "\"VarianceNodeVariance\": 1e-07}', 1, 'w', 0);"
                  "INSERT INTO results VALUES (1, 1, 0, 'diverged', NULL, 1, 'w', 0);"
                  "INSERT INTO results VALUES (1, 2, 1, NULL, '{\"GlobalVariance\": -2.5e+300, "
                  "\"Synchrony\": NaN}', 1, 'w', 0);"
                  "PRAGMA user_version = 2;"));
    sqlite3 *raw = NULL;

    bsw_error_t err;
    broker_db_t *db = NULL;
    BSW_CHECK_INT (broker_db_open_readonly (&db, dir, &err), BSW_EDB);
    BSW_CHECK_MSG (strstr (err.text, "schema version 2 is older"), "%s", err.text);
    static const char *const migrated[] = {
        "{\"GlobalVariance\": 1.5, \"KuramotoIndex\": \"NaN\", \"Metastability\": \"Infinity\", "
        "\"Synchrony\": \"-Infinity\", \"VarianceNodeVariance\": 1e-07}",
        NULL, "{\"GlobalVariance\": -2.5e+300, \"Synchrony\": \"NaN\"}"};
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
        broker_result_rows_free (rows, count);
        broker_db_close (&db);
    }
    BSW_CHECK_INT (broker_db_open_readonly (&db, dir, &err), 0);
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
                                          {"inline", s_test_inline},
                                          {"migrate", s_test_migrate},
                                          {"migrate_metrics", s_test_migrate_metrics},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
