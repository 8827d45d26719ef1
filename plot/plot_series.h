/*  plot_series.h - one sweep point's time series: every region as a thin
    line over time (ms), one panel per variable of interest, drawn with
    the same canvas as the PSE view (SVG, PNG or PDF).

    The data are TVB's TimeSeriesRegion layout (shared/spec/TVB.md 11.4):
    data[t][voi][region][mode], mode 0 drawn. Regions are coloured along
    the palette by index so neighbours in the connectome are told apart.
    A series longer than twice the plot's width in px is drawn as each
    column's min-max envelope, so no spike is lost and a Raw monitor's
    80 000 samples make a file of a sane size. NaN samples break a line.
*/
#ifndef PLOT_SERIES_H_INCLUDED
#define PLOT_SERIES_H_INCLUDED

#include <stddef.h>

#include "bsw_error.h"
#include "plot_canvas.h"

#define PLOT_SERIES_MAX_VOI 8 /* panels */

/*  Borrowed for the call. */
typedef struct {
    const char *title;            /* the image's title */
    const double *time;           /* [n_time], ms, increasing */
    size_t n_time;                /* >= 1 */
    const double *data;           /* [n_time][n_voi][n_regions][n_modes] */
    size_t n_voi;                 /* 1..PLOT_SERIES_MAX_VOI */
    size_t n_regions;             /* >= 1 */
    size_t n_modes;               /* >= 1; mode 0 is drawn */
    const char *const *voi_names; /* [n_voi], or NULL for "VOI 1", ... */
} plot_series_t;

/*  Draws the series into an SVG, PNG or PDF file at path. Returns 0, or
    BSW_EINVAL (shape, format) / BSW_EIO / BSW_ENOSPACE / BSW_EINTERNAL
    with err's sentence. */
int plot_series_write (const plot_series_t *series, const char *path, plot_format_t format,
                       bsw_error_t *err);

#endif
