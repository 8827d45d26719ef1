/*  store_zip_test.c - the streaming zip writer, checked with independent
    readers: libzip (with ZIP_CHECKCONS, which compares every local header
    with its central record, and verifies CRCs on reading), the `unzip`
    tool when installed (`unzip -t`), and byte-level parsing of the records
    against PKWARE's APPNOTE. */
#include "bsw_test.h"
#include "bsw_test_dir.h"
#include "store_zip.h"

#include <zip.h>
#include <zlib.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*  ---- sinks ---- */

/*  The usage example's sink: appends to an open FILE. */
static int
s_file_sink (void *arg, const void *data, size_t size, bsw_error_t *err)
{
    if (fwrite (data, 1, size, (FILE *) arg) != size)
        return bsw_error_set (err, errno == ENOSPC ? BSW_ENOSPACE : BSW_EIO, "writing the zip: %s",
                              strerror (errno));
    return 0;
}

/*  Keeps everything in memory, counts its calls, and fails call fail_at
    (1-based; 0 never) with BSW_ENOSPACE. */
typedef struct {
    unsigned char *data; /* the bytes so far */
    size_t len;          /* bytes in data */
    size_t cap;          /* bytes allocated */
    int calls;           /* sink calls so far, failed ones too */
    int fail_at;         /* the call that fails, or 0 */
} s_mem_t;

static int
s_mem_sink (void *arg, const void *data, size_t size, bsw_error_t *err)
{
    s_mem_t *m = arg;
    m->calls++;
    if (m->calls == m->fail_at)
        return bsw_error_set (err, BSW_ENOSPACE, "test sink: disk full at call %d", m->calls);
    if (m->len + size > m->cap) {
        m->cap = (m->len + size) * 2;
        m->data = realloc (m->data, m->cap);
        if (!m->data)
            abort ();
    }
    memcpy (m->data + m->len, data, size);
    m->len += size;
    return 0;
}

/*  Counts bytes and keeps none. */
static int
s_null_sink (void *arg, const void *data, size_t size, bsw_error_t *err)
{
    *(uint64_t *) arg += size;
    return 0;
}

/*  Writes to a file, but seeks over every piece that is `zeros` itself
    (the writer hands large stored data over from the caller's buffer,
    uncopied): a sparse file of several GiB that costs no disk. Any other
    large piece is refused, so a writer that copied could not fill it. */
typedef struct {
    int fd;            /* the file */
    const void *zeros; /* the caller's buffer of zeros */
    uint64_t skipped;  /* bytes seeked over */
} s_sparse_t;

static int
s_sparse_sink (void *arg, const void *data, size_t size, bsw_error_t *err)
{
    s_sparse_t *s = arg;
    if (data == s->zeros) {
        s->skipped += size;
        return lseek (s->fd, (off_t) size, SEEK_CUR) < 0 ? BSW_EIO : 0;
    }
    if (size > (2u << 20))
        return bsw_error_set (err, BSW_EINVAL, "sparse sink: %zu bytes not from the caller", size);
    for (size_t done = 0; done < size;) {
        ssize_t n = write (s->fd, (const char *) data + done, size - done);
        if (n <= 0)
            return bsw_error_set (err, BSW_EIO, "sparse sink: %s", strerror (errno));
        done += (size_t) n;
    }
    return 0;
}

/*  ---- readers ---- */

static uint32_t
s_get16 (const unsigned char *p)
{
    return p[0] | (uint32_t) p[1] << 8;
}

static uint32_t
s_get32 (const unsigned char *p)
{
    return s_get16 (p) | s_get16 (p + 2) << 16;
}

static uint64_t
s_get64 (const unsigned char *p)
{
    return s_get32 (p) | (uint64_t) s_get32 (p + 4) << 32;
}

/*  libzip on a zip in memory, strict; NULL (said why) if it refuses. */
static zip_t *
s_open_mem (const s_mem_t *m)
{
    zip_error_t zerr;
    zip_error_init (&zerr);
    zip_source_t *src = zip_source_buffer_create (m->data, m->len, 0, &zerr);
    zip_t *za = src ? zip_open_from_source (src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr) : NULL;
    if (!za) {
        fprintf (stderr, "libzip: %s\n", zip_error_strerror (&zerr));
        zip_source_free (src);
    }
    zip_error_fini (&zerr);
    return za;
}

static zip_t *
s_open_file (const char *path)
{
    int code = 0;
    zip_t *za = zip_open (path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!za)
        fprintf (stderr, "libzip: %s: error %d\n", path, code);
    return za;
}

/*  The entry `name` read whole through libzip, which checks its CRC once
    it reaches the end; returns true when its bytes are data[0..size). */
static bool
s_entry_is (zip_t *za, const char *name, const void *data, size_t size)
{
    zip_stat_t st;
    if (zip_stat (za, name, 0, &st) != 0 || st.size != size) {
        fprintf (stderr, "%s: missing or of the wrong size\n", name);
        return false;
    }
    zip_file_t *zf = zip_fopen (za, name, 0);
    unsigned char *got = malloc (size + 1);
    bool ok = zf && got;
    zip_int64_t n = ok ? zip_fread (zf, got, size) : -1;
    ok = ok && n == (zip_int64_t) size && memcmp (got, data, size) == 0;
    ok = ok && zip_fread (zf, got, 1) == 0; /* the end, where libzip checks the CRC */
    if (zf && zip_fclose (zf) != 0)
        ok = false;
    if (!ok)
        fprintf (stderr, "%s: content differs or fails its CRC\n", name);
    free (got);
    return ok;
}

/*  `unzip -t` on the zip (and only the named entries, if any): 0 when it
    passes, 1 when it fails, -1 when unzip is not installed. */
