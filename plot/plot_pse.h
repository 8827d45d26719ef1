/*  plot_pse.h - the discrete PSE view of a sweep (shared/spec/TVB.md 9):
    one disc per parameter point, x = the first range, y = the second (a
    1-D sweep has one row), the disc's radius from one metric and its
    colour from another.

    The data (plot_pse_t) is the sweep's ranges, its metric names and, per
    point, a status and the metric values. Points start pending; callers
    set those with results. Drawing follows TVB.md 9.2-9.4 with these
    choices (plot_scale.h has the scales):

    * Radius: TVB's (rmin, rmax) by L = the longer axis' number of values,
      times PLOT_PSE_RADIUS_SCALE x (panel side / PLOT_PSE_AREA_PX). TVB
      draws on a canvas of about 720 px; ours is 1080 px a side for one
      panel, so the scale is 1.5 and the discs keep TVB's size relative to
      the grid. Small multiples shrink panels and radii together.
    * Colour: 256-entry perceptual palette (plot_palette.h), TVB's clamp.
    * Scales: NaN-aware min and max over the points on view (quirk Q9
      fixed). Radius linear (TVB's); colour log10 when the metric's values
      are positive and span >= 3 decades, else linear; either can be
      forced (plot_scale.h).
    * A failed point, or one whose size or colour metric is NaN or
      infinite, is a cross of radius rmax/2 (TVB's symbol); a pending
      point a hollow ring, so a running sweep shows its progress.
    * The grid is one cell per range value, evenly spaced, ticked with the
      values (explicit "values" lists need not be evenly spaced).
    * More than two ranges: --slice fixes a range's value; the ranges
      neither on an axis nor fixed make small multiples, one panel per
      combination of their values, at most PLOT_PSE_MAX_PANELS.
    * Dense view: beyond PLOT_PSE_DENSE_POINTS (64 x 64) points in a
      panel, or when the largest disc would be under
      PLOT_PSE_DENSE_MIN_RADIUS_PX (many panels, a long row), discs stop
      working: at 64 x 64 they are 6 px on a 17 px pitch, about the last
      size whose differences still read, and each costs some 330 bytes
      of SVG and an element of the page (a million: 8 s of cairo for a
      PNG of dots, a 333 MB SVG). Each point is then one cell of a
      raster, no gaps, coloured by the colour metric; the size metric is
      not drawn (the legend says so; --colour shows any metric). Failed,
      NaN and pending points are cells of fixed colours, keyed in the
      legend. A panel's cells are one image (PNG and PDF: scaled with the
      nearest-neighbour filter; SVG: at the plot area's resolution, as
      one embedded PNG), so a file's size follows its pixels, not its
      points. Cells take a whole number of pixels, each axis filling the
      panel's side on its own; an axis with more values than
      PLOT_PSE_MAX_SIDE_PX / columns pixels shares a pixel between
      neighbours, which shows the point at its centre or, if one of them
      failed, is NaN or pending, that mark.
    * Axes: --x and --y (options x_axis, y_axis) put any two ranges on
      the axes; by default the first two not fixed.

    Scatter (plot_pse_new_scatter): points that are no grid (a random,
    Latin hypercube, Sobol or listed design, or a grid with its
    refinements) are appended one by one with their parameter values and
    a refinement level, and each is drawn where its values are, on
    continuous axes from the smallest to the largest value (the bounds
    given, widened to every point), ticked at round numbers. Axes other
    than x and y are not drawn (projection; the page's tooltip lists
    them); --slice does not apply. Sizes, colours, scales, crosses, rings
    and the legend follow the grid's rules, with the spacing a grid would
    have from the points' density: L = ceil(sqrt(N)) for two axes,
    ceil(N) for one, where a point of level l counts 4^-l (2^-l on one
    axis), so radii come from TVB's table by that L and stay under half
    of side / L, and a point of level l is drawn with 1/2^l of the radius
    (its cross and ring too) and above the coarser ones. Dense scatter,
    by the grid's rule on N and that L: discs give way to one image of
    the plot area (one px a unit), each point a square of
    floor(side / L) px (at least 1; halved per level, a vertical bar a
    third of the area tall on one axis) in its colour, finer levels over
    coarser, then pending, NaN and failed points over all values, so a
    failed point is never hidden. Its size follows the plot area's
    pixels, not the points: 100,000 points make a PNG of some 0.6 MB, an
    SVG of one embedded image, and a page with one canvas.
*/
#ifndef PLOT_PSE_H_INCLUDED
#define PLOT_PSE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bsw_error.h"
#include "plot_canvas.h"
#include "plot_scale.h"

