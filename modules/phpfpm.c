/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "../lib/chase.h"
#include "../lib/fsutil.h"
#include "../lib/iniread.h"
#include "../lib/live.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "phpfpm.h"

#define PHP_INI_DROPIN "99-memprov.ini"

void phpfpm_line_id(const struct php_fpm *f, const char *pool, char buf[static 80])
{
        budget_pool_id(f->version, pool, buf);
}

/* PHP's default memory_limit: php.ini-production and PHP's built-in default (main/main.c) are
 * both 128M, Debian's php.ini says 128M. */
#define PHP_DEFAULT_MEMORY_LIMIT (128 * MIB)

/* A pool's effective memory_limit: its own php_admin_value/php_value, else the FPM SAPI's
 * php.ini and conf.d, else PHP's default. memprov never writes one (issue 18: a lower bound
 * than the pool's or the distribution's breaks WordPress's admin pages and more). */
uint64_t phpfpm_memory_limit(const struct php_fpm *f, const struct php_pool *pool)
{
        if (pool->memory_limit.source != SOURCE_UNKNOWN && pool->memory_limit.value > 0)
                return pool->memory_limit.value;
        if (f->ini_memory_limit.source != SOURCE_UNKNOWN && f->ini_memory_limit.value > 0)
                return f->ini_memory_limit.value;
        return PHP_DEFAULT_MEMORY_LIMIT;
}

/* OPcache's shared segment, one per master: the tier's size where memprov writes one, else the
 * master's effective opcache.memory_consumption, else Debian's and PHP's default (128M). */
static uint64_t opcache_size(const struct context *ctx, const struct php_fpm *f)
{
        if (tier_value(ctx, "php.opcache.memory_consumption"))
                return service_size(ctx, "php.opcache.memory_consumption", 128 * MIB);
        if (f->opcache_memory.source != SOURCE_UNKNOWN && f->opcache_memory.value > 0)
                return f->opcache_memory.value;
        return 128 * MIB;
}

/* OPcache grows, as a cache (ROLE_CACHE), from the tier's size toward php.opcache.max (PHP's and
 * Debian's default, 128M) into the RAM the model leaves free, after the buffer pool: a segment
 * that is only resident as far as scripts fill it, so room given is room used only by code. */
static void add_opcache_cache(const struct context *ctx, const struct php_fpm *f, struct budget *b,
                              int master)
{
        uint64_t size = opcache_size(ctx, f), max = service_size(ctx, "php.opcache.max", 128 * MIB);
        struct budget_line *l;
        char id[80];

        if (!tier_value(ctx, "php.opcache.memory_consumption") || max <= size)
                return;
        snprintf(id, sizeof(id), "php %s opcache", f->version[0] ? f->version : "-");
        l = budget_add(b, id, "opcache.memory_consumption", 1, 0, 1, 0, 1 * MIB);
        if (!l)
                return;
        snprintf(l->service, sizeof(l->service), "php%s OPcache (cache)", f->version);
        l->role = ROLE_CACHE;
        l->parent = master;
        l->wanted = (unsigned)((max - size) / MIB);
        l->count = 0;
}

static bool admin_value(const struct effective_value *v)
{
        return v->source == SOURCE_ADMIN && v->value > 0;
}

/* A master's line (ROLE_PHP, its children across all pools: process.max) and one ROLE_POOL line
 * per pool (its share). A child costs php.child typically and its pool's effective memory_limit
 * in a burst (an unlimited pool's at the RAM: budget_limit_cost()); the master php.base plus its
 * OPcache segment. An admin's process.max, or every
 * pool's own pm.max_children, is what runs: budgeted as the admin's. */
