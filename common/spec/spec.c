/*  spec.c - reads and validates a JSON simulation and sweep spec
    (shared/spec/SWEEP-SPEC.md) into a base sim_setup_t plus its ranges.

    The spec starts from TVB's defaults (sim_setup_defaults) and each field
    given overrides one of them. Everything is checked here, before anything
    runs: types (a number must be a JSON number, an integer a JSON integer),
    domains (dt > 0, nsig >= 0, ...), fields that depend on each other (the
    monitor period against dt and the simulation length), and unknown keys
    at every level, so a typo cannot silently run a default.

    Sections are read in a fixed order (model before initial_conditions,
    integrator before ranges) because later checks depend on earlier
    values; the order of keys in the file does not matter. Every error names
    the source, the field path and the value:
        "spec.json: integrator.dt: -0.1 is not positive".
    The range axes themselves are built and checked in spec_range.c;
    "sampling" and "points" are read in spec_sample.c, through the checks
    spec_parse.h shares.
*/
#include "sim_run.h"
#include "spec_parse.h"

#include "bsw_util.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
spec_parse_fail (spec_parser_t *p, const char *field, const char *fmt, ...)
{
    char text[BSW_ERROR_TEXT_MAX];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (text, sizeof text, fmt, ap);
    va_end (ap);
    if (field && *field)
        return bsw_error_set (p->err, BSW_ESPEC, "%s: %s: %s", p->label, field, text);
    return bsw_error_set (p->err, BSW_ESPEC, "%s: %s", p->label, text);
}

//  The value as the user wrote it, short enough for one line of error.
void
spec_parse_show (const json_t *value, char *buf, size_t size)
{
    if (json_is_real (value)) {
        char num[BSW_DOUBLE_BUF];
        snprintf (buf, size, "%s", bsw_format_double (json_real_value (value), num));
        return;
    }
    char *text = json_dumps (value, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!text) {
        snprintf (buf, size, "(value)");
        return;
    }
    if (strlen (text) > SPEC_SHOW_MAX)
        snprintf (buf, size, "%.*s...", SPEC_SHOW_MAX - 3, text);
    else
        snprintf (buf, size, "%s", text);
    free (text);
}

static const char *
s_kind (const json_t *value)
{
    switch (json_typeof (value)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        break;
    }
    return "a value";
}

int
spec_parse_wrong_type (spec_parser_t *p, const char *field, const json_t *value,
                       const char *expected)
{
    if (json_is_null (value))
        return spec_parse_fail (p, field, "null is not allowed; %s is expected", expected);
    char shown[SPEC_SHOW_MAX + 8];
    spec_parse_show (value, shown, sizeof shown);
    return spec_parse_fail (p, field, "%s is %s; %s is expected", shown, s_kind (value), expected);
}

//  Formats a field path into buf[SPEC_PATH_MAX]; a path cut short by a huge
//  key still names the place well enough.
const char *
spec_parse_pathf (char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (buf, SPEC_PATH_MAX, fmt, ap);
    va_end (ap);
    return buf;
}

//  "parent.key", or "key" at the top level.
const char *
spec_parse_path (char *buf, const char *parent, const char *key)
{
    return spec_parse_pathf (buf, "%s%s%s", parent, *parent ? "." : "", key);
}

//  Every key of obj must be in `allowed` (NULL-terminated).
//  Appends name to a comma-separated list in buf ("a" then "a, b"),
//  truncated at size: the "expected one of ..." of an error.
static void
s_list_add (char *buf, size_t size, const char *name)
{
    size_t used = strlen (buf);
    if (used + 1 < size)
        snprintf (buf + used, size - used, "%s%s", used ? ", " : "", name);
}

int
spec_parse_check_keys (spec_parser_t *p, const json_t *obj, const char *path,
                       const char *const *allowed)
{
    const char *key;
    json_t *value;
    json_object_foreach ((json_t *) obj, key, value)
    {
        size_t i = 0;
        while (allowed[i] && strcmp (allowed[i], key) != 0)
            i++;
        if (allowed[i])
            continue;
        char list[256] = "";
        for (size_t j = 0; allowed[j]; j++)
            s_list_add (list, sizeof list, allowed[j]);
        char field[SPEC_PATH_MAX];
        return spec_parse_fail (p, spec_parse_path (field, path, key),
                                "unknown field (expected one of %s)", list);
    }
    return BSW_OK;
}

int
spec_parse_object (spec_parser_t *p, const json_t *value, const char *path)
{
    return json_is_object (value) ? BSW_OK : spec_parse_wrong_type (p, path, value, "an object");
}

int
spec_parse_string (spec_parser_t *p, const json_t *value, const char *path, const char **out)
{
    if (!json_is_string (value))
        return spec_parse_wrong_type (p, path, value, "a string");
    *out = json_string_value (value);
    return BSW_OK;
}

int
spec_parse_number (spec_parser_t *p, const json_t *value, const char *path, double *out)
{
    if (!json_is_number (value))
        return spec_parse_wrong_type (p, path, value, "a number");
    double v = json_number_value (value);
    //  jansson refuses 1e999 while parsing; this keeps the promise anyway.
    if (!isfinite (v)) {
        char num[BSW_DOUBLE_BUF];
        return spec_parse_fail (p, path, "%s is not finite", bsw_format_double (v, num));
    }
    *out = v;
    return BSW_OK;
}

