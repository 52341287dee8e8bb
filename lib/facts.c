/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libmount/libmount.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include "cgroup.h"
#include "container.h"
#include "facts.h"
#include "fsutil.h"
#include "log.h"
#include "options.h"
#include "util.h"

#define RAM_ROUNDING (128 * MIB)

static int read_small_file(const char *path, char *buf, size_t size)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");

        if (!f)
                return -errno;
        if (!fgets(buf, (int)size, f))
                return -EIO;
        return 0;
}

/* The pages the kernel counts as present in all zones. Offlining a memory block lowers its
 * zone's present_pages (mm/memory_hotplug.c offline_pages() -> adjust_present_page_count(), since
 * Linux 5.14; before, offline_pages() lowered zone->present_pages itself), so this is the online
 * memory in one read instead of one read per memory block (192 on a 24 GiB host). */
static int read_present_bytes(const char *zoneinfo, uint64_t *ret)
{
        _cleanup_fclose_ FILE *f = fopen(zoneinfo, "re");
        unsigned long long pages, sum = 0;
        char line[256];
        bool found = false;

        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, " present %llu", &pages) == 1) {
                        sum += pages;
                        found = true;
                }
        *ret = sum * (uint64_t)sysconf(_SC_PAGESIZE);
        return found && sum > 0 ? 0 : -ENODATA;
}

int read_meminfo(const char *meminfo, const char *field, uint64_t *ret)
{
        _cleanup_fclose_ FILE *f = fopen(meminfo ? meminfo : "/proc/meminfo", "re");
        size_t n = strlen(field);
        char line[256];
        unsigned long long kib;

        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, field, n) == 0 && line[n] == ':' &&
                    sscanf(line + n + 1, " %llu kB", &kib) == 1) {
                        *ret = kib * KIB;
                        return 0;
                }
        return -ENODATA;
}

int read_nominal_ram(const struct ram_sources *src, uint64_t *ret, const char **ret_source)
{
        char path[512], buf[64];
        uint64_t block_size, present = 0, total = 0;
        int r;

        snprintf(path, sizeof(path), "%s/block_size_bytes",
                 src && src->sysfs_memory ? src->sysfs_memory : "/sys/devices/system/memory");
        /* Memory blocks are online whole, so the present pages rounded up to the block size are
         * the online blocks times the block size: the holes inside blocks (BIOS areas, the first
         * MiB) are far less than one block. */
        if (read_small_file(path, buf, sizeof(buf)) == 0 &&
            (block_size = strtoull(buf, NULL, 16)) > 0 &&
            read_present_bytes(src && src->zoneinfo ? src->zoneinfo : "/proc/zoneinfo", &present) ==
                0) {
                *ret = (present + block_size - 1) / block_size * block_size;
                *ret_source = "memory blocks";
                return 0;
        }
        /* No memory hotplug blocks (some hypervisors): the kernel's own reservation is missing
         * from MemTotal, so a "1 GB" plan shows ~960 MiB; round up to what was sold. */
        r = read_meminfo(src ? src->meminfo : NULL, "MemTotal", &total);
        if (r < 0)
                return log_error_errno(r, "cannot read the amount of RAM");
        *ret = (total + RAM_ROUNDING - 1) / RAM_ROUNDING * RAM_ROUNDING;
        *ret_source = "MemTotal";
        return 0;
}

/* lxcfs (and any other virtualiser) mounts its own file over /proc/meminfo. OpenVZ's kernel
 * virtualises it itself, on the same procfs: in a container (ve_struct.meminfo_val
 * VE_MEMINFO_DEFAULT, set for every new container unless vzctl --meminfo none), MemTotal is the
 * container memory cgroup's memory.max and SwapTotal its memsw.max less that
 * (OpenVZ/vzkernel fs/proc/meminfo.c si_meminfo_ve(), commit 07bc4e8a; kernel/ve/ve.c). With
 * meminfo not virtualised after all, MemTotal is the host's and the smallest (container_ram())
 * still takes the memory blocks or the cgroup. */
