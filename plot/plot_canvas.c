/*  plot_canvas.c - cairo surfaces by file format (plot_canvas.h).

    cairo reports failures through sticky status codes instead of return
    values: a failed write of an SVG or PDF shows at cairo_surface_finish,
    a PNG's at cairo_surface_write_to_png. We check the context and the
    surface once at the end, which is enough because every drawing call
    after a failure is a no-op.
*/
#include "plot_canvas.h"
#include "bsw_assert.h"

#include "bsw_util.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define S_PDF_PT_PER_UNIT 0.75 /* 72 pt per inch over 96 px per inch */
#define S_FONT            "sans-serif"

struct plot_canvas_t {
    plot_format_t format;     /* SVG, PNG or PDF */
    char *path;               /* the final file */
    char *tmp_path;           /* "<path>.tmp", written first */
    cairo_surface_t *surface; /* the format's surface */
    cairo_t *cr;              /* the context on it */
};

//  LeakSanitizer asks every program for this hook (sanitizer builds only;
//  otherwise nothing calls it). fontconfig, which cairo's text goes
//  through, keeps a few patterns (~1 kB, allocated once, not growing with
//  use) that it never frees; without the suppression every program that
//  draws text would fail a BSW_SANITIZE run at exit.
const char *__lsan_default_suppressions (void);
const char *
__lsan_default_suppressions (void)
{
    return "leak:libfontconfig.so\n";
}

plot_format_t
plot_format_from_path (const char *path)
{
    const char *dot = strrchr (path, '.');
    if (!dot || strchr (dot, '/'))
        return PLOT_FORMAT_UNKNOWN;
    static const struct {
        const char *ext;
        plot_format_t format;
    } table[] = {{".svg", PLOT_FORMAT_SVG},
                 {".png", PLOT_FORMAT_PNG},
                 {".pdf", PLOT_FORMAT_PDF},
                 {".html", PLOT_FORMAT_HTML},
                 {".htm", PLOT_FORMAT_HTML}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcasecmp (dot, table[i].ext) == 0)
            return table[i].format;
    return PLOT_FORMAT_UNKNOWN;
}

const char *
plot_format_name (plot_format_t format)
{
    switch (format) {
    case PLOT_FORMAT_SVG:
        return "svg";
    case PLOT_FORMAT_PNG:
        return "png";
    case PLOT_FORMAT_PDF:
        return "pdf";
    case PLOT_FORMAT_HTML:
        return "html";
    default:
        return "?";
    }
}

static int
s_cairo_error (cairo_status_t status, const char *path, bsw_error_t *err)
{
    int code = status == CAIRO_STATUS_WRITE_ERROR      ? BSW_EIO
               : status == CAIRO_STATUS_NO_MEMORY      ? BSW_ENOMEM
               : status == CAIRO_STATUS_FILE_NOT_FOUND ? BSW_EIO
                                                       : BSW_EINTERNAL;
    //  cairo does not keep errno; a write error is most often a full disk
    //  or a missing folder, which errno may still tell.
    if (status == CAIRO_STATUS_WRITE_ERROR && (errno == ENOSPC || errno == EDQUOT))
        code = BSW_ENOSPACE;
    return bsw_error_set (err, code, "%s: cannot write the plot: %s", path,
                          cairo_status_to_string (status));
}

int
plot_canvas_new (plot_canvas_t **self_p, const char *path, plot_format_t format, double width,
                 double height, const char *title, bsw_error_t *err)
{
    *self_p = NULL;
    if (format != PLOT_FORMAT_SVG && format != PLOT_FORMAT_PNG && format != PLOT_FORMAT_PDF)
        return bsw_error_set (err, BSW_EINVAL, "%s: a canvas is SVG, PNG or PDF, not %s", path,
                              plot_format_name (format));
    if (!(width >= 1 && height >= 1 && width <= PLOT_CANVAS_MAX_PX && height <= PLOT_CANVAS_MAX_PX))
        return bsw_error_set (err, BSW_EINVAL,
                              "%s: an image of %.0f x %.0f px is too large (at most %d px a side)",
                              path, width, height, PLOT_CANVAS_MAX_PX);
    plot_canvas_t *self = bsw_calloc (1, sizeof *self);
    self->format = format;
    self->path = bsw_strdup (path);
    size_t n = strlen (path) + 5;
    self->tmp_path = bsw_malloc (n);
    snprintf (self->tmp_path, n, "%s.tmp", path);
    switch (format) {
    case PLOT_FORMAT_SVG:
        self->surface = cairo_svg_surface_create (self->tmp_path, width, height);
        cairo_svg_surface_set_document_unit (self->surface, CAIRO_SVG_UNIT_PX);
        break;
    case PLOT_FORMAT_PDF:
        self->surface = cairo_pdf_surface_create (self->tmp_path, width * S_PDF_PT_PER_UNIT,
                                                  height * S_PDF_PT_PER_UNIT);
        if (title)
            cairo_pdf_surface_set_metadata (self->surface, CAIRO_PDF_METADATA_TITLE, title);
        cairo_pdf_surface_set_metadata (self->surface, CAIRO_PDF_METADATA_CREATOR,
                                        "brainsweep " BSW_VERSION_STRING);
        break;
    default:
        self->surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) (width + 0.5),
                                                    (int) (height + 0.5));
        break;
    }
    cairo_status_t status = cairo_surface_status (self->surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        int rc = s_cairo_error (status, path, err);
        plot_canvas_destroy (&self);
        return rc;
    }
    self->cr = cairo_create (self->surface);
    if (format == PLOT_FORMAT_PDF)
        cairo_scale (self->cr, S_PDF_PT_PER_UNIT, S_PDF_PT_PER_UNIT);
    cairo_set_source_rgb (self->cr, 1, 1, 1);
    cairo_paint (self->cr);
    *self_p = self;
    return 0;
}