//  value > 0 (or >= 0 when zero_ok); the message quotes the value as written.
static int
s_bounded (spec_parser_t *p, const json_t *value, const char *path, bool zero_ok, double *out)
{
    double v = 0;
    int rc = spec_parse_number (p, value, path, &v);
    if (rc)
        return rc;
    if (zero_ok ? v < 0 : !(v > 0)) {
        char shown[SPEC_SHOW_MAX + 8];
        spec_parse_show (value, shown, sizeof shown);
        return spec_parse_fail (p, path, "%s is %s", shown, zero_ok ? "negative" : "not positive");
    }
    *out = v;
    return BSW_OK;
}

static int
s_positive (spec_parser_t *p, const json_t *value, const char *path, double *out)
{
    return s_bounded (p, value, path, false, out);
}

static int
s_non_negative (spec_parser_t *p, const json_t *value, const char *path, double *out)
{
    return s_bounded (p, value, path, true, out);
}

//  A JSON integer within [lo, hi]; 4.0 is refused too, as the spec says
//  integers are JSON integers.
int
spec_parse_integer (spec_parser_t *p, const json_t *value, const char *path, json_int_t lo,
                    json_int_t hi, json_int_t *out)
{
    if (!json_is_integer (value)) {
        if (json_is_real (value)) {
            char shown[SPEC_SHOW_MAX + 8];
            spec_parse_show (value, shown, sizeof shown);
            return spec_parse_fail (p, path, "%s is not an integer", shown);
        }
        return spec_parse_wrong_type (p, path, value, "an integer");
    }
    json_int_t v = json_integer_value (value);
    if (v < lo || v > hi)
        return spec_parse_fail (p, path,
                                "%" JSON_INTEGER_FORMAT " is out of range (%" JSON_INTEGER_FORMAT
                                " to %" JSON_INTEGER_FORMAT ")",
                                v, lo, hi);
    *out = v;
    return BSW_OK;
}

static int
s_parse_connectivity (spec_parser_t *p, const json_t *value)
{
    const char *path = NULL;
    int rc = spec_parse_string (p, value, "connectivity", &path);
    if (rc)
        return rc;
    if (*path == '\0')
        return spec_parse_fail (p, "connectivity", "\"\" is empty (give \"default\" or a path)");
    if (strcmp (path, "default") == 0)
        return BSW_OK;
    //  Where the path may lead: outside the spec's folder when it is
    //  absolute or climbs with a ".." component.
    p->spec->connectivity_outside = path[0] == '/';
    for (const char *c = path; *c && !p->spec->connectivity_outside;) {
        size_t len = strcspn (c, "/");
        p->spec->connectivity_outside = len == 2 && c[0] == '.' && c[1] == '.';
        c += len;
        c += *c == '/';
    }
    //  Relative to the spec's folder, so a spec and its zip travel together.
    if (path[0] == '/' || !p->base_dir || !*p->base_dir) {
        p->spec->connectivity = bsw_strdup (path);
        return BSW_OK;
    }
    size_t dir_len = strlen (p->base_dir);
    bool slash = p->base_dir[dir_len - 1] == '/';
    size_t size = dir_len + strlen (path) + 2;
    p->spec->connectivity = bsw_malloc (size);
    snprintf (p->spec->connectivity, size, "%s%s%s", p->base_dir, slash ? "" : "/", path);
    return BSW_OK;
}

static int
s_parse_parameters (spec_parser_t *p, const json_t *params)
{
    int rc = spec_parse_object (p, params, "model.parameters");
    if (rc)
        return rc;
    const sim_model_desc_t *model = p->spec->setup.model;
    const char *key;
    json_t *value;
    json_object_foreach ((json_t *) params, key, value)
    {
        char field[SPEC_PATH_MAX];
        spec_parse_path (field, "model.parameters", key);
        int index = sim_model_param_index (model, key);
        if (index < 0) {
            char list[256] = "";
            for (size_t i = 0; i < model->n_params; i++)
                s_list_add (list, sizeof list, model->params[i].name);
            return spec_parse_fail (p, field, "unknown parameter of %s (expected one of %s)",
                                    model->name, list);
        }
        rc = spec_parse_number (p, value, field, &p->spec->setup.params[index]);
        if (rc)
            return rc;
    }
    return BSW_OK;
}

static int
s_parse_voi (spec_parser_t *p, const json_t *list)
{
    const char *path = "model.variables_of_interest";
    if (!json_is_array (list))
        return spec_parse_wrong_type (p, path, list, "an array");
    const sim_model_desc_t *model = p->spec->setup.model;
    char names[128] = "";
    for (size_t i = 0; i < model->n_voi; i++)
        s_list_add (names, sizeof names, model->voi_names[i]);
    size_t n = json_array_size (list);
    if (n == 0)
        return spec_parse_fail (p, path, "[] is empty (give at least one of %s)", names);
    if (n > SIM_MAX_VOI)
        return spec_parse_fail (p, path, "%zu variables, at most %d", n, SIM_MAX_VOI);
    sim_setup_t *setup = &p->spec->setup;
    for (size_t i = 0; i < n; i++) {
        char field[SPEC_PATH_MAX];
        spec_parse_pathf (field, "%s[%zu]", path, i);
        const char *name = NULL;
        int rc = spec_parse_string (p, json_array_get (list, i), field, &name);
        if (rc)
            return rc;
        int index = sim_model_voi_index (model, name);
        if (index < 0)
            return spec_parse_fail (
                p, field, "\"%s\" is not a variable of interest of %s (expected one of %s)", name,
                model->name, names);
        for (size_t j = 0; j < i; j++)
            if (setup->voi[j] == index)
                return spec_parse_fail (p, field, "\"%s\" is listed twice", name);
        setup->voi[i] = index;
    }
    setup->n_voi = n;
    return BSW_OK;
}

