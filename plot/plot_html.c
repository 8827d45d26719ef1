/*  plot_html.c - the PSE view as one self-contained HTML page
    (plot_pse_write_html).

    The page holds everything: the style and script (plot_html.css and
    plot_html.js, embedded at build time by plot_embed.cmake) and the
    sweep's data as JSON in <script type="application/json" id="pse-data">:
    ranges with their values and tick labels, metric names, one status
    letter per point (o ok, f failed, p pending), the metrics row-major
    (numbers in shortest round-trip form; NaN and infinities as the
    strings "NaN", "Infinity", "-Infinity"; null without a result), the
    palette, TVB's radius table and the layout constants of
    plot_pse_draw.c, and the initial selection from the options. No
    network: it opens from a file, offline.

    Text that reaches the page is escaped twice over where it must be:
    JSON strings escape '<', '>' and '&' as \u00XX, so no "</script>" can
    end the data block early; the title in <title> and <h1> is HTML-escaped.
*/
#include "plot_pse_private.h"

#include "bsw_util.h"
#include "plot_html_page.h"
#include "plot_palette.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
s_json_string (FILE *f, const char *s)
{
    fputc ('"', f);
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf (f, "\\%c", *p);
        else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&')
            fprintf (f, "\\u%04x", *p);
        else
            fputc (*p, f);
    }
    fputc ('"', f);
}

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

static void
s_json_number (FILE *f, double v)
{
    char num[BSW_DOUBLE_BUF];
    bsw_format_double (v, num);
    if (isfinite (v))
        fputs (num, f);
    else
        fprintf (f, "\"%s\"", num);
}

static const char *
s_mode_name (plot_scale_mode_t mode, plot_scale_mode_t fallback)
{
    if (mode == PLOT_SCALE_DEFAULT)
        mode = fallback;
    return mode == PLOT_SCALE_LOG ? "log" : mode == PLOT_SCALE_LINEAR ? "linear" : "auto";
}

static void
s_data (FILE *f, const plot_pse_t *self, const plot_pse_view_t *view,
        const plot_pse_options_t *options)
{
    fputs ("{\"title\":", f);
    s_json_string (f, self->title);
    fputs (",\"ranges\":[", f);
    for (size_t r = 0; r < self->n_ranges; r++) {
        fprintf (f, "%s{\"name\":", r ? "," : "");
        s_json_string (f, self->parameters[r]);
        fputs (",\"values\":[", f);
        for (size_t i = 0; i < self->n_values[r]; i++) {
            fputs (i ? "," : "", f);
            s_json_number (f, self->values[r][i]);
        }
        fputs ("],\"labels\":[", f);
        for (size_t i = 0; i < self->n_values[r]; i++) {
            char label[PLOT_SCALE_LABEL_BUF];
            plot_pse_value_label (self->values[r][i], label);
            fputs (i ? "," : "", f);
            s_json_string (f, label);
        }
        fputs ("]}", f);
    }
    fputs ("],\"metrics\":[", f);
    for (size_t m = 0; m < self->n_metrics; m++) {
        fputs (m ? "," : "", f);
        s_json_string (f, self->metrics[m]);
    }
    fputs ("],\n\"status\":\"", f);
    for (uint64_t k = 0; k < self->points; k++)
        fputc (self->status[k] == PLOT_POINT_OK       ? 'o'
               : self->status[k] == PLOT_POINT_FAILED ? 'f'
                                                      : 'p',
               f);
    fputs ("\",\n\"values\":[", f);
    for (uint64_t k = 0; k < self->points; k++) {
        for (size_t m = 0; m < self->n_metrics; m++) {
            fputs (k || m ? "," : "", f);
            if (self->status[k] == PLOT_POINT_OK)
                s_json_number (f, self->data[k * self->n_metrics + m]);
            else
                fputs ("null", f);
        }
        if (k % 8 == 7)
            fputc ('\n', f);
    }
    plot_palette_t palette;
    plot_palette_init (&palette);
    fputs ("],\n\"palette\":[", f);
    for (size_t i = 0; i < PLOT_PALETTE_SIZE; i++) {
        char hex[8];
        plot_rgb_hex (palette.colours[i], hex);
        fprintf (f, "%s\"%s\"", i ? "," : "", hex);
    }
    //  TVB's table as (L upper bound, rmin, rmax) rows, from the C table.
    fputs ("],\n\"radius_table\":[", f);
    size_t rows = 0;
    double rmin = 0, rmax = 0, last_min = -1, last_max = -1;
    for (size_t L = 1; L <= 111; L++) {
        plot_scale_radius_range (L, &rmin, &rmax);
        double next_min, next_max;
        plot_scale_radius_range (L + 1, &next_min, &next_max);
        if (L < 111 && (next_min != rmin || next_max != rmax))
            fprintf (f, "%s[%zu,%g,%g]", rows++ ? "," : "", L, rmin, rmax);
        last_min = next_min;
        last_max = next_max;
    }
    fprintf (f, "],\"radius_last\":[%g,%g]", last_min, last_max);
    fprintf (f, ",\"radius_scale\":%g,\"auto_decades\":%g,\"max_panels\":%d", PLOT_PSE_RADIUS_SCALE,
             PLOT_SCALE_AUTO_DECADES, PLOT_PSE_MAX_PANELS);
    fprintf (f,
             ",\n\"layout\":{\"area\":%g,\"margin\":%g,\"top\":%g,\"legend_w\":%g,"
             "\"legend_h\":%g,\"panel_gap\":%g,\"panel_title\":%g,\"axis_bottom\":%g,"
             "\"multi_width\":%g,\"multi_min_side\":%g,\"one_row_min\":%g,\"min_pitch\":%g,"
             "\"max_side\":%g}",
             PLOT_PSE_AREA_PX, PLOT_PSE_MARGIN_PX, PLOT_PSE_PAGE_HEADER_PX, PLOT_PSE_LEGEND_W_PX,
             PLOT_PSE_LEGEND_H_PX, PLOT_PSE_PANEL_GAP_PX, PLOT_PSE_PANEL_TITLE_PX,
             PLOT_PSE_AXIS_BOTTOM_PX, PLOT_PSE_MULTI_WIDTH_PX, PLOT_PSE_MULTI_MIN_SIDE_PX,
             PLOT_PSE_ONE_ROW_MIN_PX, PLOT_PSE_MIN_PITCH_PX, PLOT_PSE_MAX_SIDE_PX);
    fputs (",\n\"initial\":{\"size\":", f);
    s_json_string (f, self->metrics[view->size_m]);
    fputs (",\"colour\":", f);
    s_json_string (f, self->metrics[view->colour_m]);
    fprintf (f, ",\"size_scale\":\"%s\",\"colour_scale\":\"%s\",\"fixed\":[",
             s_mode_name (options->size_scale, PLOT_PSE_DEFAULT_SIZE_SCALE),
             s_mode_name (options->colour_scale, PLOT_PSE_DEFAULT_COLOUR_SCALE));
    //  The slices given, not those a crowded view adds: the page makes
    //  its own choice, and shows it in its selects.
    for (size_t r = 0; r < self->n_ranges; r++)
        fprintf (f, "%s%ld", r ? "," : "", view->given[r]);
    fputs ("]}}", f);
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
