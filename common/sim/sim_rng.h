/*  sim_rng.h - reproducible random streams, one per sweep point.

    MT19937 with numpy's legacy RandomState conversions (TVB.md 3.6), so that
    point 0 of a spec (what `brainsweep simulate` runs) draws exactly
    numpy.random.RandomState(seed): a single stochastic run uses the same
    numbers TVB would with that seed. Point k >= 1 seeds MT19937 by array
    {seed, k low 32 bits, k high 32 bits}: distinct, and independent of the
    thread, worker, batch or lane that runs the point.

    Embedded in the batch (init/fini style, no allocation).
*/
#ifndef SIM_RNG_H_INCLUDED
#define SIM_RNG_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#define SIM_RNG_MT_N 624

typedef struct {
    uint32_t mt[SIM_RNG_MT_N]; /* generator state */
    int index;                 /* next word of mt to temper; N = regenerate */
    int has_gauss;             /* numpy's cached second normal deviate */
    double gauss;              /* the cached value */
} sim_rng_t;

/*  The stream of sweep point `point_index` for `seed`. */
void sim_rng_init (sim_rng_t *self, uint32_t seed, uint64_t point_index);

/*  numpy RandomState.seed(int) exactly: init_genrand. */
void sim_rng_init_genrand (sim_rng_t *self, uint32_t seed);

/*  MT19937's init_by_array. */
void sim_rng_init_by_array (sim_rng_t *self, const uint32_t *key, int key_length);

uint32_t sim_rng_u32 (sim_rng_t *self);

/*  numpy random_sample(): 53-bit double in [0, 1). */
double sim_rng_double (sim_rng_t *self);

/*  count successive sim_rng_double values, generated in bulk (the same
    numbers, several times faster for the initial history's draws). */
void sim_rng_fill_double (sim_rng_t *self, double *out, size_t count);

/*  numpy legacy standard normal (polar method, cached pair). */
double sim_rng_gauss (sim_rng_t *self);

#endif
