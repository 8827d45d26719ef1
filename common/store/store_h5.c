/*  store_h5.c - writing TVB-encoded HDF5 files: built in memory, written to
    a temporary file and renamed into place, with sticky errors, TVB's
    attribute encodings and the per-dataset statistics of TVB.md 11.3.

    Life of a file: store_h5_create makes "<path>.tmp-XXXXXX" with O_EXCL.
    Its mode is 0666 less the umask, not mkstemp's 0600, because the result
    is a user's file. A missing folder therefore fails at once. HDF5 builds
    the file in memory with its core driver (no backing store).
    store_h5_commit flushes it and copies the image out. It writes the image
    to the temporary file with plain write(), fsyncs it, renames it over the
    target and fsyncs the folder. Any failure deletes the temporary file.

    Why in memory: HDF5 1.10 does not survive a failed H5Fclose. When the
    final flush hits a full disk, the file id stays registered over freed
    memory, and the library crashes at exit (H5F__close_cb from
    H5_term_library; see the failed_midway test). With the core driver,
    HDF5 never does disk I/O. Every write, and so every ENOSPC, EDQUOT or
    EIO, goes through our own calls with a plain errno. The cost is one
    copy of the file in memory at commit (H5Fget_file_image). The
    tutorial's TemporalAverage series is ~620 KB; a long Raw series of a
    998-node connectivity can reach hundreds of MB. File-image callbacks
    could hand us the driver's buffer without the copy; that is not needed
    so far.

    The fsync costs one disk flush per file. Results are committed before
    the broker acknowledges them, so they must be durable. Also, with
    delayed allocation, ENOSPC may first show at fsync.

    HDF5 failures are read off its error stack right after the failing
    call, and the innermost description becomes the sentence. Automatic
    printing is turned off at every entry point, because thread-safe HDF5
    keeps that setting per thread.

    File format: HDF5's default (earliest) format bounds, which any HDF5
    reads. TVB writes with 'latest', and TVB.md 11.3 says both are
    accepted. We cannot use (1.8, latest) here. It gives a checksummed
    version-2 superblock, and with HDF5 1.10.8 the image that
    H5Fget_file_image returns fails that checksum on open ("incorrect
    metadata checksum"), most likely because the write-access status flag
    is cleared in the copy. The close degree is STRONG, so a leaked id
    cannot keep the in-memory file alive.
*/
#include "store_h5.h"
#include "bsw_assert.h"
#include "bsw_util.h"

#include <hdf5.h>

#include <stdatomic.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define S_MAX_RANK 8
//  The core driver grows its buffer by this much at a time: small, since
//  it zeroes each increment and most results of tiny sweeps are a few KB.
#define S_CORE_INCREMENT_BYTES (64u << 10)

struct _store_h5_t {
    char *path;      /* target path, where commit renames the file */
    char *tmp_path;  /* "<path>.tmp-XXXXXX", created at once, filled at commit */
    int fd;          /* open on tmp_path for writing, or -1 */
    hid_t file;      /* the in-memory HDF5 file, or H5I_INVALID_HID once closed */
    bool committed;  /* renamed into place: nothing left to delete */
    int deflate;     /* chunked datasets: 0 plain, 1-9 byte shuffle + deflate level */
    bsw_error_t err; /* sticky: the first failure; code 0 while all is well */
};

static int s_take_image (store_h5_t *self, void **image_p, size_t *size_p);

//  The innermost description on HDF5's error stack.
static herr_t
s_walk (unsigned n, const H5E_error2_t *entry, void *arg)
{
    if (n == 0 && entry->desc)
        snprintf (arg, 256, "%s", entry->desc);
    return 0;
}

