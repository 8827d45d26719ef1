/*  worker_main.c - `brainsweep-worker`: runs the worker actor until SIGINT
    or SIGTERM, then finishes or hands back its points. */
#include "worker.h"
#include "bsw_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static const char s_usage[] =
    "usage: brainsweep-worker --broker ENDPOINT [--threads N] [options]\n"
    "\n"
    "Connects to a brainsweep broker, asks for as many sweep points as it can\n"
    "run, runs them and sends back each point's time series and metrics. It\n"
    "keeps no state: start or stop workers on any machine at any time.\n"
    "\n"
    "  -b, --broker ENDPOINT  the broker, e.g. tcp://head-node:5555\n"
    "                         (default: $BRAINSWEEP_BROKER)\n"
    "  -t, --threads N        compute threads (default: all cores)\n"
    "      --lanes N          points integrated together per batch (default: by\n"
    "                         connectivity size, 1 for 76 regions)\n"
    "      --name NAME        name in the broker's logs (default host:pid)\n"
    "      --heartbeat-ms N   heartbeat interval; must match the broker's (default 1000)\n"
    "      --grace-ms N       on SIGTERM, how long to finish running points before\n"
    "                         handing them back (default 30000)\n"
    "      --deflate LEVEL    compress each result's time series inside its HDF5\n"
    "                         file (shuffle + deflate, 1-9): smaller results and\n"
    "                         zips for some CPU here (default: none, as TVB)\n"
    "  -h, --help             this text\n"
    "\n"
    "On SIGINT or SIGTERM it stops taking work, finishes the points it is running\n"
    "(within the grace period), hands the rest back to the broker and exits 0.\n";

int
main (int argc, char **argv)
{
    static const struct option options[] = {{"broker", required_argument, NULL, 'b'},
                                            {"threads", required_argument, NULL, 't'},
                                            {"lanes", required_argument, NULL, 'L'},
                                            {"name", required_argument, NULL, 'n'},
                                            {"heartbeat-ms", required_argument, NULL, 'H'},
                                            {"grace-ms", required_argument, NULL, 'G'},
                                            {"deflate", required_argument, NULL, 'D'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    worker_config_t config = {.broker = getenv ("BRAINSWEEP_BROKER")};
    uint64_t value;
    int opt;
    while ((opt = getopt_long (argc, argv, "b:t:h", options, NULL)) != -1) {
        switch (opt) {
        case 'b':
            config.broker = optarg;
            break;
        case 'n':
            config.name = optarg;
            break;
        case 't':
        case 'L':
        case 'H':
        case 'G':
        case 'D':
            if (bsw_parse_u64 (optarg, 1, 10000000, &value)) {
                fprintf (stderr, "brainsweep-worker: '%s' is not a positive number\n", optarg);
                return 2;
            }
            if (opt == 't')
                config.threads = (size_t) value;
            else if (opt == 'L')
                config.lanes = (size_t) value;
            else if (opt == 'D')
                config.deflate = value > 9 ? 9 : (int) value;
            else if (opt == 'H')
                config.heartbeat_ms = (int) value;
            else
                config.stop_grace_ms = (int) value;
            break;
        case 'h':
            fputs (s_usage, stdout);
            return 0;
        default:
            fputs (s_usage, stderr);
            return 2;
        }
    }
    if (!config.broker || !*config.broker || optind != argc) {
        fprintf (stderr, "brainsweep-worker: %s\n%s",
                 optind != argc ? "unexpected argument" : "--broker ENDPOINT is required", s_usage);
        return 2;
    }
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
