/*  store_connectivity.c - TVB connectivity zips (TVB.md section 12), read
    and written with libzip.

    Reading happens in three passes, each with its own error wording:
      1. scan the archive: give every entry a role by TVB's token rules
         (s_role_of) and read the matched entries into memory, after
         checking their declared size against S_ENTRY_MAX_BYTES;
      2. parse centres.txt first, since its line count is n, the size every
         other file is checked against (and capped by) before allocating;
      3. parse the other files into the new sim_connectivity_t, deriving
         what TVB derives (tract lengths, hemispheres), then run
         sim_connectivity_check as the last word.

    Numbers are read like numpy.loadtxt: whitespace-separated, '#' starts a
    comment, blank lines are skipped. Line numbers in errors are physical
    lines of the file, counting blank and comment lines, so an editor finds
    them. strtod reads in the C locale, which no brainsweep program changes.

    Errors: BSW_EIO when the file cannot be read, BSW_EFORMAT when it is not
    a zip or a value is not a finite number, BSW_ECONNECTIVITY when the
    content is well-formed but not a connectivity (missing file, shapes,
    negative length), BSW_ETOOBIG past the size caps.
*/
#include "store_connectivity.h"
#include "bsw_assert.h"
#include "bsw_util.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

//  A zip bomb (a few hundred kB inflating to gigabytes) must cost nothing:
//  the broker reads every SUBMIT's zip on its one thread. So the entries
//  are counted, and the text entries' declared uncompressed sizes summed,
//  before anything is inflated, and no more than the declared size is ever
//  inflated (libzip's CRC check then refuses an entry that lies).
//  STORE_CONNECTIVITY_MAX_BYTES (store_connectivity.h) bounds the sum.
#define S_MAX_ENTRIES 4096

//  Above this many matrix entries (8 MB of doubles), n is first checked
//  against the size of the weights file.
#define S_PRECHECK_VALUES (1024 * 1024)

//  Roles in TVB's matching order: the first token found in the path wins.
enum { S_WEIGHTS, S_CENTRES, S_TRACT, S_ORIENTATIONS, S_AREAS, S_CORTICAL, S_HEMISPHERES, S_ROLES };

static const char *const s_tokens[S_ROLES][2] = {
    {"weight", NULL}, {"centres", "centers"}, {"tract", NULL},      {"orientation", NULL},
    {"area", NULL},   {"cortical", NULL},     {"hemisphere", NULL},
};

//  One matched entry, read whole.
typedef struct {
    const char *label; /* the archive's name in errors (borrowed) */
    char *name;        /* entry path inside the zip */
    char *text;        /* its bytes plus a NUL */
    size_t size;       /* bytes, without the NUL */
} s_file_t;

//  How parsed values are checked, besides being finite numbers.
typedef enum { S_ANY, S_NONNEGATIVE, S_BOOL } s_rule_t;

//  --------------------------------------------------------------------------
//  Pass 1: the archive

//  The role of an entry by its path, -1 when TVB would ignore it.
static int
s_role_of (const char *name)
{
    size_t len = strlen (name);
    if (len == 0 || name[len - 1] == '/')
        return -1; // a directory
    const char *base = strrchr (name, '/');
    base = base ? base + 1 : name;
    if (strcmp (base, ".DS_Store") == 0)
        return -1;
    char *lower = bsw_strdup (name);
    for (char *c = lower; *c; c++)
        *c = (char) tolower ((unsigned char) *c);
    int role = -1;
    if (strncmp (lower, "__macosx/", 9) != 0 && !strstr (lower, "/__macosx/"))
        for (int r = 0; r < S_ROLES && role < 0; r++)
            for (int t = 0; t < 2 && s_tokens[r][t]; t++)
                if (strstr (lower, s_tokens[r][t]))
                    role = r;
    free (lower);
    return role;
}

