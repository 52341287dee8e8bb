/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration readers issue 18 added for the database and the unit groups: the bytes as
 * the server's option file (/etc/mysql/my.cnf, through its includes inside a scratch root) and
 * as BIND's named.conf, read as memprov reads them. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/util.h"
#include "../../modules/mysql.h"
#include "../../modules/units.h"
#include "fuzz.h"

static char root[] = "/tmp/memprov-fuzz-cnf.XXXXXX";
static int rootfd = -1;
static const char *const files[] = {"/etc/mysql/my.cnf", "/etc/mysql/mariadb.conf.d/50-server.cnf",
                                    "/etc/bind/named.conf"};
static const char *const dirs[] = {"/etc", "/etc/mysql", "/etc/mysql/mariadb.conf.d", "/etc/bind"};

/* The scratch root goes when the fuzzer exits. */
static void remove_root(void)
{
        char path[300];

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                snprintf(path, sizeof(path), "%s%s", root, files[i]);
                unlink(path);
        }
        for (size_t i = ELEMENTSOF(dirs); i > 0; i--) {
                snprintf(path, sizeof(path), "%s%s", root, dirs[i - 1]);
                rmdir(path);
        }
        rmdir(root);
}

static void put(const char *path, const uint8_t *data, size_t size)
{
        char full[256];
        FILE *f;

        snprintf(full, sizeof(full), "%s%s", root, path);
        f = fopen(full, "we");
        if (!f)
                abort();
        if (size)
                fwrite(data, 1, size, f);
        fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct facts facts = {0};
        struct context ctx;
        struct db_server db = {.flavor = DB_MARIADB,
                               .version_known = true,
                               .major = 10,
                               .minor = 11,
                               .dropin_dir = "/etc/mysql/mariadb.conf.d"};
        char datadir[256], *why;

        if (rootfd < 0) {
                char dir[300];
                if (!mkdtemp(root))
                        abort();
                atexit(remove_root);
                for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                        snprintf(dir, sizeof(dir), "%s%s", root, dirs[i]);
                        mkdir(dir, 0755);
                }
                rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (rootfd < 0)
                        abort();
        }
        /* my.cnf, again where an !includedir of memprov's directory finds it, and named.conf. */
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                put(files[i], data, size);
        ctx = (struct context){.rootfd = rootfd, .root = root, .facts = &facts};
        mysql_read_options(&ctx, &db, datadir);
        why = units_group_in_use(&ctx, "bind");
        free(why);
        return 0;
}
