/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PHP's ini files (php.ini, conf.d files, php-fpm.conf, pool files), read with libinih as PHP's
 * own scanner (Zend/zend_ini_scanner.l) reads the forms they use: "[section]", "key = value",
 * ";" comments, values in double or single quotes, "php_value[memory_limit]" as a plain key.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* memory_limit = -1 (PHP: no limit). */
#define PHP_UNLIMITED UINT64_MAX

struct ini_item {
        const char *section; /* "" before the first [section] */
        const char *key;
        const char *value; /* quotes removed */
        unsigned line;
};

typedef void (*ini_item_fn)(const struct ini_item *item, void *userdata);

/* Calls fn for every setting of text, in order. A negative errno with *ret_line at the first line
 * memprov cannot read as PHP does: a syntax error (-EINVAL), a NUL byte (-EBADMSG), a line over
 * 4 KiB (-E2BIG), a [section] name over 49 characters (-ENAMETOOLONG: libinih's limit, which would
 * cut it silently). Settings before that line were passed to fn. */
int ini_parse_php(const char *text, size_t size, ini_item_fn fn, void *userdata,
                  unsigned *ret_line);
/* What ini_parse_php()'s error means, for a message "FILE:LINE: ...". */
const char *ini_strerror(int r);
/* PHP's quantity syntax (zend_ini_parse_quantity, php.net "Using PHP: the shorthand byte
 * values"): digits with an optional K, M or G suffix (either case) for KiB, MiB, GiB; "-1" is
 * PHP_UNLIMITED. -EINVAL for anything else (memprov then treats the value as unknown). */
int php_parse_quantity(const char *s, uint64_t *ret);
/* PHP's boolean ini values: 1/on/yes/true and 0/off/no/false/none/"" (either case). */
int php_parse_bool(const char *s, bool *ret);
