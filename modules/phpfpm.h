/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PHP-FPM: every installed version; a zz-memprov.conf per version repeating each pool's [name]. */
#pragma once

#include "module.h"

/* memprov's pool drop-in, in every pool directory (read last: "zz"). */
#define PHPFPM_DROPIN "zz-memprov.conf"

/* phpfpm-detect.c: every master and its pools. */
int phpfpm_detect(const struct context *ctx, struct services *services);

/* Adds the [name] sections of one pool file (but not [global]) to f, without duplicates. */
void phpfpm_parse_pools(const char *conf, struct php_fpm *f);
/* The budget line id of a pool: "php 8.2 www". */
void phpfpm_line_id(const struct php_fpm *f, const char *pool, char buf[static 80]);
/* A pool's effective memory_limit (its own, else the SAPI's php.ini, else PHP's 128M). */
uint64_t phpfpm_memory_limit(const struct php_fpm *f, const struct php_pool *pool);

/* phpfpm-live.c: after --rerun, a graceful reload, or a restart where listen.backlog changed and
 * restarts are wanted (a reload keeps the old queue). */
void phpfpm_plan_live(const struct context *ctx, struct plan *p, const struct action *file,
                      const char *unit);
/* Whether the pools' listen.backlog values differ between two pool files' texts. */
bool phpfpm_backlog_changes(const char *old, const char *new);

extern const struct module phpfpm_module;
