/*  plot_pse_draw.c - the PSE view drawn with cairo (plot_pse_write).

    Layout, in px (= PNG pixels):

        +--------------------------------------------------------------+
        | title, counts, slices                                        |
        | +--panel---------------------------+  +--legend------------+ |
        | | y ticks |  plot area: one cell   |  | colour bar + ticks | |
        | |         |  per (x, y) value, a   |  | size discs         | |
        | |         |  marker at its centre  |  | cross / ring keys  | |
        | |          x ticks, x axis title   |  +--------------------+ |
        | +----------------------------------+  (more panels in a grid)|
        +--------------------------------------------------------------+

    A single panel's plot area is PLOT_PSE_AREA_PX on its longer side;
    small multiples shrink it to fit about PLOT_PSE_MULTI_WIDTH_PX across. Cells
    are square; radii are TVB's table times the panel's scale, at most
    half a cell, so discs never overlap.

    A scatter (plot_pse.h) has one panel whose plot area is a square of
    PLOT_PSE_AREA_PX (a row on one axis), its points placed by their
    values (plot_pse_scatter.c) inside a pad of the largest radius, its
    axes ticked at round numbers; a dense scatter is one image of the plot
    area's pixels.

    A dense view (plot_pse.h) draws each panel's cells as one image
    (plot_pse_raster.c) instead of markers: cells of whole px, each axis
    filling the side on its own, at whole-px offsets so every cell falls
    on pixels; no grid lines (the cells cover them); the legend's size
    part becomes a note and the keys are cells of the marks' colours.

    Every point marker is one cairo path: the disc is filled and stroked
    from one path (cairo's SVG surface writes that as one <path>), the
    cross is two round-capped strokes of one path, the ring one stroke.
    Markers are drawn with a miter limit of PLOT_PSE_MARKER_MITER instead
    of cairo's 10: it changes nothing visible (arcs and round caps have no
    miter joins) but tags each marker in the SVG ("stroke-miterlimit:7"),
    so a test can count the points drawn.
*/
#include "plot_pse_private.h"

#include "plot_canvas.h"
#include "plot_palette.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define S_FONT_TITLE    26.0
#define S_FONT_SUBTITLE 15.0
#define S_FONT_AXIS     17.0
#define S_FONT_TICK     14.0
#define S_FONT_LEGEND   14.0
#define S_COLOUR_BAR_W  26.0
#define S_COLOUR_BAR_H  280.0

static const plot_rgb_t s_ink = {0.13, 0.13, 0.13};     /* text and axes */
static const plot_rgb_t s_grid = {0.90, 0.90, 0.90};    /* light grid lines */
static const plot_rgb_t s_failed = {0.84, 0.15, 0.16};  /* failed point's cross */
static const plot_rgb_t s_nan = {0.35, 0.35, 0.35};     /* NaN metric's cross */
static const plot_rgb_t s_pending = {0.55, 0.55, 0.55}; /* hollow ring */
static const plot_rgb_t s_neutral = {0.62, 0.62, 0.62}; /* size legend's discs */

typedef struct {
    double ux, uy;           /* px per value along x and y (the pitch, for discs) */
    double area_w, area_h;   /* plot area of one panel */
    double rmin, rmax;       /* disc radii, px (0 when dense) */
    size_t cells_x, cells_y; /* dense: a panel's raster cells (values, or fewer) */
    double left;             /* room left of a plot area (y ticks and title) */
    size_t cols, rows;       /* panel grid */
    double cell_w, cell_h;   /* a panel with its margins */
    double font_tick;        /* tick label size */
    double width, height;    /* the image */
    double legend_x;         /* left edge of the legend */
    size_t x_step, y_step;   /* label every n-th value */
    double pad;              /* scatter: px kept clear inside the plot area's edges */
    size_t square;           /* dense scatter: a level-0 point's square, px */
    plot_scale_t xs, ys;     /* scatter: the axes' bounds as scales, for ticks */
} s_layout_t;

//  --------------------------------------------------------------------------
//  Layout

static double
s_max_label_width (cairo_t *cr, const double *values, size_t n, double font)
{
    double w = 0;
    for (size_t i = 0; i < n; i++) {
        char label[PLOT_SCALE_LABEL_BUF];
        plot_pse_value_label (values[i], label);
        double lw = plot_canvas_text_width (cr, label, font, false);
        if (lw > w)
            w = lw;
    }
    return w;
}

//  A dense axis of n values: cells of a whole number of px filling the
//  panel's side, or one px a cell when there are more values than that,
//  at most cap cells (then neighbours share one).
static void
s_dense_axis (size_t n, double side, size_t cap, size_t *cells, double *length)
{
    *cells = n < cap ? n : cap;
    double pitch = fmax (1.0, floor (side / (double) *cells));
    *length = pitch * (double) *cells;
}

