/*  store_zip.c - a streaming zip writer (store_zip.h), after PKWARE's
    APPNOTE.TXT 6.3 (sections 4.3 and 4.4).

    Why not libzip, which reads every zip in brainsweep: it writes an
    archive only in zip_close, and adding entries to an archive that exists
    rewrites it. `brainsweep run` wants its zip written while the sweep
    runs, entry by entry as results arrive, and the broker wants to stream
    a zip to a client as it is produced, with no file first. That needs a
    writer that only ever appends, so this is one, kept to what those two
    need: stored and deflated entries, ZIP64, no encryption, no comments.

    Layout: [local header, data, (data descriptor)] per entry, then the
    central directory (one record per entry), then for ZIP64 archives the
    ZIP64 end record and its locator, then the classic end record.

    - No seeking, so an entry whose CRC and sizes are not known when its
      local header goes out (store_zip_begin) sets general-purpose bit 3:
      the header holds zeros and a data descriptor (signature, CRC, sizes)
      follows the data. Entries added whole (store_zip_add) have their CRC
      and sizes in the header: readers that walk local headers without the
      central directory then see everything, and there is no descriptor.
    - ZIP64 (APPNOTE 4.5.3), only where a field would overflow: a size or
      offset of 0xFFFFFFFF or more is written as 0xFFFFFFFF with its value
      in the record's ZIP64 extra field; 65,535 entries or more (0xFFFF is
      the placeholder), or a central directory of 0xFFFFFFFF bytes or more
      or that far out, add the ZIP64 end record and locator and put
      placeholders in the classic record's overflowing fields. A streamed
      entry must decide before its data whether it is ZIP64 (its header
      then carries a ZIP64 field with zero sizes, and its descriptor 8-byte
      sizes, APPNOTE 4.3.9.2), hence store_zip_begin's size_max. Version
      needed is 4.5 for every record with a ZIP64 field, else 2.0; libzip
      requires the central value to be at least the local one.
    - Every entry: made by Unix, mode 0644 regular file in the external
      attributes (unzip then creates sane files), the UTF-8 flag (bit 11),
      one fixed DOS time: identical input gives identical bytes.

    Memory: one STORE_ZIP_CHUNK output buffer, the central directory spool
    (STORE_ZIP_SPOOL_MEM_BYTES in memory; beyond that it is appended to an
    unlinked temporary file and read back at the finish), the name of the
    open entry, a zlib stream (~270 kB, made at the first deflated entry)
    and, for deflated adds, a scratch buffer up to STORE_ZIP_ADD_BUFFER_MAX.
    None of it grows with the entries: a central record is 46 bytes plus
    the name (plus up to 28 for ZIP64), ~110 bytes for an export's names,
    so a million entries make a 110 MB spool file, not 110 MB of memory.

    Costs: stored data is copied once into the output buffer when small,
    and handed to the sink straight from the caller's buffer when it is
    STORE_ZIP_CHUNK or larger; CRC-32 (zlib's, ~5 GB/s here) is the only
    pass over it. Deflate is zlib's (bench/bench_zip.c has the figures).
*/
#include "store_zip.h"
#include "bsw_assert.h"
#include "bsw_util.h"

#include <zlib.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define S_SIG_LOCAL       0x04034b50u
#define S_SIG_DESCRIPTOR  0x08074b50u
#define S_SIG_CENTRAL     0x02014b50u
#define S_SIG_END64       0x06064b50u
#define S_SIG_LOCATOR64   0x07064b50u
#define S_SIG_END         0x06054b50u
#define S_LIMIT32         0xFFFFFFFFu /* a 32-bit field at this means "see ZIP64" */
#define S_LIMIT16         0xFFFFu     /* likewise for the 16-bit entry counts */
#define S_STREAM32_MAX    0xFF000000u /* size_max up to this: 32-bit sizes (deflate adds < 1%) */
#define S_VERSION_DEFAULT 20          /* 2.0: deflate */
#define S_VERSION_ZIP64   45          /* 4.5: ZIP64 fields */
#define S_MADE_BY_UNIX    0x0300      /* host system 3 in the high byte */
#define S_FLAG_DESCRIPTOR 0x0008      /* bit 3: CRC and sizes follow the data */
#define S_FLAG_UTF8       0x0800      /* bit 11: the name is UTF-8 */
#define S_METHOD_STORED   0
#define S_METHOD_DEFLATED 8
#define S_ATTR_FILE_0644  (0100644u << 16) /* st_mode in the high half, as Unix zips do */
#define S_ZLIB_PIECE      (1u << 30)       /* bytes per deflate call: avail_in is 32-bit */

