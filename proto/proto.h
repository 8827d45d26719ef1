/*  proto.h - brainsweep's wire protocol: messages, their fields, the codec.

    The full specification is proto/PROTOCOL.md; this header is its code.
    A message is a ZeroMQ multipart message:
        frame 0      msgpack array ["BSW", version, type, {field: value, ...}]
        frames 1..k  blobs: raw little-endian bytes, described by blob
                     fields of frame 0 ({"frame": i, "dtype": "f8"|"u1",
                     "shape": [..]}), so bulk arrays never become msgpack
                     arrays of floats.
    (a ROUTER socket adds the peer's routing id in front; proto_msg_recv and
    proto_msg_send handle it.)

    Every message type has a schema: its fields, their kinds, which are
    required, and their limits. proto_msg_decode checks everything (protocol
    tag, version, type, every field's kind and bound, unknown fields,
    blob frames' sizes against dtype and shape) before a handler sees the
    message; getters therefore never fail on a decoded message for a field
    the schema marks required.

    Ownership: a decoded message owns its frames; strings and arrays
    returned by getters point into the message and live as long as it does.
*/
#ifndef PROTO_H_INCLUDED
#define PROTO_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bsw_error.h"

#define PROTO_TAG                    "BSW"
#define PROTO_VERSION                3
#define PROTO_MAX_HEADER_BYTES       (4u << 20)     /* frame 0 */
#define PROTO_MAX_BLOB_BYTES_DEFAULT (512ull << 20) /* one blob frame */
#define PROTO_MAX_FRAMES             8              /* blob frames per message */
#define PROTO_MAX_STRING             65536u         /* bytes of a plain string field */
#define PROTO_MAX_TEXT               (64u << 20)    /* bytes of a TEXT field (a spec) */
/*  A sweep's spec at most (SUBMIT, and a refinement level's): it travels in
    frame 0 of WORK beside up to 65536 point numbers, and of the first
    POINTS page of a plot, both within PROTO_MAX_HEADER_BYTES. */
#define PROTO_MAX_SPEC          (2u << 20)
#define PROTO_MAX_ARRAY         1048576u /* elements of an array field */
#define PROTO_MAX_METRICS       8u       /* metric names in one RESULT or POINTS */
#define PROTO_MAX_BATCH         4096u    /* points in one RESULT or ACK */
#define PROTO_MAX_METRIC_NAME   63u      /* bytes of one metric name */
#define PROTO_MAX_LIST          1000u    /* sweeps in one SWEEPS reply (the newest) */
#define PROTO_MAX_REFINE_LEVELS 8u       /* levels one REFINE may ask for */

/*  Message types. Numbers are on the wire: never renumber, only append. */
#define PROTO_TYPE_MAP(X)                                                                          \
    X (HELLO, 1)         /* worker -> broker: I am here */                                         \
    X (HEARTBEAT, 2)     /* both ways, any time */                                                 \
    X (CREDIT, 3)        /* worker -> broker: send me up to N points */                            \
    X (WORK, 4)          /* broker -> worker: points to run */                                     \
    X (RESULT, 5)        /* worker -> broker: finished points of one sweep */                      \
    X (ACK, 6)           /* broker -> worker: their results are committed */                       \
    X (BYE, 7)           /* worker -> broker: leaving, hands back points */                        \
    X (DROP, 8)          /* broker -> worker: forget a (cancelled) sweep */                        \
    X (SUBMIT, 20)       /* client -> broker */                                                    \
    X (SUBMITTED, 21)    /* broker -> client */                                                    \
    X (LIST, 22)         /* client -> broker */                                                    \
    X (SWEEPS, 23)       /* broker -> client */                                                    \
    X (STATUS, 24)       /* client -> broker */                                                    \
    X (SWEEP_STATUS, 25) /* broker -> client */                                                    \
    X (CANCEL, 26)       /* client -> broker */                                                    \
    X (RETRY, 27)        /* client -> broker */                                                    \
    X (DONE, 28)         /* broker -> client: CANCEL/RETRY done */                                 \
    X (FETCH, 29)        /* client -> broker: a chunk of the export zip */                         \
    X (CHUNK, 30)        /* broker -> client */                                                    \
    X (RESULTS, 31)      /* client -> broker: per-point metrics */                                 \
    X (POINTS, 32)       /* broker -> client */                                                    \
    X (STATS, 33)        /* client -> broker: the broker's counters */                             \
    X (BROKER_STATS, 34) /* broker -> client */                                                    \
    X (REFINE, 35)       /* client -> broker: refine a finished grid */                            \
    X (REFINED, 36)      /* broker -> client */                                                    \
    X (ERROR, 40)        /* any reply: code + sentence */

typedef enum {
#define PROTO_X_(name, num) PROTO_##name = num,
    PROTO_TYPE_MAP (PROTO_X_)
#undef PROTO_X_
} proto_type_t;

/*  "HELLO", ... or "UNKNOWN". */
const char *proto_type_name (int type);

typedef struct proto_msg_t proto_msg_t;

/*  A new, empty message of a type, to fill with setters and send. */
proto_msg_t *proto_msg_new (proto_type_t type);
void proto_msg_destroy (proto_msg_t **self_p);

proto_type_t proto_msg_type (const proto_msg_t *self);

/*  The routing id of the peer (ROUTER sockets) or NULL. Borrowed. */
zframe_t *proto_msg_routing_id (const proto_msg_t *self);
/*  Sets the routing id to send to (copied). */
void proto_msg_set_routing_id (proto_msg_t *self, const zframe_t *routing_id);

