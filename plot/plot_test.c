/*  plot_test.c - the plot module: TVB's radius table, NaN-aware scales,
    the palette, and the PSE view and time series written as SVG, PNG,
    PDF and HTML, read back and counted.

    A case that writes files has a folder of its own under $TMPDIR (or
    /tmp; s_dir_fixture over bsw_test_dir.h), removed after.
*/
#include "plot_palette.h"
#include "plot_pse.h"
#include "plot_scale.h"
#include "plot_series.h"

#include "bsw_test.h"
#include "bsw_test_dir.h"
#include "bsw_util.h"

#include <cairo.h>
#include <jansson.h>

#include <math.h>
#include <stdint.h>
#include <unistd.h>

static char s_dir[BSW_TEST_DIR_MAX]; /* the folder of the case running */

//  The fixture of the cases that write files: a new folder of their own
//  (bsw_test_dir.h), in which s_path names files; s_dir_end removes it.
//  False when it cannot be made.
static bool
s_dir_fixture (void)
{
    return bsw_test_dir_new (s_dir, "plot_test");
}

static void
s_dir_end (void)
{
    bsw_test_dir_remove (s_dir);
    s_dir[0] = '\0';
}

//  A path in the case's folder; the last 8 stay valid (bsw_test_dir_path).
static const char *
s_path (const char *name)
{
    return bsw_test_dir_path (s_dir, name);
}

static char *
s_read (const char *path, size_t *size_p)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return NULL;
    fseek (f, 0, SEEK_END);
    long size = ftell (f);
    fseek (f, 0, SEEK_SET);
    char *text = bsw_malloc ((size_t) size + 1);
    size_t got = fread (text, 1, (size_t) size, f);
    fclose (f);
    text[got] = '\0';
    if (size_p)
        *size_p = got;
    return text;
}

static size_t
s_count (const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr (p, needle)); p += strlen (needle))
        n++;
    return n;
}

//  Point markers in a cairo SVG: paths tagged by their miter limit
//  (plot_pse_draw.c), and of those the round-capped ones (crosses) and
//  the filled ones (discs).
static void
s_svg_markers (const char *svg, size_t *markers, size_t *crosses, size_t *discs)
{
    *markers = *crosses = *discs = 0;
    for (const char *p = svg; (p = strstr (p, "<path ")); p++) {
        const char *end = strchr (p, '>');
        size_t n = (size_t) (end - p);
        char tag[1024];
        snprintf (tag, sizeof tag, "%.*s", (int) (n < sizeof tag - 1 ? n : sizeof tag - 1), p);
        if (!strstr (tag, "stroke-miterlimit:7;"))
            continue;
        (*markers)++;
        *crosses += strstr (tag, "stroke-linecap:round") != NULL;
        *discs += strstr (tag, "fill:rgb(") != NULL;
    }
}

static const char *const s_metrics[] = {"GlobalVariance", "Metastability", "Synchrony",
                                        "VarianceNodeVariance"};

//  A 3 x 4 sweep like a small tutorial: I in {-1, 0, 1}, a in {-2, -1, 1, 2};
//  variance grows by 20 decades from the corner (0,0) to (2,3).
static plot_pse_t *
s_small (void)
{
    static const double I[] = {-1, 0, 1}, a[] = {-2, -1, 1, 2};
    plot_range_t ranges[] = {{"model.I", I, 3}, {"model.a", a, 4}};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    if (plot_pse_new (&pse, "small sweep", ranges, 2, s_metrics, 4, &err))
        return NULL;
    for (uint64_t k = 0; k < 12; k++) {
        double gv = pow (10.0, -20.0 + 20.0 * (double) k / 11.0);
        double values[4] = {gv, 0.1 * (double) k, 1000.0 - (double) k, gv * gv};
        plot_pse_set_point (pse, k, PLOT_POINT_OK, values);
    }
    return pse;
}

//  --------------------------------------------------------------------------

