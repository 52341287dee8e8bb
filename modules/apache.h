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
/* apache-sites.c: the enabled sites that send PHP to a PHP-FPM socket through fcgi://localhost,
 * into w->sites. */
void apache_sites_read(int rootfd, struct web_server *w);

extern const struct module apache_module;

/* apache-proxy.c: back-pressure to PHP-FPM, the fcgi://localhost worker (issues 9, 23). */
struct backpressure {
        unsigned children;   /* PHP-FPM's children over every master */
        unsigned target_ms;  /* [services] apache.proxy_fcgi.target_latency_ms */
        unsigned page_ms;    /* [model] php.page_ms */
        unsigned pages;      /* pages per PHP child PHP-FPM may hold: running + queued */
        unsigned acquire_ms; /* the worker's acquire */
        unsigned max;        /* its connections per Apache child; 0: no worker written */
        const char *why;     /* why none is written */
        /* One worker per site instead (apache-sites.c), where the sites are known: max is then 0
         * and each site's cap counts its own pool's children. */
        struct site_cap {
                const struct apache_site *site;
                unsigned children; /* its pool's; every pool's where the socket is no pool's */
                unsigned max;      /* 0: no cap for it */
        } sites[APACHE_MAX_SITES];
        size_t n_sites;
};
int apache_backpressure(const struct context *ctx, enum mpm m, unsigned workers, unsigned tpc,
                        const struct budget *b, struct backpressure *ret);
void apache_print_backpressure(FILE *f, const struct backpressure *bp);
void apache_note_backpressure(struct plan *p, const struct backpressure *bp);
