/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Issue 18's web inputs: links resolved inside the root, Apache, PHP-FPM and nginx as they run. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../lib/chase.h"
#include "../../lib/iniread.h"
#include "../../lib/phpini.h"
#include "../../lib/util.h"
#include "../../modules/module.h"
#include "../../modules/web.h"
#include "test.h"

TEST(chase_follows_links_inside_the_root)
{
        _cleanup_free_ char *dir = test_mkdtemp(), *outside = test_mkdtemp();
        _cleanup_free_ char *text = NULL, *escape = NULL;
        int rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), dirfd = -1;
        char name[NAME_MAX + 1];

        test_write(dir, "etc/a/mods-available/x.load", "relative\n");
        test_write(dir, "etc/a/mods-available/y.ini", "absolute\n");
        test_write(dir, "etc/a/mods-enabled/.keep", "");
        test_write(outside, "secret", "outside\n");
        test_symlink(dir, "../mods-available/x.load", "etc/a/mods-enabled/x.load");
        test_symlink(dir, "/etc/a/mods-available/y.ini", "etc/a/mods-enabled/y.ini");
        test_symlink(dir, "../../../../../../../../../../secret", "etc/a/mods-enabled/up.load");
        escape = xasprintf("%s/secret", outside);
        test_symlink(dir, escape, "etc/a/mods-enabled/abs-outside.load");
        test_symlink(dir, "loop2", "etc/a/mods-enabled/loop1");
        test_symlink(dir, "loop1", "etc/a/mods-enabled/loop2");
        test_symlink(dir, "missing.load", "etc/a/mods-enabled/dangling.load");
        test_symlink(dir, "/etc/a", "etc/linked-dir");

        CHECK(chase_read_file(rootfd, "/etc/a/mods-enabled/x.load", &text, NULL) == 0);
        CHECK(text && streq(text, "relative\n"));
        free(text);
        text = NULL;
        /* An absolute target names a path in the root, as in the booted image. */
        CHECK(chase_read_file(rootfd, "/etc/a/mods-enabled/y.ini", &text, NULL) == 0);
        CHECK(text && streq(text, "absolute\n"));
        free(text);
        text = NULL;
        CHECK(chase_read_file(rootfd, "/etc/linked-dir/mods-enabled/x.load", &text, NULL) == 0);
        free(text);
        text = NULL;
        CHECK(chase_read_file(rootfd, "/etc/a/mods-enabled/up.load", &text, NULL) == -EXDEV);
        /* The host's path of that name is not read: inside the root it does not exist. */
        CHECK(chase_read_file(rootfd, "/etc/a/mods-enabled/abs-outside.load", &text, NULL) ==
              -ENOENT);
        CHECK(chase_read_file(rootfd, "/etc/a/mods-enabled/loop1", &text, NULL) == -ELOOP);
        CHECK(chase_read_file(rootfd, "/etc/a/mods-enabled/dangling.load", &text, NULL) == -ENOENT);
        CHECK(chase_read_file(rootfd, "/../etc/a/mods-available/x.load", &text, NULL) == -EXDEV);
        CHECK(chase_read_file(rootfd, "/etc/a/mods-enabled", &text, NULL) == -EISDIR);
        CHECK(chase_in_root(rootfd, "/", &dirfd, name) == 0 && streq(name, "."));
        if (dirfd >= 0)
                close(dirfd);
        CHECK(strstr(chase_strerror(-EXDEV), "out of the root") != NULL);
        close(rootfd);
        test_rmtree(dir);
        test_rmtree(outside);
}

