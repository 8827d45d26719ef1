/*  spec_sample_test.c - sampled and listed sweeps ("sampling", "points"):
    the designs' numbers (Sobol against scipy's, Latin hypercube strata,
    random reproducibility), their parsing into axes and point setups, and
    one precise error for each kind of bad input.
*/
#include "spec.h"

#include "bsw_test.h"

#include <math.h>

static int
s_load (const char *json, spec_t **spec, bsw_error_t *err)
{
    return spec_load_string (spec, json, strlen (json), "spec.json", "/base", err);
}

//  scipy.stats.qmc.Sobol(64, scramble=False) (scipy 1.10): point k along
//  dimensions 1, 2, 3, 10, 40 and 64 (0-based 0, 1, 2, 9, 39, 63).
static int
s_test_sobol_scipy (void)
{
    static const size_t dims[6] = {0, 1, 2, 9, 39, 63};
    static const struct {
        uint64_t k;
        double x[6];
    } expect[] = {
        {0, {0, 0, 0, 0, 0, 0}},
        {1, {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}},
        {2, {0.75, 0.25, 0.25, 0.75, 0.25, 0.75}},
        {3, {0.25, 0.75, 0.75, 0.25, 0.75, 0.25}},
        {7, {0.125, 0.625, 0.375, 0.875, 0.125, 0.375}},
        {100, {0.4140625, 0.2578125, 0.7734375, 0.6953125, 0.1328125, 0.6484375}},
        {1000,
         {0.2197265625, 0.0966796875, 0.5185546875, 0.0693359375, 0.4794921875, 0.4462890625}},
        {1024,
         {0.00146484375, 0.37646484375, 0.44775390625, 0.67138671875, 0.12451171875,
          0.96630859375}},
        {12345678,
         {0.591953694820404, 0.07278972864151001, 0.9565710425376892, 0.8241539597511292,
          0.975216805934906, 0.5623727440834045}},
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        for (size_t j = 0; j < 6; j++)
            BSW_CHECK_MSG (spec_design_unit (SPEC_DESIGN_SOBOL, 0, 1u << 30, expect[i].k,
                                             dims[j]) == expect[i].x[j],
                           "k %llu dim %zu: %.17g, scipy %.17g", (unsigned long long) expect[i].k,
                           dims[j] + 1,
                           spec_design_unit (SPEC_DESIGN_SOBOL, 0, 1u << 30, expect[i].k, dims[j]),
                           expect[i].x[j]);
    //  The first 8 points of two dimensions, the sequence's known start.
    static const double first[8][2] = {{0, 0},       {.5, .5},     {.75, .25},   {.25, .75},
                                       {.375, .375}, {.875, .875}, {.625, .125}, {.125, .625}};
    for (uint64_t k = 0; k < 8; k++)
        for (size_t r = 0; r < 2; r++)
            BSW_CHECK (spec_design_unit (SPEC_DESIGN_SOBOL, 7, 8, k, r) == first[k][r]);
    //  A power of two of points is a (t, m, s)-net: each of the 2^m
    //  equal strata of one axis holds one point.
    for (size_t r = 0; r < SPEC_SOBOL_MAX_DIMS; r++) {
        bool seen[256] = {false};
        for (uint64_t k = 0; k < 256; k++) {
            double u = spec_design_unit (SPEC_DESIGN_SOBOL, 0, 256, k, r);
            size_t s = (size_t) (u * 256);
            BSW_CHECK_MSG (!seen[s], "dimension %zu: stratum %zu twice", r + 1, s);
            seen[s] = true;
        }
    }
    return BSW_TEST_PASS;
}

//  Every axis of a Latin hypercube has one point in each of its N strata,
//  for sizes that are and are not powers of two, and values stay in
//  [lo, hi).
static int
s_test_lhs_strata (void)
{
    static const uint64_t sizes[] = {1, 2, 3, 7, 64, 100, 1000, 4097};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint64_t n = sizes[i];
        for (size_t r = 0; r < 5; r++) {
            bool *seen = calloc (n, 1);
            double lo = -5.0 + (double) r, hi = 7.25;
            for (uint64_t k = 0; k < n; k++) {
                double v = spec_design_value (SPEC_DESIGN_LHS, 42, n, k, r, lo, hi);
                BSW_CHECK (v >= lo && v < hi);
                uint64_t s = (uint64_t) floor ((v - lo) / (hi - lo) * (double) n);
                BSW_CHECK_MSG (s < n && !seen[s], "n %llu axis %zu: stratum %llu twice",
                               (unsigned long long) n, r, (unsigned long long) s);
                seen[s] = true;
            }
            free (seen);
        }
    }
    //  Axes are permuted independently: two axes do not share an order.
    uint64_t same = 0;
    for (uint64_t k = 0; k < 1000; k++)
        same += floor (spec_design_unit (SPEC_DESIGN_LHS, 1, 1000, k, 0) * 1000) ==
                floor (spec_design_unit (SPEC_DESIGN_LHS, 1, 1000, k, 1) * 1000);
    BSW_CHECK_MSG (same < 20, "%llu points in the same stratum of both axes",
                   (unsigned long long) same);
    return BSW_TEST_PASS;
}

