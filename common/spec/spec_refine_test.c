/*  spec_refine_test.c - adaptive refinement: hand-made 1-D and 2-D grids
    with the exact points each level must add, failed points, the log
    scale, constant ranges, many levels, and every inconsistent input.
*/
#include "spec_refine.h"

#include "bsw_test.h"

static spec_t *
s_grid (const char *ranges)
{
    char json[1024];
    snprintf (json, sizeof json, "{ \"simulation_length\": 10.0, \"ranges\": [%s] }", ranges);
    spec_t *spec = NULL;
    bsw_error_t err;
    if (spec_load_string (&spec, json, strlen (json), "grid.json", NULL, &err) != 0) {
        fprintf (stderr, "%s\n", err.text);
        return NULL;
    }
    return spec;
}

//  One level's points against the expected values ([n][n_ranges]).
static bool
s_same (const double *got, size_t n_got, const double *want, size_t n_want, size_t n_ranges)
{
    if (n_got != n_want) {
        fprintf (stderr, "got %zu points, expected %zu\n", n_got, n_want);
        return false;
    }
    for (size_t k = 0; k < n_got * n_ranges; k++)
        if (got[k] != want[k]) {
            fprintf (stderr, "point %zu: value %.17g, expected %.17g\n", k / n_ranges, got[k],
                     want[k]);
            return false;
        }
    return true;
}

typedef double (*s_metric_fn) (const double *point);

/*  Runs `levels` levels on a grid whose metric is f of the point's values;
    counts[l] gets level l's points (counts[0] the grid's); the last
    level's points stay in *last (caller frees). Returns spec_refine_next's
    first non-zero code, or 0. */
static int
s_drive (const spec_t *grid, const spec_refine_opts_t *opts, s_metric_fn f, size_t levels,
         uint64_t max_points, size_t *counts, double **last, bsw_error_t *err)
{
    size_t nr = grid->n_ranges, n0 = spec_points (grid);
    double *metrics[SPEC_REFINE_MAX_LEVELS + 2] = {NULL};
    size_t n_metrics[SPEC_REFINE_MAX_LEVELS + 2] = {0};
    metrics[0] = malloc (n0 * sizeof (double));
    size_t *coords = malloc (nr * sizeof (size_t));
    double point[16];
    for (size_t p = 0; p < n0; p++) {
        spec_point_coords (grid, p, coords);
        for (size_t r = 0; r < nr; r++)
            point[r] = grid->ranges[r].values[coords[r]];
        metrics[0][p] = f (point);
    }
    free (coords);
    n_metrics[0] = counts[0] = n0;
    *last = NULL;
    int rc = 0;
    for (size_t l = 1; l <= levels && rc == 0; l++) {
        double *values;
        size_t n_new;
        rc = spec_refine_next (grid, opts, (const double *const *) metrics, n_metrics, l,
                               max_points, &values, &n_new, err);
        if (rc)
            break;
        counts[l] = n_new;
        metrics[l] = malloc ((n_new ? n_new : 1) * sizeof (double));
        n_metrics[l] = n_new;
        for (size_t p = 0; p < n_new; p++)
            metrics[l][p] = f (values + p * nr);
        free (*last);
        *last = values;
    }
    for (size_t l = 0; l <= levels; l++)
        free (metrics[l]);
    return rc;
}

//  Usage: a 3 x 2 grid over model.I and model.a whose metric steps between
//  I = 1 and I = 2; the cell between them is halved.
static int
s_test_usage (void)
{
    spec_t *grid = s_grid ("{\"parameter\": \"model.I\", \"values\": [0, 1, 2]},"
                           "{\"parameter\": \"model.a\", \"values\": [0, 1]}");
    BSW_CHECK (grid);
    const double level0[6] = {0, 0, 0, 0, 1, 1}; //  grid point order: I outermost
    const double *metrics[1] = {level0};
    size_t n_metrics[1] = {6};
    spec_refine_opts_t opts;
    spec_refine_opts_defaults (&opts);
    double *values;
    size_t n_new;
    bsw_error_t err;
    int rc = spec_refine_next (grid, &opts, metrics, n_metrics, 1, 1000, &values, &n_new, &err);
    BSW_CHECK_MSG (rc == 0, "%s", err.text);
    //  Level 1's points: the cell's halves' corners not known, I outermost.
    const double want[] = {1, 0.5, 1.5, 0, 1.5, 0.5, 1.5, 1, 2, 0.5};
    BSW_CHECK (s_same (values, n_new, want, 5, 2));
    free (values);
    spec_destroy (&grid);
    return BSW_TEST_PASS;
}