/* a2enmod's layout exactly: mods-enabled holds relative links into mods-available. */
TEST(apache_mod_php_through_a2enmod_links)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        struct services s;

        test_write(dir, "usr/sbin/apache2", "");
        test_write(dir, "etc/apache2/mods-available/mpm_prefork.load",
                   "# Conflicts: mpm_event mpm_worker\n"
                   "LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so\n");
        test_write(dir, "etc/apache2/mods-available/php8.2.load",
                   "# Conflicts: php5\n# Depends: mpm_prefork\n"
                   "LoadModule php_module /usr/lib/apache2/modules/libphp8.2.so\n");
        test_write(dir, "etc/apache2/mods-available/php8.2.conf",
                   "<FilesMatch \".+\\.ph(?:ar|p|tml)$\">\n");
        test_write(dir, "etc/apache2/mods-enabled/.placeholder", "");
        test_symlink(dir, "../mods-available/mpm_prefork.load",
                     "etc/apache2/mods-enabled/mpm_prefork.load");
        test_symlink(dir, "../mods-available/php8.2.load", "etc/apache2/mods-enabled/php8.2.load");
        test_symlink(dir, "../mods-available/php8.2.conf", "etc/apache2/mods-enabled/php8.2.conf");
        test_detect_services(dir, &s);
        CHECK(s.web.installed && s.web.debian);
        CHECK(!s.web.enabled); /* no apache2.service linked */
        CHECK(s.web.mpm == MPM_PREFORK);
        CHECK(s.web.mod_php);
        CHECK_STR(s.web.mod_php_version, "8.2");
        test_rmtree(dir);
}

struct collected {
        char text[512];
};

static void collect(const struct ini_item *it, void *userdata)
{
        struct collected *c = userdata;
        size_t len = strlen(c->text);

        snprintf(c->text + len, sizeof(c->text) - len, "%s|%s|%s|%u\n", it->section, it->key,
                 it->value, it->line);
}

TEST(php_ini_syntax_and_quantities)
{
        const char *text = "; comment\nmemory_limit = \"256M\" ; why\n[www]\n"
                           "  php_admin_value[memory_limit] = '1G'\n  pm = dynamic\n";
        char long_section[80];
        struct collected c = {0};
        unsigned line = 0;
        uint64_t v;
        bool b;

        CHECK(ini_parse_php(text, strlen(text), collect, &c, &line) == 0);
        /* An indented key is a setting of its own, not the previous value's continuation. */
        CHECK_STR(c.text, "|memory_limit|256M|2\nwww|php_admin_value[memory_limit]|1G|4\n"
                          "www|pm|dynamic|5\n");
        CHECK(ini_parse_php("a = 1\nnot a setting\n", 20, collect, &c, &line) == -EINVAL &&
              line == 2);
        CHECK(ini_parse_php("a = 1\n\0b = 2\n", 13, collect, &c, &line) == -EBADMSG && line == 2);
        snprintf(long_section, sizeof(long_section), "[%s]\nx = 1\n",
                 "a-pool-name-of-fifty-characters-which-inih-would-cut");
        CHECK(ini_parse_php(long_section, strlen(long_section), collect, &c, &line) ==
                  -ENAMETOOLONG &&
              line == 1);
        CHECK(php_parse_quantity("128M", &v) == 0 && v == 128ULL << 20);
        CHECK(php_parse_quantity("1g", &v) == 0 && v == 1ULL << 30);
        CHECK(php_parse_quantity("512k", &v) == 0 && v == 512ULL << 10);
        CHECK(php_parse_quantity("1048576", &v) == 0 && v == 1ULL << 20);
        CHECK(php_parse_quantity("-1", &v) == 0 && v == PHP_UNLIMITED);
        CHECK(php_parse_quantity("", &v) == -EINVAL);
        CHECK(php_parse_quantity("12MB", &v) == -EINVAL);
        CHECK(php_parse_quantity("99999999999999999999", &v) == -EINVAL);
        CHECK(php_parse_quantity("-2", &v) == -EINVAL);
        CHECK(php_parse_bool("On", &b) == 0 && b);
        CHECK(php_parse_bool("off", &b) == 0 && !b);
        CHECK(php_parse_bool("maybe", &b) == -EINVAL);
}

/* Debian's php8.X-fpm layout: php-fpm.conf including pool.d/ *.conf, php.ini from
 * php.ini-production, conf.d of phpenmod's absolute links into mods-available. */