static int
s_parse_model (spec_parser_t *p, const json_t *model)
{
    static const char *const keys[] = {"type", "parameters", "variables_of_interest", NULL};
    int rc = spec_parse_object (p, model, "model");
    if (!rc)
        rc = spec_parse_check_keys (p, model, "model", keys);
    const json_t *type = json_object_get (model, "type");
    if (!rc && type) {
        const char *name = NULL;
        rc = spec_parse_string (p, type, "model.type", &name);
        const sim_model_desc_t *found = rc ? NULL : sim_model_find (name);
        if (!rc && !found) {
            char known[512] = "";
            for (size_t i = 0; sim_model_at (i); i++)
                s_list_add (known, sizeof known, sim_model_at (i)->name);
            return spec_parse_fail (
                p, "model.type", "\"%s\" is not a known model (expected one of %s)", name, known);
        }
        //  Another model brings its own parameter defaults and VOIs.
        if (!rc && found != p->spec->setup.model)
            sim_setup_set_model (&p->spec->setup, found);
    }
    const json_t *params = json_object_get (model, "parameters");
    if (!rc && params)
        rc = s_parse_parameters (p, params);
    const json_t *voi = json_object_get (model, "variables_of_interest");
    if (!rc && voi)
        rc = s_parse_voi (p, voi);
    return rc;
}

//  "type" first: another coupling brings its own parameters and defaults
//  (Difference's a is 0.1, not Linear's 2^-8).
static int
s_parse_coupling (spec_parser_t *p, const json_t *coupling)
{
    int rc = spec_parse_object (p, coupling, "coupling");
    if (rc)
        return rc;
    sim_setup_t *setup = &p->spec->setup;
    const json_t *type = json_object_get (coupling, "type");
    if (type) {
        const char *name = NULL;
        rc = spec_parse_string (p, type, "coupling.type", &name);
        if (rc)
            return rc;
        const sim_coupling_desc_t *found = sim_coupling_find (name);
        if (!found) {
            char known[256] = "";
            for (size_t i = 0; sim_coupling_at (i); i++)
                s_list_add (known, sizeof known, sim_coupling_at (i)->name);
            return spec_parse_fail (p, "coupling.type",
                                    "\"%s\" is not a known coupling (expected one of %s)", name,
                                    known);
        }
        if (found != setup->coupling)
            sim_setup_set_coupling (setup, found);
    }
    const sim_coupling_desc_t *cp = setup->coupling;
    const char *key;
    json_t *value;
    json_object_foreach ((json_t *) coupling, key, value)
    {
        if (strcmp (key, "type") == 0)
            continue;
        char field[SPEC_PATH_MAX];
        spec_parse_path (field, "coupling", key);
        int index = sim_coupling_param_index (cp, key);
        if (index < 0) {
            char list[128] = "type";
            for (size_t i = 0; i < cp->n_params; i++)
                s_list_add (list, sizeof list, cp->params[i].name);
            return spec_parse_fail (p, field, "unknown field of %s coupling (expected one of %s)",
                                    cp->name, list);
        }
        rc = spec_parse_number (p, value, field, &setup->coupling_params[index]);
        if (rc)
            return rc;
    }
    return BSW_OK;
}

//  nsig: one value for every state variable, or one per state variable.
static int
s_parse_nsig (spec_parser_t *p, const json_t *nsig)
{
    const char *path = "integrator.noise.nsig";
    sim_setup_t *setup = &p->spec->setup;
    size_t n_state = setup->model->n_state;
    if (json_is_number (nsig)) {
        double v;
        int rc = s_non_negative (p, nsig, path, &v);
        for (size_t i = 0; !rc && i < SIM_MAX_STATE; i++)
            setup->nsig[i] = v;
        return rc;
    }
    if (!json_is_array (nsig))
        return spec_parse_wrong_type (p, path, nsig, "a number or an array");
    if (json_array_size (nsig) != n_state) {
        char names[128] = "";
        for (size_t i = 0; i < n_state; i++)
            s_list_add (names, sizeof names, setup->model->state_names[i]);
        return spec_parse_fail (
            p, path, "%zu values; expected one number, or %zu (one per state variable of %s: %s)",
            json_array_size (nsig), n_state, setup->model->name, names);
    }
    for (size_t i = 0; i < n_state; i++) {
        char field[SPEC_PATH_MAX];
        spec_parse_pathf (field, "%s[%zu]", path, i);
        int rc = s_non_negative (p, json_array_get (nsig, i), field, &setup->nsig[i]);
        if (rc)
            return rc;
    }
    return BSW_OK;
}

