/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MySQL 8's persisted variables: SET PERSIST writes DATADIR/mysqld-auto.cnf (JSON), which the
 * server reads at startup after every option file (persisted_globals_load, ON by default; MySQL
 * 8.0 manual, "Persisted System Variables"), so its values win over memprov's drop-in too.
 * Format 1: {"Version": 1, "mysql_server": {"max_connections": {"Value": "1000", "Metadata":
 * {...}}, ..., "mysql_server_static_options": {...}}}; later versions group the variables one
 * level deeper inside "mysql_server": any object with a "Value" string is read. MariaDB has no
 * SET PERSIST.
 */
#include <json-c/json.h>

#include "../lib/chase.h"
#include "../lib/log.h"
#include "mysql.h"

#define PERSIST_FILE "mysqld-auto.cnf"

static void read_group(json_object *group, struct db_server *db, const char *origin, unsigned depth)
{
        json_object_object_foreach(group, key, val)
        {
                json_object *value;
                uint64_t n;
                int neg, o;

                if (!json_object_is_type(val, json_type_object))
                        continue;
                if (!json_object_object_get_ex(val, "Value", &value)) {
                        if (depth == 0) /* a format's grouping: mysql_static_variables, ... */
                                read_group(val, db, origin, depth + 1);
                        continue;
                }
                o = mysql_option_lookup(key, &neg);
                if (o < 0 || o >= _DB_OPT_MAX || !json_object_is_type(value, json_type_string) ||
                    mysql_option_value(o, -1, json_object_get_string(value), &n) < 0)
                        continue;
                db->opt[o].value = n;
                db->opt[o].source = SOURCE_ADMIN;
                snprintf(db->opt[o].origin, sizeof(db->opt[o].origin), "%s", origin);
                /* Read after every option file: after memprov's drop-in where that is read. */
                if (db->dropin_read)
                        db->after_memprov |= 1u << o;
        }
}

void mysql_read_persisted(const struct context *ctx, struct db_server *db, const char *datadir)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", datadir, PERSIST_FILE), *text = NULL;
        json_object *root, *server;
        int r;

        if (db->flavor != DB_MYSQL)
                return;
        r = chase_read_file(ctx->rootfd, path, &text, NULL);
        if (r < 0) {
                if (r != -ENOENT)
                        log_warning("%s%s: not read: %s", ctx->root, path, chase_strerror(r));
                return;
        }
        root = json_tokener_parse(text);
        if (!root) {
                /* The server itself refuses to start on a malformed file. */
                log_warning("%s%s: not JSON: the server would not start with it", ctx->root, path);
                return;
        }
        if (json_object_object_get_ex(root, "mysql_server", &server) &&
            json_object_is_type(server, json_type_object))
                read_group(server, db, path, 0);
        json_object_put(root);
}
