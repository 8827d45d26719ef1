/*  main.c - `brainsweep`: dispatches to one command. */
#include "client.h"

#include "bsw_util.h"

#include <stdio.h>
#include <string.h>

static const char s_usage[] =
    "usage: brainsweep COMMAND [ARGS]\n"
    "\n"
    "TVB parameter space exploration (Generic 2D Oscillator PSE), fast.\n"
    "\n"
    "Commands:\n"
    "  simulate SPEC.json [-o OUT.h5]   run one simulation; print its metrics as JSON\n"
    "\n"
    "  brainsweep COMMAND --help        details of one command\n"
    "  brainsweep --version             the version\n";

int
main (int argc, char **argv)
{
    if (argc < 2) {
        fputs (s_usage, stderr);
        return 2;
    }
    const char *command = argv[1];
    if (strcmp (command, "--help") == 0 || strcmp (command, "-h") == 0 || strcmp (command, "help") == 0) {
        fputs (s_usage, stdout);
        return 0;
    }
    if (strcmp (command, "--version") == 0) {
        printf ("brainsweep %s\n", BSW_VERSION_STRING);
        return 0;
    }
    if (strcmp (command, "simulate") == 0)
        return client_simulate_main (argc - 1, argv + 1);
    fprintf (stderr, "brainsweep: unknown command '%s'\n\n%s", command, s_usage);
    return 2;
}
