/*  fuzz_connectivity.c - fuzz target: the connectivity zip reader
    (store_connectivity_load_buffer), as the broker and the workers read a
    sweep's connectivity from the bytes a client sent.

    Input layout, two kinds:
        "PK..."     a zip archive, read as it is: the fuzzer mutates the
                    archive's own structure (headers, sizes, methods)
        anything else: the entries of an archive as text, which this target
                    zips (stored, with correct CRCs) before reading it:
                    entries are separated by NUL bytes (64 at most), and
                    an entry is its name up to the first newline, then its
                    content
                    ("weights.txt\n0 1\n1 0\n\0centres.txt\nA 0 0 0\n...")
    The second kind exists because a mutated entry of a real zip almost
    always fails its CRC: through it the fuzzer reaches the parsers of the
    numbers, labels and shapes in every file of a connectivity.

    An accepted connectivity must pass sim_connectivity_check and give
    integer delays as a worker computes them.
*/
#include "fuzz.h"

#include "bsw_assert.h"
#include "sim_connectivity.h"
#include "store_connectivity.h"

#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct {
    uint8_t *data;
    size_t size;
    size_t cap;
} s_buffer_t;

static void
s_put (s_buffer_t *buffer, const void *data, size_t size)
{
    if (buffer->size + size > buffer->cap) {
        buffer->cap = (buffer->size + size) * 2;
        buffer->data = realloc (buffer->data, buffer->cap);
        BSW_ASSERT (buffer->data);
    }
    memcpy (buffer->data + buffer->size, data, size);
    buffer->size += size;
}

//  A little-endian field of `bytes` bytes.
static void
s_put_le (s_buffer_t *buffer, uint32_t value, unsigned bytes)
{
    uint8_t le[4];
    for (unsigned i = 0; i < bytes; i++)
        le[i] = (uint8_t) (value >> (8 * i));
    s_put (buffer, le, bytes);
}

//  One zip header of the stored entry `name` (local: PK\3\4, central:
//  PK\1\2 with the local header's offset).
static void
s_put_header (s_buffer_t *buffer, bool central, const char *name, uint32_t crc, uint32_t size,
              uint32_t offset)
{
    s_put_le (buffer, central ? 0x02014b50 : 0x04034b50, 4);
    if (central)
        s_put_le (buffer, 20, 2); //  made by
    s_put_le (buffer, 20, 2);     //  version needed
    s_put_le (buffer, 0, 2);      //  flags
    s_put_le (buffer, 0, 2);      //  method: stored
    s_put_le (buffer, 0, 4);      //  time and date
    s_put_le (buffer, crc, 4);
    s_put_le (buffer, size, 4);
    s_put_le (buffer, size, 4);
    s_put_le (buffer, (uint32_t) strlen (name), 2);
    s_put_le (buffer, 0, 2); //  extra field
    if (central) {
        s_put_le (buffer, 0, 2); //  comment
        s_put_le (buffer, 0, 2); //  disk
        s_put_le (buffer, 0, 2); //  internal attributes
        s_put_le (buffer, 0, 4); //  external attributes
        s_put_le (buffer, offset, 4);
    }
    s_put (buffer, name, strlen (name));
}

//  Zips the NUL-separated entries of the input into buffer, stored, with
//  true CRCs. (Written here rather than with store_zip, whose writer
//  allocates a megabyte up front: a fresh mapping per run under ASan,
//  a third of the speed.) Names are cut at a NUL, so an entry named by
//  its first line alone keeps every byte it has up to the newline.
static void
s_zip_entries (const uint8_t *data, size_t size, s_buffer_t *buffer)
{
    enum { S_MAX_ENTRIES = 64 };
    char *names[S_MAX_ENTRIES];
    uint32_t crcs[S_MAX_ENTRIES], sizes[S_MAX_ENTRIES], offsets[S_MAX_ENTRIES];
    size_t entries = 0, at = 0;
    while (at < size && entries < S_MAX_ENTRIES) {
        const uint8_t *end = memchr (data + at, '\0', size - at);
        size_t length = end ? (size_t) (end - (data + at)) : size - at;
        const uint8_t *newline = memchr (data + at, '\n', length);
        size_t name_length = newline ? (size_t) (newline - (data + at)) : length;
        const uint8_t *content = newline ? newline + 1 : data + at + length;
        size_t content_size = (size_t) (data + at + length - content);
        char *name = malloc (name_length + 1);
        BSW_ASSERT (name);
        memcpy (name, data + at, name_length);
        name[name_length] = '\0';
        names[entries] = name;
        crcs[entries] = (uint32_t) crc32 (0, content, (uInt) content_size);
        sizes[entries] = (uint32_t) content_size;
        offsets[entries] = (uint32_t) buffer->size;
        s_put_header (buffer, false, name, crcs[entries], sizes[entries], 0);
        s_put (buffer, content, content_size);
        entries++;
        at += length + 1;
    }
    uint32_t directory = (uint32_t) buffer->size;
    for (size_t i = 0; i < entries; i++)
        s_put_header (buffer, true, names[i], crcs[i], sizes[i], offsets[i]);
    uint32_t directory_size = (uint32_t) buffer->size - directory;
    s_put_le (buffer, 0x06054b50, 4);
    s_put_le (buffer, 0, 2); //  this disk
    s_put_le (buffer, 0, 2); //  the directory's disk
    s_put_le (buffer, (uint32_t) entries, 2);
    s_put_le (buffer, (uint32_t) entries, 2);
    s_put_le (buffer, directory_size, 4);
    s_put_le (buffer, directory, 4);
    s_put_le (buffer, 0, 2); //  comment
    for (size_t i = 0; i < entries; i++)
        free (names[i]);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    s_buffer_t zipped = {NULL, 0, 0};
    const uint8_t *bytes = data;
    size_t bytes_size = size;
    if (!(size >= 2 && data[0] == 'P' && data[1] == 'K')) {
        s_zip_entries (data, size, &zipped);
        bytes = zipped.data;
        bytes_size = zipped.size;
    }
    sim_connectivity_t *conn = NULL;
    bsw_error_t err;
    int rc = store_connectivity_load_buffer (&conn, bytes, bytes_size, "fuzz.zip", &err);
    BSW_ASSERT ((rc == 0) == (conn != NULL));
    BSW_ASSERT (rc == 0 || err.text[0] != '\0');
    fuzz_note ("fuzz_connectivity", rc, &err);
    if (conn) {
        BSW_ASSERT (sim_connectivity_check (conn, &err) == 0);
        int *idelays = malloc (conn->n * conn->n * sizeof *idelays);
        BSW_ASSERT (idelays);
        sim_connectivity_idelays (conn, 3.0, 0.1, idelays, &err);
        char gid[37];
        sim_connectivity_gid (conn, gid);
        for (size_t i = 0; i < conn->n; i++)
            BSW_ASSERT (strlen (conn->region_labels[i]) < SIM_CONNECTIVITY_LABEL_MAX);
        free (idelays);
        sim_connectivity_destroy (&conn);
    }
    free (zipped.data);
    return 0;
}
