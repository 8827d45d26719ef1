/*  plot_pse.c - the PSE plot's data and how options become a view
    (plot_pse.h, plot_pse_private.h).

    Resolving a view checks every option against the data and turns each
    mistake into a sentence that says what would be right: the metric
    names, the ranges, a range's values, which range to slice. Scales are
    fitted here, on the points of the view only (a slice's scale is its
    own), so the drawing code only draws.
*/
#include "plot_pse_private.h"
#include "bsw_assert.h"

#include "bsw_util.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_LIST_MAX 24 /* values listed in an error before "..." */

int
plot_pse_new (plot_pse_t **self_p, const char *title, const plot_range_t *ranges, size_t n_ranges,
              const char *const *metrics, size_t n_metrics, bsw_error_t *err)
{
    *self_p = NULL;
    if (n_ranges == 0)
        return bsw_error_set (err, BSW_EINVAL,
                              "the sweep has no ranges: there is no parameter space to plot "
                              "(it is a single simulation)");
    if (n_ranges > PLOT_PSE_MAX_RANGES)
        return bsw_error_set (err, BSW_ETOOBIG, "the sweep has %zu ranges; a plot takes at most %d",
                              n_ranges, PLOT_PSE_MAX_RANGES);
    if (n_metrics == 0)
        return bsw_error_set (err, BSW_EINVAL, "the sweep has no metrics to plot");
    if (n_metrics > PLOT_PSE_MAX_METRICS)
        return bsw_error_set (err, BSW_ETOOBIG, "%zu metrics; a plot takes at most %d", n_metrics,
                              PLOT_PSE_MAX_METRICS);
    uint64_t points = 1;
    for (size_t r = 0; r < n_ranges; r++) {
        if (ranges[r].n_values == 0)
            return bsw_error_set (err, BSW_EINVAL, "range %s has no values", ranges[r].parameter);
        if (ranges[r].n_values > PLOT_PSE_MAX_POINTS ||
            points * ranges[r].n_values > PLOT_PSE_MAX_POINTS)
            return bsw_error_set (err, BSW_ETOOBIG,
                                  "the sweep has more than %d points: too many to plot",
                                  PLOT_PSE_MAX_POINTS);
        points *= ranges[r].n_values;
    }
    plot_pse_t *self = bsw_calloc (1, sizeof *self);
    self->title = bsw_strdup (title ? title : "sweep");
    self->n_ranges = n_ranges;
    for (size_t r = 0; r < n_ranges; r++) {
        self->parameters[r] = bsw_strdup (ranges[r].parameter);
        self->n_values[r] = ranges[r].n_values;
        self->values[r] = bsw_malloc (ranges[r].n_values * sizeof (double));
        memcpy (self->values[r], ranges[r].values, ranges[r].n_values * sizeof (double));
    }
    self->n_metrics = n_metrics;
    for (size_t m = 0; m < n_metrics; m++)
        self->metrics[m] = bsw_strdup (metrics[m]);
    self->points = points;
    self->status = bsw_calloc ((size_t) points, 1);
    self->data = bsw_malloc ((size_t) points * n_metrics * sizeof (double));
    for (size_t i = 0; i < (size_t) points * n_metrics; i++)
        self->data[i] = NAN;
    *self_p = self;
    return 0;
}