//  The plot area of a panel and the px per value along each axis.
//  A scatter's plot area: the panel's side, a row on one axis.
static void
s_scatter_area (const plot_pse_view_t *view, const plot_pse_discs_t *discs, s_layout_t *lay)
{
    lay->area_w = lay->area_h = discs->side;
    lay->rmax = view->dense ? 0.0 : discs->rmax;
    lay->rmin = view->dense ? 0.0 : discs->rmin;
    lay->square = plot_pse_scatter_square (view, discs->side);
    if (view->y < 0)
        lay->area_h = fmax (PLOT_PSE_ONE_ROW_MIN_PX, 2.6 * lay->rmax);
    lay->pad = view->dense ? ceil ((double) lay->square / 2.0) + 2.0 : lay->rmax + 4.0;
    lay->ux = lay->uy = discs->pitch;
    lay->cells_x = view->nx;
    lay->cells_y = view->ny;
    plot_pse_scatter_axis_scale (view->xlo, view->xhi, &lay->xs);
    plot_pse_scatter_axis_scale (view->ylo, view->yhi, &lay->ys);
}

static void
s_area (const plot_pse_view_t *view, const plot_pse_discs_t *discs, s_layout_t *lay)
{
    if (view->scatter) {
        s_scatter_area (view, discs, lay);
        return;
    }
    if (!view->dense) {
        lay->ux = lay->uy = discs->pitch;
        lay->area_w = discs->pitch * (double) view->nx;
        lay->area_h = discs->pitch * (double) view->ny;
        lay->rmax = discs->rmax;
        lay->rmin = discs->rmin;
        if (view->y < 0 && lay->area_h < fmax (PLOT_PSE_ONE_ROW_MIN_PX, 2.6 * lay->rmax))
            lay->area_h = fmax (PLOT_PSE_ONE_ROW_MIN_PX, 2.6 * lay->rmax);
        return;
    }
    //  Each axis fills the side on its own: cells need not be square, as
    //  no radius has to fit in them. The cap keeps the image under
    //  PLOT_CANVAS_MAX_PX whatever the panel grid.
    size_t cap = (size_t) (PLOT_PSE_MAX_SIDE_PX / (double) lay->cols);
    s_dense_axis (view->nx, discs->side, cap, &lay->cells_x, &lay->area_w);
    if (view->y >= 0)
        s_dense_axis (view->ny, discs->side, cap, &lay->cells_y, &lay->area_h);
    else {
        lay->cells_y = 1;
        lay->area_h = PLOT_PSE_ONE_ROW_MIN_PX;
    }
    lay->ux = lay->area_w / (double) view->nx;
    lay->uy = lay->area_h / (double) view->ny;
}

static void
s_layout (const plot_pse_t *self, const plot_pse_view_t *view, s_layout_t *lay)
{
    memset (lay, 0, sizeof *lay);
    //  A 1x1 surface only to measure text.
    cairo_surface_t *scratch = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *cr = cairo_create (scratch);
    plot_pse_discs_t discs;
    plot_pse_view_discs (view, &discs);
    lay->cols = discs.cols;
    lay->rows = discs.rows;
    lay->font_tick = lay->cols > 2 ? 12.0 : S_FONT_TICK;
    s_area (view, &discs, lay);
    //  Label every n-th value so labels keep clear of each other (a
    //  scatter's round ticks are few enough to label all).
    double xw = view->scatter
                    ? 0.0
                    : s_max_label_width (cr, self->values[view->x], view->nx, lay->font_tick);
    lay->x_step = (size_t) ceil ((xw + 10.0) / lay->ux);
    lay->y_step = (size_t) ceil ((lay->font_tick * 1.5) / lay->uy);
    if (lay->x_step < 1)
        lay->x_step = 1;
    if (lay->y_step < 1)
        lay->y_step = 1;
    double yw = 0.0;
    if (view->y >= 0 && view->scatter) {
        double ticks[PLOT_SCALE_TICKS_MAX];
        size_t n = plot_scale_ticks (&lay->ys, 9, ticks, PLOT_SCALE_TICKS_MAX);
        for (size_t i = 0; i < n; i++) {
            char label[PLOT_SCALE_LABEL_BUF];
            plot_scale_label (&lay->ys, ticks[i], label);
            yw = fmax (yw, plot_canvas_text_width (cr, label, lay->font_tick, false));
        }
    } else if (view->y >= 0)
        yw = s_max_label_width (cr, self->values[view->y], view->ny, lay->font_tick);
    lay->left = yw + 14.0 + S_FONT_AXIS * 2.0;
    //  Whole px, so a dense view's cells fall on pixels (the other
    //  offsets are whole already).
    if (view->dense)
        lay->left = ceil (lay->left);
    double title_h = view->n_extra ? PLOT_PSE_PANEL_TITLE_PX : 0.0;
    lay->cell_w = lay->left + lay->area_w + PLOT_PSE_PANEL_GAP_PX;
    lay->cell_h = title_h + lay->area_h + PLOT_PSE_AXIS_BOTTOM_PX;
    lay->legend_x = PLOT_PSE_MARGIN_PX + (double) lay->cols * lay->cell_w;
    lay->width = ceil (lay->legend_x + PLOT_PSE_LEGEND_W_PX + PLOT_PSE_MARGIN_PX);
    lay->height =
        ceil (PLOT_PSE_HEADER_PX + fmax ((double) lay->rows * lay->cell_h, PLOT_PSE_LEGEND_H_PX) +
              PLOT_PSE_MARGIN_PX);
    //  A very long title or note widens the image rather than being cut.
    double tw = plot_canvas_text_width (cr, self->title, S_FONT_TITLE, true);
    double nw = plot_canvas_text_width (cr, view->note, S_FONT_SUBTITLE, false);
    double need = ceil (2 * PLOT_PSE_MARGIN_PX + fmax (tw, nw));
    if (need > lay->width)
        lay->width = need;
    cairo_destroy (cr);
    cairo_surface_destroy (scratch);
}