static void debian_fpm(const char *dir, const char *v, const char *ini_limit)
{
        _cleanup_free_ char *bin = xasprintf("usr/sbin/php-fpm%s", v);
        _cleanup_free_ char *conf = xasprintf("etc/php/%s/fpm/php-fpm.conf", v);
        _cleanup_free_ char *conf_text =
            xasprintf("[global]\npid = /run/php/php%s-fpm.pid\n;process.max = 128\n"
                      "include=/etc/php/%s/fpm/pool.d/*.conf\n",
                      v, v);
        _cleanup_free_ char *ini = xasprintf("etc/php/%s/fpm/php.ini", v);
        _cleanup_free_ char *ini_text =
            xasprintf("[PHP]\nengine = On\nmemory_limit = %s\n", ini_limit);
        _cleanup_free_ char *prod = xasprintf("usr/lib/php/%s/php.ini-production", v);
        _cleanup_free_ char *mod = xasprintf("etc/php/%s/mods-available/opcache.ini", v);
        _cleanup_free_ char *link = xasprintf("etc/php/%s/fpm/conf.d/10-opcache.ini", v);
        _cleanup_free_ char *target = xasprintf("/etc/php/%s/mods-available/opcache.ini", v);

        test_write(dir, bin, "");
        test_write(dir, conf, conf_text);
        test_write(dir, ini, ini_text);
        test_write(dir, prod, "[PHP]\nmemory_limit = 128M\n[opcache]\n;opcache.enable=1\n");
        test_write(dir, mod,
                   "; configuration for php opcache module\n; priority=10\n"
                   "zend_extension=opcache.so\n");
        _cleanup_free_ char *full = xasprintf("%s/%s", dir, link);

        test_write(dir, link, ""); /* makes the directory */
        unlink(full);
        test_symlink(dir, target, link);
}

TEST(phpfpm_panel_pools_and_memory_limits)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        struct services s;
        const struct php_fpm *f;

        debian_fpm(dir, "8.1", "128M");
        debian_fpm(dir, "8.2", "256M");
        test_write(dir, "etc/php/8.2/fpm/conf.d/20-site.ini", "opcache.memory_consumption = 64\n");
        test_write(dir, "etc/php/8.2/fpm/conf.d/99-memprov.ini", "memory_limit = 40M\n");
        test_write(dir, "etc/php/8.1/fpm/pool.d/www.conf",
                   "[www]\nuser = www-data\nlisten = /run/php/php8.1-fpm.sock\npm = dynamic\n"
                   "pm.max_children = 5\n");
        for (unsigned i = 0; i < 10; i++) {
                _cleanup_free_ char *path = xasprintf("etc/php/8.2/fpm/pool.d/site%02u.conf", i);
                _cleanup_free_ char *body = xasprintf(
                    "[site%02u]\nuser = site%02u\nlisten = /run/php/$pool.sock\npm = ondemand\n"
                    "pm.max_children = %u\n%s",
                    i, i, 4 + i,
                    i == 3   ? "php_admin_value[memory_limit] = 256M\n"
                    : i == 4 ? "php_value[memory_limit] = 96M\nphp_value[memory_limit] = 64M\n"
                    : i == 5 ? "php_admin_value[memory_limit] = -1\n"
                             : "");
                test_write(dir, path, body);
        }
        /* A later file repeating [site03]: pm.max_children replaced, the first
         * php_admin_value[memory_limit] kept (php-fpm 8.2 serves 256M). memprov's own file is not
         * an input. */
        test_write(dir, "etc/php/8.2/fpm/pool.d/zz-panel.conf",
                   "[site03]\npm.max_children = 20\nphp_admin_value[memory_limit] = 40M\n");
        test_write(dir, "etc/php/8.2/fpm/pool.d/zz-memprov.conf",
                   "[global]\nprocess.max = 3\n[site00]\nphp_admin_value[memory_limit] = 40M\n");
        test_write(dir, "etc/php/8.2/fpm/pool.d/notes.txt", "[ignored]\n");
        test_detect_services(dir, &s);
        CHECK_U64(s.php.n, 2);
        f = &s.php.v[0];
        CHECK_STR(f->version, "8.1");
        CHECK_U64(f->n_pools, 1);
        CHECK_STR(f->pools[0].name, "www");
        CHECK(f->pools[0].max_children.value == 5 &&
              f->pools[0].max_children.source == SOURCE_DISTRO);
        CHECK(f->ini_memory_limit.value == 128ULL << 20 &&
              f->ini_memory_limit.source == SOURCE_DISTRO);
        CHECK(f->pools[0].memory_limit.value == 128ULL << 20 && !f->pools[0].memory_limit_locked);
        CHECK(f->opcache_enabled && f->opcache_memory.value == 128ULL << 20 &&
              f->opcache_memory.source == SOURCE_DEFAULT);
        CHECK(f->process_max.value == 0 && f->process_max.source == SOURCE_DEFAULT);

        f = &s.php.v[1];
        CHECK_STR(f->version, "8.2");
        CHECK_U64(f->n_pools, 10);
        CHECK(f->ini_memory_limit.value == 256ULL << 20 &&
              f->ini_memory_limit.source == SOURCE_ADMIN);
        CHECK(strstr(f->ini_memory_limit.origin, "/etc/php/8.2/fpm/php.ini:3") != NULL);
        CHECK(f->opcache_memory.value == 64ULL << 20 && f->opcache_memory.source == SOURCE_ADMIN);
        CHECK_STR(f->pools[0].name, "site00");
        CHECK(f->pools[0].memory_limit.value == 256ULL << 20 &&
              f->pools[0].memory_limit.source == SOURCE_ADMIN && !f->pools[0].memory_limit_locked);
        CHECK_STR(f->pools[0].listen, "/run/php/site00.sock");
        CHECK_STR(f->pools[0].pm, "ondemand");
        CHECK(f->pools[3].memory_limit.value == 256ULL << 20 && f->pools[3].memory_limit_locked);
        CHECK_STR(f->pools[3].memory_limit.origin, "/etc/php/8.2/fpm/pool.d/site03.conf:6");
        CHECK(f->pools[3].max_children.value == 20 &&
              f->pools[3].max_children.source == SOURCE_ADMIN);
        CHECK_STR(f->pools[3].max_children.origin, "/etc/php/8.2/fpm/pool.d/zz-panel.conf:2");
        CHECK(f->pools[4].memory_limit.value == 96ULL << 20 && !f->pools[4].memory_limit_locked);
        CHECK(f->pools[5].memory_limit.value == PHP_UNLIMITED && f->pools[5].memory_limit_locked);
        CHECK(f->pools[9].max_children.value == 13);
        test_rmtree(dir);
}

