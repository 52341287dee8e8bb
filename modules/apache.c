/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <sys/stat.h>

#include "../lib/chase.h"
#include "../lib/fsutil.h"
#include "../lib/iniread.h"
#include "../lib/live.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "apache.h"

#define DEBIAN_CONF      "/etc/apache2/conf-available/memprov.conf"
#define DEBIAN_CONF_LINK "/etc/apache2/conf-enabled/memprov.conf"
#define EL_CONF          "/etc/httpd/conf.d/memprov.conf"

static char *mpm_key(enum mpm m, const char *directive)
{
        return xasprintf("apache.%s.%s", mpm_name(m), directive);
}

static unsigned mpm_uint(const struct context *ctx, enum mpm m, const char *directive, unsigned def)
{
        _cleanup_free_ char *key = mpm_key(m, directive);

        return service_uint(ctx, key, def);
}

/* Threads per child process: 1 for prefork. */
static unsigned threads_per_child(const struct context *ctx, enum mpm m)
{
        return m == MPM_PREFORK ? 1 : MAX(mpm_uint(ctx, m, "ThreadsPerChild", 25), 1u);
}

/* Scoreboard slots beyond MaxRequestWorkers/ThreadsPerChild, for children finishing gracefully
 * (a reload by logrotate, or children retiring after MaxConnectionsPerChild) while new ones
 * serve. Apache's event documentation ("Graceful process termination and Scoreboard usage",
 * mod/event.html, 2.4.24+): ServerLimit counts processes in graceful close too; without spare
 * slots the scoreboard fills: AH00485 "scoreboard is full, not at MaxRequestWorkers". Worker
 * fills its scoreboard the same way on a graceful restart, and a prefork child that finishes
 * its request after a graceful restart keeps its slot until it exits. A slot is a few hundred
 * bytes of the scoreboard's shared memory, not a process (issue 18): a whole generation of
 * headroom at every tier, whatever the budget; the processes in it are the ones already counted. */
static unsigned graceful_headroom(const struct context *ctx, enum mpm m, unsigned workers)
{
        return MAX(workers / threads_per_child(ctx, m), 1u);
}

/* mod_php's child: a prefork child that is a PHP process (measured: 26.1M PSS serving
 * WordPress at 1G, conf.d/20-services.conf), and in a burst that child plus its heap at the
 * apache2 SAPI's effective memory_limit (PHP's 128M where it is not read; -1, unlimited, is
 * PHP_UNLIMITED and counts at the RAM: budget_limit_cost(), budget_burst_child()). */
static uint64_t mod_php_limit(const struct web_server *w)
{
        const struct effective_value *v = &w->mod_php_memory_limit;

        return v->source != SOURCE_UNKNOWN && v->value > 0 ? v->value : 128 * MIB;
}

/* mod_php's OPcache segment, made by Apache's parent and shared by its children. */
static uint64_t mod_php_shared(const struct context *ctx, const struct web_server *w)
{
        return w->mod_php ? service_size(ctx, "php.opcache.memory_consumption", 128 * MIB) : 0;
}

/* Without mod_php MaxRequestWorkers is the tier's (threads and processes that proxy to PHP-FPM
 * cost little: measured in conf.d). With mod_php every child is a PHP process: the model sizes
 * MaxRequestWorkers as it sizes a PHP-FPM master's children (ROLE_PHP). Only where its unit is
 * enabled, as for nginx (unit_enabled()): an Apache that is installed but not enabled (a LEMP
 * image with apache2 pulled in, or switched off for nginx) starts no process at boot. */
