/*  bench_zip.c - the streaming zip writer (common/store/store_zip.h): MB/s
    of stored and deflated entries, to a sink that keeps nothing (the
    writer alone) and to a file (the page cache: no fsync), and libzip on
    the same stored entries to a file for comparison. Entries are the
    tutorial's time-series size (620 KB of float64 values with noise in
    their low bits, which deflate shrinks by ~5% at zlib's own speed of
    ~20-35 MB/s, as on real results) unless a row says text (metrics.csv
    rows, which deflate shrinks ~5-fold). Best of 3 runs; asserts nothing
    (STYLE.md 9).

    usage: bench_zip [SCRATCH_FOLDER]   (default $TMPDIR or /tmp)
*/
#include "bsw_util.h"
#include "store_zip.h"

#include <zip.h>

#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_ENTRY_BYTES 620000  /* one tutorial TimeSeriesRegion file */
#define S_TEXT_BYTES  4000000 /* the text rows' entries */
#define S_REPEATS     3

typedef struct {
    const char *what; /* the row's label */
    int level;        /* STORE_ZIP_STORED or a deflate level */
    bool streamed;    /* begin/write/end in 64 KiB pieces, else store_zip_add */
    bool to_file;     /* a file sink, else the null sink */
    bool text;        /* the text buffer, else the series */
    size_t entries;   /* entries per run */
    size_t bytes;     /* bytes per entry */
} s_case_t;

static int
s_null_sink (void *arg, const void *data, size_t size, bsw_error_t *err)
{
    *(uint64_t *) arg += size;
    return 0;
}

static int
s_fd_sink (void *arg, const void *data, size_t size, bsw_error_t *err)
{
    int fd = *(int *) arg;
    for (size_t done = 0; done < size;) {
        ssize_t n = write (fd, (const char *) data + done, size - done);
        if (n <= 0)
            return bsw_error_set (err, BSW_EIO, "bench: write failed");
        done += (size_t) n;
    }
    return 0;
}

/*  Float64 series as a simulation makes them: smooth, with noise in the
    low bits. */
static void
s_fill_series (unsigned char *p, size_t bytes)
{
    double *v = (double *) p;
    uint32_t seed = 12345;
    for (size_t i = 0; i < bytes / sizeof (double); i++) {
        seed = seed * 1664525u + 1013904223u;
        v[i] = sin ((double) i * 0.01) + (double) seed * 1e-12;
    }
}

/*  metrics.csv rows. */
static void
s_fill_text (unsigned char *p, size_t bytes)
{
    size_t at = 0;
    for (int k = 0; at < bytes; k++) {
        char row[160];
        int n = snprintf (row, sizeof row, "%d,%.1f,%.1f,ok,%.17g,%.17g,%.17g,%.17g\n", k,
                          -5.0 + 0.4 * (k % 25), -5.0 + 0.5 * (k / 25 % 20), sin (k * 0.1),
                          cos (k * 0.3) * 0.1, 1.42 + sin (k) * 1e-3, 0.0028 * k / 500.0);
        size_t m = (size_t) n < bytes - at ? (size_t) n : bytes - at;
        memcpy (p + at, row, m);
        at += m;
    }
}

