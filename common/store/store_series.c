/*  store_series.c - time series as raw or shuffled and deflated float64
    arrays (store_series.h).

    Costs, per value: the raw encoding is a memcpy; the shuffle is a
    transposition through a buffer of the same size, and zlib dominates
    (tens of MB/s at level 1 on float data). Decoding inflates straight
    into a buffer of the expected size and refuses a stream that does not
    fill it exactly, so a hostile peer cannot make it write past the end
    or allocate more than the caller's array.
*/
#include "store_series.h"

#include "bsw_assert.h"
#include "bsw_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "series are little-endian float64: byte-swap them before porting"
#endif

const char *
store_series_encoding_name (store_series_encoding_t encoding)
{
    return encoding == STORE_SERIES_F8_SHUFFLE_DEFLATE ? "f8-shuffle-deflate" : "f8";
}

int
store_series_encoding_parse (const char *name, store_series_encoding_t *encoding)
{
    if (name && strcmp (name, "f8") == 0)
        *encoding = STORE_SERIES_F8;
    else if (name && strcmp (name, "f8-shuffle-deflate") == 0)
        *encoding = STORE_SERIES_F8_SHUFFLE_DEFLATE;
    else
        return BSW_EINVAL;
    return 0;
}

//  HDF5's shuffle of count 8-byte values: byte b of value i to b*count+i.
static void
s_shuffle (const uint8_t *in, uint8_t *out, size_t count)
{
    for (size_t i = 0; i < count; i++)
        for (size_t b = 0; b < 8; b++)
            out[b * count + i] = in[i * 8 + b];
}

static void
s_unshuffle (const uint8_t *in, uint8_t *out, size_t count)
{
    for (size_t b = 0; b < 8; b++)
        for (size_t i = 0; i < count; i++)
            out[i * 8 + b] = in[b * count + i];
}

int
store_series_encode (const double *values, size_t count, int level, void **bytes_p, size_t *size_p,
                     bsw_error_t *err)
{
    BSW_ASSERT (bytes_p && size_p);
    BSW_ASSERT (values || count == 0);
    *bytes_p = NULL;
    *size_p = 0;
    if (level < 0 || level > 9)
        return bsw_error_set (err, BSW_EINVAL, "deflate level %d is not 0..9", level);
    if (count > SIZE_MAX / 8)
        return bsw_error_set (err, BSW_EINVAL, "a series of %zu values is too large", count);
    size_t raw = count * 8;
    if (level == 0) {
        *bytes_p = bsw_malloc (raw ? raw : 1);
        if (raw)
            memcpy (*bytes_p, values, raw);
        *size_p = raw;
        return 0;
    }
    if (raw > (size_t) UINT32_MAX)
        return bsw_error_set (err, BSW_EINVAL, "a series of %zu bytes is too large to deflate",
                              raw);
    uint8_t *shuffled = bsw_malloc (raw ? raw : 1);
    s_shuffle ((const uint8_t *) values, shuffled, count);
    uLongf bound = compressBound ((uLong) raw);
    uint8_t *out = bsw_malloc (bound);
    int zrc = compress2 (out, &bound, shuffled, (uLong) raw, level);
    free (shuffled);
    //  With compressBound's room, only a lack of memory can fail here.
    BSW_ASSERT (zrc == Z_OK);
    *bytes_p = out;
    *size_p = (size_t) bound;
    return 0;
}

int
store_series_decode (store_series_encoding_t encoding, const void *bytes, size_t size,
                     double *values, size_t count, bsw_error_t *err)
{
    BSW_ASSERT (values || count == 0);
    if (count > SIZE_MAX / 8)
        return bsw_error_set (err, BSW_EFORMAT, "a series of %zu values is too large", count);
    size_t raw = count * 8;
    if (encoding == STORE_SERIES_F8) {
        if (size != raw)
            return bsw_error_set (err, BSW_EFORMAT, "series of %zu bytes where %zu values take %zu",
                                  size, count, raw);
        if (raw)
            memcpy (values, bytes, raw);
        return 0;
    }
    if (encoding != STORE_SERIES_F8_SHUFFLE_DEFLATE)
        return bsw_error_set (err, BSW_EFORMAT, "unknown series encoding %d", (int) encoding);
    if (size > (size_t) UINT32_MAX || raw > (size_t) UINT32_MAX)
        return bsw_error_set (err, BSW_EFORMAT, "a deflated series of %zu bytes is too large",
                              size);
    //  A deflate stream can be padded without end (empty blocks) and still
    //  give the right values: no more than zlib's bound for the values, so
    //  a point never takes more room than its spec implies.
    if (size > (size_t) compressBound ((uLong) raw))
        return bsw_error_set (err, BSW_EFORMAT,
                              "a deflated series of %zu bytes where %zu values deflate to at most "
                              "%lu",
                              size, count, (unsigned long) compressBound ((uLong) raw));
    uint8_t *shuffled = bsw_malloc (raw ? raw : 1);
    z_stream z = {0};
    int rc = 0;
    if (inflateInit (&z) != Z_OK) {
        free (shuffled);
        return bsw_error_set (err, BSW_EFORMAT, "cannot start inflating a series");
    }
    z.next_in = (Bytef *) bytes;
    z.avail_in = (uInt) size;
    z.next_out = shuffled;
    z.avail_out = (uInt) raw;
    int zrc = inflate (&z, Z_FINISH);
    //  The stream must end exactly when the array is full, with no input
    //  left over: anything else is another array or garbage.
    if (zrc != Z_STREAM_END)
        rc = bsw_error_set (err, BSW_EFORMAT, "deflated series is %s",
                            zrc == Z_BUF_ERROR || zrc == Z_OK
                                ? (z.avail_out == 0 ? "longer than its array" : "cut short")
                                : "corrupt");
    else if (z.avail_out != 0)
        rc = bsw_error_set (err, BSW_EFORMAT, "deflated series holds %zu bytes, not %zu",
                            raw - z.avail_out, raw);
    else if (z.avail_in != 0)
        rc = bsw_error_set (err, BSW_EFORMAT, "deflated series has %u bytes after its end",
                            z.avail_in);
    inflateEnd (&z);
    if (rc == 0)
        s_unshuffle (shuffled, (uint8_t *) values, count);
    free (shuffled);
    return rc;
}
