/*  spec_range.c - the sweep axes of a spec: TVB's Range value lists, ranges
    given on the command line, and the setup of each sweep point.

    The value list of lo/hi/step follows TVB.md 7.3 to the bit (numpy's
    arange fill rule), because the parameter values of a point are part of
    its identity: I = -5 + 15*0.4 must come out as 1.0000000000000053, as in
    TVB, or our points would not line up with TVB's grid.

    Points are numbered row-major over the ranges in order (first range
    outermost, last fastest), as TVB creates its operations (param1 outer).
    Every range is checked when it is added (parameter rangeable, every
    value valid for it, the sweep within SPEC_MAX_POINTS_HARD), so building
    a point's setup later cannot fail on a value.
*/
#include "spec.h"

#include "bsw_assert.h"
#include "bsw_util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The rangeable names besides model.<param> and coupling.<param> (TVB.md 7.2).
#define SPEC_MODEL_PREFIX    "model."
#define SPEC_COUPLING_PREFIX "coupling."

static void
s_rangeable_list (const sim_setup_t *setup, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    const sim_model_desc_t *model = setup->model;
    const sim_coupling_desc_t *coupling = setup->coupling;
    for (size_t i = 0; i < model->n_params && used < size; i++)
        used += (size_t) snprintf (buf + used, size - used, "model.%s, ", model->params[i].name);
    for (size_t i = 0; i < coupling->n_params && used < size; i++)
        used +=
            (size_t) snprintf (buf + used, size - used, "coupling.%s, ", coupling->params[i].name);
    if (used < size)
        snprintf (buf + used, size - used, "conduction_speed, integrator.noise.nsig");
}

//  What a rangeable name sets (TVB.md 7.2).
typedef enum {
    S_MODEL,    //  model.<param>: params[index], any finite value
    S_COUPLING, //  coupling.<param>: coupling_params[index], any finite value
    S_SPEED,    //  conduction_speed > 0
    S_NSIG,     //  integrator.noise.nsig >= 0, every state variable
} s_target_t;

//  Resolves a rangeable name against a setup; the text on failure has no
//  prefix, so callers can name the field or argument.
static int
s_lookup (const sim_setup_t *setup, const char *parameter, s_target_t *target, int *index,
          bsw_error_t *err)
{
    *index = -1;
    if (strncmp (parameter, SPEC_MODEL_PREFIX, strlen (SPEC_MODEL_PREFIX)) == 0) {
        *index = sim_model_param_index (setup->model, parameter + strlen (SPEC_MODEL_PREFIX));
        *target = S_MODEL;
        if (*index >= 0)
            return BSW_OK;
    } else if (strncmp (parameter, SPEC_COUPLING_PREFIX, strlen (SPEC_COUPLING_PREFIX)) == 0) {
        *index =
            sim_coupling_param_index (setup->coupling, parameter + strlen (SPEC_COUPLING_PREFIX));
        *target = S_COUPLING;
        if (*index >= 0)
            return BSW_OK;
    } else if (strcmp (parameter, "conduction_speed") == 0) {
        *target = S_SPEED;
        return BSW_OK;
    } else if (strcmp (parameter, "integrator.noise.nsig") == 0) {
        *target = S_NSIG;
        //  A deterministic run would ignore it: every point the same.
        if (setup->integrator != SIM_INTEGRATOR_HEUN_STOCHASTIC)
            return bsw_error_set (err, BSW_ESPEC,
                                  "integrator.noise.nsig needs integrator.type HeunStochastic");
        return BSW_OK;
    }
    char names[768];
    s_rangeable_list (setup, names, sizeof names);
    return bsw_error_set (err, BSW_ESPEC, "unknown parameter \"%s\" (rangeable: %s)", parameter,
                          names);
}

int
spec_setup_set (sim_setup_t *setup, const char *parameter, double value, bsw_error_t *err)
{
    s_target_t target;
    int index;
    int rc = s_lookup (setup, parameter, &target, &index, err);
    if (rc)
        return rc;
    char num[BSW_DOUBLE_BUF];
    //  Model functions see these values in every step: a NaN or an infinity
    //  would only surface as a failed point much later.
    if (!isfinite (value))
        return bsw_error_set (err, BSW_ESPEC, "%s is not finite (%s)",
                              bsw_format_double (value, num), parameter);
    switch (target) {
    case S_MODEL:
        setup->params[index] = value;
        break;
    case S_COUPLING:
        setup->coupling_params[index] = value;
        break;
    case S_SPEED:
        //  Delays are tract_length / speed: zero or negative has no meaning.
        if (!(value > 0))
            return bsw_error_set (err, BSW_ESPEC, "%s is not positive (conduction_speed)",
                                  bsw_format_double (value, num));
        setup->conduction_speed = value;
        break;
    case S_NSIG:
        //  gfun = sqrt(2 nsig) (TVB.md 3.4).
        if (value < 0)
            return bsw_error_set (err, BSW_ESPEC, "%s is negative (integrator.noise.nsig)",
                                  bsw_format_double (value, num));
        for (size_t i = 0; i < SIM_MAX_STATE; i++)
            setup->nsig[i] = value;
        break;
    }
    return BSW_OK;
}