int
plot_pse_new_scatter (plot_pse_t **self_p, const char *title, const plot_axis_t *axes,
                      size_t n_axes, const char *const *metrics, size_t n_metrics, bsw_error_t *err)
{
    *self_p = NULL;
    if (n_axes == 0)
        return bsw_error_set (err, BSW_EINVAL,
                              "the sweep has no parameters: there is no parameter space to plot "
                              "(it is a single simulation)");
    if (n_axes > PLOT_PSE_MAX_RANGES)
        return bsw_error_set (err, BSW_ETOOBIG,
                              "the sweep has %zu parameters; a plot takes at most %d", n_axes,
                              PLOT_PSE_MAX_RANGES);
    if (n_metrics == 0)
        return bsw_error_set (err, BSW_EINVAL, "the sweep has no metrics to plot");
    if (n_metrics > PLOT_PSE_MAX_METRICS)
        return bsw_error_set (err, BSW_ETOOBIG, "%zu metrics; a plot takes at most %d", n_metrics,
                              PLOT_PSE_MAX_METRICS);
    for (size_t r = 0; r < n_axes; r++)
        if (!isfinite (axes[r].lo) || !isfinite (axes[r].hi) || axes[r].lo > axes[r].hi)
            return bsw_error_set (err, BSW_EINVAL, "parameter %s: bounds %g .. %g are no interval",
                                  axes[r].parameter, axes[r].lo, axes[r].hi);
    plot_pse_t *self = bsw_calloc (1, sizeof *self);
    self->title = bsw_strdup (title ? title : "sweep");
    self->scatter = true;
    self->n_ranges = n_axes;
    for (size_t r = 0; r < n_axes; r++) {
        self->parameters[r] = bsw_strdup (axes[r].parameter);
        self->lo[r] = axes[r].lo;
        self->hi[r] = axes[r].hi;
    }
    self->n_metrics = n_metrics;
    for (size_t m = 0; m < n_metrics; m++)
        self->metrics[m] = bsw_strdup (metrics[m]);
    *self_p = self;
    return 0;
}

int
plot_pse_add_point (plot_pse_t *self, const double *values, unsigned level, uint64_t *k_p,
                    bsw_error_t *err)
{
    BSW_ASSERT (self);
    if (!self->scatter)
        return bsw_error_set (err, BSW_EINVAL, "points are added to a scatter only");
    if (level > PLOT_PSE_MAX_LEVEL)
        return bsw_error_set (err, BSW_EINVAL, "refinement level %u: a plot takes at most %d",
                              level, PLOT_PSE_MAX_LEVEL);
    for (size_t r = 0; r < self->n_ranges; r++)
        if (!isfinite (values[r]))
            return bsw_error_set (err, BSW_EINVAL, "point %" PRIu64 ": %s = %g is not finite",
                                  self->points, self->parameters[r], values[r]);
    if (self->points >= PLOT_PSE_MAX_POINTS)
        return bsw_error_set (err, BSW_ETOOBIG,
                              "the sweep has more than %d points: too many to plot",
                              PLOT_PSE_MAX_POINTS);
    //  Doubling: a million points appended cost some 20 copies.
    if (self->points == self->capacity) {
        uint64_t capacity = self->capacity ? 2 * self->capacity : 1024;
        if (capacity > PLOT_PSE_MAX_POINTS)
            capacity = PLOT_PSE_MAX_POINTS;
        size_t n = (size_t) capacity;
        self->coords = bsw_realloc (self->coords, n * self->n_ranges * sizeof (double));
        self->levels = bsw_realloc (self->levels, n);
        self->status = bsw_realloc (self->status, n);
        self->data = bsw_realloc (self->data, n * self->n_metrics * sizeof (double));
        self->capacity = capacity;
    }
    uint64_t k = self->points++;
    memcpy (self->coords + k * self->n_ranges, values, self->n_ranges * sizeof (double));
    for (size_t r = 0; r < self->n_ranges; r++) {
        self->lo[r] = fmin (self->lo[r], values[r]);
        self->hi[r] = fmax (self->hi[r], values[r]);
    }
    self->levels[k] = (uint8_t) level;
    if (level > self->max_level)
        self->max_level = level;
    self->status[k] = PLOT_POINT_PENDING;
    for (size_t m = 0; m < self->n_metrics; m++)
        self->data[k * self->n_metrics + m] = NAN;
    if (k_p)
        *k_p = k;
    return 0;
}

void
plot_pse_point_values (const plot_pse_t *self, uint64_t k, double *values, unsigned *level)
{
    BSW_ASSERT (k < self->points);
    if (self->scatter) {
        memcpy (values, self->coords + k * self->n_ranges, self->n_ranges * sizeof (double));
        if (level)
            *level = self->levels[k];
        return;
    }
    for (size_t r = self->n_ranges; r-- > 0;) {
        values[r] = self->values[r][k % self->n_values[r]];
        k /= self->n_values[r];
    }
    if (level)
        *level = 0;
}

