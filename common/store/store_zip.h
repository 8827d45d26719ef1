/*  store_zip.h - a zip archive written front to back through a callback,
    entry by entry, without seeking and in memory that does not grow with
    the number of entries.

        store_zip_options_t options = {.mtime = 1700000000};
        store_zip_t *zip = store_zip_new (s_write_to_fd, &fd, &options);
        store_zip_add (zip, "sweep.json", json, json_size, STORE_ZIP_DEFLATE_FAST, err);
        store_zip_begin (zip, "1/TimeSeriesRegion_ab12.h5", STORE_ZIP_STORED, file_size, err);
        while ((n = read (in, buf, sizeof buf)) > 0)
            store_zip_write (zip, buf, n, err);
        store_zip_end (zip, err);
        int rc = store_zip_finish (zip, err);  // central directory and end records
        store_zip_destroy (&zip);

    Every call returns 0 or a BSW_E* code (the sequence above may check
    only the last one: see "Errors"). The bytes are a complete zip once
    store_zip_finish returns 0; before that the sink has seen a prefix of
    it. The same calls with the same options always give the same bytes.

    Methods: STORE_ZIP_STORED (0) keeps the bytes as they are; 1 to 9
    deflate them at that zlib level. store_zip_add of a deflated entry up
    to STORE_ZIP_ADD_BUFFER_MAX bytes compresses it in one piece first, and
    stores it instead when deflate does not make it smaller.

    Errors: a call that is refused before it writes anything (a bad name,
    a bad level, the wrong state) returns BSW_EINVAL or BSW_ESTATE and
    leaves the writer as it was. Any other failure (the sink's, the spool
    file's, an entry outgrowing its size_max) is sticky: the archive is
    broken, so that call and every later one return the same code and
    sentence without calling the sink again.

    Entry names are not checked for duplicates (that would cost memory per
    entry): callers give each entry its own name. A name is 1 to
    STORE_ZIP_NAME_MAX bytes of valid UTF-8, "/" separating folders.

    Threads: a store_zip_t belongs to one thread at a time.
*/
#ifndef STORE_ZIP_H_INCLUDED
#define STORE_ZIP_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "bsw_error.h"

#define STORE_ZIP_STORED          0          /* method: the bytes as they are */
#define STORE_ZIP_DEFLATE_FAST    1          /* method: deflate, zlib level 1 */
#define STORE_ZIP_DEFLATE_BEST    9          /* method: deflate, zlib level 9 */
#define STORE_ZIP_NAME_MAX        65535      /* bytes of an entry name */
#define STORE_ZIP_ADD_BUFFER_MAX  (1u << 20) /* bytes: a larger deflated add streams */
#define STORE_ZIP_SIZE_UNKNOWN    UINT64_MAX /* size_max of an entry of unknown size */
#define STORE_ZIP_CHUNK           65536      /* bytes the writer gathers per sink call */
#define STORE_ZIP_SPOOL_MEM_BYTES (1u << 20) /* central directory kept in memory up to this */

/*  Receives the archive's next `size` bytes, in order. Returns 0, or a
    negative BSW_E* code with err's sentence (BSW_ENOSPACE for a full
    disk). The writer gathers small pieces into calls of STORE_ZIP_CHUNK
    bytes; stored data of STORE_ZIP_CHUNK bytes or more comes straight
    from the caller's buffer, in the size it was given, and the central
    directory in pieces of up to STORE_ZIP_SPOOL_MEM_BYTES. `data` is
    valid for the call only. */
typedef int (*store_zip_sink_fn) (void *arg, const void *data, size_t size, bsw_error_t *err);

typedef struct {
    int64_t mtime;         /* every entry's time, seconds since 1970; written as UTC, as zips
                              hold no time zone; before 1980 (0 too) is 1980-01-01 00:00 */
    const char *spool_dir; /* folder of the central directory's spool file (made when it
                              outgrows STORE_ZIP_SPOOL_MEM_BYTES: a folder that is missing
                              fails then, stickily), or NULL for $TMPDIR or /tmp */
} store_zip_options_t;

typedef struct _store_zip_t store_zip_t;

/*  A writer that sends its bytes to sink(arg, ...). options may be NULL
    (mtime 0, the default spool folder); it is copied. Nothing reaches
    the sink before the first entry. Caller owns the result; destroy with
    store_zip_destroy. Aborts on out-of-memory only. */
store_zip_t *store_zip_new (store_zip_sink_fn sink, void *arg, const store_zip_options_t *options);

/*  Frees the writer and closes its spool file. Without a successful
    store_zip_finish the sink has received an incomplete zip, which the
    caller discards. Safe on NULL; sets *self_p to NULL. */
void store_zip_destroy (store_zip_t **self_p);

/*  Adds an entry whose bytes are all in memory (data may be NULL when
    size is 0): its sizes and CRC go in the local header, except for a
    deflated entry over STORE_ZIP_ADD_BUFFER_MAX, which is written as a
    streamed one. level: STORE_ZIP_STORED or 1 to 9. Returns 0, BSW_EINVAL
    (name, level), BSW_ESTATE (an entry is open, or after finish), or a
    sticky error. */
int store_zip_add (store_zip_t *self, const char *name, const void *data, size_t size, int level,
                   bsw_error_t *err);

/*  Starts an entry whose bytes follow in store_zip_write calls: its CRC
    and sizes go in a data descriptor after the data. size_max bounds its
    uncompressed size: up to 0xFF000000 (4 GiB less 16 MiB) the entry is
    written with 32-bit sizes; larger or STORE_ZIP_SIZE_UNKNOWN, it is
    marked ZIP64 (its descriptor holds 8-byte sizes), which any reader
    from the last 20 years takes. Returns as store_zip_add. */
int store_zip_begin (store_zip_t *self, const char *name, int level, uint64_t size_max,
                     bsw_error_t *err);

/*  Appends size bytes to the open entry. Returns 0, BSW_ESTATE (no entry
    open), or a sticky error: the sink's, or BSW_ETOOBIG once the entry
    exceeds its size_max. */
int store_zip_write (store_zip_t *self, const void *data, size_t size, bsw_error_t *err);

/*  Ends the open entry (its data descriptor). Returns as store_zip_write. */
int store_zip_end (store_zip_t *self, bsw_error_t *err);

/*  Writes the central directory and the end records (ZIP64 ones when the
    archive needs them) and hands every byte left to the sink. Only
    store_zip_bytes, store_zip_entries and store_zip_destroy are allowed
    afterwards. Returns 0, BSW_ESTATE (an entry is open, or finished
    already), or a sticky error. */
int store_zip_finish (store_zip_t *self, bsw_error_t *err);

/*  Bytes handed to the sink so far; after store_zip_finish, the zip's size. */
uint64_t store_zip_bytes (const store_zip_t *self);

/*  Entries completed so far (an open entry is not counted). */
uint64_t store_zip_entries (const store_zip_t *self);

#endif
