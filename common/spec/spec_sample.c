/*  spec_sample.c - the sweeps that are not grids (shared/spec/SWEEP-SPEC.md,
    "Sampling"): "sampling" over the ranges' lo and hi, and "points"
    listed one by one. Where the sampled points fall is spec_design.c's;
    here the spec's fields are read and checked, each error naming its
    field (spec_parse.h).
*/
#include "spec_parse.h"

#include "bsw_util.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

//  A count of points beyond the cap: a spec error, or BSW_ETOOBIG beyond a
//  caller's own cap (the spec is valid, only too big for this broker).
static int
s_too_many (spec_parser_t *p, const char *field, uint64_t n, uint64_t cap)
{
    int rc = spec_parse_fail (
        p, field, "%" PRIu64 " is more than the %" PRIu64 " points a sweep may have", n, cap);
    if (cap < SPEC_MAX_POINTS_HARD) {
        rc = BSW_ETOOBIG;
        if (p->err)
            p->err->code = rc;
    }
    return rc;
}

//  "sampling": {method, points, seed}. Parsed before the ranges, which it
//  turns into axes with bounds only.
int
spec_parse_sampling (spec_parser_t *p, const json_t *sampling)
{
    static const char *const keys[] = {"method", "points", "seed", NULL};
    static const spec_design_t designs[] = {SPEC_DESIGN_RANDOM, SPEC_DESIGN_LHS, SPEC_DESIGN_SOBOL};
    int rc = spec_parse_object (p, sampling, "sampling");
    if (!rc)
        rc = spec_parse_check_keys (p, sampling, "sampling", keys);
    if (rc)
        return rc;
    const json_t *method = json_object_get (sampling, "method");
    if (!method)
        return spec_parse_fail (p, "sampling.method", "missing (\"random\", \"lhs\" or \"sobol\")");
    const char *name = NULL;
    if ((rc = spec_parse_string (p, method, "sampling.method", &name)))
        return rc;
    spec_design_t design = SPEC_DESIGN_GRID;
    for (size_t i = 0; i < sizeof designs / sizeof designs[0]; i++)
        if (strcmp (name, spec_design_name (designs[i])) == 0)
            design = designs[i];
    if (design == SPEC_DESIGN_GRID)
        return spec_parse_fail (p, "sampling.method",
                                "\"%s\" is not one of \"random\", \"lhs\", \"sobol\"", name);
    const json_t *points = json_object_get (sampling, "points");
    if (!points)
        return spec_parse_fail (p, "sampling.points", "missing (how many points to sample)");
    json_int_t n = 0;
    if ((rc = spec_parse_integer (p, points, "sampling.points", INT64_MIN, INT64_MAX, &n)))
        return rc;
    if (n <= 0)
        return spec_parse_fail (p, "sampling.points", "%" JSON_INTEGER_FORMAT " is not positive",
                                n);
    uint64_t cap = p->max_points;
    if ((uint64_t) n > cap)
        return s_too_many (p, "sampling.points", (uint64_t) n, cap);
    if (design == SPEC_DESIGN_SOBOL && (uint64_t) n > SPEC_SOBOL_MAX_N)
        return spec_parse_fail (p, "sampling.points",
                                "%" JSON_INTEGER_FORMAT
                                " is more than the %u points of 30-bit Sobol",
                                n, SPEC_SOBOL_MAX_N);
    p->spec->n_samples = (uint64_t) n;
    p->spec->design_seed = p->spec->setup.seed;
    const json_t *seed = json_object_get (sampling, "seed");
    if (seed) {
        json_int_t v;
        if ((rc = spec_parse_integer (p, seed, "sampling.seed", 0, UINT32_MAX, &v)))
            return rc;
        p->spec->design_seed = (uint32_t) v;
    }
    p->spec->design = design;
    return BSW_OK;
}

//  One entry of "ranges" in a sampled sweep: {parameter, lo, hi}.
static int
s_parse_axis (spec_parser_t *p, const json_t *item, size_t r)
{
    char field[SPEC_PATH_MAX], sub[SPEC_PATH_MAX];
    const char *name = NULL;
    int rc = spec_parse_range_head (p, item, r, field, &name);
    if (rc)
        return rc;
    const char *extra = json_object_get (item, "step") ? "step" : "values";
    if (json_object_get (item, extra))
        return spec_parse_fail (p, spec_parse_path (sub, field, extra),
                                "a sampled range takes only parameter, lo and hi");
    static const char *const names[] = {"lo", "hi"};
    double v[2];
    for (size_t i = 0; i < 2; i++) {
        const json_t *bound = json_object_get (item, names[i]);
        spec_parse_path (sub, field, names[i]);
        if (!bound)
            return spec_parse_fail (p, sub, "missing (a sampled range takes lo and hi)");
        if ((rc = spec_parse_number (p, bound, sub, &v[i])))
            return rc;
    }
    if (!(v[1] > v[0])) {
        char hi[SPEC_SHOW_MAX + 8], lo[SPEC_SHOW_MAX + 8];
        spec_parse_show (json_object_get (item, "hi"), hi, sizeof hi);
        spec_parse_show (json_object_get (item, "lo"), lo, sizeof lo);
        return spec_parse_fail (p, spec_parse_path (sub, field, "hi"),
                                "%s is not above lo %s (empty range)", hi, lo);
    }
    //  A point is lo + (hi - lo) u: a width that overflows would make every
    //  point the same or NaN.
    if (!isfinite (v[1] - v[0]))
        return spec_parse_fail (p, field,
                                "hi - lo overflows a double (the box is too wide to sample)");
    rc = spec_axis_add (p->spec, name, v[0], v[1], field, p->err);
    if (rc)
        bsw_error_prefix (p->err, "%s", p->label);
    return rc;
}

