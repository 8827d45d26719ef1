/*  broker_db.c - the broker's durable state in SQLite: sweeps and result
    rows; every stored series lives in its sweep's series file
    (broker_store.c), and a row names it by offset and size.

    Why WAL with synchronous=FULL: a result may be acknowledged to its
    worker only once it survives a power cut, so every COMMIT must reach
    the disk (FULL fsyncs the WAL on each commit; NORMAL does not). WAL
    keeps that to one sequential append plus one fsync per transaction,
    and lets the export thread read through its own connection while the
    broker commits, neither blocking the other.

    The commit of a batch: which results are new (a duplicate is stored
    once), then the new ones' series appended to their sweeps' files
    (broker_store_append: durable before it returns), then every row in
    one BEGIN IMMEDIATE ... COMMIT. The row is the commit point, so a
    committed row always finds its bytes; a failed commit cuts the files
    back. A batch costs one fdatasync per sweep it touched and one WAL
    fsync, whatever its number of points.

    Recovery needs no code: SQLite rolls back an unfinished transaction on
    the next open, and bytes that no row names are never read.

    Schema upgrades (older data folders opened by this broker) are in
    broker_db_upgrade.c.

    Threads: one connection per thread (SQLITE_OPEN_NOMUTEX). Only the
    broker thread writes; two brokers on one folder are not supported (the
    duplicate check runs before the write transaction).
*/
#include "broker_db.h"
#include "broker_db_upgrade.h"
#include "broker_store.h"
#include "bsw_assert.h"
#include "bsw_util.h"

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_SCHEMA_VERSION  BROKER_DB_SCHEMA_VERSION
#define S_BUSY_TIMEOUT_MS 5000
//  Page size of a new database (an existing one keeps its own). A ~20 KB
//  inline series spans 2 pages of 16 KiB instead of 5 of 4 KiB, and SQLite
//  writes each WAL frame (and checkpoints each page) with syscalls of its
//  own: 16 KiB took ~10% off the broker's CPU at 20,000 tiny points here
//  (1.37-1.48 s against 1.52-1.68 s, alternating runs); 32 KiB was 60%
//  worse (SQLite's 2 MB page cache then holds 62 pages).
#define S_PAGE_SIZE_SQL "16384"
#define S_DB_FILE       "brainsweep.db"
//  Unix seconds with milliseconds, computed by SQLite at insert time.
#define S_NOW_SQL "((julianday('now') - 2440587.5) * 86400.0)"

struct broker_db_t {
    sqlite3 *db;                 /* the connection */
    char *dir;                   /* data folder, as given */
    broker_store_t *store;       /* its series files */
    char *db_path;               /* DIR/brainsweep.db, for error sentences */
    bool readonly;               /* opened with broker_db_open_readonly */
    sqlite3_stmt *exists;        /* does (sweep, point) have a row; hot path */
    sqlite3_stmt *insert;        /* one results row; hot path */
    sqlite3_stmt *select_series; /* where one point's series is, or no row */
    sqlite3_stmt *sweep_points;  /* points of a sweep, or no row when unknown */
};

//  --------------------------------------------------------------------------
//  Errors, files and queries

//  A SQLite failure as a sentence. SQLITE_FULL is the disk filling up, which
//  the operator fixes differently from a broken database, so it gets its own
//  code. Call before any ROLLBACK, which would replace sqlite3_errmsg.
static int
s_db_error (broker_db_t *self, bsw_error_t *err, int rc)
{
    if ((rc & 0xff) == SQLITE_FULL)
        return bsw_error_set (err, BSW_ENOSPACE, "%s: no space left on device", self->db_path);
    return bsw_error_set (err, BSW_EDB, "%s: %s", self->db_path, sqlite3_errmsg (self->db));
}

static int
s_not_found (bsw_error_t *err, uint64_t sweep)
{
    return bsw_error_set (err, BSW_ENOTFOUND, "sweep %" PRIu64 ": no such sweep", sweep);
}

static int
s_prepare (broker_db_t *self, const char *sql, sqlite3_stmt **stmt, bsw_error_t *err)
{
    int rc = sqlite3_prepare_v2 (self->db, sql, -1, stmt, NULL);
    return rc == SQLITE_OK ? 0 : s_db_error (self, err, rc);
}

static int
s_exec (broker_db_t *self, const char *sql, bsw_error_t *err)
{
    int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : s_db_error (self, err, rc);
}

