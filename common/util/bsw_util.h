/*  bsw_util.h - tiny helpers shared by every module: memory that aborts on
    exhaustion, exact double formatting, UTF-8, deterministic ids, the clock. */
#ifndef BSW_UTIL_H_INCLUDED
#define BSW_UTIL_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BSW_VERSION_STRING "0.1.0"

/*  malloc/calloc/realloc/strdup that abort with a message on out-of-memory
    (constructors that can only fail for lack of memory return the object). */
void *bsw_malloc (size_t size);
void *bsw_calloc (size_t count, size_t size);
void *bsw_realloc (void *ptr, size_t size);
char *bsw_strdup (const char *s);

/*  Tells the C library to keep freed memory for reuse instead of handing
    large blocks back to the kernel at once. Called first by every main:
    a point's buffers (a tutorial series is 622 KB) are allocated by one
    thread and freed by another after the broker's ACK, and with glibc's
    defaults each of them was mapped, faulted in page by page, zeroed and
    unmapped again (bench/README.md, "The worker's memory"). A no-op
    without glibc. */
void bsw_memory_keep (void);

/*  64-byte aligned, zeroed allocation, size rounded up to the alignment, for
    the numerical core's lane arrays. Free with free(). Aborts on OOM. */
void *bsw_aligned_calloc (size_t size);

/*  The same, but returns NULL when the memory is not there (or size
    overflows), for buffers whose size comes from outside: a worker fails
    the point that needs them instead of aborting. */
void *bsw_aligned_calloc_try (size_t size);

/*  Writes the shortest decimal string that reads back (strtod) to exactly
    the same double, Python repr style ("0.1", "1.0", "1e-07"); NaN and
    infinities as "NaN", "Infinity", "-Infinity" (Python's JSON tokens).
    buf needs BSW_DOUBLE_BUF bytes. Returns buf. */
#define BSW_DOUBLE_BUF 32
char *bsw_format_double (double value, char *buf);

/*  One UTF-8 character at s: returns its length in bytes (1 to 4) with its
    code point in *cp, or 0 when s does not start a valid sequence (a stray
    continuation byte, a truncated, overlong or surrogate sequence, beyond
    U+10FFFF; the NUL byte counts as invalid, so call it before the end). */
size_t bsw_utf8_next (const char *s, uint32_t *cp);

/*  A copy of s that is valid UTF-8: each byte that starts no valid sequence
    becomes U+FFFD (one per byte, where Python would replace a truncated
    sequence once). For text from outside that goes where only UTF-8 may,
    such as jansson's strings. Caller frees. */
char *bsw_utf8_strdup (const char *s);

/*  True for the code points that steer a terminal or a reader rather than
    show a character: C0 controls, DEL, C1 controls, the line and paragraph
    separators (U+2028, U+2029) and the bidirectional overrides and
    isolates (U+202A..U+202E, U+2066..U+2069). */
bool bsw_text_is_control (uint32_t cp);

/*  True when s holds such a code point or is not valid UTF-8: text from a
    peer that may not become a name (a sweep's, a worker's). */
bool bsw_text_unsafe (const char *s);

/*  A copy of text from outside (a peer's name, a worker's error text) that
    is safe to print to a terminal or to write as one log line: each
    control code point above becomes \n, \r, \t, \xHH (below U+0100) or
    \u{HHHH}, each byte that starts no valid UTF-8 sequence \xHH; all else
    is kept. NULL gives "". Caller frees. */
char *bsw_text_escape (const char *s);

/*  A decimal integer argument in [min, max]: the whole text must be digits
    (no sign, no trailing characters). Returns 0 with *out, or -1. */
int bsw_parse_u64 (const char *text, uint64_t min, uint64_t max, uint64_t *out);

/*  128-bit hash of bytes (two FNV-1a 64 lanes with a final mix); used for
    deterministic GIDs of content such as a connectivity. */
typedef struct {
    uint64_t hi, lo;
} bsw_hash128_t;
void bsw_hash128_init (bsw_hash128_t *h);
void bsw_hash128_update (bsw_hash128_t *h, const void *data, size_t size);

/*  Formats 16 bytes as a lower-case RFC 4122 UUID (version nibble set to 4,
    or 5-style "name based" when from a hash) into out[37]. */
void bsw_uuid_from_hash (const bsw_hash128_t *h, char out[37]);
/*  A fresh random UUID (getrandom). Returns 0, or BSW_EIO. */
int bsw_uuid_random (char out[37]);

/*  A deterministic GID for object `kind` number `index` of a sweep: the
    same sweep, kind and index always give the same UUID, so a result
    computed twice (a duplicate) is the same datatype. out[37]. */
void bsw_uuid_derive (const char *sweep_uuid, const char *kind, uint64_t index, char out[37]);

/*  SIGINT and SIGTERM blocked in the calling thread (and so in every
    thread it starts afterwards): call before starting actors, then
    bsw_signals_unblock in the main thread, so only the main thread sees
    the signals (CZMQ's handler sets zsys_interrupted) and no actor's
    ZeroMQ call is interrupted. */
void bsw_signals_block (void);
void bsw_signals_unblock (void);

/*  Wall-clock whole seconds as gettimeofday gives them, the clock libhdf5
    stamps objects with. Not time(): glibc reads a coarse clock for it,
    which can lag a tick (~4 ms) behind, so a second boundary seen by one
    need not have been seen by the other. */
int64_t bsw_clock_wall_s (void);

/*  Monotonic milliseconds, for deadlines and durations only. */
int64_t bsw_clock_mono_ms (void);

/*  Monotonic seconds with nanosecond resolution, for timing (benchmarks). */
double bsw_clock_mono_s (void);

#endif
