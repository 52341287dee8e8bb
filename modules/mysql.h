/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MySQL/MariaDB: which server, which version, and a [mysqld] drop-in sized for the tier. */
#pragma once

#include "budget.h"

enum db_flavor { DB_NONE, DB_MARIADB, DB_MYSQL };

struct db_server {
        enum db_flavor flavor;
        bool version_known;
        unsigned major, minor;
        const char *dropin_dir; /* where 99-memprov.cnf goes, NULL when no include dir exists */
};

/* Parses "mysqld  Ver 8.0.36 for Linux ..." or "... Ver 10.11.6-MariaDB-0+deb12u1 ...", or a
 * package version "1:10.11.6-0+deb12u1". -EINVAL when no version is found. */
int mysql_parse_version(const char *s, unsigned *major, unsigned *minor);
/* The server under the root: DB_NONE when none is installed. */
int mysql_detect(const struct context *ctx, struct db_server *ret);
/* Whether the server accepts query_cache_* (MySQL 8.0 removed them; unknown: assume not). */
bool mysql_has_query_cache(const struct db_server *s);
int mysql_budget(const struct context *ctx, struct budget *b);

extern const struct module mysql_module;