#define PLOT_PSE_MAX_POINTS          4000000 /* points a plot holds (32 MB per metric) */
#define PLOT_PSE_MAX_RANGES          16      /* ranges of a sweep */
#define PLOT_PSE_MAX_METRICS         16      /* metrics per point */
#define PLOT_PSE_MAX_PANELS          25      /* small multiples */
#define PLOT_PSE_AREA_PX             1080.0  /* side of one panel's plot area */
#define PLOT_PSE_TVB_AREA_PX         720.0   /* TVB's canvas, for which its radii are made */
#define PLOT_PSE_RADIUS_SCALE        (PLOT_PSE_AREA_PX / PLOT_PSE_TVB_AREA_PX)
#define PLOT_PSE_MARKER_MITER        7.0  /* tags point markers in SVG (plot_pse_draw.c) */
#define PLOT_PSE_DENSE_POINTS        4096 /* points in a panel beyond which it is dense (64 x 64) */
#define PLOT_PSE_DENSE_MIN_RADIUS_PX 3.0  /* a panel is dense when its discs would be smaller */
#define PLOT_PSE_MAX_LEVEL           16   /* refinement levels of a scatter point */
#define PLOT_PSE_DEFAULT_SIZE        "GlobalVariance"
#define PLOT_PSE_DEFAULT_COLOUR      "VarianceNodeVariance"
/*  Radius is linear by default, as in TVB: it marks where a metric is
    large (an oscillating regime's variance is ~1, a fixed point's
    1e-29..1e-5, so only oscillating points get big discs). Colour is
    log10 by default when the metric spans >= 3 decades, which shows the
    structure inside the small values too (how fast a fixed point is
    approached). */
#define PLOT_PSE_DEFAULT_SIZE_SCALE   PLOT_SCALE_LINEAR
#define PLOT_PSE_DEFAULT_COLOUR_SCALE PLOT_SCALE_AUTO

typedef enum {
    PLOT_POINT_PENDING = 0, /* no result yet */
    PLOT_POINT_OK,          /* metrics known (some may be NaN) */
    PLOT_POINT_FAILED,      /* the simulation failed: no metrics */
} plot_point_status_t;

/*  One sweep axis, as the spec gives it. Borrowed by plot_pse_new (copied). */
typedef struct {
    const char *parameter; /* "model.I" */
    const double *values;  /* in sweep order */
    size_t n_values;       /* >= 1 */
} plot_range_t;

typedef struct plot_pse_t plot_pse_t;

/*  A sweep's data, every point pending. Points are row-major over the
    ranges, the first outermost (SWEEP-SPEC.md). title names the sweep.
    Caller owns *self_p; destroy with plot_pse_destroy. Returns 0, or
    BSW_EINVAL (no ranges: "the sweep has no ranges: ..."; an empty range;
    no metrics) / BSW_ETOOBIG (more than PLOT_PSE_MAX_POINTS points,
    PLOT_PSE_MAX_RANGES ranges or PLOT_PSE_MAX_METRICS metrics) with err. */
int plot_pse_new (plot_pse_t **self_p, const char *title, const plot_range_t *ranges,
                  size_t n_ranges, const char *const *metrics, size_t n_metrics, bsw_error_t *err);

/*  One axis of a scatter: a parameter and the bounds of its values.
    Borrowed by plot_pse_new_scatter (copied). */
typedef struct {
    const char *parameter; /* "model.I" */
    double lo, hi;         /* bounds, lo <= hi; points outside widen them */
} plot_axis_t;

/*  A scatter's data: axes, metrics, and no point yet; add them with
    plot_pse_add_point. Caller owns *self_p (plot_pse_destroy). Returns 0,
    or BSW_EINVAL (no axes, an axis with bounds not finite or lo > hi, no
    metrics) / BSW_ETOOBIG (more than PLOT_PSE_MAX_RANGES axes or
    PLOT_PSE_MAX_METRICS metrics) with err. */
int plot_pse_new_scatter (plot_pse_t **self_p, const char *title, const plot_axis_t *axes,
                          size_t n_axes, const char *const *metrics, size_t n_metrics,
                          bsw_error_t *err);

/*  Appends a pending point at values[0..n_axes-1] (the axes' order) of
    refinement level `level` (0: a grid's or a design's own points; l: the
    l-th refinement). Its index, in the order added, is *k_p (may be
    NULL). Returns 0, or BSW_EINVAL (a value not finite, level over
    PLOT_PSE_MAX_LEVEL, not a scatter) / BSW_ETOOBIG (PLOT_PSE_MAX_POINTS
    points already) with err. */
