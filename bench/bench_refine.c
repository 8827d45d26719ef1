/*  bench_refine.c - adaptive refinement on the tutorial PSE (issue 13,
    "Targets"): how many points `refine --metric GlobalVariance --levels 2`
    runs, against the grid of the same finest spacing.

    Runs the spec's grid through the core in process (sim_run, one point
    per run, THREADS threads), then for each threshold the refinement's
    levels (spec_refine_next, the broker's algorithm), simulating each new
    point. Prints per threshold the points of every level, their total, the
    finest grid's count and the total as a percentage of it (issue 13: at
    most 40%). With --check it also runs the whole finest grid and counts
    its boundary cells (a finest cell whose corners span more than T of the
    finest grid's range, or with failed and finite corners: the regime
    boundary at the finest spacing) and how many of them the refinement
    covers (all corners among its points). Asserts nothing.

    Grid points are simulated once (a table over the finest lattice, grid
    point k with point_index k); each level's points are simulated as the
    broker runs them, a sweep of their own whose point p has point_index p
    (the key of its random initial conditions), so the counts are those
    `brainsweep refine` gives. --check's other finest points take
    spec_points + their finest-lattice index. The finest lattice's
    values come from spec_refine_value, the function that gives the
    refinement's points theirs, so they match bit for bit.

    usage: bench_refine [--threads N] [--levels L] [--metric NAME] [--log]
                        [--thresholds T1,T2,...] [--check] [SPEC]
    (defaults: 2 threads, 2 levels, GlobalVariance on a linear scale,
    SPEC_REFINE_DEFAULT_THRESHOLD, examples/tutorial.json; the spec must use
    the built-in connectivity and sweep every range over 2 or more values)
*/
#include "spec_refine.h"

#include "bsw_util.h"
#include "sim_run.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_THRESHOLDS 16
#define S_MAX_FINEST     10000000 /* finest lattice points the bench holds */

typedef struct {
    const spec_t *grid;
    const sim_connectivity_t *conn;
    const char *metric;                  /* metric name */
    size_t levels;                       /* refinement levels L */
    size_t nr;                           /* ranges */
    uint64_t side[SPEC_REFINE_MAX_DIMS]; /* finest lattice points along each range */
    uint64_t n_fine;                     /* finest lattice points */
    double *fine_values;                 /* [n_fine][nr] */
    double *metric_of;                   /* [n_fine] the metric, NaN when failed */
    bool *done;                          /* [n_fine] simulated */
    uint64_t *grid_of;                   /* [n_fine] the grid point there, or UINT64_MAX */
    uint64_t *slots;                     /* hash of values -> finest index + 1 (0: empty) */
    uint64_t mask;                       /* slots - 1 */
    uint64_t simulated;                  /* points simulated */
    double sim_s;                        /* wall time of the simulations */
} s_bench_t;

typedef struct {
    s_bench_t *bench;
    const uint64_t *todo; /* finest indices */
    size_t n_todo;
    size_t first, stride; /* this thread's share */
    double *out;          /* a level's run: metric of todo[t] in out[t], point_index t */
    int rc;               /* 0 or the first failure */
    bsw_error_t err;
} s_job_t;

static uint64_t
s_hash (const double *values, size_t nr)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t r = 0; r < nr; r++) {
        uint64_t bits;
        memcpy (&bits, &values[r], sizeof bits);
        h = (h ^ bits) * 1099511628211ull;
        h ^= h >> 29;
    }
    return h;
}

//  The finest index of a point given by its values, or UINT64_MAX.
static uint64_t
s_find (const s_bench_t *b, const double *values)
{
    for (uint64_t s = s_hash (values, b->nr) & b->mask;; s = (s + 1) & b->mask) {
        if (b->slots[s] == 0)
            return UINT64_MAX;
        uint64_t k = b->slots[s] - 1;
        if (memcmp (b->fine_values + k * b->nr, values, b->nr * sizeof (double)) == 0)
            return k;
    }
}

