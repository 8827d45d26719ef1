/*  broker_requests_test.c - a broker actor over loopback answers malformed
    and wrong requests with ERROR replies (code and sentence) and keeps
    serving; a valid SUBMIT, LIST and STATUS work in between; STATS counts
    what happened (errors by code, workers joined, lost and left, points
    requeued, results committed and duplicate).

    Most cases share one broker (the fixture s_main, started in main); a
    case that needs a short heartbeat starts its own. Fake workers are
    DEALER sockets driven by the test. */
#include "broker.h"
#include "broker_results.h"
#include "bsw_assert.h"
#include "bsw_test.h"
#include "bsw_test_dir.h"
#include "bsw_util.h"
#include "proto.h"
#include "store_series.h"

#include <msgpack.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <zip.h>

/*  A broker actor on a loopback wildcard port (it is never restarted, so
    any free port will do; tests/CMakeLists.txt), its data folder, and a
    client socket connected to it. */
typedef struct {
    char dir[BSW_TEST_DIR_MAX]; /* data folder, removed at the end */
    zactor_t *broker;           /* the actor */
    zsock_t *client;            /* DEALER to it */
    char endpoint[256];         /* where it listens */
} s_fixture_t;

static bool
s_fixture_start (s_fixture_t *fx, int heartbeat_ms)
{
    memset (fx, 0, sizeof *fx);
    if (!bsw_test_dir_new (fx->dir, "bsw-requests"))
        return false;
    broker_config_t config = {.bind = "tcp://127.0.0.1:*",
                              .data_dir = fx->dir,
                              .max_points = 1000,
                              .heartbeat_ms = heartbeat_ms};
    fx->broker = broker_start (&config);
    if (!fx->broker)
        return false;
    zstr_send (fx->broker, "ENDPOINT");
    char *endpoint = zstr_recv (fx->broker);
    snprintf (fx->endpoint, sizeof fx->endpoint, "%s", endpoint ? endpoint : "");
    zstr_free (&endpoint);
    fx->client = zsock_new_dealer (fx->endpoint);
    return fx->client != NULL;
}

static void
s_fixture_stop (s_fixture_t *fx)
{
    zsock_destroy (&fx->client);
    zactor_destroy (&fx->broker);
    if (fx->dir[0])
        bsw_test_dir_remove (fx->dir);
    fx->dir[0] = '\0';
}

static s_fixture_t s_main;           /* the broker most cases share */
#define s_client   (s_main.client)   /* its client socket */
#define s_endpoint (s_main.endpoint) /* its endpoint */

/*  float64 values in the series of a point of s_submit's sweeps: 5 ms at
    the default dt and TemporalAverage period are 5 samples, of V, on the
    76 regions of the built-in connectivity. */
#define S_SERIES 380

/*  Receives one message on `sock` within 5 s and decodes it. */
static proto_msg_t *
s_recv_on (zsock_t *sock)
{
    zpoller_t *poller = zpoller_new (sock, NULL);
    void *ready = zpoller_wait (poller, 5000);
    zpoller_destroy (&poller);
    if (!ready)
        return NULL;
    zmsg_t *wire = zmsg_recv (sock);
    proto_msg_t *msg = NULL;
    bsw_error_t err;
    if (proto_msg_decode (&wire, false, 0, &msg, NULL, &err))
        return NULL;
    return msg;
}

static proto_msg_t *
s_reply (void)
{
    return s_recv_on (s_client);
}

static int
s_expect_error (int code, const char *needle)
{
    proto_msg_t *reply = s_reply ();
    BSW_CHECK_MSG (reply, "no reply");
    BSW_CHECK_MSG (proto_msg_type (reply) == PROTO_ERROR, "got %s",
                   proto_type_name (proto_msg_type (reply)));
    BSW_CHECK_INT (proto_msg_int (reply, "code"), code);
    BSW_CHECK_MSG (strstr (proto_msg_str (reply, "text"), needle), "text '%s' lacks '%s'",
                   proto_msg_str (reply, "text"), needle);
    proto_msg_destroy (&reply);
    return BSW_TEST_PASS;
}

static void
s_send_raw (const void *bytes, size_t size)
{
    zmsg_t *msg = zmsg_new ();
    zmsg_addmem (msg, bytes, size);
    zmsg_send (&msg, s_client);
}

/*  frame 0 of ["BSW", version, type, {}] */
static void
s_send_header (const char *tag, int version, int type)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
    msgpack_pack_array (&pk, 4);
    msgpack_pack_str_with_body (&pk, tag, strlen (tag));
    msgpack_pack_int (&pk, version);
    msgpack_pack_int (&pk, type);
    msgpack_pack_map (&pk, 0);
    s_send_raw (buf.data, buf.size);
    msgpack_sbuffer_destroy (&buf);
}

static int
s_list_works (void)
{
    proto_msg_t *list = proto_msg_new (PROTO_LIST);
    proto_msg_send (&list, s_client);
    proto_msg_t *reply = s_reply ();
    BSW_CHECK (reply && proto_msg_type (reply) == PROTO_SWEEPS);
    proto_msg_destroy (&reply);
    return BSW_TEST_PASS;
}

/*  Usage: a client submits a sweep and asks for its status. */
static int
s_test_submit_and_status (void)
{
    proto_msg_t *submit = proto_msg_new (PROTO_SUBMIT);
    proto_msg_set_uint (submit, "req", 7);
    proto_msg_set_str (submit, "spec",
                       "{\"simulation_length\": 5, \"ranges\": [{\"parameter\": \"model.a\", "
                       "\"values\": [1, 2, 3]}]}");
    proto_msg_send (&submit, s_client);
    proto_msg_t *reply = s_reply ();
    BSW_CHECK (reply && proto_msg_type (reply) == PROTO_SUBMITTED);
    BSW_CHECK_INT (proto_msg_uint (reply, "req"), 7);
    BSW_CHECK_INT (proto_msg_uint (reply, "points"), 3);
    uint64_t id = proto_msg_uint (reply, "sweep");
    proto_msg_destroy (&reply);
    proto_msg_t *status = proto_msg_new (PROTO_STATUS);
    proto_msg_set_uint (status, "sweep", id);
    proto_msg_send (&status, s_client);
    reply = s_reply ();
    BSW_CHECK (reply && proto_msg_type (reply) == PROTO_SWEEP_STATUS);
    BSW_CHECK_INT (proto_msg_uint (reply, "points"), 3);
    BSW_CHECK_INT (proto_msg_uint (reply, "pending"), 3);
    BSW_CHECK_STR (proto_msg_str (reply, "state"), "running");
    proto_msg_destroy (&reply);
    return BSW_TEST_PASS;
}

static int
s_test_malformed_frames (void)
{
    s_send_raw ("garbage", 7);
    if (s_expect_error (BSW_EPROTO, ""))
        return BSW_TEST_FAIL;
    s_send_header ("BSW", 99, PROTO_LIST);
    if (s_expect_error (BSW_EVERSION, "version 99"))
        return BSW_TEST_FAIL;
    s_send_header ("XYZ", 1, PROTO_LIST);
    if (s_expect_error (BSW_EPROTO, ""))
        return BSW_TEST_FAIL;
    s_send_header ("BSW", PROTO_VERSION, 200);
    if (s_expect_error (BSW_EPROTO, "200"))
        return BSW_TEST_FAIL;
    //  STATUS without its required "sweep".
    s_send_header ("BSW", PROTO_VERSION, PROTO_STATUS);
    if (s_expect_error (BSW_EPROTO, "sweep"))
        return BSW_TEST_FAIL;
    //  Truncated: a valid LIST cut short.
    proto_msg_t *list = proto_msg_new (PROTO_LIST);
    zmsg_t *wire = proto_msg_encode (list);
    proto_msg_destroy (&list);
    zframe_t *frame = zmsg_first (wire);
    s_send_raw (zframe_data (frame), zframe_size (frame) - 2);
    zmsg_destroy (&wire);
    if (s_expect_error (BSW_EPROTO, ""))
        return BSW_TEST_FAIL;
    return s_list_works ();
}

