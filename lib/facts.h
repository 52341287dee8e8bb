/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Read-only facts about the machine (or the offline root): nothing here changes anything. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container.h"

struct options;

enum distro { DISTRO_UNKNOWN, DISTRO_DEBIAN, DISTRO_EL };

struct fs_facts {
        char *mountpoint;
        char *fstype;
        char *source;
        bool readonly;
        uint64_t size_bytes;
        uint64_t avail_bytes; /* usable by non-root */
        unsigned devices;     /* btrfs: devices in the filesystem; otherwise 1 */
};

struct swap_entry {
        char *path; /* as in /proc/swaps or fstab (device, file, UUID=...) */
        bool is_file;
        bool active; /* in /proc/swaps */
        bool in_fstab;
        bool present; /* the file or device exists */
        uint64_t size_bytes;
        char *resolved; /* fstab tag resolved to a device path, or NULL */
};

struct facts {
        uint64_t ram_bytes;
        const char *ram_source;
        unsigned vcpus;           /* CPUs this process may run on (affinity), or --assume-cpus */
        const char *vcpus_source; /* "online CPUs", "cpuset", "cgroup CPU quota", "--assume-cpus" */
        bool systemd_running;
        /* Live only (NULL under --root): the container's name as systemd-detect-virt
         * --container prints it, what it does not let memprov do (enum container_denial), and
         * the swap it may use (its cgroup's swap limit, at most SwapTotal). */
        const char *container;
        unsigned container_denies;
        int swapon_errno;
        uint64_t container_swap_bytes;
        unsigned container_unseen; /* enum container_unseen: limits it may have, not visible */
        enum distro distro;
        bool fs_known;          /* swapfs could be examined */
        struct fs_facts swapfs; /* the filesystem that holds (or will hold) the swapfile */
        struct swap_entry *swaps;
        size_t n_swaps;
};

/* swap_path: the configured swapfile path (inside the root). */
int facts_gather(const struct options *o, int rootfd, const char *swap_path, struct facts *ret);
void facts_done(struct facts *f);
const char *distro_name(enum distro d);
/* Where read_nominal_ram() looks; tests feed fixtures, NULL (or a NULL field) is the live
 * system's /sys/devices/system/memory, /proc/zoneinfo and /proc/meminfo. */
struct ram_sources {
        const char *sysfs_memory, *zoneinfo, *meminfo;
};
/* Nominal RAM: the present pages rounded up to the memory block size, else MemTotal rounded up
 * to 128 MiB. */
/* The CPUs the run may use: the affinity mask's count (a cgroup's cpu.max is applied on top
 * where one is set). Never 0. ret_source: "cpuset" when the mask has fewer than the online
 * CPUs, else "online CPUs". */
int read_vcpus(unsigned *ret, const char **ret_source);
int read_nominal_ram(const struct ram_sources *src, uint64_t *ret, const char **ret_source);
/* A /proc/meminfo field ("MemTotal", "SwapTotal") in bytes; meminfo NULL: the live one. */
int read_meminfo(const char *meminfo, const char *field, uint64_t *ret);
/* In a container: the smallest of the nominal RAM (as above: the host's), MemTotal where it is
 * virtualised (lxcfs: the container's limit; rounded up as above) and the cgroup's memory
 * limit; and the swap it may use (the cgroup's swap limit, at most SwapTotal). */
struct cgroup_limits;
/* Whether /proc/meminfo is the container's: lxcfs's file over it, or OpenVZ's kernel (container
 * "openvz"), which virtualises it in place. */
bool meminfo_virtualised(const char *container);
int container_ram(const struct ram_sources *src, bool meminfo_virtual,
                  const struct cgroup_limits *cg, uint64_t *ret, const char **ret_source,
                  uint64_t *ret_swap);
/* The swap a container may use: the cgroup's swap limit, at most SwapTotal (meminfo NULL: the
 * live one). Read also under --assume-ram, which replaces the RAM only. */
uint64_t container_swap(const char *meminfo, const struct cgroup_limits *cg);
/* The fstab's entries, for any module: a line libmount cannot read is skipped with a warning
 * naming file:line, as systemd skips it. */
struct libmnt_table;
int fstab_parse(int rootfd, const char *root, const char *path, struct libmnt_table **ret);
/* The same on fstab text already read (display names it in the error). */
int fstab_parse_text(const char *data, size_t size, const char *display, struct libmnt_table **ret);