//  Top-left corner of panel p's plot area.
static void
s_panel_origin (const plot_pse_view_t *view, const s_layout_t *lay, size_t p, double *x, double *y)
{
    size_t col = p % lay->cols, row = p / lay->cols;
    *x = PLOT_PSE_MARGIN_PX + (double) col * lay->cell_w + lay->left;
    *y = PLOT_PSE_HEADER_PX + (double) row * lay->cell_h +
         (view->n_extra ? PLOT_PSE_PANEL_TITLE_PX : 0.0);
}

static void
s_cell_centre (const plot_pse_view_t *view, const s_layout_t *lay, double ox, double oy, size_t i,
               size_t j, double *cx, double *cy)
{
    *cx = ox + ((double) i + 0.5) * lay->ux;
    *cy = view->y < 0 ? oy + lay->area_h / 2.0 : oy + lay->area_h - ((double) j + 0.5) * lay->uy;
}

//  --------------------------------------------------------------------------
//  Markers

static void
s_disc (cairo_t *cr, double cx, double cy, double r, plot_rgb_t fill, bool marker)
{
    cairo_set_miter_limit (cr, marker ? PLOT_PSE_MARKER_MITER : 10.0);
    cairo_new_path (cr);
    cairo_arc (cr, cx, cy, r, 0, 2 * M_PI);
    plot_canvas_colour (cr, fill);
    cairo_fill_preserve (cr);
    //  A thin darker rim keeps the palette's light end visible on white.
    cairo_set_source_rgba (cr, 0, 0, 0, 0.35);
    cairo_set_line_width (cr, 0.75);
    cairo_stroke (cr);
    cairo_set_miter_limit (cr, 10.0);
}

static void
s_cross (cairo_t *cr, double cx, double cy, double r, plot_rgb_t colour, bool marker)
{
    cairo_set_miter_limit (cr, marker ? PLOT_PSE_MARKER_MITER : 10.0);
    double d = r / M_SQRT2;
    cairo_new_path (cr);
    cairo_move_to (cr, cx - d, cy - d);
    cairo_line_to (cr, cx + d, cy + d);
    cairo_move_to (cr, cx - d, cy + d);
    cairo_line_to (cr, cx + d, cy - d);
    plot_canvas_colour (cr, colour);
    cairo_set_line_width (cr, fmax (1.5, r / 4.0));
    cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
    cairo_stroke (cr);
    cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_miter_limit (cr, 10.0);
}

static void
s_ring (cairo_t *cr, double cx, double cy, double r, bool marker)
{
    cairo_set_miter_limit (cr, marker ? PLOT_PSE_MARKER_MITER : 10.0);
    cairo_new_path (cr);
    cairo_arc (cr, cx, cy, r, 0, 2 * M_PI);
    plot_canvas_colour (cr, s_pending);
    cairo_set_line_width (cr, fmax (1.0, r / 6.0));
    cairo_stroke (cr);
    cairo_set_miter_limit (cr, 10.0);
}

//  Point k's marker at (cx, cy), its radii divided by `shrink` (2^level).
static void
s_marker (cairo_t *cr, const plot_pse_t *self, const plot_pse_view_t *view, const s_layout_t *lay,
          const plot_palette_t *palette, uint64_t k, double cx, double cy, double shrink,
          plot_pse_stats_t *stats)
{
    const double *row = self->data + k * self->n_metrics;
    double size_v = row[view->size_m], colour_v = row[view->colour_m];
    stats->drawn++;
    if (self->status[k] == PLOT_POINT_PENDING) {
        s_ring (cr, cx, cy, lay->rmax / 2.0 / shrink, true);
        stats->pending++;
    } else if (self->status[k] == PLOT_POINT_FAILED || !plot_scale_valid (&view->size, size_v) ||
               !plot_scale_valid (&view->colour, colour_v)) {
        //  TVB.md 9.4: a cross of radius rmax/2.
        s_cross (cr, cx, cy, lay->rmax / 2.0 / shrink,
                 self->status[k] == PLOT_POINT_FAILED ? s_failed : s_nan, true);
        stats->crosses++;
    } else {
        double r = plot_scale_radius (&view->size, size_v, lay->rmin, lay->rmax) / shrink;
        s_disc (cr, cx, cy, r,
                plot_palette_colour (palette, plot_scale_unit (&view->colour, colour_v)), true);
        stats->discs++;
    }
}