static int
s_test_wrong_requests (void)
{
    proto_msg_t *msg = proto_msg_new (PROTO_SUBMIT);
    proto_msg_set_str (msg, "spec",
                       "{\"integrator\": {\"type\": \"HeunDeterministic\", \"dt\": 0}}");
    proto_msg_send (&msg, s_client);
    if (s_expect_error (BSW_ESPEC, "integrator.dt"))
        return BSW_TEST_FAIL;
    msg = proto_msg_new (PROTO_SUBMIT);
    proto_msg_set_str (msg, "spec", "{}");
    void *bad = bsw_strdup ("not a zip at all");
    uint64_t shape[1] = {16};
    proto_msg_set_blob (msg, "connectivity", "u1", shape, 1, &bad, 16);
    proto_msg_set_str (msg, "connectivity_name", "mine.zip");
    proto_msg_send (&msg, s_client);
    if (s_expect_error (BSW_EFORMAT, "mine.zip"))
        return BSW_TEST_FAIL;
    msg = proto_msg_new (PROTO_SUBMIT);
    proto_msg_set_str (msg, "spec",
                       "{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, "
                       "\"hi\": 1, \"step\": 0.0001}]}");
    proto_msg_send (&msg, s_client);
    if (s_expect_error (BSW_ETOOBIG, "at most 1000"))
        return BSW_TEST_FAIL;
    msg = proto_msg_new (PROTO_STATUS);
    proto_msg_set_uint (msg, "sweep", 999);
    proto_msg_send (&msg, s_client);
    if (s_expect_error (BSW_ENOTFOUND, "999"))
        return BSW_TEST_FAIL;
    msg = proto_msg_new (PROTO_FETCH);
    proto_msg_set_uint (msg, "sweep", 999);
    proto_msg_set_uint (msg, "offset", 0);
    proto_msg_send (&msg, s_client);
    if (s_expect_error (BSW_ENOTFOUND, "999"))
        return BSW_TEST_FAIL;
    //  A worker message from a session that never said HELLO.
    msg = proto_msg_new (PROTO_CREDIT);
    proto_msg_set_uint (msg, "credit", 4);
    proto_msg_send (&msg, s_client);
    if (s_expect_error (BSW_ESTATE, "HELLO"))
        return BSW_TEST_FAIL;
    //  A reply type sent as a request.
    msg = proto_msg_new (PROTO_DONE);
    proto_msg_set_uint (msg, "sweep", 1);
    proto_msg_set_uint (msg, "count", 1);
    proto_msg_send (&msg, s_client);
    if (s_expect_error (BSW_EPROTO, "DONE"))
        return BSW_TEST_FAIL;
    return s_list_works ();
}

/*  SUBMITs a client of ours would refuse, sent anyway: a spec whose every
    point asks a worker for 1.8 TB, and names that would reach terminals
    and logs with control characters or 64 KiB long. */
static int
s_test_hostile_submissions (void)
{
    proto_msg_t *msg = proto_msg_new (PROTO_SUBMIT);
    proto_msg_set_str (msg, "spec",
                       "{\"monitor\": {\"type\": \"Raw\"}, \"simulation_length\": 3.6e7}");
    proto_msg_send (&msg, s_client);
    if (s_expect_error (BSW_ETOOBIG, "spec: simulation_length: the series of one point would be"))
        return BSW_TEST_FAIL;
    msg = proto_msg_new (PROTO_SUBMIT);
    proto_msg_set_str (msg, "spec", "{\"name\": \"two\\nlines\"}");
    proto_msg_send (&msg, s_client);
    if (s_expect_error (BSW_ESPEC, "spec: name: \"two\\nlines\" holds a control character"))
        return BSW_TEST_FAIL;
    msg = proto_msg_new (PROTO_SUBMIT);
    proto_msg_set_str (msg, "spec", "{}");
    proto_msg_set_str (msg, "name", "\x1b]0;owned\x07");
    proto_msg_send (&msg, s_client);
    if (s_expect_error (BSW_ESPEC, "name: \"\\x1b]0;owned\\x07\" holds a control character"))
        return BSW_TEST_FAIL;
    char *long_name = bsw_malloc (65001);
    memset (long_name, 'n', 65000);
    long_name[65000] = '\0';
    msg = proto_msg_new (PROTO_SUBMIT);
    proto_msg_set_str (msg, "spec", "{}");
    proto_msg_set_str (msg, "name", long_name);
    free (long_name);
    proto_msg_send (&msg, s_client);
    if (s_expect_error (BSW_ESPEC, "name: 65000 bytes is longer than the 256"))
        return BSW_TEST_FAIL;
    return s_list_works ();
}

/*  Submits a sweep of `count` values of model.a (0, 1, ...) through
    `client`; returns its id or 0. s_submit uses the shared broker. */
static uint64_t
s_submit_on (zsock_t *client, int count)
{
    char spec[2048];
    BSW_ASSERT (count <= 300);
    int n = snprintf (spec, sizeof spec,
                      "{\"simulation_length\": 5, \"ranges\": [{\"parameter\": \"model.a\", "
                      "\"values\": [");
    for (int k = 0; k < count; k++)
        n += snprintf (spec + n, sizeof spec - (size_t) n, "%s%d", k ? ", " : "", k);
    snprintf (spec + n, sizeof spec - (size_t) n, "]}]}");
    proto_msg_t *submit = proto_msg_new (PROTO_SUBMIT);
    proto_msg_set_str (submit, "spec", spec);
    proto_msg_send (&submit, client);
    proto_msg_t *reply = s_recv_on (client);
    uint64_t id =
        reply && proto_msg_type (reply) == PROTO_SUBMITTED ? proto_msg_uint (reply, "sweep") : 0;
    proto_msg_destroy (&reply);
    return id;
}

static uint64_t
s_submit (int count)
{
    return s_submit_on (s_client, count);
}

/*  Sends CANCEL or RETRY for a sweep and expects DONE. */
static int
s_cancel_or_retry (proto_type_t type, uint64_t id)
{
    proto_msg_t *msg = proto_msg_new (type);
    proto_msg_set_uint (msg, "sweep", id);
    proto_msg_send (&msg, s_client);
    proto_msg_t *reply = s_reply ();
    BSW_CHECK_MSG (reply && proto_msg_type (reply) == PROTO_DONE, "%s not answered with DONE",
                   proto_type_name (type));
    proto_msg_destroy (&reply);
    return BSW_TEST_PASS;
}

/*  The next message to the worker that is not a HEARTBEAT. */
static proto_msg_t *
s_worker_recv (zsock_t *worker)
{
    proto_msg_t *msg;
    while ((msg = s_recv_on (worker)) && proto_msg_type (msg) == PROTO_HEARTBEAT)
        proto_msg_destroy (&msg);
    return msg;
}

/*  A fake worker session: HELLO, then `credit` points asked for (none
    when 0). */
static zsock_t *
s_worker_start_at (const char *endpoint, const char *identity, uint64_t credit)
{
    zsock_t *worker = zsock_new (ZMQ_DEALER);
    zsock_set_identity (worker, identity);
    if (zsock_connect (worker, "%s", endpoint) != 0) {
        zsock_destroy (&worker);
        return NULL;
    }
    proto_msg_t *msg = proto_msg_new (PROTO_HELLO);
    proto_msg_set_str (msg, "worker", identity);
    proto_msg_set_uint (msg, "threads", 1);
    proto_msg_send (&msg, worker);
    if (credit) {
        msg = proto_msg_new (PROTO_CREDIT);
        proto_msg_set_uint (msg, "credit", credit);
        proto_msg_send (&msg, worker);
    }
    return worker;
}

static zsock_t *
s_worker_start (const char *identity, uint64_t credit)
{
    return s_worker_start_at (s_endpoint, identity, credit);
}

/*  The fixture of the cases with a fake worker on the shared broker: a
    sweep of `points` values of model.a (*id) that is the only one running
    (earlier cases' sweeps are cancelled, or they would be dispatched
    first), and a worker session `identity` that asked for 2 points and got
    its first WORK (*work; the caller destroys it and the worker). */
