/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <sys/stat.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "../lib/spawn.h"
#include "mysql.h"

static int check_trx_commit(const char *v)
{
        return streq(v, "0") || streq(v, "1") || streq(v, "2") ? 0 : -EINVAL;
}

/* The [mysqld] options memprov writes, in file order: "tier" keys named "mysqld.OPTION". */
static const struct config_key mysql_keys[] = {
    {"tier", "mysqld.innodb_buffer_pool_size", check_size},
    {"tier", "mysqld.innodb_log_buffer_size", check_size},
    {"tier", "mysqld.innodb_flush_log_at_trx_commit", check_trx_commit},
    {"tier", "mysqld.query_cache_type", check_trx_commit},
    {"tier", "mysqld.query_cache_size", check_size},
    {"tier", "mysqld.max_connections", check_uint},
    {"tier", "mysqld.max_user_connections", check_uint},
    {"tier", "mysqld.key_buffer_size", check_size},
    {"tier", "mysqld.max_allowed_packet", check_size},
    {"tier", "mysqld.table_open_cache", check_uint},
    {"tier", "mysqld.sort_buffer_size", check_size},
    {"tier", "mysqld.read_buffer_size", check_size},
    {"tier", "mysqld.read_rnd_buffer_size", check_size},
    {"tier", "mysqld.net_buffer_length", check_size},
    {"tier", "mysqld.thread_stack", check_size},
    /* MariaDB only (Aria is MariaDB's engine): written and counted for MariaDB alone. */
    {"tier", "mysqld.aria_pagecache_buffer_size", check_size},
    /* MySQL only: MariaDB's performance_schema is off by default; temptable_* from MySQL 8.0. */
    {"tier", "mysqld.performance_schema", check_bool},
    {"tier", "mysqld.temptable_max_ram", check_size},
    {0},
};

bool mysql_has_query_cache(const struct db_server *s)
{
        if (s->flavor == DB_MARIADB)
                return true;
        return s->version_known && s->major < 8;
}

/* Aria (system tables, on-disk internal temporary tables) exists in MariaDB only; its page
 * cache is a global buffer of 128M by default (MariaDB's server system variables). */
static bool has_aria(const struct db_server *s)
{
        return s->flavor == DB_MARIADB;
}

/* The size the server will run with for an option memprov may write as key: a file read after
 * memprov's, or the admin's before it, wins (mysql_kept); else memprov's tier value; else the
 * effective value of the files before memprov's; else the server's default, def. */
static uint64_t db_size(const struct context *ctx, const struct db_server *s, enum db_option opt,
                        const char *key, uint64_t def)
{
        const struct effective_value *v = &s->opt[opt];

        if (mysql_kept(s, opt))
                return v->value;
        if (tier_value(ctx, key))
                return service_size(ctx, key, def);
        return v->source != SOURCE_UNKNOWN ? v->value : def;
}

/* MySQL 8's own costs (issue 18, item 6); MariaDB has neither TempTable nor a
 * performance_schema on by default. Version-blind safety: a server refuses to start on a variable
 * it does not know, so temptable_* is written (and counted) only for a MySQL known to be 8+. */
static bool is_mysql8(const struct db_server *s)
{
        return s->flavor == DB_MYSQL && s->version_known && s->major >= 8;
}

static bool performance_schema_on(const struct context *ctx, const struct db_server *s)
{
        const struct effective_value *v = &s->opt[DB_OPT_PERFORMANCE_SCHEMA];
        const char *tier = tier_value(ctx, "mysqld.performance_schema");
        bool on;

        if (mysql_kept(s, DB_OPT_PERFORMANCE_SCHEMA))
                return v->value != 0;
        if (tier && parse_bool(tier, &on) == 0)
                return on;
        /* MySQL 8.0's reference manual: performance_schema is ON by default. */
        return v->source != SOURCE_UNKNOWN ? v->value != 0 : true;
}

