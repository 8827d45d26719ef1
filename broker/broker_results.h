/*  broker_results.h - a RESULT (a worker's batch of finished points of one
    sweep) checked point by point against its sweep, and turned into the
    rows broker_db commits. Internal to broker/.

    Each point of a RESULT is one of:
      new        the sweep wants a result for it and it is well formed:
                 it is committed, then acknowledged;
      duplicate  the point already has a result: acknowledged, not stored;
      invalid    a point past the sweep's end, or a series that is not
                 what the sweep's points make (wrong size, a stream that
                 does not inflate to it, one for a sweep that keeps
                 metrics only, none for one that keeps all): never stored;
                 its lease is ended and the point runs again, and the
                 worker is told why (an ERROR) and acknowledged, so it
                 does not send it again.
    The decoder (proto) has already checked the message's shape: parallel
    arrays, sizes adding up to the blob, names bounded.
*/
#ifndef BROKER_RESULTS_H_INCLUDED
#define BROKER_RESULTS_H_INCLUDED

#include "broker_db.h"
#include "broker_sweep.h"
#include "proto.h"

#include <stdint.h>

typedef enum {
    BROKER_RESULT_NEW = 0,
    BROKER_RESULT_DUPLICATE = 1,
    BROKER_RESULT_INVALID = 2,
    BROKER_RESULT_UNLEASED = 3, /* set by the broker: the sender holds no lease of it */
} broker_result_verdict_t;

/*  Fills verdict[k] for each of the RESULT's points (sweep: its sweep,
    never NULL). Returns the number of invalid points; err then says what
    is wrong with the first one. */
size_t broker_results_check (const proto_msg_t *msg, broker_sweep_t *sweep, broker_db_t *db,
                             uint8_t *verdict, bsw_error_t *err);

/*  Fills out[0..n) with the RESULT's new points (verdict NEW), borrowing
    from msg; metrics[j] receives each one's allocated text (caller frees
    each): an ok point's stored metrics, or a failed point's error text as
    the worker sent it but escaped (bsw_text_escape), which out[j].error
    points to, so it is logged, stored and shown without the control
    characters a broken or hostile worker put in it. Returns n. */
size_t broker_results_rows (const proto_msg_t *msg, const uint8_t *verdict, const char *worker,
                            broker_result_t *out, char **metrics);

#endif