uint64_t
spec_range_count (double lo, double hi, double step)
{
    if (!isfinite (lo) || !isfinite (hi) || !isfinite (step) || !(step > 0) || !(hi > lo))
        return 0;
    //  TVB.md 7.3 step 1: a step wider than the range gives just [lo].
    if (fabs (hi - lo) <= fabs (step))
        return 1;
    //  Step 2, in double like numpy; hi is excluded only up to rounding, so
    //  (0.1, 0.4, 0.1) gives 4 values. hi - lo may overflow to infinity.
    double count = ceil ((hi - lo) / step);
    if (!(count < 18446744073709551615.0))
        return UINT64_MAX;
    return count < 1 ? 1 : (uint64_t) count;
}

int
spec_range_expand (double lo, double hi, double step, const char *field, double **values,
                   size_t *n_values, bsw_error_t *err)
{
    char a[BSW_DOUBLE_BUF], b[BSW_DOUBLE_BUF], c[BSW_DOUBLE_BUF];
    *values = NULL;
    *n_values = 0;
    if (!isfinite (lo) || !isfinite (hi) || !isfinite (step))
        return bsw_error_set (err, BSW_ESPEC, "%s: lo %s, hi %s, step %s: not all finite", field,
                              bsw_format_double (lo, a), bsw_format_double (hi, b),
                              bsw_format_double (step, c));
    if (!(step > 0))
        return bsw_error_set (err, BSW_ESPEC, "%s: step %s is not positive", field,
                              bsw_format_double (step, a));
    //  TVB gives [] for hi < lo and numpy fails for hi == lo: both are
    //  mistakes in a sweep, not an axis of zero points.
    if (!(hi > lo))
        return bsw_error_set (err, BSW_ESPEC, "%s: empty range: hi %s is not above lo %s", field,
                              bsw_format_double (hi, a), bsw_format_double (lo, b));
    //  Counted before anything is allocated: the cap refuses at once.
    uint64_t count = spec_range_count (lo, hi, step);
    if (count > SPEC_MAX_POINTS_HARD)
        return bsw_error_set (
            err, BSW_ESPEC, "%s: lo %s, hi %s, step %s give %.0f values, more than %llu", field,
            bsw_format_double (lo, a), bsw_format_double (hi, b), bsw_format_double (step, c),
            ceil ((hi - lo) / step), (unsigned long long) SPEC_MAX_POINTS_HARD);
    //  TVB.md 7.3 step 1: a step wider than the range gives just [lo].
    if (fabs (hi - lo) <= fabs (step))
        step = fabs (hi - lo);
    size_t n = (size_t) count;
    double *v = bsw_malloc (n * sizeof *v);
    //  Step 3, numpy's fill rule: the first two values directly, the rest
    //  from delta = v1 - v0, each as one multiply and one add (ISO C mode
    //  keeps the compiler from fusing them, which would change the bits).
    v[0] = lo;
    if (n > 1)
        v[1] = lo + step;
    double delta = (lo + step) - lo;
    for (size_t i = 2; i < n; i++)
        v[i] = lo + (double) i * delta;
    *values = v;
    *n_values = n;
    return BSW_OK;
}

