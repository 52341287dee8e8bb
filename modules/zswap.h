/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zswap in front of the swapfile on the smallest tiers: live in /sys and at every boot after. */
#pragma once

#include "../lib/kernel-param.h"
#include "module.h"

#define ZSWAP_TMPFILES "/etc/tmpfiles.d/memprov-zswap.conf"

extern const struct module zswap_module;
