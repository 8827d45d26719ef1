/*  bsw_opts_test.c - table-driven command lines: values, every kind of
    mistake and its sentence, repeats, operands, required rows, --help. */
#include "bsw_opts.h"
#include "bsw_test.h"

#include <stdbool.h>
#include <stdint.h>

/*  Where one test command puts its values. */
typedef struct {
    const char *spec;       /* operand SPEC.json */
    uint64_t count;         /* optional operand COUNT */
    const char *output;     /* -o */
    uint64_t workers;       /* -w, 1..4096 */
    uint64_t point;         /* --point, any */
    double ratio;           /* --ratio, 0..1 */
    bool quiet;             /* -q */
    bsw_opts_list_t ranges; /* -r, repeatable */
    int scale;              /* --scale auto|linear|log = 0|1|2; --log = 2 */
} s_values_t;

static int
s_scale (void *dest, const char *value)
{
    static const char *names[] = {"auto", "linear", "log"};
    for (int k = 0; k < 3; k++)
        if (strcmp (value, names[k]) == 0) {
            *(int *) dest = k;
            return 0;
        }
    return -1;
}

static int
s_log (void *dest, const char *value)
{
    *(int *) dest = 2;
    return 0;
}

static const char s_about[] = "Runs a test.\n";
static const char s_epilog[] = "Exit status: 0, 1 or 2.\n";

/*  Parses `args` (words separated by spaces; '' is an empty word) with the
    test command into v, which holds the defaults on entry. */
static int
s_parse (const char *args, s_values_t *v, bsw_error_t *err)
{
    const bsw_opt_t options[] = {
        {.name = "SPEC.json",
         .kind = BSW_OPT_STRING,
         .dest = &v->spec,
         .positional = true,
         .required = true},
        {.name = "COUNT", .kind = BSW_OPT_U64, .dest = &v->count, .positional = true, .min = 1},
        {.name = "output",
         .letter = 'o',
         .kind = BSW_OPT_STRING,
         .dest = &v->output,
         .arg = "FILE.zip",
         .help = "where to write the zip",
         .required = true},
        {.name = "workers",
         .letter = 'w',
         .kind = BSW_OPT_U64,
         .dest = &v->workers,
         .arg = "N",
         .help = "compute threads\n(default: all cores)",
         .min = 1,
         .max = 4096},
        {.name = "point", .kind = BSW_OPT_U64, .dest = &v->point, .arg = "K", .help = "a point"},
        {.name = "ratio",
         .kind = BSW_OPT_DOUBLE,
         .dest = &v->ratio,
         .arg = "R",
         .help = "a ratio",
         .lo = 0,
         .hi = 1},
        {.name = "quiet",
         .letter = 'q',
         .kind = BSW_OPT_FLAG,
         .dest = &v->quiet,
         .help = "no progress"},
        {.name = "range",
         .letter = 'r',
         .kind = BSW_OPT_LIST,
         .dest = &v->ranges,
         .arg = "PARAM=lo:hi:step",
         .help = "add a range; repeatable"},
        {.name = "scale",
         .kind = BSW_OPT_CALL,
         .dest = &v->scale,
         .arg = "MODE",
         .help = "auto, linear or log",
         .call = s_scale,
         .expect = "auto, linear or log"},
        {.name = "log",
         .kind = BSW_OPT_CALL,
         .dest = &v->scale,
         .help = "log scale",
         .call = s_log},
        {.name = "scales",
         .kind = BSW_OPT_CALL,
         .dest = &v->scale,
         .arg = "MODE",
         .call = s_scale,
         .expect = "auto, linear or log"},
        {NULL}};
    const bsw_opts_t cmd = {"test run", s_about, options, s_epilog};
    char copy[1024], *words[160] = {"test"}, *save = NULL;
    int argc = 1;
    snprintf (copy, sizeof copy, "%s", args);
    for (char *w = strtok_r (copy, " ", &save); w && argc < 159; w = strtok_r (NULL, " ", &save))
        words[argc++] = strcmp (w, "''") == 0 ? w + 2 : w;
    words[argc] = NULL;
    return bsw_opts_parse (&cmd, argc, words, err);
}

