/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Service detection and drop-ins on fixture roots, with the shipped tier table. */
#include <fcntl.h>

#include "../../lib/size.h"
#include "../../lib/util.h"
#include "../../modules/apache.h"
#include "../../lib/budget.h"
#include "../../modules/module.h"
#include "../../modules/mysql.h"
#include "../../modules/oom.h"
#include "../../modules/phpfpm.h"
#include "../../modules/zram.h"
#include "../../lib/cushion.h"
#include "../../lib/options.h"
#include "../../modules/module.h"
#include "test.h"

struct fixture {
        char *dir;
        int rootfd;
        struct config config;
        struct facts facts;
        struct services services;
        char tier[64];
        struct context ctx;
};

static void fixture_open(struct fixture *f, uint64_t ram)
{
        f->rootfd = open(f->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        f->config = (struct config){0};
        if (config_load_dir(&f->config, "conf.d") < 0)
                abort();
        f->facts = (struct facts){.ram_bytes = ram, .distro = DISTRO_DEBIAN};
        f->ctx = (struct context){
            .rootfd = f->rootfd,
            .root = f->dir,
            .facts = &f->facts,
            .config = &f->config,
            .state = &f->config,
            .tier = tier_select(&f->config, ram, f->tier),
            .services = &f->services,
        };
        if (services_detect(&f->ctx, &f->services) < 0)
                abort();
}

static void fixture_close(struct fixture *f)
{
        close(f->rootfd);
        config_done(&f->config);
}

static const struct action *find_action(const struct plan *p, const char *path)
{
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].path && streq(p->actions[i].path, path))
                        return &p->actions[i];
        return NULL;
}

TEST(mysql_versions_from_output_and_packages)
{
        struct db_server s = {0};

        CHECK(mysql_parse_version("/usr/sbin/mysqld  Ver 8.0.36 for Linux on x86_64 (MySQL "
                                  "Community Server - GPL)",
                                  &s) == 0);
        CHECK(s.major == 8 && s.minor == 0 && s.patch == 36);
        CHECK(mysql_parse_version("/usr/sbin/mariadbd  Ver 10.11.6-MariaDB-0+deb12u1 for "
                                  "debian-linux-gnu on x86_64 (Debian 12)",
                                  &s) == 0);
        CHECK(s.major == 10 && s.minor == 11 && s.patch == 6);
        CHECK(mysql_parse_version("1:10.11.19-0+deb12u1", &s) == 0);
        CHECK(s.major == 10 && s.minor == 11 && s.patch == 19);
        CHECK(mysql_parse_version("1:11.8.9+ds-0+deb13u1", &s) == 0);
        CHECK(s.major == 11 && s.minor == 8 && s.patch == 9);
        CHECK(mysql_parse_version("5.7.42-1ubuntu18.04", &s) == 0);
        CHECK(s.major == 5 && s.minor == 7 && s.patch == 42);
        /* No third number: patch 0, so nothing that needs a patch release is assumed. */
        CHECK(mysql_parse_version("10.11", &s) == 0);
        CHECK(s.major == 10 && s.minor == 11 && s.patch == 0);
        CHECK(mysql_parse_version("garbage", &s) == -EINVAL);
        CHECK(s.major == 10 && s.minor == 11 && s.patch == 0);
}

static char *mysql_fixture(const char *server, const char *package, const char *version,
                           const char *confdir)
{
        char *dir = test_mkdtemp();
        _cleanup_free_ char *status = NULL, *conf = xasprintf("%s/x.cnf", confdir);

        test_write(dir, server, "");
        test_write(dir, conf, "[mysqld]\n");
        status = xasprintf("Package: mysql-common\nStatus: install ok installed\nVersion: 5.8\n\n"
                           "Package: %s\nStatus: install ok installed\nVersion: %s\n\n",
                           package, version);
        test_write(dir, "var/lib/dpkg/status", status);
        return dir;
}

/* The drop-in mysql_module plans for the fixture at ram, or NULL. */
static char *mysql_dropin(char *dir, uint64_t ram, const char *path)
{
        struct fixture f = {.dir = dir};
        struct plan p = {0};
        const struct action *a;
        char *content = NULL;

        fixture_open(&f, ram);
        if (mysql_module.plan(&f.ctx, &p) == 0 && (a = find_action(&p, path)))
                content = xstrdup(a->content);
        plan_done(&p);
        fixture_close(&f);
        return content;
}

TEST(mysql8_gets_no_query_cache)
{
        _cleanup_free_ char *dir =
            mysql_fixture("usr/sbin/mysqld", "mysql-server-core-8.0", "8.0.36-0ubuntu0.22.04.1",
                          "etc/mysql/mysql.conf.d");
        _cleanup_free_ char *cnf =
            mysql_dropin(dir, 512 * MIB, "/etc/mysql/mysql.conf.d/99-memprov.cnf");

        CHECK(cnf != NULL);
        CHECK(cnf && !strstr(cnf, "query_cache"));
        CHECK(cnf && strstr(cnf, "\n[mysqld]\ninnodb_buffer_pool_size = 32M\n"));
        CHECK(cnf && strstr(cnf, "\nmax_connections = 50\n"));
        test_rmtree(dir);
}

TEST(mysql57_and_mariadb_keep_query_cache_off)
{
        _cleanup_free_ char *d57 = mysql_fixture("usr/sbin/mysqld", "mysql-server-5.7", "5.7.42-1",
                                                 "etc/mysql/mysql.conf.d");
        _cleanup_free_ char *dmaria =
            mysql_fixture("usr/sbin/mariadbd", "mariadb-server", "1:10.11.19-0+deb12u1",
                          "etc/mysql/mariadb.conf.d");
        _cleanup_free_ char *c57 =
            mysql_dropin(d57, 1 * GIB, "/etc/mysql/mysql.conf.d/99-memprov.cnf");
        _cleanup_free_ char *cmaria =
            mysql_dropin(dmaria, 1 * GIB, "/etc/mysql/mariadb.conf.d/99-memprov.cnf");

        CHECK(c57 && strstr(c57, "\nquery_cache_type = 0\nquery_cache_size = 0\n"));
        CHECK(cmaria && strstr(cmaria, "\nquery_cache_type = 0\nquery_cache_size = 0\n"));
        test_rmtree(d57);
        test_rmtree(dmaria);
}

TEST(mysql_unknown_version_is_treated_as_mysql8)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        _cleanup_free_ char *cnf = NULL;

        test_write(dir, "usr/libexec/mysqld", "");
        test_write(dir, "etc/my.cnf.d/mysql-server.cnf", "[mysqld]\n");
        cnf = mysql_dropin(dir, 1 * GIB, "/etc/my.cnf.d/99-memprov.cnf");
        CHECK(cnf && !strstr(cnf, "query_cache"));
        test_rmtree(dir);
}

TEST(apache_mpm_from_loadmodule)
{
        CHECK(mpm_from_loadmodule("#LoadModule mpm_prefork_module modules/mod_mpm_prefork.so\n"
                                  "LoadModule mpm_event_module modules/mod_mpm_event.so\n") ==
              MPM_EVENT);
        CHECK(mpm_from_loadmodule("  LoadModule mpm_worker_module x.so\n") == MPM_WORKER);
        CHECK(mpm_from_loadmodule("# LoadModule mpm_event_module x.so\n") == MPM_UNKNOWN);
}