static int apache_budget(const struct context *ctx, struct budget *b)
{
        const struct web_server *w = &ctx->services->web;
        struct budget_line *l;
        unsigned tpc;
        uint64_t each;

        if (!w->installed || !w->enabled || w->mpm == MPM_UNKNOWN)
                return 0;
        tpc = threads_per_child(ctx, w->mpm);
        each = w->mpm == MPM_PREFORK ? service_size(ctx, "apache.prefork.child", 8 * MIB)
                                     : service_size(ctx, "apache.thread", 512 * KIB) +
                                           service_size(ctx, "apache.process", 6 * MIB) / tpc;
        l = budget_add(b, "apache", "MaxRequestWorkers",
                       mpm_uint(ctx, w->mpm, "MaxRequestWorkers", 150),
                       service_uint(ctx, "apache.min_workers", 10), tpc,
                       service_size(ctx, "apache.base", 8 * MIB) + mod_php_shared(ctx, w), each);
        if (!l)
                return 0;
        snprintf(l->service, sizeof(l->service), "%s %s", w->debian ? "apache2" : "httpd",
                 mpm_name(w->mpm));
        if (w->mod_php) {
                l->role = ROLE_PHP;
                l->weight = 1;
                l->each = each + service_size(ctx, "php.child", 28 * MIB);
                l->burst = budget_limit_cost(mod_php_limit(w), b->ram);
                l->floor = MAX(service_uint(ctx, "php.min_children", 2) / tpc * tpc, tpc);
        }
        return 0;
}

/* The directives memprov writes for each MPM, in file order, besides ServerLimit. */
static const char *const mpm_directives[][8] = {
    [MPM_PREFORK] = {"StartServers", "MinSpareServers", "MaxSpareServers", "MaxRequestWorkers",
                     "MaxConnectionsPerChild"},
    [MPM_WORKER] = {"StartServers", "MinSpareThreads", "MaxSpareThreads", "ThreadLimit",
                    "ThreadsPerChild", "MaxRequestWorkers", "MaxConnectionsPerChild"},
    [MPM_EVENT] = {"StartServers", "MinSpareThreads", "MaxSpareThreads", "ThreadLimit",
                   "ThreadsPerChild", "MaxRequestWorkers", "MaxConnectionsPerChild"},
};

static void print_mpm_block(FILE *f, const struct context *ctx, enum mpm m, unsigned workers,
                            unsigned headroom)
{
        unsigned tpc = threads_per_child(ctx, m);

        fprintf(f, "<IfModule mpm_%s_module>\n", mpm_name(m));
        /* Scoreboard slots: one per process serving MaxRequestWorkers, plus the graceful ones. */
        fprintf(f, "    ServerLimit %u\n", workers / tpc + headroom);
        for (const char *const *d = mpm_directives[m]; *d; d++) {
                _cleanup_free_ char *key = mpm_key(m, *d);
                const char *v = tier_value(ctx, key);
                unsigned n;
                if (streq(*d, "MaxRequestWorkers"))
                        n = workers;
                else if (streq(*d, "ThreadLimit"))
                        n = MAX(mpm_uint(ctx, m, *d, 64), tpc);
                else if (streq(*d, "ThreadsPerChild"))
                        n = tpc;
                else if (v)
                        n = (unsigned)atoi(v);
                else
                        continue;
                fprintf(f, "    %-22s %u\n", *d, n);
        }
        fprintf(f, "</IfModule>\n");
}

static char *conf_body(const struct context *ctx, enum mpm m, unsigned workers, unsigned headroom,
                       const struct backpressure *bp)
{
        _cleanup_free_ char *body = NULL;
        const char *keepalive = tier_value(ctx, "apache.KeepAlive");
        const char *timeout = tier_value(ctx, "apache.KeepAliveTimeout");
        size_t size = 0;
        FILE *f = open_memstream(&body, &size);
        bool on;

        if (!f)
                abort();
        if (keepalive && parse_bool(keepalive, &on) == 0)
                fprintf(f, "KeepAlive %s\n", on ? "On" : "Off");
        if (timeout)
                fprintf(f, "KeepAliveTimeout %s\n", timeout);
        print_mpm_block(f, ctx, m, workers, headroom);
        apache_print_backpressure(f, bp);
        fclose(f);
        return managed_file("#", "%s", body);
}

/* A directive's value in memprov's own file ("    ServerLimit 8"), or 0. */
static unsigned conf_value(const char *conf, const char *directive)
{
        size_t n = strlen(directive);

        for (const char *l = conf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                l += strspn(l, " \t");
                if (strncmp(l, directive, n) == 0 && (l[n] == ' ' || l[n] == '\t'))
                        return (unsigned)strtoul(l + n, NULL, 10);
        }
        return 0;
}

