/* sim_rng.c - placeholder. */
typedef int bsw_placeholder_sim_rng_t;
