/*  worker_session_test.c - a worker actor against a fake broker (a ROUTER
    socket driven by the test) over loopback: the exchanges whose order a
    real broker cannot force.

    drop_then_work  a sweep is dropped while a job of it runs, and new WORK
                    of the same sweep arrives at once (a cancel and a retry
                    back to back): the new points are computed and their
                    RESULTs sent, not discarded with the abandoned job.
    result_limit    the broker's blob limit from WORK splits a job's RESULT,
                    and fails a point whose series alone exceeds it. */
#include "worker.h"
#include "bsw_test.h"
#include "proto.h"

static zsock_t *s_router;
static char s_endpoint[256];
static zframe_t *s_worker_id; /* the worker's session, once it said HELLO */

/*  A long simulation (about half a second per point on an idle machine),
    so the first job cannot finish before the DROP that follows its WORK:
    with 2000 ms (tens of ms) a loaded machine could let it, and its
    RESULTs failed the case. */
static const char *s_spec = "{\"simulation_length\": 20000, \"ranges\": [{\"parameter\": "
                            "\"model.a\", \"values\": [0, 0.5, 1, 1.5, 2, 2.5]}]}";

/*  The next message from the worker that is not a HEARTBEAT, within
    `within` ms; heartbeats the worker meanwhile, as a broker would. */
static proto_msg_t *
s_recv_for (int64_t within)
{
    zpoller_t *poller = zpoller_new (s_router, NULL);
    proto_msg_t *msg = NULL;
    int64_t deadline = zclock_mono () + within;
    while (!msg && zclock_mono () < deadline) {
        if (s_worker_id) {
            proto_msg_t *beat = proto_msg_new (PROTO_HEARTBEAT);
            proto_msg_set_routing_id (beat, s_worker_id);
            proto_msg_send (&beat, s_router);
        }
        if (!zpoller_wait (poller, within < 500 ? (int) within : 500))
            continue;
        zmsg_t *wire = zmsg_recv (s_router);
        bsw_error_t err;
        if (proto_msg_decode (&wire, true, 0, &msg, NULL, &err))
            msg = NULL;
        else if (proto_msg_type (msg) == PROTO_HEARTBEAT)
            proto_msg_destroy (&msg);
    }
    zpoller_destroy (&poller);
    return msg;
}

static proto_msg_t *
s_recv (void)
{
    return s_recv_for (60000);
}

static void
s_send (proto_msg_t **msg_p, const proto_msg_t *from)
{
    proto_msg_set_routing_id (*msg_p, proto_msg_routing_id (from));
    proto_msg_send (msg_p, s_router);
}

static proto_msg_t *
s_work (const uint64_t *points, size_t count, bool with_spec)
{
    proto_msg_t *work = proto_msg_new (PROTO_WORK);
    proto_msg_set_uint (work, "sweep", 1);
    proto_msg_set_uints (work, "points", points, count);
    if (with_spec) {
        proto_msg_set_str (work, "uuid", "6f1c2a4e-0000-4000-8000-000000000001");
        proto_msg_set_str (work, "spec", s_spec);
    }
    return work;
}

static int
s_test_drop_then_work (void)
{
    worker_config_t config = {.broker = s_endpoint, .threads = 1, .lanes = 2, .name = "w"};
    zactor_t *worker = zactor_new (worker_actor, &config);
    proto_msg_t *hello = s_recv ();
    BSW_CHECK_MSG (hello && proto_msg_type (hello) == PROTO_HELLO, "no HELLO");
    s_worker_id = zframe_dup (proto_msg_routing_id (hello));
    proto_msg_t *credit = s_recv ();
    BSW_CHECK_MSG (credit && proto_msg_type (credit) == PROTO_CREDIT, "no CREDIT");
    proto_msg_destroy (&credit);

    uint64_t first[2] = {0, 1}, again[2] = {2, 3};
    proto_msg_t *msg = s_work (first, 2, true);
    s_send (&msg, hello);
    //  Most often the job has started when the DROP comes (the case it is
    //  meant for); when it has not, the DROP finds it queued, and the
    //  checks below hold as well.
    zclock_sleep (20);
    msg = proto_msg_new (PROTO_DROP);
    proto_msg_set_uint (msg, "sweep", 1);
    s_send (&msg, hello);
    msg = s_work (again, 2, true);
    s_send (&msg, hello);

    //  Points 2 and 3 come back as results; 0 and 1 were abandoned.
    bool seen[4] = {false};
    int results = 0;
    while (results < 2 && (msg = s_recv ())) {
        if (proto_msg_type (msg) == PROTO_RESULT) {
            //  A batch: one job's points, each with its status.
            size_t count = 0;
            const uint64_t *points = proto_msg_uints (msg, "points", &count);
            for (size_t k = 0; k < count; k++) {
                uint64_t point = points[k];
                BSW_CHECK_MSG (point == 2 || point == 3, "RESULT for abandoned point %llu",
                               (unsigned long long) point);
                BSW_CHECK_STR (proto_msg_strs_at (msg, "statuses", k), "ok");
                BSW_CHECK (!seen[point]);
                seen[point] = true;
                results++;
            }
            BSW_CHECK (proto_msg_has (msg, "series"));
        }
        BSW_CHECK_MSG (proto_msg_type (msg) != PROTO_HELLO, "the worker started a new session");
        proto_msg_destroy (&msg);
    }
    BSW_CHECK_MSG (results == 2, "%d of 2 results for the retried points", results);
    proto_msg_destroy (&hello);
    zframe_destroy (&s_worker_id);
    zactor_destroy (&worker);
    return BSW_TEST_PASS;
}

