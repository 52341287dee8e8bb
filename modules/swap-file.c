/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Carrying out the swap plan. Files are created under a temporary name with mode 0600, made
 * NOCOW on btrfs while still empty, fully allocated (fallocate, or zeros where the filesystem
 * has no fallocate: swapon refuses files with holes), given memprov's swap signature
 * (swap-header.c), renamed into place and only then swapped on and written to fstab. A first
 * boot's swapfile is made before the run's syncfs (swap_stage_file), which makes it durable
 * with the run's other files; any other is fsynced here.
 */
#include <fcntl.h>
#include <libmount/libmount.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/swap.h>

#include "../lib/fssync.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "swap.h"

#define RESIZE_SUFFIX SWAP_RESIZE_SUFFIX

static int zero_fill(int fd, uint64_t size)
{
        static const char zeros[1 << 16];
        int r;

        for (uint64_t done = 0; done < size; done += sizeof(zeros)) {
                r = write_all(fd, zeros, (size_t)MIN(sizeof(zeros), size - done));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int set_nocow(int fd)
{
        int flags;

        if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
                return -errno;
        flags |= FS_NOCOW_FL;
        return ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0 ? -errno : 0;
}

/* name in dirfd: a new swap area of size bytes; sync: fsync it (else the caller's syncfs does). */
static int make_swap_area(int dirfd, const char *name, uint64_t size, const char *fstype, bool sync)
{
        _cleanup_close_ int fd = -1;
        int r;

        fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return log_error_errno(errno, "cannot create swapfile %s", name);
        if (fchmod(fd, 0600) < 0)
                return log_error_errno(errno, "chmod %s", name);
        if (streq(fstype, "btrfs") && (r = set_nocow(fd)) < 0)
                return log_error_errno(r, "cannot mark %s NOCOW on btrfs", name);
        r = fallocate(fd, 0, 0, (off_t)size) < 0 ? -errno : 0;
        if (r == -EOPNOTSUPP)
                r = zero_fill(fd, size);
        if (r < 0)
                return log_error_errno(r, "cannot allocate %llu bytes for swapfile %s",
                                       (unsigned long long)size, name);
        r = swap_header_write(fd, size);
        if (r < 0)
                return log_error_errno(r, "cannot write the swap signature of %s", name);
        if (sync && fsync(fd) < 0)
                return log_error_errno(errno, "fsync %s", name);
        return 0;
}

static char *temp_swapfile_name(const char *name)
{
        return xasprintf(".%s" SWAP_TEMP_SUFFIX, name);
}

/* The temp file of an interrupted create (never swapped on, so it can go). */
static void sweep_temp(const struct context *ctx, const char *path)
{
        _cleanup_close_ int dirfd = -1;
        _cleanup_free_ char *tmp = NULL;
        const char *name;

        if (root_open_parent(ctx->rootfd, path, false, &dirfd, &name) < 0)
                return;
        tmp = temp_swapfile_name(name);
        (void)unlinkat(dirfd, tmp, 0);
}

/* Whether the directory dirfd is on the filesystem that holds /etc/fstab. There the fstab's
 * rename (fstab_ensure_swap), which comes after the swapfile's, cannot reach the disk without it:
 * ext4's jbd2 and xfs's log commit in order, btrfs commits whole transactions, and nothing
 * fsyncs the fstab after its rename (its bytes were synced before the first change, or it is
 * written with temp file, fsync, rename). So only a swapfile on another filesystem needs its
 * directory flushed here (one journal commit less per first boot). */
static bool on_fstab_filesystem(const struct context *ctx, int dirfd)
{
        struct stat dir, etc;

        return fstat(dirfd, &dir) == 0 && root_lstat(ctx->rootfd, "/etc", &etc) == 0 &&
               dir.st_dev == etc.st_dev;
}

/* Creates (or replaces, when it is not active) path as a swapfile of size bytes; staged: its
 * temp file is made and synced already (swap_stage_file). */
static int create_swapfile(const struct context *ctx, const char *path, uint64_t size,
                           const char *fstype, bool staged)
{
        _cleanup_close_ int dirfd = -1;
        _cleanup_free_ char *tmp = NULL;
        const char *name;
        int r = 0;

        r = root_open_parent(ctx->rootfd, path, true, &dirfd, &name);
        if (r < 0)
                return log_error_errno(r, "%s%s", ctx->root, path);
        tmp = temp_swapfile_name(name);
        if (!staged) {
                (void)unlinkat(dirfd, tmp, 0); /* left over by an interrupted run */
                r = make_swap_area(dirfd, tmp, size, fstype, true);
        }
        if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
                r = log_error_errno(errno, "cannot rename %s%s's temp file into place", ctx->root,
                                    path);
        if (r < 0) {
                (void)unlinkat(dirfd, tmp, 0);
                return r;
        }
        /* Durable before fstab names it: a crash must not leave an entry without its file. */
        if (!on_fstab_filesystem(ctx, dirfd) && (r = fsync_dir(dirfd)) < 0)
                return log_error_errno(r, "fsync %s", path);
        return 0;
}

int swap_stage_file(const struct context *ctx, const struct action *a)
{
        _cleanup_close_ int dirfd = -1;
        _cleanup_free_ char *tmp = NULL;
        const char *name;
        int r;

        /* Anything at the path (memprov's from a stopped run, or not memprov's) is apply's to
         * judge, as before; a resize or move makes its files while the old one is active. */
        if (a->swap.op != SWAP_CREATE ||
            swap_file_kind(ctx, a->swap.path, NULL) != SWAP_FILE_ABSENT)
                return 0;
        r = root_open_parent(ctx->rootfd, a->swap.path, true, &dirfd, &name);
        if (r < 0)
                return log_error_errno(r, "%s%s", ctx->root, a->swap.path);
        tmp = temp_swapfile_name(name);
        (void)unlinkat(dirfd, tmp, 0); /* left over by an interrupted run */
        /* The run's syncfs flushes /etc's filesystem: a swapfile elsewhere is fsynced now. */
        r = make_swap_area(dirfd, tmp, a->swap.size_bytes, a->swap.fstype,
                           !on_fstab_filesystem(ctx, dirfd));
        if (r < 0) {
                (void)unlinkat(dirfd, tmp, 0);
                return r;
        }
        return 1;
}

void swap_unstage_file(const struct context *ctx)
{
        struct swap_settings set;

        if (swap_settings(ctx, &set) == 0)
                sweep_temp(ctx, set.path);
}

static int remove_swapfile(const struct context *ctx, const char *path)
{
        int r = swap_refuse_foreign(ctx, path);

        if (r < 0)
                return r;
        r = root_remove_file(ctx->rootfd, path);

        return r < 0 && r != -ENOENT ? log_error_errno(r, "cannot remove %s%s", ctx->root, path)
                                     : 0;
}

/* fstab's new bytes on disk before path's unlink can be: where they share a filesystem that
 * commits in order nothing is needed (the unlink cannot reach the disk first); elsewhere one
 * syncfs. */
static int flush_fstab_before(const struct context *ctx, const char *path)
{
        struct stat etc, file;
        int r;

        if (root_lstat(ctx->rootfd, path, &file) < 0)
                return 0; /* nothing to unlink */
        if (root_lstat(ctx->rootfd, "/etc", &etc) == 0 && etc.st_dev == file.st_dev &&
            root_commits_in_order(ctx->rootfd))
                return 0;
        r = root_sync(ctx->rootfd);
        return r < 0 ? log_error_errno(r, "syncfs") : 0;
}

static bool swap_active(const char *path)
{
        struct libmnt_table *tb = mnt_new_table();
        bool active = tb && mnt_table_parse_swaps(tb, NULL) == 0 &&
                      mnt_table_find_source(tb, path, MNT_ITER_FORWARD) != NULL;

        mnt_unref_table(tb);
        return active;
}

static int do_swapon(const char *path)
{
        if (swapon(path, 0) == 0)
                return 0;
        if (errno == EINVAL)
                return log_error("swapon %s: the kernel refused the file (holes, or a "
                                 "filesystem that cannot hold swap)",
                                 path);
        return log_error_errno(errno, "swapon %s", path);
}

/* swapoff fails with ENOMEM when RAM cannot take back what is swapped out. Not logged here:
 * each caller says what it leaves behind. */
static int try_swapoff(const char *path)
{
        if (!swap_active(path) || swapoff(path) == 0)
                return 0;
        return -errno;
}

static int create_and_enable(const struct context *ctx, const char *path, uint64_t size,
                             const char *fstype, bool live, bool staged)
{
        uint64_t have = 0;
        int kind = swap_file_kind(ctx, path, &have), r;

        if (kind < 0)
                return log_error_errno(kind, "%s%s", ctx->root, path);
        if (kind == SWAP_FILE_FOREIGN)
                return swap_refuse_foreign(ctx, path);
        /* Made by a run that stopped before it could record it: finished, not made again. */
        if (kind == SWAP_FILE_OURS && have == size)
                return live && !swap_active(path) ? do_swapon(path) : 0;
        r = create_swapfile(ctx, path, size, fstype, staged);
        if (r == 0 && live && (r = do_swapon(path)) < 0)
                remove_swapfile(ctx, path);
        return r;
}

/* The swap in use could not be moved back to RAM: both files stay active and in fstab, the
 * state records the extra one, and the run ends with an error (the resize is not finished)
 * once the state is saved, so that the next memprov --rerun finishes it. */
static int keep_both(const struct context *ctx, struct action *a, const char *extra, int error)
{
        bool changed;

        a->swap.extra_path = xstrdup(extra);
        a->incomplete = true;
        a->note = xasprintf("swap in use could not be moved back to RAM; %s stays active "
                            "beside %s until a later memprov --rerun",
                            extra, a->swap.path);
        log_error_errno(error, "cannot turn off swap %s: the resize is not finished; %s", extra,
                        a->note);
        return fstab_ensure_swap(ctx->rootfd, ctx->root, extra, &changed);
}

/* A resize that had to leave two files active: try again to turn off the extra one. */
static int finish_extra(const struct context *ctx, struct action *a)
{
        const char *extra = config_str(ctx->state, "swap", "extra_path", NULL);
        bool changed;
        int r;

        if (!extra)
                return 0;
        if (a->swap.live && (r = try_swapoff(extra)) < 0)
                return keep_both(ctx, a, extra, r);
        a->changed = true;
        r = remove_swapfile(ctx, extra);
        return r < 0 ? r : fstab_remove_swap(ctx->rootfd, ctx->root, extra, &changed);
}

/* Leaves both files active and in fstab, so that the next boot has the same swap. */
/* A resize that stopped half way left the side file (maybe active, maybe in fstab) and maybe
 * the temp files: put the swap back on path alone, as a resize that finished would. */
static int recover_side(const struct context *ctx, struct action *a)
{
        _cleanup_free_ char *side = xasprintf("%s%s", a->swap.path, RESIZE_SUFFIX);
        int kind = swap_file_kind(ctx, side, NULL), r;
        bool changed;

        if (!a->staged) /* else the temp file is this run's new swapfile */
                sweep_temp(ctx, a->swap.path);
        sweep_temp(ctx, side);
        if (kind < 0 || kind == SWAP_FILE_FOREIGN)
                return swap_refuse_foreign(ctx, side);
        if (kind == SWAP_FILE_OURS) {
                if (a->swap.live && swap_active(side)) {
                        if (!swap_active(a->swap.path) &&
                            swap_file_kind(ctx, a->swap.path, NULL) == SWAP_FILE_OURS &&
                            (r = do_swapon(a->swap.path)) < 0)
                                return r;
                        if ((r = try_swapoff(side)) < 0)
                                return keep_both(ctx, a, side, r);
                }
                r = remove_swapfile(ctx, side);
                if (r < 0)
                        return r;
                a->changed = true;
        }
        r = fstab_remove_swap(ctx->rootfd, ctx->root, side, &changed);
        a->changed = a->changed || changed;
        return r;
}

static int resize_in_place(const struct context *ctx, struct action *a)
{
        const char *path = a->swap.path;
        _cleanup_free_ char *side = xasprintf("%s%s", path, RESIZE_SUFFIX);
        bool was_active = a->swap.live && swap_active(path), changed;
        int r;

        /* An active swapfile cannot be renamed or replaced (the kernel pins it), so the new
         * size goes to a side file first: side on, old off, old recreated and on, side off. */
        if (was_active) {
                r = create_and_enable(ctx, side, a->swap.size_bytes, a->swap.fstype, true, false);
                if (r < 0)
                        return r;
                if ((r = try_swapoff(path)) < 0)
                        return keep_both(ctx, a, side, r);
        }
        r = create_and_enable(ctx, path, a->swap.size_bytes, a->swap.fstype, a->swap.live, false);
        if (r < 0)
                return r;
        if (was_active) {
                if ((r = try_swapoff(side)) < 0)
                        return keep_both(ctx, a, side, r);
                r = remove_swapfile(ctx, side);
                if (r == 0)
                        r = fstab_remove_swap(ctx->rootfd, ctx->root, side, &changed);
        }
        return r;
}

static int move_swapfile(const struct context *ctx, struct action *a)
{
        const char *old = a->swap.old_path;
        bool changed;
        int r;

        r = create_and_enable(ctx, a->swap.path, a->swap.size_bytes, a->swap.fstype, a->swap.live,
                              false);
        if (r < 0)
                return r;
        r = fstab_ensure_swap(ctx->rootfd, ctx->root, a->swap.path, &changed);
        if (r < 0)
                return r;
        if (a->swap.live && (r = try_swapoff(old)) < 0)
                return keep_both(ctx, a, old, r);
        r = remove_swapfile(ctx, old);
        return r < 0 ? r : fstab_remove_swap(ctx->rootfd, ctx->root, old, &changed);
}

static int apply_keep(const struct context *ctx, struct action *a)
{
        bool changed = false;
        int r;

        if (!a->swap.path)
                return 0;
        if (a->swap.live && !swap_active(a->swap.path)) {
                r = do_swapon(a->swap.path);
                if (r < 0)
                        return r;
                a->changed = true;
        }
        r = fstab_ensure_swap(ctx->rootfd, ctx->root, a->swap.path, &changed);
        a->changed = a->changed || changed;
        return r;
}

static int apply_remove(const struct context *ctx, struct action *a)
{
        bool changed = false, present;
        struct stat st;
        int r;

        present = root_lstat(ctx->rootfd, a->swap.path, &st) == 0 ||
                  (a->swap.live && swap_active(a->swap.path));
        if (a->swap.live && (r = try_swapoff(a->swap.path)) < 0)
                return log_error_errno(r, "cannot turn off swap %s; it stays as it is",
                                       a->swap.path);
        /* fstab's line goes before the file it names: stopped in between, the machine is left
         * with a swapfile nothing uses (the next run removes it), never with an fstab naming a
         * deleted file, a failed swap unit at every boot (issue 21, item 6). */
        r = swap_refuse_foreign(ctx, a->swap.path);
        if (r == 0)
                r = fstab_remove_swap(ctx->rootfd, ctx->root, a->swap.path, &changed);
        if (r == 0 && changed)
                r = flush_fstab_before(ctx, a->swap.path);
        if (r == 0)
                r = remove_swapfile(ctx, a->swap.path);
        a->changed = present || changed;
        return r;
}

int swap_apply(const struct context *ctx, struct action *a)
{
        bool changed;
        int r;

        if (a->swap.op == SWAP_NONE)
                return 0;
        if (a->swap.op != SWAP_REMOVE && (r = swap_adopt(ctx)) < 0)
                return r;
        if (a->swap.op != SWAP_REMOVE && a->swap.path) {
                r = recover_side(ctx, a);
                if (r == 0)
                        r = fstab_drop_moved(ctx, a->swap.path);
                if (r < 0 || a->swap.extra_path)
                        return r;
        }
        /* Live steps only run without --root, so the kernel sees the same paths as fstab. */
        switch (a->swap.op) {
        case SWAP_NONE:
                return 0;
        case SWAP_KEEP:
                r = apply_keep(ctx, a);
                return r < 0 ? r : finish_extra(ctx, a);
        case SWAP_REMOVE:
                return apply_remove(ctx, a);
        case SWAP_CREATE:
                r = create_and_enable(ctx, a->swap.path, a->swap.size_bytes, a->swap.fstype,
                                      a->swap.live, a->staged);
                a->changed = r == 0;
                return r < 0 ? r
                             : fstab_ensure_swap(ctx->rootfd, ctx->root, a->swap.path, &changed);
        case SWAP_RESIZE:
                r = finish_extra(ctx, a);
                if (r == 0)
                        r = streq(a->swap.old_path, a->swap.path) ? resize_in_place(ctx, a)
                                                                  : move_swapfile(ctx, a);
                if (r == 0 && !a->swap.extra_path)
                        r = fstab_ensure_swap(ctx->rootfd, ctx->root, a->swap.path, &changed);
                a->changed = true;
                return r;
        }
        return 0;
}
