/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Files and values from the kernel's Documentation/admin-guide/cgroup-v2.rst (memory.max,
 * memory.swap.max, cpu.max: "$MAX $PERIOD", "max" for none) and cgroup-v1/memory.rst,
 * scheduler/sched-bwc.rst (memory.limit_in_bytes, memory.memsw.limit_in_bytes: memory plus
 * swap; memory.stat's hierarchical_memory_limit, the smallest limit of the cgroup and its
 * ancestors, seen from the cgroup even when a cgroup namespace hides them; cpu.cfs_quota_us -1
 * for none). */
#include <errno.h>
#include <inttypes.h>

#include "cgroup.h"
#include "util.h"

/* v1 reports "no limit" as LONG_MAX rounded down to a page (9223372036854771712 here). */
#define V1_UNLIMITED (UINT64_C(1) << 62)

struct paths {
        /* paths in each hierarchy, from /proc/self/cgroup; v1_systemd: "name=systemd" */
        char *v2, *v1_memory, *v1_cpu, *v1_systemd;
};

static void paths_done(struct paths *p)
{
        free(p->v2);
        free(p->v1_memory);
        free(p->v1_cpu);
        free(p->v1_systemd);
}

static bool has_controller(const char *list, const char *name)
{
        size_t n = strlen(name);

        for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
                if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
                        return true;
        return false;
}

/* "ID:CONTROLLERS:PATH" lines (cgroups(7)); "0::PATH" is the v2 one. */
static int read_paths(const char *file, struct paths *p)
{
        _cleanup_fclose_ FILE *f = fopen(file, "re");
        char line[4096];

        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                char *controllers = strchr(line, ':'), *path;
                if (!controllers || !(path = strchr(controllers + 1, ':')))
                        continue;
                *controllers++ = '\0';
                *path++ = '\0';
                path[strcspn(path, "\n")] = '\0';
                /* Outside the namespace's root ("/../x"): nothing of it is visible. */
                if (path[0] != '/' || strstr(path, "/.."))
                        continue;
                if (streq(line, "0") && !controllers[0]) {
                        free(p->v2);
                        p->v2 = xstrdup(path);
                }
                if (has_controller(controllers, "memory")) {
                        free(p->v1_memory);
                        p->v1_memory = xstrdup(path);
                }
                if (has_controller(controllers, "cpu")) {
                        free(p->v1_cpu);
                        p->v1_cpu = xstrdup(path);
                }
                if (has_controller(controllers, "name=systemd")) {
                        free(p->v1_systemd);
                        p->v1_systemd = xstrdup(path);
                }
        }
        return 0;
}

typedef bool (*parse_fn)(const char *value, const char *dir, uint64_t *ret);

/* The smallest value of file in dir/path and each parent up to dir itself. */
static uint64_t walk_min(const char *dir, const char *path, const char *file, parse_fn parse)
{
        _cleanup_free_ char *p = xstrdup(path);
        uint64_t best = CGROUP_UNLIMITED, v;

        for (;;) {
                bool top = strcmp(p, "/") == 0;
                _cleanup_free_ char *cgdir = xasprintf("%s%s", dir, top ? "" : p);
                _cleanup_free_ char *full = xasprintf("%s/%s", cgdir, file);
                _cleanup_fclose_ FILE *f = fopen(full, "re");
                char buf[128];
                char *slash;

                if (f && fgets(buf, sizeof(buf), f) && parse(buf, cgdir, &v))
                        best = MIN(best, v);
                slash = strrchr(p, '/');
                if (!slash || top)
                        break;
                slash[slash == p ? 1 : 0] = '\0';
        }
        return best;
}

static bool parse_bytes(const char *value, const char *dir _unused_, uint64_t *ret)
{
        char *end;
        unsigned long long v;

        if (startswith(value, "max"))
                return false;
        errno = 0;
        v = strtoull(value, &end, 10);
        if (errno || end == value || (*end && *end != '\n') || v >= V1_UNLIMITED)
                return false;
        *ret = v;
        return true;
}

/* v2 cpu.max: "QUOTA PERIOD" in microseconds, or "max PERIOD". */
static bool parse_cpu_max(const char *value, const char *dir _unused_, uint64_t *ret)
{
        unsigned long long quota, period;

        if (sscanf(value, "%llu %llu", &quota, &period) != 2 || period == 0)
                return false;
        *ret = (quota + period - 1) / period;
        return true;
}

/* v1: cpu.cfs_quota_us (-1: none) over the same directory's cpu.cfs_period_us. */
static bool parse_cfs_quota(const char *value, const char *dir, uint64_t *ret)
{
        _cleanup_free_ char *full = xasprintf("%s/cpu.cfs_period_us", dir);
        _cleanup_fclose_ FILE *f = fopen(full, "re");
        long long quota;
        unsigned long long period;

        if (sscanf(value, "%lld", &quota) != 1 || quota <= 0 || !f ||
            fscanf(f, "%llu", &period) != 1 || period == 0)
                return false;
        *ret = ((uint64_t)quota + period - 1) / period;
        return true;
}

