/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Back-pressure from Apache to PHP-FPM (issues 9 and 23): when, and how, Apache answers 503
 * rather than let a PHP request queue.
 *
 * What Apache can and cannot do here, read in httpd 2.4's mod_proxy (proxy_util.c) and measured
 * on this host (Apache 2.4.71 event + PHP-FPM 8.2, two pools on two sockets,
 * notes/s7-backpressure):
 * - mod_proxy connects to a unix socket with a blocking connect() on a fresh socket
 *   (ap_proxy_connect_backend() -> ap_proxy_connect_uds(), the timeout is set only after it), so
 *   without a connection cap a request waits in PHP-FPM's listen backlog (511) as long as it takes:
 *   nothing is ever refused. Memory does not grow with that queue: PHP-FPM's children are the
 *   bound (the sizing model's), a queued request is an Apache thread that already exists.
 * - The only cap is a worker's connection pool ("max", per Apache child) with "acquire", the wait
 *   for a free connection before a 503 (AH00941). Workers are found by name alone: the handler's
 *   URL with its "unix:PATH|" part taken off (ap_proxy_get_worker_ex() de-socketfies it). Every
 *   Debian and EL handler says "proxy:unix:SOCKET|fcgi://localhost", so every pool and PHP
 *   version resolves to the one worker fcgi://localhost: measured, a pool loaded by 16 clients
 *   made an idle pool's single client get 9 of 20 requests refused (max=2 acquire=3000).
 * - One <Proxy "unix:SOCKET|fcgi://localhost"> per pool socket does not separate them: the
 *   sections define one worker (same name), whose unix path then overrides the handler's.
 *   Measured: requests for the second pool's files were served by the FIRST pool. So memprov
 *   never names a socket in a worker.
 * - But a worker's name is matched as a prefix: the handler's URL is "fcgi://localhost" followed
 *   by the request's file (r->filename), and mod_proxy takes the worker with the longest name
 *   that starts it (ap_proxy_get_worker_ex()). Measured on this host (Apache 2.4.71, two pools,
 *   a worker "fcgi://localhost/var/www/html/" max=1 acquire=500 and none for the second site's
 *   /var/www/b): 16 requests of 2 s pages on the first site, 1 served and 15 refused 503 within
 *   0.8 s, while the second site's 3 requests were served by its own pool in 0.003-0.09 s; 16 on
 *   the second site were all served (no cap) and the first site's 3 meanwhile too.
 * So memprov writes one worker per site, named by its DocumentRoot (apache-sites.c reads which
 * sites send PHP to which socket), without a socket in it (the handler's stays in force), its
 * cap counting the children of that site's own pool: one site's load never takes another's
 * connections. Only where no site is known is the one fcgi://localhost worker written, shared by
 * every site. Either is written only where it bites before the machine would serve the request
 * within the target anyway, i.e. only where the pages are slow against the target latency (see
 * apache_backpressure()).
 * Measured in a 512M VM (Debian 12, the reference image, tests/vm/apache-backpressure: 16
 * clients, 160 requests for a page holding 32 MB for 0.5 s, 4 PHP-FPM children): with no worker
 * (this default) 160 served, 0 refused, 6.1-6.2 req/s, p50 2.5-2.6 s, max 2.7 s; with session 6's
 * max=2 acquire=3000, 154 served and 6 refused (AH00941), 6.2 req/s, max 4.7 s. Both: min
 * MemAvailable 231-232 MiB, no swap, no OOM kill: the children, not the queue, bound memory.
 * tests/integration/apache-php.sh serves two sites on two pools through the written conf.
 */
#include <limits.h>

#include "../lib/log.h"
#include "../lib/util.h"

#include "apache.h"

#define ALIAS_PAGE_MS   "apache.proxy_fcgi.page_time_ms"
#define ALIAS_TARGET_MS "apache.proxy_fcgi.target_latency_ms"

/* PHP-FPM's children over every master (each master's process.max), as the model sized them. */
static unsigned fpm_children(const struct budget *b)
{
        unsigned n = 0;

        for (size_t i = 0; i < b->n_lines; i++)
                if (b->lines[i].role == ROLE_PHP && !streq(b->lines[i].id, "apache"))
                        n += b->lines[i].count;
        return n;
}

/* The children of the pool listening on socket as the budget fitted them (its pm.max_children,
 * at most its master's process.max), or 0 where no pool of a PHP-FPM master memprov sizes
 * listens there. */
static unsigned pool_children(const struct context *ctx, const struct budget *b, const char *socket)
{
        const struct php_fpms *fpms = &ctx->services->php;
        char id[80];

        for (size_t i = 0; i < fpms->n; i++)
                for (size_t j = 0; j < fpms->v[i].n_pools; j++)
                        if (streq(fpms->v[i].pools[j].listen, socket)) {
                                const struct budget_line *l;
                                budget_pool_id(fpms->v[i].version, fpms->v[i].pools[j].name, id);
                                l = budget_find(b, id);
                                if (!l)
                                        return 0;
                                return l->parent >= 0 ? MIN(l->count, b->lines[l->parent].count)
                                                      : l->count;
                        }
        return 0;
}

/* max = 2N / Apache children rounded up, N = children x pages (see apache_backpressure()). */
static unsigned cap(unsigned children, unsigned pages, unsigned processes)
{
        uint64_t n = (uint64_t)children * pages;

        return (unsigned)MIN((2 * n + processes - 1) / processes, (uint64_t)UINT_MAX);
}

/*
 * The time of one PHP page on this machine: [model] php.page_ms, which nginx's listen.backlog
 * (modules/phpfpm.c) reads too; one quantity, one key (issue 23). [services]
 * apache.proxy_fcgi.page_time_ms, session 7's name for it, is a deprecated alias: where set it
 * still wins, with a warning naming where it was set.
 */
static unsigned page_ms(const struct context *ctx, const struct budget *b)
{
        const struct setting *old = config_get(ctx->config, "services", ALIAS_PAGE_MS);
        long v = b->model.page_ms;

        if (old) {
                log_warning("%s: [services] %s is deprecated, set [model] php.page_ms instead",
                            old->origin, ALIAS_PAGE_MS);
                v = config_int(ctx->config, "services", ALIAS_PAGE_MS, v);
        }
        return v < 1 ? 1u : (unsigned)MIN(v, (long)UINT_MAX);
}

/*
 * A request's latency through PHP-FPM is its wait for a connection (at most acquire), its wait in
 * PHP-FPM's listen backlog, and its own page (t). With C children and N requests at PHP-FPM, the
 * backlog wait is at most (N - C) / C pages. The target T is split in half: PHP-FPM may hold
 * what its children finish in T/2, N = C x k with k = max(T / 2t, 1) pages per child (one running,
 * k - 1 queued), and acquire is the rest, T - k x t. A 503 then comes only when the children
 * cannot finish what is already waiting within the target.
 * N is spread over Apache's children, unevenly (issue 9: max = C / Apache children refused 11 of
 * 37 requests at 5 clients while PHP children idled): max = 2N / Apache children, rounded up.
 * Where that is at least ThreadsPerChild an Apache child's threads can never exhaust it: no worker
 * (none of the above would ever refuse). Per site, C is its own pool's children.
 */
int apache_backpressure(const struct context *ctx, enum mpm m, unsigned workers, unsigned tpc,
                        const struct budget *b, struct backpressure *ret)
{
        unsigned children = fpm_children(b), processes = MAX(workers / MAX(tpc, 1u), 1u);
        const char *acquire = tier_value(ctx, "apache.proxy_fcgi.acquire");
        const struct web_server *w = &ctx->services->web;
        unsigned max, capped = 0;

        const struct setting *old = config_get(ctx->config, "services", ALIAS_TARGET_MS);

        if (old)
                log_warning("%s: [services] %s is deprecated, set [model] php.target_latency_ms "
                            "instead (nginx's wait follows it too)",
                            old->origin, ALIAS_TARGET_MS);
        *ret = (struct backpressure){
            .children = children,
            .target_ms = php_target_ms(ctx),
            .page_ms = page_ms(ctx, b),
        };
        if (m == MPM_PREFORK) /* one thread per child: nothing to pool */
                ret->why = "prefork has one thread per child";
        else if (children == 0)
                ret->why = "no PHP-FPM children";
        else if (ret->target_ms == 0)
                ret->why = "php.target_latency_ms = 0";
        if (ret->why)
                return 0;
        ret->pages = MAX(ret->target_ms / (2 * ret->page_ms), 1u);
        ret->acquire_ms = ret->target_ms > ret->pages * ret->page_ms
                              ? ret->target_ms - ret->pages * ret->page_ms
                              : ret->page_ms;
        if (acquire)
                ret->acquire_ms = (unsigned)MIN(strtoul(acquire, NULL, 10) * 1000, UINT_MAX);
        for (size_t i = 0; i < w->n_sites; i++) {
                struct site_cap *c = &ret->sites[ret->n_sites++];

                c->site = &w->sites[i];
                c->children = pool_children(ctx, b, c->site->socket);
                if (c->children == 0)
                        c->children = children;
                max = cap(c->children, ret->pages, processes);
                c->max = max < tpc ? max : 0;
                capped += c->max > 0;
        }
        max = cap(children, ret->pages, processes);
        if (ret->n_sites > 0 ? capped == 0 : max >= tpc)
                ret->why = "a cap would never be reached by an Apache child's threads";
        else if (ret->n_sites == 0)
                ret->max = max;
        return 0;
}

/* retry=0: a defined worker goes into error state when a connect fails (PHP-FPM restarting) and
 * would answer 503 for `retry` seconds (60 by default); 0 retries at once. */
void apache_print_backpressure(FILE *f, const struct backpressure *bp)
{
        if (bp->why)
                return;
        fprintf(f, "<IfModule proxy_fcgi_module>\n");
        if (bp->max)
                fprintf(f,
                        "    <Proxy \"fcgi://localhost\" max=%u acquire=%u retry=0>\n"
                        "    </Proxy>\n",
                        bp->max, bp->acquire_ms);
        for (size_t i = 0; i < bp->n_sites; i++)
                if (bp->sites[i].max)
                        fprintf(f,
                                "    # %s: %u PHP-FPM children at %s\n"
                                "    <Proxy \"fcgi://localhost%s/\" max=%u acquire=%u retry=0>\n"
                                "    </Proxy>\n",
                                bp->sites[i].site->docroot, bp->sites[i].children,
                                bp->sites[i].site->socket, bp->sites[i].site->docroot,
                                bp->sites[i].max, bp->acquire_ms);
        fprintf(f, "</IfModule>\n");
}

void apache_note_backpressure(struct plan *p, const struct backpressure *bp)
{
        if (bp->children == 0)
                return;
        if (bp->max)
                plan_note(p,
                          "Apache answers 503 after %u ms without a PHP-FPM connection: "
                          "max=%u per Apache child, for %u PHP-FPM children x %u pages of %u ms "
                          "(php.target_latency_ms %u); one worker for every site "
                          "(none known)",
                          bp->acquire_ms, bp->max, bp->children, bp->pages, bp->page_ms,
                          bp->target_ms);
        for (size_t i = 0; !bp->why && i < bp->n_sites; i++) {
                const struct site_cap *c = &bp->sites[i];
                if (c->max)
                        plan_note(p,
                                  "Apache answers 503 after %u ms without a PHP-FPM connection "
                                  "for %s: max=%u per Apache child on its own worker, for %u "
                                  "PHP-FPM children x %u pages of %u ms "
                                  "(php.target_latency_ms %u)",
                                  bp->acquire_ms, c->site->docroot, c->max, c->children, bp->pages,
                                  bp->page_ms, bp->target_ms);
                else
                        plan_note(p,
                                  "Apache's requests to PHP-FPM for %s wait in its listen "
                                  "backlog, no 503 cap: its %u children serve them within the "
                                  "target (pages of %u ms, target %u ms)",
                                  c->site->docroot, c->children, bp->page_ms, bp->target_ms);
        }
        if (bp->why)
                plan_note(
                    p,
                    "Apache's requests to PHP-FPM wait in its listen backlog, no 503 cap: "
                    "%s (%u PHP-FPM children, pages of %u ms as php.page_ms says, target %u ms)",
                    bp->why, bp->children, bp->page_ms, bp->target_ms);
}
