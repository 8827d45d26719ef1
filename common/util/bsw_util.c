/*  bsw_util.c - memory, exact double formatting, UTF-8, hashes, UUIDs, the
    clock. */
#include "bsw_util.h"
#include "bsw_error.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <sys/random.h>
#include <time.h>

static void
s_oom (size_t size)
{
    fprintf (stderr, "brainsweep: out of memory allocating %zu bytes\n", size);
    abort ();
}

void *
bsw_malloc (size_t size)
{
    void *p = malloc (size ? size : 1);
    if (!p)
        s_oom (size);
    return p;
}

void *
bsw_calloc (size_t count, size_t size)
{
    void *p = calloc (count ? count : 1, size ? size : 1);
    if (!p)
        s_oom (count * size);
    return p;
}

void *
bsw_realloc (void *ptr, size_t size)
{
    void *p = realloc (ptr, size ? size : 1);
    if (!p)
        s_oom (size);
    return p;
}

char *
bsw_strdup (const char *s)
{
    size_t n = strlen (s) + 1;
    char *p = bsw_malloc (n);
    memcpy (p, s, n);
    return p;
}

void
bsw_memory_keep (void)
{
#ifdef __GLIBC__
    //  Blocks up to 32 MB come from the heap (a fixed threshold also stops
    //  glibc from moving it), and a heap keeps up to 256 MB free at its top
    //  (which also stops worker threads' arenas shrinking after each point).
    mallopt (M_MMAP_THRESHOLD, 32 << 20);
    mallopt (M_TRIM_THRESHOLD, 256 << 20);
#endif
}

void *
bsw_aligned_calloc (size_t size)
{
    size_t rounded = (size + 63) / 64 * 64;
    if (rounded == 0)
        rounded = 64;
    void *p = aligned_alloc (64, rounded);
    if (!p)
        s_oom (rounded);
    memset (p, 0, rounded);
    return p;
}

void *
bsw_aligned_calloc_try (size_t size)
{
    if (size > SIZE_MAX - 64)
        return NULL;
    size_t rounded = (size + 63) / 64 * 64;
    if (rounded == 0)
        rounded = 64;
    void *p = aligned_alloc (64, rounded);
    if (p)
        memset (p, 0, rounded);
    return p;
}

char *
bsw_format_double (double value, char *buf)
{
    if (isnan (value)) {
        strcpy (buf, "NaN");
        return buf;
    }
    if (isinf (value)) {
        strcpy (buf, value > 0 ? "Infinity" : "-Infinity");
        return buf;
    }
    //  The shortest digit string that round-trips (17 digits always do)...
    char sci[BSW_DOUBLE_BUF];
    for (int digits = 1; digits <= 17; digits++) {
        snprintf (sci, sizeof sci, "%.*e", digits - 1, value);
        if (strtod (sci, NULL) == value)
            break;
    }
    //  ...laid out as Python's repr: fixed for 1e-4 <= |x| < 1e16, else
    //  scientific with a two-digit exponent ("1e-07", "1.5e+300").
    const char *p = sci;
    bool negative = *p == '-';
    if (negative)
        p++;
    char mantissa[20];
    size_t nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            mantissa[nd++] = *p;
    int exponent = atoi (p + 1);
    while (nd > 1 && mantissa[nd - 1] == '0')
        nd--;
    mantissa[nd] = '\0';
    char *out = buf;
    if (negative)
        *out++ = '-';
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out += sprintf (out, "0.");
            for (int z = 0; z < -exponent - 1; z++)
                *out++ = '0';
            out += sprintf (out, "%s", mantissa);
        } else {
            size_t int_digits = (size_t) exponent + 1;
            for (size_t k = 0; k < int_digits; k++)
                *out++ = k < nd ? mantissa[k] : '0';
            *out++ = '.';
            if (nd > int_digits)
                out += sprintf (out, "%s", mantissa + int_digits);
            else
                *out++ = '0';
            *out = '\0';
        }
    } else {
        *out++ = mantissa[0];
        if (nd > 1)
            out += sprintf (out, ".%s", mantissa + 1);
        sprintf (out, "e%c%02d", exponent < 0 ? '-' : '+', abs (exponent));
    }
    return buf;
}