/* Bad input: one message each, the value unknown, nothing else lost. */
TEST(phpfpm_bad_files_give_unknown_values)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        _cleanup_free_ char *longname = NULL;
        struct services s;
        const struct php_fpm *f;

        debian_fpm(dir, "8.2", "lots");
        longname = xstrdup("etc/php/8.2/fpm/pool.d/long.conf");
        test_write(dir, "etc/php/8.2/fpm/pool.d/a.conf",
                   "[a]\npm = static\npm.max_children = 4\nphp_value[memory_limit] = 1T\n");
        test_write(dir, "etc/php/8.2/fpm/pool.d/b.conf", "[b]\npm = static\nthis is not ini\n");
        test_write(dir, longname,
                   "[a-pool-whose-name-is-far-longer-than-sixty-three-characters-xxxxxxxx]\n"
                   "pm = static\n");
        test_symlink(dir, "../../../../../../../../../../../etc/passwd",
                     "etc/php/8.2/fpm/pool.d/escape.conf");
        test_detect_services(dir, &s);
        CHECK_U64(s.php.n, 1);
        f = &s.php.v[0];
        CHECK(f->ini_memory_limit.source == SOURCE_UNKNOWN);
        CHECK_U64(f->n_pools, 2);
        CHECK(f->pools[0].memory_limit.source == SOURCE_UNKNOWN);
        CHECK(f->pools[0].max_children.value == 4);
        CHECK_STR(f->pools[1].name, "b");
        /* No php_value: the php.ini chain, unknown here. */
        CHECK(f->pools[1].memory_limit.source == SOURCE_UNKNOWN);
        test_rmtree(dir);
}

