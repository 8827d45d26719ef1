/*  proto_decode.c - turning received frames into a checked proto_msg_t.

    Decoding treats every byte as hostile. It runs in four steps, each of
    which may stop with a code and one sentence (never an assert):
      1. limits: frame count, frame 0 size, each blob frame against max_blob
         (BSW_ETOOBIG);
      2. structure: s_scan walks frame 0's msgpack and checks every length
         against the bytes that remain, before msgpack-c allocates anything;
      3. the envelope ["BSW", version, type, body] (BSW_EVERSION for a
         version other than ours, BSW_EPROTO for the rest);
      4. each field against the schema table, then the required fields, the
         blob frame references and the relations between fields.
    Strings and arrays are copied out of msgpack-c's objects, which point
    into frame 0; frame 0 is freed before returning. Blob frames are kept.
*/
#include "proto_private.h"

#include "bsw_util.h"

#include <inttypes.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  --------------------------------------------------------------------------
//  Decoding: limits first, then the msgpack structure, then the envelope,
//  then each field, then relations between fields

#define S_QUOTE_MAX 48 /* bytes of wire text quoted in an error sentence */

//  Wire text for an error sentence: printable ASCII only, shortened.
static const char *
s_quote (const char *p, size_t length, char buf[S_QUOTE_MAX])
{
    size_t n = 0;
    for (size_t i = 0; i < length && n < S_QUOTE_MAX - 4; i++)
        buf[n++] = (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '?';
    if (length > n) {
        memcpy (buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

static const char *
s_wire_kind (const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return "nil";
    case MSGPACK_OBJECT_BOOLEAN:
        return "a boolean";
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        return "an unsigned integer";
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return "a negative integer";
    case MSGPACK_OBJECT_FLOAT32:
        return "a float32";
    case MSGPACK_OBJECT_FLOAT64:
        return "a float64";
    case MSGPACK_OBJECT_STR:
        return "a string";
    case MSGPACK_OBJECT_ARRAY:
        return "an array";
    case MSGPACK_OBJECT_MAP:
        return "a map";
    case MSGPACK_OBJECT_BIN:
        return "binary data";
    case MSGPACK_OBJECT_EXT:
        return "an extension value";
    }
    return "an unknown msgpack type";
}

static int s_field_error (bsw_error_t *err, const proto_msg_t *self, const proto_field_t *f,
                          const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));

//  "WORK: field 'points': <reason>", always BSW_EPROTO.
static int
s_field_error (bsw_error_t *err, const proto_msg_t *self, const proto_field_t *f, const char *fmt,
               ...)
{
    char reason[BSW_ERROR_TEXT_MAX];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (reason, sizeof reason, fmt, ap);
    va_end (ap);
    return bsw_error_set (err, BSW_EPROTO, "%s: field '%s': %s", self->schema->name, f->name,
                          reason);
}

static uint64_t
s_read_be (const uint8_t *p, size_t n)
{
    uint64_t value = 0;
    for (size_t i = 0; i < n; i++)
        value = value << 8 | p[i];
    return value;
}

enum { S_BYTES, S_ITEMS, S_PAIRS }; /* what a msgpack length counts */

typedef struct {
    uint8_t valid;        /* 0 only for 0xc1, which msgpack never uses */
    uint8_t length_bytes; /* size of the big-endian length after the type byte */
    uint8_t skip;         /* fixed payload bytes (for ext, its type byte) */
    uint8_t counts;       /* what the length counts: S_BYTES, S_ITEMS, S_PAIRS */
} s_step_t;

//  How to step over a value whose type byte is 0xc0 + index; the other
//  type bytes are the fix* forms handled in s_scan.
static const s_step_t s_steps[32] = {
    {1, 0, 0, S_BYTES},  /* c0 nil */
    {0, 0, 0, S_BYTES},  /* c1 never used */
    {1, 0, 0, S_BYTES},  /* c2 false */
    {1, 0, 0, S_BYTES},  /* c3 true */
    {1, 1, 0, S_BYTES},  /* c4 bin8 */
    {1, 2, 0, S_BYTES},  /* c5 bin16 */
    {1, 4, 0, S_BYTES},  /* c6 bin32 */
    {1, 1, 1, S_BYTES},  /* c7 ext8 */
    {1, 2, 1, S_BYTES},  /* c8 ext16 */
    {1, 4, 1, S_BYTES},  /* c9 ext32 */
    {1, 0, 4, S_BYTES},  /* ca float32 */
    {1, 0, 8, S_BYTES},  /* cb float64 */
    {1, 0, 1, S_BYTES},  /* cc uint8 */
    {1, 0, 2, S_BYTES},  /* cd uint16 */
    {1, 0, 4, S_BYTES},  /* ce uint32 */
    {1, 0, 8, S_BYTES},  /* cf uint64 */
    {1, 0, 1, S_BYTES},  /* d0 int8 */
    {1, 0, 2, S_BYTES},  /* d1 int16 */
    {1, 0, 4, S_BYTES},  /* d2 int32 */
    {1, 0, 8, S_BYTES},  /* d3 int64 */
    {1, 0, 2, S_BYTES},  /* d4 fixext1 */
    {1, 0, 3, S_BYTES},  /* d5 fixext2 */
    {1, 0, 5, S_BYTES},  /* d6 fixext4 */
    {1, 0, 9, S_BYTES},  /* d7 fixext8 */
    {1, 0, 17, S_BYTES}, /* d8 fixext16 */
    {1, 1, 0, S_BYTES},  /* d9 str8 */
    {1, 2, 0, S_BYTES},  /* da str16 */
    {1, 4, 0, S_BYTES},  /* db str32 */
    {1, 2, 0, S_ITEMS},  /* dc array16 */
    {1, 4, 0, S_ITEMS},  /* dd array32 */
    {1, 2, 0, S_PAIRS},  /* de map16 */
    {1, 4, 0, S_PAIRS},  /* df map32 */
};

//  msgpack-c allocates room for a container's claimed element count
//  before it reads the elements, so five bytes claiming 2^32 elements
//  would make it ask for ~100 GB. This walk checks every length and count
//  against the bytes that remain before msgpack-c sees the frame: each
//  element takes at least one byte, so what msgpack-c allocates afterwards
//  is bounded by a small multiple of the frame (itself <= 4 MiB). It also
//  finds truncation and trailing bytes, which msgpack-c reports less
//  precisely. O(size), no allocation.
static int
s_scan (const uint8_t *data, size_t size, bsw_error_t *err)
{
    size_t pos = 0;
    uint64_t pending = 1; //  values still to read; kept <= size - pos
    while (pending > 0) {
        if (pos >= size)
            goto truncated;
        uint8_t b = data[pos++];
        pending--;
        uint64_t skip = 0, children = 0;
        if (b <= 0x7f || b >= 0xe0)
            ; //  positive and negative fixint
        else if (b <= 0x8f)
            children = 2u * (b & 0x0f); //  fixmap
        else if (b <= 0x9f)
            children = b & 0x0f; //  fixarray
        else if (b <= 0xbf)
            skip = b & 0x1f; //  fixstr
        else {
            const s_step_t *step = &s_steps[b - 0xc0];
            if (!step->valid)
                return bsw_error_set (err, BSW_EPROTO,
                                      "frame 0 is not msgpack: byte 0x%02x at offset %zu", b,
                                      pos - 1);
            if (size - pos < step->length_bytes)
                goto truncated;
            uint64_t n = s_read_be (data + pos, step->length_bytes);
            pos += step->length_bytes;
            skip = step->skip + (step->counts == S_BYTES ? n : 0);
            children = step->counts == S_ITEMS ? n : step->counts == S_PAIRS ? 2 * n : 0;
        }
        if (skip > size - pos)
            goto truncated;
        pos += skip;
        if (children > size - pos - pending)
            goto truncated;
        pending += children;
    }
    if (pos != size)
        return bsw_error_set (err, BSW_EPROTO,
                              "frame 0 has %zu trailing bytes after the message array", size - pos);
    return 0;
truncated:
    if (size == 0)
        return bsw_error_set (err, BSW_EPROTO, "frame 0 is empty");
    return bsw_error_set (err, BSW_EPROTO,
                          "frame 0 is truncated or not msgpack: its %zu bytes end inside a value",
                          size);
}

//  A float64, or an integer converted (peers in other languages may send
//  1 for 1.0). float32 is refused: it would silently lose precision.
static bool
s_number (const msgpack_object *o, double *out)
{
    switch (o->type) {
    case MSGPACK_OBJECT_FLOAT64:
        *out = o->via.f64;
        return true;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        *out = (double) o->via.u64;
        return true;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        *out = (double) o->via.i64;
        return true;
    default:
        return false;
    }
}

//  An integer of int64 range (either msgpack integer kind).
static bool
s_integer (const msgpack_object *o, int64_t *out)
{
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = o->via.i64;
        return true;
    }
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX) {
        *out = (int64_t) o->via.u64;
        return true;
    }
    return false;
}

