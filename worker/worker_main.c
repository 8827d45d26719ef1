/*  worker_main.c - `brainsweep-worker`: runs the worker actor until SIGINT
    or SIGTERM, then finishes or hands back its points. */
#include "worker.h"
#include "bsw_opts.h"
#include "bsw_util.h"
#include "proto_curve.h"

#include <stdio.h>
#include <stdlib.h>

static const char s_about[] =
    "Connects to a brainsweep broker, asks for as many sweep points as it can\n"
    "run, runs them and sends back each point's time series and metrics. It\n"
    "keeps no state: start or stop workers on any machine at any time.\n";

static const char s_epilog[] =
    "On SIGINT or SIGTERM it stops taking work, finishes the points it is running\n"
    "(within the grace period), hands the rest back to the broker and exits 0.\n";

int
main (int argc, char **argv)
{
    bsw_memory_keep ();
    const char *broker = getenv ("BRAINSWEEP_BROKER"), *name = NULL;
    proto_curve_keys_t keys = {0};
    uint64_t threads = 0, lanes = 0, heartbeat_ms = 0, grace_ms = 0, deflate = 0;
    const bsw_opt_t options[] = {
        {.name = "broker",
         .letter = 'b',
         .kind = BSW_OPT_STRING,
         .dest = &broker,
         .arg = "ENDPOINT",
         .help = "the broker, e.g. tcp://head-node:5555\n(default: $BRAINSWEEP_BROKER)",
         .required = true},
        {.name = "threads",
         .letter = 't',
         .kind = BSW_OPT_U64,
         .dest = &threads,
         .arg = "N",
         .help = "compute threads (default: all cores)",
         .min = 1,
         .max = 4096},
        {.name = "lanes",
         .kind = BSW_OPT_U64,
         .dest = &lanes,
         .arg = "N",
         .help = "points integrated together per batch (default: by\n"
                 "connectivity size, 1 for 76 regions)",
         .min = 1,
         .max = 4096},
        {.name = "name",
         .kind = BSW_OPT_STRING,
         .dest = &name,
         .arg = "NAME",
         .help = "name in the broker's logs (default host:pid)"},
        {.name = "heartbeat-ms",
         .kind = BSW_OPT_U64,
         .dest = &heartbeat_ms,
         .arg = "N",
         .help = "heartbeat interval; must match the broker's (default 1000)",
         .min = 1,
         .max = 600000},
        {.name = "grace-ms",
         .kind = BSW_OPT_U64,
         .dest = &grace_ms,
         .arg = "N",
         .help = "on SIGTERM, how long to finish running points before\n"
                 "handing them back (default 30000)",
         .min = 1,
         .max = 10000000},
        {.name = "deflate",
         .kind = BSW_OPT_U64,
         .dest = &deflate,
         .arg = "LEVEL",
         .help = "compress each result's time series (shuffle +\n"
                 "deflate, 1-9): less to send and store, and export\n"
                 "files compressed inside, for some CPU here\n"
                 "(default 0: none, as TVB)",
         .min = 0,
         .max = 9},
        {.name = "broker-key",
         .kind = BSW_OPT_STRING,
         .dest = &keys.broker_key,
         .arg = "CERT",
         .help = "the broker's public certificate, to speak CurveZMQ\n"
                 "(default: $BRAINSWEEP_BROKER_KEY)"},
        {.name = "key",
         .kind = BSW_OPT_STRING,
         .dest = &keys.key,
         .arg = "CERT_secret",
         .help = "this worker's secret certificate (default:\n"
                 "$BRAINSWEEP_KEY); its public one must be in the\n"
                 "broker's --allow-workers folder"},
        {NULL}};
    const bsw_opts_t cmd = {"brainsweep-worker", s_about, options, s_epilog};
    int status = bsw_opts_main (&cmd, argc, argv);
    if (status != BSW_OPTS_GO)
        return status;
    proto_curve_keys_from_env (&keys);
    bsw_error_t err;
    if (proto_curve_keys_check (&keys, &err)) {
        fprintf (stderr, "brainsweep-worker: %s\n", err.text);
        return 2;
    }
    worker_config_t config = {.broker = broker,
                              .threads = (size_t) threads,
                              .lanes = (size_t) lanes,
                              .name = name,
                              .heartbeat_ms = (int) heartbeat_ms,
                              .stop_grace_ms = (int) grace_ms,
                              .deflate = (int) deflate,
                              .broker_key = keys.broker_key,
                              .key = keys.key};
    bsw_signals_block ();
    zsys_init ();
    zsys_set_logstream (stderr);
    zsys_set_logident ("brainsweep-worker");
    zactor_t *worker = zactor_new (worker_actor, &config);
    bsw_signals_unblock ();
    while (!zsys_interrupted)
        zclock_sleep (100);
    //  Finish or hand back, then go.
    zstr_send (worker, "STOP");
    zsock_wait (worker);
    zactor_destroy (&worker);
    return 0;
}
