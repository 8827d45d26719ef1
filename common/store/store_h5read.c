/*  store_h5read.c - small HDF5 readers: whole datasets converted to double
    or int, and scalar attributes with the kind they are stored as.

    Tests use these to check what store_h5 wrote, and to read TVB's
    reference output.h5 files; `brainsweep plot --point` reads one point's
    series with them. They read whole datasets, so they suit files of one
    series, not result archives. Every call opens and closes the file.
    That costs a little per attribute, and it keeps no handles between
    calls. HDF5's automatic error printing is turned off at each entry point
    (thread-safe HDF5 keeps that setting per thread).
*/
#include "store_h5read.h"
#include "bsw_assert.h"
#include "bsw_util.h"

#include <hdf5.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
s_quiet (void)
{
    H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
}

//  The innermost HDF5 error description, for sentences.
static herr_t
s_walk (unsigned n, const H5E_error2_t *entry, void *arg)
{
    if (n == 0 && entry->desc)
        snprintf (arg, 256, "%s", entry->desc);
    return 0;
}

static const char *
s_why (char buf[256])
{
    buf[0] = '\0';
    H5Ewalk2 (H5E_DEFAULT, H5E_WALK_UPWARD, s_walk, buf);
    H5Eclear2 (H5E_DEFAULT);
    return buf[0] ? buf : "no detail";
}

//  Files read here may come from outside (an old data folder's series, a
//  reference file, a point the user names): nothing in them may make
//  HDF5 open another file. An external link is refused when it would be
//  followed (this callback), and the link to a dataset, its layout and its
//  storage are checked before it is read: no virtual dataset (its data
//  come from other files), no external storage (raw data in other files).
static herr_t
s_no_external_link (const char *parent, const char *target, const char *obj, const char *name,
                    unsigned *flags, hid_t fapl, void *arg)
{
    (void) parent, (void) target, (void) obj, (void) name, (void) flags, (void) fapl, (void) arg;
    return -1;
}

//  An access property list (link or dataset access) that follows no
//  external link; caller closes it.
static hid_t
s_no_links (hid_t cls)
{
    hid_t plist = H5Pcreate (cls);
    H5Pset_elink_cb (plist, s_no_external_link, NULL);
    return plist;
}

//  0 when `name` in file is a link within the file, else an error.
static int
s_check_link (hid_t file, const char *path, const char *name, bsw_error_t *err)
{
    H5L_info_t info;
    hid_t lapl = s_no_links (H5P_LINK_ACCESS);
    herr_t got = H5Lget_info (file, name, &info, lapl);
    H5Pclose (lapl);
    if (got >= 0 && info.type != H5L_TYPE_HARD && info.type != H5L_TYPE_SOFT)
        return bsw_error_set (err, BSW_EFORMAT,
                              "%s: '%s' is an external link (to another file): refused", path,
                              name);
    return 0;
}

//  Opens object in file into *obj (H5I_INVALID_HID when absent) if its
//  link stays inside the file; else an error (err may be NULL).
static int
s_open_inside (hid_t file, const char *path, const char *object, hid_t *obj, bsw_error_t *err)
{
    *obj = H5I_INVALID_HID;
    int rc = s_check_link (file, path, object, err);
    if (rc)
        return rc;
    hid_t lapl = s_no_links (H5P_LINK_ACCESS);
    *obj = H5Oopen (file, object, lapl);
    H5Pclose (lapl);
    return 0;
}

//  0 when the dataset's data are all in this file, else an error.
static int
s_check_storage (hid_t dset, const char *path, const char *name, bsw_error_t *err)
{
    hid_t dcpl = H5Dget_create_plist (dset);
    if (dcpl < 0)
        return bsw_error_set (err, BSW_EFORMAT, "%s: dataset '%s': no creation properties", path,
                              name);
    int rc = 0;
    if (H5Pget_layout (dcpl) == H5D_VIRTUAL)
        rc = bsw_error_set (err, BSW_EFORMAT,
                            "%s: dataset '%s' is a virtual dataset (its data are in other "
                            "files): refused",
                            path, name);
    else if (H5Pget_external_count (dcpl) != 0)
        rc = bsw_error_set (err, BSW_EFORMAT,
                            "%s: dataset '%s' keeps its data in external files: refused", path,
                            name);
    H5Pclose (dcpl);
    return rc;
}