TEST(phpfpm_pool_names)
{
        struct php_fpm f = {0};

        phpfpm_parse_pools("[global]\npid = x\n[www]\nuser = a\n  [shop]\n; [commented]\n"
                           "[www]\n",
                           &f);
        CHECK_U64(f.n_pools, 2);
        CHECK_STR(f.pools[0].name, "www");
        CHECK_STR(f.pools[1].name, "shop");
}

/* A Debian root with the given services; php: versions x pools. */
static char *lamp_fixture(bool db, const char *mpm, unsigned php_versions, unsigned pools)
{
        char *dir = test_mkdtemp();

        if (db) {
                test_write(dir, "usr/sbin/mariadbd", "");
                test_write(dir, "etc/mysql/mariadb.conf.d/50-server.cnf", "[mysqld]\n");
        }
        if (mpm) {
                _cleanup_free_ char *load = xasprintf("etc/apache2/mods-enabled/mpm_%s.load", mpm);
                test_write(dir, "usr/sbin/apache2", "");
                test_write(dir, load, "LoadModule x\n");
                test_enable_unit(dir, "apache2.service");
        }
        for (unsigned v = 0; v < php_versions; v++)
                for (unsigned p = 0; p < pools; p++) {
                        _cleanup_free_ char *bin = xasprintf("usr/sbin/php-fpm8.%u", v);
                        _cleanup_free_ char *conf =
                            xasprintf("etc/php/8.%u/fpm/pool.d/p%u.conf", v, p);
                        _cleanup_free_ char *body = xasprintf("[pool%u]\npm = dynamic\n", p);
                        test_write(dir, bin, "");
                        test_write(dir, conf, body);
                }
        return dir;
}

static bool some_php_at_floor(const struct budget *b)
{
        for (size_t i = 0; i < b->n_lines; i++)
                if (b->lines[i].role == ROLE_PHP && b->lines[i].bound == BOUND_FLOOR)
                        return true;
        return false;
}

/* Over RAM sizes and service sets: it fits unless a floor raised a count; max_connections
 * covers every PHP process and the reserve; every counted setting names its bound. */
TEST(budget_invariant_over_ram_sizes_and_service_sets)
{
        static const char *const mpms[] = {NULL, "prefork", "worker", "event"};
        unsigned cases = 0, violations = 0, lines = 0;

        for (unsigned mask = 0; mask < 2 * 4 * 3 * 3; mask++) {
                bool db = mask & 1;
                const char *mpm = mpms[(mask / 2) % 4];
                unsigned versions = (mask / 8) % 3, pools = 1 + (mask / 24) % 3;
                _cleanup_free_ char *dir = lamp_fixture(db, mpm, versions, pools);
                for (uint64_t ram = 256 * MIB; ram <= 64 * GIB; ram += ram / 4) {
                        struct fixture f = {.dir = dir};
                        const struct budget_line *l;
                        struct budget b;
                        fixture_open(&f, ram);
                        if (budget_compute(&f.ctx, &b) < 0)
                                violations++;
                        else if (!b.fits && !some_php_at_floor(&b) && budget_php_children(&b))
                                violations++;
                        if ((l = budget_find(&b, "mysqld")) &&
                            l->count < budget_php_children(&b) + b.model.connection_reserve)
                                violations++;
                        for (size_t i = 0; i < b.n_lines; i++)
                                if (b.lines[i].setting && b.lines[i].bound == BOUND_NONE)
                                        violations++;
                        lines += (unsigned)b.n_lines;
                        cases++;
                        fixture_close(&f);
                }
                test_rmtree(dir);
        }
        CHECK(cases > 1000);
        CHECK(lines > cases);
        CHECK_U64(violations, 0);
}

/* Issue 23: Apache is budgeted and sized only where apache2.service is enabled, as nginx is
 * (unit_enabled(): installed, linked by `systemctl enable`, not masked). Disabled or masked, its
 * workers leave the budget, so the PHP pools get the room, and the plan says so. */
TEST(apache_budgeted_only_when_enabled)
{
        _cleanup_free_ char *dir = lamp_fixture(true, "event", 1, 1);
        _cleanup_free_ char *wants =
            xasprintf("%s/etc/systemd/system/multi-user.target.wants/apache2.service", dir);
        struct fixture f = {.dir = dir};
        struct plan p = {0};
        struct budget b;
        bool noted = false;

        fixture_open(&f, 512 * MIB);
        CHECK(f.ctx.services->web.installed && f.ctx.services->web.enabled);
        CHECK(budget_compute(&f.ctx, &b) == 0 && budget_find(&b, "apache") != NULL);
        CHECK(apache_module.plan(&f.ctx, &p) == 0);
        CHECK(find_action(&p, "/etc/apache2/conf-available/memprov.conf") != NULL);
        plan_done(&p);
        fixture_close(&f);

        CHECK(unlink(wants) == 0); /* systemctl disable apache2 */
        fixture_open(&f, 512 * MIB);
        CHECK(f.ctx.services->web.installed && !f.ctx.services->web.enabled);
        CHECK(budget_compute(&f.ctx, &b) == 0 && budget_find(&b, "apache") == NULL);
        CHECK(apache_module.plan(&f.ctx, &p) == 0);
        CHECK(find_action(&p, "/etc/apache2/conf-available/memprov.conf") == NULL);
        for (size_t i = 0; i < p.n_notes; i++)
                noted = noted || strstr(p.notes[i], "apache2.service is not enabled");
        CHECK(noted);
        plan_done(&p);
        fixture_close(&f);

        test_enable_unit(dir, "apache2.service");
        test_symlink(dir, "/dev/null", "etc/systemd/system/apache2.service"); /* masked */
        fixture_open(&f, 512 * MIB);
        CHECK(!f.ctx.services->web.enabled);
        CHECK(budget_compute(&f.ctx, &b) == 0 && budget_find(&b, "apache") == NULL);
        fixture_close(&f);
        test_rmtree(dir);
}

/* Issue 18's 512M LAMP at 1 vCPU: without swap the burst bound (a quarter of the children at
 * PHP's 128M in RAM alone) keeps three; with the 1G swap the policy gives 512M, four (the cpu
 * bound), not the three the worst-case ledger kept; max_connections the tier's 50 (above 4 +
 * the reserve). */
TEST(budget_default_lamp_512m)
{
        _cleanup_free_ char *dir = lamp_fixture(true, "event", 1, 1);
        struct fixture f = {.dir = dir};
        struct swap_entry swap = {
            .path = (char *)"/swapfile", .present = true, .active = true, .size_bytes = 1 * GIB};
        struct budget b;

        fixture_open(&f, 512 * MIB);
        CHECK(budget_compute(&f.ctx, &b) == 0);
        CHECK_U64(budget_count(&b, "php 8.0", 0), 3);
        CHECK(budget_find(&b, "php 8.0")->bound == BOUND_BURST);
        f.facts.swaps = &swap;
        f.facts.n_swaps = 1;
        CHECK(budget_compute(&f.ctx, &b) == 0);
        CHECK(b.fits && budget_total(&b) <= 512 * MIB);
        CHECK_U64(budget_count(&b, "php 8.0", 0), 4);
        CHECK(budget_find(&b, "php 8.0")->bound == BOUND_CPU);
        CHECK_U64(budget_count(&b, "php 8.0 pool0", 0), 4);
        CHECK_U64(budget_count(&b, "mysqld", 0), 50);
        CHECK_U64(budget_count(&b, "apache", 0), 50);
        f.facts.swaps = NULL;
        f.facts.n_swaps = 0;
        fixture_close(&f);
        test_rmtree(dir);
}

