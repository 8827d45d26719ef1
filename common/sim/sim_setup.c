/* sim_setup.c - placeholder. */
typedef int bsw_placeholder_sim_setup_t;
