/*  broker_db_upgrade.c - the broker database's schema and the upgrade of
    older data folders (broker_db_upgrade.h).

    Every upgrade runs in the transaction that opens the file, so a crash
    leaves the old version whole: SQLite rolls the rows back, and bytes
    the upgrade to 4 appended to a series file are named by no row (the
    upgrade removes such files first, since before version 4 no row could
    name them). The old per-point files go only after the commit.

    The upgrade to 4 costs one libhdf5 read per stored series (a few ms
    for a tutorial point), so a data folder of 100,000 tutorial points takes
    minutes, once.
*/
#include "broker_db_upgrade.h"

#include "bsw_assert.h"
#include "bsw_util.h"
#include "store_h5read.h"

#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_CHUNK       256        /* series appended (and fdatasync'ed) together, at most */
#define S_CHUNK_BYTES (64 << 20) /* and at most this much of them held in memory */

//  Version 2's table of small series (still created by the upgrade from 1,
//  then emptied into the series files by the upgrade to 4).
#define S_TIMESERIES_SQL                                                                           \
    "CREATE TABLE IF NOT EXISTS timeseries (sweep INTEGER NOT NULL, point INTEGER NOT NULL,"       \
    " data BLOB NOT NULL, PRIMARY KEY (sweep, point)) WITHOUT ROWID;"

//  Version 6's refinement plans (broker_refine.h): one per refined grid,
//  the root of its family; its sweeps name the root in sweeps.parent.
#define S_REFINEMENTS_SQL                                                                          \
    "CREATE TABLE IF NOT EXISTS refinements (root INTEGER PRIMARY KEY REFERENCES sweeps(id),"      \
    " metric TEXT NOT NULL, threshold REAL NOT NULL, levels INTEGER NOT NULL,"                     \
    " log_scale INTEGER NOT NULL, state INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '',"          \
    " created REAL NOT NULL);"

static const char s_schema_sql[] =
    "CREATE TABLE IF NOT EXISTS sweeps (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL,"
    " name TEXT NOT NULL, spec TEXT NOT NULL, connectivity BLOB, connectivity_name TEXT,"
    " points INTEGER NOT NULL, state INTEGER NOT NULL, created REAL NOT NULL, owner TEXT,"
    " parent INTEGER, level INTEGER NOT NULL DEFAULT 0);" S_REFINEMENTS_SQL
    //  series_*: where the point's series lies in its sweep's series file
    //  and how it is encoded (store_series.h); NULL when it has none.
    "CREATE TABLE IF NOT EXISTS results (sweep INTEGER NOT NULL REFERENCES sweeps(id),"
    " point INTEGER NOT NULL, ok INTEGER NOT NULL, error TEXT, metrics TEXT,"
    " elapsed_ms REAL, worker TEXT, finished REAL NOT NULL,"
    " series_offset INTEGER, series_size INTEGER, series_encoding INTEGER,"
    " PRIMARY KEY (sweep, point)) WITHOUT ROWID;"
    "PRAGMA user_version = 6;"; // BROKER_DB_SCHEMA_VERSION

//  The upgrade from each older version to the next, run in order, each
//  ending with the version it makes. Version 3 to 4 also runs s_series.
static const char *const s_upgrade_sql[BROKER_DB_SCHEMA_VERSION] = {
    [0] = NULL, // a new file: s_schema_sql
    //  Version 1 had no timeseries table: every series was a file.
    [1] = S_TIMESERIES_SQL "PRAGMA user_version = 2;",
    //  Version 2 stored metrics as Python writes them, {"Synchrony": NaN},
    //  which plain JSON readers refuse; version 3 stores NaN and the
    //  infinities as strings (broker_export_metrics_json). The old writer
    //  always put ": " before a value and names are identifiers, so the
    //  three replacements touch values only (and ": Infinity" cannot match
    //  inside ": -Infinity"). One statement rewrites every row: 5 s for a
    //  million rows of five metrics on the project's test VM.
    [2] = "UPDATE results SET metrics = replace(replace(replace(metrics,"
          " ': -Infinity', ': \"-Infinity\"'), ': Infinity', ': \"Infinity\"'),"
          " ': NaN', ': \"NaN\"') WHERE metrics IS NOT NULL;"
          "PRAGMA user_version = 3;",
    [3] = "ALTER TABLE results ADD COLUMN series_offset INTEGER;"
          "ALTER TABLE results ADD COLUMN series_size INTEGER;"
          "ALTER TABLE results ADD COLUMN series_encoding INTEGER;",
    //  Version 5 records who submitted a sweep (its client's CurveZMQ
    //  key); older sweeps have none, and only admins may act on them.
    [4] = "ALTER TABLE sweeps ADD COLUMN owner TEXT; PRAGMA user_version = 5;",
    //  Version 6 links a refinement's sweeps to the grid they refine.
    [5] = "ALTER TABLE sweeps ADD COLUMN parent INTEGER;"
          "ALTER TABLE sweeps ADD COLUMN level INTEGER NOT NULL DEFAULT 0;" S_REFINEMENTS_SQL
          "PRAGMA user_version = 6;",
};