//  1-D: a step between 2 and 3, two levels, each halving the step's cell.
static int
s_test_one_dim (void)
{
    spec_t *grid = s_grid ("{\"parameter\": \"model.I\", \"values\": [0, 1, 2, 3, 4]}");
    BSW_CHECK (grid);
    spec_refine_opts_t opts;
    spec_refine_opts_defaults (&opts);
    const double level0[5] = {0, 0, 0, 1, 1}, level1[1] = {0};
    const double *metrics[2] = {level0, level1};
    size_t n_metrics[2] = {5, 1};
    double *values;
    size_t n_new;
    bsw_error_t err;
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, &err),
                   0);
    BSW_CHECK (s_same (values, n_new, (double[]){2.5}, 1, 1));
    free (values);
    //  2.5 has the metric 0: the step lies between 2.5 and 3.
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 2, 10, &values, &n_new, &err),
                   0);
    BSW_CHECK (s_same (values, n_new, (double[]){2.75}, 1, 1));
    free (values);
    spec_destroy (&grid);
    return BSW_TEST_PASS;
}

//  Non-uniform values refine in index space: halfway between 1 and 3 is 2.
static int
s_test_non_uniform (void)
{
    spec_t *grid = s_grid ("{\"parameter\": \"model.I\", \"values\": [0, 1, 3]}");
    BSW_CHECK (grid);
    spec_refine_opts_t opts = {0.05, false};
    const double level0[3] = {0, 0, 1};
    const double *metrics[1] = {level0};
    size_t n_metrics[1] = {3};
    double *values;
    size_t n_new;
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, NULL),
                   0);
    BSW_CHECK (s_same (values, n_new, (double[]){2}, 1, 1));
    free (values);
    //  The same rule for any lattice coordinate: level 2's 5 is a quarter
    //  of the way from 1 to 3, its 8 the last value.
    BSW_CHECK_DOUBLE_EQ (spec_refine_value (&grid->ranges[0], 1, 3), 2);
    BSW_CHECK_DOUBLE_EQ (spec_refine_value (&grid->ranges[0], 2, 5), 1.5);
    BSW_CHECK_DOUBLE_EQ (spec_refine_value (&grid->ranges[0], 2, 8), 3);
    BSW_CHECK_DOUBLE_EQ (spec_refine_value (&grid->ranges[0], 0, 1), 1);
    spec_destroy (&grid);
    return BSW_TEST_PASS;
}

//  The threshold: a cell is sharp above T x the range, not at it.
static int
s_test_threshold (void)
{
    spec_t *grid = s_grid ("{\"parameter\": \"model.I\", \"values\": [0, 1, 2, 3, 4]}");
    BSW_CHECK (grid);
    const double level0[5] = {0, 0.1, 0.2, 1, 2}; //  range 2; spans 0.1, 0.1, 0.8, 1
    const double *metrics[1] = {level0};
    size_t n_metrics[1] = {5};
    double *values;
    size_t n_new;
    spec_refine_opts_t opts = {0.5, false}; //  1: none above
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, NULL),
                   0);
    BSW_CHECK_INT (n_new, 0);
    BSW_CHECK (values == NULL);
    opts.threshold = 0.3; //  0.6: the last two cells
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, NULL),
                   0);
    BSW_CHECK (s_same (values, n_new, (double[]){2.5, 3.5}, 2, 1));
    free (values);
    opts.threshold = 0.01; //  0.02: every cell
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, NULL),
                   0);
    BSW_CHECK (s_same (values, n_new, (double[]){0.5, 1.5, 2.5, 3.5}, 4, 1));
    free (values);
    spec_destroy (&grid);
    return BSW_TEST_PASS;
}

//  Failed points: a cell with failed and finite corners is a divergence
//  boundary, one with only failed corners is not refined.
static int
s_test_nan (void)
{
    spec_t *grid = s_grid ("{\"parameter\": \"model.I\", \"values\": [0, 1, 2, 3, 4]}");
    BSW_CHECK (grid);
    const double level0[5] = {1, NAN, INFINITY, 2, 3}; //  finite range 2
    const double *metrics[1] = {level0};
    size_t n_metrics[1] = {5};
    double *values;
    size_t n_new;
    spec_refine_opts_t opts = {0.6, false}; //  spans of 1 are not sharp
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, NULL),
                   0);
    BSW_CHECK (s_same (values, n_new, (double[]){0.5, 2.5}, 2, 1));
    free (values);
    spec_destroy (&grid);
    return BSW_TEST_PASS;
}

