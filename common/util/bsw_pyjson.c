/*  bsw_pyjson.c - JSON text as Python's json.dumps writes it (see the
    header for the format).

    The separators need no stack: `first` says whether the next item opens
    its container, and a key clears it for its value. The stack of
    container kinds (one bit per depth) exists only for the checks.
    Growth doubles the buffer, so a text of n bytes costs O(n).
*/
#include "bsw_pyjson.h"
#include "bsw_assert.h"
#include "bsw_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
bsw_pyjson_init (bsw_pyjson_t *self)
{
    BSW_ASSERT (self);
    memset (self, 0, sizeof *self);
    self->first = true;
}

void
bsw_pyjson_fini (bsw_pyjson_t *self)
{
    BSW_ASSERT (self);
    free (self->text);
    bsw_pyjson_init (self);
}

static void
s_add (bsw_pyjson_t *self, const char *s, size_t n)
{
    if (self->len + n + 1 > self->cap) {
        self->cap = (self->len + n + 1) * 2;
        self->text = bsw_realloc (self->text, self->cap);
    }
    memcpy (self->text + self->len, s, n);
    self->len += n;
    self->text[self->len] = '\0';
}

static void
s_puts (bsw_pyjson_t *self, const char *s)
{
    s_add (self, s, strlen (s));
}

static bool
s_in_object (const bsw_pyjson_t *self)
{
    return self->depth > 0 && (self->objects >> (self->depth - 1) & 1u);
}

//  Before any value: the separator its place needs. A value inside an
//  object must follow its key; at the top there is exactly one value.
static void
s_value (bsw_pyjson_t *self)
{
    if (self->depth == 0)
        BSW_ASSERT (self->len == 0);
    else if (s_in_object (self))
        BSW_ASSERT (self->keyed);
    else if (!self->first)
        s_puts (self, ", ");
    self->keyed = false;
    self->first = false;
}

static void
s_begin (bsw_pyjson_t *self, bool object)
{
    s_value (self);
    BSW_ASSERT (self->depth < BSW_PYJSON_DEPTH_MAX);
    if (object)
        self->objects |= 1u << self->depth;
    else
        self->objects &= ~(1u << self->depth);
    self->depth++;
    self->first = true;
    s_puts (self, object ? "{" : "[");
}

static void
s_end (bsw_pyjson_t *self, bool object)
{
    BSW_ASSERT (self->depth > 0 && s_in_object (self) == object && !self->keyed);
    self->depth--;
    self->first = false;
    s_puts (self, object ? "}" : "]");
}

void
bsw_pyjson_object_begin (bsw_pyjson_t *self)
{
    s_begin (self, true);
}

void
bsw_pyjson_object_end (bsw_pyjson_t *self)
{
    s_end (self, true);
}

void
bsw_pyjson_list_begin (bsw_pyjson_t *self)
{
    s_begin (self, false);
}

void
bsw_pyjson_list_end (bsw_pyjson_t *self)
{
    s_end (self, false);
}

//  A string literal with json.dumps' ensure_ascii escapes.
static void
s_quoted (bsw_pyjson_t *self, const char *s)
{
    s_puts (self, "\"");
    while (*s) {
        unsigned char c = (unsigned char) *s;
        const char *shortcut = c == '"'    ? "\\\""
                               : c == '\\' ? "\\\\"
                               : c == '\n' ? "\\n"
                               : c == '\r' ? "\\r"
                               : c == '\t' ? "\\t"
                               : c == '\b' ? "\\b"
                               : c == '\f' ? "\\f"
                                           : NULL;
        if (shortcut) {
            s_puts (self, shortcut);
            s++;
            continue;
        }
        if (c >= ' ' && c <= '~') {
            s_add (self, s, 1);
            s++;
            continue;
        }
        uint32_t cp;
        size_t n = bsw_utf8_next (s, &cp);
        char escape[16];
        if (n == 0) {
            cp = 0xfffd; // not UTF-8: one replacement per byte
            n = 1;
        }
        if (cp < 0x10000)
            snprintf (escape, sizeof escape, "\\u%04x", (unsigned) cp);
        else {
            cp -= 0x10000;
            snprintf (escape, sizeof escape, "\\u%04x\\u%04x", (unsigned) (0xd800 | (cp >> 10)),
                      (unsigned) (0xdc00 | (cp & 0x3ff)));
        }
        s_puts (self, escape);
        s += n;
    }
    s_puts (self, "\"");
}

void
bsw_pyjson_key (bsw_pyjson_t *self, const char *key)
{
    BSW_ASSERT (self && key && s_in_object (self) && !self->keyed);
    if (!self->first)
        s_puts (self, ", ");
    s_quoted (self, key);
    s_puts (self, ": ");
    self->keyed = true;
}

void
bsw_pyjson_string (bsw_pyjson_t *self, const char *s)
{
    BSW_ASSERT (self && s);
    s_value (self);
    s_quoted (self, s);
}

void
bsw_pyjson_double (bsw_pyjson_t *self, double value)
{
    BSW_ASSERT (self);
    s_value (self);
    char number[BSW_DOUBLE_BUF];
    s_puts (self, bsw_format_double (value, number));
}

void
bsw_pyjson_strings (bsw_pyjson_t *self, const char *const *items, size_t count)
{
    BSW_ASSERT (self && (items || count == 0));
    bsw_pyjson_list_begin (self);
    for (size_t i = 0; i < count; i++)
        bsw_pyjson_string (self, items[i]);
    bsw_pyjson_list_end (self);
}

char *
bsw_pyjson_take (bsw_pyjson_t *self)
{
    BSW_ASSERT (self && self->depth == 0 && self->len > 0);
    char *text = self->text;
    bsw_pyjson_init (self);
    return text;
}
