/*  bsw_error.c - names and messages of the error table, and the failure
    path of BSW_ASSERT (bsw_assert.h). */
#include "bsw_error.h"
#include "bsw_assert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
bsw_errname (int code)
{
    switch (code) {
    case BSW_OK:
        return "OK";
#define BSW_X_(name, num, text)                                                                    \
    case num:                                                                                      \
        return #name;
        BSW_ERROR_MAP (BSW_X_)
#undef BSW_X_
    }
    return "UNKNOWN";
}

const char *
bsw_strerror (int code)
{
    switch (code) {
    case BSW_OK:
        return "success";
#define BSW_X_(name, num, text)                                                                    \
    case num:                                                                                      \
        return text;
        BSW_ERROR_MAP (BSW_X_)
#undef BSW_X_
    }
    return "unknown error";
}

void
bsw_error_clear (bsw_error_t *err)
{
    if (err) {
        err->code = BSW_OK;
        err->text[0] = '\0';
    }
}

int
bsw_error_set (bsw_error_t *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start (ap, fmt);
        err->code = code;
        vsnprintf (err->text, sizeof err->text, fmt, ap);
        va_end (ap);
    }
    return code;
}

void
bsw_error_prefix (bsw_error_t *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[BSW_ERROR_TEXT_MAX];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (prefix, sizeof prefix, fmt, ap);
    va_end (ap);
    //  Truncation is acceptable here: the sentence is for people.
    char joined[2 * BSW_ERROR_TEXT_MAX + 2];
    snprintf (joined, sizeof joined, "%s: %s", prefix, err->text);
    size_t len = strnlen (joined, sizeof err->text - 1);
    memcpy (err->text, joined, len);
    err->text[len] = '\0';
}

void
bsw_assert_fail (const char *expr, const char *file, int line, const char *func)
{
    fprintf (stderr, "%s:%d: %s: check failed: %s\n", file, line, func, expr);
    abort ();
}
