/*  bsw_pyjson.h - JSON text exactly as Python's json.dumps writes it.

    TVB reads several HDF5 attributes back with json.loads (TVB_ranges,
    TVB_range_values, TVB_metrics, TVB_labels_dimensions, view-model lists
    and dicts; TVB.md 10.2), and `brainsweep simulate` prints its metrics
    the way TVB's Python would (SWEEP-SPEC.md). Those texts have one writer,
    this one; every other JSON brainsweep writes is plain JSON by jansson.

    The format is json.dumps' default: ", " between items and ": " after a
    key; numbers as Python's repr (bsw_format_double: "0.1", "1.0",
    "1e-07"); NaN and the infinities as the bare tokens NaN, Infinity and
    -Infinity, which Python writes and reads but plain JSON lacks (so
    jansson cannot read these texts); strings with ensure_ascii escapes:
    \" \\ \n \r \t \b \f, every other byte outside ' '..'~' as \u00XX, other
    characters as \uXXXX in lower-case hex (a surrogate pair beyond the
    BMP), and a byte that is not valid UTF-8 as \ufffd.

    A writer is a growing buffer the caller embeds; misuse (a key in a
    list, a value where a key belongs, unbalanced ends, taking an
    unfinished text) is a programming error and trips BSW_ASSERT.

        bsw_pyjson_t j;
        bsw_pyjson_init (&j);
        bsw_pyjson_object_begin (&j);
        bsw_pyjson_key (&j, "GlobalVariance");
        bsw_pyjson_double (&j, 1.5);
        bsw_pyjson_key (&j, "Synchrony");
        bsw_pyjson_double (&j, NAN);
        bsw_pyjson_object_end (&j);
        char *text = bsw_pyjson_take (&j); // {"GlobalVariance": 1.5, "Synchrony": NaN}
        free (text);
*/
#ifndef BSW_PYJSON_H_INCLUDED
#define BSW_PYJSON_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*  Containers open at once (TVB's texts nest two deep). */
#define BSW_PYJSON_DEPTH_MAX 32

typedef struct {
    char *text;       /* the text so far, NUL-terminated; NULL before any write */
    size_t len;       /* bytes before the NUL */
    size_t cap;       /* bytes allocated */
    uint32_t objects; /* bit d set: the container at depth d is an object */
    unsigned depth;   /* containers open */
    bool first;       /* the next item is its container's first (no ", ") */
    bool keyed;       /* a key is written and waits for its value */
} bsw_pyjson_t;

/*  An empty writer. */
void bsw_pyjson_init (bsw_pyjson_t *self);

/*  Frees an unfinished text; the writer is empty again. */
void bsw_pyjson_fini (bsw_pyjson_t *self);

/*  Containers: "{" ... "}" and "[" ... "]", a value in their own right. */
void bsw_pyjson_object_begin (bsw_pyjson_t *self);
void bsw_pyjson_object_end (bsw_pyjson_t *self);
void bsw_pyjson_list_begin (bsw_pyjson_t *self);
void bsw_pyjson_list_end (bsw_pyjson_t *self);

/*  The next key of the open object; its value follows. */
void bsw_pyjson_key (bsw_pyjson_t *self, const char *key);

/*  Values. */
void bsw_pyjson_string (bsw_pyjson_t *self, const char *s);
void bsw_pyjson_double (bsw_pyjson_t *self, double value);

/*  A whole list of strings as one value: ["V", "W"]. */
void bsw_pyjson_strings (bsw_pyjson_t *self, const char *const *items, size_t count);

/*  The finished text (one complete value); the writer is empty again.
    Caller frees. */
char *bsw_pyjson_take (bsw_pyjson_t *self);

#endif
