/*  spec_design.h - where the points of a sampled sweep fall
    (shared/spec/SWEEP-SPEC.md "Sampling").

    Each design gives point k's coordinate along axis r as a number in
    [0, 1), computed from (design, seed, number of points, k, r) alone:
    nothing is stored, any worker or broker computes any point in O(1)
    (Sobol: O(30)), and the same seed gives the same points on any machine
    (integer arithmetic, then one exact conversion to double).

    * random: 53 bits of SplitMix64 over a key of (seed, r, k).
    * lhs: along axis r, point k lies in stratum pi_r(k) of the N equal
      strata, pi_r a permutation of 0..N-1 keyed by (seed, r) (a 4-round
      Feistel network on the next even power of two, cycle-walked into
      0..N-1: a bijection that costs no memory for any N), jittered
      uniformly within it.
    * sobol: the unscrambled Sobol sequence in Gray-code order with Joe and
      Kuo's direction numbers and 30 bits, which is what
      scipy.stats.qmc.Sobol(d, scramble=False) gives; point 0 is 0.
*/
#ifndef SPEC_DESIGN_H_INCLUDED
#define SPEC_DESIGN_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

typedef enum {
    SPEC_DESIGN_GRID = 0, /* the Cartesian product of the ranges' values */
    SPEC_DESIGN_RANDOM,   /* "sampling": independent uniform values */
    SPEC_DESIGN_LHS,      /* "sampling": a Latin hypercube */
    SPEC_DESIGN_SOBOL,    /* "sampling": the Sobol sequence */
    SPEC_DESIGN_POINTS,   /* "points": listed one by one */
} spec_design_t;

#define SPEC_SOBOL_MAX_DIMS 64         /* axes Joe and Kuo's numbers are carried for */
#define SPEC_SOBOL_BITS     30         /* as scipy: at most 2^30 distinct points */
#define SPEC_SOBOL_MAX_N    (1u << 30) /* points before the sequence repeats */

/*  "grid", "random", "lhs", "sobol", "points". */
const char *spec_design_name (spec_design_t design);

/*  Point k (< n) of a sampling design (random, lhs or sobol) along axis r,
    in [0, 1). Sobol needs r < SPEC_SOBOL_MAX_DIMS and k < SPEC_SOBOL_MAX_N
    (the spec checks both). */
double spec_design_unit (spec_design_t design, uint32_t seed, uint64_t n, uint64_t k, size_t r);

/*  lo + (hi - lo) * u, kept below hi (rounding could reach it) and, for
    lhs, inside the stratum the design chose. */
double spec_design_value (spec_design_t design, uint32_t seed, uint64_t n, uint64_t k, size_t r,
                          double lo, double hi);

#endif
