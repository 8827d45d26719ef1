/*  proto.c - brainsweep's wire messages: the message object, its setters
    and getters, and the encoder. Decoding is in proto_decode.c, the
    schemas in proto_schema.c, the shared struct in proto_private.h.

    Setters and getters find a field's slot by name (a linear search over
    at most 16 fields) and check its kind; a mismatch is a bug in the
    caller and aborts (PROTO_ENSURE). Values are never checked against the
    schema's bounds here: the peer's decoder does that and answers with an
    ERROR, so a sender with odd input (an over-long worker name) gets a
    sentence rather than a crash.

    Blob bytes are returned as they arrived; an "f8" blob is little-endian
    and may be unaligned (zmq keeps small frames inline), so read it with
    memcpy.
*/
#include "proto_private.h"

#include "bsw_util.h"

#include <inttypes.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "blob dtype f8 is sent as host doubles: byte-swap f8 blobs before porting"
#endif

void
proto_misuse (const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    fprintf (stderr, "%s:%d: proto API misuse: ", file, line);
    vfprintf (stderr, fmt, ap);
    fprintf (stderr, "\n");
    va_end (ap);
    abort ();
}

const char *
proto_type_name (int type)
{
    const proto_schema_t *schema = proto_schema (type);
    return schema ? schema->name : "UNKNOWN";
}

//  --------------------------------------------------------------------------
//  Lifecycle

proto_msg_t *
proto_msg_new_blank (void)
{
    proto_msg_t *self = bsw_calloc (1, sizeof *self);
    self->tag = PROTO_MSG_TAG;
    return self;
}

void
proto_msg_bind_schema (proto_msg_t *self, proto_type_t type, const proto_schema_t *schema)
{
    self->type = type;
    self->schema = schema;
    self->values = bsw_calloc (schema->count ? schema->count : 1, sizeof (proto_value_t));
    for (size_t i = 0; i < schema->count; i++)
        self->values[i].frame = -1;
}

proto_msg_t *
proto_msg_new (proto_type_t type)
{
    const proto_schema_t *schema = proto_schema (type);
    PROTO_ENSURE (schema, "proto_msg_new: unknown message type %d", (int) type);
    proto_msg_t *self = proto_msg_new_blank ();
    proto_msg_bind_schema (self, type, schema);
    return self;
}

static void
s_value_clear (proto_value_t *v, proto_kind_t kind)
{
    free (v->str);
    if (kind == PROTO_KIND_STRS && v->array) {
        char **strs = v->array;
        for (size_t i = 0; i < v->count; i++)
            free (strs[i]);
    }
    free (v->array);
    free (v->blob);
    memset (v, 0, sizeof *v);
    v->frame = -1;
}

void
proto_msg_destroy (proto_msg_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    proto_msg_t *self = *self_p;
    PROTO_ENSURE (self->tag == PROTO_MSG_TAG, "proto_msg_destroy: not a live message");
    if (self->schema)
        for (size_t i = 0; i < self->schema->count; i++)
            s_value_clear (&self->values[i], self->schema->fields[i].kind);
    free (self->values);
    for (size_t i = 0; i < self->frame_count; i++)
        zframe_destroy (&self->frames[i]);
    zframe_destroy (&self->routing_id);
    self->tag = 0xdeadbeef;
    free (self);
    *self_p = NULL;
}

proto_type_t
proto_msg_type (const proto_msg_t *self)
{
    PROTO_ENSURE (self && self->tag == PROTO_MSG_TAG, "proto_msg_type: not a live message");
    return self->type;
}

zframe_t *
proto_msg_routing_id (const proto_msg_t *self)
{
    PROTO_ENSURE (self && self->tag == PROTO_MSG_TAG, "proto_msg_routing_id: not a live message");
    return self->routing_id;
}

void
proto_msg_set_routing_id (proto_msg_t *self, const zframe_t *routing_id)
{
    PROTO_ENSURE (self && self->tag == PROTO_MSG_TAG,
                  "proto_msg_set_routing_id: not a live message");
    zframe_destroy (&self->routing_id);
    //  zframe_dup only reads its argument; CZMQ just doesn't say const.
    if (routing_id)
        self->routing_id = zframe_dup ((zframe_t *) routing_id);
}

//  --------------------------------------------------------------------------
//  Setters and getters: both find the slot by name and check the kind

