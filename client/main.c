/*  main.c - `brainsweep`: dispatches to one command. */
#include "client.h"

#include "bsw_util.h"

#include <czmq.h>

#include <stdio.h>
#include <string.h>

static const char s_usage[] =
    "usage: brainsweep COMMAND [ARGS]\n"
    "\n"
    "TVB parameter space exploration (PSE) of six of its neural mass models, fast.\n"
    "\n"
    "Commands:\n"
    "  run SPEC.json -o FILE.zip        a whole sweep on this machine (embedded broker\n"
    "                                   and workers), ending with the zip and a summary\n"
    "  simulate SPEC.json [-o OUT.h5]   run one simulation; print its metrics as JSON\n"
    "  plot FILE.zip -o OUT.svg         the sweep's PSE view (.svg, .png, .pdf, or an\n"
    "                                   interactive .html); --point K: a time series\n"
    "\n"
    "With a broker (--broker ENDPOINT or $BRAINSWEEP_BROKER; with CurveZMQ also\n"
    "--broker-key CERT --key CERT_secret, or $BRAINSWEEP_BROKER_KEY and $BRAINSWEEP_KEY):\n"
    "  submit SPEC.json [--range P=lo:hi:step]... [--name N]   submit a sweep, print its ID\n"
    "  list                             every sweep (with keys: your own)\n"
    "  status ID [--json]               one sweep's counts, rate and ETA\n"
    "  watch ID                         a live progress bar until the sweep ends\n"
    "  fetch ID -o FILE.zip             download the sweep's TVB-format zip\n"
    "  cancel ID                        stop dispatching a sweep (results are kept)\n"
    "  retry ID                         run the failed points again\n"
    "  refine ID --metric NAME [--levels L]   halve a finished grid's cells where the\n"
    "                                   metric changes sharply; runs the new points\n"
    "  stats [--json]                   the broker's counters: sweeps, workers joined\n"
    "                                   and lost, points requeued, errors by code\n"
    "  plot ID -o OUT.png               the PSE view of a sweep, running or finished\n"
    "\n"
    "  keygen PATH                      a CurveZMQ key pair: PATH (public) and\n"
    "                                   PATH_secret, for a broker, worker or client\n"
    "\n"
    "  brainsweep COMMAND --help        details of one command\n"
    "  brainsweep --version             the version\n";

int
main (int argc, char **argv)
{
    bsw_memory_keep ();
    if (argc < 2) {
        fputs (s_usage, stderr);
        return 2;
    }
    const char *command = argv[1];
    if (strcmp (command, "--help") == 0 || strcmp (command, "-h") == 0 ||
        strcmp (command, "help") == 0) {
        fputs (s_usage, stdout);
        return 0;
    }
    if (strcmp (command, "--version") == 0) {
        printf ("brainsweep %s\n", BSW_VERSION_STRING);
        return 0;
    }
    static const struct {
        const char *name;
        int (*main) (int, char **);
    } commands[] = {{"simulate", client_simulate_main}, {"run", client_run_main},
                    {"submit", client_submit_main},     {"list", client_list_main},
                    {"status", client_status_main},     {"watch", client_watch_main},
                    {"fetch", client_fetch_main},       {"cancel", client_cancel_main},
                    {"retry", client_retry_main},       {"plot", client_plot_main},
                    {"stats", client_stats_main},       {"keygen", client_keygen_main},
                    {"refine", client_refine_main}};
    for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
        if (strcmp (command, commands[k].name) == 0) {
            //  Log lines (broker and worker actors) go to stderr: stdout is
            //  the command's output.
            zsys_set_logstream (stderr);
            return commands[k].main (argc - 1, argv + 1);
        }
    fprintf (stderr, "brainsweep: unknown command '%s'\n\n%s", command, s_usage);
    return 2;
}
