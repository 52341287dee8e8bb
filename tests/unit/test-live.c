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

#include "../../lib/fsutil.h"
#include "../../lib/live.h"
#include "../../lib/size.h"
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

/* A root holding the new drop-in, and the live action that moves the server from old to new. */
static char *stage_live_cnf(struct context *ctx, struct action *a, const char *old, const char *new)
{
        char *dir = test_mkdtemp();

        test_write(dir, CNF + 1, new);
        ctx->rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        a->path = xstrdup(CNF);
        a->content = xstrdup(new);
        a->content_size = strlen(new);
        a->value = xstrdup(old);
        return dir;
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
        dir = stage_live_cnf(&ctx, &a, old, new);
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

static int read_path(const char *path, char **ret)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

        return fd < 0 ? -errno : read_fd(fd, 1 << 20, ret, NULL);
}

/* The drop-in's value of name in bytes, or NULL (an absent name, or not a number). */
static char *dropin_bytes(const char *cnf, const char *name)
{
        _cleanup_free_ char *key = xasprintf("\n%s = ", name);
        const char *p = strstr(cnf, key);
        char value[64];
        uint64_t n;

        if (!p || sscanf(p + strlen(key), "%63s", value) != 1 || parse_size(value, &n) < 0)
                return NULL;
        return xasprintf("%" PRIu64, n);
}

/* Each name of a comma-separated list: does the server run the drop-in's value? */
static void check_list(const char *cnf, const char *list, bool runs)
{
        _cleanup_free_ char *copy = xstrdup(list);
        char *save = NULL;

        for (char *n = strtok_r(copy, ", ", &save); n; n = strtok_r(NULL, ", ", &save)) {
                _cleanup_free_ char *want = dropin_bytes(cnf, n);
                if (!want)
                        continue; /* removed from the drop-in, or an enum */
                _cleanup_free_ char *got = global(n);
                if (runs != streq(got, want))
                        fprintf(stderr, "  %s: server %s, drop-in %s, named %s\n", n,
                                got ? got : "?", want, runs ? "live" : "needs a restart");
                CHECK(runs == streq(got, want));
        }
}

/*
 * memprov's real drop-ins, one tier to the next (tests/integration/services-daemons.sh: a
 * server started with the lower tier's file, MEMPROV_TEST_MYSQL_TIERS=OLD:NEW): every variable
 * named live runs the new file's value, every one named as needing a restart does not.
 */
TEST(mysql_live_names_what_the_server_runs)
{
        const char *tiers = getenv("MEMPROV_TEST_MYSQL_TIERS");
        _cleanup_free_ char *old_path = NULL, *dir = NULL, *old = NULL, *new = NULL;
        _cleanup_free_ char *live = NULL, *restart = NULL;
        struct options o = {.rerun = true};
        struct facts facts = {.systemd_running = true};
        struct config config = {0};
        struct action a = {.type = ACTION_SQL_LIVE, .module = "mysql"};
        struct context ctx = {.opts = &o, .live = true, .facts = &facts, .config = &config};
        char *sep;

        if (!tiers || !strchr(tiers, ':'))
                return;
        old_path = xstrdup(tiers);
        sep = strchr(old_path, ':');
        *sep = '\0';
        CHECK(read_path(old_path, &old) == 0);
        CHECK(read_path(sep + 1, &new) == 0);
        if (!old || !new)
                return;
        dir = stage_live_cnf(&ctx, &a, old, new);
        CHECK(mysql_apply_live(&ctx, &a) == 0);
        printf("# %s\n", a.note);
        CHECK(startswith(a.note, "live: "));
        live = xstrdup(a.note + strlen("live: "));
        if ((sep = strstr(live, "; needs a restart: "))) {
                restart = xstrdup(sep + strlen("; needs a restart: "));
                *sep = '\0';
        }
        check_list(new, live, true);
        if (restart)
                check_list(new, restart, false);

        close(ctx.rootfd);
        free(a.path), free(a.content), free(a.value), free(a.note);
        test_rmtree(dir);
}