//  The finest index of grid point p.
static uint64_t
s_grid_index (const s_bench_t *b, uint64_t p, size_t *coords)
{
    spec_point_coords (b->grid, p, coords);
    uint64_t k = 0;
    for (size_t r = 0; r < b->nr; r++)
        k = k * b->side[r] + ((uint64_t) coords[r] << b->levels);
    return k;
}

static int
s_lattice (s_bench_t *b, bsw_error_t *err)
{
    b->nr = b->grid->n_ranges;
    if (b->nr < 1 || b->nr > SPEC_REFINE_MAX_DIMS)
        return bsw_error_set (err, BSW_EINVAL, "the spec sweeps %zu ranges", b->nr);
    b->n_fine = 1;
    for (size_t r = 0; r < b->nr; r++) {
        size_t n = b->grid->ranges[r].n_values;
        if (n < 2)
            return bsw_error_set (err, BSW_EINVAL, "range %s has one value",
                                  b->grid->ranges[r].parameter);
        b->side[r] = ((uint64_t) (n - 1) << b->levels) + 1;
        if (b->side[r] > S_MAX_FINEST || b->n_fine * b->side[r] > S_MAX_FINEST)
            return bsw_error_set (err, BSW_ETOOBIG, "the finest grid has over %d points",
                                  S_MAX_FINEST);
        b->n_fine *= b->side[r];
    }
    uint64_t n_slots = 1;
    while (n_slots < 2 * b->n_fine)
        n_slots *= 2;
    b->mask = n_slots - 1;
    b->slots = bsw_calloc (n_slots, sizeof (uint64_t));
    b->fine_values = bsw_malloc (b->n_fine * b->nr * sizeof (double));
    b->metric_of = bsw_malloc (b->n_fine * sizeof (double));
    b->done = bsw_calloc (b->n_fine, sizeof (bool));
    for (uint64_t k = 0; k < b->n_fine; k++) {
        double *v = b->fine_values + k * b->nr;
        uint64_t rest = k;
        for (size_t r = b->nr; r-- > 0;) {
            v[r] = spec_refine_value (&b->grid->ranges[r], b->levels, rest % b->side[r]);
            rest /= b->side[r];
        }
        uint64_t s = s_hash (v, b->nr) & b->mask;
        while (b->slots[s] != 0)
            s = (s + 1) & b->mask;
        b->slots[s] = k + 1;
    }
    b->grid_of = bsw_malloc (b->n_fine * sizeof (uint64_t));
    memset (b->grid_of, 0xff, b->n_fine * sizeof (uint64_t));
    size_t *coords = bsw_malloc (b->nr * sizeof (size_t));
    for (uint64_t p = 0; p < spec_points (b->grid); p++)
        b->grid_of[s_grid_index (b, p, coords)] = p;
    free (coords);
    return 0;
}

//  Simulates finest point k with point_index `index`; its metric or NaN.
static int
s_simulate (const s_bench_t *b, uint64_t k, uint64_t index, double *metric, bsw_error_t *err)
{
    sim_setup_t setup;
    int rc = spec_point_setup (b->grid, 0, &setup, err);
    for (size_t r = 0; r < b->nr && rc == 0; r++)
        rc = spec_setup_set (&setup, b->grid->ranges[r].parameter, b->fine_values[k * b->nr + r],
                             err);
    if (rc)
        return rc;
    setup.point_index = index;
    sim_run_t *run;
    if ((rc = sim_run_new (&run, b->conn, &setup, 1, err)) != 0)
        return rc;
    sim_run_advance (run, 0);
    const sim_run_point_t *p = sim_run_point (run, 0);
    *metric = NAN;
    for (size_t m = 0; p->code == 0 && m < p->n_metrics; m++)
        if (strcmp (p->metric_names[m], b->metric) == 0)
            *metric = p->metric_values[m];
    if (p->code == 0 && isnan (*metric))
        rc = bsw_error_set (err, BSW_EINVAL, "no metric %s", b->metric);
    sim_run_destroy (&run);
    return rc;
}

