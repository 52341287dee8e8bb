/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether a database option file the packages ship is still as the package installed it. dpkg
 * records each conffile's MD5 as shipped in its status database ("Conffiles:", printed by
 * `dpkg-query --showformat='${Conffiles}'`; deb-conffiles(5), dpkg-query(1)), and keeps no copy
 * of the shipped text: so memprov can tell that a file was edited, not which line. The packages'
 * own files set no option memprov sizes as shipped (Debian 12's mariadb-server 10.11.19
 * 50-server.cnf and the rest of /etc/mysql on this machine: only commented examples such as
 * "#innodb_buffer_pool_size = 8G"), so an option in an edited file is the admin's (mysql-cnf.c).
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../lib/chase.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/spawn.h"
#include "mysql.h"

#define MD5_HEX 32

/* Every installed package's conffile lines (" /etc/mysql/... MD5 [obsolete]"), asked once per
 * run and only when a package's file sets an option memprov sizes. --root (dpkg >= 1.21) as in
 * mysql-detect.c; dpkg-query reads only its status file, a few ms. */
static const char *conffile_lines(const struct context *ctx, struct mysql_conffiles *c)
{
        static const char *const dpkg_query[] = {"/usr/bin/dpkg-query", NULL};
        _cleanup_free_ char *root = NULL;
        char *argv[5];
        size_t n = 0;

        if (c->asked)
                return c->text;
        c->asked = true;
        argv[n++] = (char *)find_program(dpkg_query);
        if (!argv[0])
                return NULL; /* EL: no dpkg */
        if (ctx->root[0])
                argv[n++] = root = xasprintf("--root=%s", ctx->root);
        argv[n++] = (char *)"--show";
        argv[n++] = (char *)"--showformat=${Conffiles}\n";
        argv[n] = NULL;
        if (spawn_output(argv, 16 * MIB, &c->text) < 0)
                c->text = NULL;
        return c->text;
}

/* The MD5 dpkg records for path, as 32 hex digits in ret, or -ENOENT. */
static int recorded_md5(const char *lines, const char *path, char ret[static MD5_HEX + 1])
{
        size_t len = strlen(path);

        for (const char *l = lines; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                const char *s = l + strspn(l, " ");
                if (strncmp(s, path, len) != 0 || s[len] != ' ')
                        continue;
                s += len + 1;
                if (strspn(s, "0123456789abcdef") != MD5_HEX)
                        return -ENOENT; /* "newconffile": not installed yet */
                memcpy(ret, s, MD5_HEX);
                ret[MD5_HEX] = '\0';
                return 0;
        }
        return -ENOENT;
}

/* The file's MD5 from coreutils' md5sum reading the bytes memprov read (links resolved inside
 * the root) on its stdin: no path of the root is handed to a program that would follow links. */
static int file_md5(const struct context *ctx, const char *path, char ret[static MD5_HEX + 1])
{
        static const char *const md5sum[] = {"/usr/bin/md5sum", "/bin/md5sum", NULL};
        _cleanup_free_ char *text = NULL, *out = NULL;
        _cleanup_close_ int fd = -1;
        char *argv[2] = {(char *)find_program(md5sum), NULL};
        size_t size;
        int r;

        if (!argv[0])
                return -ENOENT;
        r = chase_read_file(ctx->rootfd, path, &text, &size);
        if (r < 0)
                return r;
        fd = memfd_create("memprov-cnf", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = write_all(fd, text, size);
        if (r < 0)
                return r;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        r = spawn_output_stdin(argv, fd, 4096, &out);
        if (r < 0)
                return r;
        if (strspn(out, "0123456789abcdef") != MD5_HEX)
                return -EIO;
        memcpy(ret, out, MD5_HEX);
        ret[MD5_HEX] = '\0';
        return 0;
}

int mysql_conffile_changed(const struct context *ctx, struct mysql_conffiles *c, const char *path)
{
        char want[MD5_HEX + 1], got[MD5_HEX + 1];
        int r;

        r = recorded_md5(conffile_lines(ctx, c), path, want);
        if (r < 0)
                return r;
        r = file_md5(ctx, path, got);
        if (r < 0)
                return log_full(LOG_LEVEL_DEBUG, r, "%s%s: checksum not computed", ctx->root, path);
        return !streq(want, got);
}
