/*  bsw_util_test.c - the error table, the always-on check, exact double
    formatting, UTF-8, UUIDs. */
#include "bsw_assert.h"
#include "bsw_error.h"
#include "bsw_test.h"
#include "bsw_util.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/*  Usage: fill an error, read its code, name and sentence. */
static int
s_test_errors (void)
{
    bsw_error_t err;
    bsw_error_clear (&err);
    int rc = bsw_error_set (&err, BSW_ESPEC, "ranges[%d].step: %s is not positive", 1, "0");
    BSW_CHECK_INT (rc, BSW_ESPEC);
    BSW_CHECK (rc < 0);
    BSW_CHECK_STR (err.text, "ranges[1].step: 0 is not positive");
    bsw_error_prefix (&err, "%s", "spec.json");
    BSW_CHECK_STR (err.text, "spec.json: ranges[1].step: 0 is not positive");
    BSW_CHECK_STR (bsw_errname (BSW_ESPEC), "SPEC");
    BSW_CHECK_STR (bsw_strerror (BSW_ENOMEM), "out of memory");
    BSW_CHECK_STR (bsw_errname (12345), "UNKNOWN");
    BSW_CHECK_INT (bsw_error_set (NULL, BSW_EIO, "x"), BSW_EIO);
    return BSW_TEST_PASS;
}

static int
s_test_format_double (void)
{
    char buf[BSW_DOUBLE_BUF];
    BSW_CHECK_STR (bsw_format_double (0.1, buf), "0.1");
    BSW_CHECK_STR (bsw_format_double (1.0, buf), "1.0");
    BSW_CHECK_STR (bsw_format_double (-2.0, buf), "-2.0");
    BSW_CHECK_STR (bsw_format_double (0.30000000000000004, buf), "0.30000000000000004");
    BSW_CHECK_STR (bsw_format_double (1.0000000000000053, buf), "1.0000000000000053");
    BSW_CHECK_STR (bsw_format_double (NAN, buf), "NaN");
    BSW_CHECK_STR (bsw_format_double (-INFINITY, buf), "-Infinity");
    BSW_CHECK_STR (bsw_format_double (1e300, buf), "1e+300");
    //  Python's repr layout: fixed from 1e-4 up to 1e16, else scientific.
    BSW_CHECK_STR (bsw_format_double (750.0, buf), "750.0");
    BSW_CHECK_STR (bsw_format_double (1e-7, buf), "1e-07");
    BSW_CHECK_STR (bsw_format_double (0.0001, buf), "0.0001");
    BSW_CHECK_STR (bsw_format_double (1.5e-05, buf), "1.5e-05");
    BSW_CHECK_STR (bsw_format_double (1e16, buf), "1e+16");
    BSW_CHECK_STR (bsw_format_double (123456789012345.6, buf), "123456789012345.6");
    BSW_CHECK_STR (bsw_format_double (0.0, buf), "0.0");
    BSW_CHECK_STR (bsw_format_double (-0.0, buf), "-0.0");
    BSW_CHECK_STR (bsw_format_double (6.173360620119544e-12, buf), "6.173360620119544e-12");
    BSW_CHECK_STR (bsw_format_double (1021.0286620984439, buf), "1021.0286620984439");
    //  Every value reads back exactly.
    double x = 1.0 / 3.0;
    for (int k = 0; k < 1000; k++) {
        x = x * 1.7 + 1e-9;
        BSW_CHECK (strtod (bsw_format_double (x, buf), NULL) == x);
    }
    return BSW_TEST_PASS;
}

static int
s_test_utf8 (void)
{
    uint32_t cp = 0;
    BSW_CHECK_INT (bsw_utf8_next ("A", &cp), 1);
    BSW_CHECK_INT (cp, 'A');
    BSW_CHECK_INT (bsw_utf8_next ("\xc3\xa9", &cp), 2);
    BSW_CHECK_INT (cp, 0xe9);
    BSW_CHECK_INT (bsw_utf8_next ("\xe2\x82\xac", &cp), 3);
    BSW_CHECK_INT (cp, 0x20ac);
    BSW_CHECK_INT (bsw_utf8_next ("\xf4\x8f\xbf\xbf", &cp), 4);
    BSW_CHECK_INT (cp, 0x10ffff);
    BSW_CHECK_INT (bsw_utf8_next ("", &cp), 0);                 // the end
    BSW_CHECK_INT (bsw_utf8_next ("\x80", &cp), 0);             // a continuation byte
    BSW_CHECK_INT (bsw_utf8_next ("\xc0\xaf", &cp), 0);         // overlong '/'
    BSW_CHECK_INT (bsw_utf8_next ("\xe0\x80\x80", &cp), 0);     // overlong NUL
    BSW_CHECK_INT (bsw_utf8_next ("\xe2\x82", &cp), 0);         // truncated at the end
    BSW_CHECK_INT (bsw_utf8_next ("\xe2\x82x", &cp), 0);        // truncated by a letter
    BSW_CHECK_INT (bsw_utf8_next ("\xed\xa0\x80", &cp), 0);     // a surrogate
    BSW_CHECK_INT (bsw_utf8_next ("\xf4\x90\x80\x80", &cp), 0); // beyond U+10FFFF
    BSW_CHECK_INT (bsw_utf8_next ("\xff", &cp), 0);
    char *s = bsw_utf8_strdup ("ok \xc3\xa9 \xff\xe2\x82.");
    BSW_CHECK_STR (s, "ok \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd.");
    free (s);
    return BSW_TEST_PASS;
}

