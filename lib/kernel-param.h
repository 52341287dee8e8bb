/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel parameters memprov sets live: sysctls under /proc/sys and zswap's module
 * parameters. One place for their paths and for reading them back, shared by the modules that
 * set them and the comparison that asks whether they already hold the planned value. */
#pragma once

#define ZSWAP_PARAMS_DIR "/sys/module/zswap/parameters"

/* The file of a sysctl key: "vm.swappiness" is /proc/sys/vm/swappiness. */
char *sysctl_key_path(const char *key);
/* The file of a zswap parameter: "enabled" is ZSWAP_PARAMS_DIR/enabled. */
char *zswap_param_path(const char *key);
/* The value in a kernel parameter file without its newline, or NULL when it cannot be read. */
char *kernel_param_read(const char *path);