//  Usage: a sweep's data in, a view out as SVG, PNG, PDF or HTML.
static int
s_test_usage (void)
{
    BSW_CHECK (s_dir_fixture ());
    //  The ranges and metric names of the sweep; every point starts pending.
    static const double I[] = {-1, 0, 1}, a[] = {-2, -1, 1, 2};
    plot_range_t ranges[] = {{"model.I", I, 3}, {"model.a", a, 4}};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (plot_pse_new (&pse, "usage", ranges, 2, s_metrics, 4, &err), 0);
    BSW_CHECK_INT (plot_pse_points (pse), 12);
    BSW_CHECK_INT (plot_pse_metric_index (pse, "Synchrony"), 2);
    //  Results as they come: point k is row-major, I outermost.
    for (uint64_t k = 0; k < 10; k++) {
        double values[4] = {0.1 * (double) (k + 1), 0.2, 0.3, 0.01 * (double) k};
        plot_pse_set_point (pse, k, PLOT_POINT_OK, values);
    }
    plot_pse_set_point (pse, 10, PLOT_POINT_FAILED, NULL);
    //  Point 11 stays pending.
    plot_pse_options_t options = {0}; // defaults: size GlobalVariance, colour VNV
    plot_pse_stats_t stats;
    const char *svg = s_path ("usage.svg");
    BSW_CHECK_MSG (plot_pse_write (pse, &options, svg, plot_format_from_path (svg), &stats, &err) ==
                       0,
                   "%s", err.text);
    BSW_CHECK_INT (stats.panels, 1);
    BSW_CHECK_INT (stats.drawn, 12);
    BSW_CHECK_INT (stats.discs, 10);
    BSW_CHECK_INT (stats.crosses, 1);
    BSW_CHECK_INT (stats.pending, 1);
    BSW_CHECK (!stats.size_log && !stats.colour_log);
    const char *png = s_path ("usage.png"), *pdf = s_path ("usage.pdf");
    BSW_CHECK (plot_pse_write (pse, &options, png, PLOT_FORMAT_PNG, NULL, &err) == 0);
    BSW_CHECK (plot_pse_write (pse, &options, pdf, PLOT_FORMAT_PDF, NULL, &err) == 0);
    const char *html = s_path ("usage.html");
    BSW_CHECK (plot_pse_write_html (pse, &options, html, &err) == 0);
    size_t size = 0;
    char *bytes = s_read (pdf, &size);
    BSW_CHECK (bytes && strncmp (bytes, "%PDF-", 5) == 0 && size > 1000);
    free (bytes);
    plot_pse_destroy (&pse);
    plot_pse_destroy (&pse); // harmless twice
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  TVB.md 9.2, row by row at both ends.
static int
s_test_radius_table (void)
{
    static const struct {
        size_t L;
        double rmin, rmax;
    } cases[] = {{0, 10, 50}, {1, 10, 50}, {3, 10, 50}, {4, 10, 40}, {5, 10, 40},
                 {6, 10, 33}, {8, 10, 33}, {9, 8, 25},  {10, 8, 25}, {11, 5, 15},
                 {20, 5, 15}, {21, 4, 10}, {30, 4, 10}, {31, 3, 8},  {40, 3, 8},
                 {41, 2, 6},  {50, 2, 6},  {51, 2, 5},  {60, 2, 5},  {61, 1, 4},
                 {90, 1, 4},  {91, 1, 3},  {110, 1, 3}, {111, 1, 2}, {5000, 1, 2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double rmin = -1, rmax = -1;
        plot_scale_radius_range (cases[i].L, &rmin, &rmax);
        BSW_CHECK_MSG (rmin == cases[i].rmin && rmax == cases[i].rmax, "L %zu: (%g, %g)",
                       cases[i].L, rmin, rmax);
    }
    return BSW_TEST_PASS;
}

//  Quirk Q9 fixed: NaN and infinities neither set nor spoil the scale.
static int
s_test_nan_scale (void)
{
    const double values[] = {2.0, NAN, 4.0, INFINITY, 3.0, -INFINITY, 6.0};
    plot_scale_t s;
    bsw_error_t err;
    BSW_CHECK_INT (plot_scale_fit (&s, values, 7, 1, PLOT_SCALE_LINEAR, "m", &err), 0);
    BSW_CHECK_DOUBLE_EQ (s.min, 2.0);
    BSW_CHECK_DOUBLE_EQ (s.max, 6.0);
    BSW_CHECK_INT (s.finite, 4);
    BSW_CHECK_INT (s.count, 7);
    //  TVB's radius rule on the valid points; NaN for the others (a cross).
    BSW_CHECK_DOUBLE_EQ (plot_scale_radius (&s, 2.0, 4, 10), 4.0);
    BSW_CHECK_DOUBLE_EQ (plot_scale_radius (&s, 6.0, 4, 10), 10.0);
    BSW_CHECK_DOUBLE_EQ (plot_scale_radius (&s, 4.0, 4, 10), 7.0);
    BSW_CHECK (isnan (plot_scale_radius (&s, NAN, 4, 10)));
    BSW_CHECK (!plot_scale_valid (&s, INFINITY) && plot_scale_valid (&s, 3.0));
    //  Stride: the second of each pair.
    const double pairs[] = {0, 10, 0, NAN, 0, 30};
    BSW_CHECK_INT (plot_scale_fit (&s, pairs + 1, 3, 2, PLOT_SCALE_LINEAR, "m", &err), 0);
    BSW_CHECK_DOUBLE_EQ (s.min, 10.0);
    BSW_CHECK_DOUBLE_EQ (s.max, 30.0);
    //  One value, or all equal: rmin (TVB), colour entry 0.
    const double same[] = {5, 5, NAN};
    plot_scale_fit (&s, same, 3, 1, PLOT_SCALE_AUTO, "m", &err);
    BSW_CHECK_DOUBLE_EQ (plot_scale_radius (&s, 5, 4, 10), 4.0);
    BSW_CHECK_DOUBLE_EQ (plot_scale_unit (&s, 5), 0.0);
    //  Nothing finite: no scale, every point a cross.
    const double none[] = {NAN, NAN};
    plot_scale_fit (&s, none, 2, 1, PLOT_SCALE_AUTO, "m", &err);
    BSW_CHECK_INT (s.finite, 0);
    BSW_CHECK (isnan (s.min) && !s.log);
    return BSW_TEST_PASS;
}

static int
s_test_scale_modes (void)
{
    plot_scale_t s;
    bsw_error_t err;
    //  Auto: log from 3 decades of positive values.
    const double wide[] = {3e-29, 1e-5, 1.3};
    BSW_CHECK_INT (plot_scale_fit (&s, wide, 3, 1, PLOT_SCALE_AUTO, "GlobalVariance", &err), 0);
    BSW_CHECK (s.log);
    BSW_CHECK_DOUBLE_EQ (s.lo, log10 (3e-29));
    BSW_CHECK (fabs (plot_scale_unit (&s, 1e-5) -
                     (-5 - log10 (3e-29)) / (log10 (1.3) - log10 (3e-29))) < 1e-12);
    const double narrow[] = {1, 999};
    plot_scale_fit (&s, narrow, 2, 1, PLOT_SCALE_AUTO, "m", &err);
    BSW_CHECK (!s.log);
    plot_scale_fit (&s, (const double[]){1, 1000}, 2, 1, PLOT_SCALE_DEFAULT, "m", &err);
    BSW_CHECK (s.log);
    const double negative[] = {-1e-20, 1};
    plot_scale_fit (&s, negative, 2, 1, PLOT_SCALE_AUTO, "m", &err);
    BSW_CHECK (!s.log);
    //  Exact zeros (an underflowed variance) stay on a log scale, at its
    //  bottom; the scale spans the positive values.
    const double zeros[] = {0.0, 4.5e-60, 0.0085, 0.0};
    plot_scale_fit (&s, zeros, 4, 1, PLOT_SCALE_AUTO, "m", &err);
    BSW_CHECK (s.log);
    BSW_CHECK_DOUBLE_EQ (s.min, 0.0);
    BSW_CHECK_DOUBLE_EQ (s.min_positive, 4.5e-60);
    BSW_CHECK_DOUBLE_EQ (s.lo, log10 (4.5e-60));
    BSW_CHECK (plot_scale_valid (&s, 0.0) && !plot_scale_valid (&s, -1.0));
    BSW_CHECK_DOUBLE_EQ (plot_scale_unit (&s, 0.0), 0.0);
    BSW_CHECK_DOUBLE_EQ (plot_scale_unit (&s, 0.0085), 1.0);
    //  Forced log of values < 0: a sentence naming the metric.
    BSW_CHECK_INT (plot_scale_fit (&s, negative, 2, 1, PLOT_SCALE_LOG, "Synchrony", &err),
                   BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "Synchrony has values < 0 (smallest -1e-20)"), "%s", err.text);
    plot_scale_fit (&s, narrow, 2, 1, PLOT_SCALE_LOG, "m", &err);
    BSW_CHECK (s.log && plot_scale_valid (&s, 0.0) && !plot_scale_valid (&s, -0.5));
    //  Ticks: decades on a wide log scale, round numbers on a linear one.
    double ticks[PLOT_SCALE_TICKS_MAX];
    plot_scale_fit (&s, wide, 3, 1, PLOT_SCALE_LOG, "m", &err);
    size_t n = plot_scale_ticks (&s, 7, ticks, PLOT_SCALE_TICKS_MAX);
    BSW_CHECK (n >= 4 && n <= PLOT_SCALE_TICKS_MAX);
    char label[PLOT_SCALE_LABEL_BUF];
    for (size_t i = 0; i < n; i++)
        BSW_CHECK (ticks[i] == round (ticks[i]) && ticks[i] >= s.lo && ticks[i] <= s.hi);
    plot_scale_label (&s, -20, label);
    BSW_CHECK_STR (label, "1e-20");
    plot_scale_label (&s, 0, label);
    BSW_CHECK_STR (label, "1");
    plot_scale_fit (&s, (const double[]){0.0, 0.0085}, 2, 1, PLOT_SCALE_LINEAR, "m", &err);
    n = plot_scale_ticks (&s, 7, ticks, PLOT_SCALE_TICKS_MAX);
    BSW_CHECK_INT (n, 5); // 0, 0.002, ..., 0.008
    plot_scale_label (&s, ticks[4], label);
    BSW_CHECK_STR (label, "0.008");
    plot_scale_format (1e6, label);
    BSW_CHECK_STR (label, "1e6");
    plot_scale_format (-0.0, label);
    BSW_CHECK_STR (label, "0");
    return BSW_TEST_PASS;
}

//  Colour: TVB's clamp to [0, 1], 256 entries, lightness rising.
static int
s_test_colour_clamp (void)
{
    BSW_CHECK_INT (plot_palette_index (-0.5), 0);
    BSW_CHECK_INT (plot_palette_index (0.0), 0);
    BSW_CHECK_INT (plot_palette_index (NAN), 0);
    BSW_CHECK_INT (plot_palette_index (0.5), 127);
    BSW_CHECK_INT (plot_palette_index (1.0), 255);
    BSW_CHECK_INT (plot_palette_index (7.0), 255);
    plot_scale_t s;
    const double fitted[] = {1.0, 2.0};
    plot_scale_fit (&s, fitted, 2, 1, PLOT_SCALE_LINEAR, "m", NULL);
    BSW_CHECK_DOUBLE_EQ (plot_scale_unit (&s, 0.0), 0.0);
    BSW_CHECK_DOUBLE_EQ (plot_scale_unit (&s, 9.0), 1.0);
    plot_palette_t p;
    plot_palette_init (&p);
    char hex[8];
    plot_rgb_hex (p.colours[0], hex);
    BSW_CHECK_STR (hex, "#440154");
    plot_rgb_hex (p.colours[255], hex);
    BSW_CHECK_STR (hex, "#fde725");
    //  Perceptual: relative luminance rises with the index.
    double last = -1;
    for (size_t i = 0; i < PLOT_PALETTE_SIZE; i++) {
        plot_rgb_t c = p.colours[i];
        BSW_CHECK (c.r >= 0 && c.r <= 1 && c.g >= 0 && c.g <= 1 && c.b >= 0 && c.b <= 1);
        double lum = 0.2126 * pow (c.r, 2.2) + 0.7152 * pow (c.g, 2.2) + 0.0722 * pow (c.b, 2.2);
        BSW_CHECK_MSG (lum > last, "entry %zu", i);
        last = lum;
    }
    return BSW_TEST_PASS;
}

//  One SVG path per point, of the right kind; a NaN point is a cross and
//  leaves the other points' scale alone.
static int
s_test_svg_markers (void)
{
    BSW_CHECK (s_dir_fixture ());
    plot_pse_t *pse = s_small ();
    BSW_CHECK (pse);
    plot_pse_set_value (pse, 5, 3, NAN); // colour NaN: a cross
    plot_pse_set_value (pse, 6, 2, NAN); // Synchrony NaN, not drawn: a disc
    plot_pse_set_point (pse, 7, PLOT_POINT_FAILED, NULL);
    plot_pse_set_point (pse, 8, PLOT_POINT_PENDING, NULL);
    plot_pse_stats_t stats;
    bsw_error_t err;
    const char *path = s_path ("markers.svg");
    BSW_CHECK_MSG (plot_pse_write (pse, NULL, path, PLOT_FORMAT_SVG, &stats, &err) == 0, "%s",
                   err.text);
    BSW_CHECK_INT (stats.drawn, 12);
    BSW_CHECK_INT (stats.discs, 9);
    BSW_CHECK_INT (stats.crosses, 2);
    BSW_CHECK_INT (stats.pending, 1);
    BSW_CHECK (stats.colour_log && !stats.size_log);
    char *svg = s_read (path, NULL);
    BSW_CHECK (svg);
    size_t markers, crosses, discs;
    s_svg_markers (svg, &markers, &crosses, &discs);
    BSW_CHECK_INT (markers, 12);
    BSW_CHECK_INT (crosses, 2);
    BSW_CHECK_INT (discs, 9);
    //  No coordinate became NaN (TVB's quirk made every radius NaN).
    BSW_CHECK (!strstr (svg, "nan") && !strstr (svg, "NaN"));
    BSW_CHECK (strstr (svg, "width=\"") && strstr (svg, "</svg>"));
    free (svg);
    plot_pse_destroy (&pse);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  The PNG read back with cairo: not blank, many colours, the size told.
static int
s_test_png_nonblank (void)
{
    BSW_CHECK (s_dir_fixture ());
    plot_pse_t *pse = s_small ();
    plot_pse_stats_t stats;
    bsw_error_t err;
    const char *path = s_path ("small.png");
    BSW_CHECK (plot_pse_write (pse, NULL, path, PLOT_FORMAT_PNG, &stats, &err) == 0);
    cairo_surface_t *image = cairo_image_surface_create_from_png (path);
    BSW_CHECK_INT (cairo_surface_status (image), CAIRO_STATUS_SUCCESS);
    int w = cairo_image_surface_get_width (image), h = cairo_image_surface_get_height (image);
    BSW_CHECK_INT (w, (int) stats.width);
    BSW_CHECK_INT (h, (int) stats.height);
    const unsigned char *data = cairo_image_surface_get_data (image);
    int stride = cairo_image_surface_get_stride (image);
    size_t ink = 0, distinct = 0;
    static uint8_t seen[1 << 15];
    memset (seen, 0, sizeof seen);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t px;
            memcpy (&px, data + (size_t) y * (size_t) stride + 4 * (size_t) x, 4);
            px &= 0xffffff;
            ink += px != 0xffffff;
            //  5 bits per channel is enough to tell palette steps apart.
            uint32_t key = ((px >> 19) & 31) << 10 | ((px >> 11) & 31) << 5 | ((px >> 3) & 31);
            if (!seen[key]) {
                seen[key] = 1;
                distinct++;
            }
        }
    cairo_surface_destroy (image);
    BSW_CHECK_MSG (ink > (size_t) (w * h) / 50, "%zu of %d pixels drawn", ink, w * h);
    BSW_CHECK_MSG (distinct > 40, "%zu colours", distinct);
    plot_pse_destroy (&pse);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  Bad options answer with what would be right.
static int
s_test_errors (void)
{
    BSW_CHECK (s_dir_fixture ());
    plot_pse_t *pse = s_small ();
    bsw_error_t err;
    plot_pse_options_t options = {.size_metric = "Kuramoto"};
    const char *path = s_path ("error.svg");
    BSW_CHECK_INT (plot_pse_write (pse, &options, path, PLOT_FORMAT_SVG, NULL, &err), BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "--size Kuramoto: no such metric; the sweep has "
                                     "GlobalVariance, Metastability, Synchrony, "
                                     "VarianceNodeVariance"),
                   "%s", err.text);
    const char *bad_value[] = {"model.a=0.5"};
    options = (plot_pse_options_t){.slices = bad_value, .n_slices = 1};
    BSW_CHECK_INT (plot_pse_write (pse, &options, path, PLOT_FORMAT_SVG, NULL, &err), BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "0.5 is not a value of model.a; its values are -2, -1, 1, 2"),
                   "%s", err.text);
    const char *bad_param[] = {"model.b=1"};
    options.slices = bad_param;
    BSW_CHECK_INT (plot_pse_write (pse, &options, path, PLOT_FORMAT_SVG, NULL, &err), BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "model.b is not a range of the sweep (model.I, model.a)"),
                   "%s", err.text);
    options = (plot_pse_options_t){.colour_metric = "Synchrony", .colour_scale = PLOT_SCALE_LOG};
    plot_pse_set_value (pse, 3, 2, -1.0);
    BSW_CHECK_INT (plot_pse_write (pse, &options, path, PLOT_FORMAT_SVG, NULL, &err), BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "Synchrony has values < 0"), "%s", err.text);
    BSW_CHECK (access (path, F_OK) != 0); // nothing written
    //  Writing where no folder is: an I/O error, nothing left.
    BSW_CHECK_INT (
        plot_pse_write (pse, NULL, "/nonexistent-dir/x.png", PLOT_FORMAT_PNG, NULL, &err), BSW_EIO);
    BSW_CHECK_INT (
        plot_pse_write (pse, NULL, "/nonexistent-dir/x.svg", PLOT_FORMAT_SVG, NULL, &err), BSW_EIO);
    BSW_CHECK_INT (plot_pse_write_html (pse, NULL, "/nonexistent-dir/x.html", &err), BSW_EIO);
    BSW_CHECK_MSG (strstr (err.text, "/nonexistent-dir/x.html"), "%s", err.text);
    plot_pse_destroy (&pse);
    //  A sweep with no ranges: a sentence.
    BSW_CHECK_INT (plot_pse_new (&pse, "t", NULL, 0, s_metrics, 4, &err), BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "the sweep has no ranges"), "%s", err.text);
    BSW_CHECK (pse == NULL);
    //  Formats by extension.
    BSW_CHECK_INT (plot_format_from_path ("a/b.SVG"), PLOT_FORMAT_SVG);
    BSW_CHECK_INT (plot_format_from_path ("b.png"), PLOT_FORMAT_PNG);
    BSW_CHECK_INT (plot_format_from_path ("b.pdf"), PLOT_FORMAT_PDF);
    BSW_CHECK_INT (plot_format_from_path ("b.htm"), PLOT_FORMAT_HTML);
    BSW_CHECK_INT (plot_format_from_path ("b.jpg"), PLOT_FORMAT_UNKNOWN);
    BSW_CHECK_INT (plot_format_from_path ("dir.svg/b"), PLOT_FORMAT_UNKNOWN);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  Three ranges: small multiples, a slice, too many panels.
