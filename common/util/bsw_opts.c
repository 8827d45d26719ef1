/*  bsw_opts.c - table-driven command lines (see bsw_opts.h).

    getopt_long does the scanning (abbreviations, "--name=value", operands
    mixed with options, "--" to end them); this file builds its tables
    from the rows, turns every value into its destination and writes every
    message, so all programs word their mistakes alike. getopt's own
    messages are off (opterr = 0): they name argv[0] and cannot say which
    values are good.

    Option values are checked as they come, so the first mistake is the one
    reported; required rows are checked once everything is parsed.
*/
#include "bsw_opts.h"

#include "bsw_assert.h"
#include "bsw_util.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/*  getopt_long return values of rows without a letter: above any char. */
#define S_VAL_BASE 256

/*  The usage line lists every option when it fits in this many columns. */
#define S_USAGE_WIDTH 80

/*  Help rows wider than this put their text on the next line. */
#define S_HELP_COLUMN_MAX 34

static const bsw_opt_t s_help_row = {.name = "help", .letter = 'h', .help = "this text"};

static size_t
s_count (const bsw_opts_t *self)
{
    size_t n = 0;
    while (self->options[n].name)
        n++;
    return n;
}

static bool
s_takes_value (const bsw_opt_t *row)
{
    return row->kind != BSW_OPT_FLAG && (row->kind != BSW_OPT_CALL || row->arg);
}

//  What getopt_long returns for row k: its letter, or a number past any.
static int
s_val (const bsw_opts_t *self, size_t k)
{
    return self->options[k].letter ? self->options[k].letter : S_VAL_BASE + (int) k;
}

//  "--workers" or "ID": how messages name a row.
static void
s_label (const bsw_opt_t *row, char *out, size_t size)
{
    snprintf (out, size, "%s%s", row->positional ? "" : "--", row->name);
}

//  A value as messages show it: '' when empty, so the sentence still reads.
static const char *
s_shown (const char *value)
{
    return *value ? value : "''";
}

static int s_bad_value (const bsw_opt_t *row, const char *value, bsw_error_t *err, const char *fmt,
                        ...) __attribute__ ((format (printf, 4, 5)));

static int
s_bad_value (const bsw_opt_t *row, const char *value, bsw_error_t *err, const char *fmt, ...)
{
    char label[128], why[256];
    s_label (row, label, sizeof label);
    va_list args;
    va_start (args, fmt);
    vsnprintf (why, sizeof why, fmt, args);
    va_end (args);
    return bsw_error_set (err, BSW_EINVAL, "%s %s: must be %s", label, s_shown (value), why);
}

static int
s_parse_u64 (const bsw_opt_t *row, const char *value, uint64_t *out, bsw_error_t *err)
{
    uint64_t max = row->max ? row->max : UINT64_MAX;
    char bounds[96] = "";
    if (max != UINT64_MAX)
        snprintf (bounds, sizeof bounds, "between %" PRIu64 " and %" PRIu64, row->min, max);
    else if (row->min > 0)
        snprintf (bounds, sizeof bounds, "at least %" PRIu64, row->min);
    //  Digits only: strtoull would take a sign, spaces and "0x".
    bool digits = *value != '\0';
    for (const char *p = value; *p; p++)
        digits = digits && *p >= '0' && *p <= '9';
    if (!digits) {
        if (max != UINT64_MAX)
            return s_bad_value (row, value, err, "a whole number %s", bounds);
        return s_bad_value (row, value, err, "a whole number%s%s%s", *bounds ? " (" : "", bounds,
                            *bounds ? ")" : "");
    }
    errno = 0;
    unsigned long long parsed = strtoull (value, NULL, 10);
    if (errno == ERANGE || parsed < row->min || parsed > max)
        return s_bad_value (row, value, err, "%s", *bounds ? bounds : "a smaller whole number");
    *out = parsed;
    return BSW_OK;
}

