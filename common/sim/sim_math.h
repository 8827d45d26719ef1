/*  sim_math.h - exp, sin and cos for the tile kernels: branch-free, so a
    loop over a tile's elements that calls them is vectorised (libm's are
    calls, one element at a time: they made ReducedWongWang and Kuramoto
    ten times slower per step than the Generic 2D Oscillator, bench_models),
    and written with explicit fma only, so every target clone and machine
    gives the same bits (sim_model.h, SIM_HOT).

    Accuracy: within 1 to 2 ulp of the true value (checked against libm in
    sim_math_test over the ranges the models reach); the reference
    tolerances are 1e-6. Cody-Waite range reduction with a three-part
    constant, then a Taylor polynomial in Horner form.
*/
#ifndef SIM_MATH_H_INCLUDED
#define SIM_MATH_H_INCLUDED

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "sim_model.h"

/*  1.5 * 2^52: added to a double below 2^51 in magnitude, it leaves that
    double's nearest integer in the low bits of the sum. */
#define SIM_MATH_ROUNDER 0x1.8p52

SIM_INLINE uint64_t
sim_math_bits (double x)
{
    uint64_t u;
    memcpy (&u, &x, sizeof u);
    return u;
}

SIM_INLINE double
sim_math_double (uint64_t u)
{
    double x;
    memcpy (&x, &u, sizeof x);
    return x;
}

/*  e^x. Below -745.2 it is 0, above 709.8 infinity, NaN stays NaN. */
SIM_INLINE double
sim_exp (double x)
{
    //  Clamped so that 2^k below splits into two normal powers of 2; a NaN
    //  passes the comparisons unchanged.
    double xc = x < -746.0 ? -746.0 : x > 710.0 ? 710.0 : x;
    double kd = fma (xc, 0x1.71547652b82fep0, SIM_MATH_ROUNDER); /* x / ln 2, rounded */
    int64_t k = (int64_t) (sim_math_bits (kd) - sim_math_bits (SIM_MATH_ROUNDER));
    kd -= SIM_MATH_ROUNDER;
    //  r = x - k ln 2, |r| <= ln 2 / 2, with ln 2 in three parts.
    double r = fma (-kd, 0x1.62e42fefa39efp-1, xc);
    r = fma (-kd, 0x1.abc9e3b39803fp-56, r);
    //  e^r by its Taylor series to r^13 (remainder below 2^-58).
    double p = 1.0 / 6227020800.0;
    p = fma (p, r, 1.0 / 479001600.0);
    p = fma (p, r, 1.0 / 39916800.0);
    p = fma (p, r, 1.0 / 3628800.0);
    p = fma (p, r, 1.0 / 362880.0);
    p = fma (p, r, 1.0 / 40320.0);
    p = fma (p, r, 1.0 / 5040.0);
    p = fma (p, r, 1.0 / 720.0);
    p = fma (p, r, 1.0 / 120.0);
    p = fma (p, r, 1.0 / 24.0);
    p = fma (p, r, 1.0 / 6.0);
    p = fma (p, r, 0.5);
    p = fma (p, r, 1.0);
    p = fma (p, r, 1.0);
    //  2^k as two factors, each a normal number for k in [-1077, 1025].
    int64_t k1 = k / 2, k2 = k - k1;
    double s1 = sim_math_double ((uint64_t) (k1 + 1023) << 52);
    double s2 = sim_math_double ((uint64_t) (k2 + 1023) << 52);
    return p * s1 * s2;
}

/*  sin x and cos x. Exact reduction for |x| up to about 2^40 (far beyond
    a phase's growth in a simulation); NaN and infinities give NaN. */
SIM_INLINE void
sim_sincos (double x, double *sin_out, double *cos_out)
{
    double kd = fma (x, 0x1.45f306dc9c883p-1, SIM_MATH_ROUNDER); /* x / (pi/2), rounded */
    uint64_t q = sim_math_bits (kd) - sim_math_bits (SIM_MATH_ROUNDER);
    kd -= SIM_MATH_ROUNDER;
    //  r = x - k pi/2, |r| <= pi/4, with pi/2 in three parts.
    double r = fma (-kd, 0x1.921fb54442d18p0, x);
    r = fma (-kd, 0x1.1a62633145c07p-54, r);
    r = fma (-kd, -0x1.f1976b7ed8fbcp-110, r);
    double r2 = r * r;
    //  Taylor series: sin to r^17, cos to r^18 (remainders below 2^-57).
    double s = -1.0 / 355687428096000.0;
    s = fma (s, r2, 1.0 / 1307674368000.0);
    s = fma (s, r2, -1.0 / 6227020800.0);
    s = fma (s, r2, 1.0 / 39916800.0);
    s = fma (s, r2, -1.0 / 362880.0);
    s = fma (s, r2, 1.0 / 5040.0);
    s = fma (s, r2, -1.0 / 120.0);
    s = fma (s, r2, 1.0 / 6.0);
    s = fma (-s, r2 * r, r); /* r - r^3 (1/6 - ...) */
    double c = 1.0 / 6402373705728000.0;
    c = fma (c, r2, -1.0 / 20922789888000.0);
    c = fma (c, r2, 1.0 / 87178291200.0);
    c = fma (c, r2, -1.0 / 479001600.0);
    c = fma (c, r2, 1.0 / 3628800.0);
    c = fma (c, r2, -1.0 / 40320.0);
    c = fma (c, r2, 1.0 / 720.0);
    c = fma (c, r2, -1.0 / 24.0);
    c = fma (c, r2, 0.5);
    c = fma (-c, r2, 1.0);
    //  The quadrant: sin x = s, c, -s, -c and cos x = c, -s, -c, s.
    double sa = q & 1 ? c : s, ca = q & 1 ? s : c;
    *sin_out = q & 2 ? -sa : sa;
    *cos_out = (q + 1) & 2 ? -ca : ca;
}

#endif