static int phpfpm_budget(const struct context *ctx, struct budget *b)
{
        const struct php_fpms *fpms = &ctx->services->php;

        for (size_t i = 0; i < fpms->n; i++) {
                const struct php_fpm *f = &fpms->v[i];
                struct budget_line *l;
                uint64_t limits = 0;
                unsigned admin_children = 0, admin_pools = 0;
                int master;
                char id[80];

                if (f->n_pools == 0)
                        continue;
                for (size_t j = 0; j < f->n_pools; j++) {
                        limits =
                            size_add(limits, budget_limit_cost(phpfpm_memory_limit(f, &f->pools[j]),
                                                               b->ram));
                        if (admin_value(&f->pools[j].max_children)) {
                                admin_pools++;
                                admin_children += (unsigned)f->pools[j].max_children.value;
                        }
                }
                snprintf(id, sizeof(id), "php %s", f->version[0] ? f->version : "-");
                l = budget_add(b, id, "process.max", 1, service_uint(ctx, "php.min_children", 2), 1,
                               service_size(ctx, "php.base", 24 * MIB) + opcache_size(ctx, f),
                               service_size(ctx, "php.child", 28 * MIB));
                if (!l)
                        return 0;
                master = (int)(l - b->lines);
                l->floor = service_uint(ctx, "php.min_children", 2);
                snprintf(l->service, sizeof(l->service), "php%s-fpm", f->version);
                l->role = ROLE_PHP;
                l->weight = (unsigned)f->n_pools;
                l->burst = limits / f->n_pools;
                /* php.max_children in /etc/memprov: the admin's cap on a master's children. */
                if (tier_value(ctx, "php.max_children")) {
                        l->bound = BOUND_CONFIG;
                        l->wanted = MAX(service_uint(ctx, "php.max_children", 1), 1u);
                }
                if (admin_value(&f->process_max) || admin_pools == f->n_pools) {
                        l->bound = BOUND_ADMIN;
                        l->count = l->wanted = admin_value(&f->process_max)
                                                   ? (unsigned)f->process_max.value
                                                   : admin_children;
                }
                add_opcache_cache(ctx, f, b, master);
                for (size_t j = 0; j < f->n_pools; j++) {
                        const struct php_pool *pool = &f->pools[j];
                        phpfpm_line_id(f, pool->name, id);
                        l = budget_add(b, id, "pm.max_children", 1, 1, 1, 0, 0);
                        if (!l)
                                return 0;
                        snprintf(l->service, sizeof(l->service), "php%s [%s]",
                                 f->version[0] ? f->version : "-fpm", pool->name);
                        l->role = ROLE_POOL;
                        l->parent = master;
                        if (admin_value(&pool->max_children)) {
                                l->bound = BOUND_ADMIN;
                                l->count = l->wanted = (unsigned)pool->max_children.value;
                        }
                }
        }
        return 0;
}

/* pm = dynamic needs min_spare <= start <= max_spare <= max_children. */
static void print_dynamic(FILE *f, const struct context *ctx, unsigned children)
{
        unsigned max_spare = MIN(service_uint(ctx, "php.max_spare_servers", 3), children);
        unsigned min_spare = MIN(service_uint(ctx, "php.min_spare_servers", 1), max_spare);
        unsigned start =
            service_uint(ctx, "php.start_servers", min_spare + (max_spare - min_spare) / 2);

        start = MAX(MIN(start, max_spare), min_spare);
        fprintf(f, "pm.start_servers = %u\npm.min_spare_servers = %u\npm.max_spare_servers = %u\n",
                start, min_spare, max_spare);
}

/*
 * --rerun reloads PHP-FPM (USR2, Debian's ExecReload): the master sends its children SIGQUIT
 * and SIGTERM process_control_timeout seconds later (php-src fpm_process_ctl.c,
 * fpm_pctl_action_next), default 0 (php.net, FPM configuration; Debian's php-fpm.conf leaves it
 * commented). So at 0 a request running at the reload is cut: measured with php-fpm 8.2, a
 * 1.5 s request across a USR2 got a reset (cgi-fcgi exit 104), with 10s it was answered; an
 * Apache in front answers 503 (1 of 1583 requests in trixie's scenario 5). A [global] section
 * in the pool drop-in sets it: php-fpm.conf includes pool.d from [global]. Idle children exit at
 * once, so a reload waits only for requests in flight.
 */
static void print_global(FILE *f, const struct context *ctx, const struct php_fpm *fpm,
                         const struct budget *b)
{
        const char *timeout =
            config_str(ctx->config, "services", "php.process_control_timeout", NULL);
        const struct budget_line *master;
        char id[80];

        snprintf(id, sizeof(id), "php %s", fpm->version[0] ? fpm->version : "-");
        master = budget_find(b, id);
        /* One cap across the master's pools (php-fpm.conf: "control the global number of
         * processes when using dynamic PM within a lot of pools"); an admin's own process.max
         * in php-fpm.conf is left to win. */
        if (!timeout && (!master || master->bound == BOUND_ADMIN))
                return;
        fprintf(f, "[global]\n");
        if (timeout)
                fprintf(f, "process_control_timeout = %s\n", timeout);
        if (master && master->bound != BOUND_ADMIN)
                fprintf(f, "process.max = %u\n", master->count);
        fprintf(f, "\n");
}

/*
 * nginx's back-pressure (issue 23, modules/nginx.c): for a pool nginx sends requests to, the
 * listen queue holds about what the pool's children serve within the wait (nginx_wait_ms():
 * php_wait_ms(), the policy Apache's acquire follows too, or an admin's nginx.fastcgi_wait), so a
 * request that would wait longer is refused at once (a full unix socket queue answers nginx's
 * connect with EAGAIN: 502) instead of queueing behind PHP-FPM's default of 511 for up to
 * fastcgi_read_timeout. backlog = children x wait / page time (the pool's children, at most its
 * master's process.max: PHP-FPM forks no more over all its pools); [model] php.page_ms is the time
 * of one page on the machine's vCPU (issue 23: 0.1-0.3 s for a WordPress page on a real vCPU, 2-3 s
 * under qemu TCG; a guess where not measured on the machine). Linux admits backlog + 1
 * (unix_recvq_full()). A request admitted to the queue holds no PHP memory: the children cap that,
 * not the queue.
 */