static int
s_parse_integrator (spec_parser_t *p, const json_t *integrator)
{
    static const char *const keys[] = {"type", "dt", "noise", NULL};
    static const char *const noise_keys[] = {"nsig", NULL};
    sim_setup_t *setup = &p->spec->setup;
    int rc = spec_parse_object (p, integrator, "integrator");
    if (!rc)
        rc = spec_parse_check_keys (p, integrator, "integrator", keys);
    const json_t *type = json_object_get (integrator, "type");
    if (!rc && type) {
        const char *name = NULL;
        rc = spec_parse_string (p, type, "integrator.type", &name);
        if (!rc && strcmp (name, "HeunDeterministic") == 0)
            setup->integrator = SIM_INTEGRATOR_HEUN_DETERMINISTIC;
        else if (!rc && strcmp (name, "HeunStochastic") == 0)
            setup->integrator = SIM_INTEGRATOR_HEUN_STOCHASTIC;
        else if (!rc)
            return spec_parse_fail (
                p, "integrator.type",
                "\"%s\" is not supported (expected HeunDeterministic or HeunStochastic)", name);
    }
    const json_t *dt = json_object_get (integrator, "dt");
    if (!rc && dt)
        rc = s_positive (p, dt, "integrator.dt", &setup->dt);
    const json_t *noise = json_object_get (integrator, "noise");
    if (rc || !noise)
        return rc;
    //  Noise a deterministic run would ignore is a mistake worth reporting.
    if (setup->integrator != SIM_INTEGRATOR_HEUN_STOCHASTIC)
        return spec_parse_fail (
            p, "integrator.noise",
            "only HeunStochastic takes noise (integrator.type is HeunDeterministic)");
    rc = spec_parse_object (p, noise, "integrator.noise");
    if (!rc)
        rc = spec_parse_check_keys (p, noise, "integrator.noise", noise_keys);
    const json_t *nsig = json_object_get (noise, "nsig");
    if (!rc && nsig)
        rc = s_parse_nsig (p, nsig);
    return rc;
}

static int
s_parse_monitor (spec_parser_t *p, const json_t *monitor)
{
    static const char *const keys[] = {"type", "period", NULL};
    sim_setup_t *setup = &p->spec->setup;
    int rc = spec_parse_object (p, monitor, "monitor");
    if (!rc)
        rc = spec_parse_check_keys (p, monitor, "monitor", keys);
    const json_t *type = json_object_get (monitor, "type");
    if (!rc && type) {
        const char *name = NULL;
        rc = spec_parse_string (p, type, "monitor.type", &name);
        if (!rc && strcmp (name, "TemporalAverage") == 0)
            setup->monitor = SIM_MONITOR_TEMPORAL_AVERAGE;
        else if (!rc && strcmp (name, "SubSample") == 0)
            setup->monitor = SIM_MONITOR_SUBSAMPLE;
        else if (!rc && strcmp (name, "Raw") == 0)
            setup->monitor = SIM_MONITOR_RAW;
        else if (!rc)
            return spec_parse_fail (
                p, "monitor.type",
                "\"%s\" is not supported (expected TemporalAverage, SubSample or Raw)", name);
    }
    const json_t *period = json_object_get (monitor, "period");
    if (rc || !period)
        return rc;
    //  TVB forces Raw's period to dt; a period given for Raw was meant for
    //  another monitor, so say so instead of ignoring it.
    if (setup->monitor == SIM_MONITOR_RAW)
        return spec_parse_fail (p, "monitor.period", "Raw records every step and takes no period");
    return s_positive (p, period, "monitor.period", &setup->period);
}

static int
s_parse_metrics (spec_parser_t *p, const json_t *metrics)
{
    static const char *const keys[] = {"start_point", "segment", NULL};
    int rc = spec_parse_object (p, metrics, "metrics");
    if (!rc)
        rc = spec_parse_check_keys (p, metrics, "metrics", keys);
    const json_t *start = json_object_get (metrics, "start_point");
    if (!rc && start)
        rc = s_non_negative (p, start, "metrics.start_point", &p->spec->setup.metric_start_point);
    const json_t *segment = json_object_get (metrics, "segment");
    if (!rc && segment) {
        json_int_t v;
        rc = spec_parse_integer (p, segment, "metrics.segment", 1, INT32_MAX, &v);
        if (!rc)
            p->spec->setup.metric_segment = (int) v;
    }
    return rc;
}

