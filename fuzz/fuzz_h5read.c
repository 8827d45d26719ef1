/*  fuzz_h5read.c - fuzz target: the HDF5 readers (store_h5read.c) on a
    file that came from outside, as `brainsweep plot --point` reads a
    point's TimeSeriesRegion file out of an export zip and the broker's
    upgrade reads the HDF5 series of an old data folder.

    Input layout: the whole input is the file. libhdf5 opens files by path,
    so each input is written to one temporary file of this process (in
    /dev/shm when there is one, else $TMPDIR or /tmp), removed at exit.
    The target then makes the calls those readers make: `data` and `time`
    as doubles, `data` as ints, the TVB_labels_dimensions attribute of "/",
    and the names of the attributes of "/" and "/data".
*/
#include "fuzz.h"

#include "bsw_assert.h"
#include "store_h5read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char s_path[4096];
static int s_fd = -1;

static void
s_remove (void)
{
    if (s_fd >= 0) {
        close (s_fd);
        unlink (s_path);
    }
}

//  The file every input is written to, made on first use.
static const char *
s_file (const uint8_t *data, size_t size)
{
    if (s_fd < 0) {
        const char *dir = access ("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv ("TMPDIR");
        snprintf (s_path, sizeof s_path, "%s/bsw-fuzz-h5read-XXXXXX", dir ? dir : "/tmp");
        s_fd = mkstemp (s_path);
        if (s_fd < 0) {
            fprintf (stderr, "fuzz_h5read: %s: %s\n", s_path, strerror (errno));
            abort ();
        }
        atexit (s_remove);
    }
    BSW_ASSERT (ftruncate (s_fd, 0) == 0);
    BSW_ASSERT (pwrite (s_fd, data, size, 0) == (ssize_t) size);
    return s_path;
}

//  Frees a list of names.
static void
s_free_names (char **names, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        BSW_ASSERT (names[i]);
        free (names[i]);
    }
    free (names);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const char *path = s_file (data, size);
    bsw_error_t err;
    size_t dims[STORE_H5_MAX_RANK];
    int rank = -1;
    double *values = NULL;
    int rc = store_h5_read_doubles (path, "data", &values, dims, &rank, &err);
    BSW_ASSERT (rc == 0 || (values == NULL && err.text[0] != '\0'));
    fuzz_note ("fuzz_h5read", rc, &err);
    if (rc == 0) {
        BSW_ASSERT (rank >= 0 && rank <= STORE_H5_MAX_RANK);
        size_t count = 1;
        for (int d = 0; d < rank; d++)
            count *= dims[d];
        //  Every value was filled (ASan would see a short buffer here).
        volatile double sum = 0;
        for (size_t i = 0; i < count; i++)
            sum += values[i];
        (void) sum;
        free (values);
        int *ints = NULL;
        if (store_h5_read_ints (path, "data", &ints, dims, &rank, &err) == 0)
            free (ints);
        if (store_h5_read_doubles (path, "time", &values, dims, &rank, &err) == 0)
            free (values);
    }
    char *text = NULL;
    double f64 = 0;
    int64_t i64 = 0;
    store_h5_read_attr (path, "/", "TVB_labels_dimensions", &text, &f64, &i64);
    volatile size_t length = text ? strlen (text) : 0;
    (void) length;
    free (text);
    char **names = NULL;
    size_t count = 0;
    if (store_h5_attr_names (path, "/", &names, &count, &err) == 0) {
        //  Each attribute of the root read as the tests read TVB's files.
        for (size_t i = 0; i < count && i < 64; i++) {
            text = NULL;
            store_h5_read_attr (path, "/", names[i], &text, &f64, &i64);
            free (text);
        }
        s_free_names (names, count);
    }
    if (store_h5_attr_names (path, "/data", &names, &count, &err) == 0)
        s_free_names (names, count);
    return 0;
}
