/*  fuzz_connectivity.c - fuzz target: the connectivity zip reader
    (store_connectivity_load_buffer), as the broker and the workers read a
    sweep's connectivity from the bytes a client sent.

    Input layout, two kinds:
        "PK..."     a zip archive, read as it is: the fuzzer mutates the
                    archive's own structure (headers, sizes, methods)
        anything else: the entries of an archive as text, which this target
                    zips (stored, with correct CRCs) before reading it:
                    entries are separated by NUL bytes, and an entry is its
                    name up to the first newline, then its content
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
#include "store_zip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t *data;
    size_t size;
    size_t cap;
} s_buffer_t;

static int
s_sink (void *arg, const void *data, size_t size, bsw_error_t *err)
{
    s_buffer_t *buffer = arg;
    if (buffer->size + size > buffer->cap) {
        buffer->cap = (buffer->size + size) * 2;
        buffer->data = realloc (buffer->data, buffer->cap);
        BSW_ASSERT (buffer->data);
    }
    memcpy (buffer->data + buffer->size, data, size);
    buffer->size += size;
    return 0;
}

//  Zips the NUL-separated entries of the input into buffer. Entries whose
//  names the writer refuses (empty, not UTF-8) are left out, as a zip
//  tool could not have made them either.
static void
s_zip_entries (const uint8_t *data, size_t size, s_buffer_t *buffer)
{
    store_zip_t *zip = store_zip_new (s_sink, buffer, NULL);
    size_t at = 0;
    while (at < size) {
        const uint8_t *end = memchr (data + at, '\0', size - at);
        size_t length = end ? (size_t) (end - (data + at)) : size - at;
        const uint8_t *newline = memchr (data + at, '\n', length);
        size_t name_length = newline ? (size_t) (newline - (data + at)) : length;
        char *name = malloc (name_length + 1);
        BSW_ASSERT (name);
        memcpy (name, data + at, name_length);
        name[name_length] = '\0';
        const uint8_t *content = newline ? newline + 1 : data + at + length;
        size_t content_size = (size_t) (data + at + length - content);
        bsw_error_t err;
        int rc = store_zip_add (zip, name, content, content_size, STORE_ZIP_STORED, &err);
        BSW_ASSERT (rc == 0 || rc == BSW_EINVAL);
        free (name);
        at += length + 1;
    }
    bsw_error_t err;
    BSW_ASSERT (store_zip_finish (zip, &err) == 0);
    store_zip_destroy (&zip);
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
