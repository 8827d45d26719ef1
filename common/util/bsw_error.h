/*  bsw_error.h - the one table of every brainsweep error.

    Every failure anywhere in brainsweep is one of the codes below. The code,
    its name and its message come from one X-macro list, so they cannot drift
    apart (after libuv's UV_ERRNO_MAP). Codes are negative and stable: they
    also travel on the wire in error replies (proto/PROTOCOL.md).

    Failures caused by outside input (a spec, a file, a peer) also carry a
    sentence in a bsw_error_t that names the file, the field and the value.
*/
#ifndef BSW_ERROR_H_INCLUDED
#define BSW_ERROR_H_INCLUDED

#include <stdarg.h>
#include <stddef.h>

/*  X(NAME, code, message): never renumber, only append. */
#define BSW_ERROR_MAP(X)                                                                           \
    X (NOMEM, -1, "out of memory")                                                                 \
    X (INVAL, -2, "invalid argument")                                                              \
    X (SPEC, -3, "invalid simulation spec")                                                        \
    X (IO, -4, "input/output error")                                                               \
    X (FORMAT, -5, "malformed file")                                                               \
    X (CONNECTIVITY, -6, "invalid connectivity")                                                   \
    X (NUMERIC, -7, "numerical failure")                                                           \
    X (PROTO, -8, "malformed message")                                                             \
    X (VERSION, -9, "unsupported protocol version")                                                \
    X (TOOBIG, -10, "limit exceeded")                                                              \
    X (NOTFOUND, -11, "not found")                                                                 \
    X (STATE, -12, "operation not allowed in this state")                                          \
    X (NOSPACE, -13, "no space left on device")                                                    \
    X (DB, -14, "database error")                                                                  \
    X (TIMEOUT, -15, "timed out")                                                                  \
    X (INTERNAL, -16, "internal error")                                                            \
    X (DENIED, -17, "permission denied")

enum {
    BSW_OK = 0,
#define BSW_X_(name, code, text) BSW_E##name = code,
    BSW_ERROR_MAP (BSW_X_)
#undef BSW_X_
};

#define BSW_ERROR_TEXT_MAX 512

/*  An error with its reason. Embed it on the stack; no destructor. */
typedef struct {
    int code;                      /* BSW_OK or a negative BSW_E* code */
    char text[BSW_ERROR_TEXT_MAX]; /* one sentence for people, no newline */
} bsw_error_t;

/*  Short upper-case name of a code ("SPEC"), or "UNKNOWN". Static string. */
const char *bsw_errname (int code);

/*  The table's message for a code, or "unknown error". Static string. */
const char *bsw_strerror (int code);

/*  Clears err (code 0, empty text). err may be NULL. */
void bsw_error_clear (bsw_error_t *err);

/*  Fills err with code and a printf-formatted sentence and returns code, so
    callers can write "return bsw_error_set (err, BSW_ESPEC, ...)". err may be
    NULL, in which case only the code is returned. */
int bsw_error_set (bsw_error_t *err, int code, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/*  Prepends "prefix: " to an error's text (for adding a file name). */
void bsw_error_prefix (bsw_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

#endif