static int
s_field (const proto_msg_t *self, const char *field, proto_kind_t kind, const char *caller)
{
    PROTO_ENSURE (self && self->tag == PROTO_MSG_TAG, "%s: not a live message", caller);
    PROTO_ENSURE (field, "%s: NULL field name", caller);
    int index = proto_schema_field_index (self->schema, field, strlen (field));
    PROTO_ENSURE (index >= 0, "%s: %s has no field '%s'", caller, self->schema->name, field);
    proto_kind_t actual = self->schema->fields[index].kind;
    bool text_as_str = kind == PROTO_KIND_STR && actual == PROTO_KIND_TEXT;
    PROTO_ENSURE (actual == kind || text_as_str, "%s: %s field '%s' is of kind %s", caller,
                  self->schema->name, field, proto_kind_name (actual));
    return index;
}

//  The slot to fill, emptied of any previous value.
static proto_value_t *
s_slot_for_set (proto_msg_t *self, const char *field, proto_kind_t kind, const char *caller)
{
    int index = s_field (self, field, kind, caller);
    proto_value_t *v = &self->values[index];
    s_value_clear (v, self->schema->fields[index].kind);
    v->present = true;
    return v;
}

static const proto_value_t *
s_slot_for_get (const proto_msg_t *self, const char *field, proto_kind_t kind, const char *caller)
{
    const proto_value_t *v = &self->values[s_field (self, field, kind, caller)];
    return v->present ? v : NULL;
}

void
proto_msg_set_uint (proto_msg_t *self, const char *field, uint64_t value)
{
    s_slot_for_set (self, field, PROTO_KIND_UINT, __func__)->num.u = value;
}

void
proto_msg_set_int (proto_msg_t *self, const char *field, int64_t value)
{
    s_slot_for_set (self, field, PROTO_KIND_INT, __func__)->num.i = value;
}

void
proto_msg_set_f64 (proto_msg_t *self, const char *field, double value)
{
    s_slot_for_set (self, field, PROTO_KIND_F64, __func__)->num.f = value;
}

void
proto_msg_set_bool (proto_msg_t *self, const char *field, bool value)
{
    s_slot_for_set (self, field, PROTO_KIND_BOOL, __func__)->num.b = value;
}

void
proto_msg_set_str (proto_msg_t *self, const char *field, const char *value)
{
    PROTO_ENSURE (value, "%s: NULL value for '%s'", __func__, field);
    s_slot_for_set (self, field, PROTO_KIND_STR, __func__)->str = bsw_strdup (value);
}

void
proto_msg_set_uints (proto_msg_t *self, const char *field, const uint64_t *values, size_t count)
{
    PROTO_ENSURE (values || count == 0, "%s: NULL values for '%s'", __func__, field);
    proto_value_t *v = s_slot_for_set (self, field, PROTO_KIND_UINTS, __func__);
    v->array = bsw_malloc (count * sizeof (uint64_t));
    if (count)
        memcpy (v->array, values, count * sizeof (uint64_t));
    v->count = count;
}

void
proto_msg_set_ints (proto_msg_t *self, const char *field, const int64_t *values, size_t count)
{
    PROTO_ENSURE (values || count == 0, "%s: NULL values for '%s'", __func__, field);
    proto_value_t *v = s_slot_for_set (self, field, PROTO_KIND_INTS, __func__);
    v->array = bsw_malloc (count * sizeof (int64_t));
    if (count)
        memcpy (v->array, values, count * sizeof (int64_t));
    v->count = count;
}

void
proto_msg_set_f64s (proto_msg_t *self, const char *field, const double *values, size_t count)
{
    PROTO_ENSURE (values || count == 0, "%s: NULL values for '%s'", __func__, field);
    proto_value_t *v = s_slot_for_set (self, field, PROTO_KIND_F64S, __func__);
    v->array = bsw_malloc (count * sizeof (double));
    if (count)
        memcpy (v->array, values, count * sizeof (double));
    v->count = count;
}