//  Same seed, same points; another seed, other points; uniform enough that
//  each tenth of [lo, hi) gets its share.
static int
s_test_random (void)
{
    size_t bins[10] = {0};
    uint64_t equal = 0;
    for (uint64_t k = 0; k < 10000; k++) {
        double v = spec_design_value (SPEC_DESIGN_RANDOM, 42, 10000, k, 1, 2.0, 3.0);
        BSW_CHECK (v >= 2.0 && v < 3.0);
        BSW_CHECK (v == spec_design_value (SPEC_DESIGN_RANDOM, 42, 10000, k, 1, 2.0, 3.0));
        //  The number of points does not move a random point.
        BSW_CHECK (v == spec_design_value (SPEC_DESIGN_RANDOM, 42, 7, k, 1, 2.0, 3.0));
        equal += v == spec_design_value (SPEC_DESIGN_RANDOM, 43, 10000, k, 1, 2.0, 3.0);
        equal += v == spec_design_value (SPEC_DESIGN_RANDOM, 42, 10000, k, 0, 2.0, 3.0);
        bins[(size_t) ((v - 2.0) * 10)]++;
    }
    BSW_CHECK_INT (equal, 0);
    for (size_t b = 0; b < 10; b++)
        BSW_CHECK_MSG (bins[b] > 850 && bins[b] < 1150, "tenth %zu holds %zu of 10000", b, bins[b]);
    //  A value fixed by this document: a change of the generator changes
    //  every sampled sweep ever submitted.
    double pinned = spec_design_unit (SPEC_DESIGN_RANDOM, 42, 1, 0, 0);
    BSW_CHECK (pinned >= 0 && pinned < 1);
    BSW_CHECK (pinned == spec_design_unit (SPEC_DESIGN_RANDOM, 42, 1, 0, 0));
    return BSW_TEST_PASS;
}

