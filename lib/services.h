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

enum db_flavor { DB_NONE, DB_MARIADB, DB_MYSQL };

struct db_server {
        enum db_flavor flavor;
        bool version_known;
        unsigned major, minor;
        const char *dropin_dir; /* where 99-memprov.cnf goes, NULL when no include dir exists */
};

enum mpm { MPM_UNKNOWN, MPM_PREFORK, MPM_WORKER, MPM_EVENT };

struct web_server {
        bool installed;
        bool debian; /* /etc/apache2 (conf-available + a2enconf link) rather than /etc/httpd */
        enum mpm mpm;
        bool mod_php;             /* a libphp*.so module is loaded: PHP runs in Apache's children */
        char mod_php_version[16]; /* Debian: "8.2" from mods-enabled/php8.2.load, else "" */
};

#define PHPFPM_MAX_VERSIONS 8
#define PHPFPM_MAX_POOLS    16

struct php_fpm {
        char version[16];  /* "8.2"; "" for EL's unversioned php-fpm */
        char pool_dir[96]; /* /etc/php/8.2/fpm/pool.d or /etc/php-fpm.d */
        char unit[32];     /* php8.2-fpm.service or php-fpm.service */
        char pools[PHPFPM_MAX_POOLS][64];
        size_t n_pools;
};

struct php_fpms {
        struct php_fpm v[PHPFPM_MAX_VERSIONS];
        size_t n;
};

struct services {
        struct db_server db;
        struct web_server web;
        struct php_fpms php;
};
