/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zswap in front of the swapfile on the smallest tiers: live in /sys and at every boot after. */
#pragma once

#include "module.h"

#define ZSWAP_TMPFILES   "/etc/tmpfiles.d/memprov-zswap.conf"
#define ZSWAP_PARAMS_DIR "/sys/module/zswap/parameters"

extern const struct module zswap_module;
