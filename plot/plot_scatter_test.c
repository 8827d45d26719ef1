/*  plot_scatter_test.c - the PSE view of points that are no grid
    (plot_pse_new_scatter): each point's disc where its values are, radii
    from the density and halved per refinement level, --x and --y, one
    axis, the dense image, every format written and read back.

    A case that writes files has a folder of its own under $TMPDIR (or
    /tmp; bsw_test_dir.h), removed after.
*/
#include "plot_palette.h"
#include "plot_pse.h"
#include "plot_scale.h"

#include "bsw_test.h"
#include "bsw_test_dir.h"
#include "bsw_util.h"

#include <cairo.h>
#include <jansson.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char s_dir[BSW_TEST_DIR_MAX]; /* the folder of the case running */

static const char *const s_metrics[] = {"GlobalVariance", "Metastability", "Synchrony",
                                        "VarianceNodeVariance"};

static const char *
s_path (const char *name)
{
    return bsw_test_dir_path (s_dir, name);
}

static size_t
s_count (const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr (p, needle)); p += strlen (needle))
        n++;
    return n;
}

//  The pixel at (x, y) of an image as 0xrrggbb.
static uint32_t
s_pixel_at (cairo_surface_t *image, double x, double y)
{
    const unsigned char *data = cairo_image_surface_get_data (image);
    int stride = cairo_image_surface_get_stride (image);
    uint32_t px;
    memcpy (&px, data + (size_t) y * (size_t) stride + 4 * (size_t) x, 4);
    return px & 0xffffff;
}

static uint32_t
s_palette_rgb (double unit)
{
    plot_palette_t palette;
    plot_palette_init (&palette);
    plot_rgb_t c = palette.colours[plot_palette_index (unit)];
    return (uint32_t) lround (c.r * 255) << 16 | (uint32_t) lround (c.g * 255) << 8 |
           (uint32_t) lround (c.b * 255);
}

//  Colours within 2 of each channel: cairo rounds a disc's colour through
//  16 bits, which can differ by one from the palette's 8-bit rounding.
static bool
s_near (uint32_t got, uint32_t want)
{
    for (int shift = 0; shift <= 16; shift += 8) {
        int a = (int) (got >> shift & 0xff), b = (int) (want >> shift & 0xff);
        if (abs (a - b) > 2)
            return false;
    }
    return true;
}

//  Where a point of values (vx, vy) is drawn, from the stats: linear in
//  the bounds, inside the pad (plot_pse.h). vy NaN: the middle row.
static void
s_centre (const plot_pse_stats_t *stats, double vx, double xlo, double xhi, double vy, double ylo,
          double yhi, double *x, double *y)
{
    *x = stats->area_x + stats->pad + (vx - xlo) / (xhi - xlo) * (stats->area_w - 2 * stats->pad);
    *y = isnan (vy) ? stats->area_y + stats->area_h / 2
                    : stats->area_y + stats->area_h - stats->pad -
                          (vy - ylo) / (yhi - ylo) * (stats->area_h - 2 * stats->pad);
}

//  Pixels of the same colour as (x, y) along its row, left and right.
static size_t
s_run (cairo_surface_t *image, double x, double y)
{
    uint32_t c = s_pixel_at (image, x, y);
    size_t n = 1;
    for (double at = x - 1; at >= 0 && s_pixel_at (image, at, y) == c; at--)
        n++;
    for (double at = x + 1;
         at < cairo_image_surface_get_width (image) && s_pixel_at (image, at, y) == c; at++)
        n++;
    return n;
}

//  --------------------------------------------------------------------------

