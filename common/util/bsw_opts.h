/*  bsw_opts.h - a program's command line as one table: parsing, checks,
    messages and --help all come from it, so they cannot drift apart.

    Each row is one option (or one operand): its long name, short letter,
    kind, where the value goes and its help text. A main declares its table
    next to its variables, calls bsw_opts_main and goes on only when it
    returns BSW_OPTS_GO:

        const char *output = NULL;
        uint64_t workers = 0;
        const bsw_opt_t options[] = {
            {.name = "SPEC.json", .kind = BSW_OPT_STRING, .dest = &spec, .positional = true,
             .required = true},
            {.name = "output", .letter = 'o', .kind = BSW_OPT_STRING, .dest = &output,
             .arg = "FILE.zip", .help = "where to write the zip", .required = true},
            {.name = "workers", .letter = 'w', .kind = BSW_OPT_U64, .dest = &workers,
             .arg = "N", .help = "compute threads", .min = 1, .max = 4096},
            {NULL}};
        const bsw_opts_t cmd = {"brainsweep run", "Runs a sweep.\n", options, NULL};
        int status = bsw_opts_main (&cmd, argc, argv);
        if (status != BSW_OPTS_GO)
            return status;      // 0 after --help, 2 for bad usage

    Every mistake gives one sentence of the same shape in every program,
    naming the option and the value: "brainsweep run: --workers 0: must be
    between 1 and 4096". -h/--help is added to every table. Long options may
    be abbreviated and operands may come before options (getopt_long's
    rules); a scalar option given twice keeps the last value.

    Library code: nothing here exits; bsw_opts_parse writes nothing.
    getopt_long underneath keeps global state, so parse from one thread.
*/
#ifndef BSW_OPTS_H_INCLUDED
#define BSW_OPTS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bsw_error.h"

typedef enum {
    BSW_OPT_FLAG,   /* no value; dest is bool *, set true */
    BSW_OPT_STRING, /* dest is const char **, pointed into argv */
    BSW_OPT_LIST,   /* repeatable; dest is bsw_opts_list_t *, each value appended */
    BSW_OPT_U64,    /* dest is uint64_t *: decimal digits only, in [min, max] */
    BSW_OPT_DOUBLE, /* dest is double *: a finite number, in [lo, hi] */
    BSW_OPT_CALL,   /* call (dest, value) decides; value is NULL when the row has no arg */
} bsw_opt_kind_t;

/*  Most values one BSW_OPT_LIST option takes. */
#define BSW_OPTS_LIST_MAX 64

typedef struct {
    const char *items[BSW_OPTS_LIST_MAX]; /* borrowed from argv, in command-line order */
    size_t count;                         /* used entries of items */
} bsw_opts_list_t;

typedef struct {
    const char *name;    /* long name without "--"; an operand's placeholder ("SPEC.json") */
    char letter;         /* short option letter, or 0 */
    bsw_opt_kind_t kind; /* what the value is */
    void *dest;          /* where it goes (see the kinds) */
    const char *arg;     /* the value's placeholder in help ("N"); NULL: takes no value
                            (FLAG; a CALL may take one or not) */
    const char *help;    /* lines separated by '\n'; NULL hides the row (an alias) */
    uint64_t min, max;   /* BSW_OPT_U64 bounds, inclusive; max 0 means no upper bound */
    double lo, hi;       /* BSW_OPT_DOUBLE bounds, inclusive; both 0: any finite number */
    int (*call) (void *dest, const char *value); /* BSW_OPT_CALL: 0, or -1 for a bad value */
    const char *expect; /* BSW_OPT_CALL: what a good value is ("auto, linear or log") */
    bool required;      /* must be given; a STRING counts when *dest is non-empty after
                            parsing (so a default from the environment satisfies it) */
    bool positional;    /* an operand: filled in order from the arguments that are
                            not options; STRING or U64 only */
} bsw_opt_t;

/*  A command: its name and texts around the table. */
typedef struct {
    const char *program;      /* "brainsweep run": starts the usage line and every message */
    const char *about;        /* paragraphs between the usage line and the options */
    const bsw_opt_t *options; /* rows, ended by a row whose name is NULL */
    const char *epilog;       /* paragraphs after the options, or NULL */
} bsw_opts_t;

/*  bsw_opts_parse's "--help was asked for" return. */
#define BSW_OPTS_HELP 1

/*  bsw_opts_main's "parsed: go on" return. */
#define BSW_OPTS_GO (-1)

/*  Parses argv[1..argc) (argv[0] is the program or command name) into the
    table's destinations. Returns 0, BSW_OPTS_HELP when -h/--help was given
    (nothing else is checked then), or BSW_EINVAL with err's sentence
    naming the option and value (without the program name). Destinations
    of options not given keep their values, which are the defaults. */
int bsw_opts_parse (const bsw_opts_t *self, int argc, char **argv, bsw_error_t *err);

/*  Writes the usage line, about, every visible row and the epilog. */
void bsw_opts_help (const bsw_opts_t *self, FILE *out);

/*  Writes "usage: PROGRAM OPERANDS REQUIRED-OPTIONS [OTHER-OPTIONS]", the
    other options as "[options]" when they would make the line too long. */
void bsw_opts_usage (const bsw_opts_t *self, FILE *out);

/*  For mains: parses; after --help prints the help on stdout and returns 0;
    after a mistake prints "PROGRAM: sentence" and the usage line on stderr
    and returns 2; else returns BSW_OPTS_GO. */
int bsw_opts_main (const bsw_opts_t *self, int argc, char **argv);

/*  A usage mistake the table cannot see (a combination of options, a bad
    file extension): prints it as bsw_opts_main does and returns 2. */
int bsw_opts_fail (const bsw_opts_t *self, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

#endif
