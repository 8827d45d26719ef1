/*  bsw_test.h - the tiny harness every test file uses.

    A test file defines its cases as functions and ends with a table:

        static const bsw_test_case_t s_cases[] = {
            {"usage", s_test_usage},
            {"errors", s_test_errors},
            {NULL, NULL}};
        int main (int argc, char **argv) { return bsw_test_main (argc, argv, s_cases); }

    With no argument every case runs; a case name on the command line runs
    just that case. A case returns BSW_TEST_PASS, BSW_TEST_FAIL or
    BSW_TEST_SKIP; a run with only skips exits 77 (CTest's skip code).
*/
#ifndef BSW_TEST_H_INCLUDED
#define BSW_TEST_H_INCLUDED

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BSW_TEST_PASS = 0, BSW_TEST_FAIL = 1, BSW_TEST_SKIP = 77 };

typedef struct {
    const char *name;
    int (*fn) (void);
} bsw_test_case_t;

#define BSW_CHECK(cond)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);              \
            return BSW_TEST_FAIL;                                                                  \
        }                                                                                          \
    } while (0)

#define BSW_CHECK_MSG(cond, ...)                                                                   \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf (stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);              \
            fprintf (stderr, __VA_ARGS__);                                                         \
            fprintf (stderr, "\n");                                                                \
            return BSW_TEST_FAIL;                                                                  \
        }                                                                                          \
    } while (0)

#define BSW_CHECK_INT(a, b)                                                                        \
    do {                                                                                           \
        long long va_ = (long long) (a), vb_ = (long long) (b);                                    \
        if (va_ != vb_) {                                                                          \
            fprintf (stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a,   \
                     va_, #b, vb_);                                                                \
            return BSW_TEST_FAIL;                                                                  \
        }                                                                                          \
    } while (0)

#define BSW_CHECK_STR(a, b)                                                                        \
    do {                                                                                           \
        const char *sa_ = (a), *sb_ = (b);                                                         \
        if (!sa_ || !sb_ || strcmp (sa_, sb_) != 0) {                                              \
            fprintf (stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a,     \
                     sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");                                  \
            return BSW_TEST_FAIL;                                                                  \
        }                                                                                          \
    } while (0)

/*  Exact double equality, bit for bit (NaN equals NaN). */
#define BSW_CHECK_DOUBLE_EQ(a, b)                                                                  \
    do {                                                                                           \
        double da_ = (a), db_ = (b);                                                               \
        if (!(da_ == db_ || (isnan (da_) && isnan (db_)))) {                                       \
            fprintf (stderr, "%s:%d: %s == %.17g, expected %.17g\n", __FILE__, __LINE__, #a, da_,  \
                     db_);                                                                         \
            return BSW_TEST_FAIL;                                                                  \
        }                                                                                          \
    } while (0)

/*  The folder of the read-only shared data (../shared), or NULL when absent;
    tests that need it return BSW_TEST_SKIP then. */
static inline const char *
bsw_test_shared_dir (void)
{
    const char *dir = getenv ("BSW_SHARED");
    if (!dir || !*dir)
        return NULL;
    char probe[4096];
    snprintf (probe, sizeof probe, "%s/spec/TVB.md", dir);
    FILE *f = fopen (probe, "r");
    if (!f)
        return NULL;
    fclose (f);
    return dir;
}

/*  A line of /proc/PID/status in kB ("VmHWM", "VmRSS"; pid 0: this
    process), or -1 when it cannot be read (not Linux, process gone). */
static inline long
bsw_test_vm_kb (int pid, const char *key)
{
    char path[64], line[256];
    if (pid)
        snprintf (path, sizeof path, "/proc/%d/status", pid);
    else
        snprintf (path, sizeof path, "/proc/self/status");
    FILE *f = fopen (path, "r");
    if (!f)
        return -1;
    long kb = -1;
    size_t len = strlen (key);
    while (kb < 0 && fgets (line, sizeof line, f))
        if (strncmp (line, key, len) == 0 && line[len] == ':')
            kb = strtol (line + len + 1, NULL, 10);
    fclose (f);
    return kb;
}

/*  Resets this process's VmHWM to its VmRSS (Linux's clear_refs "5"), so a
    case can measure its own peak; false when the kernel does not allow it. */
static inline bool
bsw_test_vm_reset_peak (void)
{
    FILE *f = fopen ("/proc/self/clear_refs", "w");
    if (!f)
        return false;
    bool ok = fputs ("5", f) >= 0;
    return fclose (f) == 0 && ok;
}

static inline int
bsw_test_main (int argc, char **argv, const bsw_test_case_t *cases)
{
    int failed = 0, passed = 0, skipped = 0, matched = 0;
    for (const bsw_test_case_t *c = cases; c->name; c++) {
        if (argc > 1) {
            int wanted = 0;
            for (int i = 1; i < argc; i++)
                if (strcmp (argv[i], c->name) == 0)
                    wanted = 1;
            if (!wanted)
                continue;
        }
        matched++;
        int rc = c->fn ();
        const char *verdict = rc == BSW_TEST_PASS ? "ok" : rc == BSW_TEST_SKIP ? "skip" : "FAIL";
        fprintf (stderr, "%-40s %s\n", c->name, verdict);
        if (rc == BSW_TEST_PASS)
            passed++;
        else if (rc == BSW_TEST_SKIP)
            skipped++;
        else
            failed++;
    }
    if (argc > 1 && matched == 0) {
        fprintf (stderr, "no test case named %s\n", argv[1]);
        return 2;
    }
    fprintf (stderr, "%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    if (failed)
        return 1;
    if (passed == 0 && skipped > 0)
        return BSW_TEST_SKIP;
    return 0;
}

#endif
