/*  broker_receipts.c - replies a client has not shown it read
    (broker_receipts.h). */
#include "broker_receipts.h"

#include "bsw_assert.h"
#include "bsw_util.h"

#include <czmq.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/random.h>

typedef struct {
    uint64_t receipt; /* what the next request must bring */
    uint64_t bytes;   /* the reply's size, held against the budget */
    int64_t issued;   /* when, on the monotonic clock */
} s_unread_t;

struct broker_receipts {
    zhashx_t *unread; /* routing id (hex) -> s_unread_t */
    uint64_t budget;
    uint64_t held;
    int64_t hold_ms;
    uint64_t next; /* a fallback for receipts when getrandom fails */
};

static void
s_unread_free (void **item_p)
{
    free (*item_p);
    *item_p = NULL;
}

//  Unguessable, so a client cannot bring receipts of replies it never read.
static uint64_t
s_receipt (broker_receipts_t *self)
{
    uint64_t receipt;
    if (getrandom (&receipt, sizeof receipt, 0) != (ssize_t) sizeof receipt)
        receipt = self->next * 0x9e3779b97f4a7c15ull;
    self->next++;
    return receipt;
}

broker_receipts_t *
broker_receipts_new (uint64_t budget, int64_t hold_ms)
{
    broker_receipts_t *self = bsw_calloc (1, sizeof *self);
    self->unread = zhashx_new ();
    zhashx_set_destructor (self->unread, s_unread_free);
    self->budget = budget;
    self->hold_ms = hold_ms;
    self->next = (uint64_t) bsw_clock_mono_ms () | 1;
    return self;
}

void
broker_receipts_destroy (broker_receipts_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy (&(*self_p)->unread);
    free (*self_p);
    *self_p = NULL;
}

static void
s_forget (broker_receipts_t *self, const char *key, s_unread_t *unread)
{
    BSW_ASSERT (self->held >= unread->bytes);
    self->held -= unread->bytes;
    zhashx_delete (self->unread, key);
}

int
broker_receipts_check (broker_receipts_t *self, const proto_msg_t *request, bsw_error_t *err)
{
    char *key = zframe_strhex (proto_msg_routing_id (request));
    s_unread_t *unread = zhashx_lookup (self->unread, key);
    int rc = 0;
    if (unread) {
        bool brought = proto_msg_has (request, "receipt") &&
                       proto_msg_uint (request, "receipt") == unread->receipt;
        if (brought)
            s_forget (self, key, unread);
        else
            rc = bsw_error_set (err, BSW_ESTATE,
                                "this connection has not read its previous RESULTS reply "
                                "(%" PRIu64 " bytes): send that reply's receipt with the next "
                                "request",
                                unread->bytes);
    }
    if (rc == 0 && self->held >= self->budget)
        rc = bsw_error_set (err, BSW_ESTATE,
                            "the broker holds %" PRIu64 " MB of replies its clients have not "
                            "read yet; ask again within %" PRId64 " s",
                            self->held >> 20, (self->hold_ms + 999) / 1000);
    free (key);
    return rc;
}

void
broker_receipts_issue (broker_receipts_t *self, const proto_msg_t *request, proto_msg_t *reply,
                       uint64_t bytes, int64_t now)
{
    char *key = zframe_strhex (proto_msg_routing_id (request));
    s_unread_t *old = zhashx_lookup (self->unread, key);
    if (old)
        s_forget (self, key, old);
    s_unread_t *unread = bsw_calloc (1, sizeof *unread);
    *unread = (s_unread_t){.receipt = s_receipt (self), .bytes = bytes, .issued = now};
    zhashx_insert (self->unread, key, unread);
    self->held += bytes;
    proto_msg_set_uint (reply, "receipt", unread->receipt);
    free (key);
}

void
broker_receipts_tick (broker_receipts_t *self, int64_t now)
{
    //  Few entries (one per reading client): a walk is cheap. Keys are
    //  collected first, as zhashx may not be changed while walked.
    zlistx_t *stale = zlistx_new ();
    zlistx_set_destructor (stale, (zlistx_destructor_fn *) zstr_free);
    for (s_unread_t *u = zhashx_first (self->unread); u; u = zhashx_next (self->unread))
        if (now - u->issued >= self->hold_ms)
            zlistx_add_end (stale, bsw_strdup (zhashx_cursor (self->unread)));
    for (char *key = zlistx_first (stale); key; key = zlistx_next (stale))
        s_forget (self, key, zhashx_lookup (self->unread, key));
    zlistx_destroy (&stale);
}

uint64_t
broker_receipts_held (const broker_receipts_t *self)
{
    return self->held;
}
