/*  fuzz_proto.c - fuzz target: the wire decoder (proto_msg_decode), fed
    whole multipart messages.

    Input layout (the seeds in fuzz/corpus/proto/ follow it; fuzz_seeds
    writes them):
        byte 0      flags: bit 0 = the first frame is a ROUTER routing id;
                    bits 1-2 choose max_blob: 0 (the default limit), 1, 64
                    or 4096 bytes, so the blob size limit is reached too
        then frames, each a 4-byte little-endian length and that many
                    bytes; a length past the end of the input takes what is
                    left, and 1 to 3 bytes left over make no frame
    So the number of frames, frame 0's msgpack and each blob frame's size
    are all the fuzzer's to choose.

    A message that decodes must then read back through every getter its
    schema allows, encode, and decode again to the same bytes: anything
    the decoder accepts is something the broker will hold and send on.
*/
#include "fuzz.h"

#include "bsw_assert.h"
#include "proto.h"
#include "proto_schema.h"

#include <stdio.h>
#include <string.h>

//  Reads every field the message has with the getter of its kind, and
//  touches every byte the getters point at (ASan checks the bounds).
static void
s_read_fields (const proto_msg_t *msg)
{
    const proto_schema_t *schema = proto_schema (proto_msg_type (msg));
    BSW_ASSERT (schema);
    volatile uint64_t sink = 0;
    for (size_t i = 0; i < schema->count; i++) {
        const proto_field_t *f = &schema->fields[i];
        if (!proto_msg_has (msg, f->name))
            continue;
        size_t count = 0;
        switch (f->kind) {
        case PROTO_KIND_UINT:
            sink += proto_msg_uint (msg, f->name);
            break;
        case PROTO_KIND_INT:
            sink += (uint64_t) proto_msg_int (msg, f->name);
            break;
        case PROTO_KIND_F64:
            sink += (uint64_t) (proto_msg_f64 (msg, f->name) != 0.0);
            break;
        case PROTO_KIND_BOOL:
            sink += proto_msg_bool (msg, f->name);
            break;
        case PROTO_KIND_STR:
        case PROTO_KIND_TEXT:
            sink += strlen (proto_msg_str (msg, f->name));
            break;
        case PROTO_KIND_UINTS: {
            const uint64_t *values = proto_msg_uints (msg, f->name, &count);
            for (size_t k = 0; k < count; k++)
                sink += values[k];
            break;
        }
        case PROTO_KIND_INTS: {
            const int64_t *values = proto_msg_ints (msg, f->name, &count);
            for (size_t k = 0; k < count; k++)
                sink += (uint64_t) values[k];
            break;
        }
        case PROTO_KIND_F64S: {
            const double *values = proto_msg_f64s (msg, f->name, &count);
            for (size_t k = 0; k < count; k++)
                sink += (uint64_t) (values[k] != 0.0);
            break;
        }
        case PROTO_KIND_STRS:
            count = proto_msg_strs_count (msg, f->name);
            for (size_t k = 0; k < count; k++)
                sink += strlen (proto_msg_strs_at (msg, f->name, k));
            break;
        case PROTO_KIND_BLOB: {
            size_t size = 0, rank = 0;
            const char *dtype = NULL;
            const uint64_t *shape = NULL;
            const uint8_t *bytes = proto_msg_blob (msg, f->name, &size, &dtype, &shape, &rank);
            sink += strlen (dtype);
            for (size_t k = 0; k < rank; k++)
                sink += shape[k];
            if (size)
                sink += (uint64_t) bytes[0] + bytes[size - 1];
            break;
        }
        }
    }
    (void) sink;
}

//  Whether two messages have the same frames, byte for byte.
static bool
s_same_frames (zmsg_t *a, zmsg_t *b)
{
    if (zmsg_size (a) != zmsg_size (b))
        return false;
    for (zframe_t *fa = zmsg_first (a), *fb = zmsg_first (b); fa && fb;
         fa = zmsg_next (a), fb = zmsg_next (b))
        if (!zframe_eq (fa, fb))
            return false;
    return true;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static const uint64_t limits[4] = {0, 1, 64, 4096};
    if (size == 0)
        return 0;
    bool with_routing_id = data[0] & 1;
    uint64_t max_blob = limits[(data[0] >> 1) & 3];
    zmsg_t *zmsg = zmsg_new ();
    size_t at = 1;
    while (size - at >= 4) {
        size_t length = (size_t) fuzz_take_le (data, size, &at, 4);
        if (length > size - at)
            length = size - at;
        zmsg_addmem (zmsg, data + at, length);
        at += length;
    }
    proto_msg_t *msg = NULL;
    zframe_t *routing_id = NULL;
    bsw_error_t err;
    int rc = proto_msg_decode (&zmsg, with_routing_id, max_blob, &msg, &routing_id, &err);
    BSW_ASSERT (!zmsg);
    //  A rejection names its cause, and the peer can still be answered.
    BSW_ASSERT ((rc == 0) == (msg != NULL));
    BSW_ASSERT (rc == 0 || err.text[0] != '\0');
    fuzz_note ("fuzz_proto", rc, &err);
    zframe_destroy (&routing_id);
    if (rc)
        return 0;

    s_read_fields (msg);
    zmsg_t *first = proto_msg_encode (msg);
    zmsg_t *again = zmsg_dup (first);
    proto_msg_t *copy = NULL;
    rc = proto_msg_decode (&again, with_routing_id, max_blob, &copy, NULL, &err);
    if (rc) {
        fprintf (stderr, "fuzz_proto: a decoded %s does not decode once encoded: %s\n",
                 proto_type_name (proto_msg_type (msg)), err.text);
        BSW_ASSERT (rc == 0);
    }
    zmsg_t *second = proto_msg_encode (copy);
    BSW_ASSERT (s_same_frames (first, second));
    zmsg_destroy (&first);
    zmsg_destroy (&second);
    proto_msg_destroy (&copy);
    proto_msg_destroy (&msg);
    return 0;
}
