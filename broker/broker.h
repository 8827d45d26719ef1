/*  broker.h - the brainsweep broker as a CZMQ actor.

    One ROUTER socket serves workers and clients (proto/PROTOCOL.md). The
    broker keeps the sweep queue and every sweep's results durably (SQLite
    in WAL mode; each sweep's series in one file, broker_store.h), dispatches
    points by credit, tracks workers by heartbeat and requeues the points
    of a worker that falls silent, stores a late or duplicate result once,
    and builds a sweep's TVB export zip in a background thread while it
    keeps serving.

    Commands on the actor pipe:
        "ENDPOINT"  replies with the endpoint it bound (useful with a
                    wildcard port such as tcp://127.0.0.1:*)
        "RELOAD"    reads the key folders again (SIGHUP), replies "OK" or
                    the error
        "$TERM"     (zactor_destroy) stops; nothing committed is lost, and
                    whatever was in flight is simply pending at next start.
    If the bind or the data folder fails, the actor logs why and stays
    alive until "$TERM", answering "ENDPOINT" with "" (an empty string):
    broker_start turns that into NULL. Callers of zactor_new (broker_actor)
    directly must check the same way.
*/
#ifndef BROKER_H_INCLUDED
#define BROKER_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const char *bind;     /* endpoint, e.g. "tcp://0.0.0.0:5555" */
    //  CurveZMQ (broker_auth.h): the broker's secret certificate and the
    //  folders of its peers' public ones; all NULL: no CURVE, which the
    //  broker accepts only on a loopback, ipc or inproc endpoint unless
    //  `insecure`.
    const char *key;           /* --key */
    const char *allow_workers; /* --allow-workers */
    const char *allow_clients; /* --allow-clients */
    const char *allow_admins;  /* --allow-admins */
    bool insecure;             /* --insecure: any endpoint without CURVE */
    const char *data_dir; /* durable state folder */
    int heartbeat_ms;     /* 0 = 1000 */
    uint64_t max_points;  /* points per sweep; 0 = BROKER_DEFAULT_MAX_POINTS */
    uint64_t max_message; /* bytes of one blob frame; 0 = BROKER_DEFAULT_MAX_MESSAGE */
} broker_config_t;

#define BROKER_DEFAULT_MAX_POINTS  10000000ULL    /* TVB: 2000 */
#define BROKER_DEFAULT_MAX_MESSAGE (512ULL << 20) /* one result or connectivity */

/*  The actor function: zactor_new (broker_actor, &config). */
void broker_actor (zsock_t *pipe, void *args);

/*  Starts a broker actor; returns NULL (and logs why) when it could not
    bind or open its data folder. */
zactor_t *broker_start (const broker_config_t *config);

/*  Whether a ZeroMQ endpoint can be reached from this machine only
    (tcp on 127.0.0.0/8, ::1 or localhost; ipc; inproc). */
bool broker_endpoint_is_local (const char *endpoint);

#endif
