/*  broker_db.h - the broker's durable state: sweeps and finished results in
    SQLite (WAL mode, synchronous=FULL), larger time series as result files
    in the data folder (broker_store.h).

    Layout of DIR:
        DIR/brainsweep.db                 sweeps, results, small time series
        DIR/sweeps/<id>/ts/<point>.h5     one TimeSeriesRegion file per finished point
                                          whose file is over BROKER_DB_INLINE_MAX bytes
        DIR/sweeps/<id>/export.zip        the export (broker_export.h; its .tmp and
                                          .work-XXXXXX beside it while building)

    Durability rule: broker_db_results_commit returns only after every
    result file is fsync'ed and renamed into place (folder fsync'ed too) and
    the rows, small time series included, are committed; only then may the
    broker ACK. A broker killed at any moment and reopened sees every
    committed result and no partial one.
    Points that were running when the broker died are simply not in the
    results table: they are pending again.

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

/*  Time series of at most this many bytes are stored in the database, in
    the transaction of their result row; larger ones get a file each. A
    file costs its creation and an fsync of its own (~0.2 ms of broker CPU
    here, more in the disk), a row in the database a share of one WAL
    fsync; above a few dozen KB the WAL's double write (log, then
    checkpoint) starts to cost more than the file. A tiny point's file is
    ~20 KB; a tutorial point's ~620 KB. */
#define BROKER_DB_INLINE_MAX (64u << 10)

typedef enum {
    BROKER_SWEEP_RUNNING = 0,   /* accepting and dispatching work */
    BROKER_SWEEP_FINISHED = 1,  /* every point done or failed */
    BROKER_SWEEP_CANCELLED = 2, /* no further dispatch; results kept */
} broker_sweep_state_t;

typedef struct {
    uint64_t id;   /* 1, 2, ... */
    char uuid[37]; /* random UUID, the seed of the sweep's TVB GIDs */
    char *name;    /* owned; "" when none */
    broker_sweep_state_t state;
    uint64_t points;    /* total points */
    uint64_t done;      /* results with status ok */
    uint64_t failed;    /* results with status failed */
    double created;     /* unix seconds */
    double last_result; /* unix seconds of the latest result, 0 when none */
} broker_sweep_info_t;

/*  One result as the broker commits it. All pointers borrowed. */
typedef struct {
    uint64_t sweep;
    uint64_t point;
    bool ok;                  /* status ok, else failed */
    const char *error;        /* why it failed, or NULL */
    const char *metrics_json; /* broker_export_metrics_json's text, or NULL */
    const void *timeseries;   /* TimeSeriesRegion HDF5 bytes (ok only) */
    size_t timeseries_size;
    double elapsed_ms;  /* worker's compute time */
    const char *worker; /* worker name */
} broker_result_t;

/*  Opens (creating when absent) the data folder and database. Returns 0, or
    BSW_EIO / BSW_EDB / BSW_ENOSPACE with err naming the path. */
int broker_db_open (broker_db_t **self_p, const char *data_dir, bsw_error_t *err);
/*  A second, read-only connection to an existing data folder. */
int broker_db_open_readonly (broker_db_t **self_p, const char *data_dir, bsw_error_t *err);
void broker_db_close (broker_db_t **self_p);

const char *broker_db_dir (const broker_db_t *self);

/*  Stores a new sweep (its spec JSON text, and the connectivity zip bytes
    or NULL for the built-in default) in one transaction. Returns 0 and the
    new id and uuid. */
int broker_db_sweep_create (broker_db_t *self, const char *name, const char *spec_json,
                            const void *connectivity, size_t connectivity_size,
                            const char *connectivity_name, uint64_t points, uint64_t *id,
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

/*  Commits count results: writes the files, then one transaction. stored[k]
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
} broker_result_row_t;
void broker_result_row_fini (broker_result_row_t *row);

/*  Results of a sweep ordered by point, from `offset` (point index), at most
    limit rows (0: all). Caller frees with broker_result_rows_free. */
int broker_db_result_rows (broker_db_t *self, uint64_t sweep, uint64_t offset, uint64_t limit,
                           broker_result_row_t **rows, size_t *count, bsw_error_t *err);
void broker_result_rows_free (broker_result_row_t *rows, size_t count);

/*  A point's time series when it is stored in the database: *data_p
    (caller frees) and *size_p; *data_p NULL when it is not (no result, a
    failed one, or one in a file). Returns 0 or BSW_EDB. */
int broker_db_result_inline (broker_db_t *self, uint64_t sweep, uint64_t point, void **data_p,
                             size_t *size_p, bsw_error_t *err);

/*  A point's stored time series, from the database or its file, whole:
    *data_p (caller frees) and *size_p. BSW_EIO naming the file when it is
    in neither (or empty, or unreadable); BSW_EDB. */
int broker_db_result_timeseries (broker_db_t *self, uint64_t sweep, uint64_t point, void **data_p,
                                 size_t *size_p, bsw_error_t *err);

/*  Makes the sweep's folder DIR/sweeps/<id> (and its parents) durably when
    missing and writes its path into out. It exists only once a result
    needed a file, so the export, which works beside it, asks for it.
    Returns 0, or BSW_EIO / BSW_ENOSPACE with err naming the folder. */
int broker_db_sweep_folder (broker_db_t *self, uint64_t sweep, char *out, size_t out_size,
                            bsw_error_t *err);

/*  Path of a point's time-series file (whether or not it exists) into out;
    only series over BROKER_DB_INLINE_MAX bytes have one. */
void broker_db_result_path (const broker_db_t *self, uint64_t sweep, uint64_t point, char *out,
                            size_t out_size);

#endif
