/*  fuzz_spec.c - fuzz target: the JSON spec parser (spec_load_string) and
    the range expansion behind it, as the broker meets a submitted spec.

    Input layout: the spec's JSON text up to the first NUL byte; after it,
    optionally, one command-line range ("PARAM=lo:hi:step" or
    "PARAM=v1,v2,..."), up to the next NUL or the end, which is added to an
    accepted spec as `--range` does (spec_add_range_arg).

    The parser is built for this target with a small sweep cap
    (SPEC_MAX_POINTS_HARD, fuzz/CMakeLists.txt) so a range of a hundred
    million values is rejected after the same arithmetic instead of being
    allocated: the fuzzer looks for wrong code, not for big sweeps.

    An accepted spec must then give the setup of its first, middle and last
    point, as a worker asks for them.
*/
#include "fuzz.h"

#include "bsw_assert.h"
#include "spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The setups of a few points; none may fail once the spec is accepted
//  (spec_range_add checks every value when the range is added).
static void
s_check_points (const spec_t *spec)
{
    uint64_t points = spec_points (spec);
    BSW_ASSERT (points >= 1 && points <= SPEC_MAX_POINTS_HARD);
    const uint64_t picks[3] = {0, points / 2, points - 1};
    size_t *coords = calloc (spec->n_ranges + 1, sizeof *coords);
    BSW_ASSERT (coords);
    for (int i = 0; i < 3; i++) {
        sim_setup_t setup;
        bsw_error_t err;
        int rc = spec_point_setup (spec, picks[i], &setup, &err);
        if (rc) {
            fprintf (stderr, "fuzz_spec: point %llu of an accepted spec: %s\n",
                     (unsigned long long) picks[i], err.text);
            BSW_ASSERT (rc == 0);
        }
        if (spec_is_grid (spec)) {
            spec_point_coords (spec, picks[i], coords);
            for (size_t r = 0; r < spec->n_ranges; r++)
                BSW_ASSERT (coords[r] < spec->ranges[r].n_values);
        }
        //  Every value within its axis' bounds, whatever the design.
        double values[64];
        if (!spec_is_grid (spec) && spec->n_ranges <= 64) {
            spec_point_values (spec, picks[i], values);
            for (size_t r = 0; r < spec->n_ranges; r++)
                BSW_ASSERT (values[r] >= spec->ranges[r].lo && values[r] <= spec->ranges[r].hi);
        }
    }
    free (coords);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr (data, '\0', size);
    size_t json_size = nul ? (size_t) (nul - data) : size;
    spec_t *spec = NULL;
    bsw_error_t err;
    int rc = spec_load_string (&spec, (const char *) data, json_size, "fuzz.json", NULL, &err);
    BSW_ASSERT ((rc == 0) == (spec != NULL));
    BSW_ASSERT (rc == 0 || err.text[0] != '\0');
    fuzz_note ("fuzz_spec", rc, &err);
    if (rc)
        return 0;
    s_check_points (spec);
    spec_check_nodes (spec, 76, "fuzz.json", &err);
    if (nul) {
        //  The range argument as its own C string, exactly as long as it is.
        const uint8_t *start = nul + 1;
        const uint8_t *end = memchr (start, '\0', size - json_size - 1);
        size_t length = end ? (size_t) (end - start) : size - json_size - 1;
        char *arg = malloc (length + 1);
        BSW_ASSERT (arg);
        memcpy (arg, start, length);
        arg[length] = '\0';
        rc = spec_add_range_arg (spec, arg, &err);
        BSW_ASSERT (rc == 0 || err.text[0] != '\0');
        if (rc == 0)
            s_check_points (spec);
        free (arg);
    }
    spec_destroy (&spec);
    return 0;
}