//  Usage: axes with their bounds, points appended with their values and
//  level, results set as for a grid, the view in every format.
static int
s_test_usage (void)
{
    BSW_CHECK (bsw_test_dir_new (s_dir, "plot_scatter_test"));
    plot_axis_t axes[] = {{"model.I", -1.0, 1.0}, {"model.a", 0.0, 2.0}};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (plot_pse_new_scatter (&pse, "sampled", axes, 2, s_metrics, 4, &err), 0);
    BSW_CHECK (plot_pse_is_scatter (pse));
    BSW_CHECK_INT (plot_pse_points (pse), 0);
    for (size_t i = 0; i < 20; i++) {
        double values[2] = {-1.0 + 0.1 * (double) i, 2.0 * fmod (0.37 * (double) i, 1.0)};
        uint64_t k = 99;
        BSW_CHECK_INT (plot_pse_add_point (pse, values, i < 16 ? 0 : 1, &k, &err), 0);
        BSW_CHECK_INT (k, i);
        if (i == 3)
            plot_pse_set_point (pse, k, PLOT_POINT_FAILED, NULL);
        else if (i != 4)
            plot_pse_set_point (pse, k, PLOT_POINT_OK,
                                (double[]){0.1 * (double) i, 0.2, 0.3, (double) i});
    }
    BSW_CHECK_INT (plot_pse_points (pse), 20);
    static const char *const files[] = {"s.svg", "s.png", "s.pdf"};
    for (size_t f = 0; f < 3; f++) {
        const char *path = s_path (files[f]);
        plot_pse_stats_t stats;
        BSW_CHECK_MSG (
            plot_pse_write (pse, NULL, path, plot_format_from_path (path), &stats, &err) == 0, "%s",
            err.text);
        BSW_CHECK (stats.scatter && !stats.dense);
        BSW_CHECK_INT (stats.drawn, 20);
        BSW_CHECK_INT (stats.discs, 18);
        BSW_CHECK_INT (stats.crosses, 1);
        BSW_CHECK_INT (stats.pending, 1);
    }
    size_t size = 0;
    char *text = bsw_test_read_file (s_path ("s.svg"), &size);
    BSW_CHECK (text && strstr (text, "<svg"));
    BSW_CHECK_INT (s_count (text, "stroke-miterlimit:7;"), 20); // one marker a point
    free (text);
    text = bsw_test_read_file (s_path ("s.png"), &size);
    BSW_CHECK (text && size > 8 && memcmp (text, "\x89PNG", 4) == 0);
    free (text);
    text = bsw_test_read_file (s_path ("s.pdf"), &size);
    BSW_CHECK (text && strncmp (text, "%PDF-", 5) == 0 && size > 1000);
    free (text);
    //  The page: the axes' bounds, every point's values and levels.
    BSW_CHECK_MSG (plot_pse_write_html (pse, NULL, s_path ("s.html"), &err) == 0, "%s", err.text);
    text = bsw_test_read_file (s_path ("s.html"), &size);
    BSW_CHECK (text);
    BSW_CHECK (strstr (text, "\"scatter\":true"));
    BSW_CHECK (strstr (text, "{\"name\":\"model.I\",\"lo\":-1.0,\"hi\":1.0}"));
    BSW_CHECK (strstr (text, "\"coords\":[-1.0,0.0,-0.90000000000000002,0.73999999999999999"));
    BSW_CHECK (strstr (text, "\"levels\":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1]"));
    BSW_CHECK (strstr (text, "\"x\":0,\"y\":1}"));
    free (text);
    plot_pse_destroy (&pse);
    plot_pse_destroy (&pse);
    bsw_test_dir_remove (s_dir);
    return BSW_TEST_PASS;
}

//  Each disc's centre is at its values: the PNG's pixel there is the
//  colour of its value; a point beyond the bounds widens them.
static int
s_test_placement (void)
{
    BSW_CHECK (bsw_test_dir_new (s_dir, "plot_scatter_test"));
    plot_axis_t axes[] = {{"model.I", 0.0, 10.0}, {"model.a", -1.0, 1.0}};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (plot_pse_new_scatter (&pse, "placed", axes, 2, s_metrics, 4, &err), 0);
    static const double at[][2] = {{0, -1}, {10, 1}, {5, 0}, {2.5, 0.5}, {7.5, -0.5}, {12, -1}};
    for (size_t i = 0; i < 6; i++) {
        uint64_t k;
        BSW_CHECK_INT (plot_pse_add_point (pse, at[i], 0, &k, &err), 0);
        plot_pse_set_point (pse, k, PLOT_POINT_OK, (double[]){1.0, 0.0, 0.0, (double) i});
    }
    plot_pse_options_t options = {.colour_scale = PLOT_SCALE_LINEAR};
    plot_pse_stats_t stats;
    const char *path = s_path ("placed.png");
    BSW_CHECK_MSG (plot_pse_write (pse, &options, path, PLOT_FORMAT_PNG, &stats, &err) == 0, "%s",
                   err.text);
    //  6 points: L = 3, TVB's (10, 50) x 1.5, under half of 1080 / 3.
    BSW_CHECK_DOUBLE_EQ (stats.rmax, 75.0);
    BSW_CHECK_DOUBLE_EQ (stats.area_w, 1080.0);
    BSW_CHECK_DOUBLE_EQ (stats.area_h, 1080.0);
    cairo_surface_t *image = cairo_image_surface_create_from_png (path);
    BSW_CHECK_INT (cairo_surface_status (image), CAIRO_STATUS_SUCCESS);
    for (size_t i = 0; i < 6; i++) {
        double x, y;
        s_centre (&stats, at[i][0], 0.0, 12.0, at[i][1], -1.0, 1.0, &x, &y);
        uint32_t got = s_pixel_at (image, x, y), want = s_palette_rgb ((double) i / 5.0);
        BSW_CHECK_MSG (s_near (got, want), "point %zu at (%g, %g): #%06x, expected #%06x", i, x, y,
                       got, want);
    }
    cairo_surface_destroy (image);
    plot_pse_destroy (&pse);
    bsw_test_dir_remove (s_dir);
    return BSW_TEST_PASS;
}

