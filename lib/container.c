/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container detection in the order systemd's src/basic/virt.c detect_container() uses (v252):
 * OpenVZ's /proc/vz without /proc/bc, /run/host/container-manager, PID 1's $container (its own
 * environment when memprov is PID 1, else /run/systemd/container that systemd writes from it,
 * else /proc/1/environ), then /.dockerenv and /run/.containerenv, then a cgroup namespace:
 * "container-other". Left out: WSL and proot (no VPS runs them). */
#include <errno.h>
#include <fcntl.h>
#include <sys/swap.h>

#include "cgroup.h"
#include "container.h"
#include "fsutil.h"
#include "kernel-param.h"
#include "util.h"

/* systemd's container_table (src/basic/virt.c): the names systemd-detect-virt prints. */
static const char *const known[] = {"lxc", "lxc-libvirt", "systemd-nspawn", "docker", "podman",
                                    "rkt", "wsl",         "proot",          "pouch",  "openvz"};

static bool exists(const char *root, const char *path)
{
        _cleanup_free_ char *full = xasprintf("%s%s", root, path);

        return access(full, F_OK) == 0;
}

/* The first line of root/path without its newline, or NULL when missing or empty. */
static char *first_line(const char *root, const char *path)
{
        _cleanup_free_ char *full = xasprintf("%s%s", root, path);
        _cleanup_fclose_ FILE *f = fopen(full, "re");
        char buf[256];

        if (!f || !fgets(buf, sizeof(buf), f))
                return NULL;
        buf[strcspn(buf, "\n")] = '\0';
        return buf[0] ? xstrdup(buf) : NULL;
}

/* $container from PID 1's environment (NUL-separated); needs CAP_SYS_PTRACE over PID 1. */
static char *pid1_container_env(const char *root)
{
        _cleanup_free_ char *full = xasprintf("%s/proc/1/environ", root), *data = NULL;
        _cleanup_close_ int fd = open(full, O_RDONLY | O_CLOEXEC);
        size_t size;

        if (fd < 0 || read_fd(fd, 1 << 20, &data, &size) < 0)
                return NULL;
        for (size_t i = 0; i < size; i += strlen(data + i) + 1)
                if (startswith(data + i, "container="))
                        return xstrdup(data + i + strlen("container="));
        return NULL;
}

static const char *files_name(const char *root)
{
        if (exists(root, "/.dockerenv"))
                return "docker";
        if (exists(root, "/run/.containerenv"))
                return "podman";
        return NULL;
}

static const char *translate(const char *root, const char *name)
{
        if (streq(name, "oci")) /* not a manager: images hardcode it (virt.c) */
                return files_name(root) ?: "container-other";
        for (size_t i = 0; i < ELEMENTSOF(known); i++)
                if (streq(name, known[i]))
                        return known[i];
        return "container-other";
}

/* systemd's running_in_cgroupns() (virt.c, v252): a container manager that names itself
 * nowhere (LXC's lxc-execute puts no $container in init.lxc's environment: measured,
 * tests/container/lxc-debootstrap.sh) still gives the container a cgroup namespace, whose root
 * is not the host's. v2: cgroup.events and cgroup.type exist only below the root cgroup (a
 * kernel without /sys/kernel/cgroup/features has no cgroup.type at all); v1: release_agent
 * exists only in the root of a hierarchy, looked for in systemd's name=systemd one as systemd
 * does. The unified test is cgroup.c's (cgroup.controllers at the top), not statfs(2), so a
 * fixture root can show it. */
static bool in_cgroup_namespace(const char *root)
{
        if (!exists(root, "/proc/self/ns/cgroup"))
                return false;
        if (exists(root, "/sys/fs/cgroup/cgroup.controllers")) {
                if (!exists(root, "/sys/fs/cgroup/cgroup.events"))
                        return false;
                return exists(root, "/sys/fs/cgroup/cgroup.type") ||
                       !exists(root, "/sys/kernel/cgroup/features");
        }
        return exists(root, "/sys/fs/cgroup/systemd") &&
               !exists(root, "/sys/fs/cgroup/systemd/release_agent");
}

const char *container_detect(const struct container_sources *src)
{
        const char *root = src && src->root ? src->root : "";
        bool pid1 = !root[0] && getpid() == 1;
        _cleanup_free_ char *name = NULL;
        const char *files;

        /* /proc/vz is in the container and on the host, /proc/bc only on the host: OpenVZ's
         * kernel makes /proc/bc with mode 0, shown to the host only, and keeps it so that
         * systemd on the host does not take itself for a container (vzkernel
         * kernel/ve/veowner.c prepare_proc(), PSBM-127913). */
        if (exists(root, "/proc/vz") && !exists(root, "/proc/bc"))
                return "openvz";
        name = first_line(root, "/run/host/container-manager");
        if (!name && pid1) {
                /* PID 1's own environment is authoritative; an empty value means "none". */
                const char *e = getenv("container");
                if (e)
                        return e[0] ? translate(root, e) : NULL;
        } else if (!name) {
                name = first_line(root, "/run/systemd/container");
                if (!name)
                        name = pid1_container_env(root);
        }
        if (name)
                return name[0] ? translate(root, name) : NULL;
        files = files_name(root);
        if (files)
                return files;
        return in_cgroup_namespace(root) ? "container-other" : NULL;
}

