/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MySQL/MariaDB: which server, which version, and a [mysqld] drop-in sized for the tier. */
#pragma once

#include "module.h"

/* Parses "mysqld  Ver 8.0.36 for Linux ..." or "... Ver 10.11.6-MariaDB-0+deb12u1 ...", or a
 * package version "1:10.11.6-0+deb12u1". -EINVAL when no version is found. */
int mysql_parse_version(const char *s, unsigned *major, unsigned *minor);
/* Whether the server accepts query_cache_* (MySQL 8.0 removed them; unknown: assume not). */
bool mysql_has_query_cache(const struct db_server *s);

/* mysql-detect.c: the server, its version and include directory. */
int mysql_detect(const struct context *ctx, struct services *services);

extern const struct module mysql_module;

/* After --rerun (mysql-live.c): plan making file's new settings live; apply ACTION_SQL_LIVE. */
void mysql_plan_live(const struct context *ctx, struct plan *p, const struct action *file);
int mysql_apply_live(const struct context *ctx, struct action *a);
