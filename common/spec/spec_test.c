/*  spec_test.c - the JSON spec: TVB defaults, the documented example, the
    reference specs, command-line ranges, and a table of malformed specs
    whose errors must name the field.

    Fixtures live in common/spec/testdata (found through BSW_SOURCE_DIR,
    which CTest sets); the reference specs in ../shared (skipped without it).
*/
#include "spec.h"

#include "bsw_test.h"

#include <dirent.h>

static int
s_load (const char *json, spec_t **spec, bsw_error_t *err)
{
    return spec_load_string (spec, json, strlen (json), "spec.json", "/base", err);
}

static double
s_param (const sim_setup_t *setup, const char *name)
{
    return setup->params[sim_model_param_index (setup->model, name)];
}

//  Path of a fixture, or NULL when the source tree is unknown.
static const char *
s_testdata (const char *name, char *buf, size_t size)
{
    const char *src = getenv ("BSW_SOURCE_DIR");
    if (!src || !*src)
        return NULL;
    snprintf (buf, size, "%s/common/spec/testdata/%s", src, name);
    return buf;
}

//  Usage: read a sweep, walk its points, run each point's setup.
static int
s_test_usage (void)
{
    const char *json = "{ \"simulation_length\": 100.0,"
                       "  \"ranges\": [ { \"parameter\": \"model.I\", \"lo\": 0, \"hi\": 1, "
                       "\"step\": 0.5 },"
                       "                { \"parameter\": \"coupling.a\", \"values\": [0.1, 0.2, "
                       "0.3] } ] }";
    spec_t *spec = NULL;
    bsw_error_t err;
    int rc = spec_load_string (&spec, json, strlen (json), "sweep.json", NULL, &err);
    BSW_CHECK_MSG (rc == 0, "%s", err.text);
    BSW_CHECK_INT (spec_points (spec), 6); //  2 values of I x 3 of coupling.a
    for (uint64_t k = 0; k < spec_points (spec); k++) {
        sim_setup_t setup;
        BSW_CHECK_INT (spec_point_setup (spec, k, &setup, &err), 0);
        BSW_CHECK_INT (setup.point_index, k);
        BSW_CHECK_DOUBLE_EQ (s_param (&setup, "I"), k < 3 ? 0.0 : 0.5);
        BSW_CHECK_DOUBLE_EQ (setup.coupling_params[SIM_CP_A], spec->ranges[1].values[k % 3]);
        BSW_CHECK_DOUBLE_EQ (setup.simulation_length, 100.0);
    }
    spec_destroy (&spec);
    BSW_CHECK (spec == NULL);
    return BSW_TEST_PASS;
}

//  "{}" is TVB's default simulation (TVB.md 7.1), one point.
/*  A coupling type brings its own parameters and TVB's defaults, whatever
    the order of the keys; coupling.<param> ranges reach them. */
static int
s_test_coupling_types (void)
{
    spec_t *spec;
    bsw_error_t err;
    BSW_CHECK_INT (s_load ("{\"coupling\": {\"a\": 0.5, \"type\": \"Difference\"}}", &spec, &err),
                   0);
    BSW_CHECK (spec->setup.coupling == &sim_coupling_difference);
    BSW_CHECK_DOUBLE_EQ (spec->setup.coupling_params[SIM_CP_A], 0.5);
    spec_destroy (&spec);
    BSW_CHECK_INT (s_load ("{\"coupling\": {\"type\": \"Difference\"}}", &spec, &err), 0);
    BSW_CHECK_DOUBLE_EQ (spec->setup.coupling_params[SIM_CP_A], 0.1);
    spec_destroy (&spec);
    BSW_CHECK_INT (s_load ("{\"coupling\": {\"type\": \"Kuramoto\"}, \"ranges\": [{\"parameter\": "
                           "\"coupling.a\", \"values\": [0.25, 0.75]}]}",
                           &spec, &err),
                   0);
    BSW_CHECK_DOUBLE_EQ (spec->setup.coupling_params[SIM_CP_A], 1.0);
    sim_setup_t point;
    BSW_CHECK_INT (spec_point_setup (spec, 1, &point, &err), 0);
    BSW_CHECK (point.coupling == &sim_coupling_kuramoto);
    BSW_CHECK_DOUBLE_EQ (point.coupling_params[SIM_CP_A], 0.75);
    spec_destroy (&spec);
    //  A model brings its default VOIs (JansenRit: y0..y3) and its own
    //  parameters; the coupling's are rangeable by name.
    BSW_CHECK_INT (s_load ("{\"model\": {\"type\": \"JansenRit\", \"parameters\": {\"mu\": 0.1}}, "
                           "\"coupling\": {\"type\": \"SigmoidalJansenRit\"}, \"ranges\": "
                           "[{\"parameter\": \"coupling.cmin\", \"values\": [0.0, 0.001]}, "
                           "{\"parameter\": \"model.A\", \"values\": [3.0, 3.5]}]}",
                           &spec, &err),
                   0);
    BSW_CHECK (spec->setup.model == &sim_jansenrit_model);
    BSW_CHECK_INT (spec->setup.n_voi, 4);
    BSW_CHECK_INT (spec->setup.voi[3], 3);
    BSW_CHECK_DOUBLE_EQ (s_param (&spec->setup, "mu"), 0.1);
    BSW_CHECK_INT (spec_point_setup (spec, 3, &point, &err), 0);
    BSW_CHECK_DOUBLE_EQ (point.coupling_params[SIM_CP_CMIN], 0.001);
    BSW_CHECK_DOUBLE_EQ (point.coupling_params[SIM_CP_CMAX], 0.005);
    BSW_CHECK_DOUBLE_EQ (s_param (&point, "A"), 3.5);
    spec_destroy (&spec);
    //  Another model after VOIs were given for the first: the VOIs given
    //  for the model named are what count, whatever the key order.
    BSW_CHECK_INT (s_load ("{\"model\": {\"variables_of_interest\": [\"y\", \"x\"], \"type\": "
                           "\"SupHopf\"}}",
                           &spec, &err),
                   0);
    BSW_CHECK_INT (spec->setup.n_voi, 2);
    BSW_CHECK_INT (spec->setup.voi[0], 1);
    spec_destroy (&spec);
    return 0;
}

