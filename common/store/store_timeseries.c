/* store_timeseries.c - placeholder until its module lands. */
typedef int bsw_placeholder_store_timeseries_t;