//  A name as metric names must be (proto_field_t.names): what the export
//  can write unquoted into metrics.csv and as a JSON key.
static bool
s_is_name (const char *p, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char) p[i];
        bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        if (!letter && (i == 0 || c < '0' || c > '9'))
            return false;
    }
    return length > 0;
}

//  Why a wire string is unacceptable (written to reason), or NULL. With
//  `name` it must also be a name (s_is_name).
static const char *
s_string_problem (const msgpack_object *o, uint64_t min, uint64_t max, const char *oneof, bool name,
                  char *reason, size_t size)
{
    if (o->type != MSGPACK_OBJECT_STR) {
        snprintf (reason, size, "expected a string, got %s", s_wire_kind (o));
        return reason;
    }
    uint32_t length = o->via.str.size;
    const char *p = o->via.str.ptr;
    char quoted[S_QUOTE_MAX];
    if (length > max)
        snprintf (reason, size,
                  "string of %" PRIu32 " bytes exceeds the limit of %" PRIu64 " bytes", length,
                  max);
    else if (length < min)
        snprintf (reason, size, "string of %" PRIu32 " bytes is shorter than %" PRIu64 " bytes",
                  length, min);
    else if (length && memchr (p, 0, length))
        snprintf (reason, size, "string contains a NUL byte");
    else if (oneof && !proto_schema_oneof (oneof, p, length))
        snprintf (reason, size, "'%s' is not one of %s", s_quote (p, length, quoted), oneof);
    else if (name && !s_is_name (p, length))
        snprintf (reason, size,
                  "'%s' is not a name (letters, digits and '_', not starting with a digit)",
                  s_quote (p, length, quoted));
    else
        return NULL;
    return reason;
}

