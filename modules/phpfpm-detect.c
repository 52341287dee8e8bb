/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every installed PHP-FPM master (Debian: one per version; EL: one) and its pools as php-fpm reads
 * them: php-fpm.conf's [global], then the files its include= glob names, in order (a later file
 * repeating a pool's [name] adds to that pool). Each pool's effective memory_limit follows
 * php-fpm's own rules, checked on php-fpm 8.2.36 (a pool reading ini_get("memory_limit") through
 * cgi-fcgi, tests/integration/inputs-web.sh): php_admin_value beats php_value (applied after it,
 * fpm_php_apply_defines), and among repeats of either the FIRST one in file order wins (fpm_conf.c
 * prepends each to its list and the list is applied in order, so the first is applied last;
 * 256M in www.conf beat 40M in a later zz-*.conf). Else the FPM SAPI's php.ini and conf.d, else
 * PHP's default.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "../lib/chase.h"
#include "../lib/fsutil.h"
#include "../lib/iniread.h"
#include "../lib/log.h"
#include "../lib/phpini.h"
#include "phpfpm.h"

/* What a pool's files set, before the effective values are worked out. */
struct pool_read {
        struct effective_value admin_ml, value_ml; /* the first of each */
        bool bad_ml;                               /* a memory_limit memprov cannot read */
};

struct fpm_reader {
        struct php_fpm *f;
        struct pool_read pr[PHPFPM_MAX_POOLS];
        const char *path;
        enum value_source source;
        char *include; /* php-fpm.conf's include= */
        bool warned_full;
};

static struct php_pool *pool_get(struct fpm_reader *r, const char *name, unsigned line,
                                 size_t *ret_i)
{
        struct php_fpm *f = r->f;

        for (size_t i = 0; i < f->n_pools; i++)
                if (streq(f->pools[i].name, name))
                        return *ret_i = i, &f->pools[i];
        if (strlen(name) >= sizeof(f->pools[0].name)) {
                log_warning("%s:%u: pool name longer than %zu characters; the pool is not counted",
                            r->path, line, sizeof(f->pools[0].name) - 1);
                return NULL;
        }
        if (f->n_pools == PHPFPM_MAX_POOLS) {
                if (!r->warned_full)
                        log_warning("%s:%u: more than %d pools; the pools from [%s] on are not "
                                    "counted",
                                    r->path, line, PHPFPM_MAX_POOLS, name);
                r->warned_full = true;
                return NULL;
        }
        *ret_i = f->n_pools;
        snprintf(f->pools[f->n_pools].name, sizeof(f->pools[0].name), "%s", name);
        return &f->pools[f->n_pools++];
}

static void global_item(struct fpm_reader *r, const struct ini_item *it)
{
        uint64_t v;

        if (streq(it->key, "process.max")) {
                /* The admin's wherever it is: Debian's and EL's php-fpm.conf leave it commented. */
                if (php_parse_quantity(it->value, &v) == 0 && v != PHP_UNLIMITED)
                        effective_set(&r->f->process_max, v, SOURCE_ADMIN, r->path, it->line);
                else
                        log_warning("%s:%u: process.max = %s: not a count; ignored", r->path,
                                    it->line, it->value);
        } else if (streq(it->key, "include")) {
                free(r->include);
                r->include = xstrdup(it->value);
        }
}

/* listen = /run/php/$pool.sock: php-fpm puts the pool's name for $pool (fpm_conf_expand_pool_name).
 */
static void set_listen(struct php_pool *p, const char *value)
{
        const char *var = strstr(value, "$pool");

        if (var)
                snprintf(p->listen, sizeof(p->listen), "%.*s%s%s", (int)(var - value), value,
                         p->name, var + strlen("$pool"));
        else
                snprintf(p->listen, sizeof(p->listen), "%s", value);
}

static void memory_limit_item(struct fpm_reader *r, struct pool_read *pr, struct effective_value *v,
                              const struct ini_item *it)
{
        uint64_t bytes;

        if (v->source != SOURCE_UNKNOWN || pr->bad_ml)
                return; /* the first one wins */
        if (php_parse_quantity(it->value, &bytes) < 0) {
                log_warning("%s:%u: %s = %s: not a size PHP reads (such as 128M, 1G, -1); the "
                            "pool's memory_limit is taken as unknown",
                            r->path, it->line, it->key, it->value);
                pr->bad_ml = true;
                return;
        }
        /* The admin's wherever it is: neither Debian's nor EL's www.conf sets memory_limit. */
        effective_set(v, bytes, SOURCE_ADMIN, r->path, it->line);
}