TEST(apache_mod_php_memory_limit_from_the_apache2_sapi)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        struct services s;

        test_write(dir, "usr/sbin/apache2", "");
        test_write(dir, "etc/apache2/mods-available/php8.2.load",
                   "LoadModule php_module /usr/lib/apache2/modules/libphp8.2.so\n");
        test_write(dir, "etc/apache2/mods-enabled/.placeholder", "");
        test_symlink(dir, "../mods-available/php8.2.load", "etc/apache2/mods-enabled/php8.2.load");
        test_write(dir, "etc/php/8.2/apache2/php.ini", "[PHP]\nmemory_limit = 128M\n");
        test_write(dir, "usr/lib/php/8.2/php.ini-production", "[PHP]\nmemory_limit = 128M\n");
        test_write(dir, "etc/php/8.2/apache2/conf.d/30-wordpress.ini", "memory_limit = 512M\n");
        test_detect_services(dir, &s);
        CHECK(s.web.mod_php);
        CHECK(s.web.mod_php_memory_limit.value == 512ULL << 20 &&
              s.web.mod_php_memory_limit.source == SOURCE_ADMIN);
        CHECK_STR(s.web.mod_php_memory_limit.origin,
                  "/etc/php/8.2/apache2/conf.d/30-wordpress.ini:1");
        _cleanup_free_ char *site =
            xasprintf("%s/etc/php/8.2/apache2/conf.d/30-wordpress.ini", dir);
        unlink(site);
        test_detect_services(dir, &s);
        CHECK(s.web.mod_php_memory_limit.value == 128ULL << 20 &&
              s.web.mod_php_memory_limit.source == SOURCE_DISTRO);
        test_rmtree(dir);
}

/* Debian's nginx.conf as nginx-common 1.22.1 ships it (tests/fixtures/services/nginx-debian.conf),
 * in Debian's layout, enabled as `systemctl enable nginx` does. */
TEST(nginx_debian_layout_and_workers)
{
        _cleanup_free_ char *dir = test_mkdtemp(), *conf = NULL;
        _cleanup_free_ char *wants =
            xasprintf("%s/etc/systemd/system/multi-user.target.wants/nginx.service", dir);
        FILE *in = fopen("tests/fixtures/services/nginx-debian.conf", "re");
        struct services s;
        char buf[8192];
        size_t n;

        CHECK(in != NULL);
        if (!in)
                return;
        n = fread(buf, 1, sizeof(buf) - 1, in);
        fclose(in);
        buf[n] = '\0';
        test_write(dir, "usr/sbin/nginx", "");
        test_write(dir, "etc/nginx/nginx.conf", buf);
        test_write(dir, "etc/nginx/sites-enabled/.keep", "");
        test_detect_services(dir, &s);
        CHECK(s.nginx.installed && s.nginx.debian && !s.nginx.enabled);
        CHECK(s.nginx.worker_processes_auto && s.nginx.worker_processes == 2);
        CHECK_STR(s.nginx.workers.origin, "/etc/nginx/nginx.conf:2");
        CHECK(s.nginx.worker_connections.value == 768);
        CHECK_STR(s.nginx.worker_connections.origin, "/etc/nginx/nginx.conf:8");
        /* A link alone is not an enabled nginx: the unit file must be installed too. */
        test_write(dir, "etc/systemd/system/multi-user.target.wants/.keep", "");
        test_symlink(dir, "/lib/systemd/system/nginx.service",
                     "etc/systemd/system/multi-user.target.wants/nginx.service");
        test_detect_services(dir, &s);
        CHECK(!s.nginx.enabled);
        unlink(wants);
        test_write(dir, "lib/systemd/system/nginx.service",
                   "[Service]\nType=forking\n[Install]\nWantedBy=multi-user.target\n");
        test_symlink(dir, "/lib/systemd/system/nginx.service",
                     "etc/systemd/system/multi-user.target.wants/nginx.service");
        test_detect_services(dir, &s);
        CHECK(s.nginx.enabled);
        test_symlink(dir, "/dev/null", "etc/systemd/system/nginx.service");
        test_detect_services(dir, &s);
        CHECK(!s.nginx.enabled);
        test_rmtree(dir);
}