//  A sampled spec: axes with bounds, its points, each point's setup.
static int
s_test_parse_sampling (void)
{
    static const char *const methods[] = {"random", "lhs", "sobol"};
    static const spec_design_t designs[] = {SPEC_DESIGN_RANDOM, SPEC_DESIGN_LHS, SPEC_DESIGN_SOBOL};
    for (size_t m = 0; m < 3; m++) {
        char json[512];
        snprintf (json, sizeof json,
                  "{\"ranges\": [{\"parameter\": \"model.I\", \"lo\": -5, \"hi\": 5},"
                  " {\"parameter\": \"conduction_speed\", \"lo\": 1, \"hi\": 10}],"
                  " \"sampling\": {\"method\": \"%s\", \"points\": 100, \"seed\": 7}}",
                  methods[m]);
        spec_t *spec = NULL;
        bsw_error_t err;
        BSW_CHECK_MSG (s_load (json, &spec, &err) == 0, "%s", err.text);
        BSW_CHECK (!spec_is_grid (spec));
        BSW_CHECK_INT (spec->design, designs[m]);
        BSW_CHECK_STR (spec_design_name (spec->design), methods[m]);
        BSW_CHECK_INT (spec_points (spec), 100);
        BSW_CHECK_INT (spec->design_seed, 7);
        BSW_CHECK_INT (spec->n_ranges, 2);
        BSW_CHECK (spec->ranges[0].values == NULL && spec->ranges[0].n_values == 0);
        BSW_CHECK (spec->ranges[1].lo == 1 && spec->ranges[1].hi == 10);
        for (uint64_t k = 0; k < 100; k++) {
            double values[2];
            sim_setup_t setup;
            spec_point_values (spec, k, values);
            BSW_CHECK_INT (spec_point_setup (spec, k, &setup, &err), 0);
            BSW_CHECK_INT (setup.point_index, k);
            BSW_CHECK (values[0] >= -5 && values[0] < 5 && values[1] >= 1 && values[1] < 10);
            BSW_CHECK (setup.params[sim_model_param_index (setup.model, "I")] == values[0]);
            BSW_CHECK (setup.conduction_speed == values[1]);
            BSW_CHECK (values[0] == spec_design_value (designs[m], 7, 100, k, 0, -5, 5));
        }
        sim_setup_t setup;
        BSW_CHECK_INT (spec_point_setup (spec, 100, &setup, &err), BSW_EINVAL);
        //  A grid range cannot be added on the command line.
        BSW_CHECK_INT (spec_add_range_arg (spec, "model.a=1:2:0.5", &err), BSW_ESPEC);
        BSW_CHECK_STR (err.text,
                       "--range model.a=1:2:0.5: the sweep's points are sampled, not a grid of "
                       "range values");
        spec_destroy (&spec);
    }
    //  The seed defaults to the spec's.
    spec_t *spec = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (s_load ("{\"seed\": 9, \"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, "
                           "\"hi\": 1}], \"sampling\": {\"method\": \"lhs\", \"points\": 3}}",
                           &spec, &err),
                   0);
    BSW_CHECK_INT (spec->design_seed, 9);
    spec_destroy (&spec);
    return BSW_TEST_PASS;
}

//  A listed spec: axes in the first point's order, bounds from the values.
static int
s_test_parse_points (void)
{
    spec_t *spec = NULL;
    bsw_error_t err;
    BSW_CHECK_MSG (s_load ("{\"points\": [{\"model.I\": 0.3, \"model.a\": 1.2},"
                           " {\"model.a\": -1.0, \"model.I\": 0.5},"
                           " {\"model.I\": -2, \"model.a\": 4}]}",
                           &spec, &err) == 0,
                   "%s", err.text);
    BSW_CHECK_INT (spec->design, SPEC_DESIGN_POINTS);
    BSW_CHECK_INT (spec_points (spec), 3);
    BSW_CHECK_INT (spec->n_ranges, 2);
    BSW_CHECK_STR (spec->ranges[0].parameter, "model.I");
    BSW_CHECK_STR (spec->ranges[1].parameter, "model.a");
    BSW_CHECK (spec->ranges[0].lo == -2 && spec->ranges[0].hi == 0.5);
    BSW_CHECK (spec->ranges[1].lo == -1 && spec->ranges[1].hi == 4);
    double values[2];
    spec_point_values (spec, 1, values);
    BSW_CHECK (values[0] == 0.5 && values[1] == -1.0);
    sim_setup_t setup;
    BSW_CHECK_INT (spec_point_setup (spec, 2, &setup, &err), 0);
    BSW_CHECK (setup.params[sim_model_param_index (setup.model, "a")] == 4);
    spec_destroy (&spec);
    return BSW_TEST_PASS;
}

