/*  client_conn.c - request/reply to the broker with a deadline. */
#include "client_conn.h"
#include "bsw_util.h"

#include <stdlib.h>

struct client_conn_t {
    zsock_t *dealer;
    char *endpoint;
    int timeout_ms;
    uint64_t next_req;
};

client_conn_t *
client_conn_new (const char *endpoint, int timeout_ms)
{
    client_conn_t *self = bsw_calloc (1, sizeof *self);
    self->endpoint = bsw_strdup (endpoint);
    self->timeout_ms = timeout_ms > 0 ? timeout_ms : CLIENT_TIMEOUT_MS_DEFAULT;
    self->dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (self->dealer, 0);
    if (zsock_connect (self->dealer, "%s", endpoint) == -1)
        zsock_destroy (&self->dealer);
    self->next_req = (uint64_t) zclock_mono () & 0xffffff;
    return self;
}

void
client_conn_destroy (client_conn_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    client_conn_t *self = *self_p;
    zsock_destroy (&self->dealer);
    free (self->endpoint);
    free (self);
    *self_p = NULL;
}

int
client_conn_request (client_conn_t *self, proto_msg_t **request_p, proto_type_t expected,
                     proto_msg_t **reply_p, bsw_error_t *err)
{
    *reply_p = NULL;
    proto_type_t type = proto_msg_type (*request_p);
    if (!self->dealer) {
        proto_msg_destroy (request_p);
        return bsw_error_set (err, BSW_EINVAL,
                              "'%s' is not a ZeroMQ endpoint (e.g. tcp://host:5555)",
                              self->endpoint);
    }
    uint64_t req = ++self->next_req;
    proto_msg_set_uint (*request_p, "req", req);
    if (proto_msg_send (request_p, self->dealer))
        return bsw_error_set (err, BSW_EIO, "cannot send to %s", self->endpoint);
    int64_t deadline = bsw_clock_mono_ms () + self->timeout_ms;
    zpoller_t *poller = zpoller_new (self->dealer, NULL);
    zpoller_set_nonstop (poller, true);
    int rc = BSW_ETIMEOUT;
    while (true) {
        int64_t left = deadline - bsw_clock_mono_ms ();
        if (left <= 0)
            break;
        if (!zpoller_wait (poller, (int) left))
            continue;
        zmsg_t *wire = zmsg_recv (self->dealer);
        proto_msg_t *reply = NULL;
        bsw_error_t decode_err;
        if (!wire || proto_msg_decode (&wire, false, 0, &reply, NULL, &decode_err))
            continue;
        if (!proto_msg_has (reply, "req") || proto_msg_uint (reply, "req") != req) {
            proto_msg_destroy (&reply); /* a late reply to an earlier request */
            continue;
        }
        if (proto_msg_type (reply) == PROTO_ERROR) {
            rc = (int) proto_msg_int (reply, "code");
            bsw_error_set (err, rc, "%s", proto_msg_str (reply, "text"));
            proto_msg_destroy (&reply);
        } else if (proto_msg_type (reply) != expected) {
            rc = bsw_error_set (err, BSW_EPROTO, "the broker answered %s with %s",
                                proto_type_name (type), proto_type_name (proto_msg_type (reply)));
            proto_msg_destroy (&reply);
        } else {
            *reply_p = reply;
            rc = 0;
        }
        break;
    }
    zpoller_destroy (&poller);
    if (rc == BSW_ETIMEOUT)
        bsw_error_set (err, rc, "no answer from the broker at %s within %d s", self->endpoint,
                       self->timeout_ms / 1000);
    return rc;
}

const char *
client_broker_endpoint (const char *option)
{
    if (option && *option)
        return option;
    const char *env = getenv ("BRAINSWEEP_BROKER");
    return env && *env ? env : NULL;
}