static int
s_test_defaults (void)
{
    spec_t *spec = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (s_load ("{}", &spec, &err), 0);
    const sim_setup_t *s = &spec->setup;
    BSW_CHECK (spec->name == NULL && spec->connectivity == NULL);
    BSW_CHECK (s->model == &sim_g2d_model);
    BSW_CHECK_DOUBLE_EQ (s->dt, 0.01220703125);
    BSW_CHECK_DOUBLE_EQ (s->period, 0.9765625);
    BSW_CHECK_DOUBLE_EQ (s->simulation_length, 1000.0);
    BSW_CHECK_DOUBLE_EQ (s_param (s, "a"), -2.0);
    BSW_CHECK_DOUBLE_EQ (s_param (s, "b"), -10.0);
    BSW_CHECK_DOUBLE_EQ (s_param (s, "d"), 0.02);
    BSW_CHECK_DOUBLE_EQ (s->coupling_params[SIM_CP_A], 0.00390625);
    BSW_CHECK_DOUBLE_EQ (s->coupling_params[SIM_CP_B], 0.0);
    BSW_CHECK_DOUBLE_EQ (s->conduction_speed, 3.0);
    BSW_CHECK_INT (s->integrator, SIM_INTEGRATOR_HEUN_DETERMINISTIC);
    BSW_CHECK_INT (s->monitor, SIM_MONITOR_TEMPORAL_AVERAGE);
    BSW_CHECK_INT (s->n_voi, 1);
    BSW_CHECK_INT (s->voi[0], 0);
    BSW_CHECK (s->initial == NULL && spec->initial == NULL);
    BSW_CHECK_INT (s->seed, 42);
    BSW_CHECK_DOUBLE_EQ (s->metric_start_point, 500.0);
    BSW_CHECK_INT (s->metric_segment, 4);
    BSW_CHECK_INT (spec->n_ranges, 0);
    BSW_CHECK_INT (spec_points (spec), 1);
    sim_setup_t point;
    BSW_CHECK_INT (spec_point_setup (spec, 0, &point, &err), 0);
    BSW_CHECK (memcmp (&point, s, sizeof point) == 0);
    BSW_CHECK_INT (spec_point_setup (spec, 1, &point, &err), BSW_EINVAL);
    BSW_CHECK_INT (spec->keep, SPEC_KEEP_ALL);
    spec_destroy (&spec);
    //  "keep" says what a sweep keeps of each point.
    BSW_CHECK_INT (s_load ("{\"keep\": \"metrics\"}", &spec, &err), 0);
    BSW_CHECK_INT (spec->keep, SPEC_KEEP_METRICS);
    spec_destroy (&spec);
    BSW_CHECK_INT (s_load ("{\"keep\": \"all\"}", &spec, &err), 0);
    BSW_CHECK_INT (spec->keep, SPEC_KEEP_ALL);
    spec_destroy (&spec);
    return BSW_TEST_PASS;
}

//  The example of SWEEP-SPEC.md (testdata/tutorial.json): 25 x 20 points.
static int
s_test_tutorial (void)
{
    char path[4096];
    if (!s_testdata ("tutorial.json", path, sizeof path))
        return BSW_TEST_SKIP;
    spec_t *spec = NULL;
    bsw_error_t err;
    int rc = spec_load_file (&spec, path, &err);
    BSW_CHECK_MSG (rc == 0, "%s", err.text);
    BSW_CHECK_STR (spec->name, "tutorial");
    BSW_CHECK (spec->connectivity == NULL);
    BSW_CHECK_INT (spec->n_initial, 3);
    BSW_CHECK (spec->setup.initial == spec->initial);
    BSW_CHECK_DOUBLE_EQ (spec->initial[1], 0.84); //  V of node 1
    BSW_CHECK_DOUBLE_EQ (spec->initial[3], 0.1);  //  W of node 0
    BSW_CHECK_INT (spec_check_nodes (spec, 3, "spec.json", &err), 0);
    BSW_CHECK_INT (spec_check_nodes (spec, 76, "spec.json", &err), BSW_ESPEC);
    BSW_CHECK_STR (err.text, "spec.json: initial_conditions: 3 values per state variable, but "
                             "the connectivity has 76 nodes");
    BSW_CHECK_INT (spec->n_ranges, 2);
    BSW_CHECK_STR (spec->ranges[0].parameter, "model.I");
    BSW_CHECK (spec->ranges[0].from_lohistep);
    BSW_CHECK_DOUBLE_EQ (spec->ranges[0].step, 0.4);
    BSW_CHECK_INT (spec->ranges[0].n_values, 25);
    BSW_CHECK_INT (spec->ranges[1].n_values, 20);
    BSW_CHECK_INT (spec_points (spec), 500);

    sim_setup_t setup;
    size_t coords[2];
    BSW_CHECK_INT (spec_point_setup (spec, 0, &setup, &err), 0);
    BSW_CHECK_DOUBLE_EQ (s_param (&setup, "I"), -5.0);
    BSW_CHECK_DOUBLE_EQ (s_param (&setup, "a"), -5.0);
    BSW_CHECK_DOUBLE_EQ (s_param (&setup, "b"), -10.0);
    //  k = 21: i = 21 / 20 = 1, j = 21 % 20 = 1.
    BSW_CHECK_INT (spec_point_setup (spec, 21, &setup, &err), 0);
    spec_point_coords (spec, 21, coords);
    BSW_CHECK (coords[0] == 1 && coords[1] == 1);
    BSW_CHECK_INT (setup.point_index, 21);
    BSW_CHECK_DOUBLE_EQ (s_param (&setup, "I"), -4.6);
    BSW_CHECK_DOUBLE_EQ (s_param (&setup, "a"), -4.5);
    //  The reference grid point (shared/reference/grid_I+1.0_a+2.0).
    BSW_CHECK_INT (spec_point_setup (spec, 15 * 20 + 14, &setup, &err), 0);
    BSW_CHECK_DOUBLE_EQ (s_param (&setup, "I"), 1.0000000000000053);
    BSW_CHECK_DOUBLE_EQ (s_param (&setup, "a"), 2.0);
    BSW_CHECK (setup.initial == spec->initial);
    spec_point_coords (spec, 499, coords);
    BSW_CHECK (coords[0] == 24 && coords[1] == 19);
    BSW_CHECK_INT (spec_point_setup (spec, 500, &setup, &err), BSW_EINVAL);
    spec_destroy (&spec);
    return BSW_TEST_PASS;
}

