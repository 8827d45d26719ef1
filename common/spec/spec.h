/*  spec.h - the JSON simulation and sweep spec (shared/spec/SWEEP-SPEC.md).

    A spec is parsed with jansson, every field validated before anything
    runs, and turned into a base sim_setup_t plus the sweep's ranges. Errors
    name the file, the field and the value:
        "spec.json: ranges[1].step: 0 is not positive".
    Unknown fields are errors (a typo must not silently run TVB's default).
*/
#ifndef SPEC_H_INCLUDED
#define SPEC_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bsw_error.h"
#include "sim_connectivity.h"
#include "sim_setup.h"
#include "spec_design.h"

/*  Sweep-size guard of the parser; the broker has its own configurable limit.
    The fuzz build (fuzz/CMakeLists.txt) compiles the parser with a smaller
    one, so that its inputs cannot ask for gigabytes of range values. */
#ifndef SPEC_MAX_POINTS_HARD
#define SPEC_MAX_POINTS_HARD 100000000ULL
#endif
#define SPEC_MAX_STEPS 4000000000ULL /* ceil(simulation_length/dt) at most */
#define SPEC_MAX_NAME  256           /* bytes of a sweep's name */

/*  One sweep axis. In a grid it has its values; in a sampled or listed
    sweep only bounds (values NULL, n_values 0): sampled values lie in
    [lo, hi), listed ones in [lo, hi] (their least and greatest). */
typedef struct {
    char *parameter;     /* as the spec names it: "model.I", "coupling.a", ... */
    double *values;      /* grid: expanded values, in order; else NULL */
    size_t n_values;     /* grid: >= 1; else 0 */
    bool from_lohistep;  /* grid: given as lo/hi/step (else as "values") */
    double lo, hi, step; /* grid: when from_lohistep; else the bounds (step 0) */
} spec_range_t;

/*  What a sweep keeps of each point ("keep"). */
typedef enum {
    SPEC_KEEP_ALL = 0, /* "all": the time series and the metrics (TVB's way) */
    SPEC_KEEP_METRICS, /* "metrics": the metrics only; no series sent, stored or exported */
} spec_keep_t;

typedef struct {
    char *name;         /* "name", or NULL */
    spec_keep_t keep;   /* "keep": all (default) or metrics */
    char *connectivity; /* NULL for "default"; else the path, resolved against the spec's folder */
    bool connectivity_outside; /* that path is absolute or has a ".." component: it may name
                                  any file, not one beside the spec (the client asks for
                                  --connectivity-anywhere before it reads and sends it) */
    sim_setup_t setup;         /* base setup; setup.initial points into `initial` (or NULL) */
    double *initial;           /* [n_state][n_initial], owned, or NULL when random */
    size_t n_initial;          /* nodes given per state variable in initial_conditions */
    spec_range_t *ranges;      /* the sweep axes, first = outermost */
    size_t n_ranges;
    spec_design_t design; /* grid (default), "sampling" or "points" */
    uint64_t n_samples;   /* sampling.points */
    uint32_t design_seed; /* sampling.seed (default: the spec's seed) */
    double *listed;       /* "points": [n_listed][n_ranges], in the axes' order */
    size_t n_listed;
} spec_t;

/*  Reads and validates a spec file. base dir for a relative connectivity
    path is the file's folder. Caller owns *spec_p; destroy with
    spec_destroy. Returns 0, or BSW_ESPEC / BSW_EIO with err naming the file. */
int spec_load_file (spec_t **spec_p, const char *path, bsw_error_t *err);

/*  The same from text. `label` names the source in errors ("spec.json");
    base_dir (may be NULL: the current folder) resolves a relative
    connectivity path. An error's sentence quotes the spec with control
    characters escaped (bsw_text_escape): it is safe to print or log. */
int spec_load_string (spec_t **spec_p, const char *json, size_t len, const char *label,
                      const char *base_dir, bsw_error_t *err);

/*  The same, refusing a sweep of more than max_points points (0:
    SPEC_MAX_POINTS_HARD) before any range is expanded, so that a short
    spec naming an absurd range costs nothing (the broker's SUBMIT). A
    sweep over a max_points below SPEC_MAX_POINTS_HARD is BSW_ETOOBIG. */
int spec_load_string_max (spec_t **spec_p, const char *json, size_t len, const char *label,
                          const char *base_dir, uint64_t max_points, bsw_error_t *err);

void spec_destroy (spec_t **self_p);

/*  Checks what needs the connectivity: initial_conditions has one value per
    node (n_nodes). Returns 0 or BSW_ESPEC. */