//  Nothing changes: no cell is sharp, the refinement ends.
static int
s_test_constant (void)
{
    spec_t *grid = s_grid ("{\"parameter\": \"model.I\", \"values\": [0, 1, 2]},"
                           "{\"parameter\": \"model.a\", \"values\": [0, 1]}");
    BSW_CHECK (grid);
    const double level0[6] = {7, 7, 7, 7, 7, 7}, failed[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
    const double *metrics[1] = {level0};
    size_t n_metrics[1] = {6};
    spec_refine_opts_t opts;
    spec_refine_opts_defaults (&opts);
    double *values;
    size_t n_new;
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, NULL),
                   0);
    BSW_CHECK_INT (n_new, 0);
    BSW_CHECK (values == NULL);
    metrics[0] = failed;
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, NULL),
                   0);
    BSW_CHECK_INT (n_new, 0);
    spec_destroy (&grid);
    return BSW_TEST_PASS;
}

static double
s_step_at_2_5 (const double *point)
{
    return point[0] >= 2.5 ? 1 : 0;
}

//  A step along I on a 5 x 5 grid: only the column of cells across the
//  step is refined, the full length of a, two levels.
static int
s_test_step_2d (void)
{
    spec_t *grid = s_grid ("{\"parameter\": \"model.I\", \"values\": [0, 1, 2, 3, 4]},"
                           "{\"parameter\": \"model.a\", \"values\": [0, 1, 2, 3, 4]}");
    BSW_CHECK (grid);
    spec_refine_opts_t opts;
    spec_refine_opts_defaults (&opts);
    size_t counts[3];
    double *last;
    bsw_error_t err;
    int rc = s_drive (grid, &opts, s_step_at_2_5, 2, 1000, counts, &last, &err);
    BSW_CHECK_MSG (rc == 0, "%s", err.text);
    //  Level 1: 4 cells from I = 2 to 3, a lattice of 3 x 9 points less
    //  the 2 x 5 known; level 2: the 8 cells from I = 2 to 2.5, 3 x 17 less
    //  2 x 9.
    BSW_CHECK_INT (counts[1], 17);
    BSW_CHECK_INT (counts[2], 33);
    for (size_t p = 0; p < counts[2]; p++) {
        BSW_CHECK (last[2 * p] >= 2 && last[2 * p] <= 2.5);
        BSW_CHECK (last[2 * p + 1] >= 0 && last[2 * p + 1] <= 4);
        if (p > 0) //  row-major: I outermost, then a
            BSW_CHECK (last[2 * p] > last[2 * p - 2] ||
                       (last[2 * p] == last[2 * p - 2] && last[2 * p + 1] > last[2 * p - 1]));
    }
    BSW_CHECK (last[0] == 2 && last[1] == 0.25);
    BSW_CHECK (last[16] == 2.25 && last[17] == 0); //  after the 8 of I = 2
    free (last);
    spec_destroy (&grid);
    return BSW_TEST_PASS;
}

static double
s_ring (const double *point)
{
    double r2 = point[0] * point[0] + point[1] * point[1];
    return r2 < 2 ? 0 : r2 < 5 ? 1 : 3;
}

//  The same input gives the same points in the same order, call after call.
static int
s_test_determinism (void)
{
    spec_t *grid = s_grid ("{\"parameter\": \"model.I\", \"lo\": -3, \"hi\": 3.1, \"step\": 0.5},"
                           "{\"parameter\": \"model.a\", \"lo\": -3, \"hi\": 3.1, \"step\": 0.5}");
    BSW_CHECK (grid);
    spec_refine_opts_t opts;
    spec_refine_opts_defaults (&opts);
    size_t counts[2][4];
    double *last[2];
    for (int k = 0; k < 2; k++)
        BSW_CHECK_INT (s_drive (grid, &opts, s_ring, 3, 100000, counts[k], &last[k], NULL), 0);
    BSW_CHECK (memcmp (counts[0], counts[1], sizeof counts[0]) == 0);
    BSW_CHECK (counts[0][3] > 0);
    BSW_CHECK (memcmp (last[0], last[1], counts[0][3] * 2 * sizeof (double)) == 0);
    free (last[0]);
    free (last[1]);
    spec_destroy (&grid);
    return BSW_TEST_PASS;
}