//  initial_conditions: one array per state variable, all the same length;
//  stored [state][node]. The node count is checked against the
//  connectivity later (spec_check_nodes).
static int
s_parse_initial (spec_parser_t *p, const json_t *initial)
{
    const char *path = "initial_conditions";
    const sim_model_desc_t *model = p->spec->setup.model;
    const char *keys[SIM_MAX_STATE + 1] = {NULL};
    for (size_t s = 0; s < model->n_state; s++)
        keys[s] = model->state_names[s];
    int rc = spec_parse_object (p, initial, path);
    if (rc)
        return rc;
    const char *key;
    json_t *value;
    json_object_foreach ((json_t *) initial, key, value)
    {
        if (sim_model_state_index (model, key) >= 0)
            continue;
        char field[SPEC_PATH_MAX], list[128] = "";
        for (size_t s = 0; s < model->n_state; s++)
            s_list_add (list, sizeof list, model->state_names[s]);
        return spec_parse_fail (p, spec_parse_path (field, path, key),
                                "\"%s\" is not a state variable of %s (expected %s)", key,
                                model->name, list);
    }
    size_t n = 0;
    for (size_t s = 0; s < model->n_state; s++) {
        char field[SPEC_PATH_MAX];
        spec_parse_path (field, path, keys[s]);
        const json_t *list = json_object_get (initial, keys[s]);
        if (!list)
            return spec_parse_fail (p, field,
                                    "missing (give one value per node for every state variable)");
        if (!json_is_array (list))
            return spec_parse_wrong_type (p, field, list, "an array");
        if (json_array_size (list) == 0)
            return spec_parse_fail (p, field, "[] is empty (give one value per node)");
        if (s == 0) {
            n = json_array_size (list);
            p->spec->initial = bsw_malloc (model->n_state * n * sizeof (double));
            p->spec->n_initial = n;
        } else if (json_array_size (list) != n)
            return spec_parse_fail (p, field, "%zu values, but %s has %zu", json_array_size (list),
                                    keys[0], n);
        for (size_t i = 0; i < n; i++) {
            char item[SPEC_PATH_MAX];
            spec_parse_pathf (item, "%s[%zu]", field, i);
            rc =
                spec_parse_number (p, json_array_get (list, i), item, &p->spec->initial[s * n + i]);
            if (rc)
                return rc;
        }
    }
    p->spec->setup.initial = p->spec->initial;
    return BSW_OK;
}

//  Checks that need several fields: the monitor period against dt and the
//  length (TVB.md 6.1), and the step count.
static int
s_check_times (spec_parser_t *p)
{
    const sim_setup_t *setup = &p->spec->setup;
    char a[BSW_DOUBLE_BUF], b[BSW_DOUBLE_BUF];
    double steps = ceil (setup->simulation_length / setup->dt);
    if (!(steps <= (double) SPEC_MAX_STEPS))
        return spec_parse_fail (
            p, "simulation_length", "%s needs more than %llu steps of integrator.dt %s",
            bsw_format_double (setup->simulation_length, a), (unsigned long long) SPEC_MAX_STEPS,
            bsw_format_double (setup->dt, b));
    if (setup->monitor == SIM_MONITOR_RAW)
        return BSW_OK;
    //  TVB's framework rejects a period longer than the run.
    if (setup->period > setup->simulation_length)
        return spec_parse_fail (p, "monitor.period", "%s is longer than simulation_length %s",
                                bsw_format_double (setup->period, a),
                                bsw_format_double (setup->simulation_length, b));
    //  Below dt, istep would round to 0 and the monitor never sample.
    if (setup->period < setup->dt)
        return spec_parse_fail (p, "monitor.period", "%s is shorter than integrator.dt %s",
                                bsw_format_double (setup->period, a),
                                bsw_format_double (setup->dt, b));
    return BSW_OK;
}

//  "values": [..] of ranges[r] (field) into range->values.
static int
s_parse_range_values (spec_parser_t *p, const json_t *values, const char *field,
                      spec_range_t *range)
{
    char sub[SPEC_PATH_MAX];
    spec_parse_path (sub, field, "values");
    if (!json_is_array (values))
        return spec_parse_wrong_type (p, sub, values, "an array");
    if (json_array_size (values) == 0)
        return spec_parse_fail (p, sub, "[] is empty");
    range->n_values = json_array_size (values);
    range->values = bsw_malloc (range->n_values * sizeof *range->values);
    for (size_t i = 0; i < range->n_values; i++) {
        char item[SPEC_PATH_MAX];
        spec_parse_pathf (item, "%s[%zu]", sub, i);
        int rc = spec_parse_number (p, json_array_get (values, i), item, &range->values[i]);
        if (rc)
            return rc;
    }
    return BSW_OK;
}

//  "lo", "hi", "step" of ranges[r] (field), expanded as TVB does.
static int
s_parse_range_bounds (spec_parser_t *p, const json_t *item, const char *field, spec_range_t *range)
{
    static const char *const names[] = {"lo", "hi", "step"};
    char sub[SPEC_PATH_MAX];
    double v[3];
    const json_t *bound[3];
    for (size_t i = 0; i < 3; i++) {
        bound[i] = json_object_get (item, names[i]);
        spec_parse_path (sub, field, names[i]);
        if (!bound[i])
            return spec_parse_fail (p, sub, "missing (lo, hi and step go together)");
        int rc = spec_parse_number (p, bound[i], sub, &v[i]);
        if (rc)
            return rc;
    }
    //  Checked here as well as in spec_range_expand, for the exact field
    //  path and the values as written.
    if (!(v[2] > 0))
        return s_positive (p, bound[2], spec_parse_path (sub, field, "step"), &v[2]);
    if (!(v[1] > v[0])) {
        char hi[SPEC_SHOW_MAX + 8], lo[SPEC_SHOW_MAX + 8];
        spec_parse_show (bound[1], hi, sizeof hi);
        spec_parse_show (bound[0], lo, sizeof lo);
        return spec_parse_fail (p, spec_parse_path (sub, field, "hi"),
                                "%s is not above lo %s (empty range)", hi, lo);
    }
    range->from_lohistep = true;
    range->lo = v[0];
    range->hi = v[1];
    range->step = v[2];
    int rc = spec_range_expand (v[0], v[1], v[2], field, &range->values, &range->n_values, p->err);
    if (rc)
        bsw_error_prefix (p->err, "%s", p->label);
    return rc;
}

