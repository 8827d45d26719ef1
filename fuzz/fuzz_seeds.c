/*  fuzz_seeds.c - writes the generated part of the seed corpora in
    fuzz/corpus/: valid messages of every type from the codec (proto/),
    small connectivity zips made by store_connectivity_save_zip
    (connectivity/), small TimeSeriesRegion files made by
    store_timeseries_image (h5read/) and encoded series (series/), each in
    its target's input layout (the comment at the top of fuzz_TARGET.c).

        build/fuzz/fuzz_seeds fuzz/corpus

    The spec seeds and the connectivity seeds in text form are written by
    hand (and copied from examples/ and common/spec/testdata/). Every seed
    written here is first checked to be accepted by the code under test,
    so the fuzzer starts from inputs that reach deep.
*/
#include "bsw_assert.h"
#include "bsw_util.h"
#include "proto.h"
#include "proto_schema.h"
#include "sim_connectivity.h"
#include "store_connectivity.h"
#include "store_series.h"
#include "store_timeseries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

//  Elements of every array field, and of each parallel array of a message.
#define S_N 3

static const char *s_root;

static void
s_write (const char *target, const char *name, const void *data, size_t size)
{
    char path[4096];
    snprintf (path, sizeof path, "%s/%s", s_root, target);
    mkdir (path, 0755);
    snprintf (path, sizeof path, "%s/%s/%s", s_root, target, name);
    FILE *file = fopen (path, "wb");
    BSW_ASSERT (file);
    BSW_ASSERT (fwrite (data, 1, size, file) == size);
    BSW_ASSERT (fclose (file) == 0);
    printf ("%s: %zu bytes\n", path, size);
}

//  --------------------------------------------------------------------------
//  proto: a message of each type, required fields only and all of them

//  The first or the last word of a '|'-separated list.
static void
s_word (const char *oneof, bool last, char *out, size_t size)
{
    const char *bar = last ? strrchr (oneof, '|') : strchr (oneof, '|');
    if (!bar)
        snprintf (out, size, "%s", oneof);
    else if (last)
        snprintf (out, size, "%s", bar + 1);
    else
        snprintf (out, size, "%.*s", (int) (bar - oneof), oneof);
}

//  Sets field f to a value within its bounds; arrays get S_N elements (or
//  S_N * S_N for the metric tables of RESULT and POINTS).
static void
s_set_field (proto_msg_t *msg, const proto_field_t *f)
{
    proto_type_t type = proto_msg_type (msg);
    char text[256];
    size_t n = S_N;
    if ((type == PROTO_POINTS && strcmp (f->name, "values") == 0) ||
        (type == PROTO_RESULT && strcmp (f->name, "metric_values") == 0))
        n = S_N * S_N;
    switch (f->kind) {
    case PROTO_KIND_UINT:
        proto_msg_set_uint (msg, f->name, f->max < 7 ? f->max : f->min > 7 ? f->min : 7);
        break;
    case PROTO_KIND_INT:
        proto_msg_set_int (msg, f->name, f->imin > -3 ? f->imin : f->imax < -3 ? f->imax : -3);
        break;
    case PROTO_KIND_F64:
        proto_msg_set_f64 (msg, f->name, 0.25);
        break;
    case PROTO_KIND_BOOL:
        proto_msg_set_bool (msg, f->name, true);
        break;
    case PROTO_KIND_STR:
        if (f->oneof)
            s_word (f->oneof, false, text, sizeof text);
        else if (f->min == 36)
            snprintf (text, sizeof text, "0f8fad5b-d9cb-469f-a165-70867728950e");
        else
            snprintf (text, sizeof text, "%s", f->max >= 5 ? "seed" : "");
        proto_msg_set_str (msg, f->name, text);
        break;
    case PROTO_KIND_TEXT:
        proto_msg_set_str (msg, f->name,
                           "{\"model\": {\"type\": \"Generic2dOscillator\"}, \"ranges\": "
                           "[{\"parameter\": \"model.I\", \"lo\": 0, \"hi\": 1, \"step\": 0.5}]}");
        break;
    case PROTO_KIND_UINTS: {
        uint64_t values[S_N];
        for (size_t k = 0; k < S_N; k++)
            values[k] = k + 1;
        proto_msg_set_uints (msg, f->name, values, S_N);
        break;
    }
    case PROTO_KIND_INTS: {
        int64_t values[S_N];
        for (size_t k = 0; k < S_N; k++)
            values[k] = f->imin > 0 ? f->imin : f->imax < 0 ? f->imax : 0;
        proto_msg_set_ints (msg, f->name, values, S_N);
        break;
    }
    case PROTO_KIND_F64S: {
        double values[S_N * S_N];
        for (size_t k = 0; k < n; k++)
            values[k] = 0.5 * (double) k - 1.0;
        proto_msg_set_f64s (msg, f->name, values, n);
        break;
    }
    case PROTO_KIND_STRS: {
        char words[S_N][64];
        const char *values[S_N];
        for (size_t k = 0; k < S_N; k++) {
            if (f->oneof)
                s_word (f->oneof, false, words[k], sizeof words[k]);
            else
                snprintf (words[k], sizeof words[k], "m%zu", k);
            values[k] = words[k];
        }
        proto_msg_set_strs (msg, f->name, values, S_N);
        break;
    }
    case PROTO_KIND_BLOB: {
        char dtype[8];
        s_word (f->oneof ? f->oneof : "u1", false, dtype, sizeof dtype);
        //  32 bytes: 32 "u1" or 4 "f8" values.
        enum { S_BLOB_BYTES = 32 };
        uint8_t *bytes = malloc (S_BLOB_BYTES);
        BSW_ASSERT (bytes);
        for (size_t k = 0; k < S_BLOB_BYTES; k++)
            bytes[k] = (uint8_t) (k * 7);
        void *data = bytes;
        size_t size = S_BLOB_BYTES;
        uint64_t shape[1] = {strcmp (dtype, "f8") == 0 ? size / 8 : size};
        proto_msg_set_blob (msg, f->name, dtype, shape, 1, &data, size);
        break;
    }
    }
}

