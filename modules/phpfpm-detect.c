/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every installed PHP-FPM master (Debian: one per version; EL: one) and its pools. */
#include <fcntl.h>
#include <sys/stat.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "phpfpm.h"

static int compare_names(const void *a, const void *b)
{
        return strcmp(a, b);
}

/* Sorted names in dir (under the root) that pass keep(), at most max of them. */
static size_t list_dir(int rootfd, const char *dir, bool (*keep)(const char *name),
                       char names[][64], size_t max)
{
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        size_t n = 0;

        if (root_opendir(rootfd, dir, &d) < 0)
                return 0;
        while ((de = readdir(d)) && n < max)
                if (de->d_name[0] != '.' && strlen(de->d_name) < 64 && keep(de->d_name))
                        snprintf(names[n++], 64, "%s", de->d_name);
        qsort(names, n, 64, compare_names);
        return n;
}

static bool is_version(const char *name)
{
        unsigned a, b;
        char end;

        return sscanf(name, "%u.%u%c", &a, &b, &end) == 2;
}

static bool is_pool_file(const char *name)
{
        size_t len = strlen(name);

        return len > 5 && streq(name + len - 5, ".conf") && !streq(name, PHPFPM_DROPIN);
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

static void read_pools(int rootfd, struct php_fpm *f)
{
        char files[32][64];
        size_t n = list_dir(rootfd, f->pool_dir, is_pool_file, files, ELEMENTSOF(files));

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", f->pool_dir, files[i]);
                _cleanup_free_ char *conf = NULL;
                if (root_read_file(rootfd, path, &conf, NULL) == 0)
                        phpfpm_parse_pools(conf, f);
        }
}

/* Debian: /usr/sbin/php-fpmX.Y with /etc/php/X.Y/fpm/pool.d, for every X.Y. */
static void detect_debian(int rootfd, struct php_fpms *ret)
{
        char versions[PHPFPM_MAX_VERSIONS][64];
        size_t n = list_dir(rootfd, "/etc/php", is_version, versions, ELEMENTSOF(versions));

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *binary = xasprintf("/usr/sbin/php-fpm%s", versions[i]);
                struct php_fpm *f = &ret->v[ret->n];
                struct stat st;
                if (root_lstat(rootfd, binary, &st) < 0)
                        continue;
                *f = (struct php_fpm){0};
                /* A version name too long for the fields is no PHP release; checking the lengths
                 * also keeps GCC 14's -Wformat-truncation (Debian 13) from failing the build. */
                if (snprintf(f->version, sizeof(f->version), "%s", versions[i]) >=
                        (int)sizeof(f->version) ||
                    snprintf(f->pool_dir, sizeof(f->pool_dir), "/etc/php/%s/fpm/pool.d",
                             versions[i]) >= (int)sizeof(f->pool_dir) ||
                    snprintf(f->unit, sizeof(f->unit), "php%s-fpm.service", versions[i]) >=
                        (int)sizeof(f->unit)) {
                        log_warning("/etc/php/%s: version name too long, ignored", versions[i]);
                        continue;
                }
                read_pools(rootfd, f);
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
        /* EL: one unversioned php-fpm reading /etc/php-fpm.d. */
        *f = (struct php_fpm){.pool_dir = "/etc/php-fpm.d", .unit = "php-fpm.service"};
        read_pools(ctx->rootfd, f);
        ret->n = f->n_pools > 0;
        return 0;
}
