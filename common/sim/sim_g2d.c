/* sim_g2d.c - placeholder. */
typedef int bsw_placeholder_sim_g2d_t;
