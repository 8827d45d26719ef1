/* spec.c - placeholder until its module lands. */
typedef int bsw_placeholder_spec_t;
