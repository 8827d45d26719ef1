/*  broker_store.c - the broker's time series store (broker_store.h).

    Why a file per sweep and not a file per point: a point's series is
    just its array (32 bytes for a tiny point, ~620 KB for the tutorial's),
    and a file of its own cost a creation, an inode, a rename and an fsync
    each; a tiny point's 32 bytes took a 16 KB HDF5 file. Appending to the
    sweep's file costs its bytes, and a batch one fdatasync per sweep it
    touched, whatever its number of points.

    Files stay open (at most S_OPEN_MAX, the least recently used closed
    first), so appends and reads cost no open(). Each knows its length:
    appends go there with pwrite, so the file's offsets are the store's
    alone to give (one writer thread).
*/
#include "broker_store.h"

#include "bsw_assert.h"
#include "bsw_util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_PATH_MAX BROKER_STORE_PATH_MAX
#define S_OPEN_MAX 16 /* files kept open */

typedef struct {
    uint64_t sweep; /* whose file */
    int fd;         /* open read-write (created on first append), or -1 */
    uint64_t end;   /* its length */
    uint64_t used;  /* a clock tick of its last use, for closing the oldest */
    bool touched;   /* written by the append in progress */
    uint64_t start; /* its length before that append */
} s_file_t;

struct broker_store_t {
    char *dir;                  /* the data folder, as given */
    s_file_t files[S_OPEN_MAX]; /* open files; fd -1 when free */
    uint64_t clock;             /* ticks once per use */
};

//  An errno from a file operation on path as a sentence.
static int
s_io_error (bsw_error_t *err, int errnum, const char *path, const char *what)
{
    if (errnum == ENOSPC || errnum == EDQUOT)
        return bsw_error_set (err, BSW_ENOSPACE, "%s: no space left on device", path);
    return bsw_error_set (err, BSW_EIO, "%s: %s: %s", path, what, strerror (errnum));
}

//  fsync of a folder, which makes the names created in it durable.
static int
s_fsync_dir (const char *path)
{
    int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync (fd), saved = errno;
    close (fd);
    errno = saved;
    return rc;
}

//  mkdir -p. A folder it creates is durable only once its parent is
//  fsync'ed (else a crash could lose it with the files renamed into it), so
//  each creation fsyncs the parent: a cost paid once per folder.
int
broker_store_mkdir (const char *path, bsw_error_t *err)
{
    struct stat st;
    if (stat (path, &st) == 0 && S_ISDIR (st.st_mode))
        return 0; // the common case: one syscall
    if (!*path)
        return bsw_error_set (err, BSW_EIO, "data folder: the path is empty");
    char buf[S_PATH_MAX];
    snprintf (buf, sizeof buf, "%s", path);
    for (char *end = buf + 1;; end++) {
        if (*end != '/' && *end != '\0')
            continue;
        char saved = *end;
        *end = '\0';
        if (mkdir (buf, 0755) == 0) {
            char parent[S_PATH_MAX]; // best effort: the parent may be unreadable
            snprintf (parent, sizeof parent, "%s", buf);
            char *slash = strrchr (parent, '/');
            if (slash)
                slash[slash == parent] = '\0'; // "/x" -> "/", "a/b" -> "a"
            s_fsync_dir (slash ? parent : ".");
        } else if (errno != EEXIST)
            return s_io_error (err, errno, buf, "cannot create folder");
        else if (stat (buf, &st) != 0 || !S_ISDIR (st.st_mode))
            return bsw_error_set (err, BSW_EIO, "%s: exists and is not a folder", buf);
        *end = saved;
        if (saved == '\0')
            return 0;
    }
}

broker_store_t *
broker_store_new (const char *dir)
{
    BSW_ASSERT (dir);
    BSW_ASSERT (strlen (dir) + BROKER_STORE_PATH_TAIL < S_PATH_MAX);
    broker_store_t *self = bsw_calloc (1, sizeof *self);
    self->dir = bsw_strdup (dir);
    for (size_t k = 0; k < S_OPEN_MAX; k++)
        self->files[k].fd = -1;
    return self;
}

void
broker_store_destroy (broker_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_store_t *self = *self_p;
    for (size_t k = 0; k < S_OPEN_MAX; k++)
        if (self->files[k].fd >= 0)
            close (self->files[k].fd);
    free (self->dir);
    free (self);
    *self_p = NULL;
}

int
broker_store_sweep_folder (broker_store_t *self, uint64_t sweep, char *out, size_t out_size,
                           bsw_error_t *err)
{
    BSW_ASSERT (self && out);
    snprintf (out, out_size, "%s/sweeps/%" PRIu64, self->dir, sweep);
    return broker_store_mkdir (out, err);
}

static void
s_path (const broker_store_t *self, uint64_t sweep, char out[S_PATH_MAX])
{
    snprintf (out, S_PATH_MAX, "%s/sweeps/%" PRIu64 "/series.bin", self->dir, sweep);
}