/* memory.stat's hierarchical_{memory,memsw}_limit: the ancestors' limits too. */
static void v1_hierarchical(const char *dir, const char *path, uint64_t *mem, uint64_t *memsw)
{
        _cleanup_free_ char *full =
            xasprintf("%s%s/memory.stat", dir, strcmp(path, "/") == 0 ? "" : path);
        _cleanup_fclose_ FILE *f = fopen(full, "re");
        char line[256];
        unsigned long long v;

        while (f && fgets(line, sizeof(line), f)) {
                if (sscanf(line, "hierarchical_memory_limit %llu", &v) == 1 && v < V1_UNLIMITED)
                        *mem = MIN(*mem, v);
                if (sscanf(line, "hierarchical_memsw_limit %llu", &v) == 1 && v < V1_UNLIMITED)
                        *memsw = MIN(*memsw, v);
        }
}

int cgroup_read_limits(const struct cgroup_sources *src, struct cgroup_limits *ret)
{
        const char *sysfs = src && src->sysfs ? src->sysfs : "/sys/fs/cgroup";
        struct paths p = {0};
        struct cgroup_limits l = {CGROUP_UNLIMITED, CGROUP_UNLIMITED, 0, NULL, CGROUP_LAYOUT_NONE};
        _cleanup_free_ char *unified = NULL, *v1mem = NULL, *v1cpu = NULL, *probe = NULL,
                            *hybrid = NULL;
        uint64_t v, memsw = CGROUP_UNLIMITED;
        int r;

        r = read_paths(src && src->proc_self_cgroup ? src->proc_self_cgroup : "/proc/self/cgroup",
                       &p);
        if (r < 0) {
                *ret = l;
                return r;
        }
        /* Unified: the v2 tree at sysfs itself; hybrid: at sysfs/unified, without the memory
         * and cpu controllers (those are v1's then). */
        probe = xasprintf("%s/cgroup.controllers", sysfs);
        unified = xstrdup(access(probe, F_OK) == 0 ? sysfs : "");
        hybrid = xasprintf("%s/unified/cgroup.controllers", sysfs);
        l.layout = unified[0]                  ? CGROUP_LAYOUT_UNIFIED
                   : access(hybrid, F_OK) == 0 ? CGROUP_LAYOUT_HYBRID
                   : p.v1_memory || p.v1_cpu   ? CGROUP_LAYOUT_LEGACY
                                               : CGROUP_LAYOUT_NONE;
        if (unified[0] && p.v2) {
                v = walk_min(unified, p.v2, "memory.max", parse_bytes);
                if (v < l.memory) {
                        l.memory = v;
                        l.memory_source = "memory.max";
                }
                l.swap = walk_min(unified, p.v2, "memory.swap.max", parse_bytes);
                v = walk_min(unified, p.v2, "cpu.max", parse_cpu_max);
                l.cpus = v == CGROUP_UNLIMITED ? 0 : (unsigned)v;
        }
        v1mem = xasprintf("%s/memory", sysfs);
        if (p.v1_memory && access(v1mem, F_OK) == 0) {
                v = walk_min(v1mem, p.v1_memory, "memory.limit_in_bytes", parse_bytes);
                memsw = walk_min(v1mem, p.v1_memory, "memory.memsw.limit_in_bytes", parse_bytes);
                v1_hierarchical(v1mem, p.v1_memory, &v, &memsw);
                if (v < l.memory) {
                        l.memory = v;
                        l.memory_source = "memory.limit_in_bytes";
                }
                /* memsw counts memory and swap together. */
                if (memsw != CGROUP_UNLIMITED)
                        l.swap = MIN(l.swap, v == CGROUP_UNLIMITED ? memsw
                                             : memsw > v           ? memsw - v
                                                                   : 0);
        }
        v1cpu = xasprintf("%s/cpu", sysfs);
        if (p.v1_cpu && access(v1cpu, F_OK) == 0) {
                v = walk_min(v1cpu, p.v1_cpu, "cpu.cfs_quota_us", parse_cfs_quota);
                if (v != CGROUP_UNLIMITED && (l.cpus == 0 || v < l.cpus))
                        l.cpus = (unsigned)v;
        }
        paths_done(&p);
        *ret = l;
        return 0;
}

char *cgroup_own_path(const char *proc_self_cgroup)
{
        struct paths p = {0};
        char *own = NULL;

        if (read_paths(proc_self_cgroup ?: "/proc/self/cgroup", &p) == 0) {
                own = p.v1_systemd ?: p.v2;
                if (own == p.v1_systemd)
                        p.v1_systemd = NULL;
                else
                        p.v2 = NULL;
        }
        paths_done(&p);
        return own;
}
