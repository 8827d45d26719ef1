/*  proto_test.c - the wire codec: round trips of every message type, routing
    ids over a real ROUTER/DEALER pair, and every way frame 0 or the blob
    frames can be wrong (each rejected with the right code and sentence,
    none crashing, which the sanitizer build checks).

    Hand-made frames are written with msgpack-c directly (s_raw_*), so the
    rejection cases do not depend on the encoder under test.
*/
#include "proto.h"
#include "proto_schema.h"

#include "bsw_test.h"

#include <msgpack.h>

//  --------------------------------------------------------------------------
//  Helpers

//  Encodes and decodes again; NULL (with the reason on stderr) on failure.
static proto_msg_t *
s_roundtrip (const proto_msg_t *msg)
{
    zmsg_t *zmsg = proto_msg_encode (msg);
    proto_msg_t *copy = NULL;
    bsw_error_t err;
    if (proto_msg_decode (&zmsg, false, 0, &copy, NULL, &err) != 0)
        fprintf (stderr, "decode failed: %s\n", err.text);
    return copy;
}

//  Decodes and checks the code and a substring of the sentence.
static int
s_rejects (zmsg_t *zmsg, uint64_t max_blob, int code, const char *substring)
{
    proto_msg_t *msg = NULL;
    bsw_error_t err;
    int rc = proto_msg_decode (&zmsg, false, max_blob, &msg, NULL, &err);
    if (msg) {
        fprintf (stderr, "accepted a message that should fail with '%s'\n", substring);
        proto_msg_destroy (&msg);
        return 0;
    }
    if (rc != code || !strstr (err.text, substring)) {
        fprintf (stderr, "got %d \"%s\", expected %d containing \"%s\"\n", rc, err.text, code,
                 substring);
        return 0;
    }
    return 1;
}

typedef struct {
    msgpack_sbuffer sbuf; /* frame 0 being written */
    msgpack_packer pk;    /* writes into sbuf */
} s_raw_t;

//  Starts ["tag", version, type, {<fields> entries...}].
static void
s_raw_begin (s_raw_t *raw, const char *tag, uint64_t version, uint64_t type, size_t fields)
{
    msgpack_sbuffer_init (&raw->sbuf);
    msgpack_packer_init (&raw->pk, &raw->sbuf, msgpack_sbuffer_write);
    msgpack_pack_array (&raw->pk, 4);
    msgpack_pack_str_with_body (&raw->pk, tag, strlen (tag));
    msgpack_pack_uint64 (&raw->pk, version);
    msgpack_pack_uint64 (&raw->pk, type);
    msgpack_pack_map (&raw->pk, fields);
}

static void
s_raw_str (s_raw_t *raw, const char *s)
{
    msgpack_pack_str_with_body (&raw->pk, s, strlen (s));
}

static void
s_raw_uint (s_raw_t *raw, const char *key, uint64_t value)
{
    s_raw_str (raw, key);
    msgpack_pack_uint64 (&raw->pk, value);
}

//  A blob descriptor {frame, dtype, shape: [n]} under key.
static void
s_raw_blob (s_raw_t *raw, const char *key, uint64_t frame, const char *dtype, uint64_t n)
{
    s_raw_str (raw, key);
    msgpack_pack_map (&raw->pk, 3);
    s_raw_uint (raw, "frame", frame);
    s_raw_str (raw, "dtype");
    s_raw_str (raw, dtype);
    s_raw_str (raw, "shape");
    msgpack_pack_array (&raw->pk, 1);
    msgpack_pack_uint64 (&raw->pk, n);
}

//  Ends the frame: a zmsg with it as frame 0, then blob frames of the
//  given sizes (0-terminated list), filled with a pattern.
static zmsg_t *
s_raw_end (s_raw_t *raw, const size_t *blob_sizes)
{
    zmsg_t *zmsg = zmsg_new ();
    zmsg_addmem (zmsg, raw->sbuf.data, raw->sbuf.size);
    msgpack_sbuffer_destroy (&raw->sbuf);
    for (size_t i = 0; blob_sizes && blob_sizes[i]; i++) {
        zframe_t *frame = zframe_new (NULL, blob_sizes[i]);
        memset (zframe_data (frame), 0x5a, blob_sizes[i]);
        zmsg_append (zmsg, &frame);
    }
    return zmsg;
}

//  A RESULT that passes validation: points 407 (ok, with a series of
//  blob_size bytes) and 408 (failed).
static proto_msg_t *
s_result (size_t blob_size)
{
    proto_msg_t *msg = proto_msg_new (PROTO_RESULT);
    proto_msg_set_uint (msg, "sweep", 12);
    const uint64_t points[] = {407, 408}, sizes[] = {blob_size, 0};
    const char *statuses[] = {"ok", "failed"}, *errors[] = {"", "diverged"};
    const double elapsed[] = {1834.25, 12.5};
    proto_msg_set_uints (msg, "points", points, 2);
    proto_msg_set_strs (msg, "statuses", statuses, 2);
    proto_msg_set_strs (msg, "errors", errors, 2);
    proto_msg_set_f64s (msg, "elapsed_ms", elapsed, 2);
    const char *names[] = {"GlobalVariance", "Metastability", "Synchrony", "VarianceNodeVariance"};
    const double values[] = {0.41, 0.07, 2.1, NAN, NAN, NAN, NAN, NAN};
    proto_msg_set_strs (msg, "metric_names", names, 4);
    proto_msg_set_f64s (msg, "metric_values", values, 8);
    uint8_t *bytes = malloc (blob_size ? blob_size : 1);
    for (size_t i = 0; i < blob_size; i++)
        bytes[i] = (uint8_t) (i * 2654435761u >> 13);
    void *data = bytes;
    uint64_t shape[1] = {blob_size};
    proto_msg_set_str (msg, "encoding", "f8");
    proto_msg_set_uints (msg, "series_sizes", sizes, 2);
    proto_msg_set_blob (msg, "series", "u1", shape, 1, &data, blob_size);
    return msg;
}

//  xorshift64*: a fixed-seed stream, so a failing fuzz case reproduces.
static uint64_t
s_random (uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 2685821657736338717ull;
}

//  --------------------------------------------------------------------------
//  Usage: build, encode, decode, read; and answer a bad message

static int
s_test_usage (void)
{
    //  The broker hands a worker two points of sweep 7.
    proto_msg_t *work = proto_msg_new (PROTO_WORK);
    proto_msg_set_uint (work, "sweep", 7);
    const uint64_t points[] = {0, 1};
    proto_msg_set_uints (work, "points", points, 2);
    proto_msg_set_str (work, "spec", "{\"model\": \"Generic2dOscillator\"}");
    zmsg_t *zmsg = proto_msg_encode (work);
    proto_msg_destroy (&work);
    BSW_CHECK (work == NULL);

    //  The worker decodes it: everything is checked before it looks.
    proto_msg_t *msg = NULL;
    bsw_error_t err;
    int rc = proto_msg_decode (&zmsg, false, 0, &msg, NULL, &err);
    BSW_CHECK_INT (rc, 0);
    BSW_CHECK (zmsg == NULL);
    BSW_CHECK_INT (proto_msg_type (msg), PROTO_WORK);
    BSW_CHECK_STR (proto_type_name (proto_msg_type (msg)), "WORK");
    BSW_CHECK_INT (proto_msg_uint (msg, "sweep"), 7);
    size_t count;
    const uint64_t *got = proto_msg_uints (msg, "points", &count);
    BSW_CHECK_INT (count, 2);
    BSW_CHECK_INT (got[1], 1);
    BSW_CHECK_STR (proto_msg_str (msg, "spec"), "{\"model\": \"Generic2dOscillator\"}");
    //  Absent optional fields read as nothing.
    BSW_CHECK (!proto_msg_has (msg, "connectivity"));
    BSW_CHECK (proto_msg_blob (msg, "connectivity", &count, NULL, NULL, NULL) == NULL);
    BSW_CHECK_INT (count, 0);
    BSW_CHECK (proto_msg_str (msg, "uuid") == NULL);
    proto_msg_destroy (&msg);

    //  A bad message gets an ERROR naming what is wrong, echoing the type.
    proto_msg_t *credit = proto_msg_new (PROTO_CREDIT);
    proto_msg_set_uint (credit, "credit", 0);
    zmsg = proto_msg_encode (credit);
    proto_msg_destroy (&credit);
    rc = proto_msg_decode (&zmsg, false, 0, &msg, NULL, &err);
    BSW_CHECK_INT (rc, BSW_EPROTO);
    BSW_CHECK (msg == NULL);
    BSW_CHECK_STR (err.text, "CREDIT: field 'credit': 0 is out of range 1..65536");
    proto_msg_t *reply = proto_msg_new_error (rc, err.text, PROTO_CREDIT);
    proto_msg_t *back = s_roundtrip (reply);
    BSW_CHECK (back);
    BSW_CHECK_INT (proto_msg_int (back, "code"), BSW_EPROTO);
    BSW_CHECK_STR (proto_msg_str (back, "text"), err.text);
    BSW_CHECK_INT (proto_msg_uint (back, "to"), PROTO_CREDIT);
    proto_msg_destroy (&reply);
    proto_msg_destroy (&back);
    return BSW_TEST_PASS;
}

