/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container detection and the cgroup's limits on fixture trees shaped like the real ones: a
 * cgroup v2 container (systemd-nspawn, LXC on a unified host: the container's cgroup is the
 * namespace's root), and a v1 hybrid host as this Docker host and nspawn on it show them. */
#include <sched.h>
#include <unistd.h>

#include "../../lib/cgroup.h"
#include "../../lib/container.h"
#include "../../lib/facts.h"
#include "../../lib/util.h"
#include "test.h"

static struct cgroup_limits limits_from(const char *dir)
{
        _cleanup_free_ char *self = xasprintf("%s/self-cgroup", dir);
        _cleanup_free_ char *sysfs = xasprintf("%s/cg", dir);
        struct cgroup_limits l;

        CHECK(cgroup_read_limits(&(struct cgroup_sources){self, sysfs}, &l) == 0);
        return l;
}

TEST(cgroup_v2_limits)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        struct cgroup_limits l;

        /* memprov.service inside the container; the limit is on the container's cgroup, the
         * namespace's root as the container sees it. */
        test_write(dir, "self-cgroup", "0::/system.slice/memprov.service\n");
        test_write(dir, "cg/cgroup.controllers", "cpuset cpu io memory pids\n");
        test_write(dir, "cg/memory.max", "536870912\n");
        test_write(dir, "cg/memory.swap.max", "268435456\n");
        test_write(dir, "cg/cpu.max", "150000 100000\n");
        test_write(dir, "cg/system.slice/memory.max", "max\n");
        test_write(dir, "cg/system.slice/memory.swap.max", "max\n");
        test_write(dir, "cg/system.slice/cpu.max", "max 100000\n");
        test_write(dir, "cg/system.slice/memprov.service/memory.max", "max\n");
        test_write(dir, "cg/system.slice/memprov.service/cpu.max", "max 100000\n");
        l = limits_from(dir);
        CHECK_U64(l.memory, 512 * MIB);
        CHECK_STR(l.memory_source, "memory.max");
        CHECK_U64(l.swap, 256 * MIB);
        CHECK_U64(l.cpus, 2); /* 1.5 CPUs round up */
        /* A tighter limit lower down wins; so does a smaller quota. */
        test_write(dir, "cg/system.slice/memory.max", "402653184\n");
        test_write(dir, "cg/system.slice/memprov.service/cpu.max", "50000 100000\n");
        l = limits_from(dir);
        CHECK_U64(l.memory, 384 * MIB);
        CHECK_U64(l.cpus, 1);
        /* No limit anywhere. */
        test_write(dir, "cg/memory.max", "max\n");
        test_write(dir, "cg/system.slice/memory.max", "max\n");
        test_write(dir, "cg/memory.swap.max", "max\n");
        test_write(dir, "cg/cpu.max", "max 100000\n");
        test_write(dir, "cg/system.slice/memprov.service/cpu.max", "max 100000\n");
        l = limits_from(dir);
        CHECK_U64(l.memory, CGROUP_UNLIMITED);
        CHECK_U64(l.swap, CGROUP_UNLIMITED);
        CHECK_U64(l.cpus, 0);
        /* A path outside the namespace ("/.." as cgroups(7) shows it) is not read. */
        test_write(dir, "cg/memory.max", "536870912\n");
        test_write(dir, "self-cgroup", "0::/../../other\n");
        l = limits_from(dir);
        CHECK_U64(l.memory, CGROUP_UNLIMITED);
        test_rmtree(dir);
}