//  A point of level l has 1/2^l of the radius; the radius comes from the
//  density, each level counting 4^-l of a point.
static int
s_test_level_radii (void)
{
    BSW_CHECK (bsw_test_dir_new (s_dir, "plot_scatter_test"));
    plot_axis_t axes[] = {{"model.I", 0.0, 4.0}, {"model.a", 0.0, 4.0}};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (plot_pse_new_scatter (&pse, "levels", axes, 2, s_metrics, 4, &err), 0);
    //  The largest size at levels 0, 1, 2; the smallest once (the scale).
    static const struct {
        double x, y, size;
        unsigned level;
    } points[] = {{0, 0, 0.0, 0}, {1, 3, 1.0, 0}, {2, 1, 1.0, 1}, {3, 3, 1.0, 2}, {4, 0, 1.0, 0}};
    for (size_t i = 0; i < 5; i++) {
        uint64_t k;
        BSW_CHECK_INT (plot_pse_add_point (pse, (double[]){points[i].x, points[i].y},
                                           points[i].level, &k, &err),
                       0);
        plot_pse_set_point (pse, k, PLOT_POINT_OK,
                            (double[]){points[i].size, 0.0, 0.0, (double) i});
    }
    plot_pse_stats_t stats;
    const char *path = s_path ("levels.png");
    BSW_CHECK_MSG (plot_pse_write (pse, NULL, path, PLOT_FORMAT_PNG, &stats, &err) == 0, "%s",
                   err.text);
    //  Weight 3 + 1/4 + 1/16: L = 2, TVB's (10, 50) x 1.5.
    BSW_CHECK_DOUBLE_EQ (stats.rmax, 75.0);
    cairo_surface_t *image = cairo_image_surface_create_from_png (path);
    BSW_CHECK_INT (cairo_surface_status (image), CAIRO_STATUS_SUCCESS);
    for (size_t i = 1; i < 4; i++) {
        double x, y;
        s_centre (&stats, points[i].x, 0.0, 4.0, points[i].y, 0.0, 4.0, &x, &y);
        double want = 2.0 * stats.rmax / (double) (1u << points[i].level);
        size_t run = s_run (image, x, y);
        BSW_CHECK_MSG (fabs ((double) run - want) <= 3.0, "level %u: %zu px across, expected %g",
                       points[i].level, run, want);
    }
    cairo_surface_destroy (image);
    //  Bad points: one answer each.
    BSW_CHECK_INT (plot_pse_add_point (pse, (double[]){NAN, 0}, 0, NULL, &err), BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "point 5: model.I = nan is not finite"), "%s", err.text);
    BSW_CHECK_INT (plot_pse_add_point (pse, (double[]){0, 0}, PLOT_PSE_MAX_LEVEL + 1, NULL, &err),
                   BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "refinement level 17: a plot takes at most 16"), "%s",
                   err.text);
    BSW_CHECK_INT (plot_pse_points (pse), 5);
    plot_pse_destroy (&pse);
    plot_axis_t bad = {"model.I", 1.0, 0.0};
    BSW_CHECK_INT (plot_pse_new_scatter (&pse, "bad", &bad, 1, s_metrics, 4, &err), BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "parameter model.I: bounds 1 .. 0 are no interval"), "%s",
                   err.text);
    BSW_CHECK (!pse);
    bsw_test_dir_remove (s_dir);
    return BSW_TEST_PASS;
}