//  Records the first failure; later failures keep the first sentence,
//  which names the cause rather than a consequence.
static int s_fail (store_h5_t *self, int code, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static int
s_fail (store_h5_t *self, int code, const char *fmt, ...)
{
    if (self->err.code)
        return self->err.code;
    char what[BSW_ERROR_TEXT_MAX];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (what, sizeof what, fmt, ap);
    va_end (ap);
    return bsw_error_set (&self->err, code, "%s: %s", self->path, what);
}

//  An HDF5 call failed. With no disk I/O inside HDF5 this is a bad
//  argument, a name clash or lack of memory; all report as BSW_EIO.
static int
s_fail_h5 (store_h5_t *self, const char *what, const char *name)
{
    char why[256] = "";
    H5Ewalk2 (H5E_DEFAULT, H5E_WALK_UPWARD, s_walk, why);
    H5Eclear2 (H5E_DEFAULT);
    return s_fail (self, BSW_EIO, "HDF5: %s '%s' failed: %s", what, name,
                   why[0] ? why : "no detail");
}

//  A system call failed with errno `e`.
static int
s_fail_errno (store_h5_t *self, int e, const char *what, const char *name)
{
    int code = (e == ENOSPC || e == EDQUOT) ? BSW_ENOSPACE : BSW_EIO;
    return s_fail (self, code, "%s '%s' failed: %s", what, name, strerror (e));
}

static void
s_quiet (void)
{
    H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
}

//  Creates the temporary file exclusively and keeps it open. getrandom
//  names it; if the kernel lacks getrandom the clock does, and O_EXCL
//  still keeps it ours.
static int
s_open_temp (store_h5_t *self)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    size_t size = strlen (self->path) + sizeof ".tmp-XXXXXX";
    self->tmp_path = bsw_malloc (size);
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned char bytes[6];
        if (getrandom (bytes, sizeof bytes, GRND_NONBLOCK) != (ssize_t) sizeof bytes) {
            struct timespec ts;
            clock_gettime (CLOCK_REALTIME, &ts);
            uint64_t mix = (uint64_t) ts.tv_nsec * 0x9E3779B97F4A7C15ull + (uint64_t) attempt;
            memcpy (bytes, &mix, sizeof bytes);
        }
        char suffix[7];
        for (int i = 0; i < 6; i++)
            suffix[i] = alphabet[bytes[i] % (sizeof alphabet - 1)];
        suffix[6] = '\0';
        snprintf (self->tmp_path, size, "%s.tmp-%s", self->path, suffix);
        self->fd = open (self->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (self->fd >= 0)
            return 0;
        if (errno != EEXIST) {
            int e = errno;
            free (self->tmp_path);
            self->tmp_path = NULL; // not ours: nothing to delete
            return s_fail_errno (self, e, "creating temporary file beside", self->path);
        }
    }
    free (self->tmp_path);
    self->tmp_path = NULL;
    return s_fail (self, BSW_EIO, "no free temporary name beside it after 100 attempts");
}