static void fpm_item(const struct ini_item *it, void *userdata)
{
        struct fpm_reader *r = userdata;
        struct php_pool *p;
        size_t i;
        uint64_t v;

        if (streq(it->section, "global")) {
                global_item(r, it);
                return;
        }
        if (!it->section[0] || !(p = pool_get(r, it->section, it->line, &i)))
                return;
        if (streq(it->key, "pm")) {
                snprintf(p->pm, sizeof(p->pm), "%s", it->value);
                snprintf(p->pm_origin, sizeof(p->pm_origin), "%s:%u", r->path, it->line);
        } else if (streq(it->key, "pm.max_children")) {
                if (php_parse_quantity(it->value, &v) == 0 && v != PHP_UNLIMITED && v < UINT32_MAX)
                        effective_set(&p->max_children, v, r->source, r->path, it->line);
                else
                        log_warning("%s:%u: pm.max_children = %s: not a count; ignored", r->path,
                                    it->line, it->value);
        } else if (streq(it->key, "listen"))
                set_listen(p, it->value);
        else if (streq(it->key, "php_admin_value[memory_limit]"))
                memory_limit_item(r, &r->pr[i], &r->pr[i].admin_ml, it);
        else if (streq(it->key, "php_value[memory_limit]"))
                memory_limit_item(r, &r->pr[i], &r->pr[i].value_ml, it);
}

/* Adds one file's [global] and pools. A section header alone names a pool too. */
static void read_fpm_file(int rootfd, struct fpm_reader *r, const char *path,
                          enum value_source source)
{
        _cleanup_free_ char *text = NULL;
        size_t size;
        unsigned line;
        int k;

        r->path = path;
        r->source = source;
        k = chase_read_file(rootfd, path, &text, &size);
        if (k == -ENOENT)
                return;
        if (k < 0) {
                log_warning("%s: %s; its pools are not counted", path, chase_strerror(k));
                return;
        }
        k = ini_parse_php(text, size, fpm_item, r, &line);
        if (k < 0)
                log_warning("%s:%u: %s; the rest of the file is not read", path, line,
                            ini_strerror(k));
}

/* include=DIR/<star>SUFFIX (every Debian and EL php-fpm.conf): the files glob(3) returns, in its
 * order. Another pattern: the distribution's pool directory, with a warning. */
static void read_included(int rootfd, struct fpm_reader *r, const char *conf)
{
        _cleanup_(names_freep) char **names = NULL;
        const char *pattern = r->include, *star;
        _cleanup_free_ char *dir = NULL;
        const char *suffix = ".conf";
        int k;

        if (pattern) {
                star = strrchr(pattern, '/');
                if (pattern[0] == '/' && star && star[1] == '*' && !strpbrk(star + 2, "*?[") &&
                    (size_t)(star - pattern) < sizeof(r->f->pool_dir) && !strpbrk(pattern, "?[") &&
                    strchr(pattern, '*') == star + 1) {
                        dir = xasprintf("%.*s", (int)(star - pattern), pattern);
                        suffix = star + 2;
                        snprintf(r->f->pool_dir, sizeof(r->f->pool_dir), "%s", dir);
                } else
                        log_warning("%s: include=%s: a pattern memprov does not expand; reading "
                                    "%s/*.conf",
                                    conf, pattern, r->f->pool_dir);
        }
        if (!dir)
                dir = xstrdup(r->f->pool_dir);
        k = chase_list_dir(rootfd, dir, suffix, &names);
        if (k < 0 && k != -ENOENT)
                log_warning("%s: %s; its pools are not counted", dir, chase_strerror(k));
        for (char **n = names; n && *n; n++) {
                _cleanup_free_ char *path = NULL;
                if (streq(*n, PHPFPM_DROPIN))
                        continue; /* the inputs are what the machine says without memprov */
                path = xasprintf("%s/%s", dir, *n);
                /* The packages' own pool file: Debian's and EL's www.conf (an edited one is
                 * counted as theirs: telling needs dpkg's conffile hashes). */
                read_fpm_file(rootfd, r, path,
                              streq(*n, "www.conf") ? SOURCE_DISTRO : SOURCE_ADMIN);
        }
}

/* A master: conf is its php-fpm.conf; f->pool_dir the distribution's pool directory, used when
 * php-fpm.conf does not say (or is missing, as in small test roots). */
