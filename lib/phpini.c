/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <sys/stat.h>

#include "chase.h"
#include "fsutil.h"
#include "iniread.h"
#include "log.h"
#include "phpini.h"
#include "util.h"

void effective_set(struct effective_value *v, uint64_t value, enum value_source source,
                   const char *file, unsigned line)
{
        v->value = value;
        v->source = source;
        if (file)
                snprintf(v->origin, sizeof(v->origin), "%s:%u", file, line);
        else
                v->origin[0] = '\0';
}

struct ini_reader {
        struct php_sapi_ini *ini;
        const char *path;
        enum value_source source;
        const struct php_sapi_ini *distro; /* NULL: no pristine copy to compare with */
        bool bad;                          /* a value memprov cannot read: warned */
};

/* php.ini's [PATH=...] and [HOST=...] sections apply to some scripts only (CGI/FastCGI). */
static bool per_dir_section(const char *section)
{
        return startswith(section, "PATH=") || startswith(section, "HOST=");
}

static enum value_source source_of(const struct ini_reader *r, const struct effective_value *d,
                                   uint64_t value)
{
        if (!r->distro)
                return r->source;
        return d->source != SOURCE_DEFAULT && d->value == value ? SOURCE_DISTRO : SOURCE_ADMIN;
}

static void ini_item(const struct ini_item *it, void *userdata)
{
        struct ini_reader *r = userdata;
        struct php_sapi_ini *ini = r->ini;
        uint64_t v;
        bool b;

        if (per_dir_section(it->section))
                return;
        if (streq(it->key, "memory_limit")) {
                if (php_parse_quantity(it->value, &v) < 0) {
                        log_warning("%s:%u: memory_limit = %s: not a size PHP reads (such as 128M, "
                                    "1G, -1); the limit is taken as unknown",
                                    r->path, it->line, it->value);
                        r->bad = true;
                        return;
                }
                effective_set(&ini->memory_limit, v,
                              source_of(r, r->distro ? &r->distro->memory_limit : NULL, v), r->path,
                              it->line);
        } else if (streq(it->key, "zend_extension")) {
                const char *base = strrchr(it->value, '/');
                base = base ? base + 1 : it->value;
                if (streq(base, "opcache.so") || streq(base, "opcache"))
                        ini->opcache_loaded = true;
        } else if (streq(it->key, "opcache.enable")) {
                if (php_parse_bool(it->value, &b) == 0)
                        effective_set(
                            &ini->opcache_enable, b,
                            source_of(r, r->distro ? &r->distro->opcache_enable : NULL, b), r->path,
                            it->line);
        } else if (streq(it->key, "opcache.memory_consumption")) {
                /* Megabytes, read with atoi() (OnUpdateMemoryConsumption): "128M" is 128. */
                unsigned long mb = strtoul(it->value, NULL, 10);
                v = (uint64_t)MAX(MIN(mb, 1UL << 20), (unsigned long)PHP_MIN_OPCACHE_MB) << 20;
                effective_set(&ini->opcache_memory, v,
                              source_of(r, r->distro ? &r->distro->opcache_memory : NULL, v),
                              r->path, it->line);
        }
}

/* 0, -ENOENT (absent: nothing read), or -EINVAL after one warning. */
static int read_one(int rootfd, struct ini_reader *r)
{
        _cleanup_free_ char *text = NULL;
        size_t size;
        unsigned line;
        int k;

        k = chase_read_file(rootfd, r->path, &text, &size);
        if (k == -ENOENT)
                return k;
        if (k < 0) {
                log_warning("%s: %s; PHP's settings there are unknown", r->path, chase_strerror(k));
                return -EINVAL;
        }
        k = ini_parse_php(text, size, ini_item, r, &line);
        if (k < 0) {
                log_warning("%s:%u: %s; PHP's settings there are unknown", r->path, line,
                            ini_strerror(k));
                return -EINVAL;
        }
        return r->bad ? -EINVAL : 0;
}

/* A link into a mods-available directory: phpenmod's, the module's packaged ini. */
static bool is_module_link(int rootfd, const char *path)
{
        _cleanup_close_ int dirfd = -1;
        const char *name;
        char target[PATH_MAX];
        ssize_t n;

        if (root_open_parent(rootfd, path, false, &dirfd, &name) < 0)
                return false;
        n = readlinkat(dirfd, name, target, sizeof(target) - 1);
        if (n <= 0)
                return false;
        target[n] = '\0';
        return strstr(target, "/mods-available/") != NULL;
}

static void defaults(struct php_sapi_ini *ini)
{
        *ini = (struct php_sapi_ini){0};
        effective_set(&ini->memory_limit, PHP_DEFAULT_MEMORY_LIMIT, SOURCE_DEFAULT, NULL, 0);
        effective_set(&ini->opcache_enable, 1, SOURCE_DEFAULT, NULL, 0);
        effective_set(&ini->opcache_memory, (uint64_t)PHP_DEFAULT_OPCACHE_MB << 20, SOURCE_DEFAULT,
                      NULL, 0);
}

void php_sapi_ini_read(int rootfd, const char *ini, const char *scan_dir, const char *distro_ini,
                       struct php_sapi_ini *ret)
{
        _cleanup_(names_freep) char **names = NULL;
        struct php_sapi_ini distro;
        struct ini_reader r = {.ini = ret, .path = ini, .source = SOURCE_DISTRO};
        int k;

        defaults(ret);
        if (distro_ini) {
                struct ini_reader d = {.ini = &distro, .path = distro_ini, .source = SOURCE_DISTRO};
                defaults(&distro);
                if (read_one(rootfd, &d) == 0)
                        r.distro = &distro;
        }
        k = read_one(rootfd, &r);
        r.distro = NULL;
        if (k == 0 || k == -ENOENT) {
                k = chase_list_dir(rootfd, scan_dir, ".ini", &names);
                if (k == -ENOENT)
                        k = 0;
                else if (k < 0)
                        log_warning("%s: %s; PHP's settings there are unknown", scan_dir,
                                    chase_strerror(k));
        }
        for (char **n = names; k == 0 && n && *n; n++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", scan_dir, *n);
                if (streq(*n, PHP_INI_MEMPROV))
                        continue;
                r.path = path;
                r.source = is_module_link(rootfd, path) ? SOURCE_DISTRO : SOURCE_ADMIN;
                k = read_one(rootfd, &r);
                if (k == -ENOENT)
                        k = 0; /* a dangling link: PHP skips it too */
        }
        if (k < 0) {
                ret->opcache_loaded = false;
                ret->memory_limit = ret->opcache_enable = ret->opcache_memory =
                    (struct effective_value){0};
        }
}
