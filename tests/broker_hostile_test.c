/*  broker_hostile_test.c - a broker process (brainsweep-broker) against
    hostile or broken peers over loopback (issue 11): what they send may
    cost it an ERROR reply, never its memory or its loop. Each case starts
    its own broker on the test's port (BSW_TEST_PORT) and reads its peak
    memory (VmHWM) from /proc; the bounds are generous: the faults they
    catch cost ten times more.

    usage           a broker starts and answers LIST
    many_frames     a message of three million empty frames (6 MB) is
                    refused with BSW_ETOOBIG without keeping its frames
    oversized_frame a frame over --max-message is refused by the socket
                    itself, and the broker keeps serving
    result_over_limit a RESULT over --max-message fails its points rather
                    than leave them leased for ever
    export_caps     export streams per connection are capped, and an old
                    broker's export copies are removed at start
    unread_replies  a connection that has not read its last RESULTS reply
                    gets no other until it brings that reply's receipt */
#include "bsw_test.h"
#include "bsw_test_dir.h"
#include "bsw_util.h"
#include "proto.h"

#include <inttypes.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    char dir[BSW_TEST_DIR_MAX]; /* data folder and log */
    pid_t pid;                  /* the broker */
    char endpoint[64];          /* where it listens */
    zsock_t *client;            /* DEALER to it */
} s_broker_t;

/*  Receives one message on sock within `ms` and decodes it, or NULL. */
static proto_msg_t *
s_recv_within (zsock_t *sock, int ms)
{
    zpoller_t *poller = zpoller_new (sock, NULL);
    void *ready = zpoller_wait (poller, ms);
    zpoller_destroy (&poller);
    if (!ready)
        return NULL;
    proto_msg_t *msg = NULL;
    bsw_error_t err;
    if (proto_msg_recv (sock, 0, &msg, NULL, &err))
        return NULL;
    return msg;
}

/*  The next reply that is not a HEARTBEAT, within 10 s. */
static proto_msg_t *
s_recv (zsock_t *sock)
{
    proto_msg_t *msg;
    while ((msg = s_recv_within (sock, 10000)) && proto_msg_type (msg) == PROTO_HEARTBEAT)
        proto_msg_destroy (&msg);
    return msg;
}

static zsock_t *
s_dealer (const s_broker_t *b)
{
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    zsock_set_linger (sock, 0);
    if (zsock_connect (sock, "%s", b->endpoint) != 0)
        zsock_destroy (&sock);
    return sock;
}

/*  Whether the broker answers LIST on `sock` (within 10 s). */
static bool
s_answers (zsock_t *sock)
{
    proto_msg_t *msg = proto_msg_new (PROTO_LIST);
    proto_msg_send (&msg, sock);
    msg = s_recv (sock);
    bool ok = msg && proto_msg_type (msg) == PROTO_SWEEPS;
    proto_msg_destroy (&msg);
    return ok;
}

/*  A broker process on the test's port with its data in a fresh folder,
    extra options after the usual ones (NULL-terminated); false when it
    cannot start or does not answer within 60 s. */
static void s_stop (s_broker_t *b);
static bool s_spawn (s_broker_t *b, const char *opt1, const char *opt2);

static bool
s_start (s_broker_t *b, const char *opt1, const char *opt2)
{
    //  A case that failed left its broker running: it goes first, so its
    //  port is free and nobody else answers for the new one.
    s_stop (b);
    memset (b, 0, sizeof *b);
    if (!bsw_test_dir_new (b->dir, "bsw-hostile"))
        return false;
    return s_spawn (b, opt1, opt2);
}