//  A fixture that sets every field away from its default.
static int
s_test_all_fields (void)
{
    char path[4096], expect[4200];
    if (!s_testdata ("stochastic.json", path, sizeof path))
        return BSW_TEST_SKIP;
    spec_t *spec = NULL;
    bsw_error_t err;
    int rc = spec_load_file (&spec, path, &err);
    BSW_CHECK_MSG (rc == 0, "%s", err.text);
    const sim_setup_t *s = &spec->setup;
    BSW_CHECK_STR (spec->name, "noisy");
    //  Relative to the spec's folder.
    snprintf (expect, sizeof expect, "%s", path);
    strcpy (strrchr (expect, '/') + 1, "conn/c76.zip");
    BSW_CHECK_STR (spec->connectivity, expect);
    BSW_CHECK_DOUBLE_EQ (s->conduction_speed, 4.5);
    BSW_CHECK_DOUBLE_EQ (s_param (s, "a"), 2.0);
    BSW_CHECK_DOUBLE_EQ (s_param (s, "I"), 1.0);
    BSW_CHECK_DOUBLE_EQ (s_param (s, "tau"), 1.0);
    BSW_CHECK_INT (s->n_voi, 2);
    BSW_CHECK_INT (s->voi[0], sim_model_voi_index (s->model, "V - W"));
    BSW_CHECK_INT (s->voi[1], 0);
    BSW_CHECK_DOUBLE_EQ (s->coupling_params[SIM_CP_A], 0.00390625);
    BSW_CHECK_DOUBLE_EQ (s->coupling_params[SIM_CP_B], -0.25);
    BSW_CHECK_INT (s->integrator, SIM_INTEGRATOR_HEUN_STOCHASTIC);
    BSW_CHECK_DOUBLE_EQ (s->dt, 0.0625);
    BSW_CHECK_DOUBLE_EQ (s->nsig[0], 0.5);
    BSW_CHECK_DOUBLE_EQ (s->nsig[1], 0.0);
    BSW_CHECK_INT (s->monitor, SIM_MONITOR_SUBSAMPLE);
    BSW_CHECK_DOUBLE_EQ (s->period, 0.5);
    BSW_CHECK_DOUBLE_EQ (s->simulation_length, 100.0);
    BSW_CHECK_INT (spec->n_initial, 2);
    BSW_CHECK_DOUBLE_EQ (s->initial[0], 0.5);
    BSW_CHECK_DOUBLE_EQ (s->initial[1], -0.25);
    BSW_CHECK_DOUBLE_EQ (s->initial[2], 1.0);
    BSW_CHECK_DOUBLE_EQ (s->initial[3], 2.0);
    BSW_CHECK_INT (s->seed, 4294967295u);
    BSW_CHECK_DOUBLE_EQ (s->metric_start_point, 0.0);
    BSW_CHECK_INT (s->metric_segment, 1);
    BSW_CHECK_INT (spec_points (spec), 9);
    sim_setup_t point;
    BSW_CHECK_INT (spec_point_setup (spec, 7, &point, &err), 0); //  nsig[2], coupling.a[1]
    BSW_CHECK_DOUBLE_EQ (point.nsig[0], 2.0);
    BSW_CHECK_DOUBLE_EQ (point.nsig[1], 2.0);
    BSW_CHECK_DOUBLE_EQ (point.coupling_params[SIM_CP_A], 0.1);
    spec_destroy (&spec);

    //  Absolute paths stay; a scalar nsig covers both state variables;
    //  HeunStochastic without noise keeps TVB's nsig = 1; Raw samples at dt.
    const char *json = "{\"connectivity\": \"/data/c.zip\", \"integrator\": {\"type\": "
                       "\"HeunStochastic\", \"noise\": {\"nsig\": 0.25}}, \"monitor\": "
                       "{\"type\": \"Raw\"}, \"seed\": 0}";
    BSW_CHECK_INT (s_load (json, &spec, &err), 0);
    BSW_CHECK_STR (spec->connectivity, "/data/c.zip");
    BSW_CHECK_DOUBLE_EQ (spec->setup.nsig[0], 0.25);
    BSW_CHECK_DOUBLE_EQ (spec->setup.nsig[1], 0.25);
    BSW_CHECK_INT (spec->setup.monitor, SIM_MONITOR_RAW);
    BSW_CHECK_DOUBLE_EQ (spec->setup.period, spec->setup.dt);
    BSW_CHECK_INT (spec->setup.seed, 0);
    spec_destroy (&spec);
    BSW_CHECK_INT (s_load ("{\"integrator\": {\"type\": \"HeunStochastic\"}, \"connectivity\": "
                           "\"x.zip\"}",
                           &spec, &err),
                   0);
    BSW_CHECK_DOUBLE_EQ (spec->setup.nsig[0], 1.0);
    BSW_CHECK_DOUBLE_EQ (spec->setup.nsig[1], 1.0);
    BSW_CHECK_STR (spec->connectivity, "/base/x.zip");
    spec_destroy (&spec);
    return BSW_TEST_PASS;
}

