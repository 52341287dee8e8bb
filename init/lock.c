/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "../lib/log.h"
#include "../lib/util.h"
#include "lock.h"

/* /run is a tmpfs emptied at every boot, as the lock's life should be; nothing else names this
 * file. */
#define LOCK_PATH "/run/memprov.lock"
/* How long a second run waits for the first. A guess, not a measurement: a live first boot
 * took 2.0 s in the reference image under TCG (DESIGN.md), a zero-filled swapfile on a slow
 * disk takes longer; past a minute the admin is better told than kept waiting. */
#define LOCK_WAIT_SEC  60
#define LOCK_POLL_NSEC (50 * 1000 * 1000)

/* The pid holding a flock on the file fd names, from /proc/locks (flock(2) keeps no owner that
 * fcntl could report). 0 when not found. */
static pid_t lock_holder(int fd)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/locks", "re");
        char line[256];
        struct stat st;

        if (!f || fstat(fd, &st) < 0)
                return 0;
        /* "1: FLOCK  ADVISORY  WRITE 1234 00:2a:5678 0 EOF"; waiters' lines carry "->". */
        while (fgets(line, sizeof(line), f)) {
                unsigned maj, min;
                uint64_t ino;
                int pid;

                if (strstr(line, "->") || !strstr(line, "FLOCK"))
                        continue;
                if (sscanf(line, "%*d: FLOCK %*s %*s %d %x:%x:%" SCNu64, &pid, &maj, &min, &ino) ==
                        4 &&
                    makedev(maj, min) == st.st_dev && ino == st.st_ino)
                        return pid;
        }
        return 0;
}

static unsigned wait_sec(void)
{
        const char *e = getenv("MEMPROV_LOCK_WAIT_SEC");

        /* For tests and impatient admins; anything but a plain number is ignored. */
        if (e && isdigit_str(e) && strlen(e) < 6)
                return (unsigned)atoi(e);
        return LOCK_WAIT_SEC;
}

static int open_lock(int rootfd, const char *root, int *ret_fd)
{
        struct stat st;
        int fd;

        /* Under --root the tree's own folder: a file there would end up in the image; every
         * run on the tree opens the same inode, whatever path or bind mount it came by. */
        if (root[0])
                fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        else
                fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
        if (fd < 0)
                return log_error_errno(errno, "cannot open %s", root[0] ? root : LOCK_PATH);
        if (!root[0] && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
                close(fd);
                return log_error("%s is not a regular file; nothing changed", LOCK_PATH);
        }
        *ret_fd = fd;
        return 0;
}

int lock_take(int rootfd, const char *root, int *ret_fd)
{
        _cleanup_close_ int fd = -1;
        struct timespec start, now;
        const char *what = root[0] ? root : LOCK_PATH;
        unsigned limit = wait_sec();
        bool said = false;
        int r;

        r = open_lock(rootfd, root, &fd);
        if (r < 0)
                return r;
        clock_gettime(CLOCK_MONOTONIC, &start);
        /* Polled rather than blocking: a blocked flock cannot be given a deadline without a
         * signal handler. */
        while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                pid_t pid;

                if (errno != EWOULDBLOCK)
                        return log_error_errno(errno, "cannot lock %s", what);
                pid = lock_holder(fd);
                clock_gettime(CLOCK_MONOTONIC, &now);
                if ((now.tv_sec - start.tv_sec) * 1000000000LL + (now.tv_nsec - start.tv_nsec) >=
                    (long long)limit * 1000000000LL) {
                        if (pid > 0)
                                return log_error("another memprov run (pid %d) still holds %s "
                                                 "after %u s; nothing changed (run again when it "
                                                 "has finished)",
                                                 (int)pid, what, limit);
                        return log_error("another memprov run still holds %s after %u s; "
                                         "nothing changed (run again when it has finished)",
                                         what, limit);
                }
                if (!said) {
                        log_info("another memprov run (pid %d) holds %s: waiting up to %u s",
                                 (int)pid, what, limit);
                        said = true;
                }
                nanosleep(&(struct timespec){.tv_nsec = LOCK_POLL_NSEC}, NULL);
        }
        *ret_fd = fd;
        fd = -1;
        return 0;
}
