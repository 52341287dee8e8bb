/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which file is memprov's swap area. memprov gives every swapfile it makes the label
 * "memprov" (mkswap -L); libblkid reads the label and the swap signature back. Only a regular
 * file (never through a symlink) carrying both is memprov's to swap on, replace or remove, even
 * when the state names it: the state can be stale, and swap.path can come from user-data.
 */
#include <blkid/blkid.h>
#include <fcntl.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "swap.h"

static bool fd_is_memprov_swap(int fd)
{
        blkid_probe pr = blkid_new_probe();
        const char *type = NULL, *label = NULL;
        bool ours = false;

        if (!pr)
                return false;
        if (blkid_probe_set_device(pr, fd, 0, 0) == 0 &&
            blkid_probe_enable_superblocks(pr, 1) == 0 &&
            blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_TYPE) == 0 &&
            blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0 &&
            blkid_probe_lookup_value(pr, "LABEL", &label, NULL) == 0)
                ours = streq(type, "swap") && streq(label, SWAP_LABEL);
        blkid_free_probe(pr);
        return ours;
}

int swap_file_kind(const struct context *ctx, const char *path, uint64_t *ret_size)
{
        _cleanup_close_ int dirfd = -1, fd = -1;
        const char *name;
        struct stat st;
        int r;

        r = root_open_parent(ctx->rootfd, path, false, &dirfd, &name);
        if (r == -ENOENT)
                return SWAP_FILE_ABSENT;
        if (r < 0)
                return r;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? SWAP_FILE_ABSENT : -errno;
        if (!S_ISREG(st.st_mode))
                return SWAP_FILE_FOREIGN;
        /* O_NONBLOCK: a FIFO swapped in after the check must not hang the run. */
        fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || !fd_is_memprov_swap(fd))
                return SWAP_FILE_FOREIGN;
        if (ret_size)
                *ret_size = (uint64_t)st.st_size;
        return SWAP_FILE_OURS;
}

int swap_refuse_foreign(const struct context *ctx, const char *path)
{
        int kind = swap_file_kind(ctx, path, NULL);

        if (kind == SWAP_FILE_FOREIGN)
                return log_error("%s%s exists and is not memprov's swapfile (no swap area "
                                 "labelled \"%s\"): refusing to touch it; nothing changed",
                                 ctx->root, path, SWAP_LABEL);
        if (kind < 0)
                return log_error_errno(kind, "swap.path %s%s: refusing; nothing changed", ctx->root,
                                       path);
        return 0;
}
