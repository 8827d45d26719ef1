/*  spec_design.c - the sampling designs (spec_design.h). */
#include "spec_design.h"

#include "bsw_assert.h"

#include <math.h>

const char *
spec_design_name (spec_design_t design)
{
    switch (design) {
    case SPEC_DESIGN_GRID:
        return "grid";
    case SPEC_DESIGN_RANDOM:
        return "random";
    case SPEC_DESIGN_LHS:
        return "lhs";
    case SPEC_DESIGN_SOBOL:
        return "sobol";
    case SPEC_DESIGN_POINTS:
        return "points";
    }
    return "?";
}

//  SplitMix64's finaliser: a bijection of 64-bit words whose every output
//  bit depends on every input bit, so consecutive keys give unrelated words.
static uint64_t
s_mix (uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

//  One word for (seed, purpose, r, k): chained so that no two keys collide
//  in practice (each step is a bijection of the running word).
static uint64_t
s_hash (uint32_t seed, uint32_t purpose, uint64_t r, uint64_t k)
{
    uint64_t h = s_mix (((uint64_t) seed << 32) | purpose);
    h = s_mix (h ^ r);
    return s_mix (h ^ k);
}

//  [0, 1) from the top 53 bits: every value a multiple of 2^-53, exact.
static double
s_unit (uint64_t word)
{
    return (double) (word >> 11) * 0x1p-53;
}

//  pi(k): a permutation of 0..n-1 keyed by (seed, r). A balanced Feistel
//  network permutes 0..2^(2 half)-1 with 2^(2 half) < 4n; walking its cycle
//  until the value falls below n restricts it to a permutation of 0..n-1
//  (fewer than 4 steps on average).
static uint64_t
s_permute (uint32_t seed, uint64_t r, uint64_t n, uint64_t k)
{
    unsigned half = 1;
    while (half < 32 && (1ull << (2 * half)) < n)
        half++;
    uint64_t mask = (1ull << half) - 1;
    uint64_t x = k;
    do {
        uint64_t left = x >> half, right = x & mask;
        for (uint32_t round = 0; round < 4; round++) {
            uint64_t f = s_hash (seed, 0x4c485300u + round, r, right) & mask;
            uint64_t next = left ^ f;
            left = right;
            right = next;
        }
        x = (left << half) | right;
    } while (x >= n);
    return x;
}

//  Joe and Kuo's rows for dimensions 2..64: {s, a, {m_1..m_s}}.
typedef struct {
    unsigned s, a;
    unsigned m[9];
} s_jk_t;

static const s_jk_t s_jk[SPEC_SOBOL_MAX_DIMS - 1] = {
#include "spec_sobol_jk.inc"
};

//  Direction numbers v_1..v_30 of dimension r (0-based), as integers of 30
//  bits (Bratley and Fox's recurrence).
static void
s_sobol_directions (size_t r, uint32_t v[SPEC_SOBOL_BITS])
{
    if (r == 0) {
        for (unsigned j = 0; j < SPEC_SOBOL_BITS; j++)
            v[j] = 1u << (SPEC_SOBOL_BITS - 1 - j);
        return;
    }
    const s_jk_t *row = &s_jk[r - 1];
    for (unsigned j = 0; j < row->s && j < SPEC_SOBOL_BITS; j++)
        v[j] = row->m[j] << (SPEC_SOBOL_BITS - 1 - j);
    for (unsigned j = row->s; j < SPEC_SOBOL_BITS; j++) {
        uint32_t x = v[j - row->s] ^ (v[j - row->s] >> row->s);
        for (unsigned q = 1; q < row->s; q++)
            if ((row->a >> (row->s - 1 - q)) & 1u)
                x ^= v[j - q];
        v[j] = x;
    }
}

//  The k-th point in Gray-code order is the XOR of the direction numbers
//  of the set bits of gray(k) = k ^ (k >> 1).
static double
s_sobol (uint64_t k, size_t r)
{
    uint32_t v[SPEC_SOBOL_BITS];
    s_sobol_directions (r, v);
    uint64_t gray = k ^ (k >> 1);
    uint32_t x = 0;
    for (unsigned j = 0; j < SPEC_SOBOL_BITS && gray; j++, gray >>= 1)
        if (gray & 1u)
            x ^= v[j];
    return (double) x * 0x1p-30;
}

double
spec_design_unit (spec_design_t design, uint32_t seed, uint64_t n, uint64_t k, size_t r)
{
    switch (design) {
    case SPEC_DESIGN_RANDOM:
        return s_unit (s_hash (seed, 0x524e4400u, r, k));
    case SPEC_DESIGN_LHS: {
        uint64_t stratum = s_permute (seed, r, n, k);
        double jitter = s_unit (s_hash (seed, 0x4a495400u, r, k));
        double u = ((double) stratum + jitter) / (double) n;
        return u < 1.0 ? u : nextafter (1.0, 0.0);
    }
    case SPEC_DESIGN_SOBOL:
        BSW_ASSERT (r < SPEC_SOBOL_MAX_DIMS && k < SPEC_SOBOL_MAX_N);
        return s_sobol (k, r);
    case SPEC_DESIGN_GRID:
    case SPEC_DESIGN_POINTS:
        break;
    }
    BSW_ASSERT (!"spec_design_unit of a design that is not sampled");
    return 0.0;
}

double
spec_design_value (spec_design_t design, uint32_t seed, uint64_t n, uint64_t k, size_t r, double lo,
                   double hi)
{
    double value = lo + (hi - lo) * spec_design_unit (design, seed, n, k, r);
    if (design == SPEC_DESIGN_LHS) {
        //  Rounding of lo + (hi - lo) * u can cross a stratum's edge when
        //  the jitter is at it; the stratum's middle cannot.
        uint64_t stratum = s_permute (seed, r, n, k);
        double at = floor ((value - lo) / (hi - lo) * (double) n);
        if (at != (double) stratum)
            value = lo + (hi - lo) * (((double) stratum + 0.5) / (double) n);
    }
    if (value >= hi)
        value = nextafter (hi, lo);
    return value < lo ? lo : value;
}