static int
s_parse_double (const bsw_opt_t *row, const char *value, double *out, bsw_error_t *err)
{
    bool bounded = row->lo != 0 || row->hi != 0;
    char bounds[96] = "";
    if (bounded)
        snprintf (bounds, sizeof bounds, "between %g and %g", row->lo, row->hi);
    char *end = NULL;
    errno = 0;
    double parsed = *value ? strtod (value, &end) : NAN;
    if (!*value || *end || !isfinite (parsed))
        return s_bad_value (row, value, err, "a number%s%s", bounded ? " " : "", bounds);
    if (bounded && !(parsed >= row->lo && parsed <= row->hi))
        return s_bad_value (row, value, err, "%s", bounds);
    *out = parsed;
    return BSW_OK;
}

//  One value (NULL for a row that takes none) into the row's destination.
static int
s_store (const bsw_opt_t *row, const char *value, bsw_error_t *err)
{
    switch (row->kind) {
    case BSW_OPT_FLAG:
        *(bool *) row->dest = true;
        return BSW_OK;
    case BSW_OPT_STRING:
        *(const char **) row->dest = value;
        return BSW_OK;
    case BSW_OPT_LIST: {
        bsw_opts_list_t *list = row->dest;
        if (list->count == BSW_OPTS_LIST_MAX)
            return bsw_error_set (err, BSW_EINVAL, "--%s: given more than %d times", row->name,
                                  BSW_OPTS_LIST_MAX);
        list->items[list->count++] = value;
        return BSW_OK;
    }
    case BSW_OPT_U64:
        return s_parse_u64 (row, value, row->dest, err);
    case BSW_OPT_DOUBLE:
        return s_parse_double (row, value, row->dest, err);
    case BSW_OPT_CALL:
        if (row->call (row->dest, value) == 0)
            return BSW_OK;
        if (value)
            return s_bad_value (row, value, err, "%s", row->expect ? row->expect : "valid");
        return bsw_error_set (err, BSW_EINVAL, "--%s: not allowed here", row->name);
    }
    BSW_ASSERT (false);
    return BSW_EINTERNAL;
}

//  The message for getopt's '?' (unknown, ambiguous, or a value given to an
//  option that takes none) and ':' (value missing).
static int
s_getopt_error (const bsw_opts_t *self, int opt, int argc, char **argv, bsw_error_t *err)
{
    size_t n = s_count (self);
    const bsw_opt_t *row = NULL;
    for (size_t k = 0; k < n && !row; k++)
        if (!self->options[k].positional && optopt == s_val (self, k))
            row = &self->options[k];
    if (!row && optopt == 'h')
        row = &s_help_row;
    if (opt == ':' && row)
        return bsw_error_set (err, BSW_EINVAL, "--%s needs a value (%s)", row->name,
                              row->arg ? row->arg : "?");
    if (row)
        return bsw_error_set (err, BSW_EINVAL, "--%s takes no value", row->name);
    if (optopt > 0 && optopt < S_VAL_BASE)
        return bsw_error_set (err, BSW_EINVAL, "unknown option '-%c'", optopt);
    //  An unknown or ambiguous long option: getopt has stepped past it.
    const char *text = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
    return bsw_error_set (err, BSW_EINVAL, "unknown option '%s'", text);
}

//  The operands, in order, into the positional rows.
static int
s_operands (const bsw_opts_t *self, int first, int argc, char **argv, bool *seen, bsw_error_t *err)
{
    size_t n = s_count (self), k = 0;
    for (int a = first; a < argc; a++) {
        while (k < n && !self->options[k].positional)
            k++;
        if (k == n)
            return bsw_error_set (err, BSW_EINVAL, "unexpected argument '%s'", argv[a]);
        int rc = s_store (&self->options[k], argv[a], err);
        if (rc)
            return rc;
        seen[k++] = true;
    }
    return BSW_OK;
}

static int
s_required (const bsw_opts_t *self, const bool *seen, bsw_error_t *err)
{
    size_t n = s_count (self);
    for (size_t k = 0; k < n; k++) {
        const bsw_opt_t *row = &self->options[k];
        if (!row->required)
            continue;
        bool given = seen[k];
        if (row->kind == BSW_OPT_STRING) {
            const char *value = *(const char **) row->dest;
            given = value && *value;
        }
        if (given)
            continue;
        if (row->positional)
            return bsw_error_set (err, BSW_EINVAL, "%s is required", row->name);
        return bsw_error_set (err, BSW_EINVAL, "--%s%s%s is required", row->name,
                              row->arg ? " " : "", row->arg ? row->arg : "");
    }
    return BSW_OK;
}

