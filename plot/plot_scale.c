/*  plot_scale.c - NaN-aware scales, TVB's radius table, ticks
    (plot_scale.h). */
#include "plot_scale.h"
#include "bsw_assert.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

//  TVB.md 9.2, from pse_discrete.py: the upper bound of L of each row and
//  its (rmin, rmax) in pixels.
static const struct {
    size_t max_l;
    double rmin, rmax;
} s_radius_table[] = {
    {3, 10, 50}, {5, 10, 40}, {8, 10, 33}, {10, 8, 25}, {20, 5, 15}, {30, 4, 10},
    {40, 3, 8},  {50, 2, 6},  {60, 2, 5},  {90, 1, 4},  {110, 1, 3},
};

void
plot_scale_radius_range (size_t L, double *rmin, double *rmax)
{
    for (size_t i = 0; i < sizeof s_radius_table / sizeof s_radius_table[0]; i++)
        if (L <= s_radius_table[i].max_l) {
            *rmin = s_radius_table[i].rmin;
            *rmax = s_radius_table[i].rmax;
            return;
        }
    *rmin = 1;
    *rmax = 2;
}

int
plot_scale_fit (plot_scale_t *self, const double *values, size_t count, size_t stride,
                plot_scale_mode_t mode, const char *name, bsw_error_t *err)
{
    BSW_ASSERT (stride >= 1);
    memset (self, 0, sizeof *self);
    self->min = self->max = self->min_positive = NAN;
    self->count = count;
    size_t finite = 0;
    for (size_t i = 0; i < count; i++) {
        double v = values[i * stride];
        if (!isfinite (v))
            continue;
        if (finite == 0 || v < self->min)
            self->min = v;
        if (finite == 0 || v > self->max)
            self->max = v;
        if (v > 0.0 && !(v >= self->min_positive))
            self->min_positive = v;
        finite++;
    }
    bool negative = finite > 0 && self->min < 0.0;
    if (mode == PLOT_SCALE_LOG && negative) {
        char num[PLOT_SCALE_LABEL_BUF];
        plot_scale_format (self->min, num);
        return bsw_error_set (err, BSW_EINVAL,
                              "%s has values < 0 (smallest %s): it cannot be drawn on a log "
                              "scale; use a linear one",
                              name ? name : "the metric", num);
    }
    bool wide = !negative && self->min_positive > 0.0 &&
                log10 (self->max) - log10 (self->min_positive) >= PLOT_SCALE_AUTO_DECADES;
    self->log =
        mode == PLOT_SCALE_LOG || ((mode == PLOT_SCALE_AUTO || mode == PLOT_SCALE_DEFAULT) && wide);
    self->finite = finite;
    if (finite == 0)
        self->lo = self->hi = 0.0;
    else if (self->log && !(self->min_positive > 0.0))
        self->lo = self->hi = 0.0; /* only zeros: every value at the bottom */
    else if (self->log) {
        self->lo = log10 (self->min_positive);
        self->hi = log10 (self->max);
    } else {
        self->lo = self->min;
        self->hi = self->max;
    }
    return 0;
}

bool
plot_scale_valid (const plot_scale_t *self, double v)
{
    return isfinite (v) && (!self->log || v >= 0.0);
}

double
plot_scale_unit (const plot_scale_t *self, double v)
{
    if (!plot_scale_valid (self, v))
        return NAN;
    if (!(self->hi > self->lo) || (self->log && v <= 0.0))
        return 0.0;
    double t = self->log ? log10 (v) : v;
    double unit = (t - self->lo) / (self->hi - self->lo);
    return unit < 0.0 ? 0.0 : unit > 1.0 ? 1.0 : unit;
}

double
plot_scale_radius (const plot_scale_t *self, double v, double rmin, double rmax)
{
    double unit = plot_scale_unit (self, v);
    return isnan (unit) ? NAN : rmin + unit * (rmax - rmin);
}

double
plot_scale_value_at (const plot_scale_t *self, double t)
{
    return self->log ? pow (10.0, t) : t;
}

//  1, 2 or 5 times a power of ten, the nearest such to x (in ratio).
static double
s_nice_step (double x)
{
    double p = pow (10.0, floor (log10 (x)));
    double f = x / p;
    return (f < 1.41 ? 1.0 : f < 3.16 ? 2.0 : f < 7.07 ? 5.0 : 10.0) * p;
}

size_t
plot_scale_ticks (const plot_scale_t *self, size_t want, double *ticks, size_t max)
{
    if (max > PLOT_SCALE_TICKS_MAX)
        max = PLOT_SCALE_TICKS_MAX;
    if (self->finite == 0 || max == 0)
        return 0;
    double span = self->hi - self->lo;
    if (!(span > 0.0)) {
        ticks[0] = self->lo;
        return 1;
    }
    if (want < 2)
        want = 2;
    double step = s_nice_step (span / (double) (want - 1));
    //  Decades only on a log scale when it spans several: labels 1e-20,
    //  1e-15, ... read better than 3.2e-17.
    if (self->log && step < 1.0 && span >= 1.0)
        step = 1.0;
    size_t n = 0;
    double first = ceil (self->lo / step - 1e-9) * step;
    for (double t = first; t <= self->hi + step * 1e-9; t += step) {
        if (n == max) {
            //  Too many: thin to every other one and carry on.
            size_t kept = 0;
            for (size_t i = 0; i < n; i += 2)
                ticks[kept++] = ticks[i];
            n = kept;
            step *= 2;
            t = ticks[n - 1];
            continue;
        }
        ticks[n++] = fabs (t) < step * 1e-9 ? 0.0 : t;
    }
    return n;
}

void
plot_scale_format (double value, char out[PLOT_SCALE_LABEL_BUF])
{
    plot_scale_format_digits (value, 4, out);
}

void
plot_scale_format_digits (double value, int digits, char out[PLOT_SCALE_LABEL_BUF])
{
    if (value == 0.0)
        value = 0.0; /* no "-0" */
    snprintf (out, PLOT_SCALE_LABEL_BUF, "%.*g", digits, value);
    //  "1e+00" reads as "1", and "1e+06" as "1e6".
    char *e = strchr (out, 'e');
    if (!e)
        return;
    char *d = e + 1;
    bool negative = *d == '-';
    if (*d == '+' || *d == '-')
        d++;
    while (*d == '0' && d[1])
        d++;
    if (strcmp (d, "0") == 0) {
        *e = '\0';
        return;
    }
    char exponent[PLOT_SCALE_LABEL_BUF];
    snprintf (exponent, sizeof exponent, "%s%s", negative ? "-" : "", d);
    snprintf (e + 1, PLOT_SCALE_LABEL_BUF - (size_t) (e + 1 - out), "%s", exponent);
}

void
plot_scale_label (const plot_scale_t *self, double t, char out[PLOT_SCALE_LABEL_BUF])
{
    if (self->log && fabs (t - round (t)) < 1e-9) {
        int exponent = (int) round (t);
        if (exponent == 0)
            snprintf (out, PLOT_SCALE_LABEL_BUF, "1");
        else if (exponent == 1)
            snprintf (out, PLOT_SCALE_LABEL_BUF, "10");
        else
            snprintf (out, PLOT_SCALE_LABEL_BUF, "1e%d", exponent);
        return;
    }
    plot_scale_format (plot_scale_value_at (self, t), out);
}
