/*  reference_test.c - every case of shared/reference through the real CLI.

    For each case folder (spec.json, output.h5, metrics.json) this runs
    `brainsweep simulate spec.json -o OUT.h5`, then compares OUT.h5's `time`
    (exactly) and `data` (|x - ref| <= 1e-6 + 1e-6*|ref|) with TVB's
    output.h5, and the printed metrics with metrics_for_spec
    (|m - ref| <= 1e-6*|ref| + 1e-12), the tolerances of the reference
    README. Skipped (77) when shared/ is absent. The outputs go to a
    folder of the run's own (bsw_test_dir.h), kept when a case fails.
*/
#include "bsw_test.h"
#include "bsw_test_dir.h"
#include "store_h5read.h"

#include <dirent.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

//  The cases shared/reference/models holds: one per model besides G2D.
#define S_MODEL_CASES 5

static int
s_run_capture (const char *command, char *out, size_t out_size)
{
    FILE *pipe = popen (command, "r");
    if (!pipe)
        return -1;
    size_t len = fread (out, 1, out_size - 1, pipe);
    out[len] = '\0';
    return pclose (pipe);
}

static int
s_compare_data (const char *name, const char *ours, const char *ref)
{
    double *a = NULL, *b = NULL;
    size_t da[STORE_H5_MAX_RANK], db[STORE_H5_MAX_RANK];
    int ra, rb;
    bsw_error_t err;
    BSW_CHECK_MSG (store_h5_read_doubles (ours, "data", &a, da, &ra, &err) == 0, "%s", err.text);
    BSW_CHECK_MSG (store_h5_read_doubles (ref, "data", &b, db, &rb, &err) == 0, "%s", err.text);
    BSW_CHECK_INT (ra, 4);
    BSW_CHECK_INT (rb, 4);
    size_t total = 1;
    for (int k = 0; k < 4; k++) {
        BSW_CHECK_MSG (da[k] == db[k], "%s: data dim %d: %zu vs %zu", name, k, da[k], db[k]);
        total *= da[k];
    }
    double worst = 0.0;
    size_t worst_at = 0;
    for (size_t k = 0; k < total; k++) {
        double diff = fabs (a[k] - b[k]);
        double excess = diff - (1e-6 + 1e-6 * fabs (b[k]));
        if (!(diff <= 1e-6 + 1e-6 * fabs (b[k]))) {
            fprintf (stderr, "%s: data[%zu] = %.17g, TVB %.17g\n", name, k, a[k], b[k]);
            free (a);
            free (b);
            return BSW_TEST_FAIL;
        }
        if (diff > worst) {
            worst = diff;
            worst_at = k;
        }
        (void) excess;
    }
    fprintf (stderr, "%s: %zu values, max |diff| %.3g at %zu\n", name, total, worst, worst_at);
    free (a);
    free (b);

    BSW_CHECK (store_h5_read_doubles (ours, "time", &a, da, &ra, &err) == 0);
    BSW_CHECK (store_h5_read_doubles (ref, "time", &b, db, &rb, &err) == 0);
    BSW_CHECK_INT (da[0], db[0]);
    for (size_t k = 0; k < da[0]; k++)
        BSW_CHECK_MSG (a[k] == b[k], "%s: time[%zu] = %.17g, TVB %.17g", name, k, a[k], b[k]);
    free (a);
    free (b);
    return BSW_TEST_PASS;
}