/* TempTable's in-memory internal temporary tables up to temptable_max_ram (MySQL 8.0's default
 * 1G: reference manual, "Internal Temporary Table Use in MySQL"), bounded per tier and counted
 * whole; performance_schema's instruments at mysqld.performance_schema when on. */
static uint64_t mysql8_fixed(const struct context *ctx, const struct db_server *s)
{
        uint64_t n = 0;

        if (!is_mysql8(s))
                return 0;
        n = db_size(ctx, s, DB_OPT_TEMPTABLE_MAX_RAM, "mysqld.temptable_max_ram", 1 * GIB);
        if (performance_schema_on(ctx, s))
                n = size_add(n, service_size(ctx, "mysqld.performance_schema", 256 * MIB));
        return n;
}

static const char *server_name(const struct db_server *s, char buf[static 32])
{
        const char *name = s->flavor == DB_MARIADB ? "mariadb" : "mysql";

        if (!s->version_known)
                return name;
        snprintf(buf, 32, "%s %u.%u.%u", name, s->major, s->minor, s->patch);
        return buf;
}

/* The buffer pool grows, as a cache (ROLE_CACHE), from the tier's size (a share of RAM) toward
 * the InnoDB data where its size can be read (+25% for growth), into the RAM the model leaves
 * free: never past the data, never where an admin's later file sets the pool. */
static void add_pool_cache(const struct context *ctx, const struct db_server *s, struct budget *b)
{
        uint64_t pool = db_size(ctx, s, DB_OPT_INNODB_BUFFER_POOL_SIZE,
                                "mysqld.innodb_buffer_pool_size", 128 * MIB),
                 target = s->data_bytes / 4 * 5;
        struct budget_line *l;

        if (s->data_bytes == 0 || target <= pool ||
            !tier_value(ctx, "mysqld.innodb_buffer_pool_size") ||
            mysql_kept(s, DB_OPT_INNODB_BUFFER_POOL_SIZE))
                return;
        l = budget_add(b, "mysqld.pool", "innodb_buffer_pool_size", 1, 0, 1, 0, 1 * MIB);
        if (!l)
                return;
        snprintf(l->service, sizeof(l->service), "buffer pool (cache)");
        l->role = ROLE_CACHE;
        l->wanted = (unsigned)MIN((target - pool + MIB - 1) / MIB, (uint64_t)UINT32_MAX / 2);
        l->count = 0;
}

/* MariaDB shrinks the buffer pool on a memory-pressure event down to
 * innodb_buffer_pool_size_auto_min (MDEV-29445; the name as mariadbd 10.11.19 and 11.8.9
 * --verbose --help print it: "Minimum innodb_buffer_pool_size for dynamic shrinking on memory
 * pressure"). The MariaDB KB's InnoDB system variables page: "Introduced: MariaDB 10.11.12,
 * MariaDB 11.4.6, MariaDB 11.8.2". A server refuses to start on an unknown variable, so it is
 * written only on those series from those releases on, never on the short-term series between
 * them (11.0 to 11.3, 11.5 to 11.7), on MySQL, or on a version memprov does not know. 12.0 is not
 * in the KB's list: its first stable release (12.0.2) came after 11.8.2, whose work the newer
 * series carry, so 12.0.2 and later get it (an inference, not a check on a 12.x server). */
static bool has_pool_auto_min(const struct db_server *s)
{
        static const struct {
                unsigned major, minor, patch;
        } first[] = {{10, 11, 12}, {11, 4, 6}, {11, 8, 2}, {12, 0, 2}};

        if (s->flavor != DB_MARIADB || !s->version_known)
                return false;
        if (s->major > 12 || (s->major == 12 && s->minor > 0))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(first); i++)
                if (s->major == first[i].major && s->minor == first[i].minor)
                        return s->patch >= first[i].patch;
        return false;
}

