/*  proto_curve.c - CurveZMQ keys for brainsweep's sockets (proto_curve.h). */
#include "proto_curve.h"

#include "bsw_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  zcert_load reads "PATH_secret" first, into a 256-byte buffer.
#define S_PATH_MAX 240

//  What zcert gives for a certificate without a secret key: 32 zero bytes.
static const char s_no_secret[] = "0000000000000000000000000000000000000000";

void
proto_curve_keys_from_env (proto_curve_keys_t *keys)
{
    if (!keys->broker_key || !*keys->broker_key)
        keys->broker_key = getenv (PROTO_CURVE_ENV_BROKER_KEY);
    if (!keys->key || !*keys->key)
        keys->key = getenv (PROTO_CURVE_ENV_KEY);
    if (keys->broker_key && !*keys->broker_key)
        keys->broker_key = NULL;
    if (keys->key && !*keys->key)
        keys->key = NULL;
}

bool
proto_curve_keys_given (const proto_curve_keys_t *keys)
{
    return keys && (keys->broker_key || keys->key);
}

//  Loads `path` as a certificate; `what` names it in errors.
static int
s_load (const char *path, const char *what, zcert_t **cert_p, bsw_error_t *err)
{
    *cert_p = NULL;
    if (strlen (path) > S_PATH_MAX)
        return bsw_error_set (err, BSW_EINVAL, "%s %.60s...: path longer than %d bytes", what, path,
                              S_PATH_MAX);
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bsw_error_set (err, BSW_EIO, "%s %s: %s", what, path, strerror (errno));
    struct stat st;
    bool regular = fstat (fd, &st) == 0 && S_ISREG (st.st_mode);
    close (fd);
    if (!regular || st.st_size > 64 * 1024)
        return bsw_error_set (err, BSW_EFORMAT, "%s %s: not a certificate file", what, path);
    *cert_p = zcert_load (path);
    if (!*cert_p)
        return bsw_error_set (err, BSW_EFORMAT,
                              "%s %s: not a CurveZMQ certificate (make one with brainsweep keygen)",
                              what, path);
    return 0;
}

int
proto_curve_load_secret (const char *path, zcert_t **cert_p, bsw_error_t *err)
{
    int rc = s_load (path, "key", cert_p, err);
    if (rc == 0 && streq (zcert_secret_txt (*cert_p), s_no_secret)) {
        zcert_destroy (cert_p);
        return bsw_error_set (err, BSW_EFORMAT,
                              "key %s is a public certificate: give the secret one (%s_secret)",
                              path, path);
    }
    return rc;
}

int
proto_curve_load_public (const char *path, zcert_t **cert_p, bsw_error_t *err)
{
    return s_load (path, "certificate", cert_p, err);
}

int
proto_curve_keys_check (const proto_curve_keys_t *keys, bsw_error_t *err)
{
    if (!proto_curve_keys_given (keys))
        return 0;
    if (!keys->broker_key)
        return bsw_error_set (err, BSW_EINVAL,
                              "--key without --broker-key (or $" PROTO_CURVE_ENV_BROKER_KEY
                              "): both are needed to speak CurveZMQ");
    if (!keys->key)
        return bsw_error_set (err, BSW_EINVAL,
                              "--broker-key without --key (or $" PROTO_CURVE_ENV_KEY
                              "): both are needed to speak CurveZMQ");
    zcert_t *broker = NULL, *own = NULL;
    int rc = proto_curve_load_public (keys->broker_key, &broker, err);
    if (rc == 0)
        rc = proto_curve_load_secret (keys->key, &own, err);
    zcert_destroy (&broker);
    zcert_destroy (&own);
    return rc;
}

int
proto_curve_client (zsock_t *sock, const proto_curve_keys_t *keys, bsw_error_t *err)
{
    if (!proto_curve_keys_given (keys))
        return 0;
    int rc = proto_curve_keys_check (keys, err);
    if (rc)
        return rc;
    zcert_t *broker = NULL, *own = NULL;
    rc = proto_curve_load_public (keys->broker_key, &broker, err);
    if (rc == 0)
        rc = proto_curve_load_secret (keys->key, &own, err);
    if (rc == 0) {
        zcert_apply (own, sock);
        zsock_set_curve_serverkey (sock, zcert_public_txt (broker));
    }
    zcert_destroy (&broker);
    zcert_destroy (&own);
    return rc;
}

bool
proto_curve_name_char (char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '@' || c == '-';
}

bool
proto_curve_name_ok (const char *name)
{
    size_t n = name ? strlen (name) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t k = 0; k < n; k++)
        if (!proto_curve_name_char (name[k]))
            return false;
    return true;
}

//  Creates `path` empty with `mode`, refusing an existing file.
static int
s_create_new (const char *path, mode_t mode, bsw_error_t *err)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return bsw_error_set (err, errno == EEXIST ? BSW_EINVAL : BSW_EIO, "%s: %s", path,
                              errno == EEXIST ? "exists; refusing to overwrite a key"
                                              : strerror (errno));
    close (fd);
    return 0;
}

