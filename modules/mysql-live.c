/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * After --rerun on a running machine, the database's new settings made live through the
 * server's own client (mariadb, else mysql; root over the local socket, as Debian's packaging
 * sets it up): SET GLOBAL for every variable whose value changed in memprov's drop-in. What the
 * server refuses to change while running (a read-only variable such as thread_stack, or a
 * value removed from the drop-in, which falls back to the default only at a start) is named
 * in the output. The server is restarted instead only when asked (--restart-services,
 * [services] restart = yes): a restart drops every connection.
 *
 * A server may accept SET GLOBAL and keep running another value: from MariaDB 10.11.12 /
 * 11.4.6 / 11.8.2 (MDEV-29445) innodb_buffer_pool_size grows live only up to
 * innodb_buffer_pool_size_max, a start-up variable that defaults to the start-up
 * innodb_buffer_pool_size ("InnoDB Buffer Pool", Buffer Pool Changes, mariadb.com docs);
 * MariaDB 11.8.6 on Debian 13 answered a larger SET GLOBAL with success and kept 32M (Debian
 * 12's 10.11.19 defaults the maximum to 8 TiB instead, measured: it grows live). So every
 * variable is read back (SELECT @@GLOBAL.name, same session) and named live only when the
 * server runs the value of the drop-in; otherwise it needs a restart.
 */
#include <ctype.h>
#include <ini.h>
#include <inttypes.h>

#include "../lib/live.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "../lib/spawn.h"
#include "mysql.h"

#define CLIENT_OUTPUT_MAX 4096

struct cnf_var {
        char name[64];
        char value[64];
};

struct cnf {
        struct cnf_var v[48];
        size_t n;
};

static int cnf_handler(void *user, const char *section, const char *key, const char *value)
{
        struct cnf *c = user;

        if (!streq(section, "mysqld") || c->n >= ELEMENTSOF(c->v))
                return 1;
        snprintf(c->v[c->n].name, sizeof(c->v[c->n].name), "%s", key);
        snprintf(c->v[c->n].value, sizeof(c->v[c->n].value), "%s", value);
        c->n++;
        return 1;
}

static const char *cnf_get(const struct cnf *c, const char *name)
{
        for (size_t i = 0; i < c->n; i++)
                if (streq(c->v[i].name, name))
                        return c->v[i].value;
        return NULL;
}

/* "SET GLOBAL name = bytes; SELECT @@GLOBAL.name" for memprov's own values: names of
 * [a-z0-9_], sizes or numbers; *want is the value in bytes. */
static char *set_statement(const struct cnf_var *v, uint64_t *want)
{
        if (v->name[strspn(v->name, "abcdefghijklmnopqrstuvwxyz0123456789_")] != '\0' ||
            parse_size(v->value, want) < 0)
                return NULL;
        return xasprintf("SET GLOBAL %s = %" PRIu64 "; SELECT @@GLOBAL.%s", v->name, *want,
                         v->name);
}

/* 0 when the server runs the drop-in's value after SET GLOBAL; -ERANGE when it accepted the
 * statement but runs another value (a number), -EIO when it refused it (a read-only
 * variable). */
static int set_live(const char *client, const struct cnf_var *v)
{
        uint64_t want, runs;
        _cleanup_free_ char *out = NULL;
        _cleanup_free_ char *sql = set_statement(v, &want);
        int r;

        if (!sql)
                return -EINVAL;
        char *argv[] = {(char *)client,
                        "--batch",
                        "--skip-column-names",
                        "--connect-timeout=10",
                        "-e",
                        sql,
                        NULL};
        r = spawn_output(argv, CLIENT_OUTPUT_MAX, &out);
        if (r < 0)
                return r;
        out[strcspn(out, "\n")] = '\0';
        /* An enum reads back as its name (query_cache_type = 0 is OFF): the server refuses a
         * value it does not take (ER_WRONG_VALUE_FOR_VAR), so the SET's success stands. Nothing
         * readable is not taken for granted. */
        if (parse_size(out, &runs) < 0)
                return isalpha((unsigned char)out[0]) && !streq(out, "NULL") ? 0 : -EBADMSG;
        if (runs != want) {
                log_info("the database runs %s = %" PRIu64 " after SET GLOBAL %" PRIu64, v->name,
                         runs, want);
                return -ERANGE;
        }
        return 0;
}

static void append(char **list, const char *name)
{
        char *s = xasprintf("%s%s%s", *list ? *list : "", *list ? ", " : "", name);

        free(*list);
        *list = s;
}

int mysql_apply_live(const struct context *ctx, struct action *a)
{
        static const char *const clients[] = {"/usr/bin/mariadb", "/usr/bin/mysql", NULL};
        _cleanup_free_ char *set = NULL, *restart = NULL;
        const char *client = find_program(clients);
        struct cnf old = {0}, new = {0};

        if (!live_wanted(ctx))
                return 0;
        free(a->note);
        a->note = NULL;
        if (!live_file_in_place(ctx, a->path, a->content, a->content_size)) {
                a->note = xasprintf("%s is not memprov's planned file: nothing set", a->path);
                return 0;
        }
        (void)ini_parse_string(a->value ? a->value : "", cnf_handler, &old);
        (void)ini_parse_string(a->content, cnf_handler, &new);
        for (size_t i = 0; i < new.n; i++) {
                const char *was = cnf_get(&old, new.v[i].name);
                if (was && streq(was, new.v[i].value))
                        continue;
                if (client && set_live(client, &new.v[i]) == 0)
                        append(&set, new.v[i].name);
                else
                        append(&restart, new.v[i].name);
        }
        for (size_t i = 0; i < old.n; i++)
                if (!cnf_get(&new, old.v[i].name))
                        append(&restart, old.v[i].name);
        if (restart)
                log_warning("the database needs a restart for: %s (systemctl restart the "
                            "server, or memprov --rerun --restart-services)",
                            restart);
        a->changed = set != NULL;
        a->note = xasprintf("%s%s%s%s", set ? "live: " : "", set ? set : "",
                            restart ? (set ? "; needs a restart: " : "needs a restart: ") : "",
                            restart ? restart : "");
        return 0;
}

/* The server's unit, for a restart when asked. */
static const char *db_unit(const struct context *ctx)
{
        static const char *const units[] = {"mariadb.service", "mysql.service", "mysqld.service",
                                            NULL};
        return live_first_unit(ctx, units);
}

void mysql_plan_live(const struct context *ctx, struct plan *p, const struct action *file)
{
        _cleanup_free_ char *old = NULL;
        const char *unit = db_unit(ctx);
        struct action *a;

        if (!live_wanted(ctx) || !live_file_changes(ctx, file, &old))
                return;
        if (live_restart_wanted(ctx) && unit) {
                live_plan_unit(p, "mysql", file, unit, UNIT_RESTART)->note =
                    xstrdup("asked for: --restart-services or [services] restart");
                return;
        }
        char *path = xstrdup(file->path), *content = xstrdup(file->content);
        a = plan_add(p, ACTION_SQL_LIVE, "mysql"); /* may move file: copied first */
        a->path = path;
        a->content = content;
        a->content_size = strlen(content);
        a->value = TAKE_PTR(old);
        a->note = xstrdup("SET GLOBAL what changed");
}