//  Reads a whole dataset into a fresh buffer of `memtype` elements.
static int
s_read (const char *path, const char *dataset, hid_t memtype, void **values_p,
        size_t dims[STORE_H5_MAX_RANK], int *rank_p, bsw_error_t *err)
{
    BSW_ASSERT (path && dataset && values_p && dims && rank_p);
    *values_p = NULL;
    *rank_p = 0;
    s_quiet ();
    char why[256];
    hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return bsw_error_set (err, BSW_EIO, "%s: cannot open as HDF5: %s", path, s_why (why));
    int rc = s_check_link (file, path, dataset, err);
    hid_t dapl = s_no_links (H5P_DATASET_ACCESS);
    hid_t dset = rc ? H5I_INVALID_HID : H5Dopen2 (file, dataset, dapl);
    H5Pclose (dapl);
    if (dset >= 0)
        rc = s_check_storage (dset, path, dataset, err);
    hid_t space = dset >= 0 && !rc ? H5Dget_space (dset) : H5I_INVALID_HID;
    int rank = space >= 0 ? H5Sget_simple_extent_ndims (space) : -1;
    if (rc) {
        //  Refused above: said why.
    } else if (dset < 0)
        rc =
            bsw_error_set (err, BSW_EFORMAT, "%s: no dataset '%s': %s", path, dataset, s_why (why));
    else if (rank < 0 || rank > STORE_H5_MAX_RANK)
        rc = bsw_error_set (err, BSW_EFORMAT, "%s: dataset '%s' has rank %d, more than %d", path,
                            dataset, rank, STORE_H5_MAX_RANK);
    else {
        hsize_t h5dims[STORE_H5_MAX_RANK];
        H5Sget_simple_extent_dims (space, h5dims, NULL);
        size_t count = 1, size = H5Tget_size (memtype);
        bool too_big = false;
        for (int i = 0; i < rank; i++) {
            dims[i] = (size_t) h5dims[i];
            if (dims[i] > 0 && count > STORE_H5_READ_MAX_BYTES / size / dims[i])
                too_big = true;
            count *= dims[i];
        }
        //  The dimensions are the file's word: a file of a few KB can
        //  claim gigabytes (fill values need no storage), which the read
        //  would allocate, and libhdf5 many times over. Real values are in
        //  the file, deflated at most 1032:1 (zlib's limit), so a claim
        //  beyond that, or beyond STORE_H5_READ_MAX_BYTES, is refused.
        hsize_t file_size = 0;
        H5Fget_filesize (file, &file_size);
        uint64_t limit = (uint64_t) file_size * 1032 + (1u << 20);
        limit = limit < STORE_H5_READ_MAX_BYTES ? limit : STORE_H5_READ_MAX_BYTES;
        too_big = too_big || count * size > limit;
        void *values = too_big ? NULL : bsw_malloc (count * size);
        if (too_big)
            rc = bsw_error_set (err, BSW_ETOOBIG,
                                "%s: dataset '%s' is too large to read whole (more than %llu "
                                "bytes, for a file of %llu)",
                                path, dataset, (unsigned long long) limit,
                                (unsigned long long) file_size);
        else if (count > 0 && H5Dread (dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0) {
            free (values);
            rc = bsw_error_set (err, BSW_EFORMAT, "%s: cannot read dataset '%s' as numbers: %s",
                                path, dataset, s_why (why));
        } else {
            *values_p = values;
            *rank_p = rank;
        }
    }
    if (space >= 0)
        H5Sclose (space);
    if (dset >= 0)
        H5Dclose (dset);
    H5Fclose (file);
    return rc;
}

int
store_h5_read_doubles (const char *path, const char *dataset, double **values_p,
                       size_t dims[STORE_H5_MAX_RANK], int *rank, bsw_error_t *err)
{
    return s_read (path, dataset, H5T_NATIVE_DOUBLE, (void **) values_p, dims, rank, err);
}

int
store_h5_read_ints (const char *path, const char *dataset, int **values_p,
                    size_t dims[STORE_H5_MAX_RANK], int *rank, bsw_error_t *err)
{
    return s_read (path, dataset, H5T_NATIVE_INT, (void **) values_p, dims, rank, err);
}

//  Reads a string attribute of either kind into a fresh C string.
static char *
s_attr_text (hid_t attr, hid_t type)
{
    if (H5Tis_variable_str (type) > 0) {
        hid_t memtype = H5Tcopy (H5T_C_S1);
        H5Tset_size (memtype, H5T_VARIABLE);
        H5Tset_cset (memtype, H5Tget_cset (type));
        char *raw = NULL, *text = NULL;
        if (H5Aread (attr, memtype, &raw) >= 0 && raw) {
            text = bsw_strdup (raw);
            H5free_memory (raw);
        }
        H5Tclose (memtype);
        return text;
    }
    size_t size = H5Tget_size (type);
    char *text = bsw_calloc (size + 1, 1);
    if (H5Aread (attr, type, text) < 0) {
        free (text);
        return NULL;
    }
    return text;
}

static store_h5_attr_kind_t
s_attr_read (hid_t attr, char **text, double *f64, int64_t *i64)
{
    hid_t type = H5Aget_type (attr);
    hid_t space = H5Aget_space (attr);
    store_h5_attr_kind_t kind = STORE_H5_ATTR_OTHER;
    bool scalar = H5Sget_simple_extent_type (space) == H5S_SCALAR;
    H5T_class_t cls = H5Tget_class (type);
    if (scalar && cls == H5T_STRING) {
        bool utf8_vlen = H5Tis_variable_str (type) > 0 && H5Tget_cset (type) == H5T_CSET_UTF8;
        kind = utf8_vlen ? STORE_H5_ATTR_STRING_VLEN_UTF8 : STORE_H5_ATTR_STRING_OTHER;
        char *value = s_attr_text (attr, type);
        if (text)
            *text = value;
        else
            free (value);
    } else if (scalar && (cls == H5T_FLOAT || cls == H5T_INTEGER)) {
        //  Exact types only: TVB.md 11.3 asks for little-endian 64-bit.
        if (H5Tequal (type, H5T_IEEE_F64LE) > 0)
            kind = STORE_H5_ATTR_F64;
        else if (H5Tequal (type, H5T_STD_I64LE) > 0)
            kind = STORE_H5_ATTR_I64;
        double d = 0.0;
        int64_t i = 0;
        H5Aread (attr, H5T_NATIVE_DOUBLE, &d);
        H5Aread (attr, H5T_NATIVE_INT64, &i);
        if (f64)
            *f64 = d;
        if (i64)
            *i64 = i;
    }
    H5Sclose (space);
    H5Tclose (type);
    return kind;
}

store_h5_attr_kind_t
store_h5_read_attr (const char *path, const char *object, const char *name, char **text,
                    double *f64, int64_t *i64)
{
    BSW_ASSERT (path && object && name);
    if (text)
        *text = NULL;
    s_quiet ();
    store_h5_attr_kind_t kind = STORE_H5_ATTR_MISSING;
    hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return kind;
    hid_t obj;
    s_open_inside (file, path, object, &obj, NULL);
    if (obj >= 0 && H5Aexists (obj, name) > 0) {
        hid_t attr = H5Aopen (obj, name, H5P_DEFAULT);
        if (attr >= 0) {
            kind = s_attr_read (attr, text, f64, i64);
            H5Aclose (attr);
        }
    }
    if (obj >= 0)
        H5Oclose (obj);
    H5Fclose (file);
    H5Eclear2 (H5E_DEFAULT);
    return kind;
}

typedef struct {
    char **names; /* grown as attributes are visited */
    size_t count; /* names filled */
    size_t cap;   /* names allocated */
} s_names_t;

static herr_t
s_collect (hid_t obj, const char *name, const H5A_info_t *info, void *arg)
{
    s_names_t *list = arg;
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        list->names = bsw_realloc (list->names, list->cap * sizeof *list->names);
    }
    list->names[list->count++] = bsw_strdup (name);
    return 0;
}

