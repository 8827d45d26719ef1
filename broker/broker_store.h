/*  broker_store.h - the broker's durable result files: one file per
    finished point whose time series is too large for the database
    (broker_db.h, BROKER_DB_INLINE_MAX), and the sweep folders they live
    in. Internal to broker/; broker_db.c decides which results get a file
    and commits their rows after them.

    Layout of DIR:
        DIR/sweeps/<id>/                the sweep's folder (its export too)
        DIR/sweeps/<id>/ts/<point>.h5   a point's TimeSeriesRegion file

    Durability: broker_store_write returns once every file is fsync'ed
    under its final name and every folder that got one is fsync'ed, so a
    row committed afterwards always has its complete file.

    No state but the folder's path: any thread may use its own store.
*/
#ifndef BROKER_STORE_H_INCLUDED
#define BROKER_STORE_H_INCLUDED

#include "bsw_error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BROKER_STORE_PATH_MAX  4096 /* bytes of any path the store builds */
#define BROKER_STORE_PATH_TAIL 80   /* room after DIR for "/sweeps/<id>/ts/<point>.h5.tmp" */

typedef struct broker_store_t broker_store_t;

/*  The store of data folder dir (no I/O; dir must leave room for
    BROKER_STORE_PATH_TAIL bytes within BROKER_STORE_PATH_MAX). */
broker_store_t *broker_store_new (const char *dir);
void broker_store_destroy (broker_store_t **self_p);

/*  mkdir -p of path, each folder it creates made durable (its parent
    fsync'ed). Returns 0, or BSW_EIO / BSW_ENOSPACE naming the folder. */
int broker_store_mkdir (const char *path, bsw_error_t *err);

/*  Makes DIR/sweeps/<id> when missing and writes its path into out. */
int broker_store_sweep_folder (broker_store_t *self, uint64_t sweep, char *out, size_t out_size,
                               bsw_error_t *err);

/*  Path of a point's file (whether or not it exists) into out. */
void broker_store_path (const broker_store_t *self, uint64_t sweep, uint64_t point, char *out,
                        size_t out_size);

/*  One file to write. */
typedef struct {
    uint64_t sweep;   /* whose */
    uint64_t point;   /* which point */
    const void *data; /* its bytes, borrowed */
    size_t size;      /* > 0 */
    bool written;     /* out: it is in place under its final name */
} broker_store_file_t;

/*  Writes count files durably (above). Returns 0, or BSW_EIO /
    BSW_ENOSPACE naming the file; then no temporary file is left, and the
    files marked written are the caller's to remove (broker_store_remove)
    if it does not commit them. */
int broker_store_write (broker_store_t *self, broker_store_file_t *files, size_t count,
                        bsw_error_t *err);

/*  Removes a point's file, if any (best effort: an orphan is harmless). */
void broker_store_remove (broker_store_t *self, uint64_t sweep, uint64_t point);

/*  A point's file, read whole: *data_p (caller frees) and *size_p.
    BSW_EIO naming the file when it is missing, empty or unreadable. */
int broker_store_read (broker_store_t *self, uint64_t sweep, uint64_t point, void **data_p,
                       size_t *size_p, bsw_error_t *err);

#endif