static void
s_markers (cairo_t *cr, const plot_pse_t *self, const plot_pse_view_t *view, const s_layout_t *lay,
           const plot_palette_t *palette, size_t p, plot_pse_stats_t *stats)
{
    double ox, oy;
    s_panel_origin (view, lay, p, &ox, &oy);
    if (view->scatter) {
        //  Level by level, so finer points lie over coarser ones.
        for (unsigned level = 0; level <= self->max_level; level++)
            for (uint64_t k = 0; k < self->points; k++) {
                if (self->levels[k] != level)
                    continue;
                double cx, cy;
                plot_pse_scatter_place (self, view, k, lay->area_w, lay->area_h, lay->pad, &cx,
                                        &cy);
                s_marker (cr, self, view, lay, palette, k, ox + cx, oy + cy,
                          ldexp (1.0, (int) level), stats);
            }
        return;
    }
    for (size_t j = 0; j < view->ny; j++)
        for (size_t i = 0; i < view->nx; i++) {
            double cx, cy;
            s_cell_centre (view, lay, ox, oy, i, j, &cx, &cy);
            s_marker (cr, self, view, lay, palette, plot_pse_view_point (self, view, p, i, j), cx,
                      cy, 1.0, stats);
        }
}

//  A dense panel: its cells as one image over the plot area. PNG and PDF
//  get an image of one px a cell, scaled with the nearest-neighbour
//  filter (the PDF says /Interpolate false); an SVG gets it at the plot
//  area's resolution, since cairo 1.16 writes no image-rendering hint and
//  browsers would blur cells scaled up. Either way one image, whose size
//  follows the plot area's pixels, not the points.
static void
s_raster (cairo_t *cr, const plot_pse_t *self, const plot_pse_view_t *view, const s_layout_t *lay,
          const plot_palette_t *palette, size_t p, bool at_area, plot_pse_stats_t *stats)
{
    double ox, oy;
    s_panel_origin (view, lay, p, &ox, &oy);
    if (view->scatter) {
        //  One image of the plot area's pixels, whatever the format.
        size_t w = (size_t) lround (lay->area_w), h = (size_t) lround (lay->area_h);
        cairo_surface_t *image =
            plot_pse_scatter_raster_new (self, view, w, h, lay->pad, lay->square, palette, stats);
        cairo_save (cr);
        cairo_set_source_surface (cr, image, ox, oy);
        cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
        cairo_rectangle (cr, ox, oy, (double) w, (double) h);
        cairo_fill (cr);
        cairo_restore (cr);
        cairo_surface_destroy (image);
        return;
    }
    //  Whole numbers by construction (s_area).
    size_t fx = at_area ? (size_t) lround (lay->area_w / (double) lay->cells_x) : 1;
    size_t fy = at_area ? (size_t) lround (lay->area_h / (double) lay->cells_y) : 1;
    cairo_surface_t *cells =
        plot_pse_raster_new (self, view, p, lay->cells_x, lay->cells_y, fx, fy, palette, stats);
    double w = (double) (lay->cells_x * fx), h = (double) (lay->cells_y * fy);
    cairo_save (cr);
    cairo_translate (cr, ox, oy);
    cairo_scale (cr, lay->area_w / w, lay->area_h / h);
    cairo_set_source_surface (cr, cells, 0, 0);
    cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
    cairo_rectangle (cr, 0, 0, w, h);
    cairo_fill (cr);
    cairo_restore (cr);
    cairo_surface_destroy (cells);
}

//  --------------------------------------------------------------------------
//  Axes

//  A scatter's round ticks along x (or y): positions in px from the plot
//  area's left (or top) edge, and their labels. Returns how many.
static size_t
s_scatter_ticks (const plot_pse_view_t *view, const s_layout_t *lay, bool y, double *at,
                 char labels[][PLOT_SCALE_LABEL_BUF])
{
    const plot_scale_t *scale = y ? &lay->ys : &lay->xs;
    double length = y ? lay->area_h : lay->area_w;
    double ticks[PLOT_SCALE_TICKS_MAX];
    size_t n = plot_scale_ticks (scale, length < 400 ? 4 : 9, ticks, PLOT_SCALE_TICKS_MAX);
    double lo = y ? view->ylo : view->xlo, hi = y ? view->yhi : view->xhi;
    for (size_t i = 0; i < n; i++) {
        double u = hi > lo ? (ticks[i] - lo) / (hi - lo) : 0.5;
        at[i] = y ? length - lay->pad - u * (length - 2 * lay->pad)
                  : lay->pad + u * (length - 2 * lay->pad);
        plot_scale_label (scale, ticks[i], labels[i]);
    }
    return n;
}