TEST(nginx_conf_syntax)
{
        struct nginx_server n = {0};

        /* EL's shape: a count, comments, quoted words, other blocks' worker_connections ignored. */
        nginx_parse_conf("user nginx;\nworker_processes 4; # four\nhttp {\n  log_format main "
                         "'$remote_addr {x} ; \\' q';\n  server { worker_connections 9; }\n}\n"
                         "events {\n    worker_connections 1024;\n}\n",
                         "/etc/nginx/nginx.conf", 2, &n);
        CHECK(n.worker_processes == 4 && !n.worker_processes_auto);
        CHECK(n.workers.source == SOURCE_DISTRO);
        CHECK(n.worker_connections.value == 1024);
        CHECK_STR(n.worker_connections.origin, "/etc/nginx/nginx.conf:8");
        /* Unset: nginx's documented defaults. */
        nginx_parse_conf("events {}\n", "x", 2, &n);
        CHECK(n.worker_processes == 1 && n.workers.source == SOURCE_DEFAULT);
        CHECK(n.worker_connections.value == 512);
        /* Broken: one warning, unknown. */
        nginx_parse_conf("worker_processes 2;\nevents {\n", "x", 2, &n);
        CHECK(n.workers.source == SOURCE_UNKNOWN && n.worker_processes == 0);
        nginx_parse_conf("worker_processes 2;\n}\n", "x", 2, &n);
        CHECK(n.workers.source == SOURCE_UNKNOWN);
        nginx_parse_conf("worker_processes \"2;\n", "x", 2, &n);
        CHECK(n.workers.source == SOURCE_UNKNOWN);
        nginx_parse_conf("worker_processes lots;\n", "x", 2, &n);
        CHECK(n.workers.source == SOURCE_UNKNOWN);
        nginx_parse_conf("a{b{c{d{e{f{g{h{i{j{k{l{m{n{o{p{q{r{}}}}}}}}}}}}}}}}}}\n", "x", 2, &n);
        CHECK(n.workers.source == SOURCE_UNKNOWN);
}

/* EL: one unversioned php-fpm (/etc/php-fpm.conf, /etc/php-fpm.d, /etc/php.ini, /etc/php.d), and
 * mod_php from conf.modules.d/15-php.conf with the same php.ini chain. */
TEST(el_phpfpm_and_mod_php)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        struct services s;

        test_detect_services("tests/fixtures/el", &s);
        CHECK_U64(s.php.n, 1);
        CHECK_STR(s.php.v[0].pool_dir, "/etc/php-fpm.d");
        CHECK_U64(s.php.v[0].n_pools, 2);
        CHECK_STR(s.php.v[0].pools[0].name, "shop");
        CHECK(s.php.v[0].pools[0].max_children.value == 50 &&
              s.php.v[0].pools[0].max_children.source == SOURCE_ADMIN);
        CHECK(s.php.v[0].pools[1].max_children.source == SOURCE_DISTRO);
        CHECK(s.php.v[0].pools[1].memory_limit.value == 128ULL << 20 &&
              s.php.v[0].pools[1].memory_limit.source == SOURCE_DEFAULT);

        test_write(dir, "usr/sbin/httpd", "");
        test_write(dir, "etc/httpd/conf.modules.d/00-mpm.conf",
                   "LoadModule mpm_prefork_module modules/mod_mpm_prefork.so\n");
        test_write(
            dir, "etc/httpd/conf.modules.d/15-php.conf",
            "<IfModule prefork.c>\n  LoadModule php_module modules/libphp.so\n</IfModule>\n");
        test_write(dir, "etc/php.ini", "[PHP]\nmemory_limit = 128M\n");
        test_write(dir, "etc/php.d/10-opcache.ini", "zend_extension=opcache\n");
        test_write(dir, "etc/php.d/99-site.ini", "memory_limit = 192M\n");
        test_detect_services(dir, &s);
        CHECK(s.web.installed && !s.web.debian && s.web.mpm == MPM_PREFORK && s.web.mod_php);
        CHECK(s.web.mod_php_memory_limit.value == 192ULL << 20 &&
              s.web.mod_php_memory_limit.source == SOURCE_ADMIN);
        CHECK_STR(s.web.mod_php_memory_limit.origin, "/etc/php.d/99-site.ini:1");
        test_rmtree(dir);
}
