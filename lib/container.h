/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether memprov runs in a container, and what that container does not let it do. */
#pragma once

#include <stdbool.h>

/* What a container refuses; each is probed, never assumed from the container's name. */
enum container_denial {
        CONTAINER_DENIES_SWAPON = 1u << 0,    /* swapon(2): no CAP_SYS_ADMIN in the host's user
                                               * namespace, or the container's seccomp filter */
        CONTAINER_DENIES_SYSCTL = 1u << 1,    /* /proc/sys/vm/swappiness is read-only */
        CONTAINER_DENIES_ZSWAP = 1u << 2,     /* /sys/module/zswap/parameters is read-only */
        CONTAINER_DENIES_BOOT_SWAP = 1u << 3, /* booted by systemd, which ignores fstab swap
                                               * entries in a container */
};

/* Where container_detect() looks: every path below root ("" or NULL: the live system). */
struct container_sources {
        const char *root;
};

/* The container's name as `systemd-detect-virt --container` prints it (systemd-nspawn, lxc,
 * lxc-libvirt, docker, podman, openvz, ..., container-other), or NULL outside one. A static
 * string. */
const char *container_detect(const struct container_sources *src);
/* The container_denial flags for the live system; swapon_errno gets swapon(2)'s refusal. */
unsigned container_probe(int *ret_swapon_errno);
