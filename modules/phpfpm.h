/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PHP-FPM: every installed version; a zz-memprov.conf per version repeating each pool's [name]. */
#pragma once

#include "budget.h"

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

int phpfpm_detect(const struct context *ctx, struct php_fpms *ret);
/* Adds the [name] sections of one pool file (but not [global]) to f, without duplicates. */
void phpfpm_parse_pools(const char *conf, struct php_fpm *f);
/* The budget line id of a pool: "php 8.2 www". */
void phpfpm_line_id(const struct php_fpm *f, const char *pool, char buf[static 80]);
int phpfpm_budget(const struct context *ctx, struct budget *b);

extern const struct module phpfpm_module;
