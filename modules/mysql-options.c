/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The database options the sizing model reads: their names, their values' syntax, their
 * documented defaults, and how --dry-run shows them. */
#include <json-c/json.h>

#include "../lib/log.h"
#include "../lib/size.h"
#include "mysql.h"

enum cnf_kind { CNF_SIZE, CNF_COUNT, CNF_BOOL };

static const struct {
        const char *name;
        enum cnf_kind kind;
} db_options[_DB_OPT_MAX] = {
    [DB_OPT_INNODB_BUFFER_POOL_SIZE] = {"innodb_buffer_pool_size", CNF_SIZE},
    [DB_OPT_INNODB_LOG_BUFFER_SIZE] = {"innodb_log_buffer_size", CNF_SIZE},
    [DB_OPT_KEY_BUFFER_SIZE] = {"key_buffer_size", CNF_SIZE},
    [DB_OPT_MAX_CONNECTIONS] = {"max_connections", CNF_COUNT},
    [DB_OPT_TMP_TABLE_SIZE] = {"tmp_table_size", CNF_SIZE},
    [DB_OPT_MAX_HEAP_TABLE_SIZE] = {"max_heap_table_size", CNF_SIZE},
    [DB_OPT_SORT_BUFFER_SIZE] = {"sort_buffer_size", CNF_SIZE},
    [DB_OPT_READ_BUFFER_SIZE] = {"read_buffer_size", CNF_SIZE},
    [DB_OPT_READ_RND_BUFFER_SIZE] = {"read_rnd_buffer_size", CNF_SIZE},
    [DB_OPT_JOIN_BUFFER_SIZE] = {"join_buffer_size", CNF_SIZE},
    [DB_OPT_ARIA_PAGECACHE_BUFFER_SIZE] = {"aria_pagecache_buffer_size", CNF_SIZE},
    [DB_OPT_PERFORMANCE_SCHEMA] = {"performance_schema", CNF_BOOL},
    [DB_OPT_TEMPTABLE_MAX_RAM] = {"temptable_max_ram", CNF_SIZE},
};

const char *mysql_option_name(enum db_option o)
{
        return o < _DB_OPT_MAX ? db_options[o].name : NULL;
}

/* The files the server packages ship (Debian's mariadb-common, mariadb-server, mysql-common,
 * mysql-server-8.0; EL's mariadb-server and mysql-server): what they set as installed is the
 * distribution's, which memprov's drop-in may replace. Anything else was written by the admin or
 * a panel, and so is an edit to one of these (dpkg's conffile checksum: mysql-cnf.c). */
bool mysql_distro_file(const char *path)
{
        static const char *const files[] = {
            "/etc/my.cnf", /* EL: the package's, !includedir /etc/my.cnf.d */
            "/etc/mysql/my.cnf",
            "/etc/mysql/mariadb.cnf",
            "/etc/mysql/my.cnf.fallback",
            "/etc/mysql/mysql.cnf",
            "/etc/mysql/conf.d/mysql.cnf",
            "/etc/mysql/conf.d/mysqldump.cnf",
            "/etc/mysql/mariadb.conf.d/50-client.cnf",
            "/etc/mysql/mariadb.conf.d/50-mysql-clients.cnf",
            "/etc/mysql/mariadb.conf.d/50-mariadb-clients.cnf", /* Debian 13 */
            "/etc/mysql/mariadb.conf.d/50-mysqld_safe.cnf",
            "/etc/mysql/mariadb.conf.d/50-server.cnf",
            "/etc/mysql/mariadb.conf.d/60-galera.cnf",
            "/etc/mysql/mysql.conf.d/mysqld.cnf",
            "/etc/mysql/mysql.conf.d/mysql.cnf",
            "/etc/my.cnf.d/mariadb-server.cnf",
            "/etc/my.cnf.d/client.cnf",
            "/etc/my.cnf.d/mysql-clients.cnf",
            "/etc/my.cnf.d/mysql-server.cnf",
            "/etc/my.cnf.d/galera.cnf",
            "/etc/my.cnf.d/spider.cnf",
            "/etc/my.cnf.d/auth_gssapi.cnf",
        };

        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (streq(files[i], path))
                        return true;
        return false;
}