TEST(cgroup_v1_limits)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        struct cgroup_limits l;

        /* A v1 hybrid host (this Docker host's /proc/self/cgroup shape): the v2 tree at
         * unified/ has no controllers; memory and cpu are v1 hierarchies. */
        test_write(dir, "self-cgroup",
                   "9:name=systemd:/\n8:pids:/\n4:memory:/lxc/c1\n3:cpuset:/\n"
                   "2:cpu,cpuacct:/lxc/c1\n0::/\n");
        test_write(dir, "cg/unified/cgroup.controllers", "");
        test_write(dir, "cg/memory/memory.limit_in_bytes", "9223372036854771712\n");
        test_write(dir, "cg/memory/lxc/memory.limit_in_bytes", "9223372036854771712\n");
        test_write(dir, "cg/memory/lxc/c1/memory.limit_in_bytes", "1073741824\n");
        test_write(dir, "cg/memory/lxc/c1/memory.memsw.limit_in_bytes", "1342177280\n");
        test_write(dir, "cg/memory/lxc/c1/memory.stat",
                   "cache 0\nrss 0\nhierarchical_memory_limit 1073741824\n"
                   "hierarchical_memsw_limit 1342177280\ntotal_cache 0\n");
        test_write(dir, "cg/cpu/lxc/c1/cpu.cfs_quota_us", "200000\n");
        test_write(dir, "cg/cpu/lxc/c1/cpu.cfs_period_us", "100000\n");
        test_write(dir, "cg/cpu/cpu.cfs_quota_us", "-1\n");
        test_write(dir, "cg/cpu/cpu.cfs_period_us", "100000\n");
        l = limits_from(dir);
        CHECK_U64(l.memory, GIB);
        CHECK_STR(l.memory_source, "memory.limit_in_bytes");
        CHECK_U64(l.swap, 256 * MIB); /* memsw is memory plus swap */
        CHECK_U64(l.cpus, 2);
        /* Inside a cgroup namespace the parent holding the limit is hidden: memory.stat's
         * hierarchical_memory_limit still carries it. */
        test_write(dir, "cg/memory/lxc/c1/memory.limit_in_bytes", "9223372036854771712\n");
        test_write(dir, "cg/memory/lxc/c1/memory.memsw.limit_in_bytes", "9223372036854771712\n");
        test_write(dir, "cg/memory/lxc/c1/memory.stat",
                   "hierarchical_memory_limit 536870912\n"
                   "hierarchical_memsw_limit 9223372036854771712\n");
        l = limits_from(dir);
        CHECK_U64(l.memory, 512 * MIB);
        CHECK_U64(l.swap, CGROUP_UNLIMITED);
        /* No quota: -1. */
        test_write(dir, "cg/cpu/lxc/c1/cpu.cfs_quota_us", "-1\n");
        l = limits_from(dir);
        CHECK_U64(l.cpus, 0);
        test_rmtree(dir);
}

/* A host with 24 GiB in 128M memory blocks and a zoneinfo that agrees, under dir; the meminfo
 * is the test's to write. */
static struct ram_sources host_24g(const char *dir)
{
        test_write(dir, "mem/block_size_bytes", "8000000\n");
        test_write(dir, "zoneinfo", "Node 0, zone   Normal\n        present  6291456\n");
        return (struct ram_sources){xasprintf("%s/mem", dir), xasprintf("%s/zoneinfo", dir),
                                    xasprintf("%s/meminfo", dir)};
}

static void host_24g_free(struct ram_sources *src)
{
        free((char *)src->sysfs_memory);
        free((char *)src->zoneinfo);
        free((char *)src->meminfo);
}