int
spec_range_add (spec_t *self, const spec_range_t *range, bool replace, const char *field,
                bsw_error_t *err)
{
    if (range->n_values == 0)
        return bsw_error_set (err, BSW_ESPEC, "%s: no values", field);
    if (self->design != SPEC_DESIGN_GRID)
        return bsw_error_set (err, BSW_ESPEC,
                              "%s: the sweep's points are %s, not a grid of range values", field,
                              self->design == SPEC_DESIGN_POINTS ? "listed" : "sampled");
    s_target_t target;
    int index;
    int rc = s_lookup (&self->setup, range->parameter, &target, &index, err);
    if (rc) {
        bsw_error_prefix (err, "%s", field);
        return rc;
    }
    size_t slot = self->n_ranges;
    for (size_t r = 0; r < self->n_ranges; r++)
        if (strcmp (self->ranges[r].parameter, range->parameter) == 0) {
            if (!replace)
                return bsw_error_set (err, BSW_ESPEC, "%s: %s is already ranged by ranges[%zu]",
                                      field, range->parameter, r);
            slot = r;
        }
    //  Product of the sizes with this range in its slot, checked before each
    //  multiplication so it cannot overflow.
    uint64_t total = 1;
    for (size_t r = 0; r <= self->n_ranges; r++) {
        if (r == self->n_ranges && slot != self->n_ranges)
            break;
        uint64_t n = r == slot ? range->n_values : self->ranges[r].n_values;
        if (total > SPEC_MAX_POINTS_HARD / n)
            return bsw_error_set (err, BSW_ESPEC,
                                  "%s: %zu values make the sweep more than %llu points", field,
                                  range->n_values, (unsigned long long) SPEC_MAX_POINTS_HARD);
        total *= n;
    }
    //  Every value goes through the same setter a point uses later, so a
    //  point's setup cannot fail once the sweep is accepted.
    sim_setup_t probe = self->setup;
    for (size_t i = 0; i < range->n_values; i++) {
        //  Values from lo/hi/step grow from lo and stay finite below hi,
        //  and every domain is a lower bound: the first and last values
        //  stand for all of them, so a long axis costs no more to check.
        if (range->from_lohistep && i > 0 && i + 1 < range->n_values)
            i = range->n_values - 1;
        rc = spec_setup_set (&probe, range->parameter, range->values[i], err);
        if (rc) {
            //  Values from lo/hi/step only grow from lo, and every domain
            //  is a lower bound, so only lo itself can fail.
            if (range->from_lohistep && i == 0)
                bsw_error_prefix (err, "%s: lo", field);
            else if (range->n_values > 1)
                bsw_error_prefix (err, "%s: values[%zu]", field, i);
            else
                bsw_error_prefix (err, "%s", field);
            return rc;
        }
    }
    spec_range_t copy = *range;
    copy.parameter = bsw_strdup (range->parameter);
    copy.values = bsw_malloc (range->n_values * sizeof *copy.values);
    memcpy (copy.values, range->values, range->n_values * sizeof *copy.values);
    if (slot == self->n_ranges) {
        self->ranges = bsw_realloc (self->ranges, (self->n_ranges + 1) * sizeof *self->ranges);
        self->n_ranges++;
    } else {
        free (self->ranges[slot].parameter);
        free (self->ranges[slot].values);
    }
    self->ranges[slot] = copy;
    return BSW_OK;
}