//  --------------------------------------------------------------------------
//  Round trips of every type, filled generically from the schema table

#define S_N 3 /* elements of each array in a filled message */

//  Sets every field (or only the required ones) to a value within its
//  bounds that also satisfies the relations between fields.
static void
s_fill (proto_msg_t *msg, bool all)
{
    const proto_schema_t *schema = proto_schema (proto_msg_type (msg));
    for (size_t i = 0; i < schema->count; i++) {
        const proto_field_t *f = &schema->fields[i];
        if (!all && !f->required)
            continue;
        char text[64];
        switch (f->kind) {
        case PROTO_KIND_UINT:
            proto_msg_set_uint (msg, f->name,
                                f->max == UINT64_MAX ? (1ull << 40) + i : f->max - i % 2);
            break;
        case PROTO_KIND_INT:
            proto_msg_set_int (msg, f->name, f->imax - 7);
            break;
        case PROTO_KIND_F64:
            proto_msg_set_f64 (msg, f->name, (double) (i + 1) / 3.0);
            break;
        case PROTO_KIND_BOOL:
            proto_msg_set_bool (msg, f->name, true);
            break;
        case PROTO_KIND_STR:
            if (f->oneof) {
                //  All fields: the first word ("ok", which needs the
                //  blob); required only: the last ("failed").
                const char *bar = strchr (f->oneof, '|');
                if (all)
                    snprintf (text, sizeof text, "%.*s", (int) (bar - f->oneof), f->oneof);
                else
                    snprintf (text, sizeof text, "%s", bar + 1);
            } else if (f->min == 36)
                snprintf (text, sizeof text, "0f8fad5b-d9cb-469f-a165-70867728950e");
            else
                snprintf (text, sizeof text, "%s \xc3\xa9t\xc3\xa9 %zu", f->name, i);
            proto_msg_set_str (msg, f->name, text);
            break;
        case PROTO_KIND_TEXT:
            proto_msg_set_str (msg, f->name, "{\"simulation_length\": 1000.0, \"ranges\": []}");
            break;
        case PROTO_KIND_UINTS: {
            const uint64_t values[S_N] = {i, UINT64_MAX - i, 65536};
            proto_msg_set_uints (msg, f->name, values, S_N);
            break;
        }
        case PROTO_KIND_INTS: {
            const int64_t values[S_N] = {f->imax - (int64_t) i, f->imin, f->imax};
            proto_msg_set_ints (msg, f->name, values, S_N);
            break;
        }
        case PROTO_KIND_F64S: {
            double values[S_N * S_N];
            for (size_t k = 0; k < S_N * S_N; k++)
                values[k] = k == 1 ? NAN : k == 2 ? -INFINITY : 0.1 * (double) k;
            bool square =
                proto_msg_type (msg) == PROTO_POINTS ||
                (proto_msg_type (msg) == PROTO_RESULT && strcmp (f->name, "metric_values") == 0);
            proto_msg_set_f64s (msg, f->name, values, square ? S_N * S_N : S_N);
            break;
        }
        case PROTO_KIND_STRS: {
            const char *values[S_N] = {"ok", "", "failed"};
            const char *names[S_N] = {"GlobalVariance", "_x9", "Synchrony"};
            //  Words of oneof: the first, the first, the last ("ok", "ok",
            //  "failed": only a failed point may have no series).
            char first[32], last[32];
            if (f->oneof) {
                const char *bar = strchr (f->oneof, '|');
                snprintf (first, sizeof first, "%.*s", (int) (bar - f->oneof), f->oneof);
                snprintf (last, sizeof last, "%s", strrchr (f->oneof, '|') + 1);
            }
            const char *words[S_N] = {first, first, last};
            proto_msg_set_strs (msg, f->name, f->names ? names : f->oneof ? words : values, S_N);
            break;
        }
        case PROTO_KIND_BLOB: {
            size_t size = 1000 + i;
            uint8_t *bytes = malloc (size);
            for (size_t k = 0; k < size; k++)
                bytes[k] = (uint8_t) (k + i);
            void *data = bytes;
            uint64_t shape[1] = {size};
            proto_msg_set_blob (msg, f->name, "u1", shape, 1, &data, size);
            break;
        }
        }
    }
    //  A RESULT's series sizes add up to its blob: all of it is the first
    //  (ok) point's.
    if (proto_msg_type (msg) == PROTO_RESULT && proto_msg_has (msg, "series")) {
        size_t blob = 0;
        proto_msg_blob (msg, "series", &blob, NULL, NULL, NULL);
        const uint64_t sizes[S_N] = {blob, 0, 0};
        proto_msg_set_uints (msg, "series_sizes", sizes, S_N);
    }
}

//  Every field of a and b reads the same (bit for bit for numbers).
static int
s_same (const proto_msg_t *a, const proto_msg_t *b)
{
    BSW_CHECK_INT (proto_msg_type (a), proto_msg_type (b));
    const proto_schema_t *schema = proto_schema (proto_msg_type (a));
    for (size_t i = 0; i < schema->count; i++) {
        const proto_field_t *f = &schema->fields[i];
        BSW_CHECK_MSG (proto_msg_has (a, f->name) == proto_msg_has (b, f->name), "%s.%s",
                       schema->name, f->name);
        if (!proto_msg_has (a, f->name))
            continue;
        size_t na, nb;
        switch (f->kind) {
        case PROTO_KIND_UINT:
            BSW_CHECK (proto_msg_uint (a, f->name) == proto_msg_uint (b, f->name));
            break;
        case PROTO_KIND_INT:
            BSW_CHECK (proto_msg_int (a, f->name) == proto_msg_int (b, f->name));
            break;
        case PROTO_KIND_F64:
            BSW_CHECK_DOUBLE_EQ (proto_msg_f64 (a, f->name), proto_msg_f64 (b, f->name));
            break;
        case PROTO_KIND_BOOL:
            BSW_CHECK (proto_msg_bool (a, f->name) == proto_msg_bool (b, f->name));
            break;
        case PROTO_KIND_STR:
        case PROTO_KIND_TEXT:
            BSW_CHECK_STR (proto_msg_str (a, f->name), proto_msg_str (b, f->name));
            break;
        case PROTO_KIND_UINTS: {
            const uint64_t *va = proto_msg_uints (a, f->name, &na);
            const uint64_t *vb = proto_msg_uints (b, f->name, &nb);
            BSW_CHECK_INT (na, nb);
            BSW_CHECK (na == 0 || memcmp (va, vb, na * sizeof *va) == 0);
            break;
        }
        case PROTO_KIND_INTS: {
            const int64_t *va = proto_msg_ints (a, f->name, &na);
            const int64_t *vb = proto_msg_ints (b, f->name, &nb);
            BSW_CHECK_INT (na, nb);
            BSW_CHECK (na == 0 || memcmp (va, vb, na * sizeof *va) == 0);
            break;
        }
        case PROTO_KIND_F64S: {
            const double *va = proto_msg_f64s (a, f->name, &na);
            const double *vb = proto_msg_f64s (b, f->name, &nb);
            BSW_CHECK_INT (na, nb);
            for (size_t k = 0; k < na; k++)
                BSW_CHECK_DOUBLE_EQ (va[k], vb[k]);
            break;
        }
        case PROTO_KIND_STRS:
            BSW_CHECK_INT (proto_msg_strs_count (a, f->name), proto_msg_strs_count (b, f->name));
            for (size_t k = 0; k < proto_msg_strs_count (a, f->name); k++)
                BSW_CHECK_STR (proto_msg_strs_at (a, f->name, k),
                               proto_msg_strs_at (b, f->name, k));
            BSW_CHECK (proto_msg_strs_at (b, f->name, proto_msg_strs_count (b, f->name)) == NULL);
            break;
        case PROTO_KIND_BLOB: {
            const char *da, *db;
            const uint64_t *sa, *sb;
            size_t ra, rb;
            const void *pa = proto_msg_blob (a, f->name, &na, &da, &sa, &ra);
            const void *pb = proto_msg_blob (b, f->name, &nb, &db, &sb, &rb);
            BSW_CHECK_INT (na, nb);
            BSW_CHECK (na == 0 || memcmp (pa, pb, na) == 0);
            BSW_CHECK_STR (da, db);
            BSW_CHECK_INT (ra, rb);
            BSW_CHECK (memcmp (sa, sb, ra * sizeof *sa) == 0);
            break;
        }
        }
    }
    return BSW_TEST_PASS;
}

