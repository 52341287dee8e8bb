/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The limits of the cgroup memprov runs in and of its parents: cgroup v2 (unified) and v1. */
#pragma once

#include <stdint.h>

#define CGROUP_UNLIMITED UINT64_MAX

/* Where cgroup_read_limits() looks; NULL (or a NULL field) is the live /proc/self/cgroup and
 * /sys/fs/cgroup. Tests point them at a fixture tree. */
struct cgroup_sources {
        const char *proc_self_cgroup, *sysfs;
};

/* How the cgroup file system is mounted at sysfs (systemd's cgroup_get_global_mode() names):
 * unified, the v2 tree alone (every controller is v2's: a parent's limit a cgroup namespace
 * hides is invisible, as v2 has no hierarchical limit file); hybrid, v1 controllers with the v2
 * tree at unified/; legacy, v1 only. */
enum cgroup_layout {
        CGROUP_LAYOUT_NONE, /* nothing readable */
        CGROUP_LAYOUT_LEGACY,
        CGROUP_LAYOUT_HYBRID,
        CGROUP_LAYOUT_UNIFIED,
};

struct cgroup_limits {
        uint64_t memory;           /* bytes, CGROUP_UNLIMITED: none */
        uint64_t swap;             /* bytes of swap the cgroup may use, CGROUP_UNLIMITED: none */
        unsigned cpus;             /* the CPU quota rounded up, 0: none */
        const char *memory_source; /* the file that set memory ("memory.max", ...) */
        enum cgroup_layout layout;
};

/* The smallest limit along the path from memprov's cgroup up to the root the process can see
 * (inside a cgroup namespace: the container's own cgroup). Unreadable files are no limit. */
int cgroup_read_limits(const struct cgroup_sources *src, struct cgroup_limits *ret);
/* The path of memprov's own cgroup in systemd's tree: v1's name=systemd hierarchy, else the
 * unified one ("0::"); from proc_self_cgroup (NULL: the live /proc/self/cgroup). NULL when
 * neither is readable or visible. */
char *cgroup_own_path(const char *proc_self_cgroup);
