/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zswap in front of the swapfile on the smallest tiers: live in /sys and at every boot after. */
#pragma once

#include "module.h"

#define ZSWAP_TMPFILES   "/etc/tmpfiles.d/memprov-zswap.conf"
#define ZSWAP_PARAMS_DIR "/sys/module/zswap/parameters"

extern const struct module zswap_module;

/* The compressor memprov asks for, best first, given which ones the kernel has (a bit per
 * entry of zswap_compressors[]); NULL: the kernel's default. */
extern const char *const zswap_compressors[];
const char *zswap_pick_compressor(unsigned available);
