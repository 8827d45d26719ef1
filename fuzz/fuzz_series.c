/*  fuzz_series.c - fuzz target: decoding a point's series
    (store_series_decode), as the broker reads the series of a RESULT and
    of its own store.

    Input layout:
        byte 0      bits 0-1: the encoding number (0 "f8", 1
                    "f8-shuffle-deflate", 2 and 3 unknown); bits 2-5: the
                    zlib level (0 to 9; above 9 counts as 9) of the
                    re-encoding below
        bytes 1-2   the number of values expected, little-endian (a
                    RESULT's shape gives it; up to 65535 here)
        the rest    the encoded bytes
    A series that decodes must encode again at that level and decode back
    to the same bits.
*/
#include "fuzz.h"

#include "bsw_assert.h"
#include "store_series.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    store_series_encoding_t encoding = (store_series_encoding_t) (data[0] & 3);
    int level = (data[0] >> 2) & 15;
    level = level > 9 ? 9 : level;
    size_t at = 1;
    size_t count = (size_t) fuzz_take_le (data, size, &at, 2);
    //  Exactly count values, so a write past them is an ASan report.
    double *values = malloc (count ? count * sizeof *values : 1);
    BSW_ASSERT (values);
    bsw_error_t err;
    int rc = store_series_decode (encoding, data + at, size - at, values, count, &err);
    BSW_ASSERT (rc == 0 || err.text[0] != '\0');
    fuzz_note ("fuzz_series", rc, &err);
    if (rc == 0) {
        BSW_ASSERT (encoding <= STORE_SERIES_F8_SHUFFLE_DEFLATE);
        void *bytes = NULL;
        size_t bytes_size = 0;
        BSW_ASSERT (store_series_encode (values, count, level, &bytes, &bytes_size, &err) == 0);
        double *again = malloc (count ? count * sizeof *again : 1);
        BSW_ASSERT (again);
        store_series_encoding_t used = level ? STORE_SERIES_F8_SHUFFLE_DEFLATE : STORE_SERIES_F8;
        BSW_ASSERT (store_series_decode (used, bytes, bytes_size, again, count, &err) == 0);
        BSW_ASSERT (count == 0 || memcmp (values, again, count * sizeof *values) == 0);
        free (again);
        free (bytes);
    }
    free (values);
    return 0;
}
