/* sim_monitor.c - placeholder. */
typedef int bsw_placeholder_sim_monitor_t;
