/* store_connectivity.c - placeholder until its module lands. */
typedef int bsw_placeholder_store_connectivity_t;
