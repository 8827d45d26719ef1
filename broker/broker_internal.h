/*  broker_internal.h - the broker actor's private state, shared by its
    files (broker.c: loop, workers, dispatch, results; broker_client.c:
    client requests). Single-threaded: only the actor thread touches it. */
#ifndef BROKER_INTERNAL_H_INCLUDED
#define BROKER_INTERNAL_H_INCLUDED

#include "broker.h"
#include "broker_db.h"
#include "proto.h"

#include <stdbool.h>

typedef struct {
    uint64_t id;
    char uuid[37];
    char *name;
    broker_sweep_state_t state;
    uint64_t points;       /* total */
    uint64_t done;         /* results ok */
    uint64_t failed;       /* results failed */
    uint64_t leased_count; /* points running on workers now */
    uint8_t *finished;     /* bitmap: has a result (running sweeps only) */
    uint8_t *leased;       /* bitmap: leased now (running sweeps only) */
    uint64_t cursor;       /* dispatch scans forward from here */
    zlistx_t *requeue;     /* points to run again first (uintptr_t point + 1) */
    double created;        /* unix seconds */
    double ended;          /* unix seconds it finished or was cancelled; 0 while running */
    int64_t rate_t0;       /* mono ms of the rate window's start */
    uint64_t rate_done0;   /* done + failed at rate_t0 */
    double rate;           /* points per second over the last window */
    //  Export (built by a background actor).
    zactor_t *exporter;                /* running export, or NULL */
    uint64_t export_results;           /* done + failed when the current zip was built */
    broker_sweep_state_t export_state; /* state when it was built */
    bool export_ready;                 /* zip at export_path is complete */
    bool export_requested;             /* build again when the running one ends */
    double export_progress;            /* 0..1 while building */
    char *export_path;                 /* the zip */
    char *export_error;                /* why the last build failed, or NULL */
} broker_sweep_t;

typedef struct {
    char *key; /* routing id as hex */
    zframe_t *routing_id;
    char name[256];
    uint64_t threads;
    uint64_t credit;       /* points it asked for and has not been sent */
    int64_t expiry;        /* mono ms */
    bool leaving;          /* said BYE: no new work */
    zhashx_t *leases;      /* "sweep:point" -> NULL (keys only) */
    zhashx_t *sweeps_sent; /* "sweep" keys whose definition it has */
} broker_worker_t;

typedef struct {
    proto_msg_t *msg;        /* the RESULT, owned */
    broker_worker_t *worker; /* sender, or NULL when unknown */
} broker_pending_t;

/*  Counters since the broker started, for STATS (a restart starts them
    again: the durable state is the sweeps, not these). */
typedef struct {
    int64_t started;            /* mono ms at start */
    uint64_t workers_joined;    /* HELLOs that started a session */
    uint64_t workers_lost;      /* sessions purged for silence (not after a BYE) */
    uint64_t workers_left;      /* sessions purged for silence after a BYE */
    uint64_t points_requeued;   /* leased points put back in line */
    uint64_t results_committed; /* results stored */
    uint64_t results_duplicate; /* results for a point that had one: ACKed, not stored */
} broker_stats_t;

typedef struct {
    zsock_t *pipe;
    zsock_t *router;
    zpoller_t *poller;
    char *endpoint;
    char *data_dir;
    broker_db_t *db;
    int heartbeat_ms;
    uint64_t max_points;
    uint64_t max_message;
    zhashx_t *sweeps;      /* "id" -> broker_sweep_t */
    zlistx_t *sweep_order; /* broker_sweep_t *, by id: dispatch order */
    zhashx_t *workers;     /* key -> broker_worker_t */
    zhashx_t *leases;      /* "sweep:point" -> broker_worker_t * */
    zlistx_t *pending;     /* broker_pending_t *, committed in groups */
    int64_t heartbeat_at;  /* mono ms */
    uint64_t errors[32];   /* error replies sent, by -code */
    broker_stats_t stats;  /* counters for STATS */
    bool terminated;
} broker_t;

/*  broker.c */
broker_sweep_t *broker_sweep_find (broker_t *self, uint64_t id);
void broker_reply (broker_t *self, const proto_msg_t *request, proto_msg_t **reply_p);
void broker_reply_error (broker_t *self, zframe_t *routing_id, const proto_msg_t *request, int code,
                         const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));
void broker_dispatch (broker_t *self);
void broker_release_sweep_leases (broker_t *self, broker_sweep_t *sweep, bool drop);
broker_sweep_t *broker_sweep_load (broker_t *self, const broker_sweep_info_t *info);
void broker_sweep_check_finished (broker_t *self, broker_sweep_t *sweep);

/*  broker_client.c */
void broker_handle_client (broker_t *self, proto_msg_t *msg);
void broker_handle_exporter (broker_t *self, broker_sweep_t *sweep);

#endif
