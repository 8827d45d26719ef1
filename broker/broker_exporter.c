/*  broker_exporter.c - export streams (broker_exporter.h).

    A stream's actor opens its own read-only connection and writes the zip
    through a sink that gathers bytes into a chunk; a full chunk goes to
    the broker ("CHUNK", its bytes, "1" when it ends the zip, the share of
    points written) and the actor waits for "MORE" before it goes on. A
    failure sends "FAILED <sentence>". Either way the actor then waits for
    $TERM, as an actor must; $TERM while it waits for MORE stops the export
    where it is.

    Following a running sweep, the actor polls the database for points
    committed since its last look (broker_export_add_new) every S_POLL_MS
    while nothing is new; sending what it has after S_FLUSH_MS keeps a
    client's file growing with the sweep.
*/
#include "broker_exporter.h"
#include "broker_export.h"

#include "bsw_assert.h"
#include "bsw_util.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_POLL_MS  20  /* following: wait between looks at the database */
#define S_FLUSH_MS 500 /* following: a partial chunk goes after this long */

//  What a stream's actor needs, owned by it.
typedef struct {
    char *data_dir;                  /* the broker's data folder */
    uint64_t sweep;                  /* whose zip */
    bool follow;                     /* the sweep runs: follow it to its end */
    size_t chunk_max;                /* bytes of a chunk */
    broker_export_member_t *members; /* a family's sweeps (owned), or NULL */
    size_t n_members;
} s_args_t;

//  The actor's side of the sink.
typedef struct {
    zsock_t *pipe;       /* to the broker */
    uint8_t *buf;        /* the chunk being filled */
    size_t used;         /* bytes in it */
    size_t max;          /* its size */
    broker_export_t *ex; /* for the progress figure */
    uint64_t points;     /* the sweep's points */
    int64_t flushed_at;  /* mono ms of the last chunk sent */
    bool term;           /* $TERM came: the actor ends without waiting for it */
} s_sink_t;

//  Sends the chunk and waits for MORE (or $TERM: then the export stops).
static int
s_send_chunk (s_sink_t *s, bool last, bsw_error_t *err)
{
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, "CHUNK");
    zmsg_addmem (msg, s->buf, s->used);
    zmsg_addstr (msg, last ? "1" : "0");
    zmsg_addstrf (msg, "%" PRIu64, s->ex ? broker_export_points_added (s->ex) : 0);
    zmsg_send (&msg, s->pipe);
    s->used = 0;
    s->flushed_at = bsw_clock_mono_ms ();
    if (last)
        return 0;
    char *command = zstr_recv (s->pipe);
    bool more = command && streq (command, "MORE");
    zstr_free (&command);
    //  Only MORE and $TERM come down the pipe: anything else is the end too.
    s->term = !more;
    return more ? 0 : bsw_error_set (err, BSW_ESTATE, "export stopped");
}