bool
plot_pse_is_scatter (const plot_pse_t *self)
{
    return self->scatter;
}

void
plot_pse_destroy (plot_pse_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    plot_pse_t *self = *self_p;
    for (size_t r = 0; r < self->n_ranges; r++) {
        free (self->parameters[r]);
        free (self->values[r]);
    }
    for (size_t m = 0; m < self->n_metrics; m++)
        free (self->metrics[m]);
    free (self->title);
    free (self->coords);
    free (self->levels);
    free (self->status);
    free (self->data);
    free (self);
    *self_p = NULL;
}

uint64_t
plot_pse_points (const plot_pse_t *self)
{
    return self->points;
}

int
plot_pse_metric_index (const plot_pse_t *self, const char *name)
{
    for (size_t m = 0; m < self->n_metrics; m++)
        if (strcmp (self->metrics[m], name) == 0)
            return (int) m;
    return -1;
}

void
plot_pse_set_point (plot_pse_t *self, uint64_t k, plot_point_status_t status, const double *values)
{
    BSW_ASSERT (k < self->points);
    self->status[k] = (uint8_t) status;
    for (size_t m = 0; m < self->n_metrics; m++)
        self->data[k * self->n_metrics + m] = values ? values[m] : NAN;
}

void
plot_pse_set_value (plot_pse_t *self, uint64_t k, size_t m, double value)
{
    BSW_ASSERT (k < self->points && m < self->n_metrics);
    self->data[k * self->n_metrics + m] = value;
}

plot_point_status_t
plot_pse_status (const plot_pse_t *self, uint64_t k)
{
    BSW_ASSERT (k < self->points);
    return (plot_point_status_t) self->status[k];
}

double
plot_pse_value (const plot_pse_t *self, uint64_t k, size_t m)
{
    BSW_ASSERT (k < self->points && m < self->n_metrics);
    return self->data[k * self->n_metrics + m];
}

void
plot_pse_value_label (double value, char out[PLOT_SCALE_LABEL_BUF])
{
    plot_scale_format_digits (value, 6, out);
}

//  --------------------------------------------------------------------------
//  Resolving options

//  Appends printf text to a buffer, never past its end.
static void s_append (char *out, size_t size, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
static void
s_append (char *out, size_t size, const char *fmt, ...)
{
    size_t used = strlen (out);
    if (used + 1 >= size)
        return;
    va_list args;
    va_start (args, fmt);
    vsnprintf (out + used, size - used, fmt, args);
    va_end (args);
}

static void
s_list_metrics (const plot_pse_t *self, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t m = 0; m < self->n_metrics; m++)
        s_append (out, size, "%s%s", m ? ", " : "", self->metrics[m]);
}

static void
s_list_values (const plot_pse_t *self, size_t r, char *out, size_t size)
{
    out[0] = '\0';
    size_t n = self->n_values[r];
    for (size_t i = 0; i < n; i++) {
        if (n > S_LIST_MAX && i == S_LIST_MAX - 2) {
            s_append (out, size, ", ...");
            i = n - 1;
        }
        char label[PLOT_SCALE_LABEL_BUF];
        plot_pse_value_label (self->values[r][i], label);
        s_append (out, size, "%s%s", i ? ", " : "", label);
    }
}

static int
s_metric (const plot_pse_t *self, const char *wanted, const char *fallback, size_t fallback_index,
          const char *option, int *index, bsw_error_t *err)
{
    if (wanted) {
        *index = plot_pse_metric_index (self, wanted);
        if (*index >= 0)
            return 0;
        char list[1024];
        s_list_metrics (self, list, sizeof list);
        return bsw_error_set (err, BSW_EINVAL, "%s %s: no such metric; the sweep has %s", option,
                              wanted, list);
    }
    *index = plot_pse_metric_index (self, fallback);
    if (*index < 0)
        *index = (int) (fallback_index < self->n_metrics ? fallback_index : 0);
    return 0;
}