//  A range of one value is constant: no cells along it, its value in
//  every new point's column.
static int
s_test_single_value (void)
{
    spec_t *grid = s_grid ("{\"parameter\": \"model.I\", \"values\": [0, 1, 2]},"
                           "{\"parameter\": \"model.b\", \"values\": [-7]},"
                           "{\"parameter\": \"model.a\", \"values\": [0, 1]}");
    BSW_CHECK (grid);
    const double level0[6] = {0, 0, 0, 0, 1, 1};
    const double *metrics[1] = {level0};
    size_t n_metrics[1] = {6};
    spec_refine_opts_t opts;
    spec_refine_opts_defaults (&opts);
    double *values;
    size_t n_new;
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, NULL),
                   0);
    const double want[] = {1, -7, 0.5, 1.5, -7, 0, 1.5, -7, 0.5, 1.5, -7, 1, 2, -7, 0.5};
    BSW_CHECK (s_same (values, n_new, want, 5, 3));
    free (values);
    spec_destroy (&grid);
    //  Only constant ranges: no cell at all.
    grid = s_grid ("{\"parameter\": \"model.I\", \"values\": [1]}");
    BSW_CHECK (grid);
    metrics[0] = (double[]){3};
    n_metrics[0] = 1;
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, NULL),
                   0);
    BSW_CHECK_INT (n_new, 0);
    spec_destroy (&grid);
    return BSW_TEST_PASS;
}

//  The log scale compares orders of magnitude; values <= 0 count as failed.
static int
s_test_log_scale (void)
{
    spec_t *grid = s_grid ("{\"parameter\": \"model.I\", \"values\": [0, 1, 2, 3]}");
    BSW_CHECK (grid);
    const double level0[4] = {1, 2, 1000, 1001};
    const double *metrics[1] = {level0};
    size_t n_metrics[1] = {4};
    double *values;
    size_t n_new;
    spec_refine_opts_t opts = {0.05, false}; //  linear: only 2 -> 1000 spans > 50
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, NULL),
                   0);
    BSW_CHECK (s_same (values, n_new, (double[]){1.5}, 1, 1));
    free (values);
    opts.log_scale = true; //  log10: 0, 0.30, 3, 3.0004; 0.30 > 0.15
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, NULL),
                   0);
    BSW_CHECK (s_same (values, n_new, (double[]){0.5, 1.5}, 2, 1));
    free (values);
    metrics[0] = (double[]){-1, 10, 10, 100}; //  log10: -, 1, 1, 2
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, NULL),
                   0);
    BSW_CHECK (s_same (values, n_new, (double[]){0.5, 2.5}, 2, 1));
    free (values);
    spec_destroy (&grid);
    return BSW_TEST_PASS;
}

static double
s_step_at_0_3 (const double *point)
{
    return point[0] > 0.3 ? 1 : 0;
}

//  Every level down to the last halves the one cell across the step, which
//  ends within 2^-10 of it; a level more is refused.
static int
s_test_max_levels (void)
{
    spec_t *grid = s_grid ("{\"parameter\": \"model.I\", \"values\": [0, 1]}");
    BSW_CHECK (grid);
    spec_refine_opts_t opts;
    spec_refine_opts_defaults (&opts);
    size_t counts[SPEC_REFINE_MAX_LEVELS + 2];
    double *last;
    BSW_CHECK_INT (
        s_drive (grid, &opts, s_step_at_0_3, SPEC_REFINE_MAX_LEVELS, 10, counts, &last, NULL), 0);
    for (size_t l = 1; l <= SPEC_REFINE_MAX_LEVELS; l++)
        BSW_CHECK_INT (counts[l], 1);
    BSW_CHECK (fabs (last[0] - 0.3) < 1.0 / 1024);
    BSW_CHECK_DOUBLE_EQ (last[0], 307.0 / 1024); //  0.2998, between 0.2988 and 0.3008
    free (last);
    bsw_error_t err;
    BSW_CHECK_INT (
        s_drive (grid, &opts, s_step_at_0_3, SPEC_REFINE_MAX_LEVELS + 1, 10, counts, &last, &err),
        BSW_EINVAL);
    BSW_CHECK (strstr (err.text, "levels") != NULL);
    free (last);
    spec_destroy (&grid);
    return BSW_TEST_PASS;
}

