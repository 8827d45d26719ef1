/*  store_h5.h - writing TVB-encoded HDF5 files (TVB.md 11.3), under the
    per-file writers (store_timeseries, store_tvbfiles); the export's
    broker_export_files.c also builds its in-memory view-model and measure
    files with it directly.

    A store_h5_t is one file being written. HDF5 builds it in memory.
    store_h5_create reserves a temporary name "<path>.tmp-XXXXXX" in the
    target's folder. store_h5_commit writes the file there, fsyncs it and
    renames it into place. store_h5_destroy without a commit deletes the
    temporary file. So a failure at any step leaves nothing at the target
    path. The whole file is held in memory until the commit.

    Errors are sticky, as with stdio's ferror. The first failing call
    records its code and sentence in the file. Every later writer returns
    that code without touching the file, and store_h5_commit returns it and
    deletes the temporary file. A writer is a flat list of calls that is
    checked once, at commit:

        store_h5_t *h5;
        if (store_h5_create (&h5, path, err))
            return err->code;
        store_h5_write_generic (h5, &generic);
        store_h5_attr_f64 (h5, "/", "TVB_dt", 0.1);
        store_h5_dataset_f64 (h5, "a", values, dims, 1, 0);
        return store_h5_commit (&h5, err);

    Objects are named by their path in the file: "/" is the root group and
    "data" is a dataset under it. Attribute writers replace an attribute
    that already exists. Every attribute is scalar, and every string is
    variable-length UTF-8, because TVB reads fixed-length strings back as
    b'...' text.

    Threads: HDF5 (Debian's thread-safe build) serialises calls internally.
    A store_h5_t belongs to one thread at a time.
*/
#ifndef STORE_H5_H_INCLUDED
#define STORE_H5_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bsw_error.h"

/*  Chunks of growable datasets are kept under this many bytes (at least
    one row): HDF5's default chunk cache is 1 MiB, and a chunk larger than
    the cache bypasses it. */
#define STORE_H5_CHUNK_BYTES (1u << 20)

/*  Length of a UUID string without "urn:uuid:". */
#define STORE_H5_UUID_LEN 36

typedef struct _store_h5_t store_h5_t;

/*  The generic root attributes of every TVB file (TVB.md 11.3). */
typedef struct {
    const char *gid;         /* 36-char lower-case UUID, without "urn:uuid:" */
    const char *written_by;  /* fully qualified H5 class, e.g. "...TimeSeriesRegionH5" */
    const char *state;       /* "INTERMEDIATE", "RAW_DATA" or "" */
    bool visible;            /* TVB_visible; false for metric results and their view models */
    const char *create_date; /* "YYYY-MM-DD,HH-MM-SS.ffffff", or NULL for now */
} store_h5_generic_t;

/*  Creates the temporary file beside `path` and opens it for writing. The
    caller owns *self_p and must end it with store_h5_commit or
    store_h5_destroy. Returns 0, or BSW_EIO / BSW_ENOSPACE with err naming
    the path (the folder is missing, not writable, ...). */
int store_h5_create (store_h5_t **self_p, const char *path, bsw_error_t *err);

/*  The same, for a file that only ever lives in memory (a worker's result,
    sent as bytes): end it with store_h5_commit_image. `label` names it in
    errors. */
int store_h5_create_memory (store_h5_t **self_p, const char *label, bsw_error_t *err);

/*  Finishes an in-memory file: *image_p receives the complete HDF5 file
    bytes (caller frees with free()). Always destroys *self_p. Returns 0 or
    the sticky error. */
int store_h5_commit_image (store_h5_t **self_p, void **image_p, size_t *size_p, bsw_error_t *err);

/*  Closes the file, fsyncs it and renames it to its target path. On a
    sticky error, or if closing or renaming fails, deletes the temporary
    file instead and returns the code (BSW_EIO, BSW_ENOSPACE, BSW_EINVAL)
    with the sentence in err. Always destroys *self_p and sets it NULL. */
int store_h5_commit (store_h5_t **self_p, bsw_error_t *err);

/*  Abandons a file that was not committed: closes and deletes the
    temporary file. Safe on NULL and on a NULL *self_p. */
void store_h5_destroy (store_h5_t **self_p);

/*  The sticky error: code 0 while every call so far succeeded. Borrowed,
    valid until the file is committed or destroyed. */
const bsw_error_t *store_h5_error (const store_h5_t *self);

/*  Writes TVB_Data_version (int64 5), TVB_gid, TVB_written_by,
    TVB_create_date, TVB_invalid, TVB_is_nan, TVB_subject, TVB_state,
    TVB_user_tag_1..5, TVB_operation_tag and TVB_visible on the root.
    Returns 0, BSW_EINVAL for a malformed gid, or the sticky code. */