//  "PARAM=VALUE": the range and the index of its value.
static int
s_slice (const plot_pse_t *self, const char *arg, size_t *range, long *index, bsw_error_t *err)
{
    const char *eq = strchr (arg, '=');
    char list[2048];
    list[0] = '\0';
    for (size_t r = 0; r < self->n_ranges; r++)
        s_append (list, sizeof list, "%s%s", r ? ", " : "", self->parameters[r]);
    if (!eq || eq == arg)
        return bsw_error_set (err, BSW_EINVAL,
                              "--slice %s: expected PARAM=VALUE with PARAM one of %s", arg, list);
    size_t len = (size_t) (eq - arg);
    size_t r = 0;
    while (r < self->n_ranges &&
           !(strlen (self->parameters[r]) == len && memcmp (self->parameters[r], arg, len) == 0))
        r++;
    if (r == self->n_ranges)
        return bsw_error_set (err, BSW_EINVAL, "--slice %s: %.*s is not a range of the sweep (%s)",
                              arg, (int) len, arg, list);
    char *end;
    double value = strtod (eq + 1, &end);
    //  The closest value, within a relative 1e-9: "0.3" picks the value
    //  0.30000000000000004 that TVB's arange rule makes.
    long best = -1;
    double best_distance = INFINITY;
    for (size_t i = 0; end != eq + 1 && *end == '\0' && i < self->n_values[r]; i++) {
        double v = self->values[r][i];
        double distance = fabs (v - value);
        if (distance <= 1e-9 * fmax (1.0, fmax (fabs (v), fabs (value))) &&
            distance < best_distance) {
            best = (long) i;
            best_distance = distance;
        }
    }
    if (best < 0) {
        s_list_values (self, r, list, sizeof list);
        return bsw_error_set (err, BSW_EINVAL,
                              "--slice %s: %s is not a value of %s; its values are %s", arg, eq + 1,
                              self->parameters[r], list);
    }
    *range = r;
    *index = best;
    return 0;
}

//  The extra ranges make panels; more than the cap is an error that says
//  what to slice, or (slice_when_crowded) they are fixed at their first
//  values and the note says so.
static int
s_panels (const plot_pse_t *self, bool slice_when_crowded, plot_pse_view_t *view, bsw_error_t *err)
{
    view->panels = 1;
    for (size_t e = 0; e < view->n_extra; e++)
        view->panels *= self->n_values[view->extra[e]];
    if (view->panels <= PLOT_PSE_MAX_PANELS)
        return 0;
    if (slice_when_crowded) {
        s_append (view->note, sizeof view->note, "%s%zu panels would be too many: showing ",
                  view->note[0] ? "; " : "", view->panels);
        for (size_t e = 0; e < view->n_extra; e++) {
            size_t r = view->extra[e];
            char label[PLOT_SCALE_LABEL_BUF];
            plot_pse_value_label (self->values[r][0], label);
            s_append (view->note, sizeof view->note, "%s%s = %s", e ? ", " : "",
                      self->parameters[r], label);
            view->fixed[r] = 0;
        }
        view->n_extra = 0;
        view->panels = 1;
        return 0;
    }
    char names[1024] = "", values[2048];
    for (size_t e = 0; e < view->n_extra; e++)
        s_append (names, sizeof names, "%s%s (%zu values)", e ? " x " : "",
                  self->parameters[view->extra[e]], self->n_values[view->extra[e]]);
    size_t r = view->extra[0];
    s_list_values (self, r, values, sizeof values);
    return bsw_error_set (err, BSW_EINVAL,
                          "one panel per combination of %s would make %zu panels, more than %d: "
                          "fix ranges with --slice PARAM=VALUE, e.g. --slice %s=VALUE with VALUE "
                          "one of %s",
                          names, view->panels, PLOT_PSE_MAX_PANELS, self->parameters[r], values);
}

