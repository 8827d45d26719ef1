/*  broker_store.c - the broker's durable result files (broker_store.h).

    Why files before rows: the row is the commit point. A result file is
    written to "<point>.h5.tmp" in its final folder, fsync'ed, renamed to
    "<point>.h5", and the folder is fsync'ed; only then does broker_db
    insert the rows in one transaction. So a committed row always has its
    complete file, whatever moment the broker dies at.

    Recovery needs no code. A file without a row (the broker died between
    rename and COMMIT) is an orphan nobody reads, since readers go through
    rows: its point has no result, is pending again, and its next commit
    renames over it. A leftover "*.tmp" is likewise reused (O_TRUNC). So
    litter is bounded by one batch per crash, and a failed call removes
    its own.

    Cost: n files are n creations, n fsyncs and one fsync per folder. The
    file fsyncs dominate, so a chunk of files is first written, with
    write-back started at once (sync_file_range), and then fsync'ed by
    S_FSYNC_THREADS short-lived threads: the disk serves concurrent fsyncs
    together, and most find their data already written (measured when
    every series had a file: bench/README.md, "Tiny points"). syncfs()
    would be faster still, but flushes every other writer on the file
    system too, a cost nobody here controls. The fsync threads touch
    nothing but file descriptors and are joined before a write returns.
*/
#define _GNU_SOURCE // sync_file_range
#include "broker_store.h"

#include "bsw_assert.h"
#include "bsw_util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_PATH_MAX BROKER_STORE_PATH_MAX
//  Files open at once: bounds descriptors for huge batches while keeping
//  the write-back overlap of a whole chunk.
#define S_CHUNK_FILES 128
//  Threads that fsync one chunk together (see "Cost" above).
#define S_FSYNC_THREADS 8

struct broker_store_t {
    char *dir; /* the data folder, as given */
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
    return self;
}

void
broker_store_destroy (broker_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->dir);
    free (*self_p);
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

void
broker_store_path (const broker_store_t *self, uint64_t sweep, uint64_t point, char *out,
                   size_t out_size)
{
    BSW_ASSERT (self && out);
    snprintf (out, out_size, "%s/sweeps/%" PRIu64 "/ts/%" PRIu64 ".h5", self->dir, sweep, point);
}

//  A file's final or temporary path, or its folder.
typedef enum { S_FINAL, S_TEMP, S_FOLDER } s_path_t;

static void
s_path (const broker_store_t *self, uint64_t sweep, uint64_t point, s_path_t which,
        char out[S_PATH_MAX])
{
    if (which == S_FOLDER)
        snprintf (out, S_PATH_MAX, "%s/sweeps/%" PRIu64 "/ts", self->dir, sweep);
    else
        snprintf (out, S_PATH_MAX, "%s/sweeps/%" PRIu64 "/ts/%" PRIu64 ".h5%s", self->dir, sweep,
                  point, which == S_TEMP ? ".tmp" : "");
}

static int
s_write_all (int fd, const char *data, size_t size)
{
    while (size > 0) {
        ssize_t n = write (fd, data, size);
        if (n < 0 && errno != EINTR)
            return -1;
        if (n > 0)
            data += n, size -= (size_t) n;
    }
    return 0;
}

//  One fsync thread's share of a chunk: files start, start + step, ...
typedef struct {
    const int *fds; /* the chunk's open files */
    int *errs;      /* per file: 0 or the fsync errno */
    size_t n;       /* files in the chunk */
    size_t start;   /* first file of this share */
    size_t step;    /* stride: the number of threads */
} s_fsync_share_t;

static void *
s_fsync_share (void *arg)
{
    s_fsync_share_t *share = arg;
    for (size_t j = share->start; j < share->n; j += share->step)
        share->errs[j] = fsync (share->fds[j]) == 0 ? 0 : errno;
    return NULL;
}

//  fsyncs n files on up to S_FSYNC_THREADS threads, errs[j] telling how
//  each went. A thread that cannot start has its share done right here.
static void
s_fsync_all (const int *fds, int *errs, size_t n)
{
    pthread_t threads[S_FSYNC_THREADS];
    s_fsync_share_t shares[S_FSYNC_THREADS];
    bool started[S_FSYNC_THREADS];
    size_t count = n < S_FSYNC_THREADS ? n : S_FSYNC_THREADS;
    for (size_t t = 0; t < count; t++) {
        shares[t] = (s_fsync_share_t){fds, errs, n, t, count};
        started[t] = t > 0 && pthread_create (&threads[t], NULL, s_fsync_share, &shares[t]) == 0;
    }
    for (size_t t = 0; t < count; t++)
        if (!started[t])
            s_fsync_share (&shares[t]); // share 0 always runs on this thread
    for (size_t t = 0; t < count; t++)
        if (started[t])
            pthread_join (threads[t], NULL);
}