//  shared/reference/*/spec.json: connectivity beside the data, 76 nodes.
static int
s_test_reference (void)
{
    const char *shared = bsw_test_shared_dir ();
    if (!shared)
        return BSW_TEST_SKIP;
    char dir_path[4096];
    snprintf (dir_path, sizeof dir_path, "%s/reference", shared);
    DIR *dir = opendir (dir_path);
    BSW_CHECK (dir);
    int seen = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        char path[8192], expect[8192];
        snprintf (path, sizeof path, "%s/%s/spec.json", dir_path, entry->d_name);
        FILE *probe = entry->d_name[0] == '.' ? NULL : fopen (path, "r");
        if (!probe)
            continue;
        fclose (probe);
        spec_t *spec = NULL;
        bsw_error_t err;
        int rc = spec_load_file (&spec, path, &err);
        BSW_CHECK_MSG (rc == 0, "%s", err.text);
        snprintf (expect, sizeof expect, "%s/%s/../../tvb-data/connectivity_76.zip", dir_path,
                  entry->d_name);
        BSW_CHECK_STR (spec->connectivity, expect);
        BSW_CHECK (spec->connectivity_outside); //  "../../tvb-data/...": a client asks first
        FILE *zip = fopen (spec->connectivity, "rb");
        BSW_CHECK_MSG (zip, "%s does not open", spec->connectivity);
        fclose (zip);
        BSW_CHECK_STR (spec->name, entry->d_name);
        BSW_CHECK_INT (spec->n_initial, 76);
        BSW_CHECK_INT (spec_check_nodes (spec, 76, path, &err), 0);
        BSW_CHECK_INT (spec->setup.n_voi, 2);
        BSW_CHECK_INT (spec_points (spec), 1);
        BSW_CHECK_DOUBLE_EQ (spec->initial[0], 0.0);
        if (strcmp (entry->d_name, "grid_I+1.0_a+2.0") == 0)
            BSW_CHECK_DOUBLE_EQ (s_param (&spec->setup, "I"), 1.0000000000000053);
        if (strcmp (entry->d_name, "raw_dt0.0625_100ms") == 0) {
            BSW_CHECK_INT (spec->setup.monitor, SIM_MONITOR_RAW);
            BSW_CHECK_DOUBLE_EQ (spec->setup.dt, 0.0625);
        }
        spec_destroy (&spec);
        seen++;
    }
    closedir (dir);
    BSW_CHECK (seen >= 3);
    return BSW_TEST_PASS;
}