/*  One entry, from its local header to its central record. */
typedef struct {
    uint64_t offset;   /* of its local header in the archive, bytes */
    uint64_t usize;    /* uncompressed bytes given so far */
    uint64_t csize;    /* bytes written as its data so far */
    uint64_t size_max; /* streamed: bound on usize */
    uint32_t crc;      /* CRC-32 of the uncompressed bytes so far */
    uint16_t method;   /* S_METHOD_* */
    uint16_t flags;    /* general-purpose bits */
    bool zip64_local;  /* its local header has a ZIP64 field */
} s_entry_t;

struct _store_zip_t {
    store_zip_sink_fn sink; /* where the bytes go */
    void *arg;              /* the sink's argument */
    uint16_t dos_time;      /* every entry's time, DOS format */
    uint16_t dos_date;      /* every entry's date, DOS format */
    char *spool_dir;        /* folder of the spool file; owned */
    bsw_error_t fail;       /* the sticky error; code 0 while none */
    bool finished;          /* store_zip_finish has run */
    uint64_t handed;        /* bytes given to the sink */
    uint64_t entries;       /* entries completed */
    unsigned char *out;     /* STORE_ZIP_CHUNK bytes gathered for the sink */
    size_t out_used;        /* bytes of out in use */
    unsigned char *spool;   /* STORE_ZIP_SPOOL_MEM_BYTES of central records */
    size_t spool_used;      /* bytes of spool not yet in the spool file */
    int spool_fd;           /* unlinked spool file, -1 until the memory is full */
    uint64_t cd_size;       /* bytes of central directory so far */
    unsigned char *scratch; /* a deflated add, compressed in one piece */
    size_t scratch_size;    /* its capacity, bytes */
    z_stream z;             /* raw deflate, reset per entry */
    bool z_ready;           /* z is initialised */
    bool open;              /* a streamed entry is open */
    s_entry_t cur;          /* the open entry */
    char *name;             /* its name; capacity name_size */
    size_t name_size;       /* bytes allocated for name */
    size_t name_len;        /* bytes of its name */
};

static void
s_put16 (unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char) v;
    p[1] = (unsigned char) (v >> 8);
}

static void
s_put32 (unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char) (v >> (8 * i));
}

static void
s_put64 (unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char) (v >> (8 * i));
}

/*  A 32-bit size or offset field: the value, or the ZIP64 placeholder. */
static uint32_t
s_field32 (uint64_t v)
{
    return v >= S_LIMIT32 ? S_LIMIT32 : (uint32_t) v;
}

/*  Records the sticky error and returns its code. */
static int
s_fail (store_zip_t *self, int code, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    self->fail.code = code;
    vsnprintf (self->fail.text, sizeof self->fail.text, fmt, ap);
    va_end (ap);
    return code;
}

/*  What a public call returns: 0, or the sticky error, copied to err. */
static int
s_status (store_zip_t *self, bsw_error_t *err)
{
    if (self->fail.code && err)
        *err = self->fail;
    return self->fail.code;
}

/*  Converts to the DOS date and time fields, in UTC, clamped to DOS's
    years 1980 to 2107. */
