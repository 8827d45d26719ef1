/*  proto_schema.h - the message schemas: one static table, private to proto/.

    Every message type has a list of fields, each with a kind (how it is
    encoded in msgpack), whether it is required, and its bounds. The
    decoder (proto_decode.c) validates against this table, the setters and
    getters (proto.c) check their arguments against it, and proto_test.c
    checks that PROTOCOL.md's field tables are exactly what
    proto_schema_print_markdown writes, so the spec and the code cannot
    drift apart.
*/
#ifndef PROTO_SCHEMA_H_INCLUDED
#define PROTO_SCHEMA_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PROTO_MAX_RANK 8 /* dimensions of a blob's shape */

typedef enum {
    PROTO_KIND_UINT,  /* msgpack positive integer */
    PROTO_KIND_INT,   /* any msgpack integer */
    PROTO_KIND_F64,   /* msgpack float64 (an integer is accepted and converted) */
    PROTO_KIND_BOOL,  /* msgpack true/false */
    PROTO_KIND_STR,   /* msgpack str, no NUL bytes, <= PROTO_MAX_STRING */
    PROTO_KIND_TEXT,  /* msgpack str, no NUL bytes, <= PROTO_MAX_TEXT */
    PROTO_KIND_UINTS, /* msgpack array of positive integers */
    PROTO_KIND_F64S,  /* msgpack array of float64 (or integers) */
    PROTO_KIND_STRS,  /* msgpack array of STR */
    PROTO_KIND_BLOB,  /* map {frame, dtype, shape} naming a blob frame */
    PROTO_KIND_INTS   /* msgpack array of integers, each within imin..imax */
} proto_kind_t;

typedef struct {
    const char *name;  /* the key on the wire */
    proto_kind_t kind; /* encoding */
    bool required;     /* decoding fails when absent; encoding asserts it is set */
    uint64_t min;      /* UINT: least value; STR/TEXT: least bytes; arrays: least count */
    uint64_t max;      /* UINT: greatest value; STR/TEXT: most bytes; arrays: most count */
    int64_t imin;      /* INT, INTS: least value (of each element) */
    int64_t imax;      /* INT, INTS: greatest value (of each element) */
    const char *oneof; /* STR, STRS elements: allowed values; BLOB: dtypes; "a|b"; or NULL */
    const char *doc;   /* one phrase for PROTOCOL.md */
    uint64_t elem_max; /* STRS: most bytes of one element; 0 = PROTO_MAX_STRING */
    bool names;        /* STRS: elements are distinct names: [A-Za-z_][A-Za-z0-9_]*, 1+ bytes */
} proto_field_t;

typedef struct {
    const char *name;            /* "HELLO" */
    const proto_field_t *fields; /* in wire order */
    size_t count;                /* number of fields */
} proto_schema_t;

/*  The schema of a message type, or NULL when the type is unknown. Static. */
const proto_schema_t *proto_schema (int type);

/*  The index of a field in a schema, or -1. */
int proto_schema_field_index (const proto_schema_t *schema, const char *name, size_t length);

/*  Whether value (length bytes) is one of the '|'-separated words of oneof. */
bool proto_schema_oneof (const char *oneof, const char *value, size_t length);

/*  "uint", "str", ... as PROTOCOL.md names the kinds. Static string. */
const char *proto_kind_name (proto_kind_t kind);

/*  Writes PROTOCOL.md's field table of a message type (a heading line,
    then a Markdown table). Returns 0, or -1 when the type is unknown. */
int proto_schema_print_markdown (FILE *out, int type);

#endif