static const struct {
    const char *json, *needle;
    int code;
} s_bad[] = {
    {"{\"sampling\": {\"method\": \"sobol\", \"points\": 8}}",
     "spec.json: sampling: needs ranges, each with parameter, lo and hi", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1}], \"sampling\": "
     "{\"method\": \"halton\", \"points\": 8}}",
     "spec.json: sampling.method: \"halton\" is not one of \"random\", \"lhs\", \"sobol\"",
     BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1}], \"sampling\": "
     "{\"points\": 8}}",
     "spec.json: sampling.method: missing", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1}], \"sampling\": "
     "{\"method\": \"lhs\", \"points\": 0}}",
     "spec.json: sampling.points: 0 is not positive", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1}], \"sampling\": "
     "{\"method\": \"lhs\"}}",
     "spec.json: sampling.points: missing", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1}], \"sampling\": "
     "{\"method\": \"lhs\", \"points\": 2.5}}",
     "spec.json: sampling.points: 2.5 is not an integer", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1}], \"sampling\": "
     "{\"method\": \"random\", \"points\": 100000001}}",
     "spec.json: sampling.points: 100000001 is more than the 100000000 points a sweep may have",
     BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1}], \"sampling\": "
     "{\"method\": \"random\", \"points\": 8, \"seed\": -1}}",
     "spec.json: sampling.seed: -1 is out of range", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1}], \"sampling\": "
     "{\"method\": \"random\", \"points\": 8, \"scramble\": true}}",
     "spec.json: sampling.scramble: unknown field (expected one of method, points, seed)", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0}], \"sampling\": "
     "{\"method\": \"sobol\", \"points\": 8}}",
     "spec.json: ranges[0].hi: missing (a sampled range takes lo and hi)", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1, \"step\": 0.1}], "
     "\"sampling\": {\"method\": \"sobol\", \"points\": 8}}",
     "spec.json: ranges[0].step: a sampled range takes only parameter, lo and hi", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"values\": [1, 2]}], "
     "\"sampling\": {\"method\": \"sobol\", \"points\": 8}}",
     "spec.json: ranges[0].values: a sampled range takes only parameter, lo and hi", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 1, \"hi\": 1}], "
     "\"sampling\": {\"method\": \"sobol\", \"points\": 8}}",
     "spec.json: ranges[0].hi: 1 is not above lo 1 (empty range)", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.zz\", \"lo\": 0, \"hi\": 1}], "
     "\"sampling\": {\"method\": \"sobol\", \"points\": 8}}",
     "spec.json: ranges[0]: unknown parameter \"model.zz\"", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1}, {\"parameter\": "
     "\"model.a\", \"lo\": 0, \"hi\": 2}], \"sampling\": {\"method\": \"sobol\", \"points\": 8}}",
     "spec.json: ranges[1]: model.a is already an axis (ranges[0])", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"conduction_speed\", \"lo\": 0, \"hi\": 1}], "
     "\"sampling\": {\"method\": \"lhs\", \"points\": 8}}",
     "spec.json: ranges[0]: 0.0 is not positive (conduction_speed)", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": -1e308, \"hi\": 1e308}], "
     "\"sampling\": {\"method\": \"sobol\", \"points\": 8}}",
     "spec.json: ranges[0]: hi - lo overflows a double", BSW_ESPEC},
    {"{\"ranges\": [], \"sampling\": {\"method\": \"lhs\", \"points\": 8}}",
     "spec.json: ranges: [] is empty", BSW_ESPEC},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1, \"step\": 0.5}], "
     "\"points\": [{\"model.a\": 1}]}",
     "spec.json: points: a point list and ranges cannot be combined (give one)", BSW_ESPEC},
    {"{\"points\": [{\"model.a\": 1}], \"sampling\": {\"method\": \"lhs\", \"points\": 8}}",
     "spec.json: sampling: a point list is not sampled", BSW_ESPEC},
    {"{\"points\": []}", "spec.json: points: [] is empty", BSW_ESPEC},
    {"{\"points\": {}}", "spec.json: points: ", BSW_ESPEC},
    {"{\"points\": [{}]}", "spec.json: points[0]: {} names no parameter", BSW_ESPEC},
    {"{\"points\": [3]}", "spec.json: points[0]: ", BSW_ESPEC},
    {"{\"points\": [{\"model.zz\": 1}]}", "spec.json: points[0].model.zz: unknown parameter",
     BSW_ESPEC},
    {"{\"points\": [{\"model.a\": \"x\"}]}", "spec.json: points[0].model.a: ", BSW_ESPEC},
    {"{\"points\": [{\"model.a\": 1, \"model.I\": 2}, {\"model.a\": 1}]}",
     "spec.json: points[1]: has no \"model.I\" (every point names the parameters of points[0])",
     BSW_ESPEC},
    {"{\"points\": [{\"model.a\": 1}, {\"model.a\": 1, \"model.b\": 2}]}",
     "spec.json: points[1]: \"model.b\" is not named by points[0]", BSW_ESPEC},
    {"{\"points\": [{\"conduction_speed\": 1}, {\"conduction_speed\": -2}]}",
     "spec.json: points[1].conduction_speed: -2.0 is not positive (conduction_speed)", BSW_ESPEC},
    {"{\"points\": [{\"integrator.noise.nsig\": 1}]}",
     "spec.json: points[0].integrator.noise.nsig: integrator.noise.nsig needs integrator.type "
     "HeunStochastic",
     BSW_ESPEC},
};

