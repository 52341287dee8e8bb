/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd drop-ins that tell the OOM killer whom to spare (the database) and whom to take first
 * (PHP-FPM and web workers), keep a service running when the OOM killer takes one of its
 * children (OOMPolicy=continue), restart a service the OOM killer took (Restart=on-abnormal,
 * only where the packaged unit would not), and contain PHP (PHP-FPM, or Apache under mod_php)
 * with MemoryHigh=/MemoryMax= from the sizing model. sshd gets nothing unless asked: it protects
 * its own listener.
 */
#include <inttypes.h>
#include <limits.h>
#include <ini.h>
#include <sys/stat.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "oom.h"

#define DROPIN_NAME "50-memprov.conf"

enum oom_role { OOM_SSH, OOM_DATABASE, OOM_WEB, OOM_PHP };

static const char *const role_key[] = {
    [OOM_SSH] = "ssh",
    [OOM_DATABASE] = "database",
    [OOM_WEB] = "web",
    [OOM_PHP] = "php",
};

/* memory_high and memory_max: auto (the model's), no, or a size in bytes. */
#define OOM_LIMIT_AUTO UINT64_MAX

/* The [oom] keys, parsed once per plan (oom_settings) from OOM_KEYS' table. */
struct oom_settings {
        bool enabled;
        const char *score[4]; /* OOMScoreAdjust by enum oom_role, NULL: none written */
        bool restart;
        const char *restart_sec;          /* NULL: the packaged or systemd's RestartSec= */
        uint64_t memory_high, memory_max; /* OOM_LIMIT_AUTO, 0 for no, or bytes */
};
static int oom_settings(const struct config *config, struct oom_settings *ret);

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

/* A cgroup's memory limits, in whole MiB (0: none). */
struct limits {
        uint64_t high_mib, max_mib;
};

/* A limit setting (the model's when auto), in MiB, rounded up; 0: none. */
static uint64_t limit_mib(uint64_t setting, uint64_t model_bytes)
{
        uint64_t n = setting == OOM_LIMIT_AUTO ? model_bytes : setting;

        return (n + MIB - 1) / MIB;
}

/* A cache charged to a PHP cgroup (its master's OPcache growth): of master, or of any when NULL. */
static bool php_cache(const struct budget *b, const struct budget_line *c,
                      const struct budget_line *master)
{
        if (c->role != ROLE_CACHE || c->parent < 0 || b->lines[c->parent].role != ROLE_PHP)
                return false;
        return !master || &b->lines[c->parent] == master;
}

/*
 * Containment for PHP's cgroups (issue 18, item 4): the burst bound lets a share of the children
 * run at their memory_limit, so where that goes too far the reclaim and any OOM kill must land
 * in PHP, never on the database or sshd. systemd.resource-control(5): MemoryHigh= is "the
 * throttling limit ... the processes are heavily slowed down and memory is taken away
 * aggressively" (reclaim, into the swap the burst bound counts), "the main mechanism";
 * MemoryMax= is "the absolute limit ... out-of-memory killer is invoked inside the unit", "the
 * last line of defense". From the model: MemoryMax is the RAM the rest (OS reserve, database,
 * web server, other consumers and caches, at their typical costs) leaves, split among PHP's
 * cgroups by their typical cost; MemoryHigh is the cgroup's burst (master, children with the
 * burst share at memory_limit), kept an eighth below MemoryMax so reclaim starts first. Page
 * cache charged to the cgroup (the sites' files) is reclaimed before anything is killed.
 */