static int
s_test_roundtrip_all (void)
{
    int types = 0;
    for (int type = 0; type < 64; type++) {
        if (!proto_schema (type))
            continue;
        types++;
        for (int all = 0; all <= 1; all++) {
            proto_msg_t *msg = proto_msg_new ((proto_type_t) type);
            s_fill (msg, all);
            proto_msg_t *copy = s_roundtrip (msg);
            BSW_CHECK_MSG (copy, "%s (all=%d)", proto_type_name (type), all);
            int rc = s_same (msg, copy);
            proto_msg_destroy (&msg);
            proto_msg_destroy (&copy);
            if (rc != BSW_TEST_PASS) {
                fprintf (stderr, "%s (all=%d) differs after a round trip\n", proto_type_name (type),
                         all);
                return rc;
            }
        }
    }
    BSW_CHECK_INT (types, 26);
    return BSW_TEST_PASS;
}

static int
s_test_blob_10mb (void)
{
    const size_t size = 10u << 20;
    proto_msg_t *msg = s_result (size);
    proto_msg_t *copy = s_roundtrip (msg);
    BSW_CHECK (copy);
    size_t got_size, rank;
    const char *dtype;
    const uint64_t *shape;
    const uint8_t *got = proto_msg_blob (copy, "series", &got_size, &dtype, &shape, &rank);
    const uint8_t *want = proto_msg_blob (msg, "series", NULL, NULL, NULL, NULL);
    BSW_CHECK_INT (got_size, size);
    BSW_CHECK (memcmp (got, want, size) == 0);
    BSW_CHECK_STR (dtype, "u1");
    BSW_CHECK_INT (rank, 1);
    BSW_CHECK_INT (shape[0], size);
    BSW_CHECK_INT (s_same (msg, copy), BSW_TEST_PASS);
    //  NaN survives the trip; the metric names stay in order.
    size_t count;
    BSW_CHECK (isnan (proto_msg_f64s (copy, "metric_values", &count)[3]));
    BSW_CHECK_STR (proto_msg_strs_at (copy, "metric_names", 2), "Synchrony");
    //  The same message also fits a tighter limit exactly.
    zmsg_t *zmsg = proto_msg_encode (msg);
    proto_msg_t *again = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (proto_msg_decode (&zmsg, false, size, &again, NULL, &err), 0);
    proto_msg_destroy (&again);
    proto_msg_destroy (&msg);
    proto_msg_destroy (&copy);
    return BSW_TEST_PASS;
}

static int
s_test_conversions (void)
{
    //  An integer where a float64 is expected is accepted and converted.
    s_raw_t raw;
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_SWEEP_STATUS, 10);
    s_raw_uint (&raw, "sweep", 3);
    s_raw_str (&raw, "state");
    s_raw_str (&raw, "running");
    s_raw_uint (&raw, "points", 10);
    s_raw_uint (&raw, "pending", 1);
    s_raw_uint (&raw, "running", 2);
    s_raw_uint (&raw, "done", 3);
    s_raw_uint (&raw, "failed", 4);
    s_raw_uint (&raw, "cancelled", 0);
    s_raw_str (&raw, "rate");
    msgpack_pack_int64 (&raw.pk, -5);
    s_raw_uint (&raw, "eta_s", 120);
    zmsg_t *zmsg = s_raw_end (&raw, NULL);
    proto_msg_t *msg = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (proto_msg_decode (&zmsg, false, 0, &msg, NULL, &err), 0);
    BSW_CHECK_DOUBLE_EQ (proto_msg_f64 (msg, "rate"), -5.0);
    BSW_CHECK_DOUBLE_EQ (proto_msg_f64 (msg, "eta_s"), 120.0);
    BSW_CHECK_DOUBLE_EQ (proto_msg_f64 (msg, "elapsed_s"), 0.0);
    BSW_CHECK_INT (proto_msg_uint (msg, "workers"), 0);
    BSW_CHECK (proto_msg_str (msg, "name") == NULL);
    proto_msg_destroy (&msg);

    //  An ERROR's code arrives as a negative msgpack integer.
    proto_msg_t *error = proto_msg_new_error (BSW_EVERSION, NULL, 0);
    proto_msg_t *copy = s_roundtrip (error);
    BSW_CHECK (copy);
    BSW_CHECK_INT (proto_msg_int (copy, "code"), -9);
    BSW_CHECK_STR (proto_msg_str (copy, "text"), "unsupported protocol version");
    BSW_CHECK (!proto_msg_has (copy, "to"));
    proto_msg_destroy (&error);
    proto_msg_destroy (&copy);
    return BSW_TEST_PASS;
}

//  RESULTS asking for the spec and a point's series (`brainsweep plot`),
//  and the POINTS that carries them; a flag must be a msgpack bool.
static int
s_test_results_plot (void)
{
    proto_msg_t *request = proto_msg_new (PROTO_RESULTS);
    proto_msg_set_uint (request, "sweep", 7);
    proto_msg_set_uint (request, "offset", 17);
    proto_msg_set_uint (request, "limit", 1);
    proto_msg_set_bool (request, "with_spec", true);
    proto_msg_set_bool (request, "with_timeseries", true);
    proto_msg_t *copy = s_roundtrip (request);
    BSW_CHECK (copy);
    BSW_CHECK (proto_msg_bool (copy, "with_spec"));
    BSW_CHECK (proto_msg_bool (copy, "with_timeseries"));
    proto_msg_destroy (&copy);
    proto_msg_destroy (&request);

    proto_msg_t *reply = proto_msg_new (PROTO_POINTS);
    proto_msg_set_uint (reply, "sweep", 7);
    proto_msg_set_uint (reply, "total", 500);
    const uint64_t points[] = {17};
    const char *statuses[] = {"ok"};
    const char *names[] = {"GlobalVariance", "VarianceNodeVariance"};
    const double values[] = {1.5e-29, NAN};
    proto_msg_set_uints (reply, "points", points, 1);
    proto_msg_set_strs (reply, "statuses", statuses, 1);
    proto_msg_set_strs (reply, "metric_names", names, 2);
    proto_msg_set_f64s (reply, "values", values, 2);
    const char *spec = "{\"ranges\": [{\"parameter\": \"model.a\", \"values\": [1, 2]}]}";
    proto_msg_set_str (reply, "spec", spec);
    size_t size = 5000;
    uint8_t *bytes = malloc (size);
    for (size_t i = 0; i < size; i++)
        bytes[i] = (uint8_t) (i * 7);
    void *data = bytes;
    uint64_t shape[1] = {size};
    proto_msg_set_blob (reply, "timeseries", "u1", shape, 1, &data, size);
    copy = s_roundtrip (reply);
    BSW_CHECK (copy);
    BSW_CHECK_STR (proto_msg_str (copy, "spec"), spec);
    size_t got_size = 0;
    const uint8_t *got = proto_msg_blob (copy, "timeseries", &got_size, NULL, NULL, NULL);
    BSW_CHECK_INT (got_size, size);
    BSW_CHECK (got[4999] == (uint8_t) (4999 * 7));
    BSW_CHECK_INT (s_same (reply, copy), BSW_TEST_PASS);
    proto_msg_destroy (&copy);
    proto_msg_destroy (&reply);
    //  An old client's POINTS (no spec, no series) still decodes.
    reply = proto_msg_new (PROTO_POINTS);
    proto_msg_set_uint (reply, "sweep", 7);
    proto_msg_set_uint (reply, "total", 500);
    proto_msg_set_uints (reply, "points", NULL, 0);
    proto_msg_set_strs (reply, "statuses", NULL, 0);
    proto_msg_set_strs (reply, "metric_names", NULL, 0);
    proto_msg_set_f64s (reply, "values", NULL, 0);
    copy = s_roundtrip (reply);
    BSW_CHECK (copy && !proto_msg_has (copy, "spec") && !proto_msg_has (copy, "timeseries"));
    proto_msg_destroy (&copy);
    proto_msg_destroy (&reply);

    //  with_spec as an integer is refused with a sentence.
    s_raw_t raw;
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_RESULTS, 2);
    s_raw_uint (&raw, "sweep", 7);
    s_raw_uint (&raw, "with_spec", 1);
    zmsg_t *zmsg = s_raw_end (&raw, NULL);
    proto_msg_t *msg = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (proto_msg_decode (&zmsg, false, 0, &msg, NULL, &err), BSW_EPROTO);
    BSW_CHECK_MSG (strstr (err.text, "RESULTS: field 'with_spec'"), "%s", err.text);
    return BSW_TEST_PASS;
}

