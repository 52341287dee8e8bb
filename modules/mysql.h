/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MySQL/MariaDB: which server, which version, and a [mysqld] drop-in sized for the tier. */
#pragma once

#include "module.h"

/* memprov's drop-in in the server's include directory (mariadb.conf.d, mysql.conf.d, my.cnf.d).
 * The server reads a directory's *.cnf in strcmp order (mysql-cnf.c): on Debian after the
 * packages' 50-server.cnf and the like, on EL before the packages' letter-named files
 * (mariadb-server.cnf, server.cnf, mysql-server.cnf), which set no sizing option as shipped.
 * An option the admin sets in a file read before it is left out of it (mysql_kept). */
#define MYSQL_DROPIN "99-memprov.cnf"

/* Parses "mysqld  Ver 8.0.36 for Linux ..." or "... Ver 10.11.6-MariaDB-0+deb12u1 ...", or a
 * package version "1:10.11.6-0+deb12u1", into s->major, minor and patch (0 when the version has
 * no third number). -EINVAL when no version is found; s is then unchanged. */
int mysql_parse_version(const char *text, struct db_server *s);
/* Whether the server accepts query_cache_* (MySQL 8.0 removed them; unknown: assume not). */
bool mysql_has_query_cache(const struct db_server *s);

/* mysql-cnf.c: the options the server reads from /etc/my.cnf and /etc/mysql/my.cnf through their
 * includes, without memprov's own drop-in, into db->opt (the documented default where no file
 * sets one), db->after_memprov and db->dropin_read; the effective datadir into datadir. The
 * server's version is asked (mysql_ask_version) only if a file has a version's group
 * ([mariadb-10.11]) and it is not known yet. */
int mysql_read_options(const struct context *ctx, struct db_server *db, char datadir[static 256]);

/* mysql-conffile.c: dpkg's conffile checksums, asked once per run (text NULL: none known). */
struct mysql_conffiles {
        bool asked;
        char *text;
};
/* Whether path, a file the packages ship (mysql_distro_file), changed since the package
 * installed it: 1 changed, 0 as shipped (its MD5 is the one dpkg records), -ENOENT when dpkg
 * records none (no dpkg, as on EL, or not a conffile), another -errno when it cannot tell. */
int mysql_conffile_changed(const struct context *ctx, struct mysql_conffiles *c, const char *path);

/* Whether the server reads option o as a file other than memprov's drop-in sets it, whatever
 * memprov writes: set by a file read after the drop-in, or the admin's before it. memprov then
 * leaves o out of its drop-in and the budget counts the value (issue 18: the admin's word wins). */
static inline bool mysql_kept(const struct db_server *db, enum db_option o)
{
        return db->opt[o].source != SOURCE_UNKNOWN &&
               ((db->after_memprov | db->admin_before) & (1u << o));
}

/* mysql-options.c. The option's name as the server spells it ("innodb_buffer_pool_size"). */
const char *mysql_option_name(enum db_option o);
/* A key as an option file spells it ("loose-innodb-buffer-pool-size") -> enum db_option, or
 * MYSQL_OPTION_DATADIR, or -ENOENT; *ret_neg: 1 for skip-/disable-, 0 for enable-, else -1. */
#define MYSQL_OPTION_DATADIR _DB_OPT_MAX
int mysql_option_lookup(const char *key, int *ret_neg);
/* The value of option o from the file's text (NULL: the key alone), or -EINVAL. */
int mysql_option_value(int o, int neg, const char *value, uint64_t *ret);
/* What a value of o must look like, for messages. */
const char *mysql_option_expects(int o);
/* The server's integer syntax: digits and an optional K/M/G/T/P/E (any case, powers of 1024). */
int mysql_parse_number(const char *v, uint64_t *ret);
/* Whether path is one the server packages ship; what it sets is SOURCE_DISTRO only while the
 * file is as the package installed it (mysql_conffile_changed), else the admin's. */
bool mysql_distro_file(const char *path);
/* The documented defaults (SOURCE_DEFAULT) of the options no file sets. */
void mysql_fill_defaults(struct db_server *db);
/* --dry-run: the options as inputs ("inputs" -> "database" in --json), and notes for what an
 * admin's file read after memprov's drop-in sets. */
void mysql_plan_inputs(const struct context *ctx, struct plan *p);

/* mysql-persist.c: MySQL 8's SET PERSIST values (DATADIR/mysqld-auto.cnf) over db->opt. */
void mysql_read_persisted(const struct context *ctx, struct db_server *db, const char *datadir);

/* mysql-detect.c: the server, its version and include directory, its options (above) and the
 * size of its InnoDB data. */
void mysql_ask_version(const struct context *ctx, struct db_server *s);
int mysql_detect(const struct context *ctx, struct services *services);

extern const struct module mysql_module;

/* After --rerun (mysql-live.c): plan making file's new settings live; apply ACTION_SQL_LIVE. */
void mysql_plan_live(const struct context *ctx, struct plan *p, const struct action *file);
int mysql_apply_live(const struct context *ctx, struct action *a);