static int
s_test_range_arg (void)
{
    spec_t *spec = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (
        s_load ("{\"ranges\": [{\"parameter\": \"model.I\", \"values\": [1, 2]}]}", &spec, &err),
        0);
    //  A new parameter is appended (innermost); the same one is replaced.
    BSW_CHECK_INT (spec_add_range_arg (spec, "model.a=1,2.5,3", &err), 0);
    BSW_CHECK_INT (spec->n_ranges, 2);
    BSW_CHECK_STR (spec->ranges[1].parameter, "model.a");
    BSW_CHECK (!spec->ranges[1].from_lohistep);
    BSW_CHECK_DOUBLE_EQ (spec->ranges[1].values[1], 2.5);
    BSW_CHECK_INT (spec_points (spec), 6);
    BSW_CHECK_INT (spec_add_range_arg (spec, "model.I=-5:5:0.4", &err), 0);
    BSW_CHECK_INT (spec->n_ranges, 2);
    BSW_CHECK_STR (spec->ranges[0].parameter, "model.I");
    BSW_CHECK (spec->ranges[0].from_lohistep);
    BSW_CHECK_INT (spec->ranges[0].n_values, 25);
    BSW_CHECK_DOUBLE_EQ (spec->ranges[0].values[15], 1.0000000000000053);
    BSW_CHECK_INT (spec_points (spec), 75);
    BSW_CHECK_INT (spec_add_range_arg (spec, "conduction_speed=1e1", &err), 0);
    BSW_CHECK_INT (spec_points (spec), 75);

    static const struct {
        const char *arg, *needle;
    } bad[] = {
        {"model.q=1:2:0.1", "--range model.q=1:2:0.1: unknown parameter \"model.q\""},
        {"model.I=1:2", "--range model.I=1:2: expected lo:hi:step"},
        {"model.I=1:2:0.1:4", "more than 3 values"},
        {"model.I=1:2:0", "--range model.I=1:2:0: step 0.0 is not positive"},
        {"model.I=2:1:0.1", "empty range"},
        {"model.I=1,x", "\"x\" is not a number"},
        {"model.I=1,,2", "\"\" is not a number"},
        {"model.I=nan", "\"nan\" is not finite"},
        {"model.I=1e999", "\"1e999\" is out of range"},
        {"model.I", "expected PARAM=lo:hi:step"},
        {"=1,2", "expected PARAM"},
        {"model.I=", "expected PARAM"},
        {"conduction_speed=0,1", "--range conduction_speed=0,1: values[0]: 0.0 is not positive"},
        {"integrator.noise.nsig=1", "needs integrator.type HeunStochastic"},
        {"coupling.b=0:1:5e-7", "more than 100000000 points"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = spec_add_range_arg (spec, bad[i].arg, &err);
        BSW_CHECK_MSG (rc == BSW_ESPEC, "%s: rc %d", bad[i].arg, rc);
        BSW_CHECK_MSG (strstr (err.text, bad[i].needle), "%s: \"%s\" lacks \"%s\"", bad[i].arg,
                       err.text, bad[i].needle);
    }
    //  Failed arguments leave the sweep as it was.
    BSW_CHECK_INT (spec->n_ranges, 3);
    BSW_CHECK_INT (spec_points (spec), 75);
    spec_destroy (&spec);
    return BSW_TEST_PASS;
}

//  Malformed specs: each must fail with BSW_ESPEC and a message naming the
//  field (and usually the value).
static const struct {
    const char *json, *needle;
} s_bad[] = {
    {"{\"seed\": }", "spec.json: line 1, column 10: "},
    {"{} x", "spec.json: line 1"},
    {"", "spec.json: line"},
    {"{\"seed\": 1, \"seed\": 2}", "duplicate object key"},
    {"[1, 2]", "spec.json: [1,2] is an array; a JSON object is expected"},
    {"{\"modle\": {}}", "spec.json: modle: unknown field (expected one of name, connectivity"},
    {"{\"name\": 3}", "name: 3 is an integer; a string is expected"},
    {"{\"connectivity\": \"\"}", "connectivity: \"\" is empty"},
    {"{\"conduction_speed\": 0}", "spec.json: conduction_speed: 0 is not positive"},
    {"{\"model\": []}", "model: [] is an array; an object is expected"},
    {"{\"model\": {\"params\": {}}}", "model.params: unknown field"},
    {"{\"model\": {\"type\": \"Hopf\"}}",
     "model.type: \"Hopf\" is not a known model (expected one of Generic2dOscillator, Kuramoto, "
     "SupHopf, ReducedWongWang, MontbrioPazoRoxin, JansenRit)"},
    {"{\"model\": {\"parameters\": {\"zeta\": 1}}}",
     "spec.json: model.parameters.zeta: unknown parameter of Generic2dOscillator (expected one of "
     "tau, I, a, b, c, d, e, "
     "f, g, alpha, beta, gamma)"},
    {"{\"model\": {\"parameters\": {\"a\": \"3.0\"}}}",
     "model.parameters.a: \"3.0\" is a string; a number is expected"},
    {"{\"model\": {\"parameters\": {\"a\": null}}}",
     "model.parameters.a: null is not allowed; a number is expected"},
    {"{\"simulation_length\": 1e999}", "spec.json: line 1"},
    {"{\"model\": {\"variables_of_interest\": [\"X\"]}}",
     "model.variables_of_interest[0]: \"X\" is not a variable of interest of Generic2dOscillator "
     "(expected one of V, W, V + W, V - W)"},
    {"{\"model\": {\"variables_of_interest\": [\"V\", \"W\", \"V\"]}}",
     "model.variables_of_interest[2]: \"V\" is listed twice"},
    {"{\"model\": {\"variables_of_interest\": []}}", "model.variables_of_interest: [] is empty"},
    {"{\"model\": {\"variables_of_interest\": \"V\"}}",
     "model.variables_of_interest: \"V\" is a string; an array is expected"},
    {"{\"coupling\": {\"type\": \"Sigmoidal\"}}",
     "coupling.type: \"Sigmoidal\" is not a known coupling (expected one of Linear, Difference, "
     "Kuramoto, SigmoidalJansenRit)"},
    {"{\"coupling\": {\"c\": 1}}",
     "coupling.c: unknown field of Linear coupling (expected one of type, a, b)"},
    {"{\"coupling\": {\"type\": \"Difference\", \"b\": 1}}",
     "coupling.b: unknown field of Difference coupling (expected one of type, a)"},
    {"{\"coupling\": {\"type\": \"SigmoidalJansenRit\"}}",
     "spec.json: coupling.type: SigmoidalJansenRit reads two coupling variables (the first minus "
     "the second), but Generic2dOscillator has 1"},
    {"{\"model\": {\"type\": \"SupHopf\", \"parameters\": {\"I\": 1}}}",
     "model.parameters.I: unknown parameter of SupHopf (expected one of a, omega)"},
    {"{\"model\": {\"type\": \"SupHopf\", \"variables_of_interest\": [\"V\"]}}",
     "model.variables_of_interest[0]: \"V\" is not a variable of interest of SupHopf (expected "
     "one of x, y)"},
    {"{\"model\": {\"type\": \"SupHopf\"}, \"initial_conditions\": {\"x\": [0], \"V\": [0]}}",
     "initial_conditions.V: \"V\" is not a state variable of SupHopf (expected x, y)"},
    {"{\"model\": {\"type\": \"SupHopf\"}, \"initial_conditions\": {\"x\": [0]}}",
     "initial_conditions.y: missing"},
    {"{\"model\": {\"type\": \"JansenRit\"}, \"integrator\": {\"type\": \"HeunStochastic\", "
     "\"dt\": 0.1, \"noise\": {\"nsig\": [1, 2]}}}",
     "integrator.noise.nsig: 2 values; expected one number, or 6 (one per state variable of "
     "JansenRit: y0, y1, y2, y3, y4, y5)"},
    {"{\"model\": {\"type\": \"Kuramoto\"}, \"coupling\": {\"type\": \"SigmoidalJansenRit\"}}",
     "coupling.type: SigmoidalJansenRit reads two coupling variables (the first minus the second), "
     "but Kuramoto has 1"},
    {"{\"model\": {\"type\": \"JansenRit\"}, \"coupling\": {\"type\": \"SigmoidalJansenRit\"}, "
     "\"ranges\": [{\"parameter\": \"coupling.b\", \"values\": [1]}]}",
     "unknown parameter \"coupling.b\" (rangeable: model.A, model.B, model.a, model.b, model.v0, "
     "model.nu_max, model.r, model.J, model.a_1, model.a_2, model.a_3, model.a_4, model.p_min, "
     "model.p_max, model.mu, coupling.a, coupling.cmin, coupling.cmax, coupling.midpoint, "
     "coupling.r, conduction_speed, integrator.noise.nsig)"},
    {"{\"coupling\": {\"type\": \"Kuramoto\"}, \"ranges\": [{\"parameter\": \"coupling.b\", "
     "\"values\": [1]}]}",
     "ranges[0]: unknown parameter \"coupling.b\" (rangeable: model.tau, model.I, model.a, "
     "model.b, "
     "model.c, model.d, model.e, model.f, model.g, model.alpha, model.beta, model.gamma, "
     "coupling.a, conduction_speed, integrator.noise.nsig)"},
    {"{\"integrator\": {\"dt\": 0}}", "spec.json: integrator.dt: 0 is not positive"},
    {"{\"integrator\": {\"dt\": -0.1}}", "spec.json: integrator.dt: -0.1 is not positive"},
    {"{\"integrator\": {\"dt\": true}}", "integrator.dt: true is a boolean; a number is expected"},
    {"{\"integrator\": {\"type\": \"EulerDeterministic\"}}",
     "integrator.type: \"EulerDeterministic\" is not supported"},
    {"{\"integrator\": {\"noise\": {\"nsig\": 1}}}",
     "integrator.noise: only HeunStochastic takes noise"},
    {"{\"integrator\": {\"type\": \"HeunStochastic\", \"noise\": {\"nsig\": -1}}}",
     "integrator.noise.nsig: -1 is negative"},
    {"{\"integrator\": {\"type\": \"HeunStochastic\", \"noise\": {\"nsig\": [1, -0.5]}}}",
     "integrator.noise.nsig[1]: -0.5 is negative"},
    {"{\"integrator\": {\"type\": \"HeunStochastic\", \"noise\": {\"nsig\": [1, 2, 3]}}}",
     "integrator.noise.nsig: 3 values; expected one number, or 2"},
    {"{\"integrator\": {\"type\": \"HeunStochastic\", \"noise\": {\"ntau\": 1}}}",
     "integrator.noise.ntau: unknown field"},
    {"{\"monitor\": {\"type\": \"Bold\"}}", "monitor.type: \"Bold\" is not supported"},
    {"{\"monitor\": {\"type\": \"Raw\", \"period\": 1}}",
     "monitor.period: Raw records every step and takes no period"},
    {"{\"monitor\": {\"period\": -1}}", "monitor.period: -1 is not positive"},
    {"{\"simulation_length\": 0}", "simulation_length: 0 is not positive"},
    {"{\"simulation_length\": 0.5}",
     "monitor.period: 0.9765625 is longer than simulation_length 0.5"},
    {"{\"monitor\": {\"period\": 0.001}}",
     "monitor.period: 0.001 is shorter than integrator.dt 0.01220703125"},
    {"{\"simulation_length\": 1e9}", "simulation_length: 1000000000.0 needs more than 4000000000 "
                                     "steps"},
    {"{\"initial_conditions\": {\"V\": [0, 1, 2], \"W\": [0, 1]}}",
     "initial_conditions.W: 2 values, but V has 3"},
    {"{\"initial_conditions\": {\"V\": [0, \"x\"], \"W\": [0, 1]}}",
     "initial_conditions.V[1]: \"x\" is a string; a number is expected"},
    {"{\"initial_conditions\": {\"V\": [0, 1]}}", "initial_conditions.W: missing"},
    {"{\"initial_conditions\": {\"V\": [], \"W\": []}}", "initial_conditions.V: [] is empty"},
    {"{\"initial_conditions\": {\"V\": [0], \"W\": [0], \"X\": [0]}}",
     "initial_conditions.X: \"X\" is not a state variable of Generic2dOscillator (expected V, W)"},
    {"{\"seed\": -1}", "seed: -1 is out of range (0 to 4294967295)"},
    {"{\"seed\": 4.5}", "seed: 4.5 is not an integer"},
    {"{\"seed\": 4294967296}", "seed: 4294967296 is out of range"},
    {"{\"seed\": \"42\"}", "seed: \"42\" is a string; an integer is expected"},
    {"{\"metrics\": {\"segment\": 0}}", "metrics.segment: 0 is out of range (1 to 2147483647)"},
    {"{\"metrics\": {\"segment\": 4.0}}", "metrics.segment: 4.0 is not an integer"},
    {"{\"metrics\": {\"start_point\": -1}}", "metrics.start_point: -1 is negative"},
    {"{\"ranges\": {}}", "ranges: {} is an object; an array is expected"},
    {"{\"ranges\": [3]}", "ranges[0]: 3 is an integer; an object is expected"},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"values\": [1], \"lo\": 0}]}",
     "ranges[0]: give either values or lo, hi and step, not both"},
    {"{\"ranges\": [{\"parameter\": \"model.a\"}]}", "ranges[0]: missing values (or lo, hi"},
    {"{\"ranges\": [{\"values\": [1]}]}", "ranges[0].parameter: missing"},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1}]}",
     "ranges[0].step: missing (lo, hi and step go together)"},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1, \"stpe\": 1}]}",
     "ranges[0].stpe: unknown field"},
    {"{\"ranges\": [{\"parameter\": \"model.I\", \"lo\": -5, \"hi\": 5, \"step\": 0.4}, "
     "{\"parameter\": \"model.a\", \"lo\": -5, \"hi\": 5, \"step\": 0}]}",
     "spec.json: ranges[1].step: 0 is not positive"},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1, \"step\": -0.1}]}",
     "ranges[0].step: -0.1 is not positive"},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 5, \"hi\": -5, \"step\": 0.1}]}",
     "ranges[0].hi: -5 is not above lo 5 (empty range)"},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 5, \"hi\": 5, \"step\": 0.1}]}",
     "ranges[0].hi: 5 is not above lo 5"},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"values\": []}]}",
     "ranges[0].values: [] is empty"},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"values\": [1, \"2\"]}]}",
     "ranges[0].values[1]: \"2\" is a string; a number is expected"},
    {"{\"ranges\": [{\"parameter\": \"integrator.dt\", \"values\": [1]}]}",
     "spec.json: ranges[0]: unknown parameter \"integrator.dt\" (rangeable: model.tau, "},
    {"{\"ranges\": [{\"parameter\": \"a\", \"values\": [1]}]}", "unknown parameter \"a\""},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"values\": [1]}, "
     "{\"parameter\": \"model.a\", \"values\": [2]}]}",
     "spec.json: ranges[1]: model.a is already ranged by ranges[0]"},
    {"{\"ranges\": [{\"parameter\": \"integrator.noise.nsig\", \"values\": [1, 2]}]}",
     "ranges[0]: integrator.noise.nsig needs integrator.type HeunStochastic"},
    {"{\"integrator\": {\"type\": \"HeunStochastic\"}, \"ranges\": [{\"parameter\": "
     "\"integrator.noise.nsig\", \"values\": [1, -2]}]}",
     "ranges[0]: values[1]: -2.0 is negative"},
    {"{\"ranges\": [{\"parameter\": \"conduction_speed\", \"values\": [1, 0]}]}",
     "spec.json: ranges[0]: values[1]: 0.0 is not positive (conduction_speed)"},
    {"{\"ranges\": [{\"parameter\": \"conduction_speed\", \"lo\": 0, \"hi\": 10, \"step\": 1}]}",
     "ranges[0]: lo: 0.0 is not positive (conduction_speed)"},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 20000, \"step\": 1}, "
     "{\"parameter\": \"model.b\", \"lo\": 0, \"hi\": 10000, \"step\": 1}]}",
     "spec.json: ranges[1]: 10000 values make the sweep more than 100000000 points"},
    {"{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1, \"step\": 1e-9}]}",
     "spec.json: ranges[0]: 1000000000 values make the sweep more than 100000000 points"},
};

