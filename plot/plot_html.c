/*  plot_html.c - the PSE view as one self-contained HTML page
    (plot_pse_write_html).

    The page holds everything: the style and script (plot_html.css and
    plot_html.js, embedded at build time by plot_embed.cmake) and the
    sweep's data as JSON in <script type="application/json" id="pse-data">:
    ranges with their values and tick labels, metric names, one status
    letter per point (o ok, f failed, p pending), the metrics row-major
    (numbers with 17 significant digits, which read back exactly; NaN and
    infinities as the strings "NaN", "Infinity", "-Infinity"; null
    without a result; beyond PLOT_PSE_DENSE_POINTS points, "values_f64"
    instead: base64 of little-endian doubles, NaN without a result, see
    s_points), the palette, the dense view's colours of failed, NaN and
    pending points and its thresholds, TVB's radius table and the layout
    constants of plot_pse_draw.c, and the initial selection from the
    options. No network: it opens from a file, offline.

    A scatter (plot_pse_new_scatter) has "scatter": true, its axes as
    ranges with "lo" and "hi" instead of values, each point's values in
    "coords" ([points][axes], numbers; "coords_f64", base64 as the
    metrics, beyond PLOT_PSE_DENSE_POINTS points) and, when any point is
    a refinement's, "levels" (one number a point). "initial" holds the
    axes on x and y (indices; y -1 for none) for a grid too.

    The data block is plain JSON written by jansson (compact), then passed
    through s_dump_escaped, the one place that makes it safe inside
    <script>: '<', '>' and '&' become \u003c, \u003e, \u0026, so no
    "</script>" or "<!--" can end the block early. The title in <title>
    and <h1> is HTML-escaped (s_html_text).
*/
#include "plot_pse_private.h"

#include "bsw_assert.h"
#include "bsw_util.h"
#include "plot_html_page.h"
#include "plot_palette.h"

#include <jansson.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
s_html_text (FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs ("&lt;", f);
            break;
        case '>':
            fputs ("&gt;", f);
            break;
        case '&':
            fputs ("&amp;", f);
            break;
        case '"':
            fputs ("&quot;", f);
            break;
        default:
            fputc (*s, f);
        }
    }
}

//  The page's strings: jansson takes valid UTF-8 only, and names and
//  titles may come from files or the network.
static json_t *
s_text (const char *s)
{
    char *valid = bsw_utf8_strdup (s);
    json_t *value = json_string (valid);
    free (valid);
    return value;
}

//  Finite numbers as JSON numbers, NaN and infinities as the strings
//  "NaN", "Infinity", "-Infinity" (plain JSON has no token for them).
static json_t *
s_number (double v)
{
    char token[BSW_DOUBLE_BUF];
    return isfinite (v) ? json_real (v) : json_string (bsw_format_double (v, token));
}

static const char *
s_mode_name (plot_scale_mode_t mode, plot_scale_mode_t fallback)
{
    if (mode == PLOT_SCALE_DEFAULT)
        mode = fallback;
    return mode == PLOT_SCALE_LOG ? "log" : mode == PLOT_SCALE_LINEAR ? "linear" : "auto";
}

static json_t *
s_ranges (const plot_pse_t *self)
{
    json_t *ranges = json_array ();
    for (size_t r = 0; r < self->n_ranges && self->scatter; r++)
        json_array_append_new (
            ranges, json_pack ("{s:o, s:o, s:o}", "name", s_text (self->parameters[r]), "lo",
                               s_number (self->lo[r]), "hi", s_number (self->hi[r])));
    for (size_t r = 0; r < self->n_ranges && !self->scatter; r++) {
        json_t *values = json_array (), *labels = json_array ();
        for (size_t i = 0; i < self->n_values[r]; i++) {
            char label[PLOT_SCALE_LABEL_BUF];
            plot_pse_value_label (self->values[r][i], label);
            json_array_append_new (values, s_number (self->values[r][i]));
            json_array_append_new (labels, s_text (label));
        }
        json_array_append_new (ranges,
                               json_pack ("{s:o, s:o, s:o}", "name", s_text (self->parameters[r]),
                                          "values", values, "labels", labels));
    }
    return ranges;
}

