/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Apache httpd: the active MPM's block, sized for the tier, in a drop-in the layout includes. */
#pragma once

#include "budget.h"

enum mpm { MPM_UNKNOWN, MPM_PREFORK, MPM_WORKER, MPM_EVENT };

struct web_server {
        bool installed;
        bool debian; /* /etc/apache2 (conf-available + a2enconf link) rather than /etc/httpd */
        enum mpm mpm;
};

int apache_detect(const struct context *ctx, struct web_server *ret);
/* "prefork", "worker", "event" */
const char *mpm_name(enum mpm m);
/* The MPM an httpd conf.modules.d file loads (its uncommented LoadModule), or MPM_UNKNOWN. */
enum mpm mpm_from_loadmodule(const char *conf);
int apache_budget(const struct context *ctx, struct budget *b);

extern const struct module apache_module;
