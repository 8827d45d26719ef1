/* spec_range.c - placeholder until its module lands. */
typedef int bsw_placeholder_spec_range_t;
