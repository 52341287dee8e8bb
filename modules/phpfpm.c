/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <sys/stat.h>

#include "../lib/fsutil.h"
#include "../lib/live.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "phpfpm.h"

#define PHP_INI_DROPIN "99-memprov.ini"

void phpfpm_line_id(const struct php_fpm *f, const char *pool, char buf[static 80])
{
        snprintf(buf, 80, "php %s %s", f->version[0] ? f->version : "-", pool);
}

/* PHP's per-request heap bound (memory_limit) and OPcache's shared memory segment: counted at
 * Debian's php.ini and OPcache defaults (128M each) when the tier does not set them. */
static uint64_t memory_limit(const struct context *ctx)
{
        return service_size(ctx, "php.memory_limit", 128 * MIB);
}

static uint64_t opcache_size(const struct context *ctx)
{
        return service_size(ctx, "php.opcache.memory_consumption", 128 * MIB);
}

static int phpfpm_budget(const struct context *ctx, struct budget *b)
{
        const struct php_fpms *fpms = &ctx->services->php;

        for (size_t i = 0; i < fpms->n; i++) {
                const struct php_fpm *f = &fpms->v[i];
                struct budget_line *l;
                char id[80];

                snprintf(id, sizeof(id), "php %s", f->version[0] ? f->version : "-");
                /* The master, once per version, with OPcache's segment (one per master, shared
                 * by its children). */
                l = budget_add(b, id, NULL, 1, 1, 1,
                               service_size(ctx, "php.base", 24 * MIB) + opcache_size(ctx), 0);
                if (l)
                        snprintf(l->service, sizeof(l->service), "php%s-fpm", f->version);
                for (size_t j = 0; j < f->n_pools; j++) {
                        phpfpm_line_id(f, f->pools[j].name, id);
                        l = budget_add(
                            b, id, "pm.max_children", service_uint(ctx, "php.max_children", 5),
                            service_uint(ctx, "php.min_children", 2), 1, 0,
                            service_size(ctx, "php.child", 32 * MIB) + memory_limit(ctx));
                        if (l)
                                snprintf(l->service, sizeof(l->service), "php%s [%s]",
                                         f->version[0] ? f->version : "-fpm", f->pools[j].name);
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
static void print_global(FILE *f, const struct context *ctx)
{
        const char *timeout =
            config_str(ctx->config, "services", "php.process_control_timeout", NULL);

        if (timeout)
                fprintf(f, "[global]\nprocess_control_timeout = %s\n\n", timeout);
}

static char *pool_body(const struct context *ctx, const struct php_fpm *fpm, const struct budget *b)
{
        const char *pm = tier_value(ctx, "php.pm") ?: "ondemand";
        const char *max_requests = tier_value(ctx, "php.max_requests");
        const char *idle = tier_value(ctx, "php.process_idle_timeout");
        _cleanup_free_ char *body = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&body, &size);

        if (!f)
                abort();
        char buf[32];

        print_global(f, ctx);
        for (size_t i = 0; i < fpm->n_pools; i++) {
                char id[80];
                unsigned children;

                phpfpm_line_id(fpm, fpm->pools[i].name, id);
                children = budget_count(b, id, 5);
                fprintf(f, "%s[%s]\npm = %s\npm.max_children = %u\n", i ? "\n" : "",
                        fpm->pools[i].name, pm, children);
                if (streq(pm, "dynamic"))
                        print_dynamic(f, ctx, children);
                if (max_requests)
                        fprintf(f, "pm.max_requests = %s\n", max_requests);
                if (idle && streq(pm, "ondemand"))
                        fprintf(f, "pm.process_idle_timeout = %s\n", idle);
                /* php_admin_value: a script's ini_set() cannot raise it (WordPress's admin
                 * pages try to, to 256M). */
                if (tier_value(ctx, "php.memory_limit"))
                        fprintf(f, "php_admin_value[memory_limit] = %s\n",
                                format_size(memory_limit(ctx), buf));
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
static void plan_opcache(const struct context *ctx, struct plan *p, const struct php_fpm *fpm)
{
        _cleanup_free_ char *dir = fpm->version[0]
                                       ? xasprintf("/etc/php/%s/fpm/conf.d", fpm->version)
                                       : xstrdup("/etc/php.d");
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        struct action *a;

        if (!tier_value(ctx, "php.opcache.memory_consumption"))
                return;
        if (root_open_dir(ctx->rootfd, dir, false, &fd) < 0) {
                plan_note(p, "PHP-FPM %s: no %s; OPcache left at its size", fpm->version, dir);
                return;
        }
        path = xasprintf("%s/%s", dir, PHP_INI_DROPIN);
        a = plan_add_file(p, "phpfpm", path, 0644,
                          managed_file(";", "opcache.memory_consumption = %llu\n",
                                       (unsigned long long)(opcache_size(ctx) / MIB)));
        a->note = xstrdup("opcache");
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
                a->note =
                    xasprintf("%zu pool%s", fpms->v[i].n_pools, fpms->v[i].n_pools == 1 ? "" : "s");
                /* After --rerun: php-fpm's reload (USR2) re-reads every pool setting. */
                if (live_wanted(ctx) && live_file_changes(ctx, a, NULL))
                        live_plan_unit(p, "phpfpm", a, fpms->v[i].unit, UNIT_RELOAD)->note =
                            xstrdup("graceful");
                plan_opcache(ctx, p, &fpms->v[i]);
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
    {"tier", "php.max_children", check_uint},
    {"tier", "php.start_servers", check_uint},
    {"tier", "php.min_spare_servers", check_uint},
    {"tier", "php.max_spare_servers", check_uint},
    {"tier", "php.max_requests", check_uint},
    {"tier", "php.process_idle_timeout", check_fpm_time},
    {"tier", "php.memory_limit", check_size},
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