int spec_check_nodes (const spec_t *self, size_t n_nodes, const char *label, bsw_error_t *err);

/*  Checks what a point costs with this connectivity against the caps of
    sim_run.h (SIM_RUN_MAX_OUTPUT_BYTES for its series, samples x variables
    of interest x nodes x 8 bytes; SIM_RUN_MAX_MEMORY_BYTES for all it
    holds while it runs, the delay history included), at the slowest
    conduction speed the sweep ranges over; then spec_check_nodes. Returns
    0, BSW_ETOOBIG with err naming the field to change, or BSW_ESPEC /
    BSW_ECONNECTIVITY. */
int spec_check_connectivity (const spec_t *self, const sim_connectivity_t *conn, const char *label,
                             bsw_error_t *err);

/*  Checks a sweep's name (the spec's "name", --name, SUBMIT's name): at
    most SPEC_MAX_NAME bytes of UTF-8 without control characters
    (bsw_text_unsafe), since it is shown on terminals and in logs.
    Returns 0, or BSW_ESPEC with err naming `field` ("spec.json: name"). */
int spec_check_name (const char *name, const char *field, bsw_error_t *err);

/*  Adds a range from the command line, "PARAM=lo:hi:step" or
    "PARAM=v1,v2,...". Replaces a range of the same parameter. Returns 0 or
    BSW_ESPEC with err naming the argument. */
int spec_add_range_arg (spec_t *self, const char *arg, bsw_error_t *err);

/*  Number of sweep points: the product of the range sizes for a grid (1
    with no ranges), sampling.points, or the points listed. */
uint64_t spec_points (const spec_t *self);

/*  Whether the sweep is a grid (ranges with values), not sampled or listed. */
bool spec_is_grid (const spec_t *self);

/*  The setup of sweep point k, with point_index = k. Returns 0, or
    BSW_EINVAL when k is out of range. */
int spec_point_setup (const spec_t *self, uint64_t k, sim_setup_t *out, bsw_error_t *err);

/*  The value of every axis at point k (< spec_points), for any design:
    values[r] for r < n_ranges. A grid is row-major over the ranges, first
    outermost; a sampled sweep's point k is the design's k-th; a listed
    one's the k-th listed. */
void spec_point_values (const spec_t *self, uint64_t k, double *values);

/*  A grid's value indices at point k: coords[r] = index into ranges[r]. */
void spec_point_coords (const spec_t *self, uint64_t k, size_t *coords);

/*  Sets one rangeable parameter ("model.a", "coupling.a", "coupling.b",
    "conduction_speed", "integrator.noise.nsig") on a setup. Returns 0, or
    BSW_ESPEC when the name is not rangeable or the value is out of its
    domain (speed <= 0, nsig < 0). */
int spec_setup_set (sim_setup_t *setup, const char *parameter, double value, bsw_error_t *err);

/*  Adds a sweep axis, copying range->parameter and range->values; with
    `replace`, a range of the same parameter is replaced in its slot, else
    that is an error. Checks that the parameter is rangeable for this spec
    (integrator.noise.nsig only with HeunStochastic), that every value is
    valid for it (as spec_setup_set), and that the sweep stays within
    SPEC_MAX_POINTS_HARD points. Returns 0, or BSW_ESPEC with err's text
    starting with `field` ("ranges[1]", "--range model.I=1:2:0.5"). */
int spec_range_add (spec_t *self, const spec_range_t *range, bool replace, const char *field,
                    bsw_error_t *err);

/*  Adds an axis of a sampled or listed sweep (design not grid): its
    parameter and bounds. Checks as spec_range_add does (rangeable, not
    already an axis, lo and hi valid for it). Returns 0, or BSW_ESPEC with
    err's text starting with `field`. */
int spec_axis_add (spec_t *self, const char *parameter, double lo, double hi, const char *field,
                   bsw_error_t *err);

/*  How many values spec_range_expand would give for lo, hi, step, counted
    without expanding: 0 when they give none (not finite, step <= 0,
    hi <= lo), UINT64_MAX when the count does not fit. */
uint64_t spec_range_count (double lo, double hi, double step);

/*  TVB's Range(lo, hi, step) value list (TVB.md 7.3, numpy arange rules).
    Caller frees *values. Returns 0, or BSW_ESPEC when step <= 0, hi <= lo,
    or a value is not finite; `field` prefixes the message. */
int spec_range_expand (double lo, double hi, double step, const char *field, double **values,
                       size_t *n_values, bsw_error_t *err);

#endif
