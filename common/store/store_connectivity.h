/*  store_connectivity.h - TVB connectivity zips (TVB.md section 12) read with
    libzip into a sim_connectivity_t.

    Files inside the zip are matched by a case-insensitive substring of the
    entry's path, first token wins, in TVB's order: weight, centres/centers,
    tract, orientation, area, cortical, hemisphere. weights and centres are
    required; the rest optional (tract lengths then default to Euclidean
    distances between centres; hemispheres derived from r/l label prefixes
    or suffixes when every label has one). Entries under __MACOSX/ and
    .DS_Store files are skipped.
    Hostile zips are refused cheaply (BSW_ETOOBIG): more than 4096 entries,
    or text entries declaring more than STORE_CONNECTIVITY_MAX_BYTES
    together, before anything is inflated.
*/
#ifndef STORE_CONNECTIVITY_H_INCLUDED
#define STORE_CONNECTIVITY_H_INCLUDED

#include <stddef.h>

#include "bsw_error.h"
#include "sim_connectivity.h"

/*  The most bytes the text entries of one connectivity zip may declare
    uncompressed, together (connectivity_998 has 32 MB): a zip bomb is
    refused from its central directory, before anything is inflated. */
#define STORE_CONNECTIVITY_MAX_BYTES (64ULL << 20)

/*  Reads a zip from disk. Caller owns *conn_p (NULL on failure). Returns 0,
    or BSW_EIO (unreadable), BSW_EFORMAT (not a zip, not a number, NaN),
    BSW_ECONNECTIVITY (missing file, wrong shape, negative length) or
    BSW_ETOOBIG, with err naming the file, the entry, the line and the value
    ("connectivity_76.zip: tract_lengths.txt: line 2, column 5: -1 is
    negative"). */
int store_connectivity_load (sim_connectivity_t **conn_p, const char *path, bsw_error_t *err);

/*  The same from the zip's bytes in memory (a sweep carries its
    connectivity); `label` names it in errors. The buffer is only read. */
int store_connectivity_load_buffer (sim_connectivity_t **conn_p, const void *data, size_t size,
                                    const char *label, bsw_error_t *err);

/*  Writes a connectivity as a TVB text zip (weights.txt, tract_lengths.txt,
    centres.txt, and the optional files present), numbers in round-trip
    precision. Only tests use it (to make connectivity zips to load).
    Returns 0, BSW_EIO, or
    BSW_ECONNECTIVITY / BSW_EINVAL when conn fails sim_connectivity_check or
    has a label the text format cannot hold (empty, whitespace, '#'). */
int store_connectivity_save_zip (const sim_connectivity_t *conn, const char *path,
                                 bsw_error_t *err);

#endif
