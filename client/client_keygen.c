/*  client_keygen.c - `brainsweep keygen PATH`: a CurveZMQ key pair for a
    broker, a worker or a client (proto_curve.h). */
#include "client.h"

#include "bsw_opts.h"
#include "bsw_util.h"
#include "proto_curve.h"

#include <stdio.h>
#include <string.h>

static const char s_about[] =
    "Makes a CurveZMQ key pair in CZMQ's certificate format: the public\n"
    "certificate in PATH (mode 0644), to hand to the other side, and the secret\n"
    "one in PATH_secret (mode 0600), which never leaves this machine. Refuses to\n"
    "overwrite either file.\n"
    "\n"
    "A broker's public certificate goes to its workers and clients (--broker-key);\n"
    "a worker's into the broker's --allow-workers folder, a client's into its\n"
    "--allow-clients (or --allow-admins) folder.\n";

static const char s_epilog[] =
    "Example, for a broker and one worker:\n"
    "  brainsweep keygen keys/broker          # on the broker's machine\n"
    "  brainsweep keygen keys/node1           # on the worker's machine\n"
    "  cp keys/node1 allowed-workers/         # its public half, to the broker\n"
    "  brainsweep-broker --key keys/broker_secret --allow-workers allowed-workers \\\n"
    "      --allow-clients allowed-clients -d data\n"
    "  brainsweep-worker --broker tcp://head:5555 --broker-key keys/broker \\\n"
    "      --key keys/node1_secret\n";

int
client_keygen_main (int argc, char **argv)
{
    const char *path = NULL, *name = NULL;
    const bsw_opt_t options[] = {{.name = "PATH",
                                  .kind = BSW_OPT_STRING,
                                  .dest = &path,
                                  .help = "where the public certificate goes (the secret one\n"
                                          "goes to PATH_secret)",
                                  .positional = true,
                                  .required = true},
                                 {.name = "name",
                                  .kind = BSW_OPT_STRING,
                                  .dest = &name,
                                  .arg = "NAME",
                                  .help = "the name inside both certificates (default: PATH's\n"
                                          "file name); letters, digits and ._@-"},
                                 {NULL}};
    const bsw_opts_t cmd = {"brainsweep keygen", s_about, options, s_epilog};
    int status = bsw_opts_main (&cmd, argc, argv);
    if (status != BSW_OPTS_GO)
        return status;
    if (!name) {
        const char *slash = strrchr (path, '/');
        name = slash ? slash + 1 : path;
    }
    bsw_error_t err;
    if (proto_curve_keygen (path, name, &err)) {
        fprintf (stderr, "brainsweep keygen: %s\n", err.text);
        return 1;
    }
    printf ("public key %s (give it to the other side), secret key %s_secret (keep it here)\n",
            path, path);
    return 0;
}