static int
s_worker_fixture (int points, const char *identity, uint64_t *id, zsock_t **worker,
                  proto_msg_t **work)
{
    *id = s_submit (points);
    BSW_CHECK_MSG (*id, "submit failed");
    for (uint64_t other = 1; other < *id; other++)
        if (s_cancel_or_retry (PROTO_CANCEL, other))
            return BSW_TEST_FAIL;
    *worker = s_worker_start (identity, 2);
    BSW_CHECK (*worker);
    *work = s_worker_recv (*worker);
    BSW_CHECK_MSG (*work && proto_msg_type (*work) == PROTO_WORK, "no WORK");
    return BSW_TEST_PASS;
}

/*  A failed RESULT of a point (no time series needed). */
static void
s_send_failed_result (zsock_t *worker, uint64_t sweep, uint64_t point)
{
    proto_msg_t *msg = proto_msg_new (PROTO_RESULT);
    proto_msg_set_uint (msg, "sweep", sweep);
    const uint64_t points[] = {point};
    const char *statuses[] = {"failed"}, *errors[] = {"diverged"};
    proto_msg_set_uints (msg, "points", points, 1);
    proto_msg_set_strs (msg, "statuses", statuses, 1);
    proto_msg_set_strs (msg, "errors", errors, 1);
    proto_msg_send (&msg, worker);
}

/*  A fake worker holds points when their sweep is cancelled: the broker
    drops them, keeps the result that was already under way, and after a
    retry sends the sweep's definition again (the worker forgot it on
    DROP), with only the points still to run. */
/*  A result that arrives after its sweep was cancelled is acknowledged
    (the worker may forget it) but not stored: the cancel ended the lease
    (PROTOCOL.md 8.1). The retry runs that point again. */
static int
s_test_cancel_ends_leases (void)
{
    uint64_t id;
    zsock_t *worker;
    proto_msg_t *msg;
    BSW_CHECK (s_worker_fixture (3, "fake-worker/0", &id, &worker, &msg) == BSW_TEST_PASS);
    BSW_CHECK (proto_msg_has (msg, "spec"));
    size_t count = 0;
    const uint64_t *points = proto_msg_uints (msg, "points", &count);
    BSW_CHECK_INT (count, 2);
    uint64_t late = points[0];
    proto_msg_destroy (&msg);

    if (s_cancel_or_retry (PROTO_CANCEL, id))
        return BSW_TEST_FAIL;
    msg = s_worker_recv (worker);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_DROP, "no DROP");
    proto_msg_destroy (&msg);
    //  A result computed before the DROP arrived.
    s_send_failed_result (worker, id, late);
    msg = s_worker_recv (worker);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_ACK, "late result not ACKed");
    size_t acked = 0;
    BSW_CHECK_INT (proto_msg_uints (msg, "points", &acked)[0], late);
    BSW_CHECK_INT (acked, 1);
    proto_msg_destroy (&msg);
    msg = proto_msg_new (PROTO_STATUS);
    proto_msg_set_uint (msg, "sweep", id);
    proto_msg_send (&msg, s_client);
    proto_msg_t *reply = s_reply ();
    BSW_CHECK (reply && proto_msg_type (reply) == PROTO_SWEEP_STATUS);
    BSW_CHECK_STR (proto_msg_str (reply, "state"), "cancelled");
    BSW_CHECK_INT (proto_msg_uint (reply, "failed"), 0);
    BSW_CHECK_INT (proto_msg_uint (reply, "done"), 0);
    proto_msg_destroy (&reply);

    //  Retry: the three points without a result come back; the WORK
    //  carries the definition again.
    if (s_cancel_or_retry (PROTO_RETRY, id))
        return BSW_TEST_FAIL;
    msg = proto_msg_new (PROTO_CREDIT);
    proto_msg_set_uint (msg, "credit", 5);
    proto_msg_send (&msg, worker);
    msg = s_worker_recv (worker);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_WORK, "no WORK after retry");
    BSW_CHECK_MSG (proto_msg_has (msg, "spec"), "WORK after a DROP lacks the sweep's spec");
    proto_msg_uints (msg, "points", &count);
    BSW_CHECK_INT (count, 3);
    proto_msg_destroy (&msg);
    msg = proto_msg_new (PROTO_BYE);
    proto_msg_set_uints (msg, "sweeps", NULL, 0);
    proto_msg_set_uints (msg, "points", NULL, 0);
    proto_msg_send (&msg, worker);
    zsock_destroy (&worker);
    return BSW_TEST_PASS;
}

/*  An ok RESULT of point `point` with the given metric names, as raw
    msgpack so that names the codec's setters would send unchecked reach
    the broker: frame 0 and one blob frame holding its series, S_SERIES
    float64 zeros (the shape of S_SUBMIT_SPEC's points). */
static void
s_send_named_result (zsock_t *worker, uint64_t sweep, uint64_t point, const char *const *names,
                     size_t count)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
    msgpack_pack_array (&pk, 4);
    msgpack_pack_str_with_body (&pk, "BSW", 3);
    msgpack_pack_int (&pk, PROTO_VERSION);
    msgpack_pack_int (&pk, PROTO_RESULT);
    msgpack_pack_map (&pk, 7);
    msgpack_pack_str_with_body (&pk, "sweep", 5);
    msgpack_pack_uint64 (&pk, sweep);
    msgpack_pack_str_with_body (&pk, "points", 6);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_uint64 (&pk, point);
    msgpack_pack_str_with_body (&pk, "statuses", 8);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_str_with_body (&pk, "ok", 2);
    msgpack_pack_str_with_body (&pk, "metric_names", 12);
    msgpack_pack_array (&pk, (uint32_t) count);
    for (size_t k = 0; k < count; k++)
        msgpack_pack_str_with_body (&pk, names[k], strlen (names[k]));
    msgpack_pack_str_with_body (&pk, "metric_values", 13);
    msgpack_pack_array (&pk, (uint32_t) count);
    for (size_t k = 0; k < count; k++)
        msgpack_pack_double (&pk, 0.25 * (double) (k + 1));
    msgpack_pack_str_with_body (&pk, "series_sizes", 12);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_uint64 (&pk, S_SERIES * 8);
    msgpack_pack_str_with_body (&pk, "series", 6);
    msgpack_pack_map (&pk, 3);
    msgpack_pack_str_with_body (&pk, "frame", 5);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_str_with_body (&pk, "dtype", 5);
    msgpack_pack_str_with_body (&pk, "u1", 2);
    msgpack_pack_str_with_body (&pk, "shape", 5);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_uint64 (&pk, S_SERIES * 8);
    static const double series[S_SERIES];
    zmsg_t *msg = zmsg_new ();
    zmsg_addmem (msg, buf.data, buf.size);
    zmsg_addmem (msg, series, sizeof series);
    zmsg_send (&msg, worker);
    msgpack_sbuffer_destroy (&buf);
}

/*  The sweep's export zip, fetched whole into memory (caller frees): a
    download of one export stream, chunk by chunk. */
static void *
s_fetch_zip (uint64_t sweep, size_t *size_p, uint64_t *export_p)
{
    uint8_t *zip = NULL;
    uint64_t offset = 0, export = 0;
    bool done = false;
    //  Bounded: 400 chunks (empty ones come at most once a second).
    for (int round = 0; round < 400 && !done; round++) {
        proto_msg_t *msg = proto_msg_new (PROTO_FETCH);
        proto_msg_set_uint (msg, "sweep", sweep);
        proto_msg_set_uint (msg, "offset", offset);
        if (round)
            proto_msg_set_uint (msg, "export", export);
        proto_msg_send (&msg, s_client);
        proto_msg_t *reply = s_reply ();
        if (!reply || proto_msg_type (reply) != PROTO_CHUNK ||
            proto_msg_uint (reply, "offset") != offset) {
            proto_msg_destroy (&reply);
            break;
        }
        export = proto_msg_uint (reply, "export");
        size_t n = 0;
        const void *data = proto_msg_has (reply, "data")
                               ? proto_msg_blob (reply, "data", &n, NULL, NULL, NULL)
                               : NULL;
        zip = bsw_realloc (zip, (size_t) (offset + n + 1));
        if (n)
            memcpy (zip + offset, data, n);
        offset += n;
        done = proto_msg_bool (reply, "last");
        proto_msg_destroy (&reply);
    }
    if (!done) {
        free (zip);
        return NULL;
    }
    *size_p = (size_t) offset;
    if (export_p)
        *export_p = export;
    return zip;
}

