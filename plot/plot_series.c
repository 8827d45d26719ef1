/*  plot_series.c - a point's time series (plot_series.h). */
#include "plot_series.h"

#include "plot_palette.h"
#include "plot_scale.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define S_WIDTH_PX      1400.0
#define S_LEFT_PX       96.0  /* y tick labels and title */
#define S_RIGHT_PX      150.0 /* region colour key */
#define S_TOP_PX        78.0  /* title */
#define S_PANEL_H_PX    340.0 /* one VOI's plot area */
#define S_PANEL_GAP_PX  86.0  /* x ticks and axis title between panels */
#define S_LINE_WIDTH_PX 0.8   /* "thin lines" */

static const plot_rgb_t s_ink = {0.13, 0.13, 0.13};
static const plot_rgb_t s_grid = {0.90, 0.90, 0.90};

//  data[t][v][r][0]
static double
s_at (const plot_series_t *s, size_t t, size_t v, size_t r)
{
    return s->data[((t * s->n_voi + v) * s->n_regions + r) * s->n_modes];
}

static void
s_ticks_x (cairo_t *cr, const plot_scale_t *tx, double left, double w, double bottom, double top)
{
    double ticks[PLOT_SCALE_TICKS_MAX];
    size_t n = plot_scale_ticks (tx, 9, ticks, PLOT_SCALE_TICKS_MAX);
    char label[PLOT_SCALE_LABEL_BUF];
    cairo_set_line_width (cr, 1.0);
    for (size_t i = 0; i < n; i++) {
        double x = left + (tx->hi > tx->lo ? (ticks[i] - tx->lo) / (tx->hi - tx->lo) : 0.5) * w;
        plot_canvas_colour (cr, s_grid);
        cairo_move_to (cr, x, top);
        cairo_line_to (cr, x, bottom);
        cairo_stroke (cr);
        plot_canvas_colour (cr, s_ink);
        cairo_move_to (cr, x, bottom);
        cairo_line_to (cr, x, bottom + 6);
        cairo_stroke (cr);
        plot_scale_label (tx, ticks[i], label);
        plot_canvas_text (cr, x, bottom + 9, label, 14, 0.5, 0.0, false);
    }
}

static void
s_ticks_y (cairo_t *cr, const plot_scale_t *ty, double left, double w, double bottom, double h)
{
    double ticks[PLOT_SCALE_TICKS_MAX];
    size_t n = plot_scale_ticks (ty, 6, ticks, PLOT_SCALE_TICKS_MAX);
    char label[PLOT_SCALE_LABEL_BUF];
    cairo_set_line_width (cr, 1.0);
    for (size_t i = 0; i < n; i++) {
        double y = bottom - (ty->hi > ty->lo ? (ticks[i] - ty->lo) / (ty->hi - ty->lo) : 0.5) * h;
        plot_canvas_colour (cr, s_grid);
        cairo_move_to (cr, left, y);
        cairo_line_to (cr, left + w, y);
        cairo_stroke (cr);
        plot_canvas_colour (cr, s_ink);
        cairo_move_to (cr, left, y);
        cairo_line_to (cr, left - 6, y);
        cairo_stroke (cr);
        plot_scale_label (ty, ticks[i], label);
        plot_canvas_text (cr, left - 9, y, label, 14, 1.0, 0.5, false);
    }
}

//  One region's line; per-column min/max when there are more samples
//  than half-pixels.
static void
s_line (cairo_t *cr, const plot_series_t *s, size_t v, size_t r, const plot_scale_t *tx,
        const plot_scale_t *ty, double left, double w, double bottom, double h)
{
    double sx = tx->hi > tx->lo ? w / (tx->hi - tx->lo) : 0.0;
    double sy = ty->hi > ty->lo ? h / (ty->hi - ty->lo) : 0.0;
    size_t columns = (size_t) (2.0 * w);
    bool envelope = s->n_time > 2 * columns;
    bool pen = false;
    cairo_new_path (cr);
    for (size_t t = 0; t < s->n_time;) {
        double lo = s_at (s, t, v, r), hi = lo, time = s->time[t];
        size_t next = t + 1;
        if (envelope) {
            size_t column = (size_t) ((time - tx->lo) * sx * 2.0);
            while (next < s->n_time && (size_t) ((s->time[next] - tx->lo) * sx * 2.0) == column) {
                double d = s_at (s, next, v, r);
                lo = fmin (lo, d);
                hi = fmax (hi, d);
                next++;
            }
        }
        double x = tx->hi > tx->lo ? left + (time - tx->lo) * sx : left + w / 2;
        if (!isfinite (lo) || !isfinite (hi)) {
            pen = false;
        } else {
            double y0 = bottom - (ty->hi > ty->lo ? (lo - ty->lo) * sy : h / 2);
            double y1 = bottom - (ty->hi > ty->lo ? (hi - ty->lo) * sy : h / 2);
            if (pen)
                cairo_line_to (cr, x, y0);
            else
                cairo_move_to (cr, x, y0);
            if (y1 != y0)
                cairo_line_to (cr, x, y1);
            pen = true;
        }
        t = next;
    }
    cairo_stroke (cr);
}

