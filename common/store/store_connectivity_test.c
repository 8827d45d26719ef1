/*  store_connectivity_test.c - reading and writing TVB connectivity zips
    (TVB.md section 12).

    Bad zips are built at run time with libzip, each case's in a folder of
    its own (bsw_test_dir.h), so every fixture is visible in the table
    below. The shared tvb-data zips are read when BSW_SHARED points at the
    shared folder; their figures were checked independently with a few
    lines of Python (zipfile + float) and TVB.md section 14.1. Set
    BSW_KEEP_TMP=1 to keep the fixture zips (the folders are under TMPDIR
    or /tmp, store_connectivity_test-*, each named on stderr) for a look
    with unzip.
*/
#include "store_connectivity.h"
#include "bsw_test.h"
#include "bsw_test_dir.h"

#include <stdbool.h>
#include <zip.h>

#define S_DT_MS      0.01220703125 /* TVB's default dt */
#define S_SPEED_MMMS 3.0           /* TVB's Connectivity.speed */

//  --------------------------------------------------------------------------
//  Helpers: the case's folder, zips from strings

static char s_dir[BSW_TEST_DIR_MAX]; /* the folder of the case running */

//  The fixture of the cases that write zips: a new folder of their own
//  (bsw_test_dir.h), in which s_path names files. False when it cannot be
//  made.
static bool
s_dir_fixture (void)
{
    return bsw_test_dir_new (s_dir, "store_connectivity_test");
}

//  Its end: the folder removed, or kept and named when BSW_KEEP_TMP is set.
static void
s_dir_end (void)
{
    if (getenv ("BSW_KEEP_TMP"))
        fprintf (stderr, "kept %s\n", s_dir);
    else
        bsw_test_dir_remove (s_dir);
    s_dir[0] = '\0';
}

//  A file in the case's folder (bsw_test_dir_path: the last 8 stay valid).
static const char *
s_path (const char *name)
{
    return bsw_test_dir_path (s_dir, name);
}

//  An entry of a test zip: name and text (static strings).
typedef struct {
    const char *name;
    const char *text;
} s_entry_t;

#define S_MAX_ENTRIES 8

//  Writes a zip of the given entries (up to the first NULL name).
static void
s_write_zip (const char *path, const s_entry_t *entries)
{
    int zcode;
    zip_t *za = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, &zcode);
    if (!za)
        abort ();
    for (int i = 0; i < S_MAX_ENTRIES && entries[i].name; i++) {
        zip_source_t *src = zip_source_buffer (za, entries[i].text, strlen (entries[i].text), 0);
        if (!src || zip_file_add (za, entries[i].name, src, ZIP_FL_OVERWRITE) < 0)
            abort ();
    }
    if (zip_close (za) != 0)
        abort ();
}

static void
s_write_bytes (const char *path, const void *data, size_t size)
{
    FILE *f = fopen (path, "wb");
    if (!f || fwrite (data, 1, size, f) != size)
        abort ();
    fclose (f);
}

//  The whole of a file, caller frees; NULL if unreadable.
static char *
s_read_bytes (const char *path, size_t *size)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return NULL;
    fseek (f, 0, SEEK_END);
    long len = ftell (f);
    fseek (f, 0, SEEK_SET);
    char *data = malloc ((size_t) len + 1);
    *size = fread (data, 1, (size_t) len, f);
    fclose (f);
    return data;
}

//  Max idelay over non-zero weights only (TVB.md 2.2 quotes it).
static int
s_max_used_idelay (const sim_connectivity_t *conn, const int *idelays)
{
    int longest = 0;
    for (size_t k = 0; k < conn->n * conn->n; k++)
        if (conn->weights[k] != 0 && idelays[k] > longest)
            longest = idelays[k];
    return longest;
}

static size_t
s_diagonal (const sim_connectivity_t *conn)
{
    size_t count = 0;
    for (size_t i = 0; i < conn->n; i++)
        count += conn->weights[i * conn->n + i] != 0;
    return count;
}

//  --------------------------------------------------------------------------
//  Cases

