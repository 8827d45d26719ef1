/*  sim_connectivity.c - a structural connectivity in memory (TVB.md section 2).

    The object is a plain struct of owned arrays (see the header). This file
    builds, checks and summarises it: the built-in default connectome, the
    validation every loader runs last, TVB's number_of_connections and
    undirected flags, integer delays with their horizon (section 2.2), and a
    content fingerprint used as the Connectivity's GID (section 11.7).

    Everything here is pure: no files, no printing, no globals. The default
    connectome must come out bit-identical on every machine, so it is built
    from integer hashing, + - * / and sqrt only (all correctly rounded under
    IEEE 754; the sim library is compiled with -ffp-contract=off so no FMA
    changes a rounding). No sin/cos/exp: libm implementations differ.
*/
#include "sim_connectivity.h"
#include "bsw_assert.h"
#include "bsw_util.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sim_connectivity_t *
sim_connectivity_new (size_t n)
{
    BSW_ASSERT (n >= 1 && n <= SIM_CONNECTIVITY_MAX_REGIONS);
    sim_connectivity_t *self = bsw_calloc (1, sizeof *self);
    self->n = n;
    self->weights = bsw_calloc (n * n, sizeof (double));
    self->tract_lengths = bsw_calloc (n * n, sizeof (double));
    self->centres = bsw_calloc (n * 3, sizeof (double));
    self->region_labels = bsw_calloc (n, sizeof (char *));
    for (size_t i = 0; i < n; i++) {
        //  TVB's name for a region without a label (TVB.md 12.2).
        char label[SIM_CONNECTIVITY_LABEL_MAX];
        snprintf (label, sizeof label, "region_%03zu", i);
        self->region_labels[i] = bsw_strdup (label);
    }
    return self;
}