static int
s_test_uuid (void)
{
    bsw_hash128_t h1, h2;
    bsw_hash128_init (&h1);
    bsw_hash128_init (&h2);
    bsw_hash128_update (&h1, "abc", 3);
    bsw_hash128_update (&h2, "abd", 3);
    char a[37], b[37], c[37];
    bsw_uuid_from_hash (&h1, a);
    bsw_uuid_from_hash (&h2, b);
    BSW_CHECK_INT (strlen (a), 36);
    BSW_CHECK (strcmp (a, b) != 0);
    BSW_CHECK (a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
    BSW_CHECK (a[14] == '5');
    BSW_CHECK_INT (bsw_uuid_random (c), 0);
    BSW_CHECK (c[14] == '4');
    BSW_CHECK (strcmp (a, c) != 0);
    return BSW_TEST_PASS;
}

//  BSW_ASSERT stays on in the builds the project makes (NDEBUG defined): a
//  child process trips one and must die of SIGABRT, saying where.
static int
s_test_assert_always_on (void)
{
    int fds[2];
    BSW_CHECK (pipe (fds) == 0);
    pid_t pid = fork ();
    BSW_CHECK (pid >= 0);
    if (pid == 0) {
        dup2 (fds[1], STDERR_FILENO);
        volatile int broken = 1;
        BSW_ASSERT (broken == 0);
        _exit (0); // reached only if the check is compiled out
    }
    close (fds[1]);
    char text[512] = "";
    size_t used = 0;
    ssize_t n;
    while (used + 1 < sizeof text && (n = read (fds[0], text + used, sizeof text - 1 - used)) > 0)
        used += (size_t) n;
    text[used] = '\0';
    close (fds[0]);
    int status = 0;
    BSW_CHECK (waitpid (pid, &status, 0) == pid);
    BSW_CHECK_MSG (WIFSIGNALED (status) && WTERMSIG (status) == SIGABRT, "status %d", status);
    BSW_CHECK_MSG (strstr (text, "check failed: broken == 0"), "stderr: %s", text);
    BSW_CHECK_MSG (strstr (text, "bsw_util_test.c"), "stderr: %s", text);
    return BSW_TEST_PASS;
}

//  Text from peers: controls and invalid bytes escaped, the rest kept.
static int
s_test_text_escape (void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"tutorial", "tutorial"},
        {"caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"}, // UTF-8 kept
        {"a\nb\rc\td", "a\\nb\\rc\\td"},                          // a forged log line
        {"\x1b[2Jred", "\\x1b[2Jred"},                            // a terminal escape
        {"del\x7f", "del\\x7f"},
        {"c1\xc2\x9b", "c1\\x9b"},                 // C1 CSI
        {"bidi\xe2\x80\xae", "bidi\\u{202e}"},     // right-to-left override
        {"bad\xff\xc0\xaf", "bad\\xff\\xc0\\xaf"}, // not UTF-8
        {"back\\slash", "back\\slash"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = bsw_text_escape (cases[i].in);
        BSW_CHECK_MSG (strcmp (got, cases[i].out) == 0, "case %zu: got \"%s\"", i, got);
        BSW_CHECK_INT (bsw_text_unsafe (cases[i].in), strcmp (cases[i].in, cases[i].out) != 0);
        free (got);
    }
    char *none = bsw_text_escape (NULL);
    BSW_CHECK (strcmp (none, "") == 0);
    free (none);
    //  Worst case growth: every byte an escape of 4.
    char *worst = bsw_text_escape ("\x01\x02\xff");
    BSW_CHECK (strcmp (worst, "\\x01\\x02\\xff") == 0);
    free (worst);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"errors", s_test_errors},
                                          {"assert_always_on", s_test_assert_always_on},
                                          {"format_double", s_test_format_double},
                                          {"utf8", s_test_utf8},
                                          {"text_escape", s_test_text_escape},
                                          {"uuid", s_test_uuid},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
