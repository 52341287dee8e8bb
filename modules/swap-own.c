/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which file is memprov's swap area. memprov gives every swapfile it makes the label
 * "memprov" (as mkswap -L does: swap-header.c); libblkid reads the label and the swap signature
 * back. Only a regular file (never through a symlink) carrying both is memprov's to swap on,
 * replace or remove, even when the state names it: the state can be stale, and swap.path can come
 * from user-data.
 *
 * Upgrade path: memprov 0.1.0 made its swapfiles without a label. Such a file is memprov's when
 * the state (written only by memprov) names it as memprov's swapfile and it is a swap area
 * without any label, of exactly the recorded size; the apply then labels it (swap_adopt) and it is
 * an ordinary labelled swapfile from there on. Anything else stays refused.
 */
#include <blkid/blkid.h>
#include <fcntl.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/spawn.h"
#include "../lib/state.h"
#include "swap.h"

enum probe { PROBE_OTHER, PROBE_OURS, PROBE_UNLABELLED_SWAP };

static enum probe probe_fd(int fd)
{
        blkid_probe pr = blkid_new_probe();
        const char *type = NULL, *label = NULL;
        enum probe ret = PROBE_OTHER;

        if (!pr)
                return PROBE_OTHER;
        if (blkid_probe_set_device(pr, fd, 0, 0) == 0 &&
            blkid_probe_enable_superblocks(pr, 1) == 0 &&
            blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_TYPE) == 0 &&
            blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0 &&
            streq(type, "swap")) {
                if (blkid_probe_lookup_value(pr, "LABEL", &label, NULL) < 0)
                        ret = PROBE_UNLABELLED_SWAP;
                else if (streq(label, SWAP_LABEL))
                        ret = PROBE_OURS;
        }
        blkid_free_probe(pr);
        return ret;
}

/* The state names path as memprov's swapfile, of size bytes. */
static bool recorded_as_ours(const struct context *ctx, const char *path, uint64_t size)
{
        const char *recorded = ctx->state ? config_str(ctx->state, "swap", "path", NULL) : NULL;

        return recorded && streq(recorded, path) &&
               state_u64(ctx->state, "swap", "size_bytes") == size;
}

/* SWAP_FILE_* (ADOPTABLE: 0.1.0's unlabelled swapfile, see above), or -errno. */
static int file_kind(const struct context *ctx, const char *path, uint64_t *ret_size)
{
        _cleanup_close_ int dirfd = -1, fd = -1;
        const char *name;
        struct stat st;
        enum probe probe;
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
        if (!S_ISREG(st.st_mode))
                return SWAP_FILE_FOREIGN;
        probe = probe_fd(fd);
        if (probe == PROBE_OTHER ||
            (probe == PROBE_UNLABELLED_SWAP && !recorded_as_ours(ctx, path, (uint64_t)st.st_size)))
                return SWAP_FILE_FOREIGN;
        if (ret_size)
                *ret_size = (uint64_t)st.st_size;
        return probe == PROBE_OURS ? SWAP_FILE_OURS : SWAP_FILE_ADOPTABLE;
}

int swap_file_kind(const struct context *ctx, const char *path, uint64_t *ret_size)
{
        int kind = file_kind(ctx, path, ret_size);

        return kind == SWAP_FILE_ADOPTABLE ? SWAP_FILE_OURS : kind;
}

bool swap_adoptable(const struct context *ctx, const char *path)
{
        return file_kind(ctx, path, NULL) == SWAP_FILE_ADOPTABLE;
}

int swap_adopt(const struct context *ctx)
{
        static const char *const candidates[] = {"/usr/sbin/swaplabel", "/sbin/swaplabel", NULL};
        const char *path = ctx->state ? config_str(ctx->state, "swap", "path", NULL) : NULL;
        const char *swaplabel;
        _cleanup_free_ char *full = NULL;
        int r;

        if (!path || !swap_adoptable(ctx, path))
                return 0;
        swaplabel = find_program(candidates);
        if (!swaplabel)
                return log_error("swaplabel not found (install util-linux)");
        /* swaplabel writes only the label field of the swap header: the area, its UUID (which an
         * fstab may name) and, on an active swapfile, the pages in use stay as they are. mkswap
         * would write a new header (a new UUID). */
        full = xasprintf("%s%s", ctx->root, path);
        r = spawn_wait(
            (char *const[]){(char *)swaplabel, (char *)"-L", (char *)SWAP_LABEL, full, NULL});
        if (r < 0)
                return log_error_errno(r, "cannot label %s as memprov's swapfile", full);
        log_info("%s: swapfile made by memprov 0.1.0 (no label) labelled \"%s\"", full, SWAP_LABEL);
        return 0;
}

/* The blocks of name in dirfd when it is a regular file, else 0. */
static uint64_t blocks_of(int dirfd, const char *name)
{
        struct stat st;

        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                return 0;
        return (uint64_t)st.st_blocks * 512;
}

/* A run stopped while it made or resized the swapfile leaves files of its own: the temp file of
 * the new swapfile (staged before a first boot's intent record, or made during a resize), a
 * resize's side file and the side file's temp file. The next apply sweeps them before it makes
 * anything (swap-file.c: recover_side, sweep_temp, and the unlink before a staging), so the
 * space they take is free for this run's sizing. Measured as used instead, a first boot killed
 * after its staging made 832M instead of 1152M on a 5G disk and kept it for good, and a resize
 * to 3G killed half way ended at 3008M (issue 21, item 7). Their allocated blocks count, not
 * their sizes: a temp file can be cut short. A temp file is memprov's by its name (the apply
 * unlinks it by that name alone); a side file only when it carries memprov's label. */
uint64_t swap_leftover_bytes(const struct context *ctx, const char *path)
{
        _cleanup_free_ char *side = xasprintf("%s%s", path, SWAP_RESIZE_SUFFIX);
        const char *files[] = {path, side};
        uint64_t total = 0;

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_close_ int dirfd = -1;
                _cleanup_free_ char *tmp = NULL;
                const char *name;

                if (root_open_parent(ctx->rootfd, files[i], false, &dirfd, &name) < 0)
                        continue;
                tmp = xasprintf(".%s" SWAP_TEMP_SUFFIX, name);
                total += blocks_of(dirfd, tmp);
                if (i == 1 && swap_file_kind(ctx, side, NULL) == SWAP_FILE_OURS)
                        total += blocks_of(dirfd, name);
        }
        return total;
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