static int
s_read_entry (zip_t *za, zip_uint64_t index, s_file_t *file, bsw_error_t *err)
{
    zip_stat_t st;
    zip_stat_init (&st);
    if (zip_stat_index (za, index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return bsw_error_set (err, BSW_EFORMAT, "%s: %s: cannot read the entry's size: %s",
                              file->label, file->name, zip_strerror (za));
    if (st.size > STORE_CONNECTIVITY_MAX_BYTES)
        return bsw_error_set (err, BSW_ETOOBIG,
                              "%s: %s: %llu bytes uncompressed, the limit is %llu", file->label,
                              file->name, (unsigned long long) st.size,
                              (unsigned long long) STORE_CONNECTIVITY_MAX_BYTES);
    zip_file_t *zf = zip_fopen_index (za, index, 0);
    if (!zf)
        return bsw_error_set (err, BSW_EFORMAT, "%s: %s: cannot open the entry: %s", file->label,
                              file->name, zip_strerror (za));
    file->size = (size_t) st.size;
    file->text = bsw_malloc (file->size + 1);
    zip_int64_t got = 0;
    while ((zip_uint64_t) got < st.size) {
        zip_int64_t rc = zip_fread (zf, file->text + got, st.size - (zip_uint64_t) got);
        if (rc <= 0) {
            int code =
                bsw_error_set (err, BSW_EFORMAT, "%s: %s: cannot read the entry: %s", file->label,
                               file->name, rc < 0 ? zip_file_strerror (zf) : "it ends early");
            zip_fclose (zf);
            return code;
        }
        got += rc;
    }
    //  zip_fclose is where libzip reports a CRC mismatch.
    if (zip_fclose (zf) != 0)
        return bsw_error_set (err, BSW_EFORMAT, "%s: %s: the entry is corrupt (CRC error)",
                              file->label, file->name);
    file->text[file->size] = '\0';
    if (memchr (file->text, '\0', file->size))
        return bsw_error_set (err, BSW_EFORMAT, "%s: %s: contains a NUL byte, not a text file",
                              file->label, file->name);
    return 0;
}

//  Reads every entry that has a role into files[role].
static int
s_scan (zip_t *za, const char *label, s_file_t files[S_ROLES], bsw_error_t *err)
{
    zip_int64_t count = zip_get_num_entries (za, 0);
    if (count <= 0)
        return bsw_error_set (err, BSW_EFORMAT, "%s: empty zip archive (no entries)", label);
    if (count > S_MAX_ENTRIES)
        return bsw_error_set (err, BSW_ETOOBIG, "%s: %lld entries, the limit is %d", label,
                              (long long) count, S_MAX_ENTRIES);
    //  The declared sizes of the entries that would be read, from the
    //  central directory alone: nothing is inflated yet.
    uint64_t total = 0;
    for (zip_int64_t i = 0; i < count; i++) {
        const char *name = zip_get_name (za, (zip_uint64_t) i, 0);
        zip_stat_t st;
        zip_stat_init (&st);
        if (!name || s_role_of (name) < 0)
            continue;
        if (zip_stat_index (za, (zip_uint64_t) i, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
            return bsw_error_set (err, BSW_EFORMAT, "%s: %s: cannot read the entry's size: %s",
                                  label, name, zip_strerror (za));
        if (st.size > STORE_CONNECTIVITY_MAX_BYTES - total)
            return bsw_error_set (err, BSW_ETOOBIG,
                                  "%s: %s: %llu bytes uncompressed (after %llu in the entries "
                                  "before it): a connectivity's text is at most %llu bytes",
                                  label, name, (unsigned long long) st.size,
                                  (unsigned long long) total,
                                  (unsigned long long) STORE_CONNECTIVITY_MAX_BYTES);
        total += st.size;
    }
    for (zip_int64_t i = 0; i < count; i++) {
        const char *name = zip_get_name (za, (zip_uint64_t) i, 0);
        if (!name)
            return bsw_error_set (err, BSW_EFORMAT, "%s: entry %lld has no readable name", label,
                                  (long long) i);
        int role = s_role_of (name);
        if (role < 0)
            continue;
        //  TVB would silently take the last; two candidates are more
        //  likely a mistake than a choice, so say so.
        if (files[role].name)
            return bsw_error_set (err, BSW_ECONNECTIVITY,
                                  "%s: both '%s' and '%s' match '%s'; keep one", label,
                                  files[role].name, name, s_tokens[role][0]);
        files[role].name = bsw_strdup (name);
        const char *dot = strrchr (name, '.');
        if (dot && (strcasecmp (dot, ".npy") == 0 || strcasecmp (dot, ".npz") == 0))
            return bsw_error_set (err, BSW_EFORMAT,
                                  "%s: %s: numpy files are not supported, use text", label, name);
        int rc = s_read_entry (za, (zip_uint64_t) i, &files[role], err);
        if (rc)
            return rc;
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  Pass 2 and 3: the text

//  The next line of text from *cursor: [start, end) without the newline
//  and without any '#' comment. Returns false at the end of the text.
static bool
s_next_line (const char **cursor, const char **start, const char **end)
{
    const char *p = *cursor;
    if (*p == '\0')
        return false;
    const char *newline = strchr (p, '\n');
    const char *stop = newline ? newline : p + strlen (p);
    *cursor = newline ? newline + 1 : stop;
    const char *hash = memchr (p, '#', (size_t) (stop - p));
    *start = p;
    *end = hash ? hash : stop;
    return true;
}

//  The next whitespace-separated token in [*p, end), or false.
static bool
s_next_token (const char **p, const char *end, const char **token, size_t *len)
{
    const char *q = *p;
    while (q < end && isspace ((unsigned char) *q))
        q++;
    if (q == end)
        return false;
    *token = q;
    while (q < end && !isspace ((unsigned char) *q))
        q++;
    *len = (size_t) (q - *token);
    *p = q;
    return true;
}

//  Parses one token as a finite number obeying rule.
static int
s_number (const s_file_t *file, size_t line, size_t column, const char *token, size_t len,
          s_rule_t rule, double *value, bsw_error_t *err)
{
    //  Tokens show at most 40 bytes in errors.
    int shown = len > 40 ? 40 : (int) len;
    const char *more = len > 40 ? "..." : "";
    char *endp;
    double v = strtod (token, &endp);
    //  strtod also reads C's hex floats, which numpy's loadtxt does not.
    if (endp != token + len || memchr (token, 'x', len) || memchr (token, 'X', len))
        return bsw_error_set (err, BSW_EFORMAT,
                              "%s: %s: line %zu, column %zu: '%.*s%s' is not a number", file->label,
                              file->name, line, column, shown, token, more);
    if (!isfinite (v))
        return bsw_error_set (err, BSW_EFORMAT,
                              "%s: %s: line %zu, column %zu: %.*s%s is not finite", file->label,
                              file->name, line, column, shown, token, more);
    if (rule == S_NONNEGATIVE && v < 0)
        return bsw_error_set (err, BSW_ECONNECTIVITY,
                              "%s: %s: line %zu, column %zu: %.*s%s is negative", file->label,
                              file->name, line, column, shown, token, more);
    if (rule == S_BOOL && v != 0 && v != 1)
        return bsw_error_set (err, BSW_ECONNECTIVITY,
                              "%s: %s: line %zu, column %zu: %.*s%s is not 0 or 1", file->label,
                              file->name, line, column, shown, token, more);
    *value = v;
    return 0;
}

/*  Parses a table of numbers into values (room for max_values). Every line
    must hold `cols` values; with cols 0 the first line decides. Sets *rows_p
    and *cols_p. Running past max_values is an error, so a file can never
    make us allocate more than its region count allows. */
static int
s_parse_numbers (const s_file_t *file, size_t cols, size_t max_values, s_rule_t rule,
                 double *values, size_t *rows_p, size_t *cols_p, bsw_error_t *err)
{
    const char *cursor = file->text, *start, *end;
    size_t line = 0, rows = 0, stored = 0;
    bool fixed = cols != 0; // rows of a known width: count rows in errors
    while (s_next_line (&cursor, &start, &end)) {
        line++;
        const char *p = start, *token;
        size_t len, column = 0;
        while (s_next_token (&p, end, &token, &len)) {
            column++;
            if (cols && column > cols)
                continue; // counted for the message below, not stored
            if (stored == max_values && fixed)
                return bsw_error_set (err, BSW_ECONNECTIVITY,
                                      "%s: %s: line %zu: more than %zu rows, expected %zu (one "
                                      "per region of the centres file)",
                                      file->label, file->name, line, max_values / cols,
                                      max_values / cols);
            if (stored == max_values)
                return bsw_error_set (err, BSW_ECONNECTIVITY,
                                      "%s: %s: line %zu: more than %zu values, expected %zu (one "
                                      "per region of the centres file)",
                                      file->label, file->name, line, max_values, max_values);
            int rc = s_number (file, line, column, token, len, rule, &values[stored], err);
            if (rc)
                return rc;
            stored++;
        }
        if (column == 0)
            continue; // blank or comment line
        if (cols == 0)
            cols = column;
        if (column != cols)
            return bsw_error_set (err, BSW_ECONNECTIVITY,
                                  "%s: %s: line %zu has %zu value%s, expected %zu", file->label,
                                  file->name, line, column, column == 1 ? "" : "s", cols);
        rows++;
    }
    *rows_p = rows;
    *cols_p = cols;
    return 0;
}

//  An n x n matrix (weights, tract lengths), line i = target i.
static int
s_parse_matrix (const s_file_t *file, size_t n, s_rule_t rule, double *values, bsw_error_t *err)
{
    size_t rows, cols;
    int rc = s_parse_numbers (file, n, n * n, rule, values, &rows, &cols, err);
    if (rc == 0 && rows != n)
        rc = bsw_error_set (err, BSW_ECONNECTIVITY,
                            "%s: %s: %zu row%s, expected %zu (one per region of the centres "
                            "file)",
                            file->label, file->name, rows, rows == 1 ? "" : "s", n);
    return rc;
}

//  n values with `per_region` each: one region per line, or (for a single
//  value per region) all on one line, as loadtxt returns either flat.
static int
s_parse_vector (const s_file_t *file, size_t n, size_t per_region, s_rule_t rule, double *values,
                bsw_error_t *err)
{
    size_t rows, cols;
    int rc = s_parse_numbers (file, per_region > 1 ? per_region : 0, n * per_region, rule, values,
                              &rows, &cols, err);
    if (rc)
        return rc;
    if (per_region > 1 && rows != n)
        return bsw_error_set (err, BSW_ECONNECTIVITY,
                              "%s: %s: %zu row%s, expected %zu (one per region of the centres "
                              "file)",
                              file->label, file->name, rows, rows == 1 ? "" : "s", n);
    if (per_region == 1 && rows > 1 && cols > 1)
        return bsw_error_set (err, BSW_ECONNECTIVITY,
                              "%s: %s: %zu rows of %zu values, expected one value per line",
                              file->label, file->name, rows, cols);
    if (per_region == 1 && rows * cols != n)
        return bsw_error_set (err, BSW_ECONNECTIVITY,
                              "%s: %s: %zu value%s, expected %zu (one per region of the centres "
                              "file)",
                              file->label, file->name, rows * cols, rows * cols == 1 ? "" : "s", n);
    return 0;
}

//  The centres file, "label x y z" per line (or "x y z": TVB then names the
//  regions region_000...). It alone fixes n, so it is parsed into growing
//  arrays, capped at SIM_CONNECTIVITY_MAX_REGIONS, and n is checked against
//  the size of the weights file before n x n doubles are allocated.
static int
s_parse_centres (const s_file_t *file, const s_file_t *weights, sim_connectivity_t **conn_p,
                 bool *labelled, bsw_error_t *err)
{
    size_t capacity = 128, n = 0, line = 0, cols = 0;
    double *xyz = bsw_malloc (capacity * 3 * sizeof (double));
    char **labels = bsw_calloc (capacity, sizeof (char *));
    const char *cursor = file->text, *start, *end;
    int rc = 0;
    while (rc == 0 && s_next_line (&cursor, &start, &end)) {
        line++;
        const char *p = start, *tokens[5];
        size_t lens[5], count = 0;
        while (count < 5 && s_next_token (&p, end, &tokens[count], &lens[count]))
            count++;
        if (count == 0)
            continue;
        if (cols == 0)
            cols = count;
        if (count != cols || (cols != 3 && cols != 4)) {
            rc = bsw_error_set (err, BSW_ECONNECTIVITY,
                                "%s: %s: line %zu has %s%zu fields, expected 'label x y z'",
                                file->label, file->name, line, count == 5 ? "more than " : "",
                                count == 5 ? (size_t) 4 : count);
            break;
        }
        if (n == SIM_CONNECTIVITY_MAX_REGIONS) {
            rc = bsw_error_set (err, BSW_ETOOBIG, "%s: %s: more than %d regions", file->label,
                                file->name, SIM_CONNECTIVITY_MAX_REGIONS);
            break;
        }
        if (n == capacity) {
            capacity *= 2;
            xyz = bsw_realloc (xyz, capacity * 3 * sizeof (double));
            labels = bsw_realloc (labels, capacity * sizeof (char *));
        }
        labels[n] = NULL;
        size_t first = cols - 3; // 1 when the line starts with a label
        if (first && lens[0] >= SIM_CONNECTIVITY_LABEL_MAX)
            rc = bsw_error_set (
                err, BSW_ECONNECTIVITY, "%s: %s: line %zu: label of %zu bytes, the limit is %d",
                file->label, file->name, line, lens[0], SIM_CONNECTIVITY_LABEL_MAX - 1);
        else if (first) {
            labels[n] = bsw_malloc (lens[0] + 1);
            memcpy (labels[n], tokens[0], lens[0]);
            labels[n][lens[0]] = '\0';
        }
        for (size_t k = 0; k < 3 && rc == 0; k++)
            rc = s_number (file, line, first + k + 1, tokens[first + k], lens[first + k], S_ANY,
                           &xyz[3 * n + k], err);
        n++;
    }
    if (rc == 0 && n < 2)
        rc = bsw_error_set (err, BSW_ECONNECTIVITY,
                            "%s: %s: %zu region%s; a connectivity needs at least 2", file->label,
                            file->name, n, n == 1 ? "" : "s");
    //  n x n numbers take at least one byte each plus a separator, so a
    //  centres file of 100000 lines cannot make us allocate 80 GB when the
    //  weights file is small. Small n go on to the line-level messages,
    //  which say more.
    if (rc == 0 && n * n > S_PRECHECK_VALUES && weights->size < 2 * n * n - 1)
        rc = bsw_error_set (err, BSW_ECONNECTIVITY,
                            "%s: %s: %zu bytes cannot hold %zu x %zu numbers (one row per "
                            "region of the centres file)",
                            weights->label, weights->name, weights->size, n, n);
    if (rc == 0) {
        sim_connectivity_t *conn = sim_connectivity_new (n);
        memcpy (conn->centres, xyz, n * 3 * sizeof (double));
        for (size_t i = 0; i < n && labels[i]; i++) {
            free (conn->region_labels[i]);
            conn->region_labels[i] = labels[i];
            labels[i] = NULL;
        }
        *conn_p = conn;
        *labelled = cols == 4;
    }
    for (size_t i = 0; i < n; i++)
        free (labels[i]);
    free (labels);
    free (xyz);
    return rc;
}

//  TVB's try_compute_hemispheres: every label starts with r/l (any case),
//  else every label ends with r/l; r is right (true). NULL otherwise.
static bool *
s_derive_hemispheres (const sim_connectivity_t *conn)
{
    bool *right = bsw_calloc (conn->n, sizeof (bool));
    for (int from_end = 0; from_end < 2; from_end++) {
        size_t i;
        for (i = 0; i < conn->n; i++) {
            const char *label = conn->region_labels[i];
            size_t len = strlen (label);
            char c = len ? (char) tolower ((unsigned char) label[from_end ? len - 1 : 0]) : 0;
            if (c != 'r' && c != 'l')
                break;
            right[i] = c == 'r';
        }
        if (i == conn->n)
            return right;
    }
    free (right);
    return NULL;
}

static int
s_parse_bools (const s_file_t *file, size_t n, bool **out_p, bsw_error_t *err)
{
    double *values = bsw_malloc (n * sizeof (double));
    int rc = s_parse_vector (file, n, 1, S_BOOL, values, err);
    if (rc == 0) {
        *out_p = bsw_calloc (n, sizeof (bool));
        for (size_t i = 0; i < n; i++)
            (*out_p)[i] = values[i] != 0;
    }
    free (values);
    return rc;
}

//  Pass 3: everything but the centres, into conn (n already known).
//  labelled: the centres file named the regions.
static int
s_fill (sim_connectivity_t *conn, const s_file_t files[S_ROLES], bool labelled, bsw_error_t *err)
{
    size_t n = conn->n;
    int rc = s_parse_matrix (&files[S_WEIGHTS], n, S_ANY, conn->weights, err);
    if (rc == 0 && files[S_TRACT].text)
        rc = s_parse_matrix (&files[S_TRACT], n, S_NONNEGATIVE, conn->tract_lengths, err);
    else if (rc == 0) // TVB's default: straight lines between centres
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                const double *a = conn->centres + 3 * i, *b = conn->centres + 3 * j;
                double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
                conn->tract_lengths[i * n + j] = sqrt (dx * dx + dy * dy + dz * dz);
            }
    if (rc == 0 && files[S_ORIENTATIONS].text) {
        conn->orientations = bsw_malloc (n * 3 * sizeof (double));
        rc = s_parse_vector (&files[S_ORIENTATIONS], n, 3, S_ANY, conn->orientations, err);
    }
    if (rc == 0 && files[S_AREAS].text) {
        conn->areas = bsw_malloc (n * sizeof (double));
        rc = s_parse_vector (&files[S_AREAS], n, 1, S_ANY, conn->areas, err);
    }
    if (rc == 0 && files[S_CORTICAL].text)
        rc = s_parse_bools (&files[S_CORTICAL], n, &conn->cortical, err);
    if (rc == 0 && files[S_HEMISPHERES].text)
        rc = s_parse_bools (&files[S_HEMISPHERES], n, &conn->hemispheres, err);
    else if (rc == 0 && labelled)
        conn->hemispheres = s_derive_hemispheres (conn);
    //  Without labels TVB would derive "all right" from region_000's 'r';
    //  that says nothing, so we leave the hemispheres unknown instead.
    return rc;
}

//  The three passes over an open archive; za stays the caller's.
static int
s_load_archive (zip_t *za, const char *label, sim_connectivity_t **conn_p, bsw_error_t *err)
{
    s_file_t files[S_ROLES];
    memset (files, 0, sizeof files);
    for (int r = 0; r < S_ROLES; r++)
        files[r].label = label;
    sim_connectivity_t *conn = NULL;
    bool labelled = false;
    int rc = s_scan (za, label, files, err);
    if (rc == 0 && !files[S_WEIGHTS].text)
        rc = bsw_error_set (err, BSW_ECONNECTIVITY,
                            "%s: no weights file (an entry whose name contains 'weight')", label);
    if (rc == 0 && !files[S_CENTRES].text)
        rc = bsw_error_set (err, BSW_ECONNECTIVITY,
                            "%s: no centres file (an entry whose name contains 'centres' or "
                            "'centers')",
                            label);
    if (rc == 0)
        rc = s_parse_centres (&files[S_CENTRES], &files[S_WEIGHTS], &conn, &labelled, err);
    if (rc == 0)
        rc = s_fill (conn, files, labelled, err);
    if (rc == 0) {
        rc = sim_connectivity_check (conn, err);
        if (rc)
            bsw_error_prefix (err, "%s", label);
    }
    for (int r = 0; r < S_ROLES; r++) {
        free (files[r].name);
        free (files[r].text);
    }
    if (rc)
        sim_connectivity_destroy (&conn);
    else
        *conn_p = conn;
    return rc;
}

//  libzip's open errors as ours: unreadable is I/O, anything else means
//  the bytes are not a zip we can read.
static int
s_open_error (zip_error_t *zerr, const char *label, bsw_error_t *err)
{
    int ze = zip_error_code_zip (zerr);
    int code;
    if (ze == ZIP_ER_NOZIP)
        code = bsw_error_set (err, BSW_EFORMAT, "%s: not a zip archive", label);
    else if (ze == ZIP_ER_MEMORY)
        code = bsw_error_set (err, BSW_ENOMEM, "%s: out of memory opening the zip", label);
    else if (ze == ZIP_ER_NOENT || ze == ZIP_ER_OPEN || ze == ZIP_ER_READ || ze == ZIP_ER_SEEK)
        code =
            bsw_error_set (err, BSW_EIO, "%s: cannot read: %s", label, zip_error_strerror (zerr));
    else
        code = bsw_error_set (err, BSW_EFORMAT, "%s: not a readable zip archive: %s", label,
                              zip_error_strerror (zerr));
    zip_error_fini (zerr);
    return code;
}

int
store_connectivity_load (sim_connectivity_t **conn_p, const char *path, bsw_error_t *err)
{
    BSW_ASSERT (conn_p && path);
    *conn_p = NULL;
    bsw_error_clear (err);
    int zcode = 0;
    zip_t *za = zip_open (path, ZIP_RDONLY, &zcode);
    if (!za) {
        zip_error_t zerr;
        zip_error_init_with_code (&zerr, zcode);
        return s_open_error (&zerr, path, err);
    }
    int rc = s_load_archive (za, path, conn_p, err);
    zip_discard (za); // read-only: nothing to write back
    return rc;
}

int
store_connectivity_load_buffer (sim_connectivity_t **conn_p, const void *data, size_t size,
                                const char *label, bsw_error_t *err)
{
    BSW_ASSERT (conn_p && (data || size == 0));
    *conn_p = NULL;
    bsw_error_clear (err);
    label = label ? label : "connectivity";
    //  libzip opens zero bytes as a new, empty archive; say what it is.
    if (size == 0)
        return bsw_error_set (err, BSW_EFORMAT, "%s: not a zip archive (0 bytes)", label);
    zip_error_t zerr;
    zip_error_init (&zerr);
    zip_source_t *src = zip_source_buffer_create (data, size, 0, &zerr);
    if (!src)
        return s_open_error (&zerr, label, err);
    zip_t *za = zip_open_from_source (src, ZIP_RDONLY, &zerr);
    if (!za) {
        zip_source_free (src);
        return s_open_error (&zerr, label, err);
    }
    zip_error_fini (&zerr);
    int rc = s_load_archive (za, label, conn_p, err);
    zip_discard (za); // also frees src, which the archive took over
    return rc;
}

//  --------------------------------------------------------------------------
//  Writing

//  A growing text buffer; handed to libzip, which frees it.
typedef struct {
    char *data; /* bytes, not NUL-terminated */
    size_t len; /* bytes used */
    size_t cap; /* bytes allocated */
} s_text_t;

static void
s_text_add (s_text_t *text, const char *s, size_t len)
{
    if (text->len + len > text->cap) {
        text->cap = (text->len + len) * 2 + 4096;
        text->data = bsw_realloc (text->data, text->cap);
    }
    memcpy (text->data + text->len, s, len);
    text->len += len;
}

//  rows x cols numbers, shortest round-trip form ("0.0", "2.5"), so a
//  reader gets back exactly the doubles we hold.
static void
s_text_numbers (s_text_t *text, const double *values, size_t rows, size_t cols)
{
    char buf[BSW_DOUBLE_BUF];
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            bsw_format_double (values[i * cols + j], buf);
            s_text_add (text, buf, strlen (buf));
            s_text_add (text, j + 1 < cols ? " " : "\n", 1);
        }
}

static void
s_text_bools (s_text_t *text, const bool *values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s_text_add (text, values[i] ? "1\n" : "0\n", 2);
}

static void
s_text_centres (s_text_t *text, const sim_connectivity_t *conn)
{
    for (size_t i = 0; i < conn->n; i++) {
        s_text_add (text, conn->region_labels[i], strlen (conn->region_labels[i]));
        s_text_add (text, " ", 1);
        s_text_numbers (text, conn->centres + 3 * i, 1, 3);
    }
}

//  The text of one role's file and its name (names TVB's importer matches,
//  one token each, TVB.md 12.1); NULL when conn has no such data.
static const char *
s_text_for (const sim_connectivity_t *conn, int role, s_text_t *text)
{
    size_t n = conn->n;
    switch (role) {
    case S_WEIGHTS:
        s_text_numbers (text, conn->weights, n, n);
        return "weights.txt";
    case S_CENTRES:
        s_text_centres (text, conn);
        return "centres.txt";
    case S_TRACT:
        s_text_numbers (text, conn->tract_lengths, n, n);
        return "tract_lengths.txt";
    case S_ORIENTATIONS:
        if (!conn->orientations)
            return NULL;
        s_text_numbers (text, conn->orientations, n, 3);
        return "average_orientations.txt";
    case S_AREAS:
        if (!conn->areas)
            return NULL;
        s_text_numbers (text, conn->areas, n, 1);
        return "areas.txt";
    case S_CORTICAL:
        if (!conn->cortical)
            return NULL;
        s_text_bools (text, conn->cortical, n);
        return "cortical.txt";
    case S_HEMISPHERES:
        if (!conn->hemispheres)
            return NULL;
        s_text_bools (text, conn->hemispheres, n);
        return "hemispheres.txt";
    }
    return NULL;
}

//  Adds one entry; the archive takes the text whatever happens.
static int
s_add_entry (zip_t *za, const char *name, s_text_t *text, const char *path, bsw_error_t *err)
{
    zip_source_t *src = zip_source_buffer (za, text->data, text->len, 1);
    if (!src) {
        free (text->data);
        return bsw_error_set (err, BSW_EIO, "%s: %s: %s", path, name, zip_strerror (za));
    }
    if (zip_file_add (za, name, src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) < 0) {
        zip_source_free (src);
        return bsw_error_set (err, BSW_EIO, "%s: %s: %s", path, name, zip_strerror (za));
    }
    return 0;
}

//  A label must survive the "label x y z" line: one token, not a comment.
static int
s_check_labels (const sim_connectivity_t *conn, bsw_error_t *err)
{
    for (size_t i = 0; i < conn->n; i++) {
        const char *label = conn->region_labels[i];
        bool bad = *label == '\0' || *label == '#';
        for (const char *c = label; *c && !bad; c++)
            bad = isspace ((unsigned char) *c);
        if (bad)
            return bsw_error_set (err, BSW_EINVAL,
                                  "region label %zu '%s' cannot be written to centres.txt "
                                  "(empty, starts with '#' or has whitespace)",
                                  i, label);
    }
    return 0;
}

int
store_connectivity_save_zip (const sim_connectivity_t *conn, const char *path, bsw_error_t *err)
{
    BSW_ASSERT (conn && path);
    bsw_error_clear (err);
    int rc = sim_connectivity_check (conn, err);
    if (rc == 0)
        rc = s_check_labels (conn, err);
    if (rc)
        return rc;
    int zcode = 0;
    zip_t *za = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, &zcode);
    if (!za) {
        zip_error_t zerr;
        zip_error_init_with_code (&zerr, zcode);
        rc =
            bsw_error_set (err, BSW_EIO, "%s: cannot create: %s", path, zip_error_strerror (&zerr));
        zip_error_fini (&zerr);
        return rc;
    }
    for (int role = 0; role < S_ROLES && rc == 0; role++) {
        s_text_t text = {NULL, 0, 0};
        const char *name = s_text_for (conn, role, &text);
        if (name)
            rc = s_add_entry (za, name, &text, path, err);
    }
    if (rc) {
        zip_discard (za);
        return rc;
    }
    //  zip_close writes a temporary file and renames it over path, so a
    //  failed save leaves no half-written zip behind.
    if (zip_close (za) != 0) {
        rc = bsw_error_set (err, BSW_EIO, "%s: cannot write: %s", path, zip_strerror (za));
        zip_discard (za);
    }
    return rc;
}
