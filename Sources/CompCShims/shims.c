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

void comp_start_writeback(int descriptor, int64_t offset, int64_t count) {
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    (void)sync_file_range(descriptor, (off_t)offset, (off_t)count, SYNC_FILE_RANGE_WRITE);
#else
    (void)descriptor;
    (void)offset;
    (void)count;
#endif
}

/* Guarded file mappings. A mapped file that another process truncates while it is read raises
 * SIGBUS at the first page past its new end, which would kill the run. Reads of a registered
 * mapping are instead given zero-filled pages (an anonymous page mapped over the faulting one),
 * and the mapping's fault count tells the reader its bytes are no longer the file's. A SIGBUS
 * anywhere else goes to the handler that was there before (or the default: the process ends). */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>

#define COMP_GUARD_SLOTS 256
static _Atomic(uintptr_t) guard_start[COMP_GUARD_SLOTS];
static _Atomic(uintptr_t) guard_end[COMP_GUARD_SLOTS];
static _Atomic(long) guard_faults[COMP_GUARD_SLOTS];
static _Atomic(int) guard_claimed[COMP_GUARD_SLOTS];
static struct sigaction guard_previous;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;
static int guard_installed = 0;

static uintptr_t guard_page_size = 4096;

static void guard_on_bus(int signal_number, siginfo_t *info, void *context) {
    int saved_errno = errno;
    uintptr_t address = (uintptr_t)info->si_addr;
    /* Only a fault the kernel raised (si_code > 0); a SIGBUS sent by kill() is not a read. */
    for (int slot = 0; info->si_code > 0 && slot < COMP_GUARD_SLOTS; slot++) {
        uintptr_t start = atomic_load(&guard_start[slot]);
        uintptr_t end = atomic_load(&guard_end[slot]);
        if (start == 0 || address < start || address >= end) continue;
        /* Zeros from the faulting page to the mapping's end, in one region: the file was cut
         * before this page, so every page after it is gone too. mmap is a plain system call on
         * Linux, safe in a handler in practice. */
        uintptr_t page = address & ~(guard_page_size - 1);
        void *zero = mmap((void *)page, end - page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (zero != MAP_FAILED) {
            atomic_fetch_add(&guard_faults[slot], 1);
            errno = saved_errno;
            return; /* the read is retried and finds zeros */
        }
        break;
    }
    if ((guard_previous.sa_flags & SA_SIGINFO) && guard_previous.sa_sigaction != NULL) {
        guard_previous.sa_sigaction(signal_number, info, context);
    } else if (guard_previous.sa_handler != SIG_DFL && guard_previous.sa_handler != SIG_IGN && guard_previous.sa_handler != NULL) {
        guard_previous.sa_handler(signal_number);
    } else if (guard_previous.sa_handler != SIG_IGN || info->si_code > 0) {
        /* The default action: the signal again, delivered once this handler returns. A fault is
         * never ignored (its read would fault again forever), as the kernel never ignores one. */
        signal(SIGBUS, SIG_DFL);
        raise(SIGBUS);
    }
    errno = saved_errno;
}

static void guard_install(void) {
    long page = sysconf(_SC_PAGESIZE);
    if (page > 0) guard_page_size = (uintptr_t)page;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = guard_on_bus;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    guard_installed = sigaction(SIGBUS, &action, &guard_previous) == 0;
}

int comp_guard_mapping(const void *start, size_t length) {
    pthread_once(&guard_once, guard_install);
    if (!guard_installed || start == NULL || length == 0) return -1;
    for (int slot = 0; slot < COMP_GUARD_SLOTS; slot++) {
        int free = 0;
        if (!atomic_compare_exchange_strong(&guard_claimed[slot], &free, 1)) continue;
        /* End before start: the handler only matches a slot whose start is set. */
        atomic_store(&guard_faults[slot], 0);
        atomic_store(&guard_end[slot], (uintptr_t)start + length);
        atomic_store(&guard_start[slot], (uintptr_t)start);
        return slot;
    }
    return -1;
}

long comp_guard_faults(int slot) {
    if (slot < 0 || slot >= COMP_GUARD_SLOTS) return 0;
    return atomic_load(&guard_faults[slot]);
}

void comp_unguard_mapping(int slot) {
    if (slot < 0 || slot >= COMP_GUARD_SLOTS) return;
    atomic_store(&guard_start[slot], 0);
    atomic_store(&guard_claimed[slot], 0);
}
