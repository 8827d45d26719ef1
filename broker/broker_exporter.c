/*  broker_exporter.c - a sweep's export zip as the broker serves it
    (broker_exporter.h).

    The build actor speaks a two-word protocol on its pipe: "PROGRESS f"
    (0 <= f <= 1, at most every BROKER_EXPORT_PROGRESS_MS), then one
    "DONE" or "FAILED <sentence>"; then it waits for $TERM, as an actor
    must. Destroying the exporter mid-build sends $TERM, which the actor
    reads only after its build: zactor_destroy waits, so a broker that
    stops during a long export stops when the export ends.
*/
#include "broker_exporter.h"
#include "broker_export.h"

#include "bsw_assert.h"
#include "bsw_util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

#define S_PATH_MAX 4096

struct broker_exporter_t {
    char *data_dir;                   /* the broker's data folder */
    uint64_t sweep;                   /* whose zip */
    zpoller_t *poller;                /* borrowed: the broker's, which the actor joins */
    char path[S_PATH_MAX];            /* DIR/sweeps/<id>/export.zip */
    zactor_t *actor;                  /* running build, or NULL */
    uint64_t built_results;           /* done + failed the current zip was built from */
    broker_sweep_state_t built_state; /* the state it was built in */
    bool ready;                       /* a complete zip is at path */
    bool requested;                   /* a FETCH asked for a fresh one: build on the next */
    double progress;                  /* 0..1 while building */
    char *error;                      /* why the last build failed, or NULL */
};

//  What the build actor needs, owned by it.
typedef struct {
    char *data_dir;
    uint64_t sweep;
    char *zip_path;
} s_build_args_t;

static void
s_build_progress (void *arg, uint64_t done, uint64_t total)
{
    zsock_t *pipe = arg;
    zstr_sendf (pipe, "PROGRESS %.4f", total ? (double) done / (double) total : 0.0);
}

//  Builds one sweep's zip with its own database connection.
static void
s_build_actor (zsock_t *pipe, void *args)
{
    s_build_args_t *a = args;
    zsock_signal (pipe, 0);
    bsw_error_t err;
    bsw_error_clear (&err);
    broker_db_t *db = NULL;
    int rc = broker_db_open_readonly (&db, a->data_dir, &err);
    if (rc == 0)
        rc = broker_export_build (db, a->sweep, a->zip_path, s_build_progress, pipe, &err);
    broker_db_close (&db);
    if (rc)
        zstr_sendf (pipe, "FAILED %s", err.text);
    else
        zstr_send (pipe, "DONE");
    free (a->data_dir);
    free (a->zip_path);
    free (a);
    while (true) {
        char *command = zstr_recv (pipe);
        bool term = !command || streq (command, "$TERM");
        zstr_free (&command);
        if (term)
            break;
    }
}

broker_exporter_t *
broker_exporter_new (const char *data_dir, uint64_t sweep, zpoller_t *poller)
{
    BSW_ASSERT (data_dir);
    BSW_ASSERT (poller);
    broker_exporter_t *self = bsw_calloc (1, sizeof *self);
    self->data_dir = bsw_strdup (data_dir);
    self->sweep = sweep;
    self->poller = poller;
    snprintf (self->path, sizeof self->path, "%s/sweeps/%" PRIu64 "/export.zip", data_dir, sweep);
    return self;
}

static void
s_stop (broker_exporter_t *self)
{
    if (!self->actor)
        return;
    zpoller_remove (self->poller, self->actor);
    zactor_destroy (&self->actor);
}

void
broker_exporter_destroy (broker_exporter_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_exporter_t *self = *self_p;
    s_stop (self);
    free (self->data_dir);
    free (self->error);
    free (self);
    *self_p = NULL;
}

zactor_t *
broker_exporter_actor (const broker_exporter_t *self)
{
    BSW_ASSERT (self);
    return self->actor;
}