TEST(container_ram_smallest)
{
        _cleanup_free_ char *dir = test_mkdtemp(), *meminfo = xasprintf("%s/meminfo", dir);
        _cleanup_(host_24g_free) struct ram_sources src = host_24g(dir);
        struct cgroup_limits cg = {CGROUP_UNLIMITED, CGROUP_UNLIMITED, 0, NULL, CGROUP_LAYOUT_NONE};
        const char *source;
        uint64_t ram, swap;

        /* lxcfs showing the container's 512M. */
        test_write(dir, "meminfo", "MemTotal:         524288 kB\nSwapTotal:        262144 kB\n");
        CHECK(container_ram(&src, true, &cg, &ram, &source, &swap) == 0);
        CHECK_U64(ram, 512 * MIB);
        CHECK_STR(source, "MemTotal (virtualised)");
        CHECK_U64(swap, 256 * MIB);
        /* The same MemTotal not virtualised (it would be the host's): the host's RAM. */
        CHECK(container_ram(&src, false, &cg, &ram, &source, &swap) == 0);
        CHECK_U64(ram, 24 * GIB);
        CHECK_STR(source, "memory blocks");
        /* The cgroup's limit below both; its swap limit below SwapTotal. */
        cg = (struct cgroup_limits){384 * MIB, 128 * MIB, 0, "memory.max", CGROUP_LAYOUT_UNIFIED};
        CHECK(container_ram(&src, true, &cg, &ram, &source, &swap) == 0);
        CHECK_U64(ram, 384 * MIB);
        CHECK_STR(source, "cgroup memory.max");
        CHECK_U64(swap, 128 * MIB);
        /* No lxcfs (the host's /proc/meminfo, a container of LXC, Docker or nspawn): memory.max
         * is the truth, as in tests/vm/scenario-16.sh c512. */
        test_write(dir, "meminfo", "MemTotal:       24576000 kB\nSwapTotal:        262144 kB\n");
        CHECK(container_ram(&src, false, &cg, &ram, &source, &swap) == 0);
        CHECK_U64(ram, 384 * MIB);
        CHECK_STR(source, "cgroup memory.max");
        CHECK_U64(swap, 128 * MIB);
        /* No swap on the host: none, whatever the cgroup allows. */
        test_write(dir, "meminfo", "MemTotal:         524288 kB\nSwapTotal:              0 kB\n");
        CHECK(container_ram(&src, true, &cg, &ram, &source, &swap) == 0);
        CHECK_U64(swap, 0);
        CHECK_U64(container_swap(meminfo, &cg), 0);
        test_rmtree(dir);
}

/* Issue 18: --assume-ram replaces the container's RAM, not its swap limit; facts_gather reads
 * the swap through container_swap alone then, which must give what container_ram gives. */
TEST(container_swap_without_ram)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        _cleanup_free_ char *meminfo = xasprintf("%s/meminfo", dir);
        struct cgroup_limits cg = {CGROUP_UNLIMITED, CGROUP_UNLIMITED, 0, NULL, CGROUP_LAYOUT_NONE};

        test_write(dir, "meminfo", "MemTotal:         524288 kB\nSwapTotal:        262144 kB\n");
        /* No swap limit: the host's SwapTotal. */
        CHECK_U64(container_swap(meminfo, &cg), 256 * MIB);
        /* memory.swap.max below SwapTotal, and 0 (a container allowed no swap). */
        cg.swap = 128 * MIB;
        CHECK_U64(container_swap(meminfo, &cg), 128 * MIB);
        cg.swap = 0;
        CHECK_U64(container_swap(meminfo, &cg), 0);
        /* An unreadable meminfo: no swap known, none counted. */
        cg.swap = CGROUP_UNLIMITED;
        test_rmtree(dir);
        CHECK_U64(container_swap(meminfo, &cg), 0);
}

static const char *detect_in(const char *dir)
{
        return container_detect(&(struct container_sources){dir});
}