static struct limits php_limits(const struct oom_settings *set, const struct budget *b,
                                const struct budget_line *l)
{
        const struct budget_model *m = &b->model;
        uint64_t php = 0, others, room, max, burst, mine;

        if (!l || l->role != ROLE_PHP)
                return (struct limits){0};
        for (size_t i = 0; i < b->n_lines; i++)
                if (b->lines[i].role == ROLE_PHP || php_cache(b, &b->lines[i], NULL))
                        php = size_add(php, budget_line_total(&b->lines[i]));
        others = budget_total(b) - php;
        room = b->ram > others ? b->ram - others : 0;
        mine = budget_line_total(l);
        for (size_t i = 0; i < b->n_lines; i++)
                if (php_cache(b, &b->lines[i], l))
                        mine = size_add(mine, budget_line_total(&b->lines[i]));
        max = php ? room / php * mine + room % php * mine / php : 0;
        /* The burst: everything the cgroup holds, its children with the burst share at their
         * memory_limit instead of their typical cost. */
        burst = size_add(
            mine - size_mul(l->count, l->each),
            size_mul(l->count, size_add(size_mul(l->each, 100 - m->burst_percent),
                                        size_mul(budget_burst_child(l, b->ram), m->burst_percent)) /
                                   100));
        return (struct limits){
            .high_mib = limit_mib(set->memory_high, MIN(burst, max - max / 8)),
            .max_mib = limit_mib(set->memory_max, max),
        };
}

/* What the unit file systemd would load says about Restart= and OOMPolicy= (its drop-ins under
 * /usr/lib are not read: Debian and EL ship none for these services). */
struct packaged_unit {
        char restart[32];
        char oom_policy[32];
};

static int packaged_unit_handler(void *user, const char *section, const char *key,
                                 const char *value)
{
        struct packaged_unit *u = user;

        if (!streq(section, "Service"))
                return 1;
        /* The last assignment wins; an empty one resets to systemd's default, as in systemd. */
        if (streq(key, "Restart"))
                snprintf(u->restart, sizeof(u->restart), "%s", value);
        else if (streq(key, "OOMPolicy"))
                snprintf(u->oom_policy, sizeof(u->oom_policy), "%s", value);
        return 1;
}

/* /usr/lib before /lib: on merged-/usr /lib is a symlink, which the root walk refuses. */
static void packaged_unit_read(int rootfd, const char *unit, struct packaged_unit *ret)
{
        static const char *const dirs[] = {"/etc/systemd/system", "/usr/lib/systemd/system",
                                           "/lib/systemd/system"};

        *ret = (struct packaged_unit){0};
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", dirs[i], unit), *text = NULL;
                size_t size;
                if (root_read_file(rootfd, path, &text, &size) < 0)
                        continue;
                /* inih reports a line it could not parse, and keeps going: what it read stands. */
                (void)ini_parse_string(text, packaged_unit_handler, ret);
                return;
        }
}

/* Restart= values under which systemd restarts a service whose process the OOM killer took:
 * systemd's service_shall_restart() restarts on-abort only for SERVICE_FAILURE_SIGNAL and
 * _CORE_DUMP, not for SERVICE_FAILURE_OOM_KILL; on-abnormal, on-failure and always do. */
static bool restart_covers_oom_kill(const char *restart)
{
        return streq(restart, "on-abnormal") || streq(restart, "on-failure") ||
               streq(restart, "always");
}

/* One line of the drop-in, and the same words in the plan's note. */
static void dropin_line(FILE *body, FILE *why, const char *line, const char *reason)
{
        fprintf(body, "%s\n", line);
        fprintf(why, ", %s%s", line, reason);
}

