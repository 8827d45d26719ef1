/*  worker_outbox_test.c - results kept until acknowledged, and the credit
    they leave the worker to ask for. */
#include "worker_outbox.h"

#include "bsw_test.h"
#include "bsw_util.h"

//  A RESULT of `count` points from `first` on, the first of them ok with
//  a series of `bytes` bytes.
static proto_msg_t *
s_batch (uint64_t sweep, uint64_t first, size_t count, size_t bytes)
{
    proto_msg_t *msg = proto_msg_new (PROTO_RESULT);
    proto_msg_set_uint (msg, "sweep", sweep);
    uint64_t points[8], sizes[8] = {bytes};
    const char *statuses[8];
    for (size_t k = 0; k < count; k++) {
        points[k] = first + k;
        statuses[k] = k == 0 ? "ok" : "failed";
    }
    proto_msg_set_uints (msg, "points", points, count);
    proto_msg_set_strs (msg, "statuses", statuses, count);
    if (bytes) {
        void *data = bsw_calloc (bytes, 1);
        uint64_t shape[1] = {bytes};
        proto_msg_set_uints (msg, "series_sizes", sizes, count);
        proto_msg_set_blob (msg, "series", "u1", shape, 1, &data, bytes);
    }
    return msg;
}

/*  Usage: keep two batches, acknowledge one point at a time; a batch goes
    when all of its points are acknowledged. */
static int
s_test_usage (void)
{
    worker_outbox_t *outbox = worker_outbox_new ();
    proto_msg_t *a = s_batch (1, 0, 2, 100), *b = s_batch (1, 2, 2, 50);
    worker_outbox_add (outbox, &a);
    worker_outbox_add (outbox, &b);
    BSW_CHECK (a == NULL && b == NULL);
    BSW_CHECK_INT (worker_outbox_points (outbox), 4);
    BSW_CHECK_INT (worker_outbox_bytes (outbox), 150);
    BSW_CHECK_INT (worker_outbox_batches (outbox), 2);
    const uint64_t first[] = {0}, rest[] = {1, 2, 3, 99};
    worker_outbox_ack (outbox, 1, first, 1);
    BSW_CHECK_INT (worker_outbox_points (outbox), 3);
    BSW_CHECK_INT (worker_outbox_batches (outbox), 2); // point 1 still waits
    worker_outbox_ack (outbox, 2, rest, 4);            // another sweep: nothing
    BSW_CHECK_INT (worker_outbox_points (outbox), 3);
    worker_outbox_ack (outbox, 1, rest, 4); // 99 is unknown: ignored
    BSW_CHECK_INT (worker_outbox_points (outbox), 0);
    BSW_CHECK_INT (worker_outbox_bytes (outbox), 0);
    BSW_CHECK_INT (worker_outbox_batches (outbox), 0);
    worker_outbox_destroy (&outbox);
    BSW_CHECK (outbox == NULL);
    return BSW_TEST_PASS;
}

/*  A point sent again in a newer batch (a job redone after a DROP and a
    retry) is answered by that batch; the older one no longer waits for it,
    and goes once its other points are acknowledged. */
static int
s_test_resent_point (void)
{
    worker_outbox_t *outbox = worker_outbox_new ();
    proto_msg_t *old = s_batch (1, 0, 2, 10), *again = s_batch (1, 1, 1, 20);
    worker_outbox_add (outbox, &old);
    worker_outbox_add (outbox, &again);
    BSW_CHECK_INT (worker_outbox_points (outbox), 2);
    const uint64_t zero[] = {0};
    worker_outbox_ack (outbox, 1, zero, 1);
    BSW_CHECK_INT (worker_outbox_batches (outbox), 1);
    BSW_CHECK_INT (worker_outbox_bytes (outbox), 20);
    worker_outbox_destroy (&outbox);
    return BSW_TEST_PASS;
}

/*  The credit a worker asks for: what brings its points in hand and its
    unacknowledged ones up to what it wants, and nothing at all while the
    unacknowledged series are over the budget, however many it wants. */
static int
s_test_credit (void)
{
    worker_outbox_t *outbox = worker_outbox_new ();
    BSW_CHECK_INT (worker_outbox_credit (outbox, 3, 10, 1000), 7);
    BSW_CHECK_INT (worker_outbox_credit (outbox, 12, 10, 1000), 0);
    proto_msg_t *batch = s_batch (1, 0, 4, 600);
    worker_outbox_add (outbox, &batch);
    BSW_CHECK_INT (worker_outbox_credit (outbox, 3, 10, 1000), 3);
    BSW_CHECK_INT (worker_outbox_credit (outbox, 3, 100, 1000), 93);
    BSW_CHECK_INT (worker_outbox_credit (outbox, 3, 100, 600), 0);
    BSW_CHECK_INT (worker_outbox_credit (outbox, 0, 100000, 500), 0);
    const uint64_t points[] = {0, 1, 2, 3};
    worker_outbox_ack (outbox, 1, points, 4);
    BSW_CHECK_INT (worker_outbox_credit (outbox, 3, 100, 500), 97);
    worker_outbox_destroy (&outbox);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"resent_point", s_test_resent_point},
                                          {"credit", s_test_credit},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
