/*  bsw_pyjson_test.c - the json.dumps-style writer: the texts Python
    writes for the same values (checked against Python 3's json.dumps),
    TVB's doubly encoded ranges, and misuse caught by BSW_ASSERT. */
#include "bsw_pyjson.h"
#include "bsw_test.h"
#include "bsw_util.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/*  Usage: a dict of metrics as TVB's DatatypeMeasure stores it. */
static int
s_test_usage (void)
{
    bsw_pyjson_t j;
    bsw_pyjson_init (&j);
    bsw_pyjson_object_begin (&j);
    bsw_pyjson_key (&j, "GlobalVariance");
    bsw_pyjson_double (&j, 1.5);
    bsw_pyjson_key (&j, "Synchrony");
    bsw_pyjson_double (&j, NAN);
    bsw_pyjson_object_end (&j);
    char *text = bsw_pyjson_take (&j);
    BSW_CHECK_STR (text, "{\"GlobalVariance\": 1.5, \"Synchrony\": NaN}");
    free (text);
    //  Taking leaves an empty writer, ready for the next text.
    static const char *const voi[] = {"V", "W"};
    bsw_pyjson_strings (&j, voi, 2);
    text = bsw_pyjson_take (&j);
    BSW_CHECK_STR (text, "[\"V\", \"W\"]");
    free (text);
    return BSW_TEST_PASS;
}

//  Python: json.dumps({"GlobalVariance": 1.5, "Synchrony": float("nan"),
//  "x": [inf, -inf, -0.0, 1e-07, 1e16, 0.1], "e": {}, "l": []}).
static int
s_test_nesting (void)
{
    bsw_pyjson_t j;
    bsw_pyjson_init (&j);
    bsw_pyjson_object_begin (&j);
    bsw_pyjson_key (&j, "GlobalVariance");
    bsw_pyjson_double (&j, 1.5);
    bsw_pyjson_key (&j, "Synchrony");
    bsw_pyjson_double (&j, NAN);
    bsw_pyjson_key (&j, "x");
    bsw_pyjson_list_begin (&j);
    static const double numbers[] = {INFINITY, -INFINITY, -0.0, 1e-07, 1e16, 0.1};
    for (size_t i = 0; i < sizeof numbers / sizeof *numbers; i++)
        bsw_pyjson_double (&j, numbers[i]);
    bsw_pyjson_list_end (&j);
    bsw_pyjson_key (&j, "e");
    bsw_pyjson_object_begin (&j);
    bsw_pyjson_object_end (&j);
    bsw_pyjson_key (&j, "l");
    bsw_pyjson_strings (&j, NULL, 0);
    bsw_pyjson_object_end (&j);
    char *text = bsw_pyjson_take (&j);
    BSW_CHECK_STR (text, "{\"GlobalVariance\": 1.5, \"Synchrony\": NaN, \"x\": [Infinity, "
                         "-Infinity, -0.0, 1e-07, 1e+16, 0.1], \"e\": {}, \"l\": []}");
    free (text);
    //  A lone value is a text too.
    bsw_pyjson_double (&j, 750.0);
    text = bsw_pyjson_take (&j);
    BSW_CHECK_STR (text, "750.0");
    free (text);
    //  fini drops an unfinished text.
    bsw_pyjson_list_begin (&j);
    bsw_pyjson_string (&j, "dropped");
    bsw_pyjson_fini (&j);
    BSW_CHECK (j.text == NULL && j.len == 0 && j.depth == 0);
    return BSW_TEST_PASS;
}

static int
s_check_string (const char *in, const char *want)
{
    bsw_pyjson_t j;
    bsw_pyjson_init (&j);
    bsw_pyjson_string (&j, in);
    char *text = bsw_pyjson_take (&j);
    BSW_CHECK_STR (text, want);
    free (text);
    return BSW_TEST_PASS;
}

//  ensure_ascii, as json.dumps does by default; bytes that are not UTF-8
//  (which a Python str cannot hold) become U+FFFD.
static int
s_test_strings (void)
{
    //  json.dumps("a\"b\\c\n\r\t\b\f\x01\x1f\x7f /<>&~")
    BSW_CHECK (!s_check_string ("a\"b\\c\n\r\t\b\f\x01\x1f\x7f /<>&~",
                                "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f /<>&~\""));
    //  json.dumps("\u00e9\u20ac\U0001f600"): BMP in one escape, beyond it a surrogate pair.
    BSW_CHECK (!s_check_string ("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
                                "\"\\u00e9\\u20ac\\ud83d\\ude00\""));
    BSW_CHECK (!s_check_string ("", "\"\""));
    //  A stray byte, an overlong '/', a truncated euro sign, a surrogate.
    BSW_CHECK (!s_check_string ("x\xffy", "\"x\\ufffdy\""));
    BSW_CHECK (!s_check_string ("\xc0\xaf", "\"\\ufffd\\ufffd\""));
    BSW_CHECK (!s_check_string ("\xe2\x82", "\"\\ufffd\\ufffd\""));
    BSW_CHECK (!s_check_string ("\xed\xa0\x80.", "\"\\ufffd\\ufffd\\ufffd.\""));
    //  Keys are escaped alike.
    bsw_pyjson_t j;
    bsw_pyjson_init (&j);
    bsw_pyjson_object_begin (&j);
    bsw_pyjson_key (&j, "a\"\xc3\xa9");
    bsw_pyjson_string (&j, "v");
    bsw_pyjson_object_end (&j);
    char *text = bsw_pyjson_take (&j);
    BSW_CHECK_STR (text, "{\"a\\\"\\u00e9\": \"v\"}");
    free (text);
    return BSW_TEST_PASS;
}