//  Usage: export the built-in default as a TVB zip, read it back.
static int
s_test_usage (void)
{
    BSW_CHECK (s_dir_fixture ());
    sim_connectivity_t *conn = sim_connectivity_new_default ();
    bsw_error_t err;
    const char *path = s_path ("default.zip");
    BSW_CHECK_MSG (store_connectivity_save_zip (conn, path, &err) == 0, "%s", err.text);

    sim_connectivity_t *loaded = NULL;
    int rc = store_connectivity_load (&loaded, path, &err);
    BSW_CHECK_MSG (rc == 0, "%s", err.text);
    BSW_CHECK_INT (loaded->n, 76);
    BSW_CHECK_INT (sim_connectivity_nonzero (loaded), sim_connectivity_nonzero (conn));

    //  A failed load leaves *conn_p NULL and says why.
    sim_connectivity_t *missing = NULL;
    BSW_CHECK_INT (store_connectivity_load (&missing, s_path ("nope.zip"), &err), BSW_EIO);
    BSW_CHECK (missing == NULL);
    BSW_CHECK_MSG (strstr (err.text, "nope.zip: cannot read"), "%s", err.text);

    sim_connectivity_destroy (&loaded);
    sim_connectivity_destroy (&conn);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  save_zip + load give back exactly the same doubles, labels and flags.
static int
s_test_roundtrip (void)
{
    BSW_CHECK (s_dir_fixture ());
    sim_connectivity_t *conn = sim_connectivity_new_default ();
    bsw_error_t err;
    const char *path = s_path ("roundtrip.zip");
    BSW_CHECK_INT (store_connectivity_save_zip (conn, path, &err), 0);
    sim_connectivity_t *back = NULL;
    BSW_CHECK_MSG (store_connectivity_load (&back, path, &err) == 0, "%s", err.text);
    size_t n = conn->n;
    BSW_CHECK_INT (back->n, n);
    BSW_CHECK (memcmp (back->weights, conn->weights, n * n * sizeof (double)) == 0);
    BSW_CHECK (memcmp (back->tract_lengths, conn->tract_lengths, n * n * sizeof (double)) == 0);
    BSW_CHECK (memcmp (back->centres, conn->centres, n * 3 * sizeof (double)) == 0);
    BSW_CHECK (back->orientations && back->areas && back->cortical && back->hemispheres);
    BSW_CHECK (memcmp (back->orientations, conn->orientations, n * 3 * sizeof (double)) == 0);
    BSW_CHECK (memcmp (back->areas, conn->areas, n * sizeof (double)) == 0);
    BSW_CHECK (memcmp (back->cortical, conn->cortical, n * sizeof (bool)) == 0);
    BSW_CHECK (memcmp (back->hemispheres, conn->hemispheres, n * sizeof (bool)) == 0);
    for (size_t i = 0; i < n; i++)
        BSW_CHECK_STR (back->region_labels[i], conn->region_labels[i]);
    char gid_a[37], gid_b[37];
    sim_connectivity_gid (conn, gid_a);
    sim_connectivity_gid (back, gid_b);
    BSW_CHECK_STR (gid_b, gid_a);

    //  Labels that the text format cannot hold are refused, not mangled.
    free (conn->region_labels[4]);
    conn->region_labels[4] = strdup ("two words");
    BSW_CHECK_INT (store_connectivity_save_zip (conn, s_path ("bad_label.zip"), &err), BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "'two words'"), "%s", err.text);
    //  An unwritable place is an I/O error.
    BSW_CHECK_INT (store_connectivity_save_zip (back, "/nonexistent-dir/x.zip", &err), BSW_EIO);
    sim_connectivity_destroy (&back);
    sim_connectivity_destroy (&conn);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  load_buffer reads the same bytes as load reads from disk.
static int
s_test_load_buffer (void)
{
    BSW_CHECK (s_dir_fixture ());
    const char *shared = bsw_test_shared_dir ();
    char path[4096];
    if (shared)
        snprintf (path, sizeof path, "%s/tvb-data/connectivity_76.zip", shared);
    else {
        sim_connectivity_t *conn = sim_connectivity_new_default ();
        BSW_CHECK_INT (store_connectivity_save_zip (conn, s_path ("buffer.zip"), NULL), 0);
        sim_connectivity_destroy (&conn);
        snprintf (path, sizeof path, "%s", s_path ("buffer.zip"));
    }
    size_t size;
    char *bytes = s_read_bytes (path, &size);
    BSW_CHECK (bytes);
    sim_connectivity_t *from_file = NULL, *from_buffer = NULL;
    bsw_error_t err;
    BSW_CHECK_MSG (store_connectivity_load (&from_file, path, &err) == 0, "%s", err.text);
    BSW_CHECK_MSG (store_connectivity_load_buffer (&from_buffer, bytes, size, "sweep.zip", &err) ==
                       0,
                   "%s", err.text);
    char gid_a[37], gid_b[37];
    sim_connectivity_gid (from_file, gid_a);
    sim_connectivity_gid (from_buffer, gid_b);
    BSW_CHECK_STR (gid_b, gid_a);
    sim_connectivity_destroy (&from_buffer);

    //  Errors name the label given; the buffer is never written.
    BSW_CHECK_INT (store_connectivity_load_buffer (&from_buffer, bytes, size / 2, "half.zip", &err),
                   BSW_EFORMAT);
    BSW_CHECK_MSG (strncmp (err.text, "half.zip: ", 10) == 0, "%s", err.text);
    BSW_CHECK_INT (store_connectivity_load_buffer (&from_buffer, bytes, 0, "none.zip", &err),
                   BSW_EFORMAT);
    BSW_CHECK_STR (err.text, "none.zip: not a zip archive (0 bytes)");
    BSW_CHECK (from_buffer == NULL);
    free (bytes);
    sim_connectivity_destroy (&from_file);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  What TVB accepts besides the plain layout: folders, spellings, case,
//  comments, CRLF, Mac debris, defaults for what is missing.
static int
s_test_variants (void)
{
    BSW_CHECK (s_dir_fixture ());
    const s_entry_t entries[] = {
        {"conn/Weights.TXT", "# target by source\n\n0 1\r\n2.5e0 0 # inline comment\r\n"},
        {"conn/Centers.txt", "aR 0 0 0\nbL 3 4 0\n"},
        {"conn/areas.txt", "1.5 2.5\n"},
        {"__MACOSX/conn/._weights.txt", "\x01\x02 not text"},
        {"conn/.DS_Store", "junk"},
        {"conn/info.txt", "weights_unit = au"},
        {NULL, NULL},
    };
    s_write_zip (s_path ("variants.zip"), entries);
    sim_connectivity_t *conn = NULL;
    bsw_error_t err;
    BSW_CHECK_MSG (store_connectivity_load (&conn, s_path ("variants.zip"), &err) == 0, "%s",
                   err.text);
    BSW_CHECK_INT (conn->n, 2);
    BSW_CHECK_DOUBLE_EQ (conn->weights[1], 1.0);
    BSW_CHECK_DOUBLE_EQ (conn->weights[2], 2.5);
    BSW_CHECK_DOUBLE_EQ (conn->tract_lengths[1], 5.0); // Euclidean, no tract file
    BSW_CHECK_DOUBLE_EQ (conn->tract_lengths[2], 5.0);
    BSW_CHECK (conn->hemispheres && conn->hemispheres[0] && !conn->hemispheres[1]); // suffix
    BSW_CHECK (conn->areas && conn->areas[0] == 1.5 && conn->areas[1] == 2.5);
    BSW_CHECK (!conn->cortical && !conn->orientations);
    sim_connectivity_destroy (&conn);

    //  Centres without labels: TVB's region_000...; mixed labels: no
    //  hemispheres; an explicit hemispheres file wins over labels.
    const s_entry_t unlabelled[] = {
        {"weights.txt", "0 1\n1 0\n"},
        {"centres.txt", "0 0 0\n1 0 0\n"},
        {NULL, NULL},
    };
    s_write_zip (s_path ("unlabelled.zip"), unlabelled);
    BSW_CHECK_INT (store_connectivity_load (&conn, s_path ("unlabelled.zip"), &err), 0);
    BSW_CHECK_STR (conn->region_labels[1], "region_001");
    BSW_CHECK (conn->hemispheres == NULL);
    sim_connectivity_destroy (&conn);
    const s_entry_t mixed[] = {
        {"weights.txt", "0 1 0\n1 0 0\n0 0 0\n"},
        {"centres.txt", "rA 0 0 0\nlA 1 0 0\nCC 2 0 0\n"},
        {NULL, NULL},
    };
    s_write_zip (s_path ("mixed.zip"), mixed);
    BSW_CHECK_INT (store_connectivity_load (&conn, s_path ("mixed.zip"), &err), 0);
    BSW_CHECK (conn->hemispheres == NULL); // "CC" has no side
    sim_connectivity_destroy (&conn);
    const s_entry_t explicit_hemi[] = {
        {"weights.txt", "0 1\n1 0\n"},
        {"centres.txt", "rA 0 0 0\nlA 1 0 0\n"},
        {"hemispheres.txt", "0\n1\n"},
        {NULL, NULL},
    };
    s_write_zip (s_path ("hemi.zip"), explicit_hemi);
    BSW_CHECK_INT (store_connectivity_load (&conn, s_path ("hemi.zip"), &err), 0);
    BSW_CHECK (!conn->hemispheres[0] && conn->hemispheres[1]);
    sim_connectivity_destroy (&conn);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  Malformed zips: each gives its code and a sentence naming the place.
#define S_CENTRES2                                                                                 \
    {                                                                                              \
        "centres.txt", "rA 0 0 0\nlA 10 0 0\n"                                                     \
    }
#define S_WEIGHTS2                                                                                 \
    {                                                                                              \
        "weights.txt", "0 1\n1 0\n"                                                                \
    }

static const struct {
    const char *name; /* the zip's file name, in the message */
    s_entry_t entries[S_MAX_ENTRIES];
    int code;            /* expected BSW_E* */
    const char *message; /* expected substring */
} s_malformed[] = {
    {"missing_weights.zip",
     {S_CENTRES2},
     BSW_ECONNECTIVITY,
     "missing_weights.zip: no weights file (an entry whose name contains 'weight')"},
    {"missing_centres.zip",
     {S_WEIGHTS2},
     BSW_ECONNECTIVITY,
     "missing_centres.zip: no centres file"},
    {"row_length.zip",
     {S_CENTRES2, {"weights.txt", "0 1\n1\n"}},
     BSW_ECONNECTIVITY,
     "row_length.zip: weights.txt: line 2 has 1 value, expected 2"},
    {"row_count.zip",
     {S_CENTRES2, {"weights.txt", "0.0 1.0\n"}},
     BSW_ECONNECTIVITY,
     "row_count.zip: weights.txt: 1 row, expected 2"},
    {"extra_row.zip",
     {S_CENTRES2, {"weights.txt", "0 1\n1 0\n\n1 1\n"}},
     BSW_ECONNECTIVITY,
     "weights.txt: line 4: more than 2 rows, expected 2"},
    {"not_number.zip",
     {S_CENTRES2, {"weights.txt", "0 abc\n1 0\n"}},
     BSW_EFORMAT,
     "not_number.zip: weights.txt: line 1, column 2: 'abc' is not a number"},
    {"hex.zip",
     {S_CENTRES2, {"weights.txt", "0 0x10\n1 0\n"}},
     BSW_EFORMAT,
     "'0x10' is not a number"},
    {"nan.zip",
     {S_CENTRES2, {"weights.txt", "0 1\nnan 0\n"}},
     BSW_EFORMAT,
     "weights.txt: line 2, column 1: nan is not finite"},
    {"inf_centre.zip",
     {{"centres.txt", "rA 0 0 0\nlA 1 -inf 0\n"}, S_WEIGHTS2},
     BSW_EFORMAT,
     "centres.txt: line 2, column 3: -inf is not finite"},
    {"negative_tract.zip",
     {S_CENTRES2, S_WEIGHTS2, {"tract_lengths.txt", "0 5\n-1 0\n"}},
     BSW_ECONNECTIVITY,
     "negative_tract.zip: tract_lengths.txt: line 2, column 1: -1 is negative"},
    {"tract_shape.zip",
     {S_CENTRES2, S_WEIGHTS2, {"tract_lengths.txt", "0 5 5\n5 0 5\n"}},
     BSW_ECONNECTIVITY,
     "tract_lengths.txt: line 1 has 3 values, expected 2"},
    {"areas_short.zip",
     {S_CENTRES2, S_WEIGHTS2, {"areas.txt", "1\n"}},
     BSW_ECONNECTIVITY,
     "areas.txt: 1 value, expected 2 (one per region"},
    {"areas_long.zip",
     {S_CENTRES2, S_WEIGHTS2, {"areas.txt", "1\n2\n3\n"}},
     BSW_ECONNECTIVITY,
     "areas.txt: line 3: more than 2 values, expected 2"},
    {"orientations_rows.zip",
     {S_CENTRES2, S_WEIGHTS2, {"average_orientations.txt", "1 0 0\n"}},
     BSW_ECONNECTIVITY,
     "average_orientations.txt: 1 row, expected 2"},
    {"orientations.zip",
     {S_CENTRES2, S_WEIGHTS2, {"average_orientations.txt", "1 0\n0 1\n"}},
     BSW_ECONNECTIVITY,
     "average_orientations.txt: line 1 has 2 values, expected 3"},
    {"cortical.zip",
     {S_CENTRES2, S_WEIGHTS2, {"cortical.txt", "1\n2\n"}},
     BSW_ECONNECTIVITY,
     "cortical.txt: line 2, column 1: 2 is not 0 or 1"},
    {"one_region.zip",
     {{"centres.txt", "rA 0 0 0\n"}, {"weights.txt", "1\n"}},
     BSW_ECONNECTIVITY,
     "one_region.zip: centres.txt: 1 region; a connectivity needs at least 2"},
    {"centres_fields.zip",
     {{"centres.txt", "rA 0 0 0 9\nlA 1 0 0\n"}, S_WEIGHTS2},
     BSW_ECONNECTIVITY,
     "centres.txt: line 1 has more than 4 fields, expected 'label x y z'"},
    {"two_weights.zip",
     {S_CENTRES2, S_WEIGHTS2, {"old/weights_v1.txt", "0 1\n1 0\n"}},
     BSW_ECONNECTIVITY,
     "both 'weights.txt' and 'old/weights_v1.txt' match 'weight'"},
    {"numpy.zip",
     {S_CENTRES2, {"weights.npy", "\x93NUMPY"}},
     BSW_EFORMAT,
     "weights.npy: numpy files are not supported"},
};

static int
s_test_malformed (void)
{
    BSW_CHECK (s_dir_fixture ());
    for (size_t c = 0; c < sizeof s_malformed / sizeof s_malformed[0]; c++) {
        const char *path = s_path (s_malformed[c].name);
        s_write_zip (path, s_malformed[c].entries);
        sim_connectivity_t *conn = NULL;
        bsw_error_t err;
        int rc = store_connectivity_load (&conn, path, &err);
        BSW_CHECK_MSG (rc == s_malformed[c].code && conn == NULL, "%s: %s (%s)",
                       s_malformed[c].name, bsw_errname (rc), err.text);
        BSW_CHECK_MSG (strstr (err.text, s_malformed[c].message), "%s: '%s' lacks '%s'",
                       s_malformed[c].name, err.text, s_malformed[c].message);
        BSW_CHECK (strstr (err.text, s_malformed[c].name)); // the path leads
    }
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  Files that are not zips at all.
static int
s_test_not_zip (void)
{
    BSW_CHECK (s_dir_fixture ());
    sim_connectivity_t *conn = NULL;
    bsw_error_t err;
    const char *text = "weights, but as plain text\n";
    s_write_bytes (s_path ("plain.zip"), text, strlen (text));
    BSW_CHECK_INT (store_connectivity_load (&conn, s_path ("plain.zip"), &err), BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "plain.zip: not a zip archive"), "%s", err.text);

    //  The smallest valid zip: an end-of-central-directory record alone.
    //  (libzip refuses to write an archive without entries.)
    static const unsigned char empty[22] = {'P', 'K', 5, 6};
    s_write_bytes (s_path ("empty.zip"), empty, sizeof empty);
    BSW_CHECK_INT (store_connectivity_load (&conn, s_path ("empty.zip"), &err), BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "empty.zip: empty zip archive"), "%s", err.text);

    //  A zip cut in half.
    s_entry_t entries[] = {S_CENTRES2, S_WEIGHTS2, {NULL, NULL}};
    s_write_zip (s_path ("whole.zip"), entries);
    size_t size = 0;
    char *bytes = s_read_bytes (s_path ("whole.zip"), &size);
    s_write_bytes (s_path ("cut.zip"), bytes, size / 2);
    free (bytes);
    BSW_CHECK_INT (store_connectivity_load (&conn, s_path ("cut.zip"), &err), BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "cut.zip: not a zip archive"), "%s", err.text);
    BSW_CHECK (conn == NULL);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  A long centres file with a short weights file is refused before the
//  n x n matrices are allocated.
static int
s_test_size_guard (void)
{
    BSW_CHECK (s_dir_fixture ());
    size_t n = 5000, len = 0;
    char *centres = malloc (n * 32);
    for (size_t i = 0; i < n; i++)
        len += (size_t) sprintf (centres + len, "r%zu %zu 0 0\n", i, i);
    s_entry_t entries[] = {{"centres.txt", centres}, S_WEIGHTS2, {NULL, NULL}};
    s_write_zip (s_path ("guard.zip"), entries);
    free (centres);
    sim_connectivity_t *conn = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (store_connectivity_load (&conn, s_path ("guard.zip"), &err), BSW_ECONNECTIVITY);
    BSW_CHECK_MSG (strstr (err.text, "weights.txt: 8 bytes cannot hold 5000 x 5000 numbers"), "%s",
                   err.text);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  A zip bomb: a weights.txt of 80 MB of one repeated byte deflates to
//  about 80 kB. It is refused from the central directory's declared sizes,
//  before anything is inflated, and so is an archive of too many entries.
static int
s_test_zip_bomb (void)
{
    BSW_CHECK (s_dir_fixture ());
    size_t big = 80u << 20;
    char *zeros = malloc (big + 1);
    BSW_CHECK (zeros);
    memset (zeros, '0', big);
    zeros[big] = '\0';
    s_entry_t entries[] = {S_CENTRES2, {"bomb/weights.txt", zeros}, {NULL, NULL}};
    s_write_zip (s_path ("bomb.zip"), entries);
    free (zeros);
    size_t size = 0;
    char *bytes = s_read_bytes (s_path ("bomb.zip"), &size);
    BSW_CHECK (bytes && size < big / 100);
    sim_connectivity_t *conn = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (store_connectivity_load_buffer (&conn, bytes, size, "bomb.zip", &err),
                   BSW_ETOOBIG);
    BSW_CHECK (conn == NULL);
    BSW_CHECK_MSG (strstr (err.text, "bomb.zip: bomb/weights.txt: 83886080 bytes uncompressed"),
                   "%s", err.text);
    BSW_CHECK_MSG (strstr (err.text, "a connectivity's text is at most 67108864 bytes"), "%s",
                   err.text);
    free (bytes);
    //  Many entries, each empty: refused by their count.
    int zcode;
    zip_t *za = zip_open (s_path ("many.zip"), ZIP_CREATE | ZIP_TRUNCATE, &zcode);
    BSW_CHECK (za);
    for (int i = 0; i < 5000; i++) {
        char name[32];
        snprintf (name, sizeof name, "e%d.txt", i);
        zip_source_t *src = zip_source_buffer (za, "", 0, 0);
        BSW_CHECK (src && zip_file_add (za, name, src, 0) >= 0);
    }
    BSW_CHECK (zip_close (za) == 0);
    BSW_CHECK_INT (store_connectivity_load (&conn, s_path ("many.zip"), &err), BSW_ETOOBIG);
    BSW_CHECK_MSG (strstr (err.text, "5000 entries, the limit is 4096"), "%s", err.text);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  Loads tvb-data/<name>, or returns NULL (the caller skips).
static sim_connectivity_t *
s_load_shared (const char *name)
{
    const char *shared = bsw_test_shared_dir ();
    if (!shared)
        return NULL;
    char path[4096];
    snprintf (path, sizeof path, "%s/tvb-data/%s", shared, name);
    sim_connectivity_t *conn = NULL;
    bsw_error_t err;
    if (store_connectivity_load (&conn, path, &err) != 0) {
        fprintf (stderr, "%s\n", err.text);
        abort ();
    }
    return conn;
}

//  connectivity_76: the numbers of TVB.md 2.2 and 14.1.
static int
s_test_tvb76 (void)
{
    sim_connectivity_t *conn = s_load_shared ("connectivity_76.zip");
    if (!conn)
        return BSW_TEST_SKIP;
    size_t n = conn->n;
    BSW_CHECK_INT (n, 76);
    BSW_CHECK_INT (sim_connectivity_nonzero (conn), 1560);
    BSW_CHECK_INT (s_diagonal (conn), 66);
    BSW_CHECK (!sim_connectivity_undirected (conn));
    double max_tract = 0;
    for (size_t k = 0; k < n * n; k++)
        max_tract = fmax (max_tract, conn->tract_lengths[k]);
    BSW_CHECK_MSG (fabs (max_tract - 153.48574) < 1e-5, "%.17g", max_tract);
    int *idelays = malloc (n * n * sizeof (int));
    bsw_error_t err;
    BSW_CHECK_INT (sim_connectivity_idelays (conn, S_SPEED_MMMS, S_DT_MS, idelays, &err), 4192);
    BSW_CHECK_INT (s_max_used_idelay (conn, idelays), 3781);
    free (idelays);
    BSW_CHECK_STR (conn->region_labels[0], "rA1");
    BSW_CHECK_STR (conn->region_labels[75], "lCC");
    //  No hemispheres file: derived from the r/l prefixes, 38 right.
    BSW_CHECK (conn->hemispheres);
    size_t right = 0;
    for (size_t i = 0; i < n; i++) {
        right += conn->hemispheres[i];
        BSW_CHECK (conn->hemispheres[i] == (conn->region_labels[i][0] == 'r'));
        BSW_CHECK (conn->cortical[i]);
    }
    BSW_CHECK_INT (right, 38);
    BSW_CHECK (conn->areas && conn->orientations);
    BSW_CHECK_DOUBLE_EQ (conn->centres[0], -9.885591);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

//  connectivity_192: files inside a connectivity_192/ folder.
static int
s_test_tvb192 (void)
{
    sim_connectivity_t *conn = s_load_shared ("connectivity_192.zip");
    if (!conn)
        return BSW_TEST_SKIP;
    BSW_CHECK_INT (conn->n, 192);
    BSW_CHECK_INT (sim_connectivity_nonzero (conn), 3532);
    BSW_CHECK_INT (s_diagonal (conn), 66);
    BSW_CHECK_STR (conn->region_labels[0], "lAD");
    BSW_CHECK (conn->hemispheres && !conn->hemispheres[0] && conn->hemispheres[191]);
    BSW_CHECK (conn->cortical && conn->areas && conn->orientations);
    int *idelays = malloc (192 * 192 * sizeof (int));
    bsw_error_t err;
    BSW_CHECK_INT (sim_connectivity_idelays (conn, S_SPEED_MMMS, S_DT_MS, idelays, &err), 3883);
    free (idelays);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

//  connectivity_998: mapping and label files beside the data are ignored.
static int
s_test_tvb998 (void)
{
    sim_connectivity_t *conn = s_load_shared ("connectivity_998.zip");
    if (!conn)
        return BSW_TEST_SKIP;
    BSW_CHECK_INT (conn->n, 998);
    BSW_CHECK_INT (sim_connectivity_nonzero (conn), 35730);
    BSW_CHECK_INT (s_diagonal (conn), 0);
    BSW_CHECK_STR (conn->region_labels[0], "rLOF");
    BSW_CHECK (conn->hemispheres && conn->hemispheres[0] && !conn->hemispheres[997]);
    BSW_CHECK (conn->areas && !conn->cortical && !conn->orientations);
    int *idelays = malloc (998 * 998 * sizeof (int));
    bsw_error_t err;
    BSW_CHECK_INT (sim_connectivity_idelays (conn, S_SPEED_MMMS, S_DT_MS, idelays, &err), 5176);
    free (idelays);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"roundtrip", s_test_roundtrip},
                                          {"load_buffer", s_test_load_buffer},
                                          {"variants", s_test_variants},
                                          {"malformed", s_test_malformed},
                                          {"not_zip", s_test_not_zip},
                                          {"size_guard", s_test_size_guard},
                                          {"zip_bomb", s_test_zip_bomb},
                                          {"tvb76", s_test_tvb76},
                                          {"tvb192", s_test_tvb192},
                                          {"tvb998", s_test_tvb998},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
