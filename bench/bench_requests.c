/*  bench_requests.c - the broker's answers, timed from one client process
    (bench/run.sh), so that neither a process start per request nor its CPU
    falls on the figures.

    usage: bench_requests time ENDPOINT SWEEP [COUNT]
      sends COUNT (default 20) STATUS and then COUNT LIST requests, one at a
      time, and prints "STATUS median_ms max_ms", "LIST median_ms max_ms"
      and "STATE state" (the sweep's, from the last STATUS);
    usage: bench_requests wait ENDPOINT SWEEP [LIMIT_S]
      asks STATUS every 10 ms until the sweep is no longer running, then
      exits 0 (1 after LIMIT_S seconds, default 600): a cheap way to time a
      sweep to its end.
    Exit 1 if a request fails, 2 on bad usage. Nothing is asserted
    (STYLE.md 9). */
#include "client_conn.h"

#include "bsw_util.h"
#include "proto.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
s_compare (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

/*  Times COUNT requests of `type`; fills the median and largest, in ms. */
static int
s_time (client_conn_t *conn, proto_type_t type, proto_type_t reply_type, uint64_t sweep, int count,
        double *median, double *largest)
{
    double *ms = bsw_calloc ((size_t) count, sizeof *ms);
    for (int k = 0; k < count; k++) {
        proto_msg_t *request = proto_msg_new (type);
        if (type == PROTO_STATUS)
            proto_msg_set_uint (request, "sweep", sweep);
        proto_msg_t *reply = NULL;
        bsw_error_t err;
        double t0 = bsw_clock_mono_s ();
        if (client_conn_request (conn, &request, reply_type, &reply, &err)) {
            fprintf (stderr, "bench_requests: %s: %s\n", proto_type_name (type), err.text);
            free (ms);
            return 1;
        }
        ms[k] = 1000.0 * (bsw_clock_mono_s () - t0);
        proto_msg_destroy (&reply);
    }
    qsort (ms, (size_t) count, sizeof *ms, s_compare);
    *median = ms[count / 2];
    *largest = ms[count - 1];
    free (ms);
    return 0;
}

/*  Polls STATUS every 10 ms until the sweep has left "running". */
static int
s_wait (client_conn_t *conn, uint64_t sweep, double limit_s)
{
    double deadline = bsw_clock_mono_s () + limit_s;
    while (bsw_clock_mono_s () < deadline) {
        proto_msg_t *request = proto_msg_new (PROTO_STATUS), *reply = NULL;
        proto_msg_set_uint (request, "sweep", sweep);
        bsw_error_t err;
        if (client_conn_request (conn, &request, PROTO_SWEEP_STATUS, &reply, &err)) {
            fprintf (stderr, "bench_requests: STATUS: %s\n", err.text);
            return 1;
        }
        bool running = strcmp (proto_msg_str (reply, "state"), "running") == 0;
        proto_msg_destroy (&reply);
        if (!running)
            return 0;
        zclock_sleep (10);
    }
    fprintf (stderr, "bench_requests: sweep %" PRIu64 " still running after %.0f s\n", sweep,
             limit_s);
    return 1;
}

int
main (int argc, char **argv)
{
    bool timing = argc >= 4 && strcmp (argv[1], "time") == 0;
    bool waiting = argc >= 4 && strcmp (argv[1], "wait") == 0;
    if (!timing && !waiting) {
        fprintf (stderr, "usage: bench_requests time ENDPOINT SWEEP [COUNT]\n"
                         "       bench_requests wait ENDPOINT SWEEP [LIMIT_S]\n");
        return 2;
    }
    uint64_t sweep = strtoull (argv[3], NULL, 10);
    long arg = argc > 4 ? atol (argv[4]) : timing ? 20 : 600;
    if (arg < 1 || arg > 100000) {
        fprintf (stderr, "bench_requests: %s must be between 1 and 100000\n",
                 timing ? "COUNT" : "LIMIT_S");
        return 2;
    }
    //  Keys, when the broker wants them, from $BRAINSWEEP_BROKER_KEY and
    //  $BRAINSWEEP_KEY.
    proto_curve_keys_t keys = {0};
    bsw_error_t err;
    client_conn_t *conn = client_conn_new (argv[2], 10000, &keys, &err);
    if (!conn) {
        fprintf (stderr, "bench_requests: %s\n", err.text);
        return 2;
    }
    if (waiting) {
        int rc = s_wait (conn, sweep, (double) arg);
        client_conn_destroy (&conn);
        return rc;
    }
    int count = (int) arg;
    double median = 0, largest = 0;
    int rc = s_time (conn, PROTO_STATUS, PROTO_SWEEP_STATUS, sweep, count, &median, &largest);
    if (rc == 0)
        printf ("STATUS %.3f %.3f\n", median, largest);
    if (rc == 0)
        rc = s_time (conn, PROTO_LIST, PROTO_SWEEPS, 0, count, &median, &largest);
    if (rc == 0)
        printf ("LIST %.3f %.3f\n", median, largest);
    if (rc == 0) {
        proto_msg_t *request = proto_msg_new (PROTO_STATUS), *reply = NULL;
        proto_msg_set_uint (request, "sweep", sweep);
        rc = client_conn_request (conn, &request, PROTO_SWEEP_STATUS, &reply, &err);
        if (rc == 0)
            printf ("STATE %s\n", proto_msg_str (reply, "state"));
        proto_msg_destroy (&reply);
    }
    client_conn_destroy (&conn);
    return rc ? 1 : 0;
}
