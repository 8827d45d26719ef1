/*  plot_scale.h - from metric values to radii and palette positions, as
    TVB's discrete PSE viewer does it (shared/spec/TVB.md 9.2-9.4), with
    its quirk Q9 fixed: the minimum and maximum skip NaN and infinities,
    so one bad point is drawn as a cross and leaves the others' scale
    alone.

    A scale is fitted to the values of the points on view. Linear maps
    [min, max] to [0, 1]; log maps [log10 of the smallest positive value,
    log10 max] to [0, 1], for metrics spanning many decades
    (GlobalVariance of a fixed point is 1e-29, of a limit cycle ~1); an
    exact zero (a variance that underflowed) sits at the bottom of a log
    scale, and a negative value cannot be drawn on one. PLOT_SCALE_AUTO
    picks log when no finite value is negative and the positive ones span
    10^PLOT_SCALE_AUTO_DECADES or more.
*/
#ifndef PLOT_SCALE_H_INCLUDED
#define PLOT_SCALE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "bsw_error.h"

#define PLOT_SCALE_AUTO_DECADES 3.0 /* auto: log from max/min >= 1e3 */
#define PLOT_SCALE_TICKS_MAX    12  /* most ticks plot_scale_ticks returns */
#define PLOT_SCALE_LABEL_BUF    32  /* bytes of a tick label */

typedef enum {
    PLOT_SCALE_DEFAULT = 0, /* the caller's default; AUTO for plot_scale_fit */
    PLOT_SCALE_AUTO,        /* log for positive data spanning >= 3 decades, else linear */
    PLOT_SCALE_LINEAR,
    PLOT_SCALE_LOG,
} plot_scale_mode_t;

typedef struct {
    bool log;            /* lo and hi are log10 of min_positive and max */
    double lo, hi;       /* the mapped interval: min and max, or their log10 */
    double min;          /* smallest finite value (NaN when none) */
    double max;          /* largest finite value (NaN when none) */
    double min_positive; /* smallest finite value > 0 (NaN when none) */
    size_t finite;       /* finite values */
    size_t count;        /* values seen */
} plot_scale_t;

/*  TVB's (rmin, rmax) in pixels for the longer axis' number of values L
    (TVB.md 9.2; L = 0 is treated as 1). */
void plot_scale_radius_range (size_t L, double *rmin, double *rmax);

/*  Fits a scale to count values read every `stride` doubles (stride >= 1),
    skipping NaN and infinities. `name` (the metric) only words the error.
    Returns 0, or BSW_EINVAL when mode is PLOT_SCALE_LOG and a finite value
    is < 0, with err's sentence naming the metric and its minimum. */
int plot_scale_fit (plot_scale_t *self, const double *values, size_t count, size_t stride,
                    plot_scale_mode_t mode, const char *name, bsw_error_t *err);

/*  Whether v is drawn as a value (finite, and not negative on a log
    scale); anything else is drawn as a cross. */
bool plot_scale_valid (const plot_scale_t *self, double v);

/*  v's position in [0, 1], clamped; 0 when the scale is a single value
    (max == min, TVB's rule); NaN when v is not valid. */
double plot_scale_unit (const plot_scale_t *self, double v);

/*  TVB's radius rule: rmin + unit * (rmax - rmin), rmin when the scale is
    a single value; NaN when v is not valid. */
double plot_scale_radius (const plot_scale_t *self, double v, double rmin, double rmax);

/*  The data value at a position t of the mapped interval (lo..hi). */
double plot_scale_value_at (const plot_scale_t *self, double t);

/*  Round-numbered ticks inside [lo, hi] (positions in the mapped space:
    log10 of the value on a log scale), at most `max` (<= PLOT_SCALE_TICKS_MAX)
    and about `want` of them. Returns how many. */
size_t plot_scale_ticks (const plot_scale_t *self, size_t want, double *ticks, size_t max);

/*  A short label of the value at mapped position t ("0.25", "1e-20"). */
void plot_scale_label (const plot_scale_t *self, double t, char out[PLOT_SCALE_LABEL_BUF]);

/*  A short label of a number ("%.4g" without a redundant exponent
    "e+00"; "-0" printed as "0"). */
void plot_scale_format (double value, char out[PLOT_SCALE_LABEL_BUF]);

/*  The same with `digits` significant digits (1..17). */
void plot_scale_format_digits (double value, int digits, char out[PLOT_SCALE_LABEL_BUF]);

#endif