static void
s_scatter_axes (cairo_t *cr, const plot_pse_view_t *view, const s_layout_t *lay, double ox,
                double oy)
{
    double at[PLOT_SCALE_TICKS_MAX];
    char labels[PLOT_SCALE_TICKS_MAX][PLOT_SCALE_LABEL_BUF];
    plot_canvas_colour (cr, s_ink);
    cairo_set_line_width (cr, 1.0);
    size_t n = s_scatter_ticks (view, lay, false, at, labels);
    for (size_t i = 0; i < n; i++) {
        cairo_move_to (cr, ox + at[i], oy + lay->area_h);
        cairo_line_to (cr, ox + at[i], oy + lay->area_h + 6);
        cairo_stroke (cr);
        plot_canvas_text (cr, ox + at[i], oy + lay->area_h + 9, labels[i], lay->font_tick, 0.5, 0.0,
                          false);
    }
    n = view->y >= 0 ? s_scatter_ticks (view, lay, true, at, labels) : 0;
    for (size_t i = 0; i < n; i++) {
        cairo_move_to (cr, ox, oy + at[i]);
        cairo_line_to (cr, ox - 6, oy + at[i]);
        cairo_stroke (cr);
        plot_canvas_text (cr, ox - 9, oy + at[i], labels[i], lay->font_tick, 1.0, 0.5, false);
    }
}

static void
s_axes (cairo_t *cr, const plot_pse_t *self, const plot_pse_view_t *view, const s_layout_t *lay,
        size_t p)
{
    double ox, oy;
    s_panel_origin (view, lay, p, &ox, &oy);
    char label[PLOT_SCALE_LABEL_BUF];
    cairo_set_line_width (cr, 1.0);
    if (view->scatter)
        s_scatter_axes (cr, view, lay, ox, oy);
    //  Ticks (and faint grid lines) at the labelled values.
    for (size_t i = 0; i < view->nx && !view->scatter; i += lay->x_step) {
        double cx, cy;
        s_cell_centre (view, lay, ox, oy, i, 0, &cx, &cy);
        plot_canvas_colour (cr, s_ink);
        cairo_move_to (cr, cx, oy + lay->area_h);
        cairo_line_to (cr, cx, oy + lay->area_h + 6);
        cairo_stroke (cr);
        plot_pse_value_label (self->values[view->x][i], label);
        plot_canvas_text (cr, cx, oy + lay->area_h + 9, label, lay->font_tick, 0.5, 0.0, false);
    }
    if (view->y >= 0 && !view->scatter)
        for (size_t j = 0; j < view->ny; j += lay->y_step) {
            double cx, cy;
            s_cell_centre (view, lay, ox, oy, 0, j, &cx, &cy);
            plot_canvas_colour (cr, s_ink);
            cairo_move_to (cr, ox, cy);
            cairo_line_to (cr, ox - 6, cy);
            cairo_stroke (cr);
            plot_pse_value_label (self->values[view->y][j], label);
            plot_canvas_text (cr, ox - 9, cy, label, lay->font_tick, 1.0, 0.5, false);
        }
    plot_canvas_colour (cr, s_ink);
    //  A dense view's frame goes round its cells, in the pixels just
    //  outside, so it halves none of them.
    double out = view->dense && !view->scatter ? 0.5 : 0.0;
    cairo_rectangle (cr, ox - out, oy - out, lay->area_w + 2 * out, lay->area_h + 2 * out);
    cairo_stroke (cr);
    plot_canvas_text (cr, ox + lay->area_w / 2, oy + lay->area_h + 16 + lay->font_tick * 1.6,
                      self->parameters[view->x], S_FONT_AXIS, 0.5, 0.0, true);
    if (view->y >= 0)
        plot_canvas_text_up (cr, ox - lay->left + S_FONT_AXIS * 0.8, oy + lay->area_h / 2,
                             self->parameters[view->y], S_FONT_AXIS, true);
    if (view->n_extra) {
        char title[PLOT_PSE_NOTE_MAX];
        plot_pse_view_panel_label (self, view, p, title, sizeof title);
        plot_canvas_text (cr, ox, oy - 10, title, S_FONT_SUBTITLE + 1, 0.0, 1.0, true);
    }
}