int store_h5_write_generic (store_h5_t *self, const store_h5_generic_t *generic);

/*  Scalar attributes of `object` ("/" or a dataset path). Each returns 0 or
    the sticky code. */
int store_h5_attr_string (store_h5_t *self, const char *object, const char *name,
                          const char *value);
int store_h5_attr_f64 (store_h5_t *self, const char *object, const char *name, double value);
int store_h5_attr_i64 (store_h5_t *self, const char *object, const char *name, int64_t value);
/*  "bool:True" or "bool:False". */
int store_h5_attr_bool (store_h5_t *self, const char *object, const char *name, bool value);
/*  "urn:uuid:" + uuid; BSW_EINVAL unless uuid is a 36-char lower-case UUID. */
int store_h5_attr_urn (store_h5_t *self, const char *object, const char *name, const char *uuid);

/*  A float64 dataset of any rank (1..8) with shape dims[rank], row-major.
    chunk_rows 0 stores it contiguous. Otherwise it is chunked with an
    unlimited first dimension, as TVB does for time series: a chunk holds
    at most chunk_rows rows, at most dims[0], and at most
    STORE_H5_CHUNK_BYTES (but at least one row). Also writes TVB_Minimum,
    TVB_Maximum and TVB_Mean (float64, numpy semantics: NaN if any value is
    NaN; the mean is the true mean), TVB_IsFinite and TVB_HasComplex.
    BSW_EINVAL for an empty shape; otherwise 0 or the sticky code. */
/*  From now on, chunked datasets are stored with HDF5's byte shuffle and
    deflate at `level` (1-9; 0 = uncompressed, the default, as TVB writes).
    Any HDF5 reader, h5py and so TVB included, reads them transparently. */
void store_h5_set_deflate (store_h5_t *self, int level);

int store_h5_dataset_f64 (store_h5_t *self, const char *name, const double *values,
                          const size_t *dims, int rank, size_t chunk_rows);

/*  A dataset's statistics attributes (TVB_Minimum, TVB_Maximum, TVB_Mean,
    TVB_IsFinite) as store_h5_dataset_f64 computes them, numpy's way. */
typedef struct {
    double min, max, mean; /* NaN all three if any value is NaN */
    bool finite;           /* every value finite */
} store_h5_stats_t;
store_h5_stats_t store_h5_stats_f64 (const double *values, size_t count);

/*  store_h5_dataset_f64 with the statistics attributes given rather than
    computed from the values (NULL: computed). For image templates, whose
    placeholders must be bytes found nowhere else in the file. */
int store_h5_dataset_f64_stats (store_h5_t *self, const char *name, const double *values,
                                const size_t *dims, int rank, size_t chunk_rows,
                                const store_h5_stats_t *stats);

/*  Where the chunks of a written chunked dataset lie in the file: chunk c
    starts at row rows[c] of the first dimension and has sizes[c] bytes at
    byte addrs[c] of the file (its in-memory image). At most max chunks:
    BSW_ETOOBIG beyond. Returns 0 or the sticky code. */
int store_h5_chunks (store_h5_t *self, const char *name, uint64_t *rows, uint64_t *addrs,
                     uint64_t *sizes, size_t max, size_t *count);

/*  An int64 dataset (H5T_STD_I64LE), contiguous, with the same dataset
    attributes (Minimum/Maximum/Mean as float64, as TVB.md 11.3 says). */
int store_h5_dataset_i64 (store_h5_t *self, const char *name, const int64_t *values,
                          const size_t *dims, int rank);

/*  A (count,) dataset of vlen UTF-8 strings, such as region_labels.
    TVB_Minimum/Maximum/Mean are "" strings, as TVB writes them for text. */
int store_h5_dataset_strings (store_h5_t *self, const char *name, const char *const *values,
                              size_t count);

/*  A (count,) bool dataset stored as h5py does: an HDF5 enum on int8 with
    FALSE=0 and TRUE=1 (hemispheres, cortical). Min/Max/Mean as float64. */
int store_h5_dataset_bools (store_h5_t *self, const char *name, const bool *values, size_t count);

/*  The current local time in TVB's date format "YYYY-MM-DD,HH-MM-SS.ffffff"
    into out[STORE_H5_DATE_BUF]. */
#define STORE_H5_DATE_BUF 32
void store_h5_date_now (char out[STORE_H5_DATE_BUF]);

/*  True if text is a 36-char lower-case RFC 4122 style UUID. */
bool store_h5_uuid_valid (const char *text);

#endif
