/*  bsw_test_dir.h - the scratch-folder fixture of the C tests.

    A case that writes files makes its own folder and removes it, so cases
    and test programs running side by side (ctest -j) never share a file:

        char dir[BSW_TEST_DIR_MAX];
        BSW_CHECK (bsw_test_dir_new (dir, "broker_db_test"));
        ...
        bsw_test_dir_remove (dir);

    Header-only, libc and POSIX only, like bsw_test.h beside it.
*/
#ifndef BSW_TEST_DIR_H_INCLUDED
#define BSW_TEST_DIR_H_INCLUDED

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*  Bytes of a folder path, NUL included: short, so that tests can build
    paths inside it in small fixed buffers. */
#define BSW_TEST_DIR_MAX 64

/*  A new empty folder $TMPDIR/NAME-XXXXXX (or under /tmp) into dir (of
    BSW_TEST_DIR_MAX bytes). Returns false, having said why, on failure. */
static inline bool
bsw_test_dir_new (char *dir, const char *name)
{
    const char *base = getenv ("TMPDIR");
    int n = snprintf (dir, BSW_TEST_DIR_MAX, "%s/%s-XXXXXX", base && *base ? base : "/tmp", name);
    if (n < 0 || n >= BSW_TEST_DIR_MAX) {
        fprintf (stderr, "bsw_test_dir_new: '%s/%s-XXXXXX' is longer than %d bytes\n",
                 base && *base ? base : "/tmp", name, BSW_TEST_DIR_MAX - 1);
        return false;
    }
    if (mkdtemp (dir))
        return true;
    perror ("mkdtemp");
    return false;
}

/*  rm -rf path, without a shell; symbolic links are removed, not followed. */
static inline void
bsw_test_dir_remove (const char *path)
{
    struct stat st;
    if (lstat (path, &st) != 0)
        return;
    if (!S_ISDIR (st.st_mode)) {
        unlink (path);
        return;
    }
    DIR *d = opendir (path);
    if (d) {
        struct dirent *e;
        while ((e = readdir (d)) != NULL) {
            if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
                continue;
            char child[4096];
            int n = snprintf (child, sizeof child, "%s/%s", path, e->d_name);
            if (n > 0 && (size_t) n < sizeof child)
                bsw_test_dir_remove (child);
        }
        closedir (d);
    }
    rmdir (path);
}

#endif