//  Values in one entry of "ranges", from its bounds or its values array,
//  without expanding it; 0 when the entry is malformed (s_parse_range
//  then says how). Counts as spec_range_expand does.
static uint64_t
s_range_count (const json_t *item)
{
    if (!json_is_object (item))
        return 0;
    const json_t *values = json_object_get (item, "values");
    if (values)
        return json_is_array (values) ? json_array_size (values) : 0;
    const json_t *lo = json_object_get (item, "lo"), *hi = json_object_get (item, "hi"),
                 *step = json_object_get (item, "step");
    if (!json_is_number (lo) || !json_is_number (hi) || !json_is_number (step))
        return 0;
    return spec_range_count (json_number_value (lo), json_number_value (hi),
                             json_number_value (step));
}

//  What every entry of "ranges" starts with: an object of known keys and
//  its "parameter" (*name, borrowed from item); field becomes "ranges[r]".
int
spec_parse_range_head (spec_parser_t *p, const json_t *item, size_t r, char *field,
                       const char **name)
{
    static const char *const keys[] = {"parameter", "lo", "hi", "step", "values", NULL};
    char sub[SPEC_PATH_MAX];
    spec_parse_pathf (field, "ranges[%zu]", r);
    int rc = spec_parse_object (p, item, field);
    if (!rc)
        rc = spec_parse_check_keys (p, item, field, keys);
    if (rc)
        return rc;
    const json_t *parameter = json_object_get (item, "parameter");
    if (!parameter)
        return spec_parse_fail (p, spec_parse_path (sub, field, "parameter"), "missing");
    return spec_parse_string (p, parameter, spec_parse_path (sub, field, "parameter"), name);
}

//  One entry of "ranges": {parameter, lo, hi, step} or {parameter, values}.
static int
s_parse_range (spec_parser_t *p, const json_t *item, size_t r)
{
    char field[SPEC_PATH_MAX];
    const char *name = NULL;
    int rc = spec_parse_range_head (p, item, r, field, &name);
    if (rc)
        return rc;
    const json_t *values = json_object_get (item, "values");
    bool any_bound = json_object_get (item, "lo") || json_object_get (item, "hi") ||
                     json_object_get (item, "step");
    if (values && any_bound)
        return spec_parse_fail (p, field, "give either values or lo, hi and step, not both");
    if (!values && !any_bound)
        return spec_parse_fail (p, field, "missing values (or lo, hi and step)");
    spec_range_t range = {0};
    range.parameter = (char *) name; //  borrowed: spec_range_add copies it
    rc = values ? s_parse_range_values (p, values, field, &range)
                : s_parse_range_bounds (p, item, field, &range);
    if (!rc) {
        rc = spec_range_add (p->spec, &range, false, field, p->err);
        if (rc)
            bsw_error_prefix (p->err, "%s", p->label);
    }
    free (range.values);
    return rc;
}

static int
s_parse_ranges (spec_parser_t *p, const json_t *ranges)
{
    if (!json_is_array (ranges))
        return spec_parse_wrong_type (p, "ranges", ranges, "an array");
    if (p->spec->design != SPEC_DESIGN_GRID)
        return spec_parse_axes (p, ranges);
    //  Points are counted from the bounds before any axis is expanded or
    //  its values checked: a few bytes of spec can name a hundred million
    //  values, whose expansion alone would stall the broker's loop.
    uint64_t total = 1;
    for (size_t r = 0; r < json_array_size (ranges); r++) {
        uint64_t n = s_range_count (json_array_get (ranges, r));
        if (n == 0)
            continue; //  malformed: s_parse_range says how, below
        if (total > p->max_points / n) {
            char field[SPEC_PATH_MAX];
            spec_parse_pathf (field, "ranges[%zu]", r);
            int rc = spec_parse_fail (
                p, field, "%" PRIu64 " values make the sweep more than %" PRIu64 " points", n,
                p->max_points);
            //  Beyond a caller's own cap the spec is valid, only too big.
            if (p->max_points < SPEC_MAX_POINTS_HARD) {
                rc = BSW_ETOOBIG;
                if (p->err)
                    p->err->code = rc;
            }
            return rc;
        }
        total *= n;
    }
    for (size_t r = 0; r < json_array_size (ranges); r++) {
        int rc = s_parse_range (p, json_array_get (ranges, r), r);
        if (rc)
            return rc;
    }
    return BSW_OK;
}

