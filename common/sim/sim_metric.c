/* sim_metric.c - placeholder. */
typedef int bsw_placeholder_sim_metric_t;