static int
s_test_malformed (void)
{
    size_t n = sizeof s_bad / sizeof s_bad[0];
    BSW_CHECK (n >= 25);
    for (size_t i = 0; i < n; i++) {
        spec_t *spec = (spec_t *) &n; //  must come back NULL
        bsw_error_t err;
        int rc = s_load (s_bad[i].json, &spec, &err);
        BSW_CHECK_MSG (rc == BSW_ESPEC, "%s: rc %d", s_bad[i].json, rc);
        BSW_CHECK (spec == NULL);
        BSW_CHECK_INT (err.code, BSW_ESPEC);
        BSW_CHECK_MSG (strstr (err.text, s_bad[i].needle), "%s:\n  got  \"%s\"\n  want \"%s\"",
                       s_bad[i].json, err.text, s_bad[i].needle);
    }
    return BSW_TEST_PASS;
}

//  Malformed fixture files, read through spec_load_file; errors start with
//  the path as given.
static int
s_test_bad_files (void)
{
    static const struct {
        const char *file, *needle;
    } bad[] = {
        {"bad/duplicate_key.json", ": line 3, column "},
        {"bad/trailing_comma.json", ": line 3, column "},
        {"bad/top_level_array.json", "is an array; a JSON object is expected"},
        {"bad/step_zero.json", ": ranges[1].step: 0 is not positive"},
        {"bad/ic_lengths.json", ": initial_conditions.W: 2 values, but V has 3"},
    };
    char path[4096];
    if (!s_testdata ("", path, sizeof path))
        return BSW_TEST_SKIP;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s_testdata (bad[i].file, path, sizeof path);
        spec_t *spec = NULL;
        bsw_error_t err;
        BSW_CHECK_INT (spec_load_file (&spec, path, &err), BSW_ESPEC);
        BSW_CHECK (spec == NULL);
        BSW_CHECK_MSG (strncmp (err.text, path, strlen (path)) == 0, "%s", err.text);
        BSW_CHECK_MSG (strstr (err.text, bad[i].needle), "\"%s\" lacks \"%s\"", err.text,
                       bad[i].needle);
    }
    spec_t *spec = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (spec_load_file (&spec, "/nonexistent/spec.json", &err), BSW_EIO);
    BSW_CHECK (spec == NULL);
    BSW_CHECK (strstr (err.text, "/nonexistent/spec.json: cannot read: "));
    return BSW_TEST_PASS;
}