/*  A broker process on b->dir/data (kept from a previous one). */
static bool
s_spawn (s_broker_t *b, const char *opt1, const char *opt2)
{
    const char *bin = getenv ("BSW_BIN_DIR"), *port = getenv ("BSW_TEST_PORT");
    if (!bin || !port)
        return false;
    snprintf (b->endpoint, sizeof b->endpoint, "tcp://127.0.0.1:%s", port);
    char exe[4096], log[BSW_TEST_DIR_MAX + 16], data[BSW_TEST_DIR_MAX + 16];
    snprintf (exe, sizeof exe, "%s/brainsweep-broker", bin);
    snprintf (log, sizeof log, "%s/broker.log", b->dir);
    snprintf (data, sizeof data, "%s/data", b->dir);
    b->pid = fork ();
    if (b->pid == 0) {
        //  Gone with the test, even when the test is killed.
        prctl (PR_SET_PDEATHSIG, SIGKILL);
        if (!freopen (log, "a", stderr))
            _exit (127);
        execl (exe, exe, "--bind", b->endpoint, "--data", data, opt1, opt2, (char *) NULL);
        _exit (127);
    }
    if (b->pid < 0)
        return false;
    b->client = s_dealer (b);
    for (int k = 0; k < 6 && b->client; k++) {
        if (waitpid (b->pid, NULL, WNOHANG) == b->pid) {
            b->pid = 0; //  it exited: its port is taken, or it failed
            return false;
        }
        //  Alive after answering too: another broker on the port (ours
        //  failed to bind and exited) must not answer for it.
        if (s_answers (b->client) && waitpid (b->pid, NULL, WNOHANG) == 0)
            return true;
        //  A reply may still come to the unanswered LIST: a new socket.
        zsock_destroy (&b->client);
        b->client = s_dealer (b);
    }
    return false;
}

static void
s_stop (s_broker_t *b)
{
    zsock_destroy (&b->client);
    if (b->pid > 0) {
        kill (b->pid, SIGKILL);
        waitpid (b->pid, NULL, 0);
        b->pid = 0;
    }
    if (b->dir[0]) {
        if (getenv ("BSW_KEEP_LOGS"))
            fprintf (stderr, "broker log kept in %s\n", b->dir);
        else
            bsw_test_dir_remove (b->dir);
    }
    b->dir[0] = '\0';
}

/*  The broker's peak memory so far, in MB. */
static long
s_peak_mb (const s_broker_t *b)
{
    return bsw_test_vm_kb (b->pid, "VmHWM") / 1024;
}

static s_broker_t s_broker; /* the broker of the case running */

/*  Submits a one-point sweep of 5 ms; its id, or 0. */
static uint64_t
s_submit (s_broker_t *b)
{
    proto_msg_t *msg = proto_msg_new (PROTO_SUBMIT);
    proto_msg_set_str (msg, "spec", "{\"simulation_length\": 5}");
    proto_msg_send (&msg, b->client);
    msg = s_recv (b->client);
    uint64_t id =
        msg && proto_msg_type (msg) == PROTO_SUBMITTED ? proto_msg_uint (msg, "sweep") : 0;
    proto_msg_destroy (&msg);
    return id;
}

static int
s_test_usage (void)
{
    s_broker_t *b = &s_broker;
    BSW_CHECK_MSG (s_start (b, NULL, NULL), "no broker on %s", b->endpoint);
    BSW_CHECK (s_answers (b->client));
    BSW_CHECK (s_peak_mb (b) > 0);
    s_stop (b);
    return BSW_TEST_PASS;
}

/*  Three million empty frames after a frame 0: before the frames were
    counted as they came, every one became a zframe in the broker (1.3 GB
    for 6 MB on the wire). */
static int
s_test_many_frames (void)
{
    s_broker_t *b = &s_broker;
    BSW_CHECK_MSG (s_start (b, NULL, NULL), "no broker on %s", b->endpoint);
    void *raw = zsock_resolve (b->client);
    zmq_send (raw, "x", 1, ZMQ_SNDMORE);
    for (int k = 0; k < 3000000; k++)
        BSW_CHECK (zmq_send (raw, "", 0, ZMQ_SNDMORE) == 0);
    BSW_CHECK (zmq_send (raw, "", 0, 0) == 0);
    proto_msg_t *reply = s_recv_within (b->client, 60000);
    long peak = s_peak_mb (b);
    printf ("broker VmHWM after 3000002 frames: %ld MB\n", peak);
    BSW_CHECK_MSG (peak > 0 && peak < 400, "broker VmHWM %ld MB", peak);
    BSW_CHECK_MSG (reply && proto_msg_type (reply) == PROTO_ERROR, "no ERROR reply");
    BSW_CHECK_INT (proto_msg_int (reply, "code"), BSW_ETOOBIG);
    BSW_CHECK_MSG (strstr (proto_msg_str (reply, "text"), "a message of 3000002 frames"), "%s",
                   proto_msg_str (reply, "text"));
    proto_msg_destroy (&reply);
    BSW_CHECK (s_answers (b->client));
    s_stop (b);
    return BSW_TEST_PASS;
}