static void print_nginx_backlog(FILE *f, const struct context *ctx, const struct php_pool *pool,
                                const struct budget *b, const struct budget_line *l)
{
        const struct nginx_server *n = &ctx->services->nginx;
        unsigned page_ms = b->model.page_ms, wait_ms = nginx_wait_ms(ctx), children;
        uint64_t backlog;

        /* Only an enabled nginx sends requests: Apache in front of the same pool (nginx
         * installed, not enabled) waits for a child through proxy_fcgi's acquire instead. */
        if (!n->enabled || !n->fastcgi_known || wait_ms == 0 || !l || page_ms == 0 ||
            !nginx_uses_listen(n, pool->listen))
                return;
        /* The children that can run: the pool's, at most its master's process.max. */
        children = l->parent >= 0 ? MIN(l->count, b->lines[l->parent].count) : l->count;
        backlog = ((uint64_t)children * wait_ms + page_ms - 1) / page_ms;
        /* 4096: net.core.somaxconn's default (Linux 5.4+), which caps listen()'s backlog. */
        fprintf(f, "listen.backlog = %" PRIu64 "\n", MIN(MAX(backlog, 1), 4096));
}

static char *pool_body(const struct context *ctx, const struct php_fpm *fpm, const struct budget *b)
{
        const char *pm = tier_value(ctx, "php.pm") ?: "ondemand";
        const char *max_requests = tier_value(ctx, "php.max_requests");
        const char *idle = tier_value(ctx, "php.process_idle_timeout");
        const char *terminate = tier_value(ctx, "php.request_terminate_timeout");
        _cleanup_free_ char *body = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&body, &size);

        if (!f)
                abort();
        print_global(f, ctx, fpm, b);
        for (size_t i = 0; i < fpm->n_pools; i++) {
                const struct budget_line *l;
                char id[80];

                phpfpm_line_id(fpm, fpm->pools[i].name, id);
                l = budget_find(b, id);
                fprintf(f, "%s[%s]\npm = %s\n", i ? "\n" : "", fpm->pools[i].name, pm);
                /* The pool's own pm.max_children (the admin's) wins; budgeted as it is. */
                if (!l || l->bound != BOUND_ADMIN)
                        fprintf(f, "pm.max_children = %u\n", l ? l->count : 5);
                if (streq(pm, "dynamic"))
                        print_dynamic(f, ctx, l ? l->count : 5);
                if (max_requests)
                        fprintf(f, "pm.max_requests = %s\n", max_requests);
                if (idle && streq(pm, "ondemand"))
                        fprintf(f, "pm.process_idle_timeout = %s\n", idle);
                /* A wall-clock bound per request at the small tiers (issue 18, item 5): with a
                 * few children, a few stuck requests hold them all. php-fpm's pool
                 * documentation (www.conf): "The timeout for serving a single request after
                 * which the worker process will be killed. This option should be used when the
                 * 'max_execution_time' ini option does not stop script execution"; PHP's manual
                 * (set_time_limit) says max_execution_time leaves out time spent outside the
                 * script: database queries, stream operations, system calls. */
                if (terminate)
                        fprintf(f, "request_terminate_timeout = %s\n", terminate);
                print_nginx_backlog(f, ctx, &fpm->pools[i], b, l);
        }
        fclose(f);
        return managed_file(";", "%s", body);
}

/*
 * OPcache's size. opcache.memory_consumption is PHP_INI_SYSTEM and sizes the shared memory the
 * FPM master maps at startup, before any pool exists: a pool's php_admin_value cannot change it,
 * so it goes into an ini file the master reads (the FPM SAPI's conf.d on Debian, /etc/php.d on
 * EL). Its unit is megabytes.
 */