//  Faint lines through the labelled values, under the markers.
static void
s_grid_lines (cairo_t *cr, const plot_pse_view_t *view, const s_layout_t *lay, size_t p)
{
    double ox, oy;
    s_panel_origin (view, lay, p, &ox, &oy);
    plot_canvas_colour (cr, s_grid);
    cairo_set_line_width (cr, 1.0);
    if (view->scatter) {
        double at[PLOT_SCALE_TICKS_MAX];
        char labels[PLOT_SCALE_TICKS_MAX][PLOT_SCALE_LABEL_BUF];
        size_t n = s_scatter_ticks (view, lay, false, at, labels);
        for (size_t i = 0; i < n; i++) {
            cairo_move_to (cr, ox + at[i], oy);
            cairo_line_to (cr, ox + at[i], oy + lay->area_h);
        }
        n = view->y >= 0 ? s_scatter_ticks (view, lay, true, at, labels) : 0;
        for (size_t i = 0; i < n; i++) {
            cairo_move_to (cr, ox, oy + at[i]);
            cairo_line_to (cr, ox + lay->area_w, oy + at[i]);
        }
        cairo_stroke (cr);
        return;
    }
    for (size_t i = 0; i < view->nx; i += lay->x_step) {
        double cx, cy;
        s_cell_centre (view, lay, ox, oy, i, 0, &cx, &cy);
        cairo_move_to (cr, cx, oy);
        cairo_line_to (cr, cx, oy + lay->area_h);
    }
    for (size_t j = 0; view->y >= 0 && j < view->ny; j += lay->y_step) {
        double cx, cy;
        s_cell_centre (view, lay, ox, oy, 0, j, &cx, &cy);
        cairo_move_to (cr, ox, cy);
        cairo_line_to (cr, ox + lay->area_w, cy);
    }
    cairo_stroke (cr);
}

//  --------------------------------------------------------------------------
//  Legend and title

static const char *
s_scale_name (const plot_scale_t *scale)
{
    if (scale->log && scale->min <= 0.0)
        return "log scale, 0 at the bottom";
    return scale->log ? "log scale" : "linear scale";
}

static double
s_colour_legend (cairo_t *cr, const plot_pse_t *self, const plot_pse_view_t *view,
                 const plot_palette_t *palette, double x, double y)
{
    char text[PLOT_PSE_NOTE_MAX];
    plot_canvas_colour (cr, s_ink);
    plot_canvas_text (cr, x, y, "Colour", S_FONT_LEGEND, 0.0, 0.0, false);
    plot_canvas_text (cr, x, y + 20, self->metrics[view->colour_m], S_FONT_LEGEND + 1, 0.0, 0.0,
                      true);
    snprintf (text, sizeof text, "(%s)", s_scale_name (&view->colour));
    plot_canvas_text (cr, x, y + 40, text, S_FONT_LEGEND - 1, 0.0, 0.0, false);
    double top = y + 66, h = S_COLOUR_BAR_H;
    if (view->colour.finite == 0) {
        plot_canvas_text (cr, x, top, "no finite values", S_FONT_LEGEND, 0.0, 0.0, false);
        return top + 30;
    }
    //  The bar: entry 255 at the top.
    for (size_t i = 0; i < PLOT_PALETTE_SIZE; i++) {
        double y0 = top + h - (double) (i + 1) * h / PLOT_PALETTE_SIZE;
        plot_canvas_colour (cr, palette->colours[i]);
        cairo_rectangle (cr, x, y0, S_COLOUR_BAR_W, h / PLOT_PALETTE_SIZE + 0.5);
        cairo_fill (cr);
    }
    plot_canvas_colour (cr, s_ink);
    cairo_set_line_width (cr, 1.0);
    cairo_rectangle (cr, x, top, S_COLOUR_BAR_W, h);
    cairo_stroke (cr);
    double ticks[PLOT_SCALE_TICKS_MAX];
    size_t n = plot_scale_ticks (&view->colour, 7, ticks, PLOT_SCALE_TICKS_MAX);
    const plot_scale_t *s = &view->colour;
    for (size_t i = 0; i < n; i++) {
        double f = s->hi > s->lo ? (ticks[i] - s->lo) / (s->hi - s->lo) : 0.0;
        double ty = top + h - f * h;
        cairo_move_to (cr, x + S_COLOUR_BAR_W, ty);
        cairo_line_to (cr, x + S_COLOUR_BAR_W + 5, ty);
        cairo_stroke (cr);
        plot_scale_label (s, ticks[i], text);
        plot_canvas_text (cr, x + S_COLOUR_BAR_W + 9, ty, text, S_FONT_LEGEND - 1, 0.0, 0.5, false);
    }
    //  The exact ends, since round ticks rarely meet them.
    char lo[PLOT_SCALE_LABEL_BUF], hi[PLOT_SCALE_LABEL_BUF];
    plot_scale_format (s->min, lo);
    plot_scale_format (s->max, hi);
    snprintf (text, sizeof text, "range %s .. %s", lo, hi);
    plot_canvas_text (cr, x, top + h + 10, text, S_FONT_LEGEND - 2, 0.0, 0.0, false);
    return top + h + 40;
}