static char *
s_strndup (const char *p, size_t length)
{
    char *s = bsw_malloc (length + 1);
    if (length)
        memcpy (s, p, length);
    s[length] = '\0';
    return s;
}

static int
s_decode_array (proto_msg_t *self, const proto_field_t *f, proto_value_t *v,
                const msgpack_object *o, bsw_error_t *err)
{
    const char *of = f->kind == PROTO_KIND_UINTS  ? "unsigned integers"
                     : f->kind == PROTO_KIND_INTS ? "integers"
                     : f->kind == PROTO_KIND_F64S ? "float64 numbers"
                                                  : "strings";
    if (o->type != MSGPACK_OBJECT_ARRAY)
        return s_field_error (err, self, f, "expected an array of %s, got %s", of, s_wire_kind (o));
    uint32_t count = o->via.array.size;
    if (count > f->max)
        return s_field_error (err, self, f,
                              "array of %" PRIu32 " elements exceeds the limit of %" PRIu64, count,
                              f->max);
    if (count < f->min)
        return s_field_error (err, self, f,
                              "array of %" PRIu32 " elements; expected at least %" PRIu64, count,
                              f->min);
    const msgpack_object *e = o->via.array.ptr;
    char reason[256];
    //  Each slot is stored before it is checked so that a failure half way
    //  leaves nothing for the caller but proto_msg_destroy.
    if (f->kind == PROTO_KIND_UINTS) {
        uint64_t *values = bsw_malloc (count * sizeof (uint64_t));
        v->array = values;
        for (uint32_t i = 0; i < count; i++) {
            if (e[i].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
                return s_field_error (err, self, f,
                                      "expected an array of %s, element %" PRIu32 " is %s", of, i,
                                      s_wire_kind (&e[i]));
            values[i] = e[i].via.u64;
        }
        v->count = count;
    } else if (f->kind == PROTO_KIND_INTS) {
        int64_t *values = bsw_malloc (count * sizeof (int64_t));
        v->array = values;
        for (uint32_t i = 0; i < count; i++) {
            if (!s_integer (&e[i], &values[i]))
                return s_field_error (err, self, f,
                                      "expected an array of %s, element %" PRIu32 " is %s", of, i,
                                      s_wire_kind (&e[i]));
            if (values[i] < f->imin || values[i] > f->imax)
                return s_field_error (err, self, f,
                                      "element %" PRIu32 ": %" PRId64 " is out of range %" PRId64
                                      "..%" PRId64,
                                      i, values[i], f->imin, f->imax);
        }
        v->count = count;
    } else if (f->kind == PROTO_KIND_F64S) {
        double *values = bsw_malloc (count * sizeof (double));
        v->array = values;
        for (uint32_t i = 0; i < count; i++)
            if (!s_number (&e[i], &values[i]))
                return s_field_error (err, self, f,
                                      "expected an array of %s, element %" PRIu32 " is %s", of, i,
                                      s_wire_kind (&e[i]));
        v->count = count;
    } else {
        char **values = bsw_calloc (count ? count : 1, sizeof (char *));
        v->array = values;
        for (uint32_t i = 0; i < count; i++) {
            uint64_t most = f->elem_max ? f->elem_max : PROTO_MAX_STRING;
            if (s_string_problem (&e[i], 0, most, f->oneof, f->names, reason, sizeof reason))
                return s_field_error (err, self, f, "element %" PRIu32 ": %s", i, reason);
            values[i] = s_strndup (e[i].via.str.ptr, e[i].via.str.size);
            v->count = i + 1;
            //  Names are keys (a JSON object's, a CSV header's): each once.
            //  Quadratic, but a names field holds at most a few.
            for (uint32_t j = 0; f->names && j < i; j++)
                if (strcmp (values[j], values[i]) == 0)
                    return s_field_error (err, self, f, "element %" PRIu32 ": '%s' is listed twice",
                                          i, values[i]);
        }
    }
    return 0;
}

//  A blob descriptor {frame, dtype, shape}: every key exactly once, the
//  frame must exist and be referenced by no other field, and its size must
//  be what dtype and shape say. refs counts references per blob frame.
static int
s_decode_blob (proto_msg_t *self, const proto_field_t *f, proto_value_t *v, const msgpack_object *o,
               unsigned *refs, bsw_error_t *err)
{
    if (o->type != MSGPACK_OBJECT_MAP)
        return s_field_error (err, self, f,
                              "expected a blob descriptor {frame, dtype, shape}, got %s",
                              s_wire_kind (o));
    static const char *const keys[3] = {"frame", "dtype", "shape"};
    const msgpack_object *found[3] = {NULL, NULL, NULL};
    char quoted[S_QUOTE_MAX];
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object *key = &o->via.map.ptr[i].key;
        if (key->type != MSGPACK_OBJECT_STR)
            return s_field_error (err, self, f, "a blob descriptor key is %s, not a string",
                                  s_wire_kind (key));
        int k = 0;
        while (k < 3 && !(key->via.str.size == strlen (keys[k]) &&
                          memcmp (key->via.str.ptr, keys[k], key->via.str.size) == 0))
            k++;
        if (k == 3)
            return s_field_error (err, self, f, "unknown blob descriptor key '%s'",
                                  s_quote (key->via.str.ptr, key->via.str.size, quoted));
        if (found[k])
            return s_field_error (err, self, f, "duplicate blob descriptor key '%s'", keys[k]);
        found[k] = &o->via.map.ptr[i].val;
    }
    for (int k = 0; k < 3; k++)
        if (!found[k])
            return s_field_error (err, self, f, "blob descriptor lacks '%s'", keys[k]);

    const msgpack_object *frame = found[0], *dtype = found[1], *shape = found[2];
    if (frame->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return s_field_error (err, self, f, "the blob frame number is %s, not an unsigned integer",
                              s_wire_kind (frame));
    if (frame->via.u64 < 1 || frame->via.u64 > self->frame_count)
        return s_field_error (
            err, self, f, "blob frame %" PRIu64 " does not exist (the message has %zu blob frames)",
            frame->via.u64, self->frame_count);
    size_t index = (size_t) frame->via.u64 - 1;
    size_t itemsize = dtype->type == MSGPACK_OBJECT_STR
                          ? proto_dtype_itemsize (dtype->via.str.ptr, dtype->via.str.size)
                          : 0;
    if (!itemsize || !proto_schema_oneof (f->oneof, dtype->via.str.ptr, dtype->via.str.size))
        return s_field_error (err, self, f, "dtype %s is not allowed (expected %s)",
                              dtype->type == MSGPACK_OBJECT_STR
                                  ? s_quote (dtype->via.str.ptr, dtype->via.str.size, quoted)
                                  : s_wire_kind (dtype),
                              f->oneof);
    if (shape->type != MSGPACK_OBJECT_ARRAY || shape->via.array.size < 1 ||
        shape->via.array.size > PROTO_MAX_RANK)
        return s_field_error (err, self, f, "shape must be an array of 1 to %d unsigned integers",
                              PROTO_MAX_RANK);
    uint64_t bytes = itemsize;
    bool overflow = false;
    for (uint32_t i = 0; i < shape->via.array.size; i++) {
        const msgpack_object *dim = &shape->via.array.ptr[i];
        if (dim->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
            return s_field_error (err, self, f,
                                  "shape must be an array of 1 to %d unsigned integers",
                                  PROTO_MAX_RANK);
        if (dim->via.u64 && bytes > UINT64_MAX / dim->via.u64)
            overflow = true;
        bytes *= dim->via.u64;
        v->shape[i] = dim->via.u64;
    }
    size_t actual = zframe_size (self->frames[index]);
    if (overflow || bytes != actual)
        return s_field_error (
            err, self, f, "dtype and shape make %s%" PRIu64 " bytes but blob frame %zu has %zu",
            overflow ? "more than " : "", overflow ? UINT64_MAX : bytes, index + 1, actual);
    if (++refs[index] > 1)
        return s_field_error (err, self, f, "blob frame %zu is referenced by another field too",
                              index + 1);
    v->frame = (int) index;
    v->blob_size = actual;
    memcpy (v->dtype, dtype->via.str.ptr, 2);
    v->dtype[2] = '\0';
    v->rank = shape->via.array.size;
    return 0;
}

static int
s_decode_value (proto_msg_t *self, int index, const msgpack_object *o, unsigned *refs,
                bsw_error_t *err)
{
    const proto_field_t *f = &self->schema->fields[index];
    proto_value_t *v = &self->values[index];
    char reason[256];
    switch (f->kind) {
    case PROTO_KIND_UINT:
        if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
            return s_field_error (err, self, f, "expected an unsigned integer, got %s",
                                  s_wire_kind (o));
        if (o->via.u64 < f->min || o->via.u64 > f->max)
            return s_field_error (err, self, f, "%" PRIu64 " is out of range %" PRIu64 "..%" PRIu64,
                                  o->via.u64, f->min, f->max);
        v->num.u = o->via.u64;
        break;
    case PROTO_KIND_INT:
        if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 > INT64_MAX)
            return s_field_error (err, self, f, "%" PRIu64 " is out of range %" PRId64 "..%" PRId64,
                                  o->via.u64, f->imin, f->imax);
        if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER &&
            o->type != MSGPACK_OBJECT_NEGATIVE_INTEGER)
            return s_field_error (err, self, f, "expected an integer, got %s", s_wire_kind (o));
        //  msgpack-c stores both integer kinds in one union member.
        v->num.i = o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ? o->via.i64 : (int64_t) o->via.u64;
        if (v->num.i < f->imin || v->num.i > f->imax)
            return s_field_error (err, self, f, "%" PRId64 " is out of range %" PRId64 "..%" PRId64,
                                  v->num.i, f->imin, f->imax);
        break;
    case PROTO_KIND_F64:
        if (!s_number (o, &v->num.f))
            return s_field_error (err, self, f, "expected a float64 or an integer, got %s",
                                  s_wire_kind (o));
        break;
    case PROTO_KIND_BOOL:
        if (o->type != MSGPACK_OBJECT_BOOLEAN)
            return s_field_error (err, self, f, "expected a boolean, got %s", s_wire_kind (o));
        v->num.b = o->via.boolean;
        break;
    case PROTO_KIND_STR:
    case PROTO_KIND_TEXT:
        if (s_string_problem (o, f->min, f->max, f->oneof, false, reason, sizeof reason))
            return s_field_error (err, self, f, "%s", reason);
        v->str = s_strndup (o->via.str.ptr, o->via.str.size);
        break;
    case PROTO_KIND_UINTS:
    case PROTO_KIND_INTS:
    case PROTO_KIND_F64S:
    case PROTO_KIND_STRS:
        return s_decode_array (self, f, v, o, err);
    case PROTO_KIND_BLOB:
        return s_decode_blob (self, f, v, o, refs, err);
    }
    return 0;
}