//  More new points than the cap: BSW_ETOOBIG with a sentence.
static int
s_test_too_big (void)
{
    spec_t *grid = s_grid ("{\"parameter\": \"model.I\", \"values\": [0, 1, 2, 3, 4]},"
                           "{\"parameter\": \"model.a\", \"values\": [0, 1, 2, 3, 4]}");
    BSW_CHECK (grid);
    spec_refine_opts_t opts;
    spec_refine_opts_defaults (&opts);
    size_t counts[3];
    double *last;
    bsw_error_t err;
    BSW_CHECK_INT (s_drive (grid, &opts, s_step_at_2_5, 1, 17, counts, &last, &err), 0);
    BSW_CHECK_INT (counts[1], 17);
    free (last);
    BSW_CHECK_INT (s_drive (grid, &opts, s_step_at_2_5, 1, 16, counts, &last, &err), BSW_ETOOBIG);
    BSW_CHECK (strstr (err.text, "more than 16 points") != NULL);
    free (last);
    BSW_CHECK_INT (s_drive (grid, &opts, s_step_at_2_5, 1, 0, counts, &last, &err), BSW_ETOOBIG);
    free (last);
    spec_destroy (&grid);
    //  More swept parameters than the most a refinement halves.
    spec_range_t ranges[SPEC_REFINE_MAX_DIMS + 1];
    double two[2] = {0, 1};
    for (size_t r = 0; r <= SPEC_REFINE_MAX_DIMS; r++)
        ranges[r] = (spec_range_t){.parameter = "model.I", .values = two, .n_values = 2};
    spec_t wide = {.ranges = ranges, .n_ranges = SPEC_REFINE_MAX_DIMS + 1};
    size_t n0 = (size_t) spec_points (&wide);
    double *zeros = calloc (n0, sizeof (double));
    const double *metrics[1] = {zeros};
    double *values;
    size_t n_new;
    BSW_CHECK_INT (spec_refine_next (&wide, &opts, metrics, &n0, 1, 10, &values, &n_new, &err),
                   BSW_ETOOBIG);
    BSW_CHECK (strstr (err.text, "parameters") != NULL);
    free (zeros);
    return BSW_TEST_PASS;
}

//  Input the algorithm contradicts: BSW_EINVAL, saying what.
static int
s_test_inconsistent (void)
{
    spec_t *grid = s_grid ("{\"parameter\": \"model.I\", \"values\": [0, 1, 2, 3, 4]}");
    BSW_CHECK (grid);
    spec_refine_opts_t opts;
    spec_refine_opts_defaults (&opts);
    const double level0[5] = {0, 0, 0, 1, 1}, level1[2] = {0, 0};
    const double *metrics[2] = {level0, level1};
    size_t n_metrics[2] = {4, 1};
    double *values;
    size_t n_new;
    bsw_error_t err;
    //  The grid has 5 points, not 4.
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, &err),
                   BSW_EINVAL);
    BSW_CHECK (strstr (err.text, "4 metric values for a grid of 5 points") != NULL);
    //  Level 1 has one point, not two (nor none).
    n_metrics[0] = 5;
    n_metrics[1] = 2;
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 2, 10, &values, &n_new, &err),
                   BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "level 1 has 2 metric values but 1 points") != NULL, "%s",
                   err.text);
    n_metrics[1] = 0;
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 2, 10, &values, &n_new, &err),
                   BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "more than 0 points") != NULL, "%s", err.text);
    n_metrics[1] = 1;
    metrics[1] = NULL;
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 2, 10, &values, &n_new, &err),
                   BSW_EINVAL);
    metrics[1] = level1;
    //  No level, and thresholds that are no positive numbers.
    BSW_CHECK_INT (spec_refine_next (grid, &opts, metrics, n_metrics, 0, 10, &values, &n_new, &err),
                   BSW_EINVAL);
    const double bad[] = {0, -0.1, NAN, INFINITY};
    for (size_t k = 0; k < 4; k++) {
        opts.threshold = bad[k];
        BSW_CHECK_INT (
            spec_refine_next (grid, &opts, metrics, n_metrics, 1, 10, &values, &n_new, &err),
            BSW_EINVAL);
        BSW_CHECK (strstr (err.text, "threshold") != NULL);
    }
    BSW_CHECK (values == NULL && n_new == 0);
    spec_destroy (&grid);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"one_dim", s_test_one_dim},
                                          {"non_uniform", s_test_non_uniform},
                                          {"threshold", s_test_threshold},
                                          {"nan", s_test_nan},
                                          {"constant", s_test_constant},
                                          {"step_2d", s_test_step_2d},
                                          {"determinism", s_test_determinism},
                                          {"single_value", s_test_single_value},
                                          {"log_scale", s_test_log_scale},
                                          {"max_levels", s_test_max_levels},
                                          {"too_big", s_test_too_big},
                                          {"inconsistent", s_test_inconsistent},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