int
spec_parse_axes (spec_parser_t *p, const json_t *ranges)
{
    size_t n = json_array_size (ranges);
    if (n == 0)
        return spec_parse_fail (p, "ranges", "[] is empty (sampling needs a range to sample)");
    if (p->spec->design == SPEC_DESIGN_SOBOL && n > SPEC_SOBOL_MAX_DIMS)
        return spec_parse_fail (p, "ranges",
                                "%zu ranges: sobol sampling has direction numbers for at most %d",
                                n, SPEC_SOBOL_MAX_DIMS);
    for (size_t r = 0; r < n; r++) {
        int rc = s_parse_axis (p, json_array_get (ranges, r), r);
        if (rc)
            return rc;
    }
    return BSW_OK;
}

//  "points": [{param: value, ...}, ...]: the first point names the axes,
//  in its order, and every point names the same ones.
int
spec_parse_points (spec_parser_t *p, const json_t *points)
{
    if (!json_is_array (points))
        return spec_parse_wrong_type (p, "points", points, "an array");
    size_t n = json_array_size (points);
    if (n == 0)
        return spec_parse_fail (p, "points", "[] is empty");
    if (n > p->max_points)
        return s_too_many (p, "points", n, p->max_points);
    const json_t *first = json_array_get (points, 0);
    int rc = spec_parse_object (p, first, "points[0]");
    if (rc)
        return rc;
    if (json_object_size (first) == 0)
        return spec_parse_fail (p, "points[0]", "{} names no parameter");
    spec_t *spec = p->spec;
    spec->design = SPEC_DESIGN_POINTS;
    const char *key;
    const json_t *value;
    char field[SPEC_PATH_MAX];
    json_object_foreach ((json_t *) first, key, value)
    {
        //  Checks the name (rangeable, as a range's parameter) and the
        //  first value; the loop below checks every value.
        double v = 0.0;
        spec_parse_pathf (field, "points[0].%s", key);
        if ((rc = spec_parse_number (p, value, field, &v)))
            return rc;
        if ((rc = spec_axis_add (spec, key, v, v, field, p->err))) {
            bsw_error_prefix (p->err, "%s", p->label);
            return rc;
        }
    }
    size_t d = spec->n_ranges;
    spec->listed = bsw_malloc (n * d * sizeof *spec->listed);
    spec->n_listed = n;
    sim_setup_t probe = spec->setup;
    for (size_t i = 0; i < n; i++) {
        const json_t *point = json_array_get (points, i);
        spec_parse_pathf (field, "points[%zu]", i);
        if ((rc = spec_parse_object (p, point, field)))
            return rc;
        for (size_t r = 0; r < d; r++) {
            const char *axis = spec->ranges[r].parameter;
            const json_t *v = json_object_get (point, axis);
            if (!v)
                return spec_parse_fail (
                    p, field, "has no \"%s\" (every point names the parameters of points[0])",
                    axis);
            char sub[SPEC_PATH_MAX];
            spec_parse_pathf (sub, "points[%zu].%s", i, axis);
            double *slot = &spec->listed[i * d + r];
            if ((rc = spec_parse_number (p, v, sub, slot)))
                return rc;
            bsw_error_t why;
            if (spec_setup_set (&probe, axis, *slot, &why))
                return spec_parse_fail (p, sub, "%s", why.text);
            if (i == 0 || *slot < spec->ranges[r].lo)
                spec->ranges[r].lo = *slot;
            if (i == 0 || *slot > spec->ranges[r].hi)
                spec->ranges[r].hi = *slot;
        }
        if (json_object_size (point) != d)
            json_object_foreach ((json_t *) point, key, value)
            {
                bool known = false;
                for (size_t r = 0; r < d && !known; r++)
                    known = strcmp (key, spec->ranges[r].parameter) == 0;
                if (!known)
                    return spec_parse_fail (
                        p, field,
                        "\"%s\" is not named by points[0] (every point names the same parameters)",
                        key);
            }
    }
    return BSW_OK;
}