//  Three axes: --x and --y choose two; mistakes name the axes there are.
//  A grid takes --x and --y too.
static int
s_test_axes (void)
{
    BSW_CHECK (bsw_test_dir_new (s_dir, "plot_scatter_test"));
    plot_axis_t axes[] = {{"model.I", 0.0, 1.0}, {"model.a", 0.0, 1.0}, {"model.b", 0.0, 10.0}};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (plot_pse_new_scatter (&pse, "three", axes, 3, s_metrics, 4, &err), 0);
    static const double at[][3] = {{0.1, 0.9, 0.0}, {0.5, 0.5, 10.0}, {0.9, 0.1, 5.0}};
    for (size_t i = 0; i < 3; i++) {
        uint64_t k;
        BSW_CHECK_INT (plot_pse_add_point (pse, at[i], 0, &k, &err), 0);
        plot_pse_set_point (pse, k, PLOT_POINT_OK, (double[]){1.0, 0.0, 0.0, (double) i});
    }
    plot_pse_options_t options = {.x_axis = "model.b", .y_axis = "model.I"};
    plot_pse_stats_t stats;
    const char *path = s_path ("axes.png");
    BSW_CHECK_MSG (plot_pse_write (pse, &options, path, PLOT_FORMAT_PNG, &stats, &err) == 0, "%s",
                   err.text);
    cairo_surface_t *image = cairo_image_surface_create_from_png (path);
    for (size_t i = 0; i < 3; i++) {
        double x, y;
        s_centre (&stats, at[i][2], 0.0, 10.0, at[i][0], 0.0, 1.0, &x, &y);
        BSW_CHECK (s_near (s_pixel_at (image, x, y), s_palette_rgb ((double) i / 2.0)));
    }
    cairo_surface_destroy (image);
    //  --y alone: x is the first other axis.
    options = (plot_pse_options_t){.y_axis = "model.I"};
    BSW_CHECK (plot_pse_write (pse, &options, path, PLOT_FORMAT_PNG, &stats, &err) == 0);
    image = cairo_image_surface_create_from_png (path);
    double x, y;
    s_centre (&stats, at[2][1], 0.0, 1.0, at[2][0], 0.0, 1.0, &x, &y);
    BSW_CHECK (s_near (s_pixel_at (image, x, y), s_palette_rgb (1.0)));
    cairo_surface_destroy (image);
    static const char *const slice[] = {"model.I=0.5"};
    static const struct {
        plot_pse_options_t options;
        const char *says;
    } errors[] = {
        {{.x_axis = "model.c"},
         "--x model.c: no such axis; the sweep's axes are model.I, model.a, model.b"},
        {{.y_axis = "coupling.a"},
         "--y coupling.a: no such axis; the sweep's axes are model.I, model.a, model.b"},
        {{.x_axis = "model.a", .y_axis = "model.a"}, "--x and --y name the same axis, model.a"},
        {{.slices = slice, .n_slices = 1}, "--slice model.I=0.5: the sweep's points are no grid"},
    };
    for (size_t e = 0; e < sizeof errors / sizeof errors[0]; e++) {
        BSW_CHECK_INT (plot_pse_write (pse, &errors[e].options, path, PLOT_FORMAT_PNG, NULL, &err),
                       BSW_EINVAL);
        BSW_CHECK_MSG (strstr (err.text, errors[e].says), "%s", err.text);
        BSW_CHECK_INT (plot_pse_write_html (pse, &errors[e].options, s_path ("a.html"), &err),
                       BSW_EINVAL);
    }
    plot_pse_destroy (&pse);
    //  A grid of 3 x 4 values: I on x by default, a with --x.
    static const double I[] = {-1, 0, 1}, a[] = {-2, -1, 1, 2};
    plot_range_t ranges[] = {{"model.I", I, 3}, {"model.a", a, 4}};
    BSW_CHECK_INT (plot_pse_new (&pse, "grid", ranges, 2, s_metrics, 4, &err), 0);
    BSW_CHECK (!plot_pse_is_scatter (pse));
    double values[2];
    unsigned level = 9;
    plot_pse_point_values (pse, 5, values, &level); // I's second value, a's second
    BSW_CHECK (values[0] == 0.0 && values[1] == -1.0 && level == 0);
    BSW_CHECK (plot_pse_write (pse, NULL, path, PLOT_FORMAT_PNG, &stats, &err) == 0);
    BSW_CHECK (stats.area_w * 4 == stats.area_h * 3 && !stats.scatter);
    options = (plot_pse_options_t){.x_axis = "model.a"};
    BSW_CHECK (plot_pse_write (pse, &options, path, PLOT_FORMAT_PNG, &stats, &err) == 0);
    BSW_CHECK (stats.area_w * 3 == stats.area_h * 4);
    options = (plot_pse_options_t){.x_axis = "model.b"};
    BSW_CHECK_INT (plot_pse_write (pse, &options, path, PLOT_FORMAT_PNG, NULL, &err), BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "--x model.b: no such axis; the sweep's axes are model.I, "
                                     "model.a"),
                   "%s", err.text);
    options = (plot_pse_options_t){
        .x_axis = "model.a", .slices = (const char *const[]){"model.a=1"}, .n_slices = 1};
    BSW_CHECK_INT (plot_pse_write (pse, &options, path, PLOT_FORMAT_PNG, NULL, &err), BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "--x model.a: that range is fixed by --slice"), "%s",
                   err.text);
    plot_pse_destroy (&pse);
    bsw_test_dir_remove (s_dir);
    return BSW_TEST_PASS;
}

