/* sim_connectivity.c - placeholder until its module lands. */
typedef int bsw_placeholder_sim_connectivity_t;