int
proto_curve_keygen (const char *path, const char *name, bsw_error_t *err)
{
    if (strlen (path) > S_PATH_MAX)
        return bsw_error_set (err, BSW_EINVAL, "%.60s...: path longer than %d bytes", path,
                              S_PATH_MAX);
    if (!proto_curve_name_ok (name))
        return bsw_error_set (err, BSW_EINVAL,
                              "key name '%.64s' must be 1 to 64 letters, digits or ._@-", name);
    char secret[S_PATH_MAX + 16];
    snprintf (secret, sizeof secret, "%s_secret", path);
    //  Both names are taken first, exclusively, so that two keygens (or an
    //  existing key) never lose a secret; zcert then fills them in.
    int rc = s_create_new (path, 0644, err);
    if (rc)
        return rc;
    rc = s_create_new (secret, 0600, err);
    if (rc) {
        unlink (path);
        return rc;
    }
    zcert_t *cert = zcert_new ();
    if (!cert) {
        unlink (path);
        unlink (secret);
        return bsw_error_set (err, BSW_EIO, "cannot make a key pair (no entropy?)");
    }
    zcert_set_meta (cert, "name", "%s", name);
    zcert_set_meta (cert, "made-by", "brainsweep keygen");
    if (zcert_save_public (cert, path) || zcert_save_secret (cert, secret) ||
        chmod (secret, 0600) || chmod (path, 0644)) {
        rc = bsw_error_set (err, BSW_EIO, "cannot write %s or %s: %s", path, secret,
                            strerror (errno));
        unlink (path);
        unlink (secret);
    }
    zcert_destroy (&cert);
    return rc;
}

//  --------------------------------------------------------------------------
//  Handshake events

//  Failed handshakes without a verdict (a connection reset, a broker
//  going down) that count as a refusal when they repeat: a CURVE server
//  meeting a client without keys just hangs up, again at every retry.
#define S_STRIKES 3

struct proto_curve_watch_t {
    zsock_t *pair; /* receives the monitored socket's events */
    bool curve;    /* the socket uses keys */
    int strikes;   /* failed handshakes without a verdict so far */
};

proto_curve_watch_t *
proto_curve_watch_new (zsock_t *sock, bool curve)
{
    proto_curve_watch_t *self = bsw_calloc (1, sizeof *self);
    self->curve = curve;
    //  A fresh name each time: a closed socket's monitor may hold its
    //  endpoint a little longer, and a new watch may get the same address.
    static atomic_uint serial;
    char endpoint[80];
    snprintf (endpoint, sizeof endpoint, "inproc://bsw-handshake-%p-%u", (void *) self,
              atomic_fetch_add (&serial, 1));
    int events = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                 ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
    if (zmq_socket_monitor (zsock_resolve (sock), endpoint, events) == 0) {
        self->pair = zsock_new (ZMQ_PAIR);
        if (self->pair && zsock_connect (self->pair, "%s", endpoint) != 0)
            zsock_destroy (&self->pair);
    }
    return self;
}

void
proto_curve_watch_destroy (proto_curve_watch_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zsock_destroy (&(*self_p)->pair);
    free (*self_p);
    *self_p = NULL;
}

zsock_t *
proto_curve_watch_sock (proto_curve_watch_t *self)
{
    return self ? self->pair : NULL;
}

//  What a failed handshake means, for people.
static int
s_explain (proto_curve_watch_t *self, uint16_t event, uint32_t value, const char *endpoint,
           bsw_error_t *err)
{
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        return bsw_error_set (err, BSW_EDENIED,
                              "the broker at %s refused this key (it is not among the keys the "
                              "broker allows; status %u)",
                              endpoint, (unsigned) value);
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
        value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
        return bsw_error_set (
            err, BSW_EDENIED, "%s",
            self->curve
                ? "the broker does not use CurveZMQ keys: drop --broker-key and --key (and "
                  "$" PROTO_CURVE_ENV_BROKER_KEY ", $" PROTO_CURVE_ENV_KEY ")"
                : "the broker requires CurveZMQ keys: give --broker-key BROKER_CERT and --key "
                  "YOUR_CERT_secret (or $" PROTO_CURVE_ENV_BROKER_KEY " and $" PROTO_CURVE_ENV_KEY
                  ")");
    //  A CURVE server meeting a client without keys just hangs up, which
    //  is what this says most of the time.
    return bsw_error_set (
        err, BSW_EDENIED, "the broker at %s ended the handshake (event 0x%x, 0x%x): %s", endpoint,
        (unsigned) event, (unsigned) value,
        self->curve ? "is --broker-key the broker's public certificate, and does the broker use "
                      "CurveZMQ keys?"
                    : "it probably requires CurveZMQ keys: give --broker-key BROKER_CERT and "
                      "--key YOUR_CERT_secret (or $" PROTO_CURVE_ENV_BROKER_KEY
                      " and $" PROTO_CURVE_ENV_KEY ")");
}

int
proto_curve_watch_read (proto_curve_watch_t *self, const char *endpoint, bsw_error_t *err)
{
    int rc = 0;
    while (self && self->pair && rc == 0 && (zsock_events (self->pair) & ZMQ_POLLIN)) {
        zmsg_t *event = zmsg_recv (self->pair);
        zframe_t *head = event ? zmsg_first (event) : NULL;
        if (head && zframe_size (head) == 6) {
            uint16_t id;
            uint32_t value;
            memcpy (&id, zframe_data (head), 2);
            memcpy (&value, zframe_data (head) + 2, 4);
            bool verdict = id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ||
                           (id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
                            value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH);
            if (verdict || ++self->strikes >= S_STRIKES)
                rc = s_explain (self, id, value, endpoint, err);
        }
        zmsg_destroy (&event);
    }
    return rc;
}
