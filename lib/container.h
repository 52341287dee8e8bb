/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether memprov runs in a container, and what that container does not let it do. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* What a container refuses; each is probed, never assumed from the container's name. */
enum container_denial {
        CONTAINER_DENIES_SWAPON = 1u << 0,    /* swapon(2): no CAP_SYS_ADMIN in the host's user
                                               * namespace, or the container's seccomp filter */
        CONTAINER_DENIES_SYSCTL = 1u << 1,    /* /proc/sys/vm/swappiness is read-only */
        CONTAINER_DENIES_ZSWAP = 1u << 2,     /* /sys/module/zswap/parameters is read-only */
        CONTAINER_DENIES_BOOT_SWAP = 1u << 3, /* booted by systemd, which ignores fstab swap
                                               * entries in a container */
        CONTAINER_DENIES_OOM_LOWER = 1u << 4, /* an oom_score_adj cannot be lowered: no
                                               * CAP_SYS_RESOURCE in the host's user namespace */
};

/* A limit the container may have that memprov cannot see (container_unseen_limits()). */
enum container_unseen {
        CONTAINER_UNSEEN_MEMORY = 1u << 0, /* memory: the plan is for the host's RAM */
        CONTAINER_UNSEEN_CPU = 1u << 1,    /* CPU quota: the plan counts the host's vCPUs */
};

/* Where container_detect() looks: every path below root ("" or NULL: the live system). */
struct container_sources {
        const char *root;
};

/* The container's name as `systemd-detect-virt --container` prints it (systemd-nspawn, lxc,
 * lxc-libvirt, docker, podman, openvz, ..., container-other), or NULL outside one. A static
 * string. */
const char *container_detect(const struct container_sources *src);
/* The container_unseen flags for container name with the cgroup limits cg: in systemd-nspawn on
 * a unified (cgroup v2 only) host, no memory limit visible and none assumed (assume_ram 0) sets
 * CONTAINER_UNSEEN_MEMORY, and with it no CPU quota visible and none assumed sets
 * CONTAINER_UNSEEN_CPU. 0 elsewhere. */
struct cgroup_limits;
unsigned container_unseen_limits(const char *name, const struct cgroup_limits *cg,
                                 uint64_t assume_ram, unsigned assume_cpus);
/* The plan's note for container_unseen_limits()'s flags, or NULL for 0; free() it. */
char *container_unseen_note(const char *name, unsigned unseen);
/* The container_denial flags for the live system; swapon_errno gets swapon(2)'s refusal. */
unsigned container_probe(int *ret_swapon_errno);