TEST(container_detection)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        _cleanup_free_ char *env = xasprintf("%s/proc/1/environ", dir);
        FILE *f;

        CHECK(detect_in(dir) == NULL);
        /* PID 1's $container through /proc/1/environ (init=/bin/sh, no systemd). */
        test_write(dir, "proc/1/environ", "");
        f = fopen(env, "we");
        CHECK(f != NULL);
        if (f) {
                fwrite("PATH=/bin\0container=lxc\0TERM=linux\0", 1, 35, f);
                fclose(f);
        }
        CHECK_STR(detect_in(dir), "lxc");
        /* systemd's copy of it wins; unknown names are container-other. */
        test_write(dir, "run/systemd/container", "systemd-nspawn\n");
        CHECK_STR(detect_in(dir), "systemd-nspawn");
        test_write(dir, "run/systemd/container", "acme-vps\n");
        CHECK_STR(detect_in(dir), "container-other");
        /* "oci" names no manager: the well-known files do. */
        test_write(dir, "run/systemd/container", "oci\n");
        CHECK_STR(detect_in(dir), "container-other");
        test_write(dir, ".dockerenv", "");
        CHECK_STR(detect_in(dir), "docker");
        /* The manager's own file first. */
        test_write(dir, "run/host/container-manager", "lxc-libvirt\n");
        CHECK_STR(detect_in(dir), "lxc-libvirt");
        /* OpenVZ: /proc/vz inside the container, /proc/bc only on the host. */
        test_write(dir, "proc/vz/veinfo", "");
        CHECK_STR(detect_in(dir), "openvz");
        test_write(dir, "proc/bc/0/resources", "");
        CHECK_STR(detect_in(dir), "lxc-libvirt");
        test_rmtree(dir);
        free(dir);
        /* Only the files: Docker's and Podman's. */
        dir = test_mkdtemp();
        test_write(dir, "run/.containerenv", "");
        CHECK_STR(detect_in(dir), "podman");
        test_rmtree(dir);
}

/* OpenVZ's kernel virtualises /proc/meminfo in place (no lxcfs mount: the same st_dev as /proc):
 * MemTotal is the container's memory.max, SwapTotal its memsw.max less that (vzkernel
 * fs/proc/meminfo.c si_meminfo_ve()); the host's memory blocks and zoneinfo may show through. */
TEST(container_openvz_meminfo)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        _cleanup_(host_24g_free) struct ram_sources src = host_24g(dir);
        struct cgroup_limits cg = {CGROUP_UNLIMITED, CGROUP_UNLIMITED, 0, NULL, CGROUP_LAYOUT_NONE};
        const char *source;
        uint64_t ram, swap;

        test_write(dir, "proc/vz/veinfo", "");
        CHECK_STR(detect_in(dir), "openvz");
        CHECK(meminfo_virtualised(detect_in(dir)));
        test_write(dir, "meminfo", "MemTotal:        1048576 kB\nSwapTotal:        524288 kB\n");
        CHECK(container_ram(&src, meminfo_virtualised(detect_in(dir)), &cg, &ram, &source, &swap) ==
              0);
        CHECK_U64(ram, 1 * GIB);
        CHECK_STR(source, "MemTotal (virtualised)");
        CHECK_U64(swap, 512 * MIB);
        test_rmtree(dir);
}

/* No name anywhere, but a cgroup namespace (systemd's running_in_cgroupns(), v252): LXC's
 * lxc-execute, whose init.lxc has no $container (tests/container/lxc-debootstrap.sh). */
