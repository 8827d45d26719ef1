/*  sim_setup_test.c - placeholder until its module lands. */
#include "bsw_test.h"
static int s_placeholder (void) { return BSW_TEST_SKIP; }
static const bsw_test_case_t s_cases[] = {{"placeholder", s_placeholder}, {NULL, NULL}};
int main (int argc, char **argv) { return bsw_test_main (argc, argv, s_cases); }
