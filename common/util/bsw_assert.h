/*  bsw_assert.h - BSW_ASSERT, the one check for programming errors.

    Unlike <assert.h> it stays on in every build: CMake's Release and
    RelWithDebInfo define NDEBUG, which would silently turn every check
    into nothing in exactly the builds people run (CZMQ keeps its asserts
    live for the same reason). A failed check prints the expression, the
    file, the line and the function on stderr and aborts.

    Use it for programming errors only: a NULL self, an impossible state
    of an internal API. Never for wire messages, user input, files or disk
    space: those return a BSW_E* code with a sentence (STYLE.md 5). The
    cost is one predictable branch; keep it out of the numerical core's
    inner loops all the same. */
#ifndef BSW_ASSERT_H_INCLUDED
#define BSW_ASSERT_H_INCLUDED

#define BSW_ASSERT(cond)                                                                           \
    do {                                                                                           \
        if (__builtin_expect (!(cond), 0))                                                         \
            bsw_assert_fail (#cond, __FILE__, __LINE__, __func__);                                 \
    } while (0)

/*  Reports a failed BSW_ASSERT and aborts. */
void bsw_assert_fail (const char *expr, const char *file, int line, const char *func)
    __attribute__ ((noreturn, cold));

#endif