void
sim_connectivity_destroy (sim_connectivity_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sim_connectivity_t *self = *self_p;
    if (self->region_labels)
        for (size_t i = 0; i < self->n; i++)
            free (self->region_labels[i]);
    free (self->region_labels);
    free (self->weights);
    free (self->tract_lengths);
    free (self->centres);
    free (self->hemispheres);
    free (self->cortical);
    free (self->areas);
    free (self->orientations);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  The built-in default connectome

//  Chris Wellons' "lowbias32" integer finaliser: cheap, well mixed, and the
//  same on every machine because it is only 32-bit unsigned arithmetic.
static uint32_t
s_mix32 (uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

//  A hash of an ordered pair of region indices, one stream per salt.
static uint32_t
s_hash (uint32_t a, uint32_t b, uint32_t salt)
{
    return s_mix32 (s_mix32 (s_mix32 (salt) ^ a) ^ b);
}

#define S_HEMI        38   /* regions per hemisphere */
#define S_SALT_PAIR   1    /* unordered pair: does a link exist? */
#define S_SALT_DIRECT 2    /* ordered pair: its strength, self links */
#define S_SALT_AREA   3    /* one region: its area */
#define S_CURVATURE   1.25 /* tract length / straight distance */
#define S_REACH_MM    50.0 /* distance at which a link has odds 1/2 */

//  Centres of one hemisphere on an ellipsoid, plus the outward normals.
static void
s_default_geometry (sim_connectivity_t *self)
{
    //  Right hemisphere ellipsoid, mm: centre (32, -12, 8), semi-axes
    //  (26, 50, 38), so x in [6, 58], y in [-62, 38], z in [-30, 46].
    const double x0 = 32.0, y0 = -12.0, z0 = 8.0;
    const double ax = 26.0, ay = 50.0, az = 38.0;
    //  cos and sin of the golden angle pi (3 - sqrt 5), as literals so no
    //  libm call is made; rotating by repeated multiplication keeps the
    //  whole lattice to + - * only.
    const double golden_cos = -0.7373688780783197, golden_sin = 0.6754902942615238;
    double c = 1.0, s = 0.0;
    for (size_t k = 0; k < S_HEMI; k++) {
        double t = 1.0 - (double) (2 * k + 1) / (double) S_HEMI;
        double r = sqrt (1.0 - t * t);
        double ux = r * c, uy = t, uz = r * s;
        double *right = self->centres + 3 * k, *left = self->centres + 3 * (k + S_HEMI);
        right[0] = x0 + ax * ux;
        right[1] = y0 + ay * uy;
        right[2] = z0 + az * uz;
        left[0] = -right[0];
        left[1] = right[1];
        left[2] = right[2];
        //  Outward normal of the ellipsoid: the gradient (u / axes).
        double nx = ux / ax, ny = uy / ay, nz = uz / az;
        double norm = sqrt (nx * nx + ny * ny + nz * nz);
        double *o_right = self->orientations + 3 * k;
        double *o_left = self->orientations + 3 * (k + S_HEMI);
        o_right[0] = nx / norm;
        o_right[1] = ny / norm;
        o_right[2] = nz / norm;
        o_left[0] = -o_right[0];
        o_left[1] = o_right[1];
        o_left[2] = o_right[2];
        double next_c = c * golden_cos - s * golden_sin;
        s = c * golden_sin + s * golden_cos;
        c = next_c;
    }
}

//  Weight of the link target i <- source j (0 for none); d2 = squared
//  distance between their centres in mm^2. Weights are multiples of 1/8
//  in (0, 3], so they are exact in binary and in text.
static double
s_default_weight (uint32_t i, uint32_t j, double d2)
{
    uint32_t lo = i < j ? i : j, hi = i < j ? j : i;
    uint32_t pair = s_hash (lo, hi, S_SALT_PAIR);
    uint32_t direct = s_hash (i, j, S_SALT_DIRECT);
    if (i == j)
        return direct % 8 ? 3.0 : 0.0;
    if ((i < S_HEMI) == (j < S_HEMI)) {
        //  Same hemisphere: odds fall off as reach^2 / (reach^2 + d^2).
        double reach2 = S_REACH_MM * S_REACH_MM;
        uint32_t per_mille = (uint32_t) (1000.0 * reach2 / (reach2 + d2));
        if (pair % 1000 >= per_mille)
            return 0.0;
        int eighths = 24 - (int) (sqrt (d2) / 5.0) + (int) ((direct >> 12) % 7) - 3;
        eighths = eighths < 1 ? 1 : eighths > 24 ? 24 : eighths;
        return eighths / 8.0;
    }
    if (hi - lo == S_HEMI) // homotopic, across the corpus callosum
        return pair % 4 ? (8 + (direct >> 12) % 9) / 8.0 : 0.0;
    return pair % 1000 < 10 ? (1 + (direct >> 12) % 4) / 8.0 : 0.0;
}

sim_connectivity_t *
sim_connectivity_new_default (void)
{
    /*  The rule, in full (nothing here is taken from any data set):

        Regions 0..37 are the right hemisphere, labelled rR01..rR38, and
        38..75 the left, lR01..lR38; region k+38 mirrors region k (x -> -x).
        Centres: a Fibonacci lattice of 38 points on the unit sphere, point
        k at height t = 1 - (2k+1)/38 along the anterior-posterior axis and
        turned by k golden angles around it, scaled onto an ellipsoid of
        semi-axes (26, 50, 38) mm centred at (32, -12, 8) mm (x = right,
        y = anterior, z = superior). Orientations are the ellipsoid's
        outward normals; areas 400 + 25 * (hash % 64) mm^2; all cortical.
        Tract lengths: 1.25 x the straight distance (fibres curve), 0 on the
        diagonal, for every pair, as in TVB's files.
        Weights (s_default_weight), with 32-bit integer hashes of the pair:
          - within a hemisphere, i-j linked in both directions when
            hash(pair) % 1000 < 1000 * 50^2 / (50^2 + d^2), d in mm, so near
            regions almost always connect; strength (24 - floor(d/5) +
            jitter in [-3, 3]) / 8, clamped to [1/8, 3];
          - homotopic pairs k, k+38 linked 3 times in 4, strength 1..2;
          - other inter-hemispheric pairs 1 in 100, strength 1/8..1/2;
          - self links 3.0 for 7 regions in 8.
        The strength of each direction has its own hash, so weights are
        not symmetric, like TVB's connectivity_76. */
    const size_t n = 2 * S_HEMI;
    sim_connectivity_t *self = sim_connectivity_new (n);
    self->hemispheres = bsw_calloc (n, sizeof (bool));
    self->cortical = bsw_calloc (n, sizeof (bool));
    self->areas = bsw_calloc (n, sizeof (double));
    self->orientations = bsw_calloc (n * 3, sizeof (double));
    s_default_geometry (self);
    for (size_t i = 0; i < n; i++) {
        char label[SIM_CONNECTIVITY_LABEL_MAX];
        snprintf (label, sizeof label, "%cR%02zu", i < S_HEMI ? 'r' : 'l', i % S_HEMI + 1);
        free (self->region_labels[i]);
        self->region_labels[i] = bsw_strdup (label);
        self->hemispheres[i] = i < S_HEMI;
        self->cortical[i] = true;
        self->areas[i] = 400.0 + 25.0 * (s_hash ((uint32_t) i, 0, S_SALT_AREA) % 64);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            const double *a = self->centres + 3 * i, *b = self->centres + 3 * j;
            double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
            double d2 = dx * dx + dy * dy + dz * dz;
            self->tract_lengths[i * n + j] = S_CURVATURE * sqrt (d2);
            self->weights[i * n + j] = s_default_weight ((uint32_t) i, (uint32_t) j, d2);
        }
    return self;
}

//  --------------------------------------------------------------------------
//  Checks and summaries

//  Names entry k of an n-column array in errors: "weights[3][7]".
static int
s_bad_value (bsw_error_t *err, const char *array, size_t k, size_t cols, double value,
             const char *why)
{
    return bsw_error_set (err, BSW_ECONNECTIVITY, "%s[%zu][%zu] = %g %s", array, k / cols, k % cols,
                          value, why);
}

static int
s_check_finite (const double *values, size_t count, size_t cols, const char *array,
                bsw_error_t *err)
{
    for (size_t k = 0; k < count; k++)
        if (!isfinite (values[k]))
            return s_bad_value (err, array, k, cols, values[k], "is not finite");
    return 0;
}

int
sim_connectivity_check (const sim_connectivity_t *self, bsw_error_t *err)
{
    BSW_ASSERT (self);
    size_t n = self->n;
    if (n < 2)
        return bsw_error_set (err, BSW_ECONNECTIVITY,
                              "%zu region%s: a connectivity needs at least 2", n,
                              n == 1 ? "" : "s");
    if (n > SIM_CONNECTIVITY_MAX_REGIONS)
        return bsw_error_set (err, BSW_ECONNECTIVITY, "%zu regions: the limit is %d", n,
                              SIM_CONNECTIVITY_MAX_REGIONS);
    if (!self->weights || !self->tract_lengths || !self->centres || !self->region_labels)
        return bsw_error_set (err, BSW_ECONNECTIVITY,
                              "weights, tract_lengths, centres and region_labels are required");
    int rc = s_check_finite (self->weights, n * n, n, "weights", err);
    if (rc == 0)
        rc = s_check_finite (self->tract_lengths, n * n, n, "tract_lengths", err);
    if (rc == 0)
        rc = s_check_finite (self->centres, n * 3, 3, "centres", err);
    if (rc == 0 && self->orientations)
        rc = s_check_finite (self->orientations, n * 3, 3, "orientations", err);
    if (rc == 0 && self->areas)
        rc = s_check_finite (self->areas, n, 1, "areas", err);
    if (rc)
        return rc;
    for (size_t k = 0; k < n * n; k++)
        if (self->tract_lengths[k] < 0)
            return s_bad_value (err, "tract_lengths", k, n, self->tract_lengths[k], "is negative");
    for (size_t i = 0; i < n; i++) {
        const char *label = self->region_labels[i];
        if (!label || strnlen (label, SIM_CONNECTIVITY_LABEL_MAX) >= SIM_CONNECTIVITY_LABEL_MAX)
            return bsw_error_set (err, BSW_ECONNECTIVITY,
                                  "region_labels[%zu] is missing or longer than %d bytes", i,
                                  SIM_CONNECTIVITY_LABEL_MAX - 1);
    }
    return 0;
}

size_t
sim_connectivity_nonzero (const sim_connectivity_t *self)
{
    BSW_ASSERT (self);
    size_t count = 0;
    for (size_t k = 0; k < self->n * self->n; k++)
        count += self->weights[k] != 0.0;
    return count;
}

bool
sim_connectivity_undirected (const sim_connectivity_t *self)
{
    BSW_ASSERT (self);
    size_t n = self->n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (self->weights[i * n + j] != self->weights[j * n + i])
                return false;
    return true;
}

size_t
sim_connectivity_idelays (const sim_connectivity_t *self, double speed, double dt, int *idelays,
                          bsw_error_t *err)
{
    BSW_ASSERT (self && idelays);
    if (!(speed > 0 && isfinite (speed)) || !(dt > 0 && isfinite (dt))) {
        bsw_error_set (err, BSW_ECONNECTIVITY,
                       "conduction speed %g mm/ms and dt %g ms must be positive and finite", speed,
                       dt);
        return 0;
    }
    size_t n = self->n;
    int longest = 0;
    for (size_t k = 0; k < n * n; k++) {
        //  Same operations, same order as TVB: (tract / speed) / dt, then
        //  numpy.rint, i.e. round half to even. nearbyint does that in the
        //  default rounding mode, which nothing in brainsweep changes.
        double steps = nearbyint (self->tract_lengths[k] / speed / dt);
        //  The negated test also catches NaN from an unchecked matrix.
        if (!(steps >= 0 && steps <= (double) (INT_MAX - 1))) {
            bsw_error_set (err, BSW_ECONNECTIVITY,
                           "tract_lengths[%zu][%zu] = %g mm at %g mm/ms is %g steps of %g ms, "
                           "which does not fit an int",
                           k / n, k % n, self->tract_lengths[k], speed, steps, dt);
            return 0;
        }
        idelays[k] = (int) steps;
        if (idelays[k] > longest)
            longest = idelays[k];
    }
    //  Over ALL entries, zero weights included, as TVB (section 2.2).
    return (size_t) longest + 1;
}

//  --------------------------------------------------------------------------
//  GID

//  Bytes are fed in a fixed little-endian order so the fingerprint does not
//  depend on the machine's byte order.
static void
s_hash_u64 (bsw_hash128_t *h, uint64_t value)
{
    unsigned char bytes[8];
    for (int i = 0; i < 8; i++)
        bytes[i] = (unsigned char) (value >> (8 * i));
    bsw_hash128_update (h, bytes, sizeof bytes);
}

static void
s_hash_doubles (bsw_hash128_t *h, const double *values, size_t count)
{
    s_hash_u64 (h, values ? 1 : 0); // present or not: NULL differs from zeros
    for (size_t k = 0; values && k < count; k++) {
        //  + 0.0 turns -0.0 into +0.0: equal numbers give equal GIDs.
        double value = values[k] + 0.0;
        uint64_t bits;
        memcpy (&bits, &value, sizeof bits);
        s_hash_u64 (h, bits);
    }
}

static void
s_hash_bools (bsw_hash128_t *h, const bool *values, size_t count)
{
    s_hash_u64 (h, values ? 1 : 0);
    for (size_t k = 0; values && k < count; k++) {
        unsigned char byte = values[k] ? 1 : 0;
        bsw_hash128_update (h, &byte, 1);
    }
}

void
sim_connectivity_gid (const sim_connectivity_t *self, char out[37])
{
    BSW_ASSERT (self);
    size_t n = self->n;
    bsw_hash128_t h;
    bsw_hash128_init (&h);
    //  A domain tag keeps a connectivity's GID apart from other content
    //  hashed the same way.
    static const char tag[] = "brainsweep.connectivity.v1";
    bsw_hash128_update (&h, tag, sizeof tag);
    s_hash_u64 (&h, n);
    s_hash_doubles (&h, self->weights, n * n);
    s_hash_doubles (&h, self->tract_lengths, n * n);
    s_hash_doubles (&h, self->centres, n * 3);
    for (size_t i = 0; i < n; i++) // with the NUL, so "a","bc" != "ab","c"
        bsw_hash128_update (&h, self->region_labels[i], strlen (self->region_labels[i]) + 1);
    //  The optional fields are content too: TVB would take two
    //  connectivities differing only in hemispheres for the same one.
    s_hash_bools (&h, self->hemispheres, n);
    s_hash_bools (&h, self->cortical, n);
    s_hash_doubles (&h, self->areas, n);
    s_hash_doubles (&h, self->orientations, n * 3);
    bsw_uuid_from_hash (&h, out);
}