/*  A zip in memory opened for reading, checked for consistency; it
    borrows `bytes` (NULL if they are not a zip). */
static zip_t *
s_zip_open (const void *bytes, size_t size)
{
    zip_error_t ze;
    zip_error_init (&ze);
    zip_source_t *src = zip_source_buffer_create (bytes, size, 0, &ze);
    zip_t *zip = src ? zip_open_from_source (src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
    if (!zip) {
        fprintf (stderr, "not a zip: %s\n", zip_error_strerror (&ze));
        zip_source_free (src);
    }
    zip_error_fini (&ze);
    return zip;
}

/*  A hostile or broken worker sends metric names the export could not
    write (200 and 5000 bytes, a quote, nine of them): each RESULT is
    refused with an ERROR, the broker keeps serving, and the sweep, once
    its points come in properly, still exports with its metrics. */
static int
s_test_hostile_metric_names (void)
{
    uint64_t id;
    zsock_t *worker;
    proto_msg_t *msg;
    BSW_CHECK (s_worker_fixture (2, "hostile-worker/0", &id, &worker, &msg) == BSW_TEST_PASS);
    proto_msg_destroy (&msg);

    char long_name[5001];
    memset (long_name, 'M', 5000);
    long_name[5000] = '\0';
    const char *huge[1] = {long_name};
    s_send_named_result (worker, id, 0, huge, 1);
    msg = s_worker_recv (worker);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_ERROR, "5000-byte name not refused");
    BSW_CHECK (strstr (proto_msg_str (msg, "text"), "exceeds the limit of 63 bytes"));
    proto_msg_destroy (&msg);
    long_name[200] = '\0';
    s_send_named_result (worker, id, 0, huge, 1);
    msg = s_worker_recv (worker);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_ERROR, "200-byte name not refused");
    proto_msg_destroy (&msg);
    const char *quoted[2] = {"GlobalVariance", "Sync\"hrony"};
    s_send_named_result (worker, id, 0, quoted, 2);
    msg = s_worker_recv (worker);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_ERROR, "a name with a quote not refused");
    BSW_CHECK (strstr (proto_msg_str (msg, "text"), "is not a name"));
    proto_msg_destroy (&msg);
    const char *nine[9] = {"m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"};
    s_send_named_result (worker, id, 1, nine, 9);
    msg = s_worker_recv (worker);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_ERROR, "nine metrics not refused");
    proto_msg_destroy (&msg);
    if (s_list_works ())
        return BSW_TEST_FAIL;

    const char *names[2] = {"GlobalVariance", "VarianceNodeVariance"};
    for (uint64_t point = 0; point < 2; point++) {
        s_send_named_result (worker, id, point, names, 2);
        msg = s_worker_recv (worker);
        BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_ACK, "good result %d not ACKed",
                       (int) point);
        proto_msg_destroy (&msg);
    }
    size_t size = 0;
    void *bytes = s_fetch_zip (id, &size, NULL);
    BSW_CHECK_MSG (bytes, "the sweep does not export");
    zip_t *zip = s_zip_open (bytes, size);
    BSW_CHECK (zip);
    zip_stat_t st;
    BSW_CHECK (zip_stat (zip, "metrics.csv", 0, &st) == 0);
    char csv[1024] = "";
    zip_file_t *file = zip_fopen (zip, "metrics.csv", 0);
    BSW_CHECK (file);
    zip_int64_t got = zip_fread (file, csv, sizeof csv - 1);
    zip_fclose (file);
    zip_discard (zip);
    free (bytes);
    BSW_CHECK (got > 0);
    csv[got] = '\0';
    BSW_CHECK_MSG (strstr (csv, "\n0,0.0,ok,0.25,,,0.5\n1,1.0,ok,0.25,,,0.5\n"), "metrics.csv: %s",
                   csv);
    zsock_destroy (&worker);
    return BSW_TEST_PASS;
}

/*  A RESULT of `count` points, statuses given, each ok point with a series
    of sizes[k] bytes of `fill` (or, when deflate, its S_SERIES values
    shuffled and deflated). */
static void
s_send_batch (zsock_t *worker, uint64_t sweep, const uint64_t *points, const char **statuses,
              const size_t *sizes, size_t count, bool deflate)
{
    proto_msg_t *msg = proto_msg_new (PROTO_RESULT);
    proto_msg_set_uint (msg, "sweep", sweep);
    proto_msg_set_uints (msg, "points", points, count);
    proto_msg_set_strs (msg, "statuses", statuses, count);
    const char *names[] = {"GlobalVariance"};
    double values[8];
    uint64_t wire_sizes[8];
    uint8_t *blob = NULL;
    size_t total = 0;
    for (size_t k = 0; k < count; k++) {
        values[k] = 0.5 + (double) k;
        void *bytes = NULL;
        size_t size = sizes[k];
        if (deflate && size) {
            static double zeros[S_SERIES];
            store_series_encode (zeros, S_SERIES, 6, &bytes, &size, NULL);
        } else if (size)
            bytes = bsw_calloc (size, 1);
        blob = bsw_realloc (blob, total + size + 1);
        if (size)
            memcpy (blob + total, bytes, size);
        free (bytes);
        wire_sizes[k] = size;
        total += size;
    }
    proto_msg_set_strs (msg, "metric_names", names, 1);
    proto_msg_set_f64s (msg, "metric_values", values, count);
    if (total) {
        void *data = blob;
        uint64_t shape[1] = {total};
        proto_msg_set_str (msg, "encoding", deflate ? "f8-shuffle-deflate" : "f8");
        proto_msg_set_uints (msg, "series_sizes", wire_sizes, count);
        proto_msg_set_blob (msg, "series", "u1", shape, 1, &data, total);
    } else
        free (blob);
    proto_msg_send (&msg, worker);
}

/*  Points of a RESULT are checked one by one: a series of the wrong size
    is refused (an ERROR naming it; the point is acknowledged, so the worker
    drops it, and runs again), the good point beside it is stored, and the
    point's second try, deflated, is taken: one sweep of both encodings,
    which exports. */
static int
s_test_refused_points (void)
{
    uint64_t id;
    zsock_t *worker;
    proto_msg_t *msg;
    BSW_CHECK (s_worker_fixture (2, "checked-worker/0", &id, &worker, &msg) == BSW_TEST_PASS);
    size_t count = 0;
    const uint64_t *leased = proto_msg_uints (msg, "points", &count);
    BSW_CHECK_INT (count, 2);
    uint64_t points[2] = {leased[0], leased[1]};
    proto_msg_destroy (&msg);
    const char *oks[] = {"ok", "ok"};
    const size_t sizes[] = {S_SERIES * 8, S_SERIES * 8 - 8};
    s_send_batch (worker, id, points, oks, sizes, 2, false);
    msg = s_worker_recv (worker);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_ERROR, "a short series not refused");
    BSW_CHECK_INT (proto_msg_int (msg, "code"), BSW_EPROTO);
    BSW_CHECK_MSG (strstr (proto_msg_str (msg, "text"), "a series of 3032 bytes where the "
                                                        "sweep's 380 values take 3040"),
                   "%s", proto_msg_str (msg, "text"));
    BSW_CHECK (strstr (proto_msg_str (msg, "text"), "1 of 2 points refused"));
    proto_msg_destroy (&msg);
    msg = s_worker_recv (worker);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_ACK, "no ACK");
    proto_msg_uints (msg, "points", &count);
    BSW_CHECK_INT (count, 2);
    proto_msg_destroy (&msg);
    //  The refused point runs again: the worker gets it back.
    msg = proto_msg_new (PROTO_CREDIT);
    proto_msg_set_uint (msg, "credit", 1);
    proto_msg_send (&msg, worker);
    msg = s_worker_recv (worker);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_WORK,
                   "the refused point did not come back");
    BSW_CHECK_INT (proto_msg_uints (msg, "points", &count)[0], points[1]);
    proto_msg_destroy (&msg);
    const size_t deflated[] = {1};
    s_send_batch (worker, id, &points[1], oks, deflated, 1, true);
    msg = s_worker_recv (worker);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_ACK, "a deflated series not taken");
    proto_msg_destroy (&msg);
    msg = proto_msg_new (PROTO_STATUS);
    proto_msg_set_uint (msg, "sweep", id);
    proto_msg_send (&msg, s_client);
    proto_msg_t *reply = s_reply ();
    BSW_CHECK (reply && proto_msg_type (reply) == PROTO_SWEEP_STATUS);
    BSW_CHECK_STR (proto_msg_str (reply, "state"), "finished");
    BSW_CHECK_INT (proto_msg_uint (reply, "done"), 2);
    proto_msg_destroy (&reply);
    size_t size = 0;
    void *bytes = s_fetch_zip (id, &size, 0);
    BSW_CHECK_MSG (bytes, "the sweep does not export");
    zip_t *zip = s_zip_open (bytes, size);
    BSW_CHECK (zip);
    //  Two simulation folders with their series: one stored raw, one
    //  deflated (its file compressed inside, so larger than nothing).
    int series = 0;
    for (zip_int64_t i = 0; i < zip_get_num_entries (zip, 0); i++)
        series += strstr (zip_get_name (zip, (zip_uint64_t) i, 0), "/TimeSeriesRegion_") != NULL;
    BSW_CHECK_INT (series, 2);
    zip_discard (zip);
    free (bytes);
    zsock_destroy (&worker);
    return BSW_TEST_PASS;
}

