/*  sim_rng.c - MT19937 (Matsumoto and Nishimura's published algorithm) and
    numpy's legacy double and normal conversions (TVB.md 3.6). */
#include "sim_rng.h"
#include "sim_model.h" /* SIM_HOT */

#include <math.h>

#define MT_M        397
#define MT_MATRIX_A 0x9908b0dfU
#define MT_UPPER    0x80000000U
#define MT_LOWER    0x7fffffffU

void
sim_rng_init_genrand (sim_rng_t *self, uint32_t seed)
{
    self->mt[0] = seed;
    for (int k = 1; k < SIM_RNG_MT_N; k++) {
        uint32_t prev = self->mt[k - 1];
        self->mt[k] = 1812433253U * (prev ^ (prev >> 30)) + (uint32_t) k;
    }
    self->index = SIM_RNG_MT_N;
    self->has_gauss = 0;
    self->gauss = 0.0;
}

void
sim_rng_init_by_array (sim_rng_t *self, const uint32_t *key, int key_length)
{
    sim_rng_init_genrand (self, 19650218U);
    uint32_t *mt = self->mt;
    int i = 1, j = 0;
    int k = SIM_RNG_MT_N > key_length ? SIM_RNG_MT_N : key_length;
    for (; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525U)) + key[j] + (uint32_t) j;
        i++;
        j++;
        if (i >= SIM_RNG_MT_N) {
            mt[0] = mt[SIM_RNG_MT_N - 1];
            i = 1;
        }
        if (j >= key_length)
            j = 0;
    }
    for (k = SIM_RNG_MT_N - 1; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941U)) - (uint32_t) i;
        i++;
        if (i >= SIM_RNG_MT_N) {
            mt[0] = mt[SIM_RNG_MT_N - 1];
            i = 1;
        }
    }
    mt[0] = 0x80000000U; /* non-zero initial state is assured */
    self->index = SIM_RNG_MT_N;
}

void
sim_rng_init (sim_rng_t *self, uint32_t seed, uint64_t point_index)
{
    if (point_index == 0) {
        sim_rng_init_genrand (self, seed);
        return;
    }
    uint32_t key[3] = {seed, (uint32_t) point_index, (uint32_t) (point_index >> 32)};
    sim_rng_init_by_array (self, key, 3);
}

SIM_HOT static void
s_generate (sim_rng_t *self)
{
    uint32_t *mt = self->mt;
    int k;
    for (k = 0; k < SIM_RNG_MT_N - MT_M; k++) {
        uint32_t y = (mt[k] & MT_UPPER) | (mt[k + 1] & MT_LOWER);
        mt[k] = mt[k + MT_M] ^ (y >> 1) ^ ((y & 1U) ? MT_MATRIX_A : 0U);
    }
    for (; k < SIM_RNG_MT_N - 1; k++) {
        uint32_t y = (mt[k] & MT_UPPER) | (mt[k + 1] & MT_LOWER);
        mt[k] = mt[k + (MT_M - SIM_RNG_MT_N)] ^ (y >> 1) ^ ((y & 1U) ? MT_MATRIX_A : 0U);
    }
    uint32_t y = (mt[SIM_RNG_MT_N - 1] & MT_UPPER) | (mt[0] & MT_LOWER);
    mt[SIM_RNG_MT_N - 1] = mt[MT_M - 1] ^ (y >> 1) ^ ((y & 1U) ? MT_MATRIX_A : 0U);
    self->index = 0;
}

SIM_INLINE uint32_t
s_temper (uint32_t y)
{
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= y >> 18;
    return y;
}

uint32_t
sim_rng_u32 (sim_rng_t *self)
{
    if (self->index >= SIM_RNG_MT_N)
        s_generate (self);
    return s_temper (self->mt[self->index++]);
}

/*  count successive sim_rng_u32 values: whole runs of the state at once,
    so the tempering is one flat loop. */
SIM_INLINE void
s_fill_u32 (sim_rng_t *self, uint32_t *out, size_t count)
{
    while (count) {
        if (self->index >= SIM_RNG_MT_N)
            s_generate (self);
        size_t run = (size_t) (SIM_RNG_MT_N - self->index);
        run = run < count ? run : count;
        const uint32_t *mt = self->mt + self->index;
        for (size_t k = 0; k < run; k++)
            out[k] = s_temper (mt[k]);
        self->index += (int) run;
        out += run;
        count -= run;
    }
}

SIM_HOT void
sim_rng_fill_double (sim_rng_t *self, double *out, size_t count)
{
    uint32_t words[2 * 256];
    while (count) {
        size_t chunk = count < 256 ? count : 256;
        s_fill_u32 (self, words, 2 * chunk);
        for (size_t k = 0; k < chunk; k++)
            out[k] =
                ((words[2 * k] >> 5) * 67108864.0 + (words[2 * k + 1] >> 6)) / 9007199254740992.0;
        out += chunk;
        count -= chunk;
    }
}

double
sim_rng_double (sim_rng_t *self)
{
    uint32_t a = sim_rng_u32 (self) >> 5, b = sim_rng_u32 (self) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

double
sim_rng_gauss (sim_rng_t *self)
{
    if (self->has_gauss) {
        self->has_gauss = 0;
        return self->gauss;
    }
    double x1, x2, r2;
    do {
        x1 = 2.0 * sim_rng_double (self) - 1.0;
        x2 = 2.0 * sim_rng_double (self) - 1.0;
        r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = sqrt (-2.0 * log (r2) / r2);
    self->gauss = f * x1;
    self->has_gauss = 1;
    return f * x2;
}
