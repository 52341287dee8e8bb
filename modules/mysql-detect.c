/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which database server is installed, its version and its include directory. */
#include <fcntl.h>
#include <sys/stat.h>

#include "../lib/chase.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "../lib/spawn.h"
#include "mysql.h"

/* "1:10.11.6-0+deb12u1" -> "10.11.6-0+deb12u1": dpkg versions may start with an epoch. */
static const char *skip_epoch(const char *s)
{
        size_t digits = strspn(s, "0123456789");

        return digits > 0 && s[digits] == ':' ? s + digits + 1 : s;
}

int mysql_parse_version(const char *text, struct db_server *s)
{
        const char *p = strstr(text, "Ver ");
        unsigned a, b, c = 0;
        int n;

        p = p ? p + strlen("Ver ") : skip_epoch(text);
        n = sscanf(p, "%u.%u.%u", &a, &b, &c);
        if (n < 2)
                return -EINVAL;
        s->major = a;
        s->minor = b;
        s->patch = n == 3 ? c : 0;
        return 0;
}

/* "mariadbd --version" on the running system: the version the server itself reports. */
static int server_version(const char *server, struct db_server *s)
{
        char *argv[] = {(char *)server, (char *)"--version", NULL};
        _cleanup_free_ char *out = NULL;
        int r;

        r = spawn_output(argv, 4096, &out);
        if (r == 0)
                r = mysql_parse_version(out, s);
        if (r < 0)
                return r;
        s->version_known = true;
        if (strstr(out, "MariaDB"))
                s->flavor = DB_MARIADB;
        return 0;
}

static bool is_server_package(const char *name, enum db_flavor *flavor)
{
        static const char *const mysql[] = {"mysql-server", "mysql-community-server",
                                            "percona-server-server"};

        if (startswith(name, "mariadb-server")) {
                *flavor = DB_MARIADB;
                return true;
        }
        for (size_t i = 0; i < ELEMENTSOF(mysql); i++)
                if (startswith(name, mysql[i])) {
                        *flavor = DB_MYSQL;
                        return true;
                }
        return false;
}

/* One "package<TAB>version<TAB>status" line of dpkg-query: the version if the line names an
 * installed server package. The status abbreviation "ii " reads want, state, error flag; dpkg's
 * "ok installed" is state 'i' without the 'R' (reinstall required) flag. */
static bool parse_package_line(char *line, struct db_server *s)
{
        char *version = strchr(line, '\t'), *status;
        enum db_flavor flavor;

        if (!version)
                return false;
        *version++ = '\0';
        status = strchr(version, '\t');
        if (!status)
                return false;
        *status++ = '\0';
        if (!is_server_package(line, &flavor) || strlen(status) < 2 || status[1] != 'i' ||
            status[2] == 'R')
                return false;
        if (mysql_parse_version(version, s) < 0)
                return false;
        s->flavor = flavor;
        s->version_known = true;
        return true;
}

/*
 * The installed server package's version, asked of dpkg-query (offline roots, fixtures, a server
 * that cannot say): dpkg's database is dpkg's to read. --root (dpkg >= 1.21) rather than
 * --admindir=ROOT/var/lib/dpkg, so that the binary names none of dpkg's paths, which lintian
 * takes for reading the database directly. Without dpkg-query (EL) the version stays unknown.
 */
static int package_version(const struct context *ctx, struct db_server *s)
{
        static const char *const dpkg_query[] = {"/usr/bin/dpkg-query", NULL};
        _cleanup_free_ char *root = NULL, *out = NULL;
        char *argv[6], *line, *save = NULL;
        size_t n = 0;
        int r;

        argv[n++] = (char *)find_program(dpkg_query);
        if (!argv[0])
                return -ENOENT;
        if (ctx->root[0])
                argv[n++] = root = xasprintf("--root=%s", ctx->root);
        argv[n++] = (char *)"--show";
        argv[n++] = (char *)"--showformat=${Package}\t${Version}\t${db:Status-Abbrev}\n";
        argv[n] = NULL;
        /* A few hundred packages on a server; far more is not a dpkg database we know. */
        r = spawn_output(argv, 16 * MIB, &out);
        if (r < 0)
                return log_full(LOG_LEVEL_DEBUG, r, "dpkg-query: database server version unknown");
        for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                if (parse_package_line(line, s))
                        return 0;
        return -ENOENT;
}

/* The server's version, where mysql_detect did not need it (MariaDB): the running server's
 * answer, else the package's. */
void mysql_ask_version(const struct context *ctx, struct db_server *s)
{
        static const char *const servers[] = {"/usr/sbin/mariadbd", "/usr/sbin/mysqld", NULL};
        const char *server = find_program(servers);
        enum db_flavor flavor = s->flavor;

        if (!(ctx->live && server && server_version(server, s) == 0))
                package_version(ctx, s);
        s->flavor = flavor; /* the binary's name said which; the version does not change it */
}