int
plot_series_write (const plot_series_t *s, const char *path, plot_format_t format, bsw_error_t *err)
{
    if (s->n_time == 0 || s->n_voi == 0 || s->n_voi > PLOT_SERIES_MAX_VOI || s->n_regions == 0 ||
        s->n_modes == 0)
        return bsw_error_set (err, BSW_EINVAL,
                              "%s: a time series of %zu samples, %zu variables, %zu regions and "
                              "%zu modes cannot be plotted",
                              path, s->n_time, s->n_voi, s->n_regions, s->n_modes);
    double w = S_WIDTH_PX - S_LEFT_PX - S_RIGHT_PX;
    double height = S_TOP_PX + (double) s->n_voi * (S_PANEL_H_PX + S_PANEL_GAP_PX) + 10;
    plot_canvas_t *canvas = NULL;
    int rc = plot_canvas_new (&canvas, path, format, S_WIDTH_PX, height, s->title, err);
    if (rc)
        return rc;
    cairo_t *cr = plot_canvas_cairo (canvas);
    plot_palette_t palette;
    plot_palette_init (&palette);
    plot_scale_t tx;
    plot_scale_fit (&tx, s->time, s->n_time, 1, PLOT_SCALE_LINEAR, "time", NULL);
    plot_canvas_colour (cr, s_ink);
    plot_canvas_text (cr, S_LEFT_PX, 20, s->title ? s->title : "time series", 22, 0.0, 0.0, true);
    char text[256];
    char t0[PLOT_SCALE_LABEL_BUF], t1[PLOT_SCALE_LABEL_BUF];
    plot_scale_format (tx.min, t0);
    plot_scale_format (tx.max, t1);
    snprintf (text, sizeof text, "%zu regions as lines, %zu samples from %s to %s ms", s->n_regions,
              s->n_time, t0, t1);
    plot_canvas_text (cr, S_LEFT_PX, 50, text, 14, 0.0, 0.0, false);
    for (size_t v = 0; v < s->n_voi; v++) {
        double top = S_TOP_PX + (double) v * (S_PANEL_H_PX + S_PANEL_GAP_PX) + 10;
        double bottom = top + S_PANEL_H_PX;
        //  The panel's value range over every region, NaN-aware.
        plot_scale_t ty;
        double lo = NAN, hi = NAN;
        for (size_t t = 0; t < s->n_time; t++)
            for (size_t r = 0; r < s->n_regions; r++) {
                double d = s_at (s, t, v, r);
                if (isfinite (d)) {
                    lo = isnan (lo) || d < lo ? d : lo;
                    hi = isnan (hi) || d > hi ? d : hi;
                }
            }
        double ends[2] = {lo, hi};
        plot_scale_fit (&ty, ends, 2, 1, PLOT_SCALE_LINEAR, "data", NULL);
        s_ticks_x (cr, &tx, S_LEFT_PX, w, bottom, top);
        s_ticks_y (cr, &ty, S_LEFT_PX, w, bottom, S_PANEL_H_PX);
        cairo_save (cr);
        cairo_rectangle (cr, S_LEFT_PX, top, w, S_PANEL_H_PX);
        cairo_clip (cr);
        cairo_set_line_width (cr, S_LINE_WIDTH_PX);
        cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
        for (size_t r = 0; r < s->n_regions; r++) {
            double unit = s->n_regions > 1 ? (double) r / (double) (s->n_regions - 1) : 0.0;
            plot_rgb_t c = plot_palette_colour (&palette, unit * 0.92);
            cairo_set_source_rgba (cr, c.r, c.g, c.b, 0.8);
            s_line (cr, s, v, r, &tx, &ty, S_LEFT_PX, w, bottom, S_PANEL_H_PX);
        }
        cairo_restore (cr);
        plot_canvas_colour (cr, s_ink);
        cairo_set_line_width (cr, 1.0);
        cairo_rectangle (cr, S_LEFT_PX, top, w, S_PANEL_H_PX);
        cairo_stroke (cr);
        if (ty.finite == 0)
            plot_canvas_text (cr, S_LEFT_PX + w / 2, top + S_PANEL_H_PX / 2, "no finite values", 16,
                              0.5, 0.5, false);
        char name[64];
        if (s->voi_names && s->voi_names[v])
            snprintf (name, sizeof name, "%s", s->voi_names[v]);
        else
            snprintf (name, sizeof name, "VOI %zu", v + 1);
        plot_canvas_text_up (cr, 24, top + S_PANEL_H_PX / 2, name, 17, true);
        plot_canvas_text (cr, S_LEFT_PX + w / 2, bottom + 34, "time (ms)", 16, 0.5, 0.0, true);
        //  Region key: the palette's span from the first to the last region.
        double kx = S_LEFT_PX + w + 24;
        for (size_t i = 0; i < 64; i++) {
            plot_canvas_colour (cr, plot_palette_colour (&palette, (double) i / 63.0 * 0.92));
            cairo_rectangle (cr, kx, top + (double) i * 3.0, 16, 3.2);
            cairo_fill (cr);
        }
        plot_canvas_colour (cr, s_ink);
        plot_canvas_text (cr, kx + 22, top, "region 1", 12, 0.0, 0.0, false);
        snprintf (text, sizeof text, "region %zu", s->n_regions);
        plot_canvas_text (cr, kx + 22, top + 192, text, 12, 0.0, 1.0, false);
    }
    return plot_canvas_finish (&canvas, err);
}