/* The server's typical resident size: mysqld.base (what it holds besides its global buffers,
 * measured) + the global buffers at the sizes it will run with; each connection mysqld.connection.
 * Per-query buffers (sort, join, read, tmp tables) are allocated on demand and are not resident
 * in the steady state; the measured base holds those of the measured load. Defaults are the
 * servers' documented ones (MariaDB's server system variables; MySQL 8.0's reference manual). */
static int mysql_budget(const struct context *ctx, struct budget *b)
{
        const struct db_server *s = &ctx->services->db;
        struct budget_line *l;
        uint64_t fixed;
        char name[32];

        if (s->flavor == DB_NONE || !s->dropin_dir)
                return 0;
        /* Saturating: an admin's value near 2^64 (the server clamps it) must not wrap the sum. */
        fixed = size_add(
            size_add(service_size(ctx, "mysqld.base", 24 * MIB),
                     db_size(ctx, s, DB_OPT_INNODB_BUFFER_POOL_SIZE,
                             "mysqld.innodb_buffer_pool_size", 128 * MIB)),
            size_add(db_size(ctx, s, DB_OPT_INNODB_LOG_BUFFER_SIZE, "mysqld.innodb_log_buffer_size",
                             16 * MIB),
                     db_size(ctx, s, DB_OPT_KEY_BUFFER_SIZE, "mysqld.key_buffer_size", 128 * MIB)));
        if (mysql_has_query_cache(s))
                fixed = size_add(fixed, service_size(ctx, "mysqld.query_cache_size", 1 * MIB));
        if (has_aria(s))
                fixed = size_add(fixed, db_size(ctx, s, DB_OPT_ARIA_PAGECACHE_BUFFER_SIZE,
                                                "mysqld.aria_pagecache_buffer_size", 128 * MIB));
        fixed = size_add(fixed, mysql8_fixed(ctx, s));
        l = budget_add(b, "mysqld", "max_connections",
                       service_uint(ctx, "mysqld.max_connections", 151),
                       service_uint(ctx, "mysqld.min_connections", 10), 1, fixed,
                       service_size(ctx, "mysqld.connection", 256 * KIB));
        if (!l)
                return 0;
        snprintf(l->service, sizeof(l->service), "%s", server_name(s, name));
        l->role = ROLE_DB;
        add_pool_cache(ctx, s, b);
        if (mysql_kept(s, DB_OPT_MAX_CONNECTIONS)) {
                l->bound = BOUND_ADMIN;
                l->count = l->wanted = (unsigned)s->opt[DB_OPT_MAX_CONNECTIONS].value;
        }
        return 0;
}

/* Sizes as the server reads them: whole K/M/G, else bytes (1.5G -> 1536M). */
static void print_option(FILE *f, const struct config_key *k, const char *v)
{
        const char *option = k->key + strlen("mysqld.");
        char buf[32];
        uint64_t n;

        if (k->check == check_size && parse_size(v, &n) == 0) {
                if (n > 0 && n % KIB == 0)
                        v = format_size_exact(n, buf);
                else {
                        snprintf(buf, sizeof(buf), "%llu", (unsigned long long)n);
                        v = buf;
                }
        }
        fprintf(f, "%s = %s\n", option, v);
}

/* The db_option a tier key writes, or -1. */
static int key_option(const char *key)
{
        int neg, o = mysql_option_lookup(key + strlen("mysqld."), &neg);

        return o >= 0 && o < _DB_OPT_MAX ? o : -1;
}

/* Whether memprov writes key for this server: never a variable it may not know, nor one a later
 * file or the admin sets (mysql_kept: that value wins; the budget counts it). */
static bool writes_key(const struct db_server *s, const char *key)
{
        int opt = key_option(key);

        if (startswith(key, "mysqld.query_cache") && !mysql_has_query_cache(s))
                return false;
        if (startswith(key, "mysqld.aria_") && !has_aria(s))
                return false;
        if (streq(key, "mysqld.performance_schema") && s->flavor != DB_MYSQL)
                return false;
        if (startswith(key, "mysqld.temptable_") && !is_mysql8(s))
                return false;
        return opt < 0 || !mysql_kept(s, opt);
}