/*  A RESULT and then a second HELLO from the same peer, read in one drain
    before the group commit: the HELLO replaces (frees) the worker the
    RESULT came from, and the commit still has the sender's name (it read
    freed memory, which broker_requests_asan_test reports). The broker
    ACKs the result and keeps serving. */
static int
s_test_result_then_hello (void)
{
    uint64_t id;
    zsock_t *worker;
    proto_msg_t *msg;
    BSW_CHECK (s_worker_fixture (2, "rehello-worker/0", &id, &worker, &msg) == BSW_TEST_PASS);
    size_t count = 0;
    const uint64_t *leased = proto_msg_uints (msg, "points", &count);
    uint64_t points[2] = {leased[0], leased[1]};
    proto_msg_destroy (&msg);
    const char *oks[] = {"ok", "ok"};
    const size_t sizes[] = {S_SERIES * 8, S_SERIES * 8};
    s_send_batch (worker, id, points, oks, sizes, 2, false);
    msg = proto_msg_new (PROTO_HELLO);
    proto_msg_set_str (msg, "worker", "rehello-worker/1");
    proto_msg_set_uint (msg, "threads", 1);
    proto_msg_send (&msg, worker);
    bool acked = false;
    for (int k = 0; k < 4 && !acked && (msg = s_worker_recv (worker)); k++) {
        acked = proto_msg_type (msg) == PROTO_ACK;
        proto_msg_destroy (&msg);
    }
    BSW_CHECK_MSG (acked, "no ACK for the RESULT before the second HELLO");
    zsock_destroy (&worker);
    return s_list_works ();
}

/*  A download is all of one export: chunks name their export, a FETCH at
    another offset ends it (an error), one of an export that is gone is an
    error, and a new download from 0 is a new export with the same bytes. */
static int
s_test_fetch_one_export (void)
{
    uint64_t id;
    zsock_t *worker;
    proto_msg_t *msg;
    BSW_CHECK (s_worker_fixture (2, "fetched-worker/0", &id, &worker, &msg) == BSW_TEST_PASS);
    size_t count = 0;
    const uint64_t *leased = proto_msg_uints (msg, "points", &count);
    uint64_t points[2] = {leased[0], leased[1]};
    proto_msg_destroy (&msg);
    const char *oks[] = {"ok", "failed"};
    const size_t sizes[] = {S_SERIES * 8, 0};
    s_send_batch (worker, id, points, oks, sizes, 2, false);
    msg = s_worker_recv (worker);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_ACK, "no ACK");
    proto_msg_destroy (&msg);
    zsock_destroy (&worker);

    //  The first chunk of a download in chunks of 1000 bytes.
    msg = proto_msg_new (PROTO_FETCH);
    proto_msg_set_uint (msg, "sweep", id);
    proto_msg_set_uint (msg, "offset", 0);
    proto_msg_set_uint (msg, "max", 1000);
    proto_msg_send (&msg, s_client);
    proto_msg_t *reply = s_reply ();
    BSW_CHECK (reply && proto_msg_type (reply) == PROTO_CHUNK);
    uint64_t export = proto_msg_uint (reply, "export");
    size_t got = 0;
    proto_msg_blob (reply, "data", &got, NULL, NULL, NULL);
    BSW_CHECK_INT (got, 1000);
    BSW_CHECK (!proto_msg_bool (reply, "last"));
    proto_msg_destroy (&reply);
    //  Asked at another offset: an error, and the export is over.
    msg = proto_msg_new (PROTO_FETCH);
    proto_msg_set_uint (msg, "sweep", id);
    proto_msg_set_uint (msg, "offset", 500);
    proto_msg_set_uint (msg, "export", export);
    proto_msg_send (&msg, s_client);
    if (s_expect_error (BSW_ESTATE, "is at byte 1000, not 500: fetch again from offset 0"))
        return BSW_TEST_FAIL;
    msg = proto_msg_new (PROTO_FETCH);
    proto_msg_set_uint (msg, "sweep", id);
    proto_msg_set_uint (msg, "offset", 1000);
    proto_msg_set_uint (msg, "export", export);
    proto_msg_send (&msg, s_client);
    if (s_expect_error (BSW_ENOTFOUND, "is gone"))
        return BSW_TEST_FAIL;
    //  Two whole downloads: two exports, the same zip.
    size_t size_a = 0, size_b = 0;
    uint64_t export_a = 0, export_b = 0;
    uint8_t *a = s_fetch_zip (id, &size_a, &export_a), *b = s_fetch_zip (id, &size_b, &export_b);
    BSW_CHECK (a && b);
    BSW_CHECK (export_a != export && export_b != export_a);
    //  The same files, of the same sizes: all but the SVG plot, whose
    //  element ids cairo counts up within a process.
    zip_t *za = s_zip_open (a, size_a), *zb = s_zip_open (b, size_b);
    BSW_CHECK (za && zb);
    zip_int64_t entries = zip_get_num_entries (za, 0);
    BSW_CHECK_INT (zip_get_num_entries (zb, 0), entries);
    for (zip_int64_t i = 0; i < entries; i++) {
        zip_stat_t sa, sb;
        BSW_CHECK (zip_stat_index (za, (zip_uint64_t) i, 0, &sa) == 0);
        BSW_CHECK (zip_stat_index (zb, (zip_uint64_t) i, 0, &sb) == 0);
        BSW_CHECK_STR (sa.name, sb.name);
        if (!strstr (sa.name, ".svg"))
            BSW_CHECK_MSG (sa.size == sb.size, "%s: %" PRIu64 " and %" PRIu64 " bytes", sa.name,
                           (uint64_t) sa.size, (uint64_t) sb.size);
    }
    zip_discard (za);
    zip_discard (zb);
    free (a);
    free (b);
    return BSW_TEST_PASS;
}

/*  A SUBMIT without a `name` takes the spec's: LIST shows it (it was read
    after the spec was freed once). */
