/*  broker_client.h - the broker's answers to clients: SUBMIT, LIST,
    STATUS, CANCEL, RETRY, FETCH, RESULTS, STATS and REFINE
    (proto/PROTOCOL.md).
    Internal to broker/.

    Each request becomes one reply; the caller (broker.c) routes and sends
    it and counts the errors, so this file never touches a socket. What a
    request changes goes through the sweep registry (broker_sweep.h), the
    worker registry (broker_workers.h) and the database.
*/
#ifndef BROKER_CLIENT_H_INCLUDED
#define BROKER_CLIENT_H_INCLUDED

#include "broker_db.h"
#include "broker_exporter.h"
#include "broker_receipts.h"
#include "broker_refine.h"
#include "broker_stats.h"
#include "broker_sweep.h"
#include "broker_workers.h"
#include "proto.h"

/*  Who sends a request. With CurveZMQ a client owns the sweeps it
    submits and may act only on those (status, cancel, retry, fetch,
    results; list shows only them); an admin key, or a broker without
    CurveZMQ, acts on every sweep. */
typedef struct {
    const char *key; /* the sender's Z85 public key, or NULL without CURVE */
    bool all_sweeps; /* an admin, or no CURVE */
} broker_client_peer_t;

/*  What the answers read and change; all borrowed from the broker. */
typedef struct {
    broker_db_t *db;                  /* durable state */
    broker_sweeps_t *sweeps;          /* every sweep */
    broker_workers_t *workers;        /* connected workers (cancel releases their leases) */
    const broker_stats_t *stats;      /* the broker's counters */
    broker_exporters_t *exporters;    /* export streams (FETCH) */
    uint64_t max_points;              /* most points a sweep may have */
    broker_receipts_t *receipts;      /* RESULTS replies not yet shown read */
    broker_refine_t *refine;          /* refinement plans (REFINE, STATUS) */
    const broker_client_peer_t *peer; /* the sender of the request being answered */
} broker_client_t;

/*  The reply to one client request (a request type of the list above),
    caller owns it; an ERROR reply (code and sentence) when the request
    cannot be served; NULL when the answer comes later (a FETCH whose chunk
    is being made: broker_exporter.h sends it). The reply carries neither
    routing id nor "req". */
proto_msg_t *broker_client_answer (broker_client_t *self, const proto_msg_t *request,
                                   const broker_client_peer_t *peer);

/*  Whether peer may act on sweep. */
bool broker_client_may (const broker_client_peer_t *peer, const broker_sweep_t *sweep);

#endif