/*  One run: seconds, or a negative number on failure. */
static double
s_run (const s_case_t *c, const unsigned char *data, const char *path)
{
    uint64_t counted = 0;
    int fd = -1;
    if (c->to_file && (fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
        return -1;
    bsw_error_t err;
    double t0 = bsw_clock_mono_s ();
    store_zip_t *zip = c->to_file ? store_zip_new (s_fd_sink, &fd, NULL)
                                  : store_zip_new (s_null_sink, &counted, NULL);
    char name[64];
    int rc = 0;
    for (size_t k = 0; k < c->entries && rc == 0; k++) {
        snprintf (name, sizeof name, "%zu/TimeSeriesRegion_%08zx.h5", k + 1, k);
        if (!c->streamed) {
            rc = store_zip_add (zip, name, data, c->bytes, c->level, &err);
            continue;
        }
        rc = store_zip_begin (zip, name, c->level, c->bytes, &err);
        for (size_t at = 0; at < c->bytes && rc == 0; at += 65536)
            rc = store_zip_write (zip, data + at, c->bytes - at < 65536 ? c->bytes - at : 65536,
                                  &err);
        rc = rc ? rc : store_zip_end (zip, &err);
    }
    rc = rc ? rc : store_zip_finish (zip, &err);
    store_zip_destroy (&zip);
    if (fd >= 0 && close (fd) != 0)
        rc = -1;
    double t = bsw_clock_mono_s () - t0;
    if (rc)
        fprintf (stderr, "bench_zip: %s: %s\n", c->what, err.text);
    return rc ? -1 : t;
}

/*  libzip writing the same stored entries (it writes them all in zip_close). */
static double
s_run_libzip (const s_case_t *c, const unsigned char *data, const char *path)
{
    double t0 = bsw_clock_mono_s ();
    int code;
    zip_t *za = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (!za)
        return -1;
    char name[64];
    for (size_t k = 0; k < c->entries; k++) {
        snprintf (name, sizeof name, "%zu/TimeSeriesRegion_%08zx.h5", k + 1, k);
        zip_source_t *src = zip_source_buffer (za, data, c->bytes, 0);
        zip_int64_t index = src ? zip_file_add (za, name, src, 0) : -1;
        if (index < 0 || zip_set_file_compression (za, (zip_uint64_t) index, ZIP_CM_STORE, 0)) {
            zip_source_free (src);
            zip_discard (za);
            return -1;
        }
    }
    if (zip_close (za) != 0) {
        zip_discard (za);
        return -1;
    }
    return bsw_clock_mono_s () - t0;
}

int
main (int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv ("TMPDIR");
    dir = dir && *dir ? dir : "/tmp";
    char path[4096];
    snprintf (path, sizeof path, "%s/bench_zip-%ld.zip", dir, (long) getpid ());
    unsigned char *series = bsw_malloc (S_ENTRY_BYTES), *text = bsw_malloc (S_TEXT_BYTES);
    s_fill_series (series, S_ENTRY_BYTES);
    s_fill_text (text, S_TEXT_BYTES);
    const s_case_t cases[] = {
        {"stored, add, null sink", 0, false, false, false, 1000, S_ENTRY_BYTES},
        {"stored, streamed 64 KiB writes, null sink", 0, true, false, false, 1000, S_ENTRY_BYTES},
        {"stored, add, to a file", 0, false, true, false, 1000, S_ENTRY_BYTES},
        {"libzip, stored, to a file", -1, false, true, false, 1000, S_ENTRY_BYTES},
        {"deflate 1, add, null sink", 1, false, false, false, 50, S_ENTRY_BYTES},
        {"deflate 1, streamed 64 KiB writes, null sink", 1, true, false, false, 50, S_ENTRY_BYTES},
        {"deflate 6, add, null sink", 6, false, false, false, 50, S_ENTRY_BYTES},
        {"deflate 1, text, streamed 64 KiB writes, null sink", 1, true, false, true, 10,
         S_TEXT_BYTES},
        {"deflate 6, text, streamed 64 KiB writes, null sink", 6, true, false, true, 10,
         S_TEXT_BYTES},
        {"deflate 1, text, 10 kB entries, null sink", 1, false, false, true, 20000, 10000},
        {"stored, 100 B entries, null sink", 0, false, false, false, 1000000, 100},
    };
    printf ("store_zip: best of %d runs; scratch files in %s\n", S_REPEATS, dir);
    printf ("%-52s %10s %9s %10s %12s\n", "case", "MB in", "s", "MB/s", "entries/s");
    int failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const s_case_t *c = &cases[i];
        double best = 1e30;
        for (int r = 0; r < S_REPEATS; r++) {
            const unsigned char *data = c->text ? text : series;
            double t = c->level < 0 ? s_run_libzip (c, data, path) : s_run (c, data, path);
            if (t < 0) {
                best = -1;
                break;
            }
            best = t < best ? t : best;
        }
        unlink (path);
        double mb = (double) c->entries * (double) c->bytes / 1e6;
        if (best < 0) {
            printf ("%-52s FAILED\n", c->what);
            failed = 1;
            continue;
        }
        printf ("%-52s %10.1f %9.3f %10.0f %12.0f\n", c->what, mb, best, mb / best,
                (double) c->entries / best);
    }
    free (series);
    free (text);
    return failed;
}
