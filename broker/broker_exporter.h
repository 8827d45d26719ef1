/*  broker_exporter.h - export streams: a sweep's zip made by a background
    actor (broker_export.h) and handed to one client chunk by chunk as it
    is made, so a download runs at the speed of the store and the client,
    never waits for a whole zip to be built first, and never meets a zip
    rebuilt under it. Internal to broker/.

    A FETCH from offset 0 (without `export`) starts a stream and names it
    in every CHUNK (`export`); the next FETCH asks that stream for the
    bytes from where the last chunk ended. A stream is one export: of a
    snapshot of the sweep when it has ended, or, while it runs, following
    it (each point as the broker commits it; the zip ends when the sweep
    does). A FETCH of a stream that is gone (the broker restarted, the
    client was idle for BROKER_EXPORTER_IDLE_MS) or at another offset is an
    error: a download is all of one export or fails, and the client starts
    again from 0.

    Replies are deferred: a FETCH is answered when its chunk is ready, or
    after BROKER_EXPORTER_KEEPALIVE_MS with an empty chunk (the client asks
    again), so a client following a slow sweep is not timed out.

    Flow control: the actor makes one chunk and waits for the next FETCH
    before making another, so a stream holds at most one chunk in memory.
    Streams are capped (each is a thread and a chunk buffer): at most
    BROKER_EXPORTER_MAX_STREAMS at once, and BROKER_EXPORTER_MAX_PER_PEER
    started by one connection; a FETCH beyond either is BSW_ETOOBIG. A
    stream no FETCH asked for in BROKER_EXPORTER_IDLE_MS ends.

    Single-threaded: the broker's actor thread; the actors touch nothing
    of this object.
*/
#ifndef BROKER_EXPORTER_H_INCLUDED
#define BROKER_EXPORTER_H_INCLUDED

#include "broker_export.h"
#include "broker_sweep.h"
#include "proto.h"

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#define BROKER_EXPORTER_MAX_STREAMS  16         /* streams at once */
#define BROKER_EXPORTER_MAX_PER_PEER 4          /* streams at once started by one connection */
#define BROKER_EXPORTER_IDLE_MS      60000      /* a stream no FETCH asked for this long goes */
#define BROKER_EXPORTER_KEEPALIVE_MS 1000       /* a FETCH waits at most this long */
#define BROKER_EXPORTER_CHUNK        (4u << 20) /* bytes of a chunk unless FETCH's max */

typedef struct broker_exporters_t broker_exporters_t;

/*  Sends a deferred reply to the client at routing_id (takes *reply_p);
    the broker's, so that replies are routed and counted in one place. */
typedef void (broker_exporters_reply_fn) (void *arg, zframe_t *routing_id, proto_msg_t **reply_p);

/*  The streams of the broker whose data folder is data_dir; their actors
    join poller (borrowed). */
broker_exporters_t *broker_exporters_new (const char *data_dir, zpoller_t *poller,
                                          broker_exporters_reply_fn *reply, void *arg);
/*  Stops every stream (an actor ends at its next chunk). */
void broker_exporters_destroy (broker_exporters_t **self_p);

/*  A refined grid's family, downloaded as one zip (broker_export.h): the
    grid first, then its levels; whether any of them still runs (the zip
    then follows them to their ends); all their points (for progress). */
typedef struct {
    const broker_export_member_t *members;
    size_t count;
    bool follow;
    uint64_t points;
} broker_exporters_family_t;

/*  A FETCH of sweep (found by the caller), or of its family when `family`
    is not NULL: the reply now (a CHUNK or an ERROR), or NULL when it will
    come later through the reply function. */
proto_msg_t *broker_exporters_fetch (broker_exporters_t *self, const proto_msg_t *request,
                                     const broker_sweep_t *sweep,
                                     const broker_exporters_family_t *family);

/*  Whether `which` (from the poller) is one of the streams' actors; then
    broker_exporters_handle reads its message. */
bool broker_exporters_owns (const broker_exporters_t *self, void *which);
void broker_exporters_handle (broker_exporters_t *self, void *which);

/*  Answers FETCHes waiting longer than the keepalive, and ends streams
    idle for longer than BROKER_EXPORTER_IDLE_MS. now: mono ms. */
void broker_exporters_tick (broker_exporters_t *self, int64_t now);

/*  Streams in progress. */
size_t broker_exporters_size (const broker_exporters_t *self);

#endif