static int
s_parse (spec_parser_t *p, const json_t *root)
{
    static const char *const keys[] = {"name",
                                       "connectivity",
                                       "conduction_speed",
                                       "model",
                                       "coupling",
                                       "integrator",
                                       "monitor",
                                       "simulation_length",
                                       "initial_conditions",
                                       "seed",
                                       "metrics",
                                       "ranges",
                                       "sampling",
                                       "points",
                                       "keep",
                                       NULL};
    sim_setup_t *setup = &p->spec->setup;
    int rc = spec_parse_check_keys (p, root, "", keys);
    const json_t *v;
    const char *name = NULL;
    if (!rc && (v = json_object_get (root, "name"))) {
        rc = spec_parse_string (p, v, "name", &name);
        if (!rc) {
            char field[BSW_ERROR_TEXT_MAX];
            snprintf (field, sizeof field, "%s: name", p->label);
            rc = spec_check_name (name, field, p->err);
        }
        if (!rc)
            p->spec->name = bsw_strdup (name);
    }
    if (!rc && (v = json_object_get (root, "keep"))) {
        const char *keep = NULL;
        rc = spec_parse_string (p, v, "keep", &keep);
        if (!rc && strcmp (keep, "metrics") == 0)
            p->spec->keep = SPEC_KEEP_METRICS;
        else if (!rc && strcmp (keep, "all") != 0)
            rc = spec_parse_fail (p, "keep", "\"%s\" is not one of \"all\", \"metrics\"", keep);
    }
    if (!rc && (v = json_object_get (root, "connectivity")))
        rc = s_parse_connectivity (p, v);
    if (!rc && (v = json_object_get (root, "conduction_speed")))
        rc = s_positive (p, v, "conduction_speed", &setup->conduction_speed);
    if (!rc && (v = json_object_get (root, "model")))
        rc = s_parse_model (p, v);
    if (!rc && (v = json_object_get (root, "coupling")))
        rc = s_parse_coupling (p, v);
    if (!rc && (v = json_object_get (root, "integrator")))
        rc = s_parse_integrator (p, v);
    if (!rc && (v = json_object_get (root, "monitor")))
        rc = s_parse_monitor (p, v);
    if (!rc && (v = json_object_get (root, "simulation_length")))
        rc = s_positive (p, v, "simulation_length", &setup->simulation_length);
    if (!rc && (v = json_object_get (root, "initial_conditions")))
        rc = s_parse_initial (p, v);
    if (!rc && (v = json_object_get (root, "seed"))) {
        json_int_t seed;
        rc = spec_parse_integer (p, v, "seed", 0, UINT32_MAX, &seed);
        if (!rc)
            setup->seed = (uint32_t) seed;
    }
    if (!rc && (v = json_object_get (root, "metrics")))
        rc = s_parse_metrics (p, v);
    if (!rc && setup->monitor == SIM_MONITOR_RAW)
        setup->period = setup->dt; //  what Raw really samples at (TVB.md 6.2)
    if (!rc)
        rc = s_check_times (p);
    if (!rc) {
        bsw_error_t why;
        if (sim_coupling_check (setup->coupling, setup->model, &why))
            rc = spec_parse_fail (p, "coupling.type", "%s", why.text);
    }
    //  Last: range values are checked against the final integrator.
    const json_t *ranges = json_object_get (root, "ranges");
    const json_t *sampling = json_object_get (root, "sampling");
    const json_t *points = json_object_get (root, "points");
    if (!rc && points && ranges)
        rc = spec_parse_fail (p, "points", "a point list and ranges cannot be combined (give one)");
    if (!rc && points && sampling)
        rc = spec_parse_fail (p, "sampling",
                              "a point list is not sampled (give points or sampling)");
    if (!rc && sampling && !ranges)
        rc = spec_parse_fail (p, "sampling", "needs ranges, each with parameter, lo and hi");
    if (!rc && sampling)
        rc = spec_parse_sampling (p, sampling);
    if (!rc && ranges)
        rc = s_parse_ranges (p, ranges);
    if (!rc && points)
        rc = spec_parse_points (p, points);
    return rc;
}

static int
s_load_string (spec_t **spec_p, const char *json, size_t len, const char *label,
               const char *base_dir, bsw_error_t *err)
{
    return spec_load_string_max (spec_p, json, len, label, base_dir, 0, err);
}

int
spec_load_string_max (spec_t **spec_p, const char *json, size_t len, const char *label,
                      const char *base_dir, uint64_t max_points, bsw_error_t *err)
{
    *spec_p = NULL;
    bsw_error_clear (err);
    if (!label)
        label = "spec";
    json_error_t jerr;
    //  JSON_DECODE_ANY so a top-level array gets our message, not a parse
    //  error; duplicate keys would otherwise keep the last one silently.
    json_t *root = json_loadb (json, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!root)
        return bsw_error_set (err, BSW_ESPEC, "%s: line %d, column %d: %s", label, jerr.line,
                              jerr.column, jerr.text);
    spec_parser_t p = {label, base_dir, err, NULL, max_points ? max_points : SPEC_MAX_POINTS_HARD};
    if (!json_is_object (root)) {
        int rc = spec_parse_wrong_type (&p, NULL, root, "a JSON object");
        json_decref (root);
        return rc;
    }
    p.spec = bsw_calloc (1, sizeof *p.spec);
    sim_setup_defaults (&p.spec->setup);
    int rc = s_parse (&p, root);
    json_decref (root);
    if (rc) {
        spec_destroy (&p.spec);
        return rc;
    }
    *spec_p = p.spec;
    return BSW_OK;
}

