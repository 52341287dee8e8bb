/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Apache httpd: the active MPM's block, sized for the tier, in a drop-in the layout includes. */
#pragma once

#include "module.h"

/* The MPM an httpd conf.modules.d file loads (its uncommented LoadModule), or MPM_UNKNOWN. */
enum mpm mpm_from_loadmodule(const char *conf);
/* Whether a module config file (mods-enabled/NAME.load, conf.modules.d/NAME.conf) loads libphp*.so.
 */
bool apache_loads_php(const char *conf);

/* apache-detect.c: the layout, the MPM and mod_php. */
int apache_detect(const struct context *ctx, struct services *services);

extern const struct module apache_module;