//  One axis: one row, every point on its middle line; --y is an error.
static int
s_test_one_axis (void)
{
    BSW_CHECK (bsw_test_dir_new (s_dir, "plot_scatter_test"));
    plot_axis_t axis = {"model.I", -2.0, 2.0};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (plot_pse_new_scatter (&pse, "row", &axis, 1, s_metrics, 4, &err), 0);
    static const double at[] = {-2.0, -0.5, 1.0, 2.0};
    for (size_t i = 0; i < 4; i++) {
        uint64_t k;
        BSW_CHECK_INT (plot_pse_add_point (pse, &at[i], 0, &k, &err), 0);
        plot_pse_set_point (pse, k, PLOT_POINT_OK, (double[]){1.0, 0.0, 0.0, (double) i});
    }
    plot_pse_stats_t stats;
    const char *path = s_path ("row.png");
    BSW_CHECK_MSG (plot_pse_write (pse, NULL, path, PLOT_FORMAT_PNG, &stats, &err) == 0, "%s",
                   err.text);
    BSW_CHECK (stats.scatter && !stats.dense && stats.area_h < stats.area_w);
    cairo_surface_t *image = cairo_image_surface_create_from_png (path);
    for (size_t i = 0; i < 4; i++) {
        double x, y;
        s_centre (&stats, at[i], -2.0, 2.0, NAN, 0, 0, &x, &y);
        BSW_CHECK (s_near (s_pixel_at (image, x, y), s_palette_rgb ((double) i / 3.0)));
    }
    cairo_surface_destroy (image);
    plot_pse_options_t options = {.y_axis = "model.I"};
    BSW_CHECK_INT (plot_pse_write (pse, &options, path, PLOT_FORMAT_PNG, NULL, &err), BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "--y model.I: the sweep has no other axis for x"), "%s",
                   err.text);
    BSW_CHECK (plot_pse_write_html (pse, NULL, s_path ("row.html"), &err) == 0);
    plot_pse_destroy (&pse);
    bsw_test_dir_remove (s_dir);
    return BSW_TEST_PASS;
}