static double
s_size_legend (cairo_t *cr, const plot_pse_t *self, const plot_pse_view_t *view,
               const s_layout_t *lay, double x, double y)
{
    char text[PLOT_PSE_NOTE_MAX];
    plot_canvas_colour (cr, s_ink);
    plot_canvas_text (cr, x, y, "Size", S_FONT_LEGEND, 0.0, 0.0, false);
    plot_canvas_text (cr, x, y + 20, self->metrics[view->size_m], S_FONT_LEGEND + 1, 0.0, 0.0,
                      true);
    snprintf (text, sizeof text, "(%s)", s_scale_name (&view->size));
    plot_canvas_text (cr, x, y + 40, text, S_FONT_LEGEND - 1, 0.0, 0.0, false);
    y += 66;
    const plot_scale_t *s = &view->size;
    if (s->finite == 0) {
        plot_canvas_text (cr, x, y, "no finite values", S_FONT_LEGEND, 0.0, 0.0, false);
        return y + 30;
    }
    //  Smallest, middle and largest, at the radii the plot uses.
    size_t n = s->hi > s->lo ? 3 : 1;
    for (size_t i = 0; i < n; i++) {
        double f = n == 1 ? 0.0 : 1.0 - (double) i / 2.0;
        double t = f == 1.0 ? s->hi : f == 0.0 ? s->lo : s->lo + (s->hi - s->lo) * f;
        double r = lay->rmin + f * (lay->rmax - lay->rmin);
        double cy = y + fmax (r, 8.0);
        s_disc (cr, x + lay->rmax, cy, r, s_neutral, false);
        char label[PLOT_SCALE_LABEL_BUF];
        plot_scale_format (plot_scale_value_at (s, t), label);
        plot_canvas_colour (cr, s_ink);
        plot_canvas_text (cr, x + 2 * lay->rmax + 12, cy, label, S_FONT_LEGEND - 1, 0.0, 0.5,
                          false);
        y = cy + fmax (r, 8.0) + 8;
    }
    return y + 16;
}