static void
s_dos_datetime (int64_t mtime, uint16_t *dos_time, uint16_t *dos_date)
{
    struct tm tm;
    time_t t = (time_t) mtime;
    if (mtime < 315532800 || !gmtime_r (&t, &tm)) { /* 1980-01-01 00:00:00 UTC */
        *dos_time = 0;
        *dos_date = (1 << 5) | 1;
        return;
    }
    if (tm.tm_year + 1900 > 2107) {
        *dos_time = (uint16_t) ((23 << 11) | (59 << 5) | 29);
        *dos_date = (uint16_t) ((127 << 9) | (12 << 5) | 31);
        return;
    }
    *dos_time = (uint16_t) ((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
    *dos_date = (uint16_t) (((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
}

store_zip_t *
store_zip_new (store_zip_sink_fn sink, void *arg, const store_zip_options_t *options)
{
    BSW_ASSERT (sink);
    store_zip_t *self = bsw_calloc (1, sizeof *self);
    self->sink = sink;
    self->arg = arg;
    s_dos_datetime (options ? options->mtime : 0, &self->dos_time, &self->dos_date);
    if (options && options->spool_dir)
        self->spool_dir = bsw_strdup (options->spool_dir);
    self->out = bsw_malloc (STORE_ZIP_CHUNK);
    self->spool = bsw_malloc (STORE_ZIP_SPOOL_MEM_BYTES);
    self->spool_fd = -1;
    return self;
}

void
store_zip_destroy (store_zip_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    store_zip_t *self = *self_p;
    if (self->z_ready)
        deflateEnd (&self->z);
    if (self->spool_fd >= 0)
        close (self->spool_fd);
    free (self->spool_dir);
    free (self->out);
    free (self->spool);
    free (self->scratch);
    free (self->name);
    free (self);
    *self_p = NULL;
}

uint64_t
store_zip_bytes (const store_zip_t *self)
{
    BSW_ASSERT (self);
    return self->handed;
}

uint64_t
store_zip_entries (const store_zip_t *self)
{
    BSW_ASSERT (self);
    return self->entries;
}

/*  Where the next byte goes in the archive. */
static uint64_t
s_offset (const store_zip_t *self)
{
    return self->handed + self->out_used;
}

static int
s_sink (store_zip_t *self, const void *data, size_t size)
{
    bsw_error_t err;
    bsw_error_clear (&err);
    int rc = self->sink (self->arg, data, size, &err);
    if (rc == 0) {
        self->handed += size;
        return 0;
    }
    BSW_ASSERT (rc < 0); /* the sink's contract */
    if (err.text[0])
        return s_fail (self, rc, "%s", err.text);
    return s_fail (self, rc, "zip: writing %zu bytes at offset %llu: %s", size,
                   (unsigned long long) self->handed, bsw_strerror (rc));
}

static int
s_flush (store_zip_t *self)
{
    if (self->out_used == 0)
        return 0;
    int rc = s_sink (self, self->out, self->out_used);
    self->out_used = 0;
    return rc;
}

/*  Appends bytes to the archive: small pieces are gathered, large ones go
    to the sink from where they are. */
static int
s_emit (store_zip_t *self, const void *data, size_t size)
{
    if (size >= STORE_ZIP_CHUNK) {
        int rc = s_flush (self);
        return rc ? rc : s_sink (self, data, size);
    }
    const unsigned char *p = data;
    while (size > 0) {
        size_t n = STORE_ZIP_CHUNK - self->out_used;
        n = n < size ? n : size;
        memcpy (self->out + self->out_used, p, n);
        self->out_used += n;
        p += n;
        size -= n;
        if (self->out_used == STORE_ZIP_CHUNK && s_flush (self))
            return self->fail.code;
    }
    return 0;
}

/*  The spool's memory is full: move it to the spool file, made on first use. */
static int
s_spool_drain (store_zip_t *self)
{
    const char *dir = self->spool_dir ? self->spool_dir : getenv ("TMPDIR");
    dir = dir && *dir ? dir : "/tmp";
    if (self->spool_fd < 0) {
        char path[4096];
        int n = snprintf (path, sizeof path, "%s/.store_zip-XXXXXX", dir);
        if (n < 0 || (size_t) n >= sizeof path)
            return s_fail (self, BSW_EIO, "zip spool: folder name '%s' is too long", dir);
        self->spool_fd = mkstemp (path);
        if (self->spool_fd < 0)
            return s_fail (self, errno == ENOSPC ? BSW_ENOSPACE : BSW_EIO,
                           "zip spool: cannot make a file in '%s': %s", dir, strerror (errno));
        /* Unlinked at once: the file goes with the descriptor, whatever
           happens, and no program started later inherits it. */
        if (unlink (path) != 0 || fcntl (self->spool_fd, F_SETFD, FD_CLOEXEC) != 0)
            return s_fail (self, BSW_EIO, "zip spool: '%s': %s", path, strerror (errno));
    }
    for (size_t done = 0; done < self->spool_used;) {
        ssize_t n = write (self->spool_fd, self->spool + done, self->spool_used - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return s_fail (self, n < 0 && errno == ENOSPC ? BSW_ENOSPACE : BSW_EIO,
                           "zip spool in '%s': %s", dir, n < 0 ? strerror (errno) : "short write");
        done += (size_t) n;
    }
    self->spool_used = 0;
    return 0;
}

static int
s_spool (store_zip_t *self, const void *data, size_t size)
{
    const unsigned char *p = data;
    self->cd_size += size;
    while (size > 0) {
        if (self->spool_used == STORE_ZIP_SPOOL_MEM_BYTES && s_spool_drain (self))
            return self->fail.code;
        size_t n = STORE_ZIP_SPOOL_MEM_BYTES - self->spool_used;
        n = n < size ? n : size;
        memcpy (self->spool + self->spool_used, p, n);
        self->spool_used += n;
        p += n;
        size -= n;
    }
    return 0;
}

/*  Checks what every entry-starting call checks, before anything is
    written. Returns 0 with the name's length, or the refusal. */
static int
s_check_entry (store_zip_t *self, const char *name, int level, size_t *len, bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (name);
    if (self->fail.code)
        return s_status (self, err);
    if (self->finished || self->open)
        return bsw_error_set (err, BSW_ESTATE, "zip: entry '%.200s' added %s", name,
                              self->finished ? "after the finish" : "while an entry is open");
    if (level < STORE_ZIP_STORED || level > STORE_ZIP_DEFLATE_BEST)
        return bsw_error_set (err, BSW_EINVAL, "zip: entry '%.200s': level %d is not 0 to 9", name,
                              level);
    *len = strnlen (name, STORE_ZIP_NAME_MAX + 1);
    if (*len == 0)
        return bsw_error_set (err, BSW_EINVAL, "zip: an entry name is empty");
    if (*len > STORE_ZIP_NAME_MAX)
        return bsw_error_set (err, BSW_EINVAL, "zip: entry name '%.200s...' is over %d bytes", name,
                              STORE_ZIP_NAME_MAX);
    for (size_t at = 0; at < *len;) {
        uint32_t cp;
        size_t n = bsw_utf8_next (name + at, &cp);
        if (n == 0)
            return bsw_error_set (
                err, BSW_EINVAL, "zip: entry name '%.200s': byte %zu is not valid UTF-8", name, at);
        at += n;
    }
    return 0;
}

/*  The local header: CRC and sizes from e unless it streams (bit 3). */
static int
s_local_header (store_zip_t *self, const s_entry_t *e, const char *name, size_t name_len)
{
    bool stream = e->flags & S_FLAG_DESCRIPTOR;
    unsigned char h[30 + 20];
    unsigned char *x = h + 30; /* the ZIP64 field: both sizes (APPNOTE 4.5.3) */
    s_put32 (h, S_SIG_LOCAL);
    s_put16 (h + 4, e->zip64_local ? S_VERSION_ZIP64 : S_VERSION_DEFAULT);
    s_put16 (h + 6, e->flags);
    s_put16 (h + 8, e->method);
    s_put16 (h + 10, self->dos_time);
    s_put16 (h + 12, self->dos_date);
    s_put32 (h + 14, stream ? 0 : e->crc);
    s_put32 (h + 18, e->zip64_local ? S_LIMIT32 : stream ? 0 : (uint32_t) e->csize);
    s_put32 (h + 22, e->zip64_local ? S_LIMIT32 : stream ? 0 : (uint32_t) e->usize);
    s_put16 (h + 26, (uint32_t) name_len);
    s_put16 (h + 28, e->zip64_local ? 20 : 0);
    s_put16 (x, 0x0001);
    s_put16 (x + 2, 16);
    s_put64 (x + 4, stream ? 0 : e->usize);
    s_put64 (x + 12, stream ? 0 : e->csize);
    if (s_emit (self, h, 30) || s_emit (self, name, name_len))
        return self->fail.code;
    return e->zip64_local ? s_emit (self, x, 20) : 0;
}

/*  Appends the entry's central record to the spool and counts it. */
static int
s_central_record (store_zip_t *self, const s_entry_t *e, const char *name, size_t name_len)
{
    unsigned char h[46 + 28];
    unsigned char *x = h + 46;
    size_t x_len = 4; /* the ZIP64 field: only the values that overflow, in this order */
    const uint64_t values[3] = {e->usize, e->csize, e->offset};
    for (int i = 0; i < 3; i++) {
        if (values[i] >= S_LIMIT32) {
            s_put64 (x + x_len, values[i]);
            x_len += 8;
        }
    }
    s_put16 (x, 0x0001);
    s_put16 (x + 2, (uint32_t) (x_len - 4));
    x_len = x_len > 4 ? x_len : 0;
    uint32_t version = x_len || e->zip64_local ? S_VERSION_ZIP64 : S_VERSION_DEFAULT;
    s_put32 (h, S_SIG_CENTRAL);
    s_put16 (h + 4, S_MADE_BY_UNIX | version);
    s_put16 (h + 6, version);
    s_put16 (h + 8, e->flags);
    s_put16 (h + 10, e->method);
    s_put16 (h + 12, self->dos_time);
    s_put16 (h + 14, self->dos_date);
    s_put32 (h + 16, e->crc);
    s_put32 (h + 20, s_field32 (e->csize));
    s_put32 (h + 24, s_field32 (e->usize));
    s_put16 (h + 28, (uint32_t) name_len);
    s_put16 (h + 30, (uint32_t) x_len);
    s_put16 (h + 32, 0); /* comment length */
    s_put16 (h + 34, 0); /* disk number */
    s_put16 (h + 36, 0); /* internal attributes */
    s_put32 (h + 38, S_ATTR_FILE_0644);
    s_put32 (h + 42, s_field32 (e->offset));
    if (s_spool (self, h, 46) || s_spool (self, name, name_len) || s_spool (self, x, x_len))
        return self->fail.code;
    self->entries++;
    return 0;
}

/*  The zlib stream reset for a new entry at `level`. */
static int
s_deflate_start (store_zip_t *self, int level)
{
    int rc;
    if (!self->z_ready) {
        rc = deflateInit2 (&self->z, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        if (rc == Z_MEM_ERROR)
            return s_fail (self, BSW_ENOMEM, "zip: no memory for deflate");
        self->z_ready = rc == Z_OK;
    } else {
        rc = deflateReset (&self->z);
        if (rc == Z_OK)
            rc = deflateParams (&self->z, level, Z_DEFAULT_STRATEGY);
    }
    if (rc != Z_OK)
        return s_fail (self, BSW_EINTERNAL, "zip: zlib deflate set-up failed (%d)", rc);
    return 0;
}

/*  Deflates size bytes of the open entry straight into the output buffer;
    Z_FINISH ends its stream. */
static int
s_deflate (store_zip_t *self, const void *data, size_t size, int flush)
{
    z_stream *z = &self->z;
    const unsigned char *p = data;
    int rc;
    do {
        size_t piece = size < S_ZLIB_PIECE ? size : S_ZLIB_PIECE;
        z->next_in = (unsigned char *) p;
        z->avail_in = (uInt) piece;
        int mode = piece == size ? flush : Z_NO_FLUSH;
        do {
            if (self->out_used == STORE_ZIP_CHUNK && s_flush (self))
                return self->fail.code;
            z->next_out = self->out + self->out_used;
            z->avail_out = (uInt) (STORE_ZIP_CHUNK - self->out_used);
            rc = deflate (z, mode);
            if (rc == Z_STREAM_ERROR)
                return s_fail (self, BSW_EINTERNAL, "zip: zlib deflate failed");
            size_t made = STORE_ZIP_CHUNK - self->out_used - z->avail_out;
            self->out_used += made;
            self->cur.csize += made;
        } while (z->avail_in > 0 || z->avail_out == 0 || (mode == Z_FINISH && rc != Z_STREAM_END));
        p += piece;
        size -= piece;
    } while (size > 0);
    return 0;
}

/*  A deflated add that fits the scratch buffer: compressed in one piece,
    so that its header holds its sizes; stored when that is not smaller. */
static int
s_add_buffered (store_zip_t *self, const char *name, size_t name_len, const void *data, size_t size,
                int level)
{
    if (s_deflate_start (self, level))
        return self->fail.code;
    size_t bound = deflateBound (&self->z, (uLong) size);
    if (self->scratch_size < bound) {
        free (self->scratch);
        self->scratch = bsw_malloc (bound);
        self->scratch_size = bound;
    }
    self->z.next_in = (unsigned char *) data;
    self->z.avail_in = (uInt) size;
    self->z.next_out = self->scratch;
    self->z.avail_out = (uInt) bound;
    int rc = deflate (&self->z, Z_FINISH);
    if (rc != Z_STREAM_END)
        return s_fail (self, BSW_EINTERNAL, "zip: zlib deflate of '%.200s' failed (%d)", name, rc);
    s_entry_t e = {.offset = s_offset (self), .usize = size, .csize = bound - self->z.avail_out};
    e.crc = (uint32_t) crc32_z (0, data, size);
    e.flags = S_FLAG_UTF8;
    const void *bytes = self->scratch;
    if (e.csize < size)
        e.method = S_METHOD_DEFLATED;
    else
        e.method = S_METHOD_STORED, e.csize = size, bytes = data;
    if (s_local_header (self, &e, name, name_len) || s_emit (self, bytes, e.csize))
        return self->fail.code;
    return s_central_record (self, &e, name, name_len);
}

/*  Opens a streamed entry (name already checked). */
static int
s_begin (store_zip_t *self, const char *name, size_t name_len, int level, uint64_t size_max)
{
    if (level != STORE_ZIP_STORED && s_deflate_start (self, level))
        return self->fail.code;
    if (self->name_size < name_len + 1) {
        self->name = bsw_realloc (self->name, name_len + 1);
        self->name_size = name_len + 1;
    }
    memcpy (self->name, name, name_len + 1);
    self->name_len = name_len;
    s_entry_t e = {.offset = s_offset (self), .size_max = size_max};
    e.method = level == STORE_ZIP_STORED ? S_METHOD_STORED : S_METHOD_DEFLATED;
    e.flags = S_FLAG_UTF8 | S_FLAG_DESCRIPTOR;
    e.zip64_local = size_max > S_STREAM32_MAX;
    self->cur = e;
    self->open = true;
    return s_local_header (self, &e, name, name_len);
}

int
store_zip_add (store_zip_t *self, const char *name, const void *data, size_t size, int level,
               bsw_error_t *err)
{
    size_t name_len = 0;
    int rc = s_check_entry (self, name, level, &name_len, err);
    if (rc)
        return rc;
    BSW_ASSERT (data || size == 0);
    if (level != STORE_ZIP_STORED && size <= STORE_ZIP_ADD_BUFFER_MAX) {
        s_add_buffered (self, name, name_len, data, size, level);
    } else if (level != STORE_ZIP_STORED) {
        if (s_begin (self, name, name_len, level, size) == 0 &&
            s_deflate (self, data, size, Z_NO_FLUSH) == 0) {
            self->cur.usize = size;
            self->cur.crc = (uint32_t) crc32_z (0, data, size);
            store_zip_end (self, err);
        }
    } else {
        s_entry_t e = {.offset = s_offset (self), .usize = size, .csize = size};
        e.crc = (uint32_t) crc32_z (0, data, size);
        e.flags = S_FLAG_UTF8;
        e.zip64_local = size >= S_LIMIT32;
        if (s_local_header (self, &e, name, name_len) == 0 && s_emit (self, data, size) == 0)
            s_central_record (self, &e, name, name_len);
    }
    return s_status (self, err);
}

int
store_zip_begin (store_zip_t *self, const char *name, int level, uint64_t size_max,
                 bsw_error_t *err)
{
    size_t name_len = 0;
    int rc = s_check_entry (self, name, level, &name_len, err);
    if (rc)
        return rc;
    s_begin (self, name, name_len, level, size_max);
    return s_status (self, err);
}

int
store_zip_write (store_zip_t *self, const void *data, size_t size, bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (data || size == 0);
    if (self->fail.code)
        return s_status (self, err);
    if (!self->open)
        return bsw_error_set (err, BSW_ESTATE, "zip: write with no entry open");
    s_entry_t *e = &self->cur;
    if (size > e->size_max - e->usize)
        s_fail (self, BSW_ETOOBIG, "zip: entry '%.200s' grows past its size of at most %llu bytes",
                self->name, (unsigned long long) e->size_max);
    else if (size > 0) { /* crc32_z (crc, NULL, 0) would return 0, not crc */
        e->crc = (uint32_t) crc32_z (e->crc, data, size);
        e->usize += size;
        if (e->method == S_METHOD_STORED) {
            e->csize += size;
            s_emit (self, data, size);
        } else
            s_deflate (self, data, size, Z_NO_FLUSH);
    }
    return s_status (self, err);
}

int
store_zip_end (store_zip_t *self, bsw_error_t *err)
{
    BSW_ASSERT (self);
    if (self->fail.code)
        return s_status (self, err);
    if (!self->open)
        return bsw_error_set (err, BSW_ESTATE, "zip: end with no entry open");
    s_entry_t *e = &self->cur;
    self->open = false;
    if (e->method == S_METHOD_DEFLATED && s_deflate (self, NULL, 0, Z_FINISH))
        return s_status (self, err);
    if (!e->zip64_local && e->csize >= S_LIMIT32) /* S_STREAM32_MAX leaves room: never */
        s_fail (self, BSW_ETOOBIG, "zip: entry '%.200s' deflated to 4 GiB or more", self->name);
    else {
        unsigned char d[24];
        s_put32 (d, S_SIG_DESCRIPTOR);
        s_put32 (d + 4, e->crc);
        if (e->zip64_local) {
            s_put64 (d + 8, e->csize);
            s_put64 (d + 16, e->usize);
        } else {
            s_put32 (d + 8, (uint32_t) e->csize);
            s_put32 (d + 12, (uint32_t) e->usize);
        }
        if (s_emit (self, d, e->zip64_local ? 24 : 16) == 0)
            s_central_record (self, e, self->name, self->name_len);
    }
    return s_status (self, err);
}

/*  Hands the spooled central directory to the sink. */
static int
s_send_directory (store_zip_t *self)
{
    if (self->spool_fd < 0)
        return s_emit (self, self->spool, self->spool_used);
    if (self->spool_used > 0 && s_spool_drain (self))
        return self->fail.code;
    for (uint64_t at = 0; at < self->cd_size;) {
        uint64_t left = self->cd_size - at;
        size_t want = left < STORE_ZIP_SPOOL_MEM_BYTES ? (size_t) left : STORE_ZIP_SPOOL_MEM_BYTES;
        ssize_t n = pread (self->spool_fd, self->spool, want, (off_t) at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return s_fail (self, BSW_EIO, "zip spool: reading it back: %s",
                           n < 0 ? strerror (errno) : "it is shorter than written");
        if (s_emit (self, self->spool, (size_t) n))
            return self->fail.code;
        at += (uint64_t) n;
    }
    return 0;
}

/*  The ZIP64 end record and locator when needed, then the classic one. */
static int
s_end_records (store_zip_t *self, uint64_t cd_offset)
{
    bool zip64 = self->entries >= S_LIMIT16 || self->cd_size >= S_LIMIT32 || cd_offset >= S_LIMIT32;
    unsigned char r[56 + 20 + 22];
    unsigned char *e = r;
    if (zip64) {
        uint64_t end64_offset = s_offset (self);
        s_put32 (e, S_SIG_END64);
        s_put64 (e + 4, 56 - 12); /* bytes of the record after this field */
        s_put16 (e + 12, S_MADE_BY_UNIX | S_VERSION_ZIP64);
        s_put16 (e + 14, S_VERSION_ZIP64);
        s_put32 (e + 16, 0); /* this disk */
        s_put32 (e + 20, 0); /* the disk of the central directory */
        s_put64 (e + 24, self->entries);
        s_put64 (e + 32, self->entries);
        s_put64 (e + 40, self->cd_size);
        s_put64 (e + 48, cd_offset);
        s_put32 (e + 56, S_SIG_LOCATOR64);
        s_put32 (e + 60, 0); /* the disk of the ZIP64 end record */
        s_put64 (e + 64, end64_offset);
        s_put32 (e + 72, 1); /* disks in all */
        e += 76;
    }
    uint32_t count = self->entries >= S_LIMIT16 ? S_LIMIT16 : (uint32_t) self->entries;
    s_put32 (e, S_SIG_END);
    s_put16 (e + 4, 0); /* this disk */
    s_put16 (e + 6, 0); /* the disk of the central directory */
    s_put16 (e + 8, count);
    s_put16 (e + 10, count);
    s_put32 (e + 12, s_field32 (self->cd_size));
    s_put32 (e + 16, s_field32 (cd_offset));
    s_put16 (e + 20, 0); /* comment length */
    return s_emit (self, r, (size_t) (e + 22 - r));
}

int
store_zip_finish (store_zip_t *self, bsw_error_t *err)
{
    BSW_ASSERT (self);
    if (self->fail.code)
        return s_status (self, err);
    if (self->finished || self->open)
        return bsw_error_set (err, BSW_ESTATE, "zip: finish %s",
                              self->finished ? "called twice" : "while an entry is open");
    self->finished = true;
    uint64_t cd_offset = s_offset (self);
    if (s_send_directory (self) == 0 && s_end_records (self, cd_offset) == 0)
        s_flush (self);
    if (self->spool_fd >= 0) {
        close (self->spool_fd);
        self->spool_fd = -1;
    }
    return s_status (self, err);
}
