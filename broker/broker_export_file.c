/*  broker_export_file.c - an export written to a file: the file sink, and
    the whole zip of a sweep or a family built beside its final path and
    renamed into place when complete (broker_export.h). Apart from
    broker_export.c because it uses only the export's public calls.
*/
#define _GNU_SOURCE // sync_file_range
#include "broker_export.h"

#include "bsw_assert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define S_PATH_MAX   4096       /* bytes of any path we build */
#define S_SYNC_EVERY (8u << 20) /* a file sink starts write-back every this many bytes */

static int
s_errno_code (int e)
{
    return (e == ENOSPC || e == EDQUOT) ? BSW_ENOSPACE : BSW_EIO;
}

int
broker_export_file_sink (void *arg, const void *data, size_t size, bsw_error_t *err)
{
    broker_export_file_sink_t *f = arg;
    const char *p = data;
    size_t left = size;
    while (left > 0) {
        ssize_t n = write (f->fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return bsw_error_set (err, s_errno_code (errno), "%s: cannot write: %s", f->path,
                                  strerror (errno));
        p += n, left -= (size_t) n;
    }
    f->written += size;
    //  Start the write-back as the file grows (a hint: fsync decides), so
    //  the fsync at the end has little left to do.
    if (f->written - f->synced_at >= S_SYNC_EVERY) {
        sync_file_range (f->fd, (off_t) f->synced_at, (off_t) (f->written - f->synced_at),
                         SYNC_FILE_RANGE_WRITE);
        f->synced_at = f->written;
    }
    return 0;
}

static void
s_fsync_folder (const char *path)
{
    char dir[S_PATH_MAX];
    snprintf (dir, sizeof dir, "%s", path);
    char *slash = strrchr (dir, '/');
    if (slash)
        slash[slash == dir] = '\0';
    int fd = open (slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync (fd);
        close (fd);
    }
}

//  broker_export_build and broker_export_build_family: members == NULL
//  for the lone sweep `sweep`.
static int
s_build (broker_db_t *db, uint64_t sweep, const broker_export_member_t *members, size_t count,
         const char *zip_path, broker_export_progress_fn progress, void *arg, bsw_error_t *err)
{
    BSW_ASSERT (db && zip_path);
    bsw_error_t local;
    if (!err)
        err = &local;
    bsw_error_clear (err);
    if (strlen (zip_path) + 8 >= S_PATH_MAX)
        return bsw_error_set (err, BSW_EINVAL, "%s: path too long", zip_path);
    char tmp[S_PATH_MAX];
    snprintf (tmp, sizeof tmp, "%s.tmp", zip_path);
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return bsw_error_set (err, s_errno_code (errno), "%s: cannot create: %s", tmp,
                              strerror (errno));
    broker_export_file_sink_t sink = {.fd = fd, .path = tmp};
    broker_export_t *ex = NULL;
    int rc = broker_db_snapshot_begin (db, err);
    if (rc == 0)
        rc = members ? broker_export_new_family (&ex, db, members, count, broker_export_file_sink,
                                                 &sink, err)
                     : broker_export_new (&ex, db, sweep, broker_export_file_sink, &sink, err);
    if (rc == 0)
        rc = broker_export_add_all (ex, progress, arg, err);
    if (rc == 0)
        rc = broker_export_finish (ex, err);
    broker_export_destroy (&ex);
    broker_db_snapshot_end (db);
    if (rc == 0 && fsync (fd) != 0)
        rc = bsw_error_set (err, s_errno_code (errno), "%s: cannot fsync: %s", tmp,
                            strerror (errno));
    if (close (fd) != 0 && rc == 0)
        rc = bsw_error_set (err, s_errno_code (errno), "%s: cannot write: %s", tmp,
                            strerror (errno));
    if (rc == 0 && rename (tmp, zip_path) != 0)
        rc = bsw_error_set (err, BSW_EIO, "%s: cannot rename into place: %s", zip_path,
                            strerror (errno));
    if (rc)
        unlink (tmp);
    else
        s_fsync_folder (zip_path);
    return rc;
}

int
broker_export_build (broker_db_t *db, uint64_t sweep, const char *zip_path,
                     broker_export_progress_fn progress, void *arg, bsw_error_t *err)
{
    return s_build (db, sweep, NULL, 0, zip_path, progress, arg, err);
}

int
broker_export_build_family (broker_db_t *db, const broker_export_member_t *members, size_t count,
                            const char *zip_path, broker_export_progress_fn progress, void *arg,
                            bsw_error_t *err)
{
    BSW_ASSERT (members || count == 0);
    return s_build (db, 0, members, count, zip_path, progress, arg, err);
}
