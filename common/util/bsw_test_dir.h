/*  bsw_test_dir.h - the scratch-folder fixture of the C tests.

    A case that writes files makes its own folder and removes it, so cases
    and test programs running side by side (ctest -j) never share a file:

        char dir[BSW_TEST_DIR_MAX];
        BSW_CHECK (bsw_test_dir_new (dir, "broker_db_test"));
        ...write (bsw_test_dir_path (dir, "a.h5"))...
        BSW_CHECK_INT (bsw_test_dir_entries (dir), 1);
        bsw_test_dir_remove (dir);

    A case that fails returns at its check and leaves its folder behind,
    for a look at what it wrote.

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

/*  Bytes of a path that bsw_test_dir_path gives, NUL included. */
#define BSW_TEST_DIR_PATH_MAX (BSW_TEST_DIR_MAX + 192)

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

/*  dir/name, in one of 8 static buffers used in turn: a path stays valid
    until 8 more have been asked for, enough for the arguments of one call
    and the few files of a case. Aborts when it does not fit (a test's own
    names are short). Not for threads. */
static inline const char *
bsw_test_dir_path (const char *dir, const char *name)
{
    static char paths[8][BSW_TEST_DIR_PATH_MAX];
    static unsigned next;
    char *path = paths[next++ % 8];
    int n = snprintf (path, BSW_TEST_DIR_PATH_MAX, "%s/%s", dir, name);
    if (n < 0 || n >= BSW_TEST_DIR_PATH_MAX) {
        fprintf (stderr, "bsw_test_dir_path: '%s/%s' is longer than %d bytes\n", dir, name,
                 BSW_TEST_DIR_PATH_MAX - 1);
        abort ();
    }
    return path;
}

/*  The entries of a folder but . and .., for checks such as "nothing but
    the target is left"; 0 when it cannot be read. */
static inline size_t
bsw_test_dir_entries (const char *dir)
{
    DIR *d = opendir (dir);
    size_t n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir (d)) != NULL;)
        if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
            n++;
    closedir (d);
    return n;
}

/*  The whole file at path, with a NUL after it (caller frees), or NULL
    when it cannot be read. */
static inline char *
bsw_test_read_file (const char *path, size_t *size_p)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return NULL;
    long size = fseek (f, 0, SEEK_END) == 0 ? ftell (f) : -1;
    char *bytes = size >= 0 ? malloc ((size_t) size + 1) : NULL;
    bool ok =
        bytes && fseek (f, 0, SEEK_SET) == 0 && fread (bytes, 1, (size_t) size, f) == (size_t) size;
    fclose (f);
    if (!ok) {
        free (bytes);
        return NULL;
    }
    bytes[size] = '\0';
    *size_p = (size_t) size;
    return bytes;
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