static int
s_sink (void *arg, const void *data, size_t size, bsw_error_t *err)
{
    s_sink_t *s = arg;
    const uint8_t *p = data;
    while (size > 0) {
        size_t n = s->max - s->used < size ? s->max - s->used : size;
        memcpy (s->buf + s->used, p, n);
        s->used += n, p += n, size -= n;
        if (s->used == s->max) {
            int rc = s_send_chunk (s, false, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int
s_follow (broker_export_t *ex, s_sink_t *sink, bsw_error_t *err)
{
    bool ended = false;
    while (true) {
        uint64_t before = broker_export_points_added (ex);
        int rc = broker_export_add_new (ex, &ended, err);
        if (rc || ended)
            return rc;
        if (broker_export_points_added (ex) > before)
            continue;
        if (sink->used && bsw_clock_mono_ms () - sink->flushed_at >= S_FLUSH_MS &&
            (rc = s_send_chunk (sink, false, err)))
            return rc;
        //  $TERM while idle stops the export too. Nonstop, as the broker's
        //  own poller: once a signal has set zsys_interrupted a plain
        //  poller returns at once without reading the pipe, so the $TERM
        //  of the broker stopping would never be read (a spin, and a
        //  broker that never exits).
        zpoller_t *poller = zpoller_new (sink->pipe, NULL);
        zpoller_set_nonstop (poller, true);
        void *which = zpoller_wait (poller, S_POLL_MS);
        zpoller_destroy (&poller);
        if (which) {
            char *command = zstr_recv (sink->pipe);
            sink->term = !command || streq (command, "$TERM");
            zstr_free (&command);
            if (sink->term)
                return bsw_error_set (err, BSW_ESTATE, "export stopped");
        }
    }
}

static void
s_actor (zsock_t *pipe, void *args)
{
    s_args_t *a = args;
    zsock_signal (pipe, 0);
    bsw_error_t err;
    bsw_error_clear (&err);
    s_sink_t sink = {.pipe = pipe, .max = a->chunk_max, .flushed_at = bsw_clock_mono_ms ()};
    sink.buf = bsw_malloc (sink.max);
    broker_db_t *db = NULL;
    broker_export_t *ex = NULL;
    int rc = broker_db_open_readonly (&db, a->data_dir, &err);
    //  A sweep that has ended is exported as one snapshot.
    bool snapshot = !a->follow;
    if (rc == 0 && snapshot)
        rc = broker_db_snapshot_begin (db, &err);
    if (rc == 0 && a->members)
        rc = broker_export_new_family (&ex, db, a->members, a->n_members, s_sink, &sink, &err);
    else if (rc == 0)
        rc = broker_export_new (&ex, db, a->sweep, s_sink, &sink, &err);
    sink.ex = ex;
    if (rc == 0)
        rc = snapshot ? broker_export_add_all (ex, NULL, NULL, &err) : s_follow (ex, &sink, &err);
    if (rc == 0)
        rc = broker_export_finish (ex, &err);
    if (rc == 0)
        rc = s_send_chunk (&sink, true, &err);
    else if (err.code != BSW_ESTATE || !strstr (err.text, "stopped"))
        zstr_sendf (pipe, "FAILED %s", err.text);
    broker_export_destroy (&ex);
    if (snapshot && db)
        broker_db_snapshot_end (db);
    broker_db_close (&db);
    free (sink.buf);
    free (a->data_dir);
    free (a->members);
    free (a);
    while (!sink.term) {
        char *command = zstr_recv (pipe);
        bool term = !command || streq (command, "$TERM");
        zstr_free (&command);
        if (term)
            break;
    }
}

//  --------------------------------------------------------------------------
//  The broker's side

typedef struct {
    uint64_t id;          /* named in every CHUNK */
    uint64_t sweep;       /* whose zip */
    uint64_t points;      /* the sweep's points, for progress */
    zactor_t *actor;      /* makes the zip; NULL once it ended */
    uint64_t offset;      /* bytes handed to the client: where the next FETCH asks */
    zmsg_t *ready;        /* a chunk made and not yet asked for: data, last, added */
    bool asked;           /* MORE sent (or just started): a chunk is being made */
    bool ended;           /* the last chunk went out */
    char *error;          /* the actor failed: why */
    zframe_t *waiting;    /* routing id of a FETCH waiting for the next chunk, or NULL */
    uint64_t waiting_req; /* its req */
    bool waiting_has_req; /* it had one */
    int64_t waiting_at;   /* mono ms it came */
    int64_t active_at;    /* mono ms of the last FETCH */
    zframe_t *peer;       /* routing id of the FETCH that started it */
} s_stream_t;

struct broker_exporters_t {
    char *data_dir;                   /* the broker's data folder */
    zpoller_t *poller;                /* borrowed: the broker's */
    broker_exporters_reply_fn *reply; /* sends deferred replies */
    void *arg;                        /* its argument */
    zlistx_t *streams;                /* s_stream_t *, owned */
    uint64_t next_id;                 /* the next stream's id */
};

static void
s_stream_free (broker_exporters_t *self, s_stream_t **s_p)
{
    s_stream_t *s = *s_p;
    if (s->actor) {
        zpoller_remove (self->poller, s->actor);
        zactor_destroy (&s->actor);
    }
    zmsg_destroy (&s->ready);
    zframe_destroy (&s->waiting);
    zframe_destroy (&s->peer);
    free (s->error);
    free (s);
    *s_p = NULL;
}

//  Before issue 10 every export was a copy of its sweep on disk
//  (DIR/sweeps/ID/export.zip, built through export.zip.tmp), and nothing
//  removed them; exports now stream, so any such file is a leftover of an
//  old broker, as big as its sweep: removed at start.
static void
s_prune_old_copies (const char *data_dir)
{
    char path[4096];
    snprintf (path, sizeof path, "%s/sweeps", data_dir);
    DIR *dir = opendir (path);
    if (!dir)
        return;
    size_t removed = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        if (entry->d_name[0] == '.')
            continue;
        static const char *const names[] = {"export.zip", "export.zip.tmp"};
        for (size_t k = 0; k < 2; k++) {
            snprintf (path, sizeof path, "%s/sweeps/%s/%s", data_dir, entry->d_name, names[k]);
            if (unlink (path) == 0)
                removed++;
        }
    }
    closedir (dir);
    if (removed)
        zsys_info ("removed %zu export copies an older broker left in %s/sweeps", removed,
                   data_dir);
}

broker_exporters_t *
broker_exporters_new (const char *data_dir, zpoller_t *poller, broker_exporters_reply_fn *reply,
                      void *arg)
{
    BSW_ASSERT (data_dir && poller && reply);
    broker_exporters_t *self = bsw_calloc (1, sizeof *self);
    self->data_dir = bsw_strdup (data_dir);
    self->poller = poller;
    self->reply = reply;
    self->arg = arg;
    self->streams = zlistx_new ();
    self->next_id = 1;
    s_prune_old_copies (data_dir);
    return self;
}

void
broker_exporters_destroy (broker_exporters_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_exporters_t *self = *self_p;
    s_stream_t *s;
    while ((s = zlistx_first (self->streams))) {
        zlistx_detach_cur (self->streams);
        s_stream_free (self, &s);
    }
    zlistx_destroy (&self->streams);
    free (self->data_dir);
    free (self);
    *self_p = NULL;
}

static s_stream_t *
s_find (broker_exporters_t *self, uint64_t id)
{
    for (s_stream_t *s = zlistx_first (self->streams); s; s = zlistx_next (self->streams))
        if (s->id == id)
            return s;
    return NULL;
}

static void
s_remove (broker_exporters_t *self, s_stream_t *s)
{
    void *handle = zlistx_find (self->streams, s);
    if (handle)
        zlistx_detach (self->streams, handle);
    s_stream_free (self, &s);
}

//  A CHUNK at the stream's offset: the ready chunk's bytes, or none.
static proto_msg_t *
s_chunk (s_stream_t *s, bool take_ready)
{
    proto_msg_t *reply = proto_msg_new (PROTO_CHUNK);
    proto_msg_set_uint (reply, "sweep", s->sweep);
    proto_msg_set_uint (reply, "export", s->id);
    proto_msg_set_uint (reply, "offset", s->offset);
    bool last = false;
    uint64_t added = 0;
    if (take_ready && s->ready) {
        zframe_t *data = zmsg_pop (s->ready);
        char *flag = zmsg_popstr (s->ready), *count = zmsg_popstr (s->ready);
        last = flag && streq (flag, "1");
        added = count ? strtoull (count, NULL, 10) : 0;
        size_t size = zframe_size (data);
        if (size) {
            void *bytes = bsw_malloc (size);
            memcpy (bytes, zframe_data (data), size);
            uint64_t shape[1] = {size};
            proto_msg_set_blob (reply, "data", "u1", shape, 1, &bytes, size);
        }
        s->offset += size;
        s->ended = last;
        zframe_destroy (&data);
        zstr_free (&flag);
        zstr_free (&count);
        zmsg_destroy (&s->ready);
    }
    proto_msg_set_bool (reply, "last", last);
    proto_msg_set_f64 (reply, "progress",
                       last        ? 1.0
                       : s->points ? (double) added / (double) s->points
                                   : 0.0);
    return reply;
}

//  The next chunk is wanted: ask the actor for it unless it is under way.
static void
s_ask (s_stream_t *s)
{
    if (!s->asked && !s->ready && s->actor && !s->ended) {
        zstr_send (s->actor, "MORE");
        s->asked = true;
    }
}

static proto_msg_t *
s_start (broker_exporters_t *self, const proto_msg_t *request, const broker_sweep_t *sweep,
         const broker_exporters_family_t *family)
{
    if (zlistx_size (self->streams) >= BROKER_EXPORTER_MAX_STREAMS)
        return proto_msg_new_errorf (
            request, BSW_ETOOBIG,
            "the broker has %d exports in progress, its most: try again later",
            BROKER_EXPORTER_MAX_STREAMS);
    //  Each stream is a thread and a chunk buffer: one peer may not take
    //  them all.
    zframe_t *peer = proto_msg_routing_id (request);
    size_t mine = 0;
    for (s_stream_t *s = zlistx_first (self->streams); s; s = zlistx_next (self->streams))
        if (peer && s->peer && zframe_eq (s->peer, peer))
            mine++;
    if (mine >= BROKER_EXPORTER_MAX_PER_PEER)
        return proto_msg_new_errorf (
            request, BSW_ETOOBIG,
            "this connection has %zu exports in progress, the most one peer may have: finish "
            "or abandon one (idle exports end after %d s)",
            mine, BROKER_EXPORTER_IDLE_MS / 1000);
    s_args_t *a = bsw_calloc (1, sizeof *a);
    a->data_dir = bsw_strdup (self->data_dir);
    a->sweep = sweep->id;
    a->follow = sweep->state == BROKER_SWEEP_RUNNING;
    if (family) {
        a->n_members = family->count;
        a->members = bsw_malloc (family->count * sizeof *a->members);
        memcpy (a->members, family->members, family->count * sizeof *a->members);
        a->follow = family->follow;
    }
    a->chunk_max = proto_msg_has (request, "max") ? (size_t) proto_msg_uint (request, "max")
                                                  : BROKER_EXPORTER_CHUNK;
    s_stream_t *s = bsw_calloc (1, sizeof *s);
    s->id = self->next_id++;
    s->sweep = sweep->id;
    s->points = family ? family->points : sweep->points;
    s->asked = true; // the actor makes its first chunk at once
    s->active_at = bsw_clock_mono_ms ();
    s->peer = peer ? zframe_dup (peer) : NULL;
    s->actor = zactor_new (s_actor, a);
    zpoller_add (self->poller, s->actor);
    zlistx_add_end (self->streams, s);
    zsys_info ("sweep=%" PRIu64 " export %" PRIu64 " started (%s%s)", sweep->id, s->id,
               a->follow ? "following the sweep" : "a snapshot",
               family ? ", with its refinement levels" : "");
    return NULL;
}

proto_msg_t *
broker_exporters_fetch (broker_exporters_t *self, const proto_msg_t *request,
                        const broker_sweep_t *sweep, const broker_exporters_family_t *family)
{
    BSW_ASSERT (self && request && sweep);
    uint64_t offset = proto_msg_uint (request, "offset");
    s_stream_t *s = NULL;
    if (!proto_msg_has (request, "export")) {
        if (offset != 0)
            return proto_msg_new_errorf (
                request, BSW_ESTATE,
                "a download starts at offset 0 (asked %" PRIu64 "): fetch again", offset);
        proto_msg_t *refused = s_start (self, request, sweep, family);
        if (refused)
            return refused;
        s = zlistx_last (self->streams);
    } else {
        uint64_t id = proto_msg_uint (request, "export");
        s = s_find (self, id);
        if (!s || s->sweep != sweep->id)
            return proto_msg_new_errorf (
                request, BSW_ENOTFOUND,
                "export %" PRIu64 " of sweep %" PRIu64
                " is gone (the broker restarted, or it was idle): fetch again from "
                "offset 0",
                id, sweep->id);
        if (offset != s->offset) {
            proto_msg_t *reply =
                proto_msg_new_errorf (request, BSW_ESTATE,
                                      "export %" PRIu64 " of sweep %" PRIu64 " is at byte %" PRIu64
                                      ", not %" PRIu64 ": fetch again from offset 0",
                                      s->id, sweep->id, s->offset, offset);
            s_remove (self, s);
            return reply;
        }
    }
    s->active_at = bsw_clock_mono_ms ();
    if (s->error) {
        proto_msg_t *reply = proto_msg_new_errorf (
            request, BSW_EIO, "export of sweep %" PRIu64 " failed: %s", sweep->id, s->error);
        s_remove (self, s);
        return reply;
    }
    if (s->ended) {
        //  Asked again after the last chunk: nothing more, and done.
        proto_msg_t *reply = s_chunk (s, false);
        proto_msg_set_bool (reply, "last", true);
        s_remove (self, s);
        return reply;
    }
    if (s->ready) {
        proto_msg_t *reply = s_chunk (s, true);
        s_ask (s);
        return reply;
    }
    if (s->waiting)
        //  A second FETCH while one waits (the client gave up on the first):
        //  this one takes its place.
        zframe_destroy (&s->waiting);
    s->waiting = zframe_dup (proto_msg_routing_id (request));
    s->waiting_has_req = proto_msg_has (request, "req");
    s->waiting_req = s->waiting_has_req ? proto_msg_uint (request, "req") : 0;
    s->waiting_at = s->active_at;
    s_ask (s);
    return NULL;
}

bool
broker_exporters_owns (const broker_exporters_t *self, void *which)
{
    BSW_ASSERT (self);
    for (s_stream_t *s = zlistx_first (self->streams); s; s = zlistx_next (self->streams))
        if (s->actor && (void *) s->actor == which)
            return true;
    return false;
}

//  Answers the stream's waiting FETCH with `reply`.
static void
s_answer (broker_exporters_t *self, s_stream_t *s, proto_msg_t **reply_p)
{
    if (s->waiting_has_req)
        proto_msg_set_uint (*reply_p, "req", s->waiting_req);
    self->reply (self->arg, s->waiting, reply_p);
    zframe_destroy (&s->waiting);
}

void
broker_exporters_handle (broker_exporters_t *self, void *which)
{
    BSW_ASSERT (self);
    s_stream_t *s = NULL;
    for (s = zlistx_first (self->streams); s; s = zlistx_next (self->streams))
        if (s->actor && (void *) s->actor == which)
            break;
    if (!s)
        return;
    zmsg_t *msg = zmsg_recv (s->actor);
    char *kind = msg ? zmsg_popstr (msg) : NULL;
    if (kind && streq (kind, "CHUNK")) {
        zmsg_destroy (&s->ready);
        s->ready = msg;
        msg = NULL;
        s->asked = false;
        if (s->waiting) {
            proto_msg_t *reply = s_chunk (s, true);
            s_answer (self, s, &reply);
            s_ask (s);
        }
    } else {
        free (s->error);
        s->error = bsw_strdup (kind && strncmp (kind, "FAILED ", 7) == 0 ? kind + 7
                                                                         : "the export stopped");
        zsys_error ("sweep=%" PRIu64 " export %" PRIu64 " failed: %s", s->sweep, s->id, s->error);
        zpoller_remove (self->poller, s->actor);
        zactor_destroy (&s->actor);
        if (s->waiting) {
            proto_msg_t *reply = proto_msg_new_error (BSW_EIO, s->error, PROTO_FETCH);
            s_answer (self, s, &reply);
            s_remove (self, s);
        }
    }
    zstr_free (&kind);
    zmsg_destroy (&msg);
}

void
broker_exporters_tick (broker_exporters_t *self, int64_t now)
{
    BSW_ASSERT (self);
    zlistx_t *idle = zlistx_new ();
    for (s_stream_t *s = zlistx_first (self->streams); s; s = zlistx_next (self->streams)) {
        if (s->waiting && now - s->waiting_at >= BROKER_EXPORTER_KEEPALIVE_MS) {
            //  Nothing yet: an empty chunk, so the client asks again.
            proto_msg_t *reply = s_chunk (s, false);
            s_answer (self, s, &reply);
        } else if (!s->waiting && now - s->active_at >= BROKER_EXPORTER_IDLE_MS)
            zlistx_add_end (idle, s);
    }
    //  Apart: removing moves the list's cursor.
    for (s_stream_t *s = zlistx_first (idle); s; s = zlistx_next (idle)) {
        zsys_warning ("sweep=%" PRIu64 " export %" PRIu64 " dropped: no FETCH for %d s", s->sweep,
                      s->id, BROKER_EXPORTER_IDLE_MS / 1000);
        s_remove (self, s);
    }
    zlistx_destroy (&idle);
}

size_t
broker_exporters_size (const broker_exporters_t *self)
{
    BSW_ASSERT (self);
    return zlistx_size (self->streams);
}
