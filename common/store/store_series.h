/*  store_series.h - a point's time series as the wire carries it and the
    broker stores it: the raw float64 array (T, nvoi, n, 1) in TVB's axis
    order, little-endian, or the same bytes shuffled and deflated.

    "f8" is the array's bytes as they are. "f8-shuffle-deflate" is a zlib
    stream (RFC 1950, zlib's compress2) of the bytes shuffled as HDF5's
    shuffle filter does for one chunk holding the whole array: byte b of
    value i goes to position b * count + i. It is what HDF5's shuffle +
    deflate pipeline stores for a chunk of that array, and float64 series
    shrink by about a quarter that way, where plain deflate gains ~12%.

    The TimeSeriesRegion files of TVB are made from these arrays only when
    a sweep is exported (broker_export.c): a stored point is its data and
    nothing else (the time stamps follow from the sweep's setup).
*/
#ifndef STORE_SERIES_H_INCLUDED
#define STORE_SERIES_H_INCLUDED

#include <stddef.h>

#include "bsw_error.h"

typedef enum {
    STORE_SERIES_F8 = 0,                 /* raw little-endian float64 */
    STORE_SERIES_F8_SHUFFLE_DEFLATE = 1, /* shuffled, then zlib */
} store_series_encoding_t;

/*  "f8" or "f8-shuffle-deflate". Static string. */
const char *store_series_encoding_name (store_series_encoding_t encoding);

/*  The encoding named `name`; returns 0, or BSW_EINVAL for another name. */
int store_series_encoding_parse (const char *name, store_series_encoding_t *encoding);

/*  Encodes count values: raw when level is 0, else shuffled and deflated
    at zlib level `level` (1..9). *bytes_p: caller frees. Returns 0, or
    BSW_EINVAL (bad level or an array too large for zlib). */
int store_series_encode (const double *values, size_t count, int level, void **bytes_p,
                         size_t *size_p, bsw_error_t *err);

/*  Decodes bytes into exactly count values (values has room for them).
    Hostile input is expected (it came over the network or from disk):
    a raw size other than count * 8, a zlib stream that is corrupt, ends
    early, or inflates to any other size gives BSW_EFORMAT with err's
    sentence. */
int store_series_decode (store_series_encoding_t encoding, const void *bytes, size_t size,
                         double *values, size_t count, bsw_error_t *err);

#endif