int
store_h5_create (store_h5_t **self_p, const char *path, bsw_error_t *err)
{
    BSW_ASSERT (self_p);
    BSW_ASSERT (path);
    *self_p = NULL;
    s_quiet ();
    store_h5_t *self = bsw_calloc (1, sizeof *self);
    self->path = bsw_strdup (path);
    self->fd = -1;
    self->file = H5I_INVALID_HID;
    if (s_open_temp (self) == 0) {
        hid_t fapl = H5Pcreate (H5P_FILE_ACCESS);
        if (fapl < 0 || H5Pset_fapl_core (fapl, S_CORE_INCREMENT_BYTES, false) < 0 ||
            H5Pset_fclose_degree (fapl, H5F_CLOSE_STRONG) < 0)
            s_fail_h5 (self, "setting file access properties for", self->tmp_path);
        else {
            self->file = H5Fcreate (self->tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
            if (self->file < 0)
                s_fail_h5 (self, "creating", self->tmp_path);
        }
        if (fapl >= 0)
            H5Pclose (fapl);
    }
    if (self->err.code) {
        int code = self->err.code;
        if (err)
            *err = self->err;
        store_h5_destroy (&self);
        return code;
    }
    *self_p = self;
    return 0;
}

int
store_h5_create_memory (store_h5_t **self_p, const char *label, bsw_error_t *err)
{
    BSW_ASSERT (self_p);
    *self_p = NULL;
    s_quiet ();
    store_h5_t *self = bsw_calloc (1, sizeof *self);
    self->path = bsw_strdup (label ? label : "(memory)");
    self->fd = -1;
    self->file = H5I_INVALID_HID;
    //  The core driver keys open files by name: make the name unique per
    //  file so threads building images at once never collide.
    static atomic_ulong counter;
    char name[96];
    snprintf (name, sizeof name, "brainsweep-image-%d-%lu", (int) getpid (),
              atomic_fetch_add (&counter, 1));
    hid_t fapl = H5Pcreate (H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fapl_core (fapl, S_CORE_INCREMENT_BYTES, false) < 0 ||
        H5Pset_fclose_degree (fapl, H5F_CLOSE_STRONG) < 0)
        s_fail_h5 (self, "setting file access properties for", name);
    else {
        self->file = H5Fcreate (name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
        if (self->file < 0)
            s_fail_h5 (self, "creating", name);
    }
    if (fapl >= 0)
        H5Pclose (fapl);
    if (self->err.code) {
        int code = self->err.code;
        if (err)
            *err = self->err;
        store_h5_destroy (&self);
        return code;
    }
    *self_p = self;
    return 0;
}

int
store_h5_commit_image (store_h5_t **self_p, void **image_p, size_t *size_p, bsw_error_t *err)
{
    BSW_ASSERT (self_p && *self_p);
    store_h5_t *self = *self_p;
    s_quiet ();
    *image_p = NULL;
    *size_p = 0;
    if (!self->err.code)
        s_take_image (self, image_p, size_p);
    int code = self->err.code;
    if (err)
        *err = self->err;
    store_h5_destroy (self_p);
    return code;
}

void
store_h5_destroy (store_h5_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    store_h5_t *self = *self_p;
    s_quiet ();
    if (self->file >= 0)
        H5Fclose (self->file);
    if (self->fd >= 0)
        close (self->fd);
    if (self->tmp_path && !self->committed)
        unlink (self->tmp_path);
    free (self->tmp_path);
    free (self->path);
    free (self);
    *self_p = NULL;
}

//  Copies the finished in-memory file out and closes it. Caller frees
//  *image_p. Closing cannot fail on I/O: there is none.
static int
s_take_image (store_h5_t *self, void **image_p, size_t *size_p)
{
    *image_p = NULL;
    *size_p = 0;
    ssize_t size = -1;
    if (H5Fflush (self->file, H5F_SCOPE_LOCAL) < 0 ||
        (size = H5Fget_file_image (self->file, NULL, 0)) < 0)
        return s_fail_h5 (self, "flushing", self->tmp_path);
    void *image = bsw_malloc ((size_t) size);
    if (H5Fget_file_image (self->file, image, (size_t) size) != size) {
        free (image);
        return s_fail_h5 (self, "copying the image of", self->tmp_path);
    }
    herr_t closed = H5Fclose (self->file);
    self->file = H5I_INVALID_HID;
    if (closed < 0) {
        free (image);
        return s_fail_h5 (self, "closing", self->tmp_path);
    }
    *image_p = image;
    *size_p = (size_t) size;
    return 0;
}

//  write() until done (it may write less than asked), then fsync and
//  close, each of which can be the first to report ENOSPC or EIO.
static int
s_write_out (store_h5_t *self, const void *image, size_t size)
{
    const char *p = image;
    while (size > 0) {
        ssize_t n = write (self->fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return s_fail_errno (self, errno, "writing", self->tmp_path);
        p += n;
        size -= (size_t) n;
    }
    if (fsync (self->fd) != 0)
        return s_fail_errno (self, errno, "fsync of", self->tmp_path);
    int rc = close (self->fd);
    self->fd = -1;
    if (rc != 0)
        return s_fail_errno (self, errno, "closing", self->tmp_path);
    return 0;
}

//  Best effort: the rename is already visible, so a failure here cannot
//  be undone and is not reported.
static void
s_fsync_folder (const char *path)
{
    char *folder = bsw_strdup (path);
    char *slash = strrchr (folder, '/');
    const char *name = folder;
    if (!slash)
        name = ".";
    else if (slash == folder)
        slash[1] = '\0';
    else
        *slash = '\0';
    int fd = open (name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync (fd);
        close (fd);
    }
    free (folder);
}

int
store_h5_commit (store_h5_t **self_p, bsw_error_t *err)
{
    BSW_ASSERT (self_p && *self_p);
    store_h5_t *self = *self_p;
    s_quiet ();
    void *image = NULL;
    size_t size = 0;
    if (!self->err.code && s_take_image (self, &image, &size) == 0 &&
        s_write_out (self, image, size) == 0) {
        if (rename (self->tmp_path, self->path) == 0) {
            self->committed = true;
            s_fsync_folder (self->path);
        } else
            s_fail_errno (self, errno, "renaming into place", self->tmp_path);
    }
    free (image);
    int code = self->err.code;
    if (err)
        *err = self->err;
    store_h5_destroy (self_p);
    return code;
}

const bsw_error_t *
store_h5_error (const store_h5_t *self)
{
    BSW_ASSERT (self);
    return &self->err;
}

void
store_h5_set_deflate (store_h5_t *self, int level)
{
    BSW_ASSERT (self);
    self->deflate = level < 0 ? 0 : level > 9 ? 9 : level;
}

bool
store_h5_uuid_valid (const char *text)
{
    if (!text || strlen (text) != STORE_H5_UUID_LEN)
        return false;
    for (int i = 0; i < STORE_H5_UUID_LEN; i++) {
        char c = text[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

void
store_h5_date_now (char out[STORE_H5_DATE_BUF])
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r (&ts.tv_sec, &tm);
    char base[24];
    strftime (base, sizeof base, "%Y-%m-%d,%H-%M-%S", &tm);
    snprintf (out, STORE_H5_DATE_BUF, "%s.%06d", base, (int) (ts.tv_nsec / 1000) % 1000000);
}

//  Variable-length UTF-8 strings: the only string type TVB reads back as
//  text. Callers close the type.
static hid_t
s_string_type (void)
{
    hid_t type = H5Tcopy (H5T_C_S1);
    if (type >= 0 &&
        (H5Tset_size (type, H5T_VARIABLE) < 0 || H5Tset_cset (type, H5T_CSET_UTF8) < 0)) {
        H5Tclose (type);
        return H5I_INVALID_HID;
    }
    return type;
}

//  h5py's bool: an enum on int8 with FALSE=0, TRUE=1.
static hid_t
s_bool_type (hid_t base)
{
    hid_t type = H5Tenum_create (base);
    signed char no = 0, yes = 1;
    if (type >= 0 &&
        (H5Tenum_insert (type, "FALSE", &no) < 0 || H5Tenum_insert (type, "TRUE", &yes) < 0)) {
        H5Tclose (type);
        return H5I_INVALID_HID;
    }
    return type;
}

//  Writes one scalar attribute on an open object, replacing an old one.
static int
s_attr_on (store_h5_t *self, hid_t obj, const char *object, const char *name, hid_t filetype,
           hid_t memtype, const void *value)
{
    if (self->err.code)
        return self->err.code;
    char label[512];
    snprintf (label, sizeof label, "%s' of '%s", name, object);
    htri_t exists = H5Aexists (obj, name);
    if (exists < 0 || (exists > 0 && H5Adelete (obj, name) < 0))
        return s_fail_h5 (self, "replacing attribute", label);
    hid_t space = H5Screate (H5S_SCALAR);
    hid_t attr = H5Acreate2 (obj, name, filetype, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = 0;
    if (attr < 0 || H5Awrite (attr, memtype, value) < 0)
        rc = s_fail_h5 (self, "writing attribute", label);
    if (attr >= 0 && H5Aclose (attr) < 0)
        rc = s_fail_h5 (self, "closing attribute", label);
    H5Sclose (space);
    return rc;
}

static int
s_attr (store_h5_t *self, const char *object, const char *name, hid_t filetype, hid_t memtype,
        const void *value)
{
    BSW_ASSERT (self && object && name);
    if (self->err.code)
        return self->err.code;
    s_quiet ();
    hid_t obj = H5Oopen (self->file, object, H5P_DEFAULT);
    if (obj < 0)
        return s_fail_h5 (self, "opening object", object);
    int rc = s_attr_on (self, obj, object, name, filetype, memtype, value);
    H5Oclose (obj);
    return rc;
}

int
store_h5_attr_string (store_h5_t *self, const char *object, const char *name, const char *value)
{
    BSW_ASSERT (value);
    hid_t type = s_string_type ();
    int rc = s_attr (self, object, name, type, type, &value);
    H5Tclose (type);
    return rc;
}

int
store_h5_attr_f64 (store_h5_t *self, const char *object, const char *name, double value)
{
    return s_attr (self, object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

int
store_h5_attr_i64 (store_h5_t *self, const char *object, const char *name, int64_t value)
{
    return s_attr (self, object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

int
store_h5_attr_bool (store_h5_t *self, const char *object, const char *name, bool value)
{
    return store_h5_attr_string (self, object, name, value ? "bool:True" : "bool:False");
}

int
store_h5_attr_urn (store_h5_t *self, const char *object, const char *name, const char *uuid)
{
    BSW_ASSERT (self);
    if (!store_h5_uuid_valid (uuid))
        return s_fail (self, BSW_EINVAL, "attribute '%s': '%s' is not a lower-case UUID", name,
                       uuid ? uuid : "(null)");
    char urn[sizeof "urn:uuid:" + STORE_H5_UUID_LEN];
    snprintf (urn, sizeof urn, "urn:uuid:%s", uuid);
    return store_h5_attr_string (self, object, name, urn);
}

int
store_h5_write_generic (store_h5_t *self, const store_h5_generic_t *generic)
{
    BSW_ASSERT (self && generic && generic->written_by && generic->state);
    char now[STORE_H5_DATE_BUF];
    const char *date = generic->create_date;
    if (!date) {
        store_h5_date_now (now);
        date = now;
    }
    static const char *const empty[] = {"TVB_subject",      "TVB_user_tag_1", "TVB_user_tag_2",
                                        "TVB_user_tag_3",   "TVB_user_tag_4", "TVB_user_tag_5",
                                        "TVB_operation_tag"};
    store_h5_attr_i64 (self, "/", "TVB_Data_version", 5);
    store_h5_attr_urn (self, "/", "TVB_gid", generic->gid);
    store_h5_attr_string (self, "/", "TVB_written_by", generic->written_by);
    store_h5_attr_string (self, "/", "TVB_create_date", date);
    store_h5_attr_bool (self, "/", "TVB_invalid", false);
    store_h5_attr_bool (self, "/", "TVB_is_nan", false);
    store_h5_attr_string (self, "/", "TVB_state", generic->state);
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++)
        store_h5_attr_string (self, "/", empty[i], "");
    return store_h5_attr_bool (self, "/", "TVB_visible", generic->visible);
}

//  The statistics attributes of a dataset (store_h5.h).
typedef store_h5_stats_t s_stats_t;

//  Numpy's min, max, mean and isfinite().all(): a NaN anywhere makes all
//  three NaN. The sum runs in long double so the mean of a long series of
//  similar values keeps its digits; an infinity propagates as in numpy.
store_h5_stats_t
store_h5_stats_f64 (const double *values, size_t count)
{
    BSW_ASSERT (values && count > 0);
    s_stats_t s = {values[0], values[0], 0.0, true};
    long double sum = 0.0L;
    bool nan = false;
    for (size_t i = 0; i < count; i++) {
        double v = values[i];
        if (isnan (v))
            nan = true;
        if (!isfinite (v))
            s.finite = false;
        if (v < s.min)
            s.min = v;
        if (v > s.max)
            s.max = v;
        sum += v;
    }
    s.mean = (double) (sum / (long double) count);
    if (nan)
        s.min = s.max = s.mean = NAN;
    return s;
}

static s_stats_t
s_stats_i64 (const int64_t *values, size_t count)
{
    int64_t lo = values[0], hi = values[0];
    long double sum = 0.0L;
    for (size_t i = 0; i < count; i++) {
        lo = values[i] < lo ? values[i] : lo;
        hi = values[i] > hi ? values[i] : hi;
        sum += (long double) values[i];
    }
    s_stats_t s = {(double) lo, (double) hi, (double) (sum / (long double) count), true};
    return s;
}

//  The five per-dataset attributes of TVB.md 11.3 for a numeric dataset.
static int
s_numeric_attrs (store_h5_t *self, hid_t dset, const char *name, s_stats_t s)
{
    s_attr_on (self, dset, name, "TVB_Minimum", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &s.min);
    s_attr_on (self, dset, name, "TVB_Maximum", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &s.max);
    s_attr_on (self, dset, name, "TVB_Mean", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &s.mean);
    hid_t type = s_string_type ();
    const char *finite = s.finite ? "bool:True" : "bool:False";
    const char *complex = "bool:False";
    s_attr_on (self, dset, name, "TVB_IsFinite", type, type, &finite);
    int rc = s_attr_on (self, dset, name, "TVB_HasComplex", type, type, &complex);
    H5Tclose (type);
    return rc;
}

//  Checks the shape and returns the element count, or 0 after recording
//  BSW_EINVAL (empty, overflowing or rank out of range).
static size_t
s_count (store_h5_t *self, const char *name, const size_t *dims, int rank)
{
    if (rank < 1 || rank > S_MAX_RANK) {
        s_fail (self, BSW_EINVAL, "dataset '%s': rank %d is not 1..%d", name, rank, S_MAX_RANK);
        return 0;
    }
    size_t count = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] == 0 || count > SIZE_MAX / sizeof (double) / dims[i]) {
            s_fail (self, BSW_EINVAL, "dataset '%s': dimension %d of %zu is empty or too large",
                    name, i, dims[i]);
            return 0;
        }
        count *= dims[i];
    }
    return count;
}

//  Creates and fills a dataset and hands it back open (for its
//  attributes), or records the failure and returns H5I_INVALID_HID.
static hid_t
s_dataset (store_h5_t *self, const char *name, hid_t filetype, hid_t memtype, const void *values,
           const size_t *dims, int rank, size_t chunk_rows)
{
    hsize_t cur[S_MAX_RANK], max[S_MAX_RANK], chunk[S_MAX_RANK];
    size_t row_bytes = H5Tget_size (filetype);
    for (int i = 0; i < rank; i++) {
        cur[i] = max[i] = chunk[i] = dims[i];
        if (i > 0)
            row_bytes *= dims[i];
    }
    hid_t dcpl = H5Pcreate (H5P_DATASET_CREATE);
    if (chunk_rows > 0) {
        size_t rows = chunk_rows < dims[0] ? chunk_rows : dims[0];
        size_t fit = STORE_H5_CHUNK_BYTES / (row_bytes ? row_bytes : 1);
        rows = rows < fit ? rows : fit;
        chunk[0] = rows > 0 ? rows : 1;
        max[0] = H5S_UNLIMITED;
        //  Shuffle groups the bytes of the doubles by significance, which is
        //  what lets deflate shrink float64 series at all.
        if (H5Pset_chunk (dcpl, rank, chunk) < 0 ||
            (self->deflate > 0 &&
             (H5Pset_shuffle (dcpl) < 0 || H5Pset_deflate (dcpl, (unsigned) self->deflate) < 0))) {
            H5Pclose (dcpl);
            s_fail_h5 (self, "setting chunks of dataset", name);
            return H5I_INVALID_HID;
        }
    }
    hid_t space = H5Screate_simple (rank, cur, max);
    hid_t dset = H5Dcreate2 (self->file, name, filetype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Sclose (space);
    H5Pclose (dcpl);
    if (dset < 0) {
        s_fail_h5 (self, "creating dataset", name);
        return H5I_INVALID_HID;
    }
    if (H5Dwrite (dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0) {
        s_fail_h5 (self, "writing dataset", name);
        H5Dclose (dset);
        return H5I_INVALID_HID;
    }
    return dset;
}

//  Closing flushes the dataset's chunk cache into the in-memory file, so
//  its status is checked like any write.
static int
s_close_dataset (store_h5_t *self, hid_t dset, const char *name)
{
    if (H5Dclose (dset) < 0)
        return s_fail_h5 (self, "closing dataset", name);
    return self->err.code;
}

int
store_h5_dataset_f64 (store_h5_t *self, const char *name, const double *values, const size_t *dims,
                      int rank, size_t chunk_rows)
{
    return store_h5_dataset_f64_stats (self, name, values, dims, rank, chunk_rows, NULL);
}

int
store_h5_dataset_f64_stats (store_h5_t *self, const char *name, const double *values,
                            const size_t *dims, int rank, size_t chunk_rows,
                            const store_h5_stats_t *given)
{
    BSW_ASSERT (self && name && dims);
    if (self->err.code)
        return self->err.code;
    s_quiet ();
    size_t count = s_count (self, name, dims, rank);
    if (count == 0)
        return self->err.code;
    BSW_ASSERT (values);
    hid_t dset =
        s_dataset (self, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values, dims, rank, chunk_rows);
    if (dset < 0)
        return self->err.code;
    s_stats_t stats = given ? *given : store_h5_stats_f64 (values, count);
    s_numeric_attrs (self, dset, name, stats);
    return s_close_dataset (self, dset, name);
}

int
store_h5_dataset_i64 (store_h5_t *self, const char *name, const int64_t *values, const size_t *dims,
                      int rank)
{
    BSW_ASSERT (self && name && dims);
    if (self->err.code)
        return self->err.code;
    s_quiet ();
    size_t count = s_count (self, name, dims, rank);
    if (count == 0)
        return self->err.code;
    BSW_ASSERT (values);
    hid_t dset = s_dataset (self, name, H5T_STD_I64LE, H5T_NATIVE_INT64, values, dims, rank, 0);
    if (dset < 0)
        return self->err.code;
    s_numeric_attrs (self, dset, name, s_stats_i64 (values, count));
    return s_close_dataset (self, dset, name);
}

int
store_h5_dataset_strings (store_h5_t *self, const char *name, const char *const *values,
                          size_t count)
{
    BSW_ASSERT (self && name);
    if (self->err.code)
        return self->err.code;
    s_quiet ();
    if (s_count (self, name, &count, 1) == 0)
        return self->err.code;
    BSW_ASSERT (values);
    hid_t type = s_string_type ();
    hid_t dset = s_dataset (self, name, type, type, values, &count, 1, 0);
    if (dset >= 0) {
        //  TVB cannot take a min or mean of text and stores '' instead.
        const char *blank = "", *yes = "bool:True", *no = "bool:False";
        s_attr_on (self, dset, name, "TVB_Minimum", type, type, &blank);
        s_attr_on (self, dset, name, "TVB_Maximum", type, type, &blank);
        s_attr_on (self, dset, name, "TVB_Mean", type, type, &blank);
        s_attr_on (self, dset, name, "TVB_IsFinite", type, type, &yes);
        s_attr_on (self, dset, name, "TVB_HasComplex", type, type, &no);
        s_close_dataset (self, dset, name);
    }
    H5Tclose (type);
    return self->err.code;
}

int
store_h5_dataset_bools (store_h5_t *self, const char *name, const bool *values, size_t count)
{
    BSW_ASSERT (self && name);
    if (self->err.code)
        return self->err.code;
    s_quiet ();
    if (s_count (self, name, &count, 1) == 0)
        return self->err.code;
    BSW_ASSERT (values);
    //  bool's size is not fixed by C, so convert to the enum's int8 base.
    signed char *bytes = bsw_malloc (count);
    size_t yes = 0;
    for (size_t i = 0; i < count; i++) {
        bytes[i] = values[i] ? 1 : 0;
        yes += bytes[i];
    }
    hid_t filetype = s_bool_type (H5T_STD_I8LE);
    hid_t memtype = s_bool_type (H5T_NATIVE_SCHAR);
    hid_t dset = s_dataset (self, name, filetype, memtype, bytes, &count, 1, 0);
    if (dset >= 0) {
        s_stats_t s = {yes < count ? 0.0 : 1.0, yes > 0 ? 1.0 : 0.0, (double) yes / (double) count,
                       true};
        s_numeric_attrs (self, dset, name, s);
        s_close_dataset (self, dset, name);
    }
    H5Tclose (filetype);
    H5Tclose (memtype);
    free (bytes);
    return self->err.code;
}

int
store_h5_chunks (store_h5_t *self, const char *name, uint64_t *rows, uint64_t *addrs,
                 uint64_t *sizes, size_t max, size_t *count)
{
    BSW_ASSERT (self && name && count);
    *count = 0;
    if (self->err.code)
        return self->err.code;
    s_quiet ();
    hid_t dset = H5Dopen2 (self->file, name, H5P_DEFAULT);
    if (dset < 0)
        return s_fail_h5 (self, "opening dataset", name);
    hid_t space = H5Dget_space (dset);
    hsize_t n = 0;
    if (space < 0 || H5Dget_num_chunks (dset, space, &n) < 0)
        s_fail_h5 (self, "counting the chunks of dataset", name);
    else if (n > max)
        s_fail (self, BSW_ETOOBIG, "dataset '%s': %llu chunks, more than %zu", name,
                (unsigned long long) n, max);
    for (hsize_t c = 0; !self->err.code && c < n; c++) {
        hsize_t offset[S_MAX_RANK] = {0}, size = 0;
        haddr_t addr = HADDR_UNDEF;
        unsigned filters = 0;
        if (H5Dget_chunk_info (dset, space, c, offset, &filters, &addr, &size) < 0 ||
            addr == HADDR_UNDEF)
            s_fail_h5 (self, "locating a chunk of dataset", name);
        rows[c] = offset[0];
        addrs[c] = addr;
        sizes[c] = size;
    }
    if (!self->err.code)
        *count = (size_t) n;
    if (space >= 0)
        H5Sclose (space);
    H5Dclose (dset);
    return self->err.code;
}