//  Writes msg in fuzz_proto's layout: flags, then each frame's length
//  and bytes.
static void
s_write_message (const char *name, proto_msg_t *msg, uint8_t flags)
{
    zmsg_t *zmsg = proto_msg_encode (msg);
    size_t size = 1;
    for (zframe_t *f = zmsg_first (zmsg); f; f = zmsg_next (zmsg))
        size += 4 + zframe_size (f);
    uint8_t *out = malloc (size), *at = out;
    BSW_ASSERT (out);
    *at++ = flags;
    for (zframe_t *f = zmsg_first (zmsg); f; f = zmsg_next (zmsg)) {
        uint32_t length = (uint32_t) zframe_size (f);
        for (int b = 0; b < 4; b++)
            *at++ = (uint8_t) (length >> (8 * b));
        memcpy (at, zframe_data (f), length);
        at += length;
    }
    //  Only seeds the decoder takes.
    proto_msg_t *back = NULL;
    bsw_error_t err;
    int rc = proto_msg_decode (&zmsg, flags & 1, 0, &back, NULL, &err);
    if (rc)
        fprintf (stderr, "fuzz_seeds: %s does not decode: %s\n", name, err.text);
    BSW_ASSERT (rc == 0);
    proto_msg_destroy (&back);
    s_write ("proto", name, out, size);
    free (out);
}

static void
s_proto_seeds (void)
{
    for (int type = 0; type < 64; type++) {
        const proto_schema_t *schema = proto_schema (type);
        if (!schema)
            continue;
        for (int all = 0; all <= 1; all++) {
            proto_msg_t *msg = proto_msg_new ((proto_type_t) type);
            for (size_t i = 0; i < schema->count; i++)
                if (all || schema->fields[i].required)
                    s_set_field (msg, &schema->fields[i]);
            //  A RESULT's series belongs to its points: all of it to the
            //  first one, which is "ok".
            if (type == PROTO_RESULT && proto_msg_has (msg, "series")) {
                size_t blob = 0;
                proto_msg_blob (msg, "series", &blob, NULL, NULL, NULL);
                const uint64_t sizes[S_N] = {blob, 0, 0};
                proto_msg_set_uints (msg, "series_sizes", sizes, S_N);
            }
            char name[64];
            snprintf (name, sizeof name, "%s-%s", schema->name, all ? "all" : "required");
            s_write_message (name, msg, 0);
            //  The worker's messages as the broker's ROUTER gets them, a
            //  routing id first and a tight blob limit.
            if (all && type < PROTO_SUBMIT) {
                uint8_t id[5] = {0, 0x6b, 0x8b, 0x45, 0x67};
                zframe_t *routing_id = zframe_new (id, sizeof id);
                proto_msg_set_routing_id (msg, routing_id);
                zframe_destroy (&routing_id);
                snprintf (name, sizeof name, "%s-routed", schema->name);
                s_write_message (name, msg, 1 | 3 << 1);
            }
            proto_msg_destroy (&msg);
        }
    }
}

//  --------------------------------------------------------------------------
//  connectivity: zips made by the project's own writer

