/*  spec_refine.c - adaptive refinement of a grid sweep (spec_refine.h).

    Every point is keyed by its lattice coordinates along the swept ranges
    in "universal" units, the finest lattice's: level l's coordinate q is
    q << (SPEC_REFINE_MAX_LEVELS - l). Scaling keeps the order, so the
    lexicographic order of keys is the row-major order of every level, and
    points of all levels share one sorted array searched by bisection.
    Memory: d words and one double per known point, d words per cell of the
    level at hand, d words per candidate new point.

    A sharp cell's new points are the points of its 3^d sub-lattice with an
    odd coordinate at level l + 1 (those with all coordinates even are its
    own corners, known by construction). Neighbouring sharp cells share the
    points on their common faces, so the candidates are sorted and made
    unique; a point with at least one odd coordinate lies in at most
    2^(d-1) cells, so more than limit x 2^(d-1) candidates already prove more
    than `limit` points and the enumeration stops there. A hash set would
    find duplicates without the sort but the output must be sorted anyway.
    The sort is a merge sort of indices, as qsort has no context argument.
*/
#include "spec_refine.h"

#include "bsw_assert.h"
#include "bsw_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define S_SHIFT SPEC_REFINE_MAX_LEVELS

typedef struct {
    size_t d;       /* swept dimensions */
    uint64_t *keys; /* [n][d] universal coordinates, sorted */
    double *scaled; /* [n] the metric on the plot's scale, NaN when not finite */
    size_t n;       /* points known */
    double lo, hi;  /* least and greatest finite scaled value (lo > hi: none) */
} s_known_t;

typedef struct {
    uint64_t *keys; /* [n][d] */
    size_t n;       /* rows used */
    size_t cap;     /* rows allocated */
} s_rows_t;

static int
s_compare (const uint64_t *a, const uint64_t *b, size_t d)
{
    for (size_t k = 0; k < d; k++)
        if (a[k] != b[k])
            return a[k] < b[k] ? -1 : 1;
    return 0;
}

static void
s_rows_push (s_rows_t *rows, size_t d, const uint64_t *key)
{
    if (rows->n == rows->cap) {
        rows->cap = rows->cap ? rows->cap * 2 : 64;
        rows->keys = bsw_realloc (rows->keys, rows->cap * d * sizeof (uint64_t));
    }
    memcpy (rows->keys + rows->n * d, key, d * sizeof (uint64_t));
    rows->n++;
}

//  Sorts idx[0..n) by the keys they index (bottom-up merge sort, stable).
static void
s_sort (size_t *idx, size_t n, const uint64_t *keys, size_t d)
{
    size_t *tmp = bsw_malloc ((n ? n : 1) * sizeof (size_t));
    size_t *src = idx, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = mid + width < n ? mid + width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] =
                    s_compare (keys + src[j] * d, keys + src[i] * d, d) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        size_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != idx)
        memcpy (idx, src, n * sizeof (size_t));
    free (tmp);
}

//  The metric on the plot's scale; NaN when it does not count as finite.
static double
s_scale (double v, bool log_scale)
{
    if (!isfinite (v))
        return NAN;
    if (log_scale)
        return v > 0 ? log10 (v) : NAN;
    return v;
}

static void
s_known_note (s_known_t *known, double scaled)
{
    if (isnan (scaled))
        return;
    if (scaled < known->lo)
        known->lo = scaled;
    if (scaled > known->hi)
        known->hi = scaled;
}