//  100,000 points: one image of the plot area in every format, its size
//  bounded by its pixels; a failed point is never hidden under others.
static int
s_test_dense (void)
{
    BSW_CHECK (bsw_test_dir_new (s_dir, "plot_scatter_test"));
    enum { N = 100000 };
    plot_axis_t axes[] = {{"model.I", 0.0, 1.0}, {"model.a", 0.0, 1.0}};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (plot_pse_new_scatter (&pse, "dense", axes, 2, s_metrics, 4, &err), 0);
    uint64_t state = 12345;
    size_t failed = 0, pending = 0;
    for (size_t i = 0; i < N; i++) {
        double v[2];
        for (size_t r = 0; r < 2; r++) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            v[r] = (double) (state >> 11) / 9007199254740992.0;
        }
        if (i == N / 2)
            v[0] = v[1] = 0.5; // the failed one, under many neighbours' squares
        uint64_t k;
        BSW_CHECK_INT (plot_pse_add_point (pse, v, i % 10 == 9 ? 1 : 0, &k, &err), 0);
        if (i == N / 2)
            failed++, plot_pse_set_point (pse, k, PLOT_POINT_FAILED, NULL);
        else if (i % 1000 == 1)
            pending++;
        else
            plot_pse_set_point (pse, k, PLOT_POINT_OK, (double[]){1.0, 0.0, 0.0, v[0] + v[1]});
    }
    //  Neighbours drawn later, at a finer level, right over it.
    for (size_t i = 0; i < 4; i++) {
        uint64_t k;
        BSW_CHECK_INT (plot_pse_add_point (pse, (double[]){0.5, 0.5}, 2, &k, &err), 0);
        plot_pse_set_point (pse, k, PLOT_POINT_OK, (double[]){1.0, 0.0, 0.0, 1.0});
    }
    plot_pse_stats_t stats;
    const char *png = s_path ("dense.png"), *svg = s_path ("dense.svg"),
               *pdf = s_path ("dense.pdf"), *html = s_path ("dense.html");
    BSW_CHECK_MSG (plot_pse_write (pse, NULL, png, PLOT_FORMAT_PNG, &stats, &err) == 0, "%s",
                   err.text);
    BSW_CHECK (stats.dense && stats.scatter);
    BSW_CHECK_INT (stats.drawn, N + 4);
    BSW_CHECK_INT (stats.discs, 0);
    BSW_CHECK_INT (stats.cells, N + 4 - failed - pending);
    BSW_CHECK_INT (stats.crosses, failed);
    BSW_CHECK_INT (stats.pending, pending);
    cairo_surface_t *image = cairo_image_surface_create_from_png (png);
    double x, y;
    s_centre (&stats, 0.5, 0.0, 1.0, 0.5, 0.0, 1.0, &x, &y);
    BSW_CHECK_MSG (s_pixel_at (image, x, y) == 0xd62728, "#%06x", s_pixel_at (image, x, y));
    cairo_surface_destroy (image);
    size_t size = 0;
    char *text = bsw_test_read_file (png, &size);
    BSW_CHECK_MSG (size < 2000000, "PNG of %zu bytes", size);
    free (text);
    BSW_CHECK (plot_pse_write (pse, NULL, svg, PLOT_FORMAT_SVG, &stats, &err) == 0);
    text = bsw_test_read_file (svg, &size);
    BSW_CHECK (text);
    BSW_CHECK_INT (s_count (text, "<image "), 1);
    BSW_CHECK_INT (s_count (text, "stroke-miterlimit:7;"), 0);
    BSW_CHECK_MSG (size < 3000000, "SVG of %zu bytes", size);
    free (text);
    BSW_CHECK (plot_pse_write (pse, NULL, pdf, PLOT_FORMAT_PDF, &stats, &err) == 0);
    text = bsw_test_read_file (pdf, &size);
    BSW_CHECK (text && strncmp (text, "%PDF-", 5) == 0 && size < 3000000);
    free (text);
    //  The page: values and metrics as base64, some 8 MB for 100,000.
    BSW_CHECK (plot_pse_write_html (pse, NULL, html, &err) == 0);
    text = bsw_test_read_file (html, &size);
    BSW_CHECK (text && strstr (text, "\"coords_f64\":\"") && !strstr (text, "\"coords\":"));
    BSW_CHECK_MSG (size < 10000000, "page of %zu bytes", size);
    free (text);
    plot_pse_destroy (&pse);
    bsw_test_dir_remove (s_dir);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"placement", s_test_placement},
                                          {"level_radii", s_test_level_radii},
                                          {"axes", s_test_axes},
                                          {"one_axis", s_test_one_axis},
                                          {"dense", s_test_dense},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    int rc = bsw_test_main (argc, argv, s_cases);
    cairo_debug_reset_static_data (); // leak checkers see no cairo caches
    return rc;
}