//  TVB_ranges: a list of range texts, each itself JSON (TVB.md 10.2), as
//  TVB writes json.dumps([json.dumps(["model.I", {"lo": 0.0, ...}])]).
static int
s_test_doubly_encoded (void)
{
    bsw_pyjson_t inner, outer;
    bsw_pyjson_init (&inner);
    bsw_pyjson_list_begin (&inner);
    bsw_pyjson_string (&inner, "model.I");
    bsw_pyjson_object_begin (&inner);
    bsw_pyjson_key (&inner, "lo");
    bsw_pyjson_double (&inner, 0.0);
    bsw_pyjson_key (&inner, "step");
    bsw_pyjson_double (&inner, 0.5);
    bsw_pyjson_key (&inner, "hi");
    bsw_pyjson_double (&inner, 1.0);
    bsw_pyjson_object_end (&inner);
    bsw_pyjson_list_end (&inner);
    char *range = bsw_pyjson_take (&inner);
    BSW_CHECK_STR (range, "[\"model.I\", {\"lo\": 0.0, \"step\": 0.5, \"hi\": 1.0}]");
    bsw_pyjson_init (&outer);
    bsw_pyjson_strings (&outer, (const char *const *) &range, 1);
    char *text = bsw_pyjson_take (&outer);
    BSW_CHECK_STR (
        text, "[\"[\\\"model.I\\\", {\\\"lo\\\": 0.0, \\\"step\\\": 0.5, \\\"hi\\\": 1.0}]\"]");
    free (range);
    free (text);
    return BSW_TEST_PASS;
}

//  Runs one misuse in a child, which must die of SIGABRT.
static bool
s_aborts (void (*misuse) (bsw_pyjson_t *))
{
    pid_t pid = fork ();
    if (pid == 0) {
        //  The child's report of the failed check is expected; hide it.
        freopen ("/dev/null", "w", stderr);
        bsw_pyjson_t j;
        bsw_pyjson_init (&j);
        misuse (&j);
        _exit (0);
    }
    int status = 0;
    return pid > 0 && waitpid (pid, &status, 0) == pid && WIFSIGNALED (status) &&
           WTERMSIG (status) == SIGABRT;
}

static void
s_key_in_list (bsw_pyjson_t *j)
{
    bsw_pyjson_list_begin (j);
    bsw_pyjson_key (j, "k");
}

static void
s_value_without_key (bsw_pyjson_t *j)
{
    bsw_pyjson_object_begin (j);
    bsw_pyjson_double (j, 1.0);
}

static void
s_wrong_end (bsw_pyjson_t *j)
{
    bsw_pyjson_object_begin (j);
    bsw_pyjson_list_end (j);
}

static void
s_key_without_value (bsw_pyjson_t *j)
{
    bsw_pyjson_object_begin (j);
    bsw_pyjson_key (j, "k");
    bsw_pyjson_object_end (j);
}

static void
s_take_unfinished (bsw_pyjson_t *j)
{
    bsw_pyjson_list_begin (j);
    free (bsw_pyjson_take (j));
}

static void
s_two_values (bsw_pyjson_t *j)
{
    bsw_pyjson_double (j, 1.0);
    bsw_pyjson_double (j, 2.0);
}

static void
s_nothing_to_take (bsw_pyjson_t *j)
{
    free (bsw_pyjson_take (j));
}

static void
s_well_formed (bsw_pyjson_t *j)
{
    bsw_pyjson_object_begin (j);
    bsw_pyjson_object_end (j);
    free (bsw_pyjson_take (j));
}

static int
s_test_misuse (void)
{
    BSW_CHECK (s_aborts (s_key_in_list));
    BSW_CHECK (s_aborts (s_value_without_key));
    BSW_CHECK (s_aborts (s_wrong_end));
    BSW_CHECK (s_aborts (s_key_without_value));
    BSW_CHECK (s_aborts (s_take_unfinished));
    BSW_CHECK (s_aborts (s_two_values));
    BSW_CHECK (s_aborts (s_nothing_to_take));
    //  The harness itself: a correct use does not abort.
    BSW_CHECK (!s_aborts (s_well_formed));
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {
    {"usage", s_test_usage},     {"nesting", s_test_nesting},
    {"strings", s_test_strings}, {"doubly_encoded", s_test_doubly_encoded},
    {"misuse", s_test_misuse},   {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