//  The size and colour values of point k into values[2n], values[2n+1].
static void
s_fit_point (const plot_pse_t *self, plot_pse_view_t *view, uint64_t k, double *values, size_t n)
{
    bool ok = self->status[k] == PLOT_POINT_OK;
    values[2 * n] = ok ? self->data[k * self->n_metrics + (size_t) view->size_m] : NAN;
    values[2 * n + 1] = ok ? self->data[k * self->n_metrics + (size_t) view->colour_m] : NAN;
    view->ok += ok;
    view->failed += self->status[k] == PLOT_POINT_FAILED;
    view->pending += self->status[k] == PLOT_POINT_PENDING;
}

static int
s_fit (const plot_pse_t *self, const plot_pse_options_t *options, plot_pse_view_t *view,
       bsw_error_t *err)
{
    //  A scatter's view is every point; a grid's, its panels' cells.
    size_t count = view->scatter ? (size_t) self->points : view->panels * view->nx * view->ny;
    double *values = bsw_malloc (2 * count * sizeof (double) + 1);
    size_t n = 0;
    if (view->scatter)
        for (; n < count; n++)
            s_fit_point (self, view, n, values, n);
    else
        for (size_t p = 0; p < view->panels; p++)
            for (size_t j = 0; j < view->ny; j++)
                for (size_t i = 0; i < view->nx; i++, n++)
                    s_fit_point (self, view, plot_pse_view_point (self, view, p, i, j), values, n);
    plot_scale_mode_t size_mode = options->size_scale, colour_mode = options->colour_scale;
    if (size_mode == PLOT_SCALE_DEFAULT)
        size_mode = PLOT_PSE_DEFAULT_SIZE_SCALE;
    if (colour_mode == PLOT_SCALE_DEFAULT)
        colour_mode = PLOT_PSE_DEFAULT_COLOUR_SCALE;
    int rc =
        plot_scale_fit (&view->size, values, count, 2, size_mode, self->metrics[view->size_m], err);
    if (rc == 0)
        rc = plot_scale_fit (&view->colour, values + 1, count, 2, colour_mode,
                             self->metrics[view->colour_m], err);
    free (values);
    return rc;
}

//  --x or --y: the index of the axis named, or -1 when not given.
static int
s_axis (const plot_pse_t *self, const char *name, const char *option, int *index, bsw_error_t *err)
{
    *index = -1;
    if (!name)
        return 0;
    for (size_t r = 0; r < self->n_ranges; r++)
        if (strcmp (self->parameters[r], name) == 0) {
            *index = (int) r;
            return 0;
        }
    char list[2048] = "";
    for (size_t r = 0; r < self->n_ranges; r++)
        s_append (list, sizeof list, "%s%s", r ? ", " : "", self->parameters[r]);
    return bsw_error_set (err, BSW_EINVAL, "%s %s: no such axis; the sweep's axes are %s", option,
                          name, list);
}

//  The axes: --x and --y as given (each not fixed, not the same), the
//  others the first ranges free; the ranges left make panels.
static int
s_axes (const plot_pse_t *self, const plot_pse_options_t *options, plot_pse_view_t *view,
        bsw_error_t *err)
{
    int x, y;
    int rc = s_axis (self, options->x_axis, "--x", &x, err);
    if (rc == 0)
        rc = s_axis (self, options->y_axis, "--y", &y, err);
    if (rc)
        return rc;
    if (x >= 0 && x == y)
        return bsw_error_set (err, BSW_EINVAL, "--x and --y name the same axis, %s",
                              self->parameters[x]);
    const char *fixed_option = x >= 0 && view->fixed[x] >= 0   ? "--x"
                               : y >= 0 && view->fixed[y] >= 0 ? "--y"
                                                               : NULL;
    if (fixed_option)
        return bsw_error_set (err, BSW_EINVAL, "%s %s: that range is fixed by --slice",
                              fixed_option,
                              self->parameters[x >= 0 && view->fixed[x] >= 0 ? x : y]);
    for (size_t r = 0; r < self->n_ranges; r++) {
        if (view->fixed[r] >= 0 || (int) r == x || (int) r == y)
            continue;
        if (x < 0)
            x = (int) r;
        else if (y < 0 && !options->y_axis)
            y = (int) r;
        else
            view->extra[view->n_extra++] = r;
    }
    if (x < 0 && y >= 0)
        return bsw_error_set (err, BSW_EINVAL,
                              "--y %s: the sweep has no other axis for x: a single axis goes on x",
                              self->parameters[y]);
    view->x = x;
    view->y = y;
    return 0;
}