static char *dropin_body(const struct context *ctx, const struct db_server *s, unsigned max_conn,
                         unsigned children, const struct budget_line *cache)
{
        uint64_t fitted = db_size(ctx, s, DB_OPT_INNODB_BUFFER_POOL_SIZE,
                                  "mysqld.innodb_buffer_pool_size", 128 * MIB);
        _cleanup_free_ char *body = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&body, &size);
        char buf[32];
        bool on;

        if (!f)
                abort();
        fprintf(f, "[mysqld]\n");
        for (const struct config_key *k = mysql_keys; k->section; k++) {
                const char *v = tier_value(ctx, k->key);
                if (!v || !writes_key(s, k->key))
                        continue;
                if (streq(k->key, "mysqld.max_connections"))
                        v = (snprintf(buf, sizeof(buf), "%u", max_conn), buf);
                else if (streq(k->key, "mysqld.max_user_connections"))
                        /* One site's user may hold every PHP child's connection. */
                        v = (snprintf(buf, sizeof(buf), "%u",
                                      MIN(MAX((unsigned)atol(v), children), max_conn)),
                             buf);
                else if (k->check == check_bool && parse_bool(v, &on) == 0)
                        v = on ? "ON" : "OFF";
                else if (streq(k->key, "mysqld.innodb_buffer_pool_size") && cache &&
                         cache->count > 0)
                        v = (snprintf(
                                 buf, sizeof(buf), "%lluM",
                                 (unsigned long long)((fitted + cache->count * cache->each) / MIB)),
                             buf);
                print_option(f, k, v);
        }
        /* The part of the pool the model did not budget is given back under pressure. */
        if (cache && cache->count > 0 && has_pool_auto_min(s))
                fprintf(f, "innodb_buffer_pool_size_auto_min = %lluM\n",
                        (unsigned long long)(fitted / MIB));
        fclose(f);
        return managed_file("#", "%s", body);
}

static int mysql_plan(const struct context *ctx, struct plan *p)
{
        const struct db_server *s = &ctx->services->db;
        _cleanup_free_ char *path = NULL;
        struct budget b;
        struct action *a;
        char name[32];
        int r;

        if (s->flavor == DB_NONE)
                return 0;
        mysql_plan_inputs(ctx, p); /* mysql-options.c: what the server reads without memprov */
        if (!service_sizing_enabled(ctx))
                return 0;
        if (!s->dropin_dir) {
                plan_note(p,
                          "%s is installed but none of its include directories "
                          "(mariadb.conf.d, mysql.conf.d, my.cnf.d) exists; left alone",
                          server_name(s, name));
                return 0;
        }
        r = budget_compute(ctx, &b);
        if (r < 0)
                return r;
        if (!mysql_has_query_cache(s) && tier_value(ctx, "mysqld.query_cache_type"))
                plan_note(p, "%s: query_cache options left out (%s)", server_name(s, name),
                          s->version_known ? "MySQL 8.0 removed the query cache"
                                           : "server version unknown");
        path = xasprintf("%s/%s", s->dropin_dir, MYSQL_DROPIN);
        a = plan_add_file(p, "mysql", path, 0644,
                          dropin_body(ctx, s, budget_count(&b, "mysqld", 151),
                                      budget_php_children(&b), budget_find(&b, "mysqld.pool")));
        a->note = xasprintf("%s", server_name(s, name));
        mysql_plan_live(ctx, p, a);
        return 0;
}

const struct module mysql_module = {
    .name = "mysql",
    .keys = mysql_keys,
    .plan = mysql_plan,
    .detect = mysql_detect,
    .budget = mysql_budget,
    .action_types = 1u << ACTION_SQL_LIVE,
    .apply = mysql_apply_live,
};
