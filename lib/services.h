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
        unsigned major, minor;
        const char *dropin_dir; /* where 99-memprov.cnf goes, NULL when no include dir exists */
        struct effective_value opt[_DB_OPT_MAX];
        /* Bitmask of 1u << enum db_option: set by an admin file read after memprov's drop-in, so
         * memprov's value for it cannot take effect (the model budgets the admin's). */
        unsigned after_memprov;
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

struct web_server {
        bool installed;
        bool debian; /* /etc/apache2 (conf-available + a2enconf link) rather than /etc/httpd */
        enum mpm mpm;
        bool mod_php;             /* a libphp*.so module is loaded: PHP runs in Apache's children */
        char mod_php_version[16]; /* Debian: "8.2" from mods-enabled/php8.2.load, else "" */
        /* mod_php's effective memory_limit (the apache2 SAPI's php.ini and conf.d). */
        struct effective_value mod_php_memory_limit;
};

/* nginx (issue 18's inputs; issue 23 writes its drop-ins). */
struct nginx_server {
        bool installed;
        bool debian; /* /etc/nginx with conf.d and sites-enabled (EL has no sites-*) */
        unsigned worker_processes; /* effective; "auto" resolved to the vCPUs; 0 unknown */
        bool enabled;              /* nginx.service enabled (systemctl enable's link), not masked */
        bool worker_processes_auto;
        struct effective_value workers;            /* worker_processes with source and origin */
        struct effective_value worker_connections; /* events { worker_connections } */
};

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
