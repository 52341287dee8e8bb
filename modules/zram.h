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