/* "innodb-buffer-pool-size" and "loose_innodb_buffer_pool_size" are one option; skip-/disable-
 * set a boolean off, enable- on (my_getopt's special prefixes). *ret_neg: 1 off, 0 on, -1 none. */
int mysql_option_lookup(const char *key, int *ret_neg)
{
        static const struct {
                const char *prefix;
                int neg;
        } prefixes[] = {{"loose", -1}, {"skip", 1}, {"disable", 1}, {"enable", 0}};
        char name[64];
        size_t n = strlen(key);

        *ret_neg = -1;
        if (n >= sizeof(name))
                return -ENOENT;
        for (size_t i = 0; i <= n; i++)
                name[i] = key[i] == '-' ? '_' : key[i];
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
                size_t len = strlen(prefixes[i].prefix);
                if (!strncmp(name, prefixes[i].prefix, len) && name[len] == '_') {
                        memmove(name, name + len + 1, strlen(name + len + 1) + 1);
                        *ret_neg = prefixes[i].neg;
                        /* "loose-skip-..." is both. */
                        if (i == 0)
                                return mysql_option_lookup(name, ret_neg);
                        break;
                }
        }
        for (int o = 0; o < _DB_OPT_MAX; o++)
                if (streq(name, db_options[o].name))
                        return o;
        return streq(name, "datadir") ? MYSQL_OPTION_DATADIR : -ENOENT;
}

/* The server's integer syntax: digits with an optional K, M, G, T, P or E (any case, 1024s). */
int mysql_parse_number(const char *v, uint64_t *ret)
{
        static const char units[] = "KMGTPE";
        unsigned long long n;
        const char *u;
        char *end;

        if (!isdigit((unsigned char)v[0]))
                return -EINVAL;
        errno = 0;
        n = strtoull(v, &end, 10);
        if (errno)
                return -ERANGE;
        if (*end) {
                u = strchr(units, toupper((unsigned char)*end));
                if (!u || end[1])
                        return -EINVAL;
                for (ptrdiff_t i = 0; i <= u - units; i++) {
                        if (n > UINT64_MAX / 1024)
                                return -ERANGE;
                        n *= 1024;
                }
        }
        *ret = n;
        return 0;
}

static int parse_bool_value(const char *v, uint64_t *ret)
{
        static const char *const on[] = {"1", "on", "true", "yes"};
        static const char *const off[] = {"0", "off", "false", "no"};

        for (size_t i = 0; i < ELEMENTSOF(on); i++) {
                if (!strcasecmp(v, on[i]))
                        return (*ret = 1), 0;
                if (!strcasecmp(v, off[i]))
                        return (*ret = 0), 0;
        }
        return -EINVAL;
}

int mysql_option_value(int o, int neg, const char *value, uint64_t *ret)
{
        int r;

        if (o < 0 || o >= _DB_OPT_MAX)
                return -EINVAL;
        if (db_options[o].kind != CNF_BOOL)
                /* skip-/enable- are for booleans; a size needs its value. */
                return neg >= 0 || !value ? -EINVAL : mysql_parse_number(value, ret);
        r = value ? parse_bool_value(value, ret) : (*ret = 1, 0);
        if (r == 0 && neg == 1)
                *ret = 0; /* skip-performance-schema, disable-performance-schema */
        return r;
}

const char *mysql_option_expects(int o)
{
        return o >= 0 && o < _DB_OPT_MAX && db_options[o].kind == CNF_BOOL
                   ? "a boolean (ON or OFF)"
                   : "a number (digits, then K, M or G)";
}