static int
s_unzip_test (const char *path, const char *names)
{
    if (system ("command -v unzip >/dev/null 2>&1") != 0)
        return -1;
    char cmd[1024];
    snprintf (cmd, sizeof cmd, "unzip -tqq '%s' %s >/dev/null 2>&1", path, names ? names : "");
    int rc = system (cmd);
    return WIFEXITED (rc) && WEXITSTATUS (rc) == 0 ? 0 : 1;
}

/*  Text that deflates well, and bytes that do not. */
static void
s_fill_text (unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = "brainsweep, a parameter space exploration\n"[i % 42];
}

static void
s_fill_random (unsigned char *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (unsigned char) (seed >> 24);
    }
}

/*  ---- cases ---- */

/*  Usage: a zip written to a file, and read back with libzip. */
static int
s_test_usage (void)
{
    char dir[BSW_TEST_DIR_MAX];
    BSW_CHECK (bsw_test_dir_new (dir, "store_zip_test"));
    const char *path = bsw_test_dir_path (dir, "usage.zip");
    FILE *f = fopen (path, "wb");
    BSW_CHECK (f);

    static unsigned char series[300000], csv[50000];
    s_fill_random (series, sizeof series, 1);
    s_fill_text (csv, sizeof csv);
    const char *json = "{\"name\": \"tutorial\"}";

    bsw_error_t err;
    store_zip_options_t options = {.mtime = 1715000000}; /* fixed: reproducible bytes */
    store_zip_t *zip = store_zip_new (s_file_sink, f, &options);
    //  Whole entries from memory: stored, and deflated at zlib level 6.
    BSW_CHECK_INT (store_zip_add (zip, "sweep.json", json, strlen (json), 0, &err), 0);
    BSW_CHECK_INT (store_zip_add (zip, "metrics.csv", csv, sizeof csv, 6, &err), 0);
    //  A streamed entry: its bytes arrive in pieces, its size known in advance.
    BSW_CHECK_INT (
        store_zip_begin (zip, "1/TimeSeriesRegion.h5", STORE_ZIP_STORED, sizeof series, &err), 0);
    for (size_t at = 0; at < sizeof series; at += 100000)
        BSW_CHECK_INT (store_zip_write (zip, series + at, 100000, &err), 0);
    BSW_CHECK_INT (store_zip_end (zip, &err), 0);
    //  A streamed, deflated entry of unknown size.
    BSW_CHECK_INT (
        store_zip_begin (zip, "log.txt", STORE_ZIP_DEFLATE_FAST, STORE_ZIP_SIZE_UNKNOWN, &err), 0);
    BSW_CHECK_INT (store_zip_write (zip, csv, 1000, &err), 0);
    BSW_CHECK_INT (store_zip_write (zip, csv + 1000, 9000, &err), 0);
    BSW_CHECK_INT (store_zip_end (zip, &err), 0);
    BSW_CHECK_INT (store_zip_entries (zip), 4);
    BSW_CHECK_INT (store_zip_finish (zip, &err), 0);
    uint64_t bytes = store_zip_bytes (zip);
    store_zip_destroy (&zip);
    BSW_CHECK (zip == NULL);
    BSW_CHECK_INT (fclose (f), 0);

    struct stat st;
    BSW_CHECK_INT (stat (path, &st), 0);
    BSW_CHECK_INT (st.st_size, bytes);
    zip_t *za = s_open_file (path);
    BSW_CHECK (za);
    BSW_CHECK_INT (zip_get_num_entries (za, 0), 4);
    BSW_CHECK_STR (zip_get_name (za, 0, 0), "sweep.json");
    BSW_CHECK_STR (zip_get_name (za, 3, 0), "log.txt");
    BSW_CHECK (s_entry_is (za, "sweep.json", json, strlen (json)));
    BSW_CHECK (s_entry_is (za, "metrics.csv", csv, sizeof csv));
    BSW_CHECK (s_entry_is (za, "1/TimeSeriesRegion.h5", series, sizeof series));
    BSW_CHECK (s_entry_is (za, "log.txt", csv, 10000));
    zip_stat_t zs;
    BSW_CHECK_INT (zip_stat (za, "metrics.csv", 0, &zs), 0);
    BSW_CHECK_INT (zs.comp_method, ZIP_CM_DEFLATE);
    BSW_CHECK (zs.comp_size < sizeof csv / 10);
    BSW_CHECK_INT (zs.crc, crc32_z (0, csv, sizeof csv));
    BSW_CHECK_INT (zip_stat (za, "1/TimeSeriesRegion.h5", 0, &zs), 0);
    BSW_CHECK_INT (zs.comp_method, ZIP_CM_STORE);
    BSW_CHECK_INT (zs.comp_size, sizeof series);
    //  Every entry a Unix regular file of mode 0644.
    for (zip_uint64_t i = 0; i < 4; i++) {
        zip_uint8_t opsys;
        zip_uint32_t attributes;
        BSW_CHECK_INT (zip_file_get_external_attributes (za, i, 0, &opsys, &attributes), 0);
        BSW_CHECK_INT (opsys, ZIP_OPSYS_UNIX);
        BSW_CHECK_INT (attributes >> 16, 0100644);
    }
    zip_discard (za);
    BSW_CHECK (s_unzip_test (path, NULL) <= 0);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

/*  The records' bytes: headers with and without data descriptors. */
static int
s_test_records (void)
{
    s_mem_t m = {0};
    bsw_error_t err;
    store_zip_options_t options = {.mtime = 1715000000}; /* 2024-05-06 12:53:20 UTC */
    store_zip_t *zip = store_zip_new (s_mem_sink, &m, &options);
    BSW_CHECK_INT (store_zip_add (zip, "a.txt", "hello", 5, 0, &err), 0);
    BSW_CHECK_INT (store_zip_begin (zip, "b.txt", 0, 100, &err), 0);
    BSW_CHECK_INT (store_zip_write (zip, "world", 5, &err), 0);
    BSW_CHECK_INT (store_zip_end (zip, &err), 0);
    BSW_CHECK_INT (store_zip_finish (zip, &err), 0);
    store_zip_destroy (&zip);

    const unsigned char *p = m.data;
    //  a.txt: sizes and CRC in the local header, no descriptor.
    BSW_CHECK_INT (s_get32 (p), 0x04034b50);
    BSW_CHECK_INT (s_get16 (p + 4), 20);
    BSW_CHECK_INT (s_get16 (p + 6), 0x0800); /* UTF-8, no descriptor */
    BSW_CHECK_INT (s_get16 (p + 8), 0);
    BSW_CHECK_INT (s_get16 (p + 10), (12 << 11) | (53 << 5) | 10);
    BSW_CHECK_INT (s_get16 (p + 12), (44 << 9) | (5 << 5) | 6);
    BSW_CHECK_INT (s_get32 (p + 14), crc32_z (0, (const unsigned char *) "hello", 5));
    BSW_CHECK_INT (s_get32 (p + 18), 5);
    BSW_CHECK_INT (s_get32 (p + 22), 5);
    BSW_CHECK_INT (s_get16 (p + 26), 5);
    BSW_CHECK_INT (s_get16 (p + 28), 0);
    BSW_CHECK (memcmp (p + 30, "a.txthello", 10) == 0);
    //  b.txt: zeros in the header (bit 3), then a descriptor with 32-bit sizes.
    p += 40;
    BSW_CHECK_INT (s_get32 (p), 0x04034b50);
    BSW_CHECK_INT (s_get16 (p + 6), 0x0808);
    BSW_CHECK_INT (s_get32 (p + 14), 0);
    BSW_CHECK_INT (s_get32 (p + 18), 0);
    BSW_CHECK_INT (s_get32 (p + 22), 0);
    BSW_CHECK (memcmp (p + 30, "b.txtworld", 10) == 0);
    p += 40;
    BSW_CHECK_INT (s_get32 (p), 0x08074b50);
    BSW_CHECK_INT (s_get32 (p + 4), crc32_z (0, (const unsigned char *) "world", 5));
    BSW_CHECK_INT (s_get32 (p + 8), 5);
    BSW_CHECK_INT (s_get32 (p + 12), 5);
    //  The central directory: made by Unix 2.0, offsets of the two headers.
    p += 16;
    BSW_CHECK_INT (s_get32 (p), 0x02014b50);
    BSW_CHECK_INT (s_get16 (p + 4), 0x0314);
    BSW_CHECK_INT (s_get32 (p + 38), 0100644u << 16);
    BSW_CHECK_INT (s_get32 (p + 42), 0);
    BSW_CHECK_INT (s_get32 (p + 46 + 5 + 38), 0100644u << 16);
    BSW_CHECK_INT (s_get32 (p + 46 + 5 + 42), 40);
    //  The classic end record alone: 2 entries, no ZIP64 records.
    const unsigned char *end = m.data + m.len - 22;
    BSW_CHECK_INT (s_get32 (end), 0x06054b50);
    BSW_CHECK_INT (s_get16 (end + 8), 2);
    BSW_CHECK_INT (s_get32 (end + 12), 2 * (46 + 5));
    BSW_CHECK_INT (s_get32 (end + 16), p - m.data);
    BSW_CHECK_INT (m.len, (size_t) (p - m.data) + 2 * (46 + 5) + 22);

    //  No options: the earliest DOS time, 1980-01-01 00:00.
    s_mem_t m2 = {0};
    zip = store_zip_new (s_mem_sink, &m2, NULL);
    BSW_CHECK_INT (store_zip_add (zip, "a", "", 0, 0, &err), 0);
    BSW_CHECK_INT (store_zip_finish (zip, &err), 0);
    store_zip_destroy (&zip);
    BSW_CHECK_INT (s_get16 (m2.data + 10), 0);
    BSW_CHECK_INT (s_get16 (m2.data + 12), (1 << 5) | 1);
    free (m.data);
    free (m2.data);
    return BSW_TEST_PASS;
}

/*  Streamed entries in pieces of awkward sizes, stored and deflated; a
    deflated add too big for one piece; an add that deflate cannot shrink. */
static int
s_test_streamed (void)
{
    static unsigned char text[3000000], noise[200000];
    s_fill_text (text, sizeof text);
    s_fill_random (noise, sizeof noise, 7);
    const size_t pieces[] = {1, 7, 65535, 65536, 65537, 200000, 0, 3};
    s_mem_t m = {0};
    bsw_error_t err;
    store_zip_t *zip = store_zip_new (s_mem_sink, &m, NULL);
    for (int level = 0; level <= 9; level += 9) {
        BSW_CHECK_INT (store_zip_begin (zip, level ? "deflated" : "stored", level,
                                        STORE_ZIP_SIZE_UNKNOWN, &err),
                       0);
        size_t at = 0;
        for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
            BSW_CHECK_INT (store_zip_write (zip, text + at, pieces[i], &err), 0);
            at += pieces[i];
        }
        BSW_CHECK_INT (store_zip_end (zip, &err), 0);
    }
    BSW_CHECK_INT (store_zip_add (zip, "big-deflated", text, sizeof text, 1, &err), 0);
    BSW_CHECK_INT (store_zip_add (zip, "noise", noise, sizeof noise, 9, &err), 0);
    BSW_CHECK_INT (store_zip_finish (zip, &err), 0);
    store_zip_destroy (&zip);

    zip_t *za = s_open_mem (&m);
    BSW_CHECK (za);
    size_t total = 1 + 7 + 65535 + 65536 + 65537 + 200000 + 0 + 3;
    BSW_CHECK (s_entry_is (za, "stored", text, total));
    BSW_CHECK (s_entry_is (za, "deflated", text, total));
    BSW_CHECK (s_entry_is (za, "big-deflated", text, sizeof text));
    BSW_CHECK (s_entry_is (za, "noise", noise, sizeof noise));
    zip_stat_t st;
    BSW_CHECK_INT (zip_stat (za, "noise", 0, &st), 0);
    BSW_CHECK_INT (st.comp_method, ZIP_CM_STORE); /* deflate would have grown it */
    BSW_CHECK_INT (zip_stat (za, "big-deflated", 0, &st), 0);
    BSW_CHECK_INT (st.comp_method, ZIP_CM_DEFLATE);
    //  Marked ZIP64 (size unknown): version 4.5, both local sizes
    //  0xFFFFFFFF with a ZIP64 field of zeros, a descriptor of 8-byte sizes.
    BSW_CHECK_INT (s_get16 (m.data + 4), 45);
    BSW_CHECK_INT (s_get16 (m.data + 6), 0x0808);
    BSW_CHECK_INT (s_get32 (m.data + 18), 0xFFFFFFFFu);
    BSW_CHECK_INT (s_get16 (m.data + 28), 20);
    BSW_CHECK_INT (s_get16 (m.data + 36), 1);
    BSW_CHECK_INT (s_get16 (m.data + 38), 16);
    BSW_CHECK_INT (s_get64 (m.data + 40), 0);
    const unsigned char *d = m.data + 30 + 6 + 20 + total;
    BSW_CHECK_INT (s_get32 (d), 0x08074b50);
    BSW_CHECK_INT (s_get64 (d + 8), total);
    BSW_CHECK_INT (s_get64 (d + 16), total);
    zip_discard (za);
    free (m.data);
    return BSW_TEST_PASS;
}

