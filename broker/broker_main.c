/*  broker_main.c - `brainsweep-broker`: runs the broker actor until SIGINT
    or SIGTERM. */
#include "broker.h"
#include "bsw_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static const char s_usage[] =
    "usage: brainsweep-broker --data DIR [--bind ENDPOINT] [options]\n"
    "\n"
    "Holds the sweep queue and every sweep's results (its DataTypeGroup) durably\n"
    "in DIR (SQLite in WAL mode plus one HDF5 file per finished point). Workers\n"
    "(brainsweep-worker) and clients (brainsweep --broker) connect to ENDPOINT.\n"
    "A broker killed at any moment and restarted resumes every unfinished sweep\n"
    "and loses no finished result.\n"
    "\n"
    "  -b, --bind ENDPOINT      ZeroMQ endpoint to bind (default tcp://*:5555)\n"
    "  -d, --data DIR           durable state folder (required; created if absent)\n"
    "      --heartbeat-ms N     heartbeat interval; a worker silent for 3 is gone\n"
    "                           and its points are requeued (default 1000)\n"
    "      --max-points N       most points one sweep may have (default 10000000)\n"
    "      --max-message BYTES  largest blob one message may carry, e.g. a result\n"
    "                           or a connectivity (default 536870912)\n"
    "  -h, --help               this text\n"
    "\n"
    "Logs go to standard error. SIGINT or SIGTERM stops it cleanly.\n";

int
main (int argc, char **argv)
{
    static const struct option options[] = {{"bind", required_argument, NULL, 'b'},
                                            {"data", required_argument, NULL, 'd'},
                                            {"heartbeat-ms", required_argument, NULL, 'H'},
                                            {"max-points", required_argument, NULL, 'P'},
                                            {"max-message", required_argument, NULL, 'M'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    broker_config_t config = {.bind = "tcp://*:5555"};
    uint64_t value;
    int opt;
    while ((opt = getopt_long (argc, argv, "b:d:h", options, NULL)) != -1) {
        switch (opt) {
        case 'b':
            config.bind = optarg;
            break;
        case 'd':
            config.data_dir = optarg;
            break;
        case 'H':
        case 'P':
        case 'M':
            if (bsw_parse_u64 (optarg, 1, UINT64_MAX, &value)) {
                fprintf (stderr, "brainsweep-broker: '%s' is not a positive number\n", optarg);
                return 2;
            }
            if (opt == 'H')
                config.heartbeat_ms = value > 600000 ? 600000 : (int) value;
            else if (opt == 'P')
                config.max_points = value;
            else
                config.max_message = value;
            break;
        case 'h':
            fputs (s_usage, stdout);
            return 0;
        default:
            fputs (s_usage, stderr);
            return 2;
        }
    }
    if (!config.data_dir || optind != argc) {
        fprintf (stderr, "brainsweep-broker: %s\n%s",
                 optind != argc ? "unexpected argument" : "--data DIR is required", s_usage);
        return 2;
    }
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