//  Ends a failed transaction. Its own failure changes nothing for the
//  caller, who already reports the first error.
static void
s_rollback (broker_db_t *self)
{
    if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

//  Called by s_query for each result row, with the caller's context.
typedef void (s_row_fn) (sqlite3_stmt *st, void *ctx);

//  Runs one statement with integer parameters ?1, ?2, ?3 (those it has),
//  calling row (if any) for each result row. Every query off the hot path
//  goes through here: preparing costs microseconds, and caching them all
//  would only add teardown code.
static int
s_query (broker_db_t *self, const char *sql, int64_t a, int64_t b, int64_t c, s_row_fn *row,
         void *ctx, bsw_error_t *err)
{
    sqlite3_stmt *st;
    int rc = s_prepare (self, sql, &st, err);
    if (rc)
        return rc;
    const int64_t args[3] = {a, b, c};
    for (int k = 0; k < sqlite3_bind_parameter_count (st) && k < 3; k++)
        sqlite3_bind_int64 (st, k + 1, args[k]);
    int step;
    while ((step = sqlite3_step (st)) == SQLITE_ROW)
        if (row)
            row (st, ctx);
    if (step != SQLITE_DONE)
        rc = s_db_error (self, err, step);
    sqlite3_finalize (st);
    return rc;
}

//  0 and *points when the sweep exists, BSW_ENOTFOUND when not.
static int
s_sweep_points (broker_db_t *self, uint64_t id, uint64_t *points, bsw_error_t *err)
{
    sqlite3_stmt *st = self->sweep_points;
    sqlite3_bind_int64 (st, 1, (int64_t) id);
    int step = sqlite3_step (st);
    if (step == SQLITE_ROW && points)
        *points = (uint64_t) sqlite3_column_int64 (st, 0);
    int rc = step == SQLITE_ROW    ? 0
             : step == SQLITE_DONE ? s_not_found (err, id)
                                   : s_db_error (self, err, step);
    sqlite3_reset (st);
    return rc;
}

static char *
s_column_strdup (sqlite3_stmt *st, int col)
{
    const unsigned char *text = sqlite3_column_text (st, col);
    return text ? bsw_strdup ((const char *) text) : NULL;
}

//  A growing array that s_query row handlers fill.
typedef struct {
    void *items;  /* count items of the handler's type */
    size_t count; /* used items */
    size_t alloc; /* allocated items */
} s_vec_t;

//  A new, zeroed item of size bytes at the end of v.
static void *
s_vec_push (s_vec_t *v, size_t size)
{
    if (v->count == v->alloc) {
        v->alloc = v->alloc ? 2 * v->alloc : 16;
        v->items = bsw_realloc (v->items, v->alloc * size);
    }
    return memset ((char *) v->items + size * v->count++, 0, size);
}

//  Appends column 0 to a vector of uint64_t.
static void
s_row_u64 (sqlite3_stmt *st, void *ctx)
{
    *(uint64_t *) s_vec_push (ctx, sizeof (uint64_t)) = (uint64_t) sqlite3_column_int64 (st, 0);
}

//  Copies column 0 as text into a char[32].
static void
s_row_text (sqlite3_stmt *st, void *ctx)
{
    const unsigned char *text = sqlite3_column_text (st, 0);
    snprintf (ctx, 32, "%s", text ? (const char *) text : "");
}

//  --------------------------------------------------------------------------
//  Opening: folder, pragmas, schema

//  Creates the tables when the file is new (user_version 0) and refuses a
//  file written by a newer brainsweep rather than guessing at its layout.
static int
s_schema (broker_db_t *self, bsw_error_t *err)
{
    char text[32] = "0";
    int rc = s_query (self, "PRAGMA user_version", 0, 0, 0, s_row_text, text, err);
    long version = strtol (text, NULL, 10);
    if (rc || version == S_SCHEMA_VERSION)
        return rc;
    if (version > S_SCHEMA_VERSION)
        return bsw_error_set (err, BSW_EDB,
                              "%s: schema version %ld is newer than this broker's (%d): "
                              "use a newer brainsweep",
                              self->db_path, version, S_SCHEMA_VERSION);
    if (version < 0)
        return bsw_error_set (err, BSW_EDB, "%s: schema version %ld is not a brainsweep one",
                              self->db_path, version);
    if (self->readonly && version > 0)
        return bsw_error_set (err, BSW_EDB,
                              "%s: schema version %ld is older than this broker's (%d): start "
                              "the broker on it once to upgrade it",
                              self->db_path, version, S_SCHEMA_VERSION);
    if (self->readonly)
        return bsw_error_set (err, BSW_EDB, "%s: not a brainsweep database yet (no schema)",
                              self->db_path);
    //  Version 0 is a new file; older versions are upgraded in place, in one
    //  transaction, so a crash leaves the old version whole.
    rc = s_exec (self, "BEGIN IMMEDIATE", err);
    if (rc == 0)
        rc = broker_db_upgrade (self->db, version, self->db_path, self->dir, self->store, err);
    if (rc == 0)
        rc = s_exec (self, "COMMIT", err);
    if (rc)
        s_rollback (self);
    else if (version > 0 && version < 4)
        broker_db_upgrade_cleanup (self->dir);
    return rc;
}

static int
s_connect (broker_db_t *self, bsw_error_t *err)
{
    int flags = self->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2 (self->db_path, &self->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return self->db ? s_db_error (self, err, rc)
                        : bsw_error_set (err, BSW_ENOMEM, "%s: out of memory", self->db_path);
    sqlite3_busy_timeout (self->db, S_BUSY_TIMEOUT_MS);
    rc = s_exec (self, "PRAGMA foreign_keys = ON", err);
    //  Before the journal mode, which writes the file's first page.
    if (rc == 0 && !self->readonly)
        rc = s_exec (self, "PRAGMA page_size = " S_PAGE_SIZE_SQL, err);
    //  The journal mode lives in the file, so the writer sets it. The pragma
    //  answers with the mode it got: WAL can be refused (for instance on a
    //  file system without shared memory), and we must know.
    char mode[32] = "wal";
    if (rc == 0 && !self->readonly)
        rc = s_query (self, "PRAGMA journal_mode = WAL", 0, 0, 0, s_row_text, mode, err);
    if (rc == 0 && strcmp (mode, "wal") != 0)
        rc = bsw_error_set (err, BSW_EDB, "%s: cannot switch to WAL journal mode (got '%s')",
                            self->db_path, mode);
    if (rc == 0 && !self->readonly)
        rc = s_exec (self, "PRAGMA synchronous = FULL", err);
    if (rc == 0)
        rc = s_schema (self, err);
    if (rc == 0)
        rc = s_prepare (self, "SELECT 1 FROM results WHERE sweep = ?1 AND point = ?2",
                        &self->exists, err);
    if (rc == 0)
        rc = s_prepare (self,
                        "INSERT INTO results (sweep, point, ok, error, metrics, elapsed_ms, worker,"
                        " finished, series_offset, series_size, series_encoding)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, " S_NOW_SQL ", ?8, ?9, ?10)",
                        &self->insert, err);
    if (rc == 0)
        rc = s_prepare (self, "SELECT points FROM sweeps WHERE id = ?1", &self->sweep_points, err);
    if (rc == 0)
        rc = s_prepare (self,
                        "SELECT series_offset, series_size, series_encoding FROM results"
                        " WHERE sweep = ?1 AND point = ?2",
                        &self->select_series, err);
    return rc;
}

static int
s_open (broker_db_t **self_p, const char *data_dir, bool readonly, bsw_error_t *err)
{
    BSW_ASSERT (self_p);
    BSW_ASSERT (data_dir);
    *self_p = NULL;
    if (strlen (data_dir) + BROKER_STORE_PATH_TAIL >= BROKER_STORE_PATH_MAX)
        return bsw_error_set (err, BSW_EIO, "%s: data folder path too long", data_dir);
    int rc = readonly ? 0 : broker_store_mkdir (data_dir, err);
    if (rc == 0 && !readonly && access (data_dir, W_OK | X_OK) != 0)
        rc = bsw_error_set (err, BSW_EIO, "%s: data folder is not writable: %s", data_dir,
                            strerror (errno));
    if (rc)
        return rc;
    broker_db_t *self = bsw_calloc (1, sizeof *self);
    self->dir = bsw_strdup (data_dir);
    self->store = broker_store_new (data_dir);
    self->readonly = readonly;
    size_t size = strlen (data_dir) + sizeof "/" S_DB_FILE;
    self->db_path = bsw_malloc (size);
    snprintf (self->db_path, size, "%s/%s", data_dir, S_DB_FILE);
    //  SQLite's own message for a missing file would not name the cause.
    struct stat st;
    if (readonly && stat (self->db_path, &st) != 0)
        rc = bsw_error_set (err, BSW_EIO, "%s: cannot open database: %s", self->db_path,
                            strerror (errno));
    if (rc == 0)
        rc = s_connect (self, err);
    if (rc)
        broker_db_close (&self);
    *self_p = self;
    return rc;
}

int
broker_db_open (broker_db_t **self_p, const char *data_dir, bsw_error_t *err)
{
    return s_open (self_p, data_dir, false, err);
}

int
broker_db_open_readonly (broker_db_t **self_p, const char *data_dir, bsw_error_t *err)
{
    return s_open (self_p, data_dir, true, err);
}

void
broker_db_close (broker_db_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_db_t *self = *self_p;
    sqlite3_finalize (self->exists);
    sqlite3_finalize (self->insert);
    sqlite3_finalize (self->sweep_points);
    sqlite3_finalize (self->select_series);
    sqlite3_close (self->db); // NULL-safe; the last close checkpoints the WAL
    broker_store_destroy (&self->store);
    free (self->db_path);
    free (self->dir);
    free (self);
    *self_p = NULL;
}

const char *
broker_db_dir (const broker_db_t *self)
{
    BSW_ASSERT (self);
    return self->dir;
}

int
broker_db_sweep_folder (broker_db_t *self, uint64_t sweep, char *out, size_t out_size,
                        bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (out);
    return broker_store_sweep_folder (self->store, sweep, out, out_size, err);
}

//  --------------------------------------------------------------------------
//  Sweeps

int
broker_db_sweep_create (broker_db_t *self, const char *name, const char *owner,
                        const char *spec_json, const void *connectivity, size_t connectivity_size,
                        const char *connectivity_name, uint64_t points, uint64_t *id, char uuid[37],
                        bsw_error_t *err)
{
    return broker_db_sweep_create_level (self, name, owner, spec_json, connectivity,
                                         connectivity_size, connectivity_name, points, 0, 0, id,
                                         uuid, err);
}

int
broker_db_sweep_create_level (broker_db_t *self, const char *name, const char *owner,
                              const char *spec_json, const void *connectivity,
                              size_t connectivity_size, const char *connectivity_name,
                              uint64_t points, uint64_t parent, unsigned level, uint64_t *id,
                              char uuid[37], bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (spec_json);
    if (points > (uint64_t) INT64_MAX)
        return bsw_error_set (err, BSW_EINVAL, "sweep: %" PRIu64 " points is too many", points);
    char fresh[37];
    if (bsw_uuid_random (fresh) != 0)
        return bsw_error_set (err, BSW_EIO, "sweep: cannot draw a random UUID");
    sqlite3_stmt *st;
    int rc = s_prepare (self,
                        "INSERT INTO sweeps (uuid, name, spec, connectivity, connectivity_name,"
                        " points, state, owner, parent, level, created)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, " S_NOW_SQL ")",
                        &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text (st, 1, fresh, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 2, name ? name : "", -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 3, spec_json, -1, SQLITE_STATIC);
    //  An empty blob would read back as NULL anyway: both mean "default".
    if (connectivity && connectivity_size > 0)
        sqlite3_bind_blob64 (st, 4, connectivity, connectivity_size, SQLITE_STATIC);
    if (connectivity_name)
        sqlite3_bind_text (st, 5, connectivity_name, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (st, 6, (int64_t) points);
    sqlite3_bind_int (st, 7, BROKER_SWEEP_RUNNING);
    if (owner)
        sqlite3_bind_text (st, 8, owner, -1, SQLITE_STATIC);
    if (parent)
        sqlite3_bind_int64 (st, 9, (int64_t) parent);
    sqlite3_bind_int (st, 10, (int) level);
    //  One statement is one transaction in autocommit mode.
    int step = sqlite3_step (st);
    if (step != SQLITE_DONE)
        rc = s_db_error (self, err, step);
    if (rc == 0 && id)
        *id = (uint64_t) sqlite3_last_insert_rowid (self->db);
    if (rc == 0 && uuid)
        memcpy (uuid, fresh, sizeof fresh);
    sqlite3_finalize (st);
    return rc;
}

typedef struct {
    char **spec_json;         /* out, or NULL */
    void **connectivity;      /* out, or NULL */
    size_t *size;             /* out, or NULL */
    char **connectivity_name; /* out, or NULL */
    bool found;               /* a row came */
} s_definition_t;

static void
s_row_definition (sqlite3_stmt *st, void *ctx)
{
    s_definition_t *d = ctx;
    d->found = true;
    if (d->spec_json)
        *d->spec_json = s_column_strdup (st, 0);
    const void *blob = sqlite3_column_blob (st, 1);
    size_t size = blob ? (size_t) sqlite3_column_bytes (st, 1) : 0;
    if (d->connectivity)
        *d->connectivity = blob ? memcpy (bsw_malloc (size), blob, size) : NULL;
    if (d->size)
        *d->size = size;
    if (d->connectivity_name)
        *d->connectivity_name = s_column_strdup (st, 2);
}

int
broker_db_sweep_definition (broker_db_t *self, uint64_t id, char **spec_json, void **connectivity,
                            size_t *connectivity_size, char **connectivity_name, bsw_error_t *err)
{
    BSW_ASSERT (self);
    s_definition_t d = {spec_json, connectivity, connectivity_size, connectivity_name, false};
    int rc =
        s_query (self, "SELECT spec, connectivity, connectivity_name FROM sweeps WHERE id = ?1",
                 (int64_t) id, 0, 0, s_row_definition, &d, err);
    return rc ? rc : d.found ? 0 : s_not_found (err, id);
}

//  Appends to a vector of broker_sweep_info_t. Columns: id, uuid, name,
//  state, points, created, owner, parent, level, done, failed, last result.
static void
s_row_info (sqlite3_stmt *st, void *ctx)
{
    broker_sweep_info_t *info = s_vec_push (ctx, sizeof *info);
    info->id = (uint64_t) sqlite3_column_int64 (st, 0);
    const char *uuid = (const char *) sqlite3_column_text (st, 1);
    snprintf (info->uuid, sizeof info->uuid, "%s", uuid ? uuid : "");
    info->name = s_column_strdup (st, 2);
    if (!info->name)
        info->name = bsw_strdup ("");
    info->state = (broker_sweep_state_t) sqlite3_column_int (st, 3);
    info->points = (uint64_t) sqlite3_column_int64 (st, 4);
    info->created = sqlite3_column_double (st, 5);
    info->owner = s_column_strdup (st, 6);
    info->parent = (uint64_t) sqlite3_column_int64 (st, 7); //  NULL reads as 0
    info->level = (unsigned) sqlite3_column_int (st, 8);
    info->done = (uint64_t) sqlite3_column_int64 (st, 9);
    info->failed = (uint64_t) sqlite3_column_int64 (st, 10);
    info->last_result = sqlite3_column_double (st, 11);
}

#define S_INFO_COLUMNS                                                                             \
    "s.id, s.uuid, s.name, s.state, s.points, s.created, s.owner, s.parent, s.level"

int
broker_db_sweep_info (broker_db_t *self, uint64_t id, broker_sweep_info_t *info, bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (info);
    //  Counting walks the sweep's range of the results primary key, about a
    //  millisecond per 20,000 rows: pollers should keep their own counters.
    s_vec_t v = {0};
    int rc = s_query (self,
                      "SELECT " S_INFO_COLUMNS ","
                      " (SELECT COUNT(*) FROM results WHERE sweep = s.id AND ok = 1),"
                      " (SELECT COUNT(*) FROM results WHERE sweep = s.id AND ok = 0),"
                      " (SELECT COALESCE(MAX(finished), 0) FROM results WHERE sweep = s.id)"
                      " FROM sweeps s WHERE s.id = ?1",
                      (int64_t) id, 0, 0, s_row_info, &v, err);
    if (rc == 0 && v.count == 0)
        rc = s_not_found (err, id);
    if (rc == 0) {
        *info = *(broker_sweep_info_t *) v.items; // takes the name
        free (v.items);
    } else
        broker_sweep_list_free (v.items, v.count);
    return rc;
}

void
broker_sweep_info_fini (broker_sweep_info_t *info)
{
    if (info) {
        free (info->name);
        free (info->owner);
        info->name = NULL;
        info->owner = NULL;
    }
}

int
broker_db_sweep_list (broker_db_t *self, broker_sweep_info_t **list, size_t *count,
                      bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (list);
    BSW_ASSERT (count);
    //  One grouped pass over results for all sweeps, not a count per sweep.
    s_vec_t v = {0};
    int rc = s_query (self,
                      "SELECT " S_INFO_COLUMNS ", COALESCE(r.done, 0), COALESCE(r.failed, 0),"
                      " COALESCE(r.last, 0)"
                      " FROM sweeps s LEFT JOIN (SELECT sweep, SUM(ok = 1) AS done,"
                      " SUM(ok = 0) AS failed, MAX(finished) AS last FROM results GROUP BY sweep) r"
                      " ON r.sweep = s.id ORDER BY s.id",
                      0, 0, 0, s_row_info, &v, err);
    if (rc) {
        broker_sweep_list_free (v.items, v.count);
        v = (s_vec_t){0};
    }
    *list = v.items;
    *count = v.count;
    return rc;
}

void
broker_sweep_list_free (broker_sweep_info_t *list, size_t count)
{
    for (size_t k = 0; list && k < count; k++)
        broker_sweep_info_fini (&list[k]);
    free (list);
}

//  --------------------------------------------------------------------------
//  Refinement plans

int
broker_db_refine_create (broker_db_t *self, const broker_refine_plan_t *plan, bsw_error_t *err)
{
    BSW_ASSERT (self && plan && plan->metric);
    sqlite3_stmt *st;
    int rc = s_prepare (self,
                        "INSERT INTO refinements (root, metric, threshold, levels, log_scale,"
                        " state, note, created) VALUES (?1, ?2, ?3, ?4, ?5, 0, '', " S_NOW_SQL ")",
                        &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64 (st, 1, (int64_t) plan->root);
    sqlite3_bind_text (st, 2, plan->metric, -1, SQLITE_STATIC);
    sqlite3_bind_double (st, 3, plan->threshold);
    sqlite3_bind_int (st, 4, (int) plan->levels);
    sqlite3_bind_int (st, 5, plan->log_scale);
    int step = sqlite3_step (st);
    if ((step & 0xff) == SQLITE_CONSTRAINT)
        rc = bsw_error_set (err, BSW_ESTATE, "sweep %" PRIu64 " is refined already", plan->root);
    else if (step != SQLITE_DONE)
        rc = s_db_error (self, err, step);
    sqlite3_finalize (st);
    return rc;
}

static void
s_row_plan (sqlite3_stmt *st, void *ctx)
{
    broker_refine_plan_t *plan = s_vec_push (ctx, sizeof *plan);
    plan->root = (uint64_t) sqlite3_column_int64 (st, 0);
    plan->metric = s_column_strdup (st, 1);
    if (!plan->metric)
        plan->metric = bsw_strdup ("");
    plan->threshold = sqlite3_column_double (st, 2);
    plan->levels = (unsigned) sqlite3_column_int (st, 3);
    plan->log_scale = sqlite3_column_int (st, 4) != 0;
    plan->state = (broker_refine_state_t) sqlite3_column_int (st, 5);
    plan->note = s_column_strdup (st, 6);
    if (!plan->note)
        plan->note = bsw_strdup ("");
}

int
broker_db_refine_list (broker_db_t *self, broker_refine_plan_t **plans, size_t *count,
                       bsw_error_t *err)
{
    BSW_ASSERT (self && plans && count);
    s_vec_t v = {0};
    int rc = s_query (self,
                      "SELECT root, metric, threshold, levels, log_scale, state, note"
                      " FROM refinements ORDER BY root",
                      0, 0, 0, s_row_plan, &v, err);
    if (rc) {
        broker_refine_plans_free (v.items, v.count);
        v = (s_vec_t){0};
    }
    *plans = v.items;
    *count = v.count;
    return rc;
}

void
broker_refine_plans_free (broker_refine_plan_t *plans, size_t count)
{
    for (size_t k = 0; plans && k < count; k++) {
        free (plans[k].metric);
        free (plans[k].note);
    }
    free (plans);
}

int
broker_db_refine_end (broker_db_t *self, uint64_t root, broker_refine_state_t state,
                      const char *note, bsw_error_t *err)
{
    BSW_ASSERT (self);
    sqlite3_stmt *st;
    int rc =
        s_prepare (self, "UPDATE refinements SET state = ?2, note = ?3 WHERE root = ?1", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64 (st, 1, (int64_t) root);
    sqlite3_bind_int (st, 2, (int) state);
    sqlite3_bind_text (st, 3, note ? note : "", -1, SQLITE_STATIC);
    int step = sqlite3_step (st);
    if (step != SQLITE_DONE)
        rc = s_db_error (self, err, step);
    sqlite3_finalize (st);
    return rc;
}

int
broker_db_sweep_state (broker_db_t *self, uint64_t id, broker_sweep_state_t *state,
                       bsw_error_t *err)
{
    BSW_ASSERT (self && state);
    s_vec_t v = {0};
    int rc = s_query (self, "SELECT state FROM sweeps WHERE id = ?1", (int64_t) id, 0, 0, s_row_u64,
                      &v, err);
    if (rc == 0 && v.count == 0)
        rc = s_not_found (err, id);
    if (rc == 0)
        *state = (broker_sweep_state_t) ((uint64_t *) v.items)[0];
    free (v.items);
    return rc;
}

int
broker_db_sweep_set_state (broker_db_t *self, uint64_t id, broker_sweep_state_t state,
                           bsw_error_t *err)
{
    BSW_ASSERT (self);
    if (state != BROKER_SWEEP_RUNNING && state != BROKER_SWEEP_FINISHED &&
        state != BROKER_SWEEP_CANCELLED)
        return bsw_error_set (err, BSW_EINVAL, "sweep %" PRIu64 ": state %d is not valid", id,
                              (int) state);
    int rc = s_query (self, "UPDATE sweeps SET state = ?1 WHERE id = ?2", state, (int64_t) id, 0,
                      NULL, NULL, err);
    return rc ? rc : sqlite3_changes (self->db) ? 0 : s_not_found (err, id);
}

//  --------------------------------------------------------------------------
//  Committing results

//  One call's bookkeeping, indexed like the caller's results.
typedef struct {
    bool *fresh;                 /* [count] gets a row (not a duplicate) */
    broker_store_item_t *series; /* [count] where each fresh series went */
    size_t *item;                /* [count] its index in items, or SIZE_MAX: none */
    broker_store_item_t *items;  /* the fresh series, [0, item_count) */
    size_t item_count;           /* used entries of items */
} s_commit_t;

//  Sort key for spotting duplicates within one call.
typedef struct {
    uint64_t sweep, point; /* the result's identity */
    size_t k;              /* index into results; the lowest of equals wins */
} s_key_t;

static int
s_key_compare (const void *a, const void *b)
{
    const s_key_t *x = a, *y = b;
    if (x->sweep != y->sweep)
        return x->sweep < y->sweep ? -1 : 1;
    if (x->point != y->point)
        return x->point < y->point ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

//  Which results are new: known sweep, point in range, not repeated within
//  this call (a sort, O(n log n)), and no row yet (one cached SELECT each).
static int
s_commit_classify (broker_db_t *self, const broker_result_t *results, size_t count, s_commit_t *c,
                   bsw_error_t *err)
{
    s_key_t *keys = bsw_malloc (count * sizeof *keys);
    for (size_t k = 0; k < count; k++)
        keys[k] = (s_key_t){results[k].sweep, results[k].point, k};
    qsort (keys, count, sizeof *keys, s_key_compare);
    int rc = 0;
    uint64_t points = 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        const s_key_t *key = &keys[i], *prev = i ? &keys[i - 1] : NULL;
        if (!prev || key->sweep != prev->sweep)
            rc = s_sweep_points (self, key->sweep, &points, err);
        if (rc == 0 && key->point >= points)
            rc = bsw_error_set (err, BSW_EINVAL,
                                "sweep %" PRIu64 ": point %" PRIu64 " is past its %" PRIu64
                                " points",
                                key->sweep, key->point, points);
        if (rc || (prev && key->sweep == prev->sweep && key->point == prev->point))
            continue; // a repeat within this call: fresh stays false
        sqlite3_stmt *st = self->exists;
        sqlite3_bind_int64 (st, 1, (int64_t) key->sweep);
        sqlite3_bind_int64 (st, 2, (int64_t) key->point);
        int step = sqlite3_step (st);
        c->fresh[key->k] = step == SQLITE_DONE;
        if (step != SQLITE_DONE && step != SQLITE_ROW)
            rc = s_db_error (self, err, step);
        sqlite3_reset (st);
    }
    free (keys);
    return rc;
}

//  Every fresh ok result's series, appended to its sweep's file.
static int
s_commit_series (broker_db_t *self, const broker_result_t *results, size_t count, s_commit_t *c,
                 bsw_error_t *err)
{
    for (size_t k = 0; k < count; k++) {
        c->item[k] = SIZE_MAX;
        if (c->fresh[k] && results[k].ok && results[k].series && results[k].series_size > 0) {
            c->item[k] = c->item_count;
            c->items[c->item_count++] = (broker_store_item_t){.sweep = results[k].sweep,
                                                              .data = results[k].series,
                                                              .size = results[k].series_size};
        }
    }
    return broker_store_append (self->store, c->items, c->item_count, err);
}

static void
s_bind_text (sqlite3_stmt *st, int col, const char *text)
{
    if (text)
        sqlite3_bind_text (st, col, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null (st, col);
}

//  All fresh rows in one write transaction: one WAL fsync for the batch.
static int
s_commit_rows (broker_db_t *self, const broker_result_t *results, size_t count, s_commit_t *c,
               bsw_error_t *err)
{
    int rc = s_exec (self, "BEGIN IMMEDIATE", err);
    sqlite3_stmt *st = self->insert;
    for (size_t k = 0; rc == 0 && k < count; k++) {
        if (!c->fresh[k])
            continue;
        const broker_result_t *r = &results[k];
        sqlite3_bind_int64 (st, 1, (int64_t) r->sweep);
        sqlite3_bind_int64 (st, 2, (int64_t) r->point);
        sqlite3_bind_int (st, 3, r->ok ? 1 : 0);
        s_bind_text (st, 4, r->error);
        s_bind_text (st, 5, r->metrics_json);
        sqlite3_bind_double (st, 6, r->elapsed_ms);
        s_bind_text (st, 7, r->worker);
        if (c->item[k] != SIZE_MAX) {
            const broker_store_item_t *it = &c->items[c->item[k]];
            sqlite3_bind_int64 (st, 8, (int64_t) it->offset);
            sqlite3_bind_int64 (st, 9, (int64_t) it->size);
            sqlite3_bind_int (st, 10, r->series_encoding);
        }
        int step = sqlite3_step (st);
        if (step != SQLITE_DONE)
            rc = s_db_error (self, err, step);
        sqlite3_reset (st);
        sqlite3_clear_bindings (st); // no borrowed pointer outlives the call
    }
    if (rc == 0)
        rc = s_exec (self, "COMMIT", err);
    if (rc)
        s_rollback (self);
    return rc;
}

int
broker_db_results_commit (broker_db_t *self, const broker_result_t *results, size_t count,
                          bool *stored, bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (results || count == 0);
    if (self->readonly)
        return bsw_error_set (err, BSW_ESTATE, "%s: read-only connection", self->db_path);
    for (size_t k = 0; stored && k < count; k++)
        stored[k] = false;
    if (count == 0)
        return 0;
    s_commit_t c = {.fresh = bsw_calloc (count, sizeof (bool)),
                    .item = bsw_calloc (count, sizeof (size_t)),
                    .items = bsw_calloc (count, sizeof (broker_store_item_t))};
    int rc = s_commit_classify (self, results, count, &c, err);
    if (rc == 0)
        rc = s_commit_series (self, results, count, &c, err);
    //  Bytes appended for rows that do not commit are never named, so never
    //  read: litter of one batch at most.
    if (rc == 0)
        rc = s_commit_rows (self, results, count, &c, err);
    for (size_t k = 0; rc == 0 && stored && k < count; k++)
        stored[k] = c.fresh[k];
    free (c.fresh);
    free (c.item);
    free (c.items);
    return rc;
}

//  --------------------------------------------------------------------------
//  Reading results

typedef struct {
    uint8_t *bits;   /* the caller's bitmap */
    uint64_t points; /* bits at or past this are left alone */
} s_bits_t;

static void
s_row_bit (sqlite3_stmt *st, void *ctx)
{
    s_bits_t *b = ctx;
    uint64_t p = (uint64_t) sqlite3_column_int64 (st, 0);
    if (p < b->points)
        b->bits[p / 8] |= (uint8_t) (1u << (p % 8));
}

int
broker_db_finished_bitmap (broker_db_t *self, uint64_t sweep, uint8_t *finished, uint64_t points,
                           bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (finished || points == 0);
    s_bits_t bits = {finished, points};
    int rc = s_sweep_points (self, sweep, NULL, err);
    return rc ? rc
              : s_query (self, "SELECT point FROM results WHERE sweep = ?1", (int64_t) sweep, 0, 0,
                         s_row_bit, &bits, err);
}

int
broker_db_retry_failed (broker_db_t *self, uint64_t sweep, uint64_t **points, uint64_t *count,
                        bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (points);
    BSW_ASSERT (count);
    //  Select and delete in one write transaction, so the list returned is
    //  exactly what was deleted. The sweep goes back to RUNNING only when
    //  there is something to run again.
    s_vec_t failed = {0};
    int rc = s_exec (self, "BEGIN IMMEDIATE", err);
    if (rc == 0)
        rc = s_sweep_points (self, sweep, NULL, err);
    if (rc == 0)
        rc = s_query (self, "SELECT point FROM results WHERE sweep = ?1 AND ok = 0 ORDER BY point",
                      (int64_t) sweep, 0, 0, s_row_u64, &failed, err);
    if (rc == 0 && failed.count > 0)
        rc = s_query (self, "DELETE FROM results WHERE sweep = ?1 AND ok = 0", (int64_t) sweep, 0,
                      0, NULL, NULL, err);
    if (rc == 0 && failed.count > 0)
        rc =
            s_query (self, "UPDATE sweeps SET state = ?2 WHERE id = ?1 AND state = ?3",
                     (int64_t) sweep, BROKER_SWEEP_RUNNING, BROKER_SWEEP_FINISHED, NULL, NULL, err);
    if (rc == 0)
        rc = s_exec (self, "COMMIT", err);
    if (rc) {
        s_rollback (self);
        free (failed.items);
        failed = (s_vec_t){0};
    }
    *points = failed.items;
    *count = failed.count;
    return rc;
}

void
broker_result_row_fini (broker_result_row_t *row)
{
    if (row) {
        free (row->error);
        free (row->metrics_json);
        row->error = row->metrics_json = NULL;
    }
}

//  Appends to a vector of broker_result_row_t. Columns: point, ok, error,
//  metrics, elapsed_ms, series_offset, series_size, series_encoding.
static void
s_row_result (sqlite3_stmt *st, void *ctx)
{
    broker_result_row_t *row = s_vec_push (ctx, sizeof *row);
    row->point = (uint64_t) sqlite3_column_int64 (st, 0);
    row->ok = sqlite3_column_int (st, 1) != 0;
    row->error = s_column_strdup (st, 2);
    row->metrics_json = s_column_strdup (st, 3);
    row->elapsed_ms = sqlite3_column_double (st, 4);
    row->has_series = sqlite3_column_type (st, 6) != SQLITE_NULL;
    row->series_offset = (uint64_t) sqlite3_column_int64 (st, 5);
    row->series_size = (uint64_t) sqlite3_column_int64 (st, 6);
    row->series_encoding = sqlite3_column_int (st, 7);
}

int
broker_db_result_rows (broker_db_t *self, uint64_t sweep, uint64_t offset, uint64_t limit,
                       broker_result_row_t **rows, size_t *count, bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (rows);
    BSW_ASSERT (count);
    s_vec_t v = {0};
    int64_t from = offset > (uint64_t) INT64_MAX ? INT64_MAX : (int64_t) offset;
    int64_t most = limit == 0 || limit > (uint64_t) INT64_MAX ? -1 : (int64_t) limit;
    int rc = s_sweep_points (self, sweep, NULL, err);
    if (rc == 0)
        rc = s_query (self,
                      "SELECT point, ok, error, metrics, elapsed_ms, series_offset, series_size,"
                      " series_encoding FROM results"
                      " WHERE sweep = ?1 AND point >= ?2 ORDER BY point LIMIT ?3",
                      (int64_t) sweep, from, most, s_row_result, &v, err);
    if (rc) {
        broker_result_rows_free (v.items, v.count);
        v = (s_vec_t){0};
    }
    *rows = v.items;
    *count = v.count;
    return rc;
}

void
broker_result_rows_free (broker_result_row_t *rows, size_t count)
{
    for (size_t k = 0; rows && k < count; k++)
        broker_result_row_fini (&rows[k]);
    free (rows);
}

//  --------------------------------------------------------------------------
//  Reading a time series

int
broker_db_snapshot_begin (broker_db_t *self, bsw_error_t *err)
{
    BSW_ASSERT (self);
    //  A deferred transaction takes its snapshot at its first read: take
    //  it now, so the view is of this moment.
    int rc = s_exec (self, "BEGIN", err);
    if (rc == 0)
        rc = s_query (self, "SELECT COUNT(*) FROM sweeps", 0, 0, 0, NULL, NULL, err);
    if (rc)
        s_rollback (self);
    return rc;
}

void
broker_db_snapshot_end (broker_db_t *self)
{
    BSW_ASSERT (self);
    s_rollback (self); // a reader has nothing to commit
}

int
broker_db_series_read (broker_db_t *self, uint64_t sweep, const broker_result_row_t *row, void *buf,
                       bsw_error_t *err)
{
    BSW_ASSERT (self && row);
    if (!row->has_series)
        return bsw_error_set (err, BSW_ENOTFOUND,
                              "sweep %" PRIu64 " point %" PRIu64 ": no time series stored", sweep,
                              row->point);
    if (row->series_size > SIZE_MAX)
        return bsw_error_set (err, BSW_EFORMAT,
                              "sweep %" PRIu64 " point %" PRIu64 ": a series of %" PRIu64 " bytes",
                              sweep, row->point, row->series_size);
    return broker_store_read (self->store, sweep, row->series_offset, (size_t) row->series_size,
                              buf, err);
}

int
broker_db_result_series (broker_db_t *self, uint64_t sweep, uint64_t point, void **bytes_p,
                         size_t *size_p, int *encoding, bsw_error_t *err)
{
    BSW_ASSERT (self && bytes_p && size_p && encoding);
    *bytes_p = NULL;
    *size_p = 0;
    broker_result_row_t row = {.point = point};
    sqlite3_stmt *st = self->select_series;
    sqlite3_bind_int64 (st, 1, (int64_t) sweep);
    sqlite3_bind_int64 (st, 2, (int64_t) point);
    int step = sqlite3_step (st), rc = 0;
    if (step == SQLITE_ROW) {
        row.has_series = sqlite3_column_type (st, 1) != SQLITE_NULL;
        row.series_offset = (uint64_t) sqlite3_column_int64 (st, 0);
        row.series_size = (uint64_t) sqlite3_column_int64 (st, 1);
        row.series_encoding = sqlite3_column_int (st, 2);
    } else if (step != SQLITE_DONE)
        rc = s_db_error (self, err, step);
    sqlite3_reset (st);
    if (rc)
        return rc;
    //  A size the database should never hold is refused before it is
    //  allocated: a message can carry at most this much.
    if (row.has_series && row.series_size > BROKER_DB_SERIES_MAX)
        return bsw_error_set (err, BSW_EFORMAT,
                              "sweep %" PRIu64 " point %" PRIu64 ": a series of %" PRIu64
                              " bytes is more than a result may carry",
                              sweep, point, row.series_size);
    if (!row.has_series)
        return 0;
    void *bytes = bsw_malloc (row.series_size ? row.series_size : 1);
    rc = broker_db_series_read (self, sweep, &row, bytes, err);
    if (rc) {
        free (bytes);
        return rc;
    }
    *bytes_p = bytes;
    *size_p = (size_t) row.series_size;
    *encoding = row.series_encoding;
    return 0;
}