TEST(budget_default_lamp_fits_every_tier)
{
        _cleanup_free_ char *dir = lamp_fixture(true, "event", 1, 1);
        static const uint64_t tiers[] = {1 * GIB, 2 * GIB, 4 * GIB, 8 * GIB, 16 * GIB, 64 * GIB};

        for (size_t i = 0; i < ELEMENTSOF(tiers); i++) {
                struct fixture f = {.dir = dir};
                struct budget b;
                fixture_open(&f, tiers[i]);
                CHECK(budget_compute(&f.ctx, &b) == 0);
                /* 1G and 2G: OPcache (64M) may grow toward 128M, a fifth line. */
                CHECK_U64(b.n_lines, tiers[i] <= 2 * GIB ? 5 : 4);
                CHECK(b.fits);
                CHECK(budget_find(&b, "php 8.0")->bound == BOUND_CPU);
                fixture_close(&f);
        }
        test_rmtree(dir);
}

/* Six pools of two versions: each master's children capped across its pools by [global]
 * process.max, each pool its equal share (pm.max_children), the memory_limit untouched. */
TEST(phpfpm_pools_share_one_cap_per_master)
{
        _cleanup_free_ char *dir = lamp_fixture(true, "prefork", 2, 3);
        struct fixture f = {.dir = dir};
        struct plan p = {0};
        const struct action *a;
        struct budget b;
        unsigned master;

        fixture_open(&f, 2 * GIB);
        f.facts.vcpus = 2;
        CHECK(budget_compute(&f.ctx, &b) == 0);
        CHECK(b.fits && budget_total(&b) <= 2 * GIB);
        master = budget_count(&b, "php 8.1", 0);
        CHECK_U64(master, 8);
        CHECK_U64(budget_count(&b, "php 8.1 pool2", 0), 3);
        CHECK(phpfpm_module.plan(&f.ctx, &p) == 0);
        CHECK_U64(p.n_actions, 2);
        a = find_action(&p, "/etc/php/8.1/fpm/pool.d/zz-memprov.conf");
        CHECK(a && strstr(a->content, "\nprocess.max = 8\n"));
        CHECK(a && strstr(a->content, "\n[pool0]\npm = dynamic\npm.max_children = 3\n"));
        CHECK(a && strstr(a->content, "\n\n[pool2]\n"));
        CHECK(a && !strstr(a->content, "memory_limit"));
        plan_done(&p);
        fixture_close(&f);
        test_rmtree(dir);
}

/* Issue 9: MariaDB's Aria page cache is set per tier and counted; MySQL has no Aria. */
TEST(aria_pagecache_for_mariadb_only)
{
        _cleanup_free_ char *d8 =
            mysql_fixture("usr/sbin/mysqld", "mysql-server-core-8.0", "8.0.36-0ubuntu0.22.04.1",
                          "etc/mysql/mysql.conf.d");
        _cleanup_free_ char *dmaria =
            mysql_fixture("usr/sbin/mariadbd", "mariadb-server", "1:10.11.19-0+deb12u1",
                          "etc/mysql/mariadb.conf.d");
        _cleanup_free_ char *c8 =
            mysql_dropin(d8, 512 * MIB, "/etc/mysql/mysql.conf.d/99-memprov.cnf");
        _cleanup_free_ char *cmaria =
            mysql_dropin(dmaria, 512 * MIB, "/etc/mysql/mariadb.conf.d/99-memprov.cnf");

        CHECK(c8 && !strstr(c8, "aria"));
        CHECK(cmaria && strstr(cmaria, "\naria_pagecache_buffer_size = 8M\n"));
        test_rmtree(d8);
        test_rmtree(dmaria);
}

/* Issue 18, item 6: MySQL 8 gets performance_schema off at the small tiers and a bounded
 * temptable_max_ram; MariaDB gets neither (its performance_schema is off by default and it has
 * no TempTable). Issue 18, item 3: no value that saves no resident memory. */
TEST(mysql8_costs_and_no_breaking_values)
{
        _cleanup_free_ char *d8 =
            mysql_fixture("usr/sbin/mysqld", "mysql-server-core-8.0", "8.0.36-0ubuntu0.22.04.1",
                          "etc/mysql/mysql.conf.d");
        _cleanup_free_ char *dmaria =
            mysql_fixture("usr/sbin/mariadbd", "mariadb-server", "1:10.11.19-0+deb12u1",
                          "etc/mysql/mariadb.conf.d");
        _cleanup_free_ char *c8 =
            mysql_dropin(d8, 512 * MIB, "/etc/mysql/mysql.conf.d/99-memprov.cnf");
        _cleanup_free_ char *c8big =
            mysql_dropin(d8, 8 * GIB, "/etc/mysql/mysql.conf.d/99-memprov.cnf");
        _cleanup_free_ char *cmaria =
            mysql_dropin(dmaria, 512 * MIB, "/etc/mysql/mariadb.conf.d/99-memprov.cnf");

        CHECK(c8 && strstr(c8, "\nperformance_schema = OFF\n"));
        CHECK(c8 && strstr(c8, "\ntemptable_max_ram = 16M\n"));
        CHECK(c8big && !strstr(c8big, "performance_schema"));
        CHECK(c8big && strstr(c8big, "\ntemptable_max_ram = 256M\n"));
        CHECK(cmaria && !strstr(cmaria, "performance_schema") && !strstr(cmaria, "temptable"));
        for (size_t i = 0; i < 3; i++) {
                const char *c = i == 0 ? c8 : i == 1 ? c8big : cmaria;
                CHECK(c && !strstr(c, "max_allowed_packet") && !strstr(c, "thread_stack") &&
                      !strstr(c, "table_open_cache") && !strstr(c, "flush_log_at_trx_commit"));
        }
        test_rmtree(d8);
        test_rmtree(dmaria);
}

/* Issue 18: the pool drop-in no longer bounds a child's heap (a pool's or the distribution's
 * memory_limit stays; the burst bound counts it: PHP's 128M where unread); OPcache's size goes
 * into the FPM SAPI's conf.d, which the master reads, counted with the master. */
