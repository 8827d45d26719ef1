/*  fuzz_replay.c - main for a fuzz target built without libFuzzer: runs
    each file named on the command line (or every file of a folder named
    there) through LLVMFuzzerTestOneInput once.

    This is how the seed corpus (fuzz/corpus/TARGET/) and the inputs that
    once crashed (fuzz/regressions/TARGET/) run in every CTest run, with
    gcc, and under the sanitizers in the BSW_SANITIZE tree. A crash or a
    sanitizer report fails the test; an input the code rejects passes.
*/
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

//  Reads a whole file into a fresh buffer (an empty file gives a 1-byte
//  buffer and size 0, so the target always gets a valid pointer).
static uint8_t *
s_read (const char *path, size_t *size)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    uint8_t *data = NULL;
    size_t used = 0, cap = 0;
    for (;;) {
        if (used == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *grown = realloc (data, cap);
            if (!grown) {
                free (data);
                fclose (file);
                return NULL;
            }
            data = grown;
        }
        size_t got = fread (data + used, 1, cap - used, file);
        used += got;
        if (got == 0)
            break;
    }
    bool failed = ferror (file);
    fclose (file);
    if (failed) {
        free (data);
        return NULL;
    }
    *size = used;
    return data;
}

static int
s_replay_file (const char *path)
{
    size_t size = 0;
    uint8_t *data = s_read (path, &size);
    if (!data) {
        fprintf (stderr, "fuzz_replay: %s: cannot read: %s\n", path, strerror (errno));
        return -1;
    }
    //  An exact-size copy, so that a read past the input's end is caught by
    //  ASan in the sanitizer build as it is under libFuzzer.
    uint8_t *exact = malloc (size ? size : 1);
    if (!exact) {
        free (data);
        return -1;
    }
    memcpy (exact, data, size);
    free (data);
    LLVMFuzzerTestOneInput (exact, size);
    free (exact);
    printf ("fuzz_replay: %s: %zu bytes: done\n", path, size);
    return 0;
}

int
main (int argc, char **argv)
{
    if (argc < 2) {
        fprintf (stderr, "usage: %s FILE|FOLDER...\n", argv[0]);
        return 2;
    }
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat (argv[i], &st) == 0 && S_ISDIR (st.st_mode)) {
            DIR *dir = opendir (argv[i]);
            struct dirent *entry;
            while (dir && (entry = readdir (dir))) {
                if (entry->d_name[0] == '.')
                    continue;
                char path[4096];
                snprintf (path, sizeof path, "%s/%s", argv[i], entry->d_name);
                failed |= s_replay_file (path) != 0;
            }
            if (dir)
                closedir (dir);
        } else
            failed |= s_replay_file (argv[i]) != 0;
    }
    return failed ? 1 : 0;
}