static int
s_test_small_multiples (void)
{
    BSW_CHECK (s_dir_fixture ());
    static const double I[] = {0, 1}, a[] = {0, 1, 2}, b[] = {0.1, 0.2, 0.30000000000000004, 0.4};
    double c[30];
    for (int i = 0; i < 30; i++)
        c[i] = i;
    plot_range_t ranges[] = {
        {"model.I", I, 2}, {"model.a", a, 3}, {"model.b", b, 4}, {"coupling.a", c, 30}};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    //  Three ranges: 4 panels of 2 x 3.
    BSW_CHECK (plot_pse_new (&pse, "three", ranges, 3, s_metrics, 4, &err) == 0);
    for (uint64_t k = 0; k < 24; k++)
        plot_pse_set_point (pse, k, k % 5 ? PLOT_POINT_OK : PLOT_POINT_PENDING,
                            (double[]){(double) k, 1, 2, (double) k + 1});
    plot_pse_stats_t stats;
    const char *path = s_path ("three.svg");
    BSW_CHECK (plot_pse_write (pse, NULL, path, PLOT_FORMAT_SVG, &stats, &err) == 0);
    BSW_CHECK_INT (stats.panels, 4);
    BSW_CHECK_INT (stats.drawn, 24);
    BSW_CHECK_INT (stats.pending, 5);
    char *svg = s_read (path, NULL);
    size_t markers, crosses, discs;
    s_svg_markers (svg, &markers, &crosses, &discs);
    free (svg);
    BSW_CHECK_INT (markers, 24);
    //  "0.3" picks the value 0.30000000000000004; x = I, y = a.
    const char *slice[] = {"model.b=0.3"};
    plot_pse_options_t options = {.slices = slice, .n_slices = 1};
    BSW_CHECK_MSG (plot_pse_write (pse, &options, path, PLOT_FORMAT_SVG, &stats, &err) == 0, "%s",
                   err.text);
    BSW_CHECK_INT (stats.panels, 1);
    BSW_CHECK_INT (stats.drawn, 6);
    //  Slicing an axis moves the next range onto it.
    const char *slice_i[] = {"model.I=1"};
    options.slices = slice_i;
    BSW_CHECK (plot_pse_write (pse, &options, path, PLOT_FORMAT_SVG, &stats, &err) == 0);
    BSW_CHECK_INT (stats.panels, 1);
    BSW_CHECK_INT (stats.drawn, 12);
    plot_pse_destroy (&pse);
    //  Four ranges: 120 panels are too many; the error says how to slice.
    BSW_CHECK (plot_pse_new (&pse, "four", ranges, 4, s_metrics, 4, &err) == 0);
    BSW_CHECK_INT (plot_pse_write (pse, NULL, path, PLOT_FORMAT_SVG, NULL, &err), BSW_EINVAL);
    BSW_CHECK_MSG (strstr (err.text, "model.b (4 values) x coupling.a (30 values) would make 120 "
                                     "panels, more than 25") &&
                       strstr (err.text, "--slice model.b=VALUE with VALUE one of 0.1, 0.2, "
                                         "0.3, 0.4"),
                   "%s", err.text);
    const char *fix[] = {"coupling.a=7"};
    options = (plot_pse_options_t){.slices = fix, .n_slices = 1};
    BSW_CHECK (plot_pse_write (pse, &options, path, PLOT_FORMAT_SVG, &stats, &err) == 0);
    BSW_CHECK_INT (stats.panels, 4);
    //  The export's choice: the extra ranges at their first values.
    options = (plot_pse_options_t){.slice_when_crowded = true};
    BSW_CHECK (plot_pse_write (pse, &options, path, PLOT_FORMAT_PNG, &stats, &err) == 0);
    BSW_CHECK_INT (stats.panels, 1);
    BSW_CHECK_INT (stats.drawn, 6);
    plot_pse_destroy (&pse);
    //  A 1-D sweep: one row.
    BSW_CHECK (plot_pse_new (&pse, "one", ranges + 3, 1, s_metrics, 4, &err) == 0);
    BSW_CHECK (plot_pse_write (pse, NULL, path, PLOT_FORMAT_SVG, &stats, &err) == 0);
    BSW_CHECK_INT (stats.drawn, 30);
    BSW_CHECK_INT (stats.pending, 30);
    plot_pse_destroy (&pse);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  An nx x ny sweep (x = model.I, y = model.a; a third range of nz values
//  when nz > 1) whose colour metric (VarianceNodeVariance) is i + 100 j,
//  every point ok: a dense view's cells are easy to predict.
static plot_pse_t *
s_grid (size_t nx, size_t ny, size_t nz)
{
    double *x = bsw_malloc (nx * sizeof (double)), *y = bsw_malloc (ny * sizeof (double));
    double z[64];
    for (size_t i = 0; i < nx; i++)
        x[i] = (double) i;
    for (size_t j = 0; j < ny; j++)
        y[j] = 0.5 * (double) j;
    for (size_t c = 0; c < nz && c < 64; c++)
        z[c] = (double) c;
    plot_range_t ranges[] = {{"model.I", x, nx}, {"model.a", y, ny}, {"model.b", z, nz}};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    int rc = plot_pse_new (&pse, "grid", ranges, nz > 1 ? 3 : 2, s_metrics, 4, &err);
    free (x);
    free (y);
    if (rc)
        return NULL;
    for (uint64_t k = 0; k < plot_pse_points (pse); k++) {
        uint64_t ij = k / nz, i = ij / ny, j = ij % ny;
        double values[4] = {1.0 + (double) k, 0.5, 0.25, (double) i + 100.0 * (double) j};
        plot_pse_set_point (pse, k, PLOT_POINT_OK, values);
    }
    return pse;
}

//  The pixel at (x, y) of an RGB24 image as 0xrrggbb.
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
s_rgb24 (plot_rgb_t c)
{
    return (uint32_t) lround (c.r * 255) << 16 | (uint32_t) lround (c.g * 255) << 8 |
           (uint32_t) lround (c.b * 255);
}

//  Discs up to 4096 points a panel (64 x 64) and while they are 3 px or
//  more; one cell per point beyond either.
static int
s_test_dense_choice (void)
{
    BSW_CHECK (s_dir_fixture ());
    static const struct {
        size_t nx, ny, nz;
        bool dense;
    } cases[] = {
        {64, 64, 1, false}, /* 4096 points: discs of 6 px on a 16.9 px pitch */
        {65, 64, 1, true},  /* 4160 */
        {61, 61, 1, false}, /* 3721 points, one panel: discs of 6 px */
        {61, 61, 25, true}, /* the same in 25 panels of 360 px: 2 px */
        {100, 1, 1, false}, /* a row of 100: 4.5 px */
        {200, 1, 1, true},  /* a row of 200: 2.7 px */
    };
    const char *path = s_path ("choice.png");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        plot_pse_t *pse = s_grid (cases[c].nx, cases[c].ny, cases[c].nz);
        BSW_CHECK (pse);
        plot_pse_stats_t stats;
        bsw_error_t err;
        BSW_CHECK_MSG (plot_pse_write (pse, NULL, path, PLOT_FORMAT_PNG, &stats, &err) == 0, "%s",
                       err.text);
        size_t n = cases[c].nx * cases[c].ny * cases[c].nz;
        BSW_CHECK_MSG (stats.dense == cases[c].dense, "%zu x %zu x %zu", cases[c].nx, cases[c].ny,
                       cases[c].nz);
        BSW_CHECK_INT (stats.drawn, n);
        BSW_CHECK_INT (stats.discs, cases[c].dense ? 0 : n);
        BSW_CHECK_INT (stats.cells, cases[c].dense ? n : 0);
        BSW_CHECK_INT (stats.panels, cases[c].nz);
        plot_pse_destroy (&pse);
    }
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  A dense PNG read back: every cell is the colour scale's colour of its
//  point's value, edge to edge; failed, NaN and pending points are cells
//  of their fixed colours.
static int
s_test_dense_png (void)
{
    BSW_CHECK (s_dir_fixture ());
    enum { NX = 70, NY = 60 };
    plot_pse_t *pse = s_grid (NX, NY, 1);
    BSW_CHECK (pse);
    //  k = i NY + j; none of them at the scale's ends (0 and 5969).
    plot_pse_set_point (pse, 5 * NY + 7, PLOT_POINT_FAILED, NULL);
    plot_pse_set_value (pse, 6 * NY + 7, 3, NAN);
    plot_pse_set_point (pse, 7 * NY + 7, PLOT_POINT_PENDING, NULL);
    plot_pse_options_t options = {.colour_scale = PLOT_SCALE_LINEAR};
    plot_pse_stats_t stats;
    bsw_error_t err;
    const char *path = s_path ("dense.png");
    BSW_CHECK_MSG (plot_pse_write (pse, &options, path, PLOT_FORMAT_PNG, &stats, &err) == 0, "%s",
                   err.text);
    BSW_CHECK (stats.dense && !stats.colour_log);
    BSW_CHECK_INT (stats.drawn, NX * NY);
    BSW_CHECK_INT (stats.cells, NX * NY - 3);
    BSW_CHECK_INT (stats.crosses, 2);
    BSW_CHECK_INT (stats.pending, 1);
    //  Cells of whole px filling about 1080 px: 15 x 18 px.
    BSW_CHECK_DOUBLE_EQ (stats.area_w, 15.0 * NX);
    BSW_CHECK_DOUBLE_EQ (stats.area_h, 18.0 * NY);
    BSW_CHECK (stats.area_x == floor (stats.area_x) && stats.area_y == floor (stats.area_y));
    cairo_surface_t *image = cairo_image_surface_create_from_png (path);
    BSW_CHECK_INT (cairo_surface_status (image), CAIRO_STATUS_SUCCESS);
    plot_palette_t palette;
    plot_palette_init (&palette);
    for (size_t i = 0; i < NX; i++)
        for (size_t j = 0; j < NY; j++) {
            uint64_t k = i * NY + j;
            uint32_t want = s_rgb24 (palette.colours[plot_palette_index (
                ((double) i + 100.0 * (double) j) / (69.0 + 100.0 * 59.0))]);
            if (k == 5 * NY + 7)
                want = 0xd62728; // failed
            else if (k == 6 * NY + 7)
                want = 0x595959; // NaN
            else if (k == 7 * NY + 7)
                want = 0xdcdcdc; // pending
            //  The cell's top-left and bottom-right pixels and its centre.
            double x0 = stats.area_x + 15.0 * (double) i;
            double y0 = stats.area_y + stats.area_h - 18.0 * (double) (j + 1);
            const double at[3][2] = {{x0, y0}, {x0 + 14, y0 + 17}, {x0 + 7, y0 + 9}};
            for (size_t a = 0; a < 3; a++) {
                uint32_t got = s_pixel_at (image, at[a][0], at[a][1]);
                BSW_CHECK_MSG (got == want, "cell (%zu, %zu) at (%g, %g): #%06x, expected #%06x", i,
                               j, at[a][0], at[a][1], got, want);
            }
        }
    cairo_surface_destroy (image);
    plot_pse_destroy (&pse);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  A dense SVG holds one image a panel and no marker; the file's size
//  follows the pixels. PDF too.
static int
s_test_dense_svg (void)
{
    BSW_CHECK (s_dir_fixture ());
    plot_pse_t *pse = s_grid (70, 60, 2);
    BSW_CHECK (pse);
    plot_pse_set_point (pse, 17, PLOT_POINT_FAILED, NULL);
    plot_pse_stats_t stats;
    bsw_error_t err;
    const char *svg = s_path ("dense.svg"), *pdf = s_path ("dense.pdf");
    BSW_CHECK_MSG (plot_pse_write (pse, NULL, svg, PLOT_FORMAT_SVG, &stats, &err) == 0, "%s",
                   err.text);
    BSW_CHECK (stats.dense);
    BSW_CHECK_INT (stats.panels, 2);
    BSW_CHECK_INT (stats.drawn, 8400);
    size_t size = 0;
    char *text = s_read (svg, &size);
    BSW_CHECK (text);
    BSW_CHECK_INT (s_count (text, "<image "), 2);
    size_t markers, crosses, discs;
    s_svg_markers (text, &markers, &crosses, &discs);
    BSW_CHECK_INT (markers, 0);
    //  A PNG at the plot area's resolution, so no viewer blurs the cells.
    char want[64];
    snprintf (want, sizeof want, "width=\"%.0f\" height=\"%.0f\"", stats.area_w, stats.area_h);
    BSW_CHECK_MSG (strstr (text, want), "no image of %s", want);
    BSW_CHECK_MSG (size < 400000, "%zu bytes", size);
    free (text);
    BSW_CHECK (plot_pse_write (pse, NULL, pdf, PLOT_FORMAT_PDF, &stats, &err) == 0);
    text = s_read (pdf, &size);
    BSW_CHECK (text && strncmp (text, "%PDF-", 5) == 0);
    free (text);
    plot_pse_destroy (&pse);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  More values than pixels (a row of 7000 values on 6000 px): a pixel
//  shows its middle point, but a failed point is never hidden.
static int
s_test_dense_shared (void)
{
    BSW_CHECK (s_dir_fixture ());
    enum { N = 7000, FAILED = 3001 };
    double *x = bsw_malloc (N * sizeof (double));
    for (size_t i = 0; i < N; i++)
        x[i] = (double) i;
    plot_range_t range = {"model.I", x, N};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    BSW_CHECK (plot_pse_new (&pse, "row", &range, 1, s_metrics, 4, &err) == 0);
    free (x);
    for (uint64_t k = 0; k < N; k++)
        plot_pse_set_point (pse, k, PLOT_POINT_OK,
                            (double[]){1.0, 0.5, 0.25, (double) (k % 2 ? N - k : k)});
    plot_pse_set_point (pse, FAILED, PLOT_POINT_FAILED, NULL);
    plot_pse_stats_t stats;
    const char *path = s_path ("row.png");
    plot_pse_options_t options = {.colour_scale = PLOT_SCALE_LINEAR};
    BSW_CHECK (plot_pse_write (pse, &options, path, PLOT_FORMAT_PNG, &stats, &err) == 0);
    BSW_CHECK (stats.dense);
    BSW_CHECK_INT (stats.drawn, N);
    BSW_CHECK_INT (stats.crosses, 1);
    BSW_CHECK_DOUBLE_EQ (stats.area_w, 6000.0); // PLOT_PSE_MAX_SIDE_PX
    cairo_surface_t *image = cairo_image_surface_create_from_png (path);
    BSW_CHECK_INT (cairo_surface_status (image), CAIRO_STATUS_SUCCESS);
    double y = stats.area_y + stats.area_h / 2;
    size_t red = 0;
    plot_palette_t palette;
    plot_palette_init (&palette);
    for (size_t c = 0; c < 6000; c++) {
        uint32_t got = s_pixel_at (image, stats.area_x + (double) c, y);
        size_t i0 = c * N / 6000, i1 = (c + 1) * N / 6000, mid = i0 + (i1 - i0) / 2;
        if (i0 <= FAILED && FAILED < i1) {
            BSW_CHECK_MSG (got == 0xd62728, "pixel %zu: #%06x", c, got);
            red++;
            continue;
        }
        double v = (double) (mid % 2 ? N - mid : mid);
        uint32_t want = s_rgb24 (palette.colours[plot_palette_index (v / (N - 1))]);
        BSW_CHECK_MSG (got == want, "pixel %zu: #%06x, expected #%06x", c, got, want);
    }
    BSW_CHECK_INT (red, 1);
    cairo_surface_destroy (image);
    plot_pse_destroy (&pse);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  The page's data block, parsed; NULL when it is missing or not JSON.
static json_t *
s_data_block (const char *html)
{
    const char *open = "<script type=\"application/json\" id=\"pse-data\">\n";
    const char *start = strstr (html, open);
    const char *end = start ? strstr (start, "\n</script>") : NULL;
    if (!end)
        return NULL;
    start += strlen (open);
    json_error_t jerr;
    json_t *data = json_loadb (start, (size_t) (end - start), 0, &jerr);
    if (!data)
        fprintf (stderr, "pse-data: %s\n", jerr.text);
    return data;
}

//  The page: one file, data as JSON, no way for a name to close a script.
static int
s_test_html (void)
{
    BSW_CHECK (s_dir_fixture ());
    static const double I[] = {-1, 0.5};
    plot_range_t ranges[] = {{"model.I", I, 2}};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    BSW_CHECK (plot_pse_new (&pse, "a</script><b>&", ranges, 1, s_metrics, 4, &err) == 0);
    plot_pse_set_point (pse, 0, PLOT_POINT_OK, (double[]){1e-29, NAN, INFINITY, 0.25});
    const char *path = s_path ("page.html");
    BSW_CHECK (plot_pse_write_html (pse, NULL, path, &err) == 0);
    char *html = s_read (path, NULL);
    BSW_CHECK (html);
    BSW_CHECK_INT (s_count (html, "</script>"), 2); // the data block and the script
    BSW_CHECK (strstr (html, "<title>a&lt;/script&gt;&lt;b&gt;&amp; - PSE</title>"));
    BSW_CHECK (strstr (html, "\"title\":\"a\\u003c/script\\u003e\\u003cb\\u003e\\u0026\""));
    BSW_CHECK (strstr (html, "\"status\":\"op\""));
    //  The data block is JSON; each value reads back exactly, NaN and
    //  infinities as strings, null without a result.
    json_t *data = s_data_block (html);
    BSW_CHECK (data);
    json_t *values = json_object_get (data, "values");
    BSW_CHECK_INT (json_array_size (values), 8);
    BSW_CHECK (json_real_value (json_array_get (values, 0)) == 1e-29);
    BSW_CHECK_STR (json_string_value (json_array_get (values, 1)), "NaN");
    BSW_CHECK_STR (json_string_value (json_array_get (values, 2)), "Infinity");
    BSW_CHECK (json_real_value (json_array_get (values, 3)) == 0.25);
    for (size_t i = 4; i < 8; i++)
        BSW_CHECK (json_is_null (json_array_get (values, i)));
    BSW_CHECK_STR (json_string_value (json_object_get (data, "title")), "a</script><b>&");
    json_decref (data);
    BSW_CHECK (strstr (html, ",\"NaN\",\"Infinity\",0.25,null,null,null,null]"));
    BSW_CHECK (strstr (html, "\"labels\":[\"-1\",\"0.5\"]"));
    BSW_CHECK (strstr (html, "\"initial\":{\"size\":\"GlobalVariance\",\"colour\":"
                             "\"VarianceNodeVariance\",\"size_scale\":\"linear\","
                             "\"colour_scale\":\"auto\",\"fixed\":[-1],\"x\":0,\"y\":-1}"));
    BSW_CHECK (strstr (html, "pse-point") && strstr (html, "pse-tooltip"));
    BSW_CHECK (!strstr (html, "<script src") && !strstr (html, "<link "));
    free (html);
    //  Unknown metrics are refused here too.
    plot_pse_options_t options = {.colour_metric = "nope"};
    BSW_CHECK_INT (plot_pse_write_html (pse, &options, path, &err), BSW_EINVAL);
    plot_pse_destroy (&pse);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  Base64 text to bytes; returns how many, or 0 on a bad digit.
static size_t
s_unbase64 (const char *text, size_t length, uint8_t *out)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = 0;
    uint32_t bits = 0;
    int have = 0;
    for (size_t i = 0; i < length && text[i] != '='; i++) {
        const char *d = strchr (digits, text[i]);
        if (!d || !text[i])
            return 0;
        bits = bits << 6 | (uint32_t) (d - digits);
        have += 6;
        if (have >= 8) {
            have -= 8;
            out[n++] = (uint8_t) (bits >> have);
        }
    }
    return n;
}

//  A large sweep's page: the metrics as base64 of little-endian doubles,
//  every one read back exactly, NaN without a result; the dense view's
//  thresholds and colours for the script.
static int
s_test_dense_html (void)
{
    BSW_CHECK (s_dir_fixture ());
    enum { NX = 70, NY = 60, N = NX * NY };
    plot_pse_t *pse = s_grid (NX, NY, 1);
    BSW_CHECK (pse);
    plot_pse_set_value (pse, 11, 0, 1.0 / 3.0);
    plot_pse_set_value (pse, 12, 3, -INFINITY);
    plot_pse_set_point (pse, 13, PLOT_POINT_FAILED, NULL);
    plot_pse_set_value (pse, 13, 0, 5.0); // a failed point has no metrics, whatever is set
    plot_pse_set_point (pse, 14, PLOT_POINT_PENDING, NULL);
    bsw_error_t err;
    const char *path = s_path ("dense.html");
    BSW_CHECK_MSG (plot_pse_write_html (pse, NULL, path, &err) == 0, "%s", err.text);
    char *html = s_read (path, NULL);
    BSW_CHECK (html);
    json_t *data = s_data_block (html);
    BSW_CHECK (data);
    BSW_CHECK (!json_object_get (data, "values"));
    json_t *f64 = json_object_get (data, "values_f64");
    BSW_CHECK (json_is_string (f64));
    BSW_CHECK_INT (json_string_length (f64), (N * 4 * 8 + 2) / 3 * 4);
    uint8_t *bytes = bsw_malloc (N * 4 * 8);
    BSW_CHECK_INT (s_unbase64 (json_string_value (f64), json_string_length (f64), bytes),
                   N * 4 * 8);
    for (size_t k = 0; k < N; k++)
        for (size_t m = 0; m < 4; m++) {
            uint64_t bits = 0;
            for (int b = 7; b >= 0; b--)
                bits = bits << 8 | bytes[(k * 4 + m) * 8 + (size_t) b];
            double got;
            memcpy (&got, &bits, 8);
            size_t i = k / NY, j = k % NY;
            double want = m == 0 ? 1.0 + (double) k : m == 1 ? 0.5 : m == 2 ? 0.25 : i + 100.0 * j;
            if (k == 11 && m == 0)
                want = 1.0 / 3.0;
            if (k == 12 && m == 3)
                want = -INFINITY;
            if (k == 13 || k == 14)
                BSW_CHECK_MSG (isnan (got), "point %zu metric %zu: %g", k, m, got);
            else
                BSW_CHECK_MSG (got == want, "point %zu metric %zu: %.17g, not %.17g", k, m, got,
                               want);
        }
    free (bytes);
    const char *status = json_string_value (json_object_get (data, "status"));
    BSW_CHECK (status && strlen (status) == N);
    BSW_CHECK (strncmp (status + 11, "oofpo", 5) == 0);
    json_t *dense = json_object_get (data, "dense");
    BSW_CHECK_INT (json_integer_value (json_object_get (dense, "points")), PLOT_PSE_DENSE_POINTS);
    BSW_CHECK_DOUBLE_EQ (json_real_value (json_object_get (dense, "min_radius")),
                         PLOT_PSE_DENSE_MIN_RADIUS_PX);
    json_t *marks = json_object_get (data, "marks");
    BSW_CHECK_STR (json_string_value (json_object_get (marks, "failed")), "#d62728");
    BSW_CHECK_STR (json_string_value (json_object_get (marks, "nan")), "#595959");
    BSW_CHECK_STR (json_string_value (json_object_get (marks, "pending")), "#dcdcdc");
    json_decref (data);
    free (html);
    plot_pse_destroy (&pse);
    s_dir_end ();
    return BSW_TEST_PASS;
}

//  A point's series: 2 VOIs x 5 regions, one NaN sample; PNG and SVG.
static int
s_test_series (void)
{
    BSW_CHECK (s_dir_fixture ());
    enum { T = 400, V = 2, R = 5 };
    static double data[T * V * R], time[T];
    for (size_t t = 0; t < T; t++) {
        time[t] = 0.48828125 + 0.9765625 * (double) t;
        for (size_t v = 0; v < V; v++)
            for (size_t r = 0; r < R; r++)
                data[(t * V + v) * R + r] = sin (0.05 * (double) t + (double) r) * (double) (v + 1);
    }
    data[(100 * V + 1) * R + 2] = NAN;
    const char *names[] = {"V", "W"};
    plot_series_t series = {"point 7", time, T, data, V, R, 1, names};
    bsw_error_t err;
    const char *png = s_path ("series.png"), *svg = s_path ("series.svg");
    BSW_CHECK_MSG (plot_series_write (&series, png, PLOT_FORMAT_PNG, &err) == 0, "%s", err.text);
    BSW_CHECK (plot_series_write (&series, svg, PLOT_FORMAT_SVG, &err) == 0);
    cairo_surface_t *image = cairo_image_surface_create_from_png (png);
    BSW_CHECK_INT (cairo_surface_status (image), CAIRO_STATUS_SUCCESS);
    BSW_CHECK_INT (cairo_image_surface_get_width (image), 1400);
    cairo_surface_destroy (image);
    char *text = s_read (svg, NULL);
    BSW_CHECK (text && !strstr (text, "nan"));
    free (text);
    //  A long series is drawn as an envelope: the file stays small.
    enum { LONG = 200000 };
    double *ldata = bsw_malloc (LONG * sizeof (double)),
           *ltime = bsw_malloc (LONG * sizeof (double));
    for (size_t t = 0; t < LONG; t++) {
        ltime[t] = 0.01 * (double) t;
        ldata[t] = sin (0.001 * (double) t);
    }
    plot_series_t raw = {"raw", ltime, LONG, ldata, 1, 1, 1, NULL};
    BSW_CHECK (plot_series_write (&raw, svg, PLOT_FORMAT_SVG, &err) == 0);
    size_t size = 0;
    free (s_read (svg, &size));
    BSW_CHECK_MSG (size < 400000, "%zu bytes", size);
    free (ldata);
    free (ltime);
    plot_series_t empty = {"e", time, 0, data, V, R, 1, NULL};
    BSW_CHECK_INT (plot_series_write (&empty, svg, PLOT_FORMAT_SVG, &err), BSW_EINVAL);
    BSW_CHECK_INT (plot_series_write (&series, s_path ("s.html"), PLOT_FORMAT_HTML, &err),
                   BSW_EINVAL);
    s_dir_end ();
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"radius_table", s_test_radius_table},
                                          {"nan_scale", s_test_nan_scale},
                                          {"scale_modes", s_test_scale_modes},
                                          {"colour_clamp", s_test_colour_clamp},
                                          {"svg_markers", s_test_svg_markers},
                                          {"png_nonblank", s_test_png_nonblank},
                                          {"errors", s_test_errors},
                                          {"small_multiples", s_test_small_multiples},
                                          {"dense_choice", s_test_dense_choice},
                                          {"dense_png", s_test_dense_png},
                                          {"dense_svg", s_test_dense_svg},
                                          {"dense_shared", s_test_dense_shared},
                                          {"html", s_test_html},
                                          {"dense_html", s_test_dense_html},
                                          {"series", s_test_series},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    int rc = bsw_test_main (argc, argv, s_cases);
    //  Frees cairo's and fontconfig's caches, so leak checkers see none.
    cairo_debug_reset_static_data ();
    return rc;
}