static int
s_sql_error (sqlite3 *db, const char *db_path, bsw_error_t *err, int rc)
{
    if ((rc & 0xff) == SQLITE_FULL)
        return bsw_error_set (err, BSW_ENOSPACE, "%s: no space left on device", db_path);
    return bsw_error_set (err, BSW_EDB, "%s: %s", db_path, sqlite3_errmsg (db));
}

static int
s_exec (sqlite3 *db, const char *db_path, const char *sql, bsw_error_t *err)
{
    int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : s_sql_error (db, db_path, err, rc);
}

//  The data array of a stored TimeSeriesRegion file: from the bytes of an
//  inline one (written to a scratch file for libhdf5), or from its file.
static int
s_read_data (const char *dir, uint64_t sweep, uint64_t point, const void *inline_bytes,
             size_t inline_size, double **values, size_t *count, bsw_error_t *err)
{
    char path[BROKER_STORE_PATH_MAX];
    if (inline_bytes) {
        snprintf (path, sizeof path, "%s/upgrade.h5.tmp", dir);
        FILE *f = fopen (path, "wb");
        bool ok = f && fwrite (inline_bytes, 1, inline_size, f) == inline_size;
        if (f && fclose (f) != 0)
            ok = false;
        if (!ok) {
            unlink (path);
            return bsw_error_set (err, errno == ENOSPC ? BSW_ENOSPACE : BSW_EIO,
                                  "%s: cannot write: %s", path, strerror (errno));
        }
    } else
        snprintf (path, sizeof path, "%s/sweeps/%" PRIu64 "/ts/%" PRIu64 ".h5", dir, sweep, point);
    size_t dims[STORE_H5_MAX_RANK];
    int rank = 0;
    int rc = store_h5_read_doubles (path, "data", values, dims, &rank, err);
    if (inline_bytes)
        unlink (path);
    if (rc)
        return rc;
    *count = 1;
    for (int d = 0; d < rank; d++)
        *count *= dims[d];
    return 0;
}

/*  Moves (or, for an inline one, writes) a series the upgrade could not
    read to sweeps/ID/unreadable-POINT.h5, where the clean-up of ts/ leaves
    it: nothing a user stored is deleted without being converted. */
static int
s_keep_unreadable (const char *dir, uint64_t sweep, uint64_t point, const void *inline_bytes,
                   size_t inline_size, const char *why, bsw_error_t *err)
{
    char kept[BROKER_STORE_PATH_MAX], ts[BROKER_STORE_PATH_MAX];
    snprintf (kept, sizeof kept, "%s/sweeps/%" PRIu64 "/unreadable-%" PRIu64 ".h5", dir, sweep,
              point);
    snprintf (ts, sizeof ts, "%s/sweeps/%" PRIu64 "/ts/%" PRIu64 ".h5", dir, sweep, point);
    bool ok = true;
    if (inline_bytes) {
        FILE *f = fopen (kept, "wb");
        ok = f && fwrite (inline_bytes, 1, inline_size, f) == inline_size;
        if (f && fclose (f) != 0)
            ok = false;
    } else if (rename (ts, kept) != 0) {
        if (errno == ENOENT)
            return 0; // no file: nothing to keep (the row had no series)
        ok = false;
    }
    if (!ok)
        return bsw_error_set (err, errno == ENOSPC ? BSW_ENOSPACE : BSW_EIO,
                              "sweep %" PRIu64 " point %" PRIu64
                              ": its series cannot be read (%s) nor kept at %s: %s",
                              sweep, point, why, kept, strerror (errno));
    zsys_warning ("upgrade: sweep %" PRIu64 " point %" PRIu64
                  ": its series cannot be read (%s); kept as %s, the point has no series now",
                  sweep, point, why, kept);
    return 0;
}

typedef struct {
    uint64_t sweep, point; /* whose */
    double *values;        /* its data array, owned */
} s_pending_t;

//  Appends a chunk of arrays and records where each went.
static int
s_flush (sqlite3 *db, const char *db_path, broker_store_t *store, sqlite3_stmt *update,
         s_pending_t *pending, broker_store_item_t *items, size_t n, bsw_error_t *err)
{
    int rc = broker_store_append (store, items, n, err);
    for (size_t k = 0; rc == 0 && k < n; k++) {
        sqlite3_bind_int64 (update, 1, (int64_t) items[k].offset);
        sqlite3_bind_int64 (update, 2, (int64_t) items[k].size);
        sqlite3_bind_int64 (update, 3, (int64_t) pending[k].sweep);
        sqlite3_bind_int64 (update, 4, (int64_t) pending[k].point);
        int step = sqlite3_step (update);
        if (step != SQLITE_DONE)
            rc = s_sql_error (db, db_path, err, step);
        sqlite3_reset (update);
    }
    for (size_t k = 0; k < n; k++)
        free (pending[k].values);
    return rc;
}