//  The metrics of a large sweep as base64 of little-endian float64,
//  [points][metrics], NaN without a result: 10.7 bytes a value where the
//  decimal text takes about 23 (17 digits and an exponent), and no tree of
//  one node per value. `per` values a point; with status, a point's values
//  are NaN unless it is ok. Caller frees; *size_p is the text's length.
static char *
s_base64_values (const plot_pse_t *self, const double *values, size_t per, const uint8_t *status,
                 size_t *size_p)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = (size_t) self->points * per, bytes = 8 * n;
    char *out = bsw_malloc ((bytes + 2) / 3 * 4 + 1), *o = out;
    uint8_t group[3];
    size_t filled = 0;
    for (size_t v = 0; v < n; v++) {
        double value = !status || status[v / per] == PLOT_POINT_OK ? values[v] : NAN;
        uint64_t bits;
        memcpy (&bits, &value, 8);
        for (int b = 0; b < 8; b++) {
            group[filled++] = (uint8_t) (bits >> (8 * b));
            if (filled == 3) {
                *o++ = digits[group[0] >> 2];
                *o++ = digits[(group[0] & 3) << 4 | group[1] >> 4];
                *o++ = digits[(group[1] & 15) << 2 | group[2] >> 6];
                *o++ = digits[group[2] & 63];
                filled = 0;
            }
        }
    }
    if (filled) {
        if (filled == 1)
            group[1] = 0;
        *o++ = digits[group[0] >> 2];
        *o++ = digits[(group[0] & 3) << 4 | group[1] >> 4];
        *o++ = filled == 2 ? digits[(group[1] & 15) << 2] : '=';
        *o++ = '=';
    }
    *o = '\0';
    *size_p = (size_t) (o - out);
    return out;
}

//  A scatter's point values (as numbers, or base64 past the dense
//  threshold, as the metrics) and levels when there are any.
static void
s_coords (json_t *root, const plot_pse_t *self)
{
    json_object_set_new (root, "scatter", json_true ());
    if (self->points > PLOT_PSE_DENSE_POINTS) {
        size_t size = 0;
        char *text = s_base64_values (self, self->coords, self->n_ranges, NULL, &size);
        json_object_set_new (root, "coords_f64", json_stringn_nocheck (text, size));
        free (text);
    } else {
        json_t *coords = json_array ();
        for (size_t v = 0; v < (size_t) self->points * self->n_ranges; v++)
            json_array_append_new (coords, json_real (self->coords[v]));
        json_object_set_new (root, "coords", coords);
    }
    if (self->max_level == 0)
        return;
    json_t *levels = json_array ();
    for (uint64_t k = 0; k < self->points; k++)
        json_array_append_new (levels, json_integer (self->levels[k]));
    json_object_set_new (root, "levels", levels);
}

//  One status letter per point, then the metrics row-major: as JSON
//  numbers up to PLOT_PSE_DENSE_POINTS points, where the tree costs some
//  40 bytes a value (twice the text it becomes), and as base64 beyond
//  ("values_f64"): a million points with five metrics make 53 MB of text
//  instead of 105, in a tenth of the time, and the page decodes them in
//  one pass instead of parsing five million numbers.
static void
s_points (json_t *root, const plot_pse_t *self)
{
    char *status = bsw_malloc (self->points + 1);
    for (uint64_t k = 0; k < self->points; k++)
        status[k] = self->status[k] == PLOT_POINT_OK       ? 'o'
                    : self->status[k] == PLOT_POINT_FAILED ? 'f'
                                                           : 'p';
    status[self->points] = '\0';
    json_object_set_new (root, "status", json_string (status));
    free (status);
    if (self->scatter)
        s_coords (root, self);
    if (self->points > PLOT_PSE_DENSE_POINTS) {
        size_t size = 0;
        char *text = s_base64_values (self, self->data, self->n_metrics, self->status, &size);
        json_object_set_new (root, "values_f64", json_stringn_nocheck (text, size));
        free (text);
        return;
    }
    json_t *values = json_array ();
    for (uint64_t k = 0; k < self->points; k++)
        for (size_t m = 0; m < self->n_metrics; m++)
            json_array_append_new (values, self->status[k] == PLOT_POINT_OK
                                               ? s_number (self->data[k * self->n_metrics + m])
                                               : json_null ());
    json_object_set_new (root, "values", values);
}