void
proto_msg_set_strs (proto_msg_t *self, const char *field, const char *const *values, size_t count)
{
    PROTO_ENSURE (values || count == 0, "%s: NULL values for '%s'", __func__, field);
    proto_value_t *v = s_slot_for_set (self, field, PROTO_KIND_STRS, __func__);
    char **strs = bsw_calloc (count ? count : 1, sizeof (char *));
    v->array = strs;
    for (size_t i = 0; i < count; i++) {
        PROTO_ENSURE (values[i], "%s: NULL string %zu for '%s'", __func__, i, field);
        strs[i] = bsw_strdup (values[i]);
        v->count = i + 1;
    }
}

//  Item size of a dtype, or 0 when brainsweep does not speak it.
size_t
proto_dtype_itemsize (const char *dtype, size_t length)
{
    if (length == 2 && memcmp (dtype, "u1", 2) == 0)
        return 1;
    if (length == 2 && memcmp (dtype, "f8", 2) == 0)
        return 8;
    return 0;
}

void
proto_msg_set_blob (proto_msg_t *self, const char *field, const char *dtype, const uint64_t *shape,
                    size_t rank, void **data_p, size_t size)
{
    int index = s_field (self, field, PROTO_KIND_BLOB, __func__);
    const proto_field_t *f = &self->schema->fields[index];
    PROTO_ENSURE (dtype && proto_schema_oneof (f->oneof, dtype, strlen (dtype)),
                  "%s: dtype '%s' is not allowed for '%s' (%s)", __func__, dtype ? dtype : "(null)",
                  field, f->oneof);
    PROTO_ENSURE (shape && rank >= 1 && rank <= PROTO_MAX_RANK,
                  "%s: '%s' needs a shape of rank 1..%d", __func__, field, PROTO_MAX_RANK);
    PROTO_ENSURE (data_p && (*data_p || size == 0), "%s: no data for '%s'", __func__, field);
    uint64_t bytes = proto_dtype_itemsize (dtype, strlen (dtype));
    for (size_t i = 0; i < rank; i++)
        bytes *= shape[i];
    PROTO_ENSURE (bytes == size, "%s: shape and dtype of '%s' make %" PRIu64 " bytes, data has %zu",
                  __func__, field, bytes, size);
    proto_value_t *v = s_slot_for_set (self, field, PROTO_KIND_BLOB, __func__);
    v->blob = *data_p;
    *data_p = NULL;
    v->blob_size = size;
    memcpy (v->dtype, dtype, 3);
    memcpy (v->shape, shape, rank * sizeof (uint64_t));
    v->rank = rank;
}

//  The bytes of a blob slot, whether it came from a setter or the wire.
static const void *
s_blob_data (const proto_msg_t *self, const proto_value_t *v)
{
    return v->frame >= 0 ? zframe_data (self->frames[v->frame]) : v->blob;
}

bool
proto_msg_has (const proto_msg_t *self, const char *field)
{
    PROTO_ENSURE (self && self->tag == PROTO_MSG_TAG && field, "%s: bad arguments", __func__);
    //  A field the type does not have is simply absent: generic code (an
    //  error reply echoing "req") may ask any message.
    int index = proto_schema_field_index (self->schema, field, strlen (field));
    return index >= 0 && self->values[index].present;
}

uint64_t
proto_msg_uint (const proto_msg_t *self, const char *field)
{
    const proto_value_t *v = s_slot_for_get (self, field, PROTO_KIND_UINT, __func__);
    return v ? v->num.u : 0;
}

int64_t
proto_msg_int (const proto_msg_t *self, const char *field)
{
    const proto_value_t *v = s_slot_for_get (self, field, PROTO_KIND_INT, __func__);
    return v ? v->num.i : 0;
}

double
proto_msg_f64 (const proto_msg_t *self, const char *field)
{
    const proto_value_t *v = s_slot_for_get (self, field, PROTO_KIND_F64, __func__);
    return v ? v->num.f : 0.0;
}

bool
proto_msg_bool (const proto_msg_t *self, const char *field)
{
    const proto_value_t *v = s_slot_for_get (self, field, PROTO_KIND_BOOL, __func__);
    return v ? v->num.b : false;
}

const char *
proto_msg_str (const proto_msg_t *self, const char *field)
{
    const proto_value_t *v = s_slot_for_get (self, field, PROTO_KIND_STR, __func__);
    return v ? v->str : NULL;
}

const uint64_t *
proto_msg_uints (const proto_msg_t *self, const char *field, size_t *count)
{
    const proto_value_t *v = s_slot_for_get (self, field, PROTO_KIND_UINTS, __func__);
    if (count)
        *count = v ? v->count : 0;
    return v ? v->array : NULL;
}