//  A spec is bounded by what each point costs with its connectivity: the
//  100-byte spec that asked every worker for 1.8 TB is refused, naming the
//  field, and so is a sweep whose slowest conduction speed needs a history
//  beyond the memory cap; the tutorial passes.
static int
s_test_costs (void)
{
    sim_connectivity_t *conn = sim_connectivity_new_default ();
    spec_t *spec = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (
        s_load ("{\"monitor\": {\"type\": \"Raw\"}, \"simulation_length\": 3.6e7}", &spec, &err),
        0);
    BSW_CHECK_INT (spec_check_connectivity (spec, conn, "spec.json", &err), BSW_ETOOBIG);
    BSW_CHECK_MSG (strstr (err.text, "spec.json: simulation_length: the series of one point"), "%s",
                   err.text);
    BSW_CHECK_MSG (strstr (err.text, "x 1 variables of interest x 76 nodes x 8 bytes"), "%s",
                   err.text);
    spec_destroy (&spec);
    //  Just under the output cap (199 MB): the memory, three copies of it, fits too.
    BSW_CHECK_INT (s_load ("{\"monitor\": {\"type\": \"Raw\"}, \"simulation_length\": 2000,"
                           " \"model\": {\"variables_of_interest\": [\"V\", \"W\"]}}",
                           &spec, &err),
                   0);
    BSW_CHECK_MSG (spec_check_connectivity (spec, conn, "spec.json", &err) == 0, "%s", err.text);
    spec_destroy (&spec);
    //  The slowest speed of a range decides the history.
    BSW_CHECK_INT (s_load ("{\"ranges\": [{\"parameter\": \"conduction_speed\", "
                           "\"values\": [3.0, 1e-5]}]}",
                           &spec, &err),
                   0);
    BSW_CHECK_INT (spec_check_connectivity (spec, conn, "spec.json", &err), BSW_ETOOBIG);
    BSW_CHECK_MSG (strstr (err.text, "spec.json: ranges[0]: one point would need"), "%s", err.text);
    spec_destroy (&spec);
    BSW_CHECK_INT (s_load ("{\"conduction_speed\": 1e-5}", &spec, &err), 0);
    BSW_CHECK_INT (spec_check_connectivity (spec, conn, "spec.json", &err), BSW_ETOOBIG);
    BSW_CHECK_MSG (strstr (err.text, "spec.json: conduction_speed: one point would need"), "%s",
                   err.text);
    spec_destroy (&spec);
    //  The tutorial, and a Raw monitor over TVB's default length, fit.
    BSW_CHECK_INT (s_load ("{\"monitor\": {\"type\": \"Raw\"}}", &spec, &err), 0);
    BSW_CHECK_MSG (spec_check_connectivity (spec, conn, "spec.json", &err) == 0, "%s", err.text);
    spec_destroy (&spec);
    //  Then the node count, as spec_check_nodes.
    BSW_CHECK_INT (s_load ("{\"initial_conditions\": {\"V\": [0], \"W\": [0]}}", &spec, &err), 0);
    BSW_CHECK_INT (spec_check_connectivity (spec, conn, "spec.json", &err), BSW_ESPEC);
    BSW_CHECK_MSG (strstr (err.text, "initial_conditions"), "%s", err.text);
    spec_destroy (&spec);
    sim_connectivity_destroy (&conn);
    return BSW_TEST_PASS;
}

