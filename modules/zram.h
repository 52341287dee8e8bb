/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zram swap through systemd-zram-generator where the kernel has no zswap: lib/cushion.h. */
#pragma once

#include "module.h"

/* "50-": zram-generator.conf(5) reads *.conf.d/ files in lexical order, the last one winning;
 * an admin's 60-*.conf or later overrides memprov's without editing it. */
#define ZRAM_CONF_DIR "/etc/systemd/zram-generator.conf.d"
#define ZRAM_CONF     ZRAM_CONF_DIR "/50-memprov.conf"
/* The units the generator makes for [zram0] (zram-generator(8)). */
#define ZRAM_SWAP_UNIT  "dev-zram0.swap"
#define ZRAM_SETUP_UNIT "systemd-zram-setup@zram0.service"

extern const struct module zram_module;

/* The zram swap the budget counts: what is live this boot after this run (lib/budget.h). The
 * present devices, none where the run stops zram0, memprov's default size where it starts one;
 * a changed size comes at the next boot (the plan's note says so). disk_swap: as for
 * cushion_decide_swap(). */
uint64_t zram_budget_bytes(const struct context *ctx, bool disk_swap);
/* The same given the cushion decided and the zram present. */
struct cushion;
uint64_t zram_live_bytes(const struct context *ctx, const struct cushion *c, uint64_t present);
/* The zram swap present now (/proc/swaps names the devices /dev/zramN). */
uint64_t zram_present_bytes(const struct context *ctx);