TEST(phpfpm_memory_limit_untouched_and_opcache)
{
        _cleanup_free_ char *dir = lamp_fixture(true, "event", 1, 1);
        struct fixture f = {.dir = dir};
        struct plan p = {0};
        const struct action *a;
        const struct budget_line *l;
        struct budget b;

        test_write(dir, "etc/php/8.0/fpm/conf.d/10-opcache.ini", "zend_extension=opcache.so\n");
        fixture_open(&f, 1 * GIB);
        CHECK(budget_compute(&f.ctx, &b) == 0);
        l = budget_find(&b, "php 8.0");
        CHECK(l && l->each == service_size(&f.ctx, "php.child", 0));
        CHECK(l && l->burst == 128 * MIB);
        CHECK(l && l->fixed == service_size(&f.ctx, "php.base", 0) + 64 * MIB);
        CHECK(phpfpm_module.plan(&f.ctx, &p) == 0);
        a = find_action(&p, "/etc/php/8.0/fpm/pool.d/zz-memprov.conf");
        CHECK(a && !strstr(a->content, "memory_limit"));
        CHECK(a && strstr(a->content, "\nrequest_terminate_timeout = 300s\n"));
        a = find_action(&p, "/etc/php/8.0/fpm/conf.d/99-memprov.ini");
        /* The tier's 64M grown to 128M into the room 1G leaves at 1 vCPU (issue 18, item 3). */
        CHECK(budget_find(&b, "php 8.0 opcache") &&
              budget_find(&b, "php 8.0 opcache")->count == 64);
        CHECK(a && strstr(a->content, "\nopcache.memory_consumption = 128\n"));
        plan_done(&p);
        fixture_close(&f);
        test_rmtree(dir);
}

/* Issue 9: mod_php is a loaded libphp*.so; a prefork child is then costed as a PHP process and
 * sized by the model, the plan says PHP-FPM's rules do not apply to it, and the apache2 SAPI
 * gets the tier's OPcache size but keeps its memory_limit (issue 18). */
TEST(apache_mod_php_detected_and_costed)
{
        _cleanup_free_ char *plain = lamp_fixture(true, "prefork", 1, 1);
        _cleanup_free_ char *modphp = lamp_fixture(true, "prefork", 1, 1);
        struct fixture f = {.dir = plain}, g = {.dir = modphp};
        struct plan p = {0};
        struct budget b1, b2;
        const struct budget_line *l1, *l2;
        const struct action *a;
        bool noted = false;

        CHECK(apache_loads_php("# Depends: mpm_prefork\nLoadModule php_module "
                               "/usr/lib/apache2/modules/libphp8.2.so\n"));
        CHECK(
            apache_loads_php("<IfModule prefork.c>\n  LoadModule php_module modules/libphp.so\n"));
        CHECK(!apache_loads_php("#LoadModule php_module modules/libphp.so\n"));
        CHECK(!apache_loads_php("LoadModule proxy_fcgi_module modules/mod_proxy_fcgi.so\n"));
        test_write(modphp, "etc/apache2/mods-enabled/php8.0.load",
                   "LoadModule php_module /usr/lib/apache2/modules/libphp8.0.so\n");
        test_write(modphp, "etc/php/8.0/apache2/conf.d/10-opcache.ini", "\n");
        fixture_open(&f, 1 * GIB);
        fixture_open(&g, 1 * GIB);
        CHECK(!f.ctx.services->web.mod_php);
        CHECK(g.ctx.services->web.mod_php);
        CHECK(streq(g.ctx.services->web.mod_php_version, "8.0"));
        CHECK(budget_compute(&f.ctx, &b1) == 0 && budget_compute(&g.ctx, &b2) == 0);
        l1 = budget_find(&b1, "apache");
        l2 = budget_find(&b2, "apache");
        CHECK(l1 && l2 && l2->each == l1->each + service_size(&g.ctx, "php.child", 0));
        CHECK(l1 && l1->role == ROLE_FIXED && l1->bound == BOUND_TIER);
        CHECK(l2 && l2->role == ROLE_PHP && l2->bound == BOUND_CPU && l2->count == 4);
        /* mod_php's children hold database connections too. */
        CHECK(budget_find(&b2, "mysqld")->bounds[BOUND_CHILDREN] >= l2->count + 4);
        CHECK(apache_module.plan(&g.ctx, &p) == 0);
        for (size_t i = 0; i < p.n_notes; i++)
                noted = noted || strstr(p.notes[i], "PHP-FPM's pool settings do not apply");
        CHECK(noted);
        a = find_action(&p, "/etc/php/8.0/apache2/conf.d/99-memprov.ini");
        CHECK(a && strstr(a->content, "\nopcache.memory_consumption = 64\n"));
        CHECK(a && !strstr(a->content, "memory_limit"));
        plan_done(&p);
        fixture_close(&f);
        fixture_close(&g);
        test_rmtree(plain);
        test_rmtree(modphp);
}

/* Issues 9 and 23: Apache's one fcgi://localhost worker caps PHP-FPM connections only where the
 * pages are slow against the target latency ([services] apache.proxy_fcgi.*): with WordPress's
 * real-vCPU page time (300 ms) no worker is written (it would couple every site behind
 * fcgi://localhost and never refuse); with TCG's 3 s pages it is, its max per Apache child and its
 * acquire derived from the target; apache.proxy_fcgi.acquire overrides the wait. Prefork and a
 * machine without PHP-FPM get no worker. ServerLimit keeps a whole generation (issue 18). */
static const struct action *plan_apache(struct fixture *f, struct plan *p, const char *const *set)
{
        struct budget b;

        fixture_open(f, 512 * MIB);
        for (; set && *set; set++)
                CHECK(config_set_assignment(&f->config, *set, "--set") == 0);
        CHECK(budget_compute(&f->ctx, &b) == 0 && apache_module.plan(&f->ctx, p) == 0);
        /* 512M at 1 vCPU without swap: 3 PHP children (burst), 50 workers / 10 threads. */
        if (f->services.php.n && f->services.web.mpm == MPM_EVENT)
                CHECK(budget_count(&b, "php 8.0", 0) == 3);
        return find_action(p, "/etc/apache2/conf-available/memprov.conf");
}

static bool plan_noted(const struct plan *p, const char *what)
{
        for (size_t i = 0; i < p->n_notes; i++)
                if (strstr(p->notes[i], what))
                        return true;
        return false;
}