/*  Usage: a table, argv, the values in their variables. */
static int
s_test_usage (void)
{
    s_values_t v = {.workers = 0, .scale = 0};
    bsw_error_t err;
    BSW_CHECK_INT (s_parse ("spec.json -o out.zip -w 8 -q -r model.a=1:2:0.5", &v, &err), 0);
    BSW_CHECK_STR (v.spec, "spec.json");
    BSW_CHECK_STR (v.output, "out.zip");
    BSW_CHECK_INT (v.workers, 8);
    BSW_CHECK (v.quiet);
    BSW_CHECK_INT (v.ranges.count, 1);
    BSW_CHECK_STR (v.ranges.items[0], "model.a=1:2:0.5");
    BSW_CHECK_STR (err.text, "");
    return BSW_TEST_PASS;
}

/*  Every case: the arguments, the return, the sentence. */
static int
s_test_cases (void)
{
    const struct {
        const char *args;
        int rc;
        const char *text;
    } cases[] = {
        //  Good values, in every spelling getopt_long allows.
        {"spec.json -o x --workers 1", 0, ""},
        {"spec.json -o x --workers=4096", 0, ""},
        {"-o x spec.json --work 7", 0, ""},
        {"spec.json -ox -w9 --point 0 --ratio 0.25", 0, ""},
        {"spec.json 12 -o x --ratio 1 --point 18446744073709551615", 0, ""},
        {"-o x -- -spec.json", 0, ""},
        //  Out of range.
        {"spec.json -o x --workers 0", BSW_EINVAL, "--workers 0: must be between 1 and 4096"},
        {"spec.json -o x -w 4097", BSW_EINVAL, "--workers 4097: must be between 1 and 4096"},
        {"spec.json -o x -w 99999999999999999999999", BSW_EINVAL,
         "--workers 99999999999999999999999: must be between 1 and 4096"},
        {"spec.json -o x --point 18446744073709551616", BSW_EINVAL,
         "--point 18446744073709551616: must be a smaller whole number"},
        {"spec.json -o x --ratio 1.5", BSW_EINVAL, "--ratio 1.5: must be between 0 and 1"},
        {"spec.json 0 -o x", BSW_EINVAL, "COUNT 0: must be at least 1"},
        //  Not a number.
        {"spec.json -o x --workers abc", BSW_EINVAL,
         "--workers abc: must be a whole number between 1 and 4096"},
        {"spec.json -o x --workers -1", BSW_EINVAL,
         "--workers -1: must be a whole number between 1 and 4096"},
        {"spec.json -o x --workers 2.5", BSW_EINVAL,
         "--workers 2.5: must be a whole number between 1 and 4096"},
        {"spec.json -o x --workers ''", BSW_EINVAL,
         "--workers '': must be a whole number between 1 and 4096"},
        {"spec.json -o x --point +3", BSW_EINVAL, "--point +3: must be a whole number"},
        {"spec.json -o x --ratio nan", BSW_EINVAL, "--ratio nan: must be a number between 0 and 1"},
        {"spec.json -o x --ratio 0.5x", BSW_EINVAL,
         "--ratio 0.5x: must be a number between 0 and 1"},
        {"spec.json abc -o x", BSW_EINVAL, "COUNT abc: must be a whole number (at least 1)"},
        {"spec.json -o x --scale big", BSW_EINVAL, "--scale big: must be auto, linear or log"},
        //  Missing value.
        {"spec.json -o", BSW_EINVAL, "--output needs a value (FILE.zip)"},
        {"spec.json -o x --workers", BSW_EINVAL, "--workers needs a value (N)"},
        {"spec.json -o x --ratio", BSW_EINVAL, "--ratio needs a value (R)"},
        //  Unknown options, and a value where none is taken.
        {"spec.json -o x --bogus", BSW_EINVAL, "unknown option '--bogus'"},
        {"spec.json -o x --bogus=3", BSW_EINVAL, "unknown option '--bogus=3'"},
        {"spec.json -o x -z", BSW_EINVAL, "unknown option '-z'"},
        {"spec.json -o x --quiet=yes", BSW_EINVAL, "--quiet takes no value"},
        {"spec.json -o x --sc log", BSW_EINVAL, "unknown option '--sc'"}, /* ambiguous */
        //  Operands and required rows.
        {"spec.json", BSW_EINVAL, "--output FILE.zip is required"},
        {"spec.json -o ''", BSW_EINVAL, "--output FILE.zip is required"},
        {"-o x", BSW_EINVAL, "SPEC.json is required"},
        {"spec.json 3 extra -o x", BSW_EINVAL, "unexpected argument 'extra'"},
        //  The first mistake is the one reported.
        {"spec.json -o x -w 0 --ratio 9", BSW_EINVAL, "--workers 0: must be between 1 and 4096"},
        //  --help wins over what follows it, not over what comes before.
        {"--help", BSW_OPTS_HELP, ""},
        {"-h --workers 0", BSW_OPTS_HELP, ""},
        {"--workers 0 --help", BSW_EINVAL, "--workers 0: must be between 1 and 4096"},
        {NULL, 0, NULL}};
    for (size_t k = 0; cases[k].args; k++) {
        s_values_t v = {0};
        bsw_error_t err;
        int rc = s_parse (cases[k].args, &v, &err);
        BSW_CHECK_MSG (rc == cases[k].rc && strcmp (err.text, cases[k].text) == 0,
                       "'%s': got %d \"%s\", expected %d \"%s\"", cases[k].args, rc, err.text,
                       cases[k].rc, cases[k].text);
    }
    return BSW_TEST_PASS;
}

