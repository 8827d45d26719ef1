/*  worker_outbox.c - results awaiting the broker's ACK (worker_outbox.h).

    Batches are kept in send order in a list; a hash maps "sweep:point" to
    its batch, so an ACK costs a lookup per point. A batch's memory is its
    message: the series bytes dominate (a tutorial point is ~620 KB).
*/
#include "worker_outbox.h"

#include "bsw_assert.h"
#include "bsw_util.h"

#include <inttypes.h>

typedef struct {
    proto_msg_t *msg; /* the RESULT, owned */
    uint64_t sweep;   /* its sweep */
    size_t waiting;   /* its points not yet acknowledged */
    size_t bytes;     /* its series' bytes */
    void *handle;     /* its place in the list */
} s_batch_t;

struct worker_outbox_t {
    zlistx_t *batches; /* s_batch_t *, oldest first; owns them */
    zhashx_t *points;  /* "sweep:point" -> s_batch_t * (borrowed) */
    size_t waiting;    /* points not yet acknowledged, all batches */
    size_t bytes;      /* series bytes, all batches */
};

static void
s_key (uint64_t sweep, uint64_t point, char key[48])
{
    snprintf (key, 48, "%" PRIu64 ":%" PRIu64, sweep, point);
}

static void
s_batch_free (void **item)
{
    s_batch_t *batch = *item;
    if (!batch)
        return;
    proto_msg_destroy (&batch->msg);
    free (batch);
    *item = NULL;
}

worker_outbox_t *
worker_outbox_new (void)
{
    worker_outbox_t *self = bsw_calloc (1, sizeof *self);
    self->batches = zlistx_new ();
    zlistx_set_destructor (self->batches, s_batch_free);
    self->points = zhashx_new ();
    return self;
}

void
worker_outbox_destroy (worker_outbox_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    worker_outbox_t *self = *self_p;
    zhashx_destroy (&self->points);
    zlistx_destroy (&self->batches);
    free (self);
    *self_p = NULL;
}

void
worker_outbox_add (worker_outbox_t *self, proto_msg_t **msg_p)
{
    BSW_ASSERT (self && msg_p && *msg_p);
    BSW_ASSERT (proto_msg_type (*msg_p) == PROTO_RESULT);
    s_batch_t *batch = bsw_calloc (1, sizeof *batch);
    batch->msg = *msg_p;
    *msg_p = NULL;
    batch->sweep = proto_msg_uint (batch->msg, "sweep");
    if (proto_msg_has (batch->msg, "series"))
        proto_msg_blob (batch->msg, "series", &batch->bytes, NULL, NULL, NULL);
    size_t count = 0;
    const uint64_t *points = proto_msg_uints (batch->msg, "points", &count);
    for (size_t k = 0; k < count; k++) {
        char key[48];
        s_key (batch->sweep, points[k], key);
        //  A point sent twice (a job redone after a DROP and retry): the
        //  newer batch answers for it; the older keeps one less to wait for.
        s_batch_t *older = zhashx_lookup (self->points, key);
        if (older) {
            older->waiting--;
            self->waiting--;
        }
        zhashx_update (self->points, key, batch);
        batch->waiting++;
        self->waiting++;
    }
    self->bytes += batch->bytes;
    batch->handle = zlistx_add_end (self->batches, batch);
    //  An older batch left with nothing to wait for goes now.
    for (s_batch_t *b = zlistx_first (self->batches); b;) {
        s_batch_t *next = zlistx_next (self->batches);
        if (b->waiting == 0) {
            self->bytes -= b->bytes;
            zlistx_delete (self->batches, b->handle);
        }
        b = next;
    }
}

void
worker_outbox_ack (worker_outbox_t *self, uint64_t sweep, const uint64_t *points, size_t count)
{
    BSW_ASSERT (self);
    for (size_t k = 0; k < count; k++) {
        char key[48];
        s_key (sweep, points[k], key);
        s_batch_t *batch = zhashx_lookup (self->points, key);
        if (!batch)
            continue;
        zhashx_delete (self->points, key);
        batch->waiting--;
        self->waiting--;
        if (batch->waiting == 0) {
            self->bytes -= batch->bytes;
            zlistx_delete (self->batches, batch->handle);
        }
    }
}

size_t
worker_outbox_send (worker_outbox_t *self, zsock_t *dealer, bool probe)
{
    BSW_ASSERT (self);
    size_t sent = 0;
    for (s_batch_t *b = zlistx_first (self->batches); b && dealer;
         b = zlistx_next (self->batches)) {
        zmsg_t *wire = proto_msg_encode (b->msg);
        zmsg_send (&wire, dealer);
        sent++;
        if (probe)
            break;
    }
    return sent;
}

size_t
worker_outbox_credit (const worker_outbox_t *self, size_t in_hand, size_t want, size_t budget)
{
    BSW_ASSERT (self);
    if (self->bytes >= budget)
        return 0;
    size_t have = in_hand + self->waiting;
    return have >= want ? 0 : want - have;
}

size_t
worker_outbox_points (const worker_outbox_t *self)
{
    return self->waiting;
}

size_t
worker_outbox_bytes (const worker_outbox_t *self)
{
    return self->bytes;
}

size_t
worker_outbox_batches (const worker_outbox_t *self)
{
    return zlistx_size (self->batches);
}
