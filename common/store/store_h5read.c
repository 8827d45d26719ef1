/* store_h5read.c - placeholder until its module lands. */
typedef int bsw_placeholder_store_h5read_t;