static int
s_test_bad_input (void)
{
    for (size_t i = 0; i < sizeof s_bad / sizeof s_bad[0]; i++) {
        spec_t *spec = NULL;
        bsw_error_t err;
        int rc = s_load (s_bad[i].json, &spec, &err);
        BSW_CHECK_MSG (rc == s_bad[i].code, "%s: rc %d (%s)", s_bad[i].json, rc, err.text);
        BSW_CHECK (spec == NULL);
        BSW_CHECK_MSG (strstr (err.text, s_bad[i].needle), "%s:\n  got  \"%s\"\n  want \"%s\"",
                       s_bad[i].json, err.text, s_bad[i].needle);
    }
    //  Beyond a broker's own cap: too big, not malformed.
    const char *big = "{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1}], "
                      "\"sampling\": {\"method\": \"sobol\", \"points\": 1000}}";
    spec_t *spec = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (spec_load_string_max (&spec, big, strlen (big), "spec.json", NULL, 999, &err),
                   BSW_ETOOBIG);
    BSW_CHECK_STR (err.text,
                   "spec.json: sampling.points: 1000 is more than the 999 points a sweep may have");
    const char *listed = "{\"points\": [{\"model.a\": 1}, {\"model.a\": 2}]}";
    BSW_CHECK_INT (
        spec_load_string_max (&spec, listed, strlen (listed), "spec.json", NULL, 1, &err),
        BSW_ETOOBIG);
    //  Sobol beyond its 64 dimensions of direction numbers.
    char json[8192] = "{\"sampling\": {\"method\": \"sobol\", \"points\": 4}, \"ranges\": [";
    size_t used = strlen (json);
    for (int r = 0; r < 65; r++)
        used += (size_t) snprintf (json + used, sizeof json - used,
                                   "%s{\"parameter\": \"model.p%d\", \"lo\": 0, \"hi\": 1}",
                                   r ? ", " : "", r);
    snprintf (json + used, sizeof json - used, "]}");
    BSW_CHECK_INT (s_load (json, &spec, &err), BSW_ESPEC);
    BSW_CHECK_MSG (strstr (err.text, "65 ranges: sobol sampling has direction numbers for at "
                                     "most 64"),
                   "%s", err.text);
    return BSW_TEST_PASS;
}

//  The slowest conduction speed a sampled or listed sweep can reach is
//  its lower bound: the cost check uses it.
static int
s_test_costs (void)
{
    sim_connectivity_t *conn = sim_connectivity_new_default ();
    spec_t *spec = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (s_load ("{\"simulation_length\": 10, \"ranges\": [{\"parameter\": "
                           "\"conduction_speed\", \"lo\": 1e-3, \"hi\": 10}], \"sampling\": "
                           "{\"method\": \"random\", \"points\": 4}}",
                           &spec, &err),
                   0);
    BSW_CHECK_MSG (spec_check_connectivity (spec, conn, "spec.json", &err) == BSW_ETOOBIG, "%s",
                   err.text);
    BSW_CHECK_MSG (strstr (err.text, "spec.json: ranges[0]"), "%s", err.text);
    spec_destroy (&spec);
    BSW_CHECK_INT (s_load ("{\"simulation_length\": 10, \"points\": [{\"conduction_speed\": 3},"
                           " {\"conduction_speed\": 1e-3}]}",
                           &spec, &err),
                   0);
    BSW_CHECK_MSG (spec_check_connectivity (spec, conn, "spec.json", &err) == BSW_ETOOBIG, "%s",
                   err.text);
    spec_destroy (&spec);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"sobol_scipy", s_test_sobol_scipy},
                                          {"lhs_strata", s_test_lhs_strata},
                                          {"random", s_test_random},
                                          {"parse_sampling", s_test_parse_sampling},
                                          {"parse_points", s_test_parse_points},
                                          {"bad_input", s_test_bad_input},
                                          {"costs", s_test_costs},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
