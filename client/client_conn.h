/*  client_conn.h - one request, one reply, to a broker.

    A DEALER socket to the broker; every request carries a fresh "req"
    number and only the reply echoing it counts (a stale reply to an earlier
    timed-out request is dropped). An ERROR reply becomes the call's error.
*/
#ifndef CLIENT_CONN_H_INCLUDED
#define CLIENT_CONN_H_INCLUDED

#include "bsw_error.h"
#include "proto.h"
#include "proto_curve.h"

typedef struct client_conn_t client_conn_t;

#define CLIENT_TIMEOUT_MS_DEFAULT 15000

/*  Connects (ZeroMQ connects lazily: a wrong address shows as a timeout),
    with CurveZMQ when keys are given (keys NULL: none; options left NULL
    are taken from the environment, proto_curve_keys_from_env). Returns
    NULL with err set when a key cannot be used. A broker that refuses the
    handshake (an unknown key, keys on one side only) fails the first
    request with BSW_EDENIED at once instead of a timeout. */
client_conn_t *client_conn_new (const char *endpoint, int timeout_ms,
                                const proto_curve_keys_t *keys, bsw_error_t *err);
void client_conn_destroy (client_conn_t **self_p);

/*  Sends *request_p (taken) and waits for its reply. Returns 0 with
    *reply_p (caller owns), or the ERROR reply's code / BSW_ETIMEOUT with a
    sentence in err. `expected` is the reply type wanted. */
int client_conn_request (client_conn_t *self, proto_msg_t **request_p, proto_type_t expected,
                         proto_msg_t **reply_p, bsw_error_t *err);

/*  The broker endpoint from --broker, else $BRAINSWEEP_BROKER, or NULL. */
const char *client_broker_endpoint (const char *option);

/*  The option rows --broker-key and --key, filling keys. */
#define CLIENT_KEY_OPTIONS(keys)                                                                   \
    {.name = "broker-key",                                                                         \
     .kind = BSW_OPT_STRING,                                                                       \
     .dest = &(keys)->broker_key,                                                                  \
     .arg = "CERT",                                                                                \
     .help = "the broker's public certificate, to speak CurveZMQ\n"                                \
             "(default: $BRAINSWEEP_BROKER_KEY)"},                                                 \
    {                                                                                              \
        .name = "key", .kind = BSW_OPT_STRING, .dest = &(keys)->key, .arg = "CERT_secret",         \
        .help = "this client's secret certificate (default: $BRAINSWEEP_KEY)"                      \
    }

#endif
