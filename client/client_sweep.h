/*  client_sweep.h - the sweep commands' shared pieces: a prepared
    submission, watching progress, fetching the export. */
#ifndef CLIENT_SWEEP_H_INCLUDED
#define CLIENT_SWEEP_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bsw_error.h"
#include "bsw_opts.h"
#include "client_conn.h"
#include "spec.h"

typedef struct {
    char *spec_json;    /* the spec as it will run */
    void *connectivity; /* the zip's bytes, or NULL for the built-in default */
    size_t connectivity_size;
    char *connectivity_name; /* the zip's file name, or NULL */
    char *name;              /* sweep name ("" when none) */
    uint64_t points;         /* sweep size */
    bool metrics_only;       /* "keep": "metrics": the zip has no time series */
} client_submission_t;

/*  What the command line changes in a spec: --range, --name, --keep. */
typedef struct {
    const char *const *ranges; /* PARAM=lo:hi:step or PARAM=v1,v2,... */
    size_t n_ranges;
    const char *name;           /* or NULL: the spec's */
    const char *keep;           /* "all", "metrics", or NULL: the spec's */
    bool connectivity_anywhere; /* --connectivity-anywhere: an absolute or ".." path is read */
} client_overrides_t;

/*  --connectivity-anywhere's help, the same for run, submit and simulate. */
#define CLIENT_ANYWHERE_HELP                                                                       \
    "read the spec's connectivity even when its path\n"                                            \
    "is absolute or has a .. component (by default\n"                                              \
    "only files in the spec's folder or below are\n"                                               \
    "read, so a spec from elsewhere cannot send your\n"                                            \
    "files to a broker)"

/*  Refuses a connectivity path that leaves the spec's folder (absolute, or
    with a ".." component) unless `anywhere`: a spec from someone else must
    not make the client read, and send to a broker, any file it can read.
    Returns 0, or BSW_ESPEC naming the spec file and the path. */
int client_check_connectivity_path (const spec_t *spec, const char *spec_path, bool anywhere,
                                    bsw_error_t *err);

/*  --keep's row, the same for run and submit; dest is const char **. */
int client_keep_arg (void *dest, const char *value);
#define CLIENT_KEEP_HELP                                                                           \
    "what to keep of each point: all (its time series\n"                                           \
    "and metrics, as TVB) or metrics (no series sent,\n"                                           \
    "stored or exported); default: the spec's \"keep\",\n"                                         \
    "else all"

/*  Reads and validates SPEC.json with the command line's changes. */
int client_prepare_submission (const char *spec_path, const client_overrides_t *changes,
                               client_submission_t *out, bsw_error_t *err);
void client_submission_fini (client_submission_t *sub);

/*  SUBMIT; the connectivity bytes are handed over (sub->connectivity NULL after). */
int client_submit (client_conn_t *conn, client_submission_t *sub, uint64_t *sweep_id,
                   bsw_error_t *err);

/*  Final counts of a watched sweep. */
typedef struct {
    char state[16];  /* the state it ended in (not "running") */
    uint64_t points; /* sweep size */
    uint64_t done;   /* results with status ok */
    uint64_t failed; /* results with status failed */
} client_status_t;

/*  Polls STATUS until the sweep is finished or cancelled, drawing a
    progress bar on stderr (a line every few seconds when not a terminal;
    nothing when quiet). Returns 0, an error, or BSW_ESTATE when
    interrupted (SIGINT). */
int client_watch (client_conn_t *conn, uint64_t sweep, bool quiet, client_status_t *final,
                  bsw_error_t *err);

/*  Downloads the sweep's export zip into path (via path.tmp, renamed when
    complete) as the broker makes it: a running sweep's zip grows with the
    sweep and ends when it does. An export the broker loses (a restart) is
    downloaded again from the start, up to three times. Returns 0 and the
    size, or an error. */
int client_fetch (client_conn_t *conn, uint64_t sweep, const char *path, bool quiet, uint64_t *size,
                  bsw_error_t *err);

/*  What every broker command shares: its keys (--key, --broker-key), the
    --broker option and the ID operand rows, the connection to --broker or
    $BRAINSWEEP_BROKER (NULL after saying why: exit 2), and an error's
    sentence printed escaped (a peer's text) as "brainsweep COMMAND: ..."
    (returns exit status 1). */
extern proto_curve_keys_t client_keys;
bsw_opt_t client_broker_row (const char **broker);
bsw_opt_t client_id_row (uint64_t *id);
client_conn_t *client_connect (const char *command, const char *broker);
int client_fail (const char *command, const bsw_error_t *err);

/*  STATUS of sweep: its SWEEP_STATUS reply in *reply (caller's). */
int client_status (client_conn_t *conn, uint64_t sweep, proto_msg_t **reply, bsw_error_t *err);

/*  `brainsweep status`'s lines about a refinement family: the grid a
    level refines, or a refined grid's plan and levels (STATUS of each). */
void client_print_family (client_conn_t *conn, const proto_msg_t *st);

#endif