//  One chunk of files: create and fill every temp file and start its
//  write-back, then fsync, close and rename each. Leaves fds[j] -1 for
//  every file it closed.
static int
s_write_chunk (broker_store_t *self, broker_store_file_t **chunk, size_t n, int *fds,
               bsw_error_t *err)
{
    char tmp[S_PATH_MAX], path[S_PATH_MAX];
    for (size_t j = 0; j < n; j++) {
        const broker_store_file_t *f = chunk[j];
        BSW_ASSERT (f->data && f->size > 0);
        s_path (self, f->sweep, f->point, S_TEMP, tmp);
        fds[j] = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fds[j] < 0)
            return s_io_error (err, errno, tmp, "cannot create");
        if (s_write_all (fds[j], f->data, f->size) != 0)
            return s_io_error (err, errno, tmp, "cannot write");
        //  Only a hint, so its result does not matter: fsync below decides.
        sync_file_range (fds[j], 0, 0, SYNC_FILE_RANGE_WRITE);
    }
    int errs[S_CHUNK_FILES];
    s_fsync_all (fds, errs, n);
    for (size_t j = 0; j < n; j++) {
        s_path (self, chunk[j]->sweep, chunk[j]->point, S_TEMP, tmp);
        s_path (self, chunk[j]->sweep, chunk[j]->point, S_FINAL, path);
        if (errs[j] != 0)
            return s_io_error (err, errs[j], tmp, "cannot fsync");
        int rc = close (fds[j]);
        fds[j] = -1;
        if (rc != 0)
            return s_io_error (err, errno, tmp, "cannot close");
        if (rename (tmp, path) != 0)
            return s_io_error (err, errno, path, "cannot rename into place");
        chunk[j]->written = true;
    }
    return 0;
}

//  The file's ts folder exists (mkdir -p) and is listed for the folder
//  fsync. Batches usually hold one sweep, so a linear search.
static int
s_folder (broker_store_t *self, uint64_t sweep, uint64_t *folders, size_t *folder_count,
          bsw_error_t *err)
{
    for (size_t f = 0; f < *folder_count; f++)
        if (folders[f] == sweep)
            return 0;
    char folder[S_PATH_MAX];
    s_path (self, sweep, 0, S_FOLDER, folder);
    int rc = broker_store_mkdir (folder, err);
    if (rc == 0)
        folders[(*folder_count)++] = sweep;
    return rc;
}

int
broker_store_write (broker_store_t *self, broker_store_file_t *files, size_t count,
                    bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (files || count == 0);
    broker_store_file_t *chunk[S_CHUNK_FILES];
    int fds[S_CHUNK_FILES];
    uint64_t *folders = bsw_malloc ((count ? count : 1) * sizeof (uint64_t));
    size_t folder_count = 0;
    char path[S_PATH_MAX];
    int rc = 0;
    for (size_t k = 0; k < count; k++)
        files[k].written = false;
    for (size_t k = 0; rc == 0 && k < count;) {
        size_t n = 0;
        for (; rc == 0 && k < count && n < S_CHUNK_FILES; k++) {
            rc = s_folder (self, files[k].sweep, folders, &folder_count, err);
            fds[n] = -1;
            chunk[n++] = &files[k];
        }
        if (rc == 0)
            rc = s_write_chunk (self, chunk, n, fds, err);
        for (size_t j = 0; rc && j < n; j++) {
            if (fds[j] >= 0)
                close (fds[j]);
            s_path (self, chunk[j]->sweep, chunk[j]->point, S_TEMP, path);
            if (!chunk[j]->written)
                unlink (path);
        }
    }
    //  Each folder once: that makes the renames into it durable.
    for (size_t f = 0; rc == 0 && f < folder_count; f++) {
        s_path (self, folders[f], 0, S_FOLDER, path);
        if (s_fsync_dir (path) != 0)
            rc = s_io_error (err, errno, path, "cannot fsync folder");
    }
    free (folders);
    return rc;
}

void
broker_store_remove (broker_store_t *self, uint64_t sweep, uint64_t point)
{
    BSW_ASSERT (self);
    char path[S_PATH_MAX];
    s_path (self, sweep, point, S_FINAL, path);
    unlink (path);
}

int
broker_store_read (broker_store_t *self, uint64_t sweep, uint64_t point, void **data_p,
                   size_t *size_p, bsw_error_t *err)
{
    BSW_ASSERT (self && data_p && size_p);
    char path[S_PATH_MAX];
    s_path (self, sweep, point, S_FINAL, path);
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    off_t size = fd < 0 ? -1 : lseek (fd, 0, SEEK_END);
    if (size <= 0) {
        int e = errno;
        if (fd >= 0)
            close (fd);
        return bsw_error_set (err, BSW_EIO, "sweep %" PRIu64 " point %" PRIu64 ": %s: %s", sweep,
                              point, path, size == 0 ? "empty file" : strerror (e));
    }
    void *data = bsw_malloc ((size_t) size);
    ssize_t got = pread (fd, data, (size_t) size, 0);
    close (fd);
    if (got != size) {
        free (data);
        return bsw_error_set (err, BSW_EIO, "sweep %" PRIu64 " point %" PRIu64 ": %s: short read",
                              sweep, point, path);
    }
    *data_p = data;
    *size_p = (size_t) size;
    return 0;
}