void
broker_exporter_handle (broker_exporter_t *self)
{
    BSW_ASSERT (self && self->actor);
    char *line = zstr_recv (self->actor);
    if (!line)
        return;
    if (strncmp (line, "PROGRESS ", 9) == 0)
        self->progress = atof (line + 9);
    else {
        self->ready = streq (line, "DONE");
        if (!self->ready)
            self->error = bsw_strdup (strncmp (line, "FAILED ", 7) == 0 ? line + 7 : line);
        s_stop (self);
        if (self->ready)
            zsys_info ("sweep=%" PRIu64 " export ready: %s", self->sweep, self->path);
        else
            zsys_error ("sweep=%" PRIu64 " export failed: %s", self->sweep, self->error);
    }
    zstr_free (&line);
}

//  A new build from what the sweep has now.
static void
s_start (broker_exporter_t *self, broker_db_t *db, uint64_t results, broker_sweep_state_t state)
{
    free (self->error);
    self->error = NULL;
    self->ready = false;
    self->progress = 0.0;
    self->built_results = results;
    self->built_state = state;
    //  The zip goes into the sweep's folder, which a sweep whose series
    //  all live in the database never needed until now.
    char folder[S_PATH_MAX];
    bsw_error_t err;
    if (broker_db_sweep_folder (db, self->sweep, folder, sizeof folder, &err)) {
        self->error = bsw_strdup (err.text);
        zsys_error ("sweep=%" PRIu64 " export failed: %s", self->sweep, err.text);
        return;
    }
    s_build_args_t *a = bsw_calloc (1, sizeof *a);
    a->data_dir = bsw_strdup (self->data_dir);
    a->sweep = self->sweep;
    a->zip_path = bsw_strdup (self->path);
    self->actor = zactor_new (s_build_actor, a);
    zpoller_add (self->poller, self->actor);
    zsys_info ("sweep=%" PRIu64 " export started (%" PRIu64 " results)", self->sweep, results);
}

//  The bytes [offset, offset + max) of the complete zip.
static int
s_read (broker_exporter_t *self, uint64_t offset, uint64_t max, broker_export_chunk_t *chunk,
        bsw_error_t *err)
{
    int fd = open (self->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        self->ready = false;
        return bsw_error_set (err, BSW_EIO, "%s: %s", self->path, strerror (errno));
    }
    off_t total = lseek (fd, 0, SEEK_END);
    size_t size =
        total < 0 || offset >= (uint64_t) total ? 0 : (size_t) ((uint64_t) total - offset);
    if (size > max)
        size = (size_t) max;
    void *data = size ? bsw_malloc (size) : NULL;
    ssize_t got = size ? pread (fd, data, size, (off_t) offset) : 0;
    close (fd);
    if (total < 0 || got < 0 || (size_t) got != size) {
        free (data);
        return bsw_error_set (err, BSW_EIO, "%s: short read", self->path);
    }
    *chunk = (broker_export_chunk_t){.ready = true,
                                     .progress = 1.0,
                                     .offset = offset,
                                     .total = (uint64_t) total,
                                     .data = data,
                                     .size = size};
    return 0;
}

int
broker_exporter_fetch (broker_exporter_t *self, broker_db_t *db, uint64_t results,
                       broker_sweep_state_t state, uint64_t offset, uint64_t max,
                       broker_export_chunk_t *chunk, bsw_error_t *err)
{
    BSW_ASSERT (self);
    BSW_ASSERT (chunk);
    *chunk = (broker_export_chunk_t){.progress = self->progress};
    bool stale = !self->ready || self->built_results != results || self->built_state != state;
    if (self->actor) {
        if (offset == 0 && stale)
            self->requested = true;
        return 0;
    }
    if (offset == 0 && stale) {
        if (self->error && !self->requested) {
            //  Report the failure once; the next FETCH tries again.
            int rc = bsw_error_set (err, BSW_EIO, "export of sweep %" PRIu64 " failed: %s",
                                    self->sweep, self->error);
            free (self->error);
            self->error = NULL;
            self->requested = true;
            return rc;
        }
        self->requested = false;
        s_start (self, db, results, state);
        chunk->progress = 0.0;
        return 0;
    }
    if (!self->ready)
        return bsw_error_set (err, BSW_ESTATE,
                              "the export of sweep %" PRIu64 " is not ready: fetch from offset 0",
                              self->sweep);
    return s_read (self, offset, max, chunk, err);
}
