/* O_TMPFILE and linkat's AT_SYMLINK_FOLLOW are GNU extensions: asked for before any header. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif
#include "CompCShims.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

int comp_open_unnamed(const char *directory, unsigned mode) {
#if defined(__linux__) && defined(O_TMPFILE)
    int descriptor = open(directory, O_TMPFILE | O_WRONLY | O_CLOEXEC, (mode_t)mode);
    if (descriptor < 0) return -1;
    /* Naming it later goes through /proc/self/fd: without /proc it could never be named. */
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", descriptor);
    if (access(link, F_OK) != 0) {
        close(descriptor);
        errno = EOPNOTSUPP;
        return -1;
    }
    return descriptor;
#else
    (void)directory;
    (void)mode;
    errno = EOPNOTSUPP;
    return -1;
#endif
}

int comp_name_unnamed(int descriptor, const char *path) {
#if defined(__linux__) && defined(O_TMPFILE)
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", descriptor);
    return linkat(AT_FDCWD, link, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
#else
    (void)descriptor;
    (void)path;
    errno = EOPNOTSUPP;
    return -1;
#endif
}

int comp_rename_noreplace(const char *from, const char *to) {
#if defined(__linux__) && defined(RENAME_NOREPLACE)
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) return -1;
#endif
    struct stat info;
    if (lstat(to, &info) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(from, to);
}