/*  Empty archives and empty entries, each way they can be made. */
static int
s_test_empty (void)
{
    s_mem_t m = {0};
    bsw_error_t err;
    store_zip_t *zip = store_zip_new (s_mem_sink, &m, NULL);
    BSW_CHECK_INT (m.calls, 0); /* nothing before the first entry */
    BSW_CHECK_INT (store_zip_finish (zip, &err), 0);
    store_zip_destroy (&zip);
    BSW_CHECK_INT (m.len, 22);
    zip_t *za = s_open_mem (&m);
    BSW_CHECK (za);
    BSW_CHECK_INT (zip_get_num_entries (za, 0), 0);
    zip_discard (za);

    m.len = 0;
    zip = store_zip_new (s_mem_sink, &m, NULL);
    BSW_CHECK_INT (store_zip_add (zip, "add-stored", NULL, 0, 0, &err), 0);
    BSW_CHECK_INT (store_zip_add (zip, "add-deflated", NULL, 0, 6, &err), 0);
    BSW_CHECK_INT (store_zip_begin (zip, "stream-stored", 0, 0, &err), 0);
    BSW_CHECK_INT (store_zip_write (zip, NULL, 0, &err), 0);
    BSW_CHECK_INT (store_zip_end (zip, &err), 0);
    BSW_CHECK_INT (store_zip_begin (zip, "stream-deflated", 6, STORE_ZIP_SIZE_UNKNOWN, &err), 0);
    BSW_CHECK_INT (store_zip_end (zip, &err), 0);
    BSW_CHECK_INT (store_zip_finish (zip, &err), 0);
    store_zip_destroy (&zip);
    za = s_open_mem (&m);
    BSW_CHECK (za);
    BSW_CHECK_INT (zip_get_num_entries (za, 0), 4);
    const char *names[] = {"add-stored", "add-deflated", "stream-stored", "stream-deflated"};
    for (int i = 0; i < 4; i++) {
        BSW_CHECK (s_entry_is (za, names[i], "", 0));
    }
    zip_discard (za);
    free (m.data);
    return BSW_TEST_PASS;
}