bool meminfo_virtualised(const char *container)
{
        struct stat proc, meminfo;

        if (container && streq(container, "openvz"))
                return true;
        return stat("/proc", &proc) == 0 && stat("/proc/meminfo", &meminfo) == 0 &&
               proc.st_dev != meminfo.st_dev;
}

uint64_t container_swap(const char *meminfo, const struct cgroup_limits *cg)
{
        uint64_t swap = 0;

        /* No swap on the host (or none lxcfs shows) is none for the container either. */
        (void)read_meminfo(meminfo, "SwapTotal", &swap);
        return MIN(swap, cg->swap);
}

int container_ram(const struct ram_sources *src, bool meminfo_virtual,
                  const struct cgroup_limits *cg, uint64_t *ret, const char **ret_source,
                  uint64_t *ret_swap)
{
        const char *meminfo = src ? src->meminfo : NULL;
        uint64_t total;
        int r;

        /* The host's RAM, as on a VM: memory blocks and zoneinfo are not virtualised. */
        r = read_nominal_ram(src, ret, ret_source);
        if (r < 0)
                return r;
        if (meminfo_virtual && read_meminfo(meminfo, "MemTotal", &total) == 0 &&
            (total = (total + RAM_ROUNDING - 1) / RAM_ROUNDING * RAM_ROUNDING) < *ret) {
                *ret = total;
                *ret_source = "MemTotal (virtualised)";
        }
        if (cg->memory < *ret) {
                *ret = cg->memory;
                *ret_source = streq(cg->memory_source, "memory.max")
                                  ? "cgroup memory.max"
                                  : "cgroup memory.limit_in_bytes";
        }
        *ret_swap = container_swap(meminfo, cg);
        return 0;
}

