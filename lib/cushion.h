/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compressed-swap cushion of the smallest tiers: pages compressed in RAM before (or instead
 * of) a write to the VPS disk. Which kind a machine gets depends on the kernel it boots:
 * - zswap (Documentation/admin-guide/mm/zswap.rst), a compressed cache in front of the
 *   swapfile, where the kernel has it (Debian's generic kernels: CONFIG_ZSWAP=y);
 * - zram (Documentation/admin-guide/blockdev/zram.rst), a compressed swap device in RAM set up
 *   by systemd-zram-generator, where it has not (Debian's cloud kernels, bookworm 6.1 and
 *   trixie 6.12, are built with "# CONFIG_ZSWAP is not set" and CONFIG_ZRAM=m).
 * Never both: zswap in front of a zram device would compress every page twice.
 *
 * One decision per run, made the same way by the zswap, zram and sysctl modules (swappiness
 * follows the kind of swap present).
 */
#pragma once

#include <stdbool.h>

#include "context.h"
#include "plan.h"

enum cushion_kind { CUSHION_NONE, CUSHION_ZSWAP, CUSHION_ZRAM };

enum kernel_feature {
        KERNEL_ZSWAP = 1u << 0,    /* /sys/module/zswap, CONFIG_ZSWAP=y (a bool: never a module) */
        KERNEL_ZRAM = 1u << 1,     /* CONFIG_ZRAM=y or m */
        KERNEL_ZSMALLOC = 1u << 2, /* CONFIG_ZSMALLOC=y or m: zswap's densest zpool */
};

/* The kernel the machine runs (live) or the root boots (its /vmlinuz link, else its only
 * kernel). */
struct kernel_caps {
        char *release;        /* NULL: not known (an offline root with several kernels, no link) */
        bool known;           /* features read from the kernel, not assumed */
        unsigned features;    /* enum kernel_feature */
        unsigned compressors; /* a bit per entry of cushion_compressors[] */
};

/* Best first: zstd compresses best (lib/zstd), lz4 is the fastest. */
extern const char *const cushion_compressors[];
/* The compressor memprov asks for given the available bits; NULL: the kernel's default. */
const char *cushion_pick_compressor(unsigned available);

struct cushion {
        enum cushion_kind kind;
        struct kernel_caps kernel;
        bool zram_generator; /* systemd-zram-generator is installed in the root */
        /* Why a kind that was wanted was left off (NULL: it was not wanted, or is in use). */
        char *zswap_why, *zram_why;
        /* Where zswap sits in front of the disk swap this run (memprov's, or an admin's that
         * memprov leaves on): its max_pool_percent, "the maximum percentage of memory that the
         * compressed pool can occupy" (zswap.rst). Pages swapped out go to that pool in RAM
         * first, so swap counts as freed RAM only beyond it (lib/budget.h). 0: no zswap. */
        unsigned zswap_pool_percent;
};

/* Whether the plan (or the machine) has disk swap: zswap needs some behind it. */
bool cushion_swap_planned(const struct context *ctx, const struct plan *p);
/* The kind for this run, from [swap] zswap/zram (auto: the tier table's), the kernel and the
 * swap the plan leaves. p: the plan so far (the swap module plans first). */
int cushion_decide(const struct context *ctx, const struct plan *p, struct cushion *ret);
/* The same decision given whether the machine has disk swap. The budget asks it with the swap
 * the machine will have (swap_expected_bytes(): under --root, the swapfile its first boot
 * makes), which the plan so far does not hold offline. */
int cushion_decide_swap(const struct context *ctx, bool disk_swap, struct cushion *ret);
void cushion_done(struct cushion *c);
const char *cushion_kind_name(enum cushion_kind k);

#define ZRAM_GENERATOR        "/usr/lib/systemd/system-generators/zram-generator"
#define ZRAM_GENERATOR_LEGACY "/lib/systemd/system-generators/zram-generator"