/* After --rerun: a graceful reload makes the new file live, except ServerLimit and
 * ThreadLimit, which Apache reads only at a full start (mpm_common docs: changes during a
 * restart are ignored); those are named, or restarted for with --restart-services. */
static void apache_plan_live(const struct context *ctx, struct plan *p, const struct action *file)
{
        const char *unit = ctx->services->web.debian ? "apache2.service" : "httpd.service";
        _cleanup_free_ char *old = NULL;
        struct action *a;
        bool limits;

        if (!live_wanted(ctx) || !live_file_changes(ctx, file, &old))
                return;
        limits = conf_value(old, "ServerLimit") != conf_value(file->content, "ServerLimit") ||
                 conf_value(old, "ThreadLimit") != conf_value(file->content, "ThreadLimit");
        if (limits && live_restart_wanted(ctx)) {
                live_plan_unit(p, "apache", file, unit, UNIT_RESTART)->note =
                    xstrdup("ServerLimit/ThreadLimit changed");
                return;
        }
        a = live_plan_unit(p, "apache", file, unit, UNIT_RELOAD);
        a->note = xstrdup("graceful");
        if (limits)
                plan_note(p,
                          "Apache's new ServerLimit/ThreadLimit apply at its next restart "
                          "(systemctl restart %s, or memprov --rerun --restart-services)",
                          unit);
}

/* Threaded MPMs take MaxRequestWorkers in whole processes: httpd itself decreases it to a
 * multiple of ThreadsPerChild (worker.c and event.c, AH00316/AH00317 "is not an integer multiple
 * of ThreadsPerChild, decreasing to nearest multiple"), so memprov writes that multiple and says
 * so when it is below the tier's value for no other reason. */
static void note_rounding(const struct context *ctx, struct plan *p, enum mpm m, unsigned workers)
{
        unsigned wanted = mpm_uint(ctx, m, "MaxRequestWorkers", 150),
                 tpc = threads_per_child(ctx, m);

        if (m != MPM_PREFORK && workers < wanted && wanted - workers < tpc && workers % tpc == 0)
                plan_note(p,
                          "Apache MaxRequestWorkers %u rounded down to %u, a multiple of "
                          "ThreadsPerChild %u (whole processes, as httpd would round it)",
                          wanted, workers, tpc);
}

/*
 * mod_php: PHP runs inside Apache's children, so PHP-FPM's pool settings (pm.max_children,
 * process.max) do not bound it; MaxRequestWorkers does, sized by the model as PHP processes
 * (apache_budget()). memprov leaves the apache2 SAPI's memory_limit alone (issue 18: never below
 * the distribution's); on Debian it writes the tier's OPcache size into
 * /etc/php/X.Y/apache2/conf.d, as it does for PHP-FPM.
 */
static void plan_mod_php(const struct context *ctx, struct plan *p, const struct web_server *w)
{
        _cleanup_free_ char *dir = NULL, *path = NULL;
        const char *opcache = tier_value(ctx, "php.opcache.memory_consumption");
        _cleanup_(closedirp) DIR *d = NULL;
        uint64_t n;

        plan_note(p,
                  "Apache loads mod_php (mpm %s): PHP runs in Apache's children, each costed as a "
                  "PHP process; PHP-FPM's pool settings do not apply to it",
                  mpm_name(w->mpm));
        if (w->mod_php_memory_limit.source != SOURCE_UNKNOWN &&
            w->mod_php_memory_limit.value == PHP_UNLIMITED)
                plan_note(
                    p, "apache: mod_php's memory_limit is -1 (unlimited): the burst bound counts "
                       "each child at the RAM; a memory_limit would allow more children");
        if (!w->mod_php_version[0] || !opcache || parse_size(opcache, &n) < 0)
                return;
        dir = xasprintf("/etc/php/%s/apache2/conf.d", w->mod_php_version);
        /* Found as PHP's scan finds it, through an admin's symbolic link too (init/preflight.c
         * then leaves the file and says why; issue 21 item 9). */
        if (chase_opendir(ctx->rootfd, dir, &d) < 0)
                return;
        path = xasprintf("%s/99-memprov.ini", dir);
        plan_add_file(
            p, "apache", path, 0644,
            managed_file(";", "opcache.memory_consumption = %llu\n", (unsigned long long)(n / MIB)))
            ->note = xstrdup("mod_php");
}