TEST(container_detection_cgroup_namespace)
{
        _cleanup_free_ char *dir = test_mkdtemp();

        test_write(dir, "proc/self/ns/cgroup", "");
        /* v1 (hybrid, as this host): release_agent is in the root of name=systemd only. */
        test_write(dir, "sys/fs/cgroup/systemd/release_agent", "");
        CHECK(detect_in(dir) == NULL);
        test_rmtree(dir);
        free(dir);
        dir = test_mkdtemp();
        test_write(dir, "proc/self/ns/cgroup", "");
        test_write(dir, "sys/fs/cgroup/systemd/cgroup.procs", "");
        CHECK_STR(detect_in(dir), "container-other");
        /* A named container is named, not guessed. */
        test_write(dir, "run/systemd/container", "lxc\n");
        CHECK_STR(detect_in(dir), "lxc");
        test_rmtree(dir);
        free(dir);
        /* v2: the root cgroup has no cgroup.events or cgroup.type. */
        dir = test_mkdtemp();
        test_write(dir, "proc/self/ns/cgroup", "");
        test_write(dir, "sys/kernel/cgroup/features", "");
        test_write(dir, "sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
        CHECK(detect_in(dir) == NULL);
        test_write(dir, "sys/fs/cgroup/cgroup.events", "populated 1\n");
        /* With /sys/kernel/cgroup/features, no cgroup.type is the root (systemd). */
        CHECK(detect_in(dir) == NULL);
        test_write(dir, "sys/fs/cgroup/cgroup.type", "domain\n");
        CHECK_STR(detect_in(dir), "container-other");
        /* No cgroup namespaces in the kernel: never guessed. */
        test_rmtree(dir);
        free(dir);
        dir = test_mkdtemp();
        test_write(dir, "sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
        test_write(dir, "sys/fs/cgroup/cgroup.events", "populated 1\n");
        test_write(dir, "sys/fs/cgroup/cgroup.type", "domain\n");
        CHECK(detect_in(dir) == NULL);
        test_rmtree(dir);
}

/* The path journal.c names memprov's unit from: v1's name=systemd hierarchy where there is one
 * (a hybrid host, as this Docker host shows it), else the unified "0::" line. */
TEST(cgroup_own_path_in_systemds_tree)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        _cleanup_free_ char *self = xasprintf("%s/self-cgroup", dir);
        char *p;

        test_write(dir, "self-cgroup", "0::/system.slice/memprov.service\n");
        p = cgroup_own_path(self);
        CHECK_STR(p, "/system.slice/memprov.service");
        free(p);
        test_write(dir, "self-cgroup",
                   "12:memory:/docker/x/system.slice/memprov.service\n"
                   "1:name=systemd:/system.slice/memprov.service\n"
                   "0::/system.slice/other.service\n");
        p = cgroup_own_path(self);
        CHECK_STR(p, "/system.slice/memprov.service");
        free(p);
        test_write(dir, "self-cgroup", "3:memory:/\n");
        CHECK(cgroup_own_path(self) == NULL);
        test_rmtree(dir);
}

/* Issue 22, session 10: systemd-nspawn on a cgroup-v2-only host, its limits on its scope above
 * the container's cgroup namespace (tests/vm/scenario-16.sh "prop": the container's memory.max
 * and cpu.max say max). The fixture is that container's view: its cgroup is the namespace's
 * root, memprov's below it. */
TEST(container_unseen_nspawn_v2)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        _cleanup_free_ char *note = NULL;
        struct cgroup_limits l;

        test_write(dir, "self-cgroup", "0::/system.slice/memprov.service\n");
        test_write(dir, "cg/cgroup.controllers", "cpuset cpu io memory pids\n");
        test_write(dir, "cg/memory.max", "max\n");
        test_write(dir, "cg/memory.swap.max", "max\n");
        test_write(dir, "cg/cpu.max", "max 100000\n");
        test_write(dir, "cg/system.slice/memprov.service/memory.max", "max\n");
        l = limits_from(dir);
        CHECK(l.layout == CGROUP_LAYOUT_UNIFIED);
        CHECK_U64(l.memory, CGROUP_UNLIMITED);
        CHECK_U64(container_unseen_limits("systemd-nspawn", &l, 0, 0),
                  CONTAINER_UNSEEN_MEMORY | CONTAINER_UNSEEN_CPU);
        note =
            container_unseen_note("systemd-nspawn", CONTAINER_UNSEEN_MEMORY | CONTAINER_UNSEEN_CPU);
        CHECK_STR(note, "container systemd-nspawn: no memory limit or CPU quota is visible in its "
                        "cgroup (cgroup v2); one systemd-nspawn sets itself "
                        "(--property=MemoryMax=, CPUQuota=, a .nspawn file, "
                        "systemd-nspawn@.service) is on its scope, above the container's cgroup, "
                        "and cannot be seen: this plan is for the host's RAM and vCPUs; if the "
                        "container has less, run memprov with --assume-ram SIZE and "
                        "--assume-cpus N");
        /* --assume-cpus given, or a quota visible: the note names memory only. */
        CHECK_U64(container_unseen_limits("systemd-nspawn", &l, 0, 2), CONTAINER_UNSEEN_MEMORY);
        free(note);
        note = container_unseen_note("systemd-nspawn", CONTAINER_UNSEEN_MEMORY);
        CHECK_STR(note, "container systemd-nspawn: no memory limit is visible in its cgroup "
                        "(cgroup v2); one systemd-nspawn sets itself (--property=MemoryMax=, a "
                        ".nspawn file, systemd-nspawn@.service) is on its scope, above the "
                        "container's cgroup, and cannot be seen: this plan is for the host's RAM; "
                        "if the container has less, run memprov with --assume-ram SIZE");
        /* --assume-ram given: the admin said; nothing to tell. */
        CHECK_U64(container_unseen_limits("systemd-nspawn", &l, 512 * MIB, 0), 0);
        /* Other containers (LXC, Docker) put limits on their own cgroup; outside one, none. */
        CHECK_U64(container_unseen_limits("lxc", &l, 0, 0), 0);
        CHECK_U64(container_unseen_limits(NULL, &l, 0, 0), 0);
        CHECK(container_unseen_note(NULL, 0) == NULL);
        /* A limit on the container's own cgroup (scenario 16's c512) is seen. */
        test_write(dir, "cg/memory.max", "536870912\n");
        l = limits_from(dir);
        CHECK_U64(container_unseen_limits("systemd-nspawn", &l, 0, 0), 0);
        test_rmtree(dir);
        free(dir);
        /* nspawn on this v1 hybrid host: memory.stat's hierarchical_memory_limit carries the
         * scope's limit (tests/integration/container-nspawn.sh); even with none, no note. */
        dir = test_mkdtemp();
        test_write(dir, "self-cgroup",
                   "12:memory:/\n2:cpu,cpuacct:/\n1:name=systemd:/system.slice/memprov.service\n"
                   "0::/\n");
        test_write(dir, "cg/unified/cgroup.controllers", "");
        test_write(dir, "cg/memory/memory.limit_in_bytes", "9223372036854771712\n");
        test_write(dir, "cg/cpu/cpu.cfs_quota_us", "-1\n");
        l = limits_from(dir);
        CHECK(l.layout == CGROUP_LAYOUT_HYBRID);
        CHECK_U64(container_unseen_limits("systemd-nspawn", &l, 0, 0), 0);
        /* v1 only (legacy). */
        test_rmtree(dir);
        free(dir);
        dir = test_mkdtemp();
        test_write(dir, "self-cgroup", "12:memory:/\n2:cpu,cpuacct:/\n");
        test_write(dir, "cg/memory/memory.limit_in_bytes", "9223372036854771712\n");
        l = limits_from(dir);
        CHECK(l.layout == CGROUP_LAYOUT_LEGACY);
        test_rmtree(dir);
}