//  --------------------------------------------------------------------------
//  Routing ids: decode's contract, then a real ROUTER/DEALER pair

static int
s_test_routing_id (void)
{
    //  Decoding with a routing id: on success the message holds it.
    proto_msg_t *hb = proto_msg_new (PROTO_HEARTBEAT);
    zmsg_t *zmsg = proto_msg_encode (hb);
    proto_msg_destroy (&hb);
    zmsg_pushstrf (zmsg, "peer-1");
    proto_msg_t *msg = NULL;
    zframe_t *routing_id = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (proto_msg_decode (&zmsg, true, 0, &msg, &routing_id, &err), 0);
    BSW_CHECK (routing_id == NULL);
    BSW_CHECK (zframe_streq (proto_msg_routing_id (msg), "peer-1"));
    //  A reply carries it first.
    proto_msg_t *ack = proto_msg_new (PROTO_ACK);
    proto_msg_set_routing_id (ack, proto_msg_routing_id (msg));
    proto_msg_set_uint (ack, "sweep", 1);
    const uint64_t acked[] = {2};
    proto_msg_set_uints (ack, "points", acked, 1);
    zmsg = proto_msg_encode (ack);
    BSW_CHECK_INT (zmsg_size (zmsg), 2);
    BSW_CHECK (zframe_streq (zmsg_first (zmsg), "peer-1"));
    zmsg_destroy (&zmsg);
    proto_msg_destroy (&ack);
    proto_msg_destroy (&msg);

    //  On failure the routing id still comes back, to answer with.
    zmsg = zmsg_new ();
    zmsg_addstr (zmsg, "peer-2");
    zmsg_addstr (zmsg, "not msgpack at all");
    BSW_CHECK_INT (proto_msg_decode (&zmsg, true, 0, &msg, &routing_id, &err), BSW_EPROTO);
    BSW_CHECK (msg == NULL);
    BSW_CHECK (routing_id && zframe_streq (routing_id, "peer-2"));
    zframe_destroy (&routing_id);
    //  A routing id alone is no message.
    zmsg = zmsg_new ();
    zmsg_addstr (zmsg, "peer-3");
    BSW_CHECK_INT (proto_msg_decode (&zmsg, true, 0, &msg, &routing_id, &err), BSW_EPROTO);
    BSW_CHECK (strstr (err.text, "empty message"));
    BSW_CHECK (routing_id && zframe_streq (routing_id, "peer-3"));
    zframe_destroy (&routing_id);
    zmsg = zmsg_new ();
    BSW_CHECK_INT (proto_msg_decode (&zmsg, true, 0, &msg, &routing_id, &err), BSW_EPROTO);
    BSW_CHECK (routing_id == NULL);
    return BSW_TEST_PASS;
}

static int
s_test_router_dealer (void)
{
    zsock_t *router = zsock_new_router ("inproc://proto_test");
    zsock_t *dealer = zsock_new_dealer (">inproc://proto_test");
    BSW_CHECK (router && dealer);
    zsock_set_rcvtimeo (router, 5000);
    zsock_set_rcvtimeo (dealer, 5000);

    proto_msg_t *hello = proto_msg_new (PROTO_HELLO);
    proto_msg_set_str (hello, "worker", "w1");
    proto_msg_set_uint (hello, "threads", 8);
    BSW_CHECK_INT (proto_msg_send (&hello, dealer), 0);
    BSW_CHECK (hello == NULL);

    proto_msg_t *msg = NULL;
    zframe_t *peer = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (proto_msg_recv (router, 0, &msg, &peer, &err), 0);
    BSW_CHECK_INT (proto_msg_type (msg), PROTO_HELLO);
    BSW_CHECK_STR (proto_msg_str (msg, "worker"), "w1");
    BSW_CHECK (peer == NULL && proto_msg_routing_id (msg));
    peer = zframe_dup (proto_msg_routing_id (msg));

    proto_msg_t *credit_ok = proto_msg_new (PROTO_DROP);
    proto_msg_set_uint (credit_ok, "sweep", 5);
    proto_msg_set_routing_id (credit_ok, peer);
    BSW_CHECK_INT (proto_msg_send (&credit_ok, router), 0);
    proto_msg_t *got = NULL;
    BSW_CHECK_INT (proto_msg_recv (dealer, 0, &got, NULL, &err), 0);
    BSW_CHECK_INT (proto_msg_type (got), PROTO_DROP);
    BSW_CHECK_INT (proto_msg_uint (got, "sweep"), 5);
    BSW_CHECK (proto_msg_routing_id (got) == NULL);
    proto_msg_destroy (&got);
    proto_msg_destroy (&msg);
    zframe_destroy (&peer);

    //  A garbled message: the broker learns who sent it and answers.
    zstr_send (dealer, "garbage");
    BSW_CHECK_INT (proto_msg_recv (router, 0, &msg, &peer, &err), BSW_EPROTO);
    BSW_CHECK (peer);
    proto_msg_t *reply = proto_msg_new_error (BSW_EPROTO, err.text, 0);
    proto_msg_set_routing_id (reply, peer);
    zframe_destroy (&peer);
    BSW_CHECK_INT (proto_msg_send (&reply, router), 0);
    BSW_CHECK_INT (proto_msg_recv (dealer, 0, &got, NULL, &err), 0);
    BSW_CHECK_INT (proto_msg_type (got), PROTO_ERROR);
    BSW_CHECK_INT (proto_msg_int (got, "code"), BSW_EPROTO);
    BSW_CHECK (strstr (proto_msg_str (got, "text"), "frame 0"));
    proto_msg_destroy (&got);
    zsock_destroy (&dealer);
    zsock_destroy (&router);
    return BSW_TEST_PASS;
}

//  --------------------------------------------------------------------------
//  The envelope: tag, version, type, layout