static void read_master(int rootfd, struct php_fpm *f, const char *conf, const char *ini,
                        const char *scan_dir, const char *distro_ini)
{
        struct fpm_reader r = {.f = f};
        struct php_sapi_ini sapi;

        effective_set(&f->process_max, 0, SOURCE_DEFAULT, NULL, 0); /* 0: no cap (php-fpm.conf) */
        php_sapi_ini_read(rootfd, ini, scan_dir, distro_ini, &sapi);
        f->ini_memory_limit = sapi.memory_limit;
        f->opcache_enabled = sapi.opcache_loaded && sapi.opcache_enable.value;
        f->opcache_memory = sapi.opcache_memory;
        read_fpm_file(rootfd, &r, conf, SOURCE_DISTRO);
        read_included(rootfd, &r, conf);
        free(r.include);
        for (size_t i = 0; i < f->n_pools; i++) {
                struct php_pool *p = &f->pools[i];
                const struct pool_read *pr = &r.pr[i];
                p->memory_limit_locked = pr->admin_ml.source != SOURCE_UNKNOWN;
                if (pr->bad_ml)
                        p->memory_limit = (struct effective_value){0};
                else if (p->memory_limit_locked)
                        p->memory_limit = pr->admin_ml;
                else if (pr->value_ml.source != SOURCE_UNKNOWN)
                        p->memory_limit = pr->value_ml;
                else
                        p->memory_limit = f->ini_memory_limit;
        }
}

void phpfpm_parse_pools(const char *conf, struct php_fpm *f)
{
        _cleanup_free_ char *copy = xstrdup(conf);
        char *line, *save = NULL;

        for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char name[64];
                bool seen = false;
                line += strspn(line, " \t");
                if (sscanf(line, "[%63[^]]]", name) != 1 || streq(name, "global"))
                        continue;
                for (size_t i = 0; i < f->n_pools; i++)
                        seen = seen || streq(f->pools[i].name, name);
                if (!seen && f->n_pools < PHPFPM_MAX_POOLS)
                        snprintf(f->pools[f->n_pools++].name, sizeof(f->pools[0].name), "%s", name);
        }
}

static int compare_versions(const void *a, const void *b)
{
        return strcmp(a, b);
}

static bool is_version(const char *name)
{
        unsigned a, b;
        char end;

        return sscanf(name, "%u.%u%c", &a, &b, &end) == 2 && strlen(name) < 8;
}

/* Debian: /usr/sbin/php-fpmX.Y with /etc/php/X.Y/fpm, for every X.Y. */
static void detect_debian(int rootfd, struct php_fpms *ret)
{
        _cleanup_(closedirp) DIR *d = NULL;
        char versions[PHPFPM_MAX_VERSIONS][8];
        struct dirent *de;
        size_t n = 0;

        if (root_opendir(rootfd, "/etc/php", &d) < 0)
                return;
        while ((de = readdir(d)))
                if (is_version(de->d_name)) {
                        if (n == PHPFPM_MAX_VERSIONS) {
                                log_warning(
                                    "/etc/php: more than %d PHP versions; %s is not counted",
                                    PHPFPM_MAX_VERSIONS, de->d_name);
                                continue;
                        }
                        snprintf(versions[n++], sizeof(versions[0]), "%s", de->d_name);
                }
        qsort(versions, n, sizeof(versions[0]), compare_versions);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *binary = xasprintf("/usr/sbin/php-fpm%s", versions[i]);
                _cleanup_free_ char *etc = xasprintf("/etc/php/%s/fpm", versions[i]);
                _cleanup_free_ char *conf = xasprintf("%s/php-fpm.conf", etc);
                _cleanup_free_ char *ini = xasprintf("%s/php.ini", etc);
                _cleanup_free_ char *scan = xasprintf("%s/conf.d", etc);
                _cleanup_free_ char *pristine =
                    xasprintf("/usr/lib/php/%s/php.ini-production", versions[i]);
                struct php_fpm *f = &ret->v[ret->n];
                struct stat st;
                if (root_lstat(rootfd, binary, &st) < 0)
                        continue;
                *f = (struct php_fpm){0};
                snprintf(f->version, sizeof(f->version), "%s", versions[i]);
                snprintf(f->pool_dir, sizeof(f->pool_dir), "%s/pool.d", etc);
                snprintf(f->unit, sizeof(f->unit), "php%s-fpm.service", versions[i]);
                read_master(rootfd, f, conf, ini, scan, pristine);
                if (f->n_pools > 0)
                        ret->n++;
        }
}

int phpfpm_detect(const struct context *ctx, struct services *services)
{
        struct php_fpms *ret = &services->php;
        struct php_fpm *f = &ret->v[0];
        struct stat st;

        ret->n = 0;
        detect_debian(ctx->rootfd, ret);
        if (ret->n > 0 || root_lstat(ctx->rootfd, "/usr/sbin/php-fpm", &st) < 0)
                return 0;
        /* EL: one unversioned php-fpm reading /etc/php-fpm.conf, /etc/php.ini and /etc/php.d. */
        *f = (struct php_fpm){.pool_dir = "/etc/php-fpm.d", .unit = "php-fpm.service"};
        read_master(ctx->rootfd, f, "/etc/php-fpm.conf", "/etc/php.ini", "/etc/php.d", NULL);
        ret->n = f->n_pools > 0;
        return 0;
}