/*  A scalar given twice keeps the last; a list keeps every value, in order;
    a CALL row runs each time, so the last of --scale and --log wins. */
static int
s_test_repeats (void)
{
    s_values_t v = {0};
    bsw_error_t err;
    BSW_CHECK_INT (s_parse ("spec.json -o a -o b -w 2 -w 3 -r x=1 --range y=2 -r x=3 --log "
                            "--scale linear --ratio 0.5 --ratio 0.75",
                            &v, &err),
                   0);
    BSW_CHECK_STR (v.output, "b");
    BSW_CHECK_INT (v.workers, 3);
    BSW_CHECK_DOUBLE_EQ (v.ratio, 0.75);
    BSW_CHECK_INT (v.ranges.count, 3);
    BSW_CHECK_STR (v.ranges.items[0], "x=1");
    BSW_CHECK_STR (v.ranges.items[1], "y=2");
    BSW_CHECK_STR (v.ranges.items[2], "x=3");
    BSW_CHECK_INT (v.scale, 1);
    memset (&v, 0, sizeof v);
    BSW_CHECK_INT (s_parse ("spec.json -o a --scale linear --log", &v, &err), 0);
    BSW_CHECK_INT (v.scale, 2);
    //  The list has a bound, and says so.
    char args[1024] = "spec.json -o a";
    for (int k = 0; k <= BSW_OPTS_LIST_MAX; k++)
        strcat (args, " -r p");
    memset (&v, 0, sizeof v);
    BSW_CHECK_INT (s_parse (args, &v, &err), BSW_EINVAL);
    BSW_CHECK_STR (err.text, "--range: given more than 64 times");
    return BSW_TEST_PASS;
}

/*  Options not given keep their defaults; a required string set before
    parsing (from the environment, say) counts as given. */
static int
s_test_defaults (void)
{
    s_values_t v = {.output = "from-env", .workers = 5, .ratio = 0.5, .count = 7};
    bsw_error_t err;
    BSW_CHECK_INT (s_parse ("spec.json", &v, &err), 0);
    BSW_CHECK_STR (v.output, "from-env");
    BSW_CHECK_INT (v.workers, 5);
    BSW_CHECK_INT (v.count, 7);
    BSW_CHECK_DOUBLE_EQ (v.ratio, 0.5);
    BSW_CHECK (!v.quiet);
    BSW_CHECK_INT (v.ranges.count, 0);
    return BSW_TEST_PASS;
}

