/*  plot_pse_raster.c - a dense PSE view's cells as one image per panel
    (plot_pse_private.h; the rule is in plot_pse.h).

    One pass over the panel's points: each is classified (plot_pse_mark_t)
    and counted, and each cell takes the palette's colour of the point at
    its centre, or the highest mark among the points it covers, so a
    failed or NaN point never hides behind a neighbour when an axis has
    more values than pixels. When cells and values are one to one (every
    sweep up to PLOT_PSE_MAX_SIDE_PX values an axis) the loops over a
    cell's points run once.

    Point indices come from the panel's first point plus i and j times
    their ranges' strides (points are row-major), not from
    plot_pse_view_point, which rebuilds every coordinate per call. A
    million points take about 30 ms here, most of it log10 for a log
    colour scale.
*/
#include "plot_pse_private.h"

#include "bsw_assert.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

plot_rgb_t
plot_pse_mark_colour (plot_pse_mark_t mark)
{
    //  The disc view's cross colours for failed and NaN; pending cells are
    //  a light grey ("nothing yet"), unlike any palette entry in hue.
    static const plot_rgb_t colours[] = {
        [PLOT_PSE_MARK_VALUE] = {0.0, 0.0, 0.0},
        [PLOT_PSE_MARK_PENDING] = {0xdc / 255.0, 0xdc / 255.0, 0xdc / 255.0},
        [PLOT_PSE_MARK_NAN] = {0x59 / 255.0, 0x59 / 255.0, 0x59 / 255.0},
        [PLOT_PSE_MARK_FAILED] = {0xd6 / 255.0, 0x27 / 255.0, 0x28 / 255.0},
    };
    BSW_ASSERT ((size_t) mark < sizeof colours / sizeof colours[0]);
    return colours[mark];
}

//  A colour as a pixel of CAIRO_FORMAT_RGB24 (0x00rrggbb, native endian).
static uint32_t
s_pixel (plot_rgb_t c)
{
    return (uint32_t) lround (c.r * 255.0) << 16 | (uint32_t) lround (c.g * 255.0) << 8 |
           (uint32_t) lround (c.b * 255.0);
}

//  Points between two neighbouring values of range r (row-major order).
static uint64_t
s_stride (const plot_pse_t *self, size_t r)
{
    uint64_t stride = 1;
    for (size_t q = r + 1; q < self->n_ranges; q++)
        stride *= self->n_values[q];
    return stride;
}

plot_pse_mark_t
plot_pse_mark (const plot_pse_t *self, const plot_pse_view_t *view, uint64_t k, double *value)
{
    if (self->status[k] == PLOT_POINT_PENDING)
        return PLOT_PSE_MARK_PENDING;
    if (self->status[k] == PLOT_POINT_FAILED)
        return PLOT_PSE_MARK_FAILED;
    *value = self->data[k * self->n_metrics + (size_t) view->colour_m];
    return plot_scale_valid (&view->colour, *value) ? PLOT_PSE_MARK_VALUE : PLOT_PSE_MARK_NAN;
}

static void
s_count (plot_pse_stats_t *stats, plot_pse_mark_t mark)
{
    stats->drawn++;
    stats->cells += mark == PLOT_PSE_MARK_VALUE;
    stats->crosses += mark == PLOT_PSE_MARK_NAN || mark == PLOT_PSE_MARK_FAILED;
    stats->pending += mark == PLOT_PSE_MARK_PENDING;
}

cairo_surface_t *
plot_pse_raster_new (const plot_pse_t *self, const plot_pse_view_t *view, size_t panel,
                     size_t cells_x, size_t cells_y, size_t fx, size_t fy,
                     const plot_palette_t *palette, plot_pse_stats_t *stats)
{
    BSW_ASSERT (cells_x >= 1 && cells_x <= view->nx && cells_y >= 1 && cells_y <= view->ny);
    BSW_ASSERT (fx >= 1 && fy >= 1);
    cairo_surface_t *image =
        cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) (cells_x * fx), (int) (cells_y * fy));
    if (cairo_surface_status (image) != CAIRO_STATUS_SUCCESS)
        return image;
    cairo_surface_flush (image);
    unsigned char *data = cairo_image_surface_get_data (image);
    size_t row_bytes = (size_t) cairo_image_surface_get_stride (image);
    uint32_t colours[PLOT_PALETTE_SIZE], marks[PLOT_PSE_MARK_FAILED + 1];
    for (size_t i = 0; i < PLOT_PALETTE_SIZE; i++)
        colours[i] = s_pixel (palette->colours[i]);
    for (int m = PLOT_PSE_MARK_PENDING; m <= PLOT_PSE_MARK_FAILED; m++)
        marks[m] = s_pixel (plot_pse_mark_colour ((plot_pse_mark_t) m));
    uint64_t base = plot_pse_view_point (self, view, panel, 0, 0);
    uint64_t sx = s_stride (self, (size_t) view->x);
    uint64_t sy = view->y >= 0 ? s_stride (self, (size_t) view->y) : 0;
    uint64_t nx = view->nx, ny = view->ny;
    for (size_t row = 0; row < cells_y; row++) {
        uint64_t cy = cells_y - 1 - row; // row 0 is the top: the largest j
        uint64_t j0 = cy * ny / cells_y, j1 = (cy + 1) * ny / cells_y;
        uint64_t jc = j0 + (j1 - j0) / 2;
        unsigned char *first = data + row * fy * row_bytes;
        uint32_t *out = (uint32_t *) (void *) first;
        for (size_t cx = 0; cx < cells_x; cx++) {
            uint64_t i0 = cx * nx / cells_x, i1 = (cx + 1) * nx / cells_x;
            uint64_t ic = i0 + (i1 - i0) / 2;
            plot_pse_mark_t worst = PLOT_PSE_MARK_VALUE;
            double centre = NAN;
            for (uint64_t j = j0; j < j1; j++)
                for (uint64_t i = i0; i < i1; i++) {
                    double v = NAN;
                    plot_pse_mark_t mark = plot_pse_mark (self, view, base + i * sx + j * sy, &v);
                    s_count (stats, mark);
                    if (mark > worst)
                        worst = mark;
                    if (i == ic && j == jc)
                        centre = v;
                }
            uint32_t px =
                worst != PLOT_PSE_MARK_VALUE
                    ? marks[worst]
                    : colours[plot_palette_index (plot_scale_unit (&view->colour, centre))];
            for (size_t f = 0; f < fx; f++)
                out[cx * fx + f] = px;
        }
        //  A cell fy px tall: the same pixel row again.
        for (size_t f = 1; f < fy; f++)
            memcpy (first + f * row_bytes, first, cells_x * fx * sizeof (uint32_t));
    }
    cairo_surface_mark_dirty (image);
    return image;
}
