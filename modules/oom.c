/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd drop-ins that tell the OOM killer whom to spare (sshd, then the database) and whom to
 * take first (PHP-FPM and web workers), restart what it killed, and cap PHP-FPM and the web
 * server at their budget with MemoryHigh=.
 */
#include <inttypes.h>
#include <limits.h>
#include <sys/stat.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "oom.h"

#define DROPIN_NAME "50-memprov.conf"

enum role { ROLE_SSH, ROLE_DATABASE, ROLE_WEB, ROLE_PHP };

static const char *const role_key[] = {
    [ROLE_SSH] = "ssh",
    [ROLE_DATABASE] = "database",
    [ROLE_WEB] = "web",
    [ROLE_PHP] = "php",
};

/* The unit's own file (not an alias link) in one of systemd's unit directories. */
static bool unit_installed(int rootfd, const char *unit)
{
        static const char *const dirs[] = {"/etc/systemd/system", "/usr/lib/systemd/system",
                                           "/lib/systemd/system"};

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", dirs[i], unit);
                struct stat st;
                if (root_lstat(rootfd, path, &st) == 0)
                        return S_ISREG(st.st_mode);
        }
        return false;
}

static const char *first_unit(int rootfd, const char *const *units)
{
        for (; *units; units++)
                if (unit_installed(rootfd, *units))
                        return *units;
        return NULL;
}

/* MemoryHigh= in whole MiB, rounded up; 0 to leave it out. */
static uint64_t memory_high(const struct context *ctx, uint64_t budget_bytes)
{
        const char *v = config_str(ctx->config, "oom", "memory_high", "auto");
        uint64_t n = budget_bytes;

        if (streq(v, "no"))
                return 0;
        if (!streq(v, "auto") && parse_size(v, &n) < 0)
                return 0;
        return (n + MIB - 1) / MIB;
}

static void add_dropin(const struct context *ctx, struct plan *p, const char *unit, enum role r,
                       uint64_t high_mib)
{
        _cleanup_free_ char *path = xasprintf("/etc/systemd/system/%s.d/%s", unit, DROPIN_NAME);
        _cleanup_free_ char *body = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&body, &size);
        struct action *a;

        if (!f)
                abort();
        fprintf(f, "[Service]\nOOMScoreAdjust=%ld\n",
                config_int(ctx->config, "oom", role_key[r], 0));
        /* sshd restarts itself; the services exist to serve the site, so bring them back. */
        if (r != ROLE_SSH && config_bool(ctx->config, "oom", "restart", true))
                fprintf(f, "Restart=on-failure\nRestartSec=%s\n",
                        config_str(ctx->config, "oom", "restart_sec", "2s"));
        if (high_mib)
                fprintf(f, "MemoryHigh=%" PRIu64 "M\n", high_mib);
        fclose(f);
        a = plan_add_file(p, "oom", path, 0644, managed_file("#", "%s", body));
        a->note = xstrdup(role_key[r]);
}

static uint64_t php_version_total(const struct budget *b, const struct php_fpm *f)
{
        char prefix[80];
        uint64_t sum = 0;

        snprintf(prefix, sizeof(prefix), "php %s", f->version[0] ? f->version : "-");
        for (size_t i = 0; i < b->n_lines; i++)
                if (streq(b->lines[i].id, prefix) ||
                    (startswith(b->lines[i].id, prefix) && b->lines[i].id[strlen(prefix)] == ' '))
                        sum += budget_line_total(&b->lines[i]);
        return sum;
}

static int oom_plan(const struct context *ctx, struct plan *p)
{
        static const char *const ssh[] = {"ssh.service", "sshd.service", NULL};
        static const char *const database[] = {"mariadb.service", "mysql.service", "mysqld.service",
                                               NULL};
        static const char *const web[] = {"apache2.service", "httpd.service", NULL};
        const struct php_fpms *fpms = &ctx->services->php;
        const struct budget_line *apache;
        struct budget b;
        size_t before = p->n_actions;
        const char *unit;
        int r;

        if (!config_bool(ctx->config, "oom", "enabled", true))
                return 0;
        r = budget_compute(ctx, &b);
        if (r < 0)
                return r;
        if ((unit = first_unit(ctx->rootfd, ssh)))
                add_dropin(ctx, p, unit, ROLE_SSH, 0);
        if ((unit = first_unit(ctx->rootfd, database)))
                add_dropin(ctx, p, unit, ROLE_DATABASE, 0);
        if ((unit = first_unit(ctx->rootfd, web))) {
                apache = budget_find(&b, "apache");
                add_dropin(ctx, p, unit, ROLE_WEB,
                           apache ? memory_high(ctx, budget_line_total(apache)) : 0);
        }
        for (size_t i = 0; i < fpms->n; i++)
                if (unit_installed(ctx->rootfd, fpms->v[i].unit))
                        add_dropin(ctx, p, fpms->v[i].unit, ROLE_PHP,
                                   memory_high(ctx, php_version_total(&b, &fpms->v[i])));
        if (p->n_actions > before && ctx->facts->systemd_running)
                plan_add(p, ACTION_DAEMON_RELOAD, "oom");
        return 0;
}

static int check_oom_score(const char *v)
{
        long n;

        return parse_decimal(v, &n) < 0 || n < -1000 || n > 1000 ? -EINVAL : 0;
}

/* systemd time spans as memprov writes them: a number with an optional ms, s or min. */
static int check_restart_sec(const char *v)
{
        size_t digits = strspn(v, "0123456789");
        const char *unit = v + digits;

        if (digits == 0 || digits > 6)
                return -EINVAL;
        return !*unit || streq(unit, "ms") || streq(unit, "s") || streq(unit, "min") ? 0 : -EINVAL;
}

static int check_memory_high(const char *v)
{
        return streq(v, "auto") || streq(v, "no") ? 0 : check_size(v);
}

static const struct config_key oom_keys[] = {
    {"oom", "enabled", check_bool},
    {"oom", "ssh", check_oom_score},
    {"oom", "database", check_oom_score},
    {"oom", "web", check_oom_score},
    {"oom", "php", check_oom_score},
    {"oom", "restart", check_bool},
    {"oom", "restart_sec", check_restart_sec},
    {"oom", "memory_high", check_memory_high},
    {0},
};

const struct module oom_module = {
    .name = "oom",
    .keys = oom_keys,
    .plan = oom_plan,
};