/* Lowering an oom_score_adj needs CAP_SYS_RESOURCE in the host's user namespace (proc(5)
 * /proc/pid/oom_score_adj; the kernel's __set_oom_adj() uses capable()), which a container in a
 * user namespace never has and this project's test host withholds even from root (CapBnd
 * without bit 24). systemd then ignores an OOMScoreAdjust= below the start value ("Failed to
 * adjust OOM setting, assuming containerized execution, ignoring", v252): measured in
 * tests/integration/container-nspawn.sh, mariadbd ran at 0 with OOMScoreAdjust=-600 shown by
 * systemctl. Probed on memprov's own process: one step lower, then back (raising needs
 * nothing). */
static bool oom_lower_denied(void)
{
        _cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_RDWR | O_CLOEXEC);
        char buf[16];
        ssize_t n;
        int v, len;

        if (fd < 0 || (n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
                return false;
        buf[n] = '\0';
        if (sscanf(buf, "%d", &v) != 1 || v <= -1000)
                return false;
        len = snprintf(buf, sizeof(buf), "%d", v - 1);
        if (pwrite(fd, buf, len, 0) < 0)
                return errno == EACCES || errno == EPERM;
        len = snprintf(buf, sizeof(buf), "%d", v);
        (void)!pwrite(fd, buf, len, 0);
        return false;
}

unsigned container_probe(int *ret_swapon_errno)
{
        unsigned denies = 0;

        /* swapon(2) checks CAP_SYS_ADMIN before it looks at the path, and a seccomp filter
         * (systemd-nspawn's, Docker's default) refuses before the kernel does: a path that
         * cannot exist (nothing is created in /proc's top level) gets ENOENT only where
         * swapon would work. Nothing is swapped on. */
        *ret_swapon_errno = 0;
        if (swapon("/proc/memprov-swapon-probe", 0) < 0 && errno != ENOENT) {
                *ret_swapon_errno = errno;
                denies |= CONTAINER_DENIES_SWAPON;
        }
        /* A read-only mount (nspawn's /proc/sys, /sys) says EROFS, a file owned by a user
         * outside the container's user namespace EACCES; a missing file is not a denial
         * (the module says what is missing). */
        if (access("/proc/sys/vm/swappiness", W_OK) < 0 && errno != ENOENT)
                denies |= CONTAINER_DENIES_SYSCTL;
        if (access(ZSWAP_PARAMS_DIR "/enabled", W_OK) < 0 && errno != ENOENT)
                denies |= CONTAINER_DENIES_ZSWAP;
        /* Where swapon works (a privileged LXC container), a container booted by systemd still
         * gets no swapfile: systemd-fstab-generator ignores fstab swap entries in a container
         * ("Running in a container, ignoring fstab swap entry", v252), so it would not come
         * back at the next boot, and the swap area would be the host kernel's, pinning the
         * container's filesystem on the host. */
        if (access("/run/systemd/system", F_OK) == 0)
                denies |= CONTAINER_DENIES_BOOT_SWAP;
        if (oom_lower_denied())
                denies |= CONTAINER_DENIES_OOM_LOWER;
        return denies;
}

/* systemd-nspawn puts its own limits (--property=MemoryMax=, CPUQuota=, a .nspawn file's, or
 * systemd-nspawn@.service's) on its scope and runs the container in a cgroup below it, the root
 * of the container's cgroup namespace: on cgroup v2 the scope's files are outside that
 * namespace and v2 has no hierarchical limit such as v1's memory.stat
 * hierarchical_memory_limit. Measured in tests/vm/scenario-16.sh ("prop": nspawn 252,
 * --property=MemoryMax=512M, the container's memory.max says max). LXC and Docker set limits on
 * the container's own cgroup, which is read. */
unsigned container_unseen_limits(const char *name, const struct cgroup_limits *cg,
                                 uint64_t assume_ram, unsigned assume_cpus)
{
        unsigned unseen = 0;

        if (!name || !streq(name, "systemd-nspawn") || cg->layout != CGROUP_LAYOUT_UNIFIED ||
            assume_ram || cg->memory != CGROUP_UNLIMITED)
                return 0;
        unseen |= CONTAINER_UNSEEN_MEMORY;
        if (!assume_cpus && cg->cpus == 0)
                unseen |= CONTAINER_UNSEEN_CPU;
        return unseen;
}

char *container_unseen_note(const char *name, unsigned unseen)
{
        if (!(unseen & CONTAINER_UNSEEN_MEMORY))
                return NULL;
        return xasprintf("container %s: no memory limit%s is visible in its cgroup (cgroup v2); "
                         "one systemd-nspawn sets itself (--property=MemoryMax=%s, a .nspawn "
                         "file, systemd-nspawn@.service) is on its scope, above the container's "
                         "cgroup, and cannot be seen: this plan is for the host's RAM%s; if the "
                         "container has less, run memprov with --assume-ram SIZE%s",
                         name, unseen & CONTAINER_UNSEEN_CPU ? " or CPU quota" : "",
                         unseen & CONTAINER_UNSEEN_CPU ? ", CPUQuota=" : "",
                         unseen & CONTAINER_UNSEEN_CPU ? " and vCPUs" : "",
                         unseen & CONTAINER_UNSEEN_CPU ? " and --assume-cpus N" : "");
}