static int
s_decode_body (proto_msg_t *self, const msgpack_object *body, unsigned *refs, bsw_error_t *err)
{
    const char *type = self->schema->name;
    char quoted[S_QUOTE_MAX];
    if (body->type != MSGPACK_OBJECT_MAP)
        return bsw_error_set (err, BSW_EPROTO, "%s: the body is %s, not a map", type,
                              s_wire_kind (body));
    for (uint32_t i = 0; i < body->via.map.size; i++) {
        const msgpack_object *key = &body->via.map.ptr[i].key;
        if (key->type != MSGPACK_OBJECT_STR)
            return bsw_error_set (err, BSW_EPROTO, "%s: a field name is %s, not a string", type,
                                  s_wire_kind (key));
        int index = proto_schema_field_index (self->schema, key->via.str.ptr, key->via.str.size);
        if (index < 0)
            return bsw_error_set (err, BSW_EPROTO, "%s: unknown field '%s'", type,
                                  s_quote (key->via.str.ptr, key->via.str.size, quoted));
        if (self->values[index].present)
            return bsw_error_set (err, BSW_EPROTO, "%s: duplicate field '%s'", type,
                                  self->schema->fields[index].name);
        self->values[index].present = true;
        int rc = s_decode_value (self, index, &body->via.map.ptr[i].val, refs, err);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < self->schema->count; i++)
        if (self->schema->fields[i].required && !self->values[i].present)
            return bsw_error_set (err, BSW_EPROTO, "%s: missing required field '%s'", type,
                                  self->schema->fields[i].name);
    for (size_t i = 0; i < self->frame_count; i++)
        if (refs[i] == 0)
            return bsw_error_set (err, BSW_EPROTO,
                                  "%s: blob frame %zu is not referenced by any field", type, i + 1);
    return 0;
}

