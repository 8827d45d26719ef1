/*  client_conn.c - request/reply to the broker with a deadline. */
#include "client_conn.h"
#include "bsw_util.h"

#include <stdlib.h>

struct client_conn_t {
    zsock_t *dealer;
    proto_curve_watch_t *watch; /* the dealer's handshake failures */
    char *endpoint;
    int timeout_ms;
    bool curve; /* speaks CurveZMQ */
    uint64_t next_req;
    //  The receipt of the last RESULTS reply read, which the next RESULTS
    //  request brings back (broker/broker_receipts.h).
    uint64_t receipt;
    bool has_receipt;
};

client_conn_t *
client_conn_new (const char *endpoint, int timeout_ms, const proto_curve_keys_t *keys,
                 bsw_error_t *err)
{
    proto_curve_keys_t resolved = keys ? *keys : (proto_curve_keys_t){0};
    if (keys)
        proto_curve_keys_from_env (&resolved);
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    if (proto_curve_client (dealer, &resolved, err)) {
        zsock_destroy (&dealer);
        return NULL;
    }
    client_conn_t *self = bsw_calloc (1, sizeof *self);
    self->endpoint = bsw_strdup (endpoint);
    self->timeout_ms = timeout_ms > 0 ? timeout_ms : CLIENT_TIMEOUT_MS_DEFAULT;
    self->curve = proto_curve_keys_given (&resolved);
    self->dealer = dealer;
    zsock_set_linger (self->dealer, 0);
    self->watch = proto_curve_watch_new (self->dealer, self->curve);
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
    proto_curve_watch_destroy (&self->watch);
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
    if (type == PROTO_RESULTS && self->has_receipt)
        proto_msg_set_uint (*request_p, "receipt", self->receipt);
    if (proto_msg_send (request_p, self->dealer))
        return bsw_error_set (err, BSW_EIO, "cannot send to %s", self->endpoint);
    int64_t deadline = bsw_clock_mono_ms () + self->timeout_ms;
    zpoller_t *poller = zpoller_new (self->dealer, NULL);
    zsock_t *watch = proto_curve_watch_sock (self->watch);
    if (watch)
        zpoller_add (poller, watch);
    zpoller_set_nonstop (poller, true);
    int rc = BSW_ETIMEOUT;
    while (true) {
        int64_t left = deadline - bsw_clock_mono_ms ();
        if (left <= 0)
            break;
        void *which = zpoller_wait (poller, (int) left);
        if (!which)
            continue;
        if (which == watch) {
            //  A refused handshake never ends in a reply: say why now.
            rc = proto_curve_watch_read (self->watch, self->endpoint, err);
            if (rc)
                break;
            continue;
        }
        //  Frame by frame, within the protocol's bounds (proto.h).
        proto_msg_t *reply = NULL;
        bsw_error_t decode_err;
        if (proto_msg_recv (self->dealer, 0, &reply, NULL, &decode_err))
            continue;
        if (proto_msg_has (reply, "receipt")) {
            //  Even a late reply's: it was read.
            self->receipt = proto_msg_uint (reply, "receipt");
            self->has_receipt = true;
        }
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
        bsw_error_set (err, rc, "no answer from the broker at %s within %d s%s", self->endpoint,
                       self->timeout_ms / 1000,
                       self->curve ? " (if it is up, check that --broker-key is its public "
                                     "certificate)"
                                   : "");
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