//  A scatter: every point on one view, the axes' bounds, and the spacing
//  a grid of that density would have (plot_pse.h).
static int
s_scatter_view (const plot_pse_t *self, const plot_pse_options_t *options, plot_pse_view_t *view,
                bsw_error_t *err)
{
    if (options->n_slices)
        return bsw_error_set (err, BSW_EINVAL,
                              "--slice %s: the sweep's points are no grid, so no value can be "
                              "fixed; choose the axes with --x and --y",
                              options->slices[0]);
    int rc = s_axes (self, options, view, err);
    if (rc)
        return rc;
    view->scatter = true;
    view->panels = 1;
    //  The axes not drawn are projected: each point is drawn at its x and y.
    for (size_t e = 0; e < view->n_extra; e++)
        s_append (view->note, sizeof view->note, "%s%s", e ? ", " : "",
                  self->parameters[view->extra[e]]);
    if (view->n_extra)
        s_append (view->note, sizeof view->note, ": not on an axis (choose with --x, --y)");
    view->n_extra = 0;
    double weight = 0.0;
    for (uint64_t k = 0; k < self->points; k++)
        weight += ldexp (1.0, -(view->y >= 0 ? 2 : 1) * (int) self->levels[k]);
    view->weight = weight;
    double side = view->y >= 0 ? ceil (sqrt (weight) - 1e-9) : ceil (weight - 1e-9);
    view->L = side < 1.0 ? 1 : (size_t) side;
    view->nx = view->L;
    view->ny = view->y >= 0 ? view->L : 1;
    view->xlo = self->lo[view->x];
    view->xhi = self->hi[view->x];
    if (view->y >= 0) {
        view->ylo = self->lo[view->y];
        view->yhi = self->hi[view->y];
    }
    plot_scale_radius_range (view->L, &view->rmin, &view->rmax);
    plot_pse_discs_t discs;
    plot_pse_view_discs (view, &discs);
    view->dense = self->points > PLOT_PSE_DENSE_POINTS || discs.rmax < PLOT_PSE_DENSE_MIN_RADIUS_PX;
    return s_fit (self, options, view, err);
}

int
plot_pse_view_resolve (const plot_pse_t *self, const plot_pse_options_t *options,
                       plot_pse_view_t *view, bsw_error_t *err)
{
    static const plot_pse_options_t defaults;
    if (!options)
        options = &defaults;
    memset (view, 0, sizeof *view);
    int rc = s_metric (self, options->size_metric, PLOT_PSE_DEFAULT_SIZE, 1, "--size",
                       &view->size_m, err);
    if (rc == 0)
        rc = s_metric (self, options->colour_metric, PLOT_PSE_DEFAULT_COLOUR, 0, "--colour",
                       &view->colour_m, err);
    for (size_t r = 0; r < PLOT_PSE_MAX_RANGES; r++)
        view->fixed[r] = view->given[r] = -1;
    if (rc == 0 && self->scatter)
        return s_scatter_view (self, options, view, err);
    for (size_t s = 0; rc == 0 && s < options->n_slices; s++) {
        size_t r;
        long index;
        rc = s_slice (self, options->slices[s], &r, &index, err);
        if (rc == 0)
            view->fixed[r] = index;
    }
    if (rc)
        return rc;
    memcpy (view->given, view->fixed, sizeof view->given);
    if ((rc = s_axes (self, options, view, err)))
        return rc;
    if (view->x < 0)
        return bsw_error_set (err, BSW_EINVAL,
                              "every range is fixed by --slice: nothing is left for the x axis");
    for (size_t r = 0; r < self->n_ranges; r++) {
        if (view->fixed[r] < 0)
            continue;
        char label[PLOT_SCALE_LABEL_BUF];
        plot_pse_value_label (self->values[r][view->fixed[r]], label);
        s_append (view->note, sizeof view->note, "%s%s = %s",
                  view->note[0] ? ", " : "slice: ", self->parameters[r], label);
    }
    if ((rc = s_panels (self, options->slice_when_crowded, view, err)))
        return rc;
    view->nx = self->n_values[view->x];
    view->ny = view->y >= 0 ? self->n_values[view->y] : 1;
    view->L = view->nx > view->ny ? view->nx : view->ny;
    plot_scale_radius_range (view->L, &view->rmin, &view->rmax);
    plot_pse_discs_t discs;
    plot_pse_view_discs (view, &discs);
    view->dense =
        view->nx * view->ny > PLOT_PSE_DENSE_POINTS || discs.rmax < PLOT_PSE_DENSE_MIN_RADIUS_PX;
    return s_fit (self, options, view, err);
}