/*  --help comes from the table: usage line, about, aligned rows with their
    continuation lines, no hidden alias, -h, the epilog. */
static int
s_test_help (void)
{
    const bsw_opt_t options[] = {{.name = "SPEC.json",
                                  .kind = BSW_OPT_STRING,
                                  .dest = &(const char *){NULL},
                                  .positional = true,
                                  .required = true},
                                 {.name = "output",
                                  .letter = 'o',
                                  .kind = BSW_OPT_STRING,
                                  .dest = &(const char *){NULL},
                                  .arg = "FILE.zip",
                                  .help = "where to write the zip",
                                  .required = true},
                                 {.name = "workers",
                                  .letter = 'w',
                                  .kind = BSW_OPT_U64,
                                  .dest = &(uint64_t){0},
                                  .arg = "N",
                                  .help = "compute threads\n(default: all cores)",
                                  .min = 1,
                                  .max = 4096},
                                 {.name = "quiet",
                                  .letter = 'q',
                                  .kind = BSW_OPT_FLAG,
                                  .dest = &(bool){false},
                                  .help = "no progress"},
                                 {.name = "alias", .kind = BSW_OPT_FLAG, .dest = &(bool){false}},
                                 {NULL}};
    const bsw_opts_t cmd = {"test run", "Runs a test.\n", options, "Exit status: 0, 1 or 2.\n"};
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    BSW_CHECK (out);
    bsw_opts_help (&cmd, out);
    fclose (out);
    const char *expected = "usage: test run SPEC.json -o FILE.zip [-w N] [-q]\n"
                           "\n"
                           "Runs a test.\n"
                           "\n"
                           "  -o, --output FILE.zip  where to write the zip\n"
                           "  -w, --workers N        compute threads\n"
                           "                         (default: all cores)\n"
                           "  -q, --quiet            no progress\n"
                           "  -h, --help             this text\n"
                           "\n"
                           "Exit status: 0, 1 or 2.\n";
    BSW_CHECK_MSG (strcmp (text, expected) == 0, "help:\n%s", text);
    free (text);

    //  Too many options for one line: the usage line says [options].
    const bsw_opt_t many[] = {{.name = "first-long-option",
                               .kind = BSW_OPT_STRING,
                               .dest = &(const char *){NULL},
                               .arg = "VALUE",
                               .help = "one"},
                              {.name = "second-long-option",
                               .kind = BSW_OPT_STRING,
                               .dest = &(const char *){NULL},
                               .arg = "VALUE",
                               .help = "two"},
                              {.name = "third-long-option",
                               .kind = BSW_OPT_LIST,
                               .dest = &(bsw_opts_list_t){.count = 0},
                               .arg = "VALUE",
                               .help = "three"},
                              {NULL}};
    const bsw_opts_t long_cmd = {"test", NULL, many, NULL};
    out = open_memstream (&text, &size);
    BSW_CHECK (out);
    bsw_opts_usage (&long_cmd, out);
    fclose (out);
    BSW_CHECK_STR (text, "usage: test [options]\n");
    free (text);
    const bsw_opts_t short_cmd = {"test", NULL, many + 2, NULL};
    out = open_memstream (&text, &size);
    BSW_CHECK (out);
    bsw_opts_usage (&short_cmd, out);
    fclose (out);
    BSW_CHECK_STR (text, "usage: test [--third-long-option VALUE]...\n");
    free (text);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {
    {"usage", s_test_usage},       {"cases", s_test_cases}, {"repeats", s_test_repeats},
    {"defaults", s_test_defaults}, {"help", s_test_help},   {NULL, NULL}};

int
main (int argc, char **argv)
{
    return bsw_test_main (argc, argv, s_cases);
}