static int
s_test_reject_envelope (void)
{
    s_raw_t raw;
    s_raw_begin (&raw, "XSW", 1, PROTO_HEARTBEAT, 0);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                          "not a brainsweep message: the tag is 'XSW', not 'BSW'"));
    s_raw_begin (&raw, "BSW", 4, PROTO_HEARTBEAT, 0);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EVERSION,
                          "version 4 is not supported (this peer speaks 3)"));
    //  Version 1 (its RESULT carried one point and an HDF5 file) too, and
    //  version 2 (no refinement families).
    s_raw_begin (&raw, "BSW", 1, PROTO_HEARTBEAT, 0);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EVERSION,
                          "version 1 is not supported (this peer speaks 3)"));
    s_raw_begin (&raw, "BSW", 2, PROTO_HEARTBEAT, 0);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EVERSION,
                          "version 2 is not supported (this peer speaks 3)"));
    s_raw_begin (&raw, "BSW", 0, PROTO_HEARTBEAT, 0);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EVERSION, "version 0 is not supported"));
    s_raw_begin (&raw, "BSW", PROTO_VERSION, 99, 0);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO, "unknown message type 99"));
    s_raw_begin (&raw, "BSW", PROTO_VERSION, 9, 0); //  a gap in the numbering
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO, "unknown message type 9"));

    //  A future version with a longer envelope still gets the version error.
    msgpack_sbuffer_init (&raw.sbuf);
    msgpack_packer_init (&raw.pk, &raw.sbuf, msgpack_sbuffer_write);
    msgpack_pack_array (&raw.pk, 5);
    s_raw_str (&raw, "BSW");
    msgpack_pack_uint64 (&raw.pk, PROTO_VERSION + 1);
    msgpack_pack_uint64 (&raw.pk, 2);
    msgpack_pack_map (&raw.pk, 0);
    msgpack_pack_nil (&raw.pk);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EVERSION, "version 4"));
    //  Our version with the wrong layout, a non-map body, a string type.
    msgpack_sbuffer_init (&raw.sbuf);
    msgpack_packer_init (&raw.pk, &raw.sbuf, msgpack_sbuffer_write);
    msgpack_pack_array (&raw.pk, 3);
    s_raw_str (&raw, "BSW");
    msgpack_pack_uint64 (&raw.pk, PROTO_VERSION);
    msgpack_pack_uint64 (&raw.pk, 2);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO, "frame 0 has 3 elements, not 4"));
    msgpack_sbuffer_init (&raw.sbuf);
    msgpack_packer_init (&raw.pk, &raw.sbuf, msgpack_sbuffer_write);
    msgpack_pack_array (&raw.pk, 4);
    s_raw_str (&raw, "BSW");
    msgpack_pack_uint64 (&raw.pk, PROTO_VERSION);
    msgpack_pack_uint64 (&raw.pk, PROTO_CREDIT);
    msgpack_pack_array (&raw.pk, 0);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                          "CREDIT: the body is an array, not a map"));
    msgpack_sbuffer_init (&raw.sbuf);
    msgpack_packer_init (&raw.pk, &raw.sbuf, msgpack_sbuffer_write);
    msgpack_pack_array (&raw.pk, 4);
    s_raw_str (&raw, "BSW");
    msgpack_pack_uint64 (&raw.pk, PROTO_VERSION);
    s_raw_str (&raw, "CREDIT");
    msgpack_pack_map (&raw.pk, 0);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO, "the message type is a string"));
    //  Frame 0 that is a map, or nothing at all.
    msgpack_sbuffer_init (&raw.sbuf);
    msgpack_packer_init (&raw.pk, &raw.sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&raw.pk, 0);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO, "frame 0 is a map"));
    BSW_CHECK (s_rejects (zmsg_new (), 0, BSW_EPROTO, "empty message"));
    return BSW_TEST_PASS;
}

//  --------------------------------------------------------------------------
//  Frame 0 as bytes: truncation, trailing bytes, garbage, lying lengths

static int
s_test_reject_truncated (void)
{
    //  Every type, fully filled, cut at every length: all rejected.
    int cuts = 0;
    for (int type = 0; type < 64; type++) {
        if (!proto_schema (type))
            continue;
        proto_msg_t *msg = proto_msg_new ((proto_type_t) type);
        s_fill (msg, true);
        zmsg_t *whole = proto_msg_encode (msg);
        proto_msg_destroy (&msg);
        zframe_t *head = zmsg_first (whole);
        for (size_t length = 0; length < zframe_size (head); length++) {
            zmsg_t *zmsg = zmsg_new ();
            zmsg_addmem (zmsg, zframe_data (head), length);
            //  Keep the blob frames, so only frame 0 is at fault.
            for (zframe_t *f = zmsg_next (whole); f; f = zmsg_next (whole))
                zmsg_addmem (zmsg, zframe_data (f), zframe_size (f));
            zmsg_first (whole);
            if (!s_rejects (zmsg, 0, BSW_EPROTO, "")) {
                fprintf (stderr, "%s cut at %zu of %zu bytes\n", proto_type_name (type), length,
                         zframe_size (head));
                return BSW_TEST_FAIL;
            }
            cuts++;
        }
        zmsg_destroy (&whole);
    }
    BSW_CHECK (cuts > 1000);
    //  The sentence for a plain cut.
    proto_msg_t *msg = s_result (16);
    zmsg_t *whole = proto_msg_encode (msg);
    proto_msg_destroy (&msg);
    zmsg_t *zmsg = zmsg_new ();
    zmsg_addmem (zmsg, zframe_data (zmsg_first (whole)), zframe_size (zmsg_first (whole)) - 3);
    zmsg_addmem (zmsg, zframe_data (zmsg_next (whole)), 16);
    BSW_CHECK (s_rejects (zmsg, 0, BSW_EPROTO, "frame 0 is truncated"));
    zmsg_destroy (&whole);
    return BSW_TEST_PASS;
}

static int
s_test_reject_trailing (void)
{
    proto_msg_t *msg = proto_msg_new (PROTO_HEARTBEAT);
    zmsg_t *zmsg = proto_msg_encode (msg);
    proto_msg_destroy (&msg);
    zframe_t *head = zmsg_pop (zmsg);
    uint8_t bytes[64];
    size_t size = zframe_size (head);
    memcpy (bytes, zframe_data (head), size);
    memcpy (bytes + size, "\xc0\x01", 2);
    zframe_destroy (&head);
    zmsg_pushmem (zmsg, bytes, size + 2);
    BSW_CHECK (s_rejects (zmsg, 0, BSW_EPROTO, "frame 0 has 2 trailing bytes"));
    return BSW_TEST_PASS;
}

static int
s_test_reject_lying_lengths (void)
{
    //  Containers and strings that claim more than the frame holds: must
    //  be refused before anything of that size is allocated.
    const char *frames[] = {
        "\xdd\xff\xff\xff\xff", //  array32 of 2^32-1
        "\xdf\xff\xff\xff\xff", //  map32 of 2^32-1
        "\x94\xa3"
        "BSW\x01\x04\x81\xa6points\xdd\x7f\xff\xff\xff", //  WORK points
        "\x94\xa3"
        "BSW\x01\x01\x81\xa6worker\xdb\xff\xff\xff\xff", //  str32
        "\x94\xa3"
        "BSW\x01\x01\x81\xa6worker\xc6\xff\xff\xff\xff", //  bin32
        "\xc1",                                          //  never used
    };
    const size_t sizes[] = {5, 5, 20, 20, 20, 1};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        zmsg_t *zmsg = zmsg_new ();
        zmsg_addmem (zmsg, frames[i], sizes[i]);
        BSW_CHECK_MSG (s_rejects (zmsg, 0, BSW_EPROTO, "frame 0"), "case %zu", i);
    }
    //  Nesting deeper than msgpack-c's stack.
    uint8_t deep[200];
    memset (deep, 0x91, sizeof deep);
    deep[sizeof deep - 1] = 0x00;
    zmsg_t *zmsg = zmsg_new ();
    zmsg_addmem (zmsg, deep, sizeof deep);
    BSW_CHECK (s_rejects (zmsg, 0, BSW_EPROTO, "frame 0"));
    return BSW_TEST_PASS;
}

//  Decodes and, if accepted, checks that the message encodes again.
static int
s_survives (zmsg_t *zmsg)
{
    proto_msg_t *msg = NULL;
    bsw_error_t err;
    int rc = proto_msg_decode (&zmsg, false, 0, &msg, NULL, &err);
    if (rc == 0) {
        zmsg_t *again = proto_msg_encode (msg);
        proto_msg_destroy (&msg);
        rc = proto_msg_decode (&again, false, 0, &msg, NULL, &err);
        proto_msg_destroy (&msg);
        return rc == 0;
    }
    return rc < 0 && err.text[0] != '\0' && msg == NULL;
}

