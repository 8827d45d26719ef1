/*  store_h5read.h - small readers for HDF5 files (whole datasets and
    scalar attributes): tests check the files we or TVB wrote with them,
    and `brainsweep plot --point` reads a point's series with them
    (client_plot.c), and the schema-4 upgrade reads old data folders'
    series with them. Files may come from outside: an external link, a
    virtual dataset or external storage (each of which would make HDF5
    read other files) is refused (BSW_EFORMAT), and so is a dataset over
    STORE_H5_READ_MAX_BYTES (BSW_ETOOBIG). */
#ifndef STORE_H5READ_H_INCLUDED
#define STORE_H5READ_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "bsw_error.h"

#define STORE_H5_MAX_RANK       8
#define STORE_H5_READ_MAX_BYTES (1ull << 30) /* most bytes one whole-dataset read takes */

/*  Reads a whole numeric dataset converted to double. *values_p is
    caller-owned (free()); dims[rank] filled. Returns 0 or BSW_EIO/FORMAT,
    or BSW_ETOOBIG when the values would take more than
    STORE_H5_READ_MAX_BYTES, or more than the file could hold deflated
    (1032 times its size, and a MB). */
int store_h5_read_doubles (const char *path, const char *dataset, double **values_p,
                           size_t dims[STORE_H5_MAX_RANK], int *rank, bsw_error_t *err);

/*  Reads a whole integer dataset converted to int. Same contract. */
int store_h5_read_ints (const char *path, const char *dataset, int **values_p,
                        size_t dims[STORE_H5_MAX_RANK], int *rank, bsw_error_t *err);

/*  Kind of a scalar attribute as stored. */
typedef enum {
    STORE_H5_ATTR_MISSING = 0,
    STORE_H5_ATTR_STRING_VLEN_UTF8,
    STORE_H5_ATTR_STRING_OTHER, /* fixed-length or ASCII vlen */
    STORE_H5_ATTR_F64,
    STORE_H5_ATTR_I64,
    STORE_H5_ATTR_OTHER,
} store_h5_attr_kind_t;

/*  Reads a scalar attribute of object `object` ("/" or "/data"). Fills the
    matching out-value: text (caller frees) for strings, f64 or i64 for
    numbers. Returns the kind; STORE_H5_ATTR_MISSING when absent. */
store_h5_attr_kind_t store_h5_read_attr (const char *path, const char *object, const char *name,
                                         char **text, double *f64, int64_t *i64);

/*  Names of every attribute of `object`, caller frees each and the array. */
int store_h5_attr_names (const char *path, const char *object, char ***names_p, size_t *count,
                         bsw_error_t *err);

#endif