/* The deepest existing directory on the swapfile's path, opened for fstatvfs and ioctls. */
static int open_existing_ancestor(int rootfd, const char *swap_path, char *dir, size_t size)
{
        _cleanup_close_ int pathfd = -1;
        char *slash;
        int r;

        snprintf(dir, size, "%s", swap_path);
        for (;;) {
                slash = strrchr(dir, '/');
                if (!slash)
                        return -EINVAL;
                slash[slash == dir ? 1 : 0] = '\0';
                r = root_open_dir(rootfd, dir, false, &pathfd);
                if (r != -ENOENT)
                        break;
                if (streq(dir, "/"))
                        return r;
        }
        if (r < 0)
                return r;
        r = openat(pathfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return r < 0 ? -errno : r;
}

static unsigned btrfs_devices(int fd)
{
        struct btrfs_ioctl_fs_info_args info = {0};

        return ioctl(fd, BTRFS_IOC_FS_INFO, &info) < 0 ? 0 : (unsigned)info.num_devices;
}

/* 0: examined; 1: the filesystem could not be examined (warned); <0: a wrong swap.path. */
static int gather_fs(const struct options *o, int rootfd, const char *swap_path,
                     struct fs_facts *fs)
{
        struct libmnt_table *tb = NULL;
        struct libmnt_fs *mnt;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *full = NULL;
        char dir[4096];
        struct statvfs sv;
        struct statfs sfs;

        /* A swap.path through a symlink (or a file) is a wrong path: an error that stops the
         * run. What follows only leaves the filesystem unknown: a warning, and no swapfile. */
        fd = open_existing_ancestor(rootfd, swap_path, dir, sizeof(dir));
        if (fd < 0)
                return log_error("swap.path %s%s: %s", o->root ? o->root : "", swap_path,
                                 fsutil_strerror(fd));
        /* btrfs counts a file's extents as used or free only once their transaction commits
         * (every 30 s by default): measured on a 5G btrfs, statfs right after a run removed a
         * 3G resize side file still showed it as used, and a --rerun then planned 2496M instead
         * of 3G and hit ENOSPC half way through the resize. syncfs commits that transaction; it
         * changes no data (issue 21, item 7). */
        if (fstatfs(fd, &sfs) == 0 && sfs.f_type == BTRFS_SUPER_MAGIC && syncfs(fd) < 0)
                log_warning_errno(errno, "syncfs %s: its free space may be out of date", dir);
        if (fstatvfs(fd, &sv) < 0) {
                log_warning_errno(errno, "statvfs %s", dir);
                return 1;
        }
        fs->size_bytes = (uint64_t)sv.f_blocks * sv.f_frsize;
        fs->avail_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
        fs->readonly = sv.f_flag & ST_RDONLY;
        if (o->assume_disk) {
                uint64_t used = fs->size_bytes - (uint64_t)sv.f_bfree * sv.f_frsize;
                fs->size_bytes = o->assume_disk;
                fs->avail_bytes = o->assume_disk > used ? o->assume_disk - used : 0;
        }
        full = xasprintf("%s%s", o->root ? o->root : "", dir);
        tb = mnt_new_table();
        if (!tb || mnt_table_parse_mtab(tb, NULL) < 0) {
                mnt_unref_table(tb);
                log_warning("cannot read /proc/self/mountinfo");
                return 1;
        }
        mnt = mnt_table_find_mountpoint(tb, full, MNT_ITER_BACKWARD);
        if (mnt) {
                fs->mountpoint = xstrdup(mnt_fs_get_target(mnt));
                fs->fstype = xstrdup(mnt_fs_get_fstype(mnt) ?: "unknown");
                fs->source = xstrdup(mnt_fs_get_source(mnt) ?: "none");
        }
        mnt_unref_table(tb);
        fs->devices = streq(fs->fstype, "btrfs") ? btrfs_devices(fd) : 1;
        return 0;
}

struct fstab_errors {
        int first, count;
};

/*
 * A line libmount cannot read (too few fields, a NUL byte) is passed over, not fatal, as systemd
 * does: trixie's fstab-generator (257) parses with libmount and no error callback, whose default
 * takes every parse error as recoverable; bookworm's (252) reads with glibc's getmntent, which
 * ignores an entry without a mount point and, for a line holding a NUL, also swallows the line
 * after it (measured with systemd-fstab-generator 252 and SYSTEMD_FSTAB: tests/integration/
 * fstab-garbage.sh). memprov's entry follows its comment marker, so the line swallowed after a
 * garbage last line is the marker, never the entry. memprov never rewrites such a line: fstab is
 * edited by splicing whole lines (swap-fstab.c).
 */
static int fstab_errcb(struct libmnt_table *tb, const char *filename _unused_, int line)
{
        struct fstab_errors *e = mnt_table_get_userdata(tb);

        if (e && e->count++ == 0)
                e->first = line;
        return 1; /* recoverable: libmount skips the line */
}

int fstab_parse_text(const char *data, size_t size, const char *display, struct libmnt_table **ret)
{
        struct fstab_errors errors = {0};
        struct libmnt_table *tb;
        FILE *f;
        int r;

        tb = mnt_new_table();
        f = size ? fmemopen((void *)data, size, "r") : fmemopen(NULL, 1, "r");
        if (!tb || !f) {
                mnt_unref_table(tb);
                if (f)
                        fclose(f);
                return log_error_errno(ENOMEM, "%s", display);
        }
        mnt_table_set_userdata(tb, &errors);
        mnt_table_set_parser_errcb(tb, fstab_errcb);
        r = mnt_table_parse_stream(tb, f, display);
        fclose(f);
        mnt_table_set_userdata(tb, NULL);
        if (r < 0) {
                mnt_unref_table(tb);
                return log_error_errno(r, "%s: cannot parse", display);
        }
        if (errors.count == 1)
                log_warning("%s:%d: line not understood; kept as it is and passed over, as systemd "
                            "does",
                            display, errors.first);
        else if (errors.count > 1)
                log_warning("%s:%d: line not understood (and %d more lines); kept as they are and "
                            "passed over, as systemd does",
                            display, errors.first, errors.count - 1);
        *ret = tb;
        return 0;
}

int fstab_parse(int rootfd, const char *root, const char *path, struct libmnt_table **ret)
{
        _cleanup_free_ char *data = NULL, *display = xasprintf("%s%s", root, path);
        size_t size;
        int r;

        r = root_read_file(rootfd, path, &data, &size);
        if (r == -ENOENT) {
                *ret = mnt_new_table();
                return *ret ? 0 : -ENOMEM;
        }
        if (r < 0)
                return log_error("%s: %s", display, fsutil_strerror(r));
        return fstab_parse_text(data, size, display, ret);
}

static struct swap_entry *swap_find_or_add(struct facts *f, const char *path)
{
        for (size_t i = 0; i < f->n_swaps; i++)
                if (streq(f->swaps[i].path, path) || streq(f->swaps[i].resolved, path))
                        return &f->swaps[i];
        f->swaps = xrealloc(f->swaps, (f->n_swaps + 1) * sizeof(*f->swaps));
        f->swaps[f->n_swaps] = (struct swap_entry){.path = xstrdup(path)};
        return &f->swaps[f->n_swaps++];
}

static int gather_active_swaps(struct facts *f)
{
        struct libmnt_table *tb = mnt_new_table();
        struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
        struct libmnt_fs *fs;
        int r = -ENOMEM;

        if (tb && it)
                r = mnt_table_parse_swaps(tb, NULL);
        while (r == 0 && mnt_table_next_fs(tb, it, &fs) == 0) {
                struct swap_entry *e = swap_find_or_add(f, mnt_fs_get_source(fs));
                e->active = e->present = true;
                e->is_file = streq(mnt_fs_get_swaptype(fs), "file");
                e->size_bytes = (uint64_t)mnt_fs_get_size(fs) * KIB;
        }
        mnt_free_iter(it);
        mnt_unref_table(tb);
        return r == -ENOENT ? 0 : r;
}

static void gather_fstab_swaps(struct facts *f, struct libmnt_table *tb, bool live)
{
        struct libmnt_cache *cache = live ? mnt_new_cache() : NULL;
        struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
        struct libmnt_fs *fs;

        while (it && mnt_table_next_fs(tb, it, &fs) == 0) {
                const char *src = mnt_fs_get_source(fs), *dev;
                struct swap_entry *e;
                struct stat st;

                if (!mnt_fs_is_swaparea(fs) || !src)
                        continue;
                /* Tags (UUID=, LABEL=) are resolved through libblkid on the running system;
                 * offline, the entry is trusted as present. The cache owns the result. */
                dev = live ? mnt_resolve_spec(src, cache) : NULL;
                e = swap_find_or_add(f, dev ? dev : src);
                e->in_fstab = true;
                if (!e->resolved && dev && !streq(dev, src))
                        e->resolved = xstrdup(dev);
                e->present = e->present || !live || (dev && stat(dev, &st) == 0);
                e->is_file = e->is_file || (dev && stat(dev, &st) == 0 && S_ISREG(st.st_mode));
        }
        mnt_free_iter(it);
        mnt_unref_cache(cache);
}

const char *distro_name(enum distro d)
{
        return d == DISTRO_DEBIAN ? "debian" : d == DISTRO_EL ? "el" : "unknown";
}

static enum distro detect_distro(int rootfd)
{
        struct stat st;

        if (root_lstat(rootfd, "/etc/debian_version", &st) == 0)
                return DISTRO_DEBIAN;
        if (root_lstat(rootfd, "/etc/redhat-release", &st) == 0 ||
            root_lstat(rootfd, "/etc/system-release", &st) == 0)
                return DISTRO_EL;
        return DISTRO_UNKNOWN;
}

int read_vcpus(unsigned *ret, const char **ret_source)
{
        cpu_set_t set;
        long online;
        int n;

        /* sched_getaffinity(2) is what nproc(1) and systemd's cpus_in_affinity_mask() count. */
        if (sched_getaffinity(0, sizeof(set), &set) < 0)
                return log_error_errno(-errno, "cannot read the CPU affinity mask");
        n = CPU_COUNT(&set);
        *ret = n > 0 ? (unsigned)n : 1;
        /* Fewer than the online CPUs (glibc reads /sys/devices/system/cpu/online): a cpuset
         * cgroup, CPUAffinity= or taskset narrowed the mask, and the plan says so. */
        online = sysconf(_SC_NPROCESSORS_ONLN);
        *ret_source = online > 0 && n < online ? "cpuset" : "online CPUs";
        return 0;
}

int facts_gather(const struct options *o, int rootfd, const char *swap_path, struct facts *ret)
{
        struct facts f = {.distro = detect_distro(rootfd)};
        struct cgroup_limits cg = {CGROUP_UNLIMITED, CGROUP_UNLIMITED, 0, NULL, CGROUP_LAYOUT_NONE};
        struct libmnt_table *fstab = NULL;
        int r;

        /* The container and the cgroup are the running machine's, not an image's. */
        if (!o->root) {
                f.container = container_detect(NULL);
                if (f.container)
                        f.container_denies = container_probe(&f.swapon_errno);
                (void)cgroup_read_limits(NULL, &cg);
                f.container_unseen =
                    container_unseen_limits(f.container, &cg, o->assume_ram, o->assume_cpus);
        }
        if (o->assume_ram) {
                f.ram_bytes = o->assume_ram;
                f.ram_source = "--assume-ram";
                /* --assume-ram says what the RAM is, not the swap: the container's cgroup still
                 * limits the swap it may use, so the burst bound (modules/swap.c
                 * swap_expected_bytes) counts at most that, as without the option. */
                if (f.container)
                        f.container_swap_bytes = container_swap(NULL, &cg);
        } else if (f.container) {
                r = container_ram(NULL, meminfo_virtualised(f.container), &cg, &f.ram_bytes,
                                  &f.ram_source, &f.container_swap_bytes);
                if (r < 0)
                        goto fail;
        } else if ((r = read_nominal_ram(NULL, &f.ram_bytes, &f.ram_source)) < 0)
                goto fail;
        if (o->assume_cpus) {
                f.vcpus = o->assume_cpus;
                f.vcpus_source = "--assume-cpus";
        } else if ((r = read_vcpus(&f.vcpus, &f.vcpus_source)) < 0)
                goto fail;
        else if (cg.cpus && cg.cpus < f.vcpus) {
                f.vcpus = cg.cpus;
                f.vcpus_source = "cgroup CPU quota";
        }
        f.systemd_running = !o->root && access("/run/systemd/system", F_OK) == 0;
        r = gather_fs(o, rootfd, swap_path, &f.swapfs);
        if (r < 0)
                goto fail;
        f.fs_known = r == 0;
        if (!o->root && (r = gather_active_swaps(&f)) < 0) {
                log_error_errno(r, "cannot read /proc/swaps");
                goto fail;
        }
        r = fstab_parse(rootfd, o->root ? o->root : "", "/etc/fstab", &fstab);
        if (r < 0)
                goto fail;
        gather_fstab_swaps(&f, fstab, !o->root);
        mnt_unref_table(fstab);
        *ret = f;
        return 0;
fail:
        facts_done(&f);
        return r;
}

void facts_done(struct facts *f)
{
        free(f->swapfs.mountpoint);
        free(f->swapfs.fstype);
        free(f->swapfs.source);
        for (size_t i = 0; i < f->n_swaps; i++) {
                free(f->swaps[i].path);
                free(f->swaps[i].resolved);
        }
        free(f->swaps);
        *f = (struct facts){0};
}
