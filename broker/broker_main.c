/*  broker_main.c - `brainsweep-broker`: runs the broker actor until SIGINT
    or SIGTERM. */
#include "broker.h"
#include "bsw_opts.h"
#include "bsw_util.h"

#include <stdio.h>
#include <stdlib.h>

static const char s_about[] =
    "Holds the sweep queue and every sweep's results (its DataTypeGroup) durably\n"
    "in DIR: SQLite in WAL mode, and each sweep's time series, as the workers sent\n"
    "them, in one file (DIR/sweeps/ID/series.bin). Workers (brainsweep-worker) and\n"
    "clients (brainsweep --broker) connect to ENDPOINT.\n"
    "A broker killed at any moment and restarted resumes every unfinished sweep\n"
    "and loses no finished result.\n";

int
main (int argc, char **argv)
{
    bsw_memory_keep ();
    const char *bind = "tcp://*:5555", *data_dir = NULL;
    uint64_t heartbeat_ms = 0, max_points = 0, max_message = 0;
    const bsw_opt_t options[] = {{.name = "bind",
                                  .letter = 'b',
                                  .kind = BSW_OPT_STRING,
                                  .dest = &bind,
                                  .arg = "ENDPOINT",
                                  .help = "ZeroMQ endpoint to bind (default tcp://*:5555)"},
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
                                  .help = "largest blob one message may carry, e.g. a result\n"
                                          "or a connectivity (default 536870912)",
                                  .min = 1},
                                 {NULL}};
    const bsw_opts_t cmd = {"brainsweep-broker", s_about, options,
                            "Logs go to standard error. SIGINT or SIGTERM stops it cleanly.\n"};
    int status = bsw_opts_main (&cmd, argc, argv);
    if (status != BSW_OPTS_GO)
        return status;
    broker_config_t config = {.bind = bind,
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
    bsw_signals_unblock ();
    while (!zsys_interrupted)
        zclock_sleep (100);
    zactor_destroy (&broker);
    return 0;
}