static void
s_connectivity_seed (const char *name, size_t n, bool optional)
{
    sim_connectivity_t *conn = sim_connectivity_new (n);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            conn->weights[i * n + j] = i == j ? 0.0 : 0.5 + (double) ((i + 2 * j) % 3);
            conn->tract_lengths[i * n + j] = i == j ? 0.0 : 10.0 + 7.5 * (double) (i + j);
        }
        for (size_t d = 0; d < 3; d++)
            conn->centres[i * 3 + d] = (double) (i * 3 + d) - 4.25;
        free (conn->region_labels[i]);
        char label[32];
        snprintf (label, sizeof label, "%s%zu", i % 2 ? "r" : "l", i);
        conn->region_labels[i] = bsw_strdup (label);
    }
    if (optional) {
        conn->hemispheres = bsw_calloc (n, sizeof *conn->hemispheres);
        conn->cortical = bsw_calloc (n, sizeof *conn->cortical);
        conn->areas = bsw_calloc (n, sizeof *conn->areas);
        conn->orientations = bsw_calloc (n * 3, sizeof *conn->orientations);
        for (size_t i = 0; i < n; i++) {
            conn->hemispheres[i] = i % 2;
            conn->cortical[i] = i != 0;
            conn->areas[i] = 100.0 + (double) i;
            conn->orientations[i * 3] = 1.0;
        }
    }
    char path[4096];
    snprintf (path, sizeof path, "%s/connectivity", s_root);
    mkdir (path, 0755);
    snprintf (path, sizeof path, "%s/connectivity/%s", s_root, name);
    bsw_error_t err;
    BSW_ASSERT (store_connectivity_save_zip (conn, path, &err) == 0);
    sim_connectivity_t *back = NULL;
    BSW_ASSERT (store_connectivity_load (&back, path, &err) == 0);
    BSW_ASSERT (back->n == n);
    sim_connectivity_destroy (&back);
    sim_connectivity_destroy (&conn);
    printf ("%s\n", path);
}

//  --------------------------------------------------------------------------
//  h5read: TimeSeriesRegion files as the export makes them

static void
s_h5_seed (const char *name, int deflate)
{
    enum { T = 4, VOI = 2, N = 3 };
    double data[T * VOI * N], time[T];
    for (size_t i = 0; i < T * VOI * N; i++)
        data[i] = (double) i * 0.125 - 1.0;
    for (size_t t = 0; t < T; t++)
        time[t] = 1.0 + (double) t;
    static const char *const voi[VOI] = {"V", "W"};
    store_timeseries_t ts = {
        .gid = "01234567-89ab-4cde-8f01-23456789abcd",
        .connectivity_gid = "fedcba98-7654-4321-8fed-cba987654321",
        .monitor = "TemporalAverage",
        .voi_names = voi,
        .n_voi = VOI,
        .n_time = T,
        .n_nodes = N,
        .data = data,
        .time = time,
        .sample_period = 1.0,
        .create_date = "2026-01-01,00-00-00.000000",
        .deflate = deflate,
    };
    void *image = NULL;
    size_t size = 0;
    bsw_error_t err;
    BSW_ASSERT (store_timeseries_image (&ts, &image, &size, &err) == 0);
    s_write ("h5read", name, image, size);
    free (image);
}

//  --------------------------------------------------------------------------
//  series: encoded arrays in fuzz_series's layout

static void
s_series_seed (const char *name, size_t count, int level)
{
    double *values = bsw_calloc (count ? count : 1, sizeof *values);
    for (size_t i = 0; i < count; i++)
        values[i] = 0.01 * (double) i - 0.3;
    void *bytes = NULL;
    size_t size = 0;
    bsw_error_t err;
    BSW_ASSERT (store_series_encode (values, count, level, &bytes, &size, &err) == 0);
    uint8_t *out = malloc (3 + size);
    BSW_ASSERT (out);
    out[0] = (uint8_t) ((level ? STORE_SERIES_F8_SHUFFLE_DEFLATE : STORE_SERIES_F8) |
                        (level ? 1 : 0) << 2);
    out[1] = (uint8_t) count;
    out[2] = (uint8_t) (count >> 8);
    memcpy (out + 3, bytes, size);
    s_write ("series", name, out, 3 + size);
    free (out);
    free (bytes);
    free (values);
}

int
main (int argc, char **argv)
{
    if (argc != 2) {
        fprintf (stderr, "usage: fuzz_seeds CORPUS_FOLDER (fuzz/corpus)\n");
        return 2;
    }
    s_root = argv[1];
    mkdir (s_root, 0755);
    s_proto_seeds ();
    s_connectivity_seed ("minimal-3.zip", 3, false);
    s_connectivity_seed ("full-4.zip", 4, true);
    s_h5_seed ("timeseries.h5", 0);
    s_h5_seed ("timeseries-deflate.h5", 1);
    s_series_seed ("f8-0", 0, 0);
    s_series_seed ("f8-12", 12, 0);
    s_series_seed ("deflate-1", 1, 1);
    s_series_seed ("deflate-40", 40, 1);
    return 0;
}
