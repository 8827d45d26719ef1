/*  bench_plot.c - `brainsweep plot` of a huge sweep without the sweep: a
    synthetic NX x NY plot (default 1000 x 1000, TVB's five metric names)
    built in memory, then the PSE view written as each format asked for,
    timed, with the file's size and the process's peak memory after it
    (bench/README.md, "Plotting a huge sweep"). The data look like the
    tutorial's: a wedge of oscillating points (variance ~1) in a field of
    fixed points (1e-30 .. 1e-5), every 997th point failed, every 1009th
    NaN, the last 1% pending. Prints one line per format; asserts
    nothing.

    usage: bench_plot [NX [NY [DIR [FORMAT...]]]]
      FORMAT: png, svg, pdf, html (default all four, in that order);
      DIR: where the files go (default $TMPDIR or /tmp); they are removed
      after, unless BENCH_PLOT_KEEP is set. The peak memory is the whole
      process's so far: run one format per process to see each alone.
*/
#include "plot_pse.h"

#include "bsw_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const s_metrics[] = {"GlobalVariance", "KuramotoIndex", "Metastability",
                                        "Synchrony", "VarianceNodeVariance"};

static plot_pse_t *
s_sweep (size_t nx, size_t ny)
{
    double *x = bsw_malloc (nx * sizeof (double)), *y = bsw_malloc (ny * sizeof (double));
    for (size_t i = 0; i < nx; i++)
        x[i] = -5.0 + 10.0 * (double) i / (double) (nx > 1 ? nx - 1 : 1);
    for (size_t j = 0; j < ny; j++)
        y[j] = -3.0 + 8.0 * (double) j / (double) (ny > 1 ? ny - 1 : 1);
    plot_range_t ranges[] = {{"model.I", x, nx}, {"model.a", y, ny}};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    if (plot_pse_new (&pse, "synthetic sweep", ranges, 2, s_metrics, 5, &err)) {
        fprintf (stderr, "bench_plot: %s\n", err.text);
        exit (1);
    }
    uint64_t points = plot_pse_points (pse), pending_from = points - points / 100;
    for (uint64_t k = 0; k < points; k++) {
        size_t i = (size_t) (k / ny), j = (size_t) (k % ny);
        if (k >= pending_from)
            continue;
        if (k % 997 == 0) {
            plot_pse_set_point (pse, k, PLOT_POINT_FAILED, NULL);
            continue;
        }
        //  The wedge above the diagonal oscillates; elsewhere the variance
        //  falls off over 25 decades with the distance from it.
        double d = y[j] - (1.0 - 0.5 * x[i]);
        double gv = d > 0 ? 0.5 + 0.5 * sin (x[i] * y[j]) : pow (10.0, -5.0 + 5.0 * d);
        double values[5] = {gv, 0.3 + 0.2 * cos (x[i]), 0.1 * fabs (d), 1.0 / (1.0 + d * d),
                            gv * gv * 1e-3};
        if (k % 1009 == 0)
            values[4] = NAN;
        plot_pse_set_point (pse, k, PLOT_POINT_OK, values);
    }
    free (x);
    free (y);
    return pse;
}

static double
s_peak_mb (void)
{
    struct rusage ru;
    getrusage (RUSAGE_SELF, &ru);
    return (double) ru.ru_maxrss / 1024.0; // Linux: kB
}

int
main (int argc, char **argv)
{
    size_t nx = argc > 1 ? (size_t) atol (argv[1]) : 1000;
    size_t ny = argc > 2 ? (size_t) atol (argv[2]) : nx;
    const char *tmp = getenv ("TMPDIR");
    const char *dir = argc > 3 ? argv[3] : tmp && *tmp ? tmp : "/tmp";
    const char *all[] = {"png", "svg", "pdf", "html"};
    const char *const *formats = argc > 4 ? (const char *const *) argv + 4 : all;
    size_t n_formats = argc > 4 ? (size_t) argc - 4 : 4;
    if (nx == 0 || ny == 0) {
        fprintf (stderr, "usage: bench_plot [NX [NY [DIR [FORMAT...]]]]\n");
        return 2;
    }
    double t0 = bsw_clock_mono_s ();
    plot_pse_t *pse = s_sweep (nx, ny);
    printf ("bench_plot: %zu x %zu = %zu points, 5 metrics: data built in %.2f s, peak %.0f MB\n",
            nx, ny, nx * ny, bsw_clock_mono_s () - t0, s_peak_mb ());
    int status = 0;
    for (size_t f = 0; f < n_formats; f++) {
        char path[4096];
        snprintf (path, sizeof path, "%s/bench_plot_%d.%s", dir, (int) getpid (), formats[f]);
        plot_format_t format = plot_format_from_path (path);
        bsw_error_t err;
        plot_pse_stats_t stats = {0};
        t0 = bsw_clock_mono_s ();
        int rc = format == PLOT_FORMAT_HTML
                     ? plot_pse_write_html (pse, NULL, path, &err)
                     : plot_pse_write (pse, NULL, path, format, &stats, &err);
        double seconds = bsw_clock_mono_s () - t0;
        struct stat st;
        if (rc || stat (path, &st) != 0) {
            printf ("%-5s FAILED: %s\n", formats[f], rc ? err.text : "no file");
            status = 1;
            continue;
        }
        printf ("%-5s %7.2f s  %9.2f MB  peak %5.0f MB", formats[f], seconds,
                (double) st.st_size / 1e6, s_peak_mb ());
        if (format != PLOT_FORMAT_HTML)
            printf ("  (%.0f x %.0f px)", stats.width, stats.height);
        printf ("\n");
        fflush (stdout);
        if (!getenv ("BENCH_PLOT_KEEP"))
            unlink (path);
    }
    plot_pse_destroy (&pse);
    return status;
}