TEST(apache_backpressure_to_phpfpm)
{
        _cleanup_free_ char *event = lamp_fixture(true, "event", 1, 1);
        _cleanup_free_ char *prefork = lamp_fixture(true, "prefork", 1, 1);
        _cleanup_free_ char *nophp = lamp_fixture(true, "event", 0, 0);
        static const struct {
                const char *set[3]; /* --set assignments */
                const char *worker; /* the <Proxy> line, or NULL for none */
        } cases[] = {
            /* pages = 10000 / (2 x 250) = 20, max = ceil(2 x 3 x 20 / 5) = 24 >= 10 threads. */
            {{NULL}, NULL},
            /* pages = max(10000 / 6000, 1) = 1, max = ceil(2 x 3 / 5) = 2, 10000 - 3000. */
            {{"model.php.page_ms=3000"},
             "    <Proxy \"fcgi://localhost\" max=2 acquire=7000 retry=0>\n"},
            /* session 7's name, a deprecated alias: it still wins over php.page_ms. */
            {{"services.apache.proxy_fcgi.page_time_ms=3000", "model.php.page_ms=100"},
             "    <Proxy \"fcgi://localhost\" max=2 acquire=7000 retry=0>\n"},
            /* pages = 30000 / 6000 = 5: max = ceil(30 / 5) = 6, acquire 30000 - 15000. */
            {{"model.php.page_ms=3000", "model.php.target_latency_ms=30000"},
             "    <Proxy \"fcgi://localhost\" max=6 acquire=15000 retry=0>\n"},
            {{"model.php.page_ms=3000", "tier 512M.apache.proxy_fcgi.acquire=3"},
             "    <Proxy \"fcgi://localhost\" max=2 acquire=3000 retry=0>\n"},
            /* 0: never cap. */
            {{"model.php.page_ms=3000", "model.php.target_latency_ms=0"}, NULL},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct fixture f = {.dir = event};
                struct plan p = {0};
                const struct action *a = plan_apache(&f, &p, cases[i].set);

                CHECK(a && strstr(a->content, "MaxRequestWorkers      50\n"));
                CHECK(a && strstr(a->content, "ServerLimit 10\n"));
                if (cases[i].worker)
                        CHECK(a && strstr(a->content, cases[i].worker));
                else
                        CHECK(a && !strstr(a->content, "fcgi://localhost"));
                /* The plan says which way it went and why. */
                CHECK(plan_noted(&p, cases[i].worker ? "Apache answers 503 after"
                                                     : "wait in its listen backlog, no 503 cap"));
                plan_done(&p);
                fixture_close(&f);
        }
        for (size_t i = 0; i < 2; i++) {
                struct fixture f = {.dir = i ? nophp : prefork};
                struct plan p = {0};
                static const char *const slow[] = {"model.php.page_ms=3000", NULL};
                const struct action *a = plan_apache(&f, &p, slow);

                CHECK(a && !strstr(a->content, "fcgi://localhost"));
                if (i == 0)
                        CHECK(a && strstr(a->content, "ServerLimit 100\n"));
                plan_done(&p);
                fixture_close(&f);
        }
        test_rmtree(event);
        test_rmtree(prefork);
        test_rmtree(nophp);
}

/* Issue 23: which site sends its PHP to which socket, read as httpd reads its files: the
 * server's handler (Debian's conf-enabled/php8.2-fpm.conf) for a vhost without its own, a vhost's
 * own in a <FilesMatch>, a quoted DocumentRoot with a trailing slash, a continued line; left out
 * what memprov cannot name or that is not PHP-FPM through fcgi://localhost. Then the plan at slow
 * pages: one worker per site, capped by its own pool's children, none shared. */
TEST(apache_sites_and_their_own_workers)
{
        _cleanup_free_ char *dir = lamp_fixture(true, "event", 0, 0);
        struct services sv;
        const struct apache_site *st;

        test_write(dir, "usr/sbin/php-fpm8.0", "");
        test_write(dir, "etc/php/8.0/fpm/pool.d/www.conf",
                   "[www]\nlisten = /run/php/php8.2-fpm.sock\npm = dynamic\n");
        test_write(dir, "etc/php/8.0/fpm/pool.d/b.conf",
                   "[b]\nlisten = /run/php/b.sock\npm = dynamic\npm.max_children = 6\n");
        test_write(dir, "etc/apache2/conf-available/php8.2-fpm.conf",
                   "<IfModule proxy_fcgi_module>\n    <FilesMatch \".+\\.ph(?:ar|p|tml)$\">\n"
                   "        SetHandler \"proxy:unix:/run/php/php8.2-fpm.sock|fcgi://localhost\"\n"
                   "    </FilesMatch>\n</IfModule>\n");
        /* a2enconf's and a2ensite's links, in directories that exist (.p: hidden, not read) */
        test_write(dir, "etc/apache2/conf-enabled/.p", "");
        test_write(dir, "etc/apache2/sites-enabled/.p", "");
        test_symlink(dir, "../conf-available/php8.2-fpm.conf",
                     "etc/apache2/conf-enabled/php8.2-fpm.conf");
        test_write(dir, "etc/apache2/sites-available/000-default.conf",
                   "<VirtualHost *:80>\n\tDocumentRoot /var/www/html\n"
                   "\tErrorLog ${APACHE_LOG_DIR}/error.log\n</VirtualHost>\n");
        test_write(
            dir, "etc/apache2/sites-available/b.conf",
            "<virtualhost *:80>\n  # SetHandler \"proxy:unix:/run/php/x.sock|fcgi://localhost\"\n"
            "  DocumentRoot \\\n      \"/srv/b/\"\n  <FilesMatch \\.php$>\n"
            "    SetHandler 'proxy:unix:/run/php/b.sock|fcgi://localhost/'\n"
            "  </FilesMatch>\n  <Location /status>\n    SetHandler server-status\n"
            "  </Location>\n</VirtualHost>\n"
            "<VirtualHost *:8080>\n  DocumentRoot ${SITE_ROOT}\n</VirtualHost>\n"
            "<VirtualHost *:8081>\n  DocumentRoot /srv/tcp\n"
            "  SetHandler \"proxy:fcgi://127.0.0.1:9000\"\n</VirtualHost>\n"
            "<VirtualHost *:8082>\n  DocumentRoot /srv/other\n"
            "  SetHandler \"proxy:unix:/run/php/b.sock|fcgi://localhost.example\"\n"
            "</VirtualHost>\n");
        for (const char *const *n = (const char *const[]){"000-default.conf", "b.conf", NULL}; *n;
             n++) {
                _cleanup_free_ char *target = xasprintf("../sites-available/%s", *n);
                _cleanup_free_ char *link = xasprintf("etc/apache2/sites-enabled/%s", *n);
                test_symlink(dir, target, link);
        }
        test_detect_services(dir, &sv);
        CHECK_U64(sv.web.n_sites, 2);
        st = &sv.web.sites[0];
        CHECK_STR(st->docroot, "/var/www/html");
        CHECK_STR(st->socket, "/run/php/php8.2-fpm.sock");
        st = &sv.web.sites[1];
        CHECK_STR(st->docroot, "/srv/b");
        CHECK_STR(st->socket, "/run/php/b.sock");

        /* pages = 1 (3000 ms against 10000 / 2), 5 Apache children, the master's 3 children
         * (process.max): www's share 2 gives max = ceil(4 / 5) = 1; b's admin 6 is bounded by
         * the master's 3: ceil(6 / 5) = 2. */
        {
                struct fixture f = {.dir = dir};
                struct plan p = {0};
                static const char *const slow[] = {"model.php.page_ms=3000", NULL};
                const struct action *a = plan_apache(&f, &p, slow);

                CHECK(a && strstr(a->content, "<Proxy \"fcgi://localhost/srv/b/\" max=2 "
                                              "acquire=7000 retry=0>\n"));
                CHECK(a && strstr(a->content, "<Proxy \"fcgi://localhost/var/www/html/\" max=1 "
                                              "acquire=7000 retry=0>\n"));
                CHECK(a && !strstr(a->content, "<Proxy \"fcgi://localhost\""));
                CHECK(plan_noted(&p, "for /srv/b: max=2 per Apache child on its own worker"));
                plan_done(&p);
                fixture_close(&f);
        }
        test_rmtree(dir);
}

/* Issue 18, item 3: the RAM the model leaves free goes to the buffer pool, up to the InnoDB
 * data's size (+25%); a MariaDB that has innodb_buffer_pool_size_auto_min gets it at the budgeted
 * size so it gives the rest back under memory pressure (the releases: modules/mysql.c). Without
 * a readable datadir the pool is the tier's. */