//  Elements of an array field, 0 when absent.
static size_t
s_count (const proto_msg_t *self, const char *field)
{
    int index = proto_schema_field_index (self->schema, field, strlen (field));
    return self->values[index].present ? self->values[index].count : 0;
}

static int
s_same_count (const proto_msg_t *self, const char *a, const char *b, bsw_error_t *err)
{
    size_t na = s_count (self, a), nb = s_count (self, b);
    if (na == nb)
        return 0;
    return bsw_error_set (err, BSW_EPROTO, "%s: '%s' has %zu elements but '%s' has %zu",
                          self->schema->name, a, na, b, nb);
}

//  A RESULT's arrays run in parallel with its points; its series blob is
//  exactly the sum of the sizes, and only ok points have one.
static int
s_compare_u64 (const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return (x > y) - (x < y);
}

//  Each point at most once in a batch: else one wanted point repeated 4096
//  times, each with a tiny deflated series, makes the broker inflate 4096
//  whole series before the commit drops the copies.
static int
s_check_distinct_points (const proto_msg_t *self, bsw_error_t *err)
{
    size_t count = 0;
    const uint64_t *points = proto_msg_uints (self, "points", &count);
    if (count < 2)
        return 0;
    uint64_t *sorted = bsw_malloc (count * sizeof *sorted);
    memcpy (sorted, points, count * sizeof *sorted);
    qsort (sorted, count, sizeof *sorted, s_compare_u64);
    int rc = 0;
    for (size_t k = 1; !rc && k < count; k++)
        if (sorted[k] == sorted[k - 1])
            rc = bsw_error_set (err, BSW_EPROTO, "RESULT: point %" PRIu64 " comes more than once",
                                sorted[k]);
    free (sorted);
    return rc;
}