static int
s_test_reject_garbage (void)
{
    uint64_t seed = 0x5eed5eedull;
    uint8_t bytes[512];
    //  Pure noise, and noise behind a valid envelope prefix (so the body
    //  parser sees it too).
    static const uint8_t prefix[] = {0x94, 0xa3, 'B', 'S', 'W', PROTO_VERSION};
    for (int iteration = 0; iteration < 2000; iteration++) {
        size_t size = s_random (&seed) % sizeof bytes;
        for (size_t i = 0; i < size; i++)
            bytes[i] = (uint8_t) s_random (&seed);
        if (iteration % 2 && size > sizeof prefix + 1) {
            memcpy (bytes, prefix, sizeof prefix);
            bytes[sizeof prefix] = (uint8_t) (s_random (&seed) % 41);
        }
        zmsg_t *zmsg = zmsg_new ();
        zmsg_addmem (zmsg, bytes, size);
        BSW_CHECK_MSG (s_survives (zmsg), "iteration %d", iteration);
    }
    //  Valid messages with a few bytes changed: deeper into the decoder.
    int accepted = 0;
    for (int iteration = 0; iteration < 2000; iteration++) {
        int type = (int) (s_random (&seed) % 41);
        while (!proto_schema (type))
            type = (type + 1) % 41;
        proto_msg_t *msg = proto_msg_new ((proto_type_t) type);
        s_fill (msg, s_random (&seed) % 2);
        zmsg_t *zmsg = proto_msg_encode (msg);
        proto_msg_destroy (&msg);
        zframe_t *head = zmsg_first (zmsg);
        uint8_t *data = zframe_data (head);
        int flips = 1 + (int) (s_random (&seed) % 4);
        for (int k = 0; k < flips; k++)
            data[s_random (&seed) % zframe_size (head)] = (uint8_t) s_random (&seed);
        proto_msg_t *probe = NULL;
        bsw_error_t err;
        zmsg_t *copy = zmsg_dup (zmsg);
        if (proto_msg_decode (&copy, false, 0, &probe, NULL, &err) == 0)
            accepted++;
        proto_msg_destroy (&probe);
        BSW_CHECK_MSG (s_survives (zmsg), "mutation %d", iteration);
    }
    //  Some mutations only change a value; most must be caught.
    BSW_CHECK (accepted < 2000);
    return BSW_TEST_PASS;
}

//  --------------------------------------------------------------------------
//  Fields against the schema

static int
s_test_reject_fields (void)
{
    s_raw_t raw;
    //  Missing required field.
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_RESULT, 2);
    s_raw_uint (&raw, "sweep", 1);
    s_raw_str (&raw, "statuses");
    msgpack_pack_array (&raw.pk, 1);
    s_raw_str (&raw, "failed");
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                          "RESULT: missing required field 'points'"));
    //  Unknown field.
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_HELLO, 3);
    s_raw_str (&raw, "worker");
    s_raw_str (&raw, "w1");
    s_raw_uint (&raw, "threads", 4);
    s_raw_uint (&raw, "colour", 4);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO, "HELLO: unknown field 'colour'"));
    //  Duplicate field.
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_CREDIT, 2);
    s_raw_uint (&raw, "credit", 4);
    s_raw_uint (&raw, "credit", 5);
    BSW_CHECK (
        s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO, "CREDIT: duplicate field 'credit'"));
    //  Wrong kinds.
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_WORK, 2);
    s_raw_uint (&raw, "sweep", 1);
    s_raw_str (&raw, "points");
    s_raw_str (&raw, "1,2,3");
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                          "WORK: field 'points': expected an array of unsigned integers"));
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_WORK, 2);
    s_raw_uint (&raw, "sweep", 1);
    s_raw_str (&raw, "points");
    msgpack_pack_array (&raw.pk, 2);
    msgpack_pack_uint64 (&raw.pk, 1);
    msgpack_pack_int64 (&raw.pk, -1);
    BSW_CHECK (
        s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                   "expected an array of unsigned integers, element 1 is a negative integer"));
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_ACK, 2);
    s_raw_str (&raw, "sweep");
    msgpack_pack_double (&raw.pk, 1.0);
    s_raw_str (&raw, "points");
    msgpack_pack_array (&raw.pk, 1);
    msgpack_pack_uint64 (&raw.pk, 1);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                          "ACK: field 'sweep': expected an unsigned integer, got a float64"));
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_SWEEP_STATUS, 1);
    s_raw_str (&raw, "rate");
    msgpack_pack_float (&raw.pk, 1.5f);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                          "field 'rate': expected a float64 or an integer, got a float32"));
    //  Out of bounds.
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_CREDIT, 1);
    s_raw_uint (&raw, "credit", 0);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                          "CREDIT: field 'credit': 0 is out of range 1..65536"));
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_HELLO, 2);
    s_raw_str (&raw, "worker");
    s_raw_str (&raw, "w1");
    s_raw_uint (&raw, "threads", 4097);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO, "4097 is out of range 1..4096"));
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_WORK, 2);
    s_raw_uint (&raw, "sweep", 1);
    s_raw_str (&raw, "points");
    msgpack_pack_array (&raw.pk, 0);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                          "WORK: field 'points': array of 0 elements; expected at least 1"));
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_ERROR, 2);
    s_raw_uint (&raw, "code", 5);
    s_raw_str (&raw, "text");
    s_raw_str (&raw, "positive");
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                          "ERROR: field 'code': 5 is out of range -2147483648..-1"));
    //  Strings: too long, NUL inside, not one of the allowed words.
    char name[300];
    memset (name, 'w', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_HELLO, 2);
    s_raw_str (&raw, "worker");
    s_raw_str (&raw, name);
    s_raw_uint (&raw, "threads", 4);
    BSW_CHECK (
        s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                   "HELLO: field 'worker': string of 299 bytes exceeds the limit of 256 bytes"));
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_HELLO, 2);
    s_raw_str (&raw, "worker");
    msgpack_pack_str_with_body (&raw.pk, "w\0x", 3);
    s_raw_uint (&raw, "threads", 4);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO, "string contains a NUL byte"));
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_SUBMITTED, 3);
    s_raw_uint (&raw, "sweep", 1);
    s_raw_uint (&raw, "points", 1);
    s_raw_str (&raw, "uuid");
    s_raw_str (&raw, "not-a-uuid");
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                          "field 'uuid': string of 10 bytes is shorter than 36 bytes"));
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_RESULT, 3);
    s_raw_uint (&raw, "sweep", 1);
    s_raw_str (&raw, "points");
    msgpack_pack_array (&raw.pk, 1);
    msgpack_pack_uint64 (&raw.pk, 1);
    s_raw_str (&raw, "statuses");
    msgpack_pack_array (&raw.pk, 1);
    s_raw_str (&raw, "done");
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                          "RESULT: field 'statuses': element 0: 'done' is not one of ok|failed"));
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_POINTS, 1);
    s_raw_str (&raw, "statuses");
    msgpack_pack_array (&raw.pk, 2);
    s_raw_str (&raw, "ok");
    msgpack_pack_nil (&raw.pk);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                          "POINTS: field 'statuses': element 1: expected a string, got nil"));
    return BSW_TEST_PASS;
}

//  A failed RESULT whose metric_names are the given n strings.
static zmsg_t *
s_result_named (const char *const *names, size_t n)
{
    s_raw_t raw;
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_RESULT, 5);
    s_raw_uint (&raw, "sweep", 1);
    s_raw_str (&raw, "points");
    msgpack_pack_array (&raw.pk, 1);
    msgpack_pack_uint64 (&raw.pk, 1);
    s_raw_str (&raw, "statuses");
    msgpack_pack_array (&raw.pk, 1);
    s_raw_str (&raw, "failed");
    s_raw_str (&raw, "metric_names");
    msgpack_pack_array (&raw.pk, (uint32_t) n);
    for (size_t k = 0; k < n; k++)
        s_raw_str (&raw, names[k]);
    s_raw_str (&raw, "metric_values");
    msgpack_pack_array (&raw.pk, (uint32_t) n);
    for (size_t k = 0; k < n; k++)
        msgpack_pack_double (&raw.pk, 0.5);
    return s_raw_end (&raw, NULL);
}