//  Which connectivity paths may lead out of the spec's folder.
static int
s_test_connectivity_outside (void)
{
    static const struct {
        const char *path;
        bool outside;
    } cases[] = {
        {"c.zip", false},   {"data/c.zip", false}, {"./c.zip", false}, {"..c.zip", false},
        {"a/..b/c", false}, {"/etc/passwd", true}, {"../c.zip", true}, {"a/../c.zip", true},
        {"a/..", true},     {"a//../c", true},     {"default", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[256];
        snprintf (json, sizeof json, "{\"connectivity\": \"%s\"}", cases[i].path);
        spec_t *spec = NULL;
        bsw_error_t err;
        BSW_CHECK_INT (s_load (json, &spec, &err), 0);
        BSW_CHECK_MSG (spec->connectivity_outside == cases[i].outside, "%s", cases[i].path);
        spec_destroy (&spec);
    }
    return BSW_TEST_PASS;
}

//  A sweep's name is shown on terminals and in logs: bounded, no controls.
static int
s_test_names (void)
{
    spec_t *spec = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (s_load ("{\"name\": \"caf\u00e9 sweep\"}", &spec, &err), 0);
    BSW_CHECK (strcmp (spec->name, "caf\xc3\xa9 sweep") == 0);
    spec_destroy (&spec);
    static const char *const bad[] = {
        "{\"name\": \"two\\nlines\"}",
        "{\"name\": \"\\u001b[31mred\"}",
        "{\"name\": \"c1\\u009b\"}",
        "{\"name\": \"rtl\\u202e\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        BSW_CHECK_INT (s_load (bad[i], &spec, &err), BSW_ESPEC);
        BSW_CHECK_MSG (strstr (err.text, "spec.json: name: ") &&
                           strstr (err.text, "control character") && !strchr (err.text, '\n') &&
                           !strchr (err.text, 0x1b),
                       "%s", err.text);
    }
    char json[SPEC_MAX_NAME + 64];
    snprintf (json, sizeof json, "{\"name\": \"%0*d\"}", SPEC_MAX_NAME, 0);
    BSW_CHECK_INT (s_load (json, &spec, &err), 0);
    spec_destroy (&spec);
    snprintf (json, sizeof json, "{\"name\": \"%0*d\"}", SPEC_MAX_NAME + 1, 0);
    BSW_CHECK_INT (s_load (json, &spec, &err), BSW_ESPEC);
    BSW_CHECK_MSG (strstr (err.text, "spec.json: name: 257 bytes is longer than the 256"), "%s",
                   err.text);
    //  Every error quotes the spec escaped: here an unknown key.
    BSW_CHECK_INT (s_load ("{\"bad\\u001b[2J\\nkey\": 1}", &spec, &err), BSW_ESPEC);
    BSW_CHECK_MSG (strstr (err.text, "bad\\x1b[2J\\nkey") && !strchr (err.text, '\n'), "%s",
                   err.text);
    BSW_CHECK_INT (spec_check_name ("ok", "--name", &err), 0);
    BSW_CHECK_INT (spec_check_name ("bad\x7f", "--name", &err), BSW_ESPEC);
    BSW_CHECK_MSG (strstr (err.text, "--name: \"bad\\x7f\""), "%s", err.text);
    return BSW_TEST_PASS;
}

/*  A few bytes of spec naming an absurd sweep are refused from the bounds
    alone: nothing is expanded, so the parser's peak memory stays small (a
    hundred million values would be 800 MB). The broker parses each SUBMIT
    on its one thread, where this was a stall of seconds. */
static int
s_test_absurd_range_cheap (void)
{
    const char *json = "{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1, "
                       "\"step\": 1e-8}, {\"parameter\": \"model.b\", \"values\": [1, 2]}]}";
    if (!bsw_test_vm_reset_peak ())
        return BSW_TEST_SKIP;
    long before = bsw_test_vm_kb (0, "VmHWM");
    spec_t *spec = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (spec_load_string (&spec, json, strlen (json), "spec.json", NULL, &err),
                   BSW_ESPEC);
    BSW_CHECK (spec == NULL);
    BSW_CHECK_MSG (strstr (err.text, "ranges[1]: 2 values make the sweep more than 100000000"),
                   "%s", err.text);
    long grew = bsw_test_vm_kb (0, "VmHWM") - before;
    BSW_CHECK_MSG (grew < 100 * 1024, "the parser's peak grew by %ld kB", grew);
    //  A caller's own cap (the broker's --max-points) applies the same way.
    const char *small = "{\"ranges\": [{\"parameter\": \"model.a\", \"lo\": 0, \"hi\": 1, "
                        "\"step\": 1e-3}]}";
    BSW_CHECK_INT (
        spec_load_string_max (&spec, small, strlen (small), "spec.json", NULL, 999, &err),
        BSW_ETOOBIG);
    BSW_CHECK_STR (err.text,
                   "spec.json: ranges[0]: 1000 values make the sweep more than 999 points");
    BSW_CHECK_INT (
        spec_load_string_max (&spec, small, strlen (small), "spec.json", NULL, 1000, &err), 0);
    BSW_CHECK_INT (spec_points (spec), 1000);
    spec_destroy (&spec);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"usage", s_test_usage},
                                          {"defaults", s_test_defaults},
                                          {"coupling_types", s_test_coupling_types},
                                          {"tutorial", s_test_tutorial},
                                          {"all_fields", s_test_all_fields},
                                          {"reference", s_test_reference},
                                          {"range_arg", s_test_range_arg},
                                          {"malformed", s_test_malformed},
                                          {"bad_files", s_test_bad_files},
                                          {"costs", s_test_costs},
                                          {"names", s_test_names},
                                          {"connectivity_outside", s_test_connectivity_outside},
                                          {"absurd_range_cheap", s_test_absurd_range_cheap},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
