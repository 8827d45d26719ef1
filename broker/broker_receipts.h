/*  broker_receipts.h - replies a client has not shown it read. Internal
    to broker/.

    A client that sends requests and never reads the replies makes the
    broker hold them: up to 1000 per connection in the socket's queue
    (PROTOCOL.md section 6), and a RESULTS reply can carry megabytes (a
    point's time series, a page of 50,000 points). ZeroMQ says nothing of
    what a peer has read, so the reply says it: each RESULTS reply carries
    a `receipt`, and a connection gets its next RESULTS reply only when its
    request brings the receipt of the one before (a client reading its
    replies in turn always can). A connection so holds at most one unread
    RESULTS reply, and all connections together at most `budget` bytes of
    them; a receipt not brought back within `hold_ms` is forgotten, its
    bytes freed from the budget (the reply is then queued or gone).
*/
#ifndef BROKER_RECEIPTS_H_INCLUDED
#define BROKER_RECEIPTS_H_INCLUDED

#include "bsw_error.h"
#include "proto.h"

#include <stdint.h>

typedef struct broker_receipts broker_receipts_t;

broker_receipts_t *broker_receipts_new (uint64_t budget, int64_t hold_ms);
void broker_receipts_destroy (broker_receipts_t **self_p);

/*  Whether the sender of request (its routing id) may be given a reply
    now: 0, its previous reply's receipt (if any) now brought back; or
    BSW_ESTATE with a sentence when that receipt is missing or wrong, or
    when the budget is spent. */
int broker_receipts_check (broker_receipts_t *self, const proto_msg_t *request, bsw_error_t *err);

/*  Records reply, of about `bytes`, as unread by request's sender and sets
    its "receipt". */
void broker_receipts_issue (broker_receipts_t *self, const proto_msg_t *request, proto_msg_t *reply,
                            uint64_t bytes, int64_t now);

/*  Forgets receipts older than hold_ms (the broker calls it every tick). */
void broker_receipts_tick (broker_receipts_t *self, int64_t now);

/*  Bytes of the replies not yet shown read. */
uint64_t broker_receipts_held (const broker_receipts_t *self);

#endif
