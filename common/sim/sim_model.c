/* sim_model.c - placeholder. */
typedef int bsw_placeholder_sim_model_t;