static void *
s_thread (void *arg)
{
    s_job_t *job = arg;
    s_bench_t *b = job->bench;
    uint64_t n_grid = spec_points (b->grid);
    for (size_t t = job->first; t < job->n_todo && job->rc == 0; t += job->stride) {
        uint64_t k = job->todo[t];
        if (job->out) {
            job->rc = s_simulate (b, k, t, &job->out[t], &job->err);
            continue;
        }
        uint64_t index = b->grid_of[k] != UINT64_MAX ? b->grid_of[k] : n_grid + k;
        job->rc = s_simulate (b, k, index, &b->metric_of[k], &job->err);
    }
    return NULL;
}

//  Simulates those of the n finest points not simulated yet; or, with
//  `out`, a refinement level's n points as the broker runs them: a sweep of
//  their own, point p with point_index p (its random initial conditions),
//  metric into out[p].
static int
s_run (s_bench_t *b, const uint64_t *points, size_t n, size_t threads, double *out,
       bsw_error_t *err)
{
    uint64_t *todo = bsw_malloc ((n ? n : 1) * sizeof (uint64_t));
    size_t n_todo = 0;
    for (size_t p = 0; p < n; p++)
        if (out || !b->done[points[p]]) {
            if (!out)
                b->done[points[p]] = true; //  marked first: a point listed twice runs once
            todo[n_todo++] = points[p];
        }
    s_job_t jobs[64];
    pthread_t tid[64];
    double t0 = bsw_clock_mono_s ();
    for (size_t t = 0; t < threads; t++) {
        jobs[t] = (s_job_t){
            .bench = b, .todo = todo, .n_todo = n_todo, .first = t, .stride = threads, .out = out};
        if (pthread_create (&tid[t], NULL, s_thread, &jobs[t]) != 0)
            abort ();
    }
    int rc = 0;
    for (size_t t = 0; t < threads; t++) {
        pthread_join (tid[t], NULL);
        if (jobs[t].rc && rc == 0) {
            rc = jobs[t].rc;
            *err = jobs[t].err;
        }
    }
    b->sim_s += bsw_clock_mono_s () - t0;
    b->simulated += n_todo;
    free (todo);
    return rc;
}

typedef struct {
    double threshold;
    size_t counts[SPEC_REFINE_MAX_LEVELS + 1]; /* points per level */
    uint64_t total;
    bool *known;       /* [n_fine] the refinement's points */
    uint64_t boundary; /* --check: the finest grid's boundary cells */
    uint64_t covered;  /* those the refinement covers */
} s_row_t;

//  One refinement: levels 1..L at row->threshold, each level simulated.
static int
s_refine (s_bench_t *b, const spec_refine_opts_t *opts, size_t threads, s_row_t *row,
          bsw_error_t *err)
{
    uint64_t n_grid = spec_points (b->grid);
    double *metrics[SPEC_REFINE_MAX_LEVELS + 1] = {NULL};
    size_t n_metrics[SPEC_REFINE_MAX_LEVELS + 1] = {0};
    size_t *coords = bsw_malloc (b->nr * sizeof (size_t));
    metrics[0] = bsw_malloc (n_grid * sizeof (double));
    row->known = bsw_calloc (b->n_fine, sizeof (bool));
    for (uint64_t p = 0; p < n_grid; p++) {
        uint64_t k = s_grid_index (b, p, coords);
        metrics[0][p] = b->metric_of[k];
        row->known[k] = true;
    }
    free (coords);
    n_metrics[0] = row->counts[0] = n_grid;
    row->total = n_grid;
    int rc = 0;
    for (size_t l = 1; l <= b->levels && rc == 0; l++) {
        double *values;
        size_t n_new;
        rc = spec_refine_next (b->grid, opts, (const double *const *) metrics, n_metrics, l,
                               b->n_fine, &values, &n_new, err);
        if (rc)
            break;
        uint64_t *fine = bsw_malloc ((n_new ? n_new : 1) * sizeof (uint64_t));
        for (size_t p = 0; p < n_new; p++) {
            fine[p] = s_find (b, values + p * b->nr);
            if (fine[p] == UINT64_MAX)
                abort (); //  spec_refine_value's bits differ from spec_refine_next's
            row->known[fine[p]] = true;
        }
        free (values);
        metrics[l] = bsw_malloc ((n_new ? n_new : 1) * sizeof (double));
        rc = s_run (b, fine, n_new, threads, metrics[l], err);
        free (fine);
        n_metrics[l] = row->counts[l] = n_new;
        row->total += n_new;
    }
    for (size_t l = 0; l <= b->levels; l++)
        free (metrics[l]);
    return rc;
}