/* The documented defaults of what no file sets (MariaDB: `mariadbd --no-defaults --help
 * --verbose` of 10.11.19 on Debian 12 and of 11.8.9 on Debian 13, the same values; MySQL 8.0
 * reference manual, server system variables). */
void mysql_fill_defaults(struct db_server *db)
{
        static const uint64_t mariadb[_DB_OPT_MAX] = {
            [DB_OPT_INNODB_BUFFER_POOL_SIZE] = 128 * MIB,
            [DB_OPT_INNODB_LOG_BUFFER_SIZE] = 16 * MIB,
            [DB_OPT_KEY_BUFFER_SIZE] = 128 * MIB,
            [DB_OPT_MAX_CONNECTIONS] = 151,
            [DB_OPT_TMP_TABLE_SIZE] = 16 * MIB,
            [DB_OPT_MAX_HEAP_TABLE_SIZE] = 16 * MIB,
            [DB_OPT_SORT_BUFFER_SIZE] = 2 * MIB,
            [DB_OPT_READ_BUFFER_SIZE] = 128 * KIB,
            [DB_OPT_READ_RND_BUFFER_SIZE] = 256 * KIB,
            [DB_OPT_JOIN_BUFFER_SIZE] = 256 * KIB,
            [DB_OPT_ARIA_PAGECACHE_BUFFER_SIZE] = 128 * MIB,
            [DB_OPT_PERFORMANCE_SCHEMA] = 0,
        };
        static const uint64_t mysql8[_DB_OPT_MAX] = {
            [DB_OPT_INNODB_BUFFER_POOL_SIZE] = 128 * MIB,
            [DB_OPT_INNODB_LOG_BUFFER_SIZE] = 16 * MIB,
            [DB_OPT_KEY_BUFFER_SIZE] = 8 * MIB,
            [DB_OPT_MAX_CONNECTIONS] = 151,
            [DB_OPT_TMP_TABLE_SIZE] = 16 * MIB,
            [DB_OPT_MAX_HEAP_TABLE_SIZE] = 16 * MIB,
            [DB_OPT_SORT_BUFFER_SIZE] = 256 * KIB,
            [DB_OPT_READ_BUFFER_SIZE] = 128 * KIB,
            [DB_OPT_READ_RND_BUFFER_SIZE] = 256 * KIB,
            [DB_OPT_JOIN_BUFFER_SIZE] = 256 * KIB,
            [DB_OPT_PERFORMANCE_SCHEMA] = 1,      /* ON since 5.6.6 */
            [DB_OPT_TEMPTABLE_MAX_RAM] = 1 * GIB, /* 8.0; 8.4 LTS not checked: may differ */
        };
        bool maria = db->flavor == DB_MARIADB;
        const uint64_t *def = maria ? mariadb : mysql8;

        /* A MySQL before 8.0 has no TempTable; its other defaults are left unknown. */
        if (!maria && !(db->version_known && db->major >= 8))
                return;
        for (int o = 0; o < _DB_OPT_MAX; o++) {
                if (db->opt[o].source != SOURCE_UNKNOWN)
                        continue;
                if ((o == DB_OPT_ARIA_PAGECACHE_BUFFER_SIZE && !maria) ||
                    (o == DB_OPT_TEMPTABLE_MAX_RAM && maria))
                        continue; /* Aria is MariaDB's alone, TempTable MySQL's */
                db->opt[o].value = def[o];
                db->opt[o].source = SOURCE_DEFAULT;
        }
}

static json_object *value_json(const struct effective_value *v, bool after_memprov, bool kept)
{
        json_object *o = json_object_new_object();

        json_object_object_add(o, "value", json_object_new_uint64(v->value));
        json_object_object_add(o, "source", json_object_new_string(value_source_name(v->source)));
        json_object_object_add(o, "origin",
                               v->origin[0] ? json_object_new_string(v->origin) : NULL);
        json_object_object_add(o, "after_memprov", json_object_new_boolean(after_memprov));
        json_object_object_add(o, "kept", json_object_new_boolean(kept));
        return o;
}