int
bsw_opts_parse (const bsw_opts_t *self, int argc, char **argv, bsw_error_t *err)
{
    BSW_ASSERT (self && self->options && argc >= 1 && argv);
    bsw_error_clear (err);
    size_t n = s_count (self);
    struct option *longopts = bsw_calloc (n + 2, sizeof *longopts);
    char *shortopts = bsw_calloc (3 * n + 8, 1);
    bool *seen = bsw_calloc (n + 1, sizeof *seen);
    //  ':' first: a missing value returns ':' rather than '?'.
    size_t used = 0, s = 0;
    shortopts[s++] = ':';
    for (size_t k = 0; k < n; k++) {
        const bsw_opt_t *row = &self->options[k];
        BSW_ASSERT (row->dest && row->letter != 'h');
        BSW_ASSERT (row->kind != BSW_OPT_CALL || row->call);
        for (size_t j = 0; j < k; j++)
            BSW_ASSERT (strcmp (self->options[j].name, row->name) != 0 &&
                        (!row->letter || self->options[j].letter != row->letter));
        if (row->positional)
            continue;
        int has_arg = s_takes_value (row) ? required_argument : no_argument;
        longopts[used++] = (struct option){row->name, has_arg, NULL, s_val (self, k)};
        if (row->letter) {
            shortopts[s++] = row->letter;
            if (has_arg == required_argument)
                shortopts[s++] = ':';
        }
    }
    longopts[used++] = (struct option){"help", no_argument, NULL, 'h'};
    shortopts[s++] = 'h';

    int rc = BSW_OK, opt;
    bool help = false;
    optind = 0; //  0, not 1: glibc then forgets any earlier argv entirely
    opterr = 0;
    while (rc == BSW_OK && !help &&
           (opt = getopt_long (argc, argv, shortopts, longopts, NULL)) != -1) {
        if (opt == 'h')
            help = true;
        else if (opt == '?' || opt == ':')
            rc = s_getopt_error (self, opt, argc, argv, err);
        else {
            size_t k = 0;
            while (k < n && (self->options[k].positional || s_val (self, k) != opt))
                k++;
            BSW_ASSERT (k < n);
            rc =
                s_store (&self->options[k], s_takes_value (&self->options[k]) ? optarg : NULL, err);
            seen[k] = true;
        }
    }
    if (rc == BSW_OK && !help)
        rc = s_operands (self, optind, argc, argv, seen, err);
    if (rc == BSW_OK && !help)
        rc = s_required (self, seen, err);
    free (seen);
    free (shortopts);
    free (longopts);
    if (help)
        bsw_error_clear (err);
    return help ? BSW_OPTS_HELP : rc;
}

//  " -o FILE.zip", " [-q]", " [-r PARAM=lo:hi:step]...": a row in the
//  usage line, appended at out + *len.
static void
s_synopsis (const bsw_opt_t *row, char *out, size_t size, size_t *len)
{
    bool optional = !row->required;
    char name[128];
    if (row->positional)
        snprintf (name, sizeof name, "%s", row->name);
    else if (row->letter)
        snprintf (name, sizeof name, "-%c%s%s", row->letter, row->arg ? " " : "",
                  row->arg ? row->arg : "");
    else
        snprintf (name, sizeof name, "--%s%s%s", row->name, row->arg ? " " : "",
                  row->arg ? row->arg : "");
    int wrote = snprintf (out + *len, size - *len, " %s%s%s%s", optional ? "[" : "", name,
                          optional ? "]" : "", row->kind == BSW_OPT_LIST ? "..." : "");
    if (wrote > 0)
        *len = *len + (size_t) wrote < size ? *len + (size_t) wrote : size - 1;
}