/*  Names in UTF-8 carry bit 11 and read back as the same bytes. */
static int
s_test_utf8_names (void)
{
    const char *names[] = {"Données/α β.csv", "日本語/結果.h5", "emoji-\xF0\x9F\xA7\xA0.txt"};
    char dir[BSW_TEST_DIR_MAX];
    BSW_CHECK (bsw_test_dir_new (dir, "store_zip_test"));
    const char *path = bsw_test_dir_path (dir, "utf8.zip");
    FILE *f = fopen (path, "wb");
    BSW_CHECK (f);
    bsw_error_t err;
    store_zip_t *zip = store_zip_new (s_file_sink, f, NULL);
    for (int i = 0; i < 3; i++)
        BSW_CHECK_INT (store_zip_add (zip, names[i], names[i], strlen (names[i]), i, &err), 0);
    BSW_CHECK_INT (store_zip_finish (zip, &err), 0);
    store_zip_destroy (&zip);
    BSW_CHECK_INT (fclose (f), 0);
    zip_t *za = s_open_file (path);
    BSW_CHECK (za);
    for (int i = 0; i < 3; i++) {
        BSW_CHECK_STR (zip_get_name (za, (zip_uint64_t) i, ZIP_FL_ENC_RAW), names[i]);
        BSW_CHECK (s_entry_is (za, names[i], names[i], strlen (names[i])));
    }
    zip_discard (za);
    BSW_CHECK (s_unzip_test (path, NULL) <= 0);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

/*  n empty entries in memory; the end records' counts. */
static int
s_count_case (int n, bool zip64)
{
    s_mem_t m = {0};
    bsw_error_t err;
    store_zip_t *zip = store_zip_new (s_mem_sink, &m, NULL);
    char name[32];
    for (int i = 0; i < n; i++) {
        snprintf (name, sizeof name, "e%d", i);
        BSW_CHECK_INT (store_zip_add (zip, name, NULL, 0, 0, &err), 0);
    }
    BSW_CHECK_INT (store_zip_finish (zip, &err), 0);
    store_zip_destroy (&zip);
    const unsigned char *end = m.data + m.len - 22;
    BSW_CHECK_INT (s_get32 (end), 0x06054b50);
    BSW_CHECK_INT (s_get16 (end + 10), zip64 ? 0xFFFF : n);
    BSW_CHECK_INT (s_get32 (end - 20) == 0x07064b50, zip64);
    if (zip64) {
        const unsigned char *end64 = m.data + s_get64 (end - 20 + 8);
        BSW_CHECK (end64 == end - 20 - 56);
        BSW_CHECK_INT (s_get32 (end64), 0x06064b50);
        BSW_CHECK_INT (s_get16 (end64 + 14), 45);
        BSW_CHECK_INT (s_get64 (end64 + 32), n);
        BSW_CHECK_INT (s_get64 (end64 + 48), s_get32 (end + 16)); /* offset fits: both agree */
    }
    zip_t *za = s_open_mem (&m);
    BSW_CHECK (za);
    BSW_CHECK_INT (zip_get_num_entries (za, 0), n);
    snprintf (name, sizeof name, "e%d", n - 1);
    BSW_CHECK_INT (zip_name_locate (za, name, 0), n - 1);
    zip_discard (za);
    free (m.data);
    return BSW_TEST_PASS;
}

/*  65,534 entries fit the classic end record; 65,535 need ZIP64's. */
static int
s_test_count_limit (void)
{
    BSW_CHECK_INT (s_count_case (65534, false), BSW_TEST_PASS);
    BSW_CHECK_INT (s_count_case (65535, true), BSW_TEST_PASS);
    return BSW_TEST_PASS;
}

/*  70,000 entries to a file (the central directory spills to its spool
    file): libzip reads them all, unzip -t passes. */
static int
s_test_many (void)
{
    char dir[BSW_TEST_DIR_MAX];
    BSW_CHECK (bsw_test_dir_new (dir, "store_zip_test"));
    const char *path = bsw_test_dir_path (dir, "many.zip");
    FILE *f = fopen (path, "wb");
    BSW_CHECK (f);
    const int n = 70000;
    bsw_error_t err;
    char name[64], body[64];
    store_zip_t *zip = store_zip_new (s_file_sink, f, NULL);
    for (int i = 0; i < n; i++) {
        snprintf (name, sizeof name, "%d/point_%06d.txt", i / 1000, i);
        int len = snprintf (body, sizeof body, "point %d of %d\n", i, n);
        if (i % 2) {
            BSW_CHECK_INT (store_zip_add (zip, name, body, (size_t) len, i % 4 == 1 ? 0 : 1, &err),
                           0);
        } else {
            BSW_CHECK_INT (store_zip_begin (zip, name, i % 4 ? 0 : 6, 64, &err), 0);
            BSW_CHECK_INT (store_zip_write (zip, body, (size_t) len, &err), 0);
            BSW_CHECK_INT (store_zip_end (zip, &err), 0);
        }
    }
    BSW_CHECK_INT (store_zip_finish (zip, &err), 0);
    store_zip_destroy (&zip);
    BSW_CHECK_INT (fclose (f), 0);

    zip_t *za = s_open_file (path);
    BSW_CHECK (za);
    BSW_CHECK_INT (zip_get_num_entries (za, 0), n);
    for (int i = 0; i < n; i += (i % 4 == 3 ? 997 : 1)) {
        snprintf (name, sizeof name, "%d/point_%06d.txt", i / 1000, i);
        int len = snprintf (body, sizeof body, "point %d of %d\n", i, n);
        BSW_CHECK_INT (zip_name_locate (za, name, 0), i);
        BSW_CHECK (s_entry_is (za, name, body, (size_t) len));
    }
    BSW_CHECK_INT (zip_name_locate (za, "69/point_069999.txt", 0), n - 1);
    zip_discard (za);
    int unzip = s_unzip_test (path, NULL);
    BSW_CHECK (unzip <= 0);
    if (unzip < 0)
        fprintf (stderr, "many: unzip is not installed; libzip's check only\n");
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

/*  An entry of 4.3 GiB of zeros (through a sparse file, no disk used), so
    that the next entries start beyond 4 GiB: every ZIP64 field at once.
    The zeros cross the writer in ~1 s on this machine (CRC-32 at ~5 GB/s). */
static int
s_test_zip64_offsets (void)
{
    const size_t piece = 1 << 20;
    const int pieces = 4400; /* 4,613,734,400 bytes */
    const uint64_t big = (uint64_t) piece * (uint64_t) pieces;
    unsigned char *zeros = calloc (1, piece);
    BSW_CHECK (zeros);
    char dir[BSW_TEST_DIR_MAX];
    BSW_CHECK (bsw_test_dir_new (dir, "store_zip_test"));
    const char *path = bsw_test_dir_path (dir, "zip64.zip");
    s_sparse_t sparse = {open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644), zeros, 0};
    BSW_CHECK (sparse.fd >= 0);
    static unsigned char text[5000];
    s_fill_text (text, sizeof text);

    bsw_error_t err;
    double t0 = (double) clock () / CLOCKS_PER_SEC;
    store_zip_t *zip = store_zip_new (s_sparse_sink, &sparse, NULL);
    BSW_CHECK_INT (store_zip_add (zip, "first.txt", "hello", 5, 0, &err), 0);
    BSW_CHECK_INT (store_zip_begin (zip, "big.bin", 0, STORE_ZIP_SIZE_UNKNOWN, &err), 0);
    for (int i = 0; i < pieces; i++)
        BSW_CHECK_INT (store_zip_write (zip, zeros, piece, &err), 0);
    BSW_CHECK_INT (store_zip_end (zip, &err), 0);
    BSW_CHECK_INT (store_zip_add (zip, "after.txt", text, sizeof text, 6, &err), 0);
    BSW_CHECK_INT (store_zip_begin (zip, "tail.txt", 1, sizeof text, &err), 0);
    BSW_CHECK_INT (store_zip_write (zip, text, sizeof text, &err), 0);
    BSW_CHECK_INT (store_zip_end (zip, &err), 0);
    BSW_CHECK_INT (store_zip_finish (zip, &err), 0);
    uint64_t bytes = store_zip_bytes (zip);
    store_zip_destroy (&zip);
    fprintf (stderr, "zip64: %.1f GiB through the writer in %.2f s of CPU\n",
             (double) bytes / (1 << 30), (double) clock () / CLOCKS_PER_SEC - t0);
    BSW_CHECK_INT (close (sparse.fd), 0);
    BSW_CHECK_INT (sparse.skipped, big);
    free (zeros);
    struct stat st;
    BSW_CHECK_INT (stat (path, &st), 0);
    BSW_CHECK_INT (st.st_size, bytes);

    zip_t *za = s_open_file (path);
    BSW_CHECK (za);
    BSW_CHECK_INT (zip_get_num_entries (za, 0), 4);
    zip_stat_t zs;
    BSW_CHECK_INT (zip_stat (za, "big.bin", 0, &zs), 0);
    BSW_CHECK_INT (zs.size, big);
    BSW_CHECK_INT (zs.comp_size, big);
    unsigned char *one = calloc (1, piece);
    BSW_CHECK (one);
    uLong crc_piece = crc32_z (0, one, piece), crc = crc_piece;
    free (one);
    for (int i = 1; i < pieces; i++)
        crc = crc32_combine (crc, crc_piece, (z_off_t) piece);
    BSW_CHECK_INT (zs.crc, crc);
    BSW_CHECK (s_entry_is (za, "first.txt", "hello", 5));
    BSW_CHECK (s_entry_is (za, "after.txt", text, sizeof text));
    BSW_CHECK (s_entry_is (za, "tail.txt", text, sizeof text));
    zip_discard (za);
    int unzip = s_unzip_test (path, "first.txt after.txt tail.txt");
    BSW_CHECK (unzip <= 0);

    //  The records beyond 4 GiB, byte by byte.
    int fd = open (path, O_RDONLY);
    BSW_CHECK (fd >= 0);
    unsigned char tail[22 + 20 + 56];
    BSW_CHECK_INT (pread (fd, tail, sizeof tail, (off_t) (bytes - sizeof tail)), sizeof tail);
    const unsigned char *end64 = tail, *locator = tail + 56, *end = tail + 76;
    BSW_CHECK_INT (s_get32 (end), 0x06054b50);
    BSW_CHECK_INT (s_get16 (end + 10), 4);           /* fits: the real count */
    BSW_CHECK_INT (s_get32 (end + 16), 0xFFFFFFFFu); /* does not: the placeholder */
    BSW_CHECK_INT (s_get32 (locator), 0x07064b50);
    BSW_CHECK_INT (s_get64 (locator + 8), bytes - sizeof tail);
    BSW_CHECK_INT (s_get32 (end64), 0x06064b50);
    BSW_CHECK_INT (s_get64 (end64 + 32), 4);
    uint64_t cd_offset = s_get64 (end64 + 48), cd_size = s_get64 (end64 + 40);
    BSW_CHECK (cd_offset > big);
    BSW_CHECK_INT (cd_offset + cd_size, bytes - sizeof tail);
    //  big.bin's descriptor: 8-byte sizes after its 4.3 GiB.
    unsigned char d[24];
    uint64_t data_at = 30 + 9 + 5 + 30 + 7 + 20;
    BSW_CHECK_INT (pread (fd, d, sizeof d, (off_t) (data_at + big)), sizeof d);
    BSW_CHECK_INT (s_get32 (d), 0x08074b50);
    BSW_CHECK_INT (s_get32 (d + 4), crc);
    BSW_CHECK_INT (s_get64 (d + 8), big);
    BSW_CHECK_INT (s_get64 (d + 16), big);
    //  Central records: big.bin has both sizes in its ZIP64 field; after.txt
    //  its offset only.
    unsigned char cd[512];
    BSW_CHECK (cd_size <= sizeof cd);
    BSW_CHECK_INT (pread (fd, cd, cd_size, (off_t) cd_offset), cd_size);
    const unsigned char *rec = cd + 46 + 9; /* after first.txt's */
    BSW_CHECK_INT (s_get16 (rec + 6), 45);
    BSW_CHECK_INT (s_get32 (rec + 20), 0xFFFFFFFFu);
    BSW_CHECK_INT (s_get16 (rec + 30), 20);
    BSW_CHECK_INT (s_get64 (rec + 46 + 7 + 4), big);
    BSW_CHECK_INT (s_get64 (rec + 46 + 7 + 12), big);
    rec += 46 + 7 + 20;
    BSW_CHECK_INT (s_get32 (rec + 42), 0xFFFFFFFFu);
    BSW_CHECK_INT (s_get16 (rec + 30), 12);
    BSW_CHECK_INT (s_get64 (rec + 46 + 9 + 4), data_at + big + 24);
    BSW_CHECK_INT (close (fd), 0);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

/*  The same calls give the same bytes, also when the directory spills. */
static int
s_write_mixed (s_mem_t *m, int entries)
{
    static unsigned char text[100000];
    s_fill_text (text, sizeof text);
    store_zip_options_t options = {.mtime = 1715000000};
    bsw_error_t err;
    store_zip_t *zip = store_zip_new (s_mem_sink, m, &options);
    char name[64];
    for (int i = 0; i < entries; i++) {
        snprintf (name, sizeof name, "%d/file_with_a_longish_name_%d.h5", i, i);
        BSW_CHECK_INT (store_zip_add (zip, name, text, (size_t) (i % 100) * 37, i % 3, &err), 0);
        BSW_CHECK_INT (store_zip_begin (zip, "stream", i % 2 ? 6 : 0, 100000, &err), 0);
        BSW_CHECK_INT (store_zip_write (zip, text, (size_t) (i % 7) * 1000, &err), 0);
        BSW_CHECK_INT (store_zip_end (zip, &err), 0);
    }
    BSW_CHECK_INT (store_zip_finish (zip, &err), 0);
    store_zip_destroy (&zip);
    return BSW_TEST_PASS;
}

static int
s_test_deterministic (void)
{
    s_mem_t a = {0}, b = {0};
    BSW_CHECK_INT (s_write_mixed (&a, 10000), BSW_TEST_PASS);
    BSW_CHECK_INT (s_write_mixed (&b, 10000), BSW_TEST_PASS);
    BSW_CHECK (a.len > STORE_ZIP_SPOOL_MEM_BYTES);
    BSW_CHECK_INT (a.len, b.len);
    BSW_CHECK (memcmp (a.data, b.data, a.len) == 0);
    free (a.data);
    free (b.data);
    return BSW_TEST_PASS;
}

/*  One run of a few entries, the sink failing at call fail_at: each
    call's code and sentence. Returns the number of calls made. */
static int
s_failing_run (s_mem_t *m, int *rcs, char (*texts)[BSW_ERROR_TEXT_MAX])
{
    static unsigned char text[300000];
    s_fill_text (text, sizeof text);
    bsw_error_t err;
    int k = 0;
    store_zip_t *zip = store_zip_new (s_mem_sink, m, NULL);
#define S_CALL(expr)                                                                               \
    do {                                                                                           \
        bsw_error_clear (&err);                                                                    \
        rcs[k] = (expr);                                                                           \
        strcpy (texts[k++], err.text);                                                             \
    } while (0)
    S_CALL (store_zip_add (zip, "a", "hello", 5, 0, &err));
    S_CALL (store_zip_add (zip, "b", text, 100000, 6, &err));
    S_CALL (store_zip_begin (zip, "c", 0, sizeof text, &err));
    S_CALL (store_zip_write (zip, text, 200000, &err));
    S_CALL (store_zip_end (zip, &err));
    S_CALL (store_zip_begin (zip, "d", 1, STORE_ZIP_SIZE_UNKNOWN, &err));
    S_CALL (store_zip_write (zip, text, sizeof text, &err));
    S_CALL (store_zip_end (zip, &err));
    S_CALL (store_zip_add (zip, "e", text, 70000, 0, &err));
    S_CALL (store_zip_finish (zip, &err));
#undef S_CALL
    store_zip_destroy (&zip);
    return k;
}

static int
s_test_failing_sink (void)
{
    int rcs[16];
    char texts[16][BSW_ERROR_TEXT_MAX];
    s_mem_t m = {0};
    int n_calls = s_failing_run (&m, rcs, texts);
    int sink_calls = m.calls;
    for (int i = 0; i < n_calls; i++)
        BSW_CHECK_INT (rcs[i], 0);
    BSW_CHECK (sink_calls >= 5);
    for (int fail_at = 1; fail_at <= sink_calls; fail_at++) {
        s_mem_t f = {.fail_at = fail_at};
        BSW_CHECK_INT (s_failing_run (&f, rcs, texts), n_calls);
        BSW_CHECK_INT (f.calls, fail_at); /* never called after the failure */
        int first = 0;
        while (first < n_calls && rcs[first] == 0)
            first++;
        BSW_CHECK_MSG (first < n_calls, "failing at sink call %d went unnoticed", fail_at);
        for (int i = first; i < n_calls; i++) {
            BSW_CHECK_INT (rcs[i], BSW_ENOSPACE);
            BSW_CHECK_MSG (strstr (texts[i], "disk full at call") != NULL, "call %d: '%s'", i,
                           texts[i]);
        }
        free (f.data);
    }
    free (m.data);
    return BSW_TEST_PASS;
}

/*  A spool folder that does not exist: the spill fails, stickily. */
static int
s_test_spool_failure (void)
{
    s_mem_t m = {0};
    bsw_error_t err;
    store_zip_options_t options = {.spool_dir = "/nonexistent-store-zip-folder"};
    store_zip_t *zip = store_zip_new (s_mem_sink, &m, &options);
    char name[300];
    memset (name, 'x', 250);
    int rc = 0, i = 0;
    for (; rc == 0 && i < 100000; i++) {
        snprintf (name + 250, 50, "%d", i);
        rc = store_zip_add (zip, name, NULL, 0, 0, &err);
    }
    BSW_CHECK_INT (rc, BSW_EIO);
    BSW_CHECK (strstr (err.text, "/nonexistent-store-zip-folder") != NULL);
    BSW_CHECK ((size_t) i * (46 + 255) >
               STORE_ZIP_SPOOL_MEM_BYTES); /* records of 297 to 301 bytes */
    int calls = m.calls;
    bsw_error_t later;
    BSW_CHECK_INT (store_zip_add (zip, "z", NULL, 0, 0, &later), BSW_EIO);
    BSW_CHECK_STR (later.text, err.text);
    BSW_CHECK_INT (store_zip_finish (zip, &later), BSW_EIO);
    BSW_CHECK_INT (m.calls, calls);
    store_zip_destroy (&zip);
    free (m.data);
    return BSW_TEST_PASS;
}

/*  Refusals change nothing: the archive still completes; an entry that
    outgrows its size_max is a sticky error. */
static int
s_test_refusals (void)
{
    s_mem_t m = {0};
    bsw_error_t err;
    store_zip_t *zip = store_zip_new (s_mem_sink, &m, NULL);
    char *long_name = malloc (STORE_ZIP_NAME_MAX + 2);
    BSW_CHECK (long_name);
    memset (long_name, 'n', STORE_ZIP_NAME_MAX + 1);
    long_name[STORE_ZIP_NAME_MAX + 1] = '\0';
    BSW_CHECK_INT (store_zip_add (zip, "", "x", 1, 0, &err), BSW_EINVAL);
    BSW_CHECK_INT (store_zip_add (zip, long_name, "x", 1, 0, &err), BSW_EINVAL);
    BSW_CHECK (strstr (err.text, "65535") != NULL);
    BSW_CHECK_INT (store_zip_add (zip, "bad\xC3(utf8", "x", 1, 0, &err), BSW_EINVAL);
    BSW_CHECK (strstr (err.text, "byte 3") != NULL);
    BSW_CHECK_INT (store_zip_add (zip, "a", "x", 1, 10, &err), BSW_EINVAL);
    BSW_CHECK_INT (store_zip_begin (zip, "a", -1, 1, &err), BSW_EINVAL);
    BSW_CHECK_INT (store_zip_write (zip, "x", 1, &err), BSW_ESTATE);
    BSW_CHECK_INT (store_zip_end (zip, &err), BSW_ESTATE);
    BSW_CHECK_INT (m.calls, 0);
    long_name[STORE_ZIP_NAME_MAX] = '\0'; /* the longest name allowed */
    BSW_CHECK_INT (store_zip_add (zip, long_name, "x", 1, 0, &err), 0);
    BSW_CHECK_INT (store_zip_begin (zip, "open", 0, 10, &err), 0);
    BSW_CHECK_INT (store_zip_add (zip, "b", "x", 1, 0, &err), BSW_ESTATE);
    BSW_CHECK_INT (store_zip_begin (zip, "b", 0, 1, &err), BSW_ESTATE);
    BSW_CHECK_INT (store_zip_finish (zip, &err), BSW_ESTATE);
    BSW_CHECK_INT (store_zip_write (zip, "0123456789", 10, &err), 0);
    BSW_CHECK_INT (store_zip_end (zip, &err), 0);
    BSW_CHECK_INT (store_zip_finish (zip, &err), 0);
    BSW_CHECK_INT (store_zip_finish (zip, &err), BSW_ESTATE);
    BSW_CHECK_INT (store_zip_add (zip, "late", "x", 1, 0, &err), BSW_ESTATE);
    store_zip_destroy (&zip);
    zip_t *za = s_open_mem (&m);
    BSW_CHECK (za);
    BSW_CHECK_INT (zip_get_num_entries (za, 0), 2);
    BSW_CHECK (s_entry_is (za, long_name, "x", 1));
    BSW_CHECK (s_entry_is (za, "open", "0123456789", 10));
    zip_discard (za);
    free (long_name);

    m.len = 0;
    zip = store_zip_new (s_mem_sink, &m, NULL);
    BSW_CHECK_INT (store_zip_begin (zip, "grows", 6, 10, &err), 0);
    BSW_CHECK_INT (store_zip_write (zip, "0123456789", 10, &err), 0);
    BSW_CHECK_INT (store_zip_write (zip, "!", 1, &err), BSW_ETOOBIG);
    BSW_CHECK (strstr (err.text, "'grows'") != NULL);
    BSW_CHECK_INT (store_zip_end (zip, &err), BSW_ETOOBIG);
    BSW_CHECK_INT (store_zip_add (zip, "next", "x", 1, 0, &err), BSW_ETOOBIG);
    BSW_CHECK_INT (store_zip_finish (zip, &err), BSW_ETOOBIG);
    store_zip_destroy (&zip);
    store_zip_destroy (&zip); /* harmless the second time */
    free (m.data);
    return BSW_TEST_PASS;
}

/*  Resident memory now, bytes (/proc/self/statm). getrusage's maxrss is
    the process's peak, which an earlier case may have set above anything
    this case reaches, so it could not show growth here. */
static long
s_rss_bytes (void)
{
    long pages_total = 0, pages_resident = 0;
    FILE *f = fopen ("/proc/self/statm", "r");
    if (!f || fscanf (f, "%ld %ld", &pages_total, &pages_resident) != 2)
        pages_resident = -1;
    if (f)
        fclose (f);
    return pages_resident < 0 ? -1 : pages_resident * sysconf (_SC_PAGESIZE);
}

/*  200,000 entries with an export's names: memory after 20,000 and after
    200,000 entries is the same (the central directory, ~19 MB here, is in
    the unlinked spool file), and the spool folder shows no file. */
static int
s_test_memory_flat (void)
{
    char dir[BSW_TEST_DIR_MAX];
    BSW_CHECK (bsw_test_dir_new (dir, "store_zip_test"));
    uint64_t bytes = 0;
    bsw_error_t err;
    store_zip_options_t options = {.spool_dir = dir};
    store_zip_t *zip = store_zip_new (s_null_sink, &bytes, &options);
    unsigned char body[100];
    s_fill_text (body, sizeof body);
    char name[96];
    long rss_early = 0;
    for (int i = 0; i < 200000; i++) {
        snprintf (name, sizeof name, "%d/TimeSeriesRegion_%08x%08x%08x%08x.h5", i, i, i * 7, i * 13,
                  i * 17);
        BSW_CHECK_INT (store_zip_add (zip, name, body, sizeof body, i % 2, &err), 0);
        if (i == 20000)
            rss_early = s_rss_bytes ();
    }
    long rss_late = s_rss_bytes ();
    BSW_CHECK_INT (bsw_test_dir_entries (dir), 0);
    BSW_CHECK_INT (store_zip_finish (zip, &err), 0);
    BSW_CHECK_INT (store_zip_bytes (zip), bytes);
    store_zip_destroy (&zip);
    BSW_CHECK (rss_early > 0 && rss_late > 0);
    fprintf (stderr, "memory: %.1f MB resident after 20,000 entries, %.1f MB after 200,000\n",
             rss_early / 1e6, rss_late / 1e6);
    //  Keeping the central records in memory would add ~19 MB.
    BSW_CHECK_MSG (rss_late - rss_early < (4 << 20), "grew by %ld bytes", rss_late - rss_early);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"records", s_test_records},
                                          {"streamed", s_test_streamed},
                                          {"empty", s_test_empty},
                                          {"utf8_names", s_test_utf8_names},
                                          {"count_limit", s_test_count_limit},
                                          {"many", s_test_many},
                                          {"zip64_offsets", s_test_zip64_offsets},
                                          {"deterministic", s_test_deterministic},
                                          {"failing_sink", s_test_failing_sink},
                                          {"spool_failure", s_test_spool_failure},
                                          {"refusals", s_test_refusals},
                                          {"memory_flat", s_test_memory_flat},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