static int
s_check_result (const proto_msg_t *self, bsw_error_t *err)
{
    static const char *const columns[] = {"statuses", "errors", "elapsed_ms", "series_sizes"};
    int rc = 0;
    size_t points = s_count (self, "points");
    for (size_t i = 0; !rc && i < sizeof columns / sizeof columns[0]; i++)
        if (i == 0 || proto_msg_has (self, columns[i]))
            rc = s_same_count (self, columns[i], "points", err);
    if (!rc)
        rc = s_check_distinct_points (self, err);
    size_t names = s_count (self, "metric_names"), values = s_count (self, "metric_values");
    //  points <= PROTO_MAX_BATCH and names <= PROTO_MAX_METRICS: no overflow.
    if (!rc && values != points * names)
        return bsw_error_set (err, BSW_EPROTO,
                              "RESULT: 'metric_values' has %zu elements but 'points' x "
                              "'metric_names' is %zu x %zu",
                              values, points, names);
    if (!rc && proto_msg_has (self, "series") != proto_msg_has (self, "series_sizes"))
        return bsw_error_set (err, BSW_EPROTO,
                              "RESULT: 'series' and 'series_sizes' come together or not at all");
    if (rc || !proto_msg_has (self, "series"))
        return rc;
    size_t blob = 0, count = 0;
    proto_msg_blob (self, "series", &blob, NULL, NULL, NULL);
    const uint64_t *sizes = proto_msg_uints (self, "series_sizes", &count);
    uint64_t sum = 0;
    for (size_t k = 0; k < count; k++) {
        if (sizes[k] > blob - sum)
            return bsw_error_set (err, BSW_EPROTO,
                                  "RESULT: 'series_sizes' add up to more than the %zu bytes of "
                                  "'series'",
                                  blob);
        if (sizes[k] && strcmp (proto_msg_strs_at (self, "statuses", k), "ok") != 0)
            return bsw_error_set (err, BSW_EPROTO,
                                  "RESULT: point %zu failed but has a series of %" PRIu64 " bytes",
                                  k, sizes[k]);
        sum += sizes[k];
    }
    if (sum != blob)
        return bsw_error_set (
            err, BSW_EPROTO,
            "RESULT: 'series_sizes' add up to %" PRIu64 " bytes but 'series' has %zu", sum, blob);
    return 0;
}

//  What one field's row in the schema table cannot say (PROTOCOL.md lists
//  these under each message).
static int
s_check_relations (const proto_msg_t *self, bsw_error_t *err)
{
    int rc = 0;
    switch (self->type) {
    case PROTO_RESULT:
        rc = s_check_result (self, err);
        break;
    case PROTO_BYE:
        rc = s_same_count (self, "points", "sweeps", err);
        break;
    case PROTO_BROKER_STATS:
        rc = s_same_count (self, "error_counts", "error_codes", err);
        break;
    case PROTO_SWEEPS: {
        static const char *const columns[] = {"names",  "states",  "points", "done",
                                              "failed", "parents", "levels"};
        for (size_t i = 0; !rc && i < sizeof columns / sizeof columns[0]; i++)
            rc = s_same_count (self, columns[i], "ids", err);
        break;
    }
    case PROTO_POINTS: {
        rc = s_same_count (self, "statuses", "points", err);
        size_t points = s_count (self, "points"), names = s_count (self, "metric_names");
        size_t values = s_count (self, "values");
        //  Both counts are <= PROTO_MAX_ARRAY, so the product cannot overflow.
        if (!rc && values != points * names)
            rc = bsw_error_set (err, BSW_EPROTO,
                                "POINTS: 'values' has %zu elements but 'points' x 'metric_names' "
                                "is %zu x %zu",
                                values, points, names);
        break;
    }
    default:
        break;
    }
    return rc;
}