/*  A blob frame far over --max-message: libzmq drops the connection at
    the frame's header, so the broker never holds it. */
static int
s_test_oversized_frame (void)
{
    s_broker_t *b = &s_broker;
    BSW_CHECK_MSG (s_start (b, "--max-message", "1048576"), "no broker on %s", b->endpoint);
    zsock_t *peer = s_dealer (b);
    BSW_CHECK (peer);
    size_t size = 64u << 20;
    char *big = bsw_calloc (1, size);
    zmq_send (zsock_resolve (peer), "x", 1, ZMQ_SNDMORE);
    zmq_send (zsock_resolve (peer), big, size, 0);
    free (big);
    //  A frame a little over the limit, within the socket's headroom, is
    //  read and refused by the decoder with an ERROR.
    zsock_t *other = s_dealer (b);
    proto_msg_t *msg = proto_msg_new (PROTO_SUBMIT);
    proto_msg_set_str (msg, "spec", "{}");
    void *conn = bsw_calloc (1, (1u << 20) + 16);
    uint64_t shape[1] = {(1u << 20) + 16};
    proto_msg_set_blob (msg, "connectivity", "u1", shape, 1, &conn, (1u << 20) + 16);
    proto_msg_send (&msg, other);
    msg = s_recv (other);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_ERROR, "no ERROR");
    BSW_CHECK_INT (proto_msg_int (msg, "code"), BSW_ETOOBIG);
    proto_msg_destroy (&msg);
    BSW_CHECK (s_answers (b->client));
    long peak = s_peak_mb (b);
    printf ("broker VmHWM after a 64 MB frame: %ld MB\n", peak);
    BSW_CHECK_MSG (peak < 60, "broker VmHWM %ld MB", peak);
    zsock_destroy (&peer);
    zsock_destroy (&other);
    s_stop (b);
    return BSW_TEST_PASS;
}

/*  A RESULT whose series is over --max-message (from a worker that did
    not heed WORK's max_message): its point is recorded as failed, saying
    why, and acknowledged, so the sweep ends. Refused with an ERROR, the
    worker kept it, its lease was never released, and the sweep ran for
    ever. */
