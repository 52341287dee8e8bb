/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <sys/stat.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "../lib/spawn.h"
#include "mysql.h"

#define MYSQL_DROPIN "99-memprov.cnf"

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

static const char *server_name(const struct db_server *s, char buf[static 32])
{
        const char *name = s->flavor == DB_MARIADB ? "mariadb" : "mysql";

        if (!s->version_known)
                return name;
        snprintf(buf, 32, "%s %u.%u", name, s->major, s->minor);
        return buf;
}

/* mysqltuner's sum: base + global buffers + max_connections x per-connection buffers. */
static int mysql_budget(const struct context *ctx, struct budget *b)
{
        static const char *const per_connection[] = {
            "mysqld.sort_buffer_size", "mysqld.read_buffer_size",  "mysqld.read_rnd_buffer_size",
            "mysqld.join_buffer_size", "mysqld.binlog_cache_size", "mysqld.net_buffer_length",
            "mysqld.thread_stack",
        };
        const struct db_server *s = &ctx->services->db;
        struct budget_line *l;
        uint64_t fixed, each = 0;
        char name[32];

        if (s->flavor == DB_NONE || !s->dropin_dir)
                return 0;
        fixed = service_size(ctx, "mysqld.base", 64 * MIB) +
                service_size(ctx, "mysqld.innodb_buffer_pool_size", 128 * MIB) +
                service_size(ctx, "mysqld.innodb_log_buffer_size", 16 * MIB) +
                service_size(ctx, "mysqld.key_buffer_size", 128 * MIB) +
                service_size(ctx, "mysqld.tmp_table_size", 16 * MIB);
        if (mysql_has_query_cache(s))
                fixed += service_size(ctx, "mysqld.query_cache_size", 1 * MIB);
        if (has_aria(s))
                fixed += service_size(ctx, "mysqld.aria_pagecache_buffer_size", 128 * MIB);
        for (size_t i = 0; i < ELEMENTSOF(per_connection); i++)
                each += service_size(ctx, per_connection[i], 256 * KIB);
        l = budget_add(b, "mysqld", "max_connections",
                       service_uint(ctx, "mysqld.max_connections", 151),
                       service_uint(ctx, "mysqld.min_connections", 10), 1, fixed, each);
        if (l)
                snprintf(l->service, sizeof(l->service), "%s", server_name(s, name));
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
                        v = format_size(n, buf);
                else {
                        snprintf(buf, sizeof(buf), "%llu", (unsigned long long)n);
                        v = buf;
                }
        }
        fprintf(f, "%s = %s\n", option, v);
}

static char *dropin_body(const struct context *ctx, const struct db_server *s, unsigned max_conn)
{
        _cleanup_free_ char *body = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&body, &size);
        char buf[32];

        if (!f)
                abort();
        fprintf(f, "[mysqld]\n");
        for (const struct config_key *k = mysql_keys; k->section; k++) {
                const char *v = tier_value(ctx, k->key);
                if (!v)
                        continue;
                if (startswith(k->key, "mysqld.query_cache") && !mysql_has_query_cache(s))
                        continue;
                if (startswith(k->key, "mysqld.aria_") && !has_aria(s))
                        continue;
                if (streq(k->key, "mysqld.max_connections"))
                        v = (snprintf(buf, sizeof(buf), "%u", max_conn), buf);
                else if (streq(k->key, "mysqld.max_user_connections") && atol(v) > max_conn)
                        v = (snprintf(buf, sizeof(buf), "%u", max_conn), buf);
                print_option(f, k, v);
        }
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
                          dropin_body(ctx, s, budget_count(&b, "mysqld", 151)));
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