//  Parses one number of a --range argument; the whole token must be used.
static int
s_parse_number (const char *start, size_t len, const char *arg, double *out, bsw_error_t *err)
{
    char token[64];
    if (len == 0 || len >= sizeof token)
        return bsw_error_set (err, BSW_ESPEC, "--range %s: \"%.*s\" is not a number", arg,
                              (int) (len < 60 ? len : 60), start);
    memcpy (token, start, len);
    token[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod (token, &end);
    if (*end != '\0')
        return bsw_error_set (err, BSW_ESPEC, "--range %s: \"%s\" is not a number", arg, token);
    if (errno == ERANGE)
        return bsw_error_set (err, BSW_ESPEC, "--range %s: \"%s\" is out of range", arg, token);
    if (!isfinite (v))
        return bsw_error_set (err, BSW_ESPEC, "--range %s: \"%s\" is not finite", arg, token);
    *out = v;
    return BSW_OK;
}

//  Splits the text after '=' into numbers at `sep`; returns the count or an
//  error. values must hold max entries.
static int
s_parse_list (const char *text, char sep, const char *arg, double *values, size_t max,
              size_t *count, bsw_error_t *err)
{
    size_t n = 0;
    const char *p = text;
    for (;;) {
        const char *end = strchr (p, sep);
        size_t len = end ? (size_t) (end - p) : strlen (p);
        if (n == max)
            return bsw_error_set (err, BSW_ESPEC, "--range %s: more than %zu values", arg, max);
        int rc = s_parse_number (p, len, arg, &values[n], err);
        if (rc)
            return rc;
        n++;
        if (!end)
            break;
        p = end + 1;
    }
    *count = n;
    return BSW_OK;
}

int
spec_add_range_arg (spec_t *self, const char *arg, bsw_error_t *err)
{
    const char *eq = strchr (arg, '=');
    if (!eq || eq == arg || eq[1] == '\0')
        return bsw_error_set (err, BSW_ESPEC,
                              "--range %s: expected PARAM=lo:hi:step or PARAM=v1,v2,...", arg);
    char field[BSW_ERROR_TEXT_MAX / 2];
    snprintf (field, sizeof field, "--range %s", arg);
    spec_range_t range = {0};
    range.parameter = bsw_strdup (arg);
    range.parameter[eq - arg] = '\0';
    const char *rhs = eq + 1;
    int rc;
    if (strchr (rhs, ':')) {
        double triple[3];
        size_t n = 0;
        rc = s_parse_list (rhs, ':', arg, triple, 3, &n, err);
        if (!rc && n != 3)
            rc = bsw_error_set (err, BSW_ESPEC, "--range %s: expected lo:hi:step", arg);
        if (!rc)
            rc = spec_range_expand (triple[0], triple[1], triple[2], field, &range.values,
                                    &range.n_values, err);
        range.from_lohistep = true;
        range.lo = triple[0];
        range.hi = triple[1];
        range.step = triple[2];
    } else {
        //  One value per comma-separated field, so the count is known first.
        size_t max = 1;
        for (const char *p = rhs; *p; p++)
            max += *p == ',';
        range.values = bsw_malloc (max * sizeof *range.values);
        rc = s_parse_list (rhs, ',', arg, range.values, max, &range.n_values, err);
    }
    if (!rc)
        rc = spec_range_add (self, &range, true, field, err);
    free (range.parameter);
    free (range.values);
    return rc;
}

int
spec_axis_add (spec_t *self, const char *parameter, double lo, double hi, const char *field,
               bsw_error_t *err)
{
    BSW_ASSERT (self->design != SPEC_DESIGN_GRID);
    s_target_t target;
    int index;
    int rc = s_lookup (&self->setup, parameter, &target, &index, err);
    if (rc) {
        bsw_error_prefix (err, "%s", field);
        return rc;
    }
    for (size_t r = 0; r < self->n_ranges; r++)
        if (strcmp (self->ranges[r].parameter, parameter) == 0)
            return bsw_error_set (err, BSW_ESPEC, "%s: %s is already an axis (ranges[%zu])", field,
                                  parameter, r);
    //  Every domain is a lower bound, so lo stands for every value above it.
    sim_setup_t probe = self->setup;
    if ((rc = spec_setup_set (&probe, parameter, lo, err)) ||
        (rc = spec_setup_set (&probe, parameter, hi, err))) {
        bsw_error_prefix (err, "%s", field);
        return rc;
    }
    self->ranges = bsw_realloc (self->ranges, (self->n_ranges + 1) * sizeof *self->ranges);
    self->ranges[self->n_ranges++] =
        (spec_range_t){.parameter = bsw_strdup (parameter), .lo = lo, .hi = hi};
    return BSW_OK;
}

uint64_t
spec_points (const spec_t *self)
{
    if (self->design == SPEC_DESIGN_POINTS)
        return self->n_listed;
    if (self->design != SPEC_DESIGN_GRID)
        return self->n_samples;
    //  spec_range_add keeps the product within SPEC_MAX_POINTS_HARD.
    uint64_t total = 1;
    for (size_t r = 0; r < self->n_ranges; r++)
        total *= self->ranges[r].n_values;
    return total;
}

bool
spec_is_grid (const spec_t *self)
{
    return self->design == SPEC_DESIGN_GRID;
}

void
spec_point_values (const spec_t *self, uint64_t k, double *values)
{
    BSW_ASSERT (k < spec_points (self));
    for (size_t r = 0; r < self->n_ranges; r++) {
        const spec_range_t *range = &self->ranges[r];
        switch (self->design) {
        case SPEC_DESIGN_GRID: {
            uint64_t below = 1;
            for (size_t q = r + 1; q < self->n_ranges; q++)
                below *= self->ranges[q].n_values;
            values[r] = range->values[k / below % range->n_values];
            break;
        }
        case SPEC_DESIGN_POINTS:
            values[r] = self->listed[k * self->n_ranges + r];
            break;
        default:
            values[r] = spec_design_value (self->design, self->design_seed, self->n_samples, k, r,
                                           range->lo, range->hi);
            break;
        }
    }
}

void
spec_point_coords (const spec_t *self, uint64_t k, size_t *coords)
{
    BSW_ASSERT (self->design == SPEC_DESIGN_GRID);
    //  Row-major: the last range varies fastest.
    for (size_t r = self->n_ranges; r-- > 0;) {
        uint64_t n = self->ranges[r].n_values;
        coords[r] = (size_t) (k % n);
        k /= n;
    }
}

int
spec_point_setup (const spec_t *self, uint64_t k, sim_setup_t *out, bsw_error_t *err)
{
    uint64_t points = spec_points (self);
    if (k >= points)
        return bsw_error_set (err, BSW_EINVAL, "point %llu is out of range (the sweep has %llu)",
                              (unsigned long long) k, (unsigned long long) points);
    *out = self->setup;
    out->point_index = k;
    double stack[16];
    double *values = self->n_ranges <= 16 ? stack : bsw_malloc (self->n_ranges * sizeof *values);
    spec_point_values (self, k, values);
    int rc = BSW_OK;
    for (size_t r = 0; rc == 0 && r < self->n_ranges; r++)
        rc = spec_setup_set (out, self->ranges[r].parameter, values[r], err);
    if (values != stack)
        free (values);
    return rc;
}