//  Metric names become JSON keys, CSV columns and HDF5 attribute text in
//  the export: the decoder refuses what the export could not write, so a
//  hostile peer cannot overrun a buffer or spoil a sweep's export.
static int
s_test_reject_metric_names (void)
{
    char long_name[5001];
    memset (long_name, 'M', sizeof long_name - 1);
    long_name[5000] = '\0';
    const char *names[1] = {long_name};
    BSW_CHECK (s_rejects (s_result_named (names, 1), 0, BSW_EPROTO,
                          "RESULT: field 'metric_names': element 0: string of 5000 bytes exceeds "
                          "the limit of 63 bytes"));
    long_name[200] = '\0';
    BSW_CHECK (s_rejects (s_result_named (names, 1), 0, BSW_EPROTO,
                          "string of 200 bytes exceeds the limit of 63 bytes"));
    long_name[63] = '\0';
    zmsg_t *at_limit = s_result_named (names, 1);
    proto_msg_t *msg = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (proto_msg_decode (&at_limit, false, 0, &msg, NULL, &err), 0);
    BSW_CHECK_STR (proto_msg_strs_at (msg, "metric_names", 0), long_name);
    proto_msg_destroy (&msg);
    const char *quote[2] = {"GlobalVariance", "Sync\"hrony"};
    BSW_CHECK (s_rejects (s_result_named (quote, 2), 0, BSW_EPROTO,
                          "element 1: 'Sync\"hrony' is not a name"));
    const char *comma[1] = {"a,b"};
    BSW_CHECK (s_rejects (s_result_named (comma, 1), 0, BSW_EPROTO, "'a,b' is not a name"));
    const char *digit[1] = {"9lives"};
    BSW_CHECK (s_rejects (s_result_named (digit, 1), 0, BSW_EPROTO, "'9lives' is not a name"));
    const char *empty[1] = {""};
    BSW_CHECK (s_rejects (s_result_named (empty, 1), 0, BSW_EPROTO, "'' is not a name"));
    const char *twice[3] = {"GlobalVariance", "Synchrony", "GlobalVariance"};
    BSW_CHECK (s_rejects (s_result_named (twice, 3), 0, BSW_EPROTO,
                          "element 2: 'GlobalVariance' is listed twice"));
    const char *nine[9] = {"m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"};
    BSW_CHECK (s_rejects (s_result_named (nine, 9), 0, BSW_EPROTO,
                          "RESULT: field 'metric_names': array of 9 elements exceeds the limit "
                          "of 8"));
    zmsg_t *eight = s_result_named (nine, 8);
    BSW_CHECK_INT (proto_msg_decode (&eight, false, 0, &msg, NULL, &err), 0);
    BSW_CHECK_INT (proto_msg_strs_count (msg, "metric_names"), 8);
    proto_msg_destroy (&msg);
    return BSW_TEST_PASS;
}

//  Relations between fields that one row of the table cannot express.
static int
s_test_reject_relations (void)
{
    proto_msg_t *msg = s_result (8);
    const double two[] = {1.0, 2.0};
    proto_msg_set_f64s (msg, "metric_values", two, 2);
    BSW_CHECK (s_rejects (proto_msg_encode (msg), 0, BSW_EPROTO,
                          "RESULT: 'metric_values' has 2 elements but 'points' x 'metric_names' "
                          "is 2 x 4"));
    proto_msg_destroy (&msg);
    //  Arrays in parallel with the points.
    msg = s_result (8);
    const char *one_status[] = {"ok"};
    proto_msg_set_strs (msg, "statuses", one_status, 1);
    BSW_CHECK (s_rejects (proto_msg_encode (msg), 0, BSW_EPROTO,
                          "RESULT: 'statuses' has 1 elements but 'points' has 2"));
    proto_msg_destroy (&msg);
    //  A point repeated in one batch.
    msg = s_result (8);
    const uint64_t twice[] = {5, 5};
    proto_msg_set_uints (msg, "points", twice, 2);
    BSW_CHECK (
        s_rejects (proto_msg_encode (msg), 0, BSW_EPROTO, "RESULT: point 5 comes more than once"));
    proto_msg_destroy (&msg);
    //  Series sizes add up to the blob, and only ok points have one.
    msg = s_result (8);
    const uint64_t short_sizes[] = {7, 0}, long_sizes[] = {8, 1}, failed_sizes[] = {4, 4};
    proto_msg_set_uints (msg, "series_sizes", short_sizes, 2);
    BSW_CHECK (s_rejects (proto_msg_encode (msg), 0, BSW_EPROTO,
                          "RESULT: 'series_sizes' add up to 7 bytes but 'series' has 8"));
    proto_msg_set_uints (msg, "series_sizes", long_sizes, 2);
    BSW_CHECK (s_rejects (proto_msg_encode (msg), 0, BSW_EPROTO,
                          "'series_sizes' add up to more than the 8 bytes of 'series'"));
    proto_msg_set_uints (msg, "series_sizes", failed_sizes, 2);
    BSW_CHECK (s_rejects (proto_msg_encode (msg), 0, BSW_EPROTO,
                          "RESULT: point 1 failed but has a series of 4 bytes"));
    proto_msg_destroy (&msg);
    //  A series with no sizes (or sizes with no series).
    msg = proto_msg_new (PROTO_RESULT);
    proto_msg_set_uint (msg, "sweep", 1);
    const uint64_t point[] = {1};
    const char *ok[] = {"ok"};
    proto_msg_set_uints (msg, "points", point, 1);
    proto_msg_set_strs (msg, "statuses", ok, 1);
    proto_msg_set_uints (msg, "series_sizes", point, 1);
    BSW_CHECK (s_rejects (proto_msg_encode (msg), 0, BSW_EPROTO,
                          "RESULT: 'series' and 'series_sizes' come together or not at all"));
    proto_msg_destroy (&msg);
    //  Metrics only: an ok point with no series at all is a RESULT.
    msg = proto_msg_new (PROTO_RESULT);
    proto_msg_set_uint (msg, "sweep", 1);
    proto_msg_set_uints (msg, "points", point, 1);
    proto_msg_set_strs (msg, "statuses", ok, 1);
    proto_msg_t *copy = s_roundtrip (msg);
    BSW_CHECK (copy);
    proto_msg_destroy (&copy);
    proto_msg_destroy (&msg);

    msg = proto_msg_new (PROTO_BYE);
    const uint64_t one[] = {1}, three[] = {1, 2, 3};
    proto_msg_set_uints (msg, "sweeps", one, 1);
    proto_msg_set_uints (msg, "points", three, 3);
    BSW_CHECK (s_rejects (proto_msg_encode (msg), 0, BSW_EPROTO,
                          "BYE: 'points' has 3 elements but 'sweeps' has 1"));
    proto_msg_destroy (&msg);

    msg = proto_msg_new (PROTO_SWEEPS);
    s_fill (msg, true);
    proto_msg_set_uints (msg, "done", one, 1);
    BSW_CHECK (s_rejects (proto_msg_encode (msg), 0, BSW_EPROTO,
                          "SWEEPS: 'done' has 1 elements but 'ids' has 3"));
    proto_msg_destroy (&msg);

    msg = proto_msg_new (PROTO_BROKER_STATS);
    s_fill (msg, true);
    proto_msg_set_uints (msg, "error_counts", one, 1);
    BSW_CHECK (s_rejects (proto_msg_encode (msg), 0, BSW_EPROTO,
                          "BROKER_STATS: 'error_counts' has 1 elements but 'error_codes' has 3"));
    proto_msg_destroy (&msg);

    msg = proto_msg_new (PROTO_POINTS);
    s_fill (msg, true);
    proto_msg_set_f64s (msg, "values", two, 2);
    BSW_CHECK (
        s_rejects (proto_msg_encode (msg), 0, BSW_EPROTO,
                   "POINTS: 'values' has 2 elements but 'points' x 'metric_names' is 3 x 3"));
    proto_msg_destroy (&msg);
    return BSW_TEST_PASS;
}

//  An ints field holds integers, each within the field's range: error
//  codes are negative.
static int
s_test_reject_ints (void)
{
    proto_msg_t *msg = proto_msg_new (PROTO_BROKER_STATS);
    s_fill (msg, true);
    const int64_t codes[] = {-8, 0};
    proto_msg_set_ints (msg, "error_codes", codes, 2);
    const uint64_t counts[] = {3, 1};
    proto_msg_set_uints (msg, "error_counts", counts, 2);
    BSW_CHECK (s_rejects (proto_msg_encode (msg), 0, BSW_EPROTO,
                          "BROKER_STATS: field 'error_codes': element 1: 0 is out of range "
                          "-2147483648..-1"));
    const int64_t too_low[] = {(int64_t) INT32_MIN - 1, -8};
    proto_msg_set_ints (msg, "error_codes", too_low, 2);
    BSW_CHECK (s_rejects (proto_msg_encode (msg), 0, BSW_EPROTO, "element 0: -2147483649"));
    proto_msg_destroy (&msg);

    //  A float among the integers.
    s_raw_t raw;
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_STATS, 0);
    zmsg_t *wire = s_raw_end (&raw, NULL);
    proto_msg_t *stats = NULL;
    bsw_error_t err;
    BSW_CHECK (proto_msg_decode (&wire, false, 0, &stats, NULL, &err) == 0);
    proto_msg_destroy (&stats);
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_BROKER_STATS, 1);
    s_raw_str (&raw, "error_codes");
    msgpack_pack_array (&raw.pk, 2);
    msgpack_pack_int64 (&raw.pk, -8);
    msgpack_pack_double (&raw.pk, -1.0);
    BSW_CHECK (s_rejects (s_raw_end (&raw, NULL), 0, BSW_EPROTO,
                          "BROKER_STATS: field 'error_codes': expected an array of integers, "
                          "element 1 is"));
    return BSW_TEST_PASS;
}