static void add_dropin(const struct context *ctx, const struct oom_settings *set, struct plan *p,
                       const char *unit, enum oom_role r, struct limits lim)
{
        _cleanup_free_ char *path = xasprintf("/etc/systemd/system/%s.d/%s", unit, DROPIN_NAME);
        _cleanup_free_ char *body = NULL, *why = NULL, *line = NULL;
        const char *restart_sec = set->restart_sec, *score = set->score[r];
        struct packaged_unit u;
        size_t size = 0, why_size = 0;
        FILE *f = open_memstream(&body, &size), *w = open_memstream(&why, &why_size);
        struct action *a;

        if (!f || !w)
                abort();
        packaged_unit_read(ctx->rootfd, unit, &u);
        fputs("[Service]\n", f);
        if (score) {
                line = xasprintf("OOMScoreAdjust=%s", score);
                dropin_line(f, w, line, "");
                /* Written all the same: the file is right for the unit, the kernel refuses it. */
                if (score[0] == '-' && ctx->live &&
                    (ctx->facts->container_denies & CONTAINER_DENIES_OOM_LOWER))
                        plan_note(p,
                                  "container %s: OOMScoreAdjust=%s for %s has no effect here: "
                                  "lowering an oom_score_adj needs CAP_SYS_RESOURCE in the host's "
                                  "user namespace, and systemd ignores the refusal",
                                  ctx->facts->container, score, unit);
        }
        /* A child the OOM killer takes must not stop every pool and request in flight
         * (systemd's default OOMPolicy=stop). Debian's apache2.service already says it;
         * php8.2-fpm.service and nginx.service do not. */
        if ((r == OOM_WEB || r == OOM_PHP) && !streq(u.oom_policy, "continue"))
                dropin_line(f, w, "OOMPolicy=continue", " (a child's OOM kill keeps the service)");
        /* Restart after a signal (an OOM kill), never after a bad configuration's exit code; a
         * unit whose Restart= already covers an OOM kill keeps its own, and its RestartSec=. */
        if (r != OOM_SSH && set->restart && !restart_covers_oom_kill(u.restart)) {
                free(line);
                line = xasprintf(" (packaged: %s)", u.restart[0] ? u.restart : "none");
                dropin_line(f, w, "Restart=on-abnormal", line);
                if (restart_sec)
                        fprintf(f, "RestartSec=%s\n", restart_sec);
        }
        if (lim.high_mib) {
                free(line);
                line = xasprintf("MemoryHigh=%" PRIu64 "M", lim.high_mib);
                dropin_line(f, w, line, " (PHP's burst: reclaim lands in PHP)");
        }
        if (lim.max_mib) {
                free(line);
                line = xasprintf("MemoryMax=%" PRIu64 "M", lim.max_mib);
                dropin_line(f, w, line, " (RAM the rest leaves: an OOM kill stays in PHP)");
        }
        fclose(f);
        fclose(w);
        if (size == strlen("[Service]\n"))
                return;
        a = plan_add_file(p, "oom", path, 0644, managed_file("#", "%s", body));
        a->note = xasprintf("%s: %s", role_key[r], why_size > 2 ? why + 2 : "");
}

/* An earlier memprov wrote an OOMScoreAdjust for sshd: its removal reaches logins only once
 * sshd restarts (sshd hands its start score to every session). */
static void note_ssh_dropin_gone(const struct context *ctx, struct plan *p, const char *unit)
{
        _cleanup_free_ char *path = xasprintf("/etc/systemd/system/%s.d/%s", unit, DROPIN_NAME);

        if (config_get(ctx->state, "files", path))
                plan_note(p,
                          "%s: memprov no longer sets an OOM score for sshd; new logins start "
                          "at 0 after sshd restarts (systemctl restart %s)",
                          unit, unit);
}

