/*  plot_canvas.h - one cairo drawing surface behind the three file formats,
    so the plots have one drawing code for SVG, PNG and PDF.

    Coordinates are pixels of the PNG (1 unit = 1 px). SVG is written in
    px with the same numbers; PDF in points at 96 dpi (0.75 pt per unit),
    so all three show the same picture at the same physical size on a
    96-dpi screen. The file is written to "<path>.tmp" and renamed into
    place when complete: a failed plot leaves nothing at path.
*/
#ifndef PLOT_CANVAS_H_INCLUDED
#define PLOT_CANVAS_H_INCLUDED

#include <cairo.h>
#include <stdbool.h>

#include "bsw_error.h"
#include "plot_palette.h"

typedef enum {
    PLOT_FORMAT_UNKNOWN = 0,
    PLOT_FORMAT_SVG,
    PLOT_FORMAT_PNG,
    PLOT_FORMAT_PDF,
    PLOT_FORMAT_HTML, /* the interactive page (plot_html.c), not a canvas */
} plot_format_t;

/*  The format named by path's extension (.svg, .png, .pdf, .html or
    .htm, any case), or PLOT_FORMAT_UNKNOWN. */
plot_format_t plot_format_from_path (const char *path);

/*  "svg", "png", "pdf", "html" or "?". */
const char *plot_format_name (plot_format_t format);

#define PLOT_CANVAS_MAX_PX 16000 /* longest side of an image */

typedef struct plot_canvas_t plot_canvas_t;

/*  A white canvas of width x height units for path. format is SVG, PNG or
    PDF. Caller owns *self_p: finish with plot_canvas_finish or abandon
    with plot_canvas_destroy. title goes into the PDF's metadata. Returns
    0, or BSW_EINVAL (format, size over PLOT_CANVAS_MAX_PX) / BSW_EIO (the
    file cannot be made) with err naming the path. */
int plot_canvas_new (plot_canvas_t **self_p, const char *path, plot_format_t format, double width,
                     double height, const char *title, bsw_error_t *err);

/*  The cairo context to draw on, borrowed until finish or destroy. */
cairo_t *plot_canvas_cairo (plot_canvas_t *self);

/*  Writes the file (PNG) or completes it (SVG, PDF), renames it into place
    and destroys the canvas (*self_p NULL). Returns 0, or BSW_EIO /
    BSW_ENOSPACE / BSW_EINTERNAL (a cairo failure) with err's sentence. */
int plot_canvas_finish (plot_canvas_t **self_p, bsw_error_t *err);

/*  Abandons a canvas: nothing is left at path. Safe on NULL. */
void plot_canvas_destroy (plot_canvas_t **self_p);

/*  Text drawn with its anchor at (x, y): align_x 0 left, 0.5 centred, 1
    right of x; align_y 0 top, 0.5 middle, 1 baseline. Font: sans-serif
    at size units. */
void plot_canvas_text (cairo_t *cr, double x, double y, const char *text, double size,
                       double align_x, double align_y, bool bold);

/*  The same, turned a quarter anticlockwise (for a y axis' title). */
void plot_canvas_text_up (cairo_t *cr, double x, double y, const char *text, double size,
                          bool bold);

/*  Width in units of text at size. */
double plot_canvas_text_width (cairo_t *cr, const char *text, double size, bool bold);

/*  Sets the source colour. */
void plot_canvas_colour (cairo_t *cr, plot_rgb_t colour);

#endif
