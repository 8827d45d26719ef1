/*  broker_auth.h - who may speak to the broker, and as what. Internal to
    broker/.

    With a key (--key), the broker's ROUTER is a CurveZMQ server and CZMQ's
    zauth actor answers the ZAP handshakes: a peer whose public key is in
    none of the allowed folders is refused before it can send anything.
    The folders give each key its roles: --allow-workers (the worker side
    of the protocol), --allow-clients (the client side: a client manages
    its own sweeps) and --allow-admins (clients that may manage every
    sweep). A key in several folders has all their roles.

    zauth reads one folder of certificates, so the broker writes the keys
    of all three, with their roles, into DATA/curve-allowed/ (rebuilt at
    every start and every reload) and points zauth at it.

    The folders are read again on broker_auth_reload (SIGHUP) and whenever
    broker_auth_poll sees them change. A key removed from its folder is
    refused at its next handshake, and since CURVE checks a key only when
    a connection starts, the broker also checks every message's key
    against the current table (broker_auth_peer): a revoked key's open
    sessions get DENIED from then on.

    Without a key every peer has every role (the loopback default, and
    `--insecure`).
*/
#ifndef BROKER_AUTH_H_INCLUDED
#define BROKER_AUTH_H_INCLUDED

#include "bsw_error.h"

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
    BROKER_ROLE_WORKER = 1, /* HELLO, HEARTBEAT, CREDIT, RESULT, BYE */
    BROKER_ROLE_CLIENT = 2, /* every request, on its own sweeps */
    BROKER_ROLE_ADMIN = 4,  /* every request, on every sweep */
    BROKER_ROLE_ALL = 7,
} broker_role_t;

typedef struct {
    const char *key;           /* the broker's secret certificate; NULL: no CURVE */
    const char *allow_workers; /* folder of workers' public certificates */
    const char *allow_clients; /* folder of clients' public certificates */
    const char *allow_admins;  /* folder of admins' public certificates, or NULL */
} broker_auth_config_t;

/*  The sender of one message. */
typedef struct {
    unsigned roles; /* broker_role_t bits; 0: refused (revoked since it connected) */
    char key[41];   /* its Z85 public key; "" without CURVE */
    char name[72];  /* its certificate's file name, for logs; "" without CURVE */
} broker_peer_t;

typedef struct broker_auth_t broker_auth_t;

/*  Loads the broker's certificate and the folders (errors name the file
    or folder), and with a key starts zauth. data_dir holds the merged
    folder zauth reads. */
int broker_auth_new (broker_auth_t **self_p, const broker_auth_config_t *config,
                     const char *data_dir, bsw_error_t *err);
void broker_auth_destroy (broker_auth_t **self_p);

/*  Whether the broker speaks CURVE. */
bool broker_auth_enabled (const broker_auth_t *self);

/*  Makes `router` a CURVE server with the broker's key (before it binds). */
void broker_auth_apply (broker_auth_t *self, zsock_t *router);

/*  The sender of a message, from the User-Id that zauth gave its
    connection (proto_msg_recv_over reads it; NULL or "" when none). */
void broker_auth_peer (broker_auth_t *self, const char *user_id, broker_peer_t *peer);

/*  Reads the folders again. Returns 0, with *changed telling whether the
    keys or their roles changed; on an error the keys in force stay. */
int broker_auth_reload (broker_auth_t *self, bool *changed, bsw_error_t *err);

/*  Called often: every few seconds looks at the folders and reloads them
    when anything in them changed (logging what it did). */
void broker_auth_poll (broker_auth_t *self, int64_t now_ms);

/*  "worker", "client", "admin", "worker+client", ... ("none" for 0). */
const char *broker_auth_roles_name (unsigned roles);

#endif
