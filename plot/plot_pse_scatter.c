/*  plot_pse_scatter.c - where a scatter's points go, and a dense
    scatter's image (plot_pse_private.h; the rules are in plot_pse.h).

    Positions are linear in the axis' bounds, inside a plot area with a
    pad kept clear at each edge so the discs at the bounds are whole. The
    dense image paints squares in three passes over the points: values by
    level (coarse first, so a refinement's finer points lie on top), then
    pending, NaN and failed points in that order over everything, the
    dense grid's precedence (plot_pse_mark_t). That is 2 + levels passes
    over the points; at most a few pixels each, so 100,000 points take a
    few ms. A cell-per-point raster as the grid's was turned down: points
    of a design share no lattice, so cells would either merge neighbours
    or leave most of the area empty.
*/
#include "plot_pse_private.h"

#include "bsw_assert.h"

#include <math.h>
#include <string.h>

static double
s_unit (double v, double lo, double hi)
{
    return hi > lo ? (v - lo) / (hi - lo) : 0.5;
}

void
plot_pse_scatter_place (const plot_pse_t *self, const plot_pse_view_t *view, uint64_t k, double w,
                        double h, double pad, double *px, double *py)
{
    BSW_ASSERT (self->scatter && k < self->points);
    const double *values = self->coords + k * self->n_ranges;
    *px = pad + s_unit (values[view->x], view->xlo, view->xhi) * (w - 2 * pad);
    if (view->y < 0)
        *py = h / 2.0;
    else
        *py = h - pad - s_unit (values[view->y], view->ylo, view->yhi) * (h - 2 * pad);
}

void
plot_pse_scatter_axis_scale (double lo, double hi, plot_scale_t *scale)
{
    const double bounds[2] = {lo, hi};
    plot_scale_fit (scale, bounds, 2, 1, PLOT_SCALE_LINEAR, NULL, NULL);
}

size_t
plot_pse_scatter_square (const plot_pse_view_t *view, double side)
{
    double square = floor (side / (double) view->L);
    return square < 1.0 ? 1 : (size_t) square;
}

static uint32_t
s_pixel (plot_rgb_t c)
{
    //  ARGB32, opaque (premultiplied alpha is then the colour itself).
    return 0xff000000u | (uint32_t) lround (c.r * 255.0) << 16 |
           (uint32_t) lround (c.g * 255.0) << 8 | (uint32_t) lround (c.b * 255.0);
}

//  A square of side a (bar of height b) centred at (cx, cy), clipped.
static void
s_square (uint32_t *data, size_t stride, size_t w, size_t h, double cx, double cy, size_t a,
          size_t b, uint32_t px)
{
    long x0 = lround (cx - (double) a / 2.0), y0 = lround (cy - (double) b / 2.0);
    for (long y = y0; y < y0 + (long) b; y++) {
        if (y < 0 || y >= (long) h)
            continue;
        uint32_t *row = data + (size_t) y * stride;
        for (long x = x0; x < x0 + (long) a; x++)
            if (x >= 0 && x < (long) w)
                row[x] = px;
    }
}

cairo_surface_t *
plot_pse_scatter_raster_new (const plot_pse_t *self, const plot_pse_view_t *view, size_t w,
                             size_t h, double pad, size_t square, const plot_palette_t *palette,
                             plot_pse_stats_t *stats)
{
    BSW_ASSERT (self->scatter && w >= 1 && h >= 1 && square >= 1);
    cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) w, (int) h);
    if (cairo_surface_status (image) != CAIRO_STATUS_SUCCESS)
        return image;
    cairo_surface_flush (image);
    uint32_t *data = (uint32_t *) (void *) cairo_image_surface_get_data (image);
    size_t stride = (size_t) cairo_image_surface_get_stride (image) / sizeof (uint32_t);
    memset (data, 0, stride * h * sizeof (uint32_t)); // transparent: the grid lines show
    uint32_t marks[PLOT_PSE_MARK_FAILED + 1];
    for (int m = PLOT_PSE_MARK_PENDING; m <= PLOT_PSE_MARK_FAILED; m++)
        marks[m] = s_pixel (plot_pse_mark_colour ((plot_pse_mark_t) m));
    //  Pass 0..max_level: values by level; then one pass per mark.
    for (int pass = 0; pass <= (int) self->max_level + 3; pass++) {
        bool values = pass <= (int) self->max_level;
        for (uint64_t k = 0; k < self->points; k++) {
            unsigned level = self->levels[k];
            double v = NAN;
            plot_pse_mark_t mark = plot_pse_mark (self, view, k, &v);
            if (values ? mark != PLOT_PSE_MARK_VALUE || level != (unsigned) pass
                       : (int) mark != pass - (int) self->max_level)
                continue;
            size_t a = (size_t) fmax (1.0, round (ldexp ((double) square, -(int) level)));
            size_t b = view->y >= 0 ? a : (size_t) fmax ((double) a, (double) h / 3.0);
            double cx, cy;
            plot_pse_scatter_place (self, view, k, (double) w, (double) h, pad, &cx, &cy);
            uint32_t px =
                values ? s_pixel (plot_palette_colour (palette, plot_scale_unit (&view->colour, v)))
                       : marks[mark];
            s_square (data, stride, w, h, cx, cy, a, b, px);
            stats->drawn++;
            stats->cells += mark == PLOT_PSE_MARK_VALUE;
            stats->crosses += mark == PLOT_PSE_MARK_NAN || mark == PLOT_PSE_MARK_FAILED;
            stats->pending += mark == PLOT_PSE_MARK_PENDING;
        }
    }
    cairo_surface_mark_dirty (image);
    return image;
}
