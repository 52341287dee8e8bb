/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What one PHP SAPI (php-fpm, Apache's mod_php) reads at startup: its php.ini, then every *.ini
 * of its scan directory in name order (PHP_INI_SCAN_DIR; php_scandir with alphasort), a later
 * setting replacing an earlier one. Debian: /etc/php/X.Y/SAPI/php.ini and SAPI/conf.d, whose
 * entries are phpenmod's absolute links into /etc/php/X.Y/mods-available; EL: /etc/php.ini and
 * /etc/php.d for every SAPI.
 */
#pragma once

#include "services.h"

/* memprov's own drop-in in a scan directory (modules/phpfpm.c, apache.c write it): the inputs
 * are what the machine says without it. */
#define PHP_INI_MEMPROV "99-memprov.ini"

/* PHP's compiled-in defaults where no file sets the value, checked with the real php8.2
 * (`php8.2 -n -d zend_extension=opcache.so -r 'echo ini_get(...)'` prints 128M, 1, 128) and
 * written in php.ini-production's comments (";opcache.enable=1",
 * ";opcache.memory_consumption=128").
 */
#define PHP_DEFAULT_MEMORY_LIMIT (128ULL << 20)
#define PHP_DEFAULT_OPCACHE_MB   128
/* ext/opcache/zend_accelerator_module.c (OnUpdateMemoryConsumption): below 8 MB it uses 8. */
#define PHP_MIN_OPCACHE_MB 8

struct php_sapi_ini {
        struct effective_value memory_limit;   /* bytes, PHP_UNLIMITED for -1 */
        bool opcache_loaded;                   /* a zend_extension line loads opcache.so */
        struct effective_value opcache_enable; /* 0 or 1 */
        struct effective_value opcache_memory; /* opcache.memory_consumption, bytes */
};

/*
 * Reads ini, then scan_dir's *.ini (memprov's drop-in left out). distro_ini: the package's
 * pristine copy of ini (Debian: /usr/lib/php/X.Y/php.ini-production), NULL when none: a php.ini
 * value equal to it is SOURCE_DISTRO, another SOURCE_ADMIN. In the scan directory a link into a
 * mods-available directory (phpenmod) is the distribution's, any other file the admin's. A file
 * that cannot be read or parsed gives one warning naming it, and every value SOURCE_UNKNOWN.
 */
void php_sapi_ini_read(int rootfd, const char *ini, const char *scan_dir, const char *distro_ini,
                       struct php_sapi_ini *ret);
/* An effective_value's origin "FILE:LINE". */
void effective_set(struct effective_value *v, uint64_t value, enum value_source source,
                   const char *file, unsigned line);
