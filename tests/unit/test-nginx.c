/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Issue 23: where nginx sends PHP requests, through its includes (Debian's sites-enabled links,
 * EL's upstream in conf.d), and which PHP-FPM pools that makes nginx's. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../lib/config.h"
#include "../../lib/options.h"
#include "../../lib/util.h"
#include "../../modules/module.h"
#include "../../modules/phpfpm.h"
#include "../../modules/web.h"
#include "test.h"

#define NGINX_HTTP                                                                                 \
        "user www-data;\nworker_processes auto;\npid /run/nginx.pid;\n"                            \
        "include /etc/nginx/modules-enabled/*.conf;\nevents {\n\tworker_connections 768;\n}\n"     \
        "http {\n\tinclude /etc/nginx/mime.types;\n\tinclude /etc/nginx/conf.d/*.conf;\n"          \
        "\tinclude /etc/nginx/sites-enabled/*;\n}\n"

/* Debian: sites-enabled links into sites-available (absolute, as the package and admins make
 * them), snippets included by a relative path, a second site on a TCP pool, a disabled site. */
TEST(nginx_fastcgi_targets_debian)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        struct services s;

        test_write(dir, "usr/sbin/nginx", "");
        test_write(dir, "etc/nginx/nginx.conf", NGINX_HTTP);
        test_write(dir, "etc/nginx/mime.types", "types {\n    text/html html;\n}\n");
        test_write(dir, "etc/nginx/modules-enabled/.keep", "");
        test_write(dir, "etc/nginx/conf.d/.keep", "");
        test_write(dir, "etc/nginx/snippets/fastcgi-php.conf",
                   "fastcgi_split_path_info ^(.+?\\.php)(/.*)$;\ninclude fastcgi.conf;\n");
        test_write(dir, "etc/nginx/fastcgi.conf", "fastcgi_param QUERY_STRING $query_string;\n");
        test_write(dir, "etc/nginx/sites-available/blog",
                   "server {\n  location ~ \\.php$ {\n    include snippets/fastcgi-php.conf;\n"
                   "    fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n  }\n}\n");
        test_write(dir, "etc/nginx/sites-available/shop",
                   "server {\n  location ~ \\.php$ { fastcgi_pass 127.0.0.1:9001; }\n}\n");
        test_write(dir, "etc/nginx/sites-available/old",
                   "server {\n  location / { fastcgi_pass unix:/run/php/old.sock; }\n}\n");
        test_write(dir, "etc/nginx/sites-enabled/.keep", "");
        test_symlink(dir, "/etc/nginx/sites-available/blog", "etc/nginx/sites-enabled/blog");
        test_symlink(dir, "/etc/nginx/sites-available/shop", "etc/nginx/sites-enabled/shop");
        test_detect_services(dir, &s);
        CHECK(s.nginx.installed && s.nginx.debian && s.nginx.conf_d_in_http);
        CHECK(s.nginx.worker_processes == 2);
        CHECK(s.nginx.fastcgi_known);
        CHECK_U64(s.nginx.n_fastcgi, 2);
        CHECK_STR(s.nginx.fastcgi[0], "/run/php/php8.2-fpm.sock");
        CHECK_STR(s.nginx.fastcgi[1], "127.0.0.1:9001");
        CHECK(nginx_uses_listen(&s.nginx, "/run/php/php8.2-fpm.sock"));
        CHECK(!nginx_uses_listen(&s.nginx, "/run/php/old.sock"));
        CHECK(nginx_uses_listen(&s.nginx, "9001"));
        CHECK(nginx_uses_listen(&s.nginx, "127.0.0.1:9001"));
        CHECK(nginx_uses_listen(&s.nginx, "[::]:9001"));
        CHECK(!nginx_uses_listen(&s.nginx, "9000"));
        CHECK(!nginx_uses_listen(&s.nginx, "10.0.0.5:9001"));
        CHECK(!nginx_uses_listen(&s.nginx, ""));

        /* A variable target is decided per request: unknown, so no pool is nginx's. */
        test_write(dir, "etc/nginx/sites-available/shop",
                   "server {\n  location ~ \\.php$ { fastcgi_pass $upstream; }\n}\n");
        test_detect_services(dir, &s);
        CHECK(!s.nginx.fastcgi_known && s.nginx.n_fastcgi == 0);
        CHECK(s.nginx.worker_processes == 2);

        /* A site that does not parse: nothing nginx reads is trusted. */
        test_write(dir, "etc/nginx/sites-available/shop", "server {\n");
        test_detect_services(dir, &s);
        CHECK(!s.nginx.fastcgi_known && s.nginx.workers.source == SOURCE_UNKNOWN);

        /* conf.d not included in http: memprov's snippet would not be read. */
        test_write(dir, "etc/nginx/sites-available/shop", "");
        test_write(dir, "etc/nginx/nginx.conf",
                   "events {}\nhttp {\n\tinclude /etc/nginx/sites-enabled/*;\n}\n"
                   "include /etc/nginx/conf.d/*.conf;\n");
        test_detect_services(dir, &s);
        CHECK(!s.nginx.conf_d_in_http && s.nginx.fastcgi_known);
        CHECK_U64(s.nginx.n_fastcgi, 1);
        test_rmtree(dir);
}

