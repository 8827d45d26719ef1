/*  fuzz_h5read.c - fuzz target: the HDF5 readers (store_h5read.c) on a
    file that came from outside, as `brainsweep plot --point` reads a
    point's TimeSeriesRegion file out of an export zip and the broker's
    upgrade reads the HDF5 series of an old data folder.

    Input layout: the whole input is the file. libhdf5 opens files by path,
    so each input is written to one temporary file of this process (in
    /dev/shm when there is one, else $TMPDIR or /tmp), removed at exit.
    The target then makes the calls those readers make, in their order:
    `data` as doubles, and when that succeeds `time` and the
    TVB_labels_dimensions attribute of "/". (store_h5_attr_names, which
    only tests call on files they wrote, is left out: libhdf5 1.10's
    attribute iteration crashes on some damaged files, in its own code.
    Reading the attribute can hang libhdf5 too: fuzz/known/README.md.)

    libhdf5 is not instrumented and every call opens the file again, so
    this target runs far slower than the others (bench/README.md,
    "Fuzzing"); fuzz.sh shrinks ASan's quarantine for it, as each open
    allocates megabytes that would otherwise be fresh pages every time.
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
        BSW_ASSERT (count <= ((uint64_t) size * 1032 + (1u << 20)) / sizeof (double));
        //  Every value was filled (ASan would see a short buffer here).
        volatile double sum = 0;
        for (size_t i = 0; i < count; i++)
            sum += values[i];
        (void) sum;
        free (values);
        //  What `plot --point` reads next.
        if (store_h5_read_doubles (path, "time", &values, dims, &rank, &err) == 0)
            free (values);
        char *text = NULL;
        store_h5_read_attr (path, "/", "TVB_labels_dimensions", &text, NULL, NULL);
        volatile size_t length = text ? strlen (text) : 0;
        (void) length;
        free (text);
    }
    return 0;
}