static int oom_plan(const struct context *ctx, struct plan *p)
{
        static const char *const ssh[] = {"ssh.service", "sshd.service", NULL};
        static const char *const database[] = {"mariadb.service", "mysql.service", "mysqld.service",
                                               NULL};
        static const char *const web[] = {"apache2.service", "httpd.service", NULL};
        const struct php_fpms *fpms = &ctx->services->php;
        const bool mod_php = ctx->services->web.mod_php;
        struct budget b;
        char id[80];
        size_t before = p->n_actions;
        struct oom_settings set;
        const char *unit;
        int r;

        r = oom_settings(ctx->config, &set);
        if (r < 0 || !set.enabled)
                return r;
        r = budget_compute(ctx, &b);
        if (r < 0)
                return r;
        /* No OOMScoreAdjust for sshd unless asked: OpenSSH sets its own listener to -1000 and
         * gives every session the score it started with back (oom_adjust_setup() and
         * oom_adjust_restore() in openbsd-compat/port-linux.c), so a unit-wide score would
         * reach every admin's shell and command. */
        if (set.score[OOM_SSH] && (unit = first_unit(ctx->rootfd, ssh)))
                add_dropin(ctx, &set, p, unit, OOM_SSH, (struct limits){0});
        else if ((unit = first_unit(ctx->rootfd, ssh)))
                note_ssh_dropin_gone(ctx, p, unit);
        if ((unit = first_unit(ctx->rootfd, database)))
                add_dropin(ctx, &set, p, unit, OOM_DATABASE, (struct limits){0});
        /* Apache's cgroup is PHP's under mod_php only: otherwise it is charged for the page cache
         * of every file it serves, and a limit would throttle the site while RAM is free. */
        if ((unit = first_unit(ctx->rootfd, web)))
                add_dropin(ctx, &set, p, unit, OOM_WEB,
                           mod_php && service_sizing_enabled(ctx)
                               ? php_limits(&set, &b, budget_find(&b, "apache"))
                               : (struct limits){0});
        /* nginx (issue 23), beside Apache or alone: the web role's score, and Debian's and EL's
         * nginx.service set neither OOMPolicy= nor Restart=, so one OOM-killed worker would stop
         * nginx for good (OOMPolicy=stop); with continue its master starts a new worker. Written
         * where the unit is installed, enabled or not, as for Apache: enabling it later keeps it
         * protected. No memory limits: nginx's cgroup holds no PHP, only the page cache of the
         * files it serves. */
        if (ctx->services->nginx.installed && unit_installed(ctx->rootfd, "nginx.service"))
                add_dropin(ctx, &set, p, "nginx.service", OOM_WEB, (struct limits){0});
        for (size_t i = 0; i < fpms->n; i++) {
                if (!unit_installed(ctx->rootfd, fpms->v[i].unit))
                        continue;
                snprintf(id, sizeof(id), "php %s",
                         fpms->v[i].version[0] ? fpms->v[i].version : "-");
                add_dropin(ctx, &set, p, fpms->v[i].unit, OOM_PHP,
                           service_sizing_enabled(ctx) ? php_limits(&set, &b, budget_find(&b, id))
                                                       : (struct limits){0});
        }
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

static int check_memory_limit(const char *v)
{
        return streq(v, "auto") || streq(v, "no") ? 0 : check_size(v);
}

static int parse_memory_limit(const char *v, void *dst)
{
        uint64_t *ret = dst;

        if (streq(v, "auto") || streq(v, "no")) {
                *ret = streq(v, "auto") ? OOM_LIMIT_AUTO : 0;
                return 0;
        }
        return parse_size(v, ret);
}

/* Each key once: section, key, check, default, parser, field of struct oom_settings. The
 * defaults are what the plan did with no layer setting the key (no score, restart, the model's
 * limits); conf.d/20-services.conf ships the scores. */
#define OOM_KEYS(X)                                                                                \
        X("oom", "enabled", check_bool, "yes", config_parse_bool, enabled)                         \
        X("oom", "ssh", check_oom_score, NULL, config_parse_string, score[OOM_SSH])                \
        X("oom", "database", check_oom_score, NULL, config_parse_string, score[OOM_DATABASE])      \
        X("oom", "web", check_oom_score, NULL, config_parse_string, score[OOM_WEB])                \
        X("oom", "php", check_oom_score, NULL, config_parse_string, score[OOM_PHP])                \
        X("oom", "restart", check_bool, "yes", config_parse_bool, restart)                         \
        X("oom", "restart_sec", check_restart_sec, NULL, config_parse_string, restart_sec)         \
        X("oom", "memory_high", check_memory_limit, "auto", parse_memory_limit, memory_high)       \
        X("oom", "memory_max", check_memory_limit, "auto", parse_memory_limit, memory_max)
#define OOM_SETTING(...) CONFIG_SETTING_ROW(struct oom_settings, __VA_ARGS__)

static const struct config_key oom_keys[] = {OOM_KEYS(CONFIG_KEY_ROW){0}};
static const struct config_setting oom_setting_rows[] = {OOM_KEYS(OOM_SETTING){0}};

static int oom_settings(const struct config *config, struct oom_settings *ret)
{
        *ret = (struct oom_settings){0};
        return config_settings_parse(config, NULL, oom_setting_rows, ret);
}

const struct module oom_module = {
    .name = "oom",
    .keys = oom_keys,
    .plan = oom_plan,
};