/* EL: php-fpm's package puts an upstream in conf.d and the fastcgi_pass to it in default.d,
 * included inside the server block; a link out of the root is refused. */
TEST(nginx_fastcgi_targets_el_upstream)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        struct services s;

        test_write(dir, "usr/sbin/nginx", "");
        test_write(dir, "etc/nginx/nginx.conf",
                   "worker_processes 3;\nevents {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n"
                   "    server {\n        include /etc/nginx/default.d/*.conf;\n    }\n}\n");
        test_write(dir, "etc/nginx/conf.d/php-fpm.conf",
                   "upstream php-fpm {\n    server unix:/run/php-fpm/www.sock weight=1;\n}\n");
        test_write(dir, "etc/nginx/default.d/php.conf",
                   "index index.php;\nlocation ~ \\.php$ {\n    fastcgi_pass php-fpm;\n}\n");
        test_detect_services(dir, &s);
        CHECK(s.nginx.installed && !s.nginx.debian && s.nginx.conf_d_in_http);
        CHECK(s.nginx.worker_processes == 3 && s.nginx.fastcgi_known);
        CHECK_U64(s.nginx.n_fastcgi, 1);
        CHECK_STR(s.nginx.fastcgi[0], "/run/php-fpm/www.sock");

        test_symlink(dir, "../../../../../../etc/passwd", "etc/nginx/default.d/evil.conf");
        test_detect_services(dir, &s);
        CHECK(!s.nginx.fastcgi_known);
        test_rmtree(dir);
}

/* An include cycle ends at the depth limit with one warning instead of looping. */
TEST(nginx_include_cycle)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        struct services s;

        test_write(dir, "usr/sbin/nginx", "");
        test_write(dir, "etc/nginx/nginx.conf", "events {}\nhttp {\n    include loop.conf;\n}\n");
        test_write(dir, "etc/nginx/loop.conf", "include loop.conf;\n");
        test_detect_services(dir, &s);
        CHECK(s.nginx.installed && !s.nginx.fastcgi_known);
        test_rmtree(dir);
}

/* A reload keeps PHP-FPM's listening socket (and its queue length): only a listen.backlog
 * change asks for a restart, and only where restarts are wanted; else a note names it. */
TEST(phpfpm_live_backlog_needs_a_restart)
{
        static const char old[] =
            "[www]\npm = ondemand\npm.max_children = 4\nlisten.backlog = 48\n";
        static const char same[] =
            "[www]\npm = ondemand\npm.max_children = 5\nlisten.backlog = 48\n";
        static const char other[] =
            "[www]\npm = ondemand\npm.max_children = 4\nlisten.backlog = 60\n";
        static const char none[] = "[www]\npm = ondemand\npm.max_children = 4\n";
        static const char *const path = "/etc/php/8.2/fpm/pool.d/zz-memprov.conf";
        _cleanup_free_ char *dir = test_mkdtemp();
        struct options o = {.rerun = true};
        struct facts facts = {.systemd_running = true};
        struct config config = {0};
        struct context ctx = {.opts = &o, .live = true, .facts = &facts, .config = &config};
        const char *news[] = {same, other};
        const enum unit_op ops[2][2] = {{UNIT_RELOAD, UNIT_RELOAD}, {UNIT_RELOAD, UNIT_RESTART}};

        CHECK(!phpfpm_backlog_changes(old, same));
        CHECK(phpfpm_backlog_changes(old, other));
        CHECK(phpfpm_backlog_changes(old, none));
        CHECK(phpfpm_backlog_changes("", old));
        test_write(dir, path + 1, old);
        ctx.rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        for (int n = 0; n < 2; n++)
                for (int restart = 0; restart < 2; restart++) {
                        struct plan p = {0};
                        struct action *f =
                            plan_add_file(&p, "phpfpm", path, 0644, xstrdup(news[n]));

                        o.restart_services = restart;
                        phpfpm_plan_live(&ctx, &p, f, "php8.2-fpm.service");
                        CHECK(p.n_actions == 2);
                        CHECK(p.actions[1].type == ACTION_SERVICE_LIVE);
                        CHECK(p.actions[1].unit_op == ops[n][restart]);
                        /* Reloaded with a changed backlog: the plan says it waits. */
                        CHECK(p.n_notes == (n == 1 && !restart));
                        plan_done(&p);
                }
        close(ctx.rootfd);
        test_rmtree(dir);
}