static int
s_test_submit_name_from_spec (void)
{
    proto_msg_t *submit = proto_msg_new (PROTO_SUBMIT);
    proto_msg_set_str (submit, "spec",
                       "{\"name\": \"named in the spec\", \"simulation_length\": 5, \"ranges\": "
                       "[{\"parameter\": \"model.a\", \"values\": [1, 2]}]}");
    proto_msg_send (&submit, s_client);
    proto_msg_t *reply = s_reply ();
    BSW_CHECK (reply && proto_msg_type (reply) == PROTO_SUBMITTED);
    uint64_t id = proto_msg_uint (reply, "sweep");
    proto_msg_destroy (&reply);
    proto_msg_t *list = proto_msg_new (PROTO_LIST);
    proto_msg_send (&list, s_client);
    reply = s_reply ();
    BSW_CHECK (reply && proto_msg_type (reply) == PROTO_SWEEPS);
    size_t count = 0;
    const uint64_t *ids = proto_msg_uints (reply, "ids", &count);
    bool found = false;
    for (size_t k = 0; k < count; k++)
        if (ids[k] == id) {
            BSW_CHECK_STR (proto_msg_strs_at (reply, "names", k), "named in the spec");
            found = true;
        }
    BSW_CHECK (found);
    proto_msg_destroy (&reply);
    return s_cancel_or_retry (PROTO_CANCEL, id);
}

/*  STATS through `client`: the BROKER_STATS reply, or NULL. */
static proto_msg_t *
s_stats_on (zsock_t *client)
{
    proto_msg_t *msg = proto_msg_new (PROTO_STATS);
    proto_msg_set_uint (msg, "req", 41);
    proto_msg_send (&msg, client);
    proto_msg_t *reply = s_recv_on (client);
    if (reply &&
        (proto_msg_type (reply) != PROTO_BROKER_STATS || proto_msg_uint (reply, "req") != 41))
        proto_msg_destroy (&reply);
    return reply;
}

/*  How many ERROR replies of `code` a BROKER_STATS counts (0 if none). */
static uint64_t
s_error_count (const proto_msg_t *stats, int code)
{
    size_t n = 0;
    const int64_t *codes = proto_msg_ints (stats, "error_codes", &n);
    const uint64_t *counts = proto_msg_uints (stats, "error_counts", NULL);
    for (size_t k = 0; k < n; k++)
        if (codes[k] == code)
            return counts[k];
    return 0;
}

/*  Each refused message counts under its code: one that cannot be decoded
    (PROTO, refused before any handler), a wrong version (VERSION), a
    request for a missing sweep (NOTFOUND); what was not refused does not
    count. */
static int
s_test_stats_errors (void)
{
    proto_msg_t *before = s_stats_on (s_client);
    BSW_CHECK_MSG (before, "no BROKER_STATS");
    BSW_CHECK_STR (proto_msg_str (before, "version"), BSW_VERSION_STRING);
    BSW_CHECK (proto_msg_f64 (before, "uptime_s") >= 0.0);
    s_send_raw ("garbage", 7);
    if (s_expect_error (BSW_EPROTO, ""))
        return BSW_TEST_FAIL;
    s_send_raw ("garbage", 7);
    if (s_expect_error (BSW_EPROTO, ""))
        return BSW_TEST_FAIL;
    s_send_header ("BSW", PROTO_VERSION + 1, PROTO_LIST);
    if (s_expect_error (BSW_EVERSION, "version 4"))
        return BSW_TEST_FAIL;
    proto_msg_t *msg = proto_msg_new (PROTO_STATUS);
    proto_msg_set_uint (msg, "sweep", 4242);
    proto_msg_send (&msg, s_client);
    if (s_expect_error (BSW_ENOTFOUND, "4242"))
        return BSW_TEST_FAIL;
    if (s_list_works ())
        return BSW_TEST_FAIL;
    proto_msg_t *after = s_stats_on (s_client);
    BSW_CHECK_MSG (after, "no BROKER_STATS");
    BSW_CHECK_INT (s_error_count (after, BSW_EPROTO), s_error_count (before, BSW_EPROTO) + 2);
    BSW_CHECK_INT (s_error_count (after, BSW_EVERSION), s_error_count (before, BSW_EVERSION) + 1);
    BSW_CHECK_INT (s_error_count (after, BSW_ENOTFOUND), s_error_count (before, BSW_ENOTFOUND) + 1);
    BSW_CHECK_INT (s_error_count (after, BSW_ESPEC), s_error_count (before, BSW_ESPEC));
    //  Only codes that were sent are listed, each once.
    size_t n = 0;
    const int64_t *codes = proto_msg_ints (after, "error_codes", &n);
    const uint64_t *counts = proto_msg_uints (after, "error_counts", NULL);
    for (size_t k = 0; k < n; k++) {
        BSW_CHECK (codes[k] < 0 && counts[k] > 0);
        for (size_t j = 0; j < k; j++)
            BSW_CHECK (codes[j] != codes[k]);
    }
    proto_msg_destroy (&before);
    proto_msg_destroy (&after);
    return BSW_TEST_PASS;
}

/*  STATS on fx's broker, polled (every 20 ms, 30 s at most) until
    `field` reaches `value`; the reply, or NULL. */
static proto_msg_t *
s_stats_when (s_fixture_t *fx, const char *field, uint64_t value)
{
    int64_t deadline = bsw_clock_mono_ms () + 30000;
    while (bsw_clock_mono_ms () < deadline) {
        proto_msg_t *stats = s_stats_on (fx->client);
        if (!stats || proto_msg_uint (stats, field) >= value)
            return stats;
        proto_msg_destroy (&stats);
        zclock_sleep (20);
    }
    fprintf (stderr, "STATS: %s did not reach %llu within 30 s\n", field,
             (unsigned long long) value);
    return NULL;
}

/*  Workers on a broker of its own with 100 ms heartbeats (silent after
    300 ms): one sends a result twice (one committed, one duplicate) and
    falls silent holding a point, which is requeued, and is counted lost;
    another takes that point, hands it back with BYE and is counted as
    having left, not lost. */
static int
s_test_stats_workers (void)
{
    s_fixture_t fx;
    BSW_CHECK (s_fixture_start (&fx, 100));
    uint64_t id = s_submit_on (fx.client, 3);
    BSW_CHECK (id);
    proto_msg_t *msg = NULL;

    //  The silent worker: two points; one result, sent twice, then nothing.
    //  Its result goes out right after its WORK, so it is on time whatever
    //  the machine's load (and results count from anyone anyway).
    zsock_t *silent = s_worker_start_at (fx.endpoint, "silent/0", 2);
    BSW_CHECK (silent);
    msg = s_worker_recv (silent);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_WORK, "no WORK");
    size_t count = 0;
    const uint64_t *points = proto_msg_uints (msg, "points", &count);
    BSW_CHECK_INT (count, 2);
    uint64_t finished = points[0], held = points[1];
    proto_msg_destroy (&msg);
    s_send_failed_result (silent, id, finished);
    s_send_failed_result (silent, id, finished);
    for (int k = 0; k < 2; k++) {
        msg = s_worker_recv (silent);
        BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_ACK, "result %d not ACKed", k);
        proto_msg_destroy (&msg);
    }
    proto_msg_t *stats = s_stats_when (&fx, "workers_lost", 1);
    BSW_CHECK (stats);
    BSW_CHECK_INT (proto_msg_uint (stats, "workers_joined"), 1);
    BSW_CHECK_INT (proto_msg_uint (stats, "workers_lost"), 1);
    BSW_CHECK_INT (proto_msg_uint (stats, "workers_left"), 0);
    BSW_CHECK_INT (proto_msg_uint (stats, "workers"), 0);
    BSW_CHECK_INT (proto_msg_uint (stats, "points_requeued"), 1);
    BSW_CHECK_INT (proto_msg_uint (stats, "points_running"), 0);
    BSW_CHECK_INT (proto_msg_uint (stats, "results_committed"), 1);
    BSW_CHECK_INT (proto_msg_uint (stats, "results_duplicate"), 1);
    BSW_CHECK_INT (proto_msg_uint (stats, "sweeps_running"), 1);
    proto_msg_destroy (&stats);
    zsock_destroy (&silent);

    //  The leaving worker gets the requeued point first, and hands it back.
    zsock_t *leaving = s_worker_start_at (fx.endpoint, "leaving/0", 1);
    BSW_CHECK (leaving);
    msg = s_worker_recv (leaving);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_WORK, "no WORK");
    points = proto_msg_uints (msg, "points", &count);
    BSW_CHECK_INT (count, 1);
    BSW_CHECK_INT (points[0], held);
    proto_msg_destroy (&msg);
    msg = proto_msg_new (PROTO_BYE);
    const uint64_t sweeps[1] = {id}, back[1] = {held};
    proto_msg_set_uints (msg, "sweeps", sweeps, 1);
    proto_msg_set_uints (msg, "points", back, 1);
    proto_msg_send (&msg, leaving);
    stats = s_stats_when (&fx, "workers_left", 1);
    BSW_CHECK (stats);
    BSW_CHECK_INT (proto_msg_uint (stats, "workers_joined"), 2);
    BSW_CHECK_INT (proto_msg_uint (stats, "workers_lost"), 1);
    BSW_CHECK_INT (proto_msg_uint (stats, "workers_left"), 1);
    BSW_CHECK_INT (proto_msg_uint (stats, "points_requeued"), 2);
    BSW_CHECK_INT (proto_msg_uint (stats, "points_running"), 0);
    proto_msg_destroy (&stats);
    zsock_destroy (&leaving);
    s_fixture_stop (&fx);
    return BSW_TEST_PASS;
}