static int apache_plan(const struct context *ctx, struct plan *p)
{
        const struct web_server *w = &ctx->services->web;
        struct backpressure bp;
        struct budget b;
        struct action *a;
        unsigned workers;
        int r;

        if (!w->installed)
                return 0;
        if (!service_sizing_enabled(ctx))
                return 0;
        /* Not budgeted (apache_budget()), so not sized either: MaxRequestWorkers from a budget
         * without Apache in it would overcommit once it is enabled. A file an earlier run wrote
         * while it was enabled is removed as any file memprov no longer plans. */
        if (!w->enabled) {
                plan_note(p,
                          "Apache is installed but %s is not enabled: not budgeted nor sized "
                          "(after systemctl enable %s: memprov --rerun)",
                          w->debian ? "apache2.service" : "httpd.service",
                          w->debian ? "apache2" : "httpd");
                return 0;
        }
        if (w->mpm == MPM_UNKNOWN) {
                plan_note(p, "Apache is installed but no MPM is enabled; left alone");
                return 0;
        }
        r = budget_compute(ctx, &b);
        if (r < 0)
                return r;
        if (w->mod_php)
                plan_mod_php(ctx, p, w);
        workers = budget_count(&b, "apache", 50);
        r = apache_backpressure(ctx, w->mpm, workers, threads_per_child(ctx, w->mpm), &b, &bp);
        if (r < 0)
                return r;
        a = plan_add_file(
            p, "apache", w->debian ? DEBIAN_CONF : EL_CONF, 0644,
            conf_body(ctx, w->mpm, workers, graceful_headroom(ctx, w->mpm, workers), &bp));
        a->note = xasprintf("mpm %s", mpm_name(w->mpm));
        apache_plan_live(ctx, p, a);
        note_rounding(ctx, p, w->mpm, workers);
        if (!w->mod_php)
                apache_note_backpressure(p, &bp);
        if (w->debian) {
                /* What a2enconf memprov does. */
                a = plan_add(p, ACTION_SYMLINK, "apache");
                a->path = xstrdup(DEBIAN_CONF_LINK);
                a->target = xstrdup("../conf-available/memprov.conf");
        }
        return 0;
}

#define MPM_KEY(mpm, d)                                                                            \
        {                                                                                          \
                "tier", "apache." mpm "." d, check_uint                                            \
        }
static const struct config_key apache_keys[] = {
    {"tier", "apache.KeepAlive", check_bool},
    {"tier", "apache.KeepAliveTimeout", check_uint},
    {"tier", "apache.proxy_fcgi.acquire", check_uint},
    {"services", "apache.proxy_fcgi.target_latency_ms", check_uint},
    {"services", "apache.proxy_fcgi.page_time_ms", check_uint},
    MPM_KEY("prefork", "StartServers"),
    MPM_KEY("prefork", "MinSpareServers"),
    MPM_KEY("prefork", "MaxSpareServers"),
    MPM_KEY("prefork", "MaxRequestWorkers"),
    MPM_KEY("prefork", "MaxConnectionsPerChild"),
    MPM_KEY("worker", "StartServers"),
    MPM_KEY("worker", "MinSpareThreads"),
    MPM_KEY("worker", "MaxSpareThreads"),
    MPM_KEY("worker", "ThreadLimit"),
    MPM_KEY("worker", "ThreadsPerChild"),
    MPM_KEY("worker", "MaxRequestWorkers"),
    MPM_KEY("worker", "MaxConnectionsPerChild"),
    MPM_KEY("event", "StartServers"),
    MPM_KEY("event", "MinSpareThreads"),
    MPM_KEY("event", "MaxSpareThreads"),
    MPM_KEY("event", "ThreadLimit"),
    MPM_KEY("event", "ThreadsPerChild"),
    MPM_KEY("event", "MaxRequestWorkers"),
    MPM_KEY("event", "MaxConnectionsPerChild"),
    {0},
};

const struct module apache_module = {
    .name = "apache",
    .keys = apache_keys,
    .plan = apache_plan,
    .detect = apache_detect,
    .budget = apache_budget,
};
