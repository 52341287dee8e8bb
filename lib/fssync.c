/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#include "fssync.h"
#include "fsutil.h"
#include "util.h"

/* The folders a run writes its files in: /etc (drop-ins, sysctl, fstab) and the state's
 * (lib/state.h). Not the swapfile's: where it is not on /etc's filesystem, the swapfile and
 * its folder are fsynced (modules/swap-file.c). */
static const char *const written_dirs[] = {"etc", "var/lib/memprov"};

/* Calls fn on each existing written folder whose filesystem was not seen before (at most
 * ELEMENTSOF(written_dirs)); *ret_n: how many filesystems. */
static int for_each_filesystem(int rootfd, int (*fn)(int fd, const struct stat *st, void *userdata),
                               void *userdata, size_t *ret_n)
{
        dev_t seen_devs[ELEMENTSOF(written_dirs)];
        size_t n = 0;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(written_dirs); i++) {
                _cleanup_close_ int fd =
                    openat(rootfd, written_dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                struct stat st;
                bool seen = false;

                if (fd < 0 && errno == ENOENT)
                        continue; /* nothing written there */
                if (fd < 0 || fstat(fd, &st) < 0)
                        return -errno;
                for (size_t j = 0; j < n; j++)
                        seen = seen || seen_devs[j] == st.st_dev;
                if (seen)
                        continue;
                r = fn(fd, &st, userdata);
                if (r < 0)
                        return r;
                seen_devs[n++] = st.st_dev;
        }
        if (ret_n)
                *ret_n = n;
        return 0;
}

static int sync_one(int fd, const struct stat *st _unused_, void *userdata _unused_)
{
        return syncfs(fd) < 0 ? -errno : 0;
}

/* One syncfs per filesystem holding a folder the run writes in: syncing the root's alone
 * would leave the state on a separate /var unsynced. On one filesystem it is one syncfs. */
int root_sync(int rootfd)
{
        return for_each_filesystem(rootfd, sync_one, NULL, NULL);
}

/* ext4 lists its data mode (data=ordered, journal or writeback) among the options it shows in
 * /proc/fs/ext4/DEVICE/options only when it has a journal (seen on Linux 6.1: an ext4 made
 * with -O ^has_journal and an ext2 mounted as ext4 list none). */
static bool ext4_has_journal(dev_t dev)
{
        _cleanup_free_ char *options = NULL, *path = NULL;
        char link[64], target[PATH_MAX];
        const char *name;
        size_t size;
        ssize_t n;

        snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(dev), minor(dev));
        n = readlink(link, target, sizeof(target) - 1);
        if (n < 0)
                return false;
        target[n] = '\0';
        name = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
        path = xasprintf("/proc/fs/ext4/%s/options", name);
        return read_regular_at(AT_FDCWD, path, false, 65536, &options, &size) == 0 &&
               (startswith(options, "data=") || strstr(options, "\ndata="));
}

/* Filesystems that commit in order: ext4 (and ext3, which ext4 mounts) with a journal, where
 * jbd2 commits one transaction after another; xfs, whose log is written in order; btrfs, which
 * commits whole transactions (its fsync log holds only inodes fsynced, and nothing fsyncs in
 * /etc or /var/lib/memprov after the run's first syncfs). Not ext2, a journal-less ext4, or
 * any other filesystem: there the caller syncs. */
static int check_ordered(int fd, const struct stat *st, void *userdata)
{
        bool *ordered = userdata;
        struct statfs sf;

        if (fstatfs(fd, &sf) < 0)
                return -errno;
        *ordered = sf.f_type == XFS_SUPER_MAGIC || sf.f_type == BTRFS_SUPER_MAGIC ||
                   (sf.f_type == EXT4_SUPER_MAGIC && ext4_has_journal(st->st_dev));
        return 0;
}

bool root_commits_in_order(int rootfd)
{
        bool ordered = false;
        size_t n = 0;

        return for_each_filesystem(rootfd, check_ordered, &ordered, &n) == 0 && n == 1 && ordered;
}