int
spec_load_string (spec_t **spec_p, const char *json, size_t len, const char *label,
                  const char *base_dir, bsw_error_t *err)
{
    int rc = s_load_string (spec_p, json, len, label, base_dir, err);
    //  An error quotes what the spec holds (a bad value, an unknown key),
    //  and a spec may come from a peer: the sentence is escaped once here
    //  for every terminal and log it reaches.
    if (rc && err) {
        char *safe = bsw_text_escape (err->text);
        snprintf (err->text, sizeof err->text, "%s", safe);
        free (safe);
    }
    return rc;
}

int
spec_load_file (spec_t **spec_p, const char *path, bsw_error_t *err)
{
    *spec_p = NULL;
    bsw_error_clear (err);
    //  Read it ourselves rather than json_load_file, so "cannot read"
    //  (BSW_EIO) and "not valid JSON" (BSW_ESPEC) stay apart.
    FILE *file = fopen (path, "rb");
    if (!file)
        return bsw_error_set (err, BSW_EIO, "%s: cannot read: %s", path, strerror (errno));
    size_t size = 0, cap = 64 * 1024;
    char *text = bsw_malloc (cap);
    size_t got;
    while ((got = fread (text + size, 1, cap - size, file)) > 0) {
        size += got;
        if (size == cap)
            text = bsw_realloc (text, cap *= 2);
    }
    bool failed = ferror (file);
    int saved = errno;
    fclose (file);
    if (failed) {
        free (text);
        return bsw_error_set (err, BSW_EIO, "%s: cannot read: %s", path, strerror (saved));
    }
    char *dir = bsw_strdup (path);
    char *slash = strrchr (dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    int rc = spec_load_string (spec_p, text, size, path, slash ? dir : NULL, err);
    free (dir);
    free (text);
    return rc;
}

void
spec_destroy (spec_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    spec_t *self = *self_p;
    for (size_t r = 0; r < self->n_ranges; r++) {
        free (self->ranges[r].parameter);
        free (self->ranges[r].values);
    }
    free (self->ranges);
    free (self->listed);
    free (self->initial);
    free (self->connectivity);
    free (self->name);
    free (self);
    *self_p = NULL;
}

int
spec_check_nodes (const spec_t *self, size_t n_nodes, const char *label, bsw_error_t *err)
{
    if (!self->initial || self->n_initial == n_nodes)
        return BSW_OK;
    return bsw_error_set (err, BSW_ESPEC,
                          "%s%sinitial_conditions: %zu values per state variable, but the "
                          "connectivity has %zu nodes",
                          label ? label : "", label ? ": " : "", self->n_initial, n_nodes);
}

int
spec_check_name (const char *name, const char *field, bsw_error_t *err)
{
    size_t size = strlen (name);
    if (size > SPEC_MAX_NAME)
        return bsw_error_set (err, BSW_ESPEC, "%s: %zu bytes is longer than the %d a name may have",
                              field, size, SPEC_MAX_NAME);
    if (bsw_text_unsafe (name)) {
        char *shown = bsw_text_escape (name);
        bsw_error_set (err, BSW_ESPEC,
                       "%s: \"%.64s\" holds a control character or is not UTF-8 (a name is "
                       "shown on terminals and in logs)",
                       field, shown);
        free (shown);
        return BSW_ESPEC;
    }
    return BSW_OK;
}

int
spec_check_connectivity (const spec_t *self, const sim_connectivity_t *conn, const char *label,
                         bsw_error_t *err)
{
    const char *colon = label ? ": " : "";
    label = label ? label : "";
    //  Only the conduction speed, of all rangeable values, changes what a
    //  point costs (its history): the slowest one is the dearest point.
    sim_setup_t setup = self->setup;
    const char *speed_field = "conduction_speed";
    char range_field[64] = "";
    for (size_t r = 0; r < self->n_ranges; r++)
        if (strcmp (self->ranges[r].parameter, "conduction_speed") == 0) {
            //  A sampled or listed axis has its least value as lo.
            setup.conduction_speed =
                self->ranges[r].n_values ? self->ranges[r].values[0] : self->ranges[r].lo;
            for (size_t i = 1; i < self->ranges[r].n_values; i++)
                if (self->ranges[r].values[i] < setup.conduction_speed)
                    setup.conduction_speed = self->ranges[r].values[i];
            snprintf (range_field, sizeof range_field, "ranges[%zu]", r);
            speed_field = range_field;
        }
    sim_run_bytes_t bytes;
    int rc = sim_run_bytes (conn, &setup, &bytes, err);
    if (rc) {
        bsw_error_prefix (err, "%s%s%s", label, colon, speed_field);
        return rc;
    }
    rc = sim_run_bytes_check (&bytes, setup.n_voi, conn->n, err);
    if (rc) {
        //  Name what to change: the length of the series (the run, the
        //  monitor's period, the variables recorded) or the delays.
        bool series = bytes.output > SIM_RUN_MAX_OUTPUT_BYTES || 3 * bytes.output >= bytes.history;
        bsw_error_prefix (err, "%s%s%s", label, colon, series ? "simulation_length" : speed_field);
        return rc;
    }
    return spec_check_nodes (self, conn->n, label[0] ? label : NULL, err);
}