/*  Setters. Field names and kinds must match the type's schema (a mismatch
    is a programming error: asserted). Strings and arrays are copied; a blob
    takes ownership of *data_p (freed with free) and sets it to NULL. */
void proto_msg_set_uint (proto_msg_t *self, const char *field, uint64_t value);
void proto_msg_set_int (proto_msg_t *self, const char *field, int64_t value);
void proto_msg_set_f64 (proto_msg_t *self, const char *field, double value);
void proto_msg_set_bool (proto_msg_t *self, const char *field, bool value);
void proto_msg_set_str (proto_msg_t *self, const char *field, const char *value);
void proto_msg_set_uints (proto_msg_t *self, const char *field, const uint64_t *values,
                          size_t count);
void proto_msg_set_ints (proto_msg_t *self, const char *field, const int64_t *values, size_t count);
void proto_msg_set_f64s (proto_msg_t *self, const char *field, const double *values, size_t count);
void proto_msg_set_strs (proto_msg_t *self, const char *field, const char *const *values,
                         size_t count);
/*  A blob: bytes (dtype "u1") or little-endian float64 (dtype "f8") with a
    shape; the product of the shape times the item size must equal size. */
void proto_msg_set_blob (proto_msg_t *self, const char *field, const char *dtype,
                         const uint64_t *shape, size_t rank, void **data_p, size_t size);

/*  Getters: whether the field is present (false for a field the type does
    not have), and its value. */
bool proto_msg_has (const proto_msg_t *self, const char *field);
uint64_t proto_msg_uint (const proto_msg_t *self, const char *field);
int64_t proto_msg_int (const proto_msg_t *self, const char *field);
double proto_msg_f64 (const proto_msg_t *self, const char *field);
bool proto_msg_bool (const proto_msg_t *self, const char *field);
const char *proto_msg_str (const proto_msg_t *self, const char *field); /* NUL-terminated */
const uint64_t *proto_msg_uints (const proto_msg_t *self, const char *field, size_t *count);
const int64_t *proto_msg_ints (const proto_msg_t *self, const char *field, size_t *count);
const double *proto_msg_f64s (const proto_msg_t *self, const char *field, size_t *count);
const char *proto_msg_strs_at (const proto_msg_t *self, const char *field, size_t index);
size_t proto_msg_strs_count (const proto_msg_t *self, const char *field);
/*  A blob's bytes (borrowed), size, dtype and shape. */
const void *proto_msg_blob (const proto_msg_t *self, const char *field, size_t *size,
                            const char **dtype, const uint64_t **shape, size_t *rank);

/*  Encodes into a zmsg (routing id first when set). Caller owns the
    result. Asserts the message is complete (required fields set). */
zmsg_t *proto_msg_encode (const proto_msg_t *self);

/*  Decodes and validates; takes ownership of *zmsg_p. with_routing_id:
    the first frame is a ROUTER routing id. max_blob bounds each blob frame
    (0: PROTO_MAX_BLOB_BYTES_DEFAULT). Returns 0, or BSW_EPROTO /
    BSW_EVERSION / BSW_ETOOBIG with err saying what is wrong; on failure
    *msg_p is NULL but *routing_id_p (if not NULL) receives the routing id,
    so the caller can send an ERROR reply; the caller owns it. On success
    *routing_id_p is NULL: the message holds the routing id
    (proto_msg_routing_id), so zframe_destroy (routing_id_p) is always safe. */
int proto_msg_decode (zmsg_t **zmsg_p, bool with_routing_id, uint64_t max_blob, proto_msg_t **msg_p,
                      zframe_t **routing_id_p, bsw_error_t *err);

/*  Convenience: encode and send; destroys *self_p. Returns 0 or -1. */
int proto_msg_send (proto_msg_t **self_p, zsock_t *socket);

/*  Receives one message and decodes it as proto_msg_decode does, taking
    the routing id when socket is a ROUTER. Frames are received one by one
    and no more are kept than a message may have: the frames of a longer
    message are read and dropped as they come, and the answer is
    BSW_ETOOBIG (with the routing id, to reply to). Returns 0, a decode
    error, or BSW_EIO when the receive was interrupted. */
int proto_msg_recv (zsock_t *socket, uint64_t max_blob, proto_msg_t **msg_p,
                    zframe_t **routing_id_p, bsw_error_t *err);

/*  The same; when the one fault is a blob frame over max_blob (one the
    socket let through: its ZMQ_MAXMSGSIZE leaves headroom), it still
    returns BSW_ETOOBIG but *over_p (if over_p is not NULL) receives the
    message decoded without the limit, so the receiver can answer for its
    content (the broker fails a RESULT's points rather than leave them
    leased). Caller owns *over_p; its routing id is in the message.
    user_id (if not NULL) receives the User-Id property of the message's
    first own frame: the user id ZAP gave the sender's connection (with
    CURVE, its public key in Z85), "" when it has none. */
#define PROTO_USER_ID_SIZE 256
int proto_msg_recv_over (zsock_t *socket, uint64_t max_blob, proto_msg_t **msg_p,
                         zframe_t **routing_id_p, proto_msg_t **over_p,
                         char user_id[PROTO_USER_ID_SIZE], bsw_error_t *err);

/*  Convenience: an ERROR reply {code, text, to (the request's type)}. */
proto_msg_t *proto_msg_new_error (int code, const char *text, int in_reply_to);

/*  The same with a printf-formatted text, in reply to `request` (its type
    goes in `to`; none when request is NULL). */
proto_msg_t *proto_msg_new_errorf (const proto_msg_t *request, int code, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

#endif