void
bsw_opts_usage (const bsw_opts_t *self, FILE *out)
{
    //  Operands, then required options, then the others: each of them when
    //  the line stays within S_USAGE_WIDTH, else "[options]" for the others
    //  (the help lists them all below).
    char line[1024], rest[1024];
    size_t len = 0, rest_len = 0;
    len = (size_t) snprintf (line, sizeof line, "usage: %s", self->program);
    size_t n = s_count (self);
    for (size_t k = 0; k < n; k++)
        if (self->options[k].positional)
            s_synopsis (&self->options[k], line, sizeof line, &len);
    for (size_t k = 0; k < n; k++) {
        const bsw_opt_t *row = &self->options[k];
        if (row->positional || !row->help)
            continue;
        if (row->required)
            s_synopsis (row, line, sizeof line, &len);
        else
            s_synopsis (row, rest, sizeof rest, &rest_len);
    }
    if (len + rest_len > S_USAGE_WIDTH)
        fprintf (out, "%s [options]\n", line);
    else
        fprintf (out, "%s%s\n", line, rest_len ? rest : "");
}

//  "  -o, --output FILE.zip": the left column of a row in help.
static int
s_left (const bsw_opt_t *row, char *out, size_t size)
{
    if (row->positional)
        return snprintf (out, size, "  %s", row->name);
    char letter[8] = "    ";
    if (row->letter)
        snprintf (letter, sizeof letter, "-%c, ", row->letter);
    return snprintf (out, size, "  %s--%s%s%s", letter, row->name, row->arg ? " " : "",
                     row->arg ? row->arg : "");
}

static void
s_help_row_print (const bsw_opt_t *row, int column, FILE *out)
{
    char left[160];
    int width = s_left (row, left, sizeof left);
    fputs (left, out);
    //  Too wide for the column: the text starts on the next line.
    if (width + 2 > column)
        fprintf (out, "\n%*s", column, "");
    else
        fprintf (out, "%*s", column - width, "");
    const char *line = row->help;
    do {
        size_t len = strcspn (line, "\n");
        fprintf (out, "%.*s\n", (int) len, line);
        line += len;
        if (*line == '\n')
            line++;
        if (*line)
            fprintf (out, "%*s", column, "");
    } while (*line);
}

void
bsw_opts_help (const bsw_opts_t *self, FILE *out)
{
    bsw_opts_usage (self, out);
    if (self->about)
        fprintf (out, "\n%s", self->about);
    size_t n = s_count (self);
    int column = 0;
    char left[160];
    for (size_t k = 0; k <= n; k++) {
        const bsw_opt_t *row = k < n ? &self->options[k] : &s_help_row;
        int width = row->help ? s_left (row, left, sizeof left) + 2 : 0;
        if (width > column && width <= S_HELP_COLUMN_MAX)
            column = width;
    }
    fprintf (out, "\n");
    //  Operands first, then options in table order, then --help.
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < n; k++) {
            const bsw_opt_t *row = &self->options[k];
            if (row->help && row->positional == (pass == 0))
                s_help_row_print (row, column, out);
        }
    s_help_row_print (&s_help_row, column, out);
    if (self->epilog)
        fprintf (out, "\n%s", self->epilog);
}

static void
s_fail_v (const bsw_opts_t *self, const char *fmt, va_list args)
{
    fprintf (stderr, "%s: ", self->program);
    vfprintf (stderr, fmt, args);
    fprintf (stderr, "\n");
    bsw_opts_usage (self, stderr);
    fprintf (stderr, "('%s --help' describes every option)\n", self->program);
}

int
bsw_opts_fail (const bsw_opts_t *self, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    s_fail_v (self, fmt, args);
    va_end (args);
    return 2;
}

int
bsw_opts_main (const bsw_opts_t *self, int argc, char **argv)
{
    bsw_error_t err;
    int rc = bsw_opts_parse (self, argc, argv, &err);
    if (rc == BSW_OPTS_HELP) {
        bsw_opts_help (self, stdout);
        return 0;
    }
    if (rc)
        return bsw_opts_fail (self, "%s", err.text);
    return BSW_OPTS_GO;
}
