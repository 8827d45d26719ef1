/*  proto_curve.h - CurveZMQ keys for brainsweep's sockets.

    Keys are CZMQ certificates (zcert): a public file any peer may read and
    a secret file (PATH_secret, mode 0600) only its owner may. The broker
    holds its own secret certificate and folders of its peers' public ones
    (broker_auth.h); a worker or a client holds its own secret certificate
    and the broker's public one, and applies them to its DEALER before it
    connects (the Ironhouse pattern: both sides authenticate, everything
    is encrypted).

    A failed handshake is silent in ZeroMQ (the socket just retries), so
    a peer that wants to tell its user why watches its socket's handshake
    events (proto_curve_watch_t).
*/
#ifndef PROTO_CURVE_H_INCLUDED
#define PROTO_CURVE_H_INCLUDED

#include "bsw_error.h"

#include <czmq.h>
#include <stdbool.h>

/*  A connecting peer's key files (paths, borrowed). */
typedef struct {
    const char *broker_key; /* the broker's public certificate, or NULL */
    const char *key;        /* this peer's secret certificate, or NULL */
} proto_curve_keys_t;

#define PROTO_CURVE_ENV_BROKER_KEY "BRAINSWEEP_BROKER_KEY"
#define PROTO_CURVE_ENV_KEY        "BRAINSWEEP_KEY"

/*  Fills the fields left NULL (or empty) from $BRAINSWEEP_BROKER_KEY and
    $BRAINSWEEP_KEY. */
void proto_curve_keys_from_env (proto_curve_keys_t *keys);

/*  Whether any key is given. */
bool proto_curve_keys_given (const proto_curve_keys_t *keys);

/*  Checks that both files are given and readable as the right kind of
    certificate. Returns 0, or BSW_EINVAL (one without the other) /
    BSW_EIO (unreadable) / BSW_EFORMAT (not a certificate, or a public one
    where a secret one is needed) with a sentence naming the file. */
int proto_curve_keys_check (const proto_curve_keys_t *keys, bsw_error_t *err);

/*  Makes `sock` (before it connects) a CURVE client of the broker whose
    public certificate keys->broker_key is, with keys->key as its own.
    Nothing to do when no key is given. Errors as proto_curve_keys_check. */
int proto_curve_client (zsock_t *sock, const proto_curve_keys_t *keys, bsw_error_t *err);

/*  Loads a secret certificate (one with both keys). Caller owns *cert_p. */
int proto_curve_load_secret (const char *path, zcert_t **cert_p, bsw_error_t *err);

/*  Loads a public certificate. Caller owns *cert_p. */
int proto_curve_load_public (const char *path, zcert_t **cert_p, bsw_error_t *err);

/*  Writes a new key pair: the public certificate to `path` (0644) and the
    secret one to `path`_secret (0600), both with `name` in their metadata.
    Refuses (BSW_EINVAL) to overwrite either file, and a name that is not
    1 to 64 of [A-Za-z0-9._@-]. */
int proto_curve_keygen (const char *path, const char *name, bsw_error_t *err);

/*  Whether `name` is a valid certificate name for keygen. */
bool proto_curve_name_ok (const char *name);

/*  Whether `c` may appear in a certificate name: [A-Za-z0-9._@-]. */
bool proto_curve_name_char (char c);

//  --------------------------------------------------------------------------
//  Handshake events

typedef struct proto_curve_watch_t proto_curve_watch_t;

/*  Watches `sock`'s handshakes (call before it connects). `curve`: whether
    the socket uses keys, which changes what a failure means. */
proto_curve_watch_t *proto_curve_watch_new (zsock_t *sock, bool curve);
void proto_curve_watch_destroy (proto_curve_watch_t **self_p);

/*  The socket to poll for events. */
zsock_t *proto_curve_watch_sock (proto_curve_watch_t *self);

/*  Reads the events waiting. Returns 0, or BSW_EDENIED with a sentence
    for people when a handshake failed for good: the broker refused the
    key, or one side uses keys and the other does not, or handshakes keep
    failing without saying why (three times: once may be a connection
    reset, which ZeroMQ retries by itself). */
int proto_curve_watch_read (proto_curve_watch_t *self, const char *endpoint, bsw_error_t *err);

#endif