//  The open file of a sweep, opening it (and with `create`, making it and
//  its folder durably) when needed; NULL with err when it cannot be, or
//  with err clear when it does not exist and create is false.
static s_file_t *
s_file (broker_store_t *self, uint64_t sweep, bool create, bsw_error_t *err)
{
    s_file_t *slot = NULL;
    for (size_t k = 0; k < S_OPEN_MAX; k++) {
        s_file_t *f = &self->files[k];
        if (f->fd >= 0 && f->sweep == sweep) {
            f->used = ++self->clock;
            return f;
        }
        //  A free slot, else the least recently used one.
        if (!slot || (slot->fd >= 0 && (f->fd < 0 || f->used < slot->used)))
            slot = f;
    }
    char path[S_PATH_MAX];
    //  A batch of more sweeps than S_OPEN_MAX: the file closed to make room
    //  is made durable now (and can no longer be cut back on failure).
    if (slot->fd >= 0 && slot->touched && fdatasync (slot->fd) != 0) {
        s_path (self, slot->sweep, path);
        s_io_error (err, errno, path, "cannot fdatasync");
        return NULL;
    }
    s_path (self, sweep, path);
    int fd = open (path, O_RDWR | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        char folder[S_PATH_MAX];
        if (broker_store_sweep_folder (self, sweep, folder, sizeof folder, err))
            return NULL;
        fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        //  The new name is durable once its folder is.
        if (fd >= 0 && s_fsync_dir (folder) != 0) {
            s_io_error (err, errno, folder, "cannot fsync folder");
            close (fd);
            return NULL;
        }
    }
    if (fd < 0) {
        if (errno != ENOENT || create)
            s_io_error (err, errno, path, "cannot open");
        return NULL;
    }
    off_t end = lseek (fd, 0, SEEK_END);
    if (end < 0) {
        s_io_error (err, errno, path, "cannot seek");
        close (fd);
        return NULL;
    }
    if (slot->fd >= 0)
        close (slot->fd);
    *slot = (s_file_t){.sweep = sweep,
                       .fd = fd,
                       .end = (uint64_t) end,
                       .start = (uint64_t) end,
                       .used = ++self->clock};
    return slot;
}

static int
s_pwrite_all (int fd, const char *data, size_t size, uint64_t offset)
{
    while (size > 0) {
        ssize_t n = pwrite (fd, data, size, (off_t) offset);
        if (n < 0 && errno != EINTR)
            return -1;
        if (n > 0)
            data += n, size -= (size_t) n, offset += (uint64_t) n;
    }
    return 0;
}

int
broker_store_append (broker_store_t *self, broker_store_item_t *items, size_t count,
                     bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (items || count == 0);
    char path[S_PATH_MAX];
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < count; k++) {
        broker_store_item_t *it = &items[k];
        BSW_ASSERT (it->data && it->size > 0);
        bsw_error_t local;
        bsw_error_clear (&local);
        s_file_t *f = s_file (self, it->sweep, true, &local);
        if (!f) {
            rc = bsw_error_set (err, local.code ? local.code : BSW_EIO, "%s", local.text);
            break;
        }
        if (!f->touched) {
            f->touched = true;
            f->start = f->end;
        }
        it->offset = f->end;
        if (s_pwrite_all (f->fd, it->data, it->size, f->end) != 0) {
            s_path (self, it->sweep, path);
            rc = s_io_error (err, errno, path, "cannot write");
            break;
        }
        f->end += it->size;
    }
    for (size_t k = 0; k < S_OPEN_MAX; k++) {
        s_file_t *f = &self->files[k];
        if (!f->touched)
            continue;
        f->touched = false;
        if (rc == 0 && fdatasync (f->fd) != 0) {
            s_path (self, f->sweep, path);
            rc = s_io_error (err, errno, path, "cannot fdatasync");
        }
    }
    if (rc)
        //  Cut every file back: nothing of this call may stay named.
        for (size_t k = 0; k < S_OPEN_MAX; k++) {
            s_file_t *f = &self->files[k];
            if (f->fd >= 0 && f->end != f->start && f->start <= f->end) {
                if (ftruncate (f->fd, (off_t) f->start) == 0)
                    f->end = f->start;
            }
            f->start = f->end;
        }
    else
        for (size_t k = 0; k < S_OPEN_MAX; k++)
            self->files[k].start = self->files[k].end;
    return rc;
}

int
broker_store_read (broker_store_t *self, uint64_t sweep, uint64_t offset, size_t size, void *buf,
                   bsw_error_t *err)
{
    BSW_ASSERT (self && (buf || size == 0));
    char path[S_PATH_MAX];
    s_path (self, sweep, path);
    bsw_error_t local;
    bsw_error_clear (&local);
    s_file_t *f = s_file (self, sweep, false, &local);
    if (!f)
        return local.code ? bsw_error_set (err, local.code, "%s", local.text)
                          : bsw_error_set (err, BSW_EIO, "%s: missing", path);
    //  The file may have grown since it was opened (another store writes).
    if (offset + size > f->end) {
        off_t end = lseek (f->fd, 0, SEEK_END);
        if (end > 0)
            f->end = (uint64_t) end;
    }
    if (offset > f->end || size > f->end - offset)
        return bsw_error_set (err, BSW_EIO,
                              "%s: %zu bytes at %" PRIu64 " lie past its end (%" PRIu64 " bytes)",
                              path, size, offset, f->end);
    char *p = buf;
    while (size > 0) {
        ssize_t n = pread (f->fd, p, size, (off_t) offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? s_io_error (err, errno, path, "cannot read")
                         : bsw_error_set (err, BSW_EIO, "%s: short read", path);
        p += n, size -= (size_t) n, offset += (uint64_t) n;
    }
    return 0;
}

uint64_t
broker_store_size (broker_store_t *self, uint64_t sweep)
{
    BSW_ASSERT (self);
    s_file_t *f = s_file (self, sweep, false, NULL);
    if (!f)
        return 0;
    off_t end = lseek (f->fd, 0, SEEK_END);
    return end > 0 ? (uint64_t) end : 0;
}

void
broker_store_remove (broker_store_t *self, uint64_t sweep)
{
    BSW_ASSERT (self);
    for (size_t k = 0; k < S_OPEN_MAX; k++)
        if (self->files[k].fd >= 0 && self->files[k].sweep == sweep) {
            close (self->files[k].fd);
            self->files[k].fd = -1;
        }
    char path[S_PATH_MAX];
    s_path (self, sweep, path);
    unlink (path);
}