const int64_t *
proto_msg_ints (const proto_msg_t *self, const char *field, size_t *count)
{
    const proto_value_t *v = s_slot_for_get (self, field, PROTO_KIND_INTS, __func__);
    if (count)
        *count = v ? v->count : 0;
    return v ? v->array : NULL;
}

const double *
proto_msg_f64s (const proto_msg_t *self, const char *field, size_t *count)
{
    const proto_value_t *v = s_slot_for_get (self, field, PROTO_KIND_F64S, __func__);
    if (count)
        *count = v ? v->count : 0;
    return v ? v->array : NULL;
}

const char *
proto_msg_strs_at (const proto_msg_t *self, const char *field, size_t index)
{
    const proto_value_t *v = s_slot_for_get (self, field, PROTO_KIND_STRS, __func__);
    return v && index < v->count ? ((char *const *) v->array)[index] : NULL;
}

size_t
proto_msg_strs_count (const proto_msg_t *self, const char *field)
{
    const proto_value_t *v = s_slot_for_get (self, field, PROTO_KIND_STRS, __func__);
    return v ? v->count : 0;
}

const void *
proto_msg_blob (const proto_msg_t *self, const char *field, size_t *size, const char **dtype,
                const uint64_t **shape, size_t *rank)
{
    const proto_value_t *v = s_slot_for_get (self, field, PROTO_KIND_BLOB, __func__);
    if (size)
        *size = v ? v->blob_size : 0;
    if (dtype)
        *dtype = v ? v->dtype : NULL;
    if (shape)
        *shape = v ? v->shape : NULL;
    if (rank)
        *rank = v ? v->rank : 0;
    return v ? s_blob_data (self, v) : NULL;
}

//  --------------------------------------------------------------------------
//  Encoding

//  Out of memory while packing is the only way msgpack_sbuffer_write can
//  fail; treat it like bsw_malloc does, so the pack calls need no checks.
static int
s_sbuffer_write (void *data, const char *buf, size_t len)
{
    if (msgpack_sbuffer_write (data, buf, len) != 0) {
        fprintf (stderr, "brainsweep: out of memory encoding a message\n");
        abort ();
    }
    return 0;
}

static void
s_pack_str (msgpack_packer *pk, const char *s, size_t length)
{
    msgpack_pack_str (pk, length);
    msgpack_pack_str_body (pk, s, length);
}

static void
s_pack_value (msgpack_packer *pk, const proto_field_t *f, const proto_value_t *v, int frame_number)
{
    switch (f->kind) {
    case PROTO_KIND_UINT:
        msgpack_pack_uint64 (pk, v->num.u);
        break;
    case PROTO_KIND_INT:
        msgpack_pack_int64 (pk, v->num.i);
        break;
    case PROTO_KIND_F64:
        msgpack_pack_double (pk, v->num.f);
        break;
    case PROTO_KIND_BOOL:
        v->num.b ? msgpack_pack_true (pk) : msgpack_pack_false (pk);
        break;
    case PROTO_KIND_STR:
    case PROTO_KIND_TEXT:
        s_pack_str (pk, v->str, strlen (v->str));
        break;
    case PROTO_KIND_UINTS:
        msgpack_pack_array (pk, v->count);
        for (size_t i = 0; i < v->count; i++)
            msgpack_pack_uint64 (pk, ((const uint64_t *) v->array)[i]);
        break;
    case PROTO_KIND_INTS:
        msgpack_pack_array (pk, v->count);
        for (size_t i = 0; i < v->count; i++)
            msgpack_pack_int64 (pk, ((const int64_t *) v->array)[i]);
        break;
    case PROTO_KIND_F64S:
        msgpack_pack_array (pk, v->count);
        for (size_t i = 0; i < v->count; i++)
            msgpack_pack_double (pk, ((const double *) v->array)[i]);
        break;
    case PROTO_KIND_STRS:
        msgpack_pack_array (pk, v->count);
        for (size_t i = 0; i < v->count; i++) {
            const char *s = ((char *const *) v->array)[i];
            s_pack_str (pk, s, strlen (s));
        }
        break;
    case PROTO_KIND_BLOB:
        msgpack_pack_map (pk, 3);
        s_pack_str (pk, "frame", 5);
        msgpack_pack_uint64 (pk, (uint64_t) frame_number);
        s_pack_str (pk, "dtype", 5);
        s_pack_str (pk, v->dtype, 2);
        s_pack_str (pk, "shape", 5);
        msgpack_pack_array (pk, v->rank);
        for (size_t i = 0; i < v->rank; i++)
            msgpack_pack_uint64 (pk, v->shape[i]);
        break;
    }
}