static int
s_compare_metrics (const char *name, const char *printed, const char *metrics_path)
{
    json_error_t jerr;
    json_t *ours = json_loads (printed, 0, &jerr);
    BSW_CHECK_MSG (ours, "%s: metrics output is not JSON: %s: '%s'", name, jerr.text, printed);
    json_t *ref_doc = json_load_file (metrics_path, 0, &jerr);
    BSW_CHECK_MSG (ref_doc, "%s: %s", metrics_path, jerr.text);
    json_t *ref = json_object_get (ref_doc, "metrics_for_spec");
    BSW_CHECK (ref);
    BSW_CHECK_INT (json_object_size (ours), json_object_size (ref));
    //  Same keys in the same (TVB's) order.
    void *it_a = json_object_iter (ours), *it_b = json_object_iter (ref);
    while (it_a && it_b) {
        const char *key = json_object_iter_key (it_a);
        BSW_CHECK_STR (key, json_object_iter_key (it_b));
        double m = json_number_value (json_object_iter_value (it_a));
        double r = json_real_value (json_object_get (json_object_iter_value (it_b), "value"));
        double tol = 1e-6 * fabs (r) + 1e-12;
        BSW_CHECK_MSG (fabs (m - r) <= tol, "%s: %s = %.17g, TVB %.17g (diff %.3g > %.3g)", name,
                       key, m, r, fabs (m - r), tol);
        fprintf (stderr, "%s: %-22s %.17g (rel diff %.2g)\n", name, key, m,
                 r != 0 ? fabs (m - r) / fabs (r) : fabs (m));
        it_a = json_object_iter_next (ours, it_a);
        it_b = json_object_iter_next (ref, it_b);
    }
    json_decref (ours);
    json_decref (ref_doc);
    return BSW_TEST_PASS;
}

//  Runs the case in folder dir; its output goes to out_dir/<name>.h5,
//  removed when it matches.
static int
s_run_case (const char *dir, const char *name, const char *out_dir)
{
    char command[8192], printed[8192], out_path[4096], ref_path[4096], metrics_path[4096];
    snprintf (out_path, sizeof out_path, "%s/%s.h5", out_dir, name);
    snprintf (command, sizeof command,
              "'%s/brainsweep' simulate --connectivity-anywhere '%s/spec.json' -o '%s'",
              getenv ("BSW_BIN_DIR"), dir, out_path);
    int rc = s_run_capture (command, printed, sizeof printed);
    BSW_CHECK_MSG (rc == 0, "%s: '%s' exited %d", name, command, rc);
    snprintf (ref_path, sizeof ref_path, "%s/output.h5", dir);
    snprintf (metrics_path, sizeof metrics_path, "%s/metrics.json", dir);
    if (s_compare_data (name, out_path, ref_path))
        return BSW_TEST_FAIL;
    if (s_compare_metrics (name, printed, metrics_path))
        return BSW_TEST_FAIL;
    unlink (out_path);
    return BSW_TEST_PASS;
}

/*  Every case folder found under shared/<sub>; at least `expected`. */
static int
s_run_folder (const char *sub, int expected)
{
    const char *shared = bsw_test_shared_dir ();
    if (!shared)
        return BSW_TEST_SKIP;
    char refdir[1024];
    snprintf (refdir, sizeof refdir, "%s/%s", shared, sub);
    DIR *dir = opendir (refdir);
    BSW_CHECK (dir);
    char out_dir[BSW_TEST_DIR_MAX];
    BSW_CHECK (bsw_test_dir_new (out_dir, "reference_test"));
    int cases = 0, failed = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        char case_dir[2048], spec[2112];
        snprintf (case_dir, sizeof case_dir, "%s/%s", refdir, entry->d_name);
        snprintf (spec, sizeof spec, "%s/spec.json", case_dir);
        struct stat st;
        if (entry->d_name[0] == '.' || stat (spec, &st) != 0)
            continue;
        cases++;
        if (s_run_case (case_dir, entry->d_name, out_dir) != BSW_TEST_PASS)
            failed++;
    }
    closedir (dir);
    if (failed)
        fprintf (stderr, "the failed cases' outputs are in %s\n", out_dir);
    else
        bsw_test_dir_remove (out_dir);
    BSW_CHECK_MSG (cases >= expected, "found only %d reference cases in %s", cases, sub);
    BSW_CHECK_INT (failed, 0);
    return BSW_TEST_PASS;
}

/*  The Generic 2D Oscillator's cases, shared/reference/<case>. */
static int
s_test_all_cases (void)
{
    return s_run_folder ("reference", 3);
}

/*  One case of each further model, shared/reference/models/<case>. */
static int
s_test_models (void)
{
    return s_run_folder ("reference/models", S_MODEL_CASES);
}

static const bsw_test_case_t s_cases[] = {
    {"all_cases", s_test_all_cases}, {"models", s_test_models}, {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