//  Version 3 to 4: every ok result's series, inline or in its file, into
//  the sweep's series file as a raw float64 array.
static int
s_series (sqlite3 *db, const char *db_path, const char *dir, broker_store_t *store,
          bsw_error_t *err)
{
    //  Series files a crashed earlier attempt left: no row names them yet.
    sqlite3_stmt *sweeps = NULL, *rows = NULL, *update = NULL;
    int rc = sqlite3_prepare_v2 (db, "SELECT id FROM sweeps", -1, &sweeps, NULL);
    while (rc == SQLITE_OK && sqlite3_step (sweeps) == SQLITE_ROW)
        broker_store_remove (store, (uint64_t) sqlite3_column_int64 (sweeps, 0));
    sqlite3_finalize (sweeps);
    if (rc == SQLITE_OK)
        rc =
            sqlite3_prepare_v2 (db,
                                "SELECT r.sweep, r.point, t.data FROM results r"
                                " LEFT JOIN timeseries t ON t.sweep = r.sweep AND t.point = r.point"
                                " WHERE r.ok = 1 ORDER BY r.sweep, r.point",
                                -1, &rows, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2 (db,
                                 "UPDATE results SET series_offset = ?1, series_size = ?2,"
                                 " series_encoding = 0 WHERE sweep = ?3 AND point = ?4",
                                 -1, &update, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize (rows);
        return s_sql_error (db, db_path, err, rc);
    }
    s_pending_t pending[S_CHUNK];
    broker_store_item_t items[S_CHUNK];
    size_t n = 0, held = 0;
    int step;
    int status = 0;
    while (status == 0 && (step = sqlite3_step (rows)) == SQLITE_ROW) {
        uint64_t sweep = (uint64_t) sqlite3_column_int64 (rows, 0);
        uint64_t point = (uint64_t) sqlite3_column_int64 (rows, 1);
        const void *blob = sqlite3_column_blob (rows, 2);
        size_t blob_size = blob ? (size_t) sqlite3_column_bytes (rows, 2) : 0;
        double *values = NULL;
        size_t count = 0;
        bsw_error_t local;
        bsw_error_clear (&local);
        //  A series that cannot be read any more stays without one: its
        //  point exports as it did before (an error naming it). Its bytes
        //  are kept beside the store, since the clean-up removes ts/.
        if (s_read_data (dir, sweep, point, blob, blob_size, &values, &count, &local) != 0 ||
            count == 0) {
            free (values);
            if (local.code == BSW_ENOSPACE)
                status = bsw_error_set (err, BSW_ENOSPACE, "%s", local.text);
            else
                status = s_keep_unreadable (dir, sweep, point, blob, blob_size,
                                            local.code ? local.text : "no values", err);
            continue;
        }
        pending[n] = (s_pending_t){sweep, point, values};
        items[n] = (broker_store_item_t){.sweep = sweep, .data = values, .size = count * 8};
        held += count * 8;
        if (++n == S_CHUNK || held >= S_CHUNK_BYTES) {
            status = s_flush (db, db_path, store, update, pending, items, n, err);
            n = 0;
            held = 0;
        }
    }
    if (status == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
        status = s_sql_error (db, db_path, err, step);
    if (status == 0 && n)
        status = s_flush (db, db_path, store, update, pending, items, n, err);
    else
        for (size_t k = 0; k < n; k++)
            free (pending[k].values);
    sqlite3_finalize (rows);
    sqlite3_finalize (update);
    return status;
}

int
broker_db_upgrade (sqlite3 *db, long version, const char *db_path, const char *dir,
                   broker_store_t *store, bsw_error_t *err)
{
    BSW_ASSERT (db && store);
    BSW_ASSERT (version >= 0 && version < BROKER_DB_SCHEMA_VERSION);
    if (version == 0)
        return s_exec (db, db_path, s_schema_sql, err);
    int rc = 0;
    for (long v = version; rc == 0 && v < BROKER_DB_SCHEMA_VERSION; v++) {
        rc = s_exec (db, db_path, s_upgrade_sql[v], err);
        if (rc == 0 && v == 3)
            rc = s_series (db, db_path, dir, store, err);
        if (rc == 0 && v == 3)
            rc = s_exec (db, db_path, "DROP TABLE timeseries; PRAGMA user_version = 4;", err);
    }
    return rc;
}

void
broker_db_upgrade_cleanup (const char *dir)
{
    char sweeps[BROKER_STORE_PATH_MAX];
    snprintf (sweeps, sizeof sweeps, "%s/sweeps", dir);
    DIR *d = opendir (sweeps);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir (d));) {
        if (e->d_name[0] == '.')
            continue;
        char ts[BROKER_STORE_PATH_MAX];
        if (snprintf (ts, sizeof ts, "%s/%s/ts", sweeps, e->d_name) >= (int) sizeof ts)
            continue;
        DIR *t = opendir (ts);
        if (!t)
            continue;
        for (struct dirent *f; (f = readdir (t));) {
            char file[BROKER_STORE_PATH_MAX + 300];
            if (f->d_name[0] != '.') {
                snprintf (file, sizeof file, "%s/%s", ts, f->d_name);
                unlink (file);
            }
        }
        closedir (t);
        rmdir (ts);
    }
    closedir (d);
}
