/*  broker_db.h - the broker's durable state: sweeps and finished results in
    SQLite (WAL mode, synchronous=FULL), and every stored time series in its
    sweep's series file (broker_store.h), named by its result row.

    Layout of DIR:
        DIR/brainsweep.db                 sweeps, results
        DIR/sweeps/<id>/series.bin        the sweep's series, one after another
        DIR/sweeps/<id>/export.zip        an export kept on disk (broker_exporter.h)

    Durability rule: broker_db_results_commit returns only after the new
    series are fdatasync'ed in their files and the rows that name them are
    committed; only then may the broker ACK. A broker killed at any moment
    and reopened sees every committed result and no partial one. Points
    that were running when the broker died are simply not in the results
    table: they are pending again.

    Older data folders are upgraded in place when the broker opens them
    (broker_db_upgrade.h); a read-only connection refuses one until then.

    Only the broker thread writes. Readers (the export thread) open their
    own connection with broker_db_open_readonly; WAL lets them read while
    the broker commits.
*/
#ifndef BROKER_DB_H_INCLUDED
#define BROKER_DB_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bsw_error.h"

typedef struct broker_db_t broker_db_t;

/*  Bytes of one stored series at most: what one message may carry. */
#define BROKER_DB_SERIES_MAX (512ULL << 20)

typedef enum {
    BROKER_SWEEP_RUNNING = 0,   /* accepting and dispatching work */
    BROKER_SWEEP_FINISHED = 1,  /* every point done or failed */
    BROKER_SWEEP_CANCELLED = 2, /* no further dispatch; results kept */
} broker_sweep_state_t;

typedef struct {
    uint64_t id;   /* 1, 2, ... */
    char uuid[37]; /* random UUID, the seed of the sweep's TVB GIDs */
    char *name;    /* owned; "" when none */
    char *owner;   /* owned; the submitting client's Z85 key, NULL without CURVE */
    broker_sweep_state_t state;
    uint64_t points;    /* total points */
    uint64_t done;      /* results with status ok */
    uint64_t failed;    /* results with status failed */
    double created;     /* unix seconds */
    double last_result; /* unix seconds of the latest result, 0 when none */
    uint64_t parent;    /* the grid a refinement refines (its family's root); 0: none */
    unsigned level;     /* refinement level: 0 for a submitted sweep */
} broker_sweep_info_t;

/*  One result as the broker commits it. All pointers borrowed. */
typedef struct {
    uint64_t sweep;
    uint64_t point;
    bool ok;                  /* status ok, else failed */
    const char *error;        /* why it failed, or NULL */
    const char *metrics_json; /* broker_export_metrics_json's text, or NULL */
    const void *series;       /* the series as sent (ok only; NULL: none kept) */
    size_t series_size;       /* its bytes */
    int series_encoding;      /* store_series_encoding_t */
    double elapsed_ms;        /* worker's compute time */
    const char *worker;       /* worker name */
} broker_result_t;

/*  Opens (creating when absent) the data folder and database. Returns 0, or
    BSW_EIO / BSW_EDB / BSW_ENOSPACE with err naming the path. */
int broker_db_open (broker_db_t **self_p, const char *data_dir, bsw_error_t *err);
/*  A second, read-only connection to an existing data folder. */
int broker_db_open_readonly (broker_db_t **self_p, const char *data_dir, bsw_error_t *err);
void broker_db_close (broker_db_t **self_p);

const char *broker_db_dir (const broker_db_t *self);

/*  Stores a new sweep (its spec JSON text, and the connectivity zip bytes
    or NULL for the built-in default) in one transaction, with its owner's
    key (NULL: none). Returns 0 and the new id and uuid. */
int broker_db_sweep_create (broker_db_t *self, const char *name, const char *owner,
                            const char *spec_json, const void *connectivity,
                            size_t connectivity_size, const char *connectivity_name,
                            uint64_t points, uint64_t *id, char uuid[37], bsw_error_t *err);

/*  The same for a refinement level of the grid `parent` (broker_refine.h):
    the sweep and its link to its family are one row, so a restart never
    finds a level without its family. */
int broker_db_sweep_create_level (broker_db_t *self, const char *name, const char *owner,
                                  const char *spec_json, const void *connectivity,
                                  size_t connectivity_size, const char *connectivity_name,
                                  uint64_t points, uint64_t parent, unsigned level, uint64_t *id,
                                  char uuid[37], bsw_error_t *err);

/*  The sweep's definition. Caller frees *spec_json, *connectivity (NULL for
    the default) and *connectivity_name. BSW_ENOTFOUND for an unknown id. */
int broker_db_sweep_definition (broker_db_t *self, uint64_t id, char **spec_json,
                                void **connectivity, size_t *connectivity_size,
                                char **connectivity_name, bsw_error_t *err);

/*  One sweep's summary (counts from the results table). Caller frees
    info->name (broker_sweep_info_fini). BSW_ENOTFOUND for an unknown id. */
int broker_db_sweep_info (broker_db_t *self, uint64_t id, broker_sweep_info_t *info,
                          bsw_error_t *err);
void broker_sweep_info_fini (broker_sweep_info_t *info);

/*  Every sweep, oldest first. Caller frees with broker_sweep_list_free. */
int broker_db_sweep_list (broker_db_t *self, broker_sweep_info_t **list, size_t *count,
                          bsw_error_t *err);