//  Index of key among the known points, or SIZE_MAX.
static size_t
s_known_find (const s_known_t *known, const uint64_t *key)
{
    size_t lo = 0, hi = known->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = s_compare (known->keys + mid * known->d, key, known->d);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

//  Merges the sorted new points (none known) with their metric values.
static void
s_known_merge (s_known_t *known, const s_rows_t *add, const double *metric, bool log_scale)
{
    size_t d = known->d, n = known->n + add->n;
    uint64_t *keys = bsw_malloc ((n ? n : 1) * d * sizeof (uint64_t));
    double *scaled = bsw_malloc ((n ? n : 1) * sizeof (double));
    size_t i = 0, j = 0;
    for (size_t k = 0; k < n; k++) {
        bool take_new = j < add->n && (i == known->n ||
                                       s_compare (add->keys + j * d, known->keys + i * d, d) < 0);
        if (take_new) {
            memcpy (keys + k * d, add->keys + j * d, d * sizeof (uint64_t));
            scaled[k] = s_scale (metric[j], log_scale);
            s_known_note (known, scaled[k]);
            j++;
        } else {
            memcpy (keys + k * d, known->keys + i * d, d * sizeof (uint64_t));
            scaled[k] = known->scaled[i];
            i++;
        }
    }
    free (known->keys);
    free (known->scaled);
    known->keys = keys;
    known->scaled = scaled;
    known->n = n;
}

/*  Whether the level-l cell with lower corner `cell` (level-l coordinates)
    is sharp against the range `range` of the known points. */
static bool
s_cell_sharp (const s_known_t *known, const uint64_t *cell, size_t level, double threshold,
              double range, uint64_t *key)
{
    size_t d = known->d, finite = 0, other = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (uint64_t e = 0; e < (UINT64_C (1) << d); e++) {
        for (size_t k = 0; k < d; k++)
            key[k] = (cell[k] + ((e >> k) & 1)) << (S_SHIFT - level);
        size_t at = s_known_find (known, key);
        BSW_ASSERT (at != SIZE_MAX); //  every corner of a cell is known by construction
        double v = known->scaled[at];
        if (isnan (v)) {
            other++;
            continue;
        }
        finite++;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    if (finite == 0)
        return false;
    return other > 0 || hi - lo > threshold * range;
}

/*  The new points of the sharp cells (level-l lower corners) at level + 1,
    sorted and unique, into *out. Returns false (out partial) when they are
    certainly more than `limit`. */
static bool
s_children (const s_rows_t *sharp, size_t d, size_t level, uint64_t limit, s_rows_t *out)
{
    if (sharp->n == 0)
        return true;
    uint64_t spread = UINT64_C (1) << (d - 1), n_sub = 1;
    for (size_t k = 0; k < d; k++)
        n_sub *= 3;
    uint64_t cap = limit > UINT64_MAX / spread ? UINT64_MAX : limit * spread;
    s_rows_t cand = {NULL, 0, 0};
    uint64_t key[SPEC_REFINE_MAX_DIMS];
    for (size_t c = 0; c < sharp->n; c++) {
        const uint64_t *cell = sharp->keys + c * d;
        for (uint64_t t = 0; t < n_sub; t++) {
            uint64_t rest = t;
            bool odd = false;
            for (size_t k = 0; k < d; k++) {
                uint64_t digit = rest % 3;
                rest /= 3;
                odd = odd || digit == 1;
                key[k] = (2 * cell[k] + digit) << (S_SHIFT - level - 1);
            }
            if (!odd)
                continue;
            if (cand.n >= cap) {
                free (cand.keys);
                return false;
            }
            s_rows_push (&cand, d, key);
        }
    }
    size_t *idx = bsw_malloc ((cand.n ? cand.n : 1) * sizeof (size_t));
    for (size_t k = 0; k < cand.n; k++)
        idx[k] = k;
    s_sort (idx, cand.n, cand.keys, d);
    for (size_t k = 0; k < cand.n; k++)
        if (k == 0 || s_compare (cand.keys + idx[k] * d, cand.keys + idx[k - 1] * d, d) != 0)
            s_rows_push (out, d, cand.keys + idx[k] * d);
    free (idx);
    free (cand.keys);
    return out->n <= limit;
}

//  The 2^d halves of each sharp level-l cell, as level-(l + 1) lower corners.
static void
s_subcells (const s_rows_t *sharp, size_t d, s_rows_t *out)
{
    uint64_t key[SPEC_REFINE_MAX_DIMS];
    for (size_t c = 0; c < sharp->n; c++)
        for (uint64_t e = 0; e < (UINT64_C (1) << d); e++) {
            for (size_t k = 0; k < d; k++)
                key[k] = 2 * sharp->keys[c * d + k] + ((e >> k) & 1);
            s_rows_push (out, d, key);
        }
}

//  The value of a range at universal coordinate u.
static double
s_value (const spec_range_t *range, uint64_t u)
{
    uint64_t i = u >> S_SHIFT, frac = u & ((UINT64_C (1) << S_SHIFT) - 1);
    if (frac == 0)
        return range->values[i];
    double f = (double) frac / (double) (UINT64_C (1) << S_SHIFT);
    return range->values[i] + (range->values[i + 1] - range->values[i]) * f;
}

//  Checks what the algorithm cannot derive; sets *d and dims[].
static int
s_check (const spec_t *grid, const spec_refine_opts_t *opts, const double *const *metrics,
         const size_t *n_metrics, size_t n_levels, size_t *d, size_t *dims, bsw_error_t *err)
{
    if (!(opts->threshold > 0) || !isfinite (opts->threshold))
        return bsw_error_set (err, BSW_EINVAL, "refine: threshold %g is not a positive number",
                              opts->threshold);
    if (n_levels < 1 || n_levels > SPEC_REFINE_MAX_LEVELS)
        return bsw_error_set (err, BSW_EINVAL,
                              "refine: level %zu is beyond the %d levels a refinement may have",
                              n_levels, SPEC_REFINE_MAX_LEVELS);
    *d = 0;
    for (size_t r = 0; r < grid->n_ranges; r++) {
        size_t n = grid->ranges[r].n_values;
        if (n < 1 || (uint64_t) (n - 1) > (UINT64_MAX >> S_SHIFT))
            return bsw_error_set (err, BSW_EINVAL, "refine: range %s has %zu values",
                                  grid->ranges[r].parameter, n);
        if (n < 2)
            continue;
        if (*d == SPEC_REFINE_MAX_DIMS)
            return bsw_error_set (err, BSW_ETOOBIG,
                                  "refine: the grid sweeps more than %d parameters, the most "
                                  "a refinement halves cells along",
                                  SPEC_REFINE_MAX_DIMS);
        dims[(*d)++] = r;
    }
    if ((uint64_t) n_metrics[0] != spec_points (grid))
        return bsw_error_set (err, BSW_EINVAL,
                              "refine: %zu metric values for a grid of %llu points", n_metrics[0],
                              (unsigned long long) spec_points (grid));
    for (size_t l = 0; l < n_levels; l++)
        if (n_metrics[l] > 0 && !metrics[l])
            return bsw_error_set (err, BSW_EINVAL, "refine: level %zu has no metric values", l);
    return 0;
}

//  Level 0: the grid's points (in point order, which is key order) and cells.
static void
s_level0 (const spec_t *grid, const size_t *dims, const double *metric, bool log_scale,
          s_known_t *known, s_rows_t *cells)
{
    size_t d = known->d;
    uint64_t n = spec_points (grid);
    size_t *coords = bsw_malloc ((grid->n_ranges ? grid->n_ranges : 1) * sizeof (size_t));
    uint64_t key[SPEC_REFINE_MAX_DIMS];
    known->keys = bsw_malloc ((n ? n : 1) * (d ? d : 1) * sizeof (uint64_t));
    known->scaled = bsw_malloc ((n ? n : 1) * sizeof (double));
    known->n = n;
    for (uint64_t p = 0; p < n; p++) {
        spec_point_coords (grid, p, coords);
        bool lower = true; //  the lower corner of a cell along every swept range
        for (size_t k = 0; k < d; k++) {
            known->keys[p * d + k] = (uint64_t) coords[dims[k]] << S_SHIFT;
            key[k] = coords[dims[k]];
            lower = lower && coords[dims[k]] + 1 < grid->ranges[dims[k]].n_values;
        }
        known->scaled[p] = s_scale (metric[p], log_scale);
        s_known_note (known, known->scaled[p]);
        if (lower && d > 0)
            s_rows_push (cells, d, key);
    }
    free (coords);
}

double
spec_refine_value (const spec_range_t *range, size_t level, uint64_t q)
{
    BSW_ASSERT (range && level <= SPEC_REFINE_MAX_LEVELS);
    BSW_ASSERT (range->n_values >= 1 && q <= ((uint64_t) (range->n_values - 1) << level));
    return s_value (range, q << (S_SHIFT - level));
}

void
spec_refine_opts_defaults (spec_refine_opts_t *opts)
{
    BSW_ASSERT (opts);
    opts->threshold = SPEC_REFINE_DEFAULT_THRESHOLD;
    opts->log_scale = false;
}

int
spec_refine_next (const spec_t *grid, const spec_refine_opts_t *opts, const double *const *metrics,
                  const size_t *n_metrics, size_t n_levels, uint64_t max_points, double **values,
                  size_t *n_new, bsw_error_t *err)
{
    BSW_ASSERT (grid && opts && metrics && n_metrics && values && n_new);
    *values = NULL;
    *n_new = 0;
    size_t dims[SPEC_REFINE_MAX_DIMS], d = 0;
    int rc = s_check (grid, opts, metrics, n_metrics, n_levels, &d, dims, err);
    if (rc)
        return rc;
    s_known_t known = {d, NULL, NULL, 0, INFINITY, -INFINITY};
    s_rows_t cells = {NULL, 0, 0}, sharp = {NULL, 0, 0}, fresh = {NULL, 0, 0};
    uint64_t key[SPEC_REFINE_MAX_DIMS];
    s_level0 (grid, dims, metrics[0], opts->log_scale, &known, &cells);
    for (size_t l = 0; l < n_levels && rc == 0; l++) {
        bool last = l + 1 == n_levels;
        uint64_t limit = last ? max_points : n_metrics[l + 1];
        double range = known.hi - known.lo;
        sharp.n = 0;
        fresh.n = 0;
        if (range > 0)
            for (size_t c = 0; c < cells.n; c++)
                if (s_cell_sharp (&known, cells.keys + c * d, l, opts->threshold, range, key))
                    s_rows_push (&sharp, d, cells.keys + c * d);
        //  Each sharp cell has a new point of its own (its centre): more
        //  sharp cells than `limit` already prove too many points.
        bool fits = sharp.n <= limit && s_children (&sharp, d, l, limit, &fresh);
        if (!fits && last)
            rc = bsw_error_set (err, BSW_ETOOBIG,
                                "refine: level %zu would have more than %llu points; raise the "
                                "threshold or the point cap",
                                n_levels, (unsigned long long) max_points);
        else if (!last && (!fits || fresh.n != n_metrics[l + 1]))
            rc = bsw_error_set (
                err, BSW_EINVAL, "refine: level %zu has %zu metric values but %s%zu points", l + 1,
                n_metrics[l + 1], fits ? "" : "more than ", fits ? fresh.n : n_metrics[l + 1]);
        if (rc || last)
            break;
        s_known_merge (&known, &fresh, metrics[l + 1], opts->log_scale);
        cells.n = 0;
        s_subcells (&sharp, d, &cells);
    }
    if (rc == 0 && fresh.n > 0) {
        size_t nr = grid->n_ranges;
        double *out = bsw_malloc (fresh.n * nr * sizeof (double));
        for (size_t p = 0; p < fresh.n; p++) {
            for (size_t r = 0; r < nr; r++)
                out[p * nr + r] = grid->ranges[r].values[0]; //  the constant ranges
            for (size_t k = 0; k < d; k++)
                out[p * nr + dims[k]] = s_value (&grid->ranges[dims[k]], fresh.keys[p * d + k]);
        }
        *values = out;
        *n_new = fresh.n;
    }
    free (known.keys);
    free (known.scaled);
    free (cells.keys);
    free (sharp.keys);
    free (fresh.keys);
    return rc;
}