static int
s_test_result_over_limit (void)
{
    s_broker_t *b = &s_broker;
    BSW_CHECK_MSG (s_start (b, "--max-message", "4096"), "no broker on %s", b->endpoint);
    uint64_t id = s_submit (b);
    BSW_CHECK (id > 0);
    proto_msg_t *msg = NULL;
    zsock_t *worker = s_dealer (b);
    BSW_CHECK (worker);
    msg = proto_msg_new (PROTO_HELLO);
    proto_msg_set_str (msg, "worker", "unheeding");
    proto_msg_set_uint (msg, "threads", 1);
    proto_msg_send (&msg, worker);
    msg = proto_msg_new (PROTO_CREDIT);
    proto_msg_set_uint (msg, "credit", 1);
    proto_msg_send (&msg, worker);
    msg = s_recv (worker);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_WORK, "no WORK");
    BSW_CHECK_INT (proto_msg_uint (msg, "max_message"), 4096);
    proto_msg_destroy (&msg);
    //  8 KiB of series: over the limit, within the socket's headroom.
    msg = proto_msg_new (PROTO_RESULT);
    proto_msg_set_uint (msg, "sweep", id);
    const uint64_t point[1] = {0}, sizes[1] = {8192};
    const char *ok[1] = {"ok"};
    proto_msg_set_uints (msg, "points", point, 1);
    proto_msg_set_strs (msg, "statuses", ok, 1);
    proto_msg_set_uints (msg, "series_sizes", sizes, 1);
    void *series = bsw_calloc (1, 8192);
    uint64_t shape[1] = {8192};
    proto_msg_set_blob (msg, "series", "u1", shape, 1, &series, 8192);
    proto_msg_send (&msg, worker);
    msg = s_recv (worker);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_ACK, "got %s, not ACK",
                   msg ? proto_type_name (proto_msg_type (msg)) : "nothing");
    proto_msg_destroy (&msg);
    msg = proto_msg_new (PROTO_STATUS);
    proto_msg_set_uint (msg, "sweep", id);
    proto_msg_send (&msg, b->client);
    msg = s_recv (b->client);
    BSW_CHECK (msg && proto_msg_type (msg) == PROTO_SWEEP_STATUS);
    BSW_CHECK_STR (proto_msg_str (msg, "state"), "finished");
    BSW_CHECK_INT (proto_msg_uint (msg, "failed"), 1);
    proto_msg_destroy (&msg);
    zsock_destroy (&worker);
    s_stop (b);
    return BSW_TEST_PASS;
}

/*  Export streams are threads: one connection may start at most
    BROKER_EXPORTER_MAX_PER_PEER (4) at once, the next FETCH is refused.
    And a copy of a sweep an old broker left (sweeps/ID/export.zip, from
    before exports streamed) is removed when a broker starts. */
static int
s_test_export_caps (void)
{
    s_broker_t *b = &s_broker;
    BSW_CHECK_MSG (s_start (b, NULL, NULL), "no broker on %s", b->endpoint);
    uint64_t id = s_submit (b);
    BSW_CHECK (id > 0);
    proto_msg_t *msg = NULL;
    zsock_t *greedy = s_dealer (b);
    BSW_CHECK (greedy);
    for (uint64_t k = 0; k < 5; k++) {
        msg = proto_msg_new (PROTO_FETCH);
        proto_msg_set_uint (msg, "req", k + 1);
        proto_msg_set_uint (msg, "sweep", id);
        proto_msg_set_uint (msg, "offset", 0);
        proto_msg_send (&msg, greedy);
    }
    //  Four streams answer with chunks (empty ones: the sweep runs), the
    //  fifth FETCH with the refusal.
    int refused = 0, chunks = 0;
    while (refused + chunks < 5 && (msg = s_recv (greedy))) {
        if (proto_msg_type (msg) == PROTO_ERROR) {
            BSW_CHECK_INT (proto_msg_int (msg, "code"), BSW_ETOOBIG);
            BSW_CHECK_INT (proto_msg_uint (msg, "req"), 5);
            BSW_CHECK_MSG (strstr (proto_msg_str (msg, "text"), "this connection has 4 exports"),
                           "%s", proto_msg_str (msg, "text"));
            refused++;
        } else if (proto_msg_type (msg) == PROTO_CHUNK)
            chunks++;
        proto_msg_destroy (&msg);
    }
    BSW_CHECK_INT (refused, 1);
    BSW_CHECK_INT (chunks, 4);
    //  Another connection still may.
    msg = proto_msg_new (PROTO_FETCH);
    proto_msg_set_uint (msg, "sweep", id);
    proto_msg_set_uint (msg, "offset", 0);
    proto_msg_send (&msg, b->client);
    msg = s_recv (b->client);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_CHUNK, "no CHUNK");
    proto_msg_destroy (&msg);
    zsock_destroy (&greedy);

    //  An old broker's export copy, found at the next start.
    zsock_destroy (&b->client);
    kill (b->pid, SIGKILL);
    waitpid (b->pid, NULL, 0);
    b->pid = 0;
    char path[BSW_TEST_DIR_MAX + 128];
    snprintf (path, sizeof path, "%s/data/sweeps", b->dir);
    mkdir (path, 0755);
    snprintf (path, sizeof path, "%s/data/sweeps/%" PRIu64, b->dir, id);
    mkdir (path, 0755);
    snprintf (path, sizeof path, "%s/data/sweeps/%" PRIu64 "/export.zip", b->dir, id);
    FILE *f = fopen (path, "w");
    BSW_CHECK_MSG (f, "cannot write %s", path);
    fputs ("an old copy", f);
    fclose (f);
    BSW_CHECK_MSG (s_spawn (b, NULL, NULL), "no broker after the restart");
    BSW_CHECK_MSG (access (path, F_OK) != 0, "%s is still there", path);
    s_stop (b);
    return BSW_TEST_PASS;
}