/* Why a file is read after memprov's drop-in, where the name says it: a file in the drop-in's
 * own directory that sorts after "99-memprov.cnf" (the server reads a directory's *.cnf in
 * strcmp order: mysql-cnf.c), such as EL's mariadb-server.cnf or server.cnf. Else empty. */
static void after_why(const struct db_server *db, const struct effective_value *v, char *buf,
                      size_t size)
{
        size_t len = db->dropin_dir ? strlen(db->dropin_dir) : 0;
        const char *name = v->origin + len + 1, *colon = strrchr(v->origin, ':');

        buf[0] = '\0';
        if (!len || !colon || strncmp(v->origin, db->dropin_dir, len) != 0 ||
            v->origin[len] != '/' || memchr(name, '/', (size_t)(colon - name)))
                return;
        snprintf(buf, size, " (the server reads %s's *.cnf in byte order: %.*s after %s)",
                 db->dropin_dir, (int)(colon - name), name, MYSQL_DROPIN);
}

void mysql_plan_inputs(const struct context *ctx, struct plan *p)
{
        const struct db_server *db = &ctx->services->db;
        json_object *o, *options;
        char size[32];

        if (db->flavor == DB_NONE)
                return;
        o = json_object_new_object();
        json_object_object_add(
            o, "flavor", json_object_new_string(db->flavor == DB_MARIADB ? "mariadb" : "mysql"));
        if (db->version_known) {
                char v[32];
                snprintf(v, sizeof(v), "%u.%u.%u", db->major, db->minor, db->patch);
                json_object_object_add(o, "version", json_object_new_string(v));
        }
        json_object_object_add(o, "dropin_dir",
                               db->dropin_dir ? json_object_new_string(db->dropin_dir) : NULL);
        json_object_object_add(o, "dropin_read", json_object_new_boolean(db->dropin_read));
        json_object_object_add(o, "data_bytes", json_object_new_uint64(db->data_bytes));
        options = json_object_new_object();
        for (int i = 0; i < _DB_OPT_MAX; i++)
                if (db->opt[i].source != SOURCE_UNKNOWN)
                        json_object_object_add(options, db_options[i].name,
                                               value_json(&db->opt[i], db->after_memprov & 1u << i,
                                                          mysql_kept(db, i)));
        json_object_object_add(o, "options", options);
        json_object_object_add(plan_extra_object(p, "inputs"), "database", o);

        if (db->dropin_dir && !db->dropin_read)
                plan_note(p,
                          "%s%s is not among the directories the database server's option "
                          "files include: memprov's drop-in there would not take effect",
                          ctx->root, db->dropin_dir);
        for (int i = 0; i < _DB_OPT_MAX; i++) {
                const struct effective_value *v = &db->opt[i];
                char why[160];
                if (!mysql_kept(db, i))
                        continue;
                if (db->after_memprov & 1u << i)
                        after_why(db, v, why, sizeof(why));
                else
                        snprintf(why, sizeof(why), "%s",
                                 db->edited & 1u << i ? " (a package's file, changed since it was "
                                                        "installed: dpkg's checksum differs)"
                                 : db->unverified & 1u << i
                                     ? " (a package's file, which sets no sized option as "
                                       "shipped; dpkg records no checksum to compare)"
                                     : "");
                plan_note(p,
                          "database: %s = %s (%s%s) is %s and wins%s: memprov leaves it out of its "
                          "drop-in and the budget counts it (remove the line to let memprov size "
                          "it)",
                          db_options[i].name,
                          db_options[i].kind == CNF_SIZE
                              ? format_size(v->value, size)
                              : (snprintf(size, sizeof(size), "%llu", (unsigned long long)v->value),
                                 size),
                          ctx->root, v->origin,
                          db->after_memprov & 1u << i ? "read after memprov's drop-in"
                                                      : "the admin's",
                          why);
        }
}