//  --------------------------------------------------------------------------
//  Blob frames and size limits

static int
s_test_reject_blobs (void)
{
    s_raw_t raw;
    //  The frame is one byte short of what dtype and shape say.
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_SUBMIT, 2);
    s_raw_str (&raw, "spec");
    s_raw_str (&raw, "{}");
    s_raw_blob (&raw, "connectivity", 1, "u1", 10);
    BSW_CHECK (s_rejects (s_raw_end (&raw, (size_t[]){9, 0}), 0, BSW_EPROTO,
                          "SUBMIT: field 'connectivity': dtype and shape make 10 bytes but blob "
                          "frame 1 has 9"));
    //  A dtype the field does not allow, one nobody speaks, a bad shape.
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_SUBMIT, 2);
    s_raw_str (&raw, "spec");
    s_raw_str (&raw, "{}");
    s_raw_blob (&raw, "connectivity", 1, "f8", 2);
    BSW_CHECK (s_rejects (s_raw_end (&raw, (size_t[]){16, 0}), 0, BSW_EPROTO,
                          "dtype f8 is not allowed (expected u1)"));
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_SUBMIT, 2);
    s_raw_str (&raw, "spec");
    s_raw_str (&raw, "{}");
    s_raw_blob (&raw, "connectivity", 1, "i4", 2);
    BSW_CHECK (
        s_rejects (s_raw_end (&raw, (size_t[]){8, 0}), 0, BSW_EPROTO, "dtype i4 is not allowed"));
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_CHUNK, 5);
    s_raw_uint (&raw, "sweep", 1);
    s_raw_uint (&raw, "export", 1);
    s_raw_uint (&raw, "offset", 0);
    s_raw_str (&raw, "last");
    msgpack_pack_true (&raw.pk);
    s_raw_str (&raw, "data");
    msgpack_pack_map (&raw.pk, 3);
    s_raw_uint (&raw, "frame", 1);
    s_raw_str (&raw, "dtype");
    s_raw_str (&raw, "u1");
    s_raw_str (&raw, "shape");
    msgpack_pack_array (&raw.pk, 0);
    BSW_CHECK (
        s_rejects (s_raw_end (&raw, (size_t[]){4, 0}), 0, BSW_EPROTO,
                   "CHUNK: field 'data': shape must be an array of 1 to 8 unsigned integers"));
    //  A reference to a frame that is not there.
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_SUBMIT, 2);
    s_raw_str (&raw, "spec");
    s_raw_str (&raw, "{}");
    s_raw_blob (&raw, "connectivity", 2, "u1", 4);
    BSW_CHECK (s_rejects (s_raw_end (&raw, (size_t[]){4, 0}), 0, BSW_EPROTO,
                          "blob frame 2 does not exist (the message has 1 blob frames)"));
    //  A descriptor with an extra key, or without one.
    s_raw_begin (&raw, "BSW", PROTO_VERSION, PROTO_SUBMIT, 2);
    s_raw_str (&raw, "spec");
    s_raw_str (&raw, "{}");
    s_raw_str (&raw, "connectivity");
    msgpack_pack_map (&raw.pk, 2);
    s_raw_uint (&raw, "frame", 1);
    s_raw_uint (&raw, "bytes", 4);
    BSW_CHECK (s_rejects (s_raw_end (&raw, (size_t[]){4, 0}), 0, BSW_EPROTO,
                          "unknown blob descriptor key 'bytes'"));
    //  A blob frame that no field mentions.
    proto_msg_t *msg = proto_msg_new (PROTO_HEARTBEAT);
    zmsg_t *zmsg = proto_msg_encode (msg);
    proto_msg_destroy (&msg);
    zmsg_addstr (zmsg, "stowaway");
    BSW_CHECK (
        s_rejects (zmsg, 0, BSW_EPROTO, "HEARTBEAT: blob frame 1 is not referenced by any field"));
    //  Larger than the receiver's limit; too many frames; frame 0 too big.
    msg = s_result (101);
    BSW_CHECK (s_rejects (proto_msg_encode (msg), 100, BSW_ETOOBIG,
                          "blob frame 1 of 101 bytes exceeds the limit of 100 bytes"));
    proto_msg_destroy (&msg);
    zmsg = zmsg_new ();
    for (int i = 0; i <= PROTO_MAX_FRAMES + 1; i++)
        zmsg_addstr (zmsg, "x");
    BSW_CHECK (s_rejects (zmsg, 0, BSW_ETOOBIG, "9 blob frames exceed the limit of 8"));
    zmsg = zmsg_new ();
    zframe_t *big = zframe_new (NULL, PROTO_MAX_HEADER_BYTES + 1);
    memset (zframe_data (big), 0, zframe_size (big));
    zmsg_append (zmsg, &big);
    BSW_CHECK (s_rejects (zmsg, 0, BSW_ETOOBIG,
                          "frame 0 of 4194305 bytes exceeds the limit of 4194304 bytes"));
    return BSW_TEST_PASS;
}

//  --------------------------------------------------------------------------
//  PROTOCOL.md's field tables are the ones the schema table prints

static int
s_test_protocol_md (void)
{
    const char *source = getenv ("BSW_SOURCE_DIR");
    char path[4096];
    if (source && *source)
        snprintf (path, sizeof path, "%s/proto/PROTOCOL.md", source);
    else
        snprintf (path, sizeof path, "%s", __FILE__);
    if (!source || !*source) {
        char *slash = strrchr (path, '/');
        BSW_CHECK (slash);
        snprintf (slash + 1, sizeof path - (size_t) (slash + 1 - path), "PROTOCOL.md");
    }
    FILE *file = fopen (path, "rb");
    BSW_CHECK_MSG (file, "cannot open %s", path);
    char *spec = NULL;
    size_t spec_size = 0;
    FILE *spec_stream = open_memstream (&spec, &spec_size);
    char buffer[4096];
    size_t n;
    while ((n = fread (buffer, 1, sizeof buffer, file)) > 0)
        fwrite (buffer, 1, n, spec_stream);
    fclose (file);
    fclose (spec_stream);

    int missing = 0;
    for (int type = 0; type < 64; type++) {
        char *table = NULL;
        size_t table_size = 0;
        FILE *out = open_memstream (&table, &table_size);
        int rc = proto_schema_print_markdown (out, type);
        fclose (out);
        if (rc == 0 && !strstr (spec, table)) {
            fprintf (stderr, "PROTOCOL.md lacks this table (paste it in):\n%s\n", table);
            missing++;
        }
        free (table);
    }
    free (spec);
    BSW_CHECK_INT (missing, 0);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"roundtrip_all", s_test_roundtrip_all},
                                          {"blob_10mb", s_test_blob_10mb},
                                          {"conversions", s_test_conversions},
                                          {"results_plot", s_test_results_plot},
                                          {"routing_id", s_test_routing_id},
                                          {"router_dealer", s_test_router_dealer},
                                          {"reject_envelope", s_test_reject_envelope},
                                          {"reject_truncated", s_test_reject_truncated},
                                          {"reject_trailing", s_test_reject_trailing},
                                          {"reject_lying_lengths", s_test_reject_lying_lengths},
                                          {"reject_garbage", s_test_reject_garbage},
                                          {"reject_fields", s_test_reject_fields},
                                          {"reject_metric_names", s_test_reject_metric_names},
                                          {"reject_relations", s_test_reject_relations},
                                          {"reject_ints", s_test_reject_ints},
                                          {"reject_blobs", s_test_reject_blobs},
                                          {"protocol_md", s_test_protocol_md},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