//  A dense view draws no radius: the legend says so, and how to see the
//  size metric all the same.
static double
s_size_note (cairo_t *cr, const plot_pse_t *self, const plot_pse_view_t *view, double x, double y)
{
    char text[PLOT_PSE_NOTE_MAX];
    plot_canvas_colour (cr, s_ink);
    plot_canvas_text (cr, x, y, "Size", S_FONT_LEGEND, 0.0, 0.0, false);
    snprintf (text, sizeof text, "%s: not drawn", self->metrics[view->size_m]);
    plot_canvas_text (cr, x, y + 20, text, S_FONT_LEGEND + 1, 0.0, 0.0, true);
    static const char *const lines[] = {"one cell per point: too many", "points for discs to read;",
                                        "colour by it with --colour"};
    static const char *const scatter[] = {"one square per point: too many",
                                          "points for discs to read;",
                                          "colour by it with --colour"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        plot_canvas_text (cr, x, y + 40 + 18 * (double) i, view->scatter ? scatter[i] : lines[i],
                          S_FONT_LEGEND - 1, 0.0, 0.0, false);
    return y + 40 + 18 * 3 + 20;
}

//  A dense view's keys: a cell of each mark's colour.
static void
s_cell_keys (cairo_t *cr, const plot_pse_view_t *view, const s_layout_t *lay, size_t cells_nan,
             double x, double y)
{
    struct {
        size_t count;
        plot_pse_mark_t mark;
        const char *text;
    } keys[] = {{view->failed, PLOT_PSE_MARK_FAILED, "failed"},
                {cells_nan, PLOT_PSE_MARK_NAN, "NaN or infinite metric"},
                {view->pending, PLOT_PSE_MARK_PENDING, "pending (no result yet)"}};
    const double side = 14.0;
    char text[256];
    for (size_t i = 0; i < 3; i++) {
        if (!keys[i].count)
            continue;
        cairo_rectangle (cr, x, y, side, side);
        plot_canvas_colour (cr, plot_pse_mark_colour (keys[i].mark));
        cairo_fill_preserve (cr);
        plot_canvas_colour (cr, s_ink);
        cairo_set_line_width (cr, 1.0);
        cairo_stroke (cr);
        snprintf (text, sizeof text, "%s (%zu)", keys[i].text, keys[i].count);
        plot_canvas_text (cr, x + side + 12, y + side / 2, text, S_FONT_LEGEND - 1, 0.0, 0.5,
                          false);
        y += side + 12;
    }
    //  Neighbours sharing a pixel (plot_pse.h) is worth saying.
    if (lay->cells_x < view->nx || lay->cells_y < view->ny) {
        static const char *const lines[] = {"More values than pixels: a pixel",
                                            "shows its middle point, or a failed,",
                                            "NaN or pending one it covers."};
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
            plot_canvas_text (cr, x, y + 8 + 18 * (double) i, lines[i], S_FONT_LEGEND - 1, 0.0, 0.0,
                              false);
    }
}

static void
s_marker_keys (cairo_t *cr, const plot_pse_view_t *view, const s_layout_t *lay, size_t crosses_nan,
               double x, double y)
{
    double r = fmax (lay->rmax / 2.0, 6.0);
    struct {
        size_t count;
        const char *text;
    } keys[] = {{view->failed, "failed"},
                {crosses_nan, "NaN or infinite metric"},
                {view->pending, "pending (no result yet)"}};
    for (size_t i = 0; i < 3; i++) {
        if (!keys[i].count)
            continue;
        double cx = x + r, cy = y + r;
        if (i == 0)
            s_cross (cr, cx, cy, r, s_failed, false);
        else if (i == 1)
            s_cross (cr, cx, cy, r, s_nan, false);
        else
            s_ring (cr, cx, cy, r, false);
        char text[128];
        snprintf (text, sizeof text, "%s (%zu)", keys[i].text, keys[i].count);
        plot_canvas_colour (cr, s_ink);
        plot_canvas_text (cr, x + 2 * r + 12, cy, text, S_FONT_LEGEND - 1, 0.0, 0.5, false);
        y += 2 * r + 12;
    }
}

static void
s_header (cairo_t *cr, const plot_pse_t *self, const plot_pse_view_t *view)
{
    plot_canvas_colour (cr, s_ink);
    plot_canvas_text (cr, PLOT_PSE_MARGIN_PX, 22, self->title, S_FONT_TITLE, 0.0, 0.0, true);
    char text[PLOT_PSE_NOTE_MAX + 256];
    if (view->dense)
        snprintf (text, sizeof text,
                  "%zu points on view: %zu ok, %zu failed, %zu pending  |  one %s per point  |  "
                  "colour: %s",
                  view->ok + view->failed + view->pending, view->ok, view->failed, view->pending,
                  view->scatter ? "square" : "cell", self->metrics[view->colour_m]);
    else
        snprintf (text, sizeof text,
                  "%zu points on view: %zu ok, %zu failed, %zu pending  |  size: %s  |  colour: %s",
                  view->ok + view->failed + view->pending, view->ok, view->failed, view->pending,
                  self->metrics[view->size_m], self->metrics[view->colour_m]);
    plot_canvas_text (cr, PLOT_PSE_MARGIN_PX, 58, text, S_FONT_SUBTITLE, 0.0, 0.0, false);
    if (view->note[0])
        plot_canvas_text (cr, PLOT_PSE_MARGIN_PX, 80, view->note, S_FONT_SUBTITLE, 0.0, 0.0, false);
}

//  --------------------------------------------------------------------------

int
plot_pse_write (const plot_pse_t *self, const plot_pse_options_t *options, const char *path,
                plot_format_t format, plot_pse_stats_t *stats, bsw_error_t *err)
{
    plot_pse_view_t view;
    int rc = plot_pse_view_resolve (self, options, &view, err);
    if (rc)
        return rc;
    s_layout_t lay;
    s_layout (self, &view, &lay);
    plot_canvas_t *canvas = NULL;
    if ((rc = plot_canvas_new (&canvas, path, format, lay.width, lay.height, self->title, err)))
        return rc;
    cairo_t *cr = plot_canvas_cairo (canvas);
    plot_palette_t palette;
    plot_palette_init (&palette);
    plot_pse_stats_t local;
    memset (&local, 0, sizeof local);
    //  A dense grid's cells cover the grid lines: none are drawn (a
    //  scatter's image is clear between its points).
    for (size_t p = 0; p < view.panels && (!view.dense || view.scatter); p++)
        s_grid_lines (cr, &view, &lay, p);
    for (size_t p = 0; p < view.panels; p++)
        if (view.dense)
            s_raster (cr, self, &view, &lay, &palette, p, format == PLOT_FORMAT_SVG, &local);
        else
            s_markers (cr, self, &view, &lay, &palette, p, &local);
    for (size_t p = 0; p < view.panels; p++)
        s_axes (cr, self, &view, &lay, p);
    s_header (cr, self, &view);
    double y = PLOT_PSE_HEADER_PX;
    y = s_colour_legend (cr, self, &view, &palette, lay.legend_x, y);
    if (view.dense) {
        y = s_size_note (cr, self, &view, lay.legend_x, y);
        s_cell_keys (cr, &view, &lay, local.crosses - view.failed, lay.legend_x, y);
    } else {
        y = s_size_legend (cr, self, &view, &lay, lay.legend_x, y);
        s_marker_keys (cr, &view, &lay, local.crosses - view.failed, lay.legend_x, y);
    }
    local.panels = view.panels;
    local.dense = view.dense;
    local.scatter = view.scatter;
    local.pad = lay.pad;
    local.rmax = lay.rmax;
    local.width = lay.width;
    local.height = lay.height;
    s_panel_origin (&view, &lay, 0, &local.area_x, &local.area_y);
    local.area_w = lay.area_w;
    local.area_h = lay.area_h;
    local.size_log = view.size.log;
    local.colour_log = view.colour.log;
    rc = plot_canvas_finish (&canvas, err);
    if (stats)
        *stats = local;
    return rc;
}