zmsg_t *
proto_msg_encode (const proto_msg_t *self)
{
    PROTO_ENSURE (self && self->tag == PROTO_MSG_TAG, "%s: not a live message", __func__);
    const proto_schema_t *schema = self->schema;
    size_t present = 0;
    for (size_t i = 0; i < schema->count; i++) {
        PROTO_ENSURE (self->values[i].present || !schema->fields[i].required,
                      "%s: %s without its required field '%s'", __func__, schema->name,
                      schema->fields[i].name);
        present += self->values[i].present;
    }
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, s_sbuffer_write);
    msgpack_pack_array (&pk, 4);
    s_pack_str (&pk, PROTO_TAG, strlen (PROTO_TAG));
    msgpack_pack_uint64 (&pk, PROTO_VERSION);
    msgpack_pack_uint64 (&pk, (uint64_t) self->type);
    msgpack_pack_map (&pk, present);

    //  Blob frames are numbered 1.. in schema order; they follow frame 0.
    zframe_t *blobs[PROTO_MAX_FRAMES];
    int blob_count = 0;
    for (size_t i = 0; i < schema->count; i++) {
        const proto_value_t *v = &self->values[i];
        if (!v->present)
            continue;
        const proto_field_t *f = &schema->fields[i];
        s_pack_str (&pk, f->name, strlen (f->name));
        if (f->kind == PROTO_KIND_BLOB) {
            PROTO_ENSURE (blob_count < PROTO_MAX_FRAMES, "%s: too many blobs", __func__);
            //  A copy: the message stays usable (encode may run twice), and
            //  memcpy costs far less than the network it is going to.
            blobs[blob_count++] = zframe_new (s_blob_data (self, v), v->blob_size);
        }
        s_pack_value (&pk, f, v, blob_count);
    }
    zmsg_t *zmsg = zmsg_new ();
    if (self->routing_id) {
        zframe_t *routing_id = zframe_dup (self->routing_id);
        zmsg_append (zmsg, &routing_id);
    }
    zframe_t *head = zframe_new (sbuf.data, sbuf.size);
    zmsg_append (zmsg, &head);
    for (int i = 0; i < blob_count; i++)
        zmsg_append (zmsg, &blobs[i]);
    msgpack_sbuffer_destroy (&sbuf);
    return zmsg;
}

int
proto_msg_send (proto_msg_t **self_p, zsock_t *socket)
{
    PROTO_ENSURE (self_p && *self_p && socket, "%s: bad arguments", __func__);
    zmsg_t *zmsg = proto_msg_encode (*self_p);
    proto_msg_destroy (self_p);
    int rc = zmsg_send (&zmsg, socket);
    zmsg_destroy (&zmsg); //  zmsg_send keeps the message when sending fails
    return rc == 0 ? 0 : -1;
}

proto_msg_t *
proto_msg_new_errorf (const proto_msg_t *request, int code, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (text, sizeof text, fmt, ap);
    va_end (ap);
    return proto_msg_new_error (code, text, request ? (int) proto_msg_type (request) : 0);
}

proto_msg_t *
proto_msg_new_error (int code, const char *text, int in_reply_to)
{
    PROTO_ENSURE (code < 0, "%s: error code %d is not negative", __func__, code);
    proto_msg_t *self = proto_msg_new (PROTO_ERROR);
    if (!text)
        text = bsw_strerror (code);
    //  Texts may quote peer input; keep the reply itself valid.
    size_t length = strnlen (text, PROTO_MAX_STRING);
    proto_value_t *v = s_slot_for_set (self, "text", PROTO_KIND_STR, __func__);
    v->str = bsw_malloc (length + 1);
    memcpy (v->str, text, length);
    v->str[length] = '\0';
    proto_msg_set_int (self, "code", code);
    if (in_reply_to > 0)
        proto_msg_set_uint (self, "to", (uint64_t) in_reply_to);
    return self;
}