cairo_t *
plot_canvas_cairo (plot_canvas_t *self)
{
    BSW_ASSERT (self);
    return self->cr;
}

static void
s_free (plot_canvas_t *self)
{
    if (self->cr)
        cairo_destroy (self->cr);
    if (self->surface)
        cairo_surface_destroy (self->surface);
    free (self->path);
    free (self->tmp_path);
    free (self);
}

int
plot_canvas_finish (plot_canvas_t **self_p, bsw_error_t *err)
{
    BSW_ASSERT (self_p && *self_p);
    plot_canvas_t *self = *self_p;
    *self_p = NULL;
    cairo_status_t status = cairo_status (self->cr);
    if (status == CAIRO_STATUS_SUCCESS && self->format == PLOT_FORMAT_PNG) {
        cairo_surface_flush (self->surface);
        errno = 0;
        status = cairo_surface_write_to_png (self->surface, self->tmp_path);
    } else if (status == CAIRO_STATUS_SUCCESS) {
        errno = 0;
        cairo_surface_finish (self->surface);
        status = cairo_surface_status (self->surface);
    }
    int rc = 0;
    if (status != CAIRO_STATUS_SUCCESS)
        rc = s_cairo_error (status, self->path, err);
    else if (rename (self->tmp_path, self->path) != 0)
        rc = bsw_error_set (err, BSW_EIO, "%s: cannot rename into place: %s", self->path,
                            strerror (errno));
    if (rc) {
        cairo_surface_finish (self->surface);
        unlink (self->tmp_path);
    }
    s_free (self);
    return rc;
}

void
plot_canvas_destroy (plot_canvas_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    plot_canvas_t *self = *self_p;
    *self_p = NULL;
    //  Finishing first closes the file cairo holds open for SVG and PDF.
    if (self->surface)
        cairo_surface_finish (self->surface);
    unlink (self->tmp_path);
    s_free (self);
}

static void
s_font (cairo_t *cr, double size, bool bold)
{
    cairo_select_font_face (cr, S_FONT, CAIRO_FONT_SLANT_NORMAL,
                            bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size (cr, size);
}

double
plot_canvas_text_width (cairo_t *cr, const char *text, double size, bool bold)
{
    s_font (cr, size, bold);
    cairo_text_extents_t ext;
    cairo_text_extents (cr, text, &ext);
    return ext.x_advance;
}

void
plot_canvas_text (cairo_t *cr, double x, double y, const char *text, double size, double align_x,
                  double align_y, bool bold)
{
    s_font (cr, size, bold);
    cairo_text_extents_t ext;
    cairo_text_extents (cr, text, &ext);
    cairo_font_extents_t font;
    cairo_font_extents (cr, &font);
    //  Vertical anchors from the font's ascent and descent, not the
    //  text's ink, so labels of one row line up whatever their letters.
    double dy = align_y <= 0.0   ? font.ascent
                : align_y >= 1.0 ? 0.0
                                 : (font.ascent - font.descent) / 2.0;
    cairo_move_to (cr, x - ext.x_advance * align_x, y + dy);
    cairo_show_text (cr, text);
}

void
plot_canvas_text_up (cairo_t *cr, double x, double y, const char *text, double size, bool bold)
{
    cairo_save (cr);
    cairo_translate (cr, x, y);
    cairo_rotate (cr, -M_PI / 2.0);
    plot_canvas_text (cr, 0, 0, text, size, 0.5, 0.5, bold);
    cairo_restore (cr);
}

void
plot_canvas_colour (cairo_t *cr, plot_rgb_t colour)
{
    cairo_set_source_rgb (cr, colour.r, colour.g, colour.b);
}