size_t
bsw_utf8_next (const char *s, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *) s;
    if (p[0] < 0x80) {
        *cp = p[0];
        return p[0] ? 1 : 0;
    }
    //  The lead byte gives the length and the smallest code point that
    //  length may carry (anything less is overlong).
    size_t n;
    uint32_t c, least;
    if ((p[0] & 0xe0) == 0xc0)
        n = 2, c = p[0] & 0x1f, least = 0x80;
    else if ((p[0] & 0xf0) == 0xe0)
        n = 3, c = p[0] & 0x0f, least = 0x800;
    else if ((p[0] & 0xf8) == 0xf0)
        n = 4, c = p[0] & 0x07, least = 0x10000;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0; // also stops at the NUL
        c = (c << 6) | (p[i] & 0x3f);
    }
    if (c < least || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

char *
bsw_utf8_strdup (const char *s)
{
    //  U+FFFD is 3 bytes, so each byte grows to at most 3.
    char *out = bsw_malloc (3 * strlen (s) + 1), *o = out;
    while (*s) {
        uint32_t cp;
        size_t n = bsw_utf8_next (s, &cp);
        if (n == 0) {
            memcpy (o, "\xef\xbf\xbd", 3);
            o += 3;
            s++;
        } else {
            memcpy (o, s, n);
            o += n;
            s += n;
        }
    }
    *o = '\0';
    return out;
}

bool
bsw_text_is_control (uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

bool
bsw_text_unsafe (const char *s)
{
    while (*s) {
        uint32_t cp;
        size_t n = bsw_utf8_next (s, &cp);
        if (n == 0 || bsw_text_is_control (cp))
            return true;
        s += n;
    }
    return false;
}

char *
bsw_text_escape (const char *s)
{
    if (!s)
        return bsw_strdup ("");
    //  The longest escape, \u{HHHH}, is 8 bytes for a 3-byte sequence;
    //  \xHH is 4 for 1 or 2 bytes: each byte grows to at most 4.
    char *out = bsw_malloc (4 * strlen (s) + 1), *o = out;
    while (*s) {
        uint32_t cp;
        size_t n = bsw_utf8_next (s, &cp);
        if (n == 0)
            o += sprintf (o, "\\x%02x", (unsigned char) *s++);
        else if (!bsw_text_is_control (cp)) {
            memcpy (o, s, n);
            o += n;
            s += n;
        } else {
            s += n;
            if (cp == '\n' || cp == '\r' || cp == '\t') {
                *o++ = '\\';
                *o++ = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
            } else if (cp < 0x100)
                o += sprintf (o, "\\x%02x", (unsigned) cp);
            else
                o += sprintf (o, "\\u{%04x}", (unsigned) cp);
        }
    }
    *o = '\0';
    return out;
}

int
bsw_parse_u64 (const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!text || *text < '0' || *text > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long value = strtoull (text, &end, 10);
    if (errno || *end || value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

#define FNV_PRIME_64 0x100000001b3ULL

void
bsw_hash128_init (bsw_hash128_t *h)
{
    h->hi = 0xcbf29ce484222325ULL;
    h->lo = 0x84222325cbf29ce4ULL;
}

void
bsw_hash128_update (bsw_hash128_t *h, const void *data, size_t size)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < size; i++) {
        h->hi = (h->hi ^ p[i]) * FNV_PRIME_64;
        h->lo = (h->lo ^ (unsigned char) (p[i] + 0x5b)) * FNV_PRIME_64;
        h->lo ^= h->hi >> 29;
    }
}

static uint64_t
s_mix64 (uint64_t x)
{
    //  splitmix64's finaliser: spreads every input bit over the output.
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static void
s_uuid_format (unsigned char b[16], unsigned version, char out[37])
{
    b[6] = (unsigned char) ((b[6] & 0x0f) | (version << 4));
    b[8] = (unsigned char) ((b[8] & 0x3f) | 0x80);
    snprintf (out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
              b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
              b[14], b[15]);
}

void
bsw_uuid_from_hash (const bsw_hash128_t *h, char out[37])
{
    uint64_t a = s_mix64 (h->hi ^ s_mix64 (h->lo));
    uint64_t b = s_mix64 (h->lo + a);
    unsigned char bytes[16];
    for (int i = 0; i < 8; i++) {
        bytes[i] = (unsigned char) (a >> (56 - 8 * i));
        bytes[8 + i] = (unsigned char) (b >> (56 - 8 * i));
    }
    s_uuid_format (bytes, 5, out);
}

void
bsw_uuid_derive (const char *sweep_uuid, const char *kind, uint64_t index, char out[37])
{
    bsw_hash128_t h;
    bsw_hash128_init (&h);
    bsw_hash128_update (&h, sweep_uuid, strlen (sweep_uuid));
    bsw_hash128_update (&h, "/", 1);
    bsw_hash128_update (&h, kind, strlen (kind));
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char) (index >> (8 * i));
    bsw_hash128_update (&h, le, sizeof le);
    bsw_uuid_from_hash (&h, out);
}

int
bsw_uuid_random (char out[37])
{
    unsigned char bytes[16];
    size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t rc = getrandom (bytes + got, sizeof bytes - got, 0);
        if (rc < 0)
            return BSW_EIO;
        got += (size_t) rc;
    }
    s_uuid_format (bytes, 4, out);
    return BSW_OK;
}

static void
s_signals_mask (int how)
{
    sigset_t signals;
    sigemptyset (&signals);
    sigaddset (&signals, SIGINT);
    sigaddset (&signals, SIGTERM);
    sigaddset (&signals, SIGHUP);
    pthread_sigmask (how, &signals, NULL);
}

void
bsw_signals_block (void)
{
    s_signals_mask (SIG_BLOCK);
}

void
bsw_signals_unblock (void)
{
    s_signals_mask (SIG_UNBLOCK);
}

int64_t
bsw_clock_wall_s (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec;
}

int64_t
bsw_clock_mono_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double
bsw_clock_mono_s (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}