int plot_pse_add_point (plot_pse_t *self, const double *values, unsigned level, uint64_t *k_p,
                        bsw_error_t *err);

/*  Point k's parameter values (n axes or ranges doubles) and level (0
    for a grid). k < plot_pse_points. */
void plot_pse_point_values (const plot_pse_t *self, uint64_t k, double *values, unsigned *level);

/*  Whether the data is a scatter (plot_pse_new_scatter). */
bool plot_pse_is_scatter (const plot_pse_t *self);

void plot_pse_destroy (plot_pse_t **self_p);

/*  Number of points (product of the range sizes; a scatter's, those added). */
uint64_t plot_pse_points (const plot_pse_t *self);

/*  Index of a metric by name, or -1. */
int plot_pse_metric_index (const plot_pse_t *self, const char *name);

/*  Sets point k's status and its values (n_metrics doubles, in the order
    of plot_pse_new; NULL for none: all NaN). k < plot_pse_points. */
void plot_pse_set_point (plot_pse_t *self, uint64_t k, plot_point_status_t status,
                         const double *values);

/*  Sets one value of point k (metric index m). */
void plot_pse_set_value (plot_pse_t *self, uint64_t k, size_t m, double value);

/*  Point k's status, and its value of metric m (NaN when unknown).
    k < plot_pse_points, m < the number of metrics. */
plot_point_status_t plot_pse_status (const plot_pse_t *self, uint64_t k);
double plot_pse_value (const plot_pse_t *self, uint64_t k, size_t m);

/*  What to draw. Zero-initialised means the defaults. */
typedef struct {
    const char *size_metric;        /* NULL: PLOT_PSE_DEFAULT_SIZE, or TVB's second key */
    const char *colour_metric;      /* NULL: PLOT_PSE_DEFAULT_COLOUR, or TVB's first key */
    plot_scale_mode_t size_scale;   /* DEFAULT (0): PLOT_PSE_DEFAULT_SIZE_SCALE */
    plot_scale_mode_t colour_scale; /* DEFAULT (0): PLOT_PSE_DEFAULT_COLOUR_SCALE */
    const char *x_axis;             /* NULL: the first range not fixed (--x) */
    const char *y_axis;             /* NULL: the next one, if any (--y) */
    const char *const *slices;      /* "PARAM=VALUE", each fixes one range (grid only) */
    size_t n_slices;
    bool slice_when_crowded; /* too many panels: fix the extra ranges at their
                                       first value (and say so) instead of failing */
} plot_pse_options_t;

/*  What a drawing drew (for tests and the CLI's summary). */
typedef struct {
    size_t panels;         /* small multiples (1 for a plain view) */
    size_t drawn;          /* points drawn: discs (cells) + crosses + pending */
    size_t discs;          /* filled discs */
    size_t cells;          /* dense: cells coloured by their value */
    size_t crosses;        /* failed or NaN points (crosses, or cells when dense) */
    size_t pending;        /* hollow rings (grey cells when dense) */
    bool dense;            /* one cell per point, not discs */
    bool scatter;          /* points at their values, not on a grid */
    double pad;            /* scatter: px kept clear inside the plot area's edges */
    double rmax;           /* largest disc radius, px (a scatter's level 0; 0 when dense) */
    double width, height;  /* image size, px */
    double area_x, area_y; /* top-left corner of the first panel's plot area, px */
    double area_w, area_h; /* a panel's plot area, px */
    bool size_log;         /* the size scale is log10 */
    bool colour_log;       /* the colour scale is log10 */
} plot_pse_stats_t;

/*  Draws the view into an SVG, PNG or PDF file at path. stats may be
    NULL. Returns 0, or with err's sentence: BSW_EINVAL for a bad option
    (an unknown metric lists the available ones; a bad --slice lists the
    ranges or the range's values; an unknown --x or --y lists the axes;
    --slice on a scatter; too many panels says what to slice;
    log scale of a metric with values <= 0), BSW_EIO / BSW_ENOSPACE /
    BSW_EINTERNAL writing the file. */
int plot_pse_write (const plot_pse_t *self, const plot_pse_options_t *options, const char *path,
                    plot_format_t format, plot_pse_stats_t *stats, bsw_error_t *err);

/*  Writes the interactive page (plot_html.c): one self-contained HTML
    file, the data embedded as JSON, drawing the same view with SVG
    elements, or a dense view's cells into a canvas per panel; options
    give the initial selection. Same returns. */
int plot_pse_write_html (const plot_pse_t *self, const plot_pse_options_t *options,
                         const char *path, bsw_error_t *err);

#endif
