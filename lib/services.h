/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The services memprov sizes, detected once per run before planning (each service module's
 * detect hook fills its part): asking the database server its version means spawning it (or
 * dpkg-query), which costs more than all of planning. Modules read the result through
 * ctx->services and never detect again.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Where an effective value came from: what the sizing model may change and what it must respect. */
enum value_source {
        SOURCE_UNKNOWN = 0, /* not read (no file, or a layout memprov does not parse) */
        SOURCE_DEFAULT,     /* the daemon's compiled-in default (documented, named where used) */
        SOURCE_DISTRO, /* the distribution's shipped file (php.ini, 50-server.cnf, pool.d/www.conf)
                        */
        SOURCE_ADMIN,  /* a file the admin (or a panel) wrote: it wins over memprov's tier value */
};

static inline const char *value_source_name(enum value_source s)
{
        static const char *const names[] = {"unknown", "default", "distro", "admin"};

        return s <= SOURCE_ADMIN ? names[s] : "unknown";
}

/* One effective value: 0 bytes/count with SOURCE_UNKNOWN means "not known". A memory_limit of
 * -1 (no limit) is PHP_UNLIMITED (lib/iniread.h: UINT64_MAX). */
struct effective_value {
        uint64_t value;
        enum value_source source;
        char origin[128]; /* "FILE:LINE" inside the root, "" when unknown */
};

enum db_flavor { DB_NONE, DB_MARIADB, DB_MYSQL };

/* The [mysqld] options the model reads, as the server's include layering resolves them without
 * memprov's own drop-in (an admin's file that sorts after 99-memprov.cnf still wins: see
 * after_memprov). Filled by mysql-detect.c. */
enum db_option {
        DB_OPT_INNODB_BUFFER_POOL_SIZE,
        DB_OPT_INNODB_LOG_BUFFER_SIZE,
        DB_OPT_KEY_BUFFER_SIZE,
        DB_OPT_MAX_CONNECTIONS,
        DB_OPT_TMP_TABLE_SIZE,
        DB_OPT_MAX_HEAP_TABLE_SIZE,
        DB_OPT_SORT_BUFFER_SIZE,
        DB_OPT_READ_BUFFER_SIZE,
        DB_OPT_READ_RND_BUFFER_SIZE,
        DB_OPT_JOIN_BUFFER_SIZE,
        DB_OPT_ARIA_PAGECACHE_BUFFER_SIZE,
        DB_OPT_PERFORMANCE_SCHEMA, /* 0/1 */
        DB_OPT_TEMPTABLE_MAX_RAM,  /* MySQL 8 */
        _DB_OPT_MAX,
};

struct db_server {
        enum db_flavor flavor;
        bool version_known;
        /* The server's version: the patch level decides what some releases support (10.11.12
         * added innodb_buffer_pool_size_auto_min). A version without one reads as patch 0. */
        unsigned major, minor, patch;
        const char *dropin_dir; /* where 99-memprov.cnf goes, NULL when no include dir exists */
        struct effective_value opt[_DB_OPT_MAX];
        /* Bitmask of 1u << enum db_option: set by an admin file read after memprov's drop-in, so
         * memprov's value for it cannot take effect (the model budgets the admin's). */
        unsigned after_memprov;
        /* Bitmask as above: the value read before the drop-in is the admin's (an admin's file, or
         * a package's file edited since it was installed), so it wins the same way. */
        unsigned admin_before;
        /* Of those, the ones from a package's file: dpkg's checksum differs (edited), or dpkg
         * records none to compare (unverified). For the plan's note. */
        unsigned edited, unverified;
        uint64_t data_bytes; /* InnoDB data under the datadir where readable (0: unknown) */
        /* The server's option files include dropin_dir: a drop-in there takes effect. */
        bool dropin_read;
};

enum mpm { MPM_UNKNOWN, MPM_PREFORK, MPM_WORKER, MPM_EVENT };

/* "prefork", "worker", "event" (Apache's names: mpm_NAME.load, mpm_NAME_module). */
static inline const char *mpm_name(enum mpm m)
{
        static const char *const names[] = {"unknown", "prefork", "worker", "event"};

        return m <= MPM_EVENT ? names[m] : "unknown";
}

#define APACHE_MAX_SITES 32
struct web_server {
        bool installed;
        bool debian;  /* /etc/apache2 (conf-available + a2enconf link) rather than /etc/httpd */
        bool enabled; /* apache2.service (httpd.service) enabled, not masked: budgeted and sized */
        enum mpm mpm;
        bool mod_php;             /* a libphp*.so module is loaded: PHP runs in Apache's children */
        char mod_php_version[16]; /* Debian: "8.2" from mods-enabled/php8.2.load, else "" */
        /* mod_php's effective memory_limit (the apache2 SAPI's php.ini and conf.d). */
        struct effective_value mod_php_memory_limit;
        /* The enabled sites that send PHP to PHP-FPM through fcgi://localhost (issue 23):
         * each <VirtualHost>'s DocumentRoot and the socket its handler (or the server's)
         * names. modules/apache-sites.c. */
        struct apache_site {
                char docroot[256]; /* without a trailing slash */
                char socket[108];
        } sites[APACHE_MAX_SITES];
        size_t n_sites;
};