void
plot_pse_view_discs (const plot_pse_view_t *view, plot_pse_discs_t *discs)
{
    discs->cols = (size_t) ceil (sqrt ((double) view->panels));
    discs->rows = (view->panels + discs->cols - 1) / discs->cols;
    discs->side = PLOT_PSE_AREA_PX;
    if (discs->cols > 1)
        discs->side =
            fmax (PLOT_PSE_MULTI_WIDTH_PX / (double) discs->cols, PLOT_PSE_MULTI_MIN_SIDE_PX);
    discs->scale = PLOT_PSE_RADIUS_SCALE * discs->side / PLOT_PSE_AREA_PX;
    //  Beyond TVB's 512 points: grow the panel rather than draw dots
    //  smaller than PLOT_PSE_MIN_PITCH_PX apart.
    discs->grown = discs->side;
    if ((double) view->L * PLOT_PSE_MIN_PITCH_PX > discs->side)
        discs->grown = fmin ((double) view->L * PLOT_PSE_MIN_PITCH_PX, PLOT_PSE_MAX_SIDE_PX);
    discs->pitch = discs->grown / (double) view->L;
    discs->rmax = fmin (view->rmax * discs->scale, discs->pitch / 2.0);
    discs->rmin = fmin (view->rmin * discs->scale, discs->rmax);
}

uint64_t
plot_pse_view_point (const plot_pse_t *self, const plot_pse_view_t *view, size_t panel, size_t i,
                     size_t j)
{
    size_t coords[PLOT_PSE_MAX_RANGES];
    for (size_t r = 0; r < self->n_ranges; r++)
        coords[r] = view->fixed[r] >= 0 ? (size_t) view->fixed[r] : 0;
    coords[view->x] = i;
    if (view->y >= 0)
        coords[view->y] = j;
    //  Panels count in the same row-major order as the points.
    for (size_t e = view->n_extra; e-- > 0;) {
        size_t r = view->extra[e];
        coords[r] = panel % self->n_values[r];
        panel /= self->n_values[r];
    }
    uint64_t k = 0;
    for (size_t r = 0; r < self->n_ranges; r++)
        k = k * self->n_values[r] + coords[r];
    return k;
}

void
plot_pse_view_panel_label (const plot_pse_t *self, const plot_pse_view_t *view, size_t panel,
                           char *out, size_t size)
{
    size_t index[PLOT_PSE_MAX_RANGES];
    for (size_t e = view->n_extra; e-- > 0;) {
        size_t r = view->extra[e];
        index[e] = panel % self->n_values[r];
        panel /= self->n_values[r];
    }
    out[0] = '\0';
    for (size_t e = 0; e < view->n_extra; e++) {
        char label[PLOT_SCALE_LABEL_BUF];
        size_t r = view->extra[e];
        plot_pse_value_label (self->values[r][index[e]], label);
        s_append (out, size, "%s%s = %s", e ? ", " : "", self->parameters[r], label);
    }
}