TEST(mysql_buffer_pool_grows_toward_the_data)
{
        static const char *const versions[] = {"1:11.8.3-1", "1:10.11.11-0+deb12u1"};

        for (size_t i = 0; i < ELEMENTSOF(versions); i++) {
                _cleanup_free_ char *dir = mysql_fixture("usr/sbin/mariadbd", "mariadb-server",
                                                         versions[i], "etc/mysql/mariadb.conf.d");
                struct fixture f = {.dir = dir};
                struct plan p = {0};
                const struct action *a;
                struct budget b;

                fixture_open(&f, 4 * GIB);
                CHECK(budget_compute(&f.ctx, &b) == 0 && !budget_find(&b, "mysqld.pool"));
                /* What mysql_detect() reads from a datadir and asks the server or dpkg. */
                f.services.db.data_bytes = 2 * GIB;
                f.services.db.version_known = true;
                CHECK(mysql_parse_version(versions[i], &f.services.db) == 0);
                CHECK(budget_compute(&f.ctx, &b) == 0);
                CHECK(budget_find(&b, "mysqld.pool") &&
                      budget_find(&b, "mysqld.pool")->bound == BOUND_WANTED);
                CHECK(b.fits && budget_total(&b) <= b.steady_room);
                CHECK(mysql_module.plan(&f.ctx, &p) == 0);
                a = find_action(&p, "/etc/mysql/mariadb.conf.d/99-memprov.cnf");
                CHECK(a && strstr(a->content, "\ninnodb_buffer_pool_size = 2560M\n"));
                CHECK(a && !!strstr(a->content, "\ninnodb_buffer_pool_size_auto_min = 512M\n") ==
                               (i == 0));
                plan_done(&p);
                /* At 1G the room, not the data, bounds it. */
                fixture_close(&f);
                fixture_open(&f, 1 * GIB);
                f.services.db.data_bytes = 2 * GIB;
                CHECK(budget_compute(&f.ctx, &b) == 0);
                CHECK(budget_find(&b, "mysqld.pool") &&
                      budget_find(&b, "mysqld.pool")->bound == BOUND_ROOM);
                CHECK(budget_total(&b) <= b.steady_room);
                fixture_close(&f);
                test_rmtree(dir);
        }
}

/* innodb_buffer_pool_size_auto_min only where the server has it: the MariaDB KB's "Introduced:
 * MariaDB 10.11.12, MariaDB 11.4.6, MariaDB 11.8.2" (checked with mariadbd --verbose --help on
 * 10.11.19 and 11.8.9), each boundary on both sides; never on MySQL 8 or an unknown version. */
TEST(mysql_pool_auto_min_by_release)
{
        static const struct {
                enum db_flavor flavor;
                const char *version;
                bool auto_min;
        } cases[] = {
            {DB_MARIADB, "10.6.21", false}, {DB_MARIADB, "10.11.11", false},
            {DB_MARIADB, "10.11.12", true}, {DB_MARIADB, "10.11.19", true},
            {DB_MARIADB, "11.2.6", false},  {DB_MARIADB, "11.4.5", false},
            {DB_MARIADB, "11.4.6", true},   {DB_MARIADB, "11.7.2", false},
            {DB_MARIADB, "11.8.0", false},  {DB_MARIADB, "11.8.1", false},
            {DB_MARIADB, "11.8.2", true},   {DB_MARIADB, "12.0.1", false},
            {DB_MARIADB, "12.0.2", true},   {DB_MARIADB, "12.3.1", true},
            {DB_MARIADB, "11.8", false},    {DB_MYSQL, "8.0.36", false},
            {DB_MYSQL, "8.4.3", false},     {DB_MYSQL, "12.0.2", false},
            {DB_MARIADB, NULL, false},
        };
        _cleanup_free_ char *dir =
            mysql_fixture("usr/sbin/mariadbd", "mariadb-server", "1:10.11.19-0+deb12u1",
                          "etc/mysql/mariadb.conf.d");
        struct fixture f = {.dir = dir};

        fixture_open(&f, 4 * GIB);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct db_server *db = &f.services.db;
                struct plan p = {0};
                const struct action *a;

                db->flavor = cases[i].flavor;
                db->data_bytes = 2 * GIB;
                db->version_known = cases[i].version;
                db->major = db->minor = db->patch = 0;
                CHECK(!cases[i].version || mysql_parse_version(cases[i].version, db) == 0);
                CHECK(mysql_module.plan(&f.ctx, &p) == 0);
                a = find_action(&p, "/etc/mysql/mariadb.conf.d/99-memprov.cnf");
                CHECK(a && strstr(a->content, "\ninnodb_buffer_pool_size = "));
                if (!a ||
                    !!strstr(a->content, "innodb_buffer_pool_size_auto_min") != cases[i].auto_min)
                        fprintf(stderr, "  %s %s: auto_min expected %s\n",
                                cases[i].flavor == DB_MYSQL ? "mysql" : "mariadb",
                                cases[i].version ? cases[i].version : "(unknown)",
                                cases[i].auto_min ? "present" : "absent");
                CHECK(a && !!strstr(a->content, "innodb_buffer_pool_size_auto_min") ==
                               cases[i].auto_min);
                plan_done(&p);
        }
        fixture_close(&f);
        test_rmtree(dir);
}

/* memory_limit = -1 in a pool (php_admin_value) and in mod_php's php.ini: counted at the RAM in
 * the burst (the sum used to wrap round to a small cost), and the plan says why. */
TEST(unlimited_memory_limit_counts_at_ram)
{
        _cleanup_free_ char *dir = lamp_fixture(true, "event", 1, 2);
        _cleanup_free_ char *modphp = lamp_fixture(true, "prefork", 0, 0);
        struct fixture f = {.dir = dir}, g = {.dir = modphp};
        struct plan p = {0}, q = {0};
        const struct budget_line *l;
        struct budget b;
        bool noted = false, noted_modphp = false;

        test_write(dir, "etc/php/8.0/fpm/pool.d/p1.conf",
                   "[pool1]\npm = dynamic\nphp_admin_value[memory_limit] = -1\n");
        fixture_open(&f, 512 * MIB);
        CHECK_U64(f.services.php.v[0].pools[1].memory_limit.value, UINT64_MAX);
        CHECK(budget_compute(&f.ctx, &b) == 0);
        l = budget_find(&b, "php 8.0");
        /* The two pools' mean: PHP's 128M and the RAM. */
        CHECK(l && l->burst == (128 * MIB + 512 * MIB) / 2);
        /* Not wrapped round to a small cost (a large bound): 1 without swap, below the floor,
         * which holds the count. */
        CHECK(l && l->bounds[BOUND_BURST] < l->floor && l->count == l->floor);
        CHECK(l && l->bound == BOUND_FLOOR);
        CHECK(phpfpm_module.plan(&f.ctx, &p) == 0);
        for (size_t i = 0; i < p.n_notes; i++)
                noted = noted || strstr(p.notes[i], "pool pool1: memory_limit -1 (unlimited)");
        CHECK(noted);
        plan_done(&p);
        fixture_close(&f);

        test_write(modphp, "etc/apache2/mods-enabled/php8.0.load",
                   "LoadModule php_module /usr/lib/apache2/modules/libphp8.0.so\n");
        test_write(modphp, "etc/php/8.0/apache2/php.ini", "[PHP]\nmemory_limit = -1\n");
        fixture_open(&g, 1 * GIB);
        CHECK(g.services.web.mod_php);
        CHECK(budget_compute(&g.ctx, &b) == 0);
        l = budget_find(&b, "apache");
        /* The heap at the RAM, on top of the child's typical cost; the whole child at most the
         * RAM (budget_burst_child). */
        CHECK(l && l->burst == 1 * GIB);
        CHECK(l && budget_burst_child(l, 1 * GIB) == 1 * GIB);
        CHECK(apache_module.plan(&g.ctx, &q) == 0);
        for (size_t i = 0; i < q.n_notes; i++)
                noted_modphp = noted_modphp || strstr(q.notes[i], "memory_limit is -1 (unlimited)");
        CHECK(noted_modphp);
        plan_done(&q);
        fixture_close(&g);
        test_rmtree(dir);
        test_rmtree(modphp);
}

