/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The database's effective options through its include layering (modules/mysql-cnf.c). The
 * layouts the real server reads are compared with my_print_defaults in
 * tests/integration/inputs-db.sh; these cover the syntax and the corner cases. */
#include <fcntl.h>
#include <sys/stat.h>

#include "../../lib/util.h"
#include "../../modules/module.h"
#include "../../modules/mysql.h"
#include "../../modules/units.h"
#include "test.h"

struct dbfix {
        char *dir;
        int rootfd;
        struct facts facts;
        struct context ctx;
        struct db_server db;
        char datadir[256];
};

static void dbfix_read(struct dbfix *f, enum db_flavor flavor, const char *dropin_dir)
{
        if (f->rootfd > 0)
                close(f->rootfd);
        f->rootfd = open(f->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        f->ctx = (struct context){.rootfd = f->rootfd, .root = f->dir, .facts = &f->facts};
        f->db = (struct db_server){.flavor = flavor, .dropin_dir = dropin_dir};
        mysql_read_options(&f->ctx, &f->db, f->datadir);
}

static void dbfix_done(struct dbfix *f)
{
        close(f->rootfd);
        test_rmtree(f->dir);
        free(f->dir);
}

TEST(inputs_db_numbers)
{
        uint64_t n = 0;

        CHECK(mysql_parse_number("128M", &n) == 0);
        CHECK_U64(n, 128 * MIB);
        CHECK(mysql_parse_number("2g", &n) == 0);
        CHECK_U64(n, 2 * GIB);
        CHECK(mysql_parse_number("65536", &n) == 0);
        CHECK_U64(n, 65536);
        CHECK(mysql_parse_number("1.5G", &n) == -EINVAL);
        CHECK(mysql_parse_number("12MB", &n) == -EINVAL);
        CHECK(mysql_parse_number("-1", &n) == -EINVAL);
        CHECK(mysql_parse_number("99999999999999999999", &n) == -ERANGE);
        CHECK(mysql_parse_number("20000000E", &n) == -ERANGE);
}

TEST(inputs_db_syntax_groups_and_later_wins)
{
        struct dbfix f = {.dir = test_mkdtemp()};
        const struct effective_value *o = f.db.opt;

        test_write(f.dir, "etc/mysql/mariadb.cnf",
                   "[client-server]\n"
                   "socket = /run/mysqld/mysqld.sock\n"
                   "!includedir /etc/mysql/conf.d/\n"
                   "!includedir /etc/mysql/mariadb.conf.d/\n");
        test_write(f.dir, "etc/alternatives/.keep", "");
        /* Debian: my.cnf -> /etc/alternatives/my.cnf -> /etc/mysql/mariadb.cnf, absolute. */
        {
                char link[4096];
                snprintf(link, sizeof(link), "%s/etc/mysql/my.cnf", f.dir);
                CHECK(symlink("/etc/alternatives/my.cnf", link) == 0);
                snprintf(link, sizeof(link), "%s/etc/alternatives/my.cnf", f.dir);
                CHECK(symlink("/etc/mysql/mariadb.cnf", link) == 0);
        }
        test_write(f.dir, "etc/mysql/conf.d/a.cnf",
                   "[MYSQLD]\n"
                   "key-buffer-size = 1M # comment\n"
                   "loose-sort_buffer_size=\"2M\"\n"
                   "skip-performance-schema\n"
                   "[client]\n"
                   "max_connections = 5\n");
        test_write(f.dir, "etc/mysql/conf.d/not-read.conf", "[mysqld]\nkey_buffer_size = 9M\n");
        test_write(f.dir, "etc/mysql/mariadb.conf.d/50-server.cnf",
                   "[server]\n[mysqld]\ninnodb_buffer_pool_size = 64M\n");
        test_write(f.dir, "etc/mysql/mariadb.conf.d/60-B.cnf", "[mysqld]\nread_buffer_size = 1K\n");
        test_write(f.dir, "etc/mysql/mariadb.conf.d/60-b.cnf", "[mysqld]\nread_buffer_size = 2K\n");
        test_write(f.dir, "etc/mysql/mariadb.conf.d/61-c.cnf",
                   "max_connections = 7\n[mysqld]\nmax_connections = 8\n");
        test_write(f.dir, "etc/mysql/mariadb.conf.d/62-d.cnf",
                   "[galera]\n!include /etc/mysql/inc.cnf\njoin_buffer_size = 3K\n"
                   "tmp_table_size = nonsense\n");
        test_write(f.dir, "etc/mysql/inc.cnf", "[mariadb]\nmax_heap_table_size = 4M\n");
        test_write(f.dir, "etc/mysql/mariadb.conf.d/99-memprov.cnf",
                   "[mysqld]\ninnodb_buffer_pool_size = 32M\n");
        test_write(f.dir, "etc/mysql/mariadb.conf.d/zz-panel.cnf",
                   "[mariadbd]\ninnodb_buffer_pool_size = 512M\n");
        dbfix_read(&f, DB_MARIADB, "/etc/mysql/mariadb.conf.d");

        CHECK_U64(o[DB_OPT_KEY_BUFFER_SIZE].value, 1 * MIB);
        CHECK_STR(o[DB_OPT_KEY_BUFFER_SIZE].origin, "/etc/mysql/conf.d/a.cnf:2");
        CHECK(o[DB_OPT_KEY_BUFFER_SIZE].source == SOURCE_ADMIN);
        CHECK_U64(o[DB_OPT_SORT_BUFFER_SIZE].value, 2 * MIB);
        CHECK_U64(o[DB_OPT_PERFORMANCE_SCHEMA].value, 0);
        CHECK(o[DB_OPT_PERFORMANCE_SCHEMA].source == SOURCE_ADMIN);
        /* strcmp order: 60-B.cnf before 60-b.cnf; [client] is not the server's. */
        CHECK_U64(o[DB_OPT_READ_BUFFER_SIZE].value, 2 * KIB);
        /* An option before any group ends 61-c.cnf: neither line counts. */
        CHECK(o[DB_OPT_MAX_CONNECTIONS].source == SOURCE_DEFAULT);
        CHECK_U64(o[DB_OPT_MAX_CONNECTIONS].value, 151);
        /* The included file starts outside a group; 62-d.cnf's [galera] goes on after it. */
        CHECK_U64(o[DB_OPT_MAX_HEAP_TABLE_SIZE].value, 4 * MIB);
        CHECK_STR(o[DB_OPT_MAX_HEAP_TABLE_SIZE].origin, "/etc/mysql/inc.cnf:2");
        CHECK_U64(o[DB_OPT_JOIN_BUFFER_SIZE].value, 3 * KIB);
        /* A value the server refuses leaves the default. */
        CHECK(o[DB_OPT_TMP_TABLE_SIZE].source == SOURCE_DEFAULT);
        /* memprov's own file is skipped; the panel's, read after it, wins and is marked. */
        CHECK_U64(o[DB_OPT_INNODB_BUFFER_POOL_SIZE].value, 512 * MIB);
        CHECK_STR(o[DB_OPT_INNODB_BUFFER_POOL_SIZE].origin,
                  "/etc/mysql/mariadb.conf.d/zz-panel.cnf:2");
        CHECK(f.db.after_memprov == 1u << DB_OPT_INNODB_BUFFER_POOL_SIZE);
        CHECK(f.db.dropin_read);
        /* MariaDB's defaults: Aria 128M, no TempTable, performance_schema OFF. */
        CHECK(o[DB_OPT_ARIA_PAGECACHE_BUFFER_SIZE].source == SOURCE_DEFAULT);
        CHECK_U64(o[DB_OPT_ARIA_PAGECACHE_BUFFER_SIZE].value, 128 * MIB);
        CHECK(o[DB_OPT_TEMPTABLE_MAX_RAM].source == SOURCE_UNKNOWN);
        CHECK_STR(f.datadir, "/var/lib/mysql");
        dbfix_done(&f);
}

TEST(inputs_db_distro_file_and_mysql8_defaults)
{
        struct dbfix f = {.dir = test_mkdtemp()};
        const struct effective_value *o = f.db.opt;

        test_write(f.dir, "etc/mysql/my.cnf", "!includedir /etc/mysql/mysql.conf.d/\n");
        test_write(f.dir, "etc/mysql/mysql.conf.d/mysqld.cnf",
                   "[mysqld]\nkey_buffer_size\t\t= 16M\ndatadir = /srv/db\n");
        f.facts = (struct facts){0};
        f.rootfd = open(f.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        f.ctx = (struct context){.rootfd = f.rootfd, .root = f.dir, .facts = &f.facts};
        f.db = (struct db_server){.flavor = DB_MYSQL, .version_known = true, .major = 8};
        /* No dpkg record of the file to compare: a sized option there is the admin's. */
        mysql_read_options(&f.ctx, &f.db, f.datadir);
        CHECK(o[DB_OPT_KEY_BUFFER_SIZE].source == SOURCE_ADMIN);
        CHECK(f.db.unverified == 1u << DB_OPT_KEY_BUFFER_SIZE && !f.db.edited);
        CHECK(mysql_kept(&f.db, DB_OPT_KEY_BUFFER_SIZE));
        /* dpkg's conffile MD5 (`printf ... | md5sum` of the text above): as shipped, the
         * distribution's, which memprov may replace. */
        test_write(f.dir, "var/lib/dpkg/status",
                   "Package: mysql-server-8.0\nStatus: install ok installed\nVersion: 8.0.44-1\n"
                   "Maintainer: x\nArchitecture: amd64\nConffiles:\n"
                   " /etc/mysql/mysql.conf.d/mysqld.cnf 23a5c4396c3c37dec93d0671dce750de\n"
                   "Description: x\n\n");
        f.db = (struct db_server){.flavor = DB_MYSQL, .version_known = true, .major = 8};
        mysql_read_options(&f.ctx, &f.db, f.datadir);
        CHECK(o[DB_OPT_KEY_BUFFER_SIZE].source == SOURCE_DISTRO);
        CHECK(!f.db.unverified && !f.db.edited && !f.db.admin_before);
        CHECK(!mysql_kept(&f.db, DB_OPT_KEY_BUFFER_SIZE));
        /* Edited since: the admin's, and it wins. */
        test_write(f.dir, "etc/mysql/mysql.conf.d/mysqld.cnf",
                   "[mysqld]\nkey_buffer_size\t\t= 16M\ndatadir = /srv/db\n#x\n");
        f.db = (struct db_server){.flavor = DB_MYSQL, .version_known = true, .major = 8};
        mysql_read_options(&f.ctx, &f.db, f.datadir);
        CHECK(o[DB_OPT_KEY_BUFFER_SIZE].source == SOURCE_ADMIN);
        CHECK(f.db.edited == 1u << DB_OPT_KEY_BUFFER_SIZE && !f.db.unverified);
        CHECK(f.db.admin_before == 1u << DB_OPT_KEY_BUFFER_SIZE);
        CHECK_U64(o[DB_OPT_KEY_BUFFER_SIZE].value, 16 * MIB);
        /* MySQL 8.0 manual: performance_schema ON, temptable_max_ram 1 GiB. */
        CHECK(o[DB_OPT_PERFORMANCE_SCHEMA].source == SOURCE_DEFAULT);
        CHECK_U64(o[DB_OPT_PERFORMANCE_SCHEMA].value, 1);
        CHECK_U64(o[DB_OPT_TEMPTABLE_MAX_RAM].value, 1 * GIB);
        CHECK(o[DB_OPT_ARIA_PAGECACHE_BUFFER_SIZE].source == SOURCE_UNKNOWN);
        CHECK_STR(f.datadir, "/srv/db");
        CHECK(!f.db.dropin_read);
        dbfix_done(&f);
}

/* A link that climbs out of the root is refused (lib/chase.h), never read on the host. */
TEST(inputs_db_links_stay_in_root)
{
        struct dbfix f = {.dir = test_mkdtemp()};
        char link[4096];

        test_write(f.dir, "etc/mysql/real.cnf", "[mysqld]\nmax_connections = 42\n");
        test_write(f.dir, "etc/my.cnf.d/.keep", "");
        snprintf(link, sizeof(link), "%s/etc/my.cnf", f.dir);
        CHECK(symlink("../../../../../../etc/mysql/real.cnf", link) == 0);
        dbfix_read(&f, DB_MARIADB, NULL);
        CHECK(f.db.opt[DB_OPT_MAX_CONNECTIONS].source == SOURCE_DEFAULT);
        unlink(link);
        CHECK(symlink("mysql/real.cnf", link) == 0);
        dbfix_read(&f, DB_MARIADB, NULL);
        CHECK_U64(f.db.opt[DB_OPT_MAX_CONNECTIONS].value, 42);
        CHECK_STR(f.db.opt[DB_OPT_MAX_CONNECTIONS].origin, "/etc/my.cnf:2");
        dbfix_done(&f);
}

/* EL: /etc/my.cnf with !includedir /etc/my.cnf.d, where memprov's drop-in goes. */
TEST(inputs_db_el_layout)
{
        struct dbfix f = {.dir = test_mkdtemp()};

        test_write(f.dir, "etc/my.cnf", "[client-server]\n\n!includedir /etc/my.cnf.d\n");
        test_write(f.dir, "etc/my.cnf.d/mariadb-server.cnf",
                   "[server]\n[mysqld]\ndatadir=/var/lib/mysql\n[mariadb]\nkey_buffer_size=8M\n");
        test_write(f.dir, "etc/my.cnf.d/galera-admin.cnf", "[galera]\nperformance_schema = ON\n");
        dbfix_read(&f, DB_MARIADB, "/etc/my.cnf.d");
        /* No dpkg on EL: the package's file sets no sized option as shipped, so this is the
         * admin's (read after the drop-in as well). */
        CHECK(f.db.opt[DB_OPT_KEY_BUFFER_SIZE].source == SOURCE_ADMIN);
        CHECK(f.db.unverified == 1u << DB_OPT_KEY_BUFFER_SIZE);
        CHECK_U64(f.db.opt[DB_OPT_PERFORMANCE_SCHEMA].value, 1);
        CHECK(f.db.opt[DB_OPT_PERFORMANCE_SCHEMA].source == SOURCE_ADMIN);
        /* Letters sort after "99-memprov.cnf": on EL the package's mariadb-server.cnf and the
         * admin's galera-admin.cnf are both read after memprov's drop-in and win over it. */
        CHECK(f.db.after_memprov ==
              (1u << DB_OPT_PERFORMANCE_SCHEMA | 1u << DB_OPT_KEY_BUFFER_SIZE));
        CHECK(f.db.dropin_read);
        dbfix_done(&f);
}

static void unit_link(const char *dir, const char *link, const char *target)
{
        char path[4096];

        snprintf(path, sizeof(path), "%s/%s", dir, link);
        test_write(dir, link, "");
        unlink(path);
        CHECK(symlink(target, path) == 0);
}

/* conf.d/25-consumers.conf's consumers, counted while installed and enabled (as `systemctl
 * enable` leaves the links); installed alone, masked or absent: not counted. */
TEST(inputs_db_consumers_installed_and_enabled)
{
        struct dbfix f = {.dir = test_mkdtemp()};
        struct config config = {0};
        struct services s = {0};
        const char *unit = "[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\n"
                           "[Install]\nWantedBy=multi-user.target\n";

        CHECK(config_load_file(&config, "conf.d/25-consumers.conf") == 0);
        config_set(&config, "consumer webmin", "units", "webmin.service", "test");
        config_set(&config, "consumer webmin", "cost", "30M", "test");
        test_write(f.dir, "lib/systemd/system/redis-server.service", unit);
        test_write(f.dir, "lib/systemd/system/memcached.service", unit);
        test_write(f.dir, "lib/systemd/system/dovecot.service", unit);
        test_write(f.dir, "lib/systemd/system/webmin.service", unit);
        unit_link(f.dir, "etc/systemd/system/multi-user.target.wants/redis-server.service",
                  "/lib/systemd/system/redis-server.service");
        unit_link(f.dir, "etc/systemd/system/redis.service",
                  "/lib/systemd/system/redis-server.service");
        unit_link(f.dir, "etc/systemd/system/multi-user.target.wants/dovecot.service",
                  "/lib/systemd/system/dovecot.service");
        unit_link(f.dir, "etc/systemd/system/dovecot.service", "/dev/null"); /* masked */
        unit_link(f.dir, "etc/systemd/system/multi-user.target.wants/webmin.service",
                  "/lib/systemd/system/webmin.service");
        f.rootfd = open(f.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        f.ctx = (struct context){.rootfd = f.rootfd, .root = f.dir, .config = &config};
        CHECK(units_detect(&f.ctx, &s) == 0);
        CHECK_U64(s.n_consumers, 2);
        CHECK_STR(s.consumers[0].name, "redis");
        CHECK_STR(s.consumers[0].unit, "redis-server.service");
        CHECK_U64(s.consumers[0].cost, config_size(&config, "consumer redis", "cost", 1));
        CHECK(s.consumers[0].cost >= 8 * MIB); /* measured 7.7-8.2 MiB */
        CHECK_STR(s.consumers[1].name, "webmin");
        CHECK_U64(s.consumers[1].cost, 30 * MIB);
        config_done(&config);
        dbfix_done(&f);
}

/* EL's layouts: named.conf's own zones and named.rfc1912.zones are the package's; a PostgreSQL
 * data directory with initdb's databases only (OIDs below 16384) is unused. */
TEST(inputs_db_units_in_use_el)
{
        struct dbfix f = {.dir = test_mkdtemp()};
        char *why;

        test_write(f.dir, "etc/named.conf",
                   "options { directory \"/var/named\"; };\n"
                   "zone \".\" IN {\n\ttype hint;\n\tfile \"named.ca\";\n};\n"
                   "include \"/etc/named.rfc1912.zones\";\n"
                   "include \"/etc/named.root.key\";\n");
        test_write(f.dir, "etc/named.rfc1912.zones",
                   "zone \"localhost.localdomain\" IN { type master; file \"named.localhost\"; };\n"
                   "zone \"localhost\" IN { type master; file \"named.localhost\"; };\n"
                   "zone \"1.0.0.127.in-addr.arpa\" IN { type master; file \"named.loopback\"; };\n"
                   "zone \"0.in-addr.arpa\" IN { type master; file \"named.empty\"; };\n");
        test_write(f.dir, "var/lib/pgsql/data/base/1/PG_VERSION", "");
        test_write(f.dir, "var/lib/pgsql/data/base/13757/PG_VERSION", "");
        test_write(f.dir, "var/lib/mailman/lists/mailman/config.pck", "");
        f.rootfd = open(f.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        f.ctx = (struct context){.rootfd = f.rootfd, .root = f.dir};
        CHECK(units_group_in_use(&f.ctx, "bind") == NULL);
        CHECK(units_group_in_use(&f.ctx, "postgres") == NULL);
        CHECK(units_group_in_use(&f.ctx, "mailman") == NULL); /* Mailman 2's site list only */
        CHECK(units_group_in_use(&f.ctx, "proftpd") == NULL);

        test_write(f.dir, "etc/named.rfc1912.zones",
                   "# a panel's zone\nzone \"example.com\" { type master; file \"x\"; };\n");
        test_write(f.dir, "var/lib/pgsql/data/base/16401/PG_VERSION", "");
        test_write(f.dir, "var/lib/mailman/lists/staff/config.pck", "");
        why = units_group_in_use(&f.ctx, "bind");
        CHECK_STR(why, "serves 1 zone of its own (/etc/named.rfc1912.zones:2)");
        free(why);
        why = units_group_in_use(&f.ctx, "postgres");
        CHECK_STR(why, "1 user database (/var/lib/pgsql/data/base)");
        free(why);
        why = units_group_in_use(&f.ctx, "mailman");
        CHECK_STR(why, "has 1 list (/var/lib/mailman/lists)");
        free(why);
        dbfix_done(&f);
}

/* The version's groups: [mariadb-10.11] for 10.11; 11.8 also reads [mariadb-11], [mariadbd-11]
 * (its --help --verbose), never [mysqld-11]. */
TEST(inputs_db_version_groups)
{
        struct dbfix f = {.dir = test_mkdtemp()};

        test_write(
            f.dir, "etc/my.cnf",
            "[mariadb-11]\nkey_buffer_size = 1M\n[mysqld-11]\nmax_connections = 9\n"
            "[mariadbd-11.8]\nsort_buffer_size = 3M\n[mariadb-10.11]\njoin_buffer_size = 5K\n");
        f.rootfd = open(f.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        f.ctx = (struct context){.rootfd = f.rootfd, .root = f.dir};
        f.db = (struct db_server){
            .flavor = DB_MARIADB, .version_known = true, .major = 11, .minor = 8};
        mysql_read_options(&f.ctx, &f.db, f.datadir);
        CHECK_U64(f.db.opt[DB_OPT_KEY_BUFFER_SIZE].value, 1 * MIB);
        CHECK_U64(f.db.opt[DB_OPT_MAX_CONNECTIONS].value, 151);
        CHECK_U64(f.db.opt[DB_OPT_SORT_BUFFER_SIZE].value, 3 * MIB);
        CHECK_U64(f.db.opt[DB_OPT_JOIN_BUFFER_SIZE].value, 256 * KIB);
        f.db = (struct db_server){
            .flavor = DB_MARIADB, .version_known = true, .major = 10, .minor = 11};
        mysql_read_options(&f.ctx, &f.db, f.datadir);
        CHECK_U64(f.db.opt[DB_OPT_KEY_BUFFER_SIZE].value, 128 * MIB);
        CHECK_U64(f.db.opt[DB_OPT_JOIN_BUFFER_SIZE].value, 5 * KIB);
        dbfix_done(&f);
}

/* memprov's directory included twice: the server reads the drop-in twice, so what sorts before
 * it is overridden again and only what comes after its last reading wins over memprov. */
TEST(inputs_db_dropin_dir_included_twice)
{
        struct dbfix f = {.dir = test_mkdtemp()};

        test_write(f.dir, "etc/mysql/my.cnf",
                   "!includedir /etc/mysql/mariadb.conf.d/\n"
                   "[mysqld]\nmax_connections = 300\n"
                   "!includedir /etc/mysql/mariadb.conf.d\n");
        test_write(f.dir, "etc/mysql/mariadb.conf.d/60-admin.cnf",
                   "[mysqld]\nkey_buffer_size = 1M\n");
        test_write(f.dir, "etc/mysql/mariadb.conf.d/zz-panel.cnf",
                   "[mysqld]\nsort_buffer_size = 1M\n");
        dbfix_read(&f, DB_MARIADB, "/etc/mysql/mariadb.conf.d");
        CHECK(f.db.after_memprov == 1u << DB_OPT_SORT_BUFFER_SIZE);
        CHECK_U64(f.db.opt[DB_OPT_MAX_CONNECTIONS].value, 300);
        CHECK(f.db.dropin_read);
        dbfix_done(&f);
}

/* Debian's cluster with its data_directory moved (postgresql.conf), counted once. */
TEST(inputs_db_postgres_data_directory)
{
        struct dbfix f = {.dir = test_mkdtemp()};
        char *why;

        test_write(f.dir, "etc/postgresql/15/main/postgresql.conf",
                   "# comment\ndata_directory = '/srv/pg/15/main'\t\t# use data in another "
                   "directory\nport = 5432\n");
        test_write(f.dir, "etc/postgresql/15/other/postgresql.conf",
                   "data_directory='/var/lib/postgresql/15/other'\n");
        test_write(f.dir, "var/lib/postgresql/15/other/base/1/PG_VERSION", "");
        test_write(f.dir, "srv/pg/15/main/base/5/PG_VERSION", "");
        f.rootfd = open(f.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        f.ctx = (struct context){.rootfd = f.rootfd, .root = f.dir};
        CHECK(units_group_in_use(&f.ctx, "postgres") == NULL);
        test_write(f.dir, "srv/pg/15/main/base/16384/PG_VERSION", "");
        test_write(f.dir, "var/lib/postgresql/15/other/base/20000/PG_VERSION", "");
        why = units_group_in_use(&f.ctx, "postgres");
        CHECK_STR(why, "2 user databases (/var/lib/postgresql/15/other/base)");
        free(why);
        dbfix_done(&f);
}

/* MySQL 8's SET PERSIST (mysqld-auto.cnf in the datadir) wins over every option file. */
TEST(inputs_db_mysql8_persisted)
{
        struct dbfix f = {.dir = test_mkdtemp()};
        const struct effective_value *o = f.db.opt;

        test_write(f.dir, "etc/mysql/my.cnf", "!includedir /etc/mysql/mysql.conf.d/\n");
        test_write(f.dir, "etc/mysql/mysql.conf.d/mysqld.cnf",
                   "[mysqld]\nmax_connections = 200\ndatadir = /srv/mysql\n");
        test_write(f.dir, "srv/mysql/mysqld-auto.cnf",
                   "{\"Version\": 2, \"mysql_server\": {\"mysql_dynamic_variables\": "
                   "{\"max_connections\": {\"Value\": \"1000\", \"Metadata\": {\"User\": "
                   "\"root\"}}}, \"mysql_static_variables\": {\"performance_schema\": "
                   "{\"Value\": \"OFF\"}}, \"temptable_max_ram\": {\"Value\": "
                   "\"268435456\"}}}");
        f.rootfd = open(f.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        f.ctx = (struct context){.rootfd = f.rootfd, .root = f.dir};
        f.db = (struct db_server){.flavor = DB_MYSQL,
                                  .version_known = true,
                                  .major = 8,
                                  .dropin_dir = "/etc/mysql/mysql.conf.d"};
        mysql_read_options(&f.ctx, &f.db, f.datadir);
        CHECK_U64(o[DB_OPT_MAX_CONNECTIONS].value, 1000);
        CHECK_STR(o[DB_OPT_MAX_CONNECTIONS].origin, "/srv/mysql/mysqld-auto.cnf");
        CHECK(o[DB_OPT_MAX_CONNECTIONS].source == SOURCE_ADMIN);
        CHECK_U64(o[DB_OPT_PERFORMANCE_SCHEMA].value, 0);
        CHECK_U64(o[DB_OPT_TEMPTABLE_MAX_RAM].value, 256 * MIB);
        CHECK(f.db.after_memprov ==
              (1u << DB_OPT_MAX_CONNECTIONS | 1u << DB_OPT_PERFORMANCE_SCHEMA |
               1u << DB_OPT_TEMPTABLE_MAX_RAM));
        /* A malformed file: the option files' values stay. */
        test_write(f.dir, "srv/mysql/mysqld-auto.cnf", "{\"Version\": 1, \"mysql_server\": {");
        f.db = (struct db_server){.flavor = DB_MYSQL, .version_known = true, .major = 8};
        mysql_read_options(&f.ctx, &f.db, f.datadir);
        CHECK_U64(o[DB_OPT_MAX_CONNECTIONS].value, 200);
        dbfix_done(&f);
}