void broker_sweep_list_free (broker_sweep_info_t *list, size_t count);

int broker_db_sweep_set_state (broker_db_t *self, uint64_t id, broker_sweep_state_t state,
                               bsw_error_t *err);

/*  A sweep's state alone (cheap: no counting). BSW_ENOTFOUND, BSW_EDB. */
int broker_db_sweep_state (broker_db_t *self, uint64_t id, broker_sweep_state_t *state,
                           bsw_error_t *err);

/*  A refinement plan (broker_refine.h), one per refined grid. */
typedef enum {
    BROKER_REFINE_RUNNING = 0,   /* levels still to run */
    BROKER_REFINE_DONE = 1,      /* every level ran, or no cell was left to halve */
    BROKER_REFINE_CANCELLED = 2, /* a level was cancelled */
    BROKER_REFINE_FAILED = 3,    /* the next level could not be made (note says why) */
} broker_refine_state_t;

typedef struct {
    uint64_t root;               /* the refined grid */
    char *metric;                /* owned */
    double threshold;            /* share of the metric's range */
    unsigned levels;             /* levels asked for */
    bool log_scale;              /* the metric is compared as log10 */
    broker_refine_state_t state; /* running, done, cancelled, failed */
    char *note;                  /* owned; why it ended ("" while running) */
} broker_refine_plan_t;

/*  Stores a new plan (state running). BSW_ESTATE when the grid has one. */
int broker_db_refine_create (broker_db_t *self, const broker_refine_plan_t *plan, bsw_error_t *err);

/*  Every plan, by root. Caller frees with broker_refine_plans_free. */
int broker_db_refine_list (broker_db_t *self, broker_refine_plan_t **plans, size_t *count,
                           bsw_error_t *err);
void broker_refine_plans_free (broker_refine_plan_t *plans, size_t count);

/*  Records the end of a plan and why. */
int broker_db_refine_end (broker_db_t *self, uint64_t root, broker_refine_state_t state,
                          const char *note, bsw_error_t *err);

/*  Commits count results: appends the new series, then one transaction. stored[k]
    is set false for a duplicate (the point already has a result: nothing is
    written for it), true otherwise. Returns 0, or an error after which
    nothing of this call is committed (so nothing may be acknowledged). */
int broker_db_results_commit (broker_db_t *self, const broker_result_t *results, size_t count,
                              bool *stored, bsw_error_t *err);

/*  Marks in `finished` (a bitmap of ceil(points/8) bytes, zeroed by the
    caller) every point of the sweep that has a result, ok or failed. */
int broker_db_finished_bitmap (broker_db_t *self, uint64_t sweep, uint8_t *finished,
                               uint64_t points, bsw_error_t *err);

/*  Deletes the failed results of a sweep (so they run again) and returns
    how many in *count; the points are listed in *points (caller frees). */
int broker_db_retry_failed (broker_db_t *self, uint64_t sweep, uint64_t **points, uint64_t *count,
                            bsw_error_t *err);

/*  One result row read back. Strings owned by the struct: free with
    broker_result_row_fini. */
typedef struct {
    uint64_t point;
    bool ok;
    char *error;        /* or NULL */
    char *metrics_json; /* or NULL */
    double elapsed_ms;
    bool has_series;        /* a series is stored */
    uint64_t series_offset; /* where, in the sweep's series file */
    uint64_t series_size;   /* its bytes */
    int series_encoding;    /* store_series_encoding_t */
} broker_result_row_t;
void broker_result_row_fini (broker_result_row_t *row);

/*  Results of a sweep ordered by point, from `offset` (point index), at most
    limit rows (0: all). Caller frees with broker_result_rows_free. */
int broker_db_result_rows (broker_db_t *self, uint64_t sweep, uint64_t offset, uint64_t limit,
                           broker_result_row_t **rows, size_t *count, bsw_error_t *err);
void broker_result_rows_free (broker_result_row_t *rows, size_t count);

/*  A reader's consistent view: every query from begin to end sees the
    database as it was at the first of them (one read transaction), while
    the broker goes on committing. end is harmless without a begin. */
int broker_db_snapshot_begin (broker_db_t *self, bsw_error_t *err);
void broker_db_snapshot_end (broker_db_t *self);

/*  The stored series of a row (broker_db_result_rows) into buf, which has
    room for row->series_size bytes. BSW_ENOTFOUND when it has none;
    BSW_EIO naming the file. */
int broker_db_series_read (broker_db_t *self, uint64_t sweep, const broker_result_row_t *row,
                           void *buf, bsw_error_t *err);

/*  A point's stored series, whole: *bytes_p (caller frees), *size_p and
    its encoding; *bytes_p NULL when the point has no result or no series.
    Returns 0, or BSW_EDB / BSW_EIO / BSW_EFORMAT (an impossible size). */
int broker_db_result_series (broker_db_t *self, uint64_t sweep, uint64_t point, void **bytes_p,
                             size_t *size_p, int *encoding, bsw_error_t *err);

/*  Makes the sweep's folder DIR/sweeps/<id> (and its parents) durably when
    missing and writes its path into out. It exists only once a result
    had a series, so an export kept beside it asks for it.
    Returns 0, or BSW_EIO / BSW_ENOSPACE with err naming the folder. */
int broker_db_sweep_folder (broker_db_t *self, uint64_t sweep, char *out, size_t out_size,
                            bsw_error_t *err);

#endif
