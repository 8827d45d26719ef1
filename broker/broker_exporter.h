/*  broker_exporter.h - a sweep's export zip as the broker serves it: built
    by a background actor (broker_export_build on its own read-only
    database connection) while the broker keeps serving, then read chunk
    by chunk by FETCH. Internal to broker/.

    The zip lives at DIR/sweeps/<id>/export.zip. It is "stale" when the
    sweep has results, or a state, that it was not built from; a FETCH from
    offset 0 of a stale zip starts a new build (and answers "preparing"
    meanwhile). A build that fails is reported to the next FETCH from
    offset 0, once; the one after tries again.

    Single-threaded: the broker's actor thread; the build runs in its own
    actor thread, which touches nothing of this object.
*/
#ifndef BROKER_EXPORTER_H_INCLUDED
#define BROKER_EXPORTER_H_INCLUDED

#include "broker_db.h"

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct broker_exporter_t broker_exporter_t;

/*  One piece of a FETCH answer. */
typedef struct {
    bool ready;      /* false: the zip is being prepared (no data) */
    double progress; /* 0..1 while preparing, 1 when ready */
    uint64_t offset; /* of data in the zip */
    uint64_t total;  /* bytes of the zip (0 while preparing) */
    void *data;      /* the bytes, caller frees; NULL when none */
    size_t size;     /* bytes in data */
} broker_export_chunk_t;

/*  The exporter of sweep `sweep` whose data folder is data_dir. Its build
    actors join `poller` (borrowed) while they run. */
broker_exporter_t *broker_exporter_new (const char *data_dir, uint64_t sweep, zpoller_t *poller);
/*  Stops a running build (its actor ends at its next message) and frees. */
void broker_exporter_destroy (broker_exporter_t **self_p);

/*  The running build's actor (what the poller returns for it), or NULL. */
zactor_t *broker_exporter_actor (const broker_exporter_t *self);

/*  Reads one message of the running build: progress, or its end (then the
    actor leaves the poller and is gone). */
void broker_exporter_handle (broker_exporter_t *self);

/*  Answers a FETCH for at most `max` bytes from `offset`, for a sweep that
    now has `results` results (done + failed) and state `state`. Starts or
    restarts the build when needed (using db to make the sweep's folder).
    Returns 0 and *chunk, or an error with err's sentence: BSW_EIO (the
    last build failed; the zip cannot be read), BSW_ESTATE (a non-zero
    offset while no complete zip exists). */
int broker_exporter_fetch (broker_exporter_t *self, broker_db_t *db, uint64_t results,
                           broker_sweep_state_t state, uint64_t offset, uint64_t max,
                           broker_export_chunk_t *chunk, bsw_error_t *err);

#endif