/* nginx (issue 18's inputs; issue 23 writes its drop-ins). */
#define NGINX_MAX_FASTCGI 16
struct nginx_server {
        bool installed;
        bool debian; /* /etc/nginx with conf.d and sites-enabled (EL has no sites-*) */
        unsigned worker_processes; /* effective; "auto" resolved to the vCPUs; 0 unknown */
        bool enabled;              /* nginx.service enabled (systemctl enable's link), not masked */
        bool worker_processes_auto;
        struct effective_value workers;            /* worker_processes with source and origin */
        struct effective_value worker_connections; /* events { worker_connections } */
        /* nginx.conf includes conf.d/ (every *.conf) inside http {} (Debian's and EL's do), so
         * a file memprov puts there is read at http level. */
        bool conf_d_in_http;
        /* Where its fastcgi_pass directives send requests (an upstream's servers resolved), in
         * every file nginx.conf includes: a unix socket path or HOST:PORT. fastcgi_known is false
         * when a file could not be read or a target was a variable. */
        bool fastcgi_known;
        char fastcgi[NGINX_MAX_FASTCGI][108];
        size_t n_fastcgi;
};

/* A local host part of an address ("" for a bare port, "*" and the any/loopback addresses):
 * nginx and PHP-FPM on the same machine meet there. */
static inline bool listen_host_local(const char *addr, size_t len)
{
        static const char *const local[] = {"127.0.0.1", "localhost", "0.0.0.0",
                                            "[::]",      "[::1]",     "*"};

        if (len == 0)
                return true;
        for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
                if (strlen(local[i]) == len && strncmp(addr, local[i], len) == 0)
                        return true;
        return false;
}

/* Whether a PHP-FPM pool's listen (a socket path, PORT, HOST:PORT) is one of nginx's
 * fastcgi_pass targets: a path exactly, an address by its port where both hosts are local (or
 * the same). */
static inline bool nginx_uses_listen(const struct nginx_server *n, const char *listen)
{
        const char *lc = strrchr(listen, ':');
        const char *lport = lc ? lc + 1 : listen;
        size_t lhost = lc ? (size_t)(lc - listen) : 0;

        for (size_t i = 0; listen[0] && i < n->n_fastcgi; i++) {
                const char *t = n->fastcgi[i], *tc = strrchr(t, ':');
                size_t thost = tc ? (size_t)(tc - t) : 0;

                if (strcmp(t, listen) == 0)
                        return true;
                if (listen[0] == '/' || t[0] == '/' || !tc || strcmp(tc + 1, lport) != 0)
                        continue;
                if ((listen_host_local(t, thost) && listen_host_local(listen, lhost)) ||
                    (thost == lhost && strncmp(t, listen, thost) == 0))
                        return true;
        }
        return false;
}

#define PHPFPM_MAX_VERSIONS 8
#define PHPFPM_MAX_POOLS    32

struct php_pool {
        char name[64];
        /* Effective memory_limit: the pool's php_admin_value/php_value, else the SAPI's php.ini
         * and conf.d, else PHP's default (128M). SOURCE_ADMIN when the pool sets it. */
        struct effective_value memory_limit;
        bool memory_limit_locked;            /* set by php_admin_value: ini_set() cannot raise it */
        char pm[16];                         /* the pool's own pm, "" when unset */
        char pm_origin[128];                 /* "FILE:LINE" of pm, "" when unset */
        struct effective_value max_children; /* the pool's own pm.max_children */
        char listen[108]; /* the pool's listen (socket path or address), "" unknown */
};

struct php_fpm {
        char version[16];  /* "8.2"; "" for EL's unversioned php-fpm */
        char pool_dir[96]; /* /etc/php/8.2/fpm/pool.d or /etc/php-fpm.d */
        char unit[32];     /* php8.2-fpm.service or php-fpm.service */
        struct php_pool pools[PHPFPM_MAX_POOLS];
        size_t n_pools;
        struct effective_value ini_memory_limit; /* the FPM SAPI's php.ini + conf.d */
        struct effective_value opcache_memory;   /* opcache.memory_consumption, bytes */
        bool opcache_enabled;
        struct effective_value process_max; /* [global] process.max, 0 unset */
};

struct php_fpms {
        struct php_fpm v[PHPFPM_MAX_VERSIONS];
        size_t n;
};

/* Other installed and enabled memory consumers (Redis, memcached, Postfix, Dovecot, ...), from
 * the data table in conf.d: each costs its measured or documented resident size. */
#define MAX_CONSUMERS 16
struct consumer {
        char name[32];
        char unit[64];
        uint64_t cost; /* bytes, from conf.d */
};

struct services {
        struct db_server db;
        struct web_server web;
        struct nginx_server nginx;
        struct php_fpms php;
        struct consumer consumers[MAX_CONSUMERS];
        size_t n_consumers;
};