/* Issue 22 via 18: in a container the burst bound counts at most the swap its cgroup allows. */
TEST(budget_container_swap_limit)
{
        _cleanup_free_ char *dir = lamp_fixture(true, "event", 1, 1);
        struct fixture f = {.dir = dir};
        struct swap_entry swap = {
            .path = (char *)"/swapfile", .present = true, .active = true, .size_bytes = 1 * GIB};
        struct budget b;

        fixture_open(&f, 512 * MIB);
        f.facts.swaps = &swap;
        f.facts.n_swaps = 1;
        CHECK(budget_compute(&f.ctx, &b) == 0);
        CHECK_U64(b.model.swap, 1 * GIB);
        f.facts.container = "docker";
        f.facts.container_swap_bytes = 256 * MIB;
        CHECK(budget_compute(&f.ctx, &b) == 0);
        CHECK_U64(b.model.swap, 256 * MIB);
        f.facts.container_swap_bytes = 0;
        CHECK(budget_compute(&f.ctx, &b) == 0);
        CHECK_U64(b.model.swap, 0);
        /* 512M LAMP without swap: the burst bound keeps three (as budget_default_lamp_512m). */
        CHECK_U64(budget_count(&b, "php 8.0", 0), 3);
        f.facts.swaps = NULL;
        f.facts.n_swaps = 0;
        f.facts.container = NULL;
        fixture_close(&f);
        test_rmtree(dir);
}

/* Issue 18, the 512M load cell with php.max_children = 5: Debian's zram-generator turns zram0 on
 * before memprov's first boot. swap_plan makes the tier's swapfile behind it (zram is not disk
 * swap) and the burst bound must count that swapfile too, as the next --rerun does when it is
 * there; it counted zram alone, and the first boot's process.max (4, burst) differed from
 * --rerun --dry-run's (5, steady). */
TEST(budget_first_boot_zram_counts_swapfile)
{
        _cleanup_free_ char *dir = lamp_fixture(true, "event", 1, 1);
        struct fixture f = {.dir = dir};
        struct swap_entry swaps[] = {
            {.path = (char *)"/dev/zram0",
             .present = true,
             .active = true,
             .size_bytes = 234 * MIB},
            {.path = (char *)"/swapfile", .present = true, .active = true, .size_bytes = 1 * GIB}};
        struct budget b;
        uint64_t first;

        /* Debian's cloud kernel, which has zram and no zswap (the load image's). */
        test_symlink(dir, "boot/vmlinuz-6.1.0-31-cloud-amd64", "vmlinuz");
        test_write(dir, "boot/config-6.1.0-31-cloud-amd64",
                   "# CONFIG_ZSWAP is not set\nCONFIG_ZRAM=m\nCONFIG_ZSMALLOC=m\n");
        fixture_open(&f, 512 * MIB);
        f.facts.vcpus = 2;
        f.facts.fs_known = true;
        f.facts.swapfs = (struct fs_facts){.fstype = (char *)"ext4",
                                           .size_bytes = 24 * GIB,
                                           .avail_bytes = 20 * GIB,
                                           .devices = 1};
        f.facts.swaps = swaps;
        f.facts.n_swaps = 1; /* first boot: zram0 only */
        CHECK(budget_compute(&f.ctx, &b) == 0);
        CHECK_U64(b.model.swap, 234 * MIB + 1 * GIB);
        /* zram's pages stay in RAM compressed 2:1 (zram.rst): it counts at half its size. */
        CHECK_U64(b.model.zram, 234 * MIB);
        CHECK_U64(budget_swap_cushion(&b.model), 117 * MIB + 1 * GIB);
        CHECK_U64(b.model.zswap_pool, 0);
        CHECK_U64(b.burst_room, 512 * MIB + (117 * MIB + 1 * GIB) / 100 * 25);
        first = budget_count(&b, "php 8.0", 0);
        f.facts.n_swaps = 2; /* the next run: zram0 and the 1G swapfile */
        f.facts.swapfs.avail_bytes -= 1 * GIB;
        CHECK(budget_compute(&f.ctx, &b) == 0);
        CHECK_U64(b.model.swap, 234 * MIB + 1 * GIB);
        CHECK_U64(budget_count(&b, "php 8.0", 0), first);
        CHECK(budget_find(&b, "php 8.0")->bound != BOUND_BURST);
        f.facts.swaps = NULL;
        f.facts.n_swaps = 0;
        fixture_close(&f);
        test_rmtree(dir);
}

/* The 512M tier on Debian's generic kernel (CONFIG_ZSWAP=y): zswap sits in front of the 1G
 * swapfile with the tier's max_pool_percent 20, so the burst counts its quarter of the swap less
 * the pool's 102.4M; the cloud kernel (no zswap) counts the quarter whole. */
TEST(budget_zswap_pool_from_the_kernel)
{
        _cleanup_free_ char *dir = lamp_fixture(true, "event", 1, 1);
        struct fixture f = {.dir = dir};
        struct swap_entry swap = {
            .path = (char *)"/swapfile", .present = true, .active = true, .size_bytes = 1 * GIB};
        uint64_t share = 1 * GIB / 100 * 25, pool = 512 * MIB / 100 * 20;
        struct budget b;

        test_symlink(dir, "boot/vmlinuz-6.1.0-31-amd64", "vmlinuz");
        test_write(dir, "boot/config-6.1.0-31-amd64", "CONFIG_ZSWAP=y\nCONFIG_ZSMALLOC=y\n");
        fixture_open(&f, 512 * MIB);
        f.facts.swaps = &swap;
        f.facts.n_swaps = 1;
        CHECK(budget_compute(&f.ctx, &b) == 0);
        CHECK_U64(b.model.zswap_pool, pool);
        CHECK_U64(b.burst_room, 512 * MIB + share - pool);
        test_write(dir, "boot/config-6.1.0-31-amd64", "# CONFIG_ZSWAP is not set\n");
        CHECK(budget_compute(&f.ctx, &b) == 0);
        CHECK_U64(b.model.zswap_pool, 0);
        CHECK_U64(b.burst_room, 512 * MIB + share);
        f.facts.swaps = NULL; /* no swap: no zswap, nothing to count out */
        f.facts.n_swaps = 0;
        test_write(dir, "boot/config-6.1.0-31-amd64", "CONFIG_ZSWAP=y\n");
        CHECK(budget_compute(&f.ctx, &b) == 0);
        CHECK_U64(b.burst_room,
                  512 * MIB + (b.model.swap / 100 * 25 - MIN(pool, b.model.swap / 100 * 25 / 2)));
        fixture_close(&f);
        test_rmtree(dir);
}