//  The array ["BSW", version, type, body]. The version is checked before
//  the array's length so that a future version with a different layout
//  still gets the version error, not a generic one.
static int
s_decode_envelope (proto_msg_t *self, const msgpack_object *o, unsigned *refs, bsw_error_t *err)
{
    char quoted[S_QUOTE_MAX];
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size == 0)
        return bsw_error_set (err, BSW_EPROTO,
                              "frame 0 is %s, not the array [tag, version, type, body]",
                              o->type == MSGPACK_OBJECT_ARRAY ? "an empty array" : s_wire_kind (o));
    const msgpack_object *item = o->via.array.ptr;
    if (item[0].type != MSGPACK_OBJECT_STR)
        return bsw_error_set (err, BSW_EPROTO, "not a brainsweep message: the tag is %s, not '%s'",
                              s_wire_kind (&item[0]), PROTO_TAG);
    if (item[0].via.str.size != strlen (PROTO_TAG) ||
        memcmp (item[0].via.str.ptr, PROTO_TAG, strlen (PROTO_TAG)) != 0)
        return bsw_error_set (
            err, BSW_EPROTO, "not a brainsweep message: the tag is '%s', not '%s'",
            s_quote (item[0].via.str.ptr, item[0].via.str.size, quoted), PROTO_TAG);
    if (o->via.array.size < 2 || item[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return bsw_error_set (err, BSW_EPROTO,
                              "the protocol version is %s, not an unsigned integer",
                              o->via.array.size < 2 ? "missing" : s_wire_kind (&item[1]));
    if (item[1].via.u64 != PROTO_VERSION)
        return bsw_error_set (err, BSW_EVERSION,
                              "version %" PRIu64 " is not supported (this peer speaks %d)",
                              item[1].via.u64, PROTO_VERSION);
    if (o->via.array.size != 4)
        return bsw_error_set (err, BSW_EPROTO, "frame 0 has %" PRIu32 " elements, not 4",
                              o->via.array.size);
    const proto_schema_t *schema = NULL;
    if (item[2].type == MSGPACK_OBJECT_POSITIVE_INTEGER && item[2].via.u64 <= INT32_MAX)
        schema = proto_schema ((int) item[2].via.u64);
    if (!schema) {
        if (item[2].type == MSGPACK_OBJECT_POSITIVE_INTEGER)
            return bsw_error_set (err, BSW_EPROTO, "unknown message type %" PRIu64,
                                  item[2].via.u64);
        return bsw_error_set (err, BSW_EPROTO, "the message type is %s, not an unsigned integer",
                              s_wire_kind (&item[2]));
    }
    proto_msg_bind_schema (self, (proto_type_t) item[2].via.u64, schema);
    int rc = s_decode_body (self, &item[3], refs, err);
    return rc ? rc : s_check_relations (self, err);
}

//  Frames after the routing id: limits, then frame 0's bytes, then meaning.
static int
s_decode_frames (proto_msg_t *self, zmsg_t *zmsg, uint64_t max_blob, bsw_error_t *err)
{
    size_t frames = zmsg_size (zmsg);
    if (frames == 0)
        return bsw_error_set (err, BSW_EPROTO, "empty message: no frame 0");
    if (frames - 1 > PROTO_MAX_FRAMES)
        return bsw_error_set (err, BSW_ETOOBIG, "%zu blob frames exceed the limit of %d",
                              frames - 1, PROTO_MAX_FRAMES);
    zframe_t *head = zmsg_pop (zmsg);
    size_t head_size = zframe_size (head);
    for (size_t i = 0; i + 1 < frames; i++) {
        zframe_t *blob = zmsg_pop (zmsg);
        self->frames[self->frame_count++] = blob;
        if (zframe_size (blob) > max_blob) {
            zframe_destroy (&head);
            return bsw_error_set (err, BSW_ETOOBIG,
                                  "blob frame %zu of %zu bytes exceeds the limit of %" PRIu64
                                  " bytes",
                                  i + 1, zframe_size (blob), max_blob);
        }
    }
    int rc = 0;
    if (head_size > PROTO_MAX_HEADER_BYTES)
        rc = bsw_error_set (err, BSW_ETOOBIG, "frame 0 of %zu bytes exceeds the limit of %u bytes",
                            head_size, PROTO_MAX_HEADER_BYTES);
    else
        rc = s_scan (zframe_data (head), head_size, err);
    if (rc == 0) {
        msgpack_unpacked unpacked;
        msgpack_unpacked_init (&unpacked);
        size_t offset = 0;
        msgpack_unpack_return ret =
            msgpack_unpack_next (&unpacked, (const char *) zframe_data (head), head_size, &offset);
        //  After s_scan only nesting deeper than msgpack-c's stack (32)
        //  or lack of memory can fail here.
        if (ret != MSGPACK_UNPACK_SUCCESS || offset != head_size)
            rc = bsw_error_set (err, BSW_EPROTO,
                                "frame 0 cannot be unpacked (nested too deeply, or out of memory)");
        else {
            unsigned refs[PROTO_MAX_FRAMES] = {0};
            rc = s_decode_envelope (self, &unpacked.data, refs, err);
        }
        msgpack_unpacked_destroy (&unpacked);
    }
    zframe_destroy (&head);
    return rc;
}

int
proto_msg_decode (zmsg_t **zmsg_p, bool with_routing_id, uint64_t max_blob, proto_msg_t **msg_p,
                  zframe_t **routing_id_p, bsw_error_t *err)
{
    PROTO_ENSURE (zmsg_p && msg_p, "%s: NULL arguments", __func__);
    zmsg_t *zmsg = *zmsg_p;
    *zmsg_p = NULL;
    *msg_p = NULL;
    if (routing_id_p)
        *routing_id_p = NULL;
    bsw_error_clear (err);
    if (!zmsg)
        return bsw_error_set (err, BSW_EPROTO, "no message");
    proto_msg_t *self = proto_msg_new_blank ();
    int rc = 0;
    if (with_routing_id) {
        self->routing_id = zmsg_pop (zmsg);
        if (!self->routing_id)
            rc = bsw_error_set (err, BSW_EPROTO, "empty message: no routing id");
    }
    if (rc == 0)
        rc = s_decode_frames (self, zmsg, max_blob ? max_blob : PROTO_MAX_BLOB_BYTES_DEFAULT, err);
    zmsg_destroy (&zmsg);
    if (rc) {
        //  The caller still needs the peer's id to answer with an ERROR.
        if (routing_id_p) {
            *routing_id_p = self->routing_id;
            self->routing_id = NULL;
        }
        proto_msg_destroy (&self);
        return rc;
    }
    *msg_p = self;
    return 0;
}

//  Reads and forgets the rest of a message whose frames are not kept.
//  Returns how many frames it had, or 0 when the receive failed.
static size_t
s_discard_rest (void *handle)
{
    size_t frames = 0;
    int more = 1;
    while (more) {
        zmq_msg_t part;
        zmq_msg_init (&part);
        if (zmq_msg_recv (&part, handle, 0) == -1) {
            zmq_msg_close (&part);
            return 0;
        }
        more = zmq_msg_more (&part);
        zmq_msg_close (&part);
        frames++;
    }
    return frames;
}

int
proto_msg_recv (zsock_t *socket, uint64_t max_blob, proto_msg_t **msg_p, zframe_t **routing_id_p,
                bsw_error_t *err)
{
    return proto_msg_recv_over (socket, max_blob, msg_p, routing_id_p, NULL, NULL, err);
}

//  The first blob frame of zmsg (after the routing id) over max_blob: its
//  number (1..) and size, or 0.
static size_t
s_oversized (zmsg_t *zmsg, bool with_routing_id, uint64_t max_blob, size_t *size)
{
    size_t index = 0;
    for (zframe_t *f = zmsg_first (zmsg); f; f = zmsg_next (zmsg), index++) {
        size_t blob = index - (with_routing_id ? 1 : 0); //  0 is frame 0
        if (index >= (with_routing_id ? 2u : 1u) && zframe_size (f) > max_blob) {
            *size = zframe_size (f);
            return blob;
        }
    }
    return 0;
}

int
proto_msg_recv_over (zsock_t *socket, uint64_t max_blob, proto_msg_t **msg_p,
                     zframe_t **routing_id_p, proto_msg_t **over_p,
                     char user_id[PROTO_USER_ID_SIZE], bsw_error_t *err)
{
    PROTO_ENSURE (socket && msg_p, "%s: NULL arguments", __func__);
    *msg_p = NULL;
    if (routing_id_p)
        *routing_id_p = NULL;
    if (over_p)
        *over_p = NULL;
    if (user_id)
        user_id[0] = '\0';
    bool with_routing_id = zsock_type (socket) == ZMQ_ROUTER;
    //  Frame by frame, keeping no more than a message may have: a peer's
    //  message of millions of empty frames would otherwise become millions
    //  of zframe objects (a 6 MB message took a broker to 1.3 GB) before
    //  the decoder could count them.
    size_t keep = (with_routing_id ? 1 : 0) + 1 + PROTO_MAX_FRAMES;
    zmsg_t *zmsg = zmsg_new ();
    bool more = true;
    while (more && zmsg_size (zmsg) < keep) {
        zframe_t *frame = zframe_recv (socket);
        if (!frame) {
            zmsg_destroy (&zmsg);
            return bsw_error_set (err, BSW_EIO, "receive interrupted");
        }
        more = zframe_more (frame);
        //  The routing id frame is the ROUTER's own and carries no metadata.
        if (user_id && zmsg_size (zmsg) == (with_routing_id ? 1u : 0u)) {
            const char *said = zframe_meta (frame, "User-Id");
            snprintf (user_id, PROTO_USER_ID_SIZE, "%s", said ? said : "");
        }
        zmsg_append (zmsg, &frame);
    }
    if (more) {
        size_t extra = s_discard_rest (zsock_resolve (socket));
        size_t frames = zmsg_size (zmsg) - (with_routing_id ? 1 : 0) + extra;
        if (with_routing_id && routing_id_p)
            *routing_id_p = zmsg_pop (zmsg);
        zmsg_destroy (&zmsg);
        if (extra == 0)
            return bsw_error_set (err, BSW_EIO, "receive interrupted");
        return bsw_error_set (err, BSW_ETOOBIG,
                              "a message of %zu frames: at most %d blob frames may follow frame 0 "
                              "(its frames were read and discarded)",
                              frames, PROTO_MAX_FRAMES);
    }
    if (!max_blob)
        max_blob = PROTO_MAX_BLOB_BYTES_DEFAULT;
    size_t size = 0, blob = over_p ? s_oversized (zmsg, with_routing_id, max_blob, &size) : 0;
    if (blob == 0)
        return proto_msg_decode (&zmsg, with_routing_id, max_blob, msg_p, routing_id_p, err);
    //  Over the limit but already here (the socket's own limit let it
    //  through): decoded whole, so the receiver can answer for what it is.
    int rc = proto_msg_decode (&zmsg, with_routing_id, UINT64_MAX, over_p, routing_id_p, err);
    if (rc)
        return rc;
    return bsw_error_set (err, BSW_ETOOBIG,
                          "blob frame %zu of %zu bytes exceeds the limit of %" PRIu64 " bytes",
                          blob, size, max_blob);
}