//  RESULTS as a client that never reads would send them: the second gets
//  an ERROR instead of a second page held for it; brought back, the first
//  reply's receipt opens the next page.
static proto_msg_t *
s_results (zsock_t *sock, uint64_t sweep, const uint64_t *receipt)
{
    proto_msg_t *msg = proto_msg_new (PROTO_RESULTS);
    proto_msg_set_uint (msg, "sweep", sweep);
    proto_msg_set_bool (msg, "with_spec", true);
    if (receipt)
        proto_msg_set_uint (msg, "receipt", *receipt);
    return msg;
}

static int
s_test_unread_replies (void)
{
    s_broker_t *b = &s_broker;
    BSW_CHECK_MSG (s_start (b, NULL, NULL), "no broker on %s", b->endpoint);
    uint64_t id = s_submit (b);
    BSW_CHECK (id > 0);
    proto_msg_t *msg = NULL;
    //  Two requests, then the two replies.
    for (int k = 0; k < 2; k++) {
        msg = s_results (b->client, id, NULL);
        proto_msg_send (&msg, b->client);
    }
    msg = s_recv (b->client);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_POINTS && proto_msg_has (msg, "receipt"),
                   "got %s", msg ? proto_type_name (proto_msg_type (msg)) : "nothing");
    uint64_t receipt = proto_msg_uint (msg, "receipt");
    proto_msg_destroy (&msg);
    msg = s_recv (b->client);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_ERROR, "got %s",
                   msg ? proto_type_name (proto_msg_type (msg)) : "nothing");
    BSW_CHECK_INT (proto_msg_int (msg, "code"), BSW_ESTATE);
    BSW_CHECK_MSG (strstr (proto_msg_str (msg, "text"), "has not read its previous RESULTS reply"),
                   "%s", proto_msg_str (msg, "text"));
    proto_msg_destroy (&msg);
    //  A wrong receipt is no better; the right one is.
    uint64_t wrong = receipt + 1;
    msg = s_results (b->client, id, &wrong);
    proto_msg_send (&msg, b->client);
    msg = s_recv (b->client);
    BSW_CHECK (msg && proto_msg_type (msg) == PROTO_ERROR);
    proto_msg_destroy (&msg);
    msg = s_results (b->client, id, &receipt);
    proto_msg_send (&msg, b->client);
    msg = s_recv (b->client);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_POINTS, "got %s",
                   msg ? proto_type_name (proto_msg_type (msg)) : "nothing");
    BSW_CHECK (proto_msg_uint (msg, "receipt") != receipt);
    proto_msg_destroy (&msg);
    //  Another connection has its own.
    zsock_t *other = s_dealer (b);
    BSW_CHECK (other);
    msg = s_results (other, id, NULL);
    proto_msg_send (&msg, other);
    msg = s_recv (other);
    BSW_CHECK (msg && proto_msg_type (msg) == PROTO_POINTS);
    proto_msg_destroy (&msg);
    zsock_destroy (&other);
    s_stop (b);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"many_frames", s_test_many_frames},
                                          {"oversized_frame", s_test_oversized_frame},
                                          {"result_over_limit", s_test_result_over_limit},
                                          {"export_caps", s_test_export_caps},
                                          {"unread_replies", s_test_unread_replies},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    int rc = bsw_test_main (argc, argv, s_cases);
    s_stop (&s_broker);
    return rc;
}
