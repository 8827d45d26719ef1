/*  fuzz.h - what the fuzz targets share: the libFuzzer entry point and the
    little readers the targets use to split one input into parts.

    Every fuzz_<target>.c defines LLVMFuzzerTestOneInput. Built with clang
    and -DBSW_FUZZ=ON, libFuzzer provides main and drives it; built with
    any other compiler, fuzz_replay.c provides a main that runs the files
    named on its command line through it once each, so the seed corpus and
    the crash regressions replay as ordinary CTest cases (fuzz/CMakeLists.txt).

    A target returns 0 for every input, accepted or rejected: a rejected
    input is the code under test doing its job. Only a crash, a sanitizer
    report or a broken invariant (BSW_ASSERT: what was accepted must
    survive a second trip through the same code) is a finding.
*/
#ifndef FUZZ_H_INCLUDED
#define FUZZ_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bsw_error.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/*  A little-endian unsigned integer of `bytes` bytes (1..8) at *at, or
    fewer when the input ends first (the missing high bytes are 0).
    Advances *at past what it read. */
static inline uint64_t
fuzz_take_le (const uint8_t *data, size_t size, size_t *at, unsigned bytes)
{
    uint64_t value = 0;
    for (unsigned i = 0; i < bytes && *at < size; i++, (*at)++)
        value |= (uint64_t) data[*at] << (8 * i);
    return value;
}

/*  With BSW_FUZZ_VERBOSE set, says on stderr whether the code under test
    accepted the input and, if not, why: for checking that a new seed
    gets as far as it should ("fuzz_connectivity: accepted"). */
static inline void
fuzz_note (const char *target, int rc, const bsw_error_t *err)
{
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv ("BSW_FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf (stderr, "%s: %s%s\n", target, rc ? "rejected: " : "accepted", rc ? err->text : "");
}

#endif
