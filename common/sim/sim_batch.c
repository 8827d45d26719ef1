/* sim_batch.c - placeholder. */
typedef int bsw_placeholder_sim_batch_t;
