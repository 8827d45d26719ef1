/*  spec_parse.h - the spec parser's shared pieces, private to common/spec:
    one parse's state and the checks that name a field in their error
    ("spec.json: ranges[1].step: 0 is not positive"). spec.c parses the
    simulation and grid ranges, spec_sample.c sampling designs and point
    lists; both through these.
*/
#ifndef SPEC_PARSE_H_INCLUDED
#define SPEC_PARSE_H_INCLUDED

#include "spec.h"

#include <jansson.h>

//  One parse: where errors go and what they are prefixed with.
typedef struct {
    const char *label;    //  names the source in errors ("spec.json")
    const char *base_dir; //  resolves a relative connectivity; NULL = cwd
    bsw_error_t *err;     //  the caller's, may be NULL
    spec_t *spec;         //  being filled
    uint64_t max_points;  //  most points the ranges may make
} spec_parser_t;

#define SPEC_PATH_MAX 128 //  longest field path we build ("ranges[12].values[345]")
#define SPEC_SHOW_MAX 48  //  a bad value is quoted up to this many characters

/*  BSW_ESPEC with "label: field: text" (field NULL or "": "label: text"). */
int spec_parse_fail (spec_parser_t *p, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/*  The value as the user wrote it, cut to SPEC_SHOW_MAX characters. */
void spec_parse_show (const json_t *value, char *buf, size_t size);

/*  "field: <shown> is <a kind>; <expected> is expected". */
int spec_parse_wrong_type (spec_parser_t *p, const char *field, const json_t *value,
                           const char *expected);

/*  A field path formatted into buf[SPEC_PATH_MAX]; "parent.key". */
const char *spec_parse_pathf (char *buf, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
const char *spec_parse_path (char *buf, const char *parent, const char *key);

/*  obj has no key outside `allowed` (NULL-ended). */
int spec_parse_check_keys (spec_parser_t *p, const json_t *obj, const char *path,
                           const char *const *allowed);

/*  The value is an object; a string (*out borrowed); a finite number; a
    JSON integer within [lo, hi]. */
int spec_parse_object (spec_parser_t *p, const json_t *value, const char *path);
int spec_parse_string (spec_parser_t *p, const json_t *value, const char *path, const char **out);
int spec_parse_number (spec_parser_t *p, const json_t *value, const char *path, double *out);
int spec_parse_integer (spec_parser_t *p, const json_t *value, const char *path, json_int_t lo,
                        json_int_t hi, json_int_t *out);

/*  What every entry of "ranges" starts with: an object of known keys and
    its "parameter" (*name, borrowed from item); field (SPEC_PATH_MAX)
    becomes "ranges[r]". */
int spec_parse_range_head (spec_parser_t *p, const json_t *item, size_t r, char *field,
                           const char **name);

/*  spec_sample.c: "sampling" (before the ranges, which it makes axes with
    bounds only), the ranges of a sampled sweep, and "points". */
int spec_parse_sampling (spec_parser_t *p, const json_t *sampling);
int spec_parse_axes (spec_parser_t *p, const json_t *ranges);
int spec_parse_points (spec_parser_t *p, const json_t *points);

#endif