/* Why the plan counts its vCPUs (facts.vcpus_source): the affinity mask narrower than the
 * online CPUs is a cpuset (a cpuset cgroup, CPUAffinity=, taskset); measured on this process
 * by narrowing its own mask to one CPU and restoring it. */
TEST(vcpus_source_cpuset)
{
        cpu_set_t saved, one;
        const char *source = NULL;
        unsigned n = 0;

        CHECK(sched_getaffinity(0, sizeof(saved), &saved) == 0);
        CHECK(read_vcpus(&n, &source) == 0);
        CHECK_U64(n, (uint64_t)CPU_COUNT(&saved));
        if (CPU_COUNT(&saved) < sysconf(_SC_NPROCESSORS_ONLN))
                CHECK_STR(source, "cpuset");
        else
                CHECK_STR(source, "online CPUs");
        if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
                return; /* one CPU online: no narrower mask to make */
        CPU_ZERO(&one);
        for (int i = 0; i < CPU_SETSIZE; i++)
                if (CPU_ISSET(i, &saved)) {
                        CPU_SET(i, &one);
                        break;
                }
        CHECK(sched_setaffinity(0, sizeof(one), &one) == 0);
        CHECK(read_vcpus(&n, &source) == 0);
        CHECK(sched_setaffinity(0, sizeof(saved), &saved) == 0);
        CHECK_U64(n, 1);
        CHECK_STR(source, "cpuset");
}