static bool is_innodb_file(const char *name, bool top)
{
        size_t len = strlen(name);

        if (len > 4 && streq(name + len - 4, ".ibd"))
                return true;
        /* The system tablespace (innodb_data_file_path's ibdata1) and the undo tablespaces
         * (undo001.. in MariaDB, undo_001 in MySQL 8) sit in the datadir itself; the redo log
         * (ib_logfile0) is not data the buffer pool caches. */
        return top && (startswith(name, "ibdata") || startswith(name, "undo"));
}

/* Bytes of InnoDB tablespaces in datadir and its database directories (one level down, where
 * the server keeps them): what a buffer pool as large as the data would cache. 0 when the
 * datadir cannot be read (not there, or a link: datadir links are not followed). */
static uint64_t innodb_data_bytes(int rootfd, const char *datadir)
{
        _cleanup_(closedirp) DIR *top = NULL;
        uint64_t total = 0;
        struct dirent *de;

        if (root_opendir(rootfd, datadir, &top) < 0)
                return 0;
        while ((de = readdir(top))) {
                _cleanup_(closedirp) DIR *sub = NULL;
                struct dirent *e;
                struct stat st;
                int fd;
                if (de->d_name[0] == '.' ||
                    fstatat(dirfd(top), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISREG(st.st_mode) && is_innodb_file(de->d_name, true))
                        total += (uint64_t)st.st_size;
                if (!S_ISDIR(st.st_mode))
                        continue;
                fd =
                    openat(dirfd(top), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 || !(sub = fdopendir(fd))) {
                        if (fd >= 0)
                                close(fd);
                        continue;
                }
                while ((e = readdir(sub)))
                        if (is_innodb_file(e->d_name, false) &&
                            fstatat(dirfd(sub), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                            S_ISREG(st.st_mode))
                                total += (uint64_t)st.st_size;
        }
        return total;
}

/* Found as the server's !includedir finds it, through a symbolic link the admin made too: such a
 * folder is still where the server reads its options (memprov then writes nothing there:
 * init/preflight.c preflight_links() says so; issue 21 item 9). */
static const char *existing_dir(int rootfd, const char *const *dirs)
{
        for (; *dirs; dirs++) {
                _cleanup_(closedirp) DIR *d = NULL;
                if (chase_opendir(rootfd, *dirs, &d) == 0)
                        return *dirs;
        }
        return NULL;
}

int mysql_detect(const struct context *ctx, struct services *services)
{
        struct db_server *ret = &services->db;
        static const char *const mariadbd[] = {"/usr/sbin/mariadbd", "/usr/libexec/mariadbd"};
        static const char *const mysqld[] = {"/usr/sbin/mysqld", "/usr/libexec/mysqld"};
        static const char *const mariadb_dirs[] = {"/etc/mysql/mariadb.conf.d", "/etc/my.cnf.d",
                                                   NULL};
        static const char *const mysql_dirs[] = {"/etc/mysql/mysql.conf.d", "/etc/my.cnf.d", NULL};
        const char *server = NULL;
        struct db_server s = {0};
        char datadir[256];
        struct stat st;

        for (size_t i = 0; i < ELEMENTSOF(mariadbd) && !server; i++)
                if (root_lstat(ctx->rootfd, mariadbd[i], &st) == 0)
                        server = mariadbd[i], s.flavor = DB_MARIADB;
        for (size_t i = 0; i < ELEMENTSOF(mysqld) && !server; i++)
                if (root_lstat(ctx->rootfd, mysqld[i], &st) == 0)
                        server = mysqld[i], s.flavor = DB_MYSQL;
        if (!server) {
                *ret = s;
                return 0;
        }
        /* Only a mysqld needs its version (MySQL 8 dropped the query cache); a mariadbd is
         * MariaDB, whose options do not depend on it, so boot does not pay ~30 ms to ask. */
        if (s.flavor == DB_MYSQL && (!ctx->live || server_version(server, &s) < 0))
                package_version(ctx, &s);
        s.dropin_dir =
            existing_dir(ctx->rootfd, s.flavor == DB_MARIADB ? mariadb_dirs : mysql_dirs);
        mysql_read_options(ctx, &s, datadir);
        s.data_bytes = innodb_data_bytes(ctx->rootfd, datadir);
        /* With data to cache, MariaDB's version decides whether the grown buffer pool can be
         * given back under pressure (innodb_buffer_pool_size_auto_min: modules/mysql.c). */
        if (s.flavor == DB_MARIADB && s.data_bytes > 0 && !s.version_known)
                mysql_ask_version(ctx, &s);
        *ret = s;
        return 0;
}