int
store_h5_attr_names (const char *path, const char *object, char ***names_p, size_t *count,
                     bsw_error_t *err)
{
    BSW_ASSERT (path && object && names_p && count);
    *names_p = NULL;
    *count = 0;
    s_quiet ();
    char why[256];
    hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return bsw_error_set (err, BSW_EIO, "%s: cannot open as HDF5: %s", path, s_why (why));
    int rc = 0;
    s_names_t list = {NULL, 0, 0};
    hid_t obj;
    rc = s_open_inside (file, path, object, &obj, err);
    if (rc) {
        //  Refused: said why.
    } else if (obj < 0)
        rc = bsw_error_set (err, BSW_EFORMAT, "%s: no object '%s': %s", path, object, s_why (why));
    else if (H5Aiterate2 (obj, H5_INDEX_NAME, H5_ITER_INC, NULL, s_collect, &list) < 0)
        rc = bsw_error_set (err, BSW_EFORMAT, "%s: cannot list attributes of '%s': %s", path,
                            object, s_why (why));
    if (obj >= 0)
        H5Oclose (obj);
    H5Fclose (file);
    if (rc) {
        for (size_t i = 0; i < list.count; i++)
            free (list.names[i]);
        free (list.names);
        return rc;
    }
    *names_p = list.names;
    *count = list.count;
    return 0;
}
