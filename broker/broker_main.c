/*  broker_main.c - `brainsweep-broker`: runs the broker actor until SIGINT
    or SIGTERM; SIGHUP reloads the key folders. */
#include "broker.h"
#include "bsw_opts.h"
#include "bsw_util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static const char s_about[] =
    "Holds the sweep queue and every sweep's results (its DataTypeGroup) durably\n"
    "in DIR: SQLite in WAL mode, and each sweep's time series, as the workers sent\n"
    "them, in one file (DIR/sweeps/ID/series.bin). Workers (brainsweep-worker) and\n"
    "clients (brainsweep --broker) connect to ENDPOINT.\n"
    "A broker killed at any moment and restarted resumes every unfinished sweep\n"
    "and loses no finished result.\n"
    "\n"
    "Between machines, give it CurveZMQ keys (make them with `brainsweep keygen`):\n"
    "--key with its own secret certificate, and folders of the public certificates\n"
    "of the workers and clients it accepts. Traffic is then encrypted, a key in\n"
    "no folder is refused at the handshake, a worker's key can only act as a\n"
    "worker and a client's only as a client, and a client sees and manages only\n"
    "the sweeps it submitted (an admin's key: every sweep). Without --key the\n"
    "broker binds only loopback addresses, unless given --insecure.\n";

static const char s_epilog[] =
    "Logs go to standard error. SIGINT or SIGTERM stops it cleanly. SIGHUP reads\n"
    "the key folders again (they are also looked at every 2 s): a key added is\n"
    "let in, and a key removed is refused from then on, on open connections too.\n";

static volatile sig_atomic_t s_reload;

static void
s_on_sighup (int signum)
{
    (void) signum;
    s_reload = 1;
}

int
main (int argc, char **argv)
{
    bsw_memory_keep ();
    const char *bind = NULL, *data_dir = NULL, *key = NULL, *allow_workers = NULL,
               *allow_clients = NULL, *allow_admins = NULL;
    uint64_t heartbeat_ms = 0, max_points = 0, max_message = 0;
    bool insecure = false;
    const bsw_opt_t options[] = {{.name = "bind",
                                  .letter = 'b',
                                  .kind = BSW_OPT_STRING,
                                  .dest = &bind,
                                  .arg = "ENDPOINT",
                                  .help = "ZeroMQ endpoint to bind (default tcp://*:5555 with\n"
                                          "--key or --insecure, else tcp://127.0.0.1:5555)"},
                                 {.name = "key",
                                  .kind = BSW_OPT_STRING,
                                  .dest = &key,
                                  .arg = "CERT_secret",
                                  .help = "the broker's secret certificate: speak CurveZMQ"},
                                 {.name = "allow-workers",
                                  .kind = BSW_OPT_STRING,
                                  .dest = &allow_workers,
                                  .arg = "DIR",
                                  .help = "folder of the workers' public certificates\n"
                                          "(needed with --key)"},
                                 {.name = "allow-clients",
                                  .kind = BSW_OPT_STRING,
                                  .dest = &allow_clients,
                                  .arg = "DIR",
                                  .help = "folder of the clients' public certificates\n"
                                          "(needed with --key)"},
                                 {.name = "allow-admins",
                                  .kind = BSW_OPT_STRING,
                                  .dest = &allow_admins,
                                  .arg = "DIR",
                                  .help = "folder of admins' public certificates: clients\n"
                                          "that may act on every sweep"},
                                 {.name = "insecure",
                                  .kind = BSW_OPT_FLAG,
                                  .dest = &insecure,
                                  .help = "serve a non-loopback endpoint without keys: anyone\n"
                                          "who reaches it may do anything (logged loudly)"},
                                 {.name = "data",
                                  .letter = 'd',
                                  .kind = BSW_OPT_STRING,
                                  .dest = &data_dir,
                                  .arg = "DIR",
                                  .help = "durable state folder (required; created if absent)",
                                  .required = true},
                                 {.name = "heartbeat-ms",
                                  .kind = BSW_OPT_U64,
                                  .dest = &heartbeat_ms,
                                  .arg = "N",
                                  .help = "heartbeat interval; a worker silent for 3 is gone\n"
                                          "and its points are requeued (default 1000)",
                                  .min = 1,
                                  .max = 600000},
                                 {.name = "max-points",
                                  .kind = BSW_OPT_U64,
                                  .dest = &max_points,
                                  .arg = "N",
                                  .help = "most points one sweep may have (default 10000000)",
                                  .min = 1},
                                 {.name = "max-message",
                                  .kind = BSW_OPT_U64,
                                  .dest = &max_message,
                                  .arg = "BYTES",
                                  .help = "largest blob one message may carry: a point's\n"
                                          "series or a connectivity (default 536870912);\n"
                                          "workers fail a point whose series exceeds it",
                                  .min = 1},
                                 {NULL}};
    const bsw_opts_t cmd = {"brainsweep-broker", s_about, options, s_epilog};
    int status = bsw_opts_main (&cmd, argc, argv);
    if (status != BSW_OPTS_GO)
        return status;
    if (!key && (allow_workers || allow_clients || allow_admins)) {
        fprintf (stderr, "brainsweep-broker: --allow-workers, --allow-clients and --allow-admins "
                         "need --key (the broker's secret certificate)\n");
        return 2;
    }
    if (key && (!allow_workers || !allow_clients)) {
        fprintf (stderr, "brainsweep-broker: --key needs --allow-workers DIR and --allow-clients "
                         "DIR\n");
        return 2;
    }
    if (!bind)
        bind = key || insecure ? "tcp://*:5555" : "tcp://127.0.0.1:5555";
    broker_config_t config = {.bind = bind,
                              .key = key,
                              .allow_workers = allow_workers,
                              .allow_clients = allow_clients,
                              .allow_admins = allow_admins,
                              .insecure = insecure,
                              .data_dir = data_dir,
                              .heartbeat_ms = (int) heartbeat_ms,
                              .max_points = max_points,
                              .max_message = max_message};
    bsw_signals_block ();
    zsys_init ();
    zsys_set_logstream (stderr);
    zsys_set_logident ("brainsweep-broker");
    zactor_t *broker = broker_start (&config);
    if (!broker)
        return 1;
    struct sigaction hup = {.sa_handler = s_on_sighup};
    sigemptyset (&hup.sa_mask);
    sigaction (SIGHUP, &hup, NULL);
    bsw_signals_unblock ();
    while (!zsys_interrupted) {
        zclock_sleep (100);
        if (s_reload) {
            s_reload = 0;
            zstr_send (broker, "RELOAD");
            char *answer = zstr_recv (broker);
            zstr_free (&answer);
        }
    }
    zactor_destroy (&broker);
    return 0;
}
