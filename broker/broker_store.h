/*  broker_store.h - the broker's time series store: per sweep, one file
    that every stored series of the sweep is appended to, as the worker
    sent it (raw float64 or shuffled and deflated: store_series.h). A
    result row names its series by offset and size (broker_db.h). Internal
    to broker/.

    Layout of DIR:
        DIR/sweeps/<id>/                 the sweep's folder (its export too)
        DIR/sweeps/<id>/series.bin       its series, one after another

    Durability: broker_store_append returns once the bytes are written and
    each file it touched is fdatasync'ed (a new file's folder fsync'ed),
    so a row committed afterwards always finds its bytes. A crash between
    the two leaves bytes that no row names: litter of at most one batch,
    never read.

    One store object per thread: the broker's writes through one, readers
    (the export) open their own. Appends come from one thread only.
*/
#ifndef BROKER_STORE_H_INCLUDED
#define BROKER_STORE_H_INCLUDED

#include "bsw_error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BROKER_STORE_PATH_MAX  4096 /* bytes of any path the store builds */
#define BROKER_STORE_PATH_TAIL 80   /* room after DIR for "/sweeps/<id>/series.bin" */

typedef struct broker_store_t broker_store_t;

/*  The store of data folder dir (no I/O; dir must leave room for
    BROKER_STORE_PATH_TAIL bytes within BROKER_STORE_PATH_MAX). */
broker_store_t *broker_store_new (const char *dir);
/*  Closes its files. */
void broker_store_destroy (broker_store_t **self_p);

/*  mkdir -p of path, each folder it creates made durable (its parent
    fsync'ed). Returns 0, or BSW_EIO / BSW_ENOSPACE naming the folder. */
int broker_store_mkdir (const char *path, bsw_error_t *err);

/*  Makes DIR/sweeps/<id> when missing and writes its path into out. */
int broker_store_sweep_folder (broker_store_t *self, uint64_t sweep, char *out, size_t out_size,
                               bsw_error_t *err);

/*  One series to append. */
typedef struct {
    uint64_t sweep;   /* whose file */
    const void *data; /* its bytes, borrowed */
    size_t size;      /* > 0 */
    uint64_t offset;  /* out: where they start in the file */
} broker_store_item_t;

/*  Appends count series durably (above), setting each item's offset.
    Returns 0, or BSW_EIO / BSW_ENOSPACE naming the file; then every file
    is cut back to its length before the call (best effort). */
int broker_store_append (broker_store_t *self, broker_store_item_t *items, size_t count,
                         bsw_error_t *err);

/*  Reads size bytes at offset of the sweep's file into buf. BSW_EIO
    naming the file when it is missing or shorter. */
int broker_store_read (broker_store_t *self, uint64_t sweep, uint64_t offset, size_t size,
                       void *buf, bsw_error_t *err);

/*  Bytes in the sweep's file (0 when it has none). */
uint64_t broker_store_size (broker_store_t *self, uint64_t sweep);

/*  Removes the sweep's file, if any. */
void broker_store_remove (broker_store_t *self, uint64_t sweep);

#endif