static void plan_opcache(const struct context *ctx, struct plan *p, const struct php_fpm *fpm,
                         const struct budget *b)
{
        const struct budget_line *grown;
        char id[80];
        _cleanup_free_ char *dir = fpm->version[0]
                                       ? xasprintf("/etc/php/%s/fpm/conf.d", fpm->version)
                                       : xstrdup("/etc/php.d");
        _cleanup_free_ char *path = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        struct action *a;

        if (!tier_value(ctx, "php.opcache.memory_consumption"))
                return;
        /* Found as PHP's scan of conf.d finds it, through an admin's symbolic link too (then
         * init/preflight.c leaves the file and says why; issue 21 item 9). */
        if (chase_opendir(ctx->rootfd, dir, &d) < 0) {
                plan_note(p, "PHP-FPM %s: no %s; OPcache left at its size", fpm->version, dir);
                return;
        }
        snprintf(id, sizeof(id), "php %s opcache", fpm->version[0] ? fpm->version : "-");
        grown = budget_find(b, id);
        path = xasprintf("%s/%s", dir, PHP_INI_DROPIN);
        a = plan_add_file(
            p, "phpfpm", path, 0644,
            managed_file(";", "opcache.memory_consumption = %llu\n",
                         (unsigned long long)((opcache_size(ctx, fpm) +
                                               (grown ? (uint64_t)grown->count * grown->each : 0)) /
                                              MIB)));
        a->note = xstrdup("opcache");
}

/* A pool without a memory_limit (-1) is costed at the RAM in the burst bound
 * (budget_limit_cost()): the plan says so, since it costs the master children. */
static void note_unlimited(struct plan *p, const struct php_fpm *f)
{
        for (size_t j = 0; j < f->n_pools; j++)
                if (phpfpm_memory_limit(f, &f->pools[j]) == PHP_UNLIMITED)
                        plan_note(p,
                                  "php %s pool %s: memory_limit -1 (unlimited): the burst bound "
                                  "counts each of its children at the RAM; a memory_limit would "
                                  "allow the master more children",
                                  f->version, f->pools[j].name);
}

static int phpfpm_plan(const struct context *ctx, struct plan *p)
{
        const struct php_fpms *fpms = &ctx->services->php;
        struct budget b;
        int r;

        if (fpms->n == 0)
                return 0;
        if (!service_sizing_enabled(ctx))
                return 0;
        r = budget_compute(ctx, &b);
        if (r < 0)
                return r;
        for (size_t i = 0; i < fpms->n; i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", fpms->v[i].pool_dir, PHPFPM_DROPIN);
                struct action *a =
                    plan_add_file(p, "phpfpm", path, 0644, pool_body(ctx, &fpms->v[i], &b));
                if (root_check_writable_path(ctx->rootfd, path) == -ELOOP) {
                        /* pool.d a symbolic link (an admin's layout): PHP-FPM's include= glob
                         * follows it; memprov writes through no link it did not make, and the
                         * rest of the run goes on (issue 21 item 9). */
                        a->skip = true;
                        a->note = xasprintf("%s is reached through a symbolic link: left alone, "
                                            "PHP-FPM keeps its own pool sizes",
                                            fpms->v[i].pool_dir);
                } else {
                        a->note = xasprintf("%zu pool%s", fpms->v[i].n_pools,
                                            fpms->v[i].n_pools == 1 ? "" : "s");
                        phpfpm_plan_live(ctx, p, a, fpms->v[i].unit);
                }
                plan_opcache(ctx, p, &fpms->v[i], &b);
                note_unlimited(p, &fpms->v[i]);
        }
        return 0;
}

static int check_pm(const char *v)
{
        return streq(v, "ondemand") || streq(v, "dynamic") || streq(v, "static") ? 0 : -EINVAL;
}

/* PHP-FPM's time values: a number with an optional s, m, h or d. */
static int check_fpm_time(const char *v)
{
        size_t digits = strspn(v, "0123456789");

        if (digits == 0 || digits > 9)
                return -EINVAL;
        return v[digits] == '\0' || (strchr("smhd", v[digits]) && v[digits + 1] == '\0') ? 0
                                                                                         : -EINVAL;
}

/* OPcache takes whole megabytes, at least 8 (it raises smaller values to 8). */
static int check_opcache_size(const char *v)
{
        uint64_t n;

        return parse_size(v, &n) == 0 && n % MIB == 0 && n >= 8 * MIB ? 0 : -EINVAL;
}

static const struct config_key phpfpm_keys[] = {
    {"tier", "php.pm", check_pm},
    {"tier", "php.start_servers", check_uint},
    {"tier", "php.min_spare_servers", check_uint},
    {"tier", "php.max_spare_servers", check_uint},
    {"tier", "php.max_requests", check_uint},
    {"tier", "php.process_idle_timeout", check_fpm_time},
    {"tier", "php.request_terminate_timeout", check_fpm_time},
    {"tier", "php.max_children", check_uint},
    {"tier", "php.opcache.memory_consumption", check_opcache_size},
    {"services", "php.process_control_timeout", check_fpm_time},
    {0},
};

const struct module phpfpm_module = {
    .name = "phpfpm",
    .keys = phpfpm_keys,
    .plan = phpfpm_plan,
    .detect = phpfpm_detect,
    .budget = phpfpm_budget,
};
