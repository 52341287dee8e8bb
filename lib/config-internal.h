/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by lib/config.c and lib/config-dir.c only. */
#pragma once

#include <stdbool.h>

#include "config.h"

/* Parses name in dirfd (following a symlink only if follow), with "# comments" after values;
 * display is the path as the admin knows it. -ENOENT (not logged) when absent. */
int config_load_at(struct config *c, int dirfd, const char *name, bool follow, const char *display);
