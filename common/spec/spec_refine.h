/*  spec_refine.h - adaptive refinement of a finished grid sweep (issue 13,
    item 3): which points halve the cells where a metric changes sharply.

    Pure: no I/O, no clocks, no globals. Every call recomputes every level
    from the grid and the metrics so far, so a restarted broker asked again
    gets the same points in the same order.

    Index space. At level l the lattice coordinate q along a range of n
    values runs over 0 .. (n - 1) * 2^l; q stands for the value at parent
    index q / 2^l, interpolated linearly between neighbouring values (so a
    non-uniform "values" list refines between its own values). A range of
    one value is a constant dimension: no cells along it.

    Cells. Level 0's cells are all cells of the grid (2^d corners, d the
    ranges of two or more values). A cell is sharp when the metric over its
    corners spans more than `threshold` times the metric's range over every
    point known so far (levels 0..l), both on the plot's scale (log10 with
    log_scale); a cell with some non-finite corners (a failed point, NaN or
    inf; with log_scale also <= 0) and some finite ones is sharp, a
    divergence boundary; none is sharp when that range is 0 or no point is
    finite. Each sharp cell is halved into 2^d cells of level l + 1, and
    those are level l + 1's cells; its new points are the corners of those
    cells not known yet, in row-major lattice order (first range
    outermost), each once.
*/
#ifndef SPEC_REFINE_H_INCLUDED
#define SPEC_REFINE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bsw_error.h"
#include "spec.h"

/*  The threshold T a refinement uses unless told otherwise: on the
    tutorial PSE, GlobalVariance on a linear scale, two levels (bench_refine;
    bench/README.md, "Adaptive refinement"). */
#define SPEC_REFINE_DEFAULT_THRESHOLD 0.05

/*  Levels at most (the grid is level 0): the finest spacing is the grid's
    over 2^SPEC_REFINE_MAX_LEVELS, which also keeps lattice coordinates of
    any spec (at most SPEC_MAX_POINTS_HARD values per range) within 64 bits. */
#define SPEC_REFINE_MAX_LEVELS 10

/*  Swept parameters at most. A sharp cell has 3^d - 2^d new points (6,305
    at 8) and a cell 2^d corners to look up, so the work grows as 3^d; a
    sweep over more parameters is a case for a sampling design, not a grid. */
#define SPEC_REFINE_MAX_DIMS 8

typedef struct {
    double threshold; /* T: a cell is sharp above T x the metric's range; > 0 */
    bool log_scale;   /* compare log10 of the metric (the plot's scale), not the value */
} spec_refine_opts_t;

/*  opts with T = SPEC_REFINE_DEFAULT_THRESHOLD, linear scale. */
void spec_refine_opts_defaults (spec_refine_opts_t *opts);

/*  Level n_levels' points. metrics[0] holds spec_points(grid) values
    (n_metrics[0] of them), in grid point order (spec_point_coords), NaN for
    a failed point; metrics[l] for 1 <= l < n_levels holds n_metrics[l]
    values: level l's points in the order an earlier call returned them.
    1 <= n_levels <= SPEC_REFINE_MAX_LEVELS.

    On success *values is a malloc'd [*n_new][grid->n_ranges] row-major
    array of parameter values the caller frees (NULL when *n_new is 0:
    nothing is sharp, the refinement ends). Returns 0; BSW_ETOOBIG when
    level n_levels would have more than max_points points or the grid more
    than SPEC_REFINE_MAX_DIMS swept parameters; BSW_EINVAL when the input
    is inconsistent (a level's count is not the one the algorithm derives,
    a threshold not > 0, n_levels out of bounds); err says which. */
int spec_refine_next (const spec_t *grid, const spec_refine_opts_t *opts,
                      const double *const *metrics, const size_t *n_metrics, size_t n_levels,
                      uint64_t max_points, double **values, size_t *n_new, bsw_error_t *err);

/*  The value of range at lattice coordinate q of level `level`
    (<= SPEC_REFINE_MAX_LEVELS): values[i] + (values[i + 1] - values[i]) x f
    with i, f the whole and fractional parts of q / 2^level, values[i]
    itself when f is 0. spec_refine_next's points take their values from
    it, so a caller that walks the finest lattice (bench_refine) gets the
    same bits. q must lie within the range's lattice. */
double spec_refine_value (const spec_range_t *range, size_t level, uint64_t q);

#endif
