/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --rerun's live database settings against a real server: tests/integration/live-mysql.sh
 * starts a private mariadbd, points the client at it through /etc/mysql (in a private mount
 * namespace) and runs this test with MEMPROV_TEST_MYSQL=1. Without it there is no server to
 * ask: nothing to check.
 */
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/live.h"
#include "../../lib/spawn.h"
#include "../../lib/util.h"
#include "../../modules/mysql.h"
#include "test.h"

#define CNF "/etc/mysql/mariadb.conf.d/99-memprov.cnf"

static char *global(const char *name)
{
        _cleanup_free_ char *sql = xasprintf("SELECT @@GLOBAL.%s", name);
        char *argv[] = {"/usr/bin/mariadb", "--batch", "--skip-column-names", "-e", sql, NULL};
        char *out = NULL;

        if (spawn_output(argv, 4096, &out) < 0)
                return xstrdup("?");
        out[strcspn(out, "\n")] = '\0';
        return out;
}

TEST(mysql_live_sets_what_changed)
{
        static const char old[] = "[mysqld]\nmax_connections = 50\ninnodb_buffer_pool_size = "
                                  "32M\nthread_stack = 256K\nkey_buffer_size = 4M\n"
                                  "sort_buffer_size = 64K\n";
        static const char new[] = "# Managed by memprov\n[mysqld]\nmax_connections = 77\n"
                                  "innodb_buffer_pool_size = 64M\nthread_stack = 512K\n"
                                  "sort_buffer_size = 64K\n";
        _cleanup_free_ char *dir = NULL, *conns = NULL, *pool = NULL;
        struct options o = {.rerun = true};
        struct facts facts = {.systemd_running = true};
        struct config config = {0};
        struct action a = {.type = ACTION_SQL_LIVE, .module = "mysql"};
        struct context ctx = {.opts = &o, .live = true, .facts = &facts, .config = &config};

        if (!getenv("MEMPROV_TEST_MYSQL"))
                return;
        dir = test_mkdtemp();
        test_write(dir, CNF + 1, new);
        ctx.rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        a.path = xstrdup(CNF);
        a.content = xstrdup(new);
        a.content_size = strlen(new);
        a.value = xstrdup(old);
        CHECK(mysql_apply_live(&ctx, &a) == 0);
        CHECK(a.changed);
        CHECK_STR(a.note, "live: max_connections, innodb_buffer_pool_size; needs a restart: "
                          "thread_stack, key_buffer_size");
        conns = global("max_connections");
        CHECK_STR(conns, "77");
        /* InnoDB resizes its buffer pool in the background. */
        for (int i = 0; i < 100; i++) {
                free(pool);
                pool = global("innodb_buffer_pool_size");
                if (streq(pool, "67108864"))
                        break;
                nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
        }
        CHECK_STR(pool, "67108864");

        /* Beyond innodb_buffer_pool_size_max (live-mysql.sh starts the server with 64M, as
         * MariaDB 11.8 caps at its start-up size): the server keeps 64M, and memprov says so. */
        if (getenv("MEMPROV_TEST_MYSQL_POOL_MAX")) {
                static const char big[] = "[mysqld]\nmax_connections = 78\n"
                                          "innodb_buffer_pool_size = 128M\n";
                test_write(dir, CNF + 1, big);
                free(a.value), free(a.note);
                a.value = TAKE_PTR(a.content);
                a.content = xstrdup(big);
                a.content_size = strlen(big);
                a.note = NULL;
                CHECK(mysql_apply_live(&ctx, &a) == 0);
                CHECK_STR(a.note, "live: max_connections; needs a restart: "
                                  "innodb_buffer_pool_size, thread_stack, sort_buffer_size");
                free(pool);
                pool = global("innodb_buffer_pool_size");
                CHECK_STR(pool, "67108864");
                free(conns);
                conns = global("max_connections");
                CHECK_STR(conns, "78");
        }

        /* An admin's edit in place of memprov's file: nothing is set. */
        test_write(dir, CNF + 1, "[mysqld]\nmax_connections = 99\n");
        a.changed = false;
        CHECK(mysql_apply_live(&ctx, &a) == 0);
        CHECK(!a.changed);
        free(conns);
        conns = global("max_connections");
        CHECK_STR(conns, getenv("MEMPROV_TEST_MYSQL_POOL_MAX") ? "78" : "77");

        close(ctx.rootfd);
        free(a.path), free(a.content), free(a.value), free(a.note);
        test_rmtree(dir);
}
