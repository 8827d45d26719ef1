/*  proto_private.h - what proto.c (the message object, the encoder) and
    proto_decode.c (the decoder) share. Not for use outside proto/.

    A proto_msg_t holds one value slot per field of its type's schema
    (proto_schema.c), in schema order; a slot says whether the field is
    present and holds its value. Strings and arrays are owned copies.
    Blobs are either bytes handed to a setter (owned, freed with free) or,
    after decoding, the received zmq frame itself (never copied: a blob
    can be hundreds of MB and the frame already holds it).
*/
#ifndef PROTO_PRIVATE_H_INCLUDED
#define PROTO_PRIVATE_H_INCLUDED

#include "proto.h"
#include "proto_schema.h"

#define PROTO_MSG_TAG 0x70726f31u /* "pro1": a live proto_msg_t */

/*  Misuse of the API (a field the schema lacks, the wrong setter, a
    missing required field at encode time) is a programming error and
    aborts. Unlike assert this stays on under NDEBUG (CMake's release
    builds define it): a failed lookup would otherwise index outside the
    slot array. Wire input never reaches these checks. */
#define PROTO_ENSURE(cond, ...)                                                                    \
    do {                                                                                           \
        if (!(cond))                                                                               \
            proto_misuse (__FILE__, __LINE__, __VA_ARGS__);                                        \
    } while (0)

void proto_misuse (const char *file, int line, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4), noreturn));

typedef struct {
    bool present; /* set by a setter or decoded */
    union {
        uint64_t u; /* UINT */
        int64_t i;  /* INT */
        double f;   /* F64 */
        bool b;     /* BOOL */
    } num;
    char *str;                      /* STR, TEXT: owned, NUL-terminated */
    void *array;                    /* UINTS: uint64_t[], F64S: double[], STRS: char *[] */
    size_t count;                   /* elements of array */
    void *blob;                     /* BLOB from a setter: owned bytes (free) */
    int frame;                      /* BLOB decoded: index into frames[], else -1 */
    size_t blob_size;               /* BLOB: bytes */
    char dtype[3];                  /* BLOB: "u1" or "f8" */
    uint64_t shape[PROTO_MAX_RANK]; /* BLOB: dimensions */
    size_t rank;                    /* BLOB: dimensions used */
} proto_value_t;

struct proto_msg_t {
    uint32_t tag;                       /* PROTO_MSG_TAG while alive */
    proto_type_t type;                  /* message type */
    const proto_schema_t *schema;       /* static; NULL only while decoding */
    proto_value_t *values;              /* schema->count slots, schema order */
    zframe_t *routing_id;               /* ROUTER peer, or NULL */
    zframe_t *frames[PROTO_MAX_FRAMES]; /* decoded blob frames, owned */
    size_t frame_count;                 /* frames used */
};

/*  A message with no type yet (the decoder learns it from frame 0). */
proto_msg_t *proto_msg_new_blank (void);

/*  Gives a blank message its type and empty slots. */
void proto_msg_bind_schema (proto_msg_t *self, proto_type_t type, const proto_schema_t *schema);

/*  Bytes per item of a dtype ("u1" 1, "f8" 8), or 0 when not spoken. */
size_t proto_dtype_itemsize (const char *dtype, size_t length);

#endif
