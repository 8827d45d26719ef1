/*  client.h - the brainsweep CLI's commands, one entry point each. Each
    takes the command's own argv (argv[0] = command name) and returns the
    process exit status: 0 success, 1 failure, 2 bad usage. */
#ifndef CLIENT_H_INCLUDED
#define CLIENT_H_INCLUDED

#include "bsw_error.h"
#include "sim_connectivity.h"
#include "spec.h"

int client_simulate_main (int argc, char **argv);
int client_submit_main (int argc, char **argv);
int client_list_main (int argc, char **argv);
int client_status_main (int argc, char **argv);
int client_watch_main (int argc, char **argv);
int client_fetch_main (int argc, char **argv);
int client_cancel_main (int argc, char **argv);
int client_retry_main (int argc, char **argv);
int client_refine_main (int argc, char **argv);
int client_stats_main (int argc, char **argv);
int client_run_main (int argc, char **argv);
int client_plot_main (int argc, char **argv);
int client_keygen_main (int argc, char **argv);

/*  The spec's connectivity: built-in default, or the TVB zip it names. */
int client_load_connectivity (const spec_t *spec, sim_connectivity_t **conn_p, bsw_error_t *err);

#endif