/*  Destroys a broker actor on a thread of its own, so a broker that does
    not stop cannot hang the test. */
typedef struct {
    zactor_t *broker;
    atomic_bool stopped;
} s_stopper_t;

static void *
s_stopper (void *arg)
{
    s_stopper_t *st = arg;
    zactor_destroy (&st->broker);
    atomic_store (&st->stopped, true);
    return NULL;
}

/*  SIGINT or SIGTERM (CZMQ's handler sets zsys_interrupted) while an
    export follows a running sweep: the broker still stops. The export's
    actor polled its pipe with a poller that returns at once once
    zsys_interrupted is set, so it never read $TERM: the broker spun on a
    core and never exited. */
static int
s_test_stop_while_following (void)
{
    s_fixture_t fx;
    BSW_CHECK (s_fixture_start (&fx, 0));
    uint64_t id = s_submit_on (fx.client, 2);
    BSW_CHECK (id);
    proto_msg_t *msg = NULL;
    //  No worker: the sweep runs on, and its export follows it. A first
    //  CHUNK (a part of the zip, or empty after the keepalive) says the
    //  export's actor is there.
    msg = proto_msg_new (PROTO_FETCH);
    proto_msg_set_uint (msg, "sweep", id);
    proto_msg_set_uint (msg, "offset", 0);
    proto_msg_send (&msg, fx.client);
    msg = s_recv_on (fx.client);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_CHUNK, "no CHUNK");
    BSW_CHECK (!proto_msg_bool (msg, "last"));
    uint64_t export = proto_msg_uint (msg, "export");
    size_t got = 0;
    if (proto_msg_has (msg, "data"))
        proto_msg_blob (msg, "data", &got, NULL, NULL, NULL);
    proto_msg_destroy (&msg);
    //  Asked for the next chunk, the actor goes back to watching the sweep
    //  (the broker's MORE is in its pipe before any $TERM); nothing comes,
    //  so the broker answers with an empty chunk after its keepalive.
    msg = proto_msg_new (PROTO_FETCH);
    proto_msg_set_uint (msg, "sweep", id);
    proto_msg_set_uint (msg, "offset", got);
    proto_msg_set_uint (msg, "export", export);
    proto_msg_send (&msg, fx.client);
    msg = s_recv_on (fx.client);
    BSW_CHECK_MSG (msg && proto_msg_type (msg) == PROTO_CHUNK, "no second CHUNK");
    proto_msg_destroy (&msg);

    s_stopper_t st = {.broker = fx.broker};
    fx.broker = NULL;
    atomic_init (&st.stopped, false);
    zsys_interrupted = 1;
    pthread_t thread;
    BSW_CHECK (pthread_create (&thread, NULL, s_stopper, &st) == 0);
    for (int k = 0; k < 200 && !atomic_load (&st.stopped); k++)
        usleep (50 * 1000);
    bool stopped = atomic_load (&st.stopped);
    zsys_interrupted = 0;
    //  A broker that did not stop is left to the process's exit.
    BSW_CHECK_MSG (stopped, "the broker did not stop within 10 s of the interrupt");
    pthread_join (thread, NULL);
    s_fixture_stop (&fx);
    return BSW_TEST_PASS;
}

/*  STATS' count of `name`. */
static uint64_t
s_stat (const char *name)
{
    proto_msg_t *msg = proto_msg_new (PROTO_STATS);
    proto_msg_send (&msg, s_client);
    proto_msg_t *reply = s_reply ();
    uint64_t value = reply && proto_msg_type (reply) == PROTO_BROKER_STATS
                         ? proto_msg_uint (reply, name)
                         : UINT64_MAX;
    proto_msg_destroy (&reply);
    return value;
}

/*  The sweep's points with a result (done + failed) as STATUS gives them. */
static uint64_t
s_result_count (uint64_t id)
{
    proto_msg_t *msg = proto_msg_new (PROTO_STATUS);
    proto_msg_set_uint (msg, "sweep", id);
    proto_msg_send (&msg, s_client);
    proto_msg_t *reply = s_reply ();
    uint64_t done = reply && proto_msg_type (reply) == PROTO_SWEEP_STATUS
                        ? proto_msg_uint (reply, "done") + proto_msg_uint (reply, "failed")
                        : UINT64_MAX;
    proto_msg_destroy (&reply);
    return done;
}

/*  A result for a point leased to another session (and one for a point
    leased to nobody) is acknowledged and not stored; the lease holder's
    result then is. Before leases were checked, the forgery was stored and
    the real result dropped as a duplicate. */
static int
s_test_forged_result (void)
{
    uint64_t id;
    zsock_t *holder;
    proto_msg_t *work;
    BSW_CHECK (s_worker_fixture (4, "honest/0", &id, &holder, &work) == BSW_TEST_PASS);
    size_t count = 0;
    const uint64_t *points = proto_msg_uints (work, "points", &count);
    BSW_CHECK_INT (count, 2);
    uint64_t leased = points[0];
    proto_msg_destroy (&work);
    uint64_t unleased_before = s_stat ("results_unleased");
    //  A forger with a session of its own but no credit: it holds nothing.
    zsock_t *forger = s_worker_start ("forger/0", 0);
    BSW_CHECK (forger);
    s_send_failed_result (forger, id, leased);
    proto_msg_t *ack = s_worker_recv (forger);
    BSW_CHECK_MSG (ack && proto_msg_type (ack) == PROTO_ACK,
                   "forged result not acknowledged: %s %s",
                   ack ? proto_type_name (proto_msg_type (ack)) : "nothing",
                   ack && proto_msg_type (ack) == PROTO_ERROR ? proto_msg_str (ack, "text") : "");
    proto_msg_destroy (&ack);
    //  Point 3 is leased to no one (the holder asked for 2 of 4).
    s_send_failed_result (forger, id, 3);
    ack = s_worker_recv (forger);
    BSW_CHECK_MSG (ack && proto_msg_type (ack) == PROTO_ACK, "forged result not acknowledged");
    proto_msg_destroy (&ack);
    BSW_CHECK_INT (s_result_count (id), 0);
    BSW_CHECK_INT (s_stat ("results_unleased"), unleased_before + 2);
    //  The holder's own result is stored.
    s_send_failed_result (holder, id, leased);
    ack = s_worker_recv (holder);
    BSW_CHECK_MSG (ack && proto_msg_type (ack) == PROTO_ACK,
                   "the holder's result not acknowledged");
    proto_msg_destroy (&ack);
    BSW_CHECK_INT (s_result_count (id), 1);
    zsock_destroy (&forger);
    zsock_destroy (&holder);
    return s_cancel_or_retry (PROTO_CANCEL, id);
}

/*  A session that asks for far more than it could run (65,536 points,
    one thread) gets at most its cap: before, one fake worker took every
    point of a sweep, with its spec and connectivity. */
