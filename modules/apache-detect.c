/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which Apache httpd layout is installed, its MPM and whether it loads PHP (mod_php). */
#include <fcntl.h>
#include <sys/stat.h>

#include "../lib/chase.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/phpini.h"
#include "apache.h"

static enum mpm mpm_from_name(const char *name)
{
        for (enum mpm m = MPM_PREFORK; m <= MPM_EVENT; m++)
                if (streq(name, mpm_name(m)))
                        return m;
        return MPM_UNKNOWN;
}

/* Debian: a2enmod links mods-enabled/mpm_NAME.load. */
static enum mpm debian_mpm(int rootfd)
{
        _cleanup_(closedirp) DIR *d = NULL;
        enum mpm found = MPM_UNKNOWN;
        struct dirent *de;

        if (chase_opendir(rootfd, "/etc/apache2/mods-enabled", &d) < 0)
                return MPM_UNKNOWN;
        while ((de = readdir(d))) {
                char name[32];
                if (sscanf(de->d_name, "mpm_%31[a-z].load", name) == 1 &&
                    streq(de->d_name + strlen("mpm_") + strlen(name), ".load"))
                        found = mpm_from_name(name);
        }
        return found;
}

enum mpm mpm_from_loadmodule(const char *conf)
{
        _cleanup_free_ char *copy = xstrdup(conf);
        enum mpm found = MPM_UNKNOWN;
        char *line, *save = NULL;

        for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char name[32];
                line += strspn(line, " \t");
                if (sscanf(line, "LoadModule mpm_%31[a-z]_module", name) == 1)
                        found = mpm_from_name(name);
        }
        return found;
}

/* A LoadModule line loading PHP into Apache (libphp.so, libphp8.2.so, libphp7.so ...). */
bool apache_loads_php(const char *conf)
{
        _cleanup_free_ char *copy = xstrdup(conf);
        char *line, *save = NULL;

        for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                line += strspn(line, " \t");
                if (startswith(line, "LoadModule") && strstr(line, "/libphp") &&
                    strstr(line, ".so"))
                        return true;
        }
        return false;
}

/* mod_php: Debian's a2enmod links mods-enabled/phpX.Y.load to ../mods-available/phpX.Y.load; EL
 * loads it from a file in conf.modules.d (the php package's 15-php.conf). What the files say is
 * what httpd loads, links followed inside the root as httpd follows them. */
static bool detect_mod_php(int rootfd, const char *dir, const char *suffix, struct web_server *w)
{
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r;

        r = chase_opendir(rootfd, dir, &d);
        if (r < 0) {
                if (r != -ENOENT)
                        log_warning("%s: %s; its modules are not read", dir, chase_strerror(r));
                return false;
        }
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL, *conf = NULL;
                size_t len = strlen(de->d_name);
                char version[16];
                if (de->d_name[0] == '.' || len <= strlen(suffix) ||
                    !streq(de->d_name + len - strlen(suffix), suffix))
                        continue;
                path = xasprintf("%s/%s", dir, de->d_name);
                r = chase_read_file(rootfd, path, &conf, NULL);
                /* A dangling link (a2dismod of the target) loads nothing: httpd would not start. */
                if (r < 0 && r != -ENOENT)
                        log_warning("%s: %s; not read", path, chase_strerror(r));
                if (r < 0 || !apache_loads_php(conf))
                        continue;
                /* phpX.Y.load: the version is between "php" and the suffix. */
                if (startswith(de->d_name, "php") && len - strlen(suffix) - 3 < sizeof(version)) {
                        snprintf(version, len - strlen(suffix) - 3 + 1, "%s", de->d_name + 3);
                        if (version[0] && strspn(version, "0123456789.") == strlen(version))
                                snprintf(w->mod_php_version, sizeof(w->mod_php_version), "%s",
                                         version);
                }
                return true;
        }
        return false;
}

/* Debian's apache2 SAPI: /etc/php/X.Y/apache2/php.ini (from php.ini-production) and its conf.d.
 * Without the version (a LoadModule file named otherwise) the limit stays unknown. */
static void mod_php_ini_debian(int rootfd, struct web_server *w)
{
        _cleanup_free_ char *etc = xasprintf("/etc/php/%s/apache2", w->mod_php_version);
        _cleanup_free_ char *ini = xasprintf("%s/php.ini", etc);
        _cleanup_free_ char *scan = xasprintf("%s/conf.d", etc);
        _cleanup_free_ char *pristine =
            xasprintf("/usr/lib/php/%s/php.ini-production", w->mod_php_version);
        struct php_sapi_ini sapi;

        php_sapi_ini_read(rootfd, ini, scan, pristine, &sapi);
        w->mod_php_memory_limit = sapi.memory_limit;
}

int apache_detect(const struct context *ctx, struct services *services)
{
        struct web_server *ret = &services->web;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *conf = NULL;
        struct stat st;

        *ret = (struct web_server){0};
        if (root_lstat(ctx->rootfd, "/usr/sbin/apache2", &st) == 0 &&
            root_open_dir(ctx->rootfd, "/etc/apache2", false, &fd) == 0) {
                ret->installed = ret->debian = true;
                ret->mpm = debian_mpm(ctx->rootfd);
                ret->mod_php =
                    detect_mod_php(ctx->rootfd, "/etc/apache2/mods-enabled", ".load", ret);
                apache_sites_read(ctx->rootfd, ret);
                if (ret->mod_php && ret->mod_php_version[0])
                        mod_php_ini_debian(ctx->rootfd, ret);
        } else if (root_lstat(ctx->rootfd, "/usr/sbin/httpd", &st) == 0 &&
                   root_open_dir(ctx->rootfd, "/etc/httpd", false, &fd) == 0) {
                ret->installed = true;
                if (chase_read_file(ctx->rootfd, "/etc/httpd/conf.modules.d/00-mpm.conf", &conf,
                                    NULL) == 0)
                        ret->mpm = mpm_from_loadmodule(conf);
                ret->mod_php =
                    detect_mod_php(ctx->rootfd, "/etc/httpd/conf.modules.d", ".conf", ret);
                apache_sites_read(ctx->rootfd, ret);
                if (ret->mod_php) {
                        struct php_sapi_ini ini;
                        php_sapi_ini_read(ctx->rootfd, "/etc/php.ini", "/etc/php.d", NULL, &ini);
                        ret->mod_php_memory_limit = ini.memory_limit;
                }
        }
        return 0;
}