//  The palette, TVB's radius table as (L upper bound, rmin, rmax) rows
//  from the C table, and the layout constants of plot_pse_draw.c.
static void
s_drawing (json_t *root)
{
    plot_palette_t palette;
    plot_palette_init (&palette);
    json_t *colours = json_array ();
    for (size_t i = 0; i < PLOT_PALETTE_SIZE; i++) {
        char hex[8];
        plot_rgb_hex (palette.colours[i], hex);
        json_array_append_new (colours, json_string (hex));
    }
    json_object_set_new (root, "palette", colours);
    json_t *table = json_array ();
    double rmin = 0, rmax = 0, last_min = -1, last_max = -1;
    for (size_t L = 1; L <= 111; L++) {
        plot_scale_radius_range (L, &rmin, &rmax);
        double next_min, next_max;
        plot_scale_radius_range (L + 1, &next_min, &next_max);
        if (L < 111 && (next_min != rmin || next_max != rmax))
            json_array_append_new (table, json_pack ("[I, f, f]", (json_int_t) L, rmin, rmax));
        last_min = next_min;
        last_max = next_max;
    }
    json_object_set_new (root, "radius_table", table);
    json_object_set_new (root, "radius_last", json_pack ("[f, f]", last_min, last_max));
    json_object_set_new (root, "radius_scale", json_real (PLOT_PSE_RADIUS_SCALE));
    json_object_set_new (root, "auto_decades", json_real (PLOT_SCALE_AUTO_DECADES));
    json_object_set_new (root, "max_panels", json_integer (PLOT_PSE_MAX_PANELS));
    json_object_set_new (root, "dense",
                         json_pack ("{s:I, s:f}", "points", (json_int_t) PLOT_PSE_DENSE_POINTS,
                                    "min_radius", PLOT_PSE_DENSE_MIN_RADIUS_PX));
    json_t *marks = json_object ();
    static const struct {
        const char *name;
        plot_pse_mark_t mark;
    } names[] = {{"failed", PLOT_PSE_MARK_FAILED},
                 {"nan", PLOT_PSE_MARK_NAN},
                 {"pending", PLOT_PSE_MARK_PENDING}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char hex[8];
        plot_rgb_hex (plot_pse_mark_colour (names[i].mark), hex);
        json_object_set_new (marks, names[i].name, json_string (hex));
    }
    json_object_set_new (root, "marks", marks);
    json_object_set_new (
        root, "layout",
        json_pack ("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "area",
                   PLOT_PSE_AREA_PX, "margin", PLOT_PSE_MARGIN_PX, "top", PLOT_PSE_PAGE_HEADER_PX,
                   "legend_w", PLOT_PSE_LEGEND_W_PX, "legend_h", PLOT_PSE_LEGEND_H_PX, "panel_gap",
                   PLOT_PSE_PANEL_GAP_PX, "panel_title", PLOT_PSE_PANEL_TITLE_PX, "axis_bottom",
                   PLOT_PSE_AXIS_BOTTOM_PX, "multi_width", PLOT_PSE_MULTI_WIDTH_PX,
                   "multi_min_side", PLOT_PSE_MULTI_MIN_SIDE_PX, "one_row_min",
                   PLOT_PSE_ONE_ROW_MIN_PX, "min_pitch", PLOT_PSE_MIN_PITCH_PX, "max_side",
                   PLOT_PSE_MAX_SIDE_PX));
}

static json_t *
s_initial (const plot_pse_t *self, const plot_pse_view_t *view, const plot_pse_options_t *options)
{
    //  The slices given, not those a crowded view adds: the page makes
    //  its own choice, and shows it in its selects.
    json_t *fixed = json_array ();
    for (size_t r = 0; r < self->n_ranges; r++)
        json_array_append_new (fixed, json_integer (view->given[r]));
    return json_pack (
        "{s:o, s:o, s:s, s:s, s:o, s:i, s:i}", "size", s_text (self->metrics[view->size_m]),
        "colour", s_text (self->metrics[view->colour_m]), "size_scale",
        s_mode_name (options->size_scale, PLOT_PSE_DEFAULT_SIZE_SCALE), "colour_scale",
        s_mode_name (options->colour_scale, PLOT_PSE_DEFAULT_COLOUR_SCALE), "fixed", fixed, "x",
        view->x, "y", view->y);
}