static int
s_test_credit_capped (void)
{
    uint64_t id;
    zsock_t *worker;
    proto_msg_t *work;
    BSW_CHECK (s_worker_fixture (4, "greedy/0", &id, &worker, &work) == BSW_TEST_PASS);
    proto_msg_destroy (&work);
    //  The fixture's sweep has 4 points; three more of 1000 (this broker's
    //  most) give the greedy session more to take than its cap.
    uint64_t big[3];
    for (int k = 0; k < 3; k++) {
        proto_msg_t *msg = proto_msg_new (PROTO_SUBMIT);
        proto_msg_set_str (msg, "spec",
                           "{\"simulation_length\": 5, \"ranges\": [{\"parameter\": \"model.a\", "
                           "\"lo\": 0, \"hi\": 1, \"step\": 0.001}]}");
        proto_msg_send (&msg, s_client);
        proto_msg_t *reply = s_reply ();
        BSW_CHECK_MSG (reply && proto_msg_type (reply) == PROTO_SUBMITTED, "%s",
                       reply && proto_msg_type (reply) == PROTO_ERROR
                           ? proto_msg_str (reply, "text")
                           : "no reply");
        big[k] = proto_msg_uint (reply, "sweep");
        BSW_CHECK_INT (proto_msg_uint (reply, "points"), 1000);
        proto_msg_destroy (&reply);
    }
    proto_msg_t *msg;
    msg = proto_msg_new (PROTO_CREDIT);
    proto_msg_set_uint (msg, "credit", 65536);
    proto_msg_send (&msg, worker);
    //  One dispatch answers the CREDIT: its WORKs come together. Once they
    //  add up to the cap, a STATS asked now is answered after that
    //  dispatch, so its points_running says whether it gave any more.
    size_t taken = 2;
    while (taken < 2048 && (msg = s_worker_recv (worker))) {
        BSW_CHECK_MSG (proto_msg_type (msg) == PROTO_WORK, "%s, not WORK",
                       proto_type_name (proto_msg_type (msg)));
        size_t n = 0;
        proto_msg_uints (msg, "points", &n);
        taken += n;
        proto_msg_destroy (&msg);
    }
    BSW_CHECK_INT (s_stat ("points_running"), 2048);
    BSW_CHECK_INT (taken, 2048);
    zsock_destroy (&worker);
    for (int k = 0; k < 3; k++)
        if (s_cancel_or_retry (PROTO_CANCEL, big[k]))
            return BSW_TEST_FAIL;
    return s_cancel_or_retry (PROTO_CANCEL, id);
}

/*  Which endpoints a broker without keys may bind: only those nothing off
    this machine can reach. */
static int
s_test_endpoint_is_local (void)
{
    const char *local[] = {"tcp://127.0.0.1:5555", "tcp://127.9.8.7:*", "tcp://localhost:1",
                           "tcp://[::1]:5555",     "tcp://lo:5555",     "ipc:///tmp/b.sock",
                           "inproc://broker"};
    const char *remote[] = {"tcp://*:5555",        "tcp://0.0.0.0:5555",
                            "tcp://[::]:5555",     "tcp://10.0.0.5:1",
                            "tcp://eth0:5555",     "tcp://128.0.0.1:1",
                            "tcp://127.0.0.1.5:1", "udp://127.0.0.1:1",
                            "tcp://:5555",         "tcp://localhost.evil.example:1"};
    for (size_t k = 0; k < sizeof local / sizeof *local; k++)
        BSW_CHECK_MSG (broker_endpoint_is_local (local[k]), "%s", local[k]);
    for (size_t k = 0; k < sizeof remote / sizeof *remote; k++)
        BSW_CHECK_MSG (!broker_endpoint_is_local (remote[k]), "%s", remote[k]);
    BSW_CHECK (!broker_endpoint_is_local (NULL));
    return BSW_TEST_PASS;
}

/*  LIST is bounded whatever the number of sweeps: the newest `limit`, and
    how many older ones it left out. */
static int
s_test_list_bounded (void)
{
    uint64_t a = s_submit (1), b = s_submit (1), c = s_submit (1);
    BSW_CHECK (a && b > a && c > b);
    proto_msg_t *msg = proto_msg_new (PROTO_LIST);
    proto_msg_set_uint (msg, "limit", 2);
    proto_msg_send (&msg, s_client);
    proto_msg_t *reply = s_reply ();
    BSW_CHECK (reply && proto_msg_type (reply) == PROTO_SWEEPS);
    size_t count = 0;
    const uint64_t *ids = proto_msg_uints (reply, "ids", &count);
    BSW_CHECK_INT (count, 2);
    BSW_CHECK_INT (ids[0], b);
    BSW_CHECK_INT (ids[1], c);
    BSW_CHECK (proto_msg_has (reply, "more") && proto_msg_uint (reply, "more") >= 1);
    uint64_t older = proto_msg_uint (reply, "more");
    proto_msg_destroy (&reply);
    //  Without a limit: every sweep (fewer than PROTO_MAX_LIST here), none left out.
    msg = proto_msg_new (PROTO_LIST);
    proto_msg_send (&msg, s_client);
    reply = s_reply ();
    BSW_CHECK (reply && proto_msg_type (reply) == PROTO_SWEEPS);
    proto_msg_uints (reply, "ids", &count);
    BSW_CHECK_INT (count, older + 2);
    BSW_CHECK (!proto_msg_has (reply, "more"));
    proto_msg_destroy (&reply);
    //  A limit beyond the cap is a malformed request.
    msg = proto_msg_new (PROTO_LIST);
    proto_msg_set_uint (msg, "limit", PROTO_MAX_LIST + 1);
    proto_msg_send (&msg, s_client);
    return s_expect_error (BSW_EPROTO, "limit");
}

/*  A failed point's error text, as a broken or hostile worker sends it,
    is escaped before the broker logs or stores it. */
static int
s_test_result_error_escaped (void)
{
    proto_msg_t *msg = proto_msg_new (PROTO_RESULT);
    proto_msg_set_uint (msg, "sweep", 1);
    const uint64_t points[] = {0, 1};
    const char *statuses[] = {"failed", "failed"};
    const char *errors[] = {"diverged\nI: (brainsweep-broker) forged line\x1b[2J", ""};
    proto_msg_set_uints (msg, "points", points, 2);
    proto_msg_set_strs (msg, "statuses", statuses, 2);
    proto_msg_set_strs (msg, "errors", errors, 2);
    uint8_t verdict[2] = {BROKER_RESULT_NEW, BROKER_RESULT_NEW};
    broker_result_t out[2];
    char *texts[2] = {NULL, NULL};
    BSW_CHECK_INT (broker_results_rows (msg, verdict, "w", out, texts), 2);
    BSW_CHECK_STR (out[0].error, "diverged\\nI: (brainsweep-broker) forged line\\x1b[2J");
    BSW_CHECK_STR (out[1].error, "failed");
    for (size_t k = 0; k < 2; k++)
        free (texts[k]);
    proto_msg_destroy (&msg);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"submit_and_status", s_test_submit_and_status},
                                          {"malformed_frames", s_test_malformed_frames},
                                          {"wrong_requests", s_test_wrong_requests},
                                          {"hostile_submissions", s_test_hostile_submissions},
                                          {"list_bounded", s_test_list_bounded},
                                          {"result_error_escaped", s_test_result_error_escaped},
                                          {"cancel_ends_leases", s_test_cancel_ends_leases},
                                          {"hostile_metric_names", s_test_hostile_metric_names},
                                          {"submit_name_from_spec", s_test_submit_name_from_spec},
                                          {"stats_errors", s_test_stats_errors},
                                          {"stats_workers", s_test_stats_workers},
                                          {"refused_points", s_test_refused_points},
                                          {"fetch_one_export", s_test_fetch_one_export},
                                          {"result_then_hello", s_test_result_then_hello},
                                          {"forged_result", s_test_forged_result},
                                          {"credit_capped", s_test_credit_capped},
                                          {"endpoint_is_local", s_test_endpoint_is_local},
                                          //  Last: a broker that fails to stop is left running.
                                          {"stop_while_following", s_test_stop_while_following},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    zsys_set_logstream (NULL);
    if (!s_fixture_start (&s_main, 0)) {
        s_fixture_stop (&s_main);
        return 1;
    }
    int rc = bsw_test_main (argc, argv, s_cases);
    s_fixture_stop (&s_main);
    return rc;
}