/*  The broker's blob limit comes with WORK (max_message): a job's points
    go in as many RESULTs as keep each series blob within it, and a point
    whose series alone exceeds it fails, saying so, instead of being sent
    for the broker to refuse (the point would never end). A point of this
    spec has 5 samples of V on 76 regions: 3040 bytes of float64. */
static int
s_test_result_limit (void)
{
    worker_config_t config = {.broker = s_endpoint, .threads = 1, .lanes = 4, .name = "w2"};
    zactor_t *worker = zactor_new (worker_actor, &config);
    //  The HELLO of this worker; an earlier case's worker may still have
    //  said goodbye on the same socket.
    proto_msg_t *hello;
    while ((hello = s_recv ()) && proto_msg_type (hello) != PROTO_HELLO)
        proto_msg_destroy (&hello);
    BSW_CHECK_MSG (hello, "no HELLO");
    s_worker_id = zframe_dup (proto_msg_routing_id (hello));
    uint64_t points[4] = {0, 1, 2, 3};
    const uint64_t limits[2] = {4000, 3000};
    for (int round = 0; round < 2; round++) {
        proto_msg_t *msg = proto_msg_new (PROTO_WORK);
        proto_msg_set_uint (msg, "sweep", (uint64_t) round + 1);
        proto_msg_set_uints (msg, "points", points, 4);
        proto_msg_set_str (msg, "uuid", "6f1c2a4e-0000-4000-8000-000000000002");
        proto_msg_set_str (msg, "spec",
                           "{\"simulation_length\": 5, \"ranges\": [{\"parameter\": "
                           "\"model.a\", \"values\": [0, 0.5, 1, 1.5]}]}");
        proto_msg_set_uint (msg, "max_message", limits[round]);
        s_send (&msg, hello);
        int seen = 0;
        while (seen < 4 && (msg = s_recv ())) {
            if (proto_msg_type (msg) == PROTO_RESULT) {
                size_t count = 0;
                proto_msg_uints (msg, "points", &count);
                size_t size = 0;
                if (proto_msg_has (msg, "series"))
                    proto_msg_blob (msg, "series", &size, NULL, NULL, NULL);
                BSW_CHECK_MSG (size <= limits[round], "a series blob of %zu bytes", size);
                for (size_t k = 0; k < count; k++) {
                    const char *status = proto_msg_strs_at (msg, "statuses", k);
                    if (round == 0)
                        BSW_CHECK_STR (status, "ok");
                    else {
                        BSW_CHECK_STR (status, "failed");
                        BSW_CHECK_STR (proto_msg_strs_at (msg, "errors", k),
                                       "its time series of 3040 bytes exceeds the broker's limit "
                                       "of 3000 bytes (--max-message)");
                    }
                }
                //  One point per RESULT at 4000 bytes; failed points carry
                //  no series and go together.
                BSW_CHECK_INT (count, round == 0 ? 1 : 4);
                seen += (int) count;
            }
            proto_msg_destroy (&msg);
        }
        BSW_CHECK_INT (seen, 4);
    }
    proto_msg_destroy (&hello);
    zframe_destroy (&s_worker_id);
    zactor_destroy (&worker);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {
    {"drop_then_work", s_test_drop_then_work}, {"result_limit", s_test_result_limit}, {NULL, NULL}};

int
main (int argc, char **argv)
{
    zsys_set_logstream (NULL);
    s_router = zsock_new (ZMQ_ROUTER);
    int port = zsock_bind (s_router, "tcp://127.0.0.1:*");
    if (port < 0)
        return 1;
    snprintf (s_endpoint, sizeof s_endpoint, "tcp://127.0.0.1:%d", port);
    int rc = bsw_test_main (argc, argv, s_cases);
    zsock_destroy (&s_router);
    return rc;
}
