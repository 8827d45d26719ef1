/*  store_series_test.c - series encoded raw or shuffled and deflated, and
    decoded back, refusing every malformed input. */
#include "bsw_test.h"
#include "bsw_util.h"
#include "store_series.h"

#include <stdint.h>
#include <zlib.h>

/*  Usage: encode a series both ways and read it back bit for bit. */
static int
s_test_usage (void)
{
    double values[300];
    for (size_t i = 0; i < 300; i++)
        values[i] = i == 7 ? NAN : sin (0.01 * (double) i) * 1e-3;
    for (int level = 0; level <= 9; level += 9) {
        void *bytes = NULL;
        size_t size = 0;
        bsw_error_t err;
        BSW_CHECK_INT (store_series_encode (values, 300, level, &bytes, &size, &err), 0);
        store_series_encoding_t enc = level ? STORE_SERIES_F8_SHUFFLE_DEFLATE : STORE_SERIES_F8;
        if (level == 0)
            BSW_CHECK_INT (size, 300 * 8);
        else
            BSW_CHECK (size < 300 * 8);
        double back[300];
        BSW_CHECK_INT (store_series_decode (enc, bytes, size, back, 300, &err), 0);
        BSW_CHECK (memcmp (back, values, sizeof back) == 0);
        free (bytes);
    }
    return BSW_TEST_PASS;
}

/*  The deflated form is HDF5's shuffle + deflate of one chunk: a zlib
    stream whose inflated bytes are the values' bytes, byte plane by
    byte plane. */
static int
s_test_layout (void)
{
    double values[3] = {1.0, 2.0, -0.5};
    void *bytes = NULL;
    size_t size = 0;
    bsw_error_t err;
    BSW_CHECK_INT (store_series_encode (values, 3, 1, &bytes, &size, &err), 0);
    uint8_t plain[24];
    uLongf n = sizeof plain;
    BSW_CHECK_INT (uncompress (plain, &n, bytes, (uLong) size), Z_OK);
    BSW_CHECK_INT (n, 24);
    const uint8_t *raw = (const uint8_t *) values;
    for (size_t i = 0; i < 3; i++)
        for (size_t b = 0; b < 8; b++)
            BSW_CHECK_INT (plain[b * 3 + i], raw[i * 8 + b]);
    free (bytes);
    BSW_CHECK_STR (store_series_encoding_name (STORE_SERIES_F8_SHUFFLE_DEFLATE),
                   "f8-shuffle-deflate");
    store_series_encoding_t enc;
    BSW_CHECK_INT (store_series_encoding_parse ("f8", &enc), 0);
    BSW_CHECK_INT (enc, STORE_SERIES_F8);
    BSW_CHECK_INT (store_series_encoding_parse ("f4", &enc), BSW_EINVAL);
    return BSW_TEST_PASS;
}

/*  Hostile bytes: wrong raw sizes, a stream for fewer or more values, a
    cut stream, trailing bytes, garbage. Never more than the array is
    written. */
static int
s_test_hostile (void)
{
    double values[64], back[65];
    for (size_t i = 0; i < 64; i++)
        values[i] = (double) i;
    bsw_error_t err;
    BSW_CHECK_INT (store_series_decode (STORE_SERIES_F8, values, 63 * 8, back, 64, &err),
                   BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "504 bytes where 64 values take 512"), "%s", err.text);
    void *bytes = NULL;
    size_t size = 0;
    BSW_CHECK_INT (store_series_encode (values, 64, 6, &bytes, &size, &err), 0);
    back[64] = 12345.0;
    //  The stream holds 64 values: asked for 65, it is too short; for 63,
    //  too long; the guard value past 64 is never touched.
    BSW_CHECK_INT (store_series_decode (1, bytes, size, back, 65, &err), BSW_EFORMAT);
    BSW_CHECK_INT (store_series_decode (1, bytes, size, back, 63, &err), BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "longer than its array"), "%s", err.text);
    BSW_CHECK_DOUBLE_EQ (back[64], 12345.0);
    BSW_CHECK_INT (store_series_decode (1, bytes, size - 3, back, 64, &err), BSW_EFORMAT);
    uint8_t *longer = bsw_malloc (size + 4);
    memcpy (longer, bytes, size);
    memset (longer + size, 0, 4);
    BSW_CHECK_INT (store_series_decode (1, longer, size + 4, back, 64, &err), BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "after its end"), "%s", err.text);
    memset (longer, 0xA5, size);
    BSW_CHECK_INT (store_series_decode (1, longer, size, back, 64, &err), BSW_EFORMAT);
    BSW_CHECK_INT (store_series_decode (7, bytes, size, back, 64, &err), BSW_EFORMAT);
    BSW_CHECK_INT (store_series_decode (1, bytes, size, back, 64, &err), 0);
    BSW_CHECK (memcmp (back, values, sizeof values) == 0);
    free (longer);
    free (bytes);
    BSW_CHECK_INT (store_series_encode (values, 64, 10, &bytes, &size, &err), BSW_EINVAL);
    return BSW_TEST_PASS;
}

//  A deflate stream padded with empty blocks still inflates to the right
//  values; refused above zlib's bound for them, so no point is stored in
//  more bytes than its spec implies (100 zeros in ~6 kB here).
static int
s_test_padded (void)
{
    size_t count = 100, raw = count * 8;
    uint8_t zeros[800] = {0}, out[65536];
    z_stream z = {0};
    BSW_CHECK (deflateInit (&z, 1) == Z_OK);
    z.next_out = out;
    z.avail_out = sizeof out;
    for (size_t k = 0; k < raw; k++) {
        z.next_in = zeros + k;
        z.avail_in = 1;
        BSW_CHECK (deflate (&z, Z_SYNC_FLUSH) == Z_OK);
    }
    BSW_CHECK (deflate (&z, Z_FINISH) == Z_STREAM_END);
    size_t size = sizeof out - z.avail_out;
    deflateEnd (&z);
    BSW_CHECK (size > compressBound ((uLong) raw));
    double values[100];
    bsw_error_t err;
    BSW_CHECK_INT (
        store_series_decode (STORE_SERIES_F8_SHUFFLE_DEFLATE, out, size, values, count, &err),
        BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "where 100 values deflate to at most"), "%s", err.text);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"layout", s_test_layout},
                                          {"hostile", s_test_hostile},
                                          {"padded", s_test_padded},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