//  --check: the finest grid's boundary cells, and those the row covers.
static void
s_check (const s_bench_t *b, const spec_refine_opts_t *opts, s_row_t *row)
{
    double lo = INFINITY, hi = -INFINITY;
    for (uint64_t k = 0; k < b->n_fine; k++) {
        double v = b->metric_of[k];
        if (opts->log_scale)
            v = v > 0 ? log10 (v) : NAN;
        if (isfinite (v)) {
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    }
    row->boundary = row->covered = 0;
    for (uint64_t k = 0; k < b->n_fine; k++) {
        uint64_t rest = k;
        bool lower = true;
        for (size_t r = b->nr; r-- > 0;) {
            lower = lower && rest % b->side[r] + 1 < b->side[r];
            rest /= b->side[r];
        }
        if (!lower)
            continue;
        size_t n_corners = (size_t) 1 << b->nr, finite = 0;
        double clo = INFINITY, chi = -INFINITY;
        bool covered = true;
        for (size_t e = 0; e < n_corners; e++) {
            uint64_t c = k, stride = 1;
            for (size_t r = b->nr; r-- > 0;) {
                if ((e >> r) & 1)
                    c += stride;
                stride *= b->side[r];
            }
            covered = covered && row->known[c];
            double v = b->metric_of[c];
            if (opts->log_scale)
                v = v > 0 ? log10 (v) : NAN;
            if (isfinite (v)) {
                finite++;
                clo = v < clo ? v : clo;
                chi = v > chi ? v : chi;
            }
        }
        bool sharp = finite > 0 && (finite < n_corners || chi - clo > opts->threshold * (hi - lo));
        if (sharp && hi > lo) {
            row->boundary++;
            row->covered += covered;
        }
    }
}

static int
s_usage (void)
{
    fprintf (stderr, "usage: bench_refine [--threads N] [--levels L] [--metric NAME] [--log] "
                     "[--thresholds T1,T2,...] [--check] [SPEC]\n");
    return 2;
}

int
main (int argc, char **argv)
{
    size_t threads = 2, levels = 2, n_thr = 0;
    const char *metric = "GlobalVariance", *path = BENCH_SOURCE_DIR "/examples/tutorial.json";
    bool log_scale = false, check = false;
    double thr[S_MAX_THRESHOLDS];
    for (int a = 1; a < argc; a++) {
        if (strcmp (argv[a], "--threads") == 0 && a + 1 < argc)
            threads = (size_t) atoi (argv[++a]);
        else if (strcmp (argv[a], "--levels") == 0 && a + 1 < argc)
            levels = (size_t) atoi (argv[++a]);
        else if (strcmp (argv[a], "--metric") == 0 && a + 1 < argc)
            metric = argv[++a];
        else if (strcmp (argv[a], "--log") == 0)
            log_scale = true;
        else if (strcmp (argv[a], "--check") == 0)
            check = true;
        else if (strcmp (argv[a], "--thresholds") == 0 && a + 1 < argc) {
            for (char *s = argv[++a], *end; *s && n_thr < S_MAX_THRESHOLDS; s = end) {
                thr[n_thr++] = strtod (s, &end);
                if (end == s)
                    return s_usage ();
                end += *end == ',';
            }
        } else if (argv[a][0] != '-')
            path = argv[a];
        else
            return s_usage ();
    }
    if (threads < 1 || threads > 64 || levels < 1 || levels > SPEC_REFINE_MAX_LEVELS)
        return s_usage ();
    if (n_thr == 0)
        thr[n_thr++] = SPEC_REFINE_DEFAULT_THRESHOLD;
    spec_t *grid;
    bsw_error_t err;
    if (spec_load_file (&grid, path, &err) != 0) {
        fprintf (stderr, "bench_refine: %s\n", err.text);
        return 1;
    }
    sim_connectivity_t *conn = sim_connectivity_new_default ();
    s_bench_t b = {.grid = grid, .conn = conn, .metric = metric, .levels = levels};
    int rc = grid->connectivity
                 ? bsw_error_set (&err, BSW_EINVAL, "the spec must use the built-in connectivity")
                 : 0;
    if (rc == 0)
        rc = spec_check_connectivity (grid, conn, path, &err);
    if (rc == 0)
        rc = s_lattice (&b, &err);
    uint64_t n_grid = spec_points (grid);
    s_row_t rows[S_MAX_THRESHOLDS];
    memset (rows, 0, sizeof rows);
    if (rc == 0) { //  level 0
        uint64_t *fine = bsw_malloc (n_grid * sizeof (uint64_t));
        size_t *coords = bsw_malloc (b.nr * sizeof (size_t));
        for (uint64_t p = 0; p < n_grid; p++)
            fine[p] = s_grid_index (&b, p, coords);
        free (coords);
        rc = s_run (&b, fine, n_grid, threads, NULL, &err);
        free (fine);
    }
    for (size_t t = 0; t < n_thr && rc == 0; t++) {
        spec_refine_opts_t opts = {thr[t], log_scale};
        rows[t].threshold = thr[t];
        rc = s_refine (&b, &opts, threads, &rows[t], &err);
    }
    if (rc == 0 && check) {
        uint64_t *all = bsw_malloc (b.n_fine * sizeof (uint64_t));
        for (uint64_t k = 0; k < b.n_fine; k++)
            all[k] = k;
        rc = s_run (&b, all, b.n_fine, threads, NULL, &err);
        free (all);
        for (size_t t = 0; t < n_thr && rc == 0; t++) {
            spec_refine_opts_t opts = {thr[t], log_scale};
            s_check (&b, &opts, &rows[t]);
        }
    }
    if (rc) {
        fprintf (stderr, "bench_refine: %s\n", err.text);
    } else {
        printf ("refine: %s, %" PRIu64 " grid points, metric %s (%s scale), %zu levels\n", path,
                n_grid, metric, log_scale ? "log10" : "linear", levels);
        printf ("%" PRIu64 " points simulated in %.1f s on %zu threads\n", b.simulated, b.sim_s,
                threads);
        printf ("%-9s", "threshold");
        for (size_t l = 0; l <= levels; l++)
            printf (" %7s%zu", "level", l);
        printf (" %7s %7s %7s", "total", "finest", "percent");
        if (check)
            printf (" %9s %8s", "boundary", "covered");
        printf ("\n");
        for (size_t t = 0; t < n_thr; t++) {
            printf ("%-9g", rows[t].threshold);
            for (size_t l = 0; l <= levels; l++)
                printf (" %8zu", rows[t].counts[l]);
            printf (" %7" PRIu64 " %7" PRIu64 " %6.1f%%", rows[t].total, b.n_fine,
                    100.0 * (double) rows[t].total / (double) b.n_fine);
            if (check)
                printf (" %9" PRIu64 " %7.1f%%", rows[t].boundary,
                        rows[t].boundary
                            ? 100.0 * (double) rows[t].covered / (double) rows[t].boundary
                            : 100.0);
            printf ("\n");
        }
    }
    for (size_t t = 0; t < n_thr; t++)
        free (rows[t].known);
    free (b.slots);
    free (b.fine_values);
    free (b.metric_of);
    free (b.done);
    free (b.grid_of);
    sim_connectivity_destroy (&conn);
    spec_destroy (&grid);
    return rc ? 1 : 0;
}
