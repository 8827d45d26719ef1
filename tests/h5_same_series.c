/*  h5_same_series.c - test tool: exits 0 when two HDF5 files hold the same
    `data` and `time` datasets bit for bit, 1 (saying where) otherwise.
    Used by the sweep tests to compare a sweep's result with `brainsweep
    simulate --point K`. */
#include "store_h5read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
s_same (const char *a, const char *b, const char *dataset)
{
    double *va = NULL, *vb = NULL;
    size_t da[STORE_H5_MAX_RANK], db[STORE_H5_MAX_RANK];
    int ra = 0, rb = 0;
    bsw_error_t err;
    if (store_h5_read_doubles (a, dataset, &va, da, &ra, &err) ||
        store_h5_read_doubles (b, dataset, &vb, db, &rb, &err)) {
        fprintf (stderr, "%s\n", err.text);
        return 0;
    }
    size_t count = 1;
    int same = ra == rb;
    for (int k = 0; same && k < ra; k++) {
        same = da[k] == db[k];
        count *= da[k];
    }
    if (same && memcmp (va, vb, count * sizeof (double)) != 0) {
        for (size_t k = 0; k < count; k++)
            if (memcmp (&va[k], &vb[k], sizeof (double)) != 0) {
                fprintf (stderr, "%s[%zu]: %.17g != %.17g\n", dataset, k, va[k], vb[k]);
                break;
            }
        same = 0;
    } else if (!same)
        fprintf (stderr, "%s: shapes differ\n", dataset);
    free (va);
    free (vb);
    return same;
}

int
main (int argc, char **argv)
{
    if (argc != 3) {
        fprintf (stderr, "usage: h5_same_series A.h5 B.h5\n");
        return 2;
    }
    return s_same (argv[1], argv[2], "data") && s_same (argv[1], argv[2], "time") ? 0 : 1;
}