//  The page's one escape. jansson leaves '<', '>' and '&' as they are; a
//  JSON text holds them only inside strings, where \u003c, \u003e and
//  \u0026 mean the same, so no "</script>" or "<!--" in a name can end or
//  bend the data block.
static int
s_dump_escaped (const char *buffer, size_t size, void *data)
{
    FILE *f = data;
    size_t run = 0;
    for (size_t i = 0; i < size; i++) {
        char c = buffer[i];
        if (c != '<' && c != '>' && c != '&')
            continue;
        fwrite (buffer + run, 1, i - run, f);
        fprintf (f, "\\u%04x", (unsigned) c);
        run = i + 1;
    }
    fwrite (buffer + run, 1, size - run, f);
    return 0;
}

//  The data block: built as a jansson tree, written compact, escaped.
static void
s_data (FILE *f, const plot_pse_t *self, const plot_pse_view_t *view,
        const plot_pse_options_t *options)
{
    json_t *metrics = json_array ();
    for (size_t m = 0; m < self->n_metrics; m++)
        json_array_append_new (metrics, s_text (self->metrics[m]));
    json_t *root = json_pack ("{s:o, s:o, s:o}", "title", s_text (self->title), "ranges",
                              s_ranges (self), "metrics", metrics);
    BSW_ASSERT (root); // json_pack fails only without memory
    s_points (root, self);
    s_drawing (root);
    json_object_set_new (root, "initial", s_initial (self, view, options));
    //  Every string is valid UTF-8 and every number finite, so this fails
    //  only without memory; reals keep 17 digits and read back exactly.
    int rc = json_dump_callback (root, s_dump_escaped, f, JSON_COMPACT | JSON_REAL_PRECISION (17));
    json_decref (root);
    BSW_ASSERT (rc == 0);
}

static void
s_page (FILE *f, const plot_pse_t *self, const plot_pse_view_t *view,
        const plot_pse_options_t *options)
{
    fputs ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta name=\"generator\" content=\"brainsweep " BSW_VERSION_STRING "\">\n<title>",
           f);
    s_html_text (f, self->title);
    fputs (" - PSE</title>\n<style>\n", f);
    fputs (s_page_css, f);
    fputs ("</style>\n</head>\n<body>\n<h1 id=\"pse-title\">", f);
    s_html_text (f, self->title);
    fprintf (f,
             "</h1>\n<p id=\"pse-summary\">%" PRIu64 " points</p>\n<p id=\"pse-note\"></p>\n"
             "<p id=\"pse-noscript\">This page draws the plot with JavaScript; "
             "the data are in it, in the pse-data block.</p>\n"
             "<div id=\"pse-controls\"></div>\n<div id=\"pse-view\"></div>\n"
             "<div id=\"pse-tooltip\" role=\"tooltip\" hidden></div>\n"
             "<script type=\"application/json\" id=\"pse-data\">\n",
             self->points);
    s_data (f, self, view, options);
    fputs ("\n</script>\n<script>\n", f);
    fputs (s_page_js, f);
    fputs ("</script>\n</body>\n</html>\n", f);
}

int
plot_pse_write_html (const plot_pse_t *self, const plot_pse_options_t *options, const char *path,
                     bsw_error_t *err)
{
    static const plot_pse_options_t defaults;
    if (!options)
        options = &defaults;
    //  The same checks as the images: unknown metrics and bad slices are
    //  errors here too, and a crowded view is left to the page.
    plot_pse_options_t relaxed = *options;
    relaxed.slice_when_crowded = true;
    plot_pse_view_t view;
    int rc = plot_pse_view_resolve (self, &relaxed, &view, err);
    if (rc)
        return rc;
    size_t n = strlen (path) + 5;
    char *tmp = bsw_malloc (n);
    snprintf (tmp, n, "%s.tmp", path);
    FILE *f = fopen (tmp, "w");
    if (!f) {
        rc = bsw_error_set (err, errno == ENOSPC ? BSW_ENOSPACE : BSW_EIO, "%s: cannot create: %s",
                            tmp, strerror (errno));
        free (tmp);
        return rc;
    }
    s_page (f, self, &view, options);
    int failed = ferror (f);
    int e = errno;
    if (fclose (f) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    if (failed)
        rc = bsw_error_set (err, e == ENOSPC ? BSW_ENOSPACE : BSW_EIO, "%s: cannot write: %s", tmp,
                            strerror (e));
    else if (rename (tmp, path) != 0)
        rc = bsw_error_set (err, BSW_EIO, "%s: cannot rename into place: %s", path,
                            strerror (errno));
    if (rc)
        unlink (tmp);
    free (tmp);
    return rc;
}
