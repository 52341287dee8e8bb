/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm.swappiness: /etc/sysctl.d/60-memprov.conf and the live value. */
#pragma once

#include "module.h"

#define SYSCTL_DROPIN "/etc/sysctl.d/60-memprov.conf"

extern const struct module sysctl_module;

/* Whether a database server (MariaDB, MySQL, PostgreSQL) is installed under the root. */
bool database_installed(const struct context *ctx);