/* Issue 18 (s12 brief item 2): the budget counts the zram live this boot after the run. A
 * present zram0 counts (a changed size comes at the next boot: memprov never sets a running
 * device up again, a swapoff through RAM); none where the run stops zram0 (the cushion is zswap
 * now); memprov's default min(ram / 2, 4096) where the run starts one; an expression of the
 * tier's, which the generator evaluates, from the next run. */
TEST(zram_budget_counts_this_boot)
{
        _cleanup_free_ char *dir = lamp_fixture(true, "event", 1, 1);
        struct fixture f = {.dir = dir};
        struct options o = {.assume_ram = 512 * MIB};
        struct cushion zram = {.kind = CUSHION_ZRAM, .zram_generator = true};
        struct cushion zswap = {.kind = CUSHION_ZSWAP, .zram_generator = true};

        fixture_open(&f, 512 * MIB);
        CHECK_U64(zram_live_bytes(&f.ctx, &zram, 234 * MIB), 234 * MIB); /* offline: as is */
        CHECK_U64(zram_live_bytes(&f.ctx, &zswap, 234 * MIB), 234 * MIB);
        f.ctx.live = true;
        f.ctx.opts = &o;
        f.facts.systemd_running = true;
        CHECK_U64(zram_live_bytes(&f.ctx, &zram, 234 * MIB), 234 * MIB); /* kept this boot */
        CHECK_U64(zram_live_bytes(&f.ctx, &zswap, 234 * MIB), 0);        /* stopped now */
        CHECK_U64(zram_live_bytes(&f.ctx, &zram, 0), 256 * MIB);         /* started now */
        CHECK_U64(zram_live_bytes(&f.ctx, &zswap, 0), 0);
        zram.zram_generator = false; /* memprov starts and stops nothing without it */
        CHECK_U64(zram_live_bytes(&f.ctx, &zram, 0), 0);
        zswap.zram_generator = false;
        CHECK_U64(zram_live_bytes(&f.ctx, &zswap, 234 * MIB), 234 * MIB);
        zram.zram_generator = true;
        f.facts.container = "lxc"; /* the generator does nothing in a container */
        CHECK_U64(zram_live_bytes(&f.ctx, &zram, 0), 0);
        f.facts.container = NULL;
        config_set(&f.config, "tier 512M", "zram.size", "ram / 4", "test");
        CHECK_U64(zram_live_bytes(&f.ctx, &zram, 0), 0); /* the generator's to evaluate */
        CHECK_U64(zram_live_bytes(&f.ctx, &zram, 234 * MIB), 234 * MIB);
        fixture_close(&f);
        test_rmtree(dir);
}

/* Issue 23: one policy for how long a request waits for a PHP child. Apache (acquire plus
 * PHP-FPM's backlog) and nginx (listen.backlog, fastcgi_connect_timeout) both wait the target
 * less one page: 10 s - 250 ms. nginx waited 3 s before (every tier's nginx.fastcgi_wait), which
 * is now only an admin's override. */
TEST(php_wait_one_policy_for_both_web_servers)
{
        _cleanup_free_ char *dir = lamp_fixture(true, "event", 1, 1);
        struct fixture f = {.dir = dir};

        fixture_open(&f, 512 * MIB);
        CHECK_U64(php_target_ms(&f.ctx), 10000);
        CHECK_U64(php_wait_ms(&f.ctx), 9750);
        CHECK_U64(nginx_wait_ms(&f.ctx), 9750);
        config_set(&f.config, "model", "php.page_ms", "3000", "test");
        CHECK_U64(php_wait_ms(&f.ctx), 7000);
        config_set(&f.config, "model", "php.page_ms", "20000", "test"); /* slower than the target */
        CHECK_U64(php_wait_ms(&f.ctx), 20000);
        config_set(&f.config, "model", "php.page_ms", "250", "test");
        config_set(&f.config, "services", "apache.proxy_fcgi.target_latency_ms", "20000", "test");
        CHECK_U64(php_target_ms(&f.ctx), 20000); /* the deprecated alias wins */
        CHECK_U64(nginx_wait_ms(&f.ctx), 19750);
        config_set(&f.config, "services", "apache.proxy_fcgi.target_latency_ms", "0", "test");
        CHECK_U64(php_wait_ms(&f.ctx), 0); /* no bound */
        config_set(&f.config, "tier 512M", "nginx.fastcgi_wait", "3", "test");
        CHECK_U64(nginx_wait_ms(&f.ctx), 3000); /* an admin's override, nginx only */
        CHECK_U64(php_wait_ms(&f.ctx), 0);
        fixture_close(&f);
        test_rmtree(dir);
}

/* Issue 22: where the container refuses a lower oom_score_adj (no CAP_SYS_RESOURCE in the host's
 * user namespace), the database's negative OOMScoreAdjust is still written and one note says it
 * has no effect; nothing is said for a raised score, on a live system without the refusal, or
 * offline. */
TEST(oom_container_cannot_lower_score)
{
        _cleanup_free_ char *dir = lamp_fixture(true, "event", 1, 1);
        struct fixture f = {.dir = dir};
        struct plan p = {0};
        size_t notes = 0;

        test_write(dir, "lib/systemd/system/mariadb.service", "[Service]\nExecStart=/x\n");
        fixture_open(&f, 512 * MIB);
        f.facts.container = "lxc";
        f.facts.container_denies = CONTAINER_DENIES_OOM_LOWER;
        f.ctx.live = true;
        CHECK(oom_module.plan(&f.ctx, &p) == 0);
        CHECK(find_action(&p, "/etc/systemd/system/mariadb.service.d/50-memprov.conf") != NULL);
        for (size_t i = 0; i < p.n_notes; i++)
                notes += strstr(p.notes[i], "has no effect here") != NULL;
        CHECK_U64(notes, 1);
        for (size_t i = 0; i < p.n_notes; i++)
                if (strstr(p.notes[i], "has no effect here"))
                        CHECK_STR(p.notes[i],
                                  "container lxc: OOMScoreAdjust=-600 for mariadb.service has no "
                                  "effect here: lowering an oom_score_adj needs CAP_SYS_RESOURCE "
                                  "in the host's user namespace, and systemd ignores the refusal");
        plan_done(&p);
        p = (struct plan){0};
        f.facts.container_denies = 0;
        CHECK(oom_module.plan(&f.ctx, &p) == 0);
        for (size_t i = 0; i < p.n_notes; i++)
                CHECK(strstr(p.notes[i], "has no effect here") == NULL);
        plan_done(&p);
        p = (struct plan){0};
        f.facts.container_denies = CONTAINER_DENIES_OOM_LOWER;
        f.ctx.live = false;
        CHECK(oom_module.plan(&f.ctx, &p) == 0);
        for (size_t i = 0; i < p.n_notes; i++)
                CHECK(strstr(p.notes[i], "has no effect here") == NULL);
        plan_done(&p);
        f.facts.container = NULL;
        fixture_close(&f);
        test_rmtree(dir);
}
