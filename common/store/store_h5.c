/* store_h5.c - placeholder until its module lands. */
typedef int bsw_placeholder_store_h5_t;
